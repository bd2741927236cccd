/**
 * A bounded FIFO of the newest items: pushing past the capacity drops the oldest item. The
 * simulator keeps its event log and its histories (fills, trades, funding) in these, so a
 * long run holds a fixed number of items however long it lasts.
 *
 * @module
 */

/**
 * Ring buffer of at most `capacity` items, oldest first.
 *
 * @example
 * ```ts
 * import { Ring } from "./_ring.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const r = new Ring<number>(3);
 * for (const n of [1, 2, 3, 4, 5]) r.push(n);
 * deepStrictEqual(r.toArray(), [3, 4, 5]);
 * ```
 */
export class Ring<T> {
  /** Most items kept (`Infinity` keeps everything, 0 keeps nothing). */
  readonly capacity: number;
  #buf: T[] = [];
  #start = 0;
  #len = 0;

  /**
   * An empty ring.
   *
   * @param capacity Most items kept: a non-negative integer or `Infinity`.
   * @throws {RangeError} If the capacity is negative or not an integer.
   */
  constructor(capacity: number) {
    if (!(capacity >= 0) || (capacity !== Infinity && !Number.isInteger(capacity))) {
      throw new RangeError(`capacity must be a non-negative integer or Infinity: got ${capacity}`);
    }
    this.capacity = capacity;
  }

  /** Number of items held. */
  get length(): number {
    return this.#len;
  }

  /**
   * Appends an item, dropping the oldest one when full.
   *
   * @param item The item.
   * @returns The dropped item, if one was dropped (or the item itself when the capacity is 0).
   */
  push(item: T): T | undefined {
    const cap = this.capacity;
    if (cap === 0) return item;
    const buf = this.#buf;
    if (this.#len < cap) {
      if (this.#len < buf.length) {
        buf[(this.#start + this.#len) % buf.length] = item;
      } else {
        if (this.#start !== 0) {
          this.#buf = this.toArray();
          this.#start = 0;
        }
        this.#buf.push(item);
      }
      this.#len++;
      return undefined;
    }
    const old = buf[this.#start];
    buf[this.#start] = item;
    this.#start = (this.#start + 1) % buf.length;
    return old;
  }

  /**
   * Removes and returns the oldest item.
   *
   * @returns The item, or undefined when empty.
   */
  shift(): T | undefined {
    if (this.#len === 0) return undefined;
    const buf = this.#buf;
    const item = buf[this.#start];
    buf[this.#start] = undefined as T;
    this.#len--;
    if (this.#len === 0) {
      this.#buf = [];
      this.#start = 0;
    } else {
      this.#start = (this.#start + 1) % buf.length;
    }
    return item;
  }

  /**
   * The item at position `i` (0 = oldest; negative counts from the newest).
   *
   * @param i Position.
   * @returns The item, or undefined when out of range.
   */
  at(i: number): T | undefined {
    const n = this.#len;
    const k = i < 0 ? n + i : i;
    if (k < 0 || k >= n) return undefined;
    return this.#buf[(this.#start + k) % this.#buf.length];
  }

  /**
   * The items, oldest first, as a new array.
   *
   * @param last Only the newest `last` items. @default {all}
   * @returns The items.
   */
  toArray(last: number = Infinity): T[] {
    const n = this.#len;
    const from = last >= n ? 0 : n - Math.max(0, Math.floor(last));
    const out: T[] = new Array(n - from);
    const buf = this.#buf;
    const size = buf.length;
    for (let k = from; k < n; k++) out[k - from] = buf[(this.#start + k) % size];
    return out;
  }

  /** Drops every item. */
  clear(): void {
    this.#buf = [];
    this.#start = 0;
    this.#len = 0;
  }

  /** The items, oldest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    const n = this.#len;
    const buf = this.#buf;
    for (let k = 0; k < n; k++) yield buf[(this.#start + k) % buf.length];
  }
}
