import {
  deepStrictEqual as deepEqual,
  notDeepStrictEqual as notDeepEqual,
  ok,
} from "node:assert/strict";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { SIM_VENUE_MARKETS, SIM_VENUE_PROFILES, SIM_VENUES, startSimVenue } from "./network.ts";

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

Deno.test({
  name: "the full markets come out of each venue's real clients under unified symbols",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const ticks: Record<string, string> = {};
    for (const venue of SIM_VENUES) {
      const sim = await startSimVenue(venue, {
        protocol: "replica",
        markets: SIM_VENUE_MARKETS[venue],
        funding: "premium",
      });
      const adapter = sim.fundingAdapter();
      const client = sim.client();
      try {
        const rates = await adapter.fetchFundingRates();
        const symbols = new Set(rates.map((r) => r.symbol));
        ok(symbols.size >= 12, `${venue}: ${[...symbols].join(",")}`);
        ok(symbols.has("1000PEPE"), `${venue} lists 1000PEPE: ${[...symbols].join(",")}`);
        ok(!symbols.has("KPEPE"));
        const pepe = await client.getMarket("1000PEPE");
        ticks[venue] = `${pepe.tickSize}/${pepe.sizeStep}`;
        if (venue === "grvt") deepEqual(pepe.venueSymbol, "KPEPE_USDT_Perp");
        // Step 0 of the premium process is the table's starting rate.
        const btc = rates.find((r) => r.symbol === "BTC")!;
        deepEqual(
          btc.rate.toString(),
          { lighter: "0.0000125", grvt: "0.0003", edgex: "0.00004", hyperliquid: "0.0000125" }[
            venue
          ],
        );
      } finally {
        await adapter.close?.();
        await client.disconnect();
        await sim.close();
      }
    }
    deepEqual(ticks, {
      lighter: "0.000001/1",
      grvt: "0.0000001/100",
      edgex: "0.000001/1000",
      hyperliquid: "0.000001/1",
    });
  },
});

Deno.test("each simulated venue's funding adapter stamps rates on the venue's clock", async () => {
  const start = Date.UTC(2026, 0, 1);
  for (const venue of SIM_VENUES) {
    const clock = new ManualClock(start);
    const sim = await startSimVenue(venue, { clock, protocol: "replica" });
    const adapter = sim.fundingAdapter();
    try {
      await clock.advance(90_000);
      const rates = adapter.fetchFundingRates({ symbols: ["BTC"] });
      // An adapter may wait (on the clock) for a stream's first frame before answering.
      let done = false;
      rates.finally(() => done = true).catch(() => {});
      for (let i = 0; i < 50 && !done; i++) {
        await new Promise((r) => setTimeout(r, 20));
        if (!done) await clock.advance(100);
      }
      const [btc] = await rates;
      ok(
        btc.timestamp >= start && btc.timestamp <= clock.now() + 8 * 3_600_000,
        `${venue}: ${new Date(btc.timestamp).toISOString()}`,
      );
    } finally {
      await adapter.close();
      await sim.close();
    }
  }
});
