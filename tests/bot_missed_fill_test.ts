/**
 * The bot's trade log and PnL when the private stream misses a fill: `perp sim` as a process
 * (the EdgeX replica), `runBot` attached to it, the private WebSocket dropped and refused while
 * the bot's resting open fills. The fill is booked once, from the order's state, as a
 * `fill_from_order` row at the open's price with the fee estimated from EdgeX's maker rate
 * (0.015 %), and the take-profit still goes out. Buy and sell grids.
 */
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { Decimal } from "../base.ts";
import { resetLogging } from "../helpers/logging.ts";
import { runBot } from "../strategies/bot.ts";
import { gridOptions } from "./_bot.ts";
import { startSimProcess, waitFor } from "./chaos/_restart_harness.ts";

for (const direction of ["buy", "sell"] as const) {
  Deno.test({
    name: `bot (${direction} grid): a fill the private stream missed is booked once from the ` +
      "order's state, written as fill_from_order, and its take-profit goes out",
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const dir = await Deno.makeTempDir({ prefix: "missed_fill_" });
      const sim = await startSimProcess("edgex", dir, 5);
      const controlUrl = sim.vars.EDGEX_CONTROL_URL;
      const stop = new AbortController();
      let stderr = "";
      const options = gridOptions({
        exchange: "edgex",
        takeProfit: "0.05",
        direction,
        simEnv: sim.envFile,
        cancelOnExit: true,
      });
      const done = runBot(options, {
        io: { stdout: () => {}, stderr: (t) => (stderr += t) },
        env: () => undefined,
        logDir: dir,
        installSignalHandlers: false,
        signal: stop.signal,
      });
      const csvPath = `${dir}/edgex-sim_BTC_orders.csv`;
      const rows = async () =>
        (await Deno.readTextFile(csvPath).catch(() => "")).trim().split("\n").slice(1)
          .map((l) => l.split(","));
      try {
        const open = await waitFor(
          "the bot's open resting",
          async () => (await sim.control.truth()).openOrders.find((o) => o.side === direction),
          30_000,
          () => stderr,
        );
        // The private socket goes down and cannot come back while the open fills.
        const fault = await (await fetch(`${controlUrl}/faults`, {
          method: "POST",
          body: JSON.stringify({
            kind: "error",
            frontEnd: "edgex",
            target: "/api/v1/private/ws",
            status: 503,
          }),
        })).json();
        await (await fetch(`${controlUrl}/sockets/close`, { method: "POST", body: "{}" })).body
          ?.cancel();
        ok(await sim.control.fill(open.clientOrderId));
        await new Promise((r) => setTimeout(r, 1_000));
        await (await fetch(`${controlUrl}/faults?id=${fault.id}`, { method: "DELETE" })).body
          ?.cancel();
        const booked = await waitFor(
          "the fill_from_order row",
          async () =>
            (await rows()).find((r) => r[6] === open.clientOrderId && r[12] === "fill_from_order"),
          30_000,
          () => stderr,
        );
        await waitFor(
          "the take-profit resting",
          async () =>
            (await sim.control.truth()).openOrders.some((o) => o.side !== direction)
              ? true
              : undefined,
          30_000,
          () => stderr,
        );
        // kind, side, size, price; the fee is 0.01 × price × 0.00015 (EdgeX maker), the open
        // realizes nothing.
        const price = new Decimal(open.price!);
        deepEqual(
          [booked[8], booked[9], booked[10], booked[11], booked[13], booked[14]],
          [
            "open",
            direction,
            "0.01",
            price.toString(),
            price.times("0.0000015").toString(),
            "0",
          ],
        );
        // Booked once: no plain fill row for the same order.
        equal(
          (await rows()).filter((r) =>
            r[6] === open.clientOrderId && (r[12] === "fill" || r[12] === "fill_from_order")
          ).length,
          1,
        );
        stop.abort();
        equal(await done, 0);
        // The stop summary's fill count is the fill events; the split names the estimate.
        ok(/fees estimated/.test(stderr), stderr.slice(-2_000));
      } finally {
        stop.abort();
        await done.catch(() => {});
        await resetLogging();
        await sim.child.stop("SIGTERM");
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    },
  });
}
