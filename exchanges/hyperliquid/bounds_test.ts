/**
 * The client's memory of orders is bounded: live orders always, finished ones only the newest
 * 1,000; an order it forgot is read from the venue again.
 */
import { ok, strictEqual as equal } from "node:assert/strict";
import { ManualClock } from "../_shared/clock.ts";
import { startHyperliquidReplica } from "../../sim/hyperliquid/mod.ts";
import { HyperliquidClient } from "./client.ts";

Deno.test("hyperliquid client: keeps every live order and only the newest 1,000 finished ones", async () => {
  const replica = startHyperliquidReplica({ clock: new ManualClock(Date.now()) });
  const client = new HyperliquidClient({
    environment: "sim",
    hosts: replica.hosts,
    privateKey: replica.credentials.privateKey,
  });
  try {
    await client.connect();
    const ids: string[] = [];
    // 1,200 orders in batches under the venue's open-order limit, each batch canceled.
    for (let batch = 0; batch < 3; batch++) {
      for (let i = 0; i < 400; i++) {
        const order = await client.placeOrder({
          symbol: "BTC",
          side: "buy",
          type: "limit",
          size: "0.001",
          price: String(50_000 + i),
          postOnly: true,
        });
        ids.push(order.clientOrderId);
      }
      await client.cancelAllOrders("BTC");
    }
    const live = await client.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "limit",
      size: "0.001",
      price: "50000",
      postOnly: true,
    });
    // 1,200 finished (1,000 kept) + 1 live.
    equal(client.rememberedOrders, 1_001);
    // The oldest, forgotten, is read from the venue; the live one is known.
    const oldest = await client.getOrder("BTC", { clientOrderId: ids[0] });
    equal(oldest?.status, "canceled");
    ok(client.rememberedOrders <= 1_001);
    equal((await client.getOrder("BTC", { clientOrderId: live.clientOrderId }))?.status, "open");
  } finally {
    await client.disconnect();
    await replica.close();
  }
});
