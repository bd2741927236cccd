// The funding-arbitrage bot on a live network (`--network mainnet`), offline: each venue's
// protocol replica plays the venue, and the bot reaches it only through the host and credential
// variables a trader would set (LIGHTER_REST_URL, GRVT_MARKET_DATA_URL, LIGHTER_API_KEY_…,
// GRVT_API_KEY, …), so it runs the venues' real clients and real funding adapters. Figures: flat
// BTC market, mark 64 000, liquidity 63 999.8 / 64 000.2 (0.5 a level), tick 0.1, 640 of
// notional = 0.01 BTC; Lighter −0.0001 per hour (the long receives), GRVT 0.0024 per 8 h =
// 0.0003 per hour (the short receives).
import { LoopbackDriver } from "./bot_loopback_driver.ts";
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { parseBotArgs } from "../cli.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { SqliteFundingStore } from "../funding/sqlite_store.ts";
import { type SimVenue, startSimVenue } from "../sim/network.ts";
import { runBot } from "../strategies/bot.ts";
import { runFundingArbBot } from "../strategies/funding_arb_bot.ts";

const M = 60_000;
const T0 = Date.UTC(2026, 0, 1, 8, 10); // Lighter settles at 09:00, GRVT at 16:00

interface World {
  clock: ManualClock;
  driver: LoopbackDriver;
  lighter: SimVenue;
  grvt: SimVenue;
  /** The variables a trader would set: hosts and credentials of both "venues". */
  env: Record<string, string>;
  until<T>(p: Promise<T>, ms: number): Promise<T>;
  close(): Promise<void>;
}

/**
 * Lighter and GRVT replicas on one virtual clock, standing in for the real venues; the BTC
 * price stays flat unless `volatilityBps` moves it.
 */
async function replicasAsVenues(
  { volatilityBps = "0", start = T0, lighterRate = "-0.0001" } = {},
): Promise<World> {
  const clock = new ManualClock(start);
  const driver = new LoopbackDriver(clock);
  const open = (venue: "lighter" | "grvt", seed: number) =>
    startSimVenue(venue, { clock, protocol: "replica", seed, volatilityBps });
  const lighter = await open("lighter", 1);
  const grvt = await open("grvt", 2);
  lighter.control.scriptFunding(lighter.engineSymbol("BTC"), lighterRate);
  grvt.control.scriptFunding(grvt.engineSymbol("BTC"), "0.0024");
  // Only what a trader's env file would hold (no GRVT_ENVIRONMENT, no control URLs).
  const keep =
    /^(LIGHTER|GRVT)_(REST|WS|EDGE|TRADES|MARKET_DATA)_URL$|_CHAIN_ID$|_KEY|_INDEX$|_ID$/;
  const env = Object.fromEntries(
    Object.entries({ ...lighter.endpoints, ...grvt.endpoints }).filter(([n]) =>
      keep.test(n) && !n.endsWith("_CONTROL_URL")
    ),
  );
  return {
    clock,
    driver,
    lighter,
    grvt,
    env,
    async until<T>(p: Promise<T>, ms: number): Promise<T> {
      let done = false;
      const watched = p.finally(() => done = true);
      for (let t = 0; t < ms && !done; t += 250) await driver.advance(250, 250);
      return await watched;
    },
    async close() {
      await lighter.close();
      await grvt.close();
    },
  };
}

/** Size of the test account's BTC position on a replica (engine truth). */
function size(v: SimVenue): string {
  return v.engine.position(v.accountId, v.engineSymbol("BTC")).size;
}

function arbArgs(network: string, ...extra: string[]) {
  return parseBotArgs([
    "--strategy",
    "funding-arbitrage",
    "--venues",
    "lighter,grvt",
    "--network",
    network,
    "--db",
    ":memory:",
    "--notional",
    "640",
    "--min-net-apr",
    "0.5",
    ...extra,
  ]);
}

Deno.test("funding arb on --network mainnet against replicas posing as Lighter and GRVT: the real clients start, price the pair, enter the scripted spread and close both legs on stop", async () => {
  const world = await replicasAsVenues();
  const { lighter, grvt } = world;
  const stop = new AbortController();
  const errors: string[] = [];
  const actions: string[] = [];
  let started: string[] = [];
  const config = arbArgs("mainnet", "--cancel-on-exit");
  equal(config.network, "mainnet");
  try {
    const done = runFundingArbBot({
      ...config.arb,
      venues: config.venues,
      network: config.network,
      dryRun: false,
      cancelOnExit: config.cancelOnExit,
    }, {
      io: { stdout: () => {}, stderr: (t) => void errors.push(t) },
      env: (n) => world.env[n],
      clock: world.clock,
      signal: stop.signal,
      logDir: null,
      configureLogging: false,
      installSignalHandlers: false,
      onAction: (line) => {
        actions.push(line);
        if (Deno.env.get("ARB_DEBUG")) console.log(new Date(world.clock.now()).toISOString(), line);
      },
      onStarted: (_, venues) => {
        started = venues.map((v) => `${v.name}:${v.client.constructor.name}`);
      },
    });
    // The maker leg rests on Lighter one tick above the best bid (63 999.8 + 0.1).
    let order;
    for (let i = 0; i < 240 && !order; i++) {
      await world.driver.advance(250, 250);
      order = lighter.engine.openOrders(lighter.accountId)[0];
    }
    deepEqual(started, ["lighter:LighterClient", "grvt:GRVTClient"], errors.join(""));
    equal(order?.price, "63999.9", actions.join("\n") + errors.join(""));
    equal(order?.side, "buy");
    // Priced by the gate from the real adapters' rates: (0.0001 + 0.0003) × 24 h × 640 = 6.144
    // of funding; fees 640 × GRVT taker 0.00055 × 2 = 0.704 (Lighter charges none).
    const enter = actions.find((l) => l.startsWith("[arb] enter "));
    ok(enter?.includes("long lighter short grvt 0.01 BTC"), actions.join("\n"));
    ok(/funding 6\.1440, fees 0\.7040/.test(enter!), enter);
    // A counter-order at the replica fills the maker order; the hedge follows on GRVT.
    lighter.control.fillOrder(lighter.accountId, { clientOrderId: order!.clientOrderId });
    for (let i = 0; i < 240 && size(grvt) === "0"; i++) await world.driver.advance(250, 250);
    deepEqual([size(lighter), size(grvt)], ["0.01", "-0.01"], actions.join("\n"));

    stop.abort();
    equal(await world.until(done, 5 * M), 0, errors.join(""));
    // --cancel-on-exit: both legs closed at the venues, nothing left resting.
    deepEqual([size(lighter), size(grvt)], ["0", "0"], actions.join("\n"));
    equal(
      lighter.engine.openOrders(lighter.accountId).length +
        grvt.engine.openOrders(grvt.accountId).length,
      0,
    );
  } finally {
    stop.abort();
    await world.close();
  }
});

Deno.test("funding arb --paper on --network mainnet wraps each real client in a paper account: priced, nothing sent to the venues, positions kept apart from real ones", async () => {
  // A moving market: the paper account reads the venue's streamed book, which a flat market
  // leaves silent (stale).
  const world = await replicasAsVenues({ volatilityBps: "1" });
  const dir = await Deno.makeTempDir();
  const db = `${dir}/funding.db`;
  const { lighter, grvt } = world;
  const stop = new AbortController();
  const errors: string[] = [];
  const actions: string[] = [];
  let started: string[] = [];
  const config = arbArgs("mainnet", "--paper", "--db", db);
  try {
    const done = runFundingArbBot({
      ...config.arb,
      venues: config.venues,
      network: config.network,
      paper: config.paper,
      dryRun: false,
      cancelOnExit: false,
    }, {
      io: { stdout: () => {}, stderr: (t) => void errors.push(t) },
      env: (n) => world.env[n],
      clock: world.clock,
      signal: stop.signal,
      logDir: null,
      configureLogging: false,
      installSignalHandlers: false,
      onAction: (line) => {
        actions.push(line);
        if (Deno.env.get("ARB_DEBUG")) console.log(new Date(world.clock.now()).toISOString(), line);
      },
      onStarted: (_, venues) => {
        started = venues.map((v) => `${v.name}:${v.client.constructor.name}`);
      },
    });
    for (let i = 0; i < 1200 && !actions.some((l) => l.startsWith("[arb] enter ")); i++) {
      await world.driver.advance(250, 250);
    }
    deepEqual(started, ["lighter:PaperTradingClient", "grvt:PaperTradingClient"], errors.join(""));
    ok(actions.some((l) => l.startsWith("[arb] enter ")), actions.join("\n"));
    await world.driver.advance(M, 250);
    // The replicas (the "venues") never saw an order of the account.
    equal(lighter.engine.openOrders(lighter.accountId).length, 0);
    equal(grvt.engine.openOrders(grvt.accountId).length, 0);
    deepEqual([size(lighter), size(grvt)], ["0", "0"]);
    stop.abort();
    equal(await world.until(done, 5 * M), 0, errors.join(""));
    // The paper arbitrage is stored under mainnet-paper; a real mainnet run reads none of it.
    const counts: number[] = [];
    for (const network of ["mainnet-paper", "mainnet"]) {
      const store = await SqliteFundingStore.open(db, { network });
      counts.push((await store.arbPositions()).length);
      await store.close();
    }
    deepEqual(counts, [1, 0]);
  } finally {
    stop.abort();
    await world.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("funding arb on --network mainnet dates settlements on the bot's clock: no entry 5 minutes before a Lighter settlement that charges the long", async () => {
  // 08:55, Lighter +0.0001 per hour: the long on Lighter would pay at 09:00. The pair still
  // clears the APR minimum ((0.0003 − 0.0001) × 24 × 640 = 3.072 of funding, fees 0.704), so
  // only the 10-minute settlement window keeps it out.
  const world = await replicasAsVenues({
    start: Date.UTC(2026, 0, 1, 8, 55),
    lighterRate: "0.0001",
  });
  const stop = new AbortController();
  const errors: string[] = [];
  const actions: string[] = [];
  const config = arbArgs("mainnet");
  try {
    const done = runFundingArbBot({
      ...config.arb,
      venues: config.venues,
      network: config.network,
      dryRun: false,
      cancelOnExit: false,
    }, {
      io: { stdout: () => {}, stderr: (t) => void errors.push(t) },
      env: (n) => world.env[n],
      clock: world.clock,
      signal: stop.signal,
      logDir: null,
      configureLogging: false,
      installSignalHandlers: false,
      onAction: (line) => void actions.push(line),
    });
    const window =
      /^\[arb\] skip BTC long lighter short grvt: long leg \(lighter\) settles in (\d+) ms and would pay/;
    for (let i = 0; i < 240 && !actions.some((l) => window.test(l)); i++) {
      await world.driver.advance(250, 250);
    }
    const ms = Number(actions.map((l) => window.exec(l)?.[1]).find((x) => x !== undefined));
    ok(ms > 0 && ms <= 5 * M, actions.join("\n") + errors.join(""));
    equal(actions.some((l) => l.startsWith("[arb] enter ")), false);
    stop.abort();
    equal(await world.until(done, 5 * M), 0, errors.join(""));
  } finally {
    stop.abort();
    await world.close();
  }
});

/** A listener standing in for a venue that counts every request (HTTP or WebSocket upgrade). */
function countingVenue() {
  let hits = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    hits++;
    return new Response("{}", { headers: { "content-type": "application/json" } });
  });
  const base = `127.0.0.1:${server.addr.port}`;
  return { base, hits: () => hits, close: () => server.shutdown() };
}

const LIGHTER_CREDENTIALS = {
  LIGHTER_API_KEY_PRIVATE_KEY: "0x" + "11".repeat(40),
  LIGHTER_ACCOUNT_INDEX: "7",
  LIGHTER_API_KEY_INDEX: "3",
};

Deno.test("funding arb on mainnet with one venue's credentials missing: one line naming them, exit 2, nothing opened on the other venue", async () => {
  const venue = countingVenue();
  try {
    const env: Record<string, string> = {
      LIGHTER_REST_URL: `http://${venue.base}`,
      LIGHTER_WS_URL: `ws://${venue.base}/stream`,
      ...LIGHTER_CREDENTIALS,
      GRVT_API_KEY: "key",
    };
    const out: string[] = [];
    const err: string[] = [];
    const code = await runBot(arbArgs("mainnet"), {
      io: { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) },
      env: (n) => env[n],
      logDir: null,
      configureLogging: false,
      installSignalHandlers: false,
    });
    equal(code, 2);
    deepEqual(err, [
      "error: Missing grvt credentials: set GRVT_PRIVATE_KEY, GRVT_TRADING_ACCOUNT_ID (in the " +
      "--env-file or the environment), or use --network sim for the local replica\n",
    ]);
    deepEqual(out, []);
    equal(venue.hits(), 0, "the Lighter host was never contacted");
  } finally {
    await venue.close();
  }
});

Deno.test("funding arb on testnet with EdgeX: refused by name before anything is opened", async () => {
  const venue = countingVenue();
  try {
    const env: Record<string, string> = {
      LIGHTER_REST_URL: `http://${venue.base}`,
      LIGHTER_WS_URL: `ws://${venue.base}/stream`,
      ...LIGHTER_CREDENTIALS,
      EDGEX_REST_URL: `http://${venue.base}`,
      EDGEX_ACCOUNT_ID: "1",
      EDGEX_API_KEY: "k",
      EDGEX_API_SECRET: "s",
      EDGEX_API_PASSPHRASE: "p",
      EDGEX_SIGNER_PRIVATE_KEY: "0x01",
    };
    const err: string[] = [];
    const code = await runBot(
      parseBotArgs([
        "--strategy",
        "funding-arbitrage",
        "--venues",
        "lighter,edgex",
        "--network",
        "testnet",
        "--db",
        ":memory:",
      ]),
      {
        io: { stdout: () => {}, stderr: (t) => void err.push(t) },
        env: (n) => env[n],
        logDir: null,
        configureLogging: false,
        installSignalHandlers: false,
      },
    );
    equal(code, 2);
    deepEqual(err, [
      "error: EdgeX publishes no V2 testnet: use --network mainnet, or --network sim for the " +
      "replica\n",
    ]);
    equal(venue.hits(), 0);
  } finally {
    await venue.close();
  }
});

/** `perp bot …` as a process in an empty folder with only `env` set: exit code and stderr. */
async function cliProcess(args: string[], env: Record<string, string>, dir: string) {
  const base: Record<string, string> = { NO_COLOR: "1" };
  for (const n of ["HOME", "PATH", "DENO_DIR", "XDG_CACHE_HOME"]) {
    const v = Deno.env.get(n);
    if (v !== undefined) base[n] = v;
  }
  const cli = fromFileUrl(new URL("../cli.ts", import.meta.url));
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, "bot", "--strategy", "funding-arbitrage", ...args],
    cwd: dir,
    clearEnv: true,
    env: { ...base, ...env },
    stdin: "null",
  }).output();
  return { code: result.code, stderr: new TextDecoder().decode(result.stderr) };
}

Deno.test({
  name: "perp bot --strategy funding-arbitrage as a process: missing credentials of both " +
    "venues in one line, EdgeX testnet refused; exit 2 and no log file written",
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const missing = await cliProcess(
        ["--venues", "lighter,grvt", "--network", "mainnet"],
        { GRVT_API_KEY: "key", LIGHTER_API_KEY_INDEX: "3" },
        dir,
      );
      equal(missing.code, 2, missing.stderr);
      equal(
        missing.stderr,
        "error: Missing lighter credentials: set LIGHTER_API_KEY_PRIVATE_KEY, " +
          "LIGHTER_ACCOUNT_INDEX (or LIGHTER_L1_ADDRESS); grvt credentials: set GRVT_PRIVATE_KEY, " +
          "GRVT_TRADING_ACCOUNT_ID (in the --env-file or the environment), or use --network sim " +
          "for the local replica\n",
      );
      const testnet = await cliProcess(
        ["--venues", "lighter,edgex", "--network", "testnet"],
        {
          ...LIGHTER_CREDENTIALS,
          EDGEX_ACCOUNT_ID: "1",
          EDGEX_API_KEY: "k",
          EDGEX_API_SECRET: "s",
          EDGEX_API_PASSPHRASE: "p",
          EDGEX_SIGNER_PRIVATE_KEY: "0x01",
        },
        dir,
      );
      equal(testnet.code, 2, testnet.stderr);
      equal(
        testnet.stderr,
        "error: EdgeX publishes no V2 testnet: use --network mainnet, or --network sim for the " +
          "replica\n",
      );
      deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("perp bot --strategy funding-arbitrage --network mainnet --paper through runBot: nothing reaches the venues", async () => {
  // The path `deno task bot` takes: runBot must hand --paper to the arbitrage bot, or a paper
  // run on a live network would send real orders.
  const world = await replicasAsVenues({ volatilityBps: "1" });
  const dir = await Deno.makeTempDir();
  const { lighter, grvt } = world;
  const stop = new AbortController();
  const errors: string[] = [];
  const config = arbArgs("mainnet", "--paper", "--db", `${dir}/funding.db`);
  try {
    const done = runBot(config, {
      io: { stdout: () => {}, stderr: (t) => void errors.push(t) },
      env: (n) => world.env[n],
      clock: world.clock,
      signal: stop.signal,
      logDir: null,
      configureLogging: false,
      installSignalHandlers: false,
    });
    // Long enough for the unwrapped bot to have posted its maker leg on the "venue".
    for (let i = 0; i < 1200; i++) await world.driver.advance(250, 250);
    equal(lighter.engine.openOrders(lighter.accountId).length, 0, errors.join(""));
    equal(grvt.engine.openOrders(grvt.accountId).length, 0, errors.join(""));
    deepEqual([size(lighter), size(grvt)], ["0", "0"]);
    stop.abort();
    equal(await world.until(done, 5 * M), 0, errors.join(""));
    const store = await SqliteFundingStore.open(`${dir}/funding.db`, { network: "mainnet-paper" });
    equal((await store.arbPositions()).length, 1, "the paper arbitrage was entered");
    await store.close();
  } finally {
    stop.abort();
    await world.close();
    await Deno.remove(dir, { recursive: true });
  }
});
