/**
 * Funding-rate arbitrage: a delta-neutral position across two venues — long where the hourly
 * funding rate is lower, short where it is higher — held while the spread pays.
 *
 * - **Selection**: the funding service's opportunity finder, in-process, over the configured
 *   venues' funding adapters (hourly-normalised rates only).
 * - **Entry gate** ({@linkcode entryGate}): funding over the horizon minus fees per leg, the
 *   cost of walking each book, an exit buffer; price divergence, volume / OI, the settlement
 *   window and a per-pair cap on failed opens per hour.
 * - **Execution**: a post-only order on the thinner leg, repriced inside a band for a bounded
 *   time; every maker fill is hedged at once on the other leg with a limit IOC at a bounded
 *   worst price, sized to what filled in the hedge venue's step; what cannot be hedged is
 *   closed; a hedge that fails within its deadline rolls the filled leg back (cost reported).
 *   The naked window (first unhedged fill → hedge acknowledged) is measured per entry.
 * - **Bounded naked window, never a duplicate leg**: every order call passes its own
 *   `outcomeDeadlineMs` to `placeOrder` (`orderOutcomeMs`, never past the hedge / close
 *   deadline), so a lost answer or a 5xx costs at most that, not the client's 30 s. The client
 *   never sends that call's order twice (`placeOnce`); when the call ends with
 *   `OrderOutcomeUnknownError`, the order stays pending in the position and nothing else is
 *   sent on that leg until a lookup by its client order id answers: found → its fill counts and
 *   the next order is sized to what is still missing; absent → the venue says it has no such
 *   order. So at any time at most one order of a leg is in flight or unresolved, and the sizes
 *   sent never add up past the target. (The strategy does not race the call with a timer of
 *   its own: an abandoned call could still resolve and resend behind its back.) An exit closes
 *   the second leg within the hedge deadline and a second one, as an entry's rollback.
 * - **Holding**: funding payments of both venues attributed per leg, delta drift reduced,
 *   liquidation distance watched, a venue outage on one leg handled without unhedging.
 * - **Exits**: spread flip for N settlements, erosion, max hold, a better pair net of switching
 *   costs ({@linkcode switchDecision}), liquidation risk, manual stop; a non-risk exit only when
 *   it beats holding after fees; reduce-only, liquid leg first, the other leg sized to what
 *   closed.
 * - **Portfolio**: several pairs, caps per symbol, per venue and in total notional
 *   ({@linkcode capRefusal}); leverage per venue set before the first entry.
 * - **State**: every position is persisted in the funding store before each order; on start
 *   the bot reconciles each held position with both venues before doing anything else, and a
 *   pair is claimed in the store so two bots never trade it at once.
 *
 * One position per symbol at a time (the venues' positions are per symbol, so this keeps each
 * leg's venue position the strategy's own).
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import {
  type BookSnapshot,
  type Clock,
  ConfigurationError,
  Decimal,
  type ExchangeClient,
  type Fill,
  type FundingAdapter,
  InvalidOrderError,
  type Market,
  type Order,
  OrderOutcomeUnknownError,
  OrderRejectedError,
  PerpError,
  type Position,
  PostOnlyWouldCrossError,
  redact,
} from "../base.ts";
import { systemClock } from "../exchanges/_shared/clock.ts";
import { deriveClientOrderId } from "../exchanges/_shared/client_order_id.ts";
import { quantize } from "../exchanges/_shared/quantize.ts";
import { computeOpportunities, filterOpportunities } from "../funding/opportunities.ts";
import type { FundingObservation } from "../funding/model.ts";
import { publishedFees, type VenueFees } from "../funding/fees.ts";
import type { StoredArbPosition } from "../funding/store.ts";
import {
  bookWalkCost,
  capRefusal,
  entryGate,
  type GateLeg,
  type GateResult,
  type GateRules,
  midOf,
  switchDecision,
} from "./funding_arb_gate.ts";
import type { Strategy, StrategyStep } from "./runner.ts";
import type { TradeLog } from "./trade_log.ts";

export * from "./funding_arb_gate.ts";

const HOUR_MS = 3_600_000;

/**
 * Longest pause before the next step when a step left a position's work undone (a maker order
 * whose fate is unknown, a leg not yet closed or hedged): a naked leg never waits a whole
 * `stepMs`.
 *
 * @example
 * ```ts
 * import { RETRY_SOON_MS } from "./funding_arbitrage.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(RETRY_SOON_MS, 1_000);
 * ```
 */
export const RETRY_SOON_MS = 1_000;

/**
 * One venue the strategy trades on.
 *
 * @example
 * ```ts
 * import type { ArbVenue } from "./funding_arbitrage.ts";
 * const names = (vs: ArbVenue[]) => vs.map((v) => v.name);
 * ```
 */
export interface ArbVenue {
  /** Venue name (`lighter`, `grvt`, `edgex`). */
  name: string;
  /** Trading client (connected by the strategy). */
  client: ExchangeClient;
  /** Funding adapter of the same venue. */
  funding: FundingAdapter;
}

/**
 * Settings of {@linkcode FundingArbitrageStrategy}. Fractions are decimal strings.
 *
 * @example
 * ```ts
 * import type { FundingArbOptions } from "./funding_arbitrage.ts";
 * const o: FundingArbOptions = { owner: "bot-a", notionalUsd: "1000", holdHours: "24", minNetApr: "0.1" };
 * ```
 */
export interface FundingArbOptions extends GateRules {
  /** Id of this bot in the store (claims and positions). */
  owner: string;
  /** Target notional of one entry, USD. */
  notionalUsd: string;
  /** Only these symbols. @default {every symbol quoted on two venues} */
  symbols?: string[];
  /** One leg must be on this venue. */
  requiredVenue?: string;
  /**
   * Milliseconds between steps. A step that leaves work undone on a position (a maker order
   * whose fate is unknown, a leg it could not close, an answer it could not use) asks for the
   * next one after at most {@linkcode RETRY_SOON_MS} instead, so a naked leg never waits a
   * whole step interval. @default {1000}
   */
  stepMs?: number;
  /** Longest time the maker leg may rest (ms). @default {30000} */
  makerTimeoutMs?: number;
  /** Reprice the maker order at most this often (ms). @default {2000} */
  repriceMs?: number;
  /** The maker price stays within this fraction of the mid seen at the start. @default {"0.002"} */
  priceBand?: string;
  /** Worst price of a hedge / close IOC: best opposite price moved by this fraction. @default {"0.003"} */
  hedgeSlippage?: string;
  /** A hedge not done within this is rolled back (ms). @default {5000} */
  hedgeDeadlineMs?: number;
  /**
   * Longest time one order call spends resolving a doubtful create (a lost answer, a 5xx)
   * before the strategy looks the order up itself; passed to `placeOrder` as its
   * `outcomeDeadlineMs`, never past the hedge / close deadline. @default {1000}
   */
  orderOutcomeMs?: number;
  /** Rebalance when |long| − |short| exceeds this many size steps. @default {1} */
  driftSteps?: number;
  /** Reduce before the mark is this close to the liquidation price (fraction). @default {"0.05"} */
  minLiquidationDistance?: string;
  /** One venue unreachable this long → the other leg is closed (ms). @default {600000} */
  outageLimitMs?: number;
  /** Exit after the spread is negative at this many settlements in a row. @default {2} */
  flipSettlements?: number;
  /** Exit evaluation when the spread falls below this fraction of the entry spread. @default {"0.25"} */
  erosionFraction?: string;
  /** Close after this many hours whatever the spread. @default {168} */
  maxHoldHours?: number;
  /** Most open positions. @default {3} */
  maxPositions?: number;
  /** Most notional per symbol (all pairs of it), USD. @default {unlimited} */
  maxSymbolNotionalUsd?: string;
  /** Most notional per venue, USD. @default {unlimited} */
  maxVenueNotionalUsd?: string;
  /** Most notional in total (one leg counted), USD. @default {unlimited} */
  maxTotalNotionalUsd?: string;
  /**
   * Fees per venue used when a venue's market does not report the account's own.
   * @default {DEFAULT_VENUE_FEES, then UNKNOWN_VENUE_FEES}
   */
  fees?: Readonly<Record<string, VenueFees>>;
  /**
   * Leverage per venue, set with `setLeverage` on every market the strategy may trade there
   * (`symbols`, else all the venue's markets) at start, before any entry; a value above a
   * market's `maxLeverage` stops the start with a `ConfigurationError` naming it.
   * @default {none set: the venue's current leverage}
   */
  leverage?: Readonly<Record<string, number>>;
  /** Close every position when stopped. @default {false} */
  closeOnStop?: boolean;
  /** Claims lapse after this unless renewed (ms). @default {120000} */
  claimTtlMs?: number;
  /** Status line interval (ms). @default {60000} */
  statusIntervalMs?: number;
}

/**
 * The part of the funding store the strategy uses (both `SqliteFundingStore` and
 * `PostgresFundingStore` fit): positions and pair claims.
 *
 * @example
 * ```ts
 * import type { ArbStore } from "./funding_arbitrage.ts";
 * const held = (s: ArbStore) => s.arbPositions({ held: true });
 * ```
 */
export interface ArbStore {
  /** Inserts or replaces a position. */
  saveArbPosition(position: StoredArbPosition): Promise<void>;
  /** Positions, oldest first. */
  arbPositions(
    filter?: { owner?: string; pairKey?: string; held?: boolean; since?: number },
  ): Promise<StoredArbPosition[]>;
  /** Claims a pair atomically; `true` when this owner holds it. */
  claimPair(pairKey: string, owner: string, now: number, ttlMs: number): Promise<boolean>;
  /** Gives a pair up. */
  releasePair(pairKey: string, owner: string): Promise<void>;
}

/**
 * What the strategy needs from its caller.
 *
 * @example
 * ```ts
 * import type { FundingArbDeps } from "./funding_arbitrage.ts";
 * const partial: Partial<FundingArbDeps> = { venues: [] };
 * ```
 */
export interface FundingArbDeps {
  /** The venues (two or more). */
  venues: ArbVenue[];
  /** Where positions and claims live (the funding store). */
  store: ArbStore;
  /** Clock. @default {systemClock} */
  clock?: Clock;
  /** Time source of the naked-window measurement. @default {clock.now} */
  now?: () => number;
  /** Alerts. */
  notify?: (text: string) => Promise<unknown>;
  /** CSV trade log. */
  tradeLog?: TradeLog;
  /** Every action as one line (the status line too). @default {LogTape} */
  onAction?: (line: string) => void;
}

/** One order of a position, as persisted. */
export interface ArbOrder {
  /** Client order id. */
  clientOrderId: string;
  /** `long` or `short` leg. */
  leg: "long" | "short";
  /** Why it was sent. */
  purpose: "open" | "hedge" | "close" | "rollback" | "rebalance";
  /** Side. */
  side: "buy" | "sell";
  /** Size sent. */
  size: string;
  /** Filled so far. */
  filled: string;
  /** Filled × average price. */
  notional: string;
  /** Fees (negative = rebate). */
  fee: string;
  /** Whether the outcome is final. */
  done: boolean;
}

/** One leg of a position. */
export interface ArbLeg {
  /** Venue. */
  venue: string;
  /** Funding received on this leg since entry (negative = paid). */
  funding: string;
}

/**
 * A funding-arbitrage position as persisted (JSON in the store).
 *
 * @example
 * ```ts
 * import type { ArbPosition } from "./funding_arbitrage.ts";
 * const isOpen = (p: ArbPosition) => p.status === "open";
 * ```
 */
export interface ArbPosition {
  /** Id. */
  id: string;
  /** Symbol. */
  symbol: string;
  /** `symbol:venueA:venueB`, venues sorted. */
  pairKey: string;
  /** `opening`, `open`, `closing`, `closed`, `rolled_back`. */
  status: "opening" | "open" | "closing" | "closed" | "rolled_back";
  /** Why it was entered (gate figures). */
  entryReason: string;
  /** Why it was exited. */
  exitReason?: string;
  /** Entry time, ms. */
  openedAt: number;
  /** Exit time, ms. */
  closedAt?: number;
  /** Long leg. */
  long: ArbLeg;
  /** Short leg. */
  short: ArbLeg;
  /** Which leg rested as maker. */
  makerLeg: "long" | "short";
  /** Target size. */
  targetSize: string;
  /** Hourly spread at entry. */
  entrySpread: string;
  /** Net APR the gate computed. */
  entryNetApr: string;
  /** Orders, in sending order. */
  orders: ArbOrder[];
  /** Cost of rolled-back fills (price loss + fees), ≥ 0 normally. */
  rollbackCost: string;
  /** Naked windows measured (ms). */
  nakedMs: number[];
  /** Settlements in a row with a negative spread. */
  flips: number;
  /** Settlements in a row with an eroded spread. */
  erosions: number;
  /** Next settlement time watched. */
  watchSettlement?: number;
}

/**
 * PnL of one leg.
 *
 * @example
 * ```ts
 * import type { LegPnl } from "./funding_arbitrage.ts";
 * const total = (l: LegPnl) => l.price.minus(l.fees).plus(l.funding);
 * ```
 */
export interface LegPnl {
  /** Venue. */
  venue: string;
  /** Size still held (signed: long positive). */
  size: Decimal;
  /** Realized price PnL (average-entry method). */
  price: Decimal;
  /** Fees paid (negative = rebates). */
  fees: Decimal;
  /** Funding received. */
  funding: Decimal;
}

/**
 * PnL attribution of a position.
 *
 * @example
 * ```ts
 * import type { ArbPnl } from "./funding_arbitrage.ts";
 * const fmt = (p: ArbPnl) => p.total.toFixed(2);
 * ```
 */
export interface ArbPnl {
  /** Long leg. */
  long: LegPnl;
  /** Short leg. */
  short: LegPnl;
  /** Rollback cost included in the legs. */
  rollbackCost: Decimal;
  /** Σ price − fees + funding. */
  total: Decimal;
}

const d = (x: string | number) => new Decimal(x);

/**
 * PnL of a position from its orders and funding (average-entry method per leg, as the venues
 * compute realized PnL).
 *
 * @param p The position.
 * @returns Price, fees and funding per leg and the total.
 *
 * @example
 * ```ts
 * import { positionPnl, type ArbPosition } from "./funding_arbitrage.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const o = (leg: "long" | "short", purpose: "open" | "close", side: "buy" | "sell", notional: string, fee: string) => ({
 *   clientOrderId: `${leg}${purpose}`, leg, purpose, side, size: "1", filled: "1", notional, fee, done: true,
 * });
 * const p = {
 *   long: { venue: "a", funding: "-1" }, short: { venue: "b", funding: "3" },
 *   orders: [o("long", "open", "buy", "100", "0.1"), o("short", "open", "sell", "101", "0.1"),
 *            o("long", "close", "sell", "103", "0.1"), o("short", "close", "buy", "102", "0.1")],
 *   rollbackCost: "0",
 * } as unknown as ArbPosition;
 * const pnl = positionPnl(p);
 * equal(pnl.long.price.toString(), "3");
 * equal(pnl.short.price.toString(), "-1");
 * equal(pnl.total.toString(), "3.6"); // 3 − 1 − 0.4 + 2
 * ```
 */
export function positionPnl(p: ArbPosition): ArbPnl {
  const leg = (name: "long" | "short"): LegPnl => {
    let size = d(0);
    let cost = d(0); // signed cost basis of the held size
    let price = d(0);
    let fees = d(0);
    for (const o of p.orders) {
      if (o.leg !== name) continue;
      fees = fees.plus(o.fee);
      const q = d(o.filled);
      if (q.isZero()) continue;
      const signed = o.side === "buy" ? q : q.neg();
      const notional = d(o.notional);
      const sameWay = size.isZero() || size.isPositive() === signed.isPositive();
      if (sameWay) {
        size = size.plus(signed);
        cost = cost.plus(o.side === "buy" ? notional : notional.neg());
        continue;
      }
      // Reducing: realize against the average entry.
      const closing = Decimal.min(q, size.abs());
      const avg = cost.div(size); // signed cost / signed size = average price
      const exitPrice = notional.div(q);
      const realized = size.isPositive()
        ? exitPrice.minus(avg).times(closing)
        : avg.minus(exitPrice).times(closing);
      price = price.plus(realized);
      const newSize = size.plus(signed);
      if (newSize.isZero()) {
        size = d(0);
        cost = d(0);
      } else if (newSize.isPositive() === size.isPositive()) {
        cost = avg.times(newSize);
        size = newSize;
      } else {
        size = newSize;
        cost = exitPrice.times(newSize);
      }
    }
    return { venue: p[name].venue, size, price, fees, funding: d(p[name].funding) };
  };
  const long = leg("long");
  const short = leg("short");
  const total = long.price.minus(long.fees).plus(long.funding)
    .plus(short.price).minus(short.fees).plus(short.funding);
  return { long, short, rollbackCost: d(p.rollbackCost), total };
}

/**
 * Held size of a leg from its orders (signed: long positive).
 *
 * @param p The position.
 * @param leg Which leg.
 * @returns The signed size.
 *
 * @example
 * ```ts
 * import { legSize, type ArbPosition } from "./funding_arbitrage.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const p = { orders: [{ leg: "long", side: "buy", filled: "2" }, { leg: "long", side: "sell", filled: "0.5" }] } as unknown as ArbPosition;
 * equal(legSize(p, "long").toString(), "1.5");
 * ```
 */
export function legSize(p: ArbPosition, leg: "long" | "short"): Decimal {
  let s = d(0);
  for (const o of p.orders) {
    if (o.leg !== leg) continue;
    s = o.side === "buy" ? s.plus(o.filled) : s.minus(o.filled);
  }
  return s;
}

/**
 * The pair key of a symbol on two venues (venues sorted).
 *
 * @param symbol Symbol.
 * @param a One venue.
 * @param b The other.
 * @returns `symbol:first:second`.
 *
 * @example
 * ```ts
 * import { pairKey } from "./funding_arbitrage.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(pairKey("BTC", "lighter", "grvt"), "BTC:grvt:lighter");
 * ```
 */
export function pairKey(symbol: string, a: string, b: string): string {
  return `${symbol}:${[a, b].sort().join(":")}`;
}

interface Ctx {
  venue: ArbVenue;
  market: Market;
}

class OutageError extends Error {
  constructor(readonly venue: string, cause: unknown) {
    super(`${venue} unreachable`, { cause });
  }
}

function describe(e: unknown): string {
  return redact(e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split("\n")[0];
}

/**
 * The funding-arbitrage strategy on the runner (`runStrategy`).
 *
 * @example Enter and hold a spread on two paper venues
 * ```ts
 * import { ManualClock } from "../exchanges/_shared/clock.ts";
 * import { SimEngine } from "../sim/engine.ts";
 * import { PaperClient, PaperFundingAdapter } from "../sim/paper.ts";
 * import { scriptedFundingRates } from "../sim/funding.ts";
 * import { SqliteFundingStore } from "../funding/sqlite_store.ts";
 * import { FundingArbitrageStrategy } from "./funding_arbitrage.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const clock = new ManualClock(Date.UTC(2026, 0, 1, 0, 10));
 * const venue = (name: string, rate: string) => {
 *   const engine = new SimEngine({ clock, venue: name });
 *   engine.addInstrument(
 *     { symbol: "BTC", tickSize: "0.1", sizeStep: "0.001", fundingIntervalHours: 1 },
 *     { markPrice: "60000", fundingRates: scriptedFundingRates(rate) },
 *   );
 *   engine.createAccount("mm", { unlimitedMargin: true });
 *   engine.placeOrder("mm", { symbol: "BTC", side: "buy", size: "5", price: "59999" });
 *   engine.placeOrder("mm", { symbol: "BTC", side: "sell", size: "5", price: "60001" });
 *   engine.createAccount("me", { collateral: "100000" });
 *   return { name, engine, client: new PaperClient({ engine, accountId: "me" }), funding: new PaperFundingAdapter(engine) };
 * };
 * const a = venue("lighter", "-0.0001");
 * const b = venue("grvt", "0.0003");
 * await using store = await SqliteFundingStore.open(":memory:");
 * const arb = new FundingArbitrageStrategy(
 *   { owner: "doc", notionalUsd: "600", holdHours: "24", minNetApr: "0.1", makerTimeoutMs: 1_000 },
 *   { venues: [a, b], store, clock, onAction: () => {} },
 * );
 * const signal = new AbortController().signal;
 * await arb.start(signal);
 * const stepping = arb.step(signal);
 * await clock.advance(100); // the maker bid rests on the thinner (here: first) venue
 * a.engine.placeOrder("mm", { symbol: "BTC", side: "sell", size: "0.01", price: "59990", timeInForce: "ioc" });
 * await clock.advance(5_000);
 * await stepping;
 * equal(arb.positions()[0].status, "open");
 * ```
 */
export class FundingArbitrageStrategy implements Strategy {
  /** Name for logs. */
  readonly name = "funding-arbitrage";
  readonly #o: FundingArbOptions;
  readonly #venues: Map<string, ArbVenue>;
  readonly #store: ArbStore;
  readonly #clock: Clock;
  readonly #now: () => number;
  readonly #notify: (text: string) => Promise<unknown>;
  readonly #tradeLog: TradeLog | undefined;
  readonly #say: (line: string) => void;
  readonly #positions = new Map<string, ArbPosition>();
  readonly #markets = new Map<string, Market>();
  /** Fills by client order id (trade ids deduplicated). */
  readonly #fills = new Map<string, Map<string, Fill>>();
  /** When the first fill of each client order id arrived (naked-window start). */
  readonly #fillSeenAt = new Map<string, number>();
  readonly #offs: (() => void)[] = [];
  readonly #outageSince = new Map<string, number>();
  /** Why each candidate pair was last passed over; said once per change, not every step. */
  readonly #skipped = new Map<string, string>();
  #wake: (() => void) | undefined;
  #lastStatus = -Infinity;
  #seq = 0;
  #stopping = false;
  /** Set when a step leaves a position's work undone: the next step comes soon. */
  #retrySoon = false;
  /**
   * Positions an error interrupted half-way (an entry, or a hold while opening or closing):
   * stepped soon until one hold of theirs completes.
   */
  readonly #unsettled = new Set<string>();
  /** Counters for the status line and tests. */
  readonly stats = {
    entries: 0,
    rollbacks: 0,
    exits: 0,
    refusals: 0,
    rebalances: 0,
    switches: 0,
    switchesRefused: 0,
  };

  /**
   * Creates the strategy.
   *
   * @param options Settings.
   * @param deps Venues, store, clock, alerts, logs.
   */
  constructor(options: FundingArbOptions, deps: FundingArbDeps) {
    if (deps.venues.length < 2) throw new RangeError("funding arbitrage needs two venues");
    this.#o = options;
    this.#venues = new Map(deps.venues.map((v) => [v.name, v]));
    this.#store = deps.store;
    this.#clock = deps.clock ?? systemClock;
    this.#now = deps.now ?? (() => this.#clock.now());
    this.#notify = deps.notify ?? (() => Promise.resolve());
    this.#tradeLog = deps.tradeLog;
    const log = getLogger(["perp", "bot", "arb"]);
    this.#say = deps.onAction ?? ((line) => log.info(line));
  }

  #skip(key: string, line: string): void {
    if (this.#skipped.get(key) === line) return;
    this.#skipped.set(key, line);
    this.#say(line);
  }
  /** Positions known to this bot (copies). */
  positions(): ArbPosition[] {
    return [...this.#positions.values()].map((p) => structuredClone(p));
  }

  /** Connects, sets leverage, and reconciles every held position with both venues. */
  async start(signal: AbortSignal): Promise<void> {
    for (const v of this.#venues.values()) {
      await v.client.connect({ signal });
      this.#offs.push(v.client.onEvent((e) => {
        if (e.type !== "fill") return;
        const id = e.fill.clientOrderId;
        if (id === undefined) return;
        let m = this.#fills.get(id);
        if (!m) this.#fills.set(id, m = new Map());
        if (!this.#fillSeenAt.has(id)) this.#fillSeenAt.set(id, this.#now());
        m.set(e.fill.tradeId, e.fill);
        this.#wake?.();
      }));
    }
    await this.#applyLeverage();
    for (const row of await this.#store.arbPositions({ owner: this.#o.owner, held: true })) {
      const p = JSON.parse(row.data) as ArbPosition;
      this.#positions.set(p.id, p);
    }
    this.#seq = (await this.#store.arbPositions({ owner: this.#o.owner })).length;
    for (const p of [...this.#positions.values()]) await this.#reconcile(p);
  }

  /** Checks every configured leverage against the markets' maxima, then sets it. */
  async #applyLeverage(): Promise<void> {
    const plan: { venue: ArbVenue; symbol: string; leverage: number }[] = [];
    for (const [name, leverage] of Object.entries(this.#o.leverage ?? {})) {
      const venue = this.#venues.get(name);
      if (!venue) {
        throw new ConfigurationError(
          `leverage is given for ${name}, which is not one of the venues (${
            [...this.#venues.keys()].join(", ")
          })`,
        );
      }
      if (!(Number.isFinite(leverage) && leverage > 0)) {
        throw new ConfigurationError(`leverage for ${name} must be positive: got ${leverage}`);
      }
      const markets = this.#o.symbols
        ? await Promise.all(this.#o.symbols.map((s) => venue.client.getMarket(s)))
        : await venue.client.getMarkets();
      for (const m of markets) {
        if (m.maxLeverage !== undefined && m.maxLeverage.lt(leverage)) {
          throw new ConfigurationError(
            `leverage ${leverage} on ${name} is above the ${m.symbol} maximum of ` +
              `${m.maxLeverage}: use --leverage ${name}=${m.maxLeverage} or lower`,
          );
        }
        plan.push({ venue, symbol: m.symbol, leverage });
      }
    }
    for (const x of plan) {
      await x.venue.client.setLeverage(x.symbol, x.leverage);
      this.#say(`[arb] leverage ${x.leverage} set on ${x.venue.name} ${x.symbol}`);
    }
  }

  /** One step: renew claims, hold (and exit) each position, then look for an entry. */
  async step(signal: AbortSignal): Promise<StrategyStep> {
    const now = this.#clock.now();
    for (const p of [...this.#positions.values()]) {
      if (signal.aborted) break;
      await this.#store.claimPair(p.pairKey, this.#o.owner, now, this.#o.claimTtlMs ?? 120_000);
      try {
        await this.#hold(p, false);
        this.#unsettled.delete(p.id);
      } catch (e) {
        if (e instanceof OutageError) await this.#onOutage(p, e);
        else if (e instanceof PerpError) {
          // A malformed or refused answer: this position is looked at again next step — soon
          // when it is half-way in or out (a leg may be naked), at the usual pace when held.
          if (p.status !== "open") this.#unsettled.add(p.id);
          this.#say(`[arb] ${p.id} held as is this step: ${describe(e)}`);
        } else throw e;
      }
    }
    if (!signal.aborted && !this.#stopping && this.#outageSince.size === 0) {
      try {
        await this.#lookForEntry(signal);
      } catch (e) {
        if (!(e instanceof PerpError)) throw e;
        this.#say(`[arb] no entry this step: ${describe(e)}`);
      }
    }
    this.#status();
    for (const id of this.#unsettled) if (!this.#positions.has(id)) this.#unsettled.delete(id);
    const stepMs = this.#o.stepMs ?? 1_000;
    const soon = this.#retrySoon || this.#unsettled.size > 0;
    const sleepMs = soon ? Math.min(stepMs, RETRY_SOON_MS) : stepMs;
    this.#retrySoon = false;
    return { kind: "continue", sleepMs };
  }

  /** Stops: closes every position with `closeOnStop`, releases the claims of closed pairs. */
  async stop(reason: string): Promise<void> {
    this.#stopping = true;
    if (this.#o.closeOnStop) {
      for (const p of [...this.#positions.values()]) {
        if (p.status === "open" || p.status === "closing") await this.#exit(p, `stop: ${reason}`);
      }
    }
    for (const off of this.#offs.splice(0)) off();
    this.#say(`[arb] stopped (${reason}); ${this.#positions.size} position(s) still held`);
  }

  // ------------------------------------------------------------------------------- helpers

  /**
   * The market as its client reports it now: clients cache markets, and a tick may follow the
   * price (Hyperliquid's five significant figures), so it is read on every use, not kept.
   */
  async #market(venue: string, symbol: string): Promise<Market> {
    const m = await this.#v(venue).client.getMarket(symbol);
    this.#markets.set(`${venue}/${symbol}`, m);
    return m;
  }

  /** The account's fee where the venue reports it, else the configured table. */
  #fee(m: Market, kind: "maker" | "taker"): Decimal {
    const reported = kind === "maker" ? m.makerFee : m.takerFee;
    if (reported !== undefined) return reported;
    const table = this.#o.fees?.[m.venue] ?? publishedFees(m.venue);
    return table[kind];
  }

  #v(name: string): ArbVenue {
    const v = this.#venues.get(name);
    if (!v) throw new RangeError(`venue ${name} is not configured`);
    return v;
  }

  async #save(p: ArbPosition): Promise<void> {
    if (p.status === "closed" || p.status === "rolled_back") this.#positions.delete(p.id);
    else this.#positions.set(p.id, p);
    await this.#store.saveArbPosition({
      id: p.id,
      pairKey: p.pairKey,
      owner: this.#o.owner,
      status: p.status,
      openedAt: p.openedAt,
      updatedAt: this.#clock.now(),
      data: JSON.stringify(p),
    });
  }

  #coid(p: ArbPosition, leg: "long" | "short"): string {
    const venue = p[leg].venue;
    const key = `${this.#o.owner}/${p.id}/${leg}/${p.orders.length}`;
    return venue === "grvt" || venue === "lighter" || venue === "edgex"
      ? deriveClientOrderId(venue, key)
      : this.#v(venue).client.newClientOrderId();
  }

  /**
   * Sends one order of a position: persisted first (so a restart finds it by client order
   * id), then placed; the result updates the persisted record.
   */
  async #send(
    p: ArbPosition,
    leg: "long" | "short",
    purpose: ArbOrder["purpose"],
    req: {
      side: "buy" | "sell";
      size: Decimal;
      price: Decimal;
      postOnly?: boolean;
      ioc?: boolean;
      reduceOnly?: boolean;
      /** Latest time this call may spend resolving a doubtful create (clock ms). */
      resolveBy?: number;
    },
  ): Promise<ArbOrder> {
    const o: ArbOrder = {
      clientOrderId: this.#coid(p, leg),
      leg,
      purpose,
      side: req.side,
      size: req.size.toString(),
      filled: "0",
      notional: "0",
      fee: "0",
      done: false,
    };
    p.orders.push(o);
    await this.#save(p);
    const client = this.#v(p[leg].venue).client;
    // The call never waits out the client's own outcome deadline: at most the per-order
    // budget, and never past the caller's deadline. Its order is then looked up by client
    // order id before anything else is sent on this leg.
    const budget = this.#o.orderOutcomeMs ?? 1_000;
    const outcomeDeadlineMs = Math.max(
      0,
      Math.min(budget, (req.resolveBy ?? Infinity) - this.#clock.now()),
    );
    try {
      const order = await client.placeOrder({
        symbol: p.symbol,
        side: req.side,
        type: "limit",
        size: req.size.toString(),
        price: req.price.toString(),
        postOnly: req.postOnly ?? false,
        reduceOnly: req.reduceOnly ?? false,
        timeInForce: req.ioc ? "ioc" : "gtc",
        clientOrderId: o.clientOrderId,
        outcomeDeadlineMs,
      });
      this.#apply(p, o, order);
      this.#trade(p, o, order, "placed");
    } catch (e) {
      if (e instanceof OrderOutcomeUnknownError) {
        this.#say(`[arb] ${p.id} ${purpose} ${o.clientOrderId}: outcome unknown, looked up later`);
      } else {
        o.done = true;
        await this.#save(p);
        throw e;
      }
    }
    await this.#save(p);
    return o;
  }

  #apply(p: ArbPosition, o: ArbOrder, order: Order): void {
    o.filled = order.filledSize.toString();
    const fills = [...(this.#fills.get(o.clientOrderId)?.values() ?? [])];
    const fillSize = fills.reduce((s, f) => s.plus(f.size), d(0));
    if (fills.length > 0 && fillSize.eq(order.filledSize)) {
      o.notional = fills.reduce((s, f) => s.plus(f.price.times(f.size)), d(0)).toString();
      o.fee = fills.reduce((s, f) => s.plus(f.fee), d(0)).toString();
    } else {
      o.notional = (order.averageFillPrice ?? d(0)).times(order.filledSize).toString();
      const m = this.#markets.get(`${p[o.leg].venue}/${p.symbol}`);
      const rate = m && this.#fee(m, o.purpose === "open" && order.postOnly ? "maker" : "taker");
      if (rate && d(o.fee).isZero()) {
        o.fee = rate.times(o.notional).toString();
      }
    }
    o.done = !["open", "partially_filled", "pending"].includes(order.status);
  }

  #trade(p: ArbPosition, o: ArbOrder, order: Order, status: string): void {
    this.#tradeLog?.append({
      timestamp: this.#clock.now(),
      orderId: order.id,
      clientOrderId: o.clientOrderId,
      side: o.side,
      // open (maker leg), hedge, close, rollback, rebalance.
      kind: o.purpose,
      size: status === "placed" ? o.size : o.filled,
      price: order.price,
      status: `${status}:${order.status}`,
      venue: p[o.leg].venue,
      symbol: p.symbol,
      ...(d(o.filled).gt(0) ? { fee: o.fee } : {}),
    });
    this.#say(
      `[arb] ${p.id} ${p.symbol} ${o.purpose} ${o.leg}@${p[o.leg].venue} ${o.side} ${o.size} ` +
        `@ ${order.price ?? "-"} → ${order.status} filled ${o.filled}`,
    );
  }

  async #refresh(p: ArbPosition, o: ArbOrder): Promise<void> {
    const order = await this.#v(p[o.leg].venue).client.getOrder(p.symbol, {
      clientOrderId: o.clientOrderId,
    });
    if (order) this.#apply(p, o, order);
    else o.done = true; // never reached the venue
  }

  async #book(venue: string, symbol: string): Promise<BookSnapshot> {
    return await this.#v(venue).client.getOrderBook(symbol, 20);
  }

  async #heldOnVenue(venue: string, symbol: string): Promise<Decimal> {
    let positions: Position[];
    try {
      positions = await this.#v(venue).client.getPositions();
    } catch (e) {
      if (e instanceof PerpError && e.retryable) throw new OutageError(venue, e);
      throw e;
    }
    return positions.find((x) => x.symbol === symbol)?.size ?? d(0);
  }

  async #wait(ms: number): Promise<void> {
    const ctl = new AbortController();
    this.#wake = () => ctl.abort();
    try {
      await this.#clock.sleep(ms, ctl.signal);
    } catch {
      // woken by a fill
    } finally {
      this.#wake = undefined;
    }
  }

  /**
   * Takes `size` on one leg with limit IOC orders at a bounded worst price until done or the
   * deadline. Returns what filled.
   */
  async #take(
    p: ArbPosition,
    leg: "long" | "short",
    purpose: ArbOrder["purpose"],
    side: "buy" | "sell",
    size: Decimal,
    deadlineMs: number,
    reduceOnly: boolean,
  ): Promise<Decimal> {
    const venue = p[leg].venue;
    const m = await this.#market(venue, p.symbol);
    const slip = d(this.#o.hedgeSlippage ?? "0.003");
    const deadline = this.#clock.now() + deadlineMs;
    const target = quantize(size, m.sizeStep, "down");
    const sent: ArbOrder[] = [];
    const filledNow = () => sent.reduce((s, o) => s.plus(o.filled), d(0));
    for (;;) {
      // An order whose outcome is not known yet may have filled: it is looked up before
      // anything else is sent, so a lost answer never leads to a second order.
      for (const o of sent.filter((o) => !o.done)) {
        await this.#refresh(p, o).catch((e) =>
          this.#say(`[arb] ${p.id} ${purpose} ${o.clientOrderId} lookup failed: ${describe(e)}`)
        );
      }
      const left = target.minus(filledNow());
      const pending = sent.some((o) => !o.done);
      if (!left.gt(0) || (!pending && left.lt(m.minSize ?? 0))) break;
      if (!pending) {
        try {
          const top = await this.#v(venue).client.getBestBidAsk(p.symbol);
          const worst = side === "buy"
            ? quantize(top.ask.times(slip.plus(1)), m.tickSize, "down")
            : quantize(top.bid.times(d(1).minus(slip)), m.tickSize, "up");
          const o = await this.#send(p, leg, purpose, {
            side,
            size: left,
            price: worst,
            ioc: true,
            reduceOnly,
            resolveBy: deadline,
          });
          sent.push(o);
          if (!o.done) await this.#refresh(p, o);
        } catch (e) {
          if (!(e instanceof PerpError)) throw e;
          this.#say(`[arb] ${p.id} ${purpose} on ${venue} failed: ${describe(e)}`);
          // An order the venue's rules refuse (e.g. below its minimum notional) is refused again
          // until the deadline: what is left counts as not fillable here, at once.
          if (e instanceof InvalidOrderError) break;
        }
      }
      if (filledNow().gte(target) || this.#clock.now() >= deadline) break;
      await this.#wait(Math.min(250, Math.max(1, deadline - this.#clock.now())));
    }
    const filled = filledNow();
    return filled;
  }

  // ------------------------------------------------------------------------------- entry

  async #observations(): Promise<FundingObservation[]> {
    const out: FundingObservation[] = [];
    await Promise.all([...this.#venues.values()].map(async (v) => {
      try {
        const symbols = this.#o.symbols;
        const [rates, data] = await Promise.all([
          v.funding.fetchFundingRates(symbols ? { symbols } : {}),
          v.funding.fetchMarketData(symbols ? { symbols } : {}).catch(() => []),
        ]);
        const bySymbol = new Map(data.map((x) => [x.symbol, x]));
        for (const r of rates) {
          const md = bySymbol.get(r.symbol);
          out.push({
            venue: v.name,
            symbol: r.symbol,
            venueSymbol: r.venueSymbol,
            time: r.timestamp,
            rate: r.rate,
            intervalHours: r.intervalHours,
            hourlyRate: r.hourlyRate,
            apr: r.apr,
            nextFundingTime: r.nextFundingTime,
            markPrice: r.markPrice,
            volume24hUsd: md?.volume24hUsd,
            openInterestUsd: md?.openInterestUsd,
            spreadBps: md?.spreadBps,
          });
        }
      } catch (e) {
        this.#say(`[arb] funding rates of ${v.name} unavailable: ${describe(e)}`);
      }
    }));
    return out;
  }

  #failedOpensLastHour = new Map<string, number[]>();

  async #lookForEntry(signal: AbortSignal): Promise<void> {
    const held = [...this.#positions.values()];
    const full = held.length >= (this.#o.maxPositions ?? 3);
    // At the position limit only a switch can happen, and only from an open position.
    if (full && !held.some((p) => p.status === "open")) return;
    const now = this.#clock.now();
    const obs = await this.#observations();
    const fees: Record<string, VenueFees> = {};
    for (const v of this.#venues.keys()) fees[v] = { maker: d(0), taker: d(0) };
    const opps = filterOpportunities(computeOpportunities(obs, { fees, holdHours: "24" }), {
      now,
      requiredVenue: this.#o.requiredVenue,
      whitelistVenues: [...this.#venues.keys()],
    });
    for (const opp of opps) {
      if (signal.aborted) return;
      const key = pairKey(opp.symbol, opp.long.venue, opp.short.venue);
      const same = held.find((p) => p.symbol === opp.symbol);
      if (same && (same.pairKey === key || same.status !== "open")) continue;
      // A held position this pair could replace: the same symbol (one position per symbol),
      // or at the position limit the open position earning least now.
      const rival = same ?? (full ? this.#weakest(held, obs) : undefined);
      if (full && !rival) continue;
      const gate = await this.#gate(opp.symbol, opp.long.venue, opp.short.venue, obs, key);
      if (!gate) continue;
      if (rival) {
        if (gate.result.ok && await this.#switchTo(rival, key, gate.result, obs)) {
          return; // the new pair is entered at a later step, once the old one is closed
        }
        continue;
      }
      if (!gate.result.ok) {
        this.stats.refusals++;
        this.#say(
          `[arb] skip ${opp.symbol} long ${opp.long.venue} short ${opp.short.venue}: ` +
            `${gate.result.reason} (net ${gate.result.net.toFixed(4)}, net APR ` +
            `${gate.result.netApr.times(100).toFixed(2)} %)`,
        );
        continue;
      }
      const capped = this.#capRefusal(
        opp.symbol,
        opp.long.venue,
        opp.short.venue,
        gate.result.notional,
      );
      if (capped) {
        this.stats.refusals++;
        this.#say(
          `[arb] skip ${opp.symbol} long ${opp.long.venue} short ${opp.short.venue}: ${capped}`,
        );
        continue;
      }
      const others = await this.#store.arbPositions({ pairKey: key, held: true });
      if (others.some((r) => r.owner !== this.#o.owner)) continue;
      if (!await this.#store.claimPair(key, this.#o.owner, now, this.#o.claimTtlMs ?? 120_000)) {
        this.#say(`[arb] ${key} is claimed by another bot`);
        continue;
      }
      await this.#enter(opp.symbol, opp.long.venue, opp.short.venue, gate);
      return; // one entry per step
    }
  }

  /** Which notional cap (per symbol, per venue, total) an entry would break, if any. */
  #capRefusal(symbol: string, long: string, short: string, notional: Decimal): string | undefined {
    const held = [...this.#positions.values()].map((p) => ({
      symbol: p.symbol,
      venues: [p.long.venue, p.short.venue],
      notional: this.#notionalOf(p),
    }));
    return capRefusal(held, { symbol, venues: [long, short], notional }, {
      perSymbol: this.#o.maxSymbolNotionalUsd,
      perVenue: this.#o.maxVenueNotionalUsd,
      total: this.#o.maxTotalNotionalUsd,
    });
  }

  /** The held spread of a position from the latest observations (short − long, per hour). */
  #heldSpread(p: ArbPosition, obs: FundingObservation[]): Decimal | undefined {
    const l = obs.find((o) => o.venue === p.long.venue && o.symbol === p.symbol);
    const s = obs.find((o) => o.venue === p.short.venue && o.symbol === p.symbol);
    return l && s ? s.hourlyRate.minus(l.hourlyRate) : undefined;
  }

  /** The open position earning least now (by held spread × notional). */
  #weakest(held: ArbPosition[], obs: FundingObservation[]): ArbPosition | undefined {
    let worst: { p: ArbPosition; value: Decimal } | undefined;
    for (const p of held) {
      if (p.status !== "open") continue;
      const spread = this.#heldSpread(p, obs);
      if (!spread) continue;
      const value = spread.times(this.#notionalOf(p));
      if (!worst || value.lt(worst.value)) worst = { p, value };
    }
    return worst?.p;
  }

  /**
   * The better-opportunity exit: closes `p` when the new pair's funding over the horizon, net
   * of closing both held legs now (taker fees + book walk), the new pair's open fees and its
   * hedge's book walk, beats what holding `p` earns ({@linkcode switchDecision}).
   */
  async #switchTo(
    p: ArbPosition,
    key: string,
    next: GateResult,
    obs: FundingObservation[],
  ): Promise<boolean> {
    const spread = this.#heldSpread(p, obs);
    if (!spread) return false;
    const [ml, ms, bl, bs] = await Promise.all([
      this.#market(p.long.venue, p.symbol),
      this.#market(p.short.venue, p.symbol),
      this.#book(p.long.venue, p.symbol),
      this.#book(p.short.venue, p.symbol),
    ]);
    const midL = midOf(bl.bids, bl.asks);
    const midS = midOf(bs.bids, bs.asks);
    if (!midL || !midS) return false;
    const walkL = bookWalkCost(bl.bids, legSize(p, "long").abs(), midL);
    const walkS = bookWalkCost(bs.asks, legSize(p, "short").abs(), midS);
    if (walkL === undefined || walkS === undefined) return false;
    const notional = this.#notionalOf(p);
    const r = switchDecision({
      heldSpread: spread,
      heldNotional: notional,
      closeFees: notional.times(this.#fee(ml, "taker").plus(this.#fee(ms, "taker"))),
      closeCrossing: walkL.plus(walkS),
      next,
    }, this.#o.holdHours);
    const figures = `${key} earns ${r.gain.toFixed(4)} after switching costs ` +
      `${r.costs.toFixed(4)}; holding ${p.pairKey} earns ${r.hold.toFixed(4)}`;
    if (!r.switch) {
      this.stats.switchesRefused++;
      this.#say(`[arb] keep ${p.id}: ${figures}`);
      return false;
    }
    this.stats.switches++;
    await this.#exit(p, `better opportunity: ${figures}`);
    return true;
  }

  #notionalOf(p: ArbPosition): Decimal {
    const open = p.orders.filter((o) => o.leg === p.makerLeg && o.purpose === "open");
    const n = open.reduce((s, o) => s.plus(o.notional), d(0));
    return n.isZero() ? d(this.#o.notionalUsd) : n;
  }

  async #gate(
    symbol: string,
    longVenue: string,
    shortVenue: string,
    obs: FundingObservation[],
    key: string,
  ): Promise<{ result: GateResult; size: Decimal; makerLeg: "long" | "short" } | undefined> {
    const now = this.#clock.now();
    const ol = obs.find((o) => o.venue === longVenue && o.symbol === symbol);
    const os = obs.find((o) => o.venue === shortVenue && o.symbol === symbol);
    if (!ol || !os) return undefined;
    let ml: Market, ms: Market, bl: BookSnapshot, bs: BookSnapshot;
    try {
      [ml, ms, bl, bs] = await Promise.all([
        this.#market(longVenue, symbol),
        this.#market(shortVenue, symbol),
        this.#book(longVenue, symbol),
        this.#book(shortVenue, symbol),
      ]);
    } catch (e) {
      this.#say(`[arb] ${symbol}: market or book unavailable: ${describe(e)}`);
      return undefined;
    }
    if (bl.stale || bs.stale || !bl.bids[0] || !bl.asks[0] || !bs.bids[0] || !bs.asks[0]) {
      const legs: [string, BookSnapshot][] = [[longVenue, bl], [shortVenue, bs]];
      const which = legs.filter(([, b]) => b.stale || !b.bids[0] || !b.asks[0])
        .map(([v, b]) => `${v} ${b.stale ? "stale" : "one-sided"}`);
      this.#skip(key, `[arb] ${key}: not priced, book ${which.join(", ")}`);
      return undefined;
    }
    const mid = bl.bids[0].price.plus(bl.asks[0].price).plus(bs.bids[0].price)
      .plus(bs.asks[0].price).div(4);
    const step = Decimal.max(ml.sizeStep, ms.sizeStep);
    let size = quantize(d(this.#o.notionalUsd).div(mid), step, "down");
    while (size.gt(0) && !(size.mod(ml.sizeStep).isZero() && size.mod(ms.sizeStep).isZero())) {
      size = size.minus(step);
    }
    if (!size.gt(0) || size.lt(ml.minSize ?? 0) || size.lt(ms.minSize ?? 0)) {
      this.#skip(
        key,
        `[arb] ${key}: --notional buys ${size} ${symbol}, under a leg's minimum size`,
      );
      return undefined;
    }
    this.#skipped.delete(key);
    // The thinner book (less size in its top levels) rests the maker order.
    const depth = (b: BookSnapshot) =>
      [...b.bids.slice(0, 5), ...b.asks.slice(0, 5)].reduce((s, l) => s.plus(l.size), d(0));
    const makerLeg = depth(bl).lte(depth(bs)) ? "long" : "short";
    const leg = (o: FundingObservation, m: Market, b: BookSnapshot): GateLeg => ({
      venue: o.venue,
      rate: o.rate,
      hourlyRate: o.hourlyRate,
      nextFundingTime: o.nextFundingTime,
      makerFee: this.#fee(m, "maker"),
      takerFee: this.#fee(m, "taker"),
      bids: b.bids,
      asks: b.asks,
      volume24hUsd: o.volume24hUsd,
      openInterestUsd: o.openInterestUsd,
    });
    const failed = (this.#failedOpensLastHour.get(key) ?? []).filter((t) => t > now - HOUR_MS);
    this.#failedOpensLastHour.set(key, failed);
    const result = entryGate({
      long: leg(ol, ml, bl),
      short: leg(os, ms, bs),
      size,
      makerLeg,
      now,
      failedOpensLastHour: failed.length,
    }, this.#o);
    return { result, size, makerLeg };
  }

  async #enter(
    symbol: string,
    longVenue: string,
    shortVenue: string,
    gate: { result: GateResult; size: Decimal; makerLeg: "long" | "short" },
  ): Promise<void> {
    const now = this.#clock.now();
    const obs = gate.result;
    const p: ArbPosition = {
      id: `${symbol}-${now}-${++this.#seq}`,
      symbol,
      pairKey: pairKey(symbol, longVenue, shortVenue),
      status: "opening",
      entryReason: `net ${obs.net.toFixed(4)} over the horizon (funding ${obs.funding.toFixed(4)}` +
        `, fees ${obs.fees.toFixed(4)}, crossing ${obs.crossing.toFixed(4)}, buffer ` +
        `${obs.buffer.toFixed(4)}), net APR ${obs.netApr.times(100).toFixed(2)} %`,
      openedAt: now,
      long: { venue: longVenue, funding: "0" },
      short: { venue: shortVenue, funding: "0" },
      makerLeg: gate.makerLeg,
      targetSize: gate.size.toString(),
      entrySpread: obs.notional.isZero() ? "0" : obs.funding.div(obs.notional)
        .div(new Decimal(this.#o.holdHours)).toString(),
      entryNetApr: obs.netApr.toString(),
      orders: [],
      rollbackCost: "0",
      nakedMs: [],
      flips: 0,
      erosions: 0,
    };
    await this.#save(p);
    this.#say(
      `[arb] enter ${p.id}: long ${longVenue} short ${shortVenue} ${p.targetSize} ` +
        `${symbol}; ${p.entryReason}`,
    );
    try {
      await this.#open(p);
    } catch (e) {
      if (!(e instanceof PerpError)) throw e;
      // Never left half-open: what was sent is read back and a one-legged fill closed.
      this.#say(`[arb] ${p.id} entry interrupted: ${describe(e)}; reconciling`);
      // What the reconcile cannot finish now (another unreadable answer) is finished by the
      // next step, which comes soon.
      this.#unsettled.add(p.id);
      await this.#reconcile(p);
    }
  }

  /** Maker leg, hedge of every fill, unhedgeable remainder closed, rollback on failure. */
  async #open(p: ArbPosition): Promise<void> {
    const makerLeg = p.makerLeg;
    const hedgeLeg = makerLeg === "long" ? "short" : "long";
    const makerSide = makerLeg === "long" ? "buy" : "sell";
    const hedgeSide = makerSide === "buy" ? "sell" : "buy";
    const mm = await this.#market(p[makerLeg].venue, p.symbol);
    const hm = await this.#market(p[hedgeLeg].venue, p.symbol);
    const target = d(p.targetSize);
    const makerClient = this.#v(p[makerLeg].venue).client;
    const start = this.#clock.now();
    const deadline = start + (this.#o.makerTimeoutMs ?? 30_000);
    const band = d(this.#o.priceBand ?? "0.002");
    const first = await makerClient.getBestBidAsk(p.symbol);
    const mid0 = first.bid.plus(first.ask).div(2);
    const lo = mid0.times(d(1).minus(band));
    const hi = mid0.times(band.plus(1));
    let active: ArbOrder | undefined;
    let activePrice: Decimal | undefined;
    let nakedSince: number | undefined;
    let hedgedUntil = -Infinity;
    let failed = false;
    const makerFilled = () =>
      p.orders.filter((o) => o.leg === makerLeg && o.purpose === "open")
        .reduce((s, o) => s.plus(o.filled), d(0));
    const hedged = () =>
      p.orders.filter((o) => o.leg === hedgeLeg && o.purpose === "hedge")
        .reduce((s, o) => s.plus(o.filled), d(0));
    const closedRemainder = () =>
      p.orders.filter((o) => o.leg === makerLeg && o.purpose === "rollback")
        .reduce((s, o) => s.plus(o.filled), d(0));
    const hedgeWhatFilled = async (): Promise<void> => {
      const unhedged = makerFilled().minus(hedged()).minus(closedRemainder());
      const size = quantize(unhedged, hm.sizeStep, "down");
      if (!size.gt(0) || size.lt(hm.minSize ?? 0)) return;
      if (nakedSince === undefined) {
        const seen = p.orders.filter((o) => o.leg === makerLeg && o.purpose === "open")
          .map((o) => this.#fillSeenAt.get(o.clientOrderId))
          .filter((t): t is number => t !== undefined && t > hedgedUntil);
        nakedSince = seen.length > 0 ? Math.min(...seen) : this.#now();
      }
      const got = await this.#take(
        p,
        hedgeLeg,
        "hedge",
        hedgeSide,
        size,
        this.#o.hedgeDeadlineMs ?? 5_000,
        false,
      );
      if (got.lt(size)) {
        failed = true;
        return;
      }
      hedgedUntil = this.#now();
      p.nakedMs.push(hedgedUntil - nakedSince);
      nakedSince = undefined;
      await this.#save(p);
    };
    while (!failed) {
      const remaining = target.minus(makerFilled());
      if (!remaining.gt(0) || this.#clock.now() >= deadline) break;
      const top = await makerClient.getBestBidAsk(p.symbol);
      const tick = (await this.#market(p[makerLeg].venue, p.symbol)).tickSize;
      let price = makerSide === "buy"
        ? Decimal.min(top.bid.plus(tick), top.ask.minus(tick))
        : Decimal.max(top.ask.minus(tick), top.bid.plus(tick));
      if (makerSide === "buy" && price.lt(top.bid)) price = top.bid;
      if (makerSide === "sell" && price.gt(top.ask)) price = top.ask;
      // Our own order at the top of the book is not a price to improve on.
      const ownTop = makerSide === "buy" ? top.bid : top.ask;
      if (active && activePrice?.eq(ownTop)) price = activePrice;
      const inBand = price.gte(lo) && price.lte(hi);
      if (active && activePrice && !activePrice.eq(price)) {
        await makerClient.cancelOrder(p.symbol, { clientOrderId: active.clientOrderId })
          .catch(() => {});
        await this.#refresh(p, active);
        active = undefined;
        await hedgeWhatFilled();
        continue;
      }
      if (!active && inBand) {
        try {
          active = await this.#send(p, makerLeg, "open", {
            side: makerSide,
            size: quantize(remaining, mm.sizeStep, "down"),
            price,
            postOnly: true,
          });
          activePrice = price;
          if (active.done) active = undefined;
        } catch (e) {
          if (!(e instanceof PostOnlyWouldCrossError)) {
            this.#say(`[arb] ${p.id} maker order failed: ${describe(e)}`);
            if (!(e instanceof OrderRejectedError) && !(e instanceof PerpError && e.retryable)) {
              throw e;
            }
          }
        }
      }
      await hedgeWhatFilled();
      if (failed) break;
      await this.#wait(
        Math.min(this.#o.repriceMs ?? 2_000, Math.max(1, deadline - this.#clock.now())),
      );
      if (active) {
        await this.#refresh(p, active);
        if (active.done) active = undefined;
      }
      await hedgeWhatFilled();
    }
    if (active) {
      await makerClient.cancelOrder(p.symbol, { clientOrderId: active.clientOrderId })
        .catch(() => {});
      await this.#refresh(p, active);
    }
    // A maker order whose answer was lost may still rest: cancel it by client order id.
    for (const o of p.orders.filter((o) => o.leg === makerLeg && !o.done)) {
      await makerClient.cancelOrder(p.symbol, { clientOrderId: o.clientOrderId }).catch(() => {});
      await this.#refresh(p, o).catch(() => {});
    }
    if (p.orders.some((o) => o.leg === makerLeg && o.purpose === "open" && !o.done)) {
      // Its fate is unknown: the position stays "opening" and is reconciled next step.
      this.#failedOpen(p);
      this.#retrySoon = true;
      this.#say(`[arb] ${p.id} maker order unresolved; reconciled at the next step`);
      await this.#save(p);
      return;
    }
    if (!failed) await hedgeWhatFilled();
    // What cannot be hedged (below the hedge venue's step or minimum), or every unhedged fill
    // after a failed hedge, is closed on the maker leg.
    const unhedged = makerFilled().minus(hedged()).minus(closedRemainder());
    if (unhedged.gt(0)) {
      const before = positionPnl(p);
      const closed = await this.#take(
        p,
        makerLeg,
        "rollback",
        makerSide === "buy" ? "sell" : "buy",
        unhedged,
        this.#o.hedgeDeadlineMs ?? 5_000,
        true,
      );
      const after = positionPnl(p);
      const leg = (x: ArbPnl) => x[makerLeg];
      const cost = leg(before).price.minus(leg(after).price)
        .plus(leg(after).fees.minus(leg(before).fees));
      // Open fees of the rolled-back size, pro rata.
      const openFees = p.orders.filter((o) => o.leg === makerLeg && o.purpose === "open")
        .reduce((s, o) => s.plus(o.fee), d(0));
      const share = makerFilled().isZero() ? d(0) : closed.div(makerFilled());
      p.rollbackCost = d(p.rollbackCost).plus(cost).plus(openFees.times(share)).toString();
      if (nakedSince !== undefined) p.nakedMs.push(this.#now() - nakedSince);
      if (closed.lt(unhedged)) {
        this.#retrySoon = true;
        await this.#notify(
          `WARNING: [arb] ${p.id} ${unhedged.minus(closed)} ${p.symbol} left ` +
            `unhedged on ${p[makerLeg].venue}; retried at the next step`,
        );
      }
    }
    const held = hedged();
    if (failed || held.isZero()) {
      this.#failedOpen(p);
      this.stats.rollbacks++;
      this.#say(
        `[arb] ${p.id} rolled back (${failed ? "hedge failed" : "maker not filled"}); ` +
          `rollback cost ${d(p.rollbackCost).toFixed(4)}`,
      );
      if (held.gt(0)) {
        // Part was hedged before the failure: the hedged part is an open position.
        p.status = "open";
      } else if (legSize(p, makerLeg).isZero()) {
        p.status = "rolled_back";
        p.closedAt = this.#clock.now();
        await this.#store.releasePair(p.pairKey, this.#o.owner);
      } else {
        p.status = "closing";
        p.exitReason = "rollback incomplete";
      }
    } else {
      p.status = "open";
      this.stats.entries++;
    }
    await this.#save(p);
    if (p.status === "open") {
      this.#say(
        `[arb] ${p.id} open: long ${legSize(p, "long")} on ${p.long.venue}, short ` +
          `${legSize(p, "short").neg()} on ${p.short.venue}; naked ${p.nakedMs.join("/")} ms`,
      );
    }
    void start;
  }

  #failedOpen(p: ArbPosition): void {
    const list = this.#failedOpensLastHour.get(p.pairKey) ?? [];
    list.push(this.#clock.now());
    this.#failedOpensLastHour.set(p.pairKey, list);
  }

  // ------------------------------------------------------------------------------- holding

  async #onOutage(p: ArbPosition, e: OutageError): Promise<void> {
    const now = this.#clock.now();
    const since = this.#outageSince.get(e.venue);
    if (since === undefined) {
      this.#outageSince.set(e.venue, now);
      this.#say(`[arb] ${e.venue} unreachable: no new entries; ${p.id} kept hedged`);
      await this.#notify(`WARNING: [arb] ${e.venue} unreachable; holding ${p.id}, no new entries`);
      return;
    }
    if (now - since < (this.#o.outageLimitMs ?? 600_000)) return;
    // Past the limit: reduce the reachable leg, the other one is closed once it is back.
    const other = p.long.venue === e.venue ? "short" : "long";
    const size = legSize(p, other);
    if (size.isZero()) return;
    p.status = "closing";
    p.exitReason = `outage of ${e.venue} past the limit`;
    await this.#save(p);
    this.#say(`[arb] ${p.id}: ${p.exitReason}; closing the ${other} leg on ${p[other].venue}`);
    await this.#take(
      p,
      other,
      "close",
      size.isPositive() ? "sell" : "buy",
      size.abs(),
      this.#o.hedgeDeadlineMs ?? 5_000,
      true,
    ).catch((err) => this.#say(`[arb] ${p.id} close failed: ${describe(err)}`));
    await this.#save(p);
  }

  /** Funding, drift, liquidation distance and exit rules of one position. */
  async #hold(p: ArbPosition, reconciling: boolean): Promise<void> {
    for (const o of p.orders.filter((o) => !o.done)) {
      await this.#refresh(p, o).catch(() => {});
    }
    const [vl, vs] = [
      await this.#heldOnVenue(p.long.venue, p.symbol),
      await this.#heldOnVenue(
        p.short.venue,
        p.symbol,
      ),
    ];
    for (const v of [p.long.venue, p.short.venue]) {
      if (this.#outageSince.delete(v)) this.#say(`[arb] ${v} reachable again`);
    }
    await this.#attributeFunding(p);
    if (p.status === "closing") {
      await this.#exit(p, p.exitReason ?? "closing");
      return;
    }
    if (p.status === "opening") {
      // An entry interrupted earlier (an answer that could not be read): finish it now.
      await this.#reconcile(p);
      return;
    }
    // Venue truth wins over the record for sizes (a fill the record missed).
    const ml = await this.#market(p.long.venue, p.symbol);
    const ms = await this.#market(p.short.venue, p.symbol);
    const step = Decimal.max(ml.sizeStep, ms.sizeStep);
    const drift = vl.abs().minus(vs.abs());
    if (drift.abs().gt(step.times(this.#o.driftSteps ?? 1))) {
      const leg = drift.isPositive() ? "long" : "short";
      const venuePos = leg === "long" ? vl : vs;
      const m = leg === "long" ? ml : ms;
      const size = quantize(drift.abs(), m.sizeStep, "down");
      this.#say(`[arb] ${p.id} drift ${drift}: reducing ${leg} on ${p[leg].venue} by ${size}`);
      this.stats.rebalances++;
      await this.#take(
        p,
        leg,
        "rebalance",
        venuePos.isPositive() ? "sell" : "buy",
        size,
        5_000,
        true,
      );
      await this.#save(p);
    }
    if (reconciling) return;
    const positions = await Promise.all(
      [p.long.venue, p.short.venue].map((v) => this.#v(v).client.getPositions()),
    );
    const minDist = d(this.#o.minLiquidationDistance ?? "0.05");
    for (const list of positions) {
      const pos = list.find((x) => x.symbol === p.symbol);
      if (!pos?.liquidationPrice || !pos.markPrice || pos.liquidationPrice.isZero()) continue;
      const dist = pos.markPrice.minus(pos.liquidationPrice).abs().div(pos.markPrice);
      if (dist.lt(minDist)) {
        await this.#notify(
          `WARNING: [arb] ${p.id} ${pos.venue} is ${dist.times(100).toFixed(2)} % ` +
            `from liquidation: closing (top up margin to keep such positions)`,
        );
        await this.#exit(p, `liquidation risk on ${pos.venue}`);
        return;
      }
    }
    await this.#exitRules(p);
  }

  async #attributeFunding(p: ArbPosition): Promise<void> {
    let changed = false;
    for (const leg of ["long", "short"] as const) {
      const payments = await this.#v(p[leg].venue).client.getFundingPayments({
        symbol: p.symbol,
        start: p.openedAt,
        ...(p.closedAt !== undefined ? { end: p.closedAt } : {}),
      });
      const seen = new Set<string>();
      let sum = d(0);
      for (const x of payments) {
        const id = x.id ?? `${x.time}`;
        if (seen.has(id)) continue;
        seen.add(id);
        sum = sum.plus(x.amount);
      }
      if (!sum.eq(p[leg].funding)) {
        p[leg].funding = sum.toString();
        changed = true;
      }
    }
    if (changed) await this.#save(p);
  }

  async #exitRules(p: ArbPosition): Promise<void> {
    const now = this.#clock.now();
    if (now - p.openedAt >= (this.#o.maxHoldHours ?? 168) * HOUR_MS) {
      await this.#exit(p, "max hold");
      return;
    }
    const [rl, rs] = await Promise.all([
      this.#v(p.long.venue).funding.fetchFundingRates({ symbols: [p.symbol] }),
      this.#v(p.short.venue).funding.fetchFundingRates({ symbols: [p.symbol] }),
    ]);
    const l = rl.find((r) => r.symbol === p.symbol);
    const s = rs.find((r) => r.symbol === p.symbol);
    if (!l || !s) return;
    const spread = s.hourlyRate.minus(l.hourlyRate);
    const next = Math.min(l.nextFundingTime ?? Infinity, s.nextFundingTime ?? Infinity);
    if (p.watchSettlement === undefined) {
      p.watchSettlement = next;
      await this.#save(p);
      return;
    }
    if (now < p.watchSettlement) return;
    // A settlement passed: judge the spread the next one will pay.
    p.watchSettlement = next;
    p.flips = spread.lt(0) ? p.flips + 1 : 0;
    p.erosions = spread.lt(d(p.entrySpread).times(this.#o.erosionFraction ?? "0.25"))
      ? p.erosions + 1
      : 0;
    await this.#save(p);
    const n = this.#o.flipSettlements ?? 2;
    const trigger = p.flips >= n ? "spread flip" : p.erosions >= n ? "spread erosion" : undefined;
    if (!trigger) return;
    // After fees: exit only if holding over the horizon would lose more than exiting costs.
    const notional = this.#notionalOf(p);
    const ml = await this.#market(p.long.venue, p.symbol);
    const ms = await this.#market(p.short.venue, p.symbol);
    const exitCost = notional.times(this.#fee(ml, "taker").plus(this.#fee(ms, "taker")));
    const holding = spread.times(notional).times(new Decimal(this.#o.holdHours));
    if (holding.plus(exitCost).lt(0)) {
      await this.#exit(
        p,
        `${trigger} (${p.flips} settlements; holding ${holding.toFixed(4)} ` +
          `vs exit cost ${exitCost.toFixed(4)})`,
      );
    } else {
      this.#say(
        `[arb] ${p.id} ${trigger}, but holding (${holding.toFixed(4)}) beats exiting ` +
          `(cost ${exitCost.toFixed(4)})`,
      );
    }
  }

  // ------------------------------------------------------------------------------- exit

  /** Closes both legs reduce-only: the hedge (liquid) leg first, the other sized to it. */
  async #exit(p: ArbPosition, reason: string): Promise<void> {
    if (p.status !== "closing") {
      p.status = "closing";
      p.exitReason = reason;
      await this.#save(p);
      this.#say(`[arb] exit ${p.id}: ${reason}`);
    }
    const firstLeg = p.makerLeg === "long" ? "short" : "long";
    const secondLeg = p.makerLeg;
    const deadline = this.#o.hedgeDeadlineMs ?? 5_000;
    const close = async (leg: "long" | "short", size: Decimal, ms: number) => {
      if (!size.gt(0)) return d(0);
      const held = legSize(p, leg);
      return await this.#take(
        p,
        leg,
        "close",
        held.isPositive() ? "sell" : "buy",
        size,
        ms,
        true,
      );
    };
    const a = legSize(p, firstLeg).abs();
    const t0 = this.#now();
    await close(firstLeg, a, deadline);
    // Mirror of the entry: the other leg closes exactly what the first leg has closed, within
    // the hedge deadline and a second one (the entry's rollback time): the naked window of an
    // exit is bounded like an entry's, not by the next step.
    const b = legSize(p, secondLeg).abs().minus(legSize(p, firstLeg).abs());
    await close(secondLeg, b, 2 * deadline);
    if (b.gt(0)) p.nakedMs.push(this.#now() - t0);
    if (legSize(p, "long").isZero() && legSize(p, "short").isZero()) {
      p.status = "closed";
      p.closedAt = this.#clock.now();
      await this.#attributeFunding(p);
      this.stats.exits++;
      const pnl = positionPnl(p);
      this.#say(
        `[arb] closed ${p.id} (${p.exitReason}): long ${p.long.venue} price ${
          pnl.long.price.toFixed(2)
        } fees ${pnl.long.fees.toFixed(2)} funding ${pnl.long.funding.toFixed(2)}; short ` +
          `${p.short.venue} price ${pnl.short.price.toFixed(2)} fees ${
            pnl.short.fees.toFixed(2)
          } funding ${pnl.short.funding.toFixed(2)}; rollback ${
            pnl.rollbackCost.toFixed(2)
          }; total ${pnl.total.toFixed(2)}`,
      );
      await this.#store.releasePair(p.pairKey, this.#o.owner);
    } else {
      // A leg is still open (a close that did not fill in time): finished at the next step,
      // which comes soon.
      this.#retrySoon = true;
    }
    await this.#save(p);
  }

  // ------------------------------------------------------------------------------- restart

  /**
   * Brings a persisted position in line with both venues before anything else: pending orders
   * are canceled and read back by client order id, then a one-legged or unbalanced position is
   * hedged down to the smaller leg (or closed), and a closing one is finished.
   */
  async #reconcile(p: ArbPosition): Promise<void> {
    this.#say(`[arb] reconciling ${p.id} (${p.status})`);
    for (const o of p.orders) {
      if (o.done) continue;
      const client = this.#v(p[o.leg].venue).client;
      await client.cancelOrder(p.symbol, { clientOrderId: o.clientOrderId }).catch(() => {});
      await this.#refresh(p, o);
    }
    await this.#market(p.long.venue, p.symbol);
    await this.#market(p.short.venue, p.symbol);
    const vl = await this.#heldOnVenue(p.long.venue, p.symbol);
    const vs = await this.#heldOnVenue(p.short.venue, p.symbol);
    const rl = legSize(p, "long");
    const rs = legSize(p, "short");
    if (!vl.eq(rl) || !vs.eq(rs)) {
      this.#say(`[arb] ${p.id}: record long ${rl} short ${rs}, venues long ${vl} short ${vs}`);
    }
    if (p.status === "opening") {
      if (vl.isZero() && vs.isZero()) {
        p.status = "rolled_back";
        p.closedAt = this.#clock.now();
        this.#failedOpen(p);
        await this.#save(p);
        await this.#store.releasePair(p.pairKey, this.#o.owner);
        return;
      }
      if (vl.isZero() || vs.isZero()) {
        // One-legged: close it (never left naked).
        await this.#exit(p, "one-legged after restart");
        this.#failedOpen(p);
        return;
      }
      p.status = "open";
      await this.#save(p);
    }
    await this.#hold(p, true);
  }

  #status(): void {
    const now = this.#clock.now();
    if (now - this.#lastStatus < (this.#o.statusIntervalMs ?? 60_000)) return;
    this.#lastStatus = now;
    const parts = [...this.#positions.values()].map((p) => {
      const pnl = positionPnl(p);
      const next = p.watchSettlement === undefined
        ? "?"
        : `${Math.max(0, Math.round((p.watchSettlement - now) / 1000))} s`;
      return `${p.symbol} L ${p.long.venue}/S ${p.short.venue} ${p.status} net APR ` +
        `${d(p.entryNetApr).times(100).toFixed(2)} % funding ${
          pnl.long.funding.plus(pnl.short.funding).toFixed(4)
        } next settlement ${next}`;
    });
    this.#say(
      `[arb] status: ${parts.length} open${parts.length ? `: ${parts.join("; ")}` : ""} ` +
        `(entries ${this.stats.entries}, rollbacks ${this.stats.rollbacks}, exits ${this.stats.exits})`,
    );
  }
}
