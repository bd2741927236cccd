/**
 * Builds the collector's sources for a network. Live networks load each venue module with a
 * dynamic `import()` and construct its funding adapter when the module exports one; a venue
 * whose adapter is missing or fails to construct is reported unavailable (a failed venue in
 * every run), never faked. Host variables (`LIGHTER_REST_URL`, `GRVT_MARKET_DATA_URL`,
 * `EDGEX_REST_URL`, …) point any network's adapters at another endpoint. `sim` starts the local
 * venue replicas in-process with their full markets, each market's funding on a seeded premium
 * process per venue so cross-venue opportunities open and close; the simulator is loaded
 * (dynamic `import()`) only then. `sim` with the env file of a running `deno task sim` reads
 * those replicas instead.
 *
 * @module
 */
import type { Clock, FundingAdapter } from "../base.ts";
import type { ManualClock } from "../exchanges/_shared/clock.ts";
// Type-only: the simulator is loaded with a dynamic `import()` when `sim` is asked for, so a
// live network never loads `sim/`.
import type { FaultInjector } from "../sim/faults.ts";
import type { SimVenue, SimVenueName } from "../sim/network.ts";
import type { FundingSource } from "./collector.ts";

/** Networks the sources can target. */
export type FundingNetwork = "mainnet" | "testnet" | "sim";

/** Export name of each venue's funding adapter class. */
export const ADAPTER_EXPORTS: Readonly<Record<string, string>> = Object.freeze({
  lighter: "LighterFundingAdapter",
  grvt: "GRVTFundingAdapter",
  edgex: "EdgeXFundingAdapter",
  hyperliquid: "HyperliquidFundingAdapter",
});

/**
 * Constructor options of each venue's adapter for a live network, or why the network has no
 * endpoint for that venue. Lighter takes `network`, GRVT an `environment` (grvt.md §1), EdgeX
 * only its production host (edgex.md: no public V2 testnet).
 */
const ADAPTER_OPTIONS: Readonly<
  Record<string, (network: "mainnet" | "testnet") => Record<string, unknown> | string>
> = {
  lighter: (network) => ({ network }),
  grvt: (network) => ({ environment: network === "mainnet" ? "prod" : "testnet" }),
  edgex: (network) =>
    network === "mainnet" ? {} : "EdgeX publishes no V2 testnet host (edgex.md, hosts table)",
  hyperliquid: (network) => ({ environment: network }),
};

// Literal specifiers keep the imports analyzable (deno publish) while loading only the venues
// asked for.
const VENUE_MODULES: Readonly<Record<string, () => Promise<Record<string, unknown>>>> = {
  lighter: () => import("../exchanges/lighter/mod.ts"),
  grvt: () => import("../exchanges/grvt/mod.ts"),
  edgex: () => import("../exchanges/edgex/mod.ts"),
  hyperliquid: () => import("../exchanges/hyperliquid/mod.ts"),
};

async function loadSimulator() {
  const [network, funding] = await Promise.all([
    import("../sim/network.ts"),
    import("../sim/funding.ts"),
  ]);
  return {
    startSimVenue: network.startSimVenue,
    SIM_VENUE_MARKETS: network.SIM_VENUE_MARKETS,
    scriptedFundingRates: funding.scriptedFundingRates,
  };
}

/**
 * Environment variables that override a venue's hosts (a running replica, a testnet or any
 * custom endpoint) and the adapter option each one sets: the names `deno task sim --env-file`
 * writes.
 *
 * @example
 * ```ts
 * import { ADAPTER_HOST_VARIABLES } from "./sources.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(ADAPTER_HOST_VARIABLES.lighter.LIGHTER_REST_URL, "restUrl");
 * ```
 */
export const ADAPTER_HOST_VARIABLES: Readonly<Record<string, Readonly<Record<string, string>>>> =
  Object.freeze({
    lighter: Object.freeze({ LIGHTER_REST_URL: "restUrl", LIGHTER_WS_URL: "wsUrl" }),
    grvt: Object.freeze({
      GRVT_EDGE_URL: "hosts.edgeUrl",
      GRVT_TRADES_URL: "hosts.tradesUrl",
      GRVT_MARKET_DATA_URL: "hosts.marketDataUrl",
    }),
    edgex: Object.freeze({ EDGEX_REST_URL: "restUrl" }),
    hyperliquid: Object.freeze({ HYPERLIQUID_API_URL: "apiUrl" }),
  });

function hostOptions(
  venue: string,
  env: (name: string) => string | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(ADAPTER_HOST_VARIABLES[venue] ?? {})) {
    const value = env(name)?.trim();
    if (!value) continue;
    const [head, tail] = option.split(".");
    if (tail === undefined) out[head] = value;
    else out[head] = { ...(out[head] as Record<string, unknown> | undefined), [tail]: value };
  }
  return out;
}

function denoEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** Options of {@linkcode openFundingSources}. */
export interface OpenSourcesOptions {
  /** Which endpoints. @default {"mainnet"} */
  network?: FundingNetwork;
  /** Clock of the simulated venues (the caller advances it). @default {the wall clock} */
  clock?: ManualClock;
  /**
   * `replica`: each venue's protocol replica on loopback with the venue's real adapter;
   * `paper`: the in-process adapter on the engine. @default {"replica"}
   */
  protocol?: "replica" | "paper";
  /** Faults the simulated venues apply (latency, 5xx, …). */
  faults?: (venue: string) => FaultInjector | undefined;
  /** Seed of the simulated price paths and funding premium processes. @default {1} */
  seed?: number;
  /**
   * Constant funding rates per interval of the simulated venues (venue → unified symbol →
   * rate), replacing the seeded premium process of the markets listed.
   * @default {none: every market's rate moves on its premium process}
   */
  simRates?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * `sim` only: the variables of a running `deno task sim` (its `--env-file`). The adapters
   * then read those replicas instead of starting venues in-process.
   */
  simEnv?: Readonly<Record<string, string>>;
  /** Reads host overrides (`LIGHTER_REST_URL`, `GRVT_MARKET_DATA_URL`, …). @default {Deno.env.get} */
  env?: (name: string) => string | undefined;
  /** Replaces the import of a venue module (tests). */
  importVenue?: (venue: string) => Promise<Record<string, unknown>>;
  /**
   * Clock handed to each venue's real adapter (live networks and attached replicas), which
   * dates settlements and times requests by it. @default {each adapter's own: the wall clock}
   */
  adapterClock?: Clock;
}

/** Sources plus what must be released after use. */
export interface OpenedSources extends AsyncDisposable {
  /** One source per venue, in the order asked. */
  readonly sources: FundingSource[];
  /** Closes adapters and stops simulated venues. */
  close(): Promise<void>;
}

function isSimVenue(venue: string): venue is SimVenueName {
  return venue === "lighter" || venue === "grvt" || venue === "edgex" || venue === "hyperliquid";
}

async function liveSource(
  venue: string,
  network: "mainnet" | "testnet" | "attach",
  load: (venue: string) => Promise<Record<string, unknown>>,
  env: (name: string) => string | undefined,
  clock?: Clock,
): Promise<FundingSource> {
  const exportName = ADAPTER_EXPORTS[venue];
  if (exportName === undefined) return { venue, unavailable: `unknown venue '${venue}'` };
  let mod: Record<string, unknown>;
  try {
    mod = await load(venue);
  } catch (error) {
    return { venue, unavailable: `cannot load exchanges/${venue}/mod.ts: ${String(error)}` };
  }
  const Adapter = mod[exportName];
  if (typeof Adapter !== "function") {
    return {
      venue,
      unavailable: `${exportName} is not available yet (exchanges/${venue}/mod.ts exports none)`,
    };
  }
  const hosts = hostOptions(venue, env);
  let adapterOptions: Record<string, unknown> | string;
  if (network === "attach") {
    const missing = Object.keys(ADAPTER_HOST_VARIABLES[venue] ?? {}).filter((n) => !env(n));
    if (missing.length > 0) {
      return { venue, unavailable: `the sim env file lists no ${venue} replica` };
    }
    adapterOptions = venue === "grvt" ? { environment: "sim", ...hosts } : hosts;
  } else {
    const own = ADAPTER_OPTIONS[venue](network);
    adapterOptions = typeof own === "string" && Object.keys(hosts).length === 0
      ? own
      : { ...(typeof own === "string" ? {} : own), ...hosts };
  }
  if (typeof adapterOptions === "string") return { venue, unavailable: adapterOptions };
  if (clock) adapterOptions = { ...adapterOptions, clock };
  try {
    const adapter = new (Adapter as new (options: Record<string, unknown>) => FundingAdapter)(
      adapterOptions,
    );
    return { venue, adapter };
  } catch (error) {
    return {
      venue,
      unavailable: `cannot create ${exportName}: ${error instanceof Error ? error.message : error}`,
    };
  }
}

/**
 * Opens one funding source per venue.
 *
 * @param venues Venue names, e.g. `["lighter", "grvt", "edgex"]`.
 * @param options Network, and for `sim` the clock, seed and rates.
 * @returns The sources; close them when done.
 *
 * @example Offline, against the simulated venues
 * ```ts
 * import { openFundingSources } from "./sources.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * await using opened = await openFundingSources(["grvt", "edgex"], { network: "sim" });
 * const rates = await opened.sources[0].adapter!.fetchFundingRates({ symbols: ["BTC"] });
 * equal(rates[0].intervalHours, 8);
 * ```
 */
export async function openFundingSources(
  venues: readonly string[],
  options: OpenSourcesOptions = {},
): Promise<OpenedSources> {
  const network = options.network ?? "mainnet";
  const sources: FundingSource[] = [];
  const sims: SimVenue[] = [];
  let simulator: Awaited<ReturnType<typeof loadSimulator>> | undefined;
  const outer = options.env ?? denoEnv;
  const simEnv = options.simEnv;
  const env = simEnv ? (name: string) => simEnv[name] ?? outer(name) : outer;
  const load = options.importVenue ??
    ((v: string) => VENUE_MODULES[v]?.() ?? Promise.reject(new Error("no module")));
  for (const venue of venues) {
    if (network === "sim" && simEnv) {
      sources.push(await liveSource(venue, "attach", load, env, options.adapterClock));
    } else if (network === "sim") {
      if (!isSimVenue(venue)) {
        sources.push({ venue, unavailable: `no simulator for '${venue}'` });
        continue;
      }
      simulator ??= await loadSimulator();
      const { startSimVenue, scriptedFundingRates, SIM_VENUE_MARKETS } = simulator;
      const sim = await startSimVenue(venue, {
        seed: options.seed ?? 1,
        clock: options.clock,
        protocol: options.protocol ?? "replica",
        faults: options.faults?.(venue),
        markets: SIM_VENUE_MARKETS[venue],
        funding: "premium",
      });
      sims.push(sim);
      const listed = new Set(sim.engine.instruments().map((i) => i.symbol));
      for (const [symbol, rate] of Object.entries(options.simRates?.[venue] ?? {})) {
        // Replicas name engine markets their venue's way (GRVT `BTC_USDT_Perp`).
        const engineSymbol = sim.engineSymbol(symbol);
        if (listed.has(engineSymbol)) {
          sim.engine.setFundingRates(engineSymbol, scriptedFundingRates(rate));
        }
      }
      sources.push({ venue, adapter: sim.fundingAdapter() });
    } else {
      sources.push(await liveSource(venue, network, load, env, options.adapterClock));
    }
  }
  const close = async () => {
    await Promise.allSettled(sources.map((s) => s.adapter?.close()));
    await Promise.allSettled(sims.map((s) => s.close()));
  };
  return { sources, close, [Symbol.asyncDispose]: close };
}
