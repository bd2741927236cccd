/**
 * EdgeX records → unified orders, fills and positions, and the client's memory of its orders.
 *
 * Venue behaviour absorbed here (edgex.md §4.4, §5.3; edgex_v1_background.md §7.3):
 * - stream records are trimmed (only changed fields): a record is merged into what is known;
 * - statuses are PENDING/OPEN/FILLED/CANCELING/CANCELED/UNTRIGGERED; anything else keeps the
 *   order's last known state (or `pending`), never a terminal one;
 * - `FILLED` is pushed twice: order events are emitted only when status or filled size change,
 *   fills are deduplicated by fill id;
 * - a crossing `POST_ONLY` order is accepted, then `CANCELED` unfilled.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type {
  CancelReason,
  Clock,
  ExchangeEvent,
  Fill,
  Order,
  OrderStatus,
  Position,
  TimeInForce,
} from "../../base.ts";
import { Decimal } from "../../core/decimal.ts";
import type { EdgeXMarket } from "./markets.ts";
import type { EdgeXFill, EdgeXOrder } from "./schemas.ts";

const log = getLogger(["perp", "edgex"]);
const VENUE = "edgex";

const STATUS_RANK: Record<OrderStatus, number> = {
  pending: 0,
  open: 1,
  partially_filled: 2,
  filled: 3,
  canceled: 3,
  rejected: 3,
  expired: 3,
};

const TIF: Record<string, TimeInForce> = {
  GOOD_TIL_CANCEL: "gtc",
  POST_ONLY: "gtc",
  IMMEDIATE_OR_CANCEL: "ioc",
  FILL_OR_KILL: "fok",
};

/** EdgeX `cancelReason` → unified reason (`COULD_NOT_FILL` depends on the time in force). */
const CANCEL_REASONS: Record<string, CancelReason> = {
  USER_CANCELED: "user",
  EXPIRE_CANCELED: "expired",
  REDUCE_ONLY_CANCELED: "reduce_only",
  LIQUIDATE_CANCELED: "liquidation",
  MARGIN_NOT_ENOUGH: "insufficient_margin",
};

/** Whether a status is final. */
export function isTerminal(s: OrderStatus): boolean {
  return STATUS_RANK[s] === 3;
}

/** Entry price from open size and open value (`0` when flat or unknown). */
export function entryOf(size: Decimal, value: Decimal | undefined): Decimal {
  if (!value || size.isZero()) return new Decimal(0);
  return value.div(size).abs();
}

/**
 * A position record of the venue as a unified position; `fundingFee` (the position's funding,
 * from the account's view: negative = paid) is its `cumulativeFunding` when reported.
 */
export function positionOf(
  symbol: string,
  p: { openSize: Decimal; openValue?: Decimal | undefined; fundingFee?: Decimal | undefined },
): Position {
  return {
    venue: VENUE,
    symbol,
    size: p.openSize,
    entryPrice: entryOf(p.openSize, p.openValue),
    ...(p.fundingFee !== undefined ? { cumulativeFunding: p.fundingFee } : {}),
  };
}

/**
 * The unified status of a venue status. Unknown statuses (the venue documents none beyond these)
 * keep the last known state, or `pending`: an unknown word must never end an order.
 */
function statusOf(raw: string, filled: Decimal, prev: OrderStatus | undefined): OrderStatus {
  switch (raw) {
    case "PENDING":
    case "UNTRIGGERED":
      return "pending";
    case "OPEN":
      return filled.isZero() ? "open" : "partially_filled";
    case "FILLED":
      return "filled";
    case "CANCELED":
      return "canceled";
    case "CANCELING":
      return prev ?? (filled.isZero() ? "open" : "partially_filled");
    default:
      return prev ?? "pending";
  }
}

interface Known {
  order: Order;
  /** The venue record's fields we may need later (trimmed stream records omit them). */
  contractId: string | undefined;
  raw: EdgeXOrder;
  emittedKey: string | undefined;
  cancelRequested: boolean;
}

/** Terminal orders the tracker keeps (newest first out last). */
export const TERMINAL_ORDERS_KEPT = 1_000;
/** Fill ids remembered for duplicate detection. */
export const FILL_IDS_KEPT = 50_000;

/**
 * What the client knows of its orders: merged venue records by order id, client order ids,
 * fills seen, and waiters for the next update.
 *
 * Retention: every order not yet final; final orders only until {@linkcode TERMINAL_ORDERS_KEPT}
 * newer ones have ended (long enough for EdgeX's second FILLED push and a late REST answer,
 * which then cannot reopen them; later reads go to REST). Fill ids: the newest
 * {@linkcode FILL_IDS_KEPT}.
 */
export class OrderTracker {
  readonly #marketById: (contractId: string | undefined) => EdgeXMarket | undefined;
  readonly #emit: (event: ExchangeEvent) => void;
  #orders = new Map<string, Known>();
  #byClientId = new Map<string, string>();
  /** Ids of final orders, in the order they ended. */
  #terminal = new Set<string>();
  #fillIds = new Set<string>();
  #waiters = new Set<() => void>();

  constructor(
    marketById: (contractId: string | undefined) => EdgeXMarket | undefined,
    emit: (event: ExchangeEvent) => void,
  ) {
    this.#marketById = marketById;
    this.#emit = emit;
  }

  /** The order with this venue id, if seen. */
  get(orderId: string): Order | undefined {
    return this.#orders.get(orderId)?.order;
  }

  /** The order with this client order id, if seen. */
  byClientOrderId(clientOrderId: string): Order | undefined {
    const id = this.#byClientId.get(clientOrderId);
    return id === undefined ? undefined : this.#orders.get(id)?.order;
  }

  /** The venue id of a client order id, if seen. */
  idOf(clientOrderId: string): string | undefined {
    return this.#byClientId.get(clientOrderId);
  }

  /** Every order not yet final. */
  active(): Order[] {
    return [...this.#orders.values()].map((k) => k.order).filter((o) => !isTerminal(o.status));
  }

  /** Records that a cancel was asked for (a later CANCELED without reason is the user's). */
  cancelRequested(orderId: string | undefined, symbol?: string): void {
    if (orderId !== undefined) {
      const k = this.#orders.get(orderId);
      if (k) k.cancelRequested = true;
      return;
    }
    for (const k of this.#orders.values()) {
      if (!isTerminal(k.order.status) && (symbol === undefined || k.order.symbol === symbol)) {
        k.cancelRequested = true;
      }
    }
  }

  /** Wakes everyone waiting for an order update. */
  wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  /** Resolves at the next order update, or after `maxMs` of `clock` time. */
  nextUpdate(clock: Clock, maxMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const stop = new AbortController();
      const wake = () => {
        this.#waiters.delete(wake);
        stop.abort();
        resolve();
      };
      this.#waiters.add(wake);
      clock.sleep(maxMs, stop.signal).then(wake, () => {});
    });
  }

  /**
   * Merges a venue record into what we know; returns the updated order, or `undefined` when the
   * record lacks what a first sight needs. A record older than what we have returns what we
   * have. REST merges emit too (deduplicated), so consumers see an outcome even if the stream
   * lags.
   */
  merge(raw: EdgeXOrder, emit = true): Order | undefined {
    const prev = this.#orders.get(raw.id);
    const contractId = raw.contractId ?? prev?.contractId;
    const m = this.#marketById(contractId);
    const side = raw.side ? (raw.side === "BUY" ? "buy" : "sell") : prev?.order.side;
    const size = raw.size ?? prev?.order.size;
    const clientOrderId = raw.clientOrderId ?? prev?.order.clientOrderId;
    if (!m || !side || !size || clientOrderId === undefined) {
      if (!prev) log.debug("Order {id} seen before its details", { id: raw.id });
      return undefined;
    }
    const tifText = raw.timeInForce ?? prev?.raw.timeInForce ?? "GOOD_TIL_CANCEL";
    const typeText = raw.type ?? prev?.raw.type ?? "LIMIT";
    const filled = raw.cumMatchSize ?? raw.cumFillSize ?? prev?.order.filledSize ?? new Decimal(0);
    const value = raw.cumMatchValue ?? raw.cumFillValue;
    const status = statusOf(raw.status, filled, prev?.order.status);
    if (prev && isTerminal(prev.order.status)) return prev.order;
    if (
      prev && (STATUS_RANK[status] < STATUS_RANK[prev.order.status] ||
        filled.lt(prev.order.filledSize))
    ) {
      return prev.order;
    }
    let cancelReason: CancelReason | undefined;
    if (status === "canceled") {
      const reason = raw.cancelReason ?? prev?.raw.cancelReason;
      cancelReason = reason ? CANCEL_REASONS[reason] : undefined;
      if (reason === "COULD_NOT_FILL") {
        cancelReason = tifText === "POST_ONLY"
          ? "post_only_would_cross"
          : tifText === "FILL_OR_KILL"
          ? "fok_unfilled"
          : "ioc_unfilled";
      }
      // EdgeX accepts a crossing POST_ONLY order and then cancels it (edgex_v1 §7.3).
      if (
        tifText === "POST_ONLY" && filled.isZero() && cancelReason !== "user" &&
        !(prev?.cancelRequested && cancelReason === undefined)
      ) {
        cancelReason = "post_only_would_cross";
      }
      cancelReason ??= prev?.cancelRequested ? "user" : "other";
    }
    const price = raw.price ?? prev?.order.price;
    const order: Order = {
      venue: VENUE,
      symbol: m.market.symbol,
      id: raw.id,
      clientOrderId,
      side,
      type: typeText === "MARKET" ? "market" : "limit",
      price: price && !price.isZero() ? price : undefined,
      size,
      filledSize: filled,
      remainingSize: isTerminal(status) ? new Decimal(0) : Decimal.max(size.minus(filled), 0),
      averageFillPrice: value && !filled.isZero()
        ? value.div(filled)
        : prev?.order.averageFillPrice,
      status,
      timeInForce: TIF[tifText] ?? "gtc",
      postOnly: tifText === "POST_ONLY",
      reduceOnly: raw.reduceOnly ?? prev?.order.reduceOnly ?? false,
      ...(cancelReason ? { cancelReason } : {}),
      createdAt: raw.createdTime ?? prev?.order.createdAt ?? raw.updatedTime ?? 0,
      updatedAt: raw.updatedTime ?? prev?.order.updatedAt ?? 0,
    };
    this.#orders.set(raw.id, {
      order,
      contractId,
      raw: { ...prev?.raw, ...raw },
      emittedKey: prev?.emittedKey,
      cancelRequested: prev?.cancelRequested ?? false,
    });
    this.#byClientId.set(clientOrderId, raw.id);
    if (emit) this.emitOrder(order);
    if (isTerminal(status)) this.#retire(raw.id);
    this.wake();
    return order;
  }

  /** Files a final order; forgets the oldest final one past the bound. */
  #retire(orderId: string): void {
    this.#terminal.add(orderId);
    if (this.#terminal.size <= TERMINAL_ORDERS_KEPT) return;
    const oldest = this.#terminal.values().next().value!;
    this.#terminal.delete(oldest);
    const k = this.#orders.get(oldest);
    this.#orders.delete(oldest);
    if (k && this.#byClientId.get(k.order.clientOrderId) === oldest) {
      this.#byClientId.delete(k.order.clientOrderId);
    }
  }

  /** Number of orders held (active and retained final ones). */
  get size(): number {
    return this.#orders.size;
  }

  /** Emits an order event unless this state was already emitted. */
  emitOrder(order: Order): void {
    const k = this.#orders.get(order.id!);
    if (!k) return;
    const key = `${order.status}|${order.filledSize.toString()}`;
    // EdgeX pushes FILLED twice (the second copy carries collateral): emit a state once.
    if (k.emittedKey === key) return;
    k.emittedKey = key;
    this.#emit({ type: "order", order });
  }

  /** Emits a fill once per fill id. */
  onFill(f: EdgeXFill): void {
    if (this.#fillIds.has(f.id)) return;
    this.#fillIds.add(f.id);
    if (this.#fillIds.size > FILL_IDS_KEPT) {
      const first = this.#fillIds.values().next().value;
      if (first !== undefined) this.#fillIds.delete(first);
    }
    const known = this.#orders.get(f.orderId);
    const m = this.#marketById(f.contractId ?? known?.contractId);
    const side = f.orderSide ? (f.orderSide === "BUY" ? "buy" : "sell") : known?.order.side;
    if (!m || !side) {
      log.warn("Fill {id} of unknown order {orderId}", { id: f.id, orderId: f.orderId });
      return;
    }
    const fill: Fill = {
      venue: VENUE,
      symbol: m.market.symbol,
      tradeId: f.id,
      orderId: f.orderId,
      clientOrderId: known?.order.clientOrderId,
      side,
      price: f.fillPrice,
      size: f.fillSize,
      fee: f.fillFee,
      liquidity: f.direction === "MAKER" ? "maker" : "taker",
      timestamp: f.matchTime,
    };
    this.#emit({ type: "fill", fill });
  }
}
