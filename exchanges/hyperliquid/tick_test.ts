/**
 * The tick follows the price, against the replica over loopback: `getMarket` reports the tick of
 * the current price (the live book's mid, else the mark re-read after 60 s), and every order
 * price is checked locally against the venue's rule ("Tick and lot size": at most 5 significant
 * figures, integers always allowed, at most 6 − szDecimals decimals).
 *
 * The replica lists BTC (szDecimals 5) with its engine tick at the finest step, 0.1, so it takes
 * exactly the venue's prices on both sides of 10,000.
 */
import { notStrictEqual, rejects, strictEqual as equal } from "node:assert/strict";
import { InvalidOrderError } from "../../core/errors.ts";
import { ManualClock } from "../_shared/clock.ts";
import { HYPERLIQUID_FRONT_END, startHyperliquidReplica } from "../../sim/hyperliquid/mod.ts";
import { HyperliquidClient } from "./client.ts";

function setup(markPrice: string) {
  const replica = startHyperliquidReplica({
    markets: [{ coin: "BTC", szDecimals: 5, tickSize: "0.1", markPrice, maxLeverage: 40 }],
  });
  const clock = new ManualClock(replica.clock.now());
  const calls = { metaAndAssetCtxs: 0, exchange: 0 };
  const fetch = ((url: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body ?? "{}"));
    if (String(url).endsWith("/exchange")) calls.exchange++;
    else if (body.type === "metaAndAssetCtxs") calls.metaAndAssetCtxs++;
    return globalThis.fetch(url, init);
  }) as typeof globalThis.fetch;
  const client = new HyperliquidClient({
    environment: "sim",
    hosts: replica.hosts,
    privateKey: replica.credentials.privateKey,
    clock,
    fetch,
  });
  const me = replica.credentials.accountAddress;
  const place = (side: "buy" | "sell", price: string) =>
    client.placeOrder({ symbol: "BTC", side, type: "limit", size: "0.002", price });
  const resting = () =>
    replica.engine.openOrders(me, "BTC").map((o) => `${o.side} ${o.price}`).sort().join(", ");
  const setMark = (price: string) =>
    replica.control.setPrices("BTC", { markPrice: price, indexPrice: price });
  return {
    replica,
    client,
    clock,
    calls,
    place,
    resting,
    setMark,
    async [Symbol.asyncDispose]() {
      await client.disconnect();
      await replica.close();
    },
  };
}

Deno.test("hyperliquid tick: the mark crossing 10,000 turns the tick from 0.1 to 1; a 6-figure price is refused locally on both sides", async () => {
  await using t = setup("9000");
  const first = await t.client.getMarket("BTC");
  equal(first.tickSize.toString(), "0.1");
  equal(t.calls.metaAndAssetCtxs, 1);
  equal((await t.place("buy", "8990.5")).status, "open");
  equal((await t.place("sell", "9010.5")).status, "open");
  equal(t.resting(), "buy 8990.5, sell 9010.5");
  await t.client.cancelAllOrders("BTC");

  t.setMark("10020");
  // The mark held is younger than 60 s: no request, same tick, same object.
  equal(await t.client.getMarket("BTC"), first);
  equal(t.calls.metaAndAssetCtxs, 1);
  await t.clock.advance(60_000);
  const after = await t.client.getMarket("BTC");
  equal(after.tickSize.toString(), "1");
  equal(t.calls.metaAndAssetCtxs, 2);
  // A new object; the one handed out before is unchanged.
  notStrictEqual(after, first);
  equal(first.tickSize.toString(), "0.1");
  // Called again while fresh: no request.
  equal(await t.client.getMarket("BTC"), after);
  equal((await t.client.getMarkets())[0], after);
  equal(t.calls.metaAndAssetCtxs, 2);

  const sent = t.calls.exchange;
  // 10,010.5 and 10,030.5 have six significant figures: refused before anything is signed.
  await rejects(t.place("buy", "10010.5"), InvalidOrderError);
  await rejects(t.place("sell", "10030.5"), InvalidOrderError);
  equal(t.calls.exchange, sent);
  equal((await t.place("buy", "10010")).status, "open");
  equal((await t.place("sell", "10030")).status, "open");
  // The reported tick is for prices near the current one; any price the venue takes passes,
  // such as 9,990.5 (five figures) below 10,000.
  equal((await t.place("buy", "9990.5")).status, "open");
  equal(t.resting(), "buy 10010, buy 9990.5, sell 10030");
});

Deno.test("hyperliquid tick: from 99,990 to 100,020 the tick stays 1 (integers are always valid prices); 6 figures with a decimal are refused on both sides", async () => {
  await using t = setup("99990");
  equal((await t.client.getMarket("BTC")).tickSize.toString(), "1");
  t.setMark("100020");
  await t.clock.advance(60_000);
  equal((await t.client.getMarket("BTC")).tickSize.toString(), "1");
  equal(t.calls.metaAndAssetCtxs, 2);
  const sent = t.calls.exchange;
  await rejects(t.place("buy", "100015.5"), InvalidOrderError);
  await rejects(t.place("sell", "100025.5"), InvalidOrderError);
  equal(t.calls.exchange, sent);
  equal((await t.place("buy", "100015")).status, "open");
  equal((await t.place("sell", "100025")).status, "open");
  equal(t.resting(), "buy 100015, sell 100025");
});

Deno.test("hyperliquid tick: a fresh live book's mid wins over the mark, with no request", async () => {
  await using t = setup("9000");
  equal((await t.client.getMarket("BTC")).tickSize.toString(), "0.1");
  const cp = t.replica.counterpartyAccountId;
  t.replica.engine.placeOrder(cp, { symbol: "BTC", side: "buy", size: "1", price: "10010" });
  t.replica.engine.placeOrder(cp, { symbol: "BTC", side: "sell", size: "1", price: "10030" });
  const book = await t.client.subscribeOrderBook("BTC");
  for (let i = 0; i < 500; i++) {
    const s = book.snapshot(1);
    if (!s.stale && s.bids.length > 0 && s.asks.length > 0) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  // Mid 10,020 (the mark says 9,000 and is not re-read).
  equal((await t.client.getMarket("BTC")).tickSize.toString(), "1");
  equal(t.calls.metaAndAssetCtxs, 1);
  // Without the book, the mark decides again.
  await book.close();
  equal((await t.client.getMarket("BTC")).tickSize.toString(), "0.1");
  equal(t.calls.metaAndAssetCtxs, 1);
});

Deno.test("hyperliquid tick: a failed mark re-read keeps the last tick and is tried again 5 s later", async () => {
  await using t = setup("9000");
  equal((await t.client.getMarket("BTC")).tickSize.toString(), "0.1");
  t.setMark("10020");
  t.replica.control.injectFault({
    kind: "garble_response",
    frontEnd: HYPERLIQUID_FRONT_END,
    target: "info:metaAndAssetCtxs",
    times: 1,
  });
  await t.clock.advance(60_000);
  // The answer is unreadable: no error, the last mark's tick.
  equal((await t.client.getMarket("BTC")).tickSize.toString(), "0.1");
  equal(t.calls.metaAndAssetCtxs, 2);
  await t.clock.advance(4_000);
  equal((await t.client.getMarket("BTC")).tickSize.toString(), "0.1");
  equal(t.calls.metaAndAssetCtxs, 2);
  await t.clock.advance(1_000);
  equal((await t.client.getMarket("BTC")).tickSize.toString(), "1");
  equal(t.calls.metaAndAssetCtxs, 3);
});
