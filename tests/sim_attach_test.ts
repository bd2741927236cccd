// Attachable replicas end to end, as separate processes: `perp sim` on fixed ports writes an env
// file, the bot attaches to it (`--network sim --sim-env`), gets an open filled and a
// take-profit resting, is killed with SIGKILL and restarted, and adopts the resting take-profit
// instead of sending another one. The truth comes from the replica's control API.
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";

const CLI = new URL("../cli.ts", import.meta.url).pathname;

interface Truth {
  openOrders: { clientOrderId: string; side: "buy" | "sell"; status: string; size: string }[];
  positions: { symbol: string; size: string }[];
}

/** A base port with the five above it free on 127.0.0.1. */
function freeBasePort(): number {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const held: Deno.Listener[] = [];
    try {
      for (let p = base; p <= base + 5; p++) {
        held.push(Deno.listen({ hostname: "127.0.0.1", port: p }));
      }
      return base;
    } catch {
      // taken: try another base
    } finally {
      for (const l of held) l.close();
    }
  }
  throw new Error("no free port range");
}

function spawn(args: string[], cwd: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

/** Collects a child's output (so its pipes never fill up). */
function drain(child: Deno.ChildProcess): { text: () => string; done: Promise<void> } {
  let text = "";
  const decoder = new TextDecoder();
  const read = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  };
  const done = Promise.all([read(child.stdout), read(child.stderr)]).then(() => {});
  return { text: () => text, done };
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  log: () => string,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}\n${log()}`);
}

async function stopChild(child: Deno.ChildProcess, out: { done: Promise<void> }, sig: Deno.Signal) {
  try {
    child.kill(sig);
  } catch {
    // already exited
  }
  await child.status;
  await out.done;
}

const VENUES = {
  edgex: { prefix: "EDGEX", symbol: "BTC", quantity: "0.001" },
  grvt: { prefix: "GRVT", symbol: "BTC_USDT_Perp", quantity: "0.002" },
} as const;

for (const [venue, v] of Object.entries(VENUES)) {
  Deno.test({
    name: `a bot killed with SIGKILL and restarted against a running ${venue} replica ` +
      "adopts its resting take-profit",
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const dir = await Deno.makeTempDir();
      const envFile = `${dir}/.sim.env`;
      const port = freeBasePort();
      const sim = spawn([
        "sim",
        "--venues",
        venue,
        "--port",
        String(port),
        "--markets",
        "BTC,ETH",
        "--env-file",
        envFile,
      ], dir);
      const simOut = drain(sim);
      const children: { child: Deno.ChildProcess; out: { done: Promise<void> } }[] = [];
      try {
        const env = await waitFor(
          "the env file",
          async () => {
            const text = await Deno.readTextFile(envFile);
            return text.includes(`${v.prefix}_CONTROL_URL=`) ? text : undefined;
          },
          30_000,
          simOut.text,
        );
        const vars = Object.fromEntries(
          env.split("\n").filter((l) => l.includes("=") && !l.startsWith("#")).map((l) => {
            const i = l.indexOf("=");
            return [l.slice(0, i), l.slice(i + 1)];
          }),
        );
        // Fixed ports: the venue's main URL is on the documented port.
        const main = venue === "edgex" ? vars.EDGEX_REST_URL : vars.GRVT_MARKET_DATA_URL;
        equal(main, `http://127.0.0.1:${port + (venue === "edgex" ? 2 : 1)}`);
        const control = vars[`${v.prefix}_CONTROL_URL`];
        const account = venue === "edgex" ? vars.EDGEX_ACCOUNT_ID : vars.GRVT_TRADING_ACCOUNT_ID;
        const truth = async (): Promise<Truth> => {
          const r = await fetch(`${control}/truth?accountId=${account}`);
          ok(r.ok, `control API answered ${r.status}`);
          return await r.json();
        };
        const botArgs = [
          "bot",
          "--exchange",
          venue,
          "--network",
          "sim",
          "--sim-env",
          envFile,
          "--ticker",
          "BTC",
          "--quantity",
          v.quantity,
          "--take-profit",
          "0.02",
          "--wait-time",
          "1",
          "--max-orders",
          "3",
        ];
        const startBot = () => {
          const child = spawn(botArgs, dir);
          const out = drain(child);
          children.push({ child, out });
          return { child, out };
        };

        const first = startBot();
        const open = await waitFor(
          "the bot's open order",
          async () => {
            const t = await truth();
            return t.openOrders.find((o) => o.side === "buy");
          },
          30_000,
          first.out.text,
        );
        // The replica's market fills it (a counter-order through the control API).
        const filled = await fetch(`${control}/fill`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ accountId: account, clientOrderId: open.clientOrderId }),
        });
        ok(filled.ok, await filled.text());
        const tp = await waitFor(
          "a resting take-profit",
          async () => {
            const t = await truth();
            return t.openOrders.find((o) => o.side === "sell");
          },
          30_000,
          first.out.text,
        );
        await stopChild(first.child, first.out, "SIGKILL");

        // Killed: the take-profit is still resting at the replica.
        const afterKill = await truth();
        deepEqual(
          afterKill.openOrders.filter((o) => o.side === "sell").map((o) => o.clientOrderId),
          [tp.clientOrderId],
        );

        const second = startBot();
        // Let it run a few cooldowns: it opens again but never re-sends the take-profit.
        await waitFor(
          "the restarted bot's next open",
          async () => {
            const t = await truth();
            return t.openOrders.some((o) =>
                o.side === "buy" && o.clientOrderId !== open.clientOrderId
              )
              ? true
              : undefined;
          },
          30_000,
          second.out.text,
        );
        const final = await truth();
        deepEqual(
          final.openOrders.filter((o) => o.side === "sell").map((o) => o.clientOrderId),
          [tp.clientOrderId],
          "exactly the one take-profit of the first run rests: adopted, not duplicated",
        );
        const position = final.positions.find((p) => p.symbol === v.symbol);
        equal(position?.size, tp.size, "the position is the one filled open");
        await stopChild(second.child, second.out, "SIGTERM");
      } finally {
        for (const c of children) await stopChild(c.child, c.out, "SIGKILL");
        await stopChild(sim, simOut, "SIGTERM");
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
