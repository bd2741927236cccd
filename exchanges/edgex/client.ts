/**
 * The EdgeX V2 trading client: {@linkcode EdgeXClient} implements `ExchangeClient` over the V2
 * REST API (HMAC-signed private calls, EIP-712-signed orders) and the two WebSockets (public
 * depth; private `trade-event` stream).
 *
 * Venue behaviour it absorbs (edgex.md §5, edgex_v1_background.md §7.3):
 * - `createOrder` only returns `{orderId}`; the outcome is read from the private stream (or
 *   REST), and a `POST_ONLY` order that is accepted then `CANCELED` unfilled is reported as a
 *   {@linkcode PostOnlyWouldCrossError};
 * - `FILLED` is pushed twice: order events are emitted only when status or filled size change,
 *   fills are deduplicated by fill id;
 * - depth frames carry absolute sizes; `startVersion` must equal the previous `endVersion`, else
 *   the channel is resubscribed for a fresh snapshot; empty frames are heartbeats;
 * - every server `ping` is answered with `pong` echoing `time`;
 * - the HMAC timestamp must be within ±60 s of the venue's clock: the client measures the offset
 *   with `getServerTime` when it connects, again when the private stream is lost, and after a
 *   signed call is refused for its timestamp (that call is then re-signed and sent once more).
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { z } from "zod";
import type {
  Balance,
  BestBidAsk,
  BookSnapshot,
  CancelReason,
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
import { randomClientOrderId } from "../_shared/client_order_id.ts";
import { systemClock } from "../_shared/clock.ts";
import { Decimal, type DecimalInput, toDecimal } from "../../core/decimal.ts";
import {
  AuthenticationError,
  DuplicateClientOrderIdError,
  InvalidOrderError,
  MalformedPayloadError,
  NotFoundError,
  OrderRejectedError,
  PostOnlyWouldCrossError,
} from "../../core/errors.ts";
import { EventHub } from "../_shared/event_hub.ts";
import {
  createHttpTransport,
  type FetchLike,
  type HttpRequest,
  type HttpTransport,
} from "../_shared/http.ts";
import { bestBidAskOf, LiveOrderBook } from "../_shared/live_order_book.ts";
import { parsePayload } from "../_shared/parse.ts";
import { placeOnce } from "../_shared/place_once.ts";
import { isMultipleOf, quantize } from "../_shared/quantize.ts";
import {
  createWsTransport,
  type WebSocketConstructor,
  type WsMessage,
  type WsTransport,
} from "../_shared/ws.ts";
import {
  edgeXAuthenticate,
  edgeXHeaderNames,
  edgeXPrivateWsAuth,
  edgeXRequiresAuth,
} from "./auth.ts";
import { EDGEX_EXPIRY, EDGEX_PATHS, EDGEX_PRODUCTION, EDGEX_WS_PATHS } from "./common.ts";
import {
  type EdgeXCredentialOptions,
  type EdgeXResolvedCredentials,
  resolveEdgeXCredentials,
} from "./credentials.ts";
import { mapEdgeXError } from "./errors.ts";
import { type EdgeXMarket, edgeXMarkets } from "./markets.ts";
import { getDepth, getMetaData, getServerTime, getTicker } from "./public_api.ts";
import {
  accountAssetSchema,
  cancelResultSchema,
  createOrderResultSchema,
  edgeXEnvelope,
  type EdgeXFill,
  type EdgeXOrder,
  orderSchema,
  pageOf,
  tradeEventSchema,
} from "./schemas.ts";
import {
  createEdgeXOrderSigner,
  type EdgeXDomain,
  edgeXDomainFromMetadata,
  edgeXMarketOrderPrice,
  type EdgeXOrderSigner,
} from "./signing.ts";

const log = getLogger(["perp", "edgex"]);
const VENUE = "edgex";

/**
 * Options of {@linkcode EdgeXClient}. Credentials fall back to the `EDGEX_*` environment
 * variables; hosts, paths, header prefix and EIP-712 domain have production defaults or come
 * from the venue's metadata.
 *
 * @example
 * ```ts
 * import type { EdgeXClientOptions } from "./client.ts";
 * const options: EdgeXClientOptions = { depthLevel: 15, slippage: "0.02" };
 * ```
 */
export interface EdgeXClientOptions extends EdgeXCredentialOptions {
  /** REST origin. @default {EDGEX_PRODUCTION.restUrl} */
  restUrl?: string;
  /** WebSocket origin (public and private). @default {EDGEX_PRODUCTION.wsUrl} */
  wsUrl?: string;
  /** Public stream path. @default {"/api/v1/public/ws"} */
  publicWsPath?: string;
  /** Private stream path. @default {"/api/v1/private/ws"} */
  privateWsPath?: string;
  /** Auth header prefix (`X-{prefix}-Api-Key`, …). @default {"edgeX"} */
  headerPrefix?: string;
  /**
   * EIP-712 domain override; by default `nativeChainId`/`chainId` and `contractAddress` are
   * read from `getMetaData` (the venue changed them before). @default {from metadata}
   */
  domain?: EdgeXDomain;
  /** Clock for timestamps, timeouts and waits. @default {systemClock} */
  clock?: Clock;
  /** `fetch` to use. @default {globalThis.fetch} */
  fetch?: FetchLike;
  /** WebSocket constructor (must accept Deno's `{ headers }` option). @default {globalThis.WebSocket} */
  WebSocket?: WebSocketConstructor;
  /** REST timeout per attempt, ms. @default {10_000} */
  timeoutMs?: number;
  /** Depth channel size. @default {15} */
  depthLevel?: 15 | 200;
  /** Worst-price distance of market orders without one, fraction of the best price. @default {"0.05"} */
  slippage?: string;
  /** How long `placeOrder` waits for the order to leave `PENDING`, ms. @default {5_000} */
  placementTimeoutMs?: number;
  /** Measure the venue's clock offset with `getServerTime` on connect. @default {true} */
  syncServerTime?: boolean;
  /** Reconnect delay ceiling of the first retry, ms. @default {500} */
  reconnectBaseDelayMs?: number;
  /** Client order id generator. @default {randomClientOrderId("edgex")} */
  newClientOrderId?: () => string;
}

interface Known {
  order: Order;
  /** The venue record's fields we may need later (trimmed stream records omit them). */
  contractId: string | undefined;
  raw: EdgeXOrder;
  emittedKey: string | undefined;
  cancelRequested: boolean;
}

interface BookEntry {
  contractId: string;
  channel: string;
  books: Set<LiveOrderBook>;
  firstSnapshot: Promise<void>;
  resolveFirst: () => void;
}

const STATUS_RANK: Record<OrderStatus, number> = {
  pending: 0,
  open: 1,
  partially_filled: 2,
  filled: 3,
  canceled: 3,
  rejected: 3,
  expired: 3,
};

const TIF: Record<string, TimeInForce> = {
  GOOD_TIL_CANCEL: "gtc",
  POST_ONLY: "gtc",
  IMMEDIATE_OR_CANCEL: "ioc",
  FILL_OR_KILL: "fok",
};

/** EdgeX `cancelReason` → unified reason (`COULD_NOT_FILL` depends on the time in force). */
const CANCEL_REASONS: Record<string, CancelReason> = {
  USER_CANCELED: "user",
  EXPIRE_CANCELED: "expired",
  REDUCE_ONLY_CANCELED: "reduce_only",
  LIQUIDATE_CANCELED: "liquidation",
  MARGIN_NOT_ENOUGH: "insufficient_margin",
};

function isTerminal(s: OrderStatus): boolean {
  return STATUS_RANK[s] === 3;
}

/**
 * EdgeX V2 `ExchangeClient`.
 *
 * @example Against a stand-in venue (no network): markets come from `getMetaData`
 * ```ts
 * import { EdgeXClient } from "./client.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * const meta = {
 *   global: { nativeChainId: "3343", contractAddress: "0x0000000000000000000000000000000000000001" },
 *   coinList: [{ coinId: "1000", coinName: "USDC", resolution: "1000000" }, { coinId: "1001", coinName: "BTC" }],
 *   contractList: [{
 *     contractId: "30000001", contractName: "BTCUSDC", baseCoinId: "1001", quoteCoinId: "1000",
 *     tickSize: "0.1", stepSize: "0.001", minOrderSize: "0.001", resolution: "1000000000",
 *     fundingRateIntervalMin: "240",
 *   }],
 * };
 * const client = new EdgeXClient({
 *   accountId: "1",
 *   apiKey: "key",
 *   apiSecret: "secret",
 *   apiPassphrase: "passphrase",
 *   signerPrivateKey: "0x" + "11".repeat(32),
 *   fetch: () => Promise.resolve(Response.json({ code: "SUCCESS", data: meta })),
 * });
 * const market = await client.getMarket("BTC");
 * deepEqual([market.venueId, market.tickSize.toString(), market.fundingIntervalHours], ["30000001", "0.1", 4]);
 * await client.disconnect();
 * ```
 */
export class EdgeXClient implements ExchangeClient {
  /** Venue name. */
  readonly venue: "edgex" = VENUE;
  readonly #options: EdgeXClientOptions;
  readonly #creds: EdgeXResolvedCredentials;
  readonly #clock: Clock;
  readonly #venueClock: { now(): number };
  readonly #http: HttpTransport;
  readonly #wsUrl: string;
  readonly #slippage: Decimal;
  readonly #newId: () => string;
  #offsetMs = 0;
  #resync: Promise<number> | undefined;
  #hub = new EventHub<ExchangeEvent>();
  #markets: Promise<EdgeXMarket[]> | undefined;
  #signer: EdgeXOrderSigner | undefined;
  #private: WsTransport | undefined;
  #public: WsTransport | undefined;
  #connecting: Promise<void> | undefined;
  #orders = new Map<string, Known>();
  #byClientId = new Map<string, string>();
  #fillIds = new Set<string>();
  #orderWaiters = new Set<() => void>();
  #books = new Map<string, BookEntry>();

  /**
   * Creates the client; nothing is sent until a method needs it.
   *
   * @param options Credentials (or `EDGEX_*` env), hosts and behaviour.
   * @throws {ConfigurationError} Naming every missing credential.
   */
  constructor(options: EdgeXClientOptions = {}) {
    this.#options = options;
    this.#creds = resolveEdgeXCredentials(options);
    this.#clock = options.clock ?? systemClock;
    this.#venueClock = { now: () => this.#clock.now() + this.#offsetMs };
    this.#slippage = toDecimal(options.slippage ?? "0.05", "slippage");
    this.#newId = options.newClientOrderId ?? (() => randomClientOrderId("edgex"));
    this.#wsUrl = options.wsUrl ?? EDGEX_PRODUCTION.wsUrl;
    const headerNames = edgeXHeaderNames(options.headerPrefix ?? "edgeX");
    const http = createHttpTransport({
      venue: VENUE,
      baseUrl: options.restUrl ?? EDGEX_PRODUCTION.restUrl,
      clock: this.#clock,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      authenticate: edgeXAuthenticate(
        {
          apiKey: this.#creds.apiKey,
          secret: this.#creds.apiSecret,
          passphrase: this.#creds.apiPassphrase,
        },
        { clock: this.#venueClock, headerNames },
      ),
      mapError: mapEdgeXError,
    });
    // Signed calls refused for a stale timestamp re-sync the clock once and are sent again.
    this.#http = {
      venue: http.venue,
      baseUrl: http.baseUrl,
      request: <S extends z.ZodType>(r: HttpRequest<S>) => this.#request(http, r),
    };
  }

  // ------------------------------------------------------------------------------ lifecycle

  /** Loads markets, measures the clock offset and opens the private stream. Idempotent. */
  connect(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#private?.state === "connected") return Promise.resolve();
    this.#connecting ??= this.#connect(options.signal).finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connect(signal?: AbortSignal): Promise<void> {
    if (this.#hub.closed) this.#hub = new EventHub<ExchangeEvent>();
    if (this.#options.syncServerTime ?? true) await this.#syncClock(signal);
    await this.#ready();
    // A signed REST call first: bad credentials surface as AuthenticationError /
    // InvalidSignatureError here; a refused WebSocket handshake only says "connection failed".
    await this.#accountAsset();
    const ws = this.#private ?? this.#openPrivate();
    this.#private = ws;
    await ws.connect({ signal });
  }

  /**
   * Measures the venue clock's offset with `getServerTime` (one call shared by concurrent
   * callers) and returns it.
   */
  #syncClock(signal?: AbortSignal): Promise<number> {
    this.#resync ??= (async () => {
      const before = this.#clock.now();
      const server = await getServerTime(this.#http, { signal });
      const after = this.#clock.now();
      this.#offsetMs = server - Math.round((before + after) / 2);
      return this.#offsetMs;
    })().finally(() => {
      this.#resync = undefined;
    });
    return this.#resync;
  }

  /**
   * Sends a request. A signed call refused as unauthenticated gets one clock re-sync; it is
   * sent once more (re-signed) if the refusal was about the timestamp: the venue said so, or
   * the re-sync moved the offset by a second or more. An authentication refusal happens at
   * the gateway before the request acts (edgex.md §7.2), so even `createOrder` is safe to
   * resend; any other refusal, and a second one, is thrown as it is.
   */
  async #request<S extends z.ZodType>(
    http: HttpTransport,
    request: HttpRequest<S>,
  ): Promise<z.output<S>> {
    const before = this.#offsetMs;
    try {
      return await http.request(request);
    } catch (error) {
      if (
        !(error instanceof AuthenticationError) || !edgeXRequiresAuth(request.path) ||
        !(this.#options.syncServerTime ?? true)
      ) throw error;
      let after: number;
      try {
        after = await this.#syncClock(request.signal);
      } catch {
        throw error;
      }
      const moved = Math.abs(after - before) >= 1_000;
      if (!moved && !/timestamp/i.test(error.message)) throw error;
      log.warn("Refused for a stale timestamp on {endpoint}; clock offset {before} → {after} ms", {
        endpoint: request.endpoint ?? request.path,
        before,
        after,
      });
      return await http.request(request);
    }
  }

  #openPrivate(): WsTransport {
    const Base = this.#options.WebSocket ?? globalThis.WebSocket;
    const path = this.#options.privateWsPath ?? EDGEX_WS_PATHS.private;
    const creds = this.#creds;
    const clock = this.#venueClock;
    const wsUrl = this.#wsUrl;
    const headerNames = edgeXHeaderNames(this.#options.headerPrefix ?? "edgeX");
    // A fresh timestamp and signature on every (re)connection: the handshake is HMAC-signed.
    const Fresh = function () {
      const auth = edgeXPrivateWsAuth(
        creds.accountId,
        { apiKey: creds.apiKey, secret: creds.apiSecret, passphrase: creds.apiPassphrase },
        { clock, wsUrl, path, headerNames },
      );
      return new (Base as unknown as new (u: string, o: unknown) => WebSocket)(auth.url, {
        headers: auth.headers,
      });
    } as unknown as WebSocketConstructor;
    const ws = createWsTransport({
      venue: VENUE,
      url: `${wsUrl.replace(/\/+$/, "")}${path}`,
      WebSocket: Fresh,
      clock: this.#clock,
      heartbeat: { intervalMs: 30_000, message: () => ({ type: "ping", time: this.#stamp() }) },
      reconnect: { baseDelayMs: this.#options.reconnectBaseDelayMs ?? 500 },
    });
    ws.onMessage((m) => this.#onPrivate(ws, m));
    ws.onStateChange((e) => {
      // The handshake is signed too, and a refused one only says "connection failed": re-sync
      // the clock once per loss so the next attempts sign with the venue's time.
      if (e.state === "reconnecting" && (this.#options.syncServerTime ?? true)) {
        this.#syncClock().catch(() => {});
      }
      this.#hub.emit({
        type: "connection",
        stream: "account",
        state: e.state,
        ...(e.error ? { error: e.error } : {}),
      });
    });
    return ws;
  }

  /** Closes both streams and every book. Idempotent. */
  async disconnect(): Promise<void> {
    const priv = this.#private;
    const pub = this.#public;
    this.#private = undefined;
    this.#public = undefined;
    for (const entry of [...this.#books.values()]) {
      for (const book of [...entry.books]) await book.close();
    }
    await Promise.all([priv?.close(), pub?.close()]);
    // A clock re-sync started by a lost connection: let it finish (it is one short request).
    await this.#resync?.catch(() => {});
    for (const w of [...this.#orderWaiters]) w();
    this.#hub.close();
  }

  /** Same as `disconnect()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }

  // ------------------------------------------------------------------------------ markets

  #ready(): Promise<EdgeXMarket[]> {
    this.#markets ??= (async () => {
      const meta = await getMetaData(this.#http);
      const markets = edgeXMarkets(meta);
      this.#loaded = markets;
      this.#signer = createEdgeXOrderSigner({
        privateKey: this.#creds.signerPrivateKey,
        domain: this.#options.domain ?? edgeXDomainFromMetadata(meta.global),
      });
      return markets;
    })().catch((e) => {
      this.#markets = undefined;
      throw e;
    });
    return this.#markets;
  }

  async #market(symbol: string): Promise<EdgeXMarket> {
    const m = (await this.#ready()).find((x) => x.market.symbol === symbol);
    if (!m) {
      throw new NotFoundError({ venue: VENUE, message: `Unknown market '${symbol}' on edgex` });
    }
    return m;
  }

  /** The market of a symbol, loading the markets first (what `placeOrder` did before). */
  async #loadedMarket(symbol: string): Promise<EdgeXMarket> {
    await this.getMarkets();
    return await this.#market(symbol);
  }

  #marketById(contractId: string | undefined): EdgeXMarket | undefined {
    if (contractId === undefined) return undefined;
    // Markets are loaded before any stream or order call, so this never waits.
    return this.#loaded?.find((m) => m.contract.contractId === contractId);
  }

  #loaded: EdgeXMarket[] | undefined;

  /** Every contract in the venue's metadata. */
  async getMarkets(): Promise<Market[]> {
    const markets = await this.#ready();
    this.#loaded = markets;
    return markets.map((m) => m.market);
  }

  /** One market by unified symbol; `NotFoundError` when unknown. */
  async getMarket(symbol: string): Promise<Market> {
    await this.getMarkets();
    return (await this.#market(symbol)).market;
  }

  // ------------------------------------------------------------------------------ orders

  /**
   * Places an order once (lost answers are resolved by client order id), then waits until the
   * venue says what became of it.
   *
   * @param request What to place.
   * @returns The order as the venue reports it.
   * @throws {InvalidOrderError} Off-grid or too small size/price (nothing is sent).
   * @throws {DuplicateClientOrderIdError} The client order id belongs to an active order.
   * @throws {PostOnlyWouldCrossError} A post-only order the venue canceled for crossing.
   * @throws {OrderRejectedError} Other refusals.
   */
  async placeOrder(request: OrderRequest): Promise<Order> {
    // Hot path: once the markets are loaded, find the market without a detour through
    // getMarkets() (which copies every market) and its promise hops.
    const m = this.#loaded?.find((x) => x.market.symbol === request.symbol) ??
      await this.#loadedMarket(request.symbol);
    const signer = this.#signer!;
    const market = m.market;
    const where = { venue: VENUE, endpoint: EDGEX_PATHS.createOrder };
    const size = toDecimal(request.size, "size");
    if (!size.gt(0) || !isMultipleOf(size, market.sizeStep)) {
      throw new InvalidOrderError("invalid_size", {
        ...where,
        message:
          `Cannot place order on edgex as 'size' must be a positive multiple of ${market.sizeStep}: current value is ${size}`,
      });
    }
    if (size.lt(market.minSize)) {
      throw new InvalidOrderError("invalid_size", {
        ...where,
        message:
          `Cannot place order on edgex as 'size' must be at least ${market.minSize}: current value is ${size}`,
      });
    }
    const postOnly = request.postOnly ?? false;
    const tif = request.timeInForce ?? (request.type === "market" ? "ioc" : "gtc");
    if (postOnly && (request.type === "market" || tif === "ioc" || tif === "fok")) {
      throw new OrderRejectedError("other", {
        ...where,
        message: "Cannot place order on edgex as a post-only order must rest (limit, gtc or gtt)",
      });
    }
    let price: Decimal | undefined;
    let l2Price: Decimal;
    if (request.type === "limit") {
      if (request.price === undefined) {
        throw new InvalidOrderError("invalid_price", {
          ...where,
          message: "Cannot place order on edgex as 'price' is required for a limit order",
        });
      }
      price = this.#onTick(request.price, market, "price");
      l2Price = price;
    } else {
      l2Price = request.worstPrice !== undefined
        ? this.#onTick(request.worstPrice, market, "worstPrice")
        : await this.#defaultWorstPrice(m, request.side);
    }
    const clientOrderId = request.clientOrderId ?? this.#newId();
    const knownId = this.#byClientId.get(clientOrderId);
    const known = knownId === undefined ? undefined : this.#orders.get(knownId);
    if (known && !isTerminal(known.order.status)) {
      throw new DuplicateClientOrderIdError(clientOrderId, where);
    }
    const timeInForce = postOnly
      ? "POST_ONLY"
      : tif === "ioc"
      ? "IMMEDIATE_OR_CANCEL"
      : tif === "fok"
      ? "FILL_OR_KILL"
      : "GOOD_TIL_CANCEL";
    const expireTime = tif === "gtt" && request.expiresAt !== undefined
      ? request.expiresAt
      : Math.floor(this.#venueClock.now()) + EDGEX_EXPIRY.defaultMs;
    const signed = await signer.signOrder(
      {
        accountId: this.#creds.accountId,
        side: request.side,
        size,
        price: l2Price,
        clientOrderId,
        expireTime,
      },
      {
        contractId: m.contract.contractId,
        quoteCoinId: m.contract.quoteCoinId,
        contractResolution: m.contractResolution,
        quoteResolution: m.quoteResolution,
        takerFeeRate: m.contract.defaultTakerFeeRate?.toString(),
        makerFeeRate: m.contract.defaultMakerFeeRate?.toString(),
      },
    );
    const body = {
      accountId: this.#creds.accountId,
      contractId: m.contract.contractId,
      side: request.side === "buy" ? "BUY" : "SELL",
      size: signed.l2Size,
      price: request.type === "limit" ? price!.toFixed() : "0",
      clientOrderId,
      type: request.type === "limit" ? "LIMIT" : "MARKET",
      timeInForce,
      reduceOnly: request.reduceOnly ?? false,
      expireTime: signed.expireTime,
      l2Nonce: signed.l2Nonce,
      l2Value: signed.l2Value,
      l2Size: signed.l2Size,
      l2LimitFee: signed.l2LimitFee,
      l2ExpireTime: signed.l2ExpireTime,
      l2Signature: signed.l2Signature,
    };
    const { orderId } = await placeOnce({
      clientOrderId,
      clock: this.#clock,
      send: async () => {
        const r = await this.#http.request({
          method: "POST",
          path: EDGEX_PATHS.createOrder,
          body,
          idempotent: false,
          schema: edgeXEnvelope(createOrderResultSchema),
        });
        return { clientOrderId, orderId: r.data.orderId };
      },
      lookup: async () => {
        const [o] = await this.#fetchOrders("clientOrderIdList", [clientOrderId]);
        return o?.id === undefined ? undefined : { clientOrderId, orderId: o.id };
      },
    });
    this.#byClientId.set(clientOrderId, orderId);
    const order = await this.#awaitOutcome(orderId);
    if (
      order.clientOrderId !== clientOrderId || order.side !== request.side ||
      order.type !== request.type || (price !== undefined && !order.price?.eq(price)) ||
      // A reduce-only order may come back resized to the position.
      (!order.size.eq(size) && !(request.reduceOnly ?? false))
    ) {
      // The venue answered with an existing, different order that owns this client id.
      throw new DuplicateClientOrderIdError(clientOrderId, where);
    }
    if (order.status === "canceled" && order.cancelReason === "post_only_would_cross") {
      throw new PostOnlyWouldCrossError({
        ...where,
        details: { orderId, clientOrderId },
        message:
          `Order rejected on edgex: post-only order ${clientOrderId} would cross the book (accepted as ${orderId}, then canceled)`,
      });
    }
    return order;
  }

  #onTick(value: DecimalInput, market: Market, name: string): Decimal {
    const d = toDecimal(value, name);
    if (!d.gt(0) || !isMultipleOf(d, market.tickSize)) {
      throw new InvalidOrderError("invalid_price", {
        venue: VENUE,
        endpoint: EDGEX_PATHS.createOrder,
        message:
          `Cannot place order on edgex as '${name}' must be a positive multiple of ${market.tickSize}: current value is ${d}`,
      });
    }
    return d;
  }

  async #defaultWorstPrice(m: EdgeXMarket, side: "buy" | "sell"): Promise<Decimal> {
    const tick = m.market.tickSize;
    let best: Decimal | undefined;
    try {
      const snap = await this.getOrderBook(m.market.symbol, 1);
      best = side === "buy" ? snap.asks[0]?.price : snap.bids[0]?.price;
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
    if (best !== undefined) {
      const factor = side === "buy" ? this.#slippage.plus(1) : new Decimal(1).minus(this.#slippage);
      const p = quantize(best.times(factor), tick, side === "buy" ? "down" : "up");
      return p.gt(0) ? p : tick;
    }
    // Empty side: the official SDKs' rule (oracle × 10 for a buy, one tick for a sell).
    const ticker = await getTicker(this.#http, m.contract.contractId);
    if (!ticker?.oraclePrice) {
      throw new NotFoundError({
        venue: VENUE,
        message:
          `Cannot price a market order on edgex ${m.market.symbol}: no book and no oracle price`,
      });
    }
    return quantize(
      edgeXMarketOrderPrice(side, { oraclePrice: ticker.oraclePrice, tickSize: tick }),
      tick,
      "down",
    );
  }

  async #awaitOutcome(orderId: string): Promise<Order> {
    const timeoutMs = this.#options.placementTimeoutMs ?? 5_000;
    const deadline = this.#clock.now() + timeoutMs;
    for (let round = 0;; round++) {
      const known = this.#orders.get(orderId);
      if (known && known.order.status !== "pending") return known.order;
      if (round > 0 || !known) {
        const [fetched] = await this.#fetchOrders("orderIdList", [orderId]);
        if (fetched && fetched.status !== "pending") return fetched;
      }
      const left = deadline - this.#clock.now();
      if (left <= 0) {
        const last = this.#orders.get(orderId)?.order;
        if (last) return last;
        throw new NotFoundError({
          venue: VENUE,
          endpoint: EDGEX_PATHS.getOrderById,
          message: `Order ${orderId} was accepted by edgex but cannot be found`,
        });
      }
      await this.#nextOrderUpdate(Math.min(left, 250));
    }
  }

  #nextOrderUpdate(maxMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const stop = new AbortController();
      const wake = () => {
        this.#orderWaiters.delete(wake);
        stop.abort();
        resolve();
      };
      this.#orderWaiters.add(wake);
      this.#clock.sleep(maxMs, stop.signal).then(wake, () => {});
    });
  }

  async #fetchOrders(
    key: "orderIdList" | "clientOrderIdList",
    values: string[],
  ): Promise<Order[]> {
    const path = key === "orderIdList"
      ? EDGEX_PATHS.getOrderById
      : EDGEX_PATHS.getOrderByClientOrderId;
    const r = await this.#http.request({
      method: "GET",
      path,
      query: { accountId: this.#creds.accountId, [key]: values.join(",") },
      schema: edgeXEnvelope(z.array(orderSchema)),
    });
    return r.data.map((o) => this.#merge(o)).filter((o): o is Order => o !== undefined);
  }

  /** Cancels one active order by venue id or client order id. */
  async cancelOrder(symbol: string, ref: OrderRef): Promise<void> {
    await this.#market(symbol);
    const byId = ref.id !== undefined;
    const path = byId ? EDGEX_PATHS.cancelOrderById : EDGEX_PATHS.cancelOrderByClientOrderId;
    const key = byId ? ref.id! : ref.clientOrderId!;
    const orderId = byId ? key : this.#byClientId.get(key);
    const known = orderId === undefined ? undefined : this.#orders.get(orderId);
    if (known) known.cancelRequested = true;
    const r = await this.#http.request({
      method: "POST",
      path,
      body: byId
        ? { accountId: this.#creds.accountId, orderIdList: [key] }
        : { accountId: this.#creds.accountId, clientOrderIdList: [key] },
      idempotent: true,
      schema: edgeXEnvelope(cancelResultSchema),
    });
    const result = r.data.cancelResultMap[key];
    if (result === undefined || !result.startsWith("SUCCESS")) {
      throw new NotFoundError({
        venue: VENUE,
        endpoint: path,
        code: result,
        message: `Cannot cancel order ${key} on edgex ${symbol}: ${result ?? "no result"}`,
      });
    }
  }

  /** Cancels every active order, of one symbol if given. */
  async cancelAllOrders(symbol?: string): Promise<void> {
    const filter = symbol === undefined ? [] : [(await this.#market(symbol)).contract.contractId];
    for (const k of this.#orders.values()) {
      if (!isTerminal(k.order.status) && (symbol === undefined || k.order.symbol === symbol)) {
        k.cancelRequested = true;
      }
    }
    await this.#http.request({
      method: "POST",
      path: EDGEX_PATHS.cancelAllOrder,
      body: { accountId: this.#creds.accountId, filterContractIdList: filter },
      idempotent: true,
      schema: edgeXEnvelope(cancelResultSchema),
    });
  }

  /** One order by venue id or client order id; `undefined` when the venue does not know it. */
  async getOrder(symbol: string, ref: OrderRef): Promise<Order | undefined> {
    await this.#market(symbol);
    const [o] = ref.id !== undefined
      ? await this.#fetchOrders("orderIdList", [ref.id])
      : await this.#fetchOrders("clientOrderIdList", [ref.clientOrderId]);
    return o && o.symbol === symbol ? o : undefined;
  }

  /** Active orders (every page of `getActiveOrderPage`), of one symbol if given. */
  async getOpenOrders(symbol?: string): Promise<Order[]> {
    const filter = symbol === undefined
      ? undefined
      : (await this.#market(symbol)).contract.contractId;
    await this.getMarkets();
    const out: Order[] = [];
    let offsetData = "";
    for (let page = 0; page < 1_000; page++) {
      const r = await this.#http.request({
        method: "GET",
        path: EDGEX_PATHS.getActiveOrderPage,
        query: {
          accountId: this.#creds.accountId,
          size: 200,
          offsetData: offsetData === "" ? undefined : offsetData,
          filterContractIdList: filter,
        },
        schema: edgeXEnvelope(pageOf(orderSchema)),
      });
      for (const raw of r.data.dataList) {
        const o = this.#merge(raw);
        if (o && !isTerminal(o.status)) out.push(o);
      }
      offsetData = r.data.nextPageOffsetData;
      if (offsetData === "" || r.data.dataList.length === 0) break;
    }
    return out;
  }

  // ------------------------------------------------------------------------------ account

  async #accountAsset() {
    await this.getMarkets();
    const r = await this.#http.request({
      method: "GET",
      path: EDGEX_PATHS.getAccountAsset,
      query: { accountId: this.#creds.accountId },
      schema: edgeXEnvelope(accountAssetSchema),
    });
    return r.data;
  }

  /** Collateral of the quote coin: equity (`totalEquity`) and available amount. */
  async getBalance(): Promise<Balance> {
    const asset = await this.#accountAsset();
    const quote = this.#loaded?.[0]?.quoteCoin;
    const coinId = quote?.coinId ?? asset.collateralList[0]?.coinId;
    const model = asset.collateralAssetModelList?.find((c) => c.coinId === coinId);
    const collateral = asset.collateralList.find((c) => c.coinId === coinId);
    if (!model && !collateral) {
      throw new MalformedPayloadError("collateralList", {
        venue: VENUE,
        endpoint: EDGEX_PATHS.getAccountAsset,
        details: `no collateral for coin ${coinId}`,
      });
    }
    const equity = model?.totalEquity ?? collateral!.totalAmount ?? collateral!.amount;
    const available = model?.availableAmount ?? collateral!.availableAmount ?? equity;
    let upnl: Decimal | undefined;
    for (const p of asset.positionAssetList ?? []) {
      if (p.unrealizePnl) upnl = (upnl ?? new Decimal(0)).plus(p.unrealizePnl);
    }
    return {
      venue: VENUE,
      asset: quote?.coinName ?? "USDC",
      equity,
      available,
      ...(upnl ? { unrealizedPnl: upnl } : {}),
    };
  }

  /** Non-zero positions with entry price, unrealized PnL and liquidation price. */
  async getPositions(): Promise<Position[]> {
    const asset = await this.#accountAsset();
    const out: Position[] = [];
    for (const p of asset.positionList) {
      if (p.openSize.isZero()) continue;
      const m = this.#marketById(p.contractId);
      if (!m) continue;
      const extra = asset.positionAssetList?.find((a) => a.contractId === p.contractId);
      out.push({
        venue: VENUE,
        symbol: m.market.symbol,
        size: p.openSize,
        entryPrice: extra?.avgEntryPrice ?? entryOf(p.openSize, p.openValue),
        ...(extra?.unrealizePnl ? { unrealizedPnl: extra.unrealizePnl } : {}),
        ...(extra?.liquidatePrice && !extra.liquidatePrice.isZero()
          ? { liquidationPrice: extra.liquidatePrice }
          : {}),
      });
    }
    return out;
  }

  // ------------------------------------------------------------------------------ books

  /**
   * Subscribes `depth.{contractId}.{level}` and keeps a live book: snapshot, absolute-size
   * `changed` frames chained by version, resubscribe on a gap. Resolves after the first
   * snapshot (or after the placement timeout, stale).
   */
  async subscribeOrderBook(symbol: string): Promise<OrderBookSubscription> {
    const m = await this.#market(symbol);
    await this.getMarkets();
    const ws = await this.#publicWs();
    const contractId = m.contract.contractId;
    let entry = this.#books.get(contractId);
    if (!entry) {
      let resolveFirst = () => {};
      const firstSnapshot = new Promise<void>((r) => (resolveFirst = r));
      const channel = `depth.${contractId}.${this.#options.depthLevel ?? 15}`;
      entry = { contractId, channel, books: new Set(), firstSnapshot, resolveFirst };
      this.#books.set(contractId, entry);
      ws.subscribe({ type: "subscribe", channel }, { key: channel });
    }
    const e = entry;
    const book: LiveOrderBook = new LiveOrderBook(symbol, {
      venue: VENUE,
      sequenceRule: "chained",
      requestSnapshot: () => this.#resubscribe(e),
      onClose: () => {
        e.books.delete(book);
        if (e.books.size === 0 && this.#books.get(contractId) === e) {
          this.#books.delete(contractId);
          this.#public?.unsubscribe(e.channel, {
            message: { type: "unsubscribe", channel: e.channel },
          });
        }
      },
      onError: (err) =>
        log.warn("Resync of {channel} failed: {error}", { channel: e.channel, error: String(err) }),
    });
    e.books.add(book);
    // Later subscribers start from the current state: ask for a fresh snapshot.
    if (e.books.size > 1) this.#resubscribe(e);
    const stop = new AbortController();
    await Promise.race([
      e.firstSnapshot,
      this.#clock.sleep(this.#options.placementTimeoutMs ?? 5_000, stop.signal).catch(() => {}),
    ]);
    stop.abort();
    return book;
  }

  #resubscribe(entry: BookEntry): void {
    const ws = this.#public;
    if (!ws || ws.state !== "connected") return; // the reconnect resubscribes
    try {
      ws.send({ type: "unsubscribe", channel: entry.channel });
      ws.send({ type: "subscribe", channel: entry.channel });
    } catch {
      // Going away: the reconnect sends the subscription again.
    }
  }

  async #publicWs(): Promise<WsTransport> {
    if (!this.#public) {
      const ws = createWsTransport({
        venue: VENUE,
        url: `${this.#wsUrl.replace(/\/+$/, "")}${
          this.#options.publicWsPath ?? EDGEX_WS_PATHS.public
        }`,
        WebSocket: this.#options.WebSocket,
        clock: this.#clock,
        heartbeat: { intervalMs: 30_000, message: () => ({ type: "ping", time: this.#stamp() }) },
        reconnect: { baseDelayMs: this.#options.reconnectBaseDelayMs ?? 500 },
      });
      ws.onMessage((msg) => this.#onPublic(ws, msg));
      ws.onStateChange((e) => {
        if (e.state !== "connected") {
          for (const entry of this.#books.values()) for (const b of entry.books) b.markStale();
        }
        this.#hub.emit({
          type: "connection",
          stream: "book",
          state: e.state,
          ...(e.error ? { error: e.error } : {}),
        });
      });
      this.#public = ws;
    }
    await this.#public.connect();
    return this.#public;
  }

  #onPublic(ws: WsTransport, msg: WsMessage): void {
    const data = msg.data as Record<string, unknown> | undefined;
    if (!data || typeof data !== "object") return;
    const type = data.type;
    if (type === "ping") {
      this.#pong(ws, data);
      return;
    }
    if (type !== "quote-event") {
      if (type === "error") log.warn("Public stream error: {frame}", { frame: msg.raw });
      return;
    }
    const channel = typeof data.channel === "string" ? data.channel : "";
    if (!channel.startsWith("depth.")) return;
    const entry = [...this.#books.values()].find((e) => e.channel === channel);
    if (!entry) return;
    let frame: DepthFrame;
    try {
      frame = decodeDepthFrame(data, channel);
    } catch (e) {
      log.warn("Dropping a malformed depth frame on {channel}: {error}", {
        channel,
        error: e instanceof Error ? e.message : String(e),
      });
      for (const b of entry.books) b.markStale();
      this.#resubscribe(entry);
      return;
    }
    const sides = { bids: frame.bids, asks: frame.asks };
    for (const book of entry.books) {
      if (frame.snapshot) {
        book.applySnapshot(sides, { sequence: frame.endVersion });
      } else {
        book.applyDelta(sides, { sequence: frame.endVersion, prevSequence: frame.startVersion });
      }
    }
    if (frame.snapshot) entry.resolveFirst();
  }

  /** Best bid/ask from the live book when subscribed and fresh, else from REST `getDepth`. */
  async getBestBidAsk(symbol: string): Promise<BestBidAsk> {
    const snap = await this.getOrderBook(symbol, 1);
    return bestBidAskOf(snap, VENUE);
  }

  /** Book depth from the live book when subscribed and fresh, else from REST `getDepth`. */
  async getOrderBook(symbol: string, depth = 20): Promise<BookSnapshot> {
    const m = await this.#market(symbol);
    const entry = this.#books.get(m.contract.contractId);
    for (const b of entry?.books ?? []) {
      const snap = b.snapshot(depth);
      if (!snap.stale) return snap;
    }
    const level = depth > 15 ? 200 : 15;
    const d = await getDepth(this.#http, m.contract.contractId, level);
    const conv = (l: { price: string; size: string }) => ({
      price: new Decimal(l.price),
      size: new Decimal(l.size),
    });
    const byPrice = (desc: boolean) => (a: { price: Decimal }, b: { price: Decimal }) =>
      desc ? b.price.comparedTo(a.price) : a.price.comparedTo(b.price);
    return {
      symbol,
      bids: (d?.bids ?? []).map(conv).filter((l) => !l.size.isZero()).sort(byPrice(true))
        .slice(0, depth),
      asks: (d?.asks ?? []).map(conv).filter((l) => !l.size.isZero()).sort(byPrice(false))
        .slice(0, depth),
      sequence: d?.endVersion ?? 0,
      timestamp: this.#venueClock.now(),
      stale: false,
    };
  }

  // ------------------------------------------------------------------------------ events

  /** Order, fill, position and connection events as an async iterator. */
  events(options?: { signal?: AbortSignal }): AsyncIterableIterator<ExchangeEvent> {
    return this.#hub.events(options);
  }

  /** Registers an event listener; returns the function that removes it. */
  onEvent(listener: (event: ExchangeEvent) => void): () => void {
    return this.#hub.onEvent(listener);
  }

  /** A fresh client order id (a decimal below 2^63). */
  newClientOrderId(): string {
    return this.#newId();
  }

  #stamp(): string {
    return String(Math.floor(this.#venueClock.now()));
  }

  #pong(ws: WsTransport, frame: Record<string, unknown>): void {
    try {
      ws.send({ type: "pong", time: frame.time });
    } catch {
      // Closing; the server drops us after 5 missed pongs anyway.
    }
  }

  #onPrivate(ws: WsTransport, msg: WsMessage): void {
    const data = msg.data as Record<string, unknown> | undefined;
    if (!data || typeof data !== "object") return;
    switch (data.type) {
      case "ping":
        this.#pong(ws, data);
        return;
      case "trade-event":
        break;
      case "error":
        log.warn("Private stream error: {frame}", { frame: msg.raw });
        return;
      default:
        return;
    }
    let frame;
    try {
      frame = parsePayload(tradeEventSchema, data, { venue: VENUE, endpoint: "private ws" });
    } catch (e) {
      log.error("Dropping a malformed private frame: {error}", {
        error: e instanceof Error ? e.message : String(e),
      });
      return;
    }
    const { event, data: groups } = frame.content;
    const isSnapshot = event.toLowerCase() === "snapshot";
    const changed: Order[] = [];
    const fresh = new Set<string>();
    for (const raw of groups.order ?? []) {
      const o = this.#merge(raw, false);
      fresh.add(raw.id);
      if (o) changed.push(o);
    }
    for (const f of groups.orderFillTransaction ?? []) this.#onFill(f);
    for (const o of changed) this.#emitOrder(o);
    for (const p of groups.position ?? []) {
      const m = this.#marketById(p.contractId);
      if (!m) continue;
      this.#hub.emit({
        type: "position",
        position: {
          venue: VENUE,
          symbol: m.market.symbol,
          size: p.openSize,
          entryPrice: entryOf(p.openSize, p.openValue),
        },
      });
    }
    if (isSnapshot) {
      // Orders we thought active but the new baseline lacks finished while we were away.
      const missing = [...this.#orders.values()]
        .filter((k) => !isTerminal(k.order.status) && k.order.id && !fresh.has(k.order.id))
        .map((k) => k.order.id!);
      if (missing.length > 0) {
        this.#fetchOrders("orderIdList", missing).catch((e) =>
          log.warn("Cannot refresh orders after a snapshot: {error}", { error: String(e) })
        );
      }
    }
    for (const w of [...this.#orderWaiters]) w();
  }

  #onFill(f: EdgeXFill): void {
    if (this.#fillIds.has(f.id)) return;
    this.#fillIds.add(f.id);
    if (this.#fillIds.size > 50_000) {
      const first = this.#fillIds.values().next().value;
      if (first !== undefined) this.#fillIds.delete(first);
    }
    const known = this.#orders.get(f.orderId);
    const m = this.#marketById(f.contractId ?? known?.contractId);
    const side = f.orderSide ? (f.orderSide === "BUY" ? "buy" : "sell") : known?.order.side;
    if (!m || !side) {
      log.warn("Fill {id} of unknown order {orderId}", { id: f.id, orderId: f.orderId });
      return;
    }
    const fill: Fill = {
      venue: VENUE,
      symbol: m.market.symbol,
      tradeId: f.id,
      orderId: f.orderId,
      clientOrderId: known?.order.clientOrderId,
      side,
      price: f.fillPrice,
      size: f.fillSize,
      fee: f.fillFee,
      liquidity: f.direction === "MAKER" ? "maker" : "taker",
      timestamp: f.matchTime,
    };
    this.#hub.emit({ type: "fill", fill });
  }

  /**
   * Merges a venue record into what we know; returns the updated order, or `undefined` when the
   * record is older than what we have or lacks what a first sight needs. REST merges emit too
   * (deduplicated), so consumers see an outcome even if the stream lags.
   */
  #merge(raw: EdgeXOrder, emit = true): Order | undefined {
    const prev = this.#orders.get(raw.id);
    const contractId = raw.contractId ?? prev?.contractId;
    const m = this.#marketById(contractId);
    const side = raw.side ? (raw.side === "BUY" ? "buy" : "sell") : prev?.order.side;
    const size = raw.size ?? prev?.order.size;
    const clientOrderId = raw.clientOrderId ?? prev?.order.clientOrderId;
    if (!m || !side || !size || clientOrderId === undefined) {
      if (!prev) log.debug("Order {id} seen before its details", { id: raw.id });
      return undefined;
    }
    const tifText = raw.timeInForce ?? prev?.raw.timeInForce ?? "GOOD_TIL_CANCEL";
    const typeText = raw.type ?? prev?.raw.type ?? "LIMIT";
    const filled = raw.cumMatchSize ?? raw.cumFillSize ?? prev?.order.filledSize ?? new Decimal(0);
    const value = raw.cumMatchValue ?? raw.cumFillValue;
    let status: OrderStatus;
    switch (raw.status) {
      case "PENDING":
      case "UNTRIGGERED":
        status = "pending";
        break;
      case "OPEN":
        status = filled.isZero() ? "open" : "partially_filled";
        break;
      case "FILLED":
        status = "filled";
        break;
      case "CANCELED":
        status = "canceled";
        break;
      case "CANCELING":
        status = prev?.order.status ?? (filled.isZero() ? "open" : "partially_filled");
        break;
      default:
        status = prev?.order.status ?? "pending";
    }
    if (prev && isTerminal(prev.order.status)) return prev.order;
    if (
      prev && (STATUS_RANK[status] < STATUS_RANK[prev.order.status] ||
        filled.lt(prev.order.filledSize))
    ) {
      return prev.order;
    }
    let cancelReason: CancelReason | undefined;
    if (status === "canceled") {
      const reason = raw.cancelReason ?? prev?.raw.cancelReason;
      cancelReason = reason ? CANCEL_REASONS[reason] : undefined;
      if (reason === "COULD_NOT_FILL") {
        cancelReason = tifText === "POST_ONLY"
          ? "post_only_would_cross"
          : tifText === "FILL_OR_KILL"
          ? "fok_unfilled"
          : "ioc_unfilled";
      }
      // EdgeX accepts a crossing POST_ONLY order and then cancels it (edgex_v1 §7.3).
      if (
        tifText === "POST_ONLY" && filled.isZero() && cancelReason !== "user" &&
        !(prev?.cancelRequested && cancelReason === undefined)
      ) {
        cancelReason = "post_only_would_cross";
      }
      cancelReason ??= prev?.cancelRequested ? "user" : "other";
    }
    const price = raw.price ?? prev?.order.price;
    const order: Order = {
      venue: VENUE,
      symbol: m.market.symbol,
      id: raw.id,
      clientOrderId,
      side,
      type: typeText === "MARKET" ? "market" : "limit",
      price: price && !price.isZero() ? price : undefined,
      size,
      filledSize: filled,
      remainingSize: isTerminal(status) ? new Decimal(0) : size.minus(filled),
      averageFillPrice: value && !filled.isZero()
        ? value.div(filled)
        : prev?.order.averageFillPrice,
      status,
      timeInForce: TIF[tifText] ?? "gtc",
      postOnly: tifText === "POST_ONLY",
      reduceOnly: raw.reduceOnly ?? prev?.order.reduceOnly ?? false,
      ...(cancelReason ? { cancelReason } : {}),
      createdAt: raw.createdTime ?? prev?.order.createdAt ?? raw.updatedTime ?? 0,
      updatedAt: raw.updatedTime ?? prev?.order.updatedAt ?? 0,
    };
    this.#orders.set(raw.id, {
      order,
      contractId,
      raw: { ...prev?.raw, ...raw },
      emittedKey: prev?.emittedKey,
      cancelRequested: prev?.cancelRequested ?? false,
    });
    this.#byClientId.set(clientOrderId, raw.id);
    if (emit) this.#emitOrder(order);
    for (const w of [...this.#orderWaiters]) w();
    return order;
  }

  #emitOrder(order: Order): void {
    const k = this.#orders.get(order.id!);
    if (!k) return;
    const key = `${order.status}|${order.filledSize.toString()}`;
    // EdgeX pushes FILLED twice (the second copy carries collateral): emit a state once.
    if (k.emittedKey === key) return;
    k.emittedKey = key;
    this.#hub.emit({ type: "order", order });
  }
}

function entryOf(size: Decimal, value: Decimal | undefined): Decimal {
  if (!value || size.isZero()) return new Decimal(0);
  return value.div(size).abs();
}

interface DepthFrame {
  snapshot: boolean;
  startVersion: number;
  endVersion: number;
  bids: { price: string; size: string }[];
  asks: { price: string; size: string }[];
}

const DIGITS = /^\d+$/;

/** Hand-written shape check of a `depth.*` quote-event (hot path: no zod). */
function decodeDepthFrame(frame: Record<string, unknown>, channel: string): DepthFrame {
  const fail = (field: string, details: string): never => {
    throw new MalformedPayloadError(field, { venue: VENUE, endpoint: channel, details });
  };
  const content = frame.content as Record<string, unknown> | undefined;
  if (!content || typeof content !== "object") return fail("content", "expected an object");
  const dataType = content.dataType;
  if (typeof dataType !== "string") return fail("content.dataType", "expected a string");
  const list = content.data;
  if (!Array.isArray(list) || list.length !== 1) {
    return fail("content.data", "expected exactly one book");
  }
  const d = list[0] as Record<string, unknown>;
  const version = (name: string): number => {
    const v = d?.[name];
    if (typeof v === "string" && DIGITS.test(v)) return Number(v);
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
    return fail(`content.data.0.${name}`, "expected a version as a string of digits");
  };
  const levels = (name: "bids" | "asks") => {
    const v = d?.[name];
    if (!Array.isArray(v)) return fail(`content.data.0.${name}`, "expected an array");
    for (let i = 0; i < v.length; i++) {
      const l = v[i] as Record<string, unknown>;
      if (!l || typeof l.price !== "string" || typeof l.size !== "string") {
        fail(`content.data.0.${name}.${i}`, "expected {price, size} decimal strings");
      }
    }
    return v as { price: string; size: string }[];
  };
  return {
    snapshot: dataType.toLowerCase() === "snapshot",
    startVersion: version("startVersion"),
    endVersion: version("endVersion"),
    bids: levels("bids"),
    asks: levels("asks"),
  };
}

/** Exposed for tests of the decoder. @internal */
export const _decodeDepthFrame: typeof decodeDepthFrame = decodeDepthFrame;
