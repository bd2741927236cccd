/**
 * Fidelity of the EdgeX replica: every REST endpoint and WebSocket channel the EdgeX client and
 * funding adapter use (and the public channels the replica serves) is compared with the
 * documented example payloads in `testdata/fixtures/edgex` — same keys, JSON types and nesting
 * (values may differ). Where a fixture is a trimmed or abbreviated excerpt, its keys must be
 * present and the full record must match the field list of the venue notes (literal lists
 * below). Fixtures marked NOT-LIVE-SHAPE describe what the real venue does not send.
 */
import { deepStrictEqual as deepEqual, ok } from "node:assert/strict";
import { EdgeXClient } from "../../exchanges/edgex/client.ts";
import { edgeXBodyText, edgeXHmac, edgeXQueryText } from "./auth.ts";
import { type EdgeXReplica, startEdgeXReplica } from "./replica.ts";
import { testdataUrl } from "../../tests/_testdata.ts";

const FIXTURES = testdataUrl("fixtures/edgex/");
// deno-lint-ignore no-explicit-any
type J = any;
const fixture = async (name: string): Promise<J> =>
  JSON.parse(await Deno.readTextFile(new URL(name, FIXTURES)));

// ------------------------------------------------------------------------------- field lists
// edgex_v1_background.md §4.1 / §4.2 (V2 keeps the V1 record shapes, edgex.md §4.3–§4.4).

const ORDER_FIELDS = [
  "id",
  "userId",
  "accountId",
  "coinId",
  "contractId",
  "side",
  "price",
  "size",
  "clientOrderId",
  "type",
  "timeInForce",
  "reduceOnly",
  "triggerPrice",
  "triggerPriceType",
  "expireTime",
  "sourceKey",
  "isPositionTpsl",
  "isLiquidate",
  "isDeleverage",
  "openTpslParentOrderId",
  "isSetOpenTp",
  "openTp",
  "isSetOpenSl",
  "openSl",
  "isWithoutMatch",
  "withoutMatchFillSize",
  "withoutMatchFillValue",
  "withoutMatchPeerAccountId",
  "withoutMatchPeerOrderId",
  "maxLeverage",
  "takerFeeRate",
  "makerFeeRate",
  "liquidateFeeRate",
  "marketLimitPrice",
  "marketLimitValue",
  "l2Nonce",
  "l2Value",
  "l2Size",
  "l2LimitFee",
  "l2ExpireTime",
  "l2Signature",
  "extraType",
  "extraDataJson",
  "status",
  "matchSequenceId",
  "triggerTime",
  "triggerPriceTime",
  "triggerPriceValue",
  "cancelReason",
  "cumFillSize",
  "cumFillValue",
  "cumFillFee",
  "maxFillPrice",
  "minFillPrice",
  "cumLiquidateFee",
  "cumRealizePnl",
  "cumMatchSize",
  "cumMatchValue",
  "cumMatchFee",
  "cumFailSize",
  "cumFailValue",
  "cumFailFee",
  "cumApprovedSize",
  "cumApprovedValue",
  "cumApprovedFee",
  "createdTime",
  "updatedTime",
];
const FILL_FIELDS = [
  "id",
  "userId",
  "accountId",
  "coinId",
  "contractId",
  "orderId",
  "orderSide",
  "fillSize",
  "fillValue",
  "fillFee",
  "fillPrice",
  "liquidateFee",
  "realizePnl",
  "direction",
  "isPositionTpsl",
  "isLiquidate",
  "isDeleverage",
  "isWithoutMatch",
  "matchSequenceId",
  "matchIndex",
  "matchTime",
  "matchAccountId",
  "matchOrderId",
  "matchFillId",
  "positionTransactionId",
  "collateralTransactionId",
  "extraType",
  "extraDataJson",
  "censorStatus",
  "censorTxId",
  "censorTime",
  "censorFailCode",
  "censorFailReason",
  "l2TxId",
  "l2RejectTime",
  "l2RejectCode",
  "l2RejectReason",
  "l2ApprovedTime",
  "createdTime",
  "updatedTime",
];
const POSITION_FIELDS = [
  "userId",
  "accountId",
  "coinId",
  "contractId",
  "openSize",
  "openValue",
  "openFee",
  "fundingFee",
  "longTermCount",
  "longTermStat",
  "longTermCreatedTime",
  "longTermUpdatedTime",
  "shortTermCount",
  "shortTermStat",
  "shortTermCreatedTime",
  "shortTermUpdatedTime",
  "longTotalStat",
  "shortTotalStat",
  "createdTime",
  "updatedTime",
];
const STAT_FIELDS = [
  "cumOpenSize",
  "cumOpenValue",
  "cumOpenFee",
  "cumCloseSize",
  "cumCloseValue",
  "cumCloseFee",
  "cumFundingFee",
  "cumLiquidateFee",
];
const COLLATERAL_FIELDS = [
  "userId",
  "accountId",
  "coinId",
  "amount",
  "legacyAmount",
  "cumDepositAmount",
  "cumWithdrawAmount",
  "cumTransferInAmount",
  "cumTransferOutAmount",
  "cumPositionBuyAmount",
  "cumPositionSellAmount",
  "cumFillFeeAmount",
  "cumFundingFeeAmount",
  "cumFillFeeIncomeAmount",
  "createdTime",
  "updatedTime",
];
const ACCOUNT_FIELDS = [
  "id",
  "userId",
  "ethAddress",
  "l2Key",
  "l2KeyYCoordinate",
  "clientAccountId",
  "isSystemAccount",
  "defaultTradeSetting",
  "contractIdToTradeSetting",
  "maxLeverageLimit",
  "createOrderPerMinuteLimit",
  "createOrderDelayMillis",
  "extraType",
  "extraDataJson",
  "status",
  "isLiquidating",
  "createdTime",
  "updatedTime",
];
const ACCOUNT_ASSET_FIELDS = [
  "account",
  "collateralList",
  "positionList",
  "version",
  "positionAssetList",
  "collateralAssetModelList",
  "oraclePriceList",
];
const POSITION_ASSET_FIELDS = [
  "userId",
  "accountId",
  "coinId",
  "contractId",
  "positionValue",
  "maxLeverage",
  "initialMarginRequirement",
  "starkExRiskRate",
  "starkExRiskValue",
  "avgEntryPrice",
  "liquidatePrice",
  "bankruptPrice",
  "worstClosePrice",
  "unrealizePnl",
  "termRealizePnl",
  "totalRealizePnl",
];
const COLLATERAL_ASSET_FIELDS = [
  "userId",
  "accountId",
  "coinId",
  "totalEquity",
  "totalPositionValueAbs",
  "initialMarginRequirement",
  "starkExRiskValue",
  "pendingWithdrawAmount",
  "pendingTransferOutAmount",
  "orderFrozenAmount",
  "availableAmount",
];
/** edgex.md §4.2 (V2 fields) + edgex_v1_background.md §3.2 (V1 contract fields). */
const CONTRACT_FIELDS_REQUIRED = [
  "contractId",
  "contractName",
  "baseCoinId",
  "quoteCoinId",
  "tickSize",
  "stepSize",
  "minOrderSize",
  "maxOrderSize",
  "maxOrderBuyPriceRatio",
  "minOrderSellPriceRatio",
  "maxPositionSize",
  "riskTierList",
  "defaultTakerFeeRate",
  "defaultMakerFeeRate",
  "defaultLeverage",
  "liquidateFeeRate",
  "enableTrade",
  "enableDisplay",
  "enableOpenPosition",
  "fundingInterestRate",
  "fundingImpactMarginNotional",
  "fundingMaxRate",
  "fundingMinRate",
  "fundingRateIntervalMin",
  "displayDigitMerge",
  "displayMaxLeverage",
  "displayMinLeverage",
  "displayNewIcon",
  "displayHotIcon",
  "matchServerName",
  "starkExSyntheticAssetId",
  "starkExResolution",
  "starkExOraclePriceQuorum",
  "starkExOraclePriceSignedAssetId",
  "starkExOraclePriceSigner",
  "resolution",
  "isStock",
  "isFx",
];
const COIN_FIELDS = [
  "coinId",
  "coinName",
  "stepSize",
  "showStepSize",
  "iconUrl",
  "resolution",
  "starkExAssetId",
  "starkExResolution",
];

// ------------------------------------------------------------------------------- comparison

function kind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/**
 * Differences in shape between `actual` and `expected`: key sets (exact, or a superset when
 * `superset`), JSON types and nesting. Array elements are compared with the fixture's first
 * element; objects at `maps` paths are id-keyed maps (only value types compared).
 */
function shapeDiff(
  actual: unknown,
  expected: unknown,
  path = "$",
  opts: { superset?: boolean; maps?: string[]; allowEmpty?: boolean } = {},
): string[] {
  const ka = kind(actual);
  const ke = kind(expected);
  if (ka !== ke) return [`${path}: ${ka} where the venue sends ${ke}`];
  if (ke === "array") {
    const e = expected as unknown[];
    const a = actual as unknown[];
    if (e.length === 0) return [];
    if (a.length === 0) {
      return opts.allowEmpty ? [] : [`${path}: empty array, cannot compare with the fixture`];
    }
    return a.flatMap((x, i) => shapeDiff(x, e[0], `${path}[${i}]`, opts));
  }
  if (ke !== "object") return [];
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  if (opts.maps?.some((m) => path.endsWith(m))) {
    const sample = Object.values(e)[0];
    return Object.entries(a).flatMap(([k, v]) => shapeDiff(v, sample, `${path}.${k}`, opts));
  }
  const out: string[] = [];
  for (const k of Object.keys(e)) {
    if (!(k in a)) out.push(`${path}.${k}: missing`);
    else out.push(...shapeDiff(a[k], e[k], `${path}.${k}`, opts));
  }
  if (!opts.superset) {
    for (const k of Object.keys(a)) if (!(k in e)) out.push(`${path}.${k}: not sent by the venue`);
  }
  return out;
}

function sameShape(actual: unknown, expected: unknown, what: string, maps: string[] = []): void {
  const diff = shapeDiff(actual, expected, "$", { maps });
  deepEqual(diff, [], `${what}: ${diff.join("; ")}`);
}

function hasShapeOf(actual: unknown, expected: unknown, what: string): void {
  const diff = shapeDiff(actual, expected, "$", { superset: true });
  deepEqual(diff, [], `${what}: ${diff.join("; ")}`);
}

function exactKeys(record: J, fields: string[], what: string): void {
  deepEqual(Object.keys(record).sort(), [...fields].sort(), what);
}

// ------------------------------------------------------------------------------- wire helpers

async function signedFetch(
  r: EdgeXReplica,
  method: "GET" | "POST",
  path: string,
  params: Record<string, string> | J,
): Promise<J> {
  const c = r.credentials;
  const ts = String(r.clock.now());
  let url = `${r.restUrl}${path}`;
  let body: string | undefined;
  let signed: string;
  if (method === "GET") {
    const q = new URLSearchParams(params);
    url += `?${q}`;
    signed = edgeXQueryText(q);
  } else {
    body = JSON.stringify(params);
    signed = edgeXBodyText(params);
  }
  const headers = {
    "X-edgeX-Api-Key": c.apiKey,
    "X-edgeX-Passphrase": c.apiPassphrase,
    "X-edgeX-Timestamp": ts,
    "X-edgeX-Signature": edgeXHmac(c.apiSecret, `${ts}${method}${path}${signed}`),
    "content-type": "application/json",
  };
  const res = await fetch(url, { method, headers, body });
  return await res.json();
}

async function publicFetch(r: EdgeXReplica, pathAndQuery: string): Promise<J> {
  return await (await fetch(`${r.restUrl}${pathAndQuery}`)).json();
}

class Recorder {
  readonly frames: J[] = [];
  readonly ws: WebSocket;
  constructor(url: string, init?: { headers: Record<string, string> }) {
    this.ws = new WebSocket(url, init);
    this.ws.addEventListener("message", (m) => this.frames.push(JSON.parse(m.data)));
  }
  async next(pred: (f: J) => boolean, timeoutMs = 5_000): Promise<J> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const f = this.frames.find(pred);
      if (f !== undefined) return f;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error("no such frame");
  }
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((r) => this.ws.addEventListener("close", r, { once: true }));
    this.ws.close();
    await closed;
  }
}

function privateSocket(r: EdgeXReplica): Recorder {
  const c = r.credentials;
  const ts = String(r.clock.now());
  const path = "/api/v1/private/ws";
  const q = `accountId=${c.accountId}&timestamp=${ts}`;
  return new Recorder(`${r.wsUrl}${path}?${q}`, {
    headers: {
      "X-edgeX-Api-Key": c.apiKey,
      "X-edgeX-Passphrase": c.apiPassphrase,
      "X-edgeX-Timestamp": ts,
      "X-edgeX-Signature": edgeXHmac(c.apiSecret, `${ts}GET${path}${q}`),
    },
  });
}

function newClient(r: EdgeXReplica): EdgeXClient {
  const c = r.credentials;
  return new EdgeXClient({
    accountId: c.accountId,
    apiKey: c.apiKey,
    apiSecret: c.apiSecret,
    apiPassphrase: c.apiPassphrase,
    signerPrivateKey: c.signerPrivateKey,
    restUrl: r.restUrl,
    wsUrl: r.wsUrl,
  });
}

/** A replica with resting liquidity on both sides of BTC. */
function liquidReplica(): EdgeXReplica {
  const r = startEdgeXReplica({ heartbeatMs: 20 });
  const cp = r.counterpartyAccountId;
  r.engine.placeOrder(cp, { symbol: "BTC", side: "sell", size: "1", price: "64010" });
  r.engine.placeOrder(cp, { symbol: "BTC", side: "buy", size: "1", price: "63990" });
  return r;
}

// ------------------------------------------------------------------------------- REST, public

Deno.test("fidelity REST: getServerTime has the documented envelope and data", async () => {
  await using r = liquidReplica();
  const got = await publicFetch(r, "/api/v2/public/meta/getServerTime");
  sameShape(got, await fixture("rest/docs.getServerTime.response.json"), "getServerTime");
  ok(/^[0-9a-f]{32}$/.test(got.traceId), "traceId is 32 hex");
});

Deno.test("fidelity REST: getTicker matches the live ticker record (not the older docs example)", async () => {
  await using r = liquidReplica();
  const got = await publicFetch(r, "/api/v2/public/quote/getTicker?contractId=30000001");
  const doc = await fixture("rest/docs.getTicker.response.json");
  const live = await fixture("ws/live-v2.ticker.record.json");
  sameShape({ ...got, data: [] }, { ...doc, data: [] }, "getTicker envelope");
  deepEqual(got.data.length, 1);
  sameShape(got.data[0], live, "getTicker record = live ticker record");
  hasShapeOf(got.data[0], doc.data[0], "every field of the docs example is present");
});

Deno.test("fidelity REST: getDepth, getLatestFundingRate and getFundingRatePage", async () => {
  await using r = liquidReplica();
  const depth = await publicFetch(r, "/api/v2/public/quote/getDepth?contractId=30000001&level=15");
  sameShape(depth, await fixture("rest/docs.getDepth.response.json"), "getDepth");
  const latest = await publicFetch(
    r,
    "/api/v2/public/funding/getLatestFundingRate?contractId=30000001,30000002",
  );
  sameShape(latest, await fixture("rest/docs.getLatestFundingRate.response.json"), "latest");
  deepEqual(latest.data.length, 2);
  ok(/^-?\d+\.\d{8}$/.test(latest.data[0].fundingRate), "8-decimal rate");
  await r.control.advance(4 * 3_600_000);
  const page = await publicFetch(
    r,
    "/api/v2/public/funding/getFundingRatePage?contractId=30000001&size=10&filterSettlementFundingRate=true",
  );
  sameShape(page, await fixture("rest/docs.getFundingRatePage.response.json"), "funding page");
  deepEqual(page.data.dataList[0].isSettlement, true);
});

Deno.test("fidelity REST: getMetaData carries every documented global, coin and contract field", async () => {
  await using r = liquidReplica();
  const meta = await publicFetch(r, "/api/v2/public/meta/getMetaData");
  deepEqual(Object.keys(meta.data).sort(), ["coinList", "contractList", "global", "multiChain"]);
  for (const k of ["nativeChainId", "chainId", "contractAddress"]) {
    deepEqual(typeof meta.data.global[k], "string", `global.${k}`);
  }
  for (const coin of meta.data.coinList) exactKeys(coin, COIN_FIELDS, "coin");
  for (const c of meta.data.contractList) {
    exactKeys(c, [...CONTRACT_FIELDS_REQUIRED, "maxMarketPositionSize"], "contract");
    ok(/^3000\d{4}$/.test(c.contractId) && c.contractName.endsWith("USDC"));
    for (const k of ["enableTrade", "enableDisplay", "enableOpenPosition", "isStock", "isFx"]) {
      deepEqual(typeof c[k], "boolean", k);
    }
    deepEqual(typeof c.riskTierList[0].tier, "number", "tier is an int");
  }
});

// ------------------------------------------------------------------------------- REST, private

Deno.test("fidelity REST: createOrder, order reads, cancels and the account asset", async () => {
  await using r = liquidReplica();
  const client = newClient(r);
  try {
    await client.connect();
    const a = await client.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "limit",
      size: "0.01",
      price: "63000",
      clientOrderId: "fid-1",
    } as never);
    const me = r.credentials.accountId;
    const create = await signedFetch(r, "GET", "/api/v2/private/order/getOrderByClientOrderId", {
      accountId: me,
      clientOrderIdList: "fid-1",
    });
    const orderId = create.data[0].id;
    deepEqual(a.clientOrderId, "fid-1");
    const byId = await signedFetch(r, "GET", "/api/v2/private/order/getOrderById", {
      accountId: me,
      orderIdList: orderId,
    });
    const docOrder = await fixture("rest/docs.getOrderById.response.abbreviated.json");
    hasShapeOf(byId, docOrder, "getOrderById");
    hasShapeOf(create, docOrder, "getOrderByClientOrderId");
    exactKeys(byId.data[0], ORDER_FIELDS, "Order");
    const page = await signedFetch(r, "GET", "/api/v2/private/order/getActiveOrderPage", {
      accountId: me,
      size: "100",
    });
    hasShapeOf(
      page,
      await fixture("rest/docs.getActiveOrderPage.response.abbreviated.json"),
      "getActiveOrderPage",
    );
    exactKeys(page.data.dataList[0], ORDER_FIELDS, "Order in a page");

    const asset = await signedFetch(r, "GET", "/api/v2/private/account/getAccountAsset", {
      accountId: me,
    });
    exactKeys(asset.data, ACCOUNT_ASSET_FIELDS, "getAccountAsset");
    exactKeys(asset.data.account, ACCOUNT_FIELDS, "Account");
    exactKeys(asset.data.collateralList[0], COLLATERAL_FIELDS, "Collateral");
    exactKeys(asset.data.collateralAssetModelList[0], COLLATERAL_ASSET_FIELDS, "CollateralAsset");

    const cancel = await signedFetch(r, "POST", "/api/v2/private/order/cancelOrderById", {
      accountId: me,
      orderIdList: [orderId],
    });
    sameShape(cancel, await fixture("rest/docs.cancelOrderById.response.json"), "cancelById", [
      "cancelResultMap",
    ]);
    await client.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "limit",
      size: "0.01",
      price: "63000",
      clientOrderId: "fid-2",
    } as never);
    const byClient = await signedFetch(
      r,
      "POST",
      "/api/v2/private/order/cancelOrderByClientOrderId",
      { accountId: me, clientOrderIdList: ["fid-2"] },
    );
    sameShape(
      byClient,
      await fixture("rest/docs.cancelOrderByClientOrderId.response.json"),
      "cancelByClientOrderId",
      ["cancelResultMap"],
    );
    await client.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "limit",
      size: "0.01",
      price: "63000",
      clientOrderId: "fid-3",
    } as never);
    const all = await signedFetch(r, "POST", "/api/v2/private/order/cancelAllOrder", {
      accountId: me,
      filterContractIdList: ["30000001"],
    });
    sameShape(all, await fixture("rest/docs.cancelAllOrder.response.json"), "cancelAll", [
      "cancelResultMap",
    ]);
    deepEqual(Object.values(all.data.cancelResultMap), ["SUCCESS"]);

    // A position: the Position and PositionAsset records.
    await client.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "limit",
      size: "0.01",
      price: "64010",
      clientOrderId: "fid-4",
    } as never);
    const held = await signedFetch(r, "GET", "/api/v2/private/account/getAccountAsset", {
      accountId: me,
    });
    exactKeys(held.data.positionList[0], POSITION_FIELDS, "Position");
    exactKeys(held.data.positionList[0].longTermStat, STAT_FIELDS, "position stat");
    deepEqual(typeof held.data.positionList[0].longTermCount, "number");
    exactKeys(held.data.positionAssetList[0], POSITION_ASSET_FIELDS, "PositionAsset");
  } finally {
    await client.disconnect();
  }
});

Deno.test("fidelity REST: the createOrder answer is {orderId} in the envelope", async () => {
  await using r = liquidReplica();
  const seen: J[] = [];
  const c = r.credentials;
  const client = new EdgeXClient({
    accountId: c.accountId,
    apiKey: c.apiKey,
    apiSecret: c.apiSecret,
    apiPassphrase: c.apiPassphrase,
    signerPrivateKey: c.signerPrivateKey,
    restUrl: r.restUrl,
    wsUrl: r.wsUrl,
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).includes("/createOrder")) seen.push(await res.clone().json());
      return res;
    },
  });
  try {
    await client.connect();
    await client.placeOrder({
      symbol: "BTC",
      side: "sell",
      type: "limit",
      size: "0.01",
      price: "65000",
      clientOrderId: "fid-c",
    } as never);
  } finally {
    await client.disconnect();
  }
  deepEqual(seen.length, 1);
  sameShape(seen[0], await fixture("rest/docs.createOrder.response.json"), "createOrder");
  ok(/^\d{18,19}$/.test(seen[0].data.orderId));
});

// ------------------------------------------------------------------------------- public WS

Deno.test("fidelity WS public: connected, subscribed, depth, trades, ticker, bookTicker, ping", async () => {
  await using r = startEdgeXReplica({ heartbeatMs: 20, pingIntervalMs: 30 });
  const cp = r.counterpartyAccountId;
  r.engine.placeOrder(cp, { symbol: "BTC", side: "sell", size: "1", price: "64010" });
  r.engine.placeOrder(cp, { symbol: "BTC", side: "buy", size: "1", price: "63990" });
  const ws = new Recorder(`${r.wsUrl}/api/v1/public/ws`);
  try {
    const connected = await ws.next((f) => f.type === "connected");
    sameShape(connected, await fixture("ws/docs.public.connected.json"), "connected");
    for (
      const ch of ["depth.30000001.15", "trades.30000001", "ticker.all.1s", "bookTicker.all.1s"]
    ) {
      ws.ws.send(JSON.stringify({ type: "subscribe", channel: ch }));
    }
    const sub = await ws.next((f) => f.type === "subscribed" && f.channel === "ticker.all.1s");
    sameShape(sub, await fixture("ws/live-v2.subscribed.ticker.all.1s.SHAPE-ONLY.json"), "ack");
    deepEqual(JSON.parse(sub.request), { type: "subscribe", channel: "ticker.all.1s" });

    const isDepth = (t: string) => (f: J) =>
      f.channel === "depth.30000001.15" && f.content?.dataType === t;
    const snap = await ws.next(isDepth("Snapshot"));
    sameShape(snap, await fixture("ws/live-v2.depth.snapshot.quote-event.json"), "depth snapshot");
    const notLive = await fixture("ws/docs.public.depth.snapshot.NOT-LIVE-SHAPE.json");
    ok(shapeDiff(snap, notLive).length > 0, "not the docs' tuple shape");

    // A book change and a trade.
    r.engine.placeOrder(cp, { symbol: "BTC", side: "sell", size: "0.5", price: "64005" });
    r.engine.placeOrder(r.credentials.accountId, {
      symbol: "BTC",
      side: "buy",
      size: "0.1",
      price: "64005",
    });
    const changed = await ws.next((f) =>
      isDepth("changed")(f) && f.content.data[0].asks.length > 0
    );
    // One side of a change may be empty; the levels that are there are compared.
    deepEqual(
      shapeDiff(changed, await fixture("ws/live-v2.depth.changed.quote-event.json"), "$", {
        allowEmpty: true,
      }),
      [],
      "depth changed",
    );
    const beat = await ws.next((f) =>
      isDepth("changed")(f) && f.content.data[0].asks.length === 0 &&
      f.content.data[0].bids.length === 0
    );
    sameShape(
      beat,
      await fixture("ws/live-v2.depth.changed-empty-heartbeat.quote-event.json"),
      "depth heartbeat",
    );
    const trade = await ws.next((f) => f.type === "quote-event" && f.channel === "trades.30000001");
    sameShape(trade, await fixture("ws/live-v2.trades.changed.quote-event.json"), "trades");
    sameShape(trade.content.data[0], await fixture("ws/live-v2.trades.record.json"), "trade");
    ok(/^\d+$/.test(trade.content.data[0].takerAccountId), "taker account id");

    const ticker = await ws.next((f) => f.type === "quote-event" && f.channel === "ticker.all.1s");
    const live = await fixture("ws/live-v2.ticker.record.json");
    for (const t of ticker.content.data) sameShape(t, live, "ticker.all.1s record");
    sameShape(
      { ...ticker, channel: "x", content: { ...ticker.content, channel: "x", data: [] } },
      { type: "quote-event", channel: "x", content: { channel: "x", dataType: "s", data: [] } },
      "ticker envelope",
    );
    const book = await ws.next((f) =>
      f.type === "quote-event" && f.channel === "bookTicker.all.1s"
    );
    sameShape(book, await fixture("ws/live-v2.bookTicker.all.1s.quote-event.json"), "bookTicker");

    const ping = await ws.next((f) => f.type === "ping");
    sameShape(ping, await fixture("ws/live-v2.ping.json"), "ping");
  } finally {
    await ws.close();
  }
});

// ------------------------------------------------------------------------------- private WS

Deno.test("fidelity WS private: connected, Snapshot, ORDER_UPDATE with fills, error, pong", async () => {
  await using r = liquidReplica();
  const ws = privateSocket(r);
  try {
    const connected = await ws.next((f) => f.type === "connected");
    sameShape(connected, await fixture("ws/docs.private.connected.live.json"), "connected");
    const snap = await ws.next((f) => f.content?.event === "Snapshot");
    const liveSnap = await fixture("ws/docs.private.snapshot.live-trimmed.json");
    // The envelope exactly (numeric version/time/accountId), the records at least as trimmed.
    sameShape(
      { ...snap, content: { ...snap.content, data: {} } },
      { ...liveSnap, content: { ...liveSnap.content, data: {} } },
      "trade-event envelope",
    );
    exactKeys(snap.content.data.account[0], ACCOUNT_FIELDS, "Snapshot account");
    hasShapeOf(snap.content.data.account, liveSnap.content.data.account, "Snapshot account");
    hasShapeOf(snap.content.data.collateral, liveSnap.content.data.collateral, "collateral");

    r.engine.placeOrder(r.credentials.accountId, {
      symbol: "BTC",
      side: "buy",
      size: "0.1",
      price: "64010",
      clientOrderId: "fid-p",
    });
    const upd = await ws.next((f) =>
      f.content?.event === "ORDER_UPDATE" && (f.content.data.orderFillTransaction ?? []).length > 0
    );
    const live = await fixture("ws/docs.private.order_update.live-trimmed.json");
    const d = upd.content.data;
    for (const k of ["order", "orderFillTransaction", "position", "collateral"]) {
      hasShapeOf(d[k], live.content.data[k], `ORDER_UPDATE ${k}`);
    }
    exactKeys(d.order[0], ORDER_FIELDS, "pushed Order");
    exactKeys(d.orderFillTransaction[0], FILL_FIELDS, "pushed fill");
    exactKeys(d.position[0], POSITION_FIELDS, "pushed Position");
    exactKeys(d.collateral[0], COLLATERAL_FIELDS, "pushed Collateral");
    deepEqual(typeof d.orderFillTransaction[0].matchIndex, "number");

    ws.ws.send(JSON.stringify({ type: "subscribe", channel: "x" }));
    const err = await ws.next((f) => f.type === "error");
    deepEqual(err, await fixture("ws/docs.private.error.json"));
    ws.ws.send(JSON.stringify({ type: "ping", time: "1773833240000" }));
    deepEqual(await ws.next((f) => f.type === "pong"), await fixture("ws/docs.private.pong.json"));
  } finally {
    await ws.close();
  }
});
