/**
 * Zod schemas of the Lighter REST responses and WebSocket frames this package reads
 * (shapes from lighter.md §3.3, §4 and the OpenAPI spec `zklighter-perps` 1.0.272).
 *
 * Strict on what is read: decimal amounts must be decimal strings of at most
 * {@linkcode LIGHTER_MAX_DECIMAL_CHARS} characters, ids and times integers; prices are positive
 * and below 10^15 ({@linkcode lighterPrice}), sizes never negative ({@linkcode lighterSize}),
 * order statuses one of the documented values ({@linkcode LIGHTER_ORDER_STATUSES}: an unknown
 * status is a `MalformedPayloadError`, never read as a final state). Unknown keys are ignored
 * (the venue adds fields often). Where the notes say the venue sends
 * JSON floats (`daily_*`, `open_interest`, `/funding-rates` `rate`), the schema takes a number
 * and {@linkcode floatDecimal} turns it into a `Decimal`.
 *
 * @module
 */
import { z } from "zod";
import { Decimal } from "../../core/decimal.ts";
import { decimalString } from "../_shared/parse.ts";

const int = z.number().int();

/**
 * Longest decimal string accepted in an answer: the venue's amounts have at most 15 integer
 * and 18 fraction digits; anything longer is a broken payload, not a value to compute with.
 *
 * @example
 * ```ts
 * import { LIGHTER_MAX_DECIMAL_CHARS } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(LIGHTER_MAX_DECIMAL_CHARS, 40);
 * ```
 */
export const LIGHTER_MAX_DECIMAL_CHARS = 40;

/**
 * A plain decimal string of bounded length (see {@linkcode LIGHTER_MAX_DECIMAL_CHARS}).
 *
 * @example
 * ```ts
 * import { lighterDecimal } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * equal(lighterDecimal.parse("-1.50").toString(), "-1.5");
 * equal(lighterDecimal.safeParse("1".repeat(41)).success, false);
 * equal(lighterDecimal.safeParse("NaN").success, false);
 * ```
 */
export const lighterDecimal: z.ZodType<Decimal, string> = z
  .string({ error: 'expected a decimal string such as "0.01"' })
  .max(LIGHTER_MAX_DECIMAL_CHARS, {
    error: `expected at most ${LIGHTER_MAX_DECIMAL_CHARS} characters`,
  })
  .pipe(decimalString);

/**
 * A price: a bounded decimal string, positive and below 10^15.
 *
 * @example
 * ```ts
 * import { lighterPrice } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * equal(lighterPrice.parse("2361.31").toString(), "2361.31");
 * equal(lighterPrice.safeParse("0").success, false);
 * equal(lighterPrice.safeParse("-1").success, false);
 * ```
 */
export const lighterPrice: z.ZodType<Decimal, string> = lighterDecimal.refine(
  (d) => d.gt(0) && d.lt(1e15),
  { error: "expected a positive price below 10^15" },
);

/**
 * A size or amount that cannot be negative: a bounded decimal string ≥ 0.
 *
 * @example
 * ```ts
 * import { lighterSize } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * equal(lighterSize.parse("0.0000").toString(), "0");
 * equal(lighterSize.safeParse("-0.1").success, false);
 * ```
 */
export const lighterSize: z.ZodType<Decimal, string> = lighterDecimal.refine((d) => !d.isNeg(), {
  error: "expected a size that is not negative",
});

/** A size that must be positive (resting orders, trades). */
const positiveSize = lighterDecimal.refine((d) => d.gt(0), { error: "expected a positive size" });

/** A price that may be 0 where the venue means "none" (market orders). */
const priceOrZero = lighterDecimal.refine((d) => !d.isNeg() && d.lt(1e15), {
  error: "expected a price in [0, 10^15)",
});

/**
 * Every `Order.status` the venue documents (lighter.md §3.3). Anything else is refused: an
 * unknown status could be live or final, and reading it as final would forget a live order.
 *
 * @example
 * ```ts
 * import { LIGHTER_ORDER_STATUSES } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(LIGHTER_ORDER_STATUSES.includes("canceled-post-only"), true);
 * ```
 */
export const LIGHTER_ORDER_STATUSES = [
  "in-progress",
  "pending",
  "open",
  "filled",
  "canceled",
  "canceled-post-only",
  "canceled-reduce-only",
  "canceled-position-not-allowed",
  "canceled-margin-not-allowed",
  "canceled-too-much-slippage",
  "canceled-not-enough-liquidity",
  "canceled-self-trade",
  "canceled-expired",
  "canceled-oco",
  "canceled-child",
  "canceled-liquidation",
  "canceled-invalid-balance",
] as const;

/** One of {@linkcode LIGHTER_ORDER_STATUSES}. */
export type LighterOrderStatus = typeof LIGHTER_ORDER_STATUSES[number];

/**
 * A JSON float as the venue sent it, read through 15 significant digits (what a double carries
 * reliably), so `9.599999999999999e-05` becomes `0.000096`.
 *
 * @param value A finite number.
 * @returns The decimal.
 *
 * @example
 * ```ts
 * import { floatDecimal } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(floatDecimal(9.599999999999999e-05).toString(), "0.000096");
 * ```
 */
export function floatDecimal(value: number): Decimal {
  return new Decimal(new Decimal(value.toPrecision(15)).toString());
}

const floatNumber = z.number({ error: "expected a JSON number" }).refine(Number.isFinite, {
  message: "expected a finite number",
});

/** Envelope fields every REST answer carries. */
const envelope = { code: int, message: z.string().optional() };

/** One market of `GET /api/v1/orderBookDetails` (`PerpsOrderBookDetail`, the fields read). */
export const orderBookDetailSchema = z.object({
  symbol: z.string(),
  market_id: int,
  market_type: z.string().optional(),
  status: z.string(),
  taker_fee: lighterSize,
  maker_fee: lighterSize,
  min_base_amount: lighterSize,
  min_quote_amount: lighterSize,
  size_decimals: int.min(0).max(18),
  price_decimals: int.min(0).max(18),
  min_initial_margin_fraction: int.optional(),
  default_initial_margin_fraction: int.optional(),
  mark_price: lighterPrice.optional(),
  index_price: lighterPrice.optional(),
  last_trade_price: floatNumber.optional(),
  daily_base_token_volume: floatNumber.optional(),
  daily_quote_token_volume: floatNumber.optional(),
  open_interest: floatNumber.optional(),
});

/** A market as parsed by {@linkcode orderBookDetailSchema}. */
export type OrderBookDetail = z.output<typeof orderBookDetailSchema>;

/** `GET /api/v1/orderBookDetails`. */
export const orderBookDetailsSchema = z.object({
  ...envelope,
  order_book_details: z.array(orderBookDetailSchema),
});

/** `GET /api/v1/nextNonce`. */
export const nextNonceSchema = z.object({ ...envelope, nonce: int });

/** `POST /api/v1/sendTx`. */
export const sendTxSchema = z.object({
  ...envelope,
  tx_hash: z.string(),
  predicted_execution_time_ms: int.optional(),
});

/** `POST /api/v1/sendTxBatch`. */
export const sendTxBatchSchema = z.object({
  ...envelope,
  tx_hash: z.array(z.string()),
  predicted_execution_time_ms: int.optional(),
});

/** A Lighter order (`Order`; the fields read). */
export const orderSchema = z.object({
  order_index: int,
  client_order_index: int,
  order_id: z.string().optional(),
  client_order_id: z.string().optional(),
  market_index: int,
  // 0 for reduce-only children of grouped orders (lighter.md §7.2).
  initial_base_amount: lighterSize,
  price: priceOrZero,
  remaining_base_amount: lighterSize,
  filled_base_amount: lighterSize,
  filled_quote_amount: lighterSize,
  is_ask: z.boolean(),
  type: z.string(),
  time_in_force: z.string(),
  reduce_only: z.boolean(),
  status: z.enum(LIGHTER_ORDER_STATUSES),
  timestamp: int,
  created_at: int.optional(),
  updated_at: int.optional(),
});

/** A Lighter order as parsed by {@linkcode orderSchema}. */
export type LighterOrder = z.output<typeof orderSchema>;

/** `GET /api/v1/accountActiveOrders`, `/accountInactiveOrders`, `/accountOrders`. */
export const ordersSchema = z.object({
  ...envelope,
  next_cursor: z.string().optional(),
  orders: z.array(orderSchema),
});

/** A trade (`Trade`; the fields read). */
export const tradeSchema = z.object({
  trade_id: int,
  trade_id_str: z.string().optional(),
  market_id: int,
  size: positiveSize,
  price: lighterPrice,
  usd_amount: lighterSize,
  ask_id: int,
  bid_id: int,
  ask_client_id: int.optional(),
  bid_client_id: int.optional(),
  ask_account_id: int,
  bid_account_id: int,
  is_maker_ask: z.boolean(),
  timestamp: int,
  taker_fee: int.optional(),
  maker_fee: int.optional(),
});

/** A trade as parsed by {@linkcode tradeSchema}. */
export type LighterTrade = z.output<typeof tradeSchema>;

/** An account position (`AccountPosition`): `position` is absolute, `sign` gives the side. */
export const positionSchema = z.object({
  market_id: int,
  symbol: z.string(),
  sign: z.union([z.literal(-1), z.literal(0), z.literal(1)]),
  position: lighterSize,
  avg_entry_price: lighterSize,
  unrealized_pnl: lighterDecimal,
  liquidation_price: lighterSize.optional(),
  /** |position| × mark, USDC. */
  position_value: lighterSize.optional(),
  /** Initial margin fraction in percent (`"5.00"` = 20x; lighter.md §3.3). */
  initial_margin_fraction: lighterSize.optional(),
  /** Funding paid out on the position so far, USDC (positive = paid). */
  total_funding_paid_out: lighterDecimal.optional(),
  /** 0 cross, 1 isolated. */
  margin_mode: int.optional(),
  /** Margin allocated to an isolated position, USDC. */
  allocated_margin: lighterSize.optional(),
});

/** A position as parsed by {@linkcode positionSchema}. */
export type LighterPosition = z.output<typeof positionSchema>;

/** One account of `GET /api/v1/account` (`DetailedAccount`; the fields read). */
export const detailedAccountSchema = z.object({
  index: int,
  collateral: lighterDecimal,
  available_balance: lighterDecimal,
  total_asset_value: lighterDecimal.optional(),
  cross_initial_margin_requirement: lighterSize.optional(),
  cross_maintenance_margin_requirement: lighterSize.optional(),
  positions: z.array(positionSchema),
});

/** `GET /api/v1/account`. */
export const accountSchema = z.object({
  ...envelope,
  accounts: z.array(detailedAccountSchema),
});

/** `GET /api/v1/accountsByL1Address`. */
export const subAccountsSchema = z.object({
  ...envelope,
  sub_accounts: z.array(z.object({ index: int })),
});

/** One row of `GET /api/v1/fundings`: `rate` is percent per hour, unsigned; `timestamp` seconds. */
export const fundingSchema = z.object({
  timestamp: int,
  value: lighterDecimal,
  rate: lighterSize,
  direction: z.enum(["long", "short"]),
});

/** `GET /api/v1/fundings`. */
export const fundingsSchema = z.object({
  ...envelope,
  resolution: z.string(),
  fundings: z.array(fundingSchema),
});

/**
 * One row of `GET /api/v1/positionFunding` (`PositionFunding`): one settlement on one position
 * of the account. `change` is the signed USDC change of the account's collateral (positive =
 * received), `rate` the settled rate in signed percent per hour, `position_size` absolute with
 * the side in `position_side`, `timestamp` in seconds (the spec's example `1640995200`).
 */
export const positionFundingSchema = z.object({
  timestamp: int,
  market_id: int,
  funding_id: int,
  change: lighterDecimal,
  rate: lighterDecimal,
  position_size: lighterSize,
  position_side: z.enum(["long", "short"]),
  discount: lighterDecimal.optional(),
});

/** A row as parsed by {@linkcode positionFundingSchema}. */
export type LighterPositionFunding = z.output<typeof positionFundingSchema>;

/** `GET /api/v1/positionFunding`: one page; `next_cursor` names the next one. */
export const positionFundingsSchema = z.object({
  ...envelope,
  position_fundings: z.array(positionFundingSchema),
  next_cursor: z.string().optional(),
});

/** `GET /api/v1/funding-rates`: `rate` is a float, other venues' reference rates included. */
export const fundingRatesSchema = z.object({
  ...envelope,
  funding_rates: z.array(z.object({
    market_id: int,
    exchange: z.string(),
    symbol: z.string(),
    rate: floatNumber,
  })),
});

/** A price level of a book frame or `orderBookOrders`. */
const level = z.object({ price: lighterPrice, size: lighterSize });

/** `GET /api/v1/orderBookOrders` (L3: one row per resting order). */
export const orderBookOrdersSchema = z.object({
  ...envelope,
  asks: z.array(z.object({ price: lighterPrice, remaining_base_amount: positiveSize })),
  bids: z.array(z.object({ price: lighterPrice, remaining_base_amount: positiveSize })),
});

/** The `order_book` object of `subscribed/order_book` and `update/order_book` frames. */
export const orderBookFrameSchema = z.object({
  channel: z.string(),
  type: z.string(),
  timestamp: int.optional(),
  order_book: z.object({
    asks: z.array(level),
    bids: z.array(level),
    // Older docs' frames carry only `offset` (WS_order_book__update__apidocs.json).
    nonce: int.optional(),
    begin_nonce: int.optional(),
    offset: int.optional(),
  }),
});

/** Market statistics of the `market_stats` channel (one market). */
export const marketStatsSchema = z.object({
  market_id: int,
  symbol: z.string().optional(),
  index_price: lighterPrice,
  mark_price: lighterPrice,
  open_interest: lighterSize.optional(),
  current_funding_rate: lighterDecimal,
  funding_rate: lighterDecimal.optional(),
  funding_timestamp: int.optional(),
  daily_quote_token_volume: floatNumber.optional(),
});

/** A `subscribed/market_stats` / `update/market_stats` frame, one market or `all`. */
export const marketStatsFrameSchema = z.object({
  channel: z.string(),
  type: z.string(),
  timestamp: int.optional(),
  market_stats: z.union([marketStatsSchema, z.record(z.string(), marketStatsSchema)]),
});

/** An `account_orders` frame: orders keyed by market id. */
export const accountOrdersFrameSchema = z.object({
  channel: z.string(),
  type: z.string(),
  account: int.optional(),
  orders: z.record(z.string(), z.array(orderSchema)),
});

/** An `account_all` frame: positions and trades keyed by market id. */
export const accountAllFrameSchema = z.object({
  channel: z.string(),
  type: z.string(),
  account: int.optional(),
  positions: z.record(z.string(), positionSchema).optional(),
  trades: z.record(z.string(), z.array(tradeSchema)).optional(),
  /**
   * New funding settlements of the account (lighter.md §4.2 names the key, not its rows' shape):
   * read only as a signal to fetch `positionFunding`.
   */
  funding_histories: z.unknown().optional(),
});
