/**
 * Statistics shared by the benchmark scripts, so every figure they print means the same.
 *
 * @module
 */

/**
 * The median of some samples (the mean of the two middle ones for an even count).
 *
 * @param xs Samples, in any order.
 * @returns The median.
 */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Nearest-rank percentile of sorted samples: the smallest sample with at least `p` % of the
 * samples at or below it.
 *
 * @param sorted Samples in ascending order.
 * @param p Percentile, 0 < p ≤ 100.
 * @returns The sample, or NaN when there are none.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
