/**
 * Fuzz: mutated venue answers through the real Hyperliquid client and funding adapter (REST:
 * every `/info` type they read — `metaAndAssetCtxs`, `l2Book`, `clearinghouseState`,
 * `openOrders`, `orderStatus`, `userFunding`, `fundingHistory` — and the `/exchange` answers to
 * `order`, `cancel`, `cancelByCloid`, `updateLeverage`; WS: `l2Book`, `orderUpdates`,
 * `userFills`, `userFundings`, `post` answers, pongs and subscription answers). Whatever the
 * venue sends, the client returns a valid result or throws a typed `PerpError`: no other
 * exception, no unhandled rejection, no hang, no order sent twice, and no price ≤ 0 in any book.
 *
 * Deterministic: one seeded PRNG drives every mutation (`HYPERLIQUID_FUZZ_SEED` overrides the
 * seed).
 */
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import {
  type BookSnapshot,
  type Clock,
  type ExchangeEvent,
  type Order,
  type OrderStatus,
  PerpError,
} from "../../base.ts";
import { ManualClock } from "../_shared/clock.ts";
import { seededRandom as prng } from "../../sim/random.ts";
import { BAD_JSON_VALUES, jsonMutator } from "../../tests/json_mutation.ts";
import { HyperliquidClient, type HyperliquidClientOptions } from "./client.ts";
import { HyperliquidFundingAdapter } from "./funding_adapter.ts";

const SEED = Number(Deno.env.get("HYPERLIQUID_FUZZ_SEED") ?? 20261217);
const REST_ANSWERS = 10_000;
const WS_FRAMES = 5_000;
const KEY = "0x0123456789012345678901234567890123456789012345678901234567890123";
const T0 = 1_800_000_000_000;
const HOSTS = { apiUrl: "https://hl.test", wsUrl: "wss://hl.test/ws" };
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
  otherShapes: [
    null,
    [],
    {},
    42,
    "x",
    { status: "ok" },
    { status: "ok", response: null },
    { status: "err", response: 7 },
    { status: "unknownOid" },
    [{}, []],
  ],
});

function statusCode(): number {
  return rng() < 0.1 ? pick([400, 401, 404, 422, 429, 500, 502, 503]) : 200;
}

// ------------------------------------------------------------------ healthy answers

const CLOIDS = Array.from({ length: 20 }, (_, i) => `0x${(i + 1).toString(16).padStart(32, "0")}`);

function wireOrder(i: number): Record<string, unknown> {
  return {
    coin: pick(["BTC", "ETH"]),
    side: pick(["A", "B"]),
    limitPx: pick(["63000", "64000.5", "3200.1"]),
    sz: pick(["0.001", "0.0005", "0"]),
    oid: 1000 + i,
    timestamp: T0 + i,
    origSz: "0.001",
    cloid: CLOIDS[i % CLOIDS.length],
    reduceOnly: false,
    tif: pick(["Alo", "Gtc", "Ioc"]),
    orderType: "Limit",
  };
}

function levels(n: number, side: 1 | -1, mid = 64000): { px: string; sz: string; n: number }[] {
  return Array.from({ length: n }, (_, i) => ({
    px: String(mid + side * (i + 1 + Math.floor(rng() * 3))),
    sz: (Math.floor(rng() * 1000) / 1000 + 0.001).toFixed(3),
    n: 1 + Math.floor(rng() * 5),
  }));
}

function l2Book(coin = "BTC"): Record<string, unknown> {
  return { coin, time: T0 + Math.floor(rng() * 1e6), levels: [levels(5, -1), levels(5, 1)] };
}

const META = [
  {
    universe: [
      { name: "BTC", szDecimals: 5, maxLeverage: 40 },
      { name: "ETH", szDecimals: 4, maxLeverage: 25 },
      { name: "OLD", szDecimals: 2, maxLeverage: 3, isDelisted: true },
    ],
  },
  [
    {
      funding: "0.0000125",
      openInterest: "1000.5",
      dayNtlVlm: "123456789.1",
      markPx: "64000",
      oraclePx: "63990",
      midPx: "64000.5",
      premium: "0.0001",
      prevDayPx: "63000",
      impactPxs: ["63999", "64001"],
    },
    {
      funding: "-0.000004",
      openInterest: "20000",
      dayNtlVlm: "5000000",
      markPx: "3200.1",
      oraclePx: "3199.5",
      midPx: null,
      premium: null,
      prevDayPx: "3100",
      impactPxs: null,
    },
    {
      funding: "0",
      openInterest: "0",
      dayNtlVlm: "0",
      markPx: "1.5",
      oraclePx: "1.5",
    },
  ],
];

const STATE = {
  assetPositions: [{
    position: {
      coin: "BTC",
      szi: "0.0123",
      entryPx: "63000.5",
      liquidationPx: "41000",
      marginUsed: "39.3",
      positionValue: "787.2",
      unrealizedPnl: "12.3",
      leverage: { type: "cross", value: 20 },
      cumFunding: { allTime: "1.2", sinceOpen: "0.4", sinceChange: "0.4" },
    },
    type: "oneWay",
  }, {
    position: {
      coin: "ETH",
      szi: "-0.5",
      entryPx: "3210",
      liquidationPx: null,
      marginUsed: "80",
      unrealizedPnl: "-4.5",
      leverage: { type: "cross", value: 20 },
    },
    type: "oneWay",
  }],
  crossMaintenanceMarginUsed: "11.5",
  marginSummary: {
    accountValue: "10012.3",
    totalMarginUsed: "119.3",
    totalNtlPos: "2387.2",
    totalRawUsd: "9000",
  },
  withdrawable: "9800.1",
  time: T0,
};

function userFunding(): unknown[] {
  return Array.from({ length: 4 }, (_, i) => ({
    time: T0 - (4 - i) * 3_600_000,
    hash: `0x${"ab".repeat(31)}${i.toString(16).padStart(2, "0")}`,
    delta: {
      type: "funding",
      coin: pick(["BTC", "ETH"]),
      usdc: pick(["-0.0123", "0.5", "0"]),
      szi: "0.0123",
      fundingRate: "0.0000125",
      nSamples: null,
    },
  }));
}

function fundingHistory(coin: string, start: number): unknown[] {
  return Array.from({ length: 5 }, (_, i) => ({
    coin,
    fundingRate: pick(["0.0000125", "-0.00001", "0"]),
    premium: "0.0001",
    time: start + i * 3_600_000,
  }));
}

/** The scripted venue: healthy answers, of which a targeted route is mutated. */
class FakeVenue {
  /** Answers served through a mutation (the fuzz count). */
  served = 0;
  /** Routes (`info:<type>`, `exchange:<action>`) whose answers are mutated. */
  targets = new Set<string>();
  /** Creates per cloid that the venue acted on. */
  readonly creates = new Map<string, number>();
  /** Orders the venue holds, by cloid. */
  readonly orders = new Map<string, Record<string, unknown>>();
  readonly calls: string[] = [];
  #oid = 5000;

  healthy(route: string, body: Record<string, unknown>): unknown {
    switch (route) {
      case "info:metaAndAssetCtxs":
        return META;
      case "info:l2Book":
        return l2Book(String(body.coin));
      case "info:clearinghouseState":
        return STATE;
      case "info:openOrders":
        return [...this.orders.values()].slice(-5).concat([wireOrder(1), wireOrder(2)]);
      case "info:orderStatus": {
        const o = typeof body.oid === "string"
          ? this.orders.get(body.oid)
          : [...this.orders.values()].find((x) => x.oid === body.oid);
        return o
          ? { status: "order", order: { order: o, status: "open", statusTimestamp: T0 } }
          : { status: "unknownOid" };
      }
      case "info:userFunding":
        return userFunding();
      case "info:fundingHistory":
        return fundingHistory(String(body.coin), Number(body.startTime));
      case "exchange:order": {
        const orders = (body.action as { orders: { c: string; s: string; t: unknown }[] }).orders;
        const o = orders[0];
        const oid = ++this.#oid;
        const ioc = JSON.stringify(o.t).includes("Ioc");
        this.orders.set(o.c, { ...wireOrder(oid), coin: "BTC", oid, cloid: o.c, sz: o.s });
        const st = ioc
          ? { filled: { totalSz: o.s, avgPx: "64000.5", oid, cloid: o.c } }
          : pick([{ resting: { oid, cloid: o.c } }, { error: "Order has invalid price." }]);
        return { status: "ok", response: { type: "order", data: { statuses: [st] } } };
      }
      case "exchange:cancel":
      case "exchange:cancelByCloid":
        return {
          status: "ok",
          response: {
            type: "cancel",
            data: { statuses: [pick(["success", { error: "Order was never placed" }])] },
          },
        };
      case "exchange:updateLeverage":
        return { status: "ok", response: { type: "default" } };
      default:
        return { status: "err", response: `no route ${route}` };
    }
  }

  fetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    await Promise.resolve();
    const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
    const route = String(url).endsWith("/info")
      ? `info:${body.type}`
      : `exchange:${(body.action as { type: string }).type}`;
    this.calls.push(route);
    if (!this.targets.has(route)) return Response.json(this.healthy(route, body));
    this.served++;
    const status = statusCode();
    if (route === "exchange:order") {
      // A 429 is a refusal before acting; any other answer comes after the venue took it.
      if (status === 429) return new Response("rate limited", { status });
      const c = (body.action as { orders: { c: string }[] }).orders[0].c;
      this.creates.set(c, (this.creates.get(c) ?? 0) + 1);
    }
    const m = mutate(this.healthy(route, body));
    return new Response("text" in m ? m.text : JSON.stringify(m.json), {
      status,
      headers: { "content-type": "application/json" },
    });
  };
}

/** Sleeps end at once, moving time forward; an hour or more (request timeouts) never ends. */
class JumpClock implements Clock {
  #now = T0;
  now(): number {
    return this.#now;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (ms >= 3_600_000) {
      return new Promise((_, reject) =>
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true })
      );
    }
    this.#now += Math.max(0, ms);
    return Promise.resolve();
  }
}

function newClient(venue: FakeVenue, options: Partial<HyperliquidClientOptions> = {}) {
  return new HyperliquidClient({
    environment: "sim",
    hosts: HOSTS,
    privateKey: KEY,
    fetch: venue.fetch,
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    timeoutMs: 3_600_000,
    outcomeDeadlineMs: 5_000,
    ...options,
  });
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
  ok(o.size.isFinite() && o.size.gt(0), `${where}: size ${o.size}`);
  ok(o.filledSize.gte(0) && o.filledSize.lte(o.size), `${where}: filled ${o.filledSize}`);
  if (o.price !== undefined) ok(o.price.gt(0), `${where}: price ${o.price}`);
  if (o.averageFillPrice !== undefined) ok(o.averageFillPrice.gt(0), `${where}: average`);
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

async function capturing<T>(run: (records: LogRecord[]) => Promise<T>): Promise<T> {
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

Deno.test("fuzz: 10,000 mutated REST answers through the client and the funding adapter give results or typed PerpErrors", async () => {
  const started = performance.now();
  let unhandled = 0;
  const onUnhandled = (e: PromiseRejectionEvent) => {
    unhandled++;
    e.preventDefault();
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  const venue = new FakeVenue();
  const clock = new JumpClock();
  const target = (...routes: string[]) => venue.targets = new Set(routes);
  const client = newClient(venue, { clock });
  await client.getMarkets();
  const funding = new HyperliquidFundingAdapter({
    environment: "sim",
    hosts: HOSTS,
    fetch: venue.fetch,
    clock,
    timeoutMs: 3_600_000,
  });
  const untyped: string[] = [];
  const tally = new Map<string, number>();
  const cloids = () => [...venue.orders.keys()];
  let seq = 0;
  const cases: [string, () => Promise<void>][] = [
    ["getOrderBook", async () => {
      target("info:l2Book");
      checkBook(await client.getOrderBook(pick(["BTC", "ETH"]), 10), "getOrderBook");
    }],
    ["getBalance", async () => {
      target("info:clearinghouseState");
      const b = await client.getBalance();
      ok(b.equity.isFinite() && b.available.isFinite() && b.unrealizedPnl?.isFinite() !== false);
    }],
    ["getPositions", async () => {
      target("info:clearinghouseState");
      for (const p of await client.getPositions()) {
        ok(p.size.isFinite() && !p.size.isZero() && p.entryPrice.gte(0));
      }
    }],
    ["getOrder", async () => {
      target("info:orderStatus");
      const some = pick([...cloids(), CLOIDS[0]]);
      const o = await client.getOrder(
        "BTC",
        rng() < 0.5 ? { clientOrderId: some } : { id: String(venue.orders.get(some)?.oid ?? 1) },
      );
      if (o) checkOrder(o, "getOrder");
    }],
    ["getOpenOrders", async () => {
      target("info:openOrders");
      for (const o of await client.getOpenOrders(pick([undefined, "BTC"]))) {
        checkOrder(o, "getOpenOrders");
      }
    }],
    ["getFundingPayments", async () => {
      target("info:userFunding");
      for (const p of await client.getFundingPayments({ limit: 10 })) {
        ok(p.amount.isFinite() && Number.isFinite(p.time));
      }
    }],
    ["placeOrder", async () => {
      const market = rng() < 0.3;
      target(
        ...pick([["exchange:order"], ["info:orderStatus"], ["exchange:order", "info:orderStatus"]]),
        ...(market && rng() < 0.5 ? ["info:l2Book"] : []),
      );
      const clientOrderId = `0x${(0xf000000 + ++seq).toString(16).padStart(32, "0")}`;
      const o = await client.placeOrder(
        market
          ? {
            symbol: "BTC",
            side: pick(["buy", "sell"]),
            type: "market",
            size: "0.001",
            clientOrderId,
          }
          : {
            symbol: "BTC",
            side: "buy",
            type: "limit",
            size: "0.001",
            price: "63000",
            postOnly: rng() < 0.5,
            clientOrderId,
          },
      );
      checkOrder(o, "placeOrder");
      equal(o.clientOrderId, clientOrderId);
    }],
    ["cancelOrder", async () => {
      const byCloid = rng() < 0.5;
      target(byCloid ? "exchange:cancelByCloid" : "exchange:cancel");
      await client.cancelOrder(
        "BTC",
        byCloid ? { clientOrderId: pick([...cloids(), CLOIDS[1]]) } : { id: "1001" },
      );
    }],
    ["cancelAllOrders", async () => {
      target(...pick([["info:openOrders"], ["exchange:cancel"]]));
      await client.cancelAllOrders(pick([undefined, "BTC"]));
    }],
    ["setLeverage", async () => {
      target("exchange:updateLeverage");
      await client.setLeverage("BTC", 10);
    }],
    ["fetchFundingRates", async () => {
      target("info:metaAndAssetCtxs");
      for (const r of await funding.fetchFundingRates()) {
        ok(r.rate.isFinite() && r.markPrice!.gt(0), `rate ${r.symbol}`);
      }
    }],
    ["fetchMarketData", async () => {
      target(...pick([["info:metaAndAssetCtxs"], ["info:l2Book"]]));
      for (const d of await funding.fetchMarketData({ symbols: ["BTC", "ETH"] })) {
        ok(d.bestBid === undefined || d.bestBid.gt(0), `bid ${d.bestBid}`);
        ok(d.bestAsk === undefined || d.bestAsk.gt(0), `ask ${d.bestAsk}`);
        ok(d.openInterestUsd?.gte(0) !== false && d.volume24hUsd?.gte(0) !== false, "volume, OI");
      }
    }],
    ["fetchFundingHistory", async () => {
      target("info:fundingHistory");
      for (const r of await funding.fetchFundingHistory("BTC", { limit: 5 })) {
        ok(r.rate.isFinite());
      }
    }],
  ];
  let metaCases = 0;
  for (let i = 0; venue.served < REST_ANSWERS; i++) {
    let name: string;
    let run: () => Promise<void>;
    if (i % 25 === 24) {
      // Metadata on a fresh client (the markets are read once per client).
      name = "getMarkets";
      metaCases++;
      run = async () => {
        target("info:metaAndAssetCtxs");
        const fresh = newClient(venue, { clock });
        try {
          for (const m of await fresh.getMarkets()) {
            ok(m.tickSize.gt(0) && m.sizeStep.gt(0) && m.minSize.gt(0), `market ${m.symbol}`);
          }
        } finally {
          await fresh.disconnect();
        }
      };
    } else {
      [name, run] = cases[i % cases.length];
    }
    tally.set(name, (tally.get(name) ?? 0) + 1);
    const error = await guarded(name, run);
    if (error !== undefined && !(error instanceof PerpError)) {
      untyped.push(`${name}: ${error instanceof Error ? error.stack : String(error)}`);
    }
    // Keep the venue's order list short.
    if (venue.orders.size > 50) venue.orders.delete(venue.orders.keys().next().value!);
  }
  venue.targets.clear();
  await client.disconnect();
  await new Promise((r) => setTimeout(r, 0));
  globalThis.removeEventListener("unhandledrejection", onUnhandled);
  console.log(
    `hyperliquid REST fuzz (seed ${SEED}): ${venue.served} mutated answers over ${
      [...tally.values()].reduce((a, b) => a + b, 0)
    } calls ${JSON.stringify(Object.fromEntries(tally))} in ${
      ((performance.now() - started) / 1000).toFixed(1)
    } s`,
  );
  deepEqual(untyped.slice(0, 5), []);
  equal(unhandled, 0, "unhandled rejections");
  ok(venue.served >= REST_ANSWERS);
  ok(metaCases > 0);
  // Never a second create for one cloid, whatever the answers.
  deepEqual([...venue.creates].filter(([, n]) => n > 1), []);
});

// ------------------------------------------------------------------ WebSocket

/** A scripted socket: answers subscriptions, delivers what the test sends. */
class FakeSocket extends EventTarget {
  static made: FakeSocket[] = [];
  readonly url: string;
  readyState = 0;
  binaryType = "blob";
  readonly sent: Record<string, unknown>[] = [];

  constructor(url: string | URL) {
    super();
    this.url = String(url);
    FakeSocket.made.push(this);
    queueMicrotask(() => {
      if (this.readyState !== 0) return;
      this.readyState = 1;
      this.dispatchEvent(new Event("open"));
    });
  }

  send(data: string): void {
    const m = JSON.parse(data) as { method?: string; subscription?: { type?: string } };
    this.sent.push(m);
    if (m.method === "ping") queueMicrotask(() => this.deliver({ channel: "pong" }));
    if (m.method !== "subscribe") return;
    queueMicrotask(() => {
      this.deliver({ channel: "subscriptionResponse", data: m });
      if (m.subscription?.type === "l2Book") this.deliver({ channel: "l2Book", data: l2Book() });
    });
  }

  close(code = 1000, reason = ""): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    this.dispatchEvent(new CloseEvent("close", { code, reason }));
  }

  /** Delivers a frame from the server (objects as JSON, strings as they are). */
  deliver(frame: unknown): void {
    if (this.readyState !== 1) return;
    const data = typeof frame === "string" ? frame : JSON.stringify(frame);
    this.dispatchEvent(new MessageEvent("message", { data }));
  }
}

const USER = "0x14791697260e4c9a71f18484c9f997b308e59325";

function privateFrame(n: number): Record<string, unknown> {
  const i = n % 20;
  switch (n % 5) {
    case 0: {
      const w = wireOrder(i);
      return {
        channel: "orderUpdates",
        data: [{
          order: w,
          status: pick(["open", "filled", "canceled", "marginCanceled", "badAloPxRejected"]),
          statusTimestamp: T0 + n,
        }],
      };
    }
    case 1:
      return {
        channel: "userFills",
        data: {
          isSnapshot: n % 97 === 1 ? true : undefined,
          user: USER,
          fills: [{
            coin: "BTC",
            px: "64000.5",
            sz: "0.0005",
            side: pick(["A", "B"]),
            time: T0 + n,
            startPosition: "0",
            dir: "Open Long",
            closedPnl: "0",
            hash: `0x${"cd".repeat(32)}`,
            oid: 1000 + i,
            crossed: rng() < 0.5,
            fee: "0.0144",
            tid: 90_000 + n,
            cloid: CLOIDS[i],
            feeToken: "USDC",
          }],
        },
      };
    case 2:
      return {
        channel: "userFundings",
        data: {
          user: USER,
          fundings: [{
            time: T0 + n,
            coin: "BTC",
            usdc: "-0.0123",
            szi: "0.0123",
            fundingRate: "0.0000125",
          }],
        },
      };
    case 3:
      return {
        channel: "post",
        data: {
          id: n,
          response: { type: "action", payload: { status: "ok", response: { type: "default" } } },
        },
      };
    default:
      return pick([
        { channel: "pong" },
        {
          channel: "subscriptionResponse",
          data: { method: "subscribe", subscription: { type: "orderUpdates", user: USER } },
        },
      ]);
  }
}

Deno.test("fuzz: 5,000 mutated WebSocket frames never break the book or the private streams", async () => {
  await capturing(async (records) => {
    const started = performance.now();
    let unhandled = 0;
    const onUnhandled = (e: PromiseRejectionEvent) => {
      unhandled++;
      e.preventDefault();
    };
    globalThis.addEventListener("unhandledrejection", onUnhandled);
    const clock = new ManualClock(T0);
    const venue = new FakeVenue();
    FakeSocket.made = [];
    const client = newClient(venue, { clock, maxSilenceMs: 3_600_000 });
    const events: ExchangeEvent[] = [];
    client.onEvent((e) => events.push(e));
    let frames = 0;
    let mutated = 0;
    let fresh = 0;
    try {
      await client.connect();
      const book = await client.subscribeOrderBook("BTC");
      const socket = FakeSocket.made[0];
      equal(FakeSocket.made.length, 1, "one socket for everything");
      for (let n = 1; frames < WS_FRAMES; n++) {
        const isBook = n % 2 === 0;
        let frame: unknown = isBook ? { channel: "l2Book", data: l2Book() } : privateFrame(n);
        // Fewer broken book frames than private ones, so the book also spends time live.
        if (rng() < (isBook ? 0.35 : 0.6)) {
          const m = mutate(frame);
          frame = "text" in m ? m.text : m.json;
          mutated++;
        }
        socket.deliver(frame);
        frames++;
        if (n % 50 === 0) {
          await clock.advance(250);
          await new Promise((r) => setTimeout(r, 0));
        }
        const snap = book.snapshot(100);
        checkBook(snap, `frame ${n}`);
        if (!snap.stale) fresh++;
      }
      await new Promise((r) => setTimeout(r, 5));
      ok(fresh > WS_FRAMES / 20, `the book was live for only ${fresh} checks`);
      equal(FakeSocket.made.length, 1, "no reconnect: the socket never went silent");
      for (const e of events) {
        if (e.type === "order") checkOrder(e.order, "order event");
        if (e.type === "fill") ok(e.fill.price.gt(0) && e.fill.size.gt(0), "fill event");
        if (e.type === "funding") ok(e.payment.amount.isFinite(), "funding event");
      }
      ok(events.some((e) => e.type === "order"), "order events");
      ok(events.some((e) => e.type === "fill"), "fill events");
      ok(events.some((e) => e.type === "funding"), "funding events");
      // Unreadable private frames were reported and the orders read again over REST.
      ok(
        events.some((e) => e.type === "connection" && e.state === "connected" && e.error),
        "an unreadable frame is reported",
      );
      ok(venue.calls.includes("info:openOrders"), "the open orders were read again");
    } finally {
      await client.disconnect();
      globalThis.removeEventListener("unhandledrejection", onUnhandled);
    }
    console.log(
      `hyperliquid WS fuzz (seed ${SEED}): ${frames} frames (${mutated} mutated), ${fresh} fresh book checks, ${events.length} events, ${venue.calls.length} REST re-reads in ${
        ((performance.now() - started) / 1000).toFixed(1)
      } s`,
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
