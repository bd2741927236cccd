/**
 * Drives virtual time over real loopback I/O. A venue replica and its real client talk over
 * HTTP and WebSocket on 127.0.0.1 while the engine, the bot and every client-side timeout run
 * on one {@linkcode ManualClock}. `ManualClock.advance` only flushes microtasks, so on its own
 * it would run hours of virtual time before a single loopback request is answered (and fire
 * every client timeout spuriously).
 *
 * {@linkcode LoopbackDriver} advances the clock in small steps and, between steps, waits until
 * the wire is quiet: no `fetch` in flight (its body included), no WebSocket still connecting,
 * every WebSocket frame sent has been received by its peer, and no I/O activity across a few
 * event-loop turns. Waiting is event-driven (event-loop turns), not a tuned sleep; the one
 * bound is a real-time stall limit for frames that can never arrive (a socket closed with
 * frames in flight), after which the frame books are balanced again.
 *
 * The probes wrap `globalThis.fetch`, `globalThis.WebSocket`, `WebSocket.prototype.send` and
 * `Deno.upgradeWebSocket` once, when this module is first imported; install it before any
 * client or replica is created.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import type { ManualClock } from "../exchanges/_shared/clock.ts";

interface Wire {
  /** `fetch` calls whose response body has not been read yet. */
  fetches: number;
  /** WebSockets created by a client and not yet open or failed. */
  connecting: number;
  /** Frames sent on a tracked socket. */
  sent: number;
  /** Frames received on a tracked socket. */
  received: number;
  /** Bumped on every I/O event the probes see. */
  activity: number;
}

const wire: Wire = { fetches: 0, connecting: 0, sent: 0, received: 0, activity: 0 };
const tracked = new WeakSet<WebSocket>();

function track(socket: WebSocket): void {
  tracked.add(socket);
  socket.addEventListener("message", () => {
    wire.received++;
    wire.activity++;
  });
  socket.addEventListener("close", () => void wire.activity++);
}

function install(): void {
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    wire.fetches++;
    wire.activity++;
    try {
      const response = await realFetch(input, init);
      // Read the body here so "in flight" lasts until the answer is fully in.
      try {
        const body = await response.arrayBuffer();
        return new Response(response.status === 204 ? null : body, {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
        });
      } catch (error) {
        return new Response(
          new ReadableStream({
            start(controller) {
              controller.error(error);
            },
          }),
          { status: response.status, statusText: response.statusText, headers: response.headers },
        );
      }
    } finally {
      wire.fetches--;
      wire.activity++;
    }
  };

  const RealWebSocket = globalThis.WebSocket;
  globalThis.WebSocket = class extends RealWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      track(this);
      wire.connecting++;
      wire.activity++;
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        wire.connecting--;
        wire.activity++;
      };
      this.addEventListener("open", done);
      this.addEventListener("error", done);
      this.addEventListener("close", done);
    }
  } as typeof WebSocket;

  const realSend = RealWebSocket.prototype.send;
  RealWebSocket.prototype.send = function (this: WebSocket, data) {
    if (tracked.has(this) && this.readyState === RealWebSocket.OPEN) {
      wire.sent++;
      wire.activity++;
    }
    return realSend.call(this, data);
  };

  const realUpgrade = Deno.upgradeWebSocket;
  const upgrade = (request: Request, options?: Deno.UpgradeWebSocketOptions) => {
    const result = realUpgrade(request, options);
    track(result.socket);
    return result;
  };
  Object.defineProperty(Deno, "upgradeWebSocket", { value: upgrade, configurable: true });
}

install();

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Options of {@linkcode LoopbackDriver}. */
export interface LoopbackDriverOptions {
  /** Largest virtual step between two waits for the wire. @default {1000} */
  stepMs?: number;
  /** Event-loop turns with no I/O activity that count as quiet. @default {3} */
  quietTurns?: number;
  /**
   * Real milliseconds a wire with frames or requests still owed may stay inactive before the
   * owed frames are written off (a socket that closed with frames in flight). @default {50}
   */
  stallMs?: number;
}

/**
 * Advances a {@linkcode ManualClock} in steps, letting real loopback I/O settle between steps.
 *
 * @example
 * ```ts ignore
 * const driver = new LoopbackDriver(clock);
 * await driver.advance(3_600_000); // an hour of market, in seconds
 * ```
 */
export class LoopbackDriver {
  readonly #clock: ManualClock;
  readonly #stepMs: number;
  readonly #quietTurns: number;
  readonly #stallMs: number;
  /** Times the stall limit wrote off owed frames or gave up on a request. */
  stalls = 0;

  /**
   * @param clock The clock the venue, the clients and the bot share.
   * @param options Step size and quiet rules.
   */
  constructor(clock: ManualClock, options: LoopbackDriverOptions = {}) {
    this.#clock = clock;
    this.#stepMs = options.stepMs ?? 1_000;
    this.#quietTurns = options.quietTurns ?? 3;
    this.#stallMs = options.stallMs ?? 50;
  }

  /**
   * Waits until the wire is quiet: nothing in flight and no activity for a few turns.
   *
   * @returns Resolves once quiet.
   */
  async settle(): Promise<void> {
    let quiet = 0;
    let seen = wire.activity;
    let idleSince = performance.now();
    for (;;) {
      await turn();
      if (wire.activity !== seen) {
        seen = wire.activity;
        quiet = 0;
        idleSince = performance.now();
        continue;
      }
      const owed = wire.fetches > 0 || wire.connecting > 0 || wire.sent !== wire.received;
      if (!owed) {
        if (++quiet >= this.#quietTurns) return;
        continue;
      }
      // Something is owed: give the loopback a real moment rather than spinning.
      if (performance.now() - idleSince > this.#stallMs) {
        this.stalls++;
        // Frames to a closed socket never arrive; a request may wait on virtual time (a
        // latency fault, a timeout): either way, virtual time must move on.
        wire.received = wire.sent;
        return;
      }
      await realDelay(1);
    }
  }

  /**
   * Advances virtual time by `ms`, in steps, settling the wire before and after each step.
   *
   * @param ms Virtual milliseconds.
   * @param stepMs Step size. @default {the driver's step}
   * @returns Resolves once the time has passed and the wire is quiet.
   */
  async advance(ms: number, stepMs: number = this.#stepMs): Promise<void> {
    const target = this.#clock.now() + ms;
    await this.settle();
    while (this.#clock.now() < target) {
      await this.#clock.advance(Math.min(stepMs, target - this.#clock.now()));
      await this.settle();
    }
  }
}
