/**
 * Fault injection for the venue replicas. Front-ends (through the server harness) consult a
 * {@linkcode FaultInjector} for every request and every outgoing WebSocket frame; rules are
 * switched per front-end and per endpoint / stream, and every random choice is seeded.
 *
 * Request faults: `latency`, `rate_limit` (429 after `limit` requests per `windowMs`),
 * `error` (an HTTP status, 503 by default), `drop_response` (the request is processed, the
 * response is lost: tests idempotent retries), `garble_response` (the request is processed, the
 * answer is a 200 whose body is not the venue's JSON: an HTML error page from a proxy). Frame faults: `gap` (drop a frame → sequence
 * gap), `duplicate`, `reorder` (swap with the next frame), `malformed` (truncate the frame),
 * `drop_connection` (close the socket).
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
  | "drop_connection";

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
}

interface Live extends InstalledFault {
  seen: number;
  windowStart: number;
  windowCount: number;
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
    const kinds: FaultKind[] = [
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
    ];
    if (!kinds.includes(rule.kind)) {
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
    const id = `f${++this.#nextId}`;
    this.#rules.push({ ...rule, id, fired: 0, seen: 0, windowStart: -Infinity, windowCount: 0 });
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
    return this.#rules.map(({ seen: _s, windowStart: _w, windowCount: _c, ...r }) => ({ ...r }));
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
      else if (rule.kind === "garble_response") out.garbleResponse = true;
    }
    return out;
  }

  /**
   * Decides what to send for one outgoing frame. A frame held back by `reorder` is sent after
   * the next frame of the same stream.
   *
   * @param frontEnd Front-end name.
   * @param stream Stream (channel) name.
   * @param frame The serialized frame.
   * @returns Frames to send now and whether to close the connection.
   */
  onFrame(frontEnd: string, stream: string, frame: string): FrameFault {
    const key = `${frontEnd}\u0000${stream}`;
    const held = this.#held.get(key);
    if (held !== undefined) {
      this.#held.delete(key);
      return { frames: [frame, held], close: false };
    }
    for (const rule of this.#rules) {
      if (REQUEST_KINDS.has(rule.kind)) continue;
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
