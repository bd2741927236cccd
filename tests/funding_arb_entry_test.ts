// Funding arbitrage on paper venues in virtual time: entry, funding on both schedules, flip
// exit with the PnL split checked against the engines, the gate, rollback, partial fills, the
// settlement window and the failed-open cap. Expected figures are worked out by hand in the
// comments (BTC marks at 60 000, the market maker quotes 59 999 / 60 001).
import { deepStrictEqual as deepEqual, strictEqual as equal } from "node:assert/strict";
import { Decimal } from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { legSize, positionPnl } from "../strategies/funding_arbitrage.ts";
import { drive, hitMaker, memoryStore, paperVenue, strategy, T0 } from "./funding_arb_harness.ts";

const H = 3_600_000;
const signal = new AbortController().signal;

Deno.test("funding arb: enter, receive funding on both schedules, exit on a flip, PnL = engine truth", async () => {
  const clock = new ManualClock(T0);
  // Lighter 1 h: −0.0001 (long receives) until 08:30, then +0.0005 (long pays).
  const lighter = paperVenue(clock, {
    name: "lighter",
    intervalHours: 1,
    rate: [{ time: 0, rate: "-0.0001" }, { time: T0 + 8 * H + 20 * 60_000, rate: "0.0005" }],
  });
  // GRVT 8 h: 0.0024 per interval (short receives), then −0.0008.
  const grvt = paperVenue(clock, {
    name: "grvt",
    intervalHours: 8,
    takerFee: "0.0005",
    rate: [{ time: 0, rate: "0.0024" }, { time: T0 + 8 * H + 20 * 60_000, rate: "-0.0008" }],
  });
  await using store = await memoryStore();
  const { arb, lines } = strategy([lighter, grvt], store, clock, { stepMs: 60_000 });
  await arb.start(signal);
  const first = arb.step(signal);
  await clock.advance(100);
  hitMaker(lighter, "sell", "0.01"); // the maker bid 59 999.1 on the thinner (first) venue fills
  await drive(clock, first);
  const [p] = arb.positions();
  equal(p.status, "open");
  deepEqual([legSize(p, "long").toString(), legSize(p, "short").toString()], ["0.01", "-0.01"]);
  // Hold until the exit (each step = one virtual minute).
  for (let i = 0; i < 11 * 60 && arb.positions().length > 0; i++) {
    await drive(clock, arb.step(signal));
    await clock.advance(60_000);
  }
  equal(arb.positions().length, 0, lines.slice(-5).join("\n"));
  const [row] = await store.arbPositions({ owner: "bot-a" });
  const closed = JSON.parse(row.data);
  equal(closed.status, "closed");
  equal(closed.exitReason.startsWith("spread flip"), true);
  const pnl = positionPnl(closed);
  // Funding: Lighter long 0.01 × 60 000 × 0.0001 = 0.06 at 01:00 … 08:00 (8 ×) = 0.48. The
  // rate the next settlement pays is negative at 08:00 (09:00's rate is already +0.0005) and
  // at 09:00: two settlements in a row → exit after paying 0.01 × 60 000 × 0.0005 = 0.3 once
  // → 0.18. GRVT short: 0.01 × 60 000 × 0.0024 = 1.44 at 08:00.
  equal(pnl.long.funding.toString(), "0.18");
  equal(pnl.short.funding.toString(), "1.44");
  // Price: long bought 59 999.1 (maker), sold 59 999 → −0.001; short sold 59 999, bought back
  // 60 001 → −0.02. Fees: GRVT taker 0.0005 × (599.99 + 600.01) = 0.6.
  equal(pnl.long.price.toString(), "-0.001");
  equal(pnl.short.price.toString(), "-0.02");
  equal(pnl.long.fees.toString(), "0");
  equal(pnl.short.fees.toString(), "0.6");
  equal(pnl.total.toString(), "0.999"); // −0.001 − 0.02 − 0.6 + 0.18 + 1.44
  // The engines' own numbers.
  const truth = (v: typeof lighter) => v.engine.position("me", "BTC");
  for (const [leg, v] of [[pnl.long, lighter], [pnl.short, grvt]] as const) {
    const t = truth(v);
    equal(t.size, "0");
    equal(leg.price.eq(t.realizedPnl), true, `${v.name} price ${leg.price} vs ${t.realizedPnl}`);
    equal(leg.fees.eq(t.fees), true, `${v.name} fees ${leg.fees} vs ${t.fees}`);
    equal(leg.funding.eq(t.funding), true, `${v.name} funding ${leg.funding} vs ${t.funding}`);
  }
  await arb.stop("test");
});

Deno.test("funding arb: the gate refuses a spread that fees eat", async () => {
  const clock = new ManualClock(T0);
  // Spread 0.00002 / h: over 24 h on 600 that is 0.288; taker fees 0.001 × 600 × 3 = 1.8.
  const a = paperVenue(clock, {
    name: "lighter",
    rate: "0.00001",
    intervalHours: 1,
    takerFee: "0.001",
  });
  const b = paperVenue(clock, {
    name: "grvt",
    rate: "0.00003",
    intervalHours: 1,
    takerFee: "0.001",
  });
  await using store = await memoryStore();
  const { arb, lines } = strategy([a, b], store, clock, { minNetApr: "0" });
  await arb.start(signal);
  await drive(clock, arb.step(signal));
  equal(arb.positions().length, 0);
  equal(a.engine.openOrders("me").length + b.engine.openOrders("me").length, 0);
  equal(lines.some((l) => l.includes("skip BTC") && l.includes("below the minimum")), true);
  equal(arb.stats.refusals, 1);
});

Deno.test("funding arb: a failed hedge rolls the maker leg back, cost reported, nothing left", async () => {
  const clock = new ManualClock(T0);
  const a = paperVenue(clock, { name: "lighter", rate: "-0.0001", intervalHours: 1 });
  const b = paperVenue(clock, { name: "grvt", rate: "0.0003", intervalHours: 1 });
  b.faults.inject({ kind: "error", target: "placeOrder", status: 503 });
  await using store = await memoryStore();
  const { arb, lines } = strategy([a, b], store, clock);
  await arb.start(signal);
  const s = arb.step(signal);
  await clock.advance(100);
  hitMaker(a, "sell", "0.01");
  await drive(clock, s);
  equal(arb.positions().length, 0);
  equal(a.engine.position("me", "BTC").size, "0");
  equal(b.engine.position("me", "BTC").size, "0");
  const [row] = await store.arbPositions();
  equal(row.status, "rolled_back");
  // Bought 0.01 at 59 999.1, sold back at 59 999: 0.001.
  equal(JSON.parse(row.data).rollbackCost, "0.001");
  equal(lines.some((l) => l.includes("rolled back (hedge failed)")), true);
});

Deno.test("funding arb: a leg left naked (hedge and rollback both fail) asks for the next step within RETRY_SOON_MS, which flattens it", async () => {
  const clock = new ManualClock(T0);
  const a = paperVenue(clock, { name: "lighter", rate: "-0.0001", intervalHours: 1 });
  const b = paperVenue(clock, { name: "grvt", rate: "0.0003", intervalHours: 1 });
  await using store = await memoryStore();
  const { arb, lines } = strategy([a, b], store, clock, { stepMs: 60_000 });
  await arb.start(signal);
  const s = arb.step(signal);
  await clock.advance(100);
  hitMaker(a, "sell", "0.01");
  // The maker leg filled; now neither venue takes an order until the step is over.
  const hedgeFault = b.faults.inject({ kind: "error", target: "placeOrder", status: 503 });
  const rollbackFault = a.faults.inject({ kind: "error", target: "placeOrder", status: 503 });
  const first = await drive(clock, s);
  deepEqual(first, { kind: "continue", sleepMs: 1_000 });
  equal(a.engine.position("me", "BTC").size, "0.01");
  equal(lines.some((l) => l.includes("rolled back (hedge failed)")), true, lines.join("\n"));
  deepEqual(arb.positions().map((p) => [p.status, p.exitReason]), [[
    "closing",
    "rollback incomplete",
  ]]);
  b.faults.clear(hedgeFault);
  a.faults.clear(rollbackFault);
  // The next step (a second later, not a minute) closes the naked leg; then the usual pace.
  const second = await drive(clock, arb.step(signal));
  equal(a.engine.position("me", "BTC").size, "0");
  equal(b.engine.position("me", "BTC").size, "0");
  deepEqual(second, { kind: "continue", sleepMs: 60_000 });
});

Deno.test("funding arb: a partial maker fill is hedged exactly, in the hedge venue's step", async () => {
  const clock = new ManualClock(T0);
  const a = paperVenue(clock, { name: "lighter", rate: "-0.0001", intervalHours: 1 });
  const b = paperVenue(clock, {
    name: "grvt",
    rate: "0.0003",
    intervalHours: 1,
    sizeStep: "0.002",
  });
  await using store = await memoryStore();
  const { arb } = strategy([a, b], store, clock, { notionalUsd: "1200" });
  await arb.start(signal);
  const s = arb.step(signal);
  await clock.advance(100);
  hitMaker(a, "sell", "0.007"); // of a 0.02 maker bid
  await drive(clock, s);
  const [p] = arb.positions();
  const hedges = p.orders.filter((o) => o.purpose === "hedge").map((o) => [o.size, o.filled]);
  deepEqual(hedges, [["0.006", "0.006"]]);
  // The 0.001 GRVT cannot take is closed on Lighter.
  deepEqual(p.orders.filter((o) => o.purpose === "rollback").map((o) => o.filled), ["0.001"]);
  equal(a.engine.position("me", "BTC").size, "0.006");
  equal(b.engine.position("me", "BTC").size, "-0.006");
  equal(a.engine.openOrders("me").length, 0);
});

Deno.test("funding arb: an entry interrupted by unreadable answers, whose reconcile fails too, is stepped again within RETRY_SOON_MS and settled", async () => {
  const clock = new ManualClock(T0);
  const a = paperVenue(clock, { name: "lighter", rate: "-0.0001", intervalHours: 1 });
  const b = paperVenue(clock, { name: "grvt", rate: "0.0003", intervalHours: 1 });
  await using store = await memoryStore();
  const { arb, lines } = strategy([a, b], store, clock, { stepMs: 60_000 });
  await arb.start(signal);
  const s = arb.step(signal);
  await clock.advance(100);
  // The maker venue's book and positions become unreadable while its order rests.
  const faults = ["getOrderBook", "getPositions"].map((target) =>
    a.faults.inject({ kind: "garble_response", target, body: "null" })
  );
  const first = await drive(clock, s);
  equal(lines.some((l) => l.includes("entry interrupted")), true, lines.join("\n"));
  deepEqual(first, { kind: "continue", sleepMs: 1_000 });
  for (const f of faults) a.faults.clear(f);
  // A second later: reconciled (nothing filled: rolled back), then the usual pace.
  await drive(clock, arb.step(signal));
  const third = await drive(clock, arb.step(signal));
  equal(a.engine.openOrders("me").length, 0);
  equal(a.engine.position("me", "BTC").size, "0");
  equal(b.engine.position("me", "BTC").size, "0");
  deepEqual(third, { kind: "continue", sleepMs: 60_000 });
});

Deno.test("funding arb: a hedge the venue's rules refuse (below its minimum notional) is not retried until the deadline: the fill is rolled back at once", async () => {
  const clock = new ManualClock(T0);
  const a = paperVenue(clock, { name: "lighter", rate: "-0.0001", intervalHours: 1 });
  const b = paperVenue(clock, {
    name: "grvt",
    rate: "0.0003",
    intervalHours: 1,
    minNotional: "500",
  });
  await using store = await memoryStore();
  const { arb, lines } = strategy([a, b], store, clock, { notionalUsd: "1200" });
  await arb.start(signal);
  const s = arb.step(signal);
  await clock.advance(100);
  const started = clock.now();
  // 0.007 of the 0.02 maker bid: its hedge, 0.007 × ~60 000 = 420, is under GRVT's 500.
  hitMaker(a, "sell", "0.007");
  await drive(clock, s);
  const refusals = lines.filter((l) => l.includes("hedge on grvt failed: InvalidOrderError"));
  equal(refusals.length, 1, lines.join("\n"));
  equal(a.engine.position("me", "BTC").size, "0");
  equal(b.engine.position("me", "BTC").size, "0");
  equal(lines.some((l) => l.includes("rolled back")), true, lines.join("\n"));
  // Well inside the 3 s hedge deadline (it used to be spent retrying the refused order).
  equal(clock.now() - started < 3_000, true, `${clock.now() - started} ms`);
});

Deno.test("funding arb: no entry just before a settlement that would charge a leg", async () => {
  const clock = new ManualClock(T0); // 00:10, Lighter settles at 01:00
  const run = async (lighterRate: string) => {
    const a = paperVenue(clock, { name: "lighter", rate: lighterRate, intervalHours: 1 });
    const b = paperVenue(clock, { name: "grvt", rate: "0.0024", intervalHours: 8 });
    await using store = await memoryStore();
    const { arb, lines } = strategy([a, b], store, clock, { settlementWindowMs: H });
    await arb.start(signal);
    const s = arb.step(signal);
    await clock.advance(200);
    const placed = a.engine.openOrders("me").length;
    await drive(clock, s);
    return { placed, lines };
  };
  // Long Lighter at +0.0001: the 01:00 settlement charges the long, 50 min away → refused.
  const charged = await run("0.0001");
  equal(charged.placed, 0);
  equal(charged.lines.some((l) => l.includes("settles in 3000000 ms and would pay")), true);
  // At −0.0001 the same settlement pays the long → entered (the maker bid rests).
  const paid = await run("-0.0001");
  equal(paid.placed, 1);
});

Deno.test("funding arb: the failed-open cap stops an open → unwind loop", async () => {
  const clock = new ManualClock(T0);
  const a = paperVenue(clock, { name: "lighter", rate: "-0.0001", intervalHours: 1 });
  const b = paperVenue(clock, { name: "grvt", rate: "0.0003", intervalHours: 1 });
  await using store = await memoryStore();
  const { arb, lines } = strategy([a, b], store, clock, {
    maxFailedOpensPerHour: 2,
    makerTimeoutMs: 5_000,
  });
  await arb.start(signal);
  // Nobody fills the maker bid: each attempt times out.
  for (let i = 0; i < 5; i++) await drive(clock, arb.step(signal));
  const opens = (await store.arbPositions()).length;
  equal(opens, 2);
  equal(lines.filter((l) => l.includes("2 failed opens in the last hour")).length, 3);
  equal(new Decimal(a.engine.position("me", "BTC").size).isZero(), true);
  // An hour later the pair may be tried again.
  await clock.advance(H);
  await drive(clock, arb.step(signal));
  equal((await store.arbPositions()).length, 3);
});

Deno.test("funding arb: a pair passed over says why once, not every step", async () => {
  const clock = new ManualClock(T0);
  const a = paperVenue(clock, { name: "lighter", rate: "-0.0001", intervalHours: 1 });
  const b = paperVenue(clock, { name: "grvt", rate: "0.0003", intervalHours: 1 });
  await using store = await memoryStore();
  // 1 USD of notional buys 0.00001 BTC at 64 000, which rounds to 0 in a 0.001 step.
  const { arb, lines } = strategy([a, b], store, clock, { notionalUsd: "1" });
  await arb.start(signal);
  await drive(clock, arb.step(signal));
  await drive(clock, arb.step(signal));
  equal(arb.positions().length, 0);
  equal(lines.filter((l) => l.includes("under a leg's minimum size")).length, 1, lines.join("\n"));
});
