/**
 * Bounds of the library's long-lived collections: the EdgeX client's order records and fill
 * dedupe window, the bot's trade log (written through, nothing kept per row) and the SQLite
 * store's WAL checkpoints; and the soak's own check that its bot kept trading.
 */
import { deepStrictEqual, ok, strictEqual as equal } from "node:assert/strict";
import type { ExchangeEvent } from "../base.ts";
import { FILL_IDS_KEPT, OrderTracker, TERMINAL_ORDERS_KEPT } from "../exchanges/edgex/_mapping.ts";
import type { EdgeXMarket } from "../exchanges/edgex/markets.ts";
import { fillSchema, orderSchema } from "../exchanges/edgex/schemas.ts";
import { TradeLog } from "../strategies/trade_log.ts";
import { SqliteFundingStore } from "../funding/sqlite_store.ts";
import { fundingRate } from "../base.ts";
import { idleWindows } from "../bench/soak_bench.ts";

const BTC = { market: { symbol: "BTC" } } as unknown as EdgeXMarket;

function edgexTracker() {
  const events: ExchangeEvent[] = [];
  const tracker = new OrderTracker((id) => (id === "10000001" ? BTC : undefined), (e) => {
    events.push(e);
  });
  const record = (id: string, status: string) =>
    orderSchema.parse({
      id,
      contractId: "10000001",
      side: "BUY",
      price: "64000",
      size: "0.01",
      clientOrderId: `c${id}`,
      type: "LIMIT",
      timeInForce: "POST_ONLY",
      status,
      cumMatchSize: status === "FILLED" ? "0.01" : "0",
      cumMatchValue: status === "FILLED" ? "640" : "0",
      createdTime: "1767225600000",
      updatedTime: "1767225600000",
    });
  return { tracker, events, record };
}

Deno.test("EdgeX: a final order record is gone once 1,000 newer orders ended; live ones stay", () => {
  equal(TERMINAL_ORDERS_KEPT, 1_000);
  const { tracker, events, record } = edgexTracker();
  tracker.merge(record("1", "OPEN")); // stays live throughout
  tracker.merge(record("2", "OPEN"));
  tracker.merge(record("2", "FILLED"));
  // EdgeX pushes FILLED twice: the copy inside the window is not emitted again.
  tracker.merge(record("2", "FILLED"));
  equal(events.filter((e) => e.type === "order" && e.order.id === "2").length, 2);
  for (let i = 3; i <= 1_001; i++) tracker.merge(record(String(i), "CANCELED"));
  // 1,000 final orders (2 … 1001): order 2 is still known.
  equal(tracker.get("2")?.status, "filled");
  tracker.merge(record("1002", "CANCELED"));
  equal(tracker.get("2"), undefined);
  equal(tracker.byClientOrderId("c2"), undefined);
  equal(tracker.get("1")?.status, "open");
  equal(tracker.byClientOrderId("c1")?.id, "1");
  equal(tracker.size, 1_001); // the live order and the newest 1,000 final ones
  deepStrictEqual(tracker.active().map((o) => o.id), ["1"]);
});

Deno.test("EdgeX: the fill dedupe window drops a duplicate inside it and forgets past it", () => {
  equal(FILL_IDS_KEPT, 50_000);
  const { tracker, events, record } = edgexTracker();
  tracker.merge(record("1", "OPEN"));
  const fill = (id: string) =>
    fillSchema.parse({
      id,
      orderId: "1",
      contractId: "10000001",
      orderSide: "BUY",
      fillSize: "0.001",
      fillFee: "0.01",
      fillPrice: "64000",
      direction: "MAKER",
      matchTime: "1767225600000",
    });
  const fills = () => events.filter((e) => e.type === "fill").length;
  tracker.onFill(fill("1"));
  for (let i = 0; i < 100; i++) tracker.onFill(fill(`${1_000 + i}`));
  tracker.onFill(fill("1"));
  equal(fills(), 101);
  for (let i = 100; i < 50_000; i++) tracker.onFill(fill(`${1_000 + i}`));
  // Fill 1 left the window (50,000 newer ids): a redelivery now is emitted.
  tracker.onFill(fill("1"));
  equal(fills(), 50_002);
});

Deno.test("TradeLog writes each row through and keeps none in memory", () => {
  const lines: string[] = [];
  using log = new TradeLog({ write: (line) => lines.push(line), runId: "r" });
  for (let i = 0; i < 3; i++) {
    log.append({
      timestamp: 0,
      orderId: String(i),
      clientOrderId: `c${i}`,
      side: "buy",
      kind: "open",
      size: "0.01",
      price: "100",
      status: "placed",
    });
  }
  equal(log.count, 3);
  equal(lines.length, 4);
  equal(lines[3], "1970-01-01T00:00:00.000Z,r,,,,,c2,2,open,buy,0.01,100,placed,,\n");
  ok(!Object.values(log).some(Array.isArray), "no array of rows on the log");
});

Deno.test("SQLite: the WAL is checkpointed and truncated every checkpointEvery writes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/funding.db`;
    await using store = await SqliteFundingStore.open(path, { checkpointEvery: 5 });
    const walSize = async () => (await Deno.stat(`${path}-wal`)).size;
    const save = (time: number) =>
      store.saveObservations([{
        venue: "edgex",
        symbol: "BTC",
        venueSymbol: "BTCUSD",
        time,
        ...fundingRate({ rate: "0.00004", intervalHours: 4 }),
      }]);
    // Migration took write 1 (of 5); three more writes stay in the WAL.
    for (let t = 1; t <= 3; t++) await save(t * 1_000);
    ok(await walSize() > 0, "the WAL holds the writes before the checkpoint");
    await save(4_000); // the 5th write transaction: checkpoint(TRUNCATE)
    equal(await walSize(), 0);
    equal((await store.history("edgex", "BTC")).length, 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("soak: a 6-hour window after the warm-up without an open fill or a take-profit fails", () => {
  const hours = (opens: number[], closes: number[]) =>
    opens.map((o, i) => ({ hour: i + 1, orders: o, openFills: o, closeFills: closes[i] }));
  // Trading every hour: no idle window.
  deepStrictEqual(idleWindows(hours([1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1]), 2), []);
  // Idle hours 1–6 fall in the warm-up (2 h) except the window 3–8; hour 8 trades.
  deepStrictEqual(idleWindows(hours([0, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 1]), 2), []);
  // Opens keep filling but no take-profit fills in hours 3–9 (the grid is full): idle.
  deepStrictEqual(
    idleWindows(hours([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 0, 0, 0, 0, 0, 0, 0, 1]), 2),
    [[3, 8], [4, 9]],
  );
  // Take-profits but no open fills in hours 4–9: idle as well.
  deepStrictEqual(
    idleWindows(hours([1, 1, 1, 0, 0, 0, 0, 0, 0, 1], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), 2),
    [[4, 9]],
  );
  // A run shorter than warm-up + 6 h is checked from its first hour.
  deepStrictEqual(idleWindows(hours([0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1]), 24), [[1, 6]]);
});
