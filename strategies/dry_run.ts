/**
 * `--dry-run`: a client that reads from the venue but never sends an order. Placements are
 * logged ("would place …") and answered with a resting order that never fills; cancels of those
 * orders are answered locally.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import {
  type Balance,
  type BestBidAsk,
  type BookSnapshot,
  Decimal,
  type ExchangeClient,
  type ExchangeEvent,
  type FundingPayment,
  type Market,
  NotFoundError,
  type Order,
  type OrderBookSubscription,
  type OrderRef,
  type OrderRequest,
  type Position,
  type VenueName,
} from "../base.ts";
import { EventHub } from "../exchanges/_shared/event_hub.ts";

/**
 * Wraps a client so that nothing is ever placed or canceled on the venue.
 *
 * @example
 * ```ts
 * import { ManualClock } from "../exchanges/_shared/clock.ts";
 * import { startSimVenue } from "../sim/network.ts";
 * import { DryRunClient } from "./dry_run.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const sim = await startSimVenue("lighter", { clock: new ManualClock(0) });
 * const client = new DryRunClient(sim.client());
 * await client.connect();
 * const order = await client.placeOrder({ symbol: "ETH", side: "buy", type: "limit", size: "1", price: "3000" });
 * equal(order.status, "open");
 * equal(sim.control.truth(sim.accountId).openOrders.length, 0); // nothing reached the venue
 * equal(client.placed.length, 1);
 * await client.disconnect();
 * await sim.close();
 * ```
 */
export class DryRunClient implements ExchangeClient {
  /** Venue name. */
  readonly venue: VenueName;
  /** Every order it would have placed, in order. */
  readonly placed: OrderRequest[] = [];
  readonly #inner: ExchangeClient;
  readonly #orders = new Map<string, Order>();
  readonly #hub = new EventHub<ExchangeEvent>();
  #seq = 0;
  #off: (() => void) | undefined;
  readonly #log = getLogger(["perp", "bot", "dry-run"]);

  /**
   * Wraps a client.
   *
   * @param inner The real client (used for reads only).
   */
  constructor(inner: ExchangeClient) {
    this.#inner = inner;
    this.venue = inner.venue;
  }

  /** Connects the inner client and relays its events. */
  async connect(options?: { signal?: AbortSignal }): Promise<void> {
    await this.#inner.connect(options);
    this.#off ??= this.#inner.onEvent((e) => this.#hub.emit(e));
  }

  /** Disconnects the inner client. */
  async disconnect(): Promise<void> {
    this.#off?.();
    this.#off = undefined;
    await this.#inner.disconnect();
  }

  /** Same as `disconnect()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }

  /** From the venue. */
  getMarkets(): Promise<Market[]> {
    return this.#inner.getMarkets();
  }

  /** From the venue. */
  getMarket(symbol: string): Promise<Market> {
    return this.#inner.getMarket(symbol);
  }

  /** From the venue (reading funding payments changes nothing). */
  getFundingPayments(
    options?: { symbol?: string; start?: number; end?: number; limit?: number },
  ): Promise<FundingPayment[]> {
    return this.#inner.getFundingPayments(options);
  }

  /** Logs the leverage it would set; the venue is not changed. */
  setLeverage(symbol: string, leverage: number): Promise<void> {
    this.#log.info(`[dry-run] would set leverage of ${symbol} to ${leverage}`);
    this.leverage.set(symbol, leverage);
    return Promise.resolve();
  }

  /** Leverage it would have set, by symbol. */
  readonly leverage: Map<string, number> = new Map();

  /** Logs the order and answers with a local resting order. */
  placeOrder(request: OrderRequest): Promise<Order> {
    this.placed.push(request);
    const clientOrderId = request.clientOrderId ?? this.newClientOrderId();
    const size = new Decimal(request.size);
    const price = request.price === undefined ? undefined : new Decimal(request.price);
    const flags = [request.postOnly ? "post-only" : "", request.reduceOnly ? "reduce-only" : ""]
      .filter((f) => f !== "").join(" ");
    this.#log.info(
      `[dry-run] would place ${request.side} ${size} ${request.symbol} ${request.type}` +
        `${price ? ` @ ${price}` : ""}${flags ? ` ${flags}` : ""} (client id ${clientOrderId})`,
    );
    const now = Date.now();
    const order: Order = {
      venue: this.venue,
      symbol: request.symbol,
      id: `dry-${++this.#seq}`,
      clientOrderId,
      side: request.side,
      type: request.type,
      price,
      size,
      filledSize: new Decimal(0),
      remainingSize: size,
      averageFillPrice: undefined,
      status: "open",
      timeInForce: request.timeInForce ?? (request.type === "market" ? "ioc" : "gtc"),
      postOnly: request.postOnly ?? false,
      reduceOnly: request.reduceOnly ?? false,
      createdAt: now,
      updatedAt: now,
    };
    this.#orders.set(clientOrderId, order);
    return Promise.resolve(order);
  }

  #local(ref: OrderRef): Order | undefined {
    if (ref.clientOrderId !== undefined) return this.#orders.get(ref.clientOrderId);
    for (const o of this.#orders.values()) if (o.id === ref.id) return o;
    return undefined;
  }

  /** Cancels a local order; a venue order is left alone (logged). */
  cancelOrder(symbol: string, ref: OrderRef): Promise<void> {
    const o = this.#local(ref);
    if (!o || o.status !== "open") {
      if (o) {
        return Promise.reject(new NotFoundError({ venue: this.venue, message: "not active" }));
      }
      this.#log.info(`[dry-run] would cancel ${symbol} order ${ref.id ?? ref.clientOrderId}`);
      return Promise.resolve();
    }
    const canceled: Order = { ...o, status: "canceled", remainingSize: new Decimal(0) };
    this.#orders.set(o.clientOrderId, canceled);
    this.#log.info(`[dry-run] would cancel ${o.side} ${o.size} ${symbol} @ ${o.price}`);
    queueMicrotask(() => this.#hub.emit({ type: "order", order: canceled }));
    return Promise.resolve();
  }

  /** Cancels local orders only. */
  async cancelAllOrders(symbol?: string): Promise<void> {
    for (const o of [...this.#orders.values()]) {
      if (o.status === "open" && (symbol === undefined || o.symbol === symbol)) {
        await this.cancelOrder(o.symbol, { clientOrderId: o.clientOrderId });
      }
    }
  }

  /** A local order, else the venue's. */
  getOrder(symbol: string, ref: OrderRef): Promise<Order | undefined> {
    const o = this.#local(ref);
    return o ? Promise.resolve(o) : this.#inner.getOrder(symbol, ref);
  }

  /** The venue's open orders plus the local resting ones. */
  async getOpenOrders(symbol?: string): Promise<Order[]> {
    const local = [...this.#orders.values()].filter((o) =>
      o.status === "open" && (symbol === undefined || o.symbol === symbol)
    );
    return [...await this.#inner.getOpenOrders(symbol), ...local];
  }

  /** From the venue. */
  getBalance(): Promise<Balance> {
    return this.#inner.getBalance();
  }

  /** From the venue. */
  getPositions(): Promise<Position[]> {
    return this.#inner.getPositions();
  }

  /** From the venue. */
  subscribeOrderBook(symbol: string): Promise<OrderBookSubscription> {
    return this.#inner.subscribeOrderBook(symbol);
  }

  /** From the venue. */
  getBestBidAsk(symbol: string): Promise<BestBidAsk> {
    return this.#inner.getBestBidAsk(symbol);
  }

  /** From the venue. */
  getOrderBook(symbol: string, depth?: number): Promise<BookSnapshot> {
    return this.#inner.getOrderBook(symbol, depth);
  }

  /** The venue's events plus local cancels. */
  events(options?: { signal?: AbortSignal }): AsyncIterableIterator<ExchangeEvent> {
    return this.#hub.events(options);
  }

  /** Registers a listener for the same events. */
  onEvent(listener: (event: ExchangeEvent) => void): () => void {
    return this.#hub.onEvent(listener);
  }

  /** From the venue's generator. */
  newClientOrderId(): string {
    return this.#inner.newClientOrderId();
  }
}
