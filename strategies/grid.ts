/**
 * The grid ("volume") strategy of the original bot, on the venue-independent
 * {@linkcode ExchangeClient}:
 *
 * 1. open a post-only order one tick inside the spread (buy at ask − tick, sell at bid + tick),
 *    with a fresh price on each post-only rejection (capped);
 * 2. wait for the fill on the order-event stream; keep a resting open order while it is still
 *    competitive, cancel and re-place it (chase) once the market moves away;
 * 3. on a fill (or a partial fill then cancel) place ONE take-profit close of exactly the filled
 *    size at fill price × (1 ± tp %), quantized to the tick away from the market and kept maker;
 * 4. between opens, a cooldown of ¼, ½, 1 or 2 × wait-time by how full the grid is, skipped
 *    right after a take-profit fill; a grid-step check against the nearest close order; stop and
 *    pause prices on the ask (buys) or bid (sells);
 * 5. once per cycle and at least every 60 s the exposure guard: position against Σ resting
 *    take-profits (plus the filled part of the open in progress and of queued opens that no
 *    accepted take-profit covers yet, {@linkcode unhedgedSize}); an unexplained difference of
 *    one quantity or more, confirmed by a second reading, is notified and then repaired (the
 *    missing take-profit is placed) or stops the bot, per `onMismatch`; every 60 s a status line.
 *
 * The market (tick, size step, minimum size) is read again for every new open cycle and before
 * every take-profit is priced: a tick can change with the price (Hyperliquid's prices carry five
 * significant figures), so nothing is priced on the tick read at start.
 *
 * Silence: while an open rests, its state is also read over REST — every `chaseCheckMs` while
 * the client's streams are healthy and every `unhealthyPollMs` while one reports `reconnecting`
 * or `disconnected` — so a take-profit goes out within seconds of a fill whatever the private
 * stream does. A quote flagged `stale` (the venue's book silent past its maximum, or resyncing)
 * or older than `maxBookAgeMs` (by its `receivedAt`) is never used to price an order.
 *
 * Restart safety: the strategy keeps no state the venue does not hold. Order ids are derived
 * ({@linkcode deriveClientOrderId}) from a key that does not depend on what happened while the
 * bot was down:
 *
 * - open orders: `<idPrefix>/open/<n>`, `n` = 0, 1, 2 … one sequence over every run. A start
 *   finds the first `n` the venue has never seen by looking ids up (gallop + bisection, with a
 *   look-ahead over the holes left by sends that never arrived), so a restart continues the
 *   sequence and never reuses a number the venue knows;
 * - take-profits: `<idPrefix>/close/<open id>/<attempt>`, a pure function of their open.
 *
 * On start the bot adopts its resting open order (found by id, not by side), and every one of
 * its last opens that filled (terminal, filled size > 0) whose accepted take-profits under its
 * close ids do not cover its filled size is queued and gets one (or the rest, for a take-profit
 * that ended part-filled) — the venue refuses a second copy of an id, so it goes out exactly
 * once. An open whose take-profit rests or has filled is not queued. Because the grid runs one
 * cycle at a time (a new open only after the previous one's take-profit was accepted), only the
 * newest few opens can lack one; the exposure guard covers anything older. Ids cannot collide
 * across restarts (the sequence continues from the venue's own record) nor between bots with
 * different `idPrefix` (a SHA-256 of the whole key, in the venue's id range). Two bots with the SAME prefix (one account, symbol and direction) are not
 * safe — they share one sequence and one set of take-profits — and neither are two grids on
 * one account and symbol (their positions net): a start refuses when an open-side order rests
 * on the symbol that this bot did not send, and the exposure guard reports the rest.
 *
 * Fixed on purpose compared with the original (originals.md §7): opens are post-only on every
 * venue, the post-only retry is capped, the close price is the filled limit price ± tp (never
 * placed before the fill), the stop comparisons are the upstream ones, and a mismatch needs two
 * readings.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { getLogger } from "@logtape/logtape";
import {
  type BestBidAsk,
  type Clock,
  ConfigurationError,
  Decimal,
  type DecimalInput,
  DuplicateClientOrderIdError,
  type ExchangeClient,
  type Market,
  NotFoundError,
  type Order,
  type OrderBookSubscription,
  OrderRejectedError,
  PostOnlyWouldCrossError,
  RateLimitedError,
  redact,
  type Side,
} from "../base.ts";
import {
  type ClientOrderIdVenue,
  deriveClientOrderId,
} from "../exchanges/_shared/client_order_id.ts";
import { systemClock } from "../exchanges/_shared/clock.ts";
import { isMultipleOf, quantize } from "../exchanges/_shared/quantize.ts";
import { isTerminal, OrderTracker } from "./order_tracker.ts";
import type { Strategy, StrategyStep } from "./runner.ts";
import { formatPnl, type PnlTracker } from "./pnl.ts";
import type { TradeLog } from "./trade_log.ts";

/**
 * The side of the take-profit orders: the other side of the opens.
 *
 * @param direction Side of the opens.
 * @returns The close side.
 *
 * @example
 * ```ts
 * import { closeSideOf } from "./grid.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(closeSideOf("buy"), "sell");
 * equal(closeSideOf("sell"), "buy");
 * ```
 */
export function closeSideOf(direction: Side): Side {
  return direction === "buy" ? "sell" : "buy";
}

/**
 * The open price: one tick inside the spread from the far side (buy at ask − tick, sell at
 * bid + tick), the most aggressive price that still rests (GRVT and EdgeX in the original).
 *
 * @param quote Best bid and ask.
 * @param tick Tick size.
 * @param direction Side of the open.
 * @returns The limit price.
 *
 * @example
 * ```ts
 * import { openOrderPrice } from "./grid.ts";
 * import { Decimal } from "../base.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const q = { bid: new Decimal("100.0"), ask: new Decimal("100.5") };
 * equal(openOrderPrice(q, new Decimal("0.1"), "buy").toString(), "100.4");
 * equal(openOrderPrice(q, new Decimal("0.1"), "sell").toString(), "100.1");
 * ```
 */
export function openOrderPrice(
  quote: Pick<BestBidAsk, "bid" | "ask">,
  tick: Decimal,
  direction: Side,
): Decimal {
  return direction === "buy" ? quote.ask.minus(tick) : quote.bid.plus(tick);
}

/**
 * The take-profit price: fill price × (1 + tp/100) for a sell close (buy grid), × (1 − tp/100)
 * for a buy close (sell grid), quantized to the tick away from the market so the profit is at
 * least `tp` percent.
 *
 * @param fillPrice Price the open filled at.
 * @param takeProfitPercent Percent: `0.02` means 0.02 %.
 * @param tick Tick size.
 * @param direction Side of the opens.
 * @returns The close price.
 *
 * @example
 * ```ts
 * import { takeProfitPrice } from "./grid.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(takeProfitPrice("64000", "0.02", "0.1", "buy").toString(), "64012.8");
 * equal(takeProfitPrice("64000", "0.02", "0.1", "sell").toString(), "63987.2");
 * ```
 */
export function takeProfitPrice(
  fillPrice: DecimalInput,
  takeProfitPercent: DecimalInput,
  tick: DecimalInput,
  direction: Side,
): Decimal {
  const ratio = new Decimal(takeProfitPercent).div(100);
  const fill = new Decimal(fillPrice);
  return direction === "buy"
    ? quantize(fill.times(ratio.plus(1)), tick, "up")
    : quantize(fill.times(new Decimal(1).minus(ratio)), tick, "down");
}

/**
 * Keeps a close order on the maker side: a sell at or below the bid moves to bid + tick, a buy
 * at or above the ask moves to ask − tick.
 *
 * @param price Wanted price.
 * @param quote Best bid and ask.
 * @param tick Tick size.
 * @param closeSide Side of the close order.
 * @returns The price to post.
 *
 * @example
 * ```ts
 * import { makerPrice } from "./grid.ts";
 * import { Decimal } from "../base.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const q = { bid: new Decimal(100), ask: new Decimal(101) };
 * equal(makerPrice(new Decimal(99), q, new Decimal(1), "sell").toString(), "101");
 * equal(makerPrice(new Decimal(102), q, new Decimal(1), "buy").toString(), "100");
 * equal(makerPrice(new Decimal(103), q, new Decimal(1), "sell").toString(), "103");
 * ```
 */
export function makerPrice(
  price: Decimal,
  quote: Pick<BestBidAsk, "bid" | "ask">,
  tick: Decimal,
  closeSide: Side,
): Decimal {
  if (closeSide === "sell" && price.lte(quote.bid)) return quote.bid.plus(tick);
  if (closeSide === "buy" && price.gte(quote.ask)) return quote.ask.minus(tick);
  return price;
}

/**
 * The cooldown ladder: wait-time × ¼ below 1/6 of the grid, ½ from 1/6, 1 from 1/3, 2 from 2/3
 * (`count / maxOrders`).
 *
 * @param closeCount Resting close orders.
 * @param maxOrders Grid size.
 * @param waitTimeSec Base wait, seconds.
 * @returns The cooldown in milliseconds.
 *
 * @example
 * ```ts
 * import { cooldownMs } from "./grid.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 * deepEqual([0, 7, 14, 27].map((n) => cooldownMs(n, 40, 400)), [100_000, 200_000, 400_000, 800_000]);
 * ```
 */
export function cooldownMs(closeCount: number, maxOrders: number, waitTimeSec: number): number {
  const w = waitTimeSec * 1_000;
  // Compare count/max against 2/3, 1/3 and 1/6 in integers.
  if (closeCount * 3 >= maxOrders * 2) return 2 * w;
  if (closeCount * 3 >= maxOrders) return w;
  if (closeCount * 6 >= maxOrders) return w / 2;
  return w / 4;
}

/**
 * The grid-step check: a new open is allowed when its take-profit (from the current best price)
 * is more than `gridStep` percent away from the nearest resting close order. `-100` (or less)
 * always allows.
 *
 * @param options Direction, close prices, quote, take-profit and grid step (percents).
 * @returns Whether to open.
 *
 * @example
 * ```ts
 * import { gridStepAllows } from "./grid.ts";
 * import { Decimal } from "../base.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const quote = { bid: new Decimal(99), ask: new Decimal(100) };
 * // New TP at 100 × 1.01 = 101; nearest close 101.5 is 0.495 % above it.
 * const closePrices = [new Decimal("101.5")];
 * equal(gridStepAllows({ direction: "buy", closePrices, quote, takeProfit: "1", gridStep: "0.5" }), false);
 * equal(gridStepAllows({ direction: "buy", closePrices, quote, takeProfit: "1", gridStep: "0.4" }), true);
 * ```
 */
export function gridStepAllows(options: {
  direction: Side;
  closePrices: readonly Decimal[];
  quote: Pick<BestBidAsk, "bid" | "ask">;
  takeProfit: DecimalInput;
  gridStep: DecimalInput;
}): boolean {
  const { direction, closePrices, quote } = options;
  if (closePrices.length === 0) return true;
  const tp = new Decimal(options.takeProfit).div(100);
  const threshold = new Decimal(options.gridStep).div(100).plus(1);
  if (direction === "buy") {
    const next = closePrices.reduce((a, b) => (b.lt(a) ? b : a));
    const newTp = quote.ask.times(tp.plus(1));
    return next.div(newTp).gt(threshold);
  }
  const next = closePrices.reduce((a, b) => (b.gt(a) ? b : a));
  const newTp = quote.bid.times(new Decimal(1).minus(tp));
  return newTp.div(next).gt(threshold);
}

/**
 * A filled open whose take-profit may not all be out yet (the open in progress, or one queued
 * for its take-profit), as the exposure guard counts it.
 *
 * @example
 * ```ts
 * import type { InFlightOpen } from "./grid.ts";
 * const o: InFlightOpen = { filled: "0.01", covered: "0.004" };
 * ```
 */
export interface InFlightOpen {
  /** The open's filled size. */
  filled: DecimalInput;
  /**
   * What the take-profits the venue accepted under the open's close ids cover: the size of each
   * one still resting plus the filled part of each finished one.
   */
  covered: DecimalInput;
}

/**
 * The exposure guard's arithmetic: the position (signed in the grid's direction) minus the
 * resting take-profits minus the part of each filled open in flight that no accepted
 * take-profit covers yet (`max(0, filled − covered)`; a take-profit that already rests is in
 * `restingCloses` and must not be counted again as in flight).
 *
 * @param options `position` is the venue's signed position (long > 0, short < 0);
 * `restingCloses` the Σ remaining size of the resting take-profits; `inFlight` the filled opens
 * in progress or queued.
 * @returns > 0: position without a take-profit; < 0: take-profits beyond the position.
 *
 * @example
 * ```ts
 * import { unhedgedSize } from "./grid.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * // A buy grid long 0.02: one take-profit of 0.01 rests, a queued filled open of 0.01 already
 * // has it (covered) — nothing is unhedged.
 * const covered = { filled: "0.01", covered: "0.01" };
 * equal(unhedgedSize({ direction: "buy", position: "0.02", restingCloses: "0.02", inFlight: [covered] }).toString(), "0");
 * // The same open without its take-profit: in flight, still nothing unhedged.
 * const bare = { filled: "0.01", covered: "0" };
 * equal(unhedgedSize({ direction: "buy", position: "0.02", restingCloses: "0.01", inFlight: [bare] }).toString(), "0");
 * // A sell grid short 0.01 with nothing resting or in flight: 0.01 unhedged.
 * equal(unhedgedSize({ direction: "sell", position: "-0.01", restingCloses: "0", inFlight: [] }).toString(), "0.01");
 * ```
 */
export function unhedgedSize(options: {
  direction: Side;
  position: DecimalInput;
  restingCloses: DecimalInput;
  inFlight: readonly InFlightOpen[];
}): Decimal {
  const position = new Decimal(options.position);
  const signed = options.direction === "buy" ? position : position.neg();
  let inFlight = new Decimal(0);
  for (const o of options.inFlight) {
    const open = new Decimal(o.filled).minus(o.covered);
    if (open.gt(0)) inFlight = inFlight.plus(open);
  }
  return signed.minus(options.restingCloses).minus(inFlight);
}

/**
 * Options of {@linkcode GridStrategy}: the bot's flags plus the loop's timings.
 *
 * @example
 * ```ts
 * import type { GridOptions } from "./grid.ts";
 * const o: GridOptions = { symbol: "BTC", quantity: "0.01", takeProfit: "0.02", direction: "buy" };
 * ```
 */
export interface GridOptions {
  /** Unified symbol. */
  symbol: string;
  /** Size of every open order. */
  quantity: DecimalInput;
  /** Take-profit in percent (`0.02` = 0.02 %). */
  takeProfit: DecimalInput;
  /** Side of the opens. */
  direction: Side;
  /** Most resting close orders. @default {40} */
  maxOrders?: number;
  /** Base cooldown in seconds. @default {450} */
  waitTimeSec?: number;
  /** Grid step in percent; -100 disables. @default {"-100"} */
  gridStep?: DecimalInput;
  /** Stop price; -1 disables. @default {"-1"} */
  stopPrice?: DecimalInput;
  /** Pause price; -1 disables. @default {"-1"} */
  pausePrice?: DecimalInput;
  /** Cancel resting opens (never closes) on stop. @default {false} */
  cancelOnExit?: boolean;
  /** Key prefix of derived order ids; must be stable across restarts. @default {"venue/SYMBOL/direction"} */
  idPrefix?: string;
  /** Message prefix. @default {"VENUE_SYMBOL"} */
  label?: string;
  /** First wait for a fill (ms). @default {10000} */
  fillWaitMs?: number;
  /** Re-check period of a resting open order (ms). @default {5000} */
  chaseCheckMs?: number;
  /** Wait for a cancel to be confirmed before asking (ms). @default {5000} */
  cancelWaitMs?: number;
  /** Period of the status line and mismatch guard (ms). @default {60000} */
  statusIntervalMs?: number;
  /** Delay before the second reading of a mismatch (ms). @default {3000} */
  mismatchRecheckMs?: number;
  /** Sleep while paused (ms). @default {5000} */
  pauseMs?: number;
  /** Sleep between checks while cooling down (ms). @default {1000} */
  idleMs?: number;
  /** Post-only attempts per order before giving up (GRVT HEAD caps at 15). @default {15} */
  maxPostOnlyAttempts?: number;
  /**
   * What a confirmed exposure mismatch does: `repair` notifies, then places the missing
   * take-profit (a position larger than the take-profits; take-profits larger than the
   * position always stop), `stop` notifies and stops. @default {"repair"}
   */
  onMismatch?: MismatchAction;
  /**
   * Oldest quote (by its `receivedAt`) an order may be priced from (ms), on top of the book's
   * own `stale` flag (each venue client's live book turns stale after its venue's maximum
   * silence, a few seconds; the paper client's engine book only when asked). @default {Infinity}
   */
  maxBookAgeMs?: number;
  /** REST poll period of a resting open while a stream reports trouble (ms). @default {1500} */
  unhealthyPollMs?: number;
}

/**
 * What the exposure guard does once a mismatch is confirmed (the bot's `--on-mismatch`).
 *
 * @example
 * ```ts
 * import type { MismatchAction } from "./grid.ts";
 * const a: MismatchAction = "repair";
 * ```
 */
export type MismatchAction = "repair" | "stop";

/**
 * What the strategy talks to.
 *
 * @example
 * ```ts
 * import type { GridDependencies } from "./grid.ts";
 * const deps: Partial<GridDependencies> = { notify: (text) => Promise.resolve(console.log(text)) };
 * ```
 */
export interface GridDependencies {
  /** The venue. */
  client: ExchangeClient;
  /** Time. @default {systemClock} */
  clock?: Clock;
  /** Sends a notification (Telegram / Lark); must not throw. */
  notify?: (text: string) => Promise<unknown>;
  /** The CSV trade log. */
  tradeLog?: TradeLog;
  /**
   * The run's PnL split (fed with the client's fills by its owner); the status line shows it
   * and the guard's position reads update its unrealized part. Without it the status line shows
   * the change in equity.
   */
  pnl?: PnlTracker;
}

interface Cycle {
  clientOrderId: string;
  price: Decimal;
  /** Clock time the cycle began (sent or adopted). */
  since: number;
  /** First 10 s wait for a fill done. */
  waited: boolean;
  /** A close may already have been sent (after an error or a restart): look before sending. */
  closeTried: boolean;
  /** The open's outcome was logged. */
  logged: boolean;
}

type Quote = Pick<BestBidAsk, "bid" | "ask">;

function idVenue(venue: string): ClientOrderIdVenue {
  return venue === "grvt" || venue === "lighter" || venue === "edgex" || venue === "hyperliquid"
    ? venue
    : "edgex";
}

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

const OFF = new Decimal(-1);
/** Consecutive unused sequence numbers a start looks past (sends lost in a crash). */
const SEQ_HOLE = 3;
/** Sequence numbers below the next one whose orders a start may adopt or close. */
const RECOVERY_LOOKBACK = 40;
/** Existing opens (newest first) a start checks for a missing take-profit. */
const RECOVERY_OPENS = 3;

/** LogTape reads `{name}` as a placeholder; our messages are already complete text. */
function escapeBraces(text: string): string {
  return text.replace(/[{}]/g, (c) => c + c);
}

/**
 * The grid strategy (see the module documentation for the loop).
 *
 * @example Two minutes of virtual market on the simulator
 * ```ts
 * import { ManualClock } from "../exchanges/_shared/clock.ts";
 * import { startSimVenue } from "../sim/network.ts";
 * import { GridStrategy } from "./grid.ts";
 * import { runStrategy } from "./runner.ts";
 *
 * const clock = new ManualClock(Date.UTC(2026, 0, 1));
 * const sim = await startSimVenue("grvt", { clock });
 * const client = sim.client();
 * const grid = new GridStrategy(
 *   { symbol: "BTC", quantity: "0.01", takeProfit: "0.02", direction: "buy" },
 *   { client, clock },
 * );
 * const stop = new AbortController();
 * const running = runStrategy(grid, { clock, signal: stop.signal });
 * await clock.advance(120_000);
 * stop.abort();
 * await clock.advance(60_000);
 * await running;
 * console.log(grid.stats);
 * await client.disconnect();
 * await sim.close();
 * ```
 */
export class GridStrategy implements Strategy {
  /** Strategy name. */
  readonly name: string = "grid";
  /** Counters, for status lines and tests. */
  readonly stats: {
    opensPlaced: number;
    opensFilled: number;
    closesPlaced: number;
    tpFills: number;
    /** Take-profits placed by the exposure guard (repairs). */
    repairs: number;
    /** Open orders whose missing take-profit a start placed. */
    recovered: number;
    /**
     * Filled opens queued for a missing or short take-profit: found at start (an open whose
     * accepted take-profits already cover its filled size is not queued), or behind an open id
     * the venue already held.
     */
    queued: number;
  } = {
    opensPlaced: 0,
    opensFilled: 0,
    closesPlaced: 0,
    tpFills: 0,
    repairs: 0,
    recovered: 0,
    queued: 0,
  };
  readonly #client: ExchangeClient;
  readonly #clock: Clock;
  readonly #notify: (text: string) => Promise<unknown>;
  readonly #tradeLog: TradeLog | undefined;
  readonly #pnl: PnlTracker | undefined;
  readonly #symbol: string;
  readonly #direction: Side;
  readonly #closeSide: Side;
  readonly #quantity: Decimal;
  readonly #takeProfit: Decimal;
  readonly #maxOrders: number;
  readonly #waitTimeSec: number;
  readonly #gridStep: Decimal;
  readonly #stopPrice: Decimal;
  readonly #pausePrice: Decimal;
  readonly #cancelOnExit: boolean;
  readonly #prefix: string;
  readonly #label: string;
  readonly #t: Required<
    Pick<
      GridOptions,
      | "fillWaitMs"
      | "chaseCheckMs"
      | "cancelWaitMs"
      | "statusIntervalMs"
      | "mismatchRecheckMs"
      | "pauseMs"
      | "idleMs"
      | "maxPostOnlyAttempts"
      | "maxBookAgeMs"
      | "unhealthyPollMs"
    >
  >;
  readonly #onMismatch: MismatchAction;
  readonly #log = getLogger(["perp", "bot", "grid"]);
  #market: Market | undefined;
  #book: OrderBookSubscription | undefined;
  #tracker: OrderTracker | undefined;
  #current: Cycle | undefined;
  #lastCloseOrders = 0;
  #lastOpenTime = 0;
  #lastStatusAt = -Infinity;
  #chaseNext = false;
  #paused = false;
  #noQuoteSince = 0;
  #noQuoteWarned = false;
  #rejectedUntil = 0;
  #startEquity: Decimal | undefined;
  /** Next open sequence number; found from the venue at start. */
  #nextSeq = 0;
  /** Filled opens found at start whose take-profit must be checked / placed. */
  #pending: Cycle[] = [];
  /** Streams that reported `reconnecting` / `disconnected` and not `connected` since. */
  #unhealthy = new Set<string>();
  #offEvents: (() => void) | undefined;
  #guardDue = true;
  #stopping = false;

  /**
   * Creates the strategy (nothing is sent until `start`).
   *
   * @param options The grid's settings.
   * @param deps Client, clock, notifications and trade log.
   * @throws {RangeError} If a setting is out of range.
   */
  constructor(options: GridOptions, deps: GridDependencies) {
    this.#client = deps.client;
    this.#clock = deps.clock ?? systemClock;
    this.#notify = deps.notify ?? (() => Promise.resolve());
    this.#tradeLog = deps.tradeLog;
    this.#pnl = deps.pnl;
    this.#symbol = options.symbol;
    this.#direction = options.direction;
    this.#closeSide = closeSideOf(options.direction);
    this.#quantity = new Decimal(options.quantity);
    this.#takeProfit = new Decimal(options.takeProfit);
    this.#maxOrders = options.maxOrders ?? 40;
    this.#waitTimeSec = options.waitTimeSec ?? 450;
    this.#gridStep = new Decimal(options.gridStep ?? "-100");
    this.#stopPrice = new Decimal(options.stopPrice ?? "-1");
    this.#pausePrice = new Decimal(options.pausePrice ?? "-1");
    this.#cancelOnExit = options.cancelOnExit ?? false;
    if (!this.#quantity.gt(0)) throw new RangeError("'quantity' must be positive");
    if (!this.#takeProfit.gt(0)) throw new RangeError("'takeProfit' must be positive");
    if (!(Number.isInteger(this.#maxOrders) && this.#maxOrders > 0)) {
      throw new RangeError("'maxOrders' must be a positive integer");
    }
    const venue = deps.client.venue;
    this.#prefix = options.idPrefix ?? `${venue}/${options.symbol}/${options.direction}`;
    this.#label = options.label ?? `${venue.toUpperCase()}_${options.symbol}`;
    this.#t = {
      fillWaitMs: options.fillWaitMs ?? 10_000,
      chaseCheckMs: options.chaseCheckMs ?? 5_000,
      cancelWaitMs: options.cancelWaitMs ?? 5_000,
      statusIntervalMs: options.statusIntervalMs ?? 60_000,
      mismatchRecheckMs: options.mismatchRecheckMs ?? 3_000,
      pauseMs: options.pauseMs ?? 5_000,
      idleMs: options.idleMs ?? 1_000,
      maxPostOnlyAttempts: options.maxPostOnlyAttempts ?? 15,
      maxBookAgeMs: options.maxBookAgeMs ?? Infinity,
      unhealthyPollMs: options.unhealthyPollMs ?? 1_500,
    };
    this.#onMismatch = options.onMismatch ?? "repair";
    if (this.#onMismatch !== "repair" && this.#onMismatch !== "stop") {
      throw new RangeError("'onMismatch' must be 'repair' or 'stop'");
    }
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Connects, loads the market, subscribes to the book and rebuilds the cycle in progress from
   * the venue: a resting open order is adopted; a filled one whose close is missing gets it.
   *
   * @param _signal Unused: start-up is short and not interrupted half-way.
   * @returns Resolves when ready to trade.
   * @throws {ConfigurationError} If the quantity does not fit the market's size step / minimum.
   * @throws {NotFoundError} If the venue does not list the symbol.
   */
  async start(_signal?: AbortSignal): Promise<void> {
    const client = this.#client;
    await client.connect();
    this.#checkQuantity(await this.#readMarket());
    this.#tracker ??= new OrderTracker(client, this.#symbol, this.#clock);
    this.#tracker.onUpdate((o, prev) => this.#onOrderUpdate(o, prev));
    this.#offEvents ??= client.onEvent((e) => {
      if (e.type !== "connection") return;
      if (e.state === "connected") this.#unhealthy.delete(e.stream);
      else this.#unhealthy.add(e.stream);
    });
    this.#book ??= await client.subscribeOrderBook(this.#symbol);
    try {
      this.#startEquity = (await client.getBalance()).equity;
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    await this.#recover();
    const q = this.#quantity;
    this.#info(
      `Grid started on ${client.venue}: ${this.#direction} ${q} ${this.#symbol}, take-profit ` +
        `${this.#takeProfit} %, max ${this.#maxOrders} orders, wait ${this.#waitTimeSec} s, ` +
        `grid step ${this.#gridStep} %, stop ${this.#stopPrice}, pause ${this.#pausePrice}`,
    );
    await this.#notify(
      `INFO: [${this.#label}] Grid bot started: ${this.#direction} ${q} ${this.#symbol}, ` +
        `take-profit ${this.#takeProfit} %, max ${this.#maxOrders} orders`,
    );
  }

  /**
   * Reads the market again. Its tick can change with the price (Hyperliquid's prices carry five
   * significant figures), so every new open cycle and every take-profit is priced, and sized,
   * from a fresh read rather than the one made at start (the clients cache it cheaply).
   */
  async #readMarket(): Promise<Market> {
    const market = await this.#client.getMarket(this.#symbol);
    this.#market = market;
    return market;
  }

  #checkQuantity(market: Market): void {
    if (!isMultipleOf(this.#quantity, market.sizeStep) || this.#quantity.lt(market.minSize)) {
      throw new ConfigurationError(
        `--quantity ${this.#quantity} does not fit ${this.#symbol} on ${this.#client.venue}: it ` +
          `must be a multiple of ${market.sizeStep} and at least ${market.minSize}`,
        { venue: this.#client.venue },
      );
    }
  }

  async #recover(): Promise<void> {
    this.#pending = []; // a start that failed half-way and is tried again queues afresh
    const orders = await this.#client.getOpenOrders(this.#symbol);
    const closes = orders.filter((o) => o.side === this.#closeSide);
    this.#lastCloseOrders = closes.length;
    this.#nextSeq = await this.#probeNextSeq();
    // The ids this bot's recent opens carry (the look-back covers holes and post-only retries).
    const recent = new Map<string, number>();
    for (let n = this.#nextSeq - 1; n >= Math.max(0, this.#nextSeq - RECOVERY_LOOKBACK); n--) {
      recent.set(this.#openId(n), n);
    }
    const opens = orders.filter((o) => o.side === this.#direction);
    const foreign = opens.filter((o) => !recent.has(o.clientOrderId));
    if (foreign.length > 0) {
      throw new ConfigurationError(
        `${foreign.length} ${this.#direction} order(s) rest on ${this.#symbol} that this bot ` +
          `(id prefix '${this.#prefix}') did not send (client ids ` +
          `${foreign.slice(0, 3).map((o) => o.clientOrderId).join(", ")}): another bot or a ` +
          `manual order on this account and symbol; cancel them or run one bot per account ` +
          `and symbol`,
        { venue: this.#client.venue },
      );
    }
    const resting = opens.sort((a, b) => b.createdAt - a.createdAt)[0];
    let checked = 0;
    for (const [cid] of recent) {
      if (checked >= RECOVERY_OPENS) break;
      const o = resting?.clientOrderId === cid ? resting : await this.#lookup(cid);
      if (!o) continue; // a hole: that send never reached the venue
      checked++;
      const tracked = this.#tracker!.update(o);
      if (!isTerminal(tracked)) {
        if (this.#current) continue;
        this.#current = this.#cycleOf(tracked, true);
        this.#info(
          `Adopting resting open order ${o.id} (${o.side} ${o.size} @ ${o.price}, ` +
            `filled ${o.filledSize}) from a previous run`,
        );
        continue;
      }
      if (tracked.filledSize.isZero()) continue;
      // A filled open of this bot: its take-profit may not have gone out before the stop. It is
      // queued only when the take-profits accepted under its close ids (the look-up #placeClose
      // makes before sending) do not cover its filled size; #placeClose then sends the rest.
      const cycle = this.#cycleOf(tracked, true);
      cycle.logged = true;
      const { covered } = await this.#acceptedCloses(cycle);
      if (covered.gte(tracked.filledSize)) continue;
      this.#pending.push(cycle);
      this.stats.queued++;
    }
  }

  #cycleOf(o: Order, recovered: boolean): Cycle {
    return {
      clientOrderId: o.clientOrderId,
      price: o.price ?? new Decimal(0),
      since: this.#clock.now(),
      waited: recovered,
      closeTried: recovered,
      logged: false,
    };
  }

  /**
   * Stops gracefully: never opens again; with `cancelOnExit` cancels the resting open orders;
   * places the close of anything already filled; leaves every close order resting.
   *
   * @param reason Why (for the log).
   * @returns Resolves when done.
   */
  async stop(reason: string): Promise<void> {
    this.#stopping = true;
    const client = this.#client;
    try {
      const c = this.#current;
      if (c && this.#tracker && this.#market) {
        let o = this.#tracker.get(c.clientOrderId) ??
          await client.getOrder(this.#symbol, { clientOrderId: c.clientOrderId });
        if (o && !isTerminal(o) && this.#cancelOnExit) {
          await this.#cancelAndSettle(o);
          o = this.#tracker.get(c.clientOrderId) ?? o;
        }
        if (o && isTerminal(o)) {
          await this.#finishCycle(c, o);
        } else if (o) {
          this.#info(
            `Leaving open order ${o.id} resting (${o.side} ${o.size} @ ${o.price}); ` +
              `a restart adopts it`,
          );
        }
      }
      for (const p of this.#pending.splice(0)) {
        const o = this.#tracker?.get(p.clientOrderId);
        if (o && o.filledSize.gt(0)) await this.#placeClose(p, o.filledSize);
      }
      if (this.#cancelOnExit && this.#market) {
        for (const o of await client.getOpenOrders(this.#symbol)) {
          if (o.side !== this.#direction) continue;
          try {
            await client.cancelOrder(
              this.#symbol,
              o.id ? { id: o.id } : { clientOrderId: o.clientOrderId },
            );
            this.#info(`Canceled open order ${o.id} on exit`);
          } catch (error) {
            if (!(error instanceof NotFoundError)) throw error;
          }
        }
      }
      if (this.#market) {
        const closes = (await client.getOpenOrders(this.#symbol))
          .filter((o) => o.side === this.#closeSide);
        this.#info(`Stopped (${reason}); ${closes.length} take-profit orders left resting`);
      }
    } finally {
      this.#tracker?.close();
      this.#offEvents?.();
      await this.#book?.close();
    }
  }

  // ------------------------------------------------------------------ the loop

  /**
   * One pass of the original main loop (see the module documentation).
   *
   * @param signal Aborts waits (graceful shutdown).
   * @returns What to do next.
   */
  async step(signal: AbortSignal): Promise<StrategyStep> {
    const pending = this.#pending[0];
    if (pending) {
      // A filled open queued for its take-profit (found at start, or behind a duplicate open
      // id): its take-profit first (looked up before it is sent), before the cycle of an
      // adopted open. Until then the guard counts the part of its filled size that no accepted
      // take-profit covers as in flight.
      const o = this.#tracker!.get(pending.clientOrderId) ??
        await this.#client.getOrder(this.#symbol, { clientOrderId: pending.clientOrderId });
      if (o && o.filledSize.gt(0) && await this.#placeClose(pending, o.filledSize)) {
        this.stats.recovered++;
      }
      this.#pending.shift();
      this.#guardDue = true;
      return { kind: "continue", sleepMs: 0 };
    }
    if (this.#current) return await this.#runCycle(signal);
    this.#tracker?.prune();
    const client = this.#client;
    const now = this.#clock.now();
    const statusDue = now - this.#lastStatusAt >= this.#t.statusIntervalMs;
    if (statusDue || this.#guardDue) {
      if (statusDue) this.#lastStatusAt = now;
      this.#guardDue = false;
      if (await this.#statusAndGuard(signal, statusDue)) {
        return { kind: "stop", reason: "position mismatch", exitCode: 1 };
      }
    }
    const orders = await client.getOpenOrders(this.#symbol);
    const closes = orders.filter((o) => o.side === this.#closeSide);
    const idle: StrategyStep = { kind: "continue", sleepMs: this.#t.idleMs };

    const priceChecks = !this.#stopPrice.eq(OFF) || !this.#pausePrice.eq(OFF);
    let quote: Quote | undefined;
    if (priceChecks) {
      quote = await this.#quote();
      if (!quote) return idle;
      const ref = this.#direction === "buy" ? quote.ask : quote.bid;
      const beyond = (p: Decimal) =>
        !p.eq(OFF) && (this.#direction === "buy" ? ref.gte(p) : ref.lte(p));
      if (beyond(this.#stopPrice)) {
        const side = this.#direction === "buy" ? "ask" : "bid";
        this.#warn(`Stop price ${this.#stopPrice} triggered (best ${side} ${ref}); stopping`);
        await this.#notify(
          `WARNING: [${this.#label}]\nStopped trading due to stop price triggered\n` +
            `价格已触发停止价格，停止交易`,
        );
        return { kind: "stop", reason: "stop price triggered", exitCode: 0 };
      }
      if (beyond(this.#pausePrice)) {
        if (!this.#paused) this.#info(`Pause price ${this.#pausePrice} reached (${ref}); pausing`);
        this.#paused = true;
        return { kind: "continue", sleepMs: this.#t.pauseMs };
      }
      if (this.#paused) this.#info(`Price back below the pause price (${ref}); resuming`);
      this.#paused = false;
    }

    if (this.#cooldownLeft(closes) > 0) return idle;
    if (now < this.#rejectedUntil) return idle;
    if (closes.length > 0 && !this.#gridStep.lte(-100)) {
      quote ??= await this.#quote();
      if (!quote) return idle;
      const allowed = gridStepAllows({
        direction: this.#direction,
        closePrices: closes.map((o) => o.price ?? new Decimal(0)),
        quote,
        takeProfit: this.#takeProfit,
        gridStep: this.#gridStep,
      });
      if (!allowed) return idle;
    }

    // A new open cycle: priced and sized on a fresh read of the market.
    const market = await this.#readMarket();
    this.#checkQuantity(market);
    for (let i = 0; i < this.#t.maxPostOnlyAttempts; i++) {
      const placed = await this.#placeOpen(market);
      if (placed === "placed") return await this.#runCycle(signal);
      if (placed === "no-quote") return idle;
      if (placed === "refused") {
        this.#rejectedUntil = this.#clock.now() + Math.max(5_000, this.#waitTimeSec * 250);
        return idle;
      }
    }
    this.#warn(`Post-only open rejected ${this.#t.maxPostOnlyAttempts} times in a row; waiting`);
    return idle;
  }

  #cooldownLeft(closes: readonly Order[]): number {
    const n = closes.length;
    if (this.#chaseNext) {
      this.#chaseNext = false;
      this.#lastCloseOrders = n;
      return 0;
    }
    if (n < this.#lastCloseOrders) {
      // A take-profit just filled: go now.
      this.#lastCloseOrders = n;
      return 0;
    }
    this.#lastCloseOrders = n;
    if (n >= this.#maxOrders) return this.#t.idleMs;
    const now = this.#clock.now();
    if (this.#lastOpenTime === 0 && n > 0) this.#lastOpenTime = now; // a restart with a grid
    const elapsed = now - this.#lastOpenTime;
    const cd = cooldownMs(n, this.#maxOrders, this.#waitTimeSec);
    return elapsed > cd ? 0 : Math.max(1, cd - elapsed);
  }

  // ------------------------------------------------------------------ ids

  #openId(seq: number): string {
    return deriveClientOrderId(idVenue(this.#client.venue), `${this.#prefix}/open/${seq}`);
  }

  #closeId(openClientOrderId: string, attempt: number): string {
    return deriveClientOrderId(
      idVenue(this.#client.venue),
      `${this.#prefix}/close/${openClientOrderId}/${attempt}`,
    );
  }

  #repairId(key: string, attempt: number): string {
    return deriveClientOrderId(
      idVenue(this.#client.venue),
      `${this.#prefix}/repair/${shortHash(key)}/${attempt}`,
    );
  }

  /**
   * `getOrder` by client order id for the start's many look-ups: a 429 waits its `Retry-After`
   * and asks again (a few times), so a rate-limited start progresses instead of starting over.
   */
  async #lookup(clientOrderId: string): Promise<Order | undefined> {
    for (let attempt = 0;; attempt++) {
      try {
        return await this.#client.getOrder(this.#symbol, { clientOrderId });
      } catch (error) {
        if (!(error instanceof RateLimitedError) || attempt >= 5) throw error;
        await this.#clock.sleep(error.retryAfterMs ?? 1_000);
      }
    }
  }

  /**
   * The first open sequence number the venue has never seen (gallop + bisection over
   * `getOrder`), looking past holes of up to {@linkcode SEQ_HOLE} numbers (sends that never
   * reached the venue).
   */
  async #probeNextSeq(): Promise<number> {
    const exists = async (n: number) => (await this.#lookup(this.#openId(n))) !== undefined;
    const known = async (n: number) => {
      for (let h = 0; h <= SEQ_HOLE; h++) if (await exists(n + h)) return true;
      return false;
    };
    if (!(await known(0))) return 0;
    let lo = 0; // known(lo): some number at or after lo exists
    let hi = 1;
    while (await known(hi)) {
      lo = hi;
      hi *= 2;
    }
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (await known(mid)) lo = mid;
      else hi = mid;
    }
    // known(lo) and not known(lo + 1): the last number the venue knows is lo + SEQ_HOLE at most.
    for (let n = lo + SEQ_HOLE; n >= lo; n--) if (await exists(n)) return n + 1;
    return hi;
  }

  // ------------------------------------------------------------------ open

  async #placeOpen(market: Market): Promise<"placed" | "rejected" | "refused" | "no-quote"> {
    const quote = await this.#quote();
    if (!quote) return "no-quote";
    const price = openOrderPrice(quote, market.tickSize, this.#direction);
    const clientOrderId = this.#openId(this.#nextSeq++);
    // Set before sending: if the answer is lost, the next step looks the order up by this id.
    this.#current = {
      clientOrderId,
      price,
      since: this.#clock.now(),
      waited: false,
      closeTried: false,
      logged: false,
    };
    let order: Order;
    try {
      order = await this.#client.placeOrder({
        symbol: this.#symbol,
        side: this.#direction,
        type: "limit",
        size: this.#quantity,
        price,
        postOnly: true,
        clientOrderId,
      });
    } catch (error) {
      if (error instanceof PostOnlyWouldCrossError) {
        this.#current = undefined;
        this.#log.debug(
          escapeBraces(`[${this.#label}] Post-only open at ${price} would cross; re-pricing`),
        );
        return "rejected";
      }
      if (error instanceof DuplicateClientOrderIdError) {
        // The venue already holds this sequence number (a send it kept that a start could not
        // see): look at what it is, then go on with the next number.
        this.#current = undefined;
        const found = await this.#client.getOrder(this.#symbol, { clientOrderId });
        if (found && !isTerminal(found)) {
          this.#current = this.#cycleOf(this.#tracker!.update(found), true);
          return "placed";
        }
        if (found && found.filledSize.gt(0)) {
          // Queued without a look-up here: #placeClose looks its close ids up before sending,
          // and the guard subtracts what its accepted take-profits already cover.
          const cycle = this.#cycleOf(this.#tracker!.update(found), true);
          cycle.logged = true;
          this.#pending.push(cycle);
          this.stats.queued++;
        }
        return "rejected";
      }
      if (error instanceof OrderRejectedError) {
        this.#current = undefined;
        this.#warn(`Open order refused: ${redact(error.message)}; waiting before the next try`);
        return "refused";
      }
      throw error;
    }
    const o = this.#tracker!.update(order);
    if (o.filledSize.isZero() && (o.status === "rejected" || o.status === "canceled")) {
      this.#current = undefined;
      return "rejected";
    }
    this.stats.opensPlaced++;
    this.#info(`[OPEN] [${o.id}] ${this.#direction} ${o.size} @ ${price} post-only`);
    this.#record(o, "open", "placed", o.size);
    return "placed";
  }

  async #runCycle(signal: AbortSignal): Promise<StrategyStep> {
    const c = this.#current!;
    const tracker = this.#tracker!;
    let o = tracker.get(c.clientOrderId);
    if (!o) {
      const found = await this.#client.getOrder(this.#symbol, { clientOrderId: c.clientOrderId });
      if (!found) {
        // The send never reached the venue: start over.
        this.#current = undefined;
        this.#chaseNext = true;
        return { kind: "continue", sleepMs: 0 };
      }
      o = tracker.update(found);
    }
    for (;;) {
      o = tracker.get(c.clientOrderId)!;
      if (isTerminal(o)) break;
      if (!c.waited) {
        const left = c.since + this.#t.fillWaitMs - this.#clock.now();
        if (left > 0) {
          await this.#waitPolled(c, left, signal);
          continue;
        }
        c.waited = true;
      }
      const quote = await this.#quote();
      const next = quote
        ? openOrderPrice(quote, this.#market!.tickSize, this.#direction)
        : undefined;
      const competitive = next !== undefined &&
        (this.#direction === "buy" ? next.lte(c.price) : next.gte(c.price));
      if ((o.status === "open" || o.status === "pending") && competitive) {
        await this.#waitPolled(c, this.#t.chaseCheckMs, signal);
        // The original checked the position only between cycles; a resting order can rest for
        // hours, so the guard also runs while one waits.
        const now = this.#clock.now();
        if (now - this.#lastStatusAt >= this.#t.statusIntervalMs) {
          this.#lastStatusAt = now;
          if (await this.#statusAndGuard(signal, true)) {
            return { kind: "stop", reason: "position mismatch", exitCode: 1 };
          }
        }
        continue;
      }
      const why = o.status === "open" ? `market moved to ${next ?? "?"}` : `${o.status}`;
      this.#log.debug(escapeBraces(`[${this.#label}] Canceling open ${o.id} @ ${c.price}: ${why}`));
      await this.#cancelAndSettle(o, signal);
      if (!isTerminal(tracker.get(c.clientOrderId)!)) {
        await this.#clock.sleep(this.#t.idleMs, signal);
      }
    }
    await this.#finishCycle(c, o);
    return { kind: "continue", sleepMs: 0 };
  }

  /**
   * Waits up to `ms` for the open to finish on the event stream, at most `unhealthyPollMs` at a
   * time while a stream reports trouble; if it has not finished, reads it once over REST (a
   * silent stream cannot hide a fill for longer than one wait).
   */
  async #waitPolled(c: Cycle, ms: number, signal: AbortSignal): Promise<void> {
    const tracker = this.#tracker!;
    const slice = this.#unhealthy.size > 0 ? Math.min(ms, this.#t.unhealthyPollMs) : ms;
    if (await tracker.waitForTerminal(c.clientOrderId, slice, signal)) return;
    const found = await this.#client.getOrder(this.#symbol, { clientOrderId: c.clientOrderId });
    if (found) tracker.update(found);
  }

  async #cancelAndSettle(o: Order, signal?: AbortSignal): Promise<void> {
    const tracker = this.#tracker!;
    try {
      await this.#client.cancelOrder(
        this.#symbol,
        o.id !== undefined ? { id: o.id } : { clientOrderId: o.clientOrderId },
      );
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error; // already finished
    }
    if (await tracker.waitForTerminal(o.clientOrderId, this.#t.cancelWaitMs, signal)) return;
    const found = await this.#client.getOrder(this.#symbol, { clientOrderId: o.clientOrderId });
    if (found) tracker.update(found);
  }

  /** Logs the open's outcome and places its close for the filled size. */
  async #finishCycle(c: Cycle, o: Order): Promise<void> {
    const filled = o.filledSize;
    if (!c.logged) {
      c.logged = true;
      if (filled.gt(0)) {
        this.stats.opensFilled++;
        const partial = filled.lt(o.size) ? ` (partial, ${o.status})` : "";
        this.#info(`[OPEN] [${o.id}] FILLED ${filled} @ ${c.price}${partial}`);
        this.#record(o, "open", o.status === "filled" ? "filled" : `${o.status}_partial`, filled);
      } else {
        this.#log.debug(
          escapeBraces(`[${this.#label}] Open ${o.id} ${o.status} unfilled; chasing`),
        );
        this.#record(o, "open", o.status, o.size);
      }
    }
    if (filled.gt(0)) await this.#placeClose(c, filled);
    else this.#chaseNext = !this.#stopping;
    this.#current = undefined;
    this.#guardDue = true;
  }

  // ------------------------------------------------------------------ close

  /**
   * The take-profits the venue accepted under an open's close ids (attempt 0, 1, … up to the
   * first id the venue does not know; post-only refusals skipped), what they cover (a resting
   * one its size, a finished one its filled part) and the next unused attempt. The one look-up
   * of an open's take-profits: #placeClose, the start and the exposure guard all use it.
   */
  async #acceptedCloses(c: Cycle): Promise<{ closes: Order[]; covered: Decimal; next: number }> {
    const closes: Order[] = [];
    let covered = new Decimal(0);
    let n = 0;
    for (; n < this.#t.maxPostOnlyAttempts; n++) {
      const found = await this.#lookup(this.#closeId(c.clientOrderId, n));
      if (!found) break;
      const refused = found.filledSize.isZero() &&
        (found.status === "rejected" || found.status === "canceled");
      if (refused) continue;
      closes.push(found);
      covered = covered.plus(isTerminal(found) ? found.filledSize : found.size);
    }
    return { closes, covered, next: n };
  }

  /**
   * Places the close of a filled open unless it is already there; `true` when it was sent. An
   * open that went through a start or a lost answer (`closeTried`) has its close ids looked up
   * first: covered → nothing is sent; partly covered (a take-profit that ended part-filled) →
   * the rest, under the next attempt's id, when it is at least the market's minimum size.
   */
  async #placeClose(c: Cycle, filled: Decimal): Promise<boolean> {
    const market = await this.#readMarket();
    const target = takeProfitPrice(c.price, this.#takeProfit, market.tickSize, this.#direction);
    let n = 0;
    let size = filled;
    if (c.closeTried) {
      const accepted = await this.#acceptedCloses(c);
      n = accepted.next;
      if (accepted.closes.length > 0) {
        const ids = accepted.closes.map((o) => o.id).join(", ");
        if (accepted.covered.gte(filled)) {
          this.#info(`[CLOSE] [${ids}] already placed for open ${c.clientOrderId}`);
          return false;
        }
        size = quantize(filled.minus(accepted.covered), market.sizeStep, "down");
        if (size.isZero() || size.lt(market.minSize)) {
          this.#warn(
            `Take-profit(s) ${ids} of open ${c.clientOrderId} cover ${accepted.covered} of its ` +
              `${filled}; the rest is below the minimum size ${market.minSize} and stays unhedged`,
          );
          return false;
        }
      }
    }
    c.closeTried = true;
    for (; n < this.#t.maxPostOnlyAttempts; n++) {
      const quote = await this.#quote();
      const price = quote ? makerPrice(target, quote, market.tickSize, this.#closeSide) : target;
      const clientOrderId = this.#closeId(c.clientOrderId, n);
      let order: Order;
      try {
        order = await this.#client.placeOrder({
          symbol: this.#symbol,
          side: this.#closeSide,
          type: "limit",
          size,
          price,
          postOnly: true,
          clientOrderId,
        });
      } catch (error) {
        if (error instanceof PostOnlyWouldCrossError) continue;
        if (error instanceof DuplicateClientOrderIdError) return false; // it is already there
        throw error;
      }
      const o = this.#tracker!.update(order);
      if (o.filledSize.isZero() && (o.status === "rejected" || o.status === "canceled")) continue;
      this.stats.closesPlaced++;
      this.#lastOpenTime = this.#clock.now();
      this.#lastCloseOrders += 1;
      this.#info(`[CLOSE] [${o.id}] ${this.#closeSide} ${size} @ ${price} post-only`);
      this.#record(o, "close", "placed", size);
      return true;
    }
    throw new OrderRejectedError("other", {
      venue: this.#client.venue,
      message: `Cannot place the take-profit ${this.#closeSide} ${size} ${this.#symbol} @ ` +
        `${target}: post-only rejected ${this.#t.maxPostOnlyAttempts} times`,
    });
  }

  #onOrderUpdate(o: Order, prev: Order | undefined): void {
    if (o.side !== this.#closeSide) return;
    if (o.status !== "filled" && isTerminal(o) && prev !== undefined && !isTerminal(prev)) {
      // A take-profit that ended without filling (canceled by hand, expired): its last row.
      const status = o.filledSize.isZero() ? o.status : `${o.status}_partial`;
      this.#record(o, "close", status, o.filledSize.isZero() ? o.size : o.filledSize);
      return;
    }
    if (o.filledSize.isZero()) return;
    if (o.status === "filled" && prev?.status !== "filled") {
      this.stats.tpFills++;
      this.#info(`[CLOSE] [${o.id}] FILLED ${o.filledSize} @ ${o.averageFillPrice ?? o.price}`);
      this.#record(o, "close", "filled", o.filledSize);
    }
  }

  // ------------------------------------------------------------------ status

  /**
   * The exposure guard (and, with `status`, the status line). Returns `true` to stop.
   *
   * Expected: position = Σ resting take-profits + the filled part of the open in progress and of
   * queued opens that no take-profit accepted under their close ids covers yet (signed by
   * direction; {@linkcode unhedgedSize}). A difference
   * of one quantity or more is read again after `mismatchRecheckMs` (the open in progress then
   * from REST), then notified and repaired or stopped on.
   */
  async #statusAndGuard(signal: AbortSignal, status: boolean): Promise<boolean> {
    const read = async (fresh: boolean) => {
      const client = this.#client;
      const [orders, positions] = await Promise.all([
        client.getOpenOrders(this.#symbol),
        client.getPositions(),
      ]);
      const closes = orders.filter((o) => o.side === this.#closeSide);
      const closeAmount = closes.reduce((s, o) => s.plus(o.remainingSize), new Decimal(0));
      this.#pnl?.setPositions(positions, client.venue);
      const held = positions.find((p) => p.symbol === this.#symbol);
      const position = held?.size ?? new Decimal(0);
      // Filled opens whose take-profit may not be out yet, with what their accepted
      // take-profits already cover (a resting one is also in closeAmount: not counted twice).
      const inFlight: InFlightOpen[] = [];
      for (const c of [this.#current, ...this.#pending]) {
        if (!c) continue;
        let o = this.#tracker?.get(c.clientOrderId);
        if (fresh || !o) {
          const found = await client.getOrder(this.#symbol, { clientOrderId: c.clientOrderId });
          if (found) o = this.#tracker?.update(found) ?? found;
        }
        if (!o || o.filledSize.isZero()) continue;
        // Only a finished open gets a take-profit, and only one that went through a start or a
        // lost answer (closeTried) can have one out while it is still in flight.
        const covered = c.closeTried && isTerminal(o)
          ? (await this.#acceptedCloses(c)).covered
          : new Decimal(0);
        inFlight.push({ filled: o.filledSize, covered });
      }
      // > 0: position without a take-profit; < 0: take-profits beyond the position.
      const unhedged = unhedgedSize({
        direction: this.#direction,
        position,
        restingCloses: closeAmount,
        inFlight,
      });
      const off = unhedged.abs().gte(this.#quantity);
      return { orders, closes, closeAmount, position, entry: held?.entryPrice, unhedged, off };
    };
    let r = await read(false);
    if (status) {
      let pnl = "";
      try {
        const balance = await this.#client.getBalance();
        if (this.#pnl) {
          pnl = ` | PnL: ${formatPnl(this.#pnl.split(), balance.asset)}`;
        } else if (this.#startEquity !== undefined) {
          const d = balance.equity.minus(this.#startEquity);
          pnl = ` | PnL: ${d.isNegative() ? "" : "+"}${d.toFixed(4)} ${balance.asset}`;
        }
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
      this.#info(
        `Position: ${r.position} | Active closing amount: ${r.closeAmount} | Order quantity: ` +
          `${this.#quantity} | Open orders: ${r.orders.length} (${r.closes.length} take-profit)` +
          pnl,
      );
    }
    if (!r.off) return false;
    this.#warn(
      `Position ${r.position} and take-profit orders ${r.closeAmount} disagree; checking again`,
    );
    await this.#clock.sleep(this.#t.mismatchRecheckMs, signal);
    r = await read(true);
    if (!r.off) return false;
    const banner = "###### ERROR ###### ERROR ###### ERROR ###### ERROR ######";
    const detail = `current position: ${r.position} | active closing amount: ${r.closeAmount} | ` +
      `Order quantity: ${this.#quantity}`;
    if (this.#onMismatch === "repair" && r.unhedged.isPositive()) {
      const market = await this.#readMarket();
      const size = quantize(r.unhedged, market.sizeStep, "down");
      const message = `Position mismatch detected: ${detail} | unhedged ${r.unhedged}; ` +
        `placing the missing take-profit ${this.#closeSide} ${size}`;
      this.#log.warn(escapeBraces(`[${this.#label}] ${message}`));
      await this.#notify(`WARNING: [${this.#label}] ${message}`);
      await this.#repair(
        market,
        size,
        r.entry,
        `${r.position}/${r.closeAmount}/` +
          r.closes.map((o) => o.clientOrderId).sort().join(","),
      );
      return false;
    }
    this.#log.error(
      `[${this.#label}] Position mismatch detected\n${banner}\nPlease manually rebalance your ` +
        `position and take-profit orders\n${detail}\n${banner}`,
    );
    await this.#notify(
      `ERROR: [${this.#label}] Position mismatch detected\n${banner}\n` +
        `Please manually rebalance your position and take-profit orders\n` +
        `请手动平衡当前仓位和止盈订单\n${detail}\n${banner}`,
    );
    return true;
  }

  /**
   * Places a take-profit for an unhedged `size`, priced from the position's entry price (the
   * quote's near side when the venue gives none). Its id is derived from the state it repairs,
   * so a lost answer followed by the same reading cannot send it twice.
   */
  async #repair(
    market: Market,
    size: Decimal,
    entry: Decimal | undefined,
    state: string,
  ): Promise<void> {
    for (let n = 0; n < this.#t.maxPostOnlyAttempts; n++) {
      const quote = await this.#quote();
      if (!quote) return; // no usable price now: the next guard tries again
      const basis = entry && entry.gt(0)
        ? entry
        : (this.#direction === "buy" ? quote.bid : quote.ask);
      const target = takeProfitPrice(basis, this.#takeProfit, market.tickSize, this.#direction);
      const price = makerPrice(target, quote, market.tickSize, this.#closeSide);
      let order: Order;
      try {
        order = await this.#client.placeOrder({
          symbol: this.#symbol,
          side: this.#closeSide,
          type: "limit",
          size,
          price,
          postOnly: true,
          clientOrderId: this.#repairId(state, n),
        });
      } catch (error) {
        if (error instanceof PostOnlyWouldCrossError) continue;
        if (error instanceof DuplicateClientOrderIdError) return;
        throw error;
      }
      const o = this.#tracker!.update(order);
      if (o.filledSize.isZero() && (o.status === "rejected" || o.status === "canceled")) continue;
      this.stats.repairs++;
      this.#info(`[REPAIR] [${o.id}] ${this.#closeSide} ${size} @ ${price} post-only`);
      this.#record(o, "repair", "placed", size);
      return;
    }
  }

  // ------------------------------------------------------------------ helpers

  async #quote(): Promise<Quote | undefined> {
    let q: BestBidAsk;
    try {
      q = await this.#client.getBestBidAsk(this.#symbol);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      return this.#noQuote("a side of the book is empty");
    }
    if (q.stale) return this.#noQuote("the book is resyncing");
    const age = q.receivedAt === undefined ? 0 : this.#clock.now() - q.receivedAt;
    if (age > this.#t.maxBookAgeMs) {
      return this.#noQuote(`the book is ${age} ms old (max ${this.#t.maxBookAgeMs} ms)`);
    }
    if (!(q.bid.gt(0) && q.ask.gt(0) && q.bid.lt(q.ask))) {
      return this.#noQuote(`bid ${q.bid} / ask ${q.ask} is not a valid quote`);
    }
    this.#noQuoteSince = 0;
    return q;
  }

  #noQuote(why: string): undefined {
    const now = this.#clock.now();
    if (this.#noQuoteSince === 0) {
      this.#noQuoteSince = now;
      this.#noQuoteWarned = false;
    }
    // A book side can be empty for a moment (a fill, a resync): warn only when it lasts.
    if (!this.#noQuoteWarned && now - this.#noQuoteSince >= 5_000) {
      this.#noQuoteWarned = true;
      this.#warn(`No usable bid/ask for ${this.#symbol} for 5 s: ${why}; waiting`);
    } else {
      this.#log.debug(escapeBraces(`[${this.#label}] No usable bid/ask: ${why}`));
    }
    return undefined;
  }

  #record(o: Order, kind: "open" | "close" | "repair", status: string, size: Decimal): void {
    this.#tradeLog?.append({
      timestamp: this.#clock.now(),
      orderId: o.id,
      clientOrderId: o.clientOrderId,
      side: o.side,
      kind,
      size,
      price: o.price,
      status,
    });
  }

  #info(message: string): void {
    this.#log.info(escapeBraces(`[${this.#label}] ${message}`));
  }

  #warn(message: string): void {
    this.#log.warn(escapeBraces(`[${this.#label}] ${message}`));
  }
}
