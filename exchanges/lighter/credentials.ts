/**
 * Lighter credentials from options or the environment: the API key's private key, the account
 * index (or the L1 address to look it up) and the API key index.
 *
 * @module
 */
import { ConfigurationError } from "../../core/errors.ts";
import { registerSecret } from "../../core/redact.ts";

/**
 * What the client needs to trade. `accountIndex` may be left out when `l1Address` is given:
 * the client then looks the index up with `GET /api/v1/accountsByL1Address`.
 *
 * @example
 * ```ts
 * import type { LighterCredentials } from "./credentials.ts";
 * const c: LighterCredentials = { apiKeyPrivateKey: "0x…", accountIndex: 1077, apiKeyIndex: 4 };
 * ```
 */
export interface LighterCredentials {
  /** The API key's private key: 80 hex digits, `0x` optional. */
  apiKeyPrivateKey: string;
  /** The account index (a number, not the wallet address). */
  accountIndex?: number;
  /** The wallet (L1) address that owns the account, to look the index up. */
  l1Address?: string;
  /** The API key index, 0–254 (the web and mobile apps use the lowest ones). */
  apiKeyIndex: number;
}

/**
 * Reads credentials from environment variables: `LIGHTER_API_KEY_PRIVATE_KEY`,
 * `LIGHTER_ACCOUNT_INDEX` (or `LIGHTER_L1_ADDRESS`) and `LIGHTER_API_KEY_INDEX`.
 *
 * @param env Reads one variable. @default {Deno.env.get, undefined without --allow-env}
 * @returns The credentials, or `undefined` when no private key is set.
 * @throws {ConfigurationError} When a key is set but the indices are missing or invalid.
 *
 * @example
 * ```ts
 * import { lighterCredentialsFromEnv } from "./credentials.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const vars: Record<string, string> = {
 *   LIGHTER_API_KEY_PRIVATE_KEY: "ab".repeat(40),
 *   LIGHTER_ACCOUNT_INDEX: "1077",
 *   LIGHTER_API_KEY_INDEX: "4",
 * };
 * const creds = lighterCredentialsFromEnv((name) => vars[name]);
 * equal(creds?.accountIndex, 1077);
 * ```
 */
export function lighterCredentialsFromEnv(
  env: (name: string) => string | undefined = readEnv,
): LighterCredentials | undefined {
  const key = env("LIGHTER_API_KEY_PRIVATE_KEY")?.trim();
  if (!key) return undefined;
  registerSecret(key);
  const account = env("LIGHTER_ACCOUNT_INDEX")?.trim();
  const l1Address = env("LIGHTER_L1_ADDRESS")?.trim() || undefined;
  const apiKey = env("LIGHTER_API_KEY_INDEX")?.trim();
  if (!account && !l1Address) {
    throw new ConfigurationError(
      "Missing Lighter account: set LIGHTER_ACCOUNT_INDEX (the number shown for your account, not the wallet address) or LIGHTER_L1_ADDRESS to look it up",
      { venue: "lighter" },
    );
  }
  if (!apiKey) {
    throw new ConfigurationError(
      "Missing Lighter API key index: set LIGHTER_API_KEY_INDEX (the index the API key was registered under, e.g. 4)",
      { venue: "lighter" },
    );
  }
  return {
    apiKeyPrivateKey: key,
    ...(account ? { accountIndex: parseAccountIndex(account) } : {}),
    ...(l1Address ? { l1Address } : {}),
    apiKeyIndex: parseIndex(apiKey, "LIGHTER_API_KEY_INDEX", 255),
  };
}

/**
 * Checks an index.
 *
 * @param text The value.
 * @param name Its name, for the message.
 * @param max Exclusive upper bound.
 * @returns The index.
 * @throws {ConfigurationError} When it is not an integer in range.
 */
function parseIndex(text: string, name: string, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n >= max) {
    throw new ConfigurationError(
      `Cannot use the Lighter credentials as '${name}' must be an integer in [0, ${max}): current value is ${text}`,
      { venue: "lighter" },
    );
  }
  return n;
}

/** An account index: 0 is the venue's treasury account, which the official signer refuses. */
function parseAccountIndex(text: string): number {
  const n = parseIndex(text, "LIGHTER_ACCOUNT_INDEX", 2 ** 48);
  if (n === 0) {
    throw new ConfigurationError(
      "Cannot use the Lighter credentials as 'LIGHTER_ACCOUNT_INDEX' must be your account's index: 0 is the venue's treasury account",
      { venue: "lighter" },
    );
  }
  return n;
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env
  }
}
