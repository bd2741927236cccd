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
      const code = await main([
        "funding",
        "--once",
        "--network",
        "sim",
        "--exchanges",
        "lighter,grvt,edgex",
        "--db",
        db,
      ], c.io);
      equal(code, 0, c.err());
      for (const venue of ["lighter", "grvt", "edgex"]) {
        match(c.err(), new RegExp(`${venue}: collecting`));
        match(c.err(), new RegExp(`${venue}: [1-9]\\d* rates \\([1-9]\\d* new\\)`));
      }
      match(c.out(), /Top funding rates by \|APR\|/);
      match(c.out(), /Top opportunities \(hourly rates; taker fees amortised over 24 h\)/);
      await using store = await SqliteFundingStore.open(db, { network: "sim" });
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

// ---------------------------------------------------------------------------------------------
// As a user runs it: `deno task funding …` in a process, with the task's own permissions.

const ROOT = new URL("..", import.meta.url).pathname;
const CLI = `${ROOT}cli.ts`;
// Real venues made unreachable (connection refused at once): a real-mode run offline.
const UNREACHABLE = "http://127.0.0.1:9";
const OFFLINE_ENV = {
  LIGHTER_REST_URL: UNREACHABLE,
  LIGHTER_WS_URL: "ws://127.0.0.1:9",
  GRVT_EDGE_URL: UNREACHABLE,
  GRVT_TRADES_URL: UNREACHABLE,
  GRVT_MARKET_DATA_URL: UNREACHABLE,
  EDGEX_REST_URL: UNREACHABLE,
  HYPERLIQUID_API_URL: UNREACHABLE,
};

/** The permission flags of the `funding` task in deno.json. */
async function taskFlags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const words: string[] = config.tasks.funding.split(/\s+/);
  return words.filter((w) => w.startsWith("--allow-"));
}

async function funding(
  args: string[],
  options: { cwd: string; flags?: string[]; env?: Record<string, string> },
): Promise<{ code: number; out: string; err: string }> {
  const flags = options.flags ?? await taskFlags();
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--config", `${ROOT}deno.json`, ...flags, CLI, "funding", ...args],
    cwd: options.cwd,
    env: { NO_COLOR: "1", DATABASE_URL: "", ...options.env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, out: decode(stdout), err: decode(stderr) };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name:
    "a --network sim run never shows up in a real-mode read (own default file, and one shared --db)",
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "funding_sim_real_" });
    try {
      const venues = ["--exchanges", "lighter,grvt,edgex"];
      const sim = await funding(["--once", "--network", "sim", "--json", ...venues], { cwd: dir });
      equal(sim.code, 0, sim.err);
      const simBody = JSON.parse(sim.out);
      deepEqual([simBody.network, simBody.simulated], ["sim", true]);
      ok(simBody.opportunities.length > 0, "the sim run found opportunities");
      ok(await exists(`${dir}/data/funding-sim.db`), "sim writes its own file");
      equal(await exists(`${dir}/data/funding.db`), false, "the real file is untouched");

      const real = await funding(["--once", "--json", ...venues], { cwd: dir, env: OFFLINE_ENV });
      equal(real.code, 1, real.err); // every real venue unreachable
      const realBody = JSON.parse(real.out);
      deepEqual([realBody.network, realBody.simulated], ["mainnet", false]);
      deepEqual([realBody.rates, realBody.opportunities], [[], []]);

      // One file given to both: the network column keeps them apart.
      const shared = ["--db", `${dir}/shared.db`, ...venues];
      equal((await funding(["--once", "--network", "sim", ...shared], { cwd: dir })).code, 0);
      const mixed = await funding(["--once", "--json", ...shared], { cwd: dir, env: OFFLINE_ENV });
      const mixedBody = JSON.parse(mixed.out);
      deepEqual([mixedBody.network, mixedBody.rates, mixedBody.opportunities], ["mainnet", [], []]);
      const table = await funding(["--once", ...shared], { cwd: dir, env: OFFLINE_ENV });
      equal(table.out.includes("Top opportunities"), true, table.out);
      equal(
        /^(BTC|ETH|SOL)\s+(lighter|grvt|edgex)\s/m.test(table.out),
        false,
        `no simulated row:\n${table.out}`,
      );
      await using store = await SqliteFundingStore.open(`${dir}/shared.db`, { network: "sim" });
      ok((await store.latestRates()).length > 0, "the sim rows are still there, as sim");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "infrastructure errors name the database, the file or the port, and say what to do",
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "funding_errors_" });
    const held = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const free = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const closedPort = (free.addr as Deno.NetAddr).port;
      free.close();
      const pg = await funding([
        "--once",
        "--exchanges",
        "grvt",
        "--db",
        `postgres://perp:s3cret-pw@127.0.0.1:${closedPort}/funding`,
      ], { cwd: dir, env: OFFLINE_ENV });
      equal(pg.code, 1, pg.err);
      match(
        pg.err,
        new RegExp(
          `^error: cannot connect to the PostgreSQL funding store postgres://perp:\\*\\*\\*@127\\.0\\.0\\.1:${closedPort}/funding: .*is PostgreSQL running`,
          "m",
        ),
      );
      equal(pg.err.includes("s3cret-pw"), false, "the password is masked");

      const junk = `${dir}/data/notes.db`;
      await Deno.mkdir(`${dir}/data`);
      await Deno.writeTextFile(junk, "these are my notes, not a database\n".repeat(200));
      const notDb = await funding([
        "--once",
        "--network",
        "sim",
        "--exchanges",
        "grvt",
        "--db",
        junk,
      ], {
        cwd: dir,
      });
      equal(notDb.code, 1, notDb.err);
      match(
        notDb.err,
        new RegExp(
          `^error: cannot open the SQLite funding store ${junk}: .*not a SQLite database`,
          "m",
        ),
      );

      const port = (held.addr as Deno.NetAddr).port;
      const busy = await funding(
        [
          "serve",
          "--network",
          "sim",
          "--exchanges",
          "grvt",
          "--db",
          ":memory:",
          "--port",
          String(port),
        ],
        { cwd: dir },
      );
      equal(busy.code, 1, busy.err);
      match(
        busy.err,
        new RegExp(
          `^error: cannot serve on 127\\.0\\.0\\.1:${port}: the port is already in use.*--port`,
          "m",
        ),
      );

      // A --db outside data/ works with the task's permissions …
      const elsewhere = `${dir}/elsewhere/rates.db`;
      const outside = await funding(
        ["--once", "--network", "sim", "--exchanges", "grvt", "--db", elsewhere],
        { cwd: dir },
      );
      equal(outside.code, 0, outside.err);
      ok(await exists(elsewhere));
      // … and without write permission there, the message names the path and the flag.
      const narrow = await funding(
        ["--once", "--network", "sim", "--exchanges", "grvt", "--db", `${dir}/other/rates.db`],
        {
          cwd: dir,
          flags: ["--allow-net", "--allow-env", "--allow-read", `--allow-write=${dir}/data`],
        },
      );
      equal(narrow.code, 1, narrow.err);
      match(
        narrow.err,
        new RegExp(
          `^error: cannot open the SQLite funding store ${dir}/other/rates\\.db: .*--allow-write`,
          "m",
        ),
      );
    } finally {
      held.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("--network sim defaults to its own file; serve --bot takes status-server addresses", async () => {
  const { parseFundingArgs } = await import("../cli.ts");
  const env = () => undefined;
  deepEqual(parseFundingArgs(["--once", "--network", "sim"], { env }).database, {
    kind: "sqlite",
    path: "data/funding-sim.db",
  });
  deepEqual(parseFundingArgs(["--once"], { env }).database, {
    kind: "sqlite",
    path: "data/funding.db",
  });
  deepEqual(
    parseFundingArgs(["serve", "--bot", "http://127.0.0.1:8101, http://127.0.0.1:8102"], { env })
      .bots,
    ["http://127.0.0.1:8101", "http://127.0.0.1:8102"],
  );
  const c = capture();
  equal(await main(["funding", "--once", "--bot", "http://127.0.0.1:8101"], c.io), 2);
  match(c.err(), /^error: --bot only applies to serve/);
  const bad = capture();
  equal(await main(["funding", "serve", "--bot", "ftp://127.0.0.1:8101"], bad.io), 2);
  match(bad.err(), /^error: --bot must be http:\/\/ addresses/);
});
