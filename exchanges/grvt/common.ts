/**
 * GRVT venue constants (shared by the trading client and the funding adapter).
 * Facts from `shared/venues/grvt.md` §1.
 *
 * @module
 */

/**
 * Hosts of one GRVT environment: the login host, the trading host and the market-data host,
 * plus the EIP-712 chain id its order signatures use.
 *
 * @example
 * ```ts
 * import type { GrvtEnvironmentHosts } from "./common.ts";
 * const h: GrvtEnvironmentHosts = {
 *   edgeUrl: "https://edge.grvt.io",
 *   tradesUrl: "https://trades.grvt.io",
 *   marketDataUrl: "https://market-data.grvt.io",
 *   chainId: 325,
 * };
 * ```
 */
export interface GrvtEnvironmentHosts {
  /** Login host (`/auth/api_key/login`). */
  edgeUrl: string;
  /** Trading REST and WebSocket host. */
  tradesUrl: string;
  /** Market-data REST and WebSocket host. */
  marketDataUrl: string;
  /** EIP-712 domain chain id. */
  chainId: number;
}

/**
 * GRVT environments (grvt.md §1, host table).
 *
 * @example
 * ```ts
 * import { GRVT_ENVIRONMENTS } from "./common.ts";
 * GRVT_ENVIRONMENTS.testnet.chainId; // 326
 * ```
 */
export const GRVT_ENVIRONMENTS: Readonly<Record<"prod" | "testnet" | "dev", GrvtEnvironmentHosts>> =
  Object.freeze({
    prod: Object.freeze({
      edgeUrl: "https://edge.grvt.io",
      tradesUrl: "https://trades.grvt.io",
      marketDataUrl: "https://market-data.grvt.io",
      chainId: 325,
    }),
    testnet: Object.freeze({
      edgeUrl: "https://edge.testnet.grvt.io",
      tradesUrl: "https://trades.testnet.grvt.io",
      marketDataUrl: "https://market-data.testnet.grvt.io",
      chainId: 326,
    }),
    dev: Object.freeze({
      edgeUrl: "https://edge.dev.gravitymarkets.io",
      tradesUrl: "https://trades.dev.gravitymarkets.io",
      marketDataUrl: "https://market-data.dev.gravitymarkets.io",
      chainId: 327,
    }),
  });
