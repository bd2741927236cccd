/**
 * The bot's PnL split (`strategies/pnl.ts`) on a replica run: a scripted round trip on the
 * EdgeX replica, booked from the real client's fill events and funding payments, equals both
 * the hand-worked literals and the engine's account truth.
 */
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { Decimal, type Fill } from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { SIM_VENUE_MARKETS, startSimVenue } from "../sim/network.ts";
import { formatPnl, pnlJson, PnlTracker } from "../strategies/pnl.ts";
import { untilVirtual } from "./_bot.ts";

const until = untilVirtual;

Deno.test("PnL split on the EdgeX replica: realized, fees, funding and net equal the literals and the engine's account", async () => {
  // 03:59 UTC: the next EdgeX settlement (every 4 h) is at 04:00.
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 3, 59));
  const sim = await startSimVenue("edgex", {
    clock,
    protocol: "replica",
    markets: SIM_VENUE_MARKETS.edgex.filter((m) => m.spec.symbol === "BTC"),
    liquidityLevels: 0,
    stepMs: 1e12, // prices stay where the script sets them
  });
  const client = sim.client();
  const pnl = new PnlTracker();
  const off = pnl.attach(client);
  try {
    await client.connect();
    const engine = sim.engine;
    const symbol = sim.engineSymbol("BTC");
    engine.setPrices(symbol, { markPrice: "64000", indexPrice: "64000" });
    engine.createAccount("mm", { unlimitedMargin: true });
    // Buy 0.01 at 64000 as taker (EdgeX taker fee 0.038 %).
    engine.placeOrder("mm", { symbol, side: "sell", size: "0.01", price: "64000" });
    await client.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "limit",
      size: "0.01",
      price: "64000",
      timeInForce: "ioc",
    });
    await until(clock, "the buy fill", () => pnl.fills === 1);
    // Hold through the 04:00 settlement at 0.01 % per interval: the long pays
    // 0.01 × 64000 × 0.0001 = 0.064.
    engine.setFundingRates(symbol, () => "0.0001");
    for (let i = 0; i < 61; i++) {
      await clock.advance(1_000); // a second at a time: the sockets' pings keep flowing
      await new Promise((r) => setTimeout(r, 2));
    }
    engine.setPrices(symbol, { markPrice: "64000", indexPrice: "64000" });
    // Sell it at 64500 as taker.
    engine.placeOrder("mm", { symbol, side: "buy", size: "0.01", price: "64500" });
    await client.placeOrder({
      symbol: "BTC",
      side: "sell",
      type: "limit",
      size: "0.01",
      price: "64500",
      timeInForce: "ioc",
    });
    await until(clock, "the sell fill", () => pnl.fills === 2);
    await pnl.syncFunding(client, { symbol: "BTC", start: Date.UTC(2026, 0, 1) });
    pnl.setPositions(await client.getPositions(), "edgex");

    // Hand-worked: realized 0.01 × (64500 − 64000) = 5; fees 0.00038 × (640 + 645) = 0.4883;
    // funding −0.064; net 5 − 0.4883 − 0.064 = 4.4477.
    const split = pnl.split();
    deepEqual(
      Object.fromEntries(
        Object.entries(pnlJson(split)).map(([k, v]) => [k, new Decimal(v).toString()]),
      ),
      { realized: "5", unrealized: "0", fees: "0.4883", funding: "-0.064", net: "4.4477" },
    );
    const truth = engine.balance(sim.accountId);
    equal(new Decimal(truth.realizedPnl).toString(), split.realized.toString());
    equal(new Decimal(truth.fees).toString(), split.fees.toString());
    equal(new Decimal(truth.funding).toString(), split.funding.toString());
    equal(
      formatPnl(split, "USD"),
      "realized +5.0000 | unrealized +0.0000 | fees -0.4883 | funding -0.0640 | net +4.4477 USD",
    );
  } finally {
    off();
    await client.disconnect();
    await sim.close();
  }
});

function fill(side: "buy" | "sell", size: string, price: string, id: string): Fill {
  return {
    venue: "grvt",
    symbol: "BTC",
    tradeId: id,
    orderId: id,
    clientOrderId: id,
    side,
    price: new Decimal(price),
    size: new Decimal(size),
    fee: new Decimal("0.01"),
    liquidity: "maker",
    timestamp: 0,
  };
}

Deno.test("PnL tracker: a short round trip realizes (entry − exit) × size; a long one (exit − entry) × size", () => {
  const short = new PnlTracker();
  equal(short.onFill(fill("sell", "0.02", "100", "a"))!.toString(), "0");
  equal(short.onFill(fill("buy", "0.01", "90", "b"))!.toString(), "0.1");
  equal(short.onFill(fill("buy", "0.01", "110", "c"))!.toString(), "-0.1");
  equal(short.split().realized.toString(), "0");
  equal(short.split().fees.toString(), "0.03");
  const long = new PnlTracker();
  long.onFill(fill("buy", "0.02", "100", "a"));
  equal(long.onFill(fill("sell", "0.01", "90", "b"))!.toString(), "-0.1");
  equal(long.onFill(fill("sell", "0.01", "130", "c"))!.toString(), "0.3");
  equal(long.split().realized.toString(), "0.2");
});

Deno.test("PnL tracker: a position held at start is the cost basis; a flip realizes the closed part only", () => {
  const pnl = new PnlTracker();
  pnl.seed({
    venue: "grvt",
    symbol: "BTC",
    size: new Decimal("0.01"),
    entryPrice: new Decimal("100"),
  });
  // Sell 0.03 at 120: closes the 0.01 long (+0.2), opens 0.02 short at 120.
  equal(pnl.onFill(fill("sell", "0.03", "120", "a"))!.toString(), "0.2");
  // Buy 0.02 at 110: closes the short at +0.2.
  equal(pnl.onFill(fill("buy", "0.02", "110", "b"))!.toString(), "0.2");
  equal(pnl.split().realized.toString(), "0.4");
});

Deno.test("PnL tracker: a funding payment counts once, whether from an event or a REST read", async () => {
  const pnl = new PnlTracker();
  const payment = {
    venue: "edgex",
    symbol: "BTC",
    time: 1,
    amount: new Decimal("-0.064"),
    rate: undefined,
    positionSize: undefined,
    id: "p1",
  };
  ok(pnl.record({ type: "funding", payment }));
  equal(await pnl.syncFunding({ getFundingPayments: () => Promise.resolve([payment]) }), 0);
  equal(pnl.split().funding.toString(), "-0.064");
  equal(pnl.split().net.toString(), "-0.064");
});
