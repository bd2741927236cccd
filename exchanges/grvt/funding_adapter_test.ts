import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { Decimal } from "../../base.ts";
import { ManualClock } from "../_shared/clock.ts";
import { MalformedPayloadError, NotFoundError } from "../_shared/errors.ts";
import { startGrvtReplica } from "../../sim/grvt/mod.ts";
import { GRVTFundingAdapter } from "./funding_adapter.ts";

function counted(paths: string[]): typeof fetch {
  return (input, init) => {
    paths.push(new URL(String(input instanceof Request ? input.url : input)).pathname);
    return fetch(input, init);
  };
}

Deno.test("GRVTFundingAdapter reads percentage points per interval as a fraction", async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 1));
  await using replica = startGrvtReplica({ clock });
  await replica.control.setFundingRate("BTC", new Decimal("0.0003"));
  await replica.control.setFundingRate("ETH", new Decimal("-0.0001"));
  const paths: string[] = [];
  await using adapter = new GRVTFundingAdapter({
    environment: "sim",
    hosts: replica.hosts,
    env: {},
    fetch: counted(paths),
  });
  const rates = await adapter.fetchFundingRates();
  deepEqual(rates.map((r) => [r.symbol, r.rate.toString(), r.intervalHours]), [
    ["BTC", "0.0003", 8],
    ["ETH", "-0.0001", 8],
  ]);
  deepEqual(rates[0].hourlyRate.toString(), "0.0000375");
  deepEqual(rates[0].apr.toString(), "0.3285");
  equal(rates[0].nextFundingTime, Date.UTC(2026, 0, 5, 8));
  equal(rates[0].markPrice?.toString(), "64000");
  // One instruments call, one ticker per market.
  deepEqual(paths.sort(), ["/full/v1/instruments", "/full/v1/ticker", "/full/v1/ticker"]);
  paths.length = 0;
  await adapter.fetchMarketData({ symbols: ["BTC"] });
  deepEqual(paths, ["/full/v1/ticker"], "the instruments list is reused");
});

Deno.test("GRVTFundingAdapter market data: quote volumes, open interest × mark, spread", async () => {
  await using replica = startGrvtReplica({ clock: new ManualClock(Date.now()) });
  const c = replica.control;
  await c.placeCounterOrder({
    symbol: "BTC",
    side: "sell",
    price: new Decimal("64010"),
    size: new Decimal("1"),
  });
  // The test account buys 0.5 from the counterparty: taker buy volume 0.5 × 64010.
  const engine = replica.engine;
  engine.placeOrder(replica.credentials.tradingAccountId, {
    symbol: "BTC_USDT_Perp",
    side: "buy",
    type: "limit",
    size: "0.5",
    price: "64010",
  });
  await c.placeCounterOrder({
    symbol: "BTC",
    side: "buy",
    price: new Decimal("63990"),
    size: new Decimal("1"),
  });
  await using adapter = new GRVTFundingAdapter({
    environment: "sim",
    hosts: replica.hosts,
    env: {},
  });
  const [btc] = await adapter.fetchMarketData({ symbols: ["BTC"] });
  deepEqual(btc.volume24hUsd?.toString(), "32005");
  deepEqual(btc.openInterestUsd?.toString(), "32000");
  deepEqual([btc.bestBid?.toString(), btc.bestAsk?.toString()], ["63990", "64010"]);
  deepEqual(btc.spreadBps?.toString(), new Decimal(20).div(64000).times(10_000).toString());
});

Deno.test("GRVTFundingAdapter pages funding history oldest first", async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 1));
  await using replica = startGrvtReplica({ clock });
  await replica.control.setFundingRate("BTC", new Decimal("0.0001"));
  await replica.control.advance(10 * 8 * 3_600_000);
  const paths: string[] = [];
  await using adapter = new GRVTFundingAdapter({
    environment: "sim",
    hosts: replica.hosts,
    env: {},
    pageSize: 3,
    fetch: counted(paths),
  });
  const all = await adapter.fetchFundingHistory("BTC");
  equal(all.length, 10);
  equal(all[0].time, Date.UTC(2026, 0, 1, 8));
  ok(all.every((h, i) => i === 0 || h.time - all[i - 1].time === 8 * 3_600_000));
  deepEqual(new Set(all.map((h) => h.rate.toString())), new Set(["0.0001"]));
  equal(paths.filter((p) => p === "/full/v1/funding").length, 4);
  const last = await adapter.fetchFundingHistory("BTC", { limit: 4 });
  deepEqual(last.map((h) => h.time), all.slice(-4).map((h) => h.time));
  const window = await adapter.fetchFundingHistory("BTC", {
    start: Date.UTC(2026, 0, 2),
    end: Date.UTC(2026, 0, 2, 16),
  });
  deepEqual(window.map((h) => new Date(h.time).getUTCHours()), [0, 8, 16]);
  await rejects(adapter.fetchFundingHistory("DOGE"), NotFoundError);
});

Deno.test("GRVTFundingAdapter: a ticker without funding_rate is a MalformedPayloadError naming it", async () => {
  const adapter = new GRVTFundingAdapter({
    environment: "prod",
    env: {},
    fetch: (input) => {
      const path = new URL(String(input)).pathname;
      return Promise.resolve(Response.json(
        path.endsWith("instruments")
          ? {
            result: [{
              instrument: "BTC_USDT_Perp",
              instrument_hash: "0x030501",
              base: "BTC",
              quote: "USDT",
              kind: "PERPETUAL",
              base_decimals: 9,
              tick_size: "0.1",
              min_size: "0.001",
            }],
          }
          : { result: { instrument: "BTC_USDT_Perp", next_funding_time: "1764777600000000000" } },
      ));
    },
  });
  await rejects(adapter.fetchFundingRates(), (e: unknown) => {
    ok(e instanceof MalformedPayloadError);
    equal(e.field, "result.funding_rate");
    equal(e.endpoint, "full/v1/ticker");
    return true;
  });
});
