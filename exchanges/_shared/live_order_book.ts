/**
 * A live order book: the {@linkcode L2OrderBook} plus what every venue's book subscription
 * needs around it — automatic resync requests on gaps, staleness while disconnected, a
 * coalescing update stream for consumers, and clean closing. Venue clients decode their wire
 * frames and call {@linkcode LiveOrderBook.applySnapshot} / {@linkcode LiveOrderBook.applyDelta};
 * consumers see the `OrderBookSubscription` interface of `base.ts`.
 *
 * @module
 */
import type { BestBidAsk, BookSnapshot, Clock, OrderBookSubscription } from "../../base.ts";
import { NotFoundError, type VenueName } from "../../core/errors.ts";
import { systemClock } from "./clock.ts";
import {
  type BookSides,
  type DeltaSequence,
  type DeltaStatus,
  L2OrderBook,
  type ResyncEvent,
  type SequenceRule,
  type SnapshotSequence,
  type SnapshotStatus,
} from "./order_book.ts";

/**
 * Options of {@linkcode LiveOrderBook}.
 *
 * @example
 * ```ts
 * import type { LiveOrderBookOptions } from "./live_order_book.ts";
 * const o: LiveOrderBookOptions = { sequenceRule: "increment", requestSnapshot: () => {} };
 * ```
 */
export interface LiveOrderBookOptions {
  /** How deltas chain. @default {"chained"} */
  sequenceRule?: SequenceRule;
  /** Venue name for messages. */
  venue?: VenueName;
  /**
   * Asks the venue for a fresh snapshot (resubscribe or REST). Called once per stale episode;
   * the snapshot arrives later through `applySnapshot`. Errors are reported to `onError`.
   */
  requestSnapshot: (event: ResyncEvent) => void | Promise<void>;
  /** Called on `close()`, e.g. to unsubscribe. */
  onClose?: () => void | Promise<void>;
  /** Receives errors from `requestSnapshot`. @default {console.error} */
  onError?: (error: unknown) => void;
  /**
   * Longest silence, in ms, before the book reads as `stale`: a socket that stays open but
   * stops sending must not pass a frozen book as fresh. Set it per venue from how often the
   * venue sends book frames (or call `touch()` on frames that prove the feed alive).
   * @default {5000}
   */
  maxSilenceMs?: number;
  /** The clock silence is measured on. @default {systemClock} */
  clock?: Clock;
}

/**
 * A live, self-resyncing order book implementing `OrderBookSubscription`.
 *
 * @example
 * ```ts
 * import { LiveOrderBook } from "./live_order_book.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const requested: string[] = [];
 * const book = new LiveOrderBook("BTC", {
 *   sequenceRule: "increment",
 *   requestSnapshot: (e) => void requested.push(e.reason),
 * });
 * book.applySnapshot({ bids: [{ price: "99", size: "1" }], asks: [{ price: "101", size: "2" }] }, {
 *   sequence: 10,
 * });
 * book.applyDelta({ bids: [{ price: "100", size: "3" }] }, { sequence: 11 });
 * deepEqual(book.bestBidAsk().bid.toString(), "100");
 * book.applyDelta({ asks: [{ price: "102", size: "1" }] }, { sequence: 13 }); // 12 is missing
 * deepEqual([book.snapshot().stale, requested], [true, ["gap"]]);
 * await book.close();
 * ```
 */
export class LiveOrderBook implements OrderBookSubscription {
  /** The underlying book (read it through the methods below). */
  readonly book: L2OrderBook;
  readonly #options: LiveOrderBookOptions;
  #version = 0;
  #waiters = new Set<() => void>();
  #closed = false;
  #receivedAt: number | undefined;
  readonly #clock: Clock;
  readonly #maxSilenceMs: number;

  /**
   * Creates an empty, stale book that waits for its first snapshot.
   *
   * @param symbol Unified symbol.
   * @param options Sequence rule, resync request and close hook.
   */
  constructor(symbol: string, options: LiveOrderBookOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#maxSilenceMs = options.maxSilenceMs ?? 5_000;
    if (!(this.#maxSilenceMs > 0)) {
      throw new RangeError(`'maxSilenceMs' must be positive: got ${this.#maxSilenceMs}`);
    }
    this.book = new L2OrderBook(symbol, {
      sequenceRule: options.sequenceRule,
      venue: options.venue,
      onResync: (event) => this.#requestSnapshot(event),
    });
  }

  /** Unified symbol. */
  get symbol(): string {
    return this.book.symbol;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Replaces the book with a snapshot.
   *
   * @param sides The levels.
   * @param sequence The snapshot's sequence number and timestamp.
   * @returns `"applied"`, or `"crossed"` (the book is then stale and a resync was requested).
   */
  applySnapshot(sides: BookSides, sequence: SnapshotSequence): SnapshotStatus {
    const status = this.book.applySnapshot(sides, sequence);
    this.#receivedAt = this.#clock.now();
    this.#changed();
    return status;
  }

  /**
   * Applies a delta of absolute sizes.
   *
   * @param sides The changed levels.
   * @param sequence The delta's sequence numbers and timestamp.
   * @returns What happened; on `"gap"` or `"crossed"` a snapshot was requested.
   */
  applyDelta(sides: BookSides, sequence: DeltaSequence): DeltaStatus {
    const status = this.book.applyDelta(sides, sequence);
    if (status === "applied" || status === "duplicate") this.#receivedAt = this.#clock.now();
    if (status !== "duplicate") this.#changed();
    return status;
  }

  /**
   * Records that the venue's book feed is alive without a change (a venue heartbeat on the
   * book channel, an unchanged periodic snapshot).
   */
  touch(): void {
    this.#receivedAt = this.#clock.now();
  }

  /** Local time (this book's clock) of the last frame applied, `undefined` before the first. */
  get receivedAt(): number | undefined {
    return this.#receivedAt;
  }

  /**
   * Whether the book must not be trusted now: it awaits a snapshot, or nothing arrived for
   * longer than `maxSilenceMs`.
   */
  get stale(): boolean {
    return this.book.stale || this.#silent();
  }

  /**
   * Marks the book stale (e.g. the connection dropped) until the next snapshot. Does not
   * request a snapshot: the stream's resubscription brings one.
   */
  markStale(): void {
    this.book.markStale();
    this.#changed();
  }

  /**
   * The top of the book.
   *
   * @param depth Levels per side. @default {all}
   * @returns A copy with `stale` set when the book awaits a snapshot.
   */
  snapshot(depth?: number): BookSnapshot {
    const snap = this.book.snapshot(depth);
    snap.receivedAt = this.#receivedAt;
    if (!snap.stale && this.#silent()) snap.stale = true;
    return snap;
  }

  /**
   * Best bid and ask.
   *
   * @returns The quote, with `stale` set when the book awaits a snapshot.
   * @throws {NotFoundError} While a side is empty.
   */
  bestBidAsk(): BestBidAsk {
    const q = this.book.bestBidAsk();
    q.receivedAt = this.#receivedAt;
    if (!q.stale && this.#silent()) q.stale = true;
    return q;
  }

  /**
   * Yields a snapshot after changes, coalescing bursts: a slow consumer gets the latest book,
   * not a backlog. Ends on `close()` or when the signal aborts.
   *
   * @param options Depth of each snapshot and an abort signal.
   * @returns The async iterator.
   */
  async *updates(
    options: { depth?: number; signal?: AbortSignal } = {},
  ): AsyncIterableIterator<BookSnapshot> {
    let seen = this.#version;
    const { signal } = options;
    while (!this.#closed && !signal?.aborted) {
      if (this.#version === seen) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            this.#waiters.delete(wake);
            signal?.removeEventListener("abort", wake);
            resolve();
          };
          this.#waiters.add(wake);
          signal?.addEventListener("abort", wake, { once: true });
        });
        continue;
      }
      seen = this.#version;
      yield this.snapshot(options.depth);
    }
  }

  /** Stops the subscription and ends every `updates()` iterator. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake();
    await this.#options.onClose?.();
  }

  /** Same as `close()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #silent(): boolean {
    const at = this.#receivedAt;
    return at === undefined || this.#clock.now() - at > this.#maxSilenceMs;
  }

  #changed(): void {
    this.#version++;
    this.#wake();
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  #requestSnapshot(event: ResyncEvent): void {
    if (this.#closed) return;
    const onError = this.#options.onError ?? ((e: unknown) => console.error(e));
    try {
      const r = this.#options.requestSnapshot(event);
      if (r instanceof Promise) r.catch(onError);
    } catch (e) {
      onError(e);
    }
  }
}

/**
 * Best bid and ask of a book snapshot (a REST book, or a live book's copy), keeping its
 * `stale` flag.
 *
 * @param snapshot The book, best levels first.
 * @param venue Venue name for the error message.
 * @returns The quote.
 * @throws {NotFoundError} When a side is empty.
 *
 * @example
 * ```ts
 * import { bestBidAskOf } from "./live_order_book.ts";
 * import { Decimal } from "../../core/decimal.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const level = (p: string) => ({ price: new Decimal(p), size: new Decimal("1") });
 * const q = bestBidAskOf(
 *   { symbol: "BTC", bids: [level("99")], asks: [level("101")], sequence: 1, timestamp: 0, stale: false },
 *   "grvt",
 * );
 * deepEqual([q.bid.toString(), q.ask.toString()], ["99", "101"]);
 * ```
 */
export function bestBidAskOf(snapshot: BookSnapshot, venue: VenueName): BestBidAsk {
  const bid = snapshot.bids[0];
  const ask = snapshot.asks[0];
  if (!bid || !ask) {
    throw new NotFoundError({
      venue,
      message: `The ${snapshot.symbol} book on ${venue} has an empty side`,
    });
  }
  return {
    symbol: snapshot.symbol,
    bid: bid.price,
    bidSize: bid.size,
    ask: ask.price,
    askSize: ask.size,
    timestamp: snapshot.timestamp,
    stale: snapshot.stale,
  };
}
