/**
 * EdgeX V2 error table: envelope `code` → the package's error classes.
 *
 * EdgeX refuses requests with `{code, msg, errorParam, …}` on a 4xx or on an ordinary HTTP 200
 * (edgex.md §6, LIVE3P). No official code catalogue exists; the codes below are the gitbook's
 * generic list (`INVALID_PARAMETER, ACCOUNT_NOT_FOUND, INSUFFICIENT_BALANCE, ORDER_NOT_FOUND,
 * SIGNATURE_ERROR, RATE_LIMIT_EXCEEDED`) and its WebSocket codes (`AUTHENTICATION_FAILED`, …).
 * Unknown codes become a plain {@linkcode PerpError} carrying the code and the venue's message.
 *
 * @module
 */
import {
  AuthenticationError,
  InsufficientMarginError,
  InvalidSignatureError,
  NotFoundError,
  OrderRejectedError,
  PerpError,
  type PerpErrorOptions,
  RateLimitedError,
} from "../../core/errors.ts";
import type { HttpErrorContext } from "../_shared/http.ts";

/**
 * Envelope codes and the error each becomes. Data, not code: extend it when the venue shows a
 * new code.
 *
 * @example
 * ```ts
 * import { EDGEX_ERROR_CODES } from "./errors.ts";
 * import { InvalidSignatureError } from "../../core/errors.ts";
 * import { ok } from "node:assert/strict";
 * ok(EDGEX_ERROR_CODES.SIGNATURE_ERROR({ venue: "edgex" }) instanceof InvalidSignatureError);
 * ```
 */
export const EDGEX_ERROR_CODES: Readonly<Record<string, (o: PerpErrorOptions) => PerpError>> =
  Object.freeze({
    SIGNATURE_ERROR: (o) => new InvalidSignatureError(o),
    INVALID_SIGNATURE: (o) => new InvalidSignatureError(o),
    AUTHENTICATION_FAILED: (o) => new AuthenticationError(o),
    UNAUTHORIZED: (o) => new AuthenticationError(o),
    ACCOUNT_NOT_FOUND: (o) => new AuthenticationError(o),
    INSUFFICIENT_BALANCE: (o) => new InsufficientMarginError(o),
    ORDER_NOT_FOUND: (o) => new NotFoundError(o),
    RATE_LIMIT_EXCEEDED: (o) => new RateLimitedError(undefined, o),
    INVALID_PARAMETER: (o) =>
      o.endpoint?.includes("/createOrder")
        ? new OrderRejectedError("other", o)
        : new PerpError(o.message ?? "Invalid parameter", o),
  });

/**
 * The transport's `mapError` for EdgeX: an envelope whose `code` is not `"SUCCESS"` becomes the
 * table's error (status mapping otherwise).
 *
 * @param ctx What the transport saw.
 * @returns The error, or `undefined` for a success envelope or a body without a code.
 *
 * @example
 * ```ts
 * import { mapEdgeXError } from "./errors.ts";
 * import { InvalidSignatureError } from "../../core/errors.ts";
 * import { ok } from "node:assert/strict";
 *
 * const error = mapEdgeXError({
 *   venue: "edgex",
 *   endpoint: "/api/v2/private/order/createOrder",
 *   method: "POST",
 *   url: "https://example.invalid/api/v2/private/order/createOrder",
 *   status: 401,
 *   headers: new Headers(),
 *   body: { code: "SIGNATURE_ERROR", msg: "Signature does not match the request" },
 *   text: "",
 *   retryAfterMs: undefined,
 * });
 * ok(error instanceof InvalidSignatureError);
 * ```
 */
export function mapEdgeXError(ctx: HttpErrorContext): PerpError | undefined {
  const body = ctx.body;
  if (body === null || typeof body !== "object" || Array.isArray(body)) return undefined;
  const code = (body as { code?: unknown }).code;
  if (typeof code !== "string" || code === "SUCCESS") return undefined;
  const msg = (body as { msg?: unknown }).msg;
  const said = typeof msg === "string" && msg !== "" ? msg : code;
  const options: PerpErrorOptions = {
    venue: ctx.venue,
    endpoint: ctx.endpoint,
    code,
    details: {
      status: ctx.status,
      errorParam: (body as { errorParam?: unknown }).errorParam,
      traceId: (body as { traceId?: unknown }).traceId,
    },
  };
  const make = EDGEX_ERROR_CODES[code];
  if (make) {
    const error = make({
      ...options,
      message: `Request refused on ${ctx.venue} ${ctx.endpoint} (code ${code}): ${said}`,
    });
    if (error instanceof RateLimitedError && ctx.retryAfterMs !== undefined) {
      return new RateLimitedError(ctx.retryAfterMs, { ...options, message: error.message });
    }
    return error;
  }
  if (ctx.status === 401 || ctx.status === 403) {
    return new AuthenticationError({
      ...options,
      message: `Authentication failed on ${ctx.venue} ${ctx.endpoint} (code ${code}): ${said}`,
    });
  }
  return new PerpError(`Request failed on ${ctx.venue} ${ctx.endpoint} (code ${code}): ${said}`, {
    ...options,
  });
}
