/**
 * A loopback server with the part of {@linkcode SimServer}'s interface the GRVT replica uses,
 * for the trading host only: GRVT authenticates the trading WebSocket by its handshake headers
 * (cookie and `X-Grvt-Account-Id`, grvt.md §7.1), and `SimServer` calls socket handlers once
 * the socket is open, when Deno no longer lets the request's headers be read. This server
 * hands socket handlers a copy of the handshake request. Faults (request faults on every route,
 * frame faults through {@linkcode SimSocket}) apply exactly as in `SimServer`.
 *
 * @module
 */
import { systemClock } from "../../exchanges/_shared/clock.ts";
import type { FaultInjector } from "../faults.ts";
import { type RestHandler, type RouteContext, SimSocket, type SocketHandler } from "../server.ts";

interface Route {
  frontEnd: string;
  method: string;
  path: string;
  endpoint: string;
  rest?: RestHandler;
  socket?: SocketHandler;
}

/** A minimal HTTP + WebSocket server whose socket handlers can read the handshake headers. */
export class HandshakeServer {
  /** Base URL. */
  readonly url: string;
  readonly #faults: FaultInjector;
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #routes: Route[] = [];
  readonly #sockets = new Set<SimSocket>();
  #closed = false;

  /**
   * Starts listening on 127.0.0.1 (a free port).
   *
   * @param faults The injector every request and frame goes through.
   */
  constructor(faults: FaultInjector) {
    this.#faults = faults;
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (req) => this.#handle(req),
    );
    this.url = `http://127.0.0.1:${this.#server.addr.port}`;
  }

  /** Registers a REST route (exact path). */
  route(
    frontEnd: string,
    method: string,
    path: string,
    handler: RestHandler,
    options: { endpoint?: string } = {},
  ): void {
    this.#routes.push({
      frontEnd,
      method,
      path,
      endpoint: options.endpoint ?? path,
      rest: handler,
    });
  }

  /** Registers a WebSocket route (exact path). */
  websocket(frontEnd: string, path: string, handler: SocketHandler): void {
    this.#routes.push({ frontEnd, method: "GET", path, endpoint: path, socket: handler });
  }

  /** Open sockets of a front-end. */
  sockets(frontEnd?: string): SimSocket[] {
    return [...this.#sockets].filter((s) =>
      s.open && (frontEnd === undefined || s.frontEnd === frontEnd)
    );
  }

  async #handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const isSocket = request.headers.get("upgrade")?.toLowerCase() === "websocket";
    const route = this.#routes.find((r) =>
      r.path === url.pathname && (r.socket !== undefined) === isSocket &&
      (r.method === "*" || r.method === request.method)
    );
    if (route === undefined) {
      return Response.json({ code: 1004, message: "Data Not Found", status: 404 }, {
        status: 404,
      });
    }
    const fault = this.#faults.onRequest(route.frontEnd, route.endpoint);
    if (fault.delayMs > 0) await systemClock.sleep(fault.delayMs);
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
      // Copied now: once upgraded, the original request's headers can no longer be read.
      const handshake = new Request(request.url, { headers: new Headers(request.headers) });
      const ctx: RouteContext = {
        frontEnd: route.frontEnd,
        endpoint: route.endpoint,
        params: {},
        url,
        request: handshake,
      };
      const { socket, response } = Deno.upgradeWebSocket(request);
      const sim = new SimSocket(socket, route.frontEnd, url.pathname, this.#faults);
      this.#sockets.add(sim);
      sim.onClose(() => this.#sockets.delete(sim));
      socket.addEventListener("open", () => {
        if (this.#closed) sim.close(1001, "server closing");
        else route.socket!(sim, ctx);
      });
      return response;
    }
    const ctx: RouteContext = {
      frontEnd: route.frontEnd,
      endpoint: route.endpoint,
      params: {},
      url,
      request,
    };
    const result = await route.rest!(ctx);
    const response = result instanceof Response ? result : Response.json(result ?? null);
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
    return response;
  }

  /** Closes every socket and stops the server. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#sockets) s.close(1001, "server closing");
    await this.#server.shutdown();
  }
}
