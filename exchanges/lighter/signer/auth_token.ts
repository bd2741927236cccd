/**
 * Lighter auth tokens for private REST endpoints and WebSocket channels (lighter.md §5.10):
 *
 * ```
 * message = `${deadlineUnixSeconds}:${accountIndex}:${apiKeyIndex}`
 * token   = `${message}:${hex(schnorrSign(sk, H(message as 8-byte little-endian chunks)))}`
 * ```
 *
 * Tokens are made by {@linkcode LighterSigner.createAuthToken}; this file parses and verifies
 * them (e.g. for a local venue replica).
 *
 * @module
 */
import { type Fp5, fp5, fp5FromBytes } from "./_fp5.ts";
import { hashToQuinticExtension } from "./_poseidon2.ts";
import { fromHex } from "./_hex.ts";
import { verifyHashed } from "./_schnorr.ts";

/** The venue refuses deadlines further ahead than this (lighter.md §5.10: about 8 h). */
export const AUTH_TOKEN_MAX_LIFETIME_SECONDS = 8 * 3600;

/**
 * The hashed auth-token message: its ASCII bytes as 8-byte little-endian field elements (the
 * last chunk zero-padded), hashed to GF(p^5). No chain id, no transaction prefix.
 *
 * @param message `deadline:account:apiKey`.
 * @returns The hash.
 */
export function authMessageHash(message: string): Fp5 {
  const bytes = new TextEncoder().encode(message);
  const n = Math.ceil(bytes.length / 8);
  const input = new Float64Array(2 * n);
  for (let i = 0; i < bytes.length; i++) {
    const limb = i >> 2; // a 32-bit half
    input[limb] += bytes[i] * 2 ** (8 * (i & 3));
  }
  return hashToQuinticExtension(input, fp5());
}

/** The parts of an auth token. */
export interface AuthTokenParts {
  /** Expiry, Unix seconds. */
  deadline: number;
  /** Account index. */
  accountIndex: number;
  /** API key index. */
  apiKeyIndex: number;
  /** The signed message, `deadline:account:apiKey`. */
  message: string;
  /** The 80-byte signature as hex. */
  signature: string;
}

const TOKEN_RE = /^(\d{1,15}):(\d{1,15}):(\d{1,3}):([0-9a-f]{160})$/;

/**
 * Splits an auth token into its parts.
 *
 * @param token The token.
 * @returns The parts, or `undefined` when the token is not `deadline:account:apiKey:sig`.
 *
 * @example
 * ```ts
 * import { parseAuthToken } from "./auth_token.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * const parts = parseAuthToken(`1700000000:12345:5:${"ab".repeat(80)}`);
 * deepEqual(parts?.accountIndex, 12345);
 * ```
 */
export function parseAuthToken(token: string): AuthTokenParts | undefined {
  const m = TOKEN_RE.exec(token);
  if (!m) return undefined;
  return {
    deadline: Number(m[1]),
    accountIndex: Number(m[2]),
    apiKeyIndex: Number(m[3]),
    message: `${m[1]}:${m[2]}:${m[3]}`,
    signature: m[4],
  };
}

/** Options of {@linkcode verifyAuthToken}. */
export interface VerifyAuthTokenOptions {
  /** When set (ms since the epoch), a token whose deadline has passed is refused. */
  now?: number;
}

/**
 * Verifies an auth token's signature under an API public key and, optionally, its expiry.
 *
 * @param token The token.
 * @param publicKey The API key's 40-byte public key as hex (`0x` optional).
 * @param options `now` to also check the deadline.
 * @returns Whether the token is well formed, signed by that key and (with `now`) unexpired.
 *
 * @example
 * ```ts
 * import { LighterSigner } from "./lighter_signer.ts";
 * import { verifyAuthToken } from "./auth_token.ts";
 * import { ok } from "node:assert/strict";
 *
 * const signer = new LighterSigner({
 *   privateKey: "0b8e0f63c24d8baacd9d29ad4e9a4b73c4a8d2bb8b16dc4fa9d7c2e1d3a8b1f0e8d3a4c5b6e7f001",
 *   accountIndex: 12345,
 *   apiKeyIndex: 5,
 *   chainId: 304,
 * });
 * const token = signer.createAuthToken();
 * ok(verifyAuthToken(token, signer.publicKey, { now: Date.now() }));
 * ```
 */
export function verifyAuthToken(
  token: string,
  publicKey: string,
  options: VerifyAuthTokenOptions = {},
): boolean {
  const parts = parseAuthToken(token);
  const pkBytes = fromHex(publicKey, 40);
  if (!parts || !pkBytes) return false;
  if (options.now !== undefined && parts.deadline * 1000 < options.now) return false;
  const pk = fp5FromBytes(pkBytes);
  if (!pk) return false;
  return verifyHashed(pk, authMessageHash(parts.message), fromHex(parts.signature, 80)!);
}
