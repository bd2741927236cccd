/**
 * Lighter (zkLighter) perpetuals: {@linkcode LighterClient} for trading,
 * {@linkcode LighterFundingAdapter} for hourly funding rates and market data, and the
 * pure-TypeScript transaction signer they use.
 *
 * This entry point loads only Lighter's code (npm: decimal.js, zod, @logtape/logtape).
 *
 * @example Funding conversions, no network needed
 * ```ts
 * import { fundingsRowRate, lighterFundingRatesToHourly, Decimal } from "./mod.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * // `/funding-rates` gives a fraction per 8 h; `/fundings` a percent per hour plus direction.
 * equal(lighterFundingRatesToHourly(9.6e-5).toString(), "0.000012");
 * equal(fundingsRowRate(new Decimal("0.0012"), "long").toString(), "0.000012");
 * ```
 *
 * @module
 */
export * from "./common.ts";
export * from "./signer/mod.ts";
export { LighterClient, type LighterClientOptions } from "./client.ts";
export {
  fundingsRowRate,
  LighterFundingAdapter,
  type LighterFundingAdapterOptions,
  lighterFundingRatesToHourly,
  openInterestUsd,
} from "./funding_adapter.ts";
export { type LighterCredentials, lighterCredentialsFromEnv } from "./credentials.ts";
export { LIGHTER_ERROR_CODES, lighterError } from "./errors.ts";
export { encodePrice, encodeSize, type LighterMarket } from "./markets.ts";
export { LighterNonceManager } from "./nonce.ts";
export * from "../../base.ts";
