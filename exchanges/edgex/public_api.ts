/**
 * EdgeX V2 public REST endpoints as typed functions over an HTTP transport (viem-style actions):
 * server time, metadata, ticker, depth, funding. No auth headers (edgex.md §2.2).
 *
 * @example
 * ```ts
 * import { createHttpTransport } from "../_shared/http.ts";
 * import { getServerTime } from "./public_api.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const http = createHttpTransport({
 *   venue: "edgex",
 *   baseUrl: "https://edgex-prod-v2.edgex.exchange",
 *   fetch: () => Promise.resolve(Response.json({ code: "SUCCESS", data: { timeMillis: "1734596189305" } })),
 * });
 * equal(await getServerTime(http), 1734596189305);
 * ```
 *
 * @module
 */
import { z } from "zod";
import type { HttpTransport } from "../_shared/http.ts";
import { EDGEX_PATHS } from "./common.ts";
import {
  depthSchema,
  edgeXEnvelope,
  type EdgeXFundingRate,
  type EdgeXMetaData,
  type EdgeXTicker,
  fundingRateSchema,
  metaDataSchema,
  pageOf,
  serverTimeSchema,
  tickerSchema,
} from "./schemas.ts";

/** Options every call takes. */
export interface CallOptions {
  /** Aborts the call. @default {undefined} */
  signal?: AbortSignal;
}

/**
 * `getServerTime`: the venue's clock, ms (for the ±60 s HMAC window).
 *
 * @param http The transport.
 * @param options Abort signal.
 * @returns Server time, ms since the epoch.
 */
export async function getServerTime(
  http: HttpTransport,
  options: CallOptions = {},
): Promise<number> {
  const r = await http.request({
    method: "GET",
    path: EDGEX_PATHS.getServerTime,
    schema: edgeXEnvelope(serverTimeSchema),
    signal: options.signal,
  });
  return r.data.timeMillis;
}

/**
 * `getMetaData`: EIP-712 domain values, coins and contracts.
 *
 * @param http The transport.
 * @param options Abort signal.
 * @returns The parsed metadata.
 */
export async function getMetaData(
  http: HttpTransport,
  options: CallOptions = {},
): Promise<EdgeXMetaData> {
  const r = await http.request({
    method: "GET",
    path: EDGEX_PATHS.getMetaData,
    schema: edgeXEnvelope(metaDataSchema),
    signal: options.signal,
  });
  return r.data;
}

/**
 * `getTicker` of ONE contract: live captures get `[]` for a comma list (edgex.md §4.1).
 *
 * @param http The transport.
 * @param contractId The contract.
 * @param options Abort signal.
 * @returns The ticker, or `undefined` when the venue returns none.
 */
export async function getTicker(
  http: HttpTransport,
  contractId: string,
  options: CallOptions = {},
): Promise<EdgeXTicker | undefined> {
  const r = await http.request({
    method: "GET",
    path: EDGEX_PATHS.getTicker,
    query: { contractId },
    schema: edgeXEnvelope(z.array(tickerSchema)),
    signal: options.signal,
  });
  return r.data.find((t) => t.contractId === contractId);
}

/**
 * `getDepth` snapshot.
 *
 * @param http The transport.
 * @param contractId The contract.
 * @param level `15` or `200`.
 * @param options Abort signal.
 * @returns The book, or `undefined` when the venue returns none.
 */
export async function getDepth(
  http: HttpTransport,
  contractId: string,
  level: 15 | 200,
  options: CallOptions = {},
): Promise<z.output<typeof depthSchema> | undefined> {
  const r = await http.request({
    method: "GET",
    path: EDGEX_PATHS.getDepth,
    query: { contractId, level },
    schema: edgeXEnvelope(z.array(depthSchema)),
    signal: options.signal,
  });
  return r.data[0];
}

/**
 * `getLatestFundingRate` for many contracts in one call (comma list; 173 ids worked live).
 *
 * @param http The transport.
 * @param contractIds The contracts.
 * @param options Abort signal.
 * @returns One row per contract the venue knows.
 */
export async function getLatestFundingRates(
  http: HttpTransport,
  contractIds: readonly string[],
  options: CallOptions = {},
): Promise<EdgeXFundingRate[]> {
  const r = await http.request({
    method: "GET",
    path: EDGEX_PATHS.getLatestFundingRate,
    query: { contractId: contractIds.join(",") },
    schema: edgeXEnvelope(z.array(fundingRateSchema)),
    signal: options.signal,
  });
  return r.data;
}

/** Query of {@linkcode getFundingRatePage}. */
export interface FundingPageQuery {
  /** Contract. */
  contractId: string;
  /** Rows per page (≤ 100). */
  size: number;
  /** Cursor from the previous page; `""` for the first. */
  offsetData: string;
  /** Settlement rows only. */
  settlementsOnly: boolean;
  /** Inclusive start, ms. */
  beginTimeInclusive?: number;
  /** Exclusive end, ms. */
  endTimeExclusive?: number;
}

/**
 * One page of `getFundingRatePage` (newest first; `nextPageOffsetData ""` = end).
 *
 * @param http The transport.
 * @param query Contract, page size, cursor and filters.
 * @param options Abort signal.
 * @returns Rows and the next cursor.
 */
export async function getFundingRatePage(
  http: HttpTransport,
  query: FundingPageQuery,
  options: CallOptions = {},
): Promise<{ dataList: EdgeXFundingRate[]; nextPageOffsetData: string }> {
  const r = await http.request({
    method: "GET",
    path: EDGEX_PATHS.getFundingRatePage,
    query: {
      contractId: query.contractId,
      size: query.size,
      offsetData: query.offsetData === "" ? undefined : query.offsetData,
      filterSettlementFundingRate: query.settlementsOnly ? "true" : undefined,
      filterBeginTimeInclusive: query.beginTimeInclusive,
      filterEndTimeExclusive: query.endTimeExclusive,
    },
    schema: edgeXEnvelope(pageOf(fundingRateSchema)),
    signal: options.signal,
  });
  return r.data;
}
