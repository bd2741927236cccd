/**
 * Lighter order actions: the hooks of the shared placement workflow (build, sign, send, read the
 * answer, look up, and when a resend is provably safe), cancels, and order reads.
 *
 * A `CreateOrder` is signed inside the API key's nonce lock, so that transactions of one key
 * never interleave their nonces; each attempt records the nonce and `ExpiredAt` it was signed
 * with, which is what {@linkcode canResendCreate} reasons about.
 *
 * @module
 */
import type { BestBidAsk, Clock, Order, Side } from "../../base.ts";
import { Decimal } from "../../core/decimal.ts";
import {
  DuplicateClientOrderIdError,
  InsufficientMarginError,
  NotFoundError,
  OrderOutcomeUnknownError,
  PostOnlyWouldCrossError,
} from "../../core/errors.ts";
import { isValidClientOrderId, randomClientOrderId } from "../_shared/client_order_id.ts";
import type { CheckedOrder, PlacementHooks } from "../_shared/placement.ts";
import { quantize } from "../_shared/quantize.ts";
import type { LighterSigner } from "./signer/lighter_signer.ts";
import type { CreateOrderParams } from "./signer/transactions.ts";
import { toOrder } from "./_mapping.ts";
import type { LighterRest } from "./_transport.ts";
import { LIGHTER_ALL, LIGHTER_ORDER_EXPIRY } from "./common.ts";
import { encodePrice, encodeSize, type LighterMarket } from "./markets.ts";
import type { LighterNonceManager } from "./nonce.ts";
import { type LighterOrder, nextNonceSchema, ordersSchema } from "./schemas.ts";

/** Transactions are valid for 10 minutes minus a second, like the official signer's default. */
export const TX_VALIDITY_MS = 10 * 60_000 - 1_000;

/**
 * Margin past a transaction's `ExpiredAt` before it is taken as refused for good: covers a
 * clock of ours running behind the venue's.
 */
const EXPIRY_SKEW_MARGIN_MS = 60_000;

/**
 * How long a nonce must have been seen used before an order still missing is taken as never
 * created: the venue consumes the nonce when it accepts the transaction and creates the order
 * when the sequencer runs it, ~200–300 ms later for standard accounts (lighter.md §8).
 */
const NONCE_SETTLE_MS = 5_000;

/** What the order actions need from the client. */
export interface LighterOrderDeps {
  /** The client's clock. */
  clock: Clock;
  /** REST transport. */
  rest: LighterRest;
  /** The signer (resolves the account on first use). */
  signer: () => Promise<LighterSigner>;
  /** The key's nonce manager (after `signer()` resolved). */
  nonces: () => LighterNonceManager;
  /** A market by unified symbol. */
  market: (symbol: string) => Promise<LighterMarket>;
  /** Best bid and ask, for the worst price of market orders. */
  bestBidAsk: (symbol: string) => Promise<BestBidAsk>;
  /** Worst-price distance of market orders without one, as a fraction. */
  slippage: Decimal;
  /** Waiters for the stream's reports of new orders. */
  acks: OrderAcks;
  /** How long the answer waits for the stream to report the new order, in ms. */
  ackTimeoutMs: number;
  /** Longest time spent resolving a doubtful create, in ms. */
  outcomeDeadlineMs?: number;
}

/** One attempt to send a create: what it was signed with, filled in by `send`. */
export interface CreateAttempt {
  /** 0 for the first send. */
  attempt: number;
  /** The transaction's fields (the same for every attempt; the nonce is not among them). */
  params: CreateOrderParams;
  /** The nonce the transaction was signed with; unset while nothing was signed. */
  nonce?: number;
  /** The transaction's `ExpiredAt`, ms. */
  expiredAt?: number;
  /** Whether `sendTx` answered with a transaction hash (the venue accepted it). */
  accepted?: boolean;
  /** When the venue's next nonce was first seen beyond `nonce`. */
  nonceUsedSince?: number;
}

/** The answer to one create: the stream report the answer waits for. */
export interface CreateAnswer {
  /** Resolves with the venue's first report of the order (or the last pending one). */
  report: Promise<LighterOrder | undefined>;
}

/**
 * The hooks of `placeOrderWith` for Lighter.
 *
 * @param deps The client's pieces.
 * @returns The hooks.
 */
export function lighterPlacementHooks(
  deps: LighterOrderDeps,
): PlacementHooks<CreateOrderParams, CreateAttempt, CreateAnswer, LighterMarket> {
  return {
    venue: "lighter",
    endpoint: "/api/v1/sendTx",
    clock: deps.clock,
    market: deps.market,
    newClientOrderId: () => randomClientOrderId("lighter"),
    clientOrderIdRule: {
      test: (id) => isValidClientOrderId("lighter", id),
      describe: "an integer in [1, 2147483647]",
    },
    unsupportedTimeInForce: ["fok"],
    expiryWindow: { minMs: LIGHTER_ORDER_EXPIRY.minMs, maxMs: LIGHTER_ORDER_EXPIRY.maxMs },
    defaultWorstPrice: (market, side) => defaultWorstPrice(deps, market, side),
    build: (order) => buildCreateOrder(order, deps.clock.now()),
    // The signature itself is made in `send`, inside the key's nonce lock.
    sign: (params, attempt) => ({ attempt, params }),
    send: (attempt) => sendCreate(deps, attempt),
    parse: (answer, order) => readCreateAnswer(deps, answer, order),
    lookup: (order) => findByClientOrderId(deps, order.market, order.clientOrderId),
    canResend: (attempt) => canResendCreate(deps, attempt),
    outcomeDeadlineMs: deps.outcomeDeadlineMs,
  };
}

/**
 * The `CreateOrder` of a checked order (lighter.md §7.2): market orders are IOC with the worst
 * price signed as their price (§7.5); resting orders carry an expiry (28 days for `gtc`).
 *
 * @param o The checked order.
 * @param now Current time, ms.
 * @returns The transaction's fields.
 */
export function buildCreateOrder(o: CheckedOrder<LighterMarket>, now: number): CreateOrderParams {
  const market = o.market;
  const base = {
    marketIndex: market.marketIndex,
    clientOrderIndex: Number(o.clientOrderId),
    baseAmount: encodeSize(market, o.size),
    isAsk: o.side === "sell",
    reduceOnly: o.reduceOnly,
  };
  if (o.type === "market") {
    return {
      ...base,
      price: encodePrice(market, o.worstPrice!, "worstPrice"),
      type: 1,
      timeInForce: 0,
    };
  }
  const price = encodePrice(market, o.price!);
  if (o.timeInForce === "ioc") return { ...base, price, type: 0, timeInForce: 0 };
  return {
    ...base,
    price,
    type: 0,
    timeInForce: o.postOnly ? 2 : 1,
    orderExpiry: o.expiresAt ?? now + LIGHTER_ORDER_EXPIRY.defaultMs,
  };
}

async function defaultWorstPrice(
  deps: LighterOrderDeps,
  market: LighterMarket,
  side: Side,
): Promise<Decimal> {
  const q = await deps.bestBidAsk(market.symbol);
  const best = side === "buy" ? q.ask : q.bid;
  const factor = side === "buy" ? deps.slippage.plus(1) : new Decimal(1).minus(deps.slippage);
  return quantize(best.times(factor), market.tickSize, side === "buy" ? "down" : "up");
}

/**
 * Signs the attempt under the key's next nonce and sends it. The stream's report is awaited from
 * before the send, so a report faster than the HTTP answer is not missed.
 */
async function sendCreate(deps: LighterOrderDeps, attempt: CreateAttempt): Promise<CreateAnswer> {
  const signer = await deps.signer();
  const clientOrderId = String(attempt.params.clientOrderIndex);
  const ack = deps.acks.wait(Number(attempt.params.clientOrderIndex), deps.ackTimeoutMs);
  try {
    await deps.nonces().run(async (nonce) => {
      const expiredAt = deps.clock.now() + TX_VALIDITY_MS;
      const tx = signer.signCreateOrder(attempt.params, { nonce, expiredAt });
      attempt.nonce = nonce;
      attempt.expiredAt = expiredAt;
      try {
        return await deps.rest.sendTx(tx);
      } catch (e) {
        if (e instanceof DuplicateClientOrderIdError) {
          throw new DuplicateClientOrderIdError(clientOrderId, {
            venue: "lighter",
            endpoint: "/api/v1/sendTx",
            code: e.code,
          });
        }
        throw e;
      }
    });
  } catch (e) {
    ack.cancel();
    throw e;
  }
  attempt.accepted = true;
  return { report: ack.promise };
}

/**
 * Reads the outcome of an accepted create from the stream: the venue matches after `sendTx`
 * answers, so a post-only order that would cross, or one without margin, is only known from
 * the order's status. Without a report in time, one lookup; still nothing ⇒ the outcome is
 * unknown (placement then keeps looking the order up).
 */
async function readCreateAnswer(
  deps: LighterOrderDeps,
  answer: CreateAnswer,
  order: CheckedOrder<LighterMarket>,
): Promise<Order> {
  const reported = await answer.report;
  const found = reported
    ? toOrder(reported, order.market.symbol)
    : await findByClientOrderId(deps, order.market, order.clientOrderId).catch(() => undefined);
  if (!found) {
    throw new OrderOutcomeUnknownError(order.clientOrderId, {
      venue: "lighter",
      endpoint: "/api/v1/sendTx",
      details: `accepted, but not reported within ${deps.ackTimeoutMs} ms nor found`,
    });
  }
  if (found.cancelReason === "post_only_would_cross") {
    throw new PostOnlyWouldCrossError({
      venue: "lighter",
      endpoint: "/api/v1/sendTx",
      message:
        `Cannot place order on lighter: post-only order ${order.clientOrderId} would cross and was canceled`,
    });
  }
  if (found.cancelReason === "insufficient_margin") {
    throw new InsufficientMarginError({ venue: "lighter", endpoint: "/api/v1/sendTx" });
  }
  return found;
}

/**
 * Whether a create attempt can provably never be accepted any more, so that an order a lookup
 * then shows absent may be signed and sent again. Lighter's rules (lighter.md §5.11, §10):
 *
 * - nothing was signed (the nonce could not be had): nothing left this process;
 * - `sendTx` accepted it: never — the venue has the transaction, its order is only late;
 * - its `ExpiredAt` passed (plus a margin for clock skew): the venue refuses expired
 *   transactions;
 * - the key's next nonce at the venue is beyond the attempt's nonce, and has been for
 *   `NONCE_SETTLE_MS`: a nonce is accepted only while it is the key's next, so this copy can
 *   no longer be accepted; had it been accepted itself, its order would be visible by then, and
 *   the lookup that follows this check finds it.
 *
 * While the venue's next nonce still equals the attempt's, the first copy may yet arrive:
 * no resend; the outcome is then resolved by lookups alone.
 *
 * @param deps The client's pieces.
 * @param attempt The attempt in doubt.
 * @returns Whether a resend is safe.
 */
export async function canResendCreate(
  deps: Pick<LighterOrderDeps, "clock" | "rest" | "signer">,
  attempt: CreateAttempt,
): Promise<boolean> {
  if (attempt.accepted) return false;
  if (attempt.nonce === undefined || attempt.expiredAt === undefined) return true;
  const now = deps.clock.now();
  if (now > attempt.expiredAt + EXPIRY_SKEW_MARGIN_MS) return true;
  let next: number;
  try {
    const signer = await deps.signer();
    next = (await deps.rest.get(
      "/api/v1/nextNonce",
      { account_index: signer.accountIndex, api_key_index: signer.apiKeyIndex },
      nextNonceSchema,
    )).nonce;
  } catch {
    return false; // not proven
  }
  if (next <= attempt.nonce) {
    attempt.nonceUsedSince = undefined;
    return false;
  }
  attempt.nonceUsedSince ??= now;
  return now - attempt.nonceUsedSince >= NONCE_SETTLE_MS;
}

/**
 * An order by client order index, in any state (`accountOrders`).
 *
 * @param deps The client's pieces.
 * @param market Its market.
 * @param clientOrderId The client order index.
 * @returns The order, or `undefined` when the venue has none.
 * @throws {PerpError} When the venue could not be asked or answered unreadably.
 */
export async function findByClientOrderId(
  deps: Pick<LighterOrderDeps, "rest" | "signer">,
  market: LighterMarket,
  clientOrderId: string,
): Promise<Order | undefined> {
  const signer = await deps.signer();
  const r = await deps.rest.get(
    "/api/v1/accountOrders",
    { account_index: signer.accountIndex, client_order_indexes: clientOrderId },
    ordersSchema,
    true,
  );
  const mine = r.orders.filter((o) =>
    o.market_index === market.marketIndex && String(o.client_order_index) === clientOrderId
  );
  const last = mine.at(-1);
  return last ? toOrder(last, market.symbol) : undefined;
}

/**
 * An order by venue id (`order_index`): active orders first, then the last 100 inactive ones.
 *
 * @param deps The client's pieces.
 * @param market Its market.
 * @param id The venue's order index.
 * @returns The order, or `undefined` when not found.
 */
export async function findByOrderIndex(
  deps: Pick<LighterOrderDeps, "rest" | "signer">,
  market: LighterMarket,
  id: string,
): Promise<Order | undefined> {
  const signer = await deps.signer();
  const active = await deps.rest.get(
    "/api/v1/accountActiveOrders",
    { account_index: signer.accountIndex, market_id: market.marketIndex },
    ordersSchema,
    true,
  );
  const hit = active.orders.find((o) => String(o.order_index) === id);
  if (hit) return toOrder(hit, market.symbol);
  const inactive = await deps.rest.get(
    "/api/v1/accountInactiveOrders",
    { account_index: signer.accountIndex, market_id: market.marketIndex, limit: 100 },
    ordersSchema,
    true,
  );
  const old = inactive.orders.find((o) => String(o.order_index) === id);
  return old ? toOrder(old, market.symbol) : undefined;
}

/**
 * Active orders, of one market or all.
 *
 * @param deps The client's pieces.
 * @param market The market, or `undefined` for all.
 * @param symbolOf Unified symbol of a market index.
 * @returns The orders.
 */
export async function activeOrders(
  deps: Pick<LighterOrderDeps, "rest" | "signer">,
  market: LighterMarket | undefined,
  symbolOf: (marketIndex: number) => string,
): Promise<Order[]> {
  const signer = await deps.signer();
  const r = await deps.rest.get(
    "/api/v1/accountActiveOrders",
    { account_index: signer.accountIndex, market_id: market?.marketIndex ?? LIGHTER_ALL },
    ordersSchema,
    true,
  );
  return r.orders.map((o) => toOrder(o, symbolOf(o.market_index)));
}

/**
 * Cancels one order by venue id or client order index (`CancelOrder`; lighter.md §7.4: values
 * below 2^48 are client ids).
 *
 * @param deps The client's pieces.
 * @param market Its market.
 * @param text The id.
 * @throws {NotFoundError} For an id that is not a number, or when the venue has no such order.
 */
export async function cancelOne(
  deps: Pick<LighterOrderDeps, "rest" | "signer" | "nonces" | "clock">,
  market: LighterMarket,
  text: string | undefined,
): Promise<void> {
  const signer = await deps.signer();
  if (!/^\d+$/.test(text ?? "")) {
    throw new NotFoundError({ venue: "lighter", message: `No order '${text}' on lighter` });
  }
  await deps.nonces().run((nonce) =>
    deps.rest.sendTx(signer.signCancelOrder(
      { marketIndex: market.marketIndex, index: Number(text) },
      { nonce, expiredAt: deps.clock.now() + TX_VALIDITY_MS },
    ))
  );
}

/**
 * Cancels every active order, of one market if given (`CancelAllOrders`, immediate).
 *
 * @param deps The client's pieces.
 * @param market The market, or `undefined` for all.
 */
export async function cancelAll(
  deps: Pick<LighterOrderDeps, "rest" | "signer" | "nonces" | "clock">,
  market: LighterMarket | undefined,
): Promise<void> {
  const signer = await deps.signer();
  await deps.nonces().run((nonce) =>
    deps.rest.sendTx(signer.signCancelAllOrders(
      { timeInForce: 0, ...(market ? { marketIndex: market.marketIndex } : {}) },
      { nonce, expiredAt: deps.clock.now() + TX_VALIDITY_MS },
    ))
  );
}

interface AckWaiter {
  resolve: (order: LighterOrder) => void;
  pending?: LighterOrder;
}

/**
 * Waiters for the stream's reports of orders by client order index: the first report past
 * `pending` / `in-progress` resolves a waiter; at the timeout the last pending report (a real
 * venue order) or `undefined`.
 */
export class OrderAcks {
  readonly #clock: Clock;
  readonly #waiters = new Map<number, Set<AckWaiter>>();

  /**
   * Creates the registry.
   *
   * @param clock Clock of the timeouts.
   */
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * Waits for a report of an order.
   *
   * @param clientOrderIndex The order's client order index.
   * @param timeoutMs Longest wait, in ms.
   * @returns The report promise and a cancel function.
   */
  wait(clientOrderIndex: number, timeoutMs: number): {
    promise: Promise<LighterOrder | undefined>;
    cancel: () => void;
  } {
    const stop = new AbortController();
    let waiter!: AckWaiter;
    const reported = new Promise<LighterOrder>((resolve) => {
      waiter = { resolve };
    });
    const set = this.#waiters.get(clientOrderIndex) ?? new Set();
    set.add(waiter);
    this.#waiters.set(clientOrderIndex, set);
    const cleanup = () => {
      set.delete(waiter);
      if (set.size === 0) this.#waiters.delete(clientOrderIndex);
      stop.abort();
    };
    const timeout = this.#clock.sleep(timeoutMs, stop.signal)
      .then(() => waiter.pending, () => undefined);
    return { promise: Promise.race([reported, timeout]).finally(cleanup), cancel: cleanup };
  }

  /**
   * A report from the stream.
   *
   * @param order The venue's order.
   */
  report(order: LighterOrder): void {
    for (const w of this.#waiters.get(order.client_order_index) ?? []) {
      if (order.status === "pending" || order.status === "in-progress") w.pending = order;
      else w.resolve(order);
    }
  }
}
