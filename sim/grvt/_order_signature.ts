/**
 * The replica's check of a GRVT order signature: the EIP-712 typed data rebuilt from the wire
 * order exactly as grvt.md §6 documents it (domain, types, field encoding), hashed and
 * recovered with viem. Written from the venue notes only, so that it can disagree with the
 * client's signer.
 *
 * @module
 */
import { hashTypedData, type Hex, recoverTypedDataAddress } from "viem";

/** `OrderLeg(uint256 assetID,uint64 contractSize,uint64 limitPrice,bool isBuyingContract)`. */
const ORDER_LEG = [
  { name: "assetID", type: "uint256" },
  { name: "contractSize", type: "uint64" },
  { name: "limitPrice", type: "uint64" },
  { name: "isBuyingContract", type: "bool" },
] as const;

/**
 * The order types of grvt.md §6.2 (`primaryType: "Order"`) and §6.4 (`OrderWithBuilderFee`).
 *
 * @example
 * ```ts
 * import { ORDER_TYPES } from "./_order_signature.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(ORDER_TYPES.Order.length, 8);
 * ```
 */
export const ORDER_TYPES = {
  Order: [
    { name: "subAccountID", type: "uint64" },
    { name: "isMarket", type: "bool" },
    { name: "timeInForce", type: "uint8" },
    { name: "postOnly", type: "bool" },
    { name: "reduceOnly", type: "bool" },
    { name: "legs", type: "OrderLeg[]" },
    { name: "nonce", type: "uint32" },
    { name: "expiration", type: "int64" },
  ],
  OrderWithBuilderFee: [
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
  ],
  OrderLeg: ORDER_LEG,
} as const;

/** `time_in_force` name → the integer signed in `timeInForce` (grvt.md §6.3). */
const SIGNED_TIME_IN_FORCE: Readonly<Record<string, number>> = {
  GOOD_TILL_TIME: 1,
  ALL_OR_NONE: 2,
  IMMEDIATE_OR_CANCEL: 3,
  FILL_OR_KILL: 4,
  RETAIL_PRICE_IMPROVEMENT: 5,
};

/** What the signature needs from an instrument: its `instrument_hash` and `base_decimals`. */
export interface SignedAsset {
  /** `instrument_hash` (`"0x030501"`), the signed `assetID`. */
  instrumentHash: string;
  /** `base_decimals`: contract size = trunc(size × 10^base_decimals). */
  baseDecimals: number;
}

/** A create_order `order` as it arrives on the wire (grvt.md §4.2.1). */
export interface WireOrder {
  sub_account_id?: unknown;
  is_market?: unknown;
  time_in_force?: unknown;
  post_only?: unknown;
  reduce_only?: unknown;
  legs?: unknown;
  signature?: unknown;
  builder?: unknown;
  builder_fee?: unknown;
}

/** The signature parts a recovery needs. */
export interface WireSignature {
  /** `0x` + 64 hex digits. */
  r: Hex;
  /** `0x` + 64 hex digits. */
  s: Hex;
  /** 27 or 28. */
  v: number;
}

/**
 * Truncates a decimal string (plain, with trailing zeros, or in `0E-9` form) to an integer
 * number of 10^-`digits` units: `trunc(value × 10^digits)` done on the digits, never on floats
 * (grvt.md §6.3: "Truncation, not rounding").
 *
 * @param value A non-negative decimal string.
 * @param digits Number of fractional digits kept.
 * @returns The scaled integer.
 * @throws {TypeError} If `value` is not a non-negative decimal.
 *
 * @example
 * ```ts
 * import { scaledInteger } from "./_order_signature.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(scaledInteger("1.1231231239", 9), 1123123123n);
 * ```
 */
export function scaledInteger(value: string, digits: number): bigint {
  const m = /^\+?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(value);
  if (m === null || (m[1] === "" && (m[2] ?? "") === "")) {
    throw new TypeError(`not a non-negative decimal: '${value}'`);
  }
  const all = m[1] + (m[2] ?? "");
  // Position of the decimal point within `all` after applying the exponent.
  const point = m[1].length + Number(m[3] ?? 0) + digits;
  if (point <= 0) return 0n;
  const kept = point >= all.length ? all + "0".repeat(point - all.length) : all.slice(0, point);
  return BigInt(kept === "" ? "0" : kept);
}

function hasBuilder(builder: unknown): builder is string {
  if (typeof builder !== "string" || builder === "" || builder === "0") return false;
  return !/^0x0*$/i.test(builder);
}

/**
 * The EIP-712 typed data of a wire order under a chain id (grvt.md §6.1–§6.4).
 *
 * @param order The wire order.
 * @param assetOf Instrument name → its signed asset.
 * @param chainId Domain chain id.
 * @returns Typed data for viem.
 * @throws {TypeError} If a field cannot be encoded.
 *
 * @example
 * ```ts
 * import { orderTypedData } from "./_order_signature.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const data = orderTypedData({
 *   sub_account_id: "1", time_in_force: "GOOD_TILL_TIME",
 *   legs: [{ instrument: "BTC_USDT_Perp", size: "0.001", limit_price: "90000.0", is_buying_asset: true }],
 *   signature: { expiration: "1767455222801000000", nonce: 1 },
 * }, () => ({ instrumentHash: "0x030501", baseDecimals: 9 }), 325);
 * equal(data.primaryType, "Order");
 * ```
 */
export function orderTypedData(
  order: WireOrder,
  assetOf: (instrument: string) => SignedAsset,
  chainId: number,
) {
  const sig = (order.signature ?? {}) as Record<string, unknown>;
  const tif = SIGNED_TIME_IN_FORCE[String(order.time_in_force)];
  if (tif === undefined) throw new TypeError(`unknown time_in_force '${order.time_in_force}'`);
  const isMarket = order.is_market === true;
  const legs = (Array.isArray(order.legs) ? order.legs : []).map((raw) => {
    const leg = raw as Record<string, unknown>;
    const asset = assetOf(String(leg.instrument));
    const price = leg.limit_price;
    return {
      assetID: BigInt(asset.instrumentHash),
      contractSize: scaledInteger(String(leg.size), asset.baseDecimals),
      // Prices are always signed with 9 decimals; a market order signs 0 (grvt.md §6.3).
      limitPrice: isMarket || price === null || price === undefined || price === ""
        ? 0n
        : scaledInteger(String(price), 9),
      isBuyingContract: leg.is_buying_asset === true,
    };
  });
  const common = {
    subAccountID: BigInt(String(order.sub_account_id)),
    isMarket,
    timeInForce: tif,
    postOnly: order.post_only === true,
    reduceOnly: order.reduce_only === true,
    legs,
  };
  const tail = { nonce: Number(sig.nonce), expiration: BigInt(String(sig.expiration)) };
  const domain = { name: "GRVT Exchange", version: "0", chainId } as const;
  if (hasBuilder(order.builder)) {
    return {
      domain,
      types: ORDER_TYPES,
      primaryType: "OrderWithBuilderFee" as const,
      message: {
        ...common,
        // viem refuses a mixed-case address with a bad checksum (grvt.md §6.6).
        builder: order.builder.toLowerCase() as Hex,
        builderFee: Number(scaledInteger(String(order.builder_fee ?? "0"), 4)),
        ...tail,
      },
    };
  }
  return {
    domain,
    types: ORDER_TYPES,
    primaryType: "Order" as const,
    message: { ...common, ...tail },
  };
}

/**
 * The EIP-712 digest of a wire order.
 *
 * @param order The wire order.
 * @param assetOf Instrument name → its signed asset.
 * @param chainId Domain chain id.
 * @returns The digest.
 *
 * @example
 * ```ts
 * import { orderDigest } from "./_order_signature.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(orderDigest({
 *   sub_account_id: "1", time_in_force: "GOOD_TILL_TIME",
 *   legs: [{ instrument: "BTC_USDT_Perp", size: "0.001", limit_price: "90000.0", is_buying_asset: true }],
 *   signature: { expiration: "1767455222801000000", nonce: 1 },
 * }, () => ({ instrumentHash: "0x030501", baseDecimals: 9 }), 325).length, 66);
 * ```
 */
export function orderDigest(
  order: WireOrder,
  assetOf: (instrument: string) => SignedAsset,
  chainId: number,
): Hex {
  // deno-lint-ignore no-explicit-any
  return hashTypedData(orderTypedData(order, assetOf, chainId) as any);
}

/**
 * The address that signed a wire order under a chain id.
 *
 * @param order The wire order.
 * @param assetOf Instrument name → its signed asset.
 * @param signature `r`, `s`, `v` from the order's `signature`.
 * @param chainId Domain chain id.
 * @returns The recovered address (checksummed).
 * @throws If the order cannot be encoded or the signature is not a valid point.
 *
 * @example
 * ```ts
 * import { recoverOrderSigner } from "./_order_signature.ts";
 * const recover = (r: `0x${string}`, s: `0x${string}`) =>
 *   recoverOrderSigner({ sub_account_id: "1", time_in_force: "GOOD_TILL_TIME", legs: [] },
 *     () => ({ instrumentHash: "0x030501", baseDecimals: 9 }), { r, s, v: 27 }, 325);
 * ```
 */
export function recoverOrderSigner(
  order: WireOrder,
  assetOf: (instrument: string) => SignedAsset,
  signature: WireSignature,
  chainId: number,
): Promise<string> {
  const data = orderTypedData(order, assetOf, chainId);
  return recoverTypedDataAddress({
    // deno-lint-ignore no-explicit-any
    ...(data as any),
    signature: { r: signature.r, s: signature.s, v: BigInt(signature.v) },
  });
}
