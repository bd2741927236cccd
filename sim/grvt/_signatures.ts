/**
 * The signed order payloads a GRVT replica has accepted, kept for the venue's duplicate rule:
 * "When the same nonce is used, the same payload will generate the same signature. Our system
 * will consider the payload a duplicate, and ignore it." (grvt.md §8.1, `Signature.nonce`).
 *
 * A signature is needed only while it can still be replayed: a payload whose `expiration` has
 * passed is refused with 2001 "Signature has expired" before the duplicate check, and no
 * expiration lies more than 30 days ahead (2008). Clients sign resting orders for up to those
 * 30 days (grvt.md §8.1: "signature expired cap is 30 days"), so at a few thousand orders a day
 * the window holds tens of thousands of signatures; each is kept compact (a 52-bit number and
 * the engine's numeric order id, about 60 bytes with its expiry bucket) instead of its 130-hex
 * text.
 *
 * @module
 */

/** Width of an expiry bucket: signatures are forgotten by the hour in which they expire. */
export const SIGNATURE_BUCKET_MS = 3_600_000;

/** Most signatures kept, whatever their expiry: the soonest-expiring hours go first. */
export const SIGNATURES_KEPT = 200_000;

/**
 * The first 52 bits of a signature's `r` (a whole number below 2^52, exact as a JS number).
 *
 * `r` identifies the signature: the same signed payload gives the same `r`, and two different
 * payloads share a 52-bit prefix of `r` with probability 2^-52 (below 5·10^-11 against 200,000
 * kept signatures).
 *
 * @param r The signature's `r`, 64 hex digits with or without `0x`.
 * @returns The fingerprint.
 *
 * @example
 * ```ts
 * import { signatureFingerprint } from "./_signatures.ts";
 * import { strictEqual } from "node:assert/strict";
 * strictEqual(signatureFingerprint("0x" + "f".repeat(64)), 2 ** 52 - 1);
 * strictEqual(signatureFingerprint("0000000000001" + "0".repeat(51)), 1);
 * ```
 */
export function signatureFingerprint(r: string): number {
  const hex = r.startsWith("0x") || r.startsWith("0X") ? r.slice(2) : r;
  return parseInt(hex.slice(0, 13), 16);
}

/**
 * Accepted signatures, found by `r`, each with the engine order it created.
 *
 * Retention: a signature until the end of the hour in which it expires (swept at most once per
 * {@linkcode SIGNATURE_BUCKET_MS} of venue time, when a signature is added), and at most
 * `capacity` signatures — past that, the hour that expires soonest is forgotten whole.
 *
 * @example
 * ```ts
 * import { SignatureWindow } from "./_signatures.ts";
 * import { strictEqual } from "node:assert/strict";
 * const h = 3_600_000;
 * const window = new SignatureWindow();
 * window.remember("0x" + "a".repeat(64), 7, 2 * h, 0);
 * strictEqual(window.find("0x" + "a".repeat(64)), 7);
 * window.remember("0x" + "b".repeat(64), 8, 9 * h, 3 * h); // the first has expired: swept
 * strictEqual(window.find("0x" + "a".repeat(64)), undefined);
 * strictEqual(window.size, 1);
 * ```
 */
export class SignatureWindow {
  readonly #capacity: number;
  /** Fingerprint → engine order id. */
  readonly #orderOf = new Map<number, number>();
  /** Expiry hour → fingerprints expiring in it. */
  readonly #byHour = new Map<number, number[]>();
  #sweptHour = -Infinity;

  /**
   * An empty window.
   *
   * @param capacity Most signatures kept. @default {SIGNATURES_KEPT}
   */
  constructor(capacity: number = SIGNATURES_KEPT) {
    this.#capacity = capacity;
  }

  /** Signatures kept. */
  get size(): number {
    return this.#orderOf.size;
  }

  /**
   * The engine order a signature created, if it is kept. The caller refuses expired signatures
   * first (2001): an expired one may still be found until its hour is swept.
   *
   * @param r The signature's `r`.
   * @returns The engine order id, or `undefined`.
   */
  find(r: string): number | undefined {
    return this.#orderOf.get(signatureFingerprint(r));
  }

  /**
   * Keeps an accepted signature until it expires.
   *
   * @param r The signature's `r`.
   * @param orderId The engine order it created.
   * @param expiresAt The signature's expiration, ms.
   * @param now Venue time, ms (sweeps the hours that have passed).
   */
  remember(r: string, orderId: number, expiresAt: number, now: number): void {
    this.#sweep(now);
    const fp = signatureFingerprint(r);
    if (this.#orderOf.has(fp)) return;
    this.#orderOf.set(fp, orderId);
    const hour = Math.floor(expiresAt / SIGNATURE_BUCKET_MS);
    const bucket = this.#byHour.get(hour);
    if (bucket === undefined) this.#byHour.set(hour, [fp]);
    else bucket.push(fp);
    while (this.#orderOf.size > this.#capacity) {
      let soonest = Infinity;
      for (const h of this.#byHour.keys()) if (h < soonest) soonest = h;
      this.#forget(soonest);
    }
  }

  /** Forgets the hours that ended at or before `now`. */
  #sweep(now: number): void {
    const current = Math.floor(now / SIGNATURE_BUCKET_MS);
    if (current <= this.#sweptHour) return;
    this.#sweptHour = current;
    for (const h of [...this.#byHour.keys()]) if (h < current) this.#forget(h);
  }

  #forget(hour: number): void {
    for (const fp of this.#byHour.get(hour) ?? []) this.#orderOf.delete(fp);
    this.#byHour.delete(hour);
  }
}
