/**
 * Pre-trade checks of the grid bot, run once the market, the quote and the account are read
 * and before anything is sent. Each failure is one line naming the flag and the limit; the
 * bot refuses to start on any (exit 2). `--force` turns the take-profit refusals (net of fees
 * at or below zero, above {@linkcode MAX_TAKE_PROFIT_PERCENT}) into warnings; size, step and
 * margin failures are never forced (the venue would refuse every order anyway).
 *
 * - `--quantity`: a multiple of the market's size step, at least its minimum size, and (when
 *   the market sets one) an order notional of at least its minimum notional;
 * - margin: one order's notional at the mid price, divided by the leverage (the position's,
 *   else the market's largest, else 1), fits the account's available balance;
 * - `--take-profit`: above the round-trip fee (two maker fills: the market's maker fee when the
 *   client reports it, else the configured table `funding/fees.ts`) — a take-profit at or
 *   below it loses money on every round trip; a warning when fees take half of it or more;
 *   and at most {@linkcode MAX_TAKE_PROFIT_PERCENT} %.
 *
 * @module
 */
import { type Balance, Decimal, type Market } from "../base.ts";
import { isMultipleOf } from "../exchanges/_shared/quantize.ts";
import { publishedFees } from "../funding/fees.ts";

/** Largest take-profit accepted without `--force`, percent. */
export const MAX_TAKE_PROFIT_PERCENT = 10;

/** What {@linkcode preflightGrid} checks. */
export interface PreflightInput {
  /** The market (steps, minimums, maker fee). */
  market: Market;
  /** Order size, base units. */
  quantity: string;
  /** Take-profit, percent of the fill price. */
  takeProfit: string;
  /** Best bid and ask, when the book has both sides. */
  quote?: { bid: Decimal; ask: Decimal };
  /** The account, when it could be read. */
  balance?: Pick<Balance, "available" | "asset">;
  /** Leverage of the market for this account, when known. */
  leverage?: Decimal;
  /** `--force`: take-profit refusals become warnings. */
  force?: boolean;
}

/** What {@linkcode preflightGrid} found. */
export interface PreflightResult {
  /** Refusals, one line each (exit 2). */
  errors: string[];
  /** Warnings, one line each. */
  warnings: string[];
  /** The maker fee used, fraction. */
  makerFee: Decimal;
  /** Round-trip fee (two maker fills), percent of the price. */
  roundTripPercent: Decimal;
}

/**
 * The grid's pre-trade checks (see the module documentation).
 *
 * @param input Market, flags, quote and account.
 * @returns The refusals and warnings.
 *
 * @example EdgeX's defaults lose money on every round trip
 * ```ts
 * import { Decimal, type Market } from "../base.ts";
 * import { preflightGrid } from "./preflight.ts";
 * import { deepStrictEqual as deepEqual, strictEqual as equal } from "node:assert/strict";
 *
 * const d = (s: string) => new Decimal(s);
 * const market: Market = {
 *   venue: "edgex", symbol: "BTC", venueSymbol: "BTCUSD", venueId: 1, baseAsset: "BTC",
 *   quoteAsset: "USD", tickSize: d("0.1"), sizeStep: d("0.001"), minSize: d("0.001"),
 *   minNotional: d("0"), makerFee: d("0.00015"), fundingIntervalHours: 4,
 * };
 * const r = preflightGrid({ market, quantity: "0.01", takeProfit: "0.02" });
 * deepEqual(r.errors, [
 *   "--take-profit 0.02 % is at or below the round-trip fee of 0.03 % on edgex (maker fee " +
 *   "0.015 % each way): every round trip loses 0.01 %; raise --take-profit above 0.03 or " +
 *   "pass --force",
 * ]);
 * equal(preflightGrid({ market, quantity: "0.01", takeProfit: "0.05" }).errors.length, 0);
 * ```
 */
export function preflightGrid(input: PreflightInput): PreflightResult {
  const { market } = input;
  const errors: string[] = [];
  const warnings: string[] = [];
  const quantity = new Decimal(input.quantity);
  const tp = new Decimal(input.takeProfit);
  const where = `${market.symbol} on ${market.venue}`;

  if (!isMultipleOf(quantity, market.sizeStep)) {
    errors.push(
      `--quantity ${quantity} does not fit ${where}: it must be a multiple of ${market.sizeStep}`,
    );
  }
  if (quantity.lt(market.minSize)) {
    errors.push(
      `--quantity ${quantity} is below the minimum size of ${where}: at least ${market.minSize}`,
    );
  }
  const mid = input.quote ? input.quote.bid.plus(input.quote.ask).div(2) : undefined;
  if (mid !== undefined) {
    const notional = quantity.times(mid);
    if (market.minNotional.gt(0) && notional.lt(market.minNotional)) {
      errors.push(
        `--quantity ${quantity} is worth ${notional.toFixed(2)} ${market.quoteAsset} at ${mid}, ` +
          `below the minimum order value of ${where}: ${market.minNotional}`,
      );
    }
    if (input.balance) {
      const leverage = input.leverage ?? market.maxLeverage ?? new Decimal(1);
      const margin = notional.div(leverage);
      if (margin.gt(input.balance.available)) {
        const most = input.balance.available.times(leverage).div(mid);
        errors.push(
          `--quantity ${quantity} needs ${margin.toFixed(2)} ${input.balance.asset} of margin ` +
            `(${notional.toFixed(2)} at ${mid}, leverage ${leverage}), more than the ` +
            `${input.balance.available.toFixed(2)} available: at most about ` +
            `${most.toSignificantDigits(3, Decimal.ROUND_DOWN)} ${market.baseAsset}`,
        );
      }
    }
  }

  const makerFee = market.makerFee ??
    publishedFees(market.venue).maker;
  const roundTrip = makerFee.times(2).times(100); // percent
  const net = tp.minus(roundTrip);
  const forceable = (line: string) => (input.force ? warnings : errors).push(line);
  if (net.lte(0)) {
    forceable(
      `--take-profit ${tp} % is at or below the round-trip fee of ${roundTrip} % on ` +
        `${market.venue} (maker fee ${makerFee.times(100)} % each way): every round trip ` +
        `loses ${net.neg()} %; raise --take-profit above ${roundTrip}` +
        (input.force ? " (--force: trading anyway)" : " or pass --force"),
    );
  } else if (roundTrip.gt(0) && roundTrip.times(2).gte(tp)) {
    warnings.push(
      `--take-profit ${tp} % keeps ${net} % after the round-trip fee of ${roundTrip} % on ` +
        `${market.venue}: fees take half of it or more`,
    );
  }
  if (tp.gt(MAX_TAKE_PROFIT_PERCENT)) {
    forceable(
      `--take-profit ${tp} % is above ${MAX_TAKE_PROFIT_PERCENT} % (it is a percent: 0.02 ` +
        `means 0.02 %)` + (input.force ? " (--force: trading anyway)" : "; pass --force if meant"),
    );
  }
  return { errors, warnings, makerFee, roundTripPercent: roundTrip };
}
