// Funding arbitrage on the venues' protocol replicas: each venue's real client and funding
// adapter over loopback HTTP / WebSocket, every replica and the strategy on one virtual clock,
// driven by the loopback driver (virtual time moves only once the wire is quiet).
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { LighterFundingAdapter } from "../exchanges/lighter/mod.ts";
import type { FundingRatePoint } from "../sim/funding.ts";
import { type SimVenue, type SimVenueName, startSimVenue } from "../sim/network.ts";
import {
  type ArbVenue,
  FundingArbitrageStrategy,
  type FundingArbOptions,
} from "../strategies/funding_arbitrage.ts";
import type { FundingStore } from "../funding/store.ts";
import { LoopbackDriver } from "./bot_loopback_driver.ts";
import { arbOptions } from "./funding_arb_harness.ts";

/** One replica venue. */
export interface ReplicaVenue extends ArbVenue {
  name: SimVenueName;
  sim: SimVenue;
  /** Engine name of BTC. */
  btc: string;
}

/** Replicas on one clock, and how to move it. */
export interface ReplicaWorld {
  clock: ManualClock;
  driver: LoopbackDriver;
  venues: ReplicaVenue[];
  /** Advances virtual time by `ms` in `stepMs` steps, letting the wire settle between steps. */
  advance(ms: number, stepMs?: number): Promise<void>;
  /** Advances until `p` settles (at most `ms`), then returns its value. */
  until<T>(p: Promise<T>, ms?: number, stepMs?: number): Promise<T>;
  /** Stops the clients and the replicas. */
  close(): Promise<void>;
}

/**
 * Starts the replicas of `names` on a flat BTC market (unless `volatilityBps` moves it) (mark and index 64 000, no random walk;
 * the background liquidity quotes 63 999.8 / 64 000.2 — 63 998 / 64 002 on Hyperliquid, tick 1
 * — and 0.5 BTC a level) with scripted BTC funding per venue.
 */
export async function replicaWorld(
  start: number,
  specs: { name: SimVenueName; funding: string | FundingRatePoint[] }[],
  options: { seed?: number; volatilityBps?: string; stepMs?: number } = {},
): Promise<ReplicaWorld> {
  const clock = new ManualClock(start);
  const driver = new LoopbackDriver(clock);
  const venues: ReplicaVenue[] = [];
  for (const [i, spec] of specs.entries()) {
    const sim = await startSimVenue(spec.name, {
      clock,
      protocol: "replica",
      seed: (options.seed ?? 1) + i,
      volatilityBps: options.volatilityBps ?? "0",
      stepMs: options.stepMs,
    });
    const btc = sim.engineSymbol("BTC");
    sim.control.scriptFunding(btc, spec.funding);
    venues.push({
      name: spec.name,
      sim,
      btc,
      client: sim.client(),
      // Lighter's adapter on the shared clock: it dates the next hourly settlement from it.
      funding: spec.name === "lighter"
        ? new LighterFundingAdapter({
          restUrl: sim.endpoints.LIGHTER_REST_URL,
          wsUrl: sim.endpoints.LIGHTER_WS_URL,
          clock,
        })
        : sim.fundingAdapter(),
    });
  }
  const advance = (ms: number, stepMs = 1_000) => driver.advance(ms, stepMs);
  return {
    clock,
    driver,
    venues,
    advance,
    async until<T>(p: Promise<T>, ms = 120_000, stepMs = 250): Promise<T> {
      let done = false;
      const watched = p.finally(() => done = true);
      for (let t = 0; t < ms && !done; t += stepMs) await driver.advance(stepMs, stepMs);
      return await watched;
    },
    async close() {
      for (const v of venues) {
        await v.client.disconnect().catch(() => {});
        await v.funding.close().catch(() => {});
      }
      for (const v of venues) await v.sim.close();
    },
  };
}

/** A strategy on the replicas with its log lines. */
export function replicaStrategy(
  world: ReplicaWorld,
  store: FundingStore,
  extra: Partial<FundingArbOptions> = {},
  venues: ArbVenue[] = world.venues,
) {
  const lines: string[] = [];
  const arb = new FundingArbitrageStrategy(
    arbOptions({ symbols: ["BTC"], notionalUsd: "640", ...extra }),
    {
      venues,
      store,
      clock: world.clock,
      onAction: (l) => {
        lines.push(`${new Date(world.clock.now()).toISOString()} ${l}`);
        if (Deno.env.get("ARB_DEBUG")) console.log(new Date(world.clock.now()).toISOString(), l);
      },
    },
  );
  return { arb, lines };
}

/** The maker order the strategy rests on a replica, if any. */
export function restingOrder(v: ReplicaVenue) {
  return v.sim.engine.openOrders(v.sim.accountId)[0];
}
