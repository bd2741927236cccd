/**
 * Capped exponential backoff with jitter, for HTTP retries and WebSocket reconnects.
 *
 * The ceiling for attempt `n` (0-based) is `min(maxDelayMs, baseDelayMs × factor^n)`. Jitter
 * spreads clients that failed together so they do not all come back at the same instant:
 *
 * - `"full"`: a uniform delay in `[0, ceiling)` (AWS "full jitter", the default);
 * - `"equal"`: `ceiling / 2` plus a uniform delay in `[0, ceiling / 2)`, so some wait is kept;
 * - `"none"`: exactly the ceiling (for tests and for venues that publish a fixed schedule).
 *
 * The random source is injectable so tests get exact delays.
 *
 * @example
 * ```ts
 * import { backoffDelay } from "./backoff.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const options = { baseDelayMs: 100, maxDelayMs: 1_000, jitter: "none" } as const;
 * deepEqual([0, 1, 2, 3, 4].map((n) => backoffDelay(n, options)), [100, 200, 400, 800, 1_000]);
 * ```
 *
 * @module
 */

/**
 * How a backoff delay is randomized below its ceiling.
 *
 * @example
 * ```ts
 * import type { Jitter } from "./backoff.ts";
 * const jitter: Jitter = "equal";
 * ```
 */
export type Jitter = "full" | "equal" | "none";

/**
 * Options of {@linkcode backoffDelay} and {@linkcode createBackoff}.
 *
 * @example
 * ```ts
 * import type { BackoffOptions } from "./backoff.ts";
 * const options: BackoffOptions = { baseDelayMs: 250, maxDelayMs: 30_000, jitter: "full" };
 * ```
 */
export interface BackoffOptions {
  /** Ceiling of the first delay, in milliseconds. @default {200} */
  baseDelayMs?: number;
  /** Largest delay ever returned, in milliseconds. @default {10_000} */
  maxDelayMs?: number;
  /** Growth factor of the ceiling per attempt. @default {2} */
  factor?: number;
  /** How the delay is randomized below the ceiling. @default {"full"} */
  jitter?: Jitter;
  /** Uniform random source in `[0, 1)`. @default {Math.random} */
  random?: () => number;
}

function check(name: string, value: number, min: number): void {
  if (!Number.isFinite(value) || value < min) {
    throw new RangeError(
      `Cannot compute backoff as '${name}' must be a finite number >= ${min}: current value is ${value}`,
    );
  }
}

/**
 * Returns the delay to wait before retry number `attempt` (0 = the first retry).
 *
 * @param attempt How many retries were already made (0-based).
 * @param options Base delay, cap, growth factor, jitter and random source.
 * @returns The delay in whole milliseconds, in `[0, maxDelayMs]`.
 * @throws {RangeError} If `attempt` is not a non-negative integer, or an option is negative,
 * not finite, or `factor` is below 1.
 *
 * @example Full jitter with a fixed random source
 * ```ts
 * import { backoffDelay } from "./backoff.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * // Ceiling of attempt 3 is 100 × 2³ = 800; full jitter takes random() of it.
 * deepEqual(backoffDelay(3, { baseDelayMs: 100, random: () => 0.5 }), 400);
 * // Equal jitter keeps half of the ceiling.
 * deepEqual(backoffDelay(3, { baseDelayMs: 100, jitter: "equal", random: () => 0 }), 400);
 * ```
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const {
    baseDelayMs = 200,
    maxDelayMs = 10_000,
    factor = 2,
    jitter = "full",
    random = Math.random,
  } = options;
  if (!Number.isSafeInteger(attempt) || attempt < 0) {
    throw new RangeError(
      `Cannot compute backoff as 'attempt' must be a non-negative integer: current value is ${attempt}`,
    );
  }
  check("baseDelayMs", baseDelayMs, 0);
  check("maxDelayMs", maxDelayMs, 0);
  check("factor", factor, 1);
  // factor ** attempt overflows to Infinity for large attempts; min() caps it.
  const ceiling = Math.min(maxDelayMs, baseDelayMs * factor ** attempt);
  const r = Math.min(Math.max(random(), 0), 1);
  let delay: number;
  switch (jitter) {
    case "full":
      delay = r * ceiling;
      break;
    case "equal":
      delay = ceiling / 2 + (r * ceiling) / 2;
      break;
    case "none":
      delay = ceiling;
      break;
    default:
      throw new RangeError(
        `Cannot compute backoff as 'jitter' must be "full", "equal" or "none": current value is ${
          String(jitter)
        }`,
      );
  }
  return Math.min(maxDelayMs, Math.floor(delay));
}

/**
 * A stateful backoff sequence: each {@linkcode Backoff.next} returns the next delay, and
 * {@linkcode Backoff.reset} starts over after a success.
 *
 * @example
 * ```ts
 * import { createBackoff } from "./backoff.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const backoff = createBackoff({ jitter: "none" });
 * equal(backoff.next(), 200);
 * backoff.reset();
 * ```
 */
export interface Backoff {
  /** How many delays were handed out since the last reset. */
  readonly attempt: number;
  /** Returns the next delay in milliseconds and counts one attempt. */
  next(): number;
  /** Starts the sequence over (call after a success). */
  reset(): void;
}

/**
 * Creates a stateful {@linkcode Backoff} sequence, e.g. for reconnect loops.
 *
 * @param options Base delay, cap, growth factor, jitter and random source.
 * @returns A backoff sequence starting at attempt 0.
 * @throws {RangeError} If an option is invalid (checked at once, not on the first `next()`).
 *
 * @example
 * ```ts
 * import { createBackoff } from "./backoff.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const backoff = createBackoff({ baseDelayMs: 100, maxDelayMs: 300, jitter: "none" });
 * deepEqual([backoff.next(), backoff.next(), backoff.next()], [100, 200, 300]);
 * backoff.reset();
 * deepEqual(backoff.next(), 100);
 * ```
 */
export function createBackoff(options: BackoffOptions = {}): Backoff {
  backoffDelay(0, { ...options, random: () => 0 });
  let attempt = 0;
  return {
    get attempt(): number {
      return attempt;
    },
    next(): number {
      return backoffDelay(attempt++, options);
    },
    reset(): void {
      attempt = 0;
    },
  };
}
