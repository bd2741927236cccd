/**
 * Accounts of the simulator: collateral, signed positions with a cost basis, realized PnL,
 * fees, funding, and the margin arithmetic. All cash is a bigint of 10^-24 quote units, all
 * positions integer lots, so every amount is exact.
 *
 * Accounting identity kept by every operation (the conservation invariant):
 * `Σ (cash − cost·tickLotAtoms) + feesCollected = Σ deposits − Σ withdrawals` over all accounts,
 * where `cost` is the signed entry value of the open position in ticks·lots. Since positions sum
 * to zero, total equity at any common mark plus collected fees equals net deposits.
 *
 * @module
 */
import { ceilDiv, type Ratio } from "./_fixed.ts";
import type { Instrument } from "./instrument.ts";

/**
 * Position state of one account in one instrument.
 *
 * @example
 * ```ts
 * import { Account } from "./account.ts";
 * import { Instrument } from "./instrument.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const inst = new Instrument({ symbol: "BTC", tickSize: "1", sizeStep: "1" });
 * const p = new Account("a").position(inst);
 * equal(p.lots, 0);
 * ```
 */
export class PositionState {
  /** The instrument. */
  readonly instrument: Instrument;
  /** Signed size in lots (positive = long). */
  lots = 0;
  /** Signed entry value of the open position in ticks·lots (positive for a long). */
  cost = 0n;
  /** Cumulative realized PnL in cash atoms (trading only, excluding fees and funding). */
  realized = 0n;
  /** Cumulative fees paid in cash atoms (negative = rebates received). */
  fees = 0n;
  /** Cumulative funding received in cash atoms (negative = paid). */
  funding = 0n;
  /** Lots of resting non-reduce-only buy orders. */
  openBuyLots = 0;
  /** Lots of resting non-reduce-only sell orders. */
  openSellLots = 0;
  /** Leverage chosen by the account (≤ the instrument's maximum). */
  leverage: Ratio;

  /**
   * An empty position.
   *
   * @param instrument The instrument.
   */
  constructor(instrument: Instrument) {
    this.instrument = instrument;
    this.leverage = instrument.maxLeverageRatio;
  }

  /**
   * Applies a trade of `dLots` (signed, + buy) at `priceTicks` to the position.
   *
   * Reducing removes a proportional share of the cost basis (truncated); the truncation stays
   * in the remaining basis, so the realized total over a position's life is exact.
   *
   * @param dLots Signed lots traded.
   * @param priceTicks Trade price in ticks.
   * @returns The realized PnL in cash atoms (0 when only opening).
   */
  apply(dLots: number, priceTicks: number): bigint {
    const pos = this.lots;
    if (pos === 0 || (pos > 0) === (dLots > 0)) {
      this.cost += BigInt(dLots) * BigInt(priceTicks);
      this.lots = pos + dLots;
      return 0n;
    }
    const absPos = pos < 0 ? -pos : pos;
    const absD = dLots < 0 ? -dLots : dLots;
    const closing = absD < absPos ? absD : absPos;
    const closingSigned = dLots > 0 ? closing : -closing;
    const removed = closing === absPos ? this.cost : (this.cost * BigInt(closing)) / BigInt(absPos);
    const realizedTL = -BigInt(closingSigned) * BigInt(priceTicks) - removed;
    this.cost -= removed;
    this.lots = pos + closingSigned;
    const rest = dLots - closingSigned;
    if (rest !== 0) {
      this.cost += BigInt(rest) * BigInt(priceTicks);
      this.lots += rest;
    }
    const realized = realizedTL * this.instrument.tickLotAtoms;
    this.realized += realized;
    return realized;
  }

  /**
   * Unrealized PnL at a price.
   *
   * @param markTicks The mark price in ticks.
   * @returns Cash atoms.
   */
  unrealized(markTicks: number): bigint {
    if (this.lots === 0) return 0n;
    return (BigInt(this.lots) * BigInt(markTicks) - this.cost) * this.instrument.tickLotAtoms;
  }

  /**
   * Initial margin for the position plus resting orders (worst case of either side filling),
   * optionally with extra lots of a new order.
   *
   * @param refTicks Reference price in ticks.
   * @param extraBuy Extra buy lots. @default {0}
   * @param extraSell Extra sell lots. @default {0}
   * @returns Cash atoms, rounded up.
   */
  initialMargin(refTicks: number, extraBuy = 0, extraSell = 0): bigint {
    const up = Math.abs(this.lots + this.openBuyLots + extraBuy);
    const down = Math.abs(this.lots - this.openSellLots - extraSell);
    const exposure = up > down ? up : down;
    if (exposure === 0) return 0n;
    const notional = BigInt(exposure) * BigInt(refTicks) * this.instrument.tickLotAtoms;
    return ceilDiv(notional * this.leverage.den, this.leverage.num);
  }

  /**
   * Maintenance margin of the position.
   *
   * @param markTicks Mark price in ticks.
   * @returns Cash atoms, rounded up.
   */
  maintenanceMargin(markTicks: number): bigint {
    if (this.lots === 0) return 0n;
    const abs = this.lots < 0 ? -this.lots : this.lots;
    const notional = BigInt(abs) * BigInt(markTicks) * this.instrument.tickLotAtoms;
    const r = this.instrument.maintenanceRatio;
    return ceilDiv(notional * r.num, r.den);
  }
}

/**
 * One trading account: collateral and per-instrument positions.
 *
 * @example
 * ```ts
 * import { Account } from "./account.ts";
 * import { Instrument } from "./instrument.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const inst = new Instrument({ symbol: "BTC", tickSize: "1", sizeStep: "1" });
 * const acc = new Account("alice");
 * const p = acc.position(inst);
 * p.apply(2, 100); // buy 2 @ 100
 * deepStrictEqual(p.apply(-2, 110), 20n * inst.tickLotAtoms); // sell 2 @ 110: +20 realized
 * ```
 */
export class Account {
  /** Account id. */
  readonly id: string;
  /** Collateral in cash atoms: deposits + realized PnL − fees + funding. */
  cash = 0n;
  /** Net deposits in cash atoms. */
  deposited = 0n;
  /** Exempt from margin checks and liquidation (liquidity and backstop accounts). */
  unlimitedMargin = false;
  /** Positions by symbol, in creation order. */
  readonly positions: Map<string, PositionState> = new Map();

  /**
   * An empty account.
   *
   * @param id Account id.
   */
  constructor(id: string) {
    this.id = id;
  }

  /**
   * The position state for an instrument, created empty on first use.
   *
   * @param instrument The instrument.
   * @returns The state.
   */
  position(instrument: Instrument): PositionState {
    let p = this.positions.get(instrument.symbol);
    if (p === undefined) {
      p = new PositionState(instrument);
      this.positions.set(instrument.symbol, p);
    }
    return p;
  }

  /**
   * Equity: cash plus unrealized PnL at each instrument's price.
   *
   * @param priceOf Mark price in ticks of a symbol.
   * @returns Cash atoms.
   */
  equity(priceOf: (symbol: string) => number): bigint {
    let eq = this.cash;
    for (const p of this.positions.values()) {
      if (p.lots !== 0) eq += p.unrealized(priceOf(p.instrument.symbol));
    }
    return eq;
  }
}
