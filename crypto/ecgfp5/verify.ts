/**
 * Schnorr signature verification for Lighter transactions and auth tokens (lighter.md §5.7).
 *
 * @module
 */
import { fp5FromBytes } from "./_fp5.ts";
import { fromHex } from "./_hex.ts";
import { verifyHashed } from "./_schnorr.ts";

function bytesOf(v: string | Uint8Array, length: number): Uint8Array | undefined {
  if (typeof v === "string") return fromHex(v, length);
  return v instanceof Uint8Array && v.length === length ? v : undefined;
}

/**
 * Verifies a Lighter signature on a hashed message (a transaction hash or an auth-token
 * message hash). Returns `false`, never throws, for malformed input: wrong lengths, a public
 * key that encodes no curve point, non-canonical field elements or scalars.
 *
 * @param publicKey The 40-byte public key, as bytes or hex (`0x` optional).
 * @param message The 40-byte hashed message (e.g. the `txHash` hex).
 * @param signature The 80-byte signature `s ‖ e`, as bytes or hex (decode the base64 `Sig` of
 * a `tx_info` first).
 * @returns Whether the signature is valid.
 *
 * @example
 * ```ts
 * import { LighterSigner } from "../../exchanges/lighter/signer/lighter_signer.ts";
 * import { verify } from "./verify.ts";
 * import { ok } from "node:assert/strict";
 *
 * const signer = new LighterSigner({
 *   privateKey: "0b8e0f63c24d8baacd9d29ad4e9a4b73c4a8d2bb8b16dc4fa9d7c2e1d3a8b1f0e8d3a4c5b6e7f001",
 *   accountIndex: 12345,
 *   apiKeyIndex: 5,
 *   chainId: 300,
 * });
 * const tx = signer.signCancelOrder({ marketIndex: 0, index: 123 }, { nonce: 2 });
 * const sig = Uint8Array.from(atob(JSON.parse(tx.txInfo).Sig), (c) => c.charCodeAt(0));
 * ok(verify(signer.publicKey, tx.txHash, sig));
 * ```
 */
export function verify(
  publicKey: string | Uint8Array,
  message: string | Uint8Array,
  signature: string | Uint8Array,
): boolean {
  const pkBytes = bytesOf(publicKey, 40);
  const msgBytes = bytesOf(message, 40);
  const sig = bytesOf(signature, 80);
  if (!pkBytes || !msgBytes || !sig) return false;
  const pk = fp5FromBytes(pkBytes);
  const m = fp5FromBytes(msgBytes);
  if (!pk || !m) return false;
  return verifyHashed(pk, m, sig);
}
