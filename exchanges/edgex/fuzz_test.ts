/**
 * Fuzz: mutated venue answers through the real EdgeX client paths (REST: placeOrder, getOrder,
 * getOpenOrders, getPositions, getBalance, getOrderBook, getMarkets; WS: the public depth stream
 * and the private trade-event stream). Whatever the venue sends, the client returns a valid
 * result or throws a typed `PerpError`: no other exception, no unhandled rejection, no hang, no
 * order sent twice, and no price ≤ 0 in any book.
 *
 * Deterministic: one seeded PRNG drives every mutation (`EDGEX_FUZZ_SEED` overrides the seed).
 */
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import {
  type BookSnapshot,
  type ExchangeEvent,
  type Order,
  type OrderStatus,
  PerpError,
} from "../../base.ts";
import { ManualClock } from "../_shared/clock.ts";
import type { EdgeXClient } from "./client.ts";
import {
  depthFrame,
  type FakeAnswer,
  fakeClient,
  FakeRest,
  FakeSocket,
  JumpClock,
} from "./_fake_venue_test.ts";
import { seededRandom as prng } from "../../sim/random.ts";
import { BAD_JSON_VALUES, jsonMutator } from "../../tests/json_mutation.ts";

const SEED = Number(Deno.env.get("EDGEX_FUZZ_SEED") ?? 20261207);
const REST_ANSWERS = 10_000;
const WS_FRAMES = 5_000;
const STATUSES: OrderStatus[] = [
  "pending",
  "open",
  "partially_filled",
  "filled",
  "canceled",
  "rejected",
  "expired",
];

const rng = prng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

const mutate = jsonMutator({
  rng,
  badValues: BAD_JSON_VALUES,
  otherShapes: [null, [], {}, 42, "x", { code: "SUCCESS" }, { code: "SUCCESS", data: null }, {
    code: "SOMETHING_NEW",
    msg: "?",
  }],
});

function statusCode(): number {
  return rng() < 0.1 ? pick([400, 401, 404, 429, 500, 502, 503]) : 200;
}

function mutateAnswer(healthy: FakeAnswer, status = statusCode()): FakeAnswer {
  const m = mutate(healthy.json);
  return "text" in m ? { status, text: m.text } : { status, json: m.json };
}

function checkBook(snap: BookSnapshot, where: string): void {
  for (const side of [snap.bids, snap.asks]) {
    for (const l of side) {
      ok(l.price.isFinite() && l.price.gt(0), `${where}: price ${l.price}`);
      ok(l.size.isFinite() && l.size.gte(0), `${where}: size ${l.size}`);
    }
  }
}

function checkOrder(o: Order, where: string): void {
  ok(STATUSES.includes(o.status), `${where}: status ${o.status}`);
  ok(o.size.isFinite() && o.filledSize.isFinite(), `${where}: sizes`);
  if (o.price !== undefined) ok(o.price.gt(0), `${where}: price ${o.price}`);
}

/** Runs `call` with a real-time bound (a hang fails the test), returning what it threw. */
async function guarded<T>(what: string, call: () => Promise<T>): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} hung`)), 10_000);
  });
  try {
    await Promise.race([call(), hang]);
    return undefined;
  } catch (e) {
    if (e instanceof Error && e.message === `${what} hung`) throw e;
    return e;
  } finally {
    clearTimeout(timer);
  }
}

async function capturing<T>(
  run: (records: LogRecord[]) => Promise<T>,
): Promise<T> {
  const records: LogRecord[] = [];
  await configure({
    reset: true,
    sinks: { memory: (r: LogRecord) => records.push(r) },
    loggers: [
      { category: ["perp"], sinks: ["memory"], lowestLevel: "error" },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
    ],
  });
  try {
    return await run(records);
  } finally {
    await reset();
  }
}

Deno.test("fuzz: 10,000 mutated REST answers through the client give results or typed PerpErrors", async () => {
  const started = performance.now();
  let unhandled = 0;
  const onUnhandled = (e: PromiseRejectionEvent) => {
    unhandled++;
    e.preventDefault();
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  const rest = new FakeRest();
  const clock = new JumpClock();
  let served = 0;
  const target = (name: string) => {
    rest.routes.clear();
    rest.routes.set(name, (req) => {
      served++;
      const status = statusCode();
      // A 429 is a refusal before acting (the venue keeps nothing); any other answer to a
      // create, however broken, comes after the venue took the order.
      if (name === "createOrder" && status === 429) {
        return mutateAnswer({ json: { code: "RATE_LIMIT_EXCEEDED", msg: "slow down" } }, status);
      }
      return mutateAnswer(rest.answer(name, req), status);
    });
  };
  const client = fakeClient(rest, { clock });
  await client.getMarkets();
  const untyped: string[] = [];
  const tally = new Map<string, number>();
  const spent = new Map<string, number>();
  let seq = 0;
  const cases: [string, () => Promise<void>, (() => void)?][] = [
    ["getOrderBook", async () => {
      target("getDepth");
      checkBook(await client.getOrderBook("BTC", 15), "getOrderBook");
    }],
    ["getBalance", async () => {
      target("getAccountAsset");
      const b = await client.getBalance();
      ok(b.equity.isFinite() && b.available.isFinite());
    }],
    ["getPositions", async () => {
      target("getAccountAsset");
      for (const p of await client.getPositions()) ok(p.size.isFinite() && !p.size.isZero());
    }],
    ["getOrder", async () => {
      target(rng() < 0.5 ? "getOrderById" : "getOrderByClientOrderId");
      const some = [...rest.orders.values()][0];
      const o = await client.getOrder(
        "BTC",
        rng() < 0.5 ? { id: some?.id ?? "1" } : { clientOrderId: some?.clientOrderId ?? "1" },
      );
      if (o) checkOrder(o, "getOrder");
    }],
    ["getOpenOrders", async () => {
      target("getActiveOrderPage");
      for (const o of await client.getOpenOrders("BTC")) checkOrder(o, "getOpenOrders");
    }],
    ["placeOrder", async () => {
      target(pick(["createOrder", "getOrderById", "getOrderByClientOrderId", "getDepth"]));
      const clientOrderId = String(++seq);
      const market = rng() < 0.3;
      const o = await client.placeOrder(
        market
          ? {
            symbol: "BTC",
            side: pick(["buy", "sell"]),
            type: "market",
            size: "0.010",
            clientOrderId,
          }
          : {
            symbol: "BTC",
            side: "buy",
            type: "limit",
            size: "0.010",
            price: "63000",
            postOnly: rng() < 0.3,
            clientOrderId,
          },
      );
      checkOrder(o, "placeOrder");
      equal(o.clientOrderId, clientOrderId);
    }, () => {
      // Keep the fake's active-order page short: the order leaves the book.
      const o = rest.orders.get(String(seq));
      if (o) o.status = "CANCELED";
    }],
  ];
  let metaCases = 0;
  for (let i = 0; served < REST_ANSWERS; i++) {
    let name: string;
    let run: () => Promise<void>;
    let after: (() => void) | undefined;
    if (i % 25 === 24) {
      // Metadata on a fresh client (the markets are read once per client).
      name = "getMarkets";
      metaCases++;
      run = async () => {
        target("getMetaData");
        const fresh = fakeClient(rest, { clock });
        try {
          for (const m of await fresh.getMarkets()) ok(m.tickSize.gt(0) && m.sizeStep.gt(0));
        } finally {
          await fresh.disconnect();
        }
      };
    } else {
      [name, run, after] = cases[i % cases.length];
    }
    tally.set(name, (tally.get(name) ?? 0) + 1);
    const t = performance.now();
    const error = await guarded(name, run);
    spent.set(name, (spent.get(name) ?? 0) + performance.now() - t);
    after?.();
    if (error !== undefined && !(error instanceof PerpError)) {
      untyped.push(`${name}: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }
  rest.routes.clear();
  await client.disconnect();
  await new Promise((r) => setTimeout(r, 0));
  globalThis.removeEventListener("unhandledrejection", onUnhandled);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `edgex REST fuzz (seed ${SEED}): ${served} mutated answers over ${
      [...tally.values()].reduce((a, b) => a + b, 0)
    } calls ${JSON.stringify(Object.fromEntries(tally))} in ${seconds.toFixed(1)} s (ms per path: ${
      JSON.stringify(Object.fromEntries([...spent].map(([k, v]) => [k, Math.round(v)])))
    })`,
  );
  deepEqual(untyped.slice(0, 5), []);
  equal(unhandled, 0, "unhandled rejections");
  ok(served >= REST_ANSWERS);
  ok(metaCases > 0);
  // Never a second create for one client order id, whatever the answers.
  deepEqual([...rest.creates.values()].filter((n) => n > 1), []);
});

/** Levels on one side of 64000 (bids below, asks above: the book is never crossed). */
function randomLevels(n: number, side: 1 | -1): { price: string; size: string }[] {
  return Array.from({ length: n }, () => ({
    price: (64000 + side * (Math.floor(rng() * 100) + 1) / 10).toFixed(1),
    size: rng() < 0.2 ? "0" : (Math.floor(rng() * 1000) / 1000 + 0.001).toFixed(3),
  }));
}

function orderRecord(id: number): Record<string, unknown> {
  return {
    id: String(900 + id),
    clientOrderId: `c${id}`,
    contractId: "30000001",
    side: pick(["BUY", "SELL"]),
    price: "63000.0",
    size: "0.010",
    type: "LIMIT",
    timeInForce: pick(["GOOD_TIL_CANCEL", "POST_ONLY", "IMMEDIATE_OR_CANCEL"]),
    status: pick(["PENDING", "OPEN", "FILLED", "CANCELING", "CANCELED", "UNTRIGGERED"]),
    cumMatchSize: pick(["0", "0.005", "0.010"]),
    cumMatchValue: "315",
    updatedTime: String(1_800_000_000_000 + id),
  };
}

function privateFrame(n: number): Record<string, unknown> {
  const id = n % 20;
  return {
    type: "trade-event",
    content: {
      event: n % 97 === 0 ? "Snapshot" : "ORDER_UPDATE",
      version: n,
      time: 1_800_000_000_000 + n,
      accountId: 0,
      data: {
        order: [orderRecord(id)],
        orderFillTransaction: rng() < 0.5
          ? [{
            id: String(5000 + n),
            orderId: String(900 + id),
            contractId: "30000001",
            orderSide: "BUY",
            fillSize: "0.005",
            fillValue: "315",
            fillFee: "0.1",
            fillPrice: "63000",
            direction: pick(["MAKER", "TAKER"]),
            matchTime: String(1_800_000_000_000 + n),
          }]
          : [],
        position: [{ contractId: "30000001", openSize: "0.005", openValue: "315" }],
      },
    },
  };
}

Deno.test("fuzz: 5,000 mutated WebSocket frames never break the book or the private stream", async () => {
  await capturing(async (records) => {
    const started = performance.now();
    let unhandled = 0;
    const onUnhandled = (e: PromiseRejectionEvent) => {
      unhandled++;
      e.preventDefault();
    };
    globalThis.addEventListener("unhandledrejection", onUnhandled);
    const clock = new ManualClock(1_800_000_000_000);
    const rest = new FakeRest();
    let version = 1;
    FakeSocket.made = [];
    FakeSocket.onSend = (socket, m) => {
      if (m.type !== "subscribe" || socket.private) return;
      const end = ++version;
      queueMicrotask(() =>
        socket.deliver(depthFrame("Snapshot", 0, end, randomLevels(8, -1), randomLevels(8, 1)))
      );
    };
    const client: EdgeXClient = fakeClient(rest, { clock, maxSilenceMs: 3_600_000 });
    const events: ExchangeEvent[] = [];
    client.onEvent((e) => events.push(e));
    let frames = 0;
    let mutated = 0;
    let checked = 0;
    let deliverMs = 0;
    let fresh = 0;
    let pub: FakeSocket | undefined;
    try {
      await client.connect();
      const pending = client.subscribeOrderBook("BTC");
      for (let i = 0; i < 100 && !FakeSocket.made.some((s) => !s.private); i++) {
        await new Promise((r) => setTimeout(r, 1));
      }
      const book = await pending;
      pub = FakeSocket.made.find((s) => !s.private)!;
      const priv = FakeSocket.made.find((s) => s.private)!;
      for (let n = 1; frames < WS_FRAMES; n++) {
        const isPublic = n % 2 === 0;
        let frame: unknown;
        if (isPublic) {
          const start = version;
          const end = ++version;
          frame = rng() < 0.05
            ? depthFrame("Snapshot", 0, end, randomLevels(8, -1), randomLevels(8, 1))
            : depthFrame("changed", start, end, randomLevels(3, -1), randomLevels(3, 1));
        } else {
          frame = privateFrame(n);
        }
        // Fewer broken book frames than private ones, so the book also spends time live.
        if (rng() < (isPublic ? 0.35 : 0.6)) {
          const m = mutate(frame);
          frame = "text" in m ? m.text : m.json;
          mutated++;
        }
        const t = performance.now();
        (isPublic ? pub : priv).deliver(frame);
        deliverMs += performance.now() - t;
        frames++;
        if (n % 50 === 0) {
          // Let queued work run, and deferred resubscriptions fire.
          await clock.advance(250);
          await new Promise((r) => setTimeout(r, 0));
        }
        const snap = book.snapshot(100);
        checkBook(snap, `frame ${n}`);
        checked++;
        if (!snap.stale) fresh++;
      }
      await new Promise((r) => setTimeout(r, 5));
      ok(pub.sent.length < 400, `resubscribe storm: ${pub.sent.length} messages`);
      ok(fresh > WS_FRAMES / 20, `the book was live for only ${fresh} checks`);
      for (const e of events) {
        if (e.type === "order") checkOrder(e.order, "order event");
        if (e.type === "fill") ok(e.fill.price.gt(0) && e.fill.size.gte(0), "fill event");
      }
      // Unreadable private frames were reported and reconciled.
      ok(events.some((e) => e.type === "connection" && e.stream === "account" && e.error));
      ok(rest.calls.includes("getActiveOrderPage"));
    } finally {
      FakeSocket.onSend = undefined;
      await client.disconnect();
      globalThis.removeEventListener("unhandledrejection", onUnhandled);
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `edgex WS fuzz (seed ${SEED}): ${frames} frames (${mutated} mutated), ${checked} book checks (${fresh} fresh), ${pub?.sent.length} public messages sent, ${events.length} events in ${
        seconds.toFixed(1)
      } s (${Math.round(deliverMs)} ms in the client's frame handlers)`,
    );
    equal(unhandled, 0, "unhandled rejections");
    ok(frames >= WS_FRAMES);
    // A handler that threw is only logged by the transport: none may have.
    deepEqual(
      records.filter((r) => r.message.join("").includes("handler")).map((r) => r.message.join("")),
      [],
    );
  });
});
