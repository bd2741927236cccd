/**
 * The trading bot: the grid strategy of the original perp-dex-tools bot and the cross-venue
 * funding-rate arbitrage, both on the
 * venue-independent `ExchangeClient`, a strategy-independent runner (event loop and error
 * policy), the CSV trade log, the venue-client factory (`sim` replicas or live venues), the
 * paper-trading client (`--paper`) and `runBot()`, which `deno task bot` calls.
 *
 * Also exported: exact price/size quantization with an explicit rounding direction, and client
 * order ids that are valid per venue — derived ids make a restarted bot send the same id for
 * the same intent, so it finds what it already sent instead of sending it twice.
 *
 * @example
 * ```ts
 * import { deriveClientOrderId, quantize } from "./mod.ts";
 *
 * const closePrice = quantize("4050.123", "0.01", "up"); // a sell close stays at or above target
 * const id = deriveClientOrderId("grvt", "acct/ETH/close/cycle-42");
 * console.log(closePrice.toString(), id);
 * ```
 *
 * @module
 */
export {
  type ClientOrderIdVenue,
  deriveClientOrderId,
  isValidClientOrderId,
  randomClientOrderId,
} from "../exchanges/_shared/client_order_id.ts";
export {
  decimalsOf,
  fromScaledInteger,
  isMultipleOf,
  quantize,
  type Rounding,
  toScaledInteger,
} from "../exchanges/_shared/quantize.ts";
export * from "./grid.ts";
export * from "./funding_arbitrage.ts";
export * from "./funding_arb_bot.ts";
export type { PairClaim, StoredArbPosition } from "../funding/store.ts";
export * from "./runner.ts";
export * from "./order_tracker.ts";
export * from "./trade_log.ts";
export * from "./venue_clients.ts";
export * from "./paper_trading.ts";
export * from "./pnl.ts";
export * from "./preflight.ts";
export * from "./doctor.ts";
export * from "./bot.ts";
export * from "../base.ts";
