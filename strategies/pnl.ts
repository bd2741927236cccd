/**
 * The bots' one PnL account: {@linkcode PnlTracker} splits a run's result into realized,
 * unrealized, fees and funding, from the clients' fill, order and funding events (and, for
 * funding, the venue's `getFundingPayments`). The grid's status line, its stop summary, the
 * `--json` events and the `--status-port` page all read the same tracker.
 *
 * - realized: average-entry method per venue and symbol, from the position held at start
 *   ({@linkcode PnlTracker.seed}) and every fill since (duplicates by trade id ignored);
 *   before fees and funding;
 * - fees: the fills' fees (negative = rebates);
 * - funding: payments received (negative = paid), each payment once;
 * - unrealized: what the venues report on their positions ({@linkcode PnlTracker.setPositions});
 * - net = realized + unrealized − fees + funding.
 *
 * Fills are booked per order by cumulative size. A fill the private stream never delivered (it
 * was sent while the socket reconnected) still shows in the order's state: an `order` event, or
 * an `Order` handed to {@linkcode PnlTracker.recordOrder}, whose filled size exceeds what is
 * booked for that order books the difference at the price its average implies,
 * (average × filled − booked notional) ÷ difference. A fill event that arrives later for a part
 * booked that way adds nothing to the size or the realized PnL; it only puts its real fee in
 * place of the estimate. The fee of a part booked from an order's state is estimated from the
 * venue's maker/taker rate ({@linkcode PnlTrackerOptions.feeRates}: maker for post-only orders,
 * taker otherwise) and reported as estimated; without a rate it is left out of `fees` and
 * counted as unknown. An order whose filled size grew without an average fill price is counted
 * as unpriced until a fill or an average arrives. The split and {@linkcode formatPnl} say each
 * of these when there is any.
 *
 * @module
 */
import {
  Decimal,
  type ExchangeClient,
  type ExchangeEvent,
  type Fill,
  type FundingPayment,
  type Order,
  type Position,
  type Side,
} from "../base.ts";

const ZERO = new Decimal(0);
/** Trade and payment ids, and orders, remembered for de-duplication. */
const SEEN_LIMIT = 20_000;

/**
 * A PnL split, in the quote asset.
 *
 * @example
 * ```ts
 * import { Decimal } from "../base.ts";
 * import type { PnlSplit } from "./pnl.ts";
 * const zero = new Decimal(0);
 * const s: PnlSplit = { realized: zero, unrealized: zero, fees: zero, funding: zero, net: zero };
 * ```
 */
export interface PnlSplit {
  /** Realized trading PnL, before fees and funding. */
  realized: Decimal;
  /** Unrealized PnL of the open positions, as the venues report it. */
  unrealized: Decimal;
  /** Fees paid (negative = rebates received). */
  fees: Decimal;
  /** Funding received (negative = paid). */
  funding: Decimal;
  /** realized + unrealized − fees + funding. */
  net: Decimal;
  /**
   * The part of `fees` estimated from fee rates (fills booked from an order's state whose own
   * fee has not arrived). Present only when not zero.
   */
  feesEstimated?: Decimal;
  /**
   * Fills booked from an order's state whose fee is not in `fees` (no fee rate was given for
   * the venue). Present only when not zero.
   */
  feesUnknown?: number;
  /**
   * Orders whose venue-reported filled size is beyond what is booked, without a price to book
   * it at yet (no average fill price). Present only when not zero.
   */
  unpriced?: number;
}

/**
 * A venue's fee rates, as fractions of the notional (`0.00015` = 0.015 %; negative = rebate).
 *
 * @example
 * ```ts
 * import { Decimal } from "../base.ts";
 * import type { FeeRates } from "./pnl.ts";
 * const edgex: FeeRates = { maker: new Decimal("0.00015"), taker: new Decimal("0.00038") };
 * ```
 */
export interface FeeRates {
  /** Rate of a fill that rested on the book. */
  maker: Decimal;
  /** Rate of a fill that took liquidity. */
  taker: Decimal;
}

/**
 * Options of {@linkcode PnlTracker}.
 *
 * @example
 * ```ts
 * import { Decimal } from "../base.ts";
 * import { PnlTracker, type PnlTrackerOptions } from "./pnl.ts";
 * const options: PnlTrackerOptions = {
 *   feeRates: { edgex: { maker: new Decimal("0.00015"), taker: new Decimal("0.00038") } },
 * };
 * new PnlTracker(options);
 * ```
 */
export interface PnlTrackerOptions {
  /**
   * Fee rates by venue name (or `"<venue>:<symbol>"`, which wins), for fills booked from an
   * order's state before (or without) their fill event. Without a rate such a fill's fee is
   * left out of the split and counted in {@linkcode PnlSplit.feesUnknown}.
   * @default {none}
   */
  feeRates?: Readonly<Record<string, FeeRates>>;
  /**
   * Start of the run (ms): an order first seen in {@linkcode PnlTracker.recordOrder} that was
   * created before it is adopted ({@linkcode PnlTracker.adopt}) instead of booked, so the fills
   * of orders from before the run — already in the seeded position — are never booked again
   * when a lookup or a re-read brings them up. @default {no such rule}
   */
  since?: number;
}

/**
 * What {@linkcode PnlTracker.recordOrder} booked from an order's state.
 *
 * @example
 * ```ts
 * import type { OrderBooking } from "./pnl.ts";
 * const text = (b: OrderBooking) => `${b.size} @ ${b.price}, fee ${b.fee ?? "unknown"}`;
 * ```
 */
export interface OrderBooking {
  /** Size booked (the order's filled size beyond what was booked before). */
  size: Decimal;
  /** Price it was booked at (implied by the order's average fill price). */
  price: Decimal;
  /** Fee estimated from the venue's rate, `undefined` when no rate was given. */
  fee: Decimal | undefined;
  /** Whether the estimate used the maker rate (post-only orders) or the taker rate. */
  liquidity: "maker" | "taker";
  /** Realized PnL it booked. */
  realized: Decimal;
}

interface Book {
  size: Decimal;
  cost: Decimal;
}

/** A part of an order booked from its state and not yet matched by fill events. */
interface Part {
  /** Size not yet matched by fill events. */
  size: Decimal;
  /** Of `size`, how much closed a position (matched first). */
  closing: Decimal;
  /** Average entry of the position it closed. */
  entry: Decimal;
  /** 1 when it closed a long, −1 a short. */
  direction: 1 | -1;
  /** Estimated fee of `size`; `undefined` = unknown. */
  fee: Decimal | undefined;
  /** Filled before the run ({@linkcode PnlTracker.adopt}): matching fills book nothing. */
  adopted: boolean;
}

/** One order's fills as booked. */
interface OrderFills {
  venue: string;
  symbol: string;
  side: Side;
  keys: string[];
  /** Size booked (fill events and order states). */
  booked: Decimal;
  /** Σ price × size booked. */
  notional: Decimal;
  /** Size delivered by fill events. */
  streamed: Decimal;
  /** Largest filled size the venue reported. */
  reported: Decimal;
  parts: Part[];
  /** Whether the start-of-run rule ({@linkcode PnlTrackerOptions.since}) was applied. */
  dated?: boolean;
}

/**
 * Formats a split for a log line: `realized +5 | unrealized 0 | fees -0.4579 | funding -0.06 |
 * net +4.4821 USDT` (fees shown as what they took from the account, so every part adds up to
 * the net). When part of the fees is estimated or unknown, or some fills are not priced yet,
 * it says so at the end.
 *
 * @param split The split.
 * @param asset Quote asset to name. @default {""}
 * @param places Decimal places. @default {4}
 * @returns The text.
 *
 * @example
 * ```ts
 * import { Decimal } from "../base.ts";
 * import { formatPnl } from "./pnl.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const d = (s: string) => new Decimal(s);
 * equal(
 *   formatPnl({ realized: d("5"), unrealized: d("0"), fees: d("0.4579"), funding: d("-0.06"),
 *     net: d("4.4821") }, "USD"),
 *   "realized +5.0000 | unrealized +0.0000 | fees -0.4579 | funding -0.0600 | net +4.4821 USD",
 * );
 * equal(
 *   formatPnl({ realized: d("5"), unrealized: d("0"), fees: d("0.1"), funding: d("0"),
 *     net: d("4.9"), feesEstimated: d("0.0968"), feesUnknown: 1 }),
 *   "realized +5.0000 | unrealized +0.0000 | fees -0.1000 | funding +0.0000 | net +4.9000" +
 *     " (0.0968 of the fees estimated from the venue's rate; 1 fill's fee unknown, not counted)",
 * );
 * ```
 */
export function formatPnl(split: PnlSplit, asset = "", places = 4): string {
  const s = (d: Decimal) => `${d.isNegative() ? "" : "+"}${d.toFixed(places)}`;
  const notes: string[] = [];
  if (split.feesEstimated && !split.feesEstimated.isZero()) {
    notes.push(
      `${split.feesEstimated.toFixed(places)} of the fees estimated from the venue's rate`,
    );
  }
  if (split.feesUnknown) {
    notes.push(
      `${split.feesUnknown} fill${split.feesUnknown === 1 ? "'s" : "s'"} fee unknown, not counted`,
    );
  }
  if (split.unpriced) {
    notes.push(
      `${split.unpriced} order${split.unpriced === 1 ? "'s" : "s'"} fills not priced yet, ` +
        "not counted",
    );
  }
  return `realized ${s(split.realized)} | unrealized ${s(split.unrealized)} | ` +
    `fees ${s(split.fees.neg())} | funding ${s(split.funding)} | net ${s(split.net)}` +
    (asset ? ` ${asset}` : "") + (notes.length > 0 ? ` (${notes.join("; ")})` : "");
}

/**
 * The split as JSON (`GET /api/v1/bot`, `--json`): `{ realized, unrealized, fees, funding, net }`
 * as decimal strings, plus `fees_estimated` (string), `fees_unknown` and `unpriced` (counts)
 * when the split has them.
 *
 * @param split The split.
 * @returns The JSON object.
 *
 * @example
 * ```ts
 * import { Decimal } from "../base.ts";
 * import { pnlJson } from "./pnl.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const z = new Decimal(0);
 * deepEqual(pnlJson({ realized: new Decimal("1"), unrealized: z, fees: z, funding: z, net: new Decimal("1") }),
 *   { realized: "1", unrealized: "0", fees: "0", funding: "0", net: "1" });
 * deepEqual(pnlJson({ realized: z, unrealized: z, fees: z, funding: z, net: z, feesUnknown: 2 }),
 *   { realized: "0", unrealized: "0", fees: "0", funding: "0", net: "0", fees_unknown: 2 });
 * ```
 */
export function pnlJson(split: PnlSplit): PnlJson {
  return {
    realized: split.realized.toString(),
    unrealized: split.unrealized.toString(),
    fees: split.fees.toString(),
    funding: split.funding.toString(),
    net: split.net.toString(),
    ...(split.feesEstimated && !split.feesEstimated.isZero()
      ? { fees_estimated: split.feesEstimated.toString() }
      : {}),
    ...(split.feesUnknown ? { fees_unknown: split.feesUnknown } : {}),
    ...(split.unpriced ? { unpriced: split.unpriced } : {}),
  };
}

/**
 * The JSON form of a {@linkcode PnlSplit} (see {@linkcode pnlJson}).
 *
 * @example
 * ```ts
 * import type { PnlJson } from "./pnl.ts";
 * const net = (j: PnlJson) => Number(j.net);
 * ```
 */
export type PnlJson =
  & Record<"realized" | "unrealized" | "fees" | "funding" | "net", string>
  & { fees_estimated?: string; fees_unknown?: number; unpriced?: number };

/**
 * Keeps a run's PnL split (see the module documentation).
 *
 * @example Buy 0.01 at 60000, sell it at 60100, 0.1 fee each
 * ```ts
 * import { Decimal, type Fill } from "../base.ts";
 * import { PnlTracker } from "./pnl.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const pnl = new PnlTracker();
 * const fill = (side: "buy" | "sell", price: string): Fill => ({
 *   venue: "grvt", symbol: "BTC", tradeId: `${side}${price}`, orderId: `${side}`,
 *   clientOrderId: `c-${side}`, side, price: new Decimal(price), size: new Decimal("0.01"),
 *   fee: new Decimal("0.1"), liquidity: "maker", timestamp: 0,
 * });
 * equal(pnl.onFill(fill("buy", "60000"))?.toString(), "0");
 * equal(pnl.onFill(fill("sell", "60100"))?.toString(), "1");
 * equal(pnl.onFill(fill("sell", "60100")), undefined); // the same trade again
 * const s = pnl.split();
 * equal(s.realized.toString(), "1");
 * equal(s.fees.toString(), "0.2");
 * equal(s.net.toString(), "0.8");
 * ```
 *
 * @example A fill missed while the stream reconnected, booked from the order's state
 * ```ts
 * import { Decimal, type Order } from "../base.ts";
 * import { PnlTracker } from "./pnl.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const d = (s: string) => new Decimal(s);
 * const pnl = new PnlTracker({ feeRates: { grvt: { maker: d("0.0002"), taker: d("0.0005") } } });
 * const order: Order = {
 *   venue: "grvt", symbol: "BTC", id: "7", clientOrderId: "c7", side: "buy", type: "limit",
 *   price: d("100"), size: d("1"), filledSize: d("1"), remainingSize: d("0"),
 *   averageFillPrice: d("100"), status: "filled", timeInForce: "gtc", postOnly: true,
 *   reduceOnly: false, createdAt: 0, updatedAt: 0,
 * };
 * equal(pnl.recordOrder(order)?.fee?.toString(), "0.02"); // 1 × 100 × 0.0002 (maker)
 * equal(pnl.recordOrder(order), undefined); // nothing new
 * equal(pnl.split().feesEstimated?.toString(), "0.02");
 * ```
 */
export class PnlTracker {
  readonly #books = new Map<string, Book>();
  readonly #seen = new Set<string>();
  readonly #payments = new Set<string>();
  /** Orders by `venue#id` and `venue@clientOrderId`. */
  readonly #orders = new Map<string, OrderFills>();
  /** Every order once, oldest first (for the bound). */
  readonly #orderList = new Set<OrderFills>();
  readonly #unpriced = new Set<OrderFills>();
  readonly #feeRates: Readonly<Record<string, FeeRates>>;
  readonly #since: number | undefined;
  #realized = ZERO;
  #fees = ZERO;
  #estimated = ZERO;
  #unknown = 0;
  #funding = ZERO;
  #fills = 0;
  #fromOrders = 0;
  #positions: Position[] = [];

  /**
   * A tracker with nothing booked.
   *
   * @param options Fee rates for fills booked from an order's state.
   */
  constructor(options: PnlTrackerOptions = {}) {
    this.#feeRates = options.feeRates ?? {};
    this.#since = options.since;
  }

  /** Fill events counted. */
  get fills(): number {
    return this.#fills;
  }

  /** Parts booked from an order's state (fills the stream had not delivered then). */
  get fromOrders(): number {
    return this.#fromOrders;
  }

  /**
   * Sets the cost basis of a position held before the run (ignored once the symbol has one).
   *
   * @param position The venue's position (size and entry price).
   */
  seed(position: Pick<Position, "venue" | "symbol" | "size" | "entryPrice">): void {
    const key = `${position.venue}:${position.symbol}`;
    if (this.#books.has(key) || position.size.isZero()) return;
    this.#books.set(key, { size: position.size, cost: position.size.times(position.entryPrice) });
  }

  /**
   * Marks what an order had filled before the run as already in the position
   * ({@linkcode PnlTracker.seed}): neither its state nor late fill events of that part are
   * booked; only what it fills from now on. Call it for orders adopted at start.
   *
   * @param order The order as read at start.
   */
  adopt(order: Order): void {
    const o = this.#order(order.venue, order.id, order.clientOrderId, order.symbol, order.side);
    if (!o || o.booked.gt(0) || o.streamed.gt(0) || !order.filledSize.gt(0)) return;
    o.booked = order.filledSize;
    o.reported = order.filledSize;
    o.notional = (order.averageFillPrice ?? ZERO).times(order.filledSize);
    o.parts.push({
      size: order.filledSize,
      closing: ZERO,
      entry: ZERO,
      direction: 1,
      fee: ZERO,
      adopted: true,
    });
  }

  /**
   * Books one fill, once per trade id. A fill of a part already booked from the order's state
   * adds nothing but its real fee (in place of the estimate).
   *
   * @param fill The fill.
   * @returns The realized PnL of this fill (for a part booked earlier from the order's state,
   *   its share of what was booked then), or `undefined` for a duplicate.
   */
  onFill(fill: Fill): Decimal | undefined {
    const id = `${fill.venue}:${fill.tradeId}`;
    if (!remember(this.#seen, id)) return undefined;
    this.#fills++;
    const o = this.#order(fill.venue, fill.orderId, fill.clientOrderId, fill.symbol, fill.side);
    let covered = ZERO;
    let adopted = ZERO;
    let share = ZERO;
    if (o) {
      covered = Decimal.min(fill.size, Decimal.max(ZERO, o.booked.minus(o.streamed)));
      o.streamed = o.streamed.plus(fill.size);
      let left = covered;
      while (left.gt(0) && o.parts.length > 0) {
        const part = o.parts[0];
        const take = Decimal.min(left, part.size);
        if (part.adopted) {
          adopted = adopted.plus(take);
        } else {
          const closing = Decimal.min(take, part.closing);
          share = share.plus(closing.times(fill.price.minus(part.entry)).times(part.direction));
          part.closing = part.closing.minus(closing);
          if (part.fee !== undefined) {
            const estimate = part.fee.times(take).div(part.size);
            part.fee = part.fee.minus(estimate);
            this.#fees = this.#fees.minus(estimate);
            this.#estimated = this.#estimated.minus(estimate);
          }
        }
        part.size = part.size.minus(take);
        left = left.minus(take);
        if (part.size.isZero()) {
          o.parts.shift();
          if (part.fee === undefined) this.#unknown--;
        }
      }
    }
    // Fill events of a part filled before the run carry a fee the run did not pay.
    this.#fees = this.#fees.plus(fill.fee.times(fill.size.minus(adopted)).div(fill.size));
    const fresh = fill.size.minus(covered);
    let realized = ZERO;
    if (fresh.gt(0)) {
      realized = this.#apply(
        `${fill.venue}:${fill.symbol}`,
        fill.side === "buy" ? fresh : fresh.neg(),
        fill.price,
      );
      if (o) {
        o.booked = o.booked.plus(fresh);
        o.notional = o.notional.plus(fresh.times(fill.price));
      }
    }
    if (o) {
      if (o.streamed.gt(o.reported)) o.reported = o.streamed;
      this.#noteUnpriced(o);
    }
    return realized.plus(share);
  }

  /**
   * How much of a fill is already booked from its order's state ({@linkcode
   * PnlTracker.recordOrder}), read before {@linkcode PnlTracker.onFill} books it: a trade log
   * that wrote that part when it was booked skips it when its fill event arrives late.
   *
   * @param fill The fill about to be booked.
   * @returns The covered size, from 0 to the fill's size.
   *
   * @example
   * ```ts
   * import { PnlTracker } from "./pnl.ts";
   * import { Decimal, type Order } from "../base.ts";
   * import { strictEqual as equal } from "node:assert/strict";
   *
   * const pnl = new PnlTracker();
   * const d = (s: string) => new Decimal(s);
   * const order = {
   *   venue: "grvt", symbol: "BTC", id: "1", clientOrderId: "c1", side: "buy", type: "limit",
   *   price: d("100"), size: d("2"), filledSize: d("1"), remainingSize: d("1"),
   *   averageFillPrice: d("100"), status: "partially_filled", timeInForce: "gtc",
   *   postOnly: true, reduceOnly: false, createdAt: 0, updatedAt: 0,
   * } satisfies Order;
   * pnl.recordOrder(order); // the stream missed this fill: booked from the order's state
   * const late = {
   *   venue: "grvt", symbol: "BTC", tradeId: "t1", orderId: "1", clientOrderId: "c1",
   *   side: "buy", price: d("100"), size: d("1"), fee: d("0.02"), liquidity: "maker",
   *   timestamp: 0,
   * } as const;
   * equal(pnl.coveredSize(late).toString(), "1");
   * ```
   */
  coveredSize(fill: Fill): Decimal {
    if (this.#seen.has(`${fill.venue}:${fill.tradeId}`)) return ZERO;
    const o = this.#find(fill.venue, fill.orderId, fill.clientOrderId);
    if (!o) return ZERO;
    return Decimal.min(fill.size, Decimal.max(ZERO, o.booked.minus(o.streamed)));
  }

  /**
   * Books what an order's state shows filled beyond what is booked for it (fills the stream
   * missed, e.g. while it reconnected), at the price its average fill price implies; the fee
   * from the venue's rate, or unknown. Without an average fill price the part waits (counted
   * in {@linkcode PnlSplit.unpriced}).
   *
   * @param order The order as the venue reports it (an `order` event, or `getOrder`).
   * @returns What it booked, or `undefined` when nothing was new or it could not be priced.
   */
  recordOrder(order: Order): OrderBooking | undefined {
    const o = this.#order(order.venue, order.id, order.clientOrderId, order.symbol, order.side);
    if (!o) return undefined;
    if (this.#since !== undefined && !o.dated) {
      o.dated = true;
      if (order.createdAt < this.#since && o.parts.length === 0 && o.streamed.isZero()) {
        this.adopt(order);
        return undefined;
      }
    }
    if (order.filledSize.gt(o.reported)) o.reported = order.filledSize;
    const delta = order.filledSize.minus(o.booked);
    const avg = order.averageFillPrice;
    const price = delta.gt(0) && avg !== undefined && avg.gt(0)
      ? avg.times(order.filledSize).minus(o.notional).div(delta)
      : undefined;
    if (price === undefined || !price.gt(0)) {
      this.#noteUnpriced(o);
      return undefined;
    }
    const liquidity = order.postOnly ? "maker" : "taker";
    const rates = this.#feeRates[`${order.venue}:${order.symbol}`] ?? this.#feeRates[order.venue];
    const fee = rates ? rates[liquidity].times(delta).times(price) : undefined;
    const key = `${order.venue}:${order.symbol}`;
    const q = order.side === "buy" ? delta : delta.neg();
    const book = this.#books.get(key);
    let closing = ZERO;
    let entry = ZERO;
    let direction: 1 | -1 = 1;
    if (book && !book.size.isZero() && book.size.isNegative() !== q.isNegative()) {
      closing = Decimal.min(delta, book.size.abs());
      entry = book.cost.div(book.size);
      direction = book.size.isNegative() ? -1 : 1;
    }
    const realized = this.#apply(key, q, price);
    if (fee !== undefined) {
      this.#fees = this.#fees.plus(fee);
      this.#estimated = this.#estimated.plus(fee);
    } else {
      this.#unknown++;
    }
    o.booked = o.booked.plus(delta);
    o.notional = o.notional.plus(delta.times(price));
    o.parts.push({ size: delta, closing, entry, direction, fee, adopted: false });
    this.#fromOrders++;
    this.#noteUnpriced(o);
    return { size: delta, price, fee, liquidity, realized };
  }

  /**
   * Books one funding payment, once (by the venue's id, else venue, symbol, time and amount).
   *
   * @param payment The payment.
   * @returns Whether it was new.
   */
  onFunding(payment: FundingPayment): boolean {
    const id = `${payment.venue}:${payment.symbol}:` +
      (payment.id ?? `${payment.time}:${payment.amount}`);
    if (!remember(this.#payments, id)) return false;
    this.#funding = this.#funding.plus(payment.amount);
    return true;
  }

  /**
   * Applies a client event (fills, orders' filled sizes and funding; anything else is
   * ignored).
   *
   * @param event The event.
   * @returns Whether it changed the split.
   */
  record(event: ExchangeEvent): boolean {
    if (event.type === "fill") return this.onFill(event.fill) !== undefined;
    if (event.type === "order") return this.recordOrder(event.order) !== undefined;
    if (event.type === "funding") return this.onFunding(event.payment);
    return false;
  }

  /**
   * Follows a client's fill, order and funding events.
   *
   * @param client The client.
   * @returns Stops following.
   */
  attach(client: Pick<ExchangeClient, "onEvent">): () => void {
    return client.onEvent((e) => void this.record(e));
  }

  /**
   * Reads the account's funding payments since `start` and books those not seen yet (a venue
   * whose private stream does not push them, or a payment missed while disconnected).
   *
   * @param client The client.
   * @param options `symbol` and `start` (ms) of the read.
   * @returns How many payments were new.
   */
  async syncFunding(
    client: Pick<ExchangeClient, "getFundingPayments">,
    options: { symbol?: string; start?: number } = {},
  ): Promise<number> {
    let added = 0;
    for (const p of await client.getFundingPayments(options)) {
      if (this.onFunding(p)) added++;
    }
    return added;
  }

  /**
   * Sets the open positions the unrealized PnL is read from (each venue's replaces that
   * venue's earlier ones).
   *
   * @param positions Positions as the venues report them.
   * @param venue Only replace this venue's positions. @default {all}
   */
  setPositions(positions: readonly Position[], venue?: string): void {
    const kept = venue === undefined ? [] : this.#positions.filter((p) => p.venue !== venue);
    this.#positions = [...kept, ...positions.filter((p) => !p.size.isZero())];
  }

  /**
   * The split now.
   *
   * @returns Realized, unrealized, fees, funding and net; `feesEstimated`, `feesUnknown` and
   *   `unpriced` when not zero.
   */
  split(): PnlSplit {
    const unrealized = this.#positions.reduce((t, p) => t.plus(p.unrealizedPnl ?? ZERO), ZERO);
    return {
      realized: this.#realized,
      unrealized,
      fees: this.#fees,
      funding: this.#funding,
      net: this.#realized.plus(unrealized).minus(this.#fees).plus(this.#funding),
      ...(this.#estimated.isZero() ? {} : { feesEstimated: this.#estimated }),
      ...(this.#unknown > 0 ? { feesUnknown: this.#unknown } : {}),
      ...(this.#unpriced.size > 0 ? { unpriced: this.#unpriced.size } : {}),
    };
  }

  /** The order a fill or an order state belongs to (created on first sight). */
  /** The order's record, by venue id first, then client order id. */
  #find(venue: string, id?: string, clientOrderId?: string): OrderFills | undefined {
    return (id ? this.#orders.get(`${venue}#${id}`) : undefined) ??
      (clientOrderId ? this.#orders.get(`${venue}@${clientOrderId}`) : undefined);
  }

  #order(
    venue: string,
    id: string | undefined,
    clientOrderId: string | undefined,
    symbol: string,
    side: Side,
  ): OrderFills | undefined {
    const byId = id ? `${venue}#${id}` : undefined;
    const byCid = clientOrderId ? `${venue}@${clientOrderId}` : undefined;
    if (byId === undefined && byCid === undefined) return undefined;
    let o = this.#find(venue, id, clientOrderId);
    if (!o) {
      o = {
        venue,
        symbol,
        side,
        keys: [],
        booked: ZERO,
        notional: ZERO,
        streamed: ZERO,
        reported: ZERO,
        parts: [],
      };
      this.#orderList.add(o);
      if (this.#orderList.size > SEEN_LIMIT) this.#forget(this.#orderList.values().next().value!);
    }
    for (const k of [byId, byCid]) {
      if (k !== undefined && !this.#orders.has(k)) {
        this.#orders.set(k, o);
        o.keys.push(k);
      }
    }
    return o;
  }

  #forget(o: OrderFills): void {
    this.#orderList.delete(o);
    this.#unpriced.delete(o);
    for (const k of o.keys) if (this.#orders.get(k) === o) this.#orders.delete(k);
  }

  #noteUnpriced(o: OrderFills): void {
    if (o.reported.gt(o.booked)) this.#unpriced.add(o);
    else this.#unpriced.delete(o);
  }

  #apply(key: string, q: Decimal, price: Decimal): Decimal {
    const b = this.#books.get(key) ?? { size: ZERO, cost: ZERO };
    let realized = ZERO;
    if (b.size.isZero() || b.size.isNegative() === q.isNegative()) {
      b.size = b.size.plus(q);
      b.cost = b.cost.plus(q.times(price));
    } else {
      const avg = b.cost.div(b.size);
      const closing = Decimal.min(q.abs(), b.size.abs());
      const direction = b.size.isNegative() ? -1 : 1;
      realized = closing.times(price.minus(avg)).times(direction);
      this.#realized = this.#realized.plus(realized);
      const after = b.size.plus(q);
      b.cost = q.abs().lte(b.size.abs()) ? avg.times(after) : after.times(price);
      b.size = after;
    }
    this.#books.set(key, b);
    return realized;
  }
}

/** Adds `id`; `false` when it was there. Forgets the oldest ids past the limit. */
function remember(set: Set<string>, id: string): boolean {
  if (set.has(id)) return false;
  set.add(id);
  if (set.size > SEEN_LIMIT) set.delete(set.values().next().value!);
  return true;
}
