/**
 * Benchmark: `/api/v1/opportunities` latency under load on loopback, 300 symbols × 3 venues
 * in the store, requests sent open-loop at a fixed rate (one every 2 ms = 500 req/s) for a
 * few seconds. Target: p99 ≤ 10 ms at 500 req/s.
 *
 * Run: deno run -A bench/funding_api_bench.ts [--rate 500] [--seconds 5]
 *
 * The server runs in a worker so the load generator does not share its event loop.
 *
 * @module
 */
import { Decimal, fundingRate } from "../base.ts";
import type { FundingObservation } from "../funding/model.ts";
import { SqliteFundingStore } from "../funding/sqlite_store.ts";

const VENUES: [string, number][] = [["lighter", 1], ["grvt", 8], ["edgex", 4]];

/** Fills a store with 300 symbols on the three venues, rates spread so pairs differ. */
export async function seed(path: string, now: number): Promise<void> {
  const store = await SqliteFundingStore.open(path);
  const rows: FundingObservation[] = [];
  for (let s = 0; s < 300; s++) {
    for (const [v, [venue, hours]] of VENUES.entries()) {
      rows.push({
        venue,
        symbol: `S${s}`,
        venueSymbol: `S${s}`,
        time: now,
        ...fundingRate({
          rate: new Decimal((s % 17) - 8 + v * 3).div(100_000).times(hours),
          intervalHours: hours,
        }),
        volume24hUsd: new Decimal(1_000_000 + s * 1000),
        openInterestUsd: new Decimal(500_000 + s * 700),
        spreadBps: new Decimal(1 + (s % 5)),
      });
    }
  }
  await store.saveObservations(rows);
  await store.close();
}

if (import.meta.main) {
  const arg = (name: string, fallback: number) => {
    const i = Deno.args.indexOf(name);
    return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
  };
  const rate = arg("--rate", 500);
  const seconds = arg("--seconds", 5);
  const dir = await Deno.makeTempDir({ prefix: "funding_api_bench_" });
  const path = `${dir}/funding.db`;
  await seed(path, Date.now());
  const worker = new Worker(new URL("./_funding_api_server.ts", import.meta.url), {
    type: "module",
  });
  const port = await new Promise<number>((resolve) => {
    worker.onmessage = (e) => resolve(e.data.port);
    worker.postMessage({ path });
  });
  const url = `http://127.0.0.1:${port}/api/v1/opportunities?limit=20&min_volume=1000000`;
  for (let i = 0; i < 200; i++) await (await fetch(url)).arrayBuffer(); // warm-up
  const latencies: number[] = [];
  let errors = 0;
  const total = rate * seconds;
  const interval = 1000 / rate;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push((async () => {
      const t = performance.now();
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status !== 200) errors++;
      latencies.push(performance.now() - t);
    })());
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const p = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  console.log(
    `${total} requests in ${elapsed.toFixed(2)} s (${(total / elapsed).toFixed(0)} req/s), ` +
      `${errors} errors (300 symbols × 3 venues)`,
  );
  console.log(
    `latency p50 ${p(0.5).toFixed(2)} ms, p90 ${p(0.9).toFixed(2)} ms, p99 ${
      p(0.99).toFixed(2)
    } ms, ` +
      `max ${p(1).toFixed(2)} ms (target p99 ≤ 10 ms)`,
  );
  worker.terminate();
  await Deno.remove(dir, { recursive: true });
}
