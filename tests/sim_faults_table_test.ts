/**
 * Every fault kind on every venue: the Lighter, GRVT, EdgeX and Hyperliquid replicas (each venue's real
 * client over loopback) and the paper venue. Each row injects one fault on the venue's order
 * placement endpoint or book stream, drives the real client a little, and checks that the fault
 * fired and that the client turned it into typed behaviour: an error class, an order found by
 * its client order id, a book that reads stale and then recovers, a reconnect.
 *
 * Virtual time: the venue, the client and its timeouts share one ManualClock, moved by the
 * loopback driver so that real loopback I/O settles between steps.
 */
import { LoopbackDriver } from "./bot_loopback_driver.ts";
import { ok, strictEqual as equal } from "node:assert/strict";
import {
  type ExchangeClient,
  type ExchangeEvent,
  type OrderBookSubscription,
  OrderOutcomeUnknownError,
  type PerpError,
  RateLimitedError,
  VenueUnavailableError,
} from "../base.ts";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import type { FaultKind, FaultRule, GarbleBody } from "../sim/faults.ts";
import { type SimVenue, type SimVenueName, startSimVenue } from "../sim/network.ts";

const START = Date.UTC(2026, 0, 5, 12);

type Row = "lighter" | "grvt" | "edgex" | "hyperliquid" | "paper";

/** Each front-end's own names: placement endpoint and BTC book stream. */
const NAMES: Record<Row, { frontEnd: string; place: string; book: string }> = {
  lighter: { frontEnd: "lighter", place: "/api/v1/sendTx", book: "order_book:*" },
  grvt: { frontEnd: "grvt", place: "full/v1/create_order", book: "v1.book.*" },
  edgex: { frontEnd: "edgex", place: "/api/v2/private/order/createOrder", book: "depth.*" },
  hyperliquid: { frontEnd: "hyperliquid", place: "exchange:order", book: "l2Book:*" },
  paper: { frontEnd: "paper", place: "placeOrder", book: "book:*" },
};

interface Harness {
  sim: SimVenue;
  clock: ManualClock;
  client: ExchangeClient;
  events: ExchangeEvent[];
  advance(ms: number): Promise<void>;
  /** Drives virtual time until the promise settles (at most `maxMs`). */
  drive<T>(p: Promise<T>, maxMs?: number): Promise<T>;
  inject(rule: Omit<FaultRule, "frontEnd">): string;
}

async function harness(row: Row): Promise<Harness> {
  const clock = new ManualClock(START);
  const venue: SimVenueName = row === "paper" ? "grvt" : row;
  const sim = await startSimVenue(venue, {
    clock,
    protocol: row === "paper" ? "paper" : "replica",
    seed: 5,
    stepMs: 1_000,
  });
  const driver = row === "paper" ? undefined : new LoopbackDriver(clock, { stepMs: 250 });
  const advance = (ms: number) => driver ? driver.advance(ms) : clock.advance(ms);
  const client = sim.client();
  const events: ExchangeEvent[] = [];
  client.onEvent((e) => events.push(e));
  const h: Harness = {
    sim,
    clock,
    client,
    events,
    advance,
    async drive<T>(p: Promise<T>, maxMs = 60_000) {
      let settled = false;
      const watched = p.finally(() => void (settled = true));
      watched.catch(() => {});
      for (let t = 0; t < maxMs && !settled; t += 250) await advance(250);
      return await watched;
    },
    inject: (rule) => sim.faults.inject({ ...rule, frontEnd: NAMES[row].frontEnd } as FaultRule),
  };
  await h.drive(client.connect());
  return h;
}

let cidSeq = 0;

/** A post-only buy 10 % under the market: rests, never fills. */
async function placeResting(h: Harness) {
  const market = await h.drive(h.client.getMarket("BTC"));
  const quote = await h.drive(h.client.getBestBidAsk("BTC"));
  const tick = market.tickSize;
  const price = quote.bid.times("0.9").div(tick).floor().times(tick);
  let size = market.minSize.gt(market.sizeStep) ? market.minSize : market.sizeStep;
  while (size.times(price).lt(market.minNotional?.plus(1) ?? 20)) size = size.plus(market.sizeStep);
  const clientOrderId = h.client.newClientOrderId();
  cidSeq++;
  return {
    clientOrderId,
    placing: h.drive(
      h.client.placeOrder({
        symbol: "BTC",
        side: "buy",
        type: "limit",
        size: size.toString(),
        price: price.toString(),
        postOnly: true,
        timeInForce: "gtc",
        clientOrderId,
      }),
    ),
  };
}

function openOrdersWith(h: Harness, clientOrderId: string): number {
  return h.sim.engine.openOrders(h.sim.accountId).filter((o) => o.clientOrderId === clientOrderId)
    .length;
}

function firedOnce(h: Harness, id: string): number {
  return h.sim.faults.rules().find((r) => r.id === id)?.fired ?? 0;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return undefined;
}

/** The client's book equals the engine's top of book, and is fresh. */
async function bookAgrees(
  h: Harness,
  book: OrderBookSubscription,
  maxMs = 10_000,
): Promise<void> {
  const symbol = h.sim.engineSymbol("BTC");
  for (let t = 0; t < maxMs; t += 250) {
    const mine = book.snapshot(1);
    const top = h.sim.engine.book(symbol, 1);
    if (
      !mine.stale && mine.bids[0]?.price.toString() === String(Number(top.bids[0]?.[0])) &&
      mine.asks[0]?.price.toString() === String(Number(top.asks[0]?.[0]))
    ) return;
    await h.advance(250);
  }
  const mine = book.snapshot(1);
  const top = h.sim.engine.book(symbol, 1);
  throw new Error(
    `book: stale=${mine.stale} ${mine.bids[0]?.price}/${mine.asks[0]?.price} vs venue ${
      top.bids[0]?.[0]
    }/${top.asks[0]?.[0]}`,
  );
}

/** What the client must show: the order placed once, or an error (with its cause). */
type Expect = "placed" | { error: ErrorClass; cause?: ErrorClass; placed: 0 };
// deno-lint-ignore no-explicit-any
type ErrorClass = new (...args: any[]) => PerpError;

const REQUEST_ROWS: {
  kind: FaultKind;
  rule: Omit<FaultRule, "frontEnd" | "target">;
  expect: (row: Row) => Expect;
}[] = [
  { kind: "latency", rule: { kind: "latency", delayMs: 20, times: 1 }, expect: () => "placed" },
  // A 429 proves the create was not taken: the client waits and sends it again.
  { kind: "rate_limit", rule: { kind: "rate_limit", limit: 0, times: 1 }, expect: () => "placed" },
  {
    kind: "rate_limit",
    rule: { kind: "rate_limit", limit: 0 },
    expect: () => ({ error: RateLimitedError, placed: 0 }),
  },
  // A 5xx on a create is doubtful on the wire (a gateway may answer after the venue took it):
  // lookups, no resend, then an unknown outcome. Paper knows its call never reached the engine.
  {
    kind: "error",
    rule: { kind: "error", status: 503, times: 1 },
    expect: (row) =>
      row === "paper"
        ? "placed"
        : { error: OrderOutcomeUnknownError, cause: VenueUnavailableError, placed: 0 },
  },
  {
    kind: "error",
    rule: { kind: "error", status: 503 },
    expect: () => ({ error: OrderOutcomeUnknownError, cause: VenueUnavailableError, placed: 0 }),
  },
  { kind: "drop_response", rule: { kind: "drop_response", times: 1 }, expect: () => "placed" },
  ...(["html", "null", "empty", "truncated", "wrong_types"] as GarbleBody[]).map((body) => ({
    kind: "garble_response" as FaultKind,
    rule: { kind: "garble_response" as FaultKind, body, times: 1 },
    expect: (): Expect => "placed",
  })),
];

const FRAME_KINDS: FaultKind[] = ["gap", "duplicate", "reorder", "malformed", "drop_connection"];

for (const row of ["lighter", "grvt", "edgex", "hyperliquid", "paper"] as Row[]) {
  Deno.test({
    name: `fault table on ${row}: every fault kind`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async (t) => {
      const h = await harness(row);
      const names = NAMES[row];
      try {
        for (const r of REQUEST_ROWS) {
          const label = r.rule.body
            ? `${r.kind} (${r.rule.body})`
            : `${r.kind}${r.rule.times === undefined ? " (always)" : ""}`;
          await t.step(`${label} on order placement`, async () => {
            const id = h.inject({ ...r.rule, target: names.place });
            try {
              const { clientOrderId, placing } = await placeResting(h);
              const expect = r.expect(row);
              if (expect === "placed") {
                const order = await placing;
                equal(order.clientOrderId, clientOrderId);
                equal(order.status, "open");
                equal(openOrdersWith(h, clientOrderId), 1, "placed exactly once");
              } else {
                const err = await rejection(placing);
                ok(err instanceof expect.error, `${expect.error.name} expected, got ${err}`);
                if (expect.cause) {
                  const cause = (err as PerpError).cause;
                  ok(cause instanceof expect.cause, `caused by ${expect.cause.name}: ${cause}`);
                }
                equal(openOrdersWith(h, clientOrderId), expect.placed, "not placed");
              }
              const fired = firedOnce(h, id);
              ok(r.rule.times === undefined ? fired >= 1 : fired === 1, `fired ${fired}`);
            } finally {
              h.sim.faults.clear(id);
            }
          });
        }

        const book = await h.drive(h.client.subscribeOrderBook("BTC"));
        await bookAgrees(h, book);
        for (const kind of FRAME_KINDS) {
          await t.step(`${kind} on the book stream`, async () => {
            const id = h.inject({ kind, target: names.book, times: 1 });
            const before = h.events.length;
            await h.advance(5_000);
            equal(firedOnce(h, id), 1, "the fault fired");
            await bookAgrees(h, book);
            if (kind === "drop_connection" && row !== "paper") {
              // The book socket was closed by the venue: the client reconnected and
              // resubscribed (bookAgrees above); nothing else to see on the private stream.
              ok(h.events.length >= before);
            }
            h.sim.faults.clear(id);
          });
        }

        await t.step(
          "silence on the book stream: stale, never served as fresh, then recovers",
          async () => {
            const id = h.inject({ kind: "silence", target: names.book });
            let sawStale = false;
            for (let i = 0; i < 120 && !sawStale; i++) {
              await h.advance(250);
              sawStale = book.snapshot().stale;
            }
            ok(sawStale, "the book reads stale while its stream is silent");
            ok(firedOnce(h, id) >= 1, "the fault fired");
            // Either the client replaced the socket (its pings went unanswered: a fresh one) or
            // the socket speaks again once the rule is cleared; both end in a fresh book.
            h.sim.faults.clear(id);
            await bookAgrees(h, book, 40_000);
          },
        );

        await t.step(
          "silence on every stream: the private stream reports reconnecting",
          async () => {
            const id = h.inject({ kind: "silence", target: "*" });
            const from = h.events.length;
            const reconnecting = () =>
              h.events.slice(from).some((e) =>
                e.type === "connection" && e.state === "reconnecting"
              );
            for (let i = 0; i < 400 && !reconnecting(); i++) await h.advance(250);
            ok(reconnecting(), "a reconnecting event");
            h.sim.faults.clear(id);
            await bookAgrees(h, book, 40_000);
          },
        );
        await book.close();
      } finally {
        h.sim.faults.clear();
        await h.drive(h.client.disconnect(), 5_000).catch(() => {});
        await h.sim.close();
      }
    },
  });
}
