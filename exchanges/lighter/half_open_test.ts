import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import type { ExchangeEvent } from "../../base.ts";
import { TimeoutError } from "../../core/errors.ts";
import { LighterClient } from "./client.ts";
import { drive, FakeLighterVenue } from "./_fakes_test.ts";

Deno.test("a half-open socket: the book reads stale within maxBookSilenceMs, and after the idle timeout the client reconnects, resubscribes and the book is fresh again", async () => {
  const venue = new FakeLighterVenue();
  await using client = new LighterClient(
    venue.options({ maxBookSilenceMs: 4_000, pingIntervalMs: 10_000, idleTimeoutMs: 30_000 }),
  );
  const events: ExchangeEvent[] = [];
  client.onEvent((e) => events.push(e));
  await drive(venue.clock, client.connect());
  const book = (await drive(venue.clock, client.subscribeOrderBook("ETH"))) as {
    ok: true;
    value: Awaited<ReturnType<LighterClient["subscribeOrderBook"]>>;
  };
  const sub = book.value;
  equal(sub.snapshot().stale, false);
  const first = venue.socket;

  // The socket stays open but the venue stops sending: no book frames, no pongs.
  first.silent = true;
  const t0 = sub.snapshot().receivedAt!;
  await venue.clock.set(t0 + 3_900);
  equal(sub.snapshot().stale, false, "still within the allowed silence");
  await venue.clock.advance(200);
  const stale = sub.bestBidAsk();
  equal(stale.stale, true, "silent for longer than maxBookSilenceMs");
  equal(stale.receivedAt, t0);
  equal(venue.sockets.length, 1, "no reconnect before the idle timeout");

  // Idle timeout: the socket is dropped, reported, replaced and resubscribed.
  while (venue.sockets.length < 2 && venue.clock.now() - t0 < 60_000) {
    await venue.clock.advance(250);
  }
  ok(venue.clock.now() - t0 <= 30_000 + 250, `reconnected after ${venue.clock.now() - t0} ms`);
  const conn = events.filter((e) => e.type === "connection") as Extract<
    ExchangeEvent,
    { type: "connection" }
  >[];
  const lost = conn.find((e) => e.state === "reconnecting");
  ok(lost, "the silence is reported on the event stream");
  ok(lost.error instanceof TimeoutError, String(lost.error));
  equal(first.readyState, 3, "the half-open socket was closed");
  ok(venue.sockets.length >= 2, "a new socket was opened");
  const second = venue.socket;
  const subscribed = second.sent.map((s) => JSON.parse(s)).filter((m) => m.type === "subscribe")
    .map((m) => m.channel).sort();
  deepEqual(subscribed, ["account_all/1077", "account_orders/0/1077", "order_book/0"]);
  await venue.clock.advance(10);
  equal(sub.snapshot().stale, false, "fresh again after the new snapshot");
  equal(sub.bestBidAsk().bid.toString(), "1999");
  deepEqual(conn.at(-1)?.state, "connected");

  // A healthy but quiet socket (pongs only) is kept; the book still turns stale without frames.
  await venue.clock.advance(60_000);
  equal(venue.sockets.length, 2, "pongs keep the socket");
  equal(sub.snapshot().stale, true);
  venue.push(venue.bookUpdate([{ price: "1999.50", size: "0.5000" }], []));
  equal(sub.snapshot().stale, false);
  equal(sub.bestBidAsk().bid.toString(), "1999.5");
});
