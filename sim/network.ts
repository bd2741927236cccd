/**
 * A simulated venue, ready to trade: an engine with the venue's funding interval and fees,
 * a few markets moving on seeded random walks, background liquidity, a funded test account,
 * and the venue's clients. `--network sim` in the bot and the funding service starts one of
 * these per venue, so the main jobs run offline with no credentials.
 *
 * Each venue's simulated network is a {@linkcode SimVenue}. With `protocol: "replica"` it runs the
 * venue's protocol replica on loopback and hands out the venue's real client and funding
 * adapter (`GRVTClient`, `LighterClient`, `EdgeXClient` …) pointed at it, so the whole wire
 * path is exercised; with `protocol: "paper"` the clients are the in-process
 * {@linkcode PaperClient} / {@linkcode PaperFundingAdapter}, which skip the protocol.
 *
 * Time: the engine runs on a {@linkcode ManualClock}. Without a clock option it is driven to
 * follow the wall clock (the main jobs); a test passes its own clock and advances it.
 *
 * @module
 */
import type { ExchangeClient, FundingAdapter } from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { EdgeXClient, EdgeXFundingAdapter } from "../exchanges/edgex/mod.ts";
import { GRVTClient, GRVTFundingAdapter } from "../exchanges/grvt/mod.ts";
import { LighterClient, LighterFundingAdapter } from "../exchanges/lighter/mod.ts";
import { HyperliquidClient, HyperliquidFundingAdapter } from "../exchanges/hyperliquid/mod.ts";
import { Decimal } from "../core/decimal.ts";
import { type EdgeXReplicaContract, startEdgeXReplica } from "./edgex/mod.ts";
import { GRVT_COUNTERPARTY, type GrvtReplicaInstrument, startGrvtReplica } from "./grvt/mod.ts";
import { type HyperliquidReplicaMarket, startHyperliquidReplica } from "./hyperliquid/mod.ts";
import {
  LIGHTER_FRONT_END,
  type LighterReplicaMarket,
  startLighterReplica,
} from "./lighter/mod.ts";
import { SimControl } from "./control.ts";
import { SimEngine } from "./engine.ts";
import { FaultInjector } from "./faults.ts";
import { premiumFundingRates } from "./funding.ts";
import type { InstrumentSpec } from "./instrument.ts";
import { MarketSimulator, randomWalk } from "./market.ts";
import { PaperClient, PaperFundingAdapter } from "./paper.ts";
import { SimServer } from "./server.ts";

/** The venues the simulator can stand in for. */
export type SimVenueName = "lighter" | "grvt" | "edgex" | "hyperliquid";

/** Names of the simulated venues. */
export const SIM_VENUES: readonly SimVenueName[] = Object.freeze([
  "lighter",
  "grvt",
  "edgex",
  "hyperliquid",
]);

/** A market of a simulated venue: its rules, starting price and liquidity size. */
export interface SimMarketSpec {
  /**
   * Rules in unified terms (`symbol` is the unified symbol, e.g. `1000PEPE`; tick, step,
   * minimums). Venue fees and funding interval are added.
   */
  spec: Omit<InstrumentSpec, "makerFee" | "takerFee" | "fundingIntervalHours">;
  /** Starting mark and index price. */
  price: string;
  /** Size of each liquidity level. */
  liquiditySize: string;
  /**
   * How the venue writes the market (GRVT's base currency `KPEPE` for the unified `1000PEPE`).
   * @default {spec.symbol}
   */
  venueSymbol?: string;
  /**
   * The venue's number for it: Lighter market index, GRVT currency id (grvt.md §2.4, it
   * builds the `instrument_hash`), EdgeX contract id. @default {a number from the list order}
   */
  venueId?: number;
  /**
   * Funding rate per interval at the start, and the level the seeded premium process
   * reverts to. @default {"0"}
   */
  fundingRate?: string;
}

/**
 * Markets every simulated venue lists by default with the paper protocol.
 *
 * @example
 * ```ts
 * import { DEFAULT_SIM_MARKETS } from "./network.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 * deepEqual(DEFAULT_SIM_MARKETS.map((m) => m.spec.symbol), ["BTC", "ETH", "SOL"]);
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

type Row = [
  symbol: string,
  venueSymbol: string,
  venueId: number,
  tick: string,
  step: string,
  price: string,
  liquidity: string,
  fundingRate: string,
];

function table(rows: readonly Row[], minNotional: string): readonly SimMarketSpec[] {
  return Object.freeze(
    rows.map(([symbol, venueSymbol, venueId, tick, step, price, liq, rate]) =>
      Object.freeze({
        spec: { symbol, tickSize: tick, sizeStep: step, minNotional },
        price,
        liquiditySize: liq,
        venueSymbol,
        venueId,
        fundingRate: rate,
      })
    ),
  );
}

/**
 * The full simulated market of each venue (what `deno task sim` and `deno task funding
 * --network sim` list): 14 markets each, the multiplier markets spelt the venue's way (Lighter
 * and EdgeX `1000PEPE` / `1000BONK`, GRVT's currency `KPEPE`, which its client maps to
 * `1000PEPE`), ticks and steps that differ per venue (Lighter's are powers of ten from
 * `price_decimals` / `size_decimals`; GRVT's size step is `min_size`), and a starting funding
 * rate per interval (Lighter 1 h, GRVT 8 h, EdgeX 4 h) that the seeded premium process
 * reverts to. Ids: Lighter market indices (ETH 0, BTC 1, 1000BONK 18 as in lighter.md's
 * captures), GRVT currency ids (grvt.md §2.4), EdgeX contract ids `3000xxxx`.
 *
 * @example
 * ```ts
 * import { SIM_VENUE_MARKETS } from "./network.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(SIM_VENUE_MARKETS.grvt.find((m) => m.spec.symbol === "1000PEPE")?.venueSymbol, "KPEPE");
 * ```
 */
export const SIM_VENUE_MARKETS: Readonly<Record<SimVenueName, readonly SimMarketSpec[]>> = Object
  .freeze({
    lighter: table([
      ["ETH", "ETH", 0, "0.01", "0.0001", "3200", "5", "0.00002"],
      ["BTC", "BTC", 1, "0.1", "0.00001", "64000", "0.5", "0.0000125"],
      ["SOL", "SOL", 2, "0.001", "0.001", "150", "100", "-0.00001"],
      ["DOGE", "DOGE", 3, "0.000001", "1", "0.12", "80000", "0.00001"],
      ["1000PEPE", "1000PEPE", 4, "0.000001", "1", "0.0105", "900000", "0.000025"],
      ["WIF", "WIF", 5, "0.00001", "0.1", "2.4", "4000", "0.00003"],
      ["XRP", "XRP", 7, "0.000001", "1", "0.52", "20000", "0.000005"],
      ["LINK", "LINK", 8, "0.00001", "0.1", "14", "700", "0.0000125"],
      ["AVAX", "AVAX", 9, "0.0001", "0.01", "28", "350", "0.00001"],
      ["SUI", "SUI", 16, "0.00001", "0.1", "1.1", "9000", "0.00002"],
      ["1000BONK", "1000BONK", 18, "0.000001", "1", "0.022", "450000", "0.000015"],
      ["AAVE", "AAVE", 27, "0.001", "0.01", "95", "100", "0.00001"],
      ["BNB", "BNB", 25, "0.01", "0.01", "580", "17", "0.0000075"],
      ["ARB", "ARB", 50, "0.00001", "0.1", "0.8", "12000", "0.00002"],
    ], "10"),
    grvt: table([
      ["BTC", "BTC", 5, "0.1", "0.001", "64000", "0.5", "0.0003"],
      ["ETH", "ETH", 4, "0.01", "0.01", "3200", "5", "0.0001"],
      ["SOL", "SOL", 6, "0.01", "0.01", "150", "100", "0.0004"],
      ["ARB", "ARB", 7, "0.0001", "1", "0.8", "12000", "0.0002"],
      ["BNB", "BNB", 8, "0.01", "0.01", "580", "17", "0.00005"],
      ["1000PEPE", "KPEPE", 13, "0.0000001", "100", "0.0105", "900000", "0.0003"],
      ["XRP", "XRP", 15, "0.0001", "1", "0.52", "20000", "0.0001"],
      ["WIF", "WIF", 18, "0.0001", "1", "2.4", "4000", "0.0004"],
      ["TRUMP", "TRUMP", 20, "0.001", "0.1", "9", "1100", "0.0002"],
      ["SUI", "SUI", 21, "0.0001", "1", "1.1", "9000", "0.00015"],
      ["LINK", "LINK", 25, "0.001", "0.1", "14", "700", "0.0001"],
      ["DOGE", "DOGE", 30, "0.00001", "10", "0.12", "80000", "0.00025"],
      ["ADA", "ADA", 33, "0.0001", "1", "0.45", "22000", "0.0001"],
      ["AAVE", "AAVE", 34, "0.01", "0.01", "95", "100", "0.00008"],
    ], "100"),
    edgex: table([
      ["BTC", "BTC", 30000001, "0.1", "0.001", "64000", "0.5", "0.00004"],
      ["ETH", "ETH", 30000002, "0.01", "0.01", "3200", "5", "0.0002"],
      ["SOL", "SOL", 30000003, "0.01", "0.1", "150", "100", "-0.0001"],
      ["DOGE", "DOGE", 30000004, "0.00001", "10", "0.12", "80000", "0.00005"],
      ["1000PEPE", "1000PEPE", 30000005, "0.000001", "1000", "0.0105", "900000", "0.00004"],
      ["XRP", "XRP", 30000006, "0.0001", "1", "0.52", "20000", "0.0001"],
      ["LINK", "LINK", 30000007, "0.001", "0.1", "14", "700", "0.00006"],
      ["AVAX", "AVAX", 30000008, "0.001", "0.1", "28", "350", "0.00003"],
      ["SUI", "SUI", 30000009, "0.0001", "1", "1.1", "9000", "0.0001"],
      ["WIF", "WIF", 30000010, "0.0001", "1", "2.4", "4000", "0.00012"],
      ["1000BONK", "1000BONK", 30000011, "0.000001", "100", "0.022", "450000", "0.00008"],
      ["AAVE", "AAVE", 30000012, "0.01", "0.1", "95", "100", "0.00004"],
      ["BNB", "BNB", 30000013, "0.01", "0.01", "580", "17", "0.00002"],
      ["ADA", "ADA", 30000014, "0.0001", "1", "0.45", "22000", "0.00004"],
    ], "10"),
    // Hyperliquid: the size step is 10^-szDecimals (BTC 5, ETH 4, …); the tick is the one the
    // starting price allows (5 significant figures, at most 6 − szDecimals decimals); the id is
    // the asset index (the position in `meta.universe`); funding is per hour.
    hyperliquid: table([
      ["BTC", "BTC", 0, "1", "0.00001", "64000", "0.5", "0.0000125"],
      ["ETH", "ETH", 1, "0.1", "0.0001", "3200", "5", "0.0000125"],
      ["SOL", "SOL", 2, "0.01", "0.01", "150", "100", "0.00001"],
      ["DOGE", "DOGE", 3, "0.00001", "1", "0.12", "80000", "0.0000125"],
      ["1000PEPE", "kPEPE", 4, "0.000001", "1", "0.0105", "900000", "0.00002"],
      ["WIF", "WIF", 5, "0.0001", "1", "2.4", "4000", "0.000025"],
      ["XRP", "XRP", 6, "0.00001", "1", "0.52", "20000", "0.0000125"],
      ["LINK", "LINK", 7, "0.001", "0.1", "14", "700", "0.0000125"],
      ["AVAX", "AVAX", 8, "0.001", "0.01", "28", "350", "0.00001"],
      ["SUI", "SUI", 9, "0.0001", "0.1", "1.1", "9000", "0.000015"],
      ["BNB", "BNB", 10, "0.01", "0.001", "580", "17", "0.0000075"],
      ["ARB", "ARB", 11, "0.00001", "0.1", "0.8", "12000", "0.00001"],
      ["AAVE", "AAVE", 12, "0.001", "0.01", "95", "100", "0.0000125"],
      ["1000BONK", "kBONK", 13, "0.000001", "1", "0.022", "450000", "0.000015"],
    ], "10"),
  });

/**
 * Per-venue settings of the simulator: funding interval (lighter.md, grvt.md, edgex.md),
 * fees as fractions (Lighter standard accounts pay none, lighter.md rate limits; GRVT's
 * maker rebate and the 0.045 % taker fee of its live fill sample, grvt.md §4.2.5; EdgeX's
 * contract defaults, originals.md §6.2), and the volatility of the funding premium process
 * per interval (about 0.001 % per hour on every venue).
 *
 * @example
 * ```ts
 * import { SIM_VENUE_PROFILES } from "./network.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(SIM_VENUE_PROFILES.grvt.makerFee, "-0.0001");
 * ```
 */
export const SIM_VENUE_PROFILES: Readonly<
  Record<SimVenueName, {
    fundingIntervalHours: number;
    makerFee: string;
    takerFee: string;
    fundingVolatility: string;
  }>
> = Object.freeze({
  lighter: Object.freeze({
    fundingIntervalHours: 1,
    makerFee: "0",
    takerFee: "0",
    fundingVolatility: "0.00001",
  }),
  grvt: Object.freeze({
    fundingIntervalHours: 8,
    makerFee: "-0.0001",
    takerFee: "0.00045",
    fundingVolatility: "0.00008",
  }),
  edgex: Object.freeze({
    fundingIntervalHours: 4,
    makerFee: "0.00015",
    takerFee: "0.00038",
    fundingVolatility: "0.00004",
  }),
  // Hourly funding; the base fee tier (maker 0.015 %, taker 0.045 %).
  hyperliquid: Object.freeze({
    fundingIntervalHours: 1,
    makerFee: "0.00015",
    takerFee: "0.00045",
    fundingVolatility: "0.00001",
  }),
});

/**
 * Fixed loopback ports of a simulator started with base port `P` (`deno task sim --port P`):
 * Lighter `P`, GRVT market data `P+1`, EdgeX `P+2`, GRVT edge `P+3`, GRVT trades `P+4`, GRVT
 * control API `P+5`, Hyperliquid `P+6` (Lighter, EdgeX and Hyperliquid serve the control API
 * under `/_control` on their own port).
 *
 * @param base The base port.
 * @param venue The venue.
 * @returns The venue's ports (GRVT has three hosts).
 *
 * @example
 * ```ts
 * import { simVenuePorts } from "./network.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 * deepEqual(simVenuePorts(9100, "grvt"), { main: 9101, edge: 9103, trades: 9104, control: 9105 });
 * ```
 */
export function simVenuePorts(
  base: number,
  venue: SimVenueName,
): { main: number; edge?: number; trades?: number; control?: number } {
  switch (venue) {
    case "lighter":
      return { main: base };
    case "grvt":
      return { main: base + 1, edge: base + 3, trades: base + 4, control: base + 5 };
    case "edgex":
      return { main: base + 2 };
    case "hyperliquid":
      return { main: base + 6 };
  }
}

/** Options of {@linkcode startSimVenue}. */
export interface StartSimVenueOptions {
  /** Seed of the price paths and of the funding premium process. @default {1} */
  seed?: number;
  /** Clock of the engine; the caller advances it. @default {a clock that follows the wall clock} */
  clock?: ManualClock;
  /**
   * `"replica"`: the venue's protocol replica on loopback and the venue's real clients;
   * `"paper"`: in-process clients on the engine, no wire protocol. @default {"paper"}
   */
  protocol?: "replica" | "paper";
  /**
   * Markets to list. @default {paper: DEFAULT_SIM_MARKETS; replica: BTC and ETH of
   * SIM_VENUE_MARKETS[venue]}
   */
  markets?: readonly SimMarketSpec[];
  /** Id of the funded test account. @default {"trader"} */
  accountId?: string;
  /** Collateral of the test account. @default {"100000"} */
  collateral?: string;
  /** Background liquidity levels per side. @default {5} */
  liquidityLevels?: number;
  /** Milliseconds between price steps. @default {1000} */
  stepMs?: number;
  /** Standard deviation of one price step, in basis points. @default {"2"} */
  volatilityBps?: string;
  /** Faults the venue's clients honour. @default {a fresh, empty FaultInjector} */
  faults?: FaultInjector;
  /**
   * Funding: `"premium"` gives every market a seeded premium process
   * ({@linkcode premiumFundingRates}: starting at the market's `fundingRate`, one step an hour,
   * the venue's `fundingVolatility`, a seed per venue and market); `"mark"` charges the premium
   * of mark over index (zero on a market without a mark premium). @default {"mark"}
   */
  funding?: "premium" | "mark";
  /**
   * Replica only: fixed loopback port (see {@linkcode simVenuePorts}); the replica is reached
   * there. @default {0: any free port}
   */
  port?: number;
}

/** A running simulated venue. */
export interface SimVenue {
  /** Venue name. */
  readonly venue: SimVenueName;
  /** The engine. */
  readonly engine: SimEngine;
  /** Control surface (prices, time, faults, truth). */
  readonly control: SimControl;
  /** Engine id of the funded test account. */
  readonly accountId: string;
  /** The clock the engine runs on. */
  readonly clock: ManualClock;
  /** `"replica"` or `"paper"`. */
  readonly protocol: "replica" | "paper";
  /** The engine's name of a unified symbol (GRVT's replica uses `BTC_USDT_Perp`). */
  engineSymbol(symbol: string): string;
  /**
   * How to reach the venue, as the environment variables the bot and the funding service read
   * (`LIGHTER_REST_URL`, `GRVT_MARKET_DATA_URL`, `EDGEX_API_KEY`, … and `<VENUE>_CONTROL_URL`,
   * the replica's control API): the replica's URLs and the test account's credentials (test
   * keys of a local replica, never funded anywhere); empty for paper venues.
   */
  readonly endpoints: Readonly<Record<string, string>>;
  /**
   * The fault injector the venue's front-end consults: the replica's own (front-end `"grvt"`,
   * `"lighter"`, `"edgex"`, with that venue's endpoint and stream names), or the paper
   * clients' (front-end `"paper"`). The same injector as `control.faults`.
   */
  readonly faults: FaultInjector;
  /**
   * Drops every live connection of the venue's clients (replica: the server closes its
   * sockets; paper: each client created by {@linkcode SimVenue.client} simulates a disconnect).
   * Clients reconnect and resubscribe on their own.
   */
  dropConnections(): Promise<void>;
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
 * @param options Seed, clock, markets, account, faults, funding and port.
 * @returns The running venue.
 *
 * @example
 * ```ts
 * import { ManualClock } from "../exchanges/_shared/clock.ts";
 * import { startSimVenue } from "./network.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const sim = await startSimVenue("edgex", { clock: new ManualClock(Date.UTC(2026, 0, 1)) });
 * const [btc] = await sim.fundingAdapter().fetchFundingRates({ symbols: ["BTC"] });
 * equal(btc.intervalHours, 4);
 * await sim.close();
 * ```
 */
export async function startSimVenue(
  venue: SimVenueName,
  options: StartSimVenueOptions = {},
): Promise<SimVenue> {
  const profile = SIM_VENUE_PROFILES[venue];
  if (!profile) throw new RangeError(`No simulator profile for venue '${venue}'`);
  const stop = new AbortController();
  const clock = options.clock ?? followWallClock(stop.signal);
  const seed = options.seed ?? 1;
  const protocol = options.protocol ?? "paper";
  const list = options.markets ??
    (protocol === "replica"
      ? SIM_VENUE_MARKETS[venue].filter((m) => ["BTC", "ETH"].includes(m.spec.symbol))
      : DEFAULT_SIM_MARKETS);
  const base = protocol === "replica"
    ? await startReplica(venue, clock, list, options)
    : startPaper(venue, clock, list, options);
  const engine = base.engine;
  const engineSymbol = base.engineSymbol ?? ((symbol: string) => symbol);
  const bySymbol = new Map(list.map((m) => [engineSymbol(m.spec.symbol), m]));
  const markets = engine.instruments().map((inst, i) => {
    const m = bySymbol.get(inst.symbol);
    // A level worth about $10 000 when the market has no configured size.
    const size = m?.liquiditySize ??
      quantizeSize(10_000 / Number(engine.prices(inst.symbol).markPrice), inst.sizeStep.toString());
    return new MarketSimulator(engine, {
      symbol: inst.symbol,
      path: randomWalk({ seed: seed * 1000 + i, volatilityBps: options.volatilityBps ?? "2" }),
      stepMs: options.stepMs ?? 1_000,
      liquidity: {
        size,
        levels: options.liquidityLevels ?? 5,
        halfSpreadTicks: 2,
        accountId: base.liquidityAccountId,
      },
    });
  });
  if ((options.funding ?? "mark") === "premium") {
    const start = clock.now();
    const listed = new Set(engine.instruments().map((i) => i.symbol));
    for (const m of list) {
      const symbol = engineSymbol(m.spec.symbol);
      if (!listed.has(symbol)) continue;
      engine.setFundingRates(
        symbol,
        premiumFundingRates({
          seed: premiumSeed(seed, venue, m.spec.symbol),
          start,
          base: m.fundingRate ?? "0",
          volatility: profile.fundingVolatility,
          // The venue's predicted rate moves within the interval: read the engine's time.
          now: () => clock.now(),
        }),
      );
    }
  }
  for (const m of markets) m.start();
  const running = engine.run(stop.signal).catch(() => {});
  return {
    venue,
    engine,
    control: base.control,
    accountId: base.accountId,
    clock,
    protocol,
    faults: base.control.faults,
    dropConnections: base.dropConnections,
    client: base.client,
    fundingAdapter: base.fundingAdapter,
    engineSymbol,
    endpoints: base.endpoints ?? {},
    close: async () => {
      stop.abort();
      await running;
      await base.close();
    },
  };
}

/** A seed per venue and market (FNV-1a of both names, mixed with the run's seed). */
function premiumSeed(seed: number, venue: string, symbol: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (const ch of `${venue}/${symbol}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

/** A size step multiple near `target` (a float is fine here: it only sizes liquidity quotes). */
function quantizeSize(target: number, step: string): string {
  const s = Number(step);
  const units = Math.max(1, Math.round(target / s));
  const decimals = step.includes(".") ? step.split(".")[1].length : 0;
  return (units * s).toFixed(decimals);
}

/** A ManualClock kept at wall-clock time until the signal aborts. */
function followWallClock(signal: AbortSignal): ManualClock {
  const clock = new ManualClock(Date.now());
  const id = setInterval(() => void clock.set(Date.now()), 20);
  signal.addEventListener("abort", () => clearInterval(id), { once: true });
  return clock;
}

interface VenueBase {
  engine: SimEngine;
  control: SimControl;
  accountId: string;
  liquidityAccountId: string;
  client(): ExchangeClient;
  fundingAdapter(): FundingAdapter;
  dropConnections(): Promise<void>;
  engineSymbol?(symbol: string): string;
  endpoints?: Record<string, string>;
  close(): Promise<void>;
}

function startPaper(
  venue: SimVenueName,
  clock: ManualClock,
  markets: readonly SimMarketSpec[],
  options: StartSimVenueOptions,
): VenueBase {
  const profile = SIM_VENUE_PROFILES[venue];
  const engine = new SimEngine({ clock, venue, keepLog: false });
  const faults = options.faults ?? new FaultInjector({ clock, seed: options.seed ?? 1 });
  const control = new SimControl(engine, { faults });
  const accountId = options.accountId ?? "trader";
  const { fundingIntervalHours, makerFee, takerFee } = profile;
  for (const m of markets) {
    engine.addInstrument({ ...m.spec, fundingIntervalHours, makerFee, takerFee }, {
      markPrice: m.price,
      indexPrice: m.price,
    });
  }
  engine.createAccount(accountId, { collateral: options.collateral ?? "100000" });
  const clients: PaperClient[] = [];
  return {
    engine,
    control,
    accountId,
    liquidityAccountId: "liquidity",
    client: () => {
      const client = new PaperClient({ engine, accountId, faults, venue });
      clients.push(client);
      return client;
    },
    dropConnections: () => {
      for (const c of clients) c.simulateDisconnect();
      return Promise.resolve();
    },
    fundingAdapter: () => new PaperFundingAdapter(engine, { venue }),
    close: () => Promise.resolve(),
  };
}

/** Decimals of a power-of-ten step (`"0.001"` → 3, `"1"` → 0). */
function decimalsOf(step: string, venue: string, symbol: string): number {
  const m = /^(?:1|0\.(0*)1)$/.exec(step);
  if (!m) {
    throw new RangeError(`${venue} ${symbol}: '${step}' is not a power of ten (decimals only)`);
  }
  return m[1] === undefined ? (step === "1" ? 0 : 1) : m[1].length + 1;
}

function lighterMarkets(markets: readonly SimMarketSpec[]): LighterReplicaMarket[] {
  return markets.map((m, i) => {
    const priceDecimals = decimalsOf(m.spec.tickSize.toString(), "lighter", m.spec.symbol);
    const sizeDecimals = decimalsOf(m.spec.sizeStep.toString(), "lighter", m.spec.symbol);
    return {
      symbol: m.venueSymbol ?? m.spec.symbol,
      marketId: m.venueId ?? i,
      sizeDecimals,
      priceDecimals,
      minBaseAmount: new Decimal(m.spec.minSize ?? m.spec.sizeStep).toFixed(sizeDecimals),
      minQuoteAmount: String(m.spec.minNotional ?? "10"),
      markPrice: new Decimal(m.price).toFixed(priceDecimals),
    };
  });
}

function grvtInstruments(markets: readonly SimMarketSpec[]): GrvtReplicaInstrument[] {
  return markets.map((m, i) => {
    const base = m.venueSymbol ?? m.spec.symbol;
    // asset id = PERPS(1) | underlying << 8 | USDT(3) << 16 (grvt.md §2.4).
    const id = 1 + (m.venueId ?? 100 + i) * 256 + 3 * 65536;
    return {
      instrument: `${base}_USDT_Perp`,
      instrumentHash: `0x${id.toString(16).padStart(6, "0")}`,
      base,
      tickSize: m.spec.tickSize.toString(),
      minSize: m.spec.sizeStep.toString(),
      minNotional: String(m.spec.minNotional ?? "100"),
      markPrice: m.price,
    };
  });
}

/** Maximum leverage of a Hyperliquid market (BTC 40, ETH 25, the rest 10). */
const HYPERLIQUID_MAX_LEVERAGE: Readonly<Record<string, number>> = { BTC: 40, ETH: 25 };

function hyperliquidMarkets(markets: readonly SimMarketSpec[]): HyperliquidReplicaMarket[] {
  return markets.map((m) => {
    const coin = m.venueSymbol ?? m.spec.symbol;
    return {
      coin,
      szDecimals: decimalsOf(m.spec.sizeStep.toString(), "hyperliquid", m.spec.symbol),
      tickSize: m.spec.tickSize.toString(),
      markPrice: m.price,
      maxLeverage: HYPERLIQUID_MAX_LEVERAGE[coin] ?? 10,
    };
  });
}

function edgexContracts(markets: readonly SimMarketSpec[]): EdgeXReplicaContract[] {
  const { makerFee, takerFee } = SIM_VENUE_PROFILES.edgex;
  return markets.map((m, i) => {
    const id = m.venueId ?? 30000001 + i;
    return {
      symbol: m.venueSymbol ?? m.spec.symbol,
      contractId: String(id),
      coinId: String(1001 + (id % 1000)),
      tickSize: m.spec.tickSize.toString(),
      stepSize: m.spec.sizeStep.toString(),
      minOrderSize: (m.spec.minSize ?? m.spec.sizeStep).toString(),
      markPrice: m.price,
      makerFee,
      takerFee,
    };
  });
}

/** Maps a unified symbol to the venue's spelling in the given markets. */
function venueSpelling(markets: readonly SimMarketSpec[]): (symbol: string) => string {
  const map = new Map(markets.map((m) => [m.spec.symbol, m.venueSymbol ?? m.spec.symbol]));
  return (symbol) => map.get(symbol) ?? symbol;
}

async function startReplica(
  venue: SimVenueName,
  clock: ManualClock,
  markets: readonly SimMarketSpec[],
  options: StartSimVenueOptions,
): Promise<VenueBase> {
  const collateral = options.collateral ?? "100000";
  const spelling = venueSpelling(markets);
  const ports = options.port ? simVenuePorts(options.port, venue) : undefined;
  const forwards = new Map<number, PortForward>();
  // The replica listens on a free port; a fixed port forwards to it.
  const fixed = async (url: string, port: number | undefined): Promise<string> => {
    if (port === undefined) return url;
    const target = new URL(url);
    if (Number(target.port) === port) return url;
    // REST and WebSocket share a host: one forward per port.
    if (!forwards.has(port)) forwards.set(port, await forwardPort(port, Number(target.port)));
    target.port = String(port);
    return target.origin + target.pathname.replace(/\/$/, "");
  };
  const closeForwards = async () => {
    for (const f of forwards.values()) await f.close();
  };
  switch (venue) {
    case "grvt": {
      const r = startGrvtReplica({
        clock,
        collateral,
        faults: options.faults,
        instruments: grvtInstruments(markets),
      });
      const hosts = {
        edgeUrl: await fixed(r.hosts.edgeUrl, ports?.edge),
        tradesUrl: await fixed(r.hosts.tradesUrl, ports?.trades),
        marketDataUrl: await fixed(r.hosts.marketDataUrl, ports?.main),
        chainId: r.hosts.chainId,
      };
      const connection = { environment: "sim" as const, hosts, clock };
      const control = new SimControl(r.engine, { faults: r.faults });
      // The control API on a server of its own, next to the market-data host.
      const controlServer = SimServer.start({ faults: r.faults, port: ports?.control ?? 0 });
      controlServer.mountControl(control);
      return {
        engine: r.engine,
        control,
        accountId: r.credentials.tradingAccountId,
        liquidityAccountId: GRVT_COUNTERPARTY,
        client: () => new GRVTClient({ ...connection, ...r.credentials }),
        dropConnections: () => r.control.dropConnections(),
        fundingAdapter: () => new GRVTFundingAdapter(connection),
        engineSymbol: (symbol) => r.instruments[spelling(symbol)] ?? symbol,
        endpoints: {
          GRVT_ENVIRONMENT: "sim",
          GRVT_EDGE_URL: hosts.edgeUrl,
          GRVT_TRADES_URL: hosts.tradesUrl,
          GRVT_MARKET_DATA_URL: hosts.marketDataUrl,
          GRVT_CHAIN_ID: String(hosts.chainId),
          GRVT_API_KEY: r.credentials.apiKey,
          GRVT_PRIVATE_KEY: r.credentials.privateKey,
          GRVT_TRADING_ACCOUNT_ID: r.credentials.tradingAccountId,
          GRVT_CONTROL_URL: `${controlServer.url}/_control`,
        },
        close: async () => {
          await closeForwards();
          await controlServer.close();
          await r.close();
        },
      };
    }
    case "lighter": {
      const r = startLighterReplica({
        clock,
        collateral,
        seed: options.seed,
        faults: options.faults,
        markets: lighterMarkets(markets),
      });
      const restUrl = await fixed(r.restUrl, ports?.main);
      const wsUrl = await fixed(r.wsUrl, ports?.main);
      r.server.mountControl(r.control);
      return {
        engine: r.engine,
        control: r.control,
        accountId: r.accountId,
        liquidityAccountId: r.counterpartyId,
        client: () =>
          new LighterClient({
            restUrl,
            wsUrl,
            chainId: r.chainId,
            credentials: r.credentials,
            clock,
          }),
        fundingAdapter: () => new LighterFundingAdapter({ restUrl, wsUrl, clock }),
        dropConnections: () => {
          for (const s of r.server.sockets(LIGHTER_FRONT_END)) s.close(1012, "replica: dropped");
          return Promise.resolve();
        },
        engineSymbol: spelling,
        endpoints: {
          LIGHTER_REST_URL: restUrl,
          LIGHTER_WS_URL: wsUrl,
          LIGHTER_CHAIN_ID: String(r.chainId),
          LIGHTER_API_KEY_PRIVATE_KEY: r.credentials.apiKeyPrivateKey,
          LIGHTER_ACCOUNT_INDEX: String(r.credentials.accountIndex),
          LIGHTER_API_KEY_INDEX: String(r.credentials.apiKeyIndex),
          LIGHTER_CONTROL_URL: `${restUrl}/_control`,
        },
        close: async () => {
          await closeForwards();
          await r.close();
        },
      };
    }
    case "edgex": {
      const r = startEdgeXReplica({
        clock,
        collateral,
        faults: options.faults,
        contracts: edgexContracts(markets),
      });
      const c = r.credentials;
      const restUrl = await fixed(r.restUrl, ports?.main);
      const wsUrl = await fixed(r.wsUrl, ports?.main);
      return {
        engine: r.engine,
        control: r.control,
        accountId: c.accountId,
        liquidityAccountId: r.counterpartyAccountId,
        client: () =>
          new EdgeXClient({
            accountId: c.accountId,
            apiKey: c.apiKey,
            apiSecret: c.apiSecret,
            apiPassphrase: c.apiPassphrase,
            signerPrivateKey: c.signerPrivateKey,
            restUrl,
            wsUrl,
            clock,
          }),
        fundingAdapter: () => new EdgeXFundingAdapter({ restUrl, clock }),
        dropConnections: () => Promise.resolve(r.dropConnections()),
        engineSymbol: spelling,
        endpoints: {
          EDGEX_REST_URL: restUrl,
          EDGEX_WS_URL: wsUrl,
          EDGEX_ACCOUNT_ID: c.accountId,
          EDGEX_API_KEY: c.apiKey,
          EDGEX_API_SECRET: c.apiSecret,
          EDGEX_API_PASSPHRASE: c.apiPassphrase,
          EDGEX_SIGNER_PRIVATE_KEY: c.signerPrivateKey,
          EDGEX_CONTROL_URL: `${restUrl}/_control`,
        },
        close: async () => {
          await closeForwards();
          await r.close();
        },
      };
    }
    case "hyperliquid": {
      const { makerFee, takerFee } = SIM_VENUE_PROFILES.hyperliquid;
      const r = startHyperliquidReplica({
        clock,
        collateral,
        faults: options.faults,
        markets: hyperliquidMarkets(markets),
        makerFee,
        takerFee,
      });
      const hosts = {
        apiUrl: await fixed(r.hosts.apiUrl, ports?.main),
        wsUrl: await fixed(r.hosts.wsUrl, ports?.main),
      };
      const c = r.credentials;
      return {
        engine: r.engine,
        control: r.control,
        accountId: c.accountAddress,
        liquidityAccountId: r.counterpartyAccountId,
        client: () =>
          new HyperliquidClient({ environment: "sim", hosts, privateKey: c.privateKey, clock }),
        fundingAdapter: () => new HyperliquidFundingAdapter({ environment: "sim", hosts, clock }),
        dropConnections: () => Promise.resolve(r.dropConnections()),
        engineSymbol: spelling,
        endpoints: {
          HYPERLIQUID_API_URL: hosts.apiUrl,
          HYPERLIQUID_WS_URL: hosts.wsUrl,
          HYPERLIQUID_PRIVATE_KEY: c.privateKey,
          HYPERLIQUID_ACCOUNT_ADDRESS: c.accountAddress,
          HYPERLIQUID_CONTROL_URL: `${hosts.apiUrl}/_control`,
        },
        close: async () => {
          await closeForwards();
          await r.close();
        },
      };
    }
  }
}

interface PortForward {
  close(): Promise<void>;
}

/**
 * Listens on `127.0.0.1:port` and pipes every connection to `127.0.0.1:target` byte for byte
 * (HTTP and WebSocket alike), so a replica on a free port is reached on a fixed one.
 */
async function forwardPort(port: number, target: number): Promise<PortForward> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const open = new Set<Deno.Conn>();
  const pumps = new Set<Promise<unknown>>();
  const serve = async (conn: Deno.Conn) => {
    open.add(conn);
    let upstream: Deno.Conn | undefined;
    try {
      upstream = await Deno.connect({ hostname: "127.0.0.1", port: target });
      open.add(upstream);
      await Promise.allSettled([
        conn.readable.pipeTo(upstream.writable),
        upstream.readable.pipeTo(conn.writable),
      ]);
    } catch {
      // The replica is gone or the peer hung up: close both ends.
    } finally {
      for (const c of [conn, upstream]) {
        if (c === undefined) continue;
        open.delete(c);
        try {
          c.close();
        } catch {
          // already closed by a finished pipe
        }
      }
    }
  };
  const accepting = (async () => {
    for await (const conn of listener) {
      const p = serve(conn);
      pumps.add(p);
      p.finally(() => pumps.delete(p));
    }
  })().catch(() => {});
  await Promise.resolve();
  return {
    async close() {
      try {
        listener.close();
      } catch {
        // already closed
      }
      for (const c of open) {
        try {
          c.close();
        } catch {
          // already closed
        }
      }
      await accepting;
      await Promise.allSettled([...pumps]);
    },
  };
}
