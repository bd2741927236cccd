/**
 * Lighter API keys (lighter.md §5.8): a private key is a scalar of the ECgFp5 group written as
 * 40 little-endian bytes (80 hex digits, `0x` optional); its public key is the 40-byte
 * encoding of `sk ⊙ G`, registered on the account with a `ChangePubKey` transaction.
 *
 * @module
 */
import { ConfigurationError } from "../../core/errors.ts";
import { fp5ToBytes } from "./_fp5.ts";
import { fromHex, toHex } from "./_hex.ts";
import { publicKeyOf, sampleScalar } from "./_schnorr.ts";
import { scalarFromBytes, scalarReduce, scalarToBytes } from "./_scalar.ts";

/**
 * Parses a private key into its scalar. The key itself never appears in the error.
 *
 * @param privateKey 80 hex digits, `0x` optional.
 * @returns The scalar, reduced mod n (as the official signer does).
 * @throws {ConfigurationError} When the key is not 40 bytes of hex or is zero mod n.
 */
export function parsePrivateKey(privateKey: string): bigint {
  const bytes = typeof privateKey === "string" ? fromHex(privateKey.trim(), 40) : undefined;
  if (!bytes) {
    const len = typeof privateKey === "string" ? privateKey.length : 0;
    throw new ConfigurationError(
      `Cannot use the Lighter API private key as it must be 80 hex digits (40 bytes, 0x optional): current length is ${len}`,
      { venue: "lighter" },
    );
  }
  const sk = scalarReduce(scalarFromBytes(bytes));
  bytes.fill(0);
  if (sk === 0n) {
    throw new ConfigurationError(
      "Cannot use the Lighter API private key as it must be non-zero modulo the group order",
      { venue: "lighter" },
    );
  }
  return sk;
}

/**
 * The public key (hex, 80 digits, no prefix) of a Lighter API private key.
 *
 * @param privateKey 80 hex digits, `0x` optional.
 * @returns The 40-byte public key as lowercase hex, as `GET /api/v1/apikeys` shows it.
 * @throws {ConfigurationError} When the private key is malformed.
 *
 * @example
 * ```ts
 * import { publicKeyFromPrivateKey } from "./keys.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * deepEqual(
 *   publicKeyFromPrivateKey(
 *     "0b8e0f63c24d8baacd9d29ad4e9a4b73c4a8d2bb8b16dc4fa9d7c2e1d3a8b1f0e8d3a4c5b6e7f001",
 *   ),
 *   "2c4fbfa7d45258fb02da89eaaf8a3af8eb62106ddd86cd98886e0fadcd7fcacf6f8fd2af3ca004f5",
 * );
 * ```
 */
export function publicKeyFromPrivateKey(privateKey: string): string {
  return toHex(fp5ToBytes(publicKeyOf(parsePrivateKey(privateKey))));
}

/** Options of {@linkcode generateApiKey}. */
export interface GenerateApiKeyOptions {
  /** Fills a byte array with random bytes. @default {crypto.getRandomValues} */
  random?: (bytes: Uint8Array) => unknown;
}

/**
 * A new random API key pair, like the official `GenerateAPIKey` (keys `0x`-prefixed). Register
 * the public key with a `ChangePubKey` transaction before use.
 *
 * @param options The random source.
 * @returns The private and public keys as `0x`-prefixed hex.
 *
 * @example
 * ```ts
 * import { generateApiKey, publicKeyFromPrivateKey } from "./keys.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const { privateKey, publicKey } = generateApiKey();
 * deepEqual(publicKey, "0x" + publicKeyFromPrivateKey(privateKey));
 * ```
 */
export function generateApiKey(
  options: GenerateApiKeyOptions = {},
): { privateKey: string; publicKey: string } {
  const random = options.random ?? ((b: Uint8Array) => crypto.getRandomValues(b));
  const sk = sampleScalar(random);
  return {
    privateKey: "0x" + toHex(scalarToBytes(sk)),
    publicKey: "0x" + toHex(fp5ToBytes(publicKeyOf(sk))),
  };
}
