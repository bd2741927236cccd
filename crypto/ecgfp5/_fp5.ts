/**
 * The quintic extension GF(p^5) = GF(p)[z]/(z^5 − 3) of the Goldilocks field (lighter.md §5.6).
 *
 * An element is a `Float64Array(10)` holding the halves of its five coefficients
 * `[lo0, hi0, lo1, hi1, …, lo4, hi4]` (see `_goldilocks.ts`). Every operation writes into a
 * caller-supplied output, which may alias an input. Multiplication accumulates exact 16-bit
 * limb products per output coefficient and reduces once per coefficient.
 *
 * @module
 */
import {
  bigOf,
  halvesOf,
  inverseInto,
  mulInto,
  P,
  powBig,
  reduceColumns,
  reduceInto,
  sqrtBig,
} from "./_goldilocks.ts";

/** An element of GF(p^5): halves of the five coefficients. */
export type Fp5 = Float64Array;

/**
 * A new zero element.
 *
 * @returns `0`.
 */
export function fp5(): Fp5 {
  return new Float64Array(10);
}

/**
 * An element from its five canonical coefficients.
 *
 * @param c Coefficients a0..a4 (reduced mod p).
 * @returns The element.
 */
export function fp5FromBigInts(c: readonly bigint[]): Fp5 {
  const out = fp5();
  for (let i = 0; i < 5; i++) {
    const [lo, hi] = halvesOf(c[i] ?? 0n);
    out[2 * i] = lo;
    out[2 * i + 1] = hi;
  }
  return out;
}

/**
 * The five coefficients as bigints.
 *
 * @param a The element.
 * @returns Coefficients a0..a4.
 */
export function fp5ToBigInts(a: Fp5): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < 5; i++) out.push(bigOf(a[2 * i], a[2 * i + 1]));
  return out;
}

/**
 * Decodes 40 little-endian bytes (5 × 8). Returns `undefined` when a coefficient is not
 * canonical (≥ p).
 *
 * @param bytes At least `offset + 40` bytes.
 * @param offset Where the element starts.
 * @returns The element, or `undefined`.
 */
export function fp5FromBytes(bytes: Uint8Array, offset = 0): Fp5 | undefined {
  const out = fp5();
  for (let i = 0; i < 5; i++) {
    const o = offset + 8 * i;
    const lo = (bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24)) >>> 0;
    const hi =
      (bytes[o + 4] | (bytes[o + 5] << 8) | (bytes[o + 6] << 16) | (bytes[o + 7] << 24)) >>> 0;
    if (hi === 0xffffffff && lo !== 0) return undefined;
    out[2 * i] = lo;
    out[2 * i + 1] = hi;
  }
  return out;
}

/**
 * Encodes as 40 little-endian bytes.
 *
 * @param a The element.
 * @param out Destination (a new array by default).
 * @param offset Where to write.
 * @returns `out`.
 */
export function fp5ToBytes(a: Fp5, out: Uint8Array = new Uint8Array(40), offset = 0): Uint8Array {
  for (let i = 0; i < 10; i++) {
    const v = a[i];
    const o = offset + 4 * i;
    out[o] = v & 0xff;
    out[o + 1] = (v >>> 8) & 0xff;
    out[o + 2] = (v >>> 16) & 0xff;
    out[o + 3] = (v >>> 24) & 0xff;
  }
  return out;
}

/**
 * Copies `a` into `out`.
 *
 * @param out Destination.
 * @param a Source.
 */
export function fp5Copy(out: Fp5, a: Fp5): void {
  out.set(a);
}

/**
 * Whether `a` is zero.
 *
 * @param a The element.
 * @returns `a = 0`.
 */
export function fp5IsZero(a: Fp5): boolean {
  for (let i = 0; i < 10; i++) if (a[i] !== 0) return false;
  return true;
}

/**
 * Whether `a = b` (both canonical).
 *
 * @param a First element.
 * @param b Second element.
 * @returns `a = b`.
 */
export function fp5Equals(a: Fp5, b: Fp5): boolean {
  for (let i = 0; i < 10; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * `out = a + b`.
 *
 * @param out Destination.
 * @param a First operand.
 * @param b Second operand.
 */
export function fp5Add(out: Fp5, a: Fp5, b: Fp5): void {
  for (let i = 0; i < 10; i += 2) reduceInto(out, i, a[i] + b[i], a[i + 1] + b[i + 1]);
}

/**
 * `out = a − b`.
 *
 * @param out Destination.
 * @param a First operand.
 * @param b Second operand.
 */
export function fp5Sub(out: Fp5, a: Fp5, b: Fp5): void {
  for (let i = 0; i < 10; i += 2) reduceInto(out, i, a[i] - b[i], a[i + 1] - b[i + 1]);
}

/**
 * `out = −a`.
 *
 * @param out Destination.
 * @param a Operand.
 */
export function fp5Neg(out: Fp5, a: Fp5): void {
  for (let i = 0; i < 10; i += 2) reduceInto(out, i, -a[i], -a[i + 1]);
}

/**
 * `out = 2a`.
 *
 * @param out Destination.
 * @param a Operand.
 */
export function fp5Double(out: Fp5, a: Fp5): void {
  for (let i = 0; i < 10; i += 2) reduceInto(out, i, 2 * a[i], 2 * a[i + 1]);
}

/**
 * `out = k·a` for a small non-negative integer `k` (below 2^18).
 *
 * @param out Destination.
 * @param a Operand.
 * @param k The small factor.
 */
export function fp5MulSmall(out: Fp5, a: Fp5, k: number): void {
  for (let i = 0; i < 10; i += 2) {
    // k·lo < 2^50; k·hi split so that k·hi·2^32 stays exact through reduceInto
    reduceInto(out, i, k * a[i], k * a[i + 1]);
  }
}

/**
 * `out = a · (k·z)` for a small integer `k` (below 2^18): multiplication by the curve
 * constant b = 263·z and its multiples, with z^5 = 3.
 *
 * @param out Destination.
 * @param a Operand.
 * @param k The factor of z.
 */
export function fp5MulSmallZ(out: Fp5, a: Fp5, k: number): void {
  const l4 = a[8], h4 = a[9];
  for (let i = 8; i >= 2; i -= 2) reduceInto(out, i, k * a[i - 2], k * a[i - 1]);
  reduceInto(out, 0, 3 * k * l4, 3 * k * h4);
}

// Limb buffers for multiplication: a's 20 16-bit limbs, b's and 3·b's.
const LA = new Float64Array(20);
const LB = new Float64Array(20);
const LB3 = new Float64Array(20);

function limbs(dst: Float64Array, a: Fp5, k: number): void {
  for (let i = 0; i < 5; i++) {
    const lo = a[2 * i], hi = a[2 * i + 1];
    dst[4 * i] = k * (lo & 0xffff);
    dst[4 * i + 1] = k * (lo >>> 16);
    dst[4 * i + 2] = k * (hi & 0xffff);
    dst[4 * i + 3] = k * (hi >>> 16);
  }
}

/**
 * `out = a · b`.
 *
 * @param out Destination (may alias `a` or `b`).
 * @param a First operand.
 * @param b Second operand.
 */
export function fp5Mul(out: Fp5, a: Fp5, b: Fp5): void {
  limbs(LA, a, 1);
  limbs(LB, b, 1);
  limbs(LB3, b, 3);
  for (let k = 0; k < 5; k++) {
    let c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0;
    for (let i = 0; i < 5; i++) {
      const j = k - i;
      const y = j >= 0 ? LB : LB3;
      const jb = 4 * (j >= 0 ? j : j + 5);
      const ia = 4 * i;
      const x0 = LA[ia], x1 = LA[ia + 1], x2 = LA[ia + 2], x3 = LA[ia + 3];
      const y0 = y[jb], y1 = y[jb + 1], y2 = y[jb + 2], y3 = y[jb + 3];
      c0 += x0 * y0;
      c1 += x0 * y1 + x1 * y0;
      c2 += x0 * y2 + x1 * y1 + x2 * y0;
      c3 += x0 * y3 + x1 * y2 + x2 * y1 + x3 * y0;
      c4 += x1 * y3 + x2 * y2 + x3 * y1;
      c5 += x2 * y3 + x3 * y2;
      c6 += x3 * y3;
    }
    reduceColumns(out, 2 * k, c0, c1, c2, c3, c4, c5, c6);
  }
}

/**
 * `out = a²`.
 *
 * @param out Destination (may alias `a`).
 * @param a Operand.
 */
export function fp5Square(out: Fp5, a: Fp5): void {
  fp5Mul(out, a, a);
}

/**
 * `out = a^(2^n)`.
 *
 * @param out Destination (may alias `a`).
 * @param a Operand.
 * @param n Number of squarings.
 */
export function fp5SquareN(out: Fp5, a: Fp5, n: number): void {
  if (out !== a) out.set(a);
  for (let i = 0; i < n; i++) fp5Square(out, out);
}

/**
 * `out = a^e` for a non-negative bigint exponent.
 *
 * @param out Destination.
 * @param a Base.
 * @param e Exponent.
 */
export function fp5Pow(out: Fp5, a: Fp5, e: bigint): void {
  const base = a.slice();
  const r = fp5();
  r[0] = 1;
  for (const bit of e.toString(2)) {
    fp5Square(r, r);
    if (bit === "1") fp5Mul(r, r, base);
  }
  out.set(r);
}

// ω = 3^((p−1)/5), a primitive fifth root of unity: z^p = ω·z, so Frobenius^k multiplies
// coefficient i by ω^(i·k).
const OMEGA_POWERS: Float64Array = (() => {
  const w = powBig(3n, (P - 1n) / 5n);
  const out = new Float64Array(10);
  for (let i = 0; i < 5; i++) {
    const [lo, hi] = halvesOf(powBig(w, BigInt(i)));
    out[2 * i] = lo;
    out[2 * i + 1] = hi;
  }
  return out;
})();

/**
 * `out = a^(p^k)` (the k-th Frobenius power).
 *
 * @param out Destination (may alias `a`).
 * @param a Operand.
 * @param k How many times to apply Frobenius.
 */
export function fp5Frobenius(out: Fp5, a: Fp5, k: number): void {
  out[0] = a[0];
  out[1] = a[1];
  for (let i = 1; i < 5; i++) {
    const w = 2 * ((i * k) % 5);
    mulInto(out, 2 * i, a[2 * i], a[2 * i + 1], OMEGA_POWERS[w], OMEGA_POWERS[w + 1]);
  }
}

const T1 = fp5(), T2 = fp5(), T3 = fp5();
const G = new Float64Array(8);

/** The GF(p) element `(a·f)_0` when `a·f` is known to lie in GF(p). */
function baseProduct(dst: Float64Array, o: number, a: Fp5, f: Fp5): void {
  // (a·f)_0 = a0 f0 + 3(a1 f4 + a2 f3 + a3 f2 + a4 f1)
  mulInto(G, 0, a[2], a[3], f[8], f[9]);
  mulInto(G, 2, a[4], a[5], f[6], f[7]);
  mulInto(G, 4, a[6], a[7], f[4], f[5]);
  mulInto(G, 6, a[8], a[9], f[2], f[3]);
  const L = 3 * (G[0] + G[2] + G[4] + G[6]), M = 3 * (G[1] + G[3] + G[5] + G[7]);
  mulInto(G, 0, a[0], a[1], f[0], f[1]);
  reduceInto(dst, o, L + G[0], M + G[1]);
}

/**
 * `out = 1/a`, or 0 when `a = 0`: `1/a = f / (a·f)` with `f = a^(p + p² + p³ + p⁴)`, whose
 * product with `a` (the norm) lies in GF(p).
 *
 * @param out Destination (may alias `a`).
 * @param a Operand.
 */
export function fp5Inverse(out: Fp5, a: Fp5): void {
  fp5Frobenius(T1, a, 1); // d = a^p
  fp5Frobenius(T2, T1, 1);
  fp5Mul(T1, T1, T2); // e = a^(p + p²)
  fp5Frobenius(T2, T1, 2);
  fp5Mul(T1, T1, T2); // f = a^(p + p² + p³ + p⁴)
  const g = new Float64Array(2);
  baseProduct(g, 0, a, T1);
  inverseInto(g, 0, g[0], g[1]);
  for (let i = 0; i < 10; i += 2) mulInto(out, i, T1[i], T1[i + 1], g[0], g[1]);
}

/**
 * `out = a / b` (0 when `b = 0`).
 *
 * @param out Destination.
 * @param a Numerator.
 * @param b Denominator.
 */
export function fp5Div(out: Fp5, a: Fp5, b: Fp5): void {
  const inv = fp5();
  fp5Inverse(inv, b);
  fp5Mul(out, a, inv);
}

/**
 * The Legendre symbol of `a`: 0 for zero, 1 for a non-zero square, −1 otherwise.
 *
 * @param a Operand.
 * @returns 0, 1 or −1.
 */
export function fp5Legendre(a: Fp5): number {
  if (fp5IsZero(a)) return 0;
  // The norm a^(1 + p + … + p⁴) lies in GF(p); a is a square iff its norm is.
  fp5Frobenius(T1, a, 1);
  fp5Frobenius(T2, T1, 1);
  fp5Mul(T1, T1, T2);
  fp5Frobenius(T2, T1, 2);
  fp5Mul(T1, T1, T2);
  const g = new Float64Array(2);
  baseProduct(g, 0, a, T1);
  return powBig(bigOf(g[0], g[1]), (P - 1n) / 2n) === 1n ? 1 : -1;
}

/**
 * A square root of `a`, or `undefined` when `a` is not a square. Which root is returned is
 * unspecified (callers that need a canonical one must choose).
 *
 * @param a Operand.
 * @returns A root, or `undefined`.
 */
export function fp5Sqrt(a: Fp5): Fp5 | undefined {
  if (fp5IsZero(a)) return fp5();
  // Pornin's method: with v = a^(2^31) and d = a^(2^63 − 2^31) = v^(2^32)/v,
  // e = (d·d^(p²))^p makes a·e² lie in GF(p); then √a = √(a·e²) / e.
  const v = fp5(), d = fp5(), e = fp5(), f = fp5();
  fp5SquareN(v, a, 31);
  fp5SquareN(d, v, 32);
  fp5Inverse(T3, v);
  fp5Mul(d, d, T3);
  fp5Mul(d, d, a);
  fp5Frobenius(T3, d, 2);
  fp5Mul(T3, d, T3);
  fp5Frobenius(e, T3, 1);
  fp5Square(f, e);
  const g = new Float64Array(2);
  baseProduct(g, 0, a, f);
  const s = sqrtBig(bigOf(g[0], g[1]));
  if (s === undefined) return undefined;
  const [s0, s1] = halvesOf(s);
  fp5Inverse(T3, e);
  const out = fp5();
  for (let i = 0; i < 10; i += 2) mulInto(out, i, T3[i], T3[i + 1], s0, s1);
  return out;
}
