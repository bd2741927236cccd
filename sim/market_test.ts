import {
  deepStrictEqual,
  notStrictEqual as notEqual,
  ok,
  strictEqual as equal,
  throws,
} from "node:assert/strict";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { ConfigurationError } from "../core/errors.ts";
import { Decimal } from "../core/decimal.ts";
import { SimEngine } from "./engine.ts";
import { Instrument } from "./instrument.ts";
import { MarketSimulator, parsePricePoints, randomWalk, scriptedPath } from "./market.ts";

const HOUR = 3_600_000;

/** A grid bot trading against the liquidity account on a seeded random walk. */
async function runGrid(seed: number, hours: number, stepMs = 1_000) {
  const clock = new ManualClock(0);
  const engine = new SimEngine({ clock });
  engine.addInstrument(
    {
      symbol: "BTC",
      tickSize: "0.1",
      sizeStep: "0.001",
      makerFee: "-0.0001",
      takerFee: "0.0005",
      fundingIntervalHours: 1,
    },
    { markPrice: "60000" },
  );
  engine.createAccount("bot", { collateral: "100000" });
  const market = new MarketSimulator(engine, {
    symbol: "BTC",
    path: randomWalk({ seed, volatilityBps: "3" }),
    stepMs,
    markPremiumTicks: 5,
    liquidity: { size: "0.05", levels: 5, halfSpreadTicks: 2 },
  });
  market.start();
  // Grid: buys below and sells above the start, every 10.0.
  for (let i = 1; i <= 10; i++) {
    engine.placeOrder("bot", {
      symbol: "BTC",
      side: "buy",
      size: "0.01",
      price: `${60000 - i * 10}`,
      postOnly: true,
    });
    engine.placeOrder("bot", {
      symbol: "BTC",
      side: "sell",
      size: "0.01",
      price: `${60000 + i * 10}`,
      postOnly: true,
    });
  }
  await clock.advance(hours * HOUR);
  engine.sync();
  return engine;
}

Deno.test("the same seed gives a byte-identical event log, another seed a different one", async () => {
  const a = (await runGrid(7, 1)).serializeLog();
  const b = (await runGrid(7, 1)).serializeLog();
  const c = (await runGrid(8, 1)).serializeLog();
  ok(a.length > 10_000);
  equal(a, b);
  notEqual(a, c);
});

Deno.test("one simulated day of a grid bot against the liquidity account runs on the virtual clock", async () => {
  const engine = await runGrid(3, 24, 5_000);
  const fills = engine.fills("bot");
  ok(
    fills.some((f) => f.side === "buy") && fills.some((f) => f.side === "sell"),
    "grid filled on both sides",
  );
  ok(fills.every((f) => f.liquidity === "maker"));
  equal(engine.fundingHistory("BTC").length, 24);
  // Mark is 0.5 above index, so the premium rate is positive.
  ok(engine.fundingHistory("BTC").every((s) => !s.rate.startsWith("-")));
  let sum = new Decimal(0);
  for (const id of engine.accounts()) sum = sum.plus(engine.position(id, "BTC").size);
  equal(sum.toString(), "0");
  equal(engine.now(), 24 * HOUR);
});

Deno.test("the liquidity ladder quotes the configured depth around the index", () => {
  const engine = new SimEngine({ clock: new ManualClock(0) });
  engine.addInstrument({ symbol: "ETH", tickSize: "0.01", sizeStep: "0.1" }, { markPrice: "2000" });
  const m = new MarketSimulator(engine, {
    symbol: "ETH",
    liquidity: { size: "2", levels: 3, halfSpreadTicks: 5, levelSpacingTicks: 10 },
  });
  m.quote();
  deepStrictEqual(engine.book("ETH"), {
    symbol: "ETH",
    bids: [["1999.95", "2"], ["1999.85", "2"], ["1999.75", "2"]],
    asks: [["2000.05", "2"], ["2000.15", "2"], ["2000.25", "2"]],
    seq: engine.lastSeq("book:ETH"),
    time: 0,
  });
  const before = engine.lastSeq("orders:liquidity");
  m.quote();
  equal(engine.lastSeq("orders:liquidity"), before, "an unchanged ladder is not re-placed");
});

Deno.test("a scripted path sets index and mark at each step", async () => {
  const clock = new ManualClock(0);
  const engine = new SimEngine({ clock });
  engine.addInstrument({ symbol: "SOL", tickSize: "0.01", sizeStep: "0.1" }, { markPrice: "150" });
  new MarketSimulator(engine, {
    symbol: "SOL",
    stepMs: 60_000,
    markPremiumTicks: -3,
    path: scriptedPath([{ time: 120_000, price: "151.5" }]),
  }).start();
  await clock.advance(60_000);
  deepStrictEqual(engine.prices("SOL"), {
    symbol: "SOL",
    markPrice: "149.97",
    indexPrice: "150",
    lastPrice: "0",
  });
  await clock.advance(60_000);
  deepStrictEqual(engine.prices("SOL"), {
    symbol: "SOL",
    markPrice: "151.47",
    indexPrice: "151.5",
    lastPrice: "0",
  });
});

Deno.test("randomWalk() with zero volatility keeps the price", () => {
  const inst = new Instrument({ symbol: "X", tickSize: "1", sizeStep: "1" });
  const path = randomWalk({ seed: 1, volatilityBps: "0", start: "500" });
  let p = 0;
  deepStrictEqual([1, 2, 3].map((t) => p = path.next(t, p, inst)), [500, 500, 500]);
  throws(() => randomWalk({ seed: 1, volatilityBps: "-1" }), ConfigurationError);
});

Deno.test("parsePricePoints() rejects a line that is not 'timeMs,price'", () => {
  throws(() => parsePricePoints("0,100\n1000;101\n"), /line 2/);
  throws(() => parsePricePoints("0,1e5\n"), ConfigurationError);
});
