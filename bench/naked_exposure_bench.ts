// Naked-exposure window of the funding-arbitrage entry — from the first maker fill seen to the
// hedge acknowledged — on loopback replicas (Lighter maker leg, GRVT hedge leg, the venues' real
// clients), with no injected latency. Target: p99 ≤ 50 ms.
//
//   deno run -A --no-lock bench/naked_exposure_bench.ts [entries]
import { SqliteFundingStore } from "../funding/sqlite_store.ts";
import { scriptedFundingRates } from "../sim/funding.ts";
import { startSimVenue } from "../sim/network.ts";
import { FundingArbitrageStrategy } from "../strategies/funding_arbitrage.ts";
import { median, percentile } from "./_stats.ts";

const entries = Number(Deno.args[0] ?? 40);
const lighter = await startSimVenue("lighter", {
  protocol: "replica",
  seed: 1,
  volatilityBps: "0",
});
const grvt = await startSimVenue("grvt", { protocol: "replica", seed: 2, volatilityBps: "0" });
lighter.engine.setFundingRates(lighter.engineSymbol("BTC"), scriptedFundingRates("-0.0001"));
grvt.engine.setFundingRates(grvt.engineSymbol("BTC"), scriptedFundingRates("0.0024"));
for (const s of [lighter, grvt]) s.engine.createAccount("bench-taker", { unlimitedMargin: true });
const store = await SqliteFundingStore.open(":memory:");
const windows: number[] = [];
const venues = [
  { name: "lighter", client: lighter.client(), funding: lighter.fundingAdapter() },
  { name: "grvt", client: grvt.client(), funding: grvt.fundingAdapter() },
];
const signal = new AbortController().signal;
for (let i = 0; i < entries; i++) {
  const arb = new FundingArbitrageStrategy({
    owner: "bench",
    symbols: ["BTC"],
    notionalUsd: "1000",
    holdHours: "24",
    minNetApr: "0",
    makerTimeoutMs: 5_000,
    repriceMs: 1_000,
    closeOnStop: true,
    maxFailedOpensPerHour: 1_000,
  }, { venues, store, now: () => performance.now(), onAction: () => {} });
  await arb.start(signal);
  const stepping = arb.step(signal);
  // Wait for the maker order to rest on one venue, then take it there.
  let maker: typeof lighter | undefined;
  for (let t = 0; t < 500 && !maker; t++) {
    await new Promise((r) => setTimeout(r, 2));
    for (const s of [lighter, grvt]) {
      if (s.engine.openOrders(s.accountId).length > 0) maker = s;
    }
  }
  if (maker) {
    const [o] = maker.engine.openOrders(maker.accountId);
    maker.engine.placeOrder("bench-taker", {
      symbol: o.symbol,
      side: o.side === "buy" ? "sell" : "buy",
      size: o.remainingSize,
      price: o.price!,
      timeInForce: "ioc",
    });
  }
  await stepping;
  const [p] = arb.positions();
  if (p?.status === "open") windows.push(...p.nakedMs);
  await arb.stop("bench");
}
windows.sort((a, b) => a - b);
console.log(
  `naked-exposure window (first maker fill seen → hedge acknowledged), ${windows.length} of ` +
    `${entries} entries, loopback replicas (Lighter / GRVT), no injected latency:`,
);
console.log(
  `  p50 ${median(windows).toFixed(2)} ms   p99 ${percentile(windows, 99).toFixed(2)} ms   ` +
    `max ${windows.at(-1)?.toFixed(2)} ms   (target p99 ≤ 50 ms)`,
);
await store.close();
for (const v of venues) await v.client.disconnect();
await lighter.close();
await grvt.close();
