/**
 * `deno task bot`: wires a venue client, the grid strategy, the runner, the trade log, the
 * activity log and the notifications together, and handles Ctrl-C (SIGINT / SIGTERM: stop
 * opening, optionally cancel resting opens, leave the take-profits, flush the logs).
 *
 * Before anything is sent, the pre-trade checks (`preflight.ts`) refuse with one line per
 * problem, exit 2. The PnL split (`pnl.ts`) is on the status line, in the stop summary and on
 * the `--status-port` page. The activity log is written at the console's level (DEBUG only
 * with `--log-level debug`) and rotates by size.
 *
 * `--json` prints one JSON object per line on stdout (log lines stay on stderr); decimals are
 * strings, times ISO-8601 UTC:
 *
 * - `{"event":"start","time","run_id","strategy","venue","symbol","network","direction","quantity","take_profit_percent"}`
 * - `{"event":"order","time","run_id","venue","symbol","kind","status","side","size","price","client_order_id","order_id"}`
 *   — every trade-log row of an order: `placed`, `filled`, `canceled`, `expired`, `rejected`,
 *   `canceled_partial` …
 * - `{"event":"fill","time","run_id","venue","symbol","kind","side","size","price","client_order_id","order_id","fee","realized_pnl"}`
 *   (`"from_order":true` on a fill the private stream missed, booked from its order's state;
 *   its fee is estimated from the venue's rate)
 * - `{"event":"funding","time","venue","symbol","amount"}`
 * - `{"event":"status","time","position","pnl":{"realized","unrealized","fees","funding","net"}}`
 *   — at start and every status interval (60 s)
 * - `{"event":"stop","time","run_id","reason","exit_code","opens_filled","take_profits_filled","fills","position","pnl":{…}}`
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import {
  type Clock,
  ConfigurationError,
  Decimal,
  type ExchangeClient,
  NotFoundError,
  redact,
  registerSecret,
} from "../base.ts";
import { systemClock } from "../exchanges/_shared/clock.ts";
import { setupLogging } from "../helpers/logging.ts";
import { Notifications, notifiersFromEnv } from "../helpers/notifier.ts";
import { type FundingArbBotOptions, runFundingArbBot } from "./funding_arb_bot.ts";
import { GridStrategy } from "./grid.ts";
import { PaperTradingClient, PUBLIC_PAPER_BALANCE } from "./paper_trading.ts";
import { formatPnl, pnlJson, PnlTracker } from "./pnl.ts";
import { publishedFees } from "../funding/fees.ts";
import { preflightGrid } from "./preflight.ts";
import { runStrategy } from "./runner.ts";
import { BotStatusTracker, serveBotStatus } from "./status_server.ts";
import { newRunId, TradeLog, tradeLogPaths, type TradeRecord } from "./trade_log.ts";
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
  /**
   * Trade on a paper account against the venue's live book (`--paper`): nothing is sent to the
   * venue; fills, fees and PnL are simulated (see `PaperTradingClient`). On `mainnet` /
   * `testnet` the venue's client is opened public-only: no credentials are checked or read,
   * and the paper account starts with `PUBLIC_PAPER_BALANCE`. @default {false}
   */
  paper?: boolean;
  /** `--dry-run`: a deprecated alias of `paper` (a deprecation line is printed). */
  dryRun: boolean;
  /** Cancel resting opens on exit. */
  cancelOnExit: boolean;
  /** Serve the Bots page and `/api/v1/bot` on this port (0 = any free port); absent = off. */
  statusPort?: number;
  /** Address of the status server. @default {"127.0.0.1"} Anything else needs `statusToken`. */
  statusHost?: string;
  /** Bearer token the status server requires. */
  statusToken?: string;
  /**
   * Start even when the take-profit is at or below the round-trip fee or above 10 %
   * (`--force`); the pre-trade checks warn instead. @default {false}
   */
  force?: boolean;
  /**
   * Print one JSON event per line on stdout (`--json`; the shapes are in the module
   * documentation); log lines stay on stderr and in the activity log. @default {false}
   */
  json?: boolean;
  /** Activity log: size at which it rotates, bytes. @default {10 MB} */
  logMaxBytes?: number;
  /** Activity log: rotated files kept. @default {5} */
  logFiles?: number;
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
  /** Period of the status line and of `--json` status events (ms). @default {60000} */
  statusIntervalMs?: number;
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
  let server: Awaited<ReturnType<typeof serveBotStatus>>;
  try {
    server = await serveBotStatus(tracker, {
      port: options.statusPort!,
      ...(options.statusHost !== undefined ? { hostname: options.statusHost } : {}),
      ...(token !== undefined ? { token } : {}),
    });
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new Error(
        `--status-port ${options.statusPort} on ${options.statusHost ?? "127.0.0.1"} is in use: ` +
          "stop what listens there or pick another --status-port (0 picks a free one)",
      );
    }
    throw error;
  }
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
        paper: options.paper === true || options.dryRun,
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
  // Paper rows never share a file with real or simulated orders; every line says "PAPER".
  const paper = options.paper === true || options.dryRun;
  if (options.dryRun) {
    io.stderr(
      "warning: --dry-run is deprecated and now runs --paper: orders fill on a paper account " +
        "against the venue's live book; nothing is sent to the venue\n",
    );
  }
  const label = `${paper ? "PAPER " : ""}${options.exchange.toUpperCase()}_${options.ticker}`;
  const accountName = env("ACCOUNT_NAME")?.trim() || undefined;
  const paths = context.logDir === null
    ? undefined
    : tradeLogPaths(options.exchange, options.ticker, {
      dir: context.logDir ?? "logs",
      network: options.network,
      accountName,
      paper,
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
      // Paper on a live network reads public market data only: no credentials are checked,
      // read or sent.
      publicOnly: paper && options.network !== "sim",
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
  // Test hook: `PERP_BOT_TEST_CLOSE_DELAY_MS` makes closing the venue take that much longer,
  // so a process test can land a repeated Ctrl-C while the venue closes.
  const closeDelayMs = Number(env("PERP_BOT_TEST_CLOSE_DELAY_MS") ?? 0);
  if (closeDelayMs > 0) {
    const opened = venue;
    venue = { ...opened, close: () => clock.sleep(closeDelayMs).then(() => opened.close()) };
  }
  context.onConnected?.(venue);
  // Files are created only once the venue is reachable in principle (no log of a typo).
  if (context.configureLogging ?? true) {
    // The file gets the console's level: DEBUG lines only with --log-level debug.
    await setupLogging({
      level: options.logLevel,
      file: paths?.activity,
      write: (line) => io.stderr(line),
      env,
      ...(options.logMaxBytes !== undefined ? { maxFileBytes: options.logMaxBytes } : {}),
      ...(options.logFiles !== undefined ? { maxFiles: options.logFiles } : {}),
    });
  }
  const log = getLogger(["perp", "bot"]);
  const emit = options.json
    ? (event: Record<string, unknown>) => io.stdout(`${JSON.stringify(event)}\n`)
    : undefined;
  const runId = newRunId(clock.now());

  const notifications = new Notifications(notifiersFromEnv(env, { fetch: context.fetch }));
  // A message from a simulated or test network never reads like one from real money.
  const networkTag = options.network === "mainnet" ? "" : `[${options.network.toUpperCase()}] `;
  const notify = (text: string) => notifications.notify(networkTag + text);
  const tradeLog = new TradeLog({
    ...(paths ? { path: paths.orders } : {}),
    runId,
    network: paper ? "paper" : options.network,
    strategy: "grid",
    venue: options.exchange,
    symbol: options.ticker,
    ...(emit ? { onRow: (row: TradeRecord) => emit(rowEvent(row)) } : {}),
  });
  if (tradeLog.lockedBy && paths) {
    log.warn(
      `[${label}] Another bot (pid ${tradeLog.lockedBy.pid}, run ${
        tradeLog.lockedBy.runId ?? "?"
      }) writes ${paths.orders}: its rows and ours are told apart by run_id ${runId}; two ` +
        `grids on one account and symbol are not safe`,
    );
  }
  const client = paper
    ? new PaperTradingClient(venue.client, {
      clock,
      ...(venue.publicOnly ? { startingBalance: PUBLIC_PAPER_BALANCE } : {}),
    })
    : venue.client;
  // Fills the private stream misses (a reconnect) are booked from the orders' states; orders
  // from before this run are in the seeded position and never booked again.
  const pnl = new PnlTracker({
    feeRates: { [options.exchange]: publishedFees(options.exchange) },
    since: clock.now(),
  });
  const offFills = client.onEvent((e) => {
    if (e.type === "fill" && e.fill.symbol === options.ticker) {
      const f = e.fill;
      // A part already written as `fill_from_order` is not written twice.
      const covered = pnl.coveredSize(f);
      const realized = pnl.onFill(f);
      if (realized === undefined || covered.eq(f.size)) return;
      const size = f.size.minus(covered);
      tradeLog.append({
        timestamp: f.timestamp || clock.now(),
        orderId: f.orderId,
        clientOrderId: f.clientOrderId ?? "",
        side: f.side,
        kind: (f.clientOrderId && tradeLog.kindOf(f.clientOrderId)) ?? "",
        size,
        price: f.price,
        status: "fill",
        fee: covered.isZero() ? f.fee : f.fee.times(size).div(f.size),
        realizedPnl: realized,
      });
    } else if (e.type === "order" && e.order.symbol === options.ticker) {
      const o = e.order;
      const booked = pnl.recordOrder(o);
      if (booked === undefined) return;
      tradeLog.append({
        timestamp: o.updatedAt || clock.now(),
        orderId: o.id,
        clientOrderId: o.clientOrderId,
        side: o.side,
        kind: tradeLog.kindOf(o.clientOrderId) ?? "",
        size: booked.size,
        price: booked.price,
        status: "fill_from_order",
        fee: booked.fee,
        realizedPnl: booked.realized,
      });
    } else if (e.type === "funding" && pnl.onFunding(e.payment)) {
      emit?.({
        event: "funding",
        time: new Date(e.payment.time || clock.now()).toISOString(),
        venue: e.payment.venue,
        symbol: e.payment.symbol,
        amount: e.payment.amount.toString(),
      });
    }
  });
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
      // A paper order ends with the process: nothing is left "resting" for a restart to adopt.
      cancelOnExit: options.cancelOnExit || paper,
      onMismatch: options.onMismatch ?? "repair",
      idPrefix: `${options.exchange}/${accountName ?? "default"}/${options.ticker}/` +
        `${options.direction}`,
      label,
      ...(context.statusIntervalMs !== undefined
        ? { statusIntervalMs: context.statusIntervalMs }
        : {}),
    },
    { client, clock, notify, tradeLog, pnl },
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
          pnl,
        }),
      );
    } catch (error) {
      io.stderr(`error: status server: ${oneLine(error)}\n`);
      offFills();
      tradeLog.close();
      await venue.close();
      return 2;
    }
  }

  const startedAt = clock.now();
  let asset = "";
  try {
    // A stop while the checks still wait on the venue ends the run quietly.
    const checking = preflight(options, client, pnl);
    checking.catch(() => {});
    const checked = await Promise.race([checking, abortedBy(context.signal)]);
    if (checked === "aborted") {
      offFills();
      await stopStatus?.();
      tradeLog.close();
      await venue.close();
      return 0;
    }
    asset = checked.asset;
    for (const w of checked.warnings) log.warn(`[${label}] ${w}`);
    if (checked.errors.length > 0) {
      for (const e of checked.errors) io.stderr(`error: ${e}\n`);
      offFills();
      await stopStatus?.();
      tradeLog.close();
      await venue.close();
      return 2;
    }
  } catch (error) {
    if (!(error instanceof ConfigurationError || error instanceof NotFoundError)) {
      offFills();
      await stopStatus?.();
      tradeLog.close();
      await venue.close();
      throw error;
    }
    io.stderr(`error: ${oneLine(error)}\n`);
    offFills();
    await stopStatus?.();
    tradeLog.close();
    await venue.close();
    return 2;
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
      `${
        paper
          ? venue.publicOnly
            ? ", paper: public market data only, no credentials needed; nothing is sent to " +
              `the venue, the paper account starts with ${PUBLIC_PAPER_BALANCE}`
            : ", paper trading: nothing is sent to the venue"
          : ""
      })` +
      (paths ? `; trade log ${paths.orders}, activity log ${paths.activity}` : ""),
  );
  emit?.({
    event: "start",
    time: new Date(startedAt).toISOString(),
    run_id: runId,
    strategy: "grid",
    venue: options.exchange,
    symbol: options.ticker,
    network: paper ? "paper" : options.network,
    direction: options.direction,
    quantity: options.quantity,
    take_profit_percent: options.takeProfit,
  });
  const statusEvery = context.statusIntervalMs ?? 60_000;
  const statusLoop = emit
    ? (async () => {
      emit(await statusEvent(client, options.ticker, pnl, clock.now()));
      while (!stop.signal.aborted) {
        try {
          await clock.sleep(statusEvery, stop.signal);
        } catch {
          return;
        }
        if (stop.signal.aborted) return;
        emit(await statusEvent(client, options.ticker, pnl, clock.now()));
      }
    })()
    : undefined;
  try {
    const result = await runStrategy(strategy, { clock, signal: stop.signal, notify, label });
    stop.abort();
    await statusLoop;
    const summary = await stopSummary(client, options.ticker, pnl, startedAt);
    log.info(
      `[${label}] Summary: ${strategy.stats.opensFilled} opens filled, ` +
        `${strategy.stats.tpFills} take-profits filled, ${pnl.fills} fills | PnL: ` +
        `${formatPnl(pnl.split(), summary.asset ?? asset)}`,
    );
    emit?.({
      event: "stop",
      time: new Date(clock.now()).toISOString(),
      run_id: runId,
      reason: result.reason === "error" ? "error" : result.detail,
      exit_code: result.exitCode,
      opens_filled: strategy.stats.opensFilled,
      take_profits_filled: strategy.stats.tpFills,
      fills: pnl.fills,
      position: summary.position,
      pnl: pnlJson(pnl.split()),
    });
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
    if (client instanceof PaperTradingClient) {
      const left = client.summary().openOrders;
      log.info(
        `[${label}] Paper run ended: nothing was sent to ${options.exchange} and no order rests ` +
          `there; the paper account and its ${left} open paper order${left === 1 ? "" : "s"} ` +
          `end with this run`,
      );
    }
    return result.exitCode;
  } finally {
    try {
      context.signal?.removeEventListener("abort", onOuterAbort);
      stop.abort();
      await statusLoop;
      offFills();
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

/** What the pre-trade checks need, read from the venue; seeds the PnL with held positions. */
async function preflight(
  options: BotOptions,
  client: ExchangeClient,
  pnl: PnlTracker,
): Promise<{ errors: string[]; warnings: string[]; asset: string }> {
  await client.connect();
  const market = await client.getMarket(options.ticker);
  const quote = await client.getBestBidAsk(options.ticker).catch(() => undefined);
  const balance = await client.getBalance().catch(() => undefined);
  const positions = await client.getPositions().catch(() => []);
  const held = positions.find((p) => p.symbol === options.ticker);
  for (const p of positions) pnl.seed(p);
  pnl.setPositions(positions, client.venue);
  const usable = quote && !quote.stale && quote.bid.gt(0) && quote.ask.gt(quote.bid);
  const r = preflightGrid({
    market,
    quantity: options.quantity,
    takeProfit: options.takeProfit,
    ...(usable ? { quote } : {}),
    ...(balance ? { balance } : {}),
    ...(held?.leverage ? { leverage: held.leverage } : {}),
    force: options.force ?? false,
  });
  return { errors: r.errors, warnings: r.warnings, asset: balance?.asset ?? market.quoteAsset };
}

/** The `--json` event of a trade-log row: `order` for order transitions, `fill` for fills. */
function rowEvent(row: TradeRecord): Record<string, unknown> {
  // A fill booked from its order's state (the stream missed it) is a fill too, marked so.
  const fill = row.status === "fill" || row.status === "fill_from_order";
  return {
    event: fill ? "fill" : "order",
    time: new Date(row.timestamp).toISOString(),
    run_id: row.runId,
    venue: row.venue,
    symbol: row.symbol,
    kind: row.kind,
    ...(fill ? (row.status === "fill" ? {} : { from_order: true }) : { status: row.status }),
    side: row.side,
    size: row.size.toString(),
    price: row.price?.toString() ?? null,
    client_order_id: row.clientOrderId,
    order_id: row.orderId ?? null,
    ...(fill
      ? { fee: row.fee?.toString() ?? null, realized_pnl: row.realizedPnl?.toString() ?? null }
      : {}),
  };
}

/** Position and PnL now, as a `status` event (unrealized from the venue's position). */
async function statusEvent(
  client: ExchangeClient,
  symbol: string,
  pnl: PnlTracker,
  now: number,
): Promise<Record<string, unknown>> {
  let position: string | null = null;
  try {
    const positions = await client.getPositions();
    pnl.setPositions(positions, client.venue);
    position = (positions.find((p) => p.symbol === symbol)?.size ?? new Decimal(0)).toString();
  } catch {
    // The last known unrealized PnL stays.
  }
  return {
    event: "status",
    time: new Date(now).toISOString(),
    position,
    pnl: pnlJson(pnl.split()),
  };
}

/** Final reads for the stop summary: funding payments since start, positions, asset. */
async function stopSummary(
  client: ExchangeClient,
  symbol: string,
  pnl: PnlTracker,
  startedAt: number,
): Promise<{ position: string | null; asset: string | undefined }> {
  const log = getLogger(["perp", "bot"]);
  let position: string | null = null;
  let asset: string | undefined;
  try {
    await pnl.syncFunding(client, { symbol, start: startedAt });
  } catch (error) {
    log.debug("Funding payments not read for the summary: {error}", { error: oneLine(error) });
  }
  try {
    const positions = await client.getPositions();
    pnl.setPositions(positions, client.venue);
    position = (positions.find((p) => p.symbol === symbol)?.size ?? new Decimal(0)).toString();
    asset = (await client.getBalance()).asset;
  } catch (error) {
    log.debug("Positions not read for the summary: {error}", { error: oneLine(error) });
  }
  return { position, asset };
}

/** Resolves with `"aborted"` once the signal aborts (never without a signal). */
function abortedBy(signal: AbortSignal | undefined): Promise<"aborted"> {
  return new Promise((resolve) => {
    if (signal?.aborted) resolve("aborted");
    signal?.addEventListener("abort", () => resolve("aborted"), { once: true });
  });
}
