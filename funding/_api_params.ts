/**
 * Query-parameter schemas of the HTTP API (zod), shared by request validation and the OpenAPI
 * document. Every value arrives as a string; each schema says what it accepts, and a bad value
 * is a 400 naming the parameter.
 *
 * @module
 */
import { z } from "zod";
import { OPPORTUNITY_SORT_KEYS, type OpportunitySortKey } from "./opportunities.ts";

const DECIMAL_RE = /^-?\d+(\.\d+)?$/;
const UNSIGNED_RE = /^\d+(\.\d+)?$/;
const PERIOD_RE = /^(\d{1,4})([hd])$/;

/** A decimal string such as `0.1` or `-2.5`. */
export const decimalParam = (description: string): z.ZodOptional<z.ZodString> =>
  z.string().regex(DECIMAL_RE, "must be a decimal number such as 0.1").optional()
    .describe(description);

/** A non-negative decimal string. */
export const unsignedParam = (description: string): z.ZodOptional<z.ZodString> =>
  z.string().regex(UNSIGNED_RE, "must be a non-negative decimal number such as 1000000")
    .optional().describe(description);

/** A whole number within bounds. */
export function intParam(
  description: string,
  min: number,
  max: number,
): z.ZodOptional<z.ZodPipe<z.ZodString, z.ZodTransform<number, string>>> {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.string()
    .refine((s) => /^\d{1,15}$/.test(s) && Number(s) >= min && Number(s) <= max, message)
    .transform(Number).optional().describe(description);
}

/** `true` or `false`. */
export const boolParam = (
  description: string,
): z.ZodOptional<
  z.ZodPipe<z.ZodEnum<{ true: "true"; false: "false" }>, z.ZodTransform<boolean, "true" | "false">>
> =>
  z.enum(["true", "false"], "must be true or false").transform((s) => s === "true").optional()
    .describe(description);

/** A symbol: letters and digits (`BTC`, `1000PEPE`, `2Z`), upper-cased. */
export const symbolParam = (
  description: string,
): z.ZodOptional<z.ZodPipe<z.ZodString, z.ZodTransform<string, string>>> =>
  z.string().regex(/^[A-Za-z0-9]{1,30}$/, "must be a symbol such as BTC or 1000PEPE")
    .transform((s) => s.toUpperCase()).optional().describe(description);

/** A venue name, lower-cased. */
export const venueParam = (
  description: string,
): z.ZodOptional<z.ZodPipe<z.ZodString, z.ZodTransform<string, string>>> =>
  z.string().regex(/^[A-Za-z0-9_-]{1,30}$/, "must be a venue name such as grvt")
    .transform((s) => s.toLowerCase()).optional().describe(description);

/** A comma-separated venue list, lower-cased. */
export const venueListParam = (
  description: string,
): z.ZodOptional<z.ZodPipe<z.ZodString, z.ZodTransform<string[], string>>> =>
  z.string().regex(
    /^[A-Za-z0-9_-]{1,30}(,[A-Za-z0-9_-]{1,30})*$/,
    "must be a comma-separated list of venue names such as grvt,edgex",
  ).transform((s) => [...new Set(s.toLowerCase().split(","))]).optional().describe(description);

/** A period such as `24h` or `7d` (at most 366 days), in ms. */
export const periodParam = (
  description: string,
): z.ZodOptional<z.ZodPipe<z.ZodString, z.ZodTransform<number, string>>> =>
  z.string().refine((s) => {
    const m = PERIOD_RE.exec(s);
    if (!m) return false;
    const hours = Number(m[1]) * (m[2] === "d" ? 24 : 1);
    return hours >= 1 && hours <= 366 * 24;
  }, "must be a number of hours or days such as 24h or 7d, at most 366d").transform((s) => {
    const m = PERIOD_RE.exec(s)!;
    return Number(m[1]) * (m[2] === "d" ? 86_400_000 : 3_600_000);
  }).optional().describe(description);

/** A time: ms since the epoch or an ISO 8601 date-time. */
export const timeParam = (
  description: string,
): z.ZodOptional<z.ZodPipe<z.ZodString, z.ZodTransform<number, string>>> =>
  z.string().refine(
    (s) => /^\d{1,15}$/.test(s) || (/^\d{4}-\d\d-\d\d/.test(s) && Number.isFinite(Date.parse(s))),
    "must be milliseconds since the epoch or an ISO 8601 time",
  ).transform((s) => (/^\d+$/.test(s) ? Number(s) : Date.parse(s))).optional()
    .describe(description);

const holdHours = z.string()
  .refine((s) => UNSIGNED_RE.test(s) && Number(s) > 0 && Number(s) <= 87_600, {
    message: "must be a positive number of hours such as 24 (at most 87600)",
  }).optional().describe("Holding horizon in hours over which round-trip fees are amortised.");

/** Filters of the opportunity endpoints. */
export const opportunityQuery = {
  hold_hours: holdHours,
  fee_mode: z.enum(["maker", "taker"], "must be maker or taker").optional()
    .describe("Fee applied to the four fills (default taker)."),
  min_volume: unsignedParam("Smaller leg's 24 h volume at least this (USD)."),
  min_oi: unsignedParam("Smaller leg's open interest at least this (USD)."),
  max_oi: unsignedParam("Smaller leg's open interest at most this (USD)."),
  max_spread: unsignedParam("Wider leg's bid/ask spread at most this (bps)."),
  whitelist_dexes: venueListParam("Both legs on these venues."),
  exclude_dexes: venueListParam("Neither leg on these venues."),
  required_dex: venueParam("One leg on this venue."),
  min_net_apr: decimalParam("Net APR at least this (fraction: 0.1 = 10 %)."),
  max_age: intParam("Legs observed longer ago than this many seconds are excluded.", 1, 31_536_000),
};

/** `/opportunities` query. */
export const opportunitiesSchema = z.strictObject({
  symbol: symbolParam("Only this symbol."),
  ...opportunityQuery,
  sort_by: z.enum(
    OPPORTUNITY_SORT_KEYS as unknown as [OpportunitySortKey, ...OpportunitySortKey[]],
    `must be one of ${OPPORTUNITY_SORT_KEYS.join(", ")}`,
  ).optional().describe("Sort key (descending, break_even_hours ascending)."),
  limit: intParam("Most results (default 10).", 1, 1000),
  include_stability: boolParam(
    "Add each result's stability over the last 7 days (hours in which the direction paid).",
  ),
});

/** `/opportunities/best` query. */
export const bestOpportunitySchema = z.strictObject({
  symbol: symbolParam("Only this symbol."),
  ...opportunityQuery,
});

/** `/opportunities/symbol/{symbol}` query. */
export const symbolOpportunitiesSchema = z.strictObject({
  ...opportunityQuery,
  limit: intParam("Most results (default 10).", 1, 1000),
});

/** `/funding-rates` query. */
export const fundingRatesSchema = z.strictObject({
  dex: venueParam("Only this venue."),
  symbol: symbolParam("Only this symbol."),
  include_metadata: boolParam("Add venue fees and health."),
});

/** `/funding-rates/compare` query. */
export const compareSchema = z.strictObject({
  symbol: symbolParam("Symbol to compare (required)."),
  dex1: venueParam("First venue (required)."),
  dex2: venueParam("Second venue (required)."),
});

/** `/history/funding-rates/{dex}/{symbol}` query. */
export const historySchema = z.strictObject({
  period: periodParam("Window ending now (default 7d); ignored when start is given."),
  start: timeParam("Window start (ms or ISO 8601)."),
  end: timeParam("Window end (ms or ISO 8601; default now)."),
  limit: intParam("Most points, the most recent kept (default 1000).", 1, 10_000),
});

/** `/history/chart/{symbol}` query. */
export const chartSchema = z.strictObject({
  period: z.enum(["24h", "7d", "30d", "all"], "must be 24h, 7d, 30d or all").optional()
    .describe("Window ending now (default 7d); all = everything kept."),
  points: intParam("Most points per line: the chart's width in pixels (default 600).", 2, 4000),
  dex1: venueParam("First venue of the spread line."),
  dex2: venueParam("Second venue of the spread line (dex2 − dex1)."),
});

/** `/stats/funding-rates/{dex}/{symbol}` query. */
export const statsSchema = z.strictObject({
  period: periodParam("Window ending now (default 30d)."),
});

/** Queries of endpoints that take none. */
export const emptySchema: z.ZodObject<Record<string, never>, z.core.$strict> = z.strictObject({});
