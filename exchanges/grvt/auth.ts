/**
 * GRVT API-key sessions (grvt.md §3.1): `POST {edge}/auth/api_key/login` with the API key
 * returns a `gravity` cookie with an `Expires` date and an `X-Grvt-Account-Id` header; both go
 * on every private REST call and on the trading WebSocket handshake.
 *
 * The session logs in once for any number of concurrent callers, logs in again shortly before
 * the cookie expires (a background refresh while started, and on demand), and after a 401 /
 * code 1000, so in-flight work only waits for the new cookie.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { Clock } from "../../base.ts";
import { systemClock } from "../_shared/clock.ts";
import { AuthenticationError, type PerpError } from "../../core/errors.ts";
import { createHttpTransport, type FetchLike, type HttpTransport } from "../_shared/http.ts";
import { registerSecret } from "../../core/redact.ts";
import { GRVT_ACCOUNT_ID_HEADER, GRVT_COOKIE_NAME } from "./common.ts";
import { grvtError } from "./errors.ts";
import { errorResponseSchema, loginResponseSchema } from "./schemas.ts";

const log = getLogger(["perp", "grvt"]);

/** Lifetime assumed when the cookie carries no `Expires` / `Max-Age` (one day, grvt.md §3.1). */
const DEFAULT_LIFETIME_MS = 86_400_000;

/**
 * A parsed `Set-Cookie` of the session.
 *
 * @example
 * ```ts
 * import type { GrvtCookie } from "./auth.ts";
 * const c: GrvtCookie = { value: "abc", expiresAt: 1_767_225_600_000 };
 * ```
 */
export interface GrvtCookie {
  /** The `gravity` cookie value. */
  value: string;
  /** When it expires, ms since epoch. */
  expiresAt: number;
}

/**
 * Finds the `gravity` cookie in `Set-Cookie` header values and reads its expiry.
 *
 * @param setCookies The `Set-Cookie` values (`Headers.getSetCookie()`).
 * @param now Current time in ms, for `Max-Age` and the fallback lifetime.
 * @returns The cookie, or `undefined` when there is none.
 *
 * @example
 * ```ts
 * import { parseGrvtCookie } from "./auth.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * deepEqual(
 *   parseGrvtCookie(["gravity=abc; Path=/; Expires=Thu, 01 Jan 2026 00:00:00 GMT; HttpOnly"], 0),
 *   { value: "abc", expiresAt: Date.UTC(2026, 0, 1) },
 * );
 * ```
 */
export function parseGrvtCookie(
  setCookies: readonly string[],
  now: number,
): GrvtCookie | undefined {
  for (const header of setCookies) {
    const [pair, ...attrs] = header.split(";").map((s) => s.trim());
    const eq = pair.indexOf("=");
    if (eq < 0 || pair.slice(0, eq).trim() !== GRVT_COOKIE_NAME) continue;
    const value = pair.slice(eq + 1).trim();
    if (value === "") continue;
    let expiresAt = now + DEFAULT_LIFETIME_MS;
    for (const attr of attrs) {
      const i = attr.indexOf("=");
      const name = (i < 0 ? attr : attr.slice(0, i)).trim().toLowerCase();
      const v = i < 0 ? "" : attr.slice(i + 1).trim();
      if (name === "max-age" && /^-?\d+$/.test(v)) {
        expiresAt = now + Number(v) * 1000;
        break; // Max-Age wins over Expires (RFC 6265 §5.3).
      }
      if (name === "expires") {
        const t = Date.parse(v);
        if (!Number.isNaN(t)) expiresAt = t;
      }
    }
    return { value, expiresAt };
  }
  return undefined;
}

/**
 * Options of {@linkcode GrvtSession}.
 *
 * @example
 * ```ts
 * import type { GrvtSessionOptions } from "./auth.ts";
 * const o: GrvtSessionOptions = { edgeUrl: "https://edge.testnet.grvt.io", apiKey: "key" };
 * ```
 */
export interface GrvtSessionOptions {
  /** The edge (login) host. */
  edgeUrl: string;
  /** The API key. */
  apiKey: string;
  /** Clock for expiry and the refresh timer. @default {systemClock} */
  clock?: Clock;
  /** `fetch` to use. @default {globalThis.fetch} */
  fetch?: FetchLike;
  /** Login timeout in ms. @default {10_000} */
  timeoutMs?: number;
  /** Log in again this long before the cookie expires. @default {60_000} */
  refreshBeforeMs?: number;
}

/**
 * The credentials of one logged-in session.
 *
 * @example
 * ```ts
 * import type { GrvtSessionState } from "./auth.ts";
 * const headers = (s: GrvtSessionState) => ({ cookie: `gravity=${s.cookie}` });
 * ```
 */
export interface GrvtSessionState {
  /** The `gravity` cookie value. */
  cookie: string;
  /** The `X-Grvt-Account-Id` value. */
  accountId: string;
  /** Expiry of the cookie, ms since epoch. */
  expiresAt: number;
}

/**
 * An API-key session that keeps itself logged in.
 *
 * @example Headers for a private call
 * ```ts
 * import { GrvtSession } from "./auth.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const session = new GrvtSession({
 *   edgeUrl: "https://edge.grvt.io",
 *   apiKey: "my-key",
 *   // A stand-in for the network.
 *   fetch: () =>
 *     Promise.resolve(Response.json({ status: "success" }, {
 *       headers: {
 *         "set-cookie": "gravity=c00k1e; Path=/; Expires=Fri, 01 Jan 2100 00:00:00 GMT",
 *         "x-grvt-account-id": "2147050003876484",
 *       },
 *     })),
 * });
 * const headers = await session.headers();
 * equal(headers["X-Grvt-Account-Id"], "2147050003876484");
 * ```
 */
export class GrvtSession {
  readonly #apiKey: string;
  readonly #clock: Clock;
  readonly #refreshBeforeMs: number;
  readonly #transport: HttpTransport;
  #lastHeaders: Headers | undefined;
  #state: GrvtSessionState | undefined;
  #pending: Promise<GrvtSessionState> | undefined;
  #listeners = new Set<(state: GrvtSessionState) => void>();
  #timer: AbortController | undefined;

  /**
   * Creates a session; nothing is sent until the first use.
   *
   * @param options Edge host, API key, clock, fetch, timeout and refresh margin.
   */
  constructor(options: GrvtSessionOptions) {
    this.#apiKey = options.apiKey;
    registerSecret(options.apiKey);
    this.#clock = options.clock ?? systemClock;
    this.#refreshBeforeMs = options.refreshBeforeMs ?? 60_000;
    const baseFetch: FetchLike = options.fetch ?? ((i, init) => globalThis.fetch(i, init));
    this.#transport = createHttpTransport({
      venue: "grvt",
      baseUrl: options.edgeUrl,
      clock: this.#clock,
      timeoutMs: options.timeoutMs,
      fetch: async (input, init) => {
        const response = await baseFetch(input, init);
        this.#lastHeaders = response.headers;
        return response;
      },
      mapError: (ctx) => {
        if (ctx.status < 400) return undefined;
        const parsed = errorResponseSchema.safeParse(ctx.body);
        return parsed.success
          ? grvtError(parsed.data.code, parsed.data.message, {
            endpoint: ctx.endpoint,
            status: ctx.status,
            retryAfterMs: ctx.retryAfterMs,
          })
          : undefined;
      },
    });
  }

  /** The current session, if logged in (possibly expired). */
  get state(): GrvtSessionState | undefined {
    return this.#state;
  }

  /**
   * A live session: logs in when there is none or it expires within the refresh margin.
   * Concurrent callers share one login.
   *
   * @param options `signal` aborts the wait (not the shared login).
   * @returns The session.
   * @throws {AuthenticationError} If the venue refuses the key or answers without a cookie.
   */
  async ensure(options: { signal?: AbortSignal } = {}): Promise<GrvtSessionState> {
    const s = this.#state;
    if (s && s.expiresAt - this.#refreshBeforeMs > this.#clock.now()) return s;
    const login = this.login();
    if (!options.signal) return await login;
    return await Promise.race([
      login,
      new Promise<never>((_, reject) => {
        options.signal!.throwIfAborted();
        options.signal!.addEventListener("abort", () => reject(options.signal!.reason), {
          once: true,
        });
      }),
    ]);
  }

  /**
   * The private-call headers of a live session.
   *
   * @returns `Cookie` and `X-Grvt-Account-Id`.
   * @throws {AuthenticationError} See {@linkcode GrvtSession.ensure}.
   */
  async headers(): Promise<Record<string, string>> {
    return sessionHeaders(await this.ensure());
  }

  /**
   * Logs in now, unless a login is already under way (then shares it).
   *
   * @returns The new session.
   * @throws {AuthenticationError} If the venue refuses the key or answers without a cookie.
   */
  login(): Promise<GrvtSessionState> {
    this.#pending ??= this.#login().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /**
   * Forgets the session if it is still the one a refused call used (after a 401 / 1000), so
   * the next {@linkcode GrvtSession.ensure} logs in again; a newer session is kept.
   *
   * @param cookie The cookie the refused call sent.
   */
  invalidate(cookie: string): void {
    if (this.#state?.cookie === cookie) this.#state = undefined;
  }

  /**
   * Calls `listener` after every login (e.g. to update WebSocket handshake headers).
   *
   * @param listener The listener.
   * @returns A function that removes it.
   */
  onChange(listener: (state: GrvtSessionState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts the background refresh: logs in again `refreshBeforeMs` before each expiry. */
  startRefresh(): void {
    if (this.#timer) return;
    const stop = new AbortController();
    this.#timer = stop;
    const loop = async () => {
      while (!stop.signal.aborted) {
        const s = this.#state;
        const wait = s ? s.expiresAt - this.#refreshBeforeMs - this.#clock.now() : 0;
        if (wait > 0) await this.#clock.sleep(wait, stop.signal);
        if (stop.signal.aborted) return;
        try {
          await this.login();
        } catch (e) {
          log.warn("GRVT session refresh failed: {error}", {
            error: (e as Error).message,
          });
          await this.#clock.sleep(5_000, stop.signal);
        }
      }
    };
    loop().catch(() => {});
  }

  /** Stops the background refresh. */
  stopRefresh(): void {
    this.#timer?.abort();
    this.#timer = undefined;
  }

  async #login(): Promise<GrvtSessionState> {
    const body = await this.#transport.request({
      method: "POST",
      path: "/auth/api_key/login",
      endpoint: "auth/api_key/login",
      body: { api_key: this.#apiKey },
      idempotent: true,
      schema: loginResponseSchema,
    });
    const headers = this.#lastHeaders ?? new Headers();
    const refused = (why: string): PerpError =>
      new AuthenticationError({
        venue: "grvt",
        endpoint: "auth/api_key/login",
        message: `GRVT login failed: ${why}`,
      });
    if (body.status !== "success") throw refused(`status is '${body.status}'`);
    const cookie = parseGrvtCookie(headers.getSetCookie(), this.#clock.now());
    if (!cookie) throw refused(`no '${GRVT_COOKIE_NAME}' cookie in the answer`);
    const accountId = headers.get(GRVT_ACCOUNT_ID_HEADER);
    if (!accountId) throw refused(`no '${GRVT_ACCOUNT_ID_HEADER}' header in the answer`);
    registerSecret(cookie.value);
    const state: GrvtSessionState = {
      cookie: cookie.value,
      accountId,
      expiresAt: cookie.expiresAt,
    };
    this.#state = state;
    log.debug("Logged in to GRVT; session expires at {expiresAt}", {
      expiresAt: new Date(state.expiresAt).toISOString(),
    });
    for (const l of this.#listeners) l(state);
    return state;
  }
}

/**
 * The headers a private call carries: only `gravity=<value>`, never the whole `Set-Cookie`
 * (grvt.md §3.1).
 *
 * @param state The session.
 * @returns `Cookie` and `X-Grvt-Account-Id`.
 *
 * @example
 * ```ts
 * import { sessionHeaders } from "./auth.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(sessionHeaders({ cookie: "abc", accountId: "1", expiresAt: 0 }).Cookie, "gravity=abc");
 * ```
 */
export function sessionHeaders(state: GrvtSessionState): Record<string, string> {
  return {
    Cookie: `${GRVT_COOKIE_NAME}=${state.cookie}`,
    [GRVT_ACCOUNT_ID_HEADER]: state.accountId,
  };
}
