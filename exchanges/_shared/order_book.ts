/**
 * A level-2 order book kept from a snapshot and absolute-size deltas, shared by every venue.
 *
 * Each delta level carries the new absolute size at its price; a size of zero in any spelling
 * (`"0"`, `"0.0"`, `"0.00000"`) removes the level. Deltas are checked for continuity with a
 * venue rule before they are applied; on a gap, or when a delta leaves the book crossed, the book
 * turns stale, ignores deltas and asks for a resync until the next snapshot.
 *
 * Prices and sizes are kept as the venue's decimal strings and become `Decimal` only when read
 * through {@linkcode L2OrderBook.prototype.snapshot} or
 * {@linkcode L2OrderBook.prototype.bestBidAsk}: no binary float ever decides a value the book
 * returns.
 *
 * @example Applying Lighter frames
 * ```ts
 * import { L2OrderBook } from "./order_book.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const book = new L2OrderBook("BTC", { sequenceRule: "chained" });
 * book.applySnapshot({
 *   bids: [{ price: "99.9", size: "1.00000" }],
 *   asks: [{ price: "100.1", size: "2.00000" }],
 * }, { sequence: 1000 });
 * const status = book.applyDelta(
 *   { bids: [{ price: "100.0", size: "0.50000" }], asks: [{ price: "100.1", size: "0.00000" }] },
 *   { sequence: 1007, prevSequence: 1000 },
 * );
 * equal(status, "applied");
 * equal(book.bestBid()?.price.toString(), "100");
 * equal(book.bestAsk(), undefined);
 * ```
 *
 * @module
 */
import type { BestBidAsk, BookLevel, BookSnapshot } from "../../base.ts";
import { Decimal } from "../../core/decimal.ts";
import { MalformedPayloadError, NotFoundError, type VenueName } from "../../core/errors.ts";

/**
 * One level as the venue sends it: decimal strings for price and new absolute size. Extra
 * fields (GRVT's `num_orders`) are ignored.
 *
 * @example
 * ```ts
 * import type { RawBookLevel } from "./order_book.ts";
 * const level: RawBookLevel = { price: "100000.3", size: "1.25000" };
 * ```
 */
export interface RawBookLevel {
  /** Price as a plain decimal string. */
  readonly price: string;
  /** New absolute size at that price as a plain decimal string; zero removes the level. */
  readonly size: string;
}

/**
 * The two sides of a snapshot or delta. Venues' parsed frames usually have this shape already
 * (Lighter's `order_book`, EdgeX's depth data, GRVT's `feed`), so they can be passed as they are.
 *
 * @example
 * ```ts
 * import type { BookSides } from "./order_book.ts";
 * const sides: BookSides = { bids: [{ price: "99.9", size: "1" }], asks: [] };
 * ```
 */
export interface BookSides {
  /** Bid levels, in any order. @default {[]} */
  readonly bids?: ArrayLike<RawBookLevel>;
  /** Ask levels, in any order. @default {[]} */
  readonly asks?: ArrayLike<RawBookLevel>;
}

/**
 * How a delta must follow the last applied sequence number:
 * - `"chained"`: the delta's `prevSequence` equals the last applied sequence (Lighter's
 *   `begin_nonce` == previous `nonce`, EdgeX's `startVersion` == previous `endVersion`);
 * - `"increment"`: the delta's `sequence` is the last applied one plus 1 (GRVT);
 * - a function of the last applied sequence and the delta's `sequence` and `prevSequence` that
 *   returns `true` when the delta continues the book.
 *
 * @example
 * ```ts
 * import type { SequenceRule } from "./order_book.ts";
 * // Accept any increase (no continuity guarantee from the venue).
 * const rule: SequenceRule = (last, sequence) => sequence > last;
 * ```
 */
export type SequenceRule =
  | "chained"
  | "increment"
  | ((last: number, sequence: number, prevSequence: number | undefined) => boolean);

/**
 * Sequence data of a snapshot.
 *
 * @example
 * ```ts
 * import type { SnapshotSequence } from "./order_book.ts";
 * const seq: SnapshotSequence = { sequence: 1234, timestamp: 1_775_000_000_000 };
 * ```
 */
export interface SnapshotSequence {
  /** The venue's sequence number of the snapshot; the next delta must follow it. */
  sequence: number;
  /** When the venue produced it, ms since epoch. @default {the previous timestamp, 0 at first} */
  timestamp?: number;
}

/**
 * Sequence data of a delta.
 *
 * @example
 * ```ts
 * import type { DeltaSequence } from "./order_book.ts";
 * // Lighter: nonce and begin_nonce.
 * const seq: DeltaSequence = { sequence: 1245, prevSequence: 1234 };
 * ```
 */
export interface DeltaSequence {
  /** The venue's sequence number of this delta. */
  sequence: number;
  /** The sequence number this delta follows, for venues that send it. */
  prevSequence?: number;
  /** When the venue produced it, ms since epoch. @default {the previous timestamp} */
  timestamp?: number;
}

/**
 * What {@linkcode L2OrderBook.prototype.applyDelta} did:
 * - `"applied"`: the delta is in the book;
 * - `"duplicate"`: its sequence equals the last applied one, so it was ignored;
 * - `"gap"`: it does not follow the last applied sequence (or no snapshot came yet): not
 *   applied, the book is now stale and `onResync` was called;
 * - `"stale"`: ignored because the book awaits a snapshot (resync already requested);
 * - `"crossed"`: applied, but it left best bid >= best ask: the book is now stale and `onResync`
 *   was called.
 *
 * @example
 * ```ts
 * import type { DeltaStatus } from "./order_book.ts";
 * const needsSnapshot = (s: DeltaStatus) => s === "gap" || s === "crossed";
 * ```
 */
export type DeltaStatus = "applied" | "duplicate" | "gap" | "stale" | "crossed";

/**
 * What {@linkcode L2OrderBook.prototype.applySnapshot} did: `"applied"`, or `"crossed"` when
 * the snapshot itself has best bid >= best ask (the book stays stale and `onResync` was called).
 *
 * @example
 * ```ts
 * import type { SnapshotStatus } from "./order_book.ts";
 * const ok = (s: SnapshotStatus) => s === "applied";
 * ```
 */
export type SnapshotStatus = "applied" | "crossed";

/**
 * Why the book asks for a fresh snapshot.
 *
 * @example
 * ```ts
 * import type { ResyncReason } from "./order_book.ts";
 * const r: ResyncReason = "gap";
 * ```
 */
export type ResyncReason = "gap" | "no_snapshot" | "crossed" | "malformed";

/**
 * Passed to `onResync` when the book needs a fresh snapshot.
 *
 * @example
 * ```ts
 * import type { ResyncEvent } from "./order_book.ts";
 * const log = (e: ResyncEvent) =>
 *   console.warn(`${e.symbol}: ${e.reason} after ${e.lastSequence} at ${e.sequence}`);
 * ```
 */
export interface ResyncEvent {
  /** Why. */
  reason: ResyncReason;
  /** The book's symbol. */
  symbol: string;
  /** The last applied sequence number, `undefined` before the first snapshot. */
  lastSequence: number | undefined;
  /** The sequence number of the frame that triggered the resync. */
  sequence: number;
  /** That frame's `prevSequence`, when it had one. */
  prevSequence: number | undefined;
}

/**
 * Options of {@linkcode L2OrderBook}.
 *
 * @example
 * ```ts
 * import type { L2OrderBookOptions } from "./order_book.ts";
 * const options: L2OrderBookOptions = {
 *   venue: "grvt",
 *   sequenceRule: "increment",
 *   onResync: (e) => console.warn("resubscribing", e.reason),
 * };
 * ```
 */
export interface L2OrderBookOptions {
  /** How a delta must follow the last applied sequence. @default {"chained"} */
  sequenceRule?: SequenceRule;
  /**
   * Called (synchronously, once per episode) when the book turns stale and needs a fresh
   * snapshot. @default {no callback}
   */
  onResync?: (event: ResyncEvent) => void;
  /** Venue name, for error messages. @default {undefined} */
  venue?: VenueName;
}

// One side of the book. `keys` and `slots` are parallel arrays sorted by ascending key with the
// best level last: updates cluster at the top of the book, so inserts and deletes there move few
// elements. A level's strings stay put in `prices[slot]` / `sizes[slot]`, so shifting moves
// numbers only; freed slots are cleared and reused, and given back when most of them are free,
// so memory follows the live levels.
//
// `key` is the price times 10^22, negated for asks, correctly rounded (see `parsePrice`): hence
// monotonic in the price, equal for two spellings of one price, and distinct for distinct prices
// of at most 15 significant digits. Prices that may share a key with a different price (flagged
// by `parsePrice`, counted in `exactCount`) are told apart by exact comparison on equal keys.
class Side {
  keys: number[] = [];
  slots: number[] = [];
  prices: string[] = [];
  sizes: string[] = [];
  freeSlots: number[] = [];
  exactCount = 0;
  constructor(readonly sign: 1 | -1, readonly name: "bids" | "asks") {}

  clear(): void {
    this.keys = [];
    this.slots = [];
    this.prices = [];
    this.sizes = [];
    this.freeSlots = [];
    this.exactCount = 0;
  }

  price(i: number): string {
    return this.prices[this.slots[i]];
  }

  size(i: number): string {
    return this.sizes[this.slots[i]];
  }
}

const LIVE = 0;
// Before the first snapshot, until a delta makes us call onResync.
const AWAITING_SNAPSHOT = 1;
// Stale and onResync was called (or the caller said so with markStale()).
const RESYNC_REQUESTED = 2;

const RULE_CHAINED = 0;
const RULE_INCREMENT = 1;
const RULE_CUSTOM = 2;

/**
 * A level-2 order book: a snapshot, then deltas whose levels carry new absolute sizes, checked
 * for sequence continuity.
 *
 * Rules:
 * - a size of zero in any spelling removes the level; `"100.10"` and `"100.1"` are one level;
 * - a delta that breaks the sequence rule is not applied: the book turns stale, `onResync` is
 *   called and deltas are ignored until {@linkcode L2OrderBook.prototype.applySnapshot};
 * - a delta before the first snapshot, a crossed book and a malformed level do the same;
 * - memory follows the live levels: removed levels are dropped, no history is kept.
 *
 * @example Gap, resync, live again
 * ```ts
 * import { L2OrderBook, type ResyncEvent } from "./order_book.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const resyncs: ResyncEvent[] = [];
 * const book = new L2OrderBook("ETH", {
 *   sequenceRule: "increment",
 *   onResync: (e) => resyncs.push(e),
 * });
 * book.applySnapshot({ bids: [{ price: "3000", size: "1" }] }, { sequence: 7 });
 * equal(book.applyDelta({ bids: [{ price: "3000", size: "2" }] }, { sequence: 9 }), "gap");
 * equal(book.stale, true);
 * equal(resyncs[0].reason, "gap");
 * equal(book.applyDelta({}, { sequence: 10 }), "stale");
 * book.applySnapshot({ bids: [{ price: "3000", size: "3" }] }, { sequence: 10 });
 * equal(book.stale, false);
 * equal(book.applyDelta({}, { sequence: 11 }), "applied");
 * ```
 */
export class L2OrderBook {
  readonly #symbol: string;
  readonly #venue: VenueName | undefined;
  readonly #rule: number;
  readonly #customRule:
    | ((last: number, sequence: number, prevSequence: number | undefined) => boolean)
    | undefined;
  readonly #onResync: ((event: ResyncEvent) => void) | undefined;
  readonly #bids = new Side(1, "bids");
  readonly #asks = new Side(-1, "asks");
  #state = AWAITING_SNAPSHOT;
  #sequence: number | undefined = undefined;
  #timestamp = 0;

  /**
   * Creates an empty, stale book.
   *
   * @param symbol Unified symbol, reported in snapshots, quotes and resync events.
   * @param options Sequence rule, resync callback and venue name.
   * @throws {TypeError} If `sequenceRule` is not `"chained"`, `"increment"` or a function.
   */
  constructor(symbol: string, options: L2OrderBookOptions = {}) {
    this.#symbol = symbol;
    this.#venue = options.venue;
    this.#onResync = options.onResync;
    const rule = options.sequenceRule ?? "chained";
    if (typeof rule === "function") {
      this.#rule = RULE_CUSTOM;
      this.#customRule = rule;
    } else if (rule === "chained" || rule === "increment") {
      this.#rule = rule === "chained" ? RULE_CHAINED : RULE_INCREMENT;
    } else {
      throw new TypeError(
        `Cannot create order book for ${symbol} as 'sequenceRule' must be "chained", "increment" or a function: current value is ${
          JSON.stringify(rule)
        }`,
      );
    }
  }

  /** Unified symbol. */
  get symbol(): string {
    return this.#symbol;
  }

  /**
   * `true` before the first snapshot, and from a gap, a crossed book, a malformed frame or
   * `markStale()` until the next snapshot.
   */
  get stale(): boolean {
    return this.#state !== LIVE;
  }

  /** Sequence number of the last applied snapshot or delta; `undefined` before any snapshot. */
  get sequence(): number | undefined {
    return this.#sequence;
  }

  /** Venue timestamp of the last applied snapshot or delta, ms since epoch (0 if none given). */
  get timestamp(): number {
    return this.#timestamp;
  }

  /** Number of live bid levels. */
  get bidCount(): number {
    return this.#bids.keys.length;
  }

  /** Number of live ask levels. */
  get askCount(): number {
    return this.#asks.keys.length;
  }

  /**
   * Replaces the whole book with a snapshot and makes it live again (unless it is crossed).
   * Levels may come in any order; zero-size levels are skipped, and a price listed twice keeps
   * its last non-zero listing.
   *
   * @param sides Bid and ask levels.
   * @param seq The snapshot's sequence number and timestamp.
   * @returns `"applied"`, or `"crossed"` when best bid >= best ask (the book then stays stale and
   * `onResync` is called).
   * @throws {MalformedPayloadError} If a level's price is not a positive plain decimal below 10^15 or its size not a plain unsigned decimal (the
   * book is then stale and `onResync` was called with reason `"malformed"`).
   *
   * @example
   * ```ts
   * import { L2OrderBook } from "./order_book.ts";
   * import { strictEqual as equal } from "node:assert/strict";
   *
   * const book = new L2OrderBook("BTC");
   * const status = book.applySnapshot({
   *   bids: [{ price: "64000.1", size: "0.5" }, { price: "64000.0", size: "0.0" }],
   *   asks: [{ price: "64000.2", size: "1.2" }],
   * }, { sequence: 42, timestamp: 1_775_000_000_000 });
   * equal(status, "applied");
   * equal(book.bidCount, 1);
   * equal(book.stale, false);
   * ```
   */
  applySnapshot(sides: BookSides, seq: SnapshotSequence): SnapshotStatus {
    const bids = this.#bids;
    const asks = this.#asks;
    bids.clear();
    asks.clear();
    this.#state = AWAITING_SNAPSHOT;
    if (sides.bids !== undefined) {
      this.#applyLevels(bids, sides.bids, seq.sequence, undefined, true);
    }
    if (sides.asks !== undefined) {
      this.#applyLevels(asks, sides.asks, seq.sequence, undefined, true);
    }
    this.#sequence = seq.sequence;
    if (seq.timestamp !== undefined) this.#timestamp = seq.timestamp;
    if (this.isCrossed()) {
      this.#requestResync("crossed", seq.sequence, undefined);
      return "crossed";
    }
    this.#state = LIVE;
    return "applied";
  }

  /**
   * Applies a delta if it follows the last applied sequence under the book's rule.
   *
   * @param sides Changed bid and ask levels with their new absolute sizes (zero removes).
   * @param seq The delta's sequence number, the one it follows (for `"chained"`) and timestamp.
   * @returns What happened: see {@linkcode DeltaStatus}.
   * @throws {MalformedPayloadError} If a level's price is not a positive plain decimal below 10^15 or its size not a plain unsigned decimal (the
   * book is then stale and `onResync` was called with reason `"malformed"`).
   *
   * @example EdgeX versions
   * ```ts
   * import { L2OrderBook } from "./order_book.ts";
   * import { strictEqual as equal } from "node:assert/strict";
   *
   * const book = new L2OrderBook("SOL", { sequenceRule: "chained" });
   * book.applySnapshot({ asks: [{ price: "150.01", size: "10" }] }, { sequence: 500 });
   * // startVersion == previous endVersion: applied.
   * const ok = book.applyDelta({ asks: [{ price: "150.02", size: "4" }] }, {
   *   sequence: 503,
   *   prevSequence: 500,
   * });
   * equal(ok, "applied");
   * equal(book.askCount, 2);
   * // A frame was lost: 503 -> 510 does not chain.
   * equal(book.applyDelta({}, { sequence: 512, prevSequence: 510 }), "gap");
   * ```
   */
  applyDelta(sides: BookSides, seq: DeltaSequence): DeltaStatus {
    const sequence = seq.sequence;
    if (this.#state !== LIVE) {
      if (this.#state === RESYNC_REQUESTED) return "stale";
      this.#requestResync("no_snapshot", sequence, seq.prevSequence);
      return "gap";
    }
    const last = this.#sequence as number;
    if (sequence === last) return "duplicate";
    const rule = this.#rule;
    if (
      rule === RULE_CHAINED
        ? seq.prevSequence !== last
        : rule === RULE_INCREMENT
        ? sequence !== last + 1
        : !this.#customRule!(last, sequence, seq.prevSequence)
    ) {
      this.#requestResync("gap", sequence, seq.prevSequence);
      return "gap";
    }
    const bids = sides.bids;
    const asks = sides.asks;
    if (bids !== undefined && bids.length !== 0) {
      this.#applyLevels(this.#bids, bids, sequence, seq.prevSequence, false);
    }
    if (asks !== undefined && asks.length !== 0) {
      this.#applyLevels(this.#asks, asks, sequence, seq.prevSequence, false);
    }
    this.#sequence = sequence;
    if (seq.timestamp !== undefined) this.#timestamp = seq.timestamp;
    if (this.isCrossed()) {
      this.#requestResync("crossed", sequence, seq.prevSequence);
      return "crossed";
    }
    return "applied";
  }

  /**
   * Marks the book stale until the next snapshot without calling `onResync`, e.g. when the
   * connection drops and the caller resubscribes anyway.
   *
   * @example
   * ```ts
   * import { L2OrderBook } from "./order_book.ts";
   * import { strictEqual as equal } from "node:assert/strict";
   *
   * const book = new L2OrderBook("BTC");
   * book.applySnapshot({}, { sequence: 1 });
   * book.markStale();
   * equal(book.stale, true);
   * equal(book.snapshot().stale, true);
   * ```
   */
  markStale(): void {
    this.#state = RESYNC_REQUESTED;
  }

  /**
   * Whether the best bid is at or above the best ask. An empty side is never crossed.
   *
   * @returns `true` when best bid >= best ask.
   *
   * @example
   * ```ts
   * import { L2OrderBook } from "./order_book.ts";
   * import { strictEqual as equal } from "node:assert/strict";
   *
   * const book = new L2OrderBook("BTC");
   * book.applySnapshot({
   *   bids: [{ price: "100.0", size: "1" }],
   *   asks: [{ price: "100", size: "1" }],
   * }, { sequence: 1 });
   * equal(book.isCrossed(), true);
   * equal(book.stale, true);
   * ```
   */
  isCrossed(): boolean {
    const bids = this.#bids;
    const asks = this.#asks;
    const nb = bids.keys.length;
    const na = asks.keys.length;
    if (nb === 0 || na === 0) return false;
    const bid = bids.keys[nb - 1];
    const ask = -asks.keys[na - 1];
    if (bid !== ask) return bid > ask;
    const bidPrice = bids.price(nb - 1);
    const askPrice = asks.price(na - 1);
    if (keyDecides(bidPrice) && keyDecides(askPrice)) return true;
    return compareDecimalStrings(bidPrice, askPrice) >= 0;
  }

  /**
   * The best (highest) bid.
   *
   * @returns Price and size as `Decimal`, or `undefined` when there are no bids.
   *
   * @example
   * ```ts
   * import { L2OrderBook } from "./order_book.ts";
   * import { strictEqual as equal } from "node:assert/strict";
   *
   * const book = new L2OrderBook("BTC");
   * book.applySnapshot({ bids: [{ price: "99.5", size: "1" }, { price: "99.7", size: "2" }] }, {
   *   sequence: 1,
   * });
   * equal(book.bestBid()?.price.toString(), "99.7");
   * ```
   */
  bestBid(): BookLevel | undefined {
    return topLevel(this.#bids);
  }

  /**
   * The best (lowest) ask.
   *
   * @returns Price and size as `Decimal`, or `undefined` when there are no asks.
   *
   * @example
   * ```ts
   * import { L2OrderBook } from "./order_book.ts";
   * import { strictEqual as equal } from "node:assert/strict";
   *
   * const book = new L2OrderBook("BTC");
   * book.applySnapshot({ asks: [{ price: "100.3", size: "1" }, { price: "100.2", size: "4" }] }, {
   *   sequence: 1,
   * });
   * equal(book.bestAsk()?.size.toString(), "4");
   * ```
   */
  bestAsk(): BookLevel | undefined {
    return topLevel(this.#asks);
  }

  /**
   * Best bid and ask with their sizes, the book's timestamp and staleness.
   *
   * @returns The quote.
   * @throws {NotFoundError} If the bid or the ask side is empty.
   *
   * @example
   * ```ts
   * import { L2OrderBook } from "./order_book.ts";
   * import { NotFoundError } from "../../core/errors.ts";
   * import { deepStrictEqual as deepEqual, strictEqual as equal, throws } from "node:assert/strict";
   *
   * const book = new L2OrderBook("BTC");
   * book.applySnapshot({
   *   bids: [{ price: "99.9", size: "1" }],
   *   asks: [{ price: "100.1", size: "2" }],
   * }, { sequence: 1, timestamp: 5 });
   * const q = book.bestBidAsk();
   * deepEqual([q.bid.toString(), q.ask.toString(), q.timestamp, q.stale], ["99.9", "100.1", 5, false]);
   *
   * book.applyDelta({ asks: [{ price: "100.1", size: "0" }] }, { sequence: 2, prevSequence: 1 });
   * throws(() => book.bestBidAsk(), NotFoundError);
   * ```
   */
  bestBidAsk(): BestBidAsk {
    const bid = topLevel(this.#bids);
    const ask = topLevel(this.#asks);
    if (bid === undefined || ask === undefined) {
      const empty = bid === undefined ? "bid" : "ask";
      throw new NotFoundError({
        venue: this.#venue,
        message: `Cannot get best bid/ask of ${this.#symbol}${
          this.#venue === undefined ? "" : ` on ${this.#venue}`
        } as the ${empty} side of the book is empty`,
      });
    }
    return {
      symbol: this.#symbol,
      bid: bid.price,
      bidSize: bid.size,
      ask: ask.price,
      askSize: ask.size,
      timestamp: this.#timestamp,
      stale: this.#state !== LIVE,
    };
  }

  /**
   * A copy of the top of the book with `Decimal` prices and sizes, best first.
   *
   * @param depth Levels per side at most. @default {all levels}
   * @returns The snapshot, with `stale` set while the book awaits a snapshot.
   * @throws {RangeError} If `depth` is negative or not an integer.
   *
   * @example
   * ```ts
   * import { L2OrderBook } from "./order_book.ts";
   * import { deepStrictEqual as deepEqual } from "node:assert/strict";
   *
   * const book = new L2OrderBook("BTC");
   * book.applySnapshot({
   *   bids: [{ price: "98", size: "1" }, { price: "99", size: "1" }, { price: "97", size: "1" }],
   *   asks: [{ price: "101", size: "2" }, { price: "100", size: "2" }],
   * }, { sequence: 1 });
   * const snap = book.snapshot(2);
   * deepEqual(snap.bids.map((l) => l.price.toString()), ["99", "98"]);
   * deepEqual(snap.asks.map((l) => l.price.toString()), ["100", "101"]);
   * ```
   */
  snapshot(depth?: number): BookSnapshot {
    const n = checkDepth(depth);
    return {
      symbol: this.#symbol,
      bids: decimalLevels(this.#bids, n),
      asks: decimalLevels(this.#asks, n),
      sequence: this.#sequence ?? 0,
      timestamp: this.#timestamp,
      stale: this.#state !== LIVE,
    };
  }

  /**
   * The top of the book as the venue's own strings, best first: `[price, size]` pairs exactly
   * as last received (no `Decimal` built), e.g. to compare with a reference or forward as is.
   *
   * @param depth Levels per side at most. @default {all levels}
   * @returns Bids and asks as string pairs.
   * @throws {RangeError} If `depth` is negative or not an integer.
   *
   * @example
   * ```ts
   * import { L2OrderBook } from "./order_book.ts";
   * import { deepStrictEqual as deepEqual } from "node:assert/strict";
   *
   * const book = new L2OrderBook("BTC");
   * book.applySnapshot({ bids: [{ price: "99.90", size: "1.50000" }] }, { sequence: 1 });
   * deepEqual(book.rawLevels(), { bids: [["99.90", "1.50000"]], asks: [] });
   * ```
   */
  rawLevels(depth?: number): { bids: [string, string][]; asks: [string, string][] } {
    const n = checkDepth(depth);
    return { bids: stringLevels(this.#bids, n), asks: stringLevels(this.#asks, n) };
  }

  #requestResync(reason: ResyncReason, sequence: number, prevSequence: number | undefined): void {
    this.#state = RESYNC_REQUESTED;
    this.#onResync?.({
      reason,
      symbol: this.#symbol,
      lastSequence: this.#sequence,
      sequence,
      prevSequence,
    });
  }

  #malformed(
    side: Side,
    index: number,
    field: "price" | "size",
    value: unknown,
    sequence: number,
    prevSequence: number | undefined,
  ): MalformedPayloadError {
    this.#requestResync("malformed", sequence, prevSequence);
    return new MalformedPayloadError(`${side.name}[${index}].${field}`, {
      venue: this.#venue,
      details: `must be a plain decimal string${field === "size" ? " >= 0" : ""}: got ${
        typeof value === "string" ? JSON.stringify(value) : typeof value
      }`,
    });
  }

  // The hot path: no allocation unless a level is inserted past the arrays' capacity.
  #applyLevels(
    side: Side,
    levels: ArrayLike<RawBookLevel>,
    sequence: number,
    prevSequence: number | undefined,
    snapshot: boolean,
  ): void {
    const sign = side.sign;
    const count = levels.length;
    for (let k = 0; k < count; k++) {
      // Venues send snapshots best first; walking them backwards appends at the best end.
      const l = snapshot ? count - 1 - k : k;
      const level = levels[l];
      const price = level.price;
      const size = level.size;
      if (typeof price !== "string") {
        throw this.#malformed(side, l, "price", price, sequence, prevSequence);
      }
      const value = parsePrice(price);
      // NaN, zero, negative and absurd (≥ 10^15) prices are refused: no market trades there.
      if (!(value > 0 && value < MAX_PRICE_KEY)) {
        throw this.#malformed(side, l, "price", price, sequence, prevSequence);
      }
      const exact = parsedNeedsExact;
      const kind = typeof size === "string" ? sizeKind(size) : -1;
      if (kind < 0) throw this.#malformed(side, l, "size", size, sequence, prevSequence);
      const key = sign * value;
      const keys = side.keys;
      const n = keys.length;
      // Lower bound of `key`.
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (keys[mid] < key) lo = mid + 1;
        else hi = mid;
      }
      let found = false;
      if (lo < n && keys[lo] === key) {
        if (!exact && (side.exactCount === 0 || keyDecides(side.price(lo)))) found = true;
        else lo = exactPosition(side, lo, key, price);
        if (lo < 0) {
          lo = ~lo;
          found = true;
        }
      }
      if (found) {
        // Walking a snapshot backwards, a price already present was listed later: keep that one.
        if (snapshot) continue;
        if (kind === 0) removeAt(side, lo, n);
        else side.sizes[side.slots[lo]] = size;
      } else if (kind !== 0) {
        insertAt(side, lo, n, key, price, size);
        if (exact) side.exactCount++;
      }
    }
  }
}

function insertAt(side: Side, i: number, n: number, key: number, price: string, size: string) {
  const keys = side.keys;
  const slots = side.slots;
  let slot: number;
  if (side.freeSlots.length !== 0) {
    slot = side.freeSlots.pop() as number;
    side.prices[slot] = price;
    side.sizes[slot] = size;
  } else {
    slot = side.prices.length;
    side.prices.push(price);
    side.sizes.push(size);
  }
  if (i === n) {
    keys.push(key);
    slots.push(slot);
    return;
  }
  keys.push(keys[n - 1]);
  slots.push(slots[n - 1]);
  for (let j = n - 1; j > i; j--) {
    keys[j] = keys[j - 1];
    slots[j] = slots[j - 1];
  }
  keys[i] = key;
  slots[i] = slot;
}

function removeAt(side: Side, i: number, n: number) {
  const keys = side.keys;
  const slots = side.slots;
  const slot = slots[i];
  if (side.exactCount !== 0 && !keyDecides(side.prices[slot])) side.exactCount--;
  side.prices[slot] = "";
  side.sizes[slot] = "";
  side.freeSlots.push(slot);
  for (let j = i + 1; j < n; j++) {
    keys[j - 1] = keys[j];
    slots[j - 1] = slots[j];
  }
  keys.pop();
  slots.pop();
  // A book that shrank a lot gives its spare slots back.
  if (side.freeSlots.length > 64 && side.freeSlots.length > 2 * keys.length) compactSlots(side);
}

function compactSlots(side: Side): void {
  const n = side.keys.length;
  // Built with push() so the arrays stay packed (holey arrays are slower to read).
  const prices: string[] = [];
  const sizes: string[] = [];
  const slots: number[] = [];
  for (let i = 0; i < n; i++) {
    prices.push(side.price(i));
    sizes.push(side.size(i));
    slots.push(i);
  }
  side.prices = prices;
  side.sizes = sizes;
  side.slots = slots;
  side.freeSlots = [];
}

// Equal float keys with a price of more than 15 significant digits involved: walks the run of
// equal keys comparing decimal strings exactly. Returns ~index when the price is at `index`,
// else the index to insert it at.
function exactPosition(side: Side, from: number, key: number, price: string): number {
  const keys = side.keys;
  let i = from;
  for (; i < keys.length && keys[i] === key; i++) {
    const c = side.sign * compareDecimalStrings(price, side.price(i));
    if (c === 0) return ~i;
    if (c < 0) return i;
  }
  return i;
}

function topLevel(side: Side): BookLevel | undefined {
  const n = side.keys.length;
  if (n === 0) return undefined;
  return { price: new Decimal(side.price(n - 1)), size: new Decimal(side.size(n - 1)) };
}

function decimalLevels(side: Side, depth: number): BookLevel[] {
  const n = side.keys.length;
  const count = Math.min(n, depth);
  const out: BookLevel[] = new Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = {
      price: new Decimal(side.price(n - 1 - i)),
      size: new Decimal(side.size(n - 1 - i)),
    };
  }
  return out;
}

function stringLevels(side: Side, depth: number): [string, string][] {
  const n = side.keys.length;
  const count = Math.min(n, depth);
  const out: [string, string][] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = [side.price(n - 1 - i), side.size(n - 1 - i)];
  return out;
}

function checkDepth(depth: number | undefined): number {
  if (depth === undefined) return Infinity;
  if (!(Number.isInteger(depth) && depth >= 0)) {
    throw new RangeError(`'depth' must be a non-negative integer: current value is ${depth}`);
  }
  return depth;
}

// Prices are keyed as value × 10^22; a price must stay below 10^15.
const MAX_PRICE_KEY = 1e37;

// Exact powers of ten representable as doubles.
const POW10 = [
  1,
  1e1,
  1e2,
  1e3,
  1e4,
  1e5,
  1e6,
  1e7,
  1e8,
  1e9,
  1e10,
  1e11,
  1e12,
  1e13,
  1e14,
  1e15,
  1e16,
  1e17,
  1e18,
  1e19,
  1e20,
  1e21,
  1e22,
];

// Second result of parsePrice(): whether the key it returned may equal the key of a different
// price (more than 15 significant digits, or a magnitude near the float limits).
// A module variable instead of a result object keeps the hot path free of allocation.
let parsedNeedsExact = false;

// Maps a plain decimal string (`[+-]?(\d+\.?\d*|\.\d+)`) to its value times 10^22 rounded to
// the nearest double, or NaN if it is not one. With at most 15 characters the digits form an
// integer below 10^15 and 10^(22 - decimals) is an exact double, so one multiplication gives the
// correctly rounded result (Clinger's fast path, scaled so that it needs no division); longer
// strings get the same value from parseFloat(`${s}e22`), also correctly rounded.
function parsePrice(s: string): number {
  const n = s.length;
  if (n > 15 || n === 0) return parseLongPrice(s);
  let c = s.charCodeAt(0);
  const negative = c === 45;
  const signed = negative || c === 43 ? 1 : 0;
  let mantissa = 0;
  let point = -1;
  for (let i = signed; i < n; i++) {
    c = s.charCodeAt(i);
    const d = c - 48;
    if ((d >>> 0) <= 9) mantissa = mantissa * 10 + d;
    else if (c === 46 && point < 0) point = i;
    else return NaN;
  }
  if (n - signed - (point < 0 ? 0 : 1) === 0) return NaN;
  parsedNeedsExact = false;
  const value = mantissa * POW10[point < 0 ? 22 : 23 - n + point];
  return negative ? -value : value;
}

function parseLongPrice(s: string): number {
  const n = s.length;
  let i = 0;
  const c = n === 0 ? 0 : s.charCodeAt(0);
  if (c === 45 || c === 43) i = 1;
  let point = false;
  let digits = 0;
  let firstNonZero = -1;
  let lastNonZero = -1;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d >= 1 && d <= 9) {
      if (firstNonZero < 0) firstNonZero = digits;
      lastNonZero = digits;
      digits++;
    } else if (d === 0) {
      digits++;
    } else if (d === -2 && !point) {
      point = true;
    } else {
      return NaN;
    }
  }
  if (digits === 0) return NaN;
  // Past 200 characters the scaled value may overflow or lose precision: compare exactly.
  parsedNeedsExact = lastNonZero - firstNonZero >= 15 || n > 200;
  return parseFloat(`${s}e22`);
}

// Whether equal float keys prove this stored price equal to another one with a float-decided key.
function keyDecides(price: string): boolean {
  if (price.length <= 15) return true;
  parseLongPrice(price);
  return !parsedNeedsExact;
}

// -1: not a plain unsigned decimal string; 0: zero in any spelling; 1: positive.
function sizeKind(s: string): number {
  const n = s.length;
  let digitBits = 0;
  let points = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const d = c - 48;
    if ((d >>> 0) > 9) {
      if (c !== 46) return -1;
      points++;
    } else {
      digitBits |= d;
    }
  }
  if (points > 1 || points === n) return -1;
  return digitBits === 0 ? 0 : 1;
}

// Exact comparison of two plain decimal strings (as accepted by parsePrice): -1, 0 or 1.
function compareDecimalStrings(a: string, b: string): number {
  const x = normalize(a);
  const y = normalize(b);
  if (x.sign !== y.sign) return x.sign < y.sign ? -1 : 1;
  if (x.sign === 0) return 0;
  let c: number;
  if (x.int.length !== y.int.length) c = x.int.length < y.int.length ? -1 : 1;
  else if (x.int !== y.int) c = x.int < y.int ? -1 : 1;
  // Without trailing zeros, digit strings after the point order lexicographically.
  else if (x.frac !== y.frac) c = x.frac < y.frac ? -1 : 1;
  else c = 0;
  return x.sign * c;
}

function normalize(s: string): { sign: number; int: string; frac: string } {
  let negative = false;
  if (s[0] === "-" || s[0] === "+") {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  const dot = s.indexOf(".");
  const int = (dot < 0 ? s : s.slice(0, dot)).replace(/^0+/, "");
  const frac = dot < 0 ? "" : s.slice(dot + 1).replace(/0+$/, "");
  const sign = int === "" && frac === "" ? 0 : negative ? -1 : 1;
  return { sign, int, frac };
}
