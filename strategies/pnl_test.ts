/**
 * PnL tracker: fills the private stream missed are booked from the order's state (cumulative
 * filled size and average fill price), never twice when their fill events arrive late, longs
 * and shorts, estimated and unknown fees said as such. Every expected value is worked by hand
 * in the comments.
 */
import { deepStrictEqual as deepEqual, strictEqual as equal } from "node:assert/strict";
import { Decimal, type Fill, type Order, type Side } from "../base.ts";
import { formatPnl, pnlJson, PnlTracker } from "./pnl.ts";

const d = (s: string) => new Decimal(s);
const RATES = { grvt: { maker: d("0.0002"), taker: d("0.0005") } };

function fill(
  tradeId: string,
  order: string,
  side: Side,
  size: string,
  price: string,
  fee: string,
): Fill {
  return {
    venue: "grvt",
    symbol: "BTC",
    tradeId,
    orderId: order,
    clientOrderId: `c-${order}`,
    side,
    price: d(price),
    size: d(size),
    fee: d(fee),
    liquidity: "maker",
    timestamp: 0,
  };
}

function order(
  id: string,
  side: Side,
  size: string,
  filled: string,
  avg: string | undefined,
  postOnly: boolean,
): Order {
  return {
    venue: "grvt",
    symbol: "BTC",
    id,
    clientOrderId: `c-${id}`,
    side,
    type: "limit",
    price: d("100"),
    size: d(size),
    filledSize: d(filled),
    remainingSize: d(size).minus(d(filled)),
    averageFillPrice: avg === undefined ? undefined : d(avg),
    status: d(filled).eq(d(size)) ? "filled" : "partially_filled",
    timeInForce: "gtc",
    postOnly,
    reduceOnly: false,
    createdAt: 0,
    updatedAt: 0,
  };
}

/** The split's values as strings (only the keys it has). */
function values(pnl: PnlTracker): Record<string, string> {
  return Object.fromEntries(
    Object.entries(pnlJson(pnl.split())).map(([k, v]) => [k, String(v)]),
  );
}

/** Long: fill 1 streamed, fill 2 missed, the order's state shows 0.02 at 101.5, then a sell. */
function longRun(pnl: PnlTracker): void {
  // Buy 0.01 at 100 (fee 0.02) arrives as a fill event.
  equal(pnl.onFill(fill("t1", "o1", "buy", "0.01", "100", "0.02"))!.toString(), "0");
  // The second 0.01 filled at 103 while the stream was down: the order update says 0.02 filled at
  // an average of 101.5 → the missing part is (101.5 × 0.02 − 100 × 0.01) / 0.01 = 103; a
  // post-only order's fee at the maker rate 0.0002 × 0.01 × 103 = 0.000206.
  const booked = pnl.recordOrder(order("o1", "buy", "0.03", "0.02", "101.5", true))!;
  equal(booked.size.toString(), "0.01");
  equal(booked.price.toString(), "103");
  equal(booked.fee!.toString(), "0.000206");
  equal(booked.liquidity, "maker");
  equal(booked.realized.toString(), "0");
  // Sell 0.02 at 110 (fee 0.01): realized (110 − 101.5) × 0.02 = 0.17.
  equal(pnl.onFill(fill("t3", "o2", "sell", "0.02", "110", "0.01"))!.toString(), "0.17");
}

Deno.test("PnL: a fill the stream missed is booked from the order's filled size and average (long)", () => {
  const pnl = new PnlTracker({ feeRates: RATES });
  longRun(pnl);
  // fees 0.02 + 0.000206 + 0.01 = 0.030206 (0.000206 estimated); net 0.17 − 0.030206 = 0.139794.
  deepEqual(values(pnl), {
    realized: "0.17",
    unrealized: "0",
    fees: "0.030206",
    funding: "0",
    net: "0.139794",
    fees_estimated: "0.000206",
  });
  equal(pnl.fromOrders, 1);
  equal(pnl.fills, 2);
  equal(
    formatPnl(pnl.split(), "USDT"),
    "realized +0.1700 | unrealized +0.0000 | fees -0.0302 | funding +0.0000 | net +0.1398 USDT" +
      " (0.0002 of the fees estimated from the venue's rate)",
  );
  // The same order state again, and an older one, book nothing.
  equal(pnl.recordOrder(order("o1", "buy", "0.03", "0.02", "101.5", true)), undefined);
  equal(pnl.recordOrder(order("o1", "buy", "0.03", "0.01", "100", true)), undefined);
  equal(pnl.split().realized.toString(), "0.17");
});

Deno.test("PnL: the missed fill's event arriving after the order update is not counted twice; its real fee replaces the estimate", () => {
  const pnl = new PnlTracker({ feeRates: RATES });
  longRun(pnl);
  // The late event of the 0.01 at 103, real fee 0.0003, known by client order id only.
  const late = { ...fill("t2", "o1", "buy", "0.01", "103", "0.0003"), orderId: undefined };
  equal(pnl.onFill(late)!.toString(), "0");
  equal(pnl.onFill(late), undefined); // the same trade id again
  // realized still 0.17; fees 0.02 + 0.0003 + 0.01 = 0.0303, nothing estimated; net 0.1397 —
  // what the three fills give when all arrive on the stream.
  deepEqual(values(pnl), {
    realized: "0.17",
    unrealized: "0",
    fees: "0.0303",
    funding: "0",
    net: "0.1397",
  });
  const streamed = new PnlTracker({ feeRates: RATES });
  streamed.onFill(fill("t1", "o1", "buy", "0.01", "100", "0.02"));
  streamed.onFill(fill("t2", "o1", "buy", "0.01", "103", "0.0003"));
  streamed.onFill(fill("t3", "o2", "sell", "0.02", "110", "0.01"));
  deepEqual(values(streamed), values(pnl));
  // A later order state with the same cumulative size books nothing either.
  equal(pnl.recordOrder(order("o1", "buy", "0.03", "0.02", "101.5", true)), undefined);
  equal(pnl.split().net.toString(), "0.1397");
});

Deno.test("PnL: an order update ahead of both its fill events, then the events, equals the events alone", () => {
  const pnl = new PnlTracker({ feeRates: RATES });
  // 0.02 filled at an average of 101.5, taker (not post-only): 0.0005 × 0.02 × 101.5 = 0.001015.
  equal(
    pnl.recordOrder(order("o1", "buy", "0.02", "0.02", "101.5", false))!.fee!.toString(),
    "0.001015",
  );
  equal(pnl.split().feesEstimated!.toString(), "0.001015");
  equal(pnl.onFill(fill("t1", "o1", "buy", "0.01", "100", "0.02"))!.toString(), "0");
  // Half the estimate replaced: 0.001015 / 2 = 0.0005075 still estimated.
  equal(pnl.split().feesEstimated!.toString(), "0.0005075");
  equal(pnl.onFill(fill("t2", "o1", "buy", "0.01", "103", "0.0003"))!.toString(), "0");
  deepEqual(values(pnl), {
    realized: "0",
    unrealized: "0",
    fees: "0.0203",
    funding: "0",
    net: "-0.0203",
  });
  // The book is the two fills: selling 0.02 at 110 realizes (110 − 101.5) × 0.02 = 0.17.
  equal(pnl.onFill(fill("t3", "o2", "sell", "0.02", "110", "0"))!.toString(), "0.17");
});

Deno.test("PnL: shorts — a missed opening sell and a missed closing buy, then their late events", () => {
  const pnl = new PnlTracker({ feeRates: RATES });
  // Sell 0.01 at 200 (fee 0.01) streamed; the second 0.01 missed: average 198 over 0.02 →
  // (198 × 0.02 − 200 × 0.01) / 0.01 = 196; not post-only → taker 0.0005 × 0.01 × 196 = 0.00098.
  pnl.onFill(fill("u1", "s1", "sell", "0.01", "200", "0.01"));
  const open = pnl.recordOrder(order("s1", "sell", "0.02", "0.02", "198", false))!;
  equal(open.price.toString(), "196");
  equal(open.fee!.toString(), "0.00098");
  equal(open.liquidity, "taker");
  // Short 0.02 at 198. Buy 0.01 at 190 (fee 0.01) streamed: (198 − 190) × 0.01 = 0.08.
  equal(pnl.onFill(fill("u3", "b1", "buy", "0.01", "190", "0.01"))!.toString(), "0.08");
  // The second 0.01 missed: average 192 → (192 × 0.02 − 190 × 0.01) / 0.01 = 194; realized
  // (198 − 194) × 0.01 = 0.04; post-only → maker 0.0002 × 0.01 × 194 = 0.000388.
  const close = pnl.recordOrder(order("b1", "buy", "0.02", "0.02", "192", true))!;
  equal(close.price.toString(), "194");
  equal(close.realized.toString(), "0.04");
  equal(close.fee!.toString(), "0.000388");
  // realized 0.12; fees 0.01 + 0.00098 + 0.01 + 0.000388 = 0.021368 (0.001368 estimated);
  // net 0.12 − 0.021368 = 0.098632.
  deepEqual(values(pnl), {
    realized: "0.12",
    unrealized: "0",
    fees: "0.021368",
    funding: "0",
    net: "0.098632",
    fees_estimated: "0.001368",
  });
  // The closing buy's late event (fee 0.0004): its share of the realized, 0.04, is returned for
  // the trade log but not booked again.
  equal(pnl.onFill(fill("u4", "b1", "buy", "0.01", "194", "0.0004"))!.toString(), "0.04");
  // The opening sell's late event (fee 0.001).
  equal(pnl.onFill(fill("u2", "s1", "sell", "0.01", "196", "0.001"))!.toString(), "0");
  // All four fills: fees 0.01 + 0.001 + 0.01 + 0.0004 = 0.0214; net 0.12 − 0.0214 = 0.0986.
  deepEqual(values(pnl), {
    realized: "0.12",
    unrealized: "0",
    fees: "0.0214",
    funding: "0",
    net: "0.0986",
  });
});

Deno.test("PnL: without a fee rate a part booked from an order's state has its fee unknown, and says so", () => {
  const pnl = new PnlTracker();
  pnl.onFill(fill("t1", "o1", "buy", "0.01", "100", "0.02"));
  equal(pnl.recordOrder(order("o1", "buy", "0.02", "0.02", "101.5", true))!.fee, undefined);
  // Sell 0.02 at 110: realized 0.17; fees 0.02 + 0.01 = 0.03 with one fill's fee unknown.
  pnl.onFill(fill("t3", "o2", "sell", "0.02", "110", "0.01"));
  deepEqual(values(pnl), {
    realized: "0.17",
    unrealized: "0",
    fees: "0.03",
    funding: "0",
    net: "0.14",
    fees_unknown: "1",
  });
  equal(
    formatPnl(pnl.split()),
    "realized +0.1700 | unrealized +0.0000 | fees -0.0300 | funding +0.0000 | net +0.1400" +
      " (1 fill's fee unknown, not counted)",
  );
  // Its event arrives: the fee is known (0.0003), nothing is unknown any more.
  pnl.onFill(fill("t2", "o1", "buy", "0.01", "103", "0.0003"));
  deepEqual(values(pnl), {
    realized: "0.17",
    unrealized: "0",
    fees: "0.0303",
    funding: "0",
    net: "0.1397",
  });
});

Deno.test("PnL: a filled size without an average fill price waits, counted as unpriced, until a fill or an average arrives", () => {
  const pnl = new PnlTracker({ feeRates: RATES });
  pnl.onFill(fill("t1", "o1", "buy", "0.01", "100", "0.02"));
  equal(pnl.recordOrder(order("o1", "buy", "0.03", "0.02", undefined, true)), undefined);
  equal(pnl.split().unpriced, 1);
  equal(
    formatPnl(pnl.split()),
    "realized +0.0000 | unrealized +0.0000 | fees -0.0200 | funding +0.0000 | net -0.0200" +
      " (1 order's fills not priced yet, not counted)",
  );
  // The fill event prices it: booked from the event, nothing estimated.
  equal(pnl.onFill(fill("t2", "o1", "buy", "0.01", "103", "0.0003"))!.toString(), "0");
  equal(pnl.split().unpriced, undefined);
  equal(pnl.split().fees.toString(), "0.0203");
  // Another 0.01 reported without an average, then with one: 0.03 at 102 →
  // (102 × 0.03 − 2.03) / 0.01 = 103; maker 0.0002 × 0.01 × 103 = 0.000206.
  equal(pnl.recordOrder(order("o1", "buy", "0.03", "0.03", undefined, true)), undefined);
  equal(pnl.split().unpriced, 1);
  equal(pnl.recordOrder(order("o1", "buy", "0.03", "0.03", "102", true))!.price.toString(), "103");
  equal(pnl.split().unpriced, undefined);
  // Long 0.03 at 102: selling it at 104 realizes 0.06.
  equal(pnl.onFill(fill("t9", "o9", "sell", "0.03", "104", "0"))!.toString(), "0.06");
});

Deno.test("PnL: what an adopted order filled before the run is neither booked from its state nor from late events", () => {
  const pnl = new PnlTracker({ feeRates: RATES });
  // Held at start: long 0.01 at 100, from this order's first fill.
  pnl.seed({ venue: "grvt", symbol: "BTC", size: d("0.01"), entryPrice: d("100") });
  pnl.adopt(order("o1", "buy", "0.03", "0.01", "100", true));
  // It fills another 0.01 at 102 unseen: average 101 over 0.02 → (101 × 0.02 − 1) / 0.01 = 102.
  equal(pnl.recordOrder(order("o1", "buy", "0.03", "0.02", "101", true))!.price.toString(), "102");
  // Late events: the pre-run fill (fee 0.02, not this run's) and the missed one (fee 0.0204).
  equal(pnl.onFill(fill("t1", "o1", "buy", "0.01", "100", "0.02"))!.toString(), "0");
  equal(pnl.onFill(fill("t2", "o1", "buy", "0.01", "102", "0.0204"))!.toString(), "0");
  equal(pnl.split().fees.toString(), "0.0204");
  // Long 0.02 at 101: selling it at 105 realizes 0.08.
  equal(pnl.onFill(fill("t3", "o2", "sell", "0.02", "105", "0"))!.toString(), "0.08");
  equal(pnl.split().realized.toString(), "0.08");
});

Deno.test("PnL: record() books order events, attach() follows them", () => {
  const handlers: ((e: Parameters<PnlTracker["record"]>[0]) => void)[] = [];
  const pnl = new PnlTracker({ feeRates: RATES });
  const off = pnl.attach({
    onEvent: (h) => {
      handlers.push(h);
      return () => handlers.splice(handlers.indexOf(h), 1);
    },
  });
  for (const h of handlers) {
    h({ type: "order", order: order("o1", "buy", "0.02", "0.02", "101.5", true) });
  }
  equal(pnl.fromOrders, 1);
  equal(
    pnl.record({ type: "order", order: order("o1", "buy", "0.02", "0.02", "101.5", true) }),
    false,
  );
  off();
  equal(handlers.length, 0);
});

Deno.test("since: an order created before the run is adopted at first sight, only what it fills afterwards is booked (buy and sell)", () => {
  for (const side of ["buy", "sell"] as const) {
    const pnl = new PnlTracker({ feeRates: RATES, since: 1_000 });
    // Created at 500, first seen with 0.01 filled at 100: that part is in the seeded position.
    const old = { ...order("7", side, "0.03", "0.01", "100", true), createdAt: 500 };
    equal(pnl.recordOrder(old), undefined);
    equal(pnl.fromOrders, 0);
    // Later 0.02 filled at average 101: the new 0.01 is at (101 × 0.02 − 100 × 0.01) / 0.01 = 102,
    // maker fee 0.01 × 102 × 0.0002 = 0.000204.
    const more = { ...order("7", side, "0.03", "0.02", "101", true), createdAt: 500 };
    const b = pnl.recordOrder(more)!;
    deepEqual([b.size.toString(), b.price.toString(), b.fee?.toString()], [
      "0.01",
      "102",
      "0.000204",
    ]);
    // An order of before the run with nothing filled at first sight books all it fills later.
    const idle = { ...order("8", side, "0.01", "0", undefined, true), createdAt: 900 };
    equal(pnl.recordOrder(idle), undefined);
    const filled = { ...order("8", side, "0.01", "0.01", "99", true), createdAt: 900 };
    deepEqual(pnl.recordOrder(filled)?.price.toString(), "99");
    // An order of this run, first seen filled, is booked at once.
    const fresh = { ...order("9", side, "0.01", "0.01", "98", true), createdAt: 1_000 };
    deepEqual(pnl.recordOrder(fresh)?.price.toString(), "98");
    equal(pnl.fromOrders, 3);
  }
});
