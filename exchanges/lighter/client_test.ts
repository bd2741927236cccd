import { deepStrictEqual as deepEqual, match, ok, strictEqual as equal } from "node:assert/strict";
import type { ExchangeEvent, Order } from "../../base.ts";
import {
  ConfigurationError,
  InvalidOrderError,
  MalformedPayloadError,
  OrderOutcomeUnknownError,
  PostOnlyWouldCrossError,
} from "../../core/errors.ts";
import { LighterClient } from "./client.ts";
import { drive, FAKE_KEY, FakeLighterVenue, wireOrder, wirePosition } from "./_fakes_test.ts";

const LIMIT = {
  symbol: "ETH",
  side: "buy" as const,
  type: "limit" as const,
  size: "0.0100",
  price: "1990.00",
  postOnly: true,
};

function lostAnswer(venue: FakeLighterVenue, accept: boolean) {
  venue.routes.set("/api/v1/sendTx", (req) => {
    if (accept) venue.acceptTx(req);
    else venue.txs.push(JSON.parse(String(req.form?.get("tx_info"))));
    throw new TypeError("connection reset");
  });
}

Deno.test("placeOrder() never sends a second copy while the first copy's nonce is unused", async () => {
  const venue = new FakeLighterVenue();
  lostAnswer(venue, false);
  await using client = new LighterClient(venue.options());
  const r = await drive(venue.clock, client.placeOrder({ ...LIMIT, clientOrderId: "501" }));
  ok(!r.ok && r.error instanceof OrderOutcomeUnknownError, String(!r.ok && r.error));
  equal((r.error as OrderOutcomeUnknownError).clientOrderId, "501");
  equal(venue.count("/api/v1/sendTx"), 1);
  ok(venue.count("/api/v1/accountOrders") >= 3, "the outcome was looked up, repeatedly");
});

Deno.test("placeOrder() resends under a new nonce only once the old nonce was used and the order is proven absent", async () => {
  const venue = new FakeLighterVenue();
  let sends = 0;
  venue.routes.set("/api/v1/sendTx", (req) => {
    if (sends++ === 0) {
      venue.txs.push(JSON.parse(String(req.form?.get("tx_info"))));
      venue.nonce++; // another transaction of the key took nonce 7 meanwhile
      throw new TypeError("connection reset");
    }
    return venue.acceptTx(req);
  });
  await using client = new LighterClient(venue.options());
  const r = await drive(venue.clock, client.placeOrder({ ...LIMIT, clientOrderId: "502" }));
  ok(r.ok, String(!r.ok && r.error));
  equal(r.value.clientOrderId, "502");
  deepEqual(venue.txs.map((t) => t.Nonce), [7, 8]);
  equal(venue.orders.size, 1);
});

Deno.test("placeOrder() with lookups failing then succeeding returns the one order", async () => {
  const venue = new FakeLighterVenue();
  lostAnswer(venue, true);
  let lookups = 0;
  venue.routes.set("/api/v1/accountOrders", () => {
    if (lookups++ < 3) return { status: 503, body: "<html>busy</html>" };
    return { body: { code: 200, orders: [...venue.orders.values()] } };
  });
  await using client = new LighterClient(venue.options());
  const r = await drive(venue.clock, client.placeOrder({ ...LIMIT, clientOrderId: "503" }));
  ok(r.ok, String(!r.ok && r.error));
  equal(r.value.id, String(281_474_976_710_656 + 503));
  equal(venue.count("/api/v1/sendTx"), 1);
});

Deno.test("placeOrder() answers the real order or OrderOutcomeUnknownError, never a placeholder", async () => {
  const venue = new FakeLighterVenue();
  // Accepted by sendTx, but neither reported on the stream nor visible to lookups.
  venue.routes.set("/api/v1/sendTx", (req) => {
    const answer = venue.acceptTx(req);
    venue.orders.clear();
    return answer;
  });
  await using client = new LighterClient(venue.options());
  const r = await drive(venue.clock, client.placeOrder({ ...LIMIT, clientOrderId: "504" }));
  ok(!r.ok, `resolved with ${JSON.stringify(r.ok && r.value)}`);
  ok(r.error instanceof OrderOutcomeUnknownError, String(r.error));
  equal(venue.count("/api/v1/sendTx"), 1, "an accepted transaction is never sent again");
});

Deno.test("placeOrder() waits for the stream's report and refuses a post-only order the venue canceled", async () => {
  const venue = new FakeLighterVenue();
  venue.routes.set("/api/v1/sendTx", (req) => {
    const answer = venue.acceptTx(req);
    const order = wireOrder({ clientOrderIndex: 505, status: "canceled-post-only" });
    venue.orders.set(505, order);
    venue.push({
      channel: "account_orders:0:1077",
      type: "update/account_orders",
      orders: { "0": [order] },
    });
    return answer;
  });
  await using client = new LighterClient(venue.options());
  await drive(venue.clock, client.connect());
  const r = await drive(venue.clock, client.placeOrder({ ...LIMIT, clientOrderId: "505" }));
  ok(!r.ok && r.error instanceof PostOnlyWouldCrossError, String(!r.ok && r.error));
});

Deno.test("placeOrder() returns the order the stream reports, with its venue id", async () => {
  const venue = new FakeLighterVenue();
  await using client = new LighterClient(venue.options());
  await drive(venue.clock, client.connect());
  const r = await drive(venue.clock, client.placeOrder({ ...LIMIT, clientOrderId: "506" }));
  ok(r.ok, String(!r.ok && r.error));
  deepEqual([r.value.status, r.value.id, r.value.price?.toString()], [
    "open",
    "281474976711162",
    "1990",
  ]);
  deepEqual(venue.txs.map((t) => [t.Nonce, t.ClientOrderIndex, t.Price, t.BaseAmount]), [
    [7, 506, 199000, 100],
  ]);
});

Deno.test("placeOrder() names exponent strings and JS numbers instead of blaming the tick", async () => {
  const venue = new FakeLighterVenue();
  await using client = new LighterClient(venue.options());
  const exp = await drive(venue.clock, client.placeOrder({ ...LIMIT, size: "1e-2" }));
  ok(!exp.ok && exp.error instanceof InvalidOrderError);
  match(
    (exp.error as Error).message,
    /'size' is in exponent notation \("1e-2"\): write it as a plain decimal such as "0\.01"/,
  );
  const num = await drive(
    venue.clock,
    client.placeOrder({ ...LIMIT, price: 1990.5 as unknown as string }),
  );
  ok(!num.ok && num.error instanceof InvalidOrderError);
  match(
    (num.error as Error).message,
    /'price' must be a decimal string .*not the JS number 1990\.5/,
  );
  equal(venue.count("/api/v1/sendTx"), 0);
});

Deno.test("account index 0 (the treasury) is refused before anything is signed", async () => {
  const venue = new FakeLighterVenue();
  await using client = new LighterClient(venue.options({
    credentials: { apiKeyPrivateKey: FAKE_KEY, accountIndex: 0, apiKeyIndex: 4 },
  }));
  const r = await drive(venue.clock, client.placeOrder({ ...LIMIT }));
  ok(!r.ok && r.error instanceof ConfigurationError, String(!r.ok && r.error));
  match((r.error as Error).message, /'accountIndex' must be your own account's index, not 0/);
  equal(venue.count("/api/v1/sendTx"), 0);
});

Deno.test("an order with an unknown status is a MalformedPayloadError, never read as canceled", async () => {
  const venue = new FakeLighterVenue();
  venue.orders.set(7, wireOrder({ clientOrderIndex: 7, status: "frozen" }));
  venue.routes.set("/api/v1/accountActiveOrders", () => ({
    body: { code: 200, orders: [venue.orders.get(7)] },
  }));
  await using client = new LighterClient(venue.options());
  const r = await drive(venue.clock, client.getOpenOrders());
  ok(!r.ok && r.error instanceof MalformedPayloadError, String(!r.ok ? r.error : r.value));
  match((r.error as Error).message, /status/);
});

Deno.test("the REST book refuses zero and negative sizes and a zero price", async () => {
  for (
    const [price, size] of [["2001.00", "0"], ["2001.00", "-1.0000"], ["0", "1.0000"], [
      "-5.00",
      "1.0000",
    ]]
  ) {
    const venue = new FakeLighterVenue();
    venue.book = { bids: [{ price: "1999.00", size: "1.0000" }], asks: [{ price, size }] };
    await using client = new LighterClient(venue.options());
    const r = await drive(venue.clock, client.getOrderBook("ETH"));
    ok(
      !r.ok && r.error instanceof MalformedPayloadError,
      `${price} × ${size}: ${!r.ok ? r.error : "a book"}`,
    );
  }
});

Deno.test("a malformed private frame is not dropped: the account is read again over REST", async () => {
  const venue = new FakeLighterVenue();
  venue.orders.set(11, wireOrder({ clientOrderIndex: 11 }));
  venue.positions = [wirePosition("0.0100", -1)];
  await using client = new LighterClient(venue.options());
  const events: ExchangeEvent[] = [];
  client.onEvent((e) => events.push(e));
  await drive(venue.clock, client.connect());
  // The stream saw order 12 live; its cancel arrives in a frame that cannot be read.
  venue.push({
    channel: "account_orders:0:1077",
    type: "update/account_orders",
    orders: { "0": [wireOrder({ clientOrderIndex: 12 })] },
  });
  venue.orders.set(12, wireOrder({ clientOrderIndex: 12, status: "canceled" }));
  const before = venue.requests.length;
  venue.push({
    channel: "account_orders:0:1077",
    type: "update/account_orders",
    orders: { "0": [{ ...wireOrder({ clientOrderIndex: 12 }), price: "NaN" }] },
  });
  await venue.clock.advance(10);
  const paths = venue.requests.slice(before).map((r) => r.path).sort();
  // A dropped frame may also have announced a funding settlement: payments are read too.
  deepEqual(paths, [
    "/api/v1/account",
    "/api/v1/accountActiveOrders",
    "/api/v1/accountOrders",
    "/api/v1/positionFunding",
  ]);
  const after = events.slice(
    events.findIndex((e) => e.type === "connection" && e.state === "reconnecting"),
  );
  const conn = after.filter((e) => e.type === "connection") as Extract<
    ExchangeEvent,
    { type: "connection" }
  >[];
  deepEqual(conn.map((e) => e.state), ["reconnecting", "connected"]);
  ok(conn[0].error instanceof MalformedPayloadError);
  const orders = after.filter((e) => e.type === "order").map((e) => (e as { order: Order }).order);
  deepEqual(orders.map((o) => [o.clientOrderId, o.status]).sort(), [["11", "open"], [
    "12",
    "canceled",
  ]]);
  const pos = after.find((e) => e.type === "position");
  equal(pos?.type === "position" && pos.position.size.toString(), "-0.01");
});

Deno.test("a lost sendTx answer with a failing nonce read is resolved by lookups, not by a resend", async () => {
  const venue = new FakeLighterVenue();
  lostAnswer(venue, false);
  venue.routes.set("/api/v1/nextNonce", () => {
    if (venue.count("/api/v1/sendTx") === 0) return { body: { code: 200, nonce: venue.nonce } };
    throw new TypeError("network down");
  });
  await using client = new LighterClient(venue.options({ outcomeDeadlineMs: 10_000 }));
  const r = await drive(venue.clock, client.placeOrder({ ...LIMIT, clientOrderId: "507" }));
  ok(!r.ok && r.error instanceof OrderOutcomeUnknownError, String(!r.ok && r.error));
  equal(venue.count("/api/v1/sendTx"), 1);
});
