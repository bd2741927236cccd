/**
 * The funding service's HTTP API under `/api/v1` (JSON, all `GET`), built with hono from its
 * dependencies (store, venues, clock) so tests call it in-process; `Deno.serve` lives only in
 * the entry point. Paths follow the original service (originals.md §6.7) with its bugs fixed:
 * rates carry their interval and hourly / annual equivalents, opportunities are costed on
 * hourly rates with amortised fees, stale data is flagged, and no input produces a 500 —
 * a bad query parameter is a 400 naming it, an unknown venue or symbol a 404, an unreachable
 * database a 503.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { Hono } from "hono";
import type { Context } from "hono";
import type { z } from "zod";
import { type Clock, Decimal, HOURS_PER_YEAR, redact } from "../base.ts";
import { systemClock } from "../exchanges/_shared/clock.ts";
import {
  bestOpportunitySchema,
  chartSchema,
  compareSchema,
  emptySchema,
  fundingRatesSchema,
  historySchema,
  opportunitiesSchema,
  statsSchema,
  symbolOpportunitiesSchema,
} from "./_api_params.ts";
import { botTargets, fetchBotStatuses, relayBotEvents } from "./dashboard/bot_list.ts";
import { accessRefusal } from "./dashboard/access.ts";
import { mountDashboard } from "./dashboard/routes.ts";
import type { RateView } from "./dashboard/pages.ts";
import {
  type ChartPoint,
  cumulativeShort,
  downsample,
  hourlySpread,
  lastPerBucket,
  stability,
} from "./dashboard/series.ts";
import { DEFAULT_VENUE_FEES, type FeeMode, UNKNOWN_VENUE_FEES, type VenueFees } from "./fees.ts";
import type { FundingObservation, VenueHealth, VenueRecord } from "./model.ts";
import { openApiDocument } from "./openapi.ts";
import {
  computeOpportunities,
  DEFAULT_MAX_AGE_MS,
  filterOpportunities,
  type Opportunity,
  type OpportunityFilters,
} from "./opportunities.ts";
import type { FundingStore, OpportunityStreak } from "./store.ts";

const log = getLogger(["perp", "funding", "api"]);

/** Service version reported by `GET /`. */
export const API_VERSION = "1.0.0";

/** What the API can tell about the collector (serve mode). */
export interface CollectorStatus {
  /** Whether a collection is running now. */
  readonly running: boolean;
  /** Seconds between collections. */
  readonly intervalSeconds: number;
}

/** Options of {@linkcode createFundingApi}. */
export interface FundingApiOptions {
  /** The store to read. */
  store: FundingStore;
  /** Venues the service collects; any other venue in a path is a 404. */
  venues: readonly string[];
  /** Time source. @default {systemClock} */
  clock?: Clock;
  /** Default holding horizon in hours. @default {"24"} */
  holdHours?: string;
  /** Default fee mode. @default {"taker"} */
  feeMode?: FeeMode;
  /** Default freshness limit in ms. @default {600_000} */
  maxAgeMs?: number;
  /** A venue whose last success is older than this is unhealthy (ms). @default {300_000} */
  healthyWithinMs?: number;
  /**
   * Age after which cached rates are reloaded in the background, the cached ones still being
   * served meanwhile (ms). @default {5000}
   */
  cacheTtlMs?: number;
  /** Collector status, in serve mode. */
  collector?: CollectorStatus;
  /**
   * Where the store lives, for the health page: a SQLite path or a PostgreSQL host and
   * database, never a password (see {@linkcode describeDatabase}).
   */
  storeLocation?: string;
  /**
   * When set, every request must carry it as `Authorization: Bearer <token>` (or the
   * `perp_token` cookie that `?token=<token>` on a page sets); required by `serve` on a
   * non-loopback host.
   */
  token?: string;
  /** Seconds between the dashboard's data refreshes in the browser. @default {30} */
  refreshSeconds?: number;
  /**
   * Status servers of running bots (`http://127.0.0.1:8101`, started with `--status-port`),
   * listed on the Bots page and at `/api/v1/bots` (see `dashboard/bot_list.ts`).
   */
  bots?: readonly string[];
}

/**
 * Where a database is, safe to show: the SQLite path, or `user@host:port/database` of a
 * PostgreSQL URL without its password or query.
 *
 * @param database The configured store.
 * @returns The description.
 *
 * @example
 * ```ts
 * import { describeDatabase } from "./api.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(
 *   describeDatabase({ kind: "postgres", url: "postgres://app:s3cret@db.local:5433/funding?sslmode=require" }),
 *   "app@db.local:5433/funding",
 * );
 * equal(describeDatabase({ kind: "sqlite", path: "data/funding.db" }), "data/funding.db");
 * ```
 */
export function describeDatabase(
  database: { kind: "sqlite"; path: string } | { kind: "postgres"; url: string },
): string {
  if (database.kind === "sqlite") return database.path;
  try {
    const u = new URL(database.url);
    const user = u.username ? `${decodeURIComponent(u.username)}@` : "";
    return `${user}${u.hostname}${u.port ? `:${u.port}` : ""}${
      u.pathname === "/" ? "" : u.pathname
    }`;
  } catch {
    return "postgres (unparsable URL)";
  }
}

/** The API: a hono app plus a cache-invalidation hook for the collector. */
export interface FundingApi {
  /** The hono application; `app.request(path)` answers in-process (tests). */
  readonly app: {
    request(input: string | URL | Request, init?: RequestInit): Response | Promise<Response>;
  };
  /** Handles one request (pass to `Deno.serve`). */
  fetch(request: Request): Promise<Response>;
  /** Drops cached rates and opportunities and starts reloading them (call after each collection). */
  invalidate(): void;
}

class ApiError extends Error {
  constructor(readonly status: 400 | 404 | 503, readonly body: Record<string, unknown>) {
    super(String(body.message));
  }
}

function badParameter(parameter: string, message: string): ApiError {
  return new ApiError(400, {
    error: "invalid_parameter",
    parameter,
    message: `'${parameter}' ${message}`,
  });
}

function notFound(what: string, value: string): ApiError {
  return new ApiError(404, { error: "not_found", message: `unknown ${what} '${value}'` });
}

function query<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const raw: Record<string, string> = {};
  for (const [key, values] of Object.entries(c.req.queries() ?? {})) {
    if (values.length > 1) throw badParameter(key, "must be given once");
    raw[key] = values[0];
  }
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue.code === "unrecognized_keys") {
    throw badParameter(issue.keys[0], "is not a parameter of this endpoint");
  }
  throw badParameter(String(issue.path[0] ?? "query"), issue.message);
}

function unavailable(error: unknown): ApiError {
  return new ApiError(503, {
    error: "database_unavailable",
    message: `the store cannot be read: ${
      redact(error instanceof Error ? error.message : String(error)).split("\n")[0]
    }`,
  });
}

/** Runs a store call; a failure is a 503, not a 500. */
async function db<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw unavailable(error);
  }
}

function iso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

function str(d: Decimal | undefined): string | null {
  return d === undefined ? null : d.toString();
}

interface RatesData {
  data: Record<string, Record<string, unknown>>;
  updated: number;
  count: number;
}

interface Snapshot {
  at: number;
  rates: FundingObservation[];
  bySymbol: Map<string, FundingObservation[]>;
  opportunities: Map<string, Opportunity[]>;
  venues: VenueRecord[];
  fees: Record<string, VenueFees>;
  streaks: OpportunityStreak[];
}

/**
 * Builds the API.
 *
 * @param options Store, venues, clock, defaults.
 * @returns The API object.
 *
 * @example
 * ```ts
 * import { createFundingApi } from "./api.ts";
 * import { SqliteFundingStore } from "./sqlite_store.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * await using store = await SqliteFundingStore.open(":memory:");
 * const api = createFundingApi({ store, venues: ["grvt", "edgex"] });
 * equal((await api.app.request("/api/v1/funding-rates/binance")).status, 404);
 * const bad = await api.app.request("/api/v1/opportunities?limit=0");
 * equal(bad.status, 400);
 * equal((await bad.json()).parameter, "limit");
 * ```
 */
export function createFundingApi(options: FundingApiOptions): FundingApi {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const venues = [...options.venues];
  const known = new Set(venues);
  const defaultHold = options.holdHours ?? "24";
  const defaultFeeMode = options.feeMode ?? "taker";
  const defaultMaxAge = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const healthyWithin = options.healthyWithinMs ?? 300_000;
  const ttl = options.cacheTtlMs ?? 5_000;
  // The data's network: the store returns only its own network's rows, so this labels every
  // answer and page (`sim` shows the simulated banner).
  const network = store.network;
  const bots = options.bots === undefined ? undefined : botTargets(options.bots);
  const answer = (c: Context, body: Record<string, unknown>, status?: 200 | 503) =>
    c.json({ network, simulated: network === "sim", ...body }, status ?? 200);
  let snapshot: Snapshot | undefined;

  const load = async (): Promise<Snapshot> => {
    const at = clock.now();
    const [rates, venueRows, streaks] = await Promise.all([
      store.latestRates(),
      store.venues(),
      store.streaks(),
    ]);
    const kept = rates.filter((r) => known.has(r.venue));
    const bySymbol = new Map<string, FundingObservation[]>();
    for (const r of kept) {
      const list = bySymbol.get(r.symbol);
      if (list) list.push(r);
      else bySymbol.set(r.symbol, [r]);
    }
    const fees: Record<string, VenueFees> = { ...DEFAULT_VENUE_FEES };
    for (const v of venueRows) fees[v.venue] = v.fees;
    const snap: Snapshot = {
      at,
      rates: kept,
      bySymbol,
      opportunities: new Map(),
      venues: venueRows,
      fees,
      streaks,
    };
    return snap;
  };

  let loading: Promise<Snapshot> | undefined;
  // Stale-while-revalidate: an expired snapshot is served while a fresh one loads, so no
  // request waits for the store (or for the fee math) except the first after invalidate().
  const refresh = (): Promise<Snapshot> => {
    if (!loading) {
      // Opportunities are costed on first use (memoised per snapshot), so a page that needs only
      // the rates (the grid) never waits for the fee math after a collection.
      const next = load().then((s) => {
        snapshot = s;
        return s;
      }, (error) => {
        snapshot = undefined;
        throw unavailable(error);
      }).finally(() => {
        if (loading === next) loading = undefined;
      });
      next.catch(() => {});
      loading = next;
    }
    return loading;
  };

  const current = async (): Promise<Snapshot> => {
    const now = clock.now();
    if (snapshot) {
      if (now - snapshot.at >= ttl || now < snapshot.at) void refresh();
      return snapshot;
    }
    return await refresh();
  };

  const costed = (s: Snapshot, hold: string, feeMode: FeeMode): Opportunity[] => {
    const key = `${new Decimal(hold).toString()}|${feeMode}`;
    let list = s.opportunities.get(key);
    if (!list) {
      list = computeOpportunities(s.rates, {
        holdHours: hold,
        feeMode,
        fees: s.fees,
        streaks: s.streaks,
      });
      if (s.opportunities.size > 32) s.opportunities.clear();
      s.opportunities.set(key, list);
    }
    return list;
  };

  const venueOf = (name: string): string => {
    const v = name.toLowerCase();
    if (!known.has(v)) throw notFound("dex", name);
    return v;
  };

  const rateView = (o: FundingObservation, now: number) => ({
    rate: o.rate.toString(),
    interval_hours: o.intervalHours,
    hourly_rate: o.hourlyRate.toString(),
    apr: o.apr.toString(),
    venue_symbol: o.venueSymbol,
    next_funding_time: iso(o.nextFundingTime),
    mark_price: str(o.markPrice),
    index_price: str(o.indexPrice),
    volume_24h_usd: str(o.volume24hUsd),
    open_interest_usd: str(o.openInterestUsd),
    best_bid: str(o.bestBid),
    best_ask: str(o.bestAsk),
    spread_bps: str(o.spreadBps),
    collection_latency_ms: o.latencyMs ?? null,
    observed_at: iso(o.time),
    age_seconds: Math.max(0, Math.round((now - o.time) / 1000)),
    stale: now - o.time > defaultMaxAge,
    settled_rate: str(o.settledRate),
    settled_hourly_rate: o.settledRate === undefined
      ? null
      : o.settledRate.div(o.intervalHours).toString(),
    settled_at: iso(o.settledTime),
  });

  const legView = (l: Opportunity["long"]) => ({
    dex: l.venue,
    rate: l.rate.toString(),
    interval_hours: l.intervalHours,
    hourly_rate: l.hourlyRate.toString(),
    apr: l.hourlyRate.times(HOURS_PER_YEAR).toString(),
    fee: l.fee.toString(),
    volume_24h_usd: str(l.volume24hUsd),
    open_interest_usd: str(l.openInterestUsd),
    spread_bps: str(l.spreadBps),
    observed_at: iso(l.observedAt),
  });

  const opportunityView = (o: Opportunity, now: number) => ({
    symbol: o.symbol,
    long_dex: o.long.venue,
    short_dex: o.short.venue,
    long: legView(o.long),
    short: legView(o.short),
    gross_hourly_spread: o.grossHourly.toString(),
    gross_apr: o.grossApr.toString(),
    fee_mode: o.feeMode,
    round_trip_fee: o.roundTripFee.toString(),
    hold_hours: o.holdHours.toString(),
    net_hourly: o.netHourly.toString(),
    net_apr: o.netApr.toString(),
    net_return_over_hold: o.netReturn.toString(),
    break_even_hours: o.breakEvenHours.toDecimalPlaces(4).toString(),
    min_volume_24h: str(o.minVolume24hUsd),
    min_oi_usd: str(o.minOiUsd),
    max_oi_usd: str(o.maxOiUsd),
    oi_ratio: o.oiRatio === undefined ? null : o.oiRatio.toDecimalPlaces(6).toString(),
    oi_imbalance: o.oiImbalance ?? null,
    max_spread_bps: str(o.maxSpreadBps),
    age_seconds: Math.max(0, Math.round((now - o.observedAt) / 1000)),
    persisted_since: iso(o.persistedSince),
    persisted_hours: o.persistedSince === undefined
      ? null
      : Math.max(0, Math.round((now - o.persistedSince) / 36_000) / 100),
  });

  const healthView = (h: VenueHealth | undefined, venue: string, now: number) => {
    const last = h?.lastSuccessAt;
    const healthy = h !== undefined && h.consecutiveErrors === 0 && last !== undefined &&
      now - last <= healthyWithin;
    return {
      dex_name: venue,
      is_healthy: healthy,
      last_successful_fetch: iso(last),
      time_since_fetch_seconds: last === undefined ? null : Math.round((now - last) / 1000),
      consecutive_errors: h?.consecutiveErrors ?? 0,
      last_error: h?.lastError ?? null,
      last_error_at: iso(h?.lastErrorAt),
    };
  };

  const opportunityFilters = (
    q: z.output<typeof bestOpportunitySchema> & { limit?: number; sort_by?: string },
    now: number,
  ) => {
    for (
      const [param, list] of [["whitelist_dexes", q.whitelist_dexes], [
        "exclude_dexes",
        q.exclude_dexes,
      ]] as const
    ) {
      const unknown = list?.find((v) => !known.has(v));
      if (unknown) throw badParameter(param, `names an unknown dex '${unknown}'`);
    }
    if (q.required_dex !== undefined && !known.has(q.required_dex)) {
      throw badParameter("required_dex", `names an unknown dex '${q.required_dex}'`);
    }
    if (q.min_oi !== undefined && q.max_oi !== undefined && new Decimal(q.min_oi).gt(q.max_oi)) {
      throw badParameter("max_oi", "must not be below min_oi");
    }
    const f: OpportunityFilters = {
      now,
      maxAgeMs: q.max_age === undefined ? defaultMaxAge : q.max_age * 1000,
    };
    if (q.symbol !== undefined) f.symbol = q.symbol;
    if (q.min_volume !== undefined) f.minVolumeUsd = q.min_volume;
    if (q.min_oi !== undefined) f.minOiUsd = q.min_oi;
    if (q.max_oi !== undefined) f.maxOiUsd = q.max_oi;
    if (q.max_spread !== undefined) f.maxSpreadBps = q.max_spread;
    if (q.whitelist_dexes !== undefined) f.whitelistVenues = q.whitelist_dexes;
    if (q.exclude_dexes !== undefined) f.excludeVenues = q.exclude_dexes;
    if (q.required_dex !== undefined) f.requiredVenue = q.required_dex;
    if (q.min_net_apr !== undefined) f.minNetApr = q.min_net_apr;
    if (q.sort_by !== undefined) f.sortBy = q.sort_by as OpportunityFilters["sortBy"];
    if (q.limit !== undefined) f.limit = q.limit;
    return f;
  };

  const applied = (
    q: Record<string, unknown>,
    hold: string,
    feeMode: FeeMode,
    maxAgeMs: number,
  ) => ({
    ...Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)),
    hold_hours: hold,
    fee_mode: feeMode,
    max_age: maxAgeMs / 1000,
  });

  const app = new Hono();
  const v1 = new Hono();
  const internalHeaders: Record<string, string> = options.token === undefined
    ? {}
    : { authorization: `Bearer ${options.token}` };

  app.onError((error, c) => {
    if (error instanceof ApiError) return c.json(error.body, error.status);
    // A bug: no input should get here (the API tests fuzz every endpoint for it).
    log.error("Unhandled error on {path}: {error}", { path: c.req.path, error: String(error) });
    return c.json(
      { error: "internal_error", message: "unexpected error; see the service log" },
      500,
    );
  });
  app.notFound((c) =>
    c.json({ error: "not_found", message: `no endpoint ${c.req.method} ${c.req.path}` }, 404)
  );

  // Read-only, and behind the token when one is set (funding/dashboard/access.ts).
  app.use("*", async (c, next) => {
    const refused = accessRefusal(c.req.raw, options.token, "perp funding");
    if (refused) return refused;
    await next();
    return undefined;
  });

  const serviceInfo = (c: Context) => {
    query(c, emptySchema);
    return answer(c, {
      service: "perp funding-rate service",
      version: API_VERSION,
      status: "running",
      dashboard: "/",
      docs: "/api/v1/openapi.json",
    });
  };
  v1.get("/", serviceInfo);
  app.get("/ping", (c) => c.json({ status: "ok" }));

  v1.get("/openapi.json", (c) => c.json(openApiDocument()));

  // Every rate of a snapshot as the API shows it, memoised per snapshot and second (ages and
  // staleness are whole seconds): the grid page and `/funding-rates` share it.
  let ratesMemo: { snap: Snapshot; second: number; data: RatesData } | undefined;
  const allRates = (s: Snapshot, now: number): RatesData => {
    const second = Math.floor(now / 1000);
    if (ratesMemo?.snap === s && ratesMemo.second === second) return ratesMemo.data;
    const data: RatesData["data"] = {};
    let updated = 0;
    for (const r of s.rates) {
      (data[r.symbol] ??= {})[r.venue] = rateView(r, second * 1000);
      updated = Math.max(updated, r.time);
    }
    ratesMemo = { snap: s, second, data: { data, updated, count: s.rates.length } };
    return ratesMemo.data;
  };

  v1.get("/funding-rates", async (c) => {
    const q = query(c, fundingRatesSchema);
    const venue = q.dex === undefined ? undefined : venueOf(q.dex);
    const s = await current();
    const now = clock.now();
    if (q.symbol !== undefined && !s.bySymbol.has(q.symbol)) throw notFound("symbol", q.symbol);
    let data: Record<string, Record<string, unknown>> = {};
    let count = 0;
    let updated = 0;
    if (venue === undefined && q.symbol === undefined) {
      ({ data, count, updated } = allRates(s, now));
    } else {
      for (const r of s.rates) {
        if (venue !== undefined && r.venue !== venue) continue;
        if (q.symbol !== undefined && r.symbol !== q.symbol) continue;
        (data[r.symbol] ??= {})[r.venue] = rateView(r, now);
        count++;
        updated = Math.max(updated, r.time);
      }
    }
    const body: Record<string, unknown> = {
      data,
      updated_at: iso(updated || undefined),
      count,
    };
    if (q.include_metadata) {
      body.dex_metadata = Object.fromEntries(venues.map((v) => {
        const rec = s.venues.find((x) => x.venue === v);
        const fees = s.fees[v] ?? UNKNOWN_VENUE_FEES;
        return [v, {
          name: v,
          maker_fee: fees.maker.toString(),
          taker_fee: fees.taker.toString(),
          ...healthView(rec, v, now),
        }];
      }));
    }
    return answer(c, body);
  });

  v1.get("/funding-rates/compare", async (c) => {
    const q = query(c, compareSchema);
    for (const p of ["symbol", "dex1", "dex2"] as const) {
      if (q[p] === undefined) throw badParameter(p, "is required");
    }
    const d1 = venueOf(q.dex1!);
    const d2 = venueOf(q.dex2!);
    if (d1 === d2) throw badParameter("dex2", "must differ from dex1");
    const s = await current();
    const list = s.bySymbol.get(q.symbol!);
    if (!list) throw notFound("symbol", q.symbol!);
    const r1 = list.find((r) => r.venue === d1);
    const r2 = list.find((r) => r.venue === d2);
    if (!r1) throw notFound(`symbol on ${d1}`, q.symbol!);
    if (!r2) throw notFound(`symbol on ${d2}`, q.symbol!);
    const now = clock.now();
    const side = (r: FundingObservation) => ({ name: r.venue, ...rateView(r, now) });
    const diff = r2.hourlyRate.minus(r1.hourlyRate).abs();
    const [low, high] = r1.hourlyRate.lte(r2.hourlyRate) ? [r1, r2] : [r2, r1];
    return answer(c, {
      symbol: q.symbol,
      dex1: side(r1),
      dex2: side(r2),
      hourly_divergence: diff.toString(),
      hourly_divergence_bps: diff.times(10_000).toString(),
      apr_divergence: diff.times(HOURS_PER_YEAR).toString(),
      long_recommendation: low.venue,
      short_recommendation: high.venue,
      timestamp: iso(now),
    });
  });

  v1.get("/funding-rates/:dex", async (c) => {
    query(c, emptySchema);
    const venue = venueOf(c.req.param("dex"));
    const s = await current();
    const now = clock.now();
    const rates: Record<string, unknown> = {};
    let updated = 0;
    for (const r of s.rates) {
      if (r.venue !== venue) continue;
      rates[r.symbol] = rateView(r, now);
      updated = Math.max(updated, r.time);
    }
    return answer(c, {
      dex_name: venue,
      rates,
      count: Object.keys(rates).length,
      updated_at: iso(updated || undefined),
    });
  });

  v1.get("/funding-rates/:dex/:symbol", async (c) => {
    query(c, emptySchema);
    const venue = venueOf(c.req.param("dex"));
    const symbol = c.req.param("symbol").toUpperCase();
    const s = await current();
    const r = s.bySymbol.get(symbol)?.find((x) => x.venue === venue);
    if (!r) throw notFound(`symbol on ${venue}`, symbol);
    return answer(c, { dex_name: venue, symbol, ...rateView(r, clock.now()) });
  });

  const series = async (c: Context) => {
    const venue = venueOf(c.req.param("dex")!);
    const symbol = c.req.param("symbol")!.toUpperCase();
    const s = await current();
    if (!s.bySymbol.get(symbol)?.some((r) => r.venue === venue)) {
      throw notFound(`symbol on ${venue}`, symbol);
    }
    return { venue, symbol };
  };

  v1.get("/history/funding-rates/:dex/:symbol", async (c) => {
    const q = query(c, historySchema);
    const { venue, symbol } = await series(c);
    const now = clock.now();
    const end = q.end ?? now;
    const start = q.start ?? end - (q.period ?? 7 * 86_400_000);
    if (start > end) throw badParameter("start", "must not be after end");
    const rows = await db(() =>
      store.historyPoints(venue, symbol, { start, end, limit: q.limit ?? 1000 })
    );
    return answer(c, {
      dex_name: venue,
      symbol,
      start: iso(start),
      end: iso(end),
      count: rows.length,
      data_points: rows.map((r) => ({
        time: iso(r.time),
        rate: r.rate,
        interval_hours: r.intervalHours,
        hourly_rate: r.hourlyRate,
        apr: r.apr,
      })),
    });
  });

  v1.get("/history/chart/:symbol", async (c) => {
    const q = query(c, chartSchema);
    const symbol = c.req.param("symbol").toUpperCase();
    const s = await current();
    const listed = s.bySymbol.get(symbol);
    if (!listed) throw notFound("symbol", symbol);
    if ((q.dex1 === undefined) !== (q.dex2 === undefined)) {
      throw badParameter(q.dex1 === undefined ? "dex1" : "dex2", "is required with the other");
    }
    if (q.dex1 !== undefined) {
      venueOf(q.dex1);
      venueOf(q.dex2!);
      if (q.dex1 === q.dex2) throw badParameter("dex2", "must differ from dex1");
    }
    const now = clock.now();
    const period = q.period ?? "7d";
    const span = { "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000, all: now }[
      period
    ];
    const from = Math.max(0, now - span);
    const points = q.points ?? 600;
    const names = venues.filter((v) => listed.some((r) => r.venue === v));
    const series = await db(() =>
      Promise.all(names.map((v) => store.historyPoints(v, symbol, { start: from, end: now })))
    );
    const start = period === "all"
      ? Math.min(now, ...series.map((rows) => rows[0]?.time ?? now))
      : from;
    const out: Record<string, unknown> = {};
    names.forEach((v, i) => {
      const rows = series[i];
      const rate: ChartPoint[] = rows.map((r) => [r.time, Number(r.hourlyRate)]);
      const short = lastPerBucket(cumulativeShort(rows), start, now, points);
      out[v] = {
        observations: rows.length,
        hourly_rate: downsample(rate, start, now, points),
        cumulative_short: short,
        cumulative_long: short.map(([t, x]) => [t, x === 0 ? 0 : -x]),
      };
    });
    let spread = null;
    if (q.dex1 !== undefined && q.dex2 !== undefined) {
      const a = names.indexOf(q.dex1);
      const b = names.indexOf(q.dex2);
      spread = {
        dex1: q.dex1,
        dex2: q.dex2,
        points: a < 0 || b < 0
          ? []
          : downsample(hourlySpread(series[a], series[b]), start, now, points),
      };
    }
    return answer(c, { symbol, period, start, end: now, points, venues: out, spread });
  });

  v1.get("/stats/funding-rates/:dex/:symbol", async (c) => {
    const q = query(c, statsSchema);
    const { venue, symbol } = await series(c);
    const now = clock.now();
    const start = now - (q.period ?? 30 * 86_400_000);
    const rows = await db(() => store.history(venue, symbol, { start, end: now }));
    const hourly = rows.map((r) => r.hourlyRate).sort((a, b) => a.comparedTo(b));
    const n = hourly.length;
    const pick = (p: number) => {
      if (n === 0) return null;
      const pos = new Decimal(n - 1).times(p);
      const lo = pos.floor().toNumber();
      const frac = pos.minus(lo);
      const a = hourly[lo];
      const b = hourly[Math.min(lo + 1, n - 1)];
      return a.plus(b.minus(a).times(frac)).toString();
    };
    let stats: Record<string, unknown> = { count: 0 };
    if (n > 0) {
      const sum = hourly.reduce((acc, x) => acc.plus(x), new Decimal(0));
      const avg = sum.div(n);
      const variance = hourly.reduce((acc, x) => acc.plus(x.minus(avg).pow(2)), new Decimal(0))
        .div(n);
      const stdev = variance.sqrt();
      stats = {
        count: n,
        avg_hourly_rate: avg.toString(),
        median_hourly_rate: pick(0.5),
        p25_hourly_rate: pick(0.25),
        p75_hourly_rate: pick(0.75),
        min_hourly_rate: hourly[0].toString(),
        max_hourly_rate: hourly[n - 1].toString(),
        stdev_hourly_rate: stdev.toSignificantDigits(12).toString(),
        volatility: avg.isZero() ? null : stdev.div(avg.abs()).toSignificantDigits(12).toString(),
        avg_apr: avg.times(HOURS_PER_YEAR).toString(),
        positive_rate_frequency: new Decimal(hourly.filter((x) => x.gt(0)).length).div(n)
          .toSignificantDigits(6).toString(),
      };
    }
    return answer(c, { dex_name: venue, symbol, start: iso(start), end: iso(now), ...stats });
  });

  v1.get("/opportunities", async (c) => {
    const q = query(c, opportunitiesSchema);
    const now = clock.now();
    const f = opportunityFilters(q, now);
    f.limit = q.limit ?? 10;
    const s = await current();
    const hold = q.hold_hours ?? defaultHold;
    const feeMode = q.fee_mode ?? defaultFeeMode;
    if (q.symbol !== undefined && !s.bySymbol.has(q.symbol)) throw notFound("symbol", q.symbol);
    const all = filterOpportunities(costed(s, hold, feeMode), { ...f, limit: undefined });
    const shown = all.slice(0, f.limit);
    const views: Record<string, unknown>[] = shown.map((o) => opportunityView(o, now));
    if (q.include_stability) {
      const week = { start: now - 7 * 86_400_000, end: now };
      const scores = await db(() =>
        Promise.all(shown.map(async (o) => {
          const [long, short] = await Promise.all([
            store.historyPoints(o.long.venue, o.symbol, week),
            store.historyPoints(o.short.venue, o.symbol, week),
          ]);
          return stability(long, short);
        }))
      );
      scores.forEach((st, i) => {
        views[i].stability_7d = st === undefined ? null : {
          hours: st.hours,
          paid_share: st.paidShare,
          sign_changes: st.signChanges,
          mean_hourly_spread: st.meanHourlySpread,
          worst_hourly_spread: st.worstHourlySpread,
        };
      });
    }
    return answer(c, {
      opportunities: views,
      total_count: all.length,
      filters_applied: applied(q, hold, feeMode, f.maxAgeMs!),
      generated_at: iso(now),
    });
  });

  v1.get("/opportunities/best", async (c) => {
    const q = query(c, bestOpportunitySchema);
    const now = clock.now();
    const f = opportunityFilters(q, now);
    const s = await current();
    if (q.symbol !== undefined && !s.bySymbol.has(q.symbol)) throw notFound("symbol", q.symbol);
    const hold = q.hold_hours ?? defaultHold;
    const feeMode = q.fee_mode ?? defaultFeeMode;
    const [best] = filterOpportunities(costed(s, hold, feeMode), { ...f, limit: 1 });
    return answer(c, {
      opportunity: best ? opportunityView(best, now) : null,
      rank: best ? 1 : null,
      message: best ? null : "no opportunity matches the filters",
      filters_applied: applied(q, hold, feeMode, f.maxAgeMs!),
      generated_at: iso(now),
    });
  });

  v1.get("/opportunities/symbol/:symbol", async (c) => {
    const q = query(c, symbolOpportunitiesSchema);
    const symbol = c.req.param("symbol").toUpperCase();
    const now = clock.now();
    const f = opportunityFilters(q, now);
    f.symbol = symbol;
    f.limit = q.limit ?? 10;
    const s = await current();
    if (!s.bySymbol.has(symbol)) throw notFound("symbol", symbol);
    const hold = q.hold_hours ?? defaultHold;
    const feeMode = q.fee_mode ?? defaultFeeMode;
    const list = filterOpportunities(costed(s, hold, feeMode), f);
    return answer(c, {
      symbol,
      opportunities: list.map((o) => opportunityView(o, now)),
      count: list.length,
      generated_at: iso(now),
    });
  });

  const dexView = (s: Snapshot, venue: string, now: number) => {
    const rec = s.venues.find((v) => v.venue === venue);
    const fees = s.fees[venue] ?? UNKNOWN_VENUE_FEES;
    return {
      name: venue,
      fee_structure: { maker_fee: fees.maker.toString(), taker_fee: fees.taker.toString() },
      supported_symbols_count: s.rates.filter((r) => r.venue === venue).length,
      ...healthView(rec, venue, now),
    };
  };

  v1.get("/dexes", async (c) => {
    query(c, emptySchema);
    const s = await current();
    const now = clock.now();
    return answer(c, { dexes: venues.map((v) => dexView(s, v, now)), count: venues.length });
  });

  v1.get("/dexes/:dex", async (c) => {
    query(c, emptySchema);
    const venue = venueOf(c.req.param("dex"));
    const s = await current();
    const logs = await db(() => store.collectionLogs({ venue, limit: 10 }));
    return answer(c, {
      ...dexView(s, venue, clock.now()),
      recent_collections: logs.map((l) => ({
        run_id: l.runId,
        started_at: iso(l.startedAt),
        completed_at: iso(l.completedAt),
        status: l.status,
        symbols_fetched: l.symbolsFetched,
        symbols_failed: l.symbolsFailed,
        error_message: l.errorMessage ?? null,
      })),
    });
  });

  v1.get("/dexes/:dex/symbols", async (c) => {
    query(c, emptySchema);
    const venue = venueOf(c.req.param("dex"));
    const s = await current();
    const rows = s.rates.filter((r) => r.venue === venue);
    return answer(c, {
      dex_name: venue,
      symbols: rows.map((r) => ({
        symbol: r.symbol,
        dex_symbol_format: r.venueSymbol,
        volume_24h_usd: str(r.volume24hUsd),
        open_interest_usd: str(r.openInterestUsd),
        spread_bps: str(r.spreadBps),
        updated_at: iso(r.time),
      })),
      count: rows.length,
    });
  });

  v1.get("/health", async (c) => {
    query(c, emptySchema);
    const now = clock.now();
    let connected = true;
    let s: Snapshot | undefined;
    try {
      await store.ping();
      s = await current();
    } catch {
      connected = false;
    }
    const dayAgo = now - 86_400_000;
    const logs = connected
      ? await Promise.all(
        venues.map((v) =>
          store.collectionLogs({ venue: v, limit: 5_000 }).catch(() => {
            connected = false;
            return [];
          })
        ),
      )
      : venues.map(() => []);
    const dexHealth = venues.map((v, i) => {
      const own = s?.rates.filter((r) => r.venue === v) ?? [];
      const latencies = own.map((r) => r.latencyMs).filter((x): x is number => x !== undefined)
        .sort((a, b) => a - b);
      const last = logs[i][0];
      const newest = own.reduce((m, r) => Math.max(m, r.time), -Infinity);
      return {
        ...healthView(s?.venues.find((x) => x.venue === v), v, now),
        last_collection: last
          ? {
            started_at: iso(last.startedAt),
            status: last.status,
            duration_ms: last.completedAt - last.startedAt,
            symbols_fetched: last.symbolsFetched,
          }
          : null,
        latency_ms: latencies.length ? latencies[Math.floor(latencies.length / 2)] : null,
        failures_24h: logs[i].filter((l) => l.startedAt >= dayAgo && l.status === "failed")
          .length,
        data_age_seconds: Number.isFinite(newest) ? Math.round((now - newest) / 1000) : null,
      };
    });
    const healthy = dexHealth.filter((h) => h.is_healthy).length;
    const status = !connected || healthy === 0
      ? "unhealthy"
      : healthy < venues.length
      ? "degraded"
      : "healthy";
    const times = s?.rates.map((r) => r.time) ?? [];
    return answer(c, {
      status,
      timestamp: iso(now),
      database: { connected, kind: store.kind, location: options.storeLocation ?? null },
      collector: options.collector
        ? {
          running: options.collector.running,
          interval_seconds: options.collector.intervalSeconds,
        }
        : null,
      dex_health: dexHealth,
      dex_summary: { total: venues.length, healthy },
      data_freshness: {
        oldest_data_age_seconds: times.length
          ? Math.round((now - Math.min(...times)) / 1000)
          : null,
        latest_update: iso(times.length ? Math.max(...times) : undefined),
        total_rates: times.length,
      },
    }, status === "unhealthy" ? 503 : 200);
  });

  v1.get("/health/database", async (c) => {
    query(c, emptySchema);
    const now = clock.now();
    try {
      await store.ping();
      const stats = await store.stats(now);
      return answer(c, {
        status: "healthy",
        connected: true,
        kind: store.kind,
        statistics: {
          dexes: stats.venues,
          symbols: stats.symbols,
          latest_rates: stats.latestRates,
          rates: stats.rates,
          rates_last_24h: stats.ratesLast24h,
          collection_logs: stats.collectionLogs,
          schema_version: stats.schemaVersion,
        },
        timestamp: iso(now),
      });
    } catch {
      return answer(c, {
        status: "unhealthy",
        connected: false,
        kind: store.kind,
        statistics: null,
        timestamp: iso(now),
      }, 503);
    }
  });

  v1.get("/health/dex/:dex", async (c) => {
    query(c, emptySchema);
    const venue = venueOf(c.req.param("dex"));
    const s = await current();
    const now = clock.now();
    const h = healthView(s.venues.find((v) => v.venue === venue), venue, now);
    return answer(c, {
      ...h,
      status: h.is_healthy ? "healthy" : "unhealthy",
      active_symbols: s.rates.filter((r) => r.venue === venue).length,
      recent_updates: s.rates.filter((r) => r.venue === venue && now - r.time <= 300_000).length,
      timestamp: iso(now),
    });
  });

  v1.get("/bots", async (c) => {
    query(c, emptySchema);
    const list = await fetchBotStatuses(bots ?? []);
    return answer(c, { bots: list, count: list.length, generated_at: iso(clock.now()) });
  });
  v1.get("/bots/events", (c) => {
    query(c, emptySchema);
    return relayBotEvents(bots ?? []);
  });

  app.route("/api/v1", v1);
  mountDashboard(app, {
    api: async (path) => await app.request(`/api/v1${path}`, { headers: internalHeaders }),
    venues,
    network,
    bots: bots !== undefined,
    rates: async () => {
      const s = await current();
      const data = allRates(s, clock.now());
      return { data: data.data as Record<string, Record<string, RateView>>, version: data };
    },
    now: () => clock.now(),
    refreshSeconds: options.refreshSeconds ?? 30,
  });

  return {
    app,
    fetch: async (request: Request) => await app.fetch(request),
    invalidate: () => {
      snapshot = undefined;
      loading = undefined;
      void refresh();
    },
  };
}
