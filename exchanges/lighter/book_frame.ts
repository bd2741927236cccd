/**
 * A fast decoder for Lighter's `order_book` WebSocket frames.
 *
 * A busy market sends hundreds of book frames a second, and `JSON.parse` builds a whole object
 * tree for each — keys, the channel and type strings, the nested `order_book` object — only for
 * the book to read a few fields. {@linkcode decodeLighterBookFrame} scans the frame text once
 * and extracts only what the book needs: the levels as the venue's own decimal strings, `nonce`,
 * `begin_nonce`, `offset`, `timestamp`, the market and whether the frame is a snapshot.
 *
 * It reads exactly one spelling — the compact frame the venue sends (lighter.md §4.2, §4.3):
 *
 * ```text
 * {"channel":"order_book:<market>",["last_updated_at":<int>,]"offset":<int>,
 *  "order_book":{"code":0,"asks":[<level>,…],"bids":[<level>,…],"offset":<int>,"nonce":<int>,
 *  ["last_updated_at":<int>,]"begin_nonce":<int>},"timestamp":<int>,
 *  "type":"update/order_book"|"subscribed/order_book"}
 * <level> = {"price":"<decimal>","size":"<decimal>"}
 * ```
 *
 * with no whitespace, keys in that order, integers without sign, fraction, exponent or leading
 * zero (safe integers, except `last_updated_at`, which is not returned), prices that are positive plain decimals (`123.45`) below 10^15 and sizes that are plain
 * decimals of at most 40 characters. Anything else — other key orders, whitespace, escapes,
 * missing or extra fields, numbers in other forms, a non-zero `code` — gives `undefined`, and
 * the caller parses the frame the general way (`JSON.parse` and the schema), which also reports
 * what is wrong with it. So the result, when there is one, is exactly what `JSON.parse` and the
 * frame schema would have produced from the same text.
 *
 * @example
 * ```ts
 * import { decodeLighterBookFrame } from "./book_frame.ts";
 * import { deepStrictEqual as deepEqual, strictEqual as equal } from "node:assert/strict";
 *
 * const frame = decodeLighterBookFrame(
 *   '{"channel":"order_book:1","offset":7,"order_book":{"code":0,' +
 *     '"asks":[{"price":"100000.3","size":"1.25000"}],"bids":[{"price":"99998.1","size":"0.00000"}],' +
 *     '"offset":7,"nonce":1234,"begin_nonce":1220},"timestamp":1775000000123,"type":"update/order_book"}',
 * );
 * deepEqual(frame, {
 *   snapshot: false,
 *   marketIndex: 1,
 *   offset: 7,
 *   asks: [{ price: "100000.3", size: "1.25000" }],
 *   bids: [{ price: "99998.1", size: "0.00000" }],
 *   nonce: 1234,
 *   beginNonce: 1220,
 *   timestamp: 1775000000123,
 * });
 * // Pretty-printed, or in any other spelling: the caller falls back to JSON.parse.
 * equal(decodeLighterBookFrame('{ "channel": "order_book:1" }'), undefined);
 * ```
 *
 * @module
 */

/**
 * One level as the venue sends it: price and new absolute size as decimal strings (size zero
 * removes the level).
 *
 * @example
 * ```ts
 * import type { LighterBookLevel } from "./book_frame.ts";
 * const level: LighterBookLevel = { price: "2979.64", size: "61.9487" };
 * ```
 */
export interface LighterBookLevel {
  /** Positive plain decimal below 10^15, as sent. */
  price: string;
  /** Plain decimal ≥ 0 of at most 40 characters, as sent. */
  size: string;
}

/**
 * What the book needs from one `order_book` frame.
 *
 * @example
 * ```ts
 * import type { LighterBookFrame } from "./book_frame.ts";
 * const follows = (f: LighterBookFrame, lastNonce: number) => f.beginNonce === lastNonce;
 * ```
 */
export interface LighterBookFrame {
  /** `true` for `subscribed/order_book` (a full snapshot), `false` for `update/order_book`. */
  snapshot: boolean;
  /** The market index of the channel `order_book:<market>`. */
  marketIndex: number;
  /** The frame's top-level `offset`. */
  offset: number;
  /** Ask levels in the frame's order. */
  asks: LighterBookLevel[];
  /** Bid levels in the frame's order. */
  bids: LighterBookLevel[];
  /** `order_book.nonce`. */
  nonce: number;
  /** `order_book.begin_nonce`: the previous frame's nonce (0 in a snapshot). */
  beginNonce: number;
  /** The frame's `timestamp`, ms since epoch. */
  timestamp: number;
}

const HEAD = '{"channel":"order_book:';
const CODE_ASKS = ',"order_book":{"code":0,"asks":[';
const LEVEL_PRICE = '{"price":"';
const LEVEL_SIZE = '","size":"';
const LAST_UPDATED = 'last_updated_at":';
const TYPE_UPDATE = 'update/order_book"}';
const TYPE_SNAPSHOT = 'subscribed/order_book"}';

const QUOTE = 34;
const COMMA = 44;
const DOT = 46;
const CLOSE_BRACKET = 93;
const CLOSE_BRACE = 125;
const LOWER_L = 108;
const LOWER_S = 115;
const LOWER_U = 117;

// Longest decimal string accepted, as in the frame schema (`LIGHTER_MAX_DECIMAL_CHARS`).
const MAX_DECIMAL_CHARS = 40;
// A price below 10^15 has at most 15 integer digits.
const MAX_PRICE_INT_DIGITS = 15;
// Integers the decoder returns are safe integers (16 digits at most).
const MAX_INT_DIGITS = 16;

// Second result of readInt(), kept in a module variable so the hot path allocates nothing.
let intValue = 0;

/**
 * Decodes a Lighter `order_book` frame from its text, or says it cannot (see the module doc).
 *
 * @param text One WebSocket text frame.
 * @returns The frame's book data, or `undefined` when the text is not in the one compact
 * spelling this decoder reads (then `JSON.parse` and the frame schema decide).
 *
 * @example
 * ```ts
 * import { decodeLighterBookFrame } from "./book_frame.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const snapshot = decodeLighterBookFrame(
 *   '{"channel":"order_book:0","offset":1,"order_book":{"code":0,"asks":[],' +
 *     '"bids":[{"price":"2000.00","size":"0.0200"}],"offset":1,"nonce":904845,"begin_nonce":0},' +
 *     '"timestamp":1778138582602,"type":"subscribed/order_book"}',
 * );
 * equal(snapshot?.snapshot, true);
 * equal(snapshot?.bids[0].price, "2000.00");
 * // A negative price is not decoded: the schema refuses it with a typed error.
 * equal(decodeLighterBookFrame(
 *   '{"channel":"order_book:0","offset":2,"order_book":{"code":0,"asks":[],' +
 *     '"bids":[{"price":"-1","size":"1"}],"offset":2,"nonce":904846,"begin_nonce":904845},' +
 *     '"timestamp":1778138582603,"type":"update/order_book"}',
 * ), undefined);
 * ```
 */
export function decodeLighterBookFrame(text: string): LighterBookFrame | undefined {
  let p = literal(text, 0, HEAD);
  if (p < 0) return undefined;
  p = readInt(text, p);
  if (p < 0) return undefined;
  const marketIndex = intValue;
  // '","'
  if (
    text.charCodeAt(p) !== QUOTE || text.charCodeAt(p + 1) !== COMMA ||
    text.charCodeAt(p + 2) !== QUOTE
  ) {
    return undefined;
  }
  p += 3;
  if (text.charCodeAt(p) === LOWER_L) {
    p = skipLastUpdated(text, p);
    if (p < 0) return undefined;
  }
  p = literal(text, p, 'offset":');
  if (p < 0) return undefined;
  p = readInt(text, p);
  if (p < 0) return undefined;
  const offset = intValue;
  p = literal(text, p, CODE_ASKS);
  if (p < 0) return undefined;
  const asks: LighterBookLevel[] = [];
  p = readLevels(text, p, asks);
  if (p < 0) return undefined;
  p = literal(text, p, ',"bids":[');
  if (p < 0) return undefined;
  const bids: LighterBookLevel[] = [];
  p = readLevels(text, p, bids);
  if (p < 0) return undefined;
  p = literal(text, p, ',"offset":');
  if (p < 0) return undefined;
  p = readInt(text, p);
  if (p < 0) return undefined;
  p = literal(text, p, ',"nonce":');
  if (p < 0) return undefined;
  p = readInt(text, p);
  if (p < 0) return undefined;
  const nonce = intValue;
  if (text.charCodeAt(p) !== COMMA || text.charCodeAt(p + 1) !== QUOTE) return undefined;
  p += 2;
  if (text.charCodeAt(p) === LOWER_L) {
    p = skipLastUpdated(text, p);
    if (p < 0) return undefined;
  }
  p = literal(text, p, 'begin_nonce":');
  if (p < 0) return undefined;
  p = readInt(text, p);
  if (p < 0) return undefined;
  const beginNonce = intValue;
  p = literal(text, p, '},"timestamp":');
  if (p < 0) return undefined;
  p = readInt(text, p);
  if (p < 0) return undefined;
  const timestamp = intValue;
  p = literal(text, p, ',"type":"');
  if (p < 0) return undefined;
  let snapshot: boolean;
  const c = text.charCodeAt(p);
  if (c === LOWER_U) {
    p = literal(text, p, TYPE_UPDATE);
    snapshot = false;
  } else if (c === LOWER_S) {
    p = literal(text, p, TYPE_SNAPSHOT);
    snapshot = true;
  } else {
    return undefined;
  }
  if (p !== text.length) return undefined;
  return { snapshot, marketIndex, offset, asks, bids, nonce, beginNonce, timestamp };
}

// `text` continues with `segment` at `pos`: the position after it, else -1. Past the end,
// charCodeAt() is NaN and equals nothing, so no bounds check is needed.
function literal(text: string, pos: number, segment: string): number {
  const n = segment.length;
  for (let i = 0; i < n; i++) {
    if (text.charCodeAt(pos + i) !== segment.charCodeAt(i)) return -1;
  }
  return pos + n;
}

// An unsigned JSON integer at `pos` that is a safe integer: its value goes to `intValue`;
// returns the position after it, else -1. Every caller then requires a quote, comma or brace,
// so a leading zero ("01"), a fraction or an exponent fails there.
function readInt(text: string, pos: number): number {
  let d = text.charCodeAt(pos) - 48;
  if (!(d >= 0 && d <= 9)) return -1;
  let value = d;
  let i = pos + 1;
  if (value !== 0) {
    d = text.charCodeAt(i) - 48;
    while (d >= 0 && d <= 9) {
      value = value * 10 + d;
      i++;
      d = text.charCodeAt(i) - 48;
    }
    // Past 2^53 the sum above may be rounded, but it stays past the limit.
    if (i - pos > MAX_INT_DIGITS || value > Number.MAX_SAFE_INTEGER) return -1;
  }
  intValue = value;
  return i;
}

// `last_updated_at":<int>,"` at `pos` (after the opening quote of the key). The value (µs,
// 16 digits and more) is not returned, so any unsigned integer will do.
function skipLastUpdated(text: string, pos: number): number {
  let p = literal(text, pos, LAST_UPDATED);
  if (p < 0) return -1;
  let d = text.charCodeAt(p) - 48;
  if (!(d >= 1 && d <= 9)) {
    if (d !== 0) return -1;
    p++;
    d = text.charCodeAt(p) - 48;
  } else {
    while (d >= 0 && d <= 9) {
      p++;
      d = text.charCodeAt(p) - 48;
    }
  }
  if (text.charCodeAt(p) !== COMMA || text.charCodeAt(p + 1) !== QUOTE) return -1;
  return p + 2;
}

// Levels after the opening bracket at `pos`, pushed to `out`: the position after the closing
// bracket, else -1.
function readLevels(text: string, pos: number, out: LighterBookLevel[]): number {
  let p = pos;
  if (text.charCodeAt(p) === CLOSE_BRACKET) return p + 1;
  for (;;) {
    p = literal(text, p, LEVEL_PRICE);
    if (p < 0) return -1;
    const priceStart = p;
    p = decimalEnd(text, p, true);
    if (p < 0) return -1;
    const price = text.slice(priceStart, p);
    p = literal(text, p, LEVEL_SIZE);
    if (p < 0) return -1;
    const sizeStart = p;
    p = decimalEnd(text, p, false);
    if (p < 0) return -1;
    const size = text.slice(sizeStart, p);
    // '"}'
    if (text.charCodeAt(p) !== QUOTE || text.charCodeAt(p + 1) !== CLOSE_BRACE) return -1;
    p += 2;
    out.push({ price, size });
    const c = text.charCodeAt(p);
    if (c === COMMA) {
      p++;
    } else if (c === CLOSE_BRACKET) {
      return p + 1;
    } else {
      return -1;
    }
  }
}

// A plain decimal `digits[.digits]` at `pos`, followed by a quote: the position of that quote,
// else -1. No sign, at most 40 characters; a price must also be positive and below 10^15 (at
// most 15 integer digits, leading zeros included: a stricter bound than the schema's, so a
// longer spelling is left to the schema).
function decimalEnd(text: string, pos: number, price: boolean): number {
  let i = pos;
  let d = text.charCodeAt(i) - 48;
  if (!(d >= 0 && d <= 9)) return -1;
  let nonZero = d;
  i++;
  d = text.charCodeAt(i) - 48;
  while (d >= 0 && d <= 9) {
    nonZero |= d;
    i++;
    d = text.charCodeAt(i) - 48;
  }
  if (price && i - pos > MAX_PRICE_INT_DIGITS) return -1;
  if (d === DOT - 48) {
    i++;
    const fractionStart = i;
    d = text.charCodeAt(i) - 48;
    while (d >= 0 && d <= 9) {
      nonZero |= d;
      i++;
      d = text.charCodeAt(i) - 48;
    }
    if (i === fractionStart) return -1;
  }
  if (d !== QUOTE - 48) return -1;
  if (i - pos > MAX_DECIMAL_CHARS) return -1;
  if (price && nonZero === 0) return -1;
  return i;
}
