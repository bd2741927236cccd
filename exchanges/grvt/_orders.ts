/**
 * GRVT order actions: the placement hooks of the shared workflow (`placeOrderWith`), the
 * request built from a checked order, and the tracking of orders by client order id that
 * `placeOrder` waits on (`create_order` answers `order_id "0x00"` and `PENDING`, grvt.md
 * §4.2.1: the outcome comes later on `v1.order` or from `full/v1/order`).
 *
 * @module
 */
import type { z } from "zod";
import type { BookSnapshot, Clock, Order, OrderRequest, Side } from "../../base.ts";
import { Decimal, type DecimalInput, toDecimal } from "../../core/decimal.ts";
import { MalformedPayloadError, NotFoundError } from "../../core/errors.ts";
import { isValidClientOrderId } from "../_shared/client_order_id.ts";
import { type CheckedOrder, placeOrderWith } from "../_shared/placement.ts";
import { quantize } from "../_shared/quantize.ts";
import { msToNs } from "./common.ts";
import { grvtRejection } from "./errors.ts";
import { type GrvtMappingContext, toGrvtOrder, type WireOrder } from "./_mapping.ts";
import type { GrvtMarket } from "./markets.ts";
import type { orderResponseSchema } from "./schemas.ts";
import type { GrvtOrder, GrvtOrderSigner, GrvtTimeInForce } from "./signing.ts";

/** Signatures may not reach more than 30 days ahead (grvt.md §8.1, code 2008). */
export const MAX_SIGNATURE_LIFETIME_MS = 30 * 86_400_000;
/** Default lifetime of a GTC order: the 30-day cap less an hour of margin. */
export const DEFAULT_ORDER_LIFETIME_MS = MAX_SIGNATURE_LIFETIME_MS - 3_600_000;
/** Orders that never rest: pysdk's default signature lifetime (grvt.md §8.1). */
const TAKER_LIFETIME_MS = 5 * 60_000;

/** One order the client follows, by client order id. */
export interface Tracked {
  /** The latest view. */
  order: Order;
  /** The wire `reject_reason`. */
  reason: string | undefined;
  /** Nonce of the signature, which tells two orders with one client order id apart. */
  nonce: number | undefined;
}

/** Finished orders the tracker keeps by client order id (live ones are always kept). */
export const FINISHED_ORDERS_KEPT = 1_000;

/**
 * Orders by client order id, with waiters woken when one leaves `PENDING`, and the client
 * order ids sent as market orders (they go out as bounded IOC limit orders).
 */
export class GrvtOrderTracker {
  /**
   * Retention: every live order, and the newest {@linkcode FINISHED_ORDERS_KEPT} finished ones
   * (an older finished order is read from the venue again if asked for).
   */
  readonly #tracked = new Map<string, Tracked>();
  /** Client order ids of finished tracked orders, oldest first. */
  readonly #finished = new Set<string>();
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #market = new Set<string>();
  readonly #clock: Clock;
  /** The mapping context (markets, clock, market-order ids). */
  readonly mapping: GrvtMappingContext;

  /**
   * @param clock Clock for waits.
   * @param marketOf The market of an instrument.
   */
  constructor(clock: Clock, marketOf: GrvtMappingContext["marketOf"]) {
    this.#clock = clock;
    this.mapping = {
      marketOf,
      now: () => clock.now(),
      placedAsMarket: (cid) => this.#market.has(cid),
    };
  }

  /** The tracked entry of a client order id. */
  get(cid: string): Tracked | undefined {
    return this.#tracked.get(cid);
  }

  /** Forgets a client order id (a new order reuses it). */
  delete(cid: string): void {
    this.#tracked.delete(cid);
    this.#finished.delete(cid);
  }

  /** Remembers that `cid` was placed as a market order. */
  markMarket(cid: string): void {
    this.#market.add(cid);
    if (this.#market.size > 10_000) {
      for (const k of this.#market) {
        this.#market.delete(k);
        if (this.#market.size <= 5_000) break;
      }
    }
  }

  /** Maps a wire order without tracking it. */
  toOrder(o: WireOrder): Order {
    return toGrvtOrder(o, this.mapping);
  }

  /** Records a wire order and wakes whoever waits for it to leave `PENDING`. */
  track(o: WireOrder): Tracked {
    const order = this.toOrder(o);
    const cid = order.clientOrderId;
    const prev = this.#tracked.get(cid);
    const nonce = o.signature?.nonce;
    const t: Tracked = { order, reason: o.state.reject_reason, nonce: nonce ?? prev?.nonce };
    // An echo of `create_order` (order_id "0x00", PENDING) never overwrites a later state.
    if (!(prev && order.status === "pending" && prev.order.status !== "pending")) {
      this.#tracked.set(cid, t);
    }
    if (order.status !== "pending") {
      for (const w of [...(this.#waiters.get(cid) ?? [])]) w();
    }
    const now = this.#tracked.get(cid) ?? t;
    this.#finished.delete(cid);
    if (!["pending", "open", "partially_filled"].includes(now.order.status)) {
      this.#finished.add(cid);
      if (this.#finished.size > FINISHED_ORDERS_KEPT) {
        const oldest = this.#finished.values().next().value!;
        this.#finished.delete(oldest);
        this.#tracked.delete(oldest);
      }
    }
    return now;
  }

  /** How many orders are tracked (live + finished). */
  get size(): number {
    return this.#tracked.size;
  }

  /** Tracked orders that are still live. */
  live(): [string, Tracked][] {
    return [...this.#tracked.entries()].filter(([, t]) =>
      t.order.status === "pending" || t.order.status === "open" ||
      t.order.status === "partially_filled"
    );
  }

  /** Resolves `true` when `cid` is updated, `false` after `ms`. */
  waitForUpdate(cid: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const stop = new AbortController();
      let set = this.#waiters.get(cid);
      if (!set) this.#waiters.set(cid, set = new Set());
      const drop = () => {
        set!.delete(wake);
        if (set!.size === 0) this.#waiters.delete(cid);
      };
      const wake = () => {
        stop.abort();
        drop();
        resolve(true);
      };
      set.add(wake);
      this.#clock.sleep(ms, stop.signal).then(() => {
        drop();
        resolve(false);
      }, () => {});
    });
  }

  /** Wakes every waiter (on disconnect). */
  wakeAll(): void {
    for (const set of [...this.#waiters.values()]) for (const w of [...set]) w();
  }
}

/** What {@linkcode placeGrvtOrder} needs from the client. */
export interface GrvtOrderContext {
  clock: Clock;
  /** The trading account id. */
  account: string;
  signer: GrvtOrderSigner;
  tracker: GrvtOrderTracker;
  market: (symbol: string) => Promise<GrvtMarket>;
  newClientOrderId: () => string;
  /** The top of the book (a fresh live book, else REST), for a market order's default bound. */
  book: (symbol: string) => Promise<BookSnapshot>;
  /** `full/v1/create_order`. */
  createOrder: (body: unknown) => Promise<z.output<typeof orderResponseSchema>>;
  /** `full/v1/order`: the order, or `undefined` when the venue says it has none. */
  fetchOrder: (ref: Record<string, string>) => Promise<WireOrder | undefined>;
  /** Whether the order stream is up (it then brings outcomes without polling). */
  connected: () => boolean;
  orderLifetimeMs: number;
  builder?: { address: string; fee: DecimalInput };
  /** Fraction of the best price a default market-order bound may be off. */
  slippage: Decimal;
  confirmTimeoutMs: number;
  outcomeDeadlineMs?: number;
}

interface Built {
  clientOrderId: string;
  signing: Omit<GrvtOrder, "nonce">;
  wire: Record<string, unknown>;
}

interface Signed {
  body: { order: Record<string, unknown> };
  nonce: number;
}

/**
 * Places one order through the shared workflow and waits (up to `confirmTimeoutMs`) for it
 * to leave `PENDING`.
 *
 * @param ctx The client's state and calls.
 * @param request The caller's request.
 * @returns The order as the venue reports it.
 */
export async function placeGrvtOrder(ctx: GrvtOrderContext, request: OrderRequest): Promise<Order> {
  const { tracker } = ctx;
  let nonce = 0;
  const sent = await placeOrderWith<
    Built,
    Signed,
    z.output<typeof orderResponseSchema>,
    GrvtMarket
  >({
    venue: "grvt",
    endpoint: "full/v1/create_order",
    clock: ctx.clock,
    outcomeDeadlineMs: ctx.outcomeDeadlineMs,
    market: ctx.market,
    newClientOrderId: ctx.newClientOrderId,
    clientOrderIdRule: {
      test: (id) => isValidClientOrderId("grvt", id),
      describe: "a decimal integer in [2^63, 2^64 - 1] (the range GRVT leaves to API clients)",
    },
    // The signature's expiration is the order's expiry; at most 30 days ahead (grvt.md §8.1).
    // A signature that expires within a second may be refused (2001) before it arrives.
    expiryWindow: { minMs: 1_000, maxMs: MAX_SIGNATURE_LIFETIME_MS },
    defaultWorstPrice: (market, side) => defaultWorstPrice(ctx, market, side),
    build: (checked) => {
      if (checked.type === "market") tracker.markMarket(checked.clientOrderId);
      return buildGrvtOrder(checked, {
        account: ctx.account,
        now: ctx.clock.now(),
        orderLifetimeMs: ctx.orderLifetimeMs,
        builder: ctx.builder,
      });
    },
    sign: async (built) => {
      nonce = crypto.getRandomValues(new Uint32Array(1))[0];
      const signature = await ctx.signer.signOrder({ ...built.signing, nonce });
      const old = tracker.get(built.clientOrderId);
      if (old && old.nonce !== nonce) tracker.delete(built.clientOrderId);
      return { body: { order: { ...built.wire, signature } }, nonce };
    },
    send: (signed) => ctx.createOrder(signed.body),
    parse: ({ result }, checked) => {
      // An answer about another order is not ours: placeOnce sees the other client order id
      // and looks ours up. Nothing of it is tracked.
      if (result.metadata.client_order_id !== checked.clientOrderId) {
        return tracker.toOrder(result);
      }
      const n = result.signature?.nonce;
      if (n !== undefined && n !== nonce) {
        // Our client order id signed with another nonce: an earlier order under the same id.
        throw new MalformedPayloadError("result.signature.nonce", {
          venue: "grvt",
          endpoint: "full/v1/create_order",
          details: `the answer names nonce ${n}, not ${nonce}`,
        });
      }
      return tracker.track(result).order;
    },
    lookup: (checked) => lookupGrvtOrder(ctx, checked.clientOrderId, nonce),
    // No canResend: GRVT never proves a doubtful first copy dead within the outcome deadline.
    // The only venue rule that kills a signed order is its expiration (2001 "Signature has
    // expired", grvt.md §6.5), at least 5 minutes ahead for takers and up to 30 days for
    // resting orders, and judged on the venue's clock. A duplicate is refused only among
    // ACTIVE orders (2012, grvt.md §8.2), and only an identical payload with the same nonce
    // is ignored as a duplicate (Signature.nonce, grvt.md §8.1): a re-signed copy of a first
    // copy that already filled would be a second order. So a doubtful create is resolved by
    // lookups only, and surfaces as OrderOutcomeUnknownError at the deadline.
  }, request);
  const t = tracker.get(sent.clientOrderId);
  if (t) t.nonce ??= nonce;
  return await awaitOutcome(ctx, sent, nonce);
}

/**
 * The request of a checked order: wire fields and signing input (nonce added per attempt).
 *
 * A unified market order goes out as a limit IOC (or FOK) at its worst price: GRVT market
 * orders "do not have a limit price" (a price is refused with 2020) and fill at whatever the
 * makers ask (grvt.md §8.1), so they cannot carry the bound `base.ts` promises; an IOC limit
 * order is "Must Be Taker, Can Fill Partial" in the venue's TIF matrix (grvt.md §8.1) and
 * never trades beyond its limit price.
 *
 * @param o The checked order.
 * @param ctx Account, time, GTC lifetime and builder.
 * @returns What to sign and send.
 */
export function buildGrvtOrder(
  o: CheckedOrder<GrvtMarket>,
  ctx: {
    account: string;
    now: number;
    orderLifetimeMs: number;
    builder?: { address: string; fee: DecimalInput };
  },
): Built {
  const wireTif: GrvtTimeInForce = o.timeInForce === "ioc"
    ? "IMMEDIATE_OR_CANCEL"
    : o.timeInForce === "fok"
    ? "FILL_OR_KILL"
    : "GOOD_TILL_TIME";
  const expiresAt = o.timeInForce === "gtt"
    ? o.expiresAt!
    : o.timeInForce === "gtc"
    ? ctx.now + ctx.orderLifetimeMs
    : ctx.now + TAKER_LIFETIME_MS;
  const limit = (o.price ?? o.worstPrice)!;
  const buying = o.side === "buy";
  const builder = ctx.builder;
  const signing: Omit<GrvtOrder, "nonce"> = {
    subAccountId: ctx.account,
    isMarket: false,
    timeInForce: wireTif,
    postOnly: o.postOnly,
    reduceOnly: o.reduceOnly,
    legs: [{
      instrumentHash: o.market.instrumentHash,
      baseDecimals: o.market.baseDecimals,
      size: o.size,
      limitPrice: limit,
      isBuyingAsset: buying,
    }],
    expiration: msToNs(expiresAt),
    ...(builder ? { builder: builder.address, builderFee: builder.fee } : {}),
  };
  const wire: Record<string, unknown> = {
    sub_account_id: ctx.account,
    is_market: false,
    time_in_force: wireTif,
    post_only: o.postOnly,
    reduce_only: o.reduceOnly,
    legs: [{
      instrument: o.market.venueSymbol,
      size: o.size.toString(),
      limit_price: limit.toString(),
      is_buying_asset: buying,
    }],
    metadata: { client_order_id: o.clientOrderId },
  };
  if (builder) {
    wire.builder = builder.address;
    wire.builder_fee = toDecimal(builder.fee, "builder.fee").toString();
  }
  return { clientOrderId: o.clientOrderId, signing, wire };
}

/**
 * The worst price of a market order sent without one: the best opposite price moved by the
 * slippage, on the tick (rounded toward the best price).
 *
 * @throws {NotFoundError} When the opposite side of the book is empty (no bound can be set).
 */
async function defaultWorstPrice(
  ctx: GrvtOrderContext,
  market: GrvtMarket,
  side: Side,
): Promise<Decimal> {
  const snap = await ctx.book(market.symbol);
  const best = side === "buy" ? snap.asks[0]?.price : snap.bids[0]?.price;
  if (best === undefined) {
    throw new NotFoundError({
      venue: "grvt",
      message:
        `Cannot place a market order on grvt ${market.symbol} without 'worstPrice': the book has no ${
          side === "buy" ? "ask" : "bid"
        } to bound it`,
    });
  }
  const one = new Decimal(1);
  const p = side === "buy"
    ? quantize(best.times(one.plus(ctx.slippage)), market.tickSize, "down")
    : quantize(best.times(one.minus(ctx.slippage)), market.tickSize, "up");
  return p.gt(0) ? p : market.tickSize;
}

/**
 * The order with this client order id, if it is the one signed with `nonce`; `undefined` when
 * the venue has none (or only another order under that id). Throws when it cannot find out.
 */
export async function lookupGrvtOrder(
  ctx: Pick<GrvtOrderContext, "fetchOrder" | "tracker">,
  cid: string,
  nonce: number,
): Promise<Order | undefined> {
  const found = await ctx.fetchOrder({ client_order_id: cid });
  if (!found || found.metadata.client_order_id !== cid) return undefined;
  const n = found.signature?.nonce;
  if (n !== undefined && n !== nonce) return undefined;
  return ctx.tracker.track(found).order;
}

/** Waits for the order to leave `PENDING`; throws the typed refusal of a rejected order. */
async function awaitOutcome(ctx: GrvtOrderContext, sent: Order, nonce: number): Promise<Order> {
  const cid = sent.clientOrderId;
  const deadline = ctx.clock.now() + ctx.confirmTimeoutMs;
  let current = sent;
  let reason: string | undefined;
  for (;;) {
    const t = ctx.tracker.get(cid);
    if (t && (t.nonce === undefined || t.nonce === nonce) && t.order.status !== "pending") {
      current = t.order;
      reason = t.reason;
      break;
    }
    const left = deadline - ctx.clock.now();
    if (left <= 0) break;
    const woke = await ctx.tracker.waitForUpdate(
      cid,
      Math.min(left, ctx.connected() ? 1_000 : 100),
    );
    if (!woke) {
      // No stream (not connected) or a quiet one: ask.
      const polled = await lookupGrvtOrder(ctx, cid, nonce).catch(() => undefined);
      if (polled && polled.status !== "pending") {
        current = polled;
        reason = ctx.tracker.get(cid)?.reason;
        break;
      }
    }
  }
  const refused = current.status === "rejected" ||
    (current.status === "canceled" && current.filledSize.isZero() &&
      (current.cancelReason === "post_only_would_cross" ||
        current.cancelReason === "reduce_only"));
  if (refused) throw grvtRejection(reason ?? "UNSPECIFIED", cid);
  return current;
}
