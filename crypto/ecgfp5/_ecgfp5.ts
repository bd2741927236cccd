/**
 * The ECgFp5 group (Pornin 2022; lighter.md §5.6): the curve y² = x(x² + 2x + 263·z) over
 * GF(p^5), with the prime-order group law `P ⊕ Q = P + Q + N` (N = (0, 0) is the neutral).
 *
 * Points use Pornin's fractional (x, u) = (x, x/y) coordinates, projectively `(X:Z:U:T)` with
 * x = X/Z and u = U/T; these formulas are complete (no special cases). A group element is
 * encoded as w = 1/u = y/x (0 for the neutral), 40 bytes.
 *
 * Fixed-base multiplication by the generator uses a table of 41 windows × 128 affine points
 * (signed 8-bit digits), built on first use (~0.1 s, ~0.9 MB), so k·G costs about 40 mixed
 * additions and no doublings.
 *
 * @module
 */
import {
  type Fp5,
  fp5,
  fp5Add,
  fp5Double,
  fp5Equals,
  fp5FromBigInts,
  fp5Inverse,
  fp5IsZero,
  fp5Legendre,
  fp5Mul,
  fp5MulSmall,
  fp5MulSmallZ,
  fp5Neg,
  fp5Sqrt,
  fp5Square,
  fp5Sub,
} from "./_fp5.ts";
import { recodeSigned } from "./_scalar.ts";

/** A point in projective fractional coordinates (X:Z:U:T). */
export interface Point {
  /** X, with x = X/Z. */
  x: Fp5;
  /** Z. */
  z: Fp5;
  /** U, with u = U/T. */
  u: Fp5;
  /** T. */
  t: Fp5;
}

/** b = 263·z; the formulas multiply by b, 2b, 4b and 16b. */
const B1 = 263;

/**
 * A new point set to the neutral element.
 *
 * @returns The neutral (0:1:0:1).
 */
export function neutral(): Point {
  const p: Point = { x: fp5(), z: fp5(), u: fp5(), t: fp5() };
  p.z[0] = 1;
  p.t[0] = 1;
  return p;
}

/**
 * Copies `src` into `dst`.
 *
 * @param dst Destination.
 * @param src Source.
 */
export function copyPoint(dst: Point, src: Point): void {
  dst.x.set(src.x);
  dst.z.set(src.z);
  dst.u.set(src.u);
  dst.t.set(src.t);
}

/** The conventional generator: x given by lighter.md §5.6, u = 1/4 (T = 4, U = 1). */
export const GENERATOR: Readonly<Point> = (() => {
  const g: Point = {
    x: fp5FromBigInts([
      12883135586176881569n,
      4356519642755055268n,
      5248930565894896907n,
      2165973894480315022n,
      2448410071095648785n,
    ]),
    z: fp5(),
    u: fp5(),
    t: fp5(),
  };
  g.z[0] = 1;
  g.u[0] = 1;
  g.t[0] = 4;
  return g;
})();

// Scratch elements for the formulas (never exposed).
const t1 = fp5(), t2 = fp5(), t3 = fp5(), t4 = fp5(), t5 = fp5(), t6 = fp5();
const t7 = fp5(), t8 = fp5(), t9 = fp5(), t10 = fp5(), s1 = fp5(), s2 = fp5();

/**
 * `out = p ⊕ q` (complete formulas, 10M). `out` may alias `p` or `q`.
 *
 * @param out Destination.
 * @param p First point.
 * @param q Second point.
 */
export function add(out: Point, p: Point, q: Point): void {
  fp5Mul(t1, p.x, q.x);
  fp5Mul(t2, p.z, q.z);
  fp5Mul(t3, p.u, q.u);
  fp5Mul(t4, p.t, q.t);
  fp5Add(s1, p.x, p.z);
  fp5Add(s2, q.x, q.z);
  fp5Mul(t5, s1, s2);
  fp5Sub(t5, t5, t1);
  fp5Sub(t5, t5, t2);
  fp5Add(s1, p.u, p.t);
  fp5Add(s2, q.u, q.t);
  fp5Mul(t6, s1, s2);
  fp5Sub(t6, t6, t3);
  fp5Sub(t6, t6, t4);
  finishAdd(out);
}

/** The common tail of `add` and `addAffine`, from t1..t6 (t2 = Z-product, t4 = T-product). */
function finishAdd(out: Point): void {
  fp5MulSmallZ(t7, t2, B1);
  fp5Add(t7, t7, t1); // t7 = t1 + b·t2
  fp5Mul(t8, t4, t7);
  fp5MulSmallZ(s1, t5, 2 * B1);
  fp5Double(s2, t7);
  fp5Add(s1, s1, s2);
  fp5Mul(t9, t3, s1); // t9 = t3·(2b·t5 + 2·t7)
  fp5Double(s1, t3);
  fp5Add(s1, s1, t4);
  fp5Add(s2, t5, t7);
  fp5Mul(t10, s1, s2); // t10 = (t4 + 2·t3)(t5 + t7)
  fp5Sub(s1, t10, t8);
  fp5MulSmallZ(out.x, s1, B1);
  fp5MulSmallZ(s1, t2, B1);
  fp5Sub(s1, s1, t1);
  fp5Mul(out.u, t6, s1);
  fp5Sub(out.z, t8, t9);
  fp5Add(out.t, t8, t9);
}

/**
 * `out = p ⊕ (ax, au)` for an affine point (Z = T = 1) (8M). `out` may alias `p`.
 *
 * @param out Destination.
 * @param p Projective point.
 * @param ax Affine x.
 * @param au Affine u.
 */
export function addAffine(out: Point, p: Point, ax: Fp5, au: Fp5): void {
  fp5Mul(t1, p.x, ax);
  t2.set(p.z);
  fp5Mul(t3, p.u, au);
  t4.set(p.t);
  fp5Mul(t5, ax, p.z);
  fp5Add(t5, t5, p.x);
  fp5Mul(t6, au, p.t);
  fp5Add(t6, t6, p.u);
  finishAdd(out);
}

/**
 * `out = 2p` (4M + 5S). `out` may alias `p`.
 *
 * @param out Destination.
 * @param p The point.
 */
export function double(out: Point, p: Point): void {
  fp5Mul(t1, p.z, p.t);
  fp5Mul(t2, t1, p.t);
  fp5Square(t5, t2); // x1 = t2²
  fp5Mul(t6, t1, p.u); // z1
  fp5Square(t3, p.u);
  fp5Add(s1, p.x, p.z);
  fp5Double(s1, s1);
  fp5Mul(s1, t3, s1);
  fp5Sub(t7, t2, s1); // w1 = t2 − 2(x + z)·u²
  fp5Square(t4, t6); // t4 = z1²
  fp5MulSmallZ(out.x, t4, 4 * B1);
  fp5Square(out.z, t7);
  fp5Add(s1, t7, t6);
  fp5Square(s1, s1);
  fp5Sub(s1, s1, t4);
  fp5Sub(out.u, s1, out.z);
  fp5Double(s1, t5);
  fp5MulSmall(s2, t4, 4);
  fp5Sub(s1, s1, s2);
  fp5Sub(out.t, s1, out.z);
}

/**
 * `out = −p`.
 *
 * @param out Destination.
 * @param p The point.
 */
export function negate(out: Point, p: Point): void {
  out.x.set(p.x);
  out.z.set(p.z);
  fp5Neg(out.u, p.u);
  out.t.set(p.t);
}

/**
 * Whether `p` is the neutral element.
 *
 * @param p The point.
 * @returns `p = N`.
 */
export function isNeutral(p: Point): boolean {
  return fp5IsZero(p.u);
}

/**
 * Whether `p` and `q` are the same group element (u-coordinates agree).
 *
 * @param p First point.
 * @param q Second point.
 * @returns `p = q`.
 */
export function pointEquals(p: Point, q: Point): boolean {
  fp5Mul(s1, p.u, q.t);
  fp5Mul(s2, q.u, p.t);
  return fp5Equals(s1, s2);
}

/**
 * The encoding w = T/U of a point (0 for the neutral).
 *
 * @param p The point.
 * @param out Destination element.
 * @returns `out`.
 */
export function encode(p: Point, out: Fp5 = fp5()): Fp5 {
  fp5Inverse(s1, p.u);
  fp5Mul(out, p.t, s1);
  return out;
}

/**
 * Decodes an encoding back to a point, or `undefined` when `w` encodes no group element.
 * Solves x² − (w² − 2)·x + b = 0 and keeps the root that is not a square.
 *
 * @param w The encoding.
 * @returns The point, or `undefined`.
 */
export function decode(w: Fp5): Point | undefined {
  if (fp5IsZero(w)) return neutral();
  const e = fp5();
  fp5Square(e, w);
  const a = fp5();
  a[0] = 2;
  fp5Sub(e, e, a); // e = w² − a
  const delta = fp5();
  fp5Square(delta, e);
  const fourB = fp5();
  fourB[2] = 4 * B1;
  fp5Sub(delta, delta, fourB);
  const r = fp5Sqrt(delta);
  if (r === undefined) return undefined;
  const half = fp5();
  // 1/2 mod p = (p + 1) / 2 = 2^63 − 2^31 + 1
  half[0] = 0x80000001;
  half[1] = 0x7fffffff;
  const x1 = fp5(), x2 = fp5();
  fp5Add(x1, e, r);
  fp5Mul(x1, x1, half);
  fp5Sub(x2, e, r);
  fp5Mul(x2, x2, half);
  const x = fp5Legendre(x1) === 1 ? x2 : x1;
  const p = neutral();
  p.x.set(x);
  p.u[0] = 1;
  p.t.set(w);
  return p;
}

/**
 * Converts points to affine (x, u) pairs with one inversion (Montgomery's trick), writing the
 * 20 halves of point i at `out[20·i …]` (x then u).
 *
 * @param points Points, none neutral.
 * @param out Destination of length `20·points.length`.
 */
export function batchToAffine(points: readonly Point[], out: Float64Array): void {
  const n = points.length;
  // prefix[i] = Π_{j<i} (Z_j·T_j)
  const prefix: Fp5[] = new Array(n + 1);
  prefix[0] = fp5();
  prefix[0][0] = 1;
  const zt = fp5();
  for (let i = 0; i < n; i++) {
    fp5Mul(zt, points[i].z, points[i].t);
    prefix[i + 1] = fp5();
    fp5Mul(prefix[i + 1], prefix[i], zt);
  }
  const inv = fp5();
  fp5Inverse(inv, prefix[n]);
  const iz = fp5(), x = fp5(), u = fp5();
  for (let i = n - 1; i >= 0; i--) {
    const p = points[i];
    fp5Mul(iz, inv, prefix[i]); // 1/(Z_i·T_i)
    fp5Mul(zt, p.z, p.t);
    fp5Mul(inv, inv, zt);
    fp5Mul(x, p.x, p.t);
    fp5Mul(x, x, iz); // X/Z = X·T/(Z·T)
    fp5Mul(u, p.u, p.z);
    fp5Mul(u, u, iz); // U/T = U·Z/(Z·T)
    out.set(x, 20 * i);
    out.set(u, 20 * i + 10);
  }
}

const WINDOW = 8;
const HALF = 1 << (WINDOW - 1); // entries per window: 1·B … 128·B
const WINDOWS = Math.ceil(320 / WINDOW) + 1;
let table: Float64Array | undefined;

function generatorTable(): Float64Array {
  if (table) return table;
  const out = new Float64Array(WINDOWS * HALF * 20);
  const base = neutral();
  copyPoint(base, GENERATOR as Point);
  for (let w = 0; w < WINDOWS; w++) {
    const pts: Point[] = [];
    const acc = neutral();
    copyPoint(acc, base);
    pts.push(clonePoint(acc));
    for (let j = 2; j <= HALF; j++) {
      add(acc, acc, base);
      pts.push(clonePoint(acc));
    }
    batchToAffine(pts, out.subarray(w * HALF * 20, (w + 1) * HALF * 20));
    double(base, acc); // 2^WINDOW · base
  }
  table = out;
  return out;
}

/**
 * A fresh copy of a point.
 *
 * @param p The point.
 * @returns The copy.
 */
export function clonePoint(p: Point): Point {
  return { x: p.x.slice(), z: p.z.slice(), u: p.u.slice(), t: p.t.slice() };
}

/** Builds the generator table now rather than on the first signature. */
export function precomputeGenerator(): void {
  generatorTable();
}

const AX = fp5(), AU = fp5();

/**
 * `out = k ⊙ G` through the precomputed table.
 *
 * @param out Destination.
 * @param k The scalar, in [0, 2^320).
 */
export function mulGenerator(out: Point, k: bigint): void {
  const tab = generatorTable();
  const digits = recodeSigned(k, WINDOW);
  const acc = neutral();
  for (let w = 0; w < digits.length; w++) {
    const d = digits[w];
    if (d === 0) continue;
    const o = (w * HALF + Math.abs(d) - 1) * 20;
    for (let i = 0; i < 10; i++) {
      AX[i] = tab[o + i];
      AU[i] = tab[o + 10 + i];
    }
    if (d < 0) fp5Neg(AU, AU);
    addAffine(acc, acc, AX, AU);
  }
  copyPoint(out, acc);
}

const VAR_WINDOW = 5;

/**
 * `out = k ⊙ p` for any point (signed 5-bit windows).
 *
 * @param out Destination (may alias `p`).
 * @param p The point.
 * @param k The scalar, in [0, 2^320).
 */
export function mulPoint(out: Point, p: Point, k: bigint): void {
  const size = 1 << (VAR_WINDOW - 1);
  const win: Point[] = [clonePoint(p)];
  for (let i = 1; i < size; i++) {
    const q = neutral();
    if ((i & 1) === 1) double(q, win[i >> 1]);
    else add(q, win[i - 1], p);
    win.push(q);
  }
  const digits = recodeSigned(k, VAR_WINDOW);
  const acc = neutral();
  const tmp = neutral();
  for (let i = digits.length - 1; i >= 0; i--) {
    for (let j = 0; j < VAR_WINDOW; j++) double(acc, acc);
    const d = digits[i];
    if (d > 0) add(acc, acc, win[d - 1]);
    else if (d < 0) {
      negate(tmp, win[-d - 1]);
      add(acc, acc, tmp);
    }
  }
  copyPoint(out, acc);
}
