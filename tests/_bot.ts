/**
 * Shared setup of the bot tests: the grid bot's options as `perp bot` defaults them (with the
 * venue, network and whatever a test changes), and a wait that moves a manual clock.
 */
import type { ManualClock } from "../exchanges/_shared/clock.ts";
import type { BotOptions } from "../strategies/bot.ts";

/** Grid options on GRVT's simulator unless `over` says otherwise (the CLI's defaults). */
export function gridOptions(over: Partial<BotOptions> = {}): BotOptions {
  return {
    exchange: "grvt",
    strategy: "grid",
    ticker: "BTC",
    quantity: "0.01",
    takeProfit: "0.02",
    direction: "buy",
    maxOrders: 40,
    waitTime: 450,
    gridStep: "-100",
    stopPrice: "-1",
    pausePrice: "-1",
    network: "sim",
    dryRun: false,
    cancelOnExit: false,
    ...over,
  };
}

/** Waits for `check`, letting virtual time move 10 ms per try (the replica pushes on it). */
export async function untilVirtual(
  clock: ManualClock,
  what: string,
  check: () => boolean,
  ms = 30_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await clock.advance(10);
    await new Promise((r) => setTimeout(r, 5));
  }
}
