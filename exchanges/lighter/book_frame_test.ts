import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import fc from "fast-check";
import { Decimal } from "../../core/decimal.ts";
import { decodeLighterBookFrame, type LighterBookFrame } from "./book_frame.ts";
import { generateL2Stream } from "../../testdata/bench/orderbook_stream.mjs";
import { seededRandom as prng } from "../../sim/random.ts";
import { testdataUrl } from "../../tests/_testdata.ts";

const FIXTURES = testdataUrl("fixtures/lighter/");

/** A fixture as the venue sends it: compact JSON, keys in the fixture's order. */
async function compactFixture(name: string): Promise<string> {
  return JSON.stringify(JSON.parse(await Deno.readTextFile(new URL(name, FIXTURES))));
}

/**
 * What `JSON.parse` makes of a frame, reduced to the decoder's fields: the reference the
 * decoder must match whenever it returns something.
 */
function viaJsonParse(text: string): LighterBookFrame {
  const m = JSON.parse(text);
  return {
    snapshot: m.type === "subscribed/order_book",
    marketIndex: Number(String(m.channel).split(":")[1]),
    offset: m.offset,
    asks: m.order_book.asks,
    bids: m.order_book.bids,
    nonce: m.order_book.nonce,
    beginNonce: m.order_book.begin_nonce,
    timestamp: m.timestamp,
  };
}

const PLAIN = /^\d+(\.\d+)?$/;

/**
 * The decoder's result for `text` is either `undefined` or exactly what `JSON.parse` gives,
 * and then also what the frame schema accepts (lighter.md §4.2: levels of decimal strings,
 * prices positive below 10^15, sizes ≥ 0 of at most 40 characters, integer sequence fields).
 */
function checkAgainstJsonParse(text: string): "decoded" | "declined" {
  const got = decodeLighterBookFrame(text);
  if (got === undefined) return "declined";
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`decoded text that is not JSON: ${text}`);
  }
  const m = parsed as Record<string, Record<string, unknown>>;
  deepEqual(got, viaJsonParse(text), text);
  ok(
    m.type === ("update/order_book" as unknown) || m.type === ("subscribed/order_book" as unknown),
  );
  ok(/^order_book:\d+$/.test(String(m.channel)), text);
  equal(m.order_book.code, 0, text);
  for (const l of [...got.asks, ...got.bids]) {
    deepEqual(Object.keys(l), ["price", "size"], text);
    ok(PLAIN.test(l.price) && l.price.length <= 40, text);
    ok(PLAIN.test(l.size) && l.size.length <= 40, text);
    const price = new Decimal(l.price);
    ok(price.gt(0) && price.lt(1e15), text);
  }
  for (const n of [got.marketIndex, got.offset, got.nonce, got.beginNonce, got.timestamp]) {
    ok(Number.isSafeInteger(n) && n >= 0, text);
  }
  return "decoded";
}

Deno.test("decodeLighterBookFrame() reads the venue's snapshot frame (fixture, compact)", async () => {
  const text = await compactFixture("WS_order_book__subscribed__nautilus.json");
  deepEqual(decodeLighterBookFrame(text), {
    snapshot: true,
    marketIndex: 0,
    offset: 2164,
    asks: [{ price: "2325.00", size: "99.0000" }, { price: "2341.25", size: "340.1028" }],
    bids: [{ price: "2000.00", size: "0.0200" }],
    nonce: 904845,
    beginNonce: 0,
    timestamp: 1778138582602,
  });
});

Deno.test("decodeLighterBookFrame() reads the venue's update frame (fixture, compact)", async () => {
  const text = await compactFixture("WS_order_book__update__nautilus.json");
  deepEqual(decodeLighterBookFrame(text), {
    snapshot: false,
    marketIndex: 0,
    offset: 1558300,
    asks: [{ price: "2064.54", size: "0.3285" }],
    bids: [],
    nonce: 9182390020,
    beginNonce: 9182389998,
    timestamp: 1774884082326,
  });
});

Deno.test("decodeLighterBookFrame() declines frames without the fields it needs", async () => {
  // No nonce / begin_nonce / timestamp (older docs); no begin_nonce; keys in another order.
  for (
    const name of [
      "WS_order_book__update__apidocs.json",
      "WS_order_book__update__ccxt-zero-size-level.json",
      "WS_order_book__subscribed_empty__nautilus.json",
    ]
  ) {
    equal(decodeLighterBookFrame(await compactFixture(name)), undefined, name);
  }
  // The fixtures as stored, pretty-printed: whitespace is another spelling.
  const pretty = await Deno.readTextFile(
    new URL("WS_order_book__update__nautilus.json", FIXTURES),
  );
  equal(decodeLighterBookFrame(pretty), undefined);
});

const UPDATE = '{"channel":"order_book:1","offset":7,"order_book":{"code":0,' +
  '"asks":[{"price":"100000.3","size":"1.25000"}],"bids":[{"price":"99998.1","size":"0.00000"}],' +
  '"offset":7,"nonce":1234,"begin_nonce":1220},"timestamp":1775000000123,"type":"update/order_book"}';

Deno.test("decodeLighterBookFrame() declines values the frame schema would refuse", () => {
  const swap = (from: string, to: string) => {
    ok(UPDATE.includes(from));
    return UPDATE.replace(from, to);
  };
  ok(decodeLighterBookFrame(UPDATE) !== undefined);
  for (
    const text of [
      swap('"100000.3"', '"0.0"'), // zero price
      swap('"100000.3"', '"-100000.3"'), // negative price
      swap('"100000.3"', '"1000000000000000"'), // 10^15
      swap('"100000.3"', '"1e5"'), // exponent
      swap('"100000.3"', '"NaN"'),
      swap('"100000.3"', '"Infinity"'),
      swap('"100000.3"', "100000.3"), // a JSON number
      swap('"100000.3"', '"100000."'),
      swap('"100000.3"', '"\\u0031"'), // an escape
      swap('"1.25000"', `"1.${"0".repeat(39)}"`), // 41 characters
      swap('"1.25000"', '"-1"'),
      swap('"1.25000"', "null"),
      swap('"nonce":1234', '"nonce":-1234'),
      swap('"nonce":1234', '"nonce":1234.5'),
      swap('"nonce":1234', '"nonce":1.234e3'),
      swap('"nonce":1234', '"nonce":01234'),
      swap('"nonce":1234', '"nonce":9007199254740993'), // past 2^53
      swap('"nonce":1234', '"nonce":"1234"'),
      swap('"code":0', '"code":1'),
      swap('"begin_nonce":1220', '"begin_nonce":1220,"begin_nonce":1221'),
      swap("update/order_book", "update/order_books"),
      swap("order_book:1", "order_book:x"),
      swap("order_book:1", "ticker:1"),
      swap('{"price":"99998.1","size":"0.00000"}', '{"size":"0.00000","price":"99998.1"}'),
      swap('"size":"0.00000"}', '"size":"0.00000","extra":1}'),
      UPDATE + " ",
      UPDATE.slice(0, -1),
      " " + UPDATE,
      "",
      "null",
    ]
  ) {
    equal(decodeLighterBookFrame(text), undefined, text);
  }
});

Deno.test("decodeLighterBookFrame() equals JSON.parse on a generated stream", () => {
  const { snapshot, updates } = generateL2Stream({ n: 5_000, seed: 11 });
  equal(checkAgainstJsonParse(snapshot), "decoded");
  for (const u of updates) equal(checkAgainstJsonParse(u), "decoded");
});

const TOKENS = [
  "0",
  "1",
  "9",
  "-",
  ".",
  "e",
  "E",
  "+",
  '"',
  "\\",
  "\\u0030",
  " ",
  "\n",
  ",",
  ":",
  "{",
  "}",
  "[",
  "]",
  "null",
  "true",
  "NaN",
  "Infinity",
  "1e308",
  "-0",
  "00",
  '"x"',
  "é",
  "\u2028",
  '"price":"1"',
  '"nonce":5,',
  '"last_updated_at":1,',
];

function mutate(text: string, random: () => number): string {
  const at = Math.floor(random() * (text.length + 1));
  const token = TOKENS[Math.floor(random() * TOKENS.length)];
  switch (Math.floor(random() * 6)) {
    case 0: // replace one character
      return text.slice(0, at) + token + text.slice(at + 1);
    case 1: // insert
      return text.slice(0, at) + token + text.slice(at);
    case 2: // delete a run
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 8));
    case 3: // truncate
      return text.slice(0, at);
    case 4: // another digit (often still a valid frame)
      return text.slice(0, at) + String(Math.floor(random() * 10)) + text.slice(at + 1);
    default: // swap two characters
      return at + 1 < text.length
        ? text.slice(0, at) + text[at + 1] + text[at] + text.slice(at + 2)
        : text;
  }
}

Deno.test("decodeLighterBookFrame() on 30,000 mutated frames: declines, or equals JSON.parse", async () => {
  const { snapshot, updates } = generateL2Stream({ n: 300, seed: 5 });
  const frames = [
    snapshot,
    ...updates,
    await compactFixture("WS_order_book__subscribed__nautilus.json"),
    await compactFixture("WS_order_book__update__nautilus.json"),
  ];
  const random = prng(20261207);
  const counts = { decoded: 0, declined: 0 };
  for (let i = 0; i < 30_000; i++) {
    let text = frames[Math.floor(random() * frames.length)];
    const rounds = 1 + Math.floor(random() * 3);
    for (let r = 0; r < rounds; r++) text = mutate(text, random);
    counts[checkAgainstJsonParse(text)]++;
  }
  // Digit changes keep many frames valid: both outcomes are exercised.
  ok(counts.decoded > 800, JSON.stringify(counts));
  ok(counts.declined > 20_000, JSON.stringify(counts));
});

// Frames built from fast-check values in the compact spelling the venue sends.
const decimal = (opts: { positive: boolean }) =>
  fc.tuple(
    fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 99_999_999_999_999 })),
    fc.option(fc.stringMatching(/^\d{1,18}$/), { nil: undefined }),
  ).map(([int, frac]) => `${int}${frac === undefined ? "" : `.${frac}`}`)
    .filter((s) => !opts.positive || /[1-9]/.test(s));
const level = fc.record({ price: decimal({ positive: true }), size: decimal({ positive: false }) });
const safeInt = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const frameModel = fc.record({
  snapshot: fc.boolean(),
  marketIndex: fc.integer({ min: 0, max: 9_999 }),
  offset: safeInt,
  asks: fc.array(level, { maxLength: 6 }),
  bids: fc.array(level, { maxLength: 6 }),
  nonce: safeInt,
  beginNonce: safeInt,
  timestamp: safeInt,
});
const lastUpdated = fc.option(fc.bigInt({ min: 0n, max: 10n ** 20n }), { nil: undefined });

function frameText(
  f: LighterBookFrame,
  top: bigint | undefined,
  inner: bigint | undefined,
  innerOffset: number,
): string {
  const lu = (v: bigint | undefined) => v === undefined ? "" : `"last_updated_at":${v},`;
  const levels = (ls: { price: string; size: string }[]) => JSON.stringify(ls);
  return `{"channel":"order_book:${f.marketIndex}",${lu(top)}"offset":${f.offset},` +
    `"order_book":{"code":0,"asks":${levels(f.asks)},"bids":${levels(f.bids)},` +
    `"offset":${innerOffset},"nonce":${f.nonce},${lu(inner)}"begin_nonce":${f.beginNonce}},` +
    `"timestamp":${f.timestamp},"type":"${f.snapshot ? "subscribed" : "update"}/order_book"}`;
}

Deno.test("decodeLighterBookFrame() reads every compact frame the venue can send (property)", () => {
  fc.assert(
    fc.property(frameModel, lastUpdated, lastUpdated, safeInt, (model, top, inner, innerOffset) => {
      const text = frameText(model, top, inner, innerOffset);
      // fast-check records have no prototype: compare with plain objects of the same values.
      deepEqual(decodeLighterBookFrame(text), JSON.parse(JSON.stringify(model)));
      equal(checkAgainstJsonParse(text), "decoded");
    }),
    { seed: 7, numRuns: 2_000 },
  );
});

Deno.test("decodeLighterBookFrame() on any text declines or equals JSON.parse (property)", () => {
  const edited = fc.tuple(
    frameModel,
    lastUpdated,
    fc.nat(),
    fc.string({ maxLength: 4, unit: "binary" }),
    fc.nat({ max: 3 }),
  ).map(([model, top, at, insert, cut]) => {
    const text = frameText(model, top, undefined, model.offset);
    const i = at % (text.length + 1);
    return text.slice(0, i) + insert + text.slice(i + cut);
  });
  fc.assert(
    fc.property(fc.oneof(edited, fc.string(), fc.json()), (text) => {
      checkAgainstJsonParse(text);
    }),
    { seed: 8, numRuns: 5_000 },
  );
});
