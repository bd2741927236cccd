/**
 * Zod schemas of EdgeX V2 payloads (edgex.md §4–§5; fixtures in `shared/fixtures/edgex/`).
 *
 * Numbers, ids and times are JSON strings on the V2 gateway; the schemas are strict about that
 * except where the notes show the venue sending numbers: private-stream `version`/`time`
 * (§5.3), depth `level`, `getMarketStatus.contractId`. Records pushed on the private stream are
 * trimmed (only changed fields), so most Order / Position fields are optional here; the client
 * fills the rest from what it already knows. Unknown keys are ignored: the venue adds fields.
 *
 * @example
 * ```ts
 * import { edgeXEnvelope, tickerSchema } from "./schemas.ts";
 * import { parsePayload } from "../_shared/parse.ts";
 * import { z } from "zod";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const body = { code: "SUCCESS", data: [{ contractId: "30000001", lastPrice: "79031.2" }] };
 * const tickers = parsePayload(edgeXEnvelope(z.array(tickerSchema)), body).data;
 * equal(tickers[0].lastPrice?.toString(), "79031.2");
 * ```
 *
 * @module
 */
import { z } from "zod";
import type { Decimal } from "../../core/decimal.ts";
import { decimalString, timestamp } from "../_shared/parse.ts";

const ms = timestamp("ms");
const id = z.string().regex(/^\d+$/, { error: "expected an id as a string of digits" });
/** Decimal strings that the venue leaves empty ("") when it has no value. */
const optionalDecimal = z
  .union([z.literal("").transform(() => undefined), decimalString])
  .optional();
/** Longest decimal text accepted in a price or size (the shared book refuses longer ones). */
const MAX_DECIMAL_CHARS = 40;
const boundedDecimal = z
  .string({ error: 'expected a decimal string such as "0.01"' })
  .max(MAX_DECIMAL_CHARS, { error: `expected at most ${MAX_DECIMAL_CHARS} characters` })
  .pipe(decimalString);
/** A price: a decimal string, positive and below 10^15 (anything else is a broken answer). */
export const positivePrice: z.ZodType<Decimal, string> = boundedDecimal.refine(
  (d) => d.gt(0) && d.lt("1e15"),
  { error: "expected a price above 0 and below 10^15" },
);
/** A price that may be `"0"` (a market order's body price). */
const priceOrZero: z.ZodType<Decimal, string> = boundedDecimal.refine(
  (d) => d.gte(0) && d.lt("1e15"),
  { error: "expected a price of 0 or more, below 10^15" },
);
/** A size or amount that cannot be negative. */
export const nonNegativeSize: z.ZodType<Decimal, string> = boundedDecimal.refine(
  (d) => d.gte(0),
  { error: "expected a size of 0 or more" },
);
/** Versions: strings of digits (public depth) or JSON numbers (private stream, §5.3). */
const version: z.ZodType<number, string | number> = z
  .union([z.string().regex(/^\d+$/), z.number().int().nonnegative()], {
    error: "expected a version as digits or a non-negative integer",
  })
  .transform((v) => Number(v));

/**
 * The V2 success envelope `{code: "SUCCESS", data, msg, errorParam, requestTime, responseTime,
 * traceId}` around a `data` schema. Error envelopes never reach it: the transport's error table
 * maps them first.
 *
 * @param data Schema of `data`.
 * @returns The envelope schema.
 *
 * @example
 * ```ts
 * import { edgeXEnvelope } from "./schemas.ts";
 * import { z } from "zod";
 * edgeXEnvelope(z.null()).parse({ code: "SUCCESS", data: null, msg: null });
 * ```
 */
export function edgeXEnvelope<T extends z.ZodType>(data: T): z.ZodObject<{
  code: z.ZodLiteral<"SUCCESS">;
  data: T;
  msg: z.ZodOptional<z.ZodNullable<z.ZodString>>;
  traceId: z.ZodOptional<z.ZodNullable<z.ZodString>>;
}> {
  return z.object({
    code: z.literal("SUCCESS"),
    data,
    msg: z.string().nullable().optional(),
    traceId: z.string().nullable().optional(),
  });
}

/**
 * `{dataList, nextPageOffsetData}` pages; `""` means the last page (edgex.md §4).
 *
 * @param item Schema of one row.
 * @returns The page schema.
 *
 * @example
 * ```ts
 * import { pageOf } from "./schemas.ts";
 * import { z } from "zod";
 * pageOf(z.string()).parse({ dataList: ["a"], nextPageOffsetData: "" });
 * ```
 */
export function pageOf<T extends z.ZodType>(item: T): z.ZodObject<{
  dataList: z.ZodArray<T>;
  nextPageOffsetData: z.ZodDefault<z.ZodString>;
}> {
  return z.object({ dataList: z.array(item), nextPageOffsetData: z.string().default("") });
}

/** An error envelope (`code` other than `"SUCCESS"`), as the error table reads it. */
export const errorEnvelopeSchema: z.ZodType<
  { code: string; msg?: string | null; errorParam?: unknown; traceId?: string | null }
> = z.object({
  code: z.string(),
  msg: z.string().nullable().optional(),
  errorParam: z.unknown().optional(),
  traceId: z.string().nullable().optional(),
});

/** `getServerTime` data: `timeMillis` (GB) or `serverTime` (SDKDOC testnet) — both accepted. */
export const serverTimeSchema: z.ZodType<{ timeMillis: number }, unknown> = z
  .object({ timeMillis: ms.optional(), serverTime: ms.optional() })
  .refine((t) => t.timeMillis !== undefined || t.serverTime !== undefined, {
    error: "expected 'timeMillis' or 'serverTime'",
    path: ["timeMillis"],
  })
  .transform((t) => ({ timeMillis: (t.timeMillis ?? t.serverTime) as number }));

const resolution = z.string().regex(/^(0x[0-9a-fA-F]+|\d+)$/, {
  error: 'expected a resolution as a decimal or 0x-hex string such as "1000000"',
});

/** One coin of `getMetaData.coinList`. */
export const coinSchema = z.object({
  coinId: id,
  coinName: z.string(),
  stepSize: decimalString.optional(),
  resolution: resolution.optional(),
  starkExResolution: resolution.nullable().optional(),
});

/** One contract of `getMetaData.contractList` (V1 fields plus V2 `resolution`, §4.2). */
export const contractSchema = z.object({
  contractId: id,
  contractName: z.string(),
  baseCoinId: id,
  quoteCoinId: id,
  tickSize: positivePrice,
  stepSize: boundedDecimal.refine((d) => d.gt(0), { error: "expected a positive step" }),
  minOrderSize: nonNegativeSize,
  maxOrderSize: decimalString.optional(),
  defaultTakerFeeRate: decimalString.optional(),
  defaultMakerFeeRate: decimalString.optional(),
  fundingRateIntervalMin: z.string().regex(/^\d+$/).optional(),
  displayMaxLeverage: decimalString.optional(),
  resolution: resolution.optional(),
  starkExResolution: resolution.nullable().optional(),
  enableTrade: z.boolean().optional(),
  enableDisplay: z.boolean().optional(),
  enableOpenPosition: z.boolean().optional(),
});

/** `getMetaData` data: `global` (EIP-712 domain values), coins and contracts. */
export const metaDataSchema = z.object({
  global: z.object({
    nativeChainId: z.string().optional(),
    chainId: z.string().optional(),
    contractAddress: z.string().optional(),
  }),
  coinList: z.array(coinSchema),
  contractList: z.array(contractSchema),
});

/** Parsed `getMetaData` data. */
export type EdgeXMetaData = z.output<typeof metaDataSchema>;
/** One parsed contract. */
export type EdgeXContract = z.output<typeof contractSchema>;
/** One parsed coin. */
export type EdgeXCoin = z.output<typeof coinSchema>;

/**
 * Ticker (REST `getTicker`, WS `ticker.*`). Only `contractId` is required: the SDKDOC testnet
 * sample uses other names (`volume`, `openTime`) and the REST docs omit best bid/ask.
 */
export const tickerSchema = z.object({
  contractId: id,
  contractName: z.string().optional(),
  size: optionalDecimal,
  value: optionalDecimal,
  lastPrice: optionalDecimal,
  indexPrice: optionalDecimal,
  oraclePrice: optionalDecimal,
  markPrice: optionalDecimal,
  openInterest: optionalDecimal,
  fundingRate: optionalDecimal,
  fundingTime: ms.optional(),
  nextFundingTime: ms.optional(),
  bestAskPrice: optionalDecimal,
  bestBidPrice: optionalDecimal,
  endTime: ms.optional(),
  marketOpen: z.boolean().optional(),
});

/** One parsed ticker. */
export type EdgeXTicker = z.output<typeof tickerSchema>;

/** A book level: price > 0, size ≥ 0 (`"0"` deletes the level in a `changed` frame). */
const levelSchema = z.object({ price: positivePrice, size: nonNegativeSize });

/** One depth book (REST `getDepth` element, WS `depth.*` element). */
export const depthSchema = z.object({
  startVersion: version,
  endVersion: version,
  level: z.number().int(),
  contractId: id,
  contractName: z.string().optional(),
  asks: z.array(levelSchema),
  bids: z.array(levelSchema),
  depthType: z.string(),
});

/** FundingRate row (`getLatestFundingRate`, `getFundingRatePage`; §4.1 Funding). */
export const fundingRateSchema = z.object({
  contractId: id,
  fundingTime: ms,
  fundingTimestamp: ms.optional(),
  oraclePrice: optionalDecimal,
  indexPrice: optionalDecimal,
  fundingRate: decimalString,
  isSettlement: z.boolean(),
  forecastFundingRate: optionalDecimal,
  previousFundingRate: optionalDecimal,
  fundingRateIntervalMin: z.string().regex(/^\d+$/, {
    error: "expected minutes as a string of digits",
  }),
});

/** One parsed funding row. */
export type EdgeXFundingRate = z.output<typeof fundingRateSchema>;

const orderSide = z.enum(["BUY", "SELL"]);

/**
 * Order (REST `getOrderById` etc.; private-stream `order[]`, trimmed). `id`, `status` and
 * `updatedTime` are always there; the rest may be missing from a stream record.
 */
export const orderSchema = z.object({
  id,
  accountId: id.optional(),
  contractId: id.optional(),
  side: orderSide.optional(),
  price: priceOrZero.optional(),
  size: nonNegativeSize.optional(),
  clientOrderId: z.string().optional(),
  type: z.string().optional(),
  timeInForce: z.string().optional(),
  reduceOnly: z.boolean().optional(),
  status: z.string(),
  cancelReason: z.string().optional(),
  cumMatchSize: nonNegativeSize.optional(),
  cumMatchValue: nonNegativeSize.optional(),
  cumMatchFee: decimalString.optional(),
  cumFillSize: nonNegativeSize.optional(),
  cumFillValue: nonNegativeSize.optional(),
  createdTime: ms.optional(),
  updatedTime: ms.optional(),
});

/** One parsed order record. */
export type EdgeXOrder = z.output<typeof orderSchema>;

/** OrderFillTransaction (private stream `orderFillTransaction[]`, trimmed in live samples). */
export const fillSchema = z.object({
  id,
  orderId: id,
  contractId: id.optional(),
  orderSide: orderSide.optional(),
  fillSize: nonNegativeSize,
  fillValue: nonNegativeSize.optional(),
  fillFee: decimalString,
  fillPrice: positivePrice,
  direction: z.enum(["MAKER", "TAKER"]),
  matchTime: ms,
});

/** One parsed fill. */
export type EdgeXFill = z.output<typeof fillSchema>;

/**
 * Position (`getAccountAsset.positionList[]`, stream `position[]`). `fundingFee` is the funding
 * of the current position from the account's view (negative = paid: the live snapshot shows a
 * long with `"-0.000289"`, and every ledger amount of the venue is signed that way).
 */
export const positionSchema = z.object({
  contractId: id,
  openSize: decimalString,
  openValue: decimalString.optional(),
  fundingFee: optionalDecimal,
  updatedTime: ms.optional(),
});

/**
 * PositionTransaction (`getPositionTransactionPage`, stream `positionTransaction[]`; gitbook
 * account-api, V1 shape). A funding settlement is `type: "SETTLE_FUNDING_FEE"` with
 * `deltaFundingFee` (account's view: negative = paid, like `openFee`, `fundingFee` and every
 * collateral amount), `fundingTime`, `fundingRate` (fraction per interval) and
 * `fundingPositionSize`. Fields that do not apply are `""` (decimals) or `"0"` (times).
 * Stream records may be trimmed, so only `id`, `contractId` and `type` are required.
 */
export const positionTransactionSchema = z.object({
  id,
  contractId: id,
  type: z.string(),
  deltaFundingFee: optionalDecimal,
  beforeOpenSize: optionalDecimal,
  fundingTime: ms.optional(),
  fundingRate: optionalDecimal,
  fundingPositionSize: optionalDecimal,
  createdTime: ms.optional(),
});

/** One parsed position transaction. */
export type EdgeXPositionTransaction = z.output<typeof positionTransactionSchema>;

/** Account trade setting (`defaultTradeSetting`, `contractIdToTradeSetting[id]`). */
const tradeSettingSchema = z.object({
  isSetFeeRate: z.boolean().optional(),
  takerFeeRate: optionalDecimal,
  makerFeeRate: optionalDecimal,
  isSetMaxLeverage: z.boolean().optional(),
  maxLeverage: optionalDecimal,
});

/** One parsed trade setting. */
export type EdgeXTradeSetting = z.output<typeof tradeSettingSchema>;

/** Collateral (`collateralList[]`, stream `collateral[]`). */
export const collateralSchema = z.object({
  coinId: id,
  amount: decimalString,
  totalAmount: decimalString.optional(),
  availableAmount: decimalString.optional(),
});

/** `getAccountAsset` data (V1 shape kept by V2: edgex_v1_background.md §4.1). */
export const accountAssetSchema = z.object({
  collateralList: z.array(collateralSchema).default([]),
  positionList: z.array(positionSchema).default([]),
  /** The account; its trade settings carry the account's own fee rates and max leverage. */
  account: z.object({
    defaultTradeSetting: tradeSettingSchema.optional(),
    contractIdToTradeSetting: z.record(z.string(), tradeSettingSchema).optional(),
  }).optional(),
  /**
   * Risk per position. `maxLeverage` is the leverage set for the contract,
   * `initialMarginRequirement` = position value / leverage, and the risk value (maintenance
   * margin) is `riskValue` in the V2 gitbook and `starkExRiskValue` in the V1 notes: either is
   * read.
   */
  positionAssetList: z.array(z.object({
    contractId: id,
    maxLeverage: optionalDecimal,
    initialMarginRequirement: optionalDecimal,
    riskValue: optionalDecimal,
    starkExRiskValue: optionalDecimal,
    avgEntryPrice: optionalDecimal,
    liquidatePrice: optionalDecimal,
    unrealizePnl: optionalDecimal,
  })).optional(),
  /** Account-level money: equity, available amount, total risk value (maintenance margin). */
  collateralAssetModelList: z.array(z.object({
    coinId: id,
    totalEquity: decimalString,
    availableAmount: decimalString,
    initialMarginRequirement: optionalDecimal,
    riskValue: optionalDecimal,
    starkExRiskValue: optionalDecimal,
  })).optional(),
});

/** Parsed `getAccountAsset` data. */
export type EdgeXAccountAsset = z.output<typeof accountAssetSchema>;

/** `createOrder` data. */
export const createOrderResultSchema = z.object({ orderId: id });

/** Cancel data: `cancelResultMap` keyed by order id or client order id. */
export const cancelResultSchema = z.object({ cancelResultMap: z.record(z.string(), z.string()) });

/** Private stream `trade-event` frame (§5.3): `version` and `time` as numbers or strings. */
export const tradeEventSchema = z.object({
  type: z.literal("trade-event"),
  content: z.object({
    event: z.string(),
    version: version,
    time: ms.optional(),
    data: z.object({
      order: z.array(orderSchema).optional(),
      orderFillTransaction: z.array(fillSchema).optional(),
      position: z.array(positionSchema).optional(),
      positionTransaction: z.array(positionTransactionSchema).optional(),
      collateral: z.array(collateralSchema).optional(),
    }),
  }),
});

/** One parsed private-stream frame. */
export type EdgeXTradeEvent = z.output<typeof tradeEventSchema>;

/** `bookTicker.all.1s` element (LIVE3P); an empty side is `"0"`/`"0"`. */
export const bookTickerSchema = z.object({
  contractId: id,
  contractName: z.string().optional(),
  time: ms,
  bestAskPrice: decimalString,
  bestAskSize: decimalString,
  bestBidPrice: decimalString,
  bestBidSize: decimalString,
});

/** `trades.{contractId}` element (LIVE3P). */
export const tradeSchema = z.object({
  ticketId: z.string(),
  time: ms,
  price: decimalString,
  size: decimalString,
  value: decimalString,
  contractId: id,
  isBuyerMaker: z.boolean(),
});

/** Kline record (`getKline`, `kline.*`). */
export const klineSchema = z.object({
  klineId: id,
  contractId: id,
  klineType: z.string(),
  klineTime: ms,
  priceType: z.string(),
  trades: z.string().regex(/^\d+$/),
  size: decimalString,
  value: decimalString,
  high: decimalString,
  low: decimalString,
  open: decimalString,
  close: decimalString,
});

/** Public `quote-event` frame around a data-element schema. */
export function quoteEventOf<T extends z.ZodType>(element: T): z.ZodObject<{
  type: z.ZodLiteral<"quote-event">;
  channel: z.ZodString;
  content: z.ZodObject<{ channel: z.ZodString; dataType: z.ZodString; data: z.ZodArray<T> }>;
}> {
  return z.object({
    type: z.literal("quote-event"),
    channel: z.string(),
    content: z.object({ channel: z.string(), dataType: z.string(), data: z.array(element) }),
  });
}

/** Heartbeat frames: `{type: "ping"|"pong", time}` (`time` string on the wire, number tolerated). */
export const pingSchema = z.object({
  type: z.enum(["ping", "pong"]),
  time: z.union([z.string(), z.number()]),
});

/** `connected` frame (`time` on the private stream only). */
export const connectedSchema = z.object({
  type: z.literal("connected"),
  sid: z.string().optional(),
  time: ms.optional(),
});

/** WebSocket `error` frame. */
export const wsErrorSchema = z.object({
  type: z.literal("error"),
  content: z.object({ code: z.string(), msg: z.string().optional() }),
});

/** `subscribed` / `unsubscribed` acks; `request` echoes the request as a JSON string. */
export const subscribedSchema = z.object({
  type: z.enum(["subscribed", "unsubscribed"]),
  channel: z.string(),
  request: z.string().optional(),
});

/** `createOrder` body as the replica reads it (§3.5): numbers as strings. */
export const createOrderBodySchema = z.object({
  accountId: id,
  contractId: id,
  side: orderSide,
  size: decimalString,
  price: decimalString,
  clientOrderId: z.string().min(1),
  type: z.enum([
    "LIMIT",
    "MARKET",
    "STOP_LIMIT",
    "STOP_MARKET",
    "TAKE_PROFIT_LIMIT",
    "TAKE_PROFIT_MARKET",
  ]),
  timeInForce: z.enum(["GOOD_TIL_CANCEL", "FILL_OR_KILL", "IMMEDIATE_OR_CANCEL", "POST_ONLY"]),
  reduceOnly: z.boolean().default(false),
  expireTime: z.string().regex(/^\d+$/),
  l2Nonce: z.string().regex(/^\d+$/),
  l2Value: decimalString,
  l2Size: decimalString,
  l2LimitFee: decimalString,
  l2ExpireTime: z.string().regex(/^\d+$/),
  l2Signature: z.string(),
  triggerPrice: z.string().nullable().optional(),
});

/** `cancelOrderById` body. */
export const cancelByIdBodySchema = z.object({ accountId: id, orderIdList: z.array(id) });
/** `cancelOrderByClientOrderId` body. */
export const cancelByClientIdBodySchema = z.object({
  accountId: id,
  clientOrderIdList: z.array(z.string()),
});
/** `cancelAllOrder` body (filters optional; SDKs send only `filterContractIdList`). */
export const cancelAllBodySchema = z.object({
  accountId: id,
  filterContractIdList: z.array(id).optional(),
});
