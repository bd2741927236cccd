/**
 * Lighter auth tokens for private REST endpoints and WebSocket channels (lighter.md §5.10):
 *
 * ```
 * message = `${deadlineUnixSeconds}:${accountIndex}:${apiKeyIndex}`
 * token   = `${message}:${hex(schnorrSign(sk, H(message as 8-byte little-endian chunks)))}`
 * ```
 *
 * Tokens are made by {@linkcode LighterSigner.createAuthToken}. Parsing and verifying them is
 * the venue's job: the replica does it with its own code (`sim/lighter/auth.ts`).
 *
 * @module
 */
import { type Fp5, fp5 } from "../../../crypto/ecgfp5/_fp5.ts";
import { hashToQuinticExtension } from "../../../crypto/ecgfp5/_poseidon2.ts";

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
