/**
 * Matching throughput of the simulator engine with a realistic mix: mostly post-only / limit
 * orders placed near the top of the book and cancels, plus some crossing IOC and market
 * orders. Run as a script, it prints orders per second:
 *
 * ```sh
 * deno run -A bench/matching_bench.ts [--orders 500000] [--seed 1]
 * ```
 *
 * `deno bench bench/matching_bench.ts` runs a smaller `Deno.bench` form.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { SimEngine, type SimOrderRequest } from "../sim/engine.ts";
import { Prng } from "../sim/random.ts";

type Op =
  | { kind: "place"; account: string; request: SimOrderRequest }
  | { kind: "cancel"; account: string; clientOrderId: string };

/** Builds a deterministic operation mix around a mid price of 60 000.0 (tick 0.1). */
export function buildOps(count: number, seed: number): Op[] {
  const rng = new Prng(seed);
  const accounts = ["a", "b", "c", "d"];
  const resting: { account: string; clientOrderId: string }[] = [];
  const ops: Op[] = [];
  const mid = 600_000; // ticks of 0.1
  let n = 0;
  const price = (ticks: number) => `${Math.floor(ticks / 10)}.${ticks % 10}`;
  while (ops.length < count) {
    const roll = rng.int(0, 99);
    const account = accounts[rng.int(0, accounts.length - 1)];
    const side = rng.int(0, 1) === 0 ? "buy" as const : "sell" as const;
    const size = `0.00${rng.int(1, 9)}`;
    if (roll < 55 || resting.length < 20) {
      // Passive limit 1..20 ticks away from mid on its own side.
      const away = rng.int(1, 20);
      const ticks = side === "buy" ? mid - away : mid + away;
      const clientOrderId = `o${++n}`;
      ops.push({
        kind: "place",
        account,
        request: {
          symbol: "BTC",
          side,
          size,
          price: price(ticks),
          postOnly: roll < 30,
          clientOrderId,
        },
      });
      resting.push({ account, clientOrderId });
    } else if (roll < 90) {
      // Cancel a random resting order (may already be filled: the cancel then fails fast).
      const i = rng.int(0, resting.length - 1);
      const victim = resting[i];
      resting[i] = resting[resting.length - 1];
      resting.pop();
      ops.push({ kind: "cancel", ...victim });
    } else if (roll < 97) {
      // Crossing IOC limit a few ticks through mid.
      const ticks = side === "buy" ? mid + rng.int(1, 5) : mid - rng.int(1, 5);
      ops.push({
        kind: "place",
        account,
        request: {
          symbol: "BTC",
          side,
          size,
          price: price(ticks),
          timeInForce: "ioc",
          clientOrderId: `o${++n}`,
        },
      });
    } else {
      const ticks = side === "buy" ? mid + 30 : mid - 30;
      ops.push({
        kind: "place",
        account,
        request: {
          symbol: "BTC",
          side,
          type: "market",
          size,
          worstPrice: price(ticks),
          clientOrderId: `o${++n}`,
        },
      });
    }
  }
  return ops;
}

/** A fresh engine with one market and four funded accounts. */
export function buildEngine(): SimEngine {
  const engine = new SimEngine({ clock: new ManualClock(0), keepLog: false, keepHistory: false });
  engine.addInstrument(
    { symbol: "BTC", tickSize: "0.1", sizeStep: "0.001", makerFee: "-0.0001", takerFee: "0.00045" },
    { markPrice: "60000" },
  );
  for (const a of ["a", "b", "c", "d"]) engine.createAccount(a, { collateral: "100000000" });
  return engine;
}

/** Runs the operations; returns the failures by error name (cancels of filled orders are NotFoundError). */
export function runOps(engine: SimEngine, ops: Op[]): Record<string, number> {
  const failed: Record<string, number> = {};
  for (const op of ops) {
    try {
      if (op.kind === "place") engine.placeOrder(op.account, op.request);
      else engine.cancelOrder(op.account, { clientOrderId: op.clientOrderId });
    } catch (err) {
      const name = err instanceof Error ? err.name : "unknown";
      failed[name] = (failed[name] ?? 0) + 1;
    }
  }
  return failed;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      orders: { type: "string", default: "500000" },
      seed: { type: "string", default: "1" },
    },
  });
  const count = Number(values.orders);
  const ops = buildOps(count, Number(values.seed));
  // Warm up the JIT on a separate engine.
  runOps(buildEngine(), ops.slice(0, 50_000));
  const engine = buildEngine();
  let events = 0;
  let trades = 0;
  engine.subscribe((e) => {
    events++;
    if (e.type === "trade") trades++;
  });
  const t0 = performance.now();
  const failed = runOps(engine, ops);
  const ms = performance.now() - t0;
  const kinds = { place: 0, cancel: 0 };
  for (const op of ops) kinds[op.kind]++;
  console.log(
    `matching: ${count} operations (${kinds.place} places, ${kinds.cancel} cancels) in ${
      ms.toFixed(0)
    } ms → ${
      Math.round(count / (ms / 1000)).toLocaleString("en-US")
    } orders/s; ${trades} trades, ${events} events; failures ${JSON.stringify(failed)}`,
  );
} else if (typeof Deno.bench === "function") {
  const ops = buildOps(20_000, 1);
  Deno.bench("matching: 20k mixed operations", () => {
    runOps(buildEngine(), ops);
  });
}
