/**
 * Server-side check of EdgeX V2 request authentication (edgex.md §2), written from the venue
 * notes with `node:crypto` only:
 *
 * ```
 * message   = timestamp + METHOD + requestUri + body
 * hmacKey   = ASCII bytes of base64_std(utf8(apiSecret))      (the secret is base64-ENCODED)
 * signature = hex_lower(HMAC_SHA256(hmacKey, utf8(message)))
 * ```
 *
 * `requestUri` is the URL path only. `body` is, for GET (and the private WebSocket handshake),
 * the decoded query parameters sorted by key, `k=v` joined by `&`, empty values skipped; for a
 * POST, `getValue(JSON body)`: `null` → `""`, strings as-is, booleans `true`/`false`, numbers
 * as text, arrays → item values joined by `&`, objects → keys sorted, `key=value` joined by `&`.
 * Headers: `X-edgeX-Api-Key`, `X-edgeX-Passphrase`, `X-edgeX-Timestamp` (ms),
 * `X-edgeX-Signature` (names case-insensitive); for a WebSocket upgrade they may instead come as
 * one `Sec-WebSocket-Protocol` token, base64 of the JSON header map with `=` stripped (§2.4).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";

/** Header names the gateway reads (edgex.md §2.2). */
const API_KEY = "X-edgeX-Api-Key";
const PASSPHRASE = "X-edgeX-Passphrase";
const TIMESTAMP = "X-edgeX-Timestamp";
const SIGNATURE = "X-edgeX-Signature";
/** Names older gitbook revisions copied from V1; refused unless the replica is told otherwise. */
const LEGACY_TIMESTAMP = "X-edgeX-Api-Timestamp";
const LEGACY_SIGNATURE = "X-edgeX-Api-Signature";

/**
 * Why {@linkcode verifyEdgeXSignedRequest} refused a request.
 *
 * @example
 * ```ts
 * import type { EdgeXAuthRefusal } from "./auth.ts";
 * const r: EdgeXAuthRefusal = "stale_timestamp";
 * ```
 */
export type EdgeXAuthRefusal =
  | "missing_headers"
  | "legacy_header_names"
  | "unknown_api_key"
  | "wrong_passphrase"
  | "bad_timestamp"
  | "stale_timestamp"
  | "malformed_request"
  | "bad_signature";

/**
 * Outcome of {@linkcode verifyEdgeXSignedRequest}. Messages never contain secrets.
 *
 * @example
 * ```ts
 * import type { EdgeXAuthVerdict } from "./auth.ts";
 * const status = (v: EdgeXAuthVerdict) => v.ok ? 200 : 401;
 * ```
 */
export type EdgeXAuthVerdict =
  | {
    /** Accepted. */
    readonly ok: true;
    /** The API key that signed. */
    readonly apiKey: string;
    /** The signed timestamp, ms. */
    readonly timestamp: number;
  }
  | {
    /** Refused. */
    readonly ok: false;
    /** Why. */
    readonly reason: EdgeXAuthRefusal;
    /** A sentence for the error envelope. */
    readonly message: string;
  };

/**
 * The secrets the replica holds for one API key.
 *
 * @example
 * ```ts
 * import type { EdgeXApiKeyRecord } from "./auth.ts";
 * const k: EdgeXApiKeyRecord = { apiKey: "k", secret: "s", passphrase: "p" };
 * ```
 */
export interface EdgeXApiKeyRecord {
  /** API key. */
  readonly apiKey: string;
  /** API secret (text; base64-encoded to form the HMAC key). */
  readonly secret: string;
  /** Passphrase, sent in clear. */
  readonly passphrase: string;
}

/**
 * A received request and what the server knows.
 *
 * @example
 * ```ts
 * import type { EdgeXSignedRequest } from "./auth.ts";
 * const r: EdgeXSignedRequest = { method: "GET", url: "/api/v2/private/x?accountId=1", headers: {} };
 * ```
 */
export interface EdgeXSignedRequest {
  /** HTTP method. */
  readonly method: string;
  /** Full URL, or path with query. */
  readonly url: string | URL;
  /** Body text as received. @default {undefined} */
  readonly body?: string;
  /** Request headers. */
  readonly headers: HeadersInit;
}

/**
 * Options of {@linkcode verifyEdgeXSignedRequest}.
 *
 * @example
 * ```ts
 * import type { EdgeXAuthCheckOptions } from "./auth.ts";
 * const o: EdgeXAuthCheckOptions = { lookup: () => undefined, nowMs: 0 };
 * ```
 */
export interface EdgeXAuthCheckOptions {
  /** The key record for an API key, `undefined` when unknown. */
  readonly lookup: (apiKey: string) => EdgeXApiKeyRecord | undefined;
  /** Server time, ms. */
  readonly nowMs: number;
  /** Largest accepted |now − timestamp| (docs: ±60 s). @default {60_000} */
  readonly toleranceMs?: number;
  /** Also accept `X-edgeX-Api-Timestamp` / `X-edgeX-Api-Signature`. @default {false} */
  readonly acceptLegacyHeaderNames?: boolean;
}

/**
 * The HMAC of a signed message, as the gateway computes it (edgex.md §2.3).
 *
 * @param secret The API secret text.
 * @param message `timestamp + METHOD + path + body`.
 * @returns 64 lower-case hex digits.
 *
 * @example The Go SDK WebSocket test inputs (test_vectors.json `hmac[0]`)
 * ```ts
 * import { edgeXHmac } from "./auth.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(
 *   edgeXHmac("secret", "1700000000123GET/api/v1/private/wsaccountId=12345&timestamp=1700000000123"),
 *   "bd4bc2c51e659752fd4d4888e85d322e135b597d1e40a42b86ad9c4168560c9b",
 * );
 * ```
 */
export function edgeXHmac(secret: string, message: string): string {
  const key = Buffer.from(secret, "utf8").toString("base64");
  return createHmac("sha256", key).update(message, "utf8").digest("hex");
}

/**
 * `getValue` of a parsed JSON body (edgex.md §2.3).
 *
 * @param value Parsed JSON.
 * @returns The canonical text.
 *
 * @example
 * ```ts
 * import { edgeXBodyText } from "./auth.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(edgeXBodyText({ b: [1, 2], a: null, c: { y: true, x: "s" } }), "a=&b=1&2&c=x=s&y=true");
 * ```
 */
export function edgeXBodyText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "boolean" || typeof value === "number") return String(value);
  if (Array.isArray(value)) return value.map(edgeXBodyText).join("&");
  if (typeof value === "object") {
    return Object.keys(value as Record<string, unknown>)
      .sort()
      .map((k) => `${k}=${edgeXBodyText((value as Record<string, unknown>)[k])}`)
      .join("&");
  }
  throw new TypeError(`cannot canonicalise a ${typeof value}`);
}

/**
 * The canonical query text of a GET (edgex.md §2.3): decoded values, sorted by key, empty values
 * skipped; a key given twice counts once, with its first value.
 *
 * @param params The query.
 * @returns `k=v&k=v`, or `""`.
 *
 * @example
 * ```ts
 * import { edgeXQueryText } from "./auth.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(edgeXQueryText(new URLSearchParams("size=10&accountId=7&x=")), "accountId=7&size=10");
 * ```
 */
export function edgeXQueryText(params: URLSearchParams): string {
  const first = new Map<string, string>();
  for (const [k, v] of params) if (!first.has(k)) first.set(k, v);
  return [...first]
    .filter(([, v]) => v !== "")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

function refuse(reason: EdgeXAuthRefusal, message: string): EdgeXAuthVerdict {
  return { ok: false, reason, message };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  if (x.length !== y.length) {
    timingSafeEqual(y, y);
    return false;
  }
  return timingSafeEqual(x, y);
}

/** Headers a browser client packed into `Sec-WebSocket-Protocol` (§2.4), if any. */
function packedHeaders(headers: Headers): Headers | undefined {
  const offered = headers.get("sec-websocket-protocol");
  if (!offered) return undefined;
  for (const token of offered.split(",").map((t) => t.trim())) {
    if (token === "") continue;
    try {
      const padded = token + "=".repeat((4 - (token.length % 4)) % 4);
      const map = JSON.parse(Buffer.from(padded, "base64").toString("utf8"));
      if (map === null || typeof map !== "object" || Array.isArray(map)) continue;
      const out = new Headers();
      for (const [k, v] of Object.entries(map)) if (typeof v === "string") out.set(k, v);
      if (out.has(API_KEY)) return out;
    } catch {
      // Another subprotocol.
    }
  }
  return undefined;
}

/**
 * Checks a signed request as the gateway does (edgex.md §7.2 item 2): known key, passphrase,
 * timestamp within the tolerance, then the HMAC of the rebuilt message, compared in constant
 * time (the hex is compared case-insensitively).
 *
 * @param request Method, URL, body text, headers.
 * @param options Key lookup, server time, tolerance, legacy header names.
 * @returns The verdict.
 *
 * @example The Go SDK's private WebSocket handshake inputs
 * ```ts
 * import { verifyEdgeXSignedRequest } from "./auth.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * const lookup = () => ({ apiKey: "k", secret: "secret", passphrase: "p" });
 * const v = verifyEdgeXSignedRequest({
 *   method: "GET",
 *   url: "/api/v1/private/ws?accountId=12345&timestamp=1700000000123",
 *   headers: {
 *     "X-edgeX-Api-Key": "k",
 *     "X-edgeX-Passphrase": "p",
 *     "X-edgeX-Timestamp": "1700000000123",
 *     "X-edgeX-Signature": "bd4bc2c51e659752fd4d4888e85d322e135b597d1e40a42b86ad9c4168560c9b",
 *   },
 * }, { lookup, nowMs: 1700000000500 });
 * equal(v.ok, true);
 * ```
 */
export function verifyEdgeXSignedRequest(
  request: EdgeXSignedRequest,
  options: EdgeXAuthCheckOptions,
): EdgeXAuthVerdict {
  let headers = new Headers(request.headers);
  if (!headers.has(API_KEY)) headers = packedHeaders(headers) ?? headers;
  let ts = headers.get(TIMESTAMP);
  let sig = headers.get(SIGNATURE);
  if (ts === null && sig === null) {
    const legacyTs = headers.get(LEGACY_TIMESTAMP);
    const legacySig = headers.get(LEGACY_SIGNATURE);
    if (legacyTs !== null || legacySig !== null) {
      if (!options.acceptLegacyHeaderNames) {
        return refuse(
          "legacy_header_names",
          `Use ${TIMESTAMP} and ${SIGNATURE}, not ${LEGACY_TIMESTAMP} / ${LEGACY_SIGNATURE}`,
        );
      }
      ts = legacyTs;
      sig = legacySig;
    }
  }
  const apiKey = headers.get(API_KEY);
  const passphrase = headers.get(PASSPHRASE);
  const missing = ([[API_KEY, apiKey], [PASSPHRASE, passphrase], [TIMESTAMP, ts], [
    SIGNATURE,
    sig,
  ]] as const).filter(([, v]) => v === null || v === "").map(([k]) => k);
  if (missing.length > 0) {
    return refuse("missing_headers", `Missing header(s): ${missing.join(", ")}`);
  }
  const known = options.lookup(apiKey!);
  if (!known || !same(known.apiKey, apiKey!)) return refuse("unknown_api_key", "Unknown API key");
  if (!same(known.passphrase, passphrase!)) {
    return refuse("wrong_passphrase", "Wrong passphrase for this API key");
  }
  if (!/^\d{1,16}$/.test(ts!)) {
    return refuse("bad_timestamp", "Timestamp must be milliseconds as decimal digits");
  }
  const timestamp = Number(ts);
  const tolerance = options.toleranceMs ?? 60_000;
  const skew = Math.abs(options.nowMs - timestamp);
  if (!(skew <= tolerance)) {
    return refuse(
      "stale_timestamp",
      `Timestamp ${ts} is ${skew} ms away from server time (limit ${tolerance} ms)`,
    );
  }
  let message: string;
  try {
    const url = new URL(request.url, "http://localhost");
    const method = request.method.toUpperCase();
    let body = "";
    if (method === "GET" || method === "DELETE") body = edgeXQueryText(url.searchParams);
    else if (request.body !== undefined && request.body.trim() !== "") {
      body = edgeXBodyText(JSON.parse(request.body));
    }
    message = `${ts}${method}${url.pathname}${body}`;
  } catch (e) {
    return refuse(
      "malformed_request",
      `Cannot rebuild the signed text: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (!same(edgeXHmac(known.secret, message), sig!.toLowerCase())) {
    return refuse("bad_signature", "Signature does not match the request");
  }
  return { ok: true, apiKey: apiKey!, timestamp };
}
