import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { publicKeyFromPrivateKey } from "../../crypto/ecgfp5/keys.ts";
import { lighterTxHash, parseTxInfo, verifyTx } from "./tx_verifier.ts";
import { testdataUrl } from "../../tests/_testdata.ts";

interface Vector {
  kind: string;
  chain_id: number;
  sk: string;
  tx_type: number;
  tx_info: string;
  tx_hash: string;
  nonce: number;
}

// The official signer's outputs (testdata/fixtures), read directly: this test
// does not go through the signer's own fixture helpers.
const oracle = JSON.parse(
  await Deno.readTextFile(
    testdataUrl("fixtures/lighter/SIGN_tx_oracle__nautilus-signer-v1.1.2.json"),
  ),
) as { vectors: Vector[] };

Deno.test("replica verifier reproduces every official tx hash and accepts every official signature", () => {
  equal(oracle.vectors.length, 17);
  for (const v of oracle.vectors) {
    const tx = parseTxInfo(v.tx_type, v.tx_info);
    equal(lighterTxHash(v.chain_id, tx), v.tx_hash, `${v.kind} nonce ${v.nonce}`);
    ok(verifyTx(v.chain_id, tx, publicKeyFromPrivateKey(v.sk)), `${v.kind} nonce ${v.nonce}`);
  }
});

Deno.test("replica verifier refuses a tampered field, another key, another chain and a flipped signature bit", () => {
  const v = oracle.vectors[0];
  const pk = publicKeyFromPrivateKey(v.sk);
  const info = JSON.parse(v.tx_info);
  ok(!verifyTx(v.chain_id, parseTxInfo(14, { ...info, Price: info.Price + 1 }), pk));
  ok(!verifyTx(v.chain_id, parseTxInfo(14, v.tx_info), publicKeyFromPrivateKey("01".repeat(40))));
  ok(!verifyTx(304, parseTxInfo(14, v.tx_info), pk));
  const sig = Uint8Array.from(atob(info.Sig), (c) => c.charCodeAt(0));
  sig[3] ^= 1;
  const flipped = { ...info, Sig: btoa(String.fromCharCode(...sig)) };
  ok(!verifyTx(v.chain_id, parseTxInfo(14, flipped), pk));
});

Deno.test("replica verifier treats an all-nil attribute map like null (older signers)", () => {
  const v = oracle.vectors[0];
  const info = { ...JSON.parse(v.tx_info), L2TxAttributes: { "1": 0, "2": 0, "3": 0 } };
  const tx = parseTxInfo(14, info);
  deepEqual(tx.attributes.size, 0);
  equal(lighterTxHash(v.chain_id, tx), v.tx_hash);
});
