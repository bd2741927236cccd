/** The order tracker keeps every live order and only the newest finished ones. */
import { strictEqual as equal } from "node:assert/strict";
import { Decimal } from "../../base.ts";
import { ManualClock } from "../_shared/clock.ts";
import { FINISHED_ORDERS_KEPT, GrvtOrderTracker } from "./_orders.ts";
import type { GrvtMarket } from "./markets.ts";
import { orderSchema } from "./schemas.ts";
import { wireOrder } from "./_fakes_test.ts";

const BTC = {
  venue: "grvt",
  symbol: "BTC",
  venueSymbol: "BTC_USDT_Perp",
  venueId: "BTC_USDT_Perp",
  baseAsset: "BTC",
  quoteAsset: "USDT",
  tickSize: new Decimal("0.1"),
  sizeStep: new Decimal("0.001"),
  minSize: new Decimal("0.001"),
  minNotional: new Decimal("100"),
  fundingIntervalHours: 8,
  instrumentHash: "0x030501",
  baseDecimals: 9,
} as unknown as GrvtMarket;

const cid = (i: number) => String(2n ** 63n + BigInt(i));

Deno.test("GRVT order tracker: 1,000 finished orders kept, live ones always, the oldest finished forgotten first", () => {
  equal(FINISHED_ORDERS_KEPT, 1_000);
  const tracker = new GrvtOrderTracker(new ManualClock(0), () => BTC);
  const track = (i: number, status: string) =>
    tracker.track(orderSchema.parse(wireOrder({ cid: cid(i), status })));
  // Three live orders first, then 1,500 that end.
  for (let i = 0; i < 3; i++) track(i, "OPEN");
  for (let i = 3; i < 1_503; i++) {
    track(i, "OPEN");
    track(i, "CANCELLED");
  }
  equal(tracker.size, 1_003);
  equal(tracker.live().length, 3);
  equal(tracker.get(cid(502)), undefined); // the oldest 500 finished are gone
  equal(tracker.get(cid(503))?.order.status, "canceled");
  equal(tracker.get(cid(1_502))?.order.status, "canceled");
  // A live order that ends joins the finished ones as the newest: 2 live + 1,000 finished.
  track(0, "FILLED");
  equal(tracker.size, 1_002);
  equal(tracker.get(cid(0))?.order.status, "filled");
  equal(tracker.get(cid(503)), undefined);
});
