/**
 * Clocks: the system clock and a manual (virtual) clock for tests and the simulator.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import type { Clock } from "../../base.ts";

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted.", "AbortError");
}

/**
 * The real clock: `Date.now()` and `setTimeout`.
 *
 * @example
 * ```ts
 * import { systemClock } from "./clock.ts";
 * await systemClock.sleep(1);
 * ```
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(id);
        reject(abortReason(signal!));
      };
      const id = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};

interface Sleeper {
  at: number;
  seq: number;
  resolve: () => void;
}

/**
 * A clock that only moves when told to. `sleep` resolves when `advance` passes its deadline,
 * in deadline order, so a test can run hours of timers in milliseconds.
 *
 * @example
 * ```ts
 * import { ManualClock } from "./clock.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const clock = new ManualClock(1_000);
 * const woke: number[] = [];
 * clock.sleep(500).then(() => woke.push(clock.now()));
 * await clock.advance(1_000);
 * deepEqual(woke, [1_500]);
 * deepEqual(clock.now(), 2_000);
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #sleepers: Sleeper[] = [];

  /**
   * Creates a clock standing still at `start`.
   *
   * @param start Initial time, ms since epoch. @default {0}
   */
  constructor(start = 0) {
    this.#now = start;
  }

  /** Current virtual time. */
  now(): number {
    return this.#now;
  }

  /** Number of pending sleeps. */
  get pending(): number {
    return this.#sleepers.length;
  }

  /** Resolves once virtual time reaches `now + ms`. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = {
        at: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(abortReason(signal!));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#sleepers.push(sleeper);
    });
  }

  /**
   * Moves time forward by `ms`, waking each sleeper at its own deadline (time stands at that
   * deadline while its continuation runs) and letting pending promise callbacks run.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await flushMicrotasks();
      const next = this.#nextDue(target);
      if (!next) break;
      this.#now = Math.max(this.#now, next.at);
      this.#sleepers = this.#sleepers.filter((s) => s !== next);
      next.resolve();
    }
    this.#now = Math.max(this.#now, target);
    await flushMicrotasks();
  }

  /** Sets the time (never backwards) and wakes due sleepers. */
  async set(time: number): Promise<void> {
    await this.advance(Math.max(0, time - this.#now));
  }

  #nextDue(target: number): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.#sleepers) {
      if (s.at <= target && (!best || s.at < best.at || (s.at === best.at && s.seq < best.seq))) {
        best = s;
      }
    }
    return best;
  }
}

async function flushMicrotasks(): Promise<void> {
  // A macrotask boundary lets every chained promise continuation run first. setImmediate
  // costs microseconds where setTimeout(0) costs a millisecond or more per wake-up.
  await new Promise<void>((r) => setImmediate(r));
}
