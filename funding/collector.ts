/**
 * The collection orchestrator: every venue's {@linkcode FundingAdapter} concurrently, each
 * under its own timeout, one venue's failure never blocking or failing the others; inside a
 * venue at most `concurrency` requests at a time. Each run stores the observations
 * (idempotently), one collection log row per venue, each venue's health, and the opportunity
 * streaks.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import {
  type Clock,
  type FundingAdapter,
  type FundingRate,
  type MarketData,
  redact,
  TimeoutError,
} from "../base.ts";
import { systemClock } from "../exchanges/_shared/clock.ts";
import { DEFAULT_VENUE_FEES, UNKNOWN_VENUE_FEES } from "./fees.ts";
import {
  type CollectionLog,
  type CollectionStatus,
  type FundingObservation,
  observationFrom,
  type VenueHealth,
} from "./model.ts";
import { DEFAULT_MAX_AGE_MS, nextStreaks } from "./opportunities.ts";
import type { FundingStore, RetentionPolicy } from "./store.ts";

const log = getLogger(["perp", "funding", "collector"]);

/**
 * One venue to collect from: its adapter, or why there is none (reported as a failed venue on
 * every run, never replaced by made-up data).
 *
 * @example
 * ```ts
 * import type { FundingSource } from "./collector.ts";
 * const missing: FundingSource = { venue: "edgex", unavailable: "EdgeXFundingAdapter is not built yet" };
 * ```
 */
export interface FundingSource {
  /** Venue name. */
  venue: string;
  /** The adapter, when the venue is available. */
  adapter?: FundingAdapter;
  /** Why the venue is unavailable. */
  unavailable?: string;
}

/** What one venue did in one run. */
export interface VenueRunResult {
  /** Venue name. */
  venue: string;
  /** `success`, `partial` (rates without market data) or `failed`. */
  status: CollectionStatus;
  /** Rates stored (new or repeated). */
  rates: number;
  /** History rows that were new. */
  inserted: number;
  /** Rates that could not be used (bad interval, duplicate symbol, wrong venue). */
  rejected: number;
  /** Market-data rows matched to a rate. */
  marketData: number;
  /** Milliseconds of the rate request. */
  latencyMs?: number;
  /** Milliseconds of the whole venue collection. */
  durationMs: number;
  /** Why it failed or is partial (secrets redacted). */
  error?: string;
}

/** The result of one collection run. */
export interface CollectionRun {
  /** Run id (also in the collection logs). */
  runId: string;
  /** Start, ms (collector clock). */
  startedAt: number;
  /** End, ms (collector clock). */
  completedAt: number;
  /** Wall-clock milliseconds the run took. */
  durationMs: number;
  /** Per venue, in source order. */
  venues: VenueRunResult[];
  /** Observations stored by this run. */
  observations: FundingObservation[];
}

/** Progress of a run, for the command line. */
export type CollectionProgress =
  | { type: "start"; venue: string }
  | { type: "done"; result: VenueRunResult };

/** Options of {@linkcode FundingCollector}. */
export interface CollectorOptions {
  /** Time source for timestamps and timeouts. @default {systemClock} */
  clock?: Clock;
  /** Per-venue timeout in ms for the whole venue collection. @default {30_000} */
  timeoutMs?: number;
  /** Requests in flight at once per venue. @default {2} */
  concurrency?: number;
  /** Rates older than this do not extend opportunity streaks (ms). @default {600_000} */
  maxAgeMs?: number;
  /** Called when a venue starts and finishes. */
  onProgress?: (event: CollectionProgress) => void;
}

function message(error: unknown): string {
  return redact(error instanceof Error ? error.message : String(error)).split("\n")[0];
}

function limiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/**
 * Collects funding rates from every source into a store.
 *
 * @example One run over an in-process simulated venue
 * ```ts
 * import { ManualClock } from "../exchanges/_shared/clock.ts";
 * import { startSimVenue } from "../sim/network.ts";
 * import { FundingCollector } from "./collector.ts";
 * import { SqliteFundingStore } from "./sqlite_store.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const clock = new ManualClock(Date.UTC(2026, 0, 1));
 * const sim = await startSimVenue("edgex", { clock });
 * await using store = await SqliteFundingStore.open(":memory:");
 * const collector = new FundingCollector(store, [{ venue: "edgex", adapter: sim.fundingAdapter() }], { clock });
 * const run = await collector.collect();
 * equal(run.venues[0].status, "success");
 * equal((await store.latestRates({ venue: "edgex" })).length, 3);
 * await sim.close();
 * ```
 */
export class FundingCollector {
  readonly #store: FundingStore;
  readonly #sources: readonly FundingSource[];
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #concurrency: number;
  readonly #maxAgeMs: number;
  readonly #onProgress?: (event: CollectionProgress) => void;
  #health: Map<string, VenueHealth> | undefined;
  #running: Promise<CollectionRun> | undefined;
  #lastRun: CollectionRun | undefined;

  /**
   * Creates a collector; nothing runs until {@linkcode FundingCollector.collect}.
   *
   * @param store Where to write.
   * @param sources The venues.
   * @param options Clock, timeout, concurrency, progress callback.
   * @throws {RangeError} On a non-positive timeout or concurrency.
   */
  constructor(
    store: FundingStore,
    sources: readonly FundingSource[],
    options: CollectorOptions = {},
  ) {
    this.#store = store;
    this.#sources = sources;
    this.#clock = options.clock ?? systemClock;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#concurrency = options.concurrency ?? 2;
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.#onProgress = options.onProgress;
    if (!(this.#timeoutMs > 0)) throw new RangeError("'timeoutMs' must be positive");
    if (!(Number.isInteger(this.#concurrency) && this.#concurrency >= 1)) {
      throw new RangeError("'concurrency' must be a positive integer");
    }
  }

  /** Venue names, in source order. */
  get venues(): string[] {
    return this.#sources.map((s) => s.venue);
  }

  /** Whether a run is in progress. */
  get running(): boolean {
    return this.#running !== undefined;
  }

  /** The last completed run. */
  get lastRun(): CollectionRun | undefined {
    return this.#lastRun;
  }

  /**
   * Health of every venue (as of the last run, or as stored before this process started).
   *
   * @returns One entry per source, in source order.
   */
  async health(): Promise<VenueHealth[]> {
    const health = await this.#loadHealth();
    return this.#sources.map((s) => ({ ...health.get(s.venue)! }));
  }

  async #loadHealth(): Promise<Map<string, VenueHealth>> {
    if (this.#health) return this.#health;
    await this.#store.ensureVenues(this.#sources.map((s) => ({
      venue: s.venue,
      fees: Object.hasOwn(DEFAULT_VENUE_FEES, s.venue)
        ? DEFAULT_VENUE_FEES[s.venue]
        : UNKNOWN_VENUE_FEES,
    })));
    const stored = new Map((await this.#store.venues()).map((v) => [v.venue, v]));
    const health = new Map<string, VenueHealth>();
    for (const s of this.#sources) {
      const v = stored.get(s.venue);
      const h: VenueHealth = { venue: s.venue, consecutiveErrors: v?.consecutiveErrors ?? 0 };
      if (v?.lastSuccessAt !== undefined) h.lastSuccessAt = v.lastSuccessAt;
      if (v?.lastErrorAt !== undefined) h.lastErrorAt = v.lastErrorAt;
      if (v?.lastError !== undefined) h.lastError = v.lastError;
      health.set(s.venue, h);
    }
    this.#health = health;
    return health;
  }

  /**
   * Runs one collection. A call while a run is in progress returns that run instead of
   * starting another, so runs never overlap.
   *
   * @returns The run, with per-venue results; it resolves even when every venue failed.
   * @throws {Error} Only when the store itself fails outside a venue's write.
   */
  collect(): Promise<CollectionRun> {
    if (this.#running) return this.#running;
    const run = this.#collect().finally(() => {
      this.#running = undefined;
    });
    this.#running = run;
    return run;
  }

  async #collect(): Promise<CollectionRun> {
    const health = await this.#loadHealth();
    const runId = crypto.randomUUID();
    const startedAt = this.#clock.now();
    const t0 = performance.now();
    const observations: FundingObservation[] = [];
    const results = await Promise.all(this.#sources.map(async (source) => {
      this.#onProgress?.({ type: "start", venue: source.venue });
      const venueStart = this.#clock.now();
      const result = await this.#collectVenue(source, observations);
      const completedAt = this.#clock.now();
      const h = health.get(source.venue)!;
      if (result.status === "failed") {
        h.consecutiveErrors++;
        h.lastErrorAt = completedAt;
        h.lastError = result.error;
      } else {
        h.consecutiveErrors = 0;
        h.lastSuccessAt = completedAt;
        delete h.lastError;
      }
      const row: CollectionLog = {
        runId,
        venue: source.venue,
        startedAt: venueStart,
        completedAt,
        status: result.status,
        symbolsFetched: result.rates,
        symbolsFailed: result.rejected,
      };
      if (result.error !== undefined) row.errorMessage = result.error;
      try {
        await this.#store.saveCollectionLogs([row]);
        await this.#store.saveVenueHealth([h]);
      } catch (error) {
        log.error("Cannot record the {venue} collection: {error}", {
          venue: source.venue,
          error: message(error),
        });
      }
      this.#onProgress?.({ type: "done", result });
      return result;
    }));
    const now = this.#clock.now();
    try {
      const streaks = nextStreaks(
        await this.#store.streaks(),
        await this.#store.latestRates(),
        now,
        this.#maxAgeMs,
      );
      await this.#store.replaceStreaks(streaks);
    } catch (error) {
      log.error("Cannot update opportunity streaks: {error}", { error: message(error) });
    }
    const run: CollectionRun = {
      runId,
      startedAt,
      completedAt: now,
      durationMs: performance.now() - t0,
      venues: results,
      observations,
    };
    this.#lastRun = run;
    return run;
  }

  async #collectVenue(
    source: FundingSource,
    sink: FundingObservation[],
  ): Promise<VenueRunResult> {
    const t0 = performance.now();
    const base = { venue: source.venue, rates: 0, inserted: 0, rejected: 0, marketData: 0 };
    const failed = (error: string): VenueRunResult => ({
      ...base,
      status: "failed",
      durationMs: performance.now() - t0,
      error,
    });
    const adapter = source.adapter;
    if (!adapter) return failed(source.unavailable ?? `${source.venue} is unavailable`);
    let fetched: {
      rates: FundingRate[];
      latencyMs: number;
      market?: MarketData[];
      marketError?: string;
    };
    try {
      fetched = await this.#withTimeout(source.venue, (signal) => this.#fetch(adapter, signal));
    } catch (error) {
      log.warn("{venue}: collection failed: {error}", {
        venue: source.venue,
        error: message(error),
      });
      return failed(message(error));
    }
    const market = new Map((fetched.market ?? []).map((m) => [m.symbol, m]));
    const observations: FundingObservation[] = [];
    const seen = new Set<string>();
    let rejected = 0;
    let matched = 0;
    for (const rate of fetched.rates) {
      if (
        rate.venue !== source.venue || !(rate.intervalHours > 0) || rate.symbol.trim() === "" ||
        !Number.isFinite(rate.timestamp)
      ) {
        rejected++;
        continue;
      }
      const m = market.get(rate.symbol);
      const o = observationFrom(rate, m, fetched.latencyMs);
      if (seen.has(o.symbol)) {
        rejected++;
        continue;
      }
      seen.add(o.symbol);
      if (m) matched++;
      observations.push(o);
    }
    let inserted: number;
    try {
      inserted = await this.#store.saveObservations(observations);
    } catch (error) {
      return failed(`cannot store ${source.venue} rates: ${message(error)}`);
    }
    sink.push(...observations);
    const result: VenueRunResult = {
      ...base,
      status: fetched.marketError === undefined ? "success" : "partial",
      rates: observations.length,
      inserted,
      rejected,
      marketData: matched,
      latencyMs: Math.round(fetched.latencyMs),
      durationMs: performance.now() - t0,
    };
    if (fetched.marketError !== undefined) result.error = `market data: ${fetched.marketError}`;
    return result;
  }

  async #fetch(adapter: FundingAdapter, signal: AbortSignal) {
    const limit = limiter(this.#concurrency);
    const ratesP = limit(async () => {
      const t = performance.now();
      const rates = await adapter.fetchFundingRates({ signal });
      return { rates, latencyMs: performance.now() - t };
    });
    const marketP = limit(() => adapter.fetchMarketData({ signal })).then(
      (market) => ({ market, marketError: undefined }),
      (error) => ({ market: undefined, marketError: message(error) }),
    );
    const { rates, latencyMs } = await ratesP;
    return { rates, latencyMs, ...(await marketP) };
  }

  async #withTimeout<T>(venue: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const abort = new AbortController();
    const timer = new AbortController();
    const timeout = this.#clock.sleep(this.#timeoutMs, timer.signal).then(() => {
      const error = new TimeoutError(this.#timeoutMs, { venue, endpoint: "funding collection" });
      abort.abort(error);
      throw error;
    }, () => new Promise<never>(() => {}));
    try {
      return await Promise.race([work(abort.signal), timeout]);
    } finally {
      timer.abort();
    }
  }

  /**
   * Deletes history and logs past the retention policy.
   *
   * @param policy Days to keep. @default {rates 90, logs 30}
   * @returns Deleted row counts.
   */
  prune(policy?: RetentionPolicy): Promise<{ rates: number; logs: number }> {
    return this.#store.prune(this.#clock.now(), policy);
  }
}
