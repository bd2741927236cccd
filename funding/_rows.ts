// Row <-> record mapping shared by the SQLite and PostgreSQL stores.
import { Decimal } from "../base.ts";
import type { CollectionLog, CollectionStatus, FundingObservation, VenueRecord } from "./model.ts";
import type { HistoryPoint, OpportunityStreak, PairClaim, StoredArbPosition } from "./store.ts";

/** Columns of `funding_rates` and `latest_funding_rates`, in insert order. */
export const RATE_COLUMNS = [
  "network",
  "venue",
  "symbol",
  "time",
  "venue_symbol",
  "rate",
  "interval_hours",
  "hourly_rate",
  "apr",
  "next_funding_time",
  "mark_price",
  "index_price",
  "volume_24h_usd",
  "open_interest_usd",
  "best_bid",
  "best_ask",
  "spread_bps",
  "latency_ms",
  "settled_rate",
  "settled_time",
] as const;

type Cell = string | number | null;

function dec(value: Decimal | undefined): string | null {
  return value === undefined ? null : value.toString();
}

/** An observation of `network` as column values (decimals as strings, times as ms). */
export function observationRow(o: FundingObservation, network: string): Cell[] {
  return [
    network,
    o.venue,
    o.symbol,
    o.time,
    o.venueSymbol,
    o.rate.toString(),
    o.intervalHours,
    o.hourlyRate.toString(),
    o.apr.toString(),
    o.nextFundingTime ?? null,
    dec(o.markPrice),
    dec(o.indexPrice),
    dec(o.volume24hUsd),
    dec(o.openInterestUsd),
    dec(o.bestBid),
    dec(o.bestAsk),
    dec(o.spreadBps),
    o.latencyMs ?? null,
    dec(o.settledRate),
    o.settledTime ?? null,
  ];
}

function num(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.getTime();
  return Number(value);
}

function optDec(value: unknown): Decimal | undefined {
  return value === null || value === undefined ? undefined : new Decimal(String(value));
}

/** A row read back (times as ms numbers, Dates or numeric strings). */
export function rowObservation(row: Record<string, unknown>): FundingObservation {
  const o: FundingObservation = {
    venue: String(row.venue),
    symbol: String(row.symbol),
    venueSymbol: String(row.venue_symbol),
    time: num(row.time)!,
    rate: new Decimal(String(row.rate)),
    intervalHours: Number(row.interval_hours),
    hourlyRate: new Decimal(String(row.hourly_rate)),
    apr: new Decimal(String(row.apr)),
  };
  const next = num(row.next_funding_time);
  if (next !== undefined) o.nextFundingTime = next;
  const fields = [
    ["markPrice", "mark_price"],
    ["indexPrice", "index_price"],
    ["volume24hUsd", "volume_24h_usd"],
    ["openInterestUsd", "open_interest_usd"],
    ["bestBid", "best_bid"],
    ["bestAsk", "best_ask"],
    ["spreadBps", "spread_bps"],
  ] as const;
  for (const [key, column] of fields) {
    const v = optDec(row[column]);
    if (v !== undefined) o[key] = v;
  }
  const latency = num(row.latency_ms);
  if (latency !== undefined) o.latencyMs = latency;
  const settled = optDec(row.settled_rate);
  if (settled !== undefined) o.settledRate = settled;
  const settledTime = num(row.settled_time);
  if (settledTime !== undefined) o.settledTime = settledTime;
  return o;
}

/** A collection log of `network` as column values. */
export function logRow(l: CollectionLog, network: string): Cell[] {
  return [
    network,
    l.runId,
    l.venue,
    l.startedAt,
    l.completedAt,
    l.status,
    l.symbolsFetched,
    l.symbolsFailed,
    l.errorMessage ?? null,
  ];
}

/** A collection log read back. */
export function rowLog(row: Record<string, unknown>): CollectionLog {
  const l: CollectionLog = {
    runId: String(row.run_id),
    venue: String(row.venue),
    startedAt: num(row.started_at)!,
    completedAt: num(row.completed_at)!,
    status: String(row.status) as CollectionStatus,
    symbolsFetched: Number(row.symbols_fetched),
    symbolsFailed: Number(row.symbols_failed),
  };
  if (row.error_message !== null && row.error_message !== undefined) {
    l.errorMessage = String(row.error_message);
  }
  return l;
}

/** Optional ms number from a cell. */
export const optionalMs: (value: unknown) => number | undefined = num;

/** A `venues` row read back . */
export function rowVenue(row: Record<string, unknown>): VenueRecord {
  const v: VenueRecord = {
    venue: String(row.name),
    fees: { maker: new Decimal(String(row.maker_fee)), taker: new Decimal(String(row.taker_fee)) },
    consecutiveErrors: Number(row.consecutive_errors),
  };
  const success = num(row.last_success_at);
  const failure = num(row.last_error_at);
  if (success !== undefined) v.lastSuccessAt = success;
  if (failure !== undefined) v.lastErrorAt = failure;
  if (row.last_error !== null && row.last_error !== undefined) v.lastError = String(row.last_error);
  return v;
}

/** An `opportunity_streaks` row read back . */
export function rowStreak(row: Record<string, unknown>): OpportunityStreak {
  return {
    symbol: String(row.symbol),
    longVenue: String(row.long_venue),
    shortVenue: String(row.short_venue),
    since: num(row.since)!,
    lastSeen: num(row.last_seen)!,
  };
}

/** A lean history row read back. */
export function rowPoint(row: Record<string, unknown>): HistoryPoint {
  return {
    time: num(row.time)!,
    rate: String(row.rate),
    intervalHours: Number(row.interval_hours),
    hourlyRate: String(row.hourly_rate),
    apr: String(row.apr),
  };
}

/** A row of `arb_positions` as the store returns it. */
export function rowArbPosition(r: Record<string, unknown>): StoredArbPosition {
  return {
    id: String(r.id),
    pairKey: String(r.pair_key),
    owner: String(r.owner),
    status: String(r.status),
    openedAt: Number(r.opened_at),
    updatedAt: Number(r.updated_at),
    data: String(r.data),
  };
}

/** A row of `arb_claims`. */
export function rowClaim(r: Record<string, unknown>): PairClaim {
  return {
    pairKey: String(r.pair_key),
    owner: String(r.owner),
    claimedAt: Number(r.claimed_at),
    expiresAt: Number(r.expires_at),
  };
}
