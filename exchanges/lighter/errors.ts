/**
 * Lighter's error codes as data (lighter.md §9, from ccxt's `exceptions` table and nautilus'
 * constants), and the transport hook that turns an `{code, message}` envelope — HTTP 400, or
 * HTTP 200 with `code != 200` — into the package's errors.
 *
 * @module
 */
import type { HttpErrorContext } from "../_shared/http.ts";
import {
  AuthenticationError,
  DuplicateClientOrderIdError,
  InsufficientMarginError,
  InvalidOrderError,
  InvalidSignatureError,
  NotFoundError,
  OrderRejectedError,
  PerpError,
  type PerpErrorOptions,
  RateLimitedError,
} from "../../core/errors.ts";

/**
 * The venue's code → error table. Codes not listed become a plain {@linkcode PerpError}
 * carrying the code and the venue's message.
 *
 * @example
 * ```ts
 * import { LIGHTER_ERROR_CODES } from "./errors.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(LIGHTER_ERROR_CODES[21104].message, "invalid nonce");
 * ```
 */
export const LIGHTER_ERROR_CODES: Readonly<
  Record<
    number,
    { readonly message: string; readonly error: (o: PerpErrorOptions) => PerpError }
  >
> = Object.freeze({
  21104: { message: "invalid nonce", error: (o) => new PerpError(msg(o), o) },
  21120: { message: "invalid signature", error: (o) => new InvalidSignatureError(o) },
  21501: { message: "invalid tx info", error: (o) => new PerpError(msg(o), o) },
  21506: { message: "too many pending txs", error: (o) => new RateLimitedError(undefined, o) },
  21507: {
    message: "account is below maintenance margin, can't execute transaction",
    error: (o) => new InsufficientMarginError(o),
  },
  21508: {
    message: "account is below initial margin",
    error: (o) => new InsufficientMarginError(o),
  },
  21600: {
    message: "given order is not an active limit order",
    error: (o) => new NotFoundError(o),
  },
  21602: {
    message: "invalid market index",
    error: (o) => new OrderRejectedError("other", o),
  },
  21603: {
    message: "invalid min amounts for market",
    error: (o) => new InvalidOrderError("invalid_size", o),
  },
  21700: { message: "invalid order index", error: (o) => new NotFoundError(o) },
  21701: {
    message: "invalid base amount",
    error: (o) => new InvalidOrderError("invalid_size", o),
  },
  21702: { message: "invalid price", error: (o) => new InvalidOrderError("invalid_price", o) },
  21706: {
    message: "invalid order base or quote amount",
    error: (o) => new InvalidOrderError("invalid_size", o),
  },
  21710: {
    message: "unsupported order type",
    error: (o) => new OrderRejectedError("other", o),
  },
  21711: { message: "invalid expiry", error: (o) => new OrderRejectedError("other", o) },
  21715: { message: "given order is not an active order", error: (o) => new NotFoundError(o) },
  21727: {
    message: "invalid client order index",
    error: (o) => new OrderRejectedError("other", o),
  },
  21728: {
    message: "client order index already exists",
    error: (o) => new DuplicateClientOrderIdError(String(o.details ?? ""), o),
  },
  21732: {
    message: "reduce only increases position",
    error: (o) => new OrderRejectedError("reduce_only", o),
  },
  21733: {
    message: "fat finger price",
    error: (o) => new InvalidOrderError("invalid_price", o),
  },
  21734: {
    message: "limit price is too far from the mark price",
    error: (o) => new InvalidOrderError("invalid_price", o),
  },
  21739: {
    message: "not enough margin to create the order",
    error: (o) => new InsufficientMarginError(o),
  },
  21740: {
    message: "account is in reduce only mode",
    error: (o) => new OrderRejectedError("reduce_only", o),
  },
  23000: { message: "too many requests", error: (o) => new RateLimitedError(undefined, o) },
});

/** The code for an invalid nonce, which the client answers by resyncing its nonce. */
export const LIGHTER_INVALID_NONCE = 21104;

function msg(o: PerpErrorOptions): string {
  return o.message ?? `Request failed on lighter ${o.endpoint ?? ""} (code ${o.code})`;
}

/**
 * Builds the error for a venue code and message.
 *
 * @param code The venue's code.
 * @param message The venue's message.
 * @param options Endpoint and the client order id (for duplicates).
 * @returns The error.
 *
 * @example
 * ```ts
 * import { lighterError } from "./errors.ts";
 * import { DuplicateClientOrderIdError } from "../../core/errors.ts";
 * import { ok } from "node:assert/strict";
 *
 * ok(lighterError(21728, "client order index already exists") instanceof DuplicateClientOrderIdError);
 * ```
 */
export function lighterError(
  code: number,
  message: string | undefined,
  options: { endpoint?: string; clientOrderId?: string } = {},
): PerpError {
  const entry = LIGHTER_ERROR_CODES[code];
  const said = message ?? entry?.message ?? "no message";
  const o: PerpErrorOptions = {
    venue: "lighter",
    endpoint: options.endpoint,
    code,
    message: `Request failed on lighter ${options.endpoint ?? ""} (code ${code}): ${said}`,
  };
  if (code === 21728) {
    return new DuplicateClientOrderIdError(options.clientOrderId ?? "", {
      ...o,
      message: `Cannot place order on lighter as client order index ${
        options.clientOrderId ?? ""
      } is in use by an active order (code 21728)`,
    });
  }
  if (entry) return entry.error(o);
  if (code === 401 || code === 403) return new AuthenticationError(o);
  return new PerpError(o.message!, o);
}

/**
 * The HTTP transport's `mapError` hook for Lighter: an envelope with `code != 200` becomes the
 * tabled error; HTTP statuses without an envelope fall back to the transport's mapping.
 *
 * @param ctx The response.
 * @returns The error, or `undefined` for a success.
 *
 * @example
 * ```ts
 * import { mapLighterError } from "./errors.ts";
 * import { ok } from "node:assert/strict";
 *
 * const e = mapLighterError({
 *   venue: "lighter", endpoint: "/api/v1/sendTx", method: "POST", url: "", status: 400,
 *   headers: new Headers(), body: { code: 21104, message: "invalid nonce" }, text: "",
 *   retryAfterMs: undefined,
 * });
 * ok(e?.code === 21104);
 * ```
 */
export function mapLighterError(ctx: HttpErrorContext): PerpError | undefined {
  const body = ctx.body as { code?: unknown; message?: unknown } | undefined;
  const code = typeof body === "object" && body !== null ? body.code : undefined;
  if (typeof code === "number" && code !== 200 && code !== 0) {
    const e = lighterError(
      code,
      typeof body?.message === "string" ? body.message : undefined,
      { endpoint: ctx.endpoint },
    );
    if (e instanceof RateLimitedError && ctx.retryAfterMs !== undefined) {
      return new RateLimitedError(ctx.retryAfterMs, {
        venue: "lighter",
        endpoint: ctx.endpoint,
        code,
      });
    }
    return e;
  }
  return undefined;
}
