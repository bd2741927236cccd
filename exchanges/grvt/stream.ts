/**
 * One GRVT `/ws/full` connection speaking JSON-RPC (grvt.md §7.2): subscriptions that are
 * re-sent — and acknowledged — on every (re)connection before it counts as connected, request
 * ids matched to answers, and stream frames handed on in order.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { z } from "zod";
import type { Clock } from "../../base.ts";
import { systemClock } from "../_shared/clock.ts";
import { NetworkError, type PerpError, TimeoutError } from "../../core/errors.ts";
import { parsePayload } from "../_shared/parse.ts";
import {
  createWsTransport,
  type WebSocketConstructor,
  type WsReconnectOptions,
  type WsStateEvent,
  type WsTransport,
} from "../_shared/ws.ts";
import { grvtError } from "./errors.ts";
import { feedEnvelopeSchema, subscribeResultSchema } from "./schemas.ts";

const log = getLogger(["perp", "grvt"]);

/**
 * A parsed stream frame.
 *
 * @example
 * ```ts
 * import type { GrvtFeedFrame } from "./stream.ts";
 * const isSnapshot = (f: GrvtFeedFrame) => f.sequence_number === 0;
 * ```
 */
export type GrvtFeedFrame = z.output<typeof feedEnvelopeSchema>;

/**
 * A parsed subscribe answer.
 *
 * @example
 * ```ts
 * import type { GrvtSubscribeResult } from "./stream.ts";
 * const base = (r: GrvtSubscribeResult) => r.latest_sequence_number?.[0];
 * ```
 */
export type GrvtSubscribeResult = z.output<typeof subscribeResultSchema>;

/**
 * Options of {@linkcode GrvtStream}.
 *
 * @example
 * ```ts
 * import type { GrvtStreamOptions } from "./stream.ts";
 * const o: Partial<GrvtStreamOptions> = { url: "wss://market-data.grvt.io/ws/full" };
 * ```
 */
export interface GrvtStreamOptions {
  /** The `/ws/full` URL. */
  url: string;
  /** Handshake headers (cookie and account id on the trading host); may be updated in place. */
  headers?: Headers;
  /** Clock. @default {systemClock} */
  clock?: Clock;
  /** WebSocket constructor. @default {globalThis.WebSocket} */
  WebSocket?: WebSocketConstructor;
  /** Reconnect policy. @default {the transport's} */
  reconnect?: WsReconnectOptions;
  /**
   * Ms between text `"ping"` frames. GRVT's JS client pings after 3 s of silence and the
   * venue answers the text with a JSON-RPC error 1003 (grvt.md §7.1). @default {3_000}
   */
  heartbeatMs?: number;
  /**
   * Ms without any frame after which the socket is taken for dead, dropped and reconnected
   * (with resubscription). GRVT documents no ping protocol; its JS client reconnects after
   * 10 s without a message while pinging every 3 s, and the TS SDK after 5 s (grvt.md §7.1).
   * A healthy socket answers each ping, so it is never silent for much more than one
   * heartbeat interval. @default {10_000}
   */
  idleTimeoutMs?: number;
  /** Deadline for opening and subscribing, in ms. @default {10_000} */
  connectTimeoutMs?: number;
  /** Called on every frame received, whatever it is (the socket is alive). */
  onFrame?: () => void;
  /** Called with every stream frame, in order. */
  onFeed: (frame: GrvtFeedFrame) => void;
  /** Called with each subscribe answer, before the frames it announces. */
  onSubscribed?: (stream: string, selector: string, result: GrvtSubscribeResult) => void;
  /** Called with connection state changes. */
  onState?: (event: WsStateEvent) => void;
  /** Called when a frame cannot be read (the caller resyncs what it can). */
  onMalformed?: (error: unknown) => void;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * A GRVT WebSocket connection.
 *
 * @example
 * ```ts
 * import { GrvtStream } from "./stream.ts";
 * const stream = new GrvtStream({
 *   url: "wss://market-data.grvt.io/ws/full",
 *   onFeed: (frame) => console.log(frame.stream, frame.sequence_number),
 * });
 * // await stream.subscribe("v1.book.d", "BTC_USDT_Perp@100"); await stream.close();
 * ```
 */
export class GrvtStream {
  readonly #ws: WsTransport;
  readonly #options: GrvtStreamOptions;
  readonly #clock: Clock;
  /** By `stream|primary`; `group` ties selectors subscribed together (re-sent together). */
  readonly #subs = new Map<string, { stream: string; selector: string; group: number }>();
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #nextGroup = 1;

  /**
   * Creates the connection; nothing is opened until {@linkcode GrvtStream.connect}.
   *
   * @param options URL, headers, clock, reconnect policy and handlers.
   */
  constructor(options: GrvtStreamOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#ws = createWsTransport({
      venue: "grvt",
      url: options.url,
      headers: options.headers,
      clock: this.#clock,
      WebSocket: options.WebSocket,
      reconnect: options.reconnect,
      connectTimeoutMs: options.connectTimeoutMs,
      heartbeat: { intervalMs: options.heartbeatMs ?? 3_000, message: () => "ping" },
      idleTimeoutMs: options.idleTimeoutMs ?? 10_000,
      onOpen: async (_t, ctx) => {
        // Subscriptions are sent here, each awaited, so "connected" means subscribed; selectors
        // subscribed in one request are re-sent in one request.
        const groups = new Map<number, { stream: string; selectors: string[] }>();
        for (const s of this.#subs.values()) {
          const g = groups.get(s.group);
          if (g) g.selectors.push(s.selector);
          else groups.set(s.group, { stream: s.stream, selectors: [s.selector] });
        }
        await Promise.all(
          [...groups.values()].map((g) => this.#subscribeNow(g.stream, g.selectors, ctx.signal)),
        );
      },
    });
    this.#ws.onMessage((m) => this.#receive(m.data, m.json, m.raw));
    this.#ws.onStateChange((e) => {
      if (e.state !== "connected") this.#failPending(e.error);
      options.onState?.(e);
    });
  }

  /** Current transport state. */
  get state(): string {
    return this.#ws.state;
  }

  /**
   * Opens the connection and (re)subscribes.
   *
   * @param options `signal` aborts.
   * @throws {NetworkError} If the connection or a subscription fails.
   */
  connect(options: { signal?: AbortSignal } = {}): Promise<void> {
    return this.#ws.connect(options);
  }

  /**
   * Subscribes (or subscribes again, which replaces the same primary selector and brings a
   * fresh snapshot): kept for every reconnection, sent now when connected. Several selectors
   * go in one JSON-RPC request (grvt.md §7.2 `selectors` is a list), and are re-sent together.
   *
   * @param stream Stream (`v1.book.d`).
   * @param selector Selector (`BTC_USDT_Perp@100`), or several.
   * @throws {PerpError} If the venue refuses the subscription.
   */
  async subscribe(stream: string, selector: string | string[]): Promise<void> {
    const selectors = typeof selector === "string" ? [selector] : selector;
    if (selectors.length === 0) return;
    const group = this.#nextGroup++;
    for (const s of selectors) {
      this.#subs.set(`${stream}|${s.split("@")[0]}`, { stream, selector: s, group });
    }
    if (this.#ws.state === "connected") await this.#subscribeNow(stream, selectors);
    else await this.connect();
  }

  /**
   * Stops a subscription.
   *
   * @param stream Stream.
   * @param selector Selector.
   */
  unsubscribe(stream: string, selector: string): void {
    this.#subs.delete(`${stream}|${selector.split("@")[0]}`);
    if (this.#ws.state !== "connected") return;
    try {
      this.#ws.send({
        jsonrpc: "2.0",
        method: "unsubscribe",
        params: { stream, selectors: [selector] },
        id: this.#nextId++,
      });
    } catch {
      // Closing anyway.
    }
  }

  /** Closes the connection. Idempotent. */
  async close(): Promise<void> {
    await this.#ws.close();
    this.#failPending();
  }

  async #subscribeNow(stream: string, selectors: string[], signal?: AbortSignal): Promise<void> {
    const result = await this.#call("subscribe", { stream, selectors }, signal);
    const parsed = parsePayload(subscribeResultSchema, result, {
      venue: "grvt",
      endpoint: `subscribe ${stream}`,
    });
    if (selectors.length === 1) {
      this.#options.onSubscribed?.(stream, selectors[0], parsed);
      return;
    }
    // The per-selector lists are in request order (one entry per selector).
    selectors.forEach((selector, i) => {
      const at = <T>(list: T[] | undefined) => list?.[i] === undefined ? undefined : [list[i]];
      this.#options.onSubscribed?.(stream, selector, {
        stream: parsed.stream,
        subs: [selector],
        unsubs: parsed.unsubs,
        num_snapshots: at(parsed.num_snapshots),
        first_sequence_number: at(parsed.first_sequence_number),
        latest_sequence_number: at(parsed.latest_sequence_number),
      });
    });
  }

  #call(method: string, params: unknown, signal?: AbortSignal): Promise<unknown> {
    const id = this.#nextId++;
    const timeoutMs = this.#options.connectTimeoutMs ?? 10_000;
    return new Promise<unknown>((resolve, reject) => {
      const stop = new AbortController();
      const done = () => {
        stop.abort();
        this.#pending.delete(id);
      };
      this.#pending.set(id, {
        resolve: (v) => {
          done();
          resolve(v);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      this.#clock.sleep(timeoutMs, stop.signal).then(() => {
        this.#pending.get(id)?.reject(
          new TimeoutError(timeoutMs, { venue: "grvt", endpoint: `${method} ${id}` }),
        );
      }, () => {});
      signal?.addEventListener("abort", () => this.#pending.get(id)?.reject(signal.reason), {
        once: true,
        signal: stop.signal,
      });
      try {
        this.#ws.send({ jsonrpc: "2.0", method, params, id });
      } catch (e) {
        this.#pending.get(id)?.reject(e);
      }
    });
  }

  #failPending(error?: PerpError): void {
    for (const p of [...this.#pending.values()]) {
      p.reject(error ?? new NetworkError({ venue: "grvt", message: "GRVT stream closed" }));
    }
  }

  #receive(data: unknown, json: boolean, raw: string | Uint8Array): void {
    this.#options.onFrame?.();
    if (!json || data === null || typeof data !== "object") {
      if (typeof raw === "string" && /^\s*p[io]ng\s*$/i.test(raw)) return;
      this.#options.onMalformed?.(new Error(`unreadable frame: ${String(raw).slice(0, 80)}`));
      return;
    }
    const m = data as Record<string, unknown>;
    if ("feed" in m && typeof m.stream === "string") {
      let frame: GrvtFeedFrame;
      try {
        frame = parsePayload(feedEnvelopeSchema, m, { venue: "grvt", endpoint: m.stream });
      } catch (e) {
        this.#options.onMalformed?.(e);
        return;
      }
      this.#options.onFeed(frame);
      return;
    }
    const id = typeof m.id === "number" ? m.id : undefined;
    const pending = id === undefined ? undefined : this.#pending.get(id);
    const err = m.error as { code?: unknown; message?: unknown } | undefined;
    if (pending) {
      if (err && typeof err === "object") {
        const code = typeof err.code === "number" ? err.code : 1002;
        pending.reject(
          grvtError(code, typeof err.message === "string" ? err.message : undefined, {
            endpoint: String(m.method ?? "ws"),
          }),
        );
      } else {
        pending.resolve(m.result);
      }
      return;
    }
    // 1003 answers our text "ping" (grvt.md §7.1); anything else is worth a line.
    if (err && err.code !== 1003) {
      log.warn("GRVT stream error: {code} {message}", { code: err.code, message: err.message });
    }
  }
}
