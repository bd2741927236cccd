/**
 * Exact scaled-integer helpers shared by the simulator: parse decimal strings into integers of
 * a given scale and format them back, without ever going through a float.
 *
 * @module
 */
import { Decimal, type DecimalInput, toDecimal } from "../core/decimal.ts";

/** Decimal places of every cash amount held by the engine (cash is a bigint of 10^-24 units). */
export const CASH_DECIMALS = 24;

const POW10: bigint[] = [];
for (let i = 0; i <= 80; i++) POW10.push(10n ** BigInt(i));

/** 10^n as a bigint. */
export function pow10(n: number): bigint {
  return n <= 80 ? POW10[n] : 10n ** BigInt(n);
}

const PLAIN_RE = /^(\d+)(?:\.(\d*))?$/;

/**
 * Parses a non-negative decimal string into an integer count of `10^-decimals` units, as a
 * number, on the fast path. Returns `undefined` when the value is not a plain non-negative
 * decimal, has non-zero digits beyond `decimals`, or does not fit in a safe integer.
 */
export function parseScaledFast(text: string, decimals: number): number | undefined {
  const m = PLAIN_RE.exec(text);
  if (m === null) return undefined;
  let frac = m[2] ?? "";
  if (frac.length > decimals) {
    const extra = frac.slice(decimals);
    if (!/^0*$/.test(extra)) return undefined;
    frac = frac.slice(0, decimals);
  }
  const digits = m[1] + frac.padEnd(decimals, "0");
  if (digits.length > 15) {
    const n = Number(digits);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return Number(digits);
}

/**
 * Converts a decimal to an exact bigint count of `10^-decimals` units.
 *
 * @returns The scaled integer, or `undefined` if the value has more decimal places.
 */
export function toScaledBigInt(value: Decimal, decimals: number): bigint | undefined {
  const scaled = value.times(new Decimal(10).pow(decimals));
  if (!scaled.isInteger()) return undefined;
  return BigInt(scaled.toFixed(0));
}

/** Formats an integer count of `10^-decimals` units as a canonical decimal string. */
export function formatScaled(value: bigint | number, decimals: number): string {
  let neg = false;
  let s: string;
  if (typeof value === "bigint") {
    if (value < 0n) {
      neg = true;
      value = -value;
    }
    s = value.toString();
  } else {
    if (value < 0) {
      neg = true;
      value = -value;
    }
    s = value.toString();
  }
  if (decimals === 0) return neg && s !== "0" ? "-" + s : s;
  if (s.length <= decimals) s = "0".repeat(decimals - s.length + 1) + s;
  const intPart = s.slice(0, s.length - decimals);
  let fracPart = s.slice(s.length - decimals);
  let end = fracPart.length;
  while (end > 0 && fracPart.charCodeAt(end - 1) === 48) end--;
  fracPart = fracPart.slice(0, end);
  const out = fracPart.length ? `${intPart}.${fracPart}` : intPart;
  return neg && out !== "0" ? "-" + out : out;
}

/** Number of decimal places needed to write `value` exactly. */
export function decimalsOf(value: Decimal): number {
  return value.decimalPlaces();
}

/** Parses a cash amount into 10^-24 units; throws a `TypeError` on a bad or too precise value. */
export function parseCash(value: DecimalInput, name: string): bigint {
  const d = toDecimal(value, name);
  const scaled = toScaledBigInt(d, CASH_DECIMALS);
  if (scaled === undefined) {
    throw new TypeError(`'${name}' must have at most ${CASH_DECIMALS} decimal places: got ${d}`);
  }
  return scaled;
}

/** Formats 10^-24 cash units as a decimal string. */
export function formatCash(atoms: bigint): string {
  return formatScaled(atoms, CASH_DECIMALS);
}

/** Ceiling division of bigints with a positive divisor. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b > 0n ? q + 1n : q;
}

/** A positive rational number `num / den` kept as bigints. */
export interface Ratio {
  /** Numerator. */
  num: bigint;
  /** Denominator (> 0). */
  den: bigint;
}

/** Converts a positive decimal into an exact {@linkcode Ratio}. */
export function ratioOf(value: Decimal): Ratio {
  const dp = value.decimalPlaces();
  const den = pow10(dp);
  const num = BigInt(value.times(new Decimal(10).pow(dp)).toFixed(0));
  return { num, den };
}
