/**
 * The order book of one instrument: price levels in integer ticks, each a FIFO queue of
 * resting orders (price-time priority), with O(1) cancel, L2 / L3 views and coalesced level
 * deltas. The engine ({@linkcode ./engine.ts}) runs the matching loop over it.
 *
 * @module
 */
import type { Side } from "../base.ts";

/**
 * What the book needs from a resting order. The engine's order records implement it.
 *
 * @example
 * ```ts
 * import type { BookOrder } from "./matching.ts";
 * type Mine = BookOrder & { id: number };
 * ```
 */
export interface BookOrder {
  /** Order side. */
  side: Side;
  /** Limit price in ticks. */
  priceTicks: number;
  /** Lots still resting. */
  remainingLots: number;
  /** Previous order in the level queue (older). */
  prev: BookOrder | null;
  /** Next order in the level queue (newer). */
  next: BookOrder | null;
  /** The level the order rests on, or null when not on the book. */
  level: TickLevel | null;
}

/**
 * One price level: a FIFO queue of orders and their total size.
 *
 * @example
 * ```ts
 * import type { TickLevel } from "./matching.ts";
 * const sizeOf = (l: TickLevel) => l.lots;
 * ```
 */
export interface TickLevel {
  /** Price in ticks. */
  readonly price: number;
  /** Side of the level. */
  readonly side: Side;
  /** Oldest order (first to fill). */
  head: BookOrder | null;
  /** Newest order. */
  tail: BookOrder | null;
  /** Total resting lots. */
  lots: number;
  /** Number of orders. */
  count: number;
}

/**
 * A changed level: its side, price in ticks and new total lots (0 = level removed).
 *
 * @example
 * ```ts
 * import type { LevelChange } from "./matching.ts";
 * const gone = (c: LevelChange) => c.lots === 0;
 * ```
 */
export interface LevelChange {
  /** Side. */
  side: Side;
  /** Price in ticks. */
  price: number;
  /** New total lots at the price. */
  lots: number;
}

class BookSide {
  /** Prices sorted so that the best price is last (bids ascending, asks descending). */
  readonly prices: number[] = [];
  readonly levels: Map<number, TickLevel> = new Map();
  constructor(readonly side: Side) {}

  better(a: number, b: number): boolean {
    return this.side === "buy" ? a > b : a < b;
  }

  best(): TickLevel | undefined {
    const n = this.prices.length;
    return n === 0 ? undefined : this.levels.get(this.prices[n - 1]);
  }

  getOrCreate(price: number): TickLevel {
    let level = this.levels.get(price);
    if (level !== undefined) return level;
    level = { price, side: this.side, head: null, tail: null, lots: 0, count: 0 };
    this.levels.set(price, level);
    const prices = this.prices;
    // Most inserts happen near the top, which is the end of the array.
    let i = prices.length;
    if (i === 0 || this.better(price, prices[i - 1])) {
      prices.push(price);
    } else {
      let lo = 0;
      let hi = i;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.better(prices[mid], price)) hi = mid;
        else lo = mid + 1;
      }
      i = lo;
      prices.splice(i, 0, price);
    }
    return level;
  }

  drop(level: TickLevel): void {
    this.levels.delete(level.price);
    const prices = this.prices;
    const last = prices.length - 1;
    if (prices[last] === level.price) {
      prices.pop();
      return;
    }
    let lo = 0;
    let hi = prices.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.better(prices[mid], level.price)) hi = mid;
      else lo = mid + 1;
    }
    // lo is the first index whose price is better than level.price; the level sits just before.
    prices.splice(lo - 1, 1);
  }
}

/**
 * Price-time priority order book for one instrument, in integer ticks and lots.
 *
 * @example
 * ```ts
 * import { OrderBook, type BookOrder } from "./matching.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const book = new OrderBook();
 * const order = (side: "buy" | "sell", priceTicks: number, remainingLots: number): BookOrder =>
 *   ({ side, priceTicks, remainingLots, prev: null, next: null, level: null });
 * book.add(order("buy", 100, 5));
 * book.add(order("buy", 101, 2));
 * book.add(order("sell", 103, 1));
 * deepStrictEqual(book.bestBid(), 101);
 * deepStrictEqual(book.bestAsk(), 103);
 * deepStrictEqual(book.depth("buy", 10), [[101, 2], [100, 5]]);
 * ```
 */
export class OrderBook {
  readonly #bids = new BookSide("buy");
  readonly #asks = new BookSide("sell");
  #dirty = new Map<number, LevelChange>();

  #side(side: Side): BookSide {
    return side === "buy" ? this.#bids : this.#asks;
  }

  #touch(level: TickLevel): void {
    const key = level.side === "buy" ? level.price * 2 : level.price * 2 + 1;
    const change = this.#dirty.get(key);
    if (change === undefined) {
      this.#dirty.set(key, { side: level.side, price: level.price, lots: level.lots });
    } else {
      change.lots = level.lots;
    }
  }

  /**
   * Appends an order at the back of its price level.
   *
   * @param order An order not yet on a book, with `remainingLots > 0`.
   */
  add(order: BookOrder): void {
    const level = this.#side(order.side).getOrCreate(order.priceTicks);
    order.level = level;
    order.next = null;
    order.prev = level.tail;
    if (level.tail === null) level.head = order;
    else level.tail.next = order;
    level.tail = order;
    level.lots += order.remainingLots;
    level.count++;
    this.#touch(level);
  }

  /**
   * Removes an order from the book (cancel or complete fill). No-op if it is not on a book.
   *
   * @param order The order.
   */
  remove(order: BookOrder): void {
    const level = order.level;
    if (level === null) return;
    if (order.prev === null) level.head = order.next;
    else order.prev.next = order.next;
    if (order.next === null) level.tail = order.prev;
    else order.next.prev = order.prev;
    level.lots -= order.remainingLots;
    level.count--;
    order.prev = order.next = null;
    order.level = null;
    if (level.count === 0) {
      level.lots = 0;
      this.#side(level.side).drop(level);
    }
    this.#touch(level);
  }

  /**
   * Takes `lots` from a resting order (a partial fill); keeps its queue position.
   *
   * @param order The order, on the book.
   * @param lots Lots filled, `< order.remainingLots`.
   */
  reduce(order: BookOrder, lots: number): void {
    order.remainingLots -= lots;
    const level = order.level;
    if (level !== null) {
      level.lots -= lots;
      this.#touch(level);
    }
  }

  /**
   * Best level of a side.
   *
   * @param side The side.
   * @returns The level, or undefined when the side is empty.
   */
  bestLevel(side: Side): TickLevel | undefined {
    return this.#side(side).best();
  }

  /**
   * Best bid in ticks.
   *
   * @returns The price, or undefined when there are no bids.
   */
  bestBid(): number | undefined {
    return this.#bids.best()?.price;
  }

  /**
   * Best ask in ticks.
   *
   * @returns The price, or undefined when there are no asks.
   */
  bestAsk(): number | undefined {
    return this.#asks.best()?.price;
  }

  /**
   * Whether an order on `side` at `priceTicks` would trade against the book now.
   *
   * @param side The incoming order's side.
   * @param priceTicks Its limit price.
   * @returns `true` if it crosses the best opposite level.
   */
  wouldCross(side: Side, priceTicks: number): boolean {
    const best = this.#side(side === "buy" ? "sell" : "buy").best();
    if (best === undefined) return false;
    return side === "buy" ? best.price <= priceTicks : best.price >= priceTicks;
  }

  /**
   * Aggregated levels of a side, best first.
   *
   * @param side The side.
   * @param limit Maximum number of levels. @default {Infinity}
   * @returns `[priceTicks, lots]` pairs.
   */
  depth(side: Side, limit = Infinity): [number, number][] {
    const s = this.#side(side);
    const out: [number, number][] = [];
    for (let i = s.prices.length - 1; i >= 0 && out.length < limit; i--) {
      const level = s.levels.get(s.prices[i])!;
      out.push([level.price, level.lots]);
    }
    return out;
  }

  /**
   * Levels of a side, best first, for the matching loop and L3 views.
   *
   * @param side The side.
   * @returns An iterator over live levels (do not mutate the book while iterating).
   */
  *levels(side: Side): IterableIterator<TickLevel> {
    const s = this.#side(side);
    for (let i = s.prices.length - 1; i >= 0; i--) yield s.levels.get(s.prices[i])!;
  }

  /**
   * Number of price levels on a side.
   *
   * @param side The side.
   * @returns The count.
   */
  levelCount(side: Side): number {
    return this.#side(side).prices.length;
  }

  /**
   * Returns and clears the level changes since the last call, in first-touch order.
   *
   * @returns The changes (final sizes).
   */
  takeChanges(): LevelChange[] {
    if (this.#dirty.size === 0) return [];
    const out = [...this.#dirty.values()];
    this.#dirty = new Map();
    return out;
  }
}
