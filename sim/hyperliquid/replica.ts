/**
 * The Hyperliquid replica: Hyperliquid's wire protocol on the simulator engine, served over
 * loopback on one {@linkcode SimServer}. Everything venue-specific (action hashing and signature
 * recovery, price rules, error texts, status names, funding units) is rebuilt here from the
 * venue's published material (official Python SDK 0.23.0: `utils/signing.py`, `info.py`,
 * `websocket_manager.py`, recorded answers under `tests/cassettes/`; Hyperliquid docs "Info
 * endpoint", "Exchange endpoint", "Websocket", "Tick and lot size", "Nonces and API wallets",
 * "Funding"); nothing comes from the Hyperliquid client.
 *
 * What it speaks:
 * - `POST /info` with a `type`: `meta`, `metaAndAssetCtxs` (`funding` is a fraction per hour),
 *   `allMids`, `l2Book` (20 levels a side, `{px, sz, n}`), `clearinghouseState` (cross
 *   margin; each position's `liquidationPx` from the venue's formula, see `liquidationPrice`),
 *   `openOrders`,
 *   `frontendOpenOrders`, `orderStatus` (`oid` a number or a cloid; `{"status": "unknownOid"}`
 *   when unknown), `userFills` (newest first), `userFunding` (`usdc` signed from the account's
 *   view), `fundingHistory` (oldest first, 500 rows a page). An unknown user reads as an empty
 *   account.
 * - `POST /exchange` `{action, nonce, signature, vaultAddress}`: `order` (limit `Gtc` / `Alo` /
 *   `Ioc`, reduce-only, cloid; one status per order: `resting`, `filled` or `error`), `cancel`,
 *   `cancelByCloid`, `updateLeverage` (cross), `scheduleCancel`. The signature is recovered
 *   (`action_signature.ts`); a signer that is not a known account or API wallet gets
 *   `{"status": "err", "response": "User or API Wallet 0x… does not exist."}`. Nonces must be
 *   new, above the smallest of the user's 100 highest, and within (now − 2 days, now + 1 day).
 * - Order rules: at most `szDecimals` size decimals, at most `6 − szDecimals` price decimals
 *   and 5 significant figures unless the price is an integer, minimum value $10 (reduce-only
 *   excepted), prices on the market's tick.
 * - WebSocket `/ws`: `{"method": "subscribe" | "unsubscribe", "subscription": {...}}` for
 *   `l2Book` (a full snapshot on subscribe and after every change), `trades`, `orderUpdates`,
 *   `userFills` and `userFundings` (each starting with an `isSnapshot: true` frame);
 *   `{"method": "ping"}` → `{"channel": "pong"}`; `{"method": "post", "id", "request": {"type":
 *   "info" | "action", "payload"}}` answered on channel `post`. A socket the client sends
 *   nothing on for 60 s is closed.
 * - Funding settles every hour through the engine (capped at 4 % an hour).
 *
 * Fault targets (front-end {@linkcode HYPERLIQUID_FRONT_END}): every request hits `/info` or
 * `/exchange`, and then `info:<type>` (e.g. `info:orderStatus`) or `exchange:<action type>`
 * (e.g. `exchange:order`); streams are `l2Book:<coin>`, `trades:<coin>`, `orderUpdates`,
 * `userFills`, `userFundings`, `post` and `control` (pongs and subscription answers).
 *
 * Details no source states, chosen here and marked `(inferred)` in code: the texts of a
 * duplicate cloid, of a bad nonce, of an invalid leverage and of a malformed body (422), and a
 * repeated `l2Book` subscription answering with a fresh snapshot.
 *
 * @module
 */
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { Side } from "../../base.ts";
import { Decimal } from "../../core/decimal.ts";
import {
  DuplicateClientOrderIdError,
  InsufficientMarginError,
  InvalidOrderError,
  OrderRejectedError,
  PostOnlyWouldCrossError,
} from "../../core/errors.ts";
import { ManualClock } from "../../exchanges/_shared/clock.ts";
import { SimControl } from "../control.ts";
import { SimEngine } from "../engine.ts";
import type { FillView, OrderView, SimEvent, SimFundingPayment } from "../events.ts";
import { FaultInjector, type RequestFault } from "../faults.ts";
import { type RouteContext, SimServer, type SimSocket } from "../server.ts";
import { recoverActionSigner, type WireSignature } from "./action_signature.ts";

/** Front-end name of the replica, for fault rules. */
export const HYPERLIQUID_FRONT_END = "hyperliquid";

const DAY = 86_400_000;
const NONCES_KEPT = 100;
const BOOK_LEVELS = 20;
const FUNDING_PAGE = 500;
const FILLS_PAGE = 2_000;
const MIN_VALUE = new Decimal(10);
const CLOID = /^0x[0-9a-f]{32}$/;
const DECIMAL = /^\d+(\.\d+)?$/;

/**
 * One perpetual listed by the replica (its index in the list is its asset id).
 *
 * @example
 * ```ts
 * import type { HyperliquidReplicaMarket } from "./replica.ts";
 * const sol: HyperliquidReplicaMarket = { coin: "SOL", szDecimals: 2, tickSize: "0.01", markPrice: "150" };
 * ```
 */
export interface HyperliquidReplicaMarket {
  /** Coin name (`BTC`, `kPEPE`). */
  coin: string;
  /** Size decimals. */
  szDecimals: number;
  /**
   * The engine's tick: the step prices near `markPrice` have under the 5-significant-figure
   * rule (BTC at 64 000: 1). Orders must also obey that rule (integers always allowed), so a
   * tick of 10^-(6 − szDecimals) (BTC: 0.1) makes the replica take exactly the venue's prices
   * at every price level, for markets whose price crosses a power of ten.
   */
  tickSize: string;
  /** Initial mark and oracle price. */
  markPrice: string;
  /** Largest leverage. @default {20} */
  maxLeverage?: number;
}

/**
 * Options of {@linkcode startHyperliquidReplica}.
 *
 * @example
 * ```ts
 * import type { HyperliquidReplicaOptions } from "./replica.ts";
 * const o: HyperliquidReplicaOptions = { collateral: "50000" };
 * ```
 */
export interface HyperliquidReplicaOptions {
  /** Venue clock (virtual). @default {a ManualClock at the current time} */
  clock?: ManualClock;
  /** Markets. @default {BTC (szDecimals 5) at 64000, ETH (4) at 3200} */
  markets?: HyperliquidReplicaMarket[];
  /** USDC of the test account. @default {"100000"} */
  collateral?: string;
  /** The test account's key. @default {a fresh random key} */
  privateKey?: `0x${string}`;
  /** API (agent) wallet keys allowed to trade for the test account. @default {none} */
  agentPrivateKeys?: `0x${string}`[];
  /** Verify signatures as mainnet (`source` "a") instead of testnet ("b"). @default {false} */
  mainnet?: boolean;
  /** Maker fee. @default {"0.00015"} */
  makerFee?: string;
  /** Taker fee. @default {"0.00045"} */
  takerFee?: string;
  /** Real ms without a client message after which a socket is closed. @default {60_000} */
  idleCloseMs?: number;
  /** Fault injector. @default {a new one on the clock} */
  faults?: FaultInjector;
}

/**
 * The funded test account.
 *
 * @example
 * ```ts
 * import type { HyperliquidReplicaCredentials } from "./replica.ts";
 * const env = (c: HyperliquidReplicaCredentials) => ({ HYPERLIQUID_PRIVATE_KEY: c.privateKey });
 * ```
 */
export interface HyperliquidReplicaCredentials {
  /** Key of the account's wallet. */
  privateKey: `0x${string}`;
  /** The account's address (lower case); also its engine account id. */
  accountAddress: string;
}

/**
 * A running replica.
 *
 * @example
 * ```ts
 * import type { HyperliquidReplica } from "./replica.ts";
 * const urls = (r: HyperliquidReplica) => [r.hosts.apiUrl, r.hosts.wsUrl];
 * ```
 */
export interface HyperliquidReplica extends AsyncDisposable {
  /** REST base and WebSocket URL, as the client's `hosts`. */
  readonly hosts: { apiUrl: string; wsUrl: string };
  /** The funded test account. */
  readonly credentials: HyperliquidReplicaCredentials;
  /** Engine control (prices, funding, time, counter-orders, faults, truth). */
  readonly control: SimControl;
  /** The engine (symbols are the coin names). */
  readonly engine: SimEngine;
  /** The server (sockets, faults). */
  readonly server: SimServer;
  /** The fault injector (front-end {@linkcode HYPERLIQUID_FRONT_END}). */
  readonly faults: FaultInjector;
  /** The venue clock. */
  readonly clock: ManualClock;
  /** Engine account of the counterparty (unlimited margin). */
  readonly counterpartyAccountId: string;
  /** Asset index of a coin. */
  assetOf(coin: string): number;
  /** Closes every WebSocket connection (clients must reconnect). */
  dropConnections(): void;
  /** Stops timers, closes sockets and the server. */
  close(): Promise<void>;
}

const DEFAULT_MARKETS: HyperliquidReplicaMarket[] = [
  { coin: "BTC", szDecimals: 5, tickSize: "1", markPrice: "64000", maxLeverage: 40 },
  { coin: "ETH", szDecimals: 4, tickSize: "0.1", markPrice: "3200", maxLeverage: 25 },
];

/**
 * Starts a Hyperliquid replica on 127.0.0.1 (random port) with one funded test account, no
 * background liquidity and a counterparty account for tests.
 *
 * @param options Markets, account, network flavour, timers, faults.
 * @returns The running replica; `close()` it.
 *
 * @example
 * ```ts
 * import { startHyperliquidReplica } from "./replica.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * await using replica = startHyperliquidReplica();
 * const res = await fetch(`${replica.hosts.apiUrl}/info`, {
 *   method: "POST",
 *   body: JSON.stringify({ type: "meta" }),
 * });
 * equal((await res.json()).universe[0].name, "BTC");
 * ```
 */
export function startHyperliquidReplica(
  options: HyperliquidReplicaOptions = {},
): HyperliquidReplica {
  return new Replica(options);
}

type Json = Record<string, unknown>;

/** A body the venue cannot read: HTTP 422 with a text body (inferred). */
class Unreadable extends Error {}

interface Conn {
  socket: SimSocket;
  subs: Map<string, Json>;
  idle: ReturnType<typeof setTimeout> | undefined;
}

class Replica implements HyperliquidReplica {
  readonly hosts: { apiUrl: string; wsUrl: string };
  readonly credentials: HyperliquidReplicaCredentials;
  readonly control: SimControl;
  readonly engine: SimEngine;
  readonly server: SimServer;
  readonly faults: FaultInjector;
  readonly clock: ManualClock;
  readonly counterpartyAccountId = "counterparty";
  readonly #markets: HyperliquidReplicaMarket[];
  readonly #mainnet: boolean;
  readonly #idleCloseMs: number;
  /** Signer address → the account it trades for (the account's own key and its API wallets). */
  readonly #signers = new Map<string, string>();
  /** Per user, the 100 highest nonces used. */
  readonly #nonces = new Map<string, number[]>();
  /** Per user and coin, the position before the next fill (for `startPosition` / `dir`). */
  readonly #positions = new Map<string, Decimal>();
  readonly #conns = new Set<Conn>();
  readonly #dirtyBooks = new Set<string>();
  readonly #scheduledCancels = new Map<string, number>();
  readonly #unsubscribe: () => void;
  #flushScheduled = false;
  #closed = false;

  constructor(options: HyperliquidReplicaOptions) {
    this.clock = options.clock ?? new ManualClock(Date.now());
    this.#markets = options.markets ?? DEFAULT_MARKETS;
    this.#mainnet = options.mainnet ?? false;
    this.#idleCloseMs = options.idleCloseMs ?? 60_000;
    this.faults = options.faults ?? new FaultInjector({ clock: this.clock, seed: 11 });
    // A crossing Alo order is refused in the order's status, never rested (badAloPxRejected).
    this.engine = new SimEngine({
      clock: this.clock,
      venue: "hyperliquid",
      postOnlyCross: "reject",
      reduceOnlyOversize: "resize",
    });
    this.control = new SimControl(this.engine, { faults: this.faults });
    for (const m of this.#markets) {
      this.engine.addInstrument({
        symbol: m.coin,
        tickSize: m.tickSize,
        sizeStep: new Decimal(10).pow(-m.szDecimals).toFixed(),
        minNotional: "0",
        maxLeverage: String(m.maxLeverage ?? 20),
        makerFee: options.makerFee ?? "0.00015",
        takerFee: options.takerFee ?? "0.00045",
        fundingIntervalHours: 1,
        fundingRateCap: "0.04",
      }, { markPrice: m.markPrice });
    }
    const privateKey = options.privateKey ?? generatePrivateKey();
    const accountAddress = privateKeyToAccount(privateKey).address.toLowerCase();
    this.credentials = { privateKey, accountAddress };
    this.engine.createAccount(accountAddress, { collateral: options.collateral ?? "100000" });
    this.engine.createAccount(this.counterpartyAccountId, { unlimitedMargin: true });
    this.#signers.set(accountAddress, accountAddress);
    for (const k of options.agentPrivateKeys ?? []) {
      this.#signers.set(privateKeyToAccount(k).address.toLowerCase(), accountAddress);
    }
    this.server = SimServer.start({ faults: this.faults });
    this.hosts = { apiUrl: this.server.url, wsUrl: `${this.server.wsUrl}/ws` };
    this.server.route(
      HYPERLIQUID_FRONT_END,
      "POST",
      "/info",
      (ctx) => this.#http(ctx, "info"),
      { endpoint: "/info" },
    );
    this.server.route(
      HYPERLIQUID_FRONT_END,
      "POST",
      "/exchange",
      (ctx) => this.#http(ctx, "exchange"),
      { endpoint: "/exchange" },
    );
    this.server.websocket(HYPERLIQUID_FRONT_END, "/ws", (s) => this.#onSocket(s));
    this.server.mountControl(this.control);
    this.#unsubscribe = this.engine.subscribe((e) => this.#onEngineEvent(e));
  }

  assetOf(coin: string): number {
    const i = this.#markets.findIndex((m) => m.coin === coin);
    if (i < 0) throw new RangeError(`No Hyperliquid replica market '${coin}'`);
    return i;
  }

  dropConnections(): void {
    for (const c of this.#conns) c.socket.close(1012, "replica: dropped");
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of this.#conns) clearTimeout(c.idle);
    this.#unsubscribe();
    await this.server.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---------------------------------------------------------------------------- HTTP

  async #http(ctx: RouteContext, kind: "info" | "exchange"): Promise<Response> {
    let body: unknown;
    try {
      body = JSON.parse(await ctx.request.text());
    } catch {
      return unreadable("Failed to deserialize the JSON body into the target type");
    }
    const name = kind === "info"
      ? `info:${(body as Json)?.type}`
      : `exchange:${((body as Json)?.action as Json)?.type}`;
    const fault = this.faults.onRequest(HYPERLIQUID_FRONT_END, name);
    if (fault.delayMs > 0) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault.status !== undefined) return faultStatus(fault);
    let result: unknown;
    try {
      result = kind === "info" ? this.#info(body) : await this.#exchange(body);
    } catch (e) {
      if (e instanceof Unreadable) return unreadable(e.message);
      throw e;
    }
    const text = JSON.stringify(result);
    if (fault.dropResponse) {
      return new Response(
        new ReadableStream({
          start(controller) {
            controller.error(new Error("fault: response dropped"));
          },
        }),
        { status: 200, headers: { "content-type": "application/json" } },
      );
    }
    if (fault.garbleResponse) {
      return new Response(this.faults.garble(fault.garbleBody ?? "html", text), {
        status: 200,
        headers: { "content-type": "application/json" },
      });
    }
    return new Response(text, { headers: { "content-type": "application/json" } });
  }

  // ---------------------------------------------------------------------------- info

  #info(body: unknown): unknown {
    if (body === null || typeof body !== "object") throw new Unreadable("Invalid request");
    const b = body as Json;
    this.engine.sync();
    switch (b.type) {
      case "meta":
        return this.#meta();
      case "metaAndAssetCtxs":
        return [this.#meta(), this.#markets.map((m) => this.#assetCtx(m.coin))];
      case "allMids":
        return Object.fromEntries(this.#markets.map((m) => [m.coin, this.#mid(m.coin)]));
      case "l2Book":
        return this.#hasCoin(b.coin) ? this.#l2Book(String(b.coin)) : null;
      case "clearinghouseState":
        return this.#clearinghouse(this.#user(b.user));
      case "openOrders":
      case "frontendOpenOrders": {
        const user = this.#user(b.user);
        if (!this.engine.hasAccount(user)) return [];
        const rows = this.engine.openOrders(user).sort((x, y) => y.createdAt - x.createdAt);
        return rows.map((o) => b.type === "openOrders" ? basicOrder(o) : detailedOrder(o));
      }
      case "orderStatus":
        return this.#orderStatus(this.#user(b.user), b.oid);
      case "userFills": {
        const user = this.#user(b.user);
        if (!this.engine.hasAccount(user)) return [];
        return this.engine.fills(user).slice(-FILLS_PAGE).reverse().map((f) =>
          fillWire(f, undefined)
        );
      }
      case "userFunding": {
        const user = this.#user(b.user);
        if (!this.engine.hasAccount(user)) return [];
        const start = Number(b.startTime ?? 0);
        const end = b.endTime === undefined || b.endTime === null ? Infinity : Number(b.endTime);
        return this.engine.fundingPayments(user)
          .filter((p) => p.time >= start && p.time <= end)
          .slice(0, FUNDING_PAGE)
          .map((p) => ({
            time: p.time,
            hash: fundingHash(p),
            delta: {
              type: "funding",
              coin: p.symbol,
              usdc: p.amount,
              szi: p.positionSize,
              fundingRate: p.rate,
              nSamples: null,
            },
          }));
      }
      case "fundingHistory": {
        if (!this.#hasCoin(b.coin)) return [];
        const start = Number(b.startTime ?? 0);
        const end = b.endTime === undefined || b.endTime === null ? Infinity : Number(b.endTime);
        return this.engine.fundingHistory(String(b.coin))
          .filter((s) => s.time >= start && s.time <= end)
          .slice(0, FUNDING_PAGE)
          .map((s) => ({
            coin: s.symbol,
            fundingRate: s.rate,
            premium: premium(s.markPrice, s.indexPrice),
            time: s.time,
          }));
      }
      default:
        throw new Unreadable("Failed to deserialize the JSON body into the target type");
    }
  }

  #user(value: unknown): string {
    if (typeof value !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(value)) {
      throw new Unreadable("Failed to deserialize the JSON body into the target type");
    }
    return value.toLowerCase();
  }

  #hasCoin(coin: unknown): boolean {
    return typeof coin === "string" && this.#markets.some((m) => m.coin === coin);
  }

  #meta(): Json {
    return {
      universe: this.#markets.map((m) => ({
        name: m.coin,
        szDecimals: m.szDecimals,
        maxLeverage: m.maxLeverage ?? 20,
      })),
    };
  }

  #mid(coin: string): string {
    const b = this.engine.book(coin, 1);
    const bid = b.bids[0]?.[0];
    const ask = b.asks[0]?.[0];
    if (bid === undefined || ask === undefined) return this.engine.prices(coin).markPrice;
    return new Decimal(bid).plus(ask).div(2).toFixed();
  }

  #assetCtx(coin: string): Json {
    const p = this.engine.prices(coin);
    const b = this.engine.book(coin, 1);
    const since = this.clock.now() - DAY;
    let volume = new Decimal(0);
    for (const t of this.engine.trades(coin)) {
      if (t.time >= since) volume = volume.plus(new Decimal(t.price).times(t.size));
    }
    let oi = new Decimal(0);
    for (const a of this.engine.accounts()) {
      const size = new Decimal(this.engine.position(a, coin).size);
      if (size.gt(0)) oi = oi.plus(size);
    }
    const bid = b.bids[0]?.[0];
    const ask = b.asks[0]?.[0];
    return {
      funding: this.engine.nextFunding(coin).rate,
      openInterest: oi.toFixed(),
      prevDayPx: p.markPrice,
      dayNtlVlm: volume.toFixed(),
      premium: premium(p.markPrice, p.indexPrice),
      oraclePx: p.indexPrice,
      markPx: p.markPrice,
      midPx: bid !== undefined && ask !== undefined ? this.#mid(coin) : null,
      impactPxs: bid !== undefined && ask !== undefined ? [bid, ask] : null,
    };
  }

  #l2Book(coin: string): Json {
    const l3 = this.engine.bookOrders(coin);
    const side = (levels: typeof l3.bids) =>
      levels.slice(0, BOOK_LEVELS).map((l) => ({ px: l.price, sz: l.size, n: l.orders.length }));
    return { coin, time: this.clock.now(), levels: [side(l3.bids), side(l3.asks)] };
  }

  #clearinghouse(user: string): Json {
    const empty = {
      marginSummary: {
        accountValue: "0",
        totalNtlPos: "0",
        totalRawUsd: "0",
        totalMarginUsed: "0",
      },
      crossMarginSummary: {
        accountValue: "0",
        totalNtlPos: "0",
        totalRawUsd: "0",
        totalMarginUsed: "0",
      },
      crossMaintenanceMarginUsed: "0",
      withdrawable: "0",
      assetPositions: [],
      time: this.clock.now(),
    };
    if (!this.engine.hasAccount(user)) return empty;
    const bal = this.engine.balance(user);
    const positions = this.engine.positions(user).filter((p) => p.size !== "0");
    let ntl = new Decimal(0);
    for (const p of positions) ntl = ntl.plus(p.notional);
    const summary = {
      accountValue: bal.equity,
      totalNtlPos: ntl.toFixed(),
      totalRawUsd: bal.collateral,
      totalMarginUsed: bal.initialMargin,
    };
    const available = new Decimal(bal.availableBalance);
    const accountValue = new Decimal(bal.equity);
    const maintenance = new Decimal(bal.maintenanceMargin);
    return {
      marginSummary: summary,
      crossMarginSummary: summary,
      crossMaintenanceMarginUsed: bal.maintenanceMargin,
      withdrawable: Decimal.max(available, 0).toFixed(),
      assetPositions: positions.map((p) => {
        const paid = new Decimal(p.funding).neg().toFixed();
        const margin = new Decimal(p.initialMargin);
        return {
          type: "oneWay",
          position: {
            coin: p.symbol,
            szi: p.size,
            leverage: { type: "cross", value: Number(p.leverage) },
            entryPx: p.entryPrice ?? null,
            positionValue: p.notional,
            unrealizedPnl: p.unrealizedPnl,
            returnOnEquity: margin.gt(0)
              ? new Decimal(p.unrealizedPnl).div(margin).toFixed(8)
              : "0",
            liquidationPx: liquidationPrice({
              size: new Decimal(p.size),
              mark: new Decimal(p.markPrice),
              accountValue,
              maintenance,
              maxLeverage: this.#markets.find((m) => m.coin === p.symbol)?.maxLeverage ?? 20,
            }),
            marginUsed: p.initialMargin,
            maxLeverage: this.#markets.find((m) => m.coin === p.symbol)?.maxLeverage ?? 20,
            // Hyperliquid counts funding the position paid as positive.
            cumFunding: { allTime: paid, sinceOpen: paid, sinceChange: paid },
          },
        };
      }),
      time: this.clock.now(),
    };
  }

  #orderStatus(user: string, oid: unknown): Json {
    if (!this.engine.hasAccount(user)) return { status: "unknownOid" };
    let ref: { id: string } | { clientOrderId: string };
    if (typeof oid === "number" && Number.isSafeInteger(oid)) ref = { id: String(oid) };
    else if (typeof oid === "string" && CLOID.test(oid)) ref = { clientOrderId: oid };
    else throw new Unreadable("Failed to deserialize the JSON body into the target type");
    let o: OrderView;
    try {
      o = this.engine.getOrder(user, ref);
    } catch {
      return { status: "unknownOid" };
    }
    return {
      status: "order",
      order: { order: detailedOrder(o), status: statusOf(o), statusTimestamp: o.updatedAt },
    };
  }

  // ---------------------------------------------------------------------------- exchange

  async #exchange(body: unknown): Promise<Json> {
    if (body === null || typeof body !== "object") throw new Unreadable("Invalid request");
    const { action, nonce, signature, vaultAddress } = body as Json;
    if (
      action === null || typeof action !== "object" || typeof (action as Json).type !== "string" ||
      typeof nonce !== "number" || !Number.isSafeInteger(nonce) || nonce < 0
    ) throw new Unreadable("Failed to deserialize the JSON body into the target type");
    const vault = typeof vaultAddress === "string" ? vaultAddress.toLowerCase() : null;
    const signer = await recoverActionSigner(
      action as Json,
      nonce,
      vault,
      signature as WireSignature,
      this.#mainnet,
    );
    if (signer === undefined) return err("Invalid signature");
    const user = this.#signers.get(signer);
    if (user === undefined) return err(`User or API Wallet ${signer} does not exist.`);
    if (vault !== null) return err(`Vault not registered: ${vault}`);
    const refused = this.#useNonce(user, nonce);
    if (refused !== undefined) return err(refused);
    this.engine.sync();
    const a = action as Json;
    switch (a.type) {
      case "order":
        return ok("order", { statuses: list(a.orders).map((o) => this.#placeOne(user, o)) });
      case "cancel":
        return ok("cancel", {
          statuses: list(a.cancels).map((c) => this.#cancelOne(user, c.a, { id: String(c.o) })),
        });
      case "cancelByCloid":
        return ok("cancel", {
          statuses: list(a.cancels).map((c) =>
            this.#cancelOne(user, c.asset, { clientOrderId: String(c.cloid) })
          ),
        });
      case "updateLeverage": {
        const m = this.#markets[Number(a.asset)];
        const lev = a.leverage;
        if (
          !m || typeof lev !== "number" || !Number.isInteger(lev) || lev < 1 ||
          lev > (m.maxLeverage ?? 20)
        ) {
          return err("Invalid leverage value"); // (inferred)
        }
        this.engine.setLeverage(user, m.coin, String(lev));
        return { status: "ok", response: { type: "default" } };
      }
      case "scheduleCancel":
        return this.#scheduleCancel(user, a.time);
      default:
        throw new Unreadable("Failed to deserialize the JSON body into the target type");
    }
  }

  /** Nonce rules ("Nonces and API wallets"); texts (inferred). */
  #useNonce(user: string, nonce: number): string | undefined {
    const now = this.clock.now();
    if (nonce <= now - 2 * DAY || nonce >= now + DAY) {
      return `Invalid nonce: ${nonce} is outside the time window`;
    }
    const used = this.#nonces.get(user) ?? [];
    if (used.includes(nonce)) return `Invalid nonce: duplicate nonce ${nonce}`;
    if (used.length >= NONCES_KEPT && nonce < used[0]) {
      return `Invalid nonce: ${nonce} is lower than the ${NONCES_KEPT} highest used`;
    }
    used.push(nonce);
    used.sort((x, y) => x - y);
    if (used.length > NONCES_KEPT) used.shift();
    this.#nonces.set(user, used);
    return undefined;
  }

  #placeOne(user: string, o: Json): Json {
    const asset = Number(o.a);
    const m = this.#markets[asset];
    const where = `asset=${o.a}`;
    if (!m || !Number.isInteger(asset)) return { error: `Invalid asset. ${where}` };
    const t = o.t as Json | undefined;
    if (t?.limit === undefined) {
      return { error: `Trigger orders are not offered by this replica. ${where}` };
    }
    const tif = (t.limit as Json)?.tif;
    if (tif !== "Gtc" && tif !== "Alo" && tif !== "Ioc") return { error: `Invalid TIF. ${where}` };
    if (typeof o.p !== "string" || !DECIMAL.test(o.p)) {
      return { error: `Order has invalid price. ${where}` };
    }
    if (typeof o.s !== "string" || !DECIMAL.test(o.s)) {
      return { error: `Order has invalid size. ${where}` };
    }
    const price = new Decimal(o.p);
    const size = new Decimal(o.s);
    if (size.isZero()) return { error: `Order has zero size. ${where}` };
    if (size.decimalPlaces() > m.szDecimals) return { error: `Order has invalid size. ${where}` };
    if (!price.gt(0) || !priceOk(price, m.szDecimals)) {
      return { error: `Order has invalid price. ${where}` };
    }
    const reduceOnly = o.r === true;
    if (!reduceOnly && price.times(size).lt(MIN_VALUE)) {
      return { error: `Order must have minimum value of $10. ${where}` };
    }
    const cloid = o.c;
    if (
      cloid !== undefined && cloid !== null && (typeof cloid !== "string" || !CLOID.test(cloid))
    ) {
      return { error: `Invalid cloid. ${where}` };
    }
    const side: Side = o.b === true ? "buy" : "sell";
    try {
      const { order } = this.engine.placeOrder(user, {
        symbol: m.coin,
        side,
        type: "limit",
        size: size.toFixed(),
        price: price.toFixed(),
        postOnly: tif === "Alo",
        reduceOnly,
        timeInForce: tif === "Ioc" ? "ioc" : "gtc",
        ...(typeof cloid === "string" ? { clientOrderId: cloid } : {}),
      });
      const id = Number(order.id);
      const c = typeof cloid === "string" ? { cloid } : {};
      if (order.status === "open" || order.status === "partially_filled") {
        return { resting: { oid: id, ...c } };
      }
      if (new Decimal(order.filledSize).gt(0)) {
        return {
          filled: {
            totalSz: order.filledSize,
            avgPx: order.averageFillPrice ?? o.p,
            oid: id,
            ...c,
          },
        };
      }
      if (order.cancelReason === "reduce_only") {
        return { error: `Reduce only order would increase position. ${where}` };
      }
      if (order.cancelReason === "self_trade") {
        return { error: `Order would self-trade. ${where}` }; // (inferred)
      }
      return { error: `Order could not immediately match against any resting orders. ${where}` };
    } catch (e) {
      return { error: `${this.#refusal(e, m.coin, side)} ${where}` };
    }
  }

  #refusal(e: unknown, coin: string, side: Side): string {
    if (e instanceof PostOnlyWouldCrossError) {
      const b = this.engine.book(coin, 1);
      const touch = side === "buy" ? b.asks[0]?.[0] : b.bids[0]?.[0];
      return `Post only order would have immediately matched, bbo was ${touch ?? "none"}.`;
    }
    if (e instanceof InsufficientMarginError) return "Insufficient margin to place order.";
    if (e instanceof DuplicateClientOrderIdError) return "Duplicate cloid."; // (inferred)
    if (e instanceof OrderRejectedError && e.reason === "reduce_only") {
      return "Reduce only order would increase position.";
    }
    if (e instanceof InvalidOrderError && e.reason === "invalid_price") {
      return "Price must be divisible by tick size.";
    }
    if (e instanceof InvalidOrderError) return "Order has invalid size.";
    throw e;
  }

  #cancelOne(user: string, asset: unknown, ref: { id: string } | { clientOrderId: string }) {
    const m = this.#markets[Number(asset)];
    const missing = {
      error: `Order was never placed, already canceled, or filled. asset=${asset}`,
    };
    if (!m) return missing;
    try {
      const o = this.engine.getOrder(user, ref);
      if (o.symbol !== m.coin || (o.status !== "open" && o.status !== "partially_filled")) {
        return missing;
      }
      this.engine.cancelOrder(user, ref);
      return "success";
    } catch {
      return missing;
    }
  }

  #scheduleCancel(user: string, time: unknown): Json {
    const previous = this.#scheduledCancels.get(user);
    if (time === undefined || time === null) {
      this.#scheduledCancels.delete(user);
      return { status: "ok", response: { type: "default" } };
    }
    if (typeof time !== "number" || time < this.clock.now() + 5_000) {
      return err("Scheduled cancel time too early, must be at least 5 seconds from now.");
    }
    if (previous !== undefined) this.#scheduledCancels.delete(user);
    this.#scheduledCancels.set(user, time);
    this.engine.schedule(time, () => {
      if (this.#scheduledCancels.get(user) !== time) return;
      this.#scheduledCancels.delete(user);
      this.engine.cancelAll(user);
    });
    return { status: "ok", response: { type: "default" } };
  }

  // ---------------------------------------------------------------------------- WebSocket

  #onSocket(socket: SimSocket): void {
    const conn: Conn = { socket, subs: new Map(), idle: undefined };
    this.#conns.add(conn);
    const touch = () => {
      clearTimeout(conn.idle);
      if (this.#closed) return;
      conn.idle = setTimeout(() => socket.close(1000, "idle"), this.#idleCloseMs);
    };
    touch();
    socket.onClose(() => {
      clearTimeout(conn.idle);
      this.#conns.delete(conn);
    });
    socket.onMessage((text) => {
      touch();
      let msg: Json;
      try {
        msg = JSON.parse(text);
      } catch {
        socket.send("control", { channel: "error", data: `Invalid message: ${text}` });
        return;
      }
      if (msg.method === "ping") socket.send("control", { channel: "pong" });
      else if (msg.method === "subscribe") this.#subscribe(conn, msg.subscription as Json);
      else if (msg.method === "unsubscribe") this.#unsubscribeOne(conn, msg.subscription as Json);
      else if (msg.method === "post") void this.#post(conn, msg);
      else socket.send("control", { channel: "error", data: `Unknown method: ${text}` });
    });
  }

  #subKey(sub: Json | undefined): string | undefined {
    if (!sub || typeof sub.type !== "string") return undefined;
    switch (sub.type) {
      case "l2Book":
      case "trades":
        return this.#hasCoin(sub.coin) ? `${sub.type}:${sub.coin}` : undefined;
      case "orderUpdates":
      case "userFills":
      case "userFundings":
        return typeof sub.user === "string" && /^0x[0-9a-fA-F]{40}$/.test(sub.user)
          ? `${sub.type}:${sub.user.toLowerCase()}`
          : undefined;
      default:
        return undefined;
    }
  }

  #subscribe(conn: Conn, sub: Json): void {
    const key = this.#subKey(sub);
    if (key === undefined) {
      conn.socket.send("control", {
        channel: "error",
        data: `Invalid subscription ${JSON.stringify(sub)}`,
      });
      return;
    }
    const again = conn.subs.has(key);
    conn.subs.set(key, sub);
    conn.socket.send("control", {
      channel: "subscriptionResponse",
      data: { method: "subscribe", subscription: sub },
    });
    const [type, arg] = key.split(":");
    if (type === "l2Book") {
      // A repeated subscription answers with a fresh snapshot (inferred).
      conn.socket.send(key, { channel: "l2Book", data: this.#l2Book(arg) });
    } else if (!again && type === "userFills") {
      const fills = this.engine.hasAccount(arg) ? this.engine.fills(arg).slice(-FILLS_PAGE) : [];
      conn.socket.send("userFills", {
        channel: "userFills",
        data: { isSnapshot: true, user: arg, fills: fills.map((f) => fillWire(f, undefined)) },
      });
    } else if (!again && type === "userFundings") {
      const pays = this.engine.hasAccount(arg) ? this.engine.fundingPayments(arg) : [];
      conn.socket.send("userFundings", {
        channel: "userFundings",
        data: { isSnapshot: true, user: arg, fundings: pays.map(fundingWire) },
      });
    }
  }

  #unsubscribeOne(conn: Conn, sub: Json): void {
    const key = this.#subKey(sub);
    if (key === undefined || !conn.subs.delete(key)) {
      conn.socket.send("control", {
        channel: "error",
        data: `Already unsubscribed: ${JSON.stringify(sub)}`,
      });
      return;
    }
    conn.socket.send("control", {
      channel: "subscriptionResponse",
      data: { method: "unsubscribe", subscription: sub },
    });
  }

  async #post(conn: Conn, msg: Json): Promise<void> {
    const req = msg.request as Json | undefined;
    const id = msg.id;
    const answer = (response: Json) =>
      conn.socket.send("post", { channel: "post", data: { id, response } });
    try {
      if (req?.type === "info") {
        const payload = req.payload as Json;
        answer({
          type: "info",
          payload: { type: payload?.type, data: this.#info(payload) },
        });
      } else if (req?.type === "action") {
        answer({ type: "action", payload: await this.#exchange(req.payload) });
      } else answer({ type: "error", payload: "Invalid post request type" });
    } catch (e) {
      answer({ type: "error", payload: e instanceof Error ? e.message : String(e) });
    }
  }

  #send(key: string, stream: string, frame: Json): void {
    for (const c of this.#conns) if (c.subs.has(key)) c.socket.send(stream, frame);
  }

  #onEngineEvent(e: SimEvent): void {
    switch (e.type) {
      case "book":
        this.#dirtyBooks.add(e.symbol);
        if (!this.#flushScheduled) {
          this.#flushScheduled = true;
          queueMicrotask(() => this.#flushBooks());
        }
        return;
      case "trade":
        this.#send(`trades:${e.symbol}`, `trades:${e.symbol}`, {
          channel: "trades",
          data: [{
            coin: e.symbol,
            side: e.takerSide === "buy" ? "B" : "A",
            px: e.price,
            sz: e.size,
            time: e.time,
            hash: hashOf(Number(e.tradeId)),
            tid: Number(e.tradeId),
          }],
        });
        return;
      case "order": {
        const o = e.order;
        if (o.status === "pending") return;
        this.#send(`orderUpdates:${o.accountId}`, "orderUpdates", {
          channel: "orderUpdates",
          data: [{ order: basicOrder(o), status: statusOf(o), statusTimestamp: o.updatedAt }],
        });
        return;
      }
      case "fill": {
        const f = e.fill;
        const key = `${f.accountId}\u0000${f.symbol}`;
        const start = this.#positions.get(key) ?? new Decimal(0);
        const signed = f.side === "buy" ? new Decimal(f.size) : new Decimal(f.size).neg();
        this.#positions.set(key, start.plus(signed));
        this.#send(`userFills:${f.accountId}`, "userFills", {
          channel: "userFills",
          data: { user: f.accountId, fills: [fillWire(f, start)] },
        });
        return;
      }
      case "funding_payment": {
        const p = e.payment;
        this.#send(`userFundings:${p.accountId}`, "userFundings", {
          channel: "userFundings",
          data: { user: p.accountId, fundings: [fundingWire(p)] },
        });
        return;
      }
    }
  }

  #flushBooks(): void {
    this.#flushScheduled = false;
    if (this.#closed) return;
    for (const coin of this.#dirtyBooks) {
      const key = `l2Book:${coin}`;
      if (![...this.#conns].some((c) => c.subs.has(key))) continue;
      this.#send(key, key, { channel: "l2Book", data: this.#l2Book(coin) });
    }
    this.#dirtyBooks.clear();
  }
}

// ------------------------------------------------------------------------------ wire helpers

function ok(type: string, data: Json): Json {
  return { status: "ok", response: { type, data } };
}

function err(text: string): Json {
  return { status: "err", response: text };
}

function list(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter((x) => x !== null && typeof x === "object") as Json[] : [];
}

function unreadable(text: string): Response {
  return new Response(text, { status: 422, headers: { "content-type": "text/plain" } });
}

function faultStatus(fault: RequestFault): Response {
  const headers: Record<string, string> = {};
  if (fault.retryAfterMs !== undefined) {
    headers["retry-after"] = String(Math.ceil(fault.retryAfterMs / 1000));
  }
  return Response.json({ error: "fault", message: `injected HTTP ${fault.status}` }, {
    status: fault.status,
    headers,
  });
}

/**
 * The cross-margin liquidation price of one position: the mark at which the account value
 * equals the maintenance margin, the account's other positions held at their marks.
 *
 * Hyperliquid docs, "Liquidations": `liq_price = price − side × margin_available /
 * position_size / (1 − l × side)`, with `side` 1 for a long and −1 for a short, `l = 1 /
 * MAINTENANCE_LEVERAGE`, and for cross margin `margin_available = account_value −
 * maintenance_margin_required`; the maintenance margin is half the initial margin at max
 * leverage, so `l = 1 / (2 × maxLeverage)`. `price` is the mark; the result does not move with
 * the mark while nothing else changes. Written to 8 decimals, as the venue's answers are
 * (`"liquidationPx": "2866.26936529"` in the Python SDK's tests).
 *
 * `null` when the position is flat, or when it is a long whose account value covers the price
 * falling to zero (the formula gives 0 or less): the account cannot be liquidated.
 */
function liquidationPrice(p: {
  size: Decimal;
  mark: Decimal;
  accountValue: Decimal;
  maintenance: Decimal;
  maxLeverage: number;
}): string | null {
  if (p.size.isZero()) return null;
  const side = p.size.gt(0) ? 1 : -1;
  const l = new Decimal(1).div(2 * p.maxLeverage);
  const available = p.accountValue.minus(p.maintenance);
  const px = p.mark.minus(
    available.times(side).div(p.size.abs()).div(new Decimal(1).minus(l.times(side))),
  );
  if (!px.gt(0)) return null;
  return px.toDecimalPlaces(8).toFixed();
}

/** At most 6 − szDecimals decimals, and 5 significant figures unless an integer. */
function priceOk(price: Decimal, szDecimals: number): boolean {
  if (price.decimalPlaces() > 6 - szDecimals) return false;
  if (price.isInteger()) return true;
  const digits = price.toFixed().replace(".", "").replace(/^0+/, "");
  return digits.length <= 5;
}

function premium(mark: string, index: string): string {
  const i = new Decimal(index);
  return i.isZero() ? "0" : new Decimal(mark).minus(i).div(i).toFixed(8);
}

function hashOf(n: number): string {
  return `0x${n.toString(16).padStart(64, "0")}`;
}

function fundingHash(p: SimFundingPayment): string {
  let h = 0x811c9dc5;
  for (const ch of p.symbol) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return `0x${(h >>> 0).toString(16).padStart(8, "0")}${p.time.toString(16).padStart(56, "0")}`;
}

const isCloid = (id: string) => CLOID.test(id);

function unfilled(o: OrderView): string {
  return new Decimal(o.size).minus(o.filledSize).toFixed();
}

/** `openOrders` / `orderUpdates` order (`sz` is what is left unfilled). */
function basicOrder(o: OrderView): Json {
  return {
    coin: o.symbol,
    side: o.side === "buy" ? "B" : "A",
    limitPx: o.price ?? "0",
    sz: unfilled(o),
    oid: Number(o.id),
    timestamp: o.createdAt,
    origSz: o.size,
    ...(isCloid(o.clientOrderId) ? { cloid: o.clientOrderId } : {}),
  };
}

/** `frontendOpenOrders` / `orderStatus` order. */
function detailedOrder(o: OrderView): Json {
  return {
    ...basicOrder(o),
    triggerCondition: "N/A",
    isTrigger: false,
    triggerPx: "0.0",
    children: [],
    isPositionTpsl: false,
    reduceOnly: o.reduceOnly,
    orderType: "Limit",
    tif: o.postOnly ? "Alo" : o.timeInForce === "ioc" ? "Ioc" : "Gtc",
    cloid: isCloid(o.clientOrderId) ? o.clientOrderId : null,
  };
}

/** The venue's status name of an order. */
function statusOf(o: OrderView): string {
  switch (o.status) {
    case "filled":
      return "filled";
    case "canceled":
    case "expired":
      switch (o.cancelReason) {
        case "ioc_unfilled":
          return new Decimal(o.filledSize).gt(0) ? "canceled" : "iocCancelRejected";
        case "self_trade":
          return "selfTradeCanceled";
        case "reduce_only":
          return "reduceOnlyCanceled";
        case "insufficient_margin":
          return "marginCanceled";
        case "liquidation":
          return "liquidatedCanceled";
        case "post_only_would_cross":
          return "badAloPxRejected";
        default:
          return "canceled";
      }
    case "rejected":
      switch (o.cancelReason) {
        case "post_only_would_cross":
          return "badAloPxRejected";
        case "reduce_only":
          return "reduceOnlyRejected";
        case "insufficient_margin":
          return "perpMarginRejected";
        default:
          return "rejected";
      }
    default:
      return "open";
  }
}

function direction(start: Decimal, side: Side): string {
  if (side === "buy") return start.lt(0) ? "Close Short" : "Open Long";
  return start.gt(0) ? "Close Long" : "Open Short";
}

function fillWire(f: FillView, start: Decimal | undefined): Json {
  const tid = Number(f.tradeId);
  return {
    coin: f.symbol,
    px: f.price,
    sz: f.size,
    side: f.side === "buy" ? "B" : "A",
    time: f.time,
    // Known for pushed fills; history rows leave them out.
    ...(start === undefined
      ? {}
      : { startPosition: start.toFixed(), dir: direction(start, f.side) }),
    closedPnl: f.realizedPnl,
    hash: hashOf(tid),
    oid: Number(f.orderId),
    crossed: f.liquidity === "taker",
    fee: f.fee,
    tid,
    feeToken: "USDC",
    ...(isCloid(f.clientOrderId) ? { cloid: f.clientOrderId } : {}),
  };
}

function fundingWire(p: SimFundingPayment): Json {
  return {
    time: p.time,
    coin: p.symbol,
    usdc: p.amount,
    szi: p.positionSize,
    fundingRate: p.rate,
    nSamples: null,
  };
}
