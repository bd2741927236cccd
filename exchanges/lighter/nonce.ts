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
 * Hands out nonces for one API key, one transaction at a time.
 *
 * Rules (lighter.md §5.11): a transaction the API refuses (bad signature, validation, rate
 * limit) does not consume its nonce, so it is reused; an accepted one does, so the next is +1.
 * On `21104 invalid nonce` the manager refetches the nonce and sends once more — safe, since the
 * venue refused the transaction. When the answer is lost the outcome is unknown: nothing is
 * resent here and the next transaction starts from a fresh `nextNonce`.
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
  #next: number | undefined;
  #lock: Promise<unknown> = Promise.resolve();

  /**
   * Creates the manager; nothing is fetched until the first transaction.
   *
   * @param fetchNonce Reads the key's next nonce from the venue.
   */
  constructor(fetchNonce: () => Promise<number>) {
    this.#fetch = fetchNonce;
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
   * @throws Whatever `send` threw (after one resend on an invalid nonce).
   */
  run<T>(send: (nonce: number) => Promise<T>): Promise<T> {
    const result = this.#lock.then(() => this.#runNow(send));
    this.#lock = result.catch(() => {});
    return result;
  }

  async #runNow<T>(send: (nonce: number) => Promise<T>): Promise<T> {
    for (let attempt = 0;; attempt++) {
      if (this.#next === undefined) this.#next = await this.#fetch();
      const nonce = this.#next;
      try {
        const out = await send(nonce);
        this.#next = nonce + 1;
        return out;
      } catch (e) {
        if (e instanceof PerpError && e.code === LIGHTER_INVALID_NONCE && attempt === 0) {
          this.#next = undefined;
          continue;
        }
        // A lost answer may or may not have used the nonce: ask the venue next time.
        if (isOutcomeUnknown(e)) this.#next = undefined;
        throw e;
      }
    }
  }
}
