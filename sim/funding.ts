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
import { Prng } from "./random.ts";

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

/**
 * Options of {@linkcode premiumFundingRates}.
 *
 * @example
 * ```ts
 * import type { PremiumProcessOptions } from "./funding.ts";
 * const o: PremiumProcessOptions = { seed: 7, start: 0, base: "0.0001", volatility: "0.00005" };
 * ```
 */
export interface PremiumProcessOptions {
  /** PRNG seed; one per venue and market gives each its own path. */
  seed: number;
  /** Time (ms) of step 0: until `start + stepMs` the rate is `base`. */
  start: number;
  /** Rate per interval at step 0, and the level the process reverts to. */
  base: DecimalInput;
  /** Standard deviation of one step's change, in rate per interval (at most 8 decimals). */
  volatility: DecimalInput;
  /** Time between steps (ms). @default {3_600_000} (one hour) */
  stepMs?: number;
  /**
   * Share of the distance to `base` closed at each step, in percent (0 = random walk,
   * 100 = white noise around `base`). @default {20}
   */
  reversionPercent?: number;
  /** Largest |rate| per interval; the process is clamped to it. @default {"0.003"} */
  cap?: DecimalInput;
  /**
   * Where the process reads the time: the settlement time passed by the engine, or (for a
   * rate that moves within the interval, as a venue's predicted rate does) a clock.
   * @default {the settlement time}
   */
  now?: () => number;
}

const RATE_SCALE = 100_000_000n; // rates are kept in units of 1e-8

function rateUnits(value: DecimalInput, name: string): bigint {
  const d = toDecimal(value, name);
  const scaled = d.times(RATE_SCALE.toString());
  if (!scaled.isInteger()) {
    throw new RangeError(`'${name}' must have at most 8 decimals: got ${d.toString()}`);
  }
  return BigInt(scaled.toFixed(0));
}

function formatRateUnits(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / RATE_SCALE;
  const frac = (abs % RATE_SCALE).toString().padStart(8, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}

/**
 * A seeded funding premium process: a mean-reverting random walk of the rate per interval,
 * one step every `stepMs` from `start`. Step 0 is `base`; step k+1 moves
 * `reversionPercent` % of the way back to `base` plus a Gaussian-like shock of standard
 * deviation `volatility`, clamped to ± `cap`. Integer arithmetic (1e-8 units), so a seed gives
 * the same path everywhere; steps are computed once and kept.
 *
 * With different seeds per venue, the rates of one market drift apart and back together, so
 * cross-venue spreads open, persist for a few steps and close.
 *
 * @param options Seed, start, base level, volatility, step, reversion and cap.
 * @returns The source (never `undefined`: at and before `start` it is `base`).
 * @throws {RangeError} If a rate has more than 8 decimals or a number is out of range.
 *
 * @example
 * ```ts
 * import { premiumFundingRates } from "./funding.ts";
 * import { strictEqual as equal, notStrictEqual as notEqual } from "node:assert/strict";
 *
 * const hour = 3_600_000;
 * const rate = premiumFundingRates({ seed: 1, start: 0, base: "0.0001", volatility: "0.00005" });
 * equal(String(rate(hour - 1, "BTC")), "0.0001"); // step 0 is the base
 * notEqual(String(rate(5 * hour, "BTC")), "0.0001"); // later steps move
 * const again = premiumFundingRates({ seed: 1, start: 0, base: "0.0001", volatility: "0.00005" });
 * equal(String(again(5 * hour, "BTC")), String(rate(5 * hour, "BTC"))); // seeded
 * equal(String(premiumFundingRates({ seed: 2, start: 0, base: "0.0001", volatility: "0" })(9 * hour, "BTC")), "0.0001");
 * ```
 */
export function premiumFundingRates(options: PremiumProcessOptions): FundingRateSource {
  const base = rateUnits(options.base, "base");
  const vol = rateUnits(options.volatility, "volatility");
  const cap = rateUnits(options.cap ?? "0.003", "cap");
  const stepMs = options.stepMs ?? 3_600_000;
  const reversion = BigInt(options.reversionPercent ?? 20);
  if (vol < 0n || cap <= 0n || !(stepMs > 0) || reversion < 0n || reversion > 100n) {
    throw new RangeError(
      "premiumFundingRates needs volatility ≥ 0, cap > 0, stepMs > 0 and 0 ≤ reversionPercent ≤ 100",
    );
  }
  const rng = new Prng(options.seed);
  const path: bigint[] = [base];
  const clamp = (x: bigint) => (x > cap ? cap : x < -cap ? -cap : x);
  const at = (step: number): bigint => {
    while (path.length <= step) {
      const prev = path[path.length - 1];
      // Shock: vol × z, z ~ N(0,1) scaled by 2^16; rounded half away from zero.
      const num = vol * BigInt(rng.normal16());
      const shock = num >= 0n
        ? (2n * num + 65_536n) / 131_072n
        : -((-2n * num + 65_536n) / 131_072n);
      const pull = ((base - prev) * reversion) / 100n;
      path.push(clamp(prev + pull + shock));
    }
    return path[step];
  };
  return (time) => {
    const t = options.now ? options.now() : time;
    const step = Math.max(0, Math.floor((t - options.start) / stepMs));
    return formatRateUnits(at(step));
  };
}
