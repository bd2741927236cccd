import {
  deepStrictEqual as deepEqual,
  ok,
  rejects,
  strictEqual as equal,
  throws,
} from "node:assert/strict";
import type { z } from "zod";
import { MalformedPayloadError } from "../../core/errors.ts";
import { parsePayload } from "../_shared/parse.ts";
import { toFill, toOrder, toPosition } from "./_mapping.ts";
import { LighterClient } from "./client.ts";
import {
  accountAllFrameSchema,
  accountOrdersFrameSchema,
  accountSchema,
  floatDecimal,
  fundingRatesSchema,
  fundingsSchema,
  marketStatsFrameSchema,
  nextNonceSchema,
  orderBookDetailsSchema,
  orderBookFrameSchema,
  orderBookOrdersSchema,
  ordersSchema,
  positionSchema,
  sendTxBatchSchema,
  sendTxSchema,
  tradeSchema,
} from "./schemas.ts";
import { z as zod } from "zod";
import { testdataUrl } from "../../tests/_testdata.ts";

const DIR = testdataUrl("fixtures/lighter/");
const load = async (name: string): Promise<unknown> =>
  JSON.parse(await Deno.readTextFile(new URL(name, DIR)));

/** Every documented example of a payload the package reads, with the schema that reads it. */
const EXAMPLES: [string, z.ZodType][] = [
  ["GET_orderBookDetails__lighter-ts-fallback-excerpt.json", orderBookDetailsSchema],
  ["GET_account__ccxt-with-position.json", accountSchema],
  ["GET_account__nautilus-schema.json", accountSchema],
  ["GET_accountActiveOrders__nautilus-schema.json", ordersSchema],
  ["GET_accountInactiveOrders__ccxt.json", ordersSchema],
  ["GET_nextNonce__nautilus-schema.json", nextNonceSchema],
  ["GET_fundings__nautilus-schema.json", fundingsSchema],
  ["GET_funding-rates__ccxt.json", fundingRatesSchema],
  ["GET_orderBookOrders__ccxt.json", orderBookOrdersSchema],
  ["POST_sendTx__response__ccxt.json", sendTxSchema],
  ["POST_sendTxBatch__response__constructed-from-openapi.json", sendTxBatchSchema],
  ["WS_order_book__subscribed__nautilus.json", orderBookFrameSchema],
  ["WS_order_book__subscribed_empty__nautilus.json", orderBookFrameSchema],
  ["WS_order_book__update__apidocs.json", orderBookFrameSchema],
  ["WS_order_book__update__ccxt-zero-size-level.json", orderBookFrameSchema],
  ["WS_order_book__update__nautilus.json", orderBookFrameSchema],
  ["WS_account_orders__update__nautilus.json", accountOrdersFrameSchema],
  ["WS_account_all_positions__update__nautilus.json", accountAllFrameSchema],
  [
    "WS_account_all_trades__update__nautilus.json",
    zod.object({ trades: zod.record(zod.string(), zod.array(tradeSchema)) }),
  ],
  [
    "WS_account_all_trades__update__ccxt.json",
    zod.object({ trades: zod.record(zod.string(), zod.array(tradeSchema)) }),
  ],
  ["WS_market_stats__subscribed__nautilus-live.json", marketStatsFrameSchema],
  ["WS_market_stats__update__nautilus.json", marketStatsFrameSchema],
  ["WS_market_stats_all__update__ccxt.json", marketStatsFrameSchema],
  ["WS_market_stats_all__update__nautilus.json", marketStatsFrameSchema],
];

for (const [file, schema] of EXAMPLES) {
  Deno.test(`documented example ${file} parses`, async () => {
    parsePayload(schema, await load(file), { venue: "lighter", endpoint: file });
  });
}

Deno.test("a mistyped field is a MalformedPayloadError naming the field", async () => {
  const body = await load("GET_accountActiveOrders__nautilus-schema.json") as {
    orders: Record<string, unknown>[];
  };
  body.orders[0].price = 2352.74; // a float where the venue sends a decimal string
  throws(
    () =>
      parsePayload(ordersSchema, body, {
        venue: "lighter",
        endpoint: "/api/v1/accountActiveOrders",
      }),
    (e: unknown) =>
      e instanceof MalformedPayloadError && e.field === "orders.0.price" &&
      e.message.includes("lighter") && e.message.includes("/api/v1/accountActiveOrders"),
  );
});

Deno.test("LighterClient reports a mistyped market field with the venue, endpoint and field", async () => {
  const body = await load("GET_orderBookDetails__lighter-ts-fallback-excerpt.json") as {
    order_book_details: Record<string, unknown>[];
  };
  body.order_book_details[1].price_decimals = "6";
  const client = new LighterClient({
    credentials: undefined,
    env: () => undefined,
    fetch: () => Promise.resolve(Response.json(body)),
  });
  await rejects(client.getMarkets(), (e: unknown) => {
    ok(e instanceof MalformedPayloadError);
    equal(e.field, "order_book_details.1.price_decimals");
    equal(e.endpoint, "/api/v1/orderBookDetails");
    return true;
  });
});

Deno.test("fixture orders, trades and positions map to the unified types", async () => {
  const orders = parsePayload(
    ordersSchema,
    await load("GET_accountActiveOrders__nautilus-schema.json"),
  );
  const o = toOrder(orders.orders[0], "ETH");
  deepEqual(
    [o.id, o.clientOrderId, o.side, o.status, o.price?.toString(), o.size.toString()],
    ["281476929510110", "42", "sell", "open", "2352.74", "0.005"],
  );
  deepEqual(o.postOnly, false);
  const inactive = parsePayload(ordersSchema, await load("GET_accountInactiveOrders__ccxt.json"));
  const c = toOrder(inactive.orders[0], "ETH");
  deepEqual([c.status, c.cancelReason, c.createdAt], [
    "canceled",
    "insufficient_margin",
    1766387932000, // seconds in this older capture
  ]);
  const frame = parsePayload(
    accountOrdersFrameSchema,
    await load("WS_account_orders__update__nautilus.json"),
  );
  const partial = toOrder(frame.orders["0"][0], "ETH");
  deepEqual([partial.status, partial.filledSize.toString(), partial.remainingSize.toString()], [
    "partially_filled",
    "0.002",
    "0.003",
  ]);
  const trades = await load("WS_account_all_trades__update__nautilus.json") as {
    trades: Record<string, unknown[]>;
  };
  const t = parsePayload(tradeSchema, trades.trades["0"][0]);
  const fill = toFill(t, 1234, "ETH");
  ok(fill);
  deepEqual(
    [fill.side, fill.liquidity, fill.orderId, fill.clientOrderId, fill.fee.toString()],
    // bid side, taker (maker was the ask): fee 196e-6 × 314.324728
    ["buy", "taker", "562947905631053", "7001011966", "0.061607646688"],
  );
  equal(toFill(t, 999, "ETH"), undefined);
  const pos = await load("GET_account__ccxt-with-position.json") as {
    accounts: { positions: unknown[] }[];
  };
  const p = toPosition(parsePayload(positionSchema, pos.accounts[0].positions[0]));
  deepEqual([p.size.toString(), p.entryPrice.toString()], ["18.0193", "2669.84"]);
  const short = toPosition(
    parsePayload(positionSchema, { ...(pos.accounts[0].positions[0] as object), sign: -1 }),
  );
  equal(short.size.toString(), "-18.0193");
});

Deno.test("floatDecimal reads a JSON float through 15 significant digits", () => {
  equal(floatDecimal(9.599999999999999e-05).toString(), "0.000096");
  equal(floatDecimal(1531624159.687143).toString(), "1531624159.68714");
  equal(floatDecimal(0).toString(), "0");
});
