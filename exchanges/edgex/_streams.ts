/**
 * EdgeX WebSocket plumbing shared by both streams (heartbeat and idle timeout), and the private
 * `trade-event` stream.
 *
 * Liveness (edgex.md §5.1): the server pings at an undocumented "fixed interval" and drops a
 * socket after 5 unanswered pings; a client `ping` is answered with a `pong` echoing `time`.
 * Since the server's own interval is unknown, the client pings every third of the idle timeout:
 * a healthy socket then receives at least two pongs per idle window, and a socket that stays open
 * but sends nothing is dropped and reopened after `idleTimeoutMs`.
 *
 * Private stream (edgex.md §5.3): HMAC-signed handshake, no subscriptions; `connected` →
 * `trade-event` `Snapshot` (the new baseline) → incremental `trade-event`s. A frame that cannot be
 * read is not dropped silently: a `connection` event carrying the error is emitted and open
 * orders and positions are read again over REST. A `FUNDING_SETTLEMENT` frame's
 * `positionTransaction[]` records of type `SETTLE_FUNDING_FEE` become `funding` events, each id
 * once.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { Clock, ExchangeEvent } from "../../base.ts";
import { MalformedPayloadError } from "../../core/errors.ts";
import { parsePayload } from "../_shared/parse.ts";
import {
  createWsTransport,
  type WebSocketConstructor,
  type WsHeartbeat,
  type WsMessage,
  type WsTransport,
} from "../_shared/ws.ts";
import { isTerminal, positionOf } from "./_mapping.ts";
import { EDGEX_FUNDING_TYPE, fundingPaymentOf } from "./_account.ts";
import type { OrderTracker } from "./_mapping.ts";
import type { EdgeXMarket } from "./markets.ts";
import { tradeEventSchema } from "./schemas.ts";

const log = getLogger(["perp", "edgex"]);

/** Funding settlement ids remembered for duplicate detection (snapshots repeat recent ones). */
const FUNDING_IDS_KEPT = 10_000;
const VENUE = "edgex";

/**
 * Heartbeat and idle timeout of an EdgeX socket (see the module doc): ping every third of the
 * idle timeout.
 */
export function edgeXSocketTiming(
  idleTimeoutMs: number,
  stamp: () => string,
): { idleTimeoutMs: number; heartbeat: WsHeartbeat } {
  return {
    idleTimeoutMs,
    heartbeat: {
      intervalMs: Math.max(1, Math.floor(idleTimeoutMs / 3)),
      message: () => ({ type: "ping", time: stamp() }),
    },
  };
}

/** Answers a server `ping` with a `pong` echoing its `time`. */
export function answerPing(ws: WsTransport, frame: Record<string, unknown>): void {
  try {
    ws.send({ type: "pong", time: frame.time });
  } catch {
    // Closing; the server drops us after 5 missed pongs anyway.
  }
}

/** What the private stream needs from the client. */
export interface EdgeXPrivateStreamOptions {
  /** Full URL of the private stream (without the signed query). */
  url: string;
  /** Builds a signed socket for each (re)connection. */
  WebSocket: WebSocketConstructor;
  /** Clock of the transport. */
  clock: Clock;
  /** The venue's time, for our pings. */
  stamp: () => string;
  /** Silence after which the socket is dropped and reopened, ms. */
  idleTimeoutMs: number;
  /** Reconnect delay ceiling of the first retry, ms. */
  reconnectBaseDelayMs: number;
  /** What the client knows of its orders. */
  tracker: OrderTracker;
  /** The market of a contract id (markets are loaded before the stream opens). */
  marketById: (contractId: string | undefined) => EdgeXMarket | undefined;
  /** Emits client events. */
  emit: (event: ExchangeEvent) => void;
  /** Called when the socket is lost (before reconnecting). */
  onLost: () => void;
  /** Reads these orders again over REST (they left the baseline of a new snapshot). */
  refreshOrders: (orderIds: string[]) => Promise<unknown>;
  /** Reads open orders and positions again over REST (a frame could not be read). */
  reconcile: () => Promise<unknown>;
}

/**
 * Opens the private stream's transport (not connected yet) with its frame handler.
 *
 * @param o Socket settings and the client's hooks.
 * @returns The transport.
 */
export function openPrivateStream(o: EdgeXPrivateStreamOptions): WsTransport {
  const ws = createWsTransport({
    venue: VENUE,
    url: o.url,
    WebSocket: o.WebSocket,
    clock: o.clock,
    ...edgeXSocketTiming(o.idleTimeoutMs, o.stamp),
    reconnect: { baseDelayMs: o.reconnectBaseDelayMs },
  });
  // Funding settlements already emitted, by position-transaction id (a settlement may be pushed
  // again, e.g. in a later snapshot). Retention: the newest FUNDING_IDS_KEPT ids.
  const fundingSeen = new Set<string>();
  ws.onMessage((m) => onPrivateFrame(ws, m, o, fundingSeen));
  ws.onStateChange((e) => {
    if (e.state === "reconnecting") o.onLost();
    o.emit({
      type: "connection",
      stream: "account",
      state: e.state,
      ...(e.error ? { error: e.error } : {}),
    });
  });
  return ws;
}

function malformed(o: EdgeXPrivateStreamOptions, ws: WsTransport, error: unknown): void {
  const e = error instanceof MalformedPayloadError ? error : new MalformedPayloadError("", {
    venue: VENUE,
    endpoint: "private ws",
    details: "a private frame could not be read",
    cause: error,
  });
  log.error("Unreadable private frame; reconciling over REST: {error}", { error: e.message });
  // The stream is still up, but an update may have been lost: say so, then read the truth.
  if (ws.state === "connected") {
    o.emit({ type: "connection", stream: "account", state: "connected", error: e });
  }
  o.reconcile().catch((err) =>
    log.warn("Reconciliation after an unreadable private frame failed: {error}", {
      error: String(err),
    })
  );
}

function onPrivateFrame(
  ws: WsTransport,
  msg: WsMessage,
  o: EdgeXPrivateStreamOptions,
  fundingSeen: Set<string>,
): void {
  const data = msg.data as Record<string, unknown> | undefined | null;
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    malformed(
      o,
      ws,
      new MalformedPayloadError("", {
        venue: VENUE,
        endpoint: "private ws",
        details: `expected a JSON object: got ${String(msg.raw).slice(0, 80)}`,
      }),
    );
    return;
  }
  switch (data.type) {
    case "ping":
      answerPing(ws, data);
      return;
    case "trade-event":
      break;
    case "error":
      log.warn("Private stream error: {frame}", { frame: msg.raw });
      return;
    default:
      // connected, pong, and frame types the venue may add.
      return;
  }
  let frame;
  try {
    frame = parsePayload(tradeEventSchema, data, { venue: VENUE, endpoint: "private ws" });
  } catch (e) {
    malformed(o, ws, e);
    return;
  }
  const { tracker } = o;
  const { event, data: groups } = frame.content;
  const isSnapshot = event.toLowerCase() === "snapshot";
  const fresh = new Set<string>();
  const changed = [];
  for (const raw of groups.order ?? []) {
    const order = tracker.merge(raw, false);
    fresh.add(raw.id);
    if (order) changed.push(order);
  }
  for (const f of groups.orderFillTransaction ?? []) tracker.onFill(f);
  for (const order of changed) tracker.emitOrder(order);
  for (const p of groups.position ?? []) {
    const m = o.marketById(p.contractId);
    if (!m) continue;
    o.emit({ type: "position", position: positionOf(m.market.symbol, p) });
  }
  for (const tx of groups.positionTransaction ?? []) {
    if (tx.type !== EDGEX_FUNDING_TYPE || fundingSeen.has(tx.id)) continue;
    const m = o.marketById(tx.contractId);
    const payment = m ? fundingPaymentOf(m.market.symbol, tx) : undefined;
    if (!payment) {
      log.warn("Funding settlement {id} on the private stream cannot be read; skipped", {
        id: tx.id,
      });
      continue;
    }
    fundingSeen.add(tx.id);
    if (fundingSeen.size > FUNDING_IDS_KEPT) fundingSeen.delete(fundingSeen.values().next().value!);
    o.emit({ type: "funding", payment });
  }
  if (isSnapshot) {
    // Orders we thought active but the new baseline lacks finished while we were away.
    const missing = tracker.active()
      .filter((order) => !isTerminal(order.status) && order.id && !fresh.has(order.id))
      .map((order) => order.id!);
    if (missing.length > 0) {
      o.refreshOrders(missing).catch((e) =>
        log.warn("Cannot refresh orders after a snapshot: {error}", { error: String(e) })
      );
    }
  }
  tracker.wake();
}
