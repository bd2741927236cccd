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
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(GRVT_ENVIRONMENTS.testnet.chainId, 326);
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

/**
 * Names of the GRVT environments: the three public ones and `sim`, the local replica (whose
 * hosts come from `startGrvtReplica()` in `sim/grvt/`).
 *
 * @example
 * ```ts
 * import type { GrvtEnvironment } from "./common.ts";
 * const env: GrvtEnvironment = "testnet";
 * ```
 */
export type GrvtEnvironment = "prod" | "testnet" | "dev" | "sim";

/**
 * Every GRVT environment name, in the order they are documented.
 *
 * @example
 * ```ts
 * import { GRVT_ENVIRONMENT_NAMES } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(GRVT_ENVIRONMENT_NAMES.includes("sim"), true);
 * ```
 */
export const GRVT_ENVIRONMENT_NAMES: readonly GrvtEnvironment[] = Object.freeze([
  "prod",
  "testnet",
  "dev",
  "sim",
]);

/**
 * The chain id the replica signs and verifies with: the dev chain id, so a replica order can
 * never be replayed on prod (325) or testnet (326).
 *
 * @example
 * ```ts
 * import { GRVT_SIM_CHAIN_ID } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(GRVT_SIM_CHAIN_ID, 327);
 * ```
 */
export const GRVT_SIM_CHAIN_ID = 327;

/**
 * Environment variables the GRVT client and funding adapter read when an option is missing.
 *
 * @example
 * ```ts
 * import { GRVT_ENV_VARS } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(GRVT_ENV_VARS.apiKey, "GRVT_API_KEY");
 * ```
 */
export const GRVT_ENV_VARS: Readonly<{
  apiKey: "GRVT_API_KEY";
  privateKey: "GRVT_PRIVATE_KEY";
  tradingAccountId: "GRVT_TRADING_ACCOUNT_ID";
  environment: "GRVT_ENVIRONMENT";
}> = Object.freeze({
  apiKey: "GRVT_API_KEY",
  privateKey: "GRVT_PRIVATE_KEY",
  tradingAccountId: "GRVT_TRADING_ACCOUNT_ID",
  environment: "GRVT_ENVIRONMENT",
});

/**
 * Session cookie name set by the login (grvt.md §3.1).
 *
 * @example
 * ```ts
 * import { GRVT_COOKIE_NAME } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(GRVT_COOKIE_NAME, "gravity");
 * ```
 */
export const GRVT_COOKIE_NAME = "gravity";

/**
 * Header carrying the account id, returned by the login and sent on every private call
 * (grvt.md §3.1).
 *
 * @example
 * ```ts
 * import { GRVT_ACCOUNT_ID_HEADER } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(GRVT_ACCOUNT_ID_HEADER, "X-Grvt-Account-Id");
 * ```
 */
export const GRVT_ACCOUNT_ID_HEADER = "X-Grvt-Account-Id";

/**
 * Unified symbols of GRVT base currencies that are not the asset itself. `KPEPE` (currency 13)
 * is a contract on 1000 PEPE (grvt.md §2.4); the table is explicit, never digit-stripping.
 *
 * @example
 * ```ts
 * import { GRVT_SYMBOL_OVERRIDES } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(GRVT_SYMBOL_OVERRIDES.KPEPE, "1000PEPE");
 * ```
 */
export const GRVT_SYMBOL_OVERRIDES: Readonly<Record<string, string>> = Object.freeze({
  KPEPE: "1000PEPE",
});

/**
 * The unified symbol of a GRVT base currency.
 *
 * @param base The instrument's `base` (`"BTC"`, `"KPEPE"`).
 * @returns The unified symbol (`"BTC"`, `"1000PEPE"`).
 *
 * @example
 * ```ts
 * import { grvtUnifiedSymbol } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(grvtUnifiedSymbol("ETH"), "ETH");
 * equal(grvtUnifiedSymbol("KPEPE"), "1000PEPE");
 * ```
 */
export function grvtUnifiedSymbol(base: string): string {
  return GRVT_SYMBOL_OVERRIDES[base] ?? base;
}

/**
 * Converts unix milliseconds to the nanosecond decimal string GRVT uses for times.
 *
 * @param ms Milliseconds since the epoch (an integer).
 * @returns Nanoseconds as a decimal string.
 * @throws {RangeError} If `ms` is not a safe integer.
 *
 * @example
 * ```ts
 * import { msToNs } from "./common.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(msToNs(1_764_777_600_000), "1764777600000000000");
 * ```
 */
export function msToNs(ms: number): string {
  if (!Number.isSafeInteger(ms)) throw new RangeError(`'ms' must be a safe integer: got ${ms}`);
  return (BigInt(ms) * 1_000_000n).toString();
}
