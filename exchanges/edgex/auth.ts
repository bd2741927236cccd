/**
 * EdgeX API V2 request authentication (edgex.md §2): HMAC-SHA256 over
 * `timestamp + METHOD + path + canonical body`, sent as four `X-edgeX-*` headers, for REST calls
 * and for the private WebSocket handshake. (The server-side check lives with the replica, in
 * `sim/edgex/auth.ts`.)
 *
 * The canonical body is not the JSON text: for GET it is the query sorted by key
 * (`k=v&…`, values unencoded, empty values skipped); for POST it is the JSON body flattened —
 * object keys sorted, `key=value` joined by `&`, arrays' items joined by `&`, `null` as the empty
 * string, booleans as `true`/`false` (official SDKs' `get_value` / `getValue`). The HMAC key is
 * the ASCII of base64(secret): the secret is base64-*encoded*, not decoded.
 *
 * HMAC runs synchronously through `node:crypto` (a few µs per request); Web Crypto's async
 * `subtle.sign` would cost about ten times more.
 *
 * @example Plugging the signer into the HTTP transport
 * ```ts
 * import { edgeXAuthenticate } from "./auth.ts";
 * import { createHttpTransport } from "../_shared/http.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 * import { z } from "zod";
 *
 * let sent = new Headers();
 * const transport = createHttpTransport({
 *   venue: "edgex",
 *   baseUrl: "https://edgex-prod-v2.edgex.exchange",
 *   authenticate: edgeXAuthenticate(
 *     { apiKey: "my-api-key", secret: "test-secret", passphrase: "my-passphrase" },
 *     { clock: { now: () => 1_700_000_000_000 } },
 *   ),
 *   fetch: (_url, init) => {
 *     sent = new Headers(init?.headers);
 *     return Promise.resolve(Response.json({ code: "SUCCESS", data: {} }));
 *   },
 * });
 * await transport.request({
 *   method: "GET",
 *   path: "/api/v2/private/account/getAccountAsset",
 *   query: { accountId: "1" },
 *   schema: z.unknown(),
 * });
 * deepEqual(
 *   sent.get("X-edgeX-Signature"),
 *   "59e19942a00e9e82709e9dfb6173494ddb122c4f55aa34c57fad21d2fa591c21",
 * );
 * ```
 *
 * @module
 */
import { createHmac } from "node:crypto";
import type { Clock } from "../../base.ts";
import { systemClock } from "../_shared/clock.ts";
import type { Decimal } from "../../core/decimal.ts";
import { ConfigurationError } from "../../core/errors.ts";
import { registerSecret } from "../../core/redact.ts";
import { EDGEX_PRODUCTION } from "./common.ts";

const VENUE = "edgex";

/**
 * The three request-auth secrets of a "Perps V2" API key (edgex.md §2.1): API key, API secret
 * and API passphrase. The fourth credential of that dialog, the signer key, signs orders (see
 * `signing.ts`).
 *
 * @example
 * ```ts
 * import type { EdgeXCredentials } from "./auth.ts";
 * const credentials: EdgeXCredentials = {
 *   apiKey: Deno.env.get("EDGEX_API_KEY") ?? "",
 *   secret: Deno.env.get("EDGEX_API_SECRET") ?? "",
 *   passphrase: Deno.env.get("EDGEX_API_PASSPHRASE") ?? "",
 * };
 * ```
 */
export interface EdgeXCredentials {
  /** API key, sent in clear as `X-edgeX-Api-Key`. */
  readonly apiKey: string;
  /** API secret: the HMAC key is base64 of its UTF-8 bytes. Never sent. */
  readonly secret: string;
  /** API passphrase, sent in clear as `X-edgeX-Passphrase`. */
  readonly passphrase: string;
}

/**
 * Names of the four auth headers. The venue renamed them once already (`X-edgeX-Api-Timestamp`
 * / `X-edgeX-Api-Signature` in docs before 2026-03), so they are configurable.
 *
 * @example
 * ```ts
 * import type { EdgeXHeaderNames } from "./auth.ts";
 * const names: EdgeXHeaderNames = {
 *   apiKey: "X-edgeX-Api-Key",
 *   passphrase: "X-edgeX-Passphrase",
 *   timestamp: "X-edgeX-Timestamp",
 *   signature: "X-edgeX-Signature",
 * };
 * ```
 */
export interface EdgeXHeaderNames {
  /** Header carrying the API key. */
  readonly apiKey: string;
  /** Header carrying the passphrase. */
  readonly passphrase: string;
  /** Header carrying the millisecond timestamp that was signed. */
  readonly timestamp: string;
  /** Header carrying the lowercase hex HMAC. */
  readonly signature: string;
}

/**
 * Builds the header names for a prefix, as the official SDKs do with their `auth_header_key`
 * setting: `X-{prefix}-Api-Key`, `X-{prefix}-Passphrase`, `X-{prefix}-Timestamp`,
 * `X-{prefix}-Signature`.
 *
 * @param prefix The prefix; the venue's is `"edgeX"`.
 * @returns The four names.
 * @throws {TypeError} If the prefix is empty or not a header token.
 *
 * @example
 * ```ts
 * import { edgeXHeaderNames } from "./auth.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * deepEqual(edgeXHeaderNames("edgeX").signature, "X-edgeX-Signature");
 * ```
 */
export function edgeXHeaderNames(prefix: string): EdgeXHeaderNames {
  if (typeof prefix !== "string" || !/^[A-Za-z0-9-]+$/.test(prefix)) {
    throw new TypeError(
      `'prefix' must be letters, digits or '-': got ${JSON.stringify(String(prefix))}`,
    );
  }
  return Object.freeze({
    apiKey: `X-${prefix}-Api-Key`,
    passphrase: `X-${prefix}-Passphrase`,
    timestamp: `X-${prefix}-Timestamp`,
    signature: `X-${prefix}-Signature`,
  });
}

/**
 * The header names both official V2 SDKs and the current docs use (edgex.md §2.2).
 *
 * @example
 * ```ts
 * import { EDGEX_HEADER_NAMES } from "./auth.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(EDGEX_HEADER_NAMES.timestamp, "X-edgeX-Timestamp");
 * ```
 */
export const EDGEX_HEADER_NAMES: Readonly<EdgeXHeaderNames> = edgeXHeaderNames("edgeX");

/**
 * One query value. `null` and `undefined` are left out (as the HTTP transport does); `Decimal`,
 * numbers, bigints and booleans are sent as their string form.
 *
 * @example
 * ```ts
 * import type { EdgeXQueryValue } from "./auth.ts";
 * const v: EdgeXQueryValue = "30000001,30000002"; // lists travel comma-joined
 * ```
 */
export type EdgeXQueryValue = string | number | bigint | boolean | Decimal | null | undefined;

/**
 * A query: `URLSearchParams`, a query string (`"a=1&b=2"`, with or without `?`) or an object.
 * A key may appear once: EdgeX lists are one comma-joined value (`filterContractIdList=1,2`).
 *
 * @example
 * ```ts
 * import type { EdgeXQuery } from "./auth.ts";
 * const q: EdgeXQuery = { accountId: "724625476626153743", size: 10 };
 * ```
 */
export type EdgeXQuery =
  | URLSearchParams
  | string
  | Readonly<Record<string, EdgeXQueryValue | readonly EdgeXQueryValue[]>>;

/**
 * A request to sign.
 *
 * @example
 * ```ts
 * import type { EdgeXRequest } from "./auth.ts";
 * const req: EdgeXRequest = {
 *   method: "POST",
 *   path: "/api/v2/private/order/cancelOrderById",
 *   body: { accountId: "12345", orderIdList: ["800000000000000001"] },
 * };
 * ```
 */
export interface EdgeXRequest {
  /** HTTP method; signed upper-case. */
  readonly method: string;
  /**
   * URL path as sent (`/api/v2/private/...`), without host. A `?query` part is split off and
   * merged into `query`.
   */
  readonly path: string;
  /** Query parameters; what a GET signs. @default {undefined} */
  readonly query?: EdgeXQuery;
  /**
   * Body; what a POST (PUT, PATCH) signs. A string is the exact JSON text as sent; any other
   * value is what the HTTP transport will `JSON.stringify`. @default {undefined}
   */
  readonly body?: unknown;
}

// ---------------------------------------------------------------------------------------------
// Canonical text

/**
 * Orders keys by Unicode code point, like Python's `sorted` and Go's byte-wise `sort.Strings`
 * (JavaScript's default sort compares UTF-16 units, which differs for astral characters).
 */
function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1;
      return x - y;
    }
  }
  return a.length - b.length;
}

function queryValueText(value: EdgeXQueryValue, key: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case "string":
      return value;
    case "boolean":
    case "bigint":
      return String(value);
    case "number":
      if (!Number.isFinite(value)) {
        throw new TypeError(`Query parameter '${key}' must be a finite number: got ${value}`);
      }
      return String(value);
    case "object":
      return String(value);
    default:
      throw new TypeError(`Query parameter '${key}' cannot be a ${typeof value}`);
  }
}

function addQueryPair(
  out: Map<string, string>,
  key: string,
  value: string,
  duplicates: "reject" | "first",
): void {
  if (out.has(key)) {
    if (duplicates === "first") return;
    throw new TypeError(
      `Query parameter '${key}' appears more than once; EdgeX signs one value per key, ` +
        "so join list values with ','",
    );
  }
  out.set(key, value);
}

function collectQuery(
  out: Map<string, string>,
  query: EdgeXQuery | undefined,
  duplicates: "reject" | "first",
): void {
  if (query === undefined || query === null) return;
  if (typeof query === "string") {
    new URLSearchParams(query).forEach((v, k) => addQueryPair(out, k, v, duplicates));
    return;
  }
  if (query instanceof URLSearchParams) {
    query.forEach((v, k) => addQueryPair(out, k, v, duplicates));
    return;
  }
  if (typeof query !== "object") {
    throw new TypeError(`'query' must be an object, a string or URLSearchParams`);
  }
  for (const [key, raw] of Object.entries(query)) {
    const values: readonly EdgeXQueryValue[] = Array.isArray(raw) ? raw : [raw as EdgeXQueryValue];
    for (const v of values) {
      const text = queryValueText(v, key);
      if (text !== undefined) addQueryPair(out, key, text, duplicates);
    }
  }
}

function sortedQueryText(pairs: Map<string, string>): string {
  const keys: string[] = [];
  // Empty values are not signed (Go SDK `buildSortedQueryString`); they may still be sent.
  pairs.forEach((v, k) => {
    if (v !== "") keys.push(k);
  });
  keys.sort(compareKeys);
  let out = "";
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out += "&";
    out += `${keys[i]}=${pairs.get(keys[i])}`;
  }
  return out;
}

/**
 * The canonical text of a query, as a GET signs it: keys sorted by code point, `k=v` joined
 * by `&`, values **decoded** (`a b`, not `a+b`), empty values skipped, no leading `?`.
 *
 * @param query The query, or `undefined`.
 * @returns The canonical text (`""` for none).
 * @throws {TypeError} If a key appears twice (lists must be one comma-joined value) or a
 * value is not a finite number, string, bigint, boolean or `Decimal`.
 *
 * @example
 * ```ts
 * import { canonicalizeQuery } from "./auth.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * deepEqual(
 *   canonicalizeQuery({ size: 10, accountId: "724625476626153743", offsetData: "" }),
 *   "accountId=724625476626153743&size=10",
 * );
 * deepEqual(canonicalizeQuery("?b=2&a=x%20y"), "a=x y&b=2");
 * ```
 */
export function canonicalizeQuery(query: EdgeXQuery | undefined): string {
  const pairs = new Map<string, string>();
  collectQuery(pairs, query, "reject");
  return sortedQueryText(pairs);
}

/** Thrown inside {@linkcode flatten} to leave the fast path when a JSON number shows up. */
const NUMBER_SEEN: unique symbol = Symbol("number seen");

/** JSON numbers are signed as their literal text as sent (both SDKs sign `str(number)`). */
function keepNumberSource(this: unknown, _key: string, value: unknown, context?: unknown): unknown {
  if (typeof value === "number") {
    const source = (context as { source?: unknown } | undefined)?.source;
    return typeof source === "string" ? source : JSON.stringify(value);
  }
  return value;
}

/**
 * Flattens one value the way `JSON.stringify` would serialize it (`toJSON`, bigint as its
 * digits, `undefined` members dropped), so that signing a value and signing its JSON text agree.
 * Returns `undefined` for what JSON omits.
 */
function flatten(
  value: unknown,
  key: string,
  stack: unknown[],
  numbersAbort = false,
): string | undefined {
  let v = value;
  if (
    v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON === "function"
  ) {
    v = (v as { toJSON(key: string): unknown }).toJSON(key);
  }
  switch (typeof v) {
    case "string":
      return v;
    case "boolean":
      return v ? "true" : "false";
    case "bigint":
      return v.toString();
    case "number":
      if (numbersAbort) throw NUMBER_SEEN;
      if (!Number.isFinite(v)) {
        throw new TypeError(`Body field '${key}' must be a finite number: got ${v}`);
      }
      return JSON.stringify(v);
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (v === null) return "";
  if (stack.includes(v)) throw new TypeError(`Body field '${key}' contains a cycle`);
  stack.push(v);
  let out = "";
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out += "&";
      out += flatten(v[i], String(i), stack, numbersAbort) ?? "";
    }
  } else {
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj).sort(compareKeys);
    let first = true;
    for (const k of keys) {
      const text = flatten(obj[k], k, stack, numbersAbort);
      if (text === undefined) continue;
      out += first ? `${k}=${text}` : `&${k}=${text}`;
      first = false;
    }
  }
  stack.pop();
  return out;
}

/**
 * The canonical text of a JSON body, as a POST signs it (official `get_value` / `getValue`):
 * `null` → `""`; strings as they are; booleans `true`/`false`; numbers as their JSON text;
 * arrays → items joined by `&` (empty → `""`); objects → keys sorted by code point,
 * `key=value` joined by `&`, nested objects flattened the same way without escaping.
 *
 * A string argument is the exact JSON text as sent, and its numbers are signed as written
 * (`1.0` stays `1.0`). Any other value is canonicalized as `JSON.stringify` would send it
 * (members that are `undefined` are left out, `Decimal` via `toJSON`, bigint as digits). Send
 * numbers as JSON strings: how the gateway prints a JSON number is not documented.
 *
 * @param body The JSON text, or the value to be sent; `undefined` or `""` for no body.
 * @returns The canonical text.
 * @throws {TypeError} If a string is not valid JSON, a number is not finite, or the value has
 * a cycle.
 *
 * @example
 * ```ts
 * import { canonicalizeBody } from "./auth.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * deepEqual(
 *   canonicalizeBody({ orderIdList: ["1", "2"], accountId: "1", openTp: null, reduceOnly: false }),
 *   "accountId=1&openTp=&orderIdList=1&2&reduceOnly=false",
 * );
 * deepEqual(canonicalizeBody('{"b":{"y":1.50,"x":true},"a":[]}'), "a=&b=x=true&y=1.50");
 * ```
 */
export function canonicalizeBody(body: unknown): string {
  if (body === undefined) return "";
  if (typeof body === "string") {
    if (body.trim() === "") return "";
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (cause) {
      throw new TypeError(
        `Cannot sign the EdgeX request as its body is not JSON: ${
          cause instanceof Error ? cause.message : String(cause)
        }`,
      );
    }
    // Fast path for bodies without JSON numbers (the client sends numbers as strings); the
    // source-text reviver costs several times the plain parse.
    try {
      return flatten(parsed, "", [], true) ?? "";
    } catch (e) {
      if (e !== NUMBER_SEEN) throw e;
    }
    return flatten(JSON.parse(body, keepNumberSource), "", []) ?? "";
  }
  return flatten(body, "", []) ?? "";
}

function hasBody(method: string): boolean {
  return method === "POST" || method === "PUT" || method === "PATCH";
}

function splitPath(path: string): { path: string; query: string | undefined } {
  if (typeof path !== "string" || path === "") {
    throw new TypeError(`'path' must be a non-empty string: got ${JSON.stringify(path)}`);
  }
  const q = path.indexOf("?");
  return q < 0 ? { path, query: undefined } : { path: path.slice(0, q), query: path.slice(q) };
}

function timestampText(timestamp: string | number): string {
  if (typeof timestamp === "number") {
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
      throw new TypeError(
        `'timestamp' must be a non-negative integer of milliseconds: got ${timestamp}`,
      );
    }
    return String(timestamp);
  }
  if (typeof timestamp !== "string" || !/^\d{1,16}$/.test(timestamp)) {
    throw new TypeError(
      `'timestamp' must be milliseconds as a decimal string: got ${JSON.stringify(timestamp)}`,
    );
  }
  return timestamp;
}

function canonicalText(
  method: string,
  path: string,
  query: EdgeXQuery | undefined,
  body: unknown,
  duplicates: "reject" | "first",
): { method: string; path: string; body: string } {
  const m = String(method).toUpperCase();
  const split = splitPath(path);
  if (hasBody(m)) return { method: m, path: split.path, body: canonicalizeBody(body) };
  const pairs = new Map<string, string>();
  collectQuery(pairs, split.query, duplicates);
  collectQuery(pairs, query, duplicates);
  return { method: m, path: split.path, body: sortedQueryText(pairs) };
}

/**
 * The exact text EdgeX signs: `timestamp + METHOD + path + canonical body`, no separators
 * (edgex.md §2.3). GET (and other body-less methods) sign the canonical query
 * ({@linkcode canonicalizeQuery}); POST, PUT and PATCH sign the canonical body
 * ({@linkcode canonicalizeBody}) and not the query.
 *
 * @param request Method, path, query and body.
 * @param timestamp Milliseconds since the epoch, as sent in the timestamp header.
 * @returns The message.
 * @throws {TypeError} On a bad timestamp, path, query or body (see the canonicalizers).
 *
 * @example The docs' example message (authentication.md, step 4)
 * ```ts
 * import { signatureMessage } from "./auth.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * deepEqual(
 *   signatureMessage({
 *     method: "get",
 *     path: "/api/v2/private/account/getAccountAsset",
 *     query: { size: "10", accountId: "724625476626153743" },
 *   }, "1773302047172"),
 *   "1773302047172GET/api/v2/private/account/getAccountAssetaccountId=724625476626153743&size=10",
 * );
 * ```
 */
export function signatureMessage(request: EdgeXRequest, timestamp: string | number): string {
  const ts = timestampText(timestamp);
  const c = canonicalText(request.method, request.path, request.query, request.body, "reject");
  return `${ts}${c.method}${c.path}${c.body}`;
}

// ---------------------------------------------------------------------------------------------
// HMAC

/** The HMAC key: the ASCII text of base64(UTF-8(secret)) (edgex.md §2.3). */
function hmacKey(secret: string): string {
  const bytes = new TextEncoder().encode(secret);
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary);
}

function hmacHex(key: string, message: string): string {
  return createHmac("sha256", key).update(message, "utf8").digest("hex");
}

function checkCredentials(credentials: EdgeXCredentials, what: string): void {
  const c = credentials ?? ({} as EdgeXCredentials);
  const missing = (["apiKey", "secret", "passphrase"] as const).filter((k) =>
    typeof c[k] !== "string" || c[k] === ""
  );
  if (missing.length > 0) {
    throw new ConfigurationError(
      `Cannot ${what} as EdgeX credentials lack ${
        missing.map((k) => `'${k}'`).join(", ")
      }: set EDGEX_API_KEY, EDGEX_API_SECRET and EDGEX_API_PASSPHRASE`,
      { venue: VENUE },
    );
  }
  registerSecret(c.secret);
  registerSecret(c.passphrase);
  registerSecret(c.apiKey);
  registerSecret(hmacKey(c.secret));
}

function resolveHeaderNames(names: Partial<EdgeXHeaderNames> | undefined): EdgeXHeaderNames {
  if (names === undefined) return EDGEX_HEADER_NAMES;
  const out = { ...EDGEX_HEADER_NAMES, ...names };
  for (const [k, v] of Object.entries(out)) {
    if (typeof v !== "string" || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(v)) {
      throw new TypeError(`'headerNames.${k}' must be an HTTP header name: got ${String(v)}`);
    }
  }
  return out;
}

function authHeaders(
  names: EdgeXHeaderNames,
  credentials: EdgeXCredentials,
  timestamp: string,
  signature: string,
): Record<string, string> {
  // Insertion order = the official SDKs' (it is also the order of the WebSocket subprotocol JSON).
  return {
    [names.apiKey]: credentials.apiKey,
    [names.passphrase]: credentials.passphrase,
    [names.signature]: signature,
    [names.timestamp]: timestamp,
  };
}

/**
 * Options of {@linkcode signEdgeXRequest}.
 *
 * @example
 * ```ts
 * import type { SignEdgeXRequestOptions } from "./auth.ts";
 * const o: SignEdgeXRequestOptions = { headerNames: { signature: "X-edgeX-Api-Signature" } };
 * ```
 */
export interface SignEdgeXRequestOptions {
  /** Header names to use instead of the defaults. @default {EDGEX_HEADER_NAMES} */
  readonly headerNames?: Partial<EdgeXHeaderNames>;
}

/**
 * Signs one request and returns its four auth headers.
 *
 * @param request Method, path, query and body (see {@linkcode signatureMessage}).
 * @param auth The credentials and the millisecond timestamp to sign.
 * @param options Header names.
 * @returns `{ "X-edgeX-Api-Key", "X-edgeX-Passphrase", "X-edgeX-Signature", "X-edgeX-Timestamp" }`.
 * @throws {ConfigurationError} If a credential is missing.
 * @throws {TypeError} On a bad timestamp, path, query, body or header name.
 *
 * @example A POST with an array (`orderIdList` items joined by `&`)
 * ```ts
 * import { signEdgeXRequest } from "./auth.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const headers = signEdgeXRequest(
 *   {
 *     method: "POST",
 *     path: "/api/v2/private/order/cancelOrderById",
 *     body: { accountId: "12345", orderIdList: ["800000000000000001", "800000000000000002"] },
 *   },
 *   {
 *     apiKey: "my-api-key",
 *     secret: "test-secret",
 *     passphrase: "my-passphrase",
 *     timestamp: 1790000000000,
 *   },
 * );
 * deepEqual(headers["X-edgeX-Timestamp"], "1790000000000");
 * deepEqual(
 *   headers["X-edgeX-Signature"],
 *   "73f96817a01206b7a7c300319b82d042fc969fbde851324433e2d49a883de363",
 * );
 * ```
 */
export function signEdgeXRequest(
  request: EdgeXRequest,
  auth: EdgeXCredentials & { readonly timestamp: string | number },
  options: SignEdgeXRequestOptions = {},
): Record<string, string> {
  checkCredentials(auth, "sign the request");
  const names = resolveHeaderNames(options.headerNames);
  const ts = timestampText(auth.timestamp);
  const message = signatureMessage(request, ts);
  return authHeaders(names, auth, ts, hmacHex(hmacKey(auth.secret), message));
}

/**
 * Whether the official SDKs sign a path (PY `should_sign_with_hmac`, Go `shouldSignWithHMAC`):
 * private, `/opt/`, invite, points, `/public/codeInfo`, `public/info`, nft, vault and
 * `/download` paths, and paths starting with `/ranking` or `/activity`. Public
 * `/api/v2/public/{meta,quote,funding}` calls carry no auth headers.
 *
 * @param path The URL path.
 * @returns `true` if the request must carry the auth headers.
 *
 * @example
 * ```ts
 * import { edgeXRequiresAuth } from "./auth.ts";
 * import { ok } from "node:assert/strict";
 *
 * ok(edgeXRequiresAuth("/api/v2/private/order/createOrder"));
 * ok(!edgeXRequiresAuth("/api/v2/public/quote/getDepth"));
 * ```
 */
export function edgeXRequiresAuth(path: string): boolean {
  const p = path.toLowerCase();
  return p.includes("private") || p.includes("/opt/") || p.includes("invite") ||
    p.includes("points") || p.includes("/public/codeinfo") || p.startsWith("/ranking") ||
    p.includes("nft") || p.includes("vault") || p.startsWith("/activity") ||
    p.includes("public/info") || p.includes("/download");
}

/**
 * What the hook returned by {@linkcode edgeXAuthenticate} reads of a request: the part of the
 * HTTP transport's `AuthenticateContext` it needs.
 *
 * @example
 * ```ts
 * import type { EdgeXAuthenticateContext } from "./auth.ts";
 * const ctx: EdgeXAuthenticateContext = {
 *   method: "POST",
 *   url: new URL("https://edgex-prod-v2.edgex.exchange/api/v2/private/order/createOrder"),
 *   body: '{"accountId":"1"}',
 * };
 * ```
 */
export interface EdgeXAuthenticateContext {
  /** HTTP method. */
  readonly method: string;
  /** Final URL, query included. */
  readonly url: URL;
  /** The body text exactly as it will be sent, or `undefined`. */
  readonly body: string | undefined;
}

/**
 * Options of {@linkcode edgeXAuthenticate}.
 *
 * @example
 * ```ts
 * import type { EdgeXAuthenticateOptions } from "./auth.ts";
 * // Sign with the venue's clock: the gateway refuses timestamps more than 60 s off.
 * let skewMs = 0;
 * const o: EdgeXAuthenticateOptions = { clock: { now: () => Date.now() + skewMs } };
 * ```
 */
export interface EdgeXAuthenticateOptions {
  /** Source of the timestamp (ms). @default {systemClock} */
  readonly clock?: Pick<Clock, "now">;
  /** Header names. @default {EDGEX_HEADER_NAMES} */
  readonly headerNames?: Partial<EdgeXHeaderNames>;
  /** Which paths get signed; others get no auth headers. @default {edgeXRequiresAuth} */
  readonly requiresAuth?: (path: string) => boolean;
}

/**
 * Creates the HTTP transport's `authenticate` hook for one API key. Each call signs the final
 * URL path, the query as it is in the URL (decoded), or the body text exactly as it will be
 * sent, with a fresh timestamp (so retries are re-signed). The secrets are registered with
 * `registerSecret` and kept in the closure; the HMAC key is derived once.
 *
 * @param credentials API key, secret and passphrase.
 * @param options Clock, header names and the path filter.
 * @returns The hook: `(ctx) => headers` (synchronous).
 * @throws {ConfigurationError} If a credential is missing.
 * @throws {TypeError} If a header name is invalid. The hook itself throws `TypeError` for a
 * query key that appears twice or a body that is not JSON; the transport reports it as a
 * `PerpError` without sending anything.
 *
 * @example
 * ```ts
 * import { edgeXAuthenticate } from "./auth.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const authenticate = edgeXAuthenticate(
 *   { apiKey: "my-api-key", secret: "test-secret", passphrase: "my-passphrase" },
 *   { clock: { now: () => 1_790_000_000_000 } },
 * );
 * const url = new URL(
 *   "https://edgex-prod-v2.edgex.exchange/api/v2/private/order/getActiveOrderPage" +
 *     "?accountId=12345&size=50&filterContractIdList=30000001%2C30000002" +
 *     "&filterStatusList=OPEN%2CPENDING",
 * );
 * const headers = authenticate({ method: "GET", url, body: undefined });
 * deepEqual(
 *   headers["X-edgeX-Signature"],
 *   "22c065a0da6f36e06b9aa2822536078769e2d0f752460ba8e7ecbfa4cc1b7e5e",
 * );
 * // Public market data is not signed.
 * const pub = new URL("https://edgex-prod-v2.edgex.exchange/api/v2/public/quote/getDepth");
 * deepEqual(authenticate({ method: "GET", url: pub, body: undefined }), {});
 * ```
 */
export function edgeXAuthenticate(
  credentials: EdgeXCredentials,
  options: EdgeXAuthenticateOptions = {},
): (ctx: EdgeXAuthenticateContext) => Record<string, string> {
  checkCredentials(credentials, "create the EdgeX request signer");
  const creds: EdgeXCredentials = {
    apiKey: credentials.apiKey,
    secret: credentials.secret,
    passphrase: credentials.passphrase,
  };
  const key = hmacKey(creds.secret);
  const names = resolveHeaderNames(options.headerNames);
  const clock = options.clock ?? systemClock;
  const requiresAuth = options.requiresAuth ?? edgeXRequiresAuth;
  return (ctx: EdgeXAuthenticateContext): Record<string, string> => {
    const path = ctx.url.pathname;
    if (!requiresAuth(path)) return {};
    const ts = timestampText(Math.floor(clock.now()));
    const c = canonicalText(ctx.method, path, ctx.url.searchParams, ctx.body, "reject");
    return authHeaders(names, creds, ts, hmacHex(key, `${ts}${c.method}${c.path}${c.body}`));
  };
}

// ---------------------------------------------------------------------------------------------
// Private WebSocket handshake

/**
 * What opening the private WebSocket needs (edgex.md §2.4).
 *
 * @example
 * ```ts
 * import type { EdgeXPrivateWsAuth } from "./auth.ts";
 * const connect = (auth: EdgeXPrivateWsAuth) =>
 *   // Deno's WebSocket accepts real headers; browsers only take the subprotocol.
 *   new WebSocket(auth.url, { headers: auth.headers });
 * ```
 */
export interface EdgeXPrivateWsAuth {
  /** `wss://…/api/v1/private/ws?accountId=<id>&timestamp=<ms>`. */
  url: string;
  /** The four auth headers, signed over `GET`, the path and `accountId=…&timestamp=…`. */
  headers: Record<string, string>;
  /**
   * The same headers as one `Sec-WebSocket-Protocol` value, for clients that cannot set
   * headers: base64 (standard alphabet, `=` stripped) of the header map's JSON, as the official
   * Python SDK builds it.
   */
  protocol: string;
  /** The millisecond timestamp signed and put in the URL. */
  timestamp: string;
}

/**
 * Options of {@linkcode edgeXPrivateWsAuth}.
 *
 * @example
 * ```ts
 * import type { EdgeXPrivateWsAuthOptions } from "./auth.ts";
 * const o: EdgeXPrivateWsAuthOptions = { wsUrl: "ws://127.0.0.1:8080" };
 * ```
 */
export interface EdgeXPrivateWsAuthOptions {
  /** Source of the timestamp (ms). @default {systemClock} */
  readonly clock?: Pick<Clock, "now">;
  /** WebSocket origin (and optional base path). @default {EDGEX_PRODUCTION.wsUrl} */
  readonly wsUrl?: string;
  /**
   * Path of the private stream; V2 still serves it under `/api/v1`.
   * @default {"/api/v1/private/ws"}
   */
  readonly path?: string;
  /** Header names. @default {EDGEX_HEADER_NAMES} */
  readonly headerNames?: Partial<EdgeXHeaderNames>;
}

/** Python `json.dumps` of a flat string map: `", "` / `": "` separators, non-ASCII escaped. */
function pythonJson(map: Record<string, string>): string {
  const str = (s: string) =>
    JSON.stringify(s).replace(
      /[\u0080-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  return `{${Object.entries(map).map(([k, v]) => `${str(k)}: ${str(v)}`).join(", ")}}`;
}

/**
 * Builds the URL, headers and fallback subprotocol of the private WebSocket handshake: the REST
 * HMAC over `GET`, the URL path, and `accountId=<id>&timestamp=<ms>` (plus any other query
 * parameter of `wsUrl`, sorted) — edgex.md §2.4.
 *
 * @param accountId The Perps V2 account id (uint64, decimal).
 * @param credentials API key, secret and passphrase.
 * @param options Clock, host, path and header names.
 * @returns URL, headers, subprotocol and timestamp.
 * @throws {ConfigurationError} If a credential is missing or `wsUrl` is not a URL.
 * @throws {TypeError} If the account id is not a decimal integer.
 *
 * @example The Go SDK's test handshake
 * ```ts
 * import { edgeXPrivateWsAuth } from "./auth.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const auth = edgeXPrivateWsAuth("12345", {
 *   apiKey: "api-key",
 *   secret: "secret",
 *   passphrase: "passphrase",
 * }, { clock: { now: () => 1700000000123 }, wsUrl: "wss://quote.example.com" });
 * deepEqual(
 *   auth.url,
 *   "wss://quote.example.com/api/v1/private/ws?accountId=12345&timestamp=1700000000123",
 * );
 * deepEqual(
 *   auth.headers["X-edgeX-Signature"],
 *   "bd4bc2c51e659752fd4d4888e85d322e135b597d1e40a42b86ad9c4168560c9b",
 * );
 * ```
 */
export function edgeXPrivateWsAuth(
  accountId: string | bigint,
  credentials: EdgeXCredentials,
  options: EdgeXPrivateWsAuthOptions = {},
): EdgeXPrivateWsAuth {
  checkCredentials(credentials, "open the EdgeX private WebSocket");
  const id = typeof accountId === "bigint" ? accountId.toString() : accountId;
  if (typeof id !== "string" || !/^\d{1,20}$/.test(id)) {
    throw new TypeError(`'accountId' must be a decimal integer: got ${JSON.stringify(id)}`);
  }
  const names = resolveHeaderNames(options.headerNames);
  const base = options.wsUrl ?? EDGEX_PRODUCTION.wsUrl;
  let url: URL;
  try {
    url = new URL(base);
    url.pathname = `${url.pathname.replace(/\/+$/, "")}${options.path ?? "/api/v1/private/ws"}`;
  } catch (cause) {
    throw new ConfigurationError(
      "Cannot open the EdgeX private WebSocket as 'wsUrl' must be an absolute URL: " +
        `current value is ${base}`,
      { venue: VENUE, cause },
    );
  }
  const ts = timestampText(Math.floor((options.clock ?? systemClock).now()));
  url.searchParams.delete("accountId");
  url.searchParams.delete("timestamp");
  url.searchParams.append("accountId", id);
  url.searchParams.append("timestamp", ts);
  const pairs = new Map<string, string>();
  collectQuery(pairs, url.searchParams, "reject");
  const message = `${ts}GET${url.pathname}${sortedQueryText(pairs)}`;
  const headers = authHeaders(
    names,
    credentials,
    ts,
    hmacHex(hmacKey(credentials.secret), message),
  );
  const protocol = btoa(pythonJson(headers)).replace(/=+$/, "");
  return { url: url.href, headers, protocol, timestamp: ts };
}
