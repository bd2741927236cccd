/**
 * Notifications: one {@linkcode Notifier} per channel (Telegram, Lark) and
 * {@linkcode Notifications}, which fans a message out to every channel and never throws — a
 * failing notifier is logged and trading goes on.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { redact, registerSecret } from "../core/redact.ts";
import { LarkNotifier } from "./lark.ts";
import { TelegramNotifier } from "./telegram.ts";

/**
 * One notification channel.
 *
 * @example
 * ```ts
 * import type { Notifier } from "./notifier.ts";
 * const sent: string[] = [];
 * const memory: Notifier = { name: "memory", send: (text) => (sent.push(text), Promise.resolve()) };
 * ```
 */
export interface Notifier {
  /** Channel name for logs (`"telegram"`, `"lark"`). */
  readonly name: string;
  /** Sends one text message; rejects when the channel refused or could not be reached. */
  send(text: string, options?: { signal?: AbortSignal }): Promise<void>;
}

/**
 * Outcome of one message on one channel.
 *
 * @example
 * ```ts
 * import type { NotifyOutcome } from "./notifier.ts";
 * const o: NotifyOutcome = { channel: "lark", ok: false, error: "HTTP 500" };
 * ```
 */
export interface NotifyOutcome {
  /** Channel name. */
  channel: string;
  /** Whether the channel accepted the message. */
  ok: boolean;
  /** Why it failed (secrets masked). */
  error?: string;
}

/**
 * Sends each message to every channel, concurrently. Never throws: a failure is logged as a
 * warning (with secrets masked) and reported in the result.
 *
 * @example
 * ```ts
 * import { Notifications } from "./notifier.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const sent: string[] = [];
 * const notifications = new Notifications([
 *   { name: "memory", send: (text) => (sent.push(text), Promise.resolve()) },
 *   { name: "broken", send: () => Promise.reject(new Error("down")) },
 * ]);
 * const outcomes = await notifications.notify("bot started");
 * deepEqual(sent, ["bot started"]);
 * deepEqual(outcomes.map((o) => o.ok), [true, false]);
 * ```
 */
export class Notifications {
  /** The channels. */
  readonly notifiers: readonly Notifier[];

  /**
   * Wraps channels.
   *
   * @param notifiers The channels; none is fine (every message is then only logged).
   */
  constructor(notifiers: readonly Notifier[]) {
    this.notifiers = notifiers;
  }

  /**
   * Sends a message to every channel.
   *
   * @param text The message.
   * @param options `signal` aborts the requests.
   * @returns One outcome per channel, in order.
   */
  async notify(text: string, options: { signal?: AbortSignal } = {}): Promise<NotifyOutcome[]> {
    const log = getLogger(["perp", "notify"]);
    return await Promise.all(this.notifiers.map(async (n) => {
      try {
        await n.send(text, options);
        return { channel: n.name, ok: true };
      } catch (error) {
        const message = redact(error instanceof Error ? error.message : String(error));
        log.warn("Notification via {channel} failed: {error}", { channel: n.name, error: message });
        return { channel: n.name, ok: false, error: message };
      }
    }));
  }
}

/** Reads one environment variable; `undefined` when unset. */
export type NotifierEnv = (name: string) => string | undefined;

/**
 * Options of {@linkcode notifiersFromEnv}.
 *
 * @example
 * ```ts
 * import type { NotifiersFromEnvOptions } from "./notifier.ts";
 * const o: NotifiersFromEnvOptions = { timeoutMs: 2_000 };
 * ```
 */
export interface NotifiersFromEnvOptions {
  /** HTTP client. @default {globalThis.fetch} */
  fetch?: typeof fetch;
  /** Per-request timeout in ms. @default {5000} */
  timeoutMs?: number;
}

/**
 * The channels configured in the environment, as in the original bot: Telegram when
 * `TELEGRAM_BOT_TOKEN` and `TELEGRAM_CHAT_ID` are both set, Lark when `LARK_TOKEN` is set.
 * `TELEGRAM_BASE_URL` and `LARK_BASE_URL` override the API hosts. Every token is registered
 * as a secret, so it is masked in every log line and error.
 *
 * @param env Reads a variable.
 * @param options HTTP client and timeout.
 * @returns The configured channels (possibly none).
 *
 * @example
 * ```ts
 * import { notifiersFromEnv } from "./notifier.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const vars: Record<string, string> = { LARK_TOKEN: "lark-doc-token-1234" };
 * deepEqual(notifiersFromEnv((n) => vars[n]).map((n) => n.name), ["lark"]);
 * ```
 */
export function notifiersFromEnv(
  env: NotifierEnv,
  options: NotifiersFromEnvOptions = {},
): Notifier[] {
  const get = (name: string) => {
    const v = env(name)?.trim();
    return v === undefined || v === "" ? undefined : v;
  };
  const out: Notifier[] = [];
  const tgToken = get("TELEGRAM_BOT_TOKEN");
  const tgChat = get("TELEGRAM_CHAT_ID");
  if (tgToken !== undefined && tgChat !== undefined) {
    registerSecret(tgToken);
    out.push(
      new TelegramNotifier({
        token: tgToken,
        chatId: tgChat,
        baseUrl: get("TELEGRAM_BASE_URL"),
        fetch: options.fetch,
        timeoutMs: options.timeoutMs,
      }),
    );
  }
  const larkToken = get("LARK_TOKEN");
  if (larkToken !== undefined) {
    registerSecret(larkToken);
    out.push(
      new LarkNotifier({
        token: larkToken,
        baseUrl: get("LARK_BASE_URL"),
        fetch: options.fetch,
        timeoutMs: options.timeoutMs,
      }),
    );
  }
  return out;
}
