import { deepStrictEqual as deepEqual } from "node:assert/strict";
import { readFixture } from "../../exchanges/lighter/signer/_fixtures_test.ts";
import { bigOf, halvesOf } from "./_goldilocks.ts";
import { hashNToMNoPad, hashToQuinticExtension, permute } from "./_poseidon2.ts";
import { EXTERNAL_CONSTANTS, INTERNAL_CONSTANTS, MATRIX_DIAG_12 } from "./_poseidon2_constants.ts";
import { hexOfLimbs, limbsOf } from "../../exchanges/lighter/signer/_fixtures_test.ts";

interface Vectors {
  permute: { input: string; output: string }[];
  sponge: { input: string; num_outputs: number; output: string }[];
  hash_to_quintic: { input: string; output: string }[];
  hash_n_to_one: { inputs: string[]; output: string }[];
}

const { vectors } = await readFixture<{ vectors: Vectors }>(
  "lighter/SIGN_poseidon2_vectors__poseidon_crypto.json",
);

function halves(hex: string): Float64Array {
  const limbs = limbsOf(hex);
  const out = new Float64Array(2 * limbs.length);
  limbs.forEach((x, i) => [out[2 * i], out[2 * i + 1]] = halvesOf(x));
  return out;
}

function hex(h: Float64Array): string {
  const limbs: bigint[] = [];
  for (let i = 0; i < h.length; i += 2) limbs.push(bigOf(h[i], h[i + 1]));
  return hexOfLimbs(limbs);
}

Deno.test("Poseidon2 constants equal the poseidon_crypto config extracted in the fixture", async () => {
  const c = await readFixture<
    { external_constants: string[][]; internal_constants: string[]; matrix_diag_12: string[] }
  >("lighter/SIGN_poseidon2_constants__poseidon_crypto.json");
  deepEqual(EXTERNAL_CONSTANTS, c.external_constants.flat());
  deepEqual(INTERNAL_CONSTANTS, c.internal_constants);
  deepEqual(MATRIX_DIAG_12, c.matrix_diag_12);
});

Deno.test("Poseidon2 permutation matches all 18 poseidon_crypto vectors", () => {
  deepEqual(vectors.permute.length, 18);
  for (const v of vectors.permute) {
    const s = halves(v.input);
    permute(s);
    deepEqual(hex(s), v.output);
  }
});

Deno.test("Poseidon2 sponge matches all 45 poseidon_crypto vectors", () => {
  deepEqual(vectors.sponge.length, 45);
  for (const v of vectors.sponge) {
    deepEqual(hex(hashNToMNoPad(halves(v.input), v.num_outputs)), v.output, v.input);
  }
});

Deno.test("HashToQuinticExtension matches all 13 poseidon_crypto vectors", () => {
  deepEqual(vectors.hash_to_quintic.length, 13);
  for (const v of vectors.hash_to_quintic) {
    deepEqual(hex(hashToQuinticExtension(halves(v.input))), v.output);
  }
});

Deno.test("HashNToOne (left fold of two-to-one hashes) matches all 7 poseidon_crypto vectors", () => {
  deepEqual(vectors.hash_n_to_one.length, 7);
  for (const v of vectors.hash_n_to_one) {
    let acc = halves(v.inputs[0]);
    for (const next of v.inputs.slice(1)) {
      const both = new Float64Array(16);
      both.set(acc);
      both.set(halves(next), 8);
      acc = hashNToMNoPad(both, 4);
    }
    deepEqual(hex(acc), v.output);
  }
});
