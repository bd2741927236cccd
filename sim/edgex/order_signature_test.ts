/**
 * The replica's order checks on their own: the nonce and EIP-712 vectors of
 * testdata/fixtures/edgex (expected values are the fixture's literals).
 */
import {
  deepStrictEqual as deepEqual,
  notDeepStrictEqual as notDeepEqual,
  rejects,
} from "node:assert/strict";
import { edgeXOrderNonce, recoverEdgeXOrder } from "./order_signature.ts";
import { testdataUrl } from "../../tests/_testdata.ts";

const FIXTURES = testdataUrl("fixtures/edgex/");
const VECTORS = JSON.parse(await Deno.readTextFile(new URL("test_vectors.json", FIXTURES)));

for (const v of VECTORS.nonce as { clientOrderId: string; l2Nonce: string }[]) {
  Deno.test(`nonce vector ${v.clientOrderId}: l2Nonce ${v.l2Nonce}`, () => {
    deepEqual(String(edgeXOrderNonce(v.clientOrderId)), v.l2Nonce);
  });
}

interface OrderVector {
  name: string;
  inputs: Record<string, string>;
  result: { signerAddress: string };
  requestBodyGoStyle: Record<string, string>;
  requestBodyPythonStyle?: Record<string, string>;
}

const ORDERS = (VECTORS.eip712 as (OrderVector & { typedData: { primaryType: string } })[])
  .filter((v) => v.typedData.primaryType === "LimitOrderParams");

function contextOf(v: OrderVector, signer = v.result.signerAddress) {
  return {
    contractId: v.inputs.contractId,
    quoteCoinId: v.inputs.quoteCoinId,
    contractResolution: v.inputs.contractResolution,
    quoteResolution: v.inputs.quoteResolution,
    chainId: v.inputs.chainId,
    verifyingContract: v.inputs.verifyingContract,
    signer,
  };
}

Deno.test("there are order vectors to check", () => deepEqual(ORDERS.length, 4));

for (const v of ORDERS) {
  Deno.test(`order vector ${v.name}: the replica recovers the vector's signer`, async () => {
    const body = v.requestBodyGoStyle as never;
    deepEqual(await recoverEdgeXOrder(body, contextOf(v)), v.result.signerAddress);
    if (v.requestBodyPythonStyle) {
      // The Python SDK sends the signature without 0x.
      deepEqual(
        await recoverEdgeXOrder(v.requestBodyPythonStyle as never, contextOf(v)),
        v.result.signerAddress,
      );
    }
  });

  Deno.test(`order vector ${v.name}: any change to a signed field recovers someone else`, async () => {
    const body = v.requestBodyGoStyle;
    const changes: Record<string, string>[] = [
      { l2Value: `${body.l2Value}1` },
      { l2Size: `${body.l2Size}1` },
      { l2LimitFee: String(Number(body.l2LimitFee) + 1) },
      { l2Nonce: String(Number(body.l2Nonce) + 1) },
      { expireTime: String(Number(body.expireTime) + 1000) },
      { accountId: `${body.accountId}1` },
      { side: body.side === "BUY" ? "SELL" : "BUY" },
    ];
    for (const change of changes) {
      notDeepEqual(
        await recoverEdgeXOrder({ ...body, ...change } as never, contextOf(v)),
        v.result.signerAddress,
        JSON.stringify(change),
      );
    }
    const ctx = contextOf(v);
    for (
      const other of [
        { ...ctx, contractId: "30000099" },
        { ...ctx, chainId: "3343" },
        { ...ctx, signer: "0x0000000000000000000000000000000000000abc" },
      ]
    ) {
      notDeepEqual(await recoverEdgeXOrder(body as never, other), v.result.signerAddress);
    }
    // Milliseconds below the signed second do not matter.
    deepEqual(
      await recoverEdgeXOrder(
        { ...body, expireTime: String(Number(body.expireTime) + 1) } as never,
        ctx,
      ),
      v.result.signerAddress,
    );
  });
}

Deno.test("recoverEdgeXOrder() refuses malformed bodies", async () => {
  const ctx = contextOf(ORDERS[0]);
  const base = {
    accountId: "1",
    side: "BUY",
    l2Nonce: "1",
    l2Value: "1",
    l2Size: "1",
    l2LimitFee: "1",
    expireTime: "1792586196955",
    l2Signature: "0x" + "11".repeat(65),
  };
  await rejects(recoverEdgeXOrder({ ...base, side: "buy" }, ctx), TypeError);
  await rejects(recoverEdgeXOrder({ ...base, l2Signature: "0x1234" }, ctx), TypeError);
  await rejects(recoverEdgeXOrder({ ...base, l2Value: "1e3" }, ctx), TypeError);
  await rejects(recoverEdgeXOrder({ ...base, l2Nonce: "-1" }, ctx), TypeError);
  await rejects(recoverEdgeXOrder({ ...base, l2LimitFee: "-1" }, ctx), TypeError);
  await rejects(recoverEdgeXOrder(base, { ...ctx, signer: "nobody" }), TypeError);
});
