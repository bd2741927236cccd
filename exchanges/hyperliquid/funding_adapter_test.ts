/**
 * The funding adapter on documented payloads (answers recorded in the official Python SDK's
 * `tests/cassettes/info_test/*.yaml` and `api/info/assetctxs.yaml`, trimmed to a few rows).
 */
import { deepStrictEqual as deepEqual, strictEqual as equal } from "node:assert/strict";
import { ManualClock } from "../_shared/clock.ts";
import { HyperliquidFundingAdapter } from "./funding_adapter.ts";
import { HyperliquidClient } from "./client.ts";

const META = {
  universe: [
    { maxLeverage: 50, name: "BTC", szDecimals: 5 },
    { maxLeverage: 50, name: "ETH", szDecimals: 4 },
    { maxLeverage: 50, name: "kPEPE", szDecimals: 0 },
  ],
};
const CTXS = [
  {
    dayNtlVlm: "1169046.29406",
    funding: "0.0000125",
    impactPxs: ["14.3047", "14.3444"],
    markPx: "14.3161",
    midPx: "14.314",
    openInterest: "688.11",
    oraclePx: "14.32",
    premium: "0.00031774",
    prevDayPx: "15.322",
  },
  {
    dayNtlVlm: "2000",
    funding: "-0.00061334",
    markPx: "1705.8",
    openInterest: "10",
    oraclePx: "1705.9",
  },
  { dayNtlVlm: "0", funding: "0.0001", markPx: "0.0123", openInterest: "0", oraclePx: "0.0123" },
];
const HISTORY = [
  { coin: "BTC", fundingRate: "-0.00061334", premium: "-0.00091334", time: 1683849600048 },
  { coin: "BTC", fundingRate: "-0.00074503", premium: "-0.00104503", time: 1683878400388 },
];
const USER_FUNDING = [
  {
    delta: {
      coin: "APE",
      fundingRate: "-0.00029319",
      nSamples: 3,
      szi: "40.13333333",
      type: "funding",
      usdc: "0.145796",
    },
    hash: "0xe3f4c682738ae2ee62510a7282db05c55f1b2032b6a366be9af99d6c809ac899",
    time: 1681948800000,
  },
  {
    delta: {
      coin: "ETH",
      fundingRate: "0.0001",
      nSamples: 3,
      szi: "100.86333333",
      type: "funding",
      usdc: "-0.572915",
    },
    hash: "0x5babee5f9e95b33e153dd81fbc4bb82a887687eac7cc8dce24a65107d17774d2",
    time: 1681948800000,
  },
];

function fakeFetch(bodies: unknown[]): typeof fetch {
  return ((_url: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body));
    bodies.push(body);
    const answer = body.type === "metaAndAssetCtxs"
      ? [META, CTXS]
      : body.type === "fundingHistory"
      ? HISTORY
      : body.type === "userFunding"
      ? USER_FUNDING
      : body.type === "l2Book"
      ? {
        coin: body.coin,
        time: 1,
        levels: [[{ px: "14.31", sz: "1", n: 1 }], [{ px: "14.32", sz: "2", n: 1 }]],
      }
      : null;
    return Promise.resolve(
      new Response(JSON.stringify(answer), {
        headers: { "content-type": "application/json" },
      }),
    );
  }) as typeof fetch;
}

Deno.test("hyperliquid funding: asset-context funding is a fraction per hour", async () => {
  const clock = new ManualClock(1_700_000_123_000);
  const a = new HyperliquidFundingAdapter({ fetch: fakeFetch([]), clock });
  const [btc, eth, pepe] = await a.fetchFundingRates();
  equal(btc.symbol, "BTC");
  equal(btc.intervalHours, 1);
  equal(btc.rate.toString(), "0.0000125");
  equal(btc.hourlyRate.toString(), "0.0000125");
  equal(btc.apr.toString(), "0.1095");
  equal(btc.nextFundingTime, 1_700_002_800_000);
  equal(eth.rate.toString(), "-0.00061334");
  equal(pepe.venueSymbol, "kPEPE");
});

Deno.test("hyperliquid funding: market data in USDC, book from l2Book", async () => {
  const a = new HyperliquidFundingAdapter({ fetch: fakeFetch([]), clock: new ManualClock(0) });
  const [btc] = await a.fetchMarketData({ symbols: ["BTC"] });
  equal(btc.volume24hUsd!.toString(), "1169046.29406");
  equal(btc.openInterestUsd!.toString(), "9851.051571");
  equal(btc.bestBid!.toString(), "14.31");
  equal(btc.bestAsk!.toString(), "14.32");
});

Deno.test("hyperliquid funding: history rows are hourly fractions, oldest first", async () => {
  const bodies: unknown[] = [];
  const a = new HyperliquidFundingAdapter({ fetch: fakeFetch(bodies), clock: new ManualClock(0) });
  const h = await a.fetchFundingHistory("BTC", { start: 1681923833000, end: 1683900000000 });
  deepEqual(h.map((r) => [r.time, r.rate.toString(), r.intervalHours]), [
    [1683849600048, "-0.00061334", 1],
    [1683878400388, "-0.00074503", 1],
  ]);
  deepEqual(bodies[0], {
    type: "fundingHistory",
    coin: "BTC",
    startTime: 1681923833000,
    endTime: 1683900000000,
  });
});

Deno.test("hyperliquid client: userFunding rows become signed payments of known markets", async () => {
  const bodies: Record<string, unknown>[] = [];
  const c = new HyperliquidClient({
    fetch: fakeFetch(bodies),
    privateKey: "0x0123456789012345678901234567890123456789012345678901234567890123",
    accountAddress: "0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2",
    clock: new ManualClock(0),
  });
  const p = await c.getFundingPayments({ start: 1681900000000 });
  equal(p.length, 1); // APE is not in the universe above
  equal(p[0].symbol, "ETH");
  equal(p[0].amount.toString(), "-0.572915");
  equal(p[0].rate!.toString(), "0.0001");
  equal(p[0].positionSize!.toString(), "100.86333333");
  const req = bodies.find((b) => b.type === "userFunding")!;
  equal(req.user, "0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2");
  equal(req.startTime, 1681900000000);
});
