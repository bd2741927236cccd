/**
 * The bots' one PnL account: {@linkcode PnlTracker} splits a run's result into realized,
 * unrealized, fees and funding, from the clients' fill and funding events (and, for funding,
 * the venue's `getFundingPayments`). The grid's status line, its stop summary, the `--json`
 * events and the `--status-port` page all read the same tracker.
 *
 * - realized: average-entry method per venue and symbol, from the position held at start
 *   ({@linkcode PnlTracker.seed}) and every fill since (duplicates by trade id ignored);
 *   before fees and funding;
 * - fees: the fills' fees (negative = rebates);
 * - funding: payments received (negative = paid), each payment once;
 * - unrealized: what the venues report on their positions ({@linkcode PnlTracker.setPositions});
 * - net = realized + unrealized − fees + funding.
 *
 * @module
 */
import {
  Decimal,
  type ExchangeClient,
  type ExchangeEvent,
  type Fill,
  type FundingPayment,
  type Position,
} from "../base.ts";

const ZERO = new Decimal(0);
/** Trade and payment ids remembered for de-duplication. */
const SEEN_LIMIT = 20_000;

/**
 * A PnL split, in the quote asset.
 *
 * @example
 * ```ts
 * import { Decimal } from "../base.ts";
 * import type { PnlSplit } from "./pnl.ts";
 * const zero = new Decimal(0);
 * const s: PnlSplit = { realized: zero, unrealized: zero, fees: zero, funding: zero, net: zero };
 * ```
 */
export interface PnlSplit {
  /** Realized trading PnL, before fees and funding. */
  realized: Decimal;
  /** Unrealized PnL of the open positions, as the venues report it. */
  unrealized: Decimal;
  /** Fees paid (negative = rebates received). */
  fees: Decimal;
  /** Funding received (negative = paid). */
  funding: Decimal;
  /** realized + unrealized − fees + funding. */
  net: Decimal;
}

interface Book {
  size: Decimal;
  cost: Decimal;
}

/**
 * Formats a split for a log line: `realized +5 | unrealized 0 | fees -0.4579 | funding -0.06 |
 * net +4.4821 USDT` (fees shown as what they took from the account, so every part adds up to
 * the net).
 *
 * @param split The split.
 * @param asset Quote asset to name. @default {""}
 * @param places Decimal places. @default {4}
 * @returns The text.
 *
 * @example
 * ```ts
 * import { Decimal } from "../base.ts";
 * import { formatPnl } from "./pnl.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const d = (s: string) => new Decimal(s);
 * equal(
 *   formatPnl({ realized: d("5"), unrealized: d("0"), fees: d("0.4579"), funding: d("-0.06"),
 *     net: d("4.4821") }, "USD"),
 *   "realized +5.0000 | unrealized +0.0000 | fees -0.4579 | funding -0.0600 | net +4.4821 USD",
 * );
 * ```
 */
export function formatPnl(split: PnlSplit, asset = "", places = 4): string {
  const s = (d: Decimal) => `${d.isNegative() ? "" : "+"}${d.toFixed(places)}`;
  return `realized ${s(split.realized)} | unrealized ${s(split.unrealized)} | ` +
    `fees ${s(split.fees.neg())} | funding ${s(split.funding)} | net ${s(split.net)}` +
    (asset ? ` ${asset}` : "");
}

/**
 * The split as strings, for JSON (`GET /api/v1/bot`, `--json`).
 *
 * @param split The split.
 * @returns `{ realized, unrealized, fees, funding, net }` as decimal strings.
 *
 * @example
 * ```ts
 * import { Decimal } from "../base.ts";
 * import { pnlJson } from "./pnl.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const z = new Decimal(0);
 * deepEqual(pnlJson({ realized: new Decimal("1"), unrealized: z, fees: z, funding: z, net: new Decimal("1") }),
 *   { realized: "1", unrealized: "0", fees: "0", funding: "0", net: "1" });
 * ```
 */
export function pnlJson(split: PnlSplit): Record<keyof PnlSplit, string> {
  return {
    realized: split.realized.toString(),
    unrealized: split.unrealized.toString(),
    fees: split.fees.toString(),
    funding: split.funding.toString(),
    net: split.net.toString(),
  };
}

/**
 * Keeps a run's PnL split (see the module documentation).
 *
 * @example Buy 0.01 at 60000, sell it at 60100, 0.1 fee each
 * ```ts
 * import { Decimal, type Fill } from "../base.ts";
 * import { PnlTracker } from "./pnl.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const pnl = new PnlTracker();
 * const fill = (side: "buy" | "sell", price: string): Fill => ({
 *   venue: "grvt", symbol: "BTC", tradeId: `${side}${price}`, orderId: "1", clientOrderId: "c",
 *   side, price: new Decimal(price), size: new Decimal("0.01"), fee: new Decimal("0.1"),
 *   liquidity: "maker", timestamp: 0,
 * });
 * equal(pnl.onFill(fill("buy", "60000"))?.toString(), "0");
 * equal(pnl.onFill(fill("sell", "60100"))?.toString(), "1");
 * equal(pnl.onFill(fill("sell", "60100")), undefined); // the same trade again
 * const s = pnl.split();
 * equal(s.realized.toString(), "1");
 * equal(s.fees.toString(), "0.2");
 * equal(s.net.toString(), "0.8");
 * ```
 */
export class PnlTracker {
  readonly #books = new Map<string, Book>();
  readonly #seen = new Set<string>();
  readonly #payments = new Set<string>();
  #realized = ZERO;
  #fees = ZERO;
  #funding = ZERO;
  #fills = 0;
  #positions: Position[] = [];

  /** Fills counted. */
  get fills(): number {
    return this.#fills;
  }

  /**
   * Sets the cost basis of a position held before the run (ignored once the symbol has one).
   *
   * @param position The venue's position (size and entry price).
   */
  seed(position: Pick<Position, "venue" | "symbol" | "size" | "entryPrice">): void {
    const key = `${position.venue}:${position.symbol}`;
    if (this.#books.has(key) || position.size.isZero()) return;
    this.#books.set(key, { size: position.size, cost: position.size.times(position.entryPrice) });
  }

  /**
   * Books one fill, once per trade id.
   *
   * @param fill The fill.
   * @returns The realized PnL it booked, or `undefined` for a duplicate.
   */
  onFill(fill: Fill): Decimal | undefined {
    const id = `${fill.venue}:${fill.tradeId}`;
    if (!remember(this.#seen, id)) return undefined;
    this.#fills++;
    this.#fees = this.#fees.plus(fill.fee);
    return this.#apply(
      `${fill.venue}:${fill.symbol}`,
      fill.side === "buy" ? fill.size : fill.size.neg(),
      fill.price,
    );
  }

  /**
   * Books one funding payment, once (by the venue's id, else venue, symbol, time and amount).
   *
   * @param payment The payment.
   * @returns Whether it was new.
   */
  onFunding(payment: FundingPayment): boolean {
    const id = `${payment.venue}:${payment.symbol}:` +
      (payment.id ?? `${payment.time}:${payment.amount}`);
    if (!remember(this.#payments, id)) return false;
    this.#funding = this.#funding.plus(payment.amount);
    return true;
  }

  /**
   * Applies a client event (fills and funding; anything else is ignored).
   *
   * @param event The event.
   * @returns Whether it changed the split.
   */
  record(event: ExchangeEvent): boolean {
    if (event.type === "fill") return this.onFill(event.fill) !== undefined;
    if (event.type === "funding") return this.onFunding(event.payment);
    return false;
  }

  /**
   * Follows a client's fill and funding events.
   *
   * @param client The client.
   * @returns Stops following.
   */
  attach(client: Pick<ExchangeClient, "onEvent">): () => void {
    return client.onEvent((e) => void this.record(e));
  }

  /**
   * Reads the account's funding payments since `start` and books those not seen yet (a venue
   * whose private stream does not push them, or a payment missed while disconnected).
   *
   * @param client The client.
   * @param options `symbol` and `start` (ms) of the read.
   * @returns How many payments were new.
   */
  async syncFunding(
    client: Pick<ExchangeClient, "getFundingPayments">,
    options: { symbol?: string; start?: number } = {},
  ): Promise<number> {
    let added = 0;
    for (const p of await client.getFundingPayments(options)) {
      if (this.onFunding(p)) added++;
    }
    return added;
  }

  /**
   * Sets the open positions the unrealized PnL is read from (each venue's replaces that
   * venue's earlier ones).
   *
   * @param positions Positions as the venues report them.
   * @param venue Only replace this venue's positions. @default {all}
   */
  setPositions(positions: readonly Position[], venue?: string): void {
    const kept = venue === undefined ? [] : this.#positions.filter((p) => p.venue !== venue);
    this.#positions = [...kept, ...positions.filter((p) => !p.size.isZero())];
  }

  /**
   * The split now.
   *
   * @returns Realized, unrealized, fees, funding and net.
   */
  split(): PnlSplit {
    const unrealized = this.#positions.reduce((t, p) => t.plus(p.unrealizedPnl ?? ZERO), ZERO);
    return {
      realized: this.#realized,
      unrealized,
      fees: this.#fees,
      funding: this.#funding,
      net: this.#realized.plus(unrealized).minus(this.#fees).plus(this.#funding),
    };
  }

  #apply(key: string, q: Decimal, price: Decimal): Decimal {
    const b = this.#books.get(key) ?? { size: ZERO, cost: ZERO };
    let realized = ZERO;
    if (b.size.isZero() || b.size.isNegative() === q.isNegative()) {
      b.size = b.size.plus(q);
      b.cost = b.cost.plus(q.times(price));
    } else {
      const avg = b.cost.div(b.size);
      const closing = Decimal.min(q.abs(), b.size.abs());
      const direction = b.size.isNegative() ? -1 : 1;
      realized = closing.times(price.minus(avg)).times(direction);
      this.#realized = this.#realized.plus(realized);
      const after = b.size.plus(q);
      b.cost = q.abs().lte(b.size.abs()) ? avg.times(after) : after.times(price);
      b.size = after;
    }
    this.#books.set(key, b);
    return realized;
  }
}

/** Adds `id`; `false` when it was there. Forgets the oldest ids past the limit. */
function remember(set: Set<string>, id: string): boolean {
  if (set.has(id)) return false;
  set.add(id);
  if (set.size > SEEN_LIMIT) set.delete(set.values().next().value!);
  return true;
}
