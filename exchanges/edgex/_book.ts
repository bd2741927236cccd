/**
 * EdgeX order books: the public `depth.{contractId}.{level}` stream kept as live books, and the
 * REST `getDepth` snapshot.
 *
 * Venue behaviour absorbed here (edgex.md §5.1–§5.2):
 * - the first frame after subscribing is the full book (`dataType "Snapshot"`); later `changed`
 *   frames carry absolute sizes, `"0"` deletes; `startVersion` must equal the previous
 *   `endVersion`, else the channel is resubscribed for a fresh snapshot;
 * - an empty `changed` frame is a heartbeat: it still advances the version and proves the feed
 *   alive;
 * - every server `ping` is answered with `pong` echoing `time`; the server drops a socket after
 *   5 unanswered pings;
 * - a frame that is not a well-formed book (a price ≤ 0, NaN, huge, a negative size …) is never
 *   applied: the books turn stale and the channel is resubscribed.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { BookSnapshot, Clock, ExchangeEvent } from "../../base.ts";
import type { Decimal } from "../../core/decimal.ts";
import { MalformedPayloadError } from "../../core/errors.ts";
import type { HttpTransport } from "../_shared/http.ts";
import { LiveOrderBook } from "../_shared/live_order_book.ts";
import {
  createWsTransport,
  type WebSocketConstructor,
  type WsMessage,
  type WsTransport,
} from "../_shared/ws.ts";
import { getDepth } from "./public_api.ts";
import type { EdgeXMarket } from "./markets.ts";
import { answerPing, edgeXSocketTiming } from "./_streams.ts";

const log = getLogger(["perp", "edgex"]);
const VENUE = "edgex";

/** What the public stream needs from the client. */
export interface EdgeXBooksOptions {
  /** Full URL of the public stream. */
  url: string;
  /** WebSocket constructor. */
  WebSocket?: WebSocketConstructor;
  /** Clock of the transport and of the books. */
  clock: Clock;
  /** The venue's time, for our pings. */
  stamp: () => string;
  /** Silence after which the socket is dropped and reopened, ms. */
  idleTimeoutMs: number;
  /** Silence after which a book reads stale, ms. */
  maxSilenceMs: number;
  /** Reconnect delay ceiling of the first retry, ms. */
  reconnectBaseDelayMs: number;
  /** Depth channel size. */
  depthLevel: 15 | 200;
  /** How long `subscribe` waits for the first snapshot, ms. */
  firstSnapshotTimeoutMs: number;
  /** Emits client events (connection state of the book stream). */
  emit: (event: ExchangeEvent) => void;
}

interface BookEntry {
  contractId: string;
  channel: string;
  books: Set<LiveOrderBook>;
  firstSnapshot: Promise<void>;
  resolveFirst: () => void;
  /** When the channel was last resubscribed (clock time). */
  resubscribedAt: number | undefined;
  /** A resubscribe is scheduled for later. */
  resubscribePending: boolean;
}

/**
 * Shortest gap between two resubscriptions of a channel. A venue that keeps sending broken or
 * crossed books must not get a resubscribe storm back: old EdgeX docs allow about 10 client
 * messages per second (edgex.md §5.1), and a resubscribe is two.
 */
const MIN_RESUBSCRIBE_MS = 1_000;

/** The public depth stream and the live books fed by it. */
export class EdgeXBooks {
  readonly #o: EdgeXBooksOptions;
  #ws: WsTransport | undefined;
  #entries = new Map<string, BookEntry>();
  #closing = new AbortController();

  constructor(options: EdgeXBooksOptions) {
    this.#o = options;
  }

  /** A fresh (not stale) snapshot of a subscribed book, if any. */
  freshSnapshot(contractId: string, depth: number): BookSnapshot | undefined {
    for (const b of this.#entries.get(contractId)?.books ?? []) {
      const snap = b.snapshot(depth);
      if (!snap.stale) return snap;
    }
    return undefined;
  }

  /**
   * Subscribes `depth.{contractId}.{level}` and returns a live book. Resolves after the first
   * snapshot (or after `firstSnapshotTimeoutMs`, stale).
   */
  async subscribe(m: EdgeXMarket): Promise<LiveOrderBook> {
    const ws = await this.#socket();
    const contractId = m.contract.contractId;
    let entry = this.#entries.get(contractId);
    if (!entry) {
      let resolveFirst = () => {};
      const firstSnapshot = new Promise<void>((r) => (resolveFirst = r));
      const channel = `depth.${contractId}.${this.#o.depthLevel}`;
      entry = {
        contractId,
        channel,
        books: new Set(),
        firstSnapshot,
        resolveFirst,
        resubscribedAt: undefined,
        resubscribePending: false,
      };
      this.#entries.set(contractId, entry);
      ws.subscribe({ type: "subscribe", channel }, { key: channel });
    }
    const e = entry;
    const book: LiveOrderBook = new LiveOrderBook(m.market.symbol, {
      venue: VENUE,
      sequenceRule: "chained",
      clock: this.#o.clock,
      maxSilenceMs: this.#o.maxSilenceMs,
      requestSnapshot: () => this.#resubscribe(e),
      onClose: () => {
        e.books.delete(book);
        if (e.books.size === 0 && this.#entries.get(contractId) === e) {
          this.#entries.delete(contractId);
          this.#ws?.unsubscribe(e.channel, {
            message: { type: "unsubscribe", channel: e.channel },
          });
        }
      },
      onError: (err) =>
        log.warn("Resync of {channel} failed: {error}", { channel: e.channel, error: String(err) }),
    });
    e.books.add(book);
    // Later subscribers start from the current state: ask for a fresh snapshot.
    if (e.books.size > 1) this.#resubscribe(e);
    const stop = new AbortController();
    await Promise.race([
      e.firstSnapshot,
      this.#o.clock.sleep(this.#o.firstSnapshotTimeoutMs, stop.signal).catch(() => {}),
    ]);
    stop.abort();
    return book;
  }

  /** Closes every book and the socket. */
  async close(): Promise<void> {
    const ws = this.#ws;
    this.#ws = undefined;
    this.#closing.abort();
    this.#closing = new AbortController();
    for (const entry of [...this.#entries.values()]) {
      for (const book of [...entry.books]) await book.close();
    }
    await ws?.close();
  }

  #resubscribe(entry: BookEntry): void {
    const ws = this.#ws;
    if (!ws || ws.state !== "connected") return; // the reconnect resubscribes
    if (entry.resubscribePending) return;
    const now = this.#o.clock.now();
    const wait = entry.resubscribedAt === undefined
      ? 0
      : entry.resubscribedAt + MIN_RESUBSCRIBE_MS - now;
    if (wait > 0) {
      entry.resubscribePending = true;
      this.#o.clock.sleep(wait, this.#closing.signal).then(() => {
        entry.resubscribePending = false;
        if (this.#entries.get(entry.contractId) === entry) this.#resubscribe(entry);
      }, () => {});
      return;
    }
    entry.resubscribedAt = now;
    try {
      ws.send({ type: "unsubscribe", channel: entry.channel });
      ws.send({ type: "subscribe", channel: entry.channel });
    } catch {
      // Going away: the reconnect sends the subscription again.
    }
  }

  async #socket(): Promise<WsTransport> {
    if (!this.#ws) {
      const o = this.#o;
      const ws = createWsTransport({
        venue: VENUE,
        url: o.url,
        WebSocket: o.WebSocket,
        clock: o.clock,
        ...edgeXSocketTiming(o.idleTimeoutMs, o.stamp),
        reconnect: { baseDelayMs: o.reconnectBaseDelayMs },
      });
      ws.onMessage((msg) => this.#onMessage(ws, msg));
      ws.onStateChange((e) => {
        if (e.state !== "connected") {
          for (const entry of this.#entries.values()) for (const b of entry.books) b.markStale();
        }
        o.emit({
          type: "connection",
          stream: "book",
          state: e.state,
          ...(e.error ? { error: e.error } : {}),
        });
      });
      this.#ws = ws;
    }
    await this.#ws.connect();
    return this.#ws;
  }

  #onMessage(ws: WsTransport, msg: WsMessage): void {
    const data = msg.data as Record<string, unknown> | undefined | null;
    if (!data || typeof data !== "object") {
      log.warn("Ignoring a public frame that is not a JSON object: {frame}", {
        frame: String(msg.raw).slice(0, 200),
      });
      return;
    }
    const type = data.type;
    if (type === "ping") {
      answerPing(ws, data);
      return;
    }
    if (type !== "quote-event") {
      if (type === "error") log.warn("Public stream error: {frame}", { frame: msg.raw });
      return;
    }
    const channel = typeof data.channel === "string" ? data.channel : "";
    if (!channel.startsWith("depth.")) return;
    let entry: BookEntry | undefined;
    for (const e of this.#entries.values()) if (e.channel === channel) entry = e;
    if (!entry) return;
    let frame: DepthFrame;
    try {
      frame = decodeDepthFrame(data, channel);
    } catch (e) {
      log.warn("Dropping a malformed depth frame on {channel}: {error}", {
        channel,
        error: e instanceof Error ? e.message : String(e),
      });
      for (const b of entry.books) b.markStale();
      this.#resubscribe(entry);
      return;
    }
    const sides = { bids: frame.bids, asks: frame.asks };
    for (const book of entry.books) {
      if (frame.snapshot) {
        book.applySnapshot(sides, { sequence: frame.endVersion });
      } else {
        book.applyDelta(sides, { sequence: frame.endVersion, prevSequence: frame.startVersion });
      }
    }
    if (frame.snapshot) entry.resolveFirst();
  }
}

/**
 * The REST `getDepth` book as a snapshot: levels sorted best first, zero sizes left out.
 * Prices and sizes are checked by the schema (price > 0 and < 10^15, size ≥ 0).
 */
export async function restBookSnapshot(
  http: HttpTransport,
  m: EdgeXMarket,
  depth: number,
  now: number,
): Promise<BookSnapshot> {
  const level = depth > 15 ? 200 : 15;
  const d = await getDepth(http, m.contract.contractId, level);
  const byPrice = (desc: boolean) => (a: { price: Decimal }, b: { price: Decimal }) =>
    desc ? b.price.comparedTo(a.price) : a.price.comparedTo(b.price);
  const side = (levels: { price: Decimal; size: Decimal }[] | undefined, desc: boolean) =>
    (levels ?? []).filter((l) => !l.size.isZero()).sort(byPrice(desc)).slice(0, depth);
  return {
    symbol: m.market.symbol,
    bids: side(d?.bids, true),
    asks: side(d?.asks, false),
    sequence: d?.endVersion ?? 0,
    timestamp: now,
    stale: false,
  };
}

/** One decoded `depth.*` frame. */
export interface DepthFrame {
  /** A full book (`Snapshot`) rather than changes. */
  snapshot: boolean;
  /** Version the frame continues from. */
  startVersion: number;
  /** Version after the frame. */
  endVersion: number;
  /** Bid levels (absolute sizes; `"0"` deletes). */
  bids: { price: string; size: string }[];
  /** Ask levels. */
  asks: { price: string; size: string }[];
}

const DIGITS = /^\d+$/;
const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;
const MAX_DECIMAL_CHARS = 40;
const MAX_PRICE = 1e15;

/**
 * Shape and value check of a `depth.*` quote-event (hot path: no zod). Every level must be
 * plain decimal strings of at most 40 characters with a price above 0 and below 10^15 and a
 * size of 0 or more; otherwise the whole frame is refused.
 *
 * @throws {MalformedPayloadError} Naming the field.
 */
export function decodeDepthFrame(frame: Record<string, unknown>, channel: string): DepthFrame {
  const fail = (field: string, details: string): never => {
    throw new MalformedPayloadError(field, { venue: VENUE, endpoint: channel, details });
  };
  const content = frame.content as Record<string, unknown> | undefined | null;
  if (!content || typeof content !== "object") return fail("content", "expected an object");
  const dataType = content.dataType;
  if (typeof dataType !== "string") return fail("content.dataType", "expected a string");
  const list = content.data;
  if (!Array.isArray(list) || list.length !== 1) {
    return fail("content.data", "expected exactly one book");
  }
  const d = list[0] as Record<string, unknown> | null;
  if (!d || typeof d !== "object") return fail("content.data.0", "expected an object");
  const version = (name: string): number => {
    const v = d[name];
    if (typeof v === "string" && DIGITS.test(v) && v.length <= 16) return Number(v);
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
    return fail(`content.data.0.${name}`, "expected a version as a string of digits");
  };
  const levels = (name: "bids" | "asks") => {
    const v = d[name];
    if (!Array.isArray(v)) return fail(`content.data.0.${name}`, "expected an array");
    for (let i = 0; i < v.length; i++) {
      const l = v[i] as Record<string, unknown> | null;
      const price = l?.price;
      const size = l?.size;
      if (
        typeof price !== "string" || typeof size !== "string" ||
        price.length > MAX_DECIMAL_CHARS || size.length > MAX_DECIMAL_CHARS ||
        !PLAIN_DECIMAL.test(price) || !PLAIN_DECIMAL.test(size)
      ) {
        return fail(
          `content.data.0.${name}.${i}`,
          "expected {price, size} as plain non-negative decimal strings",
        );
      }
      const p = Number(price);
      if (!(p > 0 && p < MAX_PRICE)) {
        return fail(
          `content.data.0.${name}.${i}.price`,
          `expected a price above 0 and below 10^15: got ${price}`,
        );
      }
    }
    return v as { price: string; size: string }[];
  };
  return {
    snapshot: dataType.toLowerCase() === "snapshot",
    startVersion: version("startVersion"),
    endVersion: version("endVersion"),
    bids: levels("bids"),
    asks: levels("asks"),
  };
}
