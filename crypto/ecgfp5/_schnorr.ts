/**
 * Schnorr signatures over ECgFp5 with a Poseidon2 challenge (lighter.md §5.7), on
 * pre-hashed messages (a GF(p^5) element, e.g. a transaction hash):
 *
 * ```
 * r = encode(k ⊙ G);  e = H(r ‖ m) mod n;  s = k − e·sk mod n;  signature = s ‖ e (80 bytes LE)
 * ```
 *
 * Verification recomputes r' = encode(s ⊙ G ⊕ e ⊙ PK) and accepts iff H(r' ‖ m) = e.
 *
 * @module
 */
import { add, decode, encode, mulGenerator, mulPoint, neutral } from "./_ecgfp5.ts";
import { type Fp5, fp5, fp5FromBytes } from "./_fp5.ts";
import { hashToQuinticExtension } from "./_poseidon2.ts";
import { N, scalarFromBytes, scalarFromFp5, scalarReduce, scalarToBytes } from "./_scalar.ts";

/** Fills a byte array with random bytes (the shape of `crypto.getRandomValues`). */
export type RandomSource = (bytes: Uint8Array) => unknown;

const R = neutral();
const PREIMAGE = new Float64Array(20);
const W = fp5();
const E = fp5();

function challenge(r: Fp5, m: Fp5): bigint {
  PREIMAGE.set(r, 0);
  PREIMAGE.set(m, 10);
  hashToQuinticExtension(PREIMAGE, E);
  return scalarFromFp5(E);
}

/**
 * Draws a nonce uniformly in [1, n) by rejection sampling 40 random bytes (little-endian),
 * so an injected source that yields a fixed k reproduces a signature made with that k.
 *
 * @param random The random source.
 * @returns The nonce.
 * @throws {Error} When 128 draws in a row are unusable (a broken random source).
 */
export function sampleScalar(random: RandomSource): bigint {
  const buf = new Uint8Array(40);
  // Each draw is accepted with probability n / 2^320 ≈ 0.46; 128 rejections in a row means
  // the source is broken (e.g. returns zeros), and signing with it would be unsafe.
  for (let attempt = 0; attempt < 128; attempt++) {
    random(buf);
    const k = scalarFromBytes(buf);
    buf.fill(0);
    if (k !== 0n && k < N) return k;
  }
  throw new Error("The random source keeps returning unusable bytes; refusing to sign");
}

/**
 * Signs a hashed message with nonce `k`.
 *
 * @param sk The secret scalar, in [1, n).
 * @param m The hashed message.
 * @param k The nonce, in [1, n).
 * @returns The 80-byte signature `s ‖ e`.
 */
export function signHashed(sk: bigint, m: Fp5, k: bigint): Uint8Array {
  mulGenerator(R, k);
  const e = challenge(encode(R, W), m);
  const s = scalarReduce(k - e * sk);
  const out = new Uint8Array(80);
  scalarToBytes(s, out, 0);
  scalarToBytes(e, out, 40);
  return out;
}

/**
 * The public key encoding of a secret scalar: encode(sk ⊙ G).
 *
 * @param sk The secret scalar.
 * @returns The encoded point.
 */
export function publicKeyOf(sk: bigint): Fp5 {
  const p = neutral();
  mulGenerator(p, sk);
  return encode(p);
}

/**
 * Verifies an 80-byte signature on a hashed message. Rejects non-canonical scalars (s or e
 * ≥ n) and public keys that decode to no point.
 *
 * @param pk The encoded public key.
 * @param m The hashed message.
 * @param sig The 80-byte signature.
 * @returns Whether the signature is valid.
 */
export function verifyHashed(pk: Fp5, m: Fp5, sig: Uint8Array): boolean {
  if (sig.length !== 80) return false;
  const s = scalarFromBytes(sig, 0);
  const e = scalarFromBytes(sig, 40);
  if (s >= N || e >= N) return false;
  const q = decode(pk);
  if (!q) return false;
  const a = neutral();
  mulGenerator(a, s);
  mulPoint(q, q, e);
  add(a, a, q);
  return challenge(encode(a, W), m) === e;
}

/**
 * Reads a 40-byte encoded element, or `undefined` if it is not canonical.
 *
 * @param bytes 40 bytes.
 * @returns The element, or `undefined`.
 */
export function elementFromBytes(bytes: Uint8Array): Fp5 | undefined {
  return bytes.length === 40 ? fp5FromBytes(bytes) : undefined;
}
