/**
 * Follows a client's orders of one market from its event stream (not by polling): the latest
 * state of each order by client order id, merged so that duplicate, late or out-of-order
 * events never move an order backwards, and fills counted once per trade id.
 *
 * @module
 */
import type { Clock, Decimal, ExchangeClient, ExchangeEvent, Order } from "../base.ts";

const TERMINAL = new Set(["filled", "canceled", "rejected", "expired"]);

/**
 * Whether an order can no longer change.
 *
 * @param order The order.
 * @returns `true` for filled, canceled, rejected and expired orders.
 *
 * @example
 * ```ts
 * import { isTerminal } from "./order_tracker.ts";
 * import type { Order } from "../base.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(isTerminal({ status: "canceled" } as Order), true);
 * equal(isTerminal({ status: "partially_filled" } as Order), false);
 * ```
 */
export function isTerminal(order: Pick<Order, "status">): boolean {
  return TERMINAL.has(order.status);
}

/**
 * Merges a newer report of an order into the one known: the filled size never decreases and a
 * finished order never reopens (a late "open" event after "filled" is ignored).
 *
 * @param known The state known so far, if any.
 * @param next The new report.
 * @returns The merged state.
 *
 * @example
 * ```ts
 * import { mergeOrder } from "./order_tracker.ts";
 * import { Decimal, type Order } from "../base.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const base = { size: new Decimal(1), price: new Decimal(10) } as Order;
 * const filled = { ...base, status: "filled", filledSize: new Decimal(1), remainingSize: new Decimal(0) } as Order;
 * const late = { ...base, status: "open", filledSize: new Decimal(0), remainingSize: new Decimal(1) } as Order;
 * equal(mergeOrder(filled, late).status, "filled");
 * equal(mergeOrder(filled, late).filledSize.toString(), "1");
 * ```
 */
export function mergeOrder(known: Order | undefined, next: Order): Order {
  if (known === undefined) return next;
  const filledSize = next.filledSize.gte(known.filledSize) ? next.filledSize : known.filledSize;
  if (isTerminal(known) && !isTerminal(next)) {
    return { ...known, filledSize, id: known.id ?? next.id };
  }
  return {
    ...next,
    id: next.id ?? known.id,
    filledSize,
    averageFillPrice: next.averageFillPrice ?? known.averageFillPrice,
  };
}

interface Entry {
  order: Order | undefined;
  trades: Map<string, Decimal>;
  waiters: Set<() => void>;
}

/**
 * Tracks one market's orders of a client from `onEvent`.
 *
 * @example
 * ```ts
 * import { ManualClock } from "../exchanges/_shared/clock.ts";
 * import { startSimVenue } from "../sim/network.ts";
 * import { OrderTracker } from "./order_tracker.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const clock = new ManualClock(Date.UTC(2026, 0, 1));
 * const sim = await startSimVenue("grvt", { clock });
 * const client = sim.client();
 * await client.connect();
 * using tracker = new OrderTracker(client, "BTC", clock);
 * const { bid } = await client.getBestBidAsk("BTC");
 * await client.placeOrder({
 *   symbol: "BTC", side: "buy", type: "limit", size: "0.01", price: bid, postOnly: true, clientOrderId: "doc-1",
 * });
 * equal(tracker.get("doc-1")?.status, "open");
 * await client.disconnect();
 * await sim.close();
 * ```
 */
export class OrderTracker implements Disposable {
  /** The market. */
  readonly symbol: string;
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();
  readonly #byId = new Map<string, string>();
  readonly #listeners = new Set<(order: Order, previous: Order | undefined) => void>();
  readonly #off: () => void;

  /**
   * Starts listening.
   *
   * @param client The client whose events to follow.
   * @param symbol The market.
   * @param clock Clock for the waits.
   */
  constructor(client: ExchangeClient, symbol: string, clock: Clock) {
    this.symbol = symbol;
    this.#clock = clock;
    this.#off = client.onEvent((e) => this.#onEvent(e));
  }

  #entry(clientOrderId: string): Entry {
    let e = this.#entries.get(clientOrderId);
    if (!e) {
      e = { order: undefined, trades: new Map(), waiters: new Set() };
      this.#entries.set(clientOrderId, e);
    }
    return e;
  }

  #onEvent(e: ExchangeEvent): void {
    if (e.type === "order" && e.order.symbol === this.symbol) this.update(e.order);
    else if (e.type === "fill" && e.fill.symbol === this.symbol) {
      const cid = e.fill.clientOrderId ??
        (e.fill.orderId === undefined ? undefined : this.#byId.get(e.fill.orderId));
      if (cid === undefined) return;
      const entry = this.#entry(cid);
      if (entry.trades.has(e.fill.tradeId)) return; // a duplicate fill event
      entry.trades.set(e.fill.tradeId, e.fill.size);
      if (entry.order) this.#apply(entry, entry.order);
    }
  }

  /**
   * Merges a report (an event or a REST answer) into the tracked state.
   *
   * @param order The report.
   * @returns The merged state.
   */
  update(order: Order): Order {
    if (order.id !== undefined) this.#byId.set(order.id, order.clientOrderId);
    const entry = this.#entry(order.clientOrderId);
    return this.#apply(entry, mergeOrder(entry.order, order));
  }

  #apply(entry: Entry, merged: Order): Order {
    let sum = merged.filledSize.minus(merged.filledSize);
    for (const size of entry.trades.values()) sum = sum.plus(size);
    let out = merged;
    if (sum.gt(merged.filledSize)) {
      const filledSize = sum.gt(merged.size) ? merged.size : sum;
      out = {
        ...merged,
        filledSize,
        remainingSize: isTerminal(merged) ? merged.remainingSize : merged.size.minus(filledSize),
        status: filledSize.gte(merged.size) ? "filled" : merged.status,
      };
    }
    const previous = entry.order;
    entry.order = out;
    for (const l of this.#listeners) l(out, previous);
    if (isTerminal(out)) { for (const w of [...entry.waiters]) w(); }
    return out;
  }

  /**
   * The latest known state of an order.
   *
   * @param clientOrderId Client order id.
   * @returns The state, or `undefined` when nothing is known yet.
   */
  get(clientOrderId: string): Order | undefined {
    return this.#entries.get(clientOrderId)?.order;
  }

  /**
   * Calls `listener` on every merged update of any order of the market.
   *
   * @param listener Gets the merged state and the previous one.
   * @returns Removes the listener.
   */
  onUpdate(listener: (order: Order, previous: Order | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Waits until the order is finished (filled, canceled, rejected, expired) or `timeoutMs`
   * of clock time passes.
   *
   * @param clientOrderId Client order id.
   * @param timeoutMs Longest wait.
   * @param signal Aborts the wait (rejects with the signal's reason).
   * @returns Whether the order is finished.
   */
  async waitForTerminal(
    clientOrderId: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<boolean> {
    const entry = this.#entry(clientOrderId);
    if (entry.order && isTerminal(entry.order)) return true;
    signal?.throwIfAborted();
    const done = new AbortController();
    const waiter = () => done.abort();
    entry.waiters.add(waiter);
    try {
      await this.#clock.sleep(
        timeoutMs,
        signal ? AbortSignal.any([signal, done.signal]) : done.signal,
      );
    } catch (error) {
      if (signal?.aborted) throw error;
    } finally {
      entry.waiters.delete(waiter);
    }
    return entry.order !== undefined && isTerminal(entry.order);
  }

  /**
   * Forgets finished orders except the given ones (bounded memory over a long run).
   *
   * @param keep Client order ids to keep.
   */
  prune(keep: Iterable<string> = []): void {
    const keepSet = new Set(keep);
    for (const [cid, e] of this.#entries) {
      if (keepSet.has(cid) || e.waiters.size > 0) continue;
      if (e.order === undefined || isTerminal(e.order)) {
        this.#entries.delete(cid);
        if (e.order?.id !== undefined) this.#byId.delete(e.order.id);
      }
    }
  }

  /** Stops listening. Idempotent. */
  close(): void {
    this.#off();
  }

  /** Same as `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
