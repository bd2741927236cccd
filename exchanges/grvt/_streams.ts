/**
 * The GRVT private stream: `v1.order`, `v1.fill` and `v1.position` on the trading socket
 * (grvt.md §7.4–§7.5), turned into unified events.
 *
 * - Each stream starts from a snapshot (sequence 0) and counts up by one; a duplicate is
 *   dropped, a gap asks the client to reconcile over REST.
 * - A frame that cannot be read (bad envelope, or a feed the schema refuses — an unknown order
 *   status, a negative size, …) is never dropped silently: it is logged and the client
 *   reconciles over REST (tracked orders and positions), whose answers go through the same
 *   schemas.
 * - Fills are deduplicated by trade id.
 * - A silent socket is dropped after the transport's idle timeout and reported as a
 *   `connection` event `reconnecting` on stream `"trading"`; after the reconnection the client
 *   reconciles too.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { Clock, ExchangeEvent } from "../../base.ts";
import type { EventHub } from "../_shared/event_hub.ts";
import { parsePayload } from "../_shared/parse.ts";
import type { WebSocketConstructor, WsReconnectOptions, WsStateEvent } from "../_shared/ws.ts";
import { toGrvtFill, toGrvtPosition } from "./_mapping.ts";
import type { GrvtOrderTracker } from "./_orders.ts";
import { fillSchema, orderSchema, positionSchema } from "./schemas.ts";
import { type GrvtFeedFrame, GrvtStream } from "./stream.ts";

const log = getLogger(["perp", "grvt"]);

/** The private streams the client follows. */
export const GRVT_PRIVATE_STREAMS = ["v1.order", "v1.fill", "v1.position"] as const;

/** Options of {@linkcode GrvtPrivateStream}. */
export interface GrvtPrivateStreamOptions {
  /** The trading `/ws/full` URL. */
  url: string;
  /** Handshake headers (cookie, account id), updated in place when the session changes. */
  headers: Headers;
  clock: Clock;
  WebSocket?: WebSocketConstructor;
  reconnect?: WsReconnectOptions;
  idleTimeoutMs: number;
  heartbeatMs: number;
  tracker: GrvtOrderTracker;
  /** Where events go. */
  hub: () => EventHub<ExchangeEvent>;
  /** Connection state changes. */
  onState: (event: WsStateEvent) => void;
  /** Asks the client to re-read orders and positions over REST. */
  reconcile: (why: string) => void;
}

/** Fill ids a private stream remembers to drop redelivered fills. */
const FILL_IDS_KEPT = 10_000;

/** The private stream of one trading account. */
export class GrvtPrivateStream {
  readonly #options: GrvtPrivateStreamOptions;
  readonly #stream: GrvtStream;
  /** Last sequence number per stream (one entry per subscribed stream). */
  readonly #seq = new Map<string, number>();
  /** Fill ids already emitted. Retention: the newest {@linkcode FILL_IDS_KEPT}, oldest out first. */
  readonly #fillIds = new Set<string>();

  /** @param options Socket settings and where frames go. */
  constructor(options: GrvtPrivateStreamOptions) {
    this.#options = options;
    this.#stream = new GrvtStream({
      url: options.url,
      headers: options.headers,
      clock: options.clock,
      WebSocket: options.WebSocket,
      reconnect: options.reconnect,
      idleTimeoutMs: options.idleTimeoutMs,
      heartbeatMs: options.heartbeatMs,
      onFeed: (f) => this.#onFeed(f),
      onSubscribed: (stream) => this.#seq.delete(stream),
      onState: (e) => options.onState(e),
      onMalformed: (e) => this.#malformed(e),
    });
  }

  /**
   * Subscribes the order, fill and position streams of `account` (and connects).
   *
   * @param account The trading account id (the selector).
   */
  async open(account: string): Promise<void> {
    for (const s of GRVT_PRIVATE_STREAMS) await this.#stream.subscribe(s, account);
  }

  /** Closes the socket. */
  close(): Promise<void> {
    return this.#stream.close();
  }

  #malformed(error: unknown): void {
    log.warn("GRVT private frame refused: {error}", { error: String(error) });
    this.#options.reconcile(`unreadable private frame: ${String(error)}`);
  }

  #onFeed(f: GrvtFeedFrame): void {
    // Snapshots are sequence 0; deltas count up by one (grvt.md §7.5).
    if (f.sequence_number !== 0) {
      const last = this.#seq.get(f.stream);
      if (last !== undefined && f.sequence_number === last) return;
      if (last !== undefined && f.sequence_number !== last + 1) {
        this.#options.reconcile(`${f.stream} gap`);
      }
      this.#seq.set(f.stream, f.sequence_number);
    }
    const hub = this.#options.hub();
    const tracker = this.#options.tracker;
    const where = { venue: "grvt" as const, endpoint: f.stream };
    try {
      switch (f.stream) {
        case "v1.order": {
          const o = parsePayload(orderSchema, f.feed, where);
          if (!tracker.mapping.marketOf(o.legs[0].instrument)) return;
          hub.emit({ type: "order", order: tracker.track(o).order });
          break;
        }
        case "v1.fill": {
          const fill = toGrvtFill(parsePayload(fillSchema, f.feed, where), tracker.mapping);
          if (!fill || this.#fillIds.has(fill.tradeId)) return;
          this.#fillIds.add(fill.tradeId);
          if (this.#fillIds.size > FILL_IDS_KEPT) {
            this.#fillIds.delete(this.#fillIds.values().next().value!);
          }
          hub.emit({ type: "fill", fill });
          break;
        }
        case "v1.position": {
          const p = parsePayload(positionSchema, f.feed, where);
          const position = toGrvtPosition(p, tracker.mapping);
          if (position) hub.emit({ type: "position", position });
          break;
        }
      }
    } catch (e) {
      this.#malformed(e);
    }
  }
}
