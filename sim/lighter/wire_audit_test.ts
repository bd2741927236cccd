/**
 * The Lighter replica's answers field by field against the venue notes (lighter.md) and the
 * documented payloads in `testdata/fixtures/lighter`: both accounts of every trade named by
 * an account index (also for a counter-order made through the control API), order indices
 * as the venue assigns them (asks from 2^48 up, bids from 2^49 down), `SimpleOrder` sizes and
 * expiry, `Order.nonce`, the `DetailedAccount` fields, the `ticker`, `trade` and
 * `account_all_*` channels, and the `ExpiredAt` bound. Expected values are literals.
 */
import { deepStrictEqual as deepEqual, strictEqual as equal } from "node:assert/strict";
import { LighterSigner } from "../../exchanges/lighter/signer/lighter_signer.ts";
import { parsePrivateKey } from "../../crypto/ecgfp5/keys.ts";
import { sampleScalar, signHashed } from "../../crypto/ecgfp5/_schnorr.ts";
import { fp5FromBytes } from "../../crypto/ecgfp5/_fp5.ts";
import { type LighterReplica, startLighterReplica } from "./replica.ts";
import { lighterTxHash, parseTxInfo } from "./tx_verifier.ts";
import { testdataUrl } from "../../tests/_testdata.ts";

// deno-lint-ignore no-explicit-any
type Json = any;
const fixture = async (name: string): Promise<Json> =>
  JSON.parse(await Deno.readTextFile(testdataUrl(`fixtures/lighter/${name}`)));

/** Keys and JSON types, recursively (first item of arrays, every key of objects). */
function shape(v: unknown): unknown {
  if (v === null) return "null";
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0])];
  if (typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v as object).sort().map((k) => [k, shape((v as Record<string, unknown>)[k])]),
    );
  }
  return typeof v;
}

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

async function sendTx(replica: LighterReplica, txType: number, txInfo: string) {
  const body = new FormData();
  body.set("tx_type", String(txType));
  body.set("tx_info", txInfo);
  const r = await fetch(`${replica.restUrl}/api/v1/sendTx`, { method: "POST", body });
  return { status: r.status, body: await r.json() };
}

async function nextNonce(replica: LighterReplica): Promise<number> {
  const { accountIndex, apiKeyIndex } = replica.credentials;
  return (await get(
    replica,
    `/api/v1/nextNonce?account_index=${accountIndex}&api_key_index=${apiKeyIndex}`,
  )).nonce;
}

async function openSocket(replica: LighterReplica) {
  const ws = new WebSocket(replica.wsUrl);
  const frames: Json[] = [];
  ws.onmessage = (e) => frames.push(JSON.parse(String(e.data)));
  await new Promise((r) => (ws.onopen = r));
  const waitFor = async (pred: (f: Json) => boolean): Promise<Json> => {
    for (let i = 0; i < 1000; i++) {
      const f = frames.find(pred);
      if (f) return f;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`no such frame; got ${JSON.stringify(frames.map((f) => f.type))}`);
  };
  return {
    frames,
    waitFor,
    send: (m: unknown) => ws.send(JSON.stringify(m)),
    close: async () => {
      const closed = new Promise((r) => (ws.onclose = r));
      ws.close();
      await closed;
    },
  };
}

Deno.test("wire: a counter-order made through the control API names both accounts of the trade", async () => {
  await using replica = startLighterReplica();
  replica.server.mountControl(replica.control);
  const auth = signerFor(replica).createAuthToken();
  const s = await openSocket(replica);
  try {
    s.send({ type: "subscribe", channel: "account_all/4242", auth });
    await s.waitFor((f) => f.type === "subscribed/account_all");
    // Engine order 1: the test account's bid; engine order 2: the counter-order (an ask).
    replica.engine.placeOrder(replica.accountId, {
      symbol: "ETH",
      side: "buy",
      size: "1",
      price: "1999",
      clientOrderId: "5",
    });
    const r = await fetch(`${replica.restUrl}/_control/fill`, {
      method: "POST",
      body: JSON.stringify({ accountId: "4242", clientOrderId: "5", size: "0.4" }),
    });
    equal(r.status, 200, await r.text());
    const frame = await s.waitFor((f) => f.type === "update/account_all" && f.trades);
    const fromStream = frame.trades["0"][0];
    const { trades } = await get(replica, "/api/v1/recentTrades?market_id=0&limit=1");
    for (const t of [fromStream, trades[0]]) {
      deepEqual(
        [t.ask_account_id, t.bid_account_id, t.ask_id, t.bid_id, t.is_maker_ask],
        [7778, 4242, 281474976710658, 562949953421311, false],
      );
      equal(t.bid_client_id, 5);
    }
    // The market maker is an account the venue can show.
    const mm = await get(replica, "/api/v1/account?by=index&value=7778");
    equal(mm.accounts[0].index, 7778);
    equal(mm.accounts[0].positions[0].sign, -1);
    equal(mm.accounts[0].positions[0].position, "0.4000");
  } finally {
    await s.close();
  }
});

Deno.test("wire: asks count up from 2^48, bids down from 2^49; a cancel by either index works", async () => {
  await using replica = startLighterReplica();
  const signer = signerFor(replica);
  const expiry = replica.clock.now() + 86_400_000;
  const create = (clientOrderIndex: number, isAsk: boolean, price: number, nonce: number) =>
    signer.signCreateOrder({
      marketIndex: 0,
      clientOrderIndex,
      baseAmount: 1000,
      price,
      isAsk,
      type: 0,
      timeInForce: 1,
      orderExpiry: expiry,
    }, { nonce });
  for (const tx of [create(1, false, 190000, 0), create(2, true, 210000, 1)]) {
    equal((await sendTx(replica, tx.txType, tx.txInfo)).status, 200);
  }
  const auth = signer.createAuthToken();
  const active = await get(replica, "/api/v1/accountActiveOrders?account_index=4242", auth);
  deepEqual(
    active.orders.map((o: Json) => [o.client_order_index, o.order_index, o.order_id, o.nonce]),
    [[1, 562949953421311, "562949953421311", 0], [2, 281474976710658, "281474976710658", 1]],
  );
  equal(replica.orderIndexOf("1"), "562949953421311");
  const book = await get(replica, "/api/v1/orderBookOrders?market_id=0&limit=10");
  deepEqual(
    [book.bids[0].order_index, book.asks[0].order_index],
    [562949953421311, 281474976710658],
  );
  for (const [index, nonce] of [[562949953421311, 2], [281474976710658, 3]]) {
    const cancel = signer.signCancelOrder({ marketIndex: 0, index }, { nonce });
    const r = await sendTx(replica, cancel.txType, cancel.txInfo);
    equal(r.status, 200, JSON.stringify(r.body));
  }
  equal(replica.engine.openOrders(replica.accountId).length, 0);
  // An index of the other side's range names no order of ours.
  const wrong = signer.signCancelOrder({ marketIndex: 0, index: 281474976710657 }, { nonce: 4 });
  deepEqual((await sendTx(replica, wrong.txType, wrong.txInfo)).body, {
    code: 21715,
    message: "given order is not an active order",
  });
});

Deno.test("wire: orderBookOrders gives each order's initial and remaining size, expiry, and counts orders", async () => {
  await using replica = startLighterReplica();
  const { engine } = replica;
  const expiresAt = replica.clock.now() + 86_400_000;
  for (const size of ["1", "0.5"]) {
    engine.placeOrder(replica.counterpartyId, {
      symbol: "ETH",
      side: "buy",
      size,
      price: "1999",
      timeInForce: "gtt",
      expiresAt,
    });
  }
  engine.placeOrder(replica.accountId, { symbol: "ETH", side: "sell", size: "0.4", price: "1999" });
  const book = await get(replica, "/api/v1/orderBookOrders?market_id=0&limit=10");
  equal(book.total_bids, 2);
  equal(book.total_asks, 0);
  deepEqual(
    book.bids.map((
      o: Json,
    ) => [o.initial_base_amount, o.remaining_base_amount, o.order_expiry, o.owner_account_index]),
    [["1.0000", "0.6000", expiresAt, 7777], ["0.5000", "0.5000", expiresAt, 7777]],
  );
});

Deno.test("wire: DetailedAccount carries the fields of the notes (§3.3)", async () => {
  await using replica = startLighterReplica();
  const body = await get(replica, "/api/v1/account?by=index&value=4242");
  const a = body.accounts[0];
  deepEqual(
    [a.account_trading_mode, a.can_rfq, a.can_rfq_market_ids, a.metadata, a.pending_unlocks],
    [0, false, null, { color: "" }, []],
  );
  deepEqual(a.approved_integrators, []);
  equal(typeof a.transaction_time, "number");
  equal(typeof a.created_at, "number");
  const schema = (await fixture("GET_account__nautilus-schema.json")).accounts[0];
  const { positions: _a, ...ours } = a;
  const { positions: _b, ...theirs } = schema;
  deepEqual(shape(ours), shape(theirs));
});

Deno.test("wire: ticker and trade channels have the documented frames", async () => {
  await using replica = startLighterReplica();
  const { engine } = replica;
  engine.placeOrder(replica.counterpartyId, {
    symbol: "ETH",
    side: "sell",
    size: "2",
    price: "2001",
  });
  engine.placeOrder(replica.counterpartyId, {
    symbol: "ETH",
    side: "buy",
    size: "1",
    price: "1999",
  });
  const s = await openSocket(replica);
  try {
    s.send({ type: "subscribe", channel: "ticker/0" });
    s.send({ type: "subscribe", channel: "trade/0" });
    const tick = await s.waitFor((f) => f.type === "subscribed/ticker");
    deepEqual(shape(tick), shape(await fixture("WS_ticker__subscribed__nautilus.json")));
    equal(tick.channel, "ticker:0");
    deepEqual([tick.ticker.s, tick.ticker.a, tick.ticker.b], [
      "ETH",
      { price: "2001.00", size: "2.0000" },
      { price: "1999.00", size: "1.0000" },
    ]);
    const empty = await s.waitFor((f) => f.type === "subscribed/trade");
    deepEqual([empty.channel, empty.trades, empty.liquidation_trades], ["trade:0", [], []]);
    engine.placeOrder(replica.accountId, {
      symbol: "ETH",
      side: "buy",
      size: "0.5",
      price: "2001",
    });
    const upd = await s.waitFor((f) => f.type === "update/ticker");
    deepEqual(shape(upd), shape(await fixture("WS_ticker__update__nautilus.json")));
    deepEqual(Object.keys(upd.ticker), ["s", "a", "b", "last_updated_at"]);
    deepEqual(upd.ticker.a, { price: "2001.00", size: "1.5000" });
    const trade = await s.waitFor((f) => f.type === "update/trade");
    const recorded = await fixture("WS_trade__update__nautilus.json");
    deepEqual(Object.keys(trade), Object.keys(recorded));
    const t = trade.trades[0];
    // Public trades carry no position fields; fees are left out at the zero fee rate.
    const { taker_fee: _t, maker_fee: _m, ...documented } = recorded.trades[0];
    deepEqual(shape(t), shape(documented));
    deepEqual(
      [t.size, t.price, t.usd_amount, t.ask_account_id, t.bid_account_id, t.is_maker_ask],
      ["0.5000", "2001.00", "1000.500000", 7777, 4242, true],
    );
    // A late subscriber's snapshot has the trade.
    s.send({ type: "unsubscribe", channel: "trade/0" });
    await s.waitFor((f) => f.type === "unsubscribed");
    s.frames.length = 0;
    s.send({ type: "subscribe", channel: "trade/0" });
    const snap = await s.waitFor((f) => f.type === "subscribed/trade");
    deepEqual(shape(snap), shape({ ...recorded, type: "", trades: [documented] }));
    equal(snap.trades[0].trade_id, t.trade_id);
  } finally {
    await s.close();
  }
});

Deno.test("wire: account_all_trades, account_all_positions and account_all_orders frames", async () => {
  await using replica = startLighterReplica();
  const { engine } = replica;
  const auth = signerFor(replica).createAuthToken();
  engine.placeOrder(replica.counterpartyId, {
    symbol: "ETH",
    side: "sell",
    size: "2",
    price: "2001",
  });
  const s = await openSocket(replica);
  try {
    for (const ch of ["account_all_trades", "account_all_positions", "account_all_orders"]) {
      s.send({ type: "subscribe", channel: `${ch}/4242`, auth });
      await s.waitFor((f) => f.type === `subscribed/${ch}`);
    }
    // Without a token the account channels are refused.
    s.send({ type: "subscribe", channel: "account_all_trades/7777" });
    const refused = await s.waitFor((f) => f.error !== undefined);
    equal(refused.error.code, 20001);
    engine.placeOrder(replica.accountId, {
      symbol: "ETH",
      side: "buy",
      size: "0.5",
      price: "2001",
      clientOrderId: "3",
    });
    const trades = await s.waitFor((f) => f.type === "update/account_all_trades");
    const tradeFixture = await fixture("WS_account_all_trades__update__ccxt.json");
    deepEqual(Object.keys(trades), Object.keys(tradeFixture));
    equal(trades.channel, "account_all_trades:4242");
    const t = trades.trades["0"][0];
    deepEqual(
      [
        t.bid_account_id,
        t.ask_account_id,
        t.taker_position_size_before,
        t.taker_entry_quote_before,
      ],
      [4242, 7777, "0.0000", "0.000000"],
    );
    equal(t.taker_position_sign_changed, true);
    const pos = await s.waitFor((f) => f.type === "update/account_all_positions");
    const posFixture = await fixture("WS_account_all_positions__update__nautilus.json");
    deepEqual(shape(pos), shape(posFixture));
    deepEqual([pos.positions["0"].position, pos.positions["0"].sign], ["0.5000", 1]);
    const orders = await s.waitFor((f) => f.type === "update/account_all_orders");
    equal(orders.channel, "account_all_orders:4242");
    const orderFixture = await fixture("WS_account_orders__update__nautilus.json");
    deepEqual(shape(orders.orders["0"][0]), shape(orderFixture.orders["0"][0]));
    deepEqual(Object.keys(orders), ["channel", "account", "nonce", "orders", "type"]);
  } finally {
    await s.close();
  }
});

Deno.test("wire: a transaction whose ExpiredAt exceeds 2^48 - 1 is refused and leaves the nonce (§5.11)", async () => {
  await using replica = startLighterReplica();
  const info = {
    AccountIndex: 4242,
    ApiKeyIndex: 4,
    MarketIndex: 0,
    Index: 1,
    ExpiredAt: 2 ** 48,
    Nonce: 0,
    Sig: "",
    L2TxAttributes: null,
  };
  const hash = lighterTxHash(replica.chainId, parseTxInfo(15, JSON.stringify(info)));
  const bytes = new Uint8Array(hash.match(/../g)!.map((h) => parseInt(h, 16)));
  const k = sampleScalar((b) => crypto.getRandomValues(b));
  const sig = signHashed(
    parsePrivateKey(replica.credentials.apiKeyPrivateKey),
    fp5FromBytes(bytes)!,
    k,
  );
  const r = await sendTx(
    replica,
    15,
    JSON.stringify({ ...info, Sig: btoa(String.fromCharCode(...sig)) }),
  );
  deepEqual([r.status, r.body], [400, { code: 21501, message: "invalid tx info" }]);
  equal(await nextNonce(replica), 0);
});
