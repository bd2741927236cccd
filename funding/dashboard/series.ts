/**
 * Chart series for the dashboard's history page and the opportunities' stability score,
 * computed on the server from stored history: bucket averages down to the screen's width,
 * cumulative funding of a long and a short unit position, the spread between two venues, and
 * how steadily a direction paid over a window. Values are JS numbers: they are drawn, never
 * used for money.
 *
 * @module
 */
import type { HistoryPoint } from "../store.ts";

const HOUR_MS = 3_600_000;

/** One chart point: time (ms) and value. */
export type ChartPoint = [time: number, value: number];

/**
 * Averages points into at most `buckets` equal slices of `[start, end]`; each non-empty slice
 * gives one point at the mean time of its members.
 *
 * @param points Time-ordered points.
 * @param start Window start (ms).
 * @param end Window end (ms).
 * @param buckets Most points returned.
 * @returns One point per non-empty slice, oldest first.
 *
 * @example
 * ```ts
 * import { downsample } from "./series.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 * deepEqual(downsample([[0, 1], [1, 3], [2, 5], [3, 7]], 0, 4, 2), [[0.5, 2], [2.5, 6]]);
 * ```
 */
export function downsample(
  points: readonly ChartPoint[],
  start: number,
  end: number,
  buckets: number,
): ChartPoint[] {
  const n = Math.max(1, Math.floor(buckets));
  const span = Math.max(1, end - start);
  const sumT = new Float64Array(n);
  const sumV = new Float64Array(n);
  const count = new Uint32Array(n);
  for (const [t, v] of points) {
    if (t < start || t > end) continue;
    const i = Math.min(n - 1, Math.floor(((t - start) / span) * n));
    sumT[i] += t;
    sumV[i] += v;
    count[i]++;
  }
  const out: ChartPoint[] = [];
  for (let i = 0; i < n; i++) {
    if (count[i] > 0) out.push([sumT[i] / count[i], sumV[i] / count[i]]);
  }
  return out;
}

/**
 * Keeps the last point of each of at most `buckets` equal slices of `[start, end]` (for
 * running totals, where the last value of a slice is the total at its end).
 *
 * @param points Time-ordered points.
 * @param start Window start (ms).
 * @param end Window end (ms).
 * @param buckets Most points returned.
 * @returns One point per non-empty slice, oldest first.
 *
 * @example
 * ```ts
 * import { lastPerBucket } from "./series.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 * deepEqual(lastPerBucket([[0, 1], [1, 3], [2, 5], [3, 7]], 0, 4, 2), [[1, 3], [3, 7]]);
 * ```
 */
export function lastPerBucket(
  points: readonly ChartPoint[],
  start: number,
  end: number,
  buckets: number,
): ChartPoint[] {
  const n = Math.max(1, Math.floor(buckets));
  const span = Math.max(1, end - start);
  const out: ChartPoint[] = [];
  let last = -1;
  for (const p of points) {
    if (p[0] < start || p[0] > end) continue;
    const i = Math.min(n - 1, Math.floor(((p[0] - start) / span) * n));
    if (i === last) out[out.length - 1] = p;
    else out.push(p);
    last = i;
  }
  return out;
}

/**
 * Funding accrued by a short unit position: the hourly rate integrated over time (each
 * observation's rate holds until the next one). A long position receives the negative.
 *
 * @param points Time-ordered history of one series.
 * @returns The running total at each observation, starting at 0 at the first.
 *
 * @example
 * ```ts
 * import { cumulativeShort } from "./series.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 * const p = (time: number, hourlyRate: string) =>
 *   ({ time, rate: hourlyRate, intervalHours: 1, hourlyRate, apr: "0" });
 * deepEqual(cumulativeShort([p(0, "0.001"), p(7_200_000, "0.002"), p(10_800_000, "0")]), [
 *   [0, 0], [7_200_000, 0.002], [10_800_000, 0.004],
 * ]);
 * ```
 */
export function cumulativeShort(points: readonly HistoryPoint[]): ChartPoint[] {
  const out: ChartPoint[] = [];
  let total = 0;
  for (let i = 0; i < points.length; i++) {
    if (i > 0) {
      const prev = points[i - 1];
      total += Number(prev.hourlyRate) * ((points[i].time - prev.time) / HOUR_MS);
    }
    out.push([points[i].time, total]);
  }
  return out;
}

/** Hour-bucket averages of a series' hourly rate, keyed by the hour's start (ms). */
function hourly(points: readonly HistoryPoint[]): Map<number, number> {
  const sum = new Map<number, [number, number]>();
  for (const p of points) {
    const h = Math.floor(p.time / HOUR_MS) * HOUR_MS;
    const s = sum.get(h);
    if (s) {
      s[0] += Number(p.hourlyRate);
      s[1]++;
    } else sum.set(h, [Number(p.hourlyRate), 1]);
  }
  return new Map([...sum].map(([h, [total, n]]) => [h, total / n]));
}

/**
 * Hour by hour, `b`'s hourly rate minus `a`'s, for the hours in which both were observed.
 *
 * @param a First venue's history.
 * @param b Second venue's history.
 * @returns One point per common hour (at the hour's start), oldest first.
 *
 * @example
 * ```ts
 * import { hourlySpread } from "./series.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 * const p = (time: number, hourlyRate: string) =>
 *   ({ time, rate: hourlyRate, intervalHours: 1, hourlyRate, apr: "0" });
 * deepEqual(hourlySpread([p(0, "0.25"), p(3_600_000, "0.5")], [p(60_000, "0.75")]), [[0, 0.5]]);
 * ```
 */
export function hourlySpread(
  a: readonly HistoryPoint[],
  b: readonly HistoryPoint[],
): ChartPoint[] {
  const ha = hourly(a);
  const hb = hourly(b);
  const out: ChartPoint[] = [];
  for (const [h, vb] of hb) {
    const va = ha.get(h);
    if (va !== undefined) out.push([h, vb - va]);
  }
  return out.sort((x, y) => x[0] - y[0]);
}

/** How steadily one direction (short the higher rate, long the lower) paid over a window. */
export interface Stability {
  /** Hours in which both legs were observed. */
  hours: number;
  /** Share of those hours in which the short leg's hourly rate was above the long leg's (0–1). */
  paidShare: number;
  /** Times the hourly spread changed sign from one observed hour to the next. */
  signChanges: number;
  /** Mean hourly spread (short − long) over those hours, a fraction per hour. */
  meanHourlySpread: number;
  /** Most negative hourly spread seen (how far it went against the position). */
  worstHourlySpread: number;
}

/**
 * The stability of a direction over the given histories.
 *
 * @param long History of the long leg (the venue with the lower rate now).
 * @param short History of the short leg.
 * @returns The score, or `undefined` when no hour has both legs.
 *
 * @example
 * ```ts
 * import { stability } from "./series.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const p = (h: number, hourlyRate: string) =>
 *   ({ time: h * 3_600_000, rate: hourlyRate, intervalHours: 1, hourlyRate, apr: "0" });
 * const s = stability([p(0, "0"), p(1, "0"), p(2, "0"), p(3, "0")],
 *   [p(0, "0.5"), p(1, "-0.25"), p(2, "0.5"), p(3, "0.25")])!;
 * equal(s.paidShare, 0.75);
 * equal(s.signChanges, 2);
 * equal(s.worstHourlySpread, -0.25);
 * ```
 */
export function stability(
  long: readonly HistoryPoint[],
  short: readonly HistoryPoint[],
): Stability | undefined {
  const spread = hourlySpread(long, short);
  if (spread.length === 0) return undefined;
  let paid = 0;
  let changes = 0;
  let sum = 0;
  let worst = Infinity;
  let prevSign = 0;
  for (const [, v] of spread) {
    const sign = Math.sign(v);
    if (v > 0) paid++;
    if (sign !== 0 && prevSign !== 0 && sign !== prevSign) changes++;
    if (sign !== 0) prevSign = sign;
    sum += v;
    worst = Math.min(worst, v);
  }
  return {
    hours: spread.length,
    paidShare: paid / spread.length,
    signChanges: changes,
    meanHourlySpread: sum / spread.length,
    worstHourlySpread: worst,
  };
}
