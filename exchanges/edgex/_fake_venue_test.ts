/**
 * An in-process stand-in for EdgeX used by the client's fault tests: a scripted `fetch`, a
 * scripted WebSocket and a clock whose sleeps jump. No sockets, no replica: every answer is
 * whatever the test decides, so malformed and hostile answers can be served by the thousand.
 */
import type { Clock } from "../../base.ts";
import { EdgeXClient, type EdgeXClientOptions } from "./client.ts";

/** Credentials the fake accepts (it checks none). */
export const CREDS = {
  accountId: "1",
  apiKey: "key",
  apiSecret: "secret",
  apiPassphrase: "passphrase",
  signerPrivateKey: "0x" + "11".repeat(32),
} as const;

/** One BTC contract: tick 0.1, step 0.001, resolution 1e9; USDC quote with resolution 1e6. */
export const META = {
  global: { nativeChainId: "3343", contractAddress: "0x0000000000000000000000000000000000000001" },
  coinList: [
    { coinId: "1000", coinName: "USDC", resolution: "1000000" },
    { coinId: "1001", coinName: "BTC" },
  ],
  contractList: [{
    contractId: "30000001",
    contractName: "BTCUSDC",
    baseCoinId: "1001",
    quoteCoinId: "1000",
    tickSize: "0.1",
    stepSize: "0.001",
    minOrderSize: "0.001",
    resolution: "1000000000",
    defaultTakerFeeRate: "0.0005",
    defaultMakerFeeRate: "0.0002",
    fundingRateIntervalMin: "240",
  }],
};

/** The V2 success envelope around `data`. */
export function envelope(data: unknown): Record<string, unknown> {
  return { code: "SUCCESS", data, msg: null, traceId: "0".repeat(32) };
}

/** An answer of the fake: a JSON value (sent as JSON) or raw text, with a status. */
export interface FakeAnswer {
  status?: number;
  json?: unknown;
  text?: string;
}

/** Handles one request: path, query and parsed JSON body. */
export type FakeRoute = (req: {
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown> | undefined;
}) => FakeAnswer | Promise<FakeAnswer>;

/** A venue order as the fake keeps it. */
export interface FakeOrder {
  id: string;
  clientOrderId: string;
  contractId: string;
  side: string;
  price: string;
  size: string;
  type: string;
  timeInForce: string;
  status: string;
  cumMatchSize: string;
  cumMatchValue: string;
  createdTime: string;
  updatedTime: string;
}

/**
 * REST side of the fake. Default routes answer like a healthy venue; `routes` overrides any
 * path (the last path segment, e.g. `"createOrder"`).
 */
export class FakeRest {
  /** Orders created, by client order id (a second create of the same id is counted). */
  readonly orders = new Map<string, FakeOrder>();
  /** Creates received per client order id. */
  readonly creates = new Map<string, number>();
  /** Paths requested, in order. */
  readonly calls: string[] = [];
  /** Route overrides by last path segment. */
  readonly routes = new Map<string, FakeRoute>();
  /** The depth book `getDepth` answers. */
  depth: { bids: { price: string; size: string }[]; asks: { price: string; size: string }[] } = {
    bids: [{ price: "63990.0", size: "1.000" }],
    asks: [{ price: "64010.0", size: "1.000" }],
  };
  #nextId = 700000000000000000n;

  /** The `fetch` to give the client. */
  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const name = url.pathname.split("/").pop() ?? "";
    this.calls.push(name);
    const text = typeof init?.body === "string" ? init.body : undefined;
    const body = text ? JSON.parse(text) : undefined;
    const route = this.routes.get(name) ?? ((r) => this.answer(name, r));
    const a = await route({ path: url.pathname, query: url.searchParams, body });
    const payload = a.text ?? JSON.stringify(a.json);
    return new Response(payload, {
      status: a.status ?? 200,
      headers: { "content-type": a.text !== undefined ? "text/html" : "application/json" },
    });
  };

  /** The healthy answer of an endpoint. */
  answer(
    name: string,
    req: { query: URLSearchParams; body: Record<string, unknown> | undefined },
  ): FakeAnswer {
    const list = (k: string) => (req.query.get(k) ?? "").split(",").filter((s) => s !== "");
    switch (name) {
      case "getServerTime":
        return { json: envelope({ timeMillis: "1800000000000" }) };
      case "getMetaData":
        return { json: envelope(META) };
      case "getAccountAsset":
        return { json: envelope(this.accountAsset()) };
      case "getDepth":
        return {
          json: envelope([{
            startVersion: "1",
            endVersion: "7",
            level: 15,
            contractId: "30000001",
            contractName: "BTCUSDC",
            depthType: "SNAPSHOT",
            ...this.depth,
          }]),
        };
      case "createOrder": {
        const b = req.body!;
        const cid = String(b.clientOrderId);
        this.creates.set(cid, (this.creates.get(cid) ?? 0) + 1);
        const existing = this.orders.get(cid);
        if (existing) return { json: envelope({ orderId: existing.id }) };
        const id = String(this.#nextId++);
        this.orders.set(cid, {
          id,
          clientOrderId: cid,
          contractId: String(b.contractId),
          side: String(b.side),
          price: String(b.price),
          size: String(b.size),
          type: String(b.type),
          timeInForce: String(b.timeInForce),
          status: b.type === "MARKET" ? "FILLED" : "OPEN",
          cumMatchSize: b.type === "MARKET" ? String(b.size) : "0",
          cumMatchValue: "0",
          createdTime: "1800000000000",
          updatedTime: "1800000000000",
        });
        return { json: envelope({ orderId: id }) };
      }
      case "getOrderById":
        return {
          json: envelope(
            list("orderIdList").flatMap((id) =>
              [...this.orders.values()].filter((o) => o.id === id)
            ),
          ),
        };
      case "getOrderByClientOrderId":
        return {
          json: envelope(
            list("clientOrderIdList").flatMap((c) => {
              const o = this.orders.get(c);
              return o ? [o] : [];
            }),
          ),
        };
      case "getActiveOrderPage":
        return {
          json: envelope({
            dataList: [...this.orders.values()].filter((o) => o.status === "OPEN"),
            nextPageOffsetData: "",
          }),
        };
      case "cancelOrderById":
      case "cancelOrderByClientOrderId":
      case "cancelAllOrder":
        return { json: envelope({ cancelResultMap: {} }) };
      default:
        return { status: 404, text: "<html>not found</html>" };
    }
  }

  /** A healthy `getAccountAsset` body. */
  accountAsset(): Record<string, unknown> {
    return {
      collateralList: [{ coinId: "1000", amount: "1000", totalAmount: "1000" }],
      positionList: [{ contractId: "30000001", openSize: "0.010", openValue: "640" }],
      positionAssetList: [{
        contractId: "30000001",
        avgEntryPrice: "64000",
        liquidatePrice: "30000",
        unrealizePnl: "1.5",
      }],
      collateralAssetModelList: [{ coinId: "1000", totalEquity: "1001.5", availableAmount: "900" }],
    };
  }
}

/** A WebSocket the test drives: it opens at once, records what the client sends. */
export class FakeSocket extends EventTarget {
  /** Every socket made, in order. */
  static made: FakeSocket[] = [];
  /** Called for each message the client sends (parsed JSON). */
  static onSend: ((socket: FakeSocket, message: Record<string, unknown>) => void) | undefined;
  readonly url: string;
  readyState = 0;
  binaryType = "blob";
  readonly sent: Record<string, unknown>[] = [];

  constructor(url: string | URL, _options?: unknown) {
    super();
    this.url = String(url);
    FakeSocket.made.push(this);
    queueMicrotask(() => {
      if (this.readyState !== 0) return;
      this.readyState = 1;
      this.dispatchEvent(new Event("open"));
    });
  }

  /** Whether this is the private stream's socket. */
  get private(): boolean {
    return this.url.includes("/private/");
  }

  send(data: string): void {
    const m = JSON.parse(data);
    this.sent.push(m);
    FakeSocket.onSend?.(this, m);
  }

  close(code = 1000, reason = ""): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    this.dispatchEvent(new CloseEvent("close", { code, reason }));
  }

  /** Delivers a frame from the server (objects as JSON, strings as they are). */
  deliver(frame: unknown): void {
    if (this.readyState !== 1) return;
    const data = typeof frame === "string" ? frame : JSON.stringify(frame);
    this.dispatchEvent(new MessageEvent("message", { data }));
  }
}

/**
 * A clock whose sleeps end at once, moving time forward by their length; sleeps of an hour or
 * more (request timeouts) never end unless aborted.
 */
export class JumpClock implements Clock {
  #now: number;
  constructor(start = 1_800_000_000_000) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (ms >= 3_600_000) {
      return new Promise((_, reject) =>
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true })
      );
    }
    this.#now += Math.max(0, ms);
    return Promise.resolve();
  }
}

/** A client on the fake venue. */
export function fakeClient(
  rest: FakeRest,
  options: Partial<EdgeXClientOptions> = {},
): EdgeXClient {
  return new EdgeXClient({
    ...CREDS,
    restUrl: "https://edgex.test",
    wsUrl: "wss://edgex.test",
    fetch: rest.fetch,
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    timeoutMs: 3_600_000,
    syncServerTime: false,
    ...options,
  });
}

/** A `depth.30000001.15` quote-event. */
export function depthFrame(
  dataType: "Snapshot" | "changed",
  start: number,
  end: number,
  bids: { price: string; size: string }[],
  asks: { price: string; size: string }[],
): Record<string, unknown> {
  const channel = "depth.30000001.15";
  return {
    type: "quote-event",
    channel,
    content: {
      channel,
      dataType,
      data: [{
        startVersion: String(start),
        endVersion: String(end),
        level: 15,
        contractId: "30000001",
        contractName: "BTCUSDC",
        asks,
        bids,
        depthType: dataType === "Snapshot" ? "SNAPSHOT" : "CHANGED",
      }],
    },
  };
}
