import { deepStrictEqual as deepEqual, ok, throws } from "node:assert/strict";
import { ConfigurationError, InvalidOrderError } from "../../../core/errors.ts";
import { redact } from "../../../core/redact.ts";
import { readFixture } from "./_fixtures_test.ts";
import { encodeApproveIntegrator, hashTx, txInfoJson } from "./_tx_encoding.ts";
import { fp5ToBytes } from "../../../crypto/ecgfp5/_fp5.ts";
import { toHex } from "../../../crypto/ecgfp5/_hex.ts";
import { LighterSigner } from "./lighter_signer.ts";
import type { SignedTx } from "./transactions.ts";
import { verify } from "../../../crypto/ecgfp5/verify.ts";

// deno-lint-ignore no-explicit-any
type Fields = Record<string, any>;

interface OracleVector {
  kind: string;
  chain_id: number;
  sk: string;
  account_index: number;
  api_key_index: number;
  nonce: number;
  expired_at: number;
  fields: Fields;
  tx_type: number;
  tx_info?: string;
  tx_info_unsigned?: string;
  tx_hash: string;
  sig?: string;
  source?: string;
}

const official = await readFixture<{ vectors: OracleVector[] }>(
  "lighter/SIGN_tx_oracle__nautilus-signer-v1.1.2.json",
);
const anchors = await readFixture<{ vectors: OracleVector[] }>(
  "anchor_vectors/lighter_official_tx.json",
);
const ORACLE_PK =
  "2c4fbfa7d45258fb02da89eaaf8a3af8eb62106ddd86cd98886e0fadcd7fcacf6f8fd2af3ca004f5";

function signerFor(v: OracleVector): LighterSigner {
  return new LighterSigner({
    privateKey: v.sk,
    accountIndex: v.account_index,
    apiKeyIndex: v.api_key_index,
    chainId: v.chain_id,
  });
}

const fees = (f: Fields) => ({
  integratorAccountIndex: f.integrator_account_index,
  integratorTakerFee: f.integrator_taker_fee,
  integratorMakerFee: f.integrator_maker_fee,
});

/** Signs what an oracle vector describes. */
function signVector(v: OracleVector): SignedTx {
  const s = signerFor(v);
  const f = v.fields;
  const opts = { nonce: v.nonce, expiredAt: v.expired_at, skipNonce: f.skip_nonce === 1 };
  switch (v.kind) {
    case "create_order":
      return s.signCreateOrder({
        marketIndex: f.market_index,
        clientOrderIndex: f.client_order_index,
        baseAmount: f.base_amount,
        price: f.price,
        isAsk: f.is_ask,
        type: f.order_type,
        timeInForce: f.time_in_force,
        reduceOnly: f.reduce_only,
        triggerPrice: f.trigger_price,
        orderExpiry: f.order_expiry,
        ...fees(f),
      }, opts);
    case "cancel_order":
      return s.signCancelOrder({ marketIndex: f.market_index, index: f.index }, opts);
    case "modify_order":
      return s.signModifyOrder({
        marketIndex: f.market_index,
        index: f.index,
        baseAmount: f.base_amount,
        price: f.price,
        triggerPrice: f.trigger_price,
        ...fees(f),
      }, opts);
    case "cancel_all_orders":
      return s.signCancelAllOrders({
        timeInForce: f.time_in_force,
        time: f.scheduled_time_ms,
        marketIndex: f.cancel_all_market_index,
      }, opts);
    case "update_leverage":
      return s.signUpdateLeverage({
        marketIndex: f.market_index,
        initialMarginFraction: f.initial_margin_fraction,
        marginMode: f.margin_mode,
      }, opts);
    case "approve_integrator": {
      // Not exposed on the signer (it also needs the owner's L1 signature): hash and JSON only.
      const tx = encodeApproveIntegrator({
        integratorAccountIndex: f.integrator_account_index,
        maxPerpsTakerFee: f.max_perps_taker_fee,
        maxPerpsMakerFee: f.max_perps_maker_fee,
        maxSpotTakerFee: f.max_spot_taker_fee,
        maxSpotMakerFee: f.max_spot_maker_fee,
        approvalExpiry: f.approval_expiry,
      }, {
        chainId: v.chain_id,
        accountIndex: v.account_index,
        apiKeyIndex: v.api_key_index,
        nonce: v.nonce,
        expiredAt: v.expired_at,
      }, opts.skipNonce);
      return {
        txType: 45,
        txInfo: txInfoJson(tx, new Uint8Array(80)),
        txHash: toHex(fp5ToBytes(hashTx(tx))),
      };
    }
  }
  throw new Error(`unknown kind ${v.kind}`);
}

const b64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const withoutSig = (txInfo: string) => txInfo.replace(/,"Sig":"[^"]*"/, "");

Deno.test("tx hashes match all 17 official signer v1.1.2 vectors", () => {
  deepEqual(official.vectors.length, 17);
  for (const v of official.vectors) {
    const tx = signVector(v);
    deepEqual(tx.txType, v.tx_type);
    deepEqual(tx.txHash, v.tx_hash, `${v.kind} nonce ${v.nonce}`);
  }
});

Deno.test("tx_info is byte-identical to the official signer's apart from the random Sig", () => {
  for (const v of official.vectors) {
    const tx = signVector(v);
    const officialSig = JSON.parse(v.tx_info!).Sig;
    const ours = tx.txInfo.replace(/"Sig":"[^"]*"/, `"Sig":"${officialSig}"`);
    deepEqual(ours, v.tx_info, `${v.kind} nonce ${v.nonce}`);
  }
});

Deno.test("the official signatures of all 17 vectors verify with our verifier", () => {
  for (const v of official.vectors) {
    ok(verify(ORACLE_PK, v.tx_hash, b64(JSON.parse(v.tx_info!).Sig)), `${v.kind} ${v.nonce}`);
    ok(verify(ORACLE_PK, v.tx_hash, v.sig!), `hex sig ${v.kind} ${v.nonce}`);
  }
});

Deno.test("our signatures verify and the Sig in tx_info signs the tx hash", () => {
  for (const v of official.vectors.filter((v) => v.kind !== "approve_integrator")) {
    const tx = signVector(v);
    const sig = b64(JSON.parse(tx.txInfo).Sig);
    deepEqual(sig.length, 80);
    ok(verify(ORACLE_PK, tx.txHash, sig), `${v.kind} ${v.nonce}`);
  }
});

Deno.test("tx hashes and unsigned tx_info match all 26 anchor vectors (v1.1.2 and older signer)", () => {
  deepEqual(anchors.vectors.length, 26);
  for (const v of anchors.vectors) {
    const tx = signVector(v);
    deepEqual(tx.txHash, v.tx_hash, `${v.source} ${v.kind} ${v.nonce}`);
    if (v.source === "signer-1.1.2") deepEqual(withoutSig(tx.txInfo), v.tx_info_unsigned);
    else {
      // The older signer wrote all-nil attributes as {"1":0,"2":0,"3":0}; the hash is the same.
      deepEqual(
        withoutSig(tx.txInfo),
        v.tx_info_unsigned!.replace(
          '"L2TxAttributes":{"1":0,"2":0,"3":0}',
          '"L2TxAttributes":null',
        ),
      );
    }
  }
});

Deno.test("a signature fails verification for a flipped bit, another hash or another key", () => {
  const v = official.vectors[0];
  const tx = signVector(v);
  const sig = b64(JSON.parse(tx.txInfo).Sig);
  for (let byte = 0; byte < 80; byte += 13) {
    const bad = sig.slice();
    bad[byte] ^= 0x10;
    ok(!verify(ORACLE_PK, tx.txHash, bad));
  }
  ok(!verify(ORACLE_PK, official.vectors[1].tx_hash, sig));
  const other = new LighterSigner({
    privateKey: "11".repeat(40),
    accountIndex: 1,
    apiKeyIndex: 2,
    chainId: 300,
  });
  ok(!verify(other.publicKey, tx.txHash, sig));
  ok(!verify(ORACLE_PK, tx.txHash, sig.slice(0, 79)), "short signature");
  ok(!verify("00".repeat(39) + "ff", tx.txHash, sig), "key that encodes no point");
});

Deno.test("signatures are randomized but reproducible with an injected random source", () => {
  const v = official.vectors[0];
  const a = signVector(v), b = signVector(v);
  ok(a.txInfo !== b.txInfo, "two signatures of one tx differ");
  deepEqual(a.txHash, b.txHash);
  const fixed = (bytes: Uint8Array) => bytes.fill(7);
  const mk = () =>
    new LighterSigner({
      privateKey: v.sk,
      accountIndex: 12345,
      apiKeyIndex: 5,
      chainId: 300,
      random: fixed,
    })
      .signCancelOrder({ marketIndex: 0, index: 1 }, { nonce: 1, expiredAt: 1 });
  deepEqual(mk().txInfo, mk().txInfo);
});

Deno.test("the signer never shows its private key", () => {
  const sk = official.vectors[0].sk;
  const s = new LighterSigner({
    privateKey: "0x" + sk,
    accountIndex: 12345,
    apiKeyIndex: 5,
    chainId: 300,
  });
  deepEqual(s.publicKey, ORACLE_PK);
  for (
    const text of [
      String(s),
      JSON.stringify(s),
      Deno.inspect(s),
      Deno.inspect(s, { showHidden: true }),
    ]
  ) {
    ok(!text.includes(sk), text);
    ok(text.includes(ORACLE_PK));
  }
  deepEqual(redact(`key ${sk}`), "key [REDACTED]");
  try {
    new LighterSigner({
      privateKey: sk.slice(0, 78) + "zz",
      accountIndex: 1,
      apiKeyIndex: 2,
      chainId: 300,
    });
    ok(false);
  } catch (e) {
    ok(e instanceof ConfigurationError);
    ok(!(e as Error).message.includes(sk.slice(0, 20)));
  }
});

Deno.test("signing refuses out-of-range fields with the venue's rules", () => {
  const s = signerFor(official.vectors[0]);
  const order = {
    marketIndex: 0,
    clientOrderIndex: 1,
    baseAmount: 1000,
    price: 405000,
    isAsk: true,
    type: 0 as const,
    timeInForce: 1 as const,
    orderExpiry: 1735689600000,
  };
  throws(() => s.signCreateOrder({ ...order, price: 0 }, { nonce: 0 }), InvalidOrderError);
  throws(() => s.signCreateOrder({ ...order, price: 2 ** 32 }, { nonce: 0 }), InvalidOrderError);
  throws(() => s.signCreateOrder({ ...order, baseAmount: 0 }, { nonce: 0 }), InvalidOrderError);
  throws(() => s.signCreateOrder({ ...order, baseAmount: 1.5 }, { nonce: 0 }), InvalidOrderError);
  throws(() => s.signCreateOrder({ ...order, marketIndex: 300 }, { nonce: 0 }), ConfigurationError);
  throws(() => s.signCreateOrder({ ...order, orderExpiry: 0 }, { nonce: 0 }), /orderExpiry/);
  throws(() => s.signCreateOrder({ ...order, type: 1 }, { nonce: 0 }), /timeInForce/);
  throws(() => s.signCreateOrder({ ...order, integratorTakerFee: 5 }, { nonce: 0 }), /integrator/);
  throws(() => s.signCreateOrder(order, { nonce: -1 }), /nonce/);
  throws(() => s.signCreateOrder(order, { nonce: 0, expiredAt: 2 ** 48 }), /expiredAt/);
  throws(() => s.signCancelAllOrders({ timeInForce: 1 }, { nonce: 0 }), /time/);
  ok(s.signCreateOrder({ ...order, baseAmount: 0, reduceOnly: true }, { nonce: 0 }));
});

Deno.test("default expiry is the clock plus 10 minutes minus 1 second", () => {
  const v = official.vectors[2];
  const s = new LighterSigner({
    privateKey: v.sk,
    accountIndex: 12345,
    apiKeyIndex: 5,
    chainId: 300,
    now: () => 1_000_000,
  });
  const tx = s.signCancelOrder({ marketIndex: 0, index: 123 }, { nonce: 2 });
  deepEqual(JSON.parse(tx.txInfo).ExpiredAt, 1_000_000 + 599_000);
});

Deno.test("cancel-all for one market and self-trade modes become hashed attributes", () => {
  const s = signerFor(official.vectors[0]);
  const one = s.signCancelAllOrders({ timeInForce: 0, marketIndex: 0 }, { nonce: 1, expiredAt: 5 });
  const all = s.signCancelAllOrders({ timeInForce: 0 }, { nonce: 1, expiredAt: 5 });
  ok(one.txInfo.endsWith(`"L2TxAttributes":{"5":0}}`));
  ok(all.txInfo.endsWith(`"L2TxAttributes":null}`));
  ok(one.txHash !== all.txHash);
  const st = s.signModifyOrder(
    {
      marketIndex: 0,
      index: 1,
      baseAmount: 1,
      price: 1,
      selfTradeBehaviorMode: 2,
      selfTradeEqualityMode: 1,
    },
    { nonce: 1, expiredAt: 5, skipNonce: true },
  );
  ok(st.txInfo.endsWith(`"L2TxAttributes":{"4":1,"6":2,"7":1}}`));
  ok(verify(s.publicKey, st.txHash, b64(JSON.parse(st.txInfo).Sig)));
});
