import { deepStrictEqual as deepEqual, ok } from "node:assert/strict";
import { readFixture } from "../../exchanges/lighter/signer/_fixtures_test.ts";
import {
  fp5,
  fp5Add,
  fp5Equals,
  fp5FromBytes,
  fp5Inverse,
  fp5Legendre,
  fp5Mul,
  fp5Neg,
  fp5Pow,
  fp5Sqrt,
  fp5Square,
  fp5Sub,
  fp5ToBytes,
} from "./_fp5.ts";
import { bytesToHex, hexToBytes } from "../../exchanges/lighter/signer/_fixtures_test.ts";

interface Fp5Vector {
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

const { vectors } = await readFixture<{ vectors: Fp5Vector[] }>(
  "lighter/SIGN_fp5_field_vectors__poseidon_crypto.json",
);

const el = (hex: string) => fp5FromBytes(hexToBytes(hex))!;
const hex = (a: Float64Array) => bytesToHex(fp5ToBytes(a));

Deno.test("GF(p^5) arithmetic matches all poseidon_crypto extension-field vectors", () => {
  deepEqual(vectors.length, 92);
  const out = fp5();
  for (const v of vectors) {
    const a = el(v.a), b = el(v.b);
    fp5Add(out, a, b);
    deepEqual(hex(out), v.add, `add ${v.a}`);
    fp5Sub(out, a, b);
    deepEqual(hex(out), v.sub, `sub ${v.a}`);
    fp5Mul(out, a, b);
    deepEqual(hex(out), v.mul, `mul ${v.a}`);
    fp5Neg(out, a);
    deepEqual(hex(out), v.neg_a, `neg ${v.a}`);
    fp5Inverse(out, a);
    deepEqual(hex(out), v.inv_a, `inv ${v.a}`);
    fp5Pow(out, a, BigInt(v.e));
    deepEqual(hex(out), v.pow_a_e, `pow ${v.a}`);
    deepEqual(fp5Equals(a, b), v.a_eq_b);
  }
});

Deno.test("GF(p^5) multiplication may write over its inputs", () => {
  const a = el(vectors[10].a), b = el(vectors[10].b);
  const out = a.slice();
  fp5Mul(out, out, b);
  deepEqual(hex(out), vectors[10].mul);
  const sq = fp5();
  fp5Mul(sq, a, a);
  const sq2 = a.slice();
  fp5Square(sq2, sq2);
  deepEqual(hex(sq2), hex(sq));
});

Deno.test("GF(p^5) square roots exist exactly for squares and square back", () => {
  let squares = 0;
  for (const v of vectors.slice(0, 30)) {
    const a = el(v.a);
    const sq = fp5();
    fp5Square(sq, a);
    const r = fp5Sqrt(sq)!;
    const back = fp5();
    fp5Square(back, r);
    deepEqual(hex(back), hex(sq));
    const leg = fp5Legendre(a);
    const root = fp5Sqrt(a);
    if (leg === 1) {
      squares++;
      fp5Square(back, root!);
      deepEqual(hex(back), hex(a));
    } else if (leg === -1) deepEqual(root, undefined);
  }
  ok(squares > 0);
});

Deno.test("fp5FromBytes rejects a non-canonical coefficient", () => {
  deepEqual(fp5FromBytes(hexToBytes("ffffffffffffffff" + "00".repeat(32))), undefined);
  ok(fp5FromBytes(hexToBytes("00000000ffffffff" + "00".repeat(32))));
});
