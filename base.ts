/**
 * The two interfaces every venue implements — {@linkcode ExchangeClient} for trading and
 * {@linkcode FundingAdapter} for read-only funding and market data — with the shared types,
 * the error hierarchy and the `Decimal` class all money is expressed in.
 *
 * Rules every implementation keeps:
 * - prices, sizes, balances and rates are `Decimal`, strings on the wire, never floats;
 * - symbols are unified (`"BTC"`); each venue maps them from its own metadata;
 * - every order carries a client order id; a retry reuses it, so no order is ever sent twice;
 * - payloads are schema-checked, a mismatch is a {@linkcode MalformedPayloadError};
 * - a book that may be out of date says so (`stale`).
 *
 * @example Writing code against any venue
 * ```ts
 * import { Decimal, type ExchangeClient } from "./base.ts";
 *
 * async function placeInsideSpread(client: ExchangeClient, symbol: string, size: string) {
 *   const market = await client.getMarket(symbol);
 *   const { bid } = await client.getBestBidAsk(symbol);
 *   return client.placeOrder({
 *     symbol,
 *     side: "buy",
 *     type: "limit",
 *     size,
 *     price: bid.plus(market.tickSize),
 *     postOnly: true,
 *   });
 * }
 * ```
 *
 * @module
 */
import { Decimal, type DecimalInput } from "./core/decimal.ts";
import type { VenueName } from "./core/errors.ts";

export {
  Decimal,
  type DecimalConstructor,
  type DecimalInput,
  type DecimalRounding,
  type DecimalValue,
  toDecimal,
} from "./core/decimal.ts";
export * from "./core/errors.ts";
export { redact, redactValue, registerSecret } from "./core/redact.ts";

/**
 * Order side.
 *
 * @example
 * ```ts
 * import type { Side } from "./base.ts";
 * const side: Side = "buy";
 * ```
 */
export type Side = "buy" | "sell";

/**
 * Order type. A market order still carries a worst acceptable price on every venue that
 * needs one (see {@linkcode OrderRequest.worstPrice}).
 *
 * @example
 * ```ts
 * import type { OrderType } from "./base.ts";
 * const t: OrderType = "limit";
 * ```
 */
export type OrderType = "limit" | "market";

/**
 * How long an order may rest.
 * - `gtc`: until canceled (venues without true GTC use their longest expiry);
 * - `gtt`: until {@linkcode OrderRequest.expiresAt};
 * - `ioc`: fill what crosses now, cancel the rest;
 * - `fok`: fill entirely now or cancel entirely.
 *
 * @example
 * ```ts
 * import type { TimeInForce } from "./base.ts";
 * const tif: TimeInForce = "ioc";
 * ```
 */
export type TimeInForce = "gtc" | "gtt" | "ioc" | "fok";

/**
 * Life-cycle state of an order.
 * `pending` means sent but not yet acknowledged by the matching engine.
 *
 * @example
 * ```ts
 * import type { OrderStatus } from "./base.ts";
 * const done = (s: OrderStatus) => s === "filled" || s === "canceled" || s === "rejected" || s === "expired";
 * ```
 */
export type OrderStatus =
  | "pending"
  | "open"
  | "partially_filled"
  | "filled"
  | "canceled"
  | "rejected"
  | "expired";

/**
 * Why an order left the book without filling completely.
 *
 * @example
 * ```ts
 * import type { CancelReason } from "./base.ts";
 * const r: CancelReason = "post_only_would_cross";
 * ```
 */
export type CancelReason =
  | "user"
  | "post_only_would_cross"
  | "ioc_unfilled"
  | "fok_unfilled"
  | "reduce_only"
  | "self_trade"
  | "expired"
  | "insufficient_margin"
  | "liquidation"
  | "other";

/**
 * An injectable source of time. Everything that waits or timestamps takes one, so tests and
 * the simulator can run hours of market in seconds.
 *
 * @example
 * ```ts
 * import type { Clock } from "./base.ts";
 * const clock: Clock = {
 *   now: () => Date.now(),
 *   sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
 * };
 * ```
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds of this clock's time; rejects with the signal's reason if aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Trading rules and identity of one perpetual market.
 *
 * @example
 * ```ts
 * import { Decimal, type Market } from "./base.ts";
 * const btc: Market = {
 *   venue: "grvt",
 *   symbol: "BTC",
 *   venueSymbol: "BTC_USDT_Perp",
 *   venueId: "BTC_USDT_Perp",
 *   baseAsset: "BTC",
 *   quoteAsset: "USDT",
 *   tickSize: new Decimal("0.1"),
 *   sizeStep: new Decimal("0.001"),
 *   minSize: new Decimal("0.001"),
 *   minNotional: new Decimal("0"),
 *   fundingIntervalHours: 8,
 * };
 * ```
 */
export interface Market {
  /** Venue name. */
  venue: VenueName;
  /** Unified symbol (`"BTC"`, `"1000PEPE"`). */
  symbol: string;
  /** The venue's market name (`"BTC_USDT_Perp"`, `"BTCUSD"`, `"BTC"`). */
  venueSymbol: string;
  /** The venue's market key (Lighter market index, EdgeX contract id, GRVT instrument). */
  venueId: string | number;
  /** Base asset. */
  baseAsset: string;
  /** Quote / settlement asset. */
  quoteAsset: string;
  /** Smallest price increment. */
  tickSize: Decimal;
  /** Smallest size increment. */
  sizeStep: Decimal;
  /** Smallest order size. */
  minSize: Decimal;
  /** Smallest order notional (price × size) in quote units; 0 when the venue sets none. */
  minNotional: Decimal;
  /** Largest leverage allowed, when known. */
  maxLeverage?: Decimal;
  /** Maker fee as a fraction (negative = rebate), when known. */
  makerFee?: Decimal;
  /** Taker fee as a fraction, when known. */
  takerFee?: Decimal;
  /** Hours between funding settlements. */
  fundingIntervalHours: number;
}

/**
 * What to place. Sizes and prices are checked against the market's step and tick: an
 * off-grid value is an {@linkcode InvalidOrderError}, never silently rounded (use
 * `quantizePrice` / `quantizeSize` with an explicit direction first).
 *
 * @example
 * ```ts
 * import type { OrderRequest } from "./base.ts";
 * const req: OrderRequest = {
 *   symbol: "ETH",
 *   side: "sell",
 *   type: "limit",
 *   size: "0.1",
 *   price: "4050.25",
 *   postOnly: true,
 * };
 * ```
 */
export interface OrderRequest {
  /** Unified symbol. */
  symbol: string;
  /** Buy or sell. */
  side: Side;
  /** Limit or market. */
  type: OrderType;
  /** Size in base units. */
  size: DecimalInput;
  /** Limit price; required for limit orders. */
  price?: DecimalInput;
  /**
   * Worst acceptable average price for a market order. When omitted the client derives one
   * from the best price and its slippage setting.
   */
  worstPrice?: DecimalInput;
  /** Only add liquidity; a crossing order is rejected with {@linkcode PostOnlyWouldCrossError}. @default {false} */
  postOnly?: boolean;
  /** Only reduce the position. @default {false} */
  reduceOnly?: boolean;
  /** Time in force. @default {"gtc"} for limit orders, `"ioc"` for market orders */
  timeInForce?: TimeInForce;
  /** Expiry (ms since epoch) for `gtt` orders and venues that sign an expiry. */
  expiresAt?: number;
  /**
   * Client order id, valid for the venue (see `ExchangeClient.newClientOrderId`). A retry of
   * the same order must reuse the same id. @default a fresh id from the venue's generator
   */
  clientOrderId?: string;
  /**
   * Longest time this call spends resolving a doubtful create (an answer lost, unreadable or a
   * 5xx) by looking the order up, in ms, instead of the client's `outcomeDeadlineMs`. When it
   * passes, the call throws {@linkcode OrderOutcomeUnknownError} and nothing of it is sent again,
   * so a caller bound by its own deadline (a hedge, a close) passes what is left of it and
   * resolves the order afterwards with `getOrder` by client order id. The send itself is bounded
   * by the transport's timeout. @default {the client's outcomeDeadlineMs (30 s)}
   */
  outcomeDeadlineMs?: number;
}

/**
 * Reference to one order: by venue id or by client order id.
 *
 * @example
 * ```ts
 * import type { OrderRef } from "./base.ts";
 * const a: OrderRef = { id: "0x0101010503e6" };
 * const b: OrderRef = { clientOrderId: "9223372036854775809" };
 * ```
 */
export type OrderRef = { id: string; clientOrderId?: undefined } | {
  clientOrderId: string;
  id?: undefined;
};

/**
 * An order as the venue last reported it.
 *
 * @example
 * ```ts
 * import type { Order } from "./base.ts";
 * const isResting = (o: Order) => o.status === "open" || o.status === "partially_filled";
 * ```
 */
export interface Order {
  /** Venue name. */
  venue: VenueName;
  /** Unified symbol. */
  symbol: string;
  /** Venue order id; undefined until the venue has assigned one. */
  id: string | undefined;
  /** Client order id. */
  clientOrderId: string;
  /** Side. */
  side: Side;
  /** Type. */
  type: OrderType;
  /** Limit price (the worst price for market orders), when any. */
  price: Decimal | undefined;
  /** Original size. */
  size: Decimal;
  /** Filled size so far. */
  filledSize: Decimal;
  /** Size still resting (`size − filledSize` unless canceled). */
  remainingSize: Decimal;
  /** Average fill price, when anything filled. */
  averageFillPrice: Decimal | undefined;
  /** Status. */
  status: OrderStatus;
  /** Time in force. */
  timeInForce: TimeInForce;
  /** Post-only flag. */
  postOnly: boolean;
  /** Reduce-only flag. */
  reduceOnly: boolean;
  /** Why it was canceled, for canceled / expired / rejected orders. */
  cancelReason?: CancelReason;
  /** Creation time, ms since epoch. */
  createdAt: number;
  /** Last update time, ms since epoch. */
  updatedAt: number;
}

/**
 * One execution of one order.
 *
 * @example
 * ```ts
 * import type { Fill } from "./base.ts";
 * const notional = (f: Fill) => f.price.times(f.size);
 * ```
 */
export interface Fill {
  /** Venue name. */
  venue: VenueName;
  /** Unified symbol. */
  symbol: string;
  /** The venue's trade id; unique per venue, used to drop duplicate fill events. */
  tradeId: string;
  /** Venue order id. */
  orderId: string | undefined;
  /** Client order id, when the venue reports it. */
  clientOrderId: string | undefined;
  /** Side of our order. */
  side: Side;
  /** Execution price. */
  price: Decimal;
  /** Executed size. */
  size: Decimal;
  /** Fee paid in the quote asset (negative = rebate received). */
  fee: Decimal;
  /** Whether our order was the maker or the taker. */
  liquidity: "maker" | "taker";
  /** Execution time, ms since epoch. */
  timestamp: number;
}

/**
 * An open position.
 *
 * @example
 * ```ts
 * import type { Position } from "./base.ts";
 * const isShort = (p: Position) => p.size.isNegative();
 * ```
 */
export interface Position {
  /** Venue name. */
  venue: VenueName;
  /** Unified symbol. */
  symbol: string;
  /** Signed size: positive long, negative short. */
  size: Decimal;
  /** Average entry price. */
  entryPrice: Decimal;
  /** Mark price, when the venue reports it. */
  markPrice?: Decimal;
  /** Unrealized PnL at the mark price, in the quote asset. */
  unrealizedPnl?: Decimal;
  /** Liquidation price, when the venue reports it. */
  liquidationPrice?: Decimal;
  /** Margin the position uses (initial), in the quote asset, when the venue reports it. */
  marginUsed?: Decimal;
  /** Maintenance margin of the position, in the quote asset, when the venue reports it. */
  maintenanceMargin?: Decimal;
  /** Leverage set for the market, when the venue reports it. */
  leverage?: Decimal;
  /** Funding paid or received on this position so far (positive = received), when reported. */
  cumulativeFunding?: Decimal;
}

/**
 * One funding settlement paid or received by the account on one position.
 *
 * @example
 * ```ts
 * import type { FundingPayment } from "./base.ts";
 * const received = (ps: FundingPayment[]) => ps.reduce((t, p) => t.plus(p.amount), ps[0]?.amount.times(0));
 * ```
 */
export interface FundingPayment {
  /** Venue name. */
  venue: VenueName;
  /** Unified symbol. */
  symbol: string;
  /** Settlement time, ms since epoch. */
  time: number;
  /**
   * Amount in the quote asset from the account's view: positive = received, negative = paid.
   * (Venues sign it differently on the wire; each client converts.)
   */
  amount: Decimal;
  /** The funding rate applied, as a fraction per interval, when the venue reports it. */
  rate: Decimal | undefined;
  /** The signed position size it was paid on (positive long), when the venue reports it. */
  positionSize: Decimal | undefined;
  /** The venue's id of the payment, when it has one (used to drop duplicates). */
  id?: string;
}

/**
 * Account collateral.
 *
 * @example
 * ```ts
 * import type { Balance } from "./base.ts";
 * const free = (b: Balance) => b.available;
 * ```
 */
export interface Balance {
  /** Venue name. */
  venue: VenueName;
  /** Collateral asset (`"USDC"`, `"USDT"`). */
  asset: string;
  /** Total equity including unrealized PnL. */
  equity: Decimal;
  /** Amount available for new orders or withdrawal. */
  available: Decimal;
  /** Unrealized PnL included in equity, when known. */
  unrealizedPnl?: Decimal;
  /** Maintenance margin over equity (0 = no risk, 1 = liquidation), when the venue reports it. */
  marginRatio?: Decimal;
}

/**
 * One price level: price and the total size resting there.
 *
 * @example
 * ```ts
 * import { Decimal, type BookLevel } from "./base.ts";
 * const l: BookLevel = { price: new Decimal("100.1"), size: new Decimal("2") };
 * ```
 */
export interface BookLevel {
  /** Price. */
  price: Decimal;
  /** Size at that price. */
  size: Decimal;
}

/**
 * Best bid and ask.
 *
 * @example
 * ```ts
 * import type { BestBidAsk } from "./base.ts";
 * const mid = (q: BestBidAsk) => q.bid.plus(q.ask).div(2);
 * ```
 */
export interface BestBidAsk {
  /** Unified symbol. */
  symbol: string;
  /** Best bid price. */
  bid: Decimal;
  /** Size at the best bid. */
  bidSize: Decimal;
  /** Best ask price. */
  ask: Decimal;
  /** Size at the best ask. */
  askSize: Decimal;
  /** When the venue produced it, ms since epoch. */
  timestamp: number;
  /**
   * `true` when the live book is resyncing, or silent for longer than the venue's maximum, and
   * this is the last known state.
   */
  stale: boolean;
  /** Local time (ms since epoch) the data was last received; its age is `now − receivedAt`. */
  receivedAt?: number;
}

/**
 * A copy of the top of an order book.
 *
 * @example
 * ```ts
 * import type { BookSnapshot } from "./base.ts";
 * const spread = (b: BookSnapshot) => b.asks[0].price.minus(b.bids[0].price);
 * ```
 */
export interface BookSnapshot {
  /** Unified symbol. */
  symbol: string;
  /** Bids, best (highest) first. */
  bids: BookLevel[];
  /** Asks, best (lowest) first. */
  asks: BookLevel[];
  /** The venue's sequence number of the last applied update. */
  sequence: number;
  /** When the venue produced the last update, ms since epoch. */
  timestamp: number;
  /**
   * `true` when a gap was detected and the book awaits a fresh snapshot, or the feed has been
   * silent for longer than the venue's maximum.
   */
  stale: boolean;
  /** Local time (ms since epoch) the data was last received; its age is `now − receivedAt`. */
  receivedAt?: number;
}

/**
 * A live order-book subscription kept in sync by the client.
 *
 * @example
 * ```ts
 * import type { ExchangeClient } from "./base.ts";
 *
 * async function watch(client: ExchangeClient) {
 *   await using book = await client.subscribeOrderBook("BTC");
 *   for await (const snap of book.updates()) {
 *     if (!snap.stale) console.log(snap.bids[0]?.price.toString(), snap.asks[0]?.price.toString());
 *   }
 * }
 * ```
 */
export interface OrderBookSubscription extends AsyncDisposable {
  /** Unified symbol. */
  readonly symbol: string;
  /** The current book, top `depth` levels per side. */
  snapshot(depth?: number): BookSnapshot;
  /** Best bid and ask from the live book. Throws `NotFoundError` while a side is empty. */
  bestBidAsk(): BestBidAsk;
  /** Yields a snapshot after each applied update (coalesced if the consumer is slow). */
  updates(options?: { depth?: number; signal?: AbortSignal }): AsyncIterableIterator<BookSnapshot>;
  /** Stops the subscription. */
  close(): Promise<void>;
}

/**
 * Events pushed by a client's private streams (and connection state changes).
 *
 * @example
 * ```ts
 * import type { ExchangeEvent } from "./base.ts";
 * function onEvent(e: ExchangeEvent) {
 *   if (e.type === "fill") console.log(`filled ${e.fill.size} @ ${e.fill.price}`);
 * }
 * ```
 */
export type ExchangeEvent =
  | { type: "order"; order: Order }
  | { type: "fill"; fill: Fill }
  | { type: "position"; position: Position }
  | { type: "balance"; balance: Balance }
  | { type: "funding"; payment: FundingPayment }
  | {
    type: "connection";
    stream: string;
    state: "connected" | "reconnecting" | "disconnected";
    error?: Error;
  };

/**
 * The trading interface every venue implements.
 *
 * @example
 * ```ts
 * import type { ExchangeClient } from "./base.ts";
 *
 * async function flatten(client: ExchangeClient, symbol: string) {
 *   await client.cancelAllOrders(symbol);
 *   const pos = (await client.getPositions()).find((p) => p.symbol === symbol);
 *   if (pos && !pos.size.isZero()) {
 *     await client.placeOrder({
 *       symbol,
 *       side: pos.size.isPositive() ? "sell" : "buy",
 *       type: "market",
 *       size: pos.size.abs(),
 *       reduceOnly: true,
 *     });
 *   }
 * }
 * ```
 */
export interface ExchangeClient extends AsyncDisposable {
  /** Venue name. */
  readonly venue: VenueName;
  /** Loads markets, authenticates and opens the private streams. Idempotent. */
  connect(options?: { signal?: AbortSignal }): Promise<void>;
  /** Closes every stream and subscription. Idempotent. */
  disconnect(): Promise<void>;
  /** All markets, loaded once by `connect` (or lazily). */
  getMarkets(): Promise<Market[]>;
  /** One market; throws `NotFoundError` for an unknown symbol. */
  getMarket(symbol: string): Promise<Market>;
  /**
   * Places an order. If the request times out or the answer is lost, the client looks the
   * order up by its client order id before sending again, so an order is never placed twice.
   * @throws {OrderRejectedError} When the venue refuses it.
   */
  placeOrder(request: OrderRequest): Promise<Order>;
  /** Cancels one order. Throws `NotFoundError` if it is not active. */
  cancelOrder(symbol: string, ref: OrderRef): Promise<void>;
  /** Cancels every active order, of one symbol if given. */
  cancelAllOrders(symbol?: string): Promise<void>;
  /** One order by venue id or client order id; `undefined` if the venue does not know it. */
  getOrder(symbol: string, ref: OrderRef): Promise<Order | undefined>;
  /** Active orders, of one symbol if given. */
  getOpenOrders(symbol?: string): Promise<Order[]>;
  /** Collateral. */
  getBalance(): Promise<Balance>;
  /** Open positions (non-zero sizes). */
  getPositions(): Promise<Position[]>;
  /**
   * Funding payments of the account, oldest first, of one symbol if given, between `start` and
   * `end` (ms).
   */
  getFundingPayments(
    options?: { symbol?: string; start?: number; end?: number; limit?: number },
  ): Promise<FundingPayment[]>;
  /**
   * Sets the leverage of a market for this account (cross margin). Throws
   * `ConfigurationError` for a value the venue does not allow.
   */
  setLeverage(symbol: string, leverage: number): Promise<void>;
  /** Starts (or shares) a live order book for a symbol. */
  subscribeOrderBook(symbol: string): Promise<OrderBookSubscription>;
  /** Best bid/ask: from the live book when subscribed, otherwise from REST. */
  getBestBidAsk(symbol: string): Promise<BestBidAsk>;
  /** Book depth: from the live book when subscribed, otherwise from REST. */
  getOrderBook(symbol: string, depth?: number): Promise<BookSnapshot>;
  /** Order, fill, position, balance and connection events, as an async iterator. */
  events(options?: { signal?: AbortSignal }): AsyncIterableIterator<ExchangeEvent>;
  /** Registers a listener for the same events; returns the function that removes it. */
  onEvent(listener: (event: ExchangeEvent) => void): () => void;
  /** A fresh client order id valid for this venue. */
  newClientOrderId(): string;
}

/**
 * A current funding rate in the package's units.
 *
 * `rate` is the venue's rate per funding interval as a fraction (0.0001 = 0.01 %), positive
 * when longs pay shorts. `hourlyRate = rate / intervalHours` and `apr = hourlyRate × 8760`;
 * compare venues only through those two.
 *
 * @example
 * ```ts
 * import { fundingRate } from "./base.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const r = fundingRate({ rate: "0.0001", intervalHours: 8 });
 * equal(r.hourlyRate.toString(), "0.0000125");
 * equal(r.apr.toString(), "0.1095");
 * ```
 */
export interface FundingRate {
  /** Venue name. */
  venue: VenueName;
  /** Unified symbol. */
  symbol: string;
  /** The venue's market name. */
  venueSymbol: string;
  /** Fraction per funding interval, positive = longs pay. */
  rate: Decimal;
  /** Hours per funding interval. */
  intervalHours: number;
  /** Fraction per hour. */
  hourlyRate: Decimal;
  /** Simple annualized rate (`hourlyRate × 8760`) as a fraction. */
  apr: Decimal;
  /** Next settlement, ms since epoch, when the venue says. */
  nextFundingTime: number | undefined;
  /** Mark price, when reported. */
  markPrice: Decimal | undefined;
  /** Index / oracle price, when reported. */
  indexPrice: Decimal | undefined;
  /** Observation time, ms since epoch. */
  timestamp: number;
  /**
   * The last settled rate, fraction per interval (the same interval as `rate`), when the
   * venue reports it beside the predicted `rate` (EdgeX `fundingRate` vs
   * `forecastFundingRate`, Lighter `funding_rate` vs `current_funding_rate`).
   */
  settledRate?: Decimal;
  /** When `settledRate` settled, ms since epoch. */
  settledTime?: number;
}

/**
 * Market statistics collected alongside funding rates.
 *
 * @example
 * ```ts
 * import type { MarketData } from "./base.ts";
 * const liquid = (m: MarketData) => m.volume24hUsd?.gte(1_000_000) ?? false;
 * ```
 */
export interface MarketData {
  /** Venue name. */
  venue: VenueName;
  /** Unified symbol. */
  symbol: string;
  /** 24 h traded volume in USD. */
  volume24hUsd: Decimal | undefined;
  /** Open interest in USD. */
  openInterestUsd: Decimal | undefined;
  /** Best bid. */
  bestBid: Decimal | undefined;
  /** Best ask. */
  bestAsk: Decimal | undefined;
  /** `(ask − bid) / mid × 10 000`. */
  spreadBps: Decimal | undefined;
  /** Mark price. */
  markPrice: Decimal | undefined;
  /** Index price. */
  indexPrice: Decimal | undefined;
  /** Observation time, ms since epoch. */
  timestamp: number;
}

/**
 * One past funding settlement.
 *
 * @example
 * ```ts
 * import type { FundingHistoryEntry } from "./base.ts";
 * const paidByLongs = (e: FundingHistoryEntry) => e.rate.isPositive();
 * ```
 */
export interface FundingHistoryEntry {
  /** Venue name. */
  venue: VenueName;
  /** Unified symbol. */
  symbol: string;
  /** Settlement time, ms since epoch. */
  time: number;
  /** Fraction per interval, positive = longs pay. */
  rate: Decimal;
  /** Hours per funding interval. */
  intervalHours: number;
  /** Fraction per hour. */
  hourlyRate: Decimal;
  /** Simple annualized rate. */
  apr: Decimal;
}

/**
 * Read-only funding and market-data collection for one venue.
 *
 * @example
 * ```ts
 * import type { FundingAdapter } from "./base.ts";
 *
 * async function topApr(adapter: FundingAdapter) {
 *   const rates = await adapter.fetchFundingRates();
 *   return rates.sort((a, b) => b.apr.abs().comparedTo(a.apr.abs()))[0];
 * }
 * ```
 */
export interface FundingAdapter extends AsyncDisposable {
  /** Venue name. */
  readonly venue: VenueName;
  /** Current funding rates, of the given symbols or all. */
  fetchFundingRates(
    options?: { symbols?: string[]; signal?: AbortSignal },
  ): Promise<FundingRate[]>;
  /** Volume, open interest, best bid/ask and spread, of the given symbols or all. */
  fetchMarketData(options?: { symbols?: string[]; signal?: AbortSignal }): Promise<MarketData[]>;
  /** Past settlements of one symbol between `start` and `end` (ms), oldest first. */
  fetchFundingHistory(
    symbol: string,
    options?: { start?: number; end?: number; limit?: number; signal?: AbortSignal },
  ): Promise<FundingHistoryEntry[]>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** Hours in a (non-leap) year, the annualization base for `apr`. */
export const HOURS_PER_YEAR = 8760;

/**
 * Derives `hourlyRate` and `apr` from a rate per interval, exactly. Give the interval in hours,
 * or in minutes when the venue quotes minutes (EdgeX's `fundingRateIntervalMin`): a 10-minute
 * interval is not a finite binary fraction of an hour, so minutes keep the division exact.
 *
 * @param input `rate` as a fraction per interval and `intervalHours` or `intervalMinutes`.
 * @returns The rate, interval (hours), hourly rate and APR.
 * @throws {RangeError} If neither or both intervals are given, or one is not positive.
 *
 * @example
 * ```ts
 * import { fundingRate } from "./base.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * // EdgeX quotes a fraction per 4 h interval.
 * const r = fundingRate({ rate: "0.00004", intervalHours: 4 });
 * deepEqual(r.hourlyRate.toString(), "0.00001");
 * deepEqual(r.apr.toString(), "0.0876");
 * // A 10-minute interval stays exact.
 * deepEqual(fundingRate({ rate: "0.00000208", intervalMinutes: 10 }).hourlyRate.toString(), "0.00001248");
 * ```
 */
export function fundingRate(
  input: { rate: DecimalInput; intervalHours?: number; intervalMinutes?: number },
): { rate: Decimal; intervalHours: number; hourlyRate: Decimal; apr: Decimal } {
  const { intervalHours, intervalMinutes } = input;
  if ((intervalHours === undefined) === (intervalMinutes === undefined)) {
    throw new RangeError("Give exactly one of 'intervalHours' and 'intervalMinutes'");
  }
  const value = intervalHours ?? intervalMinutes!;
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(
      `'${
        intervalHours === undefined ? "intervalMinutes" : "intervalHours"
      }' must be a positive number: got ${value}`,
    );
  }
  const rate = new Decimal(input.rate);
  // Divisors go through their decimal string, so 0.5 or 2.5 divide exactly as written.
  const hourlyRate = intervalHours === undefined
    ? rate.times(60).div(String(intervalMinutes))
    : rate.div(String(intervalHours));
  return {
    rate,
    intervalHours: intervalHours ?? intervalMinutes! / 60,
    hourlyRate,
    apr: hourlyRate.times(HOURS_PER_YEAR),
  };
}
