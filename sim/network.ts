/**
 * A simulated venue, ready to trade: an engine with the venue's funding interval and fees,
 * a few markets moving on seeded random walks, background liquidity, a funded test account,
 * and the venue's clients. `--network sim` in the bot and the funding service starts one of
 * these per venue, so the main jobs run offline with no credentials.
 *
 * Each venue's simulated network is a {@linkcode SimVenue}: until a venue's protocol replica
 * exists, its clients are the in-process {@linkcode PaperClient} /
 * {@linkcode PaperFundingAdapter}; a venue with a replica starts it and returns its real
 * client connected over loopback instead, behind the same interface.
 *
 * @module
 */
import type { Clock, ExchangeClient, FundingAdapter } from "../base.ts";
import { systemClock } from "../exchanges/_shared/clock.ts";
import { SimControl } from "./control.ts";
import { SimEngine } from "./engine.ts";
import { FaultInjector } from "./faults.ts";
import type { InstrumentSpec } from "./instrument.ts";
import { MarketSimulator, randomWalk } from "./market.ts";
import { PaperClient, PaperFundingAdapter } from "./paper.ts";

/** The venues the simulator can stand in for. */
export type SimVenueName = "lighter" | "grvt" | "edgex";

/** Names of the simulated venues. */
export const SIM_VENUES: readonly SimVenueName[] = Object.freeze(["lighter", "grvt", "edgex"]);

/** A market of a simulated venue: its rules, starting price and liquidity size. */
export interface SimMarketSpec {
  /** Rules (symbol, tick, step, minimums). Venue fees and funding interval are added. */
  spec: Omit<InstrumentSpec, "makerFee" | "takerFee" | "fundingIntervalHours">;
  /** Starting mark and index price. */
  price: string;
  /** Size of each liquidity level. */
  liquiditySize: string;
}

/**
 * Markets every simulated venue lists.
 *
 * @example
 * ```ts
 * import { DEFAULT_SIM_MARKETS } from "./network.ts";
 * DEFAULT_SIM_MARKETS.map((m) => m.spec.symbol); // ["BTC", "ETH", "SOL"]
 * ```
 */
export const DEFAULT_SIM_MARKETS: readonly SimMarketSpec[] = Object.freeze([
  {
    spec: { symbol: "BTC", tickSize: "0.1", sizeStep: "0.001", minNotional: "10" },
    price: "64000",
    liquiditySize: "0.5",
  },
  {
    spec: { symbol: "ETH", tickSize: "0.01", sizeStep: "0.01", minNotional: "10" },
    price: "3200",
    liquiditySize: "5",
  },
  {
    spec: { symbol: "SOL", tickSize: "0.001", sizeStep: "0.1", minNotional: "10" },
    price: "150",
    liquiditySize: "100",
  },
]);

/**
 * Per-venue settings of the simulator: funding interval (lighter.md, grvt.md, edgex.md) and
 * fees as fractions (the original service's seed table, `originals.md` §6.2; GRVT's maker fee
 * is a rebate).
 *
 * @example
 * ```ts
 * import { SIM_VENUE_PROFILES } from "./network.ts";
 * SIM_VENUE_PROFILES.grvt.makerFee; // "-0.0001"
 * ```
 */
export const SIM_VENUE_PROFILES: Readonly<
  Record<SimVenueName, { fundingIntervalHours: number; makerFee: string; takerFee: string }>
> = Object.freeze({
  lighter: Object.freeze({ fundingIntervalHours: 1, makerFee: "0", takerFee: "0" }),
  grvt: Object.freeze({ fundingIntervalHours: 8, makerFee: "-0.0001", takerFee: "0.00055" }),
  edgex: Object.freeze({ fundingIntervalHours: 4, makerFee: "0.00015", takerFee: "0.00038" }),
});

/** Options of {@linkcode startSimVenue}. */
export interface StartSimVenueOptions {
  /** Seed of the price paths. @default {1} */
  seed?: number;
  /** Clock of the engine. @default {systemClock} */
  clock?: Clock;
  /** Markets to list. @default {DEFAULT_SIM_MARKETS} */
  markets?: readonly SimMarketSpec[];
  /** Id of the funded test account. @default {"trader"} */
  accountId?: string;
  /** Collateral of the test account. @default {"100000"} */
  collateral?: string;
  /** Milliseconds between price steps. @default {1000} */
  stepMs?: number;
  /** Standard deviation of one price step, in basis points. @default {"2"} */
  volatilityBps?: string;
  /** Faults the venue's clients honour. @default {a fresh, empty FaultInjector} */
  faults?: FaultInjector;
}

/** A running simulated venue. */
export interface SimVenue {
  /** Venue name. */
  readonly venue: SimVenueName;
  /** The engine. */
  readonly engine: SimEngine;
  /** Control surface (prices, time, faults, truth). */
  readonly control: SimControl;
  /** Id of the funded test account. */
  readonly accountId: string;
  /** A trading client for the test account (not yet connected). */
  client(): ExchangeClient;
  /** A funding adapter for the venue. */
  fundingAdapter(): FundingAdapter;
  /** Stops the markets (and the replica, where one runs). */
  close(): Promise<void>;
}

/**
 * Starts a simulated venue with moving markets and a funded account.
 *
 * @param venue Which venue to simulate.
 * @param options Seed, clock, markets, account and faults.
 * @returns The running venue.
 *
 * @example
 * ```ts
 * import { ManualClock } from "../exchanges/_shared/clock.ts";
 * import { startSimVenue } from "./network.ts";
 *
 * const sim = await startSimVenue("edgex", { clock: new ManualClock(Date.UTC(2026, 0, 1)) });
 * const [btc] = await sim.fundingAdapter().fetchFundingRates({ symbols: ["BTC"] });
 * console.log(btc.intervalHours); // 4
 * await sim.close();
 * ```
 */
export function startSimVenue(
  venue: SimVenueName,
  options: StartSimVenueOptions = {},
): Promise<SimVenue> {
  const profile = SIM_VENUE_PROFILES[venue];
  if (!profile) throw new RangeError(`No simulator profile for venue '${venue}'`);
  const clock = options.clock ?? systemClock;
  const engine = new SimEngine({ clock, venue, keepLog: false });
  const faults = options.faults ?? new FaultInjector({ clock, seed: options.seed ?? 1 });
  const control = new SimControl(engine, { faults });
  const accountId = options.accountId ?? "trader";
  const seed = options.seed ?? 1;
  const markets = (options.markets ?? DEFAULT_SIM_MARKETS).map((m, i) => {
    engine.addInstrument(
      { ...m.spec, ...profile },
      { markPrice: m.price, indexPrice: m.price },
    );
    return new MarketSimulator(engine, {
      symbol: m.spec.symbol,
      path: randomWalk({ seed: seed * 1000 + i, volatilityBps: options.volatilityBps ?? "2" }),
      stepMs: options.stepMs ?? 1_000,
      liquidity: { size: m.liquiditySize, levels: 5, halfSpreadTicks: 2 },
    });
  });
  engine.createAccount(accountId, { collateral: options.collateral ?? "100000" });
  for (const m of markets) m.start();
  const stop = new AbortController();
  const running = engine.run(stop.signal).catch(() => {});
  return Promise.resolve({
    venue,
    engine,
    control,
    accountId,
    client: () => new PaperClient({ engine, accountId, faults, venue }),
    fundingAdapter: () => new PaperFundingAdapter(engine, { venue }),
    close: async () => {
      stop.abort();
      await running;
    },
  });
}
