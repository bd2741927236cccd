/**
 * Test-only access to the Lighter signing fixtures (`testdata/fixtures/`, in this repository).
 * Not part of the public API; imported by the `*_test.ts` files of this folder.
 *
 * @module
 */

import { testdataUrl } from "../../../tests/_testdata.ts";

const FIXTURES = testdataUrl("fixtures/");

/**
 * Reads and parses one fixture file.
 *
 * @param path Path under `testdata/fixtures/`, e.g. `lighter/SIGN_…json`.
 * @returns The parsed JSON.
 */
export async function readFixture<T>(path: string): Promise<T> {
  return JSON.parse(await Deno.readTextFile(new URL(path, FIXTURES))) as T;
}

/**
 * Decodes lowercase or uppercase hex.
 *
 * @param hex Hex digits, no prefix.
 * @returns The bytes.
 */
export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Encodes bytes as lowercase hex.
 *
 * @param bytes The bytes.
 * @returns Hex digits, no prefix.
 */
export function bytesToHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/**
 * Reads 8-byte little-endian limbs from hex into bigints.
 *
 * @param hex Hex of `8·n` bytes.
 * @returns The `n` limbs.
 */
export function limbsOf(hex: string): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < hex.length; i += 16) {
    let x = 0n;
    for (let j = 7; j >= 0; j--) {
      x = (x << 8n) | BigInt(parseInt(hex.slice(i + 2 * j, i + 2 * j + 2), 16));
    }
    out.push(x);
  }
  return out;
}

/**
 * Writes bigints as 8-byte little-endian limbs in hex.
 *
 * @param limbs The limbs (each below 2^64).
 * @returns The hex.
 */
export function hexOfLimbs(limbs: readonly bigint[]): string {
  let s = "";
  for (let x of limbs) {
    for (let j = 0; j < 8; j++) {
      s += Number(x & 0xffn).toString(16).padStart(2, "0");
      x >>= 8n;
    }
  }
  return s;
}
