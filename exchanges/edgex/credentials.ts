/**
 * EdgeX credentials from options or the environment (`EDGEX_ACCOUNT_ID`, `EDGEX_API_KEY`,
 * `EDGEX_API_SECRET`, `EDGEX_API_PASSPHRASE`, `EDGEX_SIGNER_PRIVATE_KEY`). All five come from
 * the "Perps V2 → SDK Signer → Detail" dialog of the web app (edgex.md §2.1).
 *
 * @module
 */
import { ConfigurationError } from "../../core/errors.ts";
import { registerSecret } from "../../core/redact.ts";
import { EDGEX_ENV } from "./common.ts";

/**
 * Credential options; each falls back to its environment variable.
 *
 * @example
 * ```ts
 * import type { EdgeXCredentialOptions } from "./credentials.ts";
 * const o: EdgeXCredentialOptions = { accountId: "700000000000000001" };
 * ```
 */
export interface EdgeXCredentialOptions {
  /** Perps V2 account id. @default {env EDGEX_ACCOUNT_ID} */
  accountId?: string;
  /** API key. @default {env EDGEX_API_KEY} */
  apiKey?: string;
  /** API secret (HMAC). @default {env EDGEX_API_SECRET} */
  apiSecret?: string;
  /** API passphrase. @default {env EDGEX_API_PASSPHRASE} */
  apiPassphrase?: string;
  /** Signer ("trading") private key, 64 hex digits. @default {env EDGEX_SIGNER_PRIVATE_KEY} */
  signerPrivateKey?: string;
  /** Where to read the environment. @default {Deno.env.get, or nothing without --allow-env} */
  env?: (name: string) => string | undefined;
}

/**
 * The five credentials, all present.
 *
 * @example
 * ```ts
 * import type { EdgeXResolvedCredentials } from "./credentials.ts";
 * const id = (c: EdgeXResolvedCredentials) => c.accountId;
 * ```
 */
export interface EdgeXResolvedCredentials {
  /** Perps V2 account id. */
  readonly accountId: string;
  /** API key. */
  readonly apiKey: string;
  /** API secret. */
  readonly apiSecret: string;
  /** API passphrase. */
  readonly apiPassphrase: string;
  /** Signer private key. */
  readonly signerPrivateKey: string;
}

function denoEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    // No --allow-env: behave as if unset; the error below names what is missing.
    return undefined;
  }
}

/**
 * Resolves the credentials, registering every secret for redaction.
 *
 * @param options Values given in code; missing ones are read from the environment.
 * @returns The credentials.
 * @throws {ConfigurationError} Naming every missing credential at once (and the account id if it
 * is not a decimal integer).
 *
 * @example
 * ```ts
 * import { resolveEdgeXCredentials } from "./credentials.ts";
 * import { throws } from "node:assert/strict";
 *
 * throws(
 *   () => resolveEdgeXCredentials({ accountId: "1", env: () => undefined }),
 *   /EDGEX_API_KEY, EDGEX_API_SECRET, EDGEX_API_PASSPHRASE, EDGEX_SIGNER_PRIVATE_KEY/,
 * );
 * ```
 */
export function resolveEdgeXCredentials(
  options: EdgeXCredentialOptions = {},
): EdgeXResolvedCredentials {
  const env = options.env ?? denoEnv;
  const pick = (given: string | undefined, name: string) => {
    const v = (given ?? env(name) ?? "").trim();
    return v === "" ? undefined : v;
  };
  const values = {
    accountId: pick(options.accountId, EDGEX_ENV.accountId),
    apiKey: pick(options.apiKey, EDGEX_ENV.apiKey),
    apiSecret: pick(options.apiSecret, EDGEX_ENV.apiSecret),
    apiPassphrase: pick(options.apiPassphrase, EDGEX_ENV.apiPassphrase),
    signerPrivateKey: pick(options.signerPrivateKey, EDGEX_ENV.signerPrivateKey),
  };
  registerSecret(values.apiSecret);
  registerSecret(values.apiPassphrase);
  registerSecret(values.signerPrivateKey);
  const missing = (Object.keys(values) as (keyof typeof values)[])
    .filter((k) => values[k] === undefined)
    .map((k) => EDGEX_ENV[k]);
  if (missing.length > 0) {
    throw new ConfigurationError(
      `Cannot create the EdgeX client as credentials are missing: ${
        missing.join(", ")
      } (pass them as options accountId / apiKey / apiSecret / apiPassphrase / signerPrivateKey or set these environment variables)`,
      { venue: "edgex" },
    );
  }
  if (!/^\d{1,20}$/.test(values.accountId!)) {
    throw new ConfigurationError(
      `Cannot create the EdgeX client as '${EDGEX_ENV.accountId}' must be the Perps V2 account id (digits): current value is ${values.accountId}`,
      { venue: "edgex" },
    );
  }
  return values as EdgeXResolvedCredentials;
}
