// The plain names are loose in Deno's node:assert/strict (1 equals "1"); use the strict ones.
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { Decimal } from "../../core/decimal.ts";
import { ManualClock } from "../../exchanges/_shared/clock.ts";
import { parseSignature } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { orderTypedData } from "./_order_signature.ts";
import { startGrvtReplica } from "./replica.ts";

const UPGRADE = { upgrade: "websocket", connection: "Upgrade" };

function wsUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http/, "ws")}/ws/full`;
}

async function login(replica: ReturnType<typeof startGrvtReplica>): Promise<string> {
  const res = await fetch(`${replica.hosts.edgeUrl}/auth/api_key/login`, {
    method: "POST",
    body: JSON.stringify({ api_key: replica.credentials.apiKey }),
  });
  await res.body?.cancel();
  return res.headers.getSetCookie()[0].split(";")[0];
}

/** A socket that collects JSON frames; `next(n)` waits until `n` have arrived. */
async function open(url: string, headers?: Record<string, string>) {
  const ws = headers === undefined
    ? new WebSocket(url)
    : new WebSocket(url, { headers } as unknown as string[]);
  const frames: Record<string, unknown>[] = [];
  let wake = () => {};
  ws.onmessage = (e) => {
    frames.push(JSON.parse(String(e.data)));
    wake();
  };
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  const closed = new Promise((r) => ws.addEventListener("close", r));
  return {
    frames,
    send: (m: unknown) => ws.send(JSON.stringify(m)),
    async next(n: number) {
      while (frames.length < n) await new Promise<void>((r) => wake = r);
      return frames.slice(0, n);
    },
    async close() {
      ws.close();
      await closed;
    },
  };
}

Deno.test("the trading WebSocket refuses a handshake without a live session (401 / 1000)", async () => {
  await using replica = startGrvtReplica();
  const anonymous = await fetch(wsUrl(replica.hosts.tradesUrl).replace(/^ws/, "http"), {
    headers: UPGRADE,
  });
  deepEqual([anonymous.status, (await anonymous.json()).code], [401, 1000]);
  const stale = await fetch(wsUrl(replica.hosts.tradesUrl).replace(/^ws/, "http"), {
    headers: { ...UPGRADE, cookie: "gravity=0123", "x-grvt-account-id": "2147050003876484" },
  });
  deepEqual([stale.status, (await stale.json()).code], [401, 1000]);
  const cookie = await login(replica);
  const foreign = await fetch(wsUrl(replica.hosts.tradesUrl).replace(/^ws/, "http"), {
    headers: { ...UPGRADE, cookie, "x-grvt-account-id": "1" },
  });
  deepEqual([foreign.status, (await foreign.json()).code], [403, 1001]);
});

Deno.test("the trading WebSocket accepts the login cookie and account header", async () => {
  await using replica = startGrvtReplica();
  const cookie = await login(replica);
  const account = replica.credentials.tradingAccountId;
  const ws = await open(wsUrl(replica.hosts.tradesUrl), {
    cookie,
    "X-Grvt-Account-Id": account,
  });
  ws.send({
    jsonrpc: "2.0",
    method: "subscribe",
    params: { stream: "v1.order", selectors: [account] },
    id: 1,
  });
  const [ack] = await ws.next(1);
  deepEqual((ack.result as { subs: string[] }).subs, [account]);
  await ws.close();
});

Deno.test("request faults apply to the trading WebSocket handshake", async () => {
  await using replica = startGrvtReplica();
  replica.faults.inject({ kind: "error", frontEnd: "grvt", target: "/ws/full", status: 503 });
  const res = await fetch(wsUrl(replica.hosts.tradesUrl).replace(/^ws/, "http"), {
    headers: UPGRADE,
  });
  await res.body?.cancel();
  equal(res.status, 503);
});

Deno.test("v1.ticker.s: one subscribe for many instruments, whole tickers at sequence 0", async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 1));
  await using replica = startGrvtReplica({ clock });
  const ws = await open(wsUrl(replica.hosts.marketDataUrl));
  ws.send({
    jsonrpc: "2.0",
    method: "subscribe",
    params: { stream: "v1.ticker.s", selectors: ["BTC_USDT_Perp@500", "ETH_USDT_Perp@500"] },
    id: 7,
  });
  const [ack, btc, eth] = await ws.next(3);
  deepEqual(ack, {
    jsonrpc: "2.0",
    result: {
      stream: "v1.ticker.s",
      subs: ["BTC_USDT_Perp@500", "ETH_USDT_Perp@500"],
      unsubs: [],
      num_snapshots: [1, 1],
      first_sequence_number: ["0", "0"],
      latest_sequence_number: ["0", "0"],
    },
    id: 7,
    method: "subscribe",
  });
  deepEqual([btc.selector, btc.sequence_number, btc.prev_sequence_number], [
    "BTC_USDT_Perp@500",
    "0",
    "0",
  ]);
  equal(eth.selector, "ETH_USDT_Perp@500");
  // The same object as the REST ticker, plus funding_interval_hours (grvt.md §4.1.2).
  const rest = await fetch(`${replica.hosts.marketDataUrl}/full/v1/ticker`, {
    method: "POST",
    body: JSON.stringify({ instrument: "BTC_USDT_Perp" }),
  }).then((r) => r.json());
  deepEqual(btc.feed, { ...rest.result, funding_interval_hours: 8 });
  // A change publishes a fresh snapshot of that instrument only.
  await replica.control.setFundingRate("ETH", new Decimal("0.0002"));
  const [, , , update] = await ws.next(4);
  equal(update.selector, "ETH_USDT_Perp@500");
  equal((update.feed as { funding_rate: string }).funding_rate, "0.02");
  await ws.close();
});

Deno.test("v1.ticker.s refuses a bad rate or instrument and then changes nothing", async () => {
  await using replica = startGrvtReplica();
  const ws = await open(wsUrl(replica.hosts.marketDataUrl));
  const subscribe = (id: number, selectors: string[]) =>
    ws.send({
      jsonrpc: "2.0",
      method: "subscribe",
      params: { stream: "v1.ticker.s", selectors },
      id,
    });
  subscribe(1, ["BTC_USDT_Perp@250"]);
  subscribe(2, ["BTC_USDT_Perp@1000", "NOPE_USDT_Perp@1000"]);
  subscribe(3, ["BTC_USDT_Perp"]);
  const frames = await ws.next(3);
  deepEqual(frames.map((f) => (f.error as { code: number }).code), [3030, 3000, 1101]);
  await replica.control.setPrice("BTC", new Decimal("65000"));
  // Nothing was subscribed: the next frame is the answer to a fresh request.
  subscribe(4, ["ETH_USDT_Perp@5000"]);
  const [, , , ack] = await ws.next(4);
  equal(ack.id, 4);
  ok(ws.frames.every((f) => f.stream !== "v1.ticker.s" || f.selector === "ETH_USDT_Perp@5000"));
  await ws.close();
});

Deno.test("create_order checks the signature: another wallet 2000, another payload 2002, another chain 1012", async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 1));
  await using replica = startGrvtReplica({ clock });
  const cookie = await login(replica);
  const account = replica.credentials.tradingAccountId;
  const expiration = (BigInt(clock.now() + 3_600_000) * 1_000_000n).toString();
  const order = (cid: string): Record<string, unknown> => ({
    sub_account_id: account,
    is_market: false,
    time_in_force: "GOOD_TILL_TIME",
    post_only: true,
    reduce_only: false,
    legs: [{
      instrument: "BTC_USDT_Perp",
      size: "0.01",
      limit_price: "63000.0",
      is_buying_asset: true,
    }],
    signature: { expiration, nonce: 7 },
    metadata: { client_order_id: cid },
  });
  const sign = async (
    o: Record<string, unknown>,
    key: `0x${string}`,
    chainId: number,
  ): Promise<Record<string, unknown>> => {
    const signer = privateKeyToAccount(key);
    const data = orderTypedData(
      o,
      () => ({ instrumentHash: "0x030501", baseDecimals: 9 }),
      chainId,
    );
    // deno-lint-ignore no-explicit-any
    const { r, s, v } = parseSignature(await signer.signTypedData(data as any));
    return {
      ...o,
      signature: { signer: signer.address, r, s, v: Number(v), expiration, nonce: 7 },
    };
  };
  const send = async (o: Record<string, unknown>) => {
    const res = await fetch(`${replica.hosts.tradesUrl}/full/v1/create_order`, {
      method: "POST",
      headers: { cookie, "X-Grvt-Account-Id": account },
      body: JSON.stringify({ order: o }),
    });
    const body = await res.json();
    return [res.status, body.code ?? (body.result?.state?.status as string)];
  };
  const key = replica.credentials.privateKey;
  deepEqual(await send(await sign(order("1"), generatePrivateKey(), 327)), [403, 2000]);
  const signed = await sign(order("2"), key, 327);
  const legs = [{ ...(signed.legs as Record<string, unknown>[])[0], size: "0.02" }];
  deepEqual(await send({ ...signed, legs }), [403, 2002]);
  deepEqual(await send(await sign(order("3"), key, 325)), [400, 1012]);
  deepEqual(await send(await sign(order("4"), key, 327)), [200, "PENDING"]);
});
