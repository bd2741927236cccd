import { deepEqual, notDeepEqual, ok } from "node:assert/strict";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { SIM_VENUE_PROFILES, SIM_VENUES, startSimVenue } from "./network.ts";

Deno.test("startSimVenue() lists markets with the venue's funding interval and fees", async () => {
  for (const venue of SIM_VENUES) {
    const sim = await startSimVenue(venue, { clock: new ManualClock(Date.UTC(2026, 0, 1)) });
    try {
      const client = sim.client();
      const btc = await client.getMarket("BTC");
      deepEqual(btc.fundingIntervalHours, SIM_VENUE_PROFILES[venue].fundingIntervalHours);
      deepEqual(btc.makerFee?.toString(), SIM_VENUE_PROFILES[venue].makerFee);
      deepEqual(btc.venue, venue);
    } finally {
      await sim.close();
    }
  }
});

Deno.test("a simulated venue moves prices, quotes liquidity and fills the test account", async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const sim = await startSimVenue("grvt", { clock, seed: 3 });
  try {
    const client = sim.client();
    await client.connect();
    const before = await client.getBestBidAsk("ETH");
    await clock.advance(120_000);
    const after = await client.getBestBidAsk("ETH");
    notDeepEqual(before.bid.toString(), after.bid.toString(), "the price walked");
    ok(after.bid.lt(after.ask));
    const order = await client.placeOrder({
      symbol: "ETH",
      side: "buy",
      type: "market",
      size: "1",
    });
    deepEqual(order.status, "filled");
    deepEqual((await client.getPositions())[0]?.size.toString(), "1");
    await client.disconnect();
  } finally {
    await sim.close();
  }
});

for (const venue of SIM_VENUES) {
  Deno.test(`startSimVenue("${venue}", replica) trades over the venue's wire protocol`, async () => {
    const sim = await startSimVenue(venue, { protocol: "replica", seed: 5 });
    const client = sim.client();
    try {
      await client.connect();
      const quote = await client.getBestBidAsk("BTC");
      ok(quote.bid.lt(quote.ask), "liquidity quotes both sides");
      const order = await client.placeOrder({
        symbol: "BTC",
        side: "buy",
        type: "limit",
        size: "0.01",
        price: quote.ask.toString(),
      });
      ok(["filled", "partially_filled", "open"].includes(order.status), order.status);
      const truth = sim.engine.position(sim.accountId, sim.engineSymbol("BTC"));
      ok(truth.size !== "0", "the replica's engine holds the position");
      const rates = await sim.fundingAdapter().fetchFundingRates({ symbols: ["BTC"] });
      deepEqual(rates[0]?.intervalHours, SIM_VENUE_PROFILES[venue].fundingIntervalHours);
    } finally {
      await client.disconnect();
      await sim.close();
    }
  });
}
