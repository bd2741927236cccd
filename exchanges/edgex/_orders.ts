/**
 * EdgeX order actions: placement through the shared workflow (`placeOrderWith`), cancels and
 * order reads.
 *
 * Placement (edgex.md §3–§4.4): `createOrder` only answers `{orderId}`; the outcome is read from
 * the private stream (or REST `getOrderById`). A crossing `POST_ONLY` order is accepted and then
 * canceled: that outcome is thrown as {@linkcode PostOnlyWouldCrossError}. An answer that names
 * an order with another client order id, or an order that cannot be seen in time, is doubtful:
 * the shared workflow looks the order up by client order id until its deadline, then throws
 * `OrderOutcomeUnknownError`. Nothing is ever sent twice (see `canResend` below).
 *
 * @module
 */
import { z } from "zod";
import type { BookSnapshot, Clock, Order, OrderRef, OrderRequest, Side } from "../../base.ts";
import { Decimal } from "../../core/decimal.ts";
import {
  DuplicateClientOrderIdError,
  InvalidOrderError,
  NotFoundError,
  OrderOutcomeUnknownError,
  PostOnlyWouldCrossError,
} from "../../core/errors.ts";
import type { HttpTransport } from "../_shared/http.ts";
import { type CheckedOrder, type PlacementHooks, placeOrderWith } from "../_shared/placement.ts";
import { quantize } from "../_shared/quantize.ts";
import { isTerminal, type OrderTracker } from "./_mapping.ts";
import { EDGEX_EXPIRY, EDGEX_PATHS } from "./common.ts";
import type { EdgeXMarket } from "./markets.ts";
import {
  cancelResultSchema,
  createOrderResultSchema,
  edgeXEnvelope,
  orderSchema,
  pageOf,
} from "./schemas.ts";
import type { EdgeXOrderSigner } from "./signing.ts";

const VENUE = "edgex";

/**
 * Client order ids: any non-empty printable ASCII without commas or spaces. EdgeX takes "any
 * string" (edgex.md §3.4), but ids travel comma-joined in `clientOrderIdList` (§4), so a comma
 * would make the id impossible to look up.
 */
const CLIENT_ORDER_ID = /^[\x21-\x2b\x2d-\x7e]+$/;

/** What order actions need from the client. */
export interface EdgeXOrdersOptions {
  /** The signed REST transport. */
  http: HttpTransport;
  /** The account id sent with every call. */
  accountId: string;
  /** Local clock (waits, expiry checks). */
  clock: Clock;
  /** The venue's clock (default expiries). */
  venueNow: () => number;
  /** What the client knows of its orders. */
  tracker: OrderTracker;
  /** The market of a symbol (loads markets; `NotFoundError` when unknown). */
  market: (symbol: string) => Promise<EdgeXMarket>;
  /** The order signer (markets are loaded first). */
  signer: () => EdgeXOrderSigner;
  /** The book of a market (live when fresh, else REST). */
  book: (m: EdgeXMarket) => Promise<BookSnapshot>;
  /** Worst-price distance of market orders without one, fraction of the best price. */
  slippage: Decimal;
  /** Client order id generator. */
  newClientOrderId: () => string;
  /** How long `parse` waits for the order to leave `PENDING`, ms. */
  placementTimeoutMs: number;
  /** Longest time spent resolving a doubtful create, ms. */
  outcomeDeadlineMs: number;
}

/** A create, built and ready to sign. */
interface Built {
  m: EdgeXMarket;
  order: CheckedOrder;
  l2Price: Decimal;
  expireTime: number;
}

type CreateBody = Record<string, unknown>;

/** Order actions of one account. */
export class EdgeXOrders {
  readonly #o: EdgeXOrdersOptions;
  readonly #hooks: PlacementHooks<Built, CreateBody, { orderId: string }>;

  constructor(options: EdgeXOrdersOptions) {
    this.#o = options;
    const o = options;
    const markets = new Map<string, EdgeXMarket>();
    this.#hooks = {
      venue: VENUE,
      endpoint: EDGEX_PATHS.createOrder,
      clock: o.clock,
      market: async (symbol) => {
        const m = await o.market(symbol);
        markets.set(symbol, m);
        return m.market;
      },
      newClientOrderId: o.newClientOrderId,
      clientOrderIdRule: {
        test: (id) => CLIENT_ORDER_ID.test(id),
        describe: "a non-empty string of printable ASCII without spaces or commas",
      },
      // EdgeX signs `expireTime` with no documented upper bound; the official SDKs sign at most
      // now + 22 d (edgex.md §3.4), so a longer gtt is refused rather than tried.
      expiryWindow: { minMs: 1, maxMs: EDGEX_EXPIRY.defaultMs },
      defaultWorstPrice: (market, side) =>
        this.#defaultWorstPrice(markets.get(market.symbol)!, side),
      build: (order) => this.#build(markets.get(order.market.symbol)!, order),
      sign: (built) => this.#sign(built),
      send: async (body) => {
        const r = await o.http.request({
          method: "POST",
          path: EDGEX_PATHS.createOrder,
          body,
          idempotent: false,
          schema: edgeXEnvelope(createOrderResultSchema),
        });
        return { orderId: r.data.orderId };
      },
      parse: (answer, order) => this.#outcome(answer.orderId, order),
      lookup: (order) => this.#lookup(order.clientOrderId),
      // canResend is deliberately absent: a doubtful create is never sent again. EdgeX derives
      // the signed nonce from the client order id (`sha256(clientOrderId)[0:8]`, edgex.md §3.4),
      // so a resend carries the very same nonce and nothing at the venue invalidates the first
      // copy; its signed `expireTime` is weeks away (now + 22 d by default) and the venue
      // documents no rule refusing a late copy; and V2 documents no lookup of finished orders by
      // client order id (the V1 history lookup was removed), so absence cannot be proven.
      outcomeDeadlineMs: o.outcomeDeadlineMs,
    };
  }

  /**
   * Places an order once, then waits until the venue says what became of it.
   *
   * @throws {PostOnlyWouldCrossError} A post-only order the venue canceled for crossing.
   */
  async place(request: OrderRequest): Promise<Order> {
    const order = await placeOrderWith(this.#hooks, request);
    if (order.status === "canceled" && order.cancelReason === "post_only_would_cross") {
      throw new PostOnlyWouldCrossError({
        venue: VENUE,
        endpoint: EDGEX_PATHS.createOrder,
        details: { orderId: order.id, clientOrderId: order.clientOrderId },
        message:
          `Order rejected on edgex: post-only order ${order.clientOrderId} would cross the book (accepted as ${order.id}, then canceled)`,
      });
    }
    return order;
  }

  async #defaultWorstPrice(m: EdgeXMarket, side: Side): Promise<Decimal> {
    const tick = m.market.tickSize;
    const snap = await this.#o.book(m);
    const best = side === "buy" ? snap.asks[0]?.price : snap.bids[0]?.price;
    if (best === undefined) {
      throw new InvalidOrderError("invalid_price", {
        venue: VENUE,
        endpoint: EDGEX_PATHS.createOrder,
        message: `Cannot place order on edgex as the ${m.market.symbol} book has no ${
          side === "buy" ? "asks" : "bids"
        } to bound a market ${side}: pass 'worstPrice'`,
      });
    }
    const slip = this.#o.slippage;
    const factor = side === "buy" ? slip.plus(1) : new Decimal(1).minus(slip);
    const p = quantize(best.times(factor), tick, side === "buy" ? "down" : "up");
    return p.gt(0) ? p : tick;
  }

  #build(m: EdgeXMarket, order: CheckedOrder): Built {
    // The venue treats a resent client order id as the same order (edgex_v1_background §6.1:
    // "idempotency"): an id of an order still active here can only name that order.
    const known = this.#o.tracker.byClientOrderId(order.clientOrderId);
    if (known && !isTerminal(known.status)) {
      throw new DuplicateClientOrderIdError(order.clientOrderId, {
        venue: VENUE,
        endpoint: EDGEX_PATHS.createOrder,
      });
    }
    return {
      m,
      order,
      l2Price: order.price ?? order.worstPrice!,
      expireTime: order.expiresAt ?? Math.floor(this.#o.venueNow()) + EDGEX_EXPIRY.defaultMs,
    };
  }

  async #sign({ m, order, l2Price, expireTime }: Built): Promise<CreateBody> {
    const accountId = this.#o.accountId;
    const signed = await this.#o.signer().signOrder(
      {
        accountId,
        side: order.side,
        size: order.size,
        price: l2Price,
        clientOrderId: order.clientOrderId,
        expireTime,
      },
      {
        contractId: m.contract.contractId,
        quoteCoinId: m.contract.quoteCoinId,
        contractResolution: m.contractResolution,
        quoteResolution: m.quoteResolution,
        takerFeeRate: m.contract.defaultTakerFeeRate?.toString(),
        makerFeeRate: m.contract.defaultMakerFeeRate?.toString(),
      },
    );
    const tif = order.postOnly
      ? "POST_ONLY"
      : order.timeInForce === "ioc"
      ? "IMMEDIATE_OR_CANCEL"
      : order.timeInForce === "fok"
      ? "FILL_OR_KILL"
      : "GOOD_TIL_CANCEL";
    return {
      accountId,
      contractId: m.contract.contractId,
      side: order.side === "buy" ? "BUY" : "SELL",
      size: signed.l2Size,
      // A market order's body price is "0"; it signs its worst price (edgex.md §3.4).
      price: order.type === "limit" ? order.price!.toFixed() : "0",
      clientOrderId: order.clientOrderId,
      type: order.type === "limit" ? "LIMIT" : "MARKET",
      timeInForce: tif,
      reduceOnly: order.reduceOnly,
      expireTime: signed.expireTime,
      l2Nonce: signed.l2Nonce,
      l2Value: signed.l2Value,
      l2Size: signed.l2Size,
      l2LimitFee: signed.l2LimitFee,
      l2ExpireTime: signed.l2ExpireTime,
      l2Signature: signed.l2Signature,
    };
  }

  /**
   * The order `createOrder` named, once it leaves `PENDING` (or still pending at the placement
   * timeout). An order of another client order id is returned as it is (the workflow treats it
   * as doubtful); not seeing the order at all is doubtful too.
   */
  async #outcome(orderId: string, checked: CheckedOrder): Promise<Order> {
    const { clock, tracker } = this.#o;
    const deadline = clock.now() + this.#o.placementTimeoutMs;
    let order: Order | undefined;
    for (let round = 0;; round++) {
      order = tracker.get(orderId);
      if (order && order.status !== "pending") break;
      if (round > 0 || !order) {
        const [fetched] = await this.fetchOrders("orderIdList", [orderId]);
        if (fetched && fetched.status !== "pending") {
          order = fetched;
          break;
        }
      }
      const left = deadline - clock.now();
      if (left <= 0) {
        order = tracker.get(orderId);
        if (order) break;
        throw new OrderOutcomeUnknownError(checked.clientOrderId, {
          venue: VENUE,
          endpoint: EDGEX_PATHS.getOrderById,
          details: `createOrder answered ${orderId}, which cannot be seen yet`,
        });
      }
      await tracker.nextUpdate(clock, Math.min(left, 250));
    }
    if (order.clientOrderId !== checked.clientOrderId) return order;
    if (
      order.side !== checked.side || order.type !== checked.type ||
      (checked.price !== undefined && !order.price?.eq(checked.price)) ||
      // A reduce-only order may come back resized to the position.
      (!order.size.eq(checked.size) && !checked.reduceOnly)
    ) {
      // Same client order id, other terms: the venue kept an earlier order under this id.
      throw new DuplicateClientOrderIdError(checked.clientOrderId, {
        venue: VENUE,
        endpoint: EDGEX_PATHS.createOrder,
        details: { orderId: order.id },
      });
    }
    return order;
  }

  /** The order by client order id: from the stream if seen there, else REST. Throws on failure. */
  async #lookup(clientOrderId: string): Promise<Order | undefined> {
    const seen = this.#o.tracker.byClientOrderId(clientOrderId);
    if (seen && seen.status !== "pending") return seen;
    const found = await this.fetchOrders("clientOrderIdList", [clientOrderId]);
    return found.find((o) => o.clientOrderId === clientOrderId) ?? seen;
  }

  /** Orders by venue ids or client order ids, merged into what is known. */
  async fetchOrders(
    key: "orderIdList" | "clientOrderIdList",
    values: string[],
  ): Promise<Order[]> {
    const path = key === "orderIdList"
      ? EDGEX_PATHS.getOrderById
      : EDGEX_PATHS.getOrderByClientOrderId;
    const r = await this.#o.http.request({
      method: "GET",
      path,
      query: { accountId: this.#o.accountId, [key]: values.join(",") },
      schema: edgeXEnvelope(z.array(orderSchema)),
    });
    return r.data.map((o) => this.#o.tracker.merge(o)).filter((o): o is Order => o !== undefined);
  }

  /** Cancels one active order by venue id or client order id. */
  async cancel(m: EdgeXMarket, ref: OrderRef): Promise<void> {
    const byId = ref.id !== undefined;
    const path = byId ? EDGEX_PATHS.cancelOrderById : EDGEX_PATHS.cancelOrderByClientOrderId;
    const key = byId ? ref.id! : ref.clientOrderId!;
    const orderId = byId ? key : this.#o.tracker.idOf(key);
    if (orderId !== undefined) this.#o.tracker.cancelRequested(orderId);
    const r = await this.#o.http.request({
      method: "POST",
      path,
      body: byId
        ? { accountId: this.#o.accountId, orderIdList: [key] }
        : { accountId: this.#o.accountId, clientOrderIdList: [key] },
      idempotent: true,
      schema: edgeXEnvelope(cancelResultSchema),
    });
    const result = r.data.cancelResultMap[key];
    if (result === undefined || !result.startsWith("SUCCESS")) {
      throw new NotFoundError({
        venue: VENUE,
        endpoint: path,
        code: result,
        message: `Cannot cancel order ${key} on edgex ${m.market.symbol}: ${result ?? "no result"}`,
      });
    }
  }

  /** Cancels every active order, of one market if given. */
  async cancelAll(m: EdgeXMarket | undefined): Promise<void> {
    this.#o.tracker.cancelRequested(undefined, m?.market.symbol);
    await this.#o.http.request({
      method: "POST",
      path: EDGEX_PATHS.cancelAllOrder,
      body: {
        accountId: this.#o.accountId,
        filterContractIdList: m === undefined ? [] : [m.contract.contractId],
      },
      idempotent: true,
      schema: edgeXEnvelope(cancelResultSchema),
    });
  }

  /** Active orders (every page of `getActiveOrderPage`), of one contract if given. */
  async open(contractId: string | undefined): Promise<Order[]> {
    const out: Order[] = [];
    let offsetData = "";
    for (let page = 0; page < 1_000; page++) {
      const r = await this.#o.http.request({
        method: "GET",
        path: EDGEX_PATHS.getActiveOrderPage,
        query: {
          accountId: this.#o.accountId,
          size: 200,
          offsetData: offsetData === "" ? undefined : offsetData,
          filterContractIdList: contractId,
        },
        schema: edgeXEnvelope(pageOf(orderSchema)),
      });
      for (const raw of r.data.dataList) {
        const o = this.#o.tracker.merge(raw);
        if (o && !isTerminal(o.status)) out.push(o);
      }
      offsetData = r.data.nextPageOffsetData;
      if (offsetData === "" || r.data.dataList.length === 0) break;
    }
    return out;
  }
}
