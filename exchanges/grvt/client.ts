/**
 * {@linkcode GRVTClient}: the GRVT implementation of `ExchangeClient`. This file holds the
 * class and its wiring; the parts live beside it:
 *
 * - `_orders.ts`: order placement through the shared workflow (`placeOrderWith`): checks,
 *   client order id, EIP-712 signature, `create_order`, outcome by lookup; and the tracking of
 *   orders by client order id (`create_order` answers `order_id "0x00"` and `PENDING`).
 * - `_book.ts`: live books from `v1.book.d` on the market-data socket, and the REST book.
 * - `_streams.ts`: the private stream (`v1.order`, `v1.fill`, `v1.position`).
 * - `_mapping.ts`: wire objects → unified orders, fills and positions.
 * - `stream.ts` (JSON-RPC socket), `markets.ts` (instruments, HTTP transport), `auth.ts`
 *   (session cookie), `schemas.ts`, `errors.ts`, `signing.ts`.
 *
 * Behaviour:
 * - Markets from `full/v1/instruments`; sizes and prices are checked against `min_size` and
 *   `tick_size` exactly, never rounded.
 * - Orders carry a client order id in [2^63, 2^64 − 1] (the range GRVT reserves for API
 *   clients, grvt.md §8.2) and are tracked by it. `placeOrder` waits (up to
 *   `confirmTimeoutMs`) for the outcome on `v1.order`, so a crossing post-only order is a
 *   `PostOnlyWouldCrossError`, not a silent cancel. A lost or unreadable answer is resolved by
 *   looking the order up by client order id until `outcomeDeadlineMs`, then
 *   `OrderOutcomeUnknownError`; an order is never sent twice. A market order is sent as a limit
 *   IOC (or FOK) at its worst price (GRVT market orders cannot carry a bound). No builder fee
 *   unless `builder` is given.
 * - Private REST and the trading WebSocket carry the session cookie and `X-Grvt-Account-Id`
 *   ({@linkcode GrvtSession}); a 401 logs in again and repeats the call once.
 * - Every answer, REST or stream, goes through a schema: an unreadable one is a
 *   `MalformedPayloadError` (REST) or a resync / REST reconciliation (streams).
 * - Both sockets ping every `heartbeatMs` and are dropped and reconnected after
 *   `idleTimeoutMs` without a frame; a live book reads `stale` after `maxSilenceMs`.
 * - Funding payments from `funding_payment_history` (paged by cursor, the venue's "positive =
 *   paid" turned into "positive = received"); GRVT streams none, so there is no `funding`
 *   event. Leverage is set with `set_initial_leverage` after a local check against
 *   `get_all_initial_leverage`. Positions carry what the venue reports of their risk.
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
  FundingPayment,
  Market,
  Order,
  OrderBookSubscription,
  OrderRef,
  OrderRequest,
  Position,
} from "../../base.ts";
import { randomClientOrderId } from "../_shared/client_order_id.ts";
import { systemClock } from "../_shared/clock.ts";
import { type Decimal, type DecimalInput, toDecimal } from "../../core/decimal.ts";
import { AuthenticationError, ConfigurationError, NotFoundError } from "../../core/errors.ts";
import { EventHub } from "../_shared/event_hub.ts";
import type { FetchLike, HttpTransport } from "../_shared/http.ts";
import { bestBidAskOf } from "../_shared/live_order_book.ts";
import type { WebSocketConstructor, WsReconnectOptions, WsStateEvent } from "../_shared/ws.ts";
import { GrvtSession, sessionHeaders } from "./auth.ts";
import {
  type GrvtConnectionOptions,
  grvtWsUrl,
  resolveGrvtConfig,
  resolveGrvtCredentials,
} from "./config.ts";
import { createGrvtTransport, type GrvtMarket, loadGrvtMarkets } from "./markets.ts";
import {
  accountSummaryResponseSchema,
  ackResponseSchema,
  fundingPaymentsResponseSchema,
  initialLeverageResponseSchema,
  orderResponseSchema,
  ordersResponseSchema,
  positionsResponseSchema,
  setLeverageResponseSchema,
} from "./schemas.ts";
import { createGrvtOrderSigner, type GrvtOrderSigner } from "./signing.ts";
import { fetchGrvtBook, GrvtBooks } from "./_book.ts";
import { toGrvtFundingPayment, toGrvtPosition, type WireOrder } from "./_mapping.ts";
import {
  DEFAULT_ORDER_LIFETIME_MS,
  GrvtOrderTracker,
  MAX_SIGNATURE_LIFETIME_MS,
  placeGrvtOrder,
} from "./_orders.ts";
import { GrvtPrivateStream } from "./_streams.ts";

const log = getLogger(["perp", "grvt"]);

const VENUE = "grvt";
/** Largest page of the history endpoints (grvt.md §2.6). */
const MAX_PAGE = 1000;
/** Pages read at most by one history call, so a cursor that never ends cannot loop forever. */
const MAX_PAGES = 1000;

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
  /**
   * Ms between the text `"ping"` frames on both sockets; the venue answers each one
   * (grvt.md §7.1). @default {3_000}
   */
  heartbeatMs?: number;
  /**
   * Ms without any frame after which a socket is dropped and reconnected with its
   * subscriptions (the private stream then reports `reconnecting`). Must exceed
   * `heartbeatMs`. @default {10_000}, as GRVT's JS client
   */
  idleTimeoutMs?: number;
  /**
   * Ms without any frame on the market-data socket after which a live book reads `stale`.
   * A healthy socket answers every ping, so a silence longer than a heartbeat or two means a
   * dead feed. @default {5_000}
   */
  maxSilenceMs?: number;
  /** How long `placeOrder` waits for an order to leave `PENDING`, in ms. @default {10_000} */
  confirmTimeoutMs?: number;
  /**
   * Longest time spent resolving a create whose answer was lost or unreadable, by lookups,
   * before `OrderOutcomeUnknownError`. @default {30_000}
   */
  outcomeDeadlineMs?: number;
  /**
   * Fraction of the best opposite price a market order without `worstPrice` may trade beyond
   * it (sent as a limit IOC at that bound). @default {"0.05"}
   */
  slippage?: string;
  /**
   * Signature lifetime of GTC orders, which is also their expiry on GRVT; at most 30 days.
   * @default {30 days − 1 hour}
   */
  orderLifetimeMs?: number;
  /** A builder to pay a fee to, signed into every order. @default {none} */
  builder?: { address: string; fee: DecimalInput };
  /** Client order id generator. @default {random ids in [2^63, 2^64 − 1]} */
  newClientOrderId?: () => string;
  /**
   * Market data only: no credentials are read, `connect()` loads the markets without logging
   * in or opening the trading socket (books open the market-data socket when subscribed), and
   * every private call (orders, account, positions, funding payments, leverage) throws a
   * `ConfigurationError` naming the credential variables, before any request. @default {false}
   */
  publicOnly?: boolean;
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
  readonly #tracker: GrvtOrderTracker;
  readonly #books: GrvtBooks;
  readonly #heartbeatMs: number;
  readonly #idleTimeoutMs: number;
  #trades: HttpTransport | undefined;
  #session: GrvtSession | undefined;
  #signer: GrvtOrderSigner | undefined;
  #account = "";
  #markets: Map<string, GrvtMarket> | undefined;
  #marketsLoading: Promise<Map<string, GrvtMarket>> | undefined;
  #hub = new EventHub<ExchangeEvent>();
  #private: GrvtPrivateStream | undefined;
  #wsHeaders = new Headers();
  #connecting: Promise<void> | undefined;
  #connected = false;
  #unsubscribeSession: (() => void) | undefined;
  #reconciling: Promise<void> | undefined;
  #reconcileAgain = false;
  /** Leverage range per instrument from `get_all_initial_leverage`, once read. */
  #leverageLimits: Map<string, { min: Decimal; max: Decimal }> | undefined;

  /**
   * Creates a client. Nothing is sent until {@linkcode GRVTClient.connect} (or a first call).
   *
   * @param options Environment, credentials, clock and behaviour.
   * @throws {ConfigurationError} If the environment is unknown, `sim` lacks its hosts, or a
   * duration is out of range.
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
    if (!(lifetime > 0 && lifetime <= MAX_SIGNATURE_LIFETIME_MS)) {
      throw this.#badOption("orderLifetimeMs", "must be within (0, 30 days]", lifetime);
    }
    this.#heartbeatMs = options.heartbeatMs ?? 3_000;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 10_000;
    const maxSilenceMs = options.maxSilenceMs ?? 5_000;
    if (!(this.#heartbeatMs > 0)) {
      throw this.#badOption("heartbeatMs", "must be positive", this.#heartbeatMs);
    }
    if (!(this.#idleTimeoutMs > this.#heartbeatMs)) {
      throw this.#badOption(
        "idleTimeoutMs",
        `must exceed 'heartbeatMs' (${this.#heartbeatMs}): a healthy socket is silent until the next ping's answer`,
        this.#idleTimeoutMs,
      );
    }
    if (!(maxSilenceMs > 0)) {
      throw this.#badOption("maxSilenceMs", "must be positive", maxSilenceMs);
    }
    toDecimal(options.slippage ?? "0.05", "slippage");
    this.#tracker = new GrvtOrderTracker(this.#clock, (i) => this.#marketOfInstrument(i));
    this.#books = new GrvtBooks({
      url: grvtWsUrl(this.#hosts.marketDataUrl),
      clock: this.#clock,
      WebSocket: options.WebSocket,
      reconnect: options.reconnect,
      idleTimeoutMs: this.#idleTimeoutMs,
      heartbeatMs: this.#heartbeatMs,
      maxSilenceMs,
      onState: (e) => this.#emitConnection("market-data", e),
    });
  }

  #badOption(name: string, rule: string, value: unknown): ConfigurationError {
    return new ConfigurationError(
      `Cannot create the grvt client as '${name}' ${rule}: current value is ${String(value)}`,
      { venue: VENUE },
    );
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
    if (this.#options.publicOnly) {
      if (this.#hub.closed) this.#hub = new EventHub<ExchangeEvent>();
      await this.#loadMarkets(signal);
      this.#connected = true;
      return;
    }
    this.#ensureTrading();
    if (this.#hub.closed) this.#hub = new EventHub<ExchangeEvent>();
    await this.#loadMarkets(signal);
    await this.#session!.ensure({ signal });
    this.#session!.startRefresh();
    const stream = this.#private ??= new GrvtPrivateStream({
      url: grvtWsUrl(this.#hosts.tradesUrl),
      headers: this.#wsHeaders,
      clock: this.#clock,
      WebSocket: this.#options.WebSocket,
      reconnect: this.#options.reconnect,
      idleTimeoutMs: this.#idleTimeoutMs,
      heartbeatMs: this.#heartbeatMs,
      tracker: this.#tracker,
      hub: () => this.#hub,
      onState: (e) => this.#onPrivateState(e),
      reconcile: (why) => this.#reconcile(why),
    });
    await stream.open(this.#account);
    this.#connected = true;
  }

  /** Closes every stream and book and stops the session refresh. Idempotent. */
  async disconnect(): Promise<void> {
    this.#connected = false;
    this.#session?.stopRefresh();
    this.#unsubscribeSession?.();
    this.#unsubscribeSession = undefined;
    const priv = this.#private;
    this.#private = undefined;
    await Promise.all([this.#books.close(), priv?.close()]);
    this.#tracker.wakeAll();
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
    if (o.publicOnly) {
      throw new ConfigurationError(
        "The grvt client is public-only (market data): orders and account reads need " +
          "GRVT_API_KEY, GRVT_PRIVATE_KEY and GRVT_TRADING_ACCOUNT_ID",
        { venue: VENUE },
      );
    }
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
    body: unknown,
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

  // ---------------------------------------------------------------- orders

  /**
   * Places an order once, whatever happens to the answer, and waits for its outcome. A
   * market order is sent as a limit IOC (or FOK) at `worstPrice` (by default the best opposite
   * price moved by `slippage`).
   *
   * @param request The order.
   * @returns The order as the venue reports it (`open`, `filled`, … or still `pending` if no
   * outcome arrived within `confirmTimeoutMs`).
   * @throws {InvalidOrderError} If size or price break the market's rules.
   * @throws {PostOnlyWouldCrossError} If a post-only order would have crossed.
   * @throws {OrderRejectedError} For any other refusal.
   * @throws {OrderOutcomeUnknownError} If the answer was lost and lookups could not tell
   * within `outcomeDeadlineMs` whether the order exists.
   */
  async placeOrder(request: OrderRequest): Promise<Order> {
    this.#ensureTrading();
    await this.#loadMarkets();
    const o = this.#options;
    return await placeGrvtOrder({
      clock: this.#clock,
      account: this.#account,
      signer: this.#signer!,
      tracker: this.#tracker,
      market: (symbol) => this.#market(symbol),
      newClientOrderId: this.#newId,
      book: (symbol) => this.getOrderBook(symbol, 1),
      createOrder: (body) =>
        this.#privateCall("full/v1/create_order", body, orderResponseSchema, {
          idempotent: false,
        }),
      fetchOrder: (ref) => this.#fetchOrder(ref),
      connected: () => this.#connected,
      orderLifetimeMs: o.orderLifetimeMs ?? DEFAULT_ORDER_LIFETIME_MS,
      builder: o.builder,
      slippage: toDecimal(o.slippage ?? "0.05", "slippage"),
      confirmTimeoutMs: o.confirmTimeoutMs ?? 10_000,
      outcomeDeadlineMs: o.outcomeDeadlineMs,
    }, request);
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
    this.#ensureTrading();
    const found = await this.#fetchOrder(
      ref.id !== undefined ? { order_id: ref.id } : { client_order_id: ref.clientOrderId! },
    );
    if (!found || found.legs[0].instrument !== market.venueSymbol) return undefined;
    return this.#tracker.track(found).order;
  }

  /**
   * Active orders, of one market if given.
   *
   * @param symbol Unified symbol. @default {every market}
   * @returns The orders.
   */
  async getOpenOrders(symbol?: string): Promise<Order[]> {
    const market = symbol === undefined
      ? (await this.#loadMarkets(), undefined)
      : await this.#market(symbol);
    const { result } = await this.#privateCall(
      "full/v1/open_orders",
      { sub_account_id: this.#accountId(), ...this.#filter(market) },
      ordersResponseSchema,
    );
    return result
      .filter((o) => !market || o.legs[0].instrument === market.venueSymbol)
      .filter((o) => this.#marketOfInstrument(o.legs[0].instrument))
      .map((o) => this.#tracker.track(o).order);
  }

  /**
   * Equity and available balance from `account_summary`, and the margin ratio
   * `maintenance_margin / total_equity` when the venue reports both and equity is positive
   * (the account is liquidated when equity falls below its maintenance margin).
   */
  async getBalance(): Promise<Balance> {
    const { result } = await this.#privateCall(
      "full/v1/account_summary",
      { sub_account_id: this.#accountId() },
      accountSummaryResponseSchema,
    );
    const mm = result.maintenance_margin;
    const equity = result.total_equity;
    return {
      venue: VENUE,
      asset: result.settle_currency ?? "USDT",
      equity,
      available: result.available_balance,
      unrealizedPnl: result.unrealized_pnl,
      ...(mm !== undefined && equity.gt(0) ? { marginRatio: mm.div(equity) } : {}),
    };
  }

  /**
   * Open positions with signed size, entry, mark, unrealized PnL and what the venue reports
   * of their risk: `est_liquidation_price`, the market's `leverage`, the funding realized so
   * far (`cumulative_realized_funding_payment`, turned to positive = received) and, for
   * isolated positions only, `isolated_im` / `isolated_mm` as margin used / maintenance.
   */
  async getPositions(): Promise<Position[]> {
    await this.#loadMarkets();
    const { result } = await this.#privateCall(
      "full/v1/positions",
      { sub_account_id: this.#accountId(), kind: ["PERPETUAL"] },
      positionsResponseSchema,
    );
    return result
      .filter((p) => !p.size.isZero())
      .map((p) => toGrvtPosition(p, this.#tracker.mapping))
      .filter((p): p is Position => p !== undefined);
  }

  #accountId(): string {
    this.#ensureTrading();
    return this.#account;
  }

  // ---------------------------------------------------------------- funding and leverage

  /**
   * Funding payments of the account from `full/v1/funding_payment_history`, oldest first.
   * GRVT pages newest first from `end_time`; the pages are followed by their cursor until
   * `start`, the end of the history or `limit` payments (the newest ones). Amounts are
   * positive when the account received (the venue's sign is the opposite); GRVT's rows carry
   * neither the rate nor the position size. GRVT does not stream funding payments, so no
   * `funding` event is emitted: read them here after each settlement.
   *
   * @param options `symbol` (unified), `start` / `end` (ms, inclusive), `limit` (newest
   * payments kept). @default {every market, the whole history}
   * @returns The payments, without duplicates (by instrument and `tx_id`).
   * @throws {ConfigurationError} If `limit` is not a positive integer or a time is invalid.
   * @throws {NotFoundError} For an unknown symbol.
   * @throws {MalformedPayloadError} If a page does not match the schema.
   */
  async getFundingPayments(
    options: { symbol?: string; start?: number; end?: number; limit?: number } = {},
  ): Promise<FundingPayment[]> {
    const { start, end, limit } = options;
    for (const [name, v] of [["start", start], ["end", end]] as const) {
      if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0)) {
        throw this.#badArgument("getFundingPayments", name, "must be a time in ms", v);
      }
    }
    if (start !== undefined && end !== undefined && start > end) {
      throw this.#badArgument(
        "getFundingPayments",
        "start",
        `must not exceed 'end' (${end})`,
        start,
      );
    }
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) {
      throw this.#badArgument("getFundingPayments", "limit", "must be a positive integer", limit);
    }
    await this.#loadMarkets();
    const market = options.symbol === undefined ? undefined : await this.#market(options.symbol);
    const want = limit ?? Infinity;
    const seen = new Set<string>();
    const out: FundingPayment[] = [];
    let cursor = "";
    for (let page = 0; page < MAX_PAGES && out.length < want; page++) {
      const body: Record<string, unknown> = {
        sub_account_id: this.#accountId(),
        ...(market ? { instrument: market.venueSymbol } : { kind: ["PERPETUAL"] }),
        ...(start !== undefined ? { start_time: msToNs(start) } : {}),
        ...(end !== undefined ? { end_time: msToNs(end) } : {}),
        limit: Math.min(MAX_PAGE, want - out.length),
        cursor,
      };
      const { result, next } = await this.#privateCall(
        "full/v1/funding_payment_history",
        body,
        fundingPaymentsResponseSchema,
      );
      for (const row of result) {
        const p = toGrvtFundingPayment(row, this.#tracker.mapping);
        if (!p || (market && p.symbol !== market.symbol) || seen.has(p.id!)) continue;
        if ((start !== undefined && p.time < start) || (end !== undefined && p.time > end)) {
          continue;
        }
        seen.add(p.id!);
        out.push(p);
        if (out.length >= want) break;
      }
      if (!next || next === cursor || result.length === 0) break;
      cursor = next;
    }
    return out.sort((a, b) => a.time - b.time);
  }

  /**
   * Sets the initial leverage of a market (`full/v1/set_initial_leverage`). The value is
   * checked first against the range the account may set (`min_leverage` / `max_leverage` of
   * `get_all_initial_leverage`, read once; they also fill `Market.maxLeverage`).
   *
   * @param symbol Unified symbol.
   * @param leverage A positive integer within the market's range.
   * @throws {ConfigurationError} If the leverage is not a positive integer, is outside the
   * range (the message names it), or the venue refuses it (code 2100).
   * @throws {NotFoundError} For an unknown symbol.
   */
  async setLeverage(symbol: string, leverage: number): Promise<void> {
    if (!(Number.isSafeInteger(leverage) && leverage > 0)) {
      throw this.#badArgument("setLeverage", "leverage", "must be a positive integer", leverage);
    }
    const market = await this.#market(symbol);
    const range = (await this.#leverageRange()).get(market.venueSymbol);
    if (range && (range.min.gt(leverage) || range.max.lt(leverage))) {
      throw this.#badArgument(
        "setLeverage",
        "leverage",
        `must be within [${range.min}, ${range.max}] on ${market.venueSymbol}`,
        leverage,
      );
    }
    const { success } = await this.#privateCall(
      "full/v1/set_initial_leverage",
      {
        sub_account_id: this.#accountId(),
        instrument: market.venueSymbol,
        leverage: String(leverage),
      },
      setLeverageResponseSchema,
    );
    if (!success) {
      throw new ConfigurationError(
        `GRVT did not set the leverage of ${market.venueSymbol} to ${leverage} ('success' is false)`,
        { venue: VENUE, endpoint: "full/v1/set_initial_leverage" },
      );
    }
  }

  async #leverageRange(): Promise<Map<string, { min: Decimal; max: Decimal }>> {
    if (this.#leverageLimits) return this.#leverageLimits;
    const { results } = await this.#privateCall(
      "full/v1/get_all_initial_leverage",
      { sub_account_id: this.#accountId() },
      initialLeverageResponseSchema,
    );
    const limits = new Map<string, { min: Decimal; max: Decimal }>();
    for (const r of results) {
      limits.set(r.instrument, { min: r.min_leverage, max: r.max_leverage });
      const m = this.#marketOfInstrument(r.instrument);
      if (m) m.maxLeverage = r.max_leverage;
    }
    this.#leverageLimits = limits;
    return limits;
  }

  #badArgument(method: string, name: string, rule: string, value: unknown): ConfigurationError {
    return new ConfigurationError(
      `Cannot ${method} on grvt as '${name}' ${rule}: current value is ${String(value)}`,
      { venue: VENUE },
    );
  }

  // ---------------------------------------------------------------- books

  /**
   * A live book from `v1.book.d`, shared with other subscriptions of the same market. It
   * reads `stale` while it awaits a snapshot and after `maxSilenceMs` without a frame.
   *
   * @param symbol Unified symbol.
   * @returns The subscription; close it when done.
   */
  async subscribeOrderBook(symbol: string): Promise<OrderBookSubscription> {
    return await this.#books.subscribe(await this.#market(symbol));
  }

  /**
   * Best bid and ask: from a fresh live book, else from `full/v1/book`.
   *
   * @param symbol Unified symbol.
   * @returns The quote.
   * @throws {NotFoundError} If a side is empty.
   */
  async getBestBidAsk(symbol: string): Promise<BestBidAsk> {
    const live = this.#books.live(symbol);
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
    const live = this.#books.live(symbol);
    if (live) return live.snapshot(depth);
    return await fetchGrvtBook(this.#md, await this.#market(symbol), depth, this.#clock);
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
    if (e.state === "connected" && this.#connected) this.#reconcile("reconnected");
  }

  /**
   * Re-reads over REST what the private stream may have lost (after a gap, an unreadable
   * frame or a reconnection): every tracked order that was still live, and the positions;
   * emits what changed or was re-read. Requests during a running pass are coalesced into one
   * more pass, so a burst of bad frames costs two passes, not one per frame.
   */
  #reconcile(why: string): void {
    log.info("GRVT reconciling over REST: {why}", { why });
    if (this.#reconciling) {
      this.#reconcileAgain = true;
      return;
    }
    this.#reconciling = this.#reconcilePass().finally(() => {
      this.#reconciling = undefined;
      if (this.#reconcileAgain && this.#connected) {
        this.#reconcileAgain = false;
        this.#reconcile("coalesced");
      }
    });
  }

  async #reconcilePass(): Promise<void> {
    const orders = this.#tracker.live().map(async ([cid, t]) => {
      try {
        const o = await this.#fetchOrder({ client_order_id: cid });
        if (
          !o || (t.nonce !== undefined && o.signature?.nonce !== undefined &&
            o.signature.nonce !== t.nonce)
        ) return;
        const before = this.#tracker.get(cid)?.order;
        const after = this.#tracker.track(o).order;
        if (
          !before || before.status !== after.status || !before.filledSize.eq(after.filledSize)
        ) this.#hub.emit({ type: "order", order: after });
      } catch (e) {
        log.warn("GRVT reconcile failed: {error}", { error: String(e) });
      }
    });
    const positions = this.getPositions().then((positions) => {
      for (const position of positions) this.#hub.emit({ type: "position", position });
    }).catch((e) => log.warn("GRVT position reconcile failed: {error}", { error: String(e) }));
    await Promise.all([...orders, positions]);
  }
}

/** Unix ms as the nanosecond digit string GRVT takes for times (grvt.md §2.3). */
function msToNs(ms: number): string {
  return (BigInt(ms) * 1_000_000n).toString();
}
