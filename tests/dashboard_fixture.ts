/**
 * A funding store seeded for the dashboard tests, relative to the real current time (the
 * browser's countdowns read the wall clock): three venues, BTC on all of them with 48 hours of
 * GRVT history, an ETH opportunity with known fees, a stale SOL rate, and EdgeX failing.
 *
 * Expected values used by the tests (worked by hand from these inputs):
 * - BTC on EdgeX: 0.00004 per 4 h = 0.00001 per hour = 8.76 % APR, shown "0.0010 %/h".
 * - ETH, long Lighter (0.00002 / 1 h) short GRVT (0.0004 / 8 h = 0.00005 / h): gross 0.00003 / h;
 *   taker fees 0 and 0.0003 → round trip 0.0006; net APR over 24 h = (0.00003 − 0.000025) ×
 *   8760 = 4.38 %, over 120 h = (0.00003 − 0.000005) × 8760 = 21.90 %.
 * - GRVT BTC over 24 h at 12 points: 12 points.
 * - EdgeX: 2 failed collections in the last 24 h (a third is 30 h old).
 * - BTC on EdgeX also carries its last settled rate: 0.00002 per 4 h = 0.000005 per hour,
 *   shown "0.0005 %/h", settled at the last 4-hour boundary.
 * - The store's network is `sim` unless another is asked for (the banner follows it).
 */
import { Decimal, fundingRate } from "../base.ts";
import type { FundingObservation } from "../funding/model.ts";
import { SqliteFundingStore } from "../funding/sqlite_store.ts";
import type { FundingStore } from "../funding/store.ts";

const H = 3_600_000;

/** Venues of the fixture, in column order. */
export const VENUES = ["lighter", "grvt", "edgex"] as const;

function obs(
  venue: string,
  symbol: string,
  rate: string,
  hours: number,
  time: number,
): FundingObservation {
  return {
    venue,
    symbol,
    venueSymbol: `${symbol}-${venue}`,
    time,
    ...fundingRate({ rate, intervalHours: hours }),
    nextFundingTime: Math.ceil(time / (hours * H)) * hours * H + hours * H,
    volume24hUsd: new Decimal("2500000"),
    openInterestUsd: new Decimal("1200000"),
    spreadBps: new Decimal("1.5"),
    latencyMs: venue === "edgex" ? 420 : 85,
  };
}

/**
 * Opens an in-memory store with the fixture.
 *
 * @param now The current time (ms).
 * @param network The store's network.
 * @returns The store.
 */
export async function seededStore(now: number, network = "sim"): Promise<FundingStore> {
  const store = await SqliteFundingStore.open(":memory:", { network });
  await store.ensureVenues([
    { venue: "lighter", fees: { maker: new Decimal("0"), taker: new Decimal("0") } },
    { venue: "grvt", fees: { maker: new Decimal("-0.0001"), taker: new Decimal("0.0003") } },
    { venue: "edgex", fees: { maker: new Decimal("0.00015"), taker: new Decimal("0.00038") } },
  ]);
  const grvtBtc = Array.from(
    { length: 48 },
    (_, i) => obs("grvt", "BTC", i % 3 ? "0.0002" : "-0.0001", 8, now - (47 - i) * H),
  );
  const lighterEth = Array.from(
    { length: 48 },
    (_, i) => obs("lighter", "ETH", "0.00002", 1, now - (47 - i) * H),
  );
  const grvtEth = Array.from(
    { length: 48 },
    (_, i) => obs("grvt", "ETH", i === 10 ? "0.00001" : "0.0004", 8, now - (47 - i) * H),
  );
  await store.saveObservations([
    ...grvtBtc,
    ...lighterEth,
    ...grvtEth,
    obs("lighter", "BTC", "0.00001", 1, now),
    {
      ...obs("edgex", "BTC", "0.00004", 4, now),
      settledRate: new Decimal("0.00002"),
      settledTime: Math.floor(now / (4 * H)) * 4 * H,
    },
    obs("edgex", "SOL", "-0.0002", 4, now),
    obs("lighter", "SOL", "0.00003", 1, now - 20 * 60_000),
    obs("grvt", "DOGE", "0.0008", 8, now),
    obs("lighter", "DOGE", "-0.00005", 1, now),
  ]);
  await store.saveVenueHealth([
    { venue: "lighter", lastSuccessAt: now, consecutiveErrors: 0 },
    { venue: "grvt", lastSuccessAt: now, consecutiveErrors: 0 },
    {
      venue: "edgex",
      lastSuccessAt: now - 2 * H,
      lastErrorAt: now - 60_000,
      lastError: "HTTP 503 from edgex /api/v1/public/funding/getLatestFundingRate",
      consecutiveErrors: 3,
    },
  ]);
  const log = (venue: string, at: number, status: "success" | "failed") => ({
    runId: `run-${at}`,
    venue,
    startedAt: at,
    completedAt: at + 900,
    status,
    symbolsFetched: status === "failed" ? 0 : 3,
    symbolsFailed: 0,
    ...(status === "failed" ? { errorMessage: "HTTP 503" } : {}),
  });
  await store.saveCollectionLogs([
    log("edgex", now - 30 * H, "failed"),
    log("edgex", now - 3 * H, "success"),
    log("edgex", now - 2 * H, "failed"),
    log("edgex", now - 60_000, "failed"),
    log("lighter", now - 60_000, "success"),
    log("grvt", now - 60_000, "success"),
  ]);
  return store;
}
