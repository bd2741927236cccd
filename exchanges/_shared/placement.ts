/**
 * The one order-placement workflow every venue client runs: validate → client order id →
 * build → sign → send → resolve the outcome. A venue supplies small hooks
 * ({@linkcode PlacementHooks}: build its request, sign it, send it, read the answer, look the
 * order up by client order id, and say when a resend is provably safe); the checks, the id and
 * the outcome rules ({@linkcode placeOnce}) are the same for all.
 *
 * Validation happens before anything is signed, with messages that name the field and say how
 * to fix it: sizes and prices are decimal strings or `Decimal`s (a JS number or exponent
 * notation is refused by name), positive, on the market's step and tick, at least the minimum
 * size and notional; a market order always carries a worst price; post-only only with a
 * resting time in force; a `gtt` expiry inside the venue's window; a client order id valid for
 * the venue.
 *
 * @module
 */
import type { Clock, Market, Order, OrderRequest, Side, TimeInForce } from "../../base.ts";
import { Decimal, type DecimalInput } from "../../core/decimal.ts";
import { InvalidOrderError, OrderRejectedError, type VenueName } from "../../core/errors.ts";
import { isMultipleOf } from "./quantize.ts";
import { placeOnce } from "./place_once.ts";

/**
 * An order request after validation: exact values, defaults filled in.
 *
 * @example
 * ```ts
 * import type { CheckedOrder } from "./placement.ts";
 * const isMaker = (o: CheckedOrder) => o.postOnly;
 * ```
 */
export interface CheckedOrder<M extends Market = Market> {
  /** The market. */
  market: M;
  /** Side. */
  side: Side;
  /** Type. */
  type: "limit" | "market";
  /** Size, positive and on the size step. */
  size: Decimal;
  /** Limit price (limit orders), positive and on the tick. */
  price: Decimal | undefined;
  /** Worst acceptable price (market orders), positive and on the tick. */
  worstPrice: Decimal | undefined;
  /** Time in force (`ioc` for market orders). */
  timeInForce: TimeInForce;
  /** Post-only. */
  postOnly: boolean;
  /** Reduce-only. */
  reduceOnly: boolean;
  /** Expiry in ms since epoch, for `gtt`. */
  expiresAt: number | undefined;
  /** The client order id every attempt carries. */
  clientOrderId: string;
}

/**
 * What a venue supplies to {@linkcode placeOrderWith}.
 *
 * @example
 * ```ts
 * import type { PlacementHooks } from "./placement.ts";
 * type Hooks = PlacementHooks<{ body: string }, string, unknown>;
 * ```
 */
export interface PlacementHooks<B, S, R, M extends Market = Market> {
  /** Venue name for messages. */
  venue: VenueName;
  /** Endpoint for messages. */
  endpoint: string;
  /** The clock for waits and expiry checks. */
  clock: Clock;
  /** The market of a symbol (throws `NotFoundError` when unknown). */
  market: (symbol: string) => Promise<M>;
  /** A fresh client order id. */
  newClientOrderId: () => string;
  /** Whether an id is valid for the venue; the message says the range. */
  clientOrderIdRule: { test: (id: string) => boolean; describe: string };
  /** Time in force values the venue cannot express. @default {[]} */
  unsupportedTimeInForce?: readonly TimeInForce[];
  /** Window for a `gtt` expiry, relative to now. */
  expiryWindow?: { minMs: number; maxMs: number };
  /** The worst price of a market order sent without one (from the book and a slippage). */
  defaultWorstPrice: (market: M, side: Side) => Promise<Decimal>;
  /** Builds the venue's request from the checked order. May refuse with `InvalidOrderError`. */
  build: (order: CheckedOrder<M>) => B | Promise<B>;
  /** Signs one attempt (`attempt` 0 first; again only for a provably safe resend). */
  sign: (built: B, attempt: number) => S | Promise<S>;
  /** Sends one signed attempt; resolves with the raw answer. */
  send: (signed: S) => Promise<R>;
  /** Reads the answer into the order (may wait for the stream). Throws the typed refusal. */
  parse: (answer: R, order: CheckedOrder<M>) => Order | Promise<Order>;
  /** The order by client order id in any state; `undefined` only when the venue says none. */
  lookup: (order: CheckedOrder<M>) => Promise<Order | undefined>;
  /** Whether the venue's rules prove a signed attempt can no longer be accepted. @default {never} */
  canResend?: (signed: S) => boolean | Promise<boolean>;
  /**
   * Longest time spent resolving a doubtful create; a request's own `outcomeDeadlineMs`
   * overrides it for that call. @default {30000}
   */
  outcomeDeadlineMs?: number;
}

/**
 * Validates a request, assigns its client order id, and places it once through the venue's
 * hooks (see the module doc).
 *
 * @param hooks The venue's hooks.
 * @param request The caller's request.
 * @returns The venue's order.
 * @throws {InvalidOrderError} For a request the venue would refuse (checked locally, before
 * anything is signed).
 * @throws {OrderRejectedError} The venue's refusal.
 * @throws {OrderOutcomeUnknownError} When the outcome stays unknown at the deadline.
 *
 * @example
 * ```ts
 * import { placeOrderWith } from "./placement.ts";
 * import { Decimal } from "../../core/decimal.ts";
 * import { ManualClock } from "./clock.ts";
 * import type { Market, Order } from "../../base.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const market: Market = {
 *   venue: "demo", symbol: "BTC", venueSymbol: "BTC-PERP", venueId: 1, baseAsset: "BTC",
 *   quoteAsset: "USD", tickSize: new Decimal("0.1"), sizeStep: new Decimal("0.001"),
 *   minSize: new Decimal("0.001"), minNotional: new Decimal("0"), fundingIntervalHours: 1,
 * };
 * const sent: string[] = [];
 * const order = await placeOrderWith({
 *   venue: "demo", endpoint: "/order", clock: new ManualClock(0),
 *   market: () => Promise.resolve(market),
 *   newClientOrderId: () => "7",
 *   clientOrderIdRule: { test: (id) => /^\d+$/.test(id), describe: "digits" },
 *   defaultWorstPrice: () => Promise.resolve(new Decimal("101")),
 *   build: (o) => `${o.side} ${o.size} @ ${o.price} #${o.clientOrderId}`,
 *   sign: (body) => body,
 *   send: (body) => (sent.push(body), Promise.resolve(body)),
 *   parse: (_answer, o) => ({ clientOrderId: o.clientOrderId, status: "open" }) as Order,
 *   lookup: () => Promise.resolve(undefined),
 * }, { symbol: "BTC", side: "buy", type: "limit", size: "0.010", price: "100.0" });
 * equal(order.clientOrderId, "7");
 * equal(sent[0], "buy 0.01 @ 100 #7");
 * ```
 */
export async function placeOrderWith<B, S, R, M extends Market>(
  hooks: PlacementHooks<B, S, R, M>,
  request: OrderRequest,
): Promise<Order> {
  const market = await hooks.market(request.symbol);
  const checked = await checkOrderRequest(hooks, market, request);
  const built = await hooks.build(checked);
  return placeOnce({
    clientOrderId: checked.clientOrderId,
    venue: hooks.venue,
    endpoint: hooks.endpoint,
    clock: hooks.clock,
    // The call's own deadline (a hedge bound by its own) wins over the client's.
    outcomeDeadlineMs: request.outcomeDeadlineMs ?? hooks.outcomeDeadlineMs,
    sign: (attempt) => hooks.sign(built, attempt),
    send: hooks.send,
    parse: (answer) => hooks.parse(answer, checked),
    lookup: () => hooks.lookup(checked),
    canResend: hooks.canResend,
  });
}

/**
 * The local checks of {@linkcode placeOrderWith}, on their own.
 *
 * @param hooks The venue's rules (id rule, time in force, expiry window, worst price).
 * @param market The order's market.
 * @param request The caller's request.
 * @returns The checked order.
 * @throws {OrderRejectedError} Naming the field and the rule (`InvalidOrderError` for sizes and prices).
 *
 * @example
 * ```ts
 * import { checkOrderRequest } from "./placement.ts";
 * import { Decimal } from "../../core/decimal.ts";
 * import { InvalidOrderError } from "../../core/errors.ts";
 * import { ManualClock } from "./clock.ts";
 * import { rejects } from "node:assert/strict";
 *
 * const market = {
 *   venue: "demo", symbol: "BTC", venueSymbol: "BTC", venueId: 1, baseAsset: "BTC",
 *   quoteAsset: "USD", tickSize: new Decimal("0.1"), sizeStep: new Decimal("0.001"),
 *   minSize: new Decimal("0.001"), minNotional: new Decimal("0"), fundingIntervalHours: 1,
 * };
 * const rules = {
 *   venue: "demo", clock: new ManualClock(0), newClientOrderId: () => "1",
 *   clientOrderIdRule: { test: () => true, describe: "any" },
 *   defaultWorstPrice: () => Promise.resolve(new Decimal("1")),
 * };
 * await rejects(
 *   checkOrderRequest(rules, market, { symbol: "BTC", side: "buy", type: "limit", size: "1e-3", price: "100" }),
 *   InvalidOrderError, // 'size' is in exponent notation: write it as a plain decimal such as "0.001"
 * );
 * ```
 */
export async function checkOrderRequest<M extends Market>(
  hooks: Pick<
    PlacementHooks<unknown, unknown, unknown, M>,
    | "venue"
    | "clock"
    | "newClientOrderId"
    | "clientOrderIdRule"
    | "unsupportedTimeInForce"
    | "expiryWindow"
    | "defaultWorstPrice"
  >,
  market: M,
  request: OrderRequest,
): Promise<CheckedOrder<M>> {
  const venue = hooks.venue;
  const refuse = (message: string, reason: "invalid_size" | "invalid_price" | "other"): never => {
    throw refusal(venue, message, reason);
  };
  if (request.side !== "buy" && request.side !== "sell") {
    refuse(`'side' must be "buy" or "sell": got ${String(request.side)}`, "other");
  }
  if (request.type !== "limit" && request.type !== "market") {
    refuse(`'type' must be "limit" or "market": got ${String(request.type)}`, "other");
  }
  const size = decimalField(request.size, "size", venue, "invalid_size");
  if (!size.gt(0)) refuse(`'size' must be positive: got ${size}`, "invalid_size");
  if (!isMultipleOf(size, market.sizeStep)) {
    refuse(
      `'size' ${size} is not a multiple of the ${market.symbol} size step ${market.sizeStep}`,
      "invalid_size",
    );
  }
  if (size.lt(market.minSize)) {
    refuse(
      `'size' ${size} is below the ${market.symbol} minimum ${market.minSize}`,
      "invalid_size",
    );
  }
  const tif: TimeInForce = request.timeInForce ?? (request.type === "market" ? "ioc" : "gtc");
  if (!["gtc", "gtt", "ioc", "fok"].includes(tif)) {
    refuse(`'timeInForce' must be gtc, gtt, ioc or fok: got ${String(tif)}`, "other");
  }
  if (hooks.unsupportedTimeInForce?.includes(tif)) {
    refuse(`'timeInForce' ${tif} is not offered by the venue`, "other");
  }
  const postOnly = request.postOnly ?? false;
  const reduceOnly = request.reduceOnly ?? false;
  let price: Decimal | undefined;
  let worstPrice: Decimal | undefined;
  if (request.type === "market") {
    if (tif !== "ioc" && tif !== "fok") {
      refuse(`a market order must be ioc or fok: got ${tif}`, "other");
    }
    if (postOnly) refuse("a market order cannot be post-only", "other");
    if (request.price !== undefined) {
      refuse("a market order takes 'worstPrice', not 'price'", "invalid_price");
    }
    worstPrice = request.worstPrice === undefined
      ? await hooks.defaultWorstPrice(market, request.side)
      : decimalField(request.worstPrice, "worstPrice", venue, "invalid_price");
    checkPrice(worstPrice, "worstPrice", market, refuse);
  } else {
    if (request.price === undefined) {
      refuse("'price' is required for a limit order", "invalid_price");
    }
    if (request.worstPrice !== undefined) {
      refuse(
        "'worstPrice' is for market orders; a limit order's price is its bound",
        "invalid_price",
      );
    }
    price = decimalField(request.price!, "price", venue, "invalid_price");
    checkPrice(price, "price", market, refuse);
    if (postOnly && (tif === "ioc" || tif === "fok")) {
      refuse(`a post-only order must rest: 'timeInForce' ${tif} cannot be post-only`, "other");
    }
  }
  const bound = price ?? worstPrice!;
  if (market.minNotional.gt(0) && bound.times(size).lt(market.minNotional)) {
    refuse(
      `notional ${bound.times(size)} is below the ${market.symbol} minimum ${market.minNotional}`,
      "invalid_size",
    );
  }
  const outcome = request.outcomeDeadlineMs;
  if (
    outcome !== undefined && !(typeof outcome === "number" && outcome >= 0 && isFinite(outcome))
  ) {
    refuse(`'outcomeDeadlineMs' must be a number of ms ≥ 0: got ${String(outcome)}`, "other");
  }
  let expiresAt: number | undefined;
  if (tif === "gtt") {
    if (request.expiresAt === undefined) refuse("'expiresAt' is required for gtt", "other");
    expiresAt = request.expiresAt;
  } else if (request.expiresAt !== undefined) {
    refuse(`'expiresAt' is only for gtt orders: 'timeInForce' is ${tif}`, "other");
  }
  if (expiresAt !== undefined) {
    if (!Number.isSafeInteger(expiresAt)) {
      refuse(`'expiresAt' must be whole ms since epoch: got ${expiresAt}`, "other");
    }
    const ahead = expiresAt - hooks.clock.now();
    if (ahead <= 0) {
      refuse(`'expiresAt' ${new Date(expiresAt).toISOString()} has already passed`, "other");
    }
    const w = hooks.expiryWindow;
    if (w !== undefined && (ahead < w.minMs || ahead > w.maxMs)) {
      refuse(
        `'expiresAt' must be ${span(w.minMs)} to ${span(w.maxMs)} ahead: ${
          new Date(expiresAt).toISOString()
        } is ${span(ahead)} ahead`,
        "other",
      );
    }
  }
  const clientOrderId = request.clientOrderId ?? hooks.newClientOrderId();
  if (typeof clientOrderId !== "string" || !hooks.clientOrderIdRule.test(clientOrderId)) {
    refuse(
      `'clientOrderId' must be ${hooks.clientOrderIdRule.describe}: got ${String(clientOrderId)}`,
      "other",
    );
  }
  return {
    market,
    side: request.side,
    type: request.type,
    size,
    price,
    worstPrice,
    timeInForce: tif,
    postOnly,
    reduceOnly,
    expiresAt,
    clientOrderId,
  };
}

function checkPrice(
  value: Decimal,
  name: string,
  market: Market,
  refuse: (message: string, reason: "invalid_price") => never,
): void {
  if (!value.gt(0)) refuse(`'${name}' must be positive: got ${value}`, "invalid_price");
  if (!isMultipleOf(value, market.tickSize)) {
    refuse(
      `'${name}' ${value} is not a multiple of the ${market.symbol} tick ${market.tickSize}`,
      "invalid_price",
    );
  }
}

const PLAIN_DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/**
 * Reads a decimal input, naming the field and the fix when it is a JS number or in exponent
 * notation.
 *
 * @param value The caller's value.
 * @param name Field name.
 * @param venue Venue for the error.
 * @param reason The rejection reason.
 * @returns The exact value.
 * @throws {InvalidOrderError} For anything but a finite plain decimal.
 *
 * @example
 * ```ts
 * import { decimalField } from "./placement.ts";
 * import { InvalidOrderError } from "../../core/errors.ts";
 * import { strictEqual as equal, throws } from "node:assert/strict";
 *
 * equal(decimalField("0.50", "size", "grvt").toString(), "0.5");
 * throws(() => decimalField(0.1 as unknown as string, "size", "grvt", "invalid_size"), (e) => {
 *   equal(e instanceof InvalidOrderError, true);
 *   equal(
 *     (e as Error).message.includes(
 *       `'size' must be a decimal string such as "0.01", not the JS number 0.1 (a float cannot hold most prices exactly)`,
 *     ),
 *     true,
 *   );
 *   return true;
 * });
 * ```
 */
export function decimalField(
  value: DecimalInput,
  name: string,
  venue: VenueName,
  reason: "invalid_size" | "invalid_price" | "other" = "other",
): Decimal {
  const refuse = (what: string): never => {
    throw refusal(venue, what, reason);
  };
  if (Decimal.isDecimal(value)) {
    if (!(value as Decimal).isFinite()) refuse(`'${name}' must be finite: got ${value}`);
    return new Decimal(value);
  }
  if (typeof value === "number") {
    return refuse(
      `'${name}' must be a decimal string such as "0.01", not the JS number ${value} (a float cannot hold most prices exactly)`,
    );
  }
  if (typeof value !== "string") {
    return refuse(`'${name}' must be a decimal string such as "0.01": got ${typeof value}`);
  }
  const text = value.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$/.test(text)) {
    const plain = new Decimal(text).toFixed();
    return refuse(
      `'${name}' is in exponent notation (${
        JSON.stringify(value)
      }): write it as a plain decimal such as "${plain}"`,
    );
  }
  if (!PLAIN_DECIMAL.test(text)) {
    return refuse(
      `'${name}' must be a decimal string such as "0.01": got ${JSON.stringify(value)}`,
    );
  }
  return new Decimal(text);
}

function refusal(
  venue: VenueName,
  what: string,
  reason: "invalid_size" | "invalid_price" | "other",
): OrderRejectedError {
  const message = `Cannot place order on ${venue} as ${what}`;
  return reason === "other"
    ? new OrderRejectedError("other", { venue, message })
    : new InvalidOrderError(reason, { venue, message });
}

function span(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1_000 === 0) return `${ms / 1_000} s`;
  return `${ms} ms`;
}
