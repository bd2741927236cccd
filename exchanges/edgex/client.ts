/**
 * The EdgeX V2 trading client: {@linkcode EdgeXClient} implements `ExchangeClient` over the V2
 * REST API (HMAC-signed private calls, EIP-712-signed orders) and the two WebSockets (public
 * depth; private `trade-event` stream).
 *
 * Where things live: this file wires the transports and holds the class; order actions are in
 * `_orders.ts` (placement through the shared `placeOrderWith` workflow), venue records → unified
 * orders and fills in `_mapping.ts`, the public depth stream and REST book in `_book.ts`, the
 * private stream and socket liveness in `_streams.ts`.
 *
 * Venue behaviour it absorbs (edgex.md §5, edgex_v1_background.md §7.3):
 * - `createOrder` only returns `{orderId}`; the outcome is read from the private stream (or
 *   REST), and a `POST_ONLY` order that is accepted then `CANCELED` unfilled is reported as a
 *   {@linkcode PostOnlyWouldCrossError}; a doubtful create is resolved by client order id and
 *   never sent twice (`OrderOutcomeUnknownError` when it stays unknown);
 * - `FILLED` is pushed twice: order events are emitted only when status or filled size change,
 *   fills are deduplicated by fill id;
 * - depth frames carry absolute sizes; `startVersion` must equal the previous `endVersion`, else
 *   the channel is resubscribed for a fresh snapshot; empty frames are heartbeats; a book reads
 *   stale after `maxSilenceMs` without frames;
 * - every server `ping` is answered with `pong` echoing `time`; the client pings too and drops a
 *   socket that stays silent for `idleTimeoutMs` (a `connection` event `reconnecting` says so);
 * - an unreadable private frame is never dropped silently: a `connection` event carrying the
 *   `MalformedPayloadError` is emitted and open orders and positions are read again over REST;
 * - the HMAC timestamp must be within ±60 s of the venue's clock: the client measures the offset
 *   with `getServerTime` when it connects, again when the private stream is lost, and after a
 *   signed call is refused for its timestamp (that call is then re-signed and sent once more).
 *
 * @module
 */
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
import { getLogger } from "@logtape/logtape";
import { randomClientOrderId } from "../_shared/client_order_id.ts";
import { systemClock } from "../_shared/clock.ts";
import { toDecimal } from "../../core/decimal.ts";
import { AuthenticationError, ConfigurationError, NotFoundError } from "../../core/errors.ts";
import { EventHub } from "../_shared/event_hub.ts";
import {
  createHttpTransport,
  type FetchLike,
  type HttpRequest,
  type HttpTransport,
} from "../_shared/http.ts";
import { bestBidAskOf } from "../_shared/live_order_book.ts";
import type { WebSocketConstructor, WsTransport } from "../_shared/ws.ts";
import {
  edgeXAuthenticate,
  edgeXHeaderNames,
  edgeXPrivateWsAuth,
  edgeXRequiresAuth,
} from "./auth.ts";
import { EDGEX_PATHS, EDGEX_PRODUCTION, EDGEX_WS_PATHS } from "./common.ts";
import {
  type EdgeXCredentialOptions,
  type EdgeXResolvedCredentials,
  resolveEdgeXCredentials,
} from "./credentials.ts";
import { mapEdgeXError } from "./errors.ts";
import { type EdgeXMarket, edgeXMarkets } from "./markets.ts";
import { getMetaData, getServerTime } from "./public_api.ts";
import { accountAssetSchema, type EdgeXAccountAsset, edgeXEnvelope } from "./schemas.ts";
import {
  createEdgeXOrderSigner,
  type EdgeXDomain,
  edgeXDomainFromMetadata,
  type EdgeXOrderSigner,
} from "./signing.ts";
import { OrderTracker } from "./_mapping.ts";
import {
  accountFeesOf,
  balanceOf,
  checkLeverage,
  fetchFundingPayments,
  positionsOf,
  updateLeverage,
} from "./_account.ts";
import { EdgeXOrders } from "./_orders.ts";
import { decodeDepthFrame, EdgeXBooks, restBookSnapshot } from "./_book.ts";
import { openPrivateStream } from "./_streams.ts";

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
 * const options: EdgeXClientOptions = {
 *   depthLevel: 15,
 *   slippage: "0.02",
 *   maxSilenceMs: 3_000,
 *   idleTimeoutMs: 30_000,
 * };
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
  /**
   * Longest time `placeOrder` spends looking a doubtful create up by client order id before it
   * throws `OrderOutcomeUnknownError`, ms. @default {30_000}
   */
  outcomeDeadlineMs?: number;
  /**
   * A socket that receives nothing (no data, no pong) for this long is dropped and reopened,
   * ms. The client pings every third of it and EdgeX answers every ping (edgex.md §5.1).
   * @default {30_000}
   */
  idleTimeoutMs?: number;
  /**
   * A live book with no frame for this long reads stale, ms. EdgeX sends empty `changed`
   * frames as depth heartbeats (edgex.md §5.2), so a quiet market still refreshes the book.
   * @default {5_000}
   */
  maxSilenceMs?: number;
  /** Measure the venue's clock offset with `getServerTime` on connect. @default {true} */
  syncServerTime?: boolean;
  /** Reconnect delay ceiling of the first retry, ms. @default {500} */
  reconnectBaseDelayMs?: number;
  /** Client order id generator. @default {randomClientOrderId("edgex")} */
  newClientOrderId?: () => string;
  /**
   * Market data only: no credentials are read, `connect()` loads the markets (and the clock
   * offset) without the account read or the private stream, and every private call (orders,
   * account, positions, funding payments, leverage) throws a `ConfigurationError` naming the
   * credential variables, before any request. @default {false}
   */
  publicOnly?: boolean;
}

/** What a public-only client says when asked for something private. */
const PUBLIC_ONLY_MESSAGE = "The edgex client is public-only (market data): orders and account " +
  "reads need EDGEX_ACCOUNT_ID, EDGEX_API_KEY, EDGEX_API_SECRET, EDGEX_API_PASSPHRASE and " +
  "EDGEX_SIGNER_PRIVATE_KEY";

/**
 * EdgeX V2 `ExchangeClient`.
 *
 * @example Against a stand-in venue (no network): markets come from `getMetaData`
 * ```ts
 * import { EdgeXClient } from "./client.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
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
  readonly #newId: () => string;
  readonly #idleTimeoutMs: number;
  readonly #tracker: OrderTracker;
  readonly #orders: EdgeXOrders;
  readonly #books: EdgeXBooks;
  #offsetMs = 0;
  #resync: Promise<number> | undefined;
  #hub = new EventHub<ExchangeEvent>();
  #markets: Promise<EdgeXMarket[]> | undefined;
  #loaded: EdgeXMarket[] | undefined;
  #signer: EdgeXOrderSigner | undefined;
  #private: WsTransport | undefined;
  #connecting: Promise<void> | undefined;
  #reconciling: Promise<void> | undefined;
  #reconcileAgain = false;

  /**
   * Creates the client; nothing is sent until a method needs it.
   *
   * @param options Credentials (or `EDGEX_*` env), hosts and behaviour.
   * @throws {ConfigurationError} Naming every missing credential.
   */
  constructor(options: EdgeXClientOptions = {}) {
    this.#options = options;
    // Public-only: nothing is read; every private request is refused in #request before it
    // could be signed with these blanks.
    this.#creds = options.publicOnly
      ? { accountId: "", apiKey: "", apiSecret: "", apiPassphrase: "", signerPrivateKey: "" }
      : resolveEdgeXCredentials(options);
    this.#clock = options.clock ?? systemClock;
    this.#venueClock = { now: () => this.#clock.now() + this.#offsetMs };
    this.#newId = options.newClientOrderId ?? (() => randomClientOrderId("edgex"));
    this.#wsUrl = options.wsUrl ?? EDGEX_PRODUCTION.wsUrl;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    const headerNames = edgeXHeaderNames(options.headerPrefix ?? "edgeX");
    const http = createHttpTransport({
      venue: VENUE,
      baseUrl: options.restUrl ?? EDGEX_PRODUCTION.restUrl,
      clock: this.#clock,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      ...(options.publicOnly ? {} : {
        authenticate: edgeXAuthenticate(
          {
            apiKey: this.#creds.apiKey,
            secret: this.#creds.apiSecret,
            passphrase: this.#creds.apiPassphrase,
          },
          { clock: this.#venueClock, headerNames },
        ),
      }),
      mapError: mapEdgeXError,
    });
    // Signed calls refused for a stale timestamp re-sync the clock once and are sent again.
    this.#http = {
      venue: http.venue,
      baseUrl: http.baseUrl,
      request: <S extends z.ZodType>(r: HttpRequest<S>) => this.#request(http, r),
    };
    const emit = (e: ExchangeEvent) => this.#hub.emit(e);
    this.#tracker = new OrderTracker((id) => this.#marketById(id), emit);
    this.#orders = new EdgeXOrders({
      http: this.#http,
      accountId: this.#creds.accountId,
      clock: this.#clock,
      venueNow: () => this.#venueClock.now(),
      tracker: this.#tracker,
      market: (symbol) => this.#loadedMarket(symbol),
      signer: () => this.#signer!,
      book: (m) => this.#book(m, 1),
      slippage: toDecimal(options.slippage ?? "0.05", "slippage"),
      newClientOrderId: this.#newId,
      placementTimeoutMs: options.placementTimeoutMs ?? 5_000,
      outcomeDeadlineMs: options.outcomeDeadlineMs ?? 30_000,
    });
    this.#books = new EdgeXBooks({
      url: `${this.#wsUrl.replace(/\/+$/, "")}${options.publicWsPath ?? EDGEX_WS_PATHS.public}`,
      WebSocket: options.WebSocket,
      clock: this.#clock,
      stamp: () => this.#stamp(),
      idleTimeoutMs: this.#idleTimeoutMs,
      maxSilenceMs: options.maxSilenceMs ?? 5_000,
      reconnectBaseDelayMs: options.reconnectBaseDelayMs ?? 500,
      depthLevel: options.depthLevel ?? 15,
      firstSnapshotTimeoutMs: options.placementTimeoutMs ?? 5_000,
      emit,
    });
  }

  // ------------------------------------------------------------------------------ lifecycle

  /** Loads markets, measures the clock offset and opens the private stream. Idempotent. */
  connect(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#private?.state === "connected") return Promise.resolve();
    if (this.#options.publicOnly && this.#loaded) return Promise.resolve();
    this.#connecting ??= this.#connect(options.signal).finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connect(signal?: AbortSignal): Promise<void> {
    if (this.#hub.closed) this.#hub = new EventHub<ExchangeEvent>();
    if (this.#options.syncServerTime ?? true) await this.#syncClock(signal);
    await this.#ready();
    if (this.#options.publicOnly) return;
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
    if (this.#options.publicOnly && edgeXRequiresAuth(request.path)) {
      throw new ConfigurationError(PUBLIC_ONLY_MESSAGE, { venue: VENUE });
    }
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
    return openPrivateStream({
      url: `${wsUrl.replace(/\/+$/, "")}${path}`,
      WebSocket: Fresh,
      clock: this.#clock,
      stamp: () => this.#stamp(),
      idleTimeoutMs: this.#idleTimeoutMs,
      reconnectBaseDelayMs: this.#options.reconnectBaseDelayMs ?? 500,
      tracker: this.#tracker,
      marketById: (id) => this.#marketById(id),
      emit: (e) => this.#hub.emit(e),
      // The handshake is signed too, and a refused one only says "connection failed": re-sync
      // the clock once per loss so the next attempts sign with the venue's time.
      onLost: () => {
        if (this.#options.syncServerTime ?? true) this.#syncClock().catch(() => {});
      },
      refreshOrders: (ids) => this.#orders.fetchOrders("orderIdList", ids),
      reconcile: () => this.#reconcile(),
    });
  }

  /**
   * Reads the account's truth over REST after a private frame could not be read. A burst of
   * bad frames costs one reconciliation running and at most one more queued behind it.
   */
  #reconcile(): Promise<void> {
    if (this.#reconciling) {
      this.#reconcileAgain = true;
      return this.#reconciling;
    }
    this.#reconciling = (async () => {
      do {
        this.#reconcileAgain = false;
        await this.#reconcileOnce();
      } while (this.#reconcileAgain && this.#private !== undefined);
    })().finally(() => {
      this.#reconciling = undefined;
    });
    return this.#reconciling;
  }

  /** Open orders (merged, so changes are emitted), every order still active here, positions. */
  async #reconcileOnce(): Promise<void> {
    const open = await this.#orders.open(undefined);
    const stillOpen = new Set(open.map((o) => o.id));
    const gone = this.#tracker.active().map((o) => o.id).filter((id): id is string =>
      id !== undefined && !stillOpen.has(id)
    );
    if (gone.length > 0) await this.#orders.fetchOrders("orderIdList", gone);
    for (const position of await this.getPositions()) {
      this.#hub.emit({ type: "position", position });
    }
  }

  /** Closes both streams and every book. Idempotent. */
  async disconnect(): Promise<void> {
    const priv = this.#private;
    this.#private = undefined;
    await Promise.all([this.#books.close(), priv?.close()]);
    await this.#reconciling?.catch(() => {});
    // A clock re-sync started by a lost connection: let it finish (it is one short request).
    await this.#resync?.catch(() => {});
    this.#tracker.wake();
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
      if (this.#options.publicOnly) return markets;
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

  /** The market of a symbol; once loaded, without a detour through the markets promise. */
  #loadedMarket(symbol: string): Promise<EdgeXMarket> {
    const m = this.#loaded?.find((x) => x.market.symbol === symbol);
    return m ? Promise.resolve(m) : this.#market(symbol);
  }

  #marketById(contractId: string | undefined): EdgeXMarket | undefined {
    if (contractId === undefined) return undefined;
    // Markets are loaded before any stream or order call, so this never waits.
    return this.#loaded?.find((m) => m.contract.contractId === contractId);
  }

  /** Every contract in the venue's metadata. */
  async getMarkets(): Promise<Market[]> {
    const markets = await this.#ready();
    this.#loaded = markets;
    return markets.map((m) => m.market);
  }

  /** One market by unified symbol; `NotFoundError` when unknown. */
  async getMarket(symbol: string): Promise<Market> {
    return (await this.#market(symbol)).market;
  }

  // ------------------------------------------------------------------------------ orders

  /**
   * Places an order through the shared workflow (checked locally, signed, sent once; a doubtful
   * answer is resolved by client order id), then waits until the venue says what became of it.
   *
   * @param request What to place.
   * @returns The order as the venue reports it.
   * @throws {InvalidOrderError} Off-grid or too small size/price, or a market order without a
   * worst price on an empty book side (nothing is sent).
   * @throws {OrderRejectedError} A request the venue cannot take (past or too distant expiry,
   * bad client order id …), checked before sending; or the venue's refusal.
   * @throws {DuplicateClientOrderIdError} The client order id belongs to another order.
   * @throws {PostOnlyWouldCrossError} A post-only order the venue canceled for crossing.
   * @throws {OrderOutcomeUnknownError} The order may exist: it could not be seen before
   * `outcomeDeadlineMs`. Reconcile by its client order id.
   */
  placeOrder(request: OrderRequest): Promise<Order> {
    if (this.#options.publicOnly) {
      return Promise.reject(new ConfigurationError(PUBLIC_ONLY_MESSAGE, { venue: VENUE }));
    }
    return this.#orders.place(request);
  }

  /** Cancels one active order by venue id or client order id. */
  async cancelOrder(symbol: string, ref: OrderRef): Promise<void> {
    await this.#orders.cancel(await this.#market(symbol), ref);
  }

  /** Cancels every active order, of one symbol if given. */
  async cancelAllOrders(symbol?: string): Promise<void> {
    await this.#orders.cancelAll(symbol === undefined ? undefined : await this.#market(symbol));
  }

  /** One order by venue id or client order id; `undefined` when the venue does not know it. */
  async getOrder(symbol: string, ref: OrderRef): Promise<Order | undefined> {
    await this.#market(symbol);
    const [o] = ref.id !== undefined
      ? await this.#orders.fetchOrders("orderIdList", [ref.id])
      : await this.#orders.fetchOrders("clientOrderIdList", [ref.clientOrderId]);
    return o && o.symbol === symbol ? o : undefined;
  }

  /** Active orders (every page of `getActiveOrderPage`), of one symbol if given. */
  async getOpenOrders(symbol?: string): Promise<Order[]> {
    const filter = symbol === undefined ? undefined : (await this.#market(symbol)).contract
      .contractId;
    await this.#ready();
    return await this.#orders.open(filter);
  }

  // ------------------------------------------------------------------------------ account

  async #accountAsset() {
    await this.#ready();
    const r = await this.#http.request({
      method: "GET",
      path: EDGEX_PATHS.getAccountAsset,
      query: { accountId: this.#creds.accountId },
      schema: edgeXEnvelope(accountAssetSchema),
    });
    this.#applyAccountFees(r.data.account);
    return r.data;
  }

  /**
   * The account's own fee rates (trade settings with `isSetFeeRate`) replace the contract
   * defaults on the loaded markets; markets without them keep the metadata's rates.
   */
  #applyAccountFees(account: EdgeXAccountAsset["account"]): void {
    if (!account) return;
    for (const m of this.#loaded ?? []) {
      const fees = accountFeesOf(account, m.contract.contractId);
      if (!fees) continue;
      m.market.makerFee = fees.makerFee;
      m.market.takerFee = fees.takerFee;
    }
  }

  /**
   * Collateral of the quote coin: equity (`totalEquity`), available amount, unrealized PnL and
   * the margin ratio (total risk value / equity) when the venue reports the risk value.
   */
  async getBalance(): Promise<Balance> {
    const asset = await this.#accountAsset();
    return balanceOf(asset, this.#loaded?.[0]?.quoteCoin);
  }

  /**
   * Non-zero positions with entry price, unrealized PnL, and what the venue reports of their
   * risk: liquidation price, margin used (`initialMarginRequirement`), maintenance margin (risk
   * value), leverage (`maxLeverage`) and the position's funding so far (`fundingFee`).
   */
  async getPositions(): Promise<Position[]> {
    const asset = await this.#accountAsset();
    return positionsOf(asset, (id) => this.#marketById(id));
  }

  /**
   * Funding payments of the account from `getPositionTransactionPage` (settlements of type
   * `SETTLE_FUNDING_FEE`), oldest first, of one symbol if given, settled in `[start, end)`.
   * `amount` is the venue's `deltaFundingFee`, already from the account's view (positive =
   * received); `rate` is the fraction per funding interval. With `limit`, the most recent
   * `limit` payments.
   *
   * @param options Symbol, time window (ms) and limit.
   * @returns The payments, oldest first.
   * @throws {NotFoundError} For an unknown symbol.
   * @throws {ConfigurationError} If `limit` is not a positive integer.
   */
  async getFundingPayments(
    options: { symbol?: string; start?: number; end?: number; limit?: number } = {},
  ): Promise<FundingPayment[]> {
    await this.#ready();
    const contractId = options.symbol === undefined
      ? undefined
      : (await this.#market(options.symbol)).contract.contractId;
    return await fetchFundingPayments({
      http: this.#http,
      accountId: this.#creds.accountId,
      ...(contractId !== undefined ? { contractId } : {}),
      ...(options.start !== undefined ? { start: options.start } : {}),
      ...(options.end !== undefined ? { end: options.end } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      marketById: (id) => this.#marketById(id),
    });
  }

  /**
   * Sets the leverage of one market with `updateLeverageSetting`. EdgeX margins every position
   * cross; the leverage sets the position's initial margin (value / leverage).
   *
   * @param symbol Unified symbol.
   * @param leverage A positive integer, at most the market's maximum (`displayMaxLeverage`).
   * @throws {ConfigurationError} For a leverage that is not a positive integer or above the
   * market's maximum (nothing is sent).
   * @throws {NotFoundError} For an unknown symbol.
   */
  async setLeverage(symbol: string, leverage: number): Promise<void> {
    const m = await this.#market(symbol);
    const value = checkLeverage(m.market, leverage);
    await updateLeverage(this.#http, this.#creds.accountId, m.contract.contractId, value);
  }

  // ------------------------------------------------------------------------------ books

  /**
   * Subscribes `depth.{contractId}.{level}` and keeps a live book: snapshot, absolute-size
   * `changed` frames chained by version, resubscribe on a gap or an unreadable frame; stale
   * after `maxSilenceMs` without frames. Resolves after the first snapshot (or after the
   * placement timeout, stale).
   */
  async subscribeOrderBook(symbol: string): Promise<OrderBookSubscription> {
    const m = await this.#market(symbol);
    return await this.#books.subscribe(m);
  }

  /** Best bid/ask from the live book when subscribed and fresh, else from REST `getDepth`. */
  async getBestBidAsk(symbol: string): Promise<BestBidAsk> {
    const snap = await this.getOrderBook(symbol, 1);
    return bestBidAskOf(snap, VENUE);
  }

  /** Book depth from the live book when subscribed and fresh, else from REST `getDepth`. */
  async getOrderBook(symbol: string, depth = 20): Promise<BookSnapshot> {
    return await this.#book(await this.#market(symbol), depth);
  }

  async #book(m: EdgeXMarket, depth: number): Promise<BookSnapshot> {
    return this.#books.freshSnapshot(m.contract.contractId, depth) ??
      await restBookSnapshot(this.#http, m, depth, this.#venueClock.now());
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
}

/** Exposed for tests of the decoder. @internal */
export const _decodeDepthFrame: typeof decodeDepthFrame = decodeDepthFrame;
