/**
 * Zod schemas of the Lighter REST responses and WebSocket frames this package reads
 * (shapes from lighter.md §3.3, §4 and the OpenAPI spec `zklighter-perps` 1.0.272).
 *
 * Strict on what is read: decimal amounts must be decimal strings, ids and times integers.
 * Unknown keys are ignored (the venue adds fields often). Where the notes say the venue sends
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
 * A JSON float as the venue sent it, read through 15 significant digits (what a double carries
 * reliably), so `9.599999999999999e-05` becomes `0.000096`.
 *
 * @param value A finite number.
 * @returns The decimal.
 *
 * @example
 * ```ts
 * import { floatDecimal } from "./schemas.ts";
 * floatDecimal(9.599999999999999e-05).toString(); // "0.000096"
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
  taker_fee: decimalString,
  maker_fee: decimalString,
  min_base_amount: decimalString,
  min_quote_amount: decimalString,
  size_decimals: int.min(0).max(18),
  price_decimals: int.min(0).max(18),
  min_initial_margin_fraction: int.optional(),
  default_initial_margin_fraction: int.optional(),
  mark_price: decimalString.optional(),
  index_price: decimalString.optional(),
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
  initial_base_amount: decimalString,
  price: decimalString,
  remaining_base_amount: decimalString,
  filled_base_amount: decimalString,
  filled_quote_amount: decimalString,
  is_ask: z.boolean(),
  type: z.string(),
  time_in_force: z.string(),
  reduce_only: z.boolean(),
  status: z.string(),
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
  size: decimalString,
  price: decimalString,
  usd_amount: decimalString,
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
  sign: int,
  position: decimalString,
  avg_entry_price: decimalString,
  unrealized_pnl: decimalString,
  liquidation_price: decimalString.optional(),
});

/** A position as parsed by {@linkcode positionSchema}. */
export type LighterPosition = z.output<typeof positionSchema>;

/** One account of `GET /api/v1/account` (`DetailedAccount`; the fields read). */
export const detailedAccountSchema = z.object({
  index: int,
  collateral: decimalString,
  available_balance: decimalString,
  total_asset_value: decimalString.optional(),
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
  value: decimalString,
  rate: decimalString,
  direction: z.enum(["long", "short"]),
});

/** `GET /api/v1/fundings`. */
export const fundingsSchema = z.object({
  ...envelope,
  resolution: z.string(),
  fundings: z.array(fundingSchema),
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
const level = z.object({ price: decimalString, size: decimalString });

/** `GET /api/v1/orderBookOrders` (L3: one row per resting order). */
export const orderBookOrdersSchema = z.object({
  ...envelope,
  asks: z.array(z.object({ price: decimalString, remaining_base_amount: decimalString })),
  bids: z.array(z.object({ price: decimalString, remaining_base_amount: decimalString })),
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
  index_price: decimalString,
  mark_price: decimalString,
  open_interest: decimalString.optional(),
  current_funding_rate: decimalString,
  funding_rate: decimalString.optional(),
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
});
