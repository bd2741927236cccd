/**
 * Secret redaction for every message, URL, header and detail the package emits.
 *
 * Two nets catch secrets: values registered with {@linkcode registerSecret} (API keys,
 * private keys, passphrases, session cookies — each client registers its own when it is
 * built) are replaced wherever they appear, and well-known shapes are masked by name
 * (`api_key=…`, `"privateKey": "…"`, `Authorization:`/`Cookie:` headers, bare 32-byte hex
 * keys).
 *
 * @module
 */

/** The text that replaces a secret. */
export const REDACTED = "[REDACTED]";

const secrets = new Set<string>();
let secretPattern: RegExp | undefined;

/** Shortest value worth registering; shorter strings would mask ordinary text. */
const MIN_SECRET_LENGTH = 6;

/**
 * Registers a secret so that it is masked in every error and log line from now on.
 * Values shorter than 6 characters are ignored, since masking them would garble ordinary text.
 * A `0x`-prefixed hex value is also registered without its prefix.
 *
 * @param value The secret value (an API key, private key, passphrase, cookie …).
 *
 * @example
 * ```ts
 * import { redact, registerSecret } from "./redact.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * registerSecret("s3cr3t-api-key");
 * deepEqual(redact("key s3cr3t-api-key refused"), "key [REDACTED] refused");
 * ```
 */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  const before = secrets.size;
  secrets.add(value);
  if (/^0x[0-9a-fA-F]+$/.test(value)) secrets.add(value.slice(2));
  if (secrets.size !== before) secretPattern = undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function registeredPattern(): RegExp | undefined {
  if (secrets.size === 0) return undefined;
  if (!secretPattern) {
    // Longest first so that a secret containing another is masked whole.
    const alts = [...secrets].sort((a, b) => b.length - a.length).map(escapeRe);
    secretPattern = new RegExp(alts.join("|"), "gi");
  }
  return secretPattern;
}

const SECRET_NAME = String
  .raw`(?:api[_-]?key|api[_-]?secret|secret|private[_-]?key|priv[_-]?key|passphrase|password|token|auth|signature|sig|cookie|session)`;

// `name=value` in query strings and form bodies.
const QUERY_RE = new RegExp(
  String.raw`([?&;\s]|^)([\w.-]*${SECRET_NAME}[\w.-]*)=([^&\s;#"']+)`,
  "gi",
);
// `"name": "value"` in JSON text.
const JSON_RE = new RegExp(String.raw`("[\w.-]*${SECRET_NAME}[\w.-]*"\s*:\s*)"[^"]*"`, "gi");
// Header lines.
const HEADER_RE =
  /\b(authorization|cookie|set-cookie|x-[\w-]*(?:key|secret|signature|passphrase|token))\s*:\s*[^\r\n,]+/gi;
// A bare 32-byte hex string is a private key far more often than anything else.
const HEX_KEY_RE = /\b(0x)?[0-9a-fA-F]{64}\b/g;

/**
 * Masks every registered secret and every well-known secret shape in a string.
 *
 * @param text The text to clean.
 * @returns The text with secrets replaced by `[REDACTED]`.
 *
 * @example
 * ```ts
 * import { redact } from "./redact.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * deepEqual(
 *   redact("GET /api?market=1&auth=abc.def.ghi"),
 *   "GET /api?market=1&auth=[REDACTED]",
 * );
 * ```
 */
export function redact(text: string): string {
  let out = text;
  const re = registeredPattern();
  if (re) out = out.replace(re, REDACTED);
  out = out.replace(QUERY_RE, (_m, pre, name, value: string) => {
    // Punctuation that ends a sentence is not part of the value.
    const tail = /[:.,)\]]+$/.exec(value)?.[0] ?? "";
    return `${pre}${name}=${REDACTED}${tail}`;
  });
  out = out.replace(JSON_RE, (_m, head) => `${head}"${REDACTED}"`);
  out = out.replace(HEADER_RE, (_m, name) => `${name}: ${REDACTED}`);
  out = out.replace(HEX_KEY_RE, REDACTED);
  return out;
}

const SECRET_KEY_RE = new RegExp(`^[\\w.-]*${SECRET_NAME}[\\w.-]*$`, "i");

/**
 * Returns a deep copy of a value with secrets masked: every string is passed through
 * {@linkcode redact}, and every property whose name looks like a secret (`apiKey`,
 * `signature`, `Cookie` …) is replaced whole. Cycles are cut.
 *
 * @param value Any value (error details, headers, a request body …).
 * @returns The cleaned copy.
 *
 * @example
 * ```ts
 * import { redactValue } from "./redact.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * deepEqual(redactValue({ market: 1, apiKey: "k" }), { market: 1, apiKey: "[REDACTED]" });
 * ```
 */
export function redactValue(value: unknown): unknown {
  return walk(value, new WeakSet(), 0);
}

function walk(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === "string") return redact(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 8 || seen.has(value)) return "[…]";
  seen.add(value);
  if (value instanceof Headers) {
    const out: Record<string, string> = {};
    value.forEach((v, k) => {
      out[k] = SECRET_KEY_RE.test(k) || /^(authorization|cookie|set-cookie)$/i.test(k)
        ? REDACTED
        : redact(v);
    });
    return out;
  }
  if (value instanceof URL) return redact(value.href);
  if (value instanceof Error) return redact(`${value.name}: ${value.message}`);
  if (Array.isArray(value)) return value.map((v) => walk(v, seen, depth + 1));
  // Decimal and other value classes print themselves; they carry no secrets.
  if (Object.getPrototypeOf(value) !== Object.prototype && "toString" in value) {
    const s = String(value);
    if (s !== "[object Object]") return redact(s);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY_RE.test(k) && v !== undefined && v !== null
      ? REDACTED
      : walk(v, seen, depth + 1);
  }
  return out;
}
