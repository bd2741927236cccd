/**
 * EdgeX perpetuals (API V2).
 *
 * This entry point loads only EdgeX's code. It currently exports the venue's production
 * hosts; the trading client, funding adapter, HMAC request auth and EIP-712 order signing
 * build on them.
 *
 * @example
 * ```ts
 * import { EDGEX_PRODUCTION } from "./mod.ts";
 * console.log(EDGEX_PRODUCTION.wsUrl);
 * ```
 *
 * @module
 */
export * from "./common.ts";
export * from "../../base.ts";
