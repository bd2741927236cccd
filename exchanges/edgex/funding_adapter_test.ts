import { deepStrictEqual as deepEqual, ok } from "node:assert/strict";
import { Decimal } from "../../base.ts";
import { scriptedFundingRates } from "../../sim/funding.ts";
import { startEdgeXReplica } from "../../sim/edgex/mod.ts";
import { EdgeXFundingAdapter } from "./funding_adapter.ts";

Deno.test("EdgeXFundingAdapter reports the next settlement's rate per 4 h interval", async () => {
  await using replica = startEdgeXReplica();
  replica.engine.setFundingRates("BTC", scriptedFundingRates("0.0002"));
  const adapter = new EdgeXFundingAdapter({ restUrl: replica.restUrl });
  const rates = await adapter.fetchFundingRates();
  deepEqual(rates.map((r) => r.symbol).sort(), ["BTC", "ETH"]);
  const btc = rates.find((r) => r.symbol === "BTC")!;
  deepEqual([btc.rate.toString(), btc.intervalHours, btc.hourlyRate.toString()], [
    "0.0002",
    4,
    "0.00005",
  ]);
  deepEqual(btc.apr.toString(), "0.438");
  deepEqual(btc.nextFundingTime, replica.engine.nextFunding("BTC").time);
  deepEqual(btc.indexPrice?.toString(), "64000");
});

Deno.test("EdgeXFundingAdapter market data: value, OI × index, best bid/ask, spread", async () => {
  await using replica = startEdgeXReplica();
  const e = replica.engine;
  const me = replica.credentials.accountId;
  e.placeOrder(replica.counterpartyAccountId, {
    symbol: "BTC",
    side: "sell",
    size: "1",
    price: "64010",
  });
  e.placeOrder(replica.counterpartyAccountId, {
    symbol: "BTC",
    side: "buy",
    size: "1",
    price: "63990",
  });
  e.placeOrder(me, { symbol: "BTC", side: "buy", size: "0.5", price: "64010" });
  const adapter = new EdgeXFundingAdapter({ restUrl: replica.restUrl });
  const [btc] = await adapter.fetchMarketData({ symbols: ["BTC"] });
  deepEqual(btc.volume24hUsd?.toString(), "32005");
  deepEqual(btc.openInterestUsd?.toString(), new Decimal("0.5").times(64000).toString());
  deepEqual([btc.bestBid?.toString(), btc.bestAsk?.toString()], ["63990", "64010"]);
  deepEqual(btc.spreadBps?.toString(), new Decimal(20).div(64000).times(10_000).toString());
});

Deno.test("EdgeXFundingAdapter history pages through settlements, oldest first", async () => {
  await using replica = startEdgeXReplica();
  replica.engine.setFundingRates("ETH", scriptedFundingRates("-0.0001"));
  await replica.control.advance(125 * 4 * 3_600_000);
  const adapter = new EdgeXFundingAdapter({ restUrl: replica.restUrl });
  const all = await adapter.fetchFundingHistory("ETH");
  deepEqual(all.length, 125, "more than one page of 100");
  ok(all.every((h, i) => i === 0 || h.time - all[i - 1].time === 4 * 3_600_000));
  ok(all.every((h) => h.rate.toString() === "-0.0001" && h.intervalHours === 4));
  const window = await adapter.fetchFundingHistory("ETH", {
    start: all[10].time,
    end: all[12].time,
  });
  deepEqual(window.map((h) => h.time), [all[10].time, all[11].time, all[12].time]);
  const last = await adapter.fetchFundingHistory("ETH", { limit: 2 });
  deepEqual(last.map((h) => h.time), [all[123].time, all[124].time]);
});
