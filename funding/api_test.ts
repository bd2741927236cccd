import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import fc from "fast-check";
import { Decimal, fundingRate } from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { createFundingApi, describeDatabase, type FundingApi } from "./api.ts";
import type { FundingObservation } from "./model.ts";
import { SqliteFundingStore } from "./sqlite_store.ts";
import type { FundingStore } from "./store.ts";

const T0 = Date.UTC(2026, 0, 1, 12);
const H = 3_600_000;

function at(venue: string, symbol: string, rate: string, hours: number, time = T0) {
  const o: FundingObservation = {
    venue,
    symbol,
    venueSymbol: `${symbol}-${venue}`,
    time,
    ...fundingRate({ rate, intervalHours: hours }),
    volume24hUsd: new Decimal("2000000"),
    openInterestUsd: new Decimal("1000000"),
    spreadBps: new Decimal("2"),
  };
  return o;
}

async function setup(
  network = "mainnet",
): Promise<{ store: FundingStore; api: FundingApi; clock: ManualClock }> {
  const clock = new ManualClock(T0);
  const store = await SqliteFundingStore.open(":memory:", { network });
  await store.ensureVenues([
    { venue: "grvt", fees: { maker: new Decimal("-0.0001"), taker: new Decimal("0.00055") } },
  ]);
  const history = Array.from(
    { length: 48 },
    (_, i) => at("grvt", "BTC", i % 2 ? "0.0002" : "-0.0001", 8, T0 - (47 - i) * H),
  );
  await store.saveObservations([
    ...history,
    at("lighter", "BTC", "0.00001", 1),
    at("edgex", "BTC", "0.00004", 4),
    at("lighter", "ETH", "0.00002", 1),
    at("grvt", "ETH", "0.0001", 8),
    at("edgex", "SOL", "0.0001", 4),
  ]);
  await store.saveVenueHealth([
    { venue: "lighter", lastSuccessAt: T0, consecutiveErrors: 0 },
    { venue: "grvt", lastSuccessAt: T0, consecutiveErrors: 0 },
    { venue: "edgex", lastErrorAt: T0, lastError: "HTTP 503", consecutiveErrors: 3 },
  ]);
  const api = createFundingApi({ store, venues: ["lighter", "grvt", "edgex"], clock });
  return { store, api, clock };
}

async function get(api: FundingApi, path: string) {
  const res = await api.app.request(path);
  return { status: res.status, body: await res.json() };
}

Deno.test("GET /api/v1/funding-rates lists every rate with its units", async () => {
  const { store, api } = await setup();
  try {
    const { status, body } = await get(api, "/api/v1/funding-rates");
    equal(status, 200);
    equal(body.count, 6);
    equal(body.data.BTC.edgex.rate, "0.00004");
    equal(body.data.BTC.edgex.interval_hours, 4);
    equal(body.data.BTC.edgex.hourly_rate, "0.00001");
    equal(body.data.BTC.edgex.apr, "0.0876");
    equal(body.data.BTC.edgex.stale, false);
    const one = await get(api, "/api/v1/funding-rates?dex=GRVT&symbol=btc&include_metadata=true");
    deepEqual(Object.keys(one.body.data), ["BTC"]);
    deepEqual(Object.keys(one.body.data.BTC), ["grvt"]);
    equal(one.body.dex_metadata.grvt.maker_fee, "-0.0001");
    equal(one.body.dex_metadata.edgex.is_healthy, false);
    equal((await get(api, "/api/v1/funding-rates?dex=binance")).status, 404);
    equal((await get(api, "/api/v1/funding-rates?symbol=DOGE")).status, 404);
    const bad = await get(api, "/api/v1/funding-rates?include_metadata=yes");
    deepEqual([bad.status, bad.body.parameter], [400, "include_metadata"]);
    const unknown = await get(api, "/api/v1/funding-rates?foo=1");
    deepEqual([unknown.status, unknown.body.parameter], [400, "foo"]);
  } finally {
    await store.close();
  }
});

Deno.test("GET /funding-rates/{dex}, /{dex}/{symbol} and /compare", async () => {
  const { store, api } = await setup();
  try {
    const venue = await get(api, "/api/v1/funding-rates/lighter");
    deepEqual(Object.keys(venue.body.rates), ["BTC", "ETH"]);
    const one = await get(api, "/api/v1/funding-rates/grvt/eth");
    deepEqual([one.body.symbol, one.body.hourly_rate], ["ETH", "0.0000125"]);
    equal((await get(api, "/api/v1/funding-rates/nope")).status, 404);
    equal((await get(api, "/api/v1/funding-rates/grvt/SOL")).status, 404);
    const cmp = await get(api, "/api/v1/funding-rates/compare?symbol=BTC&dex1=lighter&dex2=edgex");
    equal(cmp.status, 200);
    equal(cmp.body.hourly_divergence, "0"); // 0.00001 / h on both
    const cmp2 = await get(api, "/api/v1/funding-rates/compare?symbol=BTC&dex1=grvt&dex2=edgex");
    deepEqual([cmp2.body.long_recommendation, cmp2.body.short_recommendation], ["edgex", "grvt"]);
    equal(cmp2.body.hourly_divergence, "0.000015"); // 0.0002 / 8 − 0.00001
    const missing = await get(api, "/api/v1/funding-rates/compare?symbol=BTC&dex1=grvt");
    deepEqual([missing.status, missing.body.parameter], [400, "dex2"]);
    equal(
      (await get(api, "/api/v1/funding-rates/compare?symbol=BTC&dex1=grvt&dex2=x")).status,
      404,
    );
    equal(
      (await get(api, "/api/v1/funding-rates/compare?symbol=SOL&dex1=grvt&dex2=edgex")).status,
      404,
    );
    equal((await get(api, "/api/v1/funding-rates/grvt?limit=1")).status, 400);
  } finally {
    await store.close();
  }
});

Deno.test("GET history and stats of one series over a period", async () => {
  const { store, api } = await setup();
  try {
    const h = await get(api, "/api/v1/history/funding-rates/grvt/BTC?period=24h");
    equal(h.status, 200);
    equal(h.body.count, 25); // T0 − 24 h … T0 inclusive
    equal(h.body.data_points.at(-1).rate, "0.0002");
    const lim = await get(api, "/api/v1/history/funding-rates/grvt/BTC?period=7d&limit=5");
    equal(lim.body.count, 5);
    const range = await get(
      api,
      `/api/v1/history/funding-rates/grvt/BTC?start=${T0 - 2 * H}&end=${
        new Date(T0).toISOString()
      }`,
    );
    equal(range.body.count, 3);
    const s = await get(api, "/api/v1/stats/funding-rates/grvt/BTC?period=30d");
    equal(s.body.count, 48);
    equal(s.body.min_hourly_rate, "-0.0000125");
    equal(s.body.max_hourly_rate, "0.000025");
    equal(s.body.avg_hourly_rate, "0.00000625");
    equal(s.body.positive_rate_frequency, "0.5");
    for (
      const [path, param] of [
        ["/api/v1/history/funding-rates/grvt/BTC?period=7x", "period"],
        ["/api/v1/history/funding-rates/grvt/BTC?period=400d", "period"],
        ["/api/v1/history/funding-rates/grvt/BTC?limit=0", "limit"],
        ["/api/v1/history/funding-rates/grvt/BTC?start=yesterday", "start"],
        [`/api/v1/history/funding-rates/grvt/BTC?start=${T0}&end=${T0 - 1}`, "start"],
        ["/api/v1/stats/funding-rates/grvt/BTC?period=-1d", "period"],
      ]
    ) {
      const r = await get(api, path);
      deepEqual([r.status, r.body.parameter], [400, param], path);
    }
    equal((await get(api, "/api/v1/history/funding-rates/foo/BTC")).status, 404);
    equal((await get(api, "/api/v1/stats/funding-rates/grvt/DOGE")).status, 404);
  } finally {
    await store.close();
  }
});

Deno.test("GET /opportunities with filters, /best and /symbol/{symbol}", async () => {
  const { store, api } = await setup();
  try {
    const all = await get(api, "/api/v1/opportunities?fee_mode=maker&limit=100");
    equal(all.status, 200);
    equal(all.body.total_count, 3); // BTC: 3 venues but lighter = edgex hourly → 2; ETH: 1
    const top = all.body.opportunities[0];
    ok(new Decimal(top.net_apr).gte(all.body.opportunities[1].net_apr));
    equal(all.body.filters_applied.fee_mode, "maker");
    const eth = await get(api, "/api/v1/opportunities?symbol=eth&hold_hours=48");
    equal(eth.body.opportunities[0].long_dex, "grvt");
    equal(eth.body.opportunities[0].short_dex, "lighter");
    equal(eth.body.opportunities[0].gross_hourly_spread, "0.0000075");
    equal(eth.body.opportunities[0].hold_hours, "48");
    const none = await get(api, "/api/v1/opportunities?min_net_apr=100");
    equal(none.body.total_count, 0);
    const req = await get(api, "/api/v1/opportunities?required_dex=edgex");
    ok(
      req.body.opportunities.every((o: { long_dex: string; short_dex: string }) =>
        o.long_dex === "edgex" || o.short_dex === "edgex"
      ),
    );
    const best = await get(api, "/api/v1/opportunities/best?exclude_dexes=lighter");
    equal(best.body.rank, 1);
    equal(best.body.opportunity.symbol, "BTC");
    const nobest = await get(api, "/api/v1/opportunities/best?symbol=SOL");
    deepEqual([nobest.body.opportunity, nobest.body.rank], [null, null]);
    const sym = await get(api, "/api/v1/opportunities/symbol/BTC?limit=1");
    deepEqual([sym.body.symbol, sym.body.count], ["BTC", 1]);
    equal((await get(api, "/api/v1/opportunities/symbol/DOGE")).status, 404);
    equal((await get(api, "/api/v1/opportunities?symbol=DOGE")).status, 404);
    for (
      const [query, param] of [
        ["limit=0", "limit"],
        ["limit=abc", "limit"],
        ["hold_hours=0", "hold_hours"],
        ["fee_mode=free", "fee_mode"],
        ["min_volume=-5", "min_volume"],
        ["min_oi=10&max_oi=5", "max_oi"],
        ["whitelist_dexes=grvt,binance", "whitelist_dexes"],
        ["required_dex=binance", "required_dex"],
        ["sort_by=luck", "sort_by"],
        ["max_age=0", "max_age"],
        ["min_net_apr=1e5", "min_net_apr"],
        ["limit=1&limit=2", "limit"],
        ["dex=grvt", "dex"],
      ]
    ) {
      const r = await get(api, `/api/v1/opportunities?${query}`);
      deepEqual([r.status, r.body.parameter], [400, param], query);
    }
  } finally {
    await store.close();
  }
});

Deno.test("stale rates are excluded from opportunities and flagged in rates", async () => {
  const { store, api, clock } = await setup();
  try {
    await clock.advance(11 * 60_000);
    api.invalidate();
    equal((await get(api, "/api/v1/opportunities")).body.total_count, 0);
    equal((await get(api, "/api/v1/opportunities?max_age=3600")).body.total_count, 3);
    const r = await get(api, "/api/v1/funding-rates/grvt/BTC");
    deepEqual([r.body.stale, r.body.age_seconds], [true, 660]);
  } finally {
    await store.close();
  }
});

Deno.test("GET /dexes, /dexes/{dex}, /dexes/{dex}/symbols and the health endpoints", async () => {
  const { store, api } = await setup();
  try {
    await store.saveCollectionLogs([{
      runId: "r1",
      venue: "edgex",
      startedAt: T0,
      completedAt: T0 + 5,
      status: "failed",
      symbolsFetched: 0,
      symbolsFailed: 0,
      errorMessage: "HTTP 503",
    }]);
    const dexes = await get(api, "/api/v1/dexes");
    deepEqual(dexes.body.dexes.map((d: { name: string }) => d.name), ["lighter", "grvt", "edgex"]);
    equal(dexes.body.dexes[1].fee_structure.maker_fee, "-0.0001");
    equal(dexes.body.dexes[2].is_healthy, false);
    const one = await get(api, "/api/v1/dexes/edgex");
    deepEqual([one.body.consecutive_errors, one.body.recent_collections[0].status], [3, "failed"]);
    const syms = await get(api, "/api/v1/dexes/lighter/symbols");
    deepEqual(syms.body.symbols.map((s: { dex_symbol_format: string }) => s.dex_symbol_format), [
      "BTC-lighter",
      "ETH-lighter",
    ]);
    equal((await get(api, "/api/v1/dexes/ftx")).status, 404);
    const health = await get(api, "/api/v1/health");
    deepEqual([health.status, health.body.status], [200, "degraded"]);
    deepEqual(health.body.dex_summary, { total: 3, healthy: 2 });
    const db = await get(api, "/api/v1/health/database");
    deepEqual([db.body.connected, db.body.statistics.latest_rates], [true, 6]);
    const dex = await get(api, "/api/v1/health/dex/edgex");
    deepEqual([dex.body.status, dex.body.last_error], ["unhealthy", "HTTP 503"]);
    equal((await get(api, "/api/v1/health/dex/kraken")).status, 404);
    equal((await get(api, "/api/v1/health?verbose=1")).status, 400);
    const doc = await get(api, "/api/v1/openapi.json");
    ok(
      doc.body.paths["/opportunities"].get.parameters.some((p: { name: string }) =>
        p.name === "min_net_apr"
      ),
    );
    equal((await get(api, "/api/v1/nothing")).status, 404);
    equal((await get(api, "/ping")).body.status, "ok");
  } finally {
    await store.close();
  }
});

Deno.test("a closed database is a 503, never a 500", async () => {
  const { store, api } = await setup();
  await store.close();
  api.invalidate();
  for (const path of ["/api/v1/funding-rates", "/api/v1/opportunities", "/api/v1/health"]) {
    equal((await get(api, path)).status, 503, path);
  }
  equal((await get(api, "/api/v1/health/database")).body.connected, false);
});

Deno.test("no input produces a 500 (property test over every endpoint)", async () => {
  const { store, api } = await setup();
  try {
    const paths = [
      "/api/v1/funding-rates",
      "/api/v1/funding-rates/compare",
      "/api/v1/funding-rates/grvt",
      "/api/v1/funding-rates/grvt/BTC",
      "/api/v1/history/funding-rates/grvt/BTC",
      "/api/v1/stats/funding-rates/grvt/BTC",
      "/api/v1/opportunities",
      "/api/v1/opportunities/best",
      "/api/v1/opportunities/symbol/BTC",
      "/api/v1/dexes",
      "/api/v1/dexes/grvt",
      "/api/v1/dexes/grvt/symbols",
      "/api/v1/health",
      "/api/v1/health/dex/grvt",
    ];
    const names = [
      "dex",
      "symbol",
      "dex1",
      "dex2",
      "limit",
      "period",
      "start",
      "end",
      "hold_hours",
      "fee_mode",
      "min_volume",
      "min_oi",
      "max_oi",
      "max_spread",
      "whitelist_dexes",
      "exclude_dexes",
      "required_dex",
      "min_net_apr",
      "max_age",
      "sort_by",
      "include_metadata",
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.array(fc.tuple(fc.constantFrom(...names), fc.string({ maxLength: 12 })), {
          maxLength: 4,
        }),
        fc.string({ maxLength: 8 }),
        async (path, params, segment) => {
          const q = new URLSearchParams(params).toString();
          const p = segment ? path.replace("grvt", encodeURIComponent(segment)) : path;
          const res = await api.app.request(`${p}?${q}`);
          await res.body?.cancel();
          return res.status !== 500;
        },
      ),
      { numRuns: 400, seed: 8 },
    );
  } finally {
    await store.close();
  }
});

Deno.test("the API answers over a real socket", async () => {
  const { store, api } = await setup();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, api.fetch);
  try {
    const base = `http://127.0.0.1:${server.addr.port}/api/v1`;
    const ok200 = await fetch(`${base}/opportunities?limit=2`);
    equal(ok200.status, 200);
    equal(ok200.headers.get("content-type")?.startsWith("application/json"), true);
    equal((await ok200.json()).opportunities.length, 2);
    const bad = await fetch(`${base}/opportunities?limit=x`);
    deepEqual([bad.status, (await bad.json()).parameter], [400, "limit"]);
    const missing = await fetch(`${base}/funding-rates/nowhere`);
    equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await server.shutdown();
    await store.close();
  }
});

Deno.test("the dashboard is served at / and the service info moved to /api/v1", async () => {
  const { store } = await setup("sim");
  try {
    const api = createFundingApi({
      store,
      venues: ["lighter", "grvt", "edgex"],
      clock: new ManualClock(T0),
      storeLocation: "app@db.local:5433/funding",
    });
    for (const path of ["/", "/opportunities", "/history?symbol=BTC", "/health"]) {
      const res = await api.app.request(path);
      equal(res.status, 200, path);
      ok(res.headers.get("content-type")!.startsWith("text/html"), path);
      const html = await res.text();
      ok(html.includes("SIMULATED DATA"), `${path} labelled simulated`);
    }
    const grid = await (await api.app.request("/")).text();
    ok(grid.includes('data-venue="edgex" data-apr="0.0876" data-hourly-rate="0.00001"'));
    ok(grid.includes("8.76 % <abbr"));
    const health = await (await api.app.request("/health")).text();
    ok(health.includes("app@db.local:5433/funding"));
    const info = await get(api, "/api/v1");
    deepEqual([info.body.network, info.body.dashboard], ["sim", "/"]);
    const css = await api.app.request("/assets/dashboard.css");
    equal(css.headers.get("content-type"), "text/css; charset=utf-8");
    // The banner follows the data's network: a mainnet store's pages carry none.
    const { store: real } = await setup("mainnet");
    const plain = createFundingApi({ store: real, venues: ["grvt"] });
    ok(!(await (await plain.app.request("/")).text()).includes("SIMULATED"));
    equal((await get(plain, "/api/v1/funding-rates")).body.network, "mainnet");
    await real.close();
  } finally {
    await store.close();
  }
});

Deno.test("pages and endpoints are read-only; a token is required when set", async () => {
  const { store } = await setup();
  try {
    const api = createFundingApi({ store, venues: ["grvt"], token: "tok-123" });
    equal((await api.app.request("/api/v1/health")).status, 401);
    equal((await api.app.request("/")).status, 401);
    const bearer = { headers: { authorization: "Bearer tok-123" } };
    equal((await api.app.request("/api/v1/dexes", bearer)).status, 200);
    equal((await api.app.request("/", bearer)).status, 200);
    equal(
      (await api.app.request("/api/v1/dexes", { headers: { authorization: "Bearer no" } }))
        .status,
      401,
    );
    const link = await api.app.request("/opportunities?token=tok-123&hold_hours=8");
    equal(link.status, 303);
    equal(link.headers.get("location"), "/opportunities?hold_hours=8");
    ok(link.headers.get("set-cookie")!.startsWith("perp_token=tok-123; HttpOnly"));
    equal((await api.app.request("/", { headers: { cookie: "perp_token=tok-123" } })).status, 200);
    const open = createFundingApi({ store, venues: ["grvt"] });
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const res = await open.app.request("/api/v1/funding-rates", { method });
      equal(res.status, 405, method);
      equal(res.headers.get("allow"), "GET, HEAD");
    }
  } finally {
    await store.close();
  }
});

Deno.test("describeDatabase never shows a password", () => {
  equal(
    describeDatabase({
      kind: "postgres",
      url: "postgres://u:pw%40x@h.example:6432/db?sslmode=require",
    }),
    "u@h.example:6432/db",
  );
  equal(describeDatabase({ kind: "postgres", url: "postgresql://h/db" }), "h/db");
  equal(
    describeDatabase({ kind: "sqlite", path: "/var/lib/perp/funding.db" }),
    "/var/lib/perp/funding.db",
  );
});

Deno.test("GET /api/v1/history/chart averages down to the requested points", async () => {
  const { store, api } = await setup();
  try {
    // GRVT BTC: 48 hourly points ending at T0, alternating -0.0001 / 0.0002 per 8 h.
    const c = await get(
      api,
      "/api/v1/history/chart/btc?period=24h&points=6&dex1=lighter&dex2=grvt",
    );
    equal(c.status, 200);
    equal(c.body.venues.grvt.observations, 25);
    equal(c.body.venues.grvt.hourly_rate.length, 6);
    // First bucket (T0-24h … T0-20h): hours 23..20 before T0 → i = 24..27 → 4 values
    // (-0.0001, 0.0002, -0.0001, 0.0002)/8 per hour → mean 0.00000625.
    ok(Math.abs(c.body.venues.grvt.hourly_rate[0][1] - 0.00000625) < 1e-15);
    // Cumulative short over 24 h: 12 hours at 0.000025 and 12 at -0.0000125 → 0.000150.
    const short = c.body.venues.grvt.cumulative_short;
    ok(Math.abs(short[short.length - 1][1] - 0.00015) < 1e-12, String(short.at(-1)));
    equal(c.body.venues.grvt.cumulative_long.at(-1)[1], -short.at(-1)[1]);
    deepEqual(c.body.spread.points.length, 1);
    const bad = await get(api, "/api/v1/history/chart/BTC?dex1=grvt");
    deepEqual([bad.status, bad.body.parameter], [400, "dex2"]);
    equal((await get(api, "/api/v1/history/chart/BTC?period=2y")).status, 400);
    equal((await get(api, "/api/v1/history/chart/DOGE")).status, 404);
  } finally {
    await store.close();
  }
});

Deno.test("opportunities carry a 7-day stability score on request", async () => {
  const { store, api } = await setup();
  try {
    const r = await get(api, "/api/v1/opportunities?symbol=BTC&include_stability=true&limit=5");
    equal(r.status, 200);
    const grvtShort = r.body.opportunities.find((o: { short_dex: string; long_dex: string }) =>
      o.short_dex === "grvt" && o.long_dex === "lighter"
    );
    // Only the hour of T0 has both legs: grvt 0.000025/h > lighter 0.00001/h.
    deepEqual(
      [grvtShort.stability_7d.hours, grvtShort.stability_7d.paid_share],
      [1, 1],
    );
    const without = await get(api, "/api/v1/opportunities?symbol=BTC");
    equal(without.body.opportunities[0].stability_7d, undefined);
  } finally {
    await store.close();
  }
});

Deno.test("GET /api/v1/health reports latency, failures in 24 h, data age and the store", async () => {
  const { store } = await setup("sim");
  try {
    await store.saveCollectionLogs([
      {
        runId: "a",
        venue: "edgex",
        startedAt: T0 - 30 * H,
        completedAt: T0 - 30 * H + 500,
        status: "failed",
        symbolsFetched: 0,
        symbolsFailed: 0,
      },
      {
        runId: "b",
        venue: "edgex",
        startedAt: T0 - 2 * H,
        completedAt: T0 - 2 * H + 700,
        status: "failed",
        symbolsFetched: 0,
        symbolsFailed: 0,
      },
      {
        runId: "c",
        venue: "grvt",
        startedAt: T0 - 60_000,
        completedAt: T0 - 59_000,
        status: "success",
        symbolsFetched: 2,
        symbolsFailed: 0,
      },
    ]);
    const api = createFundingApi({
      store,
      venues: ["lighter", "grvt", "edgex"],
      clock: new ManualClock(T0 + 120_000),
      storeLocation: "data/funding.db",
    });
    const h = await get(api, "/api/v1/health");
    deepEqual(h.body.database, { connected: true, kind: "sqlite", location: "data/funding.db" });
    equal(h.body.network, "sim");
    const edgex = h.body.dex_health.find((d: { dex_name: string }) => d.dex_name === "edgex");
    deepEqual(
      [edgex.failures_24h, edgex.last_collection.status, edgex.last_collection.duration_ms],
      [1, "failed", 700],
    );
    const grvt = h.body.dex_health.find((d: { dex_name: string }) => d.dex_name === "grvt");
    equal(grvt.data_age_seconds, 120);
    equal(grvt.failures_24h, 0);
  } finally {
    await store.close();
  }
});

Deno.test("serve refuses a non-loopback host without a token", async () => {
  const { runFundingCommand, isLoopbackHost } = await import("./run.ts");
  deepEqual(
    ["127.0.0.1", "localhost", "::1", "[::1]", "0.0.0.0", "192.168.1.5", "::"].map(isLoopbackHost),
    [true, true, true, true, false, false, false],
  );
  await assertRejectsWith(
    () =>
      runFundingCommand(
        {
          mode: "serve",
          interval: 60,
          exchanges: ["grvt"],
          network: "sim",
          database: { kind: "sqlite", path: ":memory:" },
          json: false,
          port: 0,
          holdHours: "24",
          host: "0.0.0.0",
        },
        { stdout: () => {}, stderr: () => {} },
        {
          signal: AbortSignal.timeout(2_000),
          openSources: () =>
            Promise.resolve({
              sources: [],
              close: () => Promise.resolve(),
              [Symbol.asyncDispose]: () => Promise.resolve(),
            }),
        },
      ),
    /requires a bearer token/,
  );
});

async function assertRejectsWith(fn: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await fn();
  } catch (error) {
    ok(pattern.test(String(error)), String(error));
    return;
  }
  throw new Error("expected a rejection");
}
