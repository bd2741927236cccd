import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { Decimal } from "../../core/decimal.ts";
import { scriptedFundingRates } from "../../sim/funding.ts";
import { startLighterReplica } from "../../sim/lighter/mod.ts";
import {
  fundingsRowRate,
  LighterFundingAdapter,
  lighterFundingRatesToHourly,
  openInterestUsd,
} from "./funding_adapter.ts";
import { testdataUrl } from "../../tests/_testdata.ts";

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
    // Mark and index come from the market_stats stream only (orderBookDetails has none).
    deepEqual(
      [eth.markPrice?.toString(), eth.indexPrice?.toString()],
      source === "market_stats" ? ["2000", "2000"] : [undefined, undefined],
    );
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
  engine.setPrices("ETH", { markPrice: "2010.00", indexPrice: "2009.50" });
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
      eth.markPrice?.toString(),
      eth.indexPrice?.toString(),
    ],
    // Open interest: 2 ETH (one side) × mark 2010.
    ["4002", "4020", "1999", "2001", "10.0000", "2010", "2009.5"],
  );
  // Without the stream: no mark / index; open interest at the last trade price (2001).
  await using rest = new LighterFundingAdapter({
    restUrl: replica.restUrl,
    wsUrl: replica.wsUrl,
    clock: replica.clock,
    source: "funding-rates",
  });
  const [plain] = await rest.fetchMarketData({ symbols: ["ETH"] });
  deepEqual(
    [plain.openInterestUsd?.toString(), plain.markPrice, plain.indexPrice],
    ["4002", undefined, undefined],
  );
});

const fixtures = testdataUrl("fixtures/lighter/");
const fixture = async (name: string) => await Deno.readTextFile(new URL(name, fixtures));

/** A WebSocket that answers a subscribe with one recorded frame. */
function recordedSocket(frame: string) {
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
        queueMicrotask(() => this.onmessage?.({ data: frame }));
      }
    }
    close() {
      this.readyState = WebSocket.CLOSED;
      queueMicrotask(() => this.dispatchEvent(new Event("close")));
    }
  } as unknown as new (url: string) => WebSocket;
}

Deno.test("fixtures: mark, index and open interest USD from market_stats + orderBookDetails", async () => {
  // The documented market_stats/all frame (ETH: mark "2064.47", index "2064.48", rate
  // "0.000001" %/h) and an orderBookDetails entry in the shape of the recorded one (no
  // mark_price / index_price), with the documented float stats.
  const stats = await fixture("WS_market_stats_all__update__nautilus.json");
  const recorded = JSON.parse(
    await fixture("GET_orderBookDetails__lighter-ts-fallback-excerpt.json"),
  );
  const eth = {
    ...recorded.order_book_details[0],
    symbol: "ETH",
    market_id: 0,
    size_decimals: 4,
    price_decimals: 2,
    last_trade_price: 2064.5,
    daily_quote_token_volume: 471193598.847246,
    open_interest: 27250.8411,
  };
  const details = { code: 200, order_book_details: [eth], spot_order_book_details: [] };
  const book = await fixture("GET_orderBookOrders__ccxt.json");
  const fetch = (input: string | URL | Request) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body = url.pathname.endsWith("/orderBookDetails") ? JSON.stringify(details) : book;
    return Promise.resolve(new Response(body, { headers: { "content-type": "application/json" } }));
  };
  await using adapter = new LighterFundingAdapter({
    restUrl: "http://lighter.invalid",
    wsUrl: "ws://lighter.invalid/stream",
    fetch,
    WebSocket: recordedSocket(stats),
  });
  const [m] = await adapter.fetchMarketData();
  deepEqual(
    [
      m.symbol,
      m.markPrice?.toString(),
      m.indexPrice?.toString(),
      m.openInterestUsd?.toString(),
      m.volume24hUsd?.toString(),
      m.bestBid?.toString(),
      m.bestAsk?.toString(),
    ],
    // 27250.8411 × 2064.47 = 56258543.925717
    ["ETH", "2064.47", "2064.48", "56258543.925717", "471193598.847246", "3429.8", "3430"],
  );
  const [r] = await adapter.fetchFundingRates();
  deepEqual(
    [r.symbol, r.rate.toString(), r.markPrice?.toString(), r.indexPrice?.toString()],
    ["ETH", "0.00000001", "2064.47", "2064.48"],
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
