/**
 * The HTTP transport every venue's REST client is built on, viem-style: one factory,
 * {@linkcode createHttpTransport}, configured once per venue (base URL, timeout, retry policy,
 * request signing, the venue's error table), then `request()` per call with a zod schema.
 *
 * What it guarantees:
 * - every attempt has a timeout (driven by the injected clock) and honours the caller's signal;
 * - only idempotent requests are retried on network failures, timeouts and 5xx, with capped
 *   exponential backoff and jitter. Order placement is never retried automatically: the venue
 *   may have acted, so the error goes to the caller, who looks the order up by client id;
 * - HTTP 429 (or a venue code mapped to {@linkcode RateLimitedError}) is retried for every
 *   method, since the venue refused without acting, after `Retry-After` when given;
 * - a venue error code is mapped through the venue's table, even inside an HTTP 200 envelope;
 * - the body is checked with the schema; a mismatch is a {@linkcode MalformedPayloadError}
 *   naming the venue, the endpoint and the field;
 * - URLs, headers and bodies that reach errors or logs are redacted.
 *
 * @example
 * ```ts
 * import { createHttpTransport } from "./http.ts";
 * import { decimalString } from "./parse.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * import { z } from "zod";
 *
 * const transport = createHttpTransport({
 *   venue: "grvt",
 *   baseUrl: "https://market-data.grvt.io",
 *   // A stand-in for the network; leave `fetch` out to use globalThis.fetch.
 *   fetch: () => Promise.resolve(Response.json({ result: { mark_price: "64400.1" } })),
 * });
 * const ticker = await transport.request({
 *   method: "POST",
 *   path: "/full/v1/ticker",
 *   body: { instrument: "BTC_USDT_Perp" },
 *   idempotent: true, // a read that happens to use POST
 *   schema: z.object({ result: z.object({ mark_price: decimalString }) }),
 * });
 * equal(ticker.result.mark_price.toString(), "64400.1");
 * ```
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { z } from "zod";
import type { Clock } from "../../base.ts";
import { backoffDelay, type Jitter } from "./backoff.ts";
import { systemClock } from "./clock.ts";
import type { Decimal } from "../../core/decimal.ts";
import {
  AuthenticationError,
  ConfigurationError,
  MalformedPayloadError,
  NetworkError,
  NotFoundError,
  PerpError,
  type PerpErrorOptions,
  RateLimitedError,
  TimeoutError,
  type VenueName,
  VenueUnavailableError,
} from "../../core/errors.ts";
import { parsePayload } from "./parse.ts";
import { redact } from "../../core/redact.ts";

const log = getLogger(["perp", "http"]);

/**
 * HTTP methods the transport sends.
 *
 * @example
 * ```ts
 * import type { HttpMethod } from "./http.ts";
 * const m: HttpMethod = "POST";
 * ```
 */
export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * One query-string value. `null` and `undefined` are left out; arrays repeat the key.
 *
 * @example
 * ```ts
 * import type { QueryValue } from "./http.ts";
 * const v: QueryValue = 42n;
 * ```
 */
export type QueryValue = string | number | boolean | bigint | Decimal | null | undefined;

/**
 * A query string as an object (keys kept in insertion order) or as `URLSearchParams`.
 *
 * @example
 * ```ts
 * import type { Query } from "./http.ts";
 * const q: Query = { market_id: 1, limit: 100, cursor: undefined };
 * ```
 */
export type Query = Record<string, QueryValue | readonly QueryValue[]> | URLSearchParams;

/**
 * The `fetch` signature the transport calls; `globalThis.fetch` fits, and so does a test fake.
 *
 * @example
 * ```ts
 * import type { FetchLike } from "./http.ts";
 * const fake: FetchLike = () => Promise.resolve(new Response("{}"));
 * ```
 */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * One request.
 *
 * @typeParam S The zod schema of the response body.
 *
 * @example
 * ```ts
 * import type { HttpRequest } from "./http.ts";
 * import { z } from "zod";
 * const req: HttpRequest<z.ZodObject<{ ok: z.ZodBoolean }>> = {
 *   method: "GET",
 *   path: "/api/v1/status",
 *   schema: z.object({ ok: z.boolean() }),
 * };
 * ```
 */
export interface HttpRequest<S extends z.ZodType = z.ZodType> {
  /** HTTP method. */
  method: HttpMethod;
  /** Path below the base URL (`/api/v1/orderBooks`). */
  path: string;
  /** Query parameters. @default {undefined} */
  query?: Query;
  /**
   * Request body. `string`, `URLSearchParams`, `FormData`, `Blob` and byte buffers are sent as
   * they are; anything else is sent as JSON (`bigint` as a decimal string, `Decimal` through
   * its `toJSON`). @default {undefined}
   */
  body?: unknown;
  /** Extra headers for this request; they override the transport's. @default {undefined} */
  headers?: HeadersInit;
  /** Schema of the response body (the parsed JSON, or `undefined` for an empty body). */
  schema: S;
  /** Name used in errors and logs. @default {the path without its query} */
  endpoint?: string;
  /**
   * Whether sending the request twice is harmless, which allows retries on network failures,
   * timeouts and 5xx. Never set it for order placement unless the venue deduplicates by
   * client order id. @default {true for GET and HEAD, false otherwise}
   */
  idempotent?: boolean;
  /** Timeout of each attempt, in milliseconds. @default {the transport's timeoutMs} */
  timeoutMs?: number;
  /** Aborts the request (and any retry wait); the abort reason is thrown as it is. @default {undefined} */
  signal?: AbortSignal;
}

/**
 * What {@linkcode HttpTransportOptions.authenticate} gets to sign: the final URL and the body
 * exactly as it will be sent.
 *
 * @example
 * ```ts
 * import type { AuthenticateContext } from "./http.ts";
 * const sign = (ctx: AuthenticateContext) => `${ctx.method}${ctx.url.pathname}${ctx.body ?? ""}`;
 * ```
 */
export interface AuthenticateContext {
  /** HTTP method. */
  method: HttpMethod;
  /** Full URL including the query string. */
  url: URL;
  /** The request's path as given (below the base URL, without query). */
  path: string;
  /** The serialized body, or `undefined` when there is none or it is binary / multipart. */
  body: string | undefined;
  /** The endpoint name. */
  endpoint: string;
}

/**
 * What {@linkcode HttpTransportOptions.mapError} sees of a response.
 *
 * @example
 * ```ts
 * import type { HttpErrorContext } from "./http.ts";
 * const isEnvelopeError = (ctx: HttpErrorContext) =>
 *   typeof ctx.body === "object" && ctx.body !== null && "code" in ctx.body && ctx.body.code !== 0;
 * ```
 */
export interface HttpErrorContext {
  /** Venue name. */
  venue: VenueName;
  /** Endpoint name. */
  endpoint: string;
  /** HTTP method. */
  method: HttpMethod;
  /** Request URL, secrets redacted. */
  url: string;
  /** HTTP status. */
  status: number;
  /** Response headers. */
  headers: Headers;
  /** Parsed JSON body, or `undefined` when the body is empty or not JSON. */
  body: unknown;
  /** Raw body text. */
  text: string;
  /** `Retry-After` in milliseconds, when the response carried a valid one. */
  retryAfterMs: number | undefined;
}

/**
 * Retry policy of an {@linkcode HttpTransport}.
 *
 * @example
 * ```ts
 * import type { HttpRetryOptions } from "./http.ts";
 * const retry: HttpRetryOptions = { attempts: 5, baseDelayMs: 100, maxDelayMs: 2_000 };
 * ```
 */
export interface HttpRetryOptions {
  /** Attempts in total, the first one included (1 = never retry). @default {3} */
  attempts?: number;
  /** Ceiling of the first backoff delay, in milliseconds. @default {200} */
  baseDelayMs?: number;
  /** Largest backoff delay, in milliseconds. @default {5_000} */
  maxDelayMs?: number;
  /** Backoff jitter. @default {"full"} */
  jitter?: Jitter;
  /** Random source of the jitter, in `[0, 1)`. @default {Math.random} */
  random?: () => number;
  /**
   * Longest `Retry-After` the transport waits out by itself; a longer one is thrown at once as
   * {@linkcode RateLimitedError} so the caller can decide. @default {30_000}
   */
  maxRetryAfterMs?: number;
}

/**
 * Options of {@linkcode createHttpTransport}.
 *
 * @example
 * ```ts
 * import type { HttpTransportOptions } from "./http.ts";
 * const options: HttpTransportOptions = {
 *   venue: "lighter",
 *   baseUrl: "https://mainnet.zklighter.elliot.ai",
 *   timeoutMs: 5_000,
 *   retry: { attempts: 4 },
 * };
 * ```
 */
export interface HttpTransportOptions {
  /** Venue name, used in errors and logs. */
  venue: VenueName;
  /** Base URL; request paths are appended to it (its own path is kept). */
  baseUrl: string | URL;
  /** Timeout of each attempt, in milliseconds. @default {10_000} */
  timeoutMs?: number;
  /** Retry policy, or `false` to never retry. @default {{ attempts: 3 }} */
  retry?: HttpRetryOptions | false;
  /** Clock for timeouts and backoff waits. @default {systemClock} */
  clock?: Clock;
  /** The `fetch` to call. @default {globalThis.fetch} */
  fetch?: FetchLike;
  /** Headers sent with every request. @default {{ accept: "application/json" }} */
  headers?: HeadersInit;
  /**
   * Signs one attempt (called again on each retry, so timestamps stay fresh) and returns
   * headers to add, e.g. an HMAC signature. @default {undefined}
   */
  authenticate?: (ctx: AuthenticateContext) => HeadersInit | Promise<HeadersInit>;
  /**
   * The venue's error table: returns the error for a response, or `undefined` to fall back to
   * the status mapping (2xx → parse the body; 401/403 → {@linkcode AuthenticationError};
   * 404 → {@linkcode NotFoundError}; 429 → {@linkcode RateLimitedError}; 5xx →
   * {@linkcode VenueUnavailableError}; other → {@linkcode PerpError} with the status as code).
   * It sees every response, 200 included, so envelope codes are caught. Pass
   * `ctx.retryAfterMs` on to a {@linkcode RateLimitedError} you return (the transport waits
   * for the header either way). @default {undefined}
   */
  mapError?: (ctx: HttpErrorContext) => PerpError | undefined;
}

/**
 * A configured HTTP transport.
 *
 * @example
 * ```ts
 * import type { HttpTransport } from "./http.ts";
 * import { z } from "zod";
 * const serverTime = (t: HttpTransport) =>
 *   t.request({ method: "GET", path: "/api/v1/public/meta/getServerTime", schema: z.unknown() });
 * ```
 */
export interface HttpTransport {
  /** Venue name. */
  readonly venue: VenueName;
  /** Base URL. */
  readonly baseUrl: string;
  /**
   * Sends a request, retrying as the policy allows, and returns the body parsed by the schema.
   *
   * @throws {PerpError} A subclass saying what went wrong (see {@linkcode createHttpTransport}).
   * @throws {TypeError} If a GET or HEAD request carries a body.
   */
  request<S extends z.ZodType>(request: HttpRequest<S>): Promise<z.output<S>>;
}

/**
 * Parses a `Retry-After` header: delay-seconds (`"2"`, `"0.5"`) or an HTTP date.
 *
 * @param value The header value.
 * @param nowMs Current time in ms since the epoch, for the date form.
 * @returns The wait in milliseconds (0 for a date in the past), or `undefined` if the value is
 * missing or not understood.
 *
 * @example
 * ```ts
 * import { parseRetryAfter } from "./http.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * equal(parseRetryAfter("2", 0), 2_000);
 * equal(parseRetryAfter("Thu, 01 Jan 1970 00:00:05 GMT", 1_000), 4_000);
 * equal(parseRetryAfter("soon", 0), undefined);
 * ```
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v) * 1_000);
  // An HTTP date always names a weekday or month; Date.parse alone accepts bare numbers.
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * Creates the HTTP transport of one venue.
 *
 * Errors thrown by `request()`:
 * - {@linkcode TimeoutError}: an attempt took longer than `timeoutMs`;
 * - {@linkcode NetworkError}: the request failed in transit (the venue may have acted);
 * - {@linkcode RateLimitedError}: throttled and out of attempts, or asked to wait more than
 *   `maxRetryAfterMs`; carries `retryAfterMs`;
 * - {@linkcode VenueUnavailableError}, {@linkcode AuthenticationError},
 *   {@linkcode NotFoundError}, {@linkcode PerpError}: from the status, or whatever `mapError`
 *   returned;
 * - {@linkcode MalformedPayloadError}: a 2xx body that is not JSON (`field` is `""`) or does
 *   not match the schema;
 * - the caller's abort reason, as it is, when `signal` aborts.
 *
 * @param options Venue, base URL, timeout, retry policy, clock, fetch, headers, signing hook
 * and error table.
 * @returns The transport.
 * @throws {ConfigurationError} If `baseUrl` is not a URL or `timeoutMs` / `retry.attempts` is
 * not positive.
 *
 * @example A venue error code inside an HTTP 200 envelope
 * ```ts
 * import { createHttpTransport } from "./http.ts";
 * import { InvalidSignatureError, PerpError, type PerpErrorOptions } from "../../core/errors.ts";
 * import { rejects } from "node:assert/strict";
 * import { z } from "zod";
 *
 * // Venue codes are data: a table from code to error class.
 * const errors: Record<number, (o: PerpErrorOptions) => PerpError> = {
 *   21120: (o) => new InvalidSignatureError(o),
 * };
 * const lighter = createHttpTransport({
 *   venue: "lighter",
 *   baseUrl: "https://mainnet.zklighter.elliot.ai",
 *   fetch: () => Promise.resolve(Response.json({ code: 21120, message: "invalid signature" })),
 *   mapError: ({ body, venue, endpoint }) => {
 *     const code = (body as { code?: number } | undefined)?.code;
 *     return code && code !== 200
 *       ? errors[code]?.({ venue, endpoint, code }) ?? new PerpError(`code ${code}`, { venue, endpoint, code })
 *       : undefined;
 *   },
 * });
 * await rejects(
 *   lighter.request({ method: "POST", path: "/api/v1/sendTx", body: new URLSearchParams(), schema: z.unknown() }),
 *   InvalidSignatureError,
 * );
 * ```
 */
export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const {
    venue,
    timeoutMs: defaultTimeoutMs = 10_000,
    clock = systemClock,
    authenticate,
    mapError,
  } = options;
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  let baseUrl: string;
  try {
    baseUrl = new URL(String(options.baseUrl)).href.replace(/\/+$/, "");
  } catch (cause) {
    throw new ConfigurationError(
      `Cannot create the ${venue} HTTP transport as 'baseUrl' must be an absolute URL: current value is ${
        String(options.baseUrl)
      }`,
      { venue, cause: cause },
    );
  }
  checkPositive(venue, "timeoutMs", defaultTimeoutMs);
  const r: HttpRetryOptions = options.retry === false ? { attempts: 1 } : options.retry ?? {};
  const retry: Required<HttpRetryOptions> = {
    attempts: r.attempts ?? 3,
    baseDelayMs: r.baseDelayMs ?? 200,
    maxDelayMs: r.maxDelayMs ?? 5_000,
    jitter: r.jitter ?? "full",
    random: r.random ?? Math.random,
    maxRetryAfterMs: r.maxRetryAfterMs ?? 30_000,
  };
  // Fail on a bad backoff option now rather than on the first retry.
  backoffDelay(0, { ...retry, random: () => 0 });
  if (!Number.isInteger(retry.attempts) || retry.attempts < 1) {
    throw new ConfigurationError(
      `Cannot create the ${venue} HTTP transport as 'retry.attempts' must be a positive integer: current value is ${retry.attempts}`,
      { venue },
    );
  }
  const baseHeaders = new Headers({ accept: "application/json" });
  new Headers(options.headers).forEach((v, k) => baseHeaders.set(k, v));

  async function attemptOnce<S extends z.ZodType>(
    req: HttpRequest<S>,
    method: HttpMethod,
    endpoint: string,
    url: URL,
    encoded: EncodedBody,
  ): Promise<z.output<S>> {
    const timeoutMs = req.timeoutMs ?? defaultTimeoutMs;
    checkPositive(venue, "timeoutMs", timeoutMs);
    const safeUrl = redact(url.href);
    const where: PerpErrorOptions = { venue, endpoint };

    const headers = new Headers(baseHeaders);
    if (encoded.contentType) headers.set("content-type", encoded.contentType);
    new Headers(req.headers).forEach((v, k) => headers.set(k, v));
    if (authenticate) {
      let auth: HeadersInit;
      try {
        auth = await authenticate({ method, url, path: req.path, body: encoded.text, endpoint });
      } catch (e) {
        if (e instanceof PerpError) throw e;
        throw new PerpError(
          `Cannot sign the request to ${venue} ${endpoint}: ${
            e instanceof Error ? e.message : String(e)
          }`,
          { ...where, cause: e },
        );
      }
      new Headers(auth).forEach((v, k) => headers.set(k, v));
    }

    // The timeout runs on the injected clock so tests can fire it without waiting.
    const timer = new AbortController();
    const done = new AbortController();
    let timedOut = false;
    clock.sleep(timeoutMs, done.signal).then(() => {
      timedOut = true;
      timer.abort(new DOMException(`No answer within ${timeoutMs} ms`, "TimeoutError"));
    }, () => {});
    const signal = req.signal ? AbortSignal.any([req.signal, timer.signal]) : timer.signal;
    const started = clock.now();
    try {
      let response: Response;
      let text: string;
      try {
        response = await untilAborted(
          fetchFn(url.href, { method, headers, body: encoded.init, signal }),
          signal,
        );
        text = await untilAborted(response.text(), signal);
      } catch (e) {
        if (req.signal?.aborted) throw req.signal.reason;
        const details = { method, url: safeUrl };
        if (timedOut) throw new TimeoutError(timeoutMs, { ...where, details });
        throw new NetworkError({ ...where, details, cause: e });
      }
      log.debug("{method} {path} {status} in {durationMs} ms", {
        venue,
        method,
        path: redact(url.pathname + url.search),
        status: response.status,
        durationMs: clock.now() - started,
      });
      return handleResponse(req, method, endpoint, safeUrl, response, text);
    } finally {
      done.abort();
    }
  }

  function handleResponse<S extends z.ZodType>(
    req: HttpRequest<S>,
    method: HttpMethod,
    endpoint: string,
    safeUrl: string,
    response: Response,
    text: string,
  ): z.output<S> {
    let body: unknown = undefined;
    let isJson = false;
    if (text.trim() !== "") {
      try {
        body = JSON.parse(text);
        isJson = true;
      } catch {
        // Not JSON: an HTML error page from a proxy, or a broken body; decided below.
      }
    }
    const ctx: HttpErrorContext = {
      venue,
      endpoint,
      method,
      url: safeUrl,
      status: response.status,
      headers: response.headers,
      body,
      text,
      retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), clock.now()),
    };
    const mapped = mapError?.(ctx);
    if (mapped) {
      if (mapped instanceof RateLimitedError && mapped.retryAfterMs === undefined) {
        retryAfterHint.set(mapped, ctx.retryAfterMs);
      }
      throw mapped;
    }
    if (!response.ok) throw statusError(ctx);
    if (text.trim() !== "" && !isJson) {
      throw new MalformedPayloadError("", {
        venue,
        endpoint,
        details: `body is not JSON: ${excerpt(text, 120)}`,
      });
    }
    return parsePayload(req.schema, body, { venue, endpoint });
  }

  /** The wait before the next attempt, or `undefined` when this error must not be retried. */
  function retryDelay(error: PerpError, attempt: number, idempotent: boolean): number | undefined {
    if (error instanceof RateLimitedError) {
      // A 429 means the venue refused without acting: safe to repeat for any method.
      const wait = error.retryAfterMs ?? retryAfterHint.get(error);
      if (wait === undefined) return backoffDelay(attempt, retry);
      return wait <= retry.maxRetryAfterMs ? wait : undefined;
    }
    if (idempotent && error.retryable) return backoffDelay(attempt, retry);
    return undefined;
  }

  return {
    venue,
    baseUrl,
    async request<S extends z.ZodType>(req: HttpRequest<S>): Promise<z.output<S>> {
      const method = req.method.toUpperCase() as HttpMethod;
      const endpoint = req.endpoint ?? req.path.split("?")[0];
      const idempotent = req.idempotent ?? (method === "GET" || method === "HEAD");
      const url = buildUrl(baseUrl, req.path, req.query);
      if ((method === "GET" || method === "HEAD") && req.body !== undefined) {
        throw new TypeError(`Cannot send a body with ${method} ${endpoint}`);
      }
      const encoded = encodeBody(req.body);
      for (let attempt = 0;; attempt++) {
        req.signal?.throwIfAborted();
        let error: PerpError;
        try {
          return await attemptOnce(req, method, endpoint, url, encoded);
        } catch (e) {
          if (!(e instanceof PerpError)) throw e;
          error = e;
        }
        const wait = attempt + 1 < retry.attempts
          ? retryDelay(error, attempt, idempotent)
          : undefined;
        if (wait === undefined) {
          log.debug("{method} {path} failed: {error}", {
            venue,
            method,
            path: redact(url.pathname + url.search),
            error: error.message,
          });
          throw error;
        }
        log.info("Retrying {method} {path} in {delayMs} ms after: {error}", {
          venue,
          method,
          path: redact(url.pathname + url.search),
          delayMs: wait,
          attempt: attempt + 1,
          error: error.message,
        });
        if (wait > 0) await clock.sleep(wait, req.signal);
      }
    },
  };
}

/** `Retry-After` of responses whose mapped RateLimitedError did not carry it itself. */
const retryAfterHint = new WeakMap<PerpError, number | undefined>();

function checkPositive(venue: VenueName, name: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new ConfigurationError(
      `Cannot use the ${venue} HTTP transport as '${name}' must be a positive number of ms: current value is ${value}`,
      { venue },
    );
  }
}

function statusError(ctx: HttpErrorContext): PerpError {
  const options: PerpErrorOptions = {
    venue: ctx.venue,
    endpoint: ctx.endpoint,
    code: ctx.status,
    details: { method: ctx.method, url: ctx.url, status: ctx.status, body: excerpt(ctx.text, 500) },
  };
  const { status } = ctx;
  if (status === 401 || status === 403) return new AuthenticationError(options);
  if (status === 404) return new NotFoundError(options);
  if (status === 429) return new RateLimitedError(ctx.retryAfterMs, options);
  if (status >= 500) return new VenueUnavailableError(options);
  const said = excerpt(ctx.text, 200);
  return new PerpError(
    `Request failed on ${ctx.venue} ${ctx.endpoint} (code ${status}): ${
      said || `HTTP ${status} with an empty body`
    }`,
    options,
  );
}

function excerpt(text: string, max: number): string {
  const t = text.trim().replace(/\s+/g, " ");
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

/** Settles with the promise, or rejects as soon as the signal aborts (for fetches that ignore it). */
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

function buildUrl(base: string, path: string, query: Query | undefined): URL {
  const url = new URL(`${base}/${path.replace(/^\/+/, "")}`);
  if (query instanceof URLSearchParams) {
    query.forEach((v, k) => url.searchParams.append(k, v));
  } else if (query) {
    for (const [key, raw] of Object.entries(query)) {
      const values = Array.isArray(raw) ? raw : [raw];
      for (const v of values) {
        if (v !== null && v !== undefined) url.searchParams.append(key, String(v));
      }
    }
  }
  return url;
}

interface EncodedBody {
  init: BodyInit | undefined;
  text: string | undefined;
  contentType: string | undefined;
}

function encodeBody(body: unknown): EncodedBody {
  if (body === undefined) return { init: undefined, text: undefined, contentType: undefined };
  if (typeof body === "string") return { init: body, text: body, contentType: undefined };
  if (body instanceof URLSearchParams) {
    const text = body.toString();
    return { init: text, text, contentType: "application/x-www-form-urlencoded;charset=UTF-8" };
  }
  if (
    body instanceof FormData || body instanceof Blob || body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body)
  ) {
    return { init: body as BodyInit, text: undefined, contentType: undefined };
  }
  const text = JSON.stringify(body, (_k, v) => typeof v === "bigint" ? v.toString() : v);
  return { init: text, text, contentType: "application/json" };
}
