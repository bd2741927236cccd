/**
 * The trade log's schema, run ids, the lock that warns when two bots write one file, the
 * cancel rows of chased opens, and the activity log's level and rotation.
 */
import { ok, strictEqual as equal } from "node:assert/strict";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { rotatingFileWriter } from "../helpers/logging.ts";
import { startSimVenue } from "../sim/network.ts";
import { GridStrategy } from "../strategies/grid.ts";
import { runStrategy } from "../strategies/runner.ts";
import { TRADE_LOG_HEADER, TradeLog, tradeLogPaths } from "../strategies/trade_log.ts";

Deno.test("trade log: the header names every column of the one schema", () => {
  equal(
    TRADE_LOG_HEADER,
    "timestamp_utc,run_id,network,strategy,venue,symbol,client_order_id,order_id,kind,side," +
      "size,price,status,fee,realized_pnl",
  );
});

Deno.test("trade log: paper rows go to their own file, never the sim or mainnet one", () => {
  const sim = tradeLogPaths("grvt", "BTC", { network: "sim" }).orders;
  const paperSim = tradeLogPaths("grvt", "BTC", { network: "sim", paper: true }).orders;
  const paperMain = tradeLogPaths("grvt", "BTC", { network: "mainnet", paper: true }).orders;
  const main = tradeLogPaths("grvt", "BTC", { network: "mainnet" }).orders;
  equal(new Set([sim, paperSim, paperMain, main]).size, 4);
  equal(paperSim, "logs/grvt-sim-paper_BTC_orders.csv");
  equal(paperMain, "logs/grvt-paper_BTC_orders.csv");
});

Deno.test("trade log: a second writer of one file sees the first one's lock; a dead writer's lock is taken over", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/grvt-sim_BTC_orders.csv`;
  try {
    const first = new TradeLog({ path, runId: "run-a" });
    equal(first.lockedBy, undefined);
    equal(Deno.readTextFileSync(`${path}.lock`), `${Deno.pid} run-a\n`);
    const second = new TradeLog({ path, runId: "run-b" });
    equal(second.lockedBy?.pid, Deno.pid);
    equal(second.lockedBy?.runId, "run-a");
    second.close();
    first.close();
    let gone = false;
    try {
      Deno.statSync(`${path}.lock`);
    } catch {
      gone = true;
    }
    ok(gone, "close() removes the lock it holds");
    // A lock left by a process that is gone.
    Deno.writeTextFileSync(`${path}.lock`, "999999999 run-dead\n");
    const third = new TradeLog({ path, runId: "run-c", isAlive: () => false });
    equal(third.lockedBy, undefined);
    equal(Deno.readTextFileSync(`${path}.lock`), `${Deno.pid} run-c\n`);
    third.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("trade log: run ids differ between two logs; rows carry run id, network, strategy, venue, symbol", () => {
  const a = new TradeLog({ network: "sim" });
  const b = new TradeLog({ network: "sim" });
  ok(a.runId !== b.runId);
  const lines: string[] = [];
  const log = new TradeLog({
    write: (l) => lines.push(l),
    runId: "r",
    network: "paper",
    strategy: "grid",
    venue: "edgex",
    symbol: "ETH",
  });
  log.append({
    timestamp: 0,
    orderId: "9",
    clientOrderId: "c9",
    side: "sell",
    kind: "close",
    size: "1",
    price: "3000",
    status: "fill",
    fee: "0.45",
    realizedPnl: "-2.5",
  });
  equal(
    lines[1],
    "1970-01-01T00:00:00.000Z,r,paper,grid,edgex,ETH,c9,9,close,sell,1,3000,fill,0.45,-2.5\n",
  );
  equal(log.kindOf("c9"), "close");
});

for (const direction of ["buy", "sell"] as const) {
  Deno.test(`trade log: a chased ${direction} open gets its canceled row (paper venue, virtual time)`, async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const sim = await startSimVenue("grvt", { clock, volatilityBps: "5" });
    const client = sim.client();
    const lines: string[] = [];
    const tradeLog = new TradeLog({ write: (l) => lines.push(l), network: "sim", venue: "grvt" });
    const grid = new GridStrategy(
      { symbol: "BTC", quantity: "0.01", takeProfit: "0.02", direction, waitTimeSec: 5 },
      { client, clock, tradeLog },
    );
    const stop = new AbortController();
    const running = runStrategy(grid, { clock, signal: stop.signal });
    try {
      for (let i = 0; i < 60 && !lines.some((l) => l.includes(",canceled,")); i++) {
        await clock.advance(10_000);
      }
    } finally {
      stop.abort();
      await clock.advance(60_000);
      await running;
      await client.disconnect();
      await sim.close();
    }
    const canceled = lines.filter((l) =>
      l.includes(`,open,${direction},`) && l.includes(",canceled,")
    );
    ok(canceled.length > 0, lines.join(""));
    // The canceled open was placed before, under the same client id.
    const cid = canceled[0].split(",")[6];
    ok(lines.some((l) => l.split(",")[6] === cid && l.includes(",placed,")), lines.join(""));
  });
}

Deno.test("activity log: rotates by size and keeps the configured number of files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const w = rotatingFileWriter(`${dir}/bot.log`, { maxBytes: 100, maxFiles: 2 });
    const line = `${"x".repeat(39)}\n`; // 40 bytes: two lines per file
    for (let i = 0; i < 9; i++) w.write(line);
    w.close();
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    equal(names.join(","), "bot.log,bot.log.1,bot.log.2");
    equal(Deno.statSync(`${dir}/bot.log`).size, 40);
    equal(Deno.statSync(`${dir}/bot.log.1`).size, 80);
    equal(Deno.statSync(`${dir}/bot.log.2`).size, 80);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
