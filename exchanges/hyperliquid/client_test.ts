/**
 * Client placement against a scripted `/info` + `/exchange`: the signature is recovered with
 * viem (not the client's signer), outcomes map to the unified errors, a lost answer is looked
 * up by cloid.
 */
import { ok, rejects, strictEqual as equal } from "node:assert/strict";
import { encode } from "@msgpack/msgpack";
import { keccak256, recoverTypedDataAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { PostOnlyWouldCrossError } from "../../core/errors.ts";
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
