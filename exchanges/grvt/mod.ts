/**
 * GRVT perpetuals: {@linkcode GRVTClient} (trading, `ExchangeClient`) and
 * {@linkcode GRVTFundingAdapter} (funding rates and market data, `FundingAdapter`), with the
 * environments and EIP-712 order signing they build on.
 *
 * Credentials come from options or from `GRVT_API_KEY`, `GRVT_PRIVATE_KEY` (the API key
 * wallet's key, which signs orders) and `GRVT_TRADING_ACCOUNT_ID`; the environment (`prod`,
 * `testnet`, `dev`, or `sim` for the local replica) from `GRVT_ENVIRONMENT`. This entry point
 * loads only GRVT's code and viem.
 *
 * Trading behaviour worth knowing:
 * - A market order is sent as a limit IOC (or FOK) at its `worstPrice` — by default the best
 *   opposite price moved by the `slippage` option (5 %) — because GRVT market orders carry no
 *   price bound.
 * - An order is never sent twice: a lost or unreadable `create_order` answer is resolved by
 *   looking the order up by client order id until `outcomeDeadlineMs`, then
 *   `OrderOutcomeUnknownError` (carrying the client order id) is thrown.
 * - Both sockets ping every `heartbeatMs` (3 s) and are reconnected after `idleTimeoutMs`
 *   (10 s) without a frame; a live book reads `stale` after `maxSilenceMs` (5 s) of silence.
 *
 * @example Funding rates need no credentials
 * ```ts ignore
 * import { GRVTFundingAdapter } from "./mod.ts";
 *
 * await using funding = new GRVTFundingAdapter({ environment: "prod" });
 * for (const r of await funding.fetchFundingRates({ symbols: ["BTC", "ETH"] })) {
 *   console.log(r.symbol, r.rate.toString(), `per ${r.intervalHours} h`, r.apr.toString());
 * }
 * ```
 *
 * @example Environments
 * ```ts
 * import { GRVT_ENVIRONMENTS } from "./mod.ts";
 * console.log(GRVT_ENVIRONMENTS.prod.tradesUrl, GRVT_ENVIRONMENTS.testnet.chainId);
 * ```
 *
 * @module
 */
export * from "./common.ts";
export * from "./signing.ts";
export { GRVTClient, type GRVTClientOptions } from "./client.ts";
export { GRVTFundingAdapter, type GRVTFundingAdapterOptions } from "./funding_adapter.ts";
export {
  type GrvtConnectionOptions,
  type GrvtCredentials,
  type GrvtEnvSource,
  type GrvtResolvedEnvironment,
  resolveGrvtConfig,
  resolveGrvtCredentials,
} from "./config.ts";
export type { FetchLike } from "../_shared/http.ts";
export type { WebSocketConstructor, WsReconnectOptions } from "../_shared/ws.ts";
export type { Jitter } from "../_shared/backoff.ts";
export * from "../../base.ts";
