/**
 * The Lighter replica: Lighter's REST and WebSocket protocol on the simulator engine, with
 * transactions verified by Schnorr signature against the registered API key.
 *
 * @example
 * ```ts
 * import { startLighterReplica } from "./mod.ts";
 *
 * await using replica = startLighterReplica();
 * console.log(replica.restUrl, replica.wsUrl, replica.credentials.accountIndex);
 * ```
 *
 * @module
 */
export * from "./replica.ts";
export * from "./tx_verifier.ts";
