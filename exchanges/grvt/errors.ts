/**
 * GRVT error codes as data: each code the client can meet maps to the package's error class
 * callers branch on (grvt.md §9; messages from the spec's error table). Order reject reasons
 * that arrive later on the order stream map the same way.
 *
 * @module
 */
import {
  AuthenticationError,
  ConfigurationError,
  DuplicateClientOrderIdError,
  InsufficientMarginError,
  InvalidOrderError,
  InvalidSignatureError,
  NotFoundError,
  OrderRejectedError,
  PerpError,
  type PerpErrorOptions,
  PostOnlyWouldCrossError,
  RateLimitedError,
  VenueUnavailableError,
} from "../../core/errors.ts";
import type { CancelReason } from "../../base.ts";

/**
 * What a GRVT error code means to a caller.
 *
 * @example
 * ```ts
 * import type { GrvtErrorKind } from "./errors.ts";
 * const k: GrvtErrorKind = "signature";
 * ```
 */
export type GrvtErrorKind =
  | "auth"
  | "signature"
  | "duplicate_client_order_id"
  | "insufficient_margin"
  | "invalid_size"
  | "invalid_price"
  | "reduce_only"
  | "rejected"
  | "rate_limited"
  | "unavailable"
  | "not_found"
  | "configuration"
  | "bad_request";

/**
 * One row of the GRVT error table.
 *
 * @example
 * ```ts
 * import type { GrvtErrorEntry } from "./errors.ts";
 * const e: GrvtErrorEntry = { status: 400, message: "Invalid limit price tick", kind: "invalid_price" };
 * ```
 */
export interface GrvtErrorEntry {
  /** HTTP status the venue answers with. */
  readonly status: number;
  /** The venue's message. */
  readonly message: string;
  /** What it means to a caller. */
  readonly kind: GrvtErrorKind;
}

const e = (status: number, message: string, kind: GrvtErrorKind): GrvtErrorEntry =>
  Object.freeze({ status, message, kind });

/**
 * GRVT error codes the client and the replica use, with the spec's HTTP status and message
 * (`fixtures/grvt/_error_codes_from_apispec.json`).
 *
 * @example
 * ```ts
 * import { GRVT_ERROR_CODES } from "./errors.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(GRVT_ERROR_CODES[2012].message, "Client Order ID overlaps with existing active order");
 * ```
 */
export const GRVT_ERROR_CODES: Readonly<Record<number, GrvtErrorEntry>> = Object.freeze({
  1000: e(401, "You need to authenticate prior to using this functionality", "auth"),
  1001: e(403, "You are not authorized to access this functionality", "auth"),
  1002: e(500, "Internal Server Error", "unavailable"),
  1003: e(400, "Request could not be processed due to malformed syntax", "bad_request"),
  1004: e(404, "Data Not Found", "not_found"),
  1005: e(500, "Unknown Error", "unavailable"),
  1006: e(429, "You have surpassed the allocated rate limit for your tier", "rate_limited"),
  1008: e(401, "Your IP has not been whitelisted for access", "auth"),
  1009: e(
    503,
    "We are temporarily deactivating this API endpoint, please try again later",
    "unavailable",
  ),
  1012: e(400, "Invalid signature chain ID", "signature"),
  1101: e(400, "Feed Format must be in the format of <primary>@<secondary>", "bad_request"),
  1102: e(400, "Wrong number of primary selectors", "bad_request"),
  1103: e(400, "Wrong number of secondary selectors", "bad_request"),
  1400: e(403, "Signer does not have trade permission", "auth"),
  2000: e(403, "Signature is from an unauthorized signer", "signature"),
  2001: e(403, "Signature has expired", "signature"),
  2002: e(403, "Signature does not match payload", "signature"),
  2003: e(403, "Order sub account does not match logged in user", "auth"),
  2004: e(403, "Signature is from an expired session key", "signature"),
  2005: e(403, "Signature V must be 27/28", "signature"),
  2006: e(403, "Signature R/S must have exactly 64 characters long without 0x prefix", "signature"),
  2007: e(403, "Signature S must be in the lower half of the curve", "signature"),
  2008: e(403, "Signature exceeds maximum allowed duration.", "signature"),
  2010: e(400, "Order ID should be empty when creating an order", "rejected"),
  2011: e(400, "Client Order ID should be supplied when creating an order", "rejected"),
  2012: e(400, "Client Order ID overlaps with existing active order", "duplicate_client_order_id"),
  2020: e(400, "Market Order must always be supplied without a limit price", "invalid_price"),
  2021: e(400, "Limit Order must always be supplied with a limit price", "invalid_price"),
  2030: e(400, "Orderbook Orders must have a TimeInForce of GTT/IOC/FOK", "rejected"),
  2032: e(400, "Post Only can only be set to true for GTT/AON orders", "rejected"),
  2040: e(400, "Order must contain at least one leg", "rejected"),
  2042: e(400, "Orderbook Orders must contain only one leg", "rejected"),
  2050: e(400, "Order state must be empty upon creation", "rejected"),
  2060: e(400, "Order Legs contain one or more inactive derivative", "rejected"),
  2061: e(400, "Unsupported Instrument Requested", "rejected"),
  2062: e(400, "Order size smaller than min size", "invalid_size"),
  2064: e(400, "Invalid limit price tick", "invalid_price"),
  2065: e(400, "Order size too granular", "invalid_size"),
  2066: e(
    400,
    "Order below minimum notional. Please try again with a higher price or size.",
    "invalid_size",
  ),
  2080: e(400, "Insufficient margin to create order", "insufficient_margin"),
  2081: e(400, "Order Fill would result in exceeding maximum position size", "invalid_size"),
  2083: e(
    400,
    "Order Fill would result in exceeding maximum position size under current configurable leverage tier",
    "invalid_size",
  ),
  2090: e(429, "Max open orders exceeded", "rejected"),
  2100: e(400, "Invalid initial leverage", "configuration"),
  2101: e(400, "Vaults cannot configure leverage", "configuration"),
  2233: e(400, "Both order ID and client order ID cannot be provided", "bad_request"),
  2400: e(400, "Reduce only order with no position", "reduce_only"),
  2401: e(400, "Reduce only order must not increase position size", "reduce_only"),
  2402: e(400, "Reduce only order size exceeds maximum allowed value", "reduce_only"),
  3000: e(400, "Instrument is invalid", "rejected"),
  3007: e(400, "API is not applicable for spot instruments", "bad_request"),
  3020: e(400, "Sub account ID must be an uint64 integer", "bad_request"),
  3021: e(400, "Either order ID or client order ID must be supplied", "bad_request"),
  3030: e(400, "Feed rate is invalid", "bad_request"),
  3031: e(400, "Depth is invalid", "bad_request"),
  6000: e(400, "Countdown time is bigger than 300s supported", "bad_request"),
  7304: e(
    400,
    "Only position-reducing orders (`reduce_only` as true) allowed for this asset right now.",
    "reduce_only",
  ),
});

/**
 * Context of {@linkcode grvtError}.
 *
 * @example
 * ```ts
 * import type { GrvtErrorContext } from "./errors.ts";
 * const ctx: GrvtErrorContext = { endpoint: "full/v1/create_order", clientOrderId: "9223372036854775809" };
 * ```
 */
export interface GrvtErrorContext {
  /** Endpoint or stream. */
  endpoint?: string;
  /** HTTP status, when the error came over HTTP. */
  status?: number;
  /** The client order id of the order concerned. */
  clientOrderId?: string;
  /** `Retry-After` in ms, for 429s. */
  retryAfterMs?: number;
  /** Extra details. */
  details?: unknown;
}

/**
 * Builds the package error for a GRVT error code (unknown codes fall back on the HTTP status).
 *
 * @param code The venue code.
 * @param message The venue's message, if any.
 * @param ctx Endpoint, HTTP status, client order id, `Retry-After`.
 * @returns The error, never thrown here.
 *
 * @example
 * ```ts
 * import { grvtError } from "./errors.ts";
 * import { ok } from "node:assert/strict";
 * import { DuplicateClientOrderIdError, InvalidSignatureError } from "../../core/errors.ts";
 *
 * ok(grvtError(2012, undefined, { clientOrderId: "9223372036854775809" }) instanceof DuplicateClientOrderIdError);
 * ok(grvtError(2002) instanceof InvalidSignatureError);
 * ```
 */
export function grvtError(code: number, message?: string, ctx: GrvtErrorContext = {}): PerpError {
  const entry = GRVT_ERROR_CODES[code];
  const said = message ?? entry?.message ?? "unknown error";
  const options: PerpErrorOptions = {
    venue: "grvt",
    endpoint: ctx.endpoint,
    code,
    details: ctx.details,
    message: `GRVT refused ${ctx.endpoint ?? "the request"} (code ${code}): ${said}`,
  };
  const kind: GrvtErrorKind = entry?.kind ?? kindOfStatus(ctx.status);
  switch (kind) {
    case "auth":
      return new AuthenticationError(options);
    case "signature":
      return new InvalidSignatureError(options);
    case "duplicate_client_order_id":
      return new DuplicateClientOrderIdError(ctx.clientOrderId ?? "?", options);
    case "insufficient_margin":
      return new InsufficientMarginError(options);
    case "invalid_size":
    case "invalid_price":
      return new InvalidOrderError(kind, options);
    case "reduce_only":
      return new OrderRejectedError("reduce_only", options);
    case "rejected":
      return new OrderRejectedError("other", options);
    case "rate_limited":
      return new RateLimitedError(ctx.retryAfterMs, options);
    case "unavailable":
      return new VenueUnavailableError(options);
    case "not_found":
      return new NotFoundError(options);
    case "configuration":
      return new ConfigurationError(options.message!, options);
    default:
      return new PerpError(options.message!, options);
  }
}

function kindOfStatus(status: number | undefined): GrvtErrorKind {
  if (status === 401 || status === 403) return "auth";
  if (status === 404) return "not_found";
  if (status === 429) return "rate_limited";
  if (status !== undefined && status >= 500) return "unavailable";
  return "bad_request";
}

/**
 * How each `reject_reason` of an order maps to the unified cancel reason (grvt.md §8.3).
 * `UNSPECIFIED` and unlisted reasons map to nothing and `"other"` respectively.
 *
 * @example
 * ```ts
 * import { GRVT_REJECT_REASONS } from "./errors.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(GRVT_REJECT_REASONS.FAIL_POST_ONLY, "post_only_would_cross");
 * ```
 */
export const GRVT_REJECT_REASONS: Readonly<Record<string, CancelReason>> = Object.freeze({
  CLIENT_CANCEL: "user",
  CLIENT_BULK_CANCEL: "user",
  CLIENT_SESSION_END: "user",
  CLIENT_CANCEL_ON_DISCONNECT_TRIGGERED: "user",
  CLIENT_REPLACE: "user",
  MARKET_CANCEL: "ioc_unfilled",
  IOC_CANCEL: "ioc_unfilled",
  AON_CANCEL: "fok_unfilled",
  FOK_CANCEL: "fok_unfilled",
  EXPIRED: "expired",
  FAIL_POST_ONLY: "post_only_would_cross",
  FAIL_REDUCE_ONLY: "reduce_only",
  REDUCE_ONLY_LIMIT: "reduce_only",
  SELF_TRADE_PROTECTION: "self_trade",
  SELF_MATCHED_SUBACCOUNT: "self_trade",
  BELOW_MARGIN: "insufficient_margin",
  BELOW_MARGIN_WITH_PENALTY_DEVIATION: "insufficient_margin",
  INSUFFICIENT_BALANCE: "insufficient_margin",
  LIQUIDATION: "liquidation",
});

/**
 * The unified cancel reason of a GRVT `reject_reason`.
 *
 * @param reason The wire value.
 * @returns The reason, or `undefined` for `UNSPECIFIED` / absent.
 *
 * @example
 * ```ts
 * import { grvtCancelReason } from "./errors.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(grvtCancelReason("IOC_CANCEL"), "ioc_unfilled");
 * ```
 */
export function grvtCancelReason(reason: string | undefined): CancelReason | undefined {
  if (reason === undefined || reason === "" || reason === "UNSPECIFIED") return undefined;
  return GRVT_REJECT_REASONS[reason] ?? "other";
}

/**
 * The error `placeOrder` throws for an order the venue accepted and then refused
 * (status `REJECTED`, or `CANCELLED` before resting for post-only / reduce-only).
 *
 * @param reason The wire `reject_reason`.
 * @param clientOrderId The order's client order id.
 * @returns The error.
 *
 * @example
 * ```ts
 * import { grvtRejection } from "./errors.ts";
 * import { PostOnlyWouldCrossError } from "../../core/errors.ts";
 * import { ok } from "node:assert/strict";
 * ok(grvtRejection("FAIL_POST_ONLY", "9223372036854775809") instanceof PostOnlyWouldCrossError);
 * ```
 */
export function grvtRejection(reason: string, clientOrderId: string): OrderRejectedError {
  const options: PerpErrorOptions = {
    venue: "grvt",
    endpoint: "v1.order",
    code: reason,
    message: `GRVT rejected order ${clientOrderId}: ${reason}`,
  };
  switch (grvtCancelReason(reason)) {
    case "post_only_would_cross":
      return new PostOnlyWouldCrossError(options);
    case "insufficient_margin":
      return new InsufficientMarginError(options);
    case "reduce_only":
      return new OrderRejectedError("reduce_only", options);
    default:
      return reason === "OVERLAPPING_CLIENT_ORDER_ID"
        ? new DuplicateClientOrderIdError(clientOrderId, options)
        : new OrderRejectedError("other", options);
  }
}
