/**
 * The private request bodies the EdgeX replica accepts, checked by hand from the venue notes
 * (edgex.md §3.5 createOrder, §4.4 cancels). Ids, decimals and timestamps are JSON strings;
 * optional fields may be absent or `null` (the Python SDK sends `null`, the Go SDK omits them).
 * A refusal names the field, as the gateway's `errorParam` does.
 *
 * @module
 */
import { Decimal } from "../../core/decimal.ts";

/**
 * A body field the replica refuses.
 *
 * @example
 * ```ts
 * import { EdgeXBodyError } from "./requests.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const e = new EdgeXBodyError("size", "must be a decimal string");
 * equal(e.field, "size");
 * ```
 */
export class EdgeXBodyError extends Error {
  /** The body field. */
  readonly field: string;
  /**
   * A refusal of one field.
   *
   * @param field The body field.
   * @param why What is wrong with it.
   */
  constructor(field: string, why: string) {
    super(`invalid ${field}: ${why}`);
    this.field = field;
    this.name = "EdgeXBodyError";
  }
}

/** Order types of the gateway (edgex.md §4.4). */
const ORDER_TYPES = [
  "LIMIT",
  "MARKET",
  "STOP_LIMIT",
  "STOP_MARKET",
  "TAKE_PROFIT_LIMIT",
  "TAKE_PROFIT_MARKET",
] as const;
/** Time in force values (post-only is a time in force). */
const TIME_IN_FORCE = [
  "GOOD_TIL_CANCEL",
  "FILL_OR_KILL",
  "IMMEDIATE_OR_CANCEL",
  "POST_ONLY",
] as const;

/**
 * A checked createOrder body (decimals parsed; the signed fields also kept as sent).
 *
 * @example
 * ```ts
 * import type { EdgeXCreateOrderBody } from "./requests.ts";
 * const side = (b: EdgeXCreateOrderBody) => b.side;
 * ```
 */
export interface EdgeXCreateOrderBody {
  /** Account id. */
  accountId: string;
  /** Contract id. */
  contractId: string;
  /** `BUY` / `SELL`. */
  side: "BUY" | "SELL";
  /** Size. */
  size: Decimal;
  /** Price (`0` for a market order). */
  price: Decimal;
  /** Client order id. */
  clientOrderId: string;
  /** Order type. */
  type:
    | "LIMIT"
    | "MARKET"
    | "STOP_LIMIT"
    | "STOP_MARKET"
    | "TAKE_PROFIT_LIMIT"
    | "TAKE_PROFIT_MARKET";
  /** Time in force. */
  timeInForce: "GOOD_TIL_CANCEL" | "FILL_OR_KILL" | "IMMEDIATE_OR_CANCEL" | "POST_ONLY";
  /** Reduce only. */
  reduceOnly: boolean;
  /** Expiry, ms, as sent. */
  expireTime: string;
  /** Nonce, as sent. */
  l2Nonce: string;
  /** Signed notional. */
  l2Value: Decimal;
  /** Signed size. */
  l2Size: Decimal;
  /** Fee cap. */
  l2LimitFee: Decimal;
  /** L2 expiry, ms, as sent. */
  l2ExpireTime: string;
  /** Signature, as sent. */
  l2Signature: string;
  /** The signed decimals exactly as sent (the signature covers these strings' values). */
  wire: { l2Value: string; l2Size: string; l2LimitFee: string };
}

type Body = Record<string, unknown>;

function object(raw: unknown): Body {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new EdgeXBodyError("body", "must be a JSON object");
  }
  return raw as Body;
}

function digits(b: Body, field: string): string {
  const v = b[field];
  if (typeof v !== "string" || !/^\d{1,20}$/.test(v)) {
    throw new EdgeXBodyError(field, "must be a string of digits");
  }
  return v;
}

function decimal(b: Body, field: string): [Decimal, string] {
  const v = b[field];
  if (typeof v !== "string" || !/^\d{1,24}(\.\d{1,24})?$/.test(v)) {
    throw new EdgeXBodyError(field, "must be a non-negative decimal string");
  }
  return [new Decimal(v), v];
}

function oneOf<T extends string>(b: Body, field: string, values: readonly T[]): T {
  const v = b[field];
  if (typeof v !== "string" || !values.includes(v as T)) {
    throw new EdgeXBodyError(field, `must be one of ${values.join(", ")}`);
  }
  return v as T;
}

function idList(b: Body, field: string, check: (s: string) => boolean): string[] {
  const v = b[field];
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string" && check(x))) {
    throw new EdgeXBodyError(field, "must be an array of id strings");
  }
  return v as string[];
}

const isDigits = (s: string) => /^\d{1,20}$/.test(s);

/**
 * Checks a createOrder body (edgex.md §3.5).
 *
 * @param raw The parsed JSON body.
 * @returns The checked body.
 * @throws {EdgeXBodyError} Naming the first bad field.
 *
 * @example
 * ```ts
 * import { parseCreateOrderBody } from "./requests.ts";
 * import { throws } from "node:assert/strict";
 * throws(() => parseCreateOrderBody({ accountId: "1" }));
 * ```
 */
export function parseCreateOrderBody(raw: unknown): EdgeXCreateOrderBody {
  const b = object(raw);
  const accountId = digits(b, "accountId");
  const contractId = digits(b, "contractId");
  const side = oneOf(b, "side", ["BUY", "SELL"] as const);
  const [size] = decimal(b, "size");
  const [price] = decimal(b, "price");
  const clientOrderId = b.clientOrderId;
  if (typeof clientOrderId !== "string" || clientOrderId === "") {
    throw new EdgeXBodyError("clientOrderId", "must be a non-empty string");
  }
  const type = oneOf(b, "type", ORDER_TYPES);
  const timeInForce = oneOf(b, "timeInForce", TIME_IN_FORCE);
  const reduceOnly = b.reduceOnly ?? false;
  if (typeof reduceOnly !== "boolean") throw new EdgeXBodyError("reduceOnly", "must be a boolean");
  const expireTime = digits(b, "expireTime");
  const l2Nonce = digits(b, "l2Nonce");
  const [l2Value, l2ValueText] = decimal(b, "l2Value");
  const [l2Size, l2SizeText] = decimal(b, "l2Size");
  const [l2LimitFee, l2LimitFeeText] = decimal(b, "l2LimitFee");
  const l2ExpireTime = digits(b, "l2ExpireTime");
  const l2Signature = b.l2Signature;
  if (typeof l2Signature !== "string") throw new EdgeXBodyError("l2Signature", "must be a string");
  for (const f of ["triggerPrice", "triggerPriceType", "sourceKey", "extraType", "extraDataJson"]) {
    if (b[f] !== undefined && b[f] !== null && typeof b[f] !== "string") {
      throw new EdgeXBodyError(f, "must be a string");
    }
  }
  return {
    accountId,
    contractId,
    side,
    size,
    price,
    clientOrderId,
    type,
    timeInForce,
    reduceOnly,
    expireTime,
    l2Nonce,
    l2Value,
    l2Size,
    l2LimitFee,
    l2ExpireTime,
    l2Signature,
    wire: { l2Value: l2ValueText, l2Size: l2SizeText, l2LimitFee: l2LimitFeeText },
  };
}

/**
 * Checks a `cancelOrderById` body `{accountId, orderIdList}`.
 *
 * @param raw The parsed JSON body.
 * @returns The order ids.
 * @throws {EdgeXBodyError} Naming the bad field.
 *
 * @example
 * ```ts
 * import { parseCancelByIdBody } from "./requests.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 * deepEqual(parseCancelByIdBody({ accountId: "1", orderIdList: ["5"] }), ["5"]);
 * ```
 */
export function parseCancelByIdBody(raw: unknown): string[] {
  const b = object(raw);
  digits(b, "accountId");
  return idList(b, "orderIdList", isDigits);
}

/**
 * Checks a `cancelOrderByClientOrderId` body `{accountId, clientOrderIdList}`.
 *
 * @param raw The parsed JSON body.
 * @returns The client order ids.
 * @throws {EdgeXBodyError} Naming the bad field.
 *
 * @example
 * ```ts
 * import { parseCancelByClientIdBody } from "./requests.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 * deepEqual(parseCancelByClientIdBody({ accountId: "1", clientOrderIdList: ["a"] }), ["a"]);
 * ```
 */
export function parseCancelByClientIdBody(raw: unknown): string[] {
  const b = object(raw);
  digits(b, "accountId");
  return idList(b, "clientOrderIdList", (s) => s !== "");
}

/**
 * Checks a `cancelAllOrder` body; only `filterContractIdList` narrows (the SDKs send only it).
 *
 * @param raw The parsed JSON body.
 * @returns The contract filter (empty = every contract).
 * @throws {EdgeXBodyError} Naming the bad field.
 *
 * @example
 * ```ts
 * import { parseCancelAllBody } from "./requests.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 * deepEqual(parseCancelAllBody({ accountId: "1" }), []);
 * ```
 */
export function parseCancelAllBody(raw: unknown): string[] {
  const b = object(raw);
  digits(b, "accountId");
  if (b.filterContractIdList === undefined || b.filterContractIdList === null) return [];
  return idList(b, "filterContractIdList", isDigits);
}

/**
 * Checks an `updateLeverageSetting` body `{accountId, contractId, leverage}` (gitbook
 * account-api: `contractId` `"0"` = the account default; `leverage` a string such as `"20"`).
 *
 * @param raw The parsed JSON body.
 * @returns The contract id and the leverage.
 * @throws {EdgeXBodyError} Naming the bad field.
 *
 * @example
 * ```ts
 * import { parseUpdateLeverageBody } from "./requests.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 * const b = parseUpdateLeverageBody({ accountId: "1", contractId: "30000001", leverage: "20" });
 * deepEqual([b.contractId, b.leverage.toString()], ["30000001", "20"]);
 * ```
 */
export function parseUpdateLeverageBody(raw: unknown): { contractId: string; leverage: Decimal } {
  const b = object(raw);
  digits(b, "accountId");
  const contractId = digits(b, "contractId");
  const [leverage] = decimal(b, "leverage");
  if (!leverage.gt(0)) throw new EdgeXBodyError("leverage", "must be positive");
  return { contractId, leverage };
}
