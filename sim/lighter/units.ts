/**
 * How the Lighter replica writes funding rates on the wire, from the venue notes (lighter.md §6,
 * §4.2), not from the client's conversions. The engine's rate is a fraction per funding
 * interval, and Lighter settles every hour.
 *
 * - `market_stats.current_funding_rate` / `funding_rate`: signed **percent per hour** strings
 *   (`"-0.0028"`), at least 4 decimals.
 * - `/api/v1/fundings` rows: unsigned percent per hour **truncated to 4 decimals**, the sign in
 *   `direction` (`"long"` = longs pay = positive rate).
 * - `/api/v1/funding-rates` (`exchange: "lighter"`): a JSON float, **fraction per 8 hours**
 *   (ccxt's sample 9.6e-05 = 0.0012 %/h × 8 / 100).
 *
 * @module
 */
import { Decimal } from "../../core/decimal.ts";

/**
 * A signed percent-per-hour string with at least 4 decimals, as `market_stats` sends it.
 *
 * @param hourlyFraction Fraction per hour (`0.000012` = 0.0012 %/h).
 * @returns E.g. `"0.0012"`.
 *
 * @example
 * ```ts
 * import { marketStatsRate } from "./units.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(marketStatsRate("-0.000028"), "-0.0028");
 * ```
 */
export function marketStatsRate(hourlyFraction: string | Decimal): string {
  const pct = new Decimal(hourlyFraction).times(100);
  return pct.decimalPlaces() > 4 ? pct.toFixed() : pct.toFixed(4);
}

/**
 * The `rate` and `direction` of a `/api/v1/fundings` row.
 *
 * @param hourlyFraction Settled fraction per hour, signed.
 * @returns Unsigned percent string truncated to 4 decimals, and who paid.
 *
 * @example
 * ```ts
 * import { fundingsRow } from "./units.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 * deepEqual(fundingsRow("-0.0000125"), { rate: "0.0012", direction: "short" });
 * ```
 */
export function fundingsRow(
  hourlyFraction: string | Decimal,
): { rate: string; direction: "long" | "short" } {
  const f = new Decimal(hourlyFraction);
  return {
    rate: f.abs().times(100).toDecimalPlaces(4, Decimal.ROUND_DOWN).toFixed(4),
    direction: f.isNegative() ? "short" : "long",
  };
}

/**
 * The `rate` float of a Lighter row of `/api/v1/funding-rates`: fraction per 8 hours.
 *
 * @param hourlyFraction Fraction per hour.
 * @returns A JSON number.
 *
 * @example
 * ```ts
 * import { fundingRatesFloat } from "./units.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(fundingRatesFloat("0.000012"), 0.000096);
 * ```
 */
export function fundingRatesFloat(hourlyFraction: string | Decimal): number {
  return new Decimal(hourlyFraction).times(8).toNumber();
}
