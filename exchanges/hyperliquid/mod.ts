/**
 * Hyperliquid: trading client, funding adapter and L1 action signing.
 *
 * ```ts ignore
 * import { HyperliquidClient } from "jsr:@perp/exchange-clients/hyperliquid";
 * ```
 *
 * Facts and their sources are in the docs of `common.ts` (hosts, rate limits, order rules,
 * funding units) and `signing.ts` (MessagePack action hash, phantom agent, user-signed
 * actions; every official vector of the Python SDK is reproduced in `signing_test.ts`).
 *
 * The tick follows the price (5 significant figures, integers always allowed): `getMarket`
 * reports the tick of the current price, so call it before computing prices, not once at start.
 *
 * @module
 */
export { HyperliquidClient, type HyperliquidClientOptions } from "./client.ts";
export {
  HyperliquidFundingAdapter,
  type HyperliquidFundingAdapterOptions,
} from "./funding_adapter.ts";
export {
  actionHash,
  createHyperliquidSigner,
  encodeMsgpack,
  type ExchangeRequest,
  type HyperliquidSignature,
  type HyperliquidSigner,
  type HyperliquidSignerOptions,
  type MsgpackValue,
  phantomAgentDigest,
  signDigest,
  toWireDecimal,
  USER_SIGNED_TYPES,
  userSignedDigest,
  type UserSignedTypes,
} from "./signing.ts";
export {
  CLOID,
  effectiveTick,
  HYPERLIQUID_HOSTS,
  type HyperliquidEnvironment,
  type HyperliquidHosts,
  type HyperliquidMarket,
  priceStep,
  quotingTick,
  randomCloid,
  resolveHyperliquidHosts,
  TICK_HEADROOM,
  validPrice,
} from "./common.ts";
export type { FetchLike } from "../_shared/http.ts";
export type { WebSocketConstructor } from "../_shared/ws.ts";
export * from "../../base.ts";
