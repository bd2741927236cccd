/**
 * The GRVT replica: GRVT's wire protocol (grvt.md) on the simulator engine, served over
 * loopback on three {@linkcode SimServer}s standing in for the edge (login), trading and
 * market-data hosts. Everything venue-specific (error table, signature check, funding units,
 * number formats) is rebuilt here from the venue notes; nothing comes from the GRVT client.
 *
 * What it speaks:
 * - `POST /auth/api_key/login` → `Set-Cookie: gravity=…; Expires=…` and `X-Grvt-Account-Id`;
 *   private calls without a live cookie get 401 / 1000, a mismatched account header 403 / 1001;
 *   the trading host's WebSocket handshake is refused the same way (grvt.md §7.1: "a missing or
 *   bad cookie gives a WS 401");
 * - `POST /full/v1/…` with `{"result": …}` bodies and `{code, message, status}` errors: market
 *   data (`instrument`, `instruments`, `all_instruments`, `ticker`, `mini`, `book`, `trade`,
 *   `kline`, `funding` with paging) and trading (`create_order`, `cancel_order`,
 *   `cancel_all_orders`, `order`, `open_orders`, `positions`, `account_summary`, `fill_history`,
 *   `funding_payment_history` (paged, "positive if paid"), `get_sub_accounts`,
 *   `get_all_initial_leverage`, `set_initial_leverage` (2100 outside [1, max leverage]));
 * - `/ws/full` JSON-RPC on both hosts: `subscribe` / `unsubscribe` of `v1.book.d`, `v1.book.s`,
 *   `v1.ticker.s`, `v1.ticker.d`, `v1.mini.s`, `v1.mini.d`, `v1.candle` (any number of
 *   selectors per request), `v1.order`, `v1.fill`, `v1.position` (snapshots at sequence 0,
 *   then 1, 2, …), and `v1/<endpoint>` request methods answered with the REST body under
 *   `result`;
 * - every order's EIP-712 signature rebuilt from the wire order and recovered with viem's
 *   `recoverTypedDataAddress` (`_order_signature.ts`): bad r/s 2006, bad v 2005, high S 2007,
 *   expired 2001, more than 30 days 2008, another GRVT chain id 1012, a payload that does not
 *   recover to `signer` 2002, a signer other than the API key's wallet 2000;
 * - `create_order` answers `order_id "0x00"` and `PENDING`; the outcome follows on `v1.order`
 *   (a crossing post-only order is `REJECTED` with `FAIL_POST_ONLY`; a reduce-only order larger
 *   than the position fills what it can and the rest is `CANCELLED` with `REDUCE_ONLY_LIMIT`);
 * - decimals are printed as the live venue prints them: the shortest form with at least one
 *   fractional digit (`"88051.0"`, `"0.001"`, `"0.0"`; grvt.md §4 live samples);
 * - funding settles every 8 h (00, 08, 16 UTC) through the engine, crediting or debiting the
 *   positions; `funding_rate` is in percentage points per funding interval (grvt.md §5) and
 *   `next_funding_time` in nanoseconds; positions accumulate
 *   `cumulative_realized_funding_payment` (positive if paid) and carry an
 *   `est_liquidation_price` (cross margin: the mark at which equity meets the maintenance
 *   margin, other positions held at their marks; `"0.0"` when there is none).
 *
 * @module
 */
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { Hex } from "viem";
import type { Clock } from "../../base.ts";
import { Decimal } from "../../core/decimal.ts";
import { ManualClock, systemClock } from "../../exchanges/_shared/clock.ts";
import {
  ConfigurationError,
  DuplicateClientOrderIdError,
  InsufficientMarginError,
  InvalidOrderError,
  NotFoundError,
  OrderRejectedError,
  PostOnlyWouldCrossError,
} from "../../core/errors.ts";
import type { SimOrderRequest } from "../engine.ts";
import { SimEngine } from "../engine.ts";
import type { FillView, OrderView, SimEvent } from "../events.ts";
import { FaultInjector } from "../faults.ts";
import { Ring } from "../_ring.ts";
import { scriptedFundingRates } from "../funding.ts";
import { type RouteContext, SimServer, type SimSocket } from "../server.ts";
import { GRVT_WIRE_ERRORS } from "./_error_codes.ts";
import { recoverOrderSigner, type SignedAsset } from "./_order_signature.ts";
import { SignatureWindow } from "./_signatures.ts";

/** Smallest initial leverage the replica accepts. */
const MIN_LEVERAGE = "1";

/** Front-end name of the replica, for fault rules. */
export const GRVT_FRONT_END = "grvt";

/** Account id of the replica's counterparty (unlimited margin). */
export const GRVT_COUNTERPARTY = "counterparty";

const NS_PER_MS = 1_000_000n;
const MAX_EXPIRY_MS = 30 * 86_400_000;
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;
/** EIP-712 chain ids of prod, testnet and dev/staging (grvt.md §1). */
const KNOWN_CHAIN_IDS = [325, 326, 327];
/** Session cookie set by the login (grvt.md §3.1). */
const COOKIE_NAME = "gravity";
/** Header carrying the account id, answered by the login and sent on private calls (§3.1). */
const ACCOUNT_HEADER = "X-Grvt-Account-Id";

/**
 * The chain id the replica verifies orders with by default: the dev chain id (grvt.md §1), so
 * that an order signed for the replica can never be replayed on prod (325) or testnet (326).
 *
 * @example
 * ```ts
 * import { GRVT_REPLICA_CHAIN_ID } from "./replica.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(GRVT_REPLICA_CHAIN_ID, 327);
 * ```
 */
export const GRVT_REPLICA_CHAIN_ID = 327;

/**
 * The replica's three hosts and the chain id its orders are signed for; the same shape as a
 * GRVT environment's hosts, so it can be handed to a client as `hosts`.
 *
 * @example
 * ```ts
 * import type { GrvtReplicaHosts } from "./replica.ts";
 * const h: GrvtReplicaHosts = {
 *   edgeUrl: "http://127.0.0.1:4001",
 *   tradesUrl: "http://127.0.0.1:4002",
 *   marketDataUrl: "http://127.0.0.1:4003",
 *   chainId: 327,
 * };
 * ```
 */
export interface GrvtReplicaHosts {
  /** Login host (`/auth/api_key/login`). */
  edgeUrl: string;
  /** Trading REST and WebSocket host. */
  tradesUrl: string;
  /** Market-data REST and WebSocket host. */
  marketDataUrl: string;
  /** EIP-712 domain chain id. */
  chainId: number;
}

/** Times in force of orderbook orders (grvt.md §8.1: "Exchange only supports (GTT, IOC, FOK)"). */
type TimeInForce = "GOOD_TILL_TIME" | "IMMEDIATE_OR_CANCEL" | "FILL_OR_KILL";

/**
 * One instrument listed by the replica.
 *
 * @example
 * ```ts
 * import type { GrvtReplicaInstrument } from "./replica.ts";
 * const eth: GrvtReplicaInstrument = {
 *   instrument: "ETH_USDT_Perp", instrumentHash: "0x030401", base: "ETH", tickSize: "0.01",
 *   minSize: "0.01", minNotional: "100", markPrice: "3000",
 * };
 * ```
 */
export interface GrvtReplicaInstrument {
  /** Instrument name (`BTC_USDT_Perp`). */
  instrument: string;
  /** `instrument_hash`, the EIP-712 asset id. */
  instrumentHash: string;
  /** Base currency. */
  base: string;
  /** Quote currency. @default {"USDT"} */
  quote?: string;
  /** Tick size. */
  tickSize: string;
  /** Minimum size, also the size step (grvt.md §4.1.1). */
  minSize: string;
  /** Minimum notional in USDT. @default {"100"} */
  minNotional?: string;
  /** `base_decimals`. @default {9} */
  baseDecimals?: number;
  /** Initial mark and index price. */
  markPrice: string;
  /** Funding interval in hours. @default {8} */
  fundingIntervalHours?: number;
}

/**
 * Options of {@linkcode startGrvtReplica}.
 *
 * @example
 * ```ts
 * import type { GrvtReplicaOptions } from "./replica.ts";
 * import { ManualClock } from "../../exchanges/_shared/clock.ts";
 * const o: GrvtReplicaOptions = { clock: new ManualClock(Date.now()), collateral: "50000" };
 * ```
 */
export interface GrvtReplicaOptions {
  /**
   * Engine clock. A `ManualClock` makes time virtual (`control.advance`); any other clock runs
   * the engine's timed work in the background. @default {systemClock}
   */
  clock?: Clock;
  /** Instruments. @default {BTC_USDT_Perp at 64000 and ETH_USDT_Perp at 3200} */
  instruments?: GrvtReplicaInstrument[];
  /** USDT collateral of the test account. @default {"100000"} */
  collateral?: string;
  /** EIP-712 chain id orders must be signed for. @default {327} */
  chainId?: number;
  /** Session lifetime in ms (an API-key login lasts a day, grvt.md §3.1). @default {86_400_000} */
  sessionLifetimeMs?: number;
  /** Test account credentials. @default {fresh random ones} */
  credentials?: Partial<GrvtReplicaCredentials>;
  /** Fault injector. @default {a new one on the clock} */
  faults?: FaultInjector;
}

/**
 * Credentials of the replica's funded test account.
 *
 * @example
 * ```ts
 * import type { GrvtReplicaCredentials } from "./replica.ts";
 * const c: Partial<GrvtReplicaCredentials> = { tradingAccountId: "2147050003876484" };
 * ```
 */
export interface GrvtReplicaCredentials {
  /** API key id. */
  apiKey: string;
  /** The API key wallet's private key (signs orders). */
  privateKey: `0x${string}`;
  /** Sub-account id. */
  tradingAccountId: string;
}

/**
 * An order resting at the replica, as the engine knows it.
 *
 * @example
 * ```ts
 * import type { GrvtTruthOrder } from "./replica.ts";
 * const size = (o: GrvtTruthOrder) => o.size.toString();
 * ```
 */
export interface GrvtTruthOrder {
  /** GRVT order id (`0x…`). */
  id: string;
  /** Client order id. */
  clientOrderId: string;
  /** Side. */
  side: "buy" | "sell";
  /** Limit price. */
  price: Decimal;
  /** Size. */
  size: Decimal;
  /** Filled size. */
  filledSize: Decimal;
}

/**
 * Control of a running replica for tests, in unified symbols (`"BTC"`); the same shape as the
 * conformance suite's `ReplicaControl`.
 *
 * @example
 * ```ts
 * import type { GrvtReplicaControl } from "./replica.ts";
 * import { Decimal } from "../../core/decimal.ts";
 * const crash = (c: GrvtReplicaControl) => c.setPrice("BTC", new Decimal("30000"));
 * ```
 */
export interface GrvtReplicaControl {
  /** Sets mark and index price. */
  setPrice(symbol: string, price: Decimal): Promise<void>;
  /** Sets the funding rate (fraction per interval) of the next settlements. */
  setFundingRate(symbol: string, rate: Decimal): Promise<void>;
  /** Moves virtual time forward (needs a `ManualClock`). */
  advance(ms: number): Promise<void>;
  /** Places a GTC limit order from the counterparty account. */
  placeCounterOrder(
    order: { symbol: string; side: "buy" | "sell"; price: Decimal; size: Decimal },
  ): Promise<void>;
  /** Cancels every counterparty order of a market. */
  cancelCounterOrders(symbol: string): Promise<void>;
  /** The test account's resting orders. */
  openOrders(symbol: string): Promise<GrvtTruthOrder[]>;
  /** The test account's signed position. */
  position(symbol: string): Promise<Decimal>;
  /** The test account's equity. */
  equity(): Promise<Decimal>;
  /**
   * The test account's funding payments of a market as the engine settled them, oldest first:
   * `amount` positive = received, `rate` a fraction per interval, `positionSize` signed.
   */
  fundingPayments(symbol: string): Promise<GrvtTruthFundingPayment[]>;
  /** The leverage the test account has set on a market. */
  leverage(symbol: string): Promise<Decimal>;
  /** Closes every WebSocket connection. */
  dropConnections(): Promise<void>;
  /** Drops the next book delta of a market (a sequence gap). */
  injectBookGap(symbol: string): Promise<void>;
  /** Accepts the next `create_order` but loses its response. */
  loseNextOrderResponse(): Promise<void>;
  /** Accepts the next `create_order` but answers with a proxy's HTML page (status 200). */
  garbleNextOrderResponse(): Promise<void>;
  /** Fails the next `times` `full/v1/order` lookups with HTTP 503. */
  failNextOrderLookups(times: number): Promise<void>;
}

/**
 * One funding payment of the test account as the engine settled it.
 *
 * @example
 * ```ts
 * import type { GrvtTruthFundingPayment } from "./replica.ts";
 * const received = (p: GrvtTruthFundingPayment) => p.amount.gt(0);
 * ```
 */
export interface GrvtTruthFundingPayment {
  /** Settlement time (ms). */
  time: number;
  /** Amount credited: positive = received, negative = paid. */
  amount: Decimal;
  /** Rate applied, fraction per interval (positive ⇒ longs pay). */
  rate: Decimal;
  /** Signed position size at settlement. */
  positionSize: Decimal;
}

/**
 * A running replica.
 *
 * @example
 * ```ts
 * import type { GrvtReplica } from "./replica.ts";
 * const urls = (r: GrvtReplica) => [r.hosts.edgeUrl, r.hosts.tradesUrl, r.hosts.marketDataUrl];
 * ```
 */
export interface GrvtReplica extends AsyncDisposable {
  /** Always `"sim"`. */
  readonly environment: "sim";
  /** Hosts and chain id for the client (`GRVTClient({ environment: "sim", hosts })`). */
  readonly hosts: GrvtReplicaHosts;
  /** The funded test account. */
  readonly credentials: GrvtReplicaCredentials;
  /** Test control in unified symbols. */
  readonly control: GrvtReplicaControl;
  /** The engine (instruments are named like GRVT's, e.g. `BTC_USDT_Perp`). */
  readonly engine: SimEngine;
  /** The fault injector (front-end {@linkcode GRVT_FRONT_END}). */
  readonly faults: FaultInjector;
  /** Unified symbol → instrument name. */
  readonly instruments: Readonly<Record<string, string>>;
  /** Stops the servers and closes every socket. */
  close(): Promise<void>;
}

const DEFAULT_INSTRUMENTS: GrvtReplicaInstrument[] = [
  {
    instrument: "BTC_USDT_Perp",
    instrumentHash: "0x030501",
    base: "BTC",
    tickSize: "0.1",
    minSize: "0.001",
    minNotional: "100",
    markPrice: "64000",
  },
  {
    instrument: "ETH_USDT_Perp",
    instrumentHash: "0x030401",
    base: "ETH",
    tickSize: "0.01",
    minSize: "0.01",
    minNotional: "100",
    markPrice: "3200",
  },
];

/** A GRVT error to answer with. */
class GrvtReply extends Error {
  constructor(readonly code: number, message?: string) {
    super(message ?? GRVT_WIRE_ERRORS[code]?.message ?? `error ${code}`);
  }
  get status(): number {
    return GRVT_WIRE_ERRORS[this.code]?.status ?? 400;
  }
  body(): Record<string, unknown> {
    return { code: this.code, message: this.message, status: this.status };
  }
}

interface Session {
  accountId: string;
  expiresAt: number;
}

interface Wire {
  accountId: string;
  instrument: string;
  isMarket: boolean;
  tif: TimeInForce;
  limitPrice: string;
  requestedSize: string;
  signature: Record<string, unknown>;
}

interface Sub {
  socket: SimSocket;
  stream: string;
  selector: string;
  instrument?: string;
  accountId?: string;
  depth?: number;
  /** `v1.candle`: bucket length and candle type. */
  candle?: { intervalMs: number; type: string };
  /** Delta streams and candles: the last whole object sent. */
  last?: Json;
  seq: number;
}

interface InstrumentInfo extends Required<GrvtReplicaInstrument> {
  symbol: string;
}

type Json = Record<string, unknown>;

/**
 * Starts a GRVT replica on 127.0.0.1 with a funded test account, a counterparty account and no
 * background liquidity.
 *
 * @param options Clock, instruments, collateral, chain id, session lifetime, credentials.
 * @returns The replica; close it when done.
 * @throws {ConfigurationError} If an instrument is invalid.
 *
 * @example Log in and read the ticker
 * ```ts
 * import { startGrvtReplica } from "./replica.ts";
 * import { strictEqual } from "node:assert/strict";
 *
 * await using replica = startGrvtReplica();
 * const res = await fetch(`${replica.hosts.marketDataUrl}/full/v1/ticker`, {
 *   method: "POST",
 *   body: JSON.stringify({ instrument: "BTC_USDT_Perp" }),
 * });
 * const { result } = await res.json();
 * strictEqual(result.mark_price, "64000.0"); // at least one fractional digit, as the venue writes
 * ```
 */
export function startGrvtReplica(options: GrvtReplicaOptions = {}): GrvtReplica {
  return new Replica(options);
}

class Replica implements GrvtReplica {
  readonly environment = "sim" as const;
  readonly hosts: GrvtReplicaHosts;
  readonly credentials: GrvtReplicaCredentials;
  readonly control: GrvtReplicaControl;
  readonly engine: SimEngine;
  readonly faults: FaultInjector;
  readonly instruments: Readonly<Record<string, string>>;
  readonly #clock: Clock;
  readonly #chainId: number;
  readonly #sessionMs: number;
  readonly #signer: string;
  readonly #servers: SimServer[];
  readonly #insts = new Map<string, InstrumentInfo>();
  readonly #sessions = new Map<string, Session>();
  /**
   * The wire order behind each engine order. Retention: active orders, and finished ones as
   * long as the engine keeps them (its `finishedOrders` bound, tracked by `#finishedWire`).
   */
  readonly #wire = new Map<string, Wire>();
  #finishedWire: Ring<string> | undefined;
  /**
   * Signed payloads accepted, found by signature, with the order each created. Retention: until
   * the hour in which the signature expires has passed (a replay after its expiration is refused
   * with 2001 before this check), at most 200,000, the soonest-expiring hour first out
   * (`_signatures.ts`).
   */
  readonly #signatures = new SignatureWindow();
  readonly #subs = new Set<Sub>();
  /**
   * Mark, index and mid prices per instrument, folded into one-minute open/high/low/close
   * buckets (every candle interval is a whole number of minutes, so larger candles fold them
   * exactly). Retention: the newest {@linkcode PRICE_MINUTES_KEPT} minutes per instrument (the
   * last 24 hours, like the engine's trade window behind `TRADE` candles), oldest first out.
   */
  readonly #priceMinutes = new Map<string, Ring<PriceMinute>>();
  readonly #stop = new AbortController();
  readonly #unsubscribe: () => void;
  #held: SimEvent[] | undefined;
  #bookSnapshotsDue = new Set<string>();
  #publishDue = new Set<string>();
  #closed = false;

  constructor(options: GrvtReplicaOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#chainId = options.chainId ?? GRVT_REPLICA_CHAIN_ID;
    this.#sessionMs = options.sessionLifetimeMs ?? 86_400_000;
    this.faults = options.faults ?? new FaultInjector({ clock: this.#clock });
    const privateKey = options.credentials?.privateKey ?? generatePrivateKey();
    this.credentials = {
      apiKey: options.credentials?.apiKey ?? randomHex(16),
      privateKey,
      tradingAccountId: options.credentials?.tradingAccountId ?? "2147050003876484",
    };
    this.#signer = privateKeyToAccount(privateKey).address.toLowerCase();
    this.engine = new SimEngine({
      clock: this.#clock,
      venue: "grvt",
      postOnlyCross: "reject",
      reduceOnlyOversize: "resize",
    });
    const map: Record<string, string> = {};
    for (const spec of options.instruments ?? DEFAULT_INSTRUMENTS) {
      const info: InstrumentInfo = {
        quote: "USDT",
        minNotional: "100",
        baseDecimals: 9,
        fundingIntervalHours: 8,
        ...spec,
        symbol: spec.base,
      };
      this.engine.addInstrument({
        symbol: info.instrument,
        tickSize: info.tickSize,
        sizeStep: info.minSize,
        minSize: info.minSize,
        minNotional: info.minNotional,
        maxLeverage: "50",
        // Taker 0.045 % as in the live fill sample (grvt.md §4.2.5); the maker rebate is assumed.
        makerFee: "-0.0001",
        takerFee: "0.00045",
        fundingIntervalHours: info.fundingIntervalHours,
        fundingRateCap: "0.003",
      }, { markPrice: info.markPrice, indexPrice: info.markPrice });
      this.#insts.set(info.instrument, info);
      map[info.symbol] = info.instrument;
    }
    this.instruments = Object.freeze(map);
    this.engine.createAccount(this.credentials.tradingAccountId, {
      collateral: options.collateral ?? "100000",
    });
    this.engine.createAccount(GRVT_COUNTERPARTY, { unlimitedMargin: true });
    this.#unsubscribe = this.engine.subscribe((e) => this.#onEngineEvent(e));

    const edge = SimServer.start({ faults: this.faults });
    const trades = SimServer.start({ faults: this.faults });
    const market = SimServer.start({ faults: this.faults });
    this.#servers = [edge, trades, market];
    this.hosts = Object.freeze({
      edgeUrl: edge.url,
      tradesUrl: trades.url,
      marketDataUrl: market.url,
      chainId: this.#chainId,
    });
    this.#routes(edge, trades, market);
    this.control = this.#makeControl();
    if (!(this.#clock instanceof ManualClock)) {
      this.engine.run(this.#stop.signal).catch(() => {});
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stop.abort();
    this.#unsubscribe();
    await Promise.all(this.#servers.map((s) => s.close()));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ------------------------------------------------------------------ routing

  #routes(edge: SimServer, trades: SimServer, market: SimServer): void {
    const fe = GRVT_FRONT_END;
    edge.route(fe, "POST", "/auth/api_key/login", (ctx) => this.#login(ctx), {
      endpoint: "auth/api_key/login",
    });
    const pub: Record<string, (b: Json) => unknown> = {
      instrument: (b) => ({ result: this.#instrumentJson(this.#inst(b.instrument)) }),
      instruments: (b) => ({ result: this.#listInstruments(b) }),
      all_instruments: (b) => ({ result: this.#listInstruments(b) }),
      ticker: (b) => ({ result: this.#ticker(this.#inst(b.instrument)) }),
      mini: (b) => ({ result: this.#mini(this.#inst(b.instrument)) }),
      book: (b) => ({
        result: this.#book(this.#inst(b.instrument), depthOf(b.depth), "string"),
      }),
      trade: (b) => ({ result: this.#trades(this.#inst(b.instrument), b.limit) }),
      kline: (b) => this.#kline(b),
      funding: (b) => this.#funding(b),
    };
    const priv: Record<string, (b: Json, s: Session) => unknown> = {
      create_order: (b, s) => this.#createOrder(b, s),
      cancel_order: (b, s) => this.#cancelOrder(b, s),
      cancel_all_orders: (b, s) => this.#cancelAll(b, s),
      order: (b, s) => this.#getOrder(b, s),
      open_orders: (b, s) => ({ result: this.#openOrders(b, s) }),
      positions: (b, s) => ({ result: this.#positions(b, s) }),
      account_summary: (b, s) => ({ result: this.#accountSummary(b, s) }),
      fill_history: (b, s) => this.#fillHistory(b, s),
      funding_payment_history: (b, s) => this.#fundingPayments(b, s),
      get_sub_accounts: (_b, s) => ({ sub_account_ids: [s.accountId] }),
      get_all_initial_leverage: (b, s) => this.#allLeverage(b, s),
      set_initial_leverage: (b, s) => this.#setLeverage(b, s),
    };
    for (const [name, handler] of Object.entries(pub)) {
      market.route(fe, "POST", `/full/v1/${name}`, (ctx) => this.#rest(ctx, (b) => handler(b)), {
        endpoint: `full/v1/${name}`,
      });
    }
    for (const [name, handler] of Object.entries(priv)) {
      trades.route(fe, "POST", `/full/v1/${name}`, (ctx) =>
        this.#rest(ctx, (b) => {
          const session = this.#authenticate(ctx.request.headers);
          return handler(b, session);
        }), { endpoint: `full/v1/${name}` });
    }
    market.websocket(fe, "/ws/full", (socket) => this.#onSocket(socket, undefined, pub, {}));
    // The handshake carries the session (grvt.md §7.1): a missing or bad cookie is refused with
    // a 401, a foreign account header with a 403, before the upgrade.
    trades.websocket(
      fe,
      "/ws/full",
      (socket, ctx) => {
        let session: Session;
        try {
          // Checked again: the session may have expired between the handshake and now.
          session = this.#authenticate(ctx.request.headers);
        } catch {
          socket.close(1008, "unauthenticated");
          return;
        }
        this.#onSocket(socket, session, {}, priv);
      },
      {
        accept: (ctx) => {
          try {
            this.#authenticate(ctx.request.headers);
            return undefined;
          } catch (e) {
            return reply(toReply(e));
          }
        },
      },
    );
    // Unknown paths answer GRVT's own 1004 body rather than the harness's.
    for (const server of [trades, market]) {
      server.route(fe, "*", "/*", () => reply(new GrvtReply(1004)), { endpoint: "unknown" });
    }
  }

  async #rest(ctx: RouteContext, run: (body: Json) => unknown): Promise<Response> {
    let body: Json;
    try {
      const text = await ctx.request.text();
      const parsed = text.trim() === "" ? {} : JSON.parse(text);
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw 0;
      body = parsed as Json;
    } catch {
      return reply(new GrvtReply(1003));
    }
    try {
      const result = await run(body);
      return Response.json(result);
    } catch (e) {
      return reply(toReply(e));
    }
  }

  // ------------------------------------------------------------------ auth

  async #login(ctx: RouteContext): Promise<Response> {
    let apiKey: unknown;
    try {
      apiKey = (await ctx.request.json())?.api_key;
    } catch {
      return reply(new GrvtReply(1003));
    }
    if (apiKey !== this.credentials.apiKey) return reply(new GrvtReply(1000));
    const cookie = randomHex(32);
    const expiresAt = this.engine.now() + this.#sessionMs;
    this.#sessions.set(cookie, { accountId: this.credentials.tradingAccountId, expiresAt });
    const headers = new Headers();
    headers.append(
      "set-cookie",
      `${COOKIE_NAME}=${cookie}; Path=/; Expires=${
        new Date(expiresAt).toUTCString()
      }; HttpOnly; Secure`,
    );
    headers.set(ACCOUNT_HEADER, this.credentials.tradingAccountId);
    return Response.json({
      status: "success",
      location: "",
      funding_account_address: this.#signer,
      sub_account_id: this.credentials.tradingAccountId,
    }, { headers });
  }

  #authenticate(headers: Headers): Session {
    const cookie = (headers.get("cookie") ?? "").split(";").map((s) => s.trim())
      .find((s) => s.startsWith(`${COOKIE_NAME}=`))?.slice(COOKIE_NAME.length + 1);
    const session = cookie === undefined ? undefined : this.#sessions.get(cookie);
    if (session === undefined || session.expiresAt <= this.engine.now()) {
      throw new GrvtReply(1000);
    }
    // (inferred) The account header must name the logged-in account (grvt.md §11.1).
    if (headers.get(ACCOUNT_HEADER) !== session.accountId) throw new GrvtReply(1001);
    return session;
  }

  #ownAccount(body: Json, session: Session): string {
    const id = body.sub_account_id;
    if (typeof id !== "string" || !/^\d{1,20}$/.test(id)) throw new GrvtReply(3020);
    if (id !== session.accountId) throw new GrvtReply(1001);
    return id;
  }

  // ------------------------------------------------------------------ market data

  #inst(name: unknown): InstrumentInfo {
    const info = typeof name === "string" ? this.#insts.get(name) : undefined;
    if (info === undefined) throw new GrvtReply(3000);
    return info;
  }

  #instrumentJson(i: InstrumentInfo): Json {
    // Field set, types and formats of the live BTC instrument (grvt.md §4.1.1).
    return {
      instrument: i.instrument,
      instrument_hash: i.instrumentHash,
      base: i.base,
      quote: i.quote,
      kind: "PERPETUAL",
      venues: ["ORDERBOOK", "RFQ"],
      settlement_period: "PERPETUAL",
      base_decimals: i.baseDecimals,
      quote_decimals: 6,
      tick_size: wire(i.tickSize),
      min_size: wire(i.minSize),
      create_time: "1704067200000000000",
      max_position_size: "1000.0",
      funding_interval_hours: i.fundingIntervalHours,
      adjusted_funding_rate_cap: "0.3",
      adjusted_funding_rate_floor: "-0.3",
      min_notional: wire(i.minNotional),
    };
  }

  #listInstruments(b: Json): Json[] {
    const has = (field: unknown, value: string) =>
      !Array.isArray(field) || field.length === 0 || field.includes(value);
    return [...this.#insts.values()]
      .filter((i) => has(b.kind, "PERPETUAL") && has(b.base, i.base) && has(b.quote, i.quote))
      .map((i) => this.#instrumentJson(i));
  }

  /** `MiniTicker` (grvt.md §4.1; `fixtures/grvt/full_v1_mini.json`). */
  #mini(i: InstrumentInfo): Json {
    const e = this.engine;
    const prices = e.prices(i.instrument);
    const top = e.book(i.instrument, 1);
    const bid = top.bids[0];
    const ask = top.asks[0];
    return {
      event_time: msToNs(e.now()),
      instrument: i.instrument,
      mark_price: wire(prices.markPrice),
      index_price: wire(prices.indexPrice),
      last_price: wire(prices.lastPrice),
      last_size: wire(e.trades(i.instrument, 1)[0]?.size ?? "0"),
      mid_price: bid && ask ? wire(new Decimal(bid[0]).plus(ask[0]).div(2)) : "0.0",
      best_bid_price: wire(bid?.[0] ?? "0"),
      best_bid_size: wire(bid?.[1] ?? "0"),
      best_ask_price: wire(ask?.[0] ?? "0"),
      best_ask_size: wire(ask?.[1] ?? "0"),
    };
  }

  /** `Ticker`: the mini ticker plus volumes, range, open interest and funding (grvt.md §4.1.2). */
  #ticker(i: InstrumentInfo): Json {
    const e = this.engine;
    const now = e.now();
    const next = e.nextFunding(i.instrument);
    let buyB = new Decimal(0),
      sellB = new Decimal(0),
      buyQ = new Decimal(0),
      sellQ = new Decimal(0);
    let high: Decimal | undefined, low: Decimal | undefined, open: Decimal | undefined;
    for (const t of e.trades(i.instrument)) {
      if (t.time < now - 86_400_000) continue;
      const p = new Decimal(t.price);
      const q = p.times(t.size);
      if (t.takerSide === "buy") {
        buyB = buyB.plus(t.size);
        buyQ = buyQ.plus(q);
      } else {
        sellB = sellB.plus(t.size);
        sellQ = sellQ.plus(q);
      }
      open ??= p;
      high = high === undefined || p.gt(high) ? p : high;
      low = low === undefined || p.lt(low) ? p : low;
    }
    let oi = new Decimal(0);
    for (const account of e.accounts()) {
      const size = new Decimal(e.position(account, i.instrument).size);
      if (size.isPositive()) oi = oi.plus(size);
    }
    const rate = fundingPercentagePoints(next.rate);
    // The deprecated 8 h fields scale the interval's rate to 8 h (inferred from their names).
    const rate8h = wire(new Decimal(rate).times(8).div(i.fundingIntervalHours));
    const mini = this.#mini(i);
    return {
      ...mini,
      funding_rate_8h_curr: rate8h,
      funding_rate_8h_avg: rate8h,
      interest_rate: "0.0",
      forward_price: "0.0",
      buy_volume_24h_b: wire(buyB),
      sell_volume_24h_b: wire(sellB),
      buy_volume_24h_q: wire(buyQ),
      sell_volume_24h_q: wire(sellQ),
      high_price: wire(high ?? 0),
      low_price: wire(low ?? 0),
      open_price: wire(open ?? 0),
      open_interest: wire(oi),
      long_short_ratio: "1.0",
      funding_rate: rate,
      next_funding_time: msToNs(next.time),
    };
  }

  /**
   * `OrderbookLevels`. `num_orders` is a string in the REST answer and a number on the streams,
   * as the live captures show (grvt.md §2.3, §7.5).
   */
  #book(i: InstrumentInfo, depth: number, numOrders: "string" | "number"): Json {
    const l3 = this.engine.bookOrders(i.instrument);
    const side = (levels: typeof l3.bids) =>
      levels.slice(0, depth).map((l) => ({
        price: wire(l.price),
        size: wire(l.size),
        num_orders: numOrders === "string" ? String(l.orders.length) : l.orders.length,
      }));
    return {
      event_time: msToNs(this.engine.now()),
      instrument: i.instrument,
      bids: side(l3.bids),
      asks: side(l3.asks),
    };
  }

  #trades(i: InstrumentInfo, limit: unknown): Json[] {
    const n = typeof limit === "number" && limit > 0 ? Math.min(limit, 1000) : 500;
    const prices = this.engine.prices(i.instrument);
    return this.engine.trades(i.instrument, n).reverse().map((t) => ({
      event_time: msToNs(t.time),
      instrument: i.instrument,
      is_taker_buyer: t.takerSide === "buy",
      size: wire(t.size),
      price: wire(t.price),
      mark_price: wire(prices.markPrice),
      index_price: wire(prices.indexPrice),
      interest_rate: "0.0",
      forward_price: "0.0",
      trade_id: `${t.tradeId}-1`,
      venue: "ORDERBOOK",
      is_rpi: false,
    }));
  }

  /** `full/v1/funding`: reverse chronological from `end_time`, `limit` rows, `next` cursor. */
  #funding(b: Json): Json {
    const i = this.#inst(b.instrument);
    const start = nsToMs(b.start_time, 0);
    const end = nsToMs(b.end_time, Infinity);
    const limit = pageLimit(b.limit);
    const offset = cursorOffset(b.cursor);
    const rows = this.engine.fundingHistory(i.instrument)
      .filter((s) => s.time >= start && s.time <= end)
      .reverse();
    const page = rows.slice(offset, offset + limit);
    return {
      result: page.map((s) => ({
        instrument: i.instrument,
        funding_rate: fundingPercentagePoints(s.rate),
        funding_time: msToNs(s.time),
        mark_price: wire(s.markPrice),
        funding_rate_8_h_avg: wire(
          new Decimal(fundingPercentagePoints(s.rate)).times(8).div(i.fundingIntervalHours),
        ),
        funding_interval_hours: i.fundingIntervalHours,
      })),
      next: offset + limit < rows.length ? String(offset + limit) : "",
    };
  }

  /** `full/v1/kline`: candlesticks newest first, paged like `funding` (grvt.md §4.1). */
  #kline(b: Json): Json {
    const i = this.#inst(b.instrument);
    const intervalMs = CANDLE_INTERVALS_MS[String(b.interval ?? "CI_1_M")];
    if (intervalMs === undefined) throw new GrvtReply(3040);
    const type = String(b.type ?? "TRADE");
    if (!CANDLE_TYPES.includes(type)) throw new GrvtReply(3041);
    const start = nsToMs(b.start_time, 0);
    const end = nsToMs(b.end_time, Infinity);
    const limit = pageLimit(b.limit);
    const offset = cursorOffset(b.cursor);
    const rows = this.#candles(i, intervalMs, type)
      .filter((c) => c.openMs + intervalMs > start && c.openMs <= end);
    return {
      result: rows.slice(offset, offset + limit).map((c) =>
        candleJson(i.instrument, c, intervalMs)
      ),
      next: offset + limit < rows.length ? String(offset + limit) : "",
    };
  }

  /**
   * Candles of an instrument, newest first. `TRADE` candles come from the trades; `MARK`,
   * `INDEX` and `MID` from the prices the replica has seen change, with no volume.
   */
  #candles(i: InstrumentInfo, intervalMs: number, type: string): Candle[] {
    const points: {
      time: number;
      open: string;
      high: string;
      low: string;
      close: string;
      size: string;
      quote: Decimal;
    }[] = [];
    if (type === "TRADE") {
      for (const t of this.engine.trades(i.instrument)) {
        const p = t.price;
        points.push({
          time: t.time,
          open: p,
          high: p,
          low: p,
          close: p,
          size: t.size,
          quote: new Decimal(p).times(t.size),
        });
      }
    } else {
      const key = type === "MARK" ? "mark" : type === "INDEX" ? "index" : "mid";
      for (const m of this.#priceMinutes.get(i.instrument) ?? []) {
        const ohlc = m[key];
        if (ohlc !== undefined) points.push({ time: m.openMs, ...ohlc, size: "", quote: ZERO });
      }
    }
    const byBucket = new Map<number, Candle>();
    for (const p of points) {
      const openMs = Math.floor(p.time / intervalMs) * intervalMs;
      const c = byBucket.get(openMs);
      if (c === undefined) {
        byBucket.set(openMs, {
          openMs,
          open: new Decimal(p.open),
          close: new Decimal(p.close),
          high: new Decimal(p.high),
          low: new Decimal(p.low),
          volumeB: p.size === "" ? ZERO : new Decimal(p.size),
          volumeQ: p.quote,
          trades: p.size === "" ? 0 : 1,
        });
        continue;
      }
      c.close = new Decimal(p.close);
      const high = new Decimal(p.high);
      const low = new Decimal(p.low);
      if (high.gt(c.high)) c.high = high;
      if (low.lt(c.low)) c.low = low;
      if (p.size !== "") {
        c.volumeB = c.volumeB.plus(p.size);
        c.volumeQ = c.volumeQ.plus(p.quote);
        c.trades++;
      }
    }
    return [...byBucket.values()].sort((a, b) => b.openMs - a.openMs);
  }

  /** Folds mark, index and mid of an instrument into its current price minute (for candles). */
  #sample(instrument: string, time: number): void {
    const prices = this.engine.prices(instrument);
    const top = this.engine.book(instrument, 1);
    const bid = top.bids[0];
    const ask = top.asks[0];
    const mid = bid && ask ? new Decimal(bid[0]).plus(ask[0]).div(2).toString() : undefined;
    let minutes = this.#priceMinutes.get(instrument);
    if (minutes === undefined) {
      minutes = new Ring<PriceMinute>(PRICE_MINUTES_KEPT);
      this.#priceMinutes.set(instrument, minutes);
    }
    const openMs = Math.floor(time / MINUTE_MS) * MINUTE_MS;
    const last = minutes.at(-1);
    if (last === undefined || last.openMs !== openMs) {
      minutes.push({
        openMs,
        mark: ohlcOf(prices.markPrice),
        index: ohlcOf(prices.indexPrice),
        mid: mid === undefined ? undefined : ohlcOf(mid),
      });
      return;
    }
    foldPrice(last.mark, prices.markPrice);
    foldPrice(last.index, prices.indexPrice);
    if (mid !== undefined) {
      if (last.mid === undefined) last.mid = ohlcOf(mid);
      else foldPrice(last.mid, mid);
    }
  }

  // ------------------------------------------------------------------ trading

  async #createOrder(b: Json, session: Session): Promise<Json> {
    const order = b.order as Json | undefined;
    if (order === null || typeof order !== "object") throw new GrvtReply(1003);
    const account = this.#ownAccount(order, session);
    if (account !== session.accountId) throw new GrvtReply(2003);
    // Structure.
    if (order.order_id !== undefined && order.order_id !== "" && order.order_id !== "0x00") {
      throw new GrvtReply(2010);
    }
    const metadata = (order.metadata ?? {}) as Json;
    const cid = metadata.client_order_id;
    if (typeof cid !== "string" || !/^\d{1,20}$/.test(cid) || BigInt(cid) >= 1n << 64n) {
      throw new GrvtReply(2011);
    }
    const legs = order.legs;
    if (!Array.isArray(legs) || legs.length === 0) throw new GrvtReply(2040);
    if (legs.length > 1) throw new GrvtReply(2042);
    if (order.state !== undefined && order.state !== null) throw new GrvtReply(2050);
    // Time in force.
    const tif = order.time_in_force;
    if (tif !== "GOOD_TILL_TIME" && tif !== "IMMEDIATE_OR_CANCEL" && tif !== "FILL_OR_KILL") {
      throw new GrvtReply(2030);
    }
    const postOnly = order.post_only === true;
    const reduceOnly = order.reduce_only === true;
    const isMarket = order.is_market === true;
    if (postOnly && tif !== "GOOD_TILL_TIME") throw new GrvtReply(2032);
    // Price.
    const leg = legs[0] as Json;
    const price = parseDecimal(leg.limit_price);
    const hasPrice = price !== undefined && !price.isZero();
    if (isMarket && hasPrice) throw new GrvtReply(2020);
    if (!isMarket && !hasPrice) throw new GrvtReply(2021);
    // Instrument.
    const info = this.#insts.get(String(leg.instrument));
    if (info === undefined) throw new GrvtReply(2061);
    // Size and tick.
    const size = parseDecimal(leg.size);
    if (size === undefined || !size.gt(0)) throw new GrvtReply(2062);
    if (size.lt(info.minSize)) throw new GrvtReply(2062);
    if (!size.mod(info.minSize).isZero()) throw new GrvtReply(2065);
    if (hasPrice && (price!.isNegative() || !price!.mod(info.tickSize).isZero())) {
      throw new GrvtReply(2064);
    }
    if (!reduceOnly) {
      const ref = hasPrice ? price! : new Decimal(this.engine.prices(info.instrument).markPrice);
      if (ref.times(size).lt(info.minNotional)) throw new GrvtReply(2066);
    }
    // Signature, rebuilt from the wire order as received.
    const sig = (order.signature ?? {}) as Json;
    const isBuy = leg.is_buying_asset === true;
    await this.#verifySignature(sig, order);
    // The same signed payload twice is a duplicate: answer with the order it created.
    const seen = this.#signatures.find(String(sig.r));
    if (seen !== undefined) {
      return {
        result: this.#orderJson(this.engine.getOrder(account, { id: String(seen) }), "0x00"),
      };
    }
    if (this.engine.isActive(account, cid)) throw new GrvtReply(2012);
    if (reduceOnly) {
      const pos = new Decimal(this.engine.position(account, info.instrument).size);
      if (pos.isZero()) throw new GrvtReply(2400);
      if (pos.isPositive() === isBuy) throw new GrvtReply(2401);
    }
    const request: SimOrderRequest = {
      symbol: info.instrument,
      side: isBuy ? "buy" : "sell",
      type: isMarket ? "market" : "limit",
      size,
      price: hasPrice ? price : undefined,
      postOnly,
      reduceOnly,
      // A market order never rests: GTT market remainders are canceled (MARKET_CANCEL).
      timeInForce: tif === "FILL_OR_KILL"
        ? "fok"
        : tif === "IMMEDIATE_OR_CANCEL" || isMarket
        ? "ioc"
        : "gtt",
      expiresAt: tif === "GOOD_TILL_TIME" && !isMarket
        ? Number(BigInt(String(sig.expiration)) / NS_PER_MS)
        : undefined,
      clientOrderId: cid,
    };
    const stored: Wire = {
      accountId: account,
      instrument: info.instrument,
      isMarket,
      tif,
      limitPrice: hasPrice ? price!.toString() : "0",
      requestedSize: size.toString(),
      signature: {
        signer: String(sig.signer).toLowerCase(),
        r: sig.r,
        s: sig.s,
        v: sig.v,
        expiration: sig.expiration,
        nonce: sig.nonce,
        chain_id: sig.chain_id === undefined ? "0" : String(sig.chain_id),
      },
    };
    // Events of the placement are held so that a refused order never reaches the streams.
    this.#held = [];
    let view: OrderView | undefined;
    let refusal: GrvtReply | undefined;
    try {
      view = this.engine.placeOrder(account, request).order;
    } catch (e) {
      if (e instanceof PostOnlyWouldCrossError) {
        // Accepted, then rejected with FAIL_POST_ONLY on the order stream (grvt.md §8.1).
        view = this.engine.getOrder(account, { clientOrderId: cid });
      } else {
        refusal = toReply(e);
      }
    } finally {
      const held = this.#held;
      this.#held = undefined;
      if (view !== undefined) this.#wire.set(view.id, stored);
      for (const ev of held) {
        if (refusal && ev.type === "order" && ev.order.clientOrderId === cid) continue;
        this.#onEngineEvent(ev);
      }
    }
    if (refusal) throw refusal;
    this.#signatures.remember(
      String(sig.r),
      Number(view!.id),
      Number(BigInt(String(sig.expiration)) / NS_PER_MS),
      this.engine.now(),
    );
    const echo = this.#orderJson(view!, "0x00");
    const state = echo.state as Json;
    echo.state = {
      ...state,
      status: "PENDING",
      reject_reason: "UNSPECIFIED",
      book_size: [wire(size)],
      traded_size: ["0.0"],
      avg_fill_price: ["0.0"],
    };
    return { result: echo };
  }

  async #verifySignature(sig: Json, order: Json): Promise<void> {
    const hex64 = /^(0x)?[0-9a-fA-F]{64}$/;
    if (typeof sig.r !== "string" || typeof sig.s !== "string") throw new GrvtReply(2006);
    if (!hex64.test(sig.r) || !hex64.test(sig.s)) throw new GrvtReply(2006);
    const v = Number(sig.v);
    if (v !== 27 && v !== 28) throw new GrvtReply(2005);
    const r = (sig.r.startsWith("0x") ? sig.r : `0x${sig.r}`) as Hex;
    const s = (sig.s.startsWith("0x") ? sig.s : `0x${sig.s}`) as Hex;
    if (BigInt(s) > HALF_N) throw new GrvtReply(2007);
    const exp = String(sig.expiration);
    const nonce = Number(sig.nonce);
    if (!/^\d{1,19}$/.test(exp) || !Number.isInteger(nonce) || nonce < 0 || nonce > 0xffff_ffff) {
      throw new GrvtReply(1003);
    }
    const expMs = Number(BigInt(exp) / NS_PER_MS);
    const now = this.engine.now();
    if (expMs <= now) throw new GrvtReply(2001);
    if (expMs > now + MAX_EXPIRY_MS) throw new GrvtReply(2008);
    // "Zero value fallbacks to GRVT Chain ID" (grvt.md §4.2.1).
    const chain = sig.chain_id === undefined || String(sig.chain_id) === "0"
      ? this.#chainId
      : Number(sig.chain_id);
    if (chain !== this.#chainId) throw new GrvtReply(1012);
    const signer = typeof sig.signer === "string" ? sig.signer.toLowerCase() : "";
    const assetOf = (name: string): SignedAsset => {
      const info = this.#insts.get(name);
      if (info === undefined) throw new GrvtReply(2061);
      return { instrumentHash: info.instrumentHash, baseDecimals: info.baseDecimals };
    };
    const recover = (chainId: number) =>
      recoverOrderSigner(order, assetOf, { r, s, v }, chainId).then((a) => a.toLowerCase());
    let recovered: string;
    try {
      recovered = await recover(this.#chainId);
    } catch {
      throw new GrvtReply(2002);
    }
    if (recovered !== signer) {
      // (inferred) A signature that recovers under another GRVT chain id was made for the wrong
      // environment: answer 1012 rather than 2002.
      for (const other of KNOWN_CHAIN_IDS.filter((c) => c !== this.#chainId)) {
        const alt = await recover(other).catch(() => "");
        if (alt === signer) throw new GrvtReply(1012);
      }
      throw new GrvtReply(2002);
    }
    if (signer !== this.#signer) throw new GrvtReply(2000);
  }

  #ref(b: Json): { id: string } | { clientOrderId: string } {
    const oid = b.order_id;
    const cid = b.client_order_id;
    const hasId = typeof oid === "string" && oid !== "" && oid !== "0x00";
    const hasCid = typeof cid === "string" && cid !== "" && cid !== "0";
    if (hasId && hasCid) throw new GrvtReply(2233);
    if (hasId) return { id: engineId(oid as string) };
    if (hasCid) return { clientOrderId: cid as string };
    throw new GrvtReply(3021);
  }

  #cancelOrder(b: Json, session: Session): Json {
    const account = this.#ownAccount(b, session);
    try {
      this.engine.cancelOrder(account, this.#ref(b) as { id: string });
    } catch (e) {
      throw toReply(e);
    }
    return { result: { ack: true } };
  }

  #cancelAll(b: Json, session: Session): Json {
    const account = this.#ownAccount(b, session);
    for (const i of this.#filtered(b)) this.engine.cancelAll(account, i.instrument);
    return { result: { ack: true } };
  }

  #filtered(b: Json): InstrumentInfo[] {
    const has = (field: unknown, value: string) =>
      !Array.isArray(field) || field.length === 0 || field.includes(value);
    return [...this.#insts.values()].filter((i) =>
      has(b.kind, "PERPETUAL") && has(b.base, i.base) && has(b.quote, i.quote) &&
      (typeof b.instrument !== "string" || b.instrument === i.instrument)
    );
  }

  #getOrder(b: Json, session: Session): Json {
    const account = this.#ownAccount(b, session);
    const ref = this.#ref(b);
    let view: OrderView;
    try {
      view = this.engine.getOrder(account, ref as { id: string });
    } catch (e) {
      throw toReply(e);
    }
    return { result: this.#orderJson(view) };
  }

  #openOrders(b: Json, session: Session): Json[] {
    const account = this.#ownAccount(b, session);
    const names = new Set(this.#filtered(b).map((i) => i.instrument));
    return this.engine.openOrders(account)
      .filter((o) => names.has(o.symbol))
      .map((o) => this.#orderJson(o));
  }

  #positions(b: Json, session: Session): Json[] {
    const account = this.#ownAccount(b, session);
    const names = new Set(this.#filtered(b).map((i) => i.instrument));
    return this.engine.positions(account)
      .filter((p) => p.size !== "0" && names.has(p.symbol))
      .map((p) => this.#positionJson(account, p.symbol));
  }

  #accountSummary(b: Json, session: Session): Json {
    const account = this.#ownAccount(b, session);
    const bal = this.engine.balance(account);
    return {
      event_time: msToNs(this.engine.now()),
      sub_account_id: account,
      margin_type: "SIMPLE_CROSS_MARGIN",
      settle_currency: "USDT",
      unrealized_pnl: wire(bal.unrealizedPnl),
      total_equity: wire(bal.equity),
      initial_margin: wire(bal.initialMargin),
      maintenance_margin: wire(bal.maintenanceMargin),
      available_balance: wire(bal.availableBalance),
      // The live answer's fields (grvt.md §4.2.4); the spec's optional extras are not sent.
      spot_balances: [{ currency: "USDT", balance: wire(bal.collateral), index_price: "1.0" }],
      positions: this.#positions({ sub_account_id: account }, session),
      settle_index_price: "1.0",
      derisk_margin: "0.0",
      derisk_to_maintenance_margin_ratio: "1.0",
      total_cross_equity: wire(bal.equity),
      cross_unrealized_pnl: wire(bal.unrealizedPnl),
    };
  }

  #fillHistory(b: Json, session: Session): Json {
    const account = this.#ownAccount(b, session);
    const names = new Set(this.#filtered(b).map((i) => i.instrument));
    const rows = this.engine.fills(account).filter((f) => names.has(f.symbol)).reverse();
    return { result: rows.slice(0, 1000).map((f) => this.#fillJson(f)), next: "" };
  }

  /**
   * `full/v1/funding_payment_history`: the account's payments, reverse chronological from
   * `end_time` back to `start_time`, filtered by `instrument` or `kind` / `base` / `quote`,
   * `limit` rows (500 by default, at most 1000) and a `next` cursor (grvt.md §2.6, §5).
   */
  #fundingPayments(b: Json, session: Session): Json {
    const account = this.#ownAccount(b, session);
    if (b.instrument !== undefined) this.#inst(b.instrument);
    const names = new Set(this.#filtered(b).map((i) => i.instrument));
    const start = nsToMs(b.start_time, 0);
    const end = nsToMs(b.end_time, Infinity);
    const limit = pageLimit(b.limit);
    const offset = cursorOffset(b.cursor);
    const rows = this.engine.fundingPayments(account)
      .filter((p) => names.has(p.symbol) && p.time >= start && p.time <= end)
      .reverse();
    const page = rows.slice(offset, offset + limit);
    return {
      result: page.map((p) => ({
        event_time: msToNs(p.time),
        sub_account_id: account,
        instrument: p.symbol,
        currency: "USDT",
        // Positive if paid, negative if received (grvt.md §5); the engine's is the opposite.
        amount: wire(new Decimal(p.amount).neg()),
        tx_id: this.#fundingTxId(p.symbol, p.time),
      })),
      next: offset + limit < rows.length ? String(offset + limit) : "",
    };
  }

  /** A uint64 digit string per settlement of one instrument (the venue's `tx_id` type). */
  #fundingTxId(instrument: string, time: number): string {
    const index = [...this.#insts.keys()].indexOf(instrument);
    return (BigInt(time) * 1000n + BigInt(index)).toString();
  }

  /** `full/v1/get_all_initial_leverage`: `{"results":[InitialLeverageResult]}` (grvt.md §4.2). */
  #allLeverage(b: Json, session: Session): Json {
    const account = this.#ownAccount(b, session);
    return {
      results: [...this.#insts.values()].map((i) => ({
        instrument: i.instrument,
        leverage: wire(this.engine.position(account, i.instrument).leverage),
        min_leverage: wire(MIN_LEVERAGE),
        max_leverage: wire(this.engine.instrument(i.instrument).maxLeverage),
        margin_type: "CROSS",
      })),
    };
  }

  /**
   * `full/v1/set_initial_leverage` `{sub_account_id, instrument, leverage:"10"}` →
   * `{"success":true}`; a leverage outside [1, max] is 2100 "Invalid initial leverage". The
   * position stream publishes the change (grvt.md §7.5: "when leverage configurations are
   * changed").
   */
  #setLeverage(b: Json, session: Session): Json {
    const account = this.#ownAccount(b, session);
    const i = this.#inst(b.instrument);
    if (typeof b.leverage !== "string") throw new GrvtReply(1003);
    const leverage = parseDecimal(b.leverage);
    const max = this.engine.instrument(i.instrument).maxLeverage;
    if (leverage === undefined || leverage.lt(MIN_LEVERAGE) || leverage.gt(max)) {
      throw new GrvtReply(2100);
    }
    this.engine.setLeverage(account, i.instrument, leverage);
    if (this.engine.position(account, i.instrument).size !== "0") {
      this.#toPrivate(
        "v1.position",
        account,
        i.instrument,
        () => this.#positionJson(account, i.instrument),
      );
    }
    return { success: true };
  }

  // ------------------------------------------------------------------ JSON shapes

  #orderJson(v: OrderView, orderId?: string): Json {
    const w = this.#wire.get(v.id);
    const resized = new Decimal(v.requestedSize).gt(v.size);
    let status: string;
    let reason = "UNSPECIFIED";
    switch (v.status) {
      case "pending":
        status = "PENDING";
        break;
      case "open":
      case "partially_filled":
        status = "OPEN";
        break;
      case "filled":
        status = resized ? "CANCELLED" : "FILLED";
        if (resized) reason = "REDUCE_ONLY_LIMIT";
        break;
      case "rejected":
        status = "REJECTED";
        reason = rejectReasonOf(v, w?.isMarket ?? false, resized);
        break;
      default:
        status = "CANCELLED";
        reason = rejectReasonOf(v, w?.isMarket ?? false, resized);
    }
    const active = v.status === "open" || v.status === "partially_filled";
    return {
      order_id: orderId ?? grvtOrderId(v.id),
      sub_account_id: v.accountId,
      is_market: w?.isMarket ?? v.type === "market",
      time_in_force: w?.tif ?? "GOOD_TILL_TIME",
      post_only: v.postOnly,
      reduce_only: v.reduceOnly,
      legs: [{
        instrument: v.symbol,
        size: wire(w?.requestedSize ?? v.size),
        limit_price: wire(w?.limitPrice ?? v.price ?? "0"),
        is_buying_asset: v.side === "buy",
      }],
      signature: w?.signature ?? {},
      metadata: {
        client_order_id: v.clientOrderId,
        create_time: msToNs(v.createdAt),
        trigger: {
          trigger_type: "UNSPECIFIED",
          tpsl: { trigger_by: "UNSPECIFIED", trigger_price: "0.0", close_position: false },
        },
        broker: "UNSPECIFIED",
        is_position_transfer: false,
        allow_crossing: false,
      },
      state: {
        status,
        reject_reason: reason,
        book_size: [wire(active ? v.remainingSize : "0")],
        traded_size: [wire(v.filledSize)],
        update_time: msToNs(v.updatedAt),
        avg_fill_price: [wire(v.averageFillPrice ?? "0")],
      },
      builder: "0x00",
      builder_fee: "0.0",
    };
  }

  #positionJson(account: string, instrument: string): Json {
    const p = this.engine.position(account, instrument);
    const size = new Decimal(p.size);
    const entry = p.entryPrice ?? "0";
    const upnl = new Decimal(p.unrealizedPnl);
    const realized = new Decimal(p.realizedPnl);
    const cost = new Decimal(entry).times(size.abs());
    return {
      event_time: msToNs(this.engine.now()),
      sub_account_id: account,
      instrument,
      size: wire(p.size),
      // Signed like `size`: negative for shorts (grvt.md §4.2.3).
      notional: wire(size.isNegative() ? new Decimal(p.notional).abs().neg() : p.notional),
      entry_price: wire(entry),
      exit_price: "0.0",
      mark_price: wire(p.markPrice),
      unrealized_pnl: wire(p.unrealizedPnl),
      realized_pnl: wire(p.realizedPnl),
      total_pnl: wire(upnl.plus(realized)),
      // roi = total_pnl / (entry_price × |size|) × 100 (grvt.md §4.2.3).
      roi: cost.isZero() ? "0.0" : wire(upnl.plus(realized).div(cost).times(100).toFixed(4)),
      quote_index_price: "1.0",
      est_liquidation_price: this.#liquidationPrice(account, instrument),
      leverage: wire(p.leverage),
      cumulative_fee: wire(p.fees),
      cumulative_realized_funding_payment: wire(new Decimal(p.funding).neg()),
      margin_type: "CROSS",
    };
  }

  /**
   * The estimated liquidation price of a cross position: the mark at which the account's
   * equity equals its maintenance margin, the other positions held at their marks (the engine
   * liquidates when equity falls below maintenance). With size s, mark m, equity E,
   * maintenance fraction f and the other positions' maintenance M:
   * E + s·(P − m) = f·|s|·P + M  ⇒  P = (M − E + s·m) / (s − f·|s|). `"0.0"` when flat or
   * when no positive price liquidates.
   */
  #liquidationPrice(account: string, instrument: string): string {
    const p = this.engine.position(account, instrument);
    const s = new Decimal(p.size);
    if (s.isZero()) return "0.0";
    const bal = this.engine.balance(account);
    const f = this.engine.instrument(instrument).maintenanceMarginFraction;
    const m = new Decimal(p.markPrice);
    const others = new Decimal(bal.maintenanceMargin).minus(p.maintenanceMargin);
    const price = others.minus(bal.equity).plus(s.times(m)).div(s.minus(f.times(s.abs())));
    return price.gt(0) ? wire(price.toFixed(9)) : "0.0";
  }

  #fillJson(f: FillView): Json {
    const prices = this.engine.prices(f.symbol);
    const notional = new Decimal(f.price).times(f.size);
    return {
      event_time: msToNs(f.time),
      sub_account_id: f.accountId,
      instrument: f.symbol,
      is_buyer: f.side === "buy",
      is_taker: f.liquidity === "taker",
      size: wire(f.size),
      price: wire(f.price),
      mark_price: wire(prices.markPrice),
      index_price: wire(prices.indexPrice),
      interest_rate: "0.0",
      forward_price: "0.0",
      realized_pnl: wire(f.realizedPnl),
      fee: wire(f.fee),
      // Percent, as the live sample's "0.045" (grvt.md §4.2.5).
      fee_rate: notional.isZero() ? "0.0" : wire(new Decimal(f.fee).div(notional).times(100)),
      trade_id: `${f.tradeId}-1`,
      order_id: f.orderId === "" ? "0x00" : grvtOrderId(f.orderId),
      venue: "ORDERBOOK",
      is_liquidation: f.liquidation,
      client_order_id: f.clientOrderId === "" ? "0" : f.clientOrderId,
      signer: this.#signer,
      broker: "UNSPECIFIED",
      is_rpi: false,
      builder: "0x00",
      builder_fee_rate: "0.0",
      // The live fill has no `fee_currency` (grvt.md §4.2.5: only the spec lists it).
      builder_fee: "0",
    };
  }

  // ------------------------------------------------------------------ WebSocket

  #onSocket(
    socket: SimSocket,
    session: Session | undefined,
    pub: Record<string, (b: Json) => unknown>,
    priv: Record<string, (b: Json, s: Session) => unknown>,
  ): void {
    const mine = new Set<Sub>();
    socket.onClose(() => {
      for (const s of mine) this.#subs.delete(s);
    });
    socket.onMessage(async (text) => {
      let msg: Json;
      try {
        msg = JSON.parse(text);
        if (msg === null || typeof msg !== "object") throw 0;
      } catch {
        // The JS client's text "ping" gets a harmless 1003 (grvt.md §7.1, inferred).
        socket.send("rpc", { jsonrpc: "2.0", error: errorOf(1003), id: null });
        return;
      }
      const id = msg.id ?? null;
      const method = String(msg.method ?? "");
      const params = (msg.params ?? {}) as Json;
      try {
        if (method === "subscribe" || method === "unsubscribe") {
          this.#subscribe(socket, session, mine, method, params, id);
          return;
        }
        const name = method.startsWith("v1/") ? method.slice(3) : undefined;
        if (name !== undefined && pub[name]) {
          socket.send("rpc", { jsonrpc: "2.0", result: await pub[name](params), id });
        } else if (name !== undefined && priv[name]) {
          if (session === undefined || session.expiresAt <= this.engine.now()) {
            throw new GrvtReply(1000);
          }
          socket.send("rpc", { jsonrpc: "2.0", result: await priv[name](params, session), id });
        } else {
          throw new GrvtReply(1003);
        }
      } catch (e) {
        socket.send("rpc", { jsonrpc: "2.0", error: errorOf(toReply(e).code), id, method });
      }
    });
  }

  #subscribe(
    socket: SimSocket,
    session: Session | undefined,
    mine: Set<Sub>,
    method: "subscribe" | "unsubscribe",
    params: Json,
    id: unknown,
  ): void {
    const stream = String(params.stream ?? "");
    const selectors = Array.isArray(params.selectors) ? params.selectors.map(String) : [];
    const priv = stream === "v1.order" || stream === "v1.fill" || stream === "v1.position";
    const market = MARKET_STREAM_RATES[stream] !== undefined || stream === "v1.book.s" ||
      stream === "v1.candle";
    if (!market && !priv) throw new GrvtReply(1003, `Unknown stream ${stream}`);
    const subs: string[] = [];
    const unsubs: string[] = [];
    const first: string[] = [];
    const latest: string[] = [];
    const snapshots: number[] = [];
    const after: (() => void)[] = [];
    const added: Sub[] = [];
    // Every selector is checked before any takes effect: a refused request changes nothing.
    for (const selector of method === "subscribe" ? selectors : []) {
      const [primary, secondary] = selector.split("@");
      const sub: Sub = { socket, stream, selector, seq: 0 };
      if (market) {
        if (secondary === undefined) throw new GrvtReply(1101);
        const info = this.#inst(primary);
        sub.instrument = info.instrument;
        if (stream === "v1.candle") {
          // `<interval>-<type>` (grvt.md §7.4).
          const [interval, type] = secondary.split("-");
          const intervalMs = CANDLE_INTERVALS_MS[interval];
          if (intervalMs === undefined) throw new GrvtReply(3040);
          if (type === undefined || !CANDLE_TYPES.includes(type)) throw new GrvtReply(3041);
          sub.candle = { intervalMs, type };
        } else if (stream === "v1.book.s") {
          // `<rate>-<depth>`: rate 500 / 1000 (ccxt also uses 100 / 200), depth 10…500 (§7.4).
          const [rate, depth] = secondary.split("-");
          if (!["100", "200", "500", "1000"].includes(rate)) throw new GrvtReply(3030);
          sub.depth = depthOf(depth === undefined ? 10 : Number(depth));
        } else if (!MARKET_STREAM_RATES[stream].includes(secondary)) {
          throw new GrvtReply(3030);
        }
        if (stream === "v1.book.d" || stream === "v1.book.s") {
          const seq = this.engine.lastSeq(`book:${info.instrument}`);
          first.push(String(seq + 1));
          latest.push(String(seq));
          snapshots.push(1);
          after.push(() => this.#sendBookSnapshot(sub));
        } else if (stream.endsWith(".s")) {
          // Snapshot streams carry sequence number 0 on every frame (grvt.md §7.5).
          first.push("0");
          latest.push("0");
          snapshots.push(1);
          after.push(() => this.#publishMarket(sub));
        } else {
          // Delta streams and candles: a snapshot at 0, then 1, 2, … (grvt.md §7.5); a candle
          // stream of an instrument that has no candle yet starts without one.
          first.push("1");
          latest.push("0");
          const none = sub.candle !== undefined &&
            this.#candles(info, sub.candle.intervalMs, sub.candle.type).length === 0;
          snapshots.push(none ? 0 : 1);
          after.push(() => this.#publishMarket(sub));
        }
      } else {
        if (session === undefined || session.expiresAt <= this.engine.now()) {
          throw new GrvtReply(1000);
        }
        const [account, instrument] = primary.split(/-(.*)/s);
        if (!/^\d{1,20}$/.test(account)) throw new GrvtReply(3020);
        if (account !== session.accountId) throw new GrvtReply(1001);
        sub.accountId = account;
        if (instrument) sub.instrument = this.#inst(instrument).instrument;
        const snaps = this.#privateSnapshot(sub);
        first.push("1");
        latest.push("0");
        snapshots.push(snaps.length);
        after.push(() => {
          for (const feed of snaps) this.#sendFeed(sub, feed, 0);
        });
      }
      added.push(sub);
    }
    const primaries = new Set(
      (method === "subscribe" ? added.map((a) => a.selector) : selectors)
        .map((sel) => sel.split("@")[0]),
    );
    // Same primary selector again replaces the earlier one (grvt.md §7.2).
    for (const s of [...mine]) {
      if (s.stream === stream && primaries.has(s.selector.split("@")[0])) {
        mine.delete(s);
        this.#subs.delete(s);
        if (method === "unsubscribe") unsubs.push(s.selector);
      }
    }
    for (const sub of added) {
      mine.add(sub);
      this.#subs.add(sub);
      subs.push(sub.selector);
    }
    const result: Json = method === "subscribe"
      ? {
        stream,
        subs,
        unsubs,
        num_snapshots: snapshots,
        first_sequence_number: first,
        latest_sequence_number: latest,
      }
      : { stream, unsubs };
    // The docs show "subscribe" as the method of unsubscribe answers too (grvt.md §12).
    socket.send("rpc", { jsonrpc: "2.0", result, id, method: "subscribe" });
    for (const f of after) f();
  }

  #privateSnapshot(sub: Sub): Json[] {
    const account = sub.accountId!;
    const match = (instrument: string) =>
      sub.instrument === undefined || sub.instrument === instrument;
    if (sub.stream === "v1.order") {
      return this.engine.openOrders(account).filter((o) => match(o.symbol))
        .map((o) => this.#orderJson(o));
    }
    if (sub.stream === "v1.position") {
      return this.engine.positions(account).filter((p) => p.size !== "0" && match(p.symbol))
        .map((p) => this.#positionJson(account, p.symbol));
    }
    return [];
  }

  #sendBookSnapshot(sub: Sub): void {
    const info = this.#insts.get(sub.instrument!)!;
    sub.socket.send(`${sub.stream}:${info.instrument}`, {
      stream: sub.stream,
      selector: sub.selector,
      sequence_number: "0",
      feed: this.#book(info, sub.depth ?? Infinity, "number"),
      prev_sequence_number: "0",
    });
  }

  /**
   * Sends what a market stream subscription is due: `.s` streams a whole object at sequence 0;
   * `.d` streams a whole object first, then only the fields that changed (an unchanged update
   * sends nothing); candles the newest candle whenever it changes.
   */
  #publishMarket(sub: Sub): void {
    const info = this.#insts.get(sub.instrument!)!;
    const key = `${sub.stream}:${info.instrument}`;
    switch (sub.stream) {
      case "v1.ticker.s":
        // The live stream adds `funding_interval_hours` to the Ticker (grvt.md §4.1.2).
        this.#sendFeed(
          sub,
          {
            ...this.#ticker(info),
            funding_interval_hours: info.fundingIntervalHours,
          },
          0,
          key,
        );
        return;
      case "v1.mini.s":
        this.#sendFeed(sub, this.#mini(info), 0, key);
        return;
      case "v1.ticker.d":
      case "v1.mini.d": {
        const full = sub.stream === "v1.ticker.d" ? this.#ticker(info) : this.#mini(info);
        if (sub.last === undefined) {
          sub.last = full;
          this.#sendFeed(sub, full, 0, key);
          return;
        }
        const delta = deltaOf(sub.last, full);
        sub.last = full;
        if (delta !== undefined) this.#sendFeed(sub, delta, undefined, key);
        return;
      }
      case "v1.candle": {
        const { intervalMs, type } = sub.candle!;
        const newest = this.#candles(info, intervalMs, type)[0];
        if (newest === undefined) return;
        const candle = candleJson(info.instrument, newest, intervalMs);
        if (sub.last !== undefined && JSON.stringify(sub.last) === JSON.stringify(candle)) return;
        const snapshot = sub.last === undefined;
        sub.last = candle;
        this.#sendFeed(sub, candle, snapshot ? 0 : undefined, key);
        return;
      }
    }
  }

  /**
   * Publishes the market streams of an instrument after whatever changed it (book, trade,
   * position, price, funding), at most once per task. The venue's publish rate is not imitated:
   * a change is published at once, and nothing is published without a change.
   */
  #schedulePublish(instrument: string): void {
    if (this.#publishDue.has(instrument)) return;
    this.#publishDue.add(instrument);
    queueMicrotask(() => {
      this.#publishDue.delete(instrument);
      if (this.#closed) return;
      this.#sample(instrument, this.engine.now());
      for (const sub of this.#subs) {
        if (
          sub.instrument === instrument && sub.socket.open && sub.accountId === undefined &&
          !sub.stream.startsWith("v1.book")
        ) {
          this.#publishMarket(sub);
        }
      }
    });
  }

  #sendFeed(sub: Sub, feed: Json, seq?: number, key?: string): void {
    let n: number;
    if (seq === undefined) n = ++sub.seq;
    else n = seq;
    sub.socket.send(key ?? `${sub.stream}:${sub.selector}`, {
      stream: sub.stream,
      selector: sub.selector,
      sequence_number: String(n),
      feed,
      prev_sequence_number: String(n === 0 ? 0 : n - 1),
    });
  }

  #onEngineEvent(e: SimEvent): void {
    if (this.#held) {
      this.#held.push(e);
      return;
    }
    if (e.type === "order") {
      const st = e.order.status;
      if (st === "filled" || st === "canceled" || st === "rejected" || st === "expired") {
        this.#finishedWire ??= new Ring(this.engine.retention.finishedOrders);
        const dropped = this.#finishedWire.push(e.order.id);
        if (dropped !== undefined) this.#wire.delete(dropped);
      }
    }
    const touched = tickerInstrument(e);
    if (touched !== undefined && this.#insts.has(touched)) this.#schedulePublish(touched);
    switch (e.type) {
      case "book": {
        let numOrders: number | undefined;
        for (const sub of this.#subs) {
          if (sub.instrument !== e.symbol || !sub.socket.open) continue;
          if (sub.stream === "v1.book.d") {
            numOrders ??= this.#ordersAt(e.symbol, e.side, e.price);
            // A removed level is sent with size "0" (grvt.md §7.5).
            const removed = new Decimal(e.size).isZero();
            const level = [{
              price: wire(e.price),
              size: removed ? "0" : wire(e.size),
              num_orders: removed ? 0 : numOrders,
            }];
            sub.socket.send(`v1.book.d:${e.symbol}`, {
              stream: "v1.book.d",
              selector: sub.selector,
              sequence_number: String(e.streamSeq),
              feed: {
                event_time: msToNs(e.time),
                instrument: e.symbol,
                bids: e.side === "buy" ? level : [],
                asks: e.side === "sell" ? level : [],
              },
              prev_sequence_number: String(e.streamSeq - 1),
            });
          } else if (sub.stream === "v1.book.s") {
            this.#scheduleBookSnapshots(e.symbol);
          }
        }
        break;
      }
      case "order": {
        const v = e.order;
        // Orders that never rest go straight from PENDING to their outcome.
        if (v.status === "open" && (v.timeInForce === "ioc" || v.timeInForce === "fok")) break;
        this.#toPrivate("v1.order", v.accountId, v.symbol, () => this.#orderJson(v));
        break;
      }
      case "fill":
        this.#toPrivate("v1.fill", e.fill.accountId, e.fill.symbol, () => this.#fillJson(e.fill));
        break;
      case "position":
        this.#toPrivate(
          "v1.position",
          e.accountId,
          e.symbol,
          () => this.#positionJson(e.accountId, e.symbol),
        );
        break;
    }
  }

  /** Number of orders resting at one price of one side. */
  #ordersAt(symbol: string, side: "buy" | "sell", price: string): number {
    const l3 = this.engine.bookOrders(symbol);
    const p = new Decimal(price);
    const level = (side === "buy" ? l3.bids : l3.asks).find((l) => p.eq(l.price));
    return level?.orders.length ?? 0;
  }

  #toPrivate(stream: string, account: string, instrument: string, feed: () => Json): void {
    let json: Json | undefined;
    for (const sub of this.#subs) {
      if (sub.stream !== stream || sub.accountId !== account || !sub.socket.open) continue;
      if (sub.instrument !== undefined && sub.instrument !== instrument) continue;
      json ??= feed();
      this.#sendFeed(sub, json);
    }
  }

  #scheduleBookSnapshots(instrument: string): void {
    if (this.#bookSnapshotsDue.has(instrument)) return;
    this.#bookSnapshotsDue.add(instrument);
    queueMicrotask(() => {
      this.#bookSnapshotsDue.delete(instrument);
      for (const sub of this.#subs) {
        if (sub.stream === "v1.book.s" && sub.instrument === instrument && sub.socket.open) {
          this.#sendBookSnapshot(sub);
        }
      }
    });
  }

  // ------------------------------------------------------------------ control

  #makeControl(): GrvtReplicaControl {
    const inst = (symbol: string) => {
      const name = this.instruments[symbol] ?? (this.#insts.has(symbol) ? symbol : undefined);
      if (name === undefined) {
        throw new NotFoundError({ venue: "grvt", message: `Unknown market '${symbol}' on grvt` });
      }
      return name;
    };
    const me = this.credentials.tradingAccountId;
    const done = Promise.resolve();
    return {
      setPrice: (symbol, price) => {
        this.engine.setPrices(inst(symbol), { markPrice: price, indexPrice: price });
        return done;
      },
      setFundingRate: (symbol, rate) => {
        this.engine.setFundingRates(inst(symbol), scriptedFundingRates(rate));
        // The engine has no event for a new rate; the ticker shows it.
        this.#schedulePublish(inst(symbol));
        return done;
      },
      advance: async (ms) => {
        if (!(this.#clock instanceof ManualClock)) {
          throw new ConfigurationError("advance() needs a replica started with a ManualClock");
        }
        await this.#clock.advance(ms);
        this.engine.sync();
      },
      placeCounterOrder: (o) => {
        this.engine.placeOrder(GRVT_COUNTERPARTY, {
          symbol: inst(o.symbol),
          side: o.side,
          price: o.price,
          size: o.size,
          type: "limit",
        });
        return done;
      },
      cancelCounterOrders: (symbol) => {
        this.engine.cancelAll(GRVT_COUNTERPARTY, inst(symbol));
        return done;
      },
      openOrders: (symbol) =>
        Promise.resolve(
          this.engine.openOrders(me, inst(symbol)).map((o) => ({
            id: grvtOrderId(o.id),
            clientOrderId: o.clientOrderId,
            side: o.side,
            price: new Decimal(o.price ?? "0"),
            size: new Decimal(o.size),
            filledSize: new Decimal(o.filledSize),
          })),
        ),
      position: (symbol) =>
        Promise.resolve(new Decimal(this.engine.position(me, inst(symbol)).size)),
      equity: () => Promise.resolve(new Decimal(this.engine.balance(me).equity)),
      fundingPayments: (symbol) =>
        Promise.resolve(
          this.engine.fundingPayments(me, inst(symbol)).map((p) => ({
            time: p.time,
            amount: new Decimal(p.amount),
            rate: new Decimal(p.rate),
            positionSize: new Decimal(p.positionSize),
          })),
        ),
      leverage: (symbol) =>
        Promise.resolve(new Decimal(this.engine.position(me, inst(symbol)).leverage)),
      dropConnections: () => {
        for (const server of this.#servers) {
          for (const s of server.sockets(GRVT_FRONT_END)) s.close(1012, "replica: dropped");
        }
        return done;
      },
      injectBookGap: (symbol) => {
        this.faults.inject({
          kind: "gap",
          frontEnd: GRVT_FRONT_END,
          target: `v1.book.d:${inst(symbol)}`,
          times: 1,
        });
        return done;
      },
      loseNextOrderResponse: () => {
        this.faults.inject({
          kind: "drop_response",
          frontEnd: GRVT_FRONT_END,
          target: "full/v1/create_order",
          times: 1,
        });
        return done;
      },
      garbleNextOrderResponse: () => {
        this.faults.inject({
          kind: "garble_response",
          frontEnd: GRVT_FRONT_END,
          target: "full/v1/create_order",
          times: 1,
        });
        return done;
      },
      failNextOrderLookups: (times: number) => {
        this.faults.inject({
          kind: "error",
          frontEnd: GRVT_FRONT_END,
          target: "full/v1/order",
          times,
        });
        return done;
      },
    };
  }
}

// -------------------------------------------------------------------- helpers

/**
 * The 128-bit hex id the replica shows for an engine order id (live ids look like
 * `0x0101010503e693410000000069530a7d`).
 *
 * @param engineOrderId The engine's decimal id.
 * @returns The GRVT order id.
 *
 * @example
 * ```ts
 * import { grvtOrderId } from "./replica.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(grvtOrderId("42"), "0x0101010500000000000000000000002a");
 * ```
 */
export function grvtOrderId(engineOrderId: string): string {
  return `0x01010105${BigInt(engineOrderId).toString(16).padStart(24, "0")}`;
}

function engineId(orderId: string): string {
  const m = /^0x01010105([0-9a-f]{24})$/i.exec(orderId);
  if (!m) throw new GrvtReply(1004);
  return BigInt(`0x${m[1]}`).toString();
}

function rejectReasonOf(v: OrderView, isMarket: boolean, resized: boolean): string {
  switch (v.cancelReason) {
    case "user":
      return "CLIENT_CANCEL";
    case "post_only_would_cross":
      return "FAIL_POST_ONLY";
    case "ioc_unfilled":
      if (resized && v.filledSize !== "0") return "REDUCE_ONLY_LIMIT";
      return isMarket ? "MARKET_CANCEL" : "IOC_CANCEL";
    case "fok_unfilled":
      return "FOK_CANCEL";
    case "reduce_only":
      return "FAIL_REDUCE_ONLY";
    case "self_trade":
      return "SELF_TRADE_PROTECTION";
    case "expired":
      return "EXPIRED";
    case "insufficient_margin":
      return "BELOW_MARGIN";
    case "liquidation":
      return "LIQUIDATION";
    default:
      return "UNSPECIFIED";
  }
}

/** The instrument whose ticker an engine event changes, if any. */
function tickerInstrument(e: SimEvent): string | undefined {
  switch (e.type) {
    case "book":
    case "trade":
    case "price":
    case "position":
      return e.symbol;
    case "funding":
      return e.settlement.symbol;
    default:
      return undefined;
  }
}

function toReply(e: unknown): GrvtReply {
  if (e instanceof GrvtReply) return e;
  if (e instanceof DuplicateClientOrderIdError) return new GrvtReply(2012);
  if (e instanceof InsufficientMarginError) return new GrvtReply(2080);
  if (e instanceof InvalidOrderError) {
    return new GrvtReply(e.reason === "invalid_price" ? 2064 : 2062);
  }
  if (e instanceof OrderRejectedError) {
    return new GrvtReply(e.reason === "reduce_only" ? 2401 : 2082);
  }
  if (e instanceof NotFoundError) return new GrvtReply(1004);
  return new GrvtReply(1002);
}

function reply(r: GrvtReply): Response {
  return Response.json(r.body(), { status: r.status });
}

function errorOf(code: number): Json {
  return { code, message: GRVT_WIRE_ERRORS[code]?.message ?? `error ${code}` };
}

const ZERO = new Decimal(0);

/** Publish rates (ms) of the market streams with a plain rate selector (grvt.md §7.4). */
const MARKET_STREAM_RATES: Readonly<Record<string, readonly string[]>> = {
  "v1.mini.s": ["200", "500", "1000", "5000"],
  "v1.mini.d": ["0", "50", "100", "200", "500", "1000", "5000"],
  "v1.ticker.s": ["500", "1000", "5000"],
  "v1.ticker.d": ["100", "200", "500", "1000", "5000"],
  "v1.book.d": ["50", "100", "500", "1000"],
};

/**
 * The changed fields of a `.d` stream object, with `event_time` and `instrument`; zeros as
 * `"0"` (grvt.md §7.5: "Unchanged fields are omitted, a zero is '0'"). `undefined` when nothing
 * but the time changed.
 */
function deltaOf(prev: Json, next: Json): Json | undefined {
  const delta: Json = { event_time: next.event_time, instrument: next.instrument };
  let changed = false;
  for (const [k, v] of Object.entries(next)) {
    if (k === "event_time" || k === "instrument" || prev[k] === v) continue;
    changed = true;
    delta[k] = typeof v === "string" && /^-?[\d.]+$/.test(v) && new Decimal(v).isZero() ? "0" : v;
  }
  return changed ? delta : undefined;
}

const MINUTE_MS = 60_000;

/** One-minute price buckets kept per instrument for mark, index and mid candles (24 hours). */
const PRICE_MINUTES_KEPT = 1_440;

/** Open, high, low and close of one price over a minute. */
interface Ohlc {
  open: string;
  high: string;
  low: string;
  close: string;
}

/** One minute of an instrument's prices; `mid` only once both sides of the book had a level. */
interface PriceMinute {
  openMs: number;
  mark: Ohlc;
  index: Ohlc;
  mid: Ohlc | undefined;
}

function ohlcOf(price: string): Ohlc {
  return { open: price, high: price, low: price, close: price };
}

/** Extends a minute with a newer price. */
function foldPrice(o: Ohlc, price: string): void {
  if (price === o.close) return;
  o.close = price;
  const p = new Decimal(price);
  if (p.gt(o.high)) o.high = price;
  else if (p.lt(o.low)) o.low = price;
}

/** Candle intervals (grvt.md §4.1) in ms. */
const CANDLE_INTERVALS_MS: Readonly<Record<string, number>> = (() => {
  const m = 60_000, h = 60 * m, d = 24 * h, w = 7 * d;
  return {
    CI_1_M: m,
    CI_3_M: 3 * m,
    CI_5_M: 5 * m,
    CI_15_M: 15 * m,
    CI_30_M: 30 * m,
    CI_1_H: h,
    CI_2_H: 2 * h,
    CI_4_H: 4 * h,
    CI_6_H: 6 * h,
    CI_8_H: 8 * h,
    CI_12_H: 12 * h,
    CI_1_D: d,
    CI_3_D: 3 * d,
    CI_5_D: 5 * d,
    CI_1_W: w,
    CI_2_W: 2 * w,
    CI_3_W: 3 * w,
    CI_4_W: 4 * w,
  };
})();

/** Candle types (grvt.md §4.1). */
const CANDLE_TYPES = ["TRADE", "MARK", "INDEX", "MID"];

interface Candle {
  openMs: number;
  open: Decimal;
  close: Decimal;
  high: Decimal;
  low: Decimal;
  volumeB: Decimal;
  volumeQ: Decimal;
  trades: number;
}

/** `Candlestick` (`fixtures/grvt/full_v1_kline.json`); `close_time` ends the bucket (inferred). */
function candleJson(instrument: string, c: Candle, intervalMs: number): Json {
  return {
    open_time: msToNs(c.openMs),
    close_time: msToNs(c.openMs + intervalMs),
    open: wire(c.open),
    close: wire(c.close),
    high: wire(c.high),
    low: wire(c.low),
    volume_b: wire(c.volumeB),
    volume_q: wire(c.volumeQ),
    trades: c.trades,
    instrument,
  };
}

/**
 * A decimal as the venue prints it: the shortest form with at least one fractional digit
 * (`"88051.0"`, `"0.001"`, `"15.0"`, `"0.0"`), as in every live capture of grvt.md §4.
 */
function wire(v: Decimal | string | number): string {
  const s = new Decimal(v).toFixed();
  const out = s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, ".0") : `${s}.0`;
  return out === "-0.0" ? "0.0" : out;
}

/**
 * A funding rate as GRVT quotes it: percentage points per funding interval, from the
 * engine's fraction per interval (grvt.md §5: `"0.01"` means 0.01 % per interval).
 */
function fundingPercentagePoints(fractionPerInterval: string): string {
  return wire(new Decimal(fractionPerInterval).times(100));
}

/** Unix ms as the nanosecond decimal string GRVT uses for every time (grvt.md §2.3). */
function msToNs(ms: number): string {
  return (BigInt(Math.trunc(ms)) * NS_PER_MS).toString();
}

/** A history page size: `limit` up to 1000, 500 by default (grvt.md §2.6). */
function pageLimit(limit: unknown): number {
  return typeof limit === "number" && limit > 0 ? Math.min(limit, 1000) : 500;
}

function cursorOffset(cursor: unknown): number {
  return typeof cursor === "string" && /^\d+$/.test(cursor) ? Number(cursor) : 0;
}

function parseDecimal(v: unknown): Decimal | undefined {
  if (v === null || v === undefined || v === "") return undefined;
  // pysdk sends market prices as "0E-9" (grvt.md §4.2.1).
  if (typeof v !== "string" || !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(v)) {
    throw new GrvtReply(1003);
  }
  return new Decimal(v);
}

function depthOf(d: unknown): number {
  const n = Number(d ?? 10);
  if (![10, 50, 100, 500].includes(n)) throw new GrvtReply(3031);
  return n;
}

function nsToMs(v: unknown, fallback: number): number {
  if (typeof v !== "string" || !/^\d+$/.test(v)) return fallback;
  return Number(BigInt(v) / NS_PER_MS);
}

function randomHex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}
