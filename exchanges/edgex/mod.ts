/**
 * EdgeX perpetuals (API V2).
 *
 * This entry point loads only EdgeX's code: {@linkcode EdgeXClient} (trading),
 * {@linkcode EdgeXFundingAdapter} (funding and market data), HMAC request auth (`auth.ts`),
 * EIP-712 order signing (`signing.ts`) and the venue's constants.
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
export * from "./auth.ts";
export * from "./signing.ts";
export { EdgeXClient, type EdgeXClientOptions } from "./client.ts";
export type { EdgeXCredentialOptions } from "./credentials.ts";
export { EdgeXFundingAdapter, type EdgeXFundingAdapterOptions } from "./funding_adapter.ts";
export { EDGEX_ERROR_CODES } from "./errors.ts";
export type { FetchLike } from "../_shared/http.ts";
export type { WebSocketConstructor } from "../_shared/ws.ts";
export * from "../../base.ts";
