import { deepStrictEqual as deepEqual, strictEqual as equal, throws } from "node:assert/strict";
import { LiveOrderBook } from "./live_order_book.ts";
import { ManualClock } from "./clock.ts";
import { MalformedPayloadError } from "../../core/errors.ts";

function liveBook(clock: ManualClock, maxSilenceMs = 3_000) {
  const requested: string[] = [];
  const book = new LiveOrderBook("BTC", {
    sequenceRule: "increment",
    requestSnapshot: (e) => void requested.push(e.reason),
    maxSilenceMs,
    clock,
  });
  return { book, requested };
}

const SNAPSHOT = {
  bids: [{ price: "99.5", size: "1" }],
  asks: [{ price: "100.5", size: "2" }],
};

Deno.test("LiveOrderBook turns stale after maxSilenceMs without a frame, fresh on the next one", async () => {
  const clock = new ManualClock(1_000_000);
  const { book } = liveBook(clock);
  book.applySnapshot(SNAPSHOT, { sequence: 1 });
  equal(book.bestBidAsk().stale, false);
  equal(book.bestBidAsk().receivedAt, 1_000_000);
  await clock.advance(3_000);
  // Exactly the maximum silence is still fresh; one millisecond more is not.
  equal(book.snapshot().stale, false);
  await clock.advance(1);
  equal(book.snapshot().stale, true);
  equal(book.bestBidAsk().stale, true);
  equal(book.stale, true);
  // The last known prices are still readable, marked stale, with their age.
  deepEqual(
    [book.bestBidAsk().bid.toString(), book.bestBidAsk().receivedAt],
    ["99.5", 1_000_000],
  );
  book.applyDelta({ bids: [{ price: "99.6", size: "1" }] }, { sequence: 2 });
  deepEqual(
    [book.bestBidAsk().stale, book.bestBidAsk().bid.toString(), book.bestBidAsk().receivedAt],
    [false, "99.6", 1_003_001],
  );
  await book.close();
});

Deno.test("LiveOrderBook: a duplicate frame or touch() proves the feed alive; a gap does not", async () => {
  const clock = new ManualClock(0);
  const { book, requested } = liveBook(clock, 1_000);
  book.applySnapshot(SNAPSHOT, { sequence: 5 });
  await clock.advance(900);
  equal(book.applyDelta({}, { sequence: 5 }), "duplicate");
  await clock.advance(900);
  equal(book.snapshot().stale, false);
  book.touch();
  await clock.advance(900);
  equal(book.snapshot().stale, false);
  equal(book.applyDelta({}, { sequence: 9 }), "gap");
  deepEqual(requested, ["gap"]);
  equal(book.snapshot().stale, true);
  equal(book.snapshot().receivedAt, 1_800);
  await book.close();
});

Deno.test("LiveOrderBook is stale before its first snapshot and refuses a non-positive silence", () => {
  const clock = new ManualClock(0);
  const { book } = liveBook(clock);
  equal(book.snapshot().stale, true);
  equal(book.snapshot().receivedAt, undefined);
  throws(
    () => new LiveOrderBook("BTC", { requestSnapshot: () => {}, maxSilenceMs: 0, clock }),
    RangeError,
  );
});

for (
  const [label, price] of [
    ["zero", "0"],
    ["zero with decimals", "0.000"],
    ["negative", "-100.5"],
    ["10^15", "1000000000000000"],
    ["10^95", "1" + "0".repeat(95)],
    ["exponent", "1e5"],
    ["empty", ""],
  ] as const
) {
  Deno.test(`LiveOrderBook refuses a ${label} bid price in a snapshot and stays stale`, () => {
    const clock = new ManualClock(0);
    const { book, requested } = liveBook(clock);
    throws(
      () =>
        book.applySnapshot({ bids: [{ price, size: "1" }], asks: [{ price: "100", size: "1" }] }, {
          sequence: 1,
        }),
      (e: unknown) => e instanceof MalformedPayloadError && e.field === "bids[0].price",
    );
    equal(book.snapshot().stale, true);
    deepEqual(requested, ["malformed"]);
  });
  Deno.test(`LiveOrderBook refuses a ${label} ask price in a delta and turns stale`, () => {
    const clock = new ManualClock(0);
    const { book, requested } = liveBook(clock);
    book.applySnapshot(SNAPSHOT, { sequence: 1 });
    throws(
      () => book.applyDelta({ asks: [{ price, size: "1" }] }, { sequence: 2 }),
      (e: unknown) => e instanceof MalformedPayloadError && e.field === "asks[0].price",
    );
    equal(book.snapshot().stale, true);
    deepEqual(requested, ["malformed"]);
  });
}

Deno.test("LiveOrderBook accepts a price just below 10^14", () => {
  const { book } = liveBook(new ManualClock(0));
  book.applySnapshot({
    bids: [{ price: "99999999999999.9", size: "1" }],
    asks: [],
  }, { sequence: 1 });
  equal(book.snapshot().bids[0].price.toString(), "99999999999999.9");
});
