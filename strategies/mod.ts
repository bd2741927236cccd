/**
 * Trading strategy building blocks.
 *
 * Strategies work on the venue-independent `ExchangeClient`. This entry point currently
 * exports the helpers they rely on: exact price/size quantization with an explicit rounding
 * direction, and client order ids that are valid per venue — derived ids make a restarted
 * bot send the same id for the same intent, so the venue refuses a duplicate.
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
export * from "../base.ts";
