// The last settled rate beside the predicted one: from the venues' answers (EdgeX latest funding
// row, Lighter market_stats) through the collector and store to the API and the rates grid.
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { Decimal, fundingRate } from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { EdgeXFundingAdapter } from "../exchanges/edgex/funding_adapter.ts";
import { LighterFundingAdapter } from "../exchanges/lighter/funding_adapter.ts";
import { createFundingApi } from "../funding/api.ts";
import { FundingCollector } from "../funding/collector.ts";
import { SqliteFundingStore } from "../funding/sqlite_store.ts";

// edgex.md §4.1: a latest row's `fundingRate` is the last fixed rate (settled at `fundingTime`),
// `forecastFundingRate` the estimate for the next settlement; both per 4 h interval.
const EDGEX_META = {
  global: {},
  coinList: [{ coinId: "1000", coinName: "USDC" }, { coinId: "1001", coinName: "BTC" }],
  contractList: [{
    contractId: "30000001",
    contractName: "BTCUSDC",
    baseCoinId: "1001",
    quoteCoinId: "1000",
    tickSize: "0.1",
    stepSize: "0.001",
    minOrderSize: "0.001",
    fundingRateIntervalMin: "240",
  }],
};
const EDGEX_LATEST = [{
  contractId: "30000001",
  fundingTime: "1789128000000",
  fundingTimestamp: "1789136100000",
  oraclePrice: "79025.03",
  indexPrice: "79076.67",
  fundingRate: "0.00005000",
  isSettlement: false,
  forecastFundingRate: "0.0002",
  fundingRateIntervalMin: "240",
}];

function edgexAdapter() {
  return new EdgeXFundingAdapter({
    fetch: (url) =>
      Promise.resolve(Response.json({
        code: "SUCCESS",
        data: String(url).includes("getMetaData") ? EDGEX_META : EDGEX_LATEST,
      })),
  });
}

Deno.test("EdgeX: the forecast is the rate, the latest row's fundingRate the settled one", async () => {
  const [btc] = await edgexAdapter().fetchFundingRates();
  deepEqual(
    [btc.rate.toString(), btc.settledRate?.toString(), btc.settledTime],
    ["0.0002", "0.00005", 1789128000000],
  );
});

/** A WebSocket that answers the `market_stats/all` subscription with one frame. */
function statsSocket(frame: unknown) {
  return class extends EventTarget {
    readyState: number = WebSocket.CONNECTING;
    onopen: (() => void) | null = null;
    onmessage: ((e: { data: string }) => void) | null = null;
    onerror: (() => void) | null = null;
    onclose: (() => void) | null = null;
    constructor(_url: string) {
      super();
      queueMicrotask(() => {
        this.readyState = WebSocket.OPEN;
        this.onopen?.();
      });
    }
    send(text: string) {
      if (JSON.parse(text).channel === "market_stats/all") {
        queueMicrotask(() => this.onmessage?.({ data: JSON.stringify(frame) }));
      }
    }
    close() {
      this.readyState = WebSocket.CLOSED;
      queueMicrotask(() => this.dispatchEvent(new Event("close")));
    }
  } as unknown as new (url: string) => WebSocket;
}

Deno.test("Lighter: current_funding_rate is the rate, funding_rate the last settled (percent per hour)", async () => {
  // lighter.md §4.2: `current_funding_rate` = predicted for the running hour, `funding_rate` =
  // last settled, both percent per hour ("-0.0028" % = -0.000028 per hour).
  const frame = {
    channel: "market_stats:all",
    type: "update/market_stats",
    market_stats: {
      "0": {
        market_id: 0,
        symbol: "ETH",
        index_price: "2064.48",
        mark_price: "2064.47",
        open_interest: "27250.8411",
        last_trade_price: "2064.5",
        current_funding_rate: "0.0012",
        funding_rate: "-0.0028",
        funding_timestamp: 1767229200000,
        daily_base_token_volume: 1,
        daily_quote_token_volume: 1,
        daily_price_low: 1,
        daily_price_high: 1,
        daily_price_change: 0,
      },
    },
  };
  const details = {
    code: 200,
    order_book_details: [{
      symbol: "ETH",
      market_id: 0,
      status: "active",
      taker_fee: "0.0000",
      maker_fee: "0.0000",
      liquidation_fee: "1.0000",
      min_base_amount: "0.0050",
      min_quote_amount: "10.000000",
      supported_size_decimals: 4,
      supported_price_decimals: 2,
      supported_quote_decimals: 6,
      size_decimals: 4,
      price_decimals: 2,
      quote_multiplier: 1,
      default_initial_margin_fraction: 500,
      min_initial_margin_fraction: 200,
      maintenance_margin_fraction: 120,
      closeout_margin_fraction: 80,
      last_trade_price: 2064.5,
      daily_trades_count: 1,
      daily_base_token_volume: 1,
      daily_quote_token_volume: 1,
      daily_price_low: 1,
      daily_price_high: 1,
      daily_price_change: 0,
      open_interest: 1,
      daily_chart: {},
    }],
    spot_order_book_details: [],
  };
  // 2026-01-01 00:25 UTC: the last hourly settlement was at 00:00.
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 0, 25));
  await using adapter = new LighterFundingAdapter({
    restUrl: "http://lighter.invalid",
    wsUrl: "ws://lighter.invalid/stream",
    clock,
    fetch: () => Promise.resolve(Response.json(details)),
    WebSocket: statsSocket(frame),
  });
  const [eth] = await adapter.fetchFundingRates();
  deepEqual(
    [eth.rate.toString(), eth.settledRate?.toString(), eth.settledTime],
    ["0.000012", "-0.000028", Date.UTC(2026, 0, 1)],
  );
});

Deno.test("the settled rate is stored, answered by the API and shown in the grid beside the predicted one", async () => {
  const clock = new ManualClock(1789136100000);
  await using store = await SqliteFundingStore.open(":memory:");
  const collector = new FundingCollector(store, [{ venue: "edgex", adapter: edgexAdapter() }], {
    clock,
  });
  equal((await collector.collect()).venues[0].rates, 1);
  const [stored] = await store.latestRates();
  deepEqual([stored.settledRate?.toString(), stored.settledTime], ["0.00005", 1789128000000]);
  const api = createFundingApi({ store, venues: ["edgex"], clock });
  const res = await api.app.request("/api/v1/funding-rates/edgex/BTC");
  const body = await res.json();
  deepEqual(
    [body.rate, body.hourly_rate, body.settled_rate, body.settled_hourly_rate, body.settled_at],
    ["0.0002", "0.00005", "0.00005", "0.0000125", "2026-09-11T12:00:00.000Z"],
  );
  const grid = await (await api.app.request("/")).text();
  ok(grid.includes('data-settled-hourly-rate="0.0000125"'), "the settled rate is in the cell");
  ok(grid.includes("0.0050 %/h <small>predicted</small>"), "the predicted rate is marked");
  // 0.0000125 per hour = 0.00125 %, shown to 4 decimals (half to even: 0.0012 %) at 12:00 UTC.
  ok(
    grid.includes('last settled 0.0012 %/h at <time datetime="2026-09-11T12:00:00.000Z">12:00 UTC'),
  );
  // A venue without a settled rate keeps a plain cell.
  await store.saveObservations([{
    venue: "edgex",
    symbol: "ETH",
    venueSymbol: "ETHUSDC",
    time: 1789136100000,
    ...fundingRate({ rate: new Decimal("0.0001"), intervalHours: 4 }),
  }]);
  api.invalidate();
  const eth = await (await api.app.request("/api/v1/funding-rates/edgex/ETH")).json();
  deepEqual([eth.settled_rate, eth.settled_at], [null, null]);
});
