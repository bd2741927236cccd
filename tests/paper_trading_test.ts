/**
 * Paper trading (`--paper`) on a scripted book: a fake venue whose book the test sets level by
 * level, and the EdgeX replica whose prices are set through its control API. Every expected
 * value is a literal worked out by hand (the working is written beside it).
 */
import assert from "node:assert/strict";
import { deepStrictEqual as deepEqual, strictEqual as equal } from "node:assert/strict";
import {
  type Balance,
  type BestBidAsk,
  type BookSnapshot,
  Decimal,
  type ExchangeClient,
  type ExchangeEvent,
  type Fill,
  type FundingPayment,
  InvalidOrderError,
  type Market,
  type Order,
  type OrderBookSubscription,
  type OrderRequest,
  type Position,
  PostOnlyWouldCrossError,
} from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { EventHub } from "../exchanges/_shared/event_hub.ts";
import { LiveOrderBook } from "../exchanges/_shared/live_order_book.ts";
import { startSimVenue } from "../sim/network.ts";
import { GridStrategy } from "../strategies/grid.ts";
import { PaperTradingClient } from "../strategies/paper_trading.ts";
import { runStrategy } from "../strategies/runner.ts";
import { LoopbackDriver } from "./bot_loopback_driver.ts";

const START = Date.UTC(2026, 0, 1);
type Level = [string, string];

/**
 * A venue whose book is scripted: BTC, tick 0.1, step 0.001, maker 0.02 %, taker 0.05 %.
 * It refuses every order, cancel and leverage change, and counts them: a paper client must
 * never send one.
 */
class ScriptedVenue implements ExchangeClient {
  readonly venue: string;
  sent = 0;
  readonly #book: LiveOrderBook;
  #seq = 0;
  readonly #hub = new EventHub<ExchangeEvent>();
  readonly market: Market;

  constructor(clock: ManualClock, fees: { maker?: string; taker?: string } = {}, venue = "edgex") {
    this.venue = venue;
    this.market = {
      venue,
      symbol: "BTC",
      venueSymbol: "BTCUSD",
      venueId: 1,
      baseAsset: "BTC",
      quoteAsset: "USD",
      tickSize: new Decimal("0.1"),
      sizeStep: new Decimal("0.001"),
      minSize: new Decimal("0.001"),
      minNotional: new Decimal("0"),
      ...(fees.maker ? { makerFee: new Decimal(fees.maker) } : {}),
      ...(fees.taker ? { takerFee: new Decimal(fees.taker) } : {}),
      fundingIntervalHours: 4,
    };
    this.#book = new LiveOrderBook("BTC", {
      venue,
      sequenceRule: "increment",
      clock,
      maxSilenceMs: Infinity,
      requestSnapshot: () => {},
    });
  }

  /** Shows a new book (the venue's whole top of book). */
  show(bids: Level[], asks: Level[]): void {
    const level = ([price, size]: Level) => ({ price, size });
    this.#book.applySnapshot({ bids: bids.map(level), asks: asks.map(level) }, {
      sequence: ++this.#seq,
      timestamp: START,
    });
  }

  markStale(): void {
    this.#book.markStale();
  }

  #refuse(): never {
    this.sent++;
    throw new Error("a paper client sent something to the venue");
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    return Promise.resolve();
  }
  [Symbol.asyncDispose](): Promise<void> {
    return Promise.resolve();
  }
  getMarkets(): Promise<Market[]> {
    return Promise.resolve([this.market]);
  }
  getMarket(): Promise<Market> {
    return Promise.resolve(this.market);
  }
  placeOrder(_r: OrderRequest): Promise<Order> {
    this.#refuse();
  }
  cancelOrder(): Promise<void> {
    this.#refuse();
  }
  cancelAllOrders(): Promise<void> {
    this.#refuse();
  }
  getOrder(): Promise<Order | undefined> {
    return Promise.resolve(undefined);
  }
  getOpenOrders(): Promise<Order[]> {
    return Promise.resolve([]);
  }
  getBalance(): Promise<Balance> {
    return Promise.resolve({
      venue: this.venue,
      asset: "USD",
      equity: new Decimal("10000"),
      available: new Decimal("10000"),
    });
  }
  getPositions(): Promise<Position[]> {
    return Promise.resolve([]);
  }
  getFundingPayments(): Promise<FundingPayment[]> {
    return Promise.resolve([]);
  }
  setLeverage(): Promise<void> {
    this.#refuse();
  }
  subscribeOrderBook(): Promise<OrderBookSubscription> {
    return Promise.resolve(this.#book);
  }
  getBestBidAsk(): Promise<BestBidAsk> {
    return Promise.resolve(this.#book.bestBidAsk());
  }
  getOrderBook(_s: string, depth?: number): Promise<BookSnapshot> {
    return Promise.resolve(this.#book.snapshot(depth));
  }
  events(options?: { signal?: AbortSignal }): AsyncIterableIterator<ExchangeEvent> {
    return this.#hub.events(options);
  }
  onEvent(listener: (event: ExchangeEvent) => void): () => void {
    return this.#hub.onEvent(listener);
  }
  newClientOrderId(): string {
    return crypto.randomUUID();
  }
}

/** The mirror has applied the venue's book once its best levels are these. */
function top(bid: string, ask: string): (b: BookSnapshot) => boolean {
  return (b) => b.bids[0]?.price.eq(bid) === true && b.asks[0]?.price.eq(ask) === true;
}

function fillsOf(client: ExchangeClient): Fill[] {
  const fills: Fill[] = [];
  client.onEvent((e) => {
    if (e.type === "fill") fills.push(e.fill);
  });
  return fills;
}

const row = (
  f: Fill,
) => [f.side, f.price.toString(), f.size.toString(), f.fee.toString(), f.liquidity];

Deno.test("paper: a resting buy fills as maker when the venue's ask comes down to it, by the size shown; a sell when the bid comes up", async () => {
  const clock = new ManualClock(START);
  const venue = new ScriptedVenue(clock, { maker: "0.0002", taker: "0.0005" });
  venue.show([["99.9", "1"]], [["100.2", "1"]]);
  const paper = new PaperTradingClient(venue, { clock });
  await paper.connect();
  const fills = fillsOf(paper);
  try {
    const buy = await paper.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "limit",
      size: "0.5",
      price: "100",
      postOnly: true,
    });
    equal(buy.status, "open");

    // The ask comes down to 100.0 with 0.2 shown: 0.2 fills at the paper price, maker fee
    // 0.2 × 100 × 0.0002 = 0.004.
    venue.show([["99.8", "1"]], [["100", "0.2"], ["100.2", "1"]]);
    await paper.waitForBook("BTC", top("99.8", "100"));
    deepEqual(fills.map(row), [["buy", "100", "0.2", "0.004", "maker"]]);
    equal(
      (await paper.getOrder("BTC", { clientOrderId: buy.clientOrderId }))!.status,
      "partially_filled",
    );

    // The same level shown again is the liquidity already taken: nothing more fills.
    venue.show([["99.8", "1"]], [["100", "0.2"], ["100.2", "1"]]);
    await paper.waitForBook("BTC", top("99.8", "100"));
    equal(fills.length, 1);

    // The book trades through: 0.5 offered at 99.9 fills the remaining 0.3 at the paper price
    // 100.0 (maker fee 0.3 × 100 × 0.0002 = 0.006).
    venue.show([["99.8", "1"]], [["99.9", "0.5"], ["100", "0.2"]]);
    await paper.waitForBook("BTC", top("99.8", "99.9"));
    deepEqual(fills.slice(1).map(row), [["buy", "100", "0.3", "0.006", "maker"]]);
    const [pos] = await paper.getPositions();
    deepEqual([pos.size.toString(), pos.entryPrice.toString()], ["0.5", "100"]);

    // A resting sell at 100.5 fills when the bid comes up to 100.6: 0.5 @ 100.5, maker fee
    // 0.5 × 100.5 × 0.0002 = 0.01005; realized (100.5 − 100) × 0.5 = 0.25.
    await paper.placeOrder({
      symbol: "BTC",
      side: "sell",
      type: "limit",
      size: "0.5",
      price: "100.5",
      postOnly: true,
    });
    venue.show([["100.6", "1"]], [["100.7", "1"]]);
    await paper.waitForBook("BTC", top("100.6", "100.7"));
    deepEqual(fills.slice(2).map(row), [["sell", "100.5", "0.5", "0.01005", "maker"]]);
    deepEqual(await paper.getPositions(), []);
    const s = paper.summary();
    // fees 0.004 + 0.006 + 0.01005 = 0.02005; equity 10000 + 0.25 − 0.02005 = 10000.22995.
    deepEqual(
      [s.realizedPnl.toString(), s.fees.toString(), s.equity.toString(), s.openOrders],
      ["0.25", "0.02005", "10000.22995", 0],
    );
    equal((await paper.getBalance()).equity.toString(), "10000.22995");
    equal(venue.sent, 0);
  } finally {
    await paper.disconnect();
  }
});

Deno.test("paper: a crossing order fills at once as taker, walking the venue's levels at their prices; the rest rests", async () => {
  const clock = new ManualClock(START);
  const venue = new ScriptedVenue(clock, { maker: "0.0002", taker: "0.0005" });
  venue.show([["99.9", "0.4"], ["99.8", "1"]], [["100.2", "0.3"], ["100.3", "0.5"], [
    "100.5",
    "1",
  ]]);
  const paper = new PaperTradingClient(venue, { clock });
  await paper.connect();
  const fills = fillsOf(paper);
  try {
    // Buy 1 @ 100.3: 0.3 @ 100.2 and 0.5 @ 100.3 (taker fees 0.3 × 100.2 × 0.0005 = 0.01503,
    // 0.5 × 100.3 × 0.0005 = 0.025075); 0.2 rests at 100.3. Average (30.06 + 50.15) / 0.8 =
    // 100.2625.
    const buy = await paper.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "limit",
      size: "1",
      price: "100.3",
    });
    deepEqual(
      [
        buy.status,
        buy.filledSize.toString(),
        buy.remainingSize.toString(),
        buy.averageFillPrice?.toString(),
      ],
      ["partially_filled", "0.8", "0.2", "100.2625"],
    );
    deepEqual(fills.map(row), [
      ["buy", "100.2", "0.3", "0.01503", "taker"],
      ["buy", "100.3", "0.5", "0.025075", "taker"],
    ]);
    const q = await paper.getBestBidAsk("BTC");
    deepEqual([q.bid.toString(), q.ask.toString()], ["100.3", "100.5"]); // the rest is in the book
    await paper.cancelOrder("BTC", { clientOrderId: buy.clientOrderId });

    // Market sell 0.8 into bids 99.9 × 0.4, 99.8 × 1: 0.4 @ 99.9, 0.4 @ 99.8. Realized
    // 0.4 × (99.9 − 100.2625) + 0.4 × (99.8 − 100.2625) = −0.145 − 0.185 = −0.33; fees
    // 0.4 × 99.9 × 0.0005 = 0.01998 and 0.4 × 99.8 × 0.0005 = 0.01996.
    const sell = await paper.placeOrder({
      symbol: "BTC",
      side: "sell",
      type: "market",
      size: "0.8",
    });
    equal(sell.status, "filled");
    deepEqual(fills.slice(2).map(row), [
      ["sell", "99.9", "0.4", "0.01998", "taker"],
      ["sell", "99.8", "0.4", "0.01996", "taker"],
    ]);
    const s = paper.summary();
    // fees 0.01503 + 0.025075 + 0.01998 + 0.01996 = 0.080045.
    deepEqual([s.realizedPnl.toString(), s.fees.toString()], ["-0.33", "0.080045"]);
    // The liquidity taken stays taken while the venue shows the same levels.
    venue.show([["99.9", "0.4"], ["99.8", "1"]], [["100.2", "0.3"], ["100.3", "0.5"], [
      "100.5",
      "1",
    ]]);
    await paper.waitForBook("BTC", top("99.9", "100.2"));
    const book = await paper.getOrderBook("BTC", 3);
    deepEqual(book.asks.map((l) => [l.price.toString(), l.size.toString()]), [["100.5", "1"]]);
    deepEqual(book.bids.map((l) => [l.price.toString(), l.size.toString()]), [["99.8", "0.6"]]);
    equal(venue.sent, 0);
  } finally {
    await paper.disconnect();
  }
});

Deno.test("paper: a post-only order that would cross and a size below the minimum are refused; nothing is sent", async () => {
  const clock = new ManualClock(START);
  const venue = new ScriptedVenue(clock, { maker: "0.0002", taker: "0.0005" });
  venue.show([["99.9", "1"]], [["100.2", "1"]]);
  const paper = new PaperTradingClient(venue, { clock });
  await paper.connect();
  try {
    await assert.rejects(
      paper.placeOrder({
        symbol: "BTC",
        side: "buy",
        type: "limit",
        size: "0.1",
        price: "100.2",
        postOnly: true,
      }),
      PostOnlyWouldCrossError,
    );
    await assert.rejects(
      paper.placeOrder({
        symbol: "BTC",
        side: "sell",
        type: "limit",
        size: "0.0005",
        price: "101",
      }),
      InvalidOrderError,
    );
    deepEqual(await paper.getOpenOrders("BTC"), []);
    equal(venue.sent, 0);
  } finally {
    await paper.disconnect();
  }
});

Deno.test("paper: the book reads stale while the venue's book is stale, and a stale book fills nothing", async () => {
  const clock = new ManualClock(START);
  const venue = new ScriptedVenue(clock, { maker: "0", taker: "0" });
  venue.show([["99.9", "1"]], [["100.2", "1"]]);
  const paper = new PaperTradingClient(venue, { clock });
  await paper.connect();
  try {
    await paper.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "limit",
      size: "0.1",
      price: "100",
      postOnly: true,
    });
    const sub = await paper.subscribeOrderBook("BTC");
    equal(sub.bestBidAsk().stale, false);
    venue.markStale();
    equal((await paper.getBestBidAsk("BTC")).stale, true);
    equal(sub.snapshot(1).stale, true);
    deepEqual(await paper.getPositions(), []);
    await sub.close();
  } finally {
    await paper.disconnect();
  }
});

Deno.test("paper: without fees in the market data the venue's row of the fee table applies (GRVT maker rebate −0.01 %)", async () => {
  const clock = new ManualClock(START);
  const venue = new ScriptedVenue(clock, {}, "grvt");
  venue.show([["99.9", "1"]], [["100.2", "1"]]);
  const paper = new PaperTradingClient(venue, { clock });
  await paper.connect();
  const fills = fillsOf(paper);
  try {
    await paper.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "limit",
      size: "1",
      price: "100",
      postOnly: true,
    });
    venue.show([["99.8", "1"]], [["100", "2"]]);
    await paper.waitForBook("BTC", top("99.8", "100"));
    // 1 × 100 × −0.0001 = −0.01 (a rebate).
    deepEqual(fills.map(row), [["buy", "100", "1", "-0.01", "maker"]]);
    // Taker 0.055 %: buy 1 more at 100 → 1 × 100 × 0.00055 = 0.055.
    await paper.placeOrder({ symbol: "BTC", side: "buy", type: "limit", size: "1", price: "100" });
    deepEqual(fills.slice(1).map(row), [["buy", "100", "1", "0.055", "taker"]]);
  } finally {
    await paper.disconnect();
  }
});

Deno.test("paper grid on a scripted book: open fills when the ask comes down, the take-profit when the bid comes up, realized PnL 0.006", async () => {
  const clock = new ManualClock(START);
  const venue = new ScriptedVenue(clock, { maker: "0.0002", taker: "0.0005" });
  venue.show([["99.8", "1"]], [["100.2", "1"]]);
  const paper = new PaperTradingClient(venue, { clock });
  const fills = fillsOf(paper);
  const grid = new GridStrategy(
    {
      symbol: "BTC",
      quantity: "0.01",
      takeProfit: "0.5",
      direction: "buy",
      maxOrders: 1,
      waitTimeSec: 60,
    },
    { client: paper, clock, notify: () => Promise.resolve() },
  );
  const stop = new AbortController();
  await paper.connect();
  const done = runStrategy(grid, { clock, signal: stop.signal, random: () => 0.5 });
  const waitFor = async (what: string, ok: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 400 && !(await ok()); i++) await clock.advance(100);
    assert.ok(await ok(), what);
  };
  try {
    // Open: one tick inside the spread from the far side, ask − tick = 100.1.
    await waitFor("open placed", async () => (await paper.getOpenOrders("BTC")).length === 1);
    const [open] = await paper.getOpenOrders("BTC");
    deepEqual([open.side, open.price?.toString(), open.size.toString()], ["buy", "100.1", "0.01"]);
    // The ask comes down to 100.1: the open fills there as maker.
    venue.show([["99.8", "1"]], [["100.1", "1"]]);
    await paper.waitForBook("BTC", top("99.8", "100.1"));
    // Take-profit: 100.1 × 1.005 = 100.6005, up to the tick → 100.7.
    await waitFor(
      "take-profit placed",
      async () => (await paper.getOpenOrders("BTC")).some((o) => o.side === "sell"),
    );
    const tp = (await paper.getOpenOrders("BTC")).find((o) => o.side === "sell")!;
    deepEqual([tp.price?.toString(), tp.size.toString()], ["100.7", "0.01"]);
    // The bid comes up to 100.8: the take-profit fills at 100.7.
    venue.show([["100.8", "1"]], [["100.9", "1"]]);
    await paper.waitForBook("BTC", top("100.8", "100.9"));
    await waitFor("take-profit filled", () => grid.stats.tpFills === 1);
    deepEqual(fills.map(row), [
      ["buy", "100.1", "0.01", "0.0002002", "maker"], // 0.01 × 100.1 × 0.0002
      ["sell", "100.7", "0.01", "0.0002014", "maker"], // 0.01 × 100.7 × 0.0002
    ]);
    const s = paper.summary();
    // Realized (100.7 − 100.1) × 0.01 = 0.006; fees 0.0002002 + 0.0002014 = 0.0004016.
    deepEqual([s.realizedPnl.toString(), s.fees.toString()], ["0.006", "0.0004016"]);
    equal(venue.sent, 0);
  } finally {
    stop.abort();
    await clock.advance(30_000);
    await done;
    await paper.disconnect();
  }
});

Deno.test("paper grid on the EdgeX replica's book set through the control API: open and take-profit fill on paper, nothing reaches the venue", async () => {
  const clock = new ManualClock(START);
  const sim = await startSimVenue("edgex", { clock, protocol: "replica", volatilityBps: "0" });
  const driver = new LoopbackDriver(clock);
  const btc = sim.engineSymbol("BTC");
  const reached: string[] = [];
  sim.engine.subscribe((e) => {
    if (e.type === "order" && e.order.accountId === sim.accountId) reached.push(e.order.id);
  });
  const paper = new PaperTradingClient(sim.client(), { clock });
  const fills = fillsOf(paper);
  const grid = new GridStrategy(
    {
      symbol: "BTC",
      quantity: "0.01",
      takeProfit: "0.02",
      direction: "buy",
      maxOrders: 1,
      waitTimeSec: 60,
    },
    { client: paper, clock, notify: () => Promise.resolve() },
  );
  const stop = new AbortController();
  const setPrice = (p: string) => sim.control.setPrices(btc, { indexPrice: p, markPrice: p });
  const waitFor = async (what: string, ok: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 200 && !(await ok()); i++) await driver.advance(500);
    assert.ok(await ok(), what);
  };
  let done: Promise<unknown> | undefined;
  try {
    await paper.connect();
    const market = await paper.getMarket("BTC");
    // The replica's EdgeX market data carries the fees: maker 0.015 %.
    equal(market.makerFee?.toString(), "0.00015");
    done = runStrategy(grid, { clock, signal: stop.signal, random: () => 0.5 });
    // Flat book 63999.8 / 64000.2: the open rests at ask − tick = 64000.1.
    await waitFor("open placed", async () => (await paper.getOpenOrders("BTC")).length === 1);
    equal((await paper.getOpenOrders("BTC"))[0].price?.toString(), "64000.1");
    // The market falls to 63990: the replica quotes asks from 63990.2, through the paper bid.
    setPrice("63990");
    await waitFor("open filled", () => fills.length >= 1);
    // Take-profit 64000.1 × 1.0002 = 64012.90002 → up to the tick 64013.
    await waitFor(
      "take-profit placed",
      async () => (await paper.getOpenOrders("BTC")).some((o) => o.side === "sell"),
    );
    equal(
      (await paper.getOpenOrders("BTC")).find((o) => o.side === "sell")!.price?.toString(),
      "64013",
    );
    // The market rises to 64020: bids from 64019.8 trade through the take-profit.
    setPrice("64020");
    await waitFor("take-profit filled", () => grid.stats.tpFills === 1);
    deepEqual(fills.slice(0, 2).map(row), [
      ["buy", "64000.1", "0.01", "0.09600015", "maker"], // 640.001 × 0.00015
      ["sell", "64013", "0.01", "0.0960195", "maker"], // 640.13 × 0.00015
    ]);
    const s = paper.summary();
    // Realized (64013 − 64000.1) × 0.01 = 0.129; fees 0.09600015 + 0.0960195 = 0.19201965:
    // the default take-profit loses 0.06301965 per round trip on EdgeX.
    deepEqual([s.realizedPnl.toString(), s.fees.toString()], ["0.129", "0.19201965"]);
    deepEqual(reached, []);
  } finally {
    stop.abort();
    await driver.advance(30_000);
    await done;
    await paper.disconnect();
    await sim.close();
  }
});
