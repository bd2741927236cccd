/**
 * Order placement that never places an order twice.
 *
 * Placing an order is not idempotent at the HTTP level: when the request times out or its
 * answer is lost, the venue may or may not have the order. {@linkcode placeOnce} resolves the
 * doubt the only safe way — by looking the order up by its client order id — before it ever
 * sends again, and every resend reuses the same client order id, so a venue that already has
 * the order refuses the copy.
 *
 * @module
 */
import type { Clock } from "../../base.ts";
import { createBackoff } from "./backoff.ts";
import { systemClock } from "./clock.ts";
import {
  DuplicateClientOrderIdError,
  MalformedPayloadError,
  NetworkError,
  RateLimitedError,
  VenueUnavailableError,
} from "../../core/errors.ts";

/**
 * Options of {@linkcode placeOnce}.
 *
 * @example
 * ```ts
 * import type { PlaceOnceOptions } from "./place_once.ts";
 * const o: Partial<PlaceOnceOptions<string>> = { attempts: 3 };
 * ```
 */
export interface PlaceOnceOptions<T> {
  /** The client order id the order is sent with (every attempt reuses it). */
  clientOrderId: string;
  /** Sends the order once; resolves with the venue's acknowledgement. */
  send: () => Promise<T>;
  /**
   * Finds the order by client order id in ANY state (open, filled, canceled, rejected);
   * resolves `undefined` when the venue has never seen it.
   */
  lookup: () => Promise<T | undefined>;
  /** Sends at most this many times. @default {3} */
  attempts?: number;
  /** Lookups per doubtful send (the venue may need a moment to show a new order). @default {3} */
  lookups?: number;
  /** Waits between lookups and resends. @default {systemClock} */
  clock?: Clock;
  /** First wait in ms; doubles each time, with jitter. @default {200} */
  baseDelayMs?: number;
  /** Longest wait in ms. @default {5000} */
  maxDelayMs?: number;
  /** Random source for the jitter. @default {Math.random} */
  random?: () => number;
}

/**
 * Whether the outcome of a failed send is unknown: the request may have reached the venue.
 *
 * @param error What the send threw.
 * @returns `true` for network failures, timeouts, 5xx and unreadable answers; `false` for
 * venue answers and for anything that is not a `PerpError` (a bug is not retried).
 *
 * @example
 * ```ts
 * import { isOutcomeUnknown } from "./place_once.ts";
 * import { NetworkError, PostOnlyWouldCrossError } from "../../core/errors.ts";
 *
 * isOutcomeUnknown(new NetworkError()); // true
 * isOutcomeUnknown(new PostOnlyWouldCrossError()); // false: the venue answered
 * ```
 */
export function isOutcomeUnknown(error: unknown): boolean {
  return error instanceof NetworkError || error instanceof VenueUnavailableError ||
    error instanceof MalformedPayloadError;
}

/**
 * Sends an order at most once per client order id, resolving doubtful outcomes by lookup.
 *
 * - A rejection (post-only would cross, insufficient margin, …) is thrown as it is.
 * - A rate limit (the venue refused without acting) waits `retryAfterMs` and sends again.
 * - A doubtful failure (network, timeout, 5xx, unreadable answer) looks the order up by client
 *   order id; found ⇒ that is the answer, not found after `lookups` tries ⇒ send again with the
 *   same client order id.
 * - A duplicate-client-id rejection after a doubtful send means the first copy arrived: the
 *   order is looked up and returned.
 *
 * @param options The client order id, `send`, `lookup` and retry settings.
 * @returns The venue's view of the one order.
 * @throws {PerpError} The rejection, or the last error once attempts run out.
 *
 * @example A lost answer does not create a second order
 * ```ts
 * import { placeOnce } from "./place_once.ts";
 * import { NetworkError } from "../../core/errors.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * const venue = new Map<string, string>();
 * let sends = 0;
 * const order = await placeOnce({
 *   clientOrderId: "42",
 *   send: () => {
 *     sends++;
 *     venue.set("42", "open");
 *     return Promise.reject(new NetworkError({ message: "connection reset" }));
 *   },
 *   lookup: () => Promise.resolve(venue.get("42")),
 * });
 * deepEqual([order, sends], ["open", 1]);
 * ```
 */
export async function placeOnce<T>(options: PlaceOnceOptions<T>): Promise<T> {
  const attempts = options.attempts ?? 3;
  const lookups = options.lookups ?? 3;
  const clock = options.clock ?? systemClock;
  const backoff = createBackoff({
    baseDelayMs: options.baseDelayMs ?? 200,
    maxDelayMs: options.maxDelayMs ?? 5_000,
    random: options.random,
  });
  let doubtful = false;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      return await options.send();
    } catch (error) {
      lastError = error;
      if (error instanceof DuplicateClientOrderIdError && doubtful) {
        const found = await findOrder(options, lookups, clock, backoff);
        if (found !== undefined) return found;
        throw error;
      }
      if (error instanceof RateLimitedError) {
        await clock.sleep(error.retryAfterMs ?? backoff.next());
        continue;
      }
      if (!isOutcomeUnknown(error)) throw error;
      doubtful = true;
      const found = await findOrder(options, lookups, clock, backoff);
      if (found !== undefined) return found;
    }
  }
  throw lastError;
}

async function findOrder<T>(
  options: PlaceOnceOptions<T>,
  lookups: number,
  clock: Clock,
  backoff: { next(): number },
): Promise<T | undefined> {
  for (let i = 0; i < lookups; i++) {
    try {
      const found = await options.lookup();
      if (found !== undefined) return found;
    } catch (error) {
      // A failing lookup proves nothing either way; only a venue answer does.
      if (!isOutcomeUnknown(error) && !(error instanceof RateLimitedError)) throw error;
    }
    if (i + 1 < lookups) await clock.sleep(backoff.next());
  }
  return undefined;
}
