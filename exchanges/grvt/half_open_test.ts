/**
 * Sockets that stay open but stop sending, and frames that cannot be read, against a scripted
 * GRVT (fake WebSocket, virtual clock).
 */
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import type { ExchangeEvent } from "../../base.ts";
import { GRVTClient } from "./client.ts";
import { CID, FAKE_ACCOUNT, FakeGrvt, wireOrder } from "./_fakes_test.ts";

function record(client: GRVTClient): ExchangeEvent[] {
  const seen: ExchangeEvent[] = [];
  client.onEvent((e) => seen.push(e));
  return seen;
}

const states = (seen: ExchangeEvent[], stream: string) =>
  seen.flatMap((e) => e.type === "connection" && e.stream === stream ? [e.state] : []);

Deno.test("half-open market-data socket: the book turns stale within maxSilenceMs, then recovers after the idle timeout", async () => {
  const venue = new FakeGrvt();
  await using client = new GRVTClient(venue.options());
  const seen = record(client);
  const book = await venue.settle(client.subscribeOrderBook("BTC"));
  await venue.clock.advance(10);
  equal(book.bestBidAsk().bid.toString(), "63999.9");
  // A quiet but healthy socket: no book frame for 30 s, but every ping is answered.
  await venue.clock.advance(30_000);
  deepEqual([book.snapshot().stale, venue.sockets.length], [false, 1]);

  // Half-open: the socket stays open and sends nothing (no data, no ping answers).
  const [first] = venue.open("md");
  first.alive = false;
  const last = book.snapshot().receivedAt!;
  await venue.clock.set(last + 5_000);
  equal(book.snapshot().stale, false, "fresh up to maxSilenceMs (5 s)");
  await venue.clock.set(last + 5_001);
  equal(book.snapshot().stale, true, "stale past maxSilenceMs");
  equal(book.bestBidAsk().stale, true);
  equal(venue.sockets.length, 1, "not yet dropped");

  // After the idle timeout (10 s) the transport reconnects and resubscribes; the snapshot of
  // the new socket makes the book fresh again.
  venue.bookSnapshots = () => ({
    instrument: "BTC_USDT_Perp",
    bids: [{ price: "64010.0", size: "1" }],
    asks: [{ price: "64010.2", size: "1" }],
  });
  await venue.clock.set(last + 10_000 + 200);
  equal(venue.sockets.length, 2, "reconnected");
  equal(first.readyState, 3, "the silent socket was closed");
  const q = book.bestBidAsk();
  deepEqual([q.stale, q.bid.toString(), q.ask.toString()], [false, "64010", "64010.2"]);
  ok(venue.sockets[1].sent.some((m) => m.includes('"v1.book.d"')), "resubscribed");
  deepEqual(states(seen, "market-data"), ["connected", "reconnecting", "connected"]);
  await book.close();
});

Deno.test("half-open trading socket: the private stream reports reconnecting, then reconnects and resubscribes", async () => {
  const venue = new FakeGrvt();
  await using client = new GRVTClient(venue.options());
  const seen = record(client);
  await venue.settle(client.connect());
  await venue.clock.advance(30_000);
  deepEqual(states(seen, "trading"), ["connected"], "a quiet healthy socket is kept");
  const [socket] = venue.open("trades");
  socket.alive = false;
  await venue.clock.advance(10_000);
  // Silent since at most one heartbeat (3 s) before: reported within the idle timeout (10 s).
  deepEqual(states(seen, "trading").slice(0, 2), ["connected", "reconnecting"]);
  await venue.clock.advance(200);
  deepEqual(states(seen, "trading"), ["connected", "reconnecting", "connected"]);
  const fresh = venue.open("trades");
  equal(fresh.length, 1);
  for (const s of ["v1.order", "v1.fill", "v1.position"]) {
    ok(fresh[0].sent.some((m) => m.includes(`"${s}"`)), `resubscribed ${s}`);
  }
});

Deno.test("an unreadable private frame is not dropped silently: orders and positions are re-read over REST", async () => {
  const venue = new FakeGrvt();
  await using client = new GRVTClient(venue.options());
  await venue.settle(client.connect());
  const seen = record(client);
  const [socket] = venue.open("trades");
  const frame = (seq: number, feed: unknown) => ({
    stream: "v1.order",
    selector: FAKE_ACCOUNT,
    sequence_number: String(seq),
    prev_sequence_number: String(seq - 1),
    feed,
  });
  socket.push(frame(1, wireOrder({ cid: CID, status: "OPEN" })));
  await venue.clock.advance(10);
  deepEqual(seen.map((e) => e.type === "order" && e.order.status), ["open"]);
  // An unknown status: never read as a final state; the order is re-read, and positions too.
  venue.rest.set("full/v1/order", () => ({ result: wireOrder({ cid: CID, status: "FILLED" }) }));
  socket.push(frame(2, wireOrder({ cid: CID, status: "PARTIALLY_CANCELLED" })));
  await venue.clock.advance(10);
  equal(venue.count("full/v1/order"), 1);
  equal(venue.count("full/v1/positions"), 1);
  deepEqual(
    seen.filter((e) => e.type === "order").map((e) => e.type === "order" && e.order.status),
    ["open", "filled"],
  );
  ok(seen.some((e) => e.type === "position"));
  // Unreadable JSON on the socket: the same reconciliation.
  socket.push('{"stream":"v1.fill","feed":');
  await venue.clock.advance(10);
  equal(venue.count("full/v1/positions"), 2);
});

Deno.test("a book frame with a non-positive price never enters the book: stale, then a fresh snapshot", async () => {
  const venue = new FakeGrvt();
  await using client = new GRVTClient(venue.options());
  const book = await venue.settle(client.subscribeOrderBook("BTC"));
  await venue.clock.advance(10);
  const [socket] = venue.open("md");
  const subscribes = () => socket.sent.filter((m) => m.includes('"subscribe"')).length;
  equal(subscribes(), 1);
  venue.bookSnapshots = undefined; // the resubscription's snapshot comes later
  socket.push({
    stream: "v1.book.d",
    selector: "BTC_USDT_Perp@100",
    sequence_number: "101",
    prev_sequence_number: "100",
    feed: { instrument: "BTC_USDT_Perp", bids: [{ price: "-5", size: "1" }], asks: [] },
  });
  await venue.clock.advance(10);
  const snap = book.snapshot();
  deepEqual([snap.stale, snap.bids.map((l) => l.price.toString())], [true, ["63999.9"]]);
  equal(subscribes(), 2, "resubscribed for a snapshot");
  await book.close();
});
