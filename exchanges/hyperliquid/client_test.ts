/**
 * Client placement against a scripted `/info` + `/exchange`: the signature is recovered with
 * viem (not the client's signer), outcomes map to the unified errors, a lost answer is looked
 * up by cloid.
 */
import { ok, rejects, strictEqual as equal } from "node:assert/strict";
import { encode } from "@msgpack/msgpack";
import { keccak256, recoverTypedDataAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  MalformedPayloadError,
  OrderOutcomeUnknownError,
  PostOnlyWouldCrossError,
} from "../../core/errors.ts";
import { ManualClock } from "../_shared/clock.ts";
import { HyperliquidClient } from "./client.ts";

const KEY = "0x0123456789012345678901234567890123456789012345678901234567890123";
const META = [{ universe: [{ name: "BTC", szDecimals: 5, maxLeverage: 40 }] }, [{
  funding: "0.0000125",
  openInterest: "1",
  dayNtlVlm: "1",
  markPx: "64123.5",
  oraclePx: "64120",
}]];

function venue(answer: (action: Record<string, unknown>) => unknown) {
  const seen: Record<string, unknown>[] = [];
  const fetch = ((url: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body));
    seen.push(body);
    const out = String(url).endsWith("/info")
      ? (body.type === "metaAndAssetCtxs" ? META : { status: "unknownOid" })
      : answer(body);
    return Promise.resolve(
      new Response(JSON.stringify(out), { headers: { "content-type": "application/json" } }),
    );
  }) as typeof globalThis.fetch;
  const client = new HyperliquidClient({
    fetch,
    privateKey: KEY,
    clock: new ManualClock(1_700_000_000_000),
    environment: "testnet",
    outcomeDeadlineMs: 1,
  });
  return { client, seen };
}

Deno.test("hyperliquid client: an order is an Alo action whose signature recovers to the key", async () => {
  const { client, seen } = venue(() => ({
    status: "ok",
    response: { type: "order", data: { statuses: [{ resting: { oid: 77 } }] } },
  }));
  const order = await client.placeOrder({
    symbol: "BTC",
    side: "buy",
    type: "limit",
    size: "0.001",
    price: "64000",
    postOnly: true,
    clientOrderId: "0x0000000000000000000000000000abcd",
  });
  equal(order.id, "77");
  equal(order.status, "open");
  const req = seen.find((b) => "action" in b) as {
    action: { orders: { a: number; p: string; s: string; t: unknown; c: string }[] };
    nonce: number;
    signature: { r: string; s: string; v: number };
  };
  equal(
    JSON.stringify(req.action.orders[0]),
    '{"a":0,"b":true,"p":"64000","s":"0.001","r":false,"t":{"limit":{"tif":"Alo"}},"c":"0x0000000000000000000000000000abcd"}',
  );
  const packed = encode(req.action);
  const bytes = new Uint8Array(packed.length + 9);
  bytes.set(packed);
  new DataView(bytes.buffer).setBigUint64(packed.length, BigInt(req.nonce));
  const signer = await recoverTypedDataAddress({
    domain: {
      name: "Exchange",
      version: "1",
      chainId: 1337,
      verifyingContract: "0x0000000000000000000000000000000000000000",
    },
    types: {
      Agent: [{ name: "source", type: "string" }, { name: "connectionId", type: "bytes32" }],
    },
    primaryType: "Agent",
    message: { source: "b", connectionId: keccak256(bytes) },
    signature: {
      r: `0x${BigInt(req.signature.r).toString(16).padStart(64, "0")}`,
      s: `0x${BigInt(req.signature.s).toString(16).padStart(64, "0")}`,
      v: BigInt(req.signature.v),
    },
  });
  equal(signer, privateKeyToAccount(KEY).address);
});

Deno.test("hyperliquid client: a crossing Alo is PostOnlyWouldCrossError", async () => {
  const { client } = venue(() => ({
    status: "ok",
    response: {
      type: "order",
      data: {
        statuses: [{
          error: "Post only order would have immediately matched, bbo was 64001@64002. asset=0",
        }],
      },
    },
  }));
  await rejects(
    client.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "limit",
      size: "0.001",
      price: "64002",
      postOnly: true,
    }),
    PostOnlyWouldCrossError,
  );
});

Deno.test("hyperliquid client: the tick follows the 5-significant-figure rule at the mark", async () => {
  const { client } = venue(() => ({}));
  const m = await client.getMarket("BTC");
  equal(m.tickSize.toString(), "1");
  equal(m.sizeStep.toString(), "0.00001");
  equal(m.fundingIntervalHours, 1);
  ok(m.maxLeverage!.eq(40));
});

Deno.test("hyperliquid client: setLeverage sends updateLeverage and refuses above the maximum", async () => {
  const { client, seen } = venue(() => ({ status: "ok", response: { type: "default" } }));
  await client.setLeverage("BTC", 10);
  equal(
    JSON.stringify((seen.find((b) => "action" in b) as { action: unknown }).action),
    '{"type":"updateLeverage","asset":0,"isCross":true,"leverage":10}',
  );
  await rejects(client.setLeverage("BTC", 41), /\[1, 40\]/);
});

/** A client whose `/info` answers come from `info(type)` (markets from META). */
function reader(
  info: (body: Record<string, unknown>) => unknown,
  exchange: unknown = {},
  clock = new ManualClock(1_700_000_000_000),
) {
  const fetch = ((url: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body));
    const out = !String(url).endsWith("/info")
      ? exchange
      : body.type === "metaAndAssetCtxs"
      ? META
      : info(body);
    return Promise.resolve(Response.json(out));
  }) as typeof globalThis.fetch;
  return new HyperliquidClient({
    fetch,
    privateKey: KEY,
    clock,
    environment: "testnet",
    outcomeDeadlineMs: 1,
  });
}

const WIRE = {
  coin: "BTC",
  side: "B",
  limitPx: "63000",
  sz: "0.001",
  oid: 77,
  timestamp: 1_700_000_000_000,
  origSz: "0.001",
  cloid: "0x0000000000000000000000000000abcd",
};

Deno.test("hyperliquid client: REST book levels with a bad price or size are MalformedPayloadErrors", async () => {
  for (const bad of [{ px: "0" }, { px: "-64000" }, { px: "abc" }, { sz: "-1" }, { sz: "" }]) {
    const client = reader(() => ({
      coin: "BTC",
      time: 1,
      levels: [[{ px: "63999", sz: "1", n: 1, ...bad }], [{ px: "64001", sz: "1", n: 1 }]],
    }));
    await rejects(client.getOrderBook("BTC"), MalformedPayloadError, JSON.stringify(bad));
  }
  const good = reader(() => ({
    coin: "BTC",
    time: 1,
    levels: [[{ px: "63999", sz: "0.5", n: 1 }], [{ px: "64001", sz: "1", n: 2 }]],
  }));
  const book = await good.getOrderBook("BTC");
  equal(`${book.bids[0].price}/${book.bids[0].size} ${book.asks[0].price}`, "63999/0.5 64001");
});

Deno.test("hyperliquid client: an orderStatus answer about another order is never taken for the order asked for", async () => {
  const other = { ...WIRE, cloid: "0x0000000000000000000000000000ffff", oid: 78 };
  const answer = { status: "order", order: { order: other, status: "open", statusTimestamp: 1 } };
  const client = reader(() => answer);
  await rejects(
    client.getOrder("BTC", { clientOrderId: WIRE.cloid }),
    (e: unknown) => e instanceof MalformedPayloadError && e.field === "order.order.cloid",
  );
  await rejects(
    client.getOrder("BTC", { id: "77" }),
    (e: unknown) => e instanceof MalformedPayloadError && e.field === "order.order.oid",
  );
  const { cloid: _, ...noCloid } = WIRE;
  await rejects(
    reader(() => ({ ...answer, order: { ...answer.order, order: noCloid } })).getOrder("BTC", {
      clientOrderId: WIRE.cloid,
    }),
    MalformedPayloadError,
  );
  // Placement: a lost answer whose lookup names another order stays unknown.
  const clock = new ManualClock(1_700_000_000_000);
  const placing = reader(() => answer, "<html>502</html>", clock).placeOrder({
    symbol: "BTC",
    side: "buy",
    type: "limit",
    size: "0.001",
    price: "63000",
    clientOrderId: WIRE.cloid,
  });
  let settled = false;
  placing.catch(() => {}).finally(() => settled = true);
  for (let i = 0; i < 100 && !settled; i++) await clock.advance(100);
  await rejects(placing, OrderOutcomeUnknownError);
  const mine = await reader(() => ({ ...answer, order: { ...answer.order, order: WIRE } }))
    .getOrder("BTC", { clientOrderId: WIRE.cloid });
  equal(`${mine?.id} ${mine?.status} ${mine?.price}`, "77 open 63000");
});

Deno.test("hyperliquid client: an order whose remaining size exceeds its size, or with a price at or below 0, is a MalformedPayloadError", async () => {
  for (const bad of [{ sz: "0.002" }, { origSz: "0" }, { limitPx: "0" }, { limitPx: "-1" }]) {
    const client = reader(() => [{ ...WIRE, ...bad }]);
    await rejects(client.getOpenOrders("BTC"), MalformedPayloadError, JSON.stringify(bad));
  }
  const [o] = await reader(() => [{ ...WIRE, sz: "0.0004" }]).getOpenOrders("BTC");
  equal(`${o.status} ${o.filledSize} ${o.remainingSize}`, "partially_filled 0.0006 0.0004");
});

Deno.test("hyperliquid client: an order read back with the same filled size keeps its average fill price; one that filled more carries none (the wire has no average)", async () => {
  let open = [{ ...WIRE, sz: "0.0006" }]; // 0.0004 filled, as the placement answered
  const client = reader(() => open, {
    status: "ok",
    response: {
      type: "order",
      data: { statuses: [{ filled: { totalSz: "0.0004", avgPx: "62990", oid: 77 } }] },
    },
  });
  const placed = await client.placeOrder({
    symbol: "BTC",
    side: "buy",
    type: "limit",
    size: "0.001",
    price: "63000",
    clientOrderId: WIRE.cloid,
  });
  equal(placed.averageFillPrice?.toString(), "62990");
  const [same] = await client.getOpenOrders("BTC");
  equal(`${same.filledSize} ${same.averageFillPrice}`, "0.0004 62990");
  open = [{ ...WIRE, sz: "0.0001" }]; // 0.0009 filled now: the old average no longer holds
  const [more] = await client.getOpenOrders("BTC");
  equal(`${more.filledSize} ${more.averageFillPrice}`, "0.0009 undefined");
});
