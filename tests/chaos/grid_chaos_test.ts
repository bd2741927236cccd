/**
 * Chaos suite: the grid bot against each venue's protocol replica in virtual time, with the
 * full fault mix at once — dropped and half-open (silent) sockets, 5xx, 429 bursts, sequence
 * gaps, duplicate and out-of-order frames, lost answers and garbage bodies — then the engine's
 * truth (never the bot's bookkeeping) is checked:
 *
 * - no client order id accepted twice;
 * - at most one resting open order at any time;
 * - every filled open has exactly one take-profit, of its filled size;
 * - position − Σ resting take-profits = 0 at the end (signed by direction).
 *
 * Short form (the gate): one simulated hour per venue. Long form: `CHAOS_HOURS=6` (hours per
 * venue and direction; both directions run when it is above 1). Figures are printed per venue.
 */
import assert from "node:assert/strict";
import { Decimal, type Side } from "../../base.ts";
import { deriveClientOrderId } from "../../exchanges/_shared/client_order_id.ts";
import { ManualClock } from "../../exchanges/_shared/clock.ts";
import type { FaultRule } from "../../sim/faults.ts";
import type { OrderView } from "../../sim/events.ts";
import { type SimVenueName, startSimVenue } from "../../sim/network.ts";
import { GridStrategy } from "../../strategies/grid.ts";
import { runStrategy } from "../../strategies/runner.ts";
import { LoopbackDriver } from "../bot_loopback_driver.ts";

const HOURS = Number(Deno.env.get("CHAOS_HOURS") ?? "1");
const Q = "0.01";

/** The replicas' endpoint and stream names (sim/grvt, sim/lighter, sim/edgex, sim/hyperliquid). */
const NAMES = {
  grvt: {
    place: "full/v1/create_order",
    cancel: "full/v1/cancel_order",
    openOrders: "full/v1/open_orders",
    any: "full/v1/*",
    book: "v1.book.*",
    account: "v1.fill*",
    order: "v1.order*",
  },
  lighter: {
    place: "/api/v1/sendTx",
    cancel: "/api/v1/sendTx",
    openOrders: "/api/v1/accountActiveOrders",
    any: "/api/v1/*",
    book: "order_book:*",
    account: "account_all*",
    order: "account_all*",
  },
  edgex: {
    place: "/api/v2/private/order/createOrder",
    cancel: "/api/v2/private/order/cancelOrderById",
    openOrders: "/api/v2/private/order/getActiveOrderPage",
    any: "/api/v2/*",
    book: "depth.*",
    account: "account",
    order: "account",
  },
  // Every request hits `/info` or `/exchange` and then `info:<type>` / `exchange:<action>`.
  hyperliquid: {
    place: "exchange:order",
    cancel: "exchange:cancel*",
    openOrders: "info:openOrders",
    any: "/*",
    book: "l2Book:*",
    account: "userFills",
    order: "orderUpdates",
  },
} as const;

function faultMix(venue: SimVenueName): FaultRule[] {
  const n = NAMES[venue];
  return ([
    { kind: "error", target: n.place, every: 9 },
    { kind: "error", status: 502, target: n.cancel, every: 5 },
    { kind: "error", target: n.openOrders, every: 11 },
    { kind: "drop_response", target: n.place, every: 7 },
    { kind: "drop_response", target: n.cancel, every: 6 },
    { kind: "garble_response", target: n.place, every: 13, body: "truncated" },
    { kind: "garble_response", target: n.openOrders, every: 17, body: "html" },
    { kind: "rate_limit", target: n.any, limit: 5, windowMs: 1_000 },
    { kind: "gap", target: n.book, chance: 0.02 },
    { kind: "malformed", target: n.book, chance: 0.01 },
    { kind: "duplicate", target: n.account, chance: 0.2 },
    { kind: "reorder", target: n.order, chance: 0.1 },
    { kind: "drop_connection", target: n.book, chance: 0.002 },
    // At least one drop in every run, whatever the interleaving does to the seeded draws.
    { kind: "drop_connection", target: n.book, every: 700, times: 1 },
    { kind: "silence", target: n.account, times: 4 },
  ] as FaultRule[]).map((r) => ({ ...r, frontEnd: venue }));
}

interface Figures {
  venue: string;
  direction: Side;
  hours: number;
  faults: Record<string, number>;
  opens: number;
  filledOpens: number;
  violations: Record<string, number>;
}

async function chaosRun(venue: SimVenueName, direction: Side, hours: number): Promise<Figures> {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const sim = await startSimVenue(venue, {
    clock,
    protocol: "replica",
    seed: 17,
    volatilityBps: "2",
    stepMs: 5_000,
  });
  const driver = new LoopbackDriver(clock);
  const btc = sim.engineSymbol("BTC");
  const closeSide: Side = direction === "buy" ? "sell" : "buy";
  const orders = new Map<string, OrderView>();
  const resting = new Set<string>();
  let maxResting = 0;
  sim.engine.subscribe((e) => {
    if (e.type !== "order" || e.order.accountId !== sim.accountId) return;
    const o = e.order;
    orders.set(o.id, o);
    if (o.side !== direction || o.type !== "limit") return;
    if (o.status === "open" || o.status === "partially_filled") resting.add(o.id);
    else resting.delete(o.id);
    maxResting = Math.max(maxResting, resting.size);
  });
  const prefix = `chaos/${venue}/BTC/${direction}`;
  const client = sim.client();
  const notes: string[] = [];
  const grid = new GridStrategy(
    {
      symbol: "BTC",
      quantity: Q,
      takeProfit: "0.02",
      direction,
      maxOrders: 10,
      waitTimeSec: 60,
      idPrefix: prefix,
      cancelOnExit: true,
    },
    { client, clock, notify: (t) => Promise.resolve(notes.push(t)) },
  );
  const stop = new AbortController();
  let ended = false;
  const result = runStrategy(grid, { clock, signal: stop.signal, random: () => 0.5 })
    .finally(() => (ended = true));
  await driver.advance(5_000);
  for (const rule of faultMix(venue)) sim.faults.inject(rule);
  try {
    const minutes = Math.round(hours * 60);
    for (let m = 0; m < minutes; m++) {
      if (m % 9 === 4) await sim.dropConnections();
      await driver.advance(60_000);
      assert.ok(!ended, `the bot kept running (minute ${m}): ${notes.join(" | ")}`);
    }
    const faults: Record<string, number> = {};
    for (const r of sim.faults.rules()) faults[r.kind] = (faults[r.kind] ?? 0) + r.fired;
    sim.faults.clear();
    await driver.advance(30_000); // faults off: let the bot settle its last cycle
    stop.abort();
    await driver.advance(30_000);
    const r = await result;
    assert.equal(r.reason, "signal", r.detail);

    // ---- truth checks
    const all = [...orders.values()];
    const accepted = (o: OrderView) =>
      !(o.status === "rejected" || o.cancelReason === "post_only_would_cross");
    const violations = {
      duplicateClientIds: 0,
      restingOpensAboveOne: Math.max(0, maxResting - 1),
      filledOpenWithoutOneClose: 0,
      closeSizeNotFilled: 0,
      positionMinusCloses: 0,
    };
    const seen = new Map<string, number>();
    for (const o of all.filter(accepted)) {
      seen.set(o.clientOrderId, (seen.get(o.clientOrderId) ?? 0) + 1);
    }
    violations.duplicateClientIds = [...seen.values()].filter((n) => n > 1).length;
    const opens = all.filter((o) => o.side === direction && o.type === "limit");
    const closes = all.filter((o) => o.side === closeSide && accepted(o));
    let filledOpens = 0;
    for (const open of opens) {
      const filled = new Decimal(open.filledSize);
      const done = open.status !== "open" && open.status !== "partially_filled";
      if (filled.isZero() || !done) continue;
      filledOpens++;
      const ids = new Set<string>();
      for (let n = 0; n < 15; n++) {
        ids.add(deriveClientOrderId(venue, `${prefix}/close/${open.clientOrderId}/${n}`));
      }
      const mine = closes.filter((c) => ids.has(c.clientOrderId));
      if (mine.length !== 1) violations.filledOpenWithoutOneClose++;
      else if (!new Decimal(mine[0].size).eq(filled)) violations.closeSizeNotFilled++;
    }
    const check = sim.client();
    await check.connect();
    try {
      const pos = (await check.getPositions()).find((p) => p.symbol === "BTC")?.size ??
        new Decimal(0);
      const restingCloses = sim.engine.openOrders(sim.accountId, btc)
        .filter((o) => o.side === closeSide)
        .reduce((s, o) => s.plus(o.remainingSize), new Decimal(0));
      const signed = direction === "buy" ? pos : pos.neg();
      if (!signed.eq(restingCloses)) violations.positionMinusCloses++;
    } finally {
      await check.disconnect();
    }
    return {
      venue,
      direction,
      hours,
      faults,
      opens: opens.length,
      filledOpens,
      violations,
    };
  } finally {
    await client.disconnect();
    await sim.close();
  }
}

const VENUES: SimVenueName[] = ["lighter", "grvt", "edgex", "hyperliquid"];
const RUNS: [SimVenueName, Side][] = HOURS > 1
  ? VENUES.flatMap((v) => [[v, "buy"], [v, "sell"]] as [SimVenueName, Side][])
  : [["lighter", "buy"], ["grvt", "sell"], ["edgex", "buy"], ["hyperliquid", "sell"]];

for (const [venue, direction] of RUNS) {
  Deno.test(`chaos: grid ${direction} on the ${venue} replica, ${HOURS} h of virtual market under the full fault mix: every truth check at 0`, async () => {
    const f = await chaosRun(venue, direction, HOURS);
    console.log(JSON.stringify(f));
    for (const [kind, fired] of Object.entries(f.faults)) {
      assert.ok(fired > 0, `fault ${kind} fired: ${JSON.stringify(f.faults)}`);
    }
    assert.ok(f.filledOpens >= 5, `filled opens: ${f.filledOpens}`);
    assert.deepEqual(f.violations, {
      duplicateClientIds: 0,
      restingOpensAboveOne: 0,
      filledOpenWithoutOneClose: 0,
      closeSizeNotFilled: 0,
      positionMinusCloses: 0,
    });
  });
}
