import {
  deepStrictEqual as deepEqual,
  ok,
  rejects,
  strictEqual as equal,
} from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { Decimal } from "../../base.ts";
import { ManualClock, systemClock } from "../_shared/clock.ts";
import { MalformedPayloadError, NotFoundError } from "../../core/errors.ts";
import { startGrvtReplica } from "../../sim/grvt/mod.ts";
import type { GrvtReplicaInstrument } from "../../sim/grvt/mod.ts";
import { GRVTFundingAdapter } from "./funding_adapter.ts";
import { tickerSchema } from "./schemas.ts";
import { testdataUrl } from "../../tests/_testdata.ts";

const FIXTURES = testdataUrl("fixtures/grvt/");

function counted(paths: string[]): typeof fetch {
  return (input, init) => {
    paths.push(new URL(String(input instanceof Request ? input.url : input)).pathname);
    return fetch(input, init);
  };
}

/** A WebSocket that records what it sends, and every instance. */
function countingWebSocket() {
  const sockets: WebSocket[] = [];
  const sent: Record<string, unknown>[] = [];
  class Counting extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      sockets.push(this);
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      if (typeof data === "string" && data.startsWith("{")) sent.push(JSON.parse(data));
      super.send(data);
    }
  }
  const subscribes = () => sent.filter((m) => m.method === "subscribe");
  return { WebSocket: Counting, sockets, subscribes };
}

/** Captures the `["perp", "grvt"]` log lines of `run`. */
async function logged<T>(run: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const records: LogRecord[] = [];
  await configure({
    reset: true,
    sinks: { memory: (r: LogRecord) => records.push(r) },
    loggers: [
      { category: ["perp", "grvt"], sinks: ["memory"], lowestLevel: "info" },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
    ],
  });
  try {
    const value = await run();
    const lines = records.map((r) => `${r.level} ${r.message.map(String).join("")}`);
    return { value, lines };
  } finally {
    await reset();
  }
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  // A real-time upper bound only to avoid a hang; nothing measures speed.
  for (let i = 0; i < 500 && !check(); i++) await systemClock.sleep(5);
  ok(check(), what);
}

function tenInstruments(): GrvtReplicaInstrument[] {
  const bases = ["BTC", "ETH", "SOL", "ARB", "BNB", "ZK", "OP", "XRP", "SUI", "DOGE"];
  return bases.map((base, i) => ({
    instrument: `${base}_USDT_Perp`,
    instrumentHash: `0x03${(i + 4).toString(16).padStart(2, "0")}01`,
    base,
    tickSize: "0.01",
    minSize: "0.01",
    markPrice: String(100 * (i + 1)),
  }));
}

Deno.test("GRVTFundingAdapter reads percentage points per interval as a fraction", async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 1));
  await using replica = startGrvtReplica({ clock });
  await replica.control.setFundingRate("BTC", new Decimal("0.0003"));
  await replica.control.setFundingRate("ETH", new Decimal("-0.0001"));
  const paths: string[] = [];
  const ws = countingWebSocket();
  await using adapter = new GRVTFundingAdapter({
    environment: "sim",
    hosts: replica.hosts,
    env: {},
    fetch: counted(paths),
    WebSocket: ws.WebSocket,
  });
  const rates = await adapter.fetchFundingRates();
  deepEqual(rates.map((r) => [r.symbol, r.rate.toString(), r.intervalHours]), [
    ["BTC", "0.0003", 8],
    ["ETH", "-0.0001", 8],
  ]);
  deepEqual(rates[0].hourlyRate.toString(), "0.0000375");
  deepEqual(rates[0].apr.toString(), "0.3285");
  equal(rates[0].nextFundingTime, Date.UTC(2026, 0, 5, 8));
  equal(rates[0].markPrice?.toString(), "64000");
  equal(rates[0].timestamp, Date.UTC(2026, 0, 5, 1), "event_time of the snapshot");
  deepEqual(paths, ["/full/v1/instruments"], "no REST ticker call");
  equal(ws.subscribes().length, 1);
  // A new rate reaches the open stream; reading it costs nothing.
  await replica.control.setFundingRate("BTC", new Decimal("0.0005"));
  let btc = rates[0];
  for (let i = 0; i < 500 && btc.rate.toString() !== "0.0005"; i++) {
    await systemClock.sleep(2);
    [btc] = await adapter.fetchFundingRates({ symbols: ["BTC"] });
  }
  equal(btc.rate.toString(), "0.0005", "the new rate arrives on the stream");
  deepEqual(paths, ["/full/v1/instruments"], "the instruments list is reused");
  equal(ws.subscribes().length, 1, "the subscription is kept between collections");
});

Deno.test("GRVTFundingAdapter on 10 instruments: 1 instruments call, 1 subscription, 0 tickers by REST", async () => {
  await using replica = startGrvtReplica({
    clock: new ManualClock(Date.UTC(2026, 0, 5, 1)),
    instruments: tenInstruments(),
  });
  const paths: string[] = [];
  const ws = countingWebSocket();
  await using adapter = new GRVTFundingAdapter({
    environment: "sim",
    hosts: replica.hosts,
    env: {},
    fetch: counted(paths),
    WebSocket: ws.WebSocket,
  });
  // A collection asks for both, concurrently (funding/collector.ts).
  const [rates, market] = await Promise.all([
    adapter.fetchFundingRates(),
    adapter.fetchMarketData(),
  ]);
  equal(rates.length, 10);
  equal(market.length, 10);
  deepEqual(paths, ["/full/v1/instruments"]);
  equal(ws.sockets.length, 1);
  const subs = ws.subscribes();
  equal(subs.length, 1);
  deepEqual(subs[0].params, {
    stream: "v1.ticker.s",
    selectors: tenInstruments().map((i) => `${i.instrument}@1000`),
  });
  deepEqual(market.map((m) => m.markPrice?.toString()), tenInstruments().map((i) => i.markPrice));
  // Before: 1 instruments call + 10 ticker calls per collection. Now the next one costs nothing.
  await Promise.all([adapter.fetchFundingRates(), adapter.fetchMarketData()]);
  deepEqual(paths, ["/full/v1/instruments"]);
  equal(ws.subscribes().length, 1);
});

Deno.test("GRVTFundingAdapter market data: quote volumes, open interest × mark, spread", async () => {
  await using replica = startGrvtReplica({ clock: new ManualClock(Date.now()) });
  const c = replica.control;
  await c.placeCounterOrder({
    symbol: "BTC",
    side: "sell",
    price: new Decimal("64010"),
    size: new Decimal("1"),
  });
  // The test account buys 0.5 from the counterparty: taker buy volume 0.5 × 64010.
  replica.engine.placeOrder(replica.credentials.tradingAccountId, {
    symbol: "BTC_USDT_Perp",
    side: "buy",
    type: "limit",
    size: "0.5",
    price: "64010",
  });
  await c.placeCounterOrder({
    symbol: "BTC",
    side: "buy",
    price: new Decimal("63990"),
    size: new Decimal("1"),
  });
  const connection = { environment: "sim" as const, hosts: replica.hosts, env: {} };
  await using streamed = new GRVTFundingAdapter(connection);
  await using polled = new GRVTFundingAdapter({ ...connection, tickerSource: "rest" });
  const [btc] = await streamed.fetchMarketData({ symbols: ["BTC"] });
  deepEqual(btc.volume24hUsd?.toString(), "32005");
  deepEqual(btc.openInterestUsd?.toString(), "32000");
  deepEqual([btc.bestBid?.toString(), btc.bestAsk?.toString()], ["63990", "64010"]);
  deepEqual(btc.spreadBps?.toString(), new Decimal(20).div(64000).times(10_000).toString());
  // The stream and REST tickers are the same object (grvt.md §4.1.2, §7.4).
  deepEqual(await streamed.fetchMarketData(), await polled.fetchMarketData());
  deepEqual(await streamed.fetchFundingRates(), await polled.fetchFundingRates());
});

Deno.test("GRVTFundingAdapter falls back to REST tickers when the stream cannot open, and says so", async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 1));
  await using replica = startGrvtReplica({ clock });
  const fault = replica.faults.inject({
    kind: "error",
    frontEnd: "grvt",
    target: "/ws/full",
    status: 503,
  });
  const paths: string[] = [];
  const ws = countingWebSocket();
  await using adapter = new GRVTFundingAdapter({
    environment: "sim",
    hosts: replica.hosts,
    env: {},
    clock,
    fetch: counted(paths),
    WebSocket: ws.WebSocket,
    streamRetryMs: 60_000,
  });
  const first = await logged(() => adapter.fetchFundingRates());
  deepEqual(first.value.map((r) => [r.symbol, r.intervalHours]), [["BTC", 8], ["ETH", 8]]);
  deepEqual(paths.sort(), ["/full/v1/instruments", "/full/v1/ticker", "/full/v1/ticker"]);
  ok(
    first.lines.some((l) =>
      /^warning GRVT tickers: 2 REST ticker call\(s\); the v1.ticker.s stream failed/.test(l)
    ),
    first.lines.join("\n"),
  );
  // Within streamRetryMs the stream is not tried again.
  paths.length = 0;
  const second = await logged(() => adapter.fetchMarketData());
  equal(second.value.length, 2);
  deepEqual(paths, ["/full/v1/ticker", "/full/v1/ticker"]);
  equal(ws.sockets.length, 1);
  equal(replica.faults.rules().find((r) => r.id === fault)?.fired, 1);
  // Later, with the venue healthy again, the stream is back.
  replica.faults.clear(fault);
  await clock.advance(60_000);
  paths.length = 0;
  const third = await logged(() => adapter.fetchFundingRates());
  equal(third.value.length, 2);
  deepEqual(paths, []);
  equal(ws.subscribes().length, 1);
  ok(
    third.lines.includes("info GRVT tickers: 2 from the v1.ticker.s stream, no REST call"),
    third.lines.join("\n"),
  );
});

Deno.test("GRVTFundingAdapter uses REST only for markets the stream has no snapshot of", async () => {
  await using replica = startGrvtReplica();
  // Every ETH ticker frame is lost.
  replica.faults.inject({ kind: "gap", frontEnd: "grvt", target: "v1.ticker.s:ETH_USDT_Perp" });
  const paths: string[] = [];
  await using adapter = new GRVTFundingAdapter({
    environment: "sim",
    hosts: replica.hosts,
    env: {},
    fetch: counted(paths),
    streamWaitMs: 50,
  });
  const { value, lines } = await logged(() => adapter.fetchFundingRates());
  deepEqual(value.map((r) => r.symbol), ["BTC", "ETH"]);
  deepEqual(paths, ["/full/v1/instruments", "/full/v1/ticker"]);
  ok(
    lines.some((l) => l.includes("1 REST ticker call(s)") && l.includes("ETH_USDT_Perp")),
    lines.join("\n"),
  );
});

Deno.test("GRVTFundingAdapter resubscribes all markets in one request after a reconnect", async () => {
  await using replica = startGrvtReplica();
  const paths: string[] = [];
  const ws = countingWebSocket();
  await using adapter = new GRVTFundingAdapter({
    environment: "sim",
    hosts: replica.hosts,
    env: {},
    fetch: counted(paths),
    WebSocket: ws.WebSocket,
    reconnect: { baseDelayMs: 1, maxDelayMs: 5 },
  });
  await adapter.fetchFundingRates();
  await replica.control.dropConnections();
  await replica.control.setFundingRate("ETH", new Decimal("0.0002"));
  await eventually(() => ws.subscribes().length === 2, "resubscribed");
  equal(ws.sockets.length, 2);
  deepEqual(ws.subscribes()[1].params, ws.subscribes()[0].params);
  const rates = await adapter.fetchFundingRates({ symbols: ["ETH"] });
  equal(rates[0].rate.toString(), "0.0002");
  deepEqual(paths, ["/full/v1/instruments"], "no REST ticker call");
});

Deno.test("GRVTFundingAdapter close() releases the socket", async () => {
  await using replica = startGrvtReplica();
  const ws = countingWebSocket();
  const adapter = new GRVTFundingAdapter({
    environment: "sim",
    hosts: replica.hosts,
    env: {},
    WebSocket: ws.WebSocket,
  });
  await adapter.fetchFundingRates();
  equal(ws.sockets[0].readyState, WebSocket.OPEN);
  await adapter.close();
  equal(ws.sockets[0].readyState, WebSocket.CLOSED);
  await adapter.close();
});

Deno.test("GRVTFundingAdapter reads the documented v1.ticker.s frame with REST units", async () => {
  const fixture = async (name: string) =>
    JSON.parse(await Deno.readTextFile(new URL(name, FIXTURES))) as {
      examples: { label: string; value: Record<string, unknown> }[];
    };
  const example = (f: Awaited<ReturnType<typeof fixture>>, label: string) =>
    f.examples.find((e) => e.label === label)!.value;
  const wsFrame = example(await fixture("ws_v1_ticker_s.json"), "Full Feed Response");
  const wsDelta = example(await fixture("ws_v1_ticker_d.json"), "Full Feed Response");
  const rest = example(await fixture("full_v1_ticker.json"), "Full Response");
  const feed = wsFrame.feed as Record<string, unknown>;
  // The stream carries every field the REST ticker has, under the same names.
  deepEqual(Object.keys(feed).sort(), Object.keys(rest.result as object).sort());
  deepEqual(Object.keys(wsDelta.feed as object).sort(), Object.keys(feed).sort());
  deepEqual(tickerSchema.parse(feed), tickerSchema.parse(rest.result));

  // A market-data host that answers one subscribe with the documented frame per selector; the
  // second instrument's frame lacks funding_rate, so it is read by REST instead.
  const subscribes: unknown[] = [];
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.onmessage = (e) => {
      const m = JSON.parse(String(e.data));
      if (m.method !== "subscribe") return;
      subscribes.push(m.params);
      socket.send(JSON.stringify({
        jsonrpc: "2.0",
        id: m.id,
        method: "subscribe",
        result: { stream: m.params.stream, subs: m.params.selectors, unsubs: [] },
      }));
      for (const selector of m.params.selectors as string[]) {
        const instrument = selector.split("@")[0];
        const body: Record<string, unknown> = { ...feed, instrument };
        if (instrument === "ETH_USDT_Perp") delete body.funding_rate;
        socket.send(JSON.stringify({ ...wsFrame, selector, feed: body }));
      }
    };
    return response;
  });
  const url = `http://127.0.0.1:${server.addr.port}`;
  const paths: string[] = [];
  const instrument = (base: string, hash: string) => ({
    instrument: `${base}_USDT_Perp`,
    instrument_hash: hash,
    base,
    quote: "USDT",
    kind: "PERPETUAL",
    base_decimals: 9,
    tick_size: "0.01",
    min_size: "0.01",
    funding_interval_hours: 8,
  });
  await using adapter = new GRVTFundingAdapter({
    environment: "sim",
    hosts: { edgeUrl: url, tradesUrl: url, marketDataUrl: url, chainId: 327 },
    env: {},
    fetch: (input) => {
      const path = new URL(String(input)).pathname;
      paths.push(path);
      return Promise.resolve(Response.json(
        path.endsWith("instruments")
          ? { result: [instrument("BTC", "0x030501"), instrument("ETH", "0x030401")] }
          : { result: { ...rest.result as object, instrument: "ETH_USDT_Perp" } },
      ));
    },
  });
  const [btc, eth] = await adapter.fetchFundingRates();
  equal(subscribes.length, 1);
  // `funding_rate: 0.0003` (a JSON number in the docs) is 0.0003 % per 8 h.
  equal(btc.rate.toString(), "0.000003");
  equal(btc.intervalHours, 8);
  equal(btc.nextFundingTime, 1_697_788_800_000);
  equal(eth.rate.toString(), "0.000003");
  deepEqual(paths, ["/full/v1/instruments", "/full/v1/ticker"]);
  const [m] = await adapter.fetchMarketData({ symbols: ["BTC"] });
  equal(m.volume24hUsd?.toString(), "246913.56");
  equal(m.openInterestUsd?.toString(), new Decimal("123456.78").times("65038.01").toString());
});

Deno.test("GRVTFundingAdapter pages funding history oldest first", async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 1));
  await using replica = startGrvtReplica({ clock });
  await replica.control.setFundingRate("BTC", new Decimal("0.0001"));
  await replica.control.advance(10 * 8 * 3_600_000);
  const paths: string[] = [];
  await using adapter = new GRVTFundingAdapter({
    environment: "sim",
    hosts: replica.hosts,
    env: {},
    pageSize: 3,
    fetch: counted(paths),
  });
  const all = await adapter.fetchFundingHistory("BTC");
  equal(all.length, 10);
  equal(all[0].time, Date.UTC(2026, 0, 1, 8));
  ok(all.every((h, i) => i === 0 || h.time - all[i - 1].time === 8 * 3_600_000));
  deepEqual(new Set(all.map((h) => h.rate.toString())), new Set(["0.0001"]));
  equal(paths.filter((p) => p === "/full/v1/funding").length, 4);
  const last = await adapter.fetchFundingHistory("BTC", { limit: 4 });
  deepEqual(last.map((h) => h.time), all.slice(-4).map((h) => h.time));
  const window = await adapter.fetchFundingHistory("BTC", {
    start: Date.UTC(2026, 0, 2),
    end: Date.UTC(2026, 0, 2, 16),
  });
  deepEqual(window.map((h) => new Date(h.time).getUTCHours()), [0, 8, 16]);
  await rejects(adapter.fetchFundingHistory("DOGE"), NotFoundError);
});

Deno.test("GRVTFundingAdapter: a REST ticker without funding_rate is a MalformedPayloadError naming it", async () => {
  const adapter = new GRVTFundingAdapter({
    environment: "prod",
    env: {},
    tickerSource: "rest",
    fetch: (input) => {
      const path = new URL(String(input)).pathname;
      return Promise.resolve(Response.json(
        path.endsWith("instruments")
          ? {
            result: [{
              instrument: "BTC_USDT_Perp",
              instrument_hash: "0x030501",
              base: "BTC",
              quote: "USDT",
              kind: "PERPETUAL",
              base_decimals: 9,
              tick_size: "0.1",
              min_size: "0.001",
            }],
          }
          : { result: { instrument: "BTC_USDT_Perp", next_funding_time: "1764777600000000000" } },
      ));
    },
  });
  await rejects(adapter.fetchFundingRates(), (e: unknown) => {
    ok(e instanceof MalformedPayloadError);
    equal(e.field, "result.funding_rate");
    equal(e.endpoint, "full/v1/ticker");
    return true;
  });
});

Deno.test("GRVTFundingAdapter refuses a ticker rate the venue does not offer", () => {
  let thrown: unknown;
  try {
    new GRVTFundingAdapter({ environment: "prod", env: {}, tickerRateMs: 250 as 500 });
  } catch (e) {
    thrown = e;
  }
  ok(thrown instanceof Error && /'tickerRateMs' must be 500, 1000 or 5000/.test(thrown.message));
});
