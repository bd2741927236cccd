/**
 * Helpers for the entry points: logging setup with secret redaction, and notifications
 * (Telegram Bot API, Lark / Feishu webhook; {@linkcode Notifications} never throws). LogTape is
 * configured once by the program that runs; library code only calls `getLogger(["perp", …])`.
 *
 * @example
 * ```ts
 * import { getLogger } from "@logtape/logtape";
 * import assert from "node:assert/strict";
 * import { resetLogging, setupLogging } from "./mod.ts";
 *
 * const lines: string[] = [];
 * await setupLogging({ level: "debug", write: (line) => lines.push(line) });
 * getLogger(["perp", "bot"]).debug("GET /account?api_key=abc123def");
 * await resetLogging();
 * assert.ok(lines[0].endsWith("perp.bot: GET /account?api_key=[REDACTED]\n"));
 * ```
 *
 * @module
 */
export * from "./logging.ts";
export * from "./notifier.ts";
export * from "./telegram.ts";
export * from "./lark.ts";
