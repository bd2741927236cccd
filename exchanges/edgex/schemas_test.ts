/**
 * Every EdgeX fixture marked live or SDK-derived parses with the client's schemas; the
 * NOT-LIVE-SHAPE ones (gitbook-invented public payloads) do not, and a malformed or mistyped
 * field is a MalformedPayloadError naming it.
 */
import { deepStrictEqual as deepEqual, ok, throws } from "node:assert/strict";
import { z } from "zod";
import { MalformedPayloadError } from "../../core/errors.ts";
import { parsePayload } from "../_shared/parse.ts";
import { _decodeDepthFrame } from "./client.ts";
import {
  bookTickerSchema,
  cancelAllBodySchema,
  cancelByClientIdBodySchema,
  cancelByIdBodySchema,
  cancelResultSchema,
  collateralSchema,
  connectedSchema,
  createOrderBodySchema,
  createOrderResultSchema,
  depthSchema,
  edgeXEnvelope,
  errorEnvelopeSchema,
  fundingRateSchema,
  klineSchema,
  orderSchema,
  pageOf,
  pingSchema,
  quoteEventOf,
  serverTimeSchema,
  subscribedSchema,
  tickerSchema,
  tradeEventSchema,
  tradeSchema,
  wsErrorSchema,
} from "./schemas.ts";
import { testdataUrl } from "../../tests/_testdata.ts";

const FIXTURES = testdataUrl("fixtures/edgex/");

async function fixture(path: string): Promise<unknown> {
  return JSON.parse(await Deno.readTextFile(new URL(path, FIXTURES)));
}

const opts = { venue: "edgex", endpoint: "fixture" };

/** Fixture → schema. Every REST response is checked inside the success envelope. */
const REST: Record<string, z.ZodType> = {
  "docs.getServerTime.response.json": edgeXEnvelope(serverTimeSchema),
  "sdkdoc.getServerTime.response.json": edgeXEnvelope(serverTimeSchema),
  "docs.getTicker.response.json": edgeXEnvelope(z.array(tickerSchema)),
  "sdkdoc.getTicker.testnet.response.json": edgeXEnvelope(z.array(tickerSchema)),
  "docs.getDepth.response.json": edgeXEnvelope(z.array(depthSchema)),
  "docs.getLatestFundingRate.response.json": edgeXEnvelope(z.array(fundingRateSchema)),
  "sdkdoc.getLatestFundingRate.testnet.response.json": edgeXEnvelope(z.array(fundingRateSchema)),
  "docs.getFundingRatePage.response.json": edgeXEnvelope(pageOf(fundingRateSchema)),
  "docs.createOrder.response.json": edgeXEnvelope(createOrderResultSchema),
  "sdkdoc.createOrder.limit.testnet.response.json": edgeXEnvelope(createOrderResultSchema),
  "sdktest.createOrder.mock-response.json": edgeXEnvelope(createOrderResultSchema),
  "docs.cancelOrderById.response.json": edgeXEnvelope(cancelResultSchema),
  "docs.cancelOrderByClientOrderId.response.json": edgeXEnvelope(cancelResultSchema),
  "docs.cancelAllOrder.response.json": edgeXEnvelope(cancelResultSchema),
  "sdkdoc.cancelOrderById.testnet.response.json": edgeXEnvelope(cancelResultSchema),
  "docs.getOrderById.response.abbreviated.json": edgeXEnvelope(z.array(orderSchema)),
  "docs.getActiveOrderPage.response.abbreviated.json": edgeXEnvelope(pageOf(orderSchema)),
  "docs.getCollateralByCoinId.response.json": edgeXEnvelope(z.array(collateralSchema)),
  "docs.updateLeverageSetting.response.json": edgeXEnvelope(z.null()),
  "docs.getMaxCreateOrderSize.response.json": edgeXEnvelope(z.object({
    maxBuySize: z.string(),
    maxSellSize: z.string(),
  })),
  "docs.getAccountDeleverageLight.response.json": edgeXEnvelope(z.object({
    positionContractIdToLightNumberMap: z.record(z.string(), z.number()),
  })),
  "docs.getMarketStatus.response.json": edgeXEnvelope(z.object({
    status: z.boolean(),
    contractId: z.union([z.number(), z.string()]),
  })),
  "docs.getMultiContractKline.response.json": edgeXEnvelope(z.array(z.object({
    contractId: z.string(),
    klineList: z.array(klineSchema),
  }))),
  "sdkdoc.getAccountAssetSnapshotPage.testnet.response.json": edgeXEnvelope(pageOf(z.object({
    accountId: z.string(),
    totalEquity: z.string(),
  }))),
};

/** Request bodies the replica reads. */
const REQUESTS: Record<string, z.ZodType> = {
  "docs.cancelOrderById.request.json": cancelByIdBodySchema,
  "sdkdoc.cancelOrderById.testnet.request.json": cancelByIdBodySchema,
  "docs.cancelOrderByClientOrderId.request.json": cancelByClientIdBodySchema,
  "docs.cancelAllOrder.request.json": cancelAllBodySchema,
  "sdkdoc.createOrder.limit.testnet.request.json": createOrderBodySchema,
  "sdkdoc.createOrder.stopMarket.testnet.request.json": createOrderBodySchema,
};

const WS: Record<string, z.ZodType> = {
  "live-v2.depth.snapshot.quote-event.json": quoteEventOf(depthSchema),
  "live-v2.depth.changed.quote-event.json": quoteEventOf(depthSchema),
  "live-v2.depth.changed-empty-heartbeat.quote-event.json": quoteEventOf(depthSchema),
  "live-v2.bookTicker.all.1s.quote-event.json": quoteEventOf(bookTickerSchema),
  "live-v2.bookTicker.all.1s.snapshot-empty-book.quote-event.json": quoteEventOf(
    bookTickerSchema,
  ),
  "live-v2.trades.changed.quote-event.json": quoteEventOf(tradeSchema),
  "live-v2.trades.record.json": tradeSchema,
  "live-v2.ticker.record.json": tickerSchema,
  "live-v2.kline.record.json": klineSchema,
  "live-v2.ping.json": pingSchema,
  "live-v2.subscribed.ticker.all.1s.SHAPE-ONLY.json": subscribedSchema,
  "docs.private.connected.live.json": connectedSchema,
  "docs.private.snapshot.live-trimmed.json": tradeEventSchema,
  "docs.private.order_update.live-trimmed.json": tradeEventSchema,
  "docs.private.transfer_out_update.live-trimmed.json": tradeEventSchema,
  "docs.private.ping.json": pingSchema,
  "docs.private.pong.json": pingSchema,
  "docs.private.error.json": wsErrorSchema,
  "docs.public.connected.json": connectedSchema,
  "docs.public.subscribed.response.json": subscribedSchema,
  "docs.public.unsubscribed.response.json": subscribedSchema,
};

for (const [file, schema] of Object.entries(REST)) {
  Deno.test(`fixture rest/${file} parses`, async () => {
    parsePayload(schema, await fixture(`rest/${file}`), opts);
  });
}
for (const [file, schema] of Object.entries(REQUESTS)) {
  Deno.test(`fixture rest/${file} parses as a request body`, async () => {
    parsePayload(schema, await fixture(`rest/${file}`), opts);
  });
}
for (const [file, schema] of Object.entries(WS)) {
  Deno.test(`fixture ws/${file} parses`, async () => {
    parsePayload(schema, await fixture(`ws/${file}`), opts);
  });
}

Deno.test("every fixture file is covered by a test or listed as not a payload", async () => {
  const covered = new Set([
    ...Object.keys(REST).map((f) => `rest/${f}`),
    ...Object.keys(REQUESTS).map((f) => `rest/${f}`),
    ...Object.keys(WS).map((f) => `ws/${f}`),
  ]);
  // Not payloads the client or replica reads: V1 StarkEx example, placeholders, withdrawal
  // flow (wallet key), request shapes of endpoints the client does not call, an elided excerpt,
  // and the gitbook-invented public shapes (tested below to FAIL).
  const notPayloads = [
    "rest/docs.createOrder.request.v1-starkex-example.json",
    "rest/docs.setMarginMode.request.json",
    "rest/sdktest.setMarginMode.request.json",
    "rest/docs.unifiedAsset.attempt.json",
    "rest/docs.unifiedAsset.getEIP712Data.shape.json",
    "rest/docs.updateLeverageSetting.request.json",
    "rest/docs.getMaxCreateOrderSize.request.json",
    "rest/docs.getHistoryOrderPage.post.request.json",
    "rest/sdktest.getActiveOrderPage.query.json",
    "rest/sdktest.getHistoryOrderPage.query.json",
    "rest/sdkdoc.getAccountAsset.testnet.response.json",
    "rest/thirdparty.getLatestFundingRate.prod-v2.excerpt.txt.json",
    "ws/docs.private.handshake.example.json",
    "ws/docs.public.subscribe.request.json",
    "ws/docs.public.unsubscribe.request.json",
    "ws/docs.public.depth.snapshot.NOT-LIVE-SHAPE.json",
    "ws/docs.public.ticker.all.1s.NOT-LIVE-SHAPE.json",
    "ws/docs.public.fundingRate.NOT-LIVE-VERIFIED.json",
  ];
  for (const dir of ["rest", "ws"]) {
    for await (const e of Deno.readDir(new URL(`${dir}/`, FIXTURES))) {
      const name = `${dir}/${e.name}`;
      ok(covered.has(name) || notPayloads.includes(name), `${name} is not covered`);
    }
  }
});

Deno.test("sdkdoc getAccountAsset (SDKDOC collateral shape) parses as account asset", async () => {
  const { accountAssetSchema } = await import("./schemas.ts");
  const r = parsePayload(
    edgeXEnvelope(accountAssetSchema),
    await fixture("rest/sdkdoc.getAccountAsset.testnet.response.json"),
    opts,
  );
  deepEqual(r.data.collateralList[0].availableAmount?.toString(), "18.958424");
});

Deno.test("the NOT-LIVE-SHAPE depth (tuples, numeric ids) is refused by the depth decoder", async () => {
  const frame = await fixture("ws/docs.public.depth.snapshot.NOT-LIVE-SHAPE.json") as Record<
    string,
    unknown
  >;
  throws(() => _decodeDepthFrame(frame, "depth.10000001.200"), MalformedPayloadError);
  throws(
    () => parsePayload(quoteEventOf(depthSchema), frame, opts),
    MalformedPayloadError,
  );
});

Deno.test("the NOT-LIVE-SHAPE ticker (numeric contractId) is refused", async () => {
  const frame = await fixture("ws/docs.public.ticker.all.1s.NOT-LIVE-SHAPE.json");
  throws(() => parsePayload(quoteEventOf(tickerSchema), frame, opts), (e: unknown) => {
    ok(e instanceof MalformedPayloadError);
    deepEqual(e.field, "content.data.0.contractId");
    return true;
  });
});

Deno.test("the live depth frames decode: snapshot, changed with absolute sizes, heartbeat", async () => {
  const snap = _decodeDepthFrame(
    await fixture("ws/live-v2.depth.snapshot.quote-event.json") as Record<string, unknown>,
    "depth.30000001.15",
  );
  deepEqual([snap.snapshot, snap.endVersion, snap.asks.length], [true, 2070150189, 2]);
  const changed = _decodeDepthFrame(
    await fixture("ws/live-v2.depth.changed.quote-event.json") as Record<string, unknown>,
    "depth.30000001.15",
  );
  deepEqual([changed.snapshot, changed.startVersion, changed.endVersion], [
    false,
    2070263104,
    2070263280,
  ]);
  deepEqual(changed.asks[0], { price: "82899.8", size: "0.000" });
  const beat = _decodeDepthFrame(
    await fixture("ws/live-v2.depth.changed-empty-heartbeat.quote-event.json") as Record<
      string,
      unknown
    >,
    "depth.30000020.15",
  );
  deepEqual([beat.bids.length, beat.asks.length, beat.startVersion, beat.endVersion], [0, 0, 8, 9]);
});

Deno.test("a mistyped field is a MalformedPayloadError naming it", async () => {
  const body = await fixture("rest/docs.getLatestFundingRate.response.json") as {
    data: Record<string, unknown>[];
  };
  body.data[0].fundingRate = 0.00005;
  throws(
    () => parsePayload(edgeXEnvelope(z.array(fundingRateSchema)), body, opts),
    (e: unknown) => e instanceof MalformedPayloadError && e.field === "data.0.fundingRate",
  );
  const event = await fixture("ws/docs.private.order_update.live-trimmed.json") as {
    content: { data: { orderFillTransaction: Record<string, unknown>[] } };
  };
  event.content.data.orderFillTransaction[0].fillPrice = "2309,76";
  throws(
    () => parsePayload(tradeEventSchema, event, opts),
    (e: unknown) =>
      e instanceof MalformedPayloadError &&
      e.field === "content.data.orderFillTransaction.0.fillPrice",
  );
});

Deno.test("a depth frame with a bad version names the field", () => {
  throws(
    () =>
      _decodeDepthFrame({
        content: {
          dataType: "changed",
          data: [{ startVersion: "1.5", endVersion: "2", bids: [], asks: [] }],
        },
      }, "depth.1.15"),
    (e: unknown) => e instanceof MalformedPayloadError && e.field === "content.data.0.startVersion",
  );
});

Deno.test("an error envelope parses with code and msg", () => {
  const e = errorEnvelopeSchema.parse({ code: "SIGNATURE_ERROR", msg: "bad", errorParam: null });
  deepEqual(e.code, "SIGNATURE_ERROR");
});
