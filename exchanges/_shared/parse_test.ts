import { deepStrictEqual as deepEqual, ok, strictEqual as equal, throws } from "node:assert/strict";
import { z } from "zod";
import { Decimal } from "../../core/decimal.ts";
import { MalformedPayloadError } from "../../core/errors.ts";
import { decimalString, integerString, lenientDecimal, parsePayload, timestamp } from "./parse.ts";

function malformed(fn: () => unknown): MalformedPayloadError {
  try {
    fn();
  } catch (e) {
    ok(e instanceof MalformedPayloadError, `expected MalformedPayloadError, got ${e}`);
    return e;
  }
  throw new Error("expected a MalformedPayloadError, nothing was thrown");
}

const Ticker = z.object({
  result: z.array(z.object({ instrument: z.string(), mark_price: decimalString })),
});

Deno.test("parsePayload() returns the parsed, transformed value", () => {
  const out = parsePayload(Ticker, {
    result: [{ instrument: "BTC_USDT_Perp", mark_price: "1.5" }],
  });
  equal(out.result[0].instrument, "BTC_USDT_Perp");
  ok(out.result[0].mark_price instanceof Decimal);
  equal(out.result[0].mark_price.toString(), "1.5");
});

Deno.test("parsePayload() names venue, endpoint and the dotted path of the bad field", () => {
  const e = malformed(() =>
    parsePayload(
      Ticker,
      { result: [{ instrument: "BTC_USDT_Perp", mark_price: 64400.1 }] },
      { venue: "grvt", endpoint: "full/v1/ticker" },
    )
  );
  equal(e.field, "result.0.mark_price");
  equal(e.venue, "grvt");
  equal(e.endpoint, "full/v1/ticker");
  equal(
    e.message,
    `Malformed payload on grvt full/v1/ticker: field 'result.0.mark_price' ` +
      `expected a decimal string such as "0.01", received number 64400.1`,
  );
});

Deno.test("parsePayload() says when a required field is missing", () => {
  const e = malformed(() => parsePayload(Ticker, { result: [{ mark_price: "1" }] }));
  equal(e.field, "result.0.instrument");
  ok(e.message.includes("expected string, received nothing (the field is missing)"), e.message);
});

Deno.test("parsePayload() reports a wrong root type with an empty field", () => {
  const e = malformed(() => parsePayload(Ticker, "<html>502</html>"));
  equal(e.field, "");
  ok(e.message.includes("field '(root)' expected object, received string \"<html>502</html>\""));
});

Deno.test("parsePayload() names an unknown key of a strict object", () => {
  const e = malformed(() => parsePayload(z.object({ a: z.number() }).strict(), { a: 1, b: 2 }));
  equal(e.field, "b");
});

Deno.test("parsePayload() reports the union branch that got furthest into the value", () => {
  const Level = z.union([
    z.tuple([decimalString, decimalString]),
    z.object({ price: decimalString }),
  ]);
  const e = malformed(() =>
    parsePayload(z.object({ bids: z.array(Level) }), { bids: [{ price: 1 }] })
  );
  equal(e.field, "bids.0.price");
  ok(e.message.includes("received number 1"), e.message);

  const e2 = malformed(() => parsePayload(z.union([z.string(), z.number()]), true));
  equal(e2.field, "");
  ok(e2.message.includes("expected string or number, received boolean true"), e2.message);
});

Deno.test("parsePayload() shows enum options and truncates long received strings", () => {
  const e = malformed(() =>
    parsePayload(z.object({ side: z.enum(["BUY", "SELL"]) }), { side: "x".repeat(200) })
  );
  equal(e.field, "side");
  ok(e.message.includes('expected one of "BUY"|"SELL"'), e.message);
  ok(e.message.includes(`received string "${"x".repeat(60)}…"`), e.message);
  ok(!e.message.includes("x".repeat(61)));
});

Deno.test("decimalString accepts plain decimal strings only", () => {
  for (
    const [input, out] of [["0", "0"], ["-0.0001", "-0.0001"], ["+12.50", "12.5"], [".5", "0.5"]]
  ) {
    equal(decimalString.parse(input).toString(), out);
  }
  for (
    const bad of [1, 0.1, "", " 1", "1 ", "1e-5", "1E5", "NaN", "Infinity", "0x10", "1,5", null]
  ) {
    equal(decimalString.safeParse(bad).success, false, `accepted ${JSON.stringify(bad)}`);
  }
});

Deno.test("decimalString keeps every digit of a long value", () => {
  equal(
    decimalString.parse("123456789012345678901.000000000000000001").toString(),
    "123456789012345678901.000000000000000001",
  );
});

Deno.test("lenientDecimal accepts safe-integer numbers and decimal strings, nothing else", () => {
  equal(lenientDecimal.parse(42).toString(), "42");
  equal(lenientDecimal.parse(-7).toString(), "-7");
  equal(lenientDecimal.parse("0.25").toString(), "0.25");
  for (const bad of [4.2, 2 ** 60, Number.NaN, Infinity, "1e3", "", true]) {
    equal(lenientDecimal.safeParse(bad).success, false, `accepted ${String(bad)}`);
  }
  const e = malformed(() => parsePayload(z.object({ size: lenientDecimal }), { size: 0.1 }));
  equal(e.field, "size");
  ok(e.message.includes("or a safe integer, received number 0.1"), e.message);
});

Deno.test("integerString() parses uint64 strings to bigint within range", () => {
  const u64 = integerString();
  equal(u64.parse("0"), 0n);
  equal(u64.parse("18446744073709551615"), 2n ** 64n - 1n);
  for (const bad of ["18446744073709551616", "-1", "1.0", "", "0x1", 5, null]) {
    equal(u64.safeParse(bad).success, false, `accepted ${String(bad)}`);
  }
  const e = malformed(() => parsePayload(z.object({ id: u64 }), { id: "18446744073709551616" }));
  ok(e.message.includes("expected a uint64 in [0, 18446744073709551615]"), e.message);
});

Deno.test("integerString() supports signed widths, string output and JSON numbers when asked", () => {
  const i64 = integerString({ signed: true });
  equal(i64.parse("-9223372036854775808"), -(2n ** 63n));
  equal(i64.safeParse("9223372036854775808").success, false);
  const asString = integerString({ as: "string", bits: 48 });
  equal(asString.parse("000123"), "123");
  equal(asString.safeParse(String(2 ** 48)).success, false);
  const lenient = integerString({ allowNumber: true });
  equal(lenient.parse(281474976710655), 281474976710655n);
  equal(lenient.safeParse(2 ** 60).success, false);
  equal(lenient.safeParse(1.5).success, false);
  throws(() => integerString({ bits: 0 }), RangeError);
});

Deno.test("timestamp() converts s, ms, µs and ns to whole milliseconds", () => {
  equal(timestamp("s").parse(1_700_000_000), 1_700_000_000_000);
  equal(timestamp().parse("1700000000123"), 1_700_000_000_123);
  equal(timestamp("us").parse("1700000000123999"), 1_700_000_000_123);
  equal(timestamp("ns").parse("1700000000123456789"), 1_700_000_000_123);
  equal(timestamp("ns").parse(1_700_000_000_123_456_789), 1_700_000_000_123);
  equal(timestamp("ms").parse("0"), 0);
});

Deno.test("timestamp() refuses negatives, fractions, garbage and unit mix-ups", () => {
  for (const bad of [-1, "-1", 1.5, "1.5", "", "abc", null]) {
    equal(timestamp("ms").safeParse(bad).success, false, `accepted ${String(bad)}`);
  }
  equal(timestamp("ms").safeParse(2 ** 60).success, false);
  const e = malformed(() =>
    parsePayload(z.object({ t: timestamp("ms") }), { t: "1700000000123456" })
  );
  ok(e.message.includes("before the year 3000 (is the unit right?)"), e.message);
});

Deno.test("schema building blocks expose their input and output types", () => {
  const S = z.object({ p: decimalString, id: integerString(), t: timestamp("ns") });
  type In = z.input<typeof S>;
  const wire: In = { p: "1", id: "2", t: "3000000" };
  const out = S.parse(wire);
  deepEqual([out.p.toString(), out.id, out.t], ["1", 2n, 3]);
});

Deno.test("parsePayload() uses a building block's own wording when no union branch fits", () => {
  const e = malformed(() => parsePayload(z.object({ size: lenientDecimal }), {}));
  equal(
    e.message,
    `Malformed payload: field 'size' expected a decimal string such as "0.01" or a safe integer, ` +
      "received nothing (the field is missing)",
  );
});
