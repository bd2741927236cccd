/**
 * The PnL split across a private-stream outage, on the EdgeX and GRVT replicas with the real
 * clients: the bot's resting take-profit fills while the private socket is down (its reconnect refused by a fault),
 * so the fill event never arrives; after the reconnect the client re-reads the order and the
 * tracker books the missed fill from the order's filled size and average fill price. The split
 * equals the hand-worked literals and the engine's account truth.
 */
import { deepStrictEqual as deepEqual, ok, strictEqual as equal } from "node:assert/strict";
import { Decimal, type ExchangeEvent } from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { SIM_VENUE_MARKETS, startSimVenue } from "../sim/network.ts";
import { formatPnl, pnlJson, PnlTracker } from "../strategies/pnl.ts";
import { untilVirtual } from "./_bot.ts";

const until = untilVirtual;

/**
 * Per venue: fee rates (as the replicas charge them: `SIM_VENUE_PROFILES` in sim/network.ts),
 * the WebSocket endpoint a fault refuses, and the hand-worked fees per side: open 0.01 at 64000 as taker, take-profit
 * 0.01 at 64000 ± 500 as maker (long: 645 notional, short: 635). `shown` is the estimate as
 * `formatPnl` prints it.
 */
const VENUES = {
  // EdgeX maker 0.015 %, taker 0.038 %: open 0.00038 × 640 = 0.2432; take-profit maker
  // 0.00015 × 645 = 0.09675 (long) / × 635 = 0.09525 (short).
  edgex: {
    rates: { maker: new Decimal("0.00015"), taker: new Decimal("0.00038") },
    socket: "/api/v1/private/ws",
    long: { fees: "0.33995", estimated: "0.09675", net: "4.66005", shown: "0.0968" },
    short: { fees: "0.33845", estimated: "0.09525", net: "4.66155", shown: "0.0952" },
  },
  // GRVT maker −0.01 % (a rebate), taker 0.045 %: open 0.00045 × 640 = 0.288; take-profit
  // −0.0001 × 645 = −0.0645 (long) / × 635 = −0.0635 (short).
  grvt: {
    rates: { maker: new Decimal("-0.0001"), taker: new Decimal("0.00045") },
    socket: "/ws/full",
    long: { fees: "0.2235", estimated: "-0.0645", net: "4.7765", shown: "-0.0645" },
    short: { fees: "0.2245", estimated: "-0.0635", net: "4.7755", shown: "-0.0635" },
  },
} as const;

for (const venue of ["edgex", "grvt"] as const) {
  for (const side of ["long", "short"] as const) {
    const [open, close] = side === "long" ? ["buy", "sell"] as const : ["sell", "buy"] as const;
    const v = VENUES[venue];
    Deno.test(`PnL on the ${venue} replica (${side}): a fill missed while the private socket is down is booked after the reconnect; split = engine truth`, async () => {
      // 01:00 UTC: no funding settlement (EdgeX every 4 h, GRVT every 8 h) within the test.
      const clock = new ManualClock(Date.UTC(2026, 0, 1, 1, 0));
      const sim = await startSimVenue(venue, {
        clock,
        protocol: "replica",
        markets: SIM_VENUE_MARKETS[venue].filter((m) => m.spec.symbol === "BTC"),
        liquidityLevels: 0,
        stepMs: 1e12, // prices stay where the script sets them
      });
      const client = sim.client();
      const pnl = new PnlTracker({ feeRates: { [venue]: v.rates } });
      const off = pnl.attach(client);
      const events: ExchangeEvent[] = [];
      const offEvents = client.onEvent((e) => void events.push(e));
      try {
        await client.connect();
        const engine = sim.engine;
        const symbol = sim.engineSymbol("BTC");
        engine.setPrices(symbol, { markPrice: "64000", indexPrice: "64000" });
        engine.createAccount("mm", { unlimitedMargin: true });
        // Open 0.01 at 64000 as taker: fee 0.00038 × 640 = 0.2432, streamed as a fill event.
        engine.placeOrder("mm", { symbol, side: close, size: "0.01", price: "64000" });
        await client.placeOrder({
          symbol: "BTC",
          side: open,
          type: "limit",
          size: "0.01",
          price: "64000",
          timeInForce: "ioc",
        });
        await until(clock, "the open's fill", () => pnl.fills === 1);
        // The take-profit rests post-only 500 away.
        const tpPrice = side === "long" ? "64500" : "63500";
        const tp = await client.placeOrder({
          symbol: "BTC",
          side: close,
          type: "limit",
          size: "0.01",
          price: tpPrice,
          postOnly: true,
        });
        await until(
          clock,
          "the take-profit resting",
          () =>
            events.some((e) =>
              e.type === "order" && e.order.clientOrderId === tp.clientOrderId &&
              e.order.status === "open"
            ),
        );
        // The private socket goes down and cannot come back while the counter-order fills the
        // take-profit (maker): the replica has no socket to push the fill to.
        const refuse = sim.faults.inject({
          kind: "error",
          frontEnd: venue,
          target: v.socket,
          status: 503,
        });
        await sim.dropConnections();
        engine.placeOrder("mm", { symbol, side: open, size: "0.01", price: tpPrice });
        equal(engine.getOrder(sim.accountId, { clientOrderId: tp.clientOrderId }).status, "filled");
        await until(
          clock,
          "the client to see the socket lost",
          () => events.some((e) => e.type === "connection" && e.state === "reconnecting"),
        );
        sim.faults.clear(refuse);
        await until(clock, "the missed fill booked after the reconnect", () => pnl.fromOrders >= 1);
        // The fill event never came: the take-profit was booked from the order's state.
        equal(pnl.fills, 1);
        equal(pnl.fromOrders, 1);
        pnl.setPositions(await client.getPositions(), venue);

        // Hand-worked: realized 0.01 × 500 = 5; fees and net as in VENUES.
        const { fees, estimated, net, shown } = v[side];
        const split = pnl.split();
        deepEqual(
          Object.fromEntries(
            Object.entries(pnlJson(split)).map(([k, v]) => [k, new Decimal(v).toString()]),
          ),
          {
            realized: "5",
            unrealized: "0",
            fees,
            funding: "0",
            net,
            fees_estimated: estimated,
          },
        );
        const truth = engine.balance(sim.accountId);
        equal(new Decimal(truth.realizedPnl).toString(), split.realized.toString());
        equal(new Decimal(truth.fees).toString(), split.fees.toString());
        equal(new Decimal(truth.funding).toString(), split.funding.toString());
        ok(
          formatPnl(split, "USD").endsWith(
            `USD (${shown} of the fees estimated from the venue's rate)`,
          ),
          formatPnl(split, "USD"),
        );
      } finally {
        offEvents();
        off();
        await client.disconnect();
        await sim.close();
      }
    });
  }
}
