/**
 * Trading fees per venue, as fractions of notional (negative = rebate). They feed the
 * opportunity cost model; the service stores them in its `venues` table so they can be
 * configured there (the original service hard-coded them, originals.md §7.5).
 *
 * @module
 */
import { Decimal } from "../base.ts";

/** Maker and taker fee of one venue, fractions of notional; a negative maker fee is a rebate. */
export interface VenueFees {
  /** Fee for resting (maker) fills. */
  maker: Decimal;
  /** Fee for crossing (taker) fills. */
  taker: Decimal;
}

/** Which fee applies to the fills of a position's entry and exit. */
export type FeeMode = "maker" | "taker";

/**
 * Default fees: Lighter standard accounts pay 0 / 0 (lighter.md: `maker_fee "0.0000"`,
 * `taker_fee "0.0000"`); GRVT −0.01 % / 0.055 % and EdgeX 0.015 % / 0.038 % (the original
 * service's seed table, originals.md §6.2); Hyperliquid 0.015 % / 0.045 % (the base tier of its
 * published perpetuals fee schedule). Unknown venues get {@linkcode UNKNOWN_VENUE_FEES}.
 *
 * @example
 * ```ts
 * import { DEFAULT_VENUE_FEES } from "./fees.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(DEFAULT_VENUE_FEES.grvt.maker.toString(), "-0.0001");
 * equal(DEFAULT_VENUE_FEES.hyperliquid.taker.toString(), "0.00045");
 * ```
 */
export const DEFAULT_VENUE_FEES: Readonly<Record<string, VenueFees>> = Object.freeze({
  lighter: Object.freeze({ maker: new Decimal("0"), taker: new Decimal("0") }),
  grvt: Object.freeze({ maker: new Decimal("-0.0001"), taker: new Decimal("0.00055") }),
  edgex: Object.freeze({ maker: new Decimal("0.00015"), taker: new Decimal("0.00038") }),
  hyperliquid: Object.freeze({ maker: new Decimal("0.00015"), taker: new Decimal("0.00045") }),
});

/**
 * Fees assumed for a venue missing from the table (conservative: 0.03 % / 0.06 %, the
 * original service's fallback).
 *
 * @example
 * ```ts
 * import { UNKNOWN_VENUE_FEES } from "./fees.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(UNKNOWN_VENUE_FEES.taker.toString(), "0.0006");
 * ```
 */
export const UNKNOWN_VENUE_FEES: VenueFees = Object.freeze({
  maker: new Decimal("0.0003"),
  taker: new Decimal("0.0006"),
});

/**
 * A venue's published fees: its row of {@linkcode DEFAULT_VENUE_FEES}, else
 * {@linkcode UNKNOWN_VENUE_FEES}.
 *
 * @param venue The venue's name.
 * @returns Its maker and taker rates.
 *
 * @example
 * ```ts
 * import { publishedFees } from "./fees.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(publishedFees("edgex").maker.toString(), "0.00015");
 * equal(publishedFees("somewhere").taker.toString(), "0.0006");
 * ```
 */
export function publishedFees(venue: string): VenueFees {
  return DEFAULT_VENUE_FEES[venue] ?? UNKNOWN_VENUE_FEES;
}

/**
 * Round-trip fee cost of a two-leg position per unit of notional of one leg: each leg is
 * opened and closed once, so four fills, `2 × (fee_long + fee_short)`.
 *
 * @param long Fees of the venue holding the long leg.
 * @param short Fees of the venue holding the short leg.
 * @param mode Which fee applies to the fills. @default {"taker"}
 * @returns The cost as a fraction of notional (negative when rebates exceed fees).
 *
 * @example
 * ```ts
 * import { DEFAULT_VENUE_FEES, roundTripCost } from "./fees.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * // GRVT's maker rebate offsets EdgeX's maker fee: 2 × (0.00015 − 0.0001) = 0.0001
 * equal(roundTripCost(DEFAULT_VENUE_FEES.edgex, DEFAULT_VENUE_FEES.grvt, "maker").toString(), "0.0001");
 * ```
 */
export function roundTripCost(long: VenueFees, short: VenueFees, mode: FeeMode = "taker"): Decimal {
  return long[mode].plus(short[mode]).times(2);
}
