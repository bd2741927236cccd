import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { LighterSigner } from "../../exchanges/lighter/signer/lighter_signer.ts";
import { generateApiKey } from "../../crypto/ecgfp5/keys.ts";
import { scriptedFundingRates } from "../funding.ts";
import { type LighterReplica, startLighterReplica } from "./replica.ts";

function signerFor(replica: LighterReplica, privateKey = replica.credentials.apiKeyPrivateKey) {
  return new LighterSigner({
    privateKey,
    accountIndex: replica.credentials.accountIndex,
    apiKeyIndex: replica.credentials.apiKeyIndex,
    chainId: replica.chainId,
    now: () => replica.clock.now(),
  });
}

function order(clientOrderIndex: number, price = 199000) {
  return {
    marketIndex: 0,
    clientOrderIndex,
    baseAmount: 100,
    price,
    isAsk: false,
    type: 0 as const,
    timeInForce: 2 as const,
    orderExpiry: Date.now() + 86_400_000,
  };
}

async function post(
  replica: LighterReplica,
  tx: { txType: number; txInfo: string },
  form: "multipart" | "urlencoded" = "multipart",
) {
  let body: FormData | URLSearchParams;
  if (form === "multipart") {
    body = new FormData();
    body.set("tx_type", String(tx.txType));
    body.set("tx_info", tx.txInfo);
  } else {
    body = new URLSearchParams({ tx_type: String(tx.txType), tx_info: tx.txInfo });
  }
  const r = await fetch(`${replica.restUrl}/api/v1/sendTx`, { method: "POST", body });
  return { status: r.status, body: await r.json() };
}

async function nextNonce(replica: LighterReplica): Promise<number> {
  const { accountIndex, apiKeyIndex } = replica.credentials;
  const r = await fetch(
    `${replica.restUrl}/api/v1/nextNonce?account_index=${accountIndex}&api_key_index=${apiKeyIndex}`,
  );
  return (await r.json()).nonce;
}

Deno.test("replica sendTx takes multipart and urlencoded forms and answers the tx hash", async () => {
  await using replica = startLighterReplica();
  const signer = signerFor(replica);
  const a = signer.signCreateOrder(order(11), { nonce: 0 });
  const ra = await post(replica, a, "multipart");
  deepEqual([ra.status, ra.body.code, ra.body.tx_hash], [200, 200, a.txHash]);
  const b = signer.signCreateOrder(order(12, 198000), { nonce: 1 });
  const rb = await post(replica, b, "urlencoded");
  deepEqual([rb.status, rb.body.code, rb.body.tx_hash], [200, 200, b.txHash]);
  equal(await nextNonce(replica), 2);
  equal(replica.engine.openOrders(replica.accountId).length, 2);
});

Deno.test("replica refuses a wrong key, a stale nonce and an expired tx without using the nonce", async () => {
  await using replica = startLighterReplica();
  const wrong = signerFor(replica, generateApiKey().privateKey);
  const r1 = await post(replica, wrong.signCreateOrder(order(21), { nonce: 0 }));
  deepEqual([r1.status, r1.body], [400, { code: 21501, message: "invalid signature" }]);
  const signer = signerFor(replica);
  const r2 = await post(replica, signer.signCreateOrder(order(22), { nonce: 5 }));
  deepEqual([r2.status, r2.body], [400, { code: 21104, message: "invalid nonce" }]);
  const expired = signer.signCreateOrder(order(23), {
    nonce: 0,
    expiredAt: replica.clock.now() - 1,
  });
  const r3 = await post(replica, expired);
  deepEqual([r3.status, r3.body], [400, { code: 21501, message: "transaction expired" }]);
  equal(await nextNonce(replica), 0, "API-level refusals do not consume the nonce");
  const ok1 = await post(replica, signer.signCreateOrder(order(24), { nonce: 0 }));
  equal(ok1.body.code, 200);
  const dup = await post(replica, signer.signCreateOrder(order(24, 198000), { nonce: 1 }));
  deepEqual(dup.body, { code: 21728, message: "client order index already exists" });
  equal(await nextNonce(replica), 1);
});

Deno.test("replica private reads and channels need a valid auth token", async () => {
  await using replica = startLighterReplica();
  const { accountIndex } = replica.credentials;
  const url = `${replica.restUrl}/api/v1/accountActiveOrders?account_index=${accountIndex}`;
  const none = await fetch(url);
  deepEqual([none.status, (await none.json()).code], [400, 20001]);
  const signer = signerFor(replica);
  const good = await fetch(url, { headers: { authorization: signer.createAuthToken() } });
  deepEqual(await good.json(), { code: 200, orders: [] });
  const other = signerFor(replica, generateApiKey().privateKey).createAuthToken();
  const bad = await fetch(`${url}&auth=${encodeURIComponent(other)}`);
  equal(bad.status, 400);

  const ws = new WebSocket(replica.wsUrl);
  const frames: Record<string, unknown>[] = [];
  const got = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (frames.length >= n ? resolve() : setTimeout(check, 5));
      check();
    });
  ws.onmessage = (e) => frames.push(JSON.parse(e.data));
  await new Promise((r) => (ws.onopen = r));
  ws.send(JSON.stringify({ type: "subscribe", channel: `account_orders/0/${accountIndex}` }));
  ws.send(
    JSON.stringify({
      type: "subscribe",
      channel: `account_orders/0/${accountIndex}`,
      auth: signer.createAuthToken(),
    }),
  );
  ws.send(JSON.stringify({ type: "subscribe", channel: "order_book/0" }));
  await got(4);
  deepEqual(frames[0], { session_id: frames[0].session_id, type: "connected" });
  deepEqual((frames[1].error as { code: number }).code, 20001);
  deepEqual([frames[2].type, frames[2].channel], [
    "subscribed/account_orders",
    `account_orders:0:${accountIndex}`,
  ]);
  deepEqual([frames[3].type, frames[3].channel], ["subscribed/order_book", "order_book:0"]);
  const closed = new Promise((r) => (ws.onclose = r));
  ws.close();
  await closed;
});

Deno.test("replica settles funding hourly and reports it on /fundings in percent per hour", async () => {
  await using replica = startLighterReplica();
  const { engine, clock } = replica;
  engine.setFundingRates("ETH", scriptedFundingRates("-0.000025"));
  engine.placeOrder(replica.counterpartyId, {
    symbol: "ETH",
    side: "sell",
    size: "1",
    price: "2000",
  });
  engine.placeOrder(replica.accountId, { symbol: "ETH", side: "buy", size: "1", price: "2000" });
  const before = engine.balance(replica.accountId).collateral;
  await clock.advance(2 * 3_600_000);
  engine.sync();
  const paid = Number(engine.balance(replica.accountId).collateral) - Number(before);
  ok(paid > 0, "a negative rate pays longs");
  const r = await fetch(
    `${replica.restUrl}/api/v1/fundings?market_id=0&resolution=1h&start_timestamp=0&end_timestamp=${clock.now()}&count_back=10`,
  );
  const body = await r.json();
  equal(body.fundings.length, 2);
  deepEqual(
    body.fundings.map((f: { rate: string; direction: string }) => [f.rate, f.direction]),
    [["0.0025", "short"], ["0.0025", "short"]],
  );
  ok(body.fundings.every((f: { timestamp: number }) => f.timestamp % 3600 === 0));
});
