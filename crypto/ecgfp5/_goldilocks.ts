/**
 * The Goldilocks field GF(p), p = 2^64 − 2^32 + 1 (lighter.md §5.2).
 *
 * Hot-path representation: an element is two JavaScript numbers, its low and high 32-bit
 * halves (`lo`, `hi`, each an integer in [0, 2^32)), stored side by side in a `Float64Array`.
 * Products are formed from 16-bit limbs so every partial product is exact in a double, and
 * reduced with 2^64 ≡ 2^32 − 1 and 2^96 ≡ −1 (mod p). Nothing here allocates.
 *
 * The bigint helpers at the end are for tests, encoding and cold paths.
 *
 * @module
 */

/** The field modulus as a bigint. */
export const P: bigint = 0xffffffff00000001n;
/** 2^32 as a number. */
export const TWO32 = 4294967296;
const TWO16 = 65536;

/**
 * Writes the canonical form of `L + M·2^32 (mod p)` into `out[o]` (low half) and `out[o+1]`
 * (high half). `L` and `M` may be any integers of magnitude below 2^52.
 *
 * @param out Destination array.
 * @param o Offset of the low half in `out`.
 * @param L Coefficient of 2^0.
 * @param M Coefficient of 2^32.
 */
export function reduceInto(out: Float64Array, o: number, L: number, M: number): void {
  for (;;) {
    const q = Math.floor(L / TWO32);
    L -= q * TWO32;
    M += q;
    const h = Math.floor(M / TWO32);
    if (h === 0) break;
    // h·2^64 ≡ h·2^32 − h
    M = M - h * TWO32 + h;
    L -= h;
  }
  if (M === 0xffffffff && L !== 0) {
    // value ≥ p: value − p = L − 1
    M = 0;
    L -= 1;
  }
  out[o] = L;
  out[o + 1] = M;
}

/**
 * `out[o..o+1] = a · b (mod p)` for canonical (or merely < 2^64) inputs given as halves.
 *
 * @param out Destination array.
 * @param o Offset of the result's low half.
 * @param a0 Low half of a.
 * @param a1 High half of a.
 * @param b0 Low half of b.
 * @param b1 High half of b.
 */
export function mulInto(
  out: Float64Array,
  o: number,
  a0: number,
  a1: number,
  b0: number,
  b1: number,
): void {
  const x0 = a0 & 0xffff, x1 = a0 >>> 16, x2 = a1 & 0xffff, x3 = a1 >>> 16;
  const y0 = b0 & 0xffff, y1 = b0 >>> 16, y2 = b1 & 0xffff, y3 = b1 >>> 16;
  const c0 = x0 * y0;
  const c1 = x0 * y1 + x1 * y0;
  const c2 = x0 * y2 + x1 * y1 + x2 * y0;
  const c3 = x0 * y3 + x1 * y2 + x2 * y1 + x3 * y0;
  const c4 = x1 * y3 + x2 * y2 + x3 * y1;
  const c5 = x2 * y3 + x3 * y2;
  const c6 = x3 * y3;
  // value = A0 + A1·2^32 + A2·2^64 + A3·2^96 ≡ (A0 − A2 − A3) + (A1 + A2)·2^32
  const A2 = c4 + c5 * TWO16;
  reduceInto(out, o, c0 + c1 * TWO16 - A2 - c6, c2 + c3 * TWO16 + A2);
}

/**
 * `out[o..o+1] = a · b + (addL + addM·2^32) (mod p)`, the addend unreduced (each part below
 * 2^40).
 *
 * @param out Destination array.
 * @param o Offset of the result's low half.
 * @param a0 Low half of a.
 * @param a1 High half of a.
 * @param b0 Low half of b.
 * @param b1 High half of b.
 * @param addL Addend, coefficient of 2^0.
 * @param addM Addend, coefficient of 2^32.
 */
export function mulAddInto(
  out: Float64Array,
  o: number,
  a0: number,
  a1: number,
  b0: number,
  b1: number,
  addL: number,
  addM: number,
): void {
  const x0 = a0 & 0xffff, x1 = a0 >>> 16, x2 = a1 & 0xffff, x3 = a1 >>> 16;
  const y0 = b0 & 0xffff, y1 = b0 >>> 16, y2 = b1 & 0xffff, y3 = b1 >>> 16;
  const c0 = x0 * y0;
  const c1 = x0 * y1 + x1 * y0;
  const c2 = x0 * y2 + x1 * y1 + x2 * y0;
  const c3 = x0 * y3 + x1 * y2 + x2 * y1 + x3 * y0;
  const c4 = x1 * y3 + x2 * y2 + x3 * y1;
  const c5 = x2 * y3 + x3 * y2;
  const c6 = x3 * y3;
  const A2 = c4 + c5 * TWO16;
  reduceInto(out, o, c0 + c1 * TWO16 - A2 - c6 + addL, c2 + c3 * TWO16 + A2 + addM);
}

/**
 * Reduces seven 16-bit-position column sums `Σ c_m·2^(16m)` (each below 2^50) into
 * `out[o..o+1]`.
 *
 * @param out Destination array.
 * @param o Offset of the result's low half.
 */
export function reduceColumns(
  out: Float64Array,
  o: number,
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  c4: number,
  c5: number,
  c6: number,
): void {
  // Split the odd columns so that no intermediate exceeds 2^53.
  const c1h = Math.floor(c1 / TWO16), c1l = c1 - c1h * TWO16;
  const c3h = Math.floor(c3 / TWO16), c3l = c3 - c3h * TWO16;
  const c5h = Math.floor(c5 / TWO16), c5l = c5 - c5h * TWO16;
  // 2^16 → (2^16, 0); 2^32 → (0, 1); 2^48 → (0, 2^16); 2^64 → (−1, 1);
  // 2^80 → (−2^16, 2^16); 2^96 → (−1, 0); c·2^(16m) split as cl·2^(16m) + ch·2^(16m+16).
  const L = c0 + c1l * TWO16 - c3h - c4 - c5l * TWO16 - c5h - c6;
  const M = c1h + c2 + c3l * TWO16 + c3h + c4 + c5l * TWO16;
  reduceInto(out, o, L, M);
}

/**
 * `out[o..o+1] = a + b (mod p)`.
 *
 * @param out Destination array.
 * @param o Offset of the result's low half.
 */
export function addInto(
  out: Float64Array,
  o: number,
  a0: number,
  a1: number,
  b0: number,
  b1: number,
): void {
  reduceInto(out, o, a0 + b0, a1 + b1);
}

/**
 * `out[o..o+1] = a − b (mod p)`.
 *
 * @param out Destination array.
 * @param o Offset of the result's low half.
 */
export function subInto(
  out: Float64Array,
  o: number,
  a0: number,
  a1: number,
  b0: number,
  b1: number,
): void {
  reduceInto(out, o, a0 - b0, a1 - b1);
}

const scratch = new Float64Array(6);

/**
 * `out[o..o+1] = a^(2^k)` (k squarings).
 *
 * @param out Destination array.
 * @param o Offset of the result's low half.
 * @param a0 Low half of a.
 * @param a1 High half of a.
 * @param k Number of squarings.
 */
export function squareNInto(out: Float64Array, o: number, a0: number, a1: number, k: number): void {
  let x0 = a0, x1 = a1;
  for (let i = 0; i < k; i++) {
    mulInto(scratch, 0, x0, x1, x0, x1);
    x0 = scratch[0];
    x1 = scratch[1];
  }
  out[o] = x0;
  out[o + 1] = x1;
}

/**
 * `out[o..o+1] = a^e` for a non-negative bigint exponent.
 *
 * @param out Destination array.
 * @param o Offset of the result's low half.
 * @param a0 Low half of a.
 * @param a1 High half of a.
 * @param e The exponent.
 */
export function powInto(out: Float64Array, o: number, a0: number, a1: number, e: bigint): void {
  const t = new Float64Array(2);
  let r0 = 1, r1 = 0;
  const bits = e.toString(2);
  for (let i = 0; i < bits.length; i++) {
    mulInto(t, 0, r0, r1, r0, r1);
    r0 = t[0];
    r1 = t[1];
    if (bits.charCodeAt(i) === 49) {
      mulInto(t, 0, r0, r1, a0, a1);
      r0 = t[0];
      r1 = t[1];
    }
  }
  out[o] = r0;
  out[o + 1] = r1;
}

/**
 * `out[o..o+1] = 1/a`, or 0 when a = 0: Fermat, a^(p−2) with
 * p − 2 = (2^31 − 1)·2^33 + (2^32 − 1), using x_k = a^(2^k − 1).
 *
 * @param out Destination array.
 * @param o Offset of the result's low half.
 * @param a0 Low half of a.
 * @param a1 High half of a.
 */
export function inverseInto(out: Float64Array, o: number, a0: number, a1: number): void {
  const t = scratch;
  // x_{m+n} = x_m^(2^n) · x_n
  const step = (m0: number, m1: number, n: number, n0: number, n1: number, d: number) => {
    squareNInto(t, d, m0, m1, n);
    mulInto(t, d, t[d], t[d + 1], n0, n1);
  };
  step(a0, a1, 1, a0, a1, 2); // x2
  step(t[2], t[3], 1, a0, a1, 2); // x3
  const x30 = t[2], x31 = t[3];
  step(x30, x31, 3, x30, x31, 2); // x6
  const x60 = t[2], x61 = t[3];
  step(x60, x61, 6, x60, x61, 2); // x12
  step(t[2], t[3], 12, t[2], t[3], 2); // x24
  step(t[2], t[3], 6, x60, x61, 2); // x30
  step(t[2], t[3], 1, a0, a1, 2); // x31
  const y0 = t[2], y1 = t[3];
  step(y0, y1, 1, a0, a1, 4); // x32
  squareNInto(t, 2, y0, y1, 33);
  mulInto(out, o, t[2], t[3], t[4], t[5]);
}

/**
 * Reads a canonical bigint into halves.
 *
 * @param x A bigint, reduced mod p first.
 * @returns `[lo, hi]`.
 */
export function halvesOf(x: bigint): [number, number] {
  const v = ((x % P) + P) % P;
  return [Number(v & 0xffffffffn), Number(v >> 32n)];
}

/**
 * Joins halves into a bigint.
 *
 * @param lo Low half.
 * @param hi High half.
 * @returns `lo + hi·2^32`.
 */
export function bigOf(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * `x^e mod p` on bigints (cold paths only).
 *
 * @param x Base.
 * @param e Exponent, non-negative.
 * @returns The power, canonical.
 */
export function powBig(x: bigint, e: bigint): bigint {
  let r = 1n;
  let b = ((x % P) + P) % P;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return r;
}

// p − 1 = 2^32 · (2^32 − 1); 7 generates the multiplicative group (plonky2's MULTIPLICATIVE_GROUP_GENERATOR).
const TWO_ADICITY = 32n;
const ODD_PART = (P - 1n) >> TWO_ADICITY;

/**
 * A square root in GF(p) (Tonelli–Shanks), or `undefined` when `x` is not a square.
 * Which of the two roots is returned is unspecified.
 *
 * @param x A canonical element.
 * @returns A root, or `undefined`.
 */
export function sqrtBig(x: bigint): bigint | undefined {
  if (x === 0n) return 0n;
  if (powBig(x, (P - 1n) >> 1n) !== 1n) return undefined;
  let m = TWO_ADICITY;
  let c = powBig(7n, ODD_PART);
  let t = powBig(x, ODD_PART);
  let r = powBig(x, (ODD_PART + 1n) >> 1n);
  while (t !== 1n) {
    let i = 0n;
    let t2 = t;
    while (t2 !== 1n) {
      t2 = (t2 * t2) % P;
      i++;
    }
    let b = c;
    for (let k = 0n; k < m - i - 1n; k++) b = (b * b) % P;
    m = i;
    c = (b * b) % P;
    t = (t * c) % P;
    r = (r * b) % P;
  }
  return r;
}
