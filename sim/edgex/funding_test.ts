/**
 * The replica's funding settlement (every 4 h through the engine), its position-transaction
 * ledger as `getPositionTransactionPage` serves it, `updateLeverageSetting` and the risk figures
 * of `getAccountAsset`, read over signed HTTP with literals written by hand.
 */
import { deepStrictEqual as deepEqual } from "node:assert/strict";
import { Decimal } from "../../core/decimal.ts";
import { ManualClock } from "../../exchanges/_shared/clock.ts";
import { signEdgeXRequest } from "../../exchanges/edgex/auth.ts";
import { type EdgeXReplica, startEdgeXReplica } from "./mod.ts";

const H4 = 4 * 3_600_000;
const T0 = 1_800_000_000_000; // a multiple of 4 h

type Json = Record<string, unknown>;

async function call(
  replica: EdgeXReplica,
  method: "GET" | "POST",
  path: string,
  params: Record<string, string>,
): Promise<{ status: number; body: Json }> {
  const c = replica.credentials;
  const query = method === "GET" ? { accountId: c.accountId, ...params } : undefined;
  const body = method === "POST" ? { accountId: c.accountId, ...params } : undefined;
  const headers = signEdgeXRequest({ method, path, query, body }, {
    apiKey: c.apiKey,
    secret: c.apiSecret,
    passphrase: c.apiPassphrase,
    timestamp: replica.clock.now(),
  });
  const url = `${replica.restUrl}${path}${query ? `?${new URLSearchParams(query)}` : ""}`;
  const r = await fetch(url, {
    method,
    headers: { ...headers, "content-type": "application/json" },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, body: await r.json() };
}

const PAGE = "/api/v2/private/account/getPositionTransactionPage";

/** Opens a 0.5 BTC position at 64000 for the test account (the counterparty rests the other side). */
function open(replica: EdgeXReplica, side: "buy" | "sell"): void {
  const e = replica.engine;
  e.setPrices("BTC", { markPrice: "64000", indexPrice: "64000" });
  e.placeOrder(replica.counterpartyAccountId, {
    symbol: "BTC",
    side: side === "buy" ? "sell" : "buy",
    type: "limit",
    size: "0.5",
    price: "64000",
  });
  e.placeOrder(replica.credentials.accountId, {
    symbol: "BTC",
    side,
    type: "limit",
    size: "0.5",
    price: "64000",
    timeInForce: "ioc",
  });
}

for (
  const [side, size, amount] of [
    ["buy", "0.5", "-3.2"], // a long pays 0.5 × 64000 × 0.0001
    ["sell", "-0.5", "3.2"], // a short receives it
  ] as const
) {
  Deno.test(`a settlement after 4 h books ${amount} to a ${side === "buy" ? "long" : "short"} and lists it with the account-view sign`, async () => {
    const clock = new ManualClock(T0 + 60_000);
    await using replica = startEdgeXReplica({ clock });
    const me = replica.credentials.accountId;
    open(replica, side);
    replica.control.scriptFunding("BTC", "0.0001");
    const before = new Decimal(replica.engine.balance(me).collateral);
    // One minute short of the boundary: nothing yet.
    await replica.control.advance(T0 + H4 - 60_000 - clock.now());
    deepEqual((await call(replica, "GET", PAGE, {})).body.data, {
      dataList: [],
      nextPageOffsetData: "",
    });
    await replica.control.advance(60_000);
    deepEqual(
      new Decimal(replica.engine.balance(me).collateral).minus(before).toString(),
      amount,
    );
    deepEqual(replica.control.truth(me).fundingPayments.map((p) => p.time), [T0 + H4]);
    const { body } = await call(replica, "GET", PAGE, { filterTypeList: "SETTLE_FUNDING_FEE" });
    const page = body.data as { dataList: Json[]; nextPageOffsetData: string };
    deepEqual(page.nextPageOffsetData, "");
    deepEqual(page.dataList.length, 1);
    const tx = page.dataList[0];
    deepEqual(
      [tx.type, tx.contractId, tx.accountId, tx.fundingTime, tx.createdTime, tx.fundingRate],
      ["SETTLE_FUNDING_FEE", "30000001", me, String(T0 + H4), String(T0 + H4), "0.00010000"],
    );
    deepEqual(new Decimal(tx.deltaFundingFee as string).toString(), amount);
    deepEqual(new Decimal(tx.fundingPositionSize as string).toString(), size);
    deepEqual(new Decimal(tx.beforeOpenSize as string).toString(), size);
    deepEqual(new Decimal(tx.beforeFundingFee as string).toString(), "0");
    for (const k of ["id", "deltaFundingFee", "fundingTime", "fundingRate", "createdTime"]) {
      deepEqual(typeof tx[k], "string", k);
    }
    // The position's funding so far carries the same amount.
    const asset = (await call(replica, "GET", "/api/v2/private/account/getAccountAsset", {}))
      .body.data as { positionList: Json[] };
    deepEqual(new Decimal(asset.positionList[0].fundingFee as string).toString(), amount);
  });
}

Deno.test("the position-transaction page: filters, newest first, offset paging and the documented size limit", async () => {
  const clock = new ManualClock(T0 + 60_000);
  await using replica = startEdgeXReplica({ clock });
  open(replica, "buy");
  replica.control.scriptFunding("BTC", "0.0001");
  await replica.control.advance(T0 + 3 * H4 - clock.now());
  const first = (await call(replica, "GET", PAGE, { size: "2" })).body.data as {
    dataList: Json[];
    nextPageOffsetData: string;
  };
  deepEqual(first.dataList.map((t) => t.fundingTime), [String(T0 + 3 * H4), String(T0 + 2 * H4)]);
  const second = (await call(replica, "GET", PAGE, {
    size: "2",
    offsetData: first.nextPageOffsetData,
  })).body.data as { dataList: Json[]; nextPageOffsetData: string };
  deepEqual([second.dataList.map((t) => t.fundingTime), second.nextPageOffsetData], [
    [String(T0 + H4)],
    "",
  ]);
  const window = (await call(replica, "GET", PAGE, {
    filterStartCreatedTimeInclusive: String(T0 + 2 * H4),
    filterEndCreatedTimeExclusive: String(T0 + 3 * H4),
  })).body.data as { dataList: Json[] };
  deepEqual(window.dataList.map((t) => t.fundingTime), [String(T0 + 2 * H4)]);
  const filters: Record<string, string>[] = [
    { filterContractIdList: "30000002" },
    { filterTypeList: "BUY_POSITION" },
  ];
  for (const params of filters) {
    deepEqual(((await call(replica, "GET", PAGE, params)).body.data as Json).dataList, []);
  }
  const tooBig = await call(replica, "GET", PAGE, { size: "101" });
  deepEqual([tooBig.status, tooBig.body.code], [400, "INVALID_PARAMETER"]);
});

Deno.test("updateLeverageSetting sets the leverage the position's margin and the account settings show", async () => {
  const clock = new ManualClock(T0 + 60_000);
  await using replica = startEdgeXReplica({ clock, collateral: "2000" });
  const me = replica.credentials.accountId;
  const set = "/api/v2/private/account/updateLeverageSetting";
  const ok1 = await call(replica, "POST", set, { contractId: "30000001", leverage: "20" });
  deepEqual([ok1.status, ok1.body.code, ok1.body.data], [200, "SUCCESS", null]);
  deepEqual(new Decimal(replica.engine.position(me, "BTC").leverage).toString(), "20");
  const tooHigh = await call(replica, "POST", set, { contractId: "30000001", leverage: "51" });
  deepEqual([tooHigh.status, tooHigh.body.code], [400, "INVALID_PARAMETER"]);
  const notString = await call(replica, "POST", set, { contractId: "30000001", leverage: "x" });
  deepEqual(notString.body.code, "INVALID_PARAMETER");
  open(replica, "buy");
  const asset = (await call(replica, "GET", "/api/v2/private/account/getAccountAsset", {}))
    .body.data as {
      account: { contractIdToTradeSetting: Record<string, Json> };
      positionAssetList: Json[];
      collateralAssetModelList: Json[];
    };
  const [pa] = asset.positionAssetList;
  deepEqual(pa.maxLeverage, "20");
  deepEqual(new Decimal(pa.initialMarginRequirement as string).toString(), "1600");
  deepEqual(new Decimal(pa.starkExRiskValue as string).toString(), "320");
  deepEqual(new Decimal(pa.starkExRiskRate as string).toString(), "0.01");
  // Cash 2000 − taker fee 0.5 × 64000 × 0.00038 = 1987.84; equity + 0.5 (P − 64000) =
  // 0.5 × P × 0.01 ⇒ P = 30012.16 / 0.495 = 60630.62…, a tick up: 60630.7.
  deepEqual(pa.liquidatePrice, "60630.7");
  deepEqual(
    new Decimal(asset.collateralAssetModelList[0].starkExRiskValue as string).toString(),
    "320",
  );
  deepEqual(asset.account.contractIdToTradeSetting["30000001"].maxLeverage, "20");
  deepEqual(asset.account.contractIdToTradeSetting["30000001"].isSetMaxLeverage, true);
});
