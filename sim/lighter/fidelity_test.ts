/**
 * Fidelity of the Lighter replica: for every REST endpoint and WebSocket channel the Lighter
 * client and funding adapter use, the replica's answer has the same keys, JSON types and nesting
 * as the documented example payloads in `testdata/fixtures/lighter` (values may differ). Where a
 * fixture lacks a field the notes document (lighter.md §3.3), or shows a field the venue leaves
 * out when zero, the exception is listed by name with its reason.
 */
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { LighterSigner } from "../../exchanges/lighter/signer/lighter_signer.ts";
import { type LighterReplica, startLighterReplica } from "./replica.ts";
import { testdataUrl } from "../../tests/_testdata.ts";

const fixtures = testdataUrl("fixtures/lighter/");
// deno-lint-ignore no-explicit-any
type Json = any;
const fixture = async (name: string): Promise<Json> =>
  JSON.parse(await Deno.readTextFile(new URL(name, fixtures)));

interface Exceptions {
  /** Keys (dotted paths, `[]` for array items) the replica may leave out. */
  missing?: string[];
  /** Keys the replica may add (documented in the notes but absent from the fixture). */
  extra?: string[];
}

function kind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/** Differences of keys, JSON types and nesting between a documented payload and an answer. */
function shapeDiff(expected: unknown, actual: unknown, ex: Exceptions = {}, path = ""): string[] {
  const out: string[] = [];
  const here = path || "(root)";
  if (kind(expected) !== kind(actual)) {
    return [`${here}: ${kind(actual)} where the venue sends ${kind(expected)}`];
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length > 0 && actual.length > 0) {
      out.push(...shapeDiff(expected[0], actual[0], ex, `${path}[]`));
    }
    return out;
  }
  if (kind(expected) === "object") {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    for (const k of Object.keys(e)) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in a)) {
        if (!ex.missing?.includes(p)) out.push(`${p}: missing`);
      } else out.push(...shapeDiff(e[k], a[k], ex, p));
    }
    for (const k of Object.keys(a)) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in e) && !ex.extra?.includes(p)) out.push(`${p}: not sent by the venue`);
    }
  }
  return out;
}

function assertShape(name: string, expected: unknown, actual: unknown, ex?: Exceptions): void {
  const diff = shapeDiff(expected, actual, ex);
  deepEqual(diff, [], `${name}: ${diff.join("; ")}`);
}

/** Record keyed by market index → its first value (for `{"0": …}` maps). */
const first = (o: Record<string, unknown>) => Object.values(o)[0];

function signerFor(replica: LighterReplica) {
  return new LighterSigner({
    privateKey: replica.credentials.apiKeyPrivateKey,
    accountIndex: replica.credentials.accountIndex,
    apiKeyIndex: replica.credentials.apiKeyIndex,
    chainId: replica.chainId,
    now: () => replica.clock.now(),
  });
}

async function get(replica: LighterReplica, path: string, auth?: string): Promise<Json> {
  const r = await fetch(`${replica.restUrl}${path}`, {
    headers: auth ? { authorization: auth } : {},
  });
  const body = await r.json();
  equal(r.status, 200, `${path}: ${JSON.stringify(body)}`);
  return body;
}

async function postForm(replica: LighterReplica, path: string, form: Record<string, string>) {
  const body = new FormData();
  for (const [k, v] of Object.entries(form)) body.set(k, v);
  const r = await fetch(`${replica.restUrl}${path}`, { method: "POST", body });
  return await r.json();
}

/** A socket that keeps every frame, as text and parsed. */
async function openSocket(replica: LighterReplica) {
  const ws = new WebSocket(replica.wsUrl);
  const frames: { text: string; json: Json }[] = [];
  ws.onmessage = (e) => frames.push({ text: String(e.data), json: JSON.parse(String(e.data)) });
  await new Promise((r) => (ws.onopen = r));
  const waitFor = async (pred: (f: Json) => boolean): Promise<{ text: string; json: Json }> => {
    for (let i = 0; i < 400; i++) {
      const f = frames.find((x) => pred(x.json));
      if (f) return f;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`no such frame; got ${JSON.stringify(frames.map((f) => f.json.type))}`);
  };
  const close = async () => {
    const closed = new Promise((r) => (ws.onclose = r));
    ws.close();
    await closed;
  };
  return { ws, frames, waitFor, close, send: (m: unknown) => ws.send(JSON.stringify(m)) };
}

/** A replica with resting orders, a trade, a position for the test account and one funding. */
async function busyReplica() {
  const replica = startLighterReplica();
  const { engine } = replica;
  engine.placeOrder(replica.counterpartyId, {
    symbol: "ETH",
    side: "sell",
    size: "3",
    price: "2001",
  });
  engine.placeOrder(replica.counterpartyId, {
    symbol: "ETH",
    side: "buy",
    size: "1",
    price: "1999",
  });
  engine.placeOrder(replica.accountId, {
    symbol: "ETH",
    side: "buy",
    size: "1",
    price: "2001",
    clientOrderId: "7",
  });
  engine.placeOrder(replica.accountId, {
    symbol: "ETH",
    side: "buy",
    size: "0.5",
    price: "2001",
    clientOrderId: "8",
  });
  engine.placeOrder(replica.accountId, {
    symbol: "ETH",
    side: "buy",
    size: "0.1",
    price: "1990",
    clientOrderId: "9",
  });
  await replica.clock.advance(3_600_000);
  engine.sync();
  return replica;
}

/** Fields the notes list for an `Order` (lighter.md §3.3) that ccxt's older sample lacks. */
const ORDER_EXTRAS_OF_CCXT = [
  "integrator_fee_collector_index",
  "integrator_taker_fee",
  "integrator_maker_fee",
  "transaction_time",
];
/**
 * `Trade` fields the venue leaves out when zero / false (ccxt's and nautilus's samples differ
 * exactly there), and the `*_str` twins the notes list (§3.3) that ccxt's sample predates.
 */
const TRADE_OMITTED_WHEN_ZERO = [
  "taker_fee",
  "maker_fee",
  "taker_initial_margin_fraction_before",
  "maker_initial_margin_fraction_before",
  "taker_position_sign_changed",
  "maker_position_sign_changed",
];
const TRADE_STR_TWINS = [
  "trade_id_str",
  "ask_id_str",
  "bid_id_str",
  "ask_client_id_str",
  "bid_client_id_str",
];
/** `Trade` fields the notes list (§3.3) that nautilus's WS sample leaves out. */
const TRADE_POSITION_FIELDS = [
  "taker_position_size_before",
  "taker_entry_quote_before",
  "maker_position_size_before",
  "maker_entry_quote_before",
];
const each = (prefix: string, keys: string[]) => keys.map((k) => `${prefix}${k}`);

Deno.test("fidelity: orderBookDetails has the recorded fields, and no mark_price / index_price", async () => {
  await using replica = await busyReplica();
  const body = await get(replica, "/api/v1/orderBookDetails?market_id=255&filter=perp");
  const recorded = await fixture("GET_orderBookDetails__lighter-ts-fallback-excerpt.json");
  for (const d of body.order_book_details) {
    ok(!("mark_price" in d) && !("index_price" in d), "no mark_price / index_price");
    assertShape("orderBookDetails", recorded.order_book_details[0], d, {
      // Fields of that client-side fallback file that real answers do not carry (real
      // answers checked on mainnet): display decimals, funding parameters, market flags,
      // created_at, multiplier.
      missing: [
        "display_size_decimals",
        "display_price_decimals",
        "market_flags",
        "funding_clamp_small",
        "funding_clamp_big",
        "funding_premium_multiplier",
        "base_interest_rate",
        "created_at",
        "multiplier",
      ],
      // The 24 h statistics and open interest the notes list for PerpsOrderBookDetail (§3.3),
      // which the fallback file strips.
      extra: [
        "last_trade_price",
        "daily_trades_count",
        "daily_base_token_volume",
        "daily_quote_token_volume",
        "daily_price_low",
        "daily_price_high",
        "daily_price_change",
        "open_interest",
        "daily_chart",
      ],
    });
    for (
      const k of [
        "market_flags",
        "funding_clamp_small",
        "funding_clamp_big",
        "funding_premium_multiplier",
        "base_interest_rate",
        "created_at",
        "multiplier",
      ]
    ) ok(!(k in d), `orderBookDetails sends no ${k}`);
    deepEqual(
      Object.keys(d.market_config),
      Object.keys(recorded.order_book_details[0].market_config),
    );
    for (const k of ["last_trade_price", "daily_base_token_volume", "open_interest"]) {
      equal(typeof d[k], "number", `${k} is a JSON float (lighter.md §3.1)`);
    }
  }
  deepEqual(Object.keys(body), ["code", "order_book_details", "spot_order_book_details"]);
});

Deno.test("fidelity: orderBookOrders, recentTrades, nextNonce, fundings, funding-rates", async () => {
  await using replica = await busyReplica();
  assertShape(
    "orderBookOrders",
    await fixture("GET_orderBookOrders__ccxt.json"),
    await get(replica, "/api/v1/orderBookOrders?market_id=0&limit=5"),
    // SimpleOrder carries transaction_time (§3.3); ccxt's sample predates it.
    { extra: ["asks[].transaction_time", "bids[].transaction_time"] },
  );
  const trades = await get(replica, "/api/v1/recentTrades?market_id=0&limit=10");
  equal(trades.trades.length, 2);
  assertShape("recentTrades", await fixture("GET_trades__ccxt.json"), trades, {
    missing: each("trades[].", TRADE_OMITTED_WHEN_ZERO),
    extra: [
      ...each("trades[].", TRADE_STR_TWINS),
      "trades[].transaction_time",
      ...each("trades[].", TRADE_OMITTED_WHEN_ZERO),
    ],
  });
  const { accountIndex, apiKeyIndex } = replica.credentials;
  assertShape(
    "nextNonce",
    await fixture("GET_nextNonce__nautilus-schema.json"),
    await get(
      replica,
      `/api/v1/nextNonce?account_index=${accountIndex}&api_key_index=${apiKeyIndex}`,
    ),
  );
  const fundings = await get(
    replica,
    `/api/v1/fundings?market_id=0&resolution=1h&start_timestamp=0&end_timestamp=${replica.clock.now()}&count_back=10`,
  );
  ok(fundings.fundings.length > 0);
  assertShape("fundings", await fixture("GET_fundings__nautilus-schema.json"), fundings);
  assertShape(
    "funding-rates",
    await fixture("GET_funding-rates__ccxt.json"),
    await get(replica, "/api/v1/funding-rates"),
  );
});

Deno.test("fidelity: account and the private order reads", async () => {
  await using replica = await busyReplica();
  const { accountIndex } = replica.credentials;
  const account = await get(replica, `/api/v1/account?by=index&value=${accountIndex}`);
  ok(account.accounts[0].positions.length > 0);
  assertShape("account", await fixture("GET_account__ccxt-with-position.json"), account, {
    // Documented in §3.3 (DetailedAccount, AccountPosition), absent from ccxt's older sample
    // (nautilus's schema sample has them).
    extra: [
      "accounts[].transaction_time",
      "accounts[].account_trading_mode",
      "accounts[].can_rfq",
      "accounts[].can_rfq_market_ids",
      "accounts[].created_at",
      "accounts[].metadata",
      "accounts[].pending_unlocks",
      "accounts[].approved_integrators",
      "accounts[].cross_initial_margin_requirement",
      "accounts[].cross_maintenance_margin_requirement",
      "accounts[].positions[].total_funding_paid_out",
      "accounts[].positions[].total_discount",
    ],
  });
  assertShape("account", await fixture("GET_account__nautilus-schema.json"), account, {
    extra: [
      "accounts[].positions[].total_funding_paid_out",
      "accounts[].positions[].total_discount",
    ],
  });
  const auth = signerFor(replica).createAuthToken();
  const active = await get(
    replica,
    `/api/v1/accountActiveOrders?account_index=${accountIndex}&market_id=0`,
    auth,
  );
  ok(active.orders.length > 0);
  // `next_cursor` pages the inactive list only (§3.2: Orders{orders} vs Orders{next_cursor,…}).
  const activeFixture = await fixture("GET_accountActiveOrders__nautilus-schema.json");
  assertShape("accountActiveOrders", activeFixture, active, { missing: ["next_cursor"] });
  const inactive = await get(
    replica,
    `/api/v1/accountInactiveOrders?account_index=${accountIndex}&limit=10`,
    auth,
  );
  ok(inactive.orders.length > 0);
  assertShape(
    "accountInactiveOrders",
    await fixture("GET_accountInactiveOrders__ccxt.json"),
    inactive,
    { extra: each("orders[].", ORDER_EXTRAS_OF_CCXT) },
  );
  const byClient = await get(
    replica,
    `/api/v1/accountOrders?account_index=${accountIndex}&client_order_indexes=9`,
    auth,
  );
  assertShape("accountOrders", activeFixture, byClient, { missing: ["next_cursor"] });
});

Deno.test("fidelity: sendTx and sendTxBatch answers", async () => {
  await using replica = startLighterReplica();
  const signer = signerFor(replica);
  const order = (clientOrderIndex: number) => ({
    marketIndex: 0,
    clientOrderIndex,
    baseAmount: 100,
    price: 190000,
    isAsk: false,
    type: 0 as const,
    timeInForce: 2 as const,
    orderExpiry: replica.clock.now() + 86_400_000,
  });
  const a = signer.signCreateOrder(order(1), { nonce: 0 });
  const one = await postForm(replica, "/api/v1/sendTx", {
    tx_type: String(a.txType),
    tx_info: a.txInfo,
  });
  assertShape("sendTx", await fixture("POST_sendTx__response__ccxt.json"), one, {
    extra: ["volume_quota_remaining"], // RespSendTx (§3.2)
  });
  const b = signer.signCreateOrder(order(2), { nonce: 1 });
  const c = signer.signCreateOrder(order(3), { nonce: 2 });
  const batch = await postForm(replica, "/api/v1/sendTxBatch", {
    tx_types: JSON.stringify([b.txType, c.txType]),
    tx_infos: JSON.stringify([b.txInfo, c.txInfo]),
  });
  assertShape(
    "sendTxBatch",
    await fixture("POST_sendTxBatch__response__constructed-from-openapi.json"),
    batch,
    { extra: ["message"] }, // RespSendTxBatch{code,message,…} (§3.2)
  );
});

Deno.test("fidelity: stream frames (connected, order_book, market_stats, account channels, acks)", async () => {
  await using replica = await busyReplica();
  const { accountIndex } = replica.credentials;
  const signer = signerFor(replica);
  const s = await openSocket(replica);
  try {
    const connected = await s.waitFor((f) => f.type === "connected");
    assertShape("connected", await fixture("WS_connected__ccxt.json"), connected.json);

    s.send({ type: "subscribe", channel: "order_book/0" });
    const snap = await s.waitFor((f) => f.type === "subscribed/order_book");
    const snapFixture = await fixture("WS_order_book__subscribed__nautilus.json");
    assertShape("subscribed/order_book", snapFixture, snap.json);
    // Same key order as the venue: the client's fast book decoder reads only that spelling.
    deepEqual(Object.keys(snap.json), Object.keys(snapFixture));
    deepEqual(Object.keys(snap.json.order_book), Object.keys(snapFixture.order_book));

    s.send({ type: "subscribe", channel: "market_stats/all" });
    const stats = await s.waitFor((f) => f.type === "subscribed/market_stats");
    const statsFixture = await fixture("WS_market_stats__subscribed__nautilus-live.json");
    assertShape("subscribed/market_stats (all)", statsFixture, {
      ...stats.json,
      market_stats: first(stats.json.market_stats),
    });
    equal(stats.json.channel, "market_stats:all");

    s.send({
      type: "subscribe",
      channel: `account_orders/0/${accountIndex}`,
      auth: signer.createAuthToken(),
    });
    s.send({
      type: "subscribe",
      channel: `account_all/${accountIndex}`,
      auth: signer.createAuthToken(),
    });
    await s.waitFor((f) => f.type === "subscribed/account_orders");
    await s.waitFor((f) => f.type === "subscribed/account_all");

    // A trade against the test account's resting bid: book, order, position and trade frames.
    replica.engine.placeOrder(replica.counterpartyId, {
      symbol: "ETH",
      side: "sell",
      size: "0.1",
      price: "1990",
    });
    const upd = await s.waitFor((f) => f.type === "update/order_book");
    const updFixture = await fixture("WS_order_book__update__nautilus.json");
    assertShape("update/order_book", updFixture, upd.json);
    deepEqual(Object.keys(upd.json), Object.keys(updFixture));
    deepEqual(Object.keys(upd.json.order_book), Object.keys(updFixture.order_book));

    const orders = await s.waitFor((f) => f.type === "update/account_orders");
    assertShape(
      "update/account_orders",
      await fixture("WS_account_orders__update__nautilus.json"),
      orders.json,
    );
    const position = await s.waitFor((f) => f.type === "update/account_all" && f.positions);
    assertShape(
      "account_all positions",
      first((await fixture("WS_account_all_positions__update__nautilus.json")).positions),
      first(position.json.positions),
    );
    const trade = await s.waitFor((f) => f.type === "update/account_all" && f.trades);
    assertShape(
      "account_all trades",
      (first((await fixture("WS_account_all_trades__update__nautilus.json")).trades) as Json[])[0],
      (first(trade.json.trades) as Json[])[0],
      {
        missing: TRADE_OMITTED_WHEN_ZERO,
        extra: [...TRADE_POSITION_FIELDS, ...TRADE_OMITTED_WHEN_ZERO],
      },
    );

    s.send({ type: "unsubscribe", channel: "order_book/0" });
    const unsub = await s.waitFor((f) => f.type === "unsubscribed");
    assertShape("unsubscribed", await fixture("WS_unsubscribed__ccxt.json"), unsub.json);

    s.send({ type: "subscribe", channel: "no_such_channel/1" });
    const err = await s.waitFor((f) => f.error !== undefined);
    assertShape("error", await fixture("WS_error__invalid_channel__ccxt.json"), err.json);

    const tx = signer.signCreateOrder({
      marketIndex: 0,
      clientOrderIndex: 77,
      baseAmount: 100,
      price: 190000,
      isAsk: false,
      type: 0,
      timeInForce: 2,
      orderExpiry: replica.clock.now() + 86_400_000,
    }, { nonce: 0 });
    s.send({
      type: "jsonapi/sendtx",
      data: { id: "42", tx_type: tx.txType, tx_info: JSON.parse(tx.txInfo) },
    });
    const ack = await s.waitFor((f) => f.type === "jsonapi/sendtx");
    assertShape(
      "jsonapi/sendtx",
      await fixture("WS_jsonapi_sendtx__response__ccxt.json"),
      ack.json,
    );
  } finally {
    await s.close();
  }
});
