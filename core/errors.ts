/**
 * The package's error hierarchy.
 *
 * Every error is a {@linkcode PerpError} carrying `venue`, `endpoint`, `code`, `details` and
 * `cause`, with secrets masked from all of them. Callers branch on the subclass:
 *
 * - retryable (`retryable === true`): {@linkcode NetworkError}, {@linkcode TimeoutError},
 *   {@linkcode RateLimitedError} (with `retryAfterMs`), {@linkcode VenueUnavailableError};
 * - the venue said no: {@linkcode OrderRejectedError} and its subclasses
 *   ({@linkcode PostOnlyWouldCrossError}, {@linkcode InsufficientMarginError},
 *   {@linkcode InvalidOrderError}, {@linkcode DuplicateClientOrderIdError}),
 *   {@linkcode AuthenticationError}, {@linkcode InvalidSignatureError},
 *   {@linkcode NotFoundError};
 * - the venue sent something we do not understand: {@linkcode MalformedPayloadError};
 * - whether an order exists is not known and nothing was resent:
 *   {@linkcode OrderOutcomeUnknownError} (reconcile by its `clientOrderId`);
 * - the caller's setup is wrong: {@linkcode ConfigurationError}.
 *
 * @example Branching on a rejection
 * ```ts
 * import { PostOnlyWouldCrossError, PerpError } from "./errors.ts";
 * import { ok } from "node:assert/strict";
 *
 * const err: unknown = new PostOnlyWouldCrossError({ venue: "grvt", endpoint: "create_order" });
 * ok(err instanceof PerpError && !err.retryable);
 * ```
 *
 * @module
 */
import { redact, redactValue } from "./redact.ts";

/** Names of the venues this package implements; other strings are allowed for extensions. */
export type VenueName = "lighter" | "grvt" | "edgex" | (string & Record<never, never>);

/**
 * Fields common to every {@linkcode PerpError}.
 *
 * @example
 * ```ts
 * import type { PerpErrorOptions } from "./errors.ts";
 * const o: PerpErrorOptions = { venue: "edgex", endpoint: "/api/v1/private/order/createOrder" };
 * ```
 */
export interface PerpErrorOptions {
  /** The venue involved, if any. */
  venue?: VenueName;
  /** The REST path, RPC method or WebSocket channel involved. Secrets are masked. */
  endpoint?: string;
  /** The venue's own error code, or the HTTP status, when known. */
  code?: string | number;
  /** Extra context (request fields, raw response excerpt). Secrets are masked. */
  details?: unknown;
  /** The underlying error. */
  cause?: unknown;
  /** Overrides the human message; otherwise the subclass builds one. */
  message?: string;
}

/** Keeps the cause when it is clean; otherwise replaces it by a copy with secrets masked. */
function sanitizeCause(cause: unknown): unknown {
  if (cause instanceof PerpError) return cause;
  if (cause instanceof Error) {
    const message = redact(cause.message);
    const stack = cause.stack === undefined ? undefined : redact(cause.stack);
    if (message === cause.message && stack === cause.stack) return cause;
    const copy = new Error(message);
    copy.name = cause.name;
    copy.stack = stack;
    return copy;
  }
  return redactValue(cause);
}

function describe(prefix: string, o: PerpErrorOptions, what: string): string {
  const where = [o.venue, o.endpoint].filter(Boolean).join(" ");
  const code = o.code !== undefined ? ` (code ${o.code})` : "";
  return `${prefix}${where ? ` on ${where}` : ""}${code}: ${what}`;
}

/**
 * Base class of every error thrown by this package.
 *
 * @example
 * ```ts
 * import { PerpError } from "./errors.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const e = new PerpError("boom", { venue: "lighter", code: 21700 });
 * deepEqual(e.venue, "lighter");
 * deepEqual(e.retryable, false);
 * ```
 */
export class PerpError extends Error {
  /** The venue involved, if any. */
  readonly venue: VenueName | undefined;
  /** The endpoint, RPC method or channel involved, secrets masked. */
  readonly endpoint: string | undefined;
  /** The venue's error code or the HTTP status. */
  readonly code: string | number | undefined;
  /** Extra context, secrets masked. */
  readonly details: unknown;
  /** Whether repeating the same request later may succeed. */
  readonly retryable: boolean = false;

  /**
   * Creates the error.
   *
   * @param message Human-readable message; secrets are masked.
   * @param options Venue, endpoint, code, details and cause.
   */
  constructor(message: string, options: PerpErrorOptions = {}) {
    super(
      redact(message),
      options.cause === undefined ? undefined : { cause: sanitizeCause(options.cause) },
    );
    this.name = new.target.name;
    this.venue = options.venue;
    this.endpoint = options.endpoint === undefined ? undefined : redact(options.endpoint);
    this.code = options.code;
    this.details = options.details === undefined ? undefined : redactValue(options.details);
  }
}

/**
 * A transport failure: the request may or may not have reached the venue. Retryable.
 *
 * @example
 * ```ts
 * import { NetworkError } from "./errors.ts";
 * const e = new NetworkError({ venue: "grvt", endpoint: "/full/v1/ticker" });
 * ```
 */
export class NetworkError extends PerpError {
  /** Always `true`: the same request may succeed later. */
  override readonly retryable: boolean = true;
  /**
   * Creates the error.
   * @param options Venue, endpoint, code, details, cause and an optional message.
   */
  constructor(options: PerpErrorOptions = {}) {
    super(
      options.message ?? describe("Network failure", options, String(causeText(options.cause))),
      options,
    );
  }
}

function causeText(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return cause === undefined ? "connection failed" : String(cause);
}

/**
 * The request did not complete in time. Retryable (for idempotent requests).
 *
 * @example
 * ```ts
 * import { TimeoutError } from "./errors.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const e = new TimeoutError(5000, { venue: "edgex", endpoint: "getDepth" });
 * equal(e.timeoutMs, 5000);
 * ```
 */
export class TimeoutError extends NetworkError {
  /** The limit that was exceeded, in milliseconds. */
  readonly timeoutMs: number;
  /**
   * Creates the error.
   *
   * @param timeoutMs The limit that was exceeded.
   * @param options Venue, endpoint and context.
   */
  constructor(timeoutMs: number, options: PerpErrorOptions = {}) {
    super({
      ...options,
      message: options.message ??
        describe("Timed out", options, `no answer within ${timeoutMs} ms`),
    });
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The venue throttled us (HTTP 429 or a venue rate-limit code). Retry after `retryAfterMs`.
 *
 * @example
 * ```ts
 * import { RateLimitedError } from "./errors.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const e = new RateLimitedError(1000, { venue: "lighter", code: 429 });
 * equal(e.retryAfterMs, 1000);
 * ```
 */
export class RateLimitedError extends PerpError {
  /** Always `true`: the same request may succeed later. */
  override readonly retryable: boolean = true;
  /** How long the venue asked us to wait, or undefined if it did not say. */
  readonly retryAfterMs: number | undefined;
  /**
   * Creates the error.
   *
   * @param retryAfterMs Milliseconds the venue asked us to wait, if it said.
   * @param options Venue, endpoint and context.
   */
  constructor(retryAfterMs: number | undefined, options: PerpErrorOptions = {}) {
    super(
      options.message ??
        describe(
          "Rate limited",
          options,
          retryAfterMs === undefined ? "retry later" : `retry after ${retryAfterMs} ms`,
        ),
      options,
    );
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * The venue is down, overloaded or in maintenance (HTTP 5xx and equivalent codes). Retryable.
 *
 * @example
 * ```ts
 * import { VenueUnavailableError } from "./errors.ts";
 * const e = new VenueUnavailableError({ venue: "grvt", code: 503 });
 * ```
 */
export class VenueUnavailableError extends PerpError {
  /** Always `true`: the same request may succeed later. */
  override readonly retryable: boolean = true;
  /**
   * Creates the error.
   * @param options Venue, endpoint, code and context.
   */
  constructor(options: PerpErrorOptions = {}) {
    super(options.message ?? describe("Venue unavailable", options, "try again later"), options);
  }
}

/**
 * Why the venue refused an order.
 *
 * @example
 * ```ts
 * import type { RejectReason } from "./errors.ts";
 * const r: RejectReason = "post_only_would_cross";
 * ```
 */
export type RejectReason =
  | "post_only_would_cross"
  | "insufficient_margin"
  | "invalid_size"
  | "invalid_price"
  | "duplicate_client_order_id"
  | "reduce_only"
  | "market_closed"
  | "other";

/**
 * The venue refused an order. Not retryable as it is; the strategy decides what to do.
 *
 * @example
 * ```ts
 * import { OrderRejectedError } from "./errors.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const e = new OrderRejectedError("reduce_only", { venue: "edgex", message: "would increase position" });
 * equal(e.reason, "reduce_only");
 * ```
 */
export class OrderRejectedError extends PerpError {
  /** The normalized reason. */
  readonly reason: RejectReason;
  /**
   * Creates the error.
   *
   * @param reason The normalized reason.
   * @param options Venue, endpoint, venue code and context.
   */
  constructor(reason: RejectReason, options: PerpErrorOptions = {}) {
    super(
      options.message ?? describe("Order rejected", options, reason.replaceAll("_", " ")),
      options,
    );
    this.reason = reason;
  }
}

/**
 * A post-only order would have taken liquidity, so the venue refused or canceled it.
 *
 * @example
 * ```ts
 * import { PostOnlyWouldCrossError } from "./errors.ts";
 * const e = new PostOnlyWouldCrossError({ venue: "lighter" });
 * ```
 */
export class PostOnlyWouldCrossError extends OrderRejectedError {
  /**
   * Creates the error.
   * @param options Venue, endpoint and context.
   */
  constructor(options: PerpErrorOptions = {}) {
    super("post_only_would_cross", {
      ...options,
      message: options.message ??
        describe("Order rejected", options, "post-only order would cross the book"),
    });
  }
}

/**
 * The account lacks the margin or balance for the order.
 *
 * @example
 * ```ts
 * import { InsufficientMarginError } from "./errors.ts";
 * const e = new InsufficientMarginError({ venue: "grvt" });
 * ```
 */
export class InsufficientMarginError extends OrderRejectedError {
  /**
   * Creates the error.
   * @param options Venue, endpoint and context.
   */
  constructor(options: PerpErrorOptions = {}) {
    super("insufficient_margin", {
      ...options,
      message: options.message ?? describe("Order rejected", options, "insufficient margin"),
    });
  }
}

/**
 * The order's size or price breaks the market's rules (step, tick, minimum, bounds).
 *
 * @example
 * ```ts
 * import { InvalidOrderError } from "./errors.ts";
 * const e = new InvalidOrderError("invalid_size", {
 *   venue: "grvt",
 *   message: "Cannot place order on grvt as 'size' must be a multiple of 0.001: current value is 0.0015",
 * });
 * ```
 */
export class InvalidOrderError extends OrderRejectedError {
  /**
   * Creates the error.
   *
   * @param reason Whether the size or the price is at fault.
   * @param options Venue, endpoint and context.
   */
  constructor(reason: "invalid_size" | "invalid_price", options: PerpErrorOptions = {}) {
    super(reason, options);
  }
}

/**
 * An active order already uses this client order id.
 *
 * @example
 * ```ts
 * import { DuplicateClientOrderIdError } from "./errors.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const e = new DuplicateClientOrderIdError("42", { venue: "grvt", code: 2012 });
 * equal(e.clientOrderId, "42");
 * ```
 */
export class DuplicateClientOrderIdError extends OrderRejectedError {
  /** The client order id already in use. */
  readonly clientOrderId: string;
  /**
   * Creates the error.
   *
   * @param clientOrderId The id already in use.
   * @param options Venue, endpoint and context.
   */
  constructor(clientOrderId: string, options: PerpErrorOptions = {}) {
    super("duplicate_client_order_id", {
      ...options,
      message: options.message ??
        describe("Order rejected", options, `client order id ${clientOrderId} is already active`),
    });
    this.clientOrderId = clientOrderId;
  }
}

/**
 * Whether an order exists is not known: the create request may or may not have reached the
 * venue, and every attempt to find the order by its client order id failed or could not yet
 * prove it absent before the deadline. Nothing was sent again. Reconcile later by looking the
 * order up with {@linkcode OrderOutcomeUnknownError.clientOrderId} (or by watching the order
 * stream); do not place the same order under a new id until then.
 *
 * Not retryable: a blind retry is exactly what could create a second copy.
 *
 * @example
 * ```ts
 * import { OrderOutcomeUnknownError } from "./errors.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const e = new OrderOutcomeUnknownError("42", { venue: "lighter" });
 * equal(e.clientOrderId, "42");
 * equal(e.retryable, false);
 * ```
 */
export class OrderOutcomeUnknownError extends PerpError {
  /** The client order id the order was sent with; look it up later to reconcile. */
  readonly clientOrderId: string;
  /**
   * Creates the error.
   *
   * @param clientOrderId The client order id of the order in doubt.
   * @param options Venue, endpoint and the last failure (as `cause`).
   */
  constructor(clientOrderId: string, options: PerpErrorOptions = {}) {
    super(
      options.message ??
        describe(
          "Order outcome unknown",
          options,
          `order ${clientOrderId} may or may not be at the venue; it was not sent again, look it up by its client order id to reconcile`,
        ),
      options,
    );
    this.clientOrderId = clientOrderId;
  }
}

/**
 * Credentials are missing, wrong or expired.
 *
 * @example
 * ```ts
 * import { AuthenticationError } from "./errors.ts";
 * const e = new AuthenticationError({ venue: "grvt", code: 401 });
 * ```
 */
export class AuthenticationError extends PerpError {
  /**
   * Creates the error.
   * @param options Venue, endpoint, code and context.
   */
  constructor(options: PerpErrorOptions = {}) {
    super(
      options.message ?? describe("Authentication failed", options, "check the credentials"),
      options,
    );
  }
}

/**
 * The venue did not accept a request or order signature.
 *
 * @example
 * ```ts
 * import { AuthenticationError, InvalidSignatureError } from "./errors.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const e = new InvalidSignatureError({ venue: "edgex" });
 * equal(e instanceof AuthenticationError, true);
 * ```
 */
export class InvalidSignatureError extends AuthenticationError {
  /**
   * Creates the error.
   * @param options Venue, endpoint, code and context.
   */
  constructor(options: PerpErrorOptions = {}) {
    super({
      ...options,
      message: options.message ??
        describe("Invalid signature", options, "the venue rejected the signature"),
    });
  }
}

/**
 * The order, market or account does not exist.
 *
 * @example
 * ```ts
 * import { NotFoundError } from "./errors.ts";
 * const e = new NotFoundError({ venue: "lighter", message: "Unknown market 'XYZ' on lighter" });
 * ```
 */
export class NotFoundError extends PerpError {
  /**
   * Creates the error.
   * @param options Venue, endpoint, code and context.
   */
  constructor(options: PerpErrorOptions = {}) {
    super(options.message ?? describe("Not found", options, "no such object"), options);
  }
}

/**
 * The venue sent a payload that does not match the expected schema.
 *
 * @example
 * ```ts
 * import { MalformedPayloadError } from "./errors.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const e = new MalformedPayloadError("result.mark_price", {
 *   venue: "grvt",
 *   endpoint: "full/v1/ticker",
 *   details: "expected decimal string, received number",
 * });
 * equal(e.field, "result.mark_price");
 * ```
 */
export class MalformedPayloadError extends PerpError {
  /** Dotted path of the offending field (`""` for the whole payload). */
  readonly field: string;
  /**
   * Creates the error.
   *
   * @param field Dotted path of the offending field.
   * @param options Venue, endpoint and what was wrong (in `details`).
   */
  constructor(field: string, options: PerpErrorOptions = {}) {
    super(
      options.message ??
        describe(
          "Malformed payload",
          options,
          `field '${field || "(root)"}'${
            typeof options.details === "string" ? ` ${options.details}` : " is invalid"
          }`,
        ),
      options,
    );
    this.field = field;
  }
}

/**
 * The caller's configuration is wrong: missing credentials, bad option values.
 *
 * @example
 * ```ts
 * import { ConfigurationError } from "./errors.ts";
 * const e = new ConfigurationError("Missing GRVT credentials: set GRVT_API_KEY, GRVT_PRIVATE_KEY", {
 *   venue: "grvt",
 * });
 * ```
 */
export class ConfigurationError extends PerpError {
  /**
   * Creates the error.
   *
   * @param message What is wrong and how to fix it.
   * @param options Venue and context.
   */
  constructor(message: string, options: PerpErrorOptions = {}) {
    super(message, options);
  }
}
