/**
 * The server store: PostgreSQL through npm `postgres`, for production and for many collectors
 * writing one database. When the TimescaleDB extension is available, `funding_rates` becomes
 * a hypertable (7-day chunks); otherwise it stays a plain table with the same schema.
 *
 * @module
 */
import postgres from "postgres";
import { getLogger } from "@logtape/logtape";
import { registerSecret } from "../base.ts";
import { UNKNOWN_VENUE_FEES, type VenueFees } from "./fees.ts";
import { MIGRATIONS, SCHEMA_MIGRATIONS_DDL } from "./migrations.ts";
import type { CollectionLog, FundingObservation, VenueHealth, VenueRecord } from "./model.ts";
import {
  logRow,
  observationRow,
  RATE_COLUMNS,
  rowArbPosition,
  rowClaim,
  rowLog,
  rowObservation,
  rowPoint,
  rowStreak,
  rowVenue,
} from "./_rows.ts";
import {
  ARB_FINAL_STATUSES,
  checkNetwork,
  DAY_MS,
  DEFAULT_RETENTION,
  type FundingStore,
  type HistoryPoint,
  type HistoryQuery,
  type LatestFilter,
  type OpportunityStreak,
  type PairClaim,
  type RetentionPolicy,
  type StoredArbPosition,
  StoreOpenError,
  type StoreStats,
} from "./store.ts";

const log = getLogger(["perp", "funding", "store"]);

// Column casts for `unnest` batch inserts.
const CASTS: Record<(typeof RATE_COLUMNS)[number], string> = {
  network: "text",
  venue: "text",
  symbol: "text",
  time: "bigint",
  venue_symbol: "text",
  rate: "numeric",
  interval_hours: "float8",
  hourly_rate: "numeric",
  apr: "numeric",
  next_funding_time: "bigint",
  mark_price: "numeric",
  index_price: "numeric",
  volume_24h_usd: "numeric",
  open_interest_usd: "numeric",
  best_bid: "numeric",
  best_ask: "numeric",
  spread_bps: "numeric",
  latency_ms: "integer",
  settled_rate: "numeric",
  settled_time: "bigint",
};
const COLS = RATE_COLUMNS.join(", ");
const UNNEST = `SELECT * FROM unnest(${
  RATE_COLUMNS.map((c, i) => `$${i + 1}::${CASTS[c]}[]`).join(", ")
})`;
const UPDATE_LATEST = RATE_COLUMNS.filter((c) => c !== "network" && c !== "venue" && c !== "symbol")
  .map((c) => `${c} = EXCLUDED.${c}`).join(", ");
// Arbitrary constant key of the advisory lock serialising migrations across processes.
const MIGRATION_LOCK = 72_410_318;

type Sql = postgres.Sql<Record<string, never>>;

/** `postgres://user:***@host:port/db` (the password masked), or the scheme when unparsable. */
function maskPostgresUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/i, "$1***@");
}

function postgresOpenError(url: string, what: string, error: unknown): StoreOpenError {
  const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0];
  const code = String((error as { code?: unknown } | null)?.code ?? "");
  let hint = "check --db or DATABASE_URL";
  if (
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|CONNECT_TIMEOUT|ConnectionRefused/i.test(
      reason + code,
    )
  ) {
    hint = "is PostgreSQL running and listening there? Start it, or fix the host and port in " +
      "--db / DATABASE_URL (or omit both to use the SQLite file)";
  } else if (code === "28P01" || code === "28000" || /password|authentication/i.test(reason)) {
    hint = "the server refused the login: check the user and password in --db / DATABASE_URL";
  } else if (code === "3D000") {
    hint = "the database does not exist: create it (createdb) or fix its name in the URL";
  } else if (/--allow-net|NotCapable/i.test(reason)) {
    hint = "this process may not connect there: run with --allow-net";
  }
  return new StoreOpenError(
    `${what} the PostgreSQL funding store ${maskPostgresUrl(url)}: ${reason} (${hint})`,
    { cause: error },
  );
}
type Param = postgres.ParameterOrJSON<never>;

/** Options of {@linkcode PostgresFundingStore}. */
export interface PostgresStoreOptions {
  /** Run pending migrations when opening. @default {true} */
  migrate?: boolean;
  /** Largest number of pooled connections. @default {10} */
  maxConnections?: number;
  /** Seconds to wait for a connection. @default {10} */
  connectTimeoutSeconds?: number;
  /** Seconds after which an idle pooled connection is closed. @default {60} */
  idleTimeoutSeconds?: number;
  /**
   * The network this store reads and writes: every row written carries it and every read
   * returns only its rows. @default {"mainnet"}
   */
  network?: string;
}

function columns(observations: readonly FundingObservation[], network: string): Param[] {
  const cols: (string | number | null)[][] = RATE_COLUMNS.map(() => []);
  for (const o of observations) {
    const row = observationRow(o, network);
    for (let i = 0; i < row.length; i++) cols[i].push(row[i]);
  }
  return cols as unknown as Param[];
}

/**
 * A {@linkcode FundingStore} in PostgreSQL (TimescaleDB hypertable when available).
 *
 * Connections: one pool per store, opened once and reused by every collection and query; it
 * holds at most `maxConnections`, closes idle ones after `idleTimeoutSeconds` and replaces each
 * after at most 30 minutes. Every statement has a fixed text, so the prepared-statement cache
 * of a connection is bounded by the number of statements.
 *
 * @example
 * ```ts ignore
 * import { PostgresFundingStore } from "./postgres_store.ts";
 *
 * await using store = await PostgresFundingStore.open("postgres://perp@localhost/funding");
 * console.log((await store.stats(Date.now())).schemaVersion);
 * ```
 */
export class PostgresFundingStore implements FundingStore {
  /** Always `"postgres"`. */
  readonly kind = "postgres" as const;
  /** {@inheritDoc FundingStore.network} */
  readonly network: string;
  readonly #sql: Sql;
  #hypertable = false;
  #closed = false;

  private constructor(sql: Sql, network: string) {
    this.#sql = sql;
    this.network = network;
  }

  /**
   * Connects and migrates.
   *
   * @param url A `postgres://user:password@host:port/database` URL; the password is
   *   registered as a secret so it never reaches a log line or error message.
   * @param options Pool size, connect timeout, whether to migrate.
   * @returns The open store.
   * @throws {StoreOpenError} When the server cannot be reached, refuses the login or a
   *   migration fails; the message names the database (URL without its password).
   */
  static async open(
    url: string,
    options: PostgresStoreOptions = {},
  ): Promise<PostgresFundingStore> {
    const network = checkNetwork(options.network);
    try {
      const password = new URL(url).password;
      if (password) registerSecret(decodeURIComponent(password));
    } catch {
      // not a URL: postgres() reports it
    }
    const sql = postgres(url, {
      max: options.maxConnections ?? 10,
      connect_timeout: options.connectTimeoutSeconds ?? 10,
      idle_timeout: options.idleTimeoutSeconds ?? 60,
      max_lifetime: 30 * 60,
      onnotice: () => {},
      prepare: true,
    }) as unknown as Sql;
    const store = new PostgresFundingStore(sql, network);
    try {
      await store.ping();
    } catch (error) {
      await sql.end({ timeout: 1 });
      throw postgresOpenError(url, "cannot connect to", error);
    }
    try {
      if (options.migrate ?? true) await store.migrate();
    } catch (error) {
      await sql.end({ timeout: 1 });
      throw postgresOpenError(url, "cannot migrate", error);
    }
    return store;
  }

  /** Whether `funding_rates` is a TimescaleDB hypertable (known after `migrate()`). */
  get hypertable(): boolean {
    return this.#hypertable;
  }

  /** {@inheritDoc FundingStore.migrate} */
  async migrate(): Promise<number> {
    const version = await this.#sql.begin(async (tx) => {
      await tx.unsafe(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
      await tx.unsafe(SCHEMA_MIGRATIONS_DDL);
      const [row] = await tx.unsafe("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations");
      let version = Number(row.v);
      for (const m of MIGRATIONS) {
        if (m.version <= version) continue;
        for (const statement of m.sql.postgres) await tx.unsafe(statement);
        if (m.version === 1) await this.#tryHypertable(tx as unknown as Sql);
        await tx.unsafe(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
          [m.version, m.name, Date.now()],
        );
        version = m.version;
      }
      return version;
    });
    this.#hypertable = await this.#isHypertable();
    return version;
  }

  async #tryHypertable(tx: Sql): Promise<void> {
    const available = await tx.unsafe(
      "SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'",
    );
    if (available.length === 0) return;
    try {
      await (tx as unknown as postgres.TransactionSql).savepoint(async (sp) => {
        await sp.unsafe("CREATE EXTENSION IF NOT EXISTS timescaledb");
        await sp.unsafe(
          "SELECT create_hypertable('funding_rates', 'time', chunk_time_interval => 604800000, " +
            "if_not_exists => TRUE, migrate_data => TRUE)",
        );
      });
    } catch (error) {
      log.warn("TimescaleDB is installed but unusable; keeping a plain table: {error}", {
        error: String(error),
      });
    }
  }

  async #isHypertable(): Promise<boolean> {
    try {
      const rows = await this.#sql.unsafe(
        `SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`,
      );
      if (rows.length === 0) return false;
      const h = await this.#sql.unsafe(
        `SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = 'funding_rates'`,
      );
      return h.length > 0;
    } catch {
      return false;
    }
  }

  /** {@inheritDoc FundingStore.schemaVersion} */
  async schemaVersion(): Promise<number> {
    const [exists] = await this.#sql.unsafe(
      "SELECT to_regclass('schema_migrations') IS NOT NULL AS e",
    );
    if (!exists.e) return 0;
    const [row] = await this.#sql.unsafe(
      "SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations",
    );
    return Number(row.v);
  }

  /** {@inheritDoc FundingStore.saveObservations} */
  async saveObservations(observations: readonly FundingObservation[]): Promise<number> {
    if (observations.length === 0) return 0;
    // One upsert may not touch a row twice: keep the newest observation per series.
    const newest = new Map<string, FundingObservation>();
    for (const o of observations) {
      const key = `${o.venue}\u0000${o.symbol}`;
      const seen = newest.get(key);
      if (!seen || o.time >= seen.time) newest.set(key, o);
    }
    return await this.#sql.begin(async (tx) => {
      const inserted = await tx.unsafe(
        `INSERT INTO funding_rates (${COLS}) ${UNNEST} ON CONFLICT DO NOTHING`,
        columns(observations, this.network),
      );
      await tx.unsafe(
        `INSERT INTO latest_funding_rates (${COLS}) ${UNNEST}
         ON CONFLICT (network, venue, symbol) DO UPDATE SET ${UPDATE_LATEST}
         WHERE latest_funding_rates.time <= EXCLUDED.time`,
        columns([...newest.values()], this.network),
      );
      return inserted.count;
    });
  }

  /** {@inheritDoc FundingStore.latestRates} */
  async latestRates(filter: LatestFilter = {}): Promise<FundingObservation[]> {
    const rows = await this.#sql.unsafe(
      `SELECT * FROM latest_funding_rates
       WHERE network = $3 AND ($1::text IS NULL OR venue = $1)
         AND ($2::text IS NULL OR symbol = $2)
       ORDER BY symbol, venue`,
      [filter.venue ?? null, filter.symbol ?? null, this.network],
    );
    return rows.map(rowObservation);
  }

  /** {@inheritDoc FundingStore.history} */
  async history(
    venue: string,
    symbol: string,
    query: HistoryQuery = {},
  ): Promise<FundingObservation[]> {
    const rows = await this.#sql.unsafe(
      `SELECT * FROM (
         SELECT * FROM funding_rates
         WHERE network = $6 AND venue = $1 AND symbol = $2 AND time >= $3 AND time <= $4
         ORDER BY time DESC LIMIT $5
       ) AS h ORDER BY time`,
      [
        venue,
        symbol,
        query.start ?? 0,
        query.end ?? Number.MAX_SAFE_INTEGER,
        query.limit ?? null,
        this.network,
      ],
    );
    return rows.map(rowObservation);
  }

  /** {@inheritDoc FundingStore.historyPoints} */
  async historyPoints(
    venue: string,
    symbol: string,
    query: HistoryQuery = {},
  ): Promise<HistoryPoint[]> {
    // Decimals travel as text so they come back exactly as stored, without a numeric parse.
    const rows = await this.#sql.unsafe(
      `SELECT time::text AS time, rate::text AS rate, interval_hours,
         hourly_rate::text AS hourly_rate, apr::text AS apr FROM (
         SELECT time, rate, interval_hours, hourly_rate, apr FROM funding_rates
         WHERE network = $6 AND venue = $1 AND symbol = $2 AND time >= $3 AND time <= $4
         ORDER BY time DESC LIMIT $5
       ) AS h ORDER BY h.time`,
      [
        venue,
        symbol,
        query.start ?? 0,
        query.end ?? Number.MAX_SAFE_INTEGER,
        query.limit ?? null,
        this.network,
      ],
    );
    return rows.map(rowPoint);
  }

  /** {@inheritDoc FundingStore.saveCollectionLogs} */
  async saveCollectionLogs(logs: readonly CollectionLog[]): Promise<void> {
    await this.#sql.begin(async (tx) => {
      for (const l of logs) {
        await tx.unsafe(
          `INSERT INTO collection_logs (network, run_id, venue, started_at, completed_at,
             status, symbols_fetched, symbols_failed, error_message)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (run_id, venue) DO UPDATE SET started_at = EXCLUDED.started_at,
             completed_at = EXCLUDED.completed_at, status = EXCLUDED.status,
             symbols_fetched = EXCLUDED.symbols_fetched, symbols_failed = EXCLUDED.symbols_failed,
             error_message = EXCLUDED.error_message`,
          logRow(l, this.network),
        );
      }
    });
  }

  /** {@inheritDoc FundingStore.collectionLogs} */
  async collectionLogs(
    options: { venue?: string; limit?: number } = {},
  ): Promise<CollectionLog[]> {
    const rows = await this.#sql.unsafe(
      `SELECT * FROM collection_logs WHERE network = $3 AND ($1::text IS NULL OR venue = $1)
       ORDER BY started_at DESC, venue LIMIT $2`,
      [options.venue ?? null, options.limit ?? 100, this.network],
    );
    return rows.map(rowLog);
  }

  /** {@inheritDoc FundingStore.ensureVenues} */
  async ensureVenues(venues: readonly { venue: string; fees: VenueFees }[]): Promise<void> {
    for (const v of venues) {
      await this.#sql.unsafe(
        `INSERT INTO venues (network, name, maker_fee, taker_fee) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING`,
        [this.network, v.venue, v.fees.maker.toString(), v.fees.taker.toString()],
      );
    }
  }

  /** {@inheritDoc FundingStore.setVenueFees} */
  async setVenueFees(venue: string, fees: VenueFees): Promise<void> {
    await this.#sql.unsafe(
      `INSERT INTO venues (network, name, maker_fee, taker_fee) VALUES ($1, $2, $3, $4)
       ON CONFLICT (network, name) DO UPDATE SET maker_fee = EXCLUDED.maker_fee,
         taker_fee = EXCLUDED.taker_fee`,
      [this.network, venue, fees.maker.toString(), fees.taker.toString()],
    );
  }

  /** {@inheritDoc FundingStore.saveVenueHealth} */
  async saveVenueHealth(health: readonly VenueHealth[]): Promise<void> {
    for (const h of health) {
      await this.#sql.unsafe(
        `INSERT INTO venues (network, name, maker_fee, taker_fee, last_success_at, last_error_at,
           last_error, consecutive_errors) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (network, name) DO UPDATE SET last_success_at = EXCLUDED.last_success_at,
           last_error_at = EXCLUDED.last_error_at, last_error = EXCLUDED.last_error,
           consecutive_errors = EXCLUDED.consecutive_errors`,
        [
          this.network,
          h.venue,
          UNKNOWN_VENUE_FEES.maker.toString(),
          UNKNOWN_VENUE_FEES.taker.toString(),
          h.lastSuccessAt ?? null,
          h.lastErrorAt ?? null,
          h.lastError ?? null,
          h.consecutiveErrors,
        ],
      );
    }
  }

  /** {@inheritDoc FundingStore.venues} */
  async venues(): Promise<VenueRecord[]> {
    return (await this.#sql.unsafe(
      "SELECT * FROM venues WHERE network = $1 ORDER BY name",
      [this.network],
    )).map(rowVenue);
  }

  /** {@inheritDoc FundingStore.replaceStreaks} */
  async replaceStreaks(streaks: readonly OpportunityStreak[]): Promise<void> {
    await this.#sql.begin(async (tx) => {
      await tx.unsafe("DELETE FROM opportunity_streaks WHERE network = $1", [this.network]);
      if (streaks.length === 0) return;
      await tx.unsafe(
        `INSERT INTO opportunity_streaks (network, symbol, long_venue, short_venue, since,
           last_seen)
         SELECT $6, * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])`,
        [
          streaks.map((s) => s.symbol),
          streaks.map((s) => s.longVenue),
          streaks.map((s) => s.shortVenue),
          streaks.map((s) => s.since),
          streaks.map((s) => s.lastSeen),
          this.network,
        ] as unknown as Param[],
      );
    });
  }

  /** {@inheritDoc FundingStore.streaks} */
  async streaks(): Promise<OpportunityStreak[]> {
    return (await this.#sql.unsafe(
      `SELECT * FROM opportunity_streaks WHERE network = $1
       ORDER BY symbol, long_venue, short_venue`,
      [this.network],
    )).map(rowStreak);
  }

  /** {@inheritDoc FundingStore.saveArbPosition} */
  async saveArbPosition(p: StoredArbPosition): Promise<void> {
    await this.#sql.unsafe(
      `INSERT INTO arb_positions (id, pair_key, owner, status, opened_at, updated_at, data,
         network) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET pair_key = excluded.pair_key, owner = excluded.owner,
         status = excluded.status, updated_at = excluded.updated_at, data = excluded.data`,
      [
        p.id,
        p.pairKey,
        p.owner,
        p.status,
        p.openedAt,
        p.updatedAt,
        p.data,
        this.network,
      ] as unknown as Param[],
    );
  }

  /** {@inheritDoc FundingStore.arbPositions} */
  async arbPositions(
    filter: { owner?: string; pairKey?: string; held?: boolean; since?: number } = {},
  ): Promise<StoredArbPosition[]> {
    const rows = (await this.#sql.unsafe(
      `SELECT * FROM arb_positions
       WHERE network = $4 AND ($1::text IS NULL OR owner = $1)
         AND ($2::text IS NULL OR pair_key = $2) AND opened_at >= $3
       ORDER BY opened_at, id`,
      [
        filter.owner ?? null,
        filter.pairKey ?? null,
        filter.since ?? 0,
        this.network,
      ] as unknown as Param[],
    )).map(rowArbPosition);
    return filter.held ? rows.filter((r) => !ARB_FINAL_STATUSES.includes(r.status)) : rows;
  }

  /** {@inheritDoc FundingStore.claimPair} */
  async claimPair(pairKey: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    // One statement: the row lock of INSERT … ON CONFLICT serialises concurrent claimers.
    const rows = await this.#sql.unsafe(
      `INSERT INTO arb_claims (pair_key, owner, claimed_at, expires_at, network)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (network, pair_key) DO UPDATE SET owner = excluded.owner,
         claimed_at = CASE WHEN arb_claims.owner = excluded.owner THEN arb_claims.claimed_at
           ELSE excluded.claimed_at END,
         expires_at = excluded.expires_at
       WHERE arb_claims.owner = excluded.owner OR arb_claims.expires_at <= $3
       RETURNING owner`,
      [pairKey, owner, now, now + ttlMs, this.network] as unknown as Param[],
    );
    return rows.length === 1 && String(rows[0].owner) === owner;
  }

  /** {@inheritDoc FundingStore.releasePair} */
  async releasePair(pairKey: string, owner: string): Promise<void> {
    await this.#sql.unsafe(
      "DELETE FROM arb_claims WHERE pair_key = $1 AND owner = $2 AND network = $3",
      [pairKey, owner, this.network] as unknown as Param[],
    );
  }

  /** {@inheritDoc FundingStore.pairClaims} */
  async pairClaims(): Promise<PairClaim[]> {
    return (await this.#sql.unsafe(
      "SELECT * FROM arb_claims WHERE network = $1 ORDER BY pair_key",
      [this.network],
    )).map(rowClaim);
  }

  /** {@inheritDoc FundingStore.prune} */
  async prune(
    now: number,
    policy: RetentionPolicy = {},
  ): Promise<{ rates: number; logs: number }> {
    const ratesDays = policy.ratesDays ?? DEFAULT_RETENTION.ratesDays;
    const logsDays = policy.logsDays ?? DEFAULT_RETENTION.logsDays;
    const rates = await this.#sql.unsafe(
      "DELETE FROM funding_rates WHERE network = $2 AND time < $1",
      [now - ratesDays * DAY_MS, this.network],
    );
    const logs = await this.#sql.unsafe(
      "DELETE FROM collection_logs WHERE network = $2 AND started_at < $1",
      [now - logsDays * DAY_MS, this.network],
    );
    return { rates: rates.count, logs: logs.count };
  }

  /** {@inheritDoc FundingStore.stats} */
  async stats(now: number): Promise<StoreStats> {
    const [row] = await this.#sql.unsafe(
      `SELECT
         (SELECT COUNT(*) FROM venues WHERE network = $2) AS venues,
         (SELECT COUNT(DISTINCT symbol) FROM latest_funding_rates WHERE network = $2) AS symbols,
         (SELECT COUNT(*) FROM latest_funding_rates WHERE network = $2) AS latest,
         (SELECT COUNT(*) FROM funding_rates WHERE network = $2) AS rates,
         (SELECT COUNT(*) FROM funding_rates WHERE network = $2 AND time >= $1) AS recent,
         (SELECT COUNT(*) FROM collection_logs WHERE network = $2) AS logs,
         (SELECT COALESCE(MAX(version), 0) FROM schema_migrations) AS version`,
      [now - DAY_MS, this.network],
    );
    return {
      venues: Number(row.venues),
      symbols: Number(row.symbols),
      latestRates: Number(row.latest),
      rates: Number(row.rates),
      ratesLast24h: Number(row.recent),
      collectionLogs: Number(row.logs),
      schemaVersion: Number(row.version),
    };
  }

  /** {@inheritDoc FundingStore.ping} */
  async ping(): Promise<void> {
    await this.#sql.unsafe("SELECT 1");
  }

  /** {@inheritDoc FundingStore.close} */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#sql.end({ timeout: 5 });
  }

  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
