/**
 * {@linkcode GRVTFundingAdapter}: GRVT's funding rates and market data in the package's units.
 *
 * GRVT quotes `funding_rate` in **percentage points per funding interval** (`"0.01"` is 0.01 %,
 * grvt.md §5) with `funding_interval_hours` per instrument; the adapter divides by 100 and
 * takes the interval from the instrument. One collection is one `instruments` call (cached for
 * `instrumentsTtlMs`) and one `ticker` call per market, run concurrently through a bounded pool.
 * History comes from `full/v1/funding`, paged with its `next` cursor.
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
import { systemClock } from "../_shared/clock.ts";
import type { Decimal } from "../_shared/decimal.ts";
import { NotFoundError } from "../_shared/errors.ts";
import type { FetchLike, HttpTransport } from "../_shared/http.ts";
import { msToNs } from "./common.ts";
import { type GrvtConnectionOptions, resolveGrvtConfig } from "./config.ts";
import { createGrvtTransport, type GrvtMarket, loadGrvtMarkets } from "./markets.ts";
import { fundingResponseSchema, tickerResponseSchema } from "./schemas.ts";

/** Funding rates arrive in percentage points (grvt.md §5). */
const PERCENT = 100;
const MAX_PAGE = 1000;

/**
 * Options of {@linkcode GRVTFundingAdapter}. No credentials are needed: market data is public.
 *
 * @example
 * ```ts
 * import type { GRVTFundingAdapterOptions } from "./funding_adapter.ts";
 * const o: GRVTFundingAdapterOptions = { environment: "prod", concurrency: 4 };
 * ```
 */
export interface GRVTFundingAdapterOptions extends GrvtConnectionOptions {
  /** Clock. @default {systemClock} */
  clock?: Clock;
  /** `fetch` to use. @default {globalThis.fetch} */
  fetch?: FetchLike;
  /** REST timeout per attempt, in ms. @default {10_000} */
  timeoutMs?: number;
  /** Tickers fetched at once. @default {8} */
  concurrency?: number;
  /** How long the instruments list is reused, in ms. @default {3_600_000} */
  instrumentsTtlMs?: number;
  /** Rows per `full/v1/funding` page (the venue allows at most 1000). @default {1000} */
  pageSize?: number;
}

/**
 * GRVT funding rates, market data and funding history.
 *
 * @example Units: percentage points per interval become a fraction
 * ```ts
 * import { GRVTFundingAdapter } from "./funding_adapter.ts";
 * import { equal } from "node:assert/strict";
 *
 * const replies: Record<string, unknown> = {
 *   "/full/v1/instruments": { result: [{
 *     instrument: "BTC_USDT_Perp", instrument_hash: "0x030501", base: "BTC", quote: "USDT",
 *     kind: "PERPETUAL", base_decimals: 9, tick_size: "0.1", min_size: "0.001",
 *     funding_interval_hours: 8,
 *   }] },
 *   "/full/v1/ticker": { result: {
 *     instrument: "BTC_USDT_Perp", mark_price: "92697.3", funding_rate: "0.0037",
 *     next_funding_time: "1764777600000000000",
 *   } },
 * };
 * const adapter = new GRVTFundingAdapter({
 *   environment: "prod",
 *   env: {},
 *   fetch: (url) => Promise.resolve(Response.json(replies[new URL(String(url)).pathname])),
 * });
 * const [btc] = await adapter.fetchFundingRates();
 * equal(btc.rate.toString(), "0.000037"); // 0.0037 % per 8 h
 * equal(btc.intervalHours, 8);
 * equal(btc.nextFundingTime, 1_764_777_600_000);
 * ```
 */
export class GRVTFundingAdapter implements FundingAdapter {
  /** Venue name. */
  readonly venue: "grvt" = "grvt";
  readonly #md: HttpTransport;
  readonly #clock: Clock;
  readonly #concurrency: number;
  readonly #ttl: number;
  readonly #pageSize: number;
  #markets: { at: number; value: Map<string, GrvtMarket> } | undefined;
  #loading: Promise<Map<string, GrvtMarket>> | undefined;

  /**
   * Creates an adapter.
   *
   * @param options Environment, hosts, clock, fetch, concurrency and instrument cache.
   * @throws {ConfigurationError} If the environment is unknown or `sim` lacks its hosts.
   */
  constructor(options: GRVTFundingAdapterOptions = {}) {
    const { hosts } = resolveGrvtConfig(options);
    this.#clock = options.clock ?? systemClock;
    this.#concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
    this.#ttl = options.instrumentsTtlMs ?? 3_600_000;
    this.#pageSize = Math.min(MAX_PAGE, Math.max(1, Math.floor(options.pageSize ?? MAX_PAGE)));
    this.#md = createGrvtTransport({
      baseUrl: hosts.marketDataUrl,
      clock: this.#clock,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
    });
  }

  async #load(signal?: AbortSignal): Promise<Map<string, GrvtMarket>> {
    const cached = this.#markets;
    if (cached && this.#clock.now() - cached.at < this.#ttl) return cached.value;
    this.#loading ??= loadGrvtMarkets(this.#md, { signal }).then((value) => {
      this.#markets = { at: this.#clock.now(), value };
      return value;
    }).finally(() => {
      this.#loading = undefined;
    });
    return await this.#loading;
  }

  async #select(symbols?: string[], signal?: AbortSignal): Promise<GrvtMarket[]> {
    const all = [...(await this.#load(signal)).values()];
    return symbols === undefined ? all : all.filter((m) => symbols.includes(m.symbol));
  }

  #ticker(market: GrvtMarket, signal?: AbortSignal) {
    return this.#md.request({
      method: "POST",
      path: "/full/v1/ticker",
      endpoint: "full/v1/ticker",
      body: { instrument: market.venueSymbol },
      idempotent: true,
      schema: tickerResponseSchema,
      signal,
    }).then((r) => r.result);
  }

  /**
   * Current funding rates: the rate of the interval ending at `next_funding_time`.
   *
   * @param options Only these unified symbols; `signal` aborts.
   * @returns One rate per market.
   */
  async fetchFundingRates(
    options: { symbols?: string[]; signal?: AbortSignal } = {},
  ): Promise<FundingRate[]> {
    const markets = await this.#select(options.symbols, options.signal);
    return await pool(markets, this.#concurrency, async (m) => {
      const t = await this.#ticker(m, options.signal);
      const intervalHours = t.funding_interval_hours && t.funding_interval_hours > 0
        ? t.funding_interval_hours
        : m.fundingIntervalHours;
      return {
        venue: this.venue,
        symbol: m.symbol,
        venueSymbol: m.venueSymbol,
        ...fundingRate({ rate: t.funding_rate.div(PERCENT), intervalHours }),
        nextFundingTime: t.next_funding_time,
        markPrice: positive(t.mark_price),
        indexPrice: positive(t.index_price),
        timestamp: t.event_time ?? this.#clock.now(),
      };
    });
  }

  /**
   * 24 h volume in USD (buy + sell quote volume), open interest × mark in USD, best bid / ask
   * and spread.
   *
   * @param options Only these unified symbols; `signal` aborts.
   * @returns One row per market.
   */
  async fetchMarketData(
    options: { symbols?: string[]; signal?: AbortSignal } = {},
  ): Promise<MarketData[]> {
    const markets = await this.#select(options.symbols, options.signal);
    return await pool(markets, this.#concurrency, async (m) => {
      const t = await this.#ticker(m, options.signal);
      const mark = positive(t.mark_price);
      const bid = positive(t.best_bid_price);
      const ask = positive(t.best_ask_price);
      const volume = t.buy_volume_24h_q && t.sell_volume_24h_q
        ? t.buy_volume_24h_q.plus(t.sell_volume_24h_q)
        : undefined;
      return {
        venue: this.venue,
        symbol: m.symbol,
        volume24hUsd: volume,
        openInterestUsd: t.open_interest && mark ? t.open_interest.times(mark) : undefined,
        bestBid: bid,
        bestAsk: ask,
        spreadBps: bid && ask ? ask.minus(bid).div(ask.plus(bid).div(2)).times(10_000) : undefined,
        markPrice: mark,
        indexPrice: positive(t.index_price),
        timestamp: t.event_time ?? this.#clock.now(),
      };
    });
  }

  /**
   * Past settlements from `full/v1/funding`, oldest first, paging until `start` or `limit`.
   *
   * @param symbol Unified symbol.
   * @param options `start` / `end` (ms), `limit` (latest rows kept), `signal`.
   * @returns The settlements.
   * @throws {NotFoundError} For an unknown symbol.
   */
  async fetchFundingHistory(
    symbol: string,
    options: { start?: number; end?: number; limit?: number; signal?: AbortSignal } = {},
  ): Promise<FundingHistoryEntry[]> {
    const market = (await this.#load(options.signal)).get(symbol);
    if (!market) {
      throw new NotFoundError({ venue: "grvt", message: `Unknown market '${symbol}' on grvt` });
    }
    const want = options.limit ?? Infinity;
    const rows: FundingHistoryEntry[] = [];
    let cursor = "";
    do {
      const body: Record<string, unknown> = {
        instrument: market.venueSymbol,
        limit: Math.min(this.#pageSize, want - rows.length),
        cursor,
      };
      if (options.start !== undefined) body.start_time = msToNs(Math.floor(options.start));
      if (options.end !== undefined) body.end_time = msToNs(Math.floor(options.end));
      const page = await this.#md.request({
        method: "POST",
        path: "/full/v1/funding",
        endpoint: "full/v1/funding",
        body,
        idempotent: true,
        schema: fundingResponseSchema,
        signal: options.signal,
      });
      for (const r of page.result) {
        // Old rows say "0" hours (grvt.md §5): the instrument's interval applies.
        const intervalHours = r.funding_interval_hours && r.funding_interval_hours > 0
          ? r.funding_interval_hours
          : market.fundingIntervalHours;
        rows.push({
          venue: this.venue,
          symbol,
          time: r.funding_time,
          ...fundingRate({ rate: r.funding_rate.div(PERCENT), intervalHours }),
        });
      }
      cursor = page.next ?? "";
      if (page.result.length === 0) break;
    } while (cursor !== "" && rows.length < want);
    // The venue pages newest first.
    return rows.sort((a, b) => a.time - b.time).slice(Math.max(0, rows.length - want));
  }

  /** Nothing to release (HTTP only). */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function positive(d: Decimal | undefined): Decimal | undefined {
  return d !== undefined && d.gt(0) ? d : undefined;
}

/** Runs `work` over `items` with at most `size` in flight, keeping the order. */
async function pool<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return out;
}
