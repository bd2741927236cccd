/**
 * The replica's auth-token check, written from the venue notes (lighter.md §5.10), not from the
 * client's token code:
 *
 * ```
 * message = `${deadlineUnixSeconds}:${accountIndex}:${apiKeyIndex}`
 * elems   = ASCII bytes of message in 8-byte chunks, each read little-endian (last zero-padded)
 * h       = HashToQuinticExtension(elems)            (no chain id, no transaction prefix)
 * token   = `${message}:${hex(schnorrSign(sk, h))}`  (160 lowercase hex digits)
 * ```
 *
 * Only the Poseidon2 sponge and the Schnorr verification are shared with the client: they are
 * primitives with their own official vectors.
 *
 * @module
 */
import { hashToQuinticExtension } from "../../crypto/ecgfp5/_poseidon2.ts";
import { verify } from "../../crypto/ecgfp5/verify.ts";

/**
 * Longest lifetime the venue accepts for an auth token, in seconds (lighter.md §5.10: deadline
 * at most about 8 h ahead).
 *
 * @example
 * ```ts
 * import { AUTH_TOKEN_MAX_AHEAD_SECONDS } from "./auth.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(AUTH_TOKEN_MAX_AHEAD_SECONDS, 28800);
 * ```
 */
export const AUTH_TOKEN_MAX_AHEAD_SECONDS = 8 * 3600;

/**
 * The parts of an auth token.
 *
 * @example
 * ```ts
 * import type { AuthToken } from "./auth.ts";
 * const who = (t: AuthToken) => `${t.accountIndex}/${t.apiKeyIndex}`;
 * ```
 */
export interface AuthToken {
  /** Deadline, Unix seconds. */
  deadline: number;
  /** Account index. */
  accountIndex: number;
  /** API key index. */
  apiKeyIndex: number;
  /** The signed message `deadline:account:apiKey`. */
  message: string;
  /** The 80-byte signature `s ‖ e`. */
  signature: Uint8Array;
}

const TOKEN = /^(\d{1,15}):(\d{1,15}):(\d{1,3}):([0-9a-f]{160})$/;

/**
 * Splits a token `deadline:account:apiKey:<160 hex>` into its parts.
 *
 * @param token The token as received (header `Authorization`, query `auth`, or WS `auth`).
 * @returns The parts, or `undefined` for anything else.
 *
 * @example
 * ```ts
 * import { parseLighterAuthToken } from "./auth.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * equal(parseLighterAuthToken(`1700000000:12345:5:${"ab".repeat(80)}`)?.accountIndex, 12345);
 * equal(parseLighterAuthToken("1700000000:12345:5"), undefined);
 * ```
 */
export function parseLighterAuthToken(token: string): AuthToken | undefined {
  const m = TOKEN.exec(token);
  if (!m) return undefined;
  const signature = new Uint8Array(80);
  for (let i = 0; i < 80; i++) signature[i] = parseInt(m[4].slice(2 * i, 2 * i + 2), 16);
  return {
    deadline: Number(m[1]),
    accountIndex: Number(m[2]),
    apiKeyIndex: Number(m[3]),
    message: `${m[1]}:${m[2]}:${m[3]}`,
    signature,
  };
}

/**
 * The hash an auth token signs, as the 40-byte little-endian encoding of the GF(p⁵) element.
 *
 * @param message `deadline:account:apiKey`.
 * @returns 40 bytes.
 *
 * @example
 * ```ts
 * import { lighterAuthMessageHash } from "./auth.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(lighterAuthMessageHash("1700000000:12345:5").length, 40);
 * ```
 */
export function lighterAuthMessageHash(message: string): Uint8Array {
  const bytes = new TextEncoder().encode(message);
  const chunks = Math.ceil(bytes.length / 8);
  // The sponge takes each field element as two 32-bit halves (low, high).
  const halves = new Float64Array(2 * chunks);
  for (let c = 0; c < chunks; c++) {
    let lo = 0;
    let hi = 0;
    for (let b = 0; b < 8; b++) {
      const byte = bytes[8 * c + b] ?? 0;
      if (b < 4) lo += byte * 2 ** (8 * b);
      else hi += byte * 2 ** (8 * (b - 4));
    }
    halves[2 * c] = lo;
    halves[2 * c + 1] = hi;
  }
  const h = hashToQuinticExtension(halves);
  const out = new Uint8Array(40);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 5; i++) {
    view.setUint32(8 * i, h[2 * i], true);
    view.setUint32(8 * i + 4, h[2 * i + 1], true);
  }
  return out;
}

/**
 * Options of {@linkcode checkLighterAuthToken}.
 *
 * @example
 * ```ts
 * import type { CheckAuthTokenOptions } from "./auth.ts";
 * const o: CheckAuthTokenOptions = { now: Date.now(), account: 12345 };
 * ```
 */
export interface CheckAuthTokenOptions {
  /** Current time, ms: expired tokens and deadlines more than 8 h ahead are refused. */
  now?: number;
  /** The account the request is about: a token of another account is refused. */
  account?: number;
}

/**
 * Whether a token is well formed, signed by the API key it names and (with `now`) inside its
 * validity window.
 *
 * @param token The token.
 * @param publicKeyOf Public key (80 hex) of an (account, API key), or `undefined` if none.
 * @param options Time and account checks.
 * @returns The verdict.
 *
 * @example
 * ```ts
 * import { checkLighterAuthToken } from "./auth.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * // An official token (shared/fixtures/lighter/SIGN_auth_token_oracle__…json).
 * const token = "1700000000:12345:5:204483f057318ec80df9acd370b292a5c6b3e88f908a9268f10c7f928e8528448f292e56459de47741aaaaf403c64db19a9a0786ec0014afdefe0b3d1aced676cd061628d427f8519b28294cc35ebe54";
 * const pk = "2c4fbfa7d45258fb02da89eaaf8a3af8eb62106ddd86cd98886e0fadcd7fcacf6f8fd2af3ca004f5";
 * equal(checkLighterAuthToken(token, () => pk), true);
 * equal(checkLighterAuthToken(token, () => pk, { now: 1_700_000_001_000 }), false);
 * ```
 */
export function checkLighterAuthToken(
  token: string | null | undefined,
  publicKeyOf: (accountIndex: number, apiKeyIndex: number) => string | undefined,
  options: CheckAuthTokenOptions = {},
): boolean {
  if (typeof token !== "string") return false;
  const t = parseLighterAuthToken(token);
  if (!t) return false;
  if (options.account !== undefined && t.accountIndex !== options.account) return false;
  if (options.now !== undefined) {
    const deadlineMs = t.deadline * 1000;
    if (deadlineMs < options.now) return false;
    if (deadlineMs > options.now + AUTH_TOKEN_MAX_AHEAD_SECONDS * 1000 + 60_000) return false;
  }
  const pk = publicKeyOf(t.accountIndex, t.apiKeyIndex);
  if (!pk) return false;
  return verify(pk, lighterAuthMessageHash(t.message), t.signature);
}
