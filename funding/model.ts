/**
 * The funding service's records: one {@linkcode FundingObservation} per venue, symbol and
 * observation time (rate in explicit units plus the market data seen with it), a
 * {@linkcode CollectionLog} per venue per run, and per-venue health and fees.
 *
 * @module
 */
import type { Decimal, FundingRate, MarketData } from "../base.ts";
import type { VenueFees } from "./fees.ts";
import { unifySymbol } from "./symbols.ts";

/**
 * A funding rate of one venue and symbol at one observation time, with the market data
 * collected alongside. Primary key: `venue`, `symbol`, `time`.
 *
 * @example
 * ```ts
 * import type { FundingObservation } from "./model.ts";
 * const hourlyBps = (o: FundingObservation) => o.hourlyRate.times(10_000);
 * ```
 */
export interface FundingObservation {
  /** Venue name. */
  venue: string;
  /** Unified symbol. */
  symbol: string;
  /** The venue's market name. */
  venueSymbol: string;
  /** Observation time, ms since epoch. */
  time: number;
  /** Fraction per funding interval, positive = longs pay. */
  rate: Decimal;
  /** Hours per funding interval. */
  intervalHours: number;
  /** Fraction per hour. */
  hourlyRate: Decimal;
  /** `hourlyRate × 8760`, a fraction. */
  apr: Decimal;
  /** Next settlement, ms since epoch. */
  nextFundingTime?: number;
  /** Mark price. */
  markPrice?: Decimal;
  /** Index price. */
  indexPrice?: Decimal;
  /** 24 h volume in USD. */
  volume24hUsd?: Decimal;
  /** Open interest in USD. */
  openInterestUsd?: Decimal;
  /** Best bid. */
  bestBid?: Decimal;
  /** Best ask. */
  bestAsk?: Decimal;
  /** `(ask − bid) / mid × 10 000`. */
  spreadBps?: Decimal;
  /** Milliseconds the venue took to answer the rate request. */
  latencyMs?: number;
  /**
   * The last settled rate, fraction per interval (same interval as `rate`), when the venue
   * reports it beside the predicted one.
   */
  settledRate?: Decimal;
  /** When that rate settled, ms since epoch. */
  settledTime?: number;
}

/** Outcome of one venue in one run. */
export type CollectionStatus = "success" | "partial" | "failed";

/**
 * One venue's part of one collection run.
 *
 * @example
 * ```ts
 * import type { CollectionLog } from "./model.ts";
 * const ok = (l: CollectionLog) => l.status !== "failed";
 * ```
 */
export interface CollectionLog {
  /** Id of the run (shared by the venues of one run). */
  runId: string;
  /** Venue name. */
  venue: string;
  /** Start, ms since epoch. */
  startedAt: number;
  /** End, ms since epoch. */
  completedAt: number;
  /** `success`; `partial` when rates came but market data failed; `failed`. */
  status: CollectionStatus;
  /** Rates stored. */
  symbolsFetched: number;
  /** Rates that could not be used. */
  symbolsFailed: number;
  /** Why it failed or was partial. */
  errorMessage?: string;
}

/**
 * Health of one venue's collection.
 *
 * @example
 * ```ts
 * import type { VenueHealth } from "./model.ts";
 * const h: VenueHealth = { venue: "grvt", consecutiveErrors: 0 };
 * ```
 */
export interface VenueHealth {
  /** Venue name. */
  venue: string;
  /** Last successful collection, ms since epoch. */
  lastSuccessAt?: number;
  /** Last failure, ms since epoch. */
  lastErrorAt?: number;
  /** Message of the last failure. */
  lastError?: string;
  /** Failures since the last success. */
  consecutiveErrors: number;
}

/**
 * A venue as the store knows it: fees and health.
 *
 * @example
 * ```ts
 * import type { VenueRecord } from "./model.ts";
 * const rebate = (v: VenueRecord) => v.fees.maker.isNegative();
 * ```
 */
export interface VenueRecord extends VenueHealth {
  /** Maker / taker fees. */
  fees: VenueFees;
}

/**
 * Builds an observation from an adapter's rate and, when present, its market data.
 *
 * @param rate The rate (units already normalized by the adapter).
 * @param market Market data of the same venue and symbol.
 * @param latencyMs How long the rate request took.
 * @returns The observation, with the symbol unified through the alias table.
 *
 * @example
 * ```ts
 * import { fundingRate } from "../base.ts";
 * import { observationFrom } from "./model.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const o = observationFrom({
 *   venue: "grvt", symbol: "KPEPE", venueSymbol: "KPEPE_USDT_Perp",
 *   ...fundingRate({ rate: "0.0001", intervalHours: 8 }),
 *   nextFundingTime: undefined, markPrice: undefined, indexPrice: undefined, timestamp: 1000,
 * });
 * equal(o.symbol, "1000PEPE");
 * equal(o.hourlyRate.toString(), "0.0000125");
 * ```
 */
export function observationFrom(
  rate: FundingRate,
  market?: MarketData,
  latencyMs?: number,
): FundingObservation {
  const o: FundingObservation = {
    venue: rate.venue,
    symbol: unifySymbol(rate.symbol),
    venueSymbol: rate.venueSymbol,
    time: rate.timestamp,
    rate: rate.rate,
    intervalHours: rate.intervalHours,
    hourlyRate: rate.hourlyRate,
    apr: rate.apr,
  };
  if (rate.nextFundingTime !== undefined) o.nextFundingTime = rate.nextFundingTime;
  const mark = rate.markPrice ?? market?.markPrice;
  const index = rate.indexPrice ?? market?.indexPrice;
  if (mark !== undefined) o.markPrice = mark;
  if (index !== undefined) o.indexPrice = index;
  if (market?.volume24hUsd !== undefined) o.volume24hUsd = market.volume24hUsd;
  if (market?.openInterestUsd !== undefined) o.openInterestUsd = market.openInterestUsd;
  if (market?.bestBid !== undefined) o.bestBid = market.bestBid;
  if (market?.bestAsk !== undefined) o.bestAsk = market.bestAsk;
  if (market?.spreadBps !== undefined) o.spreadBps = market.spreadBps;
  if (latencyMs !== undefined) o.latencyMs = Math.round(latencyMs);
  if (rate.settledRate !== undefined) o.settledRate = rate.settledRate;
  if (rate.settledTime !== undefined) o.settledTime = rate.settledTime;
  return o;
}
