/**
 * Soak benchmark (not part of the gate): the grid bot against each venue replica in virtual
 * time for a number of simulated days (replica in the same process, as `--network sim` runs it),
 * then the funding collector against the three replicas for a number of collections. Every
 * simulated hour it forces a GC, samples heap and RSS, and prints the wall time of that hour
 * and what the engine retains; at the end, heap growth per simulated hour after the warm-up
 * (least-squares slope) and the wall time per simulated hour at the start and at the end.
 *
 * Run: deno run -A --v8-flags=--expose-gc bench/soak_bench.ts [--days 7] [--warmup-hours 24]
 *        [--venues lighter,grvt,edgex] [--collections 10000] [--interval-s 60] [--no-bot]
 *        [--no-funding]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Decimal } from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { type SimVenueName, startSimVenue } from "../sim/network.ts";
import { LoopbackDriver } from "../tests/bot_loopback_driver.ts";
import { GridStrategy } from "../strategies/grid.ts";
import { runStrategy } from "../strategies/runner.ts";
import { FundingCollector } from "../funding/collector.ts";
import { openFundingSources } from "../funding/sources.ts";
import { SqliteFundingStore } from "../funding/sqlite_store.ts";

const HOUR = 3_600_000;
const START = Date.UTC(2026, 0, 1);
const MB = 1024 * 1024;

const { values: args } = parseArgs({
  options: {
    days: { type: "string", default: "7" },
    "warmup-hours": { type: "string", default: "24" },
    venues: { type: "string", default: "lighter,grvt,edgex" },
    collections: { type: "string", default: "10000" },
    "interval-s": { type: "string", default: "60" },
    "no-bot": { type: "boolean", default: false },
    "no-funding": { type: "boolean", default: false },
  },
});

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.error("warning: run with --v8-flags=--expose-gc for heap after a forced GC");

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

async function soakBot(venue: SimVenueName, hours: number, warmup: number): Promise<void> {
  console.log(`bot on the ${venue} replica, ${hours} simulated hours`);
  const clock = new ManualClock(START);
  const sim = await startSimVenue(venue, {
    clock,
    protocol: "replica",
    seed: 3,
    volatilityBps: "2",
    stepMs: 5_000,
  });
  const driver = new LoopbackDriver(clock);
  const client = sim.client();
  const grid = new GridStrategy(
    {
      symbol: "BTC",
      quantity: "0.01",
      takeProfit: "0.02",
      direction: "buy",
      maxOrders: 10,
      waitTimeSec: 60,
    },
    { client, clock, notify: () => Promise.resolve() },
  );
  const controller = new AbortController();
  const result = runStrategy(grid, { clock, signal: controller.signal, random: () => 0.5 });
  const samples: Sample[] = [];
  try {
    for (let h = 1; h <= hours; h++) {
      const t0 = performance.now();
      await driver.advance(HOUR);
      const wall = performance.now() - t0;
      const c = sim.engine.retainedCounts();
      const pos = (await client.getPositions()).find((p) => p.symbol === "BTC");
      samples.push(sample(
        h,
        wall,
        `events ${c.events} finished ${c.finishedOrders} active ${c.activeOrders} tasks ${c.tasks} trades ${c.trades} fills ${c.fills} pos ${
          pos?.size ?? new Decimal(0)
        }`,
      ));
    }
  } finally {
    controller.abort();
    await driver.advance(30_000);
    await result;
    await client.disconnect();
    await sim.close();
  }
  summary(`bot/${venue}`, samples, warmup);
}

async function soakFunding(
  venues: string[],
  collections: number,
  intervalMs: number,
  warmup: number,
): Promise<void> {
  console.log(`funding service: ${collections} collections every ${intervalMs / 1000} s`);
  const clock = new ManualClock(START);
  const driver = new LoopbackDriver(clock);
  const dir = await Deno.makeTempDir();
  const opened = await openFundingSources(venues, { network: "sim", clock, protocol: "replica" });
  const store = await SqliteFundingStore.open(`${dir}/funding.db`);
  const collector = new FundingCollector(store, opened.sources, { clock });
  const perHour = Math.max(1, Math.round(HOUR / intervalMs));
  const samples: Sample[] = [];
  try {
    let t0 = performance.now();
    for (let i = 1; i <= collections; i++) {
      const run = collector.collect();
      await driver.settle();
      await run;
      await driver.advance(intervalMs);
      if (i % perHour === 0 || i === collections) {
        const wall = performance.now() - t0;
        const h0 = performance.now();
        const hist = await store.history(venues[0], "BTC", { start: clock.now() - 7 * 24 * HOUR });
        const histMs = performance.now() - h0;
        const walSize = await Deno.stat(`${dir}/funding.db-wal`).then((s) => s.size, () => 0);
        samples.push(sample(
          Math.ceil(i / perHour),
          wall,
          `collections ${i} history ${hist.length} rows in ${histMs.toFixed(2)} ms wal ${
            (walSize / 1024).toFixed(0)
          } KB`,
        ));
        t0 = performance.now();
      }
    }
  } finally {
    await store.close();
    await opened.close();
    await Deno.remove(dir, { recursive: true });
  }
  summary("funding", samples, warmup);
}

const hours = Math.round(Number(args.days) * 24);
const warmup = Number(args["warmup-hours"]);
if (!args["no-bot"]) {
  for (const v of args.venues.split(",")) await soakBot(v as SimVenueName, hours, warmup);
}
if (!args["no-funding"]) {
  await soakFunding(
    args.venues.split(","),
    Number(args.collections),
    Number(args["interval-s"]) * 1_000,
    warmup,
  );
}
