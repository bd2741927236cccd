/**
 * Cross-venue funding opportunities: for every symbol quoted on at least two venues and every
 * venue pair, both directions are tried and the one that earns is kept — long where the
 * **hourly** rate is lower, short where it is higher. Raw rates of different intervals are
 * never compared.
 *
 * Per unit of notional on each leg:
 * - `grossHourly = short.hourlyRate − long.hourlyRate`, `grossApr = grossHourly × 8760`;
 * - `roundTripFee = 2 × (fee_long + fee_short)` (open and close both legs; maker or taker;
 *   a negative maker fee is a rebate and lowers the cost);
 * - amortised over the holding horizon: `netHourly = grossHourly − roundTripFee / holdHours`,
 *   `netApr = netHourly × 8760`, `netReturn = grossHourly × holdHours − roundTripFee`;
 * - `breakEvenHours = roundTripFee / grossHourly` (0 when rebates exceed fees).
 *
 * This fixes the original finder (originals.md §7.1, §7.6), which compared one 8-hour payment
 * of rates of any interval with the whole round-trip fee.
 *
 * @module
 */
import { Decimal, type DecimalInput, HOURS_PER_YEAR } from "../base.ts";
import {
  DEFAULT_VENUE_FEES,
  type FeeMode,
  roundTripCost,
  UNKNOWN_VENUE_FEES,
  type VenueFees,
} from "./fees.ts";
import type { FundingObservation } from "./model.ts";
import type { OpportunityStreak } from "./store.ts";

const HOUR_MS = 3_600_000;

/** How opportunities are costed. */
export interface CostOptions {
  /** Hours the position is held; fees are amortised over it. @default {"24"} */
  holdHours?: DecimalInput;
  /** Which fee applies to the four fills. @default {"taker"} */
  feeMode?: FeeMode;
  /** Fees per venue. @default {DEFAULT_VENUE_FEES} (unknown venues: UNKNOWN_VENUE_FEES) */
  fees?: Readonly<Record<string, VenueFees>>;
  /** Current streaks, for `persistedSince`. @default {none} */
  streaks?: readonly OpportunityStreak[];
}

/** Which opportunities to keep. A filter on a value a venue did not report rejects the pair. */
export interface OpportunityFilters {
  /** Only this unified symbol. */
  symbol?: string;
  /** Smaller leg's 24 h volume at least this (USD). */
  minVolumeUsd?: DecimalInput;
  /** Smaller leg's open interest at least this (USD). */
  minOiUsd?: DecimalInput;
  /** Smaller leg's open interest at most this (USD) — low-OI farming. */
  maxOiUsd?: DecimalInput;
  /** Wider leg's bid/ask spread at most this (bps). */
  maxSpreadBps?: DecimalInput;
  /** Both legs on these venues. */
  whitelistVenues?: readonly string[];
  /** Neither leg on these venues. */
  excludeVenues?: readonly string[];
  /** One leg on this venue. */
  requiredVenue?: string;
  /** Net APR at least this (fraction, e.g. 0.1 = 10 %). */
  minNetApr?: DecimalInput;
  /** Now, ms, for freshness. @default {Date.now()} */
  now?: number;
  /** Legs observed longer ago than this are stale and excluded (ms). @default {600_000} */
  maxAgeMs?: number;
  /** Sort key; all descending except `break_even_hours`. @default {"net_apr"} */
  sortBy?: OpportunitySortKey;
  /** Most results. @default {no limit} */
  limit?: number;
}

/** Sort keys of {@linkcode OpportunityFilters.sortBy}. */
export type OpportunitySortKey =
  | "net_apr"
  | "gross_apr"
  | "break_even_hours"
  | "min_volume"
  | "min_oi"
  | "persisted_hours";

/**
 * The accepted sort keys.
 *
 * @example
 * ```ts
 * import { OPPORTUNITY_SORT_KEYS } from "./opportunities.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(OPPORTUNITY_SORT_KEYS[0], "net_apr");
 * ```
 */
export const OPPORTUNITY_SORT_KEYS: readonly OpportunitySortKey[] = Object.freeze([
  "net_apr",
  "gross_apr",
  "break_even_hours",
  "min_volume",
  "min_oi",
  "persisted_hours",
]);

/** Default freshness limit: rates older than 10 minutes are stale. */
export const DEFAULT_MAX_AGE_MS = 600_000;

/** One leg of an opportunity. */
export interface OpportunityLeg {
  /** Venue name. */
  venue: string;
  /** Rate per interval as the venue applies it (fraction). */
  rate: Decimal;
  /** Hours per interval. */
  intervalHours: number;
  /** Fraction per hour. */
  hourlyRate: Decimal;
  /** Observation time, ms. */
  observedAt: number;
  /** Fee applied to this leg's fills. */
  fee: Decimal;
  /** 24 h volume in USD. */
  volume24hUsd?: Decimal;
  /** Open interest in USD. */
  openInterestUsd?: Decimal;
  /** Spread in bps. */
  spreadBps?: Decimal;
}

/**
 * A costed opportunity: long one venue, short another, same symbol.
 *
 * @example
 * ```ts
 * import type { Opportunity } from "./opportunities.ts";
 * const worthIt = (o: Opportunity) => o.netApr.gt(0.1);
 * ```
 */
export interface Opportunity {
  /** Unified symbol. */
  symbol: string;
  /** Leg with the lower hourly rate (receives, or pays less). */
  long: OpportunityLeg;
  /** Leg with the higher hourly rate. */
  short: OpportunityLeg;
  /** `short.hourlyRate − long.hourlyRate` (> 0). */
  grossHourly: Decimal;
  /** `grossHourly × 8760`. */
  grossApr: Decimal;
  /** Fee mode used. */
  feeMode: FeeMode;
  /** `2 × (long.fee + short.fee)`. */
  roundTripFee: Decimal;
  /** Holding horizon in hours. */
  holdHours: Decimal;
  /** `grossHourly − roundTripFee / holdHours`. */
  netHourly: Decimal;
  /** `netHourly × 8760`. */
  netApr: Decimal;
  /** `grossHourly × holdHours − roundTripFee`: what one unit of notional earns over the hold. */
  netReturn: Decimal;
  /** Hours of funding that pay the round-trip fee. */
  breakEvenHours: Decimal;
  /** Smaller 24 h volume of the legs, when both are known. */
  minVolume24hUsd?: Decimal;
  /** Smaller open interest, when both are known. */
  minOiUsd?: Decimal;
  /** Larger open interest, when both are known. */
  maxOiUsd?: Decimal;
  /** `long OI / short OI`, when both are known and short OI is not 0. */
  oiRatio?: Decimal;
  /** `long_heavy` (ratio > 1.2), `short_heavy` (< 0.8) or `balanced`. */
  oiImbalance?: "long_heavy" | "short_heavy" | "balanced";
  /** Wider of the two spreads, when both are known. */
  maxSpreadBps?: Decimal;
  /** Older of the two observation times, ms. */
  observedAt: number;
  /** Start of the streak of consecutive collections in which this direction paid, ms. */
  persistedSince?: number;
}

function minOf(a?: Decimal, b?: Decimal): Decimal | undefined {
  return a && b ? Decimal.min(a, b) : undefined;
}

function maxOf(a?: Decimal, b?: Decimal): Decimal | undefined {
  return a && b ? Decimal.max(a, b) : undefined;
}

function streakKey(symbol: string, long: string, short: string): string {
  return `${symbol}\u0000${long}\u0000${short}`;
}

function groupBySymbol(observations: readonly FundingObservation[]) {
  const bySymbol = new Map<string, FundingObservation[]>();
  for (const o of observations) {
    const list = bySymbol.get(o.symbol);
    if (list) list.push(o);
    else bySymbol.set(o.symbol, [o]);
  }
  return bySymbol;
}

function leg(o: FundingObservation, fee: Decimal): OpportunityLeg {
  const l: OpportunityLeg = {
    venue: o.venue,
    rate: o.rate,
    intervalHours: o.intervalHours,
    hourlyRate: o.hourlyRate,
    observedAt: o.time,
    fee,
  };
  if (o.volume24hUsd) l.volume24hUsd = o.volume24hUsd;
  if (o.openInterestUsd) l.openInterestUsd = o.openInterestUsd;
  if (o.spreadBps) l.spreadBps = o.spreadBps;
  return l;
}

/**
 * Costs every paying direction of every venue pair of every symbol, best net APR first. No
 * filter or freshness check is applied (see {@linkcode filterOpportunities}).
 *
 * @param observations Latest observations (one per venue and symbol).
 * @param options Holding horizon, fee mode, fees, streaks.
 * @returns The opportunities, sorted by net APR descending.
 * @throws {RangeError} If `holdHours` is not positive.
 *
 * @example Mixed intervals and a maker rebate
 * ```ts
 * import { fundingRate } from "../base.ts";
 * import { computeOpportunities } from "./opportunities.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const at = (venue: string, rate: string, intervalHours: number) => ({
 *   venue, symbol: "BTC", venueSymbol: "BTC", time: 0, ...fundingRate({ rate, intervalHours }),
 * });
 * // GRVT 0.0004 / 8 h = 0.00005 / h; EdgeX 0.00004 / 4 h = 0.00001 / h
 * const [o] = computeOpportunities([at("grvt", "0.0004", 8), at("edgex", "0.00004", 4)], {
 *   feeMode: "maker",
 *   holdHours: "24",
 * });
 * equal(`${o.long.venue}->${o.short.venue}`, "edgex->grvt");
 * equal(o.grossHourly.toString(), "0.00004");
 * equal(o.roundTripFee.toString(), "0.0001"); // 2 × (0.00015 − 0.0001)
 * equal(o.breakEvenHours.toString(), "2.5");
 * ```
 */
export function computeOpportunities(
  observations: readonly FundingObservation[],
  options: CostOptions = {},
): Opportunity[] {
  const holdHours = new Decimal(options.holdHours ?? "24");
  if (!holdHours.isPositive() || holdHours.isZero()) {
    throw new RangeError(`'holdHours' must be positive: got ${holdHours}`);
  }
  const feeMode = options.feeMode ?? "taker";
  const fees = options.fees ?? DEFAULT_VENUE_FEES;
  const feeOf = (venue: string) => (Object.hasOwn(fees, venue) ? fees[venue] : UNKNOWN_VENUE_FEES);
  const streaks = new Map<string, OpportunityStreak>();
  for (const s of options.streaks ?? []) {
    streaks.set(streakKey(s.symbol, s.longVenue, s.shortVenue), s);
  }
  const out: Opportunity[] = [];
  for (const [symbol, list] of groupBySymbol(observations)) {
    if (list.length < 2) continue;
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        // Both directions: only the one where the short leg's hourly rate is higher pays.
        const cmp = list[i].hourlyRate.comparedTo(list[j].hourlyRate);
        if (cmp === 0) continue;
        const [lo, hi] = cmp < 0 ? [list[i], list[j]] : [list[j], list[i]];
        const longFees = feeOf(lo.venue);
        const shortFees = feeOf(hi.venue);
        const grossHourly = hi.hourlyRate.minus(lo.hourlyRate);
        const roundTripFee = roundTripCost(longFees, shortFees, feeMode);
        const netHourly = grossHourly.minus(roundTripFee.div(holdHours));
        const o: Opportunity = {
          symbol,
          long: leg(lo, longFees[feeMode]),
          short: leg(hi, shortFees[feeMode]),
          grossHourly,
          grossApr: grossHourly.times(HOURS_PER_YEAR),
          feeMode,
          roundTripFee,
          holdHours,
          netHourly,
          netApr: netHourly.times(HOURS_PER_YEAR),
          netReturn: grossHourly.times(holdHours).minus(roundTripFee),
          breakEvenHours: roundTripFee.isPositive() && !roundTripFee.isZero()
            ? roundTripFee.div(grossHourly)
            : new Decimal(0),
          observedAt: Math.min(lo.time, hi.time),
        };
        const minVol = minOf(lo.volume24hUsd, hi.volume24hUsd);
        if (minVol) o.minVolume24hUsd = minVol;
        const minOi = minOf(lo.openInterestUsd, hi.openInterestUsd);
        const maxOi = maxOf(lo.openInterestUsd, hi.openInterestUsd);
        if (minOi && maxOi) {
          o.minOiUsd = minOi;
          o.maxOiUsd = maxOi;
          if (!hi.openInterestUsd!.isZero()) {
            const ratio = lo.openInterestUsd!.div(hi.openInterestUsd!);
            o.oiRatio = ratio;
            o.oiImbalance = ratio.gt(1.2)
              ? "long_heavy"
              : ratio.lt(0.8)
              ? "short_heavy"
              : "balanced";
          }
        }
        const spread = maxOf(lo.spreadBps, hi.spreadBps);
        if (spread) o.maxSpreadBps = spread;
        const streak = streaks.get(streakKey(symbol, lo.venue, hi.venue));
        if (streak) o.persistedSince = streak.since;
        out.push(o);
      }
    }
  }
  return out.sort((a, b) => b.netApr.comparedTo(a.netApr));
}

function sortValue(o: Opportunity, key: OpportunitySortKey, now: number): Decimal | undefined {
  switch (key) {
    case "net_apr":
      return o.netApr;
    case "gross_apr":
      return o.grossApr;
    case "break_even_hours":
      return o.breakEvenHours;
    case "min_volume":
      return o.minVolume24hUsd;
    case "min_oi":
      return o.minOiUsd;
    case "persisted_hours":
      return o.persistedSince === undefined
        ? undefined
        : new Decimal(now - o.persistedSince).div(HOUR_MS);
  }
}

/**
 * Applies filters, freshness and ordering to costed opportunities (cheap: no fee math).
 *
 * @param opportunities From {@linkcode computeOpportunities} (net APR order is kept for the
 *   default sort).
 * @param filters What to keep, freshness, order and limit.
 * @returns The kept opportunities.
 *
 * @example
 * ```ts
 * import { fundingRate } from "../base.ts";
 * import { computeOpportunities, filterOpportunities } from "./opportunities.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const at = (venue: string, rate: string, time: number) => ({
 *   venue, symbol: "ETH", venueSymbol: "ETH", time, ...fundingRate({ rate, intervalHours: 1 }),
 * });
 * const all = computeOpportunities([at("lighter", "0.0001", 0), at("grvt", "0.0009", 0)]);
 * equal(filterOpportunities(all, { now: 60_000 }).length, 1);
 * equal(filterOpportunities(all, { now: 3_600_000 }).length, 0); // stale
 * ```
 */
export function filterOpportunities(
  opportunities: readonly Opportunity[],
  filters: OpportunityFilters = {},
): Opportunity[] {
  const now = filters.now ?? Date.now();
  const oldest = now - (filters.maxAgeMs ?? DEFAULT_MAX_AGE_MS);
  const minVol = filters.minVolumeUsd === undefined ? undefined : new Decimal(filters.minVolumeUsd);
  const minOi = filters.minOiUsd === undefined ? undefined : new Decimal(filters.minOiUsd);
  const maxOi = filters.maxOiUsd === undefined ? undefined : new Decimal(filters.maxOiUsd);
  const maxSpread = filters.maxSpreadBps === undefined
    ? undefined
    : new Decimal(filters.maxSpreadBps);
  const minNet = filters.minNetApr === undefined ? undefined : new Decimal(filters.minNetApr);
  const white = filters.whitelistVenues ? new Set(filters.whitelistVenues) : undefined;
  const black = new Set(filters.excludeVenues ?? []);
  const required = filters.requiredVenue;
  const kept = opportunities.filter((o) => {
    const l = o.long.venue;
    const s = o.short.venue;
    if (filters.symbol !== undefined && o.symbol !== filters.symbol) return false;
    if (o.observedAt < oldest) return false;
    if (white && !(white.has(l) && white.has(s))) return false;
    if (black.has(l) || black.has(s)) return false;
    if (required !== undefined && l !== required && s !== required) return false;
    if (minNet && o.netApr.lt(minNet)) return false;
    if (minVol && !(o.minVolume24hUsd && o.minVolume24hUsd.gte(minVol))) return false;
    if (minOi && !(o.minOiUsd && o.minOiUsd.gte(minOi))) return false;
    if (maxOi && !(o.minOiUsd && o.minOiUsd.lte(maxOi))) return false;
    if (maxSpread && !(o.maxSpreadBps && o.maxSpreadBps.lte(maxSpread))) return false;
    return true;
  });
  const key = filters.sortBy ?? "net_apr";
  if (key !== "net_apr") {
    const ascending = key === "break_even_hours";
    // Missing values sort last either way.
    kept.sort((a, b) => {
      const x = sortValue(a, key, now);
      const y = sortValue(b, key, now);
      if (!x || !y) return x ? -1 : y ? 1 : 0;
      return ascending ? x.comparedTo(y) : y.comparedTo(x);
    });
  }
  return filters.limit === undefined ? kept : kept.slice(0, filters.limit);
}

/**
 * Costs and filters in one call.
 *
 * @param observations Latest observations.
 * @param options Costing options and filters.
 * @returns The kept opportunities, best first.
 * @throws {RangeError} If `holdHours` is not positive.
 *
 * @example
 * ```ts
 * import { fundingRate } from "../base.ts";
 * import { findOpportunities } from "./opportunities.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const at = (venue: string, rate: string) => ({
 *   venue, symbol: "SOL", venueSymbol: "SOL", time: 0, ...fundingRate({ rate, intervalHours: 8 }),
 * });
 * const found = findOpportunities([at("grvt", "0.0008"), at("edgex", "-0.0008")], { now: 0 });
 * equal(found[0].short.venue, "grvt");
 * ```
 */
export function findOpportunities(
  observations: readonly FundingObservation[],
  options: CostOptions & OpportunityFilters = {},
): Opportunity[] {
  return filterOpportunities(computeOpportunities(observations, options), options);
}

/**
 * The streaks after one collection: a direction that still pays keeps its start, a new one
 * starts now, one that stopped paying (or went stale) is dropped.
 *
 * @param previous Streaks before this collection.
 * @param observations Latest observations after it.
 * @param now Collection time, ms.
 * @param maxAgeMs Observations older than this are ignored. @default {DEFAULT_MAX_AGE_MS}
 * @returns The new set of streaks.
 *
 * @example
 * ```ts
 * import { fundingRate } from "../base.ts";
 * import { nextStreaks } from "./opportunities.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const at = (venue: string, rate: string, time: number) => ({
 *   venue, symbol: "BTC", venueSymbol: "BTC", time, ...fundingRate({ rate, intervalHours: 1 }),
 * });
 * const first = nextStreaks([], [at("a", "0.1", 0), at("b", "0.2", 0)], 0);
 * const second = nextStreaks(first, [at("a", "0.1", 60_000), at("b", "0.3", 60_000)], 60_000);
 * equal(second[0].since, 0);
 * equal(second[0].lastSeen, 60_000);
 * ```
 */
export function nextStreaks(
  previous: readonly OpportunityStreak[],
  observations: readonly FundingObservation[],
  now: number,
  maxAgeMs: number = DEFAULT_MAX_AGE_MS,
): OpportunityStreak[] {
  const before = new Map(previous.map((s) => [streakKey(s.symbol, s.longVenue, s.shortVenue), s]));
  const fresh = observations.filter((o) => o.time >= now - maxAgeMs);
  const out: OpportunityStreak[] = [];
  for (const [symbol, list] of groupBySymbol(fresh)) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const cmp = list[i].hourlyRate.comparedTo(list[j].hourlyRate);
        if (cmp === 0) continue;
        const [lo, hi] = cmp < 0 ? [list[i], list[j]] : [list[j], list[i]];
        const old = before.get(streakKey(symbol, lo.venue, hi.venue));
        out.push({
          symbol,
          longVenue: lo.venue,
          shortVenue: hi.venue,
          since: old?.since ?? now,
          lastSeen: now,
        });
      }
    }
  }
  return out;
}
