/**
 * End-to-end tests of the grid bot against each simulated venue, in virtual time: hours of
 * market run in seconds. The venue's truth (every order that reached it) is read from the
 * engine's event stream, so the assertions do not trust the bot's own bookkeeping.
 */
import assert from "node:assert/strict";
import {
  Decimal,
  type ExchangeClient,
  type ExchangeEvent,
  NetworkError,
  type OrderRequest,
  type Position,
  type Side,
} from "../base.ts";
import { deriveClientOrderId } from "../exchanges/_shared/client_order_id.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import type { OrderView } from "../sim/events.ts";
import {
  DEFAULT_SIM_MARKETS,
  SIM_VENUE_MARKETS,
  type SimVenue,
  type SimVenueName,
  startSimVenue,
} from "../sim/network.ts";
import type { FaultRule } from "../sim/faults.ts";
import { LoopbackDriver } from "./bot_loopback_driver.ts";
import { type GridOptions, GridStrategy } from "../strategies/grid.ts";
import { type RunResult, runStrategy, type Strategy } from "../strategies/runner.ts";

const VENUES: SimVenueName[] = ["lighter", "grvt", "edgex", "hyperliquid"];
const START = Date.UTC(2026, 0, 1);
const Q = "0.01";
const TP = "0.02";
/**
 * BTC's tick at 64 000: 0.1 on Lighter, GRVT and EdgeX (and the default paper market); 1 on
 * Hyperliquid, whose prices carry at most 5 significant figures (its paper venue lists the
 * same BTC market as its replica).
 */
function tickOf(venue: SimVenueName): Decimal {
  return new Decimal(venue === "hyperliquid" ? "1" : "0.1");
}
type Protocol = "paper" | "replica";
/**
 * Every scenario runs on the in-process paper protocol and on each venue's protocol replica
 * (the venue's real client over loopback HTTP / WebSocket, driven in virtual time by
 * {@linkcode LoopbackDriver}).
 */
const PROTOCOLS: Protocol[] = ["paper", "replica"];
const DIRECTIONS: Side[] = ["buy", "sell"];
const CASES: { venue: SimVenueName; protocol: Protocol; direction: Side }[] = DIRECTIONS.flatMap((
  direction,
) => PROTOCOLS.flatMap((protocol) => VENUES.map((venue) => ({ venue, protocol, direction }))));

/** Hand-worked prices of one flat market (bid and ask, then per grid direction). */
interface Flat {
  bid: string;
  ask: string;
  buy: FlatSide;
  sell: FlatSide;
}

/**
 * Per grid direction: the open (one tick inside), its take-profit, a price that makes the
 * liquidity take the take-profits (`far`), a price 0.03 % away on the other side (`near`), and
 * the take-profit of a repaired unhedged quantity (the average entry of the open's fill and
 * one market order at the touch, × (1 ± tp %)).
 */
interface FlatSide {
  open: string;
  close: string;
  far: string;
  near: string;
  repair: string;
}

/**
 * The flat market every replica and the paper venue open with: BTC at 64000, the background
 * liquidity two ticks either side. Worked out by hand for take-profit 0.02 %:
 *
 * Tick 0.1 (Lighter, GRVT, EdgeX): bid 63999.8, ask 64000.2.
 *
 * | grid | open (one tick inside) | take-profit | rounding |
 * |---|---|---|---|
 * | buy | ask − 0.1 = 64000.1 | 64000.1 × 1.0002 = 64012.90002 | up → 64013.0 |
 * | sell | bid + 0.1 = 63999.9 | 63999.9 × 0.9998 = 63987.10002 | down → 63987.1 |
 *
 * Repair: (64000.1 + 64000.2) / 2 = 64000.15 × 1.0002 = 64012.95003 → up → 64013 (buy grid);
 * (63999.9 + 63999.8) / 2 = 63999.85 × 0.9998 = 63987.05003 → down → 63987 (sell grid).
 *
 * Tick 1 (Hyperliquid): bid 63998, ask 64002.
 *
 * | grid | open (one tick inside) | take-profit | rounding |
 * |---|---|---|---|
 * | buy | ask − 1 = 64001 | 64001 × 1.0002 = 64013.8002 | up → 64014 |
 * | sell | bid + 1 = 63999 | 63999 × 0.9998 = 63986.2002 | down → 63986 |
 *
 * Repair: (64001 + 64002) / 2 = 64001.5 × 1.0002 = 64014.3003 → up → 64015 (buy grid);
 * (63999 + 63998) / 2 = 63998.5 × 0.9998 = 63985.7003 → down → 63985 (sell grid).
 */
const FLATS: Record<"0.1" | "1", Flat> = {
  "0.1": {
    bid: "63999.8",
    ask: "64000.2",
    buy: { open: "64000.1", close: "64013", far: "64020", near: "63980", repair: "64013" },
    sell: { open: "63999.9", close: "63987.1", far: "63980", near: "64020", repair: "63987" },
  },
  "1": {
    bid: "63998",
    ask: "64002",
    buy: { open: "64001", close: "64014", far: "64020", near: "63980", repair: "64015" },
    sell: { open: "63999", close: "63986", far: "63980", near: "64020", repair: "63985" },
  },
};

/** The hand-worked flat market of a venue (by its BTC tick). */
function flatOf(venue: SimVenueName): Flat {
  return FLATS[venue === "hyperliquid" ? "1" : "0.1"];
}

/**
 * An oracle for the take-profit on a moving market, independent of the strategy's helpers:
 * integer tick arithmetic. Buy grid: ⌈fill × (10000 + 100·tp) / 10000⌉ ticks; sell grid: ⌊…⌋
 * with (10000 − 100·tp). `TP` is 0.02 %, i.e. 2 per 10000.
 */
function tpOracle(fill: string, direction: Side, tick: Decimal): Decimal {
  const ticks = BigInt(new Decimal(fill).div(tick).toFixed(0)); // fill in ticks (exact)
  const num = ticks * (direction === "buy" ? 10_002n : 9_998n);
  const q = num / 10_000n;
  const r = num % 10_000n;
  const out = direction === "buy" && r !== 0n ? q + 1n : q;
  return new Decimal(out.toString()).times(tick);
}

/** Maker rule, written out: a sell at or below the bid goes to bid + tick, a buy at or above
 * the ask to ask − tick. */
function makerOracle(
  price: Decimal,
  quote: { bid: Decimal; ask: Decimal },
  side: Side,
  tick: Decimal,
): Decimal {
  if (side === "sell" && !price.gt(quote.bid)) return quote.bid.plus(tick);
  if (side === "buy" && !price.lt(quote.ask)) return quote.ask.minus(tick);
  return price;
}

// ------------------------------------------------------------------------------------------
// Harness

/** Every order of the test account that reached the venue, from the engine's own events. */
class VenueTruth {
  readonly orders = new Map<string, OrderView>();
  readonly #resting = new Set<string>();
  maxRestingOpens = 0;

  constructor(sim: SimVenue, openSide: Side) {
    sim.engine.subscribe((e) => {
      if (e.type !== "order" || e.order.accountId !== sim.accountId) return;
      const o = e.order;
      this.orders.set(o.id, o);
      if (o.side !== openSide || o.type !== "limit") return;
      if (o.status === "open" || o.status === "partially_filled") this.#resting.add(o.id);
      else this.#resting.delete(o.id);
      this.maxRestingOpens = Math.max(this.maxRestingOpens, this.#resting.size);
    });
  }

  byClientId(cid: string): OrderView[] {
    return [...this.orders.values()].filter((o) => o.clientOrderId === cid);
  }
}

/** A running simulated venue and how to move its virtual time. */
interface Venue {
  venue: SimVenueName;
  protocol: Protocol;
  direction: Side;
  clock: ManualClock;
  sim: SimVenue;
  truth: VenueTruth;
  /** Engine id of the test account. */
  account: string;
  /** Engine name of BTC. */
  btc: string;
  /** Advances virtual time; on a replica, lets loopback I/O settle between small steps. */
  advance(ms: number): Promise<void>;
  /** Advances a long stretch (paper: in `chunk`s; replica: in the driver's steps). */
  runFor(ms: number, chunk?: number): Promise<void>;
  /** Sets BTC's mark and index price. */
  setPrice(price: string): void;
  /** Fills the test account's order with this client order id against the liquidity. */
  fill(clientOrderId: string): void;
}

interface Placed {
  request: OrderRequest;
  time: number;
  quote: { bid: Decimal; ask: Decimal } | undefined;
}

interface Bot {
  direction: Side;
  grid: GridStrategy;
  /** The venue client itself (paper or the venue's real client), unwrapped. */
  venueClient: ExchangeClient;
  placed: Placed[];
  notes: string[];
  result: Promise<RunResult>;
  /** Graceful stop (Ctrl-C). */
  stop(): Promise<RunResult>;
  /** A crash: the loop ends without the graceful stop and the connection drops. */
  crash(): Promise<void>;
}

interface LaunchOptions {
  grid?: Partial<GridOptions>;
  /** Wraps the client (fault injection, duplicate events). */
  wrap?: (client: ExchangeClient) => ExchangeClient;
}

function prefixOf(venue: string, direction: Side): string {
  return `test/${venue}/BTC/${direction}`;
}

/** Wraps a client to record each placement with the last quote the strategy read. */
function recording(inner: ExchangeClient, clock: ManualClock, placed: Placed[]): ExchangeClient {
  let quote: Placed["quote"];
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === "getBestBidAsk") {
        return async (symbol: string) => {
          const q = await target.getBestBidAsk(symbol);
          quote = { bid: q.bid, ask: q.ask };
          return q;
        };
      }
      if (prop === "placeOrder") {
        return (request: OrderRequest) => {
          placed.push({ request, time: clock.now(), quote });
          return target.placeOrder(request);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Delivers every order and fill event twice, as a venue that repeats itself. */
function duplicatingEvents(inner: ExchangeClient): ExchangeClient {
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === "onEvent") {
        return (listener: (e: ExchangeEvent) => void) =>
          target.onEvent((e) => {
            listener(e);
            if (e.type === "order" || e.type === "fill") listener(e);
          });
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function startVenue(
  venue: SimVenueName,
  protocol: Protocol,
  options: { volatilityBps?: string; seed?: number; direction?: Side } = {},
): Promise<Venue> {
  const direction = options.direction ?? "buy";
  const clock = new ManualClock(START);
  const sim = await startSimVenue(venue, {
    clock,
    protocol,
    seed: options.seed ?? 3,
    // Replicas list their venue's own markets (BTC at 64000: tick 0.1, Hyperliquid 1).
    // Hyperliquid's paper venue lists Hyperliquid's BTC (tick 1), as its replica does.
    markets: protocol === "paper"
      ? [
        venue === "hyperliquid"
          ? SIM_VENUE_MARKETS.hyperliquid.find((m) => m.spec.symbol === "BTC")!
          : DEFAULT_SIM_MARKETS[0],
      ]
      : undefined,
    volatilityBps: options.volatilityBps ?? "2",
    // Over the wire every price step costs book and ticker frames: a replica's market moves
    // every 5 s (at a √5 larger step), which keeps an hour of market to a few seconds.
    // (Flat markets keep the 1 s step: their frames are few, and requotes follow at once.)
    stepMs: protocol === "replica" && options.volatilityBps !== "0" ? 5_000 : undefined,
  });
  const btc = sim.engineSymbol("BTC");
  const driver = protocol === "replica" ? new LoopbackDriver(clock) : undefined;
  const advance = (ms: number) => driver ? driver.advance(ms) : clock.advance(ms);
  return {
    venue,
    protocol,
    direction,
    clock,
    sim,
    truth: new VenueTruth(sim, direction),
    account: sim.accountId,
    btc,
    advance,
    async runFor(ms: number, chunk = 60_000) {
      if (driver) return await driver.advance(ms);
      for (let t = 0; t < ms; t += chunk) await clock.advance(Math.min(chunk, ms - t));
    },
    setPrice(price: string) {
      sim.control.setPrices(btc, { indexPrice: price, markPrice: price });
    },
    fill(clientOrderId: string) {
      sim.control.fillOrder(sim.accountId, { clientOrderId });
    },
  };
}

function launch(v: Venue, options: LaunchOptions = {}): Bot {
  const { sim, clock } = v;
  const venueClient = sim.client();
  const placed: Placed[] = [];
  const notes: string[] = [];
  const wrapped = options.wrap ? options.wrap(venueClient) : venueClient;
  const client = recording(wrapped, clock, placed);
  const grid = new GridStrategy(
    {
      symbol: "BTC",
      quantity: Q,
      takeProfit: TP,
      direction: v.direction,
      maxOrders: 10,
      waitTimeSec: 60,
      idPrefix: prefixOf(sim.venue, v.direction),
      ...options.grid,
    },
    { client, clock, notify: (text) => Promise.resolve(notes.push(text)) },
  );
  const controller = new AbortController();
  let crashed = false;
  const driven: Strategy = {
    name: grid.name,
    start: (s) => grid.start(s),
    step: (s) => grid.step(s),
    stop: (reason) => (crashed ? Promise.resolve() : grid.stop(reason)),
  };
  const result = runStrategy(driven, { clock, signal: controller.signal, random: () => 0.5 });
  return {
    direction: v.direction,
    grid,
    venueClient,
    placed,
    notes,
    result,
    async stop() {
      controller.abort();
      await v.advance(30_000);
      const r = await result;
      await venueClient.disconnect();
      return r;
    },
    async crash() {
      crashed = true;
      await venueClient.disconnect();
      controller.abort();
      await v.advance(1);
      await result;
    },
  };
}

const other = (side: Side): Side => (side === "buy" ? "sell" : "buy");

function opens(bot: Bot): Placed[] {
  return bot.placed.filter((p) => p.request.side === bot.direction);
}

function closes(bot: Bot): Placed[] {
  return bot.placed.filter((p) => p.request.side !== bot.direction);
}

function closeIdsOf(venue: string, direction: Side, openCid: string): Set<string> {
  const ids = new Set<string>();
  for (let n = 0; n < 15; n++) {
    ids.add(deriveClientOrderId(
      venue as "grvt",
      `${prefixOf(venue, direction)}/close/${openCid}/${n}`,
    ));
  }
  return ids;
}

/**
 * The core invariant: every open order that filled (fully, or partly and then canceled) has
 * exactly one take-profit at the venue, of exactly the filled size, at or above the
 * take-profit price; an unfilled open has none; never two resting opens at once.
 */
function assertOneClosePerFill(
  venue: string,
  truth: VenueTruth,
  direction: Side = "buy",
): { filledOpens: number } {
  const all = [...truth.orders.values()];
  const ourOpens = all.filter((o) => o.side === direction && o.type === "limit");
  const sells = all.filter((o) => o.side === other(direction));
  const accepted = (o: OrderView) =>
    !(o.status === "rejected" || o.cancelReason === "post_only_would_cross");
  const claimed = new Set<string>();
  let filledOpens = 0;
  for (const open of ourOpens) {
    assert.equal(open.postOnly, true, `open ${open.clientOrderId} is post-only`);
    assert.equal(new Decimal(open.size).toString(), Q);
    const ids = closeIdsOf(venue, direction, open.clientOrderId);
    const mine = sells.filter((s) => ids.has(s.clientOrderId) && accepted(s));
    for (const s of mine) claimed.add(s.id);
    const filled = new Decimal(open.filledSize);
    const finished = open.status !== "open" && open.status !== "partially_filled";
    if (filled.isZero() || !finished) {
      assert.equal(mine.length, 0, `no close for unfilled open ${open.clientOrderId}`);
      continue;
    }
    filledOpens++;
    assert.equal(mine.length, 1, `exactly one close for open ${open.clientOrderId}`);
    const close = mine[0];
    assert.equal(new Decimal(close.size).toString(), filled.toString(), "close size = filled");
    assert.equal(close.postOnly, true);
    const target = tpOracle(open.price!, direction, tickOf(venue as SimVenueName));
    const price = new Decimal(close.price!);
    assert.ok(
      direction === "buy" ? price.gte(target) : price.lte(target),
      `close ${close.price} at or beyond the take-profit ${target}`,
    );
  }
  const orphans = sells.filter((s) => accepted(s) && s.type === "limit" && !claimed.has(s.id));
  assert.deepEqual(orphans.map((o) => o.clientOrderId), [], "no close without its open");
  assert.ok(truth.maxRestingOpens <= 1, `at most one resting open (saw ${truth.maxRestingOpens})`);
  return { filledOpens };
}

function position(positions: Position[]): Decimal {
  return positions.find((p) => p.symbol === "BTC")?.size ?? new Decimal(0);
}

function restingCloseAmount(v: Venue): Decimal {
  return v.sim.engine.openOrders(v.account, v.btc)
    .filter((o) => o.side === other(v.direction))
    .reduce((s, o) => s.plus(o.remainingSize), new Decimal(0));
}

async function cleanup(bot: Bot | undefined, v: Venue): Promise<void> {
  await bot?.venueClient.disconnect();
  await v.sim.close();
}

const label = (venue: string, protocol: Protocol, direction: Side = "buy") =>
  `${venue} ${protocol} ${direction}`;

/** The position signed in the grid's direction (long for a buy grid, short for a sell grid). */
function signed(size: Decimal, direction: Side): Decimal {
  return direction === "buy" ? size : size.neg();
}

// ------------------------------------------------------------------------------------------
// Trading on a moving market

for (const { venue, protocol, direction } of CASES) {
  Deno.test(`grid on ${label(venue, protocol, direction)}: an hour of market, post-only opens one tick inside, one close per fill`, async () => {
    const v = await startVenue(venue, protocol, { direction });
    const bot = launch(v, { grid: { cancelOnExit: true } });
    try {
      await v.runFor(3_600_000);
      const result = await bot.stop();
      assert.equal(result.reason, "signal");
      assert.equal(result.exitCode, 0);

      const o = opens(bot);
      assert.ok(o.length > 20, `opens placed: ${o.length}`);
      for (const p of o) {
        assert.equal(p.request.postOnly, true);
        assert.equal(p.request.type, "limit");
        assert.ok(p.quote, "a quote was read before each open");
        const tick = tickOf(venue);
        const want = direction === "buy" ? p.quote!.ask.minus(tick) : p.quote!.bid.plus(tick);
        assert.equal(new Decimal(p.request.price!).toString(), want.toString());
      }
      for (const [i, p] of bot.placed.entries()) {
        if (p.request.side === direction) continue;
        assert.equal(p.request.postOnly, true);
        // Its open is the last one sent before it (one cycle at a time).
        const open = bot.placed.slice(0, i).filter((x) => x.request.side === direction).at(-1)!;
        const target = tpOracle(String(open.request.price!), direction, tickOf(venue));
        const want = makerOracle(target, p.quote!, other(direction), tickOf(venue));
        assert.equal(new Decimal(p.request.price!).toString(), want.toString());
      }
      const { filledOpens } = assertOneClosePerFill(venue, v.truth, direction);
      assert.ok(filledOpens > 10, `fills: ${filledOpens}`);
      assert.equal(bot.grid.stats.closesPlaced, filledOpens);
      // Canceled on exit: no open left; the position is exactly what the closes will unwind.
      const restingOpens = v.sim.engine.openOrders(v.account, v.btc).filter((x) =>
        x.side === direction
      );
      assert.equal(restingOpens.length, 0);
      const check = v.sim.client();
      await check.connect();
      try {
        assert.equal(
          signed(position(await check.getPositions()), direction).toString(),
          restingCloseAmount(v).toString(),
        );
      } finally {
        await check.disconnect();
      }
      assert.equal(bot.notes.filter((n) => n.includes("mismatch")).length, 0);
      assert.equal(bot.grid.stats.repairs, 0);
    } finally {
      await cleanup(bot, v);
    }
  });
}

// ------------------------------------------------------------------------------------------
// A flat market, driven by hand: cooldown ladder, grid step, stop, pause

async function fillLastOpen(v: Venue, bot: Bot): Promise<void> {
  v.fill(opens(bot).at(-1)!.request.clientOrderId!);
  await v.advance(500);
}

function lastCloseTime(bot: Bot): number {
  return closes(bot).at(-1)!.time;
}

for (const { venue, protocol, direction } of CASES) {
  const flat = flatOf(venue)[direction];
  Deno.test(`grid on ${label(venue, protocol, direction)}: cooldown ladder ¼ ½ 1 2 × wait, and an immediate open after a take-profit`, async () => {
    const v = await startVenue(venue, protocol, { volatilityBps: "0", direction });
    const bot = launch(v, { grid: { maxOrders: 6, waitTimeSec: 60 } });
    try {
      await v.advance(1_000);
      assert.equal(opens(bot).length, 1, "first open goes out at once");
      assert.equal(String(opens(bot)[0].request.price), flat.open, "one tick inside the spread");
      // Closes resting → cooldown: 1/6 → 30 s, 2/6 → 60 s, 3/6 → 60 s, 4/6 → 120 s.
      const ladder = [30_000, 60_000, 60_000, 120_000];
      for (const [i, cooldown] of ladder.entries()) {
        await fillLastOpen(v, bot);
        assert.equal(closes(bot).length, i + 1, "close placed after the fill");
        assert.equal(String(closes(bot)[i].request.price), flat.close, "the hand-worked TP");
        const closedAt = lastCloseTime(bot);
        await v.advance(cooldown - (v.clock.now() - closedAt) - 1_000);
        assert.equal(opens(bot).length, i + 1, `no open before ${cooldown} ms`);
        await v.advance(3_000);
        assert.equal(opens(bot).length, i + 2, `open after ${cooldown} ms`);
        const waited = opens(bot).at(-1)!.time - closedAt;
        assert.ok(waited > cooldown && waited <= cooldown + 2_000, `waited ${waited}`);
      }
      // A take-profit fills: the next open goes out at once, with no cooldown.
      await fillLastOpen(v, bot); // 5 closes now; cooldown would be 120 s
      const before = opens(bot).length;
      // The market moves through the take-profits (all at flat.close): the liquidity takes them.
      v.setPrice(flat.far);
      await v.advance(1_000);
      assert.equal(bot.grid.stats.tpFills, 5);
      await v.advance(1_000);
      assert.equal(opens(bot).length, before + 1, "immediate open after a take-profit fill");
      assertOneClosePerFill(venue, v.truth, direction);
    } finally {
      await bot.stop();
      await cleanup(bot, v);
    }
  });

  Deno.test(`grid on ${label(venue, protocol, direction)}: a full grid opens nothing; the grid step gates on the nearest close`, async () => {
    const v = await startVenue(venue, protocol, { volatilityBps: "0", direction });
    const bot = launch(v, { grid: { maxOrders: 2, waitTimeSec: 1, gridStep: "0.01" } });
    try {
      await v.advance(1_000);
      await fillLastOpen(v, bot);
      // The new take-profit would sit at the existing one: the 0.01 % step blocks.
      await v.runFor(300_000, 10_000);
      assert.equal(opens(bot).length, 1, "grid step blocks");
      // The market moves 0.03 % away from the take-profit: the new one is far enough from it.
      v.setPrice(flat.near);
      await v.advance(3_000);
      assert.equal(opens(bot).length, 2, "grid step passes after the move");
      await fillLastOpen(v, bot);
      assert.equal(closes(bot).length, 2);
      // Two closes = max-orders: nothing more, however long.
      v.setPrice(direction === "buy" ? "63900" : "64100");
      await v.runFor(600_000, 10_000);
      assert.equal(opens(bot).length, 2, "a full grid opens nothing");
    } finally {
      await bot.stop();
      await cleanup(bot, v);
    }
  });

  Deno.test(`grid on ${label(venue, protocol, direction)}: the pause price pauses opening and the stop price stops`, async () => {
    const v = await startVenue(venue, protocol, { volatilityBps: "0", direction });
    const buy = direction === "buy";
    const bot = launch(v, {
      grid: buy
        ? { pausePrice: "64050", stopPrice: "64150" }
        : { pausePrice: "63950", stopPrice: "63850" },
    });
    try {
      await v.advance(1_000);
      assert.equal(opens(bot).length, 1);
      v.setPrice(buy ? "64100" : "63900");
      await v.advance(10_000); // the open is chased away, then the pause holds
      const paused = opens(bot).length;
      await v.runFor(120_000, 10_000);
      assert.equal(opens(bot).length, paused, "no open while beyond the pause price");
      assert.equal(v.sim.engine.openOrders(v.account, v.btc).length, 0);
      v.setPrice("64000");
      await v.advance(10_000);
      assert.equal(opens(bot).length, paused + 1, "resumes below the pause price");
      v.setPrice(buy ? "64200" : "63800");
      await v.runFor(30_000, 5_000);
      const result = await bot.result;
      assert.deepEqual([result.reason, result.detail, result.exitCode], [
        "strategy",
        "stop price triggered",
        0,
      ]);
      assert.ok(bot.notes.some((n) => n.includes("Stopped trading due to stop price triggered")));
    } finally {
      await cleanup(bot, v);
    }
  });

  const { bid, ask } = flatOf(venue);
  Deno.test(`grid on ${label(venue, protocol, direction)}: a stop price exactly at the touch stops (ask ${ask} / bid ${bid})`, async () => {
    const v = await startVenue(venue, protocol, { volatilityBps: "0", direction });
    // Buy grid: stop when the ask is at or above the stop; sell grid: the bid at or below.
    const bot = launch(v, { grid: { stopPrice: direction === "buy" ? ask : bid } });
    let ended: unknown = "running";
    bot.result.then((r) => (ended = [r.detail, r.exitCode]));
    try {
      await v.runFor(10_000, 1_000);
      assert.deepEqual(ended, ["stop price triggered", 0]);
      assert.equal(opens(bot).length, 0, "nothing opened");
    } finally {
      await bot.stop();
      await cleanup(bot, v);
    }
  });
}

// ------------------------------------------------------------------------------------------
// The mismatch guard

/** One quantity traded behind the bot's back, in the grid's direction (an unhedged fill). */
function tradeBehindTheBotsBack(v: Venue, side: Side, size = Q): void {
  v.sim.control.placeOrder(v.account, { symbol: v.btc, side, type: "market", size });
}

for (const { venue, protocol, direction } of CASES) {
  const sign = direction === "buy" ? "" : "-";
  Deno.test(`grid on ${label(venue, protocol, direction)}: one unhedged quantity is found by the guard and, with --on-mismatch stop, stops the bot with a notification`, async () => {
    const v = await startVenue(venue, protocol, { volatilityBps: "0", direction });
    const bot = launch(v, { grid: { onMismatch: "stop" } });
    try {
      await v.advance(1_000);
      await fillLastOpen(v, bot);
      await v.runFor(120_000, 10_000);
      assert.ok(!bot.notes.some((n) => n.includes("mismatch")), "no mismatch while consistent");
      tradeBehindTheBotsBack(v, direction);
      await v.runFor(70_000, 5_000);
      const result = await bot.result;
      assert.deepEqual([result.detail, result.exitCode], ["position mismatch", 1]);
      const note = bot.notes.find((n) => n.includes("Position mismatch detected"));
      assert.ok(note, bot.notes.join("\n"));
      assert.ok(
        note!.includes(`current position: ${sign}0.02 | active closing amount: 0.01`),
        note,
      );
      // The take-profit stays; the bot never closes positions by itself.
      assert.equal(restingCloseAmount(v).toString(), "0.01");
    } finally {
      await cleanup(bot, v);
    }
  });

  Deno.test(`grid on ${label(venue, protocol, direction)}: one unhedged quantity is repaired by default: notified, its take-profit placed once`, async () => {
    const v = await startVenue(venue, protocol, { volatilityBps: "0", direction });
    const bot = launch(v);
    let running = true;
    bot.result.then(() => (running = false));
    try {
      await v.advance(1_000);
      await fillLastOpen(v, bot);
      await v.runFor(120_000, 10_000);
      tradeBehindTheBotsBack(v, direction);
      await v.runFor(180_000, 5_000);
      assert.equal(running, true, "repair keeps trading");
      const warning = bot.notes.filter((n) => n.includes("Position mismatch detected"));
      assert.equal(warning.length, 1, bot.notes.join("\n"));
      assert.ok(warning[0].startsWith(`WARNING: [${venue.toUpperCase()}_BTC]`), warning[0]);
      assert.ok(
        warning[0].includes(
          `current position: ${sign}0.02 | active closing amount: 0.01 | Order quantity: 0.01 | ` +
            `unhedged 0.01; placing the missing take-profit ${other(direction)} 0.01`,
        ),
        warning[0],
      );
      assert.equal(bot.grid.stats.repairs, 1);
      // The average entry × (1 ± tp %), worked out by hand in FLATS.
      const last = closes(bot).at(-1)!;
      assert.equal(String(last.request.size), "0.01");
      assert.equal(
        new Decimal(String(last.request.price)).toString(),
        flatOf(venue)[direction].repair,
      );
      assert.equal(restingCloseAmount(v).toString(), "0.02");
    } finally {
      await bot.stop();
      await cleanup(bot, v);
    }
  });

  Deno.test(`grid on ${label(venue, protocol, direction)}: take-profits beyond the position stop the bot, even in repair mode`, async () => {
    const v = await startVenue(venue, protocol, { volatilityBps: "0", direction });
    const bot = launch(v);
    try {
      await v.advance(1_000);
      await fillLastOpen(v, bot);
      await v.runFor(60_000, 10_000);
      tradeBehindTheBotsBack(v, other(direction)); // the position is closed by hand
      await v.runFor(70_000, 5_000);
      const result = await bot.result;
      assert.deepEqual([result.detail, result.exitCode], ["position mismatch", 1]);
      assert.ok(bot.notes.some((n) => n.startsWith("ERROR:") && n.includes("mismatch")));
      assert.equal(bot.grid.stats.repairs, 0);
    } finally {
      await cleanup(bot, v);
    }
  });
}

for (const protocol of PROTOCOLS) {
  Deno.test(`grid on grvt ${protocol}: one odd position reading is checked again and does not stop the bot`, async () => {
    const v = await startVenue("grvt", protocol, { volatilityBps: "0" });
    let odd = 0;
    const bot = launch(v, {
      wrap: (inner) =>
        new Proxy(inner, {
          get(target, prop) {
            if (prop === "getPositions") {
              return async () => {
                const real = await target.getPositions();
                if (odd !== 1) return real;
                odd = 2;
                return [{
                  venue: "grvt",
                  symbol: "BTC",
                  size: new Decimal(5),
                  entryPrice: new Decimal(1),
                }];
              };
            }
            const value = Reflect.get(target, prop, target);
            return typeof value === "function" ? value.bind(target) : value;
          },
        }),
    });
    try {
      await v.advance(1_000);
      odd = 1;
      await v.runFor(180_000, 10_000);
      assert.equal(odd, 2, "the odd reading was served");
      assert.ok(!bot.notes.some((n) => n.includes("mismatch")), bot.notes.join("\n"));
      const status = await Promise.race([
        bot.result.then(() => "ended"),
        Promise.resolve("running"),
      ]);
      assert.equal(status, "running");
    } finally {
      await bot.stop();
      await cleanup(bot, v);
    }
  });
}

// ------------------------------------------------------------------------------------------
// Restart safety

/** Refuses (before sending) every order of `side` while `blocked()`: a send that never leaves. */
function blocking(side: Side, blocked: () => boolean) {
  return (inner: ExchangeClient): ExchangeClient =>
    new Proxy(inner, {
      get(target, prop) {
        if (prop === "placeOrder") {
          return (request: OrderRequest) =>
            request.side === side && blocked()
              ? Promise.reject(new NetworkError({ message: "connection reset (test)" }))
              : target.placeOrder(request);
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
}

for (const { venue, protocol, direction } of CASES) {
  Deno.test(`grid on ${label(venue, protocol, direction)}: killed after a fill and before its take-profit, while an older take-profit fills during the downtime: the restart places the missing one exactly once`, async () => {
    const v = await startVenue(venue, protocol, { volatilityBps: "0", direction });
    let block = false;
    const a = launch(v, { wrap: blocking(other(direction), () => block) });
    let b: Bot | undefined;
    try {
      await v.advance(1_000);
      await fillLastOpen(v, a);
      assert.equal(closes(a).length, 1, "first take-profit resting");
      const tp1 = closes(a)[0].request.clientOrderId!;
      assert.equal(String(closes(a)[0].request.price), flatOf(venue)[direction].close);
      await v.runFor(20_000, 1_000); // cooldown ¼ × 60 s, then the second open
      assert.equal(opens(a).length, 2, "second open resting");
      block = true;
      await fillLastOpen(v, a); // its take-profit cannot leave
      await v.advance(1_000);
      await a.crash();
      // While down, the market runs through the older take-profit and comes back.
      v.setPrice(flatOf(venue)[direction].far);
      await v.advance(2_000);
      v.setPrice("64000");
      await v.advance(2_000);
      assert.equal(v.truth.byClientId(tp1)[0]?.status, "filled");
      assert.equal(restingCloseAmount(v).toString(), "0");
      b = launch(v);
      await v.advance(3_000);
      assert.equal(closes(b).length, 1, "the restarted bot places the missing take-profit");
      assert.equal(String(closes(b)[0].request.price), flatOf(venue)[direction].close);
      assert.equal(b.grid.stats.recovered, 1);
      await v.runFor(120_000, 10_000);
      assert.equal(closes(b).length, 1, "and only once");
      assertOneClosePerFill(venue, v.truth, direction);
      assert.equal(b.grid.stats.repairs, 0, "found by recovery, not by the guard");
      assert.equal(restingCloseAmount(v).toString(), Q);
    } finally {
      await b?.stop();
      await cleanup(b, v);
    }
  });

  Deno.test(`grid on ${label(venue, protocol, direction)}: a restart adopts the resting open order instead of sending another`, async () => {
    const v = await startVenue(venue, protocol, { volatilityBps: "0", direction });
    const a = launch(v);
    let b: Bot | undefined;
    try {
      await v.advance(1_000);
      assert.equal(opens(a).length, 1);
      await a.crash();
      b = launch(v);
      await v.runFor(60_000, 5_000);
      assert.equal(opens(b).length, 0, "the restarted bot sends no new open");
      assert.equal(v.truth.maxRestingOpens, 1);
      v.fill(opens(a)[0].request.clientOrderId!);
      await v.advance(2_000);
      assert.equal(closes(b).length, 1, "the restarted bot closes the adopted fill");
      assertOneClosePerFill(venue, v.truth, direction);
    } finally {
      await b?.stop();
      await cleanup(b, v);
    }
  });

  Deno.test(`grid on ${label(venue, protocol, direction)}: a fill during downtime gets exactly one close across two restarts`, async () => {
    const v = await startVenue(venue, protocol, { volatilityBps: "0", direction });
    const a = launch(v);
    let b: Bot | undefined;
    let c: Bot | undefined;
    try {
      await v.advance(1_000);
      const openCid = opens(a)[0].request.clientOrderId!;
      await a.crash();
      v.fill(openCid); // filled while no bot runs
      b = launch(v);
      await v.advance(2_000);
      assert.equal(closes(b).length, 1, "the restarted bot places the missing close");
      await b.crash();
      c = launch(v);
      await v.runFor(120_000, 10_000);
      assert.equal(closes(c).length, 0, "no second close after another restart");
      assert.ok(opens(c).length >= 1, "trading goes on");
      assertOneClosePerFill(venue, v.truth, direction);
      assert.equal(restingCloseAmount(v).toString(), Q);
    } finally {
      await c?.stop();
      await cleanup(c, v);
    }
  });
}

// ------------------------------------------------------------------------------------------
// Silence

/**
 * A private stream that goes quiet without closing: order and fill events stop arriving;
 * with `reconnecting`, the client also reports the stream as reconnecting (as the venue
 * clients do once their idle timeout notices).
 */
function silentStream(state: { silent: boolean; reconnecting?: boolean }) {
  return (inner: ExchangeClient): ExchangeClient =>
    new Proxy(inner, {
      get(target, prop) {
        if (prop === "onEvent") {
          return (listener: (e: ExchangeEvent) => void) => {
            const off = target.onEvent((e) => {
              if (state.silent && (e.type === "order" || e.type === "fill")) return;
              listener(e);
            });
            if (state.reconnecting) {
              queueMicrotask(() =>
                listener({ type: "connection", stream: "account", state: "reconnecting" })
              );
            }
            return off;
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
}

for (const { venue, protocol, direction } of CASES) {
  for (const reconnecting of [false, true]) {
    const limit = reconnecting ? 2_000 : 6_000;
    const how = reconnecting ? "reported reconnecting" : "silent without closing";
    Deno.test(`grid on ${label(venue, protocol, direction)}: private stream ${how}: the take-profit goes out within ${limit / 1_000} s of the fill (REST polling)`, async () => {
      const v = await startVenue(venue, protocol, { volatilityBps: "0", direction });
      const state = { silent: true, reconnecting };
      const bot = launch(v, { wrap: silentStream(state) });
      try {
        await v.advance(1_000);
        assert.equal(opens(bot).length, 1);
        await v.runFor(30_000, 1_000); // past the first fill wait: the open just rests
        const filledAt = v.clock.now();
        v.fill(opens(bot)[0].request.clientOrderId!);
        await v.runFor(limit, 250);
        assert.equal(closes(bot).length, 1, `take-profit within ${limit} ms`);
        const delay = closes(bot)[0].time - filledAt;
        assert.ok(delay <= limit, `take-profit ${delay} ms after the fill`);
        assert.equal(String(closes(bot)[0].request.price), flatOf(venue)[direction].close);
        state.silent = false;
        assertOneClosePerFill(venue, v.truth, direction);
      } finally {
        await bot.stop();
        await cleanup(bot, v);
      }
    });
  }
}

for (const protocol of PROTOCOLS) {
  Deno.test(`grid on grvt ${protocol}: a quote older than maxBookAgeMs is never used to price an open`, async () => {
    const v = await startVenue("grvt", protocol, { volatilityBps: "0" });
    let age = 60_000;
    const bot = launch(v, {
      grid: { maxBookAgeMs: 10_000 },
      wrap: (inner) =>
        new Proxy(inner, {
          get(target, prop) {
            if (prop === "getBestBidAsk") {
              return async (symbol: string) => ({
                ...(await target.getBestBidAsk(symbol)),
                stale: false,
                receivedAt: v.clock.now() - age,
              });
            }
            const value = Reflect.get(target, prop, target);
            return typeof value === "function" ? value.bind(target) : value;
          },
        }),
    });
    try {
      await v.runFor(30_000, 1_000);
      assert.equal(opens(bot).length, 0, "no open off a 60 s old book");
      age = 10_001;
      await v.runFor(5_000, 1_000);
      assert.equal(opens(bot).length, 0, "nor off one 1 ms past the limit");
      age = 10_000;
      await v.runFor(3_000, 1_000);
      assert.equal(opens(bot).length, 1, "an open once the book is within its age");
    } finally {
      await bot.stop();
      await cleanup(bot, v);
    }
  });
}

// ------------------------------------------------------------------------------------------
// Faults

/**
 * The same faults on each front-end, by its own endpoint and stream names: the paper clients'
 * operations, or the replica's HTTP endpoints and WebSocket streams (sim/grvt, sim/lighter,
 * sim/edgex, sim/hyperliquid). A duplicate fill event comes both from the venue (a repeated account frame on a
 * replica) and from the client wrapper that delivers every order and fill event twice.
 */
function faultPlan(venue: SimVenueName, protocol: Protocol): FaultRule[] {
  if (protocol === "paper") {
    return [
      { kind: "error", target: "placeOrder", every: 7 },
      { kind: "drop_response", target: "placeOrder", every: 5 },
      { kind: "error", status: 502, target: "cancelOrder", every: 4 },
      { kind: "drop_response", target: "cancelOrder", every: 3 },
      { kind: "error", target: "getOpenOrders", every: 9 },
      { kind: "rate_limit", target: "getOrder", limit: 1, windowMs: 1_000 },
      { kind: "gap", target: "book:BTC", chance: 0.02 },
      { kind: "malformed", target: "book:BTC", chance: 0.01 },
    ].map((r) => ({ ...r, frontEnd: "paper" }) as FaultRule);
  }
  const names = {
    grvt: {
      place: "full/v1/create_order",
      cancel: "full/v1/cancel_order",
      openOrders: "full/v1/open_orders",
      any: "full/v1/*",
      book: "v1.book.*",
      account: "v1.fill*",
    },
    lighter: {
      place: "/api/v1/sendTx",
      cancel: "/api/v1/sendTx",
      openOrders: "/api/v1/accountActiveOrders",
      any: "/api/v1/*",
      book: "order_book:*",
      account: "account_all*",
    },
    edgex: {
      place: "/api/v2/private/order/createOrder",
      cancel: "/api/v2/private/order/cancelOrderById",
      openOrders: "/api/v2/private/order/getActiveOrderPage",
      any: "/api/v2/*",
      book: "depth.*",
      account: "account",
    },
    // Every request hits `/info` or `/exchange` and then `info:<type>` / `exchange:<action>`.
    hyperliquid: {
      place: "exchange:order",
      cancel: "exchange:cancel*",
      openOrders: "info:openOrders",
      any: "/*",
      book: "l2Book:*",
      account: "userFills",
    },
  }[venue];
  return [
    { kind: "error", target: names.place, every: 7 },
    { kind: "drop_response", target: names.place, every: 5 },
    { kind: "error", status: 502, target: names.cancel, every: 4 },
    { kind: "drop_response", target: names.cancel, every: 6 },
    { kind: "error", target: names.openOrders, every: 9 },
    { kind: "rate_limit", target: names.any, limit: 4, windowMs: 1_000 },
    { kind: "gap", target: names.book, chance: 0.02 },
    { kind: "malformed", target: names.book, chance: 0.01 },
    { kind: "duplicate", target: names.account, chance: 0.3 },
  ].map((r) => ({ ...r, frontEnd: venue }) as FaultRule);
}

for (const { venue, protocol, direction } of CASES) {
  Deno.test(`grid on ${label(venue, protocol, direction)}: 5xx, 429, lost answers, dropped streams, book gaps and duplicate events cause no duplicate or missing close`, async () => {
    const v = await startVenue(venue, protocol, { seed: 11, direction });
    for (const rule of faultPlan(venue, protocol)) v.sim.faults.inject(rule);
    const bot = launch(v, { wrap: duplicatingEvents, grid: { cancelOnExit: true } });
    try {
      // Half an hour over the wire (about 10 s of real time per venue), an hour on paper.
      const minutes = protocol === "replica" ? 30 : 60;
      for (let minute = 0; minute < minutes; minute++) {
        if (minute % 7 === 3) await v.sim.dropConnections();
        await v.advance(60_000);
      }
      const rules = v.sim.faults.rules();
      const fired = rules.map((r) => `${r.kind}/${r.target}:${r.fired}`);
      for (const r of rules) assert.ok(r.fired > 0, fired.join(" "));
      // Faults off for the graceful stop and the final reading.
      v.sim.faults.clear();
      const result = await bot.stop();
      assert.equal(result.reason, "signal");
      const { filledOpens } = assertOneClosePerFill(venue, v.truth, direction);
      assert.ok(filledOpens > 5, `fills: ${filledOpens}`);
      const check = v.sim.client();
      await check.connect();
      try {
        assert.equal(
          signed(position(await check.getPositions()), direction).toString(),
          restingCloseAmount(v).toString(),
        );
      } finally {
        await check.disconnect();
      }
    } finally {
      await cleanup(bot, v);
    }
  });
}
