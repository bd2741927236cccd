/**
 * {@linkcode LighterClient}: the `ExchangeClient` for Lighter over its REST API and WebSocket
 * stream, signing with the package's pure-TypeScript signer.
 *
 * Where things live: this file wires the pieces and holds the connection state;
 * `_transport.ts` builds the REST transport and the socket (heartbeat, idle timeout);
 * `_orders.ts` places, cancels and reads orders (the hooks of the shared placement workflow);
 * `_streams.ts` turns frames into events and reconciles over REST; `_book.ts` keeps the live
 * books; `_mapping.ts` maps venue payloads to the unified types; `schemas.ts` reads them.
 *
 * @module
 */
import type {
  Balance,
  BestBidAsk,
  BookSnapshot,
  Clock,
  ExchangeClient,
  ExchangeEvent,
  FundingPayment,
  Order,
  OrderBookSubscription,
  OrderRef,
  OrderRequest,
  Position,
} from "../../base.ts";
import { randomClientOrderId } from "../_shared/client_order_id.ts";
import { systemClock } from "../_shared/clock.ts";
import { Decimal, toDecimal } from "../../core/decimal.ts";
import { ConfigurationError, NotFoundError } from "../../core/errors.ts";
import { EventHub } from "../_shared/event_hub.ts";
import { bestBidAskOf, type LiveOrderBook } from "../_shared/live_order_book.ts";
import { placeOrderWith } from "../_shared/placement.ts";
import type { WsTransport } from "../_shared/ws.ts";
import { LighterSigner } from "./signer/lighter_signer.ts";
import { toPosition } from "./_mapping.ts";
import { createLighterBook, restBook } from "./_book.ts";
import {
  activeOrders,
  cancelAll,
  cancelOne,
  findByClientOrderId,
  findByOrderIndex,
  type LighterOrderDeps,
  lighterPlacementHooks,
  OrderAcks,
  TX_VALIDITY_MS,
} from "./_orders.ts";
import { FundingWatch, readFundingPayments } from "./_funding.ts";
import { LighterStreamHandler } from "./_streams.ts";
import type { LighterBookFrame } from "./book_frame.ts";
import { createLighterSocket, LIGHTER_BOOK_MAX_SILENCE_MS, LighterRest } from "./_transport.ts";
import { LIGHTER_ALL, LIGHTER_ENVIRONMENTS } from "./common.ts";
import { type LighterCredentials, lighterCredentialsFromEnv } from "./credentials.ts";
import { type LighterMarket, marketFromDetail } from "./markets.ts";
import { LighterNonceManager } from "./nonce.ts";
import {
  accountSchema,
  nextNonceSchema,
  orderBookDetailsSchema,
  subAccountsSchema,
} from "./schemas.ts";

/**
 * Options of {@linkcode LighterClient}.
 *
 * @example
 * ```ts
 * import type { LighterClientOptions } from "./client.ts";
 * const o: LighterClientOptions = { network: "testnet", slippage: "0.01", maxBookSilenceMs: 3_000 };
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
  /**
   * Market data only: no credentials are read (neither `credentials` nor the environment),
   * `connect()` loads the markets and opens the public socket only, and every private call
   * (orders, account, positions, funding payments, leverage) throws a `ConfigurationError`
   * naming the credential variables, before any request. @default {false}
   */
  publicOnly?: boolean;
  /** Worst-price distance of market orders without `worstPrice`, as a fraction. @default {"0.05"} */
  slippage?: string;
  /** How long `placeOrder` waits for the stream to report the new order, in ms. @default {3000} */
  ackTimeoutMs?: number;
  /**
   * Longest time `placeOrder` spends resolving a doubtful create by lookups before it throws
   * `OrderOutcomeUnknownError`, in ms. @default {30_000}
   */
  outcomeDeadlineMs?: number;
  /** Lifetime of the auth tokens for private channels and reads, in ms (≤ 8 h). @default {3_600_000} */
  authTokenLifetimeMs?: number;
  /**
   * Interval of the `{"type":"ping"}` keepalive, in ms (the venue drops sockets without client
   * traffic after ~2 min and answers each ping). @default {15_000}
   */
  pingIntervalMs?: number;
  /**
   * Silence after which the socket is taken for half-open, dropped and reconnected, in ms
   * (`connection` events `reconnecting` then `connected` report it). @default {3 × pingIntervalMs}
   */
  idleTimeoutMs?: number;
  /**
   * Longest silence of a live book before it reads as `stale`, in ms: the venue sends a frame
   * on every change of the book, so a book without one for this long is not trusted.
   * @default {5_000}
   */
  maxBookSilenceMs?: number;
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

/**
 * The Lighter trading client.
 *
 * Markets come from `orderBookDetails`; prices and sizes are encoded as exact integers with
 * the market's decimals. Orders go through the shared placement workflow: checked locally,
 * signed with the API key under the key's next nonce, sent as form fields to
 * `POST /api/v1/sendTx`; the outcome is the venue's order (as the stream or a lookup by
 * client order index reports it), a typed refusal, or `OrderOutcomeUnknownError` — never a
 * second copy while the first may still be accepted. Order and fill events come from the
 * private `account_orders` / `account_all` channels, authenticated with a token refreshed
 * before it expires; a private frame that cannot be read triggers a REST reconciliation. Order
 * books come from `order_book/{market}`, resubscribed on any `begin_nonce` gap, and read stale
 * after `maxBookSilenceMs` without a frame. No integrator (builder) fee is ever attached.
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
  readonly #rest: LighterRest;
  readonly #wsUrl: string;
  readonly #chainId: number;
  readonly #slippage: Decimal;
  readonly #acks: OrderAcks;
  readonly #orders: LighterOrderDeps;
  readonly #stream: LighterStreamHandler;
  readonly #funding: FundingWatch;
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
  #token: { value: string; expiresAt: number } | undefined;
  #connected = false;
  #privateChannels = new Set<string>();
  #ackListeners = new Set<(channel: string) => void>();
  #privateAcks: Promise<void> | undefined;

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
    const silence = options.maxBookSilenceMs;
    if (silence !== undefined && !(Number.isFinite(silence) && silence > 0)) {
      throw new ConfigurationError(
        `Cannot create the Lighter client as 'maxBookSilenceMs' must be a positive number of ms: current value is ${silence}`,
        { venue: "lighter" },
      );
    }
    this.#clock = options.clock ?? systemClock;
    this.#chainId = options.chainId ?? env.chainId;
    this.#wsUrl = options.wsUrl ?? env.wsUrl;
    this.#slippage = toDecimal(options.slippage ?? "0.05", "slippage");
    this.#rest = new LighterRest({
      baseUrl: options.restUrl ?? env.restUrl,
      clock: this.#clock,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      authToken: () => this.#authToken(),
    });
    try {
      this.#credentials = options.publicOnly
        ? undefined
        : options.credentials ?? lighterCredentialsFromEnv(options.env);
    } catch (e) {
      this.#credentialsError = e;
    }
    this.#acks = new OrderAcks(this.#clock);
    this.#orders = {
      clock: this.#clock,
      rest: this.#rest,
      signer: () => this.#ensureSigner(),
      nonces: () => this.#nonces!,
      market: (symbol) => this.getMarket(symbol),
      bestBidAsk: (symbol) => this.getBestBidAsk(symbol),
      slippage: this.#slippage,
      acks: this.#acks,
      ackTimeoutMs: options.ackTimeoutMs ?? 3000,
      outcomeDeadlineMs: options.outcomeDeadlineMs,
    };
    this.#stream = new LighterStreamHandler({
      clock: this.#clock,
      hub: () => this.#hub,
      ws: () => this.#ws,
      books: this.#books,
      acks: this.#acks,
      symbolOf: (i) => this.#symbolOf(i),
      accountIndex: () => this.#signer?.accountIndex,
      onSubscribed: (channel) => {
        for (const l of [...this.#ackListeners]) l(channel);
      },
      openOrders: () => this.getOpenOrders(),
      findOrder: (symbol, clientOrderId) => this.getOrder(symbol, { clientOrderId }),
      positions: () => this.getPositions(),
      fundingSignal: () => void this.#funding.signal(),
    });
    this.#funding = new FundingWatch({
      clock: this.#clock,
      read: (start) => this.getFundingPayments({ start }),
      emit: (payment) => this.#hub.emit({ type: "funding", payment }),
    });
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
      this.#funding.reset();
      this.#subscribePrivate(ws, signer);
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
    this.#stream.stop();
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
    const ws = createLighterSocket({
      url: this.#wsUrl,
      clock: this.#clock,
      WebSocket: this.#options.WebSocket,
      pingIntervalMs: this.#options.pingIntervalMs,
      idleTimeoutMs: this.#options.idleTimeoutMs,
      reconnectDelayMs: this.#options.reconnectDelayMs,
      // Fresh tokens for the private channels before they are re-sent on a reconnect.
      onOpen: async (t, ctx) => {
        if (!ctx.firstConnection && this.#credentials) {
          this.#subscribePrivate(t, await this.#ensureSigner());
          // Listening before the subscriptions go out: their answers may come at once.
          this.#privateAcks = this.#awaitPrivateAcks();
        }
      },
    });
    ws.onMessage((m) => {
      if (m.decoded) this.#stream.onBookFrame(m.data as LighterBookFrame, m.raw as string);
      else if (m.json) this.#stream.onFrame(m.data);
    });
    ws.onStateChange((e) => {
      if (this.#ws !== ws) return; // disconnect() reports its own end
      if (e.state === "reconnecting") {
        for (const b of this.#books.values()) b.markStale();
      }
      if (e.state === "connected" && this.#connected) {
        // Back only once the private channels answered: events until then may be missed.
        const acks = this.#privateAcks ?? this.#awaitPrivateAcks();
        this.#privateAcks = undefined;
        acks.then(() =>
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

  #subscribePrivate(ws: WsTransport, signer: LighterSigner): void {
    const channels = [
      ...[...this.#marketsById.values()].map((m) =>
        `account_orders/${m.marketIndex}/${signer.accountIndex}`
      ),
      `account_all/${signer.accountIndex}`,
    ];
    for (const channel of channels) {
      this.#privateChannels.add(channel);
      ws.subscribe({ type: "subscribe", channel, auth: this.#authToken() }, { key: channel });
    }
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
    if (this.#options.publicOnly) {
      throw new ConfigurationError(
        "The lighter client is public-only (market data): orders and account reads need LIGHTER_API_KEY_PRIVATE_KEY, LIGHTER_ACCOUNT_INDEX (or LIGHTER_L1_ADDRESS) and LIGHTER_API_KEY_INDEX",
        { venue: "lighter" },
      );
    }
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
    // The signer refuses account 0 (the venue's treasury) with a ConfigurationError.
    this.#signer ??= new LighterSigner({
      privateKey: c.apiKeyPrivateKey,
      accountIndex,
      apiKeyIndex: c.apiKeyIndex,
      chainId: this.#chainId,
      now: () => this.#clock.now(),
    });
    const signer = this.#signer;
    this.#nonces ??= new LighterNonceManager(async () =>
      (await this.#rest.get(
        "/api/v1/nextNonce",
        { account_index: signer.accountIndex, api_key_index: signer.apiKeyIndex },
        nextNonceSchema,
      )).nonce, {
      sleep: (ms) => this.#clock.sleep(ms),
      describeKey: () => `API key ${signer.apiKeyIndex} of account ${signer.accountIndex}`,
    });
    return signer;
  }

  async #lookupAccountIndex(l1Address: string | undefined): Promise<number> {
    if (!l1Address) {
      throw new ConfigurationError(
        "Missing Lighter account: set 'accountIndex' or 'l1Address' (LIGHTER_ACCOUNT_INDEX / LIGHTER_L1_ADDRESS)",
        { venue: "lighter" },
      );
    }
    const r = await this.#rest.get(
      "/api/v1/accountsByL1Address",
      { l1_address: l1Address },
      subAccountsSchema,
    );
    // Master accounts are below 2^47; sub-accounts above; 0 is the treasury (lighter.md §3.1).
    const masters = r.sub_accounts.map((a) => a.index).filter((i) => i > 0 && i < 2 ** 47)
      .sort((a, b) => a - b);
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

  // ------------------------------------------------------------------ markets

  #loadMarkets(): Promise<void> {
    if (this.#markets) return Promise.resolve();
    this.#loading ??= (async () => {
      const r = await this.#rest.get(
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
   * Places an order once through the shared placement workflow: checked locally (decimal
   * strings on the tick and step, minimums, expiry window, client order index), signed
   * `CreateOrder` through `sendTx`, then the stream's report of the order (or a lookup by
   * client order index) is the answer.
   *
   * @param request The order.
   * @returns The order as the venue reported it.
   * @throws {InvalidOrderError} For an off-tick price, off-step size, a JS number or exponent string.
   * @throws {PostOnlyWouldCrossError} When the venue canceled a post-only order that would cross.
   * @throws {DuplicateClientOrderIdError} When the client order index is in use.
   * @throws {OrderRejectedError} For other refusals.
   * @throws {OrderOutcomeUnknownError} When the order's existence stays unknown at the deadline.
   */
  async placeOrder(request: OrderRequest): Promise<Order> {
    await this.#ensureSigner();
    return placeOrderWith(lighterPlacementHooks(this.#orders), request);
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
    await cancelOne(this.#orders, market, ref.id ?? ref.clientOrderId);
  }

  /**
   * Cancels every active order, of one market if given (`CancelAllOrders`, immediate).
   *
   * @param symbol Unified symbol. @default {all markets}
   */
  async cancelAllOrders(symbol?: string): Promise<void> {
    const market = symbol === undefined ? undefined : await this.getMarket(symbol);
    await cancelAll(this.#orders, market);
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
    if (ref.clientOrderId !== undefined) {
      return findByClientOrderId(this.#orders, market, ref.clientOrderId);
    }
    return findByOrderIndex(this.#orders, market, ref.id);
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
    return activeOrders(this.#orders, market, (i) => this.#symbolOf(i));
  }

  // ------------------------------------------------------------------ account

  async #account() {
    const signer = await this.#ensureSigner();
    const r = await this.#rest.get(
      "/api/v1/account",
      { by: "index", value: signer.accountIndex },
      accountSchema,
    );
    const acc = r.accounts.find((a) => a.index === signer.accountIndex);
    if (!acc) {
      throw new NotFoundError({
        venue: "lighter",
        endpoint: "/api/v1/account",
        message: `Lighter account ${signer.accountIndex} does not exist`,
      });
    }
    return acc;
  }

  /**
   * Collateral (USDC): equity is `total_asset_value`, available is `available_balance`;
   * `marginRatio` is `cross_maintenance_margin_requirement` / `total_asset_value` when the
   * venue reports both and equity is positive.
   */
  async getBalance(): Promise<Balance> {
    const acc = await this.#account();
    const upnl = acc.positions.reduce((s, p) => s.plus(p.unrealized_pnl), new Decimal(0));
    const equity = acc.total_asset_value ?? acc.collateral.plus(upnl);
    const maintenance = acc.cross_maintenance_margin_requirement;
    return {
      venue: "lighter",
      asset: "USDC",
      equity,
      available: acc.available_balance,
      unrealizedPnl: upnl,
      ...(maintenance !== undefined && acc.total_asset_value !== undefined && equity.gt(0)
        ? { marginRatio: maintenance.div(equity) }
        : {}),
    };
  }

  /**
   * Funding payments of the account from `positionFunding` (every page), oldest first: `amount`
   * is the venue's `change` (positive = received), `rate` a fraction per hour, `positionSize`
   * signed. With `limit`, the newest `limit` payments of the window.
   *
   * @param options `symbol`, window `start` / `end` (ms, inclusive) and `limit`.
   * @returns The payments.
   * @throws {NotFoundError} For an unknown symbol.
   * @throws {ConfigurationError} For a bad limit or window, or missing credentials.
   */
  async getFundingPayments(
    options: { symbol?: string; start?: number; end?: number; limit?: number } = {},
  ): Promise<FundingPayment[]> {
    const signer = await this.#ensureSigner();
    await this.#loadMarkets();
    const market = options.symbol === undefined ? undefined : await this.getMarket(options.symbol);
    return readFundingPayments(this.#rest, {
      accountIndex: signer.accountIndex,
      ...(market ? { marketIndex: market.marketIndex } : {}),
      ...(options.start !== undefined ? { start: options.start } : {}),
      ...(options.end !== undefined ? { end: options.end } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
    }, (i) => this.#symbolOf(i));
  }

  /**
   * Sets the market's leverage, cross margin: a signed `UpdateLeverage` with
   * `InitialMarginFraction` = ⌊10000 / leverage⌋ and `MarginMode` 0 (lighter.md §7.1).
   *
   * @param symbol Unified symbol.
   * @param leverage A positive integer, at most the market's maximum leverage.
   * @throws {ConfigurationError} For a leverage that is not a positive integer or is above the
   * market's maximum (the message names it).
   * @throws {NotFoundError} For an unknown symbol.
   */
  async setLeverage(symbol: string, leverage: number): Promise<void> {
    const market = await this.getMarket(symbol);
    if (!(Number.isInteger(leverage) && leverage >= 1)) {
      throw new ConfigurationError(
        `Cannot set leverage on lighter as 'leverage' must be a positive integer: current value is ${leverage}`,
        { venue: "lighter" },
      );
    }
    if (market.maxLeverage !== undefined && market.maxLeverage.lt(leverage)) {
      throw new ConfigurationError(
        `Cannot set leverage on lighter as 'leverage' must be at most ${market.maxLeverage} for ${symbol}: current value is ${leverage}`,
        { venue: "lighter" },
      );
    }
    const signer = await this.#ensureSigner();
    const initialMarginFraction = Math.floor(10_000 / leverage);
    await this.#nonces!.run((nonce) =>
      this.#rest.sendTx(signer.signUpdateLeverage(
        { marketIndex: market.marketIndex, initialMarginFraction, marginMode: 0 },
        { nonce, expiredAt: this.#clock.now() + TX_VALIDITY_MS },
      ))
    );
  }

  /**
   * Open positions, size signed (long positive), with the risk figures the venue reports:
   * liquidation price, leverage, margin used and funding so far (see `toPosition`).
   */
  async getPositions(): Promise<Position[]> {
    const acc = await this.#account();
    return acc.positions.filter((p) => !p.position.isZero()).map(toPosition);
  }

  // ------------------------------------------------------------------ books

  /**
   * A live book from `order_book/{market}`: snapshot, absolute-size updates, `begin_nonce`
   * checked against the previous `nonce`; on a gap the channel is resubscribed for a fresh
   * snapshot. The book reads `stale` while it awaits a snapshot, after a disconnect, and after
   * `maxBookSilenceMs` without a frame. One book per market, shared.
   *
   * @param symbol Unified symbol.
   * @returns The subscription.
   */
  async subscribeOrderBook(symbol: string): Promise<OrderBookSubscription> {
    const market = await this.getMarket(symbol);
    const existing = this.#books.get(market.marketIndex);
    if (existing && !existing.closed) return existing;
    const ws = this.#socket();
    const book = createLighterBook(market, {
      ws,
      clock: this.#clock,
      maxSilenceMs: this.#options.maxBookSilenceMs ?? LIGHTER_BOOK_MAX_SILENCE_MS,
      books: this.#books,
    });
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
    if (live && !live.stale) return live.bestBidAsk();
    return bestBidAskOf(await this.getOrderBook(symbol, 1), "lighter");
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
    if (live && !live.stale) return live.snapshot(depth);
    return restBook(this.#rest, market, depth, this.#clock.now());
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
}
