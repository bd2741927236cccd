/**
 * The Hyperliquid replica: Hyperliquid's `/info`, `/exchange` and WebSocket protocol on the
 * simulator engine, for testing the real `HyperliquidClient` over loopback.
 *
 * @example
 * ```ts
 * import { startHyperliquidReplica } from "./mod.ts";
 *
 * await using replica = startHyperliquidReplica({ collateral: "25000" });
 * console.log(replica.hosts.apiUrl, replica.credentials.accountAddress);
 * ```
 *
 * @module
 */
export * from "./replica.ts";
export {
  canonicalAction,
  connectionId,
  type JsonObject,
  recoverActionSigner,
  type WireSignature,
} from "./action_signature.ts";
