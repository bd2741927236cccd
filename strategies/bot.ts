/**
 * `deno task bot`: wires a venue client, the grid strategy, the runner, the trade log, the
 * activity log and the notifications together, and handles Ctrl-C (SIGINT / SIGTERM: stop
 * opening, optionally cancel resting opens, leave the take-profits, flush the logs).
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { type Clock, ConfigurationError, NotFoundError, redact, registerSecret } from "../base.ts";
import { systemClock } from "../exchanges/_shared/clock.ts";
import { setupLogging } from "../helpers/logging.ts";
import { Notifications, notifiersFromEnv } from "../helpers/notifier.ts";
import { DryRunClient } from "./dry_run.ts";
import { type FundingArbBotOptions, runFundingArbBot } from "./funding_arb_bot.ts";
import { GridStrategy } from "./grid.ts";
import { runStrategy } from "./runner.ts";
import { BotStatusTracker, serveBotStatus } from "./status_server.ts";
import { TradeLog, tradeLogPaths } from "./trade_log.ts";
import {
  type BotNetwork,
  type BotVenue,
  openVenueClient,
  readSimEnvFile,
  VenueClientUnavailableError,
  type VenueConnection,
} from "./venue_clients.ts";

/**
 * The bot's settings: the validated flags of `perp bot` (the CLI's `BotConfig` fits).
 *
 * @example
 * ```ts
 * import type { BotOptions } from "./bot.ts";
 * const o: BotOptions = {
 *   exchange: "grvt", strategy: "grid", ticker: "BTC", quantity: "0.01", takeProfit: "0.02",
 *   direction: "buy", maxOrders: 40, waitTime: 450, gridStep: "-100", stopPrice: "-1",
 *   pausePrice: "-1", network: "sim", dryRun: false, cancelOnExit: false,
 * };
 * ```
 */
export interface BotOptions {
  /** Venue. */
  exchange: BotVenue;
  /** Strategy: `grid` or `funding-arbitrage`. */
  strategy: string;
  /** `funding-arbitrage`: the venues. */
  venues?: BotVenue[];
  /** Grid: repair or stop on a position mismatch. @default {"repair"} */
  onMismatch?: "repair" | "stop";
  /** `funding-arbitrage` settings. */
  arb?: Omit<FundingArbBotOptions, "venues" | "network" | "logLevel" | "dryRun" | "cancelOnExit">;
  /** Unified symbol. */
  ticker: string;
  /** Size of each open order. */
  quantity: string;
  /** Take-profit percent. */
  takeProfit: string;
  /** Side of the opens. */
  direction: "buy" | "sell";
  /** Most resting take-profits. */
  maxOrders: number;
  /** Base cooldown, seconds. */
  waitTime: number;
  /** Grid step percent, -100 = off. */
  gridStep: string;
  /** Stop price, -1 = off. */
  stopPrice: string;
  /** Pause price, -1 = off. */
  pausePrice: string;
  /** Endpoints. */
  network: BotNetwork;
  /**
   * With `network: "sim"`: the env file of a running `deno task sim` to attach to, instead of
   * starting a replica in-process (a restart then finds what the last run left there).
   */
  simEnv?: string;
  /** Log level; absent = environment / default. */
  logLevel?: string;
  /** Log orders instead of sending them. */
  dryRun: boolean;
  /** Cancel resting opens on exit. */
  cancelOnExit: boolean;
  /** Serve the Bots page and `/api/v1/bot` on this port (0 = any free port); absent = off. */
  statusPort?: number;
  /** Address of the status server. @default {"127.0.0.1"} Anything else needs `statusToken`. */
  statusHost?: string;
  /** Bearer token the status server requires. */
  statusToken?: string;
}

/**
 * What {@linkcode runBot} needs from its caller.
 *
 * @example
 * ```ts
 * import type { BotContext } from "./bot.ts";
 * const ctx: BotContext = { io: { stdout: () => {}, stderr: () => {} }, installSignalHandlers: false };
 * ```
 */
export interface BotContext {
  /** Where one-line errors go (log lines go through LogTape). */
  io: { stdout(text: string): void; stderr(text: string): void };
  /** Reads environment variables. @default {Deno.env.get} */
  env?: (name: string) => string | undefined;
  /** Clock. @default {systemClock} */
  clock?: Clock;
  /** Stops the bot (as Ctrl-C does). */
  signal?: AbortSignal;
  /** Folder of the trade and activity logs; `null` writes no files. @default {"logs"} */
  logDir?: string | null;
  /** Reconfigure LogTape with the activity-log file. @default {true} */
  configureLogging?: boolean;
  /** Listen for SIGINT / SIGTERM. @default {true} */
  installSignalHandlers?: boolean;
  /** HTTP client of the notifications. @default {globalThis.fetch} */
  fetch?: typeof fetch;
  /** Called with the venue connection once it is open (tests reach the simulator here). */
  onConnected?: (venue: VenueConnection) => void;
  /** Called with the status server's URL once it listens (`statusPort`). */
  onStatusServer?: (url: string) => void;
}

/** Starts the status server of a tracker; returns what stops both. */
async function startStatus(
  options: BotOptions,
  context: BotContext,
  tracker: BotStatusTracker,
): Promise<() => Promise<void>> {
  const fromEnv = (context.env ?? denoEnv)("BOT_STATUS_TOKEN");
  const token = options.statusToken ?? (fromEnv ? fromEnv : undefined);
  if (token !== undefined) registerSecret(token);
  const server = await serveBotStatus(tracker, {
    port: options.statusPort!,
    ...(options.statusHost !== undefined ? { hostname: options.statusHost } : {}),
    ...(token !== undefined ? { token } : {}),
  });
  getLogger(["perp", "bot"]).info(`Bot status page on ${server.url}/`);
  context.onStatusServer?.(server.url);
  void tracker.start();
  return async () => {
    tracker.stop();
    await server.close();
  };
}

function denoEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return redact(text).split("\n")[0];
}

/**
 * Runs the bot until Ctrl-C, a stop condition or an unexpected error.
 *
 * Exit codes: 0 stopped by signal or stop price, 1 position mismatch or unexpected error,
 * 2 a configuration problem (missing credentials, unknown ticker, quantity off the size step),
 * 3 the venue's live client is not built yet.
 *
 * @param options The validated flags.
 * @param context Output, environment, clock, signal and log folder.
 * @returns The process exit code.
 *
 * @example Thirty virtual seconds on the GRVT replica
 * ```ts
 * import { ManualClock } from "../exchanges/_shared/clock.ts";
 * import { runBot } from "./bot.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const clock = new ManualClock(Date.UTC(2026, 0, 1));
 * const stop = new AbortController();
 * const done = runBot(
 *   {
 *     exchange: "grvt", strategy: "grid", ticker: "BTC", quantity: "0.01", takeProfit: "0.02",
 *     direction: "buy", maxOrders: 40, waitTime: 450, gridStep: "-100", stopPrice: "-1",
 *     pausePrice: "-1", network: "sim", dryRun: false, cancelOnExit: true,
 *   },
 *   {
 *     io: { stdout: () => {}, stderr: () => {} },
 *     env: () => undefined,
 *     clock,
 *     signal: stop.signal,
 *     logDir: null,
 *     configureLogging: false,
 *     installSignalHandlers: false,
 *   },
 * );
 * await clock.advance(30_000);
 * stop.abort();
 * await clock.advance(30_000);
 * equal(await done, 0);
 * ```
 */
export async function runBot(options: BotOptions, context: BotContext): Promise<number> {
  const { io } = context;
  const env = context.env ?? denoEnv;
  const clock = context.clock ?? systemClock;
  if (options.strategy === "funding-arbitrage") {
    if (!options.arb || !options.venues) {
      io.stderr("error: --strategy funding-arbitrage needs --venues\n");
      return 2;
    }
    let stopStatus: Promise<() => Promise<void>> | undefined;
    try {
      return await runFundingArbBot({
        ...options.arb,
        venues: options.venues,
        network: options.network,
        ...(options.logLevel !== undefined ? { logLevel: options.logLevel } : {}),
        dryRun: options.dryRun,
        cancelOnExit: options.cancelOnExit,
      }, {
        ...context,
        onStarted: (strategy, venues) => {
          if (options.statusPort === undefined) return;
          const tracker = new BotStatusTracker({
            strategy: options.strategy,
            network: options.network,
            clients: venues.map((v) => ({ venue: v.name, client: v.client })),
            arbitrage: { positions: () => strategy.positions(), venues },
            clock,
          });
          stopStatus = startStatus(options, context, tracker);
          stopStatus.catch((error) => io.stderr(`error: status server: ${oneLine(error)}\n`));
        },
      });
    } finally {
      if (stopStatus) await (await stopStatus.catch(() => async () => {}))();
    }
  }
  if (options.strategy !== "grid") {
    io.stderr(`error: --strategy ${options.strategy} is not available; use --strategy grid\n`);
    return 2;
  }
  const label = `${options.exchange.toUpperCase()}_${options.ticker}`;
  const accountName = env("ACCOUNT_NAME")?.trim() || undefined;
  const paths = context.logDir === null
    ? undefined
    : tradeLogPaths(options.exchange, options.ticker, {
      dir: context.logDir ?? "logs",
      network: options.network,
      accountName,
    });

  let venue: VenueConnection;
  try {
    if (options.simEnv !== undefined && options.network !== "sim") {
      throw new ConfigurationError("--sim-env needs --network sim");
    }
    venue = await openVenueClient(options.exchange, {
      network: options.network,
      env,
      clock,
      simEnv: options.simEnv === undefined ? undefined : readSimEnvFile(options.simEnv),
    });
  } catch (error) {
    if (error instanceof VenueClientUnavailableError) {
      io.stderr(`perp bot: ${error.message}\n`);
      return 3;
    }
    if (error instanceof ConfigurationError) {
      io.stderr(`error: ${oneLine(error)}\n`);
      return 2;
    }
    throw error;
  }
  context.onConnected?.(venue);
  // Files are created only once the venue is reachable in principle (no log of a typo).
  if (context.configureLogging ?? true) {
    await setupLogging({
      level: options.logLevel,
      file: paths?.activity,
      fileLevel: "debug",
      write: (line) => io.stderr(line),
      env,
    });
  }
  const log = getLogger(["perp", "bot"]);

  const notifications = new Notifications(notifiersFromEnv(env, { fetch: context.fetch }));
  const notify = (text: string) => notifications.notify(text);
  const tradeLog = new TradeLog(paths ? { path: paths.orders } : {});
  const client = options.dryRun ? new DryRunClient(venue.client) : venue.client;
  const strategy = new GridStrategy(
    {
      symbol: options.ticker,
      quantity: options.quantity,
      takeProfit: options.takeProfit,
      direction: options.direction,
      maxOrders: options.maxOrders,
      waitTimeSec: options.waitTime,
      gridStep: options.gridStep,
      stopPrice: options.stopPrice,
      pausePrice: options.pausePrice,
      cancelOnExit: options.cancelOnExit,
      onMismatch: options.onMismatch ?? "repair",
      idPrefix: `${options.exchange}/${accountName ?? "default"}/${options.ticker}/` +
        `${options.direction}`,
      label,
    },
    { client, clock, notify, tradeLog },
  );

  let stopStatus: (() => Promise<void>) | undefined;
  if (options.statusPort !== undefined) {
    try {
      stopStatus = await startStatus(
        options,
        context,
        new BotStatusTracker({
          strategy: options.strategy,
          network: options.network,
          clients: [{ venue: options.exchange, client }],
          symbols: [options.ticker],
          clock,
        }),
      );
    } catch (error) {
      io.stderr(`error: status server: ${oneLine(error)}\n`);
      tradeLog.close();
      await venue.close();
      return 2;
    }
  }

  const stop = new AbortController();
  const onOuterAbort = () => stop.abort();
  context.signal?.addEventListener("abort", onOuterAbort, { once: true });
  if (context.signal?.aborted) stop.abort();
  const removers: (() => void)[] = [];
  let firstSignalAt = 0;
  if (context.installSignalHandlers ?? true) {
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      const handler = () => {
        if (stop.signal.aborted) {
          // A terminal's Ctrl-C can arrive twice at once (the task runner forwards it too);
          // only a second press a moment later forces the exit.
          if (Date.now() - firstSignalAt < 1_000) return;
          log.warn(`[${label}] ${sig} again: exiting now without waiting`);
          Deno.exit(130);
        }
        firstSignalAt = Date.now();
        log.info(
          `[${label}] ${sig} received: no new orders; ` +
            `${options.cancelOnExit ? "canceling resting opens, " : ""}leaving take-profits`,
        );
        stop.abort();
      };
      try {
        Deno.addSignalListener(sig, handler);
        removers.push(() => Deno.removeSignalListener(sig, handler));
      } catch {
        // SIGTERM cannot be listened to on Windows.
      }
    }
  }

  log.info(
    `[${label}] Starting the grid bot on ${options.exchange} (${options.network}` +
      `${options.simEnv ? `, attached to the replica of ${options.simEnv}` : ""}` +
      `${options.dryRun ? ", dry run" : ""})` +
      (paths ? `; trade log ${paths.orders}, activity log ${paths.activity}` : ""),
  );
  try {
    const result = await runStrategy(strategy, { clock, signal: stop.signal, notify, label });
    if (result.reason === "error") {
      const e = result.error;
      if (
        result.phase === "start" && (e instanceof ConfigurationError || e instanceof NotFoundError)
      ) {
        io.stderr(`error: ${oneLine(e)}\n`);
        return 2;
      }
      io.stderr(`error: ${result.detail}\n`);
      return result.exitCode;
    }
    if (result.reason === "signal") {
      await notify(`INFO: [${label}] Grid bot stopped (signal)`);
    }
    log.info(
      `[${label}] Bot stopped: ${result.detail} (opens filled ${strategy.stats.opensFilled}, ` +
        `take-profits placed ${strategy.stats.closesPlaced}, filled ${strategy.stats.tpFills})`,
    );
    return result.exitCode;
  } finally {
    try {
      context.signal?.removeEventListener("abort", onOuterAbort);
      await stopStatus?.();
      tradeLog.close();
      await venue.close();
    } finally {
      // Last: a repeated Ctrl-C while the venue closes must still meet our handler, not the
      // default one that would kill the process with 130.
      for (const remove of removers) remove();
    }
  }
}
