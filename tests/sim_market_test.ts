// The simulated market over a simulated day: every venue lists at least 12 markets (the
// multiplier ones under one unified name), funding moves on a seeded premium process per venue
// and market, and cross-venue opportunities open, persist and close.
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { Decimal } from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { FundingCollector } from "../funding/collector.ts";
import { computeOpportunities } from "../funding/opportunities.ts";
import { SqliteFundingStore } from "../funding/sqlite_store.ts";
import { SIM_VENUE_MARKETS, SIM_VENUES, type SimVenue, startSimVenue } from "../sim/network.ts";

const START = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

async function simulatedDay(volatility: "premium" | "flat") {
  const clock = new ManualClock(START);
  const sims: SimVenue[] = [];
  for (const venue of SIM_VENUES) {
    sims.push(
      await startSimVenue(venue, {
        clock,
        protocol: "paper",
        seed: 1,
        markets: SIM_VENUE_MARKETS[venue],
        funding: "premium",
        // Prices barely matter here: one step an hour keeps a day cheap.
        stepMs: HOUR,
      }),
    );
  }
  if (volatility === "flat") {
    for (const sim of sims) {
      for (const m of SIM_VENUE_MARKETS[sim.venue]) {
        sim.engine.setFundingRates(sim.engineSymbol(m.spec.symbol), () => m.fundingRate ?? "0");
      }
    }
  }
  const store = await SqliteFundingStore.open(":memory:");
  const collector = new FundingCollector(
    store,
    sims.map((s) => ({ venue: s.venue, adapter: s.fundingAdapter() })),
    { clock },
  );
  /** Profitable opportunities (net of taker fees over 24 h) per hour, as "SYMBOL long>short". */
  const hours: Set<string>[] = [];
  const symbolsPerVenue: Record<string, number> = {};
  try {
    for (let h = 0; h < 24; h++) {
      await collector.collect();
      const latest = await store.latestRates();
      if (h === 0) {
        for (const v of SIM_VENUES) {
          symbolsPerVenue[v] = new Set(latest.filter((r) => r.venue === v).map((r) => r.symbol))
            .size;
        }
      }
      hours.push(
        new Set(
          computeOpportunities(latest, { holdHours: "24" })
            .filter((o) => o.netHourly.gt(0))
            .map((o) => `${o.symbol} ${o.long.venue}>${o.short.venue}`),
        ),
      );
      await clock.advance(HOUR);
    }
    const pepe = (await store.latestRates()).filter((r) => r.symbol === "1000PEPE")
      .map((r) => r.venue).sort();
    return { hours, symbolsPerVenue, pepe };
  } finally {
    await store.close();
    for (const s of sims) await s.close();
  }
}

Deno.test({
  name: "at the starting rates exactly the SOL lighter>grvt spread pays its fees (by hand)",
  sanitizeResources: false,
  fn: async () => {
    // SOL: Lighter −0.00001 / 1 h, GRVT 0.0004 / 8 h = 0.00005 / h: gross 0.00006 / h; taker
    // round trip 2 × (0 + 0.00055) = 0.0011 over 24 h = 0.0000458 / h: net +0.0000142 / h.
    // ETH Lighter 0.00002 vs EdgeX 0.0002 / 4 h = 0.00005: gross 0.00003 < 2 × 0.00038 / 24.
    // Every other pair of the tables is further off (checked one by one).
    const { hours, symbolsPerVenue, pepe } = await simulatedDay("flat");
    deepEqual(symbolsPerVenue, { lighter: 14, grvt: 14, edgex: 14, hyperliquid: 14 });
    // The multiplier market under one name on every venue.
    deepEqual(pepe, ["edgex", "grvt", "hyperliquid", "lighter"]);
    for (const h of hours) deepEqual([...h], ["SOL lighter>grvt"]);
  },
});

Deno.test({
  name: "over a simulated day the premium processes open, keep and close opportunities",
  sanitizeResources: false,
  fn: async () => {
    const { hours } = await simulatedDay("premium");
    deepEqual([...hours[0]], ["SOL lighter>grvt"], "step 0 is the starting rates");
    const appeared = new Set<string>();
    const disappeared = new Set<string>();
    let longest = 0;
    const runs = new Map<string, number>();
    for (let h = 1; h < hours.length; h++) {
      for (const k of hours[h]) if (!hours[h - 1].has(k)) appeared.add(k);
      for (const k of hours[h - 1]) if (!hours[h].has(k)) disappeared.add(k);
      for (const k of hours[h]) {
        const run = (runs.get(k) ?? 0) + 1;
        runs.set(k, run);
        longest = Math.max(longest, run);
      }
      for (const k of [...runs.keys()]) if (!hours[h].has(k)) runs.delete(k);
    }
    ok(appeared.size >= 3, `opportunities appeared: ${[...appeared].join(", ")}`);
    ok(disappeared.size >= 3, `opportunities disappeared: ${[...disappeared].join(", ")}`);
    ok(longest >= 3, `an opportunity persisted ${longest} h`);
    // Not every hour looks the same: the set changes during the day.
    ok(new Set(hours.map((h) => [...h].sort().join("|"))).size >= 4);
    const venues = new Set([...appeared].flatMap((k) => k.split(" ")[1].split(">")));
    equal(venues.size, 4, "every venue takes part in some opportunity");
  },
});

Deno.test("the premium process differs per venue and market and stays within its cap", async () => {
  const clock = new ManualClock(START);
  const sim = await startSimVenue("lighter", {
    clock,
    protocol: "paper",
    markets: SIM_VENUE_MARKETS.lighter,
    funding: "premium",
    stepMs: HOUR,
  });
  try {
    const rates: string[][] = [];
    for (let h = 0; h < 6; h++) {
      rates.push(["BTC", "ETH"].map((s) => sim.engine.nextFunding(s).rate));
      await clock.advance(HOUR);
    }
    deepEqual(rates[0].map((r) => new Decimal(r).toString()), ["0.0000125", "0.00002"]);
    ok(new Set(rates.map((r) => r[0])).size > 1, "BTC's rate moves");
    ok(rates.some((r, i) => i > 0 && r[0] !== rates[i - 1][0] && r[1] !== rates[i - 1][1]));
    for (const r of rates.flat()) ok(new Decimal(r).abs().lte("0.003"));
  } finally {
    await sim.close();
  }
});
