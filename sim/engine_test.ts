import { deepStrictEqual, ok, strictEqual as equal, throws } from "node:assert/strict";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import {
  DuplicateClientOrderIdError,
  InsufficientMarginError,
  InvalidOrderError,
  NotFoundError,
  OrderRejectedError,
  PostOnlyWouldCrossError,
} from "../core/errors.ts";
import { Decimal } from "../core/decimal.ts";
import { type EngineOptions, SimEngine } from "./engine.ts";
import { scriptedFundingRates } from "./funding.ts";

const HOUR = 3_600_000;

function setup(options: EngineOptions = {}, clock = new ManualClock(0)) {
  const engine = new SimEngine({ clock, ...options });
  engine.addInstrument(
    {
      symbol: "BTC",
      tickSize: "0.1",
      sizeStep: "0.001",
      minSize: "0.001",
      maxLeverage: "10",
      makerFee: "-0.0001",
      takerFee: "0.0005",
      fundingIntervalHours: 8,
    },
    { markPrice: "100" },
  );
  engine.createAccount("alice", { collateral: "1000" });
  engine.createAccount("bob", { collateral: "1000" });
  return { engine, clock };
}

Deno.test("placeOrder() partially fills a resting order, which then cancels with the rest unfilled", () => {
  const { engine } = setup();
  engine.placeOrder("alice", {
    symbol: "BTC",
    side: "sell",
    size: "1",
    price: "100",
    clientOrderId: "ask",
  });
  const taker = engine.placeOrder("bob", { symbol: "BTC", side: "buy", size: "0.4", price: "100" });
  equal(taker.order.status, "filled");
  deepStrictEqual(taker.fills.map((f) => [f.price, f.size, f.liquidity]), [[
    "100",
    "0.4",
    "taker",
  ]]);
  const resting = engine.getOrder("alice", { clientOrderId: "ask" });
  equal(resting.status, "partially_filled");
  equal(resting.remainingSize, "0.6");
  deepStrictEqual(engine.book("BTC").asks, [["100", "0.6"]]);

  const canceled = engine.cancelOrder("alice", { clientOrderId: "ask" });
  equal(canceled.status, "canceled");
  equal(canceled.cancelReason, "user");
  equal(canceled.filledSize, "0.4");
  deepStrictEqual(engine.book("BTC").asks, []);
  deepStrictEqual(engine.openOrders("alice"), []);
  equal(engine.position("alice", "BTC").size, "-0.4");
  equal(engine.position("bob", "BTC").size, "0.4");
  // Maker got a rebate of 0.0001 × 40, taker paid 0.0005 × 40.
  equal(engine.fills("alice")[0].fee, "-0.004");
  equal(engine.fills("bob")[0].fee, "0.02");
  equal(engine.feesCollected(), "0.016");
  throws(() => engine.cancelOrder("alice", { clientOrderId: "ask" }), NotFoundError);
});

Deno.test("placeOrder() fills a market order only up to its worst price and cancels the rest", () => {
  const { engine } = setup();
  engine.placeOrder("alice", { symbol: "BTC", side: "sell", size: "0.1", price: "100" });
  engine.placeOrder("alice", { symbol: "BTC", side: "sell", size: "0.1", price: "100.5" });
  engine.placeOrder("alice", { symbol: "BTC", side: "sell", size: "0.1", price: "101" });
  const r = engine.placeOrder("bob", {
    symbol: "BTC",
    side: "buy",
    type: "market",
    size: "0.3",
    worstPrice: "100.5",
  });
  deepStrictEqual(r.fills.map((f) => [f.price, f.size]), [["100", "0.1"], ["100.5", "0.1"]]);
  equal(r.order.status, "canceled");
  equal(r.order.cancelReason, "ioc_unfilled");
  equal(r.order.filledSize, "0.2");
  equal(r.order.averageFillPrice, "100.25");
  deepStrictEqual(engine.book("BTC").asks, [["101", "0.1"]]);
});

Deno.test("placeOrder() rejects an order that needs more initial margin than the equity", () => {
  const { engine } = setup();
  // 1000 collateral at 10x leverage carries 10 000 notional = 100 BTC at 100.
  engine.placeOrder("alice", { symbol: "BTC", side: "buy", size: "99", price: "90" });
  throws(
    () =>
      engine.placeOrder("alice", {
        symbol: "BTC",
        side: "buy",
        size: "2",
        price: "90",
        clientOrderId: "big",
      }),
    InsufficientMarginError,
  );
  const rejected = engine.events.filter((e) =>
    e.type === "order" && e.order.clientOrderId === "big"
  );
  deepStrictEqual(
    rejected.map((e) => e.type === "order" && [e.order.status, e.order.cancelReason]),
    [[
      "rejected",
      "insufficient_margin",
    ]],
  );
  // A sell does not add exposure beyond the resting buys, so it passes.
  engine.placeOrder("alice", { symbol: "BTC", side: "sell", size: "50", price: "110" });
  equal(engine.balance("alice").initialMargin, "990");
});

Deno.test("funding settles every 8 h over 24 simulated hours and a positive rate makes longs pay", async () => {
  const { engine, clock } = setup();
  engine.setFundingRates("BTC", scriptedFundingRates("0.001"));
  engine.placeOrder("alice", { symbol: "BTC", side: "sell", size: "2", price: "100" });
  engine.placeOrder("bob", { symbol: "BTC", side: "buy", size: "2", price: "100" });
  const aliceBefore = new Decimal(engine.balance("alice").collateral);
  const bobBefore = new Decimal(engine.balance("bob").collateral);
  await clock.advance(24 * HOUR);
  engine.sync();
  const history = engine.fundingHistory("BTC");
  deepStrictEqual(history.map((s) => s.time), [8 * HOUR, 16 * HOUR, 24 * HOUR]);
  for (const s of history) {
    equal(s.rate, "0.001");
    equal(s.paid, "0.2"); // 2 BTC × 100 × 0.001
    equal(s.received, s.paid);
  }
  const bobPayments = engine.fundingPayments("bob", "BTC");
  deepStrictEqual(bobPayments.map((p) => p.amount), ["-0.2", "-0.2", "-0.2"]);
  deepStrictEqual(engine.fundingPayments("alice").map((p) => p.amount), ["0.2", "0.2", "0.2"]);
  equal(new Decimal(engine.balance("bob").collateral).minus(bobBefore).toString(), "-0.6");
  equal(new Decimal(engine.balance("alice").collateral).minus(aliceBefore).toString(), "0.6");
  equal(engine.position("bob", "BTC").funding, "-0.6");
});

Deno.test("funding uses the clamped premium of mark over index when no rate is scripted", async () => {
  const { engine, clock } = setup();
  engine.placeOrder("alice", { symbol: "BTC", side: "sell", size: "1", price: "100" });
  engine.placeOrder("bob", { symbol: "BTC", side: "buy", size: "1", price: "100" });
  engine.setPrices("BTC", { markPrice: "99", indexPrice: "100" }); // premium -1 % → clamped to -0.5 %
  await clock.advance(8 * HOUR);
  const [s] = engine.fundingHistory("BTC");
  equal(s.rate, "-0.005");
  // Negative rate: shorts pay longs. 1 × 99 × 0.005 = 0.495.
  deepStrictEqual(engine.fundingPayments("alice").map((p) => p.amount), ["-0.495"]);
  deepStrictEqual(engine.fundingPayments("bob").map((p) => p.amount), ["0.495"]);
});

Deno.test("placeOrder() rejects or cancels a crossing post-only order depending on the mode", () => {
  const { engine } = setup();
  engine.placeOrder("alice", { symbol: "BTC", side: "sell", size: "1", price: "100" });
  throws(
    () =>
      engine.placeOrder("bob", {
        symbol: "BTC",
        side: "buy",
        size: "1",
        price: "100",
        postOnly: true,
      }),
    PostOnlyWouldCrossError,
  );
  const r = engine.placeOrder(
    "bob",
    { symbol: "BTC", side: "buy", size: "1", price: "100", postOnly: true },
    { postOnlyCross: "cancel" },
  );
  equal(r.order.status, "canceled");
  equal(r.order.cancelReason, "post_only_would_cross");
  deepStrictEqual(r.fills, []);
  const ok1 = engine.placeOrder("bob", {
    symbol: "BTC",
    side: "buy",
    size: "1",
    price: "99.9",
    postOnly: true,
  });
  equal(ok1.order.status, "open");
});

Deno.test("placeOrder() rejects a client order id that an active order of the account uses", () => {
  const { engine } = setup();
  engine.placeOrder("alice", {
    symbol: "BTC",
    side: "buy",
    size: "1",
    price: "90",
    clientOrderId: "x",
  });
  throws(
    () =>
      engine.placeOrder("alice", {
        symbol: "BTC",
        side: "buy",
        size: "1",
        price: "91",
        clientOrderId: "x",
      }),
    DuplicateClientOrderIdError,
  );
  // Another account may use the same id, and so may alice once the first order is gone.
  engine.placeOrder("bob", {
    symbol: "BTC",
    side: "buy",
    size: "1",
    price: "90",
    clientOrderId: "x",
  });
  engine.cancelOrder("alice", { clientOrderId: "x" });
  equal(
    engine.placeOrder("alice", {
      symbol: "BTC",
      side: "buy",
      size: "1",
      price: "91",
      clientOrderId: "x",
    }).order.status,
    "open",
  );
});

Deno.test("placeOrder() validates tick, step and minimum size with the package's message", () => {
  const { engine } = setup();
  throws(
    () => engine.placeOrder("alice", { symbol: "BTC", side: "buy", size: "0.0015", price: "100" }),
    (e: unknown) =>
      e instanceof InvalidOrderError && e.reason === "invalid_size" &&
      e.message ===
        "Cannot place order on sim as 'size' must be a multiple of 0.001: current value is 0.0015",
  );
  throws(
    () => engine.placeOrder("alice", { symbol: "BTC", side: "buy", size: "1", price: "100.05" }),
    (e: unknown) => e instanceof InvalidOrderError && e.reason === "invalid_price",
  );
  throws(
    () => engine.placeOrder("alice", { symbol: "ETH", side: "buy", size: "1", price: "1" }),
    NotFoundError,
  );
  throws(
    () => engine.placeOrder("carol", { symbol: "BTC", side: "buy", size: "1", price: "1" }),
    NotFoundError,
  );
});

Deno.test("placeOrder() resizes or rejects a reduce-only order larger than the position", () => {
  const { engine } = setup();
  throws(
    () =>
      engine.placeOrder("bob", {
        symbol: "BTC",
        side: "sell",
        size: "1",
        price: "100",
        reduceOnly: true,
      }),
    (e: unknown) => e instanceof OrderRejectedError && e.reason === "reduce_only",
  );
  engine.placeOrder("alice", { symbol: "BTC", side: "sell", size: "1", price: "100" });
  engine.placeOrder("bob", { symbol: "BTC", side: "buy", size: "1", price: "100" });
  const resized = engine.placeOrder("bob", {
    symbol: "BTC",
    side: "sell",
    size: "3",
    price: "105",
    reduceOnly: true,
  });
  equal(resized.order.size, "1");
  equal(resized.order.requestedSize, "3");
  throws(
    () =>
      engine.placeOrder(
        "bob",
        { symbol: "BTC", side: "sell", size: "3", price: "105", reduceOnly: true },
        { reduceOnlyOversize: "reject" },
      ),
    (e: unknown) => e instanceof OrderRejectedError && e.reason === "reduce_only",
  );
});

Deno.test("a resting reduce-only order is canceled instead of opening a position once flat", () => {
  const { engine } = setup();
  engine.createAccount("carol", { collateral: "1000" });
  engine.placeOrder("alice", { symbol: "BTC", side: "sell", size: "1", price: "100" });
  engine.placeOrder("bob", { symbol: "BTC", side: "buy", size: "1", price: "100" });
  engine.placeOrder("bob", {
    symbol: "BTC",
    side: "sell",
    size: "1",
    price: "110",
    reduceOnly: true,
    clientOrderId: "tp",
  });
  // bob closes by other means; the take-profit must not open a short when hit.
  engine.placeOrder("carol", { symbol: "BTC", side: "buy", size: "1", price: "99" });
  engine.placeOrder("bob", { symbol: "BTC", side: "sell", size: "1", price: "99" });
  equal(engine.position("bob", "BTC").size, "0");
  const r = engine.placeOrder("carol", { symbol: "BTC", side: "buy", size: "1", price: "110" });
  deepStrictEqual(r.fills, []);
  equal(engine.getOrder("bob", { clientOrderId: "tp" }).cancelReason, "reduce_only");
  equal(engine.position("bob", "BTC").size, "0");
});

Deno.test("a FOK order fills completely or not at all", () => {
  const { engine } = setup();
  engine.placeOrder("alice", { symbol: "BTC", side: "sell", size: "0.5", price: "100" });
  const miss = engine.placeOrder("bob", {
    symbol: "BTC",
    side: "buy",
    size: "1",
    price: "100",
    timeInForce: "fok",
  });
  equal(miss.order.status, "canceled");
  equal(miss.order.cancelReason, "fok_unfilled");
  deepStrictEqual(engine.book("BTC").asks, [["100", "0.5"]]);
  const hit = engine.placeOrder("bob", {
    symbol: "BTC",
    side: "buy",
    size: "0.5",
    price: "100",
    timeInForce: "fok",
  });
  equal(hit.order.status, "filled");
});

Deno.test("self-trade prevention cancels the resting order by default, or the incoming one", () => {
  const { engine } = setup();
  engine.placeOrder("alice", {
    symbol: "BTC",
    side: "sell",
    size: "1",
    price: "100",
    clientOrderId: "own",
  });
  engine.placeOrder("bob", { symbol: "BTC", side: "sell", size: "1", price: "100.1" });
  const r = engine.placeOrder("alice", { symbol: "BTC", side: "buy", size: "1", price: "100.1" });
  equal(engine.getOrder("alice", { clientOrderId: "own" }).cancelReason, "self_trade");
  deepStrictEqual(r.fills.map((f) => f.price), ["100.1"]);

  engine.placeOrder("alice", {
    symbol: "BTC",
    side: "sell",
    size: "1",
    price: "101",
    clientOrderId: "own2",
  });
  const r2 = engine.placeOrder(
    "alice",
    { symbol: "BTC", side: "buy", size: "1", price: "101" },
    { selfTradePrevention: "cancel_incoming" },
  );
  equal(r2.order.cancelReason, "self_trade");
  equal(engine.getOrder("alice", { clientOrderId: "own2" }).status, "open");
});

Deno.test("a GTT order expires when the virtual clock passes its expiry", async () => {
  const { engine, clock } = setup();
  engine.placeOrder("alice", {
    symbol: "BTC",
    side: "buy",
    size: "1",
    price: "90",
    timeInForce: "gtt",
    expiresAt: 60_000,
    clientOrderId: "g",
  });
  await clock.advance(59_999);
  equal(engine.getOrder("alice", { clientOrderId: "g" }).status, "open");
  await clock.advance(1);
  const o = engine.getOrder("alice", { clientOrderId: "g" });
  equal(o.status, "expired");
  equal(o.updatedAt, 60_000);
  deepStrictEqual(engine.book("BTC").bids, []);
  throws(
    () =>
      engine.placeOrder("alice", {
        symbol: "BTC",
        side: "buy",
        size: "1",
        price: "90",
        timeInForce: "gtt",
        expiresAt: 1,
      }),
    OrderRejectedError,
  );
});

Deno.test("cancelAll() cancels every active order of the account and nothing else", () => {
  const { engine } = setup();
  engine.placeOrder("alice", { symbol: "BTC", side: "buy", size: "1", price: "90" });
  engine.placeOrder("alice", { symbol: "BTC", side: "sell", size: "1", price: "110" });
  engine.placeOrder("bob", { symbol: "BTC", side: "buy", size: "1", price: "91" });
  const canceled = engine.cancelAll("alice");
  deepStrictEqual(canceled.map((o) => [o.side, o.status]), [["buy", "canceled"], [
    "sell",
    "canceled",
  ]]);
  deepStrictEqual(engine.openOrders().map((o) => o.accountId), ["bob"]);
  deepStrictEqual(engine.book("BTC"), {
    symbol: "BTC",
    bids: [["91", "1"]],
    asks: [],
    seq: engine.lastSeq("book:BTC"),
    time: 0,
  });
});

Deno.test("price-time priority fills the older order at a level first", () => {
  const { engine } = setup();
  engine.createAccount("carol", { collateral: "1000" });
  engine.placeOrder("alice", {
    symbol: "BTC",
    side: "sell",
    size: "1",
    price: "100",
    clientOrderId: "first",
  });
  engine.placeOrder("carol", {
    symbol: "BTC",
    side: "sell",
    size: "1",
    price: "100",
    clientOrderId: "second",
  });
  engine.placeOrder("carol", {
    symbol: "BTC",
    side: "sell",
    size: "1",
    price: "99.9",
    clientOrderId: "better",
  });
  const r = engine.placeOrder("bob", { symbol: "BTC", side: "buy", size: "1.5", price: "100" });
  deepStrictEqual(r.fills.map((f) => [f.price, f.size]), [["99.9", "1"], ["100", "0.5"]]);
  equal(engine.getOrder("alice", { clientOrderId: "first" }).filledSize, "0.5");
  equal(engine.getOrder("carol", { clientOrderId: "second" }).filledSize, "0");
  deepStrictEqual(engine.bookOrders("BTC").asks[0].orders.map((o) => [o.clientOrderId, o.size]), [
    ["first", "0.5"],
    ["second", "1"],
  ]);
});

Deno.test("realized PnL, fees and funding add up in the account's collateral", () => {
  const { engine } = setup();
  engine.placeOrder("alice", { symbol: "BTC", side: "sell", size: "1", price: "100" });
  engine.placeOrder("bob", { symbol: "BTC", side: "buy", size: "1", price: "100" });
  engine.placeOrder("alice", { symbol: "BTC", side: "buy", size: "1", price: "110" });
  engine.placeOrder("bob", { symbol: "BTC", side: "sell", size: "1", price: "110" });
  const bob = engine.balance("bob");
  // bob bought at 100 (taker 0.05), sold at 110 (taker 0.055): +10 − 0.105.
  equal(bob.realizedPnl, "10");
  equal(bob.fees, "0.105");
  equal(bob.collateral, "1009.895");
  const alice = engine.balance("alice");
  // alice maker twice: −10 + rebates 0.01 + 0.011.
  equal(alice.collateral, "990.021");
  equal(engine.feesCollected(), "0.084");
});

Deno.test("an account below maintenance margin is liquidated into the backstop and the books stay balanced", () => {
  const { engine } = setup();
  engine.placeOrder("alice", { symbol: "BTC", side: "sell", size: "90", price: "100" });
  engine.placeOrder("bob", { symbol: "BTC", side: "buy", size: "90", price: "100" });
  engine.placeOrder("bob", {
    symbol: "BTC",
    side: "buy",
    size: "1",
    price: "80",
    clientOrderId: "rest",
  });
  // Maintenance is 5 % of notional; a drop to 90 takes bob's equity to about 95.5 < 405.
  engine.setPrices("BTC", { markPrice: "90" });
  equal(engine.position("bob", "BTC").size, "0");
  equal(engine.position("insurance", "BTC").size, "90");
  equal(engine.getOrder("bob", { clientOrderId: "rest" }).cancelReason, "liquidation");
  ok(engine.events.some((e) => e.type === "liquidation" && e.accountId === "bob"));
  let sum = new Decimal(0);
  for (const id of engine.accounts()) sum = sum.plus(engine.position(id, "BTC").size);
  equal(sum.toString(), "0");
});

Deno.test("every stream numbers its events from 1 without gaps", () => {
  const { engine } = setup();
  engine.placeOrder("alice", { symbol: "BTC", side: "sell", size: "1", price: "100" });
  engine.placeOrder("bob", { symbol: "BTC", side: "buy", size: "0.5", price: "100" });
  engine.cancelAll("alice");
  const seen = new Map<string, number>();
  engine.events.forEach((e, i) => {
    equal(e.seq, i + 1);
    equal(e.streamSeq, (seen.get(e.stream) ?? 0) + 1);
    seen.set(e.stream, e.streamSeq);
  });
  const types = new Set(engine.events.map((e) => e.type));
  for (const t of ["book", "trade", "order", "fill", "position", "balance"]) {
    ok(types.has(t as never), t);
  }
});

Deno.test("withdraw() refuses to take collateral that backs open positions", () => {
  const { engine } = setup();
  engine.placeOrder("alice", { symbol: "BTC", side: "sell", size: "50", price: "100" });
  engine.placeOrder("bob", { symbol: "BTC", side: "buy", size: "50", price: "100" });
  throws(() => engine.withdraw("bob", "600"), InsufficientMarginError);
  engine.withdraw("bob", "400");
  equal(engine.balance("bob").deposited, "600");
});
