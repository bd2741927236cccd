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
    // Closing the venue takes 3 s longer: the second SIGINT surely lands while it closes.
    env: { NO_COLOR: "1", PERP_BOT_TEST_CLOSE_DELAY_MS: "3000" },
  }).spawn();
  const decoder = new TextDecoder();
  let output = "";
  const waits: { text: string; resolve: () => void }[] = [];
  const seen = (text: string) =>
    new Promise<void>((resolve) => {
      if (output.includes(text)) resolve();
      else waits.push({ text, resolve });
    });
  const drainErr = (async () => {
    for await (const chunk of child.stderr) {
      output += decoder.decode(chunk);
      for (const w of waits.filter((w) => output.includes(w.text))) w.resolve();
    }
  })();
  const drainOut = (async () => {
    for await (const chunk of child.stdout) output += decoder.decode(chunk);
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const within = (text: string, ms: number) =>
      Promise.race([
        seen(text).then(() => true),
        new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), ms)),
      ]).finally(() => clearTimeout(timer));
    equal(
      await within("Grid started", 60_000),
      true,
      `the bot did not start: ${output.slice(-2000)}`,
    );
    child.kill("SIGINT");
    const first = performance.now();
    // The strategy stops, then the venue closes (3 s longer with the hook). The second copy
    // lands 700 ms after the first: the bot's own shutdown steps are over, the venue is still
    // closing, and within a second of the first it counts as the same Ctrl-C.
    equal(
      await within("Bot stopped", 10_000),
      true,
      `the bot did not stop: ${output.slice(-2000)}`,
    );
    const gap = performance.now() - first;
    await new Promise((r) => setTimeout(r, Math.max(0, 700 - gap)));
    child.kill("SIGINT");
    const status = await child.status;
    await Promise.all([drainOut.catch(() => {}), drainErr.catch(() => {})]);
    equal(gap < 600, true, `the strategy took ${gap.toFixed(0)} ms to stop: not one Ctrl-C`);
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
