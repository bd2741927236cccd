// Funding arbitrage end to end on the venues' protocol replicas (Lighter, GRVT, EdgeX: each
// venue's real client over loopback), in virtual time with scripted funding. Expected figures
// are worked out by hand in the comments: every replica quotes a flat BTC market, mark 64 000,
// liquidity 63 999.8 / 64 000.2 (0.5 a level), tick 0.1; the strategy trades 0.01 BTC (640 of
// notional); taker fees on the replicas: Lighter 0, GRVT 0.045 %, EdgeX 0.038 %.
import { deepStrictEqual as deepEqual, strictEqual as equal } from "node:assert/strict";
import type { ExchangeClient, Order, OrderRequest } from "../base.ts";
import { type ArbPosition, legSize, positionPnl } from "../strategies/funding_arbitrage.ts";
import { memoryStore } from "./funding_arb_harness.ts";
import {
  replicaStrategy,
  type ReplicaVenue,
  type ReplicaWorld,
  replicaWorld,
  restingOrder,
} from "./funding_arb_replica_harness.ts";

const M = 60_000;
const signal = new AbortController().signal;

/** Engine truth of the test account on a replica: size, realized PnL, fees, funding. */
function truth(v: ReplicaVenue) {
  const p = v.sim.engine.position(v.sim.accountId, v.btc);
  return { size: p.size, price: p.realizedPnl, fees: p.fees, funding: p.funding };
}

/** Funding the engine booked for the test account: [UTC hour, amount]. */
function settlements(v: ReplicaVenue): [number, string][] {
  return v.sim.engine.fundingPayments(v.sim.accountId, v.btc)
    .map((p) => [new Date(p.time).getUTCHours(), p.amount]);
}

/** First step: the maker order rests on `maker`, a counter-order fills it, the hedge follows. */
async function enter(
  world: ReplicaWorld,
  arb: { step(s: AbortSignal): Promise<unknown> },
  maker: ReplicaVenue,
  lines: string[],
): Promise<void> {
  const first = arb.step(signal);
  let order;
  for (let i = 0; i < 40 && !(order = restingOrder(maker)); i++) await world.advance(250, 250);
  equal(order?.price, "63999.9", lines.join("\n")); // best bid 63 999.8 + one tick
  maker.sim.control.fillOrder(maker.sim.accountId, { clientOrderId: order!.clientOrderId });
  await world.until(first);
}

/** Steps once a virtual minute until no position is held (at most `minutes`). */
async function holdUntilClosed(
  world: ReplicaWorld,
  arb: { step(s: AbortSignal): Promise<unknown>; positions(): ArbPosition[] },
  minutes: number,
): Promise<void> {
  for (let i = 0; i < minutes && arb.positions().length > 0; i++) {
    await world.until(arb.step(signal));
    await world.advance(M);
  }
}

Deno.test("funding arb on replicas: Lighter 1 h / GRVT 8 h — entered, funding on each schedule, flip exit, PnL split = engine truth", async () => {
  const T0 = Date.UTC(2026, 0, 1, 7, 55);
  const flip = T0 + 25 * M; // 08:20: applies from the 09:00 settlement on
  const world = await replicaWorld(T0, [
    // Lighter: −0.0001 per hour (the long receives), then +0.00015 (the long pays).
    { name: "lighter", funding: [{ time: 0, rate: "-0.0001" }, { time: flip, rate: "0.00015" }] },
    // GRVT: 0.0024 per 8 h (the short receives), then 0.0008 (0.0001 per hour).
    { name: "grvt", funding: [{ time: 0, rate: "0.0024" }, { time: flip, rate: "0.0008" }] },
  ]);
  const [lighter, grvt] = world.venues;
  await using store = await memoryStore();
  // 50 % minimum: after the flip the reverse pair (long GRVT 0.0001, short Lighter 0.00015 per
  // hour: 0.00005 × 24 × 640 = 0.768 before fees) stays below it.
  const { arb, lines } = replicaStrategy(world, store, { stepMs: M, minNetApr: "0.5" });
  try {
    await world.until(arb.start(signal));
    await enter(world, arb, lighter, lines);
    const [p] = arb.positions();
    equal(p?.status, "open", lines.join("\n"));
    deepEqual([legSize(p, "long").toString(), legSize(p, "short").toString()], ["0.01", "-0.01"]);
    // Gate: funding (0.0003 + 0.0001) × 24 × 640 = 6.144; fees 640 × (0 + GRVT taker 0.00055
    // from the table, twice) = 0.704; crossing: hedge 0.2 × 0.01 + exit 0.2 × 0.01 × 2 = 0.006.
    equal(
      p.entryReason.startsWith("net 5.4340 over the horizon (funding 6.1440, fees 0.7040"),
      true,
    );
    await holdUntilClosed(world, arb, 80);
    equal(arb.positions().length, 0, lines.slice(-8).join("\n"));
    const rows = await store.arbPositions();
    equal(rows.length, 1, "no second entry after the flip");
    const closed = JSON.parse(rows[0].data) as ArbPosition;
    equal(closed.status, "closed");
    // At 09:00 the spread for the next settlement is 0.0001 − 0.00015 < 0 for the second time
    // in a row: holding 24 h loses 0.00005 × 24 × 640 = 0.768, exiting costs 640 × 0.00055.
    equal(closed.exitReason, "spread flip (2 settlements; holding -0.7680 vs exit cost 0.3520)");
    // Schedules: Lighter settles every hour (08:00 pays the long 0.01 × 64 000 × 0.0001 =
    // 0.064, 09:00 charges it 0.01 × 64 000 × 0.00015 = 0.096), GRVT once in 8 h (08:00: the
    // short receives 0.01 × 64 000 × 0.0024 = 1.536; its next is 16:00).
    deepEqual(settlements(lighter), [[8, "0.064"], [9, "-0.096"]]);
    deepEqual(settlements(grvt), [[8, "1.536"]]);
    const pnl = positionPnl(closed);
    // Price: long bought 63 999.9 (maker), sold 63 999.8 → −0.001; short sold 63 999.8, bought
    // back 64 000.2 → −0.004. Fees: GRVT 0.00045 × (639.998 + 640.002) = 0.576, Lighter none.
    // Funding: Lighter 0.064 − 0.096 = −0.032, GRVT 1.536. Total 0.923.
    deepEqual(
      [pnl.long, pnl.short].map((l) => [l.venue, l.price, l.fees, l.funding].map(String)),
      [["lighter", "-0.001", "0", "-0.032"], ["grvt", "-0.004", "0.576", "1.536"]],
    );
    equal(pnl.total.toString(), "0.923");
    // The engines' own numbers, to the cent and beyond.
    deepEqual(truth(lighter), { size: "0", price: "-0.001", fees: "0", funding: "-0.032" });
    deepEqual(truth(grvt), { size: "0", price: "-0.004", fees: "0.576", funding: "1.536" });
    equal(
      lighter.sim.engine.openOrders(lighter.sim.accountId).length +
        grvt.sim.engine.openOrders(grvt.sim.accountId).length,
      0,
    );
  } finally {
    await arb.stop("test");
    await world.close();
  }
});

Deno.test("funding arb on replicas: three venues, Lighter 1 h / EdgeX 4 h chosen, GRVT 8 h idle — funding on each schedule, flip exit, PnL split = engine truth", async () => {
  const T0 = Date.UTC(2026, 0, 1, 11, 55);
  const flip = T0 + 25 * M; // 12:20
  const world = await replicaWorld(T0, [
    { name: "lighter", funding: [{ time: 0, rate: "-0.0001" }, { time: flip, rate: "0.00015" }] },
    // GRVT 0.0008 per 8 h = 0.0001 per hour throughout: long Lighter / short GRVT is 0.0002.
    { name: "grvt", funding: "0.0008" },
    // EdgeX 0.0016 per 4 h = 0.0004 per hour: long Lighter / short EdgeX is 0.0005, the best.
    // Then 0.0004 per 4 h (0.0001 per hour).
    { name: "edgex", funding: [{ time: 0, rate: "0.0016" }, { time: flip, rate: "0.0004" }] },
  ]);
  const [lighter, grvt, edgex] = world.venues;
  await using store = await memoryStore();
  const { arb, lines } = replicaStrategy(world, store, { stepMs: M, minNetApr: "0.5" });
  try {
    await world.until(arb.start(signal));
    await enter(world, arb, lighter, lines);
    const [p] = arb.positions();
    equal(p?.status, "open", lines.join("\n"));
    deepEqual([p.long.venue, p.short.venue], ["lighter", "edgex"]);
    await holdUntilClosed(world, arb, 80);
    equal(arb.positions().length, 0, lines.slice(-8).join("\n"));
    const rows = await store.arbPositions();
    equal(rows.length, 1, "no second entry after the flip");
    const closed = JSON.parse(rows[0].data) as ArbPosition;
    // Holding 24 h: (0.0001 − 0.00015) × 24 × 640 = −0.768; exit: 640 × EdgeX taker 0.00038.
    equal(closed.exitReason, "spread flip (2 settlements; holding -0.7680 vs exit cost 0.2432)");
    // Lighter at 12:00 and 13:00; EdgeX at 12:00 only (4 h: the next is 16:00): the short
    // receives 0.01 × 64 000 × 0.0016 = 1.024. GRVT (8 h: 08:00, 16:00) held nothing.
    deepEqual(settlements(lighter), [[12, "0.064"], [13, "-0.096"]]);
    deepEqual(settlements(edgex), [[12, "1.024"]]);
    deepEqual(settlements(grvt), []);
    const pnl = positionPnl(closed);
    // EdgeX fees: 0.00038 × (639.998 + 640.002) = 0.4864. Total −0.001 − 0.004 − 0.4864
    // − 0.032 + 1.024 = 0.5006.
    deepEqual(
      [pnl.long, pnl.short].map((l) => [l.venue, l.price, l.fees, l.funding].map(String)),
      [["lighter", "-0.001", "0", "-0.032"], ["edgex", "-0.004", "0.4864", "1.024"]],
    );
    equal(pnl.total.toString(), "0.5006");
    deepEqual(truth(lighter), { size: "0", price: "-0.001", fees: "0", funding: "-0.032" });
    deepEqual(truth(edgex), { size: "0", price: "-0.004", fees: "0.4864", funding: "1.024" });
    deepEqual(truth(grvt), { size: "0", price: "0", fees: "0", funding: "0" });
  } finally {
    await arb.stop("test");
    await world.close();
  }
});

Deno.test("funding arb on replicas: GRVT refuses the hedge → the Lighter leg is rolled back, cost reported, nothing left", async () => {
  const T0 = Date.UTC(2026, 0, 1, 7, 55);
  const world = await replicaWorld(T0, [
    { name: "lighter", funding: "-0.0001" },
    { name: "grvt", funding: "0.0024" },
  ]);
  const [lighter, grvt] = world.venues;
  grvt.sim.faults.inject({ kind: "error", frontEnd: "grvt", target: "full/v1/create_order" });
  await using store = await memoryStore();
  const { arb, lines } = replicaStrategy(world, store);
  try {
    await world.until(arb.start(signal));
    await enter(world, arb, lighter, lines);
    equal(arb.positions().length, 0, lines.join("\n"));
    const [row] = await store.arbPositions();
    equal(row.status, "rolled_back");
    // Bought 0.01 at 63 999.9, sold back at the bid 63 999.8: 0.001 (Lighter charges no fee).
    equal((JSON.parse(row.data) as ArbPosition).rollbackCost, "0.001");
    equal(lines.some((l) => l.includes("rolled back (hedge failed); rollback cost 0.0010")), true);
    deepEqual(truth(lighter), { size: "0", price: "-0.001", fees: "0", funding: "0" });
    equal(truth(grvt).size, "0");
    equal(lighter.sim.engine.openOrders(lighter.sim.accountId).length, 0);
    equal(grvt.sim.engine.fills(grvt.sim.accountId).length, 0);
  } finally {
    await arb.stop("test");
    await world.close();
  }
});

/** A client whose n-th placeOrder never leaves the process and never answers (killed). */
function killedBefore(client: ExchangeClient, n: number): ExchangeClient {
  let count = 0;
  return new Proxy(client, {
    get(target, key) {
      if (key === "placeOrder") {
        return (req: OrderRequest): Promise<Order> =>
          ++count === n ? new Promise<never>(() => {}) : target.placeOrder(req);
      }
      const v = Reflect.get(target, key, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

Deno.test("funding arb on replicas: killed between legs (maker filled on Lighter, hedge never sent) → the restart closes the naked leg once", async () => {
  const T0 = Date.UTC(2026, 0, 1, 7, 55);
  const world = await replicaWorld(T0, [
    { name: "lighter", funding: "-0.0001" },
    { name: "grvt", funding: "0.0024" },
  ]);
  const [lighter, grvt] = world.venues;
  await using store = await memoryStore();
  const dying = [lighter, { ...grvt, client: killedBefore(grvt.client, 1) }];
  const first = replicaStrategy(world, store, {}, dying);
  const second = replicaStrategy(world, store, {}, [
    { ...lighter, client: lighter.sim.client() },
    { ...grvt, client: grvt.sim.client() },
  ]);
  try {
    await world.until(first.arb.start(signal));
    const s = first.arb.step(signal);
    let order;
    for (let i = 0; i < 40 && !(order = restingOrder(lighter)); i++) await world.advance(250, 250);
    lighter.sim.control.fillOrder(lighter.sim.accountId, { clientOrderId: order!.clientOrderId });
    await world.advance(5_000, 250);
    void s; // the first bot hangs on the hedge: it is gone
    equal(truth(lighter).size, "0.01", first.lines.join("\n"));
    equal(truth(grvt).size, "0");
    const [persisted] = await store.arbPositions();
    equal(persisted.status, "opening");
    // A new bot on the same store and venues: the one-legged position is closed, never hedged
    // late and never entered a second time.
    await world.until(second.arb.start(signal));
    equal(truth(lighter).size, "0", second.lines.join("\n"));
    equal(truth(grvt).size, "0");
    equal(grvt.sim.engine.fills(grvt.sim.accountId).length, 0);
    // One maker fill and one close on Lighter.
    equal(lighter.sim.engine.fills(lighter.sim.accountId).length, 2);
    const rows = await store.arbPositions();
    equal(rows.length, 1);
    equal(rows[0].status, "closed");
    equal(second.arb.positions().length, 0);
  } finally {
    await second.arb.stop("test");
    await world.close();
  }
});
