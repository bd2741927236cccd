/**
 * `deno task sim`: the venue replicas, standalone. Starts each selected venue's protocol
 * replica on loopback with its full simulated market ({@linkcode SIM_VENUE_MARKETS}: moving
 * prices, background liquidity, funding on a seeded premium process) and a funded test
 * account, tells how to reach it, and runs until interrupted.
 *
 * With a base port the replicas listen on fixed ports ({@linkcode simVenuePorts}); the URLs and
 * test credentials go to stdout (text, or one JSON object with `--json`) and, with an env file,
 * to `NAME=value` lines that `deno task bot --network sim --sim-env <file>` and
 * `deno task funding --network sim --sim-env <file>` attach to.
 *
 * @module
 */
import {
  SIM_VENUE_MARKETS,
  SIM_VENUES,
  type SimVenue,
  type SimVenueName,
  simVenuePorts,
  startSimVenue,
} from "./network.ts";

/** What `deno task sim` runs. */
export interface SimCommandOptions {
  /** Venues to start. @default {every venue} */
  venues?: readonly SimVenueName[];
  /** Seed of the price paths and funding. @default {1} */
  seed?: number;
  /** Base port: Lighter on it, the other venues above it. @default {0: free ports} */
  port?: number;
  /** Unified symbols to list (each venue lists those it has). @default {every market} */
  markets?: readonly string[];
  /** Writes the URLs and credentials of every replica to this file (`NAME=value`). */
  envFile?: string;
  /** Prints one JSON object on stdout instead of text (the text goes to stderr). */
  json?: boolean;
}

/** Where `runSimCommand` writes. */
export interface SimCommandIO {
  /** Writes to standard output. */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
}

/**
 * What `deno task sim --json` prints: per venue its markets (unified symbols) and the
 * variables to reach it, and all variables together (the env file's content).
 *
 * @example
 * ```ts
 * import type { SimStartedReport } from "./serve.ts";
 * const url = (r: SimStartedReport) => r.env.EDGEX_REST_URL;
 * ```
 */
export interface SimStartedReport {
  /** Per venue. */
  venues: Record<string, { markets: string[]; env: Record<string, string> }>;
  /** Every venue's variables. */
  env: Record<string, string>;
}

/**
 * Formats variables as an env file (`NAME=value` lines, after a comment).
 *
 * @param env The variables.
 * @returns The file's text.
 *
 * @example
 * ```ts
 * import { formatEnvFile } from "./serve.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(formatEnvFile({ EDGEX_REST_URL: "http://127.0.0.1:9102" }).endsWith("EDGEX_REST_URL=http://127.0.0.1:9102\n"), true);
 * ```
 */
export function formatEnvFile(env: Readonly<Record<string, string>>): string {
  return "# Local venue replicas (deno task sim): URLs and test credentials, never funded anywhere.\n" +
    Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join("");
}

/**
 * Starts the replicas, reports their URLs and test credentials (stdout, env file), and waits
 * for `signal` (or SIGINT / SIGTERM when no signal is given), then stops them and removes the
 * env file.
 *
 * @param options Venues, seed, port, markets, env file, JSON output.
 * @param io Output.
 * @param signal Stops the replicas when aborted. @default {SIGINT or SIGTERM}
 * @returns The exit code (0).
 * @throws {RangeError} If no venue lists any of the given markets.
 *
 * @example
 * ```ts
 * import { runSimCommand } from "./serve.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const stop = new AbortController();
 * let out = "";
 * const done = runSimCommand({ venues: ["edgex"], json: true }, {
 *   stdout: (t) => (out += t),
 *   stderr: () => {},
 * }, stop.signal);
 * while (!out.endsWith("\n")) await new Promise((r) => setTimeout(r, 20));
 * stop.abort();
 * await done;
 * equal(JSON.parse(out).venues.edgex.markets.length >= 12, true);
 * ```
 */
export async function runSimCommand(
  options: SimCommandOptions,
  io: SimCommandIO,
  signal?: AbortSignal,
): Promise<number> {
  const venues = options.venues ?? SIM_VENUES;
  const wanted = options.markets ? new Set(options.markets.map((s) => s.toUpperCase())) : undefined;
  if (wanted) {
    const known = new Set(venues.flatMap((v) => SIM_VENUE_MARKETS[v].map((m) => m.spec.symbol)));
    const unknown = [...wanted].filter((s) => !known.has(s));
    if (unknown.length > 0) {
      throw new RangeError(
        `--markets: no simulated venue lists ${unknown.join(", ")} (known: ${
          [...known].join(", ")
        })`,
      );
    }
  }
  const text = options.json ? io.stderr : io.stdout;
  const started: SimVenue[] = [];
  let wroteEnvFile = false;
  try {
    const report: SimStartedReport = { venues: {}, env: {} };
    for (const venue of venues) {
      const markets = SIM_VENUE_MARKETS[venue].filter((m) => !wanted || wanted.has(m.spec.symbol));
      const sim = await startSimVenue(venue, {
        protocol: "replica",
        seed: options.seed ?? 1,
        markets,
        funding: "premium",
        port: options.port || undefined,
      }).catch((error) => {
        throw portInUse(error, venue, options.port);
      });
      started.push(sim);
      const symbols = markets.map((m) => m.spec.symbol);
      report.venues[venue] = { markets: symbols, env: { ...sim.endpoints } };
      Object.assign(report.env, sim.endpoints);
      text(`${venue} replica (${symbols.length} markets: ${symbols.join(", ")})\n`);
      for (const [key, value] of Object.entries(sim.endpoints)) {
        text(`  ${key.padEnd(28)} ${value}\n`);
      }
      text("\n");
    }
    if (options.envFile) {
      await Deno.writeTextFile(options.envFile, formatEnvFile(report.env));
      wroteEnvFile = true;
      text(
        `Wrote ${options.envFile}: deno task bot --network sim --sim-env ${options.envFile} …\n`,
      );
    }
    if (options.json) io.stdout(JSON.stringify(report) + "\n");
    text("Test credentials of local replicas only. Press Ctrl-C to stop.\n");
    await untilStopped(signal);
    io.stderr("stopping the replicas\n");
    return 0;
  } finally {
    for (const sim of started.reverse()) await sim.close();
    if (wroteEnvFile) await Deno.remove(options.envFile!).catch(() => {});
  }
}

/**
 * A fixed port that is taken, said with the ports and what to do; any other error unchanged.
 */
function portInUse(error: unknown, venue: SimVenueName, base: number | undefined): unknown {
  if (!(error instanceof Deno.errors.AddrInUse) || !base) return error;
  const ports = [...new Set(Object.values(simVenuePorts(base, venue)))].join(", ");
  return new Deno.errors.AddrInUse(
    `the ${venue} replica cannot listen on 127.0.0.1 port ${ports} (--port ${base}): a port is ` +
      `in use, perhaps by another deno task sim; stop it or pick another base with --port`,
  );
}

function untilStopped(signal: AbortSignal | undefined): Promise<void> {
  if (signal) {
    if (signal.aborted) return Promise.resolve();
    return new Promise((r) => signal.addEventListener("abort", () => r(), { once: true }));
  }
  return new Promise((resolve) => {
    const stop = () => {
      Deno.removeSignalListener("SIGINT", stop);
      Deno.removeSignalListener("SIGTERM", stop);
      resolve();
    };
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
  });
}
