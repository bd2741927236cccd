/**
 * The Lighter transaction signer in plain TypeScript: Poseidon2 hashing over the Goldilocks
 * field and Schnorr signatures over the ECgFp5 curve, byte-compatible with the official Go
 * signer (every official test vector reproduces), with no WebAssembly and no dependencies.
 *
 * - {@linkcode LighterSigner}: `CreateOrder`, `CancelOrder`, `CancelAllOrders`, `ModifyOrder`,
 *   `UpdateLeverage` and auth tokens; the private key stays in a private field and is redacted
 *   everywhere.
 * - {@linkcode verify}: checks a signature on a hashed message.
 * - {@linkcode publicKeyFromPrivateKey} and {@linkcode generateApiKey}: API keys.
 *
 * @example Sign an order and an auth token
 * ```ts
 * import { LighterSigner, verify } from "./mod.ts";
 * import { match, ok } from "node:assert/strict";
 *
 * const signer = new LighterSigner({
 *   privateKey: "0b8e0f63c24d8baacd9d29ad4e9a4b73c4a8d2bb8b16dc4fa9d7c2e1d3a8b1f0e8d3a4c5b6e7f001",
 *   accountIndex: 12345,
 *   apiKeyIndex: 5,
 *   chainId: 304,
 * });
 * const { txType, txInfo, txHash } = signer.signCreateOrder(
 *   {
 *     marketIndex: 0,
 *     clientOrderIndex: 123,
 *     baseAmount: 1000, // 0.1 ETH at 4 size decimals
 *     price: 405000, // 4050.00 at 2 price decimals
 *     isAsk: true,
 *     type: 0, // limit
 *     timeInForce: 2, // post-only
 *     orderExpiry: Date.now() + 28 * 24 * 3600 * 1000,
 *   },
 *   { nonce: 0 },
 * );
 * const sig = Uint8Array.from(atob(JSON.parse(txInfo).Sig), (c) => c.charCodeAt(0));
 * ok(txType === 14 && verify(signer.publicKey, txHash, sig));
 *
 * // deadline:account:key:signature (80 bytes, hex)
 * match(signer.createAuthToken(), /^\d+:12345:5:[0-9a-f]{160}$/);
 * ```
 *
 * @module
 */
export * from "./lighter_signer.ts";
export * from "./transactions.ts";
export * from "../../../crypto/ecgfp5/verify.ts";
export { AUTH_TOKEN_MAX_LIFETIME_SECONDS } from "./auth_token.ts";
export {
  generateApiKey,
  type GenerateApiKeyOptions,
  publicKeyFromPrivateKey,
} from "../../../crypto/ecgfp5/keys.ts";
