/**
 * Poseidon2 over Goldilocks, plonky2 variant (width 12, rate 8, x^7 S-box, 4 + 4 full rounds
 * around 22 partial rounds), and the no-padding sponge Lighter hashes with (lighter.md §5.3).
 *
 * The state is a `Float64Array(24)` of halves (see `_goldilocks.ts`).
 *
 * @module
 */
import { halvesOf, mulAddInto, mulInto, reduceInto } from "./_goldilocks.ts";
import { EXTERNAL_CONSTANTS, INTERNAL_CONSTANTS, MATRIX_DIAG_12 } from "./_poseidon2_constants.ts";
import { type Fp5, fp5 } from "./_fp5.ts";

/** State width in field elements. */
export const WIDTH = 12;
/** Sponge rate in field elements. */
export const RATE = 8;

function toHalves(values: readonly string[]): Float64Array {
  const out = new Float64Array(2 * values.length);
  values.forEach((v, i) => {
    const [lo, hi] = halvesOf(BigInt(v));
    out[2 * i] = lo;
    out[2 * i + 1] = hi;
  });
  return out;
}

const EXT = toHalves(EXTERNAL_CONSTANTS);
const INT = toHalves(INTERNAL_CONSTANTS);
const DIAG = toHalves(MATRIX_DIAG_12);
const T = new Float64Array(24);

/** M4 on each 4-block, then add the column sums over blocks; one reduction per element. */
function externalLinearLayer(s: Float64Array): void {
  // Lanes 0 (low halves) and 1 (high halves) are transformed independently: the map is linear
  // and every coefficient sum stays below 28·2^32.
  for (let h = 0; h < 2; h++) {
    for (let b = 0; b < 24; b += 8) {
      const x0 = s[b + h], x1 = s[b + 2 + h], x2 = s[b + 4 + h], x3 = s[b + 6 + h];
      const t01 = x0 + x1, t23 = x2 + x3, t0123 = t01 + t23;
      T[b + h] = t0123 + t01 + x1;
      T[b + 2 + h] = t0123 + x1 + 2 * x2;
      T[b + 4 + h] = t0123 + t23 + x3;
      T[b + 6 + h] = t0123 + x3 + 2 * x0;
    }
  }
  for (let i = 0; i < 8; i += 2) {
    const sL = T[i] + T[i + 8] + T[i + 16], sM = T[i + 1] + T[i + 9] + T[i + 17];
    reduceInto(s, i, T[i] + sL, T[i + 1] + sM);
    reduceInto(s, i + 8, T[i + 8] + sL, T[i + 9] + sM);
    reduceInto(s, i + 16, T[i + 16] + sL, T[i + 17] + sM);
  }
}

/** `s[i] = s[i]^7`. */
function sbox(s: Float64Array, i: number): void {
  const x0 = s[i], x1 = s[i + 1];
  mulInto(T, 0, x0, x1, x0, x1); // x²
  mulInto(T, 2, T[0], T[1], x0, x1); // x³
  mulInto(T, 2, T[2], T[3], T[2], T[3]); // x⁶
  mulInto(s, i, T[2], T[3], x0, x1); // x⁷
}

/**
 * Applies the Poseidon2 permutation in place.
 *
 * @param s The state: 12 elements as 24 halves.
 */
export function permute(s: Float64Array): void {
  externalLinearLayer(s);
  for (let r = 0; r < 8; r++) {
    if (r === 4) {
      for (let p = 0; p < 22; p++) {
        reduceInto(s, 0, s[0] + INT[2 * p], s[1] + INT[2 * p + 1]);
        sbox(s, 0);
        let sL = 0, sM = 0;
        for (let i = 0; i < 24; i += 2) {
          sL += s[i];
          sM += s[i + 1];
        }
        for (let i = 0; i < 24; i += 2) {
          mulAddInto(s, i, s[i], s[i + 1], DIAG[i], DIAG[i + 1], sL, sM);
        }
      }
    }
    const c = 24 * r;
    for (let i = 0; i < 24; i += 2) {
      reduceInto(s, i, s[i] + EXT[c + i], s[i + 1] + EXT[c + i + 1]);
      sbox(s, i);
    }
    externalLinearLayer(s);
  }
}

const STATE = new Float64Array(24);

/**
 * The plonky2 `HashNToMNoPad` sponge: absorbs `input` in chunks of 8 by overwriting the rate
 * part of a zero state (no padding, no length), then squeezes `numOutputs` elements.
 *
 * @param input Field elements as halves (`2·n` numbers, canonical).
 * @param numOutputs How many elements to squeeze.
 * @param out Destination for `2·numOutputs` halves.
 * @returns `out`.
 */
export function hashNToMNoPad(
  input: Float64Array,
  numOutputs: number,
  out: Float64Array = new Float64Array(2 * numOutputs),
): Float64Array {
  const s = STATE;
  s.fill(0);
  const n = input.length;
  for (let i = 0; i < n; i += 2 * RATE) {
    const end = Math.min(n, i + 2 * RATE);
    for (let j = i; j < end; j++) s[j - i] = input[j];
    permute(s);
  }
  let k = 0;
  for (;;) {
    for (let i = 0; i < 2 * RATE; i += 2) {
      out[k++] = s[i];
      out[k++] = s[i + 1];
      if (k === 2 * numOutputs) return out;
    }
    permute(s);
  }
}

/**
 * `HashToQuinticExtension`: the first five sponge outputs read as a GF(p^5) element.
 *
 * @param input Field elements as halves.
 * @param out Destination element.
 * @returns `out`.
 */
export function hashToQuinticExtension(input: Float64Array, out: Fp5 = fp5()): Fp5 {
  return hashNToMNoPad(input, 5, out);
}
