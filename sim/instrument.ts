/**
 * Instruments of the simulator: the trading rules of one perpetual market and the exact
 * conversions between decimal prices / sizes and the integer ticks / lots the engine uses.
 *
 * @module
 */
import { Decimal, type DecimalInput, toDecimal } from "../core/decimal.ts";
import { ConfigurationError, InvalidOrderError } from "../core/errors.ts";
import {
  CASH_DECIMALS,
  formatScaled,
  parseScaledFast,
  type Ratio,
  ratioOf,
  toScaledBigInt,
} from "./_fixed.ts";

/**
 * Default funding interval, in hours, of each venue the simulator replicates.
 *
 * @example
 * ```ts
 * import { DEFAULT_FUNDING_INTERVAL_HOURS } from "./instrument.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(DEFAULT_FUNDING_INTERVAL_HOURS.edgex, 4);
 * ```
 */
export const DEFAULT_FUNDING_INTERVAL_HOURS: Readonly<
  { lighter: number; grvt: number; edgex: number }
> = Object.freeze({ lighter: 1, grvt: 8, edgex: 4 });

/**
 * The rules of one simulated perpetual market. Every decimal is a `Decimal` or a decimal string.
 *
 * @example
 * ```ts
 * import type { InstrumentSpec } from "./instrument.ts";
 * const btc: InstrumentSpec = {
 *   symbol: "BTC",
 *   tickSize: "0.1",
 *   sizeStep: "0.001",
 *   makerFee: "-0.0001",
 *   takerFee: "0.00045",
 *   fundingIntervalHours: 8,
 * };
 * ```
 */
export interface InstrumentSpec {
  /** Unified symbol, e.g. `"BTC"`. */
  symbol: string;
  /** Smallest price increment. */
  tickSize: DecimalInput;
  /** Smallest size increment. */
  sizeStep: DecimalInput;
  /** Smallest order size. @default {sizeStep} */
  minSize?: DecimalInput;
  /** Smallest order notional (price × size) in quote units. @default {"0"} */
  minNotional?: DecimalInput;
  /** Largest leverage; initial margin = notional / leverage. @default {"20"} */
  maxLeverage?: DecimalInput;
  /** Maintenance margin as a fraction of notional. @default {half the initial margin at maxLeverage} */
  maintenanceMarginFraction?: DecimalInput;
  /** Maker fee as a fraction of notional; negative is a rebate. @default {"0"} */
  makerFee?: DecimalInput;
  /** Taker fee as a fraction of notional; negative is a rebate. @default {"0"} */
  takerFee?: DecimalInput;
  /** Hours between funding settlements (1 Lighter, 8 GRVT, 4 EdgeX). @default {8} */
  fundingIntervalHours?: number;
  /** Decimal places a funding rate is truncated to. @default {8} */
  fundingRateDecimals?: number;
  /** Largest absolute funding rate per interval (premium rates are clamped to it). @default {"0.005"} */
  fundingRateCap?: DecimalInput;
}

function positive(value: DecimalInput, name: string, symbol: string): Decimal {
  const d = toDecimal(value, name);
  if (!d.gt(0)) {
    throw new ConfigurationError(`Instrument ${symbol}: '${name}' must be positive: got ${d}`);
  }
  return d;
}

/**
 * One market with its rules and exact integer conversions. Prices are held as integer ticks
 * and sizes as integer lots; cash is a bigint of 10^-24 quote units, so every fee, PnL and
 * funding amount is exact. Validation errors are {@linkcode InvalidOrderError}s naming the
 * venue given to the converter.
 *
 * @example
 * ```ts
 * import { Instrument } from "./instrument.ts";
 * import { deepStrictEqual, throws } from "node:assert/strict";
 *
 * const eth = new Instrument({ symbol: "ETH", tickSize: "0.01", sizeStep: "0.001" });
 * deepStrictEqual(eth.priceToTicks("4050.25"), 405025);
 * deepStrictEqual(eth.formatPrice(405025), "4050.25");
 * throws(() => eth.sizeToLots("0.0015"), /multiple of 0.001: current value is 0.0015/);
 * ```
 */
export class Instrument {
  /** Unified symbol. */
  readonly symbol: string;
  /** Smallest price increment. */
  readonly tickSize: Decimal;
  /** Smallest size increment. */
  readonly sizeStep: Decimal;
  /** Smallest order size. */
  readonly minSize: Decimal;
  /** Smallest order notional. */
  readonly minNotional: Decimal;
  /** Largest leverage. */
  readonly maxLeverage: Decimal;
  /** Maintenance margin fraction. */
  readonly maintenanceMarginFraction: Decimal;
  /** Maker fee fraction (negative = rebate). */
  readonly makerFee: Decimal;
  /** Taker fee fraction. */
  readonly takerFee: Decimal;
  /** Hours between funding settlements. */
  readonly fundingIntervalHours: number;
  /** Milliseconds between funding settlements. */
  readonly fundingIntervalMs: number;
  /** Decimal places of a funding rate. */
  readonly fundingRateDecimals: number;
  /** Largest absolute funding rate per interval. */
  readonly fundingRateCap: Decimal;

  /** @internal Decimal places of a tick-scaled integer price (tick = tickUnits · 10^-priceDecimals). */
  readonly priceDecimals: number;
  /** @internal Tick size in 10^-priceDecimals units. */
  readonly tickUnits: number;
  /** @internal Decimal places of a step-scaled integer size. */
  readonly sizeDecimals: number;
  /** @internal Step in 10^-sizeDecimals units. */
  readonly stepUnits: number;
  /** @internal Minimum size in lots. */
  readonly minLots: number;
  /** @internal Cash atoms (10^-24) of one tick × one lot. */
  readonly tickLotAtoms: bigint;
  /** @internal Minimum notional in cash atoms. */
  readonly minNotionalAtoms: bigint;
  /** @internal Maker fee in atoms per tick·lot (exact). */
  readonly makerFeeAtoms: bigint;
  /** @internal Taker fee in atoms per tick·lot (exact). */
  readonly takerFeeAtoms: bigint;
  /** @internal Atoms per tick·lot per funding-rate unit (10^-fundingRateDecimals). */
  readonly fundingAtoms: bigint;
  /** @internal Largest funding rate in rate units. */
  readonly fundingCapUnits: bigint;
  /** @internal Maximum leverage as a ratio. */
  readonly maxLeverageRatio: Ratio;
  /** @internal Maintenance margin fraction as a ratio. */
  readonly maintenanceRatio: Ratio;

  /**
   * Validates the rules and derives the exact integer conversions.
   *
   * @param spec The market's rules.
   * @throws {ConfigurationError} If a value is not positive where it must be, or the combination
   * of tick, step, fees and funding decimals cannot be kept exact in 24 cash decimals.
   */
  constructor(spec: InstrumentSpec) {
    const symbol = spec.symbol;
    if (!symbol) throw new ConfigurationError("Instrument symbol must be a non-empty string");
    this.symbol = symbol;
    this.tickSize = positive(spec.tickSize, "tickSize", symbol);
    this.sizeStep = positive(spec.sizeStep, "sizeStep", symbol);
    this.minSize = spec.minSize === undefined
      ? this.sizeStep
      : positive(spec.minSize, "minSize", symbol);
    this.minNotional = toDecimal(spec.minNotional ?? "0", "minNotional");
    this.maxLeverage = positive(spec.maxLeverage ?? "20", "maxLeverage", symbol);
    this.makerFee = toDecimal(spec.makerFee ?? "0", "makerFee");
    this.takerFee = toDecimal(spec.takerFee ?? "0", "takerFee");
    this.fundingIntervalHours = spec.fundingIntervalHours ?? 8;
    if (!(this.fundingIntervalHours > 0) || !Number.isFinite(this.fundingIntervalHours)) {
      throw new ConfigurationError(
        `Instrument ${symbol}: 'fundingIntervalHours' must be positive: got ${this.fundingIntervalHours}`,
      );
    }
    this.fundingIntervalMs = Math.round(this.fundingIntervalHours * 3_600_000);
    this.fundingRateDecimals = spec.fundingRateDecimals ?? 8;
    this.fundingRateCap = positive(spec.fundingRateCap ?? "0.005", "fundingRateCap", symbol);

    this.priceDecimals = this.tickSize.decimalPlaces();
    this.tickUnits = this.tickSize.times(new Decimal(10).pow(this.priceDecimals)).toNumber();
    this.sizeDecimals = this.sizeStep.decimalPlaces();
    this.stepUnits = this.sizeStep.times(new Decimal(10).pow(this.sizeDecimals)).toNumber();
    const minLots = this.minSize.div(this.sizeStep);
    if (!minLots.isInteger()) {
      throw new ConfigurationError(
        `Instrument ${symbol}: 'minSize' must be a multiple of 'sizeStep'`,
      );
    }
    this.minLots = minLots.toNumber();

    const exact = (value: Decimal, what: string): bigint => {
      const v = toScaledBigInt(value, CASH_DECIMALS);
      if (v === undefined) {
        throw new ConfigurationError(
          `Instrument ${symbol}: ${what} cannot be kept exact in ${CASH_DECIMALS} decimals; use coarser tick, step, fee or funding decimals`,
        );
      }
      return v;
    };
    const tickLot = this.tickSize.times(this.sizeStep);
    this.tickLotAtoms = exact(tickLot, "tick × step");
    this.minNotionalAtoms = exact(this.minNotional, "minNotional");
    this.makerFeeAtoms = exact(tickLot.times(this.makerFee), "tick × step × makerFee");
    this.takerFeeAtoms = exact(tickLot.times(this.takerFee), "tick × step × takerFee");
    this.fundingAtoms = exact(
      tickLot.div(new Decimal(10).pow(this.fundingRateDecimals)),
      "tick × step × funding rate unit",
    );
    const cap = toScaledBigInt(this.fundingRateCap, this.fundingRateDecimals);
    if (cap === undefined) {
      throw new ConfigurationError(
        `Instrument ${symbol}: 'fundingRateCap' has more than ${this.fundingRateDecimals} decimals`,
      );
    }
    this.fundingCapUnits = cap;
    this.maxLeverageRatio = ratioOf(this.maxLeverage);
    if (spec.maintenanceMarginFraction !== undefined) {
      this.maintenanceMarginFraction = positive(
        spec.maintenanceMarginFraction,
        "maintenanceMarginFraction",
        symbol,
      );
      this.maintenanceRatio = ratioOf(this.maintenanceMarginFraction);
    } else {
      // Half of the initial margin at max leverage: 1 / (2 · maxLeverage), kept as a ratio.
      this.maintenanceRatio = {
        num: this.maxLeverageRatio.den,
        den: 2n * this.maxLeverageRatio.num,
      };
      this.maintenanceMarginFraction = new Decimal(1).div(this.maxLeverage.times(2));
    }
  }

  /**
   * Converts a price to integer ticks.
   *
   * @param price The price.
   * @param venue Venue name for the error message. @default {"sim"}
   * @param field Field name for the error message. @default {"price"}
   * @returns The price in ticks (> 0).
   * @throws {InvalidOrderError} If the price is not a positive multiple of the tick size.
   */
  priceToTicks(price: DecimalInput, venue = "sim", field = "price"): number {
    return this.#toUnits(
      price,
      this.priceDecimals,
      this.tickUnits,
      this.tickSize,
      "invalid_price",
      venue,
      field,
    );
  }

  /**
   * Converts a size to integer lots (without checking the minimum size).
   *
   * @param size The size.
   * @param venue Venue name for the error message. @default {"sim"}
   * @param field Field name for the error message. @default {"size"}
   * @returns The size in lots (> 0).
   * @throws {InvalidOrderError} If the size is not a positive multiple of the size step.
   */
  sizeToLots(size: DecimalInput, venue = "sim", field = "size"): number {
    return this.#toUnits(
      size,
      this.sizeDecimals,
      this.stepUnits,
      this.sizeStep,
      "invalid_size",
      venue,
      field,
    );
  }

  /** A positive multiple of `step` as a count of steps; strings take a fast exact path. */
  #toUnits(
    value: DecimalInput,
    decimals: number,
    stepUnits: number,
    step: Decimal,
    reason: "invalid_price" | "invalid_size",
    venue: string,
    field: string,
  ): number {
    if (typeof value === "string") {
      const scaled = parseScaledFast(value, decimals);
      if (scaled !== undefined && scaled > 0 && scaled % stepUnits === 0) {
        return scaled / stepUnits;
      }
    }
    const d = this.#decimal(value, venue, field, reason);
    const refuse = (why: string) =>
      new InvalidOrderError(reason, {
        venue,
        message: `Cannot place order on ${venue} as '${field}' ${why}: current value is ${d}`,
      });
    if (!d.gt(0)) throw refuse("must be positive");
    const q = d.div(step);
    if (!q.isInteger()) throw refuse(`must be a multiple of ${step}`);
    if (!q.lte(Number.MAX_SAFE_INTEGER)) throw refuse("is too large");
    return q.toNumber();
  }

  /**
   * Formats integer ticks as a price string.
   *
   * @param ticks Price in ticks.
   * @returns The canonical decimal string.
   */
  formatPrice(ticks: number): string {
    return formatScaled(this.tickUnits === 1 ? ticks : ticks * this.tickUnits, this.priceDecimals);
  }

  /**
   * Formats integer lots (signed) as a size string.
   *
   * @param lots Size in lots.
   * @returns The canonical decimal string.
   */
  formatSize(lots: number): string {
    return formatScaled(this.stepUnits === 1 ? lots : lots * this.stepUnits, this.sizeDecimals);
  }

  /**
   * Converts a funding rate to integer units of 10^-fundingRateDecimals.
   *
   * @param rate The rate per interval.
   * @returns The rate in units.
   * @throws {ConfigurationError} If the rate has more decimals than `fundingRateDecimals`.
   */
  rateToUnits(rate: DecimalInput): bigint {
    const d = toDecimal(rate, "rate");
    const units = toScaledBigInt(d, this.fundingRateDecimals);
    if (units === undefined) {
      throw new ConfigurationError(
        `Funding rate ${d} for ${this.symbol} has more than ${this.fundingRateDecimals} decimals`,
      );
    }
    return units;
  }

  /**
   * Formats funding-rate units as a decimal string.
   *
   * @param units Rate in 10^-fundingRateDecimals units.
   * @returns The canonical decimal string.
   */
  formatRate(units: bigint): string {
    return formatScaled(units, this.fundingRateDecimals);
  }

  /**
   * Public description of the market in the shared shape (decimal strings).
   *
   * @returns The rules as strings.
   */
  describe(): InstrumentInfo {
    return {
      symbol: this.symbol,
      tickSize: this.tickSize.toString(),
      sizeStep: this.sizeStep.toString(),
      minSize: this.minSize.toString(),
      minNotional: this.minNotional.toString(),
      maxLeverage: this.maxLeverage.toString(),
      maintenanceMarginFraction: this.maintenanceMarginFraction.toString(),
      makerFee: this.makerFee.toString(),
      takerFee: this.takerFee.toString(),
      fundingIntervalHours: this.fundingIntervalHours,
      fundingRateCap: this.fundingRateCap.toString(),
    };
  }

  #decimal(
    value: DecimalInput,
    venue: string,
    field: string,
    reason: "invalid_size" | "invalid_price",
  ): Decimal {
    try {
      return toDecimal(value, field);
    } catch (cause) {
      throw new InvalidOrderError(reason, {
        venue,
        cause,
        message:
          `Cannot place order on ${venue} as '${field}' must be a decimal string: current value is ${
            typeof value === "string" ? JSON.stringify(value) : typeof value
          }`,
      });
    }
  }
}

/**
 * An instrument's rules as decimal strings (what {@linkcode Instrument.describe} returns).
 *
 * @example
 * ```ts
 * import { Instrument, type InstrumentInfo } from "./instrument.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const info: InstrumentInfo = new Instrument({ symbol: "SOL", tickSize: "0.001", sizeStep: "0.01" }).describe();
 * equal(info.fundingIntervalHours, 8);
 * ```
 */
export interface InstrumentInfo {
  /** Unified symbol. */
  symbol: string;
  /** Smallest price increment. */
  tickSize: string;
  /** Smallest size increment. */
  sizeStep: string;
  /** Smallest order size. */
  minSize: string;
  /** Smallest order notional. */
  minNotional: string;
  /** Largest leverage. */
  maxLeverage: string;
  /** Maintenance margin fraction. */
  maintenanceMarginFraction: string;
  /** Maker fee fraction. */
  makerFee: string;
  /** Taker fee fraction. */
  takerFee: string;
  /** Hours between funding settlements. */
  fundingIntervalHours: number;
  /** Largest absolute funding rate per interval. */
  fundingRateCap: string;
}
