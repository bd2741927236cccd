/**
 * The WebSocket transport every venue's streams are built on: one connection with a connect
 * timeout, JSON frames in and out (raw frames too, for venues whose pings are not JSON), a
 * heartbeat, dead-socket detection, automatic reconnect with capped backoff and jitter,
 * subscriptions that are re-sent after every reconnect, and connection state events so that
 * higher layers can mark order books stale and resync.
 *
 * Life cycle: `idle` → `connecting` → `connected` ⇄ `reconnecting` → `closed` (after
 * `close()`), or `disconnected` when reconnecting gave up or the first connect failed.
 * State events fire for `connected`, `reconnecting` and `disconnected`.
 *
 * All waits (connect timeout, heartbeat, idle timeout, reconnect backoff) run on the injected
 * clock, so tests drive them with a `ManualClock`.
 *
 * @example Subscribing and reading frames (against a local server standing in for the venue)
 * ```ts
 * import { createWsTransport } from "./ws.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * await using venue = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
 *   const { socket, response } = Deno.upgradeWebSocket(req);
 *   socket.onmessage = (e) => {
 *     const { channel } = JSON.parse(e.data);
 *     socket.send(JSON.stringify({ type: "subscribed", channel }));
 *   };
 *   return response;
 * });
 * await using ws = createWsTransport({
 *   venue: "edgex",
 *   url: `ws://127.0.0.1:${venue.addr.port}`,
 *   idleTimeoutMs: 60_000,
 * });
 * ws.onStateChange((e) => console.log(`stream ${e.state}`)); // mark books stale on "reconnecting"
 * ws.subscribe({ type: "subscribe", channel: "depth.10000001.15" }); // re-sent after every reconnect
 * await ws.connect();
 * for await (const { data } of ws.messages()) {
 *   deepEqual(data, { type: "subscribed", channel: "depth.10000001.15" });
 *   break;
 * }
 * ```
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { Clock } from "../../base.ts";
import { createBackoff, type Jitter } from "./backoff.ts";
import { systemClock } from "./clock.ts";
import {
  ConfigurationError,
  NetworkError,
  PerpError,
  type PerpErrorOptions,
  TimeoutError,
  type VenueName,
} from "../../core/errors.ts";
import { redact } from "../../core/redact.ts";

const log = getLogger(["perp", "ws"]);

/**
 * Where a {@linkcode WsTransport} is in its life cycle.
 *
 * @example
 * ```ts
 * import type { WsState } from "./ws.ts";
 * const live = (s: WsState) => s === "connected";
 * ```
 */
export type WsState =
  | "idle"
  | "connecting"
  | "connected"
  | "reconnecting"
  | "disconnected"
  | "closed";

/**
 * A connection state change.
 * - `connected`: open, `onOpen` done and every subscription (re-)sent;
 * - `reconnecting`: the connection was lost (`error` says why); data may have been missed;
 * - `disconnected`: `close()` was called, or reconnecting gave up (`error` set).
 *
 * @example
 * ```ts
 * import type { WsStateEvent } from "./ws.ts";
 * const onState = (e: WsStateEvent) => {
 *   if (e.state !== "connected") console.warn(`book stale: ${e.error?.message ?? e.state}`);
 * };
 * ```
 */
export interface WsStateEvent {
  /** The new state. */
  state: "connected" | "reconnecting" | "disconnected";
  /** Why the connection was lost, for `reconnecting` and a failed `disconnected`. */
  error?: PerpError;
}

/**
 * One frame received.
 *
 * @example
 * ```ts
 * import type { WsMessage } from "./ws.ts";
 * const isGrvtPingReply = (m: WsMessage) => !m.json && m.raw === "pong";
 * ```
 */
export interface WsMessage {
  /** The parsed JSON of a text frame, or `undefined` when the frame is not JSON. */
  readonly data: unknown;
  /** Whether `data` holds parsed JSON (JSON `null` is a valid payload). */
  readonly json: boolean;
  /**
   * Whether `data` came from the transport's `decode` option instead of `JSON.parse` (then it
   * has the decoder's shape, and `json` is `false`).
   */
  readonly decoded?: boolean;
  /** The frame as received: a string for text frames, bytes for binary frames. */
  readonly raw: string | Uint8Array;
}

/**
 * The WebSocket constructor the transport calls; the global `WebSocket` fits.
 *
 * @example
 * ```ts
 * import type { WebSocketConstructor } from "./ws.ts";
 * const Ctor: WebSocketConstructor = WebSocket;
 * ```
 */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocket;

/**
 * A periodic client ping.
 *
 * @example
 * ```ts
 * import type { WsHeartbeat } from "./ws.ts";
 * // Lighter: JSON ping. GRVT's JS client sends the bare text "ping" instead.
 * const lighter: WsHeartbeat = { intervalMs: 30_000, message: () => ({ type: "ping" }) };
 * const grvt: WsHeartbeat = { intervalMs: 3_000, message: () => "ping" };
 * ```
 */
export interface WsHeartbeat {
  /** Milliseconds between pings. */
  intervalMs: number;
  /** Builds each ping: a string or bytes are sent as a raw frame, anything else as JSON. */
  message(): unknown;
}

/**
 * Reconnect policy of a {@linkcode WsTransport}.
 *
 * @example
 * ```ts
 * import type { WsReconnectOptions } from "./ws.ts";
 * const policy: WsReconnectOptions = { baseDelayMs: 1_000, maxDelayMs: 30_000, maxAttempts: 20 };
 * ```
 */
export interface WsReconnectOptions {
  /** Ceiling of the first delay, in milliseconds. @default {500} */
  baseDelayMs?: number;
  /** Largest delay, in milliseconds. @default {30_000} */
  maxDelayMs?: number;
  /** Jitter of the delays. @default {"full"} */
  jitter?: Jitter;
  /** Random source of the jitter, in `[0, 1)`. @default {Math.random} */
  random?: () => number;
  /** Failed reconnect attempts after which the transport gives up. @default {Infinity} */
  maxAttempts?: number;
}

/**
 * What {@linkcode WsTransportOptions.onOpen} gets besides the transport.
 *
 * @example
 * ```ts
 * import type { WsOpenContext } from "./ws.ts";
 * const wait = (ctx: WsOpenContext) => ctx.signal.aborted;
 * ```
 */
export interface WsOpenContext {
  /** Aborted when this connection is lost or the connect deadline passes. */
  signal: AbortSignal;
  /** `true` on the first connection, `false` after a reconnect. */
  firstConnection: boolean;
}

/**
 * Options of {@linkcode createWsTransport}.
 *
 * @example
 * ```ts
 * import type { WsTransportOptions } from "./ws.ts";
 * const options: WsTransportOptions = {
 *   venue: "lighter",
 *   url: "wss://mainnet.zklighter.elliot.ai/stream",
 *   heartbeat: { intervalMs: 30_000, message: () => ({ type: "ping" }) },
 *   idleTimeoutMs: 90_000,
 * };
 * ```
 */
export interface WsTransportOptions {
  /** Venue name, used in errors and logs. */
  venue: VenueName;
  /** The `ws:` / `wss:` URL. */
  url: string | URL;
  /** Sub-protocols to offer. @default {undefined} */
  protocols?: string | string[];
  /**
   * Handshake headers (Deno only, e.g. a session cookie); passed to the constructor as
   * `{ protocols, headers }`. @default {undefined}
   */
  headers?: HeadersInit;
  /** Deadline for opening the socket and running `onOpen`, in milliseconds. @default {10_000} */
  connectTimeoutMs?: number;
  /**
   * A connection that receives nothing for this long is treated as dead and replaced.
   * Set it when the venue sends pings or answers the heartbeat. @default {undefined} (off)
   */
  idleTimeoutMs?: number;
  /** A periodic ping sent while connected. @default {undefined} */
  heartbeat?: WsHeartbeat;
  /**
   * A fast decoder tried on each text frame before `JSON.parse` (a venue's hot book channel).
   * When it returns a value, handlers get it as `data` with `decoded: true` and the frame is
   * not parsed again; `undefined` means "not mine", and the frame is parsed as JSON.
   * @default {undefined}
   */
  decode?: (raw: string) => unknown;
  /** Reconnect policy, or `false` to give up at the first loss. @default {{}} */
  reconnect?: WsReconnectOptions | false;
  /** How long `close()` waits for the closing handshake, in milliseconds. @default {5_000} */
  closeTimeoutMs?: number;
  /** Clock for every wait. @default {systemClock} */
  clock?: Clock;
  /** The WebSocket constructor. @default {globalThis.WebSocket} */
  WebSocket?: WebSocketConstructor;
  /**
   * Runs on every new connection before subscriptions are (re-)sent, e.g. to log in. Messages
   * received meanwhile reach the handlers. A throw fails this connection attempt; a
   * non-retryable {@linkcode PerpError} (such as an authentication error) stops reconnecting.
   * @default {undefined}
   */
  onOpen?: (transport: WsTransport, context: WsOpenContext) => void | Promise<void>;
}

/**
 * Options of {@linkcode WsTransport.messages}.
 *
 * @example
 * ```ts
 * import type { WsMessagesOptions } from "./ws.ts";
 * const o: WsMessagesOptions = { signal: AbortSignal.timeout(60_000), highWaterMark: 1_000 };
 * ```
 */
export interface WsMessagesOptions {
  /** Ends the iteration when aborted. @default {undefined} */
  signal?: AbortSignal;
  /**
   * Most messages buffered for a slow consumer; past it the iteration ends with a
   * {@linkcode PerpError} (rather than dropping data silently), so the caller resyncs.
   * @default {10_000}
   */
  highWaterMark?: number;
}

/**
 * A WebSocket connection that reconnects and resubscribes by itself.
 *
 * @example
 * ```ts
 * import type { WsTransport } from "./ws.ts";
 * function watchState(ws: WsTransport) {
 *   return ws.onStateChange((e) => console.log(ws.state, e.state));
 * }
 * ```
 */
export interface WsTransport extends AsyncDisposable {
  /** Venue name. */
  readonly venue: VenueName;
  /** Current state. */
  readonly state: WsState;
  /**
   * Opens the connection, runs `onOpen` and sends the registered subscriptions. Resolves at
   * once when already connected; waits for the outcome while connecting or reconnecting.
   * A first connection that fails is not retried: the error is thrown.
   *
   * @throws {TimeoutError} If not open within `connectTimeoutMs`.
   * @throws {NetworkError} If the connection fails or the transport is closed.
   */
  connect(options?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Sends one message as JSON (`bigint` as a decimal string).
   *
   * @throws {NetworkError} If the socket is not open.
   */
  send(message: unknown): void;
  /**
   * Sends a raw text or binary frame.
   *
   * @throws {NetworkError} If the socket is not open.
   */
  sendRaw(data: string | Uint8Array): void;
  /**
   * Registers a subscription: sent now when connected, and again after every reconnect.
   * The same key replaces the earlier message. Returns the key.
   */
  subscribe(message: unknown, options?: { key?: string }): string;
  /**
   * Forgets a subscription so that it is not re-sent; sends `options.message` (the venue's
   * unsubscribe request) when connected. Returns whether the key was registered.
   */
  unsubscribe(key: string, options?: { message?: unknown }): boolean;
  /** Calls `handler` for every frame, in order; returns a function that removes it. */
  onMessage(handler: (message: WsMessage) => void): () => void;
  /** Calls `handler` on every state event; returns a function that removes it. */
  onStateChange(handler: (event: WsStateEvent) => void): () => void;
  /**
   * Iterates over the frames received from now on, across reconnects. Ends (dropping what is
   * still buffered) when the transport closes or `signal` aborts; throws when reconnecting
   * gives up or the consumer falls `highWaterMark` messages behind.
   */
  messages(options?: WsMessagesOptions): AsyncIterableIterator<WsMessage>;
  /** Closes cleanly (code 1000), stops reconnecting, ends iterators, cancels timers. Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates a WebSocket transport. Nothing is opened until {@linkcode WsTransport.connect}.
 *
 * @param options URL, timeouts, heartbeat, reconnect policy, clock, constructor and hooks.
 * @returns The transport, in state `idle`.
 * @throws {ConfigurationError} If the URL is not a `ws:` / `wss:` URL or a duration is not
 * positive.
 *
 * @example Answering a venue's JSON ping from a handler
 * ```ts
 * import { createWsTransport } from "./ws.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * await using server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
 *   const { socket, response } = Deno.upgradeWebSocket(req);
 *   socket.onopen = () => socket.send(JSON.stringify({ type: "ping", time: "42" }));
 *   socket.onmessage = (e) => socket.send(`echo ${e.data}`);
 *   return response;
 * });
 * await using ws = createWsTransport({ venue: "edgex", url: `ws://127.0.0.1:${server.addr.port}` });
 * ws.onMessage(({ data }) => {
 *   const m = data as { type?: string; time?: string } | undefined;
 *   if (m?.type === "ping") ws.send({ type: "pong", time: m.time });
 * });
 * const replies = ws.messages();
 * await ws.connect();
 * await replies.next(); // the ping
 * equal((await replies.next()).value?.raw, 'echo {"type":"pong","time":"42"}');
 * ```
 */
export function createWsTransport(options: WsTransportOptions): WsTransport {
  return new Transport(options);
}

interface Connection {
  socket: WebSocket;
  /** Aborted when this connection ends, for whatever reason (the reason is a PerpError). */
  abort: AbortController;
  lastMessageAt: number;
  closed: Promise<void>;
}

const OPEN = 1;
const CLOSED = 3;

class Transport implements WsTransport {
  readonly venue: VenueName;
  #url: string;
  #safeUrl: string;
  #options: WsTransportOptions;
  #clock: Clock;
  #connectTimeoutMs: number;
  #closeTimeoutMs: number;
  #Ctor: WebSocketConstructor;
  #state: WsState = "idle";
  #conn: Connection | undefined;
  #sockets = new Set<Connection>();
  #subscriptions = new Map<string, unknown>();
  #handlers = new Set<(message: WsMessage) => void>();
  #stateHandlers = new Set<(event: WsStateEvent) => void>();
  #queues = new Set<MessageQueue>();
  #lifetime = new AbortController();
  #pendingConnect: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #everConnected = false;

  constructor(options: WsTransportOptions) {
    this.venue = options.venue;
    this.#options = options;
    let url: URL;
    try {
      url = new URL(String(options.url));
    } catch (cause) {
      throw this.#config("'url' must be an absolute ws: or wss: URL", String(options.url), cause);
    }
    if (url.protocol !== "ws:" && url.protocol !== "wss:") {
      throw this.#config("'url' must be a ws: or wss: URL", url.href);
    }
    this.#url = url.href;
    this.#safeUrl = redact(url.href);
    this.#clock = options.clock ?? systemClock;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
    this.#Ctor = options.WebSocket ?? globalThis.WebSocket;
    for (
      const [name, value] of [
        ["connectTimeoutMs", this.#connectTimeoutMs],
        ["closeTimeoutMs", this.#closeTimeoutMs],
        ["idleTimeoutMs", options.idleTimeoutMs],
        ["heartbeat.intervalMs", options.heartbeat?.intervalMs],
      ] as const
    ) {
      if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
        throw this.#config(`'${name}' must be a positive number of ms`, String(value));
      }
    }
    if (options.reconnect) createBackoff(options.reconnect);
  }

  get state(): WsState {
    return this.#state;
  }

  connect(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#lifetime.signal.aborted) {
      return Promise.reject(this.#error(NetworkError, "the transport is closed"));
    }
    if (this.#state === "connected") return Promise.resolve();
    if (this.#state === "reconnecting") return this.#nextOutcome(options.signal);
    if (this.#pendingConnect) return this.#pendingConnect;
    this.#state = "connecting";
    const attempt = this.#open(options.signal).then(
      () => {
        this.#setState({ state: "connected" });
      },
      (e: unknown) => {
        if (this.#state === "connecting") this.#state = "disconnected";
        throw e;
      },
    ).finally(() => {
      this.#pendingConnect = undefined;
    });
    this.#pendingConnect = attempt;
    return attempt;
  }

  send(message: unknown): void {
    this.sendRaw(toJson(message));
  }

  sendRaw(data: string | Uint8Array): void {
    const socket = this.#conn?.socket;
    if (!socket || socket.readyState !== OPEN) {
      throw this.#error(NetworkError, `cannot send while ${this.#state}`);
    }
    socket.send(data);
  }

  subscribe(message: unknown, options: { key?: string } = {}): string {
    const key = options.key ?? toJson(message);
    this.#subscriptions.set(key, message);
    // While connecting, the open sequence sends every registered subscription once done.
    if (this.#state === "connected") this.#trySend(message);
    return key;
  }

  unsubscribe(key: string, options: { message?: unknown } = {}): boolean {
    const had = this.#subscriptions.delete(key);
    if (options.message !== undefined && this.#state === "connected") {
      this.#trySend(options.message);
    }
    return had;
  }

  onMessage(handler: (message: WsMessage) => void): () => void {
    const h = (m: WsMessage) => handler(m);
    this.#handlers.add(h);
    return () => this.#handlers.delete(h);
  }

  onStateChange(handler: (event: WsStateEvent) => void): () => void {
    const h = (e: WsStateEvent) => handler(e);
    this.#stateHandlers.add(h);
    return () => this.#stateHandlers.delete(h);
  }

  messages(options: WsMessagesOptions = {}): AsyncIterableIterator<WsMessage> {
    const { signal, highWaterMark = 10_000 } = options;
    const queue = new MessageQueue(highWaterMark, () => {
      this.#queues.delete(queue);
      signal?.removeEventListener("abort", onAbort);
    }, this.#options.venue);
    const onAbort = () => queue.end();
    if (this.#lifetime.signal.aborted || signal?.aborted) {
      queue.end();
    } else {
      this.#queues.add(queue);
      signal?.addEventListener("abort", onAbort, { once: true });
    }
    return {
      next: () => queue.next(),
      return: (): Promise<IteratorResult<WsMessage>> => {
        queue.end();
        return Promise.resolve({ done: true, value: undefined });
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #close(): Promise<void> {
    const was = this.#state;
    this.#state = "closed";
    this.#lifetime.abort(this.#error(NetworkError, "the transport was closed"));
    const conn = this.#conn;
    this.#conn = undefined;
    if (conn) this.#endConnection(conn, this.#error(NetworkError, "the transport was closed"));
    for (const c of this.#sockets) closeSocket(c.socket, 1000, "client closing");
    const all = Promise.all([...this.#sockets].map((c) => c.closed));
    const give = new AbortController();
    await Promise.race([
      all,
      this.#clock.sleep(this.#closeTimeoutMs, give.signal).catch(() => {}),
    ]);
    give.abort();
    for (const q of [...this.#queues]) q.end();
    if (was === "connected" || was === "reconnecting") {
      this.#emit({ state: "disconnected" });
    }
    log.debug("Closed {url}", { venue: this.venue, url: this.#safeUrl });
  }

  /** Opens one connection, runs onOpen and sends the subscriptions. */
  async #open(callerSignal?: AbortSignal): Promise<void> {
    const clock = this.#clock;
    const { protocols, headers } = this.#options;
    let socket: WebSocket;
    try {
      socket = headers === undefined
        ? new this.#Ctor(this.#url, protocols)
        : new (this.#Ctor as unknown as new (url: string, o: unknown) => WebSocket)(this.#url, {
          protocols,
          headers,
        });
    } catch (e) {
      throw this.#error(NetworkError, undefined, e);
    }
    socket.binaryType = "arraybuffer";
    const conn: Connection = {
      socket,
      abort: new AbortController(),
      lastMessageAt: clock.now(),
      closed: new Promise<void>((resolve) => {
        socket.addEventListener("close", () => resolve(), { once: true });
      }),
    };
    this.#sockets.add(conn);
    conn.closed.then(() => this.#sockets.delete(conn));

    // One deadline covers the handshake and onOpen.
    const deadline = new AbortController();
    const deadlineDone = new AbortController();
    clock.sleep(this.#connectTimeoutMs, deadlineDone.signal).then(() => {
      deadline.abort(new TimeoutError(this.#connectTimeoutMs, this.#where()));
    }, () => {});
    const stops = [deadline.signal, this.#lifetime.signal, conn.abort.signal];
    if (callerSignal) stops.push(callerSignal);
    const stop = AbortSignal.any(stops);

    try {
      await waitForOpen(socket, stop, (detail, cause) => this.#error(NetworkError, detail, cause));
      socket.addEventListener("message", (e) => this.#receive(conn, e));
      socket.addEventListener("close", (e) => {
        const why = `closed by the server (code ${e.code}${e.reason ? `, ${e.reason}` : ""})`;
        this.#lost(conn, this.#error(NetworkError, why));
      });
      this.#conn = conn;
      conn.lastMessageAt = clock.now();
      this.#startHeartbeat(conn);
      this.#startIdleWatch(conn);
      log.debug("Opened {url}", { venue: this.venue, url: this.#safeUrl });
      const onOpen = this.#options.onOpen;
      if (onOpen) {
        const firstConnection = !this.#everConnected;
        await untilAborted(Promise.resolve(onOpen(this, { signal: stop, firstConnection })), stop);
      }
      stop.throwIfAborted();
      for (const message of this.#subscriptions.values()) socket.send(toJson(message));
      this.#everConnected = true;
    } catch (e) {
      const reason = callerSignal?.aborted
        ? callerSignal.reason
        : stop.aborted && stop.reason instanceof PerpError
        ? stop.reason
        : e instanceof PerpError
        ? e
        : this.#error(NetworkError, undefined, e);
      this.#endConnection(conn, reason instanceof PerpError ? reason : this.#error(NetworkError));
      throw reason;
    } finally {
      deadlineDone.abort();
    }
  }

  #receive(conn: Connection, event: MessageEvent): void {
    if (conn.abort.signal.aborted) return;
    conn.lastMessageAt = this.#clock.now();
    const raw = typeof event.data === "string"
      ? event.data
      : new Uint8Array(event.data as ArrayBuffer);
    let data: unknown = undefined;
    let json = false;
    let decoded = false;
    if (typeof raw === "string") {
      const decode = this.#options.decode;
      if (decode !== undefined) {
        try {
          data = decode(raw);
          decoded = data !== undefined;
        } catch {
          // The decoder's own failure: the frame is parsed the general way below.
        }
      }
      if (!decoded) {
        try {
          data = JSON.parse(raw);
          json = true;
        } catch {
          // A non-JSON text frame (GRVT answers "ping" with plain text); `raw` has it.
        }
      }
    }
    const message: WsMessage = decoded ? { data, json, raw, decoded } : { data, json, raw };
    for (const handler of [...this.#handlers]) {
      try {
        handler(message);
      } catch (e) {
        log.error("A message handler on {url} threw: {error}", {
          venue: this.venue,
          url: this.#safeUrl,
          error: redact(e instanceof Error ? e.message : String(e)),
        });
      }
    }
    for (const q of [...this.#queues]) q.push(message);
  }

  #startHeartbeat(conn: Connection): void {
    const heartbeat = this.#options.heartbeat;
    if (!heartbeat) return;
    const loop = async () => {
      while (!conn.abort.signal.aborted) {
        await this.#clock.sleep(heartbeat.intervalMs, conn.abort.signal);
        const ping = heartbeat.message();
        const frame = typeof ping === "string" || ping instanceof Uint8Array ? ping : toJson(ping);
        if (conn.socket.readyState === OPEN) conn.socket.send(frame);
      }
    };
    loop().catch((e) => {
      if (conn.abort.signal.aborted) return;
      log.error("Heartbeat on {url} stopped: {error}", {
        venue: this.venue,
        url: this.#safeUrl,
        error: redact(e instanceof Error ? e.message : String(e)),
      });
    });
  }

  #startIdleWatch(conn: Connection): void {
    const idleMs = this.#options.idleTimeoutMs;
    if (idleMs === undefined) return;
    const loop = async () => {
      while (!conn.abort.signal.aborted) {
        const left = conn.lastMessageAt + idleMs - this.#clock.now();
        if (left <= 0) {
          this.#lost(conn, this.#error(TimeoutError, `nothing received for ${idleMs} ms`, idleMs));
          return;
        }
        await this.#clock.sleep(left, conn.abort.signal);
      }
    };
    loop().catch(() => {});
  }

  /** The connection died on its own: reconnect (or give up). */
  #lost(conn: Connection, error: PerpError): void {
    if (conn.abort.signal.aborted) return;
    const wasCurrent = this.#conn === conn;
    this.#endConnection(conn, error);
    // A loss during the open sequence fails that attempt instead (its `stop` signal fired).
    if (!wasCurrent || this.#state !== "connected") return;
    log.warn("Lost {url}: {error}", {
      venue: this.venue,
      url: this.#safeUrl,
      error: error.message,
    });
    this.#reconnect(error).catch(() => {});
  }

  #endConnection(conn: Connection, reason: PerpError): void {
    if (this.#conn === conn) this.#conn = undefined;
    if (!conn.abort.signal.aborted) conn.abort.abort(reason);
    // 4000: an application code; a dead server may never answer the closing handshake.
    closeSocket(conn.socket, this.#lifetime.signal.aborted ? 1000 : 4000, "connection ended");
  }

  async #reconnect(error: PerpError): Promise<void> {
    const policy = this.#options.reconnect;
    if (policy === false) return this.#giveUp(error);
    this.#state = "reconnecting";
    this.#emit({ state: "reconnecting", error });
    const backoff = createBackoff({ baseDelayMs: 500, maxDelayMs: 30_000, ...policy });
    const maxAttempts = policy?.maxAttempts ?? Infinity;
    let last = error;
    while (!this.#lifetime.signal.aborted) {
      if (backoff.attempt >= maxAttempts) return this.#giveUp(last);
      const delay = backoff.next();
      if (delay > 0) {
        try {
          await this.#clock.sleep(delay, this.#lifetime.signal);
        } catch {
          return;
        }
      }
      if (this.#lifetime.signal.aborted) return;
      try {
        await this.#open();
        this.#setState({ state: "connected" });
        log.info("Reconnected {url} after {attempts} attempt(s)", {
          venue: this.venue,
          url: this.#safeUrl,
          attempts: backoff.attempt,
        });
        return;
      } catch (e) {
        if (this.#lifetime.signal.aborted) return;
        last = e instanceof PerpError ? e : this.#error(NetworkError, undefined, e);
        if (!last.retryable) return this.#giveUp(last);
        log.info("Reconnect {attempt} to {url} failed: {error}", {
          venue: this.venue,
          url: this.#safeUrl,
          attempt: backoff.attempt,
          error: last.message,
        });
      }
    }
  }

  #giveUp(error: PerpError): void {
    this.#state = "disconnected";
    log.error("Gave up on {url}: {error}", {
      venue: this.venue,
      url: this.#safeUrl,
      error: error.message,
    });
    this.#emit({ state: "disconnected", error });
    for (const q of [...this.#queues]) q.end(error);
  }

  /** Resolves on the next `connected`, rejects on the next `disconnected`. */
  #nextOutcome(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        off();
        signal?.removeEventListener("abort", onAbort);
      };
      const off = this.onStateChange((e) => {
        if (e.state === "connected") {
          done();
          resolve();
        } else if (e.state === "disconnected") {
          done();
          reject(e.error ?? this.#error(NetworkError, "the transport was closed"));
        }
      });
      const onAbort = () => {
        done();
        reject(signal!.reason);
      };
      if (signal?.aborted) onAbort();
      else signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  #setState(event: WsStateEvent): void {
    if (this.#lifetime.signal.aborted) return;
    this.#state = event.state;
    this.#emit(event);
  }

  #emit(event: WsStateEvent): void {
    for (const handler of [...this.#stateHandlers]) {
      try {
        handler(event);
      } catch (e) {
        log.error("A state handler on {url} threw: {error}", {
          venue: this.venue,
          url: this.#safeUrl,
          error: redact(e instanceof Error ? e.message : String(e)),
        });
      }
    }
  }

  #trySend(message: unknown): void {
    try {
      this.send(message);
    } catch {
      // The socket is going away; the subscription is re-sent after the reconnect.
    }
  }

  #where(): PerpErrorOptions {
    return { venue: this.venue, endpoint: this.#safeUrl };
  }

  #error(
    Kind: typeof NetworkError | typeof TimeoutError,
    detail?: string,
    causeOrTimeout?: unknown,
  ): PerpError {
    if (Kind === TimeoutError) {
      const ms = causeOrTimeout as number;
      return new TimeoutError(ms, {
        ...this.#where(),
        message: `Timed out on ${this.venue} ${this.#safeUrl}: ${detail}`,
      });
    }
    const cause = causeOrTimeout === undefined ? undefined : causeOrTimeout;
    return new NetworkError({
      ...this.#where(),
      cause,
      message: detail === undefined
        ? undefined
        : `WebSocket on ${this.venue} ${this.#safeUrl}: ${detail}`,
    });
  }

  #config(what: string, value: string, cause?: unknown): ConfigurationError {
    return new ConfigurationError(
      `Cannot create the ${this.venue} WebSocket transport as ${what}: current value is ${value}`,
      { venue: this.venue, cause: cause === undefined ? undefined : cause },
    );
  }
}

/** Resolves once the socket opens; rejects if it closes first or `stop` aborts. */
function waitForOpen(
  socket: WebSocket,
  stop: AbortSignal,
  fail: (detail: string | undefined, cause?: unknown) => PerpError,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let errorText: string | undefined;
    const cleanup = () => {
      socket.removeEventListener("open", onOpen);
      socket.removeEventListener("error", onError);
      socket.removeEventListener("close", onClose);
      stop.removeEventListener("abort", onStop);
    };
    const onOpen = () => {
      cleanup();
      resolve();
    };
    const onError = (e: Event) => {
      errorText = (e as ErrorEvent).message || "connection failed";
    };
    const onClose = (e: CloseEvent) => {
      cleanup();
      reject(
        fail(
          errorText
            ? `connection failed: ${errorText}`
            : `closed during the handshake (code ${e.code})`,
          errorText ? new Error(errorText) : undefined,
        ),
      );
    };
    const onStop = () => {
      cleanup();
      reject(stop.reason);
    };
    if (stop.aborted) return onStop();
    socket.addEventListener("open", onOpen);
    socket.addEventListener("error", onError);
    socket.addEventListener("close", onClose);
    stop.addEventListener("abort", onStop, { once: true });
  });
}

function closeSocket(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState === CLOSED) return;
  try {
    socket.close(code, reason);
  } catch {
    // Already closing.
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function toJson(message: unknown): string {
  return JSON.stringify(message, (_k, v) => typeof v === "bigint" ? v.toString() : v);
}

/** A buffer between the socket and one `messages()` consumer. */
class MessageQueue {
  #items: WsMessage[] = [];
  #waiters: Array<
    { resolve: (r: IteratorResult<WsMessage>) => void; reject: (e: unknown) => void }
  > = [];
  #done = false;
  #error: unknown = undefined;
  #highWaterMark: number;
  #onEnd: () => void;
  #venue: VenueName;

  constructor(highWaterMark: number, onEnd: () => void, venue: VenueName) {
    this.#highWaterMark = highWaterMark;
    this.#onEnd = onEnd;
    this.#venue = venue;
  }

  push(message: WsMessage): void {
    if (this.#done) return;
    const waiter = this.#waiters.shift();
    if (waiter) return waiter.resolve({ done: false, value: message });
    if (this.#items.length >= this.#highWaterMark) {
      return this.end(
        new PerpError(
          `WebSocket consumer on ${this.#venue} fell ${this.#highWaterMark} messages behind; the iteration was ended so the caller can resync`,
          { venue: this.#venue },
        ),
      );
    }
    this.#items.push(message);
  }

  end(error?: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#error = error;
    // Ending means now: whoever ended it (close, abort, overflow, give-up) wants the loop out.
    this.#items.length = 0;
    this.#onEnd();
    for (const w of this.#waiters.splice(0)) {
      if (this.#error !== undefined) {
        w.reject(this.#error);
        this.#error = undefined;
      } else {
        w.resolve({ done: true, value: undefined });
      }
    }
  }

  next(): Promise<IteratorResult<WsMessage>> {
    const item = this.#items.shift();
    if (item) return Promise.resolve({ done: false, value: item });
    if (this.#done) {
      const error = this.#error;
      this.#error = undefined;
      return error === undefined
        ? Promise.resolve({ done: true, value: undefined })
        : Promise.reject(error);
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }
}
