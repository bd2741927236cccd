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
 * LIGHTER_ENVIRONMENTS.mainnet.restUrl; // "https://mainnet.zklighter.elliot.ai"
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
 * LIGHTER_FUNDING_INTERVAL_HOURS; // 1
 * ```
 */
export const LIGHTER_FUNDING_INTERVAL_HOURS = 1;
