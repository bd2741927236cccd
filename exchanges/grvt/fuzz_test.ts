/**
 * Fuzzing of every GRVT answer the client reads, through the client's real code paths: REST
 * answers (placeOrder and its lookups, getOrder, getOpenOrders, getPositions, getBalance,
 * getOrderBook) and stream frames (the `v1.book.d` book, and `v1.order` / `v1.fill` /
 * `v1.position`), mutated from valid ones with a seeded PRNG: wrong types, missing fields,
 * null, HTML, empty and truncated bodies, NaN / Infinity / negative / huge numbers, overlong
 * digit strings, unknown enum values.
 *
 * What must hold: only typed `PerpError`s (or a valid result), no unhandled rejection or
 * uncaught error, no hang (every call settles within a bound of virtual time), and no
 * non-positive price or size in any book.
 */
import { ok, strictEqual as equal } from "node:assert/strict";
import type { BookSnapshot, ExchangeEvent } from "../../base.ts";
import { PerpError } from "../../core/errors.ts";
import { GRVTClient } from "./client.ts";
import { CID, FAKE_ACCOUNT, FakeGrvt, VALID_ANSWERS, wireOrder } from "./_fakes_test.ts";
import { seededRandom as prng } from "../../sim/random.ts";

const REST_ANSWERS = 10_000;
const WS_FRAMES = 5_000;

type Json = unknown;

/** Replacement values a field may get. */
const WEIRD: Json[] = [
  null,
  "NaN",
  "Infinity",
  "-Infinity",
  "-1",
  "-0.0001",
  "0",
  "1e95",
  "9".repeat(60),
  "0." + "0".repeat(50) + "1",
  "",
  " ",
  "abc",
  "WEIRD_VALUE",
  "PARTIALLY_CANCELLED",
  "UNKNOWN",
  -1,
  0,
  1e308,
  Number.MAX_SAFE_INTEGER + 2,
  0.1,
  true,
  false,
  {},
  [],
  [null],
  { code: 1002, message: "Internal Server Error" },
  "<html>",
];

/** Whole-body replacements. */
const BODIES = [
  "null",
  "",
  "<html><head><title>502 Bad Gateway</title></head></html>",
  "[]",
  "{}",
  "42",
  '"ok"',
  "true",
  '{"result":null}',
  '{"result":[]}',
  '{"code":1002,"message":"Internal Server Error","status":500}',
  '{"code":"x"}',
  "NaN",
];

class Mutator {
  constructor(readonly random: () => number) {}

  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)];
  }

  /** A fresh copy of a replacement value: a shared one mutated later would corrupt the list. */
  weird(): Json {
    return structuredClone(this.pick(WEIRD));
  }

  /** Paths to every node of a JSON value. */
  paths(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
    out.push(prefix);
    if (Array.isArray(value)) value.forEach((v, i) => this.paths(v, [...prefix, i], out));
    else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) this.paths(v, [...prefix, k], out);
    }
    return out;
  }

  /** One mutation of a node: replaced, removed, retyped, or an array emptied or grown. */
  mutateOnce(root: Json): Json {
    const paths = this.paths(root).filter((p) => p.length > 0);
    if (paths.length === 0) return this.weird();
    const path = this.pick(paths);
    const parent = path.slice(0, -1).reduce<Json>((v, k) => (v as Record<string, Json>)[k], root);
    const key = path[path.length - 1];
    const obj = parent as Record<string | number, Json>;
    const old = obj[key];
    switch (this.int(6)) {
      case 0:
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete obj[key];
        break;
      case 1: // retype
        obj[key] = typeof old === "string" && old !== "" && !Number.isNaN(Number(old))
          ? Number(old)
          : typeof old === "number"
          ? String(old)
          : Array.isArray(old)
          ? {}
          : this.weird();
        break;
      case 2: // a number-like string gone wrong
        obj[key] = typeof old === "string"
          ? this.pick(["-" + old, old + "e5", old + "x", "-0"])
          : null;
        break;
      case 3:
        if (Array.isArray(old) && old.length > 0) obj[key] = [...old, ...old];
        else obj[key] = this.weird();
        break;
      default:
        obj[key] = this.weird();
    }
    return root;
  }

  /** A mutated body text from a valid value (sometimes left valid). */
  body(valid: Json): string {
    const r = this.random();
    if (r < 0.08) return JSON.stringify(valid);
    if (r < 0.2) return this.pick(BODIES);
    const text = JSON.stringify(valid);
    if (r < 0.3) return text.slice(0, this.int(text.length)); // truncated
    let v = structuredClone(valid);
    const n = 1 + this.int(3);
    for (let i = 0; i < n; i++) v = this.mutateOnce(v);
    return JSON.stringify(v) ?? "null";
  }
}

let levelsChecked = 0;

/** Every level of a book has a positive price and a positive size. */
function checkBook(b: BookSnapshot, where: string): void {
  for (const side of [b.bids, b.asks]) {
    for (const l of side) {
      levelsChecked++;
      ok(l.price.gt(0) && l.price.isFinite(), `${where}: price ${l.price}`);
      ok(l.size.gt(0) && l.size.isFinite(), `${where}: size ${l.size}`);
    }
  }
}

function trackUncaught(): { count: () => number; stop: () => void } {
  let n = 0;
  const onRejection = (e: PromiseRejectionEvent) => {
    n++;
    console.error("unhandled rejection", e.reason);
    e.preventDefault();
  };
  const onError = (e: ErrorEvent) => {
    n++;
    console.error("uncaught error", e.error);
    e.preventDefault();
  };
  globalThis.addEventListener("unhandledrejection", onRejection);
  globalThis.addEventListener("error", onError);
  return {
    count: () => n,
    stop: () => {
      globalThis.removeEventListener("unhandledrejection", onRejection);
      globalThis.removeEventListener("error", onError);
    },
  };
}

Deno.test(`fuzz: ${REST_ANSWERS} mutated REST answers through the client give only PerpErrors or valid results`, async () => {
  const started = performance.now();
  const m = new Mutator(prng(0x6e7674));
  const venue = new FakeGrvt();
  const uncaught = trackUncaught();
  let served = 0;
  let lastCreate: Record<string, Json> | undefined;
  const fuzzed = (valid: () => Json) => () => {
    served++;
    return new Response(m.body(valid()), {
      status: m.random() < 0.05 ? m.pick([400, 401, 404, 429, 500, 503]) : 200,
      headers: { "content-type": "application/json" },
    });
  };
  // A create answer and lookups that echo the request (so that unmutated ones are valid).
  const echo = (status: string) => () => {
    const o = (lastCreate?.order ?? {}) as Record<string, Record<string, Json>>;
    return {
      result: wireOrder({
        cid: (o.metadata?.client_order_id as string) ?? CID,
        nonce: o.signature?.nonce as number,
        status,
        orderId: status === "PENDING" ? "0x00" : undefined,
      }),
    };
  };
  venue.rest.set("full/v1/create_order", (body) => {
    lastCreate = body;
    return fuzzed(echo("PENDING"))();
  });
  venue.rest.set("full/v1/order", fuzzed(() => m.pick([echo("OPEN"), echo("FILLED")])()));
  for (
    const e of [
      "full/v1/book",
      "full/v1/open_orders",
      "full/v1/positions",
      "full/v1/account_summary",
      "full/v1/funding_payment_history",
      "full/v1/get_all_initial_leverage",
      "full/v1/set_initial_leverage",
    ]
  ) {
    venue.rest.set(e, fuzzed(VALID_ANSWERS[e]));
  }
  await using client = new GRVTClient(
    venue.options({ outcomeDeadlineMs: 2_000, confirmTimeoutMs: 500, timeoutMs: 1_000 }),
  );
  const outcomes = { ok: 0, perpError: 0 };
  const ops: [string, () => Promise<unknown>][] = [
    ["getOrderBook", () => client.getOrderBook("BTC", 10)],
    ["getBestBidAsk", () => client.getBestBidAsk("BTC")],
    ["getOrder", () => client.getOrder("BTC", { clientOrderId: CID })],
    ["getOpenOrders", () => client.getOpenOrders("BTC")],
    ["getPositions", () => client.getPositions()],
    ["getBalance", () => client.getBalance()],
    ["getFundingPayments", () => client.getFundingPayments({ symbol: "BTC" })],
    ["setLeverage", () => client.setLeverage("BTC", 10)],
    ["placeOrder", () =>
      client.placeOrder({
        symbol: "BTC",
        side: m.random() < 0.5 ? "buy" : "sell",
        type: "limit",
        size: "0.002",
        price: "63000",
      })],
    ["placeOrder market", () =>
      client.placeOrder({
        symbol: "BTC",
        side: "buy",
        type: "market",
        size: "0.002",
        worstPrice: "65000",
      })],
  ];
  while (served < REST_ANSWERS) {
    const [name, op] = m.pick(ops);
    try {
      const result = await venue.settle(op(), 120_000);
      if (name === "getOrderBook") checkBook(result as BookSnapshot, name);
      outcomes.ok++;
    } catch (e) {
      if (!(e instanceof PerpError)) {
        throw new Error(`${name} threw a non-PerpError: ${String(e)}`, { cause: e });
      }
      outcomes.perpError++;
    }
  }
  await venue.clock.advance(60_000);
  uncaught.stop();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `GRVT REST fuzz: ${served} mutated answers, ${outcomes.ok} valid results, ${outcomes.perpError} PerpErrors, ${seconds} s`,
  );
  ok(served >= REST_ANSWERS);
  ok(outcomes.ok > 0 && outcomes.perpError > 0, "both outcomes were reached");
  equal(uncaught.count(), 0);
});

Deno.test(`fuzz: ${WS_FRAMES} mutated stream frames never put a non-positive price in the book or stop the client`, async () => {
  const started = performance.now();
  const m = new Mutator(prng(0x77736673));
  const venue = new FakeGrvt();
  const uncaught = trackUncaught();
  await using client = new GRVTClient(venue.options());
  const events: ExchangeEvent[] = [];
  client.onEvent((e) => events.push(e));
  await venue.settle(client.connect());
  const book = await venue.settle(client.subscribeOrderBook("BTC"));
  await venue.clock.advance(10);
  const seqs = new Map<string, number>();
  const price = (lo: number, hi: number) => (lo + m.int((hi - lo) * 10) / 10).toFixed(1);
  const levels = (lo: number, hi: number) =>
    Array.from({ length: 1 + m.int(3) }, () => ({
      price: price(lo, hi),
      size: m.random() < 0.2 ? "0" : (m.int(5000) / 1000 + 0.001).toFixed(3),
      num_orders: m.int(9),
    }));
  const frames: [string, "md" | "trades", () => Record<string, Json>][] = [
    ["v1.book.d", "md", () => ({
      event_time: "1767292408400000000",
      instrument: "BTC_USDT_Perp",
      bids: levels(63900, 63999.9),
      asks: levels(64000.1, 64100),
    })],
    ["v1.order", "trades", () =>
      wireOrder({
        status: m.pick(["PENDING", "OPEN", "FILLED", "CANCELLED", "REJECTED"]),
        traded: m.pick(["0.0", "0.001"]),
      })],
    ["v1.fill", "trades", () => ({
      event_time: "1767354369431470728",
      sub_account_id: FAKE_ACCOUNT,
      instrument: "BTC_USDT_Perp",
      is_buyer: true,
      is_taker: true,
      size: "0.001",
      price: "89473.4",
      fee: "0.040263",
      fee_rate: "0.045",
      trade_id: `${m.int(1e9)}-1`,
      order_id: "0x0101010503a12f6e000000007791f1bd",
      client_order_id: CID,
    })],
    ["v1.position", "trades", () => VALID_ANSWERS["full/v1/positions"]() as never],
  ];
  let pushed = 0;
  let stalePeriods = 0;
  levelsChecked = 0;
  const tops = new Set<string>();
  while (pushed < WS_FRAMES) {
    const [stream, host, feed] = m.pick(frames);
    const seq = stream === "v1.book.d" ? venue.bookSeq + 1 : (seqs.get(stream) ?? 0) + 1;
    if (stream === "v1.book.d") venue.bookSeq = seq;
    else seqs.set(stream, seq);
    let f: Json = {
      stream,
      selector: stream === "v1.book.d" ? "BTC_USDT_Perp@100" : FAKE_ACCOUNT,
      sequence_number: String(seq),
      prev_sequence_number: String(seq - 1),
      feed: stream === "v1.position" ? (feed() as { result: Json[] }).result[0] : feed(),
    };
    const [socket] = venue.open(host);
    ok(socket, `${host} socket open`);
    socket.push(m.random() < 0.1 ? JSON.stringify(f) : m.body(f));
    pushed++;
    await venue.clock.advance(5);
    const snap = book.snapshot();
    if (snap.stale) stalePeriods++;
    tops.add(`${snap.sequence}/${snap.bids.length}/${snap.asks.length}`);
    checkBook(snap, `frame ${pushed}`);
    f = undefined;
  }
  await venue.clock.advance(5_000);
  // The book is still served (resynced from a snapshot) and the private stream still open.
  checkBook(book.snapshot(), "end");
  uncaught.stop();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const resyncs = venue.sockets.filter((s) => s.url.includes("md.fake"))
    .flatMap((s) => s.sent).filter((x) => x.includes('"subscribe"')).length - 1;
  console.log(
    `GRVT WS fuzz: ${pushed} mutated frames, ${events.length} events, ${
      venue.count("full/v1/positions")
    } REST reconciliations, ${resyncs} book resyncs, ${tops.size} distinct book states, ${levelsChecked} levels checked, stale after ${stalePeriods} frames, ${seconds} s`,
  );
  ok(resyncs > 0 && tops.size > 100, "the book moved and resynced");
  ok(pushed >= WS_FRAMES);
  ok(venue.count("full/v1/positions") > 0, "unreadable private frames were reconciled");
  equal(uncaught.count(), 0);
  await book.close();
});
