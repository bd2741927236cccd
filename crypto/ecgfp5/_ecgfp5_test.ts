import { deepStrictEqual as deepEqual, ok } from "node:assert/strict";
import {
  bytesToHex,
  hexToBytes,
  readFixture,
} from "../../exchanges/lighter/signer/_fixtures_test.ts";
import { fp5FromBytes, fp5ToBytes } from "./_fp5.ts";
import {
  add,
  decode,
  double,
  encode,
  GENERATOR,
  isNeutral,
  mulGenerator,
  mulPoint,
  neutral,
  type Point,
} from "./_ecgfp5.ts";
import { N, scalarFromBytes, scalarReduce, scalarToBytes } from "./_scalar.ts";

interface CurveVectors {
  decode: { w: string; decodes: boolean; is_neutral: boolean; encoded_back: string }[];
  add: { a_w: string; b_w: string; sum_w: string; a_double_w: string }[];
  scalar_mul: { base_w: string; scalar_le: string; out_w: string }[];
  scalar_ops: {
    a: string;
    b: string;
    add: string;
    sub: string;
    mul: string;
    neg_a: string;
    a_is_zero: boolean;
  }[];
}

const { vectors } = await readFixture<{ vectors: CurveVectors }>(
  "lighter/SIGN_ecgfp5_curve_vectors__poseidon_crypto.json",
);

const point = (hex: string): Point => decode(fp5FromBytes(hexToBytes(hex))!)!;
const enc = (p: Point): string => bytesToHex(fp5ToBytes(encode(p)));

Deno.test("ECgFp5 decoding accepts exactly the valid encodings and re-encodes them (14 vectors)", () => {
  deepEqual(vectors.decode.length, 14);
  for (const v of vectors.decode) {
    const w = fp5FromBytes(hexToBytes(v.w));
    const p = w && decode(w);
    deepEqual(p !== undefined, v.decodes, v.w);
    if (p) {
      deepEqual(isNeutral(p), v.is_neutral);
      deepEqual(enc(p), v.encoded_back);
    }
  }
});

Deno.test("ECgFp5 addition and doubling match all 9 poseidon_crypto vectors", () => {
  deepEqual(vectors.add.length, 9);
  for (const v of vectors.add) {
    const a = point(v.a_w), b = point(v.b_w);
    const out = neutral();
    add(out, a, b);
    deepEqual(enc(out), v.sum_w);
    double(out, a);
    deepEqual(enc(out), v.a_double_w);
    add(out, a, a);
    deepEqual(enc(out), v.a_double_w, "complete formulas also double");
  }
});

Deno.test("ECgFp5 scalar multiplication matches all 13 poseidon_crypto vectors", () => {
  deepEqual(vectors.scalar_mul.length, 13);
  for (const v of vectors.scalar_mul) {
    const out = neutral();
    mulPoint(out, point(v.base_w), scalarReduce(scalarFromBytes(hexToBytes(v.scalar_le))));
    deepEqual(enc(out), v.out_w);
  }
});

Deno.test("fixed-base multiplication by the generator agrees with the generic ladder", () => {
  const a = neutral(), b = neutral();
  for (
    const k of [0n, 1n, 2n, 127n, 128n, 129n, 255n, 256n, N - 1n, N - 2n, (1n << 319n) + 12345n]
  ) {
    mulGenerator(a, k);
    mulPoint(b, GENERATOR as Point, k);
    deepEqual(enc(a), enc(b), `k = ${k}`);
  }
  mulGenerator(a, N);
  ok(isNeutral(a), "n·G is the neutral");
});

Deno.test("scalar arithmetic mod n matches all 25 poseidon_crypto vectors", () => {
  deepEqual(vectors.scalar_ops.length, 25);
  const s = (hex: string) => scalarReduce(scalarFromBytes(hexToBytes(hex)));
  const h = (k: bigint) => bytesToHex(scalarToBytes(k));
  for (const v of vectors.scalar_ops) {
    const a = s(v.a), b = s(v.b);
    deepEqual(h(scalarReduce(a + b)), v.add);
    deepEqual(h(scalarReduce(a - b)), v.sub);
    deepEqual(h(scalarReduce(a * b)), v.mul);
    deepEqual(h(scalarReduce(-a)), v.neg_a);
    deepEqual(a === 0n, v.a_is_zero);
  }
});
