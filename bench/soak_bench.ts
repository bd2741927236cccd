/**
 * Soak benchmark (not part of the gate): the grid bot against each venue replica in virtual
 * time for a number of simulated days (replica in the same process, as `--network sim` runs it),
 * then the funding service against the three replicas for a number of collections, composed as
 * `funding serve` composes it (collector, API cache invalidated after each collection, hourly
 * retention). Every simulated hour it forces a GC, samples heap and RSS, and prints the wall
 * time of that hour and what the engine retains (for the service: the latency of the 7-day
 * history endpoint, answered in-process by the API). At the end: heap growth per simulated hour
 * and per simulated day after the warm-up (least-squares slope) and the wall time per simulated
 * hour at the start and at the end.
 *
 * The harness keeps its own cost low: a forced GC only at the hourly samples, the bot's virtual
 * time in `--step-ms` steps between waits for the wire (the replica's price path steps every
 * 5 s), and one clock step per collection interval for the service. `--sim-step-ms` sets the
 * service replicas' price step (`--network sim` runs 1 s; a larger step costs less CPU per
 * simulated hour and changes no bound, every bound being a count or a time window).
 *
 * Run: deno run -A --v8-flags=--expose-gc bench/soak_bench.ts [--days 7] [--warmup-hours 24]
 *        [--venues lighter,grvt,edgex] [--collections 10000] [--interval-s 60] [--step-ms 5000]
 *        [--sim-step-ms 1000] [--price-step-ms 5000] [--snapshot-hours 24,96] [--no-bot]
 *        [--no-funding]
 *
 * The bot's market is {@linkcode oscillatingPath} (±0.3 % every 2 h around the start price, 2 bps
 * of noise per `--price-step-ms` step) so the grid keeps opening, filling and taking profit for
 * the whole run; every simulated hour prints the bot's new orders and its open / take-profit
 * fills, and the run exits 1 if any 6-hour window after the warm-up lacks either kind of fill
 * ({@linkcode idleWindows}). `--snapshot-hours` writes a V8 heap snapshot of the bot run after
 * those simulated hours (`soak_<venue>_h<hour>.heapsnapshot` in the working directory), to
 * compare in Chrome DevTools when the heap grows.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { writeHeapSnapshot } from "node:v8";
import { Decimal } from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { type SimVenueName, startSimVenue } from "../sim/network.ts";
import { LoopbackDriver } from "../tests/bot_loopback_driver.ts";
import { GridStrategy } from "../strategies/grid.ts";
import { runStrategy } from "../strategies/runner.ts";
import { FundingCollector, type FundingSource } from "../funding/collector.ts";
import { createFundingApi } from "../funding/api.ts";
import { SqliteFundingStore } from "../funding/sqlite_store.ts";
import { SIM_VENUE_MARKETS, type SimVenue } from "../sim/network.ts";
import { oscillatingPath } from "../sim/market.ts";
import { median } from "./_stats.ts";

const HOUR = 3_600_000;
const START = Date.UTC(2026, 0, 1);
const MB = 1024 * 1024;

const gc = (globalThis as { gc?: () => void }).gc;

interface Sample {
  hour: number;
  wallMs: number;
  heapMb: number;
  rssMb: number;
  extra: string;
}

function sample(hour: number, wallMs: number, extra: string): Sample {
  gc?.();
  const m = Deno.memoryUsage();
  const s = { hour, wallMs, heapMb: m.heapUsed / MB, rssMb: m.rss / MB, extra };
  console.log(
    `  h${String(hour).padStart(4)}  wall ${wallMs.toFixed(0).padStart(7)} ms  heap ${
      s.heapMb.toFixed(1).padStart(7)
    } MB  rss ${s.rssMb.toFixed(1).padStart(7)} MB  ${extra}`,
  );
  return s;
}

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return num / den;
}

function summary(name: string, samples: Sample[], warmup: number): void {
  const after = samples.filter((s) => s.hour > warmup);
  const used = after.length >= 2 ? after : samples.slice(Math.floor(samples.length / 2));
  const heap = slope(used.map((s) => [s.hour, s.heapMb]));
  const rss = slope(used.map((s) => [s.hour, s.rssMb]));
  const k = Math.max(1, Math.min(3, Math.floor(samples.length / 4)));
  const mean = (xs: Sample[]) => xs.reduce((a, s) => a + s.wallMs, 0) / xs.length;
  const first = mean(samples.slice(0, k));
  const last = mean(samples.slice(-k));
  console.log(
    `${name}: ${samples.length} simulated hours (growth fitted over hours ${used[0]?.hour}–${
      used.at(-1)?.hour
    }): heap ${(heap * 1024).toFixed(1)} KB/h (${(heap * 24).toFixed(2)} MB/day), rss ${
      (rss * 1024).toFixed(1)
    } KB/h; wall per simulated hour: first ${k} ${first.toFixed(0)} ms, last ${k} ${
      last.toFixed(0)
    } ms (${((last / first - 1) * 100).toFixed(1)} %)`,
  );
}

/** One simulated hour of the bot's trading, counted from the engine's events. */
export interface TradingHour {
  /** Simulated hour (1 = the first). */
  hour: number;
  /** Orders the bot placed that the engine accepted. */
  orders: number;
  /** Fills of the bot's open side (the grid's opens). */
  openFills: number;
  /** Fills of the closing side (the grid's take-profits). */
  closeFills: number;
}

/**
 * The 6-hour (or `window`-hour) stretches after the warm-up in which the bot did not both fill
 * an open and fill a take-profit: a soak whose bot idles proves nothing about the days it
 * idles. Windows slide by one hour over the complete windows that start at or after `warmup`
 * (at or after hour 0 when the run is shorter than warm-up plus one window).
 *
 * @param hours Per-hour counts, in order, one per simulated hour.
 * @param warmup Warm-up hours.
 * @param window Window length in hours.
 * @returns The idle windows as `[first hour, last hour]`, empty when the bot kept trading.
 *
 * @example
 * ```ts
 * import { idleWindows } from "./soak_bench.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 * const h = (hour: number, fills: number) => ({ hour, orders: fills, openFills: fills, closeFills: fills });
 * const hours = [1, 1, 1, 0, 0, 0, 0, 0, 0, 1].map((f, i) => h(i + 1, f));
 * deepStrictEqual(idleWindows(hours, 0, 6), [[4, 9]]);
 * ```
 */
export function idleWindows(
  hours: readonly TradingHour[],
  warmup: number,
  window: number = 6,
): [number, number][] {
  const from = hours.length >= warmup + window ? warmup : 0;
  const idle: [number, number][] = [];
  for (let start = from; start + window <= hours.length; start++) {
    const span = hours.slice(start, start + window);
    if (!span.some((h) => h.openFills > 0) || !span.some((h) => h.closeFills > 0)) {
      idle.push([span[0].hour, span[window - 1].hour]);
    }
  }
  return idle;
}

/** The soak's market: the price swings ±0.3 % every 2 h around its start, with noise. */
const SOAK_SWING = { amplitudeBps: "30", periodMs: 2 * HOUR, pull: "0.02", volatilityBps: "2" };

async function soakBot(
  venue: SimVenueName,
  hours: number,
  warmup: number,
  stepMs: number,
  priceStepMs: number,
  snapshotHours: ReadonlySet<number> = new Set(),
): Promise<boolean> {
  console.log(`bot on the ${venue} replica, ${hours} simulated hours`);
  const clock = new ManualClock(START);
  const sim = await startSimVenue(venue, {
    clock,
    protocol: "replica",
    seed: 3,
    // The replica's own walk holds still; the soak's path below moves the price.
    volatilityBps: "0",
    stepMs: priceStepMs,
  });
  const engine = sim.engine;
  const symbol = sim.engineSymbol("BTC");
  const inst = engine.instrument(symbol);
  const path = oscillatingPath({
    seed: 3,
    center: engine.prices(symbol).indexPrice,
    ...SOAK_SWING,
  });
  // One millisecond before each of the replica's price steps, so its step quotes the new price.
  const move = (at: number) =>
    engine.schedule(at, () => {
      const index = path.next(at, engine.indexTicks(symbol), inst);
      engine.setPriceTicks(symbol, index, index);
      move(at + priceStepMs);
    });
  move(START + priceStepMs - 1);
  const counts: TradingHour = { hour: 0, orders: 0, openFills: 0, closeFills: 0 };
  const seen = new Set<string>();
  const unsubscribe = engine.subscribe((body) => {
    if (body.type === "fill" && body.fill.accountId === sim.accountId) {
      if (body.fill.side === "buy") counts.openFills++;
      else counts.closeFills++;
    } else if (
      body.type === "order" && body.order.accountId === sim.accountId &&
      !seen.has(body.order.id)
    ) {
      seen.add(body.order.id);
      counts.orders++;
    }
  });
  const driver = new LoopbackDriver(clock, { stepMs });
  const client = sim.client();
  const grid = new GridStrategy(
    {
      symbol: "BTC",
      quantity: "0.01",
      takeProfit: "0.02",
      direction: "buy",
      maxOrders: 40,
      waitTimeSec: 60,
    },
    { client, clock, notify: () => Promise.resolve() },
  );
  const controller = new AbortController();
  const result = runStrategy(grid, { clock, signal: controller.signal, random: () => 0.5 });
  const samples: Sample[] = [];
  const trading: TradingHour[] = [];
  try {
    for (let h = 1; h <= hours; h++) {
      const t0 = performance.now();
      await driver.advance(HOUR);
      const wall = performance.now() - t0;
      trading.push({ ...counts, hour: h });
      Object.assign(counts, { orders: 0, openFills: 0, closeFills: 0 });
      seen.clear();
      const c = engine.retainedCounts();
      const pos = (await client.getPositions()).find((p) => p.symbol === "BTC");
      const t = trading[h - 1];
      if (snapshotHours.has(h)) {
        gc?.();
        console.log(`  wrote ${writeHeapSnapshot(`soak_${venue}_h${h}.heapsnapshot`)}`);
      }
      samples.push(sample(
        h,
        wall,
        `+orders ${t.orders} +fills ${t.openFills}/${t.closeFills} index ${
          engine.prices(symbol).indexPrice
        } pos ${
          pos?.size ?? new Decimal(0)
        } | events ${c.events} finished ${c.finishedOrders} active ${c.activeOrders} tasks ${c.tasks} trades ${c.trades} fills ${c.fills}`,
      ));
    }
  } finally {
    unsubscribe();
    controller.abort();
    await driver.advance(30_000);
    await result;
    await client.disconnect();
    await sim.close();
  }
  summary(`bot/${venue}`, samples, warmup);
  const days = hours / 24;
  const total = trading.reduce(
    (a, t) => ({ o: a.o + t.orders, f: a.f + t.openFills + t.closeFills, c: a.c + t.closeFills }),
    { o: 0, f: 0, c: 0 },
  );
  console.log(
    `bot/${venue}: per simulated day ${(total.o / days).toFixed(0)} orders, ${
      (total.f / days).toFixed(0)
    } fills (${(total.c / days).toFixed(0)} take-profits)`,
  );
  const idle = idleWindows(trading, warmup);
  if (idle.length > 0) {
    console.error(
      `bot/${venue}: FAILED: the bot did not both fill an open and a take-profit in ${idle.length} 6-hour window(s) after the warm-up, first hours ${
        idle[0][0]
      }–${idle[0][1]}: the soak idled`,
    );
    return false;
  }
  return true;
}

async function soakFunding(
  venues: SimVenueName[],
  collections: number,
  intervalMs: number,
  warmup: number,
  simStepMs: number,
): Promise<void> {
  console.log(
    `funding service: ${collections} collections every ${
      intervalMs / 1000
    } s (price step ${simStepMs} ms)`,
  );
  const clock = new ManualClock(START);
  const driver = new LoopbackDriver(clock, { stepMs: intervalMs });
  const dir = await Deno.makeTempDir();
  // The sources `openFundingSources(venues, { network: "sim", clock })` opens, with the price
  // step set.
  const sims: SimVenue[] = [];
  const sources: FundingSource[] = [];
  for (const venue of venues) {
    const sim = await startSimVenue(venue, {
      seed: 1,
      clock,
      protocol: "replica",
      markets: SIM_VENUE_MARKETS[venue],
      funding: "premium",
      stepMs: simStepMs,
    });
    sims.push(sim);
    sources.push({ venue, adapter: sim.fundingAdapter() });
  }
  const store = await SqliteFundingStore.open(`${dir}/funding.db`);
  const collector = new FundingCollector(store, sources, { clock });
  const api = createFundingApi({ store, venues, clock });
  const historyPath = `/api/v1/history/funding-rates/${venues[0]}/BTC`;
  const perHour = Math.max(1, Math.round(HOUR / intervalMs));
  const samples: Sample[] = [];
  let lastPrune = -Infinity;
  try {
    let t0 = performance.now();
    for (let i = 1; i <= collections; i++) {
      const started = clock.now();
      let done = false;
      const run = collector.collect().finally(() => done = true);
      await driver.settle();
      // A collection may wait on virtual time (a stream's first frame, a timeout).
      while (!done) await driver.advance(1_000, 1_000);
      await run;
      api.invalidate();
      if (clock.now() - lastPrune >= HOUR) {
        lastPrune = clock.now();
        await collector.prune();
      }
      // As `runEvery`: the next run starts one interval after this one started.
      await driver.advance(Math.max(0, started + intervalMs - clock.now()));
      if (i % perHour === 0 || i === collections) {
        const wall = performance.now() - t0;
        const latencies: number[] = [];
        let body = "";
        for (let k = 0; k < 5; k++) {
          const h0 = performance.now();
          const res = await api.app.request(historyPath);
          body = await res.text();
          latencies.push(performance.now() - h0);
        }
        const points = (JSON.parse(body) as { count: number }).count;
        const walSize = await Deno.stat(`${dir}/funding.db-wal`).then((s) => s.size, () => 0);
        samples.push(sample(
          Math.ceil(i / perHour),
          wall,
          `collections ${i} history ${points} points ${(body.length / 1024).toFixed(0)} KB p50 ${
            median(latencies).toFixed(2)
          } ms wal ${(walSize / 1024).toFixed(0)} KB`,
        ));
        t0 = performance.now();
      }
    }
  } finally {
    await store.close();
    await Promise.allSettled(sources.map((s) => s.adapter?.close()));
    await Promise.allSettled(sims.map((s) => s.close()));
    await Deno.remove(dir, { recursive: true });
  }
  summary("funding", samples, warmup);
}

if (import.meta.main) {
  const { values: args } = parseArgs({
    options: {
      days: { type: "string", default: "7" },
      "warmup-hours": { type: "string", default: "24" },
      venues: { type: "string", default: "lighter,grvt,edgex" },
      collections: { type: "string", default: "10000" },
      "interval-s": { type: "string", default: "60" },
      "step-ms": { type: "string", default: "5000" },
      "sim-step-ms": { type: "string", default: "1000" },
      "price-step-ms": { type: "string", default: "5000" },
      "snapshot-hours": { type: "string", default: "" },
      "no-bot": { type: "boolean", default: false },
      "no-funding": { type: "boolean", default: false },
    },
  });
  if (!gc) console.error("warning: run with --v8-flags=--expose-gc for heap after a forced GC");
  const hours = Math.round(Number(args.days) * 24);
  const warmup = Number(args["warmup-hours"]);
  const venues = args.venues.split(",") as SimVenueName[];
  let ok = true;
  if (!args["no-bot"]) {
    for (const v of venues) {
      ok = await soakBot(
        v,
        hours,
        warmup,
        Number(args["step-ms"]),
        Number(args["price-step-ms"]),
        new Set(args["snapshot-hours"].split(",").filter((x) => x !== "").map(Number)),
      ) &&
        ok;
    }
  }
  if (!args["no-funding"]) {
    await soakFunding(
      venues,
      Number(args.collections),
      Number(args["interval-s"]) * 1_000,
      warmup,
      Number(args["sim-step-ms"]),
    );
  }
  if (!ok) Deno.exit(1);
}
