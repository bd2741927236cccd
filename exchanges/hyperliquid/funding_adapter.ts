/**
 * {@linkcode HyperliquidFundingAdapter}: Hyperliquid funding rates and market data.
 *
 * Units (sources in `common.ts`): `funding` of `metaAndAssetCtxs` and `fundingRate` of
 * `fundingHistory` are fractions per **hour**; settlement is hourly on the hour, so the next
 * funding time is the next full hour. Market data: `dayNtlVlm` is 24 h notional volume in
 * USDC, `openInterest` is in coins (× `markPx` for USDC), best bid / ask from
 * `impactPxs` are not the touch, so the adapter reads them from `l2Book` only when asked per
 * symbol, and otherwise leaves them undefined.
 *
 * @module
 */
import type {
  Clock,
  FundingAdapter,
  FundingHistoryEntry,
  FundingRate,
  MarketData,
} from "../../base.ts";
import { fundingRate } from "../../base.ts";
import { Decimal } from "../../core/decimal.ts";
import { ConfigurationError } from "../../core/errors.ts";
import { systemClock } from "../_shared/clock.ts";
import { createHttpTransport, type FetchLike, type HttpTransport } from "../_shared/http.ts";
import {
  type HyperliquidEnvironment,
  type HyperliquidHosts,
  resolveHyperliquidHosts,
  unifiedSymbol,
  VENUE,
  venueCoin,
} from "./common.ts";
import { fundingHistorySchema, l2BookSchema, metaAndAssetCtxsSchema } from "./schemas.ts";

const HOUR = 3_600_000;
/** Rows per `fundingHistory` answer (the venue's page size). */
const PAGE = 500;

/**
 * Options of {@linkcode HyperliquidFundingAdapter}.
 *
 * @example
 * ```ts
 * import type { HyperliquidFundingAdapterOptions } from "./funding_adapter.ts";
 * const o: HyperliquidFundingAdapterOptions = { environment: "testnet" };
 * ```
 */
export interface HyperliquidFundingAdapterOptions {
  /** Network. @default {"mainnet"} */
  environment?: HyperliquidEnvironment;
  /** Explicit hosts (required for `sim`). */
  hosts?: HyperliquidHosts;
  /** REST base URL; shorthand for `hosts`. */
  apiUrl?: string;
  /** Clock. @default {systemClock} */
  clock?: Clock;
  /** `fetch`. @default {globalThis.fetch} */
  fetch?: FetchLike;
  /** Timeout per request, ms. @default {10_000} */
  timeoutMs?: number;
}

/**
 * Funding rates (fraction per hour, interval 1 h), market data and history of Hyperliquid.
 *
 * @example
 * ```ts ignore
 * import { HyperliquidFundingAdapter } from "./funding_adapter.ts";
 * await using a = new HyperliquidFundingAdapter();
 * const [btc] = await a.fetchFundingRates({ symbols: ["BTC"] });
 * console.log(btc.intervalHours); // 1
 * ```
 */
export class HyperliquidFundingAdapter implements FundingAdapter {
  /** Venue name. */
  readonly venue: "hyperliquid" = VENUE;
  readonly #http: HttpTransport;
  readonly #clock: Clock;

  /**
   * Creates the adapter.
   *
   * @param options Network, hosts, clock.
   */
  constructor(options: HyperliquidFundingAdapterOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    const hosts = options.apiUrl
      ? { apiUrl: options.apiUrl, wsUrl: "" }
      : resolveHyperliquidHosts(options.environment ?? "mainnet", options.hosts);
    this.#http = createHttpTransport({
      venue: VENUE,
      baseUrl: hosts.apiUrl,
      clock: this.#clock,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs ?? 10_000,
    });
  }

  #ctxs(signal?: AbortSignal) {
    return this.#http.request({
      method: "POST",
      path: "/info",
      endpoint: "info metaAndAssetCtxs",
      body: { type: "metaAndAssetCtxs" },
      schema: metaAndAssetCtxsSchema,
      idempotent: true,
      signal,
    });
  }

  /**
   * Current predicted rates from `metaAndAssetCtxs` (`funding`, per hour).
   *
   * @param options `symbols` (unified: `1000PEPE` for `kPEPE`) to keep.
   * @returns One rate per listed perpetual.
   */
  async fetchFundingRates(
    options: { symbols?: string[]; signal?: AbortSignal } = {},
  ): Promise<FundingRate[]> {
    const [meta, ctxs] = await this.#ctxs(options.signal);
    const now = this.#clock.now();
    const want = options.symbols ? new Set(options.symbols) : undefined;
    const out: FundingRate[] = [];
    meta.universe.forEach((u, i) => {
      const c = ctxs[i];
      if (!c || u.isDelisted || (want && !want.has(unifiedSymbol(u.name)))) return;
      out.push({
        venue: VENUE,
        symbol: unifiedSymbol(u.name),
        venueSymbol: u.name,
        ...fundingRate({ rate: c.funding, intervalHours: 1 }),
        nextFundingTime: Math.floor(now / HOUR) * HOUR + HOUR,
        markPrice: c.markPx,
        indexPrice: c.oraclePx,
        timestamp: now,
      });
    });
    return out;
  }

  /**
   * Volume, open interest (USDC) and prices from `metaAndAssetCtxs`; best bid / ask from
   * `l2Book` when `symbols` names at most 10 coins.
   *
   * @param options `symbols` (unified: `1000PEPE` for `kPEPE`) to keep.
   * @returns One entry per perpetual.
   */
  async fetchMarketData(
    options: { symbols?: string[]; signal?: AbortSignal } = {},
  ): Promise<MarketData[]> {
    const [meta, ctxs] = await this.#ctxs(options.signal);
    const now = this.#clock.now();
    const want = options.symbols ? new Set(options.symbols) : undefined;
    const out: MarketData[] = [];
    for (const [i, u] of meta.universe.entries()) {
      const c = ctxs[i];
      if (!c || u.isDelisted || (want && !want.has(unifiedSymbol(u.name)))) continue;
      let bestBid: Decimal | undefined;
      let bestAsk: Decimal | undefined;
      if (want && want.size <= 10) {
        const b = await this.#http.request({
          method: "POST",
          path: "/info",
          endpoint: "info l2Book",
          body: { type: "l2Book", coin: u.name },
          schema: l2BookSchema,
          idempotent: true,
          signal: options.signal,
        });
        if (b.levels[0][0]) bestBid = new Decimal(b.levels[0][0].px);
        if (b.levels[1][0]) bestAsk = new Decimal(b.levels[1][0].px);
      }
      const mid = bestBid && bestAsk ? bestBid.plus(bestAsk).div(2) : undefined;
      out.push({
        venue: VENUE,
        symbol: unifiedSymbol(u.name),
        volume24hUsd: c.dayNtlVlm,
        openInterestUsd: c.openInterest.times(c.markPx),
        bestBid,
        bestAsk,
        spreadBps: mid && mid.gt(0) ? bestAsk!.minus(bestBid!).div(mid).times(10_000) : undefined,
        markPrice: c.markPx,
        indexPrice: c.oraclePx,
        timestamp: now,
      });
    }
    return out;
  }

  /**
   * Settled rates from `fundingHistory` (per hour), oldest first, paged by time.
   *
   * @param symbol Unified symbol (`1000PEPE` for `kPEPE`).
   * @param options `start` / `end` (ms), `limit` (newest kept).
   * @returns The history.
   * @throws {ConfigurationError} For a bad limit.
   */
  async fetchFundingHistory(
    symbol: string,
    options: { start?: number; end?: number; limit?: number; signal?: AbortSignal } = {},
  ): Promise<FundingHistoryEntry[]> {
    const { limit } = options;
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) {
      throw new ConfigurationError(`'limit' must be a positive integer: got ${limit}`, {
        venue: VENUE,
      });
    }
    const end = options.end ?? this.#clock.now();
    let start = options.start ?? (limit !== undefined ? end - limit * HOUR : end - 7 * 24 * HOUR);
    const out: FundingHistoryEntry[] = [];
    const seen = new Set<number>();
    for (let page = 0; page < 1000; page++) {
      const rows = await this.#http.request({
        method: "POST",
        path: "/info",
        endpoint: "info fundingHistory",
        body: { type: "fundingHistory", coin: venueCoin(symbol), startTime: start, endTime: end },
        schema: fundingHistorySchema,
        idempotent: true,
        signal: options.signal,
      });
      for (const r of rows) {
        if (
          unifiedSymbol(r.coin) !== symbol || seen.has(r.time) || r.time < start || r.time > end
        ) continue;
        seen.add(r.time);
        out.push({
          venue: VENUE,
          symbol,
          time: r.time,
          ...fundingRate({ rate: r.fundingRate, intervalHours: 1 }),
        });
      }
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1].time;
      if (last + 1 <= start) break;
      start = last + 1;
    }
    out.sort((a, b) => a.time - b.time);
    return limit === undefined ? out : out.slice(-limit);
  }

  /** Nothing to release (REST only). */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
