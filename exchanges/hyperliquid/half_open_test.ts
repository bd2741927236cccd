/**
 * Half-open sockets on the Hyperliquid replica: the connection stays open but the venue stops
 * sending (no frames, no pong) through the replica's `silence` fault. The real client talks to
 * the replica over loopback; virtual time (one ManualClock) is moved by the loopback driver.
 */
import { LoopbackDriver } from "../../tests/bot_loopback_driver.ts";
import { ok, strictEqual as equal } from "node:assert/strict";
import { type ExchangeEvent, TimeoutError } from "../../base.ts";
import { ManualClock } from "../_shared/clock.ts";
import {
  HYPERLIQUID_FRONT_END,
  type HyperliquidReplica,
  startHyperliquidReplica,
} from "../../sim/hyperliquid/mod.ts";
import { HyperliquidClient } from "./client.ts";

const START = Date.UTC(2026, 0, 5, 12);
const MAX_SILENCE_MS = 2_000;
const HEARTBEAT_MS = 3_000;
const IDLE_TIMEOUT_MS = 9_000;

interface Setup {
  replica: HyperliquidReplica;
  clock: ManualClock;
  driver: LoopbackDriver;
  client: HyperliquidClient;
  events: ExchangeEvent[];
  /** `/info` types and `/exchange` actions the client sent, with the time sent. */
  requests: { what: string; at: number }[];
  until(what: string, cond: () => boolean, maxMs?: number): Promise<void>;
  close(): Promise<void>;
}

function setup(): Setup {
  const clock = new ManualClock(START);
  const replica = startHyperliquidReplica({ clock });
  const driver = new LoopbackDriver(clock, { stepMs: 100 });
  const requests: { what: string; at: number }[] = [];
  const client = new HyperliquidClient({
    environment: "sim",
    hosts: replica.hosts,
    privateKey: replica.credentials.privateKey,
    clock,
    fetch: (input, init) => {
      const body = JSON.parse(String(init?.body));
      requests.push({ what: body.type ?? body.action?.type, at: clock.now() });
      return globalThis.fetch(input, init);
    },
    maxSilenceMs: MAX_SILENCE_MS,
    heartbeatMs: HEARTBEAT_MS,
    idleTimeoutMs: IDLE_TIMEOUT_MS,
    outcomeDeadlineMs: 2_000,
  });
  const events: ExchangeEvent[] = [];
  client.onEvent((e) => events.push(e));
  // A two-sided book: bid 63990, ask 64010.
  const cp = replica.counterpartyAccountId;
  replica.engine.placeOrder(cp, { symbol: "BTC", side: "buy", price: "63990", size: "1" });
  replica.engine.placeOrder(cp, { symbol: "BTC", side: "sell", price: "64010", size: "1" });
  return {
    replica,
    clock,
    driver,
    client,
    events,
    requests,
    async until(what, cond, maxMs = 30_000) {
      for (let t = 0; t < maxMs; t += 100) {
        if (cond()) return;
        await driver.advance(100);
      }
      throw new Error(`timed out waiting for ${what}`);
    },
    async close() {
      replica.faults.clear();
      const closing = client.disconnect();
      await driver.advance(1_000);
      await closing;
      await replica.close();
    },
  };
}

function reconnecting(events: ExchangeEvent[], from = 0): ExchangeEvent | undefined {
  return events.slice(from).find((e) => e.type === "connection" && e.state === "reconnecting");
}

Deno.test({
  name:
    "a silent public socket: the book turns stale after maxSilenceMs, then the client reconnects after its idle timeout, resubscribes and the book is fresh again",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const s = setup();
    try {
      const subscribing = s.client.subscribeOrderBook("BTC");
      await s.driver.advance(500);
      const book = await subscribing;
      await s.until("the first snapshot", () => book.snapshot(1).bids[0]?.price.eq(63990));
      equal(book.snapshot(1).stale, false);
      const fired = () => s.replica.faults.rules().find((r) => r.kind === "silence")?.fired ?? 0;
      s.replica.faults.inject({
        kind: "silence",
        frontEnd: HYPERLIQUID_FRONT_END,
        target: "l2Book:*",
      });
      // The next book frame silences the socket: it is withheld, and so is every pong.
      s.replica.engine.placeOrder(s.replica.counterpartyAccountId, {
        symbol: "BTC",
        side: "buy",
        price: "63995",
        size: "1",
      });
      const silentFrom = s.clock.now();
      await s.driver.advance(100);
      equal(fired(), 1, "the socket was silenced");
      const last = book.snapshot(1).receivedAt!;
      let sawStale = false;
      while (s.clock.now() < last + IDLE_TIMEOUT_MS - 1_000) {
        const snap = book.snapshot(1);
        const quiet = s.clock.now() - last;
        if (quiet <= MAX_SILENCE_MS - 100) equal(snap.stale, false, `fresh after ${quiet} ms`);
        if (quiet >= MAX_SILENCE_MS + 100) equal(snap.stale, true, `stale after ${quiet} ms`);
        sawStale ||= snap.stale;
        equal(snap.bids[0]?.price.toString(), "63990", "the withheld frame never arrived");
        await s.driver.advance(100);
      }
      ok(sawStale);
      equal(reconnecting(s.events), undefined, "no reconnect before the idle timeout");
      // The client kept pinging; the half-open socket answered none of them.
      await s.until("the idle timeout", () => reconnecting(s.events) !== undefined);
      const lost = reconnecting(s.events)!;
      ok(lost.type === "connection" && lost.error instanceof TimeoutError, "a TimeoutError");
      const after = s.clock.now() - silentFrom;
      ok(
        after >= IDLE_TIMEOUT_MS - HEARTBEAT_MS && after <= IDLE_TIMEOUT_MS + 200,
        `reconnect ${after} ms after the silence began`,
      );
      // The replacement socket is fresh: the resubscription brings the book as it is now.
      await s.until("a fresh book", () => !book.snapshot(1).stale);
      equal(book.snapshot(1).bids[0]?.price.toString(), "63995");
      equal(fired(), 1, "only the first socket was silenced");
      await book.close();
    } finally {
      await s.close();
    }
  },
});

Deno.test({
  name:
    "a silent private socket is reported as reconnecting, and after the reconnect the orders are read again: a fill sent while silent reaches the listeners",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const s = setup();
    try {
      const connecting = s.client.connect();
      await s.driver.advance(500);
      await connecting;
      const cloid = s.client.newClientOrderId();
      const placing = s.client.placeOrder({
        symbol: "BTC",
        side: "buy",
        type: "limit",
        size: "0.001",
        price: "63000",
        postOnly: true,
        clientOrderId: cloid,
      });
      await s.driver.advance(500);
      equal((await placing).status, "open");
      await s.driver.advance(500);
      const mine = (e: ExchangeEvent) =>
        e.type === "order" && e.order.clientOrderId === cloid && e.order.status === "filled";
      s.replica.faults.inject({ kind: "silence", frontEnd: HYPERLIQUID_FRONT_END, target: "*" });
      const from = s.events.length;
      // Fill the order while the socket is silent: its update is withheld.
      s.replica.engine.placeOrder(s.replica.counterpartyAccountId, {
        symbol: "BTC",
        side: "sell",
        price: "63000",
        size: "0.001",
      });
      const silentFrom = s.clock.now();
      await s.driver.advance(IDLE_TIMEOUT_MS - HEARTBEAT_MS - 500);
      equal(s.events.slice(from).some(mine), false, "the update was withheld");
      equal(reconnecting(s.events, from), undefined, "no reconnect yet");
      await s.until("reconnecting", () => reconnecting(s.events, from) !== undefined);
      const lost = reconnecting(s.events, from)!;
      ok(lost.type === "connection" && lost.error instanceof TimeoutError, "a TimeoutError");
      ok(s.clock.now() - silentFrom <= IDLE_TIMEOUT_MS + 200);
      const back = s.clock.now();
      await s.until("the filled order", () => s.events.slice(from).some(mine));
      const reread = s.requests.filter((r) =>
        r.at >= back && (r.what === "openOrders" || r.what === "orderStatus")
      );
      ok(reread.length > 0, "the orders were read again after the reconnect");
      ok(
        s.events.slice(from).some((e) =>
          e.type === "connection" && e.state === "connected" && !e.error
        ),
        "connected again",
      );
    } finally {
      await s.close();
    }
  },
});
