/**
 * Lighter plumbing: the REST transport (envelope errors mapped by the venue's table, the auth
 * token on private reads, `sendTx` as form fields) and the one WebSocket the client uses, with
 * its heartbeat and idle timeout. No trading logic lives here.
 *
 * @module
 */
import type { z } from "zod";
import type { Clock } from "../../base.ts";
import { createHttpTransport, type HttpTransport, type Query } from "../_shared/http.ts";
import { createWsTransport, type WsOpenContext, type WsTransport } from "../_shared/ws.ts";
import { decodeLighterBookFrame } from "./book_frame.ts";
import type { SignedTx } from "./signer/transactions.ts";
import { mapLighterError } from "./errors.ts";
import { sendTxSchema } from "./schemas.ts";

/**
 * Keepalive of the stream. The venue closes sockets after ~2 min without client traffic and
 * answers `{"type":"ping"}` with `{"type":"pong"}` (lighter.md §4.5); 15 s keeps well inside
 * both that and the 200 client messages per minute of §4.6.
 */
export const LIGHTER_PING_INTERVAL_MS = 15_000;

/**
 * Silence after which the socket is taken for dead, dropped and reconnected: on a healthy socket
 * the venue answers every ping (and sends its own pings, which are answered), so three ping
 * intervals without a single frame mean the connection is half-open.
 */
export const LIGHTER_IDLE_TIMEOUT_MS = 3 * LIGHTER_PING_INTERVAL_MS;

/**
 * Longest silence of an `order_book` channel before its book reads as stale. The venue sends a
 * book frame on every change of the book (lighter.md §4.3) and no keepalive per channel, so a
 * quiet book turns stale too; `getBestBidAsk` / `getOrderBook` then read the REST book.
 */
export const LIGHTER_BOOK_MAX_SILENCE_MS = 5_000;

/** Options of {@linkcode LighterRest}. */
export interface LighterRestOptions {
  /** REST base URL. */
  baseUrl: string;
  /** Clock for timeouts and retries. */
  clock: Clock;
  /** `fetch` to use. */
  fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** Timeout per attempt, in ms. */
  timeoutMs?: number;
  /** The auth token for private reads. */
  authToken: () => string;
}

/** Lighter's REST API: typed reads and `sendTx`. */
export class LighterRest {
  readonly #http: HttpTransport;
  readonly #authToken: () => string;

  /**
   * Builds the transport.
   *
   * @param options Base URL, clock, `fetch`, timeout and auth token source.
   */
  constructor(options: LighterRestOptions) {
    this.#authToken = options.authToken;
    this.#http = createHttpTransport({
      venue: "lighter",
      baseUrl: options.baseUrl,
      clock: options.clock,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      mapError: mapLighterError,
    });
  }

  /**
   * A GET through the schema; `auth` adds the token (private reads).
   *
   * @param path Path below the base URL.
   * @param query Query parameters.
   * @param schema Schema of the answer.
   * @param auth Whether the read is private.
   * @returns The parsed answer.
   */
  get<S extends z.ZodType>(
    path: string,
    query: Query,
    schema: S,
    auth = false,
  ): Promise<z.output<S>> {
    return this.#http.request({
      method: "GET",
      path,
      query,
      schema,
      ...(auth ? { headers: { authorization: this.#authToken() } } : {}),
    });
  }

  /**
   * Sends one signed transaction (form fields, never retried by the transport).
   *
   * @param tx The signed transaction.
   * @returns The venue's transaction hash.
   */
  async sendTx(tx: SignedTx): Promise<string> {
    const form = new FormData();
    form.set("tx_type", String(tx.txType));
    form.set("tx_info", tx.txInfo);
    form.set("price_protection", "true");
    const r = await this.#http.request({
      method: "POST",
      path: "/api/v1/sendTx",
      body: form,
      schema: sendTxSchema,
      idempotent: false,
    });
    return r.tx_hash;
  }
}

/** Options of {@linkcode createLighterSocket}. */
export interface LighterSocketOptions {
  /** `wss://…/stream`. */
  url: string;
  /** Clock for heartbeat, idle timeout and backoff. */
  clock: Clock;
  /** WebSocket constructor. */
  WebSocket?: new (url: string, protocols?: string | string[]) => WebSocket;
  /** Heartbeat interval, in ms. @default {LIGHTER_PING_INTERVAL_MS} */
  pingIntervalMs?: number;
  /** Silence before the socket is dropped and reconnected, in ms. @default {LIGHTER_IDLE_TIMEOUT_MS} */
  idleTimeoutMs?: number;
  /** First reconnect delay, in ms. @default {500} */
  reconnectDelayMs?: number;
  /** Runs on every open before the subscriptions are re-sent. */
  onOpen?: (t: WsTransport, ctx: WsOpenContext) => void | Promise<void>;
}

/**
 * The client's WebSocket: `{"type":"ping"}` heartbeat and an idle timeout, so a socket that stays
 * open but stops sending is dropped, reported (`reconnecting`) and reconnected with every
 * subscription re-sent.
 *
 * @param options URL, clock and timings.
 * @returns The transport (not yet connected).
 */
export function createLighterSocket(options: LighterSocketOptions): WsTransport {
  const pingIntervalMs = options.pingIntervalMs ?? LIGHTER_PING_INTERVAL_MS;
  return createWsTransport({
    venue: "lighter",
    url: options.url,
    clock: options.clock,
    WebSocket: options.WebSocket,
    heartbeat: { intervalMs: pingIntervalMs, message: () => ({ type: "ping" }) },
    // Book frames, the hot channel, skip the generic JSON tree (book_frame.ts); anything the
    // decoder does not recognise exactly is parsed and schema-checked as usual.
    decode: decodeLighterBookFrame,
    // The venue answers each ping: without a custom value, three pings unanswered is silence.
    idleTimeoutMs: options.idleTimeoutMs ??
      (options.pingIntervalMs === undefined ? LIGHTER_IDLE_TIMEOUT_MS : 3 * pingIntervalMs),
    reconnect: { baseDelayMs: options.reconnectDelayMs ?? 500 },
    onOpen: options.onOpen,
  });
}
