/**
 * Lighter stream frames: dispatch by kind, the private `account_orders` / `account_all`
 * channels turned into events, and the REST reconciliation run when a private frame cannot be
 * read (a dropped frame may have carried a fill or a cancel: the state is read again instead).
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { Clock, ExchangeEvent, Order, Position } from "../../base.ts";
import { Decimal } from "../../core/decimal.ts";
import { MalformedPayloadError, PerpError } from "../../core/errors.ts";
import type { EventHub } from "../_shared/event_hub.ts";
import type { LiveOrderBook } from "../_shared/live_order_book.ts";
import { parsePayload } from "../_shared/parse.ts";
import { toFill, toOrder, toPosition } from "./_mapping.ts";
import { applyBookFrame, bookFrameMarket, resubscribeBook } from "./_book.ts";
import type { LighterBookFrame, LighterBookLevel } from "./book_frame.ts";
import type { OrderAcks } from "./_orders.ts";
import type { WsTransport } from "../_shared/ws.ts";
import { accountAllFrameSchema, accountOrdersFrameSchema } from "./schemas.ts";

const log = getLogger(["perp", "lighter"]);

const MAX_SEEN_TRADES = 10_000;
const RECONCILE_ATTEMPTS = 5;
const RECONCILE_DELAY_MS = 1_000;

/** What the frame handler needs from the client. */
export interface LighterStreamDeps {
  /** The client's clock. */
  clock: Clock;
  /** The event hub (replaced on reconnect after a disconnect). */
  hub: () => EventHub<ExchangeEvent>;
  /** The socket, when open. */
  ws: () => WsTransport | undefined;
  /** Live books by market index. */
  books: ReadonlyMap<number, LiveOrderBook>;
  /** Waiters of `placeOrder` for reports of new orders. */
  acks: OrderAcks;
  /** Unified symbol of a market index. */
  symbolOf: (marketIndex: number) => string;
  /** Our account index, once known. */
  accountIndex: () => number | undefined;
  /** A `subscribed/…` frame arrived for this (inbound) channel. */
  onSubscribed: (channel: string) => void;
  /** REST: active orders of every market. */
  openOrders: () => Promise<Order[]>;
  /** REST: an order in any state by market index and client order id. */
  findOrder: (symbol: string, clientOrderId: string) => Promise<Order | undefined>;
  /** REST: open positions. */
  positions: () => Promise<Position[]>;
  /** A funding settlement may have been paid: read and emit the new payments. */
  fundingSignal?: () => void;
}

/** Turns the socket's frames into book updates and events. */
export class LighterStreamHandler {
  readonly #deps: LighterStreamDeps;
  /** Trade ids already emitted. Retention: the newest `MAX_SEEN_TRADES`, oldest out first. */
  readonly #seenTrades = new Set<string>();
  /** Orders last seen live on the stream, by client order id → symbol (removed once final). */
  readonly #live = new Map<string, string>();
  /** Symbols whose last known position was not flat. */
  readonly #held = new Set<string>();
  #reconciling: Promise<void> | undefined;
  #again = false;
  #stop = new AbortController();

  /**
   * Creates the handler.
   *
   * @param deps The client's pieces.
   */
  constructor(deps: LighterStreamDeps) {
    this.#deps = deps;
  }

  /** Resolves when no reconciliation is running. */
  get idle(): Promise<void> {
    return this.#reconciling ?? Promise.resolve();
  }

  /** Abandons a running reconciliation (on disconnect); later ones run normally. */
  stop(): void {
    this.#stop.abort();
    this.#stop = new AbortController();
  }

  /**
   * Handles one JSON frame.
   *
   * @param data The parsed frame.
   */
  onFrame(data: unknown): void {
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
      log.warn("Ignored a frame that is not an object: {frame}", { frame: String(data) });
      return;
    }
    const frame = data as { type?: unknown; error?: unknown };
    const type = typeof frame.type === "string" ? frame.type : "";
    if (type === "ping") {
      try {
        this.#deps.ws()?.send({ type: "pong" });
      } catch {
        // Socket going away.
      }
      return;
    }
    if (frame.error !== undefined || type === "error") {
      log.warn("Lighter stream error: {error}", { error: safeJson(frame) });
      return;
    }
    const kind = type.slice(type.indexOf("/") + 1);
    if (type.startsWith("subscribed/")) {
      this.#deps.onSubscribed(String((data as { channel?: unknown }).channel ?? ""));
    }
    try {
      if (kind === "order_book") {
        applyBookFrame(this.#deps.books, data, type.startsWith("subscribed"));
      } else if (kind === "account_orders") this.#onOrders(data);
      else if (kind === "account_all") this.#onAccountAll(data);
    } catch (e) {
      this.#onMalformed(kind, data, e);
    }
  }

  /**
   * A book frame the fast decoder read (see `book_frame.ts`): applied like `onFrame` would,
   * without the generic JSON tree. A snapshot with a zero-size level takes the general path,
   * which refuses it with the usual error.
   *
   * @param f The decoded frame.
   * @param raw The frame's text, for the general path.
   */
  onBookFrame(f: LighterBookFrame, raw: string): void {
    if (f.snapshot) {
      this.#deps.onSubscribed(`order_book:${f.marketIndex}`);
      if (hasZeroSize(f.bids) || hasZeroSize(f.asks)) {
        this.onFrame(JSON.parse(raw));
        return;
      }
    }
    const book = this.#deps.books.get(f.marketIndex);
    if (!book) return;
    try {
      if (f.snapshot) {
        book.applySnapshot(f, { sequence: f.nonce, timestamp: f.timestamp });
      } else {
        book.applyDelta(f, {
          sequence: f.nonce,
          prevSequence: f.beginNonce,
          timestamp: f.timestamp,
        });
      }
    } catch (e) {
      this.#onMalformed("order_book", { channel: `order_book:${f.marketIndex}` }, e);
    }
  }

  #onMalformed(kind: string, data: unknown, e: unknown): void {
    log.warn("Malformed {kind} frame: {error}", {
      kind,
      error: e instanceof Error ? e.message : String(e),
    });
    if (kind === "order_book") {
      const id = bookFrameMarket(data);
      const book = id === undefined ? undefined : this.#deps.books.get(id);
      if (book) {
        book.markStale();
        resubscribeBook(this.#deps.ws(), id!);
      }
      return;
    }
    // A private frame that cannot be read may have carried a fill, a cancel or a position
    // change: say so, and read the account again over REST.
    const error = e instanceof PerpError ? e : new MalformedPayloadError(kind, {
      venue: "lighter",
      endpoint: kind,
      cause: e,
    });
    this.reconcile(error);
  }

  /**
   * Reports the private stream as unreliable (`connection` `reconnecting` with the error), reads
   * open orders and positions over REST, emits them, and reports `connected` again. Orders last
   * seen live that are no longer active are looked up one by one, so a dropped fill or cancel
   * is not missed. Runs once at a time; retried with a delay when REST fails.
   *
   * @param error Why the stream's view may be incomplete.
   * @returns Resolves when done (it never rejects).
   */
  reconcile(error: PerpError): Promise<void> {
    this.#deps.hub().emit({ type: "connection", stream: "lighter", state: "reconnecting", error });
    if (this.#reconciling) {
      this.#again = true;
      return this.#reconciling;
    }
    const stop = this.#stop.signal;
    this.#reconciling = (async () => {
      try {
        for (let i = 0; i < RECONCILE_ATTEMPTS && !stop.aborted; i++) {
          this.#again = false;
          try {
            await this.#readAccount();
            if (stop.aborted) return;
            if (!this.#again) {
              this.#deps.hub().emit({ type: "connection", stream: "lighter", state: "connected" });
              return;
            }
            // Another frame failed meanwhile: read again.
          } catch (e) {
            log.warn("Reconciliation over REST failed: {error}", {
              error: e instanceof Error ? e.message : String(e),
            });
            if (i + 1 < RECONCILE_ATTEMPTS) {
              await this.#deps.clock.sleep(RECONCILE_DELAY_MS, stop).catch(() => {});
            }
          }
        }
      } finally {
        this.#reconciling = undefined;
      }
    })();
    return this.#reconciling;
  }

  async #readAccount(): Promise<void> {
    const [orders, positions] = await Promise.all([
      this.#deps.openOrders(),
      this.#deps.positions(),
    ]);
    const hub = this.#deps.hub();
    // A dropped frame may also have announced a funding settlement.
    this.#deps.fundingSignal?.();
    const active = new Set(orders.map((o) => o.clientOrderId));
    for (const o of orders) this.#emitOrder(o);
    for (const [clientOrderId, symbol] of [...this.#live]) {
      if (active.has(clientOrderId)) continue;
      const o = await this.#deps.findOrder(symbol, clientOrderId);
      if (o) this.#emitOrder(o);
    }
    const flat = new Set(this.#held);
    for (const p of positions) {
      flat.delete(p.symbol);
      this.#notePosition(p);
      hub.emit({ type: "position", position: p });
    }
    for (const symbol of flat) {
      const p: Position = {
        venue: "lighter",
        symbol,
        size: new Decimal(0),
        entryPrice: new Decimal(0),
        unrealizedPnl: new Decimal(0),
      };
      this.#notePosition(p);
      hub.emit({ type: "position", position: p });
    }
  }

  #emitOrder(order: Order): void {
    if (
      order.status === "open" || order.status === "partially_filled" || order.status === "pending"
    ) {
      this.#live.set(order.clientOrderId, order.symbol);
    } else {
      this.#live.delete(order.clientOrderId);
    }
    this.#deps.hub().emit({ type: "order", order });
  }

  #notePosition(p: Position): void {
    if (p.size.isZero()) this.#held.delete(p.symbol);
    else this.#held.add(p.symbol);
  }

  #onOrders(data: unknown): void {
    const f = parsePayload(accountOrdersFrameSchema, data, {
      venue: "lighter",
      endpoint: "account_orders",
    });
    for (const [market, orders] of Object.entries(f.orders)) {
      const symbol = this.#deps.symbolOf(Number(market));
      for (const o of orders) {
        this.#emitOrder(toOrder(o, symbol));
        this.#deps.acks.report(o);
      }
    }
  }

  #onAccountAll(data: unknown): void {
    const f = parsePayload(accountAllFrameSchema, data, {
      venue: "lighter",
      endpoint: "account_all",
    });
    const me = this.#deps.accountIndex();
    if (me === undefined) return;
    const hub = this.#deps.hub();
    for (const [market, trades] of Object.entries(f.trades ?? {})) {
      const symbol = this.#deps.symbolOf(Number(market));
      for (const t of trades) {
        const fill = toFill(t, me, symbol);
        if (!fill || this.#seenTrades.has(fill.tradeId)) continue;
        this.#seenTrades.add(fill.tradeId);
        if (this.#seenTrades.size > MAX_SEEN_TRADES) {
          this.#seenTrades.delete(this.#seenTrades.values().next().value!);
        }
        hub.emit({ type: "fill", fill });
      }
    }
    for (const p of Object.values(f.positions ?? {})) {
      const position = toPosition(p);
      this.#notePosition(position);
      hub.emit({ type: "position", position });
    }
    // The snapshot's funding_histories are history; an update's are new settlements.
    if (f.type.startsWith("update/") && hasEntries(f.funding_histories)) {
      this.#deps.fundingSignal?.();
    }
  }
}

/** A non-empty array or object. */
function hasEntries(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return typeof v === "object" && v !== null && Object.keys(v).length > 0;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

const ZERO_SIZE = /^0*\.?0*$/;

function hasZeroSize(levels: readonly LighterBookLevel[]): boolean {
  for (let i = 0; i < levels.length; i++) if (ZERO_SIZE.test(levels[i].size)) return true;
  return false;
}
