/**
 * Builds the trading client the bot runs on: the local replica of a venue (`sim`, offline, a
 * funded test account, no credentials) or the venue's real client (`mainnet` / `testnet`).
 *
 * A venue module is loaded only when asked for (dynamic `import()`), so running the bot on one
 * venue never loads another venue's code or npm packages.
 *
 * @module
 */
import { type Clock, ConfigurationError, type ExchangeClient } from "../base.ts";
import type { ManualClock } from "../exchanges/_shared/clock.ts";

/** A venue the bot trades on. */
export type BotVenue = "lighter" | "grvt" | "edgex";

/** Which endpoints: the real venue (`mainnet`, `testnet`) or the in-process replica (`sim`). */
export type BotNetwork = "mainnet" | "testnet" | "sim";

/**
 * The trading-client class each venue module exports.
 *
 * @example
 * ```ts
 * import { VENUE_CLIENT_EXPORTS } from "./venue_clients.ts";
 * VENUE_CLIENT_EXPORTS.grvt; // "GRVTClient"
 * ```
 */
export const VENUE_CLIENT_EXPORTS: Readonly<Record<BotVenue, string>> = Object.freeze({
  lighter: "LighterClient",
  grvt: "GRVTClient",
  edgex: "EdgeXClient",
});

const LOADERS: Readonly<Record<BotVenue, () => Promise<Record<string, unknown>>>> = {
  lighter: () => import("../exchanges/lighter/mod.ts"),
  grvt: () => import("../exchanges/grvt/mod.ts"),
  edgex: () => import("../exchanges/edgex/mod.ts"),
};

/**
 * The venue module does not provide its trading client (yet).
 *
 * @example
 * ```ts
 * import { VenueClientUnavailableError } from "./venue_clients.ts";
 * const e = new VenueClientUnavailableError("grvt", "GRVTClient");
 * e.message; // "the grvt trading client is not built yet: exchanges/grvt/mod.ts does not export GRVTClient (use --network sim to trade on the local replica)"
 * ```
 */
export class VenueClientUnavailableError extends Error {
  /** The venue. */
  readonly venue: BotVenue;

  /**
   * Creates the error.
   *
   * @param venue The venue.
   * @param exportName The missing export.
   */
  constructor(venue: BotVenue, exportName: string) {
    super(
      `the ${venue} trading client is not built yet: exchanges/${venue}/mod.ts does not export ` +
        `${exportName} (use --network sim to trade on the local replica)`,
    );
    this.name = "VenueClientUnavailableError";
    this.venue = venue;
  }
}

/**
 * Options of {@linkcode openVenueClient}.
 *
 * @example
 * ```ts
 * import type { OpenVenueClientOptions } from "./venue_clients.ts";
 * const o: OpenVenueClientOptions = { network: "sim", simSeed: 7 };
 * ```
 */
export interface OpenVenueClientOptions {
  /** Endpoints. */
  network: BotNetwork;
  /** Reads environment variables (credentials). @default {Deno.env.get} */
  env?: (name: string) => string | undefined;
  /** Clock (virtual time in tests; the simulator runs on it). @default {systemClock} */
  clock?: Clock;
  /** Seed of the simulated price paths. @default {1} */
  simSeed?: number;
  /**
   * `sim` only: `"replica"` runs the venue's protocol replica on loopback and trades through the
   * venue's real client; `"paper"` uses the in-process paper client on the same engine.
   * @default {"replica"}
   */
  simProtocol?: "replica" | "paper";
}

/**
 * What the bot exposes of a running simulator (`--network sim`), for tests and tools.
 *
 * @example
 * ```ts
 * import type { SimVenueHandle } from "./venue_clients.ts";
 * const idle = (sim: SimVenueHandle) => sim.openOrderCount() === 0;
 * ```
 */
export interface SimVenueHandle {
  /** Engine id of the funded test account. */
  readonly accountId: string;
  /** Active orders of the test account, as the venue's engine sees them. */
  openOrderCount(): number;
}

/**
 * A trading client and what to release with it.
 *
 * @example
 * ```ts
 * import type { VenueConnection } from "./venue_clients.ts";
 * const done = (c: VenueConnection) => c.close();
 * ```
 */
export interface VenueConnection {
  /** The client (not yet connected). */
  client: ExchangeClient;
  /** The network it talks to. */
  network: BotNetwork;
  /** The simulated venue, for `sim`. */
  sim?: SimVenueHandle;
  /** Disconnects the client and stops the simulator. */
  close(): Promise<void>;
}

/** Each venue client's own options for a live network (credentials come from `env`). */
function liveOptions(
  venue: BotVenue,
  network: "mainnet" | "testnet",
  env: (name: string) => string | undefined,
  clock: Clock | undefined,
): Record<string, unknown> {
  const common = clock ? { env, clock } : { env };
  switch (venue) {
    case "grvt":
      return { ...common, environment: network === "testnet" ? "testnet" : "prod" };
    case "lighter":
      return { ...common, network };
    case "edgex":
      if (network === "testnet") {
        throw new ConfigurationError(
          "EdgeX publishes no V2 testnet: use --network mainnet, or --network sim for the replica",
          { venue: "edgex" },
        );
      }
      return common;
  }
}

function isManualClock(clock: Clock | undefined): clock is ManualClock {
  return clock !== undefined && typeof (clock as Partial<ManualClock>).advance === "function";
}

function denoEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/**
 * Opens a trading client for a venue.
 *
 * - `sim`: starts the venue's simulator in-process (its protocol replica on loopback by
 *   default, markets on seeded random walks, background liquidity) and returns a client of its
 *   funded test account.
 * - `mainnet` / `testnet`: loads `exchanges/<venue>/mod.ts` and builds its client class
 *   ({@linkcode VENUE_CLIENT_EXPORTS}) with the venue's network option (GRVT `environment`
 *   prod / testnet, Lighter `network`; EdgeX has no testnet), `env` and `clock`. The venue
 *   client reads its own credentials and throws a `ConfigurationError` naming the missing
 *   variables.
 *
 * @param venue The venue.
 * @param options Network, environment, clock and simulator seed.
 * @returns The client and its release function.
 * @throws {VenueClientUnavailableError} If the venue module has no client class yet.
 * @throws {ConfigurationError} From the venue client, e.g. missing credentials; EdgeX testnet.
 *
 * @example Offline, on the replica
 * ```ts
 * import { openVenueClient } from "./venue_clients.ts";
 * import { ManualClock } from "../exchanges/_shared/clock.ts";
 *
 * const venue = await openVenueClient("edgex", {
 *   network: "sim",
 *   simProtocol: "paper",
 *   clock: new ManualClock(0),
 * });
 * await venue.client.connect();
 * console.log((await venue.client.getBalance()).equity.toString()); // "100000"
 * await venue.close();
 * ```
 */
export async function openVenueClient(
  venue: BotVenue,
  options: OpenVenueClientOptions,
): Promise<VenueConnection> {
  if (options.network === "sim") {
    const { startSimVenue } = await import("../sim/network.ts");
    // The engine needs a clock it can drive: a test's ManualClock, else one that follows the
    // wall clock.
    const clock = isManualClock(options.clock) ? options.clock : undefined;
    const sim = await startSimVenue(venue, {
      clock,
      seed: options.simSeed ?? 1,
      protocol: options.simProtocol ?? "replica",
    });
    const client = sim.client();
    return {
      client,
      network: "sim",
      sim: {
        accountId: sim.accountId,
        openOrderCount: () => sim.engine.openOrders(sim.accountId).length,
      },
      close: async () => {
        await client.disconnect();
        await sim.close();
      },
    };
  }
  const load = LOADERS[venue];
  if (!load) throw new RangeError(`Unknown venue '${venue}'`);
  const exportName = VENUE_CLIENT_EXPORTS[venue];
  const mod = await load();
  const Class = mod[exportName] as (new (o: Record<string, unknown>) => ExchangeClient) | undefined;
  if (typeof Class !== "function") throw new VenueClientUnavailableError(venue, exportName);
  const env = options.env ?? denoEnv;
  const client = new Class(liveOptions(venue, options.network, env, options.clock));
  return { client, network: options.network, close: () => client.disconnect() };
}
