/**
 * EdgeX client against hostile or odd venue answers (an in-process fake venue, see
 * `_fake_venue_test.ts`): each test pins one rule of the shared order and stream workflows.
 */
import {
  deepStrictEqual as deepEqual,
  ok,
  rejects,
  strictEqual as equal,
} from "node:assert/strict";
import {
  DuplicateClientOrderIdError,
  type ExchangeEvent,
  InvalidOrderError,
  MalformedPayloadError,
  OrderOutcomeUnknownError,
  OrderRejectedError,
} from "../../base.ts";
import { ManualClock } from "../_shared/clock.ts";
import { _decodeDepthFrame } from "./client.ts";
import {
  depthFrame,
  envelope,
  fakeClient,
  FakeRest,
  FakeSocket,
  JumpClock,
} from "./_fake_venue_test.ts";

const DAY = 86_400_000;

async function until(what: string, cond: () => boolean, clock?: ManualClock): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (cond()) return;
    if (clock) await clock.advance(10);
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function bookAnswer(bids: unknown[], asks: unknown[] = []) {
  return {
    json: envelope([{
      startVersion: "1",
      endVersion: "2",
      level: 15,
      contractId: "30000001",
      depthType: "SNAPSHOT",
      bids,
      asks,
    }]),
  };
}

Deno.test("getOrderBook() refuses REST levels with a bad price or size as MalformedPayloadError", async () => {
  const rest = new FakeRest();
  const client = fakeClient(rest, { clock: new JumpClock() });
  const bad: [string, string][] = [
    ["abc", "1"],
    ["NaN", "1"],
    ["Infinity", "1"],
    ["-Infinity", "1"],
    ["-64000", "1"],
    ["0", "1"],
    ["1" + "0".repeat(95), "1"],
    ["1e95", "1"],
    ["64000", "-1"],
    ["64000", "NaN"],
  ];
  for (const [price, size] of bad) {
    rest.routes.set("getDepth", () => bookAnswer([{ price, size }]));
    await rejects(client.getOrderBook("BTC"), MalformedPayloadError, `${price} × ${size}`);
  }
  rest.routes.set("getDepth", () => bookAnswer([{ price: "63990.5", size: "0.25" }]));
  const snap = await client.getOrderBook("BTC");
  deepEqual(snap.bids.map((l) => [l.price.toString(), l.size.toString()]), [["63990.5", "0.25"]]);
  await client.disconnect();
});

Deno.test("a depth snapshot with a negative price is not applied: the book stays stale and resubscribes", async () => {
  const clock = new ManualClock(1_800_000_000_000);
  const rest = new FakeRest();
  const subscribes: FakeSocket[] = [];
  FakeSocket.onSend = (socket, m) => {
    if (m.type !== "subscribe") return;
    subscribes.push(socket);
    if (subscribes.length === 1) {
      queueMicrotask(() =>
        socket.deliver(
          depthFrame("Snapshot", 0, 10, [{ price: "-5", size: "1" }], [{
            price: "64010",
            size: "1",
          }]),
        )
      );
    }
  };
  const client = fakeClient(rest, { clock, placementTimeoutMs: 1_000 });
  try {
    const pending = client.subscribeOrderBook("BTC");
    await until("the first subscribe", () => subscribes.length >= 1);
    await until("the resubscribe", () => subscribes.length >= 2);
    await clock.advance(1_000);
    const book = await pending;
    equal(book.snapshot(5).stale, true);
    equal(book.snapshot(5).bids.length, 0);
    subscribes[1].deliver(
      depthFrame("Snapshot", 0, 11, [{ price: "63990", size: "2" }], [{
        price: "64010",
        size: "1",
      }]),
    );
    equal(book.snapshot(5).stale, false);
    deepEqual(book.bestBidAsk().bid.toString(), "63990");
  } finally {
    FakeSocket.onSend = undefined;
    await client.disconnect();
  }
});

Deno.test("placeOrder() turns an order that never becomes visible into OrderOutcomeUnknownError", async () => {
  const rest = new FakeRest();
  // The venue answers an id, but neither lookup ever shows the order.
  rest.routes.set("createOrder", (r) => {
    const cid = String(r.body!.clientOrderId);
    rest.creates.set(cid, (rest.creates.get(cid) ?? 0) + 1);
    return { json: envelope({ orderId: "123456789" }) };
  });
  const client = fakeClient(rest, { clock: new JumpClock() });
  await rejects(
    client.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "limit",
      size: "0.010",
      price: "63000",
      clientOrderId: "777",
    }),
    (e: unknown) => e instanceof OrderOutcomeUnknownError && e.clientOrderId === "777",
  );
  deepEqual([...rest.creates.entries()], [["777", 1]]);
  ok(rest.calls.filter((c) => c === "getOrderByClientOrderId").length >= 2, "looked up again");
  await client.disconnect();
});

Deno.test("an answer naming another client's order is doubtful, not a duplicate client id", async () => {
  const rest = new FakeRest();
  rest.orders.set("other", {
    id: "555",
    clientOrderId: "other",
    contractId: "30000001",
    side: "SELL",
    price: "65000",
    size: "0.002",
    type: "LIMIT",
    timeInForce: "GOOD_TIL_CANCEL",
    status: "OPEN",
    cumMatchSize: "0",
    cumMatchValue: "0",
    createdTime: "1800000000000",
    updatedTime: "1800000000000",
  });
  let creates = 0;
  rest.routes.set("createOrder", () => {
    creates++;
    return { json: envelope({ orderId: "555" }) };
  });
  const client = fakeClient(rest, { clock: new JumpClock() });
  const request = {
    symbol: "BTC",
    side: "buy" as const,
    type: "limit" as const,
    size: "0.010",
    price: "63000",
    clientOrderId: "778",
  };
  await rejects(client.placeOrder(request), OrderOutcomeUnknownError);
  equal(creates, 1);
  // Had it arrived, the lookup would have found it: that is the answer, still sent once.
  rest.orders.set("779", { ...rest.orders.get("other")!, id: "556", clientOrderId: "779" });
  rest.orders.get("779")!.side = "BUY";
  rest.orders.get("779")!.price = "63000";
  rest.orders.get("779")!.size = "0.010";
  const order = await client.placeOrder({ ...request, clientOrderId: "779" });
  deepEqual([order.clientOrderId, order.id, order.status, creates], ["779", "556", "open", 2]);
  await client.disconnect();
});

Deno.test("the same client order id on an earlier order with other terms is a duplicate", async () => {
  const rest = new FakeRest();
  rest.orders.set("780", {
    id: "560",
    clientOrderId: "780",
    contractId: "30000001",
    side: "SELL",
    price: "65000",
    size: "0.002",
    type: "LIMIT",
    timeInForce: "GOOD_TIL_CANCEL",
    status: "FILLED",
    cumMatchSize: "0.002",
    cumMatchValue: "130",
    createdTime: "1800000000000",
    updatedTime: "1800000000000",
  });
  const client = fakeClient(rest, { clock: new JumpClock() });
  await rejects(
    client.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "limit",
      size: "0.010",
      price: "63000",
      clientOrderId: "780",
    }),
    DuplicateClientOrderIdError,
  );
  await client.disconnect();
});

Deno.test("a market order on an empty book side is refused; no oracle price is made up", async () => {
  const rest = new FakeRest();
  rest.depth = { bids: [{ price: "63990", size: "1" }], asks: [] };
  rest.routes.set("getTicker", () => ({
    json: envelope([{ contractId: "30000001", oraclePrice: "64000" }]),
  }));
  const client = fakeClient(rest, { clock: new JumpClock() });
  await rejects(
    client.placeOrder({ symbol: "BTC", side: "buy", type: "market", size: "0.010" }),
    (e: unknown) =>
      e instanceof InvalidOrderError && e.message.includes("no asks") &&
      e.message.includes("'worstPrice'"),
  );
  equal(rest.calls.includes("createOrder"), false);
  equal(rest.calls.includes("getTicker"), false);
  await client.disconnect();
});

Deno.test("a market order signs the book's best price moved by the slippage", async () => {
  const rest = new FakeRest();
  rest.depth = { bids: [{ price: "63990", size: "1" }], asks: [{ price: "64010", size: "1" }] };
  let body: Record<string, unknown> | undefined;
  rest.routes.set("createOrder", (r) => {
    body = r.body;
    return rest.answer("createOrder", r);
  });
  const client = fakeClient(rest, { clock: new JumpClock() });
  const order = await client.placeOrder({
    symbol: "BTC",
    side: "buy",
    type: "market",
    size: "0.010",
  });
  equal(order.status, "filled");
  // 64010 × 1.05 = 67210.5 (on the 0.1 tick); × 0.010 = 672.105.
  deepEqual([body?.price, body?.type, body?.timeInForce, body?.l2Value], [
    "0",
    "MARKET",
    "IMMEDIATE_OR_CANCEL",
    "672.105",
  ]);
  await client.disconnect();
});

Deno.test("placeOrder() refuses a past expiry and one beyond 22 days without sending", async () => {
  const clock = new JumpClock();
  const rest = new FakeRest();
  let body: Record<string, unknown> | undefined;
  rest.routes.set("createOrder", (r) => {
    body = r.body;
    return rest.answer("createOrder", r);
  });
  const client = fakeClient(rest, { clock });
  const gtt = (expiresAt: number) =>
    client.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "limit",
      size: "0.010",
      price: "63000",
      timeInForce: "gtt",
      expiresAt,
    });
  const now = clock.now();
  await rejects(
    gtt(now - 1),
    (e: unknown) => e instanceof OrderRejectedError && e.message.includes("already passed"),
  );
  await rejects(
    gtt(now + 22 * DAY + 1),
    (e: unknown) => e instanceof OrderRejectedError && e.message.includes("22 d"),
  );
  equal(rest.calls.includes("createOrder"), false);
  await gtt(now + DAY);
  deepEqual([body?.expireTime, body?.l2ExpireTime], [
    String(now + DAY),
    String(now + DAY + 8 * DAY),
  ]);
  await client.disconnect();
});

Deno.test("an unknown order status is never read as final", async () => {
  const rest = new FakeRest();
  const record = {
    id: "900",
    clientOrderId: "c900",
    contractId: "30000001",
    side: "BUY",
    price: "63000",
    size: "0.010",
    type: "LIMIT",
    timeInForce: "GOOD_TIL_CANCEL",
    status: "SOMETHING_NEW",
    cumMatchSize: "0",
    createdTime: "1800000000000",
    updatedTime: "1800000000000",
  };
  rest.routes.set("getOrderById", () => ({ json: envelope([record]) }));
  const client = fakeClient(rest, { clock: new JumpClock() });
  equal((await client.getOrder("BTC", { id: "900" }))?.status, "pending");
  record.status = "OPEN";
  equal((await client.getOrder("BTC", { id: "900" }))?.status, "open");
  record.status = "EXPIRED_OR_WHATEVER";
  record.updatedTime = "1800000000001";
  equal((await client.getOrder("BTC", { id: "900" }))?.status, "open");
  await client.disconnect();
});

Deno.test("an unreadable private frame is reported and reconciled over REST", async () => {
  const clock = new ManualClock(1_800_000_000_000);
  const rest = new FakeRest();
  const client = fakeClient(rest, { clock });
  const events: ExchangeEvent[] = [];
  client.onEvent((e) => events.push(e));
  try {
    await client.connect();
    const socket = FakeSocket.made.findLast((s) => s.private)!;
    const before = rest.calls.length;
    socket.deliver({
      type: "trade-event",
      content: { event: "ORDER_UPDATE", version: 3, data: { order: [{ id: "1", status: 7 }] } },
    });
    await until("reconciliation", () => rest.calls.slice(before).includes("getAccountAsset"));
    ok(rest.calls.slice(before).includes("getActiveOrderPage"));
    const report = events.find((e) => e.type === "connection" && e.stream === "account" && e.error);
    ok(report?.type === "connection" && report.error instanceof MalformedPayloadError);
    ok(events.some((e) => e.type === "position" && e.position.size.toString() === "0.01"));
  } finally {
    await client.disconnect();
  }
});

Deno.test("the depth decoder refuses a level priced at or below 0, at 10^15 or above, or not a plain decimal", () => {
  const frame = (price: string, size = "1") =>
    depthFrame("Snapshot", 0, 5, [{ price, size }], [{ price: "64010", size: "1" }]);
  for (const price of ["-5", "0", "0.000", "1000000000000000", "1e3", "NaN", " 1", "abc"]) {
    try {
      _decodeDepthFrame(frame(price), "depth.30000001.15");
      throw new Error(`accepted ${price}`);
    } catch (e) {
      ok(e instanceof MalformedPayloadError, `${price}: ${e}`);
      ok(e.message.includes("content.data.0.bids.0"), e.message);
    }
  }
  for (const size of ["-1", "NaN", "1".repeat(41)]) {
    try {
      _decodeDepthFrame(frame("64000", size), "depth.30000001.15");
      throw new Error(`accepted size ${size}`);
    } catch (e) {
      ok(e instanceof MalformedPayloadError, `${size}: ${e}`);
    }
  }
  const good = _decodeDepthFrame(frame("999999999999999.9", "0"), "depth.30000001.15");
  deepEqual(good.bids, [{ price: "999999999999999.9", size: "0" }]);
});

Deno.test("null, HTML, empty and truncated bodies are MalformedPayloadError on every read", async () => {
  const rest = new FakeRest();
  const client = fakeClient(rest, { clock: new JumpClock() });
  await client.getMarkets();
  const reads: [string, () => Promise<unknown>][] = [
    ["getAccountAsset", () => client.getBalance()],
    ["getAccountAsset", () => client.getPositions()],
    ["getDepth", () => client.getOrderBook("BTC")],
    ["getOrderById", () => client.getOrder("BTC", { id: "1" })],
    ["getActiveOrderPage", () => client.getOpenOrders()],
  ];
  for (const [path, read] of reads) {
    for (const body of ["null", "<html><body>oops</body></html>", "", '{"code":"SUCC']) {
      rest.routes.set(path, () => ({ text: body }));
      await rejects(read(), MalformedPayloadError, `${path} ${JSON.stringify(body)}`);
    }
    rest.routes.delete(path);
  }
  await client.disconnect();
});
