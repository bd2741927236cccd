/**
 * Unit tests of the grid strategy: the exposure guard's arithmetic (a table of hand-worked
 * literals), and prices of opens and take-profits on a tick that changes while the bot runs
 * (a fake client whose market answers tick 1, then tick 10).
 */
import { deepStrictEqual as deepEqual, strictEqual as equal } from "node:assert/strict";
import {
  Decimal,
  type ExchangeClient,
  type ExchangeEvent,
  type Market,
  type Order,
  type OrderRequest,
  type Side,
} from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { GridStrategy, type InFlightOpen, unhedgedSize } from "./grid.ts";
import { runStrategy } from "./runner.ts";

// ------------------------------------------------------------------------------------------
// The guard's arithmetic

/**
 * Quantity 0.01 throughout. `position` is the venue's signed position, `resting` the Σ remaining
 * size of resting take-profits, `inFlight` the filled opens in progress or queued with what
 * their accepted take-profits cover. Expected = signed position − resting − Σ max(0, filled −
 * covered), worked out by hand.
 */
const GUARD_TABLE: {
  name: string;
  direction: Side;
  position: string;
  resting: string;
  inFlight: InFlightOpen[];
  want: string;
}[] = [
  // Buy grid, long.
  {
    name: "buy: open fully covered by its resting take-profit (not counted twice)",
    direction: "buy",
    position: "0.02",
    resting: "0.02",
    inFlight: [{ filled: "0.01", covered: "0.01" }],
    want: "0",
  },
  {
    name: "buy: open covered by a take-profit that already filled",
    direction: "buy",
    position: "0.01",
    resting: "0.01",
    inFlight: [{ filled: "0.01", covered: "0.01" }],
    want: "0",
  },
  {
    name: "buy: open partially covered (take-profit ended after 0.004)",
    direction: "buy",
    position: "0.016",
    resting: "0.01",
    inFlight: [{ filled: "0.01", covered: "0.004" }],
    want: "0",
  },
  {
    name: "buy: open uncovered (take-profit missing)",
    direction: "buy",
    position: "0.02",
    resting: "0.01",
    inFlight: [{ filled: "0.01", covered: "0" }],
    want: "0",
  },
  {
    name: "buy: open uncovered and one quantity traded behind the bot's back",
    direction: "buy",
    position: "0.03",
    resting: "0.01",
    inFlight: [{ filled: "0.01", covered: "0" }],
    want: "0.01",
  },
  {
    name: "buy: covered open counted as in flight would read take-profits beyond the position",
    direction: "buy",
    position: "0.02",
    resting: "0.02",
    inFlight: [{ filled: "0.01", covered: "0" }],
    want: "-0.01",
  },
  {
    name: "buy: a take-profit larger than its open adds nothing back",
    direction: "buy",
    position: "0.01",
    resting: "0.012",
    inFlight: [{ filled: "0.01", covered: "0.012" }],
    want: "-0.002",
  },
  // Sell grid, short.
  {
    name: "sell: open fully covered by its resting take-profit (not counted twice)",
    direction: "sell",
    position: "-0.02",
    resting: "0.02",
    inFlight: [{ filled: "0.01", covered: "0.01" }],
    want: "0",
  },
  {
    name: "sell: open partially covered, the in-progress open half filled",
    direction: "sell",
    position: "-0.021",
    resting: "0.01",
    inFlight: [{ filled: "0.01", covered: "0.004" }, { filled: "0.005", covered: "0" }],
    want: "0",
  },
  {
    name: "sell: open uncovered (take-profit missing)",
    direction: "sell",
    position: "-0.01",
    resting: "0",
    inFlight: [{ filled: "0.01", covered: "0" }],
    want: "0",
  },
  {
    name: "sell: one quantity short with nothing resting or in flight",
    direction: "sell",
    position: "-0.01",
    resting: "0",
    inFlight: [],
    want: "0.01",
  },
  {
    name: "sell: position closed by hand under a resting take-profit",
    direction: "sell",
    position: "0",
    resting: "0.01",
    inFlight: [],
    want: "-0.01",
  },
];

Deno.test("unhedgedSize: the guard's table (buy and sell grids; covered, partly covered, uncovered)", () => {
  const got = GUARD_TABLE.map((r) => [
    r.name,
    unhedgedSize({
      direction: r.direction,
      position: r.position,
      restingCloses: r.resting,
      inFlight: r.inFlight,
    }).toString(),
  ]);
  deepEqual(got, GUARD_TABLE.map((r) => [r.name, r.want]));
});

// ------------------------------------------------------------------------------------------
// A tick that changes with the price

/** A scripted venue: one BTC market whose tick the test sets, a book it sets, fills by hand. */
class FakeVenue {
  tick = "1";
  bid = "64000";
  ask = "64002";
  marketReads = 0;
  readonly placed: OrderRequest[] = [];
  readonly #orders = new Map<string, Order>();
  readonly #listeners = new Set<(e: ExchangeEvent) => void>();
  readonly #clock: ManualClock;
  #nextId = 1;

  constructor(clock: ManualClock) {
    this.#clock = clock;
  }

  /** Fills the order with this client order id and tells the listeners. */
  fill(clientOrderId: string): void {
    const o = this.#orders.get(clientOrderId)!;
    const filled: Order = {
      ...o,
      status: "filled",
      filledSize: o.size,
      remainingSize: new Decimal(0),
      averageFillPrice: o.price,
      updatedAt: this.#clock.now(),
    };
    this.#orders.set(clientOrderId, filled);
    for (const l of this.#listeners) l({ type: "order", order: filled } as ExchangeEvent);
  }

  client(): ExchangeClient {
    const market = (): Market => ({
      venue: "edgex",
      symbol: "BTC",
      venueSymbol: "BTCUSD",
      venueId: "1",
      baseAsset: "BTC",
      quoteAsset: "USD",
      tickSize: new Decimal(this.tick),
      sizeStep: new Decimal("0.001"),
      minSize: new Decimal("0.001"),
      minNotional: new Decimal(0),
      fundingIntervalHours: 4,
    });
    const open = () => [...this.#orders.values()].filter((o) => o.status === "open");
    const client = {
      venue: "edgex",
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      getMarket: () => {
        this.marketReads++;
        return Promise.resolve(market());
      },
      getMarkets: () => Promise.resolve([market()]),
      subscribeOrderBook: () => Promise.resolve({ symbol: "BTC", close: () => Promise.resolve() }),
      getBestBidAsk: () =>
        Promise.resolve({
          symbol: "BTC",
          bid: new Decimal(this.bid),
          ask: new Decimal(this.ask),
          bidSize: new Decimal(1),
          askSize: new Decimal(1),
          timestamp: this.#clock.now(),
        }),
      getBalance: () =>
        Promise.resolve({
          venue: "edgex",
          asset: "USD",
          equity: new Decimal(1000),
          available: new Decimal(1000),
        }),
      getPositions: () => {
        let size = new Decimal(0);
        for (const o of this.#orders.values()) {
          size = o.side === "buy" ? size.plus(o.filledSize) : size.minus(o.filledSize);
        }
        return Promise.resolve(
          size.isZero()
            ? []
            : [{ venue: "edgex", symbol: "BTC", size, entryPrice: new Decimal(64000) }],
        );
      },
      getOpenOrders: () => Promise.resolve(open()),
      getOrder: (_symbol: string, ref: { clientOrderId?: string; id?: string }) =>
        Promise.resolve(
          ref.clientOrderId !== undefined
            ? this.#orders.get(ref.clientOrderId)
            : [...this.#orders.values()].find((o) => o.id === ref.id),
        ),
      placeOrder: (request: OrderRequest) => {
        this.placed.push(request);
        const o: Order = {
          venue: "edgex",
          symbol: "BTC",
          id: String(this.#nextId++),
          clientOrderId: request.clientOrderId!,
          side: request.side,
          type: "limit",
          status: "open",
          price: new Decimal(request.price!),
          size: new Decimal(request.size),
          filledSize: new Decimal(0),
          remainingSize: new Decimal(request.size),
          averageFillPrice: undefined,
          timeInForce: "gtc",
          postOnly: true,
          reduceOnly: false,
          createdAt: this.#clock.now(),
          updatedAt: this.#clock.now(),
        };
        this.#orders.set(o.clientOrderId, o);
        return Promise.resolve(o);
      },
      cancelOrder: (_symbol: string, ref: { clientOrderId?: string; id?: string }) => {
        for (const [cid, o] of this.#orders) {
          if (o.status === "open" && (cid === ref.clientOrderId || o.id === ref.id)) {
            this.#orders.set(cid, { ...o, status: "canceled", remainingSize: new Decimal(0) });
          }
        }
        return Promise.resolve();
      },
      onEvent: (listener: (e: ExchangeEvent) => void) => {
        this.#listeners.add(listener);
        return () => this.#listeners.delete(listener);
      },
    };
    return client as unknown as ExchangeClient;
  }
}

/**
 * Hand-worked prices, take-profit 0.02 %. Book 1 is 64000 / 64002; book 2 (on the tick-10 grid)
 * is 64000 / 64020 for the buy grid and 63990 / 64000 for the sell grid.
 *
 * | grid | order | tick | price |
 * |---|---|---|---|
 * | buy | open on book 1 | 1 | ask − 1 = 64001 |
 * | buy | its TP | 1 | 64001 × 1.0002 = 64013.8002 → up → 64014 |
 * | buy | its TP | 10 | 64013.8002 → up to 10 → 64020 |
 * | buy | open on book 2 | 10 | ask − 10 = 64010 (tick 1 would give 64019) |
 * | buy | its TP | 10 | 64010 × 1.0002 = 64022.802 → up → 64030 |
 * | sell | open on book 1 | 1 | bid + 1 = 64001 |
 * | sell | its TP | 1 | 64001 × 0.9998 = 63988.1998 → down → 63988 |
 * | sell | its TP | 10 | 63988.1998 → down to 10 → 63980 |
 * | sell | open on book 2 | 10 | bid + 10 = 64000 (tick 1 would give 63991) |
 * | sell | its TP | 10 | 64000 × 0.9998 = 63987.2 → down → 63980 |
 */
const TICK_CASES: {
  direction: Side;
  book2: [string, string];
  /** Open, its TP on tick 1, its TP on tick 10, the open on book 2, its TP. */
  prices: [string, string, string, string, string];
}[] = [
  {
    direction: "buy",
    book2: ["64000", "64020"],
    prices: ["64001", "64014", "64020", "64010", "64030"],
  },
  {
    direction: "sell",
    book2: ["63990", "64000"],
    prices: ["64001", "63988", "63980", "64000", "63980"],
  },
];

/** Runs a grid on the fake venue; `script` drives it and `sent()` lists what it placed. */
async function withGrid(
  direction: Side,
  script: (venue: FakeVenue, clock: ManualClock, sent: () => string[]) => Promise<void>,
): Promise<GridStrategy> {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const venue = new FakeVenue(clock);
  const grid = new GridStrategy(
    {
      symbol: "BTC",
      quantity: "0.01",
      takeProfit: "0.02",
      direction,
      waitTimeSec: 4,
      idPrefix: `test/tick/${direction}`,
    },
    { client: venue.client(), clock },
  );
  const stop = new AbortController();
  const running = runStrategy(grid, { clock, signal: stop.signal, random: () => 0.5 });
  try {
    await script(venue, clock, () => venue.placed.map((r) => `${r.side} ${r.price}`));
  } finally {
    stop.abort();
    await clock.advance(30_000);
    await running;
  }
  return grid;
}

for (const { direction, book2, prices } of TICK_CASES) {
  const close = direction === "buy" ? "sell" : "buy";

  Deno.test(`grid ${direction}: a new open cycle reads the market again (tick 1, then 10)`, async () => {
    const grid = await withGrid(direction, async (venue, clock, sent) => {
      await clock.advance(500);
      deepEqual(sent(), [`${direction} ${prices[0]}`], "first open on tick 1");
      venue.fill(venue.placed[0].clientOrderId!);
      await clock.advance(500);
      deepEqual(sent().slice(1), [`${close} ${prices[1]}`], "its take-profit on tick 1");
      // The price moved into a range with a coarser tick, after the last market read.
      venue.tick = "10";
      [venue.bid, venue.ask] = book2;
      await clock.advance(5_000); // cooldown ¼ × 4 s
      deepEqual(sent().slice(2), [`${direction} ${prices[3]}`], "next open on tick 10");
      venue.fill(venue.placed[2].clientOrderId!);
      await clock.advance(500);
      deepEqual(sent().slice(3), [`${close} ${prices[4]}`], "its take-profit on tick 10");
    });
    equal(grid.stats.closesPlaced, 2);
  });

  Deno.test(`grid ${direction}: a take-profit reads the market again before it is priced (tick 1, then 10)`, async () => {
    const grid = await withGrid(direction, async (venue, clock, sent) => {
      await clock.advance(500);
      deepEqual(sent(), [`${direction} ${prices[0]}`], "the open on tick 1");
      venue.tick = "10"; // the tick changes while the open rests
      venue.fill(venue.placed[0].clientOrderId!);
      await clock.advance(500);
      deepEqual(sent().slice(1), [`${close} ${prices[2]}`], "its take-profit on tick 10");
    });
    equal(grid.stats.closesPlaced, 1);
  });
}
