/**
 * Lighter L2 transaction parameters, enums and the signed result (lighter.md §5.4–5.5, §7).
 *
 * Integers are venue units: `price` and `triggerPrice` in price ticks (uint32), `baseAmount`
 * in size ticks, timestamps in milliseconds. Fields that can exceed 2^53 (exchange order
 * indexes reach 2^60 − 1) also accept a `bigint`.
 *
 * @module
 */

/** An integer field: a safe integer `number`, or a `bigint` for values above 2^53. */
export type TxInteger = number | bigint;

/**
 * Lighter transaction type codes (LG `types/txtypes/constants.go`).
 *
 * @example
 * ```ts
 * import { LIGHTER_TX_TYPE } from "./transactions.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(LIGHTER_TX_TYPE.createOrder, 14);
 * ```
 */
export const LIGHTER_TX_TYPE: Readonly<{
  createOrder: 14;
  cancelOrder: 15;
  cancelAllOrders: 16;
  modifyOrder: 17;
  updateLeverage: 20;
  approveIntegrator: 45;
}> = Object.freeze(
  {
    createOrder: 14,
    cancelOrder: 15,
    cancelAllOrders: 16,
    modifyOrder: 17,
    updateLeverage: 20,
    approveIntegrator: 45,
  } as const,
);

/** A transaction type code this signer produces. */
export type LighterTxType = (typeof LIGHTER_TX_TYPE)[keyof typeof LIGHTER_TX_TYPE];

/**
 * Order `Type` codes (lighter.md §7.1). Orders of type 7 and 8 are internal to the venue.
 *
 * @example
 * ```ts
 * import { LIGHTER_ORDER_TYPE } from "./transactions.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(LIGHTER_ORDER_TYPE.market, 1);
 * ```
 */
export const LIGHTER_ORDER_TYPE: Readonly<{
  limit: 0;
  market: 1;
  stopLoss: 2;
  stopLossLimit: 3;
  takeProfit: 4;
  takeProfitLimit: 5;
  twap: 6;
}> = Object.freeze(
  {
    limit: 0,
    market: 1,
    stopLoss: 2,
    stopLossLimit: 3,
    takeProfit: 4,
    takeProfitLimit: 5,
    twap: 6,
  } as const,
);

/** An order type code, 0–6. */
export type LighterOrderType = (typeof LIGHTER_ORDER_TYPE)[keyof typeof LIGHTER_ORDER_TYPE];

/**
 * Order `TimeInForce` codes (lighter.md §7.1).
 *
 * @example
 * ```ts
 * import { LIGHTER_TIME_IN_FORCE } from "./transactions.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(LIGHTER_TIME_IN_FORCE.postOnly, 2);
 * ```
 */
export const LIGHTER_TIME_IN_FORCE: Readonly<
  { immediateOrCancel: 0; goodTillTime: 1; postOnly: 2 }
> = Object.freeze(
  { immediateOrCancel: 0, goodTillTime: 1, postOnly: 2 } as const,
);

/** A time-in-force code, 0–2. */
export type LighterTimeInForce = (typeof LIGHTER_TIME_IN_FORCE)[keyof typeof LIGHTER_TIME_IN_FORCE];

/**
 * `CancelAllOrders` modes (lighter.md §7.1): cancel now, schedule a cancel at `time` (a
 * dead-man switch), or abort the scheduled one.
 *
 * @example
 * ```ts
 * import { LIGHTER_CANCEL_ALL_MODE } from "./transactions.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(LIGHTER_CANCEL_ALL_MODE.scheduled, 1);
 * ```
 */
export const LIGHTER_CANCEL_ALL_MODE: Readonly<{ immediate: 0; scheduled: 1; abort: 2 }> = Object
  .freeze(
    { immediate: 0, scheduled: 1, abort: 2 } as const,
  );

/** A cancel-all mode code, 0–2. */
export type LighterCancelAllMode =
  (typeof LIGHTER_CANCEL_ALL_MODE)[keyof typeof LIGHTER_CANCEL_ALL_MODE];

/**
 * Optional integrator fee attributes (L2TxAttributes 1–3, lighter.md §5.5). Fees are in
 * 1e-6 units (250 = 0.025 %) and require `integratorAccountIndex`.
 */
export interface IntegratorFeeAttributes {
  /** Integrator account (attribute 1); 0 = none. @default {0} */
  integratorAccountIndex?: number;
  /** Integrator taker fee, 0–1 000 000 (attribute 2). @default {0} */
  integratorTakerFee?: number;
  /** Integrator maker fee, 0–1 000 000 (attribute 3). @default {0} */
  integratorMakerFee?: number;
}

/**
 * Optional self-trade attributes (L2TxAttributes 6–7). Not allowed together with non-zero
 * integrator fees; mode 3 (reduce) not allowed with equality mode 1.
 */
export interface SelfTradeAttributes {
  /** 0 expire maker, 1 expire taker, 2 cancel both, 3 reduce (attribute 6). @default {0} */
  selfTradeBehaviorMode?: 0 | 1 | 2 | 3;
  /** 0 same account, 1 same master account (attribute 7). @default {0} */
  selfTradeEqualityMode?: 0 | 1;
}

/**
 * A new order (`CreateOrder`, type 14). See lighter.md §7.2 for which combinations of
 * `type`, `timeInForce`, `orderExpiry` and `triggerPrice` are valid; the signer enforces them.
 *
 * @example
 * ```ts
 * import type { CreateOrderParams } from "./transactions.ts";
 * // Sell 0.1 ETH (4 size decimals) at 4050.00 (2 price decimals), good till time.
 * const order: CreateOrderParams = {
 *   marketIndex: 0,
 *   clientOrderIndex: 123,
 *   baseAmount: 1000,
 *   price: 405000,
 *   isAsk: true,
 *   type: 0,
 *   timeInForce: 1,
 *   orderExpiry: 1735689600000,
 * };
 * ```
 */
export interface CreateOrderParams extends IntegratorFeeAttributes, SelfTradeAttributes {
  /** Market index: perps 0–254, spot 2048–4094. */
  marketIndex: number;
  /** Your id for the order, 1 … 2^48 − 1; 0 = none. */
  clientOrderIndex: TxInteger;
  /** Size in size ticks, 1 … 2^48 − 1 (0 only with `reduceOnly`). */
  baseAmount: TxInteger;
  /** Limit (or worst acceptable) price in price ticks, 1 … 2^32 − 1. */
  price: number;
  /** `true` to sell, `false` to buy. */
  isAsk: boolean;
  /** Order type code (see {@linkcode LIGHTER_ORDER_TYPE}). */
  type: LighterOrderType;
  /** Time-in-force code (see {@linkcode LIGHTER_TIME_IN_FORCE}). */
  timeInForce: LighterTimeInForce;
  /** Only reduce a position (perps only). @default {false} */
  reduceOnly?: boolean;
  /** Trigger price for stop-loss / take-profit orders, else 0. @default {0} */
  triggerPrice?: number;
  /** Order expiry in ms since the epoch; 0 for IOC and market orders. @default {0} */
  orderExpiry?: TxInteger;
}

/**
 * Cancel one order (`CancelOrder`, type 15).
 *
 * @example
 * ```ts
 * import type { CancelOrderParams } from "./transactions.ts";
 * const cancel: CancelOrderParams = { marketIndex: 0, index: 123 };
 * ```
 */
export interface CancelOrderParams {
  /** Market index. */
  marketIndex: number;
  /** The client order index (< 2^48) or the exchange order index (≥ 2^48). */
  index: TxInteger;
}

/**
 * Cancel all orders, now or on a schedule (`CancelAllOrders`, type 16).
 *
 * @example
 * ```ts
 * import type { CancelAllOrdersParams } from "./transactions.ts";
 * const all: CancelAllOrdersParams = { timeInForce: 0 };
 * ```
 */
export interface CancelAllOrdersParams {
  /** Mode (see {@linkcode LIGHTER_CANCEL_ALL_MODE}). */
  timeInForce: LighterCancelAllMode;
  /** For a scheduled cancel: when, in ms since the epoch; else 0. @default {0} */
  time?: TxInteger;
  /** Restrict an immediate cancel to one market (attribute 5); omitted = all markets. */
  marketIndex?: number;
}

/**
 * Change an order's size and prices (`ModifyOrder`, type 17).
 *
 * @example
 * ```ts
 * import type { ModifyOrderParams } from "./transactions.ts";
 * const modify: ModifyOrderParams = { marketIndex: 0, index: 123, baseAmount: 1100, price: 410000 };
 * ```
 */
export interface ModifyOrderParams extends IntegratorFeeAttributes, SelfTradeAttributes {
  /** Market index. */
  marketIndex: number;
  /** The client order index or the exchange order index. */
  index: TxInteger;
  /** New size in size ticks. */
  baseAmount: TxInteger;
  /** New price in price ticks. */
  price: number;
  /** New trigger price, or 0. @default {0} */
  triggerPrice?: number;
}

/**
 * Set leverage and margin mode on a market (`UpdateLeverage`, type 20).
 *
 * @example
 * ```ts
 * import type { UpdateLeverageParams } from "./transactions.ts";
 * // 20x isolated: initial margin fraction = 10000 / 20
 * const lev: UpdateLeverageParams = { marketIndex: 3, initialMarginFraction: 500, marginMode: 1 };
 * ```
 */
export interface UpdateLeverageParams {
  /** Market index. */
  marketIndex: number;
  /** Initial margin fraction in 1e-4 units (10000 / leverage), 1–10000. */
  initialMarginFraction: number;
  /** 0 cross, 1 isolated. */
  marginMode: 0 | 1;
}

/**
 * Per-transaction envelope fields.
 *
 * @example
 * ```ts
 * import type { TxOptions } from "./transactions.ts";
 * const opts: TxOptions = { nonce: 7, expiredAt: Date.now() + 599_000 };
 * ```
 */
export interface TxOptions {
  /** The API key's next nonce (`GET /api/v1/nextNonce`), or any nonce with `skipNonce`. */
  nonce: TxInteger;
  /**
   * Validity deadline in ms since the epoch (≤ 2^48 − 1).
   * @default {now + 10 min − 1 s, the official signer's default}
   */
  expiredAt?: number;
  /** Let this transaction use a nonce other than the next one (attribute 4). @default {false} */
  skipNonce?: boolean;
}

/**
 * A signed transaction, ready for `POST /api/v1/sendTx` (`tx_type`, `tx_info`) or the
 * WebSocket `jsonapi/sendtx`.
 *
 * @example
 * ```ts
 * import type { SignedTx } from "./transactions.ts";
 * const show = (tx: SignedTx) => `${tx.txType} ${tx.txHash}`;
 * ```
 */
export interface SignedTx {
  /** The transaction type code. */
  txType: LighterTxType;
  /** The `tx_info` JSON, keys in the official signer's order, `Sig` in base64. */
  txInfo: string;
  /** The transaction hash: lowercase hex of its 40-byte encoding, as the venue reports it. */
  txHash: string;
}
