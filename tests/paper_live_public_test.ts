// `--paper` on a live network with public data only, offline. First each venue client's
// public-only mode on its own (given the account's keys, it reads none of them), then
// `perp bot --network mainnet --paper`: each venue's protocol
// replica plays the live venue, reached only through the host variables a trader sets
// (LIGHTER_REST_URL, GRVT_MARKET_DATA_URL, …) and NO credential variable. The grid starts,
// places a paper open, and the replica saw no order and no private request: every request it
// received is one of the venue's public market-data endpoints (venue notes: lighter.md §2/§4,
// grvt.md §2/§7, edgex.md §3/§5, Hyperliquid's `info` types of the module docs), and the
// client never sent an authenticated header or a private subscription.
import { LoopbackDriver } from "./bot_loopback_driver.ts";
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { ConfigurationError, type ExchangeClient } from "../base.ts";
import { parseBotArgs } from "../cli.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { EdgeXClient } from "../exchanges/edgex/mod.ts";
import { GRVTClient } from "../exchanges/grvt/mod.ts";
import { HyperliquidClient } from "../exchanges/hyperliquid/mod.ts";
import { LighterClient } from "../exchanges/lighter/mod.ts";
import { resetLogging } from "../helpers/logging.ts";
import { SqliteFundingStore } from "../funding/sqlite_store.ts";
import { FaultInjector } from "../sim/faults.ts";
import { type SimVenue, startSimVenue } from "../sim/network.ts";
import { runBot } from "../strategies/bot.ts";
import { gridOptions } from "./_bot.ts";
import {
  type BotVenue,
  VENUE_HOST_VARIABLES,
  venueHostOptions,
} from "../strategies/venue_clients.ts";

const T0 = Date.UTC(2026, 0, 1, 8, 10);

/** What a replica received, server side: `<method-or-socket> <endpoint>` per request. */
class RecordingFaults extends FaultInjector {
  readonly requests: string[] = [];
  override onRequest(frontEnd: string, endpoint: string) {
    this.requests.push(endpoint);
    return super.onRequest(frontEnd, endpoint);
  }
}

/** What the clients sent, client side: every fetch (URL, headers, body) and socket frame. */
interface Sent {
  fetches: { url: string; headers: Headers; body: string }[];
  frames: string[];
}

/** Records every fetch and WebSocket frame of this process until `restore()`. */
function recordClientTraffic(): Sent & { restore(): void } {
  const sent: Sent = { fetches: [], frames: [] };
  const fetch0 = globalThis.fetch;
  const send0 = WebSocket.prototype.send;
  globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    const headers = new Headers(input instanceof Request ? input.headers : init?.headers);
    const body = typeof init?.body === "string"
      ? init.body
      : init?.body instanceof URLSearchParams
      ? init.body.toString()
      : init?.body === undefined || init.body === null
      ? ""
      : `[${init.body.constructor.name}]`;
    sent.fetches.push({ url, headers, body });
    return fetch0(input, init);
  };
  WebSocket.prototype.send = function (data) {
    sent.frames.push(typeof data === "string" ? data : "[binary]");
    return send0.call(this, data);
  };
  return {
    ...sent,
    restore() {
      globalThis.fetch = fetch0;
      WebSocket.prototype.send = send0;
    },
  };
}

/**
 * The public endpoints a paper run may reach, per venue, as the replica names them; anything
 * else (accounts, orders, nonces, logins, private sockets) is private.
 */
const PUBLIC_ENDPOINTS: Record<BotVenue, readonly string[]> = {
  lighter: [
    "/",
    "/api/v1/orderBookDetails",
    "/api/v1/orderBooks",
    "/api/v1/orderBookOrders",
    "/api/v1/recentTrades",
    "/api/v1/fundings",
    "/api/v1/funding-rates",
    "/stream",
  ],
  // `/ws/full` is both the market-data and the trading socket: the trading one needs the login
  // (edge host) first, and its streams show in the frames.
  grvt: ["full/v1/instruments", "full/v1/book", "full/v1/ticker", "full/v1/funding", "/ws/full"],
  edgex: [
    "/api/v2/public/meta/getServerTime",
    "/api/v2/public/meta/getMetaData",
    "/api/v2/public/quote/getDepth",
    "/api/v2/public/quote/getTicker",
    "/api/v1/public/ws",
  ],
  hyperliquid: ["/info", "info:meta", "info:metaAndAssetCtxs", "info:l2Book", "/ws"],
};

/** A subscription or message that only an account can make. */
const PRIVATE_FRAME =
  /auth|account_|"user"|v1\.(order|fill|position)|orderUpdates|userFills|userFundings|private/i;

/** Headers that carry credentials on some venue. */
const AUTH_HEADER = /^(authorization|cookie|x-grvt-account-id|x-edgex-api-.*|x-.*-signature)$/i;

interface Run {
  code: number;
  stdout: string[];
  stderr: string[];
  requests: string[];
  sent: Sent;
  venueOrders: number;
  venuePosition: string;
}

/** A grid `--paper` run on `--network mainnet` against the venue's replica, until a paper open. */
async function paperGrid(venue: BotVenue, withKeys: boolean): Promise<Run> {
  const clock = new ManualClock(T0);
  const driver = new LoopbackDriver(clock);
  const faults = new RecordingFaults({ clock });
  // A moving market: the paper account reads the venue's streamed book.
  const sim: SimVenue = await startSimVenue(venue, {
    clock,
    protocol: "replica",
    seed: 3,
    volatilityBps: "1",
    faults,
  });
  const hostNames = Object.keys(VENUE_HOST_VARIABLES[venue]);
  // The host variables only; `withKeys`: also every credential of the replica's funded account
  // (a trader whose env file holds keys), which a paper run must not read either.
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(sim.endpoints)) {
    if (withKeys ? !name.endsWith("_CONTROL_URL") : hostNames.includes(name)) env[name] = value;
  }
  if (!withKeys) ok(!Object.keys(env).some((n) => /KEY|SECRET|ACCOUNT|PASSPHRASE/.test(n)));
  const traffic = recordClientTraffic();
  const stdout: string[] = [];
  const stderr: string[] = [];
  const stop = new AbortController();
  const options = gridOptions({
    exchange: venue,
    takeProfit: "0.1",
    network: "mainnet",
    paper: true,
    json: true,
  });
  try {
    const done = runBot(options, {
      io: { stdout: (t) => void stdout.push(t), stderr: (t) => void stderr.push(t) },
      env: (n) => env[n],
      clock,
      signal: stop.signal,
      logDir: null,
      installSignalHandlers: false,
    });
    let finished = false;
    const watched = done.finally(() => finished = true);
    const placed = () =>
      stdout.some((l) => /"event":"order".*"kind":"open".*"status":"placed"/.test(l));
    for (let i = 0; i < 2400 && !placed() && !finished; i++) await driver.advance(250, 250);
    stop.abort();
    for (let i = 0; i < 2400 && !finished; i++) await driver.advance(250, 250);
    const code = await watched;
    return {
      code,
      stdout,
      stderr,
      requests: faults.requests,
      sent: { fetches: traffic.fetches, frames: traffic.frames },
      venueOrders: sim.engine.openOrders(sim.accountId).length,
      venuePosition: sim.engine.position(sim.accountId, sim.engineSymbol("BTC")).size,
    };
  } finally {
    stop.abort();
    traffic.restore();
    await resetLogging();
    await sim.close();
  }
}

function assertPublicOnly(venue: BotVenue, run: Run): void {
  const why = run.stdout.join("") + run.stderr.join("");
  equal(run.code, 0, why);
  ok(run.stdout.some((l) => /"event":"order".*"kind":"open".*"status":"placed"/.test(l)), why);
  // The venue's truth: no order of the account, no position.
  equal(run.venueOrders, 0);
  equal(run.venuePosition, "0");
  // Every request the replica received is a public one (the markets were read at least).
  ok(run.requests.length > 0);
  deepEqual([...new Set(run.requests)].filter((e) => !PUBLIC_ENDPOINTS[venue].includes(e)), []);
  // Nothing the clients sent was authenticated or subscribed to an account.
  deepEqual(
    run.sent.fetches.flatMap((f) => [...f.headers.keys()].filter((h) => AUTH_HEADER.test(h))),
    [],
  );
  deepEqual(run.sent.frames.filter((f) => PRIVATE_FRAME.test(f)), []);
  // The start line says what the run reads; the open was a paper one.
  const label = `PAPER ${venue.toUpperCase()}_BTC`;
  ok(
    why.includes(
      `[${label}] Starting the grid bot on ${venue} (mainnet, paper: public market data only, ` +
        "no credentials needed; nothing is sent to the venue, the paper account starts with 10000)",
    ),
    why,
  );
  ok(/\[paper\] placed buy 0\.01 BTC limit @ \d+(\.\d+)? post-only: open/.test(why), why);
  ok(!/ERROR|error:/.test(why), why);
}

for (const venue of ["lighter", "grvt", "edgex", "hyperliquid"] as const) {
  Deno.test(`grid --paper on --network mainnet against the ${venue} replica without credentials: a paper open, no order at the venue, only public requests`, async () => {
    assertPublicOnly(venue, await paperGrid(venue, false));
  });
  Deno.test(`grid --paper on --network mainnet against the ${venue} replica with the account's keys set: still only public requests`, async () => {
    assertPublicOnly(venue, await paperGrid(venue, true));
  });
}

/** The one-line refusal of each venue's public-only client: the credential variables. */
const REFUSAL: Record<BotVenue, RegExp> = {
  lighter:
    /^The lighter client is public-only \(market data\): .*LIGHTER_API_KEY_PRIVATE_KEY, LIGHTER_ACCOUNT_INDEX \(or LIGHTER_L1_ADDRESS\) and LIGHTER_API_KEY_INDEX$/,
  grvt:
    /^The grvt client is public-only \(market data\): .*GRVT_API_KEY, GRVT_PRIVATE_KEY and GRVT_TRADING_ACCOUNT_ID$/,
  edgex:
    /^The edgex client is public-only \(market data\): .*EDGEX_ACCOUNT_ID, EDGEX_API_KEY, EDGEX_API_SECRET, EDGEX_API_PASSPHRASE and EDGEX_SIGNER_PRIVATE_KEY$/,
  hyperliquid:
    /^The hyperliquid client is public-only \(market data\): .*HYPERLIQUID_PRIVATE_KEY.*$/,
};

/** A venue's client in public-only mode, handed every credential of the replica's account. */
function publicOnlyClient(venue: BotVenue, sim: SimVenue): ExchangeClient {
  const vars: Record<string, string> = { ...sim.endpoints };
  const env = (n: string) => vars[n];
  const hosts = venueHostOptions(venue, env);
  switch (venue) {
    case "lighter":
      return new LighterClient({ network: "mainnet", ...hosts, env, publicOnly: true });
    case "grvt":
      return new GRVTClient({
        environment: "prod",
        ...hosts,
        apiKey: vars.GRVT_API_KEY,
        privateKey: vars.GRVT_PRIVATE_KEY,
        tradingAccountId: vars.GRVT_TRADING_ACCOUNT_ID,
        publicOnly: true,
      });
    case "edgex":
      return new EdgeXClient({ ...hosts, env, publicOnly: true });
    case "hyperliquid":
      return new HyperliquidClient({
        environment: "mainnet",
        ...hosts,
        env: { get: env },
        publicOnly: true,
      });
  }
}

for (const venue of ["lighter", "grvt", "edgex", "hyperliquid"] as const) {
  Deno.test(`the ${venue} client's public-only mode: markets and books work; every private call is one ConfigurationError line naming the variables, sent nowhere`, async () => {
    const clock = new ManualClock(T0);
    const faults = new RecordingFaults({ clock });
    const sim = await startSimVenue(venue, { clock, protocol: "replica", seed: 5, faults });
    ok(Object.keys(sim.endpoints).some((n) => /KEY/.test(n)), "the replica's keys are at hand");
    const traffic = recordClientTraffic();
    const client = publicOnlyClient(venue, sim);
    try {
      await client.connect();
      equal((await client.getMarket("BTC")).symbol, "BTC");
      const book = await client.getOrderBook("BTC", 5);
      ok(book.bids.length > 0 && book.asks.length > 0);
      const quote = await client.getBestBidAsk("BTC");
      ok(quote.ask.gt(quote.bid));
      const publicRequests = faults.requests.length;
      const calls: [string, () => Promise<unknown>][] = [
        ["placeOrder", () =>
          client.placeOrder({
            symbol: "BTC",
            side: "buy",
            type: "limit",
            size: "0.01",
            price: quote.bid.toString(),
            postOnly: true,
          })],
        [
          "cancelOrder",
          () => client.cancelOrder("BTC", { clientOrderId: client.newClientOrderId() }),
        ],
        ["cancelAllOrders", () => client.cancelAllOrders("BTC")],
        ["getOrder", () => client.getOrder("BTC", { clientOrderId: client.newClientOrderId() })],
        ["getOpenOrders", () => client.getOpenOrders()],
        ["getBalance", () => client.getBalance()],
        ["getPositions", () => client.getPositions()],
        ["getFundingPayments", () => client.getFundingPayments({ symbol: "BTC" })],
        ["setLeverage", () => client.setLeverage("BTC", 2)],
      ];
      for (const [name, call] of calls) {
        const error = await call().then(() => undefined, (e: unknown) => e);
        ok(error instanceof ConfigurationError, `${name}: ${String(error)}`);
        ok(REFUSAL[venue].test(error.message), `${name}: ${error.message}`);
      }
      // No private call reached the venue; what did is public only.
      equal(faults.requests.length, publicRequests, faults.requests.join(", "));
      deepEqual(
        [...new Set(faults.requests)].filter((e) => !PUBLIC_ENDPOINTS[venue].includes(e)),
        [],
      );
      deepEqual(
        traffic.fetches.flatMap((f) => [...f.headers.keys()].filter((h) => AUTH_HEADER.test(h))),
        [],
      );
      deepEqual(traffic.frames.filter((f) => PRIVATE_FRAME.test(f)), []);
      equal(sim.engine.openOrders(sim.accountId).length, 0);
    } finally {
      traffic.restore();
      await client.disconnect();
      await sim.close();
    }
  });
}

Deno.test("funding arb --paper on --network mainnet against Lighter and GRVT replicas without credentials: a paper position is entered, nothing reaches the venues, only public requests", async () => {
  const clock = new ManualClock(T0);
  const driver = new LoopbackDriver(clock);
  const faults = { lighter: new RecordingFaults({ clock }), grvt: new RecordingFaults({ clock }) };
  const open = (venue: "lighter" | "grvt", seed: number) =>
    startSimVenue(venue, {
      clock,
      protocol: "replica",
      seed,
      volatilityBps: "1",
      faults: faults[venue],
    });
  const lighter = await open("lighter", 1);
  const grvt = await open("grvt", 2);
  // Lighter −0.0001 per hour (the long receives), GRVT 0.0024 per 8 h (the short receives).
  lighter.control.scriptFunding(lighter.engineSymbol("BTC"), "-0.0001");
  grvt.control.scriptFunding(grvt.engineSymbol("BTC"), "0.0024");
  const env: Record<string, string> = {};
  for (const sim of [lighter, grvt]) {
    for (const [name, value] of Object.entries(sim.endpoints)) {
      if (Object.keys(VENUE_HOST_VARIABLES[sim.venue as BotVenue]).includes(name)) {
        env[name] = value;
      }
    }
  }
  const dir = await Deno.makeTempDir();
  const traffic = recordClientTraffic();
  const stop = new AbortController();
  const errors: string[] = [];
  try {
    const config = parseBotArgs([
      "--strategy",
      "funding-arbitrage",
      "--venues",
      "lighter,grvt",
      "--network",
      "mainnet",
      "--paper",
      "--db",
      `${dir}/funding.db`,
      "--notional",
      "640",
      "--min-net-apr",
      "0.5",
    ]);
    const done = runBot(config, {
      io: { stdout: () => {}, stderr: (t) => void errors.push(t) },
      env: (n) => env[n],
      clock,
      signal: stop.signal,
      logDir: null,
      configureLogging: false,
      installSignalHandlers: false,
    });
    let finished = false;
    const watched = done.finally(() => finished = true);
    const entered = async () => {
      const store = await SqliteFundingStore.open(`${dir}/funding.db`, {
        network: "mainnet-paper",
      });
      try {
        return (await store.arbPositions()).length;
      } finally {
        await store.close();
      }
    };
    for (let i = 0; i < 1200 && !finished; i++) {
      await driver.advance(250, 250);
      if (i % 40 === 39 && await entered() > 0) break;
    }
    equal(await entered(), 1, errors.join(""));
    stop.abort();
    for (let i = 0; i < 1200 && !finished; i++) await driver.advance(250, 250);
    equal(await watched, 0, errors.join(""));
    // The venues' truth: no order, no position of the account.
    for (const sim of [lighter, grvt]) {
      equal(sim.engine.openOrders(sim.accountId).length, 0);
      equal(sim.engine.position(sim.accountId, sim.engineSymbol("BTC")).size, "0");
    }
    for (const venue of ["lighter", "grvt"] as const) {
      deepEqual(
        [...new Set(faults[venue].requests)].filter((e) => !PUBLIC_ENDPOINTS[venue].includes(e)),
        [],
      );
    }
    deepEqual(
      traffic.fetches.flatMap((f) => [...f.headers.keys()].filter((h) => AUTH_HEADER.test(h))),
      [],
    );
    deepEqual(traffic.frames.filter((f) => PRIVATE_FRAME.test(f)), []);
  } finally {
    stop.abort();
    traffic.restore();
    await lighter.close();
    await grvt.close();
    await Deno.remove(dir, { recursive: true });
  }
});
