/**
 * Bounds of the simulator's long-lived collections: the ring buffer, the event log, finished
 * orders and their client-id index, scheduled expiries, and the fill / trade / funding
 * histories. Account truth must stay exact whatever the bounds. Also the soak's price path,
 * which must keep a long run's price within a band.
 */
import { deepStrictEqual, ok, strictEqual as equal, throws } from "node:assert/strict";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { NotFoundError } from "../core/errors.ts";
import { Ring } from "./_ring.ts";
import { TaskHeap } from "./_heap.ts";
import { EventLog } from "./events.ts";
import { type EngineOptions, SimEngine } from "./engine.ts";
import { scriptedFundingRates } from "./funding.ts";
import { Instrument } from "./instrument.ts";
import { oscillatingPath } from "./market.ts";
import { startGrvtReplica } from "./grvt/replica.ts";
import { startLighterReplica } from "./lighter/replica.ts";
import { LighterSigner } from "../exchanges/lighter/signer/lighter_signer.ts";

const HOUR = 3_600_000;

function setup(options: EngineOptions = {}, clock = new ManualClock(0)) {
  const engine = new SimEngine({ clock, ...options });
  engine.addInstrument(
    {
      symbol: "BTC",
      tickSize: "0.1",
      sizeStep: "0.001",
      minSize: "0.001",
      maxLeverage: "10",
      makerFee: "-0.0001",
      takerFee: "0.0005",
      fundingIntervalHours: 1,
    },
    { markPrice: "100", fundingRates: scriptedFundingRates("0.0001") },
  );
  engine.createAccount("alice", { collateral: "1000" });
  engine.createAccount("bob", { collateral: "1000" });
  return { engine, clock };
}

Deno.test("Ring keeps the newest N in order, through wrap-around, shifts and regrowth", () => {
  const r = new Ring<number>(3);
  for (const n of [1, 2, 3, 4, 5, 6, 7]) r.push(n);
  deepStrictEqual(r.toArray(), [5, 6, 7]);
  equal(r.push(8), 5);
  deepStrictEqual([...r], [6, 7, 8]);
  equal(r.at(-1), 8);
  deepStrictEqual(r.toArray(2), [7, 8]);
  const g = new Ring<number>(10);
  for (const n of [1, 2, 3]) g.push(n);
  equal(g.shift(), 1);
  for (const n of [4, 5, 6]) g.push(n);
  deepStrictEqual(g.toArray(), [2, 3, 4, 5, 6]);
  const none = new Ring<number>(0);
  equal(none.push(1), 1);
  equal(none.length, 0);
});

Deno.test("the event ring keeps the newest N events; numbering and lastSeq go on", () => {
  const log = new EventLog({ capacity: 3 });
  for (let i = 1; i <= 10; i++) {
    log.emit("prices:BTC", i, { type: "price", symbol: "BTC", markPrice: `${i}`, indexPrice: "1" });
  }
  deepStrictEqual(log.events.map((e) => [e.seq, e.streamSeq, e.time]), [
    [8, 8, 8],
    [9, 9, 9],
    [10, 10, 10],
  ]);
  equal(log.lastSeq("prices:BTC"), 10);
  equal(log.serialize().split("\n").filter(Boolean).length, 3);
});

Deno.test("the engine's event log is a ring of retention.events", () => {
  const { engine } = setup({ retention: { events: 4 } });
  for (let i = 0; i < 10; i++) {
    engine.placeOrder("alice", { symbol: "BTC", side: "buy", size: "0.01", price: "90" });
  }
  equal(engine.events.length, 4);
  // Every placement emits an order event and a book event: 10 orders → 20 events + 2 deposits.
  equal(engine.events.at(-1)!.seq, 22);
  equal(engine.events[0].seq, 19);
});

Deno.test("finished orders are kept up to the bound and the client-id index follows eviction", () => {
  const { engine } = setup({ retention: { finishedOrders: 2 } });
  const px = { symbol: "BTC", side: "buy", size: "0.01", price: "90" } as const;
  engine.placeOrder("alice", { ...px, clientOrderId: "keep" }); // id 1, stays active
  for (const cid of ["x", "x", "y"]) { // ids 2, 3, 4
    engine.placeOrder("alice", { ...px, clientOrderId: cid });
    engine.cancelOrder("alice", { clientOrderId: cid });
  }
  // The latest finished order with a client id wins; the older "x" (id 2) is already gone.
  equal(engine.getOrder("alice", { clientOrderId: "x" }).id, "3");
  throws(() => engine.getOrder("alice", { id: "2" }), NotFoundError);
  equal(engine.retainedCounts().finishedOrders, 2);
  engine.placeOrder("alice", { ...px, clientOrderId: "z" }); // id 5
  engine.cancelOrder("alice", { clientOrderId: "z" });
  // "x" (id 3) is evicted now: not found, and never answered with an older order.
  throws(() => engine.getOrder("alice", { clientOrderId: "x" }), NotFoundError);
  equal(engine.getOrder("alice", { clientOrderId: "y" }).id, "4");
  equal(engine.getOrder("alice", { clientOrderId: "z" }).status, "canceled");
  // An active order is found however old it is.
  equal(engine.getOrder("alice", { clientOrderId: "keep" }).id, "1");
  deepStrictEqual(engine.finishedOrders("alice").map((o) => o.id), ["5", "4"]);
  equal(engine.retainedCounts().finishedOrders, 2);
});

Deno.test("an order's GTT expiry leaves the task heap when the order ends first", () => {
  const { engine } = setup();
  for (let i = 0; i < 1_000; i++) {
    engine.placeOrder("alice", {
      symbol: "BTC",
      side: "buy",
      size: "0.01",
      price: "90",
      timeInForce: "gtt",
      expiresAt: 30 * 24 * HOUR,
      clientOrderId: `g${i}`,
    });
    engine.cancelOrder("alice", { clientOrderId: `g${i}` });
  }
  const c = engine.retainedCounts();
  equal(c.liveTasks, 1); // the next funding settlement
  ok(c.tasks < 200, `heap holds ${c.tasks} tasks`);
});

Deno.test("TaskHeap.cancel drops a task: it never runs and the heap compacts", () => {
  const heap = new TaskHeap();
  const ran: number[] = [];
  const tasks = Array.from({ length: 200 }, (_, i) => heap.push(i, () => ran.push(i)));
  for (let i = 0; i < 200; i++) if (i % 10 !== 0) heap.cancel(tasks[i]);
  ok(heap.size <= 2 * heap.live + 64, `size ${heap.size}, live ${heap.live}`);
  equal(heap.live, 20);
  for (let t = heap.pop(); t !== undefined; t = heap.pop()) t.run();
  deepStrictEqual(ran, [
    0,
    10,
    20,
    30,
    40,
    50,
    60,
    70,
    80,
    90,
    100,
    110,
    120,
    130,
    140,
    150,
    160,
    170,
    180,
    190,
  ]);
});

/** The same trades and settlements on any engine. */
async function trade(engine: SimEngine, clock: ManualClock): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const price = i % 2 === 0 ? "100" : "100.5";
    engine.placeOrder("alice", { symbol: "BTC", side: "sell", size: "0.1", price });
    engine.placeOrder("bob", { symbol: "BTC", side: "buy", size: "0.1", price });
    if (i % 5 === 4) {
      await clock.advance(HOUR);
      engine.sync();
    }
  }
}

Deno.test("bounded fill, trade and funding histories keep account truth exact", async () => {
  const full = setup({
    retention: { events: Infinity, finishedOrders: Infinity, fills: Infinity, funding: Infinity },
  });
  const small = setup({
    retention: { events: 10, finishedOrders: 3, fills: 3, trades: 3, funding: 2 },
  });
  await trade(full.engine, full.clock);
  await trade(small.engine, small.clock);
  for (const acc of ["alice", "bob"]) {
    deepStrictEqual(small.engine.balance(acc), full.engine.balance(acc));
    deepStrictEqual(small.engine.positions(acc), full.engine.positions(acc));
  }
  // Alice sold 2 BTC: 10 × 0.1 @ 100 and 10 × 0.1 @ 100.5, maker rebate 0.01 %.
  equal(small.engine.position("alice", "BTC").size, "-2");
  equal(full.engine.fills("alice").length, 20);
  deepStrictEqual(small.engine.fills("alice").map((f) => f.tradeId), ["18", "19", "20"]);
  deepStrictEqual(small.engine.trades("BTC").map((t) => t.tradeId), ["18", "19", "20"]);
  equal(full.engine.fundingHistory("BTC").length, 4);
  deepStrictEqual(small.engine.fundingHistory("BTC").map((s) => s.time), [3 * HOUR, 4 * HOUR]);
  deepStrictEqual(small.engine.fundingPayments("alice").map((p) => p.time), [3 * HOUR, 4 * HOUR]);
  equal(small.engine.retainedCounts().events, 10);
});

Deno.test("public trades older than the trade window are dropped", async () => {
  const { engine, clock } = setup({ retention: { tradeWindowMs: 1_000 } });
  for (const t of [0, 500, 1_600]) {
    await clock.set(t);
    engine.placeOrder("alice", { symbol: "BTC", side: "sell", size: "0.1", price: "100" });
    engine.placeOrder("bob", { symbol: "BTC", side: "buy", size: "0.1", price: "100" });
  }
  deepStrictEqual(engine.trades("BTC").map((t) => t.time), [1_600]);
});

/** Every candle of a GRVT `full/v1/kline` query, following the cursor; newest first. */
async function grvtKline(url: string, body: Record<string, unknown>) {
  const rows: Record<string, string>[] = [];
  let cursor = "";
  do {
    const res = await fetch(`${url}/full/v1/kline`, {
      method: "POST",
      body: JSON.stringify({ ...body, limit: 1000, ...(cursor ? { cursor } : {}) }),
    });
    const page = await res.json();
    rows.push(...page.result);
    cursor = page.next;
  } while (cursor);
  return rows;
}

Deno.test("GRVT replica: mark candles fold price minutes exactly into larger candles", async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  await using replica = startGrvtReplica({ clock });
  // Minute 0: 64002 → 64010 → 63990; minute 1: 64005; minute 2: 63995 → 64001.
  for (const [at, mark] of [[0, 64_002], [10, 64_010], [20, 63_990], [60, 64_005], [130, 63_995]]) {
    await clock.set(Date.UTC(2026, 0, 1) + at * 1_000);
    replica.engine.setPrices("BTC_USDT_Perp", { markPrice: String(mark) });
    await clock.advance(0);
  }
  await clock.set(Date.UTC(2026, 0, 1) + 150_000);
  replica.engine.setPrices("BTC_USDT_Perp", { markPrice: "64001" });
  await clock.advance(0);
  const url = replica.hosts.marketDataUrl;
  const ohlc = (c: Record<string, string>) => [c.open, c.high, c.low, c.close];
  const minutes = await grvtKline(url, {
    instrument: "BTC_USDT_Perp",
    interval: "CI_1_M",
    type: "MARK",
  });
  deepStrictEqual(minutes.map(ohlc), [
    ["63995.0", "64001.0", "63995.0", "64001.0"],
    ["64005.0", "64005.0", "64005.0", "64005.0"],
    ["64002.0", "64010.0", "63990.0", "63990.0"],
  ]);
  const hour = await grvtKline(url, {
    instrument: "BTC_USDT_Perp",
    interval: "CI_1_H",
    type: "MARK",
  });
  deepStrictEqual(hour.map(ohlc), [["64002.0", "64010.0", "63990.0", "64001.0"]]);
});

Deno.test("GRVT replica: price minutes behind candles keep the newest 1,440 (24 h)", async () => {
  const start = Date.UTC(2026, 0, 1);
  const clock = new ManualClock(start);
  await using replica = startGrvtReplica({ clock });
  // A new mark price in each of 1,500 minutes (25 hours).
  for (let m = 0; m < 1_500; m++) {
    replica.engine.setPrices("BTC_USDT_Perp", { markPrice: String(64_000 + (m % 2)) });
    await clock.advance(60_000);
  }
  const candles = await grvtKline(replica.hosts.marketDataUrl, {
    instrument: "BTC_USDT_Perp",
    interval: "CI_1_M",
    type: "MARK",
  });
  equal(candles.length, 1_440);
  // Minutes 60 … 1,499 remain: the oldest opens one hour after the start.
  equal(candles.at(-1)!.open_time, String(BigInt(start + 3_600_000) * 1_000_000n));
  equal(candles[0].open_time, String(BigInt(start + 1_499 * 60_000) * 1_000_000n));
});

Deno.test("Lighter replica: inactive orders come from the engine's finished-order history", async () => {
  await using replica = startLighterReplica();
  const { accountIndex, apiKeyIndex, apiKeyPrivateKey } = replica.credentials;
  const account = String(accountIndex);
  const px = { symbol: "ETH", side: "buy", size: "0.1", price: "1900" } as const;
  for (const cid of ["1", "2", "3"]) {
    replica.engine.placeOrder(account, { ...px, clientOrderId: cid });
    replica.engine.cancelOrder(account, { clientOrderId: cid });
  }
  // More events than the event ring keeps: the orders' events are gone, the orders are not.
  for (let i = 0; i <= replica.engine.retention.events; i++) {
    replica.engine.setPrices("ETH", { markPrice: String(2_000 + (i % 2)) });
  }
  const auth = new LighterSigner({
    privateKey: apiKeyPrivateKey,
    accountIndex,
    apiKeyIndex,
    chainId: replica.chainId,
    now: () => replica.clock.now(),
  }).createAuthToken();
  const inactive = async (query: string) => {
    const res = await fetch(
      `${replica.restUrl}/api/v1/accountInactiveOrders?account_index=${accountIndex}&${query}`,
      { headers: { authorization: auth } },
    );
    return { status: res.status, body: await res.json() };
  };
  const listed = await inactive("limit=2&market_id=0");
  deepStrictEqual(
    listed.body.orders.map((o: { client_order_index: number; status: string }) => [
      o.client_order_index,
      o.status,
    ]),
    [[3, "canceled"], [2, "canceled"]],
  );
  equal((await inactive("limit=101")).body.code, 20001);
});

Deno.test("oscillatingPath: each step closes `pull` of the gap to the triangle target", () => {
  const inst = new Instrument({ symbol: "X", tickSize: "1", sizeStep: "1" });
  const path = oscillatingPath({
    seed: 1,
    center: "1000",
    amplitudeBps: "1000",
    periodMs: 4_000,
    pull: "0.5",
  });
  const out: number[] = [];
  let p = 0;
  for (let t = 0; t <= 2_000; t += 500) out.push(p = path.next(t, p, inst));
  // Targets 1000, 1050, 1100, 1050, 1000; half the gap each step, halves rounded away from 0.
  deepStrictEqual(out, [1000, 1025, 1063, 1056, 1028]);
  throws(() =>
    oscillatingPath({ seed: 1, center: "1", amplitudeBps: "1", periodMs: 1, pull: "1.5" })
  );
  throws(() =>
    oscillatingPath({ seed: 1, center: "1", amplitudeBps: "1", periodMs: 0, pull: "1" })
  );
});

Deno.test("oscillatingPath: seven noisy days stay within the swing and sweep it every period", () => {
  // The soak's market: BTC at 60 000 (tick 0.1), ±30 bps every 2 h, 2 bps of noise per 10 s step.
  const inst = new Instrument({ symbol: "BTC", tickSize: "0.1", sizeStep: "0.001" });
  const run = () => {
    const path = oscillatingPath({
      seed: 3,
      center: "60000",
      amplitudeBps: "30",
      periodMs: 2 * HOUR,
      pull: "0.02",
      volatilityBps: "2",
    });
    const out: number[] = [];
    let p = 0;
    for (let t = 0; t < 7 * 24 * HOUR; t += 10_000) out.push(p = path.next(t, p, inst));
    return out;
  };
  const prices = run();
  deepStrictEqual(prices.slice(0, 50), run().slice(0, 50));
  // Never beyond ±60 bps (±3,600 ticks) of 600,000 ticks.
  ok(Math.min(...prices) >= 596_400 && Math.max(...prices) <= 603_600);
  // Every 2 h period reaches above +20 bps and below −20 bps.
  const perPeriod = (2 * HOUR) / 10_000;
  for (let i = 0; i < prices.length; i += perPeriod) {
    const span = prices.slice(i, i + perPeriod);
    ok(Math.max(...span) >= 601_200 && Math.min(...span) <= 598_800, `period ${i / perPeriod}`);
  }
});
