/**
 * Lighter markets: the unified `Market` from `orderBookDetails`, and the exact integer encoding
 * of prices and sizes (`price × 10^price_decimals`, `size × 10^size_decimals`; lighter.md §7.3).
 *
 * @module
 */
import type { Market } from "../../base.ts";
import { Decimal, type DecimalInput } from "../../core/decimal.ts";
import { InvalidOrderError } from "../../core/errors.ts";
import { fromScaledInteger, toScaledInteger } from "../_shared/quantize.ts";
import { LIGHTER_FUNDING_INTERVAL_HOURS } from "./common.ts";
import type { OrderBookDetail } from "./schemas.ts";

/**
 * A Lighter market: the unified fields plus the venue's market index and decimals.
 *
 * @example
 * ```ts
 * import type { LighterMarket } from "./markets.ts";
 * const ticks = (m: LighterMarket) => [m.marketIndex, m.priceDecimals, m.sizeDecimals];
 * ```
 */
export interface LighterMarket extends Market {
  /** Market index (`market_id`). */
  marketIndex: number;
  /** Decimals of the integer price. */
  priceDecimals: number;
  /** Decimals of the integer size. */
  sizeDecimals: number;
}

/**
 * Builds the unified market from an `orderBookDetails` entry. The unified symbol is the venue's
 * symbol as it is (`"1000BONK"` stays `"1000BONK"`: multiplier markets are never renamed by
 * stripping digits). Fee strings are percent; margin fractions are 1e-4 units.
 *
 * @param d The entry.
 * @returns The market.
 *
 * @example
 * ```ts
 * import { marketFromDetail } from "./markets.ts";
 * import { Decimal } from "../../core/decimal.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const m = marketFromDetail({
 *   symbol: "ETH", market_id: 0, status: "active", taker_fee: new Decimal("0.0280"),
 *   maker_fee: new Decimal("0.0040"), min_base_amount: new Decimal("0.0050"),
 *   min_quote_amount: new Decimal("10.000000"), size_decimals: 4, price_decimals: 2,
 *   min_initial_margin_fraction: 200,
 * });
 * equal(m.tickSize.toString(), "0.01");
 * equal(m.takerFee?.toString(), "0.00028");
 * equal(m.maxLeverage?.toString(), "50");
 * ```
 */
export function marketFromDetail(d: OrderBookDetail): LighterMarket {
  const imf = d.min_initial_margin_fraction ?? d.default_initial_margin_fraction;
  return {
    venue: "lighter",
    symbol: d.symbol,
    venueSymbol: d.symbol,
    venueId: d.market_id,
    baseAsset: d.symbol,
    quoteAsset: "USDC",
    tickSize: fromScaledInteger(1n, d.price_decimals),
    sizeStep: fromScaledInteger(1n, d.size_decimals),
    minSize: d.min_base_amount,
    minNotional: d.min_quote_amount,
    ...(imf && imf > 0 ? { maxLeverage: new Decimal(10_000).div(imf) } : {}),
    makerFee: d.maker_fee.div(100),
    takerFee: d.taker_fee.div(100),
    fundingIntervalHours: LIGHTER_FUNDING_INTERVAL_HOURS,
    marketIndex: d.market_id,
    priceDecimals: d.price_decimals,
    sizeDecimals: d.size_decimals,
  };
}

/**
 * Encodes a price as the venue's integer (`uint32`), refusing an off-tick value.
 *
 * @param market The market.
 * @param price The price.
 * @param field Name used in the error. @default {"price"}
 * @returns The integer.
 * @throws {InvalidOrderError} If the price is not a positive multiple of the tick or does not fit.
 *
 * @example
 * ```ts
 * import { encodePrice } from "./markets.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(encodePrice({ priceDecimals: 2 }, "4050"), 405000);
 * ```
 */
export function encodePrice(
  market: Pick<LighterMarket, "priceDecimals">,
  price: DecimalInput,
  field = "price",
): number {
  const v = scaled(price, market.priceDecimals, field, "invalid_price", "tick");
  if (v < 1n || v > 0xffffffffn) {
    throw new InvalidOrderError("invalid_price", {
      venue: "lighter",
      message: `Cannot place order on lighter as '${field}' must be in (0, ${
        fromScaledInteger(0xffffffffn, market.priceDecimals)
      }]: current value is ${price}`,
    });
  }
  return Number(v);
}

/**
 * Encodes a size as the venue's integer base amount, refusing an off-step value.
 *
 * @param market The market.
 * @param size The size.
 * @returns The integer.
 * @throws {InvalidOrderError} If the size is not a positive multiple of the step or too large.
 *
 * @example
 * ```ts
 * import { encodeSize } from "./markets.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(encodeSize({ sizeDecimals: 5 }, "0.001"), 100);
 * ```
 */
export function encodeSize(
  market: Pick<LighterMarket, "sizeDecimals">,
  size: DecimalInput,
): number {
  const v = scaled(size, market.sizeDecimals, "size", "invalid_size", "size step");
  if (v < 1n || v >= 1n << 48n) {
    throw new InvalidOrderError("invalid_size", {
      venue: "lighter",
      message:
        `Cannot place order on lighter as 'size' must be positive and below 2^48 steps: current value is ${size}`,
    });
  }
  return Number(v);
}

function scaled(
  value: DecimalInput,
  decimals: number,
  field: string,
  reason: "invalid_price" | "invalid_size",
  what: string,
): bigint {
  try {
    return toScaledInteger(value, decimals, "exact");
  } catch {
    throw new InvalidOrderError(reason, {
      venue: "lighter",
      message: `Cannot place order on lighter as '${field}' must be a multiple of the ${what} ${
        fromScaledInteger(1n, decimals)
      }: current value is ${value}`,
    });
  }
}
