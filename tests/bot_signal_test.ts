/**
 * The bot as a process: `deno task` forwards a terminal's Ctrl-C, so the bot can get SIGINT twice
 * in a row while it shuts down. It must still stop cleanly with exit code 0.
 */
import { strictEqual as equal } from "node:assert/strict";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));

Deno.test("a bot that gets SIGINT twice while stopping still exits 0 after a clean stop", async () => {
  const logs = await Deno.makeTempDir({ prefix: "perp_sigint_" });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      CONFIG,
      CLI,
      "bot",
      "--exchange",
      "grvt",
      "--network",
      "sim",
      "--ticker",
      "BTC",
      "--quantity",
      "0.002",
      "--log-level",
      "info",
    ],
    cwd: logs,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const decoder = new TextDecoder();
  let output = "";
  const started = (async () => {
    for await (const chunk of child.stderr) {
      output += decoder.decode(chunk);
      if (output.includes("Grid started")) return true;
    }
    return false;
  })();
  const drainOut = (async () => {
    for await (const chunk of child.stdout) output += decoder.decode(chunk);
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const ok = await Promise.race([
      started,
      new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), 60_000)),
    ]);
    clearTimeout(timer);
    equal(ok, true, `the bot did not start: ${output.slice(-2000)}`);
    child.kill("SIGINT");
    // The second one lands while the bot is stopping (the task runner's forwarded copy).
    await new Promise((r) => setTimeout(r, 20));
    try {
      child.kill("SIGINT");
    } catch {
      // Already stopped cleanly: the exit code below says so.
    }
    const status = await child.status;
    await drainOut.catch(() => {});
    equal(status.code, 0, `exit ${status.code}: ${output.slice(-2000)}`);
  } finally {
    clearTimeout(timer);
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await Deno.remove(logs, { recursive: true });
  }
});
