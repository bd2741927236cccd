/**
 * Test doubles for the GRVT client: a scripted venue behind a fake `fetch` and a fake
 * `WebSocket`, both in memory and driven by a `ManualClock`, so tests can feed any answer or
 * frame (mutated, silent, another order's) through the client's real code paths.
 *
 * @module
 */
import { ManualClock } from "../_shared/clock.ts";
import type { FetchLike } from "../_shared/http.ts";
import type { WebSocketConstructor } from "../_shared/ws.ts";
import type { GRVTClientOptions } from "./client.ts";

/** The trading account of the fake venue. */
export const FAKE_ACCOUNT = "2147050003876484";
/** A key of a wallet (the venue does not verify signatures here). */
export const FAKE_PRIVATE_KEY =
  "0xf7934647276a6e1fa0af3f4467b4b8ddaf45d25a7368fa1a295eef49a446819d";
/** Client order ids in GRVT's API range [2^63, 2^64 − 1]. */
export const CID = "9223372036854775809";
/** Another one. */
export const OTHER_CID = "9223372036854775999";

/** The live BTC instrument (grvt.md §4.1.1). */
export const BTC_INSTRUMENT = {
  instrument: "BTC_USDT_Perp",
  instrument_hash: "0x030501",
  base: "BTC",
  quote: "USDT",
  kind: "PERPETUAL",
  base_decimals: 9,
  quote_decimals: 6,
  tick_size: "0.1",
  min_size: "0.001",
  min_notional: "100.0",
  funding_interval_hours: 8,
};

/** A wire order (shape of the live `create_order` answer, grvt.md §4.2.1). */
export function wireOrder(o: {
  cid?: string;
  status?: string;
  orderId?: string;
  size?: string;
  price?: string;
  buy?: boolean;
  tif?: string;
  traded?: string;
  nonce?: number;
  reason?: string;
} = {}): Record<string, unknown> {
  const size = o.size ?? "0.002";
  const traded = o.traded ?? "0.0";
  return {
    order_id: o.orderId ?? "0x0101010503e693410000000069530a7d",
    sub_account_id: FAKE_ACCOUNT,
    is_market: false,
    time_in_force: o.tif ?? "GOOD_TILL_TIME",
    post_only: false,
    reduce_only: false,
    legs: [{
      instrument: "BTC_USDT_Perp",
      size,
      limit_price: o.price ?? "63000.0",
      is_buying_asset: o.buy ?? true,
    }],
    signature: {
      signer: "0xe10ec9bb1ee30af8be35b32b163e7458a07ad987",
      r: "0x" + "1".repeat(64),
      s: "0x" + "2".repeat(64),
      v: 27,
      expiration: "1766076771082000000",
      ...(o.nonce === undefined ? {} : { nonce: o.nonce }),
      chain_id: "0",
    },
    metadata: { client_order_id: o.cid ?? CID, create_time: "1766076671243762741" },
    state: {
      status: o.status ?? "OPEN",
      reject_reason: o.reason ?? "UNSPECIFIED",
      book_size: [o.status === "FILLED" ? "0.0" : size],
      traded_size: [traded],
      update_time: "1766076671243762741",
      avg_fill_price: ["0.0"],
    },
  };
}

/** Valid REST answers by endpoint (each a fresh object). */
export const VALID_ANSWERS: Record<string, () => unknown> = {
  "full/v1/book": () => ({
    result: {
      event_time: "1767292408400000000",
      instrument: "BTC_USDT_Perp",
      bids: [{ price: "63999.9", size: "1.5", num_orders: 3 }],
      asks: [{ price: "64000.1", size: "2.0", num_orders: "2" }],
    },
  }),
  "full/v1/order": () => ({ result: wireOrder() }),
  "full/v1/create_order": () => ({ result: wireOrder({ status: "PENDING", orderId: "0x00" }) }),
  "full/v1/open_orders": () => ({ result: [wireOrder(), wireOrder({ cid: OTHER_CID })] }),
  "full/v1/positions": () => ({
    result: [{
      event_time: "1765258069092857642",
      sub_account_id: FAKE_ACCOUNT,
      instrument: "BTC_USDT_Perp",
      size: "-0.001",
      notional: "-89.8169",
      entry_price: "90000.0",
      mark_price: "89816.900008979",
      unrealized_pnl: "0.183099",
      est_liquidation_price: "97951.4",
      leverage: "28.0",
      cumulative_realized_funding_payment: "-0.033862",
      margin_type: "CROSS",
    }],
  }),
  "full/v1/funding_payment_history": () => ({
    result: [{
      event_time: "1765267200004987902",
      sub_account_id: FAKE_ACCOUNT,
      instrument: "BTC_USDT_Perp",
      currency: "USDT",
      amount: "9.75",
      tx_id: "209358",
    }],
    next: "",
  }),
  "full/v1/get_all_initial_leverage": () => ({
    results: [{
      instrument: "BTC_USDT_Perp",
      leverage: "10",
      min_leverage: "1",
      max_leverage: "50",
      margin_type: "CROSS",
    }],
  }),
  "full/v1/set_initial_leverage": () => ({ success: true }),
  "full/v1/account_summary": () => ({
    result: {
      event_time: "1764863116142428457",
      settle_currency: "USDT",
      unrealized_pnl: "0.0",
      total_equity: "15.0",
      initial_margin: "0.0",
      available_balance: "15.0",
    },
  }),
  "full/v1/cancel_order": () => ({ result: { ack: true } }),
};

/** What a REST handler returns: a `Response`, or a body sent with status 200. */
export type FakeAnswer = Response | unknown;

/** One request the fake venue received. */
export interface FakeRequest {
  endpoint: string;
  body: Record<string, unknown>;
}

/** A scripted GRVT: REST by endpoint, sockets whose server side the test drives. */
export class FakeGrvt {
  /** The virtual clock of the client. */
  readonly clock: ManualClock;
  /** Every REST request after login and instruments, in order. */
  readonly requests: FakeRequest[] = [];
  /** Every socket opened, in order. */
  readonly sockets: FakeSocket[] = [];
  /** REST handler by endpoint (`full/v1/order`); falls back to {@linkcode VALID_ANSWERS}. */
  readonly rest = new Map<string, (body: Record<string, unknown>) => FakeAnswer>();
  /** Whether sockets answer the text `"ping"` (with GRVT's 1003 error). */
  answerPings = true;
  /** The latest book sequence number, announced in subscribe answers. */
  bookSeq = 100;
  /** Whether subscriptions to `v1.book.d` are answered with a snapshot. */
  bookSnapshots: (() => Record<string, unknown>) | undefined = () => ({
    event_time: "1767292408400000000",
    instrument: "BTC_USDT_Perp",
    bids: [{ price: "63999.9", size: "1.5", num_orders: 3 }],
    asks: [{ price: "64000.1", size: "2.0", num_orders: 2 }],
  });

  /** @param start Virtual start time. */
  constructor(start = 1_766_076_600_000) {
    this.clock = new ManualClock(start);
  }

  /** Options of a client talking to this venue. */
  options(extra: Partial<GRVTClientOptions> = {}): GRVTClientOptions {
    return {
      environment: "sim",
      hosts: {
        edgeUrl: "http://edge.fake",
        tradesUrl: "http://trades.fake",
        marketDataUrl: "http://md.fake",
      },
      apiKey: "key",
      privateKey: FAKE_PRIVATE_KEY,
      tradingAccountId: FAKE_ACCOUNT,
      env: {},
      clock: this.clock,
      fetch: this.fetch,
      WebSocket: this.WebSocket,
      reconnect: { baseDelayMs: 10, maxDelayMs: 50 },
      ...extra,
    };
  }

  /** Number of requests to an endpoint. */
  count(endpoint: string): number {
    return this.requests.filter((r) => r.endpoint === endpoint).length;
  }

  /** The fake `fetch`. */
  readonly fetch: FetchLike = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const endpoint = url.pathname.replace(/^\//, "");
    const text = typeof init?.body === "string" ? init.body : "{}";
    const body = JSON.parse(text) as Record<string, unknown>;
    await Promise.resolve();
    if (endpoint === "auth/api_key/login") {
      const headers = new Headers({ "content-type": "application/json" });
      headers.append("set-cookie", "gravity=cookie; Path=/; Max-Age=86400; HttpOnly");
      headers.set("x-grvt-account-id", FAKE_ACCOUNT);
      return new Response(JSON.stringify({ status: "success", location: "" }), { headers });
    }
    if (endpoint === "full/v1/instruments") return Response.json({ result: [BTC_INSTRUMENT] });
    this.requests.push({ endpoint, body });
    const handler = this.rest.get(endpoint);
    const answer = handler ? handler(body) : VALID_ANSWERS[endpoint]?.() ??
      Response.json({ code: 1004, message: "Data Not Found", status: 404 }, { status: 404 });
    return answer instanceof Response ? answer : Response.json(answer);
  };

  /** The fake `WebSocket` constructor. */
  readonly WebSocket: WebSocketConstructor = (() => {
    // deno-lint-ignore no-this-alias
    const venue = this;
    return class extends FakeSocket {
      constructor(url: string) {
        super(url, venue);
        venue.sockets.push(this);
      }
    } as unknown as WebSocketConstructor;
  })();

  /** The open sockets to a host (`md` or `trades`). */
  open(host: "md" | "trades"): FakeSocket[] {
    return this.sockets.filter((s) => s.readyState === 1 && s.url.includes(`${host}.fake`));
  }

  /** Runs `promise` to completion, advancing virtual time; fails after `limitMs` of it. */
  async settle<T>(promise: Promise<T>, limitMs = 600_000, stepMs = 100): Promise<T> {
    let done = false;
    const watched = promise.finally(() => {
      done = true;
    });
    watched.catch(() => {});
    for (let waited = 0; !done; waited += stepMs) {
      if (waited > limitMs) throw new Error(`still pending after ${limitMs} ms of virtual time`);
      await this.clock.advance(stepMs);
    }
    return await watched;
  }
}

/** The fake socket: the client's end; the test plays the server through `push`. */
export class FakeSocket extends EventTarget {
  /** WebSocket API. */
  binaryType = "arraybuffer";
  /** WebSocket API: 0 connecting, 1 open, 3 closed. */
  readyState = 0;
  /** Text frames the client sent. */
  readonly sent: string[] = [];
  /** When false, the server side sends nothing at all (a half-open socket). */
  alive = true;
  readonly #venue: FakeGrvt;

  /**
   * @param url The URL.
   * @param venue The fake venue.
   */
  constructor(readonly url: string, venue: FakeGrvt) {
    super();
    this.#venue = venue;
    queueMicrotask(() => {
      if (this.readyState !== 0) return;
      this.readyState = 1;
      this.dispatchEvent(new Event("open"));
    });
  }

  /** WebSocket API. */
  send(data: string): void {
    if (this.readyState !== 1) throw new Error("not open");
    this.sent.push(data);
    if (!this.alive) return;
    if (data === "ping") {
      if (this.#venue.answerPings) {
        this.push({ jsonrpc: "2.0", error: { code: 1003, message: "malformed" }, id: null });
      }
      return;
    }
    const m = JSON.parse(data) as {
      method: string;
      params: { stream: string; selectors: string[] };
      id: number;
    };
    if (m.method === "subscribe") {
      const { stream, selectors } = m.params;
      this.push({
        jsonrpc: "2.0",
        result: {
          stream,
          subs: selectors,
          unsubs: [],
          num_snapshots: selectors.map(() => 1),
          first_sequence_number: selectors.map(() => String(this.#venue.bookSeq + 1)),
          latest_sequence_number: selectors.map(() => String(this.#venue.bookSeq)),
        },
        id: m.id,
        method: "subscribe",
      });
      const snapshot = this.#venue.bookSnapshots;
      if (stream === "v1.book.d" && snapshot) {
        for (const selector of selectors) {
          this.push({
            stream,
            selector,
            sequence_number: "0",
            prev_sequence_number: "0",
            feed: snapshot(),
          });
        }
      }
    }
  }

  /** Server → client: a JSON value or a raw text frame. */
  push(frame: unknown): void {
    const data = typeof frame === "string" ? frame : JSON.stringify(frame);
    queueMicrotask(() => {
      if (this.readyState !== 1) return;
      this.dispatchEvent(new MessageEvent("message", { data }));
    });
  }

  /** WebSocket API. */
  close(code = 1000, reason = ""): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    queueMicrotask(() => this.dispatchEvent(new CloseEvent("close", { code, reason })));
  }
}
