/**
 * Nonces of one (account, API key): fetched once from `GET /api/v1/nextNonce`, then
 * incremented locally (lighter.md §5.11; the official SDK's `OPTIMISTIC` mode).
 *
 * @module
 */
import { isOutcomeUnknown } from "../_shared/place_once.ts";
import { PerpError } from "../../core/errors.ts";
import { LIGHTER_INVALID_NONCE } from "./errors.ts";

/**
 * How many sends one transaction gets when the venue answers `21104 invalid nonce`.
 *
 * @example
 * ```ts
 * import { INVALID_NONCE_ATTEMPTS } from "./nonce.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(INVALID_NONCE_ATTEMPTS, 5);
 * ```
 */
export const INVALID_NONCE_ATTEMPTS = 5;

/** Options of {@linkcode LighterNonceManager}. */
export interface LighterNonceManagerOptions {
  /** Waits between sends after an invalid nonce. @default {a timer} */
  sleep?: (ms: number) => Promise<void>;
  /** Draws in [0, 1) for the pause. @default {Math.random} */
  random?: () => number;
  /** Names the key in the error after the last attempt, e.g. `account 7, API key 3`. */
  describeKey?: () => string;
}

/**
 * Hands out nonces for one API key, one transaction at a time.
 *
 * Rules (lighter.md §5.11): a transaction the API refuses (bad signature, validation, rate
 * limit) does not consume its nonce, so it is reused; an accepted one does, so the next is +1.
 * On `21104 invalid nonce` the manager refetches the nonce and sends again — safe, since the
 * venue refused the transaction — up to {@linkcode INVALID_NONCE_ATTEMPTS} sends, pausing a
 * random 20–150 ms between them so that two processes racing on one key fall out of step. When
 * every send met an invalid nonce another process is using the key: the error says so. When the
 * answer is lost the outcome is unknown: nothing is resent here and the next transaction starts
 * from a fresh `nextNonce`.
 *
 * @example
 * ```ts
 * import { LighterNonceManager } from "./nonce.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const nonces = new LighterNonceManager(() => Promise.resolve(7));
 * const sent: number[] = [];
 * await nonces.run((n) => Promise.resolve(void sent.push(n)));
 * await nonces.run((n) => Promise.resolve(void sent.push(n)));
 * deepEqual(sent, [7, 8]);
 * ```
 */
export class LighterNonceManager {
  readonly #fetch: () => Promise<number>;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #describeKey: () => string;
  #next: number | undefined;
  #lock: Promise<unknown> = Promise.resolve();

  /**
   * Creates the manager; nothing is fetched until the first transaction.
   *
   * @param fetchNonce Reads the key's next nonce from the venue.
   * @param options Pause and naming of the key.
   */
  constructor(fetchNonce: () => Promise<number>, options: LighterNonceManagerOptions = {}) {
    this.#fetch = fetchNonce;
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#random = options.random ?? Math.random;
    this.#describeKey = options.describeKey ?? (() => "this API key");
  }

  /** Forgets the local nonce; the next transaction fetches it again. */
  invalidate(): void {
    this.#next = undefined;
  }

  /**
   * Runs `send` with the next nonce, serialized with every other transaction of this key.
   *
   * @param send Signs and sends one transaction with the given nonce.
   * @returns What `send` returned.
   * @throws Whatever `send` threw; after {@linkcode INVALID_NONCE_ATTEMPTS} invalid nonces a
   * `PerpError` (code 21104) that names the key and says another process is using it.
   */
  run<T>(send: (nonce: number) => Promise<T>): Promise<T> {
    const result = this.#lock.then(() => this.#runNow(send));
    this.#lock = result.catch(() => {});
    return result;
  }

  async #runNow<T>(send: (nonce: number) => Promise<T>): Promise<T> {
    for (let attempt = 1;; attempt++) {
      if (this.#next === undefined) this.#next = await this.#fetch();
      const nonce = this.#next;
      try {
        const out = await send(nonce);
        this.#next = nonce + 1;
        return out;
      } catch (e) {
        if (e instanceof PerpError && e.code === LIGHTER_INVALID_NONCE) {
          this.#next = undefined;
          if (attempt < INVALID_NONCE_ATTEMPTS) {
            await this.#sleep(20 + Math.floor(this.#random() * 130));
            continue;
          }
          throw new PerpError(
            `${e.message}: ${INVALID_NONCE_ATTEMPTS} sends in a row met a used nonce, so another ` +
              `process is signing with ${this.#describeKey()}; give each bot its own API key ` +
              "index (LIGHTER_API_KEY_INDEX)",
            { venue: e.venue, endpoint: e.endpoint, code: e.code, cause: e },
          );
        }
        // A lost answer may or may not have used the nonce: ask the venue next time.
        if (isOutcomeUnknown(e)) this.#next = undefined;
        throw e;
      }
    }
  }
}
