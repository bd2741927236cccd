/**
 * Schema-checked payloads: {@linkcode parsePayload} runs a zod schema and turns a mismatch into
 * a {@linkcode MalformedPayloadError} naming the venue, the endpoint and the dotted path of the
 * field, with what was expected and what was received. Never a silent `undefined`.
 *
 * Also the zod building blocks every venue needs for wire values:
 * {@linkcode decimalString} (strict), {@linkcode lenientDecimal}, {@linkcode integerString}
 * (uint64 ids) and {@linkcode timestamp} (s / ms / µs / ns to ms).
 *
 * @example
 * ```ts
 * import { decimalString, parsePayload } from "./parse.ts";
 * import { MalformedPayloadError } from "../../core/errors.ts";
 * import { strictEqual as equal, throws } from "node:assert/strict";
 * import { z } from "zod";
 *
 * const Ticker = z.object({ result: z.array(z.object({ mark_price: decimalString })) });
 * const ok = parsePayload(Ticker, { result: [{ mark_price: "64400.1" }] }, { venue: "grvt" });
 * equal(ok.result[0].mark_price.toString(), "64400.1");
 *
 * throws(
 *   () => parsePayload(Ticker, { result: [{ mark_price: 64400.1 }] }, { venue: "grvt" }),
 *   (e: unknown) => e instanceof MalformedPayloadError && e.field === "result.0.mark_price",
 * );
 * ```
 *
 * @module
 */
import { z } from "zod";
import { Decimal } from "../../core/decimal.ts";
import { MalformedPayloadError, type VenueName } from "../../core/errors.ts";

/**
 * Where a payload came from, for the error message.
 *
 * @example
 * ```ts
 * import type { ParseOptions } from "./parse.ts";
 * const where: ParseOptions = { venue: "lighter", endpoint: "/api/v1/orderBooks" };
 * ```
 */
export interface ParseOptions {
  /** The venue that sent the payload. @default {undefined} */
  venue?: VenueName;
  /** The REST path, RPC method or WebSocket channel it came from. @default {undefined} */
  endpoint?: string;
}

/**
 * Parses a payload with a zod schema.
 *
 * On a mismatch the first issue becomes a {@linkcode MalformedPayloadError}: `field` is its
 * dotted path (`result.0.mark_price`; for an unknown key in a strict object, the key itself),
 * and the message says what was expected and what was received. For a union that matched no
 * branch, the branch that got furthest into the value is reported.
 *
 * @param schema The zod schema (synchronous: no async refinements).
 * @param value The decoded payload.
 * @param options The venue and endpoint named in the error.
 * @returns The parsed (and transformed) value.
 * @throws {MalformedPayloadError} If the value does not match the schema.
 *
 * @example
 * ```ts
 * import { parsePayload } from "./parse.ts";
 * import { MalformedPayloadError } from "../../core/errors.ts";
 * import { throws } from "node:assert/strict";
 * import { z } from "zod";
 *
 * throws(
 *   () => parsePayload(z.object({ code: z.number() }), { code: "7" }, { venue: "edgex", endpoint: "getServerTime" }),
 *   MalformedPayloadError,
 *   // Malformed payload on edgex getServerTime: field 'code' expected number, received string "7"
 * );
 * ```
 */
export function parsePayload<S extends z.ZodType>(
  schema: S,
  value: unknown,
  options: ParseOptions = {},
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { field, details } = explain(result.error.issues, value);
  return throwMalformed(field, details, options);
}

function throwMalformed(field: string, details: string, options: ParseOptions): never {
  throw new MalformedPayloadError(field, {
    venue: options.venue,
    endpoint: options.endpoint,
    details,
  });
}

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

function explain(issues: readonly Issue[], root: unknown): { field: string; details: string } {
  const issue = issues[0];
  if (!issue) return { field: "", details: "does not match the schema" };
  const { path, text } = describeIssue(issue, []);
  const field = path.map((k) => String(k)).join(".");
  return { field, details: `${text}, received ${describeValueAt(root, path)}` };
}

/** Reduces an issue to a full path and an "expected …" text without zod's "received …" part. */
function describeIssue(issue: Issue, prefix: PathKey[]): { path: PathKey[]; text: string } {
  const path = [...prefix, ...issue.path];
  switch (issue.code) {
    case "invalid_type":
      return { path, text: cleanMessage(issue.message, `expected ${issue.expected}`) };
    case "unrecognized_keys":
      return { path: [...path, issue.keys[0] ?? ""], text: "expected no such key" };
    case "invalid_union": {
      const branches = issue.errors.map((b) => b[0]).filter((i): i is Issue => i !== undefined);
      if (branches.length === 0) return { path, text: cleanMessage(issue.message) };
      // The branch that got deepest into the value is the one the venue most likely meant.
      const deepest = branches.reduce((a, b) => (b.path.length > a.path.length ? b : a));
      if (deepest.path.length > 0) return describeIssue(deepest, path);
      // A union built with its own `error` message says best what it wanted.
      if (issue.message !== "Invalid input") return { path, text: cleanMessage(issue.message) };
      const expected = [...new Set(branches.map((b) => describeIssue(b, []).text))]
        .map((t) => t.replace(/^expected /, ""));
      return { path, text: `expected ${expected.join(" or ")}` };
    }
    default:
      return { path, text: cleanMessage(issue.message) };
  }
}

function cleanMessage(message: string, fallback = "a valid value"): string {
  const text = message
    .replace(/^Invalid input:\s*/, "")
    .replace(/,?\s*received \w+$/, "")
    .trim();
  if (!text || text === "Invalid input") {
    return fallback.startsWith("expected") ? fallback : `expected ${fallback}`;
  }
  return /^expected\b/i.test(text) ? text : `expected ${lowerFirst(text)}`;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

const MAX_SHOWN = 60;

function describeValueAt(root: unknown, path: readonly PathKey[]): string {
  let parent: unknown = undefined;
  let value: unknown = root;
  for (const key of path) {
    parent = value;
    value = value !== null && typeof value === "object"
      ? (value as Record<PropertyKey, unknown>)[key]
      : undefined;
  }
  if (value === undefined) {
    const last = path.at(-1);
    const missing = path.length > 0 && parent !== null && typeof parent === "object" &&
      last !== undefined && !(last in parent);
    return missing ? "nothing (the field is missing)" : "undefined";
  }
  return describeValue(value);
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `array of length ${value.length}`;
  switch (typeof value) {
    case "string": {
      const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
      return `string ${JSON.stringify(shown)}`;
    }
    case "number":
    case "bigint":
    case "boolean":
      return `${typeof value} ${String(value)}`;
    case "object":
      return "object";
    default:
      return typeof value;
  }
}

const DECIMAL_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

function toDecimalOrIssue(
  text: string,
  ctx: z.core.$RefinementCtx<unknown>,
  expected: string,
): Decimal {
  if (!DECIMAL_RE.test(text)) {
    ctx.issues.push({ code: "custom", message: expected, input: text });
    return z.NEVER;
  }
  return new Decimal(text);
}

const STRICT_DECIMAL = 'expected a decimal string such as "0.01"';

/**
 * A decimal number sent as a string (`"64400.1"`, `"-0.0001"`), parsed to an exact `Decimal`.
 * Strict: JSON numbers, exponents (`"1e-5"`), `NaN`, `Infinity`, blanks and the empty string
 * are refused, because each means the venue changed its format or a float crept in.
 *
 * @example
 * ```ts
 * import { decimalString } from "./parse.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * equal(decimalString.parse("0.00000001").toString(), "0.00000001");
 * equal(decimalString.safeParse(0.1).success, false);
 * equal(decimalString.safeParse("1e-8").success, false);
 * equal(decimalString.safeParse("").success, false);
 * ```
 */
export const decimalString: z.ZodType<Decimal, string> = z
  .string({ error: STRICT_DECIMAL })
  .transform((s, ctx) => toDecimalOrIssue(s, ctx, STRICT_DECIMAL));

const LENIENT_DECIMAL = 'expected a decimal string such as "0.01" or a safe integer';

/**
 * Like {@linkcode decimalString}, but a JSON number is also accepted when it is a safe integer
 * (`42`, not `4.2`, not `2 ** 60`). Some venues send small integers as numbers in one response
 * and as strings in the next; a fractional or huge JSON number has already been rounded by the
 * JSON parser, so it is refused rather than trusted.
 *
 * @example
 * ```ts
 * import { lenientDecimal } from "./parse.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * equal(lenientDecimal.parse(100).toString(), "100");
 * equal(lenientDecimal.parse("0.5").toString(), "0.5");
 * equal(lenientDecimal.safeParse(0.5).success, false);
 * ```
 */
export const lenientDecimal: z.ZodType<Decimal, string | number> = z
  .union([z.string(), z.number()], { error: LENIENT_DECIMAL })
  .transform((v, ctx) => {
    if (typeof v === "number") {
      if (!Number.isSafeInteger(v)) {
        ctx.issues.push({ code: "custom", message: LENIENT_DECIMAL, input: v });
        return z.NEVER;
      }
      return new Decimal(v);
    }
    return toDecimalOrIssue(v, ctx, LENIENT_DECIMAL);
  });

/**
 * Options of {@linkcode integerString}.
 *
 * @example
 * ```ts
 * import type { IntegerStringOptions } from "./parse.ts";
 * const int64: IntegerStringOptions = { signed: true, bits: 64 };
 * ```
 */
export interface IntegerStringOptions {
  /** What the schema produces: a `bigint`, or the canonical decimal string. @default {"bigint"} */
  as?: "bigint" | "string";
  /** Whether negative values are allowed (two's-complement range). @default {false} */
  signed?: boolean;
  /** Width of the integer; values outside its range are refused. @default {64} */
  bits?: number;
  /** Also accept a JSON number when it is a safe integer. @default {false} */
  allowNumber?: boolean;
}

/**
 * An integer sent as a decimal string (uint64 order ids, nonces, client order ids), checked
 * against the range of a `bits`-wide integer and returned as a `bigint` or canonical string.
 *
 * @param options Output form, signedness, width and whether JSON numbers are accepted.
 * @returns A zod schema.
 * @throws {RangeError} If `bits` is not an integer between 1 and 256.
 *
 * @example
 * ```ts
 * import { integerString } from "./parse.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * equal(integerString().parse("18446744073709551615"), 18446744073709551615n);
 * equal(integerString().safeParse("18446744073709551616").success, false);
 * equal(integerString({ as: "string" }).parse("0042"), "42");
 * ```
 */
export function integerString(
  options: IntegerStringOptions & { as: "string" },
): z.ZodType<string, string | number>;
/**
 * An integer sent as a decimal string, returned as a `bigint` (the default output form).
 *
 * @param options Signedness, width and whether JSON numbers are accepted.
 * @returns A zod schema producing a `bigint`.
 * @throws {RangeError} If `bits` is not an integer between 1 and 256.
 *
 * @example
 * ```ts
 * import { integerString } from "./parse.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * equal(integerString({ signed: true }).parse("-5"), -5n);
 * ```
 */
export function integerString(
  options?: IntegerStringOptions & { as?: "bigint" },
): z.ZodType<bigint, string | number>;
export function integerString(
  options: IntegerStringOptions = {},
): z.ZodType<bigint | string, string | number> {
  const { as = "bigint", signed = false, bits = 64, allowNumber = false } = options;
  if (!Number.isInteger(bits) || bits < 1 || bits > 256) {
    throw new RangeError(
      `Cannot build integer schema as 'bits' must be an integer in [1, 256]: current value is ${bits}`,
    );
  }
  const width = BigInt(bits);
  const min = signed ? -(1n << (width - 1n)) : 0n;
  const max = signed ? (1n << (width - 1n)) - 1n : (1n << width) - 1n;
  const kind = `${signed ? "int" : "uint"}${bits}`;
  const expected = `expected a ${kind} as a string of digits${
    allowNumber ? " or a safe integer" : ""
  }`;
  const input = allowNumber
    ? z.union([z.string(), z.number()], { error: expected })
    : z.string({ error: expected });
  return input.transform((v, ctx) => {
    const ok = typeof v === "number" ? Number.isSafeInteger(v) : /^[+-]?\d+$/.test(v);
    if (!ok) {
      ctx.issues.push({ code: "custom", message: expected, input: v });
      return z.NEVER;
    }
    const n = BigInt(v);
    if (n < min || n > max) {
      ctx.issues.push({
        code: "custom",
        message: `expected a ${kind} in [${min}, ${max}]`,
        input: v,
      });
      return z.NEVER;
    }
    return as === "string" ? n.toString() : n;
  });
}

/**
 * Units a venue may express a timestamp in.
 *
 * @example
 * ```ts
 * import type { TimeUnit } from "./parse.ts";
 * const grvt: TimeUnit = "ns";
 * ```
 */
export type TimeUnit = "s" | "ms" | "us" | "ns";

const PER_MS: Record<TimeUnit, bigint> = { s: 1n, ms: 1n, us: 1_000n, ns: 1_000_000n };

/** 3000-01-01T00:00:00Z; anything later is a unit mix-up (µs read as ms), not a date. */
const LATEST_MS = 32_503_680_000_000;

/**
 * A timestamp in the given unit, sent as a string of digits or a JSON integer, converted to
 * whole milliseconds since the epoch (sub-millisecond parts are truncated). Nanosecond values
 * exceed 2⁵³ and so must come as strings to be exact; a JSON number is still accepted because
 * its rounding error stays below a millisecond. Values after the year 3000 are refused: they
 * mean the unit is wrong.
 *
 * @param unit The unit on the wire. @default {"ms"}
 * @returns A zod schema producing milliseconds since the epoch.
 *
 * @example
 * ```ts
 * import { timestamp } from "./parse.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * equal(timestamp("ns").parse("1700000000123456789"), 1700000000123);
 * equal(timestamp("ms").parse(1700000000123), 1700000000123);
 * equal(timestamp("s").parse("1700000000"), 1700000000000);
 * equal(timestamp("ms").safeParse("1700000000123456").success, false); // that is µs
 * ```
 */
export function timestamp(unit: TimeUnit = "ms"): z.ZodType<number, string | number> {
  const expected = `expected a timestamp in ${unit} as an integer or a string of digits`;
  return z.union([z.string(), z.number()], { error: expected }).transform((v, ctx) => {
    let n: bigint;
    if (typeof v === "number") {
      // Only s and ms need every digit; a rounded ns/µs number is still right to the ms.
      const exactEnough = unit === "s" || unit === "ms"
        ? Number.isSafeInteger(v)
        : Number.isInteger(v);
      if (!exactEnough || v < 0) {
        ctx.issues.push({ code: "custom", message: expected, input: v });
        return z.NEVER;
      }
      n = BigInt(v);
    } else {
      if (!/^\d+$/.test(v)) {
        ctx.issues.push({ code: "custom", message: expected, input: v });
        return z.NEVER;
      }
      n = BigInt(v);
    }
    const ms = unit === "s" ? n * 1_000n : n / PER_MS[unit];
    if (ms > BigInt(LATEST_MS)) {
      ctx.issues.push({
        code: "custom",
        message: `expected a timestamp in ${unit} before the year 3000 (is the unit right?)`,
        input: v,
      });
      return z.NEVER;
    }
    return Number(ms);
  });
}
