/**
 * Builds the trading client the bot runs on: the local replica of a venue (`sim`, offline, a
 * funded test account, no credentials) or the venue's real client (`mainnet` / `testnet`).
 *
 * A venue module is loaded only when asked for (dynamic `import()`), so running the bot on one
 * venue never loads another venue's code or npm packages.
 *
 * @module
 */
import { parseEnv } from "node:util";
import { type Clock, ConfigurationError, type ExchangeClient } from "../base.ts";
import type { ManualClock } from "../exchanges/_shared/clock.ts";

/** A venue the bot trades on. */
export type BotVenue = "lighter" | "grvt" | "edgex" | "hyperliquid";

/** Which endpoints: the real venue (`mainnet`, `testnet`) or the in-process replica (`sim`). */
export type BotNetwork = "mainnet" | "testnet" | "sim";

/**
 * The trading-client class each venue module exports.
 *
 * @example
 * ```ts
 * import { VENUE_CLIENT_EXPORTS } from "./venue_clients.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(VENUE_CLIENT_EXPORTS.grvt, "GRVTClient");
 * ```
 */
export const VENUE_CLIENT_EXPORTS: Readonly<Record<BotVenue, string>> = Object.freeze({
  lighter: "LighterClient",
  grvt: "GRVTClient",
  edgex: "EdgeXClient",
  hyperliquid: "HyperliquidClient",
});

const LOADERS: Readonly<Record<BotVenue, () => Promise<Record<string, unknown>>>> = {
  lighter: () => import("../exchanges/lighter/mod.ts"),
  grvt: () => import("../exchanges/grvt/mod.ts"),
  edgex: () => import("../exchanges/edgex/mod.ts"),
  hyperliquid: () => import("../exchanges/hyperliquid/mod.ts"),
};

/**
 * The venue module does not provide its trading client (yet).
 *
 * @example
 * ```ts
 * import { VenueClientUnavailableError } from "./venue_clients.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const e = new VenueClientUnavailableError("grvt", "GRVTClient");
 * equal(e.message, "the grvt trading client is not built yet: exchanges/grvt/mod.ts does not export GRVTClient (use --network sim to trade on the local replica)");
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
  /**
   * `sim` only: the variables of a running `deno task sim` (its `--env-file`, e.g. from
   * {@linkcode readSimEnvFile}). The client then attaches to that replica (its URLs and test
   * credentials win over `env`) instead of starting one in-process.
   */
  simEnv?: Readonly<Record<string, string>>;
  /**
   * `mainnet` / `testnet` only: open the venue's client in its public-only mode (market data:
   * markets, books, best bid/ask). No credential variable is checked or read, `connect()` opens
   * only public streams, and every private call (orders, balance, positions, funding
   * payments, leverage) throws a `ConfigurationError` naming the credential variables before
   * any request. What `--paper` on a live network trades on. @default {false}
   */
  publicOnly?: boolean;
}

/**
 * Environment variables that override a venue's hosts on any network (a running replica, a
 * testnet, a custom endpoint), per venue: the client option each one sets.
 *
 * @example
 * ```ts
 * import { VENUE_HOST_VARIABLES } from "./venue_clients.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 * deepEqual(VENUE_HOST_VARIABLES.edgex, { EDGEX_REST_URL: "restUrl", EDGEX_WS_URL: "wsUrl" });
 * ```
 */
export const VENUE_HOST_VARIABLES: Readonly<Record<BotVenue, Readonly<Record<string, string>>>> =
  Object.freeze({
    lighter: Object.freeze({
      LIGHTER_REST_URL: "restUrl",
      LIGHTER_WS_URL: "wsUrl",
      LIGHTER_CHAIN_ID: "chainId",
    }),
    grvt: Object.freeze({
      GRVT_EDGE_URL: "hosts.edgeUrl",
      GRVT_TRADES_URL: "hosts.tradesUrl",
      GRVT_MARKET_DATA_URL: "hosts.marketDataUrl",
      GRVT_CHAIN_ID: "hosts.chainId",
    }),
    edgex: Object.freeze({ EDGEX_REST_URL: "restUrl", EDGEX_WS_URL: "wsUrl" }),
    hyperliquid: Object.freeze({
      HYPERLIQUID_API_URL: "hosts.apiUrl",
      HYPERLIQUID_WS_URL: "hosts.wsUrl",
    }),
  });

/**
 * The credential variables each venue's trading client needs on a live network, in the order
 * messages name them. An inner list is a choice: any one of its variables is enough (Lighter
 * finds the account from `LIGHTER_L1_ADDRESS` when `LIGHTER_ACCOUNT_INDEX` is not set).
 *
 * @example
 * ```ts
 * import { VENUE_CREDENTIAL_VARIABLES } from "./venue_clients.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 * deepEqual(VENUE_CREDENTIAL_VARIABLES.grvt, ["GRVT_API_KEY", "GRVT_PRIVATE_KEY", "GRVT_TRADING_ACCOUNT_ID"]);
 * ```
 */
export const VENUE_CREDENTIAL_VARIABLES: Readonly<
  Record<BotVenue, readonly (string | readonly string[])[]>
> = Object.freeze({
  lighter: Object.freeze([
    "LIGHTER_API_KEY_PRIVATE_KEY",
    Object.freeze(["LIGHTER_ACCOUNT_INDEX", "LIGHTER_L1_ADDRESS"]),
    "LIGHTER_API_KEY_INDEX",
  ]),
  grvt: Object.freeze(["GRVT_API_KEY", "GRVT_PRIVATE_KEY", "GRVT_TRADING_ACCOUNT_ID"]),
  edgex: Object.freeze([
    "EDGEX_ACCOUNT_ID",
    "EDGEX_API_KEY",
    "EDGEX_API_SECRET",
    "EDGEX_API_PASSPHRASE",
    "EDGEX_SIGNER_PRIVATE_KEY",
  ]),
  hyperliquid: Object.freeze(["HYPERLIQUID_PRIVATE_KEY"]),
});

/**
 * The credential variables of {@linkcode VENUE_CREDENTIAL_VARIABLES} that are unset or blank,
 * by name only (a choice is written `A (or B)`). Values are never read into the answer.
 *
 * @param venue The venue.
 * @param env Reads a variable.
 * @returns The missing names, empty when the client can be built.
 *
 * @example
 * ```ts
 * import { missingCredentialVariables } from "./venue_clients.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const env: Record<string, string> = { LIGHTER_API_KEY_INDEX: "4" };
 * deepEqual(missingCredentialVariables("lighter", (n) => env[n]), [
 *   "LIGHTER_API_KEY_PRIVATE_KEY",
 *   "LIGHTER_ACCOUNT_INDEX (or LIGHTER_L1_ADDRESS)",
 * ]);
 * ```
 */
export function missingCredentialVariables(
  venue: BotVenue,
  env: (name: string) => string | undefined,
): string[] {
  const set = (name: string) => (env(name)?.trim() ?? "") !== "";
  const missing: string[] = [];
  for (const entry of VENUE_CREDENTIAL_VARIABLES[venue]) {
    if (typeof entry === "string") {
      if (!set(entry)) missing.push(entry);
    } else if (!entry.some(set)) {
      missing.push(`${entry[0]} (or ${entry.slice(1).join(", ")})`);
    }
  }
  return missing;
}

/**
 * Throws when credential variables are missing: one line naming them all, before any request
 * (offline, a client without credentials would only retry its first public request).
 */
function requireCredentials(venue: BotVenue, env: (name: string) => string | undefined): void {
  const missing = missingCredentialVariables(venue, env);
  if (missing.length === 0) return;
  throw new ConfigurationError(
    `Missing ${venue} credentials: set ${missing.join(", ")} (in the --env-file or the ` +
      `environment), or use --network sim for the local replica`,
    { venue },
  );
}

/**
 * Checks, before anything is opened, that every venue can be traded on a live network: EdgeX
 * is refused on `testnet` (it publishes no V2 testnet), host variables must be well formed, and
 * the credential variables of every venue must be set. Missing credentials of all venues are
 * named in one line, so a bot across several venues opens none of them when one cannot run.
 *
 * @param venues The venues, in the order messages name them.
 * @param network `mainnet` or `testnet`.
 * @param env Reads a variable.
 * @param options `publicOnly`: the venues will be opened public-only (`--paper`), so no
 *   credential is asked for; EdgeX testnet and the host variables are still checked.
 * @throws {ConfigurationError} Naming the first problem found (EdgeX testnet, a malformed
 *   host variable) or every missing credential variable.
 *
 * @example
 * ```ts
 * import { requireLiveVenues } from "./venue_clients.ts";
 * import { throws } from "node:assert/strict";
 *
 * const env: Record<string, string> = { GRVT_API_KEY: "k" };
 * throws(
 *   () => requireLiveVenues(["edgex", "grvt"], "mainnet", (n) => env[n]),
 *   /Missing edgex credentials: set EDGEX_ACCOUNT_ID, .*; grvt credentials: set GRVT_PRIVATE_KEY, GRVT_TRADING_ACCOUNT_ID \(in the --env-file/,
 * );
 * throws(() => requireLiveVenues(["edgex"], "testnet", () => undefined), /EdgeX publishes no V2 testnet/);
 * // Paper on public data: no credentials needed, EdgeX testnet still refused.
 * requireLiveVenues(["edgex", "grvt"], "mainnet", () => undefined, { publicOnly: true });
 * throws(
 *   () => requireLiveVenues(["edgex"], "testnet", () => undefined, { publicOnly: true }),
 *   /EdgeX publishes no V2 testnet/,
 * );
 * ```
 */
export function requireLiveVenues(
  venues: readonly BotVenue[],
  network: "mainnet" | "testnet",
  env: (name: string) => string | undefined,
  options: { publicOnly?: boolean } = {},
): void {
  for (const venue of venues) {
    // Said before the credentials: asking for keys of a network that does not exist helps no one.
    liveOptions(venue, network, env, undefined);
  }
  if (options.publicOnly) return;
  const parts: string[] = [];
  for (const venue of venues) {
    const missing = missingCredentialVariables(venue, env);
    if (missing.length > 0) parts.push(`${venue} credentials: set ${missing.join(", ")}`);
  }
  if (parts.length === 0) return;
  throw new ConfigurationError(
    `Missing ${parts.join("; ")} (in the --env-file or the environment), or use --network sim ` +
      `for the local replica`,
  );
}

/**
 * The host options a venue's client (or funding adapter) takes from the variables of
 * {@linkcode VENUE_HOST_VARIABLES}: only those that are set.
 *
 * @param venue The venue.
 * @param env Reads a variable.
 * @returns Options to spread into the client's constructor options.
 * @throws {ConfigurationError} If a URL is not `http(s)://` / `ws(s)://` or a chain id is not
 *   a positive integer.
 *
 * @example
 * ```ts
 * import { venueHostOptions } from "./venue_clients.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const env: Record<string, string> = { GRVT_MARKET_DATA_URL: "http://127.0.0.1:9101", GRVT_CHAIN_ID: "327" };
 * deepEqual(venueHostOptions("grvt", (n) => env[n]), {
 *   hosts: { marketDataUrl: "http://127.0.0.1:9101", chainId: 327 },
 * });
 * ```
 */
export function venueHostOptions(
  venue: BotVenue,
  env: (name: string) => string | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(VENUE_HOST_VARIABLES[venue])) {
    const raw = env(name)?.trim();
    if (!raw) continue;
    let value: string | number = raw;
    if (option.endsWith("chainId")) {
      if (!/^[1-9]\d{0,15}$/.test(raw)) {
        throw new ConfigurationError(`${name} must be a positive integer chain id: got ${raw}`, {
          venue,
        });
      }
      value = Number(raw);
    } else if (!/^(https?|wss?):\/\/[^\s]+$/i.test(raw)) {
      throw new ConfigurationError(`${name} must be an http(s):// or ws(s):// URL: got ${raw}`, {
        venue,
      });
    }
    const [head, tail] = option.split(".");
    if (tail === undefined) out[head] = value;
    else out[head] = { ...(out[head] as Record<string, unknown> | undefined), [tail]: value };
  }
  return out;
}

/**
 * Reads the env file a running `deno task sim --env-file <path>` wrote (`NAME=value` lines).
 *
 * @param path The file.
 * @returns Its variables.
 * @throws {ConfigurationError} If the file does not exist (the simulator is not running).
 *
 * @example
 * ```ts
 * import { readSimEnvFile } from "./venue_clients.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "# replicas\nEDGEX_REST_URL=http://127.0.0.1:9102\n");
 * equal(readSimEnvFile(path).EDGEX_REST_URL, "http://127.0.0.1:9102");
 * await Deno.remove(path);
 * ```
 */
export function readSimEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new ConfigurationError(
        `--sim-env ${path} does not exist: start the replicas with deno task sim --env-file ${path}`,
      );
    }
    throw error;
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (value !== undefined) out[name] = value;
  }
  return out;
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
  /** The client is public-only (market data; see {@linkcode OpenVenueClientOptions}). */
  publicOnly?: boolean;
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
  const common = {
    env: clientEnv(venue, env),
    ...(clock ? { clock } : {}),
    ...venueHostOptions(venue, env),
  };
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
    case "hyperliquid":
      return { ...common, environment: network };
  }
}

/** The `env` option as each client takes it: Hyperliquid's reads `{ get(name) }`. */
function clientEnv(venue: BotVenue, env: (name: string) => string | undefined): unknown {
  return venue === "hyperliquid" ? { get: env } : env;
}

/** Every variable a venue's client reads credentials from. */
function credentialNames(venue: BotVenue): Set<string> {
  const names = new Set(VENUE_CREDENTIAL_VARIABLES[venue].flat());
  if (venue === "hyperliquid") names.add("HYPERLIQUID_ACCOUNT_ADDRESS");
  return names;
}

/** `env` with the venue's credential variables unset: a public-only client reads no secret. */
function withoutCredentials(
  venue: BotVenue,
  env: (name: string) => string | undefined,
): (name: string) => string | undefined {
  const hidden = credentialNames(venue);
  return (name) => (hidden.has(name) ? undefined : env(name));
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
 *   prod / testnet, Lighter `network`; EdgeX has no testnet), `env` and `clock`. The
 *   credential variables ({@linkcode VENUE_CREDENTIAL_VARIABLES}) are checked first: a
 *   `ConfigurationError` names every missing one before any module loads or request goes out.
 *   With `publicOnly` nothing is checked: the client is built in its public-only mode
 *   (market data only, no credential variable read; private calls throw
 *   `ConfigurationError`), which is what `--paper` trades on.
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
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const venue = await openVenueClient("edgex", {
 *   network: "sim",
 *   simProtocol: "paper",
 *   clock: new ManualClock(0),
 * });
 * await venue.client.connect();
 * equal((await venue.client.getBalance()).equity.toString(), "100000");
 * await venue.close();
 * ```
 */
export async function openVenueClient(
  venue: BotVenue,
  options: OpenVenueClientOptions,
): Promise<VenueConnection> {
  if (options.network === "sim" && options.simEnv) {
    return await attachToReplica(venue, options.simEnv, options);
  }
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
  const env = options.env ?? denoEnv;
  if (venue === "edgex" && options.network === "testnet") {
    // Said before the credentials: asking for keys of a network that does not exist helps no one.
    liveOptions(venue, options.network, env, options.clock);
  }
  const publicOnly = options.publicOnly === true;
  if (!publicOnly) requireCredentials(venue, env);
  const exportName = VENUE_CLIENT_EXPORTS[venue];
  const mod = await load();
  const Class = mod[exportName] as (new (o: Record<string, unknown>) => ExchangeClient) | undefined;
  if (typeof Class !== "function") throw new VenueClientUnavailableError(venue, exportName);
  const client = publicOnly
    ? new Class({
      ...liveOptions(venue, options.network, withoutCredentials(venue, env), options.clock),
      publicOnly: true,
    })
    : new Class(liveOptions(venue, options.network, env, options.clock));
  return {
    client,
    network: options.network,
    ...(publicOnly ? { publicOnly } : {}),
    close: () => client.disconnect(),
  };
}

/** A client of a running replica (`deno task sim`), from the variables of its env file. */
async function attachToReplica(
  venue: BotVenue,
  simEnv: Readonly<Record<string, string>>,
  options: OpenVenueClientOptions,
): Promise<VenueConnection> {
  const outer = options.env ?? denoEnv;
  const env = (name: string) => simEnv[name] ?? outer(name);
  const hosts = venueHostOptions(venue, env);
  const missing = Object.keys(VENUE_HOST_VARIABLES[venue]).filter((n) =>
    !n.endsWith("_CHAIN_ID") && !env(n)
  );
  if (missing.length > 0) {
    throw new ConfigurationError(
      `The sim env file lists no ${venue} replica (missing ${missing.join(", ")}): ` +
        `start it with deno task sim --venues ${venue}`,
      { venue },
    );
  }
  const mod = await LOADERS[venue]();
  const exportName = VENUE_CLIENT_EXPORTS[venue];
  const Class = mod[exportName] as (new (o: Record<string, unknown>) => ExchangeClient) | undefined;
  if (typeof Class !== "function") throw new VenueClientUnavailableError(venue, exportName);
  const base: Record<string, unknown> = { env: clientEnv(venue, env), ...hosts };
  if (options.clock) base.clock = options.clock;
  if (venue === "grvt" || venue === "hyperliquid") base.environment = "sim";
  const client = new Class(base);
  return { client, network: "sim", close: () => client.disconnect() };
}
