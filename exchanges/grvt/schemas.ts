/**
 * Zod schemas of the GRVT payloads the client reads (full encoding, grvt.md §2–§7), with only
 * the fields it uses; unknown keys are ignored.
 *
 * Strict by default: prices, sizes and amounts are decimal strings of at most 40 characters
 * and below 10^15 in magnitude; prices are positive (`> 0`, or `≥ 0` where the venue sends
 * `"0.0"` for "none": a market order's limit price, an average fill price before a fill, mark
 * prices), sizes are `≥ 0` (`> 0` for an order's size, a fill and a level of a REST book; 0
 * only deletes a level in a `v1.book.d` delta); times are nanosecond digit strings, flags are
 * booleans. An order status outside the documented five is refused (a
 * `MalformedPayloadError`), never read as final. Lenient only where the notes or the documented examples show
 * another encoding:
 * - small integers (`base_decimals`, `funding_interval_hours`, `num_orders`, `v`, `nonce`,
 *   sequence numbers) arrive as numbers or as digit strings (grvt.md §2.3, live samples);
 * - the funding-rate fields, `interest_rate`, `fee_rate`, the funding caps and
 *   `est_liquidation_price` are JSON numbers in the documented examples and strings live, so
 *   they take both ({@linkcode docDecimal});
 * - `Ack.ack` is `true` or `"true"` (grvt.md §2.3).
 *
 * @module
 */
import { z } from "zod";
import { Decimal } from "../../core/decimal.ts";
import { decimalString, integerString, timestamp } from "../_shared/parse.ts";

const DOC_DECIMAL = 'expected a decimal string such as "0.01" or a JSON number';
/** Longest decimal string accepted: longer means a broken or hostile answer. */
const MAX_DECIMAL_CHARS = 40;
/** Magnitude bound of every decimal: no price, size or amount reaches it. */
const DECIMAL_BOUND = new Decimal("1e15");

/**
 * A decimal field the venue documents as a JSON number but sends as a string live: a decimal
 * string, or a finite number read through 15 significant digits (what a double carries).
 *
 * @example
 * ```ts
 * import { docDecimal } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(docDecimal.parse(0.0003).toString(), "0.0003");
 * equal(docDecimal.parse("0.0037").toString(), "0.0037");
 * ```
 */
export const docDecimal: z.ZodType<Decimal, string | number> = z
  .union([z.number(), z.string()], { error: DOC_DECIMAL })
  .transform((v, ctx) => {
    if (typeof v === "number") {
      if (!Number.isFinite(v)) {
        ctx.issues.push({ code: "custom", message: DOC_DECIMAL, input: v });
        return z.NEVER;
      }
      return new Decimal(new Decimal(v.toPrecision(15)).toString());
    }
    if (v.length > MAX_DECIMAL_CHARS || !/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(v)) {
      ctx.issues.push({ code: "custom", message: DOC_DECIMAL, input: v });
      return z.NEVER;
    }
    return new Decimal(v);
  })
  .refine((d) => d.abs().lt(DECIMAL_BOUND), { error: "expected a magnitude below 1e15" });

/** A small integer sent as a number or as a digit string (live `"base_decimals":"9"`). */
const smallInt = integerString({ as: "bigint", allowNumber: true, bits: 64 }).transform(Number);
/** A sequence number (uint64) as a number or digit string. */
const seq = integerString({ as: "bigint", allowNumber: true, bits: 64 }).transform(Number);
const ns = timestamp("ns");
/** A decimal string, at most 40 characters, magnitude below 10^15 (amounts, PnL, signed sizes). */
const dec = z
  .string({ error: 'expected a decimal string such as "0.01"' })
  .max(MAX_DECIMAL_CHARS, { error: `expected at most ${MAX_DECIMAL_CHARS} characters` })
  .pipe(decimalString)
  .refine((d) => d.abs().lt(DECIMAL_BOUND), { error: "expected a magnitude below 1e15" });
/** A price: positive. */
const price = dec.refine((d) => d.gt(0), { error: "expected a positive price" });
/** A price where `"0"` means none (market order, no fill yet, no mark). */
const priceOrZero = dec.refine((d) => !d.isNegative(), { error: "expected a price ≥ 0" });
/** A size or remaining amount: not negative. */
const size = dec.refine((d) => !d.isNegative(), { error: "expected a size ≥ 0" });
/** A size that must be there: positive. */
const positiveSize = dec.refine((d) => d.gt(0), { error: "expected a positive size" });

/**
 * One instrument (`InstrumentDisplay`, grvt.md §4.1.1).
 *
 * @example
 * ```ts
 * import { instrumentSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const i = instrumentSchema.parse({
 *   instrument: "BTC_USDT_Perp", instrument_hash: "0x030501", base: "BTC", quote: "USDT",
 *   kind: "PERPETUAL", base_decimals: "9", tick_size: "0.1", min_size: "0.001",
 *   funding_interval_hours: 8,
 * });
 * equal(i.base_decimals, 9);
 * ```
 */
export const instrumentSchema = z.object({
  instrument: z.string(),
  instrument_hash: z.string().regex(/^0x[0-9a-fA-F]+$/, "expected a 0x hex instrument hash"),
  base: z.string(),
  quote: z.string(),
  kind: z.string(),
  base_decimals: smallInt.refine((n) => n >= 0 && n <= 18, {
    error: "expected base_decimals in [0, 18]",
  }),
  quote_decimals: smallInt.optional(),
  tick_size: price,
  min_size: positiveSize,
  min_notional: size.optional(),
  max_position_size: size.optional(),
  funding_interval_hours: smallInt.optional(),
  adjusted_funding_rate_cap: docDecimal.optional(),
  adjusted_funding_rate_floor: docDecimal.optional(),
});

/**
 * `full/v1/instruments` and `full/v1/all_instruments` responses.
 *
 * @example
 * ```ts
 * import { instrumentsResponseSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(instrumentsResponseSchema.parse({ result: [] }).result.length, 0);
 * ```
 */
export const instrumentsResponseSchema = z.object({ result: z.array(instrumentSchema) });

/**
 * A ticker (`full/v1/ticker` result, `v1.ticker.s` feed), grvt.md §4.1.2. `funding_rate` is in
 * percentage points per interval; `next_funding_time` ends that interval.
 *
 * @example
 * ```ts
 * import { tickerSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const t = tickerSchema.parse({
 *   instrument: "BTC_USDT_Perp", funding_rate: "0.0037", next_funding_time: "1764777600000000000",
 * });
 * equal(t.next_funding_time, 1764777600000);
 * ```
 */
export const tickerSchema = z.object({
  event_time: ns.optional(),
  instrument: z.string(),
  mark_price: priceOrZero.optional(),
  index_price: priceOrZero.optional(),
  last_price: priceOrZero.optional(),
  best_bid_price: priceOrZero.optional(),
  best_bid_size: size.optional(),
  best_ask_price: priceOrZero.optional(),
  best_ask_size: size.optional(),
  buy_volume_24h_b: size.optional(),
  sell_volume_24h_b: size.optional(),
  buy_volume_24h_q: size.optional(),
  sell_volume_24h_q: size.optional(),
  open_interest: size.optional(),
  funding_rate_8h_curr: docDecimal.optional(),
  funding_rate_8h_avg: docDecimal.optional(),
  interest_rate: docDecimal.optional(),
  funding_rate: docDecimal,
  next_funding_time: ns,
  funding_interval_hours: smallInt.optional(),
});

/**
 * `full/v1/ticker` response.
 *
 * @example
 * ```ts
 * import { tickerResponseSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(tickerResponseSchema.safeParse({ result: {} }).success, false); // instrument is missing
 * ```
 */
export const tickerResponseSchema = z.object({ result: tickerSchema });

/**
 * One book level of a stream frame: a positive price and a size `≥ 0` (`"0"` deletes the
 * level in a `v1.book.d` delta); `num_orders` is a number in the spec and a string in live
 * REST.
 *
 * @example
 * ```ts
 * import { bookLevelSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(bookLevelSchema.parse({ price: "88107.3", size: "5.322", num_orders: "11" }).num_orders, 11);
 * equal(bookLevelSchema.safeParse({ price: "-1", size: "1" }).success, false);
 * ```
 */
export const bookLevelSchema = z.object({
  price,
  size,
  num_orders: smallInt.optional(),
});

/**
 * An order book (`v1.book.s` / `v1.book.d` feeds).
 *
 * @example
 * ```ts
 * import { bookSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(bookSchema.parse({ instrument: "BTC_USDT_Perp", bids: [], asks: [] }).bids.length, 0);
 * ```
 */
export const bookSchema = z.object({
  event_time: ns.optional(),
  instrument: z.string(),
  bids: z.array(bookLevelSchema),
  asks: z.array(bookLevelSchema),
});

const restBookLevelSchema = z.object({
  price,
  size: positiveSize,
  num_orders: smallInt.optional(),
});

/**
 * `full/v1/book` response: every level has a positive price and a positive size.
 *
 * @example
 * ```ts
 * import { bookResponseSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(bookResponseSchema.safeParse({ result: { instrument: "X", bids: [], asks: [] } }).success, true);
 * equal(bookResponseSchema.safeParse({
 *   result: { instrument: "X", bids: [{ price: "1", size: "0" }], asks: [] },
 * }).success, false);
 * ```
 */
export const bookResponseSchema = z.object({
  result: z.object({
    event_time: ns.optional(),
    instrument: z.string(),
    bids: z.array(restBookLevelSchema),
    asks: z.array(restBookLevelSchema),
  }),
});

/**
 * One row of `full/v1/funding` (grvt.md §5); `funding_interval_hours` may be `"0"` on old rows.
 *
 * @example
 * ```ts
 * import { fundingRowSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(fundingRowSchema.parse({
 *   instrument: "BTC_USDT_Perp", funding_rate: "-0.0034", funding_time: "1760494260000000000",
 *   funding_interval_hours: "0",
 * }).funding_interval_hours, 0);
 * ```
 */
export const fundingRowSchema = z.object({
  instrument: z.string(),
  funding_rate: docDecimal,
  funding_time: ns,
  mark_price: priceOrZero.optional(),
  funding_rate_8_h_avg: docDecimal.optional(),
  funding_interval_hours: smallInt.optional(),
});

/**
 * `full/v1/funding` response, with the paging cursor (`""` when done).
 *
 * @example
 * ```ts
 * import { fundingResponseSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(fundingResponseSchema.parse({ result: [], next: "" }).next, "");
 * ```
 */
export const fundingResponseSchema = z.object({
  result: z.array(fundingRowSchema),
  next: z.string().optional(),
});

/** A status of `Order.state.status` (grvt.md §4.2.2). */
const orderStatus = z.enum(["PENDING", "OPEN", "FILLED", "REJECTED", "CANCELLED"]);

/**
 * An order (`create_order`, `order`, `open_orders` results and the `v1.order` feed).
 * `order_id` is `"0x00"` in the create response (grvt.md §4.2.1).
 *
 * @example
 * ```ts
 * import { orderSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const o = orderSchema.parse({
 *   order_id: "0x00", time_in_force: "GOOD_TILL_TIME",
 *   legs: [{ instrument: "BTC_USDT_Perp", size: "0.001", limit_price: "50000.0", is_buying_asset: true }],
 *   metadata: { client_order_id: "1766076671", create_time: "1766076671243762741" },
 *   state: { status: "PENDING", book_size: ["0.001"], traded_size: ["0.0"], avg_fill_price: ["0.0"] },
 * });
 * equal(o.state.status, "PENDING");
 * ```
 */
export const orderSchema = z.object({
  order_id: z.string(),
  sub_account_id: z.string().optional(),
  is_market: z.boolean().optional(),
  time_in_force: z.string(),
  post_only: z.boolean().optional(),
  reduce_only: z.boolean().optional(),
  legs: z.array(z.object({
    instrument: z.string(),
    size: positiveSize,
    // "0" (or null, or absent) for a market order (grvt.md §8.1).
    limit_price: priceOrZero.nullable().optional(),
    is_buying_asset: z.boolean(),
  })).min(1),
  signature: z.object({
    nonce: smallInt.optional(),
    expiration: z.string().optional(),
    v: smallInt.optional(),
  }).optional(),
  metadata: z.object({
    client_order_id: z.string().regex(/^\d+$/, "expected a uint64 as a string of digits"),
    create_time: ns.optional(),
  }),
  state: z.object({
    status: orderStatus,
    reject_reason: z.string().optional(),
    book_size: z.array(size),
    traded_size: z.array(size),
    update_time: ns.optional(),
    // Absent in pysdk's sample of a WS create_order answer (fixtures/grvt/pysdk_ws_and_rpc_samples.json).
    avg_fill_price: z.array(priceOrZero).optional().default([]),
  }),
});

/**
 * `create_order` and `order` responses.
 *
 * @example
 * ```ts
 * import { orderResponseSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(orderResponseSchema.safeParse({ result: {} }).success, false);
 * ```
 */
export const orderResponseSchema = z.object({ result: orderSchema });

/**
 * `open_orders` and `order_history` responses.
 *
 * @example
 * ```ts
 * import { ordersResponseSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(ordersResponseSchema.parse({ result: [] }).result.length, 0);
 * ```
 */
export const ordersResponseSchema = z.object({
  result: z.array(orderSchema),
  next: z.string().optional(),
});

/**
 * `cancel_order` / `cancel_all_orders` response: `{"result":{"ack":true}}` or `"true"`.
 *
 * @example
 * ```ts
 * import { ackResponseSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(ackResponseSchema.parse({ result: { ack: "true" } }).result.ack, true);
 * ```
 */
export const ackResponseSchema = z.object({
  result: z.object({
    ack: z.union([z.boolean(), z.enum(["true", "false"]).transform((s) => s === "true")], {
      error: 'expected true, false, "true" or "false"',
    }),
  }),
});

/**
 * A position (`positions` result, `v1.position` feed); `size` is negative for a short.
 *
 * @example
 * ```ts
 * import { positionSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(positionSchema.parse({ instrument: "BTC_USDT_Perp", size: "-0.5", entry_price: "90000.0" }).size.toString(), "-0.5");
 * ```
 */
export const positionSchema = z.object({
  event_time: ns.optional(),
  instrument: z.string(),
  size: dec,
  entry_price: priceOrZero,
  mark_price: priceOrZero.optional(),
  unrealized_pnl: dec.optional(),
  realized_pnl: dec.optional(),
  est_liquidation_price: docDecimal.optional(),
  /** The leverage set for the position's market (`"28.0"` live). */
  leverage: docDecimal.optional(),
  /** Positive if paid, negative if received (grvt.md §4.2.3, spec comment). */
  cumulative_realized_funding_payment: dec.optional(),
  margin_type: z.string().optional(),
  /** Initial margin of an isolated position (absent in cross margin). */
  isolated_im: dec.optional(),
  /** Maintenance margin of an isolated position (absent in cross margin). */
  isolated_mm: dec.optional(),
});

/**
 * `positions` response.
 *
 * @example
 * ```ts
 * import { positionsResponseSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(positionsResponseSchema.parse({ result: [] }).result.length, 0);
 * ```
 */
export const positionsResponseSchema = z.object({ result: z.array(positionSchema) });

/**
 * `account_summary` result (`SubAccount`, grvt.md §4.2.4).
 *
 * @example
 * ```ts
 * import { accountSummarySchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(accountSummarySchema.parse({ total_equity: "15.0", available_balance: "15.0" }).total_equity.toString(), "15");
 * ```
 */
export const accountSummarySchema = z.object({
  event_time: ns.optional(),
  settle_currency: z.string().optional(),
  unrealized_pnl: dec.optional(),
  total_equity: dec,
  initial_margin: dec.optional(),
  maintenance_margin: dec.optional(),
  available_balance: dec,
});

/**
 * `account_summary` response.
 *
 * @example
 * ```ts
 * import { accountSummaryResponseSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(accountSummaryResponseSchema.safeParse({ result: { total_equity: 15 } }).success, false);
 * ```
 */
export const accountSummaryResponseSchema = z.object({ result: accountSummarySchema });

/**
 * A fill (`fill_history` row, `v1.fill` feed), grvt.md §4.2.5.
 *
 * @example
 * ```ts
 * import { fillSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(fillSchema.parse({
 *   event_time: "1767354369431470728", instrument: "BTC_USDT_Perp", is_buyer: true, is_taker: true,
 *   size: "0.001", price: "89473.4", fee: "0.040263", trade_id: "74150425-1",
 * }).trade_id, "74150425-1");
 * ```
 */
export const fillSchema = z.object({
  event_time: ns,
  instrument: z.string(),
  is_buyer: z.boolean(),
  is_taker: z.boolean(),
  size: positiveSize,
  price,
  fee: dec,
  fee_rate: docDecimal.optional(),
  trade_id: z.string(),
  order_id: z.string().optional(),
  client_order_id: z.string().optional(),
});

/**
 * `fill_history` response.
 *
 * @example
 * ```ts
 * import { fillsResponseSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(fillsResponseSchema.parse({ result: [], next: "" }).result.length, 0);
 * ```
 */
export const fillsResponseSchema = z.object({
  result: z.array(fillSchema),
  next: z.string().optional(),
});

/**
 * One row of `full/v1/funding_payment_history` (`FundingPayment`, grvt.md §5): `amount` is
 * positive if the account paid, negative if it received; `tx_id` names the trade, transfer or
 * liquidation that settled it.
 *
 * @example
 * ```ts
 * import { fundingPaymentSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const p = fundingPaymentSchema.parse({
 *   event_time: "1697788800000000000", sub_account_id: "2147050003876484",
 *   instrument: "BTC_USDT_Perp", currency: "USDT", amount: "9.75", tx_id: "209358",
 * });
 * equal(p.event_time, 1697788800000);
 * ```
 */
export const fundingPaymentSchema = z.object({
  event_time: ns,
  sub_account_id: z.string().optional(),
  instrument: z.string(),
  currency: z.string().optional(),
  amount: dec,
  tx_id: z.string().regex(/^\d+$/, "expected a uint64 as a string of digits"),
});

/**
 * `full/v1/funding_payment_history` response, newest first, with the paging cursor (`""` when
 * done, grvt.md §2.6).
 *
 * @example
 * ```ts
 * import { fundingPaymentsResponseSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(fundingPaymentsResponseSchema.parse({ result: [], next: "" }).next, "");
 * ```
 */
export const fundingPaymentsResponseSchema = z.object({
  result: z.array(fundingPaymentSchema),
  next: z.string().optional(),
});

/** A leverage: a positive decimal string or number. */
const leverage = docDecimal.refine((d) => d.gt(0), { error: "expected a positive leverage" });

/**
 * `full/v1/get_all_initial_leverage` response (`{"results":[InitialLeverageResult]}`, grvt.md
 * §2.5 and §4.2): the leverage set per instrument and the range the account may set.
 *
 * @example
 * ```ts
 * import { initialLeverageResponseSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const r = initialLeverageResponseSchema.parse({ results: [{
 *   instrument: "BTC_USDT_Perp", leverage: "10", min_leverage: "10", max_leverage: "50",
 *   margin_type: "ISOLATED",
 * }] });
 * equal(r.results[0].max_leverage.toString(), "50");
 * ```
 */
export const initialLeverageResponseSchema = z.object({
  results: z.array(z.object({
    instrument: z.string(),
    leverage,
    min_leverage: leverage,
    max_leverage: leverage,
    margin_type: z.string().optional(),
  })),
});

/**
 * `full/v1/set_initial_leverage` response: `{"success":true}` live, `"true"` in the doc example
 * (grvt.md §2.5).
 *
 * @example
 * ```ts
 * import { setLeverageResponseSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(setLeverageResponseSchema.parse({ success: "true" }).success, true);
 * ```
 */
export const setLeverageResponseSchema = z.object({
  success: z.union([z.boolean(), z.enum(["true", "false"]).transform((s) => s === "true")], {
    error: 'expected true, false, "true" or "false"',
  }),
});

/**
 * `POST /auth/api_key/login` body (grvt.md §3.1); the cookie and account id are headers.
 *
 * @example
 * ```ts
 * import { loginResponseSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(loginResponseSchema.parse({ status: "success", location: "" }).status, "success");
 * ```
 */
export const loginResponseSchema = z.object({
  status: z.string(),
  location: z.string().optional(),
  funding_account_address: z.string().optional(),
  sub_account_id: z.string().optional(),
});

/**
 * The REST error envelope `{request_id?, code, message, status}` (grvt.md §2.5).
 *
 * @example
 * ```ts
 * import { errorResponseSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(errorResponseSchema.parse({ code: 1002, message: "Internal Server Error", status: 500 }).code, 1002);
 * ```
 */
export const errorResponseSchema = z.object({
  request_id: z.union([z.number(), z.string()]).optional(),
  code: z.number().int(),
  message: z.string(),
  status: z.number().int().optional(),
});

/**
 * A JSON-RPC subscribe / unsubscribe result (grvt.md §7.2). Sequence numbers are numbers in
 * the docs and strings live.
 *
 * @example
 * ```ts
 * import { subscribeResultSchema } from "./schemas.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 * deepEqual(subscribeResultSchema.parse({
 *   stream: "v1.mini.d", subs: ["BTC_USDT_Perp@500"], unsubs: [], num_snapshots: [1],
 *   first_sequence_number: ["1061214"], latest_sequence_number: ["1061213"],
 * }).latest_sequence_number, [1061213]);
 * ```
 */
export const subscribeResultSchema = z.object({
  stream: z.string(),
  subs: z.array(z.string()).optional(),
  unsubs: z.array(z.string()).optional(),
  num_snapshots: z.array(smallInt).optional(),
  first_sequence_number: z.array(seq).optional(),
  latest_sequence_number: z.array(seq).optional(),
});

/**
 * A stream frame: `{stream, selector, sequence_number, feed, prev_sequence_number}`
 * (grvt.md §7.5). The feed is parsed by the stream's own schema.
 *
 * @example
 * ```ts
 * import { feedEnvelopeSchema } from "./schemas.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(feedEnvelopeSchema.parse({
 *   stream: "v1.fill", selector: "2147050003876484", sequence_number: "1", prev_sequence_number: "0", feed: {},
 * }).sequence_number, 1);
 * ```
 */
export const feedEnvelopeSchema = z.object({
  stream: z.string(),
  selector: z.string(),
  sequence_number: seq,
  prev_sequence_number: seq.optional(),
  feed: z.unknown(),
});
