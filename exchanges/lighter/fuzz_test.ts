/**
 * Fuzzing the Lighter client's real code paths with mutated venue answers: REST answers through
 * a fake `fetch` (getOrder, getOpenOrders, getPositions, getBalance, getOrderBook, placeOrder
 * and market loading) and WebSocket frames through a fake socket (the live book and the
 * private channels). Every call must end in a valid result or a typed `PerpError`; no
 * unhandled rejection, no hang (virtual time is bounded), no non-positive price or size in any
 * book that reads fresh.
 */
import { deepStrictEqual as deepEqual, ok } from "node:assert/strict";
import type { BookSnapshot, ExchangeEvent } from "../../base.ts";
import { PerpError } from "../../core/errors.ts";
import { LighterClient } from "./client.ts";
import {
  drive,
  ETH_DETAIL,
  FAKE_ACCOUNT,
  type FakeAnswer,
  FakeLighterVenue,
  wireOrder,
  wirePosition,
} from "./_fakes_test.ts";
import { seededRandom as prng } from "../../sim/random.ts";

const REST_CASES = 10_000;
const WS_FRAMES = 5_000;

const BAD_VALUES: unknown[] = [
  null,
  "NaN",
  "Infinity",
  "-Infinity",
  "-1",
  "-0.0100",
  "0",
  "0.0000",
  "1e308",
  "1e-5",
  "9".repeat(60),
  "1" + "0".repeat(20) + ".5",
  "",
  " ",
  "abc",
  "frozen",
  "canceled-by-moon",
  1e308,
  -5,
  0,
  1.5,
  2 ** 60,
  true,
  {},
  [],
  [null],
];

const BROKEN_BODIES = [
  "null",
  "",
  "<html><body><h1>502 Bad Gateway</h1></body></html>",
  "[]",
  "{}",
  "123",
  '"ok"',
  "NaN",
  '{"code":200,"orders":[{"price":NaN}]}',
];

function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push([...prefix, i]);
      out.push(...paths(v, [...prefix, i]));
    });
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      out.push([...prefix, k]);
      out.push(...paths(v, [...prefix, k]));
    }
  }
  return out;
}

function pick<T>(rng: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rng() * xs.length)];
}

/** One mutated copy of a valid JSON body: broken text, or 1–3 fields changed or removed. */
function mutate(rng: () => number, base: unknown): string | unknown {
  const r = rng();
  if (r < 0.08) return pick(rng, BROKEN_BODIES);
  if (r < 0.16) {
    const text = JSON.stringify(base);
    return text.slice(0, Math.floor(rng() * text.length)); // truncated
  }
  const copy = structuredClone(base) as Record<string | number, unknown>;
  const n = 1 + Math.floor(rng() * 3);
  for (let i = 0; i < n; i++) {
    const all = paths(copy);
    if (all.length === 0) break;
    const path = pick(rng, all);
    let parent = copy as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    const key = path.at(-1)!;
    if (rng() < 0.2 && !Array.isArray(parent)) delete parent[key];
    else parent[key] = structuredClone(pick(rng, BAD_VALUES));
  }
  if (rng() < 0.1) {
    // Non-JSON number literals the JSON parser refuses.
    return JSON.stringify(copy).replace(/"(\d+\.\d+)"/, pick(rng, ["NaN", "Infinity", "-1e999"]));
  }
  return copy;
}

function mutatedAnswer(rng: () => number, base: unknown): FakeAnswer {
  const r = rng();
  const status = r < 0.9 ? 200 : pick(rng, [400, 404, 429, 500, 502, 503]);
  return { status, body: mutate(rng, base) };
}

function checkBook(book: BookSnapshot, where: string): void {
  for (const [side, levels] of [["bids", book.bids], ["asks", book.asks]] as const) {
    for (const l of levels) {
      ok(l.price.isFinite() && l.price.gt(0), `${where}: ${side} price ${l.price}`);
      ok(l.size.isFinite() && l.size.gt(0), `${where}: ${side} size ${l.size}`);
    }
  }
}

const BASES: Record<string, () => unknown> = {
  "/api/v1/accountOrders": () => ({ code: 200, orders: [wireOrder({ clientOrderIndex: 77 })] }),
  "/api/v1/accountActiveOrders": () => ({
    code: 200,
    orders: [wireOrder({ clientOrderIndex: 77 }), wireOrder({ clientOrderIndex: 78 })],
  }),
  "/api/v1/accountInactiveOrders": () => ({
    code: 200,
    orders: [wireOrder({ clientOrderIndex: 79, status: "filled" })],
  }),
  "/api/v1/account": () => ({
    code: 200,
    accounts: [{
      index: FAKE_ACCOUNT,
      collateral: "1000.000000",
      available_balance: "900.000000",
      total_asset_value: "1000.500000",
      positions: [wirePosition("0.0100", 1), wirePosition("0.2000", -1)],
    }],
  }),
  "/api/v1/orderBookOrders": () => ({
    code: 200,
    total_asks: 2,
    asks: [
      { price: "2001.00", remaining_base_amount: "1.0000" },
      { price: "2002.00", remaining_base_amount: "0.5000" },
    ],
    total_bids: 2,
    bids: [
      { price: "1999.00", remaining_base_amount: "1.0000" },
      { price: "1998.00", remaining_base_amount: "0.2500" },
    ],
  }),
  "/api/v1/sendTx": () => ({
    code: 200,
    message: '{"ratelimit": "didn\'t use volume quota"}',
    tx_hash: "ab".repeat(40),
    predicted_execution_time_ms: 1,
  }),
  "/api/v1/nextNonce": () => ({ code: 200, nonce: 7 }),
  "/api/v1/orderBookDetails": () => ({ code: 200, order_book_details: [ETH_DETAIL] }),
};

type Op = {
  name: string;
  targets: string[];
  run: (c: LighterClient) => Promise<unknown>;
};

const OPS: Op[] = [
  {
    name: "getOrder by client id",
    targets: ["/api/v1/accountOrders"],
    run: (c) => c.getOrder("ETH", { clientOrderId: "77" }),
  },
  {
    name: "getOrder by id",
    targets: ["/api/v1/accountActiveOrders", "/api/v1/accountInactiveOrders"],
    run: (c) => c.getOrder("ETH", { id: "281474976710735" }),
  },
  {
    name: "getOpenOrders",
    targets: ["/api/v1/accountActiveOrders"],
    run: (c) => c.getOpenOrders(),
  },
  { name: "getPositions", targets: ["/api/v1/account"], run: (c) => c.getPositions() },
  { name: "getBalance", targets: ["/api/v1/account"], run: (c) => c.getBalance() },
  {
    name: "getOrderBook",
    targets: ["/api/v1/orderBookOrders"],
    run: async (c) => {
      const book = await c.getOrderBook("ETH", 5);
      checkBook(book, "REST book");
      return book;
    },
  },
  {
    name: "placeOrder",
    targets: ["/api/v1/sendTx", "/api/v1/accountOrders", "/api/v1/nextNonce"],
    run: (c) =>
      c.placeOrder({
        symbol: "ETH",
        side: "buy",
        type: "limit",
        size: "0.0100",
        price: "1990.00",
        postOnly: true,
        clientOrderId: "77",
      }),
  },
];

Deno.test(`fuzz: ${REST_CASES} mutated REST answers through the client end in a result or a PerpError`, async () => {
  const rng = prng(0x11ed);
  const started = performance.now();
  const unhandled: unknown[] = [];
  const onUnhandled = (e: PromiseRejectionEvent) => {
    e.preventDefault();
    unhandled.push(e.reason);
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  const untyped: string[] = [];
  let mutated = 0;
  let cases = 0;
  const outcomes = { ok: 0, typed: 0 };
  try {
    let venue = new FakeLighterVenue();
    let client = new LighterClient(
      venue.options({ ackTimeoutMs: 500, outcomeDeadlineMs: 3_000 }),
    );
    for (; mutated < REST_CASES; cases++) {
      if (cases % 500 === 0) {
        await client.disconnect();
        venue = new FakeLighterVenue();
        client = new LighterClient(venue.options({ ackTimeoutMs: 500, outcomeDeadlineMs: 3_000 }));
      }
      // Market loading itself, on a fresh client, now and then.
      const fresh = rng() < 0.05;
      const op: Op = fresh
        ? { name: "getMarkets", targets: ["/api/v1/orderBookDetails"], run: (c) => c.getMarkets() }
        : pick(rng, OPS);
      const v = fresh ? new FakeLighterVenue() : venue;
      const c = fresh ? new LighterClient(v.options({ ackTimeoutMs: 500 })) : client;
      const target = pick(rng, op.targets);
      v.routes.clear();
      v.routes.set(target, (req) => {
        mutated++;
        if (target === "/api/v1/sendTx" && rng() < 0.3) v.acceptTx(req);
        return mutatedAnswer(rng, BASES[target]());
      });
      let r;
      try {
        r = await drive(v.clock, op.run(c), { stepMs: 250, maxMs: 120_000 });
      } catch (e) {
        throw new Error(`${op.name} hung on a mutated ${target} answer: ${e}`);
      }
      if (r.ok) outcomes.ok++;
      else if (r.error instanceof PerpError) outcomes.typed++;
      else if (untyped.length < 10) {
        untyped.push(`${op.name} / ${target}: ${(r.error as Error)?.stack ?? r.error}`);
      } else untyped.push("…");
      if (fresh) await c.disconnect();
    }
    await client.disconnect();
  } finally {
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `lighter REST fuzz: ${mutated} mutated answers in ${cases} calls (${outcomes.ok} results, ${outcomes.typed} PerpErrors) in ${seconds} s`,
  );
  deepEqual(untyped, [], "every failure is a PerpError");
  deepEqual(unhandled, [], "no unhandled rejection");
  ok(mutated >= REST_CASES);
  ok(outcomes.typed > REST_CASES / 4 && outcomes.ok > 100, "both outcomes occur");
});

Deno.test(`fuzz: ${WS_FRAMES} mutated stream frames never leave a fresh book with a bad level nor an untyped failure`, async () => {
  const rng = prng(0x5eed);
  const started = performance.now();
  const unhandled: unknown[] = [];
  const onUnhandled = (e: PromiseRejectionEvent) => {
    e.preventDefault();
    unhandled.push(e.reason);
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  const venue = new FakeLighterVenue();
  const client = new LighterClient(venue.options());
  const events: ExchangeEvent[] = [];
  client.onEvent((e) => events.push(e));
  let frames = 0;
  let freshChecks = 0;
  try {
    await drive(venue.clock, client.connect());
    const sub = await drive(venue.clock, client.subscribeOrderBook("ETH"));
    ok(sub.ok);
    const book = sub.value;
    const bases: (() => unknown)[] = [
      () =>
        venue.bookUpdate([{ price: "1999.50", size: "0.5000" }], [{ price: "2001.00", size: "0" }]),
      () => venue.bookSnapshot(),
      () => ({
        channel: `account_orders:0:${FAKE_ACCOUNT}`,
        type: "update/account_orders",
        account: FAKE_ACCOUNT,
        orders: { "0": [wireOrder({ clientOrderIndex: 90 + Math.floor(rng() * 5) })] },
      }),
      () => ({
        channel: `account_all:${FAKE_ACCOUNT}`,
        type: "update/account_all",
        account: FAKE_ACCOUNT,
        positions: { "0": wirePosition() },
        trades: {
          "0": [{
            trade_id: 1000 + frames,
            market_id: 0,
            size: "0.0100",
            price: "2000.00",
            usd_amount: "20.000000",
            ask_id: 281474976710700,
            bid_id: 562949953421000,
            ask_client_id: 0,
            bid_client_id: 91,
            ask_account_id: 5,
            bid_account_id: FAKE_ACCOUNT,
            is_maker_ask: true,
            timestamp: 1_780_000_000_000,
            taker_fee: 196,
            maker_fee: 0,
          }],
        },
      }),
      () => ({ type: "ping" }),
      () => ({ error: { code: 30005, message: "Invalid Channel: foo" } }),
    ];
    for (; frames < WS_FRAMES; frames++) {
      if (frames % 50 === 0) venue.push(venue.bookSnapshot()); // a valid frame now and then
      const base = pick(rng, bases)();
      venue.push(mutate(rng, base));
      if (frames % 25 === 0) await venue.clock.advance(100);
      const snap = book.snapshot(50);
      if (!snap.stale) {
        freshChecks++;
        checkBook(snap, `book after frame ${frames}`);
      }
    }
    await venue.clock.advance(5_000);
  } finally {
    await client.disconnect();
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const reconciliations =
    events.filter((e) => e.type === "connection" && e.state === "reconnecting")
      .length;
  console.log(
    `lighter WS fuzz: ${frames} mutated frames, ${freshChecks} fresh-book checks, ${reconciliations} reconciliations, ${events.length} events in ${seconds} s`,
  );
  for (const e of events) {
    if (e.type === "connection" && e.error) ok(e.error instanceof PerpError, String(e.error));
    if (e.type === "fill") ok(e.fill.price.gt(0) && e.fill.size.gt(0));
  }
  deepEqual(unhandled, [], "no unhandled rejection");
  ok(frames >= WS_FRAMES);
  ok(freshChecks > 100, "the book was fresh and checked often");
  ok(reconciliations > 100, "malformed private frames led to reconciliations");
});
