/**
 * Throughput of {@linkcode L2OrderBook} on a deterministic Lighter `order_book` stream, against
 * `JSON.parse` alone and against ccxt's WebSocket `OrderBook` on the identical stream, in one
 * process.
 *
 * "Ours" is the venue client's whole path: {@linkcode decodeLighterBookFrame} (with
 * `JSON.parse` and a shape check for any frame it does not read), the `begin_nonce` chaining
 * and the apply. The decoder reads only what the book needs, so decode and apply together can
 * beat a bare `JSON.parse` of the same frames.
 *
 * ```sh
 * deno run -A --no-lock bench/order_book_bench.ts [--n 1000000] [--seed 1] [--rounds 5]
 * ```
 *
 * ccxt is loaded only here, by a dynamic import of a specifier held in a variable, so it never
 * enters the package's module graph. Deno still records a runtime npm import in `deno.lock`:
 * `--no-lock` keeps the lockfile untouched.
 *
 * Exits non-zero if our final book differs from the generator's `expectedFinal`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { L2OrderBook } from "../exchanges/_shared/order_book.ts";
import { decodeLighterBookFrame } from "../exchanges/lighter/book_frame.ts";
import { generateL2Stream } from "../testdata/bench/orderbook_stream.mjs";
import { median } from "./_stats.ts";

const CCXT_SPECIFIER: string = "npm:ccxt@4.5.84";

interface LighterLevel {
  price: string;
  size: string;
}

interface LighterFrame {
  type: string;
  timestamp: number;
  order_book: {
    bids: LighterLevel[];
    asks: LighterLevel[];
    nonce: number;
    begin_nonce: number;
  };
}

// The subset of ccxt's ws OrderBook used here: sides store (price, size) as floats, size 0 deletes.
interface CcxtSide extends Array<[number, number]> {
  store(price: number, size: number): void;
}
interface CcxtOrderBook {
  bids: CcxtSide;
  asks: CcxtSide;
}

interface Stream {
  snapshot: string;
  updates: string[];
  expectedFinal: { bids: [string, string][]; asks: [string, string][] };
  sha256: string;
}

function fail(message: string): never {
  console.error(`FAIL: ${message}`);
  Deno.exit(1);
}

function parseFrame(text: string): LighterFrame {
  const msg = JSON.parse(text);
  const ob = msg?.order_book;
  if (
    typeof ob !== "object" || ob === null || !Array.isArray(ob.bids) || !Array.isArray(ob.asks) ||
    typeof ob.nonce !== "number" || typeof ob.begin_nonce !== "number"
  ) {
    throw new TypeError(`Malformed order_book frame: ${text.slice(0, 120)}`);
  }
  return msg;
}

/** JSON.parse alone; the sink keeps the result alive. */
function runJsonParse(updates: string[]): number {
  let sink = 0;
  for (let i = 0; i < updates.length; i++) sink += JSON.parse(updates[i]).offset;
  return sink;
}

interface BookData {
  bids: LighterLevel[];
  asks: LighterLevel[];
  nonce: number;
  beginNonce: number;
  timestamp: number;
}

/** One frame's book data: the fast decoder, else `JSON.parse` and the shape check. */
function decodeFrame(text: string): BookData {
  const fast = decodeLighterBookFrame(text);
  if (fast !== undefined) return fast;
  return parseBookData(text);
}

/** One frame's book data through `JSON.parse` and the shape check only (the fallback). */
function parseBookData(text: string): BookData {
  const msg = parseFrame(text);
  const ob = msg.order_book;
  return {
    bids: ob.bids,
    asks: ob.asks,
    nonce: ob.nonce,
    beginNonce: ob.begin_nonce,
    timestamp: msg.timestamp,
  };
}

/** Decode, `begin_nonce` chaining and apply: the venue client's whole path. */
function runOurs(
  snapshot: string,
  updates: string[],
  decode: (text: string) => BookData = decodeFrame,
): L2OrderBook {
  const book = new L2OrderBook("BTC", {
    venue: "lighter",
    sequenceRule: "chained",
    onResync: (e) => fail(`resync requested: ${e.reason} at ${e.sequence}`),
  });
  const snap = decode(snapshot);
  book.applySnapshot(snap, { sequence: snap.nonce, timestamp: snap.timestamp });
  for (let i = 0; i < updates.length; i++) {
    const f = decode(updates[i]);
    const status = book.applyDelta(f, {
      sequence: f.nonce,
      prevSequence: f.beginNonce,
      timestamp: f.timestamp,
    });
    if (status !== "applied") fail(`update ${i}: ${status}`);
  }
  return book;
}

/** Frames of the stream the fast decoder reads (the rest go through `JSON.parse`). */
function decodedShare(snapshot: string, updates: string[]): number {
  let decoded = decodeLighterBookFrame(snapshot) === undefined ? 0 : 1;
  for (let i = 0; i < updates.length; i++) {
    if (decodeLighterBookFrame(updates[i]) !== undefined) decoded++;
  }
  return decoded / (updates.length + 1);
}

/** How ccxt.pro's lighter handler applies a frame: safeFloat the strings, `side.store()`. */
function runCcxt(
  newBook: () => CcxtOrderBook,
  snapshot: string,
  updates: string[],
): CcxtOrderBook {
  const book = newBook();
  const apply = (side: CcxtSide, levels: LighterLevel[]) => {
    for (let j = 0; j < levels.length; j++) {
      side.store(parseFloat(levels[j].price), parseFloat(levels[j].size));
    }
  };
  const snap = JSON.parse(snapshot).order_book;
  apply(book.bids, snap.bids);
  apply(book.asks, snap.asks);
  for (let i = 0; i < updates.length; i++) {
    const ob = JSON.parse(updates[i]).order_book;
    apply(book.asks, ob.asks);
    apply(book.bids, ob.bids);
  }
  return book;
}

async function loadCcxt(): Promise<(() => CcxtOrderBook) | string> {
  try {
    const mod = await import(CCXT_SPECIFIER);
    const ccxt = mod.default ?? mod;
    const exchange = new ccxt.pro.lighter();
    const probe = exchange.orderBook({}) as CcxtOrderBook;
    if (typeof probe.bids?.store !== "function") return "its OrderBook has no bids.store()";
    return () => exchange.orderBook({}) as CcxtOrderBook;
  } catch (error) {
    return error instanceof Error ? error.message.split("\n")[0] : String(error);
  }
}

function time(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

function fmtRate(rate: number): string {
  return `${(rate / 1e6).toFixed(3)} M msg/s`;
}

function diffExact(
  got: { bids: [string, string][]; asks: [string, string][] },
  want: { bids: [string, string][]; asks: [string, string][] },
): string | undefined {
  for (const side of ["bids", "asks"] as const) {
    if (got[side].length !== want[side].length) {
      return `${side}: ${got[side].length} levels, expected ${want[side].length}`;
    }
    for (let i = 0; i < want[side].length; i++) {
      const [gp, gs] = got[side][i];
      const [wp, ws] = want[side][i];
      if (gp !== wp || gs !== ws) return `${side}[${i}]: got ${gp} x ${gs}, expected ${wp} x ${ws}`;
    }
  }
  return undefined;
}

function diffFloat(book: CcxtOrderBook, want: Stream["expectedFinal"]): string | undefined {
  for (const side of ["bids", "asks"] as const) {
    const got = book[side];
    if (got.length !== want[side].length) {
      return `${side}: ${got.length} levels, expected ${want[side].length}`;
    }
    for (let i = 0; i < got.length; i++) {
      if (got[i][0] !== Number(want[side][i][0]) || got[i][1] !== Number(want[side][i][1])) {
        return `${side}[${i}] differs`;
      }
    }
  }
  return undefined;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      n: { type: "string", default: "1000000" },
      seed: { type: "string", default: "1" },
      rounds: { type: "string", default: "5" },
    },
  });
  const n = Number(values.n);
  const seed = Number(values.seed);
  const rounds = Number(values.rounds);
  if (!(Number.isInteger(n) && n > 0 && Number.isInteger(rounds) && rounds > 0)) {
    fail(`'--n' and '--rounds' must be positive integers: got ${values.n}, ${values.rounds}`);
  }

  const t0 = performance.now();
  const stream: Stream = generateL2Stream({ n, seed });
  const { snapshot, updates, expectedFinal } = stream;
  console.log(
    `stream: ${n} updates, seed ${seed}, sha256 ${stream.sha256.slice(0, 16)}…, generated in ${
      ((performance.now() - t0) / 1000).toFixed(1)
    } s`,
  );

  console.log(
    `frames read by the fast decoder: ${(decodedShare(snapshot, updates) * 100).toFixed(1)} %`,
  );

  const newCcxtBook = await loadCcxt();
  if (typeof newCcxtBook === "string") {
    console.log(`ccxt (${CCXT_SPECIFIER}) could not be loaded, skipping it: ${newCcxtBook}`);
  }

  // Round 0 warms up every section; rounds are interleaved so GC and frequency drift hit all.
  const times = {
    json: [] as number[],
    ours: [] as number[],
    fallback: [] as number[],
    ccxt: [] as number[],
  };
  let book: L2OrderBook | undefined;
  let fallbackBook: L2OrderBook | undefined;
  let ccxtBook: CcxtOrderBook | undefined;
  for (let round = 0; round <= rounds; round++) {
    const json = time(() => runJsonParse(updates));
    const ours = time(() => book = runOurs(snapshot, updates));
    const fallback = time(() => fallbackBook = runOurs(snapshot, updates, parseBookData));
    const ccxt = typeof newCcxtBook === "string"
      ? NaN
      : time(() => ccxtBook = runCcxt(newCcxtBook, snapshot, updates));
    if (round > 0) {
      times.json.push(json);
      times.ours.push(ours);
      times.fallback.push(fallback);
      times.ccxt.push(ccxt);
    }
  }

  const mismatch = diffExact(book!.rawLevels(), expectedFinal);
  if (mismatch !== undefined) fail(`our final book differs from expectedFinal: ${mismatch}`);
  const fallbackMismatch = diffExact(fallbackBook!.rawLevels(), expectedFinal);
  if (fallbackMismatch !== undefined) {
    fail(`the JSON.parse path's final book differs from expectedFinal: ${fallbackMismatch}`);
  }
  console.log(
    `our final book equals expectedFinal exactly (${book!.bidCount} bids, ${book!.askCount} asks)`,
  );
  if (ccxtBook !== undefined) {
    const ccxtMismatch = diffFloat(ccxtBook, expectedFinal);
    console.log(
      ccxtMismatch === undefined
        ? "ccxt final book equals expectedFinal (as floats)"
        : `ccxt final book differs: ${ccxtMismatch}`,
    );
  }

  const best = (xs: number[]) => n / Math.min(...xs);
  const med = (xs: number[]) => n / median(xs);
  const rows: [string, number[]][] = [
    ["JSON.parse alone", times.json],
    ["ours (decode + sequence + apply)", times.ours],
    ["ours via JSON.parse only (fallback path)", times.fallback],
  ];
  if (typeof newCcxtBook !== "string") rows.push(["ccxt OrderBook (parse + store)", times.ccxt]);
  console.log(`\n${rounds} measured rounds after 1 warm-up (best / median):`);
  for (const [name, xs] of rows) {
    console.log(`  ${name.padEnd(42)} ${fmtRate(best(xs))} / ${fmtRate(med(xs))}`);
  }
  const ratio = (a: number, b: number) => `${(a / b).toFixed(3)}x`;
  console.log(
    `  ours / JSON.parse: ${ratio(best(times.ours), best(times.json))} best, ${
      ratio(med(times.ours), med(times.json))
    } median (target >= 1.0)`,
  );
  if (typeof newCcxtBook !== "string") {
    console.log(
      `  ours / ccxt:       ${ratio(best(times.ours), best(times.ccxt))} best, ${
        ratio(med(times.ours), med(times.ccxt))
      } median (target >= 1.3)`,
    );
  }
  const heap = Deno.memoryUsage();
  console.log(
    `memory: ${book!.bidCount + book!.askCount} live levels in our book; heap used ${
      (heap.heapUsed / 2 ** 20).toFixed(0)
    } MiB ` +
      `(mostly the ${n} stream strings)`,
  );
}

if (import.meta.main) await main();
