/**
 * {@linkcode LighterSigner}: signs Lighter L2 transactions and auth tokens with an API key, in
 * plain TypeScript (Poseidon2 over Goldilocks, Schnorr over ECgFp5; lighter.md §5).
 *
 * @module
 */
import { registerSecret } from "../../../core/redact.ts";
import { ConfigurationError } from "../../../core/errors.ts";
import { precomputeGenerator } from "../../../crypto/ecgfp5/_ecgfp5.ts";
import { type Fp5, fp5ToBytes } from "../../../crypto/ecgfp5/_fp5.ts";
import { toHex } from "../../../crypto/ecgfp5/_hex.ts";
import {
  publicKeyOf,
  type RandomSource,
  sampleScalar,
  signHashed,
} from "../../../crypto/ecgfp5/_schnorr.ts";
import {
  checkEnvelope,
  encodeCancelAllOrders,
  encodeCancelOrder,
  encodeCreateOrder,
  type EncodedTx,
  encodeModifyOrder,
  encodeUpdateLeverage,
  type Envelope,
  hashTx,
  txInfoJson,
} from "./_tx_encoding.ts";
import { AUTH_TOKEN_MAX_LIFETIME_SECONDS, authMessageHash } from "./auth_token.ts";
import { parsePrivateKey } from "../../../crypto/ecgfp5/keys.ts";
import type {
  CancelAllOrdersParams,
  CancelOrderParams,
  CreateOrderParams,
  LighterTxType,
  ModifyOrderParams,
  SignedTx,
  TxOptions,
  UpdateLeverageParams,
} from "./transactions.ts";

/** How to build a {@linkcode LighterSigner}. */
export interface LighterSignerOptions {
  /** The API private key: 80 hex digits (40 bytes), `0x` optional. Registered as a secret. */
  privateKey: string;
  /** The account index the API key belongs to. */
  accountIndex: number;
  /** The API key index, 0–254 (the UI uses the lowest indices; bots use higher ones). */
  apiKeyIndex: number;
  /** Lighter chain id: 304 mainnet, 300 testnet. */
  chainId: number;
  /**
   * Fills a byte array with random bytes for signature nonces. Inject a fixed source only in
   * tests. @default {crypto.getRandomValues}
   */
  random?: (bytes: Uint8Array) => unknown;
  /** Milliseconds since the epoch, for default expiries. @default {Date.now} */
  now?: () => number;
}

/** Options of {@linkcode LighterSigner.createAuthToken}. */
export interface AuthTokenOptions {
  /**
   * Expiry in Unix **seconds**, at most 8 hours ahead.
   * @default {now + 7 hours, the official signer's default}
   */
  deadline?: number;
}

/** The official signer's default `ExpiredAt`: 10 minutes minus one second (LG `DefaultExpireTime`). */
const DEFAULT_EXPIRY_MS = 10 * 60_000 - 1000;
/** The official shared library's default token lifetime. */
const DEFAULT_TOKEN_LIFETIME_SECONDS = 7 * 3600;

/**
 * Signs Lighter transactions and auth tokens with one API key of one account.
 *
 * The private key is held in a `#private` field and registered with the package's redaction,
 * so it appears in no error, log line, `toString()`, `JSON.stringify` or `console.log` output.
 * Signatures use a fresh random nonce each time (`crypto.getRandomValues`), so they differ
 * between calls while the transaction hash does not.
 *
 * @example Sign an order and send it
 * ```ts
 * import { LighterSigner } from "./lighter_signer.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const signer = new LighterSigner({
 *   privateKey: "0b8e0f63c24d8baacd9d29ad4e9a4b73c4a8d2bb8b16dc4fa9d7c2e1d3a8b1f0e8d3a4c5b6e7f001",
 *   accountIndex: 12345,
 *   apiKeyIndex: 5,
 *   chainId: 300,
 * });
 * const tx = signer.signCreateOrder(
 *   {
 *     marketIndex: 0,
 *     clientOrderIndex: 123,
 *     baseAmount: 1000,
 *     price: 405000,
 *     isAsk: true,
 *     type: 0,
 *     timeInForce: 1,
 *     orderExpiry: 1735689600000,
 *   },
 *   { nonce: 0, expiredAt: 1783955882578 },
 * );
 * deepEqual(tx.txType, 14);
 * deepEqual(tx.txHash, "49c80b614c0b7db4082506262f431d63a4bb55a22dd19ad1b7221feef7b6b5f95d7f6427795c8743");
 * // POST /api/v1/sendTx with form fields tx_type=tx.txType, tx_info=tx.txInfo
 * ```
 */
export class LighterSigner {
  #sk: bigint;
  #random: RandomSource;
  #now: () => number;
  /** The account index this signer signs for. */
  readonly accountIndex: number;
  /** The API key index. */
  readonly apiKeyIndex: number;
  /** The chain id bound into every transaction hash. */
  readonly chainId: number;
  /** The API key's public key: 40 bytes as 80 lowercase hex digits, no prefix. */
  readonly publicKey: string;

  /**
   * Builds the signer and precomputes the generator table (about 0.1 s, once per process).
   *
   * @param options Key, account, API key index, chain id, and optional random source / clock.
   * @throws {ConfigurationError} When the key is malformed or an index is out of range.
   */
  constructor(options: LighterSignerOptions) {
    if (typeof options?.privateKey === "string") registerSecret(options.privateKey.trim());
    this.#sk = parsePrivateKey(options?.privateKey);
    this.#random = options.random ?? ((b: Uint8Array) => crypto.getRandomValues(b));
    this.#now = options.now ?? Date.now;
    this.accountIndex = options.accountIndex;
    this.apiKeyIndex = options.apiKeyIndex;
    this.chainId = options.chainId;
    try {
      checkEnvelope(14, this.#envelope(0, 0));
    } catch (e) {
      throw new ConfigurationError(
        `Cannot build the Lighter signer: ${
          (e as Error).message.replace(/^Cannot sign order on lighter as /, "")
        }`,
        { venue: "lighter" },
      );
    }
    precomputeGenerator();
    this.publicKey = toHex(fp5ToBytes(publicKeyOf(this.#sk)));
  }

  #envelope(nonce: TxOptions["nonce"], expiredAt: number | undefined): Envelope {
    return {
      chainId: this.chainId,
      accountIndex: this.accountIndex,
      apiKeyIndex: this.apiKeyIndex,
      nonce,
      expiredAt: expiredAt ?? this.#now() + DEFAULT_EXPIRY_MS,
    };
  }

  #signHash(h: Fp5): Uint8Array {
    return signHashed(this.#sk, h, sampleScalar(this.#random));
  }

  #sign(tx: EncodedTx): SignedTx {
    const h = hashTx(tx);
    const sig = this.#signHash(h);
    return {
      txType: tx.txType as LighterTxType,
      txInfo: txInfoJson(tx, sig),
      txHash: toHex(fp5ToBytes(h)),
    };
  }

  /**
   * Signs a `CreateOrder` (type 14).
   *
   * @param params The order, in venue integer units.
   * @param options Nonce, expiry and `skipNonce`.
   * @returns The transaction type, `tx_info` JSON and hash.
   * @throws {InvalidOrderError} When `price` or `baseAmount` is out of range.
   * @throws {ConfigurationError} When another field is out of range or breaks the venue's
   * type / time-in-force / expiry / trigger rules (lighter.md §7.2).
   *
   * @example
   * ```ts
   * import { LighterSigner } from "./lighter_signer.ts";
   * const signer = new LighterSigner({
   *   privateKey: "0b8e0f63c24d8baacd9d29ad4e9a4b73c4a8d2bb8b16dc4fa9d7c2e1d3a8b1f0e8d3a4c5b6e7f001",
   *   accountIndex: 12345,
   *   apiKeyIndex: 5,
   *   chainId: 304,
   * });
   * // Market buy 0.001 BTC (market 1) with a worst price of 65000.0
   * const tx = signer.signCreateOrder(
   *   { marketIndex: 1, clientOrderIndex: 7, baseAmount: 100, price: 650000, isAsk: false, type: 1, timeInForce: 0 },
   *   { nonce: 42 },
   * );
   * ```
   */
  signCreateOrder(params: CreateOrderParams, options: TxOptions): SignedTx {
    const env = this.#envelope(options.nonce, options.expiredAt);
    return this.#sign(encodeCreateOrder(params, env, options.skipNonce));
  }

  /**
   * Signs a `CancelOrder` (type 15).
   *
   * @param params Market and order index (client or exchange index).
   * @param options Nonce, expiry and `skipNonce`.
   * @returns The transaction type, `tx_info` JSON and hash.
   * @throws {ConfigurationError} When a field is out of range.
   *
   * @example
   * ```ts
   * import { LighterSigner } from "./lighter_signer.ts";
   * const signer = new LighterSigner({
   *   privateKey: "0b8e0f63c24d8baacd9d29ad4e9a4b73c4a8d2bb8b16dc4fa9d7c2e1d3a8b1f0e8d3a4c5b6e7f001",
   *   accountIndex: 12345,
   *   apiKeyIndex: 5,
   *   chainId: 304,
   * });
   * const tx = signer.signCancelOrder({ marketIndex: 0, index: 123 }, { nonce: 43 });
   * ```
   */
  signCancelOrder(params: CancelOrderParams, options: TxOptions): SignedTx {
    const env = this.#envelope(options.nonce, options.expiredAt);
    return this.#sign(encodeCancelOrder(params, env, options.skipNonce));
  }

  /**
   * Signs a `CancelAllOrders` (type 16): now, scheduled (dead-man switch) or abort.
   *
   * @param params Mode, scheduled time and optional market.
   * @param options Nonce, expiry and `skipNonce`.
   * @returns The transaction type, `tx_info` JSON and hash.
   * @throws {ConfigurationError} When a field is out of range or the mode and time disagree.
   *
   * @example
   * ```ts
   * import { LighterSigner } from "./lighter_signer.ts";
   * const signer = new LighterSigner({
   *   privateKey: "0b8e0f63c24d8baacd9d29ad4e9a4b73c4a8d2bb8b16dc4fa9d7c2e1d3a8b1f0e8d3a4c5b6e7f001",
   *   accountIndex: 12345,
   *   apiKeyIndex: 5,
   *   chainId: 304,
   * });
   * const tx = signer.signCancelAllOrders({ timeInForce: 0 }, { nonce: 44 });
   * ```
   */
  signCancelAllOrders(params: CancelAllOrdersParams, options: TxOptions): SignedTx {
    const env = this.#envelope(options.nonce, options.expiredAt);
    return this.#sign(encodeCancelAllOrders(params, env, options.skipNonce));
  }

  /**
   * Signs a `ModifyOrder` (type 17).
   *
   * @param params Market, order index, new size and prices.
   * @param options Nonce, expiry and `skipNonce`.
   * @returns The transaction type, `tx_info` JSON and hash.
   * @throws {InvalidOrderError} When `price` or `baseAmount` is out of range.
   * @throws {ConfigurationError} When another field is out of range.
   *
   * @example
   * ```ts
   * import { LighterSigner } from "./lighter_signer.ts";
   * const signer = new LighterSigner({
   *   privateKey: "0b8e0f63c24d8baacd9d29ad4e9a4b73c4a8d2bb8b16dc4fa9d7c2e1d3a8b1f0e8d3a4c5b6e7f001",
   *   accountIndex: 12345,
   *   apiKeyIndex: 5,
   *   chainId: 304,
   * });
   * const tx = signer.signModifyOrder(
   *   { marketIndex: 0, index: 123, baseAmount: 1100, price: 410000 },
   *   { nonce: 45 },
   * );
   * ```
   */
  signModifyOrder(params: ModifyOrderParams, options: TxOptions): SignedTx {
    const env = this.#envelope(options.nonce, options.expiredAt);
    return this.#sign(encodeModifyOrder(params, env, options.skipNonce));
  }

  /**
   * Signs an `UpdateLeverage` (type 20).
   *
   * @param params Market, initial margin fraction (10000 / leverage) and margin mode.
   * @param options Nonce, expiry and `skipNonce`.
   * @returns The transaction type, `tx_info` JSON and hash.
   * @throws {ConfigurationError} When a field is out of range.
   *
   * @example
   * ```ts
   * import { LighterSigner } from "./lighter_signer.ts";
   * const signer = new LighterSigner({
   *   privateKey: "0b8e0f63c24d8baacd9d29ad4e9a4b73c4a8d2bb8b16dc4fa9d7c2e1d3a8b1f0e8d3a4c5b6e7f001",
   *   accountIndex: 12345,
   *   apiKeyIndex: 5,
   *   chainId: 304,
   * });
   * const tx = signer.signUpdateLeverage(
   *   { marketIndex: 3, initialMarginFraction: 500, marginMode: 1 },
   *   { nonce: 46 },
   * );
   * ```
   */
  signUpdateLeverage(params: UpdateLeverageParams, options: TxOptions): SignedTx {
    const env = this.#envelope(options.nonce, options.expiredAt);
    return this.#sign(encodeUpdateLeverage(params, env, options.skipNonce));
  }

  /**
   * Creates an auth token for private REST endpoints and WebSocket channels:
   * `deadline:account:apiKey:signatureHex`.
   *
   * @param options The deadline in Unix seconds.
   * @returns The token.
   * @throws {ConfigurationError} When the deadline is not a positive integer, has passed, or is
   * more than 8 hours ahead (the venue refuses such tokens).
   *
   * @example
   * ```ts
   * import { LighterSigner } from "./lighter_signer.ts";
   * import { ok } from "node:assert/strict";
   * const signer = new LighterSigner({
   *   privateKey: "0b8e0f63c24d8baacd9d29ad4e9a4b73c4a8d2bb8b16dc4fa9d7c2e1d3a8b1f0e8d3a4c5b6e7f001",
   *   accountIndex: 12345,
   *   apiKeyIndex: 5,
   *   chainId: 304,
   * });
   * const token = signer.createAuthToken({ deadline: Math.floor(Date.now() / 1000) + 600 });
   * ok(token.startsWith(`${Math.floor(Date.now() / 1000) + 600}:12345:5:`));
   * ```
   */
  createAuthToken(options: AuthTokenOptions = {}): string {
    const nowSeconds = Math.floor(this.#now() / 1000);
    const deadline = options.deadline ?? nowSeconds + DEFAULT_TOKEN_LIFETIME_SECONDS;
    if (!Number.isSafeInteger(deadline) || deadline <= 0) {
      throw new ConfigurationError(
        `Cannot create a lighter auth token as 'deadline' must be a positive integer of Unix seconds: current value is ${deadline}`,
        { venue: "lighter" },
      );
    }
    if (deadline <= nowSeconds || deadline > nowSeconds + AUTH_TOKEN_MAX_LIFETIME_SECONDS) {
      throw new ConfigurationError(
        `Cannot create a lighter auth token as 'deadline' must be in the next 8 hours (now is ${nowSeconds} s): current value is ${deadline}`,
        { venue: "lighter" },
      );
    }
    return this.signAuthMessage(deadline);
  }

  /**
   * Signs the auth-token message for any deadline, without the 8-hour check (for replaying a
   * known token's message or for tests with a fixed clock).
   *
   * @param deadline Unix seconds.
   * @returns The token.
   *
   * @example
   * ```ts
   * import { LighterSigner } from "./lighter_signer.ts";
   * import { strictEqual as equal } from "node:assert/strict";
   * const signer = new LighterSigner({
   *   privateKey: "0b8e0f63c24d8baacd9d29ad4e9a4b73c4a8d2bb8b16dc4fa9d7c2e1d3a8b1f0e8d3a4c5b6e7f001",
   *   accountIndex: 12345,
   *   apiKeyIndex: 5,
   *   chainId: 304,
   * });
   * equal(signer.signAuthMessage(1700000000).slice(0, 19), "1700000000:12345:5:");
   * ```
   */
  signAuthMessage(deadline: number): string {
    const message = `${deadline}:${this.accountIndex}:${this.apiKeyIndex}`;
    return `${message}:${toHex(this.#signHash(authMessageHash(message)))}`;
  }

  /**
   * A description without the private key.
   *
   * @returns `LighterSigner(account …, api key …, chain …, public key …)`.
   */
  toString(): string {
    return `LighterSigner(account ${this.accountIndex}, api key ${this.apiKeyIndex}, chain ${this.chainId}, public key ${this.publicKey})`;
  }

  /**
   * The public fields only, for `JSON.stringify`.
   *
   * @returns Account, API key index, chain id and public key.
   */
  toJSON(): { accountIndex: number; apiKeyIndex: number; chainId: number; publicKey: string } {
    return {
      accountIndex: this.accountIndex,
      apiKeyIndex: this.apiKeyIndex,
      chainId: this.chainId,
      publicKey: this.publicKey,
    };
  }

  /**
   * What `console.log` and `Deno.inspect` show: the same as {@linkcode LighterSigner.toString}.
   *
   * @returns The description.
   */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  /**
   * What Node's `util.inspect` shows.
   *
   * @returns The description.
   */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
