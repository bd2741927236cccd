/**
 * The GRVT error codes the replica answers with: HTTP status and message, copied from the
 * venue's error table (grvt.md §9; `fixtures/grvt/_error_codes_from_apispec.json`). The
 * replica keeps its own copy so that a wrong entry in the client's table cannot hide behind
 * the same entry on the server side.
 *
 * @module
 */

/** One code's HTTP status and message. */
export interface GrvtWireError {
  /** HTTP status of a REST answer. */
  readonly status: number;
  /** The venue's message. */
  readonly message: string;
}

/**
 * Code → HTTP status and message, as the venue sends them.
 *
 * @example
 * ```ts
 * import { GRVT_WIRE_ERRORS } from "./_error_codes.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(GRVT_WIRE_ERRORS[1000].status, 401);
 * ```
 */
export const GRVT_WIRE_ERRORS: Readonly<Record<number, GrvtWireError>> = Object.freeze({
  1000: { status: 401, message: "You need to authenticate prior to using this functionality" },
  1001: { status: 403, message: "You are not authorized to access this functionality" },
  1002: { status: 500, message: "Internal Server Error" },
  1003: { status: 400, message: "Request could not be processed due to malformed syntax" },
  1004: { status: 404, message: "Data Not Found" },
  1006: { status: 429, message: "You have surpassed the allocated rate limit for your tier" },
  1012: { status: 400, message: "Invalid signature chain ID" },
  1101: { status: 400, message: "Feed Format must be in the format of <primary>@<secondary>" },
  1102: { status: 400, message: "Wrong number of primary selectors" },
  1103: { status: 400, message: "Wrong number of secondary selectors" },
  2000: { status: 403, message: "Signature is from an unauthorized signer" },
  2001: { status: 403, message: "Signature has expired" },
  2002: { status: 403, message: "Signature does not match payload" },
  2003: { status: 403, message: "Order sub account does not match logged in user" },
  2005: { status: 403, message: "Signature V must be 27/28" },
  2006: {
    status: 403,
    message: "Signature R/S must have exactly 64 characters long without 0x prefix",
  },
  2007: { status: 403, message: "Signature S must be in the lower half of the curve" },
  2008: { status: 403, message: "Signature exceeds maximum allowed duration." },
  2010: { status: 400, message: "Order ID should be empty when creating an order" },
  2011: { status: 400, message: "Client Order ID should be supplied when creating an order" },
  2012: { status: 400, message: "Client Order ID overlaps with existing active order" },
  2020: { status: 400, message: "Market Order must always be supplied without a limit price" },
  2021: { status: 400, message: "Limit Order must always be supplied with a limit price" },
  2030: { status: 400, message: "Orderbook Orders must have a TimeInForce of GTT/IOC/FOK" },
  2032: { status: 400, message: "Post Only can only be set to true for GTT/AON orders" },
  2040: { status: 400, message: "Order must contain at least one leg" },
  2042: { status: 400, message: "Orderbook Orders must contain only one leg" },
  2050: { status: 400, message: "Order state must be empty upon creation" },
  2061: { status: 400, message: "Unsupported Instrument Requested" },
  2062: { status: 400, message: "Order size smaller than min size" },
  2064: { status: 400, message: "Invalid limit price tick" },
  2065: { status: 400, message: "Order size too granular" },
  2066: {
    status: 400,
    message: "Order below minimum notional. Please try again with a higher price or size.",
  },
  2080: { status: 400, message: "Insufficient margin to create order" },
  2082: { status: 400, message: "Pre-order check failed" },
  2100: { status: 400, message: "Invalid initial leverage" },
  2101: { status: 400, message: "Vaults cannot configure leverage" },
  2233: { status: 400, message: "Both order ID and client order ID cannot be provided" },
  2400: { status: 400, message: "Reduce only order with no position" },
  2401: { status: 400, message: "Reduce only order must not increase position size" },
  2402: { status: 400, message: "Reduce only order size exceeds maximum allowed value" },
  3000: { status: 400, message: "Instrument is invalid" },
  3020: { status: 400, message: "Sub account ID must be an uint64 integer" },
  3021: { status: 400, message: "Either order ID or client order ID must be supplied" },
  3030: { status: 400, message: "Feed rate is invalid" },
  3031: { status: 400, message: "Depth is invalid" },
  3040: { status: 400, message: "Candlestick interval is invalid" },
  3041: { status: 400, message: "Candlestick type is invalid" },
});
