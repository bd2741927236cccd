/**
 * {@linkcode LighterClient}: the `ExchangeClient` for Lighter over its REST API and WebSocket
 * stream, signing with the package's pure-TypeScript signer.
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
  Order,
  OrderBookSubscription,
  OrderRef,
  OrderRequest,
  Position,
} from "../../base.ts";
import { isValidClientOrderId, randomClientOrderId } from "../_shared/client_order_id.ts";
import { systemClock } from "../_shared/clock.ts";
import { Decimal, toDecimal } from "../../core/decimal.ts";
import {
  ConfigurationError,
  DuplicateClientOrderIdError,
  InsufficientMarginError,
  MalformedPayloadError,
  NotFoundError,
  OrderRejectedError,
  PostOnlyWouldCrossError,
} from "../../core/errors.ts";
import { EventHub } from "../_shared/event_hub.ts";
import { createHttpTransport, type HttpTransport, type Query } from "../_shared/http.ts";
import { bestBidAskOf, LiveOrderBook } from "../_shared/live_order_book.ts";
import { parsePayload } from "../_shared/parse.ts";
import { placeOnce } from "../_shared/place_once.ts";
import { quantize } from "../_shared/quantize.ts";
import { createWsTransport, type WsTransport } from "../_shared/ws.ts";
import { LighterSigner } from "./signer/lighter_signer.ts";
import type { CreateOrderParams, SignedTx } from "./signer/transactions.ts";
import { toFill, toOrder, toPosition } from "./_mapping.ts";
import { LIGHTER_ALL, LIGHTER_ENVIRONMENTS, LIGHTER_ORDER_EXPIRY } from "./common.ts";
import { type LighterCredentials, lighterCredentialsFromEnv } from "./credentials.ts";
import { mapLighterError } from "./errors.ts";
import { encodePrice, encodeSize, type LighterMarket, marketFromDetail } from "./markets.ts";
import { LighterNonceManager } from "./nonce.ts";
import {
  accountAllFrameSchema,
  accountOrdersFrameSchema,
  accountSchema,
  type LighterOrder,
  nextNonceSchema,
  orderBookDetailsSchema,
  orderBookFrameSchema,
  orderBookOrdersSchema,
  ordersSchema,
  sendTxSchema,
  subAccountsSchema,
} from "./schemas.ts";

const log = getLogger(["perp", "lighter"]);

/** Transactions are valid for 10 minutes minus a second, like the official signer's default. */
const TX_VALIDITY_MS = 10 * 60_000 - 1_000;
const MAX_SEEN_TRADES = 10_000;

/**
 * Options of {@linkcode LighterClient}.
 *
 * @example
 * ```ts
 * import type { LighterClientOptions } from "./client.ts";
 * const o: LighterClientOptions = { network: "testnet", slippage: "0.01" };
 * ```
 */
export interface LighterClientOptions {
  /** Network whose hosts and chain id to use. @default {"mainnet"} */
  network?: "mainnet" | "testnet";
  /** REST base URL. @default {the network's} */
  restUrl?: string;
  /** WebSocket URL (`…/stream`). @default {the network's} */
  wsUrl?: string;
  /** Chain id signed into every transaction. @default {the network's: 304 mainnet, 300 testnet} */
  chainId?: number;
  /**
   * API key, account and API key index. @default {from the environment:
   * LIGHTER_API_KEY_PRIVATE_KEY, LIGHTER_ACCOUNT_INDEX or LIGHTER_L1_ADDRESS, LIGHTER_API_KEY_INDEX}
   */
  credentials?: LighterCredentials;
  /** Reads environment variables. @default {Deno.env.get} */
  env?: (name: string) => string | undefined;
  /** Worst-price distance of market orders without `worstPrice`, as a fraction. @default {"0.05"} */
  slippage?: string;
  /** How long `placeOrder` waits for the venue to report the new order, in ms. @default {3000} */
  ackTimeoutMs?: number;
  /** Lifetime of the auth tokens for private channels and reads, in ms (≤ 8 h). @default {3_600_000} */
  authTokenLifetimeMs?: number;
  /** Interval of the `{"type":"ping"}` keepalive, in ms (the venue drops idle sockets after ~2 min). @default {30_000} */
  pingIntervalMs?: number;
  /** REST timeout per attempt, in ms. @default {10_000} */
  timeoutMs?: number;
  /** Clock for waits and expiries. @default {systemClock} */
  clock?: Clock;
  /** `fetch` to use. @default {globalThis.fetch} */
  fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** WebSocket constructor. @default {globalThis.WebSocket} */
  WebSocket?: new (url: string, protocols?: string | string[]) => WebSocket;
  /** WebSocket reconnect backoff: first delay, in ms. @default {500} */
  reconnectDelayMs?: number;
}

interface AckWaiter {
  resolve: (order: LighterOrder) => void;
}

/**
 * The Lighter trading client.
 *
 * Markets come from `orderBookDetails`; prices and sizes are encoded as exact integers with
 * the market's decimals (an off-grid value is an `InvalidOrderError`). Transactions are signed
 * with the API key, sent as form fields to `POST /api/v1/sendTx`, with nonces per (account,
 * API key) fetched once and incremented locally. Order and fill events come from the private
 * `account_orders` / `account_all` channels, authenticated with a token refreshed before it
 * expires; order books from `order_book/{market}`, resubscribed on any `begin_nonce` gap.
 * No integrator (builder) fee is ever attached.
 *
 * @example Place a post-only order on the testnet (needs credentials and the network)
 * ```ts ignore
 * import { LighterClient } from "./client.ts";
 *
 * await using client = new LighterClient({ network: "testnet" }); // credentials from the env
 * await client.connect();
 * const order = await client.placeOrder({
 *   symbol: "ETH", side: "buy", type: "limit", size: "0.01", price: "2000", postOnly: true,
 * });
 * await client.cancelOrder("ETH", { clientOrderId: order.clientOrderId });
 * ```
 */
export class LighterClient implements ExchangeClient {
  /** Venue name. */
  readonly venue = "lighter" as const;
  readonly #options: LighterClientOptions;
  readonly #clock: Clock;
  readonly #http: HttpTransport;
  readonly #wsUrl: string;
  readonly #chainId: number;
  readonly #slippage: Decimal;
  #credentials: LighterCredentials | undefined;
  #credentialsError: unknown;
  #signer: LighterSigner | undefined;
  #nonces: LighterNonceManager | undefined;
  #markets: Map<string, LighterMarket> | undefined;
  #marketsById = new Map<number, LighterMarket>();
  #loading: Promise<void> | undefined;
  #ws: WsTransport | undefined;
  #hub = new EventHub<ExchangeEvent>();
  #books = new Map<number, LiveOrderBook>();
  #waiters = new Map<number, Set<AckWaiter>>();
  #seenTrades = new Set<string>();
  #token: { value: string; expiresAt: number } | undefined;
  #connected = false;
  #privateChannels = new Set<string>();
  #ackListeners = new Set<(channel: string) => void>();

  /**
   * Creates a client; nothing is sent until the first call.
   *
   * @param options Network, credentials, behaviour and injectables.
   * @throws {ConfigurationError} When a URL or option is invalid.
   */
  constructor(options: LighterClientOptions = {}) {
    this.#options = options;
    const env = LIGHTER_ENVIRONMENTS[options.network ?? "mainnet"];
    if (!env) {
      throw new ConfigurationError(
        `Cannot create the Lighter client as 'network' must be mainnet or testnet: current value is ${options.network}`,
        { venue: "lighter" },
      );
    }
    this.#clock = options.clock ?? systemClock;
    this.#chainId = options.chainId ?? env.chainId;
    this.#wsUrl = options.wsUrl ?? env.wsUrl;
    this.#slippage = toDecimal(options.slippage ?? "0.05", "slippage");
    this.#http = createHttpTransport({
      venue: "lighter",
      baseUrl: options.restUrl ?? env.restUrl,
      clock: this.#clock,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      mapError: mapLighterError,
    });
    try {
      this.#credentials = options.credentials ?? lighterCredentialsFromEnv(options.env);
    } catch (e) {
      this.#credentialsError = e;
    }
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Loads markets, resolves the account, and opens the WebSocket with the private channels
   * (when credentials are set). Idempotent.
   *
   * @param options `signal` aborts the connection attempt.
   * @throws {ConfigurationError} When credentials are invalid.
   */
  async connect(options: { signal?: AbortSignal } = {}): Promise<void> {
    // Missing credentials are named before any request: offline, a request would only retry.
    if (this.#credentialsError) throw this.#credentialsError;
    await this.#loadMarkets();
    if (this.#connected) return;
    if (this.#hub.closed) this.#hub = new EventHub<ExchangeEvent>();
    const ws = this.#socket();
    if (this.#credentials) {
      const signer = await this.#ensureSigner();
      for (const m of this.#marketsById.values()) {
        this.#privateSubscribe(ws, `account_orders/${m.marketIndex}/${signer.accountIndex}`);
      }
      this.#privateSubscribe(ws, `account_all/${signer.accountIndex}`);
    }
    await ws.connect(options);
    this.#connected = true;
    this.#hub.emit({ type: "connection", stream: "lighter", state: "connected" });
  }

  /** Closes the WebSocket, every book and the event streams. Idempotent. */
  async disconnect(): Promise<void> {
    const ws = this.#ws;
    this.#ws = undefined;
    this.#connected = false;
    for (const b of [...this.#books.values()]) await b.close();
    this.#books.clear();
    await ws?.close();
    if (!this.#hub.closed) {
      this.#hub.emit({ type: "connection", stream: "lighter", state: "disconnected" });
      this.#hub.close();
    }
  }

  /** Same as `disconnect()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }

  #socket(): WsTransport {
    if (this.#ws) return this.#ws;
    const ws = createWsTransport({
      venue: "lighter",
      url: this.#wsUrl,
      clock: this.#clock,
      WebSocket: this.#options.WebSocket,
      heartbeat: {
        intervalMs: this.#options.pingIntervalMs ?? 30_000,
        message: () => ({ type: "ping" }),
      },
      reconnect: { baseDelayMs: this.#options.reconnectDelayMs ?? 500 },
      // Fresh tokens for the private channels before they are re-sent on a reconnect.
      onOpen: async (t, ctx) => {
        if (!ctx.firstConnection && this.#credentials) {
          const signer = await this.#ensureSigner();
          for (const m of this.#marketsById.values()) {
            this.#privateSubscribe(t, `account_orders/${m.marketIndex}/${signer.accountIndex}`);
          }
          this.#privateSubscribe(t, `account_all/${signer.accountIndex}`);
        }
      },
    });
    ws.onMessage((m) => {
      if (m.json) this.#onFrame(m.data);
    });
    ws.onStateChange((e) => {
      if (this.#ws !== ws) return; // disconnect() reports its own end
      if (e.state === "reconnecting") {
        for (const b of this.#books.values()) b.markStale();
      }
      if (e.state === "connected" && this.#connected) {
        // Back only once the private channels answered: events until then may be missed.
        this.#awaitPrivateAcks().then(() =>
          this.#hub.emit({ type: "connection", stream: "lighter", state: "connected" })
        );
        return;
      }
      if (e.state !== "connected") {
        this.#hub.emit({
          type: "connection",
          stream: "lighter",
          state: e.state,
          ...(e.error ? { error: e.error } : {}),
        });
      }
    });
    this.#ws = ws;
    return ws;
  }

  #privateSubscribe(ws: WsTransport, channel: string): void {
    this.#privateChannels.add(channel);
    ws.subscribe({ type: "subscribe", channel, auth: this.#authToken() }, { key: channel });
  }

  /** Resolves once every private channel sent its `subscribed/…` frame, or after 5 s. */
  #awaitPrivateAcks(): Promise<void> {
    const waiting = new Set([...this.#privateChannels].map((c) => c.replaceAll("/", ":")));
    if (waiting.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const stop = new AbortController();
      const done = () => {
        stop.abort();
        this.#ackListeners.delete(onAck);
        resolve();
      };
      const onAck = (channel: string) => {
        waiting.delete(channel);
        if (waiting.size === 0) done();
      };
      this.#ackListeners.add(onAck);
      this.#clock.sleep(5_000, stop.signal).then(done, () => {});
    });
  }

  // ------------------------------------------------------------------ credentials

  #creds(): LighterCredentials {
    if (this.#credentialsError) throw this.#credentialsError;
    if (!this.#credentials) {
      throw new ConfigurationError(
        "Missing Lighter credentials: pass 'credentials' or set LIGHTER_API_KEY_PRIVATE_KEY, LIGHTER_ACCOUNT_INDEX (or LIGHTER_L1_ADDRESS) and LIGHTER_API_KEY_INDEX",
        { venue: "lighter" },
      );
    }
    return this.#credentials;
  }

  async #ensureSigner(): Promise<LighterSigner> {
    if (this.#signer) return this.#signer;
    const c = this.#creds();
    const accountIndex = c.accountIndex ?? await this.#lookupAccountIndex(c.l1Address);
    this.#signer ??= new LighterSigner({
      privateKey: c.apiKeyPrivateKey,
      accountIndex,
      apiKeyIndex: c.apiKeyIndex,
      chainId: this.#chainId,
      now: () => this.#clock.now(),
    });
    const signer = this.#signer;
    this.#nonces ??= new LighterNonceManager(async () =>
      (await this.#get(
        "/api/v1/nextNonce",
        { account_index: signer.accountIndex, api_key_index: signer.apiKeyIndex },
        nextNonceSchema,
      )).nonce
    );
    return signer;
  }

  async #lookupAccountIndex(l1Address: string | undefined): Promise<number> {
    if (!l1Address) {
      throw new ConfigurationError(
        "Missing Lighter account: set 'accountIndex' or 'l1Address' (LIGHTER_ACCOUNT_INDEX / LIGHTER_L1_ADDRESS)",
        { venue: "lighter" },
      );
    }
    const r = await this.#get(
      "/api/v1/accountsByL1Address",
      { l1_address: l1Address },
      subAccountsSchema,
    );
    // Master accounts are below 2^47; sub-accounts above (lighter.md §3.1).
    const masters = r.sub_accounts.map((a) => a.index).filter((i) => i < 2 ** 47).sort((a, b) =>
      a - b
    );
    if (masters.length === 0) {
      throw new ConfigurationError(
        `No Lighter account belongs to ${l1Address}: deposit first, or set LIGHTER_ACCOUNT_INDEX`,
        { venue: "lighter" },
      );
    }
    return masters[0];
  }

  #authToken(): string {
    const signer = this.#signer;
    if (!signer) throw new ConfigurationError("Lighter signer not ready", { venue: "lighter" });
    const now = this.#clock.now();
    const lifetime = Math.min(this.#options.authTokenLifetimeMs ?? 3_600_000, 8 * 3_600_000);
    // Refresh once less than a fifth of the lifetime is left, long before the venue refuses it.
    if (!this.#token || this.#token.expiresAt - now < lifetime / 5) {
      const deadline = Math.floor((now + lifetime) / 1000);
      this.#token = { value: signer.createAuthToken({ deadline }), expiresAt: deadline * 1000 };
    }
    return this.#token.value;
  }

  // ------------------------------------------------------------------ REST helpers

  #get<S extends z.ZodType>(
    path: string,
    query: Query,
    schema: S,
    auth = false,
  ): Promise<z.output<S>> {
    return this.#http.request({
      method: "GET",
      path,
      query,
      schema,
      ...(auth ? { headers: { authorization: this.#authToken() } } : {}),
    });
  }

  async #sendTx(tx: SignedTx): Promise<string> {
    const form = new FormData();
    form.set("tx_type", String(tx.txType));
    form.set("tx_info", tx.txInfo);
    form.set("price_protection", "true");
    const r = await this.#http.request({
      method: "POST",
      path: "/api/v1/sendTx",
      body: form,
      schema: sendTxSchema,
      idempotent: false,
    });
    return r.tx_hash;
  }

  // ------------------------------------------------------------------ markets

  #loadMarkets(): Promise<void> {
    if (this.#markets) return Promise.resolve();
    this.#loading ??= (async () => {
      const r = await this.#get(
        "/api/v1/orderBookDetails",
        { market_id: LIGHTER_ALL, filter: "perp" },
        orderBookDetailsSchema,
      );
      const map = new Map<string, LighterMarket>();
      for (const d of r.order_book_details) {
        if (d.market_type !== undefined && d.market_type !== "perp") continue;
        if (d.status !== "active") continue;
        const m = marketFromDetail(d);
        map.set(m.symbol, m);
        this.#marketsById.set(m.marketIndex, m);
      }
      this.#markets = map;
    })().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  /** Every active perpetual market. */
  async getMarkets(): Promise<LighterMarket[]> {
    await this.#loadMarkets();
    return [...this.#markets!.values()];
  }

  /**
   * One market.
   *
   * @param symbol Unified symbol (the venue's, e.g. `"ETH"`).
   * @returns The market.
   * @throws {NotFoundError} For an unknown symbol.
   */
  async getMarket(symbol: string): Promise<LighterMarket> {
    await this.#loadMarkets();
    const m = this.#markets!.get(symbol);
    if (!m) {
      throw new NotFoundError({
        venue: "lighter",
        message: `Unknown market '${symbol}' on lighter`,
      });
    }
    return m;
  }

  #symbolOf(marketIndex: number): string {
    return this.#marketsById.get(marketIndex)?.symbol ?? String(marketIndex);
  }

  // ------------------------------------------------------------------ orders

  /** A fresh client order index (1 … 2^31 − 1). */
  newClientOrderId(): string {
    return randomClientOrderId("lighter");
  }

  /**
   * Places an order once: signed `CreateOrder` through `sendTx`; on a lost answer the order is
   * looked up by its client order index before anything is sent again. Waits up to
   * `ackTimeoutMs` for the venue to report the order and returns it (status `pending` if it
   * has not reported yet).
   *
   * @param request The order.
   * @returns The order as last reported.
   * @throws {InvalidOrderError} For an off-tick price or off-step size.
   * @throws {PostOnlyWouldCrossError} When the venue canceled a post-only order that would cross.
   * @throws {DuplicateClientOrderIdError} When the client order index is in use.
   * @throws {OrderRejectedError} For other refusals.
   */
  async placeOrder(request: OrderRequest): Promise<Order> {
    const market = await this.getMarket(request.symbol);
    const signer = await this.#ensureSigner();
    const clientOrderId = request.clientOrderId ?? this.newClientOrderId();
    if (!isValidClientOrderId("lighter", clientOrderId)) {
      throw new OrderRejectedError("other", {
        venue: "lighter",
        message:
          `Cannot place order on lighter as 'clientOrderId' must be an integer in [1, 2147483647]: current value is ${clientOrderId}`,
      });
    }
    const params = await this.#orderParams(request, market, Number(clientOrderId));
    return placeOnce({
      clientOrderId,
      clock: this.#clock,
      send: () => this.#submitOrder(signer, params, market, clientOrderId),
      lookup: () => this.getOrder(market.symbol, { clientOrderId }),
    });
  }

  async #orderParams(
    r: OrderRequest,
    market: LighterMarket,
    clientOrderIndex: number,
  ): Promise<CreateOrderParams> {
    const baseAmount = encodeSize(market, r.size);
    const isAsk = r.side === "sell";
    const reduceOnly = r.reduceOnly ?? false;
    const base = {
      marketIndex: market.marketIndex,
      clientOrderIndex,
      baseAmount,
      isAsk,
      reduceOnly,
    };
    const tif = r.timeInForce ?? (r.type === "market" ? "ioc" : "gtc");
    if (tif === "fok") {
      throw new OrderRejectedError("other", {
        venue: "lighter",
        message: "Cannot place order on lighter as 'timeInForce' fok is not offered by the venue",
      });
    }
    if (r.type === "market") {
      if (tif !== "ioc") {
        throw new OrderRejectedError("other", {
          venue: "lighter",
          message:
            `Cannot place order on lighter as a market order must be ioc: current value is ${tif}`,
        });
      }
      const worst = r.worstPrice ?? await this.#defaultWorstPrice(market, r.side);
      // A market order still signs a price: the worst acceptable one (lighter.md §7.5).
      return { ...base, price: encodePrice(market, worst, "worstPrice"), type: 1, timeInForce: 0 };
    }
    if (r.price === undefined) {
      throw new OrderRejectedError("invalid_price", {
        venue: "lighter",
        message: "Cannot place order on lighter as 'price' is required for a limit order",
      });
    }
    const price = encodePrice(market, r.price);
    if (tif === "ioc") {
      if (r.postOnly) {
        throw new OrderRejectedError("other", {
          venue: "lighter",
          message: "Cannot place order on lighter as a post-only order cannot be ioc",
        });
      }
      return { ...base, price, type: 0, timeInForce: 0 };
    }
    const now = this.#clock.now();
    const expiry = tif === "gtt" && r.expiresAt !== undefined
      ? r.expiresAt
      : now + LIGHTER_ORDER_EXPIRY.defaultMs;
    if (expiry - now < LIGHTER_ORDER_EXPIRY.minMs || expiry - now > LIGHTER_ORDER_EXPIRY.maxMs) {
      throw new OrderRejectedError("other", {
        venue: "lighter",
        message:
          `Cannot place order on lighter as 'expiresAt' must be 5 minutes to 30 days ahead: current value is ${expiry}`,
      });
    }
    return {
      ...base,
      price,
      type: 0,
      timeInForce: r.postOnly ? 2 : 1,
      orderExpiry: expiry,
    };
  }

  async #defaultWorstPrice(market: LighterMarket, side: "buy" | "sell"): Promise<Decimal> {
    const q = await this.getBestBidAsk(market.symbol);
    const best = side === "buy" ? q.ask : q.bid;
    const factor = side === "buy" ? this.#slippage.plus(1) : new Decimal(1).minus(this.#slippage);
    return quantize(best.times(factor), market.tickSize, side === "buy" ? "down" : "up");
  }

  async #submitOrder(
    signer: LighterSigner,
    params: CreateOrderParams,
    market: LighterMarket,
    clientOrderId: string,
  ): Promise<Order> {
    const index = Number(params.clientOrderIndex);
    const ack = this.#waitForOrder(index);
    try {
      await this.#nonces!.run(async (nonce) => {
        const tx = signer.signCreateOrder(params, {
          nonce,
          expiredAt: this.#clock.now() + TX_VALIDITY_MS,
        });
        try {
          return await this.#sendTx(tx);
        } catch (e) {
          if (e instanceof DuplicateClientOrderIdError) {
            throw new DuplicateClientOrderIdError(clientOrderId, {
              venue: "lighter",
              endpoint: "/api/v1/sendTx",
              code: e.code,
            });
          }
          throw e;
        }
      });
    } catch (e) {
      ack.cancel();
      throw e;
    }
    const reported = await ack.promise;
    const order = reported ? toOrder(reported, market.symbol) : await this.#lookupOrAssume(
      market,
      params,
      clientOrderId,
    );
    if (order.cancelReason === "post_only_would_cross") {
      throw new PostOnlyWouldCrossError({
        venue: "lighter",
        endpoint: "/api/v1/sendTx",
        message:
          `Cannot place order on lighter: post-only order ${clientOrderId} would cross and was canceled`,
      });
    }
    if (order.cancelReason === "insufficient_margin") {
      throw new InsufficientMarginError({ venue: "lighter", endpoint: "/api/v1/sendTx" });
    }
    return order;
  }

  async #lookupOrAssume(
    market: LighterMarket,
    params: CreateOrderParams,
    clientOrderId: string,
  ): Promise<Order> {
    const found = await this.getOrder(market.symbol, { clientOrderId }).catch(() => undefined);
    if (found) return found;
    const now = this.#clock.now();
    const size = new Decimal(String(params.baseAmount)).div(
      new Decimal(10).pow(market.sizeDecimals),
    );
    return {
      venue: "lighter",
      symbol: market.symbol,
      id: undefined,
      clientOrderId,
      side: params.isAsk ? "sell" : "buy",
      type: params.type === 1 ? "market" : "limit",
      price: new Decimal(params.price).div(new Decimal(10).pow(market.priceDecimals)),
      size,
      filledSize: new Decimal(0),
      remainingSize: size,
      averageFillPrice: undefined,
      status: "pending",
      timeInForce: params.timeInForce === 0 ? "ioc" : "gtt",
      postOnly: params.timeInForce === 2,
      reduceOnly: params.reduceOnly ?? false,
      createdAt: now,
      updatedAt: now,
    };
  }

  /** Resolves with the first non-pending report of an order, or `undefined` after the timeout. */
  #waitForOrder(clientOrderIndex: number): {
    promise: Promise<LighterOrder | undefined>;
    cancel: () => void;
  } {
    const stop = new AbortController();
    let waiter!: AckWaiter;
    const reported = new Promise<LighterOrder>((resolve) => {
      waiter = { resolve };
    });
    const set = this.#waiters.get(clientOrderIndex) ?? new Set();
    set.add(waiter);
    this.#waiters.set(clientOrderIndex, set);
    const cleanup = () => {
      set.delete(waiter);
      if (set.size === 0) this.#waiters.delete(clientOrderIndex);
      stop.abort();
    };
    const timeout = this.#clock.sleep(this.#options.ackTimeoutMs ?? 3000, stop.signal)
      .then(() => undefined, () => undefined);
    return {
      promise: Promise.race([reported, timeout]).finally(cleanup),
      cancel: cleanup,
    };
  }

  /**
   * Cancels one order by venue id (`order_index`) or client order index (`CancelOrder`).
   *
   * @param symbol Unified symbol.
   * @param ref The order.
   * @throws {NotFoundError} When the venue reports no such active order.
   */
  async cancelOrder(symbol: string, ref: OrderRef): Promise<void> {
    const market = await this.getMarket(symbol);
    const signer = await this.#ensureSigner();
    const text = ref.id ?? ref.clientOrderId;
    if (!/^\d+$/.test(text ?? "")) {
      throw new NotFoundError({ venue: "lighter", message: `No order '${text}' on lighter` });
    }
    await this.#nonces!.run((nonce) =>
      this.#sendTx(signer.signCancelOrder(
        { marketIndex: market.marketIndex, index: Number(text) },
        { nonce, expiredAt: this.#clock.now() + TX_VALIDITY_MS },
      ))
    );
  }

  /**
   * Cancels every active order, of one market if given (`CancelAllOrders`, immediate).
   *
   * @param symbol Unified symbol. @default {all markets}
   */
  async cancelAllOrders(symbol?: string): Promise<void> {
    const market = symbol === undefined ? undefined : await this.getMarket(symbol);
    const signer = await this.#ensureSigner();
    await this.#nonces!.run((nonce) =>
      this.#sendTx(signer.signCancelAllOrders(
        { timeInForce: 0, ...(market ? { marketIndex: market.marketIndex } : {}) },
        { nonce, expiredAt: this.#clock.now() + TX_VALIDITY_MS },
      ))
    );
  }

  /**
   * One order by venue id or client order index, active or finished.
   *
   * @param symbol Unified symbol.
   * @param ref The order.
   * @returns The order, or `undefined` when the venue does not know it.
   */
  async getOrder(symbol: string, ref: OrderRef): Promise<Order | undefined> {
    const market = await this.getMarket(symbol);
    const signer = await this.#ensureSigner();
    if (ref.clientOrderId !== undefined) {
      const r = await this.#get(
        "/api/v1/accountOrders",
        { account_index: signer.accountIndex, client_order_indexes: ref.clientOrderId },
        ordersSchema,
        true,
      );
      const mine = r.orders.filter((o) =>
        o.market_index === market.marketIndex && String(o.client_order_index) === ref.clientOrderId
      );
      const last = mine.at(-1);
      return last ? toOrder(last, symbol) : undefined;
    }
    const active = await this.#get(
      "/api/v1/accountActiveOrders",
      { account_index: signer.accountIndex, market_id: market.marketIndex },
      ordersSchema,
      true,
    );
    const hit = active.orders.find((o) => String(o.order_index) === ref.id);
    if (hit) return toOrder(hit, symbol);
    const inactive = await this.#get(
      "/api/v1/accountInactiveOrders",
      { account_index: signer.accountIndex, market_id: market.marketIndex, limit: 100 },
      ordersSchema,
      true,
    );
    const old = inactive.orders.find((o) => String(o.order_index) === ref.id);
    return old ? toOrder(old, symbol) : undefined;
  }

  /**
   * Active orders, of one market if given.
   *
   * @param symbol Unified symbol. @default {all markets}
   * @returns The orders.
   */
  async getOpenOrders(symbol?: string): Promise<Order[]> {
    const market = symbol === undefined ? undefined : await this.getMarket(symbol);
    await this.#loadMarkets();
    const signer = await this.#ensureSigner();
    const r = await this.#get(
      "/api/v1/accountActiveOrders",
      { account_index: signer.accountIndex, market_id: market?.marketIndex ?? LIGHTER_ALL },
      ordersSchema,
      true,
    );
    return r.orders.map((o) => toOrder(o, this.#symbolOf(o.market_index)));
  }

  // ------------------------------------------------------------------ account

  async #account() {
    const signer = await this.#ensureSigner();
    const r = await this.#get(
      "/api/v1/account",
      { by: "index", value: signer.accountIndex },
      accountSchema,
    );
    const acc = r.accounts.find((a) => a.index === signer.accountIndex) ?? r.accounts[0];
    if (!acc) {
      throw new NotFoundError({
        venue: "lighter",
        endpoint: "/api/v1/account",
        message: `Lighter account ${signer.accountIndex} does not exist`,
      });
    }
    return acc;
  }

  /** Collateral (USDC): equity is `total_asset_value`, available is `available_balance`. */
  async getBalance(): Promise<Balance> {
    const acc = await this.#account();
    const upnl = acc.positions.reduce((s, p) => s.plus(p.unrealized_pnl), new Decimal(0));
    return {
      venue: "lighter",
      asset: "USDC",
      equity: acc.total_asset_value ?? acc.collateral.plus(upnl),
      available: acc.available_balance,
      unrealizedPnl: upnl,
    };
  }

  /** Open positions, size signed (long positive). */
  async getPositions(): Promise<Position[]> {
    const acc = await this.#account();
    return acc.positions.filter((p) => !p.position.isZero()).map(toPosition);
  }

  // ------------------------------------------------------------------ books

  /**
   * A live book from `order_book/{market}`: snapshot, absolute-size updates, `begin_nonce`
   * checked against the previous `nonce`; on a gap the channel is resubscribed for a fresh
   * snapshot. One book per market, shared.
   *
   * @param symbol Unified symbol.
   * @returns The subscription.
   */
  async subscribeOrderBook(symbol: string): Promise<OrderBookSubscription> {
    const market = await this.getMarket(symbol);
    const existing = this.#books.get(market.marketIndex);
    if (existing && !existing.closed) return existing;
    const ws = this.#socket();
    const channel = `order_book/${market.marketIndex}`;
    const book = new LiveOrderBook(symbol, {
      venue: "lighter",
      // begin_nonce must equal the previous nonce (lighter.md §4.3); frames without one only
      // need to move forward.
      sequenceRule: (last, seq, prev) => prev === undefined ? seq > last : prev === last,
      requestSnapshot: () => {
        log.info("Resubscribing {channel} after a gap", { channel });
        try {
          ws.send({ type: "unsubscribe", channel });
          ws.send({ type: "subscribe", channel });
        } catch {
          // Not connected: the reconnect resubscribes.
        }
      },
      onClose: () => {
        this.#books.delete(market.marketIndex);
        ws.unsubscribe(channel, { message: { type: "unsubscribe", channel } });
      },
      onError: (e) => log.warn("Book resync failed: {error}", { error: String(e) }),
    });
    this.#books.set(market.marketIndex, book);
    ws.subscribe({ type: "subscribe", channel }, { key: channel });
    await ws.connect();
    return book;
  }

  /**
   * Best bid and ask: from the live book when fresh, else from `orderBookOrders`.
   *
   * @param symbol Unified symbol.
   * @returns The quote.
   * @throws {NotFoundError} When a side is empty.
   */
  async getBestBidAsk(symbol: string): Promise<BestBidAsk> {
    const market = await this.getMarket(symbol);
    const live = this.#books.get(market.marketIndex);
    if (live && !live.snapshot(0).stale) return live.bestBidAsk();
    const snap = await this.getOrderBook(symbol, 1);
    return bestBidAskOf(snap, "lighter");
  }

  /**
   * Book depth: from the live book when fresh, else aggregated from `orderBookOrders`.
   *
   * @param symbol Unified symbol.
   * @param depth Levels per side. @default {20}
   * @returns The book.
   */
  async getOrderBook(symbol: string, depth = 20): Promise<BookSnapshot> {
    const market = await this.getMarket(symbol);
    const live = this.#books.get(market.marketIndex);
    if (live && !live.snapshot(0).stale) return live.snapshot(depth);
    const r = await this.#get(
      "/api/v1/orderBookOrders",
      { market_id: market.marketIndex, limit: 250 },
      orderBookOrdersSchema,
    );
    const levels = (rows: { price: Decimal; remaining_base_amount: Decimal }[], desc: boolean) => {
      const by = new Map<string, { price: Decimal; size: Decimal }>();
      for (const row of rows) {
        const k = row.price.toString();
        const l = by.get(k);
        if (l) l.size = l.size.plus(row.remaining_base_amount);
        else by.set(k, { price: row.price, size: row.remaining_base_amount });
      }
      return [...by.values()]
        .sort((a, b) => desc ? b.price.comparedTo(a.price) : a.price.comparedTo(b.price))
        .slice(0, depth);
    };
    return {
      symbol,
      bids: levels(r.bids, true),
      asks: levels(r.asks, false),
      sequence: 0,
      timestamp: this.#clock.now(),
      stale: false,
    };
  }

  // ------------------------------------------------------------------ events

  /** Order, fill, position and connection events. */
  events(options?: { signal?: AbortSignal }): AsyncIterableIterator<ExchangeEvent> {
    return this.#hub.events(options);
  }

  /** Registers an event listener; returns the function that removes it. */
  onEvent(listener: (event: ExchangeEvent) => void): () => void {
    return this.#hub.onEvent(listener);
  }

  #onFrame(data: unknown): void {
    if (typeof data !== "object" || data === null) return;
    const frame = data as { type?: unknown; error?: { code?: number; message?: string } };
    const type = typeof frame.type === "string" ? frame.type : "";
    if (type === "ping") {
      try {
        this.#ws?.send({ type: "pong" });
      } catch {
        // Socket going away.
      }
      return;
    }
    if (frame.error || type === "error") {
      log.warn("Lighter stream error: {error}", { error: JSON.stringify(frame) });
      return;
    }
    const kind = type.slice(type.indexOf("/") + 1);
    if (type.startsWith("subscribed/")) {
      const channel = String((data as { channel?: unknown }).channel ?? "");
      for (const l of [...this.#ackListeners]) l(channel);
    }
    try {
      if (kind === "order_book") this.#onBook(data, type.startsWith("subscribed"));
      else if (kind === "account_orders") this.#onOrders(data);
      else if (kind === "account_all") this.#onAccountAll(data);
    } catch (e) {
      log.warn("Dropped a malformed {kind} frame: {error}", {
        kind,
        error: e instanceof Error ? e.message : String(e),
      });
      if (kind === "order_book") {
        const id = Number(String((data as { channel?: unknown }).channel ?? "").split(":")[1]);
        const book = this.#books.get(id);
        if (book) {
          book.markStale();
          this.#resubscribeBook(id);
        }
      }
    }
  }

  #resubscribeBook(marketIndex: number): void {
    const channel = `order_book/${marketIndex}`;
    try {
      this.#ws?.send({ type: "unsubscribe", channel });
      this.#ws?.send({ type: "subscribe", channel });
    } catch {
      // The reconnect resubscribes.
    }
  }

  #onBook(data: unknown, snapshot: boolean): void {
    const f = parsePayload(orderBookFrameSchema, data, {
      venue: "lighter",
      endpoint: "order_book",
    });
    const id = Number(f.channel.split(":")[1]);
    const book = this.#books.get(id);
    if (!book) return;
    const toRaw = (l: { price: Decimal; size: Decimal }) => ({
      price: l.price.toString(),
      size: l.size.toString(),
    });
    const sides = { bids: f.order_book.bids.map(toRaw), asks: f.order_book.asks.map(toRaw) };
    const sequence = f.order_book.nonce ?? f.order_book.offset;
    if (sequence === undefined) {
      throw new MalformedPayloadError("order_book.nonce", {
        venue: "lighter",
        endpoint: f.channel,
        details: "a book frame needs a nonce or an offset",
      });
    }
    if (snapshot) {
      book.applySnapshot(sides, { sequence, timestamp: f.timestamp });
    } else {
      book.applyDelta(sides, {
        sequence,
        // Only with a nonce does begin_nonce chain; offsets alone just move forward.
        prevSequence: f.order_book.nonce === undefined ? undefined : f.order_book.begin_nonce,
        timestamp: f.timestamp,
      });
    }
  }

  #onOrders(data: unknown): void {
    const f = parsePayload(accountOrdersFrameSchema, data, {
      venue: "lighter",
      endpoint: "account_orders",
    });
    for (const [market, orders] of Object.entries(f.orders)) {
      const symbol = this.#symbolOf(Number(market));
      for (const o of orders) {
        this.#hub.emit({ type: "order", order: toOrder(o, symbol) });
        if (o.status !== "pending" && o.status !== "in-progress") {
          for (const w of this.#waiters.get(o.client_order_index) ?? []) w.resolve(o);
        }
      }
    }
  }

  #onAccountAll(data: unknown): void {
    const f = parsePayload(accountAllFrameSchema, data, {
      venue: "lighter",
      endpoint: "account_all",
    });
    const me = this.#signer?.accountIndex;
    if (me === undefined) return;
    for (const [market, trades] of Object.entries(f.trades ?? {})) {
      const symbol = this.#symbolOf(Number(market));
      for (const t of trades) {
        const fill = toFill(t, me, symbol);
        if (!fill || this.#seenTrades.has(fill.tradeId)) continue;
        this.#seenTrades.add(fill.tradeId);
        if (this.#seenTrades.size > MAX_SEEN_TRADES) {
          this.#seenTrades.delete(this.#seenTrades.values().next().value!);
        }
        this.#hub.emit({ type: "fill", fill });
      }
    }
    for (const p of Object.values(f.positions ?? {})) {
      this.#hub.emit({ type: "position", position: toPosition(p) });
    }
  }
}
