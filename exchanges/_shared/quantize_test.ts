import { deepStrictEqual as deepEqual, ok, throws } from "node:assert/strict";
import fc from "fast-check";
import {
  decimalsOf,
  fromScaledInteger,
  isMultipleOf,
  quantize,
  type Rounding,
  toScaledInteger,
} from "./quantize.ts";
import { Decimal } from "../../core/decimal.ts";

Deno.test("quantize() rounds in the requested direction on both signs", () => {
  const cases: [string, string, Rounding, string][] = [
    ["100.17", "0.05", "down", "100.15"],
    ["100.17", "0.05", "up", "100.2"],
    ["100.17", "0.05", "nearest", "100.15"],
    ["100.175", "0.05", "nearest", "100.2"], // half away from zero
    ["-0.0015", "0.001", "down", "-0.002"],
    ["-0.0015", "0.001", "up", "-0.001"],
    ["-0.0015", "0.001", "toward_zero", "-0.001"],
    ["-0.0015", "0.001", "away_from_zero", "-0.002"],
    ["0.0015", "0.001", "toward_zero", "0.001"],
    ["0.0015", "0.001", "away_from_zero", "0.002"],
    ["7", "5", "down", "5"],
    ["7", "2.5", "up", "7.5"],
    ["0.30", "0.1", "exact", "0.3"],
  ];
  for (const [v, step, r, want] of cases) {
    deepEqual(quantize(v, step, r).toString(), want, `${v} ${step} ${r}`);
  }
});

Deno.test("quantize() never goes through a float: 0.1 + 0.2 style values stay exact", () => {
  deepEqual(quantize("0.30000000000000004", "0.1", "down").toString(), "0.3");
  deepEqual(quantize("4050.0000000000001", "0.01", "up").toString(), "4050.01");
  deepEqual(quantize("123456789012345678.91", "0.01", "exact").toString(), "123456789012345678.91");
});

Deno.test("quantize() refuses bad input instead of guessing", () => {
  throws(() => quantize("1.5", "0", "down"), RangeError);
  throws(() => quantize("1.5", "-0.1", "down"), RangeError);
  throws(() => quantize("1.55", "0.1", "exact"), RangeError);
  throws(() => quantize("1e3", "1", "down"), TypeError);
  throws(() => quantize("NaN", "1", "down"), TypeError);
  throws(() => quantize(1.5 as unknown as string, "1", "down"), TypeError);
  throws(() => quantize(new Decimal(Infinity), "1", "down"), TypeError);
});

Deno.test("isMultipleOf() and decimalsOf() handle trailing zeros", () => {
  ok(isMultipleOf("0.30", "0.10"));
  ok(!isMultipleOf("0.31", "0.1"));
  deepEqual(decimalsOf("0.0010"), 3);
  deepEqual(decimalsOf("5"), 0);
});

/** Exact rational reference: value = digits / 10^scale, all in bigint. */
function referenceScale(int: bigint, frac: string, decimals: number): bigint {
  const scale = BigInt(frac.length);
  const num = int * 10n ** scale + (frac ? BigInt(frac) : 0n);
  return (num * 10n ** BigInt(decimals)) / 10n ** scale; // truncation toward zero (num >= 0)
}

Deno.test("toScaledInteger() truncates exactly like an integer reference (property)", () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: 10n ** 15n }),
      fc.stringMatching(/^\d{0,18}$/),
      fc.integer({ min: 0, max: 18 }),
      (int, frac, decimals) => {
        const text = frac ? `${int}.${frac}` : `${int}`;
        deepEqual(
          toScaledInteger(text, decimals, "toward_zero"),
          referenceScale(int, frac, decimals),
        );
      },
    ),
    { numRuns: 3000 },
  );
});

Deno.test("toScaledInteger() and fromScaledInteger() round-trip exact values", () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
      fc.integer({ min: 0, max: 12 }),
      (n, d) => {
        const value = fromScaledInteger(n, d);
        deepEqual(toScaledInteger(value, d, "exact"), n);
      },
    ),
    { numRuns: 2000 },
  );
  throws(() => toScaledInteger("0.0015", 3, "exact"), RangeError);
  throws(() => fromScaledInteger(2 ** 60, 2), RangeError);
  throws(() => fromScaledInteger("1.5", 2), TypeError);
});

Deno.test("quantize() and toScaledInteger() stay exact beyond 40 significant digits", () => {
  const long = "0.99999999999999999999999999999999999999999999";
  deepEqual(toScaledInteger(long, 9, "toward_zero"), 999999999n);
  deepEqual(toScaledInteger(long, 9, "up"), 1000000000n);
  deepEqual(toScaledInteger("-" + long, 9, "down"), -1000000000n);
  deepEqual(quantize(long, "0.000000001", "toward_zero").toString(), "0.999999999");
  deepEqual(
    quantize("123456789012345678901234567890.123456789012345", "0.01", "nearest").toString(),
    "123456789012345678901234567890.12",
  );
  ok(!isMultipleOf("100000000000000000000000000000000000000000.0001", "1"));
});

Deno.test("quantize() rounds like an exact rational reference (property)", () => {
  const modes: Rounding[] = ["down", "up", "toward_zero", "away_from_zero", "nearest"];
  fc.assert(
    fc.property(
      fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
      fc.integer({ min: 0, max: 20 }),
      fc.bigInt({ min: 1n, max: 10n ** 6n }),
      fc.integer({ min: 0, max: 12 }),
      fc.constantFrom(...modes),
      (vUnits, vDec, sUnits, sDec, mode) => {
        // value = vUnits / 10^vDec, step = sUnits / 10^sDec; reference in bigint at scale d.
        const d = Math.max(vDec, sDec);
        const V = vUnits * 10n ** BigInt(d - vDec);
        const S = sUnits * 10n ** BigInt(d - sDec);
        let q = V / S;
        const r = V % S;
        if (r !== 0n) {
          const neg = V < 0n;
          const away = mode === "away_from_zero" || (mode === "up" && !neg) ||
            (mode === "down" && neg) || (mode === "nearest" && (r < 0n ? -r : r) * 2n >= S);
          if (away) q += neg ? -1n : 1n;
        }
        const want = fromScaledInteger(q * S, d);
        const got = quantize(
          fromScaledInteger(vUnits, vDec),
          fromScaledInteger(sUnits, sDec),
          mode,
        );
        deepEqual(got.toString(), want.toString());
      },
    ),
    { numRuns: 3000 },
  );
});

Deno.test("fromScaledInteger() places the point without rounding long values", () => {
  deepEqual(
    fromScaledInteger(123456789012345678901234567890123456789012345n, 5).toString(),
    "1234567890123456789012345678901234567890.12345",
  );
  deepEqual(fromScaledInteger(-5n, 3).toString(), "-0.005");
  deepEqual(fromScaledInteger("0", 9).toString(), "0");
});
