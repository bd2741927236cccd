import { deepEqual, equal, ok } from "node:assert/strict";
import { Decimal } from "../../core/decimal.ts";
import { scriptedFundingRates } from "../../sim/funding.ts";
import { startLighterReplica } from "../../sim/lighter/mod.ts";
import {
  fundingsRowRate,
  LighterFundingAdapter,
  lighterFundingRatesToHourly,
  openInterestUsd,
} from "./funding_adapter.ts";

Deno.test("/funding-rates: Lighter rows are a fraction per 8 h, converted to hourly", () => {
  // ccxt's sample: ETH 9.599999999999999e-05 = 0.0012 %/h × 8 / 100.
  equal(lighterFundingRatesToHourly(9.599999999999999e-05).toString(), "0.000012");
  equal(lighterFundingRatesToHourly(-0.0008).toString(), "-0.0001");
  equal(fundingsRowRate(new Decimal("0.0012"), "long").toString(), "0.000012");
  equal(fundingsRowRate(new Decimal("0.0002"), "short").toString(), "-0.000002");
  equal(
    openInterestUsd(new Decimal("27250.8411"), new Decimal("2064.47")).toString(),
    "56258543.925717",
  );
});

for (const source of ["market_stats", "funding-rates"] as const) {
  Deno.test(`fetchFundingRates (${source}) gives the same hourly fraction, other venues filtered out`, async () => {
    await using replica = startLighterReplica();
    replica.engine.setFundingRates("ETH", scriptedFundingRates("-0.000125"));
    replica.engine.setFundingRates("BTC", scriptedFundingRates("0.0000125"));
    await using adapter = new LighterFundingAdapter({
      restUrl: replica.restUrl,
      wsUrl: replica.wsUrl,
      source,
      clock: replica.clock,
    });
    const rates = await adapter.fetchFundingRates();
    deepEqual(rates.map((r) => r.symbol).sort(), ["BTC", "ETH"]);
    const eth = rates.find((r) => r.symbol === "ETH")!;
    deepEqual(
      [eth.rate.toString(), eth.intervalHours, eth.hourlyRate.toString(), eth.apr.toString()],
      ["-0.000125", 1, "-0.000125", "-1.095"],
    );
    equal(eth.nextFundingTime! % 3_600_000, 0);
    ok(eth.nextFundingTime! > replica.clock.now());
    equal(eth.markPrice?.toString(), "2000");
    const only = await adapter.fetchFundingRates({ symbols: ["BTC"] });
    deepEqual(only.map((r) => [r.symbol, r.rate.toString()]), [["BTC", "0.0000125"]]);
  });
}

Deno.test("fetchMarketData: USD volume, open interest in USD, best bid / ask and spread", async () => {
  await using replica = startLighterReplica();
  const { engine } = replica;
  engine.placeOrder(replica.counterpartyId, {
    symbol: "ETH",
    side: "sell",
    size: "3",
    price: "2001",
  });
  engine.placeOrder(replica.counterpartyId, {
    symbol: "ETH",
    side: "buy",
    size: "1",
    price: "1999",
  });
  engine.placeOrder(replica.accountId, { symbol: "ETH", side: "buy", size: "2", price: "2001" });
  await using adapter = new LighterFundingAdapter({
    restUrl: replica.restUrl,
    wsUrl: replica.wsUrl,
    clock: replica.clock,
  });
  const [eth] = await adapter.fetchMarketData({ symbols: ["ETH"] });
  deepEqual(
    [
      eth.volume24hUsd?.toString(),
      eth.openInterestUsd?.toString(),
      eth.bestBid?.toString(),
      eth.bestAsk?.toString(),
      eth.spreadBps?.toFixed(4),
    ],
    ["4002", "4000", "1999", "2001", "10.0000"],
  );
});

Deno.test("fetchFundingHistory pages back through more than one /fundings page", async () => {
  await using replica = startLighterReplica();
  const { engine, clock } = replica;
  const start = clock.now();
  engine.setFundingRates(
    "ETH",
    (time) => (Math.floor(time / 3_600_000) % 2 ? "0.0001" : "-0.00005"),
  );
  await clock.advance(150 * 3_600_000);
  engine.sync();
  await using adapter = new LighterFundingAdapter({
    restUrl: replica.restUrl,
    wsUrl: replica.wsUrl,
    clock: replica.clock,
  });
  const all = await adapter.fetchFundingHistory("ETH", { start, end: clock.now() });
  equal(all.length, 150);
  ok(
    all.every((e, i) => i === 0 || e.time - all[i - 1].time === 3_600_000),
    "hourly, oldest first",
  );
  const rates = new Set(all.map((e) => e.rate.toString()));
  deepEqual([...rates].sort(), ["-0.00005", "0.0001"]);
  const last = await adapter.fetchFundingHistory("ETH", { start, end: clock.now(), limit: 5 });
  deepEqual(last.map((e) => e.time), all.slice(-5).map((e) => e.time));
});
