/**
 * `perp doctor`: a pre-flight check of one venue account before real money trades on it. Each
 * check prints one line, `✓` or `✗`, and for a failure what to do:
 *
 * 1. `variables`: the credential variables are set and well-formed (hex lengths, integer
 *    indexes, host URLs); names only, never values.
 * 2. `hosts`: every REST host of the venue answers over HTTP.
 * 3. `clock`: the local clock is within {@linkcode DoctorContext.maxSkewMs} of the venue's
 *    server time (Lighter `GET /` `timestamp`, EdgeX `getServerTime`, else the HTTP `Date`
 *    header, which GRVT's hosts send).
 * 4. `api key` (Lighter): the API key index is registered to the account with the public key of
 *    `LIGHTER_API_KEY_PRIVATE_KEY` (`GET /api/v1/apikeys`).
 * 5. `authentication`: the client connects (GRVT login, Lighter auth token, EdgeX HMAC) and
 *    reads the account's open orders.
 * 6. `markets`, `balance`, `positions`: the markets load (with the chosen ticker), the balance
 *    and the positions read.
 * 7. `test order` (only when asked): one minimum-size post-only buy at half the best bid, on
 *    the tick, is placed, canceled, and confirmed gone.
 *
 * @module
 */
import { AuthenticationError, ConfigurationError, type ExchangeClient } from "../base.ts";
import {
  type BotNetwork,
  type BotVenue,
  openVenueClient,
  VENUE_CREDENTIAL_VARIABLES,
  venueHostOptions,
} from "./venue_clients.ts";

/** The result of one check. */
export interface DoctorCheck {
  /** Short name: `variables`, `hosts`, `clock`, `api key`, `authentication`, … */
  readonly name: string;
  /** `true` ✓, `false` ✗, `undefined` not checked because an earlier check failed. */
  readonly ok: boolean | undefined;
  /** What was found, one line. */
  readonly detail: string;
  /** What to do, for a failed check. */
  readonly fix?: string;
}

/** What {@linkcode runDoctor} checks. */
export interface DoctorOptions {
  /** The venue. */
  venue: BotVenue;
  /** `mainnet`, `testnet`, or `sim` (a replica: in-process, or the one `simEnv` names). */
  network: BotNetwork;
  /** Market for the markets check and the test order. @default {"ETH"} */
  ticker?: string;
  /** Place one far-away post-only order and cancel it. @default {false} */
  placeTestOrder?: boolean;
  /** `sim`: the variables of a running `deno task sim --env-file` (URLs, test credentials). */
  simEnv?: Readonly<Record<string, string>>;
}

/** Injectables of {@linkcode runDoctor}. */
export interface DoctorContext {
  /** Reads a variable. @default {Deno.env.get} */
  env?: (name: string) => string | undefined;
  /** The local clock the venue's time is compared with, ms since epoch. @default {Date.now} */
  now?: () => number;
  /** Largest tolerated clock skew, ms. @default {5_000} */
  maxSkewMs?: number;
  /** Time allowed to each check, ms. @default {15_000} */
  timeoutMs?: number;
  /** `fetch` for the host, clock and API key checks. @default {globalThis.fetch} */
  fetch?: typeof fetch;
  /** Receives each check as soon as it is done (the command line prints it). */
  onCheck?: (check: DoctorCheck) => void;
}

/** What {@linkcode runDoctor} found. */
export interface DoctorReport {
  /** Every check passed. */
  readonly ok: boolean;
  /** The checks, in order. */
  readonly checks: readonly DoctorCheck[];
}

/**
 * One check as a line: `✓ name: detail`, `✗ name: detail → fix`, `– name: not checked (…)`.
 *
 * @param check The check.
 * @returns The line, without a newline.
 *
 * @example
 * ```ts
 * import { formatDoctorCheck } from "./doctor.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * equal(
 *   formatDoctorCheck({ name: "clock", ok: false, detail: "12.0 s ahead", fix: "sync it" }),
 *   "✗ clock: 12.0 s ahead → sync it",
 * );
 * ```
 */
export function formatDoctorCheck(check: DoctorCheck): string {
  const mark = check.ok === true ? "✓" : check.ok === false ? "✗" : "–";
  const fix = check.ok === false && check.fix ? ` → ${check.fix}` : "";
  return `${mark} ${check.name}: ${check.detail}${fix}`;
}

// ---------------------------------------------------------------------------------------------
// variables

type Rule = (value: string) => string | undefined;

const hex = (digits: number): Rule => (v) =>
  new RegExp(`^(0x)?[0-9a-fA-F]{${digits}}$`).test(v) ? undefined : `is not ${digits} hex digits`;
const integer = (min: number, max: number): Rule => (v) =>
  /^\d{1,16}$/.test(v) && Number(v) >= min && Number(v) <= max
    ? undefined
    : `is not an integer from ${min} to ${max}`;
const digits: Rule = (v) => /^\d{1,20}$/.test(v) ? undefined : "is not a number (digits only)";
const token: Rule = (v) => /^\S+$/.test(v) ? undefined : "contains spaces";

/** Format of each credential variable (lighter.md §3.1, grvt.md §3, edgex.md §2). */
const FORMATS: Readonly<Record<string, Rule>> = {
  LIGHTER_API_KEY_PRIVATE_KEY: hex(80),
  // 0 is the venue's treasury; sub-accounts reach up to 2^48 - 1.
  LIGHTER_ACCOUNT_INDEX: integer(1, 2 ** 48 - 1),
  LIGHTER_L1_ADDRESS: (v) => /^0x[0-9a-fA-F]{40}$/.test(v) ? undefined : "is not a 0x address",
  // 255 means "every key" in the venue's queries; a key has an index below it.
  LIGHTER_API_KEY_INDEX: integer(0, 254),
  GRVT_API_KEY: token,
  GRVT_PRIVATE_KEY: hex(64),
  GRVT_TRADING_ACCOUNT_ID: digits,
  EDGEX_ACCOUNT_ID: digits,
  EDGEX_API_KEY: token,
  EDGEX_API_SECRET: token,
  EDGEX_API_PASSPHRASE: token,
  EDGEX_SIGNER_PRIVATE_KEY: hex(64),
  HYPERLIQUID_PRIVATE_KEY: hex(64),
  HYPERLIQUID_ACCOUNT_ADDRESS: (v) =>
    /^0x[0-9a-fA-F]{40}$/.test(v) ? undefined : "is not a 0x address",
};

function checkVariables(venue: BotVenue, env: (name: string) => string | undefined): DoctorCheck {
  const problems: string[] = [];
  const present: string[] = [];
  const value = (name: string) => env(name)?.trim() ?? "";
  for (const entry of VENUE_CREDENTIAL_VARIABLES[venue]) {
    const names = typeof entry === "string" ? [entry] : entry;
    const set = names.filter((n) => value(n) !== "");
    if (set.length === 0) {
      problems.push(`${names.join(" or ")} is not set`);
      continue;
    }
    for (const name of set) {
      const wrong = FORMATS[name]?.(value(name));
      if (wrong) problems.push(`${name} ${wrong}`);
      else present.push(name);
    }
  }
  try {
    venueHostOptions(venue, env);
  } catch (error) {
    // The message names the variable and the rule; a URL is not a secret.
    problems.push(error instanceof Error ? error.message : String(error));
  }
  if (problems.length > 0) {
    return {
      name: "variables",
      ok: false,
      detail: problems.join("; "),
      fix: "set them in the --env-file (default .env) or the environment (README, Real venues)",
    };
  }
  return { name: "variables", ok: true, detail: `${present.join(", ")} set and well-formed` };
}

// ---------------------------------------------------------------------------------------------
// hosts and clock

interface HostProbe {
  /** Variable that overrides the host (for the message). */
  variable: string;
  /** The origin. */
  url: string;
  /** Path asked; the server time comes from its answer. */
  path: string;
  /** Reads the server time (ms) from the JSON body, when the venue puts it there. */
  time?: (body: unknown) => number | undefined;
}

async function venueHosts(
  venue: BotVenue,
  network: BotNetwork,
  env: (name: string) => string | undefined,
): Promise<HostProbe[]> {
  const get = (name: string) => env(name)?.trim() || undefined;
  switch (venue) {
    case "lighter": {
      const { LIGHTER_ENVIRONMENTS } = await import("../exchanges/lighter/mod.ts");
      const fallback = network === "sim" ? undefined : LIGHTER_ENVIRONMENTS[network].restUrl;
      // `GET /` answers {"status":1,"network_id":1,"timestamp":<seconds>} (lighter.md §2).
      const seconds = (body: unknown) => {
        const t = Number((body as { timestamp?: unknown } | null)?.timestamp);
        return Number.isFinite(t) && t > 0 ? t * 1000 + 500 : undefined;
      };
      return [{
        variable: "LIGHTER_REST_URL",
        url: get("LIGHTER_REST_URL") ?? fallback ?? "",
        path: "/",
        time: seconds,
      }];
    }
    case "grvt": {
      const { GRVT_ENVIRONMENTS } = await import("../exchanges/grvt/mod.ts");
      const hosts = network === "sim"
        ? undefined
        : GRVT_ENVIRONMENTS[network === "testnet" ? "testnet" : "prod"];
      return [
        ["GRVT_MARKET_DATA_URL", hosts?.marketDataUrl],
        ["GRVT_EDGE_URL", hosts?.edgeUrl],
        ["GRVT_TRADES_URL", hosts?.tradesUrl],
      ].map(([variable, url]) => ({
        variable: variable!,
        url: get(variable!) ?? url ?? "",
        path: "/",
      }));
    }
    case "edgex": {
      const { EDGEX_PRODUCTION } = await import("../exchanges/edgex/mod.ts");
      // `{data: {timeMillis: "<ms>"}}`; the SDK docs spell it serverTime (edgex.md §4).
      const millis = (body: unknown) => {
        const data = (body as { data?: { timeMillis?: unknown; serverTime?: unknown } } | null)
          ?.data;
        const t = Number(data?.timeMillis ?? data?.serverTime);
        return Number.isFinite(t) && t > 0 ? t : undefined;
      };
      return [{
        variable: "EDGEX_REST_URL",
        url: get("EDGEX_REST_URL") ?? (network === "sim" ? "" : EDGEX_PRODUCTION.restUrl),
        path: "/api/v2/public/meta/getServerTime",
        time: millis,
      }];
    }
    case "hyperliquid": {
      const { HYPERLIQUID_HOSTS } = await import("../exchanges/hyperliquid/mod.ts");
      const fallback = network === "sim" ? "" : HYPERLIQUID_HOSTS[network].apiUrl;
      // No time endpoint: the answer's Date header gives the server time.
      return [{
        variable: "HYPERLIQUID_API_URL",
        url: get("HYPERLIQUID_API_URL") ?? fallback,
        path: "/",
      }];
    }
  }
}

interface Probe {
  host: HostProbe;
  error?: string;
  status?: number;
  /** Server time (ms) and the local time of the request's midpoint. */
  serverMs?: number;
  localMs?: number;
}

async function probeHost(host: HostProbe, ctx: Required<DoctorContext>): Promise<Probe> {
  if (host.url === "") return { host, error: `${host.variable} is not set` };
  const started = ctx.now();
  try {
    const response = await ctx.fetch(host.url.replace(/\/+$/, "") + host.path, {
      signal: AbortSignal.timeout(ctx.timeoutMs),
    });
    const finished = ctx.now();
    const text = await response.text();
    let serverMs: number | undefined;
    if (host.time) {
      try {
        serverMs = host.time(JSON.parse(text));
      } catch {
        serverMs = undefined;
      }
    }
    const date = response.headers.get("date");
    // A Date header is cut to the second: its midpoint is within ±0.5 s of the server's time.
    if (serverMs === undefined && date) serverMs = Date.parse(date) + 500;
    return {
      host,
      status: response.status,
      ...(serverMs !== undefined && Number.isFinite(serverMs)
        ? { serverMs, localMs: (started + finished) / 2 }
        : {}),
    };
  } catch (error) {
    const why = error instanceof Error && error.name === "TimeoutError"
      ? `no answer within ${ctx.timeoutMs / 1000} s`
      : oneLine(error);
    return { host, error: why };
  }
}

function hostsCheck(probes: readonly Probe[]): DoctorCheck {
  const failed = probes.filter((p) => p.error !== undefined);
  if (failed.length > 0) {
    return {
      name: "hosts",
      ok: false,
      detail: failed.map((p) => `${p.host.url || p.host.variable}: ${p.error}`).join("; "),
      fix: `check the network, a proxy or firewall, and ${
        failed.map((p) => p.host.variable).join(", ")
      } if set`,
    };
  }
  return {
    name: "hosts",
    ok: true,
    detail: probes.map((p) => `${p.host.url} answers (HTTP ${p.status})`).join(", "),
  };
}

function clockCheck(venue: BotVenue, probes: readonly Probe[], maxSkewMs: number): DoctorCheck {
  const timed = probes.find((p) => p.serverMs !== undefined);
  if (!timed) {
    return {
      name: "clock",
      ok: false,
      detail: `${venue} sent no server time (no time field, no Date header)`,
      fix: "check that the hosts are the venue's (a proxy may strip headers)",
    };
  }
  const skew = timed.localMs! - timed.serverMs!;
  const seconds = (Math.abs(skew) / 1000).toFixed(1);
  const where = skew >= 0 ? "ahead of" : "behind";
  const detail = `local clock ${seconds} s ${where} ${venue}'s server time`;
  if (Math.abs(skew) > maxSkewMs) {
    return {
      name: "clock",
      ok: false,
      detail: `${detail} (more than ${maxSkewMs / 1000} s)`,
      fix: "synchronise the system clock (e.g. sudo timedatectl set-ntp true); signed " +
        "requests carry timestamps the venue refuses when they drift",
    };
  }
  return { name: "clock", ok: true, detail };
}

// ---------------------------------------------------------------------------------------------
// Lighter API key

async function lighterApiKeyCheck(
  env: (name: string) => string | undefined,
  rest: string,
  ctx: Required<DoctorContext>,
): Promise<DoctorCheck> {
  const { publicKeyFromPrivateKey } = await import("../exchanges/lighter/mod.ts");
  const get = (name: string) => env(name)?.trim() ?? "";
  const base = rest.replace(/\/+$/, "");
  const read = async (path: string): Promise<Record<string, unknown>> => {
    const response = await ctx.fetch(`${base}${path}`, {
      signal: AbortSignal.timeout(ctx.timeoutMs),
    });
    const body = await response.json().catch(() => undefined) as Record<string, unknown>;
    if (!response.ok || !body || typeof body !== "object") {
      const message = typeof body?.message === "string" ? `: ${body.message}` : "";
      throw new Error(`GET ${path.split("?")[0]} answered HTTP ${response.status}${message}`);
    }
    return body;
  };
  let account = get("LIGHTER_ACCOUNT_INDEX");
  if (account === "") {
    const l1 = get("LIGHTER_L1_ADDRESS");
    const r = await read(`/api/v1/accountsByL1Address?l1_address=${encodeURIComponent(l1)}`);
    const subs = (r.sub_accounts as { index?: number }[] | undefined) ?? [];
    const masters = subs.map((s) => Number(s.index)).filter((i) => i > 0 && i < 2 ** 47)
      .sort((a, b) => a - b);
    if (masters.length === 0) {
      return {
        name: "api key",
        ok: false,
        detail: "no Lighter account belongs to LIGHTER_L1_ADDRESS",
        fix: "deposit first, or set LIGHTER_ACCOUNT_INDEX",
      };
    }
    account = String(masters[0]);
  }
  const index = Number(get("LIGHTER_API_KEY_INDEX"));
  const r = await read(`/api/v1/apikeys?account_index=${account}&api_key_index=${index}`);
  const keys = (r.api_keys as { api_key_index?: number; public_key?: string }[] | undefined) ?? [];
  const registered = keys.find((k) => Number(k.api_key_index) === index);
  if (!registered) {
    return {
      name: "api key",
      ok: false,
      detail: `API key index ${index} is not registered to account ${account}`,
      fix: "register the key at that index (Lighter app, API keys), or set " +
        "LIGHTER_API_KEY_INDEX to the index it was registered under",
    };
  }
  const ours = publicKeyFromPrivateKey(get("LIGHTER_API_KEY_PRIVATE_KEY"));
  const theirs = String(registered.public_key ?? "").toLowerCase().replace(/^0x/, "");
  if (theirs !== ours) {
    return {
      name: "api key",
      ok: false,
      detail: `API key index ${index} of account ${account} holds another key than ` +
        "LIGHTER_API_KEY_PRIVATE_KEY",
      fix: "use the private key registered at that index, or the index of this key",
    };
  }
  return {
    name: "api key",
    ok: true,
    detail: `index ${index} of account ${account} holds this key's public key`,
  };
}

// ---------------------------------------------------------------------------------------------
// client checks

const CREDENTIALS_HINT: Readonly<Record<BotVenue, string>> = {
  lighter: "check LIGHTER_API_KEY_PRIVATE_KEY, LIGHTER_ACCOUNT_INDEX and LIGHTER_API_KEY_INDEX",
  grvt: "check GRVT_API_KEY (a key of this network), GRVT_PRIVATE_KEY (the wallet of that " +
    "key) and GRVT_TRADING_ACCOUNT_ID",
  edgex: "check EDGEX_API_KEY, EDGEX_API_SECRET, EDGEX_API_PASSPHRASE and EDGEX_ACCOUNT_ID",
  hyperliquid: "check HYPERLIQUID_PRIVATE_KEY and HYPERLIQUID_ACCOUNT_ADDRESS (the master " +
    "account when the key is an API wallet's)",
};

async function testOrder(
  client: ExchangeClient,
  venue: BotVenue,
  ticker: string,
  ctx: Required<DoctorContext>,
): Promise<DoctorCheck> {
  const name = "test order";
  const market = await client.getMarket(ticker);
  const { bid } = await client.getBestBidAsk(ticker);
  if (!bid.isPositive()) {
    return {
      name,
      ok: false,
      detail: `${ticker} has no bid to price the order from`,
      fix: "pick a liquid market with --ticker",
    };
  }
  const price = bid.div(2).div(market.tickSize).floor().mul(market.tickSize);
  const step = market.sizeStep;
  let size = market.minSize.div(step).ceil().mul(step);
  if (market.minNotional.isPositive() && size.mul(price).lt(market.minNotional)) {
    size = market.minNotional.div(price).div(step).ceil().mul(step);
  }
  const clientOrderId = client.newClientOrderId();
  const what = `post-only buy ${size} ${ticker} at ${price}`;
  try {
    await client.placeOrder({
      symbol: ticker,
      side: "buy",
      type: "limit",
      size: size.toString(),
      price: price.toString(),
      postOnly: true,
      clientOrderId,
    });
  } catch (error) {
    // Whatever happened, nothing of ours may keep resting.
    await client.cancelOrder(ticker, { clientOrderId }).catch(() => {});
    return {
      name,
      ok: false,
      detail: `placing a ${what} failed: ${oneLine(error)}`,
      fix: (error instanceof AuthenticationError
        ? CREDENTIALS_HINT[venue]
        : "check the account's margin and trading permissions") +
        `; look for the order ${clientOrderId} at the venue`,
    };
  }
  await client.cancelOrder(ticker, { clientOrderId });
  const deadline = ctx.now() + Math.min(ctx.timeoutMs, 10_000);
  for (;;) {
    const order = await client.getOrder(ticker, { clientOrderId });
    const open = (await client.getOpenOrders(ticker)).some((o) =>
      o.clientOrderId === clientOrderId
    );
    if (!open && (order === undefined || order.status !== "open")) {
      return { name, ok: true, detail: `placed and canceled a ${what}; it is gone` };
    }
    if (ctx.now() >= deadline) {
      return {
        name,
        ok: false,
        detail: `the ${what} (${clientOrderId}) still rests after its cancel`,
        fix: "cancel it at the venue by hand",
      };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0];
}

function denoEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/**
 * Runs the checks against one venue account and reports each one. Nothing is traded unless
 * `placeTestOrder` is set; then one far-away post-only order rests for a moment.
 *
 * @param options Venue, network, ticker, test order, a running replica's variables.
 * @param context Environment, local clock, limits and a listener for each check.
 * @returns Whether every check passed, and the checks.
 *
 * @example Against an in-process replica
 * ```ts
 * import { runDoctor } from "./doctor.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const report = await runDoctor({ venue: "edgex", network: "sim" });
 * equal(report.ok, true);
 * equal(report.checks.map((c) => c.name).join(","),
 *   "variables,hosts,clock,authentication,markets,balance,positions");
 * ```
 */
export async function runDoctor(
  options: DoctorOptions,
  context: DoctorContext = {},
): Promise<DoctorReport> {
  const ctx: Required<DoctorContext> = {
    env: context.env ?? denoEnv,
    now: context.now ?? Date.now,
    maxSkewMs: context.maxSkewMs ?? 5_000,
    timeoutMs: context.timeoutMs ?? 15_000,
    fetch: context.fetch ?? globalThis.fetch,
    onCheck: context.onCheck ?? (() => {}),
  };
  const checks: DoctorCheck[] = [];
  const report = (check: DoctorCheck) => {
    checks.push(check);
    ctx.onCheck(check);
    return check;
  };
  const ticker = (options.ticker ?? "ETH").toUpperCase();
  let stopSim: (() => Promise<void>) | undefined;
  let simEnv = options.simEnv;
  if (options.network === "sim" && !simEnv) {
    const { startSimVenue } = await import("../sim/network.ts");
    const venue = options.venue as Parameters<typeof startSimVenue>[0];
    const sim = await startSimVenue(venue, { protocol: "replica" });
    stopSim = () => sim.close();
    simEnv = sim.endpoints;
  }
  const vars = simEnv;
  const env = vars ? (name: string) => vars[name] ?? ctx.env(name) : ctx.env;
  let client: ExchangeClient | undefined;
  try {
    const variables = report(checkVariables(options.venue, env));
    const hosts = await venueHosts(options.venue, options.network, env);
    const probes = await Promise.all(hosts.map((h) => probeHost(h, ctx)));
    const reachable = report(hostsCheck(probes)).ok;
    if (reachable) report(clockCheck(options.venue, probes, ctx.maxSkewMs));
    const skip = (name: string, why: string) => report({ name, ok: undefined, detail: why });
    const after = (...names: string[]) => `not checked (needs ${names.join(" and ")})`;
    const later = ["authentication", "markets", "balance", "positions"];
    if (options.venue === "lighter") later.unshift("api key");
    if (options.placeTestOrder) later.push("test order");
    if (!variables.ok || !reachable) {
      const need = [...(variables.ok ? [] : ["variables"]), ...(reachable ? [] : ["hosts"])];
      for (const name of later) skip(name, after(...need));
      return { ok: false, checks };
    }
    const guard = async (name: string, run: () => Promise<DoctorCheck>): Promise<DoctorCheck> => {
      try {
        return report(await within(ctx.timeoutMs, run()));
      } catch (error) {
        const refused = error instanceof AuthenticationError;
        return report({
          name,
          ok: false,
          detail: (refused ? `${options.venue} refused the credentials: ` : "") + oneLine(error),
          fix: error instanceof ConfigurationError
            ? "fix the setting it names"
            : refused || name === "authentication" || name === "api key"
            ? CREDENTIALS_HINT[options.venue]
            : "run again; if it persists, check the venue's status page",
        });
      }
    };
    if (options.venue === "lighter") {
      await guard("api key", () => lighterApiKeyCheck(env, probes[0].host.url, ctx));
    }
    let c!: ExchangeClient;
    const auth = await guard("authentication", async () => {
      const connection = await openVenueClient(options.venue, {
        network: options.network,
        env,
        ...(vars ? { simEnv: vars } : {}),
      });
      client = c = connection.client;
      await c.connect();
      const open = await c.getOpenOrders();
      // GRVT's login needs only the API key; the wallet key shows when an order is signed.
      const later = options.venue === "grvt" && !options.placeTestOrder
        ? "; GRVT_PRIVATE_KEY is checked by --place-test-order"
        : "";
      return {
        name: "authentication",
        ok: true,
        detail: `connected and read the account's open orders (${open.length})${later}`,
      };
    });
    if (!auth.ok) {
      for (const name of later.slice(later.indexOf("authentication") + 1)) {
        skip(name, after("authentication"));
      }
      return { ok: false, checks };
    }
    const markets = await guard("markets", async () => {
      const list = await c.getMarkets();
      const m = list.find((x) => x.symbol === ticker);
      if (!m) {
        return {
          name: "markets",
          ok: false,
          detail: `${list.length} markets load, none is ${ticker}`,
          fix: `pick one with --ticker: ${list.slice(0, 8).map((x) => x.symbol).join(", ")}${
            list.length > 8 ? ", …" : ""
          }`,
        };
      }
      return {
        name: "markets",
        ok: true,
        detail: `${list.length} markets load; ${ticker}: tick ${m.tickSize}, size step ` +
          `${m.sizeStep}, min size ${m.minSize}`,
      };
    });
    await guard("balance", async () => {
      const b = await c.getBalance();
      return {
        name: "balance",
        ok: true,
        detail: `equity ${b.equity} ${b.asset}, available ${b.available}`,
      };
    });
    await guard("positions", async () => {
      const list = (await c.getPositions()).filter((p) => !p.size.isZero());
      const detail = list.length === 0
        ? "no open positions"
        : `${list.length} open: ${list.map((p) => `${p.symbol} ${p.size}`).join(", ")}`;
      return { name: "positions", ok: true, detail };
    });
    if (options.placeTestOrder) {
      if (!markets.ok) skip("test order", after("markets"));
      else await guard("test order", () => testOrder(c, options.venue, ticker, ctx));
    }
    return { ok: checks.every((x) => x.ok === true), checks };
  } finally {
    await client?.disconnect().catch(() => {});
    await stopSim?.();
  }
}
