import { deepStrictEqual as deepEqual, ok, throws } from "node:assert/strict";
import { Decimal as PlainDecimalJs } from "decimal.js";
import { Decimal, toDecimal } from "./decimal.ts";

Deno.test("Decimal never prints exponent notation, however small or large", () => {
  deepEqual(new Decimal("0.000000000000000001").toString(), "0.000000000000000001");
  deepEqual(new Decimal("1e30").toString(), "1000000000000000000000000000000");
  deepEqual(JSON.stringify({ p: new Decimal("1e-9") }), '{"p":"0.000000001"}');
});

Deno.test("Decimal keeps 40 significant digits in products of realistic money values", () => {
  // Reference computed with an independent arbitrary-precision implementation.
  const notional = new Decimal("123456789.123456789").times("987654.321987654321");
  deepEqual(notional.toString(), "121932631356500.531347203169112635269");
});

Deno.test("toDecimal() accepts decimal strings and Decimals only", () => {
  deepEqual(toDecimal(" 0.010 ", "size").toString(), "0.01");
  deepEqual(toDecimal("-5", "x").toString(), "-5");
  deepEqual(toDecimal(".5", "x").toString(), "0.5");
  for (const bad of ["", " ", "abc", "1e-3", "0x10", "Infinity", "NaN", "1,5", "--1"]) {
    throws(() => toDecimal(bad, "size"), TypeError, bad);
  }
  throws(() => toDecimal(0.1 as unknown as string, "size"), /must be a decimal string/);
});

Deno.test("toDecimal() rebuilds values from another decimal.js configuration in ours", () => {
  const foreign = new PlainDecimalJs("1e-9");
  deepEqual(foreign.toString(), "1e-9"); // decimal.js defaults switch to exponent notation
  const ours = toDecimal(foreign as unknown as Decimal, "price");
  deepEqual(ours.toString(), "0.000000001");
  ok(ours instanceof Decimal);
});
