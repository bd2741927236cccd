/**
 * Order placement that never places an order twice.
 *
 * Placing an order is not idempotent at the HTTP level: when the request times out, its answer
 * is lost or cannot be read, the venue may or may not have the order. {@linkcode placeOnce}
 * gives every create one of three outcomes:
 *
 * - **acknowledged**: the venue's answer (or a lookup) shows the order;
 * - **refused**: the venue said no (the typed rejection is thrown as it is);
 * - **unknown**: the order may exist. It is resolved only by looking the order up by its client
 *   order id, with backoff, until a bounded deadline; then an
 *   {@linkcode OrderOutcomeUnknownError} carrying the client order id is thrown so the caller
 *   can reconcile later.
 *
 * A doubtful create is never resolved by sending again on the strength of failed lookups. A
 * resend happens only when (1) the venue's own rules prove that the first copy can no longer be
 * accepted — the `canResend` hook, which each venue implements and documents (a nonce that was
 * used or invalidated, a signature whose expiry passed) — and (2) a lookup made *after* that
 * proof succeeded and shows no such order. Without a `canResend` hook nothing is ever resent
 * after a doubtful send.
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
  OrderOutcomeUnknownError,
  PerpError,
  RateLimitedError,
  type VenueName,
  VenueUnavailableError,
} from "../../core/errors.ts";

/**
 * Options of {@linkcode placeOnce}.
 *
 * `S` is what one attempt sends (a signed payload); `R` is the venue's raw answer; `T` the
 * order it is parsed into.
 *
 * @example
 * ```ts
 * import type { PlaceOnceOptions } from "./place_once.ts";
 * const o: Partial<PlaceOnceOptions<string, string, { clientOrderId: string }>> = {
 *   outcomeDeadlineMs: 30_000,
 * };
 * ```
 */
export interface PlaceOnceOptions<S, R, T extends { clientOrderId: string }> {
  /** The client order id the order is sent with (every attempt reuses it). */
  clientOrderId: string;
  /** Venue name for errors. */
  venue?: VenueName;
  /** Endpoint for errors. */
  endpoint?: string;
  /**
   * Builds what one attempt sends: `attempt` is 0 for the first send. Called again only for a
   * resend after `canResend` proved the first copy dead (e.g. to sign under a new nonce).
   * @default {nothing: `send` builds its own request}
   */
  sign?: (attempt: number) => S | Promise<S>;
  /** Sends one signed attempt; resolves with the venue's raw answer. */
  send: (signed: S) => Promise<R>;
  /**
   * Reads the answer into the order (it may also wait for the venue's stream). Whatever it
   * throws — a typed rejection excepted — makes the outcome unknown: the order is looked up,
   * never taken as refused. @default {the answer is the order}
   */
  parse?: (answer: R) => T | Promise<T>;
  /**
   * Finds the order by client order id in ANY state (open, filled, canceled, rejected);
   * resolves `undefined` only when the venue answered that it has no such order, and throws
   * when it could not find out.
   */
  lookup: () => Promise<T | undefined>;
  /**
   * Whether the venue's own rules prove that `signed` can no longer be accepted (its nonce was
   * used or invalidated, its expiry passed). Only then may an order proven absent be sent
   * again. @default {never}
   */
  canResend?: (signed: S) => boolean | Promise<boolean>;
  /** Rejections that mean "refused, nothing was created" (all `OrderRejectedError`s, auth errors …) are thrown; this picks rejections that are still doubtful. @default {none} */
  isDoubtfulRejection?: (error: unknown) => boolean;
  /** Longest time spent resolving a doubtful outcome, in ms. @default {30000} */
  outcomeDeadlineMs?: number;
  /** Sends at most this many times in all (rate-limited refusals included). @default {5} */
  attempts?: number;
  /** Waits between lookups and after rate limits. @default {systemClock} */
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
 * venue answers and for anything that is not a `PerpError`.
 *
 * @example
 * ```ts
 * import { isOutcomeUnknown } from "./place_once.ts";
 * import { NetworkError, PostOnlyWouldCrossError } from "../../core/errors.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * equal(isOutcomeUnknown(new NetworkError()), true);
 * equal(isOutcomeUnknown(new PostOnlyWouldCrossError()), false); // the venue answered
 * ```
 */
export function isOutcomeUnknown(error: unknown): boolean {
  return error instanceof NetworkError || error instanceof VenueUnavailableError ||
    error instanceof MalformedPayloadError || error instanceof OrderOutcomeUnknownError;
}

/**
 * Sends an order at most once per client order id, resolving doubtful outcomes by lookup.
 *
 * - A rejection (post-only would cross, insufficient margin, …) is thrown as it is.
 * - A rate limit before anything was in doubt (the venue refused without acting) waits
 *   `retryAfterMs` and sends the same payload again.
 * - A doubtful failure (network, timeout, 5xx, an answer that cannot be read or names another
 *   order) looks the order up by client order id until `outcomeDeadlineMs`: found ⇒ that is the
 *   answer; lookups failing or the order not yet visible until the deadline ⇒
 *   {@linkcode OrderOutcomeUnknownError}, with nothing sent again.
 * - A duplicate-client-id rejection after a doubtful send means the first copy arrived: it is
 *   looked up the same way.
 * - A resend only follows `canResend` (see the module doc).
 *
 * @param options The client order id, hooks and retry settings.
 * @returns The venue's view of the one order.
 * @throws {OrderRejectedError} The venue's refusal.
 * @throws {OrderOutcomeUnknownError} When the order's existence stays unknown at the deadline.
 *
 * @example A lost answer does not create a second order
 * ```ts
 * import { placeOnce } from "./place_once.ts";
 * import { NetworkError } from "../../core/errors.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const venue = new Map<string, { clientOrderId: string }>();
 * let sends = 0;
 * const order = await placeOnce({
 *   clientOrderId: "42",
 *   send: () => {
 *     sends++;
 *     venue.set("42", { clientOrderId: "42" });
 *     return Promise.reject(new NetworkError({ message: "connection reset" }));
 *   },
 *   lookup: () => Promise.resolve(venue.get("42")),
 * });
 * deepEqual([order, sends], [{ clientOrderId: "42" }, 1]);
 * ```
 */
export async function placeOnce<S, R, T extends { clientOrderId: string }>(
  options: PlaceOnceOptions<S, R, T>,
): Promise<T> {
  const { clientOrderId, venue, endpoint } = options;
  const attempts = options.attempts ?? 5;
  const clock = options.clock ?? systemClock;
  const deadlineMs = options.outcomeDeadlineMs ?? 30_000;
  const backoff = createBackoff({
    baseDelayMs: options.baseDelayMs ?? 200,
    maxDelayMs: options.maxDelayMs ?? 5_000,
    random: options.random,
  });
  const sign = options.sign ?? (() => undefined as S);
  const parse = options.parse ?? ((answer: R) => answer as unknown as T);
  let signed = await sign(0);
  let signs = 1;
  let doubt: unknown = undefined;
  let deadline = Infinity;
  for (let sent = 0;; sent++) {
    let failure: unknown;
    try {
      const answer = await options.send(signed);
      try {
        const order = await parse(answer);
        if (order.clientOrderId === clientOrderId) return order;
        failure = new MalformedPayloadError("clientOrderId", {
          venue,
          endpoint,
          details: `names order ${order.clientOrderId}, not ${clientOrderId}`,
        });
      } catch (error) {
        failure = isRefusal(error, options) ? error : unreadable(error, venue, endpoint);
      }
    } catch (error) {
      failure = error;
    }
    if (failure instanceof RateLimitedError && doubt === undefined) {
      // Refused without acting: nothing is in doubt yet.
      if (sent + 1 >= attempts) throw failure;
      await clock.sleep(failure.retryAfterMs ?? backoff.next());
      continue;
    }
    const duplicate = failure instanceof DuplicateClientOrderIdError;
    // A refusal is the outcome — also for a resend, which only follows a proof that the first
    // copy is dead and absent.
    if (duplicate ? doubt === undefined : isRefusal(failure, options)) throw failure;
    if (doubt === undefined) deadline = clock.now() + deadlineMs;
    doubt = failure;
    // Resolve by lookup until found, proven dead-and-absent, or the deadline.
    let lastLookupError: unknown = undefined;
    for (;;) {
      const dead = !duplicate && sent + 1 < attempts && options.canResend !== undefined &&
        await options.canResend(signed);
      try {
        const found = await options.lookup();
        if (found !== undefined) return found;
        if (dead) break;
      } catch (error) {
        lastLookupError = error;
      }
      const left = deadline - clock.now();
      if (left <= 0) {
        throw new OrderOutcomeUnknownError(clientOrderId, {
          venue,
          endpoint,
          cause: lastLookupError ?? doubt,
        });
      }
      await clock.sleep(Math.min(backoff.next(), left));
    }
    signed = await sign(signs++);
  }
}

/** A typed answer of the venue that means "refused, nothing was created". */
function isRefusal<S, R, T extends { clientOrderId: string }>(
  error: unknown,
  options: PlaceOnceOptions<S, R, T>,
): boolean {
  if (!(error instanceof PerpError)) return false;
  if (isOutcomeUnknown(error) || error instanceof RateLimitedError) return false;
  if (error instanceof DuplicateClientOrderIdError) return false;
  return !(options.isDoubtfulRejection?.(error) ?? false);
}

function unreadable(error: unknown, venue?: VenueName, endpoint?: string): unknown {
  if (error instanceof PerpError) return error;
  return new MalformedPayloadError("", {
    venue,
    endpoint,
    details: "the answer to a create could not be read",
    cause: error,
  });
}
