/**
 * `perp bot --json` as a script reads it: every stdout line is one JSON event (start, status
 * with the PnL split, order transitions, fills, stop summary); log lines go to stderr.
 */
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";

Deno.test("perp bot --json prints one JSON event per line: start, status, order, stop with the PnL split", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        new URL("../deno.json", import.meta.url).pathname,
        new URL("../cli.ts", import.meta.url).pathname,
        "bot",
        "--exchange",
        "grvt",
        "--network",
        "sim",
        "--ticker",
        "BTC",
        "--quantity",
        "0.01",
        "--direction",
        "sell",
        "--json",
        "--cancel-on-exit",
      ],
      cwd,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    let stdout = "";
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const deadline = Date.now() + 60_000;
    while (!/"event":"order"/.test(stdout) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      stdout += value;
    }
    child.kill("SIGINT");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      stdout += value;
    }
    const status = await child.status;
    const err = await stderr;
    equal(status.code, 0, err);
    const lines = stdout.trimEnd().split("\n");
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    equal(events[0].event, "start");
    equal(events[0].network, "sim");
    equal(events[0].direction, "sell");
    equal(events.at(-1)!.event, "stop");
    const pnlKeys = ["realized", "unrealized", "fees", "funding", "net"];
    deepEqual(Object.keys(events.at(-1)!.pnl as object), pnlKeys);
    const statusEvent = events.find((e) => e.event === "status");
    ok(statusEvent, stdout);
    deepEqual(Object.keys(statusEvent.pnl as object), pnlKeys);
    const placed = events.find((e) => e.event === "order" && e.status === "placed");
    ok(placed, stdout);
    equal(placed.kind, "open");
    equal(placed.side, "sell");
    equal(placed.size, "0.01");
    equal(placed.run_id, events[0].run_id);
    // Log lines went to stderr, not stdout.
    ok(/Grid started on grvt/.test(err), err);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
