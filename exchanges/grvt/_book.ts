/**
 * GRVT order books: live books from `v1.book.d` on the market-data socket, and the REST book
 * from `full/v1/book` (grvt.md §4.1, §7.4–§7.5).
 *
 * A live book starts from the snapshot (sequence 0) sent on every subscribe, then applies
 * deltas chained by `prev_sequence_number`; a gap, a crossed book or an unreadable frame
 * resubscribes for a fresh snapshot. `v1.book.d` sends only the levels that changed, so a
 * quiet market sends no book frame for a while: any frame on the socket (a delta, or the
 * answer to our text `"ping"`, which the socket's heartbeat sends every few seconds) proves
 * the feed alive and refreshes the book's age. A socket that stays open but sends nothing
 * leaves the book `stale` after `maxSilenceMs`, and the transport drops it after its idle
 * timeout and reconnects with a resubscription (hence a snapshot).
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { z } from "zod";
import type { BookSnapshot, Clock, OrderBookSubscription } from "../../base.ts";
import type { Decimal } from "../../core/decimal.ts";
import type { HttpTransport } from "../_shared/http.ts";
import { LiveOrderBook } from "../_shared/live_order_book.ts";
import { parsePayload } from "../_shared/parse.ts";
import type { WebSocketConstructor, WsReconnectOptions, WsStateEvent } from "../_shared/ws.ts";
import type { GrvtMarket } from "./markets.ts";
import { bookResponseSchema, bookSchema } from "./schemas.ts";
import { type GrvtFeedFrame, GrvtStream, type GrvtSubscribeResult } from "./stream.ts";

const log = getLogger(["perp", "grvt"]);

/** Depths `full/v1/book` accepts (grvt.md §4.1; 3031 otherwise). */
const BOOK_DEPTHS = [10, 50, 100, 500];
/** Sequence value of a snapshot whose position in the delta stream is unknown. */
const UNKNOWN_BASE = -1;

interface BookEntry {
  instrument: string;
  selector: string;
  books: Set<LiveOrderBook>;
  base: number;
  resyncing: boolean;
}

/** Options of {@linkcode GrvtBooks}. */
export interface GrvtBooksOptions {
  /** The market-data `/ws/full` URL. */
  url: string;
  clock: Clock;
  WebSocket?: WebSocketConstructor;
  reconnect?: WsReconnectOptions;
  /** Idle timeout of the socket, in ms. */
  idleTimeoutMs: number;
  /** Interval of the text `"ping"`, in ms. */
  heartbeatMs: number;
  /** Longest silence before a book reads `stale`, in ms. */
  maxSilenceMs: number;
  /** Connection state changes of the socket. */
  onState: (event: WsStateEvent) => void;
}

/** The live books of one client, sharing one market-data socket. */
export class GrvtBooks {
  readonly #options: GrvtBooksOptions;
  readonly #entries = new Map<string, BookEntry>();
  #stream: GrvtStream | undefined;

  /** @param options Socket and book settings. */
  constructor(options: GrvtBooksOptions) {
    this.#options = options;
  }

  /**
   * A live book of a market, shared with other subscriptions of the same market.
   *
   * @param market The market.
   * @returns The subscription; close it when done.
   */
  async subscribe(market: GrvtMarket): Promise<OrderBookSubscription> {
    const instrument = market.venueSymbol;
    let entry = this.#entries.get(instrument);
    const fresh = entry === undefined;
    if (!entry) {
      entry = {
        instrument,
        selector: `${instrument}@100`,
        books: new Set(),
        base: UNKNOWN_BASE,
        resyncing: false,
      };
      this.#entries.set(instrument, entry);
    }
    const e = entry;
    const book: LiveOrderBook = new LiveOrderBook(market.symbol, {
      venue: "grvt",
      clock: this.#options.clock,
      maxSilenceMs: this.#options.maxSilenceMs,
      // Deltas chain through prev_sequence_number; the first one after a snapshot whose place
      // in the stream is unknown is taken as it comes.
      sequenceRule: (last, sequence, prev) =>
        last === UNKNOWN_BASE || (prev !== undefined ? prev === last : sequence === last + 1),
      requestSnapshot: () => this.#resync(e),
      onClose: () => {
        e.books.delete(book);
        if (e.books.size === 0) {
          this.#entries.delete(instrument);
          this.#stream?.unsubscribe("v1.book.d", e.selector);
        }
      },
      onError: (err) => log.warn("GRVT book resync failed: {error}", { error: String(err) }),
    });
    e.books.add(book);
    const stream = this.#publicStream();
    if (fresh) await stream.subscribe("v1.book.d", e.selector);
    else this.#resync(e);
    return book;
  }

  /** A live book of `symbol` that is not stale, if any. */
  live(symbol: string): LiveOrderBook | undefined {
    for (const entry of this.#entries.values()) {
      for (const b of entry.books) {
        if (b.symbol === symbol && !b.stale) return b;
      }
    }
    return undefined;
  }

  /** Closes every book and the socket. */
  async close(): Promise<void> {
    for (const entry of [...this.#entries.values()]) {
      for (const b of [...entry.books]) await b.close();
    }
    const stream = this.#stream;
    this.#stream = undefined;
    await stream?.close();
  }

  #each(f: (book: LiveOrderBook, entry: BookEntry) => void): void {
    for (const entry of this.#entries.values()) for (const b of entry.books) f(b, entry);
  }

  #publicStream(): GrvtStream {
    const o = this.#options;
    return this.#stream ??= new GrvtStream({
      url: o.url,
      clock: o.clock,
      WebSocket: o.WebSocket,
      reconnect: o.reconnect,
      idleTimeoutMs: o.idleTimeoutMs,
      heartbeatMs: o.heartbeatMs,
      onFrame: () => this.#each((b) => b.touch()),
      onFeed: (f) => this.#onFeed(f),
      onSubscribed: (stream, selector, r) => this.#onSubscribed(stream, selector, r),
      onState: (e) => {
        if (e.state !== "connected") this.#each((b) => b.markStale());
        o.onState(e);
      },
      onMalformed: () => {
        for (const entry of this.#entries.values()) {
          for (const b of entry.books) b.markStale();
          this.#resync(entry);
        }
      },
    });
  }

  #resync(entry: BookEntry): void {
    if (entry.resyncing || !this.#entries.has(entry.instrument)) return;
    entry.resyncing = true;
    this.#publicStream().subscribe("v1.book.d", entry.selector).catch((e) => {
      log.warn("GRVT book resubscribe failed: {error}", { error: (e as Error).message });
    }).finally(() => {
      entry.resyncing = false;
    });
  }

  #onSubscribed(stream: string, selector: string, r: GrvtSubscribeResult): void {
    if (stream !== "v1.book.d") return;
    const entry = this.#entries.get(selector.split("@")[0]);
    if (!entry) return;
    const latest = r.latest_sequence_number?.[0];
    const first = r.first_sequence_number?.[0];
    entry.base = latest ?? (first !== undefined ? first - 1 : UNKNOWN_BASE);
  }

  #onFeed(f: GrvtFeedFrame): void {
    if (f.stream !== "v1.book.d") return;
    const entry = this.#entries.get(f.selector.split("@")[0]);
    if (!entry) return;
    let feed: z.output<typeof bookSchema>;
    try {
      feed = parsePayload(bookSchema, f.feed, { venue: "grvt", endpoint: f.stream });
    } catch (e) {
      log.warn("GRVT book frame refused: {error}", { error: String(e) });
      for (const b of entry.books) b.markStale();
      this.#resync(entry);
      return;
    }
    const timestamp = feed.event_time;
    const level = (l: { price: Decimal; size: Decimal }) => ({
      price: l.price.toString(),
      size: l.size.toString(),
    });
    const sides = { bids: feed.bids.map(level), asks: feed.asks.map(level) };
    for (const b of entry.books) {
      if (f.sequence_number === 0) {
        b.applySnapshot(sides, { sequence: entry.base, timestamp });
      } else {
        b.applyDelta(sides, {
          sequence: f.sequence_number,
          prevSequence: f.prev_sequence_number,
          timestamp,
        });
      }
    }
  }
}

/**
 * The book from `full/v1/book`, best levels first.
 *
 * @param md The market-data transport.
 * @param market The market.
 * @param depth Levels per side.
 * @param clock For a book without `event_time`.
 * @returns The snapshot.
 */
export async function fetchGrvtBook(
  md: HttpTransport,
  market: GrvtMarket,
  depth: number,
  clock: Clock,
): Promise<BookSnapshot> {
  const venueDepth = BOOK_DEPTHS.find((d) => d >= depth) ?? 500;
  const { result } = await md.request({
    method: "POST",
    path: "/full/v1/book",
    endpoint: "full/v1/book",
    body: { instrument: market.venueSymbol, depth: venueDepth },
    idempotent: true,
    schema: bookResponseSchema,
  });
  const by = (a: { price: Decimal }, b: { price: Decimal }) => a.price.comparedTo(b.price);
  const now = clock.now();
  return {
    symbol: market.symbol,
    bids: result.bids.map(({ price, size }) => ({ price, size })).sort((a, b) => by(b, a))
      .slice(0, depth),
    asks: result.asks.map(({ price, size }) => ({ price, size })).sort(by).slice(0, depth),
    sequence: 0,
    timestamp: result.event_time ?? now,
    receivedAt: now,
    stale: false,
  };
}
