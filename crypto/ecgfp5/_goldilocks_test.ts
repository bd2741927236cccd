import { deepStrictEqual as deepEqual } from "node:assert/strict";
import { hexOfLimbs, limbsOf, readFixture } from "../../exchanges/lighter/signer/_fixtures_test.ts";
import {
  addInto,
  bigOf,
  halvesOf,
  inverseInto,
  mulInto,
  P,
  powBig,
  powInto,
  sqrtBig,
  subInto,
} from "./_goldilocks.ts";

interface FieldVector {
  a: string;
  b: string;
  e: string;
  add: string;
  sub: string;
  mul: string;
  neg_a: string;
  inv_a: string;
  pow_a_e: string;
  a_eq_b: boolean;
}

const { vectors } = await readFixture<{ vectors: FieldVector[] }>(
  "lighter/SIGN_goldilocks_field_vectors__poseidon_crypto.json",
);

function hexOf(out: Float64Array): string {
  return hexOfLimbs([bigOf(out[0], out[1])]);
}

Deno.test("Goldilocks arithmetic matches all poseidon_crypto field vectors", () => {
  const out = new Float64Array(2);
  deepEqual(vectors.length, 92);
  for (const v of vectors) {
    const [a0, a1] = halvesOf(limbsOf(v.a)[0]);
    const [b0, b1] = halvesOf(limbsOf(v.b)[0]);
    addInto(out, 0, a0, a1, b0, b1);
    deepEqual(hexOf(out), v.add, `add ${v.a} ${v.b}`);
    subInto(out, 0, a0, a1, b0, b1);
    deepEqual(hexOf(out), v.sub, `sub ${v.a} ${v.b}`);
    mulInto(out, 0, a0, a1, b0, b1);
    deepEqual(hexOf(out), v.mul, `mul ${v.a} ${v.b}`);
    subInto(out, 0, 0, 0, a0, a1);
    deepEqual(hexOf(out), v.neg_a, `neg ${v.a}`);
    inverseInto(out, 0, a0, a1);
    deepEqual(hexOf(out), v.inv_a, `inv ${v.a}`);
    powInto(out, 0, a0, a1, BigInt(v.e));
    deepEqual(hexOf(out), v.pow_a_e, `pow ${v.a}`);
    deepEqual(v.a === v.b, v.a_eq_b);
  }
});

Deno.test("Goldilocks multiplication agrees with bigint arithmetic at the edges", () => {
  const edge = [
    0n,
    1n,
    2n,
    P - 1n,
    P - 2n,
    (1n << 32n) - 1n,
    1n << 32n,
    1n << 63n,
    P - (1n << 32n),
  ];
  const out = new Float64Array(2);
  for (const a of edge) {
    for (const b of edge) {
      const [a0, a1] = halvesOf(a);
      const [b0, b1] = halvesOf(b);
      mulInto(out, 0, a0, a1, b0, b1);
      deepEqual(bigOf(out[0], out[1]), (a * b) % P);
      addInto(out, 0, a0, a1, b0, b1);
      deepEqual(bigOf(out[0], out[1]), (a + b) % P);
      subInto(out, 0, a0, a1, b0, b1);
      deepEqual(bigOf(out[0], out[1]), (((a - b) % P) + P) % P);
    }
  }
});

Deno.test("Goldilocks square roots square back and non-residues have none", () => {
  for (const x of [0n, 1n, 4n, 7n, 123456789n, P - 1n, P - 5n]) {
    const r = sqrtBig(x);
    if (powBig(x, (P - 1n) / 2n) <= 1n) deepEqual((r! * r!) % P, x);
    else deepEqual(r, undefined);
  }
});

Deno.test("Goldilocks multiplication agrees with bigint arithmetic on random inputs", async () => {
  const fc = (await import("fast-check")).default;
  const out = new Float64Array(2);
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: P - 1n }),
      fc.bigInt({ min: 0n, max: P - 1n }),
      (a, b) => {
        const [a0, a1] = halvesOf(a);
        const [b0, b1] = halvesOf(b);
        mulInto(out, 0, a0, a1, b0, b1);
        return bigOf(out[0], out[1]) === (a * b) % P;
      },
    ),
    { numRuns: 2000 },
  );
});
