import { deepStrictEqual as deepEqual, match, ok, strictEqual as equal } from "node:assert/strict";
import { z } from "zod";
import {
  type FundingAdapter,
  type FundingHistoryEntry,
  type FundingRate,
  fundingRate,
  MalformedPayloadError,
  type MarketData,
  VenueUnavailableError,
} from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { createHttpTransport } from "../exchanges/_shared/http.ts";
import { startSimVenue } from "../sim/network.ts";
import { type CollectionProgress, FundingCollector, type FundingSource } from "./collector.ts";
import { SqliteFundingStore } from "./sqlite_store.ts";

const T0 = Date.UTC(2026, 0, 1);

type Behaviour = "ok" | "5xx" | "hang" | "malformed" | "market_fails";

/** An in-process adapter whose failures are the errors the real transports raise. */
class FakeAdapter implements FundingAdapter {
  inFlight = 0;
  maxInFlight = 0;
  calls = 0;
  constructor(
    readonly venue: string,
    public behaviour: Behaviour,
    readonly clock: ManualClock,
    readonly symbols: string[] = ["BTC", "ETH"],
  ) {}
  async #enter<T>(fn: () => T, signal?: AbortSignal): Promise<T> {
    this.calls++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await Promise.resolve();
      if (this.behaviour === "5xx") {
        throw new VenueUnavailableError({ venue: this.venue, endpoint: "/rates", code: 503 });
      }
      if (this.behaviour === "malformed") {
        throw new MalformedPayloadError("rate", { venue: this.venue, endpoint: "/rates" });
      }
      if (this.behaviour === "hang") {
        await new Promise((_, reject) =>
          signal?.addEventListener("abort", () => reject(signal.reason))
        );
      }
      return fn();
    } finally {
      this.inFlight--;
    }
  }
  fetchFundingRates(o: { signal?: AbortSignal } = {}): Promise<FundingRate[]> {
    return this.#enter(() =>
      this.symbols.map((symbol) => ({
        venue: this.venue,
        symbol,
        venueSymbol: `${symbol}-PERP`,
        ...fundingRate({ rate: "0.0001", intervalHours: 8 }),
        nextFundingTime: undefined,
        markPrice: undefined,
        indexPrice: undefined,
        timestamp: this.clock.now(),
      })), o.signal);
  }
  fetchMarketData(o: { signal?: AbortSignal } = {}): Promise<MarketData[]> {
    if (this.behaviour === "market_fails") {
      return Promise.reject(new VenueUnavailableError({ venue: this.venue, code: 502 }));
    }
    return this.#enter(() => [], o.signal);
  }
  fetchFundingHistory(): Promise<FundingHistoryEntry[]> {
    return Promise.resolve([]);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

Deno.test("collect(): a venue failing with 5xx, malformed data or a timeout never blocks the others", async () => {
  const clock = new ManualClock(T0);
  await using store = await SqliteFundingStore.open(":memory:");
  const sources: FundingSource[] = [
    { venue: "good", adapter: new FakeAdapter("good", "ok", clock) },
    { venue: "down", adapter: new FakeAdapter("down", "5xx", clock) },
    { venue: "bad", adapter: new FakeAdapter("bad", "malformed", clock) },
    { venue: "slow", adapter: new FakeAdapter("slow", "hang", clock) },
    { venue: "missing", unavailable: "MissingFundingAdapter is not available yet" },
  ];
  const collector = new FundingCollector(store, sources, { clock, timeoutMs: 5_000 });
  const pending = collector.collect();
  while (clock.pending === 0) await new Promise((r) => setTimeout(r, 0));
  await clock.advance(5_000);
  const run = await pending;
  deepEqual(run.venues.map((v) => [v.venue, v.status]), [
    ["good", "success"],
    ["down", "failed"],
    ["bad", "failed"],
    ["slow", "failed"],
    ["missing", "failed"],
  ]);
  match(run.venues[1].error!, /unavailable/i);
  match(run.venues[2].error!, /rate/);
  match(run.venues[3].error!, /timed out|timeout/i);
  match(run.venues[4].error!, /not available yet/);
  equal((await store.latestRates()).length, 2);
  const health = await collector.health();
  deepEqual(health.map((h) => [h.venue, h.consecutiveErrors]), [
    ["good", 0],
    ["down", 1],
    ["bad", 1],
    ["slow", 1],
    ["missing", 1],
  ]);
  equal(health[0].lastSuccessAt, T0, "the good venue finished before the timeout");
  const logs = await store.collectionLogs({ limit: 100 });
  equal(logs.length, 5);
  ok(logs.every((l) => l.runId === run.runId));
  equal(logs.find((l) => l.venue === "down")!.status, "failed");
  equal((await store.venues()).find((v) => v.venue === "down")!.consecutiveErrors, 1);
});

Deno.test("collect(): a second run at the same timestamp writes no duplicates", async () => {
  const clock = new ManualClock(T0);
  await using store = await SqliteFundingStore.open(":memory:");
  const sim = await startSimVenue("grvt", { clock });
  try {
    const collector = new FundingCollector(store, [
      { venue: "grvt", adapter: sim.fundingAdapter() },
    ], { clock });
    const first = await collector.collect();
    const second = await collector.collect();
    equal(first.venues[0].inserted, 3);
    equal(second.venues[0].rates, 3);
    equal(second.venues[0].inserted, 0);
    equal((await store.stats(T0)).rates, 3);
    equal((await store.collectionLogs()).length, 2);
  } finally {
    await sim.close();
  }
});

Deno.test("collect(): market-data failure keeps the rates (partial) and the venue healthy", async () => {
  const clock = new ManualClock(T0);
  await using store = await SqliteFundingStore.open(":memory:");
  const collector = new FundingCollector(store, [
    { venue: "v", adapter: new FakeAdapter("v", "market_fails", clock) },
  ], { clock });
  const run = await collector.collect();
  equal(run.venues[0].status, "partial");
  match(run.venues[0].error!, /^market data:/);
  equal((await collector.health())[0].consecutiveErrors, 0);
  equal((await store.collectionLogs())[0].status, "partial");
});

Deno.test("collect(): health counts consecutive errors and a success resets them", async () => {
  const clock = new ManualClock(T0);
  await using store = await SqliteFundingStore.open(":memory:");
  const adapter = new FakeAdapter("v", "5xx", clock);
  const collector = new FundingCollector(store, [{ venue: "v", adapter }], { clock });
  await collector.collect();
  await collector.collect();
  equal((await collector.health())[0].consecutiveErrors, 2);
  // A new process reads the stored health.
  const again = new FundingCollector(store, [{ venue: "v", adapter }], { clock });
  equal((await again.health())[0].consecutiveErrors, 2);
  adapter.behaviour = "ok";
  await again.collect();
  const [h] = await again.health();
  equal(h.consecutiveErrors, 0);
  equal(h.lastError, undefined);
});

Deno.test("collect(): requests inside a venue are bounded; concurrent calls share one run", async () => {
  const clock = new ManualClock(T0);
  await using store = await SqliteFundingStore.open(":memory:");
  const adapter = new FakeAdapter("v", "ok", clock);
  const events: CollectionProgress[] = [];
  const collector = new FundingCollector(store, [{ venue: "v", adapter }], {
    clock,
    concurrency: 1,
    onProgress: (e) => events.push(e),
  });
  const a = collector.collect();
  const b = collector.collect();
  equal(a, b);
  equal(collector.running, true);
  await a;
  equal(collector.running, false);
  equal(adapter.maxInFlight, 1);
  equal(adapter.calls, 2);
  deepEqual(events.map((e) => e.type), ["start", "done"]);
});

Deno.test("collect(): rates with a wrong venue, a bad interval or a duplicate symbol are rejected", async () => {
  const clock = new ManualClock(T0);
  await using store = await SqliteFundingStore.open(":memory:");
  const adapter = new FakeAdapter("v", "ok", clock, ["KPEPE", "1000PEPE", "2Z"]);
  const collector = new FundingCollector(store, [{ venue: "v", adapter }], { clock });
  const run = await collector.collect();
  equal(run.venues[0].rates, 2);
  equal(run.venues[0].rejected, 1); // KPEPE and 1000PEPE are one unified symbol
  deepEqual((await store.latestRates()).map((r) => r.symbol), ["1000PEPE", "2Z"]);
});

// Over real HTTP: a minimal adapter on the shared transport against a local server that answers
// 503, malformed JSON, or valid data — the transport's own errors mark the venue unhealthy.
class HttpAdapter extends FakeAdapter {
  readonly #http;
  constructor(venue: string, url: string, clock: ManualClock) {
    super(venue, "ok", clock);
    this.#http = createHttpTransport({ venue, baseUrl: url, retry: false, timeoutMs: 5_000 });
  }
  override async fetchFundingRates(o: { signal?: AbortSignal } = {}): Promise<FundingRate[]> {
    const body = await this.#http.request({
      method: "GET",
      path: `/${this.venue}/rates`,
      schema: z.object({ rates: z.array(z.object({ symbol: z.string(), rate: z.string() })) }),
      signal: o.signal,
    });
    return body.rates.map((r) => ({
      venue: this.venue,
      symbol: r.symbol,
      venueSymbol: r.symbol,
      ...fundingRate({ rate: r.rate, intervalHours: 4 }),
      nextFundingTime: undefined,
      markPrice: undefined,
      indexPrice: undefined,
      timestamp: this.clock.now(),
    }));
  }
}

Deno.test("collect(): over HTTP, a 5xx or malformed venue is unhealthy while the other is stored", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/down/rates") return new Response("busy", { status: 503 });
    if (path === "/bad/rates") return Response.json({ rates: [{ symbol: "BTC", rate: 1 }] });
    return Response.json({ rates: [{ symbol: "BTC", rate: "0.00004" }] });
  });
  try {
    const url = `http://127.0.0.1:${server.addr.port}`;
    const clock = new ManualClock(T0);
    await using store = await SqliteFundingStore.open(":memory:");
    const collector = new FundingCollector(
      store,
      ["good", "down", "bad"].map((v) => ({ venue: v, adapter: new HttpAdapter(v, url, clock) })),
      { clock },
    );
    const run = await collector.collect();
    deepEqual(run.venues.map((v) => v.status), ["success", "failed", "failed"]);
    match(run.venues[1].error!, /503|unavailable/i);
    match(run.venues[2].error!, /rate/);
    deepEqual((await store.latestRates()).map((r) => [r.venue, r.hourlyRate.toString()]), [
      ["good", "0.00001"],
    ]);
  } finally {
    await server.shutdown();
  }
});
