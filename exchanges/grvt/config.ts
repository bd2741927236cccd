/**
 * Resolves a GRVT environment and credentials from options, falling back to the environment
 * variables `GRVT_API_KEY`, `GRVT_PRIVATE_KEY`, `GRVT_TRADING_ACCOUNT_ID` and
 * `GRVT_ENVIRONMENT`. Every credential is registered with the redactor as soon as it is read.
 *
 * @module
 */
import { ConfigurationError } from "../../core/errors.ts";
import { registerSecret } from "../../core/redact.ts";
import {
  GRVT_ENV_VARS,
  GRVT_ENVIRONMENT_NAMES,
  GRVT_ENVIRONMENTS,
  GRVT_SIM_CHAIN_ID,
  type GrvtEnvironment,
  type GrvtEnvironmentHosts,
} from "./common.ts";

/**
 * Where the GRVT client reads missing settings from: a map of variables or a lookup function.
 *
 * @example
 * ```ts
 * import type { GrvtEnvSource } from "./config.ts";
 * const env: GrvtEnvSource = { GRVT_ENVIRONMENT: "testnet" };
 * ```
 */
export type GrvtEnvSource =
  | Readonly<Record<string, string | undefined>>
  | ((name: string) => string | undefined);

/**
 * Settings shared by {@linkcode resolveGrvtConfig}'s callers (client and funding adapter).
 *
 * @example
 * ```ts
 * import type { GrvtConnectionOptions } from "./config.ts";
 * const o: GrvtConnectionOptions = { environment: "testnet" };
 * ```
 */
export interface GrvtConnectionOptions {
  /** Environment. @default {GRVT_ENVIRONMENT, else "prod"} */
  environment?: GrvtEnvironment;
  /**
   * Host overrides; required (all three URLs) for `"sim"`, where they come from the replica.
   * @default {the environment's hosts}
   */
  hosts?: Partial<GrvtEnvironmentHosts>;
  /** Where to read missing settings. @default {Deno.env} */
  env?: GrvtEnvSource;
}

/**
 * Credentials of a trading client.
 *
 * @example
 * ```ts
 * import type { GrvtCredentials } from "./config.ts";
 * const c: Partial<GrvtCredentials> = { tradingAccountId: "2147050003876484" };
 * ```
 */
export interface GrvtCredentials {
  /** API key id (`GRVT_API_KEY`). */
  apiKey: string;
  /** Private key of the API key's wallet, which signs orders (`GRVT_PRIVATE_KEY`). */
  privateKey: string;
  /** Trading (sub-)account id, a uint64 (`GRVT_TRADING_ACCOUNT_ID`). */
  tradingAccountId: string;
}

/**
 * A resolved environment.
 *
 * @example
 * ```ts
 * import { resolveGrvtConfig, type GrvtResolvedEnvironment } from "./config.ts";
 * const r: GrvtResolvedEnvironment = resolveGrvtConfig({ environment: "prod", env: {} });
 * ```
 */
export interface GrvtResolvedEnvironment {
  /** Environment name. */
  environment: GrvtEnvironment;
  /** Hosts and chain id. */
  hosts: GrvtEnvironmentHosts;
}

function reader(env: GrvtEnvSource | undefined): (name: string) => string | undefined {
  if (typeof env === "function") return env;
  if (env !== undefined) return (name) => env[name];
  return (name) => {
    try {
      return Deno.env.get(name);
    } catch {
      // No --allow-env: behave as if unset; the error below names the variables.
      return undefined;
    }
  };
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/**
 * Resolves the environment and its hosts.
 *
 * @param options Environment, host overrides and variable source.
 * @returns The environment and hosts.
 * @throws {ConfigurationError} If the environment name is unknown, or `sim` lacks its hosts.
 *
 * @example
 * ```ts
 * import { resolveGrvtConfig } from "./config.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const { hosts } = resolveGrvtConfig({ env: { GRVT_ENVIRONMENT: "testnet" } });
 * equal(hosts.chainId, 326);
 * ```
 */
export function resolveGrvtConfig(options: GrvtConnectionOptions = {}): GrvtResolvedEnvironment {
  const read = reader(options.env);
  const raw = options.environment ?? nonEmpty(read(GRVT_ENV_VARS.environment)) ?? "prod";
  if (!GRVT_ENVIRONMENT_NAMES.includes(raw as GrvtEnvironment)) {
    throw new ConfigurationError(
      `Cannot configure grvt as '${GRVT_ENV_VARS.environment}' must be one of ${
        GRVT_ENVIRONMENT_NAMES.join(", ")
      }: current value is ${raw}`,
      { venue: "grvt" },
    );
  }
  const environment = raw as GrvtEnvironment;
  const o = options.hosts ?? {};
  if (environment === "sim") {
    const missing = (["edgeUrl", "tradesUrl", "marketDataUrl"] as const).filter((k) => !o[k]);
    if (missing.length > 0) {
      throw new ConfigurationError(
        `Cannot configure grvt environment 'sim' as 'hosts' must give ${
          missing.join(", ")
        } (take them from startGrvtReplica() in sim/grvt/)`,
        { venue: "grvt" },
      );
    }
    return {
      environment,
      hosts: {
        edgeUrl: o.edgeUrl!,
        tradesUrl: o.tradesUrl!,
        marketDataUrl: o.marketDataUrl!,
        chainId: o.chainId ?? GRVT_SIM_CHAIN_ID,
      },
    };
  }
  return { environment, hosts: { ...GRVT_ENVIRONMENTS[environment], ...o } };
}

/**
 * Resolves the trading credentials from options, then from the environment variables.
 *
 * @param given Credentials passed as options.
 * @param env Where to read the missing ones. @default {Deno.env}
 * @returns The three credentials, each registered as a secret.
 * @throws {ConfigurationError} Naming every missing variable at once, or a bad account id.
 *
 * @example
 * ```ts
 * import { resolveGrvtCredentials } from "./config.ts";
 * import { throws } from "node:assert/strict";
 *
 * throws(() => resolveGrvtCredentials({}, {}), /GRVT_API_KEY, GRVT_PRIVATE_KEY, GRVT_TRADING_ACCOUNT_ID/);
 * ```
 */
export function resolveGrvtCredentials(
  given: Partial<GrvtCredentials>,
  env?: GrvtEnvSource,
): GrvtCredentials {
  const read = reader(env);
  const apiKey = nonEmpty(given.apiKey) ?? nonEmpty(read(GRVT_ENV_VARS.apiKey));
  const privateKey = nonEmpty(given.privateKey) ?? nonEmpty(read(GRVT_ENV_VARS.privateKey));
  const tradingAccountId = nonEmpty(given.tradingAccountId) ??
    nonEmpty(read(GRVT_ENV_VARS.tradingAccountId));
  registerSecret(apiKey);
  registerSecret(privateKey);
  const missing: string[] = [];
  if (!apiKey) missing.push(`${GRVT_ENV_VARS.apiKey} (option apiKey)`);
  if (!privateKey) missing.push(`${GRVT_ENV_VARS.privateKey} (option privateKey)`);
  if (!tradingAccountId) {
    missing.push(`${GRVT_ENV_VARS.tradingAccountId} (option tradingAccountId)`);
  }
  if (missing.length > 0) {
    throw new ConfigurationError(
      `Cannot trade on grvt without credentials: set ${
        missing.map((m) => m.split(" ")[0]).join(", ")
      } or pass ${missing.map((m) => m.replace(/^.*\(option (\w+)\)$/, "$1")).join(", ")}`,
      { venue: "grvt" },
    );
  }
  if (!/^\d{1,20}$/.test(tradingAccountId!) || BigInt(tradingAccountId!) >= 1n << 64n) {
    throw new ConfigurationError(
      `Cannot trade on grvt as '${GRVT_ENV_VARS.tradingAccountId}' must be a uint64 sub-account id: current value is ${tradingAccountId}`,
      { venue: "grvt" },
    );
  }
  return { apiKey: apiKey!, privateKey: privateKey!, tradingAccountId: tradingAccountId! };
}

/**
 * The `/ws/full` URL of an HTTP host (`https://trades.grvt.io` → `wss://trades.grvt.io/ws/full`).
 *
 * @param httpUrl The host's HTTP(S) URL.
 * @returns The WebSocket URL.
 *
 * @example
 * ```ts
 * import { grvtWsUrl } from "./config.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(grvtWsUrl("https://market-data.grvt.io"), "wss://market-data.grvt.io/ws/full");
 * ```
 */
export function grvtWsUrl(httpUrl: string): string {
  const u = new URL(httpUrl);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  u.pathname = `${u.pathname.replace(/\/+$/, "")}/ws/full`;
  return u.href;
}
