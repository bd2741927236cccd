/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the same zod schemas that validate
 * the queries, so the document cannot drift from what the server accepts.
 *
 * @module
 */
import { z } from "zod";
import {
  bestOpportunitySchema,
  chartSchema,
  compareSchema,
  emptySchema,
  fundingRatesSchema,
  historySchema,
  opportunitiesSchema,
  statsSchema,
  symbolOpportunitiesSchema,
} from "./_api_params.ts";

interface Route {
  path: string;
  summary: string;
  query: z.ZodObject;
  notFound?: boolean;
}

const ROUTES: readonly Route[] = [
  { path: "/", summary: "Service name and version", query: emptySchema },
  {
    path: "/funding-rates",
    summary: "Latest rate of every venue and symbol",
    query: fundingRatesSchema,
    notFound: true,
  },
  {
    path: "/funding-rates/compare",
    summary: "Compare one symbol on two venues (hourly)",
    query: compareSchema,
    notFound: true,
  },
  {
    path: "/funding-rates/{dex}",
    summary: "Latest rates of one venue",
    query: emptySchema,
    notFound: true,
  },
  {
    path: "/funding-rates/{dex}/{symbol}",
    summary: "Latest rate of one venue and symbol",
    query: emptySchema,
    notFound: true,
  },
  {
    path: "/history/funding-rates/{dex}/{symbol}",
    summary: "Rate history of one series",
    query: historySchema,
    notFound: true,
  },
  {
    path: "/history/chart/{symbol}",
    summary: "Chart series of one symbol on every venue: hourly rate averaged down to `points`, " +
      "cumulative funding of a long and a short unit position, optional spread of two venues " +
      "(times in ms, values as numbers for drawing)",
    query: chartSchema,
    notFound: true,
  },
  {
    path: "/stats/funding-rates/{dex}/{symbol}",
    summary: "Statistics of one series over a period",
    query: statsSchema,
    notFound: true,
  },
  {
    path: "/opportunities",
    summary: "Costed cross-venue opportunities",
    query: opportunitiesSchema,
    notFound: true,
  },
  {
    path: "/opportunities/best",
    summary: "The best opportunity",
    query: bestOpportunitySchema,
    notFound: true,
  },
  {
    path: "/opportunities/symbol/{symbol}",
    summary: "Opportunities of one symbol",
    query: symbolOpportunitiesSchema,
    notFound: true,
  },
  { path: "/dexes", summary: "Venues with fees and health", query: emptySchema },
  {
    path: "/dexes/{dex}",
    summary: "One venue with its recent collections",
    query: emptySchema,
    notFound: true,
  },
  {
    path: "/dexes/{dex}/symbols",
    summary: "Symbols of one venue with market data",
    query: emptySchema,
    notFound: true,
  },
  {
    path: "/health",
    summary: "Overall health (503 when unhealthy): per venue last collection, latency, " +
      "failures in 24 h, data age; the store without credentials",
    query: emptySchema,
  },
  { path: "/health/database", summary: "Database health and counts", query: emptySchema },
  { path: "/health/dex/{dex}", summary: "Health of one venue", query: emptySchema, notFound: true },
  { path: "/openapi.json", summary: "This document", query: emptySchema },
];

const ERROR_SCHEMA = {
  type: "object",
  properties: {
    error: { type: "string" },
    parameter: { type: "string", description: "The bad query parameter (400 only)." },
    message: { type: "string" },
  },
  required: ["error", "message"],
};

function operation(route: Route) {
  const json = z.toJSONSchema(route.query, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, { description?: string } & Record<string, unknown>>;
  };
  const parameters: unknown[] = [];
  for (const name of route.path.match(/\{(\w+)\}/g) ?? []) {
    const n = name.slice(1, -1);
    parameters.push({
      name: n,
      in: "path",
      required: true,
      schema: { type: "string" },
      description: n === "dex" ? "Venue name (lighter, grvt, edgex)." : "Unified symbol.",
    });
  }
  for (const [name, schema] of Object.entries(json.properties ?? {})) {
    const { description, ...rest } = schema;
    parameters.push({ name, in: "query", required: false, description, schema: rest });
  }
  const responses: Record<string, unknown> = {
    "200": { description: "OK", content: { "application/json": { schema: { type: "object" } } } },
    "400": {
      description: "A query parameter is invalid or unknown; `parameter` names it.",
      content: { "application/json": { schema: ERROR_SCHEMA } },
    },
    "503": {
      description: "The database cannot be reached.",
      content: { "application/json": { schema: ERROR_SCHEMA } },
    },
  };
  if (route.notFound) {
    responses["404"] = {
      description: "Unknown venue or symbol.",
      content: { "application/json": { schema: ERROR_SCHEMA } },
    };
  }
  return { get: { summary: route.summary, parameters, responses } };
}

/**
 * Builds the OpenAPI 3.1 document.
 *
 * @returns The document as a JSON-ready object.
 *
 * @example
 * ```ts
 * import { openApiDocument } from "./openapi.ts";
 * import { ok } from "node:assert/strict";
 *
 * const doc = openApiDocument() as { paths: Record<string, unknown> };
 * ok("/opportunities" in doc.paths);
 * ```
 */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "perp funding-rate service",
      version: "1.0.0",
      description: "Funding rates of Lighter, GRVT and EdgeX in explicit units (rate per " +
        "interval, interval hours, hourly rate, APR) and costed cross-venue opportunities. " +
        "Decimals are strings; times are ISO 8601.",
    },
    servers: [{ url: "/api/v1" }],
    paths: Object.fromEntries(ROUTES.map((r) => [r.path, operation(r)])),
  };
}
