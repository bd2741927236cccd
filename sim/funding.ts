/**
 * Funding-rate sources for the simulator. At each interval boundary the engine asks the
 * instrument's source for the rate of the interval just ended; when there is no source or the
 * source returns `undefined`, the rate is the premium of mark over index,
 * `(mark − index) / index`, truncated to the instrument's rate decimals and clamped to
 * ± its cap. A positive rate means longs pay shorts.
 *
 * @module
 */
import { type DecimalInput, toDecimal } from "../core/decimal.ts";

/**
 * Returns the funding rate per interval for the settlement at `time`, or `undefined` to use the
 * premium of mark over index.
 *
 * @example
 * ```ts
 * import type { FundingRateSource } from "./funding.ts";
 * const alwaysOneBp: FundingRateSource = () => "0.0001";
 * ```
 */
export type FundingRateSource = (time: number, symbol: string) => DecimalInput | undefined;

/**
 * One point of a scripted funding-rate series: the rate applies to settlements at or after
 * `time` until the next point.
 *
 * @example
 * ```ts
 * import type { FundingRatePoint } from "./funding.ts";
 * const p: FundingRatePoint = { time: 0, rate: "0.0001" };
 * ```
 */
export interface FundingRatePoint {
  /** From when the rate applies (ms). */
  time: number;
  /** Rate per interval. */
  rate: DecimalInput;
}

/**
 * A scripted funding-rate source: a constant rate, or a step series of points.
 *
 * @param series A constant rate, or points (any order) each applying from its time on.
 * @returns The source; before the first point it returns `undefined` (premium rate).
 * @throws {TypeError} If a rate is not a decimal.
 *
 * @example
 * ```ts
 * import { scriptedFundingRates } from "./funding.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const src = scriptedFundingRates([{ time: 0, rate: "0.0001" }, { time: 3_600_000, rate: "-0.0002" }]);
 * deepStrictEqual(String(src(3_600_000, "BTC")), "-0.0002");
 * deepStrictEqual(String(src(1_000, "BTC")), "0.0001");
 * ```
 */
export function scriptedFundingRates(
  series: DecimalInput | readonly FundingRatePoint[],
): FundingRateSource {
  if (!Array.isArray(series)) {
    const rate = toDecimal(series as DecimalInput, "rate");
    return () => rate;
  }
  const points = [...(series as readonly FundingRatePoint[])]
    .map((p) => ({ time: p.time, rate: toDecimal(p.rate, "rate") }))
    .sort((a, b) => a.time - b.time);
  return (time) => {
    let found: DecimalInput | undefined;
    for (const p of points) {
      if (p.time <= time) found = p.rate;
      else break;
    }
    return found;
  };
}
