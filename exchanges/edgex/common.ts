/**
 * EdgeX (API V2) venue constants (shared by the trading client and the funding adapter).
 * Facts from `shared/venues/edgex.md` §1. EdgeX publishes no V2 testnet, so only production
 * hosts are listed; pass other hosts through options.
 *
 * @module
 */

/**
 * EdgeX V2 production hosts (edgex.md §1, host table).
 *
 * @example
 * ```ts
 * import { EDGEX_PRODUCTION } from "./common.ts";
 * EDGEX_PRODUCTION.restUrl; // "https://edgex-prod-v2.edgex.exchange"
 * ```
 */
export const EDGEX_PRODUCTION: Readonly<{ restUrl: string; wsUrl: string }> = Object.freeze({
  restUrl: "https://edgex-prod-v2.edgex.exchange",
  wsUrl: "wss://edgex-quote-prod-v2.edgex.exchange",
});
