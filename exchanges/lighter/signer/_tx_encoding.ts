/**
 * Transaction encoding: validation (mirrors LG `types/txtypes/*.go` `Validate`), the hash
 * preimage, L2TxAttributes, the final hash and the `tx_info` JSON (lighter.md §5.4, §5.5,
 * §5.9). One table of body fields per type drives hashing, JSON and parsing, so the three
 * cannot disagree on field order.
 *
 * @module
 */
import { ConfigurationError, InvalidOrderError } from "../../../core/errors.ts";
import { type Fp5, fp5 } from "../../../crypto/ecgfp5/_fp5.ts";
import { halvesOf, TWO32 } from "../../../crypto/ecgfp5/_goldilocks.ts";
import { hashToQuinticExtension } from "../../../crypto/ecgfp5/_poseidon2.ts";
import type {
  CancelAllOrdersParams,
  CancelOrderParams,
  CreateOrderParams,
  IntegratorFeeAttributes,
  LighterTxType,
  ModifyOrderParams,
  SelfTradeAttributes,
  TxInteger,
  UpdateLeverageParams,
} from "./transactions.ts";

/** Body fields after the common prefix, in hash and JSON order, per transaction type. */
export const TX_BODY_FIELDS: Readonly<Record<LighterTxType, readonly string[]>> = {
  14: [
    "MarketIndex",
    "ClientOrderIndex",
    "BaseAmount",
    "Price",
    "IsAsk",
    "Type",
    "TimeInForce",
    "ReduceOnly",
    "TriggerPrice",
    "OrderExpiry",
  ],
  15: ["MarketIndex", "Index"],
  16: ["TimeInForce", "Time"],
  17: ["MarketIndex", "Index", "BaseAmount", "Price", "TriggerPrice"],
  20: ["MarketIndex", "InitialMarginFraction", "MarginMode"],
  45: [
    "IntegratorAccountIndex",
    "MaxPerpsTakerFee",
    "MaxPerpsMakerFee",
    "MaxSpotTakerFee",
    "MaxSpotMakerFee",
    "ApprovalExpiry",
  ],
};

const TX_NAMES: Readonly<Record<LighterTxType, string>> = {
  14: "order",
  15: "cancel",
  16: "cancel-all",
  17: "order modification",
  20: "leverage update",
  45: "integrator approval",
};

/** The signing context common to every transaction. */
export interface Envelope {
  /** Lighter chain id (304 mainnet, 300 testnet). */
  chainId: number;
  /** Account index. */
  accountIndex: TxInteger;
  /** API key index. */
  apiKeyIndex: number;
  /** Nonce. */
  nonce: TxInteger;
  /** Validity deadline, ms. */
  expiredAt: TxInteger;
}

/** A validated transaction, ready to hash and serialize. */
export interface EncodedTx {
  /** Type code. */
  txType: LighterTxType;
  /** Envelope. */
  env: Envelope;
  /** Body values in {@linkcode TX_BODY_FIELDS} order. */
  body: TxInteger[];
  /** Non-nil attributes as `[type, value]`, ascending by type. */
  attributes: [number, number][];
}

const MAX_48 = 2 ** 48 - 1;
const MAX_ACCOUNT = 2 ** 48 - 2;
const MAX_U32 = 2 ** 32 - 1;
const MAX_ORDER_INDEX = (1n << 60n) - 1n;
const MAX_INT64 = (1n << 63n) - 1n;

function fail(txType: LighterTxType, name: string, rule: string, value: unknown): never {
  const message = `Cannot sign ${
    TX_NAMES[txType]
  } on lighter as '${name}' must be ${rule}: current value is ${String(value)}`;
  if (name === "price") throw new InvalidOrderError("invalid_price", { venue: "lighter", message });
  if (name === "baseAmount") {
    throw new InvalidOrderError("invalid_size", { venue: "lighter", message });
  }
  throw new ConfigurationError(message, { venue: "lighter" });
}

function inRange(v: unknown, min: number | bigint, max: number | bigint): boolean {
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= min && v <= max;
  return typeof v === "bigint" && v >= BigInt(min) && v <= BigInt(max);
}

function check(
  txType: LighterTxType,
  name: string,
  v: unknown,
  min: number | bigint,
  max: number | bigint,
): TxInteger {
  if (!inRange(v, min, max)) fail(txType, name, `an integer in [${min}, ${max}]`, v);
  return v as TxInteger;
}

function isZero(v: TxInteger): boolean {
  return v === 0 || v === 0n;
}

function checkMarket(txType: LighterTxType, v: unknown): number {
  if (!(inRange(v, 0, 254) || inRange(v, 2048, 4094))) {
    fail(txType, "marketIndex", "a perps market (0–254) or a spot market (2048–4094)", v);
  }
  return v as number;
}

function checkBool(txType: LighterTxType, name: string, v: unknown): number {
  if (v === undefined || v === false) return 0;
  if (v === true) return 1;
  return fail(txType, name, "a boolean", v);
}

/**
 * Validates the envelope fields.
 *
 * @param txType The transaction type (for messages).
 * @param env The envelope.
 */
export function checkEnvelope(txType: LighterTxType, env: Envelope): void {
  check(txType, "chainId", env.chainId, 0, MAX_U32);
  if (env.accountIndex === 0) {
    // Account 0 is the venue's treasury; the official signer refuses to sign for it.
    fail(
      txType,
      "accountIndex",
      "your own account's index, not 0 (the venue's treasury account)",
      0,
    );
  }
  check(txType, "accountIndex", env.accountIndex, 1, MAX_ACCOUNT);
  check(txType, "apiKeyIndex", env.apiKeyIndex, 0, 254);
  check(txType, "nonce", env.nonce, 0, MAX_INT64);
  check(txType, "expiredAt", env.expiredAt, 0, MAX_48);
}

/** Builds and validates the attribute list (LG `tx_attributes.go` `Validate`). */
function attributesOf(
  txType: LighterTxType,
  fees: IntegratorFeeAttributes,
  selfTrade: SelfTradeAttributes,
  skipNonce: boolean | undefined,
  cancelAllMarket?: number,
): [number, number][] {
  const out: [number, number][] = [];
  const integrator = fees.integratorAccountIndex ?? 0;
  const taker = fees.integratorTakerFee ?? 0;
  const maker = fees.integratorMakerFee ?? 0;
  check(txType, "integratorAccountIndex", integrator, 0, MAX_ACCOUNT);
  check(txType, "integratorTakerFee", taker, 0, 1_000_000);
  check(txType, "integratorMakerFee", maker, 0, 1_000_000);
  if (integrator !== 0) out.push([1, integrator]);
  if (taker !== 0) out.push([2, taker]);
  if (maker !== 0) out.push([3, maker]);
  if ((taker !== 0 || maker !== 0) && integrator === 0) {
    fail(txType, "integratorAccountIndex", "set when an integrator fee is set", integrator);
  }
  if (checkBool(txType, "skipNonce", skipNonce) === 1) out.push([4, 1]);
  if (cancelAllMarket !== undefined) {
    check(txType, "marketIndex", cancelAllMarket, 0, 255);
    if (cancelAllMarket !== 255) out.push([5, cancelAllMarket]);
  }
  const behavior = selfTrade.selfTradeBehaviorMode ?? 0;
  const equality = selfTrade.selfTradeEqualityMode ?? 0;
  check(txType, "selfTradeBehaviorMode", behavior, 0, 3);
  check(txType, "selfTradeEqualityMode", equality, 0, 1);
  if (behavior !== 0) out.push([6, behavior]);
  if (equality !== 0) out.push([7, equality]);
  if ((behavior !== 0 || equality !== 0) && (taker !== 0 || maker !== 0)) {
    fail(txType, "selfTradeBehaviorMode", "unset when an integrator fee is set", behavior);
  }
  if (behavior === 3 && equality === 1) {
    fail(txType, "selfTradeBehaviorMode", "other than 3 (reduce) with equality mode 1", behavior);
  }
  if (out.length > 4) fail(txType, "attributes", "at most 4 non-default attributes", out.length);
  return out;
}

const NO_ATTRIBUTES: IntegratorFeeAttributes & SelfTradeAttributes = {};

/**
 * Validates and encodes a `CreateOrder`.
 *
 * @param p Order parameters.
 * @param env Envelope.
 * @param skipNonce Whether to set attribute 4.
 * @returns The encoded transaction.
 */
export function encodeCreateOrder(
  p: CreateOrderParams,
  env: Envelope,
  skipNonce?: boolean,
): EncodedTx {
  const t = 14;
  checkEnvelope(t, env);
  const market = checkMarket(t, p.marketIndex);
  const isSpot = market >= 2048;
  const coi = check(t, "clientOrderIndex", p.clientOrderIndex, 0, MAX_48);
  const reduceOnly = checkBool(t, "reduceOnly", p.reduceOnly);
  if (reduceOnly === 1 && isSpot) fail(t, "reduceOnly", "false on a spot market", true);
  const base = check(t, "baseAmount", p.baseAmount, reduceOnly === 1 ? 0 : 1, MAX_48);
  const price = check(t, "price", p.price, 1, MAX_U32);
  const isAsk = checkBool(t, "isAsk", p.isAsk);
  const type = check(t, "type", p.type, 0, 6) as number;
  const tif = check(t, "timeInForce", p.timeInForce, 0, 2) as number;
  const trigger = check(t, "triggerPrice", p.triggerPrice ?? 0, 0, MAX_U32) as number;
  const expiry = check(t, "orderExpiry", p.orderExpiry ?? 0, 0, MAX_INT64);
  const noExpiry = isZero(expiry);
  const rule = (ok: boolean, name: string, what: string, v: unknown) => {
    if (!ok) fail(t, name, `${what} for order type ${type}`, v);
  };
  switch (type) {
    case 1: // market
      rule(tif === 0, "timeInForce", "0 (IOC)", tif);
      rule(noExpiry, "orderExpiry", "0", expiry);
      rule(trigger === 0, "triggerPrice", "0", trigger);
      break;
    case 0: // limit
      rule(trigger === 0, "triggerPrice", "0", trigger);
      rule(
        tif === 0 ? noExpiry : !noExpiry,
        "orderExpiry",
        tif === 0 ? "0 with IOC" : "set",
        expiry,
      );
      break;
    case 2:
    case 4: // stop-loss / take-profit (market)
      rule(!isSpot, "marketIndex", "a perps market", market);
      rule(tif === 0, "timeInForce", "0 (IOC)", tif);
      rule(trigger !== 0, "triggerPrice", "set", trigger);
      rule(!noExpiry, "orderExpiry", "set", expiry);
      break;
    case 3:
    case 5: // stop-loss / take-profit limit
      rule(!isSpot, "marketIndex", "a perps market", market);
      rule(trigger !== 0, "triggerPrice", "set", trigger);
      rule(!noExpiry, "orderExpiry", "set", expiry);
      break;
    case 6: // TWAP
      rule(tif === 1, "timeInForce", "1 (GTT)", tif);
      rule(trigger === 0, "triggerPrice", "0", trigger);
      rule(!noExpiry, "orderExpiry", "set", expiry);
      break;
  }
  return {
    txType: t,
    env,
    body: [market, coi, base, price, isAsk, type, tif, reduceOnly, trigger, expiry],
    attributes: attributesOf(t, p, p, skipNonce),
  };
}

/**
 * Validates and encodes a `CancelOrder`.
 *
 * @param p Cancel parameters.
 * @param env Envelope.
 * @param skipNonce Whether to set attribute 4.
 * @returns The encoded transaction.
 */
export function encodeCancelOrder(
  p: CancelOrderParams,
  env: Envelope,
  skipNonce?: boolean,
): EncodedTx {
  const t = 15;
  checkEnvelope(t, env);
  const market = checkMarket(t, p.marketIndex);
  const index = check(t, "index", p.index, 1, MAX_ORDER_INDEX);
  return {
    txType: t,
    env,
    body: [market, index],
    attributes: attributesOf(t, NO_ATTRIBUTES, NO_ATTRIBUTES, skipNonce),
  };
}

/**
 * Validates and encodes a `CancelAllOrders`.
 *
 * @param p Cancel-all parameters.
 * @param env Envelope.
 * @param skipNonce Whether to set attribute 4.
 * @returns The encoded transaction.
 */
export function encodeCancelAllOrders(
  p: CancelAllOrdersParams,
  env: Envelope,
  skipNonce?: boolean,
): EncodedTx {
  const t = 16;
  checkEnvelope(t, env);
  const mode = check(t, "timeInForce", p.timeInForce, 0, 2) as number;
  const time = check(t, "time", p.time ?? 0, 0, MAX_INT64);
  if (mode === 1) check(t, "time", time, 1, MAX_INT64);
  else if (!isZero(time)) fail(t, "time", "0 unless the cancel is scheduled", time);
  if (p.marketIndex !== undefined && p.marketIndex !== 255) {
    if (mode !== 0) fail(t, "marketIndex", "unset for a scheduled cancel", p.marketIndex);
    checkMarket(t, p.marketIndex);
  }
  return {
    txType: t,
    env,
    body: [mode, time],
    attributes: attributesOf(t, NO_ATTRIBUTES, NO_ATTRIBUTES, skipNonce, p.marketIndex),
  };
}

/**
 * Validates and encodes a `ModifyOrder`.
 *
 * @param p Modification parameters.
 * @param env Envelope.
 * @param skipNonce Whether to set attribute 4.
 * @returns The encoded transaction.
 */
export function encodeModifyOrder(
  p: ModifyOrderParams,
  env: Envelope,
  skipNonce?: boolean,
): EncodedTx {
  const t = 17;
  checkEnvelope(t, env);
  const market = checkMarket(t, p.marketIndex);
  const index = check(t, "index", p.index, 1, MAX_ORDER_INDEX);
  const base = check(t, "baseAmount", p.baseAmount, 0, MAX_48);
  const price = check(t, "price", p.price, 1, MAX_U32);
  const trigger = check(t, "triggerPrice", p.triggerPrice ?? 0, 0, MAX_U32);
  return {
    txType: t,
    env,
    body: [market, index, base, price, trigger],
    attributes: attributesOf(t, p, p, skipNonce),
  };
}

/**
 * Validates and encodes an `UpdateLeverage`.
 *
 * @param p Leverage parameters.
 * @param env Envelope.
 * @param skipNonce Whether to set attribute 4.
 * @returns The encoded transaction.
 */
export function encodeUpdateLeverage(
  p: UpdateLeverageParams,
  env: Envelope,
  skipNonce?: boolean,
): EncodedTx {
  const t = 20;
  checkEnvelope(t, env);
  const market = checkMarket(t, p.marketIndex);
  const imf = check(t, "initialMarginFraction", p.initialMarginFraction, 1, 10_000);
  const mode = check(t, "marginMode", p.marginMode, 0, 1);
  return {
    txType: t,
    env,
    body: [market, imf, mode],
    attributes: attributesOf(t, NO_ATTRIBUTES, NO_ATTRIBUTES, skipNonce),
  };
}

/** `ApproveIntegrator` (type 45) fields; signed by the API key and, in `L1Sig`, by the owner. */
export interface ApproveIntegratorFields {
  /** Integrator account. */
  integratorAccountIndex: number;
  /** Fee caps in 1e-6 units. */
  maxPerpsTakerFee: number;
  /** Fee caps in 1e-6 units. */
  maxPerpsMakerFee: number;
  /** Fee caps in 1e-6 units. */
  maxSpotTakerFee: number;
  /** Fee caps in 1e-6 units. */
  maxSpotMakerFee: number;
  /** Approval expiry, ms. */
  approvalExpiry: TxInteger;
}

/**
 * Validates and encodes an `ApproveIntegrator` (hash and JSON only; its `L1Sig` is left empty
 * as the official signer does).
 *
 * @param p Approval fields.
 * @param env Envelope.
 * @param skipNonce Whether to set attribute 4.
 * @returns The encoded transaction.
 */
export function encodeApproveIntegrator(
  p: ApproveIntegratorFields,
  env: Envelope,
  skipNonce?: boolean,
): EncodedTx {
  const t = 45;
  checkEnvelope(t, env);
  return {
    txType: t,
    env,
    body: [
      check(t, "integratorAccountIndex", p.integratorAccountIndex, 0, MAX_ACCOUNT),
      check(t, "maxPerpsTakerFee", p.maxPerpsTakerFee, 0, 1_000_000),
      check(t, "maxPerpsMakerFee", p.maxPerpsMakerFee, 0, 1_000_000),
      check(t, "maxSpotTakerFee", p.maxSpotTakerFee, 0, 1_000_000),
      check(t, "maxSpotMakerFee", p.maxSpotMakerFee, 0, 1_000_000),
      check(t, "approvalExpiry", p.approvalExpiry, 0, MAX_INT64),
    ],
    attributes: attributesOf(t, NO_ATTRIBUTES, NO_ATTRIBUTES, skipNonce),
  };
}

function putInt(buf: Float64Array, i: number, v: TxInteger): void {
  if (typeof v === "number") {
    const hi = Math.floor(v / TWO32);
    buf[2 * i] = v - hi * TWO32;
    buf[2 * i + 1] = hi;
  } else {
    const [lo, hi] = halvesOf(BigInt.asUintN(64, v));
    buf[2 * i] = lo;
    buf[2 * i + 1] = hi;
  }
}

/**
 * The transaction hash: `H(prefix ‖ body)`, combined with the attributes hash when any
 * attribute is set.
 *
 * @param tx The encoded transaction.
 * @returns The hash as a GF(p^5) element.
 */
export function hashTx(tx: EncodedTx): Fp5 {
  const { env, body } = tx;
  const pre = new Float64Array(2 * (6 + body.length));
  putInt(pre, 0, env.chainId);
  putInt(pre, 1, tx.txType);
  putInt(pre, 2, env.nonce);
  putInt(pre, 3, env.expiredAt);
  putInt(pre, 4, env.accountIndex);
  putInt(pre, 5, env.apiKeyIndex);
  for (let i = 0; i < body.length; i++) putInt(pre, 6 + i, body[i]);
  const h = hashToQuinticExtension(pre, fp5());
  if (tx.attributes.length === 0) return h;
  const attr = new Float64Array(16); // (type, value) × 4, zero-padded
  tx.attributes.forEach(([type, value], i) => {
    putInt(attr, 2 * i, type);
    putInt(attr, 2 * i + 1, value);
  });
  const both = new Float64Array(20);
  both.set(h, 0);
  both.set(hashToQuinticExtension(attr), 10);
  return hashToQuinticExtension(both, h);
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Standard base64 with padding (Go's `[]byte` JSON encoding).
 *
 * @param bytes The bytes.
 * @returns The base64 text.
 */
export function base64(bytes: Uint8Array): string {
  let s = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    s += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
  }
  if (i < bytes.length) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8);
    s += B64[n >> 18] + B64[(n >> 12) & 63] +
      (i + 1 < bytes.length ? B64[(n >> 6) & 63] : "=") + "=";
  }
  return s;
}

/**
 * The `tx_info` JSON: `AccountIndex, ApiKeyIndex, <body>, ExpiredAt, Nonce, Sig,
 * [L1Sig,] L2TxAttributes` (Go struct order, as the official signer emits it).
 *
 * @param tx The encoded transaction.
 * @param sig The 80-byte signature.
 * @returns The JSON text.
 */
export function txInfoJson(tx: EncodedTx, sig: Uint8Array): string {
  const names = TX_BODY_FIELDS[tx.txType];
  let s = `{"AccountIndex":${tx.env.accountIndex},"ApiKeyIndex":${tx.env.apiKeyIndex}`;
  for (let i = 0; i < names.length; i++) s += `,"${names[i]}":${tx.body[i]}`;
  s += `,"ExpiredAt":${tx.env.expiredAt},"Nonce":${tx.env.nonce},"Sig":"${base64(sig)}"`;
  if (tx.txType === 45) s += `,"L1Sig":""`;
  s += `,"L2TxAttributes":`;
  if (tx.attributes.length === 0) return s + "null}";
  return s + "{" + tx.attributes.map(([k, v]) => `"${k}":${v}`).join(",") + "}}";
}
