/**
 * Test doubles for the Lighter client: a scripted venue behind a fake `fetch` and a fake
 * `WebSocket`, in memory and driven by a `ManualClock`, so tests can feed any answer or frame
 * (mutated, silent, late) through the client's real code paths.
 *
 * @module
 */
import { ManualClock } from "../_shared/clock.ts";
import type { FetchLike } from "../_shared/http.ts";
import type { WebSocketConstructor } from "../_shared/ws.ts";
import type { LighterClientOptions } from "./client.ts";

/** The fake venue's account index. */
export const FAKE_ACCOUNT = 1077;
/** A well-formed API key (the fake venue does not verify signatures). */
export const FAKE_KEY = "11".repeat(40);
/** The start of virtual time. */
export const FAKE_START = 1_780_000_000_000;

/** ETH, market 0: 4 size decimals, 2 price decimals (lighter.md §3.3, LIVE values). */
export const ETH_DETAIL = {
  symbol: "ETH",
  market_id: 0,
  market_type: "perp",
  status: "active",
  taker_fee: "0.0000",
  maker_fee: "0.0000",
  min_base_amount: "0.0050",
  min_quote_amount: "10.000000",
  size_decimals: 4,
  price_decimals: 2,
  default_initial_margin_fraction: 500,
  min_initial_margin_fraction: 200,
  mark_price: "2000.00",
  index_price: "2000.00",
};

/** A venue order as `accountOrders` / `account_orders` carry it. */
export function wireOrder(o: {
  clientOrderIndex: number;
  status?: string;
  orderIndex?: number;
  price?: string;
  size?: string;
  isAsk?: boolean;
  tif?: string;
}): Record<string, unknown> {
  const size = o.size ?? "0.0100";
  const index = o.orderIndex ?? 281_474_976_710_656 + o.clientOrderIndex;
  return {
    order_index: index,
    client_order_index: o.clientOrderIndex,
    order_id: String(index),
    client_order_id: String(o.clientOrderIndex),
    market_index: 0,
    owner_account_index: FAKE_ACCOUNT,
    initial_base_amount: size,
    price: o.price ?? "1990.00",
    remaining_base_amount: size,
    filled_base_amount: "0.0000",
    filled_quote_amount: "0.000000",
    is_ask: o.isAsk ?? false,
    type: "limit",
    time_in_force: o.tif ?? "post-only",
    reduce_only: false,
    status: o.status ?? "open",
    timestamp: FAKE_START,
    created_at: FAKE_START,
    updated_at: FAKE_START,
  };
}

/** A position as `account` and `account_all` carry it. */
export function wirePosition(size = "0.0100", sign = 1): Record<string, unknown> {
  return {
    market_id: 0,
    symbol: "ETH",
    sign,
    position: size,
    avg_entry_price: "2000.00",
    unrealized_pnl: "0.500000",
    liquidation_price: "1000.00",
  };
}

/** What a fake route answers: a status and a body (a string is sent as it is). */
export interface FakeAnswer {
  status?: number;
  body: unknown;
}

/** One request the fake venue received. */
export interface FakeRequest {
  path: string;
  url: URL;
  form: FormData | undefined;
  headers: Headers;
}

/** A route: an answer, or throw to fail the request as a network error. */
export type FakeRoute = (req: FakeRequest) => FakeAnswer | Promise<FakeAnswer>;

/** The scripted venue. */
export class FakeLighterVenue {
  /** Virtual time. */
  readonly clock: ManualClock = new ManualClock(FAKE_START);
  /** The API key's next nonce. */
  nonce = 7;
  /** Orders by client order index. */
  readonly orders: Map<number, Record<string, unknown>> = new Map();
  /** Positions of the account. */
  positions: Record<string, unknown>[] = [];
  /** Every REST request, in order. */
  readonly requests: FakeRequest[] = [];
  /** The `tx_info` of every `sendTx`, parsed. */
  readonly txs: Record<string, unknown>[] = [];
  /** Whether accepted orders are reported on the stream. @default {true} */
  reportOrders = true;
  /** Routes replacing the defaults, by path. */
  readonly routes: Map<string, FakeRoute> = new Map();
  /** Every socket opened, in order. */
  readonly sockets: FakeSocket[] = [];
  /** When set, new sockets start silent. */
  silentSockets = false;
  /** The order book the venue sends on `order_book/0` subscriptions. */
  book = {
    bids: [{ price: "1999.00", size: "1.0000" }],
    asks: [{ price: "2001.00", size: "2.0000" }],
  };
  #bookNonce = 100;

  /** The fake `fetch`. */
  readonly fetch: FetchLike = async (input, init) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    const form = init?.body instanceof FormData ? init.body : undefined;
    const headers = new Headers(input instanceof Request ? input.headers : init?.headers);
    const req: FakeRequest = { path: url.pathname, url, form, headers };
    this.requests.push(req);
    const route = this.routes.get(url.pathname) ?? ((r: FakeRequest) => this.#default(r));
    const answer = await route(req);
    const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
    return new Response(text, { status: answer.status ?? 200 });
  };

  /** The fake `WebSocket` constructor. */
  readonly WebSocket: WebSocketConstructor = (() => {
    // deno-lint-ignore no-this-alias
    const venue = this;
    return class extends FakeSocket {
      constructor(url: string) {
        super(url, venue);
      }
    } as unknown as WebSocketConstructor;
  })();

  /** The socket in use (the last one opened). */
  get socket(): FakeSocket {
    const s = this.sockets.at(-1);
    if (!s) throw new Error("no socket opened");
    return s;
  }

  /** How many requests went to a path. */
  count(path: string): number {
    return this.requests.filter((r) => r.path === path).length;
  }

  /** Client options that talk to this venue. */
  options(extra: LighterClientOptions = {}): LighterClientOptions {
    return {
      restUrl: "http://lighter.fake",
      wsUrl: "ws://lighter.fake/stream",
      chainId: 300,
      credentials: { apiKeyPrivateKey: FAKE_KEY, accountIndex: FAKE_ACCOUNT, apiKeyIndex: 4 },
      clock: this.clock,
      fetch: this.fetch,
      WebSocket: this.WebSocket,
      reconnectDelayMs: 10,
      ...extra,
    };
  }

  /**
   * The next `order_book:0` update frame (for tests that feed a live book), keys in the order
   * the venue writes them (lighter.md §4.3), so the client's fast decoder reads it.
   */
  bookUpdate(bids: { price: string; size: string }[], asks: { price: string; size: string }[]) {
    const begin = this.#bookNonce;
    // Real nonces are not consecutive: a frame's begin_nonce is the previous frame's nonce.
    this.#bookNonce += 3;
    return {
      channel: "order_book:0",
      offset: this.#bookNonce,
      order_book: {
        code: 0,
        asks,
        bids,
        offset: this.#bookNonce,
        nonce: this.#bookNonce,
        begin_nonce: begin,
      },
      timestamp: this.clock.now(),
      type: "update/order_book",
    };
  }

  /** The `order_book:0` snapshot frame, keys in the venue's order. */
  bookSnapshot(): Record<string, unknown> {
    this.#bookNonce += 3;
    return {
      channel: "order_book:0",
      offset: this.#bookNonce,
      order_book: {
        code: 0,
        asks: this.book.asks,
        bids: this.book.bids,
        offset: this.#bookNonce,
        nonce: this.#bookNonce,
        begin_nonce: 0,
      },
      timestamp: this.clock.now(),
      type: "subscribed/order_book",
    };
  }

  /** Sends a frame on the socket in use. */
  push(frame: unknown): void {
    this.socket.deliver(frame);
  }

  /** Answers a frame sent by the client (subscriptions, pings). */
  onClientFrame(socket: FakeSocket, data: string): void {
    let msg: { type?: string; channel?: string };
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (socket.silent) return;
    if (msg.type === "ping") socket.deliver({ type: "pong" });
    if (msg.type !== "subscribe" || !msg.channel) return;
    const inbound = msg.channel.replaceAll("/", ":");
    if (msg.channel === "order_book/0") socket.deliver(this.bookSnapshot());
    else if (msg.channel.startsWith("account_orders/")) {
      socket.deliver({ channel: inbound, type: "subscribed/account_orders", orders: {} });
    } else if (msg.channel.startsWith("account_all/")) {
      socket.deliver({
        channel: inbound,
        type: "subscribed/account_all",
        positions: {},
        trades: {},
      });
    }
  }

  #default(req: FakeRequest): FakeAnswer {
    const q = req.url.searchParams;
    switch (req.path) {
      case "/api/v1/orderBookDetails":
        return { body: { code: 200, order_book_details: [ETH_DETAIL] } };
      case "/api/v1/nextNonce":
        return { body: { code: 200, nonce: this.nonce } };
      case "/api/v1/account":
        return {
          body: {
            code: 200,
            accounts: [{
              index: FAKE_ACCOUNT,
              collateral: "1000.000000",
              available_balance: "900.000000",
              total_asset_value: "1000.500000",
              positions: this.positions,
            }],
          },
        };
      case "/api/v1/accountOrders": {
        const ids = (q.get("client_order_indexes") ?? "").split(",").map(Number);
        return {
          body: { code: 200, orders: ids.flatMap((i) => this.orders.get(i) ?? []) },
        };
      }
      case "/api/v1/accountActiveOrders":
        return {
          body: {
            code: 200,
            orders: [...this.orders.values()].filter((o) =>
              o.status === "open" || o.status === "pending"
            ),
          },
        };
      case "/api/v1/accountInactiveOrders":
        return {
          body: {
            code: 200,
            orders: [...this.orders.values()].filter((o) =>
              o.status !== "open" && o.status !== "pending"
            ),
          },
        };
      case "/api/v1/orderBookOrders":
        return {
          body: {
            code: 200,
            total_asks: 1,
            asks: this.book.asks.map((l) => ({ price: l.price, remaining_base_amount: l.size })),
            total_bids: 1,
            bids: this.book.bids.map((l) => ({ price: l.price, remaining_base_amount: l.size })),
          },
        };
      case "/api/v1/sendTx":
        return this.acceptTx(req);
      case "/api/v1/positionFunding":
        return { body: { code: 200, position_fundings: [] } };
    }
    return { status: 404, body: { code: 20001, message: "not found" } };
  }

  /** The venue's `sendTx`: checks the nonce, creates the order, reports it on the stream. */
  acceptTx(req: FakeRequest): FakeAnswer {
    const info = JSON.parse(String(req.form?.get("tx_info"))) as Record<string, unknown>;
    this.txs.push(info);
    if (info.Nonce !== this.nonce) {
      return { status: 400, body: { code: 21104, message: "invalid nonce" } };
    }
    this.nonce++;
    if (Number(req.form?.get("tx_type")) === 14) {
      const cid = Number(info.ClientOrderIndex);
      const order = wireOrder({
        clientOrderIndex: cid,
        price: (Number(info.Price) / 100).toFixed(2),
        size: (Number(info.BaseAmount) / 10_000).toFixed(4),
        isAsk: info.IsAsk === 1,
      });
      this.orders.set(cid, order);
      if (this.reportOrders && this.sockets.length > 0) {
        const s = this.socket;
        queueMicrotask(() =>
          s.deliver({
            channel: `account_orders:0:${FAKE_ACCOUNT}`,
            type: "update/account_orders",
            orders: { "0": [order] },
          })
        );
      }
    }
    return { body: { code: 200, tx_hash: "ab".repeat(40), predicted_execution_time_ms: 1 } };
  }
}

/** An in-memory WebSocket whose "server" side is the fake venue. */
export class FakeSocket extends EventTarget {
  /** WebSocket API. */
  readonly url: string;
  /** WebSocket API: 0 connecting, 1 open, 3 closed. */
  readyState = 0;
  /** WebSocket API. */
  binaryType: BinaryType = "blob";
  /** Frames the client sent. */
  readonly sent: string[] = [];
  /** When true, the venue neither answers nor sends anything (a half-open socket). */
  silent: boolean;
  readonly #venue: FakeLighterVenue;

  /**
   * Opens (asynchronously, like a real socket).
   *
   * @param url The URL.
   * @param venue The venue behind it.
   */
  constructor(url: string, venue: FakeLighterVenue) {
    super();
    this.url = url;
    this.#venue = venue;
    this.silent = venue.silentSockets;
    venue.sockets.push(this);
    queueMicrotask(() => {
      if (this.readyState !== 0) return;
      this.readyState = 1;
      this.dispatchEvent(new Event("open"));
      if (!this.silent) this.deliver({ type: "connected", session_id: "fake" });
    });
  }

  /** WebSocket API. */
  send(data: string): void {
    if (this.readyState !== 1) throw new DOMException("not open", "InvalidStateError");
    this.sent.push(data);
    this.#venue.onClientFrame(this, data);
  }

  /** WebSocket API. */
  close(code = 1000, reason = ""): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.dispatchEvent(new CloseEvent("close", { code, reason, wasClean: true }));
  }

  /** The venue sends a frame (an object as JSON, a string as it is). */
  deliver(frame: unknown): void {
    if (this.readyState !== 1) return;
    const data = typeof frame === "string" ? frame : JSON.stringify(frame);
    this.dispatchEvent(new MessageEvent("message", { data }));
  }
}

/**
 * Runs `promise` to completion while moving virtual time forward in steps, so retries,
 * timeouts and backoff waits on the clock elapse.
 *
 * @param clock The clock.
 * @param promise What to wait for.
 * @param options Step and the most virtual time before giving up (a hang).
 * @returns The outcome.
 */
export async function drive<T>(
  clock: ManualClock,
  promise: Promise<T>,
  options: { stepMs?: number; maxMs?: number } = {},
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  const stepMs = options.stepMs ?? 500;
  const maxMs = options.maxMs ?? 300_000;
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  promise.then(
    (value) => (outcome = { ok: true, value }),
    (error) => (outcome = { ok: false, error }),
  );
  for (let spent = 0; outcome === undefined; spent += stepMs) {
    if (spent > maxMs) throw new Error(`still pending after ${maxMs} ms of virtual time`);
    await clock.advance(stepMs);
  }
  return outcome;
}
