/**
 * Schemas of every Hyperliquid answer the client reads (`POST /info`, `POST /exchange`, the
 * WebSocket channels). Shapes from the official Python SDK's recorded answers
 * (`tests/cassettes/info_test/*.yaml`) and `api/info/*.yaml` of
 * `hyperliquid-dex/hyperliquid-python-sdk`. Prices, sizes and amounts are decimal strings.
 *
 * @module
 */
import { z } from "zod";
import { decimalString } from "../_shared/parse.ts";

const dec = decimalString;

/** Longest decimal text accepted in a price or size (the shared book refuses longer ones). */
const MAX_DECIMAL_CHARS = 40;
const bounded = z
  .string({ error: 'expected a decimal string such as "0.01"' })
  .max(MAX_DECIMAL_CHARS, { error: `expected at most ${MAX_DECIMAL_CHARS} characters` })
  .pipe(decimalString);
/** A price: positive and below 10^15 (anything else is a broken answer). */
const price = bounded.refine((d) => d.gt(0) && d.lt("1e15"), {
  error: "expected a price above 0 and below 10^15",
});
/** A size, an open interest or a volume: never negative. */
const size = bounded.refine((d) => d.gte(0), { error: "expected a size of 0 or more" });
/** A size that cannot be zero (an order's original size, a fill). */
const positiveSize = bounded.refine((d) => d.gt(0), { error: "expected a size above 0" });
/** The same checks on a book level's text, which stays a string for the shared book. */
const checkedText = (schema: z.ZodType<unknown, string>, error: string) =>
  z.string().refine((s) => schema.safeParse(s).success, { error });

/** `{"type":"meta"}`: the perpetual universe; the index in `universe` is the asset id. */
export const metaSchema = z.object({
  universe: z.array(z.object({
    name: z.string(),
    szDecimals: z.number().int().min(0).max(6),
    maxLeverage: z.number().int().positive().optional(),
    isDelisted: z.boolean().optional(),
  })),
});

/** One asset context of `metaAndAssetCtxs` (`funding` is a fraction per hour). */
export const assetCtxSchema = z.object({
  funding: dec,
  openInterest: size,
  dayNtlVlm: size,
  markPx: price,
  oraclePx: price,
  midPx: dec.nullable().optional(),
  premium: dec.nullable().optional(),
  prevDayPx: dec.optional(),
  impactPxs: z.array(dec).nullable().optional(),
});

/** `{"type":"metaAndAssetCtxs"}`: `[meta, ctxs]`, contexts in universe order. */
export const metaAndAssetCtxsSchema = z.tuple([metaSchema, z.array(assetCtxSchema)]);

const level = z.object({
  px: checkedText(price, "expected a price above 0 and below 10^15 as a decimal string"),
  sz: checkedText(size, "expected a size of 0 or more as a decimal string"),
  n: z.number().int(),
});

/** `{"type":"l2Book","coin"}` and the `l2Book` channel: a full snapshot, bids then asks. */
export const l2BookSchema = z.object({
  coin: z.string(),
  time: z.number().int().optional(),
  levels: z.tuple([z.array(level), z.array(level)]),
});

/** An order as `openOrders`, `orderStatus` and `orderUpdates` carry it. */
export const wireOrderSchema = z.object({
  coin: z.string(),
  side: z.enum(["A", "B"]),
  limitPx: price,
  sz: size,
  oid: z.number().int().nonnegative(),
  timestamp: z.number().int(),
  origSz: positiveSize.optional(),
  cloid: z.string().nullable().optional(),
  reduceOnly: z.boolean().optional(),
  tif: z.string().nullable().optional(),
  orderType: z.string().optional(),
});

/** `{"type":"openOrders","user"}`. */
export const openOrdersSchema = z.array(wireOrderSchema);

/** `{"type":"orderStatus","user","oid"}` (oid: number or cloid). */
export const orderStatusSchema = z.union([
  z.object({ status: z.literal("unknownOid") }),
  z.object({
    status: z.literal("order"),
    order: z.object({
      order: wireOrderSchema,
      status: z.string(),
      statusTimestamp: z.number().int(),
    }),
  }),
]);

/** An `orderUpdates` channel entry. */
export const orderUpdateSchema = z.object({
  order: wireOrderSchema,
  status: z.string(),
  statusTimestamp: z.number().int(),
});

/** A fill (`userFills` info and channel). */
export const fillSchema = z.object({
  coin: z.string(),
  px: price,
  sz: positiveSize,
  side: z.enum(["A", "B"]),
  time: z.number().int(),
  oid: z.number().int(),
  tid: z.number().int().optional(),
  hash: z.string().optional(),
  crossed: z.boolean(),
  fee: dec,
  cloid: z.string().nullable().optional(),
});

/** The `userFills` channel data. */
export const userFillsEventSchema = z.object({
  isSnapshot: z.boolean().optional(),
  user: z.string().optional(),
  fills: z.array(fillSchema),
});

/** `{"type":"clearinghouseState","user"}`. */
export const clearinghouseStateSchema = z.object({
  assetPositions: z.array(z.object({
    position: z.object({
      coin: z.string(),
      szi: dec,
      entryPx: price.nullable(),
      liquidationPx: price.nullable(),
      marginUsed: dec,
      positionValue: dec.optional(),
      unrealizedPnl: dec,
      leverage: z.object({ type: z.string(), value: z.number() }),
      cumFunding: z.object({ allTime: dec, sinceOpen: dec, sinceChange: dec }).optional(),
    }),
    type: z.string(),
  })),
  crossMaintenanceMarginUsed: dec.optional(),
  marginSummary: z.object({
    accountValue: dec,
    totalMarginUsed: dec,
    totalNtlPos: dec.optional(),
    totalRawUsd: dec.optional(),
  }),
  withdrawable: dec,
  time: z.number().int().optional(),
});

/** A `userFunding` row; `usdc` is signed from the account's view. */
export const userFundingRowSchema = z.object({
  time: z.number().int(),
  hash: z.string(),
  delta: z.object({
    type: z.literal("funding"),
    coin: z.string(),
    usdc: dec,
    szi: dec,
    fundingRate: dec,
    nSamples: z.number().int().nullable().optional(),
  }),
});

/** `{"type":"userFunding","user","startTime","endTime"}`. */
export const userFundingSchema = z.array(userFundingRowSchema);

/** The `userFundings` channel data. */
export const userFundingsEventSchema = z.object({
  isSnapshot: z.boolean().optional(),
  user: z.string().optional(),
  fundings: z.array(z.object({
    time: z.number().int(),
    coin: z.string(),
    usdc: dec,
    szi: dec,
    fundingRate: dec,
  })),
});

/** `{"type":"fundingHistory","coin","startTime","endTime"}`. */
export const fundingHistorySchema = z.array(z.object({
  coin: z.string(),
  fundingRate: dec,
  premium: dec,
  time: z.number().int(),
}));

/** A status of an `order` action. */
export const orderStatusEntrySchema = z.union([
  z.object({ resting: z.object({ oid: z.number().int(), cloid: z.string().optional() }) }),
  z.object({
    filled: z.object({
      totalSz: size,
      avgPx: price,
      oid: z.number().int(),
      cloid: z.string().optional(),
    }),
  }),
  z.object({ error: z.string() }),
]);

/** `POST /exchange` answer: `ok` with a typed response, or `err` with a message. */
export const exchangeResponseSchema = z.union([
  z.object({ status: z.literal("err"), response: z.string() }),
  z.object({
    status: z.literal("ok"),
    response: z.object({
      type: z.string(),
      data: z.object({
        statuses: z.array(z.union([orderStatusEntrySchema, z.literal("success")])),
      }).optional(),
    }),
  }),
]);
