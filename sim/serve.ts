/**
 * `deno task sim`: the venue replicas, standalone. Starts each selected venue's protocol
 * replica on loopback with moving markets and a funded test account, prints how to reach it,
 * and runs until interrupted.
 *
 * @module
 */
import { SIM_VENUES, type SimVenue, type SimVenueName, startSimVenue } from "./network.ts";

/** What `deno task sim` runs. */
export interface SimCommandOptions {
  /** Venues to start. @default {all three} */
  venues?: readonly SimVenueName[];
  /** Seed of the price paths. @default {1} */
  seed?: number;
}

/** Where `runSimCommand` writes. */
export interface SimCommandIO {
  /** Writes to standard output. */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
}

/**
 * Starts the replicas, prints their URLs and test credentials, and waits for `signal` (or
 * SIGINT / SIGTERM when no signal is given), then stops them.
 *
 * @param options Venues and seed.
 * @param io Output.
 * @param signal Stops the replicas when aborted. @default {SIGINT or SIGTERM}
 * @returns The exit code (0).
 *
 * @example
 * ```ts
 * import { runSimCommand } from "./serve.ts";
 *
 * const stop = new AbortController();
 * let out = "";
 * const done = runSimCommand({ venues: ["edgex"] }, {
 *   stdout: (t) => (out += t),
 *   stderr: () => {},
 * }, stop.signal);
 * await new Promise((r) => setTimeout(r, 200));
 * stop.abort();
 * await done;
 * console.log(out.includes("EDGEX_API_KEY")); // true
 * ```
 */
export async function runSimCommand(
  options: SimCommandOptions,
  io: SimCommandIO,
  signal?: AbortSignal,
): Promise<number> {
  const venues = options.venues ?? SIM_VENUES;
  const started: SimVenue[] = [];
  try {
    for (const venue of venues) {
      const sim = await startSimVenue(venue, { protocol: "replica", seed: options.seed ?? 1 });
      started.push(sim);
      const markets = sim.engine.instruments().map((i) => i.symbol).join(", ");
      io.stdout(`${venue} replica (markets: ${markets})\n`);
      for (const [key, value] of Object.entries(sim.endpoints)) {
        io.stdout(`  ${key.padEnd(28)} ${value}\n`);
      }
      io.stdout("\n");
    }
    io.stdout(
      "Test credentials of local replicas only. Press Ctrl-C to stop.\n",
    );
    await untilStopped(signal);
    io.stderr("stopping the replicas\n");
    return 0;
  } finally {
    for (const sim of started.reverse()) await sim.close();
  }
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
