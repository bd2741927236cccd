// Funding arbitrage under chaos on the three protocol replicas (each venue's real client over
// loopback, virtual time): 5xx, 429 bursts, lost answers, garbage bodies, dropped and silent
// sockets, book gaps, duplicate account frames and duplicated client events, while funding
// swings every hour and a taker fills the strategy's maker orders (sometimes in part). Then
// the venues' own truth is checked, not the strategy's records:
//
// - naked exposure (per symbol, Σ of the account's signed positions over the three venues,
//   rebuilt from the engines' fills) never lasted longer than the configured window;
// - no duplicate leg: no venue ever held more than one position's target size;
// - at the end every position's legs are balanced within one size step and no order rests.
//
// The short form (2 simulated hours, ~15 s) runs in the gate; `PERP_CHAOS_LONG=1` runs a
// simulated day (`PERP_CHAOS_HOURS` overrides either). The figures are printed.
import { ok, strictEqual as equal } from "node:assert/strict";
import { Decimal, type ExchangeClient, type ExchangeEvent } from "../../base.ts";
import type { FaultRule } from "../../sim/faults.ts";
import type { FundingRatePoint } from "../../sim/funding.ts";
import type { SimVenueName } from "../../sim/network.ts";
import { Prng } from "../../sim/random.ts";
import { percentile } from "../../bench/_stats.ts";
import type { ArbPosition } from "../../strategies/funding_arbitrage.ts";
import { memoryStore } from "../funding_arb_harness.ts";
import {
  replicaStrategy,
  type ReplicaVenue,
  replicaWorld,
} from "../funding_arb_replica_harness.ts";

const H = 3_600_000;
const M = 60_000;
const LONG = Deno.env.get("PERP_CHAOS_LONG") === "1";
const HOURS = Number(Deno.env.get("PERP_CHAOS_HOURS") ?? (LONG ? 24 : 2));
const SYMBOLS = ["BTC", "ETH"];
/** The strategy's hedge deadline; the rollback has the same deadline. */
const HEDGE_DEADLINE_MS = 3_000;
/**
 * Longest naked exposure allowed: the hedge deadline, then the rollback's, plus the lookup of
 * an order whose answer was lost (each leg's client resolves it within a few seconds here).
 */
const NAKED_WINDOW_MS = 2 * HEDGE_DEADLINE_MS + 10_000;

/** Each venue's endpoint and stream names (sim/grvt, sim/lighter, sim/edgex). */
/** The three venues of this run. */
type ChaosVenue = Extract<SimVenueName, "lighter" | "grvt" | "edgex">;

const NAMES: Record<ChaosVenue, Record<string, string>> = {
  grvt: {
    place: "full/v1/create_order",
    cancel: "full/v1/cancel_order",
    read: "full/v1/open_orders",
    positions: "full/v1/positions",
    any: "full/v1/*",
    book: "v1.book.*",
    account: "v1.fill*",
    order: "v1.order*",
  },
  lighter: {
    place: "/api/v1/sendTx",
    cancel: "/api/v1/sendTx",
    read: "/api/v1/accountActiveOrders",
    positions: "/api/v1/account",
    any: "/api/v1/*",
    book: "order_book:*",
    account: "account_all*",
    order: "account_all*",
  },
  edgex: {
    place: "/api/v2/private/order/createOrder",
    cancel: "/api/v2/private/order/cancelOrderById",
    read: "/api/v2/private/order/getActiveOrderPage",
    positions: "/api/v2/private/account/getPositionById",
    any: "/api/v2/*",
    book: "depth.*",
    account: "account",
    order: "account",
  },
};

/**
 * The grid chaos suite's mix (`tests/chaos/grid_chaos_test.ts`: 5xx, lost answers and garbage
 * on creates, cancels and reads, 429 bursts, book gaps / corrupt frames / dropped book sockets,
 * duplicated and reordered account frames, silent account streams), with creates failing more
 * often (every 7th 5xx, every 5th answer lost: each is a hedge or close in doubt) and the
 * positions and funding reads garbled too.
 */
function faultPlan(venue: ChaosVenue): FaultRule[] {
  const n = NAMES[venue];
  return ([
    { kind: "error", target: n.place, every: 7 },
    { kind: "drop_response", target: n.place, every: 5 },
    { kind: "garble_response", target: n.place, every: 13, body: "truncated" },
    { kind: "error", status: 502, target: n.cancel, every: 4 },
    { kind: "drop_response", target: n.cancel, every: 6 },
    { kind: "error", target: n.read, every: 9 },
    { kind: "garble_response", target: n.read, body: "html", every: 11 },
    { kind: "garble_response", target: n.positions, body: "truncated", every: 13 },
    { kind: "garble_response", target: n.any, body: "null", every: 37 },
    { kind: "rate_limit", target: n.any, limit: 6, windowMs: 1_000 },
    { kind: "gap", target: n.book, chance: 0.02 },
    { kind: "malformed", target: n.book, chance: 0.01 },
    { kind: "drop_connection", target: n.book, chance: 0.002 },
    { kind: "duplicate", target: n.account, chance: 0.3 },
    { kind: "reorder", target: n.order, chance: 0.1 },
    { kind: "silence", target: n.account, times: 4 },
  ] as FaultRule[]).map((r) => ({ ...r, frontEnd: venue }));
}

/** Delivers every order and fill event twice, as a venue that repeats itself. */
function duplicatingEvents(inner: ExchangeClient): ExchangeClient {
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === "onEvent") {
        return (listener: (e: ExchangeEvent) => void) =>
          target.onEvent((e) => {
            listener(e);
            if (e.type === "order" || e.type === "fill") listener(e);
          });
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Hourly funding points per venue: a seeded walk around a base, so spreads open and flip. */
function fundingScript(
  rng: Prng,
  start: number,
  hours: number,
  intervalHours: number,
): FundingRatePoint[] {
  const points: FundingRatePoint[] = [];
  for (let h = 0; h <= hours + 1; h++) {
    // −0.0002 … +0.0004 per hour, in steps of 0.00005, scaled to the venue's interval.
    const hourly = new Decimal(rng.int(-4, 8)).times("0.00005");
    points.push({ time: start + h * H, rate: hourly.times(intervalHours).toString() });
  }
  return points;
}

/** Size steps of the replicas' markets: the coarsest across venues, per symbol. */
const STEP: Record<string, Decimal> = { BTC: new Decimal("0.001"), ETH: new Decimal("0.01") };

interface Exposure {
  /** Longest time the net of the three venues was not flat, per symbol (virtual ms). */
  maxNakedMs: number;
  /** Every stretch of naked exposure (virtual ms), all symbols. */
  stretches: number[];
  /** When the longest naked stretch began. */
  worstAt: number;
  /** Largest |position| any venue held, per symbol. */
  maxVenueSize: Record<string, Decimal>;
  /** Which venue held it and when (virtual ms), per symbol. */
  maxAt: Record<string, string>;
}

/** Rebuilds each symbol's positions over time from the engines' fills (the venues' truth). */
function exposure(venues: ReplicaVenue[], symbols: string[]): Exposure {
  let maxNakedMs = 0;
  let worstAt = 0;
  const stretches: number[] = [];
  const maxVenueSize: Record<string, Decimal> = {};
  const maxAt: Record<string, string> = {};
  for (const symbol of symbols) {
    const events: { time: number; venue: string; signed: Decimal }[] = [];
    for (const v of venues) {
      for (const f of v.sim.engine.fills(v.sim.accountId, v.sim.engineSymbol(symbol))) {
        const size = new Decimal(f.size);
        events.push({ time: f.time, venue: v.name, signed: f.side === "buy" ? size : size.neg() });
      }
    }
    events.sort((a, b) => a.time - b.time);
    const pos = new Map<string, Decimal>();
    let max = new Decimal(0);
    let nakedSince: number | undefined;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      const next = (pos.get(e.venue) ?? new Decimal(0)).plus(e.signed);
      pos.set(e.venue, next);
      if (next.abs().gt(max)) [max, maxAt[symbol]] = [next.abs(), `${e.venue} ${e.time}`];
      // Judge the net once every fill of this instant is in.
      if (events[i + 1]?.time === e.time) continue;
      const net = [...pos.values()].reduce((s, x) => s.plus(x), new Decimal(0));
      if (!net.isZero() && nakedSince === undefined) nakedSince = e.time;
      if (net.isZero() && nakedSince !== undefined) {
        stretches.push(e.time - nakedSince);
        if (e.time - nakedSince > maxNakedMs) {
          [maxNakedMs, worstAt] = [e.time - nakedSince, nakedSince];
        }
        nakedSince = undefined;
      }
    }
    if (nakedSince !== undefined) [maxNakedMs, worstAt] = [Infinity, nakedSince];
    maxVenueSize[symbol] = max;
  }
  return { maxNakedMs, stretches, worstAt, maxVenueSize, maxAt };
}

Deno.test({
  name: `funding arb chaos on three replicas, ${HOURS} simulated hours: naked exposure within ` +
    `its window, no duplicate leg, legs balanced at the end`,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const T0 = Date.UTC(2026, 0, 1, 0, 5);
    const rng = new Prng(15);
    const intervals: Record<ChaosVenue, number> = { lighter: 1, grvt: 8, edgex: 4 };
    const names: ChaosVenue[] = ["lighter", "grvt", "edgex"];
    const world = await replicaWorld(
      T0,
      names.map((name) => ({ name, funding: fundingScript(rng, T0, HOURS, intervals[name]) })),
      // Prices move every 5 s (book frames to gap, corrupt and duplicate).
      { seed: 7, volatilityBps: "1", stepMs: 5_000 },
    );
    for (const v of world.venues) {
      v.sim.control.scriptFunding(
        v.sim.engineSymbol("ETH"),
        fundingScript(rng, T0, HOURS, intervals[v.name as ChaosVenue]),
      );
    }
    const venues = world.venues.map((v) => ({ ...v, client: duplicatingEvents(v.client) }));
    await using store = await memoryStore();
    const { arb, lines } = replicaStrategy(world, store, {
      symbols: SYMBOLS,
      stepMs: M,
      minNetApr: "0.2",
      hedgeDeadlineMs: HEDGE_DEADLINE_MS,
      makerTimeoutMs: 20_000,
      maxHoldHours: 1,
      flipSettlements: 1,
      maxPositions: 2,
    }, venues);
    const errors: string[] = [];
    const taker = new Prng(99);
    let makerFills = 0;
    let drops = 0;
    /** Fills (part of) the strategy's resting orders now and then, as other traders would. */
    const takeResting = () => {
      for (const v of world.venues) {
        for (const o of v.sim.engine.openOrders(v.sim.accountId)) {
          const roll = taker.float();
          if (roll > 0.5) continue;
          const symbol = o.symbol.startsWith("ETH") ? "ETH" : "BTC";
          const part = symbol === "BTC" ? "0.004" : "0.08";
          const size = roll < 0.1 && new Decimal(o.remainingSize).gt(part) ? part : undefined;
          try {
            v.sim.control.fillOrder(v.sim.accountId, { clientOrderId: o.clientOrderId }, { size });
            makerFills++;
          } catch {
            // canceled meanwhile
          }
        }
      }
    };
    try {
      for (const v of world.venues) {
        for (const r of faultPlan(v.name as ChaosVenue)) v.sim.faults.inject(r);
      }
      await world.until(arb.start(signal()).catch((e) => errors.push(String(e))));
      const end = T0 + HOURS * H;
      let minute = 0;
      let nextMinuteAt = world.clock.now();
      let soon = 0;
      while (world.clock.now() < end) {
        // The socket faults keep a cadence of virtual minutes, however often the strategy steps.
        if (world.clock.now() >= nextMinuteAt) {
          minute++;
          nextMinuteAt += M;
          if (minute % 7 === 3) {
            for (const v of world.venues) await v.sim.dropConnections();
            drops += 3;
          }
          if (minute % 45 === 20) {
            // A half-open socket on one venue for a while: the client's idle timeout reopens it.
            const v = world.venues[minute % 3];
            v.sim.faults.inject({ kind: "silence", frontEnd: v.name, target: "*", times: 1 });
          }
        }
        let done = false;
        let sleepMs = M;
        const stepping = arb.step(signal()).then((r) => {
          if (r.kind === "continue") sleepMs = r.sleepMs;
        }, (e) => {
          errors.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
        }).finally(() => done = true);
        for (let t = 0; t < 10 * M && !done; t += 250) {
          await world.advance(250, 250);
          takeResting();
        }
        await stepping;
        // As the runner does: the pause the step asked for (a minute, or less with work left).
        if (sleepMs < M) soon++;
        await world.advance(sleepMs, Math.min(sleepMs, 1_000));
      }
      const fired = new Map<string, number>([["dropped sockets", drops]]);
      for (const f of world.venues.flatMap((v) => v.sim.faults.rules())) {
        const kind = f.kind === "garble_response" ? `garble_response/${f.body}` : f.kind;
        fired.set(kind, (fired.get(kind) ?? 0) + f.fired);
      }
      // Faults off; one last step reconciles (anything half-done is finished).
      for (const v of world.venues) v.sim.faults.clear();
      await world.until(arb.step(signal()).catch((e) => errors.push(String(e))));
      const held = arb.positions();
      const truth = exposure(world.venues, SYMBOLS);
      const rows = (await store.arbPositions()).map((r) => JSON.parse(r.data) as ArbPosition);
      console.log(
        `chaos: ${HOURS} simulated hours; entries ${arb.stats.entries}, rollbacks ` +
          `${arb.stats.rollbacks}, exits ${arb.stats.exits}, positions recorded ${rows.length}, ` +
          `maker fills by the taker ${makerFills}, step errors ${errors.length}, steps asked soon ` +
          `${soon}; max naked window ` +
          `${truth.maxNakedMs} ms from ${new Date(truth.worstAt).toISOString()}, p99 ` +
          `${p99(truth.stretches)} ms over ${truth.stretches.length} stretches (limit ` +
          `${NAKED_WINDOW_MS}); max venue size ` +
          `${
            SYMBOLS.map((s) => {
              const [venue, at] = (truth.maxAt[s] ?? "– 0").split(" ");
              return `${s} ${truth.maxVenueSize[s]} (${venue} ${
                new Date(Number(at)).toISOString()
              })`;
            }).join(", ")
          }; held at the end ` +
          `${held.length}; faults fired: ${[...fired].map(([k, n]) => `${k} ${n}`).join(", ")}`,
      );
      if (Deno.env.get("ARB_DEBUG")) console.log(lines.join("\n"), errors.join("\n"));
      if (Deno.env.get("ARB_ERRORS")) console.log(errors.map((e) => e.slice(0, 160)).join("\n"));
      ok(arb.stats.entries > 0, "at least one entry");
      ok(truth.maxNakedMs <= NAKED_WINDOW_MS, `naked ${truth.maxNakedMs} ms`);
      equal(truth.maxVenueSize.BTC.lte("0.01"), true, "no venue held two BTC legs");
      equal(truth.maxVenueSize.ETH.lte("0.2"), true, "no venue held two ETH legs");
      for (const v of world.venues) {
        equal(v.sim.engine.openOrders(v.sim.accountId).length, 0, `${v.name} resting orders`);
      }
      for (const symbol of SYMBOLS) {
        const sizes = world.venues.map((v) =>
          new Decimal(v.sim.engine.position(v.sim.accountId, v.sim.engineSymbol(symbol)).size)
        );
        const net = sizes.reduce((s, x) => s.plus(x), new Decimal(0));
        ok(net.abs().lte(STEP[symbol]), `${symbol} legs ${sizes.join(" / ")}`);
      }
    } finally {
      await arb.stop("test");
      await world.close();
    }
  },
});

function p99(xs: number[]): number {
  return xs.length === 0 ? 0 : percentile([...xs].sort((a, b) => a - b), 99);
}

const controller = new AbortController();
function signal(): AbortSignal {
  return controller.signal;
}
