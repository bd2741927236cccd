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
 * import { deepEqual } from "node:assert/strict";
 *
 * deepEqual(new Decimal("0.1").plus("0.2").toString(), "0.3");
 * deepEqual(new Decimal("0.00000001").toString(), "0.00000001");
 * ```
 *
 * @module
 */
import { Decimal as DecimalJs } from "decimal.js";

/**
 * Arbitrary-precision decimal number (decimal.js) configured for money.
 *
 * @example
 * ```ts
 * import { Decimal } from "./decimal.ts";
 * import { deepEqual } from "node:assert/strict";
 *
 * deepEqual(new Decimal("64400.1").times("0.001").toString(), "64.4001");
 * ```
 */
export const Decimal: typeof DecimalJs = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -9e15,
  toExpPos: 9e15,
});

/**
 * A `Decimal` instance.
 *
 * @example
 * ```ts
 * import { Decimal } from "./decimal.ts";
 * const price: Decimal = new Decimal("100.5");
 * ```
 */
export type Decimal = DecimalJs;

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
 * import { deepEqual, throws } from "node:assert/strict";
 *
 * deepEqual(toDecimal("1.50", "size").toString(), "1.5");
 * throws(() => toDecimal("1e3", "size"), TypeError);
 * ```
 */
export function toDecimal(value: DecimalInput, name: string): Decimal {
  if (DecimalJs.isDecimal(value)) {
    const d = value as Decimal;
    if (!d.isFinite()) throw new TypeError(`'${name}' must be a finite decimal: got ${d}`);
    return d instanceof Decimal ? d : new Decimal(d);
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
