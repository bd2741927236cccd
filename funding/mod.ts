/**
 * Funding-rate service building blocks.
 *
 * Every rate is a fraction per funding interval (positive = longs pay) with its interval in
 * hours; venues are compared only through `hourlyRate` and `apr`, never through raw rates of
 * different intervals. This entry point currently exports the unit conversion (with the shared types of `base.ts`); the collector,
 * stores, opportunity finder and HTTP API build on it.
 *
 * @example
 * ```ts
 * import { fundingRate } from "./mod.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * // 0.01 % per 8 h (GRVT) equals 0.00125 % per hour (a Lighter-style hourly rate).
 * deepEqual(
 *   fundingRate({ rate: "0.0001", intervalHours: 8 }).hourlyRate.toString(),
 *   fundingRate({ rate: "0.0000125", intervalHours: 1 }).hourlyRate.toString(),
 * );
 * ```
 *
 * @module
 */
export * from "../base.ts";
