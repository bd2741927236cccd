/**
 * Exact quantization of prices and sizes to a venue's tick and step, and exact scaling to
 * the integers venues sign. The rounding direction is always explicit: a buy rounded up or
 * a size rounded up can cost real money, so nothing here rounds without being told how.
 *
 * @example
 * ```ts
 * import { quantize } from "./quantize.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * // A post-only buy must not cross: round its price down to the tick.
 * deepEqual(quantize("100.17", "0.05", "down").toString(), "100.15");
 * ```
 *
 * @module
 */
import { Decimal, type DecimalInput, toDecimal } from "../../core/decimal.ts";

/**
 * Rounding direction:
 * - `down` / `up`: toward −∞ / +∞ (floor / ceiling);
 * - `toward_zero` / `away_from_zero`: by magnitude (truncate / expand);
 * - `nearest`: to the nearest multiple, halves away from zero;
 * - `exact`: no rounding; a value off the grid throws.
 *
 * @example
 * ```ts
 * import type { Rounding } from "./quantize.ts";
 * const r: Rounding = "toward_zero";
 * ```
 */
export type Rounding = "down" | "up" | "toward_zero" | "away_from_zero" | "nearest" | "exact";

/**
 * Rounds a value to a multiple of `step` in the given direction.
 *
 * @param value The value (a `Decimal` or decimal string).
 * @param step The grid (tick size or size step); must be positive.
 * @param rounding The direction; `"exact"` throws when the value is off the grid.
 * @returns The quantized value, exactly a multiple of `step`.
 * @throws {RangeError} If `step` is not positive, or `rounding` is `"exact"` and the value is off the grid.
 * @throws {TypeError} If the value or step is not a decimal.
 *
 * @example
 * ```ts
 * import { quantize } from "./quantize.ts";
 * import { deepStrictEqual as deepEqual, throws } from "node:assert/strict";
 *
 * deepEqual(quantize("0.0015", "0.001", "toward_zero").toString(), "0.001");
 * deepEqual(quantize("-0.0015", "0.001", "down").toString(), "-0.002");
 * deepEqual(quantize("2.5", "1", "nearest").toString(), "3");
 * throws(() => quantize("0.0015", "0.001", "exact"), RangeError);
 * ```
 */
export function quantize(value: DecimalInput, step: DecimalInput, rounding: Rounding): Decimal {
  const v = toDecimal(value, "value");
  const st = toDecimal(step, "step");
  if (!st.gt(0)) throw new RangeError(`'step' must be positive: got ${st}`);
  // Exact integer arithmetic at a common scale: no rounding to a precision anywhere.
  const d = Math.max(v.decimalPlaces(), st.decimalPlaces());
  const V = scaleExact(v, d);
  const S = scaleExact(st, d);
  let q = V / S; // truncates toward zero
  const r = V % S;
  if (r !== 0n) {
    if (rounding === "exact") throw new RangeError(`${v} is not a multiple of ${st}`);
    if (roundsAway(rounding, V < 0n, (r < 0n ? -r : r) * 2n, S)) q += V < 0n ? -1n : 1n;
  }
  return fromScaledInteger(q * S, d);
}

/** Whether truncation toward zero must be undone by one unit away from zero. */
function roundsAway(
  rounding: Rounding,
  negative: boolean,
  twiceRest: bigint,
  unit: bigint,
): boolean {
  switch (rounding) {
    case "toward_zero":
    case "exact":
      return false;
    case "away_from_zero":
      return true;
    case "up":
      return !negative;
    case "down":
      return negative;
    case "nearest":
      return twiceRest >= unit;
  }
}

/** `value × 10^decimals` exactly, from the decimal's own digits; the value must fit. */
function scaleExact(value: Decimal, decimals: number): bigint {
  const text = value.toFixed();
  const negative = text.startsWith("-");
  const [int, frac = ""] = (negative ? text.slice(1) : text).split(".");
  const magnitude = BigInt(int + frac.padEnd(decimals, "0"));
  return negative ? -magnitude : magnitude;
}

/**
 * Whether `value` is an exact multiple of `step`.
 *
 * @param value The value.
 * @param step The grid; must be positive.
 * @returns `true` when `value / step` is an integer.
 *
 * @example
 * ```ts
 * import { isMultipleOf } from "./quantize.ts";
 * import { ok } from "node:assert/strict";
 *
 * ok(isMultipleOf("0.30", "0.1"));
 * ok(!isMultipleOf("0.35", "0.1"));
 * ```
 */
export function isMultipleOf(value: DecimalInput, step: DecimalInput): boolean {
  const v = toDecimal(value, "value");
  const st = toDecimal(step, "step");
  if (!st.gt(0)) throw new RangeError(`'step' must be positive: got ${st}`);
  const d = Math.max(v.decimalPlaces(), st.decimalPlaces());
  return scaleExact(v, d) % scaleExact(st, d) === 0n;
}

/**
 * Number of decimal places of a tick or step (`"0.001"` → 3, `"5"` → 0, `"0.05"` → 2).
 *
 * @param step The tick or step.
 * @returns Its decimal places.
 *
 * @example
 * ```ts
 * import { decimalsOf } from "./quantize.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * deepEqual(decimalsOf("0.0010"), 3);
 * ```
 */
export function decimalsOf(step: DecimalInput): number {
  return toDecimal(step, "step").decimalPlaces();
}

/**
 * Scales a decimal by `10^decimals` to the integer a venue signs (`price × 1e9`, `size × 10^base_decimals`),
 * exactly, with an explicit rounding for values that have more decimals than the scale.
 *
 * @param value The value.
 * @param decimals The power of ten (0 … 60).
 * @param rounding How to round excess decimals; `"exact"` throws on any.
 * @returns The scaled integer.
 * @throws {RangeError} On `"exact"` with excess decimals, or a bad `decimals`.
 *
 * @example
 * ```ts
 * import { toScaledInteger } from "./quantize.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * deepEqual(toScaledInteger("64400.1", 9, "exact"), 64400100000000n);
 * deepEqual(toScaledInteger("0.0000000019", 9, "toward_zero"), 1n);
 * ```
 */
export function toScaledInteger(value: DecimalInput, decimals: number, rounding: Rounding): bigint {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 60) {
    throw new RangeError(`'decimals' must be an integer in 0..60: got ${decimals}`);
  }
  const v = toDecimal(value, "value");
  const extra = Math.max(0, v.decimalPlaces() - decimals);
  const all = scaleExact(v, decimals + extra); // exact, with every digit
  if (extra === 0) return all;
  const unit = 10n ** BigInt(extra);
  let q = all / unit;
  const r = all % unit;
  if (r !== 0n) {
    if (rounding === "exact") {
      throw new RangeError(`${v} has more than ${decimals} decimal places`);
    }
    if (roundsAway(rounding, all < 0n, (r < 0n ? -r : r) * 2n, unit)) q += all < 0n ? -1n : 1n;
  }
  return q;
}

/**
 * The inverse of {@linkcode toScaledInteger}: an integer scaled by `10^decimals` back to a `Decimal`.
 *
 * @param value The scaled integer (bigint, safe integer number, or integer string).
 * @param decimals The power of ten.
 * @returns The exact decimal value.
 *
 * @example
 * ```ts
 * import { fromScaledInteger } from "./quantize.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * deepEqual(fromScaledInteger(405000n, 2).toString(), "4050");
 * ```
 */
export function fromScaledInteger(value: bigint | number | string, decimals: number): Decimal {
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    throw new RangeError(`scaled value must be a safe integer: got ${value}`);
  }
  const s = typeof value === "string" ? value.trim() : value.toString();
  if (!/^-?\d+$/.test(s)) throw new TypeError(`scaled value must be an integer: got ${s}`);
  if (!Number.isInteger(decimals) || decimals < 0) {
    throw new RangeError(`'decimals' must be a non-negative integer: got ${decimals}`);
  }
  // Place the decimal point in the digits: exact at any length (division would round).
  const negative = s.startsWith("-");
  const digits = (negative ? s.slice(1) : s).padStart(decimals + 1, "0");
  const cut = digits.length - decimals;
  const text = decimals === 0 ? digits : `${digits.slice(0, cut)}.${digits.slice(cut)}`;
  return new Decimal(negative ? `-${text}` : text);
}
