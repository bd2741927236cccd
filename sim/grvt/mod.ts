/**
 * The GRVT replica: GRVT's REST and WebSocket protocol on the simulator engine, for tests,
 * paper trading and `environment: "sim"`.
 *
 * @example
 * ```ts
 * import { startGrvtReplica } from "./mod.ts";
 *
 * await using replica = startGrvtReplica();
 * console.log(replica.hosts.tradesUrl, replica.credentials.tradingAccountId);
 * ```
 *
 * @module
 */
export * from "./replica.ts";
