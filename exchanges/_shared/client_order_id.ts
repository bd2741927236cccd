/**
 * Client order ids that respect each venue's rules (see `shared/venues/`):
 *
 * | venue | rule | source |
 * |---|---|---|
 * | GRVT | uint64 as a decimal string; the API asks client machines to use [2^63, 2^64 − 1] (the UI uses the lower half) | grvt.md §8.2 |
 * | Lighter | `client_order_index` 1 … 2^48 − 1 (0 = none); values above 2^31 − 1 were seen rejected, so we stay in [1, 2^31 − 1] | lighter.md §7.2 |
 * | EdgeX | any string; its sha256 also yields the signed nonce | edgex.md §3.4 |
 * | Hyperliquid | `cloid`: a 128-bit hex string, `0x` + 32 lowercase hex digits | Hyperliquid exchange endpoint docs ("cloid"), official Python SDK `Cloid` |
 *
 * Two kinds of id: random ones ({@linkcode randomClientOrderId}) for one-off orders, and
 * derived ones ({@linkcode deriveClientOrderId}) that are a pure function of a key — a bot that
 * restarts derives the same id for the same intent, so the venue refuses a second copy
 * instead of filling it twice.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** The venues whose id rules are known. */
export type ClientOrderIdVenue = "grvt" | "lighter" | "edgex" | "hyperliquid";

interface IdRange {
  min: bigint;
  max: bigint;
}

/**
 * Inclusive numeric ranges used per venue. EdgeX accepts any string; we use positive
 * 63-bit decimals so ids also sort and compare as numbers. Hyperliquid's range is the whole
 * 128-bit space, spelled in hex.
 *
 * @example
 * ```ts
 * import { CLIENT_ORDER_ID_RANGES } from "./client_order_id.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(CLIENT_ORDER_ID_RANGES.lighter.max, 2147483647n);
 * ```
 */
export const CLIENT_ORDER_ID_RANGES: Readonly<Record<ClientOrderIdVenue, Readonly<IdRange>>> =
  Object.freeze({
    grvt: Object.freeze({ min: 1n << 63n, max: (1n << 64n) - 1n }),
    lighter: Object.freeze({ min: 1n, max: (1n << 31n) - 1n }),
    edgex: Object.freeze({ min: 1n, max: (1n << 63n) - 1n }),
    hyperliquid: Object.freeze({ min: 0n, max: (1n << 128n) - 1n }),
  });

/** Hyperliquid writes its 128-bit ids as `0x` + 32 lowercase hex digits. */
const HEX_CLOID = /^0x[0-9a-f]{32}$/;

function spell(venue: ClientOrderIdVenue, x: bigint): string {
  return venue === "hyperliquid" ? `0x${x.toString(16).padStart(32, "0")}` : x.toString();
}

function rangeOf(venue: ClientOrderIdVenue): IdRange {
  const r = CLIENT_ORDER_ID_RANGES[venue];
  if (!r) throw new RangeError(`No client order id rule for venue '${venue}'`);
  return r;
}

function fit(x: bigint, r: IdRange): bigint {
  return r.min + (x % (r.max - r.min + 1n));
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let x = 0n;
  for (const b of bytes) x = (x << 8n) | BigInt(b);
  return x;
}

/**
 * A fresh random client order id valid for the venue.
 *
 * @param venue The venue.
 * @param options `random` fills a byte array (default `crypto.getRandomValues`).
 * @returns The id as a decimal string (Hyperliquid: `0x` + 32 hex digits).
 *
 * @example
 * ```ts
 * import { isValidClientOrderId, randomClientOrderId } from "./client_order_id.ts";
 * import { ok } from "node:assert/strict";
 *
 * const id = randomClientOrderId("grvt");
 * ok(isValidClientOrderId("grvt", id));
 * ok(BigInt(id) >= 2n ** 63n);
 * ```
 */
export function randomClientOrderId(
  venue: ClientOrderIdVenue,
  options: { random?: (bytes: Uint8Array) => Uint8Array } = {},
): string {
  const random = options.random ?? ((b: Uint8Array) => crypto.getRandomValues(b));
  // 16 random bytes: the modulo bias over a range of at most 2^64 is below 2^-64.
  return spell(venue, fit(bytesToBigInt(random(new Uint8Array(16))), rangeOf(venue)));
}

/**
 * A client order id derived from a key: the same key always gives the same id, so a
 * restarted bot that derives ids from what it intends (account, market, side, level, cycle)
 * cannot send the same order twice.
 *
 * @param venue The venue.
 * @param key Any string naming the intent uniquely.
 * @returns The id as a decimal string (Hyperliquid: `0x` + 32 hex digits).
 *
 * @example
 * ```ts
 * import { deriveClientOrderId } from "./client_order_id.ts";
 * import { deepStrictEqual as deepEqual, notDeepStrictEqual as notDeepEqual } from "node:assert/strict";
 *
 * const a = deriveClientOrderId("lighter", "acct7/ETH/close/1733000000000");
 * deepEqual(a, deriveClientOrderId("lighter", "acct7/ETH/close/1733000000000"));
 * notDeepEqual(a, deriveClientOrderId("lighter", "acct7/ETH/close/1733000000001"));
 * ```
 */
export function deriveClientOrderId(venue: ClientOrderIdVenue, key: string): string {
  const digest = createHash("sha256").update(`perp/client-order-id/${venue}/${key}`).digest();
  return spell(venue, fit(bytesToBigInt(new Uint8Array(digest)), rangeOf(venue)));
}

/**
 * Whether a string is a valid client order id for the venue (canonical decimal, in range).
 * EdgeX accepts any non-empty string; Hyperliquid wants `0x` + 32 lowercase hex digits.
 *
 * @param venue The venue.
 * @param id The candidate.
 * @returns `true` when the venue would accept it.
 *
 * @example
 * ```ts
 * import { isValidClientOrderId } from "./client_order_id.ts";
 * import { ok } from "node:assert/strict";
 *
 * ok(isValidClientOrderId("lighter", "123"));
 * ok(!isValidClientOrderId("lighter", "0"));
 * ok(!isValidClientOrderId("grvt", "123")); // lower half is the GRVT UI's
 * ok(isValidClientOrderId("hyperliquid", "0x00000000000000000000000000000001"));
 * ok(!isValidClientOrderId("hyperliquid", "0x1"));
 * ```
 */
export function isValidClientOrderId(venue: ClientOrderIdVenue, id: string): boolean {
  if (venue === "edgex") return id.length > 0;
  if (venue === "hyperliquid") return HEX_CLOID.test(id);
  if (!/^(0|[1-9]\d*)$/.test(id)) return false;
  const r = rangeOf(venue);
  const x = BigInt(id);
  return x >= r.min && x <= r.max;
}
