/**
 * Benchmark: one year of hourly history for one series from a store holding 900 series
 * (300 symbols × 3 venues, one year of hourly rows each: 7.9 M rows). Target ≤ 20 ms, SQLite
 * and PostgreSQL (set PERP_TEST_POSTGRES_URL for the latter).
 *
 * Run: deno run -A bench/funding_history_bench.ts [--days 365]
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import postgres from "postgres";
import { PostgresFundingStore } from "../funding/postgres_store.ts";
import { SqliteFundingStore } from "../funding/sqlite_store.ts";
import type { FundingStore } from "../funding/store.ts";

const H = 3_600_000;
const END = Date.UTC(2026, 0, 1);
const VENUES = ["lighter", "grvt", "edgex"];

// Rows are generated inside the database (recursive CTE / generate_series): millions of
// parameterised inserts from JavaScript would dominate the set-up time.
function fillSqlite(path: string, days: number) {
  const db = new DatabaseSync(path);
  db.exec("BEGIN");
  for (const venue of VENUES) {
    db.exec(`
      WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 299),
        t(h) AS (SELECT 0 UNION ALL SELECT h + 1 FROM t WHERE h < ${days * 24 - 1})
      INSERT INTO funding_rates (venue, symbol, time, venue_symbol, rate, interval_hours,
        hourly_rate, apr, mark_price, volume_24h_usd, open_interest_usd, latency_ms)
      SELECT '${venue}', 'S' || s.i, ${END} - t.h * ${H}, 'S' || s.i, '0.0001', 8,
        '0.0000125', '0.1095', '100.5', '1000000', '500000', 20 FROM s, t`);
  }
  db.exec("COMMIT");
  db.close();
}

async function fillPostgres(url: string, days: number) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe("TRUNCATE funding_rates");
    await sql.unsafe(`
      INSERT INTO funding_rates (venue, symbol, time, venue_symbol, rate, interval_hours,
        hourly_rate, apr, mark_price, volume_24h_usd, open_interest_usd, latency_ms)
      SELECT v, 'S' || s, ${END} - h::bigint * ${H}, 'S' || s, 0.0001, 8, 0.0000125, 0.1095,
        100.5, 1000000, 500000, 20
      FROM unnest(ARRAY['lighter','grvt','edgex']) v, generate_series(0, 299) s,
        generate_series(0, ${days * 24 - 1}) h`);
    // Autovacuum does this in production; the visibility map enables index-only scans.
    await sql.unsafe("VACUUM ANALYZE funding_rates");
  } finally {
    await sql.end();
  }
}

async function measure(name: string, store: FundingStore, days: number) {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < 30; i++) {
    const symbol = `S${(i * 37) % 300}`;
    const t = performance.now();
    rows =
      (await store.historyPoints("grvt", symbol, { start: END - days * 24 * H, end: END })).length;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  console.log(
    `${name}: ${rows} rows per query; median ${p(0.5).toFixed(1)} ms, p90 ${
      p(0.9).toFixed(1)
    } ms, ` +
      `max ${p(1).toFixed(1)} ms (target ≤ 20 ms)`,
  );
}

if (import.meta.main) {
  const i = Deno.args.indexOf("--days");
  const days = i >= 0 ? Number(Deno.args[i + 1]) : 365;
  const dir = await Deno.makeTempDir({ prefix: "funding_bench_" });
  try {
    const path = `${dir}/funding.db`;
    await (await SqliteFundingStore.open(path)).close();
    let t = performance.now();
    if (!Deno.args.includes("--postgres-only")) fillSqlite(path, days);
    console.log(
      `sqlite: 900 series × ${days} d filled in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    if (!Deno.args.includes("--postgres-only")) {
      const store = await SqliteFundingStore.open(path);
      await measure("sqlite", store, days);
      await store.close();
    }
    const url = Deno.env.get("PERP_TEST_POSTGRES_URL");
    if (url) {
      const pg = await PostgresFundingStore.open(url);
      t = performance.now();
      await fillPostgres(url, days);
      console.log(`postgres: filled in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      await measure("postgres", pg, days);
      await pg.close();
    } else {
      console.log("postgres: skipped (set PERP_TEST_POSTGRES_URL)");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
