/**
 * Benchmark: the dashboard's server time with 300 symbols × 3 venues and one year of hourly
 * history in the store (7.9 M rows): the rates grid page (`/`, 900 cells, cached snapshot and
 * right after a collection invalidated it), the 30-day history chart's data
 * (`/api/v1/history/chart/{symbol}?period=30d`) and the history page's charts
 * (`/history/charts`), each p50 / p99 over in-process requests. Targets: grid p99 ≤ 50 ms,
 * 30-day chart ≤ 100 ms. SQLite always; PostgreSQL with PERP_TEST_POSTGRES_URL.
 *
 * Run: deno run -A bench/dashboard_bench.ts [--days 365] [--runs 200]
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import postgres from "postgres";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { createFundingApi } from "../funding/api.ts";
import { PostgresFundingStore } from "../funding/postgres_store.ts";
import { SqliteFundingStore } from "../funding/sqlite_store.ts";
import type { FundingStore } from "../funding/store.ts";
import { median, percentile } from "./_stats.ts";

const H = 3_600_000;
const END = Date.UTC(2026, 0, 1);
const VENUES = ["lighter", "grvt", "edgex"];
const INTERVAL: Record<string, number> = { lighter: 1, grvt: 8, edgex: 4 };

function arg(name: string, fallback: number): number {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
}

// Rows are generated inside the database; the rate varies with the symbol, venue and hour so
// the grid's sort and the chart's averages do real work.
function fillSqlite(path: string, days: number) {
  const db = new DatabaseSync(path);
  db.exec("BEGIN");
  for (const [k, venue] of VENUES.entries()) {
    const hours = INTERVAL[venue];
    db.exec(`
      WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 299),
        t(h) AS (SELECT 0 UNION ALL SELECT h + 1 FROM t WHERE h < ${days * 24 - 1})
      INSERT INTO funding_rates (network, venue, symbol, time, venue_symbol, rate, interval_hours,
        hourly_rate, apr, mark_price, volume_24h_usd, open_interest_usd, latency_ms,
        next_funding_time)
      SELECT 'sim', '${venue}', 'S' || s.i, ${END} - t.h * ${H}, 'S' || s.i,
        printf('%.8f', ((s.i * 7 + t.h + ${k * 5}) % 23 - 11) * 0.00001 * ${hours}), ${hours},
        printf('%.8f', ((s.i * 7 + t.h + ${k * 5}) % 23 - 11) * 0.00001),
        printf('%.6f', ((s.i * 7 + t.h + ${k * 5}) % 23 - 11) * 0.0876),
        '100.5', '1000000', '500000', 20, ${END} + ${hours} * ${H} FROM s, t`);
  }
  db.exec(`INSERT INTO latest_funding_rates SELECT * FROM funding_rates WHERE time = ${END}`);
  db.exec("COMMIT");
  db.close();
}

async function fillPostgres(url: string, days: number) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe("TRUNCATE funding_rates");
    for (const [k, venue] of VENUES.entries()) {
      const hours = INTERVAL[venue];
      await sql.unsafe(`
        INSERT INTO funding_rates (network, venue, symbol, time, venue_symbol, rate,
          interval_hours, hourly_rate, apr, mark_price, volume_24h_usd, open_interest_usd,
          latency_ms, next_funding_time)
        SELECT 'sim', '${venue}', 'S' || s, ${END} - h::bigint * ${H}, 'S' || s,
          ((s * 7 + h + ${k * 5}) % 23 - 11) * 0.00001 * ${hours}, ${hours},
          ((s * 7 + h + ${k * 5}) % 23 - 11) * 0.00001, ((s * 7 + h + ${k * 5}) % 23 - 11) * 0.0876,
          100.5, 1000000, 500000, 20, ${END} + ${hours} * ${H}
        FROM generate_series(0, 299) s, generate_series(0, ${days * 24 - 1}) h`);
    }
    await sql.unsafe("TRUNCATE latest_funding_rates");
    await sql.unsafe(
      `INSERT INTO latest_funding_rates SELECT * FROM funding_rates WHERE time = ${END}`,
    );
    await sql.unsafe("VACUUM ANALYZE funding_rates");
  } finally {
    await sql.end();
  }
}

async function measure(name: string, store: FundingStore, runs: number) {
  const api = createFundingApi({
    store,
    venues: VENUES,
    clock: new ManualClock(END + 60_000),
    maxAgeMs: 3_600_000,
  });
  const time = async (path: string, before?: () => void) => {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < runs; i++) {
      before?.();
      const p = path.replaceAll("{i}", String((i * 37) % 300));
      const t = performance.now();
      const res = await api.app.request(p);
      const body = await res.text();
      times.push(performance.now() - t);
      if (res.status !== 200) throw new Error(`${p}: HTTP ${res.status} ${body.slice(0, 200)}`);
      bytes = body.length;
    }
    times.sort((a, b) => a - b);
    return { p50: median(times), p99: percentile(times, 99), bytes };
  };
  const line = (label: string, r: { p50: number; p99: number; bytes: number }, target: string) =>
    console.log(
      `${name} ${label}: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms ` +
        `(${(r.bytes / 1024).toFixed(0)} KiB; target ${target})`,
    );
  await time("/", undefined); // warm: the first snapshot
  line("grid page / (900 cells)", await time("/"), "p99 ≤ 50 ms");
  line(
    "grid page / after a collection (store read)",
    await time("/", () => api.invalidate()),
    "p99 ≤ 50 ms",
  );
  line(
    "30-day chart data (3 venues, 1000 points)",
    await time("/api/v1/history/chart/S{i}?period=30d&points=1000&dex1=lighter&dex2=grvt"),
    "≤ 100 ms",
  );
  line(
    "history page charts 30 d (SVG)",
    await time("/history/charts?symbol=S{i}&period=30d&points=1000&dex1=lighter&dex2=grvt"),
    "≤ 100 ms",
  );
  line(
    "opportunities page",
    await time("/opportunities?hold_hours=72"),
    "–",
  );
}

if (import.meta.main) {
  const days = arg("--days", 365);
  const runs = arg("--runs", 200);
  const dir = await Deno.makeTempDir({ prefix: "dashboard_bench_" });
  try {
    const path = `${dir}/funding.db`;
    await (await SqliteFundingStore.open(path, { network: "sim" })).close();
    let t = performance.now();
    fillSqlite(path, days);
    console.log(
      `sqlite: 900 series × ${days} d filled in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    const store = await SqliteFundingStore.open(path, { network: "sim" });
    await measure("sqlite", store, runs);
    await store.close();
    const url = Deno.env.get("PERP_TEST_POSTGRES_URL");
    if (url) {
      const pg = await PostgresFundingStore.open(url, { network: "sim" });
      t = performance.now();
      await fillPostgres(url, days);
      console.log(`postgres: filled in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      await measure("postgres", pg, runs);
      await pg.close();
    } else {
      console.log("postgres: skipped (set PERP_TEST_POSTGRES_URL)");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
