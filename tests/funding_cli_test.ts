// `deno task funding` end to end: the command line in-process against the simulated venues.
import { deepStrictEqual as deepEqual, match, ok, strictEqual as equal } from "node:assert/strict";
import { main } from "../cli.ts";
import { runFundingCommand } from "../funding/run.ts";
import { SqliteFundingStore } from "../funding/sqlite_store.ts";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) },
    out: () => out.join(""),
    err: () => err.join(""),
  };
}

Deno.test({
  name: "funding --once --network sim stores every venue and prints rates and opportunities",
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const db = `${dir}/data/funding.db`;
      const c = capture();
      const code = await main(["funding", "--once", "--network", "sim", "--db", db], c.io);
      equal(code, 0, c.err());
      for (const venue of ["lighter", "grvt", "edgex"]) {
        match(c.err(), new RegExp(`${venue}: collecting`));
        match(c.err(), new RegExp(`${venue}: [1-9]\\d* rates \\([1-9]\\d* new\\)`));
      }
      match(c.out(), /Top funding rates by \|APR\|/);
      match(c.out(), /Top opportunities \(hourly rates; taker fees amortised over 24 h\)/);
      await using store = await SqliteFundingStore.open(db);
      const latest = await store.latestRates();
      deepEqual([...new Set(latest.map((r) => r.venue))].sort(), ["edgex", "grvt", "lighter"]);
      equal((await store.collectionLogs()).length, 3);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "funding --once --json prints machine output with rates in explicit units",
  sanitizeResources: false,
  fn: async () => {
    const c = capture();
    const code = await main([
      "funding",
      "--once",
      "--json",
      "--network",
      "sim",
      "--exchanges",
      "grvt,edgex",
      "--db",
      ":memory:",
      "--hold-hours",
      "72",
    ], c.io);
    equal(code, 0, c.err());
    const body = JSON.parse(c.out());
    deepEqual(body.venues.map((v: { venue: string }) => v.venue), ["grvt", "edgex"]);
    const btc = body.rates.find((r: { venue: string; symbol: string }) =>
      r.venue === "grvt" && r.symbol === "BTC"
    );
    deepEqual([btc.rate, btc.interval_hours, btc.hourly_rate], ["0.0003", 8, "0.0000375"]);
    ok(body.opportunities.length > 0);
    equal(body.opportunities[0].hold_hours, "72");
  },
});

Deno.test("--once exits 1 only when every venue failed", async () => {
  const config = {
    mode: "once" as const,
    interval: 60,
    exchanges: ["lighter", "grvt"],
    network: "mainnet" as const,
    database: { kind: "sqlite" as const, path: ":memory:" },
    json: false,
    port: 0,
    holdHours: "24",
  };
  const none = capture();
  const code = await runFundingCommand(config, none.io, {
    openSources: (venues) => {
      const close = () => Promise.resolve();
      return Promise.resolve({
        sources: venues.map((venue) => ({ venue, unavailable: `${venue} adapter missing` })),
        close,
        [Symbol.asyncDispose]: close,
      });
    },
  });
  equal(code, 1);
  match(none.err(), /every venue failed/);
  match(none.out(), /lighter adapter missing/);
});

Deno.test({
  name: "funding serve collects on a schedule and serves the API on a socket",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const stop = new AbortController();
    const c = capture();
    let base = "";
    const listening = Promise.withResolvers<void>();
    const done = runFundingCommand(
      {
        mode: "serve",
        interval: 3600,
        exchanges: ["lighter", "grvt", "edgex"],
        network: "sim",
        database: { kind: "sqlite", path: ":memory:" },
        json: false,
        port: 0,
        holdHours: "24",
      },
      c.io,
      {
        signal: stop.signal,
        onListen: (url) => {
          base = url;
          listening.resolve();
        },
      },
    );
    try {
      await listening.promise;
      // The first collection runs at start; wait for its three venues.
      for (let i = 0; i < 200 && (c.err().match(/ rates \(/g) ?? []).length < 3; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const res = await fetch(`${base}/api/v1/opportunities?limit=3`);
      equal(res.status, 200);
      equal((await res.json()).opportunities.length, 3);
      const health = await (await fetch(`${base}/api/v1/health`)).json();
      equal(health.status, "healthy");
      equal(health.collector.interval_seconds, 3600);
    } finally {
      stop.abort();
      equal(await done, 0);
    }
  },
});
