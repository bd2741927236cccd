/**
 * The exposure guard never counts a filled open twice: once as "in flight" (queued for its
 * take-profit) and once through its take-profit resting at the venue. Each scenario runs the
 * grid against the paper venue and the GRVT replica (its real client over loopback), both grid
 * directions, in virtual time; what reached the venue is read from the engine's own events.
 *
 * Two ways a filled open is queued while the guard runs:
 *
 * - at start (`#recover`): only an open whose take-profit is missing is queued;
 * - mid-run, when the venue refuses a new open's id as a duplicate (a send the start could not
 *   see): the open behind the id is queued, and the next open's cycle runs with it queued.
 *   Modelled by a client that hides the previous run's open ids from the start's look-ups and
 *   a venue that refuses any client id it has ever seen.
 */
import { deepStrictEqual as deepEqual, strictEqual as equal } from "node:assert/strict";
import {
  Decimal,
  DuplicateClientOrderIdError,
  type ExchangeClient,
  NetworkError,
  type OrderRef,
  type OrderRequest,
  type Side,
} from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import type { OrderView } from "../sim/events.ts";
import { DEFAULT_SIM_MARKETS, type SimVenue, startSimVenue } from "../sim/network.ts";
import { LoopbackDriver } from "./bot_loopback_driver.ts";
import { GridStrategy } from "../strategies/grid.ts";
import { type RunResult, runStrategy, type Strategy } from "../strategies/runner.ts";

const START = Date.UTC(2026, 0, 1);
const Q = "0.01";
type Protocol = "paper" | "replica";

/**
 * Hand-worked prices on the flat market (BTC 64000, tick 0.1, bid 63999.8 / ask 64000.2),
 * take-profit 0.02 %: buy open ask − 0.1 = 64000.1, its take-profit 64000.1 × 1.0002 =
 * 64012.90002 → up → 64013; sell open bid + 0.1 = 63999.9, its take-profit 63999.9 × 0.9998 =
 * 63987.10002 → down → 63987.1.
 */
const PRICES: Record<Side, { open: string; close: string }> = {
  buy: { open: "64000.1", close: "64013" },
  sell: { open: "63999.9", close: "63987.1" },
};

interface Venue {
  sim: SimVenue;
  clock: ManualClock;
  direction: Side;
  /** Every order of the test account, by engine id, latest state. */
  orders: Map<string, OrderView>;
  advance(ms: number): Promise<void>;
}

async function startVenue(protocol: Protocol, direction: Side): Promise<Venue> {
  const clock = new ManualClock(START);
  const sim = await startSimVenue("grvt", {
    clock,
    protocol,
    seed: 3,
    markets: protocol === "paper" ? [DEFAULT_SIM_MARKETS[0]] : undefined,
    volatilityBps: "0",
  });
  const orders = new Map<string, OrderView>();
  sim.engine.subscribe((e) => {
    if (e.type === "order" && e.order.accountId === sim.accountId) orders.set(e.order.id, e.order);
  });
  const driver = protocol === "replica" ? new LoopbackDriver(clock) : undefined;
  return {
    sim,
    clock,
    direction,
    orders,
    advance: (ms) => driver ? driver.advance(ms) : clock.advance(ms),
  };
}

interface Bot {
  grid: GridStrategy;
  placed: OrderRequest[];
  notes: string[];
  client: ExchangeClient;
  /** Whether the run has ended. */
  ended(): boolean;
  result: Promise<RunResult>;
  stop(): Promise<RunResult>;
  /** The loop ends without the graceful stop (a crash). */
  crash(): Promise<void>;
}

type Wrap = (inner: ExchangeClient) => ExchangeClient;

function proxy(
  inner: ExchangeClient,
  overrides: Partial<Record<keyof ExchangeClient, unknown>>,
): ExchangeClient {
  return new Proxy(inner, {
    get(target, prop) {
      if (prop in overrides) return overrides[prop as keyof ExchangeClient];
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function launch(v: Venue, wrap?: Wrap): Bot {
  const venueClient = v.sim.client();
  const placed: OrderRequest[] = [];
  const notes: string[] = [];
  const inner = wrap ? wrap(venueClient) : venueClient;
  const client = proxy(inner, {
    placeOrder: (request: OrderRequest) => {
      placed.push(request);
      return inner.placeOrder(request);
    },
  });
  const grid = new GridStrategy(
    {
      symbol: "BTC",
      quantity: Q,
      takeProfit: "0.02",
      direction: v.direction,
      maxOrders: 10,
      waitTimeSec: 60,
      idPrefix: `test/double/${v.direction}`,
    },
    { client, clock: v.clock, notify: (text) => Promise.resolve(notes.push(text)) },
  );
  const controller = new AbortController();
  let crashed = false;
  let ended = false;
  const driven: Strategy = {
    name: grid.name,
    start: (s) => grid.start(s),
    step: (s) => grid.step(s),
    stop: (reason) => (crashed ? Promise.resolve() : grid.stop(reason)),
  };
  const result = runStrategy(driven, {
    clock: v.clock,
    signal: controller.signal,
    random: () => 0.5,
  });
  result.then(() => (ended = true));
  return {
    grid,
    placed,
    notes,
    client: venueClient,
    ended: () => ended,
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

const opens = (b: Bot, d: Side) => b.placed.filter((r) => r.side === d);
const closes = (b: Bot, d: Side) => b.placed.filter((r) => r.side !== d);

/** Refuses every order of `side` before sending while `blocked()`: a send that never leaves. */
function blocking(side: Side, blocked: () => boolean): Wrap {
  return (inner) =>
    proxy(inner, {
      placeOrder: (request: OrderRequest) =>
        request.side === side && blocked()
          ? Promise.reject(new NetworkError({ message: "connection reset (test)" }))
          : inner.placeOrder(request),
    });
}

/**
 * The start cannot see the `hidden` client ids (its look-ups answer "unknown") until the first
 * order is sent, and the venue refuses any client id it has ever seen, as a duplicate.
 */
function blindStartAndStrictIds(hidden: ReadonlySet<string>): Wrap {
  return (inner) => {
    let blind = true;
    return proxy(inner, {
      getOrder: (symbol: string, ref: OrderRef) =>
        blind && ref.clientOrderId !== undefined && hidden.has(ref.clientOrderId)
          ? Promise.resolve(undefined)
          : inner.getOrder(symbol, ref),
      placeOrder: async (request: OrderRequest) => {
        blind = false;
        const known = await inner.getOrder(request.symbol, {
          clientOrderId: request.clientOrderId!,
        });
        if (known) throw new DuplicateClientOrderIdError(request.clientOrderId!, { venue: "grvt" });
        return await inner.placeOrder(request);
      },
    });
  };
}

/** The test account's accepted orders with this client id (post-only refusals left out). */
function accepted(v: Venue, clientOrderId: string): OrderView[] {
  return [...v.orders.values()].filter((o) =>
    o.clientOrderId === clientOrderId && o.status !== "rejected" &&
    o.cancelReason !== "post_only_would_cross"
  );
}

/** The test account's accepted take-profits (close side), oldest first. */
function venueCloses(v: Venue): OrderView[] {
  const side = v.direction === "buy" ? "sell" : "buy";
  return [...v.orders.values()].filter((o) =>
    o.side === side && o.status !== "rejected" && o.cancelReason !== "post_only_would_cross"
  );
}

function restingCloseAmount(v: Venue): string {
  const side = v.direction === "buy" ? "sell" : "buy";
  return v.sim.engine.openOrders(v.sim.accountId, v.sim.engineSymbol("BTC"))
    .filter((o) => o.side === side)
    .reduce((s, o) => s.plus(o.remainingSize), new Decimal(0)).toString();
}

function positionOf(v: Venue): string {
  const btc = v.sim.engineSymbol("BTC");
  const p = v.sim.control.truth(v.sim.accountId).positions.find((x) => x.symbol === btc);
  return new Decimal(p?.size ?? 0).toString();
}

function fill(v: Venue, clientOrderId: string, size?: string): void {
  v.sim.control.fillOrder(v.sim.accountId, { clientOrderId }, size ? { size } : {});
}

function setPrice(v: Venue, price: string): void {
  v.sim.control.setPrices(v.sim.engineSymbol("BTC"), { indexPrice: price, markPrice: price });
}

const mismatches = (b: Bot) => b.notes.filter((n) => n.includes("mismatch"));

for (const protocol of ["paper", "replica"] as Protocol[]) {
  for (const direction of ["buy", "sell"] as Side[]) {
    const name = `grid on grvt ${protocol} ${direction}`;
    const closeSide: Side = direction === "buy" ? "sell" : "buy";
    const signed = (size: string) => direction === "buy" ? size : `-${size}`;

    Deno.test(`${name}: a filled open whose take-profit rests, queued behind a duplicate open id while the next open rests: the guard does not count it twice`, async () => {
      const v = await startVenue(protocol, direction);
      const a = launch(v);
      let b: Bot | undefined;
      try {
        await v.advance(1_000);
        const open0 = opens(a, direction)[0].clientOrderId!;
        fill(v, open0);
        await v.advance(1_000);
        equal(closes(a, direction).length, 1, "its take-profit rests");
        await a.crash();
        b = launch(v, blindStartAndStrictIds(new Set([open0])));
        for (let t = 0; t < 20_000; t += 1_000) await v.advance(1_000); // cooldown ¼ × 60 s
        // open/0 was refused as a duplicate and queued; open/1 rests.
        equal(b.grid.stats.queued, 1, "the open behind the duplicate id is queued");
        const open1 = opens(b, direction).at(-1)!.clientOrderId!;
        equal(accepted(v, open1)[0]?.status, "open", "the next open rests");
        // Past the status interval (60 s) the guard runs while open/0 is queued.
        for (let t = 0; t < 130_000; t += 5_000) await v.advance(5_000);
        deepEqual(mismatches(b), [], "no mismatch read");
        equal(b.ended(), false, "still trading");
        equal(restingCloseAmount(v), Q);
        equal(positionOf(v), signed(Q));
        fill(v, open1);
        await v.advance(3_000);
        // Only open/1's take-profit is sent; open/0's is found resting, not sent again.
        deepEqual(
          closes(b, direction).map((r) => `${r.side} ${r.size} @ ${r.price}`),
          [`${closeSide} ${Q} @ ${PRICES[direction].close}`],
        );
        equal(b.grid.stats.recovered, 0);
        equal(venueCloses(v).length, 2, "one take-profit per filled open");
        equal(restingCloseAmount(v), "0.02");
        deepEqual(mismatches(b), []);
      } finally {
        await (b ?? a).stop();
        await v.sim.close();
      }
    });

    Deno.test(`${name}: a part-filled open without its take-profit, queued behind a duplicate open id while the next open rests: the guard holds and the take-profit goes out once`, async () => {
      const v = await startVenue(protocol, direction);
      const a = launch(v);
      let b: Bot | undefined;
      try {
        await v.advance(1_000);
        const open0 = opens(a, direction)[0].clientOrderId!;
        await a.crash();
        // While the bot is down its open fills half and is canceled.
        fill(v, open0, "0.005");
        v.sim.control.cancelOrder(v.sim.accountId, { clientOrderId: open0 });
        b = launch(v, blindStartAndStrictIds(new Set([open0])));
        await v.advance(2_000);
        equal(b.grid.stats.queued, 1);
        const open1 = opens(b, direction).at(-1)!.clientOrderId!;
        equal(accepted(v, open1)[0]?.status, "open");
        for (let t = 0; t < 130_000; t += 5_000) await v.advance(5_000);
        deepEqual(mismatches(b), [], "no mismatch read");
        equal(b.ended(), false);
        fill(v, open1);
        await v.advance(3_000);
        deepEqual(
          closes(b, direction).map((r) => `${r.side} ${r.size} @ ${r.price}`),
          [
            `${closeSide} ${Q} @ ${PRICES[direction].close}`,
            `${closeSide} 0.005 @ ${PRICES[direction].close}`,
          ],
          "open/1's take-profit, then open/0's (its filled 0.005), once",
        );
        for (let t = 0; t < 70_000; t += 5_000) await v.advance(5_000);
        equal(closes(b, direction).length, 2, "and only once");
        equal(restingCloseAmount(v), "0.015");
        equal(positionOf(v), signed("0.015"));
        deepEqual(mismatches(b), []);
        equal(b.grid.stats.repairs, 0);
      } finally {
        await (b ?? a).stop();
        await v.sim.close();
      }
    });

    Deno.test(`${name}: a restart while the next open rests does not queue a filled open whose take-profit rests`, async () => {
      const v = await startVenue(protocol, direction);
      const a = launch(v);
      let b: Bot | undefined;
      try {
        await v.advance(1_000);
        fill(v, opens(a, direction)[0].clientOrderId!);
        await v.advance(1_000);
        equal(closes(a, direction).length, 1);
        for (let t = 0; t < 20_000; t += 1_000) await v.advance(1_000); // cooldown ¼ × 60 s
        equal(opens(a, direction).length, 2, "the next open rests");
        await a.crash();
        b = launch(v);
        for (let t = 0; t < 130_000; t += 5_000) await v.advance(5_000);
        equal(b.grid.stats.queued, 0, "nothing queued: the take-profit is out");
        equal(b.placed.length, 0, "the open is adopted, nothing sent");
        deepEqual(mismatches(b), []);
        equal(b.ended(), false);
      } finally {
        await (b ?? a).stop();
        await v.sim.close();
      }
    });

    Deno.test(`${name}: a restart queues a filled open whose take-profit ended part-filled and places the rest once`, async () => {
      const v = await startVenue(protocol, direction);
      const a = launch(v);
      let b: Bot | undefined;
      try {
        await v.advance(1_000);
        fill(v, opens(a, direction)[0].clientOrderId!);
        await v.advance(1_000);
        const tp0 = closes(a, direction)[0].clientOrderId!;
        await a.crash();
        // While the bot is down its take-profit fills 0.004 and ends (expired, canceled). The
        // market is centred on it first, so the counter-order meets it before any liquidity.
        setPrice(v, PRICES[direction].close);
        await v.advance(2_000);
        fill(v, tp0, "0.004");
        v.sim.control.cancelOrder(v.sim.accountId, { clientOrderId: tp0 });
        equal(v.sim.control.order(v.sim.accountId, { clientOrderId: tp0 }).filledSize, "0.004");
        setPrice(v, "64000");
        await v.advance(2_000);
        b = launch(v);
        await v.advance(2_000);
        equal(b.grid.stats.queued, 1);
        deepEqual(
          closes(b, direction).map((r) => `${r.side} ${r.size} @ ${r.price}`),
          [`${closeSide} 0.006 @ ${PRICES[direction].close}`],
          "the rest, 0.01 − 0.004",
        );
        for (let t = 0; t < 130_000; t += 5_000) await v.advance(5_000);
        equal(closes(b, direction).filter((r) => r.size.toString() === "0.006").length, 1);
        equal(restingCloseAmount(v), "0.006");
        equal(positionOf(v), signed("0.006"));
        deepEqual(mismatches(b), []);
        equal(b.grid.stats.repairs, 0);
      } finally {
        await (b ?? a).stop();
        await v.sim.close();
      }
    });

    Deno.test(`${name}: a restart queues a filled open whose take-profit is missing and places it once`, async () => {
      const v = await startVenue(protocol, direction);
      let block = false;
      const a = launch(v, blocking(closeSide, () => block));
      let b: Bot | undefined;
      try {
        await v.advance(1_000);
        block = true;
        fill(v, opens(a, direction)[0].clientOrderId!);
        await v.advance(1_000);
        await a.crash();
        equal(venueCloses(v).length, 0, "no take-profit reached the venue");
        b = launch(v);
        await v.advance(2_000);
        equal(b.grid.stats.queued, 1);
        deepEqual(
          closes(b, direction).map((r) => `${r.side} ${r.size} @ ${r.price}`),
          [`${closeSide} ${Q} @ ${PRICES[direction].close}`],
        );
        equal(b.grid.stats.recovered, 1);
        for (let t = 0; t < 130_000; t += 5_000) await v.advance(5_000);
        equal(closes(b, direction).length, 1, "once");
        equal(venueCloses(v).length, 1);
        deepEqual(mismatches(b), []);
        equal(b.grid.stats.repairs, 0);
      } finally {
        await (b ?? a).stop();
        await v.sim.close();
      }
    });
  }
}
