/**
 * Telegram Bot API notifications: `sendMessage` to one chat.
 *
 * @module
 */
import { registerSecret } from "../core/redact.ts";
import { postJson } from "./_http_post.ts";
import type { Notifier } from "./notifier.ts";

/** Telegram's API host. */
export const TELEGRAM_DEFAULT_BASE_URL = "https://api.telegram.org";

/**
 * Options of {@linkcode TelegramNotifier}.
 *
 * @example
 * ```ts
 * import type { TelegramOptions } from "./telegram.ts";
 * const o: TelegramOptions = { token: "123:abc-token", chatId: "-1001" };
 * ```
 */
export interface TelegramOptions {
  /** Bot token (`TELEGRAM_BOT_TOKEN`); registered as a secret. */
  token: string;
  /** Chat id (`TELEGRAM_CHAT_ID`). */
  chatId: string;
  /** API host. @default {"https://api.telegram.org"} */
  baseUrl?: string;
  /** HTTP client. @default {globalThis.fetch} */
  fetch?: typeof fetch;
  /** Request timeout in ms. @default {5000} */
  timeoutMs?: number;
}

/**
 * Sends plain-text messages through the Telegram Bot API
 * (`POST {baseUrl}/bot{token}/sendMessage` with `{chat_id, text}`). A refusal (`ok: false`)
 * or an HTTP error rejects with the API's description; the token never appears in errors.
 *
 * @example Against a local server
 * ```ts
 * import { TelegramNotifier } from "./telegram.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const seen: unknown[] = [];
 * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
 *   seen.push(await req.json());
 *   return Response.json({ ok: true, result: {} });
 * });
 * const telegram = new TelegramNotifier({
 *   token: "42:doc-example-token",
 *   chatId: "1001",
 *   baseUrl: `http://127.0.0.1:${server.addr.port}`,
 * });
 * await telegram.send("hello");
 * deepEqual(seen, [{ chat_id: "1001", text: "hello" }]);
 * ```
 */
export class TelegramNotifier implements Notifier {
  /** Channel name. */
  readonly name: string = "telegram";
  readonly #token: string;
  readonly #chatId: string;
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch | undefined;
  readonly #timeoutMs: number | undefined;

  /**
   * Creates the channel.
   *
   * @param options Token, chat and host.
   * @throws {RangeError} If the token or chat id is empty.
   */
  constructor(options: TelegramOptions) {
    if (options.token.trim() === "") throw new RangeError("Telegram needs a bot token");
    if (options.chatId.trim() === "") throw new RangeError("Telegram needs a chat id");
    registerSecret(options.token);
    this.#token = options.token.trim();
    this.#chatId = options.chatId.trim();
    this.#baseUrl = (options.baseUrl ?? TELEGRAM_DEFAULT_BASE_URL).replace(/\/+$/, "");
    this.#fetch = options.fetch;
    this.#timeoutMs = options.timeoutMs;
  }

  /**
   * Sends one message.
   *
   * @param text The message (plain text).
   * @param options `signal` aborts the request.
   * @returns Resolves once Telegram accepted it.
   * @throws {Error} When the request fails or Telegram answers `ok: false`.
   */
  async send(text: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    const { status, body } = await postJson(
      `${this.#baseUrl}/bot${this.#token}/sendMessage`,
      { chat_id: this.#chatId, text },
      { what: "Telegram sendMessage", fetch: this.#fetch, timeoutMs: this.#timeoutMs, ...options },
    );
    const answer = body as { ok?: unknown; description?: unknown } | undefined;
    if (status !== 200 || answer?.ok !== true) {
      const why = typeof answer?.description === "string" ? `: ${answer.description}` : "";
      throw new Error(`Telegram sendMessage failed: HTTP ${status}${why}`);
    }
  }
}
