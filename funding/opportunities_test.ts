import { deepStrictEqual as deepEqual, strictEqual as equal, throws } from "node:assert/strict";
import { Decimal, fundingRate } from "../base.ts";
import type { FundingObservation } from "./model.ts";
import {
  computeOpportunities,
  filterOpportunities,
  findOpportunities,
  nextStreaks,
} from "./opportunities.ts";

const T = Date.UTC(2026, 0, 1);

function at(
  venue: string,
  symbol: string,
  rate: string,
  intervalHours: number,
  extra: Partial<FundingObservation> = {},
): FundingObservation {
  return {
    venue,
    symbol,
    venueSymbol: symbol,
    time: T,
    ...fundingRate({ rate, intervalHours }),
    ...extra,
  };
}

const fees = (maker: string, taker: string) => ({
  maker: new Decimal(maker),
  taker: new Decimal(taker),
});

Deno.test("opportunities compare hourly rates, never raw rates of different intervals", () => {
  // Raw: EdgeX 0.0001 > Lighter 0.00005, but hourly EdgeX 0.000025 < Lighter 0.00005.
  const [o] = computeOpportunities([
    at("edgex", "BTC", "0.0001", 4),
    at("lighter", "BTC", "0.00005", 1),
  ]);
  equal(o.long.venue, "edgex");
  equal(o.short.venue, "lighter");
  equal(o.grossHourly.toString(), "0.000025");
  equal(o.grossApr.toString(), "0.219");
});

Deno.test("hand-computed case: taker fees amortised over the holding horizon", () => {
  // GRVT 0.0004 / 8 h = 0.00005 / h; EdgeX 0.00004 / 4 h = 0.00001 / h; gross 0.00004 / h.
  // Taker: 2 × (0.00038 + 0.00055) = 0.00186; over 24 h: 0.0000775 / h; net −0.0000375 / h.
  const [o] = computeOpportunities([
    at("grvt", "BTC", "0.0004", 8),
    at("edgex", "BTC", "0.00004", 4),
  ], {
    holdHours: "24",
    feeMode: "taker",
  });
  equal(o.roundTripFee.toString(), "0.00186");
  equal(o.netHourly.toString(), "-0.0000375");
  equal(o.netApr.toString(), "-0.3285");
  equal(o.netReturn.toString(), "-0.0009");
  equal(o.breakEvenHours.toString(), "46.5");
  equal(o.long.fee.toString(), "0.00038");
  equal(o.short.fee.toString(), "0.00055");
});

Deno.test("a negative maker fee (rebate) lowers the cost and can make it negative", () => {
  const [o] = computeOpportunities([at("a", "ETH", "0.00002", 1), at("b", "ETH", "0.00001", 1)], {
    feeMode: "maker",
    holdHours: "10",
    fees: { a: fees("-0.0001", "0.0005"), b: fees("-0.00005", "0.0005") },
  });
  // 2 × (−0.00005 − 0.0001) = −0.0003: the round trip pays; break-even is immediate.
  equal(o.roundTripFee.toString(), "-0.0003");
  equal(o.breakEvenHours.toString(), "0");
  equal(o.netHourly.toString(), "0.00004"); // 0.00001 + 0.0003 / 10
  equal(o.netReturn.toString(), "0.0004");
});

Deno.test("a longer holding horizon spreads the same fees thinner", () => {
  const obs = [at("grvt", "SOL", "0.0008", 8), at("lighter", "SOL", "0.00001", 1)];
  const short = computeOpportunities(obs, { holdHours: "8" })[0];
  const long = computeOpportunities(obs, { holdHours: "720" })[0];
  equal(short.grossApr.toString(), long.grossApr.toString());
  equal(long.netApr.gt(short.netApr), true);
  equal(short.breakEvenHours.toString(), long.breakEvenHours.toString());
});

Deno.test("both directions are tried and only the paying one is kept; equal rates give none", () => {
  const list = computeOpportunities([
    at("a", "BTC", "0.0001", 8),
    at("b", "BTC", "-0.0001", 8),
    at("c", "BTC", "0.0001", 8),
    at("a", "ETH", "0.0001", 8),
  ]);
  deepEqual(
    list.map((o) => `${o.symbol}:${o.long.venue}->${o.short.venue}`).sort(),
    ["BTC:b->a", "BTC:b->c"],
  );
});

Deno.test("unknown venues use the conservative fallback fees", () => {
  const [o] = computeOpportunities([at("x", "BTC", "0.001", 8), at("y", "BTC", "0", 8)]);
  equal(o.roundTripFee.toString(), "0.0024"); // 2 × (0.0006 + 0.0006)
});

Deno.test("holdHours must be positive", () => {
  throws(() => computeOpportunities([], { holdHours: "0" }), RangeError);
  throws(() => computeOpportunities([], { holdHours: "-1" }), RangeError);
});

Deno.test("filters: volume, open interest, spread, venues, net APR", () => {
  const m = (vol: string, oi: string, spread: string) => ({
    volume24hUsd: new Decimal(vol),
    openInterestUsd: new Decimal(oi),
    spreadBps: new Decimal(spread),
  });
  const all = computeOpportunities([
    at("lighter", "BTC", "0.00001", 1, m("5000000", "2000000", "1")),
    at("grvt", "BTC", "0.0004", 8, m("1000000", "3000000", "4")),
    at("edgex", "BTC", "0.00012", 4),
  ], { feeMode: "maker" });
  const keep = (f: Parameters<typeof filterOpportunities>[1]) =>
    filterOpportunities(all, { now: T, ...f }).map((o) => `${o.long.venue}->${o.short.venue}`);
  equal(all.length, 3);
  deepEqual(keep({ minVolumeUsd: "1000000" }), ["lighter->grvt"]);
  deepEqual(keep({ minVolumeUsd: "1000001" }), []);
  deepEqual(keep({ minOiUsd: "2000000" }), ["lighter->grvt"]);
  deepEqual(keep({ maxOiUsd: "1999999" }), []);
  deepEqual(keep({ maxSpreadBps: "4" }), ["lighter->grvt"]);
  deepEqual(keep({ maxSpreadBps: "3.9" }), []);
  deepEqual(keep({ whitelistVenues: ["lighter", "edgex"] }), ["lighter->edgex"]);
  deepEqual(keep({ excludeVenues: ["grvt"] }), ["lighter->edgex"]);
  deepEqual(keep({ requiredVenue: "edgex" }).sort(), ["edgex->grvt", "lighter->edgex"]);
  deepEqual(keep({ minNetApr: "0.3" }), ["lighter->grvt"]);
  deepEqual(keep({ symbol: "ETH" }), []);
  equal(keep({ limit: 1 }).length, 1);
});

Deno.test("stale legs are excluded; freshness uses the older leg", () => {
  const all = computeOpportunities([
    at("a", "BTC", "0.0001", 1, { time: T }),
    at("b", "BTC", "0.0002", 1, { time: T - 11 * 60_000 }),
  ]);
  equal(filterOpportunities(all, { now: T }).length, 0);
  equal(filterOpportunities(all, { now: T, maxAgeMs: 12 * 60_000 }).length, 1);
  equal(all[0].observedAt, T - 11 * 60_000);
});

Deno.test("sorting by break-even ascending puts missing data last for other keys", () => {
  const list = findOpportunities([
    at("a", "BTC", "0.0001", 1),
    at("b", "BTC", "0.0003", 1, { volume24hUsd: new Decimal(5) }),
    at("c", "BTC", "0.0002", 1, { volume24hUsd: new Decimal(9) }),
  ], { now: T, sortBy: "break_even_hours" });
  for (let i = 1; i < list.length; i++) {
    equal(list[i - 1].breakEvenHours.lte(list[i].breakEvenHours), true);
  }
  const byVolume = findOpportunities([
    at("a", "BTC", "0.0001", 1),
    at("b", "BTC", "0.0003", 1, { volume24hUsd: new Decimal(5) }),
    at("c", "BTC", "0.0002", 1, { volume24hUsd: new Decimal(9) }),
  ], { now: T, sortBy: "min_volume" });
  deepEqual(byVolume.map((o) => o.minVolume24hUsd?.toString()), ["5", undefined, undefined]);
});

Deno.test("persistence: a streak keeps its start while the direction keeps paying", () => {
  const H = 3_600_000;
  const round = (t: number, a: string, b: string) => [
    at("a", "BTC", a, 1, { time: t }),
    at("b", "BTC", b, 1, { time: t }),
  ];
  let streaks = nextStreaks([], round(T, "0.1", "0.2"), T);
  streaks = nextStreaks(streaks, round(T + H, "0.1", "0.3"), T + H);
  equal(streaks[0].since, T);
  const [o] = computeOpportunities(round(T + H, "0.1", "0.3"), { streaks });
  equal(o.persistedSince, T);
  // The direction flips: a new streak starts now.
  streaks = nextStreaks(streaks, round(T + 2 * H, "0.3", "0.1"), T + 2 * H);
  deepEqual(streaks.map((s) => [s.longVenue, s.shortVenue, s.since]), [["b", "a", T + 2 * H]]);
  // Stale rates end every streak.
  deepEqual(nextStreaks(streaks, round(T, "0.1", "0.2"), T + 3 * H), []);
});
