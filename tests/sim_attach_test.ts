// Attachable replicas end to end, as separate processes: `perp sim` on fixed ports writes an env
// file, the bot attaches to it (`--network sim --sim-env`), gets an open filled and a
// take-profit resting, is killed with SIGKILL and restarted, and adopts the resting take-profit
// instead of sending another one. The truth comes from the replica's control API. (The many-kill
// form is tests/chaos/grid_restart_test.ts.)
import { deepStrictEqual as deepEqual, strictEqual as equal } from "node:assert/strict";
import {
  botArgs,
  type Child,
  type GridSpec,
  gridState,
  type RestartVenue,
  spawnCli,
  startSimProcess,
  VENUE_INFO,
  waitFor,
} from "./chaos/_restart_harness.ts";
import { Decimal } from "../core/decimal.ts";

/** The venue's main URL and its offset from the base port (`deno task sim --help`). */
const MAIN_URL: Record<RestartVenue, [variable: string, offset: number]> = {
  lighter: ["LIGHTER_REST_URL", 0],
  grvt: ["GRVT_MARKET_DATA_URL", 1],
  edgex: ["EDGEX_REST_URL", 2],
  hyperliquid: ["HYPERLIQUID_API_URL", 6],
};

for (const venue of ["lighter", "grvt", "edgex", "hyperliquid"] as const) {
  Deno.test({
    name: `a bot killed with SIGKILL and restarted against a running ${venue} replica ` +
      "adopts its resting take-profit",
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const dir = await Deno.makeTempDir();
      const sim = await startSimProcess(venue, dir, 1);
      const children: Child[] = [];
      try {
        // Fixed ports: the venue's main URL is on the documented port.
        const [variable, offset] = MAIN_URL[venue];
        equal(sim.vars[variable], `http://127.0.0.1:${sim.port + offset}`);
        const control = sim.control;
        const grid: GridSpec = {
          ticker: "BTC",
          symbol: VENUE_INFO[venue].engineSymbol("BTC"),
          direction: "buy",
          quantity: "0.002",
          idPrefix: `${venue}/default/BTC/buy`,
        };
        const startBot = () => {
          const child = spawnCli(botArgs(venue, sim.envFile, grid), dir);
          children.push(child);
          return child;
        };

        const first = startBot();
        const open = await waitFor(
          "the bot's open order",
          async () => (await control.truth()).openOrders.find((o) => o.side === "buy"),
          30_000,
          first.text,
        );
        // The replica's market fills it (a counter-order through the control API).
        equal(await control.fill(open.clientOrderId), true);
        const tp = await waitFor(
          "a resting take-profit",
          async () => (await control.truth()).openOrders.find((o) => o.side === "sell"),
          30_000,
          first.text,
        );
        await first.stop("SIGKILL");

        // Killed: the take-profit is still resting at the replica.
        const afterKill = await control.truth();
        deepEqual(
          afterKill.openOrders.filter((o) => o.side === "sell").map((o) => o.clientOrderId),
          [tp.clientOrderId],
        );

        const second = startBot();
        // Let it run a few cooldowns: it opens again but never re-sends the take-profit.
        await waitFor(
          "the restarted bot's next open",
          async () =>
            (await control.truth()).openOrders.some((o) =>
                o.side === "buy" && o.clientOrderId !== open.clientOrderId
              )
              ? true
              : undefined,
          30_000,
          second.text,
        );
        const final = await control.truth();
        const state = gridState(venue, grid, final);
        // The market may fill the restarted bot's new opens meanwhile (a loaded machine gives
        // it time): those get take-profits of their own. The first open keeps exactly one.
        deepEqual(
          state.closesPerOpen.get(open.clientOrderId),
          [tp.clientOrderId],
          "exactly the one take-profit of the first run: adopted, not duplicated",
        );
        deepEqual(
          [...state.closesPerOpen].filter(([, closes]) => closes.length > 1),
          [],
          "no open has two take-profits",
        );
        // Every filled open is covered by its take-profit, except one filled a moment ago
        // whose take-profit is on its way.
        const uncovered = state.unhedgedOpens.reduce(
          (sum, cid) => sum.plus(state.filledOpens.get(cid)!),
          new Decimal(0),
        );
        const filledCloses = [...state.closes].filter(([cid]) =>
          !final.openOrders.some((o) => o.clientOrderId === cid)
        ).reduce((sum, [, size]) => sum.plus(size), new Decimal(0));
        equal(
          state.position.minus(state.restingCloses).toString(),
          uncovered.toString(),
          `position ${state.position}, resting take-profits ${state.restingCloses}, ` +
            `filled take-profits ${filledCloses}`,
        );
        await second.stop("SIGTERM");
      } finally {
        for (const c of children) await c.stop("SIGKILL");
        await sim.child.stop("SIGTERM");
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
