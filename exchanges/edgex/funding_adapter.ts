/**
 * EdgeX V2 funding and market data: {@linkcode EdgeXFundingAdapter} implements `FundingAdapter`
 * over the public REST API (no credentials).
 *
 * Units (edgex.md §4.1 Funding): `fundingRate` is a fraction **per interval**;
 * `fundingRateIntervalMin` is minutes (`"240"` = 4 h on prod). The rate reported is the one the
 * next settlement will use (`forecastFundingRate`, falling back to `fundingRate` when the venue
 * leaves it empty). A full collection costs one `getMetaData`, one `getLatestFundingRate` for
 * every contract (comma list) and one `getTicker` per contract (the ticker endpoint takes a
 * single id on the live gateway).
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
import type { Decimal } from "../../core/decimal.ts";
import { NotFoundError } from "../../core/errors.ts";
import { createHttpTransport, type FetchLike, type HttpTransport } from "../_shared/http.ts";
import { EDGEX_PRODUCTION } from "./common.ts";
import { mapEdgeXError } from "./errors.ts";
import { type EdgeXMarket, edgeXMarkets } from "./markets.ts";
import { getFundingRatePage, getLatestFundingRates, getMetaData, getTicker } from "./public_api.ts";
import type { EdgeXFundingRate } from "./schemas.ts";

/**
 * Options of {@linkcode EdgeXFundingAdapter}.
 *
 * @example
 * ```ts
 * import type { EdgeXFundingAdapterOptions } from "./funding_adapter.ts";
 * const o: EdgeXFundingAdapterOptions = { concurrency: 4 };
 * ```
 */
export interface EdgeXFundingAdapterOptions {
  /** REST origin. @default {EDGEX_PRODUCTION.restUrl} */
  restUrl?: string;
  /** `fetch` to use. @default {globalThis.fetch} */
  fetch?: FetchLike;
  /** Clock for timeouts and timestamps. @default {systemClock} */
  clock?: Clock;
  /** Timeout per attempt, ms. @default {10_000} */
  timeoutMs?: number;
  /** Parallel `getTicker` calls in `fetchMarketData`. @default {8} */
  concurrency?: number;
  /** Contracts per `getLatestFundingRate` call. @default {200} */
  batchSize?: number;
}

/**
 * EdgeX V2 `FundingAdapter`.
 *
 * @example Funding in the package's units from a stand-in venue
 * ```ts
 * import { EdgeXFundingAdapter } from "./funding_adapter.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const meta = {
 *   global: {},
 *   coinList: [{ coinId: "1000", coinName: "USDC" }, { coinId: "1001", coinName: "BTC" }],
 *   contractList: [{
 *     contractId: "30000001", contractName: "BTCUSDC", baseCoinId: "1001", quoteCoinId: "1000",
 *     tickSize: "0.1", stepSize: "0.001", minOrderSize: "0.001", fundingRateIntervalMin: "240",
 *   }],
 * };
 * const funding = [{
 *   contractId: "30000001", fundingTime: "1789128000000", fundingTimestamp: "1789136100000",
 *   oraclePrice: "79025.03", indexPrice: "79076.67", fundingRate: "0.00005000",
 *   isSettlement: false, forecastFundingRate: "0.0002", fundingRateIntervalMin: "240",
 * }];
 * const adapter = new EdgeXFundingAdapter({
 *   fetch: (url) =>
 *     Promise.resolve(Response.json({
 *       code: "SUCCESS",
 *       data: String(url).includes("getMetaData") ? meta : funding,
 *     })),
 * });
 * const [btc] = await adapter.fetchFundingRates();
 * deepEqual(
 *   [btc.symbol, btc.rate.toString(), btc.intervalHours, btc.hourlyRate.toString()],
 *   ["BTC", "0.0002", 4, "0.00005"],
 * );
 * deepEqual(btc.nextFundingTime, 1789128000000 + 4 * 3_600_000);
 * ```
 */
export class EdgeXFundingAdapter implements FundingAdapter {
  /** Venue name. */
  readonly venue: "edgex" = "edgex";
  readonly #http: HttpTransport;
  readonly #clock: Clock;
  readonly #concurrency: number;
  readonly #batch: number;
  #markets: Promise<EdgeXMarket[]> | undefined;

  /**
   * Creates the adapter; nothing is sent until a method needs it.
   *
   * @param options Host, fetch, clock and limits.
   */
  constructor(options: EdgeXFundingAdapterOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#concurrency = Math.max(1, options.concurrency ?? 8);
    this.#batch = Math.max(1, options.batchSize ?? 200);
    this.#http = createHttpTransport({
      venue: "edgex",
      baseUrl: options.restUrl ?? EDGEX_PRODUCTION.restUrl,
      fetch: options.fetch,
      clock: this.#clock,
      timeoutMs: options.timeoutMs,
      mapError: mapEdgeXError,
    });
  }

  #load(signal?: AbortSignal): Promise<EdgeXMarket[]> {
    this.#markets ??= getMetaData(this.#http, { signal }).then(edgeXMarkets).catch((e) => {
      this.#markets = undefined;
      throw e;
    });
    return this.#markets;
  }

  async #select(symbols: string[] | undefined, signal?: AbortSignal): Promise<EdgeXMarket[]> {
    const all = await this.#load(signal);
    return symbols === undefined ? all : all.filter((m) => symbols.includes(m.market.symbol));
  }

  /**
   * Latest funding of every contract (or of `symbols`), from `getLatestFundingRate` with all
   * ids in one call.
   */
  async fetchFundingRates(
    options: { symbols?: string[]; signal?: AbortSignal } = {},
  ): Promise<FundingRate[]> {
    const markets = await this.#select(options.symbols, options.signal);
    const byId = new Map(markets.map((m) => [m.contract.contractId, m]));
    const rows: EdgeXFundingRate[] = [];
    const ids = [...byId.keys()];
    for (let i = 0; i < ids.length; i += this.#batch) {
      rows.push(
        ...await getLatestFundingRates(this.#http, ids.slice(i, i + this.#batch), {
          signal: options.signal,
        }),
      );
    }
    const out: FundingRate[] = [];
    for (const row of rows) {
      const m = byId.get(row.contractId);
      if (!m) continue;
      const intervalMin = Number(row.fundingRateIntervalMin) || m.fundingIntervalMin;
      out.push({
        venue: this.venue,
        symbol: m.market.symbol,
        venueSymbol: m.market.venueSymbol,
        ...fundingRate({
          rate: row.forecastFundingRate ?? row.fundingRate,
          intervalMinutes: intervalMin,
        }),
        // `fundingTime` is the last settlement; the next one is one interval later (§4.1).
        nextFundingTime: row.fundingTime + intervalMin * 60_000,
        // EdgeX marks at the oracle price (ticker `markPrice` = `oraclePrice`).
        markPrice: row.oraclePrice,
        indexPrice: row.indexPrice,
        timestamp: row.fundingTimestamp ?? this.#clock.now(),
        // `fundingRate` of a latest row is the last fixed rate, settled at `fundingTime`
        // (edgex.md §4.1); `rate` above is the forecast for the next settlement.
        settledRate: row.fundingRate,
        settledTime: row.fundingTime,
      });
    }
    return out;
  }

  /**
   * Volume (24 h `value`, USDC ≈ USD), open interest × index price, best bid/ask and spread
   * from each contract's ticker.
   */
  async fetchMarketData(
    options: { symbols?: string[]; signal?: AbortSignal } = {},
  ): Promise<MarketData[]> {
    const markets = await this.#select(options.symbols, options.signal);
    const out: (MarketData | undefined)[] = new Array(markets.length);
    let next = 0;
    const worker = async () => {
      while (next < markets.length) {
        const i = next++;
        const m = markets[i];
        const t = await getTicker(this.#http, m.contract.contractId, { signal: options.signal });
        if (!t) continue;
        const positive = (d: Decimal | undefined) => (d && d.gt(0) ? d : undefined);
        const bid = positive(t.bestBidPrice);
        const ask = positive(t.bestAskPrice);
        const index = positive(t.indexPrice);
        out[i] = {
          venue: this.venue,
          symbol: m.market.symbol,
          volume24hUsd: t.value,
          openInterestUsd: t.openInterest && index ? t.openInterest.times(index) : undefined,
          bestBid: bid,
          bestAsk: ask,
          spreadBps: bid && ask
            ? ask.minus(bid).div(ask.plus(bid).div(2)).times(10_000)
            : undefined,
          markPrice: positive(t.markPrice ?? t.oraclePrice),
          indexPrice: index,
          timestamp: this.#clock.now(),
        };
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, markets.length) }, worker));
    return out.filter((x): x is MarketData => x !== undefined);
  }

  /**
   * Settlements of one symbol, oldest first, from `getFundingRatePage` with
   * `filterSettlementFundingRate=true` (paged, newest first on the wire). `end` is inclusive;
   * `limit` keeps the newest rows.
   */
  async fetchFundingHistory(
    symbol: string,
    options: { start?: number; end?: number; limit?: number; signal?: AbortSignal } = {},
  ): Promise<FundingHistoryEntry[]> {
    const [m] = await this.#select([symbol], options.signal);
    if (!m) {
      throw new NotFoundError({
        venue: this.venue,
        message: `Unknown market '${symbol}' on edgex`,
      });
    }
    const limit = options.limit ?? Infinity;
    const rows: FundingHistoryEntry[] = [];
    let offsetData = "";
    for (let page = 0; page < 10_000 && rows.length < limit; page++) {
      const r = await getFundingRatePage(this.#http, {
        contractId: m.contract.contractId,
        size: 100,
        offsetData,
        settlementsOnly: true,
        beginTimeInclusive: options.start,
        endTimeExclusive: options.end === undefined ? undefined : options.end + 1,
      }, { signal: options.signal });
      for (const row of r.dataList) {
        // The filter should return settlements only; never trust a per-minute estimate row.
        if (!row.isSettlement || rows.length >= limit) continue;
        if (options.start !== undefined && row.fundingTime < options.start) continue;
        if (options.end !== undefined && row.fundingTime > options.end) continue;
        const intervalMin = Number(row.fundingRateIntervalMin) || m.fundingIntervalMin;
        rows.push({
          venue: this.venue,
          symbol,
          time: row.fundingTime,
          ...fundingRate({ rate: row.fundingRate, intervalMinutes: intervalMin }),
        });
      }
      offsetData = r.nextPageOffsetData;
      if (offsetData === "" || r.dataList.length === 0) break;
    }
    return rows.sort((a, b) => a.time - b.time);
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
