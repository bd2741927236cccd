import {
  deepStrictEqual as deepEqual,
  ok,
  rejects,
  strictEqual as equal,
} from "node:assert/strict";
import { placeOnce } from "./place_once.ts";
import { ManualClock } from "./clock.ts";
import {
  DuplicateClientOrderIdError,
  InsufficientMarginError,
  MalformedPayloadError,
  NetworkError,
  OrderOutcomeUnknownError,
  RateLimitedError,
  TimeoutError,
  VenueUnavailableError,
} from "../../core/errors.ts";

interface O {
  clientOrderId: string;
  status: string;
}

/** A clock whose sleeps advance its own time at once. */
function steppingClock(start = 0) {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: (ms: number) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

type Step = "ok" | "lost" | "timeout-before" | "503" | "429" | "garbage" | "other-order";
type LookupStep = "throw" | "429" | "absent" | "found";

/**
 * A scripted venue: sends follow `sends`, lookups follow `lookups` (the last step repeats).
 * "found" answers what the venue holds; a venue that holds nothing answers absent.
 */
function scriptedVenue(sends: Step[], lookups: LookupStep[] = ["found"]) {
  const held = new Map<string, O>();
  let sent = 0;
  let looked = 0;
  return {
    held,
    get sends() {
      return sent;
    },
    get lookups() {
      return looked;
    },
    send(id: string): Promise<unknown> {
      const step = sends[sent++] ?? "ok";
      if (step === "timeout-before") return Promise.reject(new TimeoutError(1000));
      if (step === "503") return Promise.reject(new VenueUnavailableError({ code: 503 }));
      if (step === "429") return Promise.reject(new RateLimitedError(1500));
      if (held.has(id)) return Promise.reject(new DuplicateClientOrderIdError(id));
      held.set(id, { clientOrderId: id, status: "open" });
      if (step === "lost") return Promise.reject(new NetworkError({ message: "reset" }));
      if (step === "garbage") return Promise.resolve(null);
      if (step === "other-order") return Promise.resolve({ clientOrderId: "999", status: "open" });
      return Promise.resolve({ clientOrderId: id, status: "open" });
    },
    lookup(id: string): Promise<O | undefined> {
      const step = lookups[Math.min(looked++, lookups.length - 1)];
      if (step === "throw") return Promise.reject(new VenueUnavailableError({ code: 502 }));
      if (step === "429") return Promise.reject(new RateLimitedError(500));
      if (step === "absent") return Promise.resolve(undefined);
      return Promise.resolve(held.get(id));
    },
  };
}

/** Reads an answer the way a venue client does: anything but an order object is unreadable. */
function parseAnswer(answer: unknown): O {
  const a = answer as O;
  return { clientOrderId: a.clientOrderId, status: a.status };
}

Deno.test("placeOnce() returns the order found by client id when the answer is lost", async () => {
  const venue = scriptedVenue(["lost"]);
  const got = await placeOnce({
    clientOrderId: "7",
    send: () => venue.send("7"),
    parse: parseAnswer,
    lookup: () => venue.lookup("7"),
    clock: steppingClock(),
  });
  deepEqual(got, { clientOrderId: "7", status: "open" });
  deepEqual([venue.sends, venue.held.size], [1, 1]);
});

Deno.test("placeOnce(): lookups throwing 4 times then succeeding give exactly one order", async () => {
  const venue = scriptedVenue(["lost"], ["throw", "429", "throw", "throw", "found"]);
  const got = await placeOnce({
    clientOrderId: "8",
    send: () => venue.send("8"),
    parse: parseAnswer,
    lookup: () => venue.lookup("8"),
    canResend: () => true,
    clock: steppingClock(),
  });
  deepEqual(got, { clientOrderId: "8", status: "open" });
  deepEqual([venue.sends, venue.lookups, venue.held.size], [1, 5, 1]);
});

Deno.test("placeOnce(): lookups throwing until the deadline → OrderOutcomeUnknownError, no resend", async () => {
  const venue = scriptedVenue(["lost"], ["throw"]);
  const clock = steppingClock(1_000);
  const error = await rejects(
    placeOnce({
      clientOrderId: "9",
      venue: "lighter",
      send: () => venue.send("9"),
      parse: parseAnswer,
      lookup: () => venue.lookup("9"),
      canResend: () => true,
      clock,
      outcomeDeadlineMs: 10_000,
      random: () => 0.5,
    }),
    (e: unknown) => {
      ok(e instanceof OrderOutcomeUnknownError);
      equal(e.clientOrderId, "9");
      equal(e.venue, "lighter");
      equal(e.retryable, false);
      ok(e.cause instanceof VenueUnavailableError);
      return true;
    },
  );
  void error;
  equal(venue.sends, 1);
  // It kept looking until the deadline (10 s after the doubtful send), not for ever.
  equal(clock.now(), 11_000);
  ok(venue.lookups > 3);
});

Deno.test("placeOnce(): an order not visible until the deadline is unknown, never resent", async () => {
  // The first copy reached the venue but is never visible; without canResend nothing proves
  // it dead, so the absent lookups must not lead to a second send.
  const venue = scriptedVenue(["timeout-before"], ["absent"]);
  await rejects(
    placeOnce({
      clientOrderId: "10",
      send: () => venue.send("10"),
      parse: parseAnswer,
      lookup: () => venue.lookup("10"),
      clock: steppingClock(),
      outcomeDeadlineMs: 5_000,
    }),
    OrderOutcomeUnknownError,
  );
  equal(venue.sends, 1);
});

Deno.test("placeOnce(): an unreadable answer to a create is looked up, not taken as final", async () => {
  const venue = scriptedVenue(["garbage"]);
  const got = await placeOnce({
    clientOrderId: "11",
    send: () => venue.send("11"),
    parse: parseAnswer,
    lookup: () => venue.lookup("11"),
    clock: steppingClock(),
  });
  deepEqual(got, { clientOrderId: "11", status: "open" });
  deepEqual([venue.sends, venue.lookups], [1, 1]);
});

Deno.test("placeOnce(): an answer naming another order is looked up, never returned", async () => {
  const venue = scriptedVenue(["other-order"]);
  const got = await placeOnce({
    clientOrderId: "12",
    send: () => venue.send("12"),
    parse: parseAnswer,
    lookup: () => venue.lookup("12"),
    clock: steppingClock(),
  });
  equal(got.clientOrderId, "12");
  equal(venue.lookups, 1);
});

Deno.test("placeOnce(): resends only after canResend proves the first copy dead and a lookup proves it absent", async () => {
  const venue = scriptedVenue(["timeout-before", "ok"], ["throw", "absent"]);
  let dead = false;
  const signed: number[] = [];
  const got = await placeOnce({
    clientOrderId: "13",
    sign: (attempt) => (signed.push(attempt), `nonce-${attempt}`),
    send: () => venue.send("13"),
    parse: parseAnswer,
    lookup: async () => {
      const r = await venue.lookup("13");
      dead = true; // the venue invalidates the first nonce after the first lookup
      return r;
    },
    canResend: (s) => s === "nonce-0" && dead,
    clock: steppingClock(),
  });
  equal(got.clientOrderId, "13");
  // Lookup 1 failed (no resend), lookup 2 absent but the proof came before it? No: dead turned
  // true after lookup 1, so lookup 2 ran with the proof in hand and found nothing: resend.
  deepEqual([venue.sends, signed], [2, [0, 1]]);
});

Deno.test("placeOnce(): an absent order whose first copy may still arrive is not resent", async () => {
  const venue = scriptedVenue(["timeout-before"], ["absent"]);
  await rejects(
    placeOnce({
      clientOrderId: "14",
      send: () => venue.send("14"),
      parse: parseAnswer,
      lookup: () => venue.lookup("14"),
      canResend: () => false,
      clock: steppingClock(),
      outcomeDeadlineMs: 3_000,
    }),
    OrderOutcomeUnknownError,
  );
  equal(venue.sends, 1);
});

Deno.test("placeOnce(): a rate limit before any doubt waits and sends the same payload", async () => {
  const venue = scriptedVenue(["429", "ok"]);
  const clock = steppingClock();
  const payloads: string[] = [];
  const got = await placeOnce({
    clientOrderId: "15",
    sign: () => "payload",
    send: (p) => (payloads.push(p), venue.send("15")),
    parse: parseAnswer,
    lookup: () => venue.lookup("15"),
    clock,
  });
  equal(got.clientOrderId, "15");
  deepEqual([payloads, clock.slept], [["payload", "payload"], [1500]]);
});

Deno.test("placeOnce(): a rejection is thrown as it is, without lookup", async () => {
  let lookups = 0;
  await rejects(
    placeOnce({
      clientOrderId: "16",
      send: () => Promise.reject(new InsufficientMarginError({ venue: "grvt" })),
      lookup: () => (lookups++, Promise.resolve(undefined)),
      clock: steppingClock(),
    }),
    InsufficientMarginError,
  );
  equal(lookups, 0);
});

Deno.test("placeOnce(): a duplicate id on the first send is a real duplicate", async () => {
  await rejects(
    placeOnce<undefined, O, O>({
      clientOrderId: "17",
      send: () => Promise.reject(new DuplicateClientOrderIdError("17")),
      lookup: () => Promise.resolve({ clientOrderId: "17", status: "open" }),
      clock: steppingClock(),
    }),
    DuplicateClientOrderIdError,
  );
});

Deno.test("placeOnce(): a duplicate id after a doubtful send returns the first copy", async () => {
  const venue = scriptedVenue(["lost", "ok"], ["absent", "absent", "found"]);
  let dead = true;
  const got = await placeOnce({
    clientOrderId: "18",
    send: () => venue.send("18"),
    parse: parseAnswer,
    lookup: () => venue.lookup("18"),
    // Wrongly claims the first copy dead: the venue's duplicate refusal still saves the day.
    canResend: () => dead,
    clock: steppingClock(),
  });
  dead = false;
  deepEqual([got.clientOrderId, venue.sends, venue.held.size], ["18", 2, 1]);
});

Deno.test("placeOnce(): a parse failure that is not a PerpError becomes a typed doubt", async () => {
  const venue = scriptedVenue(["ok"], ["throw"]);
  await rejects(
    placeOnce({
      clientOrderId: "19",
      send: () => venue.send("19"),
      parse: () => {
        throw new TypeError("Cannot use 'in' operator to search for 'code' in null");
      },
      lookup: () => venue.lookup("19"),
      clock: steppingClock(),
      outcomeDeadlineMs: 1_000,
    }),
    (e: unknown) =>
      e instanceof OrderOutcomeUnknownError && e.cause instanceof VenueUnavailableError,
  );
});

Deno.test("placeOnce(): works on a ManualClock too (deadline measured on the injected clock)", async () => {
  const clock = new ManualClock(0);
  const venue = scriptedVenue(["lost"], ["throw"]);
  const done = placeOnce({
    clientOrderId: "20",
    send: () => venue.send("20"),
    parse: parseAnswer,
    lookup: () => venue.lookup("20"),
    clock,
    outcomeDeadlineMs: 2_000,
  }).then(() => "resolved", (e) => e);
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 0));
    clock.advance(100);
  }
  const result = await done;
  ok(result instanceof OrderOutcomeUnknownError);
  equal(venue.sends, 1);
});

Deno.test("placeOnce(): MalformedPayloadError answers count as doubtful", async () => {
  const venue = scriptedVenue(["ok"]);
  const got = await placeOnce({
    clientOrderId: "21",
    send: async () => {
      await venue.send("21");
      throw new MalformedPayloadError("result", { venue: "grvt" });
    },
    lookup: () => venue.lookup("21"),
    clock: steppingClock(),
  });
  equal(got?.clientOrderId, "21");
});
