// Two (or three) paper venues on one virtual clock, scripted funding, a market maker account
// and a taker to fill the strategy's maker orders, for the funding-arbitrage tests.
import type { ManualClock } from "../exchanges/_shared/clock.ts";
import { SimEngine } from "../sim/engine.ts";
import { FaultInjector } from "../sim/faults.ts";
import { type FundingRatePoint, scriptedFundingRates } from "../sim/funding.ts";
import { PaperClient, PaperFundingAdapter } from "../sim/paper.ts";
import { SqliteFundingStore } from "../funding/sqlite_store.ts";
import type { FundingStore } from "../funding/store.ts";
import {
  type ArbVenue,
  FundingArbitrageStrategy,
  type FundingArbOptions,
} from "../strategies/funding_arbitrage.ts";

/** 2026-01-01 00:10 UTC. */
export const T0 = Date.UTC(2026, 0, 1, 0, 10);

/** One paper venue. */
export interface TestVenue extends ArbVenue {
  engine: SimEngine;
  faults: FaultInjector;
}

/** Market settings of one test venue. */
export interface VenueSpec {
  name: string;
  rate: string | FundingRatePoint[];
  intervalHours: number;
  makerFee?: string;
  takerFee?: string;
  sizeStep?: string;
  /** Smallest order value the venue takes (reduce-only orders exempt, as in the engine). */
  minNotional?: string;
  bid?: string;
  ask?: string;
  depth?: string;
}

/** Creates a paper venue: BTC at 60 000, a market maker quoting bid / ask, the trader "me". */
export function paperVenue(clock: ManualClock, spec: VenueSpec): TestVenue {
  const engine = new SimEngine({ clock, venue: spec.name });
  engine.addInstrument(
    {
      symbol: "BTC",
      tickSize: "0.1",
      sizeStep: spec.sizeStep ?? "0.001",
      ...(spec.minNotional ? { minNotional: spec.minNotional } : {}),
      fundingIntervalHours: spec.intervalHours,
      makerFee: spec.makerFee ?? "0",
      takerFee: spec.takerFee ?? "0",
    },
    {
      markPrice: "60000",
      fundingRates: typeof spec.rate === "string"
        ? scriptedFundingRates(spec.rate)
        : scriptedFundingRates(spec.rate),
    },
  );
  engine.createAccount("mm", { unlimitedMargin: true });
  engine.createAccount("taker", { unlimitedMargin: true });
  engine.placeOrder("mm", {
    symbol: "BTC",
    side: "buy",
    size: spec.depth ?? "5",
    price: spec.bid ?? "59999",
  });
  engine.placeOrder("mm", {
    symbol: "BTC",
    side: "sell",
    size: spec.depth ?? "5",
    price: spec.ask ?? "60001",
  });
  engine.createAccount("me", { collateral: "100000" });
  const faults = new FaultInjector();
  return {
    name: spec.name,
    engine,
    faults,
    client: new PaperClient({ engine, accountId: "me", faults }),
    funding: new PaperFundingAdapter(engine),
  };
}

/** Takes `size` from the strategy's resting maker order (and whatever else is at the top). */
export function hitMaker(v: TestVenue, side: "buy" | "sell", size: string): void {
  v.engine.placeOrder("taker", {
    symbol: "BTC",
    side,
    size,
    price: side === "sell" ? "59000" : "61000",
    timeInForce: "ioc",
  });
}

/** Default options of the tests. */
export function arbOptions(extra: Partial<FundingArbOptions> = {}): FundingArbOptions {
  return {
    owner: "bot-a",
    notionalUsd: "600",
    holdHours: "24",
    minNetApr: "0.1",
    makerTimeoutMs: 10_000,
    repriceMs: 1_000,
    hedgeDeadlineMs: 3_000,
    stepMs: 1_000,
    statusIntervalMs: 3_600_000,
    ...extra,
  };
}

/** A strategy with its log lines. */
export function strategy(
  venues: TestVenue[],
  store: FundingStore,
  clock: ManualClock,
  extra: Partial<FundingArbOptions> = {},
) {
  const lines: string[] = [];
  const arb = new FundingArbitrageStrategy(arbOptions(extra), {
    venues,
    store,
    clock,
    onAction: (l) => {
      lines.push(l);
      if (Deno.env.get("ARB_DEBUG")) console.log(new Date(clock.now()).toISOString(), l);
    },
  });
  return { arb, lines };
}

/** An in-memory store. */
export function memoryStore(): Promise<SqliteFundingStore> {
  return SqliteFundingStore.open(":memory:");
}

/** Runs `fn` while advancing the clock until it settles (max `ms`). */
export async function drive<T>(clock: ManualClock, fn: Promise<T>, ms = 60_000): Promise<T> {
  let done = false;
  const p = fn.finally(() => done = true);
  for (let t = 0; t < ms && !done; t += 50) await clock.advance(50);
  return await p;
}
