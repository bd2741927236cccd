/**
 * Scalars of the ECgFp5 group: integers modulo its prime order n ≈ 2^319 (lighter.md §5.6).
 * Bigints are fine here: a signature needs a handful of scalar operations.
 *
 * @module
 */

/** The prime order n of the ECgFp5 group. */
export const N: bigint =
  1067993516717146951041484916571792702745057740581727230159139685185762082554198619328292418486241n;

/**
 * Reads 40 little-endian bytes as an integer (not reduced).
 *
 * @param bytes The bytes.
 * @param offset Where the 40 bytes start.
 * @returns The integer.
 */
export function scalarFromBytes(bytes: Uint8Array, offset = 0): bigint {
  let x = 0n;
  for (let i = offset + 39; i >= offset; i--) x = (x << 8n) | BigInt(bytes[i]);
  return x;
}

/**
 * Writes a scalar in [0, 2^320) as 40 little-endian bytes.
 *
 * @param k The scalar.
 * @param out Destination (a new array by default).
 * @param offset Where to write.
 * @returns `out`.
 */
export function scalarToBytes(
  k: bigint,
  out: Uint8Array = new Uint8Array(40),
  offset = 0,
): Uint8Array {
  let x = k;
  for (let i = 0; i < 40; i++) {
    out[offset + i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/**
 * The scalar `Σ e_i·2^(64i) mod n` of a GF(p^5) element given by its halves (Schnorr's
 * challenge).
 *
 * @param e The element's halves.
 * @returns The reduced scalar.
 */
export function scalarFromFp5(e: Float64Array): bigint {
  let x = 0n;
  for (let i = 9; i >= 0; i--) x = (x << 32n) | BigInt(e[i]);
  return x % N;
}

/**
 * `x mod n` in [0, n).
 *
 * @param x Any integer.
 * @returns The reduced scalar.
 */
export function scalarReduce(x: bigint): bigint {
  const r = x % N;
  return r < 0n ? r + N : r;
}

/**
 * Signed base-2^w digits of a scalar below 2^320: `k = Σ d_i·2^(w·i)` with every digit in
 * [−2^(w−1), 2^(w−1)].
 *
 * @param k The scalar, in [0, 2^320).
 * @param w The window width in bits (2..15).
 * @returns The digits, least significant first.
 */
export function recodeSigned(k: bigint, w: number): Int32Array {
  const count = Math.ceil(320 / w) + 1;
  const out = new Int32Array(count);
  const mask = BigInt((1 << w) - 1);
  const half = 1 << (w - 1);
  const full = 1 << w;
  let x = k;
  let carry = 0;
  for (let i = 0; i < count; i++) {
    let d = Number(x & mask) + carry;
    x >>= BigInt(w);
    if (d > half) {
      d -= full;
      carry = 1;
    } else carry = 0;
    out[i] = d;
  }
  return out;
}
