/**
 * Paper trading without a wire protocol: an {@linkcode ExchangeClient} and a
 * {@linkcode FundingAdapter} that talk to a {@linkcode SimEngine} in-process.
 *
 * The venue replicas (one protocol front-end per venue) are what an unmodified venue client
 * talks to; this client skips the protocol and uses the engine directly, so strategies and
 * tests can run against simulated markets with nothing but the engine. It still goes through
 * the package's shared machinery — {@linkcode placeOrderWith} for checked, idempotent placement, the live
 * order book with sequence checks and resync, the event hub — and honours the engine's
 * {@linkcode FaultInjector} (front-end `"paper"`), so lost responses, 429s, 5xx, book gaps,
 * malformed frames and dropped streams behave as they would on a venue.
 *
 * @module
 */
import {
  type Balance,
  type BestBidAsk,
  type BookSnapshot,
  type Clock,
  ConfigurationError,
  Decimal,
  type ExchangeClient,
  type ExchangeEvent,
  type Fill,
  type FundingAdapter,
  type FundingHistoryEntry,
  type FundingPayment,
  type FundingRate,
  fundingRate,
  InvalidOrderError,
  MalformedPayloadError,
  type Market,
  type MarketData,
  NetworkError,
  NotFoundError,
  type Order,
  type OrderBookSubscription,
  type OrderRef,
  type OrderRequest,
  type Position,
  RateLimitedError,
  TimeoutError,
  type VenueName,
  VenueUnavailableError,
} from "../base.ts";
import { toDecimal } from "../core/decimal.ts";
import { EventHub } from "../exchanges/_shared/event_hub.ts";
import { bestBidAskOf, LiveOrderBook } from "../exchanges/_shared/live_order_book.ts";
import { type PlacementHooks, placeOrderWith } from "../exchanges/_shared/placement.ts";
import { quantize } from "../exchanges/_shared/quantize.ts";
import type { SimEngine, SimOrderRequest } from "./engine.ts";
import type { FillView, OrderView, SimEvent, SimFundingPayment } from "./events.ts";
import type { FaultInjector } from "./faults.ts";

/** Front-end name the paper client uses when it consults the fault injector. */
export const PAPER_FRONT_END = "paper";

/**
 * Options of {@linkcode PaperClient}.
 *
 * @example
 * ```ts
 * import type { PaperClientOptions } from "./paper.ts";
 * const o: Partial<PaperClientOptions> = { accountId: "me", slippage: "0.01" };
 * ```
 */
export interface PaperClientOptions {
  /** The engine to trade on. */
  engine: SimEngine;
  /** The account to trade as (must exist in the engine). */
  accountId: string;
  /** Venue name reported in orders and errors. @default {the engine's venue} */
  venue?: VenueName;
  /** Collateral asset name. @default {"USD"} */
  asset?: string;
  /** Faults to honour (front-end `"paper"`). @default {none} */
  faults?: FaultInjector;
  /** Worst-price distance of market orders without one, as a fraction. @default {"0.05"} */
  slippage?: string;
  /** Client order id generator. @default {crypto.randomUUID} */
  newClientOrderId?: () => string;
  /** Clock for waits between retries and for the books' age. @default {the engine's clock} */
  clock?: Clock;
  /**
   * Longest time a live book may go without an update before it reads as stale. The engine
   * runs in this process and cannot go silent while connected — a quiet market is just quiet —
   * so there is no limit unless one is asked for (e.g. to test a strategy's staleness handling).
   * @default {Infinity}
   */
  maxSilenceMs?: number;
  /** Longest time spent resolving a create whose answer was lost. @default {30000} */
  outcomeDeadlineMs?: number;
  /**
   * A stream whose frames are all withheld (a `silence` fault) for this long is replaced, as a
   * venue socket's idle timeout would: books go stale and resync on the new one.
   * @default {10000}
   */
  idleTimeoutMs?: number;
}

function dec(value: string): Decimal {
  return new Decimal(value);
}

function optDec(value: string | undefined): Decimal | undefined {
  return value === undefined ? undefined : new Decimal(value);
}

/** One attempt of a create: the request, and whether the call reached the engine. */
interface PaperAttempt {
  request: SimOrderRequest;
  reached: boolean;
}

/**
 * An `ExchangeClient` on a simulator engine account.
 *
 * @example Buy at the ask of a simulated market
 * ```ts
 * import { ManualClock } from "../exchanges/_shared/clock.ts";
 * import { SimEngine } from "./engine.ts";
 * import { PaperClient } from "./paper.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const engine = new SimEngine({ clock: new ManualClock(0) });
 * engine.addInstrument({ symbol: "ETH", tickSize: "0.01", sizeStep: "0.01" }, { markPrice: "2000" });
 * engine.createAccount("mm", { unlimitedMargin: true });
 * engine.placeOrder("mm", { symbol: "ETH", side: "sell", size: "5", price: "2000.5" });
 * engine.createAccount("me", { collateral: "10000" });
 *
 * await using client = new PaperClient({ engine, accountId: "me" });
 * await client.connect();
 * const order = await client.placeOrder({ symbol: "ETH", side: "buy", type: "market", size: "1" });
 * deepEqual(order.status, "filled");
 * deepEqual((await client.getPositions())[0].size.toString(), "1");
 * ```
 */
export class PaperClient implements ExchangeClient {
  /** Venue name. */
  readonly venue: VenueName;
  readonly #engine: SimEngine;
  readonly #accountId: string;
  readonly #asset: string;
  readonly #faults: FaultInjector | undefined;
  readonly #slippage: Decimal;
  readonly #newId: () => string;
  readonly #clock: Clock;
  readonly #maxSilenceMs: number;
  #hub = new EventHub<ExchangeEvent>();
  #unsubscribe: (() => void) | undefined;
  #books = new Set<{ symbol: string; book: LiveOrderBook }>();
  #held: SimEvent[] | undefined;
  readonly #placement: PlacementHooks<SimOrderRequest, PaperAttempt, Order>;
  readonly #outcomeDeadlineMs: number | undefined;
  readonly #idleTimeoutMs: number;
  #socket = 0;
  #silentSince: number | undefined;

  /**
   * Creates a client for one engine account.
   *
   * @param options Engine, account and behaviour.
   * @throws {NotFoundError} If the account does not exist.
   */
  constructor(options: PaperClientOptions) {
    this.#engine = options.engine;
    this.#accountId = options.accountId;
    this.venue = options.venue ?? options.engine.venue;
    this.#asset = options.asset ?? "USD";
    this.#faults = options.faults;
    this.#slippage = toDecimal(options.slippage ?? "0.05", "slippage");
    this.#newId = options.newClientOrderId ?? (() => crypto.randomUUID());
    this.#clock = options.clock ?? options.engine.clock;
    this.#maxSilenceMs = options.maxSilenceMs ?? Infinity;
    this.#outcomeDeadlineMs = options.outcomeDeadlineMs;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 10_000;
    this.#placement = this.#placementHooks();
    if (!this.#engine.hasAccount(this.#accountId)) {
      throw new NotFoundError({
        venue: this.venue,
        message: `Cannot trade on ${this.venue} as account '${this.#accountId}' does not exist`,
      });
    }
  }

  /** Subscribes to the engine's events for this account. Idempotent. */
  connect(): Promise<void> {
    if (this.#unsubscribe) return Promise.resolve();
    if (this.#hub.closed) this.#hub = new EventHub<ExchangeEvent>();
    this.#socket = this.#faults?.openSocket() ?? 0;
    this.#silentSince = undefined;
    this.#unsubscribe = this.#engine.subscribe((e) => this.#onEngineEvent(e));
    this.#hub.emit({ type: "connection", stream: "account", state: "connected" });
    return Promise.resolve();
  }

  /** Stops event delivery and closes every book. Idempotent. */
  async disconnect(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#faults?.closeSocket(this.#socket);
    this.#held = undefined;
    for (const { book } of [...this.#books]) await book.close();
    if (!this.#hub.closed) {
      this.#hub.emit({ type: "connection", stream: "account", state: "disconnected" });
      this.#hub.close();
    }
  }

  /** Same as `disconnect()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }

  /**
   * Simulates a dropped connection: books go stale, events are held back, and the stream
   * reconnects on the next macrotask, delivering what it held and resyncing the books.
   *
   * @param error Why, reported with the `reconnecting` event. @default {none}
   */
  simulateDisconnect(error?: Error): void {
    if (!this.#unsubscribe || this.#held) return;
    this.#held = [];
    this.#faults?.closeSocket(this.#socket);
    this.#silentSince = undefined;
    this.#hub.emit({ type: "connection", stream: "account", state: "reconnecting", error });
    for (const { book } of this.#books) book.markStale();
    setTimeout(() => {
      const held = this.#held;
      this.#held = undefined;
      if (!this.#unsubscribe || !held) return;
      this.#socket = this.#faults?.openSocket() ?? 0;
      this.#hub.emit({ type: "connection", stream: "account", state: "connected" });
      for (const e of held) this.#onEngineEvent(e);
      for (const { symbol, book } of this.#books) this.#snapshotInto(symbol, book);
    }, 0);
  }

  /** Every instrument of the engine as a `Market`. */
  getMarkets(): Promise<Market[]> {
    return Promise.resolve(this.#engine.instruments().map((i) => this.#market(i.symbol)));
  }

  /** One market; `NotFoundError` for an unknown symbol. */
  getMarket(symbol: string): Promise<Market> {
    return Promise.resolve(this.#market(symbol));
  }

  #market(symbol: string): Market {
    const i = this.#instrument(symbol);
    return {
      venue: this.venue,
      symbol: i.symbol,
      venueSymbol: i.symbol,
      venueId: i.symbol,
      baseAsset: i.symbol,
      quoteAsset: this.#asset,
      tickSize: i.tickSize,
      sizeStep: i.sizeStep,
      minSize: i.minSize,
      minNotional: i.minNotional,
      maxLeverage: i.maxLeverage,
      makerFee: i.makerFee,
      takerFee: i.takerFee,
      fundingIntervalHours: i.fundingIntervalHours,
    };
  }

  #instrument(symbol: string) {
    try {
      return this.#engine.instrument(symbol);
    } catch {
      throw new NotFoundError({
        venue: this.venue,
        message: `Unknown market '${symbol}' on ${this.venue}`,
      });
    }
  }

  /**
   * Places an order once, whatever happens to the answer: the package's placement workflow
   * (local checks, client order id, send, lookup of a doubtful outcome) on the engine.
   *
   * @param request The order. A market order without `worstPrice` is bounded at the best
   * opposite price (the mark price on an empty side) moved by the `slippage` option.
   * @returns The engine's order.
   * @throws {InvalidOrderError} For a request the engine would refuse, checked before sending.
   * @throws {OrderRejectedError} The engine's refusal (post-only would cross, margin, …).
   * @throws {OrderOutcomeUnknownError} When a lost answer cannot be resolved by lookups.
   */
  placeOrder(request: OrderRequest): Promise<Order> {
    return placeOrderWith(this.#placement, request);
  }

  #placementHooks(): PlacementHooks<SimOrderRequest, PaperAttempt, Order> {
    return {
      venue: this.venue,
      endpoint: "placeOrder",
      clock: this.#clock,
      outcomeDeadlineMs: this.#outcomeDeadlineMs,
      market: (symbol) => this.getMarket(symbol),
      newClientOrderId: () => this.#newId(),
      clientOrderIdRule: {
        test: (id) => id.length > 0 && id.length <= 128,
        describe: "a non-empty string of at most 128 characters",
      },
      defaultWorstPrice: (market, side) =>
        Promise.resolve(this.#defaultWorstPrice(market.symbol, side)),
      build: (o) => ({
        symbol: o.market.symbol,
        side: o.side,
        type: o.type,
        size: o.size.toString(),
        price: o.price?.toString(),
        worstPrice: o.worstPrice?.toString(),
        postOnly: o.postOnly,
        reduceOnly: o.reduceOnly,
        timeInForce: o.timeInForce,
        expiresAt: o.expiresAt,
        clientOrderId: o.clientOrderId,
      }),
      sign: (request) => ({ request, reached: false }),
      send: (attempt) =>
        this.#call("placeOrder", () => {
          attempt.reached = true;
          return this.#order(this.#engine.placeOrder(this.#accountId, attempt.request).order);
        }),
      parse: (order) => order,
      lookup: (o) => this.getOrder(o.market.symbol, { clientOrderId: o.clientOrderId }),
      // The engine runs in this process and synchronously: an attempt whose call never reached
      // it (a 429 or 5xx fault is raised before the engine is called) is gone for good — there
      // is no wire, queue or retry that could deliver it later — so once a lookup has also
      // shown no such order, sending again cannot make a second one. An attempt that reached
      // the engine is never sent again: its outcome is in the engine, and only a lookup reads it.
      canResend: (attempt) => !attempt.reached,
    };
  }

  #defaultWorstPrice(symbol: string, side: "buy" | "sell"): Decimal {
    const i = this.#engine.instrument(symbol);
    const top = this.#engine.book(symbol, 1);
    const best = (side === "buy" ? top.asks[0]?.[0] : top.bids[0]?.[0]) ??
      this.#engine.prices(symbol).markPrice;
    if (!dec(best).gt(0)) {
      throw new InvalidOrderError("invalid_price", {
        venue: this.venue,
        message:
          `Cannot place order on ${this.venue} as 'worstPrice' is required: ${symbol} has no ${
            side === "buy" ? "asks" : "bids"
          } and no mark price to bound a market order`,
      });
    }
    const factor = side === "buy" ? this.#slippage.plus(1) : new Decimal(1).minus(this.#slippage);
    return quantize(dec(best).times(factor), i.tickSize, side === "buy" ? "down" : "up");
  }

  /** Cancels one active order. */
  async cancelOrder(symbol: string, ref: OrderRef): Promise<void> {
    this.#instrument(symbol);
    await this.#call("cancelOrder", () => this.#engine.cancelOrder(this.#accountId, ref));
  }

  /** Cancels every active order (of one symbol if given). */
  async cancelAllOrders(symbol?: string): Promise<void> {
    if (symbol !== undefined) this.#instrument(symbol);
    await this.#call("cancelAllOrders", () => this.#engine.cancelAll(this.#accountId, symbol));
  }

  /** One order in any state; `undefined` if the engine never saw it. */
  getOrder(symbol: string, ref: OrderRef): Promise<Order | undefined> {
    return this.#call("getOrder", () => {
      try {
        const view = this.#engine.getOrder(this.#accountId, ref);
        return view.symbol === symbol ? this.#order(view) : undefined;
      } catch (e) {
        if (e instanceof NotFoundError) return undefined;
        throw e;
      }
    });
  }

  /** Active orders. */
  getOpenOrders(symbol?: string): Promise<Order[]> {
    return this.#call(
      "getOpenOrders",
      () => this.#engine.openOrders(this.#accountId, symbol).map((o) => this.#order(o)),
    );
  }

  /** Collateral, equity and available balance. */
  getBalance(): Promise<Balance> {
    return this.#call("getBalance", () => this.#balance());
  }

  #balance(): Balance {
    const b = this.#engine.balance(this.#accountId);
    return {
      venue: this.venue,
      asset: this.#asset,
      equity: dec(b.equity),
      available: dec(b.availableBalance),
      unrealizedPnl: dec(b.unrealizedPnl),
      marginRatio: dec(b.equity).gt(0)
        ? dec(b.maintenanceMargin).div(b.equity)
        : new Decimal(b.maintenanceMargin === "0" ? 0 : 1),
    };
  }

  /** Non-zero positions, with margin, leverage and funding so far. */
  getPositions(): Promise<Position[]> {
    return this.#call("getPositions", () =>
      this.#engine.positions(this.#accountId)
        .filter((p) => p.size !== "0")
        .map((p) => ({
          ...this.#position(p.symbol, p.size, p.entryPrice, p.markPrice, p.unrealizedPnl),
          marginUsed: dec(p.initialMargin),
          maintenanceMargin: dec(p.maintenanceMargin),
          leverage: dec(p.leverage),
          cumulativeFunding: dec(p.funding),
        })));
  }

  #position(
    symbol: string,
    size: string,
    entry: string | undefined,
    mark?: string,
    upnl?: string,
  ): Position {
    return {
      venue: this.venue,
      symbol,
      size: dec(size),
      entryPrice: dec(entry ?? "0"),
      markPrice: optDec(mark),
      unrealizedPnl: optDec(upnl),
    };
  }

  /**
   * Funding payments of the account from the engine's settlements, oldest first (positive =
   * received).
   *
   * @param options One symbol, a time range (ms, inclusive) and the most recent `limit`.
   * @returns The payments.
   */
  getFundingPayments(
    options: { symbol?: string; start?: number; end?: number; limit?: number } = {},
  ): Promise<FundingPayment[]> {
    return this.#call("getFundingPayments", () => {
      if (options.symbol !== undefined) this.#instrument(options.symbol);
      const start = options.start ?? -Infinity;
      const end = options.end ?? Infinity;
      const rows = this.#engine.fundingPayments(this.#accountId, options.symbol)
        .filter((p) => p.time >= start && p.time <= end)
        .map((p) => this.#payment(p));
      return options.limit === undefined ? rows : rows.slice(-options.limit);
    });
  }

  #payment(p: SimFundingPayment): FundingPayment {
    return {
      venue: this.venue,
      symbol: p.symbol,
      time: p.time,
      amount: dec(p.amount),
      rate: dec(p.rate),
      positionSize: dec(p.positionSize),
      id: `${p.symbol}:${p.time}`,
    };
  }

  /**
   * Sets the account's leverage on one market.
   *
   * @param symbol The market.
   * @param leverage Positive, at most the market's maximum.
   * @throws {ConfigurationError} For a leverage the market does not allow.
   */
  async setLeverage(symbol: string, leverage: number): Promise<void> {
    this.#instrument(symbol);
    await this.#call("setLeverage", () => {
      try {
        this.#engine.setLeverage(this.#accountId, symbol, String(leverage));
      } catch (e) {
        if (e instanceof InvalidOrderError) {
          throw new ConfigurationError(e.message, { venue: this.venue, cause: e });
        }
        throw e;
      }
    });
  }

  /** A live book fed by the engine's book stream, with sequence checks and resync. */
  subscribeOrderBook(symbol: string): Promise<OrderBookSubscription> {
    this.#instrument(symbol);
    const entry = {
      symbol,
      book: new LiveOrderBook(symbol, {
        venue: this.venue,
        sequenceRule: "increment",
        clock: this.#clock,
        maxSilenceMs: this.#maxSilenceMs,
        requestSnapshot: () => {
          // A venue answers a resubscribe asynchronously.
          queueMicrotask(() => this.#snapshotInto(symbol, entry.book));
        },
        onClose: () => void this.#books.delete(entry),
      }),
    };
    this.#books.add(entry);
    this.#snapshotInto(symbol, entry.book);
    return Promise.resolve(entry.book);
  }

  #snapshotInto(symbol: string, book: LiveOrderBook): void {
    if (book.closed) return;
    const view = this.#engine.book(symbol);
    const level = ([price, size]: [string, string]) => ({ price, size });
    book.applySnapshot({ bids: view.bids.map(level), asks: view.asks.map(level) }, {
      sequence: view.seq,
      timestamp: view.time,
    });
  }

  /** Best bid and ask: from a live book when one is fresh, else from the engine. */
  getBestBidAsk(symbol: string): Promise<BestBidAsk> {
    const live = this.#liveBook(symbol);
    if (live) return Promise.resolve(live.bestBidAsk());
    return this.getOrderBook(symbol, 1).then((snap) => bestBidAskOf(snap, this.venue));
  }

  /** Book depth: from a live book when one is fresh, else from the engine. */
  getOrderBook(symbol: string, depth = 20): Promise<BookSnapshot> {
    const live = this.#liveBook(symbol);
    if (live) return Promise.resolve(live.snapshot(depth));
    return this.#call("getOrderBook", () => {
      this.#instrument(symbol);
      const view = this.#engine.book(symbol, depth);
      const level = ([price, size]: [string, string]) => ({ price: dec(price), size: dec(size) });
      return {
        symbol,
        bids: view.bids.map(level),
        asks: view.asks.map(level),
        sequence: view.seq,
        timestamp: view.time,
        stale: false,
      };
    });
  }

  #liveBook(symbol: string): LiveOrderBook | undefined {
    for (const b of this.#books) {
      if (b.symbol === symbol && !b.book.snapshot(0).stale) return b.book;
    }
    return undefined;
  }

  /** Order, fill, position, balance and connection events. */
  events(options?: { signal?: AbortSignal }): AsyncIterableIterator<ExchangeEvent> {
    return this.#hub.events(options);
  }

  /** Registers an event listener; returns the function that removes it. */
  onEvent(listener: (event: ExchangeEvent) => void): () => void {
    return this.#hub.onEvent(listener);
  }

  /** A fresh client order id. */
  newClientOrderId(): string {
    return this.#newId();
  }

  async #call<T>(endpoint: string, run: () => T): Promise<T> {
    const fault = this.#faults?.onRequest(PAPER_FRONT_END, endpoint);
    if (fault) {
      if (fault.delayMs > 0) await this.#clock.sleep(fault.delayMs);
      if (fault.status === 429) {
        throw new RateLimitedError(fault.retryAfterMs, { venue: this.venue, endpoint, code: 429 });
      }
      if (fault.status !== undefined) {
        throw new VenueUnavailableError({ venue: this.venue, endpoint, code: fault.status });
      }
    }
    const result = run();
    if (fault?.dropResponse) {
      throw new NetworkError({
        venue: this.venue,
        endpoint,
        message: `Response lost on ${endpoint}`,
      });
    }
    if (fault?.garbleResponse) {
      throw new MalformedPayloadError("", {
        venue: this.venue,
        endpoint,
        details: "the answer was not the venue's JSON",
      });
    }
    return result;
  }

  #onEngineEvent(e: SimEvent): void {
    if (this.#held) {
      this.#held.push(e);
      return;
    }
    const me = this.#accountId;
    switch (e.type) {
      case "order":
        if (e.order.accountId === me) {
          this.#hub.emit({ type: "order", order: this.#order(e.order) });
        }
        break;
      case "fill":
        if (e.fill.accountId === me) this.#hub.emit({ type: "fill", fill: this.#fill(e.fill) });
        break;
      case "position":
        if (e.accountId === me) {
          this.#hub.emit({
            type: "position",
            position: this.#position(e.symbol, e.size, e.entryPrice),
          });
        }
        break;
      case "balance":
        if (e.accountId === me) this.#hub.emit({ type: "balance", balance: this.#balance() });
        break;
      case "funding_payment":
        if (e.payment.accountId === me) {
          this.#hub.emit({ type: "funding", payment: this.#payment(e.payment) });
        }
        break;
      case "book":
        this.#onBookEvent(e);
        break;
    }
  }

  #onBookEvent(e: SimEvent & { type: "book" }): void {
    for (const { symbol, book } of this.#books) {
      if (symbol !== e.symbol) continue;
      const frame = JSON.stringify({
        seq: e.streamSeq,
        side: e.side,
        price: e.price,
        size: e.size,
      });
      const fate = this.#faults?.onFrame(PAPER_FRONT_END, e.stream, frame, this.#socket) ??
        { frames: [frame], close: false };
      if (fate.silenced) {
        // Half-open: nothing arrives. Like a socket's idle timeout, a stream silent for longer
        // than idleTimeoutMs is replaced (books stale until the new one resyncs them).
        const now = this.#clock.now();
        this.#silentSince ??= now;
        if (now - this.#silentSince > this.#idleTimeoutMs) {
          this.simulateDisconnect(
            new TimeoutError(this.#idleTimeoutMs, {
              venue: this.venue,
              endpoint: e.stream,
              message: `Nothing received on ${this.venue} for ${this.#idleTimeoutMs} ms`,
            }),
          );
        }
        continue;
      }
      this.#silentSince = undefined;
      for (const f of fate.frames) {
        let msg: { seq: number; side: string; price: string; size: string };
        try {
          msg = JSON.parse(f);
        } catch {
          // An unreadable frame leaves the book unknown: resync.
          book.markStale();
          this.#snapshotInto(symbol, book);
          continue;
        }
        const level = [{ price: msg.price, size: msg.size }];
        book.applyDelta(msg.side === "buy" ? { bids: level } : { asks: level }, {
          sequence: msg.seq,
          timestamp: e.time,
        });
      }
      if (fate.close) this.simulateDisconnect();
    }
  }

  #order(v: OrderView): Order {
    return {
      venue: this.venue,
      symbol: v.symbol,
      id: v.id,
      clientOrderId: v.clientOrderId,
      side: v.side,
      type: v.type,
      price: optDec(v.price),
      size: dec(v.size),
      filledSize: dec(v.filledSize),
      remainingSize: dec(v.remainingSize),
      averageFillPrice: optDec(v.averageFillPrice),
      status: v.status,
      timeInForce: v.timeInForce,
      postOnly: v.postOnly,
      reduceOnly: v.reduceOnly,
      ...(v.cancelReason ? { cancelReason: v.cancelReason } : {}),
      createdAt: v.createdAt,
      updatedAt: v.updatedAt,
    };
  }

  #fill(f: FillView): Fill {
    return {
      venue: this.venue,
      symbol: f.symbol,
      tradeId: f.tradeId,
      orderId: f.orderId,
      clientOrderId: f.clientOrderId,
      side: f.side,
      price: dec(f.price),
      size: dec(f.size),
      fee: dec(f.fee),
      liquidity: f.liquidity,
      timestamp: f.time,
    };
  }
}

/**
 * A `FundingAdapter` on a simulator engine: the rate the next settlement would use, market
 * statistics from the engine's trades, book and positions, and its settlement history.
 *
 * @example
 * ```ts
 * import { ManualClock } from "../exchanges/_shared/clock.ts";
 * import { scriptedFundingRates } from "./funding.ts";
 * import { SimEngine } from "./engine.ts";
 * import { PaperFundingAdapter } from "./paper.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const engine = new SimEngine({ clock: new ManualClock(0) });
 * engine.addInstrument(
 *   { symbol: "BTC", tickSize: "0.1", sizeStep: "0.001", fundingIntervalHours: 4 },
 *   { markPrice: "60000", fundingRates: scriptedFundingRates("0.0004") },
 * );
 * const [btc] = await new PaperFundingAdapter(engine).fetchFundingRates();
 * deepEqual([btc.rate.toString(), btc.intervalHours, btc.hourlyRate.toString()], ["0.0004", 4, "0.0001"]);
 * ```
 */
export class PaperFundingAdapter implements FundingAdapter {
  /** Venue name. */
  readonly venue: VenueName;
  readonly #engine: SimEngine;

  /**
   * Creates an adapter over an engine's markets.
   *
   * @param engine The engine.
   * @param options Venue name to report. @default {the engine's venue}
   */
  constructor(engine: SimEngine, options: { venue?: VenueName } = {}) {
    this.#engine = engine;
    this.venue = options.venue ?? engine.venue;
  }

  #symbols(symbols?: string[]): string[] {
    const all = this.#engine.instruments().map((i) => i.symbol);
    return symbols === undefined ? all : all.filter((s) => symbols.includes(s));
  }

  /** Current (next-settlement) funding rates. */
  fetchFundingRates(options: { symbols?: string[] } = {}): Promise<FundingRate[]> {
    const now = this.#engine.now();
    return Promise.resolve(
      this.#symbols(options.symbols).map((symbol) => {
        const next = this.#engine.nextFunding(symbol);
        const prices = this.#engine.prices(symbol);
        return {
          venue: this.venue,
          symbol,
          venueSymbol: symbol,
          ...fundingRate({ rate: next.rate, intervalHours: next.intervalHours }),
          nextFundingTime: next.time,
          markPrice: prices.markPrice === "0" ? undefined : dec(prices.markPrice),
          indexPrice: prices.indexPrice === "0" ? undefined : dec(prices.indexPrice),
          timestamp: now,
        };
      }),
    );
  }

  /** 24 h volume, open interest, best bid/ask and spread per market. */
  fetchMarketData(options: { symbols?: string[] } = {}): Promise<MarketData[]> {
    const now = this.#engine.now();
    const dayAgo = now - 86_400_000;
    return Promise.resolve(
      this.#symbols(options.symbols).map((symbol) => {
        const volume = this.#engine.trades(symbol)
          .filter((t) => t.time >= dayAgo)
          .reduce((sum, t) => sum.plus(dec(t.price).times(t.size)), new Decimal(0));
        const prices = this.#engine.prices(symbol);
        const mark = dec(prices.markPrice);
        let longs = new Decimal(0);
        for (const account of this.#engine.accounts()) {
          const size = dec(this.#engine.position(account, symbol).size);
          if (size.isPositive()) longs = longs.plus(size);
        }
        const top = this.#engine.book(symbol, 1);
        const bid = optDec(top.bids[0]?.[0]);
        const ask = optDec(top.asks[0]?.[0]);
        const spreadBps = bid && ask
          ? ask.minus(bid).div(ask.plus(bid).div(2)).times(10_000)
          : undefined;
        return {
          venue: this.venue,
          symbol,
          volume24hUsd: volume,
          openInterestUsd: longs.times(mark),
          bestBid: bid,
          bestAsk: ask,
          spreadBps,
          markPrice: mark.isZero() ? undefined : mark,
          indexPrice: prices.indexPrice === "0" ? undefined : dec(prices.indexPrice),
          timestamp: now,
        };
      }),
    );
  }

  /** Settlements of one market, oldest first. */
  fetchFundingHistory(
    symbol: string,
    options: { start?: number; end?: number; limit?: number } = {},
  ): Promise<FundingHistoryEntry[]> {
    const start = options.start ?? -Infinity;
    const end = options.end ?? Infinity;
    const interval = this.#engine.instrument(symbol).fundingIntervalHours;
    const rows = this.#engine.fundingHistory(symbol)
      .filter((s) => s.time >= start && s.time <= end)
      .map((s) => ({
        venue: this.venue,
        symbol,
        time: s.time,
        ...fundingRate({ rate: s.rate, intervalHours: interval }),
      }));
    return Promise.resolve(options.limit === undefined ? rows : rows.slice(-options.limit));
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
