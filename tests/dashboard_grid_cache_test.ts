// The rates grid's rendered page is reused only while its data is the same: a collection
// (invalidate) or a new second (ages, countdowns) renders it again.
import { ok, strictEqual as equal } from "node:assert/strict";
import { fundingRate } from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { createFundingApi } from "../funding/api.ts";
import { SqliteFundingStore } from "../funding/sqlite_store.ts";

const T0 = Date.UTC(2026, 0, 1);
const rate = (symbol: string, r: string) => ({
  venue: "grvt",
  symbol,
  venueSymbol: `${symbol}_USDT_Perp`,
  time: T0,
  ...fundingRate({ rate: r, intervalHours: 8 }),
});

Deno.test("the grid shows a collection's new rates at once and ages by the second", async () => {
  const clock = new ManualClock(T0 + 5_000);
  await using store = await SqliteFundingStore.open(":memory:");
  await store.saveObservations([rate("BTC", "0.0001")]);
  const api = createFundingApi({ store, venues: ["grvt"], clock, maxAgeMs: 60_000 });
  const first = await (await api.app.request("/")).text();
  ok(first.includes('data-symbol="BTC"'));
  equal(first.includes('data-symbol="ETH"'), false);
  equal(await (await api.app.request("/")).text(), first, "same data, same second: same page");
  await store.saveObservations([rate("ETH", "0.0002")]);
  api.invalidate();
  ok(
    (await (await api.app.request("/")).text()).includes('data-symbol="ETH"'),
    "after a collection",
  );
  await clock.advance(60_000); // BTC and ETH are now 65 s old: stale past the 60 s limit
  ok((await (await api.app.request("/")).text()).includes("STALE · 1m old"), "a new second");
});
