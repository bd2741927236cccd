/**
 * The runner's error policy, one test per row of its table: what each error does to the
 * loop, and that no error is retried forever.
 */
import { deepStrictEqual as deepEqual, strictEqual as equal } from "node:assert/strict";
import {
  AuthenticationError,
  ConfigurationError,
  InsufficientMarginError,
  MalformedPayloadError,
  NetworkError,
  OrderOutcomeUnknownError,
  RateLimitedError,
} from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import {
  ERROR_POLICY,
  errorAction,
  type RunnerOptions,
  type RunResult,
  runStrategy,
  type Strategy,
} from "../strategies/runner.ts";

interface Scripted {
  strategy: Strategy;
  /** Clock time of every step call. */
  calls: number[];
  stops: string[];
}

/** A strategy whose steps throw the scripted errors in order, then stop itself. */
function scripted(clock: ManualClock, script: (n: number) => Error | "stop" | "ok"): Scripted {
  const calls: number[] = [];
  const stops: string[] = [];
  return {
    calls,
    stops,
    strategy: {
      name: "scripted",
      start: () => Promise.resolve(),
      step: () => {
        calls.push(clock.now());
        const next = script(calls.length);
        if (next === "stop") return Promise.resolve({ kind: "stop", reason: "done", exitCode: 0 });
        if (next === "ok") return Promise.resolve({ kind: "continue", sleepMs: 1_000 });
        return Promise.reject(next);
      },
      stop: (reason) => {
        stops.push(reason);
        return Promise.resolve();
      },
    },
  };
}

async function run(
  s: Scripted,
  clock: ManualClock,
  options: RunnerOptions = {},
): Promise<{ result: RunResult; notes: string[] }> {
  const notes: string[] = [];
  const running = runStrategy(s.strategy, {
    clock,
    random: () => 0.5,
    label: "T",
    notify: (text) => Promise.resolve(notes.push(text)),
    ...options,
  });
  for (let i = 0; i < 200 && s.stops.length === 0; i++) await clock.advance(60_000);
  return { result: await running, notes };
}

Deno.test("runner policy: the table's rows in order", () => {
  deepEqual(ERROR_POLICY.map((r) => [r.name, r.action]), [
    ["order outcome unknown", "reconcile"],
    ["malformed venue answer", "count"],
    ["retryable (network, timeout, 5xx, 429)", "retry"],
    ["anything else", "stop"],
  ]);
  equal(errorAction(new OrderOutcomeUnknownError("7")), "reconcile");
  equal(errorAction(new MalformedPayloadError("data.price")), "count");
  equal(errorAction(new NetworkError()), "retry");
  equal(errorAction(new RateLimitedError(2_000)), "retry");
  equal(errorAction(new ConfigurationError("bad key")), "stop");
  equal(errorAction(new AuthenticationError()), "stop");
  equal(errorAction(new InsufficientMarginError()), "stop");
  equal(errorAction(new TypeError("bug")), "stop");
});

Deno.test("runner policy: a non-retryable configuration error stops at once, with a notification", async () => {
  const clock = new ManualClock(0);
  const s = scripted(clock, () => new ConfigurationError("the API key was revoked"));
  const { result, notes } = await run(s, clock);
  equal(s.calls.length, 1, "stepped once, never retried");
  deepEqual([result.reason, result.exitCode, result.phase], ["error", 1, "run"]);
  equal(result.detail, "ConfigurationError: the API key was revoked");
  deepEqual(notes, [
    "ERROR: [T] Bot stopped on an unexpected error: ConfigurationError: the API key was revoked",
  ]);
  deepEqual(s.stops, ["ConfigurationError: the API key was revoked"]);
});

Deno.test("runner policy: an authentication error and an unhandled rejection stop at once", async () => {
  for (const error of [new AuthenticationError(), new InsufficientMarginError()]) {
    const clock = new ManualClock(0);
    const s = scripted(clock, () => error);
    const { result } = await run(s, clock);
    equal(s.calls.length, 1, error.name);
    equal(result.exitCode, 1);
  }
});

Deno.test("runner policy: an unknown order outcome is reconciled: back off, step again, keep trading", async () => {
  const clock = new ManualClock(0);
  const s = scripted(clock, (n) => (n === 1 ? new OrderOutcomeUnknownError("42") : "stop"));
  const { result } = await run(s, clock, { baseRetryDelayMs: 1_000 });
  equal(s.calls.length, 2);
  // Equal jitter at 0.5: the first delay is 1000 × (0.5 + 0.25) = 750 ms.
  deepEqual(s.calls, [0, 750]);
  deepEqual([result.reason, result.detail, result.exitCode], ["strategy", "done", 0]);
});

Deno.test("runner policy: malformed answers are counted and skipped; a success resets the count", async () => {
  const clock = new ManualClock(0);
  // Four malformed answers, a success, four more, a success, then stop: never 5 in a row.
  const s = scripted(clock, (n) => {
    if (n === 5 || n === 10) return "ok";
    if (n === 11) return "stop";
    return new MalformedPayloadError("result.orders[0].price");
  });
  const { result } = await run(s, clock, { maxConsecutiveFailures: 5 });
  equal(s.calls.length, 11);
  deepEqual([result.reason, result.exitCode], ["strategy", 0]);
});

Deno.test("runner policy: a run of malformed answers stops after the limit, with a clear message", async () => {
  const clock = new ManualClock(0);
  const s = scripted(clock, () => new MalformedPayloadError("result.orders[0].price"));
  const { result, notes } = await run(s, clock, { maxConsecutiveFailures: 5 });
  equal(s.calls.length, 5);
  deepEqual([result.reason, result.exitCode], ["error", 1]);
  equal(
    result.detail,
    "5 failures in a row, last: MalformedPayloadError: Malformed payload: field 'result.orders[0].price' is invalid",
  );
  equal(
    notes.at(-1),
    "ERROR: [T] Bot stopped after 5 failures in a row, last: MalformedPayloadError: " +
      "Malformed payload: field 'result.orders[0].price' is invalid",
  );
});

Deno.test("runner policy: no error is retried forever: network errors and unknown outcomes stop at the limit", async () => {
  for (const error of [new NetworkError({ message: "reset" }), new OrderOutcomeUnknownError("9")]) {
    const clock = new ManualClock(0);
    const s = scripted(clock, () => error);
    const { result, notes } = await run(s, clock, { maxConsecutiveFailures: 4 });
    equal(s.calls.length, 4, error.name);
    equal(result.exitCode, 1);
    equal(notes.filter((n) => n.startsWith("ERROR: [T] Bot stopped after 4 failures")).length, 1);
  }
  // The default limit is 20.
  const clock = new ManualClock(0);
  const s = scripted(clock, () => new NetworkError());
  await run(s, clock, { maxRetryDelayMs: 1_000 });
  equal(s.calls.length, 20);
});

Deno.test("runner policy: a 429 waits at least its Retry-After", async () => {
  const clock = new ManualClock(0);
  const s = scripted(clock, (n) => (n === 1 ? new RateLimitedError(7_000) : "stop"));
  await run(s, clock, { baseRetryDelayMs: 1_000 });
  deepEqual(s.calls, [0, 7_000]);
});

Deno.test("runner policy: a configuration error while starting ends quietly with exit 2", async () => {
  const clock = new ManualClock(0);
  const notes: string[] = [];
  const result = await runStrategy({
    name: "s",
    start: () => Promise.reject(new ConfigurationError("--quantity 0.0015 does not fit")),
    step: () => Promise.reject(new Error("never")),
    stop: () => Promise.resolve(),
  }, { clock, notify: (t) => Promise.resolve(notes.push(t)) });
  deepEqual([result.reason, result.exitCode, result.phase], ["error", 2, "start"]);
  deepEqual(notes, []);
});
