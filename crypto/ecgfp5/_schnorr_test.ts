import { deepStrictEqual as deepEqual, ok, throws } from "node:assert/strict";
import {
  bytesToHex,
  hexToBytes,
  readFixture,
} from "../../exchanges/lighter/signer/_fixtures_test.ts";
import { fp5FromBigInts, fp5FromBytes, fp5ToBytes } from "./_fp5.ts";
import { publicKeyOf, sampleScalar, signHashed, verifyHashed } from "./_schnorr.ts";
import { N, scalarFromBytes, scalarReduce } from "./_scalar.ts";

interface SchnorrVectors {
  keygen: { sk: string; pk: string }[];
  sign: { sk: string; hashed_msg: string; k: string; sig: string }[];
}

const { vectors } = await readFixture<{ vectors: SchnorrVectors }>(
  "lighter/SIGN_schnorr_vectors__poseidon_crypto.json",
);
const sk = (hex: string) => scalarReduce(scalarFromBytes(hexToBytes(hex)));
const el = (hex: string) => fp5FromBytes(hexToBytes(hex))!;

Deno.test("public keys derive from secret keys as in all 20 poseidon_crypto keygen vectors", () => {
  deepEqual(vectors.keygen.length, 20);
  for (const v of vectors.keygen) deepEqual(bytesToHex(fp5ToBytes(publicKeyOf(sk(v.sk)))), v.pk);
});

Deno.test("signing with a fixed nonce reproduces all 20 poseidon_crypto signatures", () => {
  deepEqual(vectors.sign.length, 20);
  for (const v of vectors.sign) {
    const k = sampleScalar((b) => b.set(hexToBytes(v.k)));
    deepEqual(bytesToHex(signHashed(sk(v.sk), el(v.hashed_msg), k)), v.sig);
  }
});

Deno.test("every poseidon_crypto signature verifies under its public key", () => {
  for (const v of vectors.sign) {
    ok(verifyHashed(publicKeyOf(sk(v.sk)), el(v.hashed_msg), hexToBytes(v.sig)));
  }
});

Deno.test("verification fails for a flipped signature bit, another message or another key", () => {
  const v = vectors.sign[0];
  const pk = publicKeyOf(sk(v.sk));
  const sig = hexToBytes(v.sig);
  for (const byte of [0, 17, 39, 40, 63, 79]) {
    const bad = sig.slice();
    bad[byte] ^= 1;
    ok(!verifyHashed(pk, el(v.hashed_msg), bad), `bit flipped in byte ${byte}`);
  }
  const msg = hexToBytes(v.hashed_msg);
  msg[0] ^= 1;
  ok(!verifyHashed(pk, fp5FromBytes(msg)!, sig));
  ok(!verifyHashed(publicKeyOf(sk(vectors.sign[1].sk)), el(v.hashed_msg), sig));
});

Deno.test("sign-then-verify holds for random keys, messages and nonces", async () => {
  const fc = (await import("fast-check")).default;
  const limb = fc.bigInt({ min: 0n, max: 0xffffffff00000000n });
  fc.assert(
    fc.property(
      fc.bigInt({ min: 1n, max: N - 1n }),
      fc.bigInt({ min: 1n, max: N - 1n }),
      fc.array(limb, { minLength: 5, maxLength: 5 }),
      (key, k, m) => {
        const msg = fp5FromBigInts(m);
        const sig = signHashed(key, msg, k);
        return verifyHashed(publicKeyOf(key), msg, sig);
      },
    ),
    { numRuns: 25 },
  );
});

Deno.test("a random source that yields only zeros is refused instead of signing", () => {
  throws(() => sampleScalar((b) => b.fill(0)), /random source/);
});
