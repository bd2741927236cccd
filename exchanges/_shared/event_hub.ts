/**
 * A fan-out event hub that gives every venue client both event APIs of `ExchangeClient`:
 * listeners (`onEvent`) and async iterators (`events()`). Each iterator has its own queue, so
 * a slow consumer never loses an event and never delays another consumer.
 *
 * @module
 */

/**
 * Fan-out of events to listeners and async iterators.
 *
 * @example
 * ```ts
 * import { EventHub } from "./event_hub.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const hub = new EventHub<number>();
 * const seen: number[] = [];
 * const off = hub.onEvent((n) => seen.push(n));
 * const it = hub.events();
 * hub.emit(1);
 * hub.emit(2);
 * off();
 * hub.emit(3);
 * deepEqual(seen, [1, 2]);
 * deepEqual((await it.next()).value, 1);
 * hub.close();
 * deepEqual((await it.next()).value, 2);
 * deepEqual((await it.next()).value, 3);
 * deepEqual((await it.next()).done, true);
 * ```
 */
export class EventHub<T> {
  #listeners = new Set<(event: T) => void>();
  #queues = new Set<Queue<T>>();
  #closed = false;
  #onListenerError: (error: unknown) => void;

  /**
   * @param options `onListenerError` receives what a listener throws (default: `console.error`),
   * so one faulty listener cannot stop delivery to the others.
   */
  constructor(options: { onListenerError?: (error: unknown) => void } = {}) {
    this.#onListenerError = options.onListenerError ?? ((e) => console.error(e));
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Delivers an event to every listener and iterator. Ignored after `close()`.
   *
   * @param event The event.
   */
  emit(event: T): void {
    if (this.#closed) return;
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch (e) {
        this.#onListenerError(e);
      }
    }
    for (const q of this.#queues) q.push(event);
  }

  /**
   * Registers a listener.
   *
   * @param listener Called synchronously for each event.
   * @returns A function that removes the listener.
   */
  onEvent(listener: (event: T) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * An async iterator over the events emitted from now on. It ends on `close()`, on
   * `return()` (a `break` in `for await`) or when the signal aborts.
   *
   * @param options `signal` ends the iteration.
   * @returns The iterator.
   */
  events(options: { signal?: AbortSignal } = {}): AsyncIterableIterator<T> {
    const queue = new Queue<T>(() => this.#queues.delete(queue));
    if (this.#closed || options.signal?.aborted) queue.end();
    else {
      this.#queues.add(queue);
      options.signal?.addEventListener("abort", () => queue.end(), { once: true });
    }
    return queue;
  }

  /** Ends every iterator (after its queued events) and drops every listener. */
  close(): void {
    this.#closed = true;
    this.#listeners.clear();
    for (const q of this.#queues) q.end();
  }
}

class Queue<T> implements AsyncIterableIterator<T> {
  #items: T[] = [];
  #head = 0;
  #waiter: ((r: IteratorResult<T>) => void) | undefined;
  #ended = false;
  #onEnd: () => void;

  constructor(onEnd: () => void) {
    this.#onEnd = onEnd;
  }

  push(item: T): void {
    if (this.#ended) return;
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w({ value: item, done: false });
    } else this.#items.push(item);
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onEnd();
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head++] as T;
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.#waiter = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.#items = [];
    this.#head = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
