/**
 * The replica's check of a Hyperliquid L1 action signature, rebuilt from the venue's published
 * rules (the official Python SDK's `hyperliquid/utils/signing.py`, 0.23.0) with other code than
 * the client's: `@msgpack/msgpack` for the encoding, viem's `keccak256` and
 * `recoverTypedDataAddress` for the hash and the recovery.
 *
 * - The action is first put in the venue's canonical field order (the server hashes its own
 *   typed copy of the action, not the client's JSON text): `order` → `type, orders[{a, b, p, s,
 *   r, t, c?}], grouping`; `cancel` → `type, cancels[{a, o}]`; `cancelByCloid` → `type,
 *   cancels[{asset, cloid}]`; `updateLeverage` → `type, asset, isCross, leverage`;
 *   `scheduleCancel` → `type, time?`. Other action types are hashed as sent.
 * - `connectionId = keccak256(msgpack(action) ‖ nonce (8 bytes, big-endian) ‖ 0x00 | 0x01 ‖
 *   vault address (20 bytes))`.
 * - EIP-712 domain `{name: "Exchange", version: "1", chainId: 1337, verifyingContract: 0x0…0}`,
 *   type `Agent(string source, bytes32 connectionId)`, `source` `"a"` on mainnet and `"b"`
 *   elsewhere.
 * - The signature travels as `{r, s, v}`, `r` and `s` as hex integers without leading zeros.
 *
 * @module
 */
import { encode } from "@msgpack/msgpack";
import { type Hex, keccak256, recoverTypedDataAddress } from "viem";

/**
 * A JSON object as the venue receives it (an action, an order, a cancel).
 *
 * @example
 * ```ts
 * import type { JsonObject } from "./action_signature.ts";
 * const action: JsonObject = { type: "scheduleCancel" };
 * ```
 */
export type JsonObject = Record<string, unknown>;
type Json = JsonObject;

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** The EIP-712 domain of L1 actions. */
const EXCHANGE_DOMAIN = {
  name: "Exchange",
  version: "1",
  chainId: 1337,
  verifyingContract: ZERO_ADDRESS,
} as const;

const AGENT_TYPES = {
  Agent: [
    { name: "source", type: "string" },
    { name: "connectionId", type: "bytes32" },
  ],
} as const;

function orderedOrder(o: Json): Json {
  const out: Json = { a: o.a, b: o.b, p: o.p, s: o.s, r: o.r, t: orderedType(o.t) };
  if (o.c !== undefined && o.c !== null) out.c = o.c;
  return out;
}

function orderedType(t: unknown): unknown {
  if (t === null || typeof t !== "object") return t;
  const v = t as Json;
  if (v.limit !== undefined) return { limit: { tif: (v.limit as Json)?.tif } };
  if (v.trigger !== undefined) {
    const g = v.trigger as Json;
    return { trigger: { isMarket: g?.isMarket, triggerPx: g?.triggerPx, tpsl: g?.tpsl } };
  }
  return t;
}

const list = (v: unknown): Json[] => (Array.isArray(v) ? v as Json[] : []);

/**
 * An action in the venue's canonical field order (what the server hashes).
 *
 * @example Key order of the client's JSON does not matter
 * ```ts
 * import { canonicalAction } from "./action_signature.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const a = canonicalAction({ grouping: "na", orders: [], type: "order" });
 * equal(JSON.stringify(a), '{"type":"order","orders":[],"grouping":"na"}');
 * ```
 *
 * @param action The action as received.
 * @returns The action with its fields in canonical order.
 */
export function canonicalAction(action: JsonObject): JsonObject {
  switch (action.type) {
    case "order": {
      const out: Json = {
        type: "order",
        orders: list(action.orders).map(orderedOrder),
        grouping: action.grouping,
      };
      if (action.builder !== undefined) out.builder = action.builder;
      return out;
    }
    case "cancel":
      return { type: "cancel", cancels: list(action.cancels).map((c) => ({ a: c.a, o: c.o })) };
    case "cancelByCloid":
      return {
        type: "cancelByCloid",
        cancels: list(action.cancels).map((c) => ({ asset: c.asset, cloid: c.cloid })),
      };
    case "updateLeverage":
      return {
        type: "updateLeverage",
        asset: action.asset,
        isCross: action.isCross,
        leverage: action.leverage,
      };
    case "scheduleCancel":
      return action.time === undefined
        ? { type: "scheduleCancel" }
        : { type: "scheduleCancel", time: action.time };
    default:
      return action;
  }
}

function hexBytes(hex: string): Uint8Array {
  const h = hex.slice(2);
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * The `connectionId` of an action: keccak of its MessagePack bytes, the nonce and the vault flag.
 *
 * @example The SDK's production vector
 * ```ts
 * import { connectionId } from "./action_signature.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const action = {
 *   type: "order",
 *   orders: [{ a: 4, b: true, p: "1670.1", s: "0.0147", r: false, t: { limit: { tif: "Ioc" } } }],
 *   grouping: "na",
 * };
 * equal(
 *   connectionId(action, 1677777606040, null),
 *   "0x0fcbeda5ae3c4950a548021552a4fea2226858c4453571bf3f24ba017eac2908",
 * );
 * ```
 *
 * @param action The action (canonicalized first).
 * @param nonce The nonce.
 * @param vaultAddress The vault acted for, or null.
 * @returns 32 bytes as hex.
 */
export function connectionId(
  action: JsonObject,
  nonce: number,
  vaultAddress: string | null,
): `0x${string}` {
  const packed = encode(canonicalAction(action));
  const vault = vaultAddress === null ? new Uint8Array([0]) : new Uint8Array([
    1,
    ...hexBytes(vaultAddress.toLowerCase()),
  ]);
  const bytes = new Uint8Array(packed.length + 8 + vault.length);
  bytes.set(packed);
  new DataView(bytes.buffer).setBigUint64(packed.length, BigInt(nonce));
  bytes.set(vault, packed.length + 8);
  return keccak256(bytes);
}

/** A signature as the venue takes it. */
export interface WireSignature {
  /** Hex integer. */
  r: string;
  /** Hex integer. */
  s: string;
  /** 27 or 28. */
  v: number;
}

const HEX_INT = /^0x[0-9a-fA-F]{1,64}$/;

/**
 * The address an L1 action was signed by, or `undefined` when the signature is not well formed
 * or recovers to nothing.
 *
 * @example A testnet order of the SDK's test key
 * ```ts
 * import { recoverActionSigner } from "./action_signature.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const action = {
 *   type: "order",
 *   orders: [{ a: 1, b: true, p: "100", s: "100", r: false, t: { limit: { tif: "Gtc" } } }],
 *   grouping: "na",
 * };
 * const who = await recoverActionSigner(action, 0, null, {
 *   r: "0x82b2ba28e76b3d761093aaded1b1cdad4960b3af30212b343fb2e6cdfa4e3d54",
 *   s: "0x6b53878fc99d26047f4d7e8c90eb98955a109f44209163f52d8dc4278cbbd9f5",
 *   v: 27,
 * }, false);
 * equal(who, "0x14791697260e4c9a71f18484c9f997b308e59325");
 * ```
 *
 * @param action The action as received.
 * @param nonce Its nonce.
 * @param vaultAddress Vault or null.
 * @param signature `{r, s, v}`.
 * @param mainnet Source `"a"` (mainnet) or `"b"`.
 * @returns The lower-case address, or undefined.
 */
export async function recoverActionSigner(
  action: JsonObject,
  nonce: number,
  vaultAddress: string | null,
  signature: WireSignature,
  mainnet: boolean,
): Promise<string | undefined> {
  const { r, s, v } = signature ?? {};
  if (
    typeof r !== "string" || typeof s !== "string" || !HEX_INT.test(r) || !HEX_INT.test(s) ||
    (v !== 27 && v !== 28)
  ) return undefined;
  try {
    const address = await recoverTypedDataAddress({
      domain: EXCHANGE_DOMAIN,
      types: AGENT_TYPES,
      primaryType: "Agent",
      message: {
        source: mainnet ? "a" : "b",
        connectionId: connectionId(action, nonce, vaultAddress),
      },
      signature: `0x${r.slice(2).padStart(64, "0")}${s.slice(2).padStart(64, "0")}${
        v.toString(16)
      }` as Hex,
    });
    return address.toLowerCase();
  } catch {
    return undefined;
  }
}
