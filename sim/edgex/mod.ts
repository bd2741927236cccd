/**
 * The EdgeX V2 replica: EdgeX's REST and WebSocket protocol on the simulator engine, for
 * testing the real `EdgeXClient` over loopback.
 *
 * @example
 * ```ts
 * import { startEdgeXReplica } from "./mod.ts";
 *
 * await using replica = startEdgeXReplica({ collateral: "25000" });
 * console.log(replica.restUrl, replica.credentials.accountId);
 * ```
 *
 * @module
 */
export * from "./replica.ts";
