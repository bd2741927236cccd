/**
 * `--paper` through the bot: in-process with `runBot` and as a process through `cli.ts`, on
 * `--network sim`. Nothing reaches the replica, every line is marked PAPER, the trade log has
 * its own file, and the stop never claims an order rests at the venue.
 */
import assert from "node:assert/strict";
import { strictEqual as equal } from "node:assert/strict";
import { join } from "node:path";
import { type BotOptions, runBot } from "../strategies/bot.ts";
import { gridOptions } from "./_bot.ts";
import { resetLogging } from "../helpers/logging.ts";

const options = (over: Partial<BotOptions> = {}) => gridOptions({ exchange: "lighter", ...over });

Deno.test("runBot --paper on sim: orders stay on the paper account, lines say PAPER, the stop says nothing rests at the venue", async () => {
  const stop = new AbortController();
  let stderr = "";
  let reachedVenue = -1;
  const logDir = await Deno.makeTempDir();
  try {
    const done = runBot(options({ paper: true }), {
      io: { stdout: () => {}, stderr: (t) => (stderr += t) },
      env: () => undefined,
      logDir,
      installSignalHandlers: false,
      signal: stop.signal,
      onConnected: (venue) => {
        const check = setInterval(() => {
          if (!stderr.includes("[paper] placed buy")) return;
          clearInterval(check);
          reachedVenue = venue.sim!.openOrderCount();
          stop.abort();
        }, 5);
      },
    });
    equal(await done, 0);
    equal(reachedVenue, 0, "no order reached the replica");
    assert.match(
      stderr,
      /\[PAPER LIGHTER_BTC\] Starting the grid bot on lighter \(sim, paper trading/,
    );
    assert.match(stderr, /\[paper\] placed buy 0\.01 BTC limit @ \d+(\.\d)? post-only: open/);
    assert.match(stderr, /Paper run ended: nothing was sent to lighter and no order rests there/);
    assert.doesNotMatch(stderr, /a restart adopts it/);
    assert.doesNotMatch(stderr, /warning: --dry-run/);
    const files = [...Deno.readDirSync(logDir)].map((e) => e.name).sort();
    assert.ok(files.includes("lighter-sim-paper_BTC_orders.csv"), files.join(", "));
  } finally {
    await resetLogging();
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("cli: bot --paper --network sim runs as a process, sends nothing and stops on SIGINT without claiming resting orders; --dry-run prints its deprecation", async () => {
  const root = new URL("..", import.meta.url).pathname;
  for (const flag of ["--paper", "--dry-run"]) {
    const dir = await Deno.makeTempDir();
    try {
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          join(root, "cli.ts"),
          "bot",
          "--exchange",
          "edgex",
          "--network",
          "sim",
          "--ticker",
          "BTC",
          "--quantity",
          "0.01",
          "--take-profit",
          "0.1",
          flag,
        ],
        cwd: dir,
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      let stderr = "";
      const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
      const deadline = Date.now() + 60_000;
      while (!stderr.includes("[paper] placed buy") && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        stderr += value;
      }
      child.kill("SIGINT");
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        stderr += value;
      }
      const status = await child.status;
      await child.stdout.cancel();
      equal(status.code, 0, stderr);
      assert.match(stderr, /\[paper\] placed buy 0\.01 BTC limit/);
      assert.match(stderr, /\[PAPER EDGEX_BTC\]/);
      assert.match(stderr, /Paper run ended: nothing was sent to edgex and no order rests there/);
      assert.doesNotMatch(stderr, /a restart adopts it/);
      if (flag === "--dry-run") {
        assert.match(stderr, /warning: --dry-run is deprecated and now runs --paper/);
      }
      const logs = [...Deno.readDirSync(join(dir, "logs"))].map((e) => e.name);
      assert.ok(logs.includes("edgex-sim-paper_BTC_orders.csv"), logs.join(", "));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});
