/**
 * Versioned schema of the funding stores. Each migration is plain SQL per dialect, applied
 * once in order and recorded in `schema_migrations`; the same version numbers describe the
 * same tables in SQLite and PostgreSQL. Decimals are `TEXT` in SQLite and `NUMERIC` in
 * PostgreSQL (exact in both); times are integer milliseconds since the epoch.
 *
 * @module
 */

/** SQL dialect. */
export type Dialect = "sqlite" | "postgres";

/** One schema migration. */
export interface Migration {
  /** Version, starting at 1, consecutive. */
  version: number;
  /** Short name. */
  name: string;
  /** Statements per dialect, run in order inside one transaction. */
  sql: Readonly<Record<Dialect, readonly string[]>>;
}

function types(d: Dialect) {
  return d === "sqlite"
    ? { dec: "TEXT", ms: "INTEGER", int: "INTEGER", real: "REAL" }
    : { dec: "NUMERIC", ms: "BIGINT", int: "INTEGER", real: "DOUBLE PRECISION" };
}

function rateColumns(d: Dialect): string {
  const t = types(d);
  return `venue TEXT NOT NULL,
    symbol TEXT NOT NULL,
    time ${t.ms} NOT NULL,
    venue_symbol TEXT NOT NULL,
    rate ${t.dec} NOT NULL,
    interval_hours ${t.real} NOT NULL CHECK (interval_hours > 0),
    hourly_rate ${t.dec} NOT NULL,
    apr ${t.dec} NOT NULL,
    next_funding_time ${t.ms},
    mark_price ${t.dec},
    index_price ${t.dec},
    volume_24h_usd ${t.dec},
    open_interest_usd ${t.dec},
    best_bid ${t.dec},
    best_ask ${t.dec},
    spread_bps ${t.dec},
    latency_ms ${t.int}`;
}

function initial(d: Dialect): string[] {
  const t = types(d);
  const noRowId = d === "sqlite" ? " WITHOUT ROWID" : "";
  return [
    `CREATE TABLE venues (
    name TEXT PRIMARY KEY,
    maker_fee ${t.dec} NOT NULL,
    taker_fee ${t.dec} NOT NULL,
    last_success_at ${t.ms},
    last_error_at ${t.ms},
    last_error TEXT,
    consecutive_errors ${t.int} NOT NULL DEFAULT 0
  )`,
    `CREATE TABLE funding_rates (
    ${rateColumns(d)},
    PRIMARY KEY (venue, symbol, time)
  )${noRowId}`,
    `CREATE INDEX funding_rates_time ON funding_rates (time)`,
    `CREATE TABLE latest_funding_rates (
    ${rateColumns(d)},
    PRIMARY KEY (venue, symbol)
  )${noRowId}`,
    `CREATE TABLE collection_logs (
    run_id TEXT NOT NULL,
    venue TEXT NOT NULL,
    started_at ${t.ms} NOT NULL,
    completed_at ${t.ms} NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('success', 'partial', 'failed')),
    symbols_fetched ${t.int} NOT NULL,
    symbols_failed ${t.int} NOT NULL,
    error_message TEXT,
    PRIMARY KEY (run_id, venue)
  )`,
    `CREATE INDEX collection_logs_venue_started ON collection_logs (venue, started_at DESC)`,
    `CREATE INDEX collection_logs_started ON collection_logs (started_at)`,
  ];
}

function streaks(d: Dialect): string[] {
  const t = types(d);
  return [
    `CREATE TABLE opportunity_streaks (
    symbol TEXT NOT NULL,
    long_venue TEXT NOT NULL,
    short_venue TEXT NOT NULL,
    since ${t.ms} NOT NULL,
    last_seen ${t.ms} NOT NULL,
    PRIMARY KEY (symbol, long_venue, short_venue)
  )`,
  ];
}

// PostgreSQL keeps rows in arrival order, so one series' hourly rows sit on as many pages as
// there are rows; a covering index lets a long history read be an index-only scan. SQLite's
// WITHOUT ROWID primary key already stores each series contiguously.
const seriesCover: Readonly<Record<Dialect, readonly string[]>> = {
  sqlite: [],
  postgres: [
    `CREATE INDEX funding_rates_series_cover ON funding_rates (venue, symbol, time)
     INCLUDE (rate, interval_hours, hourly_rate, apr)`,
  ],
};

// IF NOT EXISTS: a database reset that forgets these tables re-applies this migration cleanly.
function arbitrage(d: Dialect): string[] {
  const t = types(d);
  return [
    `CREATE TABLE IF NOT EXISTS arb_positions (
    id TEXT PRIMARY KEY,
    pair_key TEXT NOT NULL,
    owner TEXT NOT NULL,
    status TEXT NOT NULL,
    opened_at ${t.ms} NOT NULL,
    updated_at ${t.ms} NOT NULL,
    data TEXT NOT NULL
  )`,
    `CREATE INDEX IF NOT EXISTS arb_positions_status ON arb_positions (status, owner)`,
    `CREATE INDEX IF NOT EXISTS arb_positions_pair ON arb_positions (pair_key, opened_at)`,
    `CREATE TABLE IF NOT EXISTS arb_claims (
    pair_key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    claimed_at ${t.ms} NOT NULL,
    expires_at ${t.ms} NOT NULL
  )`,
  ];
}

// Version 5: every row carries the network it was collected on (`mainnet`, `testnet`, `sim`),
// so simulated and real data never mix even in one database; reads filter by the store's
// network. Rows that existed before are `mainnet` (no earlier version recorded a network).
// The latest-rate and history tables also gain the last settled rate beside the predicted one.
// SQLite cannot change a primary key in place: those tables are rebuilt and copied.
const NETWORK_DEFAULT = "'mainnet'";

function rateColumnsV5(d: Dialect): string {
  const t = types(d);
  return `network TEXT NOT NULL,
    ${rateColumns(d)},
    settled_rate ${t.dec},
    settled_time ${t.ms}`;
}

const V4_RATE_COLUMNS = [
  "venue",
  "symbol",
  "time",
  "venue_symbol",
  "rate",
  "interval_hours",
  "hourly_rate",
  "apr",
  "next_funding_time",
  "mark_price",
  "index_price",
  "volume_24h_usd",
  "open_interest_usd",
  "best_bid",
  "best_ask",
  "spread_bps",
  "latency_ms",
].join(", ");

function rebuild(table: string, ddl: string, columns: string): string[] {
  return [
    `CREATE TABLE ${table}_v5 ${ddl}`,
    `INSERT INTO ${table}_v5 (network, ${columns}) SELECT ${NETWORK_DEFAULT}, ${columns} FROM ${table}`,
    `DROP TABLE ${table}`,
    `ALTER TABLE ${table}_v5 RENAME TO ${table}`,
  ];
}

function networkSqlite(): string[] {
  const t = types("sqlite");
  return [
    ...rebuild(
      "funding_rates",
      `(${rateColumnsV5("sqlite")}, PRIMARY KEY (network, venue, symbol, time)) WITHOUT ROWID`,
      V4_RATE_COLUMNS,
    ),
    `CREATE INDEX funding_rates_time ON funding_rates (time)`,
    ...rebuild(
      "latest_funding_rates",
      `(${rateColumnsV5("sqlite")}, PRIMARY KEY (network, venue, symbol)) WITHOUT ROWID`,
      V4_RATE_COLUMNS,
    ),
    ...rebuild(
      "venues",
      `(network TEXT NOT NULL,
    name TEXT NOT NULL,
    maker_fee ${t.dec} NOT NULL,
    taker_fee ${t.dec} NOT NULL,
    last_success_at ${t.ms},
    last_error_at ${t.ms},
    last_error TEXT,
    consecutive_errors ${t.int} NOT NULL DEFAULT 0,
    PRIMARY KEY (network, name))`,
      "name, maker_fee, taker_fee, last_success_at, last_error_at, last_error, consecutive_errors",
    ),
    ...rebuild(
      "opportunity_streaks",
      `(network TEXT NOT NULL,
    symbol TEXT NOT NULL,
    long_venue TEXT NOT NULL,
    short_venue TEXT NOT NULL,
    since ${t.ms} NOT NULL,
    last_seen ${t.ms} NOT NULL,
    PRIMARY KEY (network, symbol, long_venue, short_venue))`,
      "symbol, long_venue, short_venue, since, last_seen",
    ),
    ...rebuild(
      "arb_claims",
      `(network TEXT NOT NULL,
    pair_key TEXT NOT NULL,
    owner TEXT NOT NULL,
    claimed_at ${t.ms} NOT NULL,
    expires_at ${t.ms} NOT NULL,
    PRIMARY KEY (network, pair_key))`,
      "pair_key, owner, claimed_at, expires_at",
    ),
    `ALTER TABLE collection_logs ADD COLUMN network TEXT NOT NULL DEFAULT ${NETWORK_DEFAULT}`,
    `CREATE INDEX collection_logs_network_venue ON collection_logs (network, venue, started_at DESC)`,
    `ALTER TABLE arb_positions ADD COLUMN network TEXT NOT NULL DEFAULT ${NETWORK_DEFAULT}`,
  ];
}

function networkPostgres(): string[] {
  const t = types("postgres");
  const addNetwork = (table: string) => [
    `ALTER TABLE ${table} ADD COLUMN network TEXT NOT NULL DEFAULT ${NETWORK_DEFAULT}`,
    `ALTER TABLE ${table} ALTER COLUMN network DROP DEFAULT`,
  ];
  const rekey = (table: string, key: string) => [
    `ALTER TABLE ${table} DROP CONSTRAINT ${table}_pkey`,
    `ALTER TABLE ${table} ADD PRIMARY KEY (${key})`,
  ];
  return [
    ...addNetwork("funding_rates"),
    `ALTER TABLE funding_rates ADD COLUMN settled_rate ${t.dec}, ADD COLUMN settled_time ${t.ms}`,
    ...rekey("funding_rates", "network, venue, symbol, time"),
    `DROP INDEX IF EXISTS funding_rates_series_cover`,
    `CREATE INDEX funding_rates_series_cover ON funding_rates (network, venue, symbol, time)
     INCLUDE (rate, interval_hours, hourly_rate, apr)`,
    ...addNetwork("latest_funding_rates"),
    `ALTER TABLE latest_funding_rates ADD COLUMN settled_rate ${t.dec},
     ADD COLUMN settled_time ${t.ms}`,
    ...rekey("latest_funding_rates", "network, venue, symbol"),
    ...addNetwork("venues"),
    ...rekey("venues", "network, name"),
    ...addNetwork("opportunity_streaks"),
    ...rekey("opportunity_streaks", "network, symbol, long_venue, short_venue"),
    ...addNetwork("arb_claims"),
    ...rekey("arb_claims", "network, pair_key"),
    ...addNetwork("collection_logs"),
    `CREATE INDEX collection_logs_network_venue ON collection_logs (network, venue, started_at DESC)`,
    ...addNetwork("arb_positions"),
  ];
}

/**
 * Every migration, oldest first.
 *
 * @example
 * ```ts
 * import { MIGRATIONS } from "./migrations.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 * deepEqual(MIGRATIONS.map((m) => m.version), [1, 2, 3, 4, 5]);
 * ```
 */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: "rates_latest_logs_venues",
    sql: { sqlite: initial("sqlite"), postgres: initial("postgres") },
  },
  {
    version: 2,
    name: "opportunity_streaks",
    sql: { sqlite: streaks("sqlite"), postgres: streaks("postgres") },
  },
  { version: 3, name: "funding_rates_series_cover", sql: seriesCover },
  {
    version: 4,
    name: "arbitrage_positions_and_claims",
    sql: { sqlite: arbitrage("sqlite"), postgres: arbitrage("postgres") },
  },
  {
    version: 5,
    name: "network_and_settled_rate",
    sql: { sqlite: networkSqlite(), postgres: networkPostgres() },
  },
]);

/** DDL of the migrations bookkeeping table. */
export const SCHEMA_MIGRATIONS_DDL: string = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;
