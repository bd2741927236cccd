/**
 * {@linkcode HyperliquidClient}: the Hyperliquid implementation of `ExchangeClient`, built on
 * the shared placement workflow (`placeOrderWith`), HTTP and WebSocket transports and
 * `LiveOrderBook`.
 *
 * Behaviour (facts in `common.ts` and `signing.ts`, with sources):
 * - Markets from `metaAndAssetCtxs`: the symbol is the coin name (`BTC`, `kPEPE`), the size
 *   step 10^-szDecimals. The tick follows the price: a price has at most 5 significant figures
 *   (integers always allowed) and at most 6 − szDecimals decimals, so BTC's tick is 0.1 below
 *   10,000 and 1 from there up. `getMarket` / `getMarkets` report the tick for the current
 *   price, read from the live book's mid when the market's book is subscribed and fresh, else
 *   from the mark, which is re-read (`metaAndAssetCtxs`, one request for every market) once the
 *   one held is older than 60 s; a failed re-read keeps the last mark and is tried again 5 s
 *   later. Between re-reads a call costs no request. The reported tick stays valid 10 % above
 *   the reference (`quotingTick`), so just below a power of ten it is already the coarser one.
 *   A `Market` object is never changed: a new tick comes in a new object. Call `getMarket`
 *   before computing prices, not once at start.
 * - Every order price is checked locally against both rules exactly (not against the tick of
 *   the moment): a price the venue would refuse is an `InvalidOrderError` before anything is
 *   signed, never rounded; any price the venue accepts passes.
 * - Orders are signed L1 `order` actions with a 128-bit `cloid`; post-only is `Alo`, IOC
 *   `Ioc`, GTC `Gtc`; `fok` and `gtt` are not offered. A market order is an `Ioc` limit at its
 *   worst price. A lost or unreadable answer is resolved by `orderStatus` on the cloid.
 * - Cancels by venue id (`cancel`) or by cloid (`cancelByCloid`); cancel-all cancels what
 *   `openOrders` lists.
 * - Positions and balance from `clearinghouseState`; funding payments from `userFunding`
 *   (`usdc` is already signed from the account's view); leverage with `updateLeverage`
 *   (cross).
 * - One socket: `l2Book` (full snapshots, each replaces the book), `orderUpdates`,
 *   `userFills` (the first frame is a snapshot and is skipped), `userFundings` (the same);
 *   `{"method":"ping"}` every `heartbeatMs`.
 *
 * @module
 */
import type {
  Balance,
  BestBidAsk,
  BookSnapshot,
  CancelReason,
  Clock,
  ExchangeClient,
  ExchangeEvent,
  Fill,
  FundingPayment,
  Market,
  Order,
  OrderBookSubscription,
  OrderRef,
  OrderRequest,
  OrderStatus,
  Position,
} from "../../base.ts";
import { Decimal } from "../../core/decimal.ts";
import {
  ConfigurationError,
  DuplicateClientOrderIdError,
  InsufficientMarginError,
  InvalidOrderError,
  InvalidSignatureError,
  MalformedPayloadError,
  NotFoundError,
  OrderRejectedError,
  PostOnlyWouldCrossError,
} from "../../core/errors.ts";
import { systemClock } from "../_shared/clock.ts";
import { EventHub } from "../_shared/event_hub.ts";
import { createHttpTransport, type FetchLike, type HttpTransport } from "../_shared/http.ts";
import { bestBidAskOf, LiveOrderBook } from "../_shared/live_order_book.ts";
import { parsePayload } from "../_shared/parse.ts";
import { type CheckedOrder, placeOrderWith } from "../_shared/placement.ts";
import { createWsTransport, type WebSocketConstructor, type WsTransport } from "../_shared/ws.ts";
import {
  CLOID,
  effectiveTick,
  type HyperliquidEnvironment,
  type HyperliquidHosts,
  type HyperliquidMarket,
  MIN_NOTIONAL,
  priceStep,
  quotingTick,
  randomCloid,
  resolveHyperliquidHosts,
  unifiedSymbol,
  validPrice,
  VENUE,
} from "./common.ts";
import {
  clearinghouseStateSchema,
  exchangeResponseSchema,
  l2BookSchema,
  metaAndAssetCtxsSchema,
  openOrdersSchema,
  orderStatusSchema,
  orderUpdateSchema,
  userFillsEventSchema,
  userFundingSchema,
  userFundingsEventSchema,
} from "./schemas.ts";
import {
  createHyperliquidSigner,
  type ExchangeRequest,
  type HyperliquidSigner,
  type MsgpackValue,
  toWireDecimal,
} from "./signing.ts";
import type { z } from "zod";

type WireOrder = z.output<typeof orderUpdateSchema>["order"];

/** The private channels `connect()` subscribes to. */
const PRIVATE_CHANNELS = ["orderUpdates", "userFills", "userFundings"];

/**
 * Options of {@linkcode HyperliquidClient}. Credentials fall back to
 * `HYPERLIQUID_PRIVATE_KEY` and `HYPERLIQUID_ACCOUNT_ADDRESS`.
 *
 * @example
 * ```ts
 * import type { HyperliquidClientOptions } from "./client.ts";
 * const options: HyperliquidClientOptions = { environment: "testnet" };
 * ```
 */
export interface HyperliquidClientOptions {
  /** Network. @default {"mainnet"} */
  environment?: HyperliquidEnvironment;
  /** Explicit hosts (required for `sim`). */
  hosts?: HyperliquidHosts;
  /** Key of the account or of an API (agent) wallet. @default {HYPERLIQUID_PRIVATE_KEY} */
  privateKey?: string;
  /**
   * The account traded (the master address when an API wallet signs).
   * @default {HYPERLIQUID_ACCOUNT_ADDRESS, else the key's address}
   */
  accountAddress?: string;
  /** Vault or sub-account to act for. @default {none} */
  vaultAddress?: string;
  /** Clock. @default {systemClock} */
  clock?: Clock;
  /** `fetch` to use. @default {globalThis.fetch} */
  fetch?: FetchLike;
  /** WebSocket constructor. @default {globalThis.WebSocket} */
  WebSocket?: WebSocketConstructor;
  /** REST timeout per attempt, ms. @default {10_000} */
  timeoutMs?: number;
  /** Longest wait for the private subscriptions' acknowledgements in `connect()`, ms. @default {10_000} */
  connectTimeoutMs?: number;
  /** Ms between pings. @default {15_000} */
  heartbeatMs?: number;
  /** Ms of silence after which the socket is dropped and reconnected. @default {40_000} */
  idleTimeoutMs?: number;
  /** Ms without a book frame after which a live book reads stale. @default {5_000} */
  maxSilenceMs?: number;
  /** Longest time spent resolving a doubtful placement by lookups. @default {30_000} */
  outcomeDeadlineMs?: number;
  /** Slippage of a market order without `worstPrice`. @default {"0.05"} */
  slippage?: string;
  /** Environment variables. @default {Deno.env} */
  env?: { get(name: string): string | undefined };
  /**
   * Market data only: no key is read, `connect()` loads the markets without the private
   * subscriptions (books open the socket when subscribed), and every private call (orders,
   * account, positions, funding payments, leverage) throws a `ConfigurationError` naming the
   * credential variable, before any request. @default {false}
   */
  publicOnly?: boolean;
}

/** Finished orders the client keeps for lookups by cloid; older ones are read from the venue. */
const FINISHED_ORDERS_KEPT = 1_000;
/** Fill trade ids kept to drop redelivered fills (the venue resends a snapshot on reconnect). */
const FILL_IDS_KEPT = 10_000;
/** Age after which the marks behind the reported ticks are re-read, ms. */
const MARK_MAX_AGE_MS = 60_000;
/** Wait before a failed mark re-read is tried again, ms. */
const MARK_RETRY_MS = 5_000;

/**
 * The Hyperliquid trading client.
 *
 * @example Against the local replica
 * ```ts ignore
 * import { HyperliquidClient } from "./client.ts";
 * import { startHyperliquidReplica } from "../../sim/hyperliquid/mod.ts";
 * await using replica = startHyperliquidReplica();
 * await using client = new HyperliquidClient({ environment: "sim", ...replica.clientOptions });
 * await client.connect();
 * ```
 */
export class HyperliquidClient implements ExchangeClient {
  /** Venue name. */
  readonly venue: "hyperliquid" = VENUE;
  readonly #o: HyperliquidClientOptions;
  readonly #clock: Clock;
  readonly #hosts: HyperliquidHosts;
  readonly #http: HttpTransport;
  readonly #mainnet: boolean;
  #signer: HyperliquidSigner | undefined;
  #user = "";
  /** The latest market objects (replaced, never changed, when the tick moves). */
  #markets: Map<string, HyperliquidMarket> | undefined;
  /** Mark prices by symbol, read at {@linkcode #marksAt}. */
  #marks = new Map<string, Decimal>();
  #marksAt = 0;
  #marksRetryAt = 0;
  #marksReading: Promise<void> | undefined;
  #hub = new EventHub<ExchangeEvent>();
  #ws: WsTransport | undefined;
  #books = new Map<string, Set<LiveOrderBook>>();
  #lastNonce = 0;
  #connected = false;
  /**
   * Orders by cloid: every live order, and the newest {@linkcode FINISHED_ORDERS_KEPT} finished
   * ones (a finished order older than that is read from the venue if asked for again).
   */
  #orders = new Map<string, Order>();
  /** Cloids of finished orders, oldest first. */
  #finished = new Set<string>();
  /** Trade ids of fills already emitted: the newest {@linkcode FILL_IDS_KEPT}. */
  #seenFills = new Set<string>();
  /** A `userFills` snapshot was read: later snapshots (after a reconnect) carry missed fills. */
  #fillsPrimed = false;
  /** The socket dropped since the last `orderUpdates` acknowledgement. */
  #resubscribing = false;
  #reconciling = false;
  #reconcileAgain = false;

  /**
   * Creates a client; nothing is sent until the first call.
   *
   * @param options Network, credentials, clock.
   * @throws {ConfigurationError} For `sim` without hosts.
   */
  constructor(options: HyperliquidClientOptions = {}) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    const env = options.environment ?? "mainnet";
    this.#hosts = resolveHyperliquidHosts(env, options.hosts);
    this.#mainnet = env === "mainnet";
    this.#http = createHttpTransport({
      venue: VENUE,
      baseUrl: this.#hosts.apiUrl,
      clock: this.#clock,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs ?? 10_000,
    });
  }

  #ensureSigner(): HyperliquidSigner {
    if (this.#signer) return this.#signer;
    if (this.#o.publicOnly) {
      throw new ConfigurationError(
        "The hyperliquid client is public-only (market data): orders and account reads need " +
          "HYPERLIQUID_PRIVATE_KEY (and HYPERLIQUID_ACCOUNT_ADDRESS for an API wallet)",
        { venue: VENUE },
      );
    }
    const env = this.#o.env ?? Deno.env;
    const key = this.#o.privateKey ?? env.get("HYPERLIQUID_PRIVATE_KEY");
    if (!key) {
      throw new ConfigurationError(
        "Cannot trade on hyperliquid without a key: set HYPERLIQUID_PRIVATE_KEY or 'privateKey'",
        { venue: VENUE },
      );
    }
    this.#signer = createHyperliquidSigner({
      privateKey: key,
      mainnet: this.#mainnet,
      vaultAddress: this.#o.vaultAddress,
    });
    this.#user = (this.#o.accountAddress ?? env.get("HYPERLIQUID_ACCOUNT_ADDRESS") ??
      this.#o.vaultAddress ?? this.#signer.address).toLowerCase();
    return this.#signer;
  }

  // ------------------------------------------------------------ transport

  #info<S extends z.ZodType>(body: Record<string, unknown>, schema: S): Promise<z.output<S>> {
    return this.#http.request({
      method: "POST",
      path: "/info",
      endpoint: `info ${body.type}`,
      body,
      schema,
      idempotent: true,
    });
  }

  async #exchange(action: MsgpackValue): Promise<z.output<typeof exchangeResponseSchema>> {
    return await this.#send(await this.#sign(action));
  }

  #sign(action: MsgpackValue): Promise<ExchangeRequest> {
    const nonce = Math.max(this.#clock.now(), this.#lastNonce + 1);
    this.#lastNonce = nonce;
    return this.#ensureSigner().signAction(action, nonce);
  }

  async #send(req: ExchangeRequest): Promise<z.output<typeof exchangeResponseSchema>> {
    const answer = await this.#http.request({
      method: "POST",
      path: "/exchange",
      endpoint: `exchange ${(req.action as { type: string }).type}`,
      body: req,
      schema: exchangeResponseSchema,
      idempotent: false,
    });
    if (answer.status === "err") throw rejection(answer.response, undefined);
    return answer;
  }

  // ------------------------------------------------------------ lifecycle

  /** Loads markets and opens the private streams. Idempotent. */
  async connect(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#connected) return;
    if (this.#o.publicOnly) {
      if (this.#hub.closed) this.#hub = new EventHub<ExchangeEvent>();
      await this.#loadMarkets();
      this.#connected = true;
      return;
    }
    this.#ensureSigner();
    if (this.#hub.closed) this.#hub = new EventHub<ExchangeEvent>();
    await this.#loadMarkets();
    const ws = this.#socket();
    // The venue answers each subscription with a `subscriptionResponse`; until then an order's
    // updates could be missed, so connect() waits for all three (bounded by `connectTimeoutMs`).
    const pending = new Set(PRIVATE_CHANNELS);
    const acked = Promise.withResolvers<void>();
    const off = ws.onMessage(({ data }) => {
      const d = data as { channel?: string; data?: { method?: string; subscription?: unknown } };
      const type = (d?.data?.subscription as { type?: unknown } | undefined)?.type;
      if (d?.channel !== "subscriptionResponse" || d.data?.method !== "subscribe") return;
      if (typeof type === "string" && pending.delete(type) && pending.size === 0) acked.resolve();
    });
    for (const type of PRIVATE_CHANNELS) {
      ws.subscribe({ method: "subscribe", subscription: { type, user: this.#user } }, {
        key: type,
      });
    }
    const stop = new AbortController();
    try {
      await ws.connect(options);
      await Promise.race([
        acked.promise,
        this.#clock.sleep(this.#o.connectTimeoutMs ?? 10_000, stop.signal).catch(() => {}),
      ]);
    } finally {
      stop.abort();
      off();
    }
    this.#connected = true;
  }

  /** Closes the socket and books. Idempotent. */
  async disconnect(): Promise<void> {
    this.#connected = false;
    for (const set of [...this.#books.values()]) for (const b of [...set]) await b.close();
    const ws = this.#ws;
    this.#ws = undefined;
    await ws?.close();
    if (!this.#hub.closed) {
      this.#hub.emit({ type: "connection", stream: "trading", state: "disconnected" });
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
      venue: VENUE,
      url: this.#hosts.wsUrl,
      clock: this.#clock,
      WebSocket: this.#o.WebSocket,
      heartbeat: { intervalMs: this.#o.heartbeatMs ?? 15_000, message: () => ({ method: "ping" }) },
      idleTimeoutMs: this.#o.idleTimeoutMs ?? 40_000,
    });
    ws.onMessage((m) => this.#onFrame(m.data));
    ws.onStateChange((e) => {
      if (e.state !== "connected") {
        for (const s of this.#books.values()) for (const b of s) b.markStale();
      }
      if (e.state === "reconnecting") this.#resubscribing = true;
      if (e.state === "connected" || e.state === "reconnecting" || e.state === "disconnected") {
        this.#hub.emit({
          type: "connection",
          stream: "trading",
          state: e.state,
          ...(e.error ? { error: e.error } : {}),
        });
      }
    });
    return this.#ws = ws;
  }

  #onFrame(data: unknown): void {
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
      // Not a frame of any channel: it may have been an order update or a fill.
      this.#unreadable(
        new MalformedPayloadError("", {
          venue: VENUE,
          endpoint: "ws",
          details: `expected a JSON object: got ${String(data).slice(0, 80)}`,
        }),
      );
      return;
    }
    const { channel, data: payload } = data as { channel?: string; data?: unknown };
    try {
      if (channel === "l2Book") this.#onBook(payload);
      else if (channel === "subscriptionResponse") {
        const sub = (payload as { subscription?: { type?: unknown } } | undefined)?.subscription;
        if (sub?.type === "orderUpdates" && this.#resubscribing) {
          // Updates sent while the socket was down are lost: read the live orders once the
          // stream is back, so a fill during the outage still reaches the listeners.
          this.#resubscribing = false;
          void this.#reconcile();
        }
      } else if (channel === "orderUpdates") {
        for (const u of parsePayload(orderUpdateSchema.array(), payload, this.#ctx(channel))) {
          const order = this.#toOrder(u.order, u.status, u.statusTimestamp);
          if (order) this.#hub.emit({ type: "order", order });
        }
      } else if (channel === "userFills") {
        const ev = parsePayload(userFillsEventSchema, payload, this.#ctx(channel));
        for (const f of ev.fills) {
          const fill = this.#toFill(f);
          if (!fill || this.#seenFills.has(fill.tradeId)) continue;
          this.#seenFills.add(fill.tradeId);
          if (this.#seenFills.size > FILL_IDS_KEPT) {
            this.#seenFills.delete(this.#seenFills.values().next().value!);
          }
          // The first snapshot is history; a later one (after a reconnect) has missed fills.
          if (!ev.isSnapshot || this.#fillsPrimed) this.#hub.emit({ type: "fill", fill });
        }
        if (ev.isSnapshot) this.#fillsPrimed = true;
      } else if (channel === "userFundings") {
        const ev = parsePayload(userFundingsEventSchema, payload, this.#ctx(channel));
        if (ev.isSnapshot) return;
        for (const f of ev.fundings) {
          const symbol = unifiedSymbol(f.coin);
          if (!this.#markets?.has(symbol)) continue;
          this.#hub.emit({
            type: "funding",
            payment: {
              venue: VENUE,
              symbol,
              time: f.time,
              amount: f.usdc,
              rate: f.fundingRate,
              positionSize: f.szi,
            },
          });
        }
      }
    } catch (e) {
      if (!(e instanceof MalformedPayloadError)) throw e;
      if (channel === "l2Book") {
        // The next snapshot replaces the whole book; until then it reads stale.
        for (const s of this.#books.values()) for (const b of s) b.markStale();
      } else if (PRIVATE_CHANNELS.includes(channel ?? "")) this.#unreadable(e);
    }
  }

  /** An unreadable frame may have carried an order update or a fill: report, then re-read. */
  #unreadable(error: MalformedPayloadError): void {
    if (this.#ws?.state === "connected") {
      this.#hub.emit({ type: "connection", stream: "trading", state: "connected", error });
    }
    void this.#reconcile();
  }

  /** Runs {@linkcode #reconcileOrders}, once more if asked again meanwhile, never twice at once. */
  async #reconcile(): Promise<void> {
    if (this.#reconciling) {
      this.#reconcileAgain = true;
      return;
    }
    this.#reconciling = true;
    try {
      do {
        this.#reconcileAgain = false;
        await this.#reconcileOrders();
      } while (this.#reconcileAgain && this.#connected);
    } finally {
      this.#reconciling = false;
    }
  }

  /**
   * Reads the open orders, and looks up each known live order that is no longer listed; every
   * known order whose state changed is emitted.
   */
  async #reconcileOrders(): Promise<void> {
    const before = new Map(
      [...this.#orders].filter(([, o]) =>
        o.status === "open" || o.status === "partially_filled" || o.status === "pending"
      ),
    );
    const changed = (now: Order) => {
      const known = before.get(now.clientOrderId);
      return known !== undefined &&
        (now.status !== known.status || !now.filledSize.eq(known.filledSize));
    };
    let listed: Set<string> | undefined;
    try {
      const open = await this.getOpenOrders();
      listed = new Set(open.map((o) => o.clientOrderId));
      for (const o of open) if (changed(o)) this.#hub.emit({ type: "order", order: o });
    } catch {
      // Each known order is looked up instead.
    }
    for (const known of before.values()) {
      if (listed?.has(known.clientOrderId)) continue;
      try {
        const now = await this.getOrder(known.symbol, { clientOrderId: known.clientOrderId });
        if (now && changed(now)) this.#hub.emit({ type: "order", order: now });
      } catch {
        // The next reconnect or the caller's own reads will catch up.
      }
    }
  }

  #ctx(endpoint: string) {
    return { venue: VENUE, endpoint };
  }

  // ------------------------------------------------------------ markets

  /**
   * Every listed perpetual, each with the tick of its current price (see the module doc).
   *
   * @returns The markets.
   */
  async getMarkets(): Promise<Market[]> {
    const markets = await this.#loadMarkets();
    const symbols = [...markets.keys()];
    if (symbols.some((s) => this.#bookMid(s) === undefined)) await this.#freshMarks();
    return symbols.map((s) => this.#current(s));
  }

  /**
   * One market, with the tick of its current price: from the live book's mid when subscribed
   * and fresh, else from the mark (re-read when older than 60 s). Cheap to call every cycle.
   *
   * @param symbol Coin name.
   * @returns The market; a new object whenever the tick changed.
   * @throws {NotFoundError} For an unknown coin.
   */
  async getMarket(symbol: string): Promise<Market> {
    await this.#market(symbol);
    if (this.#bookMid(symbol) === undefined) await this.#freshMarks();
    return this.#current(symbol);
  }

  /** The market with the tick at its reference price; a new object if the tick moved. */
  #current(symbol: string): HyperliquidMarket {
    const m = this.#markets!.get(symbol)!;
    const reference = this.#bookMid(symbol) ?? this.#marks.get(symbol) ?? new Decimal(0);
    const tick = quotingTick(reference, m.szDecimals);
    if (tick.eq(m.tickSize)) return m;
    const next: HyperliquidMarket = { ...m, tickSize: tick };
    this.#markets!.set(symbol, next);
    return next;
  }

  /** Mid of a subscribed, fresh live book with both sides, else `undefined`. */
  #bookMid(symbol: string): Decimal | undefined {
    for (const b of this.#books.get(symbol) ?? []) {
      if (b.stale) continue;
      const { bids, asks } = b.snapshot(1);
      if (bids[0] && asks[0]) return bids[0].price.plus(asks[0].price).div(2);
    }
    return undefined;
  }

  /** Re-reads the marks when older than {@linkcode MARK_MAX_AGE_MS}; one read at a time. */
  async #freshMarks(): Promise<void> {
    const now = this.#clock.now();
    if (now - this.#marksAt < MARK_MAX_AGE_MS || now < this.#marksRetryAt) return;
    this.#marksReading ??= (async () => {
      try {
        const [meta, ctxs] = await this.#info(
          { type: "metaAndAssetCtxs" },
          metaAndAssetCtxsSchema,
        );
        this.#readMarks(meta.universe, ctxs);
      } catch {
        // The last marks stay in use; the read is tried again a little later.
        this.#marksRetryAt = this.#clock.now() + MARK_RETRY_MS;
      } finally {
        this.#marksReading = undefined;
      }
    })();
    await this.#marksReading;
  }

  #readMarks(
    universe: { name: string }[],
    ctxs: ({ markPx: Decimal } | undefined)[],
  ): void {
    universe.forEach((u, i) => {
      const mark = ctxs[i]?.markPx;
      if (mark) this.#marks.set(unifiedSymbol(u.name), mark);
    });
    this.#marksAt = this.#clock.now();
  }

  async #loadMarkets(): Promise<Map<string, HyperliquidMarket>> {
    if (this.#markets) return this.#markets;
    const [meta, ctxs] = await this.#info({ type: "metaAndAssetCtxs" }, metaAndAssetCtxsSchema);
    if (this.#markets) return this.#markets;
    this.#readMarks(meta.universe, ctxs);
    const out = new Map<string, HyperliquidMarket>();
    meta.universe.forEach((u, i) => {
      if (u.isDelisted) return;
      const step = new Decimal(10).pow(-u.szDecimals);
      const symbol = unifiedSymbol(u.name);
      out.set(symbol, {
        venue: VENUE,
        symbol,
        venueSymbol: u.name,
        venueId: i,
        baseAsset: symbol,
        quoteAsset: "USDC",
        tickSize: quotingTick(ctxs[i]?.markPx ?? new Decimal(0), u.szDecimals),
        sizeStep: step,
        minSize: step,
        minNotional: new Decimal(MIN_NOTIONAL),
        ...(u.maxLeverage ? { maxLeverage: new Decimal(u.maxLeverage) } : {}),
        makerFee: new Decimal("0.00015"),
        takerFee: new Decimal("0.00045"),
        fundingIntervalHours: 1,
        szDecimals: u.szDecimals,
      });
    });
    return this.#markets = out;
  }

  async #market(symbol: string): Promise<HyperliquidMarket> {
    const m = (await this.#loadMarkets()).get(symbol);
    if (!m) {
      throw new NotFoundError({
        venue: VENUE,
        message: `Unknown market '${symbol}' on hyperliquid`,
      });
    }
    return m;
  }

  // ------------------------------------------------------------ orders

  /**
   * Places an order once; a doubtful outcome is resolved by `orderStatus` on its cloid.
   *
   * @param request The order.
   * @returns The order as placed (`open`, `filled`, `canceled` for an unfilled IOC).
   * @throws {InvalidOrderError} For a price or size off the venue's rules.
   * @throws {PostOnlyWouldCrossError} If an `Alo` order would have crossed.
   * @throws {OrderOutcomeUnknownError} If the outcome stays unknown.
   */
  async placeOrder(request: OrderRequest): Promise<Order> {
    this.#ensureSigner();
    return await placeOrderWith<MsgpackValue, ExchangeRequest, unknown, HyperliquidMarket>({
      venue: VENUE,
      endpoint: "exchange order",
      clock: this.#clock,
      // Prices are checked against the venue's rules exactly: the finest step here, the
      // 5-significant-figure rule in `build`, whatever the tick of the moment is.
      market: async (s) => {
        const m = await this.#market(s);
        return { ...m, tickSize: priceStep(m.szDecimals) };
      },
      newClientOrderId: () => this.newClientOrderId(),
      clientOrderIdRule: {
        test: (id) => CLOID.test(id),
        describe: "0x followed by 32 lower-case hex digits",
      },
      unsupportedTimeInForce: ["fok", "gtt"],
      defaultWorstPrice: async (market, side) => {
        const book = await this.getBestBidAsk(market.symbol);
        const slip = new Decimal(this.#o.slippage ?? "0.05");
        const raw = side === "buy"
          ? book.ask.times(slip.plus(1))
          : book.bid.times(new Decimal(1).minus(slip));
        const tick = effectiveTick(raw, market.szDecimals);
        return raw.toNearest(tick, side === "buy" ? Decimal.ROUND_DOWN : Decimal.ROUND_UP);
      },
      build: (o) => {
        const px = (o.price ?? o.worstPrice)!;
        if (!validPrice(px, o.market.szDecimals)) {
          throw new InvalidOrderError("invalid_price", {
            venue: VENUE,
            message:
              `Cannot place order on hyperliquid as price ${px} has more than 5 significant figures or ${
                6 - o.market.szDecimals
              } decimals`,
          });
        }
        const tif = o.postOnly ? "Alo" : o.timeInForce === "ioc" ? "Ioc" : "Gtc";
        return {
          type: "order",
          orders: [{
            a: o.market.venueId,
            b: o.side === "buy",
            p: toWireDecimal(px.toFixed()),
            s: toWireDecimal(o.size.toFixed()),
            r: o.reduceOnly,
            t: { limit: { tif } },
            c: o.clientOrderId,
          }],
          grouping: "na",
        };
      },
      sign: (action) => this.#sign(action),
      send: (req) =>
        this.#http.request({
          method: "POST",
          path: "/exchange",
          endpoint: "exchange order",
          body: req,
          schema: exchangeResponseSchema,
          idempotent: false,
        }),
      parse: (answer, o) =>
        this.#parsePlacement(answer as z.output<typeof exchangeResponseSchema>, o),
      lookup: (o) => this.getOrder(o.market.symbol, { clientOrderId: o.clientOrderId }),
      outcomeDeadlineMs: this.#o.outcomeDeadlineMs,
    }, request);
  }

  #parsePlacement(
    answer: z.output<typeof exchangeResponseSchema>,
    o: CheckedOrder<HyperliquidMarket>,
  ): Order {
    if (answer.status === "err") throw rejection(answer.response, o.clientOrderId);
    const st = answer.response.data?.statuses[0];
    if (st === undefined || st === "success") {
      throw new MalformedPayloadError("response.data.statuses", {
        venue: VENUE,
        endpoint: "exchange order",
      });
    }
    const now = this.#clock.now();
    const base: Order = {
      venue: VENUE,
      symbol: o.market.symbol,
      id: undefined,
      clientOrderId: o.clientOrderId,
      side: o.side,
      type: o.type,
      price: o.price ?? o.worstPrice,
      size: o.size,
      filledSize: new Decimal(0),
      remainingSize: o.size,
      averageFillPrice: undefined,
      status: "open",
      timeInForce: o.timeInForce,
      postOnly: o.postOnly,
      reduceOnly: o.reduceOnly,
      createdAt: now,
      updatedAt: now,
    };
    if ("error" in st) throw rejection(st.error, o.clientOrderId);
    if ("resting" in st) return this.#remember({ ...base, id: String(st.resting.oid) });
    const filled = st.filled.totalSz;
    const done = filled.gte(o.size);
    return this.#remember({
      ...base,
      id: String(st.filled.oid),
      filledSize: filled,
      remainingSize: o.size.minus(filled),
      averageFillPrice: st.filled.avgPx,
      status: done ? "filled" : "canceled",
      ...(done ? {} : { cancelReason: "ioc_unfilled" as const }),
    });
  }

  #remember(order: Order): Order {
    this.#keep(order.clientOrderId, order);
    return order;
  }

  /** Records an order's latest state; finished orders beyond the newest few are dropped. */
  #keep(cloid: string, order: Order): void {
    this.#orders.set(cloid, order);
    if (
      order.status === "open" || order.status === "partially_filled" || order.status === "pending"
    ) {
      this.#finished.delete(cloid);
      return;
    }
    this.#finished.delete(cloid);
    this.#finished.add(cloid);
    if (this.#finished.size > FINISHED_ORDERS_KEPT) {
      const oldest = this.#finished.values().next().value!;
      this.#finished.delete(oldest);
      this.#orders.delete(oldest);
    }
  }

  /** How many orders the client remembers (live + finished), for the bounds test. */
  get rememberedOrders(): number {
    return this.#orders.size;
  }

  #toOrder(w: WireOrder, status: string, at: number): Order | undefined {
    const market = this.#markets?.get(unifiedSymbol(w.coin));
    if (!market) return undefined;
    const known = w.cloid ? this.#orders.get(w.cloid) : undefined;
    const size = w.origSz ?? known?.size ?? w.sz;
    const filled = size.minus(w.sz);
    if (filled.lt(0) || size.isZero()) {
      throw new MalformedPayloadError("order.sz", {
        venue: VENUE,
        endpoint: "order",
        details: `remaining size ${w.sz} of an order of ${size}`,
      });
    }
    const [s, reason] = mapStatus(status, filled);
    const order: Order = {
      venue: VENUE,
      symbol: market.symbol,
      id: String(w.oid),
      clientOrderId: w.cloid ?? `oid:${w.oid}`,
      side: w.side === "B" ? "buy" : "sell",
      type: known?.type ?? "limit",
      price: w.limitPx,
      size,
      filledSize: filled,
      remainingSize: s === "open" || s === "partially_filled" ? w.sz : new Decimal(0),
      // The order wire carries no average: a known one holds only while the filled size has
      // not grown (a stale average would misprice the newer fills).
      averageFillPrice: known?.filledSize.eq(filled) ? known.averageFillPrice : undefined,
      status: s,
      timeInForce: known?.timeInForce ?? (w.tif === "Ioc" ? "ioc" : "gtc"),
      postOnly: known?.postOnly ?? w.tif === "Alo",
      reduceOnly: w.reduceOnly ?? known?.reduceOnly ?? false,
      ...(reason ? { cancelReason: reason } : {}),
      createdAt: w.timestamp,
      updatedAt: at,
    };
    if (w.cloid) this.#keep(w.cloid, order);
    return order;
  }

  #toFill(f: z.output<typeof userFillsEventSchema>["fills"][number]): Fill | undefined {
    const symbol = unifiedSymbol(f.coin);
    if (!this.#markets?.has(symbol)) return undefined;
    return {
      venue: VENUE,
      symbol,
      tradeId: String(f.tid ?? `${f.hash}:${f.oid}`),
      orderId: String(f.oid),
      clientOrderId: f.cloid ?? undefined,
      side: f.side === "B" ? "buy" : "sell",
      price: f.px,
      size: f.sz,
      fee: f.fee,
      liquidity: f.crossed ? "taker" : "maker",
      timestamp: f.time,
    };
  }

  /**
   * Cancels one order: `cancel` by venue id or `cancelByCloid`.
   *
   * @param symbol Coin.
   * @param ref Venue id or client order id.
   * @throws {NotFoundError} If the venue has no such open order.
   */
  async cancelOrder(symbol: string, ref: OrderRef): Promise<void> {
    const m = await this.#market(symbol);
    const action = ref.id !== undefined
      ? { type: "cancel", cancels: [{ a: m.venueId, o: Number(ref.id) }] }
      : { type: "cancelByCloid", cancels: [{ asset: m.venueId, cloid: ref.clientOrderId }] };
    const answer = await this.#exchange(action);
    const st = answer.status === "ok" ? answer.response.data?.statuses[0] : undefined;
    if (st && st !== "success" && "error" in st) {
      throw new NotFoundError({
        venue: VENUE,
        endpoint: `exchange ${action.type}`,
        message: `Hyperliquid did not cancel ${ref.id ?? ref.clientOrderId}: ${st.error}`,
      });
    }
  }

  /**
   * Cancels every open order (of one market if given).
   *
   * @param symbol Coin. @default {every market}
   */
  async cancelAllOrders(symbol?: string): Promise<void> {
    const open = await this.getOpenOrders(symbol);
    if (open.length === 0) return;
    const markets = await this.#loadMarkets();
    await this.#exchange({
      type: "cancel",
      cancels: open.map((o) => ({ a: markets.get(o.symbol)!.venueId, o: Number(o.id) })),
    });
  }

  /**
   * One order by venue id or cloid (`orderStatus`).
   *
   * @param symbol Coin.
   * @param ref Venue id or client order id.
   * @returns The order, or `undefined` if unknown.
   */
  async getOrder(symbol: string, ref: OrderRef): Promise<Order | undefined> {
    await this.#market(symbol);
    this.#ensureSigner();
    const r = await this.#info(
      {
        type: "orderStatus",
        user: this.#user,
        oid: ref.id !== undefined ? Number(ref.id) : ref.clientOrderId,
      },
      orderStatusSchema,
    );
    if (r.status === "unknownOid" || unifiedSymbol(r.order.order.coin) !== symbol) {
      return undefined;
    }
    const w = r.order.order;
    if (
      ref.id !== undefined ? String(w.oid) !== ref.id : (w.cloid ?? undefined) !== ref.clientOrderId
    ) {
      // An answer about another order is not an answer about this one.
      throw new MalformedPayloadError(
        ref.id !== undefined ? "order.order.oid" : "order.order.cloid",
        {
          venue: VENUE,
          endpoint: "info orderStatus",
          details: `asked for ${ref.id ?? ref.clientOrderId}, got ${w.oid} / ${
            w.cloid ?? "no cloid"
          }`,
        },
      );
    }
    return this.#toOrder(r.order.order, r.order.status, r.order.statusTimestamp);
  }

  /**
   * Open orders (`openOrders`), of one market if given.
   *
   * @param symbol Coin. @default {every market}
   * @returns The orders.
   */
  async getOpenOrders(symbol?: string): Promise<Order[]> {
    await this.#loadMarkets();
    this.#ensureSigner();
    const rows = await this.#info({ type: "openOrders", user: this.#user }, openOrdersSchema);
    return rows
      .filter((w) => symbol === undefined || unifiedSymbol(w.coin) === symbol)
      .map((w) => this.#toOrder(w, "open", w.timestamp))
      .filter((o): o is Order => o !== undefined);
  }

  // ------------------------------------------------------------ account

  async #state() {
    this.#ensureSigner();
    return await this.#info(
      { type: "clearinghouseState", user: this.#user },
      clearinghouseStateSchema,
    );
  }

  /**
   * Equity (`accountValue`), available (`withdrawable`) and the margin ratio
   * `crossMaintenanceMarginUsed / accountValue`.
   */
  async getBalance(): Promise<Balance> {
    const s = await this.#state();
    const equity = s.marginSummary.accountValue;
    const mm = s.crossMaintenanceMarginUsed;
    const upnl = s.assetPositions.reduce(
      (a, p) => a.plus(p.position.unrealizedPnl),
      new Decimal(0),
    );
    return {
      venue: VENUE,
      asset: "USDC",
      equity,
      available: s.withdrawable,
      unrealizedPnl: upnl,
      ...(mm !== undefined && equity.gt(0) ? { marginRatio: mm.div(equity) } : {}),
    };
  }

  /** Open positions from `clearinghouseState` with their risk fields. */
  async getPositions(): Promise<Position[]> {
    await this.#loadMarkets();
    const s = await this.#state();
    return s.assetPositions
      .filter((p) => !p.position.szi.isZero() && this.#markets!.has(unifiedSymbol(p.position.coin)))
      .map(({ position: p }) => ({
        venue: VENUE,
        symbol: unifiedSymbol(p.coin),
        size: p.szi,
        entryPrice: p.entryPx ?? new Decimal(0),
        unrealizedPnl: p.unrealizedPnl,
        ...(p.liquidationPx ? { liquidationPrice: p.liquidationPx } : {}),
        marginUsed: p.marginUsed,
        leverage: new Decimal(p.leverage.value),
        // cumFunding counts what the position paid: positive = paid, so negate.
        ...(p.cumFunding ? { cumulativeFunding: p.cumFunding.sinceOpen.neg() } : {}),
      }));
  }

  /**
   * Funding payments from `userFunding` (`usdc` positive = received), oldest first.
   *
   * @param options `symbol`, `start` / `end` (ms), `limit` (newest kept).
   * @returns The payments.
   */
  async getFundingPayments(
    options: { symbol?: string; start?: number; end?: number; limit?: number } = {},
  ): Promise<FundingPayment[]> {
    if (
      options.limit !== undefined && !(Number.isSafeInteger(options.limit) && options.limit > 0)
    ) {
      throw new ConfigurationError(`'limit' must be a positive integer: got ${options.limit}`, {
        venue: VENUE,
      });
    }
    await this.#loadMarkets();
    if (options.symbol !== undefined) await this.#market(options.symbol);
    this.#ensureSigner();
    const rows = await this.#info({
      type: "userFunding",
      user: this.#user,
      startTime: options.start ?? 0,
      ...(options.end !== undefined ? { endTime: options.end } : {}),
    }, userFundingSchema);
    const out = rows
      .filter((r) => options.symbol === undefined || unifiedSymbol(r.delta.coin) === options.symbol)
      .filter((r) => this.#markets!.has(unifiedSymbol(r.delta.coin)))
      .filter((r) =>
        (options.end === undefined || r.time <= options.end) && r.time >= (options.start ?? 0)
      )
      .map((r) => ({
        venue: VENUE,
        symbol: unifiedSymbol(r.delta.coin),
        time: r.time,
        amount: r.delta.usdc,
        rate: r.delta.fundingRate,
        positionSize: r.delta.szi,
        id: `${r.hash}:${r.delta.coin}`,
      }))
      .sort((a, b) => a.time - b.time);
    return options.limit === undefined ? out : out.slice(-options.limit);
  }

  /**
   * Sets cross leverage with `updateLeverage`.
   *
   * @param symbol Coin.
   * @param leverage A positive integer up to the market's `maxLeverage`.
   * @throws {ConfigurationError} If out of range or refused.
   */
  async setLeverage(symbol: string, leverage: number): Promise<void> {
    const m = await this.#market(symbol);
    if (
      !(Number.isSafeInteger(leverage) && leverage > 0) ||
      (m.maxLeverage && m.maxLeverage.lt(leverage))
    ) {
      throw new ConfigurationError(
        `Cannot setLeverage on hyperliquid as 'leverage' must be an integer in [1, ${
          m.maxLeverage ?? "max"
        }] on ${symbol}: current value is ${leverage}`,
        { venue: VENUE },
      );
    }
    try {
      await this.#exchange({ type: "updateLeverage", asset: m.venueId, isCross: true, leverage });
    } catch (e) {
      if (e instanceof OrderRejectedError) {
        throw new ConfigurationError(
          `Hyperliquid refused leverage ${leverage} on ${symbol}: ${e.message}`,
          {
            venue: VENUE,
            endpoint: "exchange updateLeverage",
          },
        );
      }
      throw e;
    }
  }

  // ------------------------------------------------------------ books

  /**
   * A live book from the `l2Book` channel; every frame is a full snapshot.
   *
   * @param symbol Coin.
   * @returns The subscription.
   */
  async subscribeOrderBook(symbol: string): Promise<OrderBookSubscription> {
    const market = await this.#market(symbol);
    const ws = this.#socket();
    let set = this.#books.get(symbol);
    const fresh = !set;
    if (!set) this.#books.set(symbol, set = new Set());
    const msg = {
      method: "subscribe",
      subscription: { type: "l2Book", coin: market.venueSymbol },
    };
    const book: LiveOrderBook = new LiveOrderBook(symbol, {
      venue: VENUE,
      clock: this.#clock,
      maxSilenceMs: this.#o.maxSilenceMs ?? 5_000,
      sequenceRule: () => true,
      requestSnapshot: () => {
        ws.subscribe(msg, { key: `l2Book:${symbol}` });
      },
      onClose: () => {
        set!.delete(book);
        if (set!.size === 0) {
          this.#books.delete(symbol);
          ws.unsubscribe(`l2Book:${symbol}`, {
            message: { method: "unsubscribe", subscription: msg.subscription },
          });
        }
      },
    });
    set.add(book);
    if (fresh) ws.subscribe(msg, { key: `l2Book:${symbol}` });
    await ws.connect();
    return book;
  }

  #onBook(payload: unknown): void {
    const b = parsePayload(l2BookSchema, payload, this.#ctx("l2Book"));
    const set = this.#books.get(unifiedSymbol(b.coin));
    if (!set) return;
    const time = b.time ?? this.#clock.now();
    for (const book of set) {
      book.applySnapshot({ bids: b.levels[0].map(lvl), asks: b.levels[1].map(lvl) }, {
        sequence: time,
        timestamp: time,
      });
    }
  }

  /** Best bid and ask from a fresh live book, else `l2Book`. */
  async getBestBidAsk(symbol: string): Promise<BestBidAsk> {
    return bestBidAskOf(await this.getOrderBook(symbol, 1), VENUE);
  }

  /**
   * Book depth from a fresh live book, else `l2Book`.
   *
   * @param symbol Coin.
   * @param depth Levels per side. @default {20}
   * @returns The book.
   */
  async getOrderBook(symbol: string, depth = 20): Promise<BookSnapshot> {
    for (const b of this.#books.get(symbol) ?? []) if (!b.stale) return b.snapshot(depth);
    const market = await this.#market(symbol);
    const b = await this.#info({ type: "l2Book", coin: market.venueSymbol }, l2BookSchema);
    const toLevels = (ls: typeof b.levels[0]) =>
      ls.slice(0, depth).map((l) => ({ price: new Decimal(l.px), size: new Decimal(l.sz) }));
    const time = b.time ?? this.#clock.now();
    return {
      symbol,
      bids: toLevels(b.levels[0]),
      asks: toLevels(b.levels[1]),
      sequence: time,
      timestamp: time,
      stale: false,
      receivedAt: this.#clock.now(),
    };
  }

  // ------------------------------------------------------------ events

  /** Order, fill, funding and connection events. */
  events(options?: { signal?: AbortSignal }): AsyncIterableIterator<ExchangeEvent> {
    return this.#hub.events(options);
  }

  /** Registers a listener; returns its remover. */
  onEvent(listener: (event: ExchangeEvent) => void): () => void {
    return this.#hub.onEvent(listener);
  }

  /** A fresh random 128-bit cloid. */
  newClientOrderId(): string {
    return randomCloid();
  }
}

const lvl = (l: { px: string; sz: string }) => ({ price: l.px, size: l.sz });

/** Order status text → unified status (and cancel reason). */
export function mapStatus(
  status: string,
  filled: Decimal,
): [OrderStatus, CancelReason | undefined] {
  if (status === "open" || status === "triggered") {
    return [filled.gt(0) ? "partially_filled" : "open", undefined];
  }
  if (status === "filled") return ["filled", undefined];
  if (status === "canceled") return ["canceled", "user"];
  if (status === "marginCanceled") return ["canceled", "insufficient_margin"];
  if (status === "selfTradeCanceled") return ["canceled", "self_trade"];
  if (status === "reduceOnlyCanceled") return ["canceled", "reduce_only"];
  if (status === "liquidatedCanceled") return ["canceled", "liquidation"];
  if (status === "badAloPxRejected") return ["rejected", "post_only_would_cross"];
  if (status === "iocCancelRejected") return ["canceled", "ioc_unfilled"];
  if (status.endsWith("Rejected")) return ["rejected", "other"];
  if (status.endsWith("Canceled") || status === "scheduledCancel") return ["canceled", "other"];
  return ["pending", undefined];
}

/** A refusal text → the typed rejection. */
function rejection(text: string, clientOrderId: string | undefined): Error {
  const o = { venue: VENUE, endpoint: "exchange", message: `Hyperliquid refused: ${text}` };
  if (/post only order would have immediately matched/i.test(text)) {
    return new PostOnlyWouldCrossError(o);
  }
  if (/insufficient margin/i.test(text)) return new InsufficientMarginError(o);
  if (/duplicate|already (exists|used)/i.test(text) && clientOrderId) {
    return new DuplicateClientOrderIdError(clientOrderId, o);
  }
  if (/tick size|invalid price|price must be divisible/i.test(text)) {
    return new InvalidOrderError("invalid_price", o);
  }
  if (/minimum value|invalid size|size must be/i.test(text)) {
    return new InvalidOrderError("invalid_size", o);
  }
  if (/does not exist|signature/i.test(text)) return new InvalidSignatureError(o);
  return new OrderRejectedError("other", o);
}
