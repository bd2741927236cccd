/**
 * HTTP + WebSocket harness the venue front-ends plug into: `Deno.serve` on 127.0.0.1 (port 0
 * by default), REST and WebSocket routes registered per front-end, request and frame faults
 * applied from a {@linkcode FaultInjector} (every request, every frame any front-end sends
 * through a {@linkcode SimSocket}, and the client's pings on a silenced socket), errors mapped to
 * HTTP in one place, and the control API of a {@linkcode SimControl} under `/_control` for
 * out-of-process tests (`SimServer.start({ faults, control })`, or
 * {@linkcode SimServer.mountControl}).
 *
 * @module
 */
import type { Clock } from "../base.ts";
import { systemClock } from "../exchanges/_shared/clock.ts";
import {
  AuthenticationError,
  ConfigurationError,
  NotFoundError,
  OrderRejectedError,
  PerpError,
  RateLimitedError,
} from "../core/errors.ts";
import type { SimControl } from "./control.ts";
import type { SimOrderRef, SimOrderRequest } from "./engine.ts";
import { FaultInjector, type FaultRule } from "./faults.ts";

/**
 * What a handler gets.
 *
 * @example
 * ```ts
 * import type { RouteContext } from "./server.ts";
 * const symbolOf = (ctx: RouteContext) => ctx.params.symbol ?? ctx.url.searchParams.get("symbol");
 * ```
 */
export interface RouteContext {
  /** Front-end that registered the route. */
  frontEnd: string;
  /** Endpoint name used for faults. */
  endpoint: string;
  /** `:name` path parameters. */
  params: Record<string, string>;
  /** Parsed URL. */
  url: URL;
  /** The request. */
  request: Request;
}

/**
 * A REST handler: returns a `Response`, or any other value to send as JSON (200).
 *
 * @example
 * ```ts
 * import type { RestHandler } from "./server.ts";
 * const ping: RestHandler = () => ({ pong: true });
 * ```
 */
export type RestHandler = (ctx: RouteContext) => unknown | Promise<unknown>;

/**
 * A WebSocket handler, called once the socket is open.
 *
 * @example
 * ```ts
 * import type { SocketHandler } from "./server.ts";
 * const echo: SocketHandler = (socket) => socket.onMessage((m) => socket.send("echo", m));
 * ```
 */
export type SocketHandler = (socket: SimSocket, ctx: RouteContext) => void;

/**
 * Options of {@linkcode SimServer.start}.
 *
 * @example
 * ```ts
 * import type { SimServerOptions } from "./server.ts";
 * const o: SimServerOptions = { port: 0 };
 * ```
 */
export interface SimServerOptions {
  /** Faults to apply. @default {a new, empty injector} */
  faults?: FaultInjector;
  /** Port; 0 picks a free one. @default {0} */
  port?: number;
  /** Host to bind. @default {"127.0.0.1"} */
  hostname?: string;
  /** Clock used to wait out injected latency. @default {systemClock} */
  latencyClock?: Clock;
  /**
   * A control object to mount under `/_control` (see {@linkcode SimServer.mountControl}). Pass
   * the same injector as `faults` (`control.faults`), or leave `faults` out to use it.
   * @default {none}
   */
  control?: SimControl;
}

interface Route {
  frontEnd: string;
  method: string;
  segments: string[];
  endpoint: string;
  rest?: RestHandler;
  socket?: SocketHandler;
  accept?: SocketAccept;
}

/**
 * Decides whether to upgrade a WebSocket request: `undefined` accepts, a `Response` (e.g. a 401
 * with the venue's error body) refuses the handshake.
 *
 * @example
 * ```ts
 * import type { SocketAccept } from "./server.ts";
 * const needsCookie: SocketAccept = (ctx) =>
 *   ctx.request.headers.has("cookie") ? undefined : new Response("unauthorized", { status: 401 });
 * ```
 */
export type SocketAccept = (
  ctx: RouteContext,
) => Response | undefined | Promise<Response | undefined>;

/**
 * The server side of one WebSocket connection. `send` applies the frame faults of its front-end.
 *
 * @example
 * ```ts
 * import type { SimSocket } from "./server.ts";
 * const push = (s: SimSocket, seq: number) => s.send("trades", { seq });
 * ```
 */
export class SimSocket {
  /** Front-end name. */
  readonly frontEnd: string;
  /** Request path. */
  readonly path: string;
  /** Number of the socket in its fault injector (for `silence`). */
  readonly number: number;
  readonly #ws: WebSocket;
  readonly #faults: FaultInjector;
  readonly #onClose: (() => void)[] = [];

  /**
   * Wraps a server-side WebSocket (the harness does this for each connection).
   *
   * @param ws The server-side WebSocket.
   * @param frontEnd Front-end name.
   * @param path Request path.
   * @param faults Injector consulted for every frame.
   */
  constructor(ws: WebSocket, frontEnd: string, path: string, faults: FaultInjector) {
    this.#ws = ws;
    this.frontEnd = frontEnd;
    this.path = path;
    this.#faults = faults;
    this.number = faults.openSocket();
    ws.addEventListener("close", () => {
      faults.closeSocket(this.number);
      for (const f of this.#onClose) f();
    });
  }

  /** Whether a `silence` fault holds this socket half-open (it sends nothing, ignores pings). */
  get silenced(): boolean {
    return this.#faults.isSilenced(this.number);
  }

  /** Whether the socket is open. */
  get open(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  /**
   * Sends a frame on a stream, through the fault injector.
   *
   * @param stream Stream name (for fault targeting).
   * @param frame A string, or a value to send as JSON.
   * @returns Whether the socket is still open afterwards.
   */
  send(stream: string, frame: unknown): boolean {
    if (!this.open) return false;
    const text = typeof frame === "string" ? frame : JSON.stringify(frame);
    const out = this.#faults.onFrame(this.frontEnd, stream, text, this.number);
    for (const f of out.frames) this.#ws.send(f);
    if (out.close) {
      this.close(4000, "fault: connection dropped");
      return false;
    }
    return true;
  }

  /**
   * Listens to incoming text messages. While the socket is silenced, the client's pings are
   * not passed on (a half-open socket answers none).
   *
   * @param listener Called with each message.
   */
  onMessage(listener: (data: string) => void): void {
    this.#ws.addEventListener("message", (e) => {
      const text = typeof e.data === "string"
        ? e.data
        : new TextDecoder().decode(e.data as ArrayBuffer);
      if (this.#faults.ignoresMessage(this.number, text)) return;
      listener(text);
    });
  }

  /**
   * Listens for the connection closing.
   *
   * @param listener Called once.
   */
  onClose(listener: () => void): void {
    this.#onClose.push(listener);
  }

  /**
   * Closes the connection.
   *
   * @param code Close code. @default {1000}
   * @param reason Reason. @default {""}
   */
  close(code = 1000, reason = ""): void {
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING) {
      this.#ws.close(code, reason);
    }
  }
}

/**
 * Maps an error to an HTTP response: rejections 400, authentication 401, not found 404, rate
 * limit 429, anything else 500. Body: `{ error, message, reason?, code? }`.
 *
 * @param err The error.
 * @returns The response.
 *
 * @example
 * ```ts
 * import { errorResponse } from "./server.ts";
 * import { NotFoundError } from "../core/errors.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * equal(errorResponse(new NotFoundError({ message: "no such order" })).status, 404);
 * ```
 */
export function errorResponse(err: unknown): Response {
  let status = 500;
  if (
    err instanceof OrderRejectedError || err instanceof ConfigurationError ||
    err instanceof TypeError
  ) status = 400;
  else if (err instanceof AuthenticationError) status = 401;
  else if (err instanceof NotFoundError) status = 404;
  else if (err instanceof RateLimitedError) status = 429;
  const body: Record<string, unknown> = {
    error: err instanceof Error ? err.name : "Error",
    message: err instanceof Error ? err.message : String(err),
  };
  if (err instanceof OrderRejectedError) body.reason = err.reason;
  if (err instanceof PerpError && err.code !== undefined) body.code = err.code;
  return Response.json(body, { status });
}

function split(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}

/**
 * The harness server.
 *
 * @example A route, a fault and a request
 * ```ts
 * import { SimServer } from "./server.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * await using server = SimServer.start();
 * server.route("demo", "GET", "/api/ping", () => ({ pong: true }));
 * server.faults.inject({ kind: "error", frontEnd: "demo", target: "/api/ping", status: 503, times: 1 });
 * const first = await fetch(`${server.url}/api/ping`);
 * await first.body?.cancel();
 * equal(first.status, 503);
 * const second = await fetch(`${server.url}/api/ping`);
 * equal((await second.json()).pong, true);
 * ```
 */
export class SimServer implements AsyncDisposable {
  /** Base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Base WebSocket URL, `ws://127.0.0.1:<port>`. */
  readonly wsUrl: string;
  /** Port bound. */
  readonly port: number;
  /** The fault injector. */
  readonly faults: FaultInjector;
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #routes: Route[] = [];
  readonly #sockets = new Set<SimSocket>();
  readonly #latencyClock: Clock;
  #closed = false;

  private constructor(options: SimServerOptions) {
    this.faults = options.faults ?? options.control?.faults ?? new FaultInjector();
    this.#latencyClock = options.latencyClock ?? systemClock;
    const hostname = options.hostname ?? "127.0.0.1";
    this.#server = Deno.serve(
      { hostname, port: options.port ?? 0, onListen: () => {} },
      (req) => this.#handle(req),
    );
    this.port = this.#server.addr.port;
    this.url = `http://${hostname}:${this.port}`;
    this.wsUrl = `ws://${hostname}:${this.port}`;
    if (options.control !== undefined) this.mountControl(options.control);
  }

  /**
   * Starts listening.
   *
   * @param options Port, host, faults, latency clock.
   * @returns The running server.
   */
  static start(options: SimServerOptions = {}): SimServer {
    return new SimServer(options);
  }

  /**
   * Registers a REST route. Paths may hold `:name` parameters and end in `*`.
   *
   * @param frontEnd Front-end name (for faults).
   * @param method HTTP method, or `"*"`.
   * @param path Path pattern.
   * @param handler The handler.
   * @param options `endpoint`: name for fault targeting. @default {the path pattern}
   */
  route(
    frontEnd: string,
    method: string,
    path: string,
    handler: RestHandler,
    options: { endpoint?: string } = {},
  ): void {
    this.#routes.push({
      frontEnd,
      method: method.toUpperCase(),
      segments: split(path),
      endpoint: options.endpoint ?? path,
      rest: handler,
    });
  }

  /**
   * Registers a WebSocket route.
   *
   * @param frontEnd Front-end name (for faults).
   * @param path Path pattern.
   * @param handler Called with each opened socket.
   * @param options `accept` may refuse the handshake (auth) with a response of its own.
   */
  websocket(
    frontEnd: string,
    path: string,
    handler: SocketHandler,
    options: { accept?: SocketAccept } = {},
  ): void {
    this.#routes.push({
      frontEnd,
      method: "GET",
      segments: split(path),
      endpoint: path,
      socket: handler,
      accept: options.accept,
    });
  }

  /**
   * Open sockets (closing ones excluded).
   *
   * @param frontEnd Only this front-end's. @default {all}
   * @returns The sockets.
   */
  sockets(frontEnd?: string): SimSocket[] {
    return [...this.#sockets].filter((s) =>
      s.open && (frontEnd === undefined || s.frontEnd === frontEnd)
    );
  }

  /**
   * Exposes a control object over HTTP, JSON in and out (errors as {@linkcode errorResponse};
   * these routes take no faults). Under `prefix`:
   *
   * | route | does |
   * | --- | --- |
   * | `GET /` | the list of routes |
   * | `GET /now`, `POST /advance {ms}` | virtual time: read it, move it (→ `{now}`) |
   * | `GET /instruments` | the engine's markets (engine symbols) |
   * | `GET /prices?symbol=`, `POST /prices {symbol, markPrice?, indexPrice?}` | price moves |
   * | `GET /funding?symbol=`, `POST /funding {symbol, rate? \| rates?: [{time, rate}]}` | funding scripts (neither: back to the premium rate) → next settlement and history |
   * | `POST /accounts {id, collateral?}`, `POST /deposit {accountId, amount}` | accounts and money |
   * | `POST /orders {accountId, ...order}`, `POST /fill {accountId, id \| clientOrderId, size?}` | orders as any account; fill one with a counter-order |
   * | `POST /cancel {accountId, id \| clientOrderId}`, `POST /cancel-all {accountId, symbol?}` | cancels |
   * | `GET /order?accountId=&id= \| clientOrderId=` | one order in any state |
   * | `GET /truth?accountId=` | balance, positions, open orders, fills, funding paid |
   * | `GET /faults`, `POST /faults {rule}` (→ `{id}`), `DELETE /faults[?id= \| ?frontEnd=]` | faults: list, inject, clear |
   * | `POST /sockets/close {frontEnd?, code?}` | drop this server's WebSockets (→ `{closed}`) |
   *
   * A replica mounts it with one line: `SimServer.start({ faults, control })`, or
   * `server.mountControl(control)` on a running server.
   *
   * @param control The control object.
   * @param prefix Path prefix. @default {"/_control"}
   *
   * @example Faults and time over HTTP
   * ```ts
   * import { SimControl, SimEngine, SimServer } from "./mod.ts";
   * import { ManualClock } from "../exchanges/_shared/clock.ts";
   * import { deepStrictEqual } from "node:assert/strict";
   *
   * const control = new SimControl(new SimEngine({ clock: new ManualClock(0) }));
   * await using server = SimServer.start({ control });
   * const post = (path: string, body: unknown) =>
   *   fetch(`${server.url}/_control${path}`, { method: "POST", body: JSON.stringify(body) })
   *     .then((r) => r.json());
   * await post("/faults", { kind: "silence", frontEnd: "edgex", target: "depth.*" });
   * deepStrictEqual(await post("/advance", { ms: 1_000 }), { now: 1_000 });
   * const rules = await (await fetch(`${server.url}/_control/faults`)).json();
   * deepStrictEqual(rules.map((r: { kind: string }) => r.kind), ["silence"]);
   * ```
   */
  mountControl(control: SimControl, prefix = "/_control"): void {
    const fe = "_control";
    const routes: string[] = [];
    const on = (method: string, path: string, handler: RestHandler) => {
      routes.push(`${method} ${prefix}${path}`);
      this.route(fe, method, `${prefix}${path}`, handler);
    };
    const body = async (ctx: RouteContext) => {
      const value = await ctx.request.json();
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new TypeError("the body must be a JSON object");
      }
      return value as Record<string, unknown>;
    };
    const query = (ctx: RouteContext, name: string) => {
      const value = ctx.url.searchParams.get(name);
      if (value === null) throw new TypeError(`query parameter '${name}' is required`);
      return value;
    };
    const ref = (b: Record<string, unknown>): SimOrderRef => {
      if (b.clientOrderId !== undefined && b.clientOrderId !== null) {
        return { clientOrderId: String(b.clientOrderId) };
      }
      if (b.id !== undefined && b.id !== null) return { id: String(b.id) };
      throw new TypeError("'id' or 'clientOrderId' is required");
    };
    const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
    on("GET", "", () => ({ routes }));
    on("GET", "/now", () => ({ now: control.now() }));
    on("POST", "/advance", async (ctx) => {
      const ms = Number((await body(ctx)).ms);
      if (!(Number.isFinite(ms) && ms >= 0)) throw new TypeError("'ms' must be a number >= 0");
      await control.advance(ms);
      return { now: control.now() };
    });
    on("GET", "/instruments", () =>
      control.engine.instruments().map((i) => ({
        symbol: i.symbol,
        tickSize: i.tickSize.toString(),
        sizeStep: i.sizeStep.toString(),
        fundingIntervalHours: i.fundingIntervalHours,
      })));
    on("GET", "/prices", (ctx) => control.engine.prices(query(ctx, "symbol")));
    on("POST", "/prices", async (ctx) => {
      const b = await body(ctx);
      control.setPrices(String(b.symbol), {
        markPrice: str(b.markPrice),
        indexPrice: str(b.indexPrice),
      });
      return control.engine.prices(String(b.symbol));
    });
    on("GET", "/funding", (ctx) => control.funding(query(ctx, "symbol")));
    on("POST", "/funding", async (ctx) => {
      const b = await body(ctx);
      const symbol = String(b.symbol);
      if (Array.isArray(b.rates)) {
        control.scriptFunding(
          symbol,
          b.rates.map((p: { time?: unknown; rate?: unknown }) => ({
            time: Number(p.time),
            rate: String(p.rate),
          })),
        );
      } else control.scriptFunding(symbol, str(b.rate));
      return control.funding(symbol);
    });
    on("POST", "/accounts", async (ctx) => {
      const b = await body(ctx);
      control.createAccount(String(b.id), str(b.collateral));
      return { ok: true };
    });
    on("POST", "/deposit", async (ctx) => {
      const b = await body(ctx);
      control.fund(String(b.accountId), String(b.amount));
      return { ok: true };
    });
    on("POST", "/orders", async (ctx) => {
      const { accountId, ...order } = await body(ctx);
      return control.placeOrder(String(accountId), order as unknown as SimOrderRequest);
    });
    on("POST", "/fill", async (ctx) => {
      const b = await body(ctx);
      return control.fillOrder(String(b.accountId), ref(b), { size: str(b.size) });
    });
    on("POST", "/cancel", async (ctx) => {
      const b = await body(ctx);
      return control.cancelOrder(String(b.accountId), ref(b));
    });
    on("POST", "/cancel-all", async (ctx) => {
      const b = await body(ctx);
      return control.cancelAll(String(b.accountId), str(b.symbol));
    });
    on("GET", "/order", (ctx) => {
      const p = ctx.url.searchParams;
      return control.order(
        query(ctx, "accountId"),
        ref({ id: p.get("id"), clientOrderId: p.get("clientOrderId") }),
      );
    });
    on("GET", "/truth", (ctx) => control.truth(query(ctx, "accountId")));
    on("GET", "/faults", () => control.faults.rules());
    on("POST", "/faults", async (ctx) => ({
      id: control.injectFault(await body(ctx) as unknown as FaultRule),
    }));
    on("DELETE", "/faults", (ctx) => {
      const frontEnd = ctx.url.searchParams.get("frontEnd");
      const id = ctx.url.searchParams.get("id");
      control.clearFaults(id ?? (frontEnd !== null ? { frontEnd } : undefined));
      return { ok: true };
    });
    on("POST", "/sockets/close", async (ctx) => {
      const b = await body(ctx);
      const sockets = this.sockets(str(b.frontEnd));
      for (const s of sockets) s.close(b.code === undefined ? 1012 : Number(b.code), "control");
      return { closed: sockets.length };
    });
  }

  #match(
    method: string,
    path: string,
    socket: boolean,
  ): { route: Route; params: Record<string, string> } | undefined {
    const segs = split(path);
    for (const route of this.#routes) {
      if ((route.socket !== undefined) !== socket) continue;
      if (route.method !== "*" && route.method !== method) continue;
      const params: Record<string, string> = {};
      let ok = true;
      const rs = route.segments;
      for (let i = 0; i < rs.length; i++) {
        if (rs[i] === "*") {
          params["*"] = segs.slice(i).join("/");
          break;
        }
        if (i >= segs.length) {
          ok = false;
          break;
        }
        if (rs[i].startsWith(":")) params[rs[i].slice(1)] = decodeURIComponent(segs[i]);
        else if (rs[i] !== segs[i]) {
          ok = false;
          break;
        }
        if (i === rs.length - 1 && segs.length !== rs.length) ok = false;
      }
      if (rs.length === 0 && segs.length !== 0) ok = false;
      if (ok) return { route, params };
    }
    return undefined;
  }

  async #handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const isSocket = request.headers.get("upgrade")?.toLowerCase() === "websocket";
    const found = this.#match(request.method, url.pathname, isSocket);
    if (found === undefined) {
      return errorResponse(
        new NotFoundError({ message: `No route for ${request.method} ${url.pathname}` }),
      );
    }
    const { route, params } = found;
    const ctx: RouteContext = {
      frontEnd: route.frontEnd,
      endpoint: route.endpoint,
      params,
      url,
      request,
    };
    const fault = route.frontEnd === "_control"
      ? { delayMs: 0, dropResponse: false }
      : this.faults.onRequest(route.frontEnd, route.endpoint);
    if (fault.delayMs > 0) await this.#latencyClock.sleep(fault.delayMs);
    if (fault.status !== undefined) {
      const headers: Record<string, string> = {};
      if (fault.retryAfterMs !== undefined) {
        headers["retry-after"] = String(Math.ceil(fault.retryAfterMs / 1000));
      }
      return Response.json({ error: "fault", message: `injected HTTP ${fault.status}` }, {
        status: fault.status,
        headers,
      });
    }
    if (route.socket !== undefined) {
      const refusal = await route.accept?.(ctx);
      if (refusal !== undefined) return refusal;
      // The request is closed once upgraded; handlers still need its handshake headers
      // (GRVT's cookie, EdgeX's signed headers), so they get a copy.
      ctx.request = new Request(request.url, { headers: new Headers(request.headers) });
      const { socket, response } = Deno.upgradeWebSocket(request);
      const sim = new SimSocket(socket, route.frontEnd, url.pathname, this.faults);
      this.#sockets.add(sim);
      sim.onClose(() => this.#sockets.delete(sim));
      socket.addEventListener("open", () => {
        if (this.#closed) sim.close(1001, "server closing");
        else route.socket!(sim, ctx);
      });
      return response;
    }
    let response: Response;
    try {
      const result = await route.rest!(ctx);
      response = result instanceof Response ? result : Response.json(result ?? null);
    } catch (err) {
      response = errorResponse(err);
    }
    if (fault.dropResponse) {
      // The request took effect; the client sees the connection fail while reading the body.
      await response.body?.cancel();
      return new Response(
        new ReadableStream({
          start(controller) {
            controller.error(new Error("fault: response dropped"));
          },
        }),
        { status: 200, headers: { "content-type": "application/json" } },
      );
    }
    if (fault.garbleResponse) {
      // The request took effect; what comes back is not the venue's answer (a proxy's page,
      // nothing, half of it, or the right shape with the wrong types).
      const body = fault.garbleBody ?? "html";
      let real = "";
      if (body === "truncated" || body === "wrong_types") real = await response.text();
      else await response.body?.cancel();
      return new Response(this.faults.garble(body, real), {
        status: 200,
        headers: { "content-type": "application/json" },
      });
    }
    return response;
  }

  /**
   * Closes every socket and stops the server.
   *
   * @returns Resolves once the server has finished.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#sockets) s.close(1001, "server closing");
    await this.#server.shutdown();
  }

  /** Same as {@linkcode SimServer.close}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
