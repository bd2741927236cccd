/**
 * The control object tests and front-ends drive a replica (or a paper venue) through: accounts
 * and funds, price moves, funding scripts, virtual time, orders as any account (including a
 * counter-order that fills "our" order), faults, and the truth about any account (orders,
 * positions, fills, funding paid). Every replica exposes the same operations over HTTP under
 * `/_control` by handing its control object to its server: `SimServer.start({ faults, control })`
 * (see `SimServer.mountControl` for the routes).
 *
 * @module
 */
import type { DecimalInput } from "../core/decimal.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { NotFoundError } from "../core/errors.ts";
import type {
  BalanceView,
  CreateAccountOptions,
  PlaceOptions,
  PlaceResult,
  PositionView,
  SimEngine,
  SimOrderRef,
  SimOrderRequest,
} from "./engine.ts";
import type { FillView, FundingSettlement, OrderView, SimFundingPayment } from "./events.ts";
import { FaultInjector, type FaultRule } from "./faults.ts";
import { type FundingRatePoint, type FundingRateSource, scriptedFundingRates } from "./funding.ts";

/**
 * Everything the engine knows about one account.
 *
 * @example
 * ```ts
 * import type { AccountTruth } from "./control.ts";
 * const flat = (t: AccountTruth) => t.positions.every((p) => p.size === "0");
 * ```
 */
export interface AccountTruth {
  /** Account id. */
  accountId: string;
  /** Money. */
  balance: BalanceView;
  /** Positions on every market traded. */
  positions: PositionView[];
  /** Active orders. */
  openOrders: OrderView[];
  /** Fills, oldest first. */
  fills: FillView[];
  /** Funding payments, oldest first. */
  fundingPayments: SimFundingPayment[];
}

/**
 * A market's funding as the engine sees it: the next settlement and the past ones.
 *
 * @example
 * ```ts
 * import type { FundingTruth } from "./control.ts";
 * const nextRate = (f: FundingTruth) => f.next.rate;
 * ```
 */
export interface FundingTruth {
  /** Market. */
  symbol: string;
  /** The next settlement: time, rate per interval (if it happened now), interval. */
  next: { time: number; rate: string; intervalHours: number };
  /** Settlements so far, oldest first. */
  history: FundingSettlement[];
}

/**
 * Options of {@linkcode SimControl.fillOrder}.
 *
 * @example
 * ```ts
 * import type { FillOrderOptions } from "./control.ts";
 * const half: FillOrderOptions = { size: "0.005" };
 * ```
 */
export interface FillOrderOptions {
  /** How much to fill. @default {the order's remaining size} */
  size?: DecimalInput;
  /** Account that takes the other side (created with unlimited margin if missing). @default {"counterparty"} */
  counterparty?: string;
}

/**
 * Control surface of one simulated venue.
 *
 * @example Fill our order with a counter-order
 * ```ts
 * import { SimControl } from "./control.ts";
 * import { SimEngine } from "./engine.ts";
 * import { ManualClock } from "../exchanges/_shared/clock.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const engine = new SimEngine({ clock: new ManualClock(0) });
 * engine.addInstrument({ symbol: "ETH", tickSize: "0.01", sizeStep: "0.01" }, { markPrice: "2000" });
 * const control = new SimControl(engine);
 * control.createAccount("me", "5000");
 * control.placeOrder("me", { symbol: "ETH", side: "buy", size: "1", price: "1999", clientOrderId: "b1" });
 * control.fillOrder("me", { clientOrderId: "b1" }, { size: "0.4" });
 * equal(control.truth("me").positions[0].size, "0.4");
 * ```
 */
export class SimControl {
  /** The engine. */
  readonly engine: SimEngine;
  /** The fault injector front-ends consult. */
  readonly faults: FaultInjector;

  /**
   * Wraps an engine.
   *
   * @param engine The engine.
   * @param options `faults`: the injector. @default {a new one on the engine's clock}
   */
  constructor(engine: SimEngine, options: { faults?: FaultInjector } = {}) {
    this.engine = engine;
    this.faults = options.faults ?? new FaultInjector({ clock: engine.clock });
  }

  /**
   * Opens an account.
   *
   * @param id Account id.
   * @param collateral Initial deposit. @default {"0"}
   * @param options Margin exemption.
   * @throws {ConfigurationError} If the id is taken.
   */
  createAccount(id: string, collateral?: DecimalInput, options: CreateAccountOptions = {}): void {
    this.engine.createAccount(id, { ...options, collateral });
  }

  /**
   * Adds collateral.
   *
   * @param id Account id.
   * @param amount Positive amount.
   * @throws {NotFoundError} If the account does not exist.
   */
  fund(id: string, amount: DecimalInput): void {
    this.engine.deposit(id, amount);
  }

  /**
   * Sets mark and / or index prices.
   *
   * @param symbol Market.
   * @param prices New prices (multiples of the tick).
   * @throws {InvalidOrderError} If a price is off the tick grid.
   */
  setPrices(symbol: string, prices: { markPrice?: DecimalInput; indexPrice?: DecimalInput }): void {
    this.engine.setPrices(symbol, prices);
  }

  /**
   * Replaces the funding-rate source of a market.
   *
   * @param symbol Market.
   * @param source Source, or undefined for the premium rate.
   */
  setFundingRates(symbol: string, source: FundingRateSource | undefined): void {
    this.engine.setFundingRates(symbol, source);
  }

  /**
   * Scripts a market's funding rate per interval: a constant rate, a step series (each point
   * applies from its time on), or `undefined` for the premium of mark over index.
   *
   * @param symbol Market.
   * @param script Rate, points, or undefined.
   * @throws {TypeError} If a rate is not a decimal.
   */
  scriptFunding(
    symbol: string,
    script: DecimalInput | readonly FundingRatePoint[] | undefined,
  ): void {
    this.engine.setFundingRates(
      symbol,
      script === undefined ? undefined : scriptedFundingRates(script),
    );
  }

  /**
   * A market's next funding settlement and its history.
   *
   * @param symbol Market.
   * @returns The funding truth.
   */
  funding(symbol: string): FundingTruth {
    return {
      symbol,
      next: this.engine.nextFunding(symbol),
      history: this.engine.fundingHistory(symbol),
    };
  }

  /**
   * The engine's virtual time.
   *
   * @returns Milliseconds since the epoch.
   */
  now(): number {
    return this.engine.now();
  }

  /**
   * Moves virtual time forward, running everything due (expiries, funding, price steps). With a
   * `ManualClock` the clock itself moves (waking its sleepers); otherwise the engine runs ahead
   * of its clock.
   *
   * @param ms Milliseconds.
   * @returns Resolves when done.
   */
  async advance(ms: number): Promise<void> {
    const clock = this.engine.clock;
    if (clock instanceof ManualClock) {
      await clock.advance(ms);
      this.engine.sync();
    } else {
      this.engine.advanceTo(this.engine.now() + ms);
    }
  }

  /**
   * Places an order as any account (see {@linkcode SimEngine.placeOrder}).
   *
   * @param accountId Account.
   * @param request Order.
   * @param options Venue-dependent overrides.
   * @returns The order and its fills.
   * @throws {OrderRejectedError} On a rejection (see the engine).
   */
  placeOrder(accountId: string, request: SimOrderRequest, options?: PlaceOptions): PlaceResult {
    return this.engine.placeOrder(accountId, request, options);
  }

  /**
   * Fills (part of) a resting order with an IOC counter-order at its price from another
   * account.
   *
   * @param accountId Owner of the resting order.
   * @param ref The order.
   * @param options Size and counterparty.
   * @returns The counter-order's result.
   * @throws {NotFoundError} If the order is not active.
   */
  fillOrder(accountId: string, ref: SimOrderRef, options: FillOrderOptions = {}): PlaceResult {
    const order = this.engine.getOrder(accountId, ref);
    if (order.status !== "open" && order.status !== "partially_filled") {
      throw new NotFoundError({
        venue: this.engine.venue,
        message: `Order ${order.id} of '${accountId}' is ${order.status}, not resting`,
      });
    }
    const counterparty = options.counterparty ?? "counterparty";
    if (!this.engine.hasAccount(counterparty)) {
      this.engine.createAccount(counterparty, { unlimitedMargin: true });
    }
    return this.engine.placeOrder(counterparty, {
      symbol: order.symbol,
      side: order.side === "buy" ? "sell" : "buy",
      size: options.size ?? order.remainingSize,
      price: order.price,
      timeInForce: "ioc",
    });
  }

  /**
   * Cancels one order of an account.
   *
   * @param accountId Account.
   * @param ref The order.
   * @returns The canceled order.
   * @throws {NotFoundError} If it is not active.
   */
  cancelOrder(accountId: string, ref: SimOrderRef): OrderView {
    return this.engine.cancelOrder(accountId, ref);
  }

  /**
   * One order of an account in any state (open, filled, canceled …).
   *
   * @param accountId Account.
   * @param ref The order.
   * @returns The order.
   * @throws {NotFoundError} If the account never had it.
   */
  order(accountId: string, ref: SimOrderRef): OrderView {
    return this.engine.getOrder(accountId, ref);
  }

  /**
   * Cancels all orders of an account.
   *
   * @param accountId Account.
   * @param symbol Only this market. @default {all}
   * @returns The canceled orders.
   */
  cancelAll(accountId: string, symbol?: string): OrderView[] {
    return this.engine.cancelAll(accountId, symbol);
  }

  /**
   * Installs a fault rule.
   *
   * @param rule The rule.
   * @returns Its id.
   * @throws {ConfigurationError} On an invalid rule.
   */
  injectFault(rule: FaultRule): string {
    return this.faults.inject(rule);
  }

  /**
   * Removes fault rules.
   *
   * @param filter Rule id or `{ frontEnd }`. @default {all}
   */
  clearFaults(filter?: string | { frontEnd: string }): void {
    this.faults.clear(filter);
  }

  /**
   * Everything about one account.
   *
   * @param accountId Account.
   * @returns Balance, positions, open orders, fills and funding payments.
   * @throws {NotFoundError} If the account does not exist.
   */
  truth(accountId: string): AccountTruth {
    const e = this.engine;
    return {
      accountId,
      balance: e.balance(accountId),
      positions: e.positions(accountId),
      openOrders: e.openOrders(accountId),
      fills: e.fills(accountId),
      fundingPayments: e.fundingPayments(accountId),
    };
  }
}
