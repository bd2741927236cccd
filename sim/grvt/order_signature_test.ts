/**
 * The replica's order-signature check against the official GRVT vectors (pysdk tests,
 * `testdata/fixtures/grvt/eip712_signing_vectors_official_pysdk.json`), on the replica's own code.
 */
// The plain names are loose in Deno's node:assert/strict (1 equals "1"); use the strict ones.
import { notStrictEqual as notEqual, strictEqual as equal, throws } from "node:assert/strict";
import type { Hex } from "viem";
import {
  orderDigest,
  recoverOrderSigner,
  scaledInteger,
  type SignedAsset,
  type WireOrder,
} from "./_order_signature.ts";
import { testdataUrl } from "../../tests/_testdata.ts";

const FIXTURES = testdataUrl("fixtures/grvt/");

interface VectorCase {
  name: string;
  primaryType: string;
  chainId: number;
  input_order?: WireOrder;
  expected: { r: Hex; s: Hex; v: number; digest?: Hex };
  signer?: string;
  expected_signer?: string;
}

const vectors = JSON.parse(
  await Deno.readTextFile(new URL("eip712_signing_vectors_official_pysdk.json", FIXTURES)),
) as {
  instruments_used: Record<string, { instrument_hash: string; base_decimals: number }>;
  cases: VectorCase[];
};

const assetOf = (instrument: string): SignedAsset => {
  const i = vectors.instruments_used[instrument];
  return { instrumentHash: i.instrument_hash, baseDecimals: i.base_decimals };
};

const orderCases = vectors.cases.filter((c) => c.input_order !== undefined);

Deno.test("the vector file holds the 12 official order cases", () => {
  equal(orderCases.length, 12);
  equal(orderCases.filter((c) => c.primaryType === "OrderWithBuilderFee").length, 6);
});

for (const c of orderCases) {
  Deno.test(`recoverOrderSigner() recovers the official signer: ${c.primaryType} ${c.name}`, async () => {
    const signer = c.signer ?? c.expected_signer!;
    const got = await recoverOrderSigner(c.input_order!, assetOf, c.expected, c.chainId);
    equal(got.toLowerCase(), signer.toLowerCase());
    if (c.expected.digest !== undefined) {
      equal(orderDigest(c.input_order!, assetOf, c.chainId), c.expected.digest);
    }
  });
}

Deno.test("orderDigest() of case A is the digest in grvt.md §6.7", () => {
  const order: WireOrder = {
    sub_account_id: "8289849667772468",
    is_market: false,
    time_in_force: "GOOD_TILL_TIME",
    post_only: false,
    reduce_only: false,
    legs: [{
      instrument: "BTC_USDT_Perp",
      size: "1.013",
      limit_price: "68900.5",
      is_buying_asset: false,
    }],
    signature: { expiration: "1730800479321350000", nonce: 828700936 },
  };
  const btc = () => ({ instrumentHash: "0x030501", baseDecimals: 9 });
  equal(
    orderDigest(order, btc, 326),
    "0x03cb7ca7b353969ab2c00ff92fd472f81f59a84d28fa1aa39128176f21062982",
  );
  // pysdk's padded wire form signs the same integers (grvt.md §4.2.1).
  const padded = {
    ...order,
    legs: [{
      instrument: "BTC_USDT_Perp",
      size: "1.013000000",
      limit_price: "68900.500000000",
      is_buying_asset: false,
    }],
  };
  equal(
    orderDigest(padded, btc, 326),
    "0x03cb7ca7b353969ab2c00ff92fd472f81f59a84d28fa1aa39128176f21062982",
  );
  notEqual(
    orderDigest(order, btc, 325),
    "0x03cb7ca7b353969ab2c00ff92fd472f81f59a84d28fa1aa39128176f21062982",
  );
});

Deno.test("a tampered order or another chain id recovers another address", async () => {
  const c = orderCases[0];
  const signer = (c.signer ?? c.expected_signer!).toLowerCase();
  const order = c.input_order!;
  const legs = order.legs as Record<string, unknown>[];
  const bigger = { ...order, legs: [{ ...legs[0], size: "1.014" }] };
  notEqual(
    (await recoverOrderSigner(bigger, assetOf, c.expected, c.chainId)).toLowerCase(),
    signer,
  );
  notEqual((await recoverOrderSigner(order, assetOf, c.expected, 325)).toLowerCase(), signer);
  const buy = { ...order, legs: [{ ...legs[0], is_buying_asset: true }] };
  notEqual((await recoverOrderSigner(buy, assetOf, c.expected, c.chainId)).toLowerCase(), signer);
});

Deno.test("scaledInteger() truncates, pads and reads the 0E-9 form", () => {
  equal(scaledInteger("1.013", 9), 1013000000n);
  equal(scaledInteger("1.1231231239", 9), 1123123123n);
  equal(scaledInteger("68900.7771234799", 9), 68900777123479n);
  equal(scaledInteger("90000.000000000", 9), 90000000000000n);
  equal(scaledInteger("0E-9", 9), 0n);
  equal(scaledInteger("1e-3", 9), 1000000n);
  equal(scaledInteger("0.00015", 4), 1n);
  equal(scaledInteger("1.0", 4), 10000n);
  throws(() => scaledInteger("-1", 9), TypeError);
  throws(() => scaledInteger("", 9), TypeError);
});
