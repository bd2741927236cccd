/**
 * The strategy-independent bot loop: start, step, sleep, stop — with one error policy for
 * every strategy (the grid today, funding arbitrage later), as a table
 * ({@linkcode ERROR_POLICY}, first matching row wins):
 *
 * | error | action |
 * |---|---|
 * | `OrderOutcomeUnknownError` | `reconcile`: back off; the strategy looks the order up by its client order id on the next step (never a blind resend) |
 * | `MalformedPayloadError` | `count`: back off and keep going |
 * | retryable `PerpError` (network, timeout, 5xx, 429) | `retry`: back off (429: at least `Retry-After`) |
 * | anything else (`ConfigurationError`, `AuthenticationError`, a rejection the strategy did not handle, a bug) | `stop` at once, with a message and a notification |
 *
 * No error is retried forever: `maxConsecutiveFailures` failures in a row (of any kept-going
 * kind, while starting or running) stop the bot with a message naming the last error, and a
 * notification. A step that succeeds resets the count. A `ConfigurationError` or
 * `NotFoundError` while starting (credentials, sizes, an unknown market) ends the run quietly
 * for the caller to report. An aborted signal (Ctrl-C) ends the loop and the strategy stops
 * gracefully.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import {
  type Clock,
  ConfigurationError,
  MalformedPayloadError,
  NotFoundError,
  OrderOutcomeUnknownError,
  PerpError,
  RateLimitedError,
  redact,
} from "../base.ts";
import { backoffDelay } from "../exchanges/_shared/backoff.ts";
import { systemClock } from "../exchanges/_shared/clock.ts";

/**
 * What a strategy step asks the runner to do next.
 *
 * @example
 * ```ts
 * import type { StrategyStep } from "./runner.ts";
 * const next: StrategyStep = { kind: "continue", sleepMs: 1_000 };
 * const done: StrategyStep = { kind: "stop", reason: "stop-price", exitCode: 0 };
 * ```
 */
export type StrategyStep =
  | { kind: "continue"; sleepMs: number }
  | { kind: "stop"; reason: string; exitCode: number };

/**
 * A strategy the runner can drive.
 *
 * @example
 * ```ts
 * import type { Strategy } from "./runner.ts";
 * let n = 0;
 * const countToThree: Strategy = {
 *   name: "count",
 *   start: () => Promise.resolve(),
 *   step: () =>
 *     Promise.resolve(++n < 3 ? { kind: "continue", sleepMs: 10 } : { kind: "stop", reason: "done", exitCode: 0 }),
 *   stop: () => Promise.resolve(),
 * };
 * ```
 */
export interface Strategy {
  /** Name for logs. */
  readonly name: string;
  /** Connects and rebuilds state from the venue. */
  start(signal: AbortSignal): Promise<void>;
  /** One iteration. Throws on errors the runner should judge. */
  step(signal: AbortSignal): Promise<StrategyStep>;
  /** Stops gracefully (never opens again); called once, whatever ended the loop. */
  stop(reason: string): Promise<void>;
}

/**
 * Options of {@linkcode runStrategy}.
 *
 * @example
 * ```ts
 * import type { RunnerOptions } from "./runner.ts";
 * const o: RunnerOptions = { label: "GRVT_BTC", maxRetryDelayMs: 30_000 };
 * ```
 */
export interface RunnerOptions {
  /** Clock for sleeps and backoff. @default {systemClock} */
  clock?: Clock;
  /** Stops the loop (graceful shutdown). */
  signal?: AbortSignal;
  /** Sends a notification; failures are the callee's business. @default {none} */
  notify?: (text: string) => Promise<unknown>;
  /** Prefix of messages, e.g. `GRVT_BTC`. @default {the strategy name} */
  label?: string;
  /** First backoff delay after a retryable error (ms). @default {1000} */
  baseRetryDelayMs?: number;
  /** Longest backoff delay (ms). @default {30000} */
  maxRetryDelayMs?: number;
  /** Notify once after this many retryable errors in a row. @default {5} */
  notifyAfterRetries?: number;
  /** Uniform random source for the backoff jitter. @default {Math.random} */
  random?: () => number;
  /**
   * Stop after this many kept-going failures in a row (retry, reconcile, count).
   * @default {20}
   */
  maxConsecutiveFailures?: number;
}

/**
 * How a run ended.
 *
 * @example
 * ```ts
 * import type { RunResult } from "./runner.ts";
 * const r: RunResult = { reason: "signal", detail: "stopped by signal", exitCode: 0, phase: "run" };
 * ```
 */
export interface RunResult {
  /** `signal` (shutdown asked), `strategy` (the strategy stopped itself) or `error`. */
  reason: "signal" | "strategy" | "error";
  /** One line of detail. */
  detail: string;
  /** Suggested process exit code. */
  exitCode: number;
  /** Where it ended: while starting or while running. */
  phase: "start" | "run";
  /** The error, for `reason: "error"`. */
  error?: unknown;
}

/**
 * Whether the runner retries after this error.
 *
 * @param error What a step threw.
 * @returns `true` for retryable `PerpError`s (network, timeout, 5xx, 429).
 *
 * @example
 * ```ts
 * import { isRetryable } from "./runner.ts";
 * import { NetworkError, InsufficientMarginError } from "../base.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(isRetryable(new NetworkError()), true);
 * equal(isRetryable(new InsufficientMarginError()), false);
 * ```
 */
export function isRetryable(error: unknown): boolean {
  return error instanceof PerpError && error.retryable;
}

/**
 * What the runner does with an error a step threw (see the module's table).
 *
 * @example
 * ```ts
 * import type { ErrorAction } from "./runner.ts";
 * const a: ErrorAction = "reconcile";
 * ```
 */
export type ErrorAction = "retry" | "reconcile" | "count" | "stop";

/**
 * One row of the runner's error policy.
 *
 * @example
 * ```ts
 * import type { ErrorPolicyRow } from "./runner.ts";
 * const row: ErrorPolicyRow = { name: "anything else", matches: () => true, action: "stop" };
 * ```
 */
export interface ErrorPolicyRow {
  /** What the row covers. */
  name: string;
  /** Whether the row applies. */
  matches: (error: unknown) => boolean;
  /** What the runner does. */
  action: ErrorAction;
}

/**
 * The runner's error policy, first matching row wins.
 *
 * @example
 * ```ts
 * import { ERROR_POLICY } from "./runner.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 * deepEqual(ERROR_POLICY.map((r) => r.action), ["reconcile", "count", "retry", "stop"]);
 * ```
 */
export const ERROR_POLICY: readonly ErrorPolicyRow[] = Object.freeze(
  [
    {
      name: "order outcome unknown",
      matches: (e: unknown) => e instanceof OrderOutcomeUnknownError,
      action: "reconcile",
    },
    {
      name: "malformed venue answer",
      matches: (e: unknown) => e instanceof MalformedPayloadError,
      action: "count",
    },
    { name: "retryable (network, timeout, 5xx, 429)", matches: isRetryable, action: "retry" },
    { name: "anything else", matches: () => true, action: "stop" },
  ] as const,
);

/**
 * The action of the first row of {@linkcode ERROR_POLICY} that matches.
 *
 * @param error What a step threw.
 * @returns The action.
 *
 * @example
 * ```ts
 * import { errorAction } from "./runner.ts";
 * import { AuthenticationError, MalformedPayloadError, NetworkError, OrderOutcomeUnknownError } from "../base.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * equal(errorAction(new OrderOutcomeUnknownError("42")), "reconcile");
 * equal(errorAction(new MalformedPayloadError("result")), "count");
 * equal(errorAction(new NetworkError()), "retry");
 * equal(errorAction(new AuthenticationError()), "stop");
 * ```
 */
export function errorAction(error: unknown): ErrorAction {
  for (const row of ERROR_POLICY) if (row.matches(error)) return row.action;
  return "stop";
}

/**
 * Whether the loop goes on after this error (with backoff) instead of stopping: every action
 * of {@linkcode errorAction} but `stop`.
 *
 * @param error What a step threw.
 * @returns `true` to back off and step again.
 *
 * @example
 * ```ts
 * import { keepsRunning } from "./runner.ts";
 * import { ConfigurationError, MalformedPayloadError, OrderOutcomeUnknownError } from "../base.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * equal(keepsRunning(new OrderOutcomeUnknownError("42")), true);
 * equal(keepsRunning(new MalformedPayloadError("result")), true);
 * equal(keepsRunning(new ConfigurationError("bad key")), false);
 * ```
 */
export function keepsRunning(error: unknown): boolean {
  return errorAction(error) !== "stop";
}

/** Thrown inside the runner when the run of kept-going failures reached its limit. */
class TooManyFailures extends Error {
  constructor(readonly count: number, readonly last: unknown) {
    super(`${count} failures in a row`);
  }
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return redact(text).split("\n")[0];
}

/**
 * Runs a strategy until it stops itself, the signal aborts or an unexpected error occurs.
 * `strategy.stop()` is always called once at the end.
 *
 * @param strategy The strategy.
 * @param options Clock, signal, notifications and backoff.
 * @returns How it ended.
 *
 * @example
 * ```ts
 * import { runStrategy, type Strategy } from "./runner.ts";
 * import { ManualClock } from "../exchanges/_shared/clock.ts";
 * import { NetworkError } from "../base.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const clock = new ManualClock(0);
 * let calls = 0;
 * const flaky: Strategy = {
 *   name: "flaky",
 *   start: () => Promise.resolve(),
 *   step: () => {
 *     calls++;
 *     if (calls === 1) return Promise.reject(new NetworkError({ message: "reset" }));
 *     return Promise.resolve({ kind: "stop", reason: "done", exitCode: 0 });
 *   },
 *   stop: () => Promise.resolve(),
 * };
 * const running = runStrategy(flaky, { clock, random: () => 0.5 });
 * await clock.advance(60_000);
 * const result = await running;
 * deepEqual([result.reason, result.detail, calls], ["strategy", "done", 2]);
 * ```
 */
export async function runStrategy(
  strategy: Strategy,
  options: RunnerOptions = {},
): Promise<RunResult> {
  const clock = options.clock ?? systemClock;
  const signal = options.signal ?? new AbortController().signal;
  const label = options.label ?? strategy.name;
  const log = getLogger(["perp", "bot"]);
  const notify = async (text: string) => {
    try {
      await options.notify?.(text);
    } catch (error) {
      log.warn("Notification failed: {error}", { error: describe(error) });
    }
  };
  const notifyAfter = options.notifyAfterRetries ?? 5;
  const maxFailures = options.maxConsecutiveFailures ?? 20;
  if (!(Number.isInteger(maxFailures) && maxFailures > 0)) {
    throw new RangeError("'maxConsecutiveFailures' must be a positive integer");
  }
  let phase: "start" | "run" = "start";
  let failures = 0;
  let result: RunResult | undefined;

  /** Backs off after a kept-going failure; throws once the run of failures is too long. */
  const backoff = async (error: unknown): Promise<void> => {
    failures++;
    if (failures >= maxFailures) throw new TooManyFailures(failures, error);
    let delay = backoffDelay(failures - 1, {
      baseDelayMs: options.baseRetryDelayMs ?? 1_000,
      maxDelayMs: options.maxRetryDelayMs ?? 30_000,
      jitter: "equal",
      random: options.random,
    });
    if (error instanceof RateLimitedError && error.retryAfterMs !== undefined) {
      delay = Math.max(delay, error.retryAfterMs);
    }
    log.warn(`[${label}] {error}; retrying in {delay} ms (attempt {attempt})`, {
      error: describe(error),
      delay: Math.round(delay),
      attempt: failures,
    });
    if (failures === notifyAfter) {
      await notify(
        `WARNING: [${label}] ${failures} errors in a row, still retrying: ${describe(error)}`,
      );
    }
    await clock.sleep(delay, signal);
  };

  try {
    for (;;) {
      if (signal.aborted) break;
      try {
        await strategy.start(signal);
        break;
      } catch (error) {
        if (signal.aborted) break;
        // Nothing is placed while starting: retry network trouble and garbled answers.
        const action = errorAction(error);
        if (action !== "retry" && action !== "count") throw error;
        await backoff(error);
      }
    }
    phase = "run";
    failures = 0;
    while (!signal.aborted) {
      let next: StrategyStep;
      try {
        next = await strategy.step(signal);
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        if (errorAction(error) === "stop") throw error;
        await backoff(error);
        continue;
      }
      if (next.kind === "stop") {
        result = { reason: "strategy", detail: next.reason, exitCode: next.exitCode, phase };
        break;
      }
      if (next.sleepMs > 0) await clock.sleep(next.sleepMs, signal);
    }
  } catch (error) {
    if (error instanceof TooManyFailures) {
      const detail = `${error.count} failures in a row, last: ${describe(error.last)}`;
      log.error(`[${label}] Stopping: {detail}`, { detail });
      await notify(`ERROR: [${label}] Bot stopped after ${detail}`);
      result = { reason: "error", detail, exitCode: 1, phase, error: error.last };
    } else if (
      phase === "start" && (error instanceof ConfigurationError || error instanceof NotFoundError)
    ) {
      // A setup problem (credentials, quantity): the caller reports it in one line.
      result = { reason: "error", detail: describe(error), exitCode: 2, phase, error };
    } else if (!signal.aborted) {
      const detail = describe(error);
      log.error(`[${label}] Stopping on an unexpected error: {error}`, { error: detail });
      await notify(`ERROR: [${label}] Bot stopped on an unexpected error: ${detail}`);
      result = { reason: "error", detail, exitCode: 1, phase, error };
    }
  }
  result ??= { reason: "signal", detail: "stopped by signal", exitCode: 0, phase };
  try {
    await strategy.stop(result.detail);
  } catch (error) {
    log.error(`[${label}] Graceful stop failed: {error}`, { error: describe(error) });
    if (result.exitCode === 0) result = { ...result, exitCode: 1 };
  }
  return result;
}
