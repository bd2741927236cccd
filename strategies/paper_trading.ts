/**
 * `--paper`: trading on a paper account against the venue's live order book. Nothing is ever
 * sent to the venue; orders, fills, positions, fees and PnL are real arithmetic on a local
 * account.
 *
 * How it works: the venue's client is used for reads only (markets, the live book, the
 * account's equity at start). On a live network the bot opens that client public-only
 * (market data, no credentials; see `openVenueClient`), and the paper account then starts
 * with {@linkcode PUBLIC_PAPER_BALANCE}. Every symbol traded gets a private simulator engine market with
 * the venue's tick, size step, minimums and fees, in which the venue's book (its top levels)
 * is mirrored as the orders of a liquidity account and the paper account trades. So:
 *
 * - an order that crosses the book fills at once as **taker**, walking the mirrored levels at
 *   their prices, up to their sizes (the rest rests, or is canceled for IOC / FOK / market);
 * - a resting order fills as **maker**, at its own price, when the venue's book trades through
 *   it: a paper buy at P fills when the venue's best ask comes down to P or below, a sell when
 *   the best bid comes up to it, by at most the size shown at the crossing levels (partial
 *   fills otherwise);
 * - liquidity the paper account took from a level is not offered again while that level stays
 *   in the venue's book (the venue does not know about the paper orders, so its level does not
 *   shrink by itself);
 * - each fill pays the market's maker or taker fee (the `Market`'s fees, else the fee table of
 *   `funding/fees.ts`); positions, realized PnL and fees are the engine's exact account
 *   arithmetic and are read through the same `ExchangeClient` calls as live (`getPositions`,
 *   `getBalance`, `fill` events with their fee).
 *
 * Evidence used, per venue: the **book only**, on every venue (Lighter, GRVT, EdgeX and their
 * replicas) — the `ExchangeClient` interface carries the order book but no public trade
 * stream. This is conservative: a trade printing at the paper price while the touch stays
 * away (another order ahead in the queue, or a sweep that refilled at once) does not fill the
 * paper order, and a paper order has no queue position at its price level.
 *
 * Not simulated: funding (paper positions pay and receive none), liquidation, the venue's
 * rate limits and latency. The paper account lives in memory: it ends with the process, so a
 * paper order never rests anywhere after a stop.
 *
 * The simulator engine is loaded with `import()` when the client connects, so the bot's
 * module graph stays free of `sim/`.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import {
  type Balance,
  type BestBidAsk,
  type BookSnapshot,
  type Clock,
  Decimal,
  type DecimalInput,
  type ExchangeClient,
  type ExchangeEvent,
  type FundingPayment,
  InvalidOrderError,
  type Market,
  type Order,
  type OrderBookSubscription,
  type OrderRef,
  type OrderRequest,
  type Position,
  type Side,
  toDecimal,
  type VenueName,
} from "../base.ts";
import { systemClock } from "../exchanges/_shared/clock.ts";
import { EventHub } from "../exchanges/_shared/event_hub.ts";
import { quantize } from "../exchanges/_shared/quantize.ts";
import { DEFAULT_VENUE_FEES, UNKNOWN_VENUE_FEES } from "../funding/fees.ts";
import type { SimEngine } from "../sim/engine.ts";
import type { SimEvent } from "../sim/events.ts";
import type { PaperClient } from "../sim/paper.ts";

/**
 * Collateral (USD) a paper account starts with when the venue's client is public-only (no
 * account to read the equity from): `--paper` on a live network needs no credentials.
 *
 * @example
 * ```ts
 * import { PUBLIC_PAPER_BALANCE } from "./paper_trading.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(PUBLIC_PAPER_BALANCE, "10000");
 * ```
 */
export const PUBLIC_PAPER_BALANCE = "10000";

/** Engine account of the paper trader. */
const PAPER_ACCOUNT = "paper";
/** Engine account holding the mirror of the venue's book. */
const VENUE_ACCOUNT = "venue-book";

/**
 * Options of {@linkcode PaperTradingClient}.
 *
 * @example
 * ```ts
 * import type { PaperTradingOptions } from "./paper_trading.ts";
 * const o: PaperTradingOptions = { startingBalance: "10000", depth: 20 };
 * ```
 */
export interface PaperTradingOptions {
  /** Clock of the paper account (virtual time in tests). @default {systemClock} */
  clock?: Clock;
  /**
   * Collateral the paper account starts with. @default {the venue account's equity, read at
   * connect} (a public-only venue client has no account: pass one, e.g.
   * {@linkcode PUBLIC_PAPER_BALANCE})
   */
  startingBalance?: DecimalInput;
  /**
   * Maker and taker fee as fractions of notional (negative = rebate). @default {the market's
   * `makerFee` / `takerFee`, else `DEFAULT_VENUE_FEES` of the venue, else
   * `UNKNOWN_VENUE_FEES`}
   */
  fees?: { maker: DecimalInput; taker: DecimalInput };
  /** Levels per side of the venue's book mirrored into the paper market. @default {50} */
  depth?: number;
}

/**
 * What a paper account has done so far, per symbol or in total, as exact decimals.
 *
 * @example
 * ```ts
 * import type { PaperSummary } from "./paper_trading.ts";
 * const net = (s: PaperSummary) => s.realizedPnl.minus(s.fees).plus(s.unrealizedPnl);
 * ```
 */
export interface PaperSummary {
  /** Realized trading PnL (before fees). */
  realizedPnl: Decimal;
  /** Fees paid (negative = rebates received). */
  fees: Decimal;
  /** Unrealized PnL at the mark (the venue's mid price). */
  unrealizedPnl: Decimal;
  /** Collateral + unrealized PnL. */
  equity: Decimal;
  /** Paper orders still open (they end with the process; none is at the venue). */
  openOrders: number;
}

/** Where a mirrored level stands. */
interface MirrorLevel {
  side: Side;
  price: string;
  clientOrderId: string;
  /** Size still resting in the engine. */
  size: Decimal;
}

/** The paper market of one symbol. */
interface PaperMarket {
  symbol: string;
  market: Market;
  /** The venue's live book. */
  venueBook: OrderBookSubscription;
  /** Mirrored levels by `side:price`. */
  levels: Map<string, MirrorLevel>;
  /** Mirror client order id → level key. */
  byClientOrderId: Map<string, string>;
  /** Size the paper account took from a level still shown by the venue, by `side:price`. */
  taken: Map<string, Decimal>;
  /** Stops the mirror loop. */
  stop: AbortController;
  /** The mirror loop. */
  loop: Promise<void>;
}

interface Loaded {
  engine: SimEngine;
  paper: PaperClient;
}

/**
 * A paper account on the venue's live book: an `ExchangeClient` whose orders never leave the
 * process (see the module documentation for the fill rules).
 *
 * @example A resting paper buy fills when the venue's ask comes down to it
 * ```ts
 * import { ManualClock } from "../exchanges/_shared/clock.ts";
 * import { startSimVenue } from "../sim/network.ts";
 * import { PaperTradingClient } from "./paper_trading.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * // A quiet simulated venue whose book is set by hand: ask 3000.50, bid 2999.50.
 * const sim = await startSimVenue("lighter", {
 *   clock: new ManualClock(0), liquidityLevels: 0, volatilityBps: "0",
 * });
 * sim.control.createAccount("mm", "0", { unlimitedMargin: true });
 * sim.control.placeOrder("mm", { symbol: "ETH", side: "sell", size: "1", price: "3000.5" });
 * sim.control.placeOrder("mm", { symbol: "ETH", side: "buy", size: "1", price: "2999.5" });
 *
 * const client = new PaperTradingClient(sim.client(), { startingBalance: "10000" });
 * await client.connect();
 * const order = await client.placeOrder({
 *   symbol: "ETH", side: "buy", type: "limit", size: "0.5", price: "3000", postOnly: true,
 * });
 * equal(order.status, "open");
 * equal(sim.control.truth(sim.accountId).openOrders.length, 0); // nothing reached the venue
 *
 * // Someone offers at 3000 on the venue: the paper buy fills there, as maker.
 * sim.control.placeOrder("mm", { symbol: "ETH", side: "sell", size: "2", price: "3000" });
 * await client.waitForBook("ETH", (book) => book.asks[0]?.price.toString() === "3000");
 * equal((await client.getPositions())[0].size.toString(), "0.5");
 * await client.disconnect();
 * await sim.close();
 * ```
 */
export class PaperTradingClient implements ExchangeClient {
  /** Venue name (of the book the paper account trades on). */
  readonly venue: VenueName;
  readonly #inner: ExchangeClient;
  readonly #options: PaperTradingOptions;
  readonly #clock: Clock;
  readonly #depth: number;
  readonly #hub = new EventHub<ExchangeEvent>();
  readonly #markets = new Map<string, Promise<PaperMarket>>();
  /** Paper markets whose mirror runs, by symbol. */
  readonly #live = new Map<string, PaperMarket>();
  #loaded: Loaded | undefined;
  #connecting: Promise<Loaded> | undefined;
  #off: (() => void)[] = [];
  #seq = 0;
  readonly #log = getLogger(["perp", "bot", "paper"]);

  /**
   * Wraps a venue client.
   *
   * @param inner The venue's client (used for reads only: markets, books, the starting equity).
   * @param options Clock, starting balance, fees and mirrored depth.
   */
  constructor(inner: ExchangeClient, options: PaperTradingOptions = {}) {
    this.#inner = inner;
    this.venue = inner.venue;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#depth = options.depth ?? 50;
  }

  /** Connects the venue client and opens the paper account. Idempotent. */
  async connect(options?: { signal?: AbortSignal }): Promise<void> {
    await this.#inner.connect(options);
    await this.#open();
  }

  #open(): Promise<Loaded> {
    if (this.#loaded) return Promise.resolve(this.#loaded);
    this.#connecting ??= (async () => {
      const [{ SimEngine }, { PaperClient }] = await Promise.all([
        import("../sim/engine.ts"),
        import("../sim/paper.ts"),
      ]);
      const start = this.#options.startingBalance !== undefined
        ? toDecimal(this.#options.startingBalance, "startingBalance")
        : (await this.#inner.getBalance()).equity;
      const engine = new SimEngine({
        clock: this.#clock,
        venue: this.venue,
        selfTradePrevention: "cancel_resting",
        keepLog: false,
      });
      engine.createAccount(PAPER_ACCOUNT, { collateral: start.toString() });
      engine.createAccount(VENUE_ACCOUNT, { unlimitedMargin: true });
      const paper = new PaperClient({
        engine,
        accountId: PAPER_ACCOUNT,
        venue: this.venue,
        clock: this.#clock,
        newClientOrderId: () => this.#inner.newClientOrderId(),
      });
      await paper.connect();
      this.#off.push(paper.onEvent((e) => {
        if (e.type !== "connection") this.#hub.emit(e);
      }));
      this.#off.push(engine.subscribe((e) => this.#onEngineEvent(e)));
      this.#log.info(
        `[paper] Paper account on ${this.venue}'s live book, starting balance ${start}; ` +
          `nothing is sent to ${this.venue}`,
      );
      this.#loaded = { engine, paper };
      return this.#loaded;
    })();
    return this.#connecting;
  }

  /** Stops mirroring, closes the paper account's books and disconnects the venue client. */
  async disconnect(): Promise<void> {
    const markets = await Promise.allSettled([...this.#markets.values()]);
    this.#markets.clear();
    this.#live.clear();
    for (const m of markets) {
      if (m.status !== "fulfilled") continue;
      m.value.stop.abort();
      await m.value.venueBook.close().catch(() => {});
      await m.value.loop;
    }
    for (const off of this.#off.splice(0)) off();
    await this.#loaded?.paper.disconnect();
    this.#loaded = undefined;
    this.#connecting = undefined;
    await this.#inner.disconnect();
  }

  /** Same as `disconnect()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }

  /** From the venue. */
  getMarkets(): Promise<Market[]> {
    return this.#inner.getMarkets();
  }

  /** From the venue. */
  getMarket(symbol: string): Promise<Market> {
    return this.#inner.getMarket(symbol);
  }

  /**
   * The fees the paper account pays on a market: the configured ones, else the market's, else
   * the venue's row of the fee table.
   *
   * @param market The venue's market.
   * @returns Maker and taker fee as fractions, and where they come from.
   *
   * @example
   * ```ts
   * import { Decimal } from "../base.ts";
   * import { PaperTradingClient } from "./paper_trading.ts";
   * import type { ExchangeClient } from "../base.ts";
   * import { strictEqual as equal } from "node:assert/strict";
   *
   * const client = new PaperTradingClient({ venue: "grvt" } as ExchangeClient);
   * const fees = client.feesOf({ venue: "grvt", symbol: "BTC" } as never);
   * equal(fees.maker.toString(), "-0.0001"); // GRVT has no fee in its market data: the table
   * equal(fees.source, "fee table");
   * equal(client.feesOf({ makerFee: new Decimal("0.00015"), takerFee: new Decimal("0.00038") } as never).source, "market");
   * ```
   */
  feesOf(market: Market): { maker: Decimal; taker: Decimal; source: string } {
    const set = this.#options.fees;
    if (set) {
      return {
        maker: toDecimal(set.maker, "fees.maker"),
        taker: toDecimal(set.taker, "fees.taker"),
        source: "configured",
      };
    }
    if (market.makerFee !== undefined && market.takerFee !== undefined) {
      return { maker: market.makerFee, taker: market.takerFee, source: "market" };
    }
    const row = DEFAULT_VENUE_FEES[this.venue];
    return row
      ? { maker: row.maker, taker: row.taker, source: "fee table" }
      : { maker: UNKNOWN_VENUE_FEES.maker, taker: UNKNOWN_VENUE_FEES.taker, source: "fee table" };
  }

  /** The paper market of a symbol, created (and its mirror started) on first use. */
  #market(symbol: string): Promise<PaperMarket> {
    let m = this.#markets.get(symbol);
    if (!m) {
      m = this.#startMarket(symbol);
      this.#markets.set(symbol, m);
      m.catch(() => this.#markets.delete(symbol));
    }
    return m;
  }

  async #startMarket(symbol: string): Promise<PaperMarket> {
    const { engine } = await this.#open();
    const market = await this.#inner.getMarket(symbol);
    const fees = this.feesOf(market);
    engine.addInstrument({
      symbol,
      tickSize: market.tickSize,
      sizeStep: market.sizeStep,
      minSize: market.minSize,
      minNotional: market.minNotional,
      ...(market.maxLeverage !== undefined ? { maxLeverage: market.maxLeverage } : {}),
      makerFee: fees.maker,
      takerFee: fees.taker,
      fundingIntervalHours: market.fundingIntervalHours,
    }, { fundingRates: () => "0" });
    const venueBook = await this.#inner.subscribeOrderBook(symbol);
    const stop = new AbortController();
    const pm: PaperMarket = {
      symbol,
      market,
      venueBook,
      levels: new Map(),
      byClientOrderId: new Map(),
      taken: new Map(),
      stop,
      loop: Promise.resolve(),
    };
    this.#live.set(symbol, pm);
    this.#sync(pm, venueBook.snapshot(this.#depth));
    pm.loop = (async () => {
      try {
        for await (const snap of venueBook.updates({ depth: this.#depth, signal: stop.signal })) {
          this.#sync(pm, snap);
        }
      } catch (error) {
        if (!stop.signal.aborted) {
          this.#log.warn(`[paper] ${symbol}: the venue's book stopped: ${String(error)}`);
        }
      }
    })();
    this.#log.info(
      `[paper] ${symbol}: fills on ${this.venue}'s book (book only; no public trades), ` +
        `maker ${fees.maker} / taker ${fees.taker} (${fees.source})`,
    );
    return pm;
  }

  /** Mirrors one snapshot of the venue's book into the paper market. */
  #sync(pm: PaperMarket, snap: BookSnapshot): void {
    const engine = this.#loaded?.engine;
    if (!engine || snap.stale || pm.stop.signal.aborted) return;
    const { market } = pm;
    const wanted = new Map<string, { side: Side; price: Decimal; size: Decimal }>();
    const shown = new Set<string>();
    for (const [side, levels] of [["buy", snap.bids], ["sell", snap.asks]] as const) {
      for (const l of levels) {
        const key = `${side}:${l.price.toString()}`;
        shown.add(key);
        const left = l.size.minus(pm.taken.get(key) ?? 0);
        const size = quantize(left.gt(0) ? left : "0", market.sizeStep, "down");
        if (size.lt(market.minSize) || size.isZero()) continue;
        if (market.minNotional.gt(0) && size.times(l.price).lt(market.minNotional)) continue;
        wanted.set(key, { side, price: l.price, size });
      }
    }
    for (const key of [...pm.taken.keys()]) if (!shown.has(key)) pm.taken.delete(key);
    // Pull what the venue no longer shows first, so the mirror never crosses itself.
    for (const [key, level] of [...pm.levels]) {
      const w = wanted.get(key);
      if (w && w.size.eq(level.size)) {
        wanted.delete(key);
        continue;
      }
      this.#pull(pm, key, level);
    }
    const bid = snap.bids[0]?.price;
    const ask = snap.asks[0]?.price;
    const ref = bid && ask ? bid.plus(ask).div(2) : bid ?? ask;
    if (ref) {
      engine.setPrices(pm.symbol, { markPrice: quantize(ref, market.tickSize, "down") });
    }
    // Then offer the rest, nearest the touch first: a level crossing a paper order trades with
    // it at the paper order's price (the paper order rested first).
    for (const [key, w] of wanted) {
      const clientOrderId = `book-${++this.#seq}`;
      pm.byClientOrderId.set(clientOrderId, key);
      const level: MirrorLevel = {
        side: w.side,
        price: w.price.toString(),
        clientOrderId,
        size: w.size,
      };
      pm.levels.set(key, level);
      try {
        const { order } = engine.placeOrder(VENUE_ACCOUNT, {
          symbol: pm.symbol,
          side: w.side,
          size: w.size.toString(),
          price: w.price.toString(),
          clientOrderId,
        });
        if (order.status !== "open" && order.status !== "partially_filled") {
          pm.levels.delete(key);
          pm.byClientOrderId.delete(clientOrderId);
        }
      } catch (error) {
        pm.levels.delete(key);
        pm.byClientOrderId.delete(clientOrderId);
        this.#log.debug(`[paper] ${pm.symbol}: level ${key} not mirrored: ${String(error)}`);
      }
    }
  }

  #pull(pm: PaperMarket, key: string, level: MirrorLevel): void {
    pm.levels.delete(key);
    pm.byClientOrderId.delete(level.clientOrderId);
    const engine = this.#loaded?.engine;
    if (!engine || !engine.isActive(VENUE_ACCOUNT, level.clientOrderId)) return;
    engine.cancelOrder(VENUE_ACCOUNT, { clientOrderId: level.clientOrderId });
  }

  /** Liquidity the paper account took from a mirrored level is remembered per level. */
  #onEngineEvent(e: SimEvent): void {
    if (e.type !== "fill" || e.fill.accountId !== VENUE_ACCOUNT) return;
    const f = e.fill;
    const pm = this.#live.get(f.symbol);
    if (!pm) return;
    const key = pm.byClientOrderId.get(f.clientOrderId);
    if (key === undefined) return;
    pm.taken.set(key, (pm.taken.get(key) ?? new Decimal(0)).plus(f.size));
    const level = pm.levels.get(key);
    if (level) {
      level.size = level.size.minus(f.size);
      if (!level.size.gt(0)) {
        pm.levels.delete(key);
        pm.byClientOrderId.delete(f.clientOrderId);
      }
    }
  }

  async #ready(symbol: string): Promise<Loaded> {
    const loaded = await this.#open();
    await this.#market(symbol);
    return loaded;
  }

  /**
   * Resolves once the paper market's mirror of the venue's book satisfies `test` (tests and
   * tools use it to wait for a price the venue has just shown).
   *
   * @param symbol The market.
   * @param test Condition on the venue's book (top levels).
   * @param timeoutMs Longest wait in wall-clock ms. @default {5000}
   * @returns Resolves when it holds; rejects after the timeout.
   */
  async waitForBook(
    symbol: string,
    test: (book: BookSnapshot) => boolean,
    timeoutMs = 5_000,
  ): Promise<void> {
    const pm = await this.#market(symbol);
    const deadline = Date.now() + timeoutMs;
    while (!test(pm.venueBook.snapshot(this.#depth))) {
      if (Date.now() > deadline) {
        throw new Error(`the ${this.venue} book of ${symbol} did not reach the expected state`);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    // The mirror loop applies the same update on its next turn.
    await new Promise((r) => setTimeout(r, 0));
    this.#sync(pm, pm.venueBook.snapshot(this.#depth));
  }

  /**
   * Places a paper order: checked against the venue's market rules, then matched against the
   * mirrored book (taker) or left resting (maker, filled when the venue trades through it).
   */
  async placeOrder(request: OrderRequest): Promise<Order> {
    const { paper } = await this.#ready(request.symbol);
    const pm = await this.#market(request.symbol);
    this.#checkMinimums(pm.market, request);
    const order = await paper.placeOrder(request);
    const flags = [order.postOnly ? "post-only" : "", order.reduceOnly ? "reduce-only" : ""]
      .filter((f) => f !== "").join(" ");
    this.#log.info(
      `[paper] placed ${order.side} ${order.size} ${order.symbol} ${order.type}` +
        `${order.price ? ` @ ${order.price}` : ""}${flags ? ` ${flags}` : ""}: ${order.status}` +
        `${
          order.filledSize.gt(0) ? ` (filled ${order.filledSize} @ ${order.averageFillPrice})` : ""
        }`,
    );
    return order;
  }

  #checkMinimums(market: Market, request: OrderRequest): void {
    let size: Decimal;
    try {
      size = toDecimal(request.size, "size");
    } catch {
      return; // the placement workflow names the bad value
    }
    if (size.lt(market.minSize)) {
      throw new InvalidOrderError("invalid_size", {
        venue: this.venue,
        message: `Cannot place order on ${this.venue} as 'size' ${size} is below the minimum ` +
          `${market.minSize} of ${market.symbol}`,
      });
    }
  }

  /** Cancels a paper order. */
  async cancelOrder(symbol: string, ref: OrderRef): Promise<void> {
    const { paper } = await this.#ready(symbol);
    await paper.cancelOrder(symbol, ref);
    this.#log.info(`[paper] canceled ${symbol} order ${ref.id ?? ref.clientOrderId}`);
  }

  /** Cancels every paper order (of one symbol if given). */
  async cancelAllOrders(symbol?: string): Promise<void> {
    const { paper } = symbol === undefined ? await this.#open() : await this.#ready(symbol);
    await paper.cancelAllOrders(symbol);
  }

  /** One paper order. */
  async getOrder(symbol: string, ref: OrderRef): Promise<Order | undefined> {
    const { paper } = await this.#ready(symbol);
    return paper.getOrder(symbol, ref);
  }

  /** The paper account's open orders (never the venue account's). */
  async getOpenOrders(symbol?: string): Promise<Order[]> {
    const { paper } = symbol === undefined ? await this.#open() : await this.#ready(symbol);
    return paper.getOpenOrders(symbol);
  }

  /** The paper account's collateral, equity and available balance. */
  async getBalance(): Promise<Balance> {
    const { paper } = await this.#open();
    return paper.getBalance();
  }

  /** The paper account's positions. */
  async getPositions(): Promise<Position[]> {
    const { paper } = await this.#open();
    return paper.getPositions();
  }

  /** None: funding is not simulated on a paper account. */
  getFundingPayments(
    _options?: { symbol?: string; start?: number; end?: number; limit?: number },
  ): Promise<FundingPayment[]> {
    return Promise.resolve([]);
  }

  /** Sets the paper account's leverage (the venue is not changed). */
  async setLeverage(symbol: string, leverage: number): Promise<void> {
    const { paper } = await this.#ready(symbol);
    await paper.setLeverage(symbol, leverage);
  }

  /**
   * The paper market's live book: the venue's levels with the paper orders in them, as the
   * venue's book would show them; stale whenever the venue's book is.
   */
  async subscribeOrderBook(symbol: string): Promise<OrderBookSubscription> {
    const { paper } = await this.#ready(symbol);
    const pm = await this.#market(symbol);
    const sub = await paper.subscribeOrderBook(symbol);
    const venue = () => pm.venueBook.snapshot(0);
    const mark = <T extends { stale: boolean; receivedAt?: number }>(x: T): T => {
      const v = venue();
      return { ...x, stale: x.stale || v.stale, receivedAt: v.receivedAt ?? x.receivedAt };
    };
    return {
      symbol,
      snapshot: (depth?: number) => mark(sub.snapshot(depth)),
      bestBidAsk: () => mark(sub.bestBidAsk()),
      updates: (options?: { depth?: number; signal?: AbortSignal }) => {
        const it = sub.updates(options);
        return {
          next: async () => {
            const r = await it.next();
            return r.done ? r : { done: false, value: mark(r.value) };
          },
          return: async (value?: unknown) => {
            await it.return?.(value);
            return { done: true, value: undefined };
          },
          [Symbol.asyncIterator]() {
            return this;
          },
        } as AsyncIterableIterator<BookSnapshot>;
      },
      close: () => sub.close(),
      [Symbol.asyncDispose]: () => sub.close(),
    };
  }

  /** Best bid and ask of the paper market (the venue's book plus the paper orders). */
  async getBestBidAsk(symbol: string): Promise<BestBidAsk> {
    const { paper } = await this.#ready(symbol);
    const pm = await this.#market(symbol);
    const q = await paper.getBestBidAsk(symbol);
    const v = pm.venueBook.snapshot(0);
    return { ...q, stale: q.stale || v.stale, receivedAt: v.receivedAt ?? q.receivedAt };
  }

  /** Depth of the paper market (the venue's book plus the paper orders). */
  async getOrderBook(symbol: string, depth?: number): Promise<BookSnapshot> {
    const { paper } = await this.#ready(symbol);
    const pm = await this.#market(symbol);
    const q = await paper.getOrderBook(symbol, depth);
    const v = pm.venueBook.snapshot(0);
    return { ...q, stale: q.stale || v.stale, receivedAt: v.receivedAt ?? q.receivedAt };
  }

  /** The paper account's order, fill, position and balance events. */
  events(options?: { signal?: AbortSignal }): AsyncIterableIterator<ExchangeEvent> {
    return this.#hub.events(options);
  }

  /** Registers a listener for the same events. */
  onEvent(listener: (event: ExchangeEvent) => void): () => void {
    return this.#hub.onEvent(listener);
  }

  /** From the venue's generator (valid ids for the venue). */
  newClientOrderId(): string {
    return this.#inner.newClientOrderId();
  }

  /**
   * Realized PnL, fees, unrealized PnL, equity and open orders of the paper account.
   *
   * @returns The totals (exact decimals from the engine's account).
   */
  summary(): PaperSummary {
    const loaded = this.#loaded;
    if (!loaded) {
      const zero = new Decimal(0);
      return { realizedPnl: zero, fees: zero, unrealizedPnl: zero, equity: zero, openOrders: 0 };
    }
    const b = loaded.engine.balance(PAPER_ACCOUNT);
    return {
      realizedPnl: new Decimal(b.realizedPnl),
      fees: new Decimal(b.fees),
      unrealizedPnl: new Decimal(b.unrealizedPnl),
      equity: new Decimal(b.equity),
      openOrders: loaded.engine.openOrderCount(PAPER_ACCOUNT),
    };
  }
}
