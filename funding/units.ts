/**
 * How each venue quotes funding, as data, and the conversion to the package's units (a
 * fraction per interval plus the interval; `fundingRate()` derives the hourly rate and APR).
 * The venue adapters parse their own payloads; this table is what the service and its tests
 * hold them to (DESIGN.md "Funding units").
 *
 * @module
 */
import { Decimal, type DecimalInput, fundingRate } from "../base.ts";

/** How one venue quotes a funding rate. */
export interface FundingQuote {
  /** `percent`: 0.01 means 0.01 %; `fraction`: 0.0001 means 0.01 %. */
  unit: "percent" | "fraction";
  /** Fixed interval in hours, when the venue has one for every market. */
  intervalHours?: number;
  /** Where the fact comes from. */
  source: string;
}

/**
 * Funding quote conventions of the three venues.
 *
 * @example
 * ```ts
 * import { VENUE_FUNDING_QUOTES } from "./units.ts";
 * VENUE_FUNDING_QUOTES.lighter.unit; // "percent"
 * ```
 */
export const VENUE_FUNDING_QUOTES: Readonly<Record<"lighter" | "grvt" | "edgex", FundingQuote>> =
  Object.freeze(
    {
      lighter: Object.freeze({
        unit: "percent",
        intervalHours: 1,
        source: "lighter.md §6: /fundings and WS market_stats rates are percent per hour",
      }),
      grvt: Object.freeze({
        unit: "percent",
        source: "grvt.md §5: percentage points per funding_interval_hours (8 h seen)",
      }),
      edgex: Object.freeze({
        unit: "fraction",
        source: "edgex.md funding: fraction per interval, fundingRateIntervalMin minutes (240)",
      }),
    } as const,
  );

/**
 * Converts a rate as a venue quotes it into the package's units.
 *
 * @param venue The venue whose convention applies.
 * @param quoted The rate as quoted (decimal string).
 * @param options The interval: `intervalHours` (GRVT) or `intervalMinutes` (EdgeX); Lighter's
 *   is fixed at 1 h.
 * @returns Rate per interval as a fraction, interval, hourly rate and APR.
 * @throws {RangeError} If the venue has no fixed interval and none is given, or it is not
 *   positive.
 *
 * @example
 * ```ts
 * import { fromQuotedRate } from "./units.ts";
 * import { equal } from "node:assert/strict";
 *
 * // GRVT "0.01" = 0.01 % per 8 h = 0.0001 per interval
 * const r = fromQuotedRate("grvt", "0.01", { intervalHours: 8 });
 * equal(r.rate.toString(), "0.0001");
 * equal(r.hourlyRate.toString(), "0.0000125");
 * ```
 */
export function fromQuotedRate(
  venue: "lighter" | "grvt" | "edgex",
  quoted: DecimalInput,
  options: { intervalHours?: number; intervalMinutes?: number } = {},
): { rate: Decimal; intervalHours: number; hourlyRate: Decimal; apr: Decimal } {
  const quote = VENUE_FUNDING_QUOTES[venue];
  const intervalHours = quote.intervalHours ?? options.intervalHours ??
    (options.intervalMinutes === undefined ? undefined : options.intervalMinutes / 60);
  if (intervalHours === undefined) {
    throw new RangeError(`${venue} quotes funding per market interval: give intervalHours`);
  }
  const value = new Decimal(quoted);
  const rate = quote.unit === "percent" ? value.div(100) : value;
  return fundingRate({ rate, intervalHours });
}
