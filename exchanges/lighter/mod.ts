/**
 * Lighter (zkLighter) perpetuals.
 *
 * This entry point loads only Lighter's code. It currently exports the venue's network
 * constants; the trading client, funding adapter and pure-TypeScript signer build on them.
 *
 * @example
 * ```ts
 * import { LIGHTER_ENVIRONMENTS, LIGHTER_FUNDING_INTERVAL_HOURS } from "./mod.ts";
 * console.log(LIGHTER_ENVIRONMENTS.mainnet.wsUrl, LIGHTER_FUNDING_INTERVAL_HOURS);
 * ```
 *
 * @module
 */
export * from "./common.ts";
export * from "./signer/mod.ts";
export * from "../../base.ts";
