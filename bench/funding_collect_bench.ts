/**
 * Benchmark: one full collection (`--once`) over the three simulated venues with 100 ms of
 * injected latency on every request, against the slowest venue alone.
 * Target: ≤ 1.5 × the slowest single venue, ≤ 3 requests per venue for current rates.
 *
 * Run: deno run -A bench/funding_collect_bench.ts
 *
 * The venues are the protocol replicas on loopback, read by each venue's real funding adapter;
 * a `latency` fault delays every HTTP request by 100 ms and counts it.
 *
 * @module
 */
import { FundingCollector } from "../funding/collector.ts";
import { openFundingSources } from "../funding/sources.ts";
import { SqliteFundingStore } from "../funding/sqlite_store.ts";
import { FaultInjector } from "../sim/faults.ts";

const LATENCY_MS = 100;

async function timeRun(venues: string[], rounds: number) {
  const faults = new Map<string, FaultInjector>();
  const opened = await openFundingSources(venues, {
    network: "sim",
    faults: (venue) => {
      const f = new FaultInjector({ seed: 1 });
      faults.set(venue, f);
      return f;
    },
  });
  const store = await SqliteFundingStore.open(":memory:");
  const times: number[] = [];
  const requests: Record<string, number> = {};
  try {
    const collector = new FundingCollector(store, opened.sources);
    // Warm-up (markets / instruments caches), then inject latency on every request.
    await collector.collect();
    for (const f of faults.values()) f.inject({ kind: "latency", delayMs: LATENCY_MS });
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      const run = await collector.collect();
      times.push(performance.now() - t);
      const failed = run.venues.find((v) => v.status === "failed");
      if (failed) throw new Error(`${failed.venue} failed: ${failed.error}`);
    }
    for (const [venue, f] of faults) {
      requests[venue] = f.rules().reduce((n, r) => n + r.fired, 0) / rounds;
    }
  } finally {
    await store.close();
    await opened.close();
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)], requests };
}

if (import.meta.main) {
  const rounds = 10;
  const single: Record<string, number> = {};
  for (const v of ["lighter", "grvt", "edgex"]) single[v] = (await timeRun([v], rounds)).medianMs;
  const slowest = Math.max(...Object.values(single));
  const all = await timeRun(["lighter", "grvt", "edgex"], rounds);
  console.log(`latency per request: ${LATENCY_MS} ms, ${rounds} rounds, medians`);
  for (const [v, ms] of Object.entries(single)) console.log(`  ${v} alone: ${ms.toFixed(1)} ms`);
  console.log(`  all three: ${all.medianMs.toFixed(1)} ms`);
  console.log(
    `  ratio to slowest single venue: ${(all.medianMs / slowest).toFixed(2)} (target ≤ 1.5)`,
  );
  console.log(
    `  requests per venue per run (rates + market data): ${JSON.stringify(all.requests)}`,
  );
}
