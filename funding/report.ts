/**
 * What `deno task funding --once` prints: a table of the venues' outcome, the top rates by
 * absolute APR and the top opportunities, or the same as JSON.
 *
 * @module
 */
import type { Decimal } from "../base.ts";
import type { CollectionRun, VenueRunResult } from "./collector.ts";
import type { FundingObservation } from "./model.ts";
import type { Opportunity } from "./opportunities.ts";

function pct(d: Decimal, places: number): string {
  return `${d.times(100).toFixed(places)}%`;
}

function table(headers: string[], rows: string[][], right: Set<number>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/**
 * One progress line for a venue that finished.
 *
 * @param result The venue's outcome.
 * @returns A line without newline.
 *
 * @example
 * ```ts
 * import { progressLine } from "./report.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(
 *   progressLine({ venue: "grvt", status: "failed", rates: 0, inserted: 0, rejected: 0, marketData: 0, durationMs: 12, error: "HTTP 503" }),
 *   "grvt: failed after 12 ms: HTTP 503",
 * );
 * ```
 */
export function progressLine(result: VenueRunResult): string {
  const ms = Math.round(result.durationMs);
  if (result.status === "failed") return `${result.venue}: failed after ${ms} ms: ${result.error}`;
  const extra = result.status === "partial" ? ` (partial: ${result.error})` : "";
  return `${result.venue}: ${result.rates} rates (${result.inserted} new) in ${ms} ms${extra}`;
}

/**
 * The human-readable report of one run.
 *
 * @param run The run.
 * @param opportunities Opportunities after the run, best first.
 * @param options How many rates and opportunities to show; the network (`sim` adds a
 *   SIMULATED line).
 * @returns The report, newline-terminated.
 *
 * @example
 * ```ts
 * import { formatRunReport } from "./report.ts";
 * import { match } from "node:assert/strict";
 *
 * const text = formatRunReport(
 *   { runId: "r", startedAt: 0, completedAt: 1, durationMs: 1, venues: [], observations: [] },
 *   [],
 * );
 * match(text, /No opportunities/);
 * ```
 */
export function formatRunReport(
  run: CollectionRun,
  opportunities: readonly Opportunity[],
  options: { topRates?: number; topOpportunities?: number; network?: string } = {},
): string {
  const out: string[] = [];
  const on = options.network === undefined ? "" : ` on ${options.network}`;
  out.push(`Collection ${run.runId}${on} (${Math.round(run.durationMs)} ms)`);
  if (options.network === "sim") {
    out.push("SIMULATED DATA — local venue replicas (network: sim), not real markets");
  }
  out.push("");
  out.push(table(
    ["venue", "status", "rates", "new", "latency", "note"],
    run.venues.map((v) => [
      v.venue,
      v.status,
      String(v.rates),
      String(v.inserted),
      v.latencyMs === undefined ? "-" : `${v.latencyMs} ms`,
      v.error ?? "",
    ]),
    new Set([2, 3, 4]),
  ));
  const rates = [...run.observations]
    .sort((a, b) => b.apr.abs().comparedTo(a.apr.abs()))
    .slice(0, options.topRates ?? 10);
  out.push("", "Top funding rates by |APR| (positive: longs pay)");
  if (rates.length === 0) out.push("No rates collected.");
  else {
    out.push(table(
      ["symbol", "venue", "rate/interval", "interval", "hourly", "APR"],
      rates.map((r: FundingObservation) => [
        r.symbol,
        r.venue,
        pct(r.rate, 5),
        `${r.intervalHours} h`,
        pct(r.hourlyRate, 6),
        pct(r.apr, 2),
      ]),
      new Set([2, 3, 4, 5]),
    ));
  }
  const top = opportunities.slice(0, options.topOpportunities ?? 10);
  const first = top[0];
  out.push(
    "",
    first
      ? `Top opportunities (hourly rates; ${first.feeMode} fees amortised over ${first.holdHours} h)`
      : "Top opportunities",
  );
  if (!first) out.push("No opportunities (need a symbol on at least two venues with fresh rates).");
  else {
    out.push(table(
      ["symbol", "long", "short", "gross APR", "fees", "net APR", "break-even"],
      top.map((o) => [
        o.symbol,
        o.long.venue,
        o.short.venue,
        pct(o.grossApr, 2),
        pct(o.roundTripFee, 3),
        pct(o.netApr, 2),
        `${o.breakEvenHours.toDecimalPlaces(1)} h`,
      ]),
      new Set([3, 4, 5, 6]),
    ));
  }
  return out.join("\n") + "\n";
}

/**
 * The machine-readable report of one run (decimals as strings).
 *
 * @param run The run.
 * @param opportunities Opportunities after the run, best first.
 * @param network The network of the data (adds `network` and `simulated`).
 * @returns A JSON-ready object.
 *
 * @example
 * ```ts
 * import { runReportJson } from "./report.ts";
 * const json = runReportJson(
 *   { runId: "r", startedAt: 0, completedAt: 1, durationMs: 1, venues: [], observations: [] },
 *   [],
 * );
 * JSON.stringify(json);
 * ```
 */
export function runReportJson(
  run: CollectionRun,
  opportunities: readonly Opportunity[],
  network?: string,
): Record<string, unknown> {
  const d = (x: Decimal | undefined) => (x === undefined ? null : x.toString());
  return {
    ...(network === undefined ? {} : { network, simulated: network === "sim" }),
    run_id: run.runId,
    started_at: new Date(run.startedAt).toISOString(),
    completed_at: new Date(run.completedAt).toISOString(),
    duration_ms: Math.round(run.durationMs),
    venues: run.venues.map((v) => ({
      venue: v.venue,
      status: v.status,
      rates: v.rates,
      inserted: v.inserted,
      rejected: v.rejected,
      market_data: v.marketData,
      latency_ms: v.latencyMs ?? null,
      duration_ms: Math.round(v.durationMs),
      error: v.error ?? null,
    })),
    rates: run.observations.map((r) => ({
      venue: r.venue,
      symbol: r.symbol,
      venue_symbol: r.venueSymbol,
      time: new Date(r.time).toISOString(),
      rate: r.rate.toString(),
      interval_hours: r.intervalHours,
      hourly_rate: r.hourlyRate.toString(),
      apr: r.apr.toString(),
      next_funding_time: r.nextFundingTime === undefined
        ? null
        : new Date(r.nextFundingTime).toISOString(),
      mark_price: d(r.markPrice),
      index_price: d(r.indexPrice),
      volume_24h_usd: d(r.volume24hUsd),
      open_interest_usd: d(r.openInterestUsd),
      best_bid: d(r.bestBid),
      best_ask: d(r.bestAsk),
      spread_bps: d(r.spreadBps),
      latency_ms: r.latencyMs ?? null,
    })),
    opportunities: opportunities.map((o) => ({
      symbol: o.symbol,
      long_dex: o.long.venue,
      short_dex: o.short.venue,
      long_hourly_rate: o.long.hourlyRate.toString(),
      short_hourly_rate: o.short.hourlyRate.toString(),
      gross_apr: o.grossApr.toString(),
      fee_mode: o.feeMode,
      round_trip_fee: o.roundTripFee.toString(),
      hold_hours: o.holdHours.toString(),
      net_apr: o.netApr.toString(),
      net_return_over_hold: o.netReturn.toString(),
      break_even_hours: o.breakEvenHours.toDecimalPlaces(4).toString(),
      persisted_since: o.persistedSince === undefined
        ? null
        : new Date(o.persistedSince).toISOString(),
    })),
  };
}
