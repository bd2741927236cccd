/**
 * The replica's memory of signed payloads: a replay is answered with the order it created while
 * the signature can still be replayed, and the memory ends with the signature's expiry.
 */
import { deepStrictEqual as deepEqual, strictEqual as equal } from "node:assert/strict";
import { parseSignature } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { ManualClock } from "../../exchanges/_shared/clock.ts";
import { orderTypedData } from "./_order_signature.ts";
import { SIGNATURES_KEPT, SignatureWindow } from "./_signatures.ts";
import { startGrvtReplica } from "./replica.ts";

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 1);
const r = (digit: string) => `0x${digit.repeat(64)}`;

Deno.test("GRVT replica signatures: kept until the hour in which they expire has ended, then forgotten", () => {
  const w = new SignatureWindow();
  w.remember(r("1"), 1, T0 + 5 * 60_000, T0); // a taker order's 5 minutes
  w.remember(r("2"), 2, T0 + 29 * 24 * H, T0); // a resting order's 29 days
  w.remember(r("3"), 3, T0 + 2 * H + 30 * 60_000, T0);
  deepEqual([w.find(r("1")), w.find(r("2")), w.find(r("3")), w.size], [1, 2, 3, 3]);
  // 59 minutes on: the first has expired, its hour has not ended.
  w.remember(r("4"), 4, T0 + 3 * H, T0 + 59 * 60_000);
  deepEqual([w.find(r("1")), w.size], [1, 4]);
  // One hour on: the first hour is swept.
  w.remember(r("5"), 5, T0 + 29 * 24 * H, T0 + H);
  deepEqual([w.find(r("1")), w.find(r("3")), w.size], [undefined, 3, 4]);
  // Three hours on: the third (expired at 2 h 30) is gone, the fourth (expires at 3 h) stays
  // until its hour ends.
  w.remember(r("6"), 6, T0 + 4 * H, T0 + 3 * H);
  deepEqual([w.find(r("3")), w.find(r("4")), w.size], [undefined, 4, 4]);
  w.remember(r("7"), 7, T0 + 5 * H, T0 + 4 * H);
  deepEqual([w.find(r("4")), w.size], [undefined, 4]);
  // 29 days on: only the signatures that still expire later are kept.
  w.remember(r("8"), 8, T0 + 30 * 24 * H - 1, T0 + 29 * 24 * H);
  deepEqual(
    ["2", "5", "6", "7", "8"].map((d) => w.find(r(d))),
    [2, 5, undefined, undefined, 8],
  );
  equal(w.size, 3);
});

Deno.test("GRVT replica signatures: at most the capacity, the soonest-expiring hour forgotten whole", () => {
  equal(SIGNATURES_KEPT, 200_000);
  const w = new SignatureWindow(3);
  w.remember(r("a"), 1, T0 + 10 * H, T0);
  w.remember(r("b"), 2, T0 + 2 * H, T0);
  w.remember(r("c"), 3, T0 + 2 * H + 60_000, T0);
  w.remember(r("d"), 4, T0 + 5 * H, T0);
  deepEqual(["a", "b", "c", "d"].map((d) => w.find(r(d))), [1, undefined, undefined, 4]);
  equal(w.size, 2);
});

Deno.test("GRVT replica signatures: found by r whatever the 0x spelling, s not needed", () => {
  const w = new SignatureWindow();
  w.remember(`0x${"ab".repeat(32)}`, 9, T0 + H, T0);
  equal(w.find("ab".repeat(32)), 9);
  equal(w.find(`0x${"AB".repeat(32)}`), 9);
  equal(w.find(`0x${"ab".repeat(6)}bb${"ab".repeat(25)}`), undefined); // 13th hex digit differs
});

Deno.test("GRVT replica: a replayed signed payload is answered with the order it created until the signature expires (2001 after)", async () => {
  const clock = new ManualClock(T0);
  await using replica = startGrvtReplica({ clock });
  const login = await fetch(`${replica.hosts.edgeUrl}/auth/api_key/login`, {
    method: "POST",
    body: JSON.stringify({ api_key: replica.credentials.apiKey }),
  });
  await login.body?.cancel();
  const account = replica.credentials.tradingAccountId;
  const headers = {
    cookie: login.headers.getSetCookie()[0].split(";")[0],
    "X-Grvt-Account-Id": account,
  };
  const expiration = (BigInt(T0 + 2 * H) * 1_000_000n).toString();
  const order: Record<string, unknown> = {
    sub_account_id: account,
    is_market: false,
    time_in_force: "GOOD_TILL_TIME",
    post_only: true,
    reduce_only: false,
    legs: [{
      instrument: "BTC_USDT_Perp",
      size: "0.01",
      limit_price: "63000.0",
      is_buying_asset: true,
    }],
    signature: { expiration, nonce: 11 },
    metadata: { client_order_id: "9223372036854775901" },
  };
  const signer = privateKeyToAccount(replica.credentials.privateKey);
  const data = orderTypedData(
    order,
    () => ({ instrumentHash: "0x030501", baseDecimals: 9 }),
    replica.hosts.chainId,
  );
  // deno-lint-ignore no-explicit-any
  const { r: sr, s, v } = parseSignature(await signer.signTypedData(data as any));
  order.signature = { signer: signer.address, r: sr, s, v: Number(v), expiration, nonce: 11 };
  const send = async (o: Record<string, unknown>) => {
    const res = await fetch(`${replica.hosts.tradesUrl}/full/v1/create_order`, {
      method: "POST",
      headers,
      body: JSON.stringify({ order: o }),
    });
    const body = await res.json();
    return [
      res.status,
      body.code ?? body.result?.state?.status,
      body.result?.metadata?.client_order_id,
    ];
  };
  const resting = () => replica.engine.openOrders(account).length;
  deepEqual(await send(order), [200, "PENDING", "9223372036854775901"]);
  equal(resting(), 1);
  // The same payload again, even under another (unsigned) client order id: the first order.
  deepEqual(await send(order), [200, "OPEN", "9223372036854775901"]);
  const relabeled = { ...order, metadata: { client_order_id: "9223372036854775902" } };
  deepEqual(await send(relabeled), [200, "OPEN", "9223372036854775901"]);
  equal(resting(), 1);
  // After the order is cancelled the payload is still a duplicate, not a new order.
  replica.engine.cancelOrder(account, { clientOrderId: "9223372036854775901" });
  deepEqual(await send(relabeled), [200, "CANCELLED", "9223372036854775901"]);
  equal(resting(), 0);
  // Once the signature has expired the venue refuses the payload before any duplicate check.
  await clock.advance(2 * H);
  deepEqual(await send(order), [403, 2001, undefined]);
  equal(resting(), 0);
});
