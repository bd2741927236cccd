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
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
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
import { keccak256 as keccak } from "../_shared/keccak.ts";
import { privateKeyToAccount, sign } from "viem/accounts";
import { Decimal, type DecimalInput } from "../../core/decimal.ts";
import { ConfigurationError, InvalidOrderError } from "../../core/errors.ts";
import { registerSecret } from "../../core/redact.ts";

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
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
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
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
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
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
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
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
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
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
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
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
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
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
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
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
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
 * import { deepStrictEqual as deepEqual, notDeepStrictEqual as notDeepEqual } from "node:assert/strict";
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
