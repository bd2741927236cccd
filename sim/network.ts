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
import { startEdgeXReplica } from "./edgex/mod.ts";
import { GRVT_COUNTERPARTY, startGrvtReplica } from "./grvt/mod.ts";
import { LIGHTER_FRONT_END, startLighterReplica } from "./lighter/mod.ts";
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
  /** Clock of the engine; the caller advances it. @default {a clock that follows the wall clock} */
  clock?: ManualClock;
  /**
   * `"replica"`: the venue's protocol replica on loopback and the venue's real clients;
   * `"paper"`: in-process clients on the engine, no wire protocol. @default {"paper"}
   */
  protocol?: "replica" | "paper";
  /** Markets to list (paper only; replicas list their venue's own markets). @default {DEFAULT_SIM_MARKETS} */
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
   * How to reach the venue: the replica's URLs and the test account's credentials (test keys
   * of a local replica, never funded anywhere); empty for paper venues.
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
  const stop = new AbortController();
  const clock = options.clock ?? followWallClock(stop.signal);
  const seed = options.seed ?? 1;
  const protocol = options.protocol ?? "paper";
  const base = protocol === "replica"
    ? startReplica(venue, clock, options)
    : startPaper(venue, clock, options);
  const engine = base.engine;
  const markets = engine.instruments().map((inst, i) => {
    const m = (options.markets ?? DEFAULT_SIM_MARKETS).find((x) => x.spec.symbol === inst.symbol);
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
  for (const m of markets) m.start();
  const running = engine.run(stop.signal).catch(() => {});
  return Promise.resolve({
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
    engineSymbol: base.engineSymbol ?? ((symbol) => symbol),
    endpoints: base.endpoints ?? {},
    close: async () => {
      stop.abort();
      await running;
      await base.close();
    },
  });
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
  options: StartSimVenueOptions,
): VenueBase {
  const profile = SIM_VENUE_PROFILES[venue];
  const engine = new SimEngine({ clock, venue, keepLog: false });
  const faults = options.faults ?? new FaultInjector({ clock, seed: options.seed ?? 1 });
  const control = new SimControl(engine, { faults });
  const accountId = options.accountId ?? "trader";
  for (const m of options.markets ?? DEFAULT_SIM_MARKETS) {
    engine.addInstrument({ ...m.spec, ...profile }, { markPrice: m.price, indexPrice: m.price });
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

function startReplica(
  venue: SimVenueName,
  clock: ManualClock,
  options: StartSimVenueOptions,
): VenueBase {
  const collateral = options.collateral ?? "100000";
  switch (venue) {
    case "grvt": {
      const r = startGrvtReplica({ clock, collateral, faults: options.faults });
      const connection = { environment: "sim" as const, hosts: r.hosts, clock };
      return {
        engine: r.engine,
        control: new SimControl(r.engine, { faults: r.faults }),
        accountId: r.credentials.tradingAccountId,
        liquidityAccountId: GRVT_COUNTERPARTY,
        client: () => new GRVTClient({ ...connection, ...r.credentials }),
        dropConnections: () => r.control.dropConnections(),
        fundingAdapter: () => new GRVTFundingAdapter(connection),
        engineSymbol: (symbol) => r.instruments[symbol] ?? symbol,
        endpoints: {
          edgeUrl: r.hosts.edgeUrl,
          tradesUrl: r.hosts.tradesUrl,
          marketDataUrl: r.hosts.marketDataUrl,
          chainId: String(r.hosts.chainId),
          GRVT_API_KEY: r.credentials.apiKey,
          GRVT_PRIVATE_KEY: r.credentials.privateKey,
          GRVT_TRADING_ACCOUNT_ID: r.credentials.tradingAccountId,
        },
        close: () => r.close(),
      };
    }
    case "lighter": {
      const r = startLighterReplica({ clock, collateral, seed: options.seed });
      return {
        engine: r.engine,
        control: r.control,
        accountId: r.accountId,
        liquidityAccountId: r.counterpartyId,
        client: () =>
          new LighterClient({
            restUrl: r.restUrl,
            wsUrl: r.wsUrl,
            chainId: r.chainId,
            credentials: r.credentials,
            clock,
          }),
        fundingAdapter: () => new LighterFundingAdapter({ restUrl: r.restUrl, wsUrl: r.wsUrl }),
        dropConnections: () => {
          for (const s of r.server.sockets(LIGHTER_FRONT_END)) s.close(1012, "replica: dropped");
          return Promise.resolve();
        },
        endpoints: {
          restUrl: r.restUrl,
          wsUrl: r.wsUrl,
          chainId: String(r.chainId),
          LIGHTER_API_KEY_PRIVATE_KEY: r.credentials.apiKeyPrivateKey,
          LIGHTER_ACCOUNT_INDEX: String(r.credentials.accountIndex),
          LIGHTER_API_KEY_INDEX: String(r.credentials.apiKeyIndex),
        },
        close: () => r.close(),
      };
    }
    case "edgex": {
      const r = startEdgeXReplica({ clock, collateral, faults: options.faults });
      const c = r.credentials;
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
            restUrl: r.restUrl,
            wsUrl: r.wsUrl,
            clock,
          }),
        fundingAdapter: () => new EdgeXFundingAdapter({ restUrl: r.restUrl, clock }),
        dropConnections: () => Promise.resolve(r.dropConnections()),
        endpoints: {
          restUrl: r.restUrl,
          wsUrl: r.wsUrl,
          EDGEX_ACCOUNT_ID: c.accountId,
          EDGEX_API_KEY: c.apiKey,
          EDGEX_API_SECRET: c.apiSecret,
          EDGEX_API_PASSPHRASE: c.apiPassphrase,
          EDGEX_SIGNER_PRIVATE_KEY: c.signerPrivateKey,
        },
        close: () => r.close(),
      };
    }
  }
}
