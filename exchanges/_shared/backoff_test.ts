import { deepStrictEqual as deepEqual, ok, throws } from "node:assert/strict";
import { backoffDelay, createBackoff } from "./backoff.ts";

Deno.test("backoffDelay() doubles the ceiling per attempt and caps it at maxDelayMs", () => {
  const options = { baseDelayMs: 100, maxDelayMs: 1_000, jitter: "none" } as const;
  deepEqual(
    [0, 1, 2, 3, 4, 5, 50, 5_000].map((n) => backoffDelay(n, options)),
    [100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000],
  );
});

Deno.test("backoffDelay() with full jitter scales the ceiling by the random value", () => {
  const at = (r: number) => backoffDelay(2, { baseDelayMs: 100, random: () => r });
  deepEqual(at(0), 0);
  deepEqual(at(0.25), 100);
  deepEqual(at(0.999999), 399);
});

Deno.test("backoffDelay() with equal jitter never waits less than half the ceiling", () => {
  const at = (r: number) => backoffDelay(2, { baseDelayMs: 100, jitter: "equal", random: () => r });
  deepEqual(at(0), 200);
  deepEqual(at(0.5), 300);
  deepEqual(at(0.999999), 399);
});

Deno.test("backoffDelay() stays within [0, maxDelayMs] for any random value", () => {
  for (const jitter of ["full", "equal", "none"] as const) {
    for (const r of [-1, 0, 0.3, 0.9999, 1, 2]) {
      for (let n = 0; n < 40; n++) {
        const d = backoffDelay(n, { baseDelayMs: 50, maxDelayMs: 5_000, jitter, random: () => r });
        ok(d >= 0 && d <= 5_000 && Number.isInteger(d), `${jitter} ${r} ${n}: ${d}`);
      }
    }
  }
});

Deno.test("backoffDelay() uses the given factor", () => {
  deepEqual(backoffDelay(2, { baseDelayMs: 10, factor: 3, jitter: "none" }), 90);
});

Deno.test("backoffDelay() rejects a negative or fractional attempt and bad options", () => {
  throws(() => backoffDelay(-1), RangeError);
  throws(() => backoffDelay(1.5), RangeError);
  throws(() => backoffDelay(0, { baseDelayMs: -1 }), RangeError);
  throws(() => backoffDelay(0, { maxDelayMs: Number.NaN }), RangeError);
  throws(() => backoffDelay(0, { factor: 0.5 }), RangeError);
  throws(
    () => backoffDelay(0, { jitter: "bogus" as "full" }),
    /'jitter' must be "full", "equal" or "none": current value is bogus/,
  );
});

Deno.test("createBackoff() hands out growing delays and starts over after reset()", () => {
  const backoff = createBackoff({ baseDelayMs: 100, maxDelayMs: 500, jitter: "none" });
  deepEqual([backoff.next(), backoff.next(), backoff.next(), backoff.next()], [
    100,
    200,
    400,
    500,
  ]);
  deepEqual(backoff.attempt, 4);
  backoff.reset();
  deepEqual(backoff.attempt, 0);
  deepEqual(backoff.next(), 100);
});

Deno.test("createBackoff() validates its options at once", () => {
  throws(() => createBackoff({ maxDelayMs: -5 }), RangeError);
});
