/**
 * The one `Decimal` class the package uses for every price, size, balance and rate.
 *
 * It is decimal.js configured for money: 40 significant digits, half-even rounding for
 * arithmetic, and `toString()` that never switches to exponent notation (so a value can go
 * onto the wire as it is). All clones of decimal.js share one prototype, so `instanceof`
 * works for values built with any decimal.js constructor.
 *
 * @example Exact arithmetic
 * ```ts
 * import { Decimal } from "./decimal.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * deepEqual(new Decimal("0.1").plus("0.2").toString(), "0.3");
 * deepEqual(new Decimal("0.00000001").toString(), "0.00000001");
 * ```
 *
 * @module
 */
import { Decimal as DecimalJs } from "decimal.js";

/**
 * Rounding modes of decimal.js: 0 up, 1 down, 2 ceil, 3 floor, 4 half up, 5 half down,
 * 6 half even, 7 half ceil, 8 half floor.
 *
 * @example
 * ```ts
 * import { Decimal, type DecimalRounding } from "./decimal.ts";
 * const floor: DecimalRounding = Decimal.ROUND_FLOOR;
 * ```
 */
export type DecimalRounding = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/**
 * A `Decimal` instance: an exact decimal number (decimal.js). The interface lists the methods
 * the package documents and relies on; the objects are full decimal.js instances.
 *
 * @example
 * ```ts
 * import { Decimal } from "./decimal.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const price: Decimal = new Decimal("100.5");
 * equal(price.plus("0.1").toString(), "100.6");
 * ```
 */
export interface Decimal {
  /** Absolute value. */
  abs(): Decimal;
  /** Negated value. */
  neg(): Decimal;
  /** Exact sum. */
  plus(n: DecimalValue): Decimal;
  /** Exact difference. */
  minus(n: DecimalValue): Decimal;
  /** Product (exact up to 40 significant digits). */
  times(n: DecimalValue): Decimal;
  /** Quotient, rounded to 40 significant digits. */
  div(n: DecimalValue): Decimal;
  /** Remainder (sign of the dividend). */
  mod(n: DecimalValue): Decimal;
  /** Power. */
  pow(n: DecimalValue): Decimal;
  /** Rounded toward −∞ to an integer. */
  floor(): Decimal;
  /** Rounded toward +∞ to an integer. */
  ceil(): Decimal;
  /** Rounded toward zero to an integer. */
  trunc(): Decimal;
  /** Rounded to `dp` decimal places. */
  toDecimalPlaces(dp: number, rm?: DecimalRounding): Decimal;
  /** Rounded to a multiple of `n`. */
  toNearest(n: DecimalValue, rm?: DecimalRounding): Decimal;
  /** -1, 0 or 1. */
  comparedTo(n: DecimalValue): number;
  /** -1, 0 or 1. */
  cmp(n: DecimalValue): number;
  /** Equal in value. */
  eq(n: DecimalValue): boolean;
  /** Greater than. */
  gt(n: DecimalValue): boolean;
  /** Greater than or equal. */
  gte(n: DecimalValue): boolean;
  /** Less than. */
  lt(n: DecimalValue): boolean;
  /** Less than or equal. */
  lte(n: DecimalValue): boolean;
  /** Zero (either sign). */
  isZero(): boolean;
  /** Sign is positive (zero included when +0). */
  isPositive(): boolean;
  /** Sign is negative. */
  isNegative(): boolean;
  /** Whole number. */
  isInteger(): boolean;
  /** Neither infinite nor NaN. */
  isFinite(): boolean;
  /** Not a number. */
  isNaN(): boolean;
  /** Number of decimal places. */
  decimalPlaces(): number;
  /** Plain notation with `dp` decimals. */
  toFixed(dp?: number, rm?: DecimalRounding): string;
  /** Plain notation (never exponent notation for this class). */
  toString(): string;
  /** Same as `toString()`. */
  toJSON(): string;
  /** Alias of `plus`. */
  add(n: DecimalValue): Decimal;
  /** Alias of `minus`. */
  sub(n: DecimalValue): Decimal;
  /** Alias of `times`. */
  mul(n: DecimalValue): Decimal;
  /** Alias of `div`. */
  dividedBy(n: DecimalValue): Decimal;
  /** Rounded to an integer with the class rounding mode (half even). */
  round(): Decimal;
  /** Square root, rounded to 40 significant digits. */
  sqrt(): Decimal;
  /** Rounded to `sd` significant digits. */
  toSignificantDigits(sd: number, rm?: DecimalRounding): Decimal;
  /** Alias of `toDecimalPlaces`. */
  toDP(dp: number, rm?: DecimalRounding): Decimal;
  /** Alias of `decimalPlaces`. */
  dp(): number;
  /** Alias of `isNegative`. */
  isNeg(): boolean;
  /** Alias of `isPositive`. */
  isPos(): boolean;
  /** Alias of `isInteger`. */
  isInt(): boolean;
  /** Alias of `eq`. */
  equals(n: DecimalValue): boolean;
  /** Nearest binary float: for display only, never for money. */
  toNumber(): number;
  /** Same as `toString()`. */
  valueOf(): string;
}

/**
 * What the `Decimal` constructor and its statics accept. Numbers are converted through their
 * shortest decimal string; the package's own API takes {@linkcode DecimalInput} instead.
 *
 * @example
 * ```ts
 * import type { DecimalValue } from "./decimal.ts";
 * const v: DecimalValue = "0.1";
 * ```
 */
export type DecimalValue = string | number | Decimal;

/**
 * The constructor and statics of the package's `Decimal` class (the subset the package relies
 * on; the object is a full decimal.js constructor).
 *
 * @example
 * ```ts
 * import { Decimal, type DecimalConstructor } from "./decimal.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const D: DecimalConstructor = Decimal;
 * equal(D.max("1", "2").toString(), "2");
 * ```
 */
export interface DecimalConstructor {
  /** Creates a decimal. */
  new (value: DecimalValue): Decimal;
  /** Whether a value is a decimal.js `Decimal` (of any configuration). */
  isDecimal(value: unknown): value is Decimal;
  /** The largest of the values. */
  max(...values: DecimalValue[]): Decimal;
  /** The smallest of the values. */
  min(...values: DecimalValue[]): Decimal;
  /** The exact sum of the values. */
  sum(...values: DecimalValue[]): Decimal;
  /** Significant digits kept by arithmetic (40). */
  readonly precision: number;
  /** Rounding away from zero. */
  readonly ROUND_UP: 0;
  /** Rounding toward zero. */
  readonly ROUND_DOWN: 1;
  /** Rounding toward +Infinity. */
  readonly ROUND_CEIL: 2;
  /** Rounding toward -Infinity. */
  readonly ROUND_FLOOR: 3;
  /** Rounding to nearest, half away from zero. */
  readonly ROUND_HALF_UP: 4;
  /** Rounding to nearest, half toward zero. */
  readonly ROUND_HALF_DOWN: 5;
  /** Rounding to nearest, half to even. */
  readonly ROUND_HALF_EVEN: 6;
}

/**
 * Arbitrary-precision decimal number (decimal.js) configured for money.
 *
 * @example
 * ```ts
 * import { Decimal } from "./decimal.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * deepEqual(new Decimal("64400.1").times("0.001").toString(), "64.4001");
 * ```
 */
export const Decimal: DecimalConstructor = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -9e15,
  toExpPos: 9e15,
}) as unknown as DecimalConstructor;

/**
 * What the public API accepts where a decimal is expected: a `Decimal` or a decimal string.
 * Numbers are refused on purpose: a binary float cannot hold most prices exactly.
 *
 * @example
 * ```ts
 * import type { DecimalInput } from "./decimal.ts";
 * const size: DecimalInput = "0.01";
 * ```
 */
export type DecimalInput = Decimal | string;

const DECIMAL_RE = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/**
 * Converts a `DecimalInput` to a finite `Decimal`, refusing anything that is not a plain
 * decimal number (no exponents, no `NaN`, no `Infinity`, no numbers).
 *
 * @param value The value to convert.
 * @param name The name used in the error message.
 * @returns The value as a `Decimal`.
 * @throws {TypeError} If the value is not a finite decimal.
 *
 * @example
 * ```ts
 * import { toDecimal } from "./decimal.ts";
 * import { deepStrictEqual as deepEqual, throws } from "node:assert/strict";
 *
 * deepEqual(toDecimal("1.50", "size").toString(), "1.5");
 * throws(() => toDecimal("1e3", "size"), TypeError);
 * ```
 */
export function toDecimal(value: DecimalInput, name: string): Decimal {
  if (DecimalJs.isDecimal(value)) {
    const d = value as Decimal;
    if (!d.isFinite()) throw new TypeError(`'${name}' must be a finite decimal: got ${d}`);
    // A value from another decimal.js configuration is rebuilt in ours.
    return (d as { constructor?: unknown }).constructor === Decimal ? d : new Decimal(d);
  }
  if (typeof value !== "string" || !DECIMAL_RE.test(value.trim())) {
    throw new TypeError(
      `'${name}' must be a decimal string such as "0.01": got ${
        typeof value === "string" ? JSON.stringify(value) : typeof value
      }`,
    );
  }
  return new Decimal(value.trim());
}
