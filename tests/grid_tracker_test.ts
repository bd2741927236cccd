/**
 * The order tracker the grid relies on: duplicate and late events never count a fill twice or
 * move an order backwards. Events are pushed by hand; expected sizes are literals.
 */
import { strictEqual as equal } from "node:assert/strict";
import {
  Decimal,
  type ExchangeClient,
  type ExchangeEvent,
  type Fill,
  type Order,
} from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { OrderTracker } from "../strategies/order_tracker.ts";

function eventSource(): { client: ExchangeClient; emit: (e: ExchangeEvent) => void } {
  const listeners = new Set<(e: ExchangeEvent) => void>();
  const client = {
    venue: "grvt",
    onEvent(listener: (e: ExchangeEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } as unknown as ExchangeClient;
  return { client, emit: (e) => listeners.forEach((l) => l(e)) };
}

function order(over: Partial<Order>): Order {
  return {
    venue: "grvt",
    symbol: "BTC",
    id: "900",
    clientOrderId: "c-1",
    side: "buy",
    type: "limit",
    status: "open",
    price: new Decimal("64000"),
    size: new Decimal("0.03"),
    filledSize: new Decimal(0),
    remainingSize: new Decimal("0.03"),
    createdAt: 0,
    updatedAt: 0,
    ...over,
  } as Order;
}

function fill(tradeId: string, size: string): Fill {
  return {
    venue: "grvt",
    symbol: "BTC",
    tradeId,
    orderId: "900",
    clientOrderId: "c-1",
    side: "buy",
    price: new Decimal("64000"),
    size: new Decimal(size),
    fee: new Decimal(0),
    liquidity: "maker",
    timestamp: 0,
  } as Fill;
}

Deno.test("order tracker: a fill event delivered twice (same trade id) counts once", () => {
  const { client, emit } = eventSource();
  using tracker = new OrderTracker(client, "BTC", new ManualClock(0));
  tracker.update(order({}));
  emit({ type: "fill", fill: fill("t-1", "0.01") });
  emit({ type: "fill", fill: fill("t-1", "0.01") });
  equal(tracker.get("c-1")!.filledSize.toString(), "0.01");
  equal(tracker.get("c-1")!.status, "open");
  emit({ type: "fill", fill: fill("t-2", "0.01") });
  emit({ type: "fill", fill: fill("t-2", "0.01") });
  emit({ type: "fill", fill: fill("t-1", "0.01") });
  equal(tracker.get("c-1")!.filledSize.toString(), "0.02");
  equal(tracker.get("c-1")!.remainingSize.toString(), "0.01");
  emit({ type: "fill", fill: fill("t-3", "0.01") });
  equal(tracker.get("c-1")!.filledSize.toString(), "0.03");
  equal(tracker.get("c-1")!.status, "filled");
});

Deno.test("order tracker: a late 'open' after 'filled' and a smaller filled size are ignored", () => {
  const { client, emit } = eventSource();
  using tracker = new OrderTracker(client, "BTC", new ManualClock(0));
  const filled = order({
    status: "filled",
    filledSize: new Decimal("0.03"),
    remainingSize: new Decimal(0),
  });
  emit({ type: "order", order: filled });
  emit({ type: "order", order: order({ filledSize: new Decimal("0.01") }) });
  equal(tracker.get("c-1")!.status, "filled");
  equal(tracker.get("c-1")!.filledSize.toString(), "0.03");
});

Deno.test("order tracker: another market's events are not tracked", () => {
  const { client, emit } = eventSource();
  using tracker = new OrderTracker(client, "BTC", new ManualClock(0));
  emit({ type: "order", order: order({ symbol: "ETH", clientOrderId: "e-1" }) });
  equal(tracker.get("e-1"), undefined);
});
