/**
 * {@linkcode LighterFundingAdapter}: Lighter's funding rates, market data and funding history
 * in the package's units.
 *
 * Which endpoint, and why (lighter.md §6, peers.md §4.9):
 * - **Current rate**: WebSocket `market_stats/all`, field `current_funding_rate` — the venue's
 *   own rate for the running hour, a signed **percent per hour** decimal string. Lighter
 *   settles hourly, so `rate` (fraction per interval) = `current_funding_rate / 100` with
 *   `intervalHours` 1. One frame covers every market.
 * - **Fallback** (`source: "funding-rates"`): `GET /api/v1/funding-rates`, a JSON float that
 *   also carries binance / bybit / hyperliquid reference rates. Only `exchange == "lighter"`
 *   rows are kept, and their unit is a **fraction per 8 hours** (inferred from ccxt's sample:
 *   ETH 9.6e-05 = 0.0012 %/h × 8 / 100), so the hourly rate is `rate / 8`.
 * - **History**: `GET /api/v1/fundings?resolution=1h`: `rate` is an unsigned percent per hour
 *   truncated to 4 decimals, the sign comes from `direction` (`long` = longs pay = positive),
 *   `timestamp` in seconds; at most ~100 rows per call, so older rows are paged backwards.
 * - **Mark and index prices**: only the `market_stats` stream carries them (`mark_price`,
 *   `index_price`). The real `orderBookDetails` answer has neither, even though the OpenAPI file
 *   lists them, so with `source: "funding-rates"` (no stream) they are left empty.
 * - **Market data**: `GET /api/v1/orderBookDetails` (`daily_quote_token_volume` is already
 *   USD; `open_interest` is a float in base units, one side), the `market_stats` stream for
 *   mark / index, and `GET /api/v1/orderBookOrders?limit=1` for best bid / ask. Open interest
 *   in USD = `open_interest × mark_price`, or `× last_trade_price` (also in `orderBookDetails`)
 *   when no mark is at hand.
 *
 * @module
 */
import type { z } from "zod";
import {
  type Clock,
  type FundingAdapter,
  type FundingHistoryEntry,
  type FundingRate,
  fundingRate,
  type MarketData,
} from "../../base.ts";
import { systemClock } from "../_shared/clock.ts";
import type { Decimal } from "../../core/decimal.ts";
import { NetworkError, NotFoundError, TimeoutError } from "../../core/errors.ts";
import { createHttpTransport, type HttpTransport, type Query } from "../_shared/http.ts";
import { parsePayload } from "../_shared/parse.ts";
import { LIGHTER_ALL, LIGHTER_ENVIRONMENTS, LIGHTER_FUNDING_INTERVAL_HOURS } from "./common.ts";
import { mapLighterError } from "./errors.ts";
import {
  floatDecimal,
  fundingRatesSchema,
  fundingsSchema,
  marketStatsFrameSchema,
  type marketStatsSchema,
  type OrderBookDetail,
  orderBookDetailsSchema,
  orderBookOrdersSchema,
} from "./schemas.ts";

const HOUR_MS = 3_600_000;

type MarketStats = z.output<typeof marketStatsSchema>;

function isSingle(s: MarketStats | Record<string, MarketStats>): s is MarketStats {
  return typeof (s as { market_id?: unknown }).market_id === "number";
}
/** Rows per `/fundings` call (lighter.md §3.2: "≤ ~100 rows/call"). */
const PAGE = 100;

/**
 * Options of {@linkcode LighterFundingAdapter}.
 *
 * @example
 * ```ts
 * import type { LighterFundingAdapterOptions } from "./funding_adapter.ts";
 * const o: LighterFundingAdapterOptions = { network: "mainnet", source: "funding-rates" };
 * ```
 */
export interface LighterFundingAdapterOptions {
  /** Network. @default {"mainnet"} */
  network?: "mainnet" | "testnet";
  /** REST base URL. @default {the network's} */
  restUrl?: string;
  /** WebSocket URL. @default {the network's} */
  wsUrl?: string;
  /**
   * Where current rates come from: the `market_stats` stream (percent per hour) or
   * `/funding-rates` (fraction per 8 h, other venues filtered out). @default {"market_stats"}
   */
  source?: "market_stats" | "funding-rates";
  /** Timeout of each request and of the stream snapshot, in ms. @default {10_000} */
  timeoutMs?: number;
  /** Clock. @default {systemClock} */
  clock?: Clock;
  /** `fetch` to use. @default {globalThis.fetch} */
  fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** WebSocket constructor. @default {globalThis.WebSocket} */
  WebSocket?: new (url: string, protocols?: string | string[]) => WebSocket;
}

/**
 * Lighter funding rates (hourly), market data and funding history.
 *
 * @example Against the mainnet (needs the network)
 * ```ts ignore
 * import { LighterFundingAdapter } from "./funding_adapter.ts";
 *
 * await using adapter = new LighterFundingAdapter();
 * for (const r of await adapter.fetchFundingRates({ symbols: ["BTC", "ETH"] })) {
 *   console.log(r.symbol, r.hourlyRate.toString(), r.apr.toString());
 * }
 * ```
 */
export class LighterFundingAdapter implements FundingAdapter {
  /** Venue name. */
  readonly venue = "lighter" as const;
  readonly #http: HttpTransport;
  readonly #wsUrl: string;
  readonly #options: LighterFundingAdapterOptions;
  readonly #clock: Clock;

  /**
   * Creates the adapter; nothing is sent until the first call.
   *
   * @param options Network, source of current rates and injectables.
   */
  constructor(options: LighterFundingAdapterOptions = {}) {
    const env = LIGHTER_ENVIRONMENTS[options.network ?? "mainnet"];
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#wsUrl = options.wsUrl ?? env.wsUrl;
    this.#http = createHttpTransport({
      venue: "lighter",
      baseUrl: options.restUrl ?? env.restUrl,
      clock: this.#clock,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      mapError: mapLighterError,
    });
  }

  #get<S extends z.ZodType>(path: string, query: Query, schema: S, signal?: AbortSignal) {
    return this.#http.request({ method: "GET", path, query, schema, signal });
  }

  /** Whether current rates and mark / index prices come from the `market_stats` stream. */
  get #streamed(): boolean {
    return (this.#options.source ?? "market_stats") === "market_stats";
  }

  async #details(signal?: AbortSignal): Promise<OrderBookDetail[]> {
    const r = await this.#get(
      "/api/v1/orderBookDetails",
      { market_id: LIGHTER_ALL, filter: "perp" },
      orderBookDetailsSchema,
      signal,
    );
    return r.order_book_details.filter((d) =>
      (d.market_type === undefined || d.market_type === "perp") && d.status === "active"
    );
  }

  /**
   * Current funding rates: fraction per hour (`intervalHours` 1), positive = longs pay.
   *
   * @param options Only these symbols; abort signal.
   * @returns The rates.
   */
  async fetchFundingRates(
    options: { symbols?: string[]; signal?: AbortSignal } = {},
  ): Promise<FundingRate[]> {
    const details = await this.#details(options.signal);
    const wanted = (s: string) => options.symbols === undefined || options.symbols.includes(s);
    const now = this.#clock.now();
    const next = (Math.floor(now / HOUR_MS) + 1) * HOUR_MS;
    const byId = new Map(details.map((d) => [d.market_id, d]));
    const rates = new Map<number, Decimal>();
    const prices = new Map<number, { mark: Decimal; index: Decimal }>();
    const settled = new Map<number, Decimal>();
    if (this.#streamed) {
      for (const s of await this.#marketStats(options.signal)) {
        // Percent per hour → fraction per hour.
        rates.set(s.market_id, s.current_funding_rate.div(100));
        // `funding_rate` is the last settled rate (lighter.md §4.2), settled on the last hour.
        if (s.funding_rate !== undefined) settled.set(s.market_id, s.funding_rate.div(100));
        prices.set(s.market_id, { mark: s.mark_price, index: s.index_price });
      }
    } else {
      const r = await this.#get("/api/v1/funding-rates", {}, fundingRatesSchema, options.signal);
      for (const row of r.funding_rates) {
        if (row.exchange.toLowerCase() !== "lighter") continue;
        rates.set(row.market_id, lighterFundingRatesToHourly(row.rate));
      }
    }
    const out: FundingRate[] = [];
    for (const [id, rate] of rates) {
      const d = byId.get(id);
      if (!d || !wanted(d.symbol)) continue;
      out.push({
        venue: "lighter",
        symbol: d.symbol,
        venueSymbol: d.symbol,
        ...fundingRate({ rate, intervalHours: LIGHTER_FUNDING_INTERVAL_HOURS }),
        nextFundingTime: next,
        markPrice: prices.get(id)?.mark,
        indexPrice: prices.get(id)?.index,
        timestamp: now,
        ...(settled.has(id)
          ? { settledRate: settled.get(id)!, settledTime: Math.floor(now / HOUR_MS) * HOUR_MS }
          : {}),
      });
    }
    return out;
  }

  /** One `subscribed/market_stats` frame of `market_stats/all`, then the socket is closed. */
  async #marketStats(signal?: AbortSignal) {
    const Ctor = this.#options.WebSocket ?? globalThis.WebSocket;
    const timeoutMs = this.#options.timeoutMs ?? 10_000;
    const ws = new Ctor(this.#wsUrl);
    const stop = new AbortController();
    const where = { venue: "lighter" as const, endpoint: "market_stats/all" };
    try {
      const frame = await new Promise<unknown>((resolve, reject) => {
        this.#clock.sleep(timeoutMs, stop.signal).then(
          () => reject(new TimeoutError(timeoutMs, where)),
          () => {},
        );
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
        ws.onopen = () =>
          ws.send(JSON.stringify({ type: "subscribe", channel: "market_stats/all" }));
        ws.onerror = () =>
          reject(new NetworkError({ ...where, message: "market_stats stream failed" }));
        ws.onclose = () =>
          reject(new NetworkError({ ...where, message: "market_stats stream closed early" }));
        ws.onmessage = (e) => {
          let data: { type?: string; error?: unknown };
          try {
            data = JSON.parse(String(e.data));
          } catch {
            return;
          }
          if (data.type === "subscribed/market_stats" || data.type === "update/market_stats") {
            resolve(data);
          } else if (data.error) {
            reject(
              new NetworkError({ ...where, message: `stream error: ${JSON.stringify(data)}` }),
            );
          }
        };
      });
      const f = parsePayload(marketStatsFrameSchema, frame, where);
      const stats = f.market_stats;
      return isSingle(stats) ? [stats] : Object.values(stats);
    } finally {
      stop.abort();
      ws.onclose = null;
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) {
        const closed = new Promise((r) => ws.addEventListener("close", r, { once: true }));
        ws.close();
        await closed;
      }
    }
  }

  /**
   * 24 h volume (USD), open interest (USD), best bid / ask and spread.
   *
   * @param options Only these symbols; abort signal.
   * @returns The data.
   */
  async fetchMarketData(
    options: { symbols?: string[]; signal?: AbortSignal } = {},
  ): Promise<MarketData[]> {
    const details = (await this.#details(options.signal)).filter((d) =>
      options.symbols === undefined || options.symbols.includes(d.symbol)
    );
    const prices = new Map<number, { mark: Decimal; index: Decimal }>();
    if (this.#streamed && details.length > 0) {
      for (const s of await this.#marketStats(options.signal)) {
        prices.set(s.market_id, { mark: s.mark_price, index: s.index_price });
      }
    }
    const now = this.#clock.now();
    const out: MarketData[] = [];
    for (const d of details) {
      const book = await this.#get(
        "/api/v1/orderBookOrders",
        { market_id: d.market_id, limit: 1 },
        orderBookOrdersSchema,
        options.signal,
      );
      const bid = book.bids[0]?.price;
      const ask = book.asks[0]?.price;
      const mark = prices.get(d.market_id)?.mark;
      const last = d.last_trade_price === undefined || d.last_trade_price <= 0
        ? undefined
        : floatDecimal(d.last_trade_price);
      const oiPrice = mark ?? last;
      out.push({
        venue: "lighter",
        symbol: d.symbol,
        volume24hUsd: d.daily_quote_token_volume === undefined
          ? undefined
          : floatDecimal(d.daily_quote_token_volume),
        openInterestUsd: d.open_interest === undefined || oiPrice === undefined
          ? undefined
          : openInterestUsd(floatDecimal(d.open_interest), oiPrice),
        bestBid: bid,
        bestAsk: ask,
        spreadBps: bid && ask ? ask.minus(bid).div(ask.plus(bid).div(2)).times(10_000) : undefined,
        markPrice: mark,
        indexPrice: prices.get(d.market_id)?.index,
        timestamp: now,
      });
    }
    return out;
  }

  /**
   * Hourly settlements of one market, oldest first, paged backwards from `end`.
   *
   * @param symbol Unified symbol.
   * @param options `start` / `end` (ms; default the last 7 days), `limit` (latest rows kept).
   * @returns The settlements.
   * @throws {NotFoundError} For an unknown symbol.
   */
  async fetchFundingHistory(
    symbol: string,
    options: { start?: number; end?: number; limit?: number; signal?: AbortSignal } = {},
  ): Promise<FundingHistoryEntry[]> {
    const d = (await this.#details(options.signal)).find((x) => x.symbol === symbol);
    if (!d) {
      throw new NotFoundError({
        venue: "lighter",
        message: `Unknown market '${symbol}' on lighter`,
      });
    }
    const end = options.end ?? this.#clock.now();
    const start = options.start ?? end - 7 * 24 * HOUR_MS;
    const rows = new Map<number, FundingHistoryEntry>();
    let to = end;
    while (to >= start) {
      const r = await this.#get(
        "/api/v1/fundings",
        {
          market_id: d.market_id,
          resolution: "1h",
          start_timestamp: start,
          end_timestamp: to,
          count_back: PAGE,
        },
        fundingsSchema,
        options.signal,
      );
      let oldest = Infinity;
      for (const f of r.fundings) {
        const time = f.timestamp * 1000; // seconds on this endpoint
        oldest = Math.min(oldest, time);
        if (time < start || time > end) continue;
        rows.set(time, {
          venue: "lighter",
          symbol,
          time,
          ...fundingRate({
            rate: fundingsRowRate(f.rate, f.direction),
            intervalHours: LIGHTER_FUNDING_INTERVAL_HOURS,
          }),
        });
      }
      if (r.fundings.length < PAGE || !(oldest - 1 < to)) break;
      to = oldest - 1;
      if (options.limit !== undefined && rows.size >= options.limit) break;
    }
    const sorted = [...rows.values()].sort((a, b) => a.time - b.time);
    return options.limit === undefined ? sorted : sorted.slice(-options.limit);
  }

  /** Nothing held open between calls. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Converts a `/api/v1/funding-rates` rate of Lighter (a JSON float, fraction per 8 h) to a
 * fraction per hour.
 *
 * @param rate The float as received.
 * @returns Fraction per hour.
 *
 * @example
 * ```ts
 * import { lighterFundingRatesToHourly } from "./funding_adapter.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(lighterFundingRatesToHourly(9.599999999999999e-05).toString(), "0.000012"); // = 0.0012 %/h
 * ```
 */
export function lighterFundingRatesToHourly(rate: number): Decimal {
  return floatDecimal(rate).div(8);
}

/**
 * Converts a `/api/v1/fundings` row (unsigned percent per hour + direction) to a signed
 * fraction per hour, positive when longs pay.
 *
 * @param percent The `rate` string as a decimal.
 * @param direction `long` (longs pay) or `short` (shorts pay).
 * @returns Fraction per hour.
 *
 * @example
 * ```ts
 * import { fundingsRowRate } from "./funding_adapter.ts";
 * import { Decimal } from "../../core/decimal.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(fundingsRowRate(new Decimal("0.0012"), "short").toString(), "-0.000012");
 * ```
 */
export function fundingsRowRate(percent: Decimal, direction: "long" | "short"): Decimal {
  const fraction = percent.abs().div(100);
  return direction === "short" ? fraction.neg() : fraction;
}

/**
 * Open interest in USD from `orderBookDetails`: the venue reports one side in base units.
 *
 * @param baseUnits Open interest in base units.
 * @param markPrice Mark price (from `market_stats`), or the last trade price without one.
 * @returns USD.
 *
 * @example
 * ```ts
 * import { openInterestUsd } from "./funding_adapter.ts";
 * import { Decimal } from "../../core/decimal.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(openInterestUsd(new Decimal("2.5"), new Decimal("2000.10")).toString(), "5000.25");
 * ```
 */
export function openInterestUsd(baseUnits: Decimal, markPrice: Decimal): Decimal {
  return baseUnits.times(markPrice);
}
