/**
 * Lighter venue constants (shared by the trading client and the funding adapter).
 * Facts from `shared/venues/lighter.md` §1–2.
 *
 * @module
 */

/**
 * Lighter network endpoints and chain ids (lighter.md §2, "Hosts").
 *
 * @example
 * ```ts
 * import { LIGHTER_ENVIRONMENTS } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(LIGHTER_ENVIRONMENTS.mainnet.restUrl, "https://mainnet.zklighter.elliot.ai");
 * ```
 */
export const LIGHTER_ENVIRONMENTS: Readonly<
  Record<"mainnet" | "testnet", { restUrl: string; wsUrl: string; chainId: number }>
> = Object.freeze({
  mainnet: Object.freeze({
    restUrl: "https://mainnet.zklighter.elliot.ai",
    wsUrl: "wss://mainnet.zklighter.elliot.ai/stream",
    chainId: 304,
  }),
  testnet: Object.freeze({
    restUrl: "https://testnet.zklighter.elliot.ai",
    wsUrl: "wss://testnet.zklighter.elliot.ai/stream",
    chainId: 300,
  }),
});

/**
 * Lighter settles funding every hour (lighter.md §1).
 *
 * @example
 * ```ts
 * import { LIGHTER_FUNDING_INTERVAL_HOURS } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(LIGHTER_FUNDING_INTERVAL_HOURS, 1);
 * ```
 */
export const LIGHTER_FUNDING_INTERVAL_HOURS = 1;

/**
 * The venue name used in errors and unified types.
 *
 * @example
 * ```ts
 * import { LIGHTER_VENUE } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(LIGHTER_VENUE, "lighter");
 * ```
 */
export const LIGHTER_VENUE = "lighter";

/**
 * `order_index` values assigned by the venue start above this; smaller `Index` values in a
 * cancel are client order indices (lighter.md §7.4).
 *
 * @example
 * ```ts
 * import { LIGHTER_MIN_ORDER_INDEX } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(281474976710656 >= LIGHTER_MIN_ORDER_INDEX, true); // a venue order index
 * ```
 */
export const LIGHTER_MIN_ORDER_INDEX: number = 2 ** 48;

/**
 * Longest and shortest resting-order expiry the venue accepts, in ms (lighter.md §7.2:
 * 5 min ≤ expiry − now ≤ 30 days); "good till canceled" orders use 28 days like the official
 * Python SDK's default.
 *
 * @example
 * ```ts
 * import { LIGHTER_ORDER_EXPIRY } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(LIGHTER_ORDER_EXPIRY.defaultMs / 86_400_000, 28);
 * ```
 */
export const LIGHTER_ORDER_EXPIRY: Readonly<{ minMs: number; maxMs: number; defaultMs: number }> =
  Object.freeze({ minMs: 5 * 60_000, maxMs: 30 * 86_400_000, defaultMs: 28 * 86_400_000 });

/**
 * The sentinel `market_id` / `api_key_index` meaning "all" in query parameters (lighter.md §3.1).
 *
 * @example
 * ```ts
 * import { LIGHTER_ALL } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(LIGHTER_ALL, 255);
 * ```
 */
export const LIGHTER_ALL = 255;
