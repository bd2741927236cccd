import { deepStrictEqual as deepEqual, strictEqual as equal, throws } from "node:assert/strict";
import { MalformedPayloadError, NotFoundError } from "../../core/errors.ts";
import {
  type BookSides,
  L2OrderBook,
  type L2OrderBookOptions,
  type RawBookLevel,
  type ResyncEvent,
} from "./order_book.ts";

function lv(price: string, size: string): RawBookLevel {
  return { price, size };
}

function liveBook(options: L2OrderBookOptions = {}): {
  book: L2OrderBook;
  resyncs: ResyncEvent[];
} {
  const resyncs: ResyncEvent[] = [];
  const book = new L2OrderBook("BTC", { ...options, onResync: (e) => resyncs.push(e) });
  book.applySnapshot({
    bids: [lv("99.9", "1.00000"), lv("99.8", "2.00000"), lv("99.5", "3.00000")],
    asks: [lv("100.1", "4.00000"), lv("100.2", "5.00000"), lv("100.6", "6.00000")],
  }, { sequence: 1000, timestamp: 1_775_000_000_000 });
  return { book, resyncs };
}

// Lighter frames chain begin_nonce to the previous nonce.
function chain(book: L2OrderBook, sides: BookSides, nonce: number) {
  return book.applyDelta(sides, { sequence: nonce, prevSequence: book.sequence });
}

Deno.test("applySnapshot() orders both sides best first and makes the book live", () => {
  const book = new L2OrderBook("BTC");
  equal(book.stale, true);
  const status = book.applySnapshot({
    bids: [lv("99.5", "3"), lv("99.9", "1"), lv("99.8", "2")],
    asks: [lv("100.6", "6"), lv("100.1", "4"), lv("100.2", "5")],
  }, { sequence: 7, timestamp: 42 });
  equal(status, "applied");
  equal(book.stale, false);
  equal(book.sequence, 7);
  deepEqual(book.rawLevels(), {
    bids: [["99.9", "1"], ["99.8", "2"], ["99.5", "3"]],
    asks: [["100.1", "4"], ["100.2", "5"], ["100.6", "6"]],
  });
  const snap = book.snapshot();
  equal(snap.symbol, "BTC");
  equal(snap.sequence, 7);
  equal(snap.timestamp, 42);
  equal(snap.stale, false);
  equal(snap.bids[0].price.toString(), "99.9");
  equal(snap.asks[2].size.toString(), "6");
});

Deno.test("applySnapshot() replaces the previous book and skips zero-size levels", () => {
  const { book } = liveBook();
  book.applySnapshot({ bids: [lv("50", "1"), lv("49", "0.000")], asks: [lv("51", "2")] }, {
    sequence: 2000,
  });
  deepEqual(book.rawLevels(), { bids: [["50", "1"]], asks: [["51", "2"]] });
  equal(book.bidCount, 1);
});

Deno.test("applySnapshot() keeps the last listing of a price listed twice", () => {
  const book = new L2OrderBook("BTC");
  book.applySnapshot({ bids: [lv("10", "1"), lv("10.0", "2")] }, { sequence: 1 });
  deepEqual(book.rawLevels().bids, [["10.0", "2"]]);
});

Deno.test("applyDelta() inserts a new level at its place", () => {
  const { book } = liveBook();
  equal(
    chain(book, { bids: [lv("99.7", "0.50000")], asks: [lv("100.0", "0.25000")] }, 1001),
    "applied",
  );
  deepEqual(book.rawLevels(2), {
    bids: [["99.9", "1.00000"], ["99.8", "2.00000"]],
    asks: [["100.0", "0.25000"], ["100.1", "4.00000"]],
  });
  deepEqual(book.rawLevels().bids.map(([p]) => p), ["99.9", "99.8", "99.7", "99.5"]);
  equal(book.sequence, 1001);
});

Deno.test("applyDelta() replaces the size of an existing level with the new absolute size", () => {
  const { book } = liveBook();
  chain(book, { bids: [lv("99.8", "7.25000")] }, 1001);
  deepEqual(book.rawLevels().bids, [["99.9", "1.00000"], ["99.8", "7.25000"], [
    "99.5",
    "3.00000",
  ]]);
  equal(book.bidCount, 3);
});

Deno.test("applyDelta() deletes a level on size zero and ignores deleting an unknown level", () => {
  const { book } = liveBook();
  chain(book, { bids: [lv("99.9", "0.00000")], asks: [lv("100.5", "0")] }, 1001);
  deepEqual(book.rawLevels().bids.map(([p]) => p), ["99.8", "99.5"]);
  deepEqual(book.rawLevels().asks.map(([p]) => p), ["100.1", "100.2", "100.6"]);
  equal(book.bestBid()?.price.toString(), "99.8");
});

Deno.test("applyDelta() treats every spelling of zero as a delete", () => {
  for (const zero of ["0", "0.0", "0.00000", "00.000", ".0", "0."]) {
    const { book } = liveBook();
    chain(book, { asks: [lv("100.1", zero)] }, 1001);
    equal(book.askCount, 2, `size ${JSON.stringify(zero)} should delete`);
    equal(book.bestAsk()?.price.toString(), "100.2");
  }
  // A tiny size is not zero, however many zeros come first.
  const { book } = liveBook();
  chain(book, { asks: [lv("100.1", `0.${"0".repeat(400)}1`)] }, 1001);
  equal(book.askCount, 3);
  equal(book.rawLevels(1).asks[0][1], `0.${"0".repeat(400)}1`);
});

Deno.test("applyDelta() applies levels of one frame in order", () => {
  const { book } = liveBook();
  chain(book, { bids: [lv("99.7", "1"), lv("99.7", "0"), lv("99.6", "0"), lv("99.6", "2")] }, 1001);
  deepEqual(book.rawLevels().bids.map(([p]) => p), ["99.9", "99.8", "99.6", "99.5"]);
});

Deno.test("applyDelta() treats two spellings of one price as the same level", () => {
  const { book } = liveBook();
  chain(book, { bids: [lv("99.80", "9.00000")] }, 1001);
  equal(book.bidCount, 3);
  deepEqual(book.rawLevels().bids[1], ["99.8", "9.00000"]);
  chain(book, { bids: [lv("099.800000", "0.0")] }, 1002);
  equal(book.bidCount, 2);
  deepEqual(book.rawLevels().bids.map(([p]) => p), ["99.9", "99.5"]);
});

Deno.test("applyDelta() orders prices of more than 15 significant digits exactly", () => {
  const book = new L2OrderBook("PEPE");
  // All three are the same double: only an exact comparison tells them apart.
  const a = "0.10000000000000000001";
  const b = "0.10000000000000000002";
  const c = "0.10000000000000000003";
  equal(parseFloat(a), parseFloat(c));
  book.applySnapshot({ bids: [lv(b, "1"), lv("0.1", "5")], asks: [lv("0.2", "1")] }, {
    sequence: 1,
  });
  equal(book.bidCount, 2);
  equal(
    book.applyDelta({ bids: [lv(c, "3"), lv(a, "2")] }, { sequence: 2, prevSequence: 1 }),
    "applied",
  );
  deepEqual(book.rawLevels().bids, [[c, "3"], [b, "1"], [a, "2"], ["0.1", "5"]]);
  // Updates and deletes find the exact level, in any spelling.
  book.applyDelta({ bids: [lv(`${b}000`, "7"), lv(a, "0")] }, { sequence: 3, prevSequence: 2 });
  deepEqual(book.rawLevels().bids, [[c, "3"], [b, "7"], ["0.1", "5"]]);
  equal(book.bestBid()?.price.toString(), c);
  // 0.1 and 0.10000000000000000001 share a double but are different levels.
  book.applyDelta({ bids: [lv("0.10", "0")] }, { sequence: 4, prevSequence: 3 });
  deepEqual(book.rawLevels().bids, [[c, "3"], [b, "7"]]);
});

Deno.test("isCrossed() compares long prices exactly", () => {
  const book = new L2OrderBook("X");
  book.applySnapshot({
    bids: [lv("1.00000000000000000001", "1")],
    asks: [lv("1.00000000000000000002", "1")],
  }, { sequence: 1 });
  equal(book.isCrossed(), false);
  equal(book.stale, false);
  equal(
    book.applyDelta({ bids: [lv("1.000000000000000000020", "1")] }, {
      sequence: 2,
      prevSequence: 1,
    }),
    "crossed",
  );
});

Deno.test("applyDelta() reports a gap and goes stale when begin_nonce does not chain", () => {
  const { book, resyncs } = liveBook();
  const status = book.applyDelta({ bids: [lv("99.9", "5")] }, {
    sequence: 1010,
    prevSequence: 1003,
  });
  equal(status, "gap");
  equal(book.stale, true);
  // The delta was not applied.
  equal(book.rawLevels(1).bids[0][1], "1.00000");
  equal(book.sequence, 1000);
  deepEqual(resyncs, [{
    reason: "gap",
    symbol: "BTC",
    lastSequence: 1000,
    sequence: 1010,
    prevSequence: 1003,
  }]);
  equal(book.snapshot().stale, true);
  equal(book.bestBidAsk().stale, true);
});

Deno.test("applyDelta() ignores deltas while stale until a snapshot makes the book live again", () => {
  const { book, resyncs } = liveBook();
  equal(book.applyDelta({}, { sequence: 1005, prevSequence: 999 }), "gap");
  // Even a delta that would have chained is ignored now; onResync is not called again.
  equal(
    book.applyDelta({ asks: [lv("100.1", "0")] }, { sequence: 1006, prevSequence: 1000 }),
    "stale",
  );
  equal(book.askCount, 3);
  equal(resyncs.length, 1);
  equal(
    book.applySnapshot({ bids: [lv("99", "1")], asks: [lv("101", "1")] }, { sequence: 2000 }),
    "applied",
  );
  equal(book.stale, false);
  equal(
    book.applyDelta({ bids: [lv("99.5", "2")] }, { sequence: 2003, prevSequence: 2000 }),
    "applied",
  );
  equal(book.bestBid()?.price.toString(), "99.5");
});

Deno.test("applyDelta() before any snapshot asks for a resync once", () => {
  const resyncs: ResyncEvent[] = [];
  const book = new L2OrderBook("ETH", { onResync: (e) => resyncs.push(e) });
  equal(book.applyDelta({ bids: [lv("1", "1")] }, { sequence: 5, prevSequence: 4 }), "gap");
  equal(book.applyDelta({ bids: [lv("1", "1")] }, { sequence: 6, prevSequence: 5 }), "stale");
  deepEqual(resyncs.map((e) => [e.reason, e.lastSequence]), [["no_snapshot", undefined]]);
  equal(book.bidCount, 0);
  equal(book.stale, true);
});

Deno.test("applyDelta() with the increment rule needs sequence = last + 1", () => {
  const { book, resyncs } = liveBook({ sequenceRule: "increment" });
  equal(book.applyDelta({ bids: [lv("99.9", "2")] }, { sequence: 1001 }), "applied");
  equal(book.applyDelta({ bids: [lv("99.9", "3")] }, { sequence: 1002 }), "applied");
  // GRVT may repeat a sequence number: the repeat is ignored, not a gap.
  equal(book.applyDelta({ bids: [lv("99.9", "9")] }, { sequence: 1002 }), "duplicate");
  equal(book.rawLevels(1).bids[0][1], "3");
  equal(book.applyDelta({ bids: [lv("99.9", "4")] }, { sequence: 1004 }), "gap");
  equal(resyncs[0].reason, "gap");
  equal(resyncs[0].lastSequence, 1002);
  equal(book.rawLevels(1).bids[0][1], "3");
});

Deno.test("applyDelta() with the chained rule refuses a missing prevSequence", () => {
  const { book } = liveBook({ sequenceRule: "chained" });
  equal(book.applyDelta({}, { sequence: 1001 }), "gap");
});

Deno.test("applyDelta() follows a custom sequence rule", () => {
  const calls: [number, number, number | undefined][] = [];
  const { book } = liveBook({
    sequenceRule: (last, sequence, prev) => {
      calls.push([last, sequence, prev]);
      return sequence > last && sequence - last <= 10;
    },
  });
  equal(book.applyDelta({ asks: [lv("100.1", "1")] }, { sequence: 1010 }), "applied");
  equal(book.applyDelta({ asks: [lv("100.1", "2")] }, { sequence: 1021, prevSequence: 1 }), "gap");
  deepEqual(calls, [[1000, 1010, undefined], [1010, 1021, 1]]);
  equal(book.rawLevels(1).asks[0][1], "1");
});

Deno.test("sequence numbers above 2^32 chain exactly", () => {
  const big = 2 ** 40 + 17;
  const book = new L2OrderBook("BTC", { sequenceRule: "increment" });
  book.applySnapshot({ bids: [lv("1", "1")] }, { sequence: big });
  equal(book.applyDelta({}, { sequence: big + 1 }), "applied");
  equal(book.applyDelta({}, { sequence: big + 3 }), "gap");
});

Deno.test("applyDelta() reports a crossed book, goes stale and asks for a resync", () => {
  const { book, resyncs } = liveBook();
  equal(chain(book, { bids: [lv("100.1", "1")] }, 1001), "crossed");
  equal(book.isCrossed(), true);
  equal(book.stale, true);
  deepEqual(resyncs.map((e) => e.reason), ["crossed"]);
  equal(chain(book, { bids: [lv("100.1", "0")] }, 1002), "stale");
});

Deno.test("isCrossed() is true at equal prices in different spellings, false on an empty side", () => {
  const book = new L2OrderBook("BTC");
  book.applySnapshot({ bids: [lv("100.00", "1")] }, { sequence: 1 });
  equal(book.isCrossed(), false);
  equal(
    book.applySnapshot({ bids: [lv("100.00", "1")], asks: [lv("100", "1")] }, { sequence: 2 }),
    "crossed",
  );
  equal(book.isCrossed(), true);
  equal(book.stale, true);
  book.applySnapshot({ bids: [lv("99.99", "1")], asks: [lv("100", "1")] }, { sequence: 3 });
  equal(book.isCrossed(), false);
  equal(book.stale, false);
});

Deno.test("snapshot(depth) returns the best levels first as Decimal", () => {
  const { book } = liveBook();
  const snap = book.snapshot(2);
  deepEqual(snap.bids.map((l) => [l.price.toString(), l.size.toString()]), [["99.9", "1"], [
    "99.8",
    "2",
  ]]);
  deepEqual(snap.asks.map((l) => l.price.toString()), ["100.1", "100.2"]);
  equal(book.snapshot(0).bids.length, 0);
  equal(book.snapshot(100).asks.length, 3);
  equal(book.snapshot().bids.length, 3);
  throws(() => book.snapshot(-1), RangeError);
  throws(() => book.snapshot(1.5), RangeError);
});

Deno.test("bestBidAsk() returns the top of the book with sizes and timestamp", () => {
  const { book } = liveBook();
  chain(book, {}, 1001);
  book.applyDelta({ asks: [lv("100.05", "0.10000")] }, {
    sequence: 1002,
    prevSequence: 1001,
    timestamp: 1_775_000_000_500,
  });
  const q = book.bestBidAsk();
  deepEqual(
    [q.symbol, q.bid.toString(), q.bidSize.toString(), q.ask.toString(), q.askSize.toString()],
    ["BTC", "99.9", "1", "100.05", "0.1"],
  );
  equal(q.timestamp, 1_775_000_000_500);
  equal(q.stale, false);
});

Deno.test("bestBidAsk() throws NotFoundError when a side is empty", () => {
  const book = new L2OrderBook("BTC", { venue: "lighter" });
  throws(() => book.bestBidAsk(), NotFoundError);
  book.applySnapshot({ bids: [lv("1", "1")] }, { sequence: 1 });
  throws(() => book.bestBidAsk(), (e: unknown) => {
    return e instanceof NotFoundError && /ask side/.test(e.message) && e.venue === "lighter";
  });
  equal(book.bestAsk(), undefined);
  equal(book.bestBid()?.size.toString(), "1");
});

Deno.test("applyDelta() throws MalformedPayloadError for a non-decimal price or size", () => {
  for (
    const bad of [
      lv("1e5", "1"),
      lv("100.1.1", "1"),
      lv("", "1"),
      lv(" 100", "1"),
      lv("100", "-1"),
      lv("100", "abc"),
      lv("100", ""),
      lv("100", "."),
      { price: 100, size: "1" } as unknown as RawBookLevel,
    ]
  ) {
    const { book, resyncs } = liveBook();
    throws(() => chain(book, { bids: [bad] }, 1001), MalformedPayloadError);
    equal(book.stale, true);
    deepEqual(resyncs.map((e) => e.reason), ["malformed"]);
  }
});

Deno.test("a zero, negative or absurd price never enters the book, in a delta or a snapshot", () => {
  const BAD_PRICES = [
    "0",
    "0.000",
    "-0",
    "-1",
    "-99.9",
    "1000000000000000", // 10^15: no market trades there
    "1000000000000000.5",
    "NaN",
    "Infinity",
    "-Infinity",
  ];
  for (const price of BAD_PRICES) {
    const { book, resyncs } = liveBook();
    throws(() => chain(book, { asks: [lv(price, "1")] }, 1001), MalformedPayloadError, price);
    equal(book.stale, true, price);
    deepEqual(resyncs.map((e) => e.reason), ["malformed"], price);
    // The snapshot that would carry it leaves the book stale too (EdgeX-style depth snapshot).
    const fresh = new L2OrderBook("BTC", { onResync: () => {} });
    throws(
      () =>
        fresh.applySnapshot({ bids: [lv("99.9", "1"), lv(price, "2")], asks: [lv("100.1", "1")] }, {
          sequence: 1,
        }),
      MalformedPayloadError,
      price,
    );
    equal(fresh.stale, true, price);
    equal(fresh.snapshot().stale, true, price);
  }
  // The largest price below the bound and the smallest positive one are fine.
  const { book } = liveBook();
  equal(chain(book, { asks: [lv("999999999999999", "1")] }, 1001), "applied");
  equal(chain(book, { bids: [lv("0.000000000000000001", "1")] }, 1002), "applied");
  equal(book.rawLevels().asks.at(-1)?.[0], "999999999999999");
  equal(book.rawLevels().bids.at(-1)?.[0], "0.000000000000000001");
});

Deno.test("markStale() makes deltas ignored until the next snapshot without calling onResync", () => {
  const { book, resyncs } = liveBook();
  book.markStale();
  equal(book.stale, true);
  equal(chain(book, {}, 1001), "stale");
  equal(resyncs.length, 0);
  book.applySnapshot({}, { sequence: 5 });
  equal(book.stale, false);
});

Deno.test("the book frees deleted levels and matches a reference model over a random stream", () => {
  // Deterministic LCG so a failure reproduces.
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const book = new L2OrderBook("BTC", { sequenceRule: "increment" });
  book.applySnapshot({}, { sequence: 0 });
  const model = { bids: new Map<number, string>(), asks: new Map<number, string>() };
  for (let seq = 1; seq <= 5000; seq++) {
    const bids: RawBookLevel[] = [];
    const asks: RawBookLevel[] = [];
    for (let k = rand(4); k >= 0; k--) {
      const isBid = rand(2) === 0;
      const tick = isBid ? 1000 - 1 - rand(60) : 1000 + 1 + rand(60);
      const size = rand(3) === 0 ? "0.000" : `${rand(100)}.${rand(10)}01`;
      // Spell some prices with trailing zeros: still the same level.
      const price = `${Math.floor(tick / 10)}.${tick % 10}${rand(4) === 0 ? "00" : ""}`;
      (isBid ? bids : asks).push(lv(price, size));
      const side = isBid ? model.bids : model.asks;
      if (size === "0.000") side.delete(tick);
      else side.set(tick, size);
    }
    equal(book.applyDelta({ bids, asks }, { sequence: seq }), "applied");
  }
  const expect = (side: Map<number, string>, desc: boolean) =>
    [...side.entries()].sort((x, y) => desc ? y[0] - x[0] : x[0] - y[0]).map(([t, s]) => [
      (t / 10).toFixed(1),
      s,
    ]);
  const got = book.snapshot();
  deepEqual(
    got.bids.map((l) => [l.price.toFixed(1), l.size.toFixed(3)]),
    expect(model.bids, true).map(([p, s]) => [p, Number(s).toFixed(3)]),
  );
  deepEqual(
    got.asks.map((l) => [l.price.toFixed(1), l.size.toFixed(3)]),
    expect(model.asks, false).map(([p, s]) => [p, Number(s).toFixed(3)]),
  );
  equal(book.bidCount, model.bids.size);
  equal(book.askCount, model.asks.size);
});

Deno.test("new L2OrderBook() refuses an unknown sequence rule", () => {
  throws(
    () => new L2OrderBook("BTC", { sequenceRule: "monotonic" as "chained" }),
    TypeError,
  );
});

Deno.test("a book that grew and shrank keeps its levels after giving memory back", () => {
  const book = new L2OrderBook("BTC", { sequenceRule: "increment" });
  book.applySnapshot({}, { sequence: 0 });
  const many: RawBookLevel[] = [];
  for (let i = 0; i < 500; i++) many.push(lv(`${1000 - i}.5`, "1"));
  book.applyDelta({ bids: many }, { sequence: 1 });
  equal(book.bidCount, 500);
  // Delete all but the 3 best, in an order that compacts several times on the way.
  book.applyDelta({ bids: many.slice(3).reverse().map((l) => lv(l.price, "0")) }, { sequence: 2 });
  deepEqual(book.rawLevels().bids, [["1000.5", "1"], ["999.5", "1"], ["998.5", "1"]]);
  book.applyDelta({ bids: [lv("999.5", "2"), lv("1000.0", "3")] }, { sequence: 3 });
  deepEqual(book.rawLevels().bids, [["1000.5", "1"], ["1000.0", "3"], ["999.5", "2"], [
    "998.5",
    "1",
  ]]);
});
