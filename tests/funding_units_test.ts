// Funding units per venue (DESIGN.md "Funding units"), checked on the code the funding service
// runs: each venue's FundingAdapter answering the shared fixture payloads through its injectable
// `fetch` (and `WebSocket` for Lighter's market_stats stream). Lighter quotes percent per hour,
// GRVT percentage points per interval (8 h), EdgeX a fraction per `fundingRateIntervalMin`
// (240 = 4 h). Hourly rates are what opportunities compare.
import { deepStrictEqual as deepEqual, strictEqual as equal } from "node:assert/strict";
import type { FundingHistoryEntry, FundingRate } from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { EdgeXFundingAdapter } from "../exchanges/edgex/funding_adapter.ts";
import { GRVTFundingAdapter } from "../exchanges/grvt/funding_adapter.ts";
import { LighterFundingAdapter } from "../exchanges/lighter/funding_adapter.ts";
import { testdataUrl } from "./_testdata.ts";

const FIXTURES = testdataUrl("fixtures/");
const VENUE_NOTES = testdataUrl("venues/");

async function fixture<T = Record<string, unknown>>(path: string): Promise<T> {
  return JSON.parse(await Deno.readTextFile(new URL(path, FIXTURES)));
}

/** The rate in the package's units, as strings, so a whole row compares in one assertion. */
function units(r: FundingRate | FundingHistoryEntry) {
  return {
    rate: r.rate.toString(),
    intervalHours: r.intervalHours,
    hourlyRate: r.hourlyRate.toString(),
    apr: r.apr.toString(),
  };
}

/** One request the adapter sent: method, path, query and JSON body. */
interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

/**
 * A `fetch` answering `"METHOD /path"` routes with JSON; any other request fails the test (the
 * adapter asked for something this test does not serve).
 */
function serve(routes: Record<string, unknown | ((seen: Seen) => unknown)>) {
  const seen: Seen[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    const text = await req.text();
    const s: Seen = {
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: text === "" ? undefined : JSON.parse(text),
    };
    seen.push(s);
    const key = `${s.method} ${s.path}`;
    if (!(key in routes)) throw new Error(`unexpected request ${key}`);
    const route = routes[key];
    return Response.json(typeof route === "function" ? route(s) : route);
  };
  return { fetch, seen };
}

/**
 * A WebSocket that answers a `subscribe` to `market_stats/all` with `frame`, and anything else
 * with an error frame (so a wrong subscription fails instead of hanging).
 */
function marketStatsSocket(frame: unknown, sent: string[]): typeof WebSocket {
  class FixtureSocket extends EventTarget {
    readyState: number = WebSocket.CONNECTING;
    onopen: ((e: Event) => void) | null = null;
    onmessage: ((e: MessageEvent) => void) | null = null;
    onerror: ((e: Event) => void) | null = null;
    onclose: ((e: CloseEvent) => void) | null = null;
    constructor(readonly url: string) {
      super();
      queueMicrotask(() => {
        this.readyState = WebSocket.OPEN;
        this.onopen?.(new Event("open"));
      });
    }
    send(data: string): void {
      sent.push(data);
      const ok = JSON.stringify(JSON.parse(data)) ===
        JSON.stringify({ type: "subscribe", channel: "market_stats/all" });
      const reply = ok ? frame : { error: { code: 30000, message: `unexpected ${data}` } };
      queueMicrotask(() =>
        this.onmessage?.(new MessageEvent("message", { data: JSON.stringify(reply) }))
      );
    }
    close(): void {
      if (this.readyState === WebSocket.CLOSED) return;
      this.readyState = WebSocket.CLOSED;
      queueMicrotask(() => {
        const e = new CloseEvent("close", { code: 1000 });
        this.onclose?.(e);
        this.dispatchEvent(e);
      });
    }
  }
  return FixtureSocket as unknown as typeof WebSocket;
}

// ---------------------------------------------------------------------------------------------
// Lighter

/**
 * `orderBookDetails` with an ETH market (id 0, the id of the ETH rows in the funding fixtures).
 * The only details fixture is an excerpt without ETH, so its first market is the template.
 */
async function lighterDetails() {
  const body = await fixture<{ order_book_details: Record<string, unknown>[] }>(
    "lighter/GET_orderBookDetails__lighter-ts-fallback-excerpt.json",
  );
  return {
    ...body,
    order_book_details: [{ ...body.order_book_details[0], symbol: "ETH", market_id: 0 }],
  };
}

Deno.test("lighter /fundings rate is percent per hour (fixture 0.0012 = 0.000012 / h)", async () => {
  const fundings = await fixture<{ fundings: { rate: string; direction: string }[] }>(
    "lighter/GET_fundings__nautilus-schema.json",
  );
  deepEqual(fundings.fundings.map((f) => [f.rate, f.direction]), [
    ["0.0012", "long"],
    ["0.0002", "short"],
  ]);
  const { fetch, seen } = serve({
    "GET /api/v1/orderBookDetails": await lighterDetails(),
    "GET /api/v1/fundings": fundings,
  });
  await using adapter = new LighterFundingAdapter({ fetch, clock: new ManualClock(0) });
  const rows = await adapter.fetchFundingHistory("ETH", {
    start: 1_778_702_400_000,
    end: 1_778_706_000_000,
  });
  deepEqual(rows.map((r) => [r.time, units(r)]), [
    // `long`: longs pay, positive.
    [1_778_702_400_000, {
      rate: "0.000012",
      intervalHours: 1,
      hourlyRate: "0.000012",
      apr: "0.10512",
    }],
    // `short`: shorts pay, negative.
    [1_778_706_000_000, {
      rate: "-0.000002",
      intervalHours: 1,
      hourlyRate: "-0.000002",
      apr: "-0.01752",
    }],
  ]);
  const fundingsCall = seen.find((s) => s.path === "/api/v1/fundings")!;
  equal(fundingsCall.query.market_id, "0");
  equal(fundingsCall.query.resolution, "1h");
});

Deno.test("lighter market_stats current_funding_rate is percent per hour", async () => {
  const frame = await fixture<{ market_stats: { current_funding_rate: string } }>(
    "lighter/WS_market_stats__update__nautilus.json",
  );
  equal(frame.market_stats.current_funding_rate, "0.000001");
  const { fetch, seen } = serve({ "GET /api/v1/orderBookDetails": await lighterDetails() });
  const sent: string[] = [];
  await using adapter = new LighterFundingAdapter({
    fetch,
    WebSocket: marketStatsSocket(frame, sent),
    clock: new ManualClock(0),
  });
  const rates = await adapter.fetchFundingRates();
  deepEqual(rates.map((r) => [r.symbol, units(r)]), [
    ["ETH", { rate: "0.00000001", intervalHours: 1, hourlyRate: "0.00000001", apr: "0.0000876" }],
  ]);
  deepEqual(seen.map((s) => s.path), ["/api/v1/orderBookDetails"]);
  equal(sent.length, 1);
});

Deno.test("lighter /funding-rates 9.6e-05 (fraction per 8 h) equals 0.0012 %/h", async () => {
  const body = await fixture<{ funding_rates: { exchange: string; rate: number }[] }>(
    "lighter/GET_funding-rates__ccxt.json",
  );
  deepEqual(body.funding_rates.map((r) => [r.exchange, r.rate]), [[
    "lighter",
    9.599999999999999e-05,
  ]]);
  const { fetch, seen } = serve({
    "GET /api/v1/orderBookDetails": await lighterDetails(),
    "GET /api/v1/funding-rates": body,
  });
  await using adapter = new LighterFundingAdapter({
    fetch,
    source: "funding-rates",
    clock: new ManualClock(0),
  });
  const rates = await adapter.fetchFundingRates();
  // lighter.md §6: the float is a fraction per 8 h; the same hourly rate as the /fundings row
  // "0.0012" % per hour above.
  deepEqual(rates.map((r) => [r.symbol, units(r)]), [
    ["ETH", { rate: "0.000012", intervalHours: 1, hourlyRate: "0.000012", apr: "0.10512" }],
  ]);
  deepEqual(seen.map((s) => s.path), ["/api/v1/orderBookDetails", "/api/v1/funding-rates"]);
});

// ---------------------------------------------------------------------------------------------
// GRVT

type GrvtDoc = { examples: { tab: string; label: string; value: unknown }[] };

/** The `Full Response` example of a GRVT API-doc fixture. */
async function grvtResponse<T>(path: string): Promise<T> {
  const doc = await fixture<GrvtDoc>(path);
  return doc.examples.find((e) => e.tab === "Response" && e.label === "Full Response")!
    .value as T;
}

/** The live prod BTC ticker quoted in grvt.md §4.1.2 (`funding_rate` "0.0037"). */
async function grvtLiveTicker(): Promise<{ result: Record<string, unknown> }> {
  const notes = await Deno.readTextFile(new URL("grvt.md", VENUE_NOTES));
  const section = notes.slice(notes.indexOf("#### 4.1.2 Ticker"));
  const json = section.match(/```json\n([\s\S]*?)\n```/)![1];
  return JSON.parse(json);
}

/** A GRVT adapter on REST tickers, serving the instruments fixture and `ticker`. */
async function grvtAdapter(routes: Record<string, unknown | ((seen: Seen) => unknown)>) {
  const served = serve({
    "POST /full/v1/instruments": await grvtResponse("grvt/full_v1_instruments.json"),
    ...routes,
  });
  const adapter = new GRVTFundingAdapter({
    environment: "prod",
    env: {},
    tickerSource: "rest",
    fetch: served.fetch,
    clock: new ManualClock(0),
  });
  return { adapter, seen: served.seen };
}

Deno.test("grvt funding rates are percentage points per funding_interval_hours", async () => {
  const funding = await grvtResponse<{ result: Record<string, unknown>[] }>(
    "grvt/full_v1_funding.json",
  );
  deepEqual(
    funding.result.map((r) => [r.instrument, r.funding_rate, r.funding_interval_hours]),
    [["BTC_USDT_Perp", 0.0003, 8]],
  );
  const { adapter, seen } = await grvtAdapter({ "POST /full/v1/funding": funding });
  await using _ = adapter;
  // One row: the fixture's `next` cursor is not followed once `limit` rows are in.
  const rows = await adapter.fetchFundingHistory("BTC", { limit: 1 });
  deepEqual(rows.map((r) => [r.time, units(r)]), [
    // 0.0003 % per 8 h
    [1_697_788_800_000, {
      rate: "0.000003",
      intervalHours: 8,
      hourlyRate: "0.000000375",
      apr: "0.003285",
    }],
  ]);
  deepEqual(seen.map((s) => s.path), ["/full/v1/instruments", "/full/v1/funding"]);
  equal((seen[1].body as { instrument: string }).instrument, "BTC_USDT_Perp");
});

Deno.test("grvt ticker funding_rate: the live sample 0.0037 per 8 h and the doc example", async () => {
  const live = await grvtLiveTicker();
  equal(live.result.funding_rate, "0.0037");
  const doc = await grvtResponse<{ result: Record<string, unknown> }>(
    "grvt/full_v1_ticker.json",
  );
  equal(doc.result.funding_rate, 0.0003);
  for (
    const [ticker, expected] of [
      // Neither ticker carries funding_interval_hours: the instrument's 8 h applies.
      [live, { rate: "0.000037", intervalHours: 8, hourlyRate: "0.000004625", apr: "0.040515" }],
      [doc, { rate: "0.000003", intervalHours: 8, hourlyRate: "0.000000375", apr: "0.003285" }],
    ] as const
  ) {
    const { adapter, seen } = await grvtAdapter({ "POST /full/v1/ticker": ticker });
    await using _ = adapter;
    const rates = await adapter.fetchFundingRates();
    deepEqual(rates.map((r) => [r.symbol, r.venueSymbol, units(r)]), [
      ["BTC", "BTC_USDT_Perp", expected],
    ]);
    deepEqual(seen.map((s) => s.path), ["/full/v1/instruments", "/full/v1/ticker"]);
    deepEqual(seen[1].body, { instrument: "BTC_USDT_Perp" });
  }
});

// ---------------------------------------------------------------------------------------------
// EdgeX

/**
 * `getMetaData` for the fixtures' contract 10000001 (BTC, 240 min). No verbatim V2 metadata
 * exists (edgex.md §4.2), so it holds only the fields the adapter reads.
 */
const EDGEX_META = {
  global: {},
  coinList: [{ coinId: "1000", coinName: "USDC" }, { coinId: "1001", coinName: "BTC" }],
  contractList: [{
    contractId: "10000001",
    contractName: "BTCUSDC",
    baseCoinId: "1001",
    quoteCoinId: "1000",
    tickSize: "0.1",
    stepSize: "0.001",
    minOrderSize: "0.001",
    fundingRateIntervalMin: "240",
  }],
};

function edgeXAdapter(routes: Record<string, unknown>) {
  const served = serve({
    "GET /api/v2/public/meta/getMetaData": { code: "SUCCESS", data: EDGEX_META },
    ...routes,
  });
  const adapter = new EdgeXFundingAdapter({ fetch: served.fetch, clock: new ManualClock(0) });
  return { adapter, seen: served.seen };
}

const EDGEX_LATEST = "/api/v2/public/funding/getLatestFundingRate";
const EDGEX_PAGE = "/api/v2/public/funding/getFundingRatePage";

Deno.test("edgex fundingRate is a fraction per fundingRateIntervalMin (240 = 4 h)", async () => {
  type Latest = { data: Record<string, unknown>[] };
  const body = await fixture<Latest>("edgex/rest/docs.getLatestFundingRate.response.json");
  deepEqual(
    body.data.map((r) => [r.fundingRate, r.forecastFundingRate, r.fundingRateIntervalMin]),
    [["-0.00005537", "-0.00012293", "240"]],
  );
  // edgex.md §4.1: the current rate is the next settlement's (`forecastFundingRate`); when the
  // venue leaves it empty (as in the getFundingRatePage fixture) the last fixed `fundingRate`.
  const withoutForecast = { ...body, data: [{ ...body.data[0], forecastFundingRate: "" }] };
  for (
    const [payload, expected] of [
      [body, {
        rate: "-0.00012293",
        intervalHours: 4,
        hourlyRate: "-0.0000307325",
        apr: "-0.2692167",
      }],
      [withoutForecast, {
        rate: "-0.00005537",
        intervalHours: 4,
        hourlyRate: "-0.0000138425",
        apr: "-0.1212603",
      }],
    ] as const
  ) {
    const { adapter, seen } = edgeXAdapter({ [`GET ${EDGEX_LATEST}`]: payload });
    const rates = await adapter.fetchFundingRates();
    deepEqual(rates.map((r) => [r.symbol, units(r)]), [["BTC", expected]]);
    equal(rates[0].nextFundingTime, 1_734_595_200_000 + 4 * 3_600_000);
    deepEqual(seen.map((s) => [s.path, s.query]), [
      ["/api/v2/public/meta/getMetaData", {}],
      [EDGEX_LATEST, { contractId: "10000001" }],
    ]);
  }
});

Deno.test("edgex funding interval comes from each row's fundingRateIntervalMin", async () => {
  // SDKDOC testnet: "10" minutes while the metadata says 240.
  const body = await fixture<{ data: Record<string, unknown>[] }>(
    "edgex/rest/sdkdoc.getLatestFundingRate.testnet.response.json",
  );
  deepEqual(body.data.map((r) => [r.forecastFundingRate, r.fundingRateIntervalMin]), [
    ["0.00000208", "10"],
  ]);
  const { adapter } = edgeXAdapter({ [`GET ${EDGEX_LATEST}`]: body });
  const [btc] = await adapter.fetchFundingRates();
  equal(btc.rate.toString(), "0.00000208");
  equal(btc.intervalHours, 10 / 60);
  // Minutes keep the division exact: 0.00000208 per 10 min is 0.00001248 per hour.
  equal(btc.hourlyRate.toString(), "0.00001248");
  equal(btc.apr.toString(), "0.1093248");
});

Deno.test("edgex getFundingRatePage settlement rows are a fraction per 4 h", async () => {
  const page = await fixture<{ data: { dataList: Record<string, unknown>[] } }>(
    "edgex/rest/docs.getFundingRatePage.response.json",
  );
  deepEqual(
    page.data.dataList.map((r) => [r.fundingRate, r.isSettlement, r.fundingRateIntervalMin]),
    [["0.00005000", true, "240"]],
  );
  const { adapter, seen } = edgeXAdapter({ [`GET ${EDGEX_PAGE}`]: page });
  // One row: the fixture's `nextPageOffsetData` is not followed once `limit` rows are in.
  const rows = await adapter.fetchFundingHistory("BTC", { limit: 1 });
  deepEqual(rows.map((r) => [r.time, units(r)]), [
    [1_733_702_400_000, {
      rate: "0.00005",
      intervalHours: 4,
      hourlyRate: "0.0000125",
      apr: "0.1095",
    }],
  ]);
  const call = seen.find((s) => s.path === EDGEX_PAGE)!;
  equal(call.query.contractId, "10000001");
  equal(call.query.filterSettlementFundingRate, "true");
});

// ---------------------------------------------------------------------------------------------
// Across venues

Deno.test("one hourly rate reads the same in every venue's units", async () => {
  // 0.00125 %/h (Lighter) = 0.01 pp per 8 h (GRVT, a live value in grvt.md §5) = 0.00005 per
  // 4 h (EdgeX, the getFundingRatePage fixture): 0.0000125 per hour. The Lighter and GRVT
  // payloads are their fixtures with that rate put in.
  const frame = await fixture<{ market_stats: Record<string, unknown> }>(
    "lighter/WS_market_stats__update__nautilus.json",
  );
  const stats = {
    ...frame,
    market_stats: { ...frame.market_stats, current_funding_rate: "0.00125" },
  };
  await using lighter = new LighterFundingAdapter({
    fetch: serve({ "GET /api/v1/orderBookDetails": await lighterDetails() }).fetch,
    WebSocket: marketStatsSocket(stats, []),
    clock: new ManualClock(0),
  });

  const live = await grvtLiveTicker();
  const { adapter: grvt } = await grvtAdapter({
    "POST /full/v1/ticker": { result: { ...live.result, funding_rate: "0.01" } },
  });
  await using _ = grvt;

  const { adapter: edgex } = edgeXAdapter({
    [`GET ${EDGEX_PAGE}`]: await fixture("edgex/rest/docs.getFundingRatePage.response.json"),
  });

  const [l] = await lighter.fetchFundingRates();
  const [g] = await grvt.fetchFundingRates();
  const [e] = await edgex.fetchFundingHistory("BTC", { limit: 1 });
  deepEqual([l, g, e].map((r) => [r.rate.toString(), r.intervalHours]), [
    ["0.0000125", 1],
    ["0.0001", 8],
    ["0.00005", 4],
  ]);
  deepEqual([l, g, e].map((r) => r.hourlyRate.toString()), [
    "0.0000125",
    "0.0000125",
    "0.0000125",
  ]);
  deepEqual([l, g, e].map((r) => r.apr.toString()), ["0.1095", "0.1095", "0.1095"]);
});
