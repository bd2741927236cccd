/**
 * Hyperliquid request signing: MessagePack action hashing, the L1 "phantom agent" EIP-712
 * signature and user-signed actions.
 *
 * Facts (source: `hyperliquid/utils/signing.py` of the official Python SDK
 * `hyperliquid-dex/hyperliquid-python-sdk` 0.23.0, and its `tests/signing_test.py`):
 * - An L1 action (order, cancel, cancelByCloid, modify, updateLeverage, scheduleCancel, …) is
 *   hashed as `keccak256(msgpack(action) ‖ nonce as 8 bytes big-endian ‖ vault flag)`; the flag
 *   is `0x00`, or `0x01` followed by the 20 bytes of the vault (or sub-account) address; an
 *   `expiresAfter` adds `0x00` and 8 big-endian bytes. MessagePack keeps the action's key order
 *   and packs every integer in its smallest form (Python `msgpack.packb`).
 * - The hash is the `connectionId` of a phantom agent `{source: "a" (mainnet) | "b"
 *   (testnet), connectionId}`, signed as EIP-712 type `Agent(string source,bytes32
 *   connectionId)` in domain `{name: "Exchange", version: "1", chainId: 1337,
 *   verifyingContract: 0x0…0}`.
 * - User-signed actions (usdSend, withdraw3, approveAgent, …) are EIP-712 messages of type
 *   `HyperliquidTransaction:<Name>` in domain `{name: "HyperliquidSignTransaction", version:
 *   "1", chainId: signatureChainId, verifyingContract: 0x0…0}`, with `hyperliquidChain`
 *   `"Mainnet"` or `"Testnet"` and `signatureChainId` `0x66eee` in the SDK.
 * - Signatures travel as `{r, s, v}` with `r` and `s` as hex of the integer (no leading zeros,
 *   Python `to_hex(int)`) and `v` 27 or 28.
 * - Order wire: `{a: asset, b: isBuy, p: price, s: size, r: reduceOnly, t: {limit: {tif}} |
 *   {trigger: {isMarket, triggerPx, tpsl}}, c?: cloid}`; prices and sizes are the shortest
 *   decimal text (`float_to_wire`: at most 8 decimals, trailing zeros removed, "-0" → "0").
 *   Action `{type: "order", orders, grouping: "na"}`.
 *
 * Own code rather than `@nktkas/hyperliquid`: the hashing is a 70-line MessagePack subset over
 * the package's keccak, the signature is viem's `sign` (already a dependency of `./grvt`),
 * so `./hyperliquid` adds no npm package; the SDK would bring its own decimal handling and
 * error types into the module graph.
 *
 * @module
 */
import { sign } from "viem/accounts";
import { privateKeyToAccount } from "viem/accounts";
import { keccak256 } from "../_shared/keccak.ts";
import { ConfigurationError } from "../../core/errors.ts";
import { registerSecret } from "../../core/redact.ts";

/** A value MessagePack can carry in a Hyperliquid action. */
export type MsgpackValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Uint8Array
  | readonly MsgpackValue[]
  | { readonly [key: string]: MsgpackValue | undefined };

const utf8 = new TextEncoder();

/**
 * Encodes a value as MessagePack the way Python's `msgpack.packb` does for actions: integers
 * in their smallest form, strings as `str`, objects as maps in key order (`undefined` members
 * are left out). Non-integer numbers are refused (actions carry decimals as strings).
 *
 * @example
 * ```ts
 * import { encodeMsgpack } from "./signing.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 * deepStrictEqual(encodeMsgpack({ a: 1 }), new Uint8Array([0x81, 0xa1, 0x61, 0x01]));
 * ```
 *
 * @param value The value.
 * @returns The bytes.
 * @throws {TypeError} For a non-integer number or an unsupported value.
 */
export function encodeMsgpack(value: MsgpackValue): Uint8Array {
  const out: number[] = [];
  write(out, value);
  return new Uint8Array(out);
}

function be(out: number[], v: bigint, bytes: number): void {
  for (let i = bytes - 1; i >= 0; i--) out.push(Number((v >> BigInt(8 * i)) & 0xffn));
}

function writeInt(out: number[], n: bigint): void {
  if (n >= 0n) {
    if (n < 128n) out.push(Number(n));
    else if (n < 0x100n) out.push(0xcc, Number(n));
    else if (n < 0x10000n) (out.push(0xcd), be(out, n, 2));
    else if (n < 0x100000000n) (out.push(0xce), be(out, n, 4));
    else if (n < 1n << 64n) (out.push(0xcf), be(out, n, 8));
    else throw new TypeError(`integer ${n} does not fit MessagePack`);
  } else {
    const u = (bits: number) => BigInt.asUintN(bits, n);
    if (n >= -32n) out.push(Number(u(8)));
    else if (n >= -128n) out.push(0xd0, Number(u(8)));
    else if (n >= -32768n) (out.push(0xd1), be(out, u(16), 2));
    else if (n >= -2147483648n) (out.push(0xd2), be(out, u(32), 4));
    else if (n >= -(1n << 63n)) (out.push(0xd3), be(out, u(64), 8));
    else throw new TypeError(`integer ${n} does not fit MessagePack`);
  }
}

function header(out: number[], len: number, fix: [number, number], x16: number, x32: number) {
  if (len < fix[1]) out.push(fix[0] | len);
  else if (len < 0x10000) (out.push(x16), be(out, BigInt(len), 2));
  else (out.push(x32), be(out, BigInt(len), 4));
}

function write(out: number[], v: MsgpackValue): void {
  if (v === null) out.push(0xc0);
  else if (v === false) out.push(0xc2);
  else if (v === true) out.push(0xc3);
  else if (typeof v === "bigint") writeInt(out, v);
  else if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) {
      throw new TypeError(`MessagePack action numbers must be safe integers: got ${v}`);
    }
    writeInt(out, BigInt(v));
  } else if (typeof v === "string") {
    const b = utf8.encode(v);
    if (b.length < 32) out.push(0xa0 | b.length);
    else if (b.length < 0x100) out.push(0xd9, b.length);
    else if (b.length < 0x10000) (out.push(0xda), be(out, BigInt(b.length), 2));
    else (out.push(0xdb), be(out, BigInt(b.length), 4));
    for (const x of b) out.push(x);
  } else if (v instanceof Uint8Array) {
    if (v.length < 0x100) out.push(0xc4, v.length);
    else if (v.length < 0x10000) (out.push(0xc5), be(out, BigInt(v.length), 2));
    else (out.push(0xc6), be(out, BigInt(v.length), 4));
    for (const x of v) out.push(x);
  } else if (Array.isArray(v)) {
    header(out, v.length, [0x90, 16], 0xdc, 0xdd);
    for (const x of v) write(out, x);
  } else if (typeof v === "object") {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    header(out, entries.length, [0x80, 16], 0xde, 0xdf);
    for (const [k, x] of entries) (write(out, k), write(out, x as MsgpackValue));
  } else throw new TypeError(`MessagePack cannot carry ${typeof v}`);
}

function hexToBytes(hex: string): Uint8Array {
  const h = hex.startsWith("0x") ? hex.slice(2) : hex;
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new TypeError(`not hex: ${hex}`);
  const b = new Uint8Array(h.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return b;
}

function toHex(b: Uint8Array): `0x${string}` {
  let s = "0x";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s as `0x${string}`;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), o += p.length);
  return out;
}

function u64(n: number | bigint): Uint8Array {
  const out: number[] = [];
  be(out, BigInt(n), 8);
  return new Uint8Array(out);
}

/**
 * The action hash an L1 action is signed over (the phantom agent's `connectionId`).
 *
 * @example The SDK's production vector
 * ```ts
 * import { actionHash } from "./signing.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const action = {
 *   type: "order",
 *   orders: [{ a: 4, b: true, p: "1670.1", s: "0.0147", r: false, t: { limit: { tif: "Ioc" } } }],
 *   grouping: "na",
 * };
 * equal(
 *   actionHash(action, 1677777606040),
 *   "0x0fcbeda5ae3c4950a548021552a4fea2226858c4453571bf3f24ba017eac2908",
 * );
 * ```
 *
 * @param action The action, keys in wire order.
 * @param nonce The nonce (ms timestamp).
 * @param vaultAddress The vault or sub-account acted for. @default {none}
 * @param expiresAfter Expiry in ms. @default {none}
 * @returns 32 bytes as 0x-hex.
 */
export function actionHash(
  action: MsgpackValue,
  nonce: number | bigint,
  vaultAddress?: string,
  expiresAfter?: number,
): `0x${string}` {
  const parts = [encodeMsgpack(action), u64(nonce)];
  if (vaultAddress === undefined) parts.push(new Uint8Array([0]));
  else parts.push(new Uint8Array([1]), hexToBytes(vaultAddress));
  if (expiresAfter !== undefined) parts.push(new Uint8Array([0]), u64(expiresAfter));
  return toHex(keccak256(concat(parts)));
}

const ZERO_ADDRESS = new Uint8Array(32);
const kk = (s: string) => keccak256(utf8.encode(s));
const word = (n: bigint) => {
  const out: number[] = [];
  be(out, n, 32);
  return new Uint8Array(out);
};
const DOMAIN_TYPE = kk(
  "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)",
);

function domainSeparator(name: string, chainId: bigint): Uint8Array {
  return keccak256(concat([DOMAIN_TYPE, kk(name), kk("1"), word(chainId), ZERO_ADDRESS]));
}

const EXCHANGE_DOMAIN = domainSeparator("Exchange", 1337n);
const AGENT_TYPE = kk("Agent(string source,bytes32 connectionId)");

/**
 * The EIP-712 digest of an L1 action's phantom agent.
 *
 * @example
 * ```ts
 * import { actionHash, phantomAgentDigest } from "./signing.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const digest = phantomAgentDigest(actionHash({ type: "scheduleCancel" }, 0), true);
 * equal(digest.length, 66);
 * ```
 *
 * @param connectionId The action hash.
 * @param mainnet Source `a` (mainnet) or `b` (testnet).
 * @returns 32 bytes as 0x-hex.
 */
export function phantomAgentDigest(connectionId: string, mainnet: boolean): `0x${string}` {
  const struct = keccak256(
    concat([AGENT_TYPE, kk(mainnet ? "a" : "b"), hexToBytes(connectionId)]),
  );
  return toHex(keccak256(concat([new Uint8Array([0x19, 0x01]), EXCHANGE_DOMAIN, struct])));
}

/** A user-signed action's EIP-712 field list, in order. */
export type UserSignedTypes = readonly {
  name: string;
  type: "string" | "uint64" | "bool" | "address";
}[];

/** Field lists of the user-signed actions (SDK `signing.py`). */
export const USER_SIGNED_TYPES = {
  UsdSend: [
    { name: "hyperliquidChain", type: "string" },
    { name: "destination", type: "string" },
    { name: "amount", type: "string" },
    { name: "time", type: "uint64" },
  ],
  Withdraw: [
    { name: "hyperliquidChain", type: "string" },
    { name: "destination", type: "string" },
    { name: "amount", type: "string" },
    { name: "time", type: "uint64" },
  ],
  ApproveAgent: [
    { name: "hyperliquidChain", type: "string" },
    { name: "agentAddress", type: "address" },
    { name: "agentName", type: "string" },
    { name: "nonce", type: "uint64" },
  ],
} as const satisfies Record<string, UserSignedTypes>;

/**
 * The EIP-712 digest of a user-signed action (`HyperliquidTransaction:<name>`).
 *
 * @example
 * ```ts
 * import { USER_SIGNED_TYPES, userSignedDigest } from "./signing.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const d = userSignedDigest("UsdSend", USER_SIGNED_TYPES.UsdSend, {
 *   hyperliquidChain: "Testnet", destination: "0x5e9ee1089755c3435139848e47e6635505d5a13a",
 *   amount: "1", time: 1687816341423,
 * }, 0x66eeen);
 * equal(d.length, 66);
 * ```
 *
 * @param name Type name without the `HyperliquidTransaction:` prefix.
 * @param types Its fields.
 * @param message Field values.
 * @param chainId `signatureChainId`.
 * @returns 32 bytes as 0x-hex.
 */
export function userSignedDigest(
  name: string,
  types: UserSignedTypes,
  message: Record<string, string | number | boolean>,
  chainId: bigint,
): `0x${string}` {
  const typeName = `HyperliquidTransaction:${name}`;
  const typeHash = kk(`${typeName}(${types.map((t) => `${t.type} ${t.name}`).join(",")})`);
  const fields = types.map(({ name: n, type }) => {
    const v = message[n];
    if (type === "string") return kk(String(v));
    if (type === "bool") return word(v ? 1n : 0n);
    if (type === "uint64") return word(BigInt(v as number));
    const a = new Uint8Array(32);
    a.set(hexToBytes(String(v)), 12);
    return a;
  });
  const struct = keccak256(concat([typeHash, ...fields]));
  return toHex(
    keccak256(
      concat([
        new Uint8Array([0x19, 0x01]),
        domainSeparator("HyperliquidSignTransaction", chainId),
        struct,
      ]),
    ),
  );
}

/** A signature as Hyperliquid takes it. */
export interface HyperliquidSignature {
  /** `r` as hex of the integer (no leading zeros). */
  r: string;
  /** `s` as hex of the integer (no leading zeros). */
  s: string;
  /** 27 or 28. */
  v: number;
}

const hexInt = (h: string) => "0x" + BigInt(h).toString(16);

/**
 * Signs a 32-byte digest with a secp256k1 key, in the venue's `{r, s, v}` form.
 *
 * @example
 * ```ts
 * import { signDigest } from "./signing.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const sig = await signDigest(
 *   `0x${"11".repeat(32)}`,
 *   "0x0123456789012345678901234567890123456789012345678901234567890123",
 * );
 * equal(sig.v === 27 || sig.v === 28, true);
 * ```
 *
 * @param digest 0x-hex digest.
 * @param privateKey 0x-hex key.
 * @returns The signature.
 */
export async function signDigest(
  digest: `0x${string}`,
  privateKey: `0x${string}`,
): Promise<HyperliquidSignature> {
  const { r, s, yParity } = await sign({ hash: digest, privateKey, to: "object" });
  return { r: hexInt(r), s: hexInt(s), v: 27 + (yParity ?? 0) };
}

/** Options of {@linkcode createHyperliquidSigner}. */
export interface HyperliquidSignerOptions {
  /** The signing wallet's (or API wallet's) key: 64 hex digits, with or without `0x`. */
  privateKey: string;
  /** Mainnet (`source` "a") or testnet ("b"). */
  mainnet: boolean;
  /** Vault or sub-account to act for. @default {none} */
  vaultAddress?: string;
}

/** Signs L1 actions with one key. */
export interface HyperliquidSigner {
  /** The signer's address (lower case). */
  readonly address: string;
  /** Signs an action with a nonce; returns the `/exchange` body. */
  signAction(action: MsgpackValue, nonce: number): Promise<ExchangeRequest>;
}

/** The body of `POST /exchange`. */
export interface ExchangeRequest {
  /** The action as hashed. */
  action: MsgpackValue;
  /** The nonce (ms). */
  nonce: number;
  /** Signature. */
  signature: HyperliquidSignature;
  /** Vault or sub-account, or null. */
  vaultAddress: string | null;
}

/**
 * A signer for L1 actions.
 *
 * @example
 * ```ts
 * import { createHyperliquidSigner } from "./signing.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const signer = createHyperliquidSigner({
 *   privateKey: "0x0123456789012345678901234567890123456789012345678901234567890123",
 *   mainnet: true,
 * });
 * const body = await signer.signAction({ type: "scheduleCancel" }, 0);
 * equal(body.signature.r, "0x6cdfb286702f5917e76cd9b3b8bf678fcc49aec194c02a73e6d4f16891195df9");
 * ```
 *
 * @param options Key, network, vault.
 * @returns The signer.
 * @throws {ConfigurationError} If the key is not 32 bytes of hex.
 */
export function createHyperliquidSigner(options: HyperliquidSignerOptions): HyperliquidSigner {
  const raw = options.privateKey.startsWith("0x") ? options.privateKey : `0x${options.privateKey}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(raw)) {
    throw new ConfigurationError("Hyperliquid private key must be 64 hex digits", {
      venue: "hyperliquid",
    });
  }
  registerSecret(raw);
  const key = raw as `0x${string}`;
  let address: string;
  try {
    address = privateKeyToAccount(key).address.toLowerCase();
  } catch {
    throw new ConfigurationError("Hyperliquid private key is not a valid secp256k1 key", {
      venue: "hyperliquid",
    });
  }
  const vault = options.vaultAddress?.toLowerCase();
  return {
    address,
    async signAction(action, nonce) {
      const digest = phantomAgentDigest(actionHash(action, nonce, vault), options.mainnet);
      return {
        action,
        nonce,
        signature: await signDigest(digest, key),
        vaultAddress: vault ?? null,
      };
    },
  };
}

/**
 * A decimal as the venue's wire text: no exponent, no trailing zeros, at most 8 decimals
 * (SDK `float_to_wire`).
 *
 * @example
 * ```ts
 * import { toWireDecimal } from "./signing.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(toWireDecimal("1670.10"), "1670.1");
 * ```
 *
 * @param value Plain decimal text.
 * @returns The wire text.
 * @throws {RangeError} For more than 8 decimals.
 */
export function toWireDecimal(value: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (!m) throw new RangeError(`not a plain decimal: ${value}`);
  const intPart = m[2].replace(/^0+(?=\d)/, "") || "0";
  const frac = (m[3] ?? "").replace(/0+$/, "");
  if (frac.length > 8) throw new RangeError(`more than 8 decimals: ${value}`);
  const text = frac ? `${intPart}.${frac}` : intPart;
  return m[1] && text !== "0" ? `-${text}` : text;
}
