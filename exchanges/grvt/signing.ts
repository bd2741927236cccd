/**
 * GRVT EIP-712 order signing (grvt.md §6): the `Order` and `OrderWithBuilderFee` typed data,
 * exact scaling of sizes and prices to the integers the venue signs, a signer that precomputes
 * everything but the ECDSA step, and a verifier built on viem's own EIP-712 hashing.
 *
 * Sizes and prices are scaled with exact integer arithmetic and truncated, as the venue does
 * (`size × 10^base_decimals`, `price × 1e9`). Floats never touch them: `1.013 × 1e9` in binary
 * floating point is `1012999999.9999999`, which signs one unit too little.
 *
 * @example Signing a post-only buy for the wire
 * ```ts
 * import { createGrvtOrderSigner, recoverGrvtOrderSigner } from "./signing.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * const signer = createGrvtOrderSigner({
 *   privateKey: "0xf7934647276a6e1fa0af3f4467b4b8ddaf45d25a7368fa1a295eef49a446819d",
 *   chainId: 326, // testnet
 * });
 * const order = {
 *   subAccountId: "8289849667772468",
 *   timeInForce: "GOOD_TILL_TIME",
 *   postOnly: true,
 *   legs: [{
 *     instrumentHash: "0x030501", // BTC_USDT_Perp
 *     baseDecimals: 9,
 *     size: "0.001",
 *     limitPrice: "90000.0",
 *     isBuyingAsset: true,
 *   }],
 *   nonce: 1375879248,
 *   expiration: "1767455222801000000",
 * } as const;
 * const signature = await signer.signOrder(order);
 * deepEqual(await recoverGrvtOrderSigner(order, signature, 326), signer.address);
 * ```
 *
 * @module
 */
import { bytesToHex, hexToBytes, keccak256, recoverTypedDataAddress, stringToBytes } from "viem";
import { privateKeyToAccount, sign } from "viem/accounts";
import { Decimal, type DecimalInput } from "../_shared/decimal.ts";
import { ConfigurationError, InvalidOrderError } from "../_shared/errors.ts";
import { registerSecret } from "../_shared/redact.ts";

/**
 * GRVT's time-in-force names, as they travel on the wire.
 *
 * @example
 * ```ts
 * import type { GrvtTimeInForce } from "./signing.ts";
 * const tif: GrvtTimeInForce = "IMMEDIATE_OR_CANCEL";
 * ```
 */
export type GrvtTimeInForce =
  | "GOOD_TILL_TIME"
  | "ALL_OR_NONE"
  | "IMMEDIATE_OR_CANCEL"
  | "FILL_OR_KILL"
  | "RETAIL_PRICE_IMPROVEMENT";

/**
 * The `uint8` each time in force is signed as (grvt.md §6.3; 0 is `UNSPECIFIED` and is never
 * signed).
 *
 * @example
 * ```ts
 * import { GRVT_TIME_IN_FORCE } from "./signing.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * deepEqual(GRVT_TIME_IN_FORCE.GOOD_TILL_TIME, 1);
 * ```
 */
export const GRVT_TIME_IN_FORCE: Readonly<Record<GrvtTimeInForce, number>> = Object.freeze({
  GOOD_TILL_TIME: 1,
  ALL_OR_NONE: 2,
  IMMEDIATE_OR_CANCEL: 3,
  FILL_OR_KILL: 4,
  RETAIL_PRICE_IMPROVEMENT: 5,
});

/**
 * One leg of an order to sign. Orderbook orders have exactly one leg.
 *
 * @example
 * ```ts
 * import type { GrvtOrderLeg } from "./signing.ts";
 * const leg: GrvtOrderLeg = {
 *   instrumentHash: "0x030501",
 *   baseDecimals: 9,
 *   size: "0.001",
 *   limitPrice: "90000.0",
 *   isBuyingAsset: true,
 * };
 * ```
 */
export interface GrvtOrderLeg {
  /** The instrument's `instrument_hash` (EIP-712 `assetID`): `"0x030501"` is BTC_USDT_Perp. */
  readonly instrumentHash: string | bigint;
  /** The instrument's `base_decimals` (9 on live perpetuals): the size is signed × 10^this. */
  readonly baseDecimals: number;
  /** Size in base units; positive. Decimals beyond `baseDecimals` are truncated (as the venue). */
  readonly size: DecimalInput;
  /**
   * Limit price; signed × 1e9, decimals beyond 9 truncated. Required for a limit order; a market
   * order has none (omit it or pass zero: it is signed as 0).
   */
  readonly limitPrice?: DecimalInput;
  /** `true` to buy, `false` to sell. */
  readonly isBuyingAsset: boolean;
}

/**
 * An order to sign, in the wire's terms (grvt.md §4.2.1) with camelCase names.
 *
 * @example
 * ```ts
 * import type { GrvtOrder } from "./signing.ts";
 * const order: GrvtOrder = {
 *   subAccountId: "2147050003876484",
 *   isMarket: true,
 *   timeInForce: "IMMEDIATE_OR_CANCEL",
 *   reduceOnly: true,
 *   legs: [{ instrumentHash: "0x030501", baseDecimals: 9, size: "0.01", isBuyingAsset: false }],
 *   nonce: 7,
 *   expiration: 1767455222801000000n,
 * };
 * ```
 */
export interface GrvtOrder {
  /** `sub_account_id`: the trading account, a uint64 as a decimal string or bigint. */
  readonly subAccountId: string | bigint;
  /** `is_market`. @default {false} */
  readonly isMarket?: boolean;
  /** `time_in_force`. */
  readonly timeInForce: GrvtTimeInForce;
  /**
   * `post_only`; only with `GOOD_TILL_TIME`, `ALL_OR_NONE` or `RETAIL_PRICE_IMPROVEMENT`.
   * @default {false}
   */
  readonly postOnly?: boolean;
  /** `reduce_only`. @default {false} */
  readonly reduceOnly?: boolean;
  /** The legs; at least one. */
  readonly legs: readonly GrvtOrderLeg[];
  /** `signature.nonce`: a uint32 (0 … 4294967295). The same nonce and payload sign identically. */
  readonly nonce: number;
  /**
   * `signature.expiration`: unix time in **nanoseconds** (bigint or decimal string), at most 30
   * days ahead; it is also the expiry of a `GOOD_TILL_TIME` order.
   */
  readonly expiration: bigint | string;
  /**
   * A builder to pay a fee to; absent (or the zero address, as pysdk treats it) signs a plain
   * `Order`. Given, the order is signed as `OrderWithBuilderFee` (grvt.md §6.4).
   */
  readonly builder?: string;
  /** `builder_fee`, signed as trunc(fee × 10^4); required with `builder`. */
  readonly builderFee?: DecimalInput;
}

/**
 * One signed leg as EIP-712 sees it.
 *
 * @example
 * ```ts
 * import type { GrvtOrderLegMessage } from "./signing.ts";
 * const leg: GrvtOrderLegMessage = {
 *   assetID: 0x030501n,
 *   contractSize: 1_000_000n,
 *   limitPrice: 90_000_000_000_000n,
 *   isBuyingContract: true,
 * };
 * ```
 */
export interface GrvtOrderLegMessage {
  /** `uint256`: the instrument hash. */
  assetID: bigint;
  /** `uint64`: trunc(size × 10^base_decimals). */
  contractSize: bigint;
  /** `uint64`: trunc(limit price × 1e9); 0 for a market order. */
  limitPrice: bigint;
  /** `bool`: buying. */
  isBuyingContract: boolean;
}

/**
 * The EIP-712 message of an order (`Order`, or `OrderWithBuilderFee` when `builder` is set).
 *
 * @example
 * ```ts
 * import { toGrvtOrderMessage, type GrvtOrderMessage } from "./signing.ts";
 * const message: GrvtOrderMessage = toGrvtOrderMessage({
 *   subAccountId: "1",
 *   timeInForce: "GOOD_TILL_TIME",
 *   legs: [{
 *     instrumentHash: "0x030501",
 *     baseDecimals: 9,
 *     size: "1",
 *     limitPrice: "2",
 *     isBuyingAsset: true,
 *   }],
 *   nonce: 1,
 *   expiration: "1767455222801000000",
 * });
 * ```
 */
export type GrvtOrderMessage = {
  /** `uint64`. */
  subAccountID: bigint;
  /** `bool`. */
  isMarket: boolean;
  /** `uint8`, see {@linkcode GRVT_TIME_IN_FORCE}. */
  timeInForce: number;
  /** `bool`. */
  postOnly: boolean;
  /** `bool`. */
  reduceOnly: boolean;
  /** `OrderLeg[]`. */
  legs: GrvtOrderLegMessage[];
  /** `address`, lowercase; only in `OrderWithBuilderFee`. */
  builder?: `0x${string}`;
  /** `uint32`: trunc(builder fee × 10^4); only in `OrderWithBuilderFee`. */
  builderFee?: number;
  /** `uint32`. */
  nonce: number;
  /** `int64`, nanoseconds. */
  expiration: bigint;
};

/**
 * One field of an EIP-712 struct type.
 *
 * @example
 * ```ts
 * import type { GrvtTypedDataField } from "./signing.ts";
 * const f: GrvtTypedDataField = { name: "nonce", type: "uint32" };
 * ```
 */
export interface GrvtTypedDataField {
  /** Field name. */
  readonly name: string;
  /** Solidity type. */
  readonly type: string;
}

/**
 * EIP-712 struct definitions keyed by type name, in the shape viem takes as `types`.
 *
 * @example
 * ```ts
 * import { GRVT_ORDER_TYPES, type GrvtTypedDataTypes } from "./signing.ts";
 * const types: GrvtTypedDataTypes = GRVT_ORDER_TYPES;
 * ```
 */
export type GrvtTypedDataTypes = Readonly<Record<string, readonly GrvtTypedDataField[]>>;

const ORDER_LEG_FIELDS: readonly GrvtTypedDataField[] = Object.freeze([
  { name: "assetID", type: "uint256" },
  { name: "contractSize", type: "uint64" },
  { name: "limitPrice", type: "uint64" },
  { name: "isBuyingContract", type: "bool" },
]);

/**
 * The `Order` and `OrderLeg` types (grvt.md §6.2), identical to the on-chain verifier's.
 *
 * @example
 * ```ts
 * import { GRVT_ORDER_TYPES } from "./signing.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * deepEqual(GRVT_ORDER_TYPES.Order.map((f) => f.name).join(","),
 *   "subAccountID,isMarket,timeInForce,postOnly,reduceOnly,legs,nonce,expiration");
 * ```
 */
export const GRVT_ORDER_TYPES: GrvtTypedDataTypes = Object.freeze({
  Order: Object.freeze([
    { name: "subAccountID", type: "uint64" },
    { name: "isMarket", type: "bool" },
    { name: "timeInForce", type: "uint8" },
    { name: "postOnly", type: "bool" },
    { name: "reduceOnly", type: "bool" },
    { name: "legs", type: "OrderLeg[]" },
    { name: "nonce", type: "uint32" },
    { name: "expiration", type: "int64" },
  ]),
  OrderLeg: ORDER_LEG_FIELDS,
});

/**
 * The `OrderWithBuilderFee` and `OrderLeg` types (grvt.md §6.4), used only when the order names
 * a builder.
 *
 * @example
 * ```ts
 * import { GRVT_ORDER_WITH_BUILDER_FEE_TYPES } from "./signing.ts";
 * import { ok } from "node:assert/strict";
 *
 * ok(GRVT_ORDER_WITH_BUILDER_FEE_TYPES.OrderWithBuilderFee.some((f) => f.name === "builderFee"));
 * ```
 */
export const GRVT_ORDER_WITH_BUILDER_FEE_TYPES: GrvtTypedDataTypes = Object.freeze({
  OrderWithBuilderFee: Object.freeze([
    { name: "subAccountID", type: "uint64" },
    { name: "isMarket", type: "bool" },
    { name: "timeInForce", type: "uint8" },
    { name: "postOnly", type: "bool" },
    { name: "reduceOnly", type: "bool" },
    { name: "legs", type: "OrderLeg[]" },
    { name: "builder", type: "address" },
    { name: "builderFee", type: "uint32" },
    { name: "nonce", type: "uint32" },
    { name: "expiration", type: "int64" },
  ]),
  OrderLeg: ORDER_LEG_FIELDS,
});

/**
 * GRVT's EIP-712 domain: no `verifyingContract`, no `salt` (grvt.md §6.1).
 *
 * @example
 * ```ts
 * import type { GrvtEip712Domain } from "./signing.ts";
 * const d: GrvtEip712Domain = { name: "GRVT Exchange", version: "0", chainId: 325 };
 * ```
 */
export interface GrvtEip712Domain {
  /** Always `"GRVT Exchange"`. */
  readonly name: "GRVT Exchange";
  /** Always `"0"`. */
  readonly version: "0";
  /** 325 prod, 326 testnet, 327 dev/staging (see `GRVT_ENVIRONMENTS`). */
  readonly chainId: number;
}

/**
 * An order's complete EIP-712 typed data, ready for viem's `hashTypedData`,
 * `signTypedData` or `recoverTypedDataAddress`.
 *
 * @example
 * ```ts
 * import { grvtOrderTypedData, type GrvtOrderTypedData } from "./signing.ts";
 * const td: GrvtOrderTypedData = grvtOrderTypedData({
 *   subAccountId: "1",
 *   timeInForce: "GOOD_TILL_TIME",
 *   legs: [{
 *     instrumentHash: "0x030501",
 *     baseDecimals: 9,
 *     size: "1",
 *     limitPrice: "2",
 *     isBuyingAsset: true,
 *   }],
 *   nonce: 1,
 *   expiration: "1767455222801000000",
 * }, 325);
 * ```
 */
export interface GrvtOrderTypedData {
  /** The domain. */
  domain: GrvtEip712Domain;
  /** {@linkcode GRVT_ORDER_TYPES} or {@linkcode GRVT_ORDER_WITH_BUILDER_FEE_TYPES}. */
  types: GrvtTypedDataTypes;
  /** `"Order"`, or `"OrderWithBuilderFee"` when the order names a builder. */
  primaryType: "Order" | "OrderWithBuilderFee";
  /** The message. */
  message: GrvtOrderMessage;
}

/**
 * The `signature` object of a `create_order` request (grvt.md §6.5).
 *
 * @example
 * ```ts
 * import type { GrvtOrderSignature } from "./signing.ts";
 * const sig: GrvtOrderSignature = {
 *   signer: "0xE10eC9Bb1eE30Af8bE35B32B163E7458a07aD987",
 *   r: "0xb00512d986a718b15136a8ba23de1c1ec84bbdb9958629cbbe4909bae620bb04",
 *   s: "0x79f706de61c68cc14d7734594b5d8689df2b2a7b25951f9a3f61d799f4327ffc",
 *   v: 28,
 *   expiration: "1730800479321350000",
 *   nonce: 828700936,
 * };
 * ```
 */
export interface GrvtOrderSignature {
  /** The signing wallet's address, checksummed. */
  signer: `0x${string}`;
  /** `0x` + 64 hex digits. */
  r: `0x${string}`;
  /** `0x` + 64 hex digits, always in the lower half of the curve order. */
  s: `0x${string}`;
  /** 27 or 28. */
  v: 27 | 28;
  /** Nanoseconds, as a decimal string. */
  expiration: string;
  /** The uint32 nonce. */
  nonce: number;
  /** The domain chain id as a decimal string; only when the signer was asked to include it. */
  chain_id?: string;
}

/**
 * Options of {@linkcode createGrvtOrderSigner}.
 *
 * @example
 * ```ts
 * import type { GrvtOrderSignerOptions } from "./signing.ts";
 * const o: GrvtOrderSignerOptions = {
 *   privateKey: Deno.env.get("GRVT_PRIVATE_KEY") ?? "",
 *   chainId: 325,
 * };
 * ```
 */
export interface GrvtOrderSignerOptions {
  /** The signing wallet's secp256k1 key: 64 hex digits, with or without `0x`. */
  privateKey: string;
  /** EIP-712 domain chain id: 325 prod, 326 testnet, 327 dev (`GRVT_ENVIRONMENTS[env].chainId`). */
  chainId: number;
  /**
   * Put `chain_id` into the signature object. The venue treats it as optional ("zero falls back to
   * GRVT's chain id"); pysdk omits it, ccxt sends it. @default {false}
   */
  includeChainId?: boolean;
}

/**
 * A GRVT order signer bound to one key and one chain id.
 *
 * @example
 * ```ts
 * import { createGrvtOrderSigner, type GrvtOrderSigner } from "./signing.ts";
 * const signer: GrvtOrderSigner = createGrvtOrderSigner({
 *   privateKey: "c0663ca94684aead40c41a1cb3a94b68a24296e87245be3a186e882a29a15ee0",
 *   chainId: 325,
 * });
 * ```
 */
export interface GrvtOrderSigner {
  /** The signing wallet's checksummed address (`signature.signer`). */
  readonly address: `0x${string}`;
  /** The domain chain id every signature is made for. */
  readonly chainId: number;
  /**
   * Signs an order.
   *
   * @param order The order.
   * @returns The wire `signature` object.
   * @throws {InvalidOrderError} If a size or price is not positive, or overflows uint64.
   * @throws {RangeError} If another field is out of range or the flags contradict each other.
   * @throws {TypeError} If a field has the wrong type or format.
   */
  signOrder(order: GrvtOrder): Promise<GrvtOrderSignature>;
}

// ---------------------------------------------------------------------------------------------
// Encoding

const VENUE = "grvt";
const MAX_UINT32 = 0xffff_ffff;
const MAX_UINT64 = (1n << 64n) - 1n;
const MAX_INT64 = (1n << 63n) - 1n;
const MAX_UINT256 = (1n << 256n) - 1n;
const PRICE_DECIMALS = 9;
const BUILDER_FEE_DECIMALS = 4;
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
const DOMAIN_NAME = "GRVT Exchange";
const DOMAIN_VERSION = "0";

function encodeType(primary: string, types: GrvtTypedDataTypes): string {
  const struct = (name: string) =>
    `${name}(${types[name].map((f) => `${f.type} ${f.name}`).join(",")})`;
  // Our structs reference only OrderLeg, so "referenced types sorted by name" is just that one.
  return struct(primary) + struct("OrderLeg");
}

const typeHash = (text: string): Uint8Array => keccak256(stringToBytes(text), "bytes");

const DOMAIN_TYPEHASH = typeHash("EIP712Domain(string name,string version,uint256 chainId)");
const DOMAIN_NAME_HASH = typeHash(DOMAIN_NAME);
const DOMAIN_VERSION_HASH = typeHash(DOMAIN_VERSION);
const ORDER_TYPEHASH = typeHash(encodeType("Order", GRVT_ORDER_TYPES));
const ORDER_WITH_BUILDER_FEE_TYPEHASH = typeHash(
  encodeType("OrderWithBuilderFee", GRVT_ORDER_WITH_BUILDER_FEE_TYPES),
);
const ORDER_LEG_TYPEHASH = typeHash(
  `OrderLeg(${ORDER_LEG_FIELDS.map((f) => `${f.type} ${f.name}`).join(",")})`,
);

function checkChainId(chainId: number): void {
  if (!Number.isSafeInteger(chainId) || chainId <= 0) {
    throw new RangeError(`'chainId' must be a positive integer: got ${chainId}`);
  }
}

/** keccak256(typeHash ‖ keccak(name) ‖ keccak(version) ‖ chainId), without viem's generic path. */
function computeDomainSeparator(chainId: number): Uint8Array {
  const buf = new Uint8Array(4 * 32);
  buf.set(DOMAIN_TYPEHASH, 0);
  buf.set(DOMAIN_NAME_HASH, 32);
  buf.set(DOMAIN_VERSION_HASH, 64);
  new DataView(buf.buffer).setBigUint64(96 + 24, BigInt(chainId));
  return keccak256(buf, "bytes");
}

const domainSeparators = new Map<number, Uint8Array>();

function domainSeparatorBytes(chainId: number): Uint8Array {
  let ds = domainSeparators.get(chainId);
  if (ds === undefined) {
    checkChainId(chainId);
    ds = computeDomainSeparator(chainId);
    domainSeparators.set(chainId, ds);
  }
  return ds;
}

/** hashStruct(Order or OrderWithBuilderFee) with the precomputed type hashes. */
function hashOrderStruct(m: GrvtOrderMessage): Uint8Array {
  const legs = m.legs;
  const legHashes = new Uint8Array(32 * legs.length);
  const legBuf = new Uint8Array(5 * 32);
  const legView = new DataView(legBuf.buffer);
  legBuf.set(ORDER_LEG_TYPEHASH, 0);
  for (let i = 0; i < legs.length; i++) {
    const leg = legs[i];
    const a = leg.assetID;
    legView.setBigUint64(32, a >> 192n);
    legView.setBigUint64(40, (a >> 128n) & MAX_UINT64);
    legView.setBigUint64(48, (a >> 64n) & MAX_UINT64);
    legView.setBigUint64(56, a & MAX_UINT64);
    legView.setBigUint64(64 + 24, leg.contractSize);
    legView.setBigUint64(96 + 24, leg.limitPrice);
    legBuf[159] = leg.isBuyingContract ? 1 : 0;
    legHashes.set(keccak(legBuf), 32 * i);
  }
  const withBuilder = m.builder !== undefined;
  const buf = new Uint8Array((withBuilder ? 11 : 9) * 32);
  const view = new DataView(buf.buffer);
  buf.set(withBuilder ? ORDER_WITH_BUILDER_FEE_TYPEHASH : ORDER_TYPEHASH, 0);
  view.setBigUint64(32 + 24, m.subAccountID);
  buf[95] = m.isMarket ? 1 : 0;
  buf[127] = m.timeInForce;
  buf[159] = m.postOnly ? 1 : 0;
  buf[191] = m.reduceOnly ? 1 : 0;
  buf.set(keccak(legHashes), 192);
  let at = 224;
  if (withBuilder) {
    buf.set(hexToBytes(m.builder!), at + 12);
    view.setUint32(at + 32 + 28, m.builderFee!);
    at += 64;
  }
  view.setUint32(at + 28, m.nonce);
  // int64 is sign-extended to 256 bits; expiration is validated positive, so the high bytes stay 0.
  view.setBigUint64(at + 32 + 24, m.expiration);
  return keccak(buf);
}

function digestBytes(m: GrvtOrderMessage, domainSeparator: Uint8Array): Uint8Array {
  const buf = new Uint8Array(66);
  buf[0] = 0x19;
  buf[1] = 0x01;
  buf.set(domainSeparator, 2);
  buf.set(hashOrderStruct(m), 34);
  return keccak(buf);
}

// ---------------------------------------------------------------------------------------------
// Validation and exact scaling

function invalidOrder(
  reason: "invalid_size" | "invalid_price",
  field: string,
  rule: string,
  value: string,
): InvalidOrderError {
  return new InvalidOrderError(reason, {
    venue: VENUE,
    message: `Cannot sign order on grvt as '${field}' ${rule}: current value is ${value}`,
    details: { field, value },
  });
}

function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  return String(value);
}

const DECIMAL_PARTS = /^([+-]?)(\d*)(?:\.(\d*))?$/;

interface Scaled {
  /** trunc(|value| × 10^decimals). */
  units: bigint;
  /** The value is below zero (a negative zero is not). */
  negative: boolean;
  /** The value as given, for messages. */
  text: string;
}

/**
 * trunc(value × 10^decimals), exactly: the decimal string is cut or right-padded to `decimals`
 * fraction digits and read as one integer, so no rounding of any kind can happen.
 */
function scaleTruncated(value: DecimalInput, decimals: number, field: string): Scaled {
  let text: string;
  if (typeof value === "string") text = value.trim();
  else if (Decimal.isDecimal(value)) text = value.toFixed(); // plain notation, every digit
  else {
    throw new TypeError(
      `'${field}' must be a Decimal or a decimal string such as "0.01": got ${typeof value}`,
    );
  }
  const m = DECIMAL_PARTS.exec(text);
  const int = m?.[2] ?? "";
  const frac = m?.[3] ?? "";
  if (m === null || (int === "" && frac === "")) {
    throw new TypeError(
      `'${field}' must be a decimal string such as "0.01": got ${JSON.stringify(text)}`,
    );
  }
  const kept = frac.length >= decimals
    ? frac.slice(0, decimals)
    : frac + "0".repeat(decimals - frac.length);
  const units = BigInt(int + kept); // BigInt("") is 0n, BigInt("007") is 7n
  const negative = m[1] === "-" && /[1-9]/.test(int + frac);
  return { units, negative, text };
}

/** `10^-decimals × units` as a plain decimal string (for messages). */
function unscale(units: bigint, decimals: number): string {
  const digits = units.toString().padStart(decimals + 1, "0");
  if (decimals === 0) return digits;
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

function toUint64Id(value: string | bigint, field: string): bigint {
  let id: bigint;
  if (typeof value === "bigint") id = value;
  else if (typeof value === "string" && /^\d+$/.test(value.trim())) id = BigInt(value.trim());
  else {
    throw new TypeError(
      `'${field}' must be a uint64 as a decimal string or bigint: got ${describeValue(value)}`,
    );
  }
  if (id < 0n || id > MAX_UINT64) {
    throw new RangeError(`'${field}' must fit in uint64: got ${id}`);
  }
  return id;
}

function toAssetId(value: string | bigint, field: string): bigint {
  let id: bigint;
  if (typeof value === "bigint") id = value;
  else if (typeof value === "string" && /^0x[0-9a-fA-F]{1,64}$/.test(value.trim())) {
    id = BigInt(value.trim());
  } else {
    throw new TypeError(
      `'${field}' must be the instrument_hash as 0x-hex or bigint: got ${describeValue(value)}`,
    );
  }
  if (id <= 0n || id > MAX_UINT256) {
    throw new RangeError(`'${field}' must be a positive uint256: got ${id}`);
  }
  return id;
}

function toExpiration(value: bigint | string): bigint {
  let ns: bigint;
  if (typeof value === "bigint") ns = value;
  else if (typeof value === "string" && /^\d+$/.test(value.trim())) ns = BigInt(value.trim());
  else {
    // A number cannot hold a nanosecond timestamp exactly (it is above 2^53).
    throw new TypeError(
      `'expiration' must be unix nanoseconds as a bigint or decimal string: got ${
        describeValue(value)
      }`,
    );
  }
  if (ns <= 0n || ns > MAX_INT64) {
    throw new RangeError(`'expiration' must be a positive int64 (nanoseconds): got ${ns}`);
  }
  return ns;
}

function toLegMessage(leg: GrvtOrderLeg, i: number, isMarket: boolean): GrvtOrderLegMessage {
  const at = `legs[${i}]`;
  if (leg === null || typeof leg !== "object") {
    throw new TypeError(`'${at}' must be an order leg: got ${describeValue(leg)}`);
  }
  const decimals = leg.baseDecimals;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 30) {
    throw new RangeError(
      `'${at}.baseDecimals' must be an integer in 0..30: got ${describeValue(decimals)}`,
    );
  }
  if (typeof leg.isBuyingAsset !== "boolean") {
    throw new TypeError(
      `'${at}.isBuyingAsset' must be a boolean: got ${describeValue(leg.isBuyingAsset)}`,
    );
  }
  const assetID = toAssetId(leg.instrumentHash, `${at}.instrumentHash`);

  const size = scaleTruncated(leg.size, decimals, `${at}.size`);
  if (size.negative) {
    throw invalidOrder("invalid_size", `${at}.size`, "must be positive", size.text);
  }
  if (size.units === 0n) {
    const rule = /[1-9]/.test(size.text)
      ? `must be at least ${unscale(1n, decimals)} (base_decimals ${decimals})`
      : "must be positive";
    throw invalidOrder("invalid_size", `${at}.size`, rule, size.text);
  }
  if (size.units > MAX_UINT64) {
    throw invalidOrder(
      "invalid_size",
      `${at}.size`,
      `must be at most ${unscale(MAX_UINT64, decimals)} (uint64 × 10^-${decimals})`,
      size.text,
    );
  }

  let limitPrice = 0n;
  if (leg.limitPrice !== undefined) {
    const price = scaleTruncated(leg.limitPrice, PRICE_DECIMALS, `${at}.limitPrice`);
    if (price.negative) {
      throw invalidOrder("invalid_price", `${at}.limitPrice`, "must be positive", price.text);
    }
    if (price.units > MAX_UINT64) {
      throw invalidOrder(
        "invalid_price",
        `${at}.limitPrice`,
        `must be at most ${unscale(MAX_UINT64, PRICE_DECIMALS)} (uint64 × 1e-9)`,
        price.text,
      );
    }
    if (isMarket && price.units !== 0n) {
      // Venue code 2020: a market order never carries a limit price; it signs 0.
      throw invalidOrder(
        "invalid_price",
        `${at}.limitPrice`,
        "must be absent or zero on a market order",
        price.text,
      );
    }
    limitPrice = price.units;
  }
  if (!isMarket && limitPrice === 0n) {
    // Venue code 2021, or a price that truncates to nothing.
    throw invalidOrder(
      "invalid_price",
      `${at}.limitPrice`,
      "must be at least 0.000000001 on a limit order",
      leg.limitPrice === undefined ? "undefined" : String(leg.limitPrice),
    );
  }
  return { assetID, contractSize: size.units, limitPrice, isBuyingContract: leg.isBuyingAsset };
}

function optionalFlag(value: boolean | undefined, field: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") {
    throw new TypeError(`'${field}' must be a boolean: got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Builds the EIP-712 message of an order, validating every field and scaling sizes and prices
 * exactly: `contractSize = trunc(size × 10^baseDecimals)`, `limitPrice = trunc(price × 1e9)`
 * (0 for a market order), `builderFee = trunc(fee × 10^4)`.
 *
 * @param order The order.
 * @returns The message, with bigints for the 64- and 256-bit fields.
 * @throws {InvalidOrderError} If a size is not positive (after truncation) or overflows uint64, or
 *   a price is negative, overflows uint64, is missing on a limit order or present on a market
 *   order. The message names the field: `Cannot sign order on grvt as 'legs[0].size' must be
 *   positive: current value is -1`.
 * @throws {RangeError} If the nonce, expiration, sub-account, instrument hash, decimals or builder
 *   fee is out of range, there is no leg, or `postOnly` is combined with a taker-only order.
 * @throws {TypeError} If a field has the wrong type or is not a plain decimal.
 *
 * @example Truncation, as the venue does
 * ```ts
 * import { toGrvtOrderMessage } from "./signing.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * const m = toGrvtOrderMessage({
 *   subAccountId: "8289849667772468",
 *   timeInForce: "GOOD_TILL_TIME",
 *   legs: [{
 *     instrumentHash: "0x030501",
 *     baseDecimals: 9,
 *     size: "1.1231231239",
 *     limitPrice: "68900.7771234799",
 *     isBuyingAsset: false,
 *   }],
 *   nonce: 828700936,
 *   expiration: "1730800479321350000",
 * });
 * deepEqual(m.legs[0].contractSize, 1123123123n);
 * deepEqual(m.legs[0].limitPrice, 68900777123479n);
 * ```
 */
export function toGrvtOrderMessage(order: GrvtOrder): GrvtOrderMessage {
  if (order === null || typeof order !== "object") {
    throw new TypeError(`'order' must be an object: got ${describeValue(order)}`);
  }
  const tif = order.timeInForce;
  if (typeof tif !== "string" || !Object.hasOwn(GRVT_TIME_IN_FORCE, tif)) {
    throw new RangeError(
      `'timeInForce' must be one of ${Object.keys(GRVT_TIME_IN_FORCE).join(", ")}: got ${
        describeValue(tif)
      }`,
    );
  }
  const isMarket = optionalFlag(order.isMarket, "isMarket");
  const postOnly = optionalFlag(order.postOnly, "postOnly");
  const reduceOnly = optionalFlag(order.reduceOnly, "reduceOnly");
  if (postOnly && (isMarket || tif === "IMMEDIATE_OR_CANCEL" || tif === "FILL_OR_KILL")) {
    // Venue code 2032; a market order must be a taker (grvt.md §8.1).
    throw new RangeError(
      `Cannot sign order on grvt as 'postOnly' needs a resting limit order ` +
        `(GOOD_TILL_TIME, ALL_OR_NONE or RETAIL_PRICE_IMPROVEMENT): current order is ${
          isMarket ? "a market order" : tif
        }`,
    );
  }
  const nonce = order.nonce;
  if (!Number.isInteger(nonce) || nonce < 0 || nonce > MAX_UINT32) {
    throw new RangeError(
      `'nonce' must be an integer in 0..4294967295: got ${describeValue(nonce)}`,
    );
  }
  if (!Array.isArray(order.legs) || order.legs.length === 0) {
    throw new RangeError(`'legs' must hold at least one leg: got ${describeValue(order.legs)}`);
  }
  const message: GrvtOrderMessage = {
    subAccountID: toUint64Id(order.subAccountId, "subAccountId"),
    isMarket,
    timeInForce: GRVT_TIME_IN_FORCE[tif],
    postOnly,
    reduceOnly,
    legs: order.legs.map((leg, i) => toLegMessage(leg, i, isMarket)),
    nonce,
    expiration: toExpiration(order.expiration),
  };
  if (order.builder !== undefined) {
    const builder = order.builder;
    if (typeof builder !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(builder)) {
      throw new TypeError(
        `'builder' must be a 20-byte 0x-hex address: got ${describeValue(builder)}`,
      );
    }
    // pysdk's _has_builder: the zero address means "no builder", a plain Order.
    if (builder.toLowerCase() !== ZERO_ADDRESS) {
      if (order.builderFee === undefined) {
        throw new RangeError(`'builderFee' is required with 'builder'`);
      }
      const fee = scaleTruncated(order.builderFee, BUILDER_FEE_DECIMALS, "builderFee");
      if (fee.negative || fee.units > BigInt(MAX_UINT32)) {
        // Venue code 7501 for a negative fee.
        throw new RangeError(
          "Cannot sign order on grvt as 'builderFee' must be in 0..429496.7295: " +
            `current value is ${fee.text}`,
        );
      }
      message.builder = builder.toLowerCase() as `0x${string}`;
      message.builderFee = Number(fee.units);
    }
  }
  return message;
}

/**
 * GRVT's EIP-712 domain for a chain id.
 *
 * @param chainId 325 prod, 326 testnet, 327 dev.
 * @returns `{ name: "GRVT Exchange", version: "0", chainId }`.
 * @throws {RangeError} If the chain id is not a positive integer.
 *
 * @example
 * ```ts
 * import { grvtDomain } from "./signing.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * deepEqual(grvtDomain(325), { name: "GRVT Exchange", version: "0", chainId: 325 });
 * ```
 */
export function grvtDomain(chainId: number): GrvtEip712Domain {
  checkChainId(chainId);
  return { name: DOMAIN_NAME, version: DOMAIN_VERSION, chainId };
}

/**
 * The EIP-712 domain separator for a chain id (cached per chain id).
 *
 * @param chainId 325 prod, 326 testnet, 327 dev.
 * @returns `hashStruct(EIP712Domain)` as hex.
 * @throws {RangeError} If the chain id is not a positive integer.
 *
 * @example
 * ```ts
 * import { grvtDomainSeparator } from "./signing.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * deepEqual(
 *   grvtDomainSeparator(326),
 *   "0x1254f97f8495f704630a238cbcd898a4b8ab20d77bb93e17049d3445f4f81f16",
 * );
 * ```
 */
export function grvtDomainSeparator(chainId: number): `0x${string}` {
  return bytesToHex(domainSeparatorBytes(chainId));
}

/**
 * An order's complete typed data, for viem's generic EIP-712 functions (and for verification that
 * should not share this module's hashing).
 *
 * @param order The order.
 * @param chainId The domain chain id.
 * @returns Domain, types, primary type and message.
 * @throws {InvalidOrderError} See {@linkcode toGrvtOrderMessage}.
 * @throws {RangeError} See {@linkcode toGrvtOrderMessage}; also a bad chain id.
 * @throws {TypeError} See {@linkcode toGrvtOrderMessage}.
 *
 * @example
 * ```ts
 * import { grvtOrderTypedData, hashGrvtOrder } from "./signing.ts";
 * import { hashTypedData } from "viem";
 * import { deepEqual } from "node:assert/strict";
 *
 * const order = {
 *   subAccountId: "1",
 *   timeInForce: "GOOD_TILL_TIME",
 *   legs: [{
 *     instrumentHash: "0x030501",
 *     baseDecimals: 9,
 *     size: "1",
 *     limitPrice: "2",
 *     isBuyingAsset: true,
 *   }],
 *   nonce: 1,
 *   expiration: "1767455222801000000",
 * } as const;
 * const td = grvtOrderTypedData(order, 325);
 * deepEqual(hashTypedData(td), hashGrvtOrder(order, 325));
 * ```
 */
export function grvtOrderTypedData(order: GrvtOrder, chainId: number): GrvtOrderTypedData {
  const domain = grvtDomain(chainId);
  const message = toGrvtOrderMessage(order);
  const withBuilder = message.builder !== undefined;
  return {
    domain,
    types: withBuilder ? GRVT_ORDER_WITH_BUILDER_FEE_TYPES : GRVT_ORDER_TYPES,
    primaryType: withBuilder ? "OrderWithBuilderFee" : "Order",
    message,
  };
}

/**
 * The EIP-712 digest of an order, `keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(order))`,
 * computed with precomputed type hashes and domain separator.
 *
 * @param order The order.
 * @param chainId The domain chain id.
 * @returns The 32-byte digest as hex.
 * @throws {InvalidOrderError} See {@linkcode toGrvtOrderMessage}.
 * @throws {RangeError} See {@linkcode toGrvtOrderMessage}; also a bad chain id.
 * @throws {TypeError} See {@linkcode toGrvtOrderMessage}.
 *
 * @example Official pysdk vector
 * ```ts
 * import { hashGrvtOrder } from "./signing.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * const digest = hashGrvtOrder({
 *   subAccountId: "8289849667772468",
 *   timeInForce: "GOOD_TILL_TIME",
 *   legs: [{
 *     instrumentHash: "0x030501",
 *     baseDecimals: 9,
 *     size: "1.013",
 *     limitPrice: "68900.5",
 *     isBuyingAsset: false,
 *   }],
 *   nonce: 828700936,
 *   expiration: "1730800479321350000",
 * }, 326);
 * deepEqual(digest, "0x03cb7ca7b353969ab2c00ff92fd472f81f59a84d28fa1aa39128176f21062982");
 * ```
 */
export function hashGrvtOrder(order: GrvtOrder, chainId: number): `0x${string}` {
  const ds = domainSeparatorBytes(chainId);
  return bytesToHex(digestBytes(toGrvtOrderMessage(order), ds));
}

/**
 * Creates an order signer. The key is registered with `registerSecret` first, so it is masked in
 * every error and log line, and it is kept in a closure (never on the returned object). The viem
 * account, the type hashes and the domain separator are computed once; a signature then costs
 * the exact scaling, four keccak-256 hashes and one secp256k1 signature.
 *
 * @param options Private key, chain id and whether to include `chain_id` in signatures.
 * @returns The signer.
 * @throws {ConfigurationError} If the private key is not a valid secp256k1 key.
 * @throws {RangeError} If the chain id is not a positive integer.
 *
 * @example
 * ```ts
 * import { createGrvtOrderSigner } from "./signing.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * const signer = createGrvtOrderSigner({
 *   privateKey: "f7934647276a6e1fa0af3f4467b4b8ddaf45d25a7368fa1a295eef49a446819d",
 *   chainId: 326,
 * });
 * const sig = await signer.signOrder({
 *   subAccountId: "8289849667772468",
 *   timeInForce: "GOOD_TILL_TIME",
 *   legs: [{
 *     instrumentHash: "0x030501",
 *     baseDecimals: 9,
 *     size: "1.013",
 *     limitPrice: "68900.5",
 *     isBuyingAsset: false,
 *   }],
 *   nonce: 828700936,
 *   expiration: "1730800479321350000",
 * });
 * deepEqual(sig.r, "0xb00512d986a718b15136a8ba23de1c1ec84bbdb9958629cbbe4909bae620bb04");
 * deepEqual(sig.v, 28);
 * deepEqual(sig.signer, "0xE10eC9Bb1eE30Af8bE35B32B163E7458a07aD987");
 * ```
 */
export function createGrvtOrderSigner(options: GrvtOrderSignerOptions): GrvtOrderSigner {
  const raw = options?.privateKey;
  registerSecret(typeof raw === "string" ? raw.trim() : undefined);
  if (typeof raw !== "string" || !/^(0x)?[0-9a-fA-F]{64}$/.test(raw.trim())) {
    throw new ConfigurationError(
      "GRVT private key must be 32 bytes as 64 hex digits (with or without 0x)",
      { venue: VENUE },
    );
  }
  const trimmed = raw.trim();
  const privateKey = (trimmed.startsWith("0x") ? trimmed : `0x${trimmed}`)
    .toLowerCase() as `0x${string}`;
  registerSecret(privateKey);
  const chainId = options.chainId;
  const ds = domainSeparatorBytes(chainId);
  let address: `0x${string}`;
  try {
    address = privateKeyToAccount(privateKey).address;
  } catch (error) {
    throw new ConfigurationError("GRVT private key is not a valid secp256k1 key", {
      venue: VENUE,
      cause: error,
    });
  }
  const chainIdText = String(chainId);
  const includeChainId = options.includeChainId === true;

  async function signOrder(order: GrvtOrder): Promise<GrvtOrderSignature> {
    const message = toGrvtOrderMessage(order);
    const hash = bytesToHex(digestBytes(message, ds));
    const { r, s, v } = await sign({ hash, privateKey, to: "object" });
    const signature: GrvtOrderSignature = {
      signer: address,
      r,
      s,
      v: v === 28n ? 28 : 27,
      expiration: message.expiration.toString(),
      nonce: message.nonce,
    };
    if (includeChainId) signature.chain_id = chainIdText;
    return signature;
  }

  return Object.freeze({ address, chainId, signOrder });
}

/**
 * Recovers the address that signed an order, through viem's generic EIP-712 hashing
 * (`recoverTypedDataAddress`), a different code path from {@linkcode createGrvtOrderSigner}'s
 * precomputed digest. The order's own `nonce` and `expiration` are what is verified; compare the
 * result case-insensitively with `signature.signer` and with the registered signer. Low-S and
 * expiry are not checked here.
 *
 * @param order The order as signed.
 * @param signature The wire signature (`r`, `s`, `v`; other fields are ignored).
 * @param chainId The domain chain id the venue expects.
 * @returns The recovered checksummed address.
 * @throws {TypeError} If `r`/`s` are not `0x` + 64 hex digits or `v` is not 27 or 28.
 * @throws {InvalidOrderError} See {@linkcode toGrvtOrderMessage}.
 * @throws {RangeError} See {@linkcode toGrvtOrderMessage}; also a bad chain id.
 *
 * @example A wrong chain id recovers someone else
 * ```ts
 * import { createGrvtOrderSigner, recoverGrvtOrderSigner } from "./signing.ts";
 * import { deepEqual, notDeepEqual } from "node:assert/strict";
 *
 * const signer = createGrvtOrderSigner({
 *   privateKey: "c0663ca94684aead40c41a1cb3a94b68a24296e87245be3a186e882a29a15ee0",
 *   chainId: 325,
 * });
 * const order = {
 *   subAccountId: "2147050003876484",
 *   isMarket: true,
 *   timeInForce: "IMMEDIATE_OR_CANCEL",
 *   legs: [{ instrumentHash: "0x030501", baseDecimals: 9, size: "0.01", isBuyingAsset: false }],
 *   nonce: 42,
 *   expiration: 1767455222801000000n,
 * } as const;
 * const sig = await signer.signOrder(order);
 * deepEqual(await recoverGrvtOrderSigner(order, sig, 325), signer.address);
 * notDeepEqual(await recoverGrvtOrderSigner(order, sig, 326), signer.address);
 * ```
 */
export async function recoverGrvtOrderSigner(
  order: GrvtOrder,
  signature: Pick<GrvtOrderSignature, "r" | "s" | "v">,
  chainId: number,
): Promise<`0x${string}`> {
  const { r, s, v } = signature ?? {};
  if (typeof r !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(r)) {
    throw new TypeError(`'signature.r' must be 0x + 64 hex digits: got ${describeValue(r)}`);
  }
  if (typeof s !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(s)) {
    throw new TypeError(`'signature.s' must be 0x + 64 hex digits: got ${describeValue(s)}`);
  }
  if (v !== 27 && v !== 28) {
    throw new TypeError(`'signature.v' must be 27 or 28: got ${describeValue(v)}`);
  }
  const td = grvtOrderTypedData(order, chainId);
  return await recoverTypedDataAddress({
    ...td,
    signature: { r, s, v: BigInt(v) },
  });
}

// ---------------------------------------------------------------------------------------------
// keccak-256 for the hot path
//
// viem hashes with @noble/hashes 1.8, whose generic keccak costs ~6 µs per permutation here; an
// order digest needs 7 permutations, which alone would add ~30 % to the secp256k1 signature.
// This is Keccak-f[1600] (FIPS 202) with every lane kept as two 32-bit halves in local variables
// and one round's θ ρ π χ ι steps written out: ~1.5 µs per permutation. The round constants and
// rotation offsets are derived from the specification's LFSR and (x, y) walk at load time, and
// every digest this module produces is checked against viem's `hashTypedData` in the tests.

/** Round constants as [lo, hi] 32-bit pairs, from the degree-8 LFSR of FIPS 202 §3.2.5. */
const ROUND_CONSTANTS: Uint32Array = (() => {
  const rc = new Uint32Array(48);
  let lfsr = 1;
  for (let round = 0; round < 24; round++) {
    for (let j = 0; j < 7; j++) {
      if (lfsr & 1) {
        const bit = (1 << j) - 1;
        rc[2 * round + (bit < 32 ? 0 : 1)] |= 1 << (bit % 32);
      }
      lfsr = lfsr & 0x80 ? ((lfsr << 1) ^ 0x171) & 0xff : (lfsr << 1) & 0xff;
    }
  }
  return rc;
})();

/**
 * Keccak-f[1600] in place on 25 lanes stored as [lo, hi] pairs. Lane x + 5y is `a{x+5y}`; the
 * ρ offsets and π destinations are baked into the `b` names (generated from the FIPS 202 tables).
 */
function keccakF(s: Uint32Array): void {
  let a0l = s[0], a0h = s[1];
  let a1l = s[2], a1h = s[3];
  let a2l = s[4], a2h = s[5];
  let a3l = s[6], a3h = s[7];
  let a4l = s[8], a4h = s[9];
  let a5l = s[10], a5h = s[11];
  let a6l = s[12], a6h = s[13];
  let a7l = s[14], a7h = s[15];
  let a8l = s[16], a8h = s[17];
  let a9l = s[18], a9h = s[19];
  let a10l = s[20], a10h = s[21];
  let a11l = s[22], a11h = s[23];
  let a12l = s[24], a12h = s[25];
  let a13l = s[26], a13h = s[27];
  let a14l = s[28], a14h = s[29];
  let a15l = s[30], a15h = s[31];
  let a16l = s[32], a16h = s[33];
  let a17l = s[34], a17h = s[35];
  let a18l = s[36], a18h = s[37];
  let a19l = s[38], a19h = s[39];
  let a20l = s[40], a20h = s[41];
  let a21l = s[42], a21h = s[43];
  let a22l = s[44], a22h = s[45];
  let a23l = s[46], a23h = s[47];
  let a24l = s[48], a24h = s[49];
  for (let r = 0; r < 48; r += 2) {
    const c0l = a0l ^ a5l ^ a10l ^ a15l ^ a20l;
    const c0h = a0h ^ a5h ^ a10h ^ a15h ^ a20h;
    const c1l = a1l ^ a6l ^ a11l ^ a16l ^ a21l;
    const c1h = a1h ^ a6h ^ a11h ^ a16h ^ a21h;
    const c2l = a2l ^ a7l ^ a12l ^ a17l ^ a22l;
    const c2h = a2h ^ a7h ^ a12h ^ a17h ^ a22h;
    const c3l = a3l ^ a8l ^ a13l ^ a18l ^ a23l;
    const c3h = a3h ^ a8h ^ a13h ^ a18h ^ a23h;
    const c4l = a4l ^ a9l ^ a14l ^ a19l ^ a24l;
    const c4h = a4h ^ a9h ^ a14h ^ a19h ^ a24h;
    const d0l = c4l ^ ((c1l << 1) | (c1h >>> 31));
    const d0h = c4h ^ ((c1h << 1) | (c1l >>> 31));
    const d1l = c0l ^ ((c2l << 1) | (c2h >>> 31));
    const d1h = c0h ^ ((c2h << 1) | (c2l >>> 31));
    const d2l = c1l ^ ((c3l << 1) | (c3h >>> 31));
    const d2h = c1h ^ ((c3h << 1) | (c3l >>> 31));
    const d3l = c2l ^ ((c4l << 1) | (c4h >>> 31));
    const d3h = c2h ^ ((c4h << 1) | (c4l >>> 31));
    const d4l = c3l ^ ((c0l << 1) | (c0h >>> 31));
    const d4h = c3h ^ ((c0h << 1) | (c0l >>> 31));
    const b0l = a0l ^ d0l, b0h = a0h ^ d0h;
    const t1l = a1l ^ d1l, t1h = a1h ^ d1h;
    const b10l = (t1l << 1) | (t1h >>> 31), b10h = (t1h << 1) | (t1l >>> 31);
    const t2l = a2l ^ d2l, t2h = a2h ^ d2h;
    const b20l = (t2h << 30) | (t2l >>> 2), b20h = (t2l << 30) | (t2h >>> 2);
    const t3l = a3l ^ d3l, t3h = a3h ^ d3h;
    const b5l = (t3l << 28) | (t3h >>> 4), b5h = (t3h << 28) | (t3l >>> 4);
    const t4l = a4l ^ d4l, t4h = a4h ^ d4h;
    const b15l = (t4l << 27) | (t4h >>> 5), b15h = (t4h << 27) | (t4l >>> 5);
    const t5l = a5l ^ d0l, t5h = a5h ^ d0h;
    const b16l = (t5h << 4) | (t5l >>> 28), b16h = (t5l << 4) | (t5h >>> 28);
    const t6l = a6l ^ d1l, t6h = a6h ^ d1h;
    const b1l = (t6h << 12) | (t6l >>> 20), b1h = (t6l << 12) | (t6h >>> 20);
    const t7l = a7l ^ d2l, t7h = a7h ^ d2h;
    const b11l = (t7l << 6) | (t7h >>> 26), b11h = (t7h << 6) | (t7l >>> 26);
    const t8l = a8l ^ d3l, t8h = a8h ^ d3h;
    const b21l = (t8h << 23) | (t8l >>> 9), b21h = (t8l << 23) | (t8h >>> 9);
    const t9l = a9l ^ d4l, t9h = a9h ^ d4h;
    const b6l = (t9l << 20) | (t9h >>> 12), b6h = (t9h << 20) | (t9l >>> 12);
    const t10l = a10l ^ d0l, t10h = a10h ^ d0h;
    const b7l = (t10l << 3) | (t10h >>> 29), b7h = (t10h << 3) | (t10l >>> 29);
    const t11l = a11l ^ d1l, t11h = a11h ^ d1h;
    const b17l = (t11l << 10) | (t11h >>> 22), b17h = (t11h << 10) | (t11l >>> 22);
    const t12l = a12l ^ d2l, t12h = a12h ^ d2h;
    const b2l = (t12h << 11) | (t12l >>> 21), b2h = (t12l << 11) | (t12h >>> 21);
    const t13l = a13l ^ d3l, t13h = a13h ^ d3h;
    const b12l = (t13l << 25) | (t13h >>> 7), b12h = (t13h << 25) | (t13l >>> 7);
    const t14l = a14l ^ d4l, t14h = a14h ^ d4h;
    const b22l = (t14h << 7) | (t14l >>> 25), b22h = (t14l << 7) | (t14h >>> 25);
    const t15l = a15l ^ d0l, t15h = a15h ^ d0h;
    const b23l = (t15h << 9) | (t15l >>> 23), b23h = (t15l << 9) | (t15h >>> 23);
    const t16l = a16l ^ d1l, t16h = a16h ^ d1h;
    const b8l = (t16h << 13) | (t16l >>> 19), b8h = (t16l << 13) | (t16h >>> 19);
    const t17l = a17l ^ d2l, t17h = a17h ^ d2h;
    const b18l = (t17l << 15) | (t17h >>> 17), b18h = (t17h << 15) | (t17l >>> 17);
    const t18l = a18l ^ d3l, t18h = a18h ^ d3h;
    const b3l = (t18l << 21) | (t18h >>> 11), b3h = (t18h << 21) | (t18l >>> 11);
    const t19l = a19l ^ d4l, t19h = a19h ^ d4h;
    const b13l = (t19l << 8) | (t19h >>> 24), b13h = (t19h << 8) | (t19l >>> 24);
    const t20l = a20l ^ d0l, t20h = a20h ^ d0h;
    const b14l = (t20l << 18) | (t20h >>> 14), b14h = (t20h << 18) | (t20l >>> 14);
    const t21l = a21l ^ d1l, t21h = a21h ^ d1h;
    const b24l = (t21l << 2) | (t21h >>> 30), b24h = (t21h << 2) | (t21l >>> 30);
    const t22l = a22l ^ d2l, t22h = a22h ^ d2h;
    const b9l = (t22h << 29) | (t22l >>> 3), b9h = (t22l << 29) | (t22h >>> 3);
    const t23l = a23l ^ d3l, t23h = a23h ^ d3h;
    const b19l = (t23h << 24) | (t23l >>> 8), b19h = (t23l << 24) | (t23h >>> 8);
    const t24l = a24l ^ d4l, t24h = a24h ^ d4h;
    const b4l = (t24l << 14) | (t24h >>> 18), b4h = (t24h << 14) | (t24l >>> 18);
    a0l = b0l ^ (~b1l & b2l);
    a0h = b0h ^ (~b1h & b2h);
    a1l = b1l ^ (~b2l & b3l);
    a1h = b1h ^ (~b2h & b3h);
    a2l = b2l ^ (~b3l & b4l);
    a2h = b2h ^ (~b3h & b4h);
    a3l = b3l ^ (~b4l & b0l);
    a3h = b3h ^ (~b4h & b0h);
    a4l = b4l ^ (~b0l & b1l);
    a4h = b4h ^ (~b0h & b1h);
    a5l = b5l ^ (~b6l & b7l);
    a5h = b5h ^ (~b6h & b7h);
    a6l = b6l ^ (~b7l & b8l);
    a6h = b6h ^ (~b7h & b8h);
    a7l = b7l ^ (~b8l & b9l);
    a7h = b7h ^ (~b8h & b9h);
    a8l = b8l ^ (~b9l & b5l);
    a8h = b8h ^ (~b9h & b5h);
    a9l = b9l ^ (~b5l & b6l);
    a9h = b9h ^ (~b5h & b6h);
    a10l = b10l ^ (~b11l & b12l);
    a10h = b10h ^ (~b11h & b12h);
    a11l = b11l ^ (~b12l & b13l);
    a11h = b11h ^ (~b12h & b13h);
    a12l = b12l ^ (~b13l & b14l);
    a12h = b12h ^ (~b13h & b14h);
    a13l = b13l ^ (~b14l & b10l);
    a13h = b13h ^ (~b14h & b10h);
    a14l = b14l ^ (~b10l & b11l);
    a14h = b14h ^ (~b10h & b11h);
    a15l = b15l ^ (~b16l & b17l);
    a15h = b15h ^ (~b16h & b17h);
    a16l = b16l ^ (~b17l & b18l);
    a16h = b16h ^ (~b17h & b18h);
    a17l = b17l ^ (~b18l & b19l);
    a17h = b17h ^ (~b18h & b19h);
    a18l = b18l ^ (~b19l & b15l);
    a18h = b18h ^ (~b19h & b15h);
    a19l = b19l ^ (~b15l & b16l);
    a19h = b19h ^ (~b15h & b16h);
    a20l = b20l ^ (~b21l & b22l);
    a20h = b20h ^ (~b21h & b22h);
    a21l = b21l ^ (~b22l & b23l);
    a21h = b21h ^ (~b22h & b23h);
    a22l = b22l ^ (~b23l & b24l);
    a22h = b22h ^ (~b23h & b24h);
    a23l = b23l ^ (~b24l & b20l);
    a23h = b23h ^ (~b24h & b20h);
    a24l = b24l ^ (~b20l & b21l);
    a24h = b24h ^ (~b20h & b21h);
    a0l ^= ROUND_CONSTANTS[r];
    a0h ^= ROUND_CONSTANTS[r + 1];
  }
  s[0] = a0l;
  s[1] = a0h;
  s[2] = a1l;
  s[3] = a1h;
  s[4] = a2l;
  s[5] = a2h;
  s[6] = a3l;
  s[7] = a3h;
  s[8] = a4l;
  s[9] = a4h;
  s[10] = a5l;
  s[11] = a5h;
  s[12] = a6l;
  s[13] = a6h;
  s[14] = a7l;
  s[15] = a7h;
  s[16] = a8l;
  s[17] = a8h;
  s[18] = a9l;
  s[19] = a9h;
  s[20] = a10l;
  s[21] = a10h;
  s[22] = a11l;
  s[23] = a11h;
  s[24] = a12l;
  s[25] = a12h;
  s[26] = a13l;
  s[27] = a13h;
  s[28] = a14l;
  s[29] = a14h;
  s[30] = a15l;
  s[31] = a15h;
  s[32] = a16l;
  s[33] = a16h;
  s[34] = a17l;
  s[35] = a17h;
  s[36] = a18l;
  s[37] = a18h;
  s[38] = a19l;
  s[39] = a19h;
  s[40] = a20l;
  s[41] = a20h;
  s[42] = a21l;
  s[43] = a21h;
  s[44] = a22l;
  s[45] = a22h;
  s[46] = a23l;
  s[47] = a23h;
  s[48] = a24l;
  s[49] = a24h;
}

const RATE = 136; // bytes absorbed per permutation for a 256-bit capacity
const sponge = new Uint32Array(50);
const block = new Uint8Array(RATE);
const blockView = new DataView(block.buffer);

/** keccak256 of `input` (synchronous; the scratch buffers are never held across calls). */
function keccak(input: Uint8Array): Uint8Array {
  const s = sponge;
  s.fill(0);
  for (let offset = 0;;) {
    const n = Math.min(RATE, input.length - offset);
    block.fill(0);
    block.set(input.subarray(offset, offset + n));
    if (n < RATE) {
      block[n] ^= 0x01; // keccak padding (pre-SHA-3), not SHA-3's 0x06
      block[RATE - 1] ^= 0x80;
    }
    for (let i = 0; i < RATE / 4; i++) s[i] ^= blockView.getUint32(4 * i, true);
    keccakF(s);
    offset += n;
    if (n < RATE) break;
  }
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) view.setUint32(4 * i, s[i], true);
  return out;
}
