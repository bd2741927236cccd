/**
 * The venue-independent simulator engine: instruments, price-time matching, accounts with
 * margin and liquidation, funding settlement, events and a virtual-time scheduler. Venue
 * front-ends wrap it in each venue's wire format.
 *
 * Conventions:
 * - Inputs are `Decimal`s or decimal strings; outputs (views, events) are canonical decimal
 *   strings. Internally prices are integer ticks, sizes integer lots and cash a bigint of
 *   10^-24 quote units, so no float ever decides an amount.
 * - **A rejection throws** one of the package's errors, after an `order` event with status
 *   `"rejected"` and a `cancelReason` when the request was well formed:
 *   {@linkcode InvalidOrderError} (tick, step, minimum size / notional),
 *   {@linkcode InsufficientMarginError}, {@linkcode DuplicateClientOrderIdError},
 *   {@linkcode PostOnlyWouldCrossError} (when `postOnlyCross` is `"reject"`),
 *   `OrderRejectedError` with reason `"reduce_only"` or `"other"`, {@linkcode NotFoundError}
 *   for an unknown account, symbol or order. **An accepted order that does not rest** (IOC /
 *   market remainder, FOK, post-only in `"cancel"` mode, self-trade prevention) is returned
 *   with status `"canceled"` and a `cancelReason`.
 * - Time comes from the injected clock. Timed work (GTT expiry, funding boundaries, price
 *   steps) runs in time order from {@linkcode SimEngine.advanceTo}, which every call runs up to
 *   the clock's time first; {@linkcode SimEngine.run} does it in the background.
 *
 * @module
 */
import type { CancelReason, Clock, OrderStatus, OrderType, Side, TimeInForce } from "../base.ts";
import { type DecimalInput, toDecimal } from "../core/decimal.ts";
import { systemClock } from "../exchanges/_shared/clock.ts";
import {
  ConfigurationError,
  DuplicateClientOrderIdError,
  InsufficientMarginError,
  InvalidOrderError,
  NotFoundError,
  OrderRejectedError,
  PostOnlyWouldCrossError,
} from "../core/errors.ts";
import { formatCash, formatScaled, parseCash, pow10, ratioOf } from "./_fixed.ts";
import { TaskHeap, type Timed } from "./_heap.ts";
import { Account, type PositionState } from "./account.ts";
import { Ring } from "./_ring.ts";
import {
  DEFAULT_EVENT_LOG_CAPACITY,
  type EventListener,
  EventLog,
  type FillView,
  type FundingSettlement,
  type OrderView,
  type SimEvent,
  type SimEventBody,
  type SimFundingPayment,
} from "./events.ts";
import type { FundingRateSource } from "./funding.ts";
import { Instrument, type InstrumentSpec } from "./instrument.ts";
import { type BookOrder, OrderBook, type TickLevel } from "./matching.ts";

/**
 * What happens when an order would trade with a resting order of the same account.
 * - `cancel_resting`: the resting order is canceled and matching continues;
 * - `cancel_incoming`: the incoming order's remainder is canceled;
 * - `cancel_both`: both.
 *
 * @example
 * ```ts
 * import type { SelfTradePrevention } from "./engine.ts";
 * const stp: SelfTradePrevention = "cancel_resting";
 * ```
 */
export type SelfTradePrevention = "cancel_resting" | "cancel_incoming" | "cancel_both";

/**
 * Options of {@linkcode SimEngine}.
 *
 * @example
 * ```ts
 * import type { EngineOptions } from "./engine.ts";
 * import { ManualClock } from "../exchanges/_shared/clock.ts";
 * const o: EngineOptions = { clock: new ManualClock(0), venue: "grvt", postOnlyCross: "cancel" };
 * ```
 */
export interface EngineOptions {
  /** Source of time. @default {systemClock} */
  clock?: Clock;
  /** Venue name used in error messages. @default {"sim"} */
  venue?: string;
  /** Self-trade prevention. @default {"cancel_resting"} */
  selfTradePrevention?: SelfTradePrevention;
  /** A crossing post-only order is rejected (throws) or accepted then canceled. @default {"reject"} */
  postOnlyCross?: "reject" | "cancel";
  /** A reduce-only order larger than the position is resized or rejected. @default {"resize"} */
  reduceOnlyOversize?: "resize" | "reject";
  /** Keep the newest events in memory ({@linkcode SimEngine.events}). @default {true} */
  keepLog?: boolean;
  /** Keep finished orders, fills and trades for the read-truth queries. @default {true} */
  keepHistory?: boolean;
  /** How much history is kept (each bound has a default). @default {DEFAULT_RETENTION} */
  retention?: RetentionOptions;
  /** Account that takes over liquidated positions and deficits; created if missing. @default {"insurance"} */
  backstopAccountId?: string;
}

/**
 * Bounds of what the engine keeps besides live state. Account truth (cash, positions, fees,
 * funding, active orders, the book) is exact whatever these are; they only limit how far back
 * the history queries ({@linkcode SimEngine.getOrder} for a finished order,
 * {@linkcode SimEngine.fills}, {@linkcode SimEngine.trades}, {@linkcode SimEngine.fundingHistory},
 * {@linkcode SimEngine.fundingPayments}, {@linkcode SimEngine.events}) reach. `Infinity` keeps
 * everything.
 *
 * @example
 * ```ts
 * import type { RetentionOptions } from "./engine.ts";
 * const small: RetentionOptions = { events: 1_000, finishedOrders: 500 };
 * ```
 */
export interface RetentionOptions {
  /** Newest events in the log (a ring buffer). @default {10000} */
  events?: number;
  /** Newest finished (terminal) orders, engine-wide. @default {10000} */
  finishedOrders?: number;
  /** Newest fills per account. @default {10000} */
  fills?: number;
  /** Public trades per market: those newer than `tradeWindowMs`, at most this many. @default {100000} */
  trades?: number;
  /** Age (ms) past which a public trade is dropped (the 24 h statistics need a day). @default {86400000} */
  tradeWindowMs?: number;
  /** Newest funding settlements per market and funding payments per account. @default {10000} */
  funding?: number;
}

/**
 * The engine's default history bounds.
 *
 * @example
 * ```ts
 * import { DEFAULT_RETENTION } from "./engine.ts";
 * const doubled = { ...DEFAULT_RETENTION, events: DEFAULT_RETENTION.events * 2 };
 * ```
 */
export const DEFAULT_RETENTION: Readonly<Required<RetentionOptions>> = Object.freeze({
  events: DEFAULT_EVENT_LOG_CAPACITY,
  finishedOrders: 10_000,
  fills: 10_000,
  trades: 100_000,
  tradeWindowMs: 86_400_000,
  funding: 10_000,
});

/**
 * An order request as the engine takes it.
 *
 * @example
 * ```ts
 * import type { SimOrderRequest } from "./engine.ts";
 * const r: SimOrderRequest = { symbol: "BTC", side: "buy", size: "0.01", price: "64000", postOnly: true };
 * ```
 */
export interface SimOrderRequest {
  /** Symbol. */
  symbol: string;
  /** Side. */
  side: Side;
  /** Limit or market. @default {"limit"} */
  type?: OrderType;
  /** Size in base units (multiple of the size step, at least the minimum size). */
  size: DecimalInput;
  /** Limit price (multiple of the tick); required for limit orders. */
  price?: DecimalInput;
  /** Worst fill price of a market order; no bound when omitted. */
  worstPrice?: DecimalInput;
  /** Only add liquidity. @default {false} */
  postOnly?: boolean;
  /** Only reduce the position. @default {false} */
  reduceOnly?: boolean;
  /** Time in force. @default {"gtc"} for limit, `"ioc"` for market */
  timeInForce?: TimeInForce;
  /** Expiry (ms) of a `gtt` order. */
  expiresAt?: number;
  /** Client order id, unique among the account's active orders. @default {"sim-<order id>"} */
  clientOrderId?: string;
}

/**
 * Per-order overrides of the engine's venue-dependent behaviour.
 *
 * @example
 * ```ts
 * import type { PlaceOptions } from "./engine.ts";
 * const edgexLike: PlaceOptions = { postOnlyCross: "cancel" };
 * ```
 */
export interface PlaceOptions {
  /** See {@linkcode EngineOptions.postOnlyCross}. @default {the engine's} */
  postOnlyCross?: "reject" | "cancel";
  /** See {@linkcode EngineOptions.reduceOnlyOversize}. @default {the engine's} */
  reduceOnlyOversize?: "resize" | "reject";
  /** See {@linkcode EngineOptions.selfTradePrevention}. @default {the engine's} */
  selfTradePrevention?: SelfTradePrevention;
}

/**
 * What {@linkcode SimEngine.placeOrder} returns: the order after matching and its fills.
 *
 * @example
 * ```ts
 * import type { PlaceResult } from "./engine.ts";
 * const filledNow = (r: PlaceResult) => r.fills.length > 0;
 * ```
 */
export interface PlaceResult {
  /** The order after matching. */
  order: OrderView;
  /** Fills of this order during placement (taker side). */
  fills: FillView[];
}

/**
 * Reference to an order: engine id or client order id.
 *
 * @example
 * ```ts
 * import type { SimOrderRef } from "./engine.ts";
 * const ref: SimOrderRef = { clientOrderId: "grid-1" };
 * ```
 */
export type SimOrderRef = { id: string; clientOrderId?: undefined } | {
  clientOrderId: string;
  id?: undefined;
};

/**
 * A position with its PnL at the mark price.
 *
 * @example
 * ```ts
 * import type { PositionView } from "./engine.ts";
 * const isLong = (p: PositionView) => !p.size.startsWith("-") && p.size !== "0";
 * ```
 */
export interface PositionView {
  /** Account. */
  accountId: string;
  /** Symbol. */
  symbol: string;
  /** Signed size (positive = long). */
  size: string;
  /** Average entry price (truncated to 10 decimals past the tick), when open. */
  entryPrice: string | undefined;
  /** Mark price used. */
  markPrice: string;
  /** |size| × mark. */
  notional: string;
  /** Unrealized PnL at mark. */
  unrealizedPnl: string;
  /** Cumulative realized trading PnL (before fees and funding). */
  realizedPnl: string;
  /** Cumulative fees paid (negative = rebates). */
  fees: string;
  /** Cumulative funding received (negative = paid). */
  funding: string;
  /** Initial margin of the position and resting orders. */
  initialMargin: string;
  /** Maintenance margin of the position. */
  maintenanceMargin: string;
  /** Leverage in use. */
  leverage: string;
}

/**
 * An account's money.
 *
 * @example
 * ```ts
 * import type { BalanceView } from "./engine.ts";
 * const free = (b: BalanceView) => b.availableBalance;
 * ```
 */
export interface BalanceView {
  /** Account. */
  accountId: string;
  /** Collateral: deposits + realized PnL − fees + funding. */
  collateral: string;
  /** Unrealized PnL at mark. */
  unrealizedPnl: string;
  /** collateral + unrealized PnL. */
  equity: string;
  /** Initial margin of positions and resting orders. */
  initialMargin: string;
  /** Maintenance margin of positions. */
  maintenanceMargin: string;
  /** equity − initial margin. */
  availableBalance: string;
  /** Net deposits. */
  deposited: string;
  /** Cumulative realized trading PnL. */
  realizedPnl: string;
  /** Cumulative fees (negative = rebates). */
  fees: string;
  /** Cumulative funding received (negative = paid). */
  funding: string;
}

/**
 * Aggregated book levels (L2), best first.
 *
 * @example
 * ```ts
 * import type { BookView } from "./engine.ts";
 * const spread = (b: BookView) => [b.bids[0]?.[0], b.asks[0]?.[0]];
 * ```
 */
export interface BookView {
  /** Symbol. */
  symbol: string;
  /** `[price, size]`, best first. */
  bids: [string, string][];
  /** `[price, size]`, best first. */
  asks: [string, string][];
  /** Last `streamSeq` of the `book:<symbol>` stream this snapshot includes. */
  seq: number;
  /** Engine time. */
  time: number;
}

/**
 * One level of the order-by-order (L3) book.
 *
 * @example
 * ```ts
 * import type { L3Level } from "./engine.ts";
 * const queue = (l: L3Level) => l.orders.map((o) => o.id);
 * ```
 */
export interface L3Level {
  /** Price. */
  price: string;
  /** Total size. */
  size: string;
  /** Orders in time priority. */
  orders: { id: string; clientOrderId: string; accountId: string; size: string }[];
}

/**
 * A public trade.
 *
 * @example
 * ```ts
 * import type { TradeView } from "./engine.ts";
 * const buyerTook = (t: TradeView) => t.takerSide === "buy";
 * ```
 */
export interface TradeView {
  /** Trade id. */
  tradeId: string;
  /** Symbol. */
  symbol: string;
  /** Price. */
  price: string;
  /** Size. */
  size: string;
  /** Taker side. */
  takerSide: Side;
  /** Time. */
  time: number;
  /** Whether it was a liquidation transfer. */
  liquidation: boolean;
}

/**
 * Mark, index and last-trade prices of an instrument.
 *
 * @example
 * ```ts
 * import type { PriceView } from "./engine.ts";
 * const premium = (p: PriceView) => [p.markPrice, p.indexPrice];
 * ```
 */
export interface PriceView {
  /** Symbol. */
  symbol: string;
  /** Mark price ("0" when unset). */
  markPrice: string;
  /** Index price ("0" when unset). */
  indexPrice: string;
  /** Last trade price ("0" before the first trade). */
  lastPrice: string;
}

/**
 * Options of {@linkcode SimEngine.addInstrument}.
 *
 * @example
 * ```ts
 * import type { AddInstrumentOptions } from "./engine.ts";
 * const o: AddInstrumentOptions = { markPrice: "100", fundingRates: () => "0.0001" };
 * ```
 */
export interface AddInstrumentOptions {
  /** Initial mark price (multiple of the tick). @default {unset} */
  markPrice?: DecimalInput;
  /** Initial index price. @default {the mark price} */
  indexPrice?: DecimalInput;
  /** Funding-rate source. @default {premium of mark over index} */
  fundingRates?: FundingRateSource;
}

/**
 * Options of {@linkcode SimEngine.createAccount}.
 *
 * @example
 * ```ts
 * import type { CreateAccountOptions } from "./engine.ts";
 * const o: CreateAccountOptions = { collateral: "10000" };
 * ```
 */
export interface CreateAccountOptions {
  /** Initial deposit. @default {"0"} */
  collateral?: DecimalInput;
  /** Exempt from margin checks and liquidation (liquidity / backstop accounts). @default {false} */
  unlimitedMargin?: boolean;
}

interface AccountEntry {
  acc: Account;
  /** Active orders by client order id (removed once terminal). */
  active: Map<string, OrderRecord>;
  /** The latest retained finished order per client order id (pruned with the history). */
  finished: Map<string, OrderRecord>;
  /** Newest fills (retention `fills`). */
  fills: Ring<FillView>;
  /** Newest funding payments (retention `funding`). */
  payments: Ring<SimFundingPayment>;
  ordersStream: string;
  fillsStream: string;
  positionsStream: string;
  balancesStream: string;
  paymentsStream: string;
}

interface InstState {
  inst: Instrument;
  book: OrderBook;
  mark: number;
  index: number;
  last: number;
  funding: FundingRateSource | undefined;
  /** Newest settlements (retention `funding`). */
  settlements: Ring<FundingSettlement>;
  /** Trades inside the trade window (retention `trades`, `tradeWindowMs`). */
  trades: Ring<TradeView>;
  bookStream: string;
  tradesStream: string;
  pricesStream: string;
  fundingStream: string;
}

class OrderRecord implements BookOrder {
  prev: BookOrder | null = null;
  next: BookOrder | null = null;
  level: TickLevel | null = null;
  filledLots = 0;
  filledValue = 0n;
  status: OrderStatus = "pending";
  cancelReason: CancelReason | undefined = undefined;
  updatedAt: number;
  remainingLots: number;
  /** The pending GTT expiry task, canceled once the order ends. */
  expiry: Timed | undefined = undefined;
  constructor(
    readonly id: number,
    readonly clientOrderId: string,
    readonly entry: AccountEntry,
    readonly st: InstState,
    readonly state: PositionState,
    readonly side: Side,
    readonly type: OrderType,
    /** Limit price, or the bound of a market order (Infinity / 0 when unbounded). */
    readonly priceTicks: number,
    public sizeLots: number,
    readonly requestedLots: number,
    readonly tif: TimeInForce,
    readonly postOnly: boolean,
    readonly reduceOnly: boolean,
    readonly expiresAt: number | undefined,
    readonly createdAt: number,
  ) {
    this.remainingLots = sizeLots;
    this.updatedAt = createdAt;
  }
}

const TERMINAL: ReadonlySet<OrderStatus> = new Set(["filled", "canceled", "rejected", "expired"]);
const AVG_EXTRA_DECIMALS = 10;

/**
 * The simulator engine.
 *
 * @example Two crossing orders
 * ```ts
 * import { SimEngine } from "./engine.ts";
 * import { ManualClock } from "../exchanges/_shared/clock.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const engine = new SimEngine({ clock: new ManualClock(0) });
 * engine.addInstrument({ symbol: "BTC", tickSize: "0.1", sizeStep: "0.001", takerFee: "0.0005" }, {
 *   markPrice: "60000",
 * });
 * engine.createAccount("maker", { collateral: "10000" });
 * engine.createAccount("taker", { collateral: "10000" });
 * engine.placeOrder("maker", { symbol: "BTC", side: "sell", size: "0.01", price: "60000" });
 * const { fills } = engine.placeOrder("taker", { symbol: "BTC", side: "buy", size: "0.01", price: "60000" });
 * deepStrictEqual(fills.map((f) => [f.price, f.size, f.fee]), [["60000", "0.01", "0.3"]]);
 * deepStrictEqual(engine.position("maker", "BTC").size, "-0.01");
 * ```
 */
export class SimEngine {
  /** The clock. */
  readonly clock: Clock;
  /** Venue name used in error messages. */
  readonly venue: string;
  /** Backstop account id. */
  readonly backstopAccountId: string;
  readonly #stp: SelfTradePrevention;
  readonly #postOnlyCross: "reject" | "cancel";
  readonly #reduceOnlyOversize: "resize" | "reject";
  readonly #keepHistory: boolean;
  readonly #retention: Readonly<Required<RetentionOptions>>;
  readonly #log: EventLog;
  readonly #heap = new TaskHeap();
  readonly #insts = new Map<string, InstState>();
  readonly #accounts = new Map<string, AccountEntry>();
  /** Active orders by engine id (removed once terminal). */
  readonly #orders = new Map<number, OrderRecord>();
  /** Finished orders by engine id, in finishing order (retention `finishedOrders`). */
  readonly #history = new Map<number, OrderRecord>();
  #orderSeq = 0;
  #tradeSeq = 0;
  #fees = 0n;
  #time = -Infinity;
  #advancing = false;

  /**
   * Creates an engine with no markets and only the backstop account.
   *
   * @param options Clock, venue name and venue-dependent behaviour.
   */
  constructor(options: EngineOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.venue = options.venue ?? "sim";
    this.#stp = options.selfTradePrevention ?? "cancel_resting";
    this.#postOnlyCross = options.postOnlyCross ?? "reject";
    this.#reduceOnlyOversize = options.reduceOnlyOversize ?? "resize";
    this.#keepHistory = options.keepHistory ?? true;
    const r = { ...DEFAULT_RETENTION, ...options.retention };
    if (!this.#keepHistory) {
      r.finishedOrders = r.fills = r.trades = 0;
    }
    for (const [k, v] of Object.entries(r)) {
      if (!(v >= 0) || (v !== Infinity && !Number.isInteger(v))) {
        throw new ConfigurationError(
          `retention.${k} must be a non-negative integer or Infinity: got ${v}`,
        );
      }
    }
    this.#retention = Object.freeze(r);
    this.#log = new EventLog({ keep: options.keepLog ?? true, capacity: r.events });
    this.backstopAccountId = options.backstopAccountId ?? "insurance";
    this.createAccount(this.backstopAccountId, { unlimitedMargin: true });
  }

  // ---------------------------------------------------------------- time

  /**
   * Engine time: the clock's time, or the due time of the task being run.
   *
   * @returns Milliseconds since the epoch.
   */
  now(): number {
    if (this.#advancing) return this.#time;
    const c = this.clock.now();
    return c > this.#time ? c : this.#time;
  }

  /**
   * Runs every scheduled task due at or before `time`, in time order, each at its own time.
   * Calls made from inside a task do not recurse.
   *
   * @param time Target time (ms).
   */
  advanceTo(time: number): void {
    if (this.#advancing) return;
    this.#advancing = true;
    try {
      for (;;) {
        if (this.#heap.peekAt() > time) break;
        const task = this.#heap.pop()!;
        if (task.at > this.#time) this.#time = task.at;
        task.run();
      }
      if (time > this.#time) this.#time = time;
    } finally {
      this.#advancing = false;
    }
  }

  /** Runs the tasks due by the clock's current time (every public call does this first). */
  sync(): void {
    if (!this.#advancing && this.#heap.peekAt() <= this.clock.now()) {
      this.advanceTo(this.clock.now());
    }
  }

  /**
   * Schedules `task` at `time` (engine time during the task is `time`).
   *
   * @param time Due time (ms).
   * @param task What to run.
   */
  schedule(time: number, task: () => void): void {
    this.#heap.push(time, task);
  }

  /**
   * Keeps running due tasks while time passes on the clock: sleeps on the clock until the
   * next task is due. With a `ManualClock`, each `advance` wakes it.
   *
   * @param signal Stops the loop when aborted.
   * @returns Resolves once aborted.
   */
  async run(signal?: AbortSignal): Promise<void> {
    while (!signal?.aborted) {
      this.sync();
      const next = this.#heap.peekAt();
      const wait = next === Infinity ? 1_000 : Math.max(1, next - this.clock.now());
      try {
        await this.clock.sleep(wait, signal);
      } catch (err) {
        if (signal?.aborted) return;
        throw err;
      }
    }
  }

  // ---------------------------------------------------------------- events

  /** The newest `retention.events` events, oldest first (empty when `keepLog` is false). */
  get events(): readonly SimEvent[] {
    return this.#log.events;
  }

  /**
   * Adds an event listener (called synchronously, in order).
   *
   * @param listener The listener.
   * @returns A function that removes it.
   */
  subscribe(listener: EventListener): () => void {
    return this.#log.subscribe(listener);
  }

  /**
   * Last sequence number of a stream.
   *
   * @param stream Stream name, e.g. `"book:BTC"`.
   * @returns The number (0 before the first event).
   */
  lastSeq(stream: string): number {
    return this.#log.lastSeq(stream);
  }

  /**
   * The retained event log as JSON lines; two runs with the same inputs and seed give identical
   * bytes.
   *
   * @returns The serialized log.
   */
  serializeLog(): string {
    return this.#log.serialize();
  }

  #emit(stream: string, body: SimEventBody): void {
    this.#log.emit(stream, this.now(), body);
  }

  // ---------------------------------------------------------------- instruments

  /**
   * Lists a market and schedules its funding settlements on the interval boundaries
   * (multiples of the interval since the epoch).
   *
   * @param spec The market's rules.
   * @param options Initial prices and funding-rate source.
   * @returns The instrument.
   * @throws {ConfigurationError} If the symbol is taken or the rules are invalid.
   */
  addInstrument(spec: InstrumentSpec, options: AddInstrumentOptions = {}): Instrument {
    if (this.#insts.has(spec.symbol)) {
      throw new ConfigurationError(`Instrument ${spec.symbol} already exists`);
    }
    const inst = new Instrument(spec);
    const st: InstState = {
      inst,
      book: new OrderBook(),
      mark: 0,
      index: 0,
      last: 0,
      funding: options.fundingRates,
      settlements: new Ring(this.#retention.funding),
      trades: new Ring(this.#retention.trades),
      bookStream: `book:${inst.symbol}`,
      tradesStream: `trades:${inst.symbol}`,
      pricesStream: `prices:${inst.symbol}`,
      fundingStream: `funding:${inst.symbol}`,
    };
    if (options.markPrice !== undefined) {
      st.mark = inst.priceToTicks(options.markPrice, this.venue, "markPrice");
      st.index = options.indexPrice === undefined
        ? st.mark
        : inst.priceToTicks(options.indexPrice, this.venue, "indexPrice");
    }
    this.#insts.set(inst.symbol, st);
    this.#scheduleFunding(st);
    return inst;
  }

  /**
   * An instrument by symbol.
   *
   * @param symbol The symbol.
   * @returns The instrument.
   * @throws {NotFoundError} If there is no such market.
   */
  instrument(symbol: string): Instrument {
    return this.#inst(symbol).inst;
  }

  /**
   * Every instrument, in listing order.
   *
   * @returns The instruments.
   */
  instruments(): Instrument[] {
    return [...this.#insts.values()].map((s) => s.inst);
  }

  #inst(symbol: string): InstState {
    const st = this.#insts.get(symbol);
    if (st === undefined) {
      throw new NotFoundError({
        venue: this.venue,
        message: `Unknown market '${symbol}' on ${this.venue}`,
      });
    }
    return st;
  }

  // ---------------------------------------------------------------- prices

  /**
   * Sets the mark and / or index price (multiples of the tick), then liquidates accounts below
   * maintenance margin.
   *
   * @param symbol The symbol.
   * @param prices New `markPrice` and / or `indexPrice`.
   * @throws {InvalidOrderError} If a price is off the tick grid.
   * @throws {NotFoundError} If there is no such market.
   */
  setPrices(symbol: string, prices: { markPrice?: DecimalInput; indexPrice?: DecimalInput }): void {
    this.sync();
    const st = this.#inst(symbol);
    const mark = prices.markPrice === undefined
      ? st.mark
      : st.inst.priceToTicks(prices.markPrice, this.venue, "markPrice");
    const index = prices.indexPrice === undefined
      ? st.index
      : st.inst.priceToTicks(prices.indexPrice, this.venue, "indexPrice");
    this.setPriceTicks(symbol, mark, index);
  }

  /**
   * Sets mark and index in ticks (for price paths), then runs liquidation checks.
   *
   * @param symbol The symbol.
   * @param markTicks Mark price in ticks.
   * @param indexTicks Index price in ticks. @default {markTicks}
   */
  setPriceTicks(symbol: string, markTicks: number, indexTicks: number = markTicks): void {
    const st = this.#inst(symbol);
    if (st.mark === markTicks && st.index === indexTicks) return;
    st.mark = markTicks;
    st.index = indexTicks;
    this.#emit(st.pricesStream, {
      type: "price",
      symbol,
      markPrice: st.inst.formatPrice(markTicks),
      indexPrice: st.inst.formatPrice(indexTicks),
    });
    this.#checkLiquidations();
  }

  /**
   * Mark, index and last prices.
   *
   * @param symbol The symbol.
   * @returns The prices.
   * @throws {NotFoundError} If there is no such market.
   */
  prices(symbol: string): PriceView {
    this.sync();
    const st = this.#inst(symbol);
    return {
      symbol,
      markPrice: st.inst.formatPrice(st.mark),
      indexPrice: st.inst.formatPrice(st.index),
      lastPrice: st.inst.formatPrice(st.last),
    };
  }

  /**
   * Mark price in ticks, falling back to the last trade (0 when neither exists).
   *
   * @param symbol The symbol.
   * @returns Ticks.
   */
  markTicks(symbol: string): number {
    const st = this.#inst(symbol);
    return st.mark || st.last;
  }

  /**
   * Index price in ticks (0 when unset).
   *
   * @param symbol The symbol.
   * @returns Ticks.
   */
  indexTicks(symbol: string): number {
    return this.#inst(symbol).index;
  }

  #ref(st: InstState): number {
    return st.mark || st.last;
  }

  // ---------------------------------------------------------------- accounts

  /**
   * Opens an account.
   *
   * @param id Account id.
   * @param options Initial collateral and margin exemption.
   * @throws {ConfigurationError} If the id is taken.
   */
  createAccount(id: string, options: CreateAccountOptions = {}): void {
    if (this.#accounts.has(id)) throw new ConfigurationError(`Account ${id} already exists`);
    const acc = new Account(id);
    acc.unlimitedMargin = options.unlimitedMargin ?? false;
    this.#accounts.set(id, {
      acc,
      active: new Map(),
      finished: new Map(),
      fills: new Ring(this.#retention.fills),
      payments: new Ring(this.#retention.funding),
      ordersStream: `orders:${id}`,
      fillsStream: `fills:${id}`,
      positionsStream: `positions:${id}`,
      balancesStream: `balances:${id}`,
      paymentsStream: `payments:${id}`,
    });
    if (options.collateral !== undefined && parseCash(options.collateral, "collateral") !== 0n) {
      this.deposit(id, options.collateral);
    }
  }

  /**
   * Whether an account exists.
   *
   * @param id Account id.
   * @returns `true` if it does.
   */
  hasAccount(id: string): boolean {
    return this.#accounts.has(id);
  }

  /**
   * Every account id (including the backstop), in creation order.
   *
   * @returns The ids.
   */
  accounts(): string[] {
    return [...this.#accounts.keys()];
  }

  /**
   * Adds collateral.
   *
   * @param accountId Account id.
   * @param amount Positive amount in quote units.
   * @throws {NotFoundError} If there is no such account.
   * @throws {TypeError} If the amount is not a positive decimal.
   */
  deposit(accountId: string, amount: DecimalInput): void {
    this.sync();
    const entry = this.#entry(accountId);
    const atoms = parseCash(amount, "amount");
    if (atoms <= 0n) throw new TypeError(`'amount' must be positive: got ${amount}`);
    entry.acc.cash += atoms;
    entry.acc.deposited += atoms;
    this.#emitBalance(entry, atoms, "deposit");
  }

  /**
   * Removes collateral, if the rest still covers the initial margin.
   *
   * @param accountId Account id.
   * @param amount Positive amount in quote units.
   * @throws {InsufficientMarginError} If the amount exceeds the available balance or the cash.
   * @throws {NotFoundError} If there is no such account.
   */
  withdraw(accountId: string, amount: DecimalInput): void {
    this.sync();
    const entry = this.#entry(accountId);
    const atoms = parseCash(amount, "amount");
    if (atoms <= 0n) throw new TypeError(`'amount' must be positive: got ${amount}`);
    const acc = entry.acc;
    const available = this.#equity(acc) - this.#initialMargin(acc);
    if (!acc.unlimitedMargin && (atoms > available || atoms > acc.cash)) {
      throw new InsufficientMarginError({
        venue: this.venue,
        message: `Cannot withdraw ${amount} on ${this.venue}: available balance is ${
          formatCash(available < acc.cash ? available : acc.cash)
        }`,
      });
    }
    acc.cash -= atoms;
    acc.deposited -= atoms;
    this.#emitBalance(entry, -atoms, "withdrawal");
  }

  /**
   * Sets an account's leverage on one market (initial margin = notional / leverage).
   *
   * @param accountId Account id.
   * @param symbol Symbol.
   * @param leverage Positive leverage, at most the market's maximum.
   * @throws {InvalidOrderError} If the leverage is above the maximum or not positive.
   */
  setLeverage(accountId: string, symbol: string, leverage: DecimalInput): void {
    const entry = this.#entry(accountId);
    const inst = this.#inst(symbol).inst;
    const d = toDecimal(leverage, "leverage");
    if (!d.gt(0)) {
      throw new InvalidOrderError("invalid_size", {
        venue: this.venue,
        message:
          `Cannot set leverage on ${this.venue} as 'leverage' must be positive: current value is ${d}`,
      });
    }
    const lev = ratioOf(d);
    if (lev.num * inst.maxLeverageRatio.den > inst.maxLeverageRatio.num * lev.den) {
      throw new InvalidOrderError("invalid_size", {
        venue: this.venue,
        message:
          `Cannot set leverage on ${this.venue} as 'leverage' must be at most ${inst.maxLeverage}: current value is ${leverage}`,
      });
    }
    entry.acc.position(inst).leverage = lev;
  }

  #entry(id: string): AccountEntry {
    const e = this.#accounts.get(id);
    if (e === undefined) {
      throw new NotFoundError({
        venue: this.venue,
        message: `Unknown account '${id}' on ${this.venue}`,
      });
    }
    return e;
  }

  #equity(acc: Account): bigint {
    let eq = acc.cash;
    for (const p of acc.positions.values()) {
      if (p.lots !== 0) eq += p.unrealized(this.#ref(this.#insts.get(p.instrument.symbol)!));
    }
    return eq;
  }

  #initialMargin(acc: Account): bigint {
    let im = 0n;
    for (const p of acc.positions.values()) {
      im += p.initialMargin(this.#ref(this.#insts.get(p.instrument.symbol)!));
    }
    return im;
  }

  #maintenanceMargin(acc: Account): bigint {
    let mm = 0n;
    for (const p of acc.positions.values()) {
      if (p.lots !== 0) mm += p.maintenanceMargin(this.#ref(this.#insts.get(p.instrument.symbol)!));
    }
    return mm;
  }

  #emitBalance(
    entry: AccountEntry,
    change: bigint,
    reason: "deposit" | "withdrawal" | "trade" | "funding" | "liquidation",
  ): void {
    this.#emit(entry.balancesStream, {
      type: "balance",
      accountId: entry.acc.id,
      collateral: formatCash(entry.acc.cash),
      change: formatCash(change),
      reason,
    });
  }

  #emitPosition(entry: AccountEntry, p: PositionState): void {
    this.#emit(entry.positionsStream, {
      type: "position",
      accountId: entry.acc.id,
      symbol: p.instrument.symbol,
      size: p.instrument.formatSize(p.lots),
      entryPrice: entryPrice(p),
      realizedPnl: formatCash(p.realized),
    });
  }

  // ---------------------------------------------------------------- orders

  /**
   * Places an order for any account and matches it (price-time priority).
   *
   * @param accountId The account placing it.
   * @param request What to place.
   * @param options Per-order overrides of venue-dependent behaviour.
   * @returns The order after matching and its fills.
   * @throws {InvalidOrderError} If size or price break the market's rules.
   * @throws {InsufficientMarginError} If the order would need more margin than the equity.
   * @throws {DuplicateClientOrderIdError} If the client order id is in use by an active order.
   * @throws {PostOnlyWouldCrossError} If a post-only order would cross (mode `"reject"`).
   * @throws {OrderRejectedError} Reason `"reduce_only"` when a reduce-only order cannot reduce,
   * `"other"` for an invalid combination (market GTC, post-only IOC, GTT without future expiry).
   * @throws {NotFoundError} If the account or market does not exist.
   */
  placeOrder(accountId: string, request: SimOrderRequest, options: PlaceOptions = {}): PlaceResult {
    this.sync();
    const entry = this.#entry(accountId);
    const st = this.#inst(request.symbol);
    const inst = st.inst;
    const venue = this.venue;
    const side = request.side;
    if (side !== "buy" && side !== "sell") {
      throw new OrderRejectedError("other", {
        venue,
        message:
          `Cannot place order on ${venue} as 'side' must be buy or sell: current value is ${side}`,
      });
    }
    const type = request.type ?? "limit";
    const tif = request.timeInForce ?? (type === "market" ? "ioc" : "gtc");
    const lots = inst.sizeToLots(request.size, venue);
    if (lots < inst.minLots) {
      throw new InvalidOrderError("invalid_size", {
        venue,
        message:
          `Cannot place order on ${venue} as 'size' must be at least ${inst.minSize}: current value is ${request.size}`,
      });
    }
    let priceTicks: number;
    if (type === "limit") {
      if (request.price === undefined) {
        throw new InvalidOrderError("invalid_price", {
          venue,
          message: `Cannot place order on ${venue} as 'price' is required for a limit order`,
        });
      }
      priceTicks = inst.priceToTicks(request.price, venue);
    } else if (type === "market") {
      priceTicks = request.worstPrice !== undefined
        ? inst.priceToTicks(request.worstPrice, venue, "worstPrice")
        : side === "buy"
        ? Infinity
        : 0;
    } else {
      throw new OrderRejectedError("other", {
        venue,
        message:
          `Cannot place order on ${venue} as 'type' must be limit or market: current value is ${type}`,
      });
    }
    const bad = (what: string): never => {
      throw new OrderRejectedError("other", {
        venue,
        message: `Cannot place order on ${venue}: ${what}`,
      });
    };
    if (tif !== "gtc" && tif !== "gtt" && tif !== "ioc" && tif !== "fok") {
      bad(`unknown time in force ${tif}`);
    }
    if (type === "market" && tif !== "ioc" && tif !== "fok") {
      bad("a market order must be IOC or FOK");
    }
    const postOnly = request.postOnly ?? false;
    const reduceOnly = request.reduceOnly ?? false;
    if (postOnly && (tif === "ioc" || tif === "fok")) bad("a post-only order cannot be IOC or FOK");
    const now = this.now();
    if (tif === "gtt" && !(request.expiresAt !== undefined && request.expiresAt > now)) {
      bad(`a GTT order needs 'expiresAt' after ${now}: current value is ${request.expiresAt}`);
    }
    if (!reduceOnly && inst.minNotionalAtoms > 0n) {
      const px = type === "limit" || Number.isFinite(priceTicks) && priceTicks > 0
        ? priceTicks
        : this.#ref(st);
      const notional = BigInt(lots) * BigInt(px) * inst.tickLotAtoms;
      if (notional < inst.minNotionalAtoms) {
        throw new InvalidOrderError("invalid_size", {
          venue,
          message:
            `Cannot place order on ${venue} as 'size' × 'price' must be at least ${inst.minNotional}: current value is ${
              formatCash(notional)
            }`,
        });
      }
    }

    const id = ++this.#orderSeq;
    const clientOrderId = request.clientOrderId ?? `sim-${id}`;
    const state = entry.acc.position(inst);
    const order = new OrderRecord(
      id,
      clientOrderId,
      entry,
      st,
      state,
      side,
      type,
      priceTicks,
      lots,
      lots,
      tif,
      postOnly,
      reduceOnly,
      tif === "gtt" ? request.expiresAt : undefined,
      now,
    );

    if (entry.active.has(clientOrderId)) {
      // No order event: it would read as an update of the active order that owns the id.
      throw new DuplicateClientOrderIdError(clientOrderId, { venue });
    }
    if (reduceOnly) {
      const cap = reduceCap(order);
      if (cap === 0) {
        this.#reject(
          order,
          "reduce_only",
          new OrderRejectedError("reduce_only", {
            venue,
            message:
              `Cannot place order on ${venue}: reduce-only ${side} would not reduce the position`,
          }),
        );
      }
      if (lots > cap) {
        if ((options.reduceOnlyOversize ?? this.#reduceOnlyOversize) === "reject") {
          this.#reject(
            order,
            "reduce_only",
            new OrderRejectedError("reduce_only", {
              venue,
              message:
                `Cannot place order on ${venue}: reduce-only size ${request.size} exceeds the position ${
                  inst.formatSize(Math.abs(state.lots))
                }`,
            }),
          );
        }
        order.sizeLots = cap;
        order.remainingLots = cap;
      }
    }
    if (!reduceOnly && !entry.acc.unlimitedMargin && !this.#marginOk(entry, st, order)) {
      this.#reject(order, "insufficient_margin", new InsufficientMarginError({ venue }));
    }
    const fills: FillView[] = [];
    if (postOnly && st.book.wouldCross(side, priceTicks)) {
      if ((options.postOnlyCross ?? this.#postOnlyCross) === "reject") {
        this.#reject(order, "post_only_would_cross", new PostOnlyWouldCrossError({ venue }));
      }
      this.#accept(order);
      this.#finish(order, "canceled", "post_only_would_cross");
      return { order: this.#view(order), fills };
    }
    const stp = options.selfTradePrevention ?? this.#stp;
    this.#accept(order);
    if (tif === "fok" && this.#fillable(order, stp) < order.remainingLots) {
      this.#finish(order, "canceled", "fok_unfilled");
      return { order: this.#view(order), fills };
    }
    const stop = this.#match(order, stp, fills);
    if (order.remainingLots > 0) {
      if (stop !== undefined) {
        this.#finish(order, "canceled", stop);
      } else if (tif === "ioc" || tif === "fok") {
        this.#finish(order, "canceled", tif === "fok" ? "fok_unfilled" : "ioc_unfilled");
      } else {
        st.book.add(order);
        if (!reduceOnly) {
          if (side === "buy") state.openBuyLots += order.remainingLots;
          else state.openSellLots += order.remainingLots;
        }
        if (order.expiresAt !== undefined) {
          order.expiry = this.#heap.push(order.expiresAt, () => {
            order.expiry = undefined;
            if (order.level !== null) this.#cancelResting(order, "expired", "expired");
          });
        }
        if (fills.length > 0) this.#emitOrder(order);
      }
    } else {
      this.#finish(order, "filled", undefined);
    }
    this.#flushBook(st);
    return { order: this.#view(order), fills };
  }

  #reject(order: OrderRecord, reason: CancelReason, error: Error): never {
    order.status = "rejected";
    order.cancelReason = reason;
    order.remainingLots = 0;
    this.#emitOrder(order);
    this.#retain(order);
    throw error;
  }

  #accept(order: OrderRecord): void {
    order.status = "open";
    order.entry.active.set(order.clientOrderId, order);
    this.#orders.set(order.id, order);
    this.#emitOrder(order);
  }

  /** Ends an order that is not on the book. */
  #finish(order: OrderRecord, status: OrderStatus, reason: CancelReason | undefined): void {
    order.status = status;
    order.cancelReason = reason;
    order.updatedAt = this.now();
    order.entry.active.delete(order.clientOrderId);
    this.#orders.delete(order.id);
    if (order.expiry !== undefined) {
      this.#heap.cancel(order.expiry);
      order.expiry = undefined;
    }
    this.#retain(order);
    this.#emitOrder(order);
  }

  /** Files a finished order in the bounded history and its client-id index. */
  #retain(order: OrderRecord): void {
    const limit = this.#retention.finishedOrders;
    if (limit === 0) return;
    const history = this.#history;
    history.set(order.id, order);
    order.entry.finished.set(order.clientOrderId, order);
    if (history.size > limit) {
      for (const [id, old] of history) {
        history.delete(id);
        const index = old.entry.finished;
        if (index.get(old.clientOrderId) === old) index.delete(old.clientOrderId);
        if (history.size <= limit) break;
      }
    }
  }

  #cancelResting(order: OrderRecord, reason: CancelReason, status: OrderStatus = "canceled"): void {
    order.st.book.remove(order);
    if (!order.reduceOnly) {
      if (order.side === "buy") order.state.openBuyLots -= order.remainingLots;
      else order.state.openSellLots -= order.remainingLots;
    }
    this.#finish(order, status, reason);
  }

  #emitOrder(order: OrderRecord): void {
    this.#emit(order.entry.ordersStream, { type: "order", order: this.#view(order) });
  }

  #flushBook(st: InstState): void {
    const changes = st.book.takeChanges();
    for (let i = 0; i < changes.length; i++) {
      const c = changes[i];
      this.#emit(st.bookStream, {
        type: "book",
        symbol: st.inst.symbol,
        side: c.side,
        price: st.inst.formatPrice(c.price),
        size: st.inst.formatSize(c.lots),
      });
    }
  }

  #marginOk(entry: AccountEntry, st: InstState, order: OrderRecord): boolean {
    const acc = entry.acc;
    let before = 0n;
    let after = 0n;
    for (const p of acc.positions.values()) {
      const pst = this.#insts.get(p.instrument.symbol)!;
      const ref = this.#ref(pst);
      const im = p.initialMargin(ref);
      before += im;
      if (p === order.state) {
        let orderRef = ref;
        if (orderRef === 0) {
          orderRef =
            order.type === "limit" || Number.isFinite(order.priceTicks) && order.priceTicks > 0
              ? order.priceTicks
              : st.book.bestLevel(order.side === "buy" ? "sell" : "buy")?.price ?? 0;
        }
        const lots = order.remainingLots;
        after += p.initialMargin(
          orderRef,
          order.side === "buy" ? lots : 0,
          order.side === "sell" ? lots : 0,
        );
      } else {
        after += im;
      }
    }
    if (after <= before) return true;
    return this.#equity(acc) >= after;
  }

  /** Lots an order could fill now (for FOK), honouring self-trade prevention and reduce-only. */
  #fillable(order: OrderRecord, stp: SelfTradePrevention): number {
    const isBuy = order.side === "buy";
    let total = 0;
    const used = new Map<AccountEntry, number>();
    for (const level of order.st.book.levels(isBuy ? "sell" : "buy")) {
      if (isBuy ? level.price > order.priceTicks : level.price < order.priceTicks) break;
      for (let m = level.head as OrderRecord | null; m !== null; m = m.next as OrderRecord | null) {
        if (m.entry === order.entry) {
          if (stp === "cancel_resting") continue;
          return total;
        }
        let lots = m.remainingLots;
        if (m.reduceOnly) {
          const cap = reduceCap(m) - (used.get(m.entry) ?? 0);
          if (lots > cap) lots = cap > 0 ? cap : 0;
          used.set(m.entry, (used.get(m.entry) ?? 0) + lots);
        }
        total += lots;
        if (total >= order.remainingLots) return total;
      }
    }
    return total;
  }

  /** The matching loop. Returns why matching stopped early, if it did. */
  #match(
    taker: OrderRecord,
    stp: SelfTradePrevention,
    fills: FillView[],
  ): CancelReason | undefined {
    const st = taker.st;
    const book = st.book;
    const isBuy = taker.side === "buy";
    const opp: Side = isBuy ? "sell" : "buy";
    while (taker.remainingLots > 0) {
      const level = book.bestLevel(opp);
      if (level === undefined) return undefined;
      if (isBuy ? level.price > taker.priceTicks : level.price < taker.priceTicks) return undefined;
      let maker = level.head as OrderRecord | null;
      while (maker !== null && taker.remainingLots > 0) {
        const next = maker.next as OrderRecord | null;
        if (maker.entry === taker.entry) {
          if (stp !== "cancel_incoming") this.#cancelResting(maker, "self_trade");
          if (stp !== "cancel_resting") return "self_trade";
          maker = next;
          continue;
        }
        let qty = taker.remainingLots < maker.remainingLots
          ? taker.remainingLots
          : maker.remainingLots;
        if (maker.reduceOnly) {
          const cap = reduceCap(maker);
          if (cap === 0) {
            this.#cancelResting(maker, "reduce_only");
            maker = next;
            continue;
          }
          if (qty > cap) qty = cap;
        }
        if (taker.reduceOnly) {
          const cap = reduceCap(taker);
          if (cap === 0) return "reduce_only";
          if (qty > cap) qty = cap;
        }
        this.#fill(taker, maker, level.price, qty, fills);
        if (maker.remainingLots > 0 && maker.reduceOnly && reduceCap(maker) === 0) {
          this.#cancelResting(maker, "reduce_only");
        }
        maker = next;
      }
    }
    return undefined;
  }

  #fill(
    taker: OrderRecord,
    maker: OrderRecord,
    price: number,
    qty: number,
    fills: FillView[],
  ): void {
    const st = taker.st;
    const inst = st.inst;
    const now = this.now();
    const tradeId = String(++this.#tradeSeq);
    const value = BigInt(qty) * BigInt(price);

    // Maker bookkeeping (book first: it subtracts the remaining size from the level).
    if (qty === maker.remainingLots) {
      st.book.remove(maker);
      maker.remainingLots = 0;
    } else {
      st.book.reduce(maker, qty);
    }
    if (!maker.reduceOnly) {
      if (maker.side === "buy") maker.state.openBuyLots -= qty;
      else maker.state.openSellLots -= qty;
    }
    maker.filledLots += qty;
    maker.filledValue += value;
    maker.updatedAt = now;
    taker.remainingLots -= qty;
    taker.filledLots += qty;
    taker.filledValue += value;
    taker.updatedAt = now;
    st.last = price;

    const dMaker = maker.side === "buy" ? qty : -qty;
    const realizedM = maker.state.apply(dMaker, price);
    const realizedT = taker.state.apply(-dMaker, price);
    const feeM = value * inst.makerFeeAtoms;
    const feeT = value * inst.takerFeeAtoms;
    maker.state.fees += feeM;
    taker.state.fees += feeT;
    maker.entry.acc.cash += realizedM - feeM;
    taker.entry.acc.cash += realizedT - feeT;
    this.#fees += feeM + feeT;

    const priceStr = inst.formatPrice(price);
    const sizeStr = inst.formatSize(qty);
    const trade: TradeView = {
      tradeId,
      symbol: inst.symbol,
      price: priceStr,
      size: sizeStr,
      takerSide: taker.side,
      time: now,
      liquidation: false,
    };
    this.#keepTrade(st, trade);
    this.#emit(st.tradesStream, {
      type: "trade",
      symbol: inst.symbol,
      tradeId,
      price: priceStr,
      size: sizeStr,
      takerSide: taker.side,
      makerOrderId: String(maker.id),
      takerOrderId: String(taker.id),
      liquidation: false,
    });
    this.#fillView(
      maker,
      tradeId,
      priceStr,
      sizeStr,
      feeM,
      realizedM,
      "maker",
      false,
      now,
    );
    const ft = this.#fillView(
      taker,
      tradeId,
      priceStr,
      sizeStr,
      feeT,
      realizedT,
      "taker",
      false,
      now,
    );
    fills.push(ft);
    if (maker.remainingLots === 0) {
      this.#finish(maker, "filled", undefined);
    } else {
      maker.status = "partially_filled";
      this.#emitOrder(maker);
    }
    if (taker.remainingLots > 0) taker.status = "partially_filled";
    this.#emitPosition(maker.entry, maker.state);
    this.#emitPosition(taker.entry, taker.state);
    if (realizedM !== feeM) this.#emitBalance(maker.entry, realizedM - feeM, "trade");
    if (realizedT !== feeT) this.#emitBalance(taker.entry, realizedT - feeT, "trade");
  }

  /** Keeps a public trade, dropping those older than the trade window. */
  #keepTrade(st: InstState, trade: TradeView): void {
    const trades = st.trades;
    trades.push(trade);
    const oldest = trade.time - this.#retention.tradeWindowMs;
    while (trades.length > 0 && trades.at(0)!.time < oldest) trades.shift();
  }

  #fillView(
    order: OrderRecord,
    tradeId: string,
    price: string,
    size: string,
    fee: bigint,
    realized: bigint,
    liquidity: "maker" | "taker",
    liquidation: boolean,
    time: number,
  ): FillView {
    const fill: FillView = {
      tradeId,
      accountId: order.entry.acc.id,
      orderId: String(order.id),
      clientOrderId: order.clientOrderId,
      symbol: order.st.inst.symbol,
      side: order.side,
      price,
      size,
      fee: formatCash(fee),
      realizedPnl: formatCash(realized),
      liquidity,
      liquidation,
      time,
    };
    order.entry.fills.push(fill);
    this.#emit(order.entry.fillsStream, { type: "fill", fill });
    return fill;
  }

  #view(o: OrderRecord): OrderView {
    const inst = o.st.inst;
    const terminal = TERMINAL.has(o.status);
    return {
      id: String(o.id),
      clientOrderId: o.clientOrderId,
      accountId: o.entry.acc.id,
      symbol: inst.symbol,
      side: o.side,
      type: o.type,
      price: Number.isFinite(o.priceTicks) && o.priceTicks > 0
        ? inst.formatPrice(o.priceTicks)
        : undefined,
      size: inst.formatSize(o.sizeLots),
      requestedSize: inst.formatSize(o.requestedLots),
      filledSize: inst.formatSize(o.filledLots),
      remainingSize: inst.formatSize(terminal ? 0 : o.remainingLots),
      averageFillPrice: o.filledLots > 0 ? average(inst, o.filledValue, o.filledLots) : undefined,
      status: o.status,
      timeInForce: o.tif,
      postOnly: o.postOnly,
      reduceOnly: o.reduceOnly,
      cancelReason: o.cancelReason,
      expiresAt: o.expiresAt,
      createdAt: o.createdAt,
      updatedAt: o.updatedAt,
    };
  }

  /**
   * Cancels one active order of an account.
   *
   * @param accountId The owner.
   * @param ref Engine id or client order id.
   * @returns The canceled order.
   * @throws {NotFoundError} If the account has no such active order.
   */
  cancelOrder(accountId: string, ref: SimOrderRef): OrderView {
    this.sync();
    const order = this.#active(accountId, ref);
    this.#cancelResting(order, "user");
    this.#flushBook(order.st);
    return this.#view(order);
  }

  /**
   * Cancels every active order of an account, optionally on one market only.
   *
   * @param accountId The owner.
   * @param symbol Only this market. @default {all markets}
   * @returns The canceled orders, oldest first.
   * @throws {NotFoundError} If the account does not exist.
   */
  cancelAll(accountId: string, symbol?: string): OrderView[] {
    this.sync();
    const entry = this.#entry(accountId);
    const out: OrderView[] = [];
    const touched = new Set<InstState>();
    for (const order of [...entry.active.values()]) {
      if (symbol !== undefined && order.st.inst.symbol !== symbol) continue;
      this.#cancelResting(order, "user");
      touched.add(order.st);
      out.push(this.#view(order));
    }
    for (const st of touched) this.#flushBook(st);
    return out;
  }

  #active(accountId: string, ref: SimOrderRef): OrderRecord {
    const entry = this.#entry(accountId);
    const order = ref.clientOrderId !== undefined
      ? entry.active.get(ref.clientOrderId)
      : this.#orders.get(Number(ref.id));
    if (
      order === undefined || order.entry !== entry ||
      String(order.id) !== (ref.id ?? String(order.id))
    ) {
      throw new NotFoundError({
        venue: this.venue,
        message: `No active order ${
          ref.clientOrderId !== undefined ? `with client id '${ref.clientOrderId}'` : `'${ref.id}'`
        } for account '${accountId}' on ${this.venue}`,
      });
    }
    return order;
  }

  /**
   * One order of an account, active or finished and still retained (the newest
   * `retention.finishedOrders` finished orders). Both lookups are indexed.
   *
   * @param accountId The owner.
   * @param ref Engine id, or client order id (active orders first, then the latest finished).
   * @returns The order.
   * @throws {NotFoundError} If there is no such order.
   */
  getOrder(accountId: string, ref: SimOrderRef): OrderView {
    this.sync();
    const entry = this.#entry(accountId);
    let order: OrderRecord | undefined;
    if (ref.clientOrderId !== undefined) {
      order = entry.active.get(ref.clientOrderId) ?? entry.finished.get(ref.clientOrderId);
    } else {
      const id = Number(ref.id);
      order = this.#orders.get(id) ?? this.#history.get(id);
      if (order !== undefined && order.entry !== entry) order = undefined;
    }
    if (order === undefined) {
      throw new NotFoundError({
        venue: this.venue,
        message: `No order ${
          ref.clientOrderId ?? ref.id
        } for account '${accountId}' on ${this.venue}`,
      });
    }
    return this.#view(order);
  }

  /**
   * Active orders, oldest first.
   *
   * @param accountId Only this account. @default {every account}
   * @param symbol Only this market. @default {every market}
   * @returns The orders.
   */
  openOrders(accountId?: string, symbol?: string): OrderView[] {
    this.sync();
    const source = accountId === undefined
      ? this.#orders.values()
      : this.#entry(accountId).active.values();
    const out: OrderView[] = [];
    for (const o of source) {
      if (symbol === undefined || o.st.inst.symbol === symbol) out.push(this.#view(o));
    }
    return out;
  }

  /**
   * Whether an account has an active order with this client order id (cheap).
   *
   * @param accountId The account.
   * @param clientOrderId The client order id.
   * @returns `true` if the order is open or partially filled.
   */
  isActive(accountId: string, clientOrderId: string): boolean {
    return this.#entry(accountId).active.has(clientOrderId);
  }

  /**
   * Number of active orders of an account (cheap).
   *
   * @param accountId The account.
   * @returns The count.
   */
  openOrderCount(accountId: string): number {
    return this.#entry(accountId).active.size;
  }

  /**
   * An account's retained finished orders (the newest `retention.finishedOrders` engine-wide),
   * newest first. The walk covers the retained history only, so its cost is bounded.
   *
   * @param accountId The account.
   * @param symbol Only this market. @default {every market}
   * @param limit At most this many. @default {all}
   * @returns The orders.
   * @throws {NotFoundError} If the account does not exist.
   */
  finishedOrders(accountId: string, symbol?: string, limit: number = Infinity): OrderView[] {
    this.sync();
    const entry = this.#entry(accountId);
    const all = [...this.#history.values()];
    const out: OrderView[] = [];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const o = all[i];
      if (o.entry !== entry) continue;
      if (symbol !== undefined && o.st.inst.symbol !== symbol) continue;
      out.push(this.#view(o));
    }
    return out;
  }

  /** The history bounds in force (defaults filled in). */
  get retention(): Readonly<Required<RetentionOptions>> {
    return this.#retention;
  }

  /**
   * How many items each long-lived collection holds now, for bounds checks and soak runs.
   *
   * @returns The counts: retained events, active and finished orders, scheduled tasks (live and
   * held), and the largest per-account fill, per-account payment, per-market trade and
   * per-market settlement histories.
   */
  retainedCounts(): {
    events: number;
    activeOrders: number;
    finishedOrders: number;
    tasks: number;
    liveTasks: number;
    fills: number;
    payments: number;
    trades: number;
    settlements: number;
  } {
    let fills = 0;
    let payments = 0;
    for (const e of this.#accounts.values()) {
      fills = Math.max(fills, e.fills.length);
      payments = Math.max(payments, e.payments.length);
    }
    let trades = 0;
    let settlements = 0;
    for (const st of this.#insts.values()) {
      trades = Math.max(trades, st.trades.length);
      settlements = Math.max(settlements, st.settlements.length);
    }
    return {
      events: this.#log.events.length,
      activeOrders: this.#orders.size,
      finishedOrders: this.#history.size,
      tasks: this.#heap.size,
      liveTasks: this.#heap.live,
      fills,
      payments,
      trades,
      settlements,
    };
  }

  // ---------------------------------------------------------------- truth

  /**
   * An account's position on one market.
   *
   * @param accountId The account.
   * @param symbol The market.
   * @returns The position (size `"0"` when flat).
   * @throws {NotFoundError} If the account or market does not exist.
   */
  position(accountId: string, symbol: string): PositionView {
    this.sync();
    const entry = this.#entry(accountId);
    const st = this.#inst(symbol);
    return this.#positionView(entry, entry.acc.position(st.inst));
  }

  /**
   * An account's positions on every market it traded, including flat ones.
   *
   * @param accountId The account.
   * @returns The positions.
   */
  positions(accountId: string): PositionView[] {
    this.sync();
    const entry = this.#entry(accountId);
    return [...entry.acc.positions.values()].map((p) => this.#positionView(entry, p));
  }

  #positionView(entry: AccountEntry, p: PositionState): PositionView {
    const inst = p.instrument;
    const mark = this.#ref(this.#insts.get(inst.symbol)!);
    const abs = p.lots < 0 ? -p.lots : p.lots;
    return {
      accountId: entry.acc.id,
      symbol: inst.symbol,
      size: inst.formatSize(p.lots),
      entryPrice: entryPrice(p),
      markPrice: inst.formatPrice(mark),
      notional: formatCash(BigInt(abs) * BigInt(mark) * inst.tickLotAtoms),
      unrealizedPnl: formatCash(p.unrealized(mark)),
      realizedPnl: formatCash(p.realized),
      fees: formatCash(p.fees),
      funding: formatCash(p.funding),
      initialMargin: formatCash(p.initialMargin(mark)),
      maintenanceMargin: formatCash(p.maintenanceMargin(mark)),
      leverage: formatScaled(
        (p.leverage.num * pow10(8)) / p.leverage.den,
        8,
      ),
    };
  }

  /**
   * An account's collateral, equity and margin.
   *
   * @param accountId The account.
   * @returns The balance.
   * @throws {NotFoundError} If the account does not exist.
   */
  balance(accountId: string): BalanceView {
    this.sync();
    const acc = this.#entry(accountId).acc;
    const equity = this.#equity(acc);
    const im = this.#initialMargin(acc);
    let realized = 0n;
    let fees = 0n;
    let funding = 0n;
    for (const p of acc.positions.values()) {
      realized += p.realized;
      fees += p.fees;
      funding += p.funding;
    }
    return {
      accountId,
      collateral: formatCash(acc.cash),
      unrealizedPnl: formatCash(equity - acc.cash),
      equity: formatCash(equity),
      initialMargin: formatCash(im),
      maintenanceMargin: formatCash(this.#maintenanceMargin(acc)),
      availableBalance: formatCash(equity - im),
      deposited: formatCash(acc.deposited),
      realizedPnl: formatCash(realized),
      fees: formatCash(fees),
      funding: formatCash(funding),
    };
  }

  /**
   * An account's retained fills (the newest `retention.fills`), oldest first.
   *
   * @param accountId The account.
   * @param symbol Only this market. @default {every market}
   * @returns The fills.
   */
  fills(accountId: string, symbol?: string): FillView[] {
    this.sync();
    const fills = this.#entry(accountId).fills.toArray();
    return symbol === undefined ? fills : fills.filter((f) => f.symbol === symbol);
  }

  /**
   * Retained public trades of a market (inside `retention.tradeWindowMs`, at most
   * `retention.trades`), oldest first.
   *
   * @param symbol The market.
   * @param limit Only the latest `limit`. @default {all}
   * @returns The trades.
   */
  trades(symbol: string, limit?: number): TradeView[] {
    this.sync();
    return this.#inst(symbol).trades.toArray(limit);
  }

  /**
   * Fees collected by the venue (taker + maker fees − rebates).
   *
   * @returns The amount.
   */
  feesCollected(): string {
    return formatCash(this.#fees);
  }

  /**
   * Aggregated book (L2).
   *
   * @param symbol The market.
   * @param depth Levels per side. @default {all}
   * @returns The book with the `book:<symbol>` sequence number it includes.
   */
  book(symbol: string, depth: number = Infinity): BookView {
    this.sync();
    const st = this.#inst(symbol);
    const inst = st.inst;
    const fmt = (
      [p, l]: [number, number],
    ): [string, string] => [inst.formatPrice(p), inst.formatSize(l)];
    return {
      symbol,
      bids: st.book.depth("buy", depth).map(fmt),
      asks: st.book.depth("sell", depth).map(fmt),
      seq: this.#log.lastSeq(st.bookStream),
      time: this.now(),
    };
  }

  /**
   * Order-by-order book (L3), best level first, orders in time priority.
   *
   * @param symbol The market.
   * @returns Bids and asks.
   */
  bookOrders(symbol: string): { bids: L3Level[]; asks: L3Level[] } {
    this.sync();
    const st = this.#inst(symbol);
    const inst = st.inst;
    const side = (s: Side): L3Level[] => {
      const out: L3Level[] = [];
      for (const level of st.book.levels(s)) {
        const orders: L3Level["orders"] = [];
        for (
          let o = level.head as OrderRecord | null;
          o !== null;
          o = o.next as OrderRecord | null
        ) {
          orders.push({
            id: String(o.id),
            clientOrderId: o.clientOrderId,
            accountId: o.entry.acc.id,
            size: inst.formatSize(o.remainingLots),
          });
        }
        out.push({
          price: inst.formatPrice(level.price),
          size: inst.formatSize(level.lots),
          orders,
        });
      }
      return out;
    };
    return { bids: side("buy"), asks: side("sell") };
  }

  /**
   * Best bid and ask in ticks (undefined when a side is empty).
   *
   * @param symbol The market.
   * @returns The prices.
   */
  topTicks(symbol: string): { bid: number | undefined; ask: number | undefined } {
    const book = this.#inst(symbol).book;
    return { bid: book.bestBid(), ask: book.bestAsk() };
  }

  // ---------------------------------------------------------------- funding

  /**
   * Replaces a market's funding-rate source.
   *
   * @param symbol The market.
   * @param source The source, or undefined for the premium rate.
   */
  setFundingRates(symbol: string, source: FundingRateSource | undefined): void {
    this.#inst(symbol).funding = source;
  }

  /**
   * Retained settlements of a market (the newest `retention.funding`), oldest first.
   *
   * @param symbol The market.
   * @returns The settlements.
   */
  fundingHistory(symbol: string): FundingSettlement[] {
    this.sync();
    return this.#inst(symbol).settlements.toArray();
  }

  /**
   * Retained funding payments of an account (the newest `retention.funding`), oldest first.
   *
   * @param accountId The account.
   * @param symbol Only this market. @default {every market}
   * @returns The payments.
   */
  fundingPayments(accountId: string, symbol?: string): SimFundingPayment[] {
    this.sync();
    const p = this.#entry(accountId).payments.toArray();
    return symbol === undefined ? p : p.filter((x) => x.symbol === symbol);
  }

  #scheduleFunding(st: InstState): void {
    const interval = st.inst.fundingIntervalMs;
    const now = this.now();
    const base = Number.isFinite(now) ? now : 0;
    const next = (Math.floor(base / interval) + 1) * interval;
    this.#heap.push(next, () => {
      this.#settleFunding(st, next);
      this.#scheduleFunding(st);
    });
  }

  /**
   * The next funding settlement of a market and the rate it would use at current prices.
   *
   * @param symbol The market.
   * @returns Settlement time (ms), rate per interval (positive ⇒ longs pay) and interval hours.
   */
  nextFunding(symbol: string): { time: number; rate: string; intervalHours: number } {
    this.sync();
    const st = this.#inst(symbol);
    const interval = st.inst.fundingIntervalMs;
    const time = (Math.floor(this.now() / interval) + 1) * interval;
    return {
      time,
      rate: st.inst.formatRate(this.#fundingRateUnits(st, time)),
      intervalHours: st.inst.fundingIntervalHours,
    };
  }

  #fundingRateUnits(st: InstState, time: number): bigint {
    const inst = st.inst;
    const scripted = st.funding?.(time, inst.symbol);
    if (scripted !== undefined) return inst.rateToUnits(scripted);
    const mark = this.#ref(st);
    if (!(st.index > 0 && mark > 0)) return 0n;
    let rate = (BigInt(mark - st.index) * pow10(inst.fundingRateDecimals)) / BigInt(st.index);
    if (rate > inst.fundingCapUnits) rate = inst.fundingCapUnits;
    if (rate < -inst.fundingCapUnits) rate = -inst.fundingCapUnits;
    return rate;
  }

  #settleFunding(st: InstState, time: number): void {
    const inst = st.inst;
    const mark = this.#ref(st);
    const rate = this.#fundingRateUnits(st, time);
    const rateStr = inst.formatRate(rate);
    const markStr = inst.formatPrice(mark);
    let paid = 0n;
    let received = 0n;
    let accounts = 0;
    for (const entry of this.#accounts.values()) {
      const p = entry.acc.positions.get(inst.symbol);
      if (p === undefined || p.lots === 0) continue;
      accounts++;
      // Positive rate: longs pay shorts.
      const amount = -BigInt(p.lots) * BigInt(mark) * rate * inst.fundingAtoms;
      entry.acc.cash += amount;
      p.funding += amount;
      if (amount < 0n) paid -= amount;
      else received += amount;
      const payment: SimFundingPayment = {
        accountId: entry.acc.id,
        symbol: inst.symbol,
        time,
        rate: rateStr,
        positionSize: inst.formatSize(p.lots),
        markPrice: markStr,
        amount: formatCash(amount),
      };
      entry.payments.push(payment);
      this.#emit(entry.paymentsStream, { type: "funding_payment", payment });
      if (amount !== 0n) this.#emitBalance(entry, amount, "funding");
    }
    const settlement: FundingSettlement = {
      symbol: inst.symbol,
      time,
      rate: rateStr,
      markPrice: markStr,
      indexPrice: inst.formatPrice(st.index),
      paid: formatCash(paid),
      received: formatCash(received),
      accounts,
    };
    st.settlements.push(settlement);
    this.#emit(st.fundingStream, { type: "funding", settlement });
    this.#checkLiquidations();
  }

  // ---------------------------------------------------------------- liquidation

  #checkLiquidations(): void {
    for (const entry of this.#accounts.values()) {
      const acc = entry.acc;
      if (acc.unlimitedMargin) continue;
      let open = false;
      for (const p of acc.positions.values()) {
        if (p.lots !== 0) {
          open = true;
          break;
        }
      }
      if (!open) continue;
      if (this.#equity(acc) < this.#maintenanceMargin(acc)) this.#liquidate(entry);
    }
  }

  /**
   * Liquidates an account: cancels its orders, transfers every position to the backstop
   * account at the mark price (no fee) and lets the backstop absorb a negative balance.
   */
  #liquidate(entry: AccountEntry): void {
    const backstop = this.#accounts.get(this.backstopAccountId)!;
    const touched = new Set<InstState>();
    for (const order of [...entry.active.values()]) {
      this.#cancelResting(order, "liquidation");
      touched.add(order.st);
    }
    for (const st of touched) this.#flushBook(st);
    const now = this.now();
    for (const p of entry.acc.positions.values()) {
      if (p.lots === 0) continue;
      const st = this.#insts.get(p.instrument.symbol)!;
      const inst = st.inst;
      const price = this.#ref(st);
      const lots = p.lots;
      const bp = backstop.acc.position(inst);
      const realized = p.apply(-lots, price);
      const realizedB = bp.apply(lots, price);
      entry.acc.cash += realized;
      backstop.acc.cash += realizedB;
      const tradeId = String(++this.#tradeSeq);
      const priceStr = inst.formatPrice(price);
      const sizeStr = inst.formatSize(lots < 0 ? -lots : lots);
      const side: Side = lots > 0 ? "sell" : "buy";
      const trade: TradeView = {
        tradeId,
        symbol: inst.symbol,
        price: priceStr,
        size: sizeStr,
        takerSide: side,
        time: now,
        liquidation: true,
      };
      this.#keepTrade(st, trade);
      this.#emit(st.tradesStream, {
        type: "trade",
        symbol: inst.symbol,
        tradeId,
        price: priceStr,
        size: sizeStr,
        takerSide: side,
        makerOrderId: "",
        takerOrderId: "",
        liquidation: true,
      });
      for (
        const [e, s, r, liq] of [[entry, side, realized, "taker"], [
          backstop,
          side === "buy" ? "sell" : "buy",
          realizedB,
          "maker",
        ]] as const
      ) {
        const fill: FillView = {
          tradeId,
          accountId: e.acc.id,
          orderId: "",
          clientOrderId: "",
          symbol: inst.symbol,
          side: s,
          price: priceStr,
          size: sizeStr,
          fee: "0",
          realizedPnl: formatCash(r),
          liquidity: liq,
          liquidation: true,
          time: now,
        };
        e.fills.push(fill);
        this.#emit(e.fillsStream, { type: "fill", fill });
      }
      this.#emitPosition(entry, p);
      this.#emitPosition(backstop, bp);
      if (realized !== 0n) this.#emitBalance(entry, realized, "liquidation");
      if (realizedB !== 0n) this.#emitBalance(backstop, realizedB, "liquidation");
    }
    let deficit = 0n;
    if (entry.acc.cash < 0n) {
      deficit = -entry.acc.cash;
      entry.acc.cash = 0n;
      backstop.acc.cash -= deficit;
      this.#emitBalance(entry, deficit, "liquidation");
      this.#emitBalance(backstop, -deficit, "liquidation");
    }
    this.#emit("liquidations", {
      type: "liquidation",
      accountId: entry.acc.id,
      deficit: formatCash(deficit),
    });
  }
}

function reduceCap(order: OrderRecord): number {
  const pos = order.state.lots;
  if (order.side === "buy") return pos < 0 ? -pos : 0;
  return pos > 0 ? pos : 0;
}

function average(inst: Instrument, value: bigint, lots: number): string {
  const l = BigInt(lots);
  if (value % l === 0n) return inst.formatPrice(Number(value / l));
  const scaled = (value * BigInt(inst.tickUnits) * pow10(AVG_EXTRA_DECIMALS)) / l;
  return formatScaled(scaled, inst.priceDecimals + AVG_EXTRA_DECIMALS);
}

function entryPrice(p: PositionState): string | undefined {
  if (p.lots === 0) return undefined;
  const abs = p.cost < 0n ? -p.cost : p.cost;
  return average(p.instrument, abs, p.lots < 0 ? -p.lots : p.lots);
}
