// `perp bot --strategy funding-arbitrage` flags, `--on-mismatch`, and a short offline run on two
// paper venues through runBot().
import { deepStrictEqual as deepEqual, strictEqual as equal, throws } from "node:assert/strict";
import { parseBotArgs } from "../cli.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { runBot } from "../strategies/bot.ts";
import { parseLeverage } from "../strategies/funding_arb_bot.ts";

Deno.test("bot --strategy funding-arbitrage parses venues and the entry settings", () => {
  const c = parseBotArgs([
    "--strategy",
    "funding-arbitrage",
    "--venues",
    "lighter,GRVT,edgex",
    "--required-venue",
    "grvt",
    "--min-net-apr",
    "0.15",
    "--settlement-window",
    "20",
    "--network",
    "sim",
    "--sim-protocol",
    "paper",
  ]);
  deepEqual(c.venues, ["lighter", "grvt", "edgex"]);
  deepEqual(c.arb, {
    requiredVenue: "grvt",
    notional: "1000",
    holdHours: "24",
    minNetApr: "0.15",
    exitBuffer: "0.0002",
    maxDivergence: "0.005",
    settlementWindowMin: 20,
    maxFailedOpens: 3,
    maxPositions: 3,
    db: "data/funding.db",
    botId: "bot",
    simProtocol: "paper",
  });
});

Deno.test("bot --venues needs two distinct known venues; --required-venue one of them", () => {
  throws(
    () => parseBotArgs(["--strategy", "funding-arbitrage", "--venues", "lighter"]),
    /--venues must be two or three distinct venues/,
  );
  throws(
    () => parseBotArgs(["--strategy", "funding-arbitrage", "--venues", "lighter,lighter"]),
    /--venues must be two or three distinct venues/,
  );
  throws(
    () =>
      parseBotArgs([
        "--strategy",
        "funding-arbitrage",
        "--venues",
        "lighter,grvt",
        "--required-venue",
        "edgex",
      ]),
    /--required-venue must be one of --venues/,
  );
  throws(() => parseBotArgs([]), /--exchange is required: one of lighter, grvt, edgex/);
});

Deno.test("bot --on-mismatch is repair by default, stop when asked", () => {
  equal(parseBotArgs(["--exchange", "grvt"]).onMismatch, "repair");
  equal(parseBotArgs(["--exchange", "grvt", "--on-mismatch", "stop"]).onMismatch, "stop");
  throws(() => parseBotArgs(["--exchange", "grvt", "--on-mismatch", "x"]), /--on-mismatch/);
});

Deno.test("runBot --strategy funding-arbitrage runs offline on paper venues and stops cleanly", async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const stop = new AbortController();
  const config = parseBotArgs([
    "--strategy",
    "funding-arbitrage",
    "--venues",
    "lighter,grvt",
    "--network",
    "sim",
    "--sim-protocol",
    "paper",
    "--db",
    ":memory:",
    "--min-net-apr",
    "0",
  ]);
  const done = runBot(config, {
    io: { stdout: () => {}, stderr: () => {} },
    env: () => undefined,
    clock,
    signal: stop.signal,
    logDir: null,
    configureLogging: false,
    installSignalHandlers: false,
  });
  await clock.advance(120_000);
  stop.abort();
  await clock.advance(60_000);
  equal(await done, 0);
});

Deno.test("bot --leverage and the notional caps reach the arbitrage settings; --leverage is checked", () => {
  const c = parseBotArgs([
    "--strategy",
    "funding-arbitrage",
    "--venues",
    "lighter,grvt",
    "--leverage",
    "lighter=3,grvt=5",
    "--max-symbol-notional",
    "2000",
    "--max-venue-notional",
    "3000",
    "--max-total-notional",
    "5000",
  ]);
  equal(c.arb.leverage, "lighter=3,grvt=5");
  deepEqual(
    [c.arb.maxSymbolNotional, c.arb.maxVenueNotional, c.arb.maxTotalNotional],
    ["2000", "3000", "5000"],
  );
  throws(
    () => parseBotArgs(["--strategy", "funding-arbitrage", "--leverage", "lighter:3"]),
    /--leverage must be a number such as 3 or venue=number pairs/,
  );
  throws(
    () => parseBotArgs(["--strategy", "funding-arbitrage", "--max-total-notional", "-5"]),
    /--max-total-notional must be a positive USD amount/,
  );
  deepEqual(parseLeverage("3", ["lighter", "grvt"]), { lighter: 3, grvt: 3 });
  deepEqual(parseLeverage("lighter=3, grvt=5", ["lighter", "grvt"]), { lighter: 3, grvt: 5 });
  throws(
    () => parseLeverage("edgex=3", ["lighter", "grvt"]),
    /--leverage takes a number or venue=number pairs of lighter, grvt: got 'edgex=3'/,
  );
  throws(() => parseLeverage("0", ["lighter"]), /--leverage must be a positive number/);
});
