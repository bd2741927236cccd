/**
 * The storage interface of the funding service. Two implementations pass one conformance
 * suite: {@linkcode SqliteFundingStore} (embedded default) and
 * {@linkcode PostgresFundingStore}.
 *
 * Writes are idempotent: history rows are keyed by venue, symbol and observation time, so a
 * repeated run at the same timestamp adds nothing; the latest-rate table is upserted and never
 * moves back in time.
 *
 * @module
 */
import type { FeeMode, VenueFees } from "./fees.ts";
import type { CollectionLog, FundingObservation, VenueHealth, VenueRecord } from "./model.ts";

export type { FeeMode };

/** Filter of {@linkcode FundingStore.latestRates}. */
export interface LatestFilter {
  /** Only this venue. */
  venue?: string;
  /** Only this unified symbol. */
  symbol?: string;
}

/** Range of {@linkcode FundingStore.history}. */
export interface HistoryQuery {
  /** From this time (inclusive, ms). @default {0} */
  start?: number;
  /** Up to this time (inclusive, ms). @default {no bound} */
  end?: number;
  /** Most rows, the most recent kept. @default {no limit} */
  limit?: number;
}

/**
 * One point of a series as decimal strings (no `Decimal` objects: a year of hourly points is
 * served as is, which keeps long history queries fast).
 *
 * @example
 * ```ts
 * import type { HistoryPoint } from "./store.ts";
 * const p: HistoryPoint = { time: 0, rate: "0.0001", intervalHours: 8, hourlyRate: "0.0000125", apr: "0.1095" };
 * ```
 */
export interface HistoryPoint {
  /** Observation time, ms. */
  time: number;
  /** Fraction per interval. */
  rate: string;
  /** Hours per interval. */
  intervalHours: number;
  /** Fraction per hour. */
  hourlyRate: string;
  /** Simple annualized rate, a fraction. */
  apr: string;
}

/** How long data is kept. */
export interface RetentionPolicy {
  /** Days of funding-rate history. @default {90} */
  ratesDays?: number;
  /** Days of collection logs. @default {30} */
  logsDays?: number;
}

/** Default retention: rates 90 days, logs 30 days (the original cleanup job). */
export const DEFAULT_RETENTION: Readonly<Required<RetentionPolicy>> = Object.freeze({
  ratesDays: 90,
  logsDays: 30,
});

/**
 * Since when one direction of one symbol has paid (the short venue's hourly rate above the
 * long venue's) in consecutive collections.
 *
 * @example
 * ```ts
 * import type { OpportunityStreak } from "./store.ts";
 * const hours = (s: OpportunityStreak) => (s.lastSeen - s.since) / 3_600_000;
 * ```
 */
export interface OpportunityStreak {
  /** Unified symbol. */
  symbol: string;
  /** Venue of the long leg (lower hourly rate). */
  longVenue: string;
  /** Venue of the short leg (higher hourly rate). */
  shortVenue: string;
  /** First collection of the current streak, ms. */
  since: number;
  /** Last collection in which it held, ms. */
  lastSeen: number;
}

/**
 * A funding-arbitrage position as the bot persists it: the key columns and the strategy's
 * own record as JSON (legs, entry prices, sizes, fees, funding, reason).
 *
 * @example
 * ```ts
 * import type { StoredArbPosition } from "./store.ts";
 * const p: StoredArbPosition = {
 *   id: "p1", pairKey: "BTC:grvt:lighter", owner: "bot-a", status: "open",
 *   openedAt: 0, updatedAt: 0, data: "{}",
 * };
 * ```
 */
export interface StoredArbPosition {
  /** Position id. */
  id: string;
  /** `symbol:venueA:venueB` (venues sorted). */
  pairKey: string;
  /** Id of the bot that owns it. */
  owner: string;
  /** `opening`, `open`, `closing`, `closed` or `rolled_back` (the strategy's states). */
  status: string;
  /** Creation time, ms. */
  openedAt: number;
  /** Last update, ms. */
  updatedAt: number;
  /** The strategy's record, JSON. */
  data: string;
}

/**
 * Which bot holds a pair (a claim row; it lapses at `expiresAt` unless renewed).
 *
 * @example
 * ```ts
 * import type { PairClaim } from "./store.ts";
 * const live = (c: PairClaim, now: number) => c.expiresAt > now;
 * ```
 */
export interface PairClaim {
  /** `symbol:venueA:venueB`. */
  pairKey: string;
  /** Bot id. */
  owner: string;
  /** When first claimed, ms. */
  claimedAt: number;
  /** Lapses after this time, ms. */
  expiresAt: number;
}

/** Statuses of arbitrage positions that are no longer held. */
export const ARB_FINAL_STATUSES: readonly string[] = Object.freeze(["closed", "rolled_back"]);

/** Counts for the health endpoint. */
export interface StoreStats {
  /** Venues known. */
  venues: number;
  /** Distinct symbols with a latest rate. */
  symbols: number;
  /** Rows in the latest-rate table. */
  latestRates: number;
  /** Rows of history. */
  rates: number;
  /** Rows of history observed in the 24 h before `now`. */
  ratesLast24h: number;
  /** Collection log rows. */
  collectionLogs: number;
  /** Applied schema version. */
  schemaVersion: number;
}

/**
 * A funding-rate store.
 *
 * @example
 * ```ts
 * import type { FundingStore } from "./store.ts";
 * async function symbols(store: FundingStore) {
 *   return [...new Set((await store.latestRates()).map((r) => r.symbol))];
 * }
 * ```
 */
export interface FundingStore extends AsyncDisposable {
  /** `sqlite` or `postgres`. */
  readonly kind: "sqlite" | "postgres";
  /**
   * The network whose rows this store reads and writes (`mainnet`, `testnet`, `sim`): every
   * row written carries it and every read returns only its rows, so one database shared by a
   * simulated and a real run never mixes their data.
   */
  readonly network: string;
  /** Applies pending migrations; returns the schema version. Safe to call concurrently. */
  migrate(): Promise<number>;
  /** The applied schema version (0 before any migration). */
  schemaVersion(): Promise<number>;
  /**
   * Stores observations: history rows are inserted unless the key exists, the latest-rate
   * row is upserted when the observation is not older than it.
   * @returns How many history rows were new.
   */
  saveObservations(observations: readonly FundingObservation[]): Promise<number>;
  /** The latest observation of every venue and symbol (optionally filtered). */
  latestRates(filter?: LatestFilter): Promise<FundingObservation[]>;
  /** History of one series, oldest first. */
  history(venue: string, symbol: string, query?: HistoryQuery): Promise<FundingObservation[]>;
  /** Rates of one series, oldest first, as decimal strings (same range rules as `history`). */
  historyPoints(venue: string, symbol: string, query?: HistoryQuery): Promise<HistoryPoint[]>;
  /** Appends (or replaces, by run id and venue) collection log rows. */
  saveCollectionLogs(logs: readonly CollectionLog[]): Promise<void>;
  /** Collection logs, newest first. */
  collectionLogs(options?: { venue?: string; limit?: number }): Promise<CollectionLog[]>;
  /** Adds venues that are missing, with these fees; existing fees are left as configured. */
  ensureVenues(venues: readonly { venue: string; fees: VenueFees }[]): Promise<void>;
  /** Sets a venue's fees (adds the venue if missing). */
  setVenueFees(venue: string, fees: VenueFees): Promise<void>;
  /** Stores venues' health (adds a venue if missing, with unknown-venue fees). */
  saveVenueHealth(health: readonly VenueHealth[]): Promise<void>;
  /** Every venue with fees and health, by name. */
  venues(): Promise<VenueRecord[]>;
  /** Replaces the set of opportunity streaks. */
  replaceStreaks(streaks: readonly OpportunityStreak[]): Promise<void>;
  /** The current opportunity streaks. */
  streaks(): Promise<OpportunityStreak[]>;
  /** Inserts or replaces an arbitrage position (by id). */
  saveArbPosition(position: StoredArbPosition): Promise<void>;
  /**
   * Arbitrage positions, oldest first: those of one owner, one pair, only the ones still held
   * (status not in {@linkcode ARB_FINAL_STATUSES}), or opened since a time.
   */
  arbPositions(
    filter?: { owner?: string; pairKey?: string; held?: boolean; since?: number },
  ): Promise<StoredArbPosition[]>;
  /**
   * Claims a pair for a bot, atomically: succeeds when nobody holds it, the owner already holds
   * it (the claim is renewed), or the holder's claim lapsed. Two bots on one store never both
   * get `true` for the same pair at the same time.
   * @returns Whether `owner` holds the pair until `now + ttlMs`.
   */
  claimPair(pairKey: string, owner: string, now: number, ttlMs: number): Promise<boolean>;
  /** Gives a pair up (only the owner's claim is removed). */
  releasePair(pairKey: string, owner: string): Promise<void>;
  /** Every claim, by pair. */
  pairClaims(): Promise<PairClaim[]>;
  /** Deletes history and logs older than the policy allows; returns the deleted counts. */
  prune(now: number, policy?: RetentionPolicy): Promise<{ rates: number; logs: number }>;
  /** Counts for the health endpoint. */
  stats(now: number): Promise<StoreStats>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  /** Closes the connection. */
  close(): Promise<void>;
}

/**
 * A store could not be opened or reached; the message names it (SQLite path, or PostgreSQL
 * URL with the password masked) and says what to do.
 *
 * @example
 * ```ts
 * import { StoreOpenError } from "./store.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const e = new StoreOpenError("cannot open the SQLite funding store x.db: …");
 * equal(e.name, "StoreOpenError");
 * ```
 */
export class StoreOpenError extends Error {
  /**
   * Creates the error.
   *
   * @param message What failed, where, and what to do.
   * @param options The underlying error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreOpenError";
  }
}

/** The network of a store that is given none. */
export const DEFAULT_STORE_NETWORK = "mainnet";

/**
 * Validates a store's network name (lower-case letters, digits, `-`, `_`).
 *
 * @param network The name, or `undefined` for {@linkcode DEFAULT_STORE_NETWORK}.
 * @returns The name.
 * @throws {RangeError} On an empty or malformed name.
 *
 * @example
 * ```ts
 * import { checkNetwork } from "./store.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(checkNetwork(undefined), "mainnet");
 * equal(checkNetwork("sim"), "sim");
 * ```
 */
export function checkNetwork(network: string | undefined): string {
  const n = network ?? DEFAULT_STORE_NETWORK;
  if (!/^[a-z0-9][a-z0-9_-]{0,31}$/.test(n)) {
    throw new RangeError(
      `a store network must be a short lower-case name: got ${JSON.stringify(n)}`,
    );
  }
  return n;
}

/** Milliseconds per day. */
export const DAY_MS = 86_400_000;
