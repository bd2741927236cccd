/**
 * Tick-to-order latency: from a book update that makes the bot act (a new best ask appears at
 * the venue) to the bot's post-only order arriving at the venue's matching engine, through the
 * bot's own path: live order book → `openOrderPrice()` → `client.placeOrder()` (derived client
 * order id, venue signing, transport).
 *
 * One target per venue and protocol:
 * - `paper`: the in-process paper client on the engine (no wire): the cost of our own code;
 * - `replica`: the venue's real client talking to its protocol replica over loopback (book
 *   frames over WebSocket, the signed order over HTTP / WebSocket). The end point is the
 *   replica handing the order to its engine, so this is an upper bound of "order leaving the
 *   client" (it also counts loopback, the replica's parsing and signature checks).
 *
 * ```sh
 * deno run -A bench/tick_to_order_bench.ts [--n 1000] [--venues lighter,grvt,edgex] [--protocols paper,replica]
 * ```
 *
 * Targets (issue 7): p99 ≤ 2 ms GRVT and EdgeX, ≤ 3 ms Lighter, on the replica.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Decimal, type ExchangeClient } from "../base.ts";
import { deriveClientOrderId } from "../exchanges/_shared/client_order_id.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import {
  DEFAULT_SIM_MARKETS,
  type SimVenue,
  type SimVenueName,
  startSimVenue,
} from "../sim/network.ts";
import { openOrderPrice } from "../strategies/grid.ts";
import { percentile } from "./_stats.ts";

const SYMBOL = "BTC";
const MAKER = "bench-mm";

interface Sample {
  venue: SimVenueName;
  protocol: "paper" | "replica";
  n: number;
  /** Tick → the order request leaving the client (first POST / order frame), ms. */
  leave: { p50: number; p99: number };
  /** Tick → the order at the venue's engine, ms. */
  p50: number;
  p99: number;
  max: number;
  error?: string;
}

/**
 * Outbound probe: the first POST or non-control WebSocket frame after `arm()` counts as the
 * order leaving the client. Installed before any client exists, so every client's default
 * `fetch` / `WebSocket` goes through it.
 */
const probe = (() => {
  let armedAt = 0;
  let onLeave: ((ms: number) => void) | undefined;
  const fire = () => {
    if (armedAt === 0) return;
    const ms = performance.now() - armedAt;
    armedAt = 0;
    onLeave?.(ms);
  };
  const realFetch = globalThis.fetch;
  globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    if (method.toUpperCase() === "POST") fire();
    return realFetch(input, init);
  }) as typeof fetch;
  // Only sockets a client opened count: the replica's server-side sockets send book frames.
  const clientSockets = new WeakSet<WebSocket>();
  const RealWebSocket = globalThis.WebSocket;
  globalThis.WebSocket = class extends RealWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      clientSockets.add(this);
    }
  } as typeof WebSocket;
  const realSend = RealWebSocket.prototype.send;
  RealWebSocket.prototype.send = function (this: WebSocket, data) {
    const control = typeof data === "string" && /ping|pong|subscribe|auth/i.test(data.slice(0, 80));
    if (clientSockets.has(this) && !control) fire();
    return realSend.call(this, data);
  };
  return {
    arm(at: number, cb: (ms: number) => void) {
      armedAt = at;
      onLeave = cb;
    },
    disarm() {
      armedAt = 0;
    },
  };
})();

/** Calls `hook` each time the engine receives an order from `accountId`. */
function onEngineOrder(sim: SimVenue, accountId: string, hook: () => void): void {
  const engine = sim.engine;
  const original = engine.placeOrder.bind(engine);
  engine.placeOrder = ((account, request, options) => {
    if (account === accountId) hook();
    return original(account, request, options);
  }) as typeof engine.placeOrder;
}

async function measure(
  venue: SimVenueName,
  protocol: "paper" | "replica",
  n: number,
): Promise<Sample> {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const sim = await startSimVenue(venue, {
    clock,
    protocol,
    markets: [DEFAULT_SIM_MARKETS[0]],
    volatilityBps: "0",
  });
  const client: ExchangeClient = sim.client();
  const times: number[] = [];
  const leaves: number[] = [];
  try {
    await client.connect();
    const market = await client.getMarket(SYMBOL);
    const tick = market.tickSize;
    const book = await client.subscribeOrderBook(SYMBOL);
    const engineSymbol = sim.engineSymbol(SYMBOL);
    if (!sim.engine.hasAccount(MAKER)) sim.engine.createAccount(MAKER, { unlimitedMargin: true });
    let armedAsk: Decimal | undefined;
    let t0 = 0;
    let sent: (() => void) | undefined;
    onEngineOrder(sim, sim.accountId, () => {
      if (t0 > 0) times.push(performance.now() - t0);
      t0 = 0;
      sent?.();
    });
    const consumer = (async () => {
      let k = 0;
      for await (const snap of book.updates({ depth: 1 })) {
        const ask = snap.asks[0]?.price;
        const bid = snap.bids[0]?.price;
        if (armedAsk === undefined || !ask || !bid || !ask.eq(armedAsk) || snap.stale) continue;
        armedAsk = undefined;
        const price = openOrderPrice({ bid, ask }, tick, "buy");
        await client.placeOrder({
          symbol: SYMBOL,
          side: "buy",
          type: "limit",
          size: "0.01",
          price,
          postOnly: true,
          clientOrderId: deriveClientOrderId(venue, `bench/${protocol}/${Date.now()}/${k++}`),
        });
      }
    })();
    const warmup = Math.min(20, Math.floor(n / 5));
    for (let i = 0; i < n + warmup; i++) {
      const top = sim.engine.book(engineSymbol, 1);
      const ask = top.asks[0][0];
      const bid = top.bids[0][0];
      // A new best ask between bid and ask (or one tick under it when the spread is 2 ticks).
      const newAsk = new Decimal(ask).minus(tick).gt(new Decimal(bid))
        ? new Decimal(ask).minus(tick)
        : undefined;
      if (newAsk === undefined) throw new Error(`spread too narrow on ${venue}: ${bid}/${ask}`);
      const arrived = new Promise<void>((resolve) => (sent = resolve));
      armedAsk = newAsk;
      t0 = performance.now();
      if (protocol === "replica") probe.arm(t0, (ms) => leaves.push(ms));
      sim.engine.placeOrder(MAKER, {
        symbol: engineSymbol,
        side: "sell",
        size: "0.01",
        price: newAsk.toString(),
        clientOrderId: `mm-${i}`,
        postOnly: true,
      });
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("no order within 5 s")), 5_000)
      );
      await Promise.race([arrived, timeout]);
      probe.disarm();
      if (i < warmup) {
        times.length = 0;
        leaves.length = 0;
      }
      // Let the acknowledgement come back, then reset the book for the next tick.
      await new Promise((r) => setTimeout(r, protocol === "replica" ? 5 : 0));
      sim.engine.cancelAll(MAKER, engineSymbol);
      sim.engine.cancelAll(sim.accountId, engineSymbol);
      await new Promise((r) => setTimeout(r, protocol === "replica" ? 5 : 0));
    }
    await book.close();
    await consumer.catch(() => {});
    const sorted = [...times].sort((a, b) => a - b);
    // In-process, the engine call is the order leaving the client.
    const left = protocol === "paper" ? sorted : [...leaves].sort((a, b) => a - b);
    return {
      venue,
      protocol,
      n: sorted.length,
      leave: { p50: percentile(left, 50), p99: percentile(left, 99) },
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? NaN,
    };
  } catch (error) {
    return {
      venue,
      protocol,
      n: times.length,
      leave: { p50: NaN, p99: NaN },
      p50: NaN,
      p99: NaN,
      max: NaN,
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    await client.disconnect().catch(() => {});
    await sim.close();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      n: { type: "string", default: "1000" },
      venues: { type: "string", default: "lighter,grvt,edgex" },
      protocols: { type: "string", default: "paper,replica" },
    },
  });
  const n = Number(values.n);
  const rows: Sample[] = [];
  for (const protocol of values.protocols.split(",") as ("paper" | "replica")[]) {
    for (const venue of values.venues.split(",") as SimVenueName[]) {
      rows.push(await measure(venue, protocol, n));
    }
  }
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "-");
  console.log("tick-to-order latency (ms) from a new best ask at the venue to our order:");
  console.log("leaving the client (leave) and reaching the venue's engine (arrive)");
  console.log("venue    protocol  n      leave p50  leave p99  arrive p50  arrive p99  max");
  for (const r of rows) {
    const cells = [
      r.venue.padEnd(8),
      r.protocol.padEnd(9),
      String(r.n).padEnd(6),
      f(r.leave.p50).padEnd(10),
      f(r.leave.p99).padEnd(10),
      f(r.p50).padEnd(11),
      f(r.p99).padEnd(11),
      f(r.max),
    ];
    console.log(cells.join(" ") + (r.error ? `  (${r.error})` : ""));
  }
}
