/**
 * A fixed-interval schedule that never overlaps runs: the next run starts one interval after
 * the previous one started, or right after it ends when it took longer than the interval.
 *
 * @module
 */
import type { Clock } from "../base.ts";
import { systemClock } from "../exchanges/_shared/clock.ts";

/** Options of {@linkcode runEvery}. */
export interface ScheduleOptions {
  /** Time source. @default {systemClock} */
  clock?: Clock;
  /** Stops the schedule (the current run finishes first). */
  signal?: AbortSignal;
  /** Called with a run's error; the schedule goes on. @default {ignore} */
  onError?: (error: unknown) => void;
}

/**
 * Runs `task` now and then every `intervalMs`, one run at a time, until the signal aborts.
 *
 * @param task The work; its rejection is passed to `onError`.
 * @param intervalMs Milliseconds between run starts.
 * @param options Clock, stop signal, error callback.
 * @returns Resolves when the signal has aborted and the last run has ended.
 * @throws {RangeError} If `intervalMs` is not positive.
 *
 * @example
 * ```ts
 * import { ManualClock } from "../exchanges/_shared/clock.ts";
 * import { runEvery } from "./scheduler.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const clock = new ManualClock(0);
 * const stop = new AbortController();
 * let runs = 0;
 * const done = runEvery(() => Promise.resolve(void runs++), 60_000, { clock, signal: stop.signal });
 * await clock.advance(120_000);
 * stop.abort();
 * await done;
 * equal(runs, 3); // at 0, 60 s and 120 s
 * ```
 */
export async function runEvery(
  task: () => Promise<unknown>,
  intervalMs: number,
  options: ScheduleOptions = {},
): Promise<void> {
  if (!(intervalMs > 0)) throw new RangeError("'intervalMs' must be positive");
  const clock = options.clock ?? systemClock;
  const signal = options.signal;
  while (!signal?.aborted) {
    const started = clock.now();
    try {
      await task();
    } catch (error) {
      options.onError?.(error);
    }
    const wait = Math.max(0, started + intervalMs - clock.now());
    try {
      await clock.sleep(wait, signal);
    } catch {
      break; // aborted
    }
  }
}
