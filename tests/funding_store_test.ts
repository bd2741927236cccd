// Runs the shared store conformance suite against SQLite (memory and file) and PostgreSQL.
// PostgreSQL needs PERP_TEST_POSTGRES_URL (.ci/run starts a local server and sets it).
import { strictEqual as equal } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { MIGRATIONS, SCHEMA_MIGRATIONS_DDL } from "../funding/migrations.ts";
import postgres from "postgres";
import { PostgresFundingStore } from "../funding/postgres_store.ts";
import { SqliteFundingStore } from "../funding/sqlite_store.ts";
import { defineStoreSuite } from "./funding_store_suite.ts";

defineStoreSuite("sqlite (memory)", () => SqliteFundingStore.open(":memory:"));

let lastSqliteFile = "";
defineStoreSuite("sqlite (file)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "funding_store_" });
  lastSqliteFile = `${dir}/nested/funding.db`;
  const store = await SqliteFundingStore.open(lastSqliteFile);
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  return store;
}, { openOther: (network) => SqliteFundingStore.open(lastSqliteFile, { network }) });

const PG_URL = Deno.env.get("PERP_TEST_POSTGRES_URL");

/** Drops every table of the funding schema so each case starts empty. */
export async function resetPostgres(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(
      `DROP TABLE IF EXISTS funding_rates, latest_funding_rates, collection_logs, venues,
         opportunity_streaks, arb_positions, arb_claims, schema_migrations CASCADE`,
    );
  } finally {
    await sql.end({ timeout: 1 });
  }
}

defineStoreSuite(
  PG_URL ? "postgres" : "postgres (ignored: set PERP_TEST_POSTGRES_URL to run)",
  async () => {
    await resetPostgres(PG_URL!);
    return await PostgresFundingStore.open(PG_URL!, { maxConnections: 2 });
  },
  {
    ignore: PG_URL === undefined,
    openOther: (network) => PostgresFundingStore.open(PG_URL!, { maxConnections: 2, network }),
  },
);

Deno.test({
  name: "postgres store: two processes migrating at once end at the same version",
  ignore: PG_URL === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await resetPostgres(PG_URL!);
    const [a, b] = await Promise.all([
      PostgresFundingStore.open(PG_URL!, { maxConnections: 1 }),
      PostgresFundingStore.open(PG_URL!, { maxConnections: 1 }),
    ]);
    try {
      equal(await a.schemaVersion(), await b.schemaVersion());
      equal(a.hypertable, b.hypertable);
    } finally {
      await a.close();
      await b.close();
    }
  },
});

// A database written before rows carried a network: version 4's tables with one row each.
const V4_ROWS = {
  rate: `INSERT INTO funding_rates (venue, symbol, time, venue_symbol, rate, interval_hours,
    hourly_rate, apr) VALUES ('grvt', 'BTC', 1767225600000, 'BTC_USDT_Perp', 0.0001, 8,
    0.0000125, 0.1095)`,
  latest: `INSERT INTO latest_funding_rates (venue, symbol, time, venue_symbol, rate,
    interval_hours, hourly_rate, apr) VALUES ('grvt', 'BTC', 1767225600000, 'BTC_USDT_Perp',
    0.0001, 8, 0.0000125, 0.1095)`,
  venue: `INSERT INTO venues (name, maker_fee, taker_fee) VALUES ('grvt', -0.0001, 0.0005)`,
  log: `INSERT INTO collection_logs (run_id, venue, started_at, completed_at, status,
    symbols_fetched, symbols_failed) VALUES ('r1', 'grvt', 1767225600000, 1767225600500,
    'success', 1, 0)`,
  streak: `INSERT INTO opportunity_streaks (symbol, long_venue, short_venue, since, last_seen)
    VALUES ('BTC', 'lighter', 'grvt', 1767225600000, 1767225600000)`,
  claim: `INSERT INTO arb_claims (pair_key, owner, claimed_at, expires_at)
    VALUES ('BTC:grvt:lighter', 'bot-a', 1767225600000, 1767225660000)`,
};

async function checkMigratedV4(
  open: (network: string) => Promise<import("../funding/store.ts").FundingStore>,
) {
  const real = await open("mainnet");
  try {
    equal(await real.schemaVersion(), MIGRATIONS[MIGRATIONS.length - 1].version);
    const [rate] = await real.latestRates();
    equal(rate.rate.toString(), "0.0001");
    equal(rate.settledRate, undefined);
    equal((await real.history("grvt", "BTC")).length, 1);
    equal((await real.venues())[0].fees.taker.toString(), "0.0005");
    equal((await real.collectionLogs()).length, 1);
    equal((await real.streaks()).length, 1);
    equal((await real.pairClaims())[0].owner, "bot-a");
  } finally {
    await real.close();
  }
  const sim = await open("sim");
  try {
    equal((await sim.latestRates()).length, 0, "rows from before are mainnet, never sim");
    equal((await sim.venues()).length, 0);
  } finally {
    await sim.close();
  }
}

Deno.test("sqlite store: a version-4 file migrates to rows of mainnet, none of them sim", async () => {
  const dir = await Deno.makeTempDir({ prefix: "funding_v4_" });
  try {
    const path = `${dir}/funding.db`;
    const db = new DatabaseSync(path);
    db.exec(SCHEMA_MIGRATIONS_DDL);
    for (const m of MIGRATIONS.filter((m) => m.version <= 4)) {
      for (const sql of m.sql.sqlite) db.exec(sql);
      db.prepare("INSERT INTO schema_migrations VALUES (?, ?, 0)").run(m.version, m.name);
    }
    for (const sql of Object.values(V4_ROWS)) db.exec(sql);
    db.close();
    await checkMigratedV4((network) => SqliteFundingStore.open(path, { network }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "postgres store: a version-4 database migrates to rows of mainnet, none of them sim",
  ignore: PG_URL === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await resetPostgres(PG_URL!);
    const sql = postgres(PG_URL!, { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(SCHEMA_MIGRATIONS_DDL);
      for (const m of MIGRATIONS.filter((m) => m.version <= 4)) {
        for (const statement of m.sql.postgres) await sql.unsafe(statement);
        await sql.unsafe("INSERT INTO schema_migrations VALUES ($1, $2, 0)", [m.version, m.name]);
      }
      for (const statement of Object.values(V4_ROWS)) await sql.unsafe(statement);
    } finally {
      await sql.end({ timeout: 1 });
    }
    await checkMigratedV4((network) =>
      PostgresFundingStore.open(PG_URL!, { maxConnections: 1, network })
    );
  },
});
