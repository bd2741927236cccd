/**
 * {@linkcode GRVTClient}: the GRVT implementation of `ExchangeClient`.
 *
 * - Markets from `full/v1/instruments`; sizes and prices are checked against `min_size` and
 *   `tick_size` exactly, never rounded.
 * - Orders are EIP-712 signed with viem ({@linkcode createGrvtOrderSigner}), carry a client
 *   order id in [2^63, 2^64 − 1] (the range GRVT reserves for API clients, grvt.md §8.2) and
 *   are tracked by it, since `create_order` answers `order_id "0x00"` and `PENDING`.
 *   `placeOrder` waits (up to `confirmTimeoutMs`) for the outcome on `v1.order`, so a crossing
 *   post-only order is a `PostOnlyWouldCrossError`, not a silent cancel. A lost answer is
 *   resolved by looking the order up by client order id (`placeOnce`); the same signed payload
 *   is never sent with a new nonce. No builder fee unless `builder` is given.
 * - Private REST and the trading WebSocket carry the session cookie and `X-Grvt-Account-Id`
 *   ({@linkcode GrvtSession}); a 401 logs in again and repeats the call once.
 * - Live books from `v1.book.d` (snapshot at sequence 0, then deltas chained by
 *   `prev_sequence_number`); a gap, a crossed book or an unreadable frame resubscribes for a
 *   fresh snapshot. `v1.order`, `v1.fill` and `v1.position` become unified events; fills are
 *   deduplicated by trade id, and after a reconnect or a sequence gap the tracked orders are
 *   re-read over REST.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { z } from "zod";
import type {
  Balance,
  BestBidAsk,
  BookSnapshot,
  Clock,
  ExchangeClient,
  ExchangeEvent,
  Fill,
  Market,
  Order,
  OrderBookSubscription,
  OrderRef,
  OrderRequest,
  OrderStatus,
  Position,
  TimeInForce,
} from "../../base.ts";
import { isValidClientOrderId, randomClientOrderId } from "../_shared/client_order_id.ts";
import { systemClock } from "../_shared/clock.ts";
import { Decimal, type DecimalInput, toDecimal } from "../../core/decimal.ts";
import {
  AuthenticationError,
  ConfigurationError,
  InvalidOrderError,
  MalformedPayloadError,
  NotFoundError,
  OrderRejectedError,
} from "../../core/errors.ts";
import { EventHub } from "../_shared/event_hub.ts";
import type { FetchLike, HttpTransport } from "../_shared/http.ts";
import { bestBidAskOf, LiveOrderBook } from "../_shared/live_order_book.ts";
import { parsePayload } from "../_shared/parse.ts";
import { placeOnce } from "../_shared/place_once.ts";
import { isMultipleOf } from "../_shared/quantize.ts";
import type { WebSocketConstructor, WsReconnectOptions, WsStateEvent } from "../_shared/ws.ts";
import { GrvtSession, sessionHeaders } from "./auth.ts";
import { msToNs } from "./common.ts";
import {
  type GrvtConnectionOptions,
  grvtWsUrl,
  resolveGrvtConfig,
  resolveGrvtCredentials,
} from "./config.ts";
import { grvtCancelReason, grvtRejection } from "./errors.ts";
import { createGrvtTransport, type GrvtMarket, loadGrvtMarkets } from "./markets.ts";
import {
  accountSummaryResponseSchema,
  ackResponseSchema,
  bookResponseSchema,
  bookSchema,
  fillSchema,
  orderResponseSchema,
  orderSchema,
  ordersResponseSchema,
  positionSchema,
  positionsResponseSchema,
} from "./schemas.ts";
import { createGrvtOrderSigner, type GrvtOrderSigner, type GrvtTimeInForce } from "./signing.ts";
import { type GrvtFeedFrame, GrvtStream, type GrvtSubscribeResult } from "./stream.ts";

const log = getLogger(["perp", "grvt"]);

const VENUE = "grvt";
/** Signatures may not reach more than 30 days ahead (grvt.md §8.1); keep an hour of margin. */
const DEFAULT_ORDER_LIFETIME_MS = 30 * 86_400_000 - 3_600_000;
/** Orders that never rest: pysdk's default signature lifetime (grvt.md §8.1). */
const TAKER_LIFETIME_MS = 5 * 60_000;
const BOOK_DEPTHS = [10, 50, 100, 500];
/** Sequence value of a snapshot whose position in the delta stream is unknown. */
const UNKNOWN_BASE = -1;

/**
 * Options of {@linkcode GRVTClient}. Credentials fall back to `GRVT_API_KEY`,
 * `GRVT_PRIVATE_KEY` and `GRVT_TRADING_ACCOUNT_ID`, the environment to `GRVT_ENVIRONMENT`.
 *
 * @example
 * ```ts
 * import type { GRVTClientOptions } from "./client.ts";
 * const options: GRVTClientOptions = { environment: "testnet", tradingAccountId: "2147050003876484" };
 * ```
 */
export interface GRVTClientOptions extends GrvtConnectionOptions {
  /** API key id. @default {GRVT_API_KEY} */
  apiKey?: string;
  /** Private key of the API key's wallet (64 hex digits). @default {GRVT_PRIVATE_KEY} */
  privateKey?: string;
  /** Trading (sub-)account id. @default {GRVT_TRADING_ACCOUNT_ID} */
  tradingAccountId?: string;
  /** Clock for timeouts, waits and expiries. @default {systemClock} */
  clock?: Clock;
  /** `fetch` to use. @default {globalThis.fetch} */
  fetch?: FetchLike;
  /** WebSocket constructor. @default {globalThis.WebSocket} */
  WebSocket?: WebSocketConstructor;
  /** REST timeout per attempt, in ms. @default {10_000} */
  timeoutMs?: number;
  /** WebSocket reconnect policy. @default {500 ms doubling to 30 s} */
  reconnect?: WsReconnectOptions;
  /** How long `placeOrder` waits for an order to leave `PENDING`, in ms. @default {10_000} */
  confirmTimeoutMs?: number;
  /**
   * Signature lifetime of GTC orders, which is also their expiry on GRVT; at most 30 days.
   * @default {30 days − 1 hour}
   */
  orderLifetimeMs?: number;
  /** A builder to pay a fee to, signed into every order. @default {none} */
  builder?: { address: string; fee: DecimalInput };
  /** Client order id generator. @default {random ids in [2^63, 2^64 − 1]} */
  newClientOrderId?: () => string;
}

type WireOrder = z.output<typeof orderSchema>;

interface Tracked {
  order: Order;
  reason: string | undefined;
  nonce: number | undefined;
}

interface BookEntry {
  instrument: string;
  selector: string;
  books: Set<LiveOrderBook>;
  base: number;
  resyncing: boolean;
}

/**
 * The GRVT trading client.
 *
 * @example Against the local replica
 * ```ts ignore
 * import { GRVTClient } from "./client.ts";
 * import { startGrvtReplica } from "../../sim/grvt/mod.ts";
 *
 * await using replica = startGrvtReplica();
 * await using client = new GRVTClient({
 *   environment: "sim",
 *   hosts: replica.hosts,
 *   ...replica.credentials,
 * });
 * await client.connect();
 * const order = await client.placeOrder({
 *   symbol: "BTC", side: "buy", type: "limit", size: "0.002", price: "63000", postOnly: true,
 * });
 * console.log(order.status); // "open"
 * ```
 */
export class GRVTClient implements ExchangeClient {
  /** Venue name. */
  readonly venue: "grvt" = VENUE;
  readonly #options: GRVTClientOptions;
  readonly #clock: Clock;
  readonly #hosts: ReturnType<typeof resolveGrvtConfig>["hosts"];
  readonly #md: HttpTransport;
  readonly #newId: () => string;
  #trades: HttpTransport | undefined;
  #session: GrvtSession | undefined;
  #signer: GrvtOrderSigner | undefined;
  #account = "";
  #markets: Map<string, GrvtMarket> | undefined;
  #marketsLoading: Promise<Map<string, GrvtMarket>> | undefined;
  #hub = new EventHub<ExchangeEvent>();
  #private: GrvtStream | undefined;
  #public: GrvtStream | undefined;
  #wsHeaders = new Headers();
  #connecting: Promise<void> | undefined;
  #connected = false;
  #tracked = new Map<string, Tracked>();
  #waiters = new Map<string, Set<() => void>>();
  #fillIds = new Set<string>();
  #fillOrder: string[] = [];
  #privateSeq = new Map<string, number>();
  #books = new Map<string, BookEntry>();
  #unsubscribeSession: (() => void) | undefined;

  /**
   * Creates a client. Nothing is sent until {@linkcode GRVTClient.connect} (or a first call).
   *
   * @param options Environment, credentials, clock and behaviour.
   * @throws {ConfigurationError} If the environment is unknown or `sim` lacks its hosts.
   */
  constructor(options: GRVTClientOptions = {}) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#hosts = resolveGrvtConfig(options).hosts;
    this.#md = createGrvtTransport({
      baseUrl: this.#hosts.marketDataUrl,
      clock: this.#clock,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
    });
    this.#newId = options.newClientOrderId ?? (() => randomClientOrderId("grvt"));
    const lifetime = options.orderLifetimeMs ?? DEFAULT_ORDER_LIFETIME_MS;
    if (!(lifetime > 0 && lifetime <= 30 * 86_400_000)) {
      throw new ConfigurationError(
        `Cannot create the grvt client as 'orderLifetimeMs' must be within (0, 30 days]: current value is ${lifetime}`,
        { venue: VENUE },
      );
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Loads markets, logs in and opens the order / fill / position streams. Idempotent.
   *
   * @param options `signal` aborts.
   * @throws {ConfigurationError} Naming every missing credential variable.
   * @throws {AuthenticationError} If the login is refused.
   */
  connect(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#connected) return Promise.resolve();
    this.#connecting ??= this.#connect(options.signal).finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connect(signal?: AbortSignal): Promise<void> {
    this.#ensureTrading();
    if (this.#hub.closed) this.#hub = new EventHub<ExchangeEvent>();
    await this.#loadMarkets(signal);
    await this.#session!.ensure({ signal });
    this.#session!.startRefresh();
    const stream = this.#private ??= new GrvtStream({
      url: grvtWsUrl(this.#hosts.tradesUrl),
      headers: this.#wsHeaders,
      clock: this.#clock,
      WebSocket: this.#options.WebSocket,
      reconnect: this.#options.reconnect,
      onFeed: (f) => this.#onPrivateFeed(f),
      onSubscribed: (stream) => this.#privateSeq.delete(stream),
      onState: (e) => this.#onPrivateState(e),
      onMalformed: (e) => this.#onPrivateGap(e),
    });
    for (const s of ["v1.order", "v1.fill", "v1.position"]) {
      await stream.subscribe(s, this.#account);
    }
    this.#connected = true;
  }

  /** Closes every stream and book and stops the session refresh. Idempotent. */
  async disconnect(): Promise<void> {
    this.#connected = false;
    this.#session?.stopRefresh();
    this.#unsubscribeSession?.();
    this.#unsubscribeSession = undefined;
    for (const entry of [...this.#books.values()]) {
      for (const b of [...entry.books]) await b.close();
    }
    const streams = [this.#private, this.#public];
    this.#private = undefined;
    this.#public = undefined;
    await Promise.all(streams.map((s) => s?.close()));
    for (const set of this.#waiters.values()) for (const w of set) w();
    if (!this.#hub.closed) {
      this.#hub.emit({ type: "connection", stream: "trading", state: "disconnected" });
      this.#hub.close();
    }
  }

  /** Same as `disconnect()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }

  #ensureTrading(): void {
    if (this.#session) return;
    const o = this.#options;
    const creds = resolveGrvtCredentials(
      { apiKey: o.apiKey, privateKey: o.privateKey, tradingAccountId: o.tradingAccountId },
      o.env,
    );
    this.#account = creds.tradingAccountId;
    this.#signer = createGrvtOrderSigner({
      privateKey: creds.privateKey,
      chainId: this.#hosts.chainId,
    });
    this.#session = new GrvtSession({
      edgeUrl: this.#hosts.edgeUrl,
      apiKey: creds.apiKey,
      clock: this.#clock,
      fetch: o.fetch,
      timeoutMs: o.timeoutMs,
    });
    this.#unsubscribeSession = this.#session.onChange((s) => {
      // The handshake of the next (re)connection uses the fresh cookie.
      for (const [k, v] of Object.entries(sessionHeaders(s))) this.#wsHeaders.set(k, v);
    });
    this.#trades = createGrvtTransport({
      baseUrl: this.#hosts.tradesUrl,
      clock: this.#clock,
      fetch: o.fetch,
      timeoutMs: o.timeoutMs,
    });
  }

  // ---------------------------------------------------------------- markets

  /** Every active perpetual, loaded once. */
  async getMarkets(): Promise<Market[]> {
    return [...(await this.#loadMarkets()).values()];
  }

  /**
   * One market.
   *
   * @param symbol Unified symbol.
   * @returns The market.
   * @throws {NotFoundError} For an unknown symbol.
   */
  async getMarket(symbol: string): Promise<Market> {
    return await this.#market(symbol);
  }

  #loadMarkets(signal?: AbortSignal): Promise<Map<string, GrvtMarket>> {
    if (this.#markets) return Promise.resolve(this.#markets);
    this.#marketsLoading ??= loadGrvtMarkets(this.#md, { signal }).then((m) => {
      this.#markets = m;
      return m;
    }).finally(() => {
      this.#marketsLoading = undefined;
    });
    return this.#marketsLoading;
  }

  async #market(symbol: string): Promise<GrvtMarket> {
    const m = (await this.#loadMarkets()).get(symbol);
    if (!m) {
      throw new NotFoundError({ venue: VENUE, message: `Unknown market '${symbol}' on grvt` });
    }
    return m;
  }

  #marketOfInstrument(instrument: string): GrvtMarket | undefined {
    for (const m of this.#markets?.values() ?? []) if (m.venueSymbol === instrument) return m;
    return undefined;
  }

  // ---------------------------------------------------------------- private REST

  async #privateCall<S extends z.ZodType>(
    endpoint: string,
    body: Record<string, unknown>,
    schema: S,
    options: { idempotent?: boolean } = {},
  ): Promise<z.output<S>> {
    this.#ensureTrading();
    for (let attempt = 0;; attempt++) {
      const session = await this.#session!.ensure();
      try {
        return await this.#trades!.request({
          method: "POST",
          path: `/${endpoint}`,
          endpoint,
          body,
          headers: sessionHeaders(session),
          idempotent: options.idempotent ?? true,
          schema,
        });
      } catch (e) {
        // 1000: the session is gone; the venue did nothing, so one repeat is safe (grvt.md §3.1).
        if (attempt === 0 && e instanceof AuthenticationError && e.code === 1000) {
          this.#session!.invalidate(session.cookie);
          continue;
        }
        throw e;
      }
    }
  }

  #filter(market?: GrvtMarket): Record<string, unknown> {
    return market
      ? { kind: ["PERPETUAL"], base: [market.baseAsset], quote: [market.quoteAsset] }
      : { kind: ["PERPETUAL"] };
  }

  // ---------------------------------------------------------------- orders

  /**
   * Places an order once, whatever happens to the answer, and waits for its outcome.
   *
   * @param request The order.
   * @returns The order as the venue reports it (`open`, `filled`, … or still `pending` if no
   * outcome arrived within `confirmTimeoutMs`).
   * @throws {InvalidOrderError} If size or price break the market's rules.
   * @throws {PostOnlyWouldCrossError} If a post-only order would have crossed.
   * @throws {OrderRejectedError} For any other refusal.
   */
  async placeOrder(request: OrderRequest): Promise<Order> {
    this.#ensureTrading();
    const market = await this.#market(request.symbol);
    const prepared = this.#prepare(request, market);
    const cid = prepared.clientOrderId;
    const signature = await this.#signer!.signOrder(prepared.signing);
    const body = { order: { ...prepared.wire, signature } };
    const nonce = prepared.signing.nonce;
    const old = this.#tracked.get(cid);
    if (old && old.nonce !== nonce) this.#tracked.delete(cid);
    const sent = await placeOnce({
      clientOrderId: cid,
      clock: this.#clock,
      send: async () => {
        const { result } = await this.#privateCall(
          "full/v1/create_order",
          body,
          orderResponseSchema,
          {
            idempotent: false,
          },
        );
        return this.#toOrder(result);
      },
      lookup: () => this.#lookupOrder(cid, nonce),
    });
    this.#remember(cid, nonce);
    return await this.#outcome(sent, cid, nonce);
  }

  #prepare(request: OrderRequest, market: GrvtMarket) {
    const fail = (reason: "invalid_size" | "invalid_price", what: string): never => {
      throw new InvalidOrderError(reason, {
        venue: VENUE,
        message: `Cannot place order on grvt as ${what}`,
      });
    };
    const refuse = (what: string): never => {
      throw new OrderRejectedError("other", {
        venue: VENUE,
        message: `Cannot place order on grvt as ${what}`,
      });
    };
    if (request.side !== "buy" && request.side !== "sell") {
      refuse(`'side' must be buy or sell: current value is ${request.side}`);
    }
    const size = toDecimal(request.size, "size");
    if (!size.gt(0) || !isMultipleOf(size, market.sizeStep)) {
      fail(
        "invalid_size",
        `'size' must be a multiple of ${market.sizeStep}: current value is ${size}`,
      );
    }
    if (size.lt(market.minSize)) {
      fail("invalid_size", `'size' must be at least ${market.minSize}: current value is ${size}`);
    }
    const isMarket = request.type === "market";
    if (!isMarket && request.type !== "limit") {
      refuse(`'type' must be limit or market: current value is ${request.type}`);
    }
    let price: Decimal | undefined;
    if (isMarket) {
      // Market orders carry no price on GRVT (grvt.md §8.1): a bound would be ignored.
      if (request.worstPrice !== undefined || request.price !== undefined) {
        fail(
          "invalid_price",
          "a market order carries no price there; use an IOC limit order to bound the price",
        );
      }
    } else {
      if (request.price === undefined) {
        fail("invalid_price", "'price' is required for a limit order");
      }
      price = toDecimal(request.price!, "price");
      if (!price.gt(0) || !isMultipleOf(price, market.tickSize)) {
        fail(
          "invalid_price",
          `'price' must be a multiple of ${market.tickSize}: current value is ${price}`,
        );
      }
    }
    const tif: TimeInForce = request.timeInForce ?? (isMarket ? "ioc" : "gtc");
    const postOnly = request.postOnly ?? false;
    const reduceOnly = request.reduceOnly ?? false;
    if (postOnly && (tif === "ioc" || tif === "fok" || isMarket)) {
      refuse("post-only is only allowed with GTC / GTT limit orders (code 2032)");
    }
    const wireTif: GrvtTimeInForce = tif === "ioc"
      ? "IMMEDIATE_OR_CANCEL"
      : tif === "fok"
      ? "FILL_OR_KILL"
      : "GOOD_TILL_TIME";
    const now = this.#clock.now();
    let expiresAt: number;
    if (tif === "gtt") {
      if (request.expiresAt === undefined || !(request.expiresAt > now)) {
        refuse(`a GTT order needs 'expiresAt' after now: current value is ${request.expiresAt}`);
      }
      expiresAt = Math.floor(request.expiresAt!);
      if (expiresAt > now + 30 * 86_400_000) {
        refuse("'expiresAt' must be at most 30 days ahead (code 2008)");
      }
    } else if (tif === "gtc" && !isMarket) {
      expiresAt = now + (this.#options.orderLifetimeMs ?? DEFAULT_ORDER_LIFETIME_MS);
    } else {
      expiresAt = now + TAKER_LIFETIME_MS;
    }
    const clientOrderId = request.clientOrderId ?? this.#newId();
    if (!isValidClientOrderId("grvt", clientOrderId)) {
      refuse(
        `'clientOrderId' must be a decimal integer in [2^63, 2^64 - 1]: current value is ${clientOrderId}`,
      );
    }
    const nonce = crypto.getRandomValues(new Uint32Array(1))[0];
    const expiration = msToNs(expiresAt);
    const builder = this.#options.builder;
    const signing = {
      subAccountId: this.#account,
      isMarket,
      timeInForce: wireTif,
      postOnly,
      reduceOnly,
      legs: [{
        instrumentHash: market.instrumentHash,
        baseDecimals: market.baseDecimals,
        size,
        limitPrice: price ?? "0",
        isBuyingAsset: request.side === "buy",
      }],
      nonce,
      expiration,
      ...(builder ? { builder: builder.address, builderFee: builder.fee } : {}),
    };
    const wire: Record<string, unknown> = {
      sub_account_id: this.#account,
      is_market: isMarket,
      time_in_force: wireTif,
      post_only: postOnly,
      reduce_only: reduceOnly,
      legs: [{
        instrument: market.venueSymbol,
        size: size.toString(),
        limit_price: price ? price.toString() : "0",
        is_buying_asset: request.side === "buy",
      }],
      metadata: { client_order_id: clientOrderId },
    };
    if (builder) {
      wire.builder = builder.address;
      wire.builder_fee = toDecimal(builder.fee, "builder.fee").toString();
    }
    return { clientOrderId, signing, wire };
  }

  /** The order with this client order id, if it is the one signed with `nonce`. */
  async #lookupOrder(cid: string, nonce: number): Promise<Order | undefined> {
    const found = await this.#fetchOrder({ client_order_id: cid });
    if (!found) return undefined;
    const n = found.signature?.nonce;
    if (n !== undefined && n !== nonce) return undefined;
    return this.#track(found).order;
  }

  async #fetchOrder(ref: Record<string, string>): Promise<WireOrder | undefined> {
    try {
      const { result } = await this.#privateCall(
        "full/v1/order",
        { sub_account_id: this.#account, ...ref },
        orderResponseSchema,
      );
      return result;
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  #remember(cid: string, nonce: number): void {
    const t = this.#tracked.get(cid);
    if (t) t.nonce ??= nonce;
  }

  async #outcome(sent: Order, cid: string, nonce: number): Promise<Order> {
    const deadline = this.#clock.now() + (this.#options.confirmTimeoutMs ?? 10_000);
    let current = sent;
    let reason: string | undefined;
    for (;;) {
      const t = this.#tracked.get(cid);
      if (t && (t.nonce === undefined || t.nonce === nonce) && t.order.status !== "pending") {
        current = t.order;
        reason = t.reason;
        break;
      }
      const left = deadline - this.#clock.now();
      if (left <= 0) break;
      const woke = await this.#waitForUpdate(cid, Math.min(left, this.#connected ? 1_000 : 100));
      if (!woke) {
        // No stream (not connected) or a quiet one: ask.
        const polled = await this.#lookupOrder(cid, nonce).catch(() => undefined);
        if (polled && polled.status !== "pending") {
          current = polled;
          reason = this.#tracked.get(cid)?.reason;
          break;
        }
      }
    }
    const refused = current.status === "rejected" ||
      (current.status === "canceled" && current.filledSize.isZero() &&
        (current.cancelReason === "post_only_would_cross" ||
          current.cancelReason === "reduce_only"));
    if (refused) throw grvtRejection(reason ?? "UNSPECIFIED", cid);
    return current;
  }

  #waitForUpdate(cid: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const stop = new AbortController();
      let set = this.#waiters.get(cid);
      if (!set) this.#waiters.set(cid, set = new Set());
      const wake = () => {
        stop.abort();
        set!.delete(wake);
        if (set!.size === 0) this.#waiters.delete(cid);
        resolve(true);
      };
      set.add(wake);
      this.#clock.sleep(ms, stop.signal).then(() => {
        set!.delete(wake);
        if (set!.size === 0) this.#waiters.delete(cid);
        resolve(false);
      }, () => {});
    });
  }

  /**
   * Cancels one active order.
   *
   * @param symbol Unified symbol.
   * @param ref Venue id or client order id.
   * @throws {NotFoundError} If the order is not active.
   */
  async cancelOrder(symbol: string, ref: OrderRef): Promise<void> {
    await this.#market(symbol);
    const body: Record<string, unknown> = { sub_account_id: this.#accountId() };
    if (ref.id !== undefined) body.order_id = ref.id;
    else body.client_order_id = ref.clientOrderId;
    const { result } = await this.#privateCall("full/v1/cancel_order", body, ackResponseSchema, {
      idempotent: false,
    });
    if (!result.ack) {
      throw new NotFoundError({
        venue: VENUE,
        endpoint: "full/v1/cancel_order",
        message: `GRVT did not acknowledge the cancel of ${ref.id ?? ref.clientOrderId}`,
      });
    }
  }

  /**
   * Cancels every active order, of one market if given.
   *
   * @param symbol Unified symbol. @default {every market}
   */
  async cancelAllOrders(symbol?: string): Promise<void> {
    const market = symbol === undefined ? undefined : await this.#market(symbol);
    await this.#privateCall(
      "full/v1/cancel_all_orders",
      { sub_account_id: this.#accountId(), ...this.#filter(market) },
      ackResponseSchema,
      { idempotent: false },
    );
  }

  /**
   * One order in any state.
   *
   * @param symbol Unified symbol.
   * @param ref Venue id or client order id.
   * @returns The order, or `undefined` if the venue does not know it (on that market).
   */
  async getOrder(symbol: string, ref: OrderRef): Promise<Order | undefined> {
    const market = await this.#market(symbol);
    const found = await this.#fetchOrder(
      ref.id !== undefined ? { order_id: ref.id } : { client_order_id: ref.clientOrderId },
    );
    if (!found || found.legs[0].instrument !== market.venueSymbol) return undefined;
    return this.#track(found).order;
  }

  /**
   * Active orders, of one market if given.
   *
   * @param symbol Unified symbol. @default {every market}
   * @returns The orders.
   */
  async getOpenOrders(symbol?: string): Promise<Order[]> {
    const market = symbol === undefined ? undefined : await this.#market(symbol);
    const { result } = await this.#privateCall(
      "full/v1/open_orders",
      { sub_account_id: this.#accountId(), ...this.#filter(market) },
      ordersResponseSchema,
    );
    return result
      .filter((o) => !market || o.legs[0].instrument === market.venueSymbol)
      .filter((o) => this.#marketOfInstrument(o.legs[0].instrument))
      .map((o) => this.#track(o).order);
  }

  /** Equity and available balance from `account_summary`. */
  async getBalance(): Promise<Balance> {
    const { result } = await this.#privateCall(
      "full/v1/account_summary",
      { sub_account_id: this.#accountId() },
      accountSummaryResponseSchema,
    );
    return {
      venue: VENUE,
      asset: result.settle_currency ?? "USDT",
      equity: result.total_equity,
      available: result.available_balance,
      unrealizedPnl: result.unrealized_pnl,
    };
  }

  /** Open positions with signed size, entry, mark and unrealized PnL. */
  async getPositions(): Promise<Position[]> {
    await this.#loadMarkets();
    const { result } = await this.#privateCall(
      "full/v1/positions",
      { sub_account_id: this.#accountId(), kind: ["PERPETUAL"] },
      positionsResponseSchema,
    );
    return result
      .filter((p) => !p.size.isZero())
      .map((p) => this.#toPosition(p))
      .filter((p): p is Position => p !== undefined);
  }

  #accountId(): string {
    this.#ensureTrading();
    return this.#account;
  }

  // ---------------------------------------------------------------- books

  /**
   * A live book from `v1.book.d`, shared with other subscriptions of the same market.
   *
   * @param symbol Unified symbol.
   * @returns The subscription; close it when done.
   */
  async subscribeOrderBook(symbol: string): Promise<OrderBookSubscription> {
    const market = await this.#market(symbol);
    const instrument = market.venueSymbol;
    let entry = this.#books.get(instrument);
    const fresh = entry === undefined;
    if (!entry) {
      entry = {
        instrument,
        selector: `${instrument}@100`,
        books: new Set(),
        base: UNKNOWN_BASE,
        resyncing: false,
      };
      this.#books.set(instrument, entry);
    }
    const e = entry;
    const book: LiveOrderBook = new LiveOrderBook(symbol, {
      venue: VENUE,
      // Deltas chain through prev_sequence_number; the first one after a snapshot whose place
      // in the stream is unknown is taken as it comes.
      sequenceRule: (last, sequence, prev) =>
        last === UNKNOWN_BASE || (prev !== undefined ? prev === last : sequence === last + 1),
      requestSnapshot: () => this.#resync(e),
      onClose: () => {
        e.books.delete(book);
        if (e.books.size === 0) {
          this.#books.delete(instrument);
          this.#public?.unsubscribe("v1.book.d", e.selector);
        }
      },
      onError: (err) => log.warn("GRVT book resync failed: {error}", { error: String(err) }),
    });
    e.books.add(book);
    const stream = this.#publicStream();
    if (fresh) await stream.subscribe("v1.book.d", e.selector);
    else this.#resync(e);
    return book;
  }

  #publicStream(): GrvtStream {
    return this.#public ??= new GrvtStream({
      url: grvtWsUrl(this.#hosts.marketDataUrl),
      clock: this.#clock,
      WebSocket: this.#options.WebSocket,
      reconnect: this.#options.reconnect,
      onFeed: (f) => this.#onBookFeed(f),
      onSubscribed: (stream, selector, r) => this.#onBookSubscribed(stream, selector, r),
      onState: (e) => {
        if (e.state !== "connected") {
          for (const entry of this.#books.values()) {
            for (const b of entry.books) b.markStale();
          }
        }
        this.#emitConnection("market-data", e);
      },
      onMalformed: () => {
        for (const entry of this.#books.values()) {
          for (const b of entry.books) b.markStale();
          this.#resync(entry);
        }
      },
    });
  }

  #resync(entry: BookEntry): void {
    if (entry.resyncing || !this.#books.has(entry.instrument)) return;
    entry.resyncing = true;
    this.#publicStream().subscribe("v1.book.d", entry.selector).catch((e) => {
      log.warn("GRVT book resubscribe failed: {error}", { error: (e as Error).message });
    }).finally(() => {
      entry.resyncing = false;
    });
  }

  #onBookSubscribed(stream: string, selector: string, r: GrvtSubscribeResult): void {
    if (stream !== "v1.book.d") return;
    const entry = this.#books.get(selector.split("@")[0]);
    if (!entry) return;
    const latest = r.latest_sequence_number?.[0];
    const first = r.first_sequence_number?.[0];
    entry.base = latest ?? (first !== undefined ? first - 1 : UNKNOWN_BASE);
  }

  #onBookFeed(f: GrvtFeedFrame): void {
    if (f.stream !== "v1.book.d") return;
    const entry = this.#books.get(f.selector.split("@")[0]);
    if (!entry) return;
    let feed: z.output<typeof bookSchema>;
    try {
      feed = parsePayload(bookSchema, f.feed, { venue: VENUE, endpoint: f.stream });
    } catch {
      for (const b of entry.books) b.markStale();
      this.#resync(entry);
      return;
    }
    const timestamp = feed.event_time;
    const level = (l: { price: Decimal; size: Decimal }) => ({
      price: l.price.toString(),
      size: l.size.toString(),
    });
    const sides = { bids: feed.bids.map(level), asks: feed.asks.map(level) };
    for (const b of entry.books) {
      if (f.sequence_number === 0) {
        b.applySnapshot(sides, { sequence: entry.base, timestamp });
      } else {
        b.applyDelta(sides, {
          sequence: f.sequence_number,
          prevSequence: f.prev_sequence_number,
          timestamp,
        });
      }
    }
  }

  #liveBook(symbol: string): LiveOrderBook | undefined {
    for (const entry of this.#books.values()) {
      for (const b of entry.books) {
        if (b.symbol === symbol && !b.snapshot(0).stale) return b;
      }
    }
    return undefined;
  }

  /**
   * Best bid and ask: from a fresh live book, else from `full/v1/book`.
   *
   * @param symbol Unified symbol.
   * @returns The quote.
   * @throws {NotFoundError} If a side is empty.
   */
  async getBestBidAsk(symbol: string): Promise<BestBidAsk> {
    const live = this.#liveBook(symbol);
    if (live) return live.bestBidAsk();
    const snap = await this.getOrderBook(symbol, 1);
    return bestBidAskOf(snap, VENUE);
  }

  /**
   * Book depth: from a fresh live book, else from `full/v1/book`.
   *
   * @param symbol Unified symbol.
   * @param depth Levels per side. @default {20}
   * @returns The book.
   */
  async getOrderBook(symbol: string, depth = 20): Promise<BookSnapshot> {
    const live = this.#liveBook(symbol);
    if (live) return live.snapshot(depth);
    const market = await this.#market(symbol);
    const venueDepth = BOOK_DEPTHS.find((d) => d >= depth) ?? 500;
    const { result } = await this.#md.request({
      method: "POST",
      path: "/full/v1/book",
      endpoint: "full/v1/book",
      body: { instrument: market.venueSymbol, depth: venueDepth },
      idempotent: true,
      schema: bookResponseSchema,
    });
    const by = (a: { price: Decimal }, b: { price: Decimal }) => a.price.comparedTo(b.price);
    return {
      symbol,
      bids: result.bids.map(({ price, size }) => ({ price, size })).sort((a, b) => by(b, a))
        .slice(0, depth),
      asks: result.asks.map(({ price, size }) => ({ price, size })).sort(by).slice(0, depth),
      sequence: 0,
      timestamp: result.event_time ?? this.#clock.now(),
      stale: false,
    };
  }

  // ---------------------------------------------------------------- events

  /** Order, fill, position and connection events. */
  events(options?: { signal?: AbortSignal }): AsyncIterableIterator<ExchangeEvent> {
    return this.#hub.events(options);
  }

  /** Registers an event listener; returns the function that removes it. */
  onEvent(listener: (event: ExchangeEvent) => void): () => void {
    return this.#hub.onEvent(listener);
  }

  /** A fresh client order id in [2^63, 2^64 − 1]. */
  newClientOrderId(): string {
    return this.#newId();
  }

  #emitConnection(stream: string, e: WsStateEvent): void {
    this.#hub.emit({
      type: "connection",
      stream,
      state: e.state,
      ...(e.error ? { error: e.error } : {}),
    });
  }

  #onPrivateState(e: WsStateEvent): void {
    if (e.state === "reconnecting") {
      // The cookie may be what broke the connection: refresh it before the next handshake.
      this.#session?.ensure().catch(() => {});
    }
    this.#emitConnection("trading", e);
    if (e.state === "connected" && this.#connected) this.#reconcile();
  }

  #onPrivateGap(error: unknown): void {
    log.warn("GRVT private stream gap or bad frame: {error}", { error: String(error) });
    this.#reconcile();
  }

  /** Re-reads every tracked order that was still live and emits what changed. */
  #reconcile(): void {
    const live = [...this.#tracked.entries()].filter(([, t]) =>
      t.order.status === "pending" || t.order.status === "open" ||
      t.order.status === "partially_filled"
    );
    for (const [cid, t] of live) {
      this.#fetchOrder({ client_order_id: cid }).then((o) => {
        if (
          !o || (t.nonce !== undefined && o.signature?.nonce !== undefined &&
            o.signature.nonce !== t.nonce)
        ) return;
        const before = this.#tracked.get(cid)?.order;
        const after = this.#track(o).order;
        if (
          !before || before.status !== after.status || !before.filledSize.eq(after.filledSize)
        ) this.#hub.emit({ type: "order", order: after });
      }).catch((e) => log.warn("GRVT reconcile failed: {error}", { error: String(e) }));
    }
  }

  #onPrivateFeed(f: GrvtFeedFrame): void {
    // Snapshots are sequence 0; deltas count up by one (grvt.md §7.5).
    if (f.sequence_number !== 0) {
      const last = this.#privateSeq.get(f.stream);
      if (last !== undefined && f.sequence_number === last) return;
      if (last !== undefined && f.sequence_number !== last + 1) {
        this.#onPrivateGap(`${f.stream} gap`);
      }
      this.#privateSeq.set(f.stream, f.sequence_number);
    }
    try {
      switch (f.stream) {
        case "v1.order": {
          const o = parsePayload(orderSchema, f.feed, { venue: VENUE, endpoint: f.stream });
          if (!this.#marketOfInstrument(o.legs[0].instrument)) return;
          const { order } = this.#track(o);
          this.#hub.emit({ type: "order", order });
          break;
        }
        case "v1.fill": {
          const x = parsePayload(fillSchema, f.feed, { venue: VENUE, endpoint: f.stream });
          const fill = this.#toFill(x);
          if (!fill || this.#fillIds.has(fill.tradeId)) return;
          this.#fillIds.add(fill.tradeId);
          this.#fillOrder.push(fill.tradeId);
          if (this.#fillOrder.length > 10_000) this.#fillIds.delete(this.#fillOrder.shift()!);
          this.#hub.emit({ type: "fill", fill });
          break;
        }
        case "v1.position": {
          const p = parsePayload(positionSchema, f.feed, { venue: VENUE, endpoint: f.stream });
          const position = this.#toPosition(p);
          if (position) this.#hub.emit({ type: "position", position });
          break;
        }
      }
    } catch (e) {
      if (e instanceof MalformedPayloadError) this.#onPrivateGap(e.message);
      else throw e;
    }
  }

  // ---------------------------------------------------------------- mapping

  #track(o: WireOrder): Tracked {
    const order = this.#toOrder(o);
    const cid = order.clientOrderId;
    const prev = this.#tracked.get(cid);
    const nonce = o.signature?.nonce;
    const t: Tracked = {
      order,
      reason: o.state.reject_reason,
      nonce: nonce ?? prev?.nonce,
    };
    // An echo of `create_order` (order_id "0x00", PENDING) never overwrites a later state.
    if (!(prev && order.status === "pending" && prev.order.status !== "pending")) {
      this.#tracked.set(cid, t);
    }
    if (order.status !== "pending") {
      for (const w of [...(this.#waiters.get(cid) ?? [])]) w();
    }
    if (this.#tracked.size > 10_000) {
      for (const [k, v] of this.#tracked) {
        if (this.#tracked.size <= 5_000) break;
        if (!["pending", "open", "partially_filled"].includes(v.order.status)) {
          this.#tracked.delete(k);
        }
      }
    }
    return this.#tracked.get(cid) ?? t;
  }

  #toOrder(o: WireOrder): Order {
    const leg = o.legs[0];
    const market = this.#marketOfInstrument(leg.instrument);
    const size = leg.size;
    const filled = o.state.traded_size[0] ?? new Decimal(0);
    const booked = o.state.book_size[0] ?? new Decimal(0);
    const reason = grvtCancelReason(o.state.reject_reason);
    let status: OrderStatus;
    switch (o.state.status) {
      case "PENDING":
        status = "pending";
        break;
      case "OPEN":
        status = filled.gt(0) ? "partially_filled" : "open";
        break;
      case "FILLED":
        status = "filled";
        break;
      case "REJECTED":
        status = "rejected";
        break;
      default:
        status = reason === "expired" ? "expired" : "canceled";
    }
    const active = status === "open" || status === "partially_filled" || status === "pending";
    const avg = o.state.avg_fill_price[0];
    const price = leg.limit_price && leg.limit_price.gt(0) ? leg.limit_price : undefined;
    const created = o.metadata.create_time ?? o.state.update_time ?? this.#clock.now();
    return {
      venue: VENUE,
      symbol: market?.symbol ?? leg.instrument,
      id: o.order_id === "0x00" || o.order_id === "" ? undefined : o.order_id,
      clientOrderId: o.metadata.client_order_id,
      side: leg.is_buying_asset ? "buy" : "sell",
      type: o.is_market ? "market" : "limit",
      price,
      size,
      filledSize: filled,
      remainingSize: active ? (status === "pending" ? size.minus(filled) : booked) : new Decimal(0),
      averageFillPrice: filled.gt(0) && avg && avg.gt(0) ? avg : undefined,
      status,
      timeInForce: o.time_in_force === "IMMEDIATE_OR_CANCEL"
        ? "ioc"
        : o.time_in_force === "FILL_OR_KILL"
        ? "fok"
        : "gtc",
      postOnly: o.post_only ?? false,
      reduceOnly: o.reduce_only ?? false,
      ...(reason && !active && status !== "filled" ? { cancelReason: reason } : {}),
      createdAt: created,
      updatedAt: o.state.update_time ?? created,
    };
  }

  #toFill(x: z.output<typeof fillSchema>): Fill | undefined {
    const market = this.#marketOfInstrument(x.instrument);
    if (!market) return undefined;
    return {
      venue: VENUE,
      symbol: market.symbol,
      tradeId: x.trade_id,
      orderId: x.order_id && x.order_id !== "0x00" ? x.order_id : undefined,
      clientOrderId: x.client_order_id && x.client_order_id !== "0" ? x.client_order_id : undefined,
      side: x.is_buyer ? "buy" : "sell",
      price: x.price,
      size: x.size,
      fee: x.fee,
      liquidity: x.is_taker ? "taker" : "maker",
      timestamp: x.event_time,
    };
  }

  #toPosition(p: z.output<typeof positionSchema>): Position | undefined {
    const market = this.#marketOfInstrument(p.instrument);
    if (!market) return undefined;
    const liq = p.est_liquidation_price;
    return {
      venue: VENUE,
      symbol: market.symbol,
      size: p.size,
      entryPrice: p.entry_price,
      ...(p.mark_price ? { markPrice: p.mark_price } : {}),
      ...(p.unrealized_pnl ? { unrealizedPnl: p.unrealized_pnl } : {}),
      ...(liq && liq.gt(0) ? { liquidationPrice: liq } : {}),
    };
  }
}
