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
  type OrderRequest,
  type Position,
} from "../base.ts";
import { deriveClientOrderId } from "../exchanges/_shared/client_order_id.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import type { OrderView } from "../sim/events.ts";
import {
  DEFAULT_SIM_MARKETS,
  type SimVenue,
  type SimVenueName,
  startSimVenue,
} from "../sim/network.ts";
import type { FaultRule } from "../sim/faults.ts";
import { LoopbackDriver } from "./bot_loopback_driver.ts";
import { type GridOptions, GridStrategy, makerPrice, takeProfitPrice } from "../strategies/grid.ts";
import { type RunResult, runStrategy, type Strategy } from "../strategies/runner.ts";

const VENUES: SimVenueName[] = ["lighter", "grvt", "edgex"];
const START = Date.UTC(2026, 0, 1);
const Q = "0.01";
const TP = "0.02";
const TICK = new Decimal("0.1");
type Protocol = "paper" | "replica";
/**
 * Every scenario runs on the in-process paper protocol and on each venue's protocol replica
 * (the venue's real client over loopback HTTP / WebSocket, driven in virtual time by
 * {@linkcode LoopbackDriver}).
 */
const PROTOCOLS: Protocol[] = ["paper", "replica"];
const CASES: { venue: SimVenueName; protocol: Protocol }[] = PROTOCOLS.flatMap((protocol) =>
  VENUES.map((venue) => ({ venue, protocol }))
);

// ------------------------------------------------------------------------------------------
// Harness

/** Every order of the test account that reached the venue, from the engine's own events. */
class VenueTruth {
  readonly orders = new Map<string, OrderView>();
  readonly #resting = new Set<string>();
  maxRestingOpens = 0;

  constructor(sim: SimVenue) {
    sim.engine.subscribe((e) => {
      if (e.type !== "order" || e.order.accountId !== sim.accountId) return;
      const o = e.order;
      this.orders.set(o.id, o);
      if (o.side !== "buy" || o.type !== "limit") return;
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

function prefixOf(venue: string): string {
  return `test/${venue}/BTC/buy`;
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
  options: { volatilityBps?: string; seed?: number } = {},
): Promise<Venue> {
  const clock = new ManualClock(START);
  const sim = await startSimVenue(venue, {
    clock,
    protocol,
    seed: options.seed ?? 3,
    // Replicas list their venue's own markets (BTC at 64000, tick 0.1, like the paper one).
    markets: protocol === "paper" ? [DEFAULT_SIM_MARKETS[0]] : undefined,
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
    clock,
    sim,
    truth: new VenueTruth(sim),
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
      direction: "buy",
      maxOrders: 10,
      waitTimeSec: 60,
      idPrefix: prefixOf(sim.venue),
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

function opens(bot: Bot): Placed[] {
  return bot.placed.filter((p) => p.request.side === "buy");
}

function closes(bot: Bot): Placed[] {
  return bot.placed.filter((p) => p.request.side === "sell");
}

function closeIdsOf(venue: string, openCid: string): Set<string> {
  const ids = new Set<string>();
  for (let n = 0; n < 15; n++) {
    ids.add(deriveClientOrderId(
      venue as "grvt",
      `${prefixOf(venue)}/close/${openCid}/${n}`,
    ));
  }
  return ids;
}

/**
 * The core invariant: every open order that filled (fully, or partly and then canceled) has
 * exactly one take-profit at the venue, of exactly the filled size, at or above the
 * take-profit price; an unfilled open has none; never two resting opens at once.
 */
function assertOneClosePerFill(venue: string, truth: VenueTruth): { filledOpens: number } {
  const all = [...truth.orders.values()];
  const ourOpens = all.filter((o) => o.side === "buy" && o.type === "limit");
  const sells = all.filter((o) => o.side === "sell");
  const accepted = (o: OrderView) =>
    !(o.status === "rejected" || o.cancelReason === "post_only_would_cross");
  const claimed = new Set<string>();
  let filledOpens = 0;
  for (const open of ourOpens) {
    assert.equal(open.postOnly, true, `open ${open.clientOrderId} is post-only`);
    assert.equal(new Decimal(open.size).toString(), Q);
    const ids = closeIdsOf(venue, open.clientOrderId);
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
    const target = takeProfitPrice(open.price!, TP, TICK, "buy");
    assert.ok(new Decimal(close.price!).gte(target), `close ${close.price} >= TP ${target}`);
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
    .filter((o) => o.side === "sell")
    .reduce((s, o) => s.plus(o.remainingSize), new Decimal(0));
}

async function cleanup(bot: Bot | undefined, v: Venue): Promise<void> {
  await bot?.venueClient.disconnect();
  await v.sim.close();
}

const label = (venue: string, protocol: Protocol) => `${venue} ${protocol}`;

// ------------------------------------------------------------------------------------------
// Trading on a moving market

for (const { venue, protocol } of CASES) {
  Deno.test(`grid on ${label(venue, protocol)}: an hour of market, post-only opens at ask − tick, one close per fill`, async () => {
    const v = await startVenue(venue, protocol);
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
        assert.equal(new Decimal(p.request.price!).toString(), p.quote!.ask.minus(TICK).toString());
      }
      for (const [i, p] of bot.placed.entries()) {
        if (p.request.side !== "sell") continue;
        assert.equal(p.request.postOnly, true);
        // Its open is the last one sent before it (one cycle at a time).
        const open = bot.placed.slice(0, i).filter((x) => x.request.side === "buy").at(-1)!;
        const target = takeProfitPrice(open.request.price!, TP, TICK, "buy");
        const want = makerPrice(target, p.quote!, TICK, "sell");
        assert.equal(new Decimal(p.request.price!).toString(), want.toString());
      }
      const { filledOpens } = assertOneClosePerFill(venue, v.truth);
      assert.ok(filledOpens > 10, `fills: ${filledOpens}`);
      assert.equal(bot.grid.stats.closesPlaced, filledOpens);
      // Canceled on exit: no open left; the position is exactly what the closes will unwind.
      const restingOpens = v.sim.engine.openOrders(v.account, v.btc).filter((x) =>
        x.side === "buy"
      );
      assert.equal(restingOpens.length, 0);
      const check = v.sim.client();
      await check.connect();
      try {
        assert.equal(
          position(await check.getPositions()).toString(),
          restingCloseAmount(v).toString(),
        );
      } finally {
        await check.disconnect();
      }
      assert.equal(bot.notes.filter((n) => n.includes("mismatch")).length, 0);
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

for (const { venue, protocol } of CASES) {
  Deno.test(`grid on ${label(venue, protocol)}: cooldown ladder ¼ ½ 1 2 × wait, and an immediate open after a take-profit`, async () => {
    const v = await startVenue(venue, protocol, { volatilityBps: "0" });
    const bot = launch(v, { grid: { maxOrders: 6, waitTimeSec: 60 } });
    try {
      await v.advance(1_000);
      assert.equal(opens(bot).length, 1, "first open goes out at once");
      // Closes resting → cooldown: 1/6 → 30 s, 2/6 → 60 s, 3/6 → 60 s, 4/6 → 120 s.
      const ladder = [30_000, 60_000, 60_000, 120_000];
      for (const [i, cooldown] of ladder.entries()) {
        await fillLastOpen(v, bot);
        assert.equal(closes(bot).length, i + 1, "close placed after the fill");
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
      // The market rises through the take-profits (all at 64013): the liquidity buys them.
      v.setPrice("64020");
      await v.advance(1_000);
      assert.equal(bot.grid.stats.tpFills, 5);
      await v.advance(1_000);
      assert.equal(opens(bot).length, before + 1, "immediate open after a take-profit fill");
      assertOneClosePerFill(venue, v.truth);
    } finally {
      await bot.stop();
      await cleanup(bot, v);
    }
  });

  Deno.test(`grid on ${label(venue, protocol)}: a full grid opens nothing; the grid step gates on the nearest close`, async () => {
    const v = await startVenue(venue, protocol, { volatilityBps: "0" });
    const bot = launch(v, { grid: { maxOrders: 2, waitTimeSec: 1, gridStep: "0.01" } });
    try {
      await v.advance(1_000);
      await fillLastOpen(v, bot);
      // The new take-profit would sit at the existing one: the 0.01 % step blocks.
      await v.runFor(300_000, 10_000);
      assert.equal(opens(bot).length, 1, "grid step blocks");
      // The market drops 0.03 %: the new take-profit is far enough below the resting one.
      v.setPrice("63980");
      await v.advance(3_000);
      assert.equal(opens(bot).length, 2, "grid step passes after the move");
      await fillLastOpen(v, bot);
      assert.equal(closes(bot).length, 2);
      // Two closes = max-orders: nothing more, however long.
      v.setPrice("63900");
      await v.runFor(600_000, 10_000);
      assert.equal(opens(bot).length, 2, "a full grid opens nothing");
    } finally {
      await bot.stop();
      await cleanup(bot, v);
    }
  });

  Deno.test(`grid on ${label(venue, protocol)}: the pause price pauses opening and the stop price stops`, async () => {
    const v = await startVenue(venue, protocol, { volatilityBps: "0" });
    const bot = launch(v, { grid: { pausePrice: "64050", stopPrice: "64150" } });
    try {
      await v.advance(1_000);
      assert.equal(opens(bot).length, 1);
      v.setPrice("64100");
      await v.advance(10_000); // the open is chased away, then the pause holds
      const paused = opens(bot).length;
      await v.runFor(120_000, 10_000);
      assert.equal(opens(bot).length, paused, "no open while the ask is above the pause price");
      assert.equal(v.sim.engine.openOrders(v.account, v.btc).length, 0);
      v.setPrice("64000");
      await v.advance(10_000);
      assert.equal(opens(bot).length, paused + 1, "resumes below the pause price");
      v.setPrice("64200");
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
}

// ------------------------------------------------------------------------------------------
// The mismatch guard

for (const { venue, protocol } of CASES) {
  Deno.test(`grid on ${label(venue, protocol)}: a position altered behind the bot's back stops it with a notification`, async () => {
    const v = await startVenue(venue, protocol, { volatilityBps: "0" });
    const bot = launch(v);
    try {
      await v.advance(1_000);
      await fillLastOpen(v, bot);
      await v.runFor(120_000, 10_000);
      assert.ok(!bot.notes.some((n) => n.includes("mismatch")), "no mismatch while consistent");
      v.sim.control.placeOrder(v.account, {
        symbol: v.btc,
        side: "buy",
        type: "market",
        size: "0.05",
      });
      await v.runFor(70_000, 5_000);
      const result = await bot.result;
      assert.deepEqual([result.detail, result.exitCode], ["position mismatch", 1]);
      const note = bot.notes.find((n) => n.includes("Position mismatch detected"));
      assert.ok(note, bot.notes.join("\n"));
      assert.match(note!, /current position: 0\.06 \| active closing amount: 0\.01/);
      // The take-profit stays; the bot never closes positions by itself.
      assert.equal(restingCloseAmount(v).toString(), "0.01");
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

for (const { venue, protocol } of CASES) {
  Deno.test(`grid on ${label(venue, protocol)}: a restart adopts the resting open order instead of sending another`, async () => {
    const v = await startVenue(venue, protocol, { volatilityBps: "0" });
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
      assertOneClosePerFill(venue, v.truth);
    } finally {
      await b?.stop();
      await cleanup(b, v);
    }
  });

  Deno.test(`grid on ${label(venue, protocol)}: a fill during downtime gets exactly one close across two restarts`, async () => {
    const v = await startVenue(venue, protocol, { volatilityBps: "0" });
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
      assertOneClosePerFill(venue, v.truth);
      assert.equal(restingCloseAmount(v).toString(), Q);
    } finally {
      await c?.stop();
      await cleanup(c, v);
    }
  });
}

// ------------------------------------------------------------------------------------------
// Faults

/**
 * The same faults on each front-end, by its own endpoint and stream names: the paper clients'
 * operations, or the replica's HTTP endpoints and WebSocket streams (sim/grvt, sim/lighter,
 * sim/edgex). A duplicate fill event comes both from the venue (a repeated account frame on a
 * replica) and from the client wrapper that delivers every order and fill event twice.
 */
function faultPlan(venue: SimVenueName, protocol: Protocol): FaultRule[] {
  if (protocol === "paper") {
    return [
      { kind: "error", target: "placeOrder", every: 7 },
      { kind: "drop_response", target: "placeOrder", every: 5 },
      { kind: "error", status: 502, target: "cancelOrder", every: 4 },
      { kind: "drop_response", target: "cancelOrder", every: 6 },
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

for (const { venue, protocol } of CASES) {
  Deno.test(`grid on ${label(venue, protocol)}: 5xx, 429, lost answers, dropped streams, book gaps and duplicate events cause no duplicate or missing close`, async () => {
    const v = await startVenue(venue, protocol, { seed: 11 });
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
      const { filledOpens } = assertOneClosePerFill(venue, v.truth);
      assert.ok(filledOpens > 5, `fills: ${filledOpens}`);
      const check = v.sim.client();
      await check.connect();
      try {
        assert.equal(
          position(await check.getPositions()).toString(),
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
