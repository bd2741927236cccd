/**
 * EdgeX API V2 order signing (edgex.md §3): the order's body fields computed with exact integer
 * arithmetic, the EIP-712 `LimitOrderParams` digest with precomputed type hashes and domain
 * separator, and a secp256k1 signature by the account's **signer key** (the "SDK Signer"
 * private key, not the wallet key).
 *
 * Field rules (both official SDKs):
 * - `l2Value = l2Price × size` exactly; `l2Size = size`;
 * - `l2LimitFee = ceil(l2Value × max(takerFeeRate, makerFeeRate))`, a whole number of quote
 *   units (each rate defaults to 0.001 when the market does not give it);
 * - `amountSynthetic = size × contractResolution` (the SDKs truncate; a size finer than the
 *   resolution is refused here, so the signed amount always equals the `l2Size` sent),
 *   `amountCollateral = trunc(l2Value × quoteResolution)`,
 *   `amountFee = l2LimitFee × quoteResolution` (resolutions are literal multipliers);
 * - `nonce = l2Nonce` = the first 4 bytes of sha256(clientOrderId), a uint32;
 * - `expirationTimestamp = floor(expireTime / 1000)` (seconds, from `expireTime`), while the body's
 *   `l2ExpireTime = expireTime + 8 days` is not signed;
 * - a market order signs at its worst price ({@linkcode edgeXMarketOrderPrice}), with body
 *   `price "0"`; a stop/take-profit market order at its trigger price.
 *
 * The chain id and verifying contract are never built in: read them from `getMetaData`
 * (`global.nativeChainId` / `global.chainId`, `global.contractAddress`) with
 * {@linkcode edgeXDomainFromMetadata}.
 *
 * @example Signing a post-only sell for the createOrder body
 * ```ts
 * import { createEdgeXOrderSigner } from "./signing.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const domain = {
 *   chainId: 33431, // metadata.global.nativeChainId (testnet here)
 *   verifyingContract: "0x1ae109ea449cfe0bed08bfe8911e968a49a919b1",
 * };
 * const market = {
 *   contractId: "30000001",
 *   quoteCoinId: "1000",
 *   contractResolution: "1000000000",
 *   quoteResolution: "1000000",
 *   takerFeeRate: "0.00038",
 *   makerFeeRate: "0.00015",
 * };
 * const signer = createEdgeXOrderSigner({
 *   privateKey: "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
 *   domain,
 * });
 * const signed = await signer.signOrder({
 *   accountId: "724625476626153743",
 *   side: "sell",
 *   size: "0.013",
 *   price: "82899.4",
 *   clientOrderId: "sim-1790586196955-1",
 *   expireTime: 1792586196955,
 * }, market);
 * deepEqual(signed.l2Value, "1077.6922");
 * deepEqual(signed.l2LimitFee, "1");
 * deepEqual(signed.l2Nonce, "3218838843");
 * deepEqual(
 *   signed.l2Signature,
 *   "0xfa651deb77fc4c30a5cf5aba8156fe9815ad4fb99e53754f9c8ca70e5b37eb9f" +
 *     "7e77bfe7e741bbe3f4912009d858133440253de75d32bb5a447f692ae25a16eb1b",
 * );
 * ```
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { isAddress } from "viem";
import { privateKeyToAccount, sign } from "viem/accounts";
import type { Clock, Side } from "../../base.ts";
import { systemClock } from "../_shared/clock.ts";
import { Decimal, type DecimalInput, toDecimal } from "../../core/decimal.ts";
import { ConfigurationError, InvalidOrderError } from "../../core/errors.ts";
import { keccak256 } from "../_shared/keccak.ts";
import { registerSecret } from "../../core/redact.ts";

const VENUE = "edgex";
const DAY_MS = 86_400_000;
/** `l2ExpireTime − expireTime` (edgex.md §3.4: "Must be >= expireTime + 8 days"). */
const L2_EXPIRE_OFFSET_MS = 8 * DAY_MS;
/** Default `expireTime` = now + 22 d, so that `l2ExpireTime` = now + 30 d (SDK default). */
const DEFAULT_EXPIRE_MS = 22 * DAY_MS;
/** Fee rate the SDKs assume when the market does not give one. */
const DEFAULT_FEE_RATE = "0.001";
const MAX_UINT64 = (1n << 64n) - 1n;
const MAX_UINT256 = (1n << 256n) - 1n;
const MAX_INT256 = (1n << 255n) - 1n;
const MIN_INT256 = -(1n << 255n);

// ---------------------------------------------------------------------------------------------
// Types

/**
 * The EIP-712 domain as configured: chain id and verifying contract from the venue's metadata,
 * name and version with EdgeX's values as defaults.
 *
 * @example
 * ```ts
 * import type { EdgeXDomain } from "./signing.ts";
 * const testnet: EdgeXDomain = {
 *   chainId: "33431",
 *   verifyingContract: "0x1ae109ea449cfe0bed08bfe8911e968a49a919b1",
 * };
 * ```
 */
export interface EdgeXDomain {
  /** Chain id: a positive integer (number, bigint, decimal string or `0x` hex string). */
  readonly chainId: bigint | number | string;
  /** Verifying contract address (`metadata.global.contractAddress`). */
  readonly verifyingContract: string;
  /** Domain name. @default {"EdgeX"} */
  readonly name?: string;
  /** Domain version. @default {"1"} */
  readonly version?: string;
}

/**
 * A checked, normalized domain in the shape viem takes.
 *
 * @example
 * ```ts
 * import { edgeXDomain, type EdgeXEip712Domain } from "./signing.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const d: EdgeXEip712Domain = edgeXDomain({
 *   chainId: "0x8297",
 *   verifyingContract: "0x1ae109ea449cfe0bed08bfe8911e968a49a919b1",
 * });
 * equal(d.chainId, 33431n);
 * ```
 */
export interface EdgeXEip712Domain {
  /** Domain name. */
  readonly name: string;
  /** Domain version. */
  readonly version: string;
  /** Chain id. */
  readonly chainId: bigint;
  /** Verifying contract, as given (EIP-712 hashes addresses case-insensitively). */
  readonly verifyingContract: `0x${string}`;
}

/**
 * The part of `getMetaData`'s `global` object the domain comes from.
 *
 * @example
 * ```ts
 * import type { EdgeXMetadataGlobal } from "./signing.ts";
 * const g: EdgeXMetadataGlobal = {
 *   nativeChainId: "33431",
 *   contractAddress: "0x1ae109ea449cfe0bed08bfe8911e968a49a919b1",
 * };
 * ```
 */
export interface EdgeXMetadataGlobal {
  /** Chain id of the EDGE chain; preferred for orders. */
  readonly nativeChainId?: string | number | null;
  /** Fallback chain id. */
  readonly chainId?: string | number | null;
  /** The verifying contract. */
  readonly contractAddress?: string | null;
}

/**
 * One EIP-712 struct field.
 *
 * @example
 * ```ts
 * import type { EdgeXTypedDataField } from "./signing.ts";
 * const f: EdgeXTypedDataField = { name: "nonce", type: "uint256" };
 * ```
 */
export interface EdgeXTypedDataField {
  /** Field name. */
  readonly name: string;
  /** Solidity type. */
  readonly type: string;
}

/**
 * The order types (edgex.md §3.3; `primaryType` is `LimitOrderParams` for every order type),
 * in the shape viem takes as `types` (viem adds `EIP712Domain` itself).
 *
 * @example
 * ```ts
 * import { EDGEX_ORDER_TYPES } from "./signing.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * deepEqual(EDGEX_ORDER_TYPES.OrderBase.map((f) => f.name), [
 *   "nonce",
 *   "signer",
 *   "accountId",
 *   "expirationTimestamp",
 * ]);
 * ```
 */
export const EDGEX_ORDER_TYPES: Readonly<
  Record<"OrderBase" | "LimitOrderParams", readonly EdgeXTypedDataField[]>
> = Object.freeze({
  OrderBase: Object.freeze([
    { name: "nonce", type: "uint256" },
    { name: "signer", type: "address" },
    { name: "accountId", type: "uint64" },
    { name: "expirationTimestamp", type: "uint256" },
  ]),
  LimitOrderParams: Object.freeze([
    { name: "base", type: "OrderBase" },
    { name: "amountSynthetic", type: "int256" },
    { name: "amountCollateral", type: "int256" },
    { name: "amountFee", type: "uint256" },
    { name: "assetIdSynthetic", type: "uint64" },
    { name: "assetIdCollateral", type: "uint64" },
    { name: "isBuyingSynthetic", type: "bool" },
    { name: "parentOrderHash", type: "bytes32" },
    { name: "subOrderIndex", type: "uint256" },
  ]),
});

/**
 * What signing needs of a market, as plain data from `getMetaData` (contract and its quote
 * coin).
 *
 * @example
 * ```ts
 * import type { EdgeXOrderMarket } from "./signing.ts";
 * const btc: EdgeXOrderMarket = {
 *   contractId: "30000001",
 *   quoteCoinId: "1000",
 *   contractResolution: "1000000000", // contract.resolution
 *   quoteResolution: "1000000", // quote coin's resolution
 *   takerFeeRate: "0.00038",
 *   makerFeeRate: "0.00015",
 * };
 * ```
 */
export interface EdgeXOrderMarket {
  /** `contractId` (uint64), signed as `assetIdSynthetic`. */
  readonly contractId: string | bigint;
  /** The quote coin's `coinId` (uint64), signed as `assetIdCollateral`. */
  readonly quoteCoinId: string | bigint;
  /** The contract's `resolution`: a literal positive integer (decimal or `0x` hex). */
  readonly contractResolution: string | bigint;
  /** The quote coin's `resolution`: a literal positive integer (decimal or `0x` hex). */
  readonly quoteResolution: string | bigint;
  /** `defaultTakerFeeRate`. @default {"0.001"} */
  readonly takerFeeRate?: DecimalInput | null;
  /** `defaultMakerFeeRate`. @default {"0.001"} */
  readonly makerFeeRate?: DecimalInput | null;
}

/**
 * An order to sign.
 *
 * @example
 * ```ts
 * import type { EdgeXOrderInput } from "./signing.ts";
 * const order: EdgeXOrderInput = {
 *   accountId: "724625476626153743",
 *   side: "buy",
 *   size: "0.002",
 *   price: "790250.3", // a market buy signs at its worst price
 *   clientOrderId: "sim-mkt-1",
 * };
 * ```
 */
export interface EdgeXOrderInput {
  /** The Perps V2 account id (uint64, decimal string or bigint). */
  readonly accountId: string | bigint;
  /** Buy or sell. */
  readonly side: Side;
  /** Size in base units; positive. Send the body's `size` as the returned `l2Size`. */
  readonly size: DecimalInput;
  /**
   * The price to sign (`l2Price`): the limit price; for a market order its worst price
   * ({@linkcode edgeXMarketOrderPrice}); for a stop/take-profit market order the trigger price.
   */
  readonly price: DecimalInput;
  /** The client order id; its sha256 gives the nonce. */
  readonly clientOrderId: string;
  /** `expireTime`, ms since the epoch. @default {now + 22 days} */
  readonly expireTime?: number;
}

/**
 * Options of {@linkcode buildEdgeXOrderFields}.
 *
 * @example
 * ```ts
 * import type { BuildEdgeXOrderFieldsOptions } from "./signing.ts";
 * const o: BuildEdgeXOrderFieldsOptions = { clock: { now: () => 1_790_000_000_000 } };
 * ```
 */
export interface BuildEdgeXOrderFieldsOptions {
  /** Clock for the default `expireTime`. @default {systemClock} */
  readonly clock?: Pick<Clock, "now">;
}

/**
 * Everything an order signs and sends, computed exactly.
 *
 * @example
 * ```ts
 * import type { EdgeXOrderFields } from "./signing.ts";
 * const notionalCap = (f: EdgeXOrderFields) => `${f.l2Value} (fee ≤ ${f.l2LimitFee})`;
 * ```
 */
export interface EdgeXOrderFields {
  /** Account id (`base.accountId`, uint64). */
  readonly accountId: bigint;
  /** Contract id (`assetIdSynthetic`, uint64). */
  readonly contractId: bigint;
  /** Quote coin id (`assetIdCollateral`, uint64). */
  readonly quoteCoinId: bigint;
  /** Side (`isBuyingSynthetic` = buy). */
  readonly side: Side;
  /** Client order id. */
  readonly clientOrderId: string;
  /** `l2Nonce` = `base.nonce`. */
  readonly nonce: number;
  /** The price signed, normalized (not sent). */
  readonly l2Price: string;
  /** Body `l2Size` (= `size`), normalized. */
  readonly l2Size: string;
  /** Body `l2Value` = l2Price × size, exact, trailing zeros removed. */
  readonly l2Value: string;
  /** Body `l2LimitFee`: the fee cap, whole quote units. */
  readonly l2LimitFee: string;
  /** `amountSynthetic` = trunc(size × contractResolution). */
  readonly amountSynthetic: bigint;
  /** `amountCollateral` = trunc(l2Value × quoteResolution). */
  readonly amountCollateral: bigint;
  /** `amountFee` = l2LimitFee × quoteResolution. */
  readonly amountFee: bigint;
  /** Body `expireTime`, ms; signed as `floor(expireTime / 1000)` seconds. */
  readonly expireTime: number;
  /** Body `l2ExpireTime` = expireTime + 8 days, ms; not signed. */
  readonly l2ExpireTime: number;
}

/**
 * The signed fields for the createOrder body; all strings, ready to spread into it with
 * `accountId`, `contractId`, `side` (`"BUY"`/`"SELL"`), `price`, `size` (= `l2Size`), `type`,
 * `timeInForce` and `reduceOnly`.
 *
 * @example
 * ```ts
 * import type { EdgeXSignedOrderFields } from "./signing.ts";
 * const body = (accountId: string, s: EdgeXSignedOrderFields) => ({
 *   accountId,
 *   contractId: "30000001",
 *   side: "SELL",
 *   type: "LIMIT",
 *   timeInForce: "POST_ONLY",
 *   price: "82899.4",
 *   size: s.l2Size,
 *   reduceOnly: false,
 *   ...s,
 * });
 * ```
 */
export interface EdgeXSignedOrderFields {
  /** Client order id. */
  readonly clientOrderId: string;
  /** ms, decimal. */
  readonly expireTime: string;
  /** uint32, decimal. */
  readonly l2Nonce: string;
  /** Decimal. */
  readonly l2Value: string;
  /** Decimal. */
  readonly l2Size: string;
  /** Integer, quote units. */
  readonly l2LimitFee: string;
  /** ms, decimal. */
  readonly l2ExpireTime: string;
  /** `0x` + r ‖ s ‖ v (65 bytes, v 27/28). */
  readonly l2Signature: `0x${string}`;
}

/**
 * The EIP-712 `LimitOrderParams` message.
 *
 * @example
 * ```ts
 * import type { EdgeXOrderMessage } from "./signing.ts";
 * const isBuy = (m: EdgeXOrderMessage) => m.isBuyingSynthetic;
 * ```
 */
export type EdgeXOrderMessage = {
  /** `OrderBase`. */
  readonly base: {
    /** `uint256`. */
    readonly nonce: bigint;
    /** `address`. */
    readonly signer: `0x${string}`;
    /** `uint64`. */
    readonly accountId: bigint;
    /** `uint256`, seconds. */
    readonly expirationTimestamp: bigint;
  };
  /** `int256`. */
  readonly amountSynthetic: bigint;
  /** `int256`. */
  readonly amountCollateral: bigint;
  /** `uint256`. */
  readonly amountFee: bigint;
  /** `uint64`. */
  readonly assetIdSynthetic: bigint;
  /** `uint64`. */
  readonly assetIdCollateral: bigint;
  /** `bool`. */
  readonly isBuyingSynthetic: boolean;
  /** `bytes32`: zero for a plain order. */
  readonly parentOrderHash: `0x${string}`;
  /** `uint256`: zero for a plain order. */
  readonly subOrderIndex: bigint;
};

/**
 * A full order typed-data definition, as viem's `hashTypedData` / `signTypedData` take it.
 *
 * @example
 * ```ts
 * import type { EdgeXOrderTypedData } from "./signing.ts";
 * const chainOf = (td: EdgeXOrderTypedData) => td.domain.chainId;
 * ```
 */
export interface EdgeXOrderTypedData {
  /** Domain. */
  readonly domain: EdgeXEip712Domain;
  /** `EDGEX_ORDER_TYPES`. */
  readonly types: typeof EDGEX_ORDER_TYPES;
  /** `"LimitOrderParams"`. */
  readonly primaryType: "LimitOrderParams";
  /** Message. */
  readonly message: EdgeXOrderMessage;
}

// ---------------------------------------------------------------------------------------------
// Exact decimal arithmetic on (mantissa, scale) pairs

interface Scaled {
  /** The digits as an integer. */
  m: bigint;
  /** Number of decimals: value = m / 10^s. */
  s: number;
}

const DECIMAL_PARTS = /^([+-]?)(\d*)(?:\.(\d*))?$/;
const POW10: bigint[] = [1n];
function pow10(n: number): bigint {
  while (POW10.length <= n) POW10.push(POW10[POW10.length - 1] * 10n);
  return POW10[n];
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  return String(value);
}

function parseScaled(value: DecimalInput, name: string): Scaled {
  let text: string;
  if (typeof value === "string") {
    text = value.trim();
  } else if (Decimal.isDecimal(value)) {
    text = toDecimal(value, name).toFixed();
  } else {
    throw new TypeError(
      `'${name}' must be a decimal string such as "0.01" or a Decimal: got ${describe(value)}`,
    );
  }
  const parts = DECIMAL_PARTS.exec(text);
  if (!parts || (parts[2] === "" && (parts[3] ?? "") === "")) {
    throw new TypeError(
      `'${name}' must be a decimal string such as "0.01": got ${describe(value)}`,
    );
  }
  const frac = parts[3] ?? "";
  return { m: BigInt(`${parts[1]}${parts[2] || "0"}${frac}`), s: frac.length };
}

/** Plain decimal text, trailing zeros removed (`"200"`, `"1077.6922"`). */
function formatScaled(v: Scaled): string {
  let m = v.m;
  let s = v.s;
  while (s > 0 && m % 10n === 0n) {
    m /= 10n;
    s--;
  }
  const negative = m < 0n;
  const digits = (negative ? -m : m).toString();
  if (s === 0) return negative ? `-${digits}` : digits;
  const padded = digits.padStart(s + 1, "0");
  const text = `${padded.slice(0, padded.length - s)}.${padded.slice(padded.length - s)}`;
  return negative ? `-${text}` : text;
}

/** a ≥ b for two scaled decimals. */
function gte(a: Scaled, b: Scaled): boolean {
  const s = Math.max(a.s, b.s);
  return a.m * pow10(s - a.s) >= b.m * pow10(s - b.s);
}

/** ceil(n / d) for d > 0. */
function ceilDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n > 0n && q * d !== n ? q + 1n : q;
}

function parseResolution(value: string | bigint, name: string): bigint {
  let r: bigint | undefined;
  if (typeof value === "bigint") r = value;
  else if (typeof value === "string") {
    const t = value.trim();
    if (/^0x[0-9a-f]+$/i.test(t)) r = BigInt(t);
    else if (/^\d+(\.0*)?$/.test(t)) r = BigInt(t.split(".")[0]);
  }
  if (r === undefined || r <= 0n) {
    throw new ConfigurationError(
      `Cannot sign EdgeX orders as the market's '${name}' must be a positive integer ` +
        `(decimal or 0x hex): current value is ${describe(value)}`,
      { venue: VENUE },
    );
  }
  return r;
}

function parseUint64(value: string | bigint, name: string): bigint {
  let v: bigint | undefined;
  if (typeof value === "bigint") v = value;
  else if (typeof value === "string" && /^\d{1,20}$/.test(value.trim())) v = BigInt(value.trim());
  if (v === undefined) {
    throw new TypeError(
      `'${name}' must be a decimal integer string or bigint: got ${describe(value)}`,
    );
  }
  if (v < 0n || v > MAX_UINT64) throw new RangeError(`'${name}' must fit in uint64: got ${v}`);
  return v;
}

function feeRateOf(value: DecimalInput | null | undefined, name: string): Scaled {
  if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) {
    return parseScaled(DEFAULT_FEE_RATE, name);
  }
  return parseScaled(value, name);
}

function invalid(
  reason: "invalid_size" | "invalid_price",
  field: string,
  rule: string,
  value: unknown,
): InvalidOrderError {
  return new InvalidOrderError(reason, {
    venue: VENUE,
    message: `Cannot place order on edgex as '${field}' ${rule}: current value is ${
      typeof value === "string" ? value : String(value)
    }`,
  });
}

// ---------------------------------------------------------------------------------------------
// Field computation

/**
 * The order nonce: the first 8 hex digits (4 bytes, big-endian) of sha256(UTF-8 of the client
 * order id), as a uint32 (PY `calc_nonce`, Go `CalcNonce`).
 *
 * @param clientOrderId The client order id.
 * @returns The nonce, 0 … 4294967295.
 * @throws {TypeError} If the id is not a non-empty string.
 *
 * @example Values from the V2 SDK doc's testnet requests
 * ```ts
 * import { edgeXNonce } from "./signing.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * deepEqual(edgeXNonce("sdk-v2-1773302047079667844"), 2637799806);
 * deepEqual(edgeXNonce("stop-market-sl-1773300663768631932"), 2012469256);
 * ```
 */
export function edgeXNonce(clientOrderId: string): number {
  if (typeof clientOrderId !== "string" || clientOrderId === "") {
    throw new TypeError(
      `'clientOrderId' must be a non-empty string: got ${describe(clientOrderId)}`,
    );
  }
  const h = sha256(new TextEncoder().encode(clientOrderId));
  return ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
}

/**
 * The worst price a market order signs (official Python SDK `_get_market_order_price`): a buy
 * signs at oracle price × 10 rounded (half-even) to the tick size's decimals, a sell at one
 * tick. The body then carries `price "0"` and `timeInForce "IMMEDIATE_OR_CANCEL"`. The fee cap
 * follows the signed value, so a market buy's `l2LimitFee` is about ten times its real fee.
 *
 * @param side Buy or sell.
 * @param quote The oracle price (`getTicker`'s `oraclePrice`) and the contract's `tickSize`.
 * @returns The price to sign.
 * @throws {TypeError} If a value is not a decimal.
 * @throws {RangeError} If the tick size is not positive, or a buy's oracle price is not.
 *
 * @example
 * ```ts
 * import { edgeXMarketOrderPrice } from "./signing.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const quote = { oraclePrice: "79025.030809853284955708", tickSize: "0.1" };
 * deepEqual(edgeXMarketOrderPrice("buy", quote).toString(), "790250.3");
 * deepEqual(edgeXMarketOrderPrice("sell", quote).toString(), "0.1");
 * ```
 */
export function edgeXMarketOrderPrice(
  side: Side,
  quote: { readonly oraclePrice: DecimalInput; readonly tickSize: DecimalInput },
): Decimal {
  const tick = toDecimal(quote.tickSize, "tickSize");
  if (!tick.gt(0)) throw new RangeError(`'tickSize' must be positive: got ${tick}`);
  if (side === "sell") return tick;
  if (side !== "buy") throw new TypeError(`'side' must be "buy" or "sell": got ${describe(side)}`);
  const oracle = toDecimal(quote.oraclePrice, "oraclePrice");
  if (!oracle.gt(0)) throw new RangeError(`'oraclePrice' must be positive: got ${oracle}`);
  // Python's Decimal keeps the tick's written exponent ("0.10" → 2 places); so do we.
  const written = typeof quote.tickSize === "string" ? quote.tickSize.trim() : tick.toFixed();
  const places = written.includes(".") ? written.length - written.indexOf(".") - 1 : 0;
  return oracle.times(10).toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN);
}

/**
 * Computes every field an order signs and sends, exactly (edgex.md §3.4): `l2Value`,
 * `l2LimitFee`, the three amounts, the nonce and both expiry times. Nothing is rounded except
 * as the venue does: amounts truncated, the fee cap rounded up.
 *
 * @param order Account, side, size, price to sign, client order id and optional `expireTime`.
 * @param market Contract id, quote coin id, resolutions and fee rates.
 * @param options Clock for the default expiry.
 * @returns The fields.
 * @throws {InvalidOrderError} If size or price is not positive, or the size is not a whole
 * number of units of the contract's resolution (it is refused, never truncated).
 * @throws {ConfigurationError} If a resolution is not a positive integer, or both fee rates are
 * negative.
 * @throws {TypeError} If a decimal, id or the client order id is malformed.
 * @throws {RangeError} If an id does not fit uint64, an amount int256, or `expireTime` is not a
 * positive integer of ms.
 *
 * @example The Go SDK's order test (`client_v2_test.go`)
 * ```ts
 * import { buildEdgeXOrderFields } from "./signing.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const f = buildEdgeXOrderFields(
 *   {
 *     accountId: "42",
 *     side: "buy",
 *     size: "0.1",
 *     price: "2000",
 *     clientOrderId: "order-v2-fixed-id",
 *     expireTime: 1767225600000,
 *   },
 *   {
 *     contractId: "10000001",
 *     quoteCoinId: "2",
 *     contractResolution: "1000000000",
 *     quoteResolution: "1000000",
 *     takerFeeRate: "0.0005",
 *     makerFeeRate: "0.0002",
 *   },
 * );
 * deepEqual([f.l2Value, f.l2LimitFee, f.l2ExpireTime], ["200", "1", 1767916800000]);
 * deepEqual(
 *   [f.amountSynthetic, f.amountCollateral, f.amountFee],
 *   [100000000n, 200000000n, 1000000n],
 * );
 * deepEqual(f.nonce, 3939355697);
 * ```
 */
export function buildEdgeXOrderFields(
  order: EdgeXOrderInput,
  market: EdgeXOrderMarket,
  options: BuildEdgeXOrderFieldsOptions = {},
): EdgeXOrderFields {
  const side = order.side;
  if (side !== "buy" && side !== "sell") {
    throw new TypeError(`'side' must be "buy" or "sell": got ${describe(side)}`);
  }
  const size = parseScaled(order.size, "size");
  if (size.m <= 0n) throw invalid("invalid_size", "size", "must be positive", order.size);
  const price = parseScaled(order.price, "price");
  if (price.m <= 0n) {
    // A market order's body says price "0", but it signs its worst price.
    throw invalid(
      "invalid_price",
      "price",
      "must be positive (a market order signs its worst price: edgeXMarketOrderPrice)",
      order.price,
    );
  }

  const contractRes = parseResolution(market.contractResolution, "contractResolution");
  const quoteRes = parseResolution(market.quoteResolution, "quoteResolution");
  const taker = feeRateOf(market.takerFeeRate, "takerFeeRate");
  const maker = feeRateOf(market.makerFeeRate, "makerFeeRate");
  const rate = gte(taker, maker) ? taker : maker;
  if (rate.m < 0n) {
    throw new ConfigurationError(
      `Cannot sign EdgeX orders as both fee rates are negative: taker ${
        formatScaled(taker)
      }, maker ${formatScaled(maker)}`,
      { venue: VENUE },
    );
  }

  // value = price × size, exactly: mantissas multiply, scales add.
  const value: Scaled = { m: price.m * size.m, s: price.s + size.s };
  const limitFee = ceilDiv(value.m * rate.m, pow10(value.s + rate.s));
  const amountSynthetic = (size.m * contractRes) / pow10(size.s);
  // The venue rebuilds the signed amount from the `l2Size` it is sent: a size finer than the
  // resolution would be signed truncated while `l2Size`/`l2Value` keep the finer value.
  if (amountSynthetic * pow10(size.s) !== size.m * contractRes) {
    throw invalid(
      "invalid_size",
      "size",
      `must be a multiple of the contract resolution (1/${contractRes})`,
      formatScaled(size),
    );
  }
  if (amountSynthetic === 0n) {
    throw invalid(
      "invalid_size",
      "size",
      `must be at least one unit of the contract resolution (1/${contractRes})`,
      formatScaled(size),
    );
  }
  const amountCollateral = (value.m * quoteRes) / pow10(value.s);
  const amountFee = limitFee * quoteRes;
  if (amountSynthetic > MAX_INT256 || amountCollateral > MAX_INT256 || amountFee > MAX_UINT256) {
    throw new RangeError(`Order amounts overflow int256: size ${formatScaled(size)}`);
  }

  let expireTime: number;
  if (order.expireTime === undefined) {
    expireTime = Math.floor((options.clock ?? systemClock).now()) + DEFAULT_EXPIRE_MS;
  } else {
    expireTime = order.expireTime;
    if (!Number.isSafeInteger(expireTime) || expireTime <= 0) {
      throw new RangeError(
        `'expireTime' must be a positive integer of ms since the epoch: got ${
          describe(expireTime)
        }`,
      );
    }
  }

  return {
    accountId: parseUint64(order.accountId, "accountId"),
    contractId: parseUint64(market.contractId, "contractId"),
    quoteCoinId: parseUint64(market.quoteCoinId, "quoteCoinId"),
    side,
    clientOrderId: order.clientOrderId,
    nonce: edgeXNonce(order.clientOrderId),
    l2Price: formatScaled(price),
    l2Size: formatScaled(size),
    l2Value: formatScaled(value),
    l2LimitFee: limitFee.toString(),
    amountSynthetic,
    amountCollateral,
    amountFee,
    expireTime,
    l2ExpireTime: expireTime + L2_EXPIRE_OFFSET_MS,
  };
}

// ---------------------------------------------------------------------------------------------
// Domain

/**
 * Checks and normalizes a domain: chain id to a bigint, address validated (a mixed-case
 * address must carry a valid EIP-55 checksum; all-caps is lowered), name and version defaulted
 * to `"EdgeX"`/`"1"`.
 *
 * @param domain The configured domain.
 * @returns The normalized domain.
 * @throws {ConfigurationError} If the chain id is not a positive integer or the address is not
 * valid.
 *
 * @example
 * ```ts
 * import { edgeXDomain } from "./signing.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const d = edgeXDomain({ chainId: "3343", verifyingContract: "0x" + "00".repeat(19) + "01" });
 * deepEqual([d.name, d.version, d.chainId], ["EdgeX", "1", 3343n]);
 * ```
 */
export function edgeXDomain(domain: EdgeXDomain): EdgeXEip712Domain {
  const raw = domain?.chainId;
  let chainId: bigint | undefined;
  if (typeof raw === "bigint") chainId = raw;
  else if (typeof raw === "number" && Number.isSafeInteger(raw)) chainId = BigInt(raw);
  else if (typeof raw === "string") {
    const t = raw.trim();
    if (/^0x[0-9a-f]+$/i.test(t) || /^\d+$/.test(t)) chainId = BigInt(t);
  }
  if (chainId === undefined || chainId <= 0n || chainId > MAX_UINT256) {
    throw new ConfigurationError(
      "Cannot sign EdgeX orders as the domain 'chainId' must be a positive integer: " +
        `current value is ${describe(raw)} (read it from getMetaData global.nativeChainId)`,
      { venue: VENUE },
    );
  }
  let address = typeof domain.verifyingContract === "string" ? domain.verifyingContract.trim() : "";
  // All-caps hex carries no checksum (EIP-55); mixed case must be a valid checksum.
  if (/^0x[0-9A-F]{40}$/.test(address)) address = address.toLowerCase();
  if (!isAddress(address)) {
    throw new ConfigurationError(
      "Cannot sign EdgeX orders as the domain 'verifyingContract' must be an address: " +
        `current value is ${
          describe(domain.verifyingContract)
        } (read it from getMetaData global.contractAddress)`,
      { venue: VENUE },
    );
  }
  const name = domain.name ?? "EdgeX";
  const version = domain.version ?? "1";
  if (typeof name !== "string" || typeof version !== "string") {
    throw new ConfigurationError("EdgeX domain 'name' and 'version' must be strings", {
      venue: VENUE,
    });
  }
  return Object.freeze({ name, version, chainId, verifyingContract: address as `0x${string}` });
}

/**
 * The domain from `getMetaData`'s `global`: `nativeChainId`, falling back to `chainId`
 * (decimal or `0x` hex), and `contractAddress` (edgex.md §3.2).
 *
 * @param global `metadata.global`.
 * @returns The domain.
 * @throws {ConfigurationError} If the chain id or the contract address is missing.
 *
 * @example
 * ```ts
 * import { edgeXDomainFromMetadata } from "./signing.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const d = edgeXDomainFromMetadata({
 *   nativeChainId: "",
 *   chainId: "33431",
 *   contractAddress: "0x1ae109ea449cfe0bed08bfe8911e968a49a919b1",
 * });
 * deepEqual(d.chainId, "33431");
 * ```
 */
export function edgeXDomainFromMetadata(global: EdgeXMetadataGlobal): EdgeXDomain {
  const text = (v: string | number | null | undefined) =>
    v === null || v === undefined ? "" : String(v).trim();
  const chainId = text(global?.nativeChainId) || text(global?.chainId);
  const verifyingContract = text(global?.contractAddress);
  if (chainId === "" || verifyingContract === "") {
    throw new ConfigurationError(
      `Cannot sign EdgeX orders as getMetaData lacks ${
        chainId === "" ? "global.nativeChainId/global.chainId" : "global.contractAddress"
      }`,
      { venue: VENUE },
    );
  }
  const domain: EdgeXDomain = { chainId, verifyingContract };
  edgeXDomain(domain);
  return domain;
}

// ---------------------------------------------------------------------------------------------
// EIP-712 encoding (hot path: no hex round trips, type hashes and domain separators precomputed)

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const keccakText = (s: string): Uint8Array => keccak256(utf8(s));

function encodeType(primary: "OrderBase" | "LimitOrderParams"): string {
  const fields = (name: "OrderBase" | "LimitOrderParams") =>
    `${name}(${EDGEX_ORDER_TYPES[name].map((f) => `${f.type} ${f.name}`).join(",")})`;
  // EIP-712: the primary type, then referenced types sorted by name.
  return primary === "OrderBase" ? fields("OrderBase") : fields("LimitOrderParams") +
    fields("OrderBase");
}

const DOMAIN_TYPEHASH = keccakText(
  "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)",
);
const ORDER_BASE_TYPEHASH = keccakText(encodeType("OrderBase"));
const LIMIT_ORDER_TYPEHASH = keccakText(encodeType("LimitOrderParams"));
const ZERO_BYTES32 = `0x${"00".repeat(32)}` as const;

const HEX_NIBBLE: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 10; i++) t[48 + i] = i;
  for (let i = 0; i < 6; i++) {
    t[65 + i] = 10 + i;
    t[97 + i] = 10 + i;
  }
  return t;
})();

/** Writes `hex` (no prefix, at most 64 digits) right-aligned into the 32-byte word at `offset`. */
function writeHexWord(buf: Uint8Array, offset: number, hex: string): void {
  let pos = offset + 32;
  let i = hex.length;
  while (i > 0) {
    const lo = HEX_NIBBLE[hex.charCodeAt(i - 1)];
    const hi = i >= 2 ? HEX_NIBBLE[hex.charCodeAt(i - 2)] : 0;
    buf[--pos] = (hi << 4) | lo;
    i -= 2;
  }
}

function writeUint(
  buf: Uint8Array,
  offset: number,
  value: bigint,
  max: bigint,
  name: string,
): void {
  if (typeof value !== "bigint" || value < 0n || value > max) {
    throw new RangeError(
      `'${name}' must be an unsigned integer up to ${max}: got ${describe(value)}`,
    );
  }
  writeHexWord(buf, offset, value.toString(16));
}

function writeInt256(buf: Uint8Array, offset: number, value: bigint, name: string): void {
  if (typeof value !== "bigint" || value < MIN_INT256 || value > MAX_INT256) {
    throw new RangeError(`'${name}' must fit in int256: got ${describe(value)}`);
  }
  writeHexWord(buf, offset, (value < 0n ? value + (1n << 256n) : value).toString(16));
}

function domainSeparatorBytes(d: EdgeXEip712Domain): Uint8Array {
  const buf = new Uint8Array(160);
  buf.set(DOMAIN_TYPEHASH, 0);
  buf.set(keccakText(d.name), 32);
  buf.set(keccakText(d.version), 64);
  writeUint(buf, 96, d.chainId, MAX_UINT256, "chainId");
  writeHexWord(buf, 128, d.verifyingContract.slice(2));
  return keccak256(buf);
}

const separators = new Map<string, Uint8Array>();

function cachedSeparator(d: EdgeXEip712Domain): Uint8Array {
  const key = `${d.chainId}|${d.verifyingContract.toLowerCase()}|${d.name}|${d.version}`;
  let ds = separators.get(key);
  if (!ds) {
    ds = domainSeparatorBytes(d);
    // A process signs for one or two domains; a bound keeps a verifier of many from growing it.
    if (separators.size >= 64) separators.clear();
    separators.set(key, ds);
  }
  return ds;
}

function toHex(bytes: Uint8Array): `0x${string}` {
  let out = "0x";
  for (let i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return out as `0x${string}`;
}

function addressBytes(address: string): Uint8Array {
  const buf = new Uint8Array(32);
  writeHexWord(buf, 0, address.slice(2));
  return buf;
}

/** keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(LimitOrderParams)). */
function orderDigest(f: EdgeXOrderFields, signerWord: Uint8Array, ds: Uint8Array): Uint8Array {
  if (f.side !== "buy" && f.side !== "sell") {
    throw new TypeError(`'side' must be "buy" or "sell": got ${describe(f.side)}`);
  }
  if (!Number.isSafeInteger(f.nonce) || f.nonce < 0) {
    throw new RangeError(`'nonce' must be a non-negative integer: got ${describe(f.nonce)}`);
  }
  if (!Number.isSafeInteger(f.expireTime) || f.expireTime <= 0) {
    throw new RangeError(
      `'expireTime' must be a positive integer of ms: got ${describe(f.expireTime)}`,
    );
  }
  const base = new Uint8Array(160);
  base.set(ORDER_BASE_TYPEHASH, 0);
  writeHexWord(base, 32, f.nonce.toString(16));
  base.set(signerWord, 64);
  writeUint(base, 96, f.accountId, MAX_UINT64, "accountId");
  writeHexWord(base, 128, Math.floor(f.expireTime / 1000).toString(16));

  const struct = new Uint8Array(320);
  struct.set(LIMIT_ORDER_TYPEHASH, 0);
  struct.set(keccak256(base), 32);
  writeInt256(struct, 64, f.amountSynthetic, "amountSynthetic");
  writeInt256(struct, 96, f.amountCollateral, "amountCollateral");
  writeUint(struct, 128, f.amountFee, MAX_UINT256, "amountFee");
  writeUint(struct, 160, f.contractId, MAX_UINT64, "contractId");
  writeUint(struct, 192, f.quoteCoinId, MAX_UINT64, "quoteCoinId");
  struct[255] = f.side === "buy" ? 1 : 0;
  // parentOrderHash and subOrderIndex stay zero.

  const outer = new Uint8Array(66);
  outer[0] = 0x19;
  outer[1] = 0x01;
  outer.set(ds, 2);
  outer.set(keccak256(struct), 34);
  return keccak256(outer);
}

/**
 * The domain separator (`hashStruct(EIP712Domain)`).
 *
 * @param domain The domain.
 * @returns 32 bytes as `0x` hex.
 * @throws {ConfigurationError} See {@linkcode edgeXDomain}.
 *
 * @example
 * ```ts
 * import { edgeXDomainSeparator } from "./signing.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * deepEqual(
 *   edgeXDomainSeparator({
 *     chainId: 33431,
 *     verifyingContract: "0x1ae109ea449cfe0bed08bfe8911e968a49a919b1",
 *   }),
 *   "0x8793f96bb1a2d80aba26404110308262c7bf6f069ff4130e307dabb87de698c1",
 * );
 * ```
 */
export function edgeXDomainSeparator(domain: EdgeXDomain): `0x${string}` {
  return toHex(cachedSeparator(edgeXDomain(domain)));
}

/**
 * The `LimitOrderParams` message of an order's fields.
 *
 * @param fields The fields.
 * @param signer The signer key's address.
 * @returns The message (bigints).
 * @throws {TypeError} If `signer` is not an address.
 *
 * @example
 * ```ts
 * import { buildEdgeXOrderFields, edgeXOrderMessage } from "./signing.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const order = { accountId: "1", side: "sell" as const, size: "1", price: "1" };
 * const market = { contractId: "1", quoteCoinId: "2", contractResolution: "1" };
 * const fields = buildEdgeXOrderFields(
 *   { ...order, clientOrderId: "a", expireTime: 1e12 + 999 },
 *   { ...market, quoteResolution: "1" },
 * );
 * const m = edgeXOrderMessage(fields, "0xFCAd0B19bB29D4674531d6f115237E16AfCE377c");
 * deepEqual(m.base.expirationTimestamp, 1_000_000_000n);
 * deepEqual(m.isBuyingSynthetic, false);
 * ```
 */
export function edgeXOrderMessage(fields: EdgeXOrderFields, signer: string): EdgeXOrderMessage {
  if (typeof signer !== "string" || !isAddress(signer, { strict: false })) {
    throw new TypeError(`'signer' must be an address: got ${describe(signer)}`);
  }
  return {
    base: {
      nonce: BigInt(fields.nonce),
      signer: signer as `0x${string}`,
      accountId: fields.accountId,
      expirationTimestamp: BigInt(Math.floor(fields.expireTime / 1000)),
    },
    amountSynthetic: fields.amountSynthetic,
    amountCollateral: fields.amountCollateral,
    amountFee: fields.amountFee,
    assetIdSynthetic: fields.contractId,
    assetIdCollateral: fields.quoteCoinId,
    isBuyingSynthetic: fields.side === "buy",
    parentOrderHash: ZERO_BYTES32,
    subOrderIndex: 0n,
  };
}

/**
 * The full typed data of an order, for viem (`hashTypedData`, `signTypedData`,
 * `recoverTypedDataAddress`) or for display in a wallet.
 *
 * @param fields The fields.
 * @param options The signer address and the domain.
 * @returns Domain, types, primary type and message.
 * @throws {ConfigurationError} See {@linkcode edgeXDomain}.
 * @throws {TypeError} If `signer` is not an address.
 *
 * @example Equal to our precomputed digest
 * ```ts
 * import { buildEdgeXOrderFields, edgeXOrderTypedData, hashEdgeXOrder } from "./signing.ts";
 * import { hashTypedData } from "viem";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const order = { accountId: "1", side: "buy" as const, size: "1", price: "3000.25" };
 * const market = {
 *   contractId: "2",
 *   quoteCoinId: "1000",
 *   contractResolution: "1000000",
 *   quoteResolution: "1000000",
 * };
 * const fields = buildEdgeXOrderFields({ ...order, clientOrderId: "x", expireTime: 1e12 }, market);
 * const options = {
 *   signer: "0xFCAd0B19bB29D4674531d6f115237E16AfCE377c",
 *   domain: { chainId: 3343, verifyingContract: "0x1ae109ea449cfe0bed08bfe8911e968a49a919b1" },
 * };
 * deepEqual(hashTypedData(edgeXOrderTypedData(fields, options)), hashEdgeXOrder(fields, options));
 * ```
 */
export function edgeXOrderTypedData(
  fields: EdgeXOrderFields,
  options: { readonly signer: string; readonly domain: EdgeXDomain },
): EdgeXOrderTypedData {
  return {
    domain: edgeXDomain(options.domain),
    types: EDGEX_ORDER_TYPES,
    primaryType: "LimitOrderParams",
    message: edgeXOrderMessage(fields, options.signer),
  };
}

/**
 * The EIP-712 digest of an order, `keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message))`,
 * computed directly from the fields with precomputed type hashes and a cached domain separator.
 *
 * @param fields The fields.
 * @param options The signer address and the domain.
 * @returns The 32-byte digest as `0x` hex.
 * @throws {ConfigurationError} See {@linkcode edgeXDomain}.
 * @throws {TypeError} If `signer` is not an address.
 * @throws {RangeError} If a field does not fit its Solidity type.
 *
 * @example
 * ```ts
 * import { buildEdgeXOrderFields, hashEdgeXOrder } from "./signing.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const fields = buildEdgeXOrderFields(
 *   {
 *     accountId: "42",
 *     side: "buy",
 *     size: "0.1",
 *     price: "2000",
 *     clientOrderId: "order-v2-fixed-id",
 *     expireTime: 1767225600000,
 *   },
 *   {
 *     contractId: "10000001",
 *     quoteCoinId: "2",
 *     contractResolution: "1000000000",
 *     quoteResolution: "1000000",
 *     takerFeeRate: "0.0005",
 *     makerFeeRate: "0.0002",
 *   },
 * );
 * deepEqual(
 *   hashEdgeXOrder(fields, {
 *     signer: "0x3c525baCDE632d065e92324b2bCe7dEAAFF2deff",
 *     domain: { chainId: 42161, verifyingContract: "0x0000000000000000000000000000000000000001" },
 *   }),
 *   "0x19fa99b21836e812b38ae4efcad7e33c6c657fc108d5a95a6e838c98219b1e15",
 * );
 * ```
 */
export function hashEdgeXOrder(
  fields: EdgeXOrderFields,
  options: { readonly signer: string; readonly domain: EdgeXDomain },
): `0x${string}` {
  if (typeof options.signer !== "string" || !isAddress(options.signer, { strict: false })) {
    throw new TypeError(`'signer' must be an address: got ${describe(options.signer)}`);
  }
  const ds = cachedSeparator(edgeXDomain(options.domain));
  return toHex(orderDigest(fields, addressBytes(options.signer), ds));
}

// ---------------------------------------------------------------------------------------------
// Signer

/**
 * Options of {@linkcode createEdgeXOrderSigner}.
 *
 * @example
 * ```ts
 * import type { EdgeXOrderSignerOptions } from "./signing.ts";
 * const o: EdgeXOrderSignerOptions = {
 *   privateKey: Deno.env.get("EDGEX_SIGNER_KEY") ?? "",
 *   domain: { chainId: "3343", verifyingContract: Deno.env.get("EDGEX_CONTRACT") ?? "" },
 * };
 * ```
 */
export interface EdgeXOrderSignerOptions {
  /** The signer key ("SDK Signer" private key): 64 hex digits, with or without `0x`. */
  readonly privateKey: string;
  /** The EIP-712 domain, from `getMetaData` ({@linkcode edgeXDomainFromMetadata}). */
  readonly domain: EdgeXDomain;
}

/**
 * An order signer bound to one signer key and one domain.
 *
 * @example
 * ```ts
 * import type { EdgeXOrderSigner } from "./signing.ts";
 * const who = (s: EdgeXOrderSigner) => s.address;
 * ```
 */
export interface EdgeXOrderSigner {
  /** The signer key's checksummed address (the `signer` every order signs; not sent). */
  readonly address: `0x${string}`;
  /** The normalized domain. */
  readonly domain: EdgeXEip712Domain;
  /**
   * Computes the fields ({@linkcode buildEdgeXOrderFields}) and signs them.
   *
   * @param order The order.
   * @param market The market's ids, resolutions and fee rates.
   * @param options Clock for the default expiry.
   * @returns The signed body fields.
   * @throws {InvalidOrderError} See {@linkcode buildEdgeXOrderFields}.
   * @throws {ConfigurationError} See {@linkcode buildEdgeXOrderFields}.
   * @throws {TypeError} See {@linkcode buildEdgeXOrderFields}.
   * @throws {RangeError} See {@linkcode buildEdgeXOrderFields}.
   */
  signOrder(
    order: EdgeXOrderInput,
    market: EdgeXOrderMarket,
    options?: BuildEdgeXOrderFieldsOptions,
  ): Promise<EdgeXSignedOrderFields>;
  /**
   * Signs fields computed earlier (or adjusted, e.g. a replayed nonce).
   *
   * @param fields The fields.
   * @returns The signed body fields.
   * @throws {RangeError} If a field does not fit its Solidity type.
   * @throws {TypeError} If the side is not `"buy"`/`"sell"`.
   */
  signFields(fields: EdgeXOrderFields): Promise<EdgeXSignedOrderFields>;
}

/**
 * Creates an order signer. The key is registered with `registerSecret` (so it is masked in every
 * error and log line) and kept in a closure, never on the returned object. The viem account
 * (for the address), the type hashes and the domain separator are computed once; a signature
 * then costs the exact field arithmetic, one sha256, four keccak-256 and one secp256k1 signature
 * (RFC 6979, low-s).
 *
 * @param options The signer key and the domain.
 * @returns The signer.
 * @throws {ConfigurationError} If the key is not a valid secp256k1 key or the domain is invalid.
 *
 * @example
 * ```ts
 * import { createEdgeXOrderSigner } from "./signing.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const signer = createEdgeXOrderSigner({
 *   privateKey: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
 *   domain: { chainId: "33431", verifyingContract: "0x1ae109ea449cfe0bed08bfe8911e968a49a919b1" },
 * });
 * deepEqual(signer.address, "0xFCAd0B19bB29D4674531d6f115237E16AfCE377c");
 * ```
 */
export function createEdgeXOrderSigner(options: EdgeXOrderSignerOptions): EdgeXOrderSigner {
  const raw = options?.privateKey;
  const trimmed = typeof raw === "string" ? raw.trim() : "";
  registerSecret(trimmed);
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(trimmed)) {
    throw new ConfigurationError(
      "EdgeX signer key must be 32 bytes as 64 hex digits (with or without 0x)",
      { venue: VENUE },
    );
  }
  const privateKey = (trimmed.startsWith("0x") ? trimmed : `0x${trimmed}`)
    .toLowerCase() as `0x${string}`;
  registerSecret(privateKey);
  let address: `0x${string}`;
  try {
    address = privateKeyToAccount(privateKey).address;
  } catch (cause) {
    throw new ConfigurationError("EdgeX signer key is not a valid secp256k1 key", {
      venue: VENUE,
      cause,
    });
  }
  const domain = edgeXDomain(options.domain);
  const ds = cachedSeparator(domain);
  const signerWord = addressBytes(address);

  async function signFields(fields: EdgeXOrderFields): Promise<EdgeXSignedOrderFields> {
    const hash = toHex(orderDigest(fields, signerWord, ds));
    const l2Signature = await sign({ hash, privateKey, to: "hex" });
    return {
      clientOrderId: fields.clientOrderId,
      expireTime: String(fields.expireTime),
      l2Nonce: String(fields.nonce),
      l2Value: fields.l2Value,
      l2Size: fields.l2Size,
      l2LimitFee: fields.l2LimitFee,
      l2ExpireTime: String(fields.l2ExpireTime),
      l2Signature,
    };
  }

  return Object.freeze({
    address,
    domain,
    signFields,
    signOrder(
      order: EdgeXOrderInput,
      market: EdgeXOrderMarket,
      buildOptions?: BuildEdgeXOrderFieldsOptions,
    ): Promise<EdgeXSignedOrderFields> {
      try {
        return signFields(buildEdgeXOrderFields(order, market, buildOptions));
      } catch (error) {
        return Promise.reject(error);
      }
    },
  });
}
