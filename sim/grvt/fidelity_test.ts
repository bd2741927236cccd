/**
 * Fidelity of the GRVT replica: every REST endpoint and WebSocket stream the GRVT client and
 * funding adapter use (and the other market-data ones the replica serves) is compared with the
 * venue's documented example payloads in `testdata/fixtures/grvt` — the same keys, JSON types and
 * nesting; values may differ. Where the venue notes' live captures differ from the doc
 * examples, the live captures win; each such difference is listed with its source below.
 */
// The plain names are loose in Deno's node:assert/strict (1 equals "1"); use the strict ones.
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { parseSignature } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { Decimal } from "../../core/decimal.ts";
import { ManualClock } from "../../exchanges/_shared/clock.ts";
import { orderTypedData } from "./_order_signature.ts";
import { type GrvtReplica, startGrvtReplica } from "./replica.ts";
import { testdataUrl } from "../../tests/_testdata.ts";

const FIXTURES = testdataUrl("fixtures/grvt/");

type Json = Record<string, unknown>;

interface Example {
  tab: string;
  label: string;
  json_valid: boolean;
  value: unknown;
}

async function fixture(name: string): Promise<{ examples: Example[] }> {
  return JSON.parse(await Deno.readTextFile(new URL(`${name}.json`, FIXTURES)));
}

/** The documented full-encoding example with this label (JSON-RPC form for WS answers). */
async function example(name: string, label: string): Promise<Json> {
  const found = (await fixture(name)).examples.find((e) =>
    e.label === label && e.json_valid &&
    (!label.startsWith("Full Subscribe") && !label.startsWith("Full Unsubscribe") ||
      "jsonrpc" in (e.value as Json))
  );
  if (found === undefined) throw new Error(`${name}: no example '${label}'`);
  return structuredClone(found.value) as Json;
}

// ---------------------------------------------------------------- shape comparison

type Shape = string | Shape[] | { [key: string]: Shape };

/** Keys, JSON types and nesting of a value; an array is the shape of its elements. */
function shape(v: unknown, where = "$"): Shape {
  if (v === null) return "null";
  if (Array.isArray(v)) {
    if (v.length === 0) return ["(empty)"];
    const shapes = v.map((x, i) => shape(x, `${where}[${i}]`));
    for (const s of shapes.slice(1)) deepEqual(s, shapes[0], `${where}: elements differ`);
    return [shapes[0]];
  }
  if (typeof v === "object") {
    const o = v as Json;
    return Object.fromEntries(
      Object.keys(o).sort().map((k) => [k, shape(o[k], `${where}.${k}`)]),
    );
  }
  return typeof v;
}

/**
 * A documented difference between the doc example and the live venue: at `path` (dot
 * separated, `*` for every array element) the live venue sends no field (`"absent"`) or a
 * value of another JSON type.
 */
interface LiveDifference {
  path: string;
  live: "absent" | "string" | "number" | "boolean" | "string[]";
  source: string;
}

const SAMPLE = { string: "0", number: 0, boolean: false, "string[]": ["0"] } as const;

function applyDifference(doc: unknown, d: LiveDifference): void {
  const walk = (node: unknown, parts: string[]): void => {
    if (node === null || typeof node !== "object") return;
    const [head, ...rest] = parts;
    if (head === "*") {
      for (const x of node as unknown[]) walk(x, rest);
      return;
    }
    const o = node as Json;
    if (rest.length > 0) return walk(o[head], rest);
    if (d.live === "absent") delete o[head];
    else o[head] = structuredClone(SAMPLE[d.live]);
  };
  walk(doc, d.path.split("."));
}

/** Asserts that `got` has the doc example's shape once the live differences are applied. */
function sameShape(got: unknown, doc: unknown, differences: LiveDifference[] = []): void {
  for (const d of differences) applyDifference(doc, d);
  deepEqual(shape(got), shape(doc));
}

function under(prefix: string, differences: LiveDifference[]): LiveDifference[] {
  return differences.map((d) => ({ ...d, path: `${prefix}.${d.path}` }));
}

// Live captures in grvt.md that differ from the doc examples.
const TICKER_LIVE: LiveDifference[] = [
  "funding_rate_8h_curr",
  "funding_rate_8h_avg",
  "funding_rate",
]
  .map((path) => ({ path, live: "string" as const, source: "grvt.md §4.1.2 live ticker" }))
  .concat([{ path: "interest_rate", live: "string", source: "grvt.md §4.1.2 live ticker" }]);
const INSTRUMENT_LIVE: LiveDifference[] = [
  { path: "adjusted_funding_rate_cap", live: "string", source: "grvt.md §4.1.1 live instrument" },
  { path: "adjusted_funding_rate_floor", live: "string", source: "grvt.md §4.1.1 live instrument" },
];
const ORDER_LIVE: LiveDifference[] = [
  { path: "metadata.trigger.tpsl.is_split_position", live: "absent", source: "grvt.md §4.2.1" },
  { path: "metadata.is_position_transfer", live: "boolean", source: "grvt.md §4.2.1 live" },
  { path: "metadata.allow_crossing", live: "boolean", source: "grvt.md §4.2.1 live" },
];
const POSITION_LIVE: LiveDifference[] = [
  { path: "est_liquidation_price", live: "string", source: "grvt.md §4.2.3 live position" },
  // Optional in the spec, for isolated margin only; the account trades cross (§4.2.3).
  { path: "isolated_balance", live: "absent", source: "grvt.md §4.2.3" },
  { path: "isolated_im", live: "absent", source: "grvt.md §4.2.3" },
  { path: "isolated_mm", live: "absent", source: "grvt.md §4.2.3" },
];
const FILL_LIVE: LiveDifference[] = [
  { path: "interest_rate", live: "string", source: "grvt.md §4.2.5 live fill" },
  { path: "fee_rate", live: "string", source: "grvt.md §4.2.5 live fill" },
  { path: "builder_fee_rate", live: "string", source: "grvt.md §4.2.5 live fill" },
  { path: "fee_currency", live: "absent", source: "grvt.md §4.2.5: only the spec lists it" },
];
const ACCOUNT_LIVE: LiveDifference[] = [
  ...["is_vault", "vault_im_additions", "sub_account_mode", "margin_balance"].map((path) => ({
    path,
    live: "absent" as const,
    source: "grvt.md §4.2.4 live summary: only the spec lists it",
  })),
  ...["entry_price", "realized_pnl", "unrealized_pnl", "available_to_transfer"].map((f) => ({
    path: `spot_balances.*.${f}`,
    live: "absent" as const,
    source: "grvt.md §4.2.4 live summary: only the spec lists it",
  })),
  ...under("positions.*", POSITION_LIVE),
];
const SUBSCRIBE_LIVE: LiveDifference[] = [
  { path: "result.first_sequence_number", live: "string[]", source: "grvt.md §7.2 live ack" },
  { path: "result.latest_sequence_number", live: "string[]", source: "grvt.md §7.2 live ack" },
];

// ---------------------------------------------------------------- replica fixture

const BTC = "BTC_USDT_Perp";
const START = Date.UTC(2026, 0, 5, 1);

interface Session {
  replica: GrvtReplica;
  clock: ManualClock;
  headers: Record<string, string>;
  account: string;
  login: Response;
  loginBody: Json;
}

async function start(): Promise<Session> {
  const clock = new ManualClock(START);
  const replica = startGrvtReplica({ clock });
  await replica.control.setFundingRate("BTC", new Decimal("0.0001"));
  await replica.control.placeCounterOrder({
    symbol: "BTC",
    side: "sell",
    price: new Decimal("64010"),
    size: new Decimal("1"),
  });
  await replica.control.placeCounterOrder({
    symbol: "BTC",
    side: "buy",
    price: new Decimal("63990"),
    size: new Decimal("1"),
  });
  const login = await fetch(`${replica.hosts.edgeUrl}/auth/api_key/login`, {
    method: "POST",
    body: JSON.stringify({ api_key: replica.credentials.apiKey }),
  });
  const loginBody = await login.json();
  const account = replica.credentials.tradingAccountId;
  const headers = {
    cookie: login.headers.getSetCookie()[0].split(";")[0],
    "X-Grvt-Account-Id": login.headers.get("X-Grvt-Account-Id") ?? "",
  };
  return { replica, clock, headers, account, login, loginBody };
}

let nextCid = 9_223_372_036_854_775_809n;

/** A create_order body signed with the test account's key. */
async function signedOrder(
  s: Session,
  leg: { size: string; limit_price: string; is_buying_asset: boolean },
  options: { timeInForce?: string; postOnly?: boolean } = {},
): Promise<Json> {
  const signer = privateKeyToAccount(s.replica.credentials.privateKey);
  const expiration = (BigInt(s.clock.now() + 86_400_000) * 1_000_000n).toString();
  const nonce = Number(nextCid % 4_000_000_000n);
  const order: Json = {
    sub_account_id: s.account,
    is_market: false,
    time_in_force: options.timeInForce ?? "GOOD_TILL_TIME",
    post_only: options.postOnly ?? false,
    reduce_only: false,
    legs: [{ instrument: BTC, ...leg }],
    signature: { expiration, nonce },
    metadata: { client_order_id: String(nextCid++) },
  };
  const data = orderTypedData(
    order,
    () => ({ instrumentHash: "0x030501", baseDecimals: 9 }),
    s.replica.hosts.chainId,
  );
  // deno-lint-ignore no-explicit-any
  const { r, s: sPart, v } = parseSignature(await signer.signTypedData(data as any));
  order.signature = { signer: signer.address, r, s: sPart, v: Number(v), expiration, nonce };
  return { order };
}

async function post(url: string, body: unknown, headers?: Record<string, string>) {
  const res = await fetch(url, { method: "POST", body: JSON.stringify(body), headers });
  return { status: res.status, body: await res.json() as Json };
}

function md(s: Session, endpoint: string, body: unknown) {
  return post(`${s.replica.hosts.marketDataUrl}/full/v1/${endpoint}`, body);
}

function td(s: Session, endpoint: string, body: unknown) {
  return post(`${s.replica.hosts.tradesUrl}/full/v1/${endpoint}`, body, s.headers);
}

/** A socket that collects JSON frames. */
async function open(url: string, headers?: Record<string, string>) {
  const ws = headers === undefined
    ? new WebSocket(url)
    : new WebSocket(url, { headers } as unknown as string[]);
  const frames: Json[] = [];
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
  let id = 0;
  return {
    frames,
    subscribe(stream: string, selectors: string[]) {
      ws.send(JSON.stringify({
        jsonrpc: "2.0",
        method: "subscribe",
        params: { stream, selectors },
        id: ++id,
      }));
    },
    /** Waits for a frame matching `match`, and returns it. */
    async until(match: (f: Json) => boolean): Promise<Json> {
      const deadline = Date.now() + 5_000;
      for (;;) {
        const f = frames.find(match);
        if (f !== undefined) return f;
        if (Date.now() > deadline) {
          const seen = frames.map((x) => `${x.stream ?? "rpc"}#${x.sequence_number ?? x.id}`);
          throw new Error(`no matching frame; got ${seen.join(" ")}`);
        }
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 200);
        });
      }
    },
    async close() {
      ws.close();
      await closed;
    },
  };
}

const wsUrl = (http: string) => `${http.replace(/^http/, "ws")}/ws/full`;

const feedOf = (stream: string, seq?: string) => (f: Json) =>
  f.stream === stream && (seq === undefined || f.sequence_number === seq);

// ---------------------------------------------------------------- REST

Deno.test("fidelity: login answers the documented body, cookie and account header", async () => {
  const s = await start();
  await using _ = s.replica;
  const doc = JSON.parse(
    await Deno.readTextFile(new URL("auth_api_key_login.json", FIXTURES)),
  ) as { response_body_documented: Json };
  sameShape(s.loginBody, doc.response_body_documented);
  ok(/^gravity=[^;]+;.*Expires=\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT/.test(
    s.login.headers.getSetCookie()[0],
  ));
  equal(s.login.headers.get("X-Grvt-Account-Id"), s.account);
});

Deno.test("fidelity: market-data REST answers have the documented shapes", async () => {
  const s = await start();
  await using _ = s.replica;
  // A trade for trade, kline and ticker volumes.
  const taker = await td(
    s,
    "create_order",
    await signedOrder(s, { size: "0.01", limit_price: "64010.0", is_buying_asset: true }, {
      timeInForce: "IMMEDIATE_OR_CANCEL",
    }),
  );
  equal(taker.status, 200);
  await s.replica.control.advance(8 * 3_600_000);

  sameShape(
    (await md(s, "instrument", { instrument: BTC })).body,
    await example("full_v1_instrument", "Full Response"),
    under("result", INSTRUMENT_LIVE),
  );
  for (const name of ["instruments", "all_instruments"]) {
    sameShape(
      (await md(s, name, { kind: ["PERPETUAL"], base: ["BTC"], is_active: true })).body,
      await example(`full_v1_${name}`, "Full Response"),
      under("result.*", INSTRUMENT_LIVE),
    );
  }
  sameShape(
    (await md(s, "ticker", { instrument: BTC })).body,
    await example("full_v1_ticker", "Full Response"),
    under("result", TICKER_LIVE),
  );
  sameShape(
    (await md(s, "mini", { instrument: BTC })).body,
    await example("full_v1_mini", "Full Response"),
  );
  sameShape(
    (await md(s, "book", { instrument: BTC, depth: 10 })).body,
    await example("full_v1_book", "Full Response"),
    ["bids", "asks"].map((side) => ({
      path: `result.${side}.*.num_orders`,
      live: "string" as const,
      source: 'grvt.md §2.3: live REST book sends "num_orders":"1"',
    })),
  );
  sameShape(
    (await md(s, "trade", { instrument: BTC, limit: 500 })).body,
    await example("full_v1_trade", "Full Response"),
    [{ path: "result.*.interest_rate", live: "string", source: "apispec Trade (string)" }],
  );
  const kline = (await md(s, "kline", {
    instrument: BTC,
    interval: "CI_1_M",
    type: "TRADE",
    limit: 1,
  })).body;
  sameShape(kline, await example("full_v1_kline", "Full Response"));
  const funding = (await md(s, "funding", { instrument: BTC, limit: 1 })).body;
  sameShape(
    funding,
    await example("full_v1_funding", "Full Response"),
    ["funding_rate", "funding_rate_8_h_avg"].map((f) => ({
      path: `result.*.${f}`,
      live: "string" as const,
      source: "grvt.md §5 live funding row",
    })),
  );
});

Deno.test("fidelity: REST and WS errors have the documented envelopes", async () => {
  const s = await start();
  await using _ = s.replica;
  const bad = await md(s, "book", { instrument: BTC, depth: 7 });
  equal(bad.status, 400);
  // `request_id` is optional (grvt.md §2.5).
  sameShape(bad.body, await example("full_v1_book", "Full Error Response"), [
    { path: "request_id", live: "absent", source: "grvt.md §2.5" },
  ]);
  deepEqual(bad.body, { code: 3031, message: "Depth is invalid", status: 400 });
  const ws = await open(wsUrl(s.replica.hosts.marketDataUrl));
  ws.subscribe("v1.mini.s", ["NOPE_USDT_Perp@500"]);
  const err = await ws.until((f) => f.error !== undefined);
  sameShape(err, await example("ws_v1_mini_s", "Full Error Response"));
  deepEqual(err.error, { code: 3000, message: "Instrument is invalid" });
  await ws.close();
});

Deno.test("fidelity: trading REST answers have the documented shapes", async () => {
  const s = await start();
  await using _ = s.replica;
  const resting = await signedOrder(s, {
    size: "0.01",
    limit_price: "63000.0",
    is_buying_asset: true,
  }, { postOnly: true });
  const created = await td(s, "create_order", resting);
  equal(created.status, 200);
  sameShape(
    created.body,
    await example("full_v1_create_order", "Full Response"),
    under("result", ORDER_LIVE),
  );
  await td(
    s,
    "create_order",
    await signedOrder(s, { size: "0.01", limit_price: "64010.0", is_buying_asset: true }, {
      timeInForce: "IMMEDIATE_OR_CANCEL",
    }),
  );
  await s.replica.control.advance(8 * 3_600_000);
  const cid = ((resting.order as Json).metadata as Json).client_order_id;

  sameShape(
    (await td(s, "order", { sub_account_id: s.account, client_order_id: cid })).body,
    await example("full_v1_order", "Full Response"),
    under("result", ORDER_LIVE),
  );
  sameShape(
    (await td(s, "open_orders", { sub_account_id: s.account, kind: ["PERPETUAL"] })).body,
    await example("full_v1_open_orders", "Full Response"),
    under("result.*", ORDER_LIVE),
  );
  sameShape(
    (await td(s, "positions", { sub_account_id: s.account })).body,
    await example("full_v1_positions", "Full Response"),
    under("result.*", POSITION_LIVE),
  );
  sameShape(
    (await td(s, "account_summary", { sub_account_id: s.account })).body,
    await example("full_v1_account_summary", "Full Response"),
    under("result", ACCOUNT_LIVE),
  );
  sameShape(
    (await td(s, "fill_history", { sub_account_id: s.account })).body,
    await example("full_v1_fill_history", "Full Response"),
    under("result.*", FILL_LIVE),
  );
  const payments = (await td(s, "funding_payment_history", { sub_account_id: s.account })).body;
  sameShape(payments, await example("full_v1_funding_payment_history", "Full Response"));
  sameShape(
    (await td(s, "get_sub_accounts", {})).body,
    await example("full_v1_get_sub_accounts", "Full Response"),
  );
  sameShape(
    (await td(s, "get_all_initial_leverage", { sub_account_id: s.account })).body,
    await example("full_v1_get_all_initial_leverage", "Full Response"),
  );
  sameShape(
    (await td(s, "set_initial_leverage", {
      sub_account_id: s.account,
      instrument: BTC,
      leverage: "10",
    })).body,
    await example("full_v1_set_initial_leverage", "Full Response"),
    [{ path: "success", live: "boolean", source: 'grvt.md §2.5: returns {"success":true}' }],
  );
  const ackLive: LiveDifference[] = [
    { path: "result.ack", live: "boolean", source: 'grvt.md §2.3 live {"ack":true}' },
  ];
  sameShape(
    (await td(s, "cancel_order", { sub_account_id: s.account, client_order_id: cid })).body,
    await example("full_v1_cancel_order", "Full Response"),
    ackLive,
  );
  sameShape(
    (await td(s, "cancel_all_orders", { sub_account_id: s.account })).body,
    await example("full_v1_cancel_all_orders", "Full Response"),
    ackLive,
  );
});

// ---------------------------------------------------------------- WebSocket

Deno.test("fidelity: market-data streams have the documented shapes", async () => {
  const s = await start();
  await using _ = s.replica;
  const ws = await open(wsUrl(s.replica.hosts.marketDataUrl));
  const streams: [string, string, LiveDifference[]][] = [
    ["v1.ticker.s", `${BTC}@500`, [
      ...under("feed", TICKER_LIVE),
      { path: "feed.funding_interval_hours", live: "number", source: "grvt.md §4.1.2 live WS" },
    ]],
    ["v1.ticker.d", `${BTC}@500`, under("feed", TICKER_LIVE)],
    ["v1.mini.s", `${BTC}@500`, []],
    ["v1.mini.d", `${BTC}@500`, []],
    ["v1.book.d", `${BTC}@100`, []],
    ["v1.book.s", `${BTC}@500-10`, []],
  ];
  for (const [stream, selector, live] of streams) {
    ws.subscribe(stream, [selector]);
    const file = `ws_${stream.replaceAll(".", "_").slice(3)}`.replace("ws_", "ws_v1_");
    const ack = await ws.until((f) => (f.result as Json | undefined)?.stream === stream);
    sameShape(ack, await example(file, "Full Subscribe Response"), SUBSCRIBE_LIVE);
    const snapshot = await ws.until(feedOf(stream, "0"));
    sameShape(snapshot, await example(file, "Full Feed Response"), live);
  }
  // A trade makes candles; the candle stream sends the newest one.
  await td(
    s,
    "create_order",
    await signedOrder(s, { size: "0.01", limit_price: "64010.0", is_buying_asset: true }, {
      timeInForce: "IMMEDIATE_OR_CANCEL",
    }),
  );
  ws.subscribe("v1.candle", [`${BTC}@CI_1_M-TRADE`]);
  const ack = await ws.until((f) => (f.result as Json | undefined)?.stream === "v1.candle");
  sameShape(ack, await example("ws_v1_candle", "Full Subscribe Response"), SUBSCRIBE_LIVE);
  sameShape(
    await ws.until(feedOf("v1.candle", "0")),
    await example("ws_v1_candle", "Full Feed Response"),
  );
  // Deltas carry only documented fields, each with the documented JSON type.
  const seen = ws.frames.length;
  await s.replica.control.setPrice("BTC", new Decimal("64100"));
  for (const stream of ["v1.ticker.d", "v1.mini.d", "v1.book.d"]) {
    // The trade above moved the book; the price move changed the tickers.
    const since = stream === "v1.book.d" ? 0 : seen;
    const delta = await ws.until((f) =>
      f.stream === stream && f.sequence_number !== "0" && ws.frames.indexOf(f) >= since
    );
    const doc = await example(`ws_v1_${stream.slice(3).replace(".", "_")}`, "Full Feed Response");
    const live = stream === "v1.ticker.d" ? under("feed", TICKER_LIVE) : [];
    for (const d of live) applyDifference(doc, d);
    const docFeed = shape(doc.feed) as Record<string, Shape>;
    for (const [k, v] of Object.entries(shape(delta.feed) as Record<string, Shape>)) {
      if (Array.isArray(v) && v[0] === "(empty)") continue;
      deepEqual(v, docFeed[k], `${stream}.${k}`);
    }
  }
  await ws.close();
});

Deno.test("fidelity: private streams have the documented shapes", async () => {
  const s = await start();
  await using _ = s.replica;
  const ws = await open(wsUrl(s.replica.hosts.tradesUrl), s.headers);
  for (const stream of ["v1.order", "v1.fill", "v1.position"]) {
    ws.subscribe(stream, [`${s.account}-${BTC}`]);
    const ack = await ws.until((f) => (f.result as Json | undefined)?.stream === stream);
    sameShape(
      ack,
      await example(`ws_v1_${stream.slice(3)}`, "Full Subscribe Response"),
      SUBSCRIBE_LIVE,
    );
  }
  await td(
    s,
    "create_order",
    await signedOrder(s, { size: "0.01", limit_price: "64010.0", is_buying_asset: true }, {
      timeInForce: "IMMEDIATE_OR_CANCEL",
    }),
  );
  sameShape(
    await ws.until(feedOf("v1.order")),
    await example("ws_v1_order", "Full Feed Response"),
    under("feed", ORDER_LIVE),
  );
  sameShape(
    await ws.until(feedOf("v1.fill")),
    await example("ws_v1_fill", "Full Feed Response"),
    under("feed", FILL_LIVE),
  );
  sameShape(
    await ws.until(feedOf("v1.position")),
    await example("ws_v1_position", "Full Feed Response"),
    under("feed", POSITION_LIVE),
  );
  await ws.close();
});

// ---------------------------------------------------------------- formats and units

Deno.test("fidelity: REST book levels as the live venue writes them", async () => {
  const s = await start();
  await using _ = s.replica;
  const { body } = await md(s, "book", { instrument: BTC, depth: 10 });
  // num_orders a string, prices and sizes with at least one fractional digit (grvt.md §2.3).
  deepEqual((body.result as Json).bids, [{ price: "63990.0", size: "1.0", num_orders: "1" }]);
  deepEqual((body.result as Json).asks, [{ price: "64010.0", size: "1.0", num_orders: "1" }]);
});

Deno.test("fidelity: funding in percentage points per interval, with the interval", async () => {
  const s = await start();
  await using _ = s.replica;
  // 0.0001 per 8 h is "0.01" percentage points (grvt.md §5).
  const ticker = (await md(s, "ticker", { instrument: BTC })).body.result as Json;
  equal(ticker.funding_rate, "0.01");
  equal(ticker.funding_rate_8h_curr, "0.01");
  // 2026-01-05T01:00Z → the next 8 h boundary is 08:00 UTC.
  equal(ticker.next_funding_time, "1767600000000000000");
  const instrument = (await md(s, "instrument", { instrument: BTC })).body.result as Json;
  equal(instrument.funding_interval_hours, 8);
  await s.replica.control.advance(8 * 3_600_000);
  const rows = (await md(s, "funding", { instrument: BTC })).body.result as Json[];
  deepEqual(
    rows.map((r) => [r.funding_rate, r.funding_time, r.funding_interval_hours]),
    [["0.01", "1767600000000000000", 8]],
  );
});

Deno.test('fidelity: v1.mini.d sends only what changed, zeros as "0"', async () => {
  const s = await start();
  await using _ = s.replica;
  const ws = await open(wsUrl(s.replica.hosts.marketDataUrl));
  ws.subscribe("v1.mini.d", [`${BTC}@0`]);
  const snapshot = await ws.until(feedOf("v1.mini.d", "0"));
  equal((snapshot.feed as Json).mark_price, "64000.0");
  await s.replica.control.setPrice("BTC", new Decimal("64100"));
  const delta = await ws.until(feedOf("v1.mini.d", "1"));
  deepEqual(Object.keys(delta.feed as Json).sort(), [
    "event_time",
    "index_price",
    "instrument",
    "mark_price",
  ]);
  equal((delta.feed as Json).mark_price, "64100.0");
  equal(delta.prev_sequence_number, "0");
  await s.replica.control.cancelCounterOrders("BTC");
  const emptied = await ws.until(feedOf("v1.mini.d", "2"));
  equal((emptied.feed as Json).best_bid_size, "0");
  await ws.close();
});

Deno.test("v1.candle and kline refuse an unknown interval or type", async () => {
  const s = await start();
  await using _ = s.replica;
  const kline = (body: Json) => md(s, "kline", { instrument: BTC, ...body });
  deepEqual((await kline({ interval: "CI_7_M", type: "TRADE" })).body.code, 3040);
  deepEqual((await kline({ interval: "CI_1_M", type: "LAST" })).body.code, 3041);
  const ws = await open(wsUrl(s.replica.hosts.marketDataUrl));
  ws.subscribe("v1.candle", [`${BTC}@CI_1_M-LAST`]);
  const err = await ws.until((f) => f.error !== undefined);
  equal((err.error as Json).code, 3041);
  await ws.close();
});
