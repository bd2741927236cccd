/**
 * Lark / Feishu flow-webhook notifications.
 *
 * @module
 */
import { registerSecret } from "../core/redact.ts";
import { postJson } from "./_http_post.ts";
import type { Notifier } from "./notifier.ts";

/** Feishu's webhook host, as used by the original bot. */
export const LARK_DEFAULT_BASE_URL = "https://www.feishu.cn";

/**
 * Options of {@linkcode LarkNotifier}.
 *
 * @example
 * ```ts
 * import type { LarkOptions } from "./lark.ts";
 * const o: LarkOptions = { token: "lark-webhook-token" };
 * ```
 */
export interface LarkOptions {
  /** Webhook token (`LARK_TOKEN`); registered as a secret. */
  token: string;
  /** Webhook host. @default {"https://www.feishu.cn"} */
  baseUrl?: string;
  /** HTTP client. @default {globalThis.fetch} */
  fetch?: typeof fetch;
  /** Request timeout in ms. @default {5000} */
  timeoutMs?: number;
}

/**
 * Sends text messages to a Lark / Feishu flow webhook
 * (`POST {baseUrl}/flow/api/trigger-webhook/{token}` with
 * `{"msg_type":"text","content":{"text":…}}`). HTTP ≠ 200 or a non-zero `code` rejects; the
 * token never appears in errors.
 *
 * @example Against a local server
 * ```ts
 * import { LarkNotifier } from "./lark.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const seen: unknown[] = [];
 * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
 *   seen.push(await req.json());
 *   return Response.json({ code: 0 });
 * });
 * const lark = new LarkNotifier({
 *   token: "lark-doc-token",
 *   baseUrl: `http://127.0.0.1:${server.addr.port}`,
 * });
 * await lark.send("hello");
 * deepEqual(seen, [{ msg_type: "text", content: { text: "hello" } }]);
 * ```
 */
export class LarkNotifier implements Notifier {
  /** Channel name. */
  readonly name: string = "lark";
  readonly #token: string;
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch | undefined;
  readonly #timeoutMs: number | undefined;

  /**
   * Creates the channel.
   *
   * @param options Token and host.
   * @throws {RangeError} If the token is empty.
   */
  constructor(options: LarkOptions) {
    if (options.token.trim() === "") throw new RangeError("Lark needs a webhook token");
    registerSecret(options.token);
    this.#token = options.token.trim();
    this.#baseUrl = (options.baseUrl ?? LARK_DEFAULT_BASE_URL).replace(/\/+$/, "");
    this.#fetch = options.fetch;
    this.#timeoutMs = options.timeoutMs;
  }

  /**
   * Sends one message.
   *
   * @param text The message.
   * @param options `signal` aborts the request.
   * @returns Resolves once the webhook accepted it.
   * @throws {Error} When the request fails, the status is not 200 or `code` is not 0.
   */
  async send(text: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    const { status, body } = await postJson(
      `${this.#baseUrl}/flow/api/trigger-webhook/${encodeURIComponent(this.#token)}`,
      { msg_type: "text", content: { text } },
      { what: "Lark webhook", fetch: this.#fetch, timeoutMs: this.#timeoutMs, ...options },
    );
    const answer = body as { code?: unknown; msg?: unknown } | undefined;
    const code = answer?.code;
    if (status !== 200 || (code !== undefined && code !== 0 && code !== "0")) {
      const why = typeof answer?.msg === "string" ? `: ${answer.msg}` : "";
      const codeText = code === undefined ? "" : ` code ${String(code)}`;
      throw new Error(`Lark webhook failed: HTTP ${status}${codeText}${why}`);
    }
  }
}
