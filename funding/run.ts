/**
 * `deno task funding`: the funding service's entry point. `--once` collects every venue,
 * stores, prints a table (or JSON) and exits non-zero only if every venue failed; `serve`
 * collects on a schedule without overlapping runs and serves the HTTP API. `cli.ts` parses the
 * flags and calls {@linkcode runFundingCommand}; this is the only place that calls
 * `Deno.serve`.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { type Clock, ConfigurationError, Decimal } from "../base.ts";
import { ManualClock, systemClock } from "../exchanges/_shared/clock.ts";
import { createFundingApi, describeDatabase } from "./api.ts";
import { FundingCollector } from "./collector.ts";
import { DEFAULT_VENUE_FEES, type VenueFees } from "./fees.ts";
import { DEFAULT_MAX_AGE_MS, findOpportunities } from "./opportunities.ts";
import { PostgresFundingStore } from "./postgres_store.ts";
import { formatRunReport, progressLine, runReportJson } from "./report.ts";
import { runEvery } from "./scheduler.ts";
import { type FundingNetwork, type OpenedSources, openFundingSources } from "./sources.ts";
import { SqliteFundingStore } from "./sqlite_store.ts";
import type { FundingStore, RetentionPolicy } from "./store.ts";
import { readSimEnvFile } from "../strategies/venue_clients.ts";

const log = getLogger(["perp", "funding"]);

/** The validated `perp funding` configuration (the fields of cli.ts's `FundingConfig` used). */
export interface FundingCommandConfig {
  /** `once` or `serve`. */
  mode: "serve" | "once";
  /** Seconds between collections in serve mode. */
  interval: number;
  /** Venues. */
  exchanges: readonly string[];
  /** Network. */
  network: FundingNetwork;
  /** Store. */
  database: { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };
  /** JSON output with `--once`. */
  json: boolean;
  /** API port in serve mode (0 = any). */
  port: number;
  /** Holding horizon in hours (decimal string). */
  holdHours: string;
  /**
   * With `network: "sim"`: the env file of a running `deno task sim`; the service collects
   * from those replicas instead of starting its own.
   */
  simEnv?: string;
  /**
   * Address `serve` listens on. @default {"127.0.0.1"} Any address other than a loopback one
   * requires {@linkcode FundingCommandConfig.token}.
   */
  host?: string;
  /** Bearer token every request to `serve` must carry (required on a non-loopback host). */
  token?: string;
  /**
   * Status servers of running bots to list on the Bots page of `serve`
   * (`http://127.0.0.1:8101`; see `dashboard/bot_list.ts`).
   */
  bots?: readonly string[];
}

/**
 * Whether a listening address only accepts connections from this machine.
 *
 * @param host Hostname or IP address.
 * @returns `true` for `localhost`, `127.x.x.x` and `::1`.
 *
 * @example
 * ```ts
 * import { isLoopbackHost } from "./run.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(isLoopbackHost("127.0.0.1"), true);
 * equal(isLoopbackHost("0.0.0.0"), false);
 * ```
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Where the command writes. */
export interface FundingCommandIO {
  /** Results. */
  stdout(text: string): void;
  /** Progress and errors. */
  stderr(text: string): void;
}

/** Extra knobs for tests and benchmarks. */
export interface FundingCommandOptions {
  /** Clock. @default {systemClock} */
  clock?: Clock;
  /** Per-venue timeout (ms). @default {30_000} */
  timeoutMs?: number;
  /** Retention of the store. @default {rates 90 d, logs 30 d} */
  retention?: RetentionPolicy;
  /** Stops `serve` (otherwise SIGINT / SIGTERM do). */
  signal?: AbortSignal;
  /** Hostname the API listens on. @default {"127.0.0.1"} */
  hostname?: string;
  /** Called once `serve` listens, with its base URL. */
  onListen?: (url: string) => void;
  /** Replaces how sources are opened (tests). @default {openFundingSources} */
  openSources?: (venues: readonly string[], network: FundingNetwork) => Promise<OpenedSources>;
}

/**
 * Opens the configured store for one network: its rows carry that network and its reads see
 * only that network's rows.
 *
 * @param database SQLite path or PostgreSQL URL.
 * @param network The network of the run. @default {"mainnet"}
 * @returns The migrated store.
 * @throws {StoreOpenError} When it cannot be opened; the message names the SQLite path or the
 *   PostgreSQL URL (password masked) and what to do.
 *
 * @example
 * ```ts
 * import { openFundingStore } from "./run.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * await using store = await openFundingStore({ kind: "sqlite", path: ":memory:" }, "sim");
 * equal(store.network, "sim");
 * ```
 */
export async function openFundingStore(
  database: FundingCommandConfig["database"],
  network: FundingNetwork = "mainnet",
): Promise<FundingStore> {
  return database.kind === "sqlite"
    ? await SqliteFundingStore.open(database.path, { network })
    : await PostgresFundingStore.open(database.url, { network });
}

async function feesOf(store: FundingStore): Promise<Record<string, VenueFees>> {
  const fees: Record<string, VenueFees> = { ...DEFAULT_VENUE_FEES };
  for (const v of await store.venues()) fees[v.venue] = v.fees;
  return fees;
}

/**
 * Runs `perp funding` with a validated configuration.
 *
 * @param config The configuration.
 * @param io Where to write.
 * @param options Clock, timeout, retention, stop signal.
 * @returns The exit code: 0, or 1 when every venue failed (`--once`) or the store failed.
 * @throws {Error} When the store cannot be opened.
 *
 * @example Offline, in memory
 * ```ts
 * import { runFundingCommand } from "./run.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const out: string[] = [];
 * const code = await runFundingCommand({
 *   mode: "once", interval: 60, exchanges: ["grvt", "edgex"], network: "sim",
 *   database: { kind: "sqlite", path: ":memory:" }, json: true, port: 0, holdHours: "24",
 * }, { stdout: (t) => out.push(t), stderr: () => {} });
 * equal(code, 0);
 * equal(JSON.parse(out.join("")).venues.length, 2);
 * ```
 */
export async function runFundingCommand(
  config: FundingCommandConfig,
  io: FundingCommandIO,
  options: FundingCommandOptions = {},
): Promise<number> {
  const clock = options.clock ?? systemClock;
  const store = await openFundingStore(config.database, config.network);
  try {
    const opened = options.openSources
      ? await options.openSources(config.exchanges, config.network)
      : await openFundingSources(config.exchanges, {
        network: config.network,
        clock: clock instanceof ManualClock ? clock : undefined,
        simEnv: config.simEnv === undefined ? undefined : readSimEnvFile(config.simEnv),
      });
    try {
      const collector = new FundingCollector(store, opened.sources, {
        clock,
        timeoutMs: options.timeoutMs,
        onProgress: (e) => {
          if (e.type === "start") io.stderr(`${e.venue}: collecting…\n`);
          else io.stderr(progressLine(e.result) + "\n");
        },
      });
      return config.mode === "once"
        ? await once(config, io, store, collector, clock, options)
        : await serve(config, io, store, collector, clock, options);
    } finally {
      await opened.close();
    }
  } finally {
    await store.close();
  }
}

async function once(
  config: FundingCommandConfig,
  io: FundingCommandIO,
  store: FundingStore,
  collector: FundingCollector,
  clock: Clock,
  options: FundingCommandOptions,
): Promise<number> {
  const run = await collector.collect();
  await collector.prune(options.retention);
  const opportunities = findOpportunities(
    (await store.latestRates()).filter((r) => config.exchanges.includes(r.venue)),
    {
      holdHours: new Decimal(config.holdHours),
      fees: await feesOf(store),
      streaks: await store.streaks(),
      now: clock.now(),
      maxAgeMs: DEFAULT_MAX_AGE_MS,
    },
  );
  io.stdout(
    config.json
      ? JSON.stringify(runReportJson(run, opportunities, store.network), null, 2) + "\n"
      : formatRunReport(run, opportunities, { network: store.network }),
  );
  const allFailed = run.venues.length > 0 && run.venues.every((v) => v.status === "failed");
  if (allFailed) io.stderr("error: every venue failed; nothing was stored\n");
  return allFailed ? 1 : 0;
}

async function serve(
  config: FundingCommandConfig,
  io: FundingCommandIO,
  store: FundingStore,
  collector: FundingCollector,
  clock: Clock,
  options: FundingCommandOptions,
): Promise<number> {
  const hostname = config.host ?? options.hostname ?? "127.0.0.1";
  if (!isLoopbackHost(hostname) && !config.token) {
    throw new ConfigurationError(
      `serving on ${hostname} (not a loopback address) requires a bearer token (--token)`,
    );
  }
  const stop = new AbortController();
  const api = createFundingApi({
    store,
    venues: config.exchanges,
    clock,
    holdHours: config.holdHours,
    healthyWithinMs: Math.max(300_000, 3 * config.interval * 1000),
    collector: {
      get running() {
        return collector.running;
      },
      intervalSeconds: config.interval,
    },
    storeLocation: describeDatabase(config.database),
    token: config.token,
    refreshSeconds: Math.min(30, Math.max(5, config.interval)),
    ...(config.bots?.length ? { bots: config.bots } : {}),
  });
  let server: Deno.HttpServer;
  try {
    server = listen(hostname);
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new ConfigurationError(
        `cannot serve on ${hostname}:${config.port}: the port is already in use (another ` +
          `funding serve or program listens there); pass another --port, or --port 0 for any ` +
          `free port`,
        { cause: error },
      );
    }
    if (error instanceof Deno.errors.AddrNotAvailable) {
      throw new ConfigurationError(
        `cannot serve on ${hostname}:${config.port}: this machine has no such address; ` +
          `pass another --host`,
        { cause: error },
      );
    }
    throw error;
  }
  function listen(hostname: string): Deno.HttpServer {
    return Deno.serve({
      port: config.port,
      hostname,
      signal: stop.signal,
      onListen: ({ hostname, port }) => {
        const url = `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
        io.stderr(
          `funding dashboard on ${url}/ , API on ${url}/api/v1 (OpenAPI: ${url}/api/v1/openapi.json)` +
            `${config.network === "sim" ? " — SIMULATED data from local replicas" : ""}\n`,
        );
        options.onListen?.(url);
      },
    }, (request) => api.fetch(request));
  }
  const onSignal = () => stop.abort();
  options.signal?.addEventListener("abort", onSignal, { once: true });
  const signals: Deno.Signal[] = options.signal ? [] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  let lastPrune = -Infinity;
  try {
    await runEvery(
      async () => {
        await collector.collect();
        api.invalidate();
        if (clock.now() - lastPrune >= 3_600_000) {
          lastPrune = clock.now();
          const pruned = await collector.prune(options.retention);
          if (pruned.rates + pruned.logs > 0) {
            log.info("Retention removed {rates} rates, {logs} logs", pruned);
          }
        }
      },
      config.interval * 1000,
      {
        clock,
        signal: stop.signal,
        onError: (error) => log.error("Collection failed: {error}", { error: String(error) }),
      },
    );
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
    options.signal?.removeEventListener("abort", onSignal);
    stop.abort();
    await server.finished;
  }
  return 0;
}
