/**
 * The grid's prices against a table worked out by hand (every expected value is a literal;
 * nothing here is computed with the helpers under test). Each row says how it was worked out.
 */
import { strictEqual as equal } from "node:assert/strict";
import { Decimal } from "../base.ts";
import {
  closeSideOf,
  cooldownMs,
  gridStepAllows,
  makerPrice,
  openOrderPrice,
  takeProfitPrice,
} from "../strategies/grid.ts";

/** Decimal-equal, with both sides printed on failure. */
function same(actual: Decimal, expected: string, what: string): void {
  equal(actual.toString(), new Decimal(expected).toString(), what);
}

// fill price, tp %, tick, direction → close price. Buy grid: sell close at fill × (1 + tp/100)
// rounded UP to the tick; sell grid: buy close at fill × (1 − tp/100) rounded DOWN.
const TAKE_PROFIT: [string, string, string, "buy" | "sell", string, string][] = [
  ["64000", "0.02", "0.1", "buy", "64012.8", "64000 × 1.0002 = 64012.8, on the tick"],
  ["64000.1", "0.02", "0.1", "buy", "64013", "64000.1 × 1.0002 = 64012.90002 → up"],
  ["100.03", "1", "0.01", "buy", "101.04", "100.03 × 1.01 = 101.0303 → up (down: 101.03)"],
  ["2000", "0.5", "0.05", "buy", "2010", "2000 × 1.005 = 2010, on the tick"],
  ["0.12345", "2", "0.00001", "buy", "0.12592", "0.12345 × 1.02 = 0.125919 → up"],
  ["64000", "0.02", "0.1", "sell", "63987.2", "64000 × 0.9998 = 63987.2, on the tick"],
  ["64000.1", "0.02", "0.1", "sell", "63987.2", "64000.1 × 0.9998 = 63987.29998 → down"],
  ["100.03", "1", "0.01", "sell", "99.02", "100.03 × 0.99 = 99.0297 → down (up: 99.03)"],
  ["2000", "0.5", "0.05", "sell", "1990", "2000 × 0.995 = 1990, on the tick"],
  ["0.12345", "2", "0.00001", "sell", "0.12098", "0.12345 × 0.98 = 0.120981 → down"],
  // Hyperliquid BTC at 64000: tick 1 (5 significant figures).
  ["64000", "0.02", "1", "buy", "64013", "64000 × 1.0002 = 64012.8 → up"],
  ["64001", "0.02", "1", "buy", "64014", "64001 × 1.0002 = 64013.8002 → up"],
  ["64001.5", "0.02", "1", "buy", "64015", "64001.5 × 1.0002 = 64014.3003 → up"],
  ["64000", "0.02", "1", "sell", "63987", "64000 × 0.9998 = 63987.2 → down"],
  ["63999", "0.02", "1", "sell", "63986", "63999 × 0.9998 = 63986.2002 → down"],
  ["63998.5", "0.02", "1", "sell", "63985", "63998.5 × 0.9998 = 63985.7003 → down"],
];

Deno.test("grid prices: take-profit = fill × (1 ± tp %), rounded away from the market, both sides", () => {
  for (const [fill, tp, tick, direction, want, why] of TAKE_PROFIT) {
    same(takeProfitPrice(fill, tp, tick, direction), want, `${direction} ${fill}: ${why}`);
  }
});

Deno.test("grid prices: a sell grid's take-profit is below its fill, a buy grid's above", () => {
  // Fill 100.03 at tp 1 %: a sell grid buys back at 99.02 (a profit of 1.01 per unit); the
  // loss-making close would be 101.03 or 101.04.
  same(takeProfitPrice("100.03", "1", "0.01", "sell"), "99.02", "sell grid closes lower");
  same(takeProfitPrice("100.03", "1", "0.01", "buy"), "101.04", "buy grid closes higher");
});

// bid, ask, tick → buy open (ask − tick), sell open (bid + tick).
const OPEN: [string, string, string, string, string][] = [
  ["100.0", "100.5", "0.1", "100.4", "100.1"],
  ["63999.9", "64000.1", "0.1", "64000", "64000"],
  ["1.2345", "1.2350", "0.0001", "1.2349", "1.2346"],
  ["64000", "64001", "0.5", "64000.5", "64000.5"],
  ["63998", "64002", "1", "64001", "63999"], // Hyperliquid BTC, tick 1
];

Deno.test("grid prices: the open rests one tick inside the spread from the far side, both sides", () => {
  for (const [bid, ask, tick, buy, sell] of OPEN) {
    const q = { bid: new Decimal(bid), ask: new Decimal(ask) };
    same(openOrderPrice(q, new Decimal(tick), "buy"), buy, `buy open in ${bid}/${ask}`);
    same(openOrderPrice(q, new Decimal(tick), "sell"), sell, `sell open in ${bid}/${ask}`);
  }
});

// wanted price, close side (bid 100, ask 101, tick 1) → posted price.
// (Tick 1, as Hyperliquid's BTC.)
const MAKER: [string, "buy" | "sell", string, string][] = [
  ["99", "sell", "101", "a sell below the bid moves to bid + tick"],
  ["100", "sell", "101", "a sell AT the bid would take: bid + tick"],
  ["100.5", "sell", "100.5", "a sell inside the spread stays"],
  ["105", "sell", "105", "a sell above the ask stays"],
  ["102", "buy", "100", "a buy above the ask moves to ask − tick"],
  ["101", "buy", "100", "a buy AT the ask would take: ask − tick"],
  ["100.5", "buy", "100.5", "a buy inside the spread stays"],
  ["95", "buy", "95", "a buy below the bid stays"],
];

Deno.test("grid prices: the close stays on the maker side, including exactly at the touch", () => {
  const q = { bid: new Decimal(100), ask: new Decimal(101) };
  for (const [price, side, want, why] of MAKER) {
    same(makerPrice(new Decimal(price), q, new Decimal(1), side), want, why);
  }
  equal(closeSideOf("buy"), "sell");
  equal(closeSideOf("sell"), "buy");
});

// Grid step: buy grid, ask 100, tp 1 % → new TP 101, step 0.5 % → threshold 1.005; the nearest
// (lowest) close must be MORE than 101 × 1.005 = 101.505. Sell grid, bid 101, tp 1 % → new TP
// 99.99, step 1 % → 99.99 / nearest (highest) close must be MORE than 1.01: 99.99 / 99 = 1.01.
const STEP: ["buy" | "sell", string[], string, string, boolean, string][] = [
  ["buy", ["101.5"], "1", "0.5", false, "101.5 / 101 = 1.00495 < 1.005"],
  ["buy", ["101.505"], "1", "0.5", false, "101.505 / 101 = 1.005 exactly: not more"],
  ["buy", ["101.506"], "1", "0.5", true, "101.506 / 101 > 1.005"],
  ["buy", ["103", "101.505"], "1", "0.5", false, "the nearest (lowest) close decides"],
  ["buy", ["101.5"], "1", "0.4", true, "1.00495 > 1.004"],
  ["sell", ["99"], "1", "1", false, "99.99 / 99 = 1.01 exactly: not more"],
  ["sell", ["98.99"], "1", "1", true, "99.99 / 98.99 = 1.0101… > 1.01"],
  ["sell", ["97", "99"], "1", "1", false, "the nearest (highest) close decides"],
  ["sell", ["99.5"], "1", "1", false, "99.99 / 99.5 = 1.0049… < 1.01"],
];

Deno.test("grid prices: the grid step needs strictly more than the step, nearest close, both sides", () => {
  for (const [direction, closes, tp, step, want, why] of STEP) {
    const quote = direction === "buy"
      ? { bid: new Decimal(99), ask: new Decimal(100) }
      : { bid: new Decimal(101), ask: new Decimal(102) };
    const got = gridStepAllows({
      direction,
      closePrices: closes.map((c) => new Decimal(c)),
      quote,
      takeProfit: tp,
      gridStep: step,
    });
    equal(got, want, `${direction} ${closes.join(",")}: ${why}`);
  }
  equal(
    gridStepAllows({
      direction: "sell",
      closePrices: [],
      quote: { bid: new Decimal(1), ask: new Decimal(2) },
      takeProfit: "1",
      gridStep: "5",
    }),
    true,
    "no close: always",
  );
});

// closes resting, max orders 40, wait 400 s → cooldown: ¼ below 1/6 (n < 6.67), ½ from 1/6,
// 1 from 1/3 (n ≥ 13.34), 2 from 2/3 (n ≥ 26.67).
const COOLDOWN: [number, number][] = [
  [0, 100_000],
  [6, 100_000],
  [7, 200_000],
  [13, 200_000],
  [14, 400_000],
  [26, 400_000],
  [27, 800_000],
  [40, 800_000],
];

Deno.test("grid prices: the cooldown ladder at its edges", () => {
  for (const [n, want] of COOLDOWN) equal(cooldownMs(n, 40, 400), want, `${n} closes`);
  // 6 of 36 is exactly 1/6: ½; 12 of 36 exactly 1/3: 1; 24 of 36 exactly 2/3: 2.
  equal(cooldownMs(6, 36, 400), 200_000);
  equal(cooldownMs(12, 36, 400), 400_000);
  equal(cooldownMs(24, 36, 400), 800_000);
  equal(cooldownMs(5, 36, 400), 100_000);
});
