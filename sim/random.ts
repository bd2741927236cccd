/**
 * A small seeded pseudo-random generator (mulberry32) for the simulator. Same seed, same
 * sequence, on every platform: it only uses 32-bit integer arithmetic.
 *
 * @module
 */

/**
 * Seeded pseudo-random generator (mulberry32).
 *
 * @example
 * ```ts
 * import { Prng } from "./random.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const a = new Prng(42);
 * const b = new Prng(42);
 * deepStrictEqual([a.nextU32(), a.int(1, 6)], [b.nextU32(), b.int(1, 6)]);
 * ```
 */
export class Prng {
  #state: number;

  /**
   * Creates a generator.
   *
   * @param seed Any integer; only its low 32 bits are used.
   */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /**
   * Next value as an unsigned 32-bit integer.
   *
   * @returns An integer in `[0, 2^32)`.
   */
  nextU32(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /**
   * Uniform number in `[0, 1)`, like `Math.random()` but seeded.
   *
   * @returns The number.
   */
  float(): number {
    return this.nextU32() / 4294967296;
  }

  /**
   * Uniform integer in `[lo, hi]` (inclusive). The span must be at most 2^32.
   *
   * @param lo Lower bound.
   * @param hi Upper bound, `>= lo`.
   * @returns The integer.
   */
  int(lo: number, hi: number): number {
    const span = hi - lo + 1;
    // Multiply-shift keeps it integer-exact: (u32 * span) / 2^32.
    return lo + Math.floor((this.nextU32() * span) / 4294967296);
  }

  /**
   * `true` with probability `numerator / denominator`, decided in integers.
   *
   * @param numerator Chance numerator.
   * @param denominator Chance denominator. @default {100}
   * @returns Whether the event happens.
   */
  chance(numerator: number, denominator = 100): boolean {
    return this.int(0, denominator - 1) < numerator;
  }

  /**
   * Approximately standard-normal integer sample scaled by 2^16 (Irwin–Hall sum of 12
   * uniforms), in `[-6·2^16, 6·2^16]`. Integer-only so that paths are identical everywhere.
   *
   * @returns The scaled sample.
   */
  normal16(): number {
    let sum = 0;
    for (let i = 0; i < 12; i++) sum += this.nextU32() >>> 16;
    return sum - 6 * 65536;
  }
}

/**
 * A seeded replacement for `Math.random`: uniform numbers in `[0, 1)` from a {@linkcode Prng}.
 *
 * @param seed Any integer; only its low 32 bits are used.
 * @returns The generator function.
 *
 * @example
 * ```ts
 * import { seededRandom } from "./random.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const a = seededRandom(7);
 * const b = seededRandom(7);
 * equal(a(), b());
 * ```
 */
export function seededRandom(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.float();
}
