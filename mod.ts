/**
 * `@perp/exchange-clients`: one shared implementation of the Lighter, GRVT and EdgeX
 * perpetual DEXs for trading bots and funding-rate services.
 *
 * This entry point holds the venue-independent part: the {@linkcode ExchangeClient} and
 * {@linkcode FundingAdapter} interfaces, shared types, errors and the `Decimal` class. Each
 * venue lives in its own entry point (`./lighter`, `./grvt`, `./edgex`), so importing one
 * never loads another's code or npm packages.
 *
 * @example Funding units
 * ```ts
 * import { fundingRate } from "@perp/exchange-clients";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * // GRVT quotes percentage points per 8 h interval: 0.01 means 0.01 % = 0.0001.
 * const grvt = fundingRate({ rate: "0.0001", intervalHours: 8 });
 * // Lighter settles hourly.
 * const lighter = fundingRate({ rate: "0.0000125", intervalHours: 1 });
 * deepEqual(grvt.hourlyRate.toString(), lighter.hourlyRate.toString());
 * ```
 *
 * @module
 */
export * from "./base.ts";
