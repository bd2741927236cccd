/**
 * Lighter payloads → unified types: orders (status and cancel reason from the `Order.status`
 * enum of lighter.md §3.3), fills from trades, positions with signed size.
 *
 * @module
 */
import type {
  CancelReason,
  Fill,
  FundingPayment,
  Order,
  OrderStatus,
  Position,
  TimeInForce,
} from "../../base.ts";
import { Decimal } from "../../core/decimal.ts";
import type {
  LighterOrder,
  LighterOrderStatus,
  LighterPosition,
  LighterPositionFunding,
  LighterTrade,
} from "./schemas.ts";

/**
 * Venue status → unified status and cancel reason (lighter.md §3.3 `Order.status`). The schema
 * admits only these statuses: an unknown one is a `MalformedPayloadError`, never a final state.
 */
const STATUS: Readonly<
  Record<LighterOrderStatus, readonly [OrderStatus, CancelReason | undefined]>
> = {
  "in-progress": ["pending", undefined],
  "pending": ["pending", undefined],
  "open": ["open", undefined],
  "filled": ["filled", undefined],
  "canceled": ["canceled", "user"],
  "canceled-post-only": ["canceled", "post_only_would_cross"],
  "canceled-reduce-only": ["canceled", "reduce_only"],
  "canceled-position-not-allowed": ["canceled", "reduce_only"],
  "canceled-margin-not-allowed": ["canceled", "insufficient_margin"],
  "canceled-invalid-balance": ["canceled", "insufficient_margin"],
  "canceled-too-much-slippage": ["canceled", "ioc_unfilled"],
  "canceled-not-enough-liquidity": ["canceled", "ioc_unfilled"],
  "canceled-self-trade": ["canceled", "self_trade"],
  "canceled-expired": ["expired", "expired"],
  "canceled-oco": ["canceled", "other"],
  "canceled-child": ["canceled", "other"],
  "canceled-liquidation": ["canceled", "liquidation"],
};

const TIF: Readonly<Record<string, TimeInForce>> = {
  "good-till-time": "gtt",
  "post-only": "gtt",
  "immediate-or-cancel": "ioc",
};

/** Older captures give order times in seconds, 2026 ones in ms (lighter.md §3.1). */
export function toMs(t: number): number {
  return t > 0 && t < 100_000_000_000 ? t * 1000 : t;
}

/**
 * A venue order as a unified order.
 *
 * @param o The order.
 * @param symbol Its unified symbol.
 * @returns The order.
 */
export function toOrder(o: LighterOrder, symbol: string): Order {
  const [status0, reason0] = STATUS[o.status];
  let status = status0;
  let reason = reason0;
  const filled = o.filled_base_amount;
  if (status === "open" && filled.gt(0)) status = "partially_filled";
  if (o.status === "canceled" && o.time_in_force === "immediate-or-cancel") reason = "ioc_unfilled";
  if (o.status === "filled") reason = undefined;
  const terminal = status !== "open" && status !== "partially_filled" && status !== "pending";
  const created = toMs(o.created_at ?? o.timestamp);
  return {
    venue: "lighter",
    symbol,
    id: o.order_id ?? String(o.order_index),
    clientOrderId: o.client_order_id ?? String(o.client_order_index),
    side: o.is_ask ? "sell" : "buy",
    type: o.type === "market" ? "market" : "limit",
    price: o.price.isZero() ? undefined : o.price,
    size: o.initial_base_amount,
    filledSize: filled,
    remainingSize: terminal ? new Decimal(0) : o.remaining_base_amount,
    averageFillPrice: filled.gt(0) ? o.filled_quote_amount.div(filled) : undefined,
    status,
    timeInForce: TIF[o.time_in_force] ?? "gtt",
    postOnly: o.time_in_force === "post-only",
    reduceOnly: o.reduce_only,
    ...(reason && status !== "open" && status !== "partially_filled"
      ? { cancelReason: reason }
      : {}),
    createdAt: created,
    updatedAt: toMs(o.updated_at ?? o.timestamp),
  };
}

/**
 * Our side of a trade as a fill, or `undefined` when the account is on neither side.
 * Fee rates are in 1e-6 units of the notional (`taker_fee: 196` = 0.0196 %).
 *
 * @param t The trade.
 * @param accountIndex Our account.
 * @param symbol Its unified symbol.
 * @returns The fill.
 */
export function toFill(t: LighterTrade, accountIndex: number, symbol: string): Fill | undefined {
  const ask = t.ask_account_id === accountIndex;
  if (!ask && t.bid_account_id !== accountIndex) return undefined;
  const maker = ask ? t.is_maker_ask : !t.is_maker_ask;
  const rate = maker ? t.maker_fee : t.taker_fee;
  return {
    venue: "lighter",
    symbol,
    tradeId: t.trade_id_str ?? String(t.trade_id),
    orderId: String(ask ? t.ask_id : t.bid_id),
    clientOrderId: (() => {
      const c = ask ? t.ask_client_id : t.bid_client_id;
      return c === undefined || c === 0 ? undefined : String(c);
    })(),
    side: ask ? "sell" : "buy",
    price: t.price,
    size: t.size,
    fee: rate === undefined ? new Decimal(0) : t.usd_amount.times(rate).div(1_000_000),
    liquidity: maker ? "maker" : "taker",
    timestamp: toMs(t.timestamp),
  };
}

/**
 * A venue position with its signed size (`position` is absolute; `sign` −1 means short) and the
 * risk figures the venue reports:
 * - `liquidationPrice`: `liquidation_price` when positive (`"0"` means none);
 * - `leverage`: 100 / `initial_margin_fraction` (a percent: `"5.00"` = 20x);
 * - `marginUsed`: `allocated_margin` of an isolated position (`margin_mode` 1); for a cross
 *   position, its initial margin requirement `position_value` × `initial_margin_fraction` %;
 * - `cumulativeFunding`: −`total_funding_paid_out` (the venue counts funding paid out as
 *   positive; the unified sign is positive = received).
 * The venue reports maintenance margin per account only (`Balance.marginRatio`), so
 * `maintenanceMargin` stays unset.
 *
 * @param p The position.
 * @returns The position.
 */
export function toPosition(p: LighterPosition): Position {
  const imf = p.initial_margin_fraction;
  const hasImf = imf !== undefined && imf.gt(0);
  const isolated = p.margin_mode === 1;
  const marginUsed = isolated
    ? p.allocated_margin
    : hasImf && p.position_value !== undefined
    ? p.position_value.times(imf).div(100)
    : undefined;
  return {
    venue: "lighter",
    symbol: p.symbol,
    size: p.sign < 0 ? p.position.neg() : p.position,
    entryPrice: p.avg_entry_price,
    unrealizedPnl: p.unrealized_pnl,
    ...(p.liquidation_price && p.liquidation_price.gt(0)
      ? { liquidationPrice: p.liquidation_price }
      : {}),
    ...(marginUsed !== undefined ? { marginUsed } : {}),
    ...(hasImf ? { leverage: new Decimal(100).div(imf) } : {}),
    ...(p.total_funding_paid_out !== undefined
      ? { cumulativeFunding: p.total_funding_paid_out.neg() }
      : {}),
  };
}

/**
 * A `positionFunding` row as a unified funding payment: `amount` is `change` as it is (the
 * change of the account's collateral: positive = received), `rate` the percent per hour as a
 * fraction per hour (Lighter's interval), `positionSize` signed by `position_side`, `time` in ms,
 * `id` `"<market_id>:<funding_id>"` (unique per market even if `funding_id` names the round).
 *
 * @param f The row.
 * @param symbol Its unified symbol.
 * @returns The payment.
 */
export function toFundingPayment(f: LighterPositionFunding, symbol: string): FundingPayment {
  return {
    venue: "lighter",
    symbol,
    time: toMs(f.timestamp),
    amount: f.change,
    rate: f.rate.div(100),
    positionSize: f.position_side === "short" ? f.position_size.neg() : f.position_size,
    id: `${f.market_id}:${f.funding_id}`,
  };
}
