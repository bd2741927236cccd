/**
 * GRVT markets from `full/v1/instruments` (grvt.md §4.1.1), shared by the client and the
 * funding adapter: unified symbol, tick, size step (`min_size`, which ccxt confirms is the
 * granularity), minimum size and notional, funding interval, and the `instrument_hash` and
 * `base_decimals` that order signing needs.
 *
 * @module
 */
import type { Market } from "../../base.ts";
import { Decimal } from "../../core/decimal.ts";
import {
  createHttpTransport,
  type HttpTransport,
  type HttpTransportOptions,
} from "../_shared/http.ts";
import { grvtUnifiedSymbol } from "./common.ts";
import { grvtError } from "./errors.ts";
import { errorResponseSchema, instrumentsResponseSchema } from "./schemas.ts";

/**
 * A GRVT market with what signing needs.
 *
 * @example
 * ```ts
 * import type { GrvtMarket } from "./markets.ts";
 * const assetId = (m: GrvtMarket) => m.instrumentHash;
 * ```
 */
export interface GrvtMarket extends Market {
  /** The instrument (`BTC_USDT_Perp`). */
  venueSymbol: string;
  /** `instrument_hash`, the EIP-712 asset id. */
  instrumentHash: string;
  /** `base_decimals`: sizes are signed × 10^this. */
  baseDecimals: number;
}

/** Default hours between fundings when an instrument omits it (every live perp says 8). */
const DEFAULT_INTERVAL_HOURS = 8;

/**
 * Creates the HTTP transport of a GRVT host with GRVT's error envelope mapped through the code
 * table (`{code, message, status}`, also inside an HTTP 200).
 *
 * @param options Transport options (venue is set to `"grvt"`).
 * @returns The transport.
 *
 * @example
 * ```ts
 * import { createGrvtTransport } from "./markets.ts";
 * const md = createGrvtTransport({ baseUrl: "https://market-data.grvt.io" });
 * ```
 */
export function createGrvtTransport(
  options: Omit<HttpTransportOptions, "venue" | "mapError">,
): HttpTransport {
  return createHttpTransport({
    ...options,
    venue: "grvt",
    mapError: (ctx) => {
      const body = ctx.body;
      // [PY] treats any body with a `code` key as an error (grvt.md §2.5). `null`, arrays and
      // scalars are no envelope: a 2xx one goes on to the schema (a MalformedPayloadError).
      const envelope = typeof body === "object" && body !== null && !Array.isArray(body) &&
        "code" in body;
      if (ctx.status < 400 && !envelope) return undefined;
      const parsed = errorResponseSchema.safeParse(body);
      if (!parsed.success) return undefined;
      return grvtError(parsed.data.code, parsed.data.message, {
        endpoint: ctx.endpoint,
        status: ctx.status,
        retryAfterMs: ctx.retryAfterMs,
      });
    },
  });
}

/**
 * Loads the active perpetual markets.
 *
 * @param transport The market-data transport.
 * @param options `signal` aborts.
 * @returns Markets keyed by unified symbol (a USDT-quoted perpetual wins a symbol clash).
 * @throws {MalformedPayloadError} If the answer does not match the schema.
 *
 * @example
 * ```ts
 * import { createGrvtTransport, loadGrvtMarkets } from "./markets.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const md = createGrvtTransport({
 *   baseUrl: "https://market-data.grvt.io",
 *   fetch: () => Promise.resolve(Response.json({ result: [{
 *     instrument: "BTC_USDT_Perp", instrument_hash: "0x030501", base: "BTC", quote: "USDT",
 *     kind: "PERPETUAL", base_decimals: 9, tick_size: "0.1", min_size: "0.001",
 *     min_notional: "100.0", funding_interval_hours: 8,
 *   }] })),
 * });
 * const markets = await loadGrvtMarkets(md);
 * equal(markets.get("BTC")?.tickSize.toString(), "0.1");
 * ```
 */
export async function loadGrvtMarkets(
  transport: HttpTransport,
  options: { signal?: AbortSignal } = {},
): Promise<Map<string, GrvtMarket>> {
  const { result } = await transport.request({
    method: "POST",
    path: "/full/v1/instruments",
    endpoint: "full/v1/instruments",
    body: { kind: ["PERPETUAL"], is_active: true, limit: 1000 },
    idempotent: true,
    schema: instrumentsResponseSchema,
    signal: options.signal,
  });
  const out = new Map<string, GrvtMarket>();
  for (const i of result) {
    if (i.kind !== "PERPETUAL") continue;
    const symbol = grvtUnifiedSymbol(i.base);
    const had = out.get(symbol);
    if (had && (had.quoteAsset === "USDT" || i.quote !== "USDT")) continue;
    const hours = i.funding_interval_hours;
    out.set(symbol, {
      venue: "grvt",
      symbol,
      venueSymbol: i.instrument,
      venueId: i.instrument,
      baseAsset: i.base,
      quoteAsset: i.quote,
      tickSize: i.tick_size,
      sizeStep: i.min_size,
      minSize: i.min_size,
      minNotional: i.min_notional ?? new Decimal(0),
      fundingIntervalHours: hours !== undefined && hours > 0 ? hours : DEFAULT_INTERVAL_HOURS,
      instrumentHash: i.instrument_hash,
      baseDecimals: i.base_decimals,
    });
  }
  return out;
}
