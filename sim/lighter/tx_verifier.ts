/**
 * The replica's transaction check: parses a `tx_info` as the venue would, rebuilds the hash
 * preimage from the notes (lighter.md §5.4–5.5) with its own field table — not the client's
 * encoder, so a bug there cannot hide behind the same bug here — hashes it with the Poseidon2
 * primitive (which has its own reference vectors) and verifies `Sig` with the Schnorr
 * verifier against the registered API public key.
 *
 * @module
 */
import { hashToQuinticExtension } from "../../crypto/ecgfp5/_poseidon2.ts";
import { verify } from "../../crypto/ecgfp5/verify.ts";

/** Goldilocks prime. */
const P = 0xffffffff00000001n;

/**
 * Body fields after the common prefix `[chainId, txType, nonce, expiredAt, accountIndex,
 * apiKeyIndex]`, per transaction type (lighter.md §5.4 table).
 */
export const LIGHTER_TX_BODIES: Readonly<Record<number, readonly string[]>> = Object.freeze({
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
});

/** Nil value of each L2TxAttributes type (§5.5): 255 for CancelAllMarketIndex, else 0. */
const ATTRIBUTE_NIL: Readonly<Record<number, bigint>> = {
  1: 0n,
  2: 0n,
  3: 0n,
  4: 0n,
  5: 255n,
  6: 0n,
  7: 0n,
};

/**
 * A parsed transaction.
 *
 * @example
 * ```ts
 * import type { ParsedTx } from "./tx_verifier.ts";
 * const who = (tx: ParsedTx) => `${tx.accountIndex}/${tx.apiKeyIndex}#${tx.nonce}`;
 * ```
 */
export interface ParsedTx {
  /** Transaction type. */
  txType: number;
  /** Account index. */
  accountIndex: number;
  /** API key index. */
  apiKeyIndex: number;
  /** Nonce. */
  nonce: number;
  /** Validity deadline, ms. */
  expiredAt: number;
  /** Body fields by name (booleans as 0/1). */
  fields: Record<string, number>;
  /** Attributes that differ from their nil value. */
  attributes: Map<number, bigint>;
  /** The 80-byte signature, or `undefined` when `Sig` is missing or not base64 of 80 bytes. */
  signature: Uint8Array | undefined;
}

/**
 * Why a `tx_info` was refused.
 *
 * @example
 * ```ts
 * import { TxInfoError } from "./tx_verifier.ts";
 * const e = new TxInfoError("missing field 'Nonce'");
 * ```
 */
export class TxInfoError extends Error {
  /**
   * Creates the error.
   *
   * @param message What is wrong.
   */
  constructor(message: string) {
    super(message);
    this.name = "TxInfoError";
  }
}

function integer(v: unknown, name: string): number {
  if (v === true) return 1;
  if (v === false) return 0;
  if (typeof v !== "number" || !Number.isSafeInteger(v)) {
    throw new TxInfoError(`field '${name}' must be an integer: got ${JSON.stringify(v)}`);
  }
  return v;
}

function base64Bytes(text: unknown): Uint8Array | undefined {
  if (typeof text !== "string") return undefined;
  try {
    const bin = atob(text);
    const out = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return out.length === 80 ? out : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses a `tx_info` (a JSON string as in `sendTx`, or the object of WebSocket `jsonapi/sendtx`).
 *
 * @param txType The transaction type.
 * @param txInfo The `tx_info`.
 * @returns The transaction.
 * @throws {TxInfoError} For unsupported types, bad JSON or missing / non-integer fields.
 *
 * @example
 * ```ts
 * import { parseTxInfo } from "./tx_verifier.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const tx = parseTxInfo(15, '{"AccountIndex":1,"ApiKeyIndex":2,"MarketIndex":0,"Index":7,"ExpiredAt":5,"Nonce":3,"Sig":"","L2TxAttributes":null}');
 * equal(tx.fields.Index, 7);
 * ```
 */
export function parseTxInfo(txType: number, txInfo: string | Record<string, unknown>): ParsedTx {
  const body = LIGHTER_TX_BODIES[txType];
  if (!body) throw new TxInfoError(`unsupported tx type ${txType}`);
  let o: Record<string, unknown>;
  try {
    o = typeof txInfo === "string" ? JSON.parse(txInfo) : txInfo;
  } catch {
    throw new TxInfoError("tx_info is not JSON");
  }
  if (typeof o !== "object" || o === null || Array.isArray(o)) {
    throw new TxInfoError("tx_info is not an object");
  }
  const fields: Record<string, number> = {};
  for (const name of body) fields[name] = integer(o[name], name);
  const attributes = new Map<number, bigint>();
  const raw = o.L2TxAttributes;
  if (raw !== null && raw !== undefined) {
    if (typeof raw !== "object" || Array.isArray(raw)) {
      throw new TxInfoError("L2TxAttributes must be an object or null");
    }
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      const type = Number(k);
      const nil = ATTRIBUTE_NIL[type];
      if (nil === undefined) throw new TxInfoError(`unknown attribute ${k}`);
      const value = BigInt(integer(v, `L2TxAttributes.${k}`));
      // Older signers send every attribute with its nil value; those are not hashed.
      if (value !== nil) attributes.set(type, value);
    }
    if (attributes.size > 4) throw new TxInfoError("more than 4 attributes");
  }
  return {
    txType,
    accountIndex: integer(o.AccountIndex, "AccountIndex"),
    apiKeyIndex: integer(o.ApiKeyIndex, "ApiKeyIndex"),
    nonce: integer(o.Nonce, "Nonce"),
    expiredAt: integer(o.ExpiredAt, "ExpiredAt"),
    fields,
    attributes,
    signature: base64Bytes(o.Sig),
  };
}

/** Writes field elements as the (lo, hi) 32-bit halves the Poseidon2 sponge reads. */
function elements(values: readonly bigint[]): Float64Array {
  const out = new Float64Array(2 * values.length);
  values.forEach((v, i) => {
    const x = ((v % P) + P) % P;
    out[2 * i] = Number(x & 0xffffffffn);
    out[2 * i + 1] = Number(x >> 32n);
  });
  return out;
}

/** An Fp5 element (halves) → 40 bytes, each limb 8 bytes little-endian. */
function toBytes(h: Float64Array): Uint8Array {
  const out = new Uint8Array(40);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 5; i++) {
    view.setUint32(8 * i, h[2 * i], true);
    view.setUint32(8 * i + 4, h[2 * i + 1], true);
  }
  return out;
}

/**
 * The transaction hash as the venue reports it (80 lowercase hex digits).
 *
 * @param chainId The chain id.
 * @param tx The transaction.
 * @returns The hash.
 *
 * @example
 * ```ts
 * import { lighterTxHash, parseTxInfo } from "./tx_verifier.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const tx = parseTxInfo(14, '{"AccountIndex":12345,"ApiKeyIndex":5,"MarketIndex":0,"ClientOrderIndex":123,"BaseAmount":1000,"Price":405000,"IsAsk":1,"Type":0,"TimeInForce":1,"ReduceOnly":0,"TriggerPrice":0,"OrderExpiry":1735689600000,"ExpiredAt":1783955882578,"Nonce":0,"Sig":"","L2TxAttributes":null}');
 * equal(lighterTxHash(300, tx).slice(0, 8), "49c80b61");
 * ```
 */
export function lighterTxHash(chainId: number, tx: ParsedTx): string {
  return hex(hashBytes(chainId, tx));
}

function hashBytes(chainId: number, tx: ParsedTx): Uint8Array {
  const pre = [
    BigInt(chainId),
    BigInt(tx.txType),
    BigInt(tx.nonce),
    BigInt(tx.expiredAt),
    BigInt(tx.accountIndex),
    BigInt(tx.apiKeyIndex),
    ...LIGHTER_TX_BODIES[tx.txType].map((n) => BigInt(tx.fields[n])),
  ];
  const body = hashToQuinticExtension(elements(pre));
  if (tx.attributes.size === 0) return toBytes(body);
  const pairs: bigint[] = [];
  for (const t of [...tx.attributes.keys()].sort((a, b) => a - b)) {
    pairs.push(BigInt(t), tx.attributes.get(t)!);
  }
  while (pairs.length < 8) pairs.push(0n);
  const attr = hashToQuinticExtension(elements(pairs));
  const both = new Float64Array(20);
  both.set(body, 0);
  both.set(attr, 10);
  return toBytes(hashToQuinticExtension(both));
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Whether the transaction's `Sig` is a valid signature of its hash under the public key.
 *
 * @param chainId The chain id.
 * @param tx The transaction.
 * @param publicKey The registered API public key (80 hex digits).
 * @returns The verdict.
 *
 * @example
 * ```ts
 * import { parseTxInfo, verifyTx } from "./tx_verifier.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const tx = parseTxInfo(15, '{"AccountIndex":1,"ApiKeyIndex":2,"MarketIndex":0,"Index":7,"ExpiredAt":5,"Nonce":3,"Sig":"","L2TxAttributes":null}');
 * equal(verifyTx(304, tx, "00".repeat(40)), false); // no signature
 * ```
 */
export function verifyTx(chainId: number, tx: ParsedTx, publicKey: string): boolean {
  if (!tx.signature) return false;
  return verify(publicKey, hashBytes(chainId, tx), tx.signature);
}
