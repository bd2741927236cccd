import { deepEqual, ok, rejects } from "node:assert/strict";
import { Decimal, NotFoundError } from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { conformanceSuite, type VenueHarness } from "../tests/conformance.ts";
import { SimEngine } from "./engine.ts";
import { FaultInjector } from "./faults.ts";
import { scriptedFundingRates } from "./funding.ts";
import { PAPER_FRONT_END, PaperClient, PaperFundingAdapter } from "./paper.ts";

const COUNTERPARTY = "counterparty";
const START = Date.UTC(2026, 0, 5, 0, 30);

function startPaper(options: { fundingIntervalHours?: number } = {}) {
  const clock = new ManualClock(START);
  const engine = new SimEngine({ clock, venue: "paper" });
  engine.addInstrument(
    {
      symbol: "BTC",
      tickSize: "0.1",
      sizeStep: "0.001",
      minNotional: "10",
      makerFee: "-0.0001",
      takerFee: "0.0005",
      fundingIntervalHours: options.fundingIntervalHours ?? 8,
    },
    { markPrice: "64000", indexPrice: "64000" },
  );
  engine.createAccount("me", { collateral: "100000" });
  engine.createAccount(COUNTERPARTY, { unlimitedMargin: true });
  const faults = new FaultInjector({ clock, seed: 7 });
  const client = new PaperClient({ engine, accountId: "me", faults });
  const funding = new PaperFundingAdapter(engine);
  return { clock, engine, faults, client, funding };
}

const paperHarness: VenueHarness = {
  venue: "paper",
  start() {
    const { clock, engine, faults, client, funding } = startPaper();
    return Promise.resolve({
      client,
      funding,
      symbol: "BTC",
      price: new Decimal("64000"),
      close: () => client.disconnect(),
      replica: {
        setPrice: (symbol, price) => {
          engine.setPrices(symbol, { markPrice: price, indexPrice: price });
          return Promise.resolve();
        },
        setFundingRate: (symbol, rate) => {
          engine.setFundingRates(symbol, scriptedFundingRates(rate));
          return Promise.resolve();
        },
        advance: async (ms) => {
          await clock.advance(ms);
          engine.sync();
        },
        placeCounterOrder: (o) => {
          engine.placeOrder(COUNTERPARTY, { ...o, type: "limit" });
          return Promise.resolve();
        },
        cancelCounterOrders: (symbol) => {
          engine.cancelAll(COUNTERPARTY, symbol);
          return Promise.resolve();
        },
        openOrders: (symbol) =>
          Promise.resolve(
            engine.openOrders("me", symbol).map((o) => ({
              id: o.id,
              clientOrderId: o.clientOrderId,
              side: o.side,
              price: new Decimal(o.price ?? "0"),
              size: new Decimal(o.size),
              filledSize: new Decimal(o.filledSize),
            })),
          ),
        position: (symbol) => Promise.resolve(new Decimal(engine.position("me", symbol).size)),
        equity: () => Promise.resolve(new Decimal(engine.balance("me").equity)),
        dropConnections: () => {
          client.simulateDisconnect();
          return Promise.resolve();
        },
        injectBookGap: (symbol) => {
          faults.inject({
            kind: "gap",
            frontEnd: PAPER_FRONT_END,
            target: `book:${symbol}`,
            times: 1,
          });
          return Promise.resolve();
        },
        loseNextOrderResponse: () => {
          faults.inject({
            kind: "drop_response",
            frontEnd: PAPER_FRONT_END,
            target: "placeOrder",
            times: 1,
          });
          return Promise.resolve();
        },
      },
    });
  },
};

conformanceSuite(paperHarness);

Deno.test("PaperClient refuses an account the engine does not have", () => {
  const { engine } = startPaper();
  try {
    new PaperClient({ engine, accountId: "nobody" });
    ok(false, "expected NotFoundError");
  } catch (e) {
    ok(e instanceof NotFoundError);
  }
});

Deno.test("PaperClient maps 429 and 5xx faults to retryable errors before acting", async () => {
  const { engine, faults, client } = startPaper();
  await client.connect();
  faults.inject({ kind: "error", frontEnd: PAPER_FRONT_END, target: "getBalance", times: 1 });
  await rejects(client.getBalance(), (e: Error) => e.name === "VenueUnavailableError");
  faults.inject({
    kind: "rate_limit",
    frontEnd: PAPER_FRONT_END,
    target: "cancelAllOrders",
    limit: 0,
    times: 1,
  });
  await rejects(client.cancelAllOrders("BTC"), (e: Error) => e.name === "RateLimitedError");
  deepEqual(engine.openOrders("me").length, 0);
  await client.disconnect();
});

Deno.test("PaperClient resyncs its book after a malformed frame", async () => {
  const { engine, faults, client } = startPaper();
  await client.connect();
  await using book = await client.subscribeOrderBook("BTC");
  faults.inject({ kind: "malformed", frontEnd: PAPER_FRONT_END, target: "book:BTC", times: 1 });
  engine.placeOrder(COUNTERPARTY, { symbol: "BTC", side: "buy", size: "1", price: "63990" });
  engine.placeOrder(COUNTERPARTY, { symbol: "BTC", side: "sell", size: "2", price: "64010" });
  const snap = book.snapshot();
  ok(!snap.stale);
  deepEqual(snap.bids.map((l) => [l.price.toString(), l.size.toString()]), [["63990", "1"]]);
  deepEqual(snap.asks.map((l) => [l.price.toString(), l.size.toString()]), [["64010", "2"]]);
  await client.disconnect();
});

Deno.test("PaperFundingAdapter reports funding in the package's units and its history", async () => {
  const { clock, engine, funding } = startPaper({ fundingIntervalHours: 4 });
  engine.setFundingRates("BTC", scriptedFundingRates("0.0002"));
  const [btc] = await funding.fetchFundingRates();
  deepEqual(btc.rate.toString(), "0.0002");
  deepEqual(btc.intervalHours, 4);
  deepEqual(btc.hourlyRate.toString(), "0.00005");
  deepEqual(btc.apr.toString(), "0.438");
  deepEqual(btc.nextFundingTime, Date.UTC(2026, 0, 5, 4));
  await clock.advance(24 * 3_600_000);
  engine.sync();
  const history = await funding.fetchFundingHistory("BTC");
  deepEqual(history.length, 6);
  deepEqual(history.map((h) => h.rate.toString()), Array(6).fill("0.0002"));
});
