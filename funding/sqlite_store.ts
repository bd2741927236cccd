/**
 * The embedded store: SQLite through `node:sqlite` (no native add-on, no FFI; Deno needs only
 * read / write permission on the file's folder). The default file is `data/funding.db`; its
 * folder is created on first use.
 *
 * @module
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { dirname } from "node:path";
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

function sqliteOpenError(path: string, error: unknown): StoreOpenError | RangeError {
  if (error instanceof RangeError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string } | null)?.code ?? "";
  let hint = "check the --db path";
  if (/not a database|file is encrypted|malformed/i.test(reason)) {
    hint = "the file is not a SQLite database: pass another --db path or move the file away";
  } else if (error instanceof Deno.errors.NotCapable || /--allow-write|--allow-read/.test(reason)) {
    hint = "this process may not write there: run with --allow-write for that folder";
  } else if (error instanceof Deno.errors.PermissionDenied || /EACCES|EPERM/.test(code)) {
    hint = "the operating system denies access: check the folder's and file's permissions";
  } else if (/unable to open|cannot open/i.test(reason)) {
    hint = "check that the folder exists and can be written";
  }
  return new StoreOpenError(
    `cannot open the SQLite funding store ${path}: ${reason.split("\n")[0]} (${hint})`,
    { cause: error },
  );
}

const COLS = RATE_COLUMNS.join(", ");
const MARKS = RATE_COLUMNS.map(() => "?").join(", ");
const UPDATE_LATEST = RATE_COLUMNS.filter((c) => c !== "network" && c !== "venue" && c !== "symbol")
  .map((c) => `${c} = excluded.${c}`).join(", ");

/** Options of {@linkcode SqliteFundingStore}. */
export interface SqliteStoreOptions {
  /** Run pending migrations when opening. @default {true} */
  migrate?: boolean;
  /**
   * Write transactions between two WAL checkpoints (`wal_checkpoint(TRUNCATE)`), so the
   * write-ahead log of a long-running service never grows past one interval's writes.
   * @default {100}
   */
  checkpointEvery?: number;
  /**
   * The network this store reads and writes (`mainnet`, `testnet`, `sim`): every row written
   * carries it and every read returns only its rows, so simulated and real data never mix
   * even in one file. @default {"mainnet"}
   */
  network?: string;
}

/**
 * A {@linkcode FundingStore} in one SQLite file (or `":memory:"`).
 *
 * @example
 * ```ts
 * import { fundingRate } from "../base.ts";
 * import { SqliteFundingStore } from "./sqlite_store.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * await using store = await SqliteFundingStore.open(":memory:");
 * const o = {
 *   venue: "edgex", symbol: "BTC", venueSymbol: "BTCUSD", time: 1_000,
 *   ...fundingRate({ rate: "0.00004", intervalHours: 4 }),
 * };
 * equal(await store.saveObservations([o]), 1);
 * equal(await store.saveObservations([o]), 0); // same key: nothing new
 * equal((await store.latestRates())[0].hourlyRate.toString(), "0.00001");
 * ```
 */
export class SqliteFundingStore implements FundingStore {
  /** Always `"sqlite"`. */
  readonly kind = "sqlite" as const;
  /** {@inheritDoc FundingStore.network} */
  readonly network: string;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  readonly #checkpointEvery: number;
  readonly #wal: boolean;
  #writes = 0;
  #closed = false;

  private constructor(db: DatabaseSync, wal: boolean, checkpointEvery: number, network: string) {
    this.network = network;
    this.#db = db;
    this.#wal = wal;
    this.#checkpointEvery = checkpointEvery;
  }

  /**
   * Opens (creating the file and its folder if needed) and migrates a store.
   *
   * @param path File path, or `":memory:"`.
   * @param options Whether to migrate.
   * @returns The open store.
   * @throws {StoreOpenError} When the file cannot be created or opened, or is not a SQLite
   *   database; the message names the path and what to do.
   */
  static async open(path: string, options: SqliteStoreOptions = {}): Promise<SqliteFundingStore> {
    const network = checkNetwork(options.network);
    try {
      return await SqliteFundingStore.#open(path, options, network);
    } catch (error) {
      throw sqliteOpenError(path, error);
    }
  }

  static async #open(
    path: string,
    options: SqliteStoreOptions,
    network: string,
  ): Promise<SqliteFundingStore> {
    if (path !== ":memory:") await Deno.mkdir(dirname(path), { recursive: true });
    const db = new DatabaseSync(path);
    db.exec("PRAGMA busy_timeout = 5000");
    const wal = path !== ":memory:";
    if (wal) {
      db.exec("PRAGMA journal_mode = WAL");
      // A checkpoint that cannot truncate (a reader is active) still caps the file at this size.
      db.exec("PRAGMA journal_size_limit = 67108864");
    }
    db.exec("PRAGMA synchronous = NORMAL");
    const every = options.checkpointEvery ?? 100;
    if (!(Number.isInteger(every) && every > 0)) {
      db.close();
      throw new RangeError(`checkpointEvery must be a positive integer: got ${every}`);
    }
    const store = new SqliteFundingStore(db, wal, every, network);
    try {
      if (options.migrate ?? true) await store.migrate();
    } catch (error) {
      db.close();
      throw error;
    }
    return store;
  }

  #prepare(sql: string): StatementSync {
    let st = this.#statements.get(sql);
    if (!st) {
      st = this.#db.prepare(sql);
      this.#statements.set(sql, st);
    }
    return st;
  }

  #all(sql: string, ...params: SQLInputValue[]): Record<string, unknown>[] {
    return this.#prepare(sql).all(...params) as Record<string, unknown>[];
  }

  #tx<T>(fn: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    let result: T;
    try {
      result = fn();
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
    if (++this.#writes >= this.#checkpointEvery) this.checkpoint();
    return result;
  }

  /**
   * Copies the write-ahead log into the database file and truncates it (runs by itself every
   * `checkpointEvery` write transactions). A no-op for `":memory:"`.
   *
   * @returns Whether the checkpoint completed (false when a reader kept it from finishing).
   *
   * @example
   * ```ts
   * import { SqliteFundingStore } from "./sqlite_store.ts";
   * await using store = await SqliteFundingStore.open(":memory:");
   * store.checkpoint();
   * ```
   */
  checkpoint(): boolean {
    this.#writes = 0;
    if (!this.#wal || this.#closed) return true;
    const row = this.#db.prepare("PRAGMA wal_checkpoint(TRUNCATE)").get() as
      | { busy: number }
      | undefined;
    return (row?.busy ?? 0) === 0;
  }

  /** {@inheritDoc FundingStore.migrate} */
  migrate(): Promise<number> {
    this.#db.exec(SCHEMA_MIGRATIONS_DDL);
    return Promise.resolve(this.#tx(() => {
      let version = this.#version();
      for (const m of MIGRATIONS) {
        if (m.version <= version) continue;
        for (const sql of m.sql.sqlite) this.#db.exec(sql);
        this.#db.prepare(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
        )
          .run(m.version, m.name, Date.now());
        version = m.version;
      }
      return version;
    }));
  }

  #version(): number {
    const row = this.#db.prepare("SELECT MAX(version) AS v FROM schema_migrations").get() as
      | { v: number | null }
      | undefined;
    return row?.v ?? 0;
  }

  /** {@inheritDoc FundingStore.schemaVersion} */
  schemaVersion(): Promise<number> {
    this.#db.exec(SCHEMA_MIGRATIONS_DDL);
    return Promise.resolve(this.#version());
  }

  /** {@inheritDoc FundingStore.saveObservations} */
  saveObservations(observations: readonly FundingObservation[]): Promise<number> {
    const insert = this.#prepare(
      `INSERT INTO funding_rates (${COLS}) VALUES (${MARKS}) ON CONFLICT DO NOTHING`,
    );
    const latest = this.#prepare(
      `INSERT INTO latest_funding_rates (${COLS}) VALUES (${MARKS})
       ON CONFLICT (network, venue, symbol) DO UPDATE SET ${UPDATE_LATEST}
       WHERE excluded.time >= latest_funding_rates.time`,
    );
    return Promise.resolve(this.#tx(() => {
      let inserted = 0;
      for (const o of observations) {
        const row = observationRow(o, this.network);
        inserted += Number(insert.run(...row).changes);
        latest.run(...row);
      }
      return inserted;
    }));
  }

  /** {@inheritDoc FundingStore.latestRates} */
  latestRates(filter: LatestFilter = {}): Promise<FundingObservation[]> {
    const rows = this.#all(
      `SELECT * FROM latest_funding_rates
       WHERE network = ?3 AND (?1 IS NULL OR venue = ?1) AND (?2 IS NULL OR symbol = ?2)
       ORDER BY symbol, venue`,
      filter.venue ?? null,
      filter.symbol ?? null,
      this.network,
    );
    return Promise.resolve(rows.map(rowObservation));
  }

  /** {@inheritDoc FundingStore.history} */
  history(venue: string, symbol: string, query: HistoryQuery = {}): Promise<FundingObservation[]> {
    const rows = this.#all(
      `SELECT * FROM (
         SELECT * FROM funding_rates
         WHERE network = ? AND venue = ? AND symbol = ? AND time >= ? AND time <= ?
         ORDER BY time DESC LIMIT ?
       ) ORDER BY time`,
      this.network,
      venue,
      symbol,
      query.start ?? 0,
      query.end ?? Number.MAX_SAFE_INTEGER,
      query.limit ?? -1,
    );
    return Promise.resolve(rows.map(rowObservation));
  }

  /** {@inheritDoc FundingStore.historyPoints} */
  historyPoints(venue: string, symbol: string, query: HistoryQuery = {}): Promise<HistoryPoint[]> {
    const rows = this.#all(
      `SELECT * FROM (
         SELECT time, rate, interval_hours, hourly_rate, apr FROM funding_rates
         WHERE network = ? AND venue = ? AND symbol = ? AND time >= ? AND time <= ?
         ORDER BY time DESC LIMIT ?
       ) ORDER BY time`,
      this.network,
      venue,
      symbol,
      query.start ?? 0,
      query.end ?? Number.MAX_SAFE_INTEGER,
      query.limit ?? -1,
    );
    return Promise.resolve(rows.map(rowPoint));
  }

  /** {@inheritDoc FundingStore.saveCollectionLogs} */
  saveCollectionLogs(logs: readonly CollectionLog[]): Promise<void> {
    const st = this.#prepare(
      `INSERT INTO collection_logs (network, run_id, venue, started_at, completed_at, status,
         symbols_fetched, symbols_failed, error_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, venue) DO UPDATE SET started_at = excluded.started_at,
         completed_at = excluded.completed_at, status = excluded.status,
         symbols_fetched = excluded.symbols_fetched, symbols_failed = excluded.symbols_failed,
         error_message = excluded.error_message`,
    );
    this.#tx(() => {
      for (const l of logs) st.run(...logRow(l, this.network));
    });
    return Promise.resolve();
  }

  /** {@inheritDoc FundingStore.collectionLogs} */
  collectionLogs(options: { venue?: string; limit?: number } = {}): Promise<CollectionLog[]> {
    const rows = this.#all(
      `SELECT * FROM collection_logs WHERE network = ?3 AND (?1 IS NULL OR venue = ?1)
       ORDER BY started_at DESC, venue LIMIT ?2`,
      options.venue ?? null,
      options.limit ?? 100,
      this.network,
    );
    return Promise.resolve(rows.map(rowLog));
  }

  /** {@inheritDoc FundingStore.ensureVenues} */
  ensureVenues(venues: readonly { venue: string; fees: VenueFees }[]): Promise<void> {
    const st = this.#prepare(
      `INSERT INTO venues (network, name, maker_fee, taker_fee) VALUES (?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    );
    this.#tx(() => {
      for (const v of venues) {
        st.run(this.network, v.venue, v.fees.maker.toString(), v.fees.taker.toString());
      }
    });
    return Promise.resolve();
  }

  /** {@inheritDoc FundingStore.setVenueFees} */
  setVenueFees(venue: string, fees: VenueFees): Promise<void> {
    this.#prepare(
      `INSERT INTO venues (network, name, maker_fee, taker_fee) VALUES (?, ?, ?, ?)
       ON CONFLICT (network, name) DO UPDATE SET maker_fee = excluded.maker_fee,
         taker_fee = excluded.taker_fee`,
    ).run(this.network, venue, fees.maker.toString(), fees.taker.toString());
    return Promise.resolve();
  }

  /** {@inheritDoc FundingStore.saveVenueHealth} */
  saveVenueHealth(health: readonly VenueHealth[]): Promise<void> {
    const st = this.#prepare(
      `INSERT INTO venues (network, name, maker_fee, taker_fee, last_success_at, last_error_at,
         last_error, consecutive_errors) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (network, name) DO UPDATE SET last_success_at = excluded.last_success_at,
         last_error_at = excluded.last_error_at, last_error = excluded.last_error,
         consecutive_errors = excluded.consecutive_errors`,
    );
    this.#tx(() => {
      for (const h of health) {
        st.run(
          this.network,
          h.venue,
          UNKNOWN_VENUE_FEES.maker.toString(),
          UNKNOWN_VENUE_FEES.taker.toString(),
          h.lastSuccessAt ?? null,
          h.lastErrorAt ?? null,
          h.lastError ?? null,
          h.consecutiveErrors,
        );
      }
    });
    return Promise.resolve();
  }

  /** {@inheritDoc FundingStore.venues} */
  venues(): Promise<VenueRecord[]> {
    return Promise.resolve(
      this.#all("SELECT * FROM venues WHERE network = ? ORDER BY name", this.network)
        .map(rowVenue),
    );
  }

  /** {@inheritDoc FundingStore.replaceStreaks} */
  replaceStreaks(streaks: readonly OpportunityStreak[]): Promise<void> {
    const st = this.#prepare(
      `INSERT INTO opportunity_streaks (network, symbol, long_venue, short_venue, since,
         last_seen) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.#tx(() => {
      this.#prepare("DELETE FROM opportunity_streaks WHERE network = ?").run(this.network);
      for (const s of streaks) {
        st.run(this.network, s.symbol, s.longVenue, s.shortVenue, s.since, s.lastSeen);
      }
    });
    return Promise.resolve();
  }

  /** {@inheritDoc FundingStore.streaks} */
  streaks(): Promise<OpportunityStreak[]> {
    return Promise.resolve(
      this.#all(
        `SELECT * FROM opportunity_streaks WHERE network = ?
         ORDER BY symbol, long_venue, short_venue`,
        this.network,
      ).map(rowStreak),
    );
  }

  /** {@inheritDoc FundingStore.saveArbPosition} */
  saveArbPosition(p: StoredArbPosition): Promise<void> {
    this.#prepare(
      `INSERT INTO arb_positions (network, id, pair_key, owner, status, opened_at, updated_at,
         data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET pair_key = excluded.pair_key, owner = excluded.owner,
         status = excluded.status, updated_at = excluded.updated_at, data = excluded.data`,
    ).run(this.network, p.id, p.pairKey, p.owner, p.status, p.openedAt, p.updatedAt, p.data);
    return Promise.resolve();
  }

  /** {@inheritDoc FundingStore.arbPositions} */
  arbPositions(
    filter: { owner?: string; pairKey?: string; held?: boolean; since?: number } = {},
  ): Promise<StoredArbPosition[]> {
    const rows = this.#all(
      `SELECT * FROM arb_positions
       WHERE network = ?4 AND (?1 IS NULL OR owner = ?1) AND (?2 IS NULL OR pair_key = ?2)
         AND opened_at >= ?3
       ORDER BY opened_at, id`,
      filter.owner ?? null,
      filter.pairKey ?? null,
      filter.since ?? 0,
      this.network,
    ).map(rowArbPosition);
    return Promise.resolve(
      filter.held ? rows.filter((r) => !ARB_FINAL_STATUSES.includes(r.status)) : rows,
    );
  }

  /** {@inheritDoc FundingStore.claimPair} */
  claimPair(pairKey: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    const row = this.#tx(() =>
      this.#prepare(
        `INSERT INTO arb_claims (network, pair_key, owner, claimed_at, expires_at)
         VALUES (?5, ?1, ?2, ?3, ?4)
         ON CONFLICT (network, pair_key) DO UPDATE SET owner = excluded.owner,
           claimed_at = CASE WHEN arb_claims.owner = excluded.owner THEN arb_claims.claimed_at
             ELSE excluded.claimed_at END,
           expires_at = excluded.expires_at
         WHERE arb_claims.owner = excluded.owner OR arb_claims.expires_at <= ?3
         RETURNING owner`,
      ).get(pairKey, owner, now, now + ttlMs, this.network)
    ) as { owner: string } | undefined;
    return Promise.resolve(row?.owner === owner);
  }

  /** {@inheritDoc FundingStore.releasePair} */
  releasePair(pairKey: string, owner: string): Promise<void> {
    this.#prepare("DELETE FROM arb_claims WHERE network = ? AND pair_key = ? AND owner = ?")
      .run(this.network, pairKey, owner);
    return Promise.resolve();
  }

  /** {@inheritDoc FundingStore.pairClaims} */
  pairClaims(): Promise<PairClaim[]> {
    return Promise.resolve(
      this.#all("SELECT * FROM arb_claims WHERE network = ? ORDER BY pair_key", this.network)
        .map(rowClaim),
    );
  }

  /** {@inheritDoc FundingStore.prune} */
  prune(now: number, policy: RetentionPolicy = {}): Promise<{ rates: number; logs: number }> {
    const ratesDays = policy.ratesDays ?? DEFAULT_RETENTION.ratesDays;
    const logsDays = policy.logsDays ?? DEFAULT_RETENTION.logsDays;
    return Promise.resolve(this.#tx(() => ({
      rates: Number(
        this.#prepare("DELETE FROM funding_rates WHERE network = ? AND time < ?")
          .run(this.network, now - ratesDays * DAY_MS).changes,
      ),
      logs: Number(
        this.#prepare("DELETE FROM collection_logs WHERE network = ? AND started_at < ?")
          .run(this.network, now - logsDays * DAY_MS).changes,
      ),
    })));
  }

  /** {@inheritDoc FundingStore.stats} */
  stats(now: number): Promise<StoreStats> {
    const one = (sql: string, ...p: SQLInputValue[]) => Number(this.#all(sql, ...p)[0].n);
    const n = this.network;
    return Promise.resolve({
      venues: one("SELECT COUNT(*) AS n FROM venues WHERE network = ?", n),
      symbols: one(
        "SELECT COUNT(DISTINCT symbol) AS n FROM latest_funding_rates WHERE network = ?",
        n,
      ),
      latestRates: one("SELECT COUNT(*) AS n FROM latest_funding_rates WHERE network = ?", n),
      rates: one("SELECT COUNT(*) AS n FROM funding_rates WHERE network = ?", n),
      ratesLast24h: one(
        "SELECT COUNT(*) AS n FROM funding_rates WHERE network = ? AND time >= ?",
        n,
        now - DAY_MS,
      ),
      collectionLogs: one("SELECT COUNT(*) AS n FROM collection_logs WHERE network = ?", n),
      schemaVersion: this.#version(),
    });
  }

  /** {@inheritDoc FundingStore.ping} */
  ping(): Promise<void> {
    this.#prepare("SELECT 1").get();
    return Promise.resolve();
  }

  /** {@inheritDoc FundingStore.close} */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#statements.clear();
      this.#db.close();
    }
    return Promise.resolve();
  }

  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
