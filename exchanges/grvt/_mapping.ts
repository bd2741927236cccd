/**
 * GRVT wire objects → unified `Order`, `Fill` and `Position` (grvt.md §4.2). Pure functions:
 * the market of an instrument and the current time come from the caller.
 *
 * @module
 */
import type { z } from "zod";
import type { Fill, FundingPayment, Order, OrderStatus, Position } from "../../base.ts";
import { Decimal } from "../../core/decimal.ts";
import { grvtCancelReason } from "./errors.ts";
import type { GrvtMarket } from "./markets.ts";
import type { fillSchema, fundingPaymentSchema, orderSchema, positionSchema } from "./schemas.ts";

/** An order as the schema reads it. */
export type WireOrder = z.output<typeof orderSchema>;
/** A fill as the schema reads it. */
export type WireFill = z.output<typeof fillSchema>;
/** A position as the schema reads it. */
export type WirePosition = z.output<typeof positionSchema>;
/** A funding payment row as the schema reads it. */
export type WireFundingPayment = z.output<typeof fundingPaymentSchema>;

/** What the mapping needs to know besides the wire object. */
export interface GrvtMappingContext {
  /** The market of an instrument, `undefined` for one the client does not list. */
  marketOf: (instrument: string) => GrvtMarket | undefined;
  /** Current time in ms (for an order without timestamps). */
  now: () => number;
  /** Whether the client placed this client order id as a market order (sent as a bounded IOC). */
  placedAsMarket?: (clientOrderId: string) => boolean;
}

/**
 * The unified status of an order state. The schema admits only the five documented values;
 * each is mapped by name, so a value added later can never fall into a terminal state here.
 *
 * @param status The wire status.
 * @param filled The traded size of the first leg.
 * @param reason The unified cancel reason, for `CANCELLED`.
 * @returns The status.
 */
export function grvtOrderStatus(
  status: WireOrder["state"]["status"],
  filled: Decimal,
  reason: string | undefined,
): OrderStatus {
  switch (status) {
    case "PENDING":
      return "pending";
    case "OPEN":
      return filled.gt(0) ? "partially_filled" : "open";
    case "FILLED":
      return "filled";
    case "REJECTED":
      return "rejected";
    case "CANCELLED":
      return reason === "expired" ? "expired" : "canceled";
  }
}

/**
 * Maps a wire order.
 *
 * @param o The wire order.
 * @param ctx Markets, clock and the ids placed as market orders.
 * @returns The unified order.
 */
export function toGrvtOrder(o: WireOrder, ctx: GrvtMappingContext): Order {
  const leg = o.legs[0];
  const market = ctx.marketOf(leg.instrument);
  const size = leg.size;
  const filled = o.state.traded_size[0] ?? new Decimal(0);
  const booked = o.state.book_size[0] ?? new Decimal(0);
  const reason = grvtCancelReason(o.state.reject_reason);
  const status = grvtOrderStatus(o.state.status, filled, reason);
  const active = status === "open" || status === "partially_filled" || status === "pending";
  const avg = o.state.avg_fill_price[0];
  const price = leg.limit_price && leg.limit_price.gt(0) ? leg.limit_price : undefined;
  const created = o.metadata.create_time ?? o.state.update_time ?? ctx.now();
  const cid = o.metadata.client_order_id;
  const isMarket = o.is_market === true || (ctx.placedAsMarket?.(cid) ?? false);
  return {
    venue: "grvt",
    symbol: market?.symbol ?? leg.instrument,
    id: o.order_id === "0x00" || o.order_id === "" ? undefined : o.order_id,
    clientOrderId: cid,
    side: leg.is_buying_asset ? "buy" : "sell",
    type: isMarket ? "market" : "limit",
    price,
    size,
    filledSize: filled,
    remainingSize: active ? (status === "pending" ? size.minus(filled) : booked) : new Decimal(0),
    averageFillPrice: filled.gt(0) && avg && avg.gt(0) ? avg : undefined,
    status,
    timeInForce: o.time_in_force === "IMMEDIATE_OR_CANCEL"
      ? "ioc"
      : o.time_in_force === "FILL_OR_KILL"
      ? "fok"
      : "gtc",
    postOnly: o.post_only ?? false,
    reduceOnly: o.reduce_only ?? false,
    ...(reason && !active && status !== "filled" ? { cancelReason: reason } : {}),
    createdAt: created,
    updatedAt: o.state.update_time ?? created,
  };
}

/**
 * Maps a wire fill.
 *
 * @param x The wire fill.
 * @param ctx Markets.
 * @returns The fill, or `undefined` for a market the client does not list.
 */
export function toGrvtFill(x: WireFill, ctx: GrvtMappingContext): Fill | undefined {
  const market = ctx.marketOf(x.instrument);
  if (!market) return undefined;
  return {
    venue: "grvt",
    symbol: market.symbol,
    tradeId: x.trade_id,
    orderId: x.order_id && x.order_id !== "0x00" ? x.order_id : undefined,
    clientOrderId: x.client_order_id && x.client_order_id !== "0" ? x.client_order_id : undefined,
    side: x.is_buyer ? "buy" : "sell",
    price: x.price,
    size: x.size,
    fee: x.fee,
    liquidity: x.is_taker ? "taker" : "maker",
    timestamp: x.event_time,
  };
}

/**
 * Maps a wire position (`size` negative for a short).
 *
 * @param p The wire position.
 * @param ctx Markets.
 * @returns The position, or `undefined` for a market the client does not list.
 */
export function toGrvtPosition(p: WirePosition, ctx: GrvtMappingContext): Position | undefined {
  const market = ctx.marketOf(p.instrument);
  if (!market) return undefined;
  const liq = p.est_liquidation_price;
  const funding = p.cumulative_realized_funding_payment;
  // Per-position margins exist only for isolated positions (`isolated_im` / `isolated_mm`); a
  // cross position's margin is the account's (`account_summary`), never split here.
  const isolated = p.margin_type === "ISOLATED";
  return {
    venue: "grvt",
    symbol: market.symbol,
    size: p.size,
    entryPrice: p.entry_price,
    ...(p.mark_price ? { markPrice: p.mark_price } : {}),
    ...(p.unrealized_pnl ? { unrealizedPnl: p.unrealized_pnl } : {}),
    // "0.0" (the replica, a position far from liquidation) means none.
    ...(liq && liq.gt(0) ? { liquidationPrice: liq } : {}),
    ...(isolated && p.isolated_im ? { marginUsed: p.isolated_im } : {}),
    ...(isolated && p.isolated_mm ? { maintenanceMargin: p.isolated_mm } : {}),
    ...(p.leverage ? { leverage: p.leverage } : {}),
    // The venue's sign is "positive if paid"; the unified one is "positive if received".
    ...(funding ? { cumulativeFunding: funding.neg() } : {}),
  };
}

/**
 * Maps a `funding_payment_history` row to the unified payment. GRVT's `amount` is positive
 * when the account paid and negative when it received (grvt.md §5); the unified amount is the
 * opposite. The row names neither the rate nor the position size, so both stay `undefined`.
 * The id is `<instrument>:<tx_id>`: one transfer may settle several instruments under one
 * `tx_id`.
 *
 * @param row The wire row.
 * @param ctx Markets.
 * @returns The payment, or `undefined` for a market the client does not list.
 */
export function toGrvtFundingPayment(
  row: WireFundingPayment,
  ctx: Pick<GrvtMappingContext, "marketOf">,
): FundingPayment | undefined {
  const market = ctx.marketOf(row.instrument);
  if (!market) return undefined;
  return {
    venue: "grvt",
    symbol: market.symbol,
    time: row.event_time,
    amount: row.amount.neg(),
    rate: undefined,
    positionSize: undefined,
    id: `${row.instrument}:${row.tx_id}`,
  };
}
