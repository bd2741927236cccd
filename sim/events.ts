/**
 * Events of the simulator and the log that numbers them. Every event belongs to one stream
 * (`book:BTC`, `orders:alice`, …) and carries that stream's own gap-free sequence number
 * (`streamSeq`, from 1) plus a global `seq`. Payloads are plain JSON with decimal strings, so
 * front-ends map them to a venue's wire format and a log serializes byte-for-byte.
 *
 * Streams: `book:<symbol>`, `trades:<symbol>`, `prices:<symbol>`, `funding:<symbol>`,
 * `orders:<account>`, `fills:<account>`, `positions:<account>`, `balances:<account>`,
 * `payments:<account>` (funding payments), `liquidations`.
 *
 * @module
 */
import type { CancelReason, OrderStatus, OrderType, Side, TimeInForce } from "../base.ts";
import { Ring } from "./_ring.ts";

/**
 * An order as the engine holds it, with decimal strings.
 *
 * @example
 * ```ts
 * import type { OrderView } from "./events.ts";
 * const resting = (o: OrderView) => o.status === "open" || o.status === "partially_filled";
 * ```
 */
export interface OrderView {
  /** Engine order id. */
  id: string;
  /** Client order id. */
  clientOrderId: string;
  /** Owner account. */
  accountId: string;
  /** Symbol. */
  symbol: string;
  /** Side. */
  side: Side;
  /** Type. */
  type: OrderType;
  /** Limit price, or the worst price of a market order, when any. */
  price: string | undefined;
  /** Size after any reduce-only resize. */
  size: string;
  /** Size the request asked for. */
  requestedSize: string;
  /** Filled size. */
  filledSize: string;
  /** Size still open (0 once done). */
  remainingSize: string;
  /** Average fill price (truncated to 10 decimals past the tick) when anything filled. */
  averageFillPrice: string | undefined;
  /** Status. */
  status: OrderStatus;
  /** Time in force. */
  timeInForce: TimeInForce;
  /** Post-only flag. */
  postOnly: boolean;
  /** Reduce-only flag. */
  reduceOnly: boolean;
  /** Why it was canceled, expired or rejected. */
  cancelReason: CancelReason | undefined;
  /** Expiry for GTT orders (ms). */
  expiresAt: number | undefined;
  /** Creation time (ms). */
  createdAt: number;
  /** Last change (ms). */
  updatedAt: number;
}

/**
 * One side of one trade, as the account that traded sees it.
 *
 * @example
 * ```ts
 * import type { FillView } from "./events.ts";
 * const isRebate = (f: FillView) => f.fee.startsWith("-");
 * ```
 */
export interface FillView {
  /** Trade id (shared by both sides). */
  tradeId: string;
  /** Account. */
  accountId: string;
  /** Order id. */
  orderId: string;
  /** Client order id. */
  clientOrderId: string;
  /** Symbol. */
  symbol: string;
  /** Side of this account. */
  side: Side;
  /** Trade price. */
  price: string;
  /** Trade size. */
  size: string;
  /** Fee charged (negative = rebate). */
  fee: string;
  /** Realized PnL of this fill, before fees. */
  realizedPnl: string;
  /** Maker or taker. */
  liquidity: "maker" | "taker";
  /** Whether this was a liquidation transfer. */
  liquidation: boolean;
  /** Time (ms). */
  time: number;
}

/**
 * A funding settlement of one instrument at one interval boundary.
 *
 * @example
 * ```ts
 * import type { FundingSettlement } from "./events.ts";
 * const balanced = (s: FundingSettlement) => s.paid === s.received;
 * ```
 */
export interface FundingSettlement {
  /** Symbol. */
  symbol: string;
  /** Boundary time (ms). */
  time: number;
  /** Rate per interval; positive ⇒ longs pay shorts. */
  rate: string;
  /** Mark price used. */
  markPrice: string;
  /** Index price at the time. */
  indexPrice: string;
  /** Total paid by payers (≥ 0). */
  paid: string;
  /** Total received by receivers (≥ 0); equals `paid`. */
  received: string;
  /** Number of accounts with a position. */
  accounts: number;
}

/**
 * One account's funding payment at one settlement.
 *
 * @example
 * ```ts
 * import type { SimFundingPayment } from "./events.ts";
 * const paid = (p: SimFundingPayment) => p.amount.startsWith("-");
 * ```
 */
export interface SimFundingPayment {
  /** Account. */
  accountId: string;
  /** Symbol. */
  symbol: string;
  /** Boundary time (ms). */
  time: number;
  /** Rate per interval. */
  rate: string;
  /** Signed position size at settlement. */
  positionSize: string;
  /** Mark price used. */
  markPrice: string;
  /** Amount credited (negative = paid). */
  amount: string;
}

/** Common fields of every event. */
export interface EventHeader {
  /** Global sequence number, from 1. */
  seq: number;
  /** Stream name. */
  stream: string;
  /** Sequence number within the stream, from 1, without gaps. */
  streamSeq: number;
  /** Engine time (ms). */
  time: number;
}

/**
 * Any engine event. Discriminate on `type`.
 *
 * @example
 * ```ts
 * import type { SimEvent } from "./events.ts";
 * function describe(e: SimEvent): string {
 *   switch (e.type) {
 *     case "trade": return `${e.size} @ ${e.price}`;
 *     case "order": return `${e.order.clientOrderId} ${e.order.status}`;
 *     default: return e.type;
 *   }
 * }
 * ```
 */
export type SimEvent = EventHeader & SimEventBody;

/**
 * The payload of an event, without the header.
 *
 * @example
 * ```ts
 * import type { SimEventBody } from "./events.ts";
 * const body: SimEventBody = { type: "price", symbol: "BTC", markPrice: "100", indexPrice: "100" };
 * ```
 */
export type SimEventBody =
  | { type: "book"; symbol: string; side: Side; price: string; size: string }
  | {
    type: "trade";
    symbol: string;
    tradeId: string;
    price: string;
    size: string;
    takerSide: Side;
    makerOrderId: string;
    takerOrderId: string;
    liquidation: boolean;
  }
  | { type: "order"; order: OrderView }
  | { type: "fill"; fill: FillView }
  | {
    type: "position";
    accountId: string;
    symbol: string;
    size: string;
    entryPrice: string | undefined;
    realizedPnl: string;
  }
  | {
    type: "balance";
    accountId: string;
    collateral: string;
    change: string;
    reason: "deposit" | "withdrawal" | "trade" | "funding" | "liquidation";
  }
  | { type: "funding"; settlement: FundingSettlement }
  | { type: "funding_payment"; payment: SimFundingPayment }
  | { type: "price"; symbol: string; markPrice: string; indexPrice: string }
  | { type: "liquidation"; accountId: string; deficit: string };

/**
 * A listener of events.
 *
 * @example
 * ```ts
 * import type { EventListener } from "./events.ts";
 * const log: EventListener = (e) => console.log(e.stream, e.streamSeq);
 * ```
 */
export type EventListener = (event: SimEvent) => void;

/** Events an {@linkcode EventLog} keeps when no capacity is given. */
export const DEFAULT_EVENT_LOG_CAPACITY = 10_000;

/**
 * Numbers events per stream, keeps the newest events in a ring buffer and fans out to
 * listeners.
 *
 * Retention: the newest `capacity` events (default {@linkcode DEFAULT_EVENT_LOG_CAPACITY});
 * older ones are dropped. Sequence numbers keep counting, so `lastSeq` and the numbering never
 * depend on what is retained. Per-stream counters are one number per stream name.
 *
 * @example
 * ```ts
 * import { EventLog } from "./events.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const log = new EventLog({ capacity: 2 });
 * for (const p of ["1", "2", "3"]) {
 *   log.emit("prices:BTC", 5, { type: "price", symbol: "BTC", markPrice: p, indexPrice: p });
 * }
 * deepStrictEqual(log.events.map((e) => e.streamSeq), [2, 3]);
 * deepStrictEqual(log.lastSeq("prices:BTC"), 3);
 * ```
 */
export class EventLog {
  readonly #events: Ring<SimEvent>;
  #view: readonly SimEvent[] | undefined;
  readonly #streams = new Map<string, number>();
  readonly #listeners: EventListener[] = [];
  #seq = 0;

  /**
   * Creates an empty log.
   *
   * @param options `keep`: whether to keep events at all (@default {true}); `capacity`: how
   * many of the newest events to keep (@default {DEFAULT_EVENT_LOG_CAPACITY}; `Infinity` keeps
   * every event).
   */
  constructor(options: { keep?: boolean; capacity?: number } = {}) {
    const keep = options.keep ?? true;
    this.#events = new Ring(keep ? options.capacity ?? DEFAULT_EVENT_LOG_CAPACITY : 0);
  }

  /** Most events kept. */
  get capacity(): number {
    return this.#events.capacity;
  }

  /** The retained events, oldest first (empty when not keeping the log). */
  get events(): readonly SimEvent[] {
    return this.#view ??= this.#events.toArray();
  }

  /**
   * Numbers and publishes an event.
   *
   * @param stream The stream.
   * @param time Engine time (ms).
   * @param body The payload.
   * @returns The published event.
   */
  emit(stream: string, time: number, body: SimEventBody): SimEvent {
    const streamSeq = (this.#streams.get(stream) ?? 0) + 1;
    this.#streams.set(stream, streamSeq);
    const event = { seq: ++this.#seq, stream, streamSeq, time, ...body } as SimEvent;
    if (this.#events.capacity > 0) {
      this.#events.push(event);
      this.#view = undefined;
    }
    const ls = this.#listeners;
    for (let i = 0; i < ls.length; i++) ls[i](event);
    return event;
  }

  /**
   * Last sequence number of a stream (0 before its first event).
   *
   * @param stream The stream.
   * @returns The number.
   */
  lastSeq(stream: string): number {
    return this.#streams.get(stream) ?? 0;
  }

  /**
   * Adds a listener.
   *
   * @param listener Called synchronously for every event.
   * @returns A function that removes the listener.
   */
  subscribe(listener: EventListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /**
   * The retained log as JSON lines (one event per line), for byte-for-byte comparison of runs.
   *
   * @returns The serialized log.
   */
  serialize(): string {
    let out = "";
    for (const e of this.#events) out += JSON.stringify(e) + "\n";
    return out;
  }
}
