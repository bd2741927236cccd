/**
 * The venue conformance suite: the same behaviours, checked the same way, for every venue.
 *
 * A venue passes by providing a {@linkcode VenueHarness} — a factory that starts its replica
 * (the protocol front-end on the simulator engine) and a client connected to it — and calling
 * {@linkcode conformanceSuite} from a `*_test.ts` file:
 *
 * ```ts ignore
 * import { conformanceSuite } from "../../tests/conformance.ts";
 * conformanceSuite(grvtHarness);
 * ```
 *
 * The harness must start the replica with NO background liquidity, a funded test account and
 * a mark price; the suite builds the book it needs with counter-orders from another account,
 * so every fill is one the test placed on purpose. Its client must resolve a doubtful order
 * within a few seconds (`outcomeDeadlineMs` of at most 3 000 ms), so the "outcome unknown" case
 * ends quickly.
 *
 * @module
 */
import { deepStrictEqual as deepEqual, ok, rejects } from "node:assert/strict";
import {
  ConfigurationError,
  Decimal,
  DuplicateClientOrderIdError,
  type ExchangeClient,
  type ExchangeEvent,
  type FundingAdapter,
  type Market,
  type Order,
  OrderOutcomeUnknownError,
  PostOnlyWouldCrossError,
  type Side,
} from "../base.ts";
import { quantize } from "../exchanges/_shared/quantize.ts";

/** An order resting at the replica, as the replica itself knows it. */
export interface TruthOrder {
  /** Venue order id. */
  id: string;
  /** Client order id. */
  clientOrderId: string;
  /** Side. */
  side: Side;
  /** Limit price. */
  price: Decimal;
  /** Original size. */
  size: Decimal;
  /** Filled size. */
  filledSize: Decimal;
}

/** Control of a running replica, for tests: drive the market, inject faults, read the truth. */
export interface ReplicaControl {
  /** Sets mark and index price of a market. */
  setPrice(symbol: string, price: Decimal): Promise<void>;
  /** Sets the funding rate (fraction per interval) the venue will quote and settle next. */
  setFundingRate(symbol: string, rate: Decimal): Promise<void>;
  /** Moves virtual time forward; funding settlements and expiries happen on the way. */
  advance(ms: number): Promise<void>;
  /**
   * Places a GTC limit order from another account (the counterparty). A crossing one fills
   * against the test account's resting orders.
   */
  placeCounterOrder(
    order: { symbol: string; side: Side; price: Decimal; size: Decimal },
  ): Promise<void>;
  /** Cancels every counterparty order. */
  cancelCounterOrders(symbol: string): Promise<void>;
  /** The test account's resting orders at the replica. */
  openOrders(symbol: string): Promise<TruthOrder[]>;
  /** The test account's signed position at the replica. */
  position(symbol: string): Promise<Decimal>;
  /** The test account's equity at the replica. */
  equity(): Promise<Decimal>;
  /** Closes every WebSocket connection the client holds (the client must reconnect). */
  dropConnections(): Promise<void>;
  /** Makes the next book update of a market skip a sequence number. */
  injectBookGap(symbol: string): Promise<void>;
  /** Accepts the next order placement but loses its response (connection reset). */
  loseNextOrderResponse(): Promise<void>;
  /**
   * Accepts the next order placement but answers it with a body that is not the venue's JSON
   * (a proxy's HTML error page with status 200).
   */
  garbleNextOrderResponse(): Promise<void>;
  /**
   * Makes the next `times` requests of the kind the client uses to look an order up by client
   * order id fail with HTTP 503 (`Infinity`: until the test ends).
   */
  failNextOrderLookups(times: number): Promise<void>;
  /** The funding the test account paid or received on a market, as the venue booked it. */
  fundingPayments(symbol: string): Promise<{ time: number; amount: Decimal }[]>;
  /** The leverage the test account has set on a market. */
  leverage(symbol: string): Promise<Decimal>;
}

/** A started venue: client, funding adapter and replica control. */
export interface VenueSession {
  /** A client connected to the replica with the funded test account. */
  client: ExchangeClient;
  /** A funding adapter pointed at the replica. */
  funding: FundingAdapter;
  /** Control of the replica. */
  replica: ReplicaControl;
  /** The market the suite trades (unified symbol). */
  symbol: string;
  /** Reference price to build the book around (a multiple of the tick). */
  price: Decimal;
  /** Stops client and replica. */
  close(): Promise<void>;
}

/** What a venue provides to run the suite. */
export interface VenueHarness {
  /** Venue name, used in test names. */
  venue: string;
  /** Starts a fresh replica and client. Each test gets its own. */
  start(): Promise<VenueSession>;
}

/** Options of {@linkcode conformanceSuite}. */
export interface ConformanceOptions {
  /** Upper bound for waiting on an event, in real milliseconds. @default {5000} */
  eventTimeoutMs?: number;
  /** Names of cases to skip, each with the reason printed in the test name. */
  skip?: Partial<Record<ConformanceCase, string>>;
}

/** Names of the conformance cases. */
export type ConformanceCase =
  | "place"
  | "fill"
  | "partial fill"
  | "cancel"
  | "cancel-all"
  | "positions"
  | "balance"
  | "funding units"
  | "reconnect"
  | "gap resync"
  | "duplicate client id"
  | "post-only reject"
  | "idempotent retry"
  | "failed lookups"
  | "unreadable answer"
  | "outcome unknown"
  | "funding payments"
  | "leverage";

interface Ctx {
  s: VenueSession;
  market: Market;
  tick: Decimal;
  size: Decimal;
  events: AsyncIterableIterator<ExchangeEvent>;
  seen: ExchangeEvent[];
  timeoutMs: number;
}

async function waitForEvent(
  ctx: Ctx,
  what: string,
  pred: (e: ExchangeEvent) => boolean,
): Promise<ExchangeEvent> {
  const hit = ctx.seen.find(pred);
  if (hit) return hit;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no ${what} event within ${ctx.timeoutMs} ms`)),
      ctx.timeoutMs,
    );
  });
  try {
    for (;;) {
      const r = await Promise.race([ctx.events.next(), timeout]);
      if (r.done) throw new Error(`event stream ended while waiting for ${what}`);
      ctx.seen.push(r.value);
      if (pred(r.value)) return r.value;
    }
  } finally {
    clearTimeout(timer);
  }
}

async function eventually<T>(
  ctx: Ctx,
  what: string,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + ctx.timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ctx.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const isOrder = (clientOrderId: string, ...status: Order["status"][]) => (e: ExchangeEvent) =>
  e.type === "order" && e.order.clientOrderId === clientOrderId &&
  status.includes(e.order.status);

/** A post-only buy resting `ticks` below the reference price. */
function restingBuy(ctx: Ctx, ticks: number, size = ctx.size, clientOrderId?: string) {
  return ctx.s.client.placeOrder({
    symbol: ctx.s.symbol,
    side: "buy",
    type: "limit",
    size,
    price: ctx.s.price.minus(ctx.tick.times(ticks)),
    postOnly: true,
    clientOrderId,
  });
}

async function withVenue(
  harness: VenueHarness,
  options: ConformanceOptions,
  body: (ctx: Ctx) => Promise<void>,
): Promise<void> {
  const s = await harness.start();
  try {
    await s.client.connect();
    const market = await s.client.getMarket(s.symbol);
    const size = Decimal.max(market.minSize, market.sizeStep);
    // Keep the test order above the minimum notional too.
    const minBySize = market.minNotional.isZero()
      ? size
      : quantize(market.minNotional.div(s.price).times(2), market.sizeStep, "up");
    const ctx: Ctx = {
      s,
      market,
      tick: market.tickSize,
      size: Decimal.max(size, minBySize),
      events: s.client.events(),
      seen: [],
      timeoutMs: options.eventTimeoutMs ?? 5000,
    };
    try {
      // A two-sided book around the reference price, 10 ticks each way.
      const big = ctx.size.times(100);
      await s.replica.placeCounterOrder({
        symbol: s.symbol,
        side: "sell",
        price: s.price.plus(ctx.tick.times(10)),
        size: big,
      });
      await s.replica.placeCounterOrder({
        symbol: s.symbol,
        side: "buy",
        price: s.price.minus(ctx.tick.times(10)),
        size: big,
      });
      await body(ctx);
    } finally {
      await ctx.events.return?.();
    }
  } finally {
    await s.client.disconnect().catch(() => {});
    await s.close();
  }
}

const CASES: Record<ConformanceCase, (ctx: Ctx) => Promise<void>> = {
  "place": async (ctx) => {
    const order = await restingBuy(ctx, 5);
    ok(order.clientOrderId, "the order has a client order id");
    await waitForEvent(ctx, "order open", isOrder(order.clientOrderId, "open"));
    const open = await ctx.s.client.getOpenOrders(ctx.s.symbol);
    const mine = open.find((o) => o.clientOrderId === order.clientOrderId);
    ok(mine, "getOpenOrders() lists the new order");
    deepEqual(mine.side, "buy");
    deepEqual(mine.price?.toString(), ctx.s.price.minus(ctx.tick.times(5)).toString());
    deepEqual(mine.size.toString(), ctx.size.toString());
    const truth = await ctx.s.replica.openOrders(ctx.s.symbol);
    deepEqual(truth.filter((o) => o.clientOrderId === order.clientOrderId).length, 1);
    const byClientId = await ctx.s.client.getOrder(ctx.s.symbol, {
      clientOrderId: order.clientOrderId,
    });
    deepEqual(byClientId?.status, "open");
    ok(byClientId?.id, "the venue id is known once the order is open");
    const byId = await ctx.s.client.getOrder(ctx.s.symbol, { id: byClientId.id });
    deepEqual(byId?.clientOrderId, order.clientOrderId);
  },

  "fill": async (ctx) => {
    const order = await restingBuy(ctx, 5);
    await waitForEvent(ctx, "order open", isOrder(order.clientOrderId, "open"));
    const price = ctx.s.price.minus(ctx.tick.times(5));
    await ctx.s.replica.placeCounterOrder({
      symbol: ctx.s.symbol,
      side: "sell",
      price,
      size: ctx.size,
    });
    const fill = await waitForEvent(
      ctx,
      "fill",
      (e) => e.type === "fill" && e.fill.clientOrderId === order.clientOrderId,
    );
    ok(fill.type === "fill");
    deepEqual(fill.fill.size.toString(), ctx.size.toString());
    deepEqual(fill.fill.price.toString(), price.toString());
    deepEqual(fill.fill.liquidity, "maker");
    await waitForEvent(ctx, "order filled", isOrder(order.clientOrderId, "filled"));
    deepEqual((await ctx.s.replica.position(ctx.s.symbol)).toString(), ctx.size.toString());
  },

  "partial fill": async (ctx) => {
    const size = quantize(ctx.size.times(2), ctx.market.sizeStep, "up");
    const order = await restingBuy(ctx, 5, size);
    await waitForEvent(ctx, "order open", isOrder(order.clientOrderId, "open"));
    await ctx.s.replica.placeCounterOrder({
      symbol: ctx.s.symbol,
      side: "sell",
      price: ctx.s.price.minus(ctx.tick.times(5)),
      size: ctx.size,
    });
    const partial = await waitForEvent(
      ctx,
      "partially filled",
      isOrder(order.clientOrderId, "partially_filled"),
    );
    ok(partial.type === "order");
    deepEqual(partial.order.filledSize.toString(), ctx.size.toString());
    deepEqual(partial.order.remainingSize.toString(), size.minus(ctx.size).toString());
    await ctx.s.client.cancelOrder(ctx.s.symbol, { clientOrderId: order.clientOrderId });
    const canceled = await waitForEvent(ctx, "canceled", isOrder(order.clientOrderId, "canceled"));
    ok(canceled.type === "order");
    deepEqual(canceled.order.filledSize.toString(), ctx.size.toString());
    deepEqual((await ctx.s.replica.position(ctx.s.symbol)).toString(), ctx.size.toString());
    deepEqual(await ctx.s.replica.openOrders(ctx.s.symbol), []);
  },

  "cancel": async (ctx) => {
    const a = await restingBuy(ctx, 3);
    const b = await restingBuy(ctx, 4);
    await waitForEvent(ctx, "order open", isOrder(b.clientOrderId, "open"));
    const withId = await eventually(ctx, "venue id", async () => {
      const o = await ctx.s.client.getOrder(ctx.s.symbol, { clientOrderId: a.clientOrderId });
      return o?.id;
    });
    await ctx.s.client.cancelOrder(ctx.s.symbol, { id: withId });
    await ctx.s.client.cancelOrder(ctx.s.symbol, { clientOrderId: b.clientOrderId });
    const ca = await waitForEvent(ctx, "a canceled", isOrder(a.clientOrderId, "canceled"));
    ok(ca.type === "order");
    deepEqual(ca.order.cancelReason, "user");
    await waitForEvent(ctx, "b canceled", isOrder(b.clientOrderId, "canceled"));
    deepEqual(await ctx.s.replica.openOrders(ctx.s.symbol), []);
    deepEqual(await ctx.s.client.getOpenOrders(ctx.s.symbol), []);
  },

  "cancel-all": async (ctx) => {
    const orders = [await restingBuy(ctx, 2), await restingBuy(ctx, 3), await restingBuy(ctx, 4)];
    for (const o of orders) await waitForEvent(ctx, "open", isOrder(o.clientOrderId, "open"));
    deepEqual((await ctx.s.replica.openOrders(ctx.s.symbol)).length, 3);
    await ctx.s.client.cancelAllOrders(ctx.s.symbol);
    for (const o of orders) {
      await waitForEvent(ctx, "canceled", isOrder(o.clientOrderId, "canceled"));
    }
    deepEqual(await ctx.s.replica.openOrders(ctx.s.symbol), []);
  },

  "positions": async (ctx) => {
    const two = quantize(ctx.size.times(2), ctx.market.sizeStep, "up");
    const buy = await ctx.s.client.placeOrder({
      symbol: ctx.s.symbol,
      side: "buy",
      type: "market",
      size: two,
    });
    await waitForEvent(ctx, "market buy filled", isOrder(buy.clientOrderId, "filled"));
    const sell = await ctx.s.client.placeOrder({
      symbol: ctx.s.symbol,
      side: "sell",
      type: "market",
      size: ctx.size,
      reduceOnly: true,
    });
    await waitForEvent(ctx, "market sell filled", isOrder(sell.clientOrderId, "filled"));
    const want = two.minus(ctx.size);
    const pos = await eventually(ctx, "position", async () => {
      const p = (await ctx.s.client.getPositions()).find((p) => p.symbol === ctx.s.symbol);
      return p?.size.eq(want) ? p : undefined;
    });
    deepEqual(pos.size.toString(), (await ctx.s.replica.position(ctx.s.symbol)).toString());
    // Bought at the ask 10 ticks above the reference price.
    deepEqual(pos.entryPrice.toString(), ctx.s.price.plus(ctx.tick.times(10)).toString());
    const sellSide = await ctx.s.client.placeOrder({
      symbol: ctx.s.symbol,
      side: "sell",
      type: "market",
      size: want.times(2),
      reduceOnly: true,
    });
    // Reduce-only never flips the position: it is resized or refused.
    await waitForEvent(
      ctx,
      "reduce-only done",
      isOrder(sellSide.clientOrderId, "filled", "canceled", "rejected"),
    );
    ok((await ctx.s.replica.position(ctx.s.symbol)).gte(0), "reduce-only flipped the position");
  },

  "balance": async (ctx) => {
    const before = await ctx.s.client.getBalance();
    deepEqual(before.equity.toString(), (await ctx.s.replica.equity()).toString());
    ok(before.available.lte(before.equity));
    const order = await ctx.s.client.placeOrder({
      symbol: ctx.s.symbol,
      side: "buy",
      type: "market",
      size: ctx.size,
    });
    await waitForEvent(ctx, "filled", isOrder(order.clientOrderId, "filled"));
    const after = await eventually(ctx, "balance change", async () => {
      const b = await ctx.s.client.getBalance();
      return b.equity.eq(before.equity) ? undefined : b;
    });
    deepEqual(after.equity.toString(), (await ctx.s.replica.equity()).toString());
    ok(after.available.lt(before.available), "a position uses margin");
  },

  "funding units": async (ctx) => {
    const rate = new Decimal("0.0001");
    await ctx.s.replica.setFundingRate(ctx.s.symbol, rate);
    const rates = await ctx.s.funding.fetchFundingRates({ symbols: [ctx.s.symbol] });
    const r = rates.find((x) => x.symbol === ctx.s.symbol);
    ok(r, "the symbol has a funding rate");
    deepEqual(r.rate.toString(), rate.toString(), "rate is a fraction per interval");
    deepEqual(r.intervalHours, ctx.market.fundingIntervalHours);
    deepEqual(r.hourlyRate.toString(), rate.div(r.intervalHours).toString());
    deepEqual(r.apr.toString(), rate.div(r.intervalHours).times(8760).toString());
    // Positive rate: longs pay. Hold a long across one settlement and watch equity drop.
    const order = await ctx.s.client.placeOrder({
      symbol: ctx.s.symbol,
      side: "buy",
      type: "market",
      size: ctx.size,
    });
    await waitForEvent(ctx, "filled", isOrder(order.clientOrderId, "filled"));
    await ctx.s.replica.setPrice(ctx.s.symbol, ctx.s.price);
    const before = await ctx.s.replica.equity();
    await ctx.s.replica.advance(r.intervalHours * 3_600_000);
    const paid = before.minus(await ctx.s.replica.equity());
    deepEqual(paid.toString(), ctx.size.times(ctx.s.price).times(rate).toString());
  },

  "reconnect": async (ctx) => {
    const order = await restingBuy(ctx, 5);
    await waitForEvent(ctx, "open", isOrder(order.clientOrderId, "open"));
    await ctx.s.replica.dropConnections();
    await waitForEvent(
      ctx,
      "reconnected",
      (e) =>
        e.type === "connection" && e.state === "connected" &&
        ctx.seen.some((x) => x.type === "connection" && x.state === "reconnecting"),
    );
    await ctx.s.replica.placeCounterOrder({
      symbol: ctx.s.symbol,
      side: "sell",
      price: ctx.s.price.minus(ctx.tick.times(5)),
      size: ctx.size,
    });
    await waitForEvent(ctx, "fill after reconnect", isOrder(order.clientOrderId, "filled"));
  },

  "gap resync": async (ctx) => {
    await using book = await ctx.s.client.subscribeOrderBook(ctx.s.symbol);
    const bestBid = ctx.s.price.minus(ctx.tick.times(10));
    await eventually(ctx, "book", () => {
      const q = (() => {
        try {
          return book.bestBidAsk();
        } catch {
          return undefined;
        }
      })();
      return Promise.resolve(q?.bid.eq(bestBid) ? q : undefined);
    });
    await ctx.s.replica.injectBookGap(ctx.s.symbol);
    const newBid = ctx.s.price.minus(ctx.tick.times(2));
    await ctx.s.replica.placeCounterOrder({
      symbol: ctx.s.symbol,
      side: "buy",
      price: newBid,
      size: ctx.size,
    });
    const newAsk = ctx.s.price.plus(ctx.tick.times(3));
    await ctx.s.replica.placeCounterOrder({
      symbol: ctx.s.symbol,
      side: "sell",
      price: newAsk,
      size: ctx.size,
    });
    // After the gap the book must resync from a snapshot and converge on the truth.
    const snap = await eventually(ctx, "resync", () => {
      const s = book.snapshot(5);
      return Promise.resolve(
        !s.stale && s.bids[0]?.price.eq(newBid) && s.asks[0]?.price.eq(newAsk) ? s : undefined,
      );
    });
    deepEqual(snap.bids[0]?.size.toString(), ctx.size.toString());
  },

  "duplicate client id": async (ctx) => {
    const first = await restingBuy(ctx, 5);
    await waitForEvent(ctx, "open", isOrder(first.clientOrderId, "open"));
    await rejects(
      ctx.s.client.placeOrder({
        symbol: ctx.s.symbol,
        side: "buy",
        type: "limit",
        size: ctx.size,
        price: ctx.s.price.minus(ctx.tick.times(6)),
        postOnly: true,
        clientOrderId: first.clientOrderId,
      }),
      DuplicateClientOrderIdError,
    );
    deepEqual((await ctx.s.replica.openOrders(ctx.s.symbol)).length, 1);
  },

  "post-only reject": async (ctx) => {
    await rejects(
      ctx.s.client.placeOrder({
        symbol: ctx.s.symbol,
        side: "buy",
        type: "limit",
        size: ctx.size,
        price: ctx.s.price.plus(ctx.tick.times(10)),
        postOnly: true,
      }),
      PostOnlyWouldCrossError,
    );
    deepEqual(await ctx.s.replica.openOrders(ctx.s.symbol), []);
    deepEqual((await ctx.s.replica.position(ctx.s.symbol)).toString(), "0");
  },

  "idempotent retry": async (ctx) => {
    await ctx.s.replica.loseNextOrderResponse();
    const clientOrderId = ctx.s.client.newClientOrderId();
    const order = await ctx.s.client.placeOrder({
      symbol: ctx.s.symbol,
      side: "buy",
      type: "limit",
      size: ctx.size,
      price: ctx.s.price.minus(ctx.tick.times(5)),
      postOnly: true,
      clientOrderId,
    });
    deepEqual(order.clientOrderId, clientOrderId);
    const truth = await ctx.s.replica.openOrders(ctx.s.symbol);
    deepEqual(truth.filter((o) => o.clientOrderId === clientOrderId).length, 1);
    deepEqual(truth.length, 1, "exactly one order reached the venue");
  },

  "failed lookups": async (ctx) => {
    // The answer is lost and the first lookups fail: the order is found, never sent twice.
    await ctx.s.replica.loseNextOrderResponse();
    await ctx.s.replica.failNextOrderLookups(3);
    const clientOrderId = ctx.s.client.newClientOrderId();
    const order = await restingBuy(ctx, 6, ctx.size, clientOrderId);
    deepEqual(order.clientOrderId, clientOrderId);
    const truth = await ctx.s.replica.openOrders(ctx.s.symbol);
    deepEqual(truth.map((o) => o.clientOrderId), [clientOrderId], "exactly one order");
  },

  "unreadable answer": async (ctx) => {
    // A 200 whose body is not the venue's JSON is a doubt to resolve, not a final answer.
    await ctx.s.replica.garbleNextOrderResponse();
    const clientOrderId = ctx.s.client.newClientOrderId();
    const order = await restingBuy(ctx, 7, ctx.size, clientOrderId);
    deepEqual([order.clientOrderId, order.status], [clientOrderId, "open"]);
    const truth = await ctx.s.replica.openOrders(ctx.s.symbol);
    deepEqual(truth.map((o) => o.clientOrderId), [clientOrderId], "exactly one order");
  },

  "outcome unknown": async (ctx) => {
    // The answer is lost and no lookup ever succeeds. The client may still learn the order
    // from its private stream; otherwise the outcome is a typed unknown carrying the client
    // order id. Either way the order is never sent a second time.
    await ctx.s.replica.loseNextOrderResponse();
    await ctx.s.replica.failNextOrderLookups(Infinity);
    const clientOrderId = ctx.s.client.newClientOrderId();
    const outcome = await restingBuy(ctx, 8, ctx.size, clientOrderId).then(
      (order) => order.clientOrderId,
      (e: unknown) => e,
    );
    ok(
      outcome === clientOrderId ||
        (outcome instanceof OrderOutcomeUnknownError && outcome.clientOrderId === clientOrderId),
      `expected the order or OrderOutcomeUnknownError, got ${outcome}`,
    );
    const truth = await ctx.s.replica.openOrders(ctx.s.symbol);
    deepEqual(truth.map((o) => o.clientOrderId), [clientOrderId], "exactly one order");
  },

  "funding payments": async (ctx) => {
    // A long at a positive rate pays at the next settlement; the client reports exactly what
    // the venue booked, signed from the account's view.
    await ctx.s.replica.setFundingRate(ctx.s.symbol, new Decimal("0.0001"));
    const order = await ctx.s.client.placeOrder({
      symbol: ctx.s.symbol,
      side: "buy",
      type: "market",
      size: ctx.size,
    });
    await waitForEvent(ctx, "market buy filled", isOrder(order.clientOrderId, "filled"));
    await ctx.s.replica.advance(ctx.market.fundingIntervalHours * 3_600_000);
    const truth = await ctx.s.replica.fundingPayments(ctx.s.symbol);
    ok(truth.length >= 1, "the venue booked a settlement");
    ok(truth.every((t) => t.amount.isNegative()), "a long pays a positive rate");
    const paid = await eventually(ctx, "funding payments", async () => {
      const ps = await ctx.s.client.getFundingPayments({ symbol: ctx.s.symbol });
      return ps.length >= truth.length ? ps : undefined;
    });
    deepEqual(
      paid.map((p) => [p.symbol, p.time, p.amount.toString()]),
      truth.map((t) => [ctx.s.symbol, t.time, t.amount.toString()]),
    );
  },

  "leverage": async (ctx) => {
    await ctx.s.client.setLeverage(ctx.s.symbol, 5);
    deepEqual((await ctx.s.replica.leverage(ctx.s.symbol)).toString(), "5");
    await rejects(ctx.s.client.setLeverage(ctx.s.symbol, 100_000), ConfigurationError);
    await rejects(ctx.s.client.setLeverage(ctx.s.symbol, 0), ConfigurationError);
    deepEqual((await ctx.s.replica.leverage(ctx.s.symbol)).toString(), "5");
  },
};

/**
 * Registers one `Deno.test` per conformance case for a venue.
 *
 * @param harness Starts the venue's replica and client.
 * @param options Timeouts and explicitly skipped cases (each with a reason).
 */
export function conformanceSuite(harness: VenueHarness, options: ConformanceOptions = {}): void {
  for (
    const [name, run] of Object.entries(CASES) as [ConformanceCase, (c: Ctx) => Promise<void>][]
  ) {
    const reason = options.skip?.[name];
    Deno.test({
      name: `${harness.venue} conformance: ${name}${reason ? ` (skipped: ${reason})` : ""}`,
      ignore: reason !== undefined,
      fn: () => withVenue(harness, options, run),
    });
  }
}

/** Every case name, in order. */
export const CONFORMANCE_CASES: readonly ConformanceCase[] = Object.freeze(
  Object.keys(CASES) as ConformanceCase[],
);
