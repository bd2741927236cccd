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
  /** Deletes history and logs older than the policy allows; returns the deleted counts. */
  prune(now: number, policy?: RetentionPolicy): Promise<{ rates: number; logs: number }>;
  /** Counts for the health endpoint. */
  stats(now: number): Promise<StoreStats>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  /** Closes the connection. */
  close(): Promise<void>;
}

/** Milliseconds per day. */
export const DAY_MS = 86_400_000;
