/**
 * Lighter order books: the live book of an `order_book/{market}` channel (snapshot, then
 * absolute-size updates chained by `begin_nonce`), the decoding of its frames, and the REST
 * book aggregated from `orderBookOrders`.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { BookSnapshot, Clock } from "../../base.ts";
import type { Decimal } from "../../core/decimal.ts";
import { MalformedPayloadError } from "../../core/errors.ts";
import { LiveOrderBook } from "../_shared/live_order_book.ts";
import { parsePayload } from "../_shared/parse.ts";
import type { WsTransport } from "../_shared/ws.ts";
import type { LighterRest } from "./_transport.ts";
import type { LighterMarket } from "./markets.ts";
import { orderBookFrameSchema, orderBookOrdersSchema } from "./schemas.ts";

const log = getLogger(["perp", "lighter"]);

/** Options of {@linkcode createLighterBook}. */
export interface LighterBookOptions {
  /** The socket the channel lives on. */
  ws: WsTransport;
  /** The client's clock. */
  clock: Clock;
  /** Longest silence before the book reads as stale, in ms. */
  maxSilenceMs: number;
  /** Live books by market index: the book is registered before its channel is subscribed. */
  books: Map<number, LiveOrderBook>;
}

/**
 * A live book for one market, subscribed on `order_book/{market}`.
 *
 * @param market The market.
 * @param options Socket, clock, silence limit and the client's books.
 * @returns The book (stale until its first snapshot).
 */
export function createLighterBook(
  market: LighterMarket,
  options: LighterBookOptions,
): LiveOrderBook {
  const { ws } = options;
  const channel = `order_book/${market.marketIndex}`;
  const book = new LiveOrderBook(market.symbol, {
    venue: "lighter",
    clock: options.clock,
    maxSilenceMs: options.maxSilenceMs,
    // begin_nonce must equal the previous nonce (lighter.md §4.3); frames without one only
    // need to move forward.
    sequenceRule: (last, seq, prev) => prev === undefined ? seq > last : prev === last,
    requestSnapshot: () => {
      log.info("Resubscribing {channel} for a fresh snapshot", { channel });
      resubscribeBook(ws, market.marketIndex);
    },
    onClose: () => {
      options.books.delete(market.marketIndex);
      ws.unsubscribe(channel, { message: { type: "unsubscribe", channel } });
    },
    onError: (e) => log.warn("Book resync failed: {error}", { error: String(e) }),
  });
  // Registered first: the snapshot may arrive as soon as the subscription is sent.
  options.books.set(market.marketIndex, book);
  ws.subscribe({ type: "subscribe", channel }, { key: channel });
  return book;
}

/**
 * Asks for a fresh snapshot of a book channel (unsubscribe + subscribe; lighter.md §4.3).
 *
 * @param ws The socket.
 * @param marketIndex The market.
 */
export function resubscribeBook(ws: WsTransport | undefined, marketIndex: number): void {
  const channel = `order_book/${marketIndex}`;
  try {
    ws?.send({ type: "unsubscribe", channel });
    ws?.send({ type: "subscribe", channel });
  } catch {
    // Not connected: the reconnect resubscribes.
  }
}

/**
 * The market index a book frame belongs to (`"order_book:0"` → 0), or `undefined`.
 *
 * @param data A frame.
 * @returns The market index.
 */
export function bookFrameMarket(data: unknown): number | undefined {
  const channel = (data as { channel?: unknown } | null)?.channel;
  if (typeof channel !== "string") return undefined;
  const id = Number(channel.split(":")[1]);
  return Number.isSafeInteger(id) ? id : undefined;
}

/**
 * Decodes one `subscribed/order_book` or `update/order_book` frame and applies it.
 * A snapshot level of size 0 is refused (0 means "delete" in updates only).
 *
 * @param books Live books by market index.
 * @param data The frame.
 * @param snapshot Whether it is a `subscribed/…` frame.
 * @throws {MalformedPayloadError} For a frame that breaks the schema.
 */
export function applyBookFrame(
  books: ReadonlyMap<number, LiveOrderBook>,
  data: unknown,
  snapshot: boolean,
): void {
  const f = parsePayload(orderBookFrameSchema, data, { venue: "lighter", endpoint: "order_book" });
  const id = Number(f.channel.split(":")[1]);
  const book = books.get(id);
  if (!book) return;
  const toRaw = (l: { price: Decimal; size: Decimal }) => ({
    price: l.price.toString(),
    size: l.size.toString(),
  });
  const sequence = f.order_book.nonce ?? f.order_book.offset;
  if (sequence === undefined) {
    throw new MalformedPayloadError("order_book.nonce", {
      venue: "lighter",
      endpoint: f.channel,
      details: "a book frame needs a nonce or an offset",
    });
  }
  if (snapshot) {
    for (
      const [side, levels] of [["bids", f.order_book.bids], ["asks", f.order_book.asks]] as const
    ) {
      const i = levels.findIndex((l) => l.size.isZero());
      if (i >= 0) {
        throw new MalformedPayloadError(`order_book.${side}[${i}].size`, {
          venue: "lighter",
          endpoint: f.channel,
          details: "a snapshot level of size 0",
        });
      }
    }
  }
  const sides = { bids: f.order_book.bids.map(toRaw), asks: f.order_book.asks.map(toRaw) };
  if (snapshot) {
    book.applySnapshot(sides, { sequence, timestamp: f.timestamp });
  } else {
    book.applyDelta(sides, {
      sequence,
      // Only with a nonce does begin_nonce chain; offsets alone just move forward.
      prevSequence: f.order_book.nonce === undefined ? undefined : f.order_book.begin_nonce,
      timestamp: f.timestamp,
    });
  }
}

/**
 * The REST book: `orderBookOrders` lists resting orders (L3), summed per price level.
 *
 * @param rest The REST transport.
 * @param market The market.
 * @param depth Levels per side.
 * @param now Current time, ms.
 * @returns The book.
 */
export async function restBook(
  rest: LighterRest,
  market: LighterMarket,
  depth: number,
  now: number,
): Promise<BookSnapshot> {
  const r = await rest.get(
    "/api/v1/orderBookOrders",
    { market_id: market.marketIndex, limit: 250 },
    orderBookOrdersSchema,
  );
  const levels = (rows: { price: Decimal; remaining_base_amount: Decimal }[], desc: boolean) => {
    const by = new Map<string, { price: Decimal; size: Decimal }>();
    for (const row of rows) {
      const k = row.price.toString();
      const l = by.get(k);
      if (l) l.size = l.size.plus(row.remaining_base_amount);
      else by.set(k, { price: row.price, size: row.remaining_base_amount });
    }
    return [...by.values()]
      .sort((a, b) => desc ? b.price.comparedTo(a.price) : a.price.comparedTo(b.price))
      .slice(0, depth);
  };
  return {
    symbol: market.symbol,
    bids: levels(r.bids, true),
    asks: levels(r.asks, false),
    sequence: 0,
    timestamp: now,
    stale: false,
    receivedAt: now,
  };
}
