import {
  deepStrictEqual as deepEqual,
  ok,
  rejects,
  strictEqual as equal,
} from "node:assert/strict";
import {
  type Clock,
  Decimal,
  InvalidOrderError,
  NotFoundError,
  OrderOutcomeUnknownError,
} from "../base.ts";
import { ManualClock, systemClock } from "../exchanges/_shared/clock.ts";
import { conformanceSuite, type VenueHarness } from "../tests/conformance.ts";
import { SimEngine } from "./engine.ts";
import { FaultInjector } from "./faults.ts";
import { scriptedFundingRates } from "./funding.ts";
import { PAPER_FRONT_END, PaperClient, PaperFundingAdapter } from "./paper.ts";

const COUNTERPARTY = "counterparty";
const START = Date.UTC(2026, 0, 5, 0, 30);

function startPaper(
  options: {
    fundingIntervalHours?: number;
    keepHistory?: boolean;
    waits?: Clock;
    outcomeDeadlineMs?: number;
  } = {},
) {
  const clock = new ManualClock(START);
  const engine = new SimEngine({ clock, venue: "paper", keepHistory: options.keepHistory });
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
  const client = new PaperClient({
    engine,
    accountId: "me",
    faults,
    clock: options.waits,
    outcomeDeadlineMs: options.outcomeDeadlineMs,
  });
  const funding = new PaperFundingAdapter(engine);
  return { clock, engine, faults, client, funding };
}

const paperHarness: VenueHarness = {
  venue: "paper",
  start() {
    // Waits between lookups run on real time (the engine's clock only moves when told), and a
    // doubtful order is settled within two seconds: room for three failed lookups and their
    // backoff on a loaded machine.
    const { clock, engine, faults, client, funding } = startPaper({
      waits: systemClock,
      outcomeDeadlineMs: 2_000,
    });
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
        garbleNextOrderResponse: () => {
          faults.inject({
            kind: "garble_response",
            frontEnd: PAPER_FRONT_END,
            target: "placeOrder",
            times: 1,
          });
          return Promise.resolve();
        },
        failNextOrderLookups: (times) => {
          faults.inject({ kind: "error", frontEnd: PAPER_FRONT_END, target: "getOrder", times });
          return Promise.resolve();
        },
        fundingPayments: (symbol) =>
          Promise.resolve(
            engine.fundingPayments("me", symbol).map((p) => ({
              time: p.time,
              amount: new Decimal(p.amount),
            })),
          ),
        leverage: (symbol) => Promise.resolve(new Decimal(engine.position("me", symbol).leverage)),
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

/** A clock whose waits return at once and move its time on, so lookup deadlines pass. */
function instantWaits(): Clock & { slept: number } {
  let t = START;
  return {
    slept: 0,
    now: () => t,
    sleep(ms: number) {
      this.slept += ms;
      t += ms;
      return Promise.resolve();
    },
  };
}

Deno.test("PaperClient sends again after a 5xx that never reached the engine: one order", async () => {
  const waits = instantWaits();
  const { engine, faults, client } = startPaper({ waits });
  faults.inject({ kind: "error", frontEnd: PAPER_FRONT_END, target: "placeOrder", times: 1 });
  const order = await client.placeOrder({
    symbol: "BTC",
    side: "buy",
    type: "limit",
    size: "0.010",
    price: "63000.0",
    clientOrderId: "c-1",
  });
  deepEqual([order.clientOrderId, order.status], ["c-1", "open"]);
  deepEqual(engine.openOrders("me").map((o) => [o.clientOrderId, o.size]), [["c-1", "0.01"]]);
});

Deno.test("PaperClient never resends an order whose answer was lost after the engine took it", async () => {
  // Without history the engine cannot show a finished order, so every lookup reads "absent".
  const waits = instantWaits();
  const { engine, faults, client } = startPaper({ keepHistory: false, waits });
  engine.placeOrder(COUNTERPARTY, { symbol: "BTC", side: "sell", size: "1", price: "64000" });
  faults.inject({
    kind: "drop_response",
    frontEnd: PAPER_FRONT_END,
    target: "placeOrder",
    times: 1,
  });
  await rejects(
    client.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "market",
      size: "0.1",
      clientOrderId: "lost-1",
    }),
    (e: unknown) => e instanceof OrderOutcomeUnknownError && e.clientOrderId === "lost-1",
  );
  // One fill of 0.1, not two: the filled first copy got no twin.
  deepEqual(engine.position("me", "BTC").size, "0.1");
  ok(waits.slept >= 30_000, "lookups ran until the outcome deadline");
});

Deno.test("PaperClient resolves a lost answer of a filled market order by lookup", async () => {
  const { engine, faults, client } = startPaper();
  engine.placeOrder(COUNTERPARTY, { symbol: "BTC", side: "sell", size: "1", price: "64000" });
  faults.inject({
    kind: "drop_response",
    frontEnd: PAPER_FRONT_END,
    target: "placeOrder",
    times: 1,
  });
  const order = await client.placeOrder({
    symbol: "BTC",
    side: "buy",
    type: "market",
    size: "0.1",
    clientOrderId: "lost-2",
  });
  deepEqual([order.clientOrderId, order.status, order.filledSize.toString()], [
    "lost-2",
    "filled",
    "0.1",
  ]);
  deepEqual(engine.position("me", "BTC").size, "0.1");
});

Deno.test("PaperClient bounds a market order without worstPrice at the best ask plus slippage", async () => {
  const { engine, client } = startPaper();
  // Best ask 64000, slippage 5 %: the bound is 67200; the level above it stays untouched.
  engine.placeOrder(COUNTERPARTY, { symbol: "BTC", side: "sell", size: "0.001", price: "64000" });
  engine.placeOrder(COUNTERPARTY, { symbol: "BTC", side: "sell", size: "0.001", price: "67200" });
  engine.placeOrder(COUNTERPARTY, { symbol: "BTC", side: "sell", size: "1", price: "67200.1" });
  const order = await client.placeOrder({
    symbol: "BTC",
    side: "buy",
    type: "market",
    size: "0.5",
  });
  deepEqual([order.price?.toString(), order.filledSize.toString()], ["67200", "0.002"]);
  deepEqual(engine.position("me", "BTC").size, "0.002");
});

Deno.test("PaperClient bounds a market order on an empty side at the mark price plus slippage", async () => {
  const { client } = startPaper();
  // No bids; mark 64000, slippage 5 %: the sell carries the bound 60800.
  const order = await client.placeOrder({
    symbol: "BTC",
    side: "sell",
    type: "market",
    size: "0.5",
  });
  deepEqual([order.price?.toString(), order.filledSize.toString()], ["60800", "0"]);
});

Deno.test("PaperClient refuses exponent notation and JS numbers before anything reaches the engine", async () => {
  const { engine, client } = startPaper();
  await rejects(
    client.placeOrder({ symbol: "BTC", side: "buy", type: "limit", size: "1e-2", price: "63000" }),
    (e: unknown) =>
      e instanceof InvalidOrderError && /exponent notation .* such as "0.01"/.test(e.message),
  );
  await rejects(
    client.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "limit",
      size: 0.01 as unknown as string,
      price: "63000",
    }),
    (e: unknown) => e instanceof InvalidOrderError && /not the JS number 0.01/.test(e.message),
  );
  deepEqual(engine.openOrders("me"), []);
});

Deno.test("PaperClient's book is not stale in a quiet market unless a silence limit is set", async () => {
  const { clock, engine, client } = startPaper();
  engine.placeOrder(COUNTERPARTY, { symbol: "BTC", side: "buy", size: "1", price: "63990" });
  await using book = await client.subscribeOrderBook("BTC");
  await clock.advance(3_600_000);
  equal(book.snapshot().stale, false);

  await using limited = new PaperClient({ engine, accountId: "me", maxSilenceMs: 2_000 });
  await limited.connect();
  await using watched = await limited.subscribeOrderBook("BTC");
  await clock.advance(2_000);
  equal(watched.snapshot().stale, false);
  await clock.advance(1);
  equal(watched.snapshot().stale, true);
  engine.placeOrder(COUNTERPARTY, { symbol: "BTC", side: "sell", size: "1", price: "64010" });
  equal(watched.snapshot().stale, false);
  deepEqual(watched.snapshot().asks.map((l) => l.price.toString()), ["64010"]);
});
