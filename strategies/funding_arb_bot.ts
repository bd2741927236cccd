/**
 * `deno task bot --strategy funding-arbitrage`: opens every venue — the venues' real clients
 * and funding adapters on `mainnet` / `testnet` (credentials checked for every venue before any
 * is opened; host variables such as `LIGHTER_REST_URL` point them elsewhere), replicas or paper
 * venues with moving funding on `sim` — then the funding store, and runs
 * {@linkcode FundingArbitrageStrategy} on the runner with the trade log and notifications.
 * `--paper` trades each venue's live book on a paper account; nothing is sent. On a live
 * network `--paper` needs no credentials: each venue's client is opened public-only (market
 * data only) and each paper account starts with `PUBLIC_PAPER_BALANCE`.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import {
  type Clock,
  ConfigurationError,
  type ExchangeClient,
  type FundingAdapter,
} from "../base.ts";
import { systemClock } from "../exchanges/_shared/clock.ts";
import type { FundingStore } from "../funding/store.ts";
import { setupLogging } from "../helpers/logging.ts";
import { Notifications, notifiersFromEnv } from "../helpers/notifier.ts";
import { PaperTradingClient, PUBLIC_PAPER_BALANCE } from "./paper_trading.ts";
import { type ArbVenue, FundingArbitrageStrategy } from "./funding_arbitrage.ts";
import { runStrategy } from "./runner.ts";
import { TradeLog } from "./trade_log.ts";
import {
  type BotNetwork,
  type BotVenue,
  openVenueClient,
  requireLiveVenues,
  VenueClientUnavailableError,
} from "./venue_clients.ts";

/**
 * Settings of {@linkcode runFundingArbBot} (the CLI's `ArbConfig` plus the common flags).
 *
 * @example
 * ```ts
 * import type { FundingArbBotOptions } from "./funding_arb_bot.ts";
 * const o: FundingArbBotOptions = {
 *   venues: ["lighter", "grvt"], network: "sim", notional: "1000", holdHours: "24",
 *   minNetApr: "0.1", exitBuffer: "0.0002", maxDivergence: "0.005", settlementWindowMin: 10,
 *   maxFailedOpens: 3, maxPositions: 3, db: ":memory:", botId: "bot", simProtocol: "paper",
 *   dryRun: false, cancelOnExit: false,
 * };
 * ```
 */
export interface FundingArbBotOptions {
  /** Venues. */
  venues: BotVenue[];
  /** Network. */
  network: BotNetwork;
  /** One leg on this venue. */
  requiredVenue?: BotVenue;
  /** Notional per entry, USD. */
  notional: string;
  /** Horizon, hours. */
  holdHours: string;
  /** Minimum net APR. */
  minNetApr: string;
  /** Exit buffer. */
  exitBuffer: string;
  /** Most divergence. */
  maxDivergence: string;
  /** Settlement window, minutes. */
  settlementWindowMin: number;
  /** Failed opens per pair per hour. */
  maxFailedOpens: number;
  /** Most positions. */
  maxPositions: number;
  /** Most notional per symbol, USD. @default {unlimited} */
  maxSymbolNotional?: string;
  /** Most notional per venue, USD. @default {unlimited} */
  maxVenueNotional?: string;
  /** Most notional in total, USD. @default {unlimited} */
  maxTotalNotional?: string;
  /**
   * Leverage per venue (`--leverage 3` → every venue; `lighter=3,grvt=5` → per venue), set
   * before the first entry; above a market's maximum the start is refused.
   * @default {none set}
   */
  leverage?: string | Readonly<Record<string, number>>;
  /** Store: `postgres://…`, a SQLite path or `:memory:`. */
  db: string;
  /** Bot id. */
  botId: string;
  /** `sim`: replicas or paper. */
  simProtocol: "replica" | "paper";
  /** Log level. */
  logLevel?: string;
  /**
   * Paper trading: each venue's client is wrapped in a `PaperTradingClient` (orders fill on a
   * paper account against the venue's book; nothing is sent). Positions go to the store under
   * `<network>-paper`, never beside real ones. On `mainnet` / `testnet` the venues are opened
   * public-only: no credentials are checked or read. @default {false}
   */
  paper?: boolean;
  /** Deprecated alias of `paper`. */
  dryRun: boolean;
  /** Close every arbitrage on exit. */
  cancelOnExit: boolean;
}

/**
 * What {@linkcode runFundingArbBot} needs from its caller.
 *
 * @example
 * ```ts
 * import type { FundingArbBotContext } from "./funding_arb_bot.ts";
 * const c: FundingArbBotContext = { io: { stdout: () => {}, stderr: () => {} }, logDir: null };
 * ```
 */
export interface FundingArbBotContext {
  /** One-line errors. */
  io: { stdout(text: string): void; stderr(text: string): void };
  /** Environment. @default {Deno.env.get} */
  env?: (name: string) => string | undefined;
  /** Clock (a ManualClock drives the simulated venues too). @default {systemClock} */
  clock?: Clock;
  /** Stops the bot. */
  signal?: AbortSignal;
  /** Log folder; `null` writes no files. @default {"logs"} */
  logDir?: string | null;
  /** Reconfigure LogTape. @default {true} */
  configureLogging?: boolean;
  /** Listen for SIGINT / SIGTERM. @default {true} */
  installSignalHandlers?: boolean;
  /** Every action line (tests). */
  onAction?: (line: string) => void;
  /** Called with the strategy and the simulated venues once running (tests). */
  onStarted?: (strategy: FundingArbitrageStrategy, venues: ArbVenue[]) => void;
}

function denoEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** Opens the store for one network: its rows carry that network and it reads no other's. */
async function openStore(db: string, network: string): Promise<FundingStore> {
  if (db.startsWith("postgres://") || db.startsWith("postgresql://")) {
    const { PostgresFundingStore } = await import("../funding/postgres_store.ts");
    return await PostgresFundingStore.open(db, { network });
  }
  const { SqliteFundingStore } = await import("../funding/sqlite_store.ts");
  return await SqliteFundingStore.open(db, { network });
}

interface Opened {
  venues: ArbVenue[];
  close(): Promise<void>;
}

async function openVenues(
  options: FundingArbBotOptions,
  clock: Clock,
  env: (name: string) => string | undefined,
): Promise<Opened> {
  return options.network === "sim"
    ? await openSimVenues(options, clock)
    : await openLiveVenues(options, options.network, clock, env);
}

function isPaper(options: FundingArbBotOptions): boolean {
  return options.paper === true || options.dryRun;
}

/**
 * The venues' real clients and funding adapters. Every venue is checked (EdgeX testnet,
 * host variables, credentials) before any adapter or client is built, so one venue that cannot
 * run leaves the others untouched.
 */
async function openLiveVenues(
  options: FundingArbBotOptions,
  network: "mainnet" | "testnet",
  clock: Clock,
  env: (name: string) => string | undefined,
): Promise<Opened> {
  const paper = isPaper(options);
  requireLiveVenues(options.venues, network, env, { publicOnly: paper });
  const { openFundingSources } = await import("../funding/sources.ts");
  const sources = await openFundingSources(options.venues, {
    network,
    env,
    adapterClock: clock,
  });
  const connections: { close(): Promise<void> }[] = [];
  const venues: ArbVenue[] = [];
  const close = async () => {
    for (const v of venues) await v.client.disconnect().catch(() => {});
    for (const c of connections) await c.close().catch(() => {});
    await sources.close();
  };
  try {
    for (const [i, name] of options.venues.entries()) {
      const source = sources.sources[i];
      if (!source.adapter) {
        const why = `no ${name} funding rates on ${network}: ${source.unavailable}`;
        throw new ConfigurationError(why, { venue: name });
      }
      // Paper reads public market data only: no credentials are checked, read or sent.
      const connection = await openVenueClient(name, { network, env, clock, publicOnly: paper });
      connections.push(connection);
      const client = paper
        ? new PaperTradingClient(connection.client, {
          clock,
          startingBalance: PUBLIC_PAPER_BALANCE,
        })
        : connection.client;
      venues.push({ name, client, funding: source.adapter });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { venues, close };
}

/** The in-process replicas (or paper venues) with moving funding. */
async function openSimVenues(options: FundingArbBotOptions, clock: Clock): Promise<Opened> {
  const { startSimVenue } = await import("../sim/network.ts");
  const { ManualClock } = await import("../exchanges/_shared/clock.ts");
  const manual = clock instanceof ManualClock ? clock : undefined;
  const sims: { close(): Promise<void> }[] = [];
  const venues: ArbVenue[] = [];
  for (const [i, name] of options.venues.entries()) {
    const sim = await startSimVenue(name, {
      clock: manual,
      seed: i + 1,
      protocol: options.simProtocol,
      funding: "premium",
    });
    sims.push(sim);
    const client: ExchangeClient = isPaper(options)
      ? new PaperTradingClient(sim.client(), { clock: sim.clock })
      : sim.client();
    const funding: FundingAdapter = sim.fundingAdapter();
    venues.push({ name, client, funding });
  }
  return {
    venues,
    close: async () => {
      for (const v of venues) await v.client.disconnect().catch(() => {});
      for (const v of venues) await v.funding.close().catch(() => {});
      for (const s of sims) await s.close();
    },
  };
}

/**
 * Runs the funding-arbitrage bot until Ctrl-C or an unexpected error.
 *
 * @param options Settings.
 * @param context Output, environment, clock, signal.
 * @returns The exit code (0 stopped, 1 error, 2 configuration).
 *
 * @example One virtual minute on two paper venues
 * ```ts
 * import { ManualClock } from "../exchanges/_shared/clock.ts";
 * import { runFundingArbBot } from "./funding_arb_bot.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const clock = new ManualClock(Date.UTC(2026, 0, 1));
 * const stop = new AbortController();
 * const done = runFundingArbBot({
 *   venues: ["lighter", "grvt"], network: "sim", notional: "1000", holdHours: "24",
 *   minNetApr: "0.1", exitBuffer: "0.0002", maxDivergence: "0.005", settlementWindowMin: 10,
 *   maxFailedOpens: 3, maxPositions: 3, db: ":memory:", botId: "doc", simProtocol: "paper",
 *   dryRun: false, cancelOnExit: true,
 * }, {
 *   io: { stdout: () => {}, stderr: () => {} }, env: () => undefined, clock, signal: stop.signal,
 *   logDir: null, configureLogging: false, installSignalHandlers: false, onAction: () => {},
 * });
 * await clock.advance(60_000);
 * stop.abort();
 * await clock.advance(60_000);
 * equal(await done, 0);
 * ```
 */
export async function runFundingArbBot(
  options: FundingArbBotOptions,
  context: FundingArbBotContext,
): Promise<number> {
  const env = context.env ?? denoEnv;
  const clock = context.clock ?? systemClock;
  const paper = isPaper(options);
  const label = `${paper ? "PAPER " : ""}ARB_${options.venues.join("_").toUpperCase()}`;
  const logDir = context.logDir === undefined ? "logs" : context.logDir;
  if (options.network !== "sim") {
    // Before any file is written: a start that cannot trade leaves no log behind.
    try {
      requireLiveVenues(options.venues, options.network, env, { publicOnly: paper });
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      context.io.stderr(`error: ${error.message}\n`);
      return 2;
    }
  }
  if (context.configureLogging ?? true) {
    await setupLogging({
      level: options.logLevel,
      file: logDir === null ? undefined : `${logDir}/funding_arb_${options.botId}_activity.log`,
      fileLevel: "debug",
      write: (line) => context.io.stderr(line),
      env,
    });
  }
  const log = getLogger(["perp", "bot", "arb"]);
  let leverage: Readonly<Record<string, number>> | undefined;
  try {
    leverage = typeof options.leverage === "string"
      ? parseLeverage(options.leverage, options.venues)
      : options.leverage;
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    context.io.stderr(`error: ${error.message}\n`);
    return 2;
  }
  let opened: Opened;
  let store: FundingStore;
  try {
    opened = await openVenues(options, clock, env);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      context.io.stderr(`error: ${error.message}\n`);
      return 2;
    }
    if (error instanceof VenueClientUnavailableError) {
      context.io.stderr(`perp bot: ${error.message}\n`);
      return 3;
    }
    throw error;
  }
  try {
    // The default file is the real network's; a simulated run keeps its own file (like
    // `funding --network sim`), and the network column keeps a shared store apart anyway.
    const defaulted = options.db === "data/funding.db";
    const db = defaulted && env("DATABASE_URL")
      ? env("DATABASE_URL")!
      : defaulted && options.network === "sim"
      ? "data/funding-sim.db"
      : options.db;
    // Paper positions never sit beside real ones: a real run would reconcile them against the
    // venue and find legs that were never sent.
    store = await openStore(db, paper ? `${options.network}-paper` : options.network);
  } catch (error) {
    await opened.close();
    context.io.stderr(`error: cannot open the funding store: ${(error as Error).message}\n`);
    return 2;
  }
  const notifications = new Notifications(notifiersFromEnv(env));
  // A message from a simulated or test network never reads like one from real money.
  const networkTag = paper
    ? `[${options.network.toUpperCase()} PAPER] `
    : options.network === "mainnet"
    ? ""
    : `[${options.network.toUpperCase()}] `;
  const notify = (text: string) => notifications.notify(networkTag + text);
  const tradeLog = new TradeLog({
    ...(logDir === null ? {} : { path: `${logDir}/funding_arb_${options.botId}_orders.csv` }),
    network: paper ? "paper" : options.network,
    strategy: "funding-arbitrage",
  });
  const strategy = new FundingArbitrageStrategy({
    owner: options.botId,
    notionalUsd: options.notional,
    holdHours: options.holdHours,
    minNetApr: options.minNetApr,
    exitBuffer: options.exitBuffer,
    maxDivergence: options.maxDivergence,
    settlementWindowMs: options.settlementWindowMin * 60_000,
    maxFailedOpensPerHour: options.maxFailedOpens,
    maxPositions: options.maxPositions,
    ...(options.maxSymbolNotional ? { maxSymbolNotionalUsd: options.maxSymbolNotional } : {}),
    ...(options.maxVenueNotional ? { maxVenueNotionalUsd: options.maxVenueNotional } : {}),
    ...(options.maxTotalNotional ? { maxTotalNotionalUsd: options.maxTotalNotional } : {}),
    ...(leverage ? { leverage } : {}),
    ...(options.requiredVenue ? { requiredVenue: options.requiredVenue } : {}),
    closeOnStop: options.cancelOnExit,
    stepMs: 5_000,
  }, {
    venues: opened.venues,
    store,
    clock,
    notify,
    tradeLog,
    ...(context.onAction ? { onAction: context.onAction } : {}),
  });
  const stop = new AbortController();
  const onOuter = () => stop.abort();
  context.signal?.addEventListener("abort", onOuter, { once: true });
  const removers: (() => void)[] = [];
  if (context.installSignalHandlers ?? true) {
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      const handler = () => stop.abort();
      try {
        Deno.addSignalListener(sig, handler);
        removers.push(() => Deno.removeSignalListener(sig, handler));
      } catch {
        // SIGTERM cannot be listened to on Windows.
      }
    }
  }
  const paperNote = !paper
    ? ""
    : options.network === "sim"
    ? ", paper"
    : ", paper: public market data only, no credentials needed; nothing is sent to the venues";
  log.info(
    `[${label}] Starting funding arbitrage on ${options.venues.join(", ")} ` +
      `(${options.network}${paperNote}) as ${options.botId}`,
  );
  context.onStarted?.(strategy, opened.venues);
  try {
    const result = await runStrategy(strategy, { clock, signal: stop.signal, notify, label });
    if (result.reason === "error") context.io.stderr(`error: ${result.detail}\n`);
    return result.exitCode;
  } finally {
    for (const r of removers) r();
    context.signal?.removeEventListener("abort", onOuter);
    tradeLog.close();
    await opened.close();
    await store.close();
  }
}

/**
 * Reads `--leverage`: one number for every venue (`3`) or `venue=number` pairs
 * (`lighter=3,grvt=5`), each venue one of `venues`.
 *
 * @param text The flag's value.
 * @param venues The bot's venues.
 * @returns Leverage per venue.
 * @throws {ConfigurationError} Naming what is wrong.
 *
 * @example
 * ```ts
 * import { parseLeverage } from "./funding_arb_bot.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * deepEqual(parseLeverage("3", ["lighter", "grvt"]), { lighter: 3, grvt: 3 });
 * deepEqual(parseLeverage("lighter=3,grvt=5", ["lighter", "grvt"]), { lighter: 3, grvt: 5 });
 * ```
 */
export function parseLeverage(text: string, venues: readonly string[]): Record<string, number> {
  const number = (s: string, what: string) => {
    if (!/^\d+(\.\d+)?$/.test(s.trim()) || !(Number(s) > 0)) {
      throw new ConfigurationError(
        `--leverage${what ? ` ${what}` : ""} must be a positive number such as 3: got '${s}'`,
      );
    }
    return Number(s);
  };
  if (!text.includes("=")) {
    const lev = number(text, "");
    return Object.fromEntries(venues.map((v) => [v, lev]));
  }
  const out: Record<string, number> = {};
  for (const part of text.split(",")) {
    const [venue, value, ...rest] = part.split("=").map((x) => x.trim());
    if (value === undefined || rest.length > 0 || !venues.includes(venue.toLowerCase())) {
      throw new ConfigurationError(
        `--leverage takes a number or venue=number pairs of ${venues.join(", ")}: got '${part}'`,
      );
    }
    out[venue.toLowerCase()] = number(value, `for ${venue}`);
  }
  return out;
}
