import { deepEqual, rejects } from "node:assert/strict";
import { placeOnce } from "./place_once.ts";
import type { Clock } from "../../base.ts";
import {
  DuplicateClientOrderIdError,
  InsufficientMarginError,
  NetworkError,
  RateLimitedError,
  TimeoutError,
  VenueUnavailableError,
} from "../../core/errors.ts";

/** A clock whose sleeps return at once but are recorded. */
function instantClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return { slept, now: () => 0, sleep: (ms) => (slept.push(ms), Promise.resolve()) };
}

/** A fake venue that holds orders by client id and fails sends as scripted. */
function fakeVenue(script: Array<"ok" | "lost" | "timeout-before" | "503" | "429">) {
  const orders = new Map<string, string>();
  let sends = 0;
  return {
    orders,
    get sends() {
      return sends;
    },
    send(id: string) {
      const step = script[sends++] ?? "ok";
      if (step === "timeout-before") return Promise.reject(new TimeoutError(1000));
      if (step === "503") return Promise.reject(new VenueUnavailableError({ code: 503 }));
      if (step === "429") return Promise.reject(new RateLimitedError(1500));
      if (orders.has(id)) return Promise.reject(new DuplicateClientOrderIdError(id));
      orders.set(id, `order-${id}`);
      if (step === "lost") return Promise.reject(new NetworkError({ message: "reset" }));
      return Promise.resolve(`order-${id}`);
    },
  };
}

Deno.test("placeOnce() returns the order found by client id when the answer is lost", async () => {
  const venue = fakeVenue(["lost"]);
  const got = await placeOnce({
    clientOrderId: "7",
    send: () => venue.send("7"),
    lookup: () => Promise.resolve(venue.orders.get("7")),
    clock: instantClock(),
  });
  deepEqual(got, "order-7");
  deepEqual(venue.sends, 1);
  deepEqual(venue.orders.size, 1);
});

Deno.test("placeOnce() resends with the same id when the order never arrived", async () => {
  const venue = fakeVenue(["timeout-before", "503", "ok"]);
  const clock = instantClock();
  const got = await placeOnce({
    clientOrderId: "8",
    send: () => venue.send("8"),
    lookup: () => Promise.resolve(venue.orders.get("8")),
    clock,
    lookups: 2,
  });
  deepEqual(got, "order-8");
  deepEqual(venue.sends, 3);
  deepEqual(venue.orders.size, 1);
});

Deno.test("placeOnce() treats a duplicate-id refusal after a doubtful send as success", async () => {
  const venue = fakeVenue(["lost"]);
  let lookups = 0;
  const got = await placeOnce({
    clientOrderId: "9",
    send: () => venue.send("9"),
    // The venue is slow to show the order: the first round of lookups finds nothing.
    lookup: () => Promise.resolve(++lookups <= 3 ? undefined : venue.orders.get("9")),
    clock: instantClock(),
  });
  deepEqual(got, "order-9");
  deepEqual(venue.sends, 2);
  deepEqual(venue.orders.size, 1);
});

Deno.test("placeOnce() waits Retry-After on a rate limit and sends again", async () => {
  const venue = fakeVenue(["429", "ok"]);
  const clock = instantClock();
  const got = await placeOnce({
    clientOrderId: "10",
    send: () => venue.send("10"),
    lookup: () => Promise.reject(new Error("must not look up after a 429")),
    clock,
  });
  deepEqual(got, "order-10");
  deepEqual(clock.slept, [1500]);
});

Deno.test("placeOnce() throws venue rejections at once, without lookups or resends", async () => {
  let sends = 0;
  let lookups = 0;
  await rejects(
    placeOnce({
      clientOrderId: "11",
      send: () => (sends++, Promise.reject(new InsufficientMarginError())),
      lookup: () => (lookups++, Promise.resolve(undefined)),
      clock: instantClock(),
    }),
    InsufficientMarginError,
  );
  deepEqual([sends, lookups], [1, 0]);
});

Deno.test("placeOnce() does not retry a bug (a non-PerpError)", async () => {
  let sends = 0;
  await rejects(
    placeOnce({
      clientOrderId: "12",
      send: () => (sends++, Promise.reject(new TypeError("x is undefined"))),
      lookup: () => Promise.resolve(undefined),
      clock: instantClock(),
    }),
    TypeError,
  );
  deepEqual(sends, 1);
});

Deno.test("placeOnce() gives up after the attempt budget with the last error", async () => {
  const venue = fakeVenue(["timeout-before", "timeout-before", "timeout-before", "ok"]);
  await rejects(
    placeOnce({
      clientOrderId: "13",
      send: () => venue.send("13"),
      lookup: () => Promise.resolve(venue.orders.get("13")),
      clock: instantClock(),
      attempts: 3,
    }),
    TimeoutError,
  );
  deepEqual(venue.orders.size, 0);
});
