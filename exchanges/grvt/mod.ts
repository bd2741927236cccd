/**
 * GRVT perpetuals.
 *
 * This entry point loads only GRVT's code. It currently exports the venue's environments;
 * the trading client, funding adapter and EIP-712 signing build on them.
 *
 * @example
 * ```ts
 * import { GRVT_ENVIRONMENTS } from "./mod.ts";
 * console.log(GRVT_ENVIRONMENTS.prod.tradesUrl);
 * ```
 *
 * @module
 */
export * from "./common.ts";
export * from "./signing.ts";
export * from "../../base.ts";
