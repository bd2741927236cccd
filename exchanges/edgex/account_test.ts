/**
 * Funding payments, positions with risk, balance margin ratio, leverage and the account's fee
 * rates: on scripted answers (literals written by hand from the venue's record shapes) and
 * through the replica over loopback.
 */
import { deepStrictEqual as deepEqual, ok, rejects } from "node:assert/strict";
import { ConfigurationError, Decimal, type ExchangeEvent } from "../../base.ts";
import { ManualClock } from "../_shared/clock.ts";
import { startEdgeXReplica } from "../../sim/edgex/mod.ts";
import { EdgeXClient } from "./client.ts";
import { fundingPaymentOf } from "./_account.ts";
import { envelope, fakeClient, FakeRest, FakeSocket, META } from "./_fake_venue_test.ts";

const H4 = 4 * 3_600_000;
const T0 = 1_800_000_000_000;

/** A SETTLE_FUNDING_FEE record in the gitbook's field set (unused fields as the venue sends them). */
function fundingTx(
  id: string,
  time: number,
  rate: string,
  size: string,
  delta: string,
): Record<string, unknown> {
  return {
    id,
    userId: "543429922866069763",
    accountId: "1",
    coinId: "1000",
    contractId: "30000001",
    type: "SETTLE_FUNDING_FEE",
    deltaOpenSize: "0",
    deltaOpenValue: "0",
    deltaOpenFee: "0",
    deltaFundingFee: delta,
    beforeOpenSize: size,
    beforeOpenValue: "0",
    beforeOpenFee: "0",
    beforeFundingFee: "0",
    fillCloseSize: "",
    fillPrice: "",
    realizePnl: "",
    isLiquidate: false,
    isDeleverage: false,
    fundingTime: String(time),
    fundingRate: rate,
    fundingIndexPrice: "64000",
    fundingOraclePrice: "64000",
    fundingPositionSize: size,
    orderId: "0",
    createdTime: String(time + 35),
    updatedTime: String(time + 35),
  };
}

// Four settlements, newest first as the venue pages them: a long paying and a short receiving
// under a positive rate, then a long receiving and a short paying under a negative one.
// Amounts by hand: −size × 64000 × rate.
const TX1 = fundingTx("950000000000000001", T0, "0.00010000", "0.500", "-3.200000");
const TX2 = fundingTx("950000000000000002", T0 + H4, "0.00010000", "-0.200", "1.280000");
const TX3 = fundingTx("950000000000000003", T0 + 2 * H4, "-0.00005000", "0.500", "1.600000");
const TX4 = fundingTx("950000000000000004", T0 + 3 * H4, "-0.00005000", "-0.200", "-0.640000");

function pagedFunding(rest: FakeRest): URLSearchParams[] {
  const queries: URLSearchParams[] = [];
  rest.routes.set("getPositionTransactionPage", ({ query }) => {
    queries.push(query);
    // The second page repeats TX3: a row arrived between the reads and shifted the offsets.
    return query.get("offsetData") === "2"
      ? { json: envelope({ dataList: [TX3, TX2, TX1], nextPageOffsetData: "" }) }
      : { json: envelope({ dataList: [TX4, TX3], nextPageOffsetData: "2" }) };
  });
  return queries;
}

const view = (p: { time: number; amount: Decimal; rate?: Decimal; positionSize?: Decimal }) => [
  p.time,
  p.amount.toString(),
  p.rate?.toString(),
  p.positionSize?.toString(),
];

Deno.test("funding payments keep the venue's account-view sign: long pays and short receives, and the reverse", async () => {
  const rest = new FakeRest();
  const queries = pagedFunding(rest);
  const client = fakeClient(rest);
  try {
    const payments = await client.getFundingPayments();
    deepEqual(payments.map(view), [
      [T0, "-3.2", "0.0001", "0.5"],
      [T0 + H4, "1.28", "0.0001", "-0.2"],
      [T0 + 2 * H4, "1.6", "-0.00005", "0.5"],
      [T0 + 3 * H4, "-0.64", "-0.00005", "-0.2"],
    ]);
    deepEqual(payments.map((p) => [p.venue, p.symbol, p.id]), [
      ["edgex", "BTC", "950000000000000001"],
      ["edgex", "BTC", "950000000000000002"],
      ["edgex", "BTC", "950000000000000003"],
      ["edgex", "BTC", "950000000000000004"],
    ]);
    deepEqual(queries.map((q) => Object.fromEntries(q)), [
      { accountId: "1", size: "100", filterTypeList: "SETTLE_FUNDING_FEE" },
      { accountId: "1", size: "100", offsetData: "2", filterTypeList: "SETTLE_FUNDING_FEE" },
    ]);
  } finally {
    await client.disconnect();
  }
});

Deno.test("funding payments filter by contract and settlement time, and a limit keeps the most recent", async () => {
  const rest = new FakeRest();
  const queries = pagedFunding(rest);
  const client = fakeClient(rest);
  try {
    const window = await client.getFundingPayments({
      symbol: "BTC",
      start: T0 + H4,
      end: T0 + 3 * H4,
    });
    deepEqual(window.map((p) => p.time), [T0 + H4, T0 + 2 * H4]);
    deepEqual(Object.fromEntries(queries[0]), {
      accountId: "1",
      size: "100",
      filterTypeList: "SETTLE_FUNDING_FEE",
      filterContractIdList: "30000001",
      filterStartCreatedTimeInclusive: String(T0 + H4),
      filterEndCreatedTimeExclusive: String(T0 + 3 * H4),
    });
    queries.length = 0;
    const last = await client.getFundingPayments({ limit: 2 });
    deepEqual(last.map((p) => p.id), ["950000000000000003", "950000000000000004"]);
    deepEqual(queries.map((q) => q.get("size")), ["2"]);
    // A page holds more than the limit: the newest stay.
    deepEqual((await client.getFundingPayments({ limit: 1 })).map((p) => p.id), [
      "950000000000000004",
    ]);
    await rejects(client.getFundingPayments({ limit: 0 }), ConfigurationError);
    await rejects(client.getFundingPayments({ symbol: "DOGE" }), /Unknown market 'DOGE'/);
  } finally {
    await client.disconnect();
  }
});

Deno.test("a funding record's size takes the side of the open size when sent unsigned", () => {
  const [tx] = [{
    id: "9",
    contractId: "30000001",
    type: "SETTLE_FUNDING_FEE",
    deltaFundingFee: new Decimal("2"),
    beforeOpenSize: new Decimal("-0.3"),
    fundingPositionSize: new Decimal("0.3"),
    fundingTime: T0,
    fundingRate: new Decimal("0.0001"),
    createdTime: T0,
  }];
  deepEqual(fundingPaymentOf("BTC", tx)?.positionSize?.toString(), "-0.3");
  deepEqual(fundingPaymentOf("BTC", { ...tx, type: "BUY_POSITION" }), undefined);
  // `fundingTime` "0" (not a settlement) falls back to the creation time.
  deepEqual(fundingPaymentOf("BTC", { ...tx, fundingTime: 0, createdTime: T0 + 7 })?.time, T0 + 7);
});

Deno.test("a FUNDING_SETTLEMENT frame is one funding event per settlement id", async () => {
  const rest = new FakeRest();
  const client = fakeClient(rest, { clock: new ManualClock(T0) });
  const events: ExchangeEvent[] = [];
  client.onEvent((e) => events.push(e));
  try {
    await client.connect();
    const socket = FakeSocket.made.findLast((s) => s.private)!;
    const frame = (version: number) => ({
      type: "trade-event",
      content: {
        event: "FUNDING_SETTLEMENT",
        version,
        time: T0,
        accountId: 0,
        data: {
          position: [{
            contractId: "30000001",
            openSize: "0.500",
            openValue: "32000",
            fundingFee: "-3.200000",
          }],
          positionTransaction: [TX1],
          collateral: [{ coinId: "1000", amount: "996.8" }],
        },
      },
    });
    socket.deliver(frame(5));
    socket.deliver(frame(6));
    await new Promise((r) => setTimeout(r, 10));
    const funding = events.filter((e) => e.type === "funding");
    deepEqual(funding.length, 1);
    ok(funding[0].type === "funding");
    deepEqual(view(funding[0].payment), [T0, "-3.2", "0.0001", "0.5"]);
    deepEqual(funding[0].payment.id, "950000000000000001");
    const position = events.find((e) => e.type === "position");
    ok(position?.type === "position");
    deepEqual(position.position.cumulativeFunding?.toString(), "-3.2");
  } finally {
    await client.disconnect();
  }
});

Deno.test("positions carry the reported risk and the balance its margin ratio", async () => {
  const rest = new FakeRest();
  let asset: Record<string, unknown> = {
    collateralList: [{ coinId: "1000", amount: "-81.943188" }],
    positionList: [{
      contractId: "30000001",
      openSize: "0.001",
      openValue: "97.444500",
      fundingFee: "0.000120",
    }],
    positionAssetList: [{
      contractId: "30000001",
      positionValue: "97.7344",
      maxLeverage: "50",
      initialMarginRequirement: "1.954688",
      riskRate: "0.005",
      riskValue: "0.488672",
      avgEntryPrice: "97444.5",
      liquidatePrice: "82354.9",
      unrealizePnl: "0.289926",
    }],
    collateralAssetModelList: [{
      coinId: "1000",
      totalEquity: "20",
      availableAmount: "13.836550",
      initialMarginRequirement: "1.954688",
      riskValue: "0.5",
    }],
  };
  rest.routes.set("getAccountAsset", () => ({ json: envelope(asset) }));
  const client = fakeClient(rest);
  try {
    const [p] = await client.getPositions();
    deepEqual(
      [
        p.size,
        p.entryPrice,
        p.liquidationPrice,
        p.marginUsed,
        p.maintenanceMargin,
        p.leverage,
        p.cumulativeFunding,
      ].map((d) => d?.toString()),
      ["0.001", "97444.5", "82354.9", "1.954688", "0.488672", "50", "0.00012"],
    );
    const b = await client.getBalance();
    deepEqual([b.equity, b.available, b.marginRatio].map((d) => d?.toString()), [
      "20",
      "13.83655",
      "0.025",
    ]);
    // The V1 names of the risk value; a "0" liquidation price and leverage mean none.
    asset = {
      ...asset,
      positionAssetList: [{
        contractId: "30000001",
        maxLeverage: "0",
        starkExRiskValue: "0.25",
        liquidatePrice: "0",
      }],
      collateralAssetModelList: [{
        coinId: "1000",
        totalEquity: "10",
        availableAmount: "5",
        starkExRiskValue: "0.25",
      }],
    };
    const [q] = await client.getPositions();
    deepEqual([q.liquidationPrice, q.leverage, q.marginUsed], [undefined, undefined, undefined]);
    deepEqual(q.maintenanceMargin?.toString(), "0.25");
    deepEqual((await client.getBalance()).marginRatio?.toString(), "0.025");
    // No risk value reported: no margin ratio.
    asset = {
      ...asset,
      collateralAssetModelList: [{ coinId: "1000", totalEquity: "10", availableAmount: "5" }],
    };
    deepEqual((await client.getBalance()).marginRatio, undefined);
  } finally {
    await client.disconnect();
  }
});

Deno.test("the account's own fee rates replace the contract defaults", async () => {
  const rest = new FakeRest();
  let setting = { isSetFeeRate: false, takerFeeRate: "", makerFeeRate: "" };
  rest.routes.set("getAccountAsset", () => ({
    json: envelope({
      ...rest.accountAsset(),
      account: {
        id: "1",
        defaultTradeSetting: {
          isSetFeeRate: true,
          takerFeeRate: "0.000400",
          makerFeeRate: "0.000100",
          isSetMaxLeverage: false,
          maxLeverage: "0",
        },
        contractIdToTradeSetting: { "30000001": setting },
      },
    }),
  }));
  const client = fakeClient(rest);
  try {
    const before = await client.getMarket("BTC");
    deepEqual([before.makerFee?.toString(), before.takerFee?.toString()], ["0.0002", "0.0005"]);
    await client.getBalance();
    const after = await client.getMarket("BTC");
    deepEqual([after.makerFee?.toString(), after.takerFee?.toString()], ["0.0001", "0.0004"]);
    setting = { isSetFeeRate: true, takerFeeRate: "0.000300", makerFeeRate: "-0.000050" };
    await client.getBalance();
    const own = await client.getMarket("BTC");
    deepEqual([own.makerFee?.toString(), own.takerFee?.toString()], ["-0.00005", "0.0003"]);
  } finally {
    await client.disconnect();
  }
});

Deno.test("setLeverage sends updateLeverageSetting; a leverage the market cannot take is refused before sending", async () => {
  const rest = new FakeRest();
  const bodies: unknown[] = [];
  rest.routes.set("getMetaData", () => ({
    json: envelope({
      ...META,
      contractList: [{ ...META.contractList[0], displayMaxLeverage: "50" }],
    }),
  }));
  rest.routes.set("updateLeverageSetting", ({ body }) => {
    bodies.push(body);
    return { json: envelope(null) };
  });
  const client = fakeClient(rest);
  try {
    await client.setLeverage("BTC", 20);
    deepEqual(bodies, [{ accountId: "1", contractId: "30000001", leverage: "20" }]);
    for (const bad of [0, -3, 2.5, Number.NaN]) {
      await rejects(
        client.setLeverage("BTC", bad),
        (e: unknown) => e instanceof ConfigurationError && e.message.includes("positive integer"),
      );
    }
    await rejects(
      client.setLeverage("BTC", 51),
      (e: unknown) => e instanceof ConfigurationError && e.message.includes("at most 50"),
    );
    deepEqual(bodies.length, 1, "nothing sent for a refused leverage");
  } finally {
    await client.disconnect();
  }
});

Deno.test("through the replica: a settlement is a funding event, a payment and the position's funding; leverage shows on the position", async () => {
  const clock = new ManualClock(T0 + 1_000);
  await using replica = startEdgeXReplica({ clock });
  const c = replica.credentials;
  const client = new EdgeXClient({
    accountId: c.accountId,
    apiKey: c.apiKey,
    apiSecret: c.apiSecret,
    apiPassphrase: c.apiPassphrase,
    signerPrivateKey: c.signerPrivateKey,
    restUrl: replica.restUrl,
    wsUrl: replica.wsUrl,
    reconnectBaseDelayMs: 50,
  });
  const events: ExchangeEvent[] = [];
  client.onEvent((e) => events.push(e));
  try {
    await client.connect();
    replica.engine.setPrices("BTC", { markPrice: "64000", indexPrice: "64000" });
    replica.control.scriptFunding("BTC", "0.0001");
    replica.engine.placeOrder(replica.counterpartyAccountId, {
      symbol: "BTC",
      side: "sell",
      type: "limit",
      size: "0.5",
      price: "64000",
    });
    await client.setLeverage("BTC", 20);
    await client.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "limit",
      size: "0.5",
      price: "64000",
      timeInForce: "ioc",
    });
    // The next 4-hour boundary after T0 + 1 s is T0 + 4 h (T0 is a multiple of 4 h).
    await replica.control.advance(T0 + H4 - clock.now());
    const deadline = Date.now() + 5_000;
    while (!events.some((e) => e.type === "funding") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const funding = events.filter((e) => e.type === "funding");
    deepEqual(funding.length, 1);
    ok(funding[0].type === "funding");
    // A long of 0.5 at 64000 pays 0.5 × 64000 × 0.0001 = 3.2.
    deepEqual(view(funding[0].payment), [T0 + H4, "-3.2", "0.0001", "0.5"]);
    const payments = await client.getFundingPayments({ symbol: "BTC" });
    deepEqual(payments.map(view), [[T0 + H4, "-3.2", "0.0001", "0.5"]]);
    deepEqual(payments[0].id, funding[0].payment.id);
    deepEqual(await client.getFundingPayments({ start: T0 + H4 + 1 }), []);
    const [p] = await client.getPositions();
    deepEqual([p.leverage, p.cumulativeFunding, p.marginUsed].map((d) => d?.toString()), [
      "20",
      "-3.2",
      "1600", // 0.5 × 64000 / 20
    ]);
    deepEqual(p.maintenanceMargin?.toString(), "320"); // 0.5 × 64000 × 1 / (2 × 50)
  } finally {
    await client.disconnect();
  }
});
