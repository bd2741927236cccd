/**
 * Funding-rate service: collector, stores, opportunities and HTTP API.
 *
 * Every rate is a fraction per funding interval (positive = longs pay) with its interval in
 * hours; venues are compared only through `hourlyRate` and `apr`, never through raw rates of
 * different intervals.
 *
 * - {@linkcode FundingCollector}: every venue's `FundingAdapter` concurrently, per-venue
 *   timeout, failures isolated, health and a collection log row per venue per run.
 * - {@linkcode SqliteFundingStore} (embedded default, `data/funding.db`) and
 *   {@linkcode PostgresFundingStore} behind {@linkcode FundingStore}: versioned migrations,
 *   idempotent writes, latest-rate upsert, retention.
 * - {@linkcode findOpportunities}: hourly spreads, round-trip fees (negative maker fees
 *   allowed) amortised over a holding horizon, net APR, break-even, filters, freshness.
 * - {@linkcode createFundingApi}: `/api/v1` over hono, zod-validated queries, OpenAPI.
 * - {@linkcode runFundingCommand}: `deno task funding --once | serve`.
 *
 * @example Collect once from the simulated venues and rank opportunities
 * ```ts
 * import { FundingCollector, findOpportunities, openFundingSources, SqliteFundingStore } from "./mod.ts";
 *
 * await using store = await SqliteFundingStore.open(":memory:");
 * await using opened = await openFundingSources(["lighter", "grvt", "edgex"], { network: "sim" });
 * await new FundingCollector(store, opened.sources).collect();
 * const [best] = findOpportunities(await store.latestRates(), { holdHours: "24" });
 * console.log(best.symbol, best.long.venue, best.short.venue, best.netApr.toString());
 * ```
 *
 * @module
 */
export * from "../base.ts";
export * from "./symbols.ts";
export * from "./fees.ts";
export * from "./model.ts";
export * from "./store.ts";
export * from "./migrations.ts";
export * from "./sqlite_store.ts";
export * from "./postgres_store.ts";
export * from "./opportunities.ts";
export * from "./collector.ts";
export * from "./sources.ts";
export * from "./scheduler.ts";
export * from "./report.ts";
export * from "./openapi.ts";
export * from "./api.ts";
export * from "./run.ts";
// Types the options above refer to (simulated venues' clock and faults). The faults are
// types only: the simulator is loaded on demand, for `network: "sim"`, never by this module.
export { ManualClock } from "../exchanges/_shared/clock.ts";
export type {
  FaultInjector,
  FaultKind,
  FaultRule,
  FrameFault,
  InstalledFault,
  RequestFault,
} from "../sim/faults.ts";
