/**
 * The Lighter replica takes the shared fault injector and every request and frame of its
 * front-end consults it: one case per fault kind, on the real wire.
 */
import {
  deepStrictEqual as deepEqual,
  ok,
  rejects,
  strictEqual as equal,
} from "node:assert/strict";
import { LighterSigner } from "../../exchanges/lighter/signer/lighter_signer.ts";
import { LighterFundingAdapter } from "../../exchanges/lighter/funding_adapter.ts";
import { FaultInjector, type FaultRule } from "../faults.ts";
import { LIGHTER_FRONT_END, type LighterReplica, startLighterReplica } from "./replica.ts";

const NONCE = "/api/v1/nextNonce";

function withFaults(rule?: Omit<FaultRule, "frontEnd">) {
  const faults = new FaultInjector({ seed: 3 });
  if (rule) faults.inject({ ...rule, frontEnd: LIGHTER_FRONT_END });
  const replica = startLighterReplica({ faults });
  return { faults, replica };
}

const nonceUrl = (r: LighterReplica) =>
  `${r.restUrl}${NONCE}?account_index=${r.credentials.accountIndex}&api_key_index=${r.credentials.apiKeyIndex}`;

/** Frames of one socket subscribed to `order_book/0`, after `changes` book changes. */
async function bookFrames(replica: LighterReplica, changes: number) {
  const ws = new WebSocket(replica.wsUrl);
  const texts: string[] = [];
  let closed = false;
  ws.onmessage = (e) => texts.push(String(e.data));
  const done = new Promise((r) => (ws.onclose = () => {
    closed = true;
    r(undefined);
  }));
  await new Promise((r) => (ws.onopen = r));
  ws.send(JSON.stringify({ type: "subscribe", channel: "order_book/0" }));
  const wait = async (pred: () => boolean) => {
    for (let i = 0; i < 100 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
  };
  await wait(() => texts.some((t) => t.includes("subscribed/order_book")) || closed);
  for (let i = 0; i < changes; i++) {
    replica.engine.placeOrder(replica.counterpartyId, {
      symbol: "ETH",
      side: "buy",
      size: "0.1",
      price: String(1900 + i),
    });
  }
  await new Promise((r) => setTimeout(r, 60));
  const closedByReplica = closed;
  if (!closed) {
    ws.close();
    await done;
  }
  return { texts, closed: closedByReplica };
}

Deno.test("lighter faults: the replica uses the injector it is given", async () => {
  const { faults, replica } = withFaults();
  await using _ = replica;
  ok(replica.faults === faults && replica.server.faults === faults);
});

Deno.test("lighter faults: error — 503 on every request, the funding adapter fails", async () => {
  const { replica } = withFaults({ kind: "error", status: 503 });
  await using _ = replica;
  const r = await fetch(nonceUrl(replica));
  await r.body?.cancel();
  equal(r.status, 503);
  await using adapter = new LighterFundingAdapter({
    restUrl: replica.restUrl,
    wsUrl: replica.wsUrl,
    timeoutMs: 2_000,
  });
  await rejects(adapter.fetchFundingRates());
});

Deno.test("lighter faults: rate_limit — 429 with Retry-After after the window's quota", async () => {
  const { replica } = withFaults({ kind: "rate_limit", target: NONCE, limit: 1, windowMs: 60_000 });
  await using _ = replica;
  const a = await fetch(nonceUrl(replica));
  await a.body?.cancel();
  const b = await fetch(nonceUrl(replica));
  await b.body?.cancel();
  deepEqual([a.status, b.status], [200, 429]);
  ok(Number(b.headers.get("retry-after")) >= 1);
});

Deno.test("lighter faults: latency delays the answer", async () => {
  const { replica } = withFaults({ kind: "latency", target: NONCE, delayMs: 80 });
  await using _ = replica;
  const t0 = performance.now();
  const r = await fetch(nonceUrl(replica));
  await r.body?.cancel();
  ok(performance.now() - t0 >= 75);
});

Deno.test("lighter faults: drop_response — the tx is applied, the answer is lost", async () => {
  const { replica } = withFaults({ kind: "drop_response", target: "/api/v1/sendTx", times: 1 });
  await using _ = replica;
  const signer = new LighterSigner({
    privateKey: replica.credentials.apiKeyPrivateKey,
    accountIndex: replica.credentials.accountIndex,
    apiKeyIndex: replica.credentials.apiKeyIndex,
    chainId: replica.chainId,
    now: () => replica.clock.now(),
  });
  const tx = signer.signCreateOrder({
    marketIndex: 0,
    clientOrderIndex: 5,
    baseAmount: 100,
    price: 190000,
    isAsk: false,
    type: 0,
    timeInForce: 2,
    orderExpiry: replica.clock.now() + 86_400_000,
  }, { nonce: 0 });
  const body = new FormData();
  body.set("tx_type", String(tx.txType));
  body.set("tx_info", tx.txInfo);
  await rejects(async () => {
    const r = await fetch(`${replica.restUrl}/api/v1/sendTx`, { method: "POST", body });
    await r.json();
  });
  equal(replica.engine.openOrders(replica.accountId).length, 1);
  equal((await (await fetch(nonceUrl(replica))).json()).nonce, 1);
});

Deno.test("lighter faults: garble_response — a 200 that is not the venue's JSON", async () => {
  const { replica } = withFaults({ kind: "garble_response", target: NONCE, times: 1 });
  await using _ = replica;
  const r = await fetch(nonceUrl(replica));
  const text = await r.text();
  equal(r.status, 200);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  ok(
    (parsed as { nonce?: unknown } | undefined)?.nonce !== 0,
    `not the real answer: ${text.slice(0, 60)}`,
  );
});

Deno.test("lighter faults: frame faults on order_book (gap, duplicate, malformed, drop_connection, silence)", async () => {
  const books = (texts: string[]) => texts.filter((t) => t.includes('"order_book:0"'));
  const baseline = withFaults();
  const clean = await bookFrames(baseline.replica, 3);
  await baseline.replica.close();
  equal(books(clean.texts).length, 4, "snapshot + 3 updates");

  const cases: [Omit<FaultRule, "frontEnd">, (r: { texts: string[]; closed: boolean }) => void][] =
    [
      [{ kind: "gap", target: "order_book:0", every: 2, times: 1 }, (r) => {
        equal(books(r.texts).length, 3);
      }],
      [{ kind: "duplicate", target: "order_book:0", every: 2, times: 1 }, (r) => {
        equal(books(r.texts).length, 5);
      }],
      [{ kind: "malformed", target: "order_book:0", every: 2, times: 1 }, (r) => {
        equal(
          books(r.texts).filter((t) => {
            try {
              JSON.parse(t);
              return false;
            } catch {
              return true;
            }
          }).length,
          1,
        );
      }],
      [{ kind: "drop_connection", target: "order_book:0", every: 2, times: 1 }, (r) => {
        ok(r.closed, "socket closed by the replica");
      }],
      [{ kind: "silence", target: "order_book:0" }, (r) => {
        equal(books(r.texts).length, 0);
        ok(!r.closed, "half-open: still connected");
      }],
    ];
  for (const [rule, check] of cases) {
    const { replica } = withFaults(rule);
    try {
      check(await bookFrames(replica, 3));
    } catch (e) {
      throw new Error(`${rule.kind}: ${(e as Error).message}`);
    } finally {
      await replica.close();
    }
  }
});
