// Funding arbitrage portfolio rules: the better-opportunity exit net of switching costs, the
// notional caps (per symbol, per venue, total) and the leverage set per venue before the first
// entry. Paper venues in virtual time (BTC marks at 60 000, the market maker quotes 59 999 /
// 60 001, 5 BTC a side); figures worked by hand in the comments.
import { rejects, strictEqual as equal } from "node:assert/strict";
import { ConfigurationError, Decimal, type ExchangeClient } from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import {
  capRefusal,
  type GateResult,
  legSize,
  switchDecision,
} from "../strategies/funding_arbitrage.ts";
import { drive, hitMaker, memoryStore, paperVenue, strategy, T0 } from "./funding_arb_harness.ts";

const M = 60_000;
const signal = new AbortController().signal;
const d = (s: string) => new Decimal(s);

Deno.test("switchDecision(): a better spread is taken when it beats holding after switching costs", () => {
  // Held: 0.0004 / h on 600 over 24 h = 5.76. New pair: 0.0031 / h on 600 over 24 h = 44.64.
  // Costs: close fees 600 × (0.002 + 0) = 1.2, close walk 0.02, open fees 1.2, hedge walk 0.01.
  const r = switchDecision({
    heldSpread: d("0.0004"),
    heldNotional: d("600"),
    closeFees: d("1.2"),
    closeCrossing: d("0.02"),
    next: {
      ok: true,
      funding: d("44.64"),
      openFees: d("1.2"),
      entryCrossing: d("0.01"),
    } as GateResult,
  }, "24");
  equal(r.hold.toString(), "5.76");
  equal(r.costs.toString(), "2.43");
  equal(r.gain.toString(), "42.21");
  equal(r.switch, true);
});

Deno.test("switchDecision(): a better spread is refused when switching costs eat the difference", () => {
  // New pair 0.00055 / h: 7.92 over 24 h on 600, above the held 5.76 — but 7.92 − 2.43 = 5.49.
  const next = { ok: true, funding: d("7.92"), openFees: d("1.2"), entryCrossing: d("0.01") };
  const r = switchDecision({
    heldSpread: d("0.0004"),
    heldNotional: d("600"),
    closeFees: d("1.2"),
    closeCrossing: d("0.02"),
    next: next as GateResult,
  }, "24");
  equal(r.gain.toString(), "5.49");
  equal(r.switch, false);
  // Equal is not better: gain must exceed holding.
  const tie = switchDecision({
    heldSpread: d("0.0004"),
    heldNotional: d("600"),
    closeFees: d("0"),
    closeCrossing: d("0"),
    next: { ...next, funding: d("5.76"), openFees: d("0"), entryCrossing: d("0") } as GateResult,
  }, "24");
  equal(tie.switch, false);
  // A pair its own gate refuses is never switched to.
  const refused = switchDecision({
    heldSpread: d("0"),
    heldNotional: d("600"),
    closeFees: d("0"),
    closeCrossing: d("0"),
    next: { ...next, ok: false } as GateResult,
  }, "24");
  equal(refused.switch, false);
});

Deno.test("capRefusal(): per symbol, per venue and total notional caps", () => {
  const held = [
    { symbol: "BTC", venues: ["lighter", "grvt"], notional: d("600") },
    { symbol: "ETH", venues: ["lighter", "edgex"], notional: d("400") },
  ];
  const btc = { symbol: "BTC", venues: ["grvt", "edgex"], notional: d("500") };
  equal(capRefusal(held, btc, { perSymbol: "1099" }), "BTC notional 1100 above the cap 1099");
  equal(capRefusal(held, btc, { perSymbol: "1100" }), undefined);
  equal(capRefusal(held, btc, { perVenue: "1000" }), "grvt notional 1100 above the cap 1000");
  equal(capRefusal(held, btc, { perVenue: "1100" }), undefined);
  const sol = { symbol: "SOL", venues: ["lighter", "edgex"], notional: d("100") };
  equal(capRefusal(held, sol, { perVenue: "1099" }), "lighter notional 1100 above the cap 1099");
  equal(capRefusal(held, sol, { total: "1099" }), "total notional 1100 above the cap 1099");
  equal(capRefusal(held, sol, { total: "1100", perSymbol: "100", perVenue: "1100" }), undefined);
  equal(capRefusal([], sol, {}), undefined);
});

/** Lighter (−0.0001 / h, no fees), GRVT (0.0003 / h, taker 0.002), EdgeX (0, then `later`). */
function threeVenues(clock: ManualClock, later: string) {
  const lighter = paperVenue(clock, { name: "lighter", rate: "-0.0001", intervalHours: 1 });
  const grvt = paperVenue(clock, {
    name: "grvt",
    rate: "0.0003",
    intervalHours: 1,
    takerFee: "0.002",
  });
  const edgex = paperVenue(clock, {
    name: "edgex",
    // The rate quoted is the next settlement's: 01:00 pays 0, 02:00 onwards `later`.
    rate: [{ time: 0, rate: "0" }, { time: T0 + 60 * M, rate: later }],
    intervalHours: 1,
    takerFee: "0.002",
  });
  return { lighter, grvt, edgex };
}

async function enterLighterGrvt(later: string) {
  const clock = new ManualClock(T0);
  const v = threeVenues(clock, later);
  const store = await memoryStore();
  const { arb, lines } = strategy([v.lighter, v.grvt, v.edgex], store, clock, { stepMs: M });
  await arb.start(signal);
  const first = arb.step(signal);
  await clock.advance(100);
  hitMaker(v.lighter, "sell", "0.01"); // the maker bid on Lighter (long leg) fills
  await drive(clock, first);
  const [p] = arb.positions();
  equal(p.pairKey, "BTC:grvt:lighter");
  equal(p.status, "open");
  // 01:05: EdgeX now quotes `later` for its 02:00 settlement.
  await clock.advance(55 * M);
  return { clock, v, store, arb, lines };
}

Deno.test("funding arb: a better pair for a held symbol closes the held pair (switch taken)", async () => {
  // EdgeX +0.0031 / h: long Lighter / short EdgeX earns 0.0032 / h vs the held 0.0004 / h.
  // Over 24 h on ~600: 46.08 vs 5.76; switching costs ~ 1.2 + 1.2 + walks ≈ 2.43.
  const { clock, v, store, arb, lines } = await enterLighterGrvt("0.0031");
  await drive(clock, arb.step(signal));
  equal(arb.stats.switches, 1, lines.slice(-5).join("\n"));
  const rows = (await store.arbPositions()).map((r) => JSON.parse(r.data));
  const old = rows.find((r) => r.pairKey === "BTC:grvt:lighter");
  equal(old.status, "closed");
  equal(old.exitReason.startsWith("better opportunity: BTC:edgex:lighter earns "), true);
  equal(v.grvt.engine.position("me", "BTC").size, "0");
  equal(v.lighter.engine.position("me", "BTC").size, "0");
  await arb.stop("test");
  await store.close();
});

Deno.test("funding arb: a better pair whose switching costs eat the gain is refused (held)", async () => {
  // EdgeX +0.00045 / h: the new pair earns 0.00055 / h → 7.92 over 24 h on 600, vs holding 5.76;
  // closing GRVT (taker 0.002 → 1.2), opening EdgeX as the hedge (taker 0.002 → 1.2) and the
  // book walks (0.03) leave ~5.49 < 5.76: kept.
  const { clock, v, store, arb, lines } = await enterLighterGrvt("0.00045");
  await drive(clock, arb.step(signal));
  equal(arb.stats.switches, 0);
  equal(arb.stats.switchesRefused >= 1, true);
  // 7.92 − (1.2 + 0.01 + 0.01 + 1.2 + 0.01) = 5.49; holding 0.0004 × 599.991 × 24 = 5.7599.
  const keep = "BTC:edgex:lighter earns 5.4900 after switching costs 2.4300; holding " +
    "BTC:grvt:lighter earns 5.7599";
  equal(lines.some((l) => l.includes("keep BTC-") && l.includes(keep)), true);
  const [p] = arb.positions();
  equal(p.pairKey, "BTC:grvt:lighter");
  equal(p.status, "open");
  equal(legSize(p, "short").toString(), "-0.01");
  equal(v.grvt.engine.position("me", "BTC").size, "-0.01");
  equal(v.edgex.engine.position("me", "BTC").size, "0");
  await arb.stop("test");
  await store.close();
});

Deno.test("funding arb: notional caps refuse an entry by name (per symbol, per venue, total)", async () => {
  for (
    const [caps, text] of [
      // 0.01 BTC × 60 000 = 600.
      [{ maxSymbolNotionalUsd: "500" }, "BTC notional 600 above"],
      [{ maxVenueNotionalUsd: "500" }, "lighter notional 600 above"],
      [{ maxTotalNotionalUsd: "500" }, "total notional 600 above"],
    ] as const
  ) {
    const clock = new ManualClock(T0);
    const a = paperVenue(clock, { name: "lighter", rate: "-0.0001", intervalHours: 1 });
    const b = paperVenue(clock, { name: "grvt", rate: "0.0003", intervalHours: 1 });
    await using store = await memoryStore();
    const { arb, lines } = strategy([a, b], store, clock, caps);
    await arb.start(signal);
    await drive(clock, arb.step(signal));
    equal(arb.positions().length, 0, text);
    equal(a.engine.openOrders("me").length, 0, text);
    equal(lines.some((l) => l.includes(text) && l.includes("above the cap 500")), true, text);
  }
  // A cap the entry fits under lets it rest its maker order.
  const clock = new ManualClock(T0);
  const a = paperVenue(clock, { name: "lighter", rate: "-0.0001", intervalHours: 1 });
  const b = paperVenue(clock, { name: "grvt", rate: "0.0003", intervalHours: 1 });
  await using store = await memoryStore();
  const { arb } = strategy([a, b], store, clock, { maxSymbolNotionalUsd: "700" });
  await arb.start(signal);
  const s = arb.step(signal);
  await clock.advance(100);
  equal(a.engine.openOrders("me").length, 1);
  await drive(clock, s);
});

/** Records `setLeverage` and `placeOrder` calls in order. */
function recording(client: ExchangeClient, calls: string[]): ExchangeClient {
  return new Proxy(client, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === "setLeverage") {
        return (symbol: string, lev: number) => {
          calls.push(`setLeverage ${symbol} ${lev}`);
          return value.call(target, symbol, lev);
        };
      }
      if (prop === "placeOrder") {
        return (r: { side: string }) => {
          calls.push(`placeOrder ${r.side}`);
          return value.call(target, r);
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

Deno.test("funding arb: leverage per venue is set before the first entry; above the market maximum it is refused", async () => {
  const clock = new ManualClock(T0);
  const a = paperVenue(clock, { name: "lighter", rate: "-0.0001", intervalHours: 1 });
  const b = paperVenue(clock, { name: "grvt", rate: "0.0003", intervalHours: 1 });
  const calls: string[] = [];
  a.client = recording(a.client, calls);
  b.client = recording(b.client, calls);
  await using store = await memoryStore();
  const { arb } = strategy([a, b], store, clock, { leverage: { lighter: 3, grvt: 5 } });
  await arb.start(signal);
  const s = arb.step(signal);
  await clock.advance(100);
  hitMaker(a, "sell", "0.01");
  await drive(clock, s);
  equal(calls.slice(0, 3).join("; "), "setLeverage BTC 3; setLeverage BTC 5; placeOrder buy");
  await arb.stop("test");

  // The paper markets allow 20 (the engine's default): 25 stops the start, naming the maximum,
  // and nothing is set on any venue.
  const clock2 = new ManualClock(T0);
  const c = paperVenue(clock2, { name: "lighter", rate: "-0.0001", intervalHours: 1 });
  const e = paperVenue(clock2, { name: "grvt", rate: "0.0003", intervalHours: 1 });
  const calls2: string[] = [];
  c.client = recording(c.client, calls2);
  e.client = recording(e.client, calls2);
  await using store2 = await memoryStore();
  const { arb: arb2 } = strategy([c, e], store2, clock2, { leverage: { lighter: 2, grvt: 25 } });
  await rejects(arb2.start(signal), (err: unknown) => {
    equal(err instanceof ConfigurationError, true);
    equal(
      (err as Error).message,
      "leverage 25 on grvt is above the BTC maximum of 20: use --leverage grvt=20 or lower",
    );
    return true;
  });
  equal(calls2.length, 0);
});
