// Funding units per venue against the shared fixture examples (DESIGN.md "Funding units"):
// Lighter percent per hour, GRVT percentage points per interval (8 h), EdgeX fraction per
// interval (fundingRateIntervalMin 240 = 4 h). Hourly rates are what opportunities compare.
import { equal } from "node:assert/strict";
import { Decimal } from "../base.ts";
import { fromQuotedRate } from "../funding/units.ts";

const FIXTURES = new URL("../../shared/fixtures/", import.meta.url);

async function fixture(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(new URL(path, FIXTURES)));
}

Deno.test("lighter /fundings rate is percent per hour (fixture 0.0012 = 0.000012 / h)", async () => {
  const body = await fixture("lighter/GET_fundings__nautilus-schema.json") as {
    fundings: { rate: string; direction: string }[];
  };
  const first = body.fundings[0];
  equal(first.rate, "0.0012");
  const r = fromQuotedRate("lighter", first.rate);
  equal(r.intervalHours, 1);
  equal(r.rate.toString(), "0.000012");
  equal(r.hourlyRate.toString(), "0.000012");
  equal(r.apr.toString(), "0.10512");
});

Deno.test("lighter market_stats current_funding_rate is percent per hour", async () => {
  const body = await fixture("lighter/WS_market_stats__update__nautilus.json") as {
    market_stats: { current_funding_rate: string };
  };
  const r = fromQuotedRate("lighter", body.market_stats.current_funding_rate);
  equal(r.hourlyRate.toString(), "0.00000001");
});

Deno.test("lighter /funding-rates 9.6e-05 (fraction per 8 h) equals 0.0012 %/h", async () => {
  const body = await fixture("lighter/GET_funding-rates__ccxt.json") as {
    funding_rates: { rate: number }[];
  };
  // The endpoint is a float fraction per 8 h (lighter.md §6); compare through hourly units.
  const per8h = body.funding_rates[0].rate.toPrecision(6);
  const hourly = fromQuotedRate("grvt", new Decimal(per8h).times(100), { intervalHours: 8 })
    .hourlyRate;
  equal(hourly.toString(), fromQuotedRate("lighter", "0.0012").hourlyRate.toString());
});

Deno.test("grvt funding rates are percentage points per funding_interval_hours", async () => {
  const body = await fixture("grvt/full_v1_funding.json") as {
    examples: {
      tab: string;
      value: { result?: { funding_rate: number; funding_interval_hours: number }[] };
    }[];
  };
  const row = body.examples.find((e) => e.tab === "Response")!.value.result![0];
  equal(row.funding_interval_hours, 8);
  const r = fromQuotedRate("grvt", String(row.funding_rate), {
    intervalHours: row.funding_interval_hours,
  });
  equal(r.rate.toString(), "0.000003"); // 0.0003 % per 8 h
  equal(r.hourlyRate.toString(), "0.000000375");
  // The live ticker sample in grvt.md §5: "0.0037" per 8 h
  equal(
    fromQuotedRate("grvt", "0.0037", { intervalHours: 8 }).hourlyRate.toString(),
    "0.000004625",
  );
});

Deno.test("edgex fundingRate is a fraction per fundingRateIntervalMin (240 = 4 h)", async () => {
  const body = await fixture("edgex/rest/docs.getLatestFundingRate.response.json") as {
    data: { fundingRate: string; fundingRateIntervalMin: string }[];
  };
  const row = body.data[0];
  const r = fromQuotedRate("edgex", row.fundingRate, {
    intervalMinutes: Number(row.fundingRateIntervalMin),
  });
  equal(r.intervalHours, 4);
  equal(r.rate.toString(), "-0.00005537");
  equal(r.hourlyRate.toString(), "-0.0000138425");
  equal(r.apr.toString(), "-0.1212603");
});

Deno.test("one hourly rate reads the same in every venue's units", () => {
  const lighter = fromQuotedRate("lighter", "0.00125");
  const grvt = fromQuotedRate("grvt", "0.01", { intervalHours: 8 });
  const edgex = fromQuotedRate("edgex", "0.00005", { intervalMinutes: 240 });
  equal(lighter.hourlyRate.toString(), "0.0000125");
  equal(grvt.hourlyRate.toString(), "0.0000125");
  equal(edgex.hourlyRate.toString(), "0.0000125");
});
