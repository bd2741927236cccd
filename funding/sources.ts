/**
 * Builds the collector's sources for a network. Live networks load each venue module with a
 * dynamic `import()` and construct its funding adapter when the module exports one; a venue
 * whose adapter is missing or fails to construct is reported unavailable (a failed venue in
 * every run), never faked. `sim` starts the local venue replicas in-process, with a distinct
 * funding-rate script per venue so cross-venue opportunities exist; the simulator is loaded
 * (dynamic `import()`) only then.
 *
 * @module
 */
import type { FundingAdapter } from "../base.ts";
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
};

// Literal specifiers keep the imports analyzable (deno publish) while loading only the venues
// asked for.
const VENUE_MODULES: Readonly<Record<string, () => Promise<Record<string, unknown>>>> = {
  lighter: () => import("../exchanges/lighter/mod.ts"),
  grvt: () => import("../exchanges/grvt/mod.ts"),
  edgex: () => import("../exchanges/edgex/mod.ts"),
};

async function loadSimulator() {
  const [network, funding] = await Promise.all([
    import("../sim/network.ts"),
    import("../sim/funding.ts"),
  ]);
  return {
    startSimVenue: network.startSimVenue,
    scriptedFundingRates: funding.scriptedFundingRates,
  };
}

/**
 * Funding rates the simulated venues charge, per interval as each venue applies it (Lighter
 * 1 h, GRVT 8 h, EdgeX 4 h): different hourly rates per venue so opportunities exist.
 *
 * @example
 * ```ts
 * import { SIM_FUNDING_RATES } from "./sources.ts";
 * SIM_FUNDING_RATES.grvt.BTC; // "0.0003" per 8 h = 0.0000375 per hour
 * ```
 */
export const SIM_FUNDING_RATES: Readonly<Record<string, Readonly<Record<string, string>>>> = Object
  .freeze({
    lighter: Object.freeze({ BTC: "0.0000125", ETH: "0.00002", SOL: "-0.00001" }),
    grvt: Object.freeze({ BTC: "0.0003", ETH: "0.0001", SOL: "0.0004" }),
    edgex: Object.freeze({ BTC: "0.00004", ETH: "0.0002", SOL: "-0.0001" }),
  });

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
  /** Seed of the simulated price paths. @default {1} */
  seed?: number;
  /** Funding rates of the simulated venues. @default {SIM_FUNDING_RATES} */
  simRates?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Replaces the import of a venue module (tests). */
  importVenue?: (venue: string) => Promise<Record<string, unknown>>;
}

/** Sources plus what must be released after use. */
export interface OpenedSources extends AsyncDisposable {
  /** One source per venue, in the order asked. */
  readonly sources: FundingSource[];
  /** Closes adapters and stops simulated venues. */
  close(): Promise<void>;
}

function isSimVenue(venue: string): venue is SimVenueName {
  return venue === "lighter" || venue === "grvt" || venue === "edgex";
}

async function liveSource(
  venue: string,
  network: "mainnet" | "testnet",
  load: (venue: string) => Promise<Record<string, unknown>>,
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
  const adapterOptions = ADAPTER_OPTIONS[venue](network);
  if (typeof adapterOptions === "string") return { venue, unavailable: adapterOptions };
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
 * import { equal } from "node:assert/strict";
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
  for (const venue of venues) {
    if (network === "sim") {
      if (!isSimVenue(venue)) {
        sources.push({ venue, unavailable: `no simulator for '${venue}'` });
        continue;
      }
      simulator ??= await loadSimulator();
      const { startSimVenue, scriptedFundingRates } = simulator;
      const sim = await startSimVenue(venue, {
        seed: options.seed ?? 1,
        clock: options.clock,
        protocol: options.protocol ?? "replica",
        faults: options.faults?.(venue),
      });
      sims.push(sim);
      const rates = (options.simRates ?? SIM_FUNDING_RATES)[venue] ?? {};
      for (const [symbol, rate] of Object.entries(rates)) {
        // Replicas name engine markets their venue's way (GRVT `BTC_USDT_Perp`).
        for (const i of sim.engine.instruments()) {
          if (i.symbol === symbol || i.symbol.startsWith(`${symbol}_`)) {
            sim.engine.setFundingRates(i.symbol, scriptedFundingRates(rate));
          }
        }
      }
      sources.push({ venue, adapter: sim.fundingAdapter() });
    } else {
      const load = options.importVenue ??
        ((v: string) => VENUE_MODULES[v]?.() ?? Promise.reject(new Error("no module")));
      sources.push(await liveSource(venue, network, load));
    }
  }
  const close = async () => {
    await Promise.allSettled(sources.map((s) => s.adapter?.close()));
    await Promise.allSettled(sims.map((s) => s.close()));
  };
  return { sources, close, [Symbol.asyncDispose]: close };
}
