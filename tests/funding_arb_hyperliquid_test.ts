// Funding arbitrage with a Hyperliquid leg, end to end on the protocol replicas (Lighter and
// Hyperliquid: each venue's real client over loopback), in virtual time with scripted hourly
// funding on both venues. Expected figures are worked out by hand in the comments: both
// replicas quote a flat BTC market at mark 64 000; Lighter's liquidity is 63 999.8 / 64 000.2
// (tick 0.1), Hyperliquid's 63 998 / 64 002 (tick 1, 5 significant figures), 0.5 a level; the
// strategy trades 0.01 BTC (640 of notional). Fees: Lighter none; Hyperliquid's client reports
// its base tier, maker 0.015 %, taker 0.045 %, which the replica charges.
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { parseBotArgs } from "../cli.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { runFundingArbBot } from "../strategies/funding_arb_bot.ts";
import { LoopbackDriver } from "./bot_loopback_driver.ts";
import { type ArbPosition, legSize, positionPnl } from "../strategies/funding_arbitrage.ts";
import { memoryStore } from "./funding_arb_harness.ts";
import {
  replicaStrategy,
  type ReplicaVenue,
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

Deno.test("funding arb on replicas: Lighter 1 h / Hyperliquid 1 h — entered, hourly funding on both legs, flip exit, PnL split = engine truth", async () => {
  const T0 = Date.UTC(2026, 0, 1, 7, 55);
  const flip = T0 + 25 * M; // 08:20: applies from the 09:00 settlement on
  const world = await replicaWorld(T0, [
    // Lighter: −0.0001 per hour (the long receives), then +0.00015 (the long pays).
    { name: "lighter", funding: [{ time: 0, rate: "-0.0001" }, { time: flip, rate: "0.00015" }] },
    // Hyperliquid: +0.0002 per hour (the short receives), then +0.0001.
    {
      name: "hyperliquid",
      funding: [{ time: 0, rate: "0.0002" }, { time: flip, rate: "0.0001" }],
    },
  ]);
  const [lighter, hyperliquid] = world.venues;
  await using store = await memoryStore();
  const { arb, lines } = replicaStrategy(world, store, { stepMs: M, minNetApr: "0.5" });
  try {
    await world.until(arb.start(signal));
    const first = arb.step(signal);
    let order;
    for (let i = 0; i < 40 && !(order = restingOrder(lighter)); i++) {
      await world.advance(250, 250);
    }
    equal(order?.price, "63999.9", lines.join("\n")); // Lighter's best bid 63 999.8 + one tick
    lighter.sim.control.fillOrder(lighter.sim.accountId, { clientOrderId: order!.clientOrderId });
    await world.until(first);
    const [p] = arb.positions();
    equal(p?.status, "open", lines.join("\n"));
    deepEqual([p.long.venue, p.short.venue], ["lighter", "hyperliquid"]);
    deepEqual([legSize(p, "long").toString(), legSize(p, "short").toString()], ["0.01", "-0.01"]);
    for (let i = 0; i < 80 && arb.positions().length > 0; i++) {
      await world.until(arb.step(signal));
      await world.advance(M);
    }
    equal(arb.positions().length, 0, lines.slice(-8).join("\n"));
    const rows = await store.arbPositions();
    equal(rows.length, 1, "no second entry after the flip");
    const closed = JSON.parse(rows[0].data) as ArbPosition;
    equal(closed.status, "closed");
    // Entry gate: (0.0002 + 0.0001) × 24 × 640 = 4.608 of funding; fees: the Hyperliquid taker
    // 0.00045 × 640 on the hedge and again on the exit = 0.576 (Lighter none); crossing: the
    // hedge sells at 63 998 (2 under the mid of 64 000 × 0.01 = 0.02), the exit buys back at
    // 64 002 (0.02) and sells Lighter at 63 999.8 (0.002): 0.042. Net 3.99.
    equal(
      p.entryReason.startsWith("net 3.9900 over the horizon (funding 4.6080, fees 0.5760"),
      true,
      p.entryReason,
    );
    // At 09:00 the spread for the next settlement is 0.0001 − 0.00015 < 0 for the second time
    // in a row: holding 24 h loses 0.00005 × 24 × 640 = 0.768; exiting costs 640 × 0.00045.
    equal(closed.exitReason, "spread flip (2 settlements; holding -0.7680 vs exit cost 0.2880)");
    // Both settle every hour: Lighter 08:00 pays the long 0.01 × 64 000 × 0.0001 = 0.064, 09:00
    // charges it 0.01 × 64 000 × 0.00015 = 0.096; Hyperliquid pays the short 0.01 × 64 000 ×
    // 0.0002 = 0.128 at 08:00 and 0.01 × 64 000 × 0.0001 = 0.064 at 09:00.
    deepEqual(settlements(lighter), [[8, "0.064"], [9, "-0.096"]]);
    deepEqual(settlements(hyperliquid), [[8, "0.128"], [9, "0.064"]]);
    const pnl = positionPnl(closed);
    // Price: long bought 63 999.9 (maker), sold 63 999.8 → −0.001; short sold 63 998 (IOC at
    // its worst price, filled at the bid), bought back 64 002 → −0.04. Fees: Hyperliquid
    // 0.00045 × (639.98 + 640.02) = 0.576, Lighter none. Funding: Lighter 0.064 − 0.096 =
    // −0.032, Hyperliquid 0.128 + 0.064 = 0.192. Total −0.001 − 0.032 − 0.04 − 0.576 + 0.192 =
    // −0.457 (the flip came before the funding paid for the round trip).
    deepEqual(
      [pnl.long, pnl.short].map((l) => [l.venue, l.price, l.fees, l.funding].map(String)),
      [["lighter", "-0.001", "0", "-0.032"], ["hyperliquid", "-0.04", "0.576", "0.192"]],
    );
    equal(pnl.total.toString(), "-0.457");
    // The engines' own numbers.
    deepEqual(truth(lighter), { size: "0", price: "-0.001", fees: "0", funding: "-0.032" });
    deepEqual(truth(hyperliquid), { size: "0", price: "-0.04", fees: "0.576", funding: "0.192" });
    equal(
      lighter.sim.engine.openOrders(lighter.sim.accountId).length +
        hyperliquid.sim.engine.openOrders(hyperliquid.sim.accountId).length,
      0,
    );
  } finally {
    await arb.stop("test");
    await world.close();
  }
});

Deno.test("bot --strategy funding-arbitrage --venues lighter,hyperliquid --network sim weighs Hyperliquid pairs on the replicas and stops cleanly", async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const driver = new LoopbackDriver(clock);
  const stop = new AbortController();
  const config = parseBotArgs([
    "--strategy",
    "funding-arbitrage",
    "--venues",
    "lighter,hyperliquid",
    "--network",
    "sim",
    "--db",
    ":memory:",
    "--min-net-apr",
    "0",
  ]);
  deepEqual(config.venues, ["lighter", "hyperliquid"]);
  const errors: string[] = [];
  const actions: string[] = [];
  let started: string[] = [];
  const done = runFundingArbBot({
    ...config.arb!,
    venues: config.venues,
    network: config.network,
    dryRun: false,
    cancelOnExit: true,
  }, {
    io: { stdout: () => {}, stderr: (t) => void errors.push(t) },
    env: () => undefined,
    clock,
    signal: stop.signal,
    logDir: null,
    configureLogging: false,
    installSignalHandlers: false,
    onAction: (line) => void actions.push(line),
    onStarted: (_, venues) => {
      started = venues.map((v) => `${v.name}:${v.client.constructor.name}`);
    },
  });
  await driver.advance(10 * 60_000);
  stop.abort();
  await driver.advance(60_000);
  equal(await done, 0, errors.join(""));
  // The venues' real clients over loopback, not paper ones.
  deepEqual(started, ["lighter:LighterClient", "hyperliquid:HyperliquidClient"]);
  // The Hyperliquid leg is priced by the gate (the seeded premium funding pays no pair here).
  ok(
    actions.some((l) => /^\[arb\] (skip|enter) \w+ long .*hyperliquid/.test(l)),
    actions.join("\n"),
  );
});
