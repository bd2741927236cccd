/**
 * Half-open sockets: the connection stays open but the venue stops sending (no data, no pong).
 * Virtual time only (ManualClock); the venue is the scripted fake of `_fake_venue_test.ts`.
 */
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { type ExchangeEvent, TimeoutError } from "../../base.ts";
import { ManualClock } from "../_shared/clock.ts";
import { depthFrame, fakeClient, FakeRest, FakeSocket } from "./_fake_venue_test.ts";

async function until(what: string, cond: () => boolean, clock: ManualClock): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await clock.advance(5);
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error(`timed out waiting for ${what}`);
}

Deno.test("a silent public socket: the book turns stale after maxSilenceMs, then reconnects, resubscribes and is fresh again", async () => {
  const clock = new ManualClock(1_800_000_000_000);
  const rest = new FakeRest();
  let version = 100;
  const subscribed: FakeSocket[] = [];
  FakeSocket.made = [];
  FakeSocket.onSend = (socket, m) => {
    if (m.type !== "subscribe" || socket.private) return;
    subscribed.push(socket);
    const end = ++version;
    queueMicrotask(() =>
      socket.deliver(
        depthFrame("Snapshot", 0, end, [{ price: `6399${subscribed.length}`, size: "1" }], [{
          price: "64010",
          size: "1",
        }]),
      )
    );
  };
  const client = fakeClient(rest, {
    clock,
    maxSilenceMs: 2_000,
    idleTimeoutMs: 9_000,
    reconnectBaseDelayMs: 10,
  });
  const events: ExchangeEvent[] = [];
  client.onEvent((e) => events.push(e));
  try {
    const pending = client.subscribeOrderBook("BTC");
    await until("the first snapshot", () => subscribed.length === 1, clock);
    const book = await pending;
    const first = subscribed[0];
    const t0 = clock.now();
    equal(book.snapshot(1).stale, false);
    // An empty `changed` frame is the depth heartbeat: it keeps the book fresh.
    await clock.advance(1_500);
    first.deliver(depthFrame("changed", version, ++version, [], []));
    await clock.advance(1_999);
    equal(book.snapshot(1).stale, false, "fresh 1999 ms after the heartbeat");
    // From here the socket stays open but sends nothing.
    await clock.advance(2);
    equal(book.snapshot(1).stale, true, "stale once maxSilenceMs passed");
    equal(first.readyState, 1, "the socket itself is still open");
    ok(first.sent.some((m) => m.type === "ping"), "the client pinged the silent venue");
    // idleTimeoutMs after the last frame the transport drops the socket and reconnects.
    await clock.advance(t0 + 1_500 + 9_000 - clock.now() - 1);
    equal(first.readyState, 1);
    await until("a new subscription", () => subscribed.length === 2, clock);
    equal(first.readyState, 3, "the silent socket was closed");
    ok(subscribed[1] !== first, "resubscribed on a new socket");
    equal(book.snapshot(1).stale, false, "fresh again after the new snapshot");
    deepEqual(book.bestBidAsk().bid.toString(), "63992");
    const lost = events.find((e) =>
      e.type === "connection" && e.stream === "book" && e.state === "reconnecting"
    );
    ok(lost?.type === "connection" && lost.error instanceof TimeoutError);
  } finally {
    FakeSocket.onSend = undefined;
    await client.disconnect();
  }
});

Deno.test("a silent private socket is reported as a reconnecting connection event and reopened", async () => {
  const clock = new ManualClock(1_800_000_000_000);
  const rest = new FakeRest();
  FakeSocket.made = [];
  const client = fakeClient(rest, { clock, idleTimeoutMs: 9_000, reconnectBaseDelayMs: 10 });
  const events: ExchangeEvent[] = [];
  client.onEvent((e) => events.push(e));
  try {
    await client.connect();
    const first = FakeSocket.made.find((s) => s.private)!;
    await clock.advance(8_999);
    equal(events.some((e) => e.type === "connection" && e.state === "reconnecting"), false);
    await clock.advance(1);
    const lost = events.find((e) =>
      e.type === "connection" && e.stream === "account" && e.state === "reconnecting"
    );
    ok(lost?.type === "connection" && lost.error instanceof TimeoutError);
    await until(
      "the private stream back",
      () =>
        FakeSocket.made.filter((s) => s.private).length === 2 && events.at(-1)?.type ===
          "connection" &&
        (events.at(-1) as { state: string }).state === "connected",
      clock,
    );
    equal(first.readyState, 3);
  } finally {
    await client.disconnect();
  }
});
