/**
 * Logging setup for the entry points. LogTape is configured once, by the program that runs
 * (`cli.ts`); library code only asks for a logger under the `"perp"` root category:
 *
 * ```ts ignore
 * import { getLogger } from "@logtape/logtape";
 * const log = getLogger(["perp", "grvt"]);
 * ```
 *
 * Every line that leaves a sink has been passed through {@linkcode redact}: interpolated
 * values and properties are cleaned with {@linkcode redactValue} first (so a property named
 * `apiKey` is masked whole), then the rendered line is cleaned again, so a registered secret or
 * an `api_key=…` never reaches the terminal or the activity log.
 *
 * @module
 */
import {
  configure,
  type FormattedValues,
  getTextFormatter,
  type LogLevel as LogTapeLevel,
  type LogRecord,
  reset,
  sanitizeControlSequences,
  type Sink,
  type TextFormatter,
  withFilter,
} from "@logtape/logtape";
import { redact, redactValue } from "../core/redact.ts";

/** A log level name, least to most severe; the same names as LogTape's. */
export type LogLevel = LogTapeLevel;

/**
 * The fields of a LogTape log record that {@linkcode formatLogRecord} reads. Every LogTape
 * `LogRecord` fits.
 */
export interface LogRecordLike {
  /** Logger category, e.g. `["perp", "grvt"]`. */
  readonly category: readonly string[];
  /** Severity. */
  readonly level: LogLevel;
  /** Message parts: text at even indexes, interpolated values at odd ones. */
  readonly message: readonly unknown[];
  /** The template as written by the caller. */
  readonly rawMessage: string | TemplateStringsArray;
  /** Milliseconds since the Unix epoch. */
  readonly timestamp: number;
  /** Structured properties. */
  readonly properties: Record<string, unknown>;
}

/** The root logger category of this package; every logger lives under it. */
export const ROOT_CATEGORY = "perp";

/**
 * The accepted log levels, least severe first.
 *
 * @example
 * ```ts
 * import { LOG_LEVELS } from "./logging.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(LOG_LEVELS.join(","), "trace,debug,info,warning,error,fatal");
 * ```
 */
export const LOG_LEVELS: readonly LogLevel[] = Object.freeze([
  "trace",
  "debug",
  "info",
  "warning",
  "error",
  "fatal",
]);

/** Level used when neither the option nor the environment names one. */
export const DEFAULT_LOG_LEVEL: LogLevel = "info";

/** Environment variables read for the level, first match wins. */
export const LOG_LEVEL_ENV_VARS: readonly string[] = Object.freeze(["PERP_LOG_LEVEL", "LOG_LEVEL"]);

/**
 * Checks a log level name (case-insensitive) and returns it in LogTape's spelling.
 *
 * @param value The name to check, e.g. `"debug"` or `"WARNING"`.
 * @param source What the value came from, used in the error message (`"--log-level"`,
 *   `"PERP_LOG_LEVEL"`).
 * @returns The log level.
 * @throws {RangeError} If the value is not one of {@linkcode LOG_LEVELS}; the message reads
 *   `<source> must be one of trace, debug, info, warning, error, fatal (got "<value>")`.
 *
 * @example
 * ```ts
 * import { parseLogLevel } from "./logging.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseLogLevel("WARNING"), "warning");
 * assert.throws(() => parseLogLevel("loud", "--log-level"), RangeError);
 * ```
 */
export function parseLogLevel(value: string, source = "log level"): LogLevel {
  const lower = value.trim().toLowerCase();
  const found = LOG_LEVELS.find((level) => level === lower);
  if (found === undefined) {
    throw new RangeError(
      `${source} must be one of ${LOG_LEVELS.join(", ")} (got ${JSON.stringify(value)})`,
    );
  }
  return found;
}

/** Reads one environment variable; `undefined` when unset or when env access is not allowed. */
export type EnvGetter = (name: string) => string | undefined;

function denoEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    // Without --allow-env the variable is treated as unset rather than failing the program.
    return undefined;
  }
}

/** Options for {@linkcode resolveLogLevel}. */
export interface ResolveLogLevelOptions {
  /**
   * Reads environment variables.
   * @default {Deno.env.get, treating a missing permission as unset}
   */
  env?: EnvGetter;
}

/**
 * Picks the log level: the given one, else `PERP_LOG_LEVEL`, else `LOG_LEVEL`, else `"info"`.
 * Empty strings count as unset.
 *
 * @param level The explicitly requested level (e.g. from `--log-level`), if any.
 * @param options Where environment variables are read from.
 * @returns The validated level.
 * @throws {RangeError} If the chosen value is not a valid level; the message names its source.
 *
 * @example
 * ```ts
 * import { resolveLogLevel } from "./logging.ts";
 * import assert from "node:assert/strict";
 *
 * const env = (name: string) => (name === "LOG_LEVEL" ? "DEBUG" : undefined);
 * assert.equal(resolveLogLevel(undefined, { env }), "debug");
 * assert.equal(resolveLogLevel("error", { env }), "error");
 * assert.equal(resolveLogLevel(undefined, { env: () => undefined }), "info");
 * ```
 */
export function resolveLogLevel(
  level?: string,
  options: ResolveLogLevelOptions = {},
): LogLevel {
  if (level !== undefined && level !== "") return parseLogLevel(level, "log level");
  const env = options.env ?? denoEnv;
  for (const name of LOG_LEVEL_ENV_VARS) {
    const value = env(name);
    if (value !== undefined && value.trim() !== "") return parseLogLevel(value, name);
  }
  return DEFAULT_LOG_LEVEL;
}

function renderValue(value: unknown, inspect: (value: unknown) => string): string {
  if (typeof value === "string") {
    return sanitizeControlSequences(redact(value), { newlines: "escape" });
  }
  if (value instanceof Error) return redact(inspect(value));
  return inspect(redactValue(value));
}

function placeholders(raw: string | TemplateStringsArray): Set<string> {
  if (typeof raw !== "string") return new Set();
  return new Set([...raw.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]));
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/** Properties that the message did not already show, as one redacted JSON object. */
function renderProperties(record: LogRecordLike): string {
  const used = placeholders(record.rawMessage);
  const rest: Record<string, unknown> = {};
  let any = false;
  for (const [key, value] of Object.entries(record.properties)) {
    if (used.has(key)) continue;
    rest[key] = value instanceof Error ? `${value.name}: ${value.message}` : value;
    any = true;
  }
  if (!any) return "";
  try {
    return " " + JSON.stringify(redactValue(rest), jsonReplacer);
  } catch {
    return " {…}";
  }
}

const baseFormatter: TextFormatter = getTextFormatter({
  timestamp: "rfc3339",
  level: "FULL",
  category: ".",
  value: renderValue,
  format: ({ timestamp, level, category, message, record }: FormattedValues) =>
    `${timestamp} ${level.padEnd(7)} ${category}: ${message}${renderProperties(record)}`,
});

/**
 * Formats a log record as one text line, `ISO-time LEVEL category: message {properties}`,
 * ending in a newline, with every secret masked. Properties not used by the message are
 * appended as JSON.
 *
 * @param record The LogTape record.
 * @returns The redacted line, newline-terminated.
 *
 * @example
 * ```ts
 * import { formatLogRecord } from "./logging.ts";
 * import assert from "node:assert/strict";
 *
 * const line = formatLogRecord({
 *   category: ["perp", "grvt"],
 *   level: "info",
 *   message: ["GET /orders?api_key=abc123def"],
 *   rawMessage: "GET /orders?api_key=abc123def",
 *   timestamp: Date.UTC(2025, 0, 2, 3, 4, 5),
 *   properties: { apiKey: "k-123456", market: "BTC" },
 * });
 * assert.equal(
 *   line,
 *   '2025-01-02T03:04:05.000Z INFO    perp.grvt: GET /orders?api_key=[REDACTED] ' +
 *     '{"apiKey":"[REDACTED]","market":"BTC"}\n',
 * );
 * ```
 */
export function formatLogRecord(record: LogRecordLike): string {
  return redact(baseFormatter(record));
}

function writeAllSync(
  target: { writeSync(p: Uint8Array): number },
  bytes: Uint8Array,
): void {
  let offset = 0;
  while (offset < bytes.length) offset += target.writeSync(bytes.subarray(offset));
}

const encoder = new TextEncoder();

function stderrWriter(line: string): void {
  writeAllSync(Deno.stderr, encoder.encode(line));
}

function lineSink(write: (line: string) => void): Sink {
  return (record) => write(formatLogRecord(record));
}

function dirnameOf(path: string): string {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return i > 0 ? path.slice(0, i) : "";
}

/** Default size at which the activity log is rotated: 10 MB. */
export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024;

/** Default number of rotated activity-log files kept besides the current one. */
export const DEFAULT_LOG_FILES = 5;

/**
 * A line writer that appends to a file and rotates it by size: once the next line would take
 * the file past `maxBytes`, `path` becomes `path.1` (`path.1` becomes `path.2` …, the oldest
 * beyond `maxFiles` is deleted) and a fresh `path` is started. A single line longer than
 * `maxBytes` still goes out whole. Writes are synchronous, so nothing is lost when the program
 * exits right after logging.
 *
 * @param path The file; its folder is created.
 * @param options `maxBytes` (default {@linkcode DEFAULT_LOG_MAX_BYTES}) and `maxFiles`, the
 *   rotated files kept (default {@linkcode DEFAULT_LOG_FILES}; 0 keeps none).
 * @returns `write(line)` and `close()`.
 *
 * @example
 * ```ts
 * import { rotatingFileWriter } from "./logging.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const w = rotatingFileWriter(`${dir}/a.log`, { maxBytes: 10, maxFiles: 2 });
 * for (const line of ["first\n", "second\n", "third\n", "fourth\n"]) w.write(line);
 * w.close();
 * equal(await Deno.readTextFile(`${dir}/a.log`), "fourth\n");
 * equal(await Deno.readTextFile(`${dir}/a.log.1`), "third\n");
 * equal(await Deno.readTextFile(`${dir}/a.log.2`), "second\n");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function rotatingFileWriter(
  path: string,
  options: { maxBytes?: number; maxFiles?: number } = {},
): { write(line: string): void; close(): void } {
  const maxBytes = options.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
  const maxFiles = options.maxFiles ?? DEFAULT_LOG_FILES;
  if (!(maxBytes > 0)) throw new RangeError("maxBytes must be positive");
  if (!(Number.isInteger(maxFiles) && maxFiles >= 0)) {
    throw new RangeError("maxFiles must be a whole number");
  }
  const dir = dirnameOf(path);
  if (dir !== "") Deno.mkdirSync(dir, { recursive: true });
  let file: Deno.FsFile | undefined = Deno.openSync(path, { append: true, create: true });
  let size = file.statSync().size;
  const rotate = () => {
    file?.close();
    try {
      Deno.removeSync(maxFiles === 0 ? path : `${path}.${maxFiles}`);
    } catch {
      // Nothing to drop yet.
    }
    for (let n = maxFiles - 1; n >= 1; n--) {
      try {
        Deno.renameSync(`${path}.${n}`, `${path}.${n + 1}`);
      } catch {
        // A gap in the numbering.
      }
    }
    if (maxFiles > 0) Deno.renameSync(path, `${path}.1`);
    file = Deno.openSync(path, { append: true, create: true });
    size = 0;
  };
  return {
    write(line: string): void {
      if (file === undefined) return;
      const bytes = encoder.encode(line);
      if (size > 0 && size + bytes.length > maxBytes) rotate();
      writeAllSync(file!, bytes);
      size += bytes.length;
    },
    close(): void {
      file?.close();
      file = undefined;
    },
  };
}

/**
 * A sink that appends redacted lines to a rotating file ({@linkcode rotatingFileWriter}); the
 * file is closed when LogTape disposes the sink ({@linkcode resetLogging}).
 */
function fileSink(
  path: string,
  options: { maxBytes?: number; maxFiles?: number },
): Sink & Disposable {
  const writer = rotatingFileWriter(path, options);
  const sink = ((record: LogRecord) => {
    writer.write(formatLogRecord(record));
  }) as Sink & Disposable;
  sink[Symbol.dispose] = () => writer.close();
  return sink;
}

/** Options for {@linkcode setupLogging}. */
export interface SetupLoggingOptions {
  /**
   * Lowest level written to the console (and the file unless `fileLevel` is given).
   * When absent: env `PERP_LOG_LEVEL`, then `LOG_LEVEL`, then `"info"`.
   * @default {"info"}
   */
  level?: string;
  /**
   * Path of the activity log. Lines are appended; the file and its folder are created.
   * @default {no file}
   */
  file?: string;
  /**
   * Lowest level written to the file.
   * @default {the console level}
   */
  fileLevel?: string;
  /** Size at which the file is rotated, bytes. @default {DEFAULT_LOG_MAX_BYTES (10 MB)} */
  maxFileBytes?: number;
  /** Rotated files kept besides the current one. @default {DEFAULT_LOG_FILES (5)} */
  maxFiles?: number;
  /**
   * Receives each console line (newline-terminated). Tests pass a capturing function.
   * @default {a synchronous write to stderr}
   */
  write?: (line: string) => void;
  /**
   * Reads environment variables.
   * @default {Deno.env.get, treating a missing permission as unset}
   */
  env?: EnvGetter;
}

/**
 * Configures LogTape for the whole process: a console sink on stderr and optionally an
 * activity-log file, both writing redacted text lines, for every logger under `"perp"`.
 * Calling it again replaces the previous configuration. Only entry points call this.
 *
 * @param options Level, optional file and where the console lines go.
 * @returns The console level in effect.
 * @throws {RangeError} If the level (from the option or the environment) is not a valid level.
 *
 * @example
 * ```ts
 * import { getLogger } from "@logtape/logtape";
 * import { registerSecret } from "../core/redact.ts";
 * import { resetLogging, setupLogging } from "./logging.ts";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * await setupLogging({ level: "info", write: (line) => lines.push(line) });
 * registerSecret("0xfeedface-key");
 * getLogger(["perp", "example"]).info("signed with 0xfeedface-key");
 * await resetLogging();
 * assert.ok(lines[0].endsWith("perp.example: signed with [REDACTED]\n"));
 * ```
 */
export async function setupLogging(options: SetupLoggingOptions = {}): Promise<LogLevel> {
  const level = resolveLogLevel(options.level, { env: options.env });
  const fileLevel = options.fileLevel === undefined || options.fileLevel === ""
    ? level
    : parseLogLevel(options.fileLevel, "file log level");
  const lowest = LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(fileLevel) ? level : fileLevel;
  const sinks: Record<string, Sink> = {
    console: withFilter(lineSink(options.write ?? stderrWriter), level),
  };
  const perpSinks = ["console"];
  if (options.file !== undefined && options.file !== "") {
    sinks.file = withFilter(
      fileSink(options.file, { maxBytes: options.maxFileBytes, maxFiles: options.maxFiles }),
      fileLevel,
    );
    perpSinks.push("file");
  }
  await configure({
    reset: true,
    sinks,
    loggers: [
      { category: [ROOT_CATEGORY], sinks: perpSinks, lowestLevel: lowest },
      // LogTape's own diagnostics (a sink that throws …) go to the console, quietly.
      { category: ["logtape", "meta"], sinks: ["console"], lowestLevel: "warning" },
    ],
  });
  return level;
}

/**
 * Removes the logging configuration and closes the activity-log file. For tests, and for an
 * entry point that is about to return.
 *
 * @returns A promise that settles once every sink is disposed.
 *
 * @example
 * ```ts
 * import { resetLogging, setupLogging } from "./logging.ts";
 *
 * await setupLogging({ level: "error", write: () => {} });
 * await resetLogging();
 * ```
 */
export async function resetLogging(): Promise<void> {
  await reset();
}
