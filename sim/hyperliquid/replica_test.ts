/**
 * The Hyperliquid replica on its own wire: signatures are recovered with the replica's own
 * hashing (official SDK vectors), a foreign signer, a reused nonce and prices off the
 * 5-significant-figure rule are refused with the venue's answers.
 */
import { deepStrictEqual as deepEqual, strictEqual as equal } from "node:assert/strict";
import { privateKeyToAccount, signTypedData } from "viem/accounts";
import { canonicalAction, connectionId, recoverActionSigner } from "./action_signature.ts";
import { startHyperliquidReplica } from "./replica.ts";

const SDK_KEY = "0x0123456789012345678901234567890123456789012345678901234567890123";
const SDK_ADDRESS = "0x14791697260e4c9a71f18484c9f997b308e59325";
const sdkOrder = (c?: string) => ({
  type: "order",
  orders: [{
    a: 1,
    b: true,
    p: "100",
    s: "100",
    r: false,
    t: { limit: { tif: "Gtc" } },
    ...(c ? { c } : {}),
  }],
  grouping: "na",
});

Deno.test("hyperliquid replica: the SDK's production action hash", () => {
  const action = {
    type: "order",
    orders: [{ a: 4, b: true, p: "1670.1", s: "0.0147", r: false, t: { limit: { tif: "Ioc" } } }],
    grouping: "na",
  };
  equal(
    connectionId(action, 1677777606040, null),
    "0x0fcbeda5ae3c4950a548021552a4fea2226858c4453571bf3f24ba017eac2908",
  );
});

Deno.test("hyperliquid replica: official SDK signatures recover to the SDK key (mainnet, testnet, cloid, vault)", async () => {
  const cases: [Record<string, unknown>, string | null, boolean, string, string, number][] = [
    [
      sdkOrder(),
      null,
      true,
      "0xd65369825a9df5d80099e513cce430311d7d26ddf477f5b3a33d2806b100d78e",
      "0x2b54116ff64054968aa237c20ca9ff68000f977c93289157748a3162b6ea940e",
      28,
    ],
    [
      sdkOrder(),
      null,
      false,
      "0x82b2ba28e76b3d761093aaded1b1cdad4960b3af30212b343fb2e6cdfa4e3d54",
      "0x6b53878fc99d26047f4d7e8c90eb98955a109f44209163f52d8dc4278cbbd9f5",
      27,
    ],
    [
      sdkOrder("0x00000000000000000000000000000001"),
      null,
      true,
      "0x41ae18e8239a56cacbc5dad94d45d0b747e5da11ad564077fcac71277a946e3",
      "0x3c61f667e747404fe7eea8f90ab0e76cc12ce60270438b2058324681a00116da",
      27,
    ],
    [
      { type: "dummy", num: 100000000000 },
      "0x1719884eb866cb12b2287399b15f7db5e7d775ea",
      false,
      "0xe281d2fb5c6e25ca01601f878e4d69c965bb598b88fac58e475dd1f5e56c362b",
      "0x7ddad27e9a238d045c035bc606349d075d5c5cd00a6cd1da23ab5c39d4ef0f60",
      27,
    ],
  ];
  for (const [action, vault, mainnet, r, s, v] of cases) {
    equal(await recoverActionSigner(action, 0, vault, { r, s, v }, mainnet), SDK_ADDRESS);
    // The other network's source recovers to someone else.
    const other = await recoverActionSigner(action, 0, vault, { r, s, v }, !mainnet);
    equal(other === SDK_ADDRESS, false);
  }
});

Deno.test("hyperliquid replica: the hash follows the venue's field order, not the JSON's", () => {
  const a = sdkOrder();
  const shuffled = {
    grouping: "na",
    orders: [{ t: { limit: { tif: "Gtc" } }, r: false, s: "100", p: "100", b: true, a: 1 }],
    type: "order",
  };
  equal(connectionId(shuffled, 7, null), connectionId(a, 7, null));
  deepEqual(Object.keys(canonicalAction(shuffled)), ["type", "orders", "grouping"]);
});

async function signed(key: `0x${string}`, action: Record<string, unknown>, nonce: number) {
  const sig = await signTypedData({
    privateKey: key,
    domain: {
      name: "Exchange",
      version: "1",
      chainId: 1337,
      verifyingContract: "0x0000000000000000000000000000000000000000",
    },
    types: {
      Agent: [{ name: "source", type: "string" }, { name: "connectionId", type: "bytes32" }],
    },
    primaryType: "Agent",
    message: { source: "b", connectionId: connectionId(action, nonce, null) },
  });
  return {
    action,
    nonce,
    signature: {
      r: `0x${BigInt(sig.slice(0, 66)).toString(16)}`,
      s: `0x${BigInt(`0x${sig.slice(66, 130)}`).toString(16)}`,
      v: parseInt(sig.slice(130), 16),
    },
    vaultAddress: null,
  };
}

Deno.test("hyperliquid replica: /exchange refuses a foreign signer, a reused nonce and an invalid price", async () => {
  await using replica = startHyperliquidReplica();
  const post = async (body: unknown) =>
    await (await fetch(`${replica.hosts.apiUrl}/exchange`, {
      method: "POST",
      body: JSON.stringify(body),
    })).json();
  const now = replica.clock.now();
  const order = (p: string) => ({
    type: "order",
    orders: [{ a: 0, b: true, p, s: "0.001", r: false, t: { limit: { tif: "Alo" } } }],
    grouping: "na",
  });
  deepEqual(await post(await signed(SDK_KEY, order("60000"), now)), {
    status: "err",
    response: `User or API Wallet ${
      privateKeyToAccount(SDK_KEY).address.toLowerCase()
    } does not exist.`,
  });
  const key = replica.credentials.privateKey;
  const first = await post(await signed(key, order("60000"), now));
  equal(first.status, "ok");
  equal(typeof first.response.data.statuses[0].resting.oid, "number");
  const again = await post(await signed(key, order("60001"), now));
  equal(again.status, "err");
  equal(/nonce/i.test(again.response), true);
  // 60000.5 has six significant figures; BTC (szDecimals 5) allows one decimal at most.
  const bad = await post(await signed(key, order("60000.5"), now + 1));
  deepEqual(bad.response.data.statuses, [{ error: "Order has invalid price. asset=0" }]);
  equal(replica.engine.openOrders(replica.credentials.accountAddress).length, 1);
});

Deno.test("hyperliquid replica: l2Book and orderStatus answer in the venue's shapes", async () => {
  await using replica = startHyperliquidReplica();
  replica.engine.placeOrder(replica.counterpartyAccountId, {
    symbol: "BTC",
    side: "sell",
    size: "0.5",
    price: "64010",
  });
  const info = async (body: unknown) =>
    await (await fetch(`${replica.hosts.apiUrl}/info`, {
      method: "POST",
      body: JSON.stringify(body),
    })).json();
  const book = await info({ type: "l2Book", coin: "BTC" });
  deepEqual(book.levels, [[], [{ px: "64010", sz: "0.5", n: 1 }]]);
  deepEqual(
    await info({
      type: "orderStatus",
      user: replica.credentials.accountAddress,
      oid: "0x0000000000000000000000000000abcd",
    }),
    { status: "unknownOid" },
  );
  const [meta, ctxs] = await info({ type: "metaAndAssetCtxs" });
  deepEqual(meta.universe[0], { name: "BTC", szDecimals: 5, maxLeverage: 40 });
  equal(ctxs[0].markPx, "64000");
});

/** One position of 1 BTC at 64,000 (max leverage 50, no fees) and the account's state. */
function onePosition(side: "buy" | "sell", collateral: string) {
  const replica = startHyperliquidReplica({
    markets: [{ coin: "BTC", szDecimals: 5, tickSize: "1", markPrice: "64000", maxLeverage: 50 }],
    collateral,
    makerFee: "0",
    takerFee: "0",
  });
  const me = replica.credentials.accountAddress;
  const other = side === "buy" ? "sell" : "buy";
  replica.engine.placeOrder(replica.counterpartyAccountId, {
    symbol: "BTC",
    side: other,
    size: "1",
    price: "64000",
  });
  replica.engine.placeOrder(me, { symbol: "BTC", side, size: "1", price: "64000" });
  const state = async () =>
    await (await fetch(`${replica.hosts.apiUrl}/info`, {
      method: "POST",
      body: JSON.stringify({ type: "clearinghouseState", user: me }),
    })).json();
  return { replica, me, state };
}

Deno.test("hyperliquid replica: liquidationPx of a cross long, worked by hand", async () => {
  // l = 1 / (2 × 50) = 0.01. Account value 10,540, maintenance 64,000 × 0.01 = 640, available
  // 9,900: 64,000 − 9,900 / 1 / (1 − 0.01) = 64,000 − 10,000 = 54,000.
  // Check: at 54,000 the account value is 10,540 − 10,000 = 540 = 54,000 × 0.01.
  const { replica, me, state } = onePosition("buy", "10540");
  await using _ = replica;
  const s = await state();
  equal(s.marginSummary.accountValue, "10540");
  equal(s.crossMaintenanceMarginUsed, "640");
  equal(s.assetPositions[0].position.szi, "1");
  equal(s.assetPositions[0].position.liquidationPx, "54000");
  // The mark moving does not move it: at 60,000, 60,000 − (6,540 − 600) / 0.99 = 54,000.
  replica.control.setPrices("BTC", { markPrice: "60000", indexPrice: "60000" });
  equal((await state()).assetPositions[0].position.liquidationPx, "54000");
  // The engine agrees: one dollar above it the position stands, one below it is liquidated.
  replica.control.setPrices("BTC", { markPrice: "54001", indexPrice: "54001" });
  equal(replica.engine.position(me, "BTC").size, "1");
  replica.control.setPrices("BTC", { markPrice: "53999", indexPrice: "53999" });
  equal(replica.engine.position(me, "BTC").size, "0");
  deepEqual((await state()).assetPositions, []);
});

Deno.test("hyperliquid replica: liquidationPx of a cross short, worked by hand", async () => {
  // Account value 10,740, maintenance 640, available 10,100:
  // 64,000 + 10,100 / 1 / (1 + 0.01) = 64,000 + 10,000 = 74,000.
  // Check: at 74,000 the account value is 10,740 − 10,000 = 740 = 74,000 × 0.01.
  const { replica, me, state } = onePosition("sell", "10740");
  await using _ = replica;
  const s = await state();
  equal(s.assetPositions[0].position.szi, "-1");
  equal(s.assetPositions[0].position.liquidationPx, "74000");
  replica.control.setPrices("BTC", { markPrice: "73999", indexPrice: "73999" });
  equal(replica.engine.position(me, "BTC").size, "-1");
  replica.control.setPrices("BTC", { markPrice: "74001", indexPrice: "74001" });
  equal(replica.engine.position(me, "BTC").size, "0");
});

Deno.test("hyperliquid replica: liquidationPx is null for a long the account value carries to a price of zero", async () => {
  // 1 BTC at 64,000 with 70,000 of collateral: available 70,000 − 640 = 69,360, and
  // 64,000 − 69,360 / 0.99 = −6,060.6… ≤ 0: no price liquidates it.
  const { replica, state } = onePosition("buy", "70000");
  await using _ = replica;
  const s = await state();
  equal(s.assetPositions[0].position.szi, "1");
  equal(s.assetPositions[0].position.liquidationPx, null);
});

Deno.test("hyperliquid replica: liquidationPx is written to 8 decimals", async () => {
  // Collateral 20,000: available 19,360 and 64,000 − 19,360 / 0.99 = 44,444.444444…
  const { replica, state } = onePosition("buy", "20000");
  await using _ = replica;
  equal((await state()).assetPositions[0].position.liquidationPx, "44444.44444444");
});
