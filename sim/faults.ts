/**
 * Fault injection for the venue replicas and the paper clients: one model for every front-end.
 * Front-ends (through the server harness, `SimServer` in `server.ts`) consult a
 * {@linkcode FaultInjector} for every request and every outgoing WebSocket frame; rules are
 * switched per front-end and per endpoint / stream, and every random choice is seeded.
 *
 * Request faults:
 * - `latency`: the answer waits `delayMs` first.
 * - `rate_limit`: 429 with `Retry-After` once `limit` requests came in the current `windowMs`.
 * - `error`: an HTTP error status (503 by default) instead of handling the request.
 * - `drop_response`: the request is processed, the answer is lost (the connection fails while
 *   the body is read): tests idempotent retries and unknown outcomes.
 * - `garble_response`: the request is processed, the answer is a 200 whose body is not the
 *   venue's answer; `body` picks it: `"html"` (a proxy's error page, the default), `"null"`,
 *   `"empty"`, `"truncated"` (the real answer cut in half) or `"wrong_types"` (the real JSON with
 *   every number turned into a string, every numeric string into a number and other values
 *   nulled, chosen with the seed: see {@linkcode garbleBody}).
 *
 * Frame faults (target: a stream / channel name):
 * - `gap` (drop a frame → sequence gap), `duplicate`, `reorder` (swap with the next frame of
 *   the stream), `malformed` (truncate the frame), `drop_connection` (close the socket).
 * - `silence`: a half-open socket. The first matching frame of a socket silences that socket:
 *   from then on it sends nothing on the rule's streams (`"*"`: nothing at all) and ignores the
 *   client's pings, yet stays open. It lasts until the rule is cleared (frames flow again on
 *   the same socket) or the socket closes. Sockets opened after a silenced socket closed — the
 *   client's reconnect — are fresh and work, unless the rule has `persist: true`, which
 *   silences every replacement as well. `times` caps how many sockets it silences.
 *
 * ```ts
 * import type { FaultRule } from "./faults.ts";
 * const halfOpenBook: FaultRule = { kind: "silence", frontEnd: "grvt", target: "v1.book.*" };
 * const deadSockets: FaultRule = { kind: "silence", frontEnd: "edgex", target: "*", persist: true };
 * const cutAnswer: FaultRule = { kind: "garble_response", target: "/api/v1/sendTx", body: "truncated" };
 * ```
 *
 * @module
 */
import type { Clock } from "../base.ts";
import { systemClock } from "../exchanges/_shared/clock.ts";
import { ConfigurationError } from "../core/errors.ts";
import { Prng } from "./random.ts";

/**
 * Kinds of fault.
 *
 * @example
 * ```ts
 * import type { FaultKind } from "./faults.ts";
 * const k: FaultKind = "drop_response";
 * ```
 */
export type FaultKind =
  | "latency"
  | "rate_limit"
  | "error"
  | "drop_response"
  | "garble_response"
  | "gap"
  | "duplicate"
  | "reorder"
  | "malformed"
  | "drop_connection"
  | "silence";

/**
 * What a `garble_response` answers instead of the venue's body.
 *
 * @example
 * ```ts
 * import type { GarbleBody } from "./faults.ts";
 * const variants: GarbleBody[] = ["html", "null", "empty", "truncated", "wrong_types"];
 * ```
 */
export type GarbleBody = "html" | "null" | "empty" | "truncated" | "wrong_types";

const GARBLE_BODIES: readonly GarbleBody[] = ["html", "null", "empty", "truncated", "wrong_types"];

const KINDS: readonly FaultKind[] = [
  "latency",
  "rate_limit",
  "error",
  "drop_response",
  "garble_response",
  "gap",
  "duplicate",
  "reorder",
  "malformed",
  "drop_connection",
  "silence",
];

const REQUEST_KINDS: ReadonlySet<FaultKind> = new Set([
  "latency",
  "rate_limit",
  "error",
  "drop_response",
  "garble_response",
]);

/**
 * A fault rule.
 *
 * @example
 * ```ts
 * import type { FaultRule } from "./faults.ts";
 * const lostAck: FaultRule = { kind: "drop_response", frontEnd: "grvt", target: "/full/v1/create_order", times: 1 };
 * const flaky: FaultRule = { kind: "gap", target: "v1.book.*", chance: 0.1 };
 * ```
 */
export interface FaultRule {
  /** What to do. */
  kind: FaultKind;
  /** Front-end name, or `"*"`. @default {"*"} */
  frontEnd?: string;
  /** Endpoint (requests) or stream (frames); `"*"` or a prefix ending in `*`. @default {"*"} */
  target?: string;
  /** Fire with this probability (seeded). @default {1} */
  chance?: number;
  /** Fire only on every `every`-th matching request / frame. @default {1} */
  every?: number;
  /** Stop after firing this many times. @default {Infinity} */
  times?: number;
  /** Added latency for `latency` (ms). @default {100} */
  delayMs?: number;
  /** HTTP status for `error`. @default {503} */
  status?: number;
  /** Requests allowed per window for `rate_limit`. @default {10} */
  limit?: number;
  /** Window of `rate_limit` (ms). @default {1000} */
  windowMs?: number;
  /** Body of `garble_response`. @default {"html"} */
  body?: GarbleBody;
  /**
   * `silence` only: also silence the sockets that replace a silenced one (the client's
   * reconnects). @default {false} (a reconnect gets a fresh, working socket)
   */
  persist?: boolean;
}

/**
 * A rule as installed, with its id and how often it fired.
 *
 * @example
 * ```ts
 * import type { InstalledFault } from "./faults.ts";
 * const fired = (f: InstalledFault) => f.fired > 0;
 * ```
 */
export interface InstalledFault extends FaultRule {
  /** Id to clear it with. */
  id: string;
  /** Times it fired. */
  fired: number;
}

/**
 * What to do with one request.
 *
 * @example
 * ```ts
 * import type { RequestFault } from "./faults.ts";
 * const f: RequestFault = { delayMs: 0, dropResponse: false };
 * ```
 */
export interface RequestFault {
  /** Wait this long first (ms). */
  delayMs: number;
  /** Answer with this HTTP status instead of handling the request. */
  status?: number;
  /** For a 429: when the window reopens (ms). */
  retryAfterMs?: number;
  /** Handle the request, then lose the response. */
  dropResponse: boolean;
  /** Handle the request, then answer 200 with a body that is not the venue's JSON. */
  garbleResponse?: boolean;
  /** With `garbleResponse`: which body (see {@linkcode FaultInjector.garble}). */
  garbleBody?: GarbleBody;
}

/**
 * What to send for one outgoing frame.
 *
 * @example
 * ```ts
 * import type { FrameFault } from "./faults.ts";
 * const f: FrameFault = { frames: ["{}"], close: false };
 * ```
 */
export interface FrameFault {
  /** Frames to send now, in order (may be empty, doubled, swapped or corrupted). */
  frames: string[];
  /** Close the connection after sending them. */
  close: boolean;
  /** The frame was withheld by a `silence` rule (the socket is half-open). */
  silenced?: boolean;
}

interface Live extends InstalledFault {
  seen: number;
  windowStart: number;
  windowCount: number;
  /** `silence`: sockets it holds silent. */
  captured: Set<number>;
  /** `silence`: sockets numbered from here on are replacements, left alone. */
  freshFrom: number;
}

/** Socket number the paper clients' streams use (they have no socket of their own). */
const NO_SOCKET = 0;

const NUMERIC = /^-?\d+(\.\d+)?$/;

/**
 * Turns a venue's answer into the given garbage. `"wrong_types"` keeps the JSON's shape but
 * gives every leaf the wrong type: a number becomes its string, a numeric string its number,
 * `true`/`false` their strings, `null` the number 0 — and, when `random()` < 0.5 for that leaf,
 * the leaf becomes `null` instead. A body that is not JSON becomes `null`.
 *
 * @param text The real answer.
 * @param body Which garbage.
 * @param random Source of the per-leaf choices of `"wrong_types"`, in [0, 1).
 * @returns The body to send.
 *
 * @example
 * ```ts
 * import { garbleBody } from "./faults.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * equal(garbleBody('{"price":"64000.5","size":2}', "wrong_types", () => 0.9), '{"price":64000.5,"size":"2"}');
 * equal(garbleBody('{"price":"64000.5","size":2}', "wrong_types", () => 0.1), '{"price":null,"size":null}');
 * equal(garbleBody('{"ok":true}', "truncated", Math.random), '{"ok"');
 * equal(garbleBody('{"ok":true}', "empty", Math.random), "");
 * ```
 */
export function garbleBody(text: string, body: GarbleBody, random: () => number): string {
  switch (body) {
    case "html":
      return "<html><body><h1>502 Bad Gateway</h1></body></html>";
    case "null":
      return "null";
    case "empty":
      return "";
    case "truncated":
      return text.slice(0, Math.floor(text.length / 2));
    case "wrong_types": {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return "null";
      }
      const flip = (v: unknown): unknown => {
        if (Array.isArray(v)) return v.map(flip);
        if (v !== null && typeof v === "object") {
          return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, flip(x)]));
        }
        if (random() < 0.5) return null;
        if (typeof v === "number") return String(v);
        if (typeof v === "string") return NUMERIC.test(v) ? Number(v) : null;
        if (typeof v === "boolean") return String(v);
        return 0;
      };
      return JSON.stringify(flip(value));
    }
  }
}

/** Whether a client message is a heartbeat ping (`"ping"`, or JSON whose type / op / method / event is "ping"). */
function isPing(message: string): boolean {
  const text = message.trim();
  if (text === "ping") return true;
  if (!text.startsWith("{") || text.length > 512) return false;
  try {
    const m = JSON.parse(text) as Record<string, unknown>;
    return [m.type, m.op, m.method, m.event].some((v) => v === "ping");
  } catch {
    return false;
  }
}

function matches(pattern: string | undefined, value: string): boolean {
  if (pattern === undefined || pattern === "*") return true;
  if (pattern.endsWith("*")) return value.startsWith(pattern.slice(0, -1));
  return pattern === value;
}

/**
 * Holds fault rules and decides, deterministically, which requests and frames they hit.
 *
 * @example A lost order acknowledgement, once
 * ```ts
 * import { FaultInjector } from "./faults.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const faults = new FaultInjector({ seed: 1 });
 * faults.inject({ kind: "drop_response", frontEnd: "grvt", target: "create_order", times: 1 });
 * deepStrictEqual(faults.onRequest("grvt", "create_order").dropResponse, true);
 * deepStrictEqual(faults.onRequest("grvt", "create_order").dropResponse, false);
 * deepStrictEqual(faults.onFrame("grvt", "book", "{}"), { frames: ["{}"], close: false });
 * ```
 */
export class FaultInjector {
  readonly #rng: Prng;
  readonly #clock: Clock;
  #rules: Live[] = [];
  #nextId = 0;
  #sockets = 0;
  readonly #held = new Map<string, string>();

  /**
   * Creates an injector with no rules.
   *
   * @param options `seed` for chance-based rules (@default {1}); `clock` for rate-limit windows
   * (@default {systemClock}).
   */
  constructor(options: { seed?: number; clock?: Clock } = {}) {
    this.#rng = new Prng(options.seed ?? 1);
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Installs a rule.
   *
   * @param rule The rule.
   * @returns Its id.
   * @throws {ConfigurationError} On an unknown kind or out-of-range option.
   */
  inject(rule: FaultRule): string {
    if (!KINDS.includes(rule.kind)) {
      throw new ConfigurationError(`Unknown fault kind '${rule.kind}'`);
    }
    if (rule.chance !== undefined && !(rule.chance >= 0 && rule.chance <= 1)) {
      throw new ConfigurationError(`Fault 'chance' must be within [0, 1]: got ${rule.chance}`);
    }
    if (rule.every !== undefined && !(Number.isInteger(rule.every) && rule.every >= 1)) {
      throw new ConfigurationError(`Fault 'every' must be a positive integer: got ${rule.every}`);
    }
    if (rule.status !== undefined && !(rule.status >= 400 && rule.status <= 599)) {
      throw new ConfigurationError(
        `Fault 'status' must be an HTTP error status: got ${rule.status}`,
      );
    }
    if (rule.body !== undefined && !GARBLE_BODIES.includes(rule.body)) {
      throw new ConfigurationError(
        `Fault 'body' must be one of ${GARBLE_BODIES.join(", ")}: got ${rule.body}`,
      );
    }
    if (rule.times !== undefined && !(rule.times >= 0)) {
      throw new ConfigurationError(`Fault 'times' must be non-negative: got ${rule.times}`);
    }
    const id = `f${++this.#nextId}`;
    this.#rules.push({
      ...rule,
      id,
      fired: 0,
      seen: 0,
      windowStart: -Infinity,
      windowCount: 0,
      captured: new Set(),
      freshFrom: Infinity,
    });
    return id;
  }

  /**
   * Removes rules.
   *
   * @param filter A rule id, or `{ frontEnd }` to remove that front-end's rules. @default {all rules}
   */
  clear(filter?: string | { frontEnd: string }): void {
    if (filter === undefined) this.#rules = [];
    else if (typeof filter === "string") this.#rules = this.#rules.filter((r) => r.id !== filter);
    else this.#rules = this.#rules.filter((r) => (r.frontEnd ?? "*") !== filter.frontEnd);
    if (filter === undefined) this.#held.clear();
  }

  /**
   * The installed rules.
   *
   * @returns Copies of the rules with their ids and fire counts.
   */
  rules(): InstalledFault[] {
    return this.#rules.map((
      { seen: _s, windowStart: _w, windowCount: _c, captured: _k, freshFrom: _f, ...r },
    ) => ({ ...r }));
  }

  #fires(rule: Live): boolean {
    if (rule.times !== undefined && rule.fired >= rule.times) return false;
    rule.seen++;
    if (rule.every !== undefined && rule.seen % rule.every !== 0) return false;
    if (rule.chance !== undefined && rule.chance < 1) {
      if (this.#rng.nextU32() >= rule.chance * 4294967296) return false;
    }
    rule.fired++;
    return true;
  }

  /**
   * Decides the fate of one request.
   *
   * @param frontEnd Front-end name.
   * @param endpoint Endpoint name (path or RPC method).
   * @returns Delay, error status or lost response.
   */
  onRequest(frontEnd: string, endpoint: string): RequestFault {
    const out: RequestFault = { delayMs: 0, dropResponse: false };
    for (const rule of this.#rules) {
      if (!REQUEST_KINDS.has(rule.kind)) continue;
      if (!matches(rule.frontEnd, frontEnd) || !matches(rule.target, endpoint)) continue;
      if (rule.kind === "rate_limit") {
        const now = this.#clock.now();
        const windowMs = rule.windowMs ?? 1_000;
        // Fixed windows aligned to multiples of windowMs, like most venues' counters.
        const windowStart = now - (now % windowMs);
        if (windowStart !== rule.windowStart) {
          rule.windowStart = windowStart;
          rule.windowCount = 0;
        }
        rule.windowCount++;
        if (
          rule.windowCount > (rule.limit ?? 10) && out.status === undefined && this.#fires(rule)
        ) {
          out.status = 429;
          out.retryAfterMs = rule.windowStart + windowMs - now;
        }
        continue;
      }
      if (!this.#fires(rule)) continue;
      if (rule.kind === "latency") out.delayMs += rule.delayMs ?? 100;
      else if (rule.kind === "error") out.status ??= rule.status ?? 503;
      else if (rule.kind === "drop_response") out.dropResponse = true;
      else if (rule.kind === "garble_response") {
        out.garbleResponse = true;
        out.garbleBody ??= rule.body ?? "html";
      }
    }
    return out;
  }

  /**
   * The garbage a `garble_response` answers with (see {@linkcode garbleBody}); `"wrong_types"`
   * draws its per-leaf choices from this injector's seeded generator.
   *
   * @param body Which garbage.
   * @param text The real answer.
   * @returns The body to send.
   */
  garble(body: GarbleBody, text: string): string {
    return garbleBody(text, body, () => this.#rng.float());
  }

  /**
   * Numbers a new socket, for `silence` (the server harness calls this for every WebSocket it
   * accepts). Numbers grow, so a socket opened after another closed is known as its replacement.
   *
   * @returns The socket's number.
   */
  openSocket(): number {
    return ++this.#sockets;
  }

  /**
   * Notes that a socket closed: it is no longer silenced, and sockets opened from now on replace
   * it (fresh, unless the `silence` rule persists).
   *
   * @param socket The number from {@linkcode FaultInjector.openSocket}.
   */
  closeSocket(socket: number): void {
    for (const rule of this.#rules) {
      if (!rule.captured.delete(socket)) continue;
      if (!rule.persist) rule.freshFrom = Math.min(rule.freshFrom, this.#sockets + 1);
    }
  }

  /**
   * Whether a `silence` rule holds this socket silent (its pings then go unanswered).
   *
   * @param socket The socket's number.
   * @returns True while silenced.
   */
  isSilenced(socket: number): boolean {
    return this.#rules.some((r) => r.captured.has(socket));
  }

  /**
   * Whether an incoming client message is to be ignored: a ping on a silenced socket.
   *
   * @param socket The socket's number.
   * @param message The client's message.
   * @returns True to drop it unanswered.
   */
  ignoresMessage(socket: number, message: string): boolean {
    return this.isSilenced(socket) && isPing(message);
  }

  #silences(rule: Live, socket: number): boolean {
    if (rule.captured.has(socket)) return true;
    if (socket >= rule.freshFrom) return false;
    if (!this.#fires(rule)) return false;
    rule.captured.add(socket);
    return true;
  }

  /**
   * Decides what to send for one outgoing frame. A frame held back by `reorder` is sent after
   * the next frame of the same stream.
   *
   * @param frontEnd Front-end name.
   * @param stream Stream (channel) name.
   * @param frame The serialized frame.
   * @param socket The socket's number (from {@linkcode FaultInjector.openSocket}). @default {0:
   * one implicit connection, as the paper clients have}
   * @returns Frames to send now and whether to close the connection.
   */
  onFrame(frontEnd: string, stream: string, frame: string, socket = NO_SOCKET): FrameFault {
    for (const rule of this.#rules) {
      if (rule.kind !== "silence") continue;
      if (!matches(rule.frontEnd, frontEnd) || !matches(rule.target, stream)) continue;
      if (this.#silences(rule, socket)) return { frames: [], close: false, silenced: true };
    }
    const key = `${frontEnd}\u0000${stream}`;
    const held = this.#held.get(key);
    if (held !== undefined) {
      this.#held.delete(key);
      return { frames: [frame, held], close: false };
    }
    for (const rule of this.#rules) {
      if (REQUEST_KINDS.has(rule.kind) || rule.kind === "silence") continue;
      if (!matches(rule.frontEnd, frontEnd) || !matches(rule.target, stream)) continue;
      if (!this.#fires(rule)) continue;
      switch (rule.kind) {
        case "gap":
          return { frames: [], close: false };
        case "duplicate":
          return { frames: [frame, frame], close: false };
        case "reorder":
          this.#held.set(key, frame);
          return { frames: [], close: false };
        case "malformed":
          return {
            frames: [frame.slice(0, Math.max(1, frame.length >> 1)) + "\u0001"],
            close: false,
          };
        case "drop_connection":
          return { frames: [], close: true };
      }
    }
    return { frames: [frame], close: false };
  }

  /**
   * Releases a frame held by `reorder` (for example when the stream goes quiet).
   *
   * @param frontEnd Front-end name.
   * @param stream Stream name.
   * @returns The held frame, if any.
   */
  flush(frontEnd: string, stream: string): string[] {
    const key = `${frontEnd}\u0000${stream}`;
    const held = this.#held.get(key);
    this.#held.delete(key);
    return held === undefined ? [] : [held];
  }
}
