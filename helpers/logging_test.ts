import { getLogger } from "@logtape/logtape";
import assert from "node:assert/strict";
import { registerSecret } from "../core/redact.ts";
import {
  DEFAULT_LOG_LEVEL,
  parseLogLevel,
  resetLogging,
  resolveLogLevel,
  setupLogging,
} from "./logging.ts";

const SECRET = "sk-logging-test-7f3a9c21";
registerSecret(SECRET);

async function capture(
  level: string | undefined,
  body: () => void,
  env: (name: string) => string | undefined = () => undefined,
): Promise<string[]> {
  const lines: string[] = [];
  await setupLogging({ level, env, write: (line) => lines.push(line) });
  try {
    body();
  } finally {
    await resetLogging();
  }
  return lines;
}

Deno.test("setupLogging() masks a registered secret in the message", async () => {
  const lines = await capture("info", () => {
    getLogger(["perp", "test"]).info(`connecting with key ${SECRET}`);
  });
  assert.equal(lines.length, 1);
  assert.ok(!lines[0].includes(SECRET), lines[0]);
  assert.match(lines[0], /perp\.test: connecting with key \[REDACTED\]\n$/);
});

Deno.test("setupLogging() masks api_key=… in the message", async () => {
  const lines = await capture("info", () => {
    getLogger(["perp", "test"]).warn("GET /orders?market=1&api_key=abcdef0123 failed");
  });
  assert.equal(lines.length, 1);
  assert.ok(!lines[0].includes("abcdef0123"), lines[0]);
  assert.ok(lines[0].includes("api_key=[REDACTED]"), lines[0]);
});

Deno.test("setupLogging() masks secrets carried in properties, shown or not", async () => {
  const lines = await capture("info", () => {
    const log = getLogger(["perp", "test"]);
    log.info("request {url}", { url: "https://x.test/a?api_key=zzz999yyy" });
    log.info("placed", { apiKey: "plain-key-value", note: `uses ${SECRET}`, size: "0.01" });
    log.info("headers {headers}", { headers: { Authorization: "Bearer tok-123456" } });
  });
  const all = lines.join("");
  assert.equal(lines.length, 3);
  for (const leaked of ["zzz999yyy", "plain-key-value", SECRET, "tok-123456"]) {
    assert.ok(!all.includes(leaked), `leaked ${leaked}: ${all}`);
  }
  assert.ok(lines[1].includes('"size":"0.01"'), lines[1]);
  assert.ok(lines[1].includes('"apiKey":"[REDACTED]"'), lines[1]);
});

Deno.test("setupLogging() writes ISO time, level, category and message", async () => {
  const lines = await capture("info", () => getLogger(["perp", "grvt"]).error("boom"));
  assert.match(lines[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ERROR\s+perp\.grvt: boom\n$/);
});

Deno.test("setupLogging() drops records below the level", async () => {
  const lines = await capture("warning", () => {
    const log = getLogger(["perp", "test"]);
    log.debug("debug line");
    log.info("info line");
    log.warn("warning line");
    log.error("error line");
  });
  assert.deepEqual(lines.map((l) => l.replace(/^.*: /, "").trim()), [
    "warning line",
    "error line",
  ]);
});

Deno.test("setupLogging() ignores loggers outside the perp category", async () => {
  const lines = await capture("trace", () => getLogger(["other"]).error("not ours"));
  assert.deepEqual(lines, []);
});

Deno.test("setupLogging() takes the level from PERP_LOG_LEVEL before LOG_LEVEL", async () => {
  const env = (name: string) =>
    ({ PERP_LOG_LEVEL: "error", LOG_LEVEL: "trace" } as Record<string, string>)[name];
  const lines = await capture(undefined, () => {
    getLogger(["perp", "test"]).warn("hidden");
    getLogger(["perp", "test"]).error("shown");
  }, env);
  assert.equal(lines.length, 1);
  assert.ok(lines[0].includes("shown"));
});

Deno.test("setupLogging() rejects an invalid level naming its source", async () => {
  await assert.rejects(
    setupLogging({ level: "loud", write: () => {} }),
    (e: unknown) =>
      e instanceof RangeError &&
      e.message ===
        'log level must be one of trace, debug, info, warning, error, fatal (got "loud")',
  );
  await assert.rejects(
    setupLogging({ env: (n) => (n === "LOG_LEVEL" ? "verbose" : undefined), write: () => {} }),
    /^RangeError: LOG_LEVEL must be one of .* \(got "verbose"\)$/,
  );
});

Deno.test("resolveLogLevel() defaults to info and accepts any case", () => {
  assert.equal(resolveLogLevel(undefined, { env: () => undefined }), DEFAULT_LOG_LEVEL);
  assert.equal(resolveLogLevel(undefined, { env: () => "" }), "info");
  assert.equal(parseLogLevel("Debug"), "debug");
});

Deno.test("setupLogging() appends redacted lines to the activity-log file, creating its folder", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/nested/logs/activity.log`;
  try {
    await setupLogging({ level: "error", fileLevel: "debug", file: path, write: () => {} });
    getLogger(["perp", "file"]).debug(`first ${SECRET}`);
    await resetLogging();
    await setupLogging({ level: "info", file: path, write: () => {} });
    getLogger(["perp", "file"]).debug("filtered out");
    getLogger(["perp", "file"]).info("second");
    await resetLogging();
    const text = await Deno.readTextFile(path);
    const lines = text.trimEnd().split("\n");
    assert.equal(lines.length, 2, text);
    assert.match(lines[0], /DEBUG\s+perp\.file: first \[REDACTED\]$/);
    assert.match(lines[1], /INFO\s+perp\.file: second$/);
  } finally {
    await resetLogging();
    await Deno.remove(dir, { recursive: true });
  }
});
