/**
 * The account's funding payments: `GET /api/v1/positionFunding` read page by page, and the
 * watcher that turns the stream's news of a settlement into `funding` events.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { Clock, FundingPayment } from "../../base.ts";
import { ConfigurationError } from "../../core/errors.ts";
import { toFundingPayment } from "./_mapping.ts";
import type { LighterRest } from "./_transport.ts";
import { positionFundingsSchema } from "./schemas.ts";

const log = getLogger(["perp", "lighter"]);

/** Rows per page: the venue's maximum `limit` (lighter.md §3.2). */
export const POSITION_FUNDING_PAGE = 100;
/** Pages read at most in one call (10 000 payments): a cursor that never ends stops here. */
export const POSITION_FUNDING_MAX_PAGES = 100;

/** What {@linkcode readFundingPayments} reads. */
export interface FundingQuery {
  /** The account. */
  accountIndex: number;
  /** Only this market. */
  marketIndex?: number;
  /** From this time (ms, inclusive). */
  start?: number;
  /** Until this time (ms, inclusive). */
  end?: number;
  /** At most this many (the newest). */
  limit?: number;
}

/**
 * Reads funding payments from `positionFunding` (private: the auth token goes with it), every
 * page the cursor names, and returns them oldest first, the newest `limit` if given. The window
 * is sent as `start_timestamp` / `end_timestamp` in ms (the unit of every other Lighter
 * `*_timestamp` parameter) and applied again to the rows.
 *
 * @param rest The REST transport.
 * @param query Account, market, window and limit.
 * @param symbolOf Unified symbol of a market index.
 * @returns The payments.
 * @throws {ConfigurationError} For a limit that is not a positive integer or a window that ends
 * before it starts.
 */
export async function readFundingPayments(
  rest: LighterRest,
  query: FundingQuery,
  symbolOf: (marketIndex: number) => string,
): Promise<FundingPayment[]> {
  const { start, end, limit } = query;
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new ConfigurationError(
      `Cannot read Lighter funding payments as 'limit' must be a positive integer: current value is ${limit}`,
      { venue: "lighter" },
    );
  }
  if (start !== undefined && end !== undefined && end < start) {
    throw new ConfigurationError(
      `Cannot read Lighter funding payments as 'end' must not be before 'start': current values are ${start} and ${end}`,
      { venue: "lighter" },
    );
  }
  const byId = new Map<string, FundingPayment>();
  let cursor: string | undefined;
  for (let page = 0; page < POSITION_FUNDING_MAX_PAGES; page++) {
    const r = await rest.get(
      "/api/v1/positionFunding",
      {
        account_index: query.accountIndex,
        limit: POSITION_FUNDING_PAGE,
        ...(query.marketIndex !== undefined ? { market_id: query.marketIndex } : {}),
        ...(start !== undefined ? { start_timestamp: Math.floor(start) } : {}),
        ...(end !== undefined ? { end_timestamp: Math.floor(end) } : {}),
        ...(cursor ? { cursor } : {}),
      },
      positionFundingsSchema,
      true,
    );
    for (const row of r.position_fundings) {
      if (query.marketIndex !== undefined && row.market_id !== query.marketIndex) continue;
      const p = toFundingPayment(row, symbolOf(row.market_id));
      if ((start !== undefined && p.time < start) || (end !== undefined && p.time > end)) continue;
      byId.set(p.id!, p);
    }
    const next = r.next_cursor;
    if (!next || next === cursor || r.position_fundings.length === 0) break;
    cursor = next;
  }
  const all = [...byId.values()].sort((a, b) =>
    a.time - b.time || (a.id! < b.id! ? -1 : a.id! > b.id! ? 1 : 0)
  );
  return limit === undefined ? all : all.slice(-limit);
}

/** What {@linkcode FundingWatch} needs from the client. */
export interface FundingWatchDeps {
  /** The client's clock. */
  clock: Clock;
  /** Payments since a time (ms). */
  read: (start: number) => Promise<FundingPayment[]>;
  /** Emits one new payment. */
  emit: (payment: FundingPayment) => void;
}

const MAX_SEEN = 10_000;

/**
 * Emits each funding payment of the account once: on each signal (the stream's
 * `funding_histories`, a reconciliation) it reads the payments since the newest one emitted
 * (at first, since it started) and emits those it has not emitted yet. One read at a time;
 * a signal during a read runs one more.
 */
export class FundingWatch {
  readonly #deps: FundingWatchDeps;
  readonly #seen = new Set<string>();
  #since: number;
  #running: Promise<void> | undefined;
  #again = false;

  /**
   * Creates the watcher; payments before now are history, never emitted.
   *
   * @param deps Clock, reader, emitter.
   */
  constructor(deps: FundingWatchDeps) {
    this.#deps = deps;
    this.#since = deps.clock.now();
  }

  /** Starts over from now (on connect). */
  reset(): void {
    this.#since = this.#deps.clock.now();
  }

  /**
   * A settlement may have happened: read and emit what is new.
   *
   * @returns Resolves when the read is done (never rejects).
   */
  signal(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.#readOnce();
        } while (this.#again);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  async #readOnce(): Promise<void> {
    let payments: FundingPayment[];
    try {
      payments = await this.#deps.read(this.#since);
    } catch (e) {
      log.warn("Reading funding payments failed: {error}", {
        error: e instanceof Error ? e.message : String(e),
      });
      return;
    }
    for (const p of payments) {
      const id = p.id ?? `${p.symbol}:${p.time}`;
      if (this.#seen.has(id)) continue;
      this.#seen.add(id);
      if (this.#seen.size > MAX_SEEN) this.#seen.delete(this.#seen.values().next().value!);
      if (p.time > this.#since) this.#since = p.time;
      this.#deps.emit(p);
    }
  }
}
