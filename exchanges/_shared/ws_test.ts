import {
  deepStrictEqual as deepEqual,
  ok,
  rejects,
  strictEqual as equal,
  throws,
} from "node:assert/strict";
import { ManualClock } from "./clock.ts";
import {
  AuthenticationError,
  ConfigurationError,
  NetworkError,
  type PerpError,
  TimeoutError,
} from "../../core/errors.ts";
import {
  createWsTransport,
  type WsMessage,
  type WsStateEvent,
  type WsTransportOptions,
} from "./ws.ts";

/**
 * Fails instead of hanging when an awaited event never comes. A guard against a stuck test,
 * not a timing assertion: nothing here depends on how fast things happen.
 */
function guard<T>(promise: Promise<T>, what: string): Promise<T> {
  let id: ReturnType<typeof setTimeout> | undefined;
  const stuck = new Promise<never>((_, reject) => {
    id = setTimeout(() => reject(new Error(`still waiting for ${what} after 10 s`)), 10_000);
  });
  return Promise.race([promise, stuck]).finally(() => clearTimeout(id));
}

/** One accepted connection, seen from the server. */
interface Peer {
  socket: WebSocket;
  headers: Headers;
  /** Text frames received, in order. */
  received: string[];
  closed: Promise<CloseEvent>;
}

/** A local WebSocket server for one test. */
function startServer(onPeer: (peer: Peer) => void = () => {}) {
  const peers: Peer[] = [];
  const changed = new Set<() => void>();
  const notify = () => {
    for (const f of [...changed]) f();
  };
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
    const headers = new Headers(req.headers);
    const { socket, response } = Deno.upgradeWebSocket(req);
    const peer: Peer = {
      socket,
      headers,
      received: [],
      closed: new Promise((resolve) => socket.addEventListener("close", resolve, { once: true })),
    };
    socket.addEventListener("message", (e) => {
      peer.received.push(typeof e.data === "string" ? e.data : "<binary>");
      notify();
    });
    socket.addEventListener("open", () => {
      peers.push(peer);
      onPeer(peer);
      notify();
    });
    peer.closed.then(notify);
    return response;
  });
  return {
    url: `ws://127.0.0.1:${server.addr.port}`,
    peers,
    /** Resolves once `check()` holds; re-checked whenever the server sees something. */
    until(check: () => boolean): Promise<void> {
      if (check()) return Promise.resolve();
      return guard(
        new Promise((resolve) => {
          const f = () => {
            if (check()) {
              changed.delete(f);
              resolve();
            }
          };
          changed.add(f);
        }),
        `the server to see: ${check}`,
      );
    },
    async [Symbol.asyncDispose]() {
      for (const p of peers) {
        if (p.socket.readyState < WebSocket.CLOSING) p.socket.close();
      }
      await Promise.all(peers.map((p) => p.closed));
      await server.shutdown();
    },
  };
}

/** Collects state events and lets a test wait for the n-th one. */
function recordStates(t: { onStateChange(h: (e: WsStateEvent) => void): () => void }) {
  const events: WsStateEvent[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  t.onStateChange((e) => {
    events.push(e);
    for (const w of waiters.filter((w) => events.length >= w.n)) w.resolve();
  });
  return {
    events,
    states: () => events.map((e) => e.state),
    count(n: number): Promise<void> {
      if (events.length >= n) return Promise.resolve();
      return guard(
        new Promise((resolve) => waiters.push({ n, resolve })),
        `state event #${n} (so far: ${events.map((e) => e.state).join(", ")})`,
      );
    },
  };
}

function transport(url: string, extra: Partial<WsTransportOptions> = {}) {
  return createWsTransport({ venue: "lighter", url, clock: new ManualClock(), ...extra });
}

Deno.test("WsTransport sends JSON and raw frames and delivers text, JSON and binary frames", async () => {
  await using server = startServer((peer) => {
    peer.socket.send(JSON.stringify({ channel: "order_book/1", seq: 1 }));
    peer.socket.send("plain text");
    peer.socket.send(new Uint8Array([1, 2, 3]));
  });
  await using ws = transport(server.url);
  const viaCallback: WsMessage[] = [];
  ws.onMessage((m) => viaCallback.push(m));
  const frames = ws.messages();
  await ws.connect();
  equal(ws.state, "connected");

  const a = await frames.next();
  const b = await frames.next();
  const c = await frames.next();
  deepEqual(a.value, {
    data: { channel: "order_book/1", seq: 1 },
    json: true,
    raw: '{"channel":"order_book/1","seq":1}',
  });
  deepEqual(b.value, { data: undefined, json: false, raw: "plain text" });
  deepEqual(c.value?.raw, new Uint8Array([1, 2, 3]));
  equal(c.value?.json, false);
  deepEqual(viaCallback.map((m) => m.raw), [a.value?.raw, b.value?.raw, c.value?.raw]);

  ws.send({ type: "sendtx", nonce: 2n ** 63n });
  ws.sendRaw("ping");
  await server.until(() => server.peers[0].received.length === 2);
  deepEqual(server.peers[0].received, ['{"type":"sendtx","nonce":"9223372036854775808"}', "ping"]);
});

Deno.test("WsTransport hands frames its decoder reads as decoded, and parses the rest as JSON", async () => {
  await using server = startServer((peer) => {
    peer.socket.send("B|1|2");
    peer.socket.send('{"type":"ping"}');
    peer.socket.send("B|broken");
  });
  await using ws = transport(server.url, {
    decode: (raw) => {
      if (!raw.startsWith("B|")) return undefined;
      const [, a, b] = raw.split("|");
      if (b === undefined) throw new Error("not a B frame after all");
      return { a: Number(a), b: Number(b) };
    },
  });
  const frames = ws.messages();
  await ws.connect();
  deepEqual((await frames.next()).value, {
    data: { a: 1, b: 2 },
    json: false,
    raw: "B|1|2",
    decoded: true,
  });
  deepEqual((await frames.next()).value, {
    data: { type: "ping" },
    json: true,
    raw: '{"type":"ping"}',
  });
  // A decoder that throws is "not mine": the frame takes the JSON path (and is not JSON).
  deepEqual((await frames.next()).value, { data: undefined, json: false, raw: "B|broken" });
});

Deno.test("WsTransport sends the heartbeat every intervalMs of clock time", async () => {
  await using server = startServer();
  const clock = new ManualClock();
  await using ws = transport(server.url, {
    clock,
    heartbeat: { intervalMs: 1_000, message: () => ({ type: "ping" }) },
  });
  await ws.connect();
  await clock.advance(999);
  equal(server.peers[0].received.length, 0);
  await clock.advance(1);
  await server.until(() => server.peers[0].received.length === 1);
  await clock.advance(1_000);
  await server.until(() => server.peers[0].received.length === 2);
  deepEqual(server.peers[0].received, ['{"type":"ping"}', '{"type":"ping"}']);
});

Deno.test("WsTransport sends a string heartbeat as a raw text frame", async () => {
  await using server = startServer();
  const clock = new ManualClock();
  await using ws = transport(server.url, {
    clock,
    heartbeat: { intervalMs: 3_000, message: () => "ping" },
  });
  await ws.connect();
  await clock.advance(3_000);
  await server.until(() => server.peers[0].received.length === 1);
  deepEqual(server.peers[0].received, ["ping"]);
});

Deno.test("WsTransport lets a message handler answer the venue's ping", async () => {
  await using server = startServer((peer) =>
    peer.socket.send('{"type":"ping","time":"1693208170000"}')
  );
  await using ws = transport(server.url, { venue: "edgex" });
  ws.onMessage(({ data }) => {
    const m = data as { type?: string; time?: string };
    if (m.type === "ping") ws.send({ type: "pong", time: m.time });
  });
  await ws.connect();
  await server.until(() => server.peers[0].received.length === 1);
  deepEqual(JSON.parse(server.peers[0].received[0]), { type: "pong", time: "1693208170000" });
});

Deno.test("WsTransport reconnects after the server drops it, logs in again and re-sends subscriptions", async () => {
  await using server = startServer();
  const clock = new ManualClock();
  const opens: boolean[] = [];
  await using ws = transport(server.url, {
    clock,
    reconnect: { baseDelayMs: 1_000, jitter: "none" },
    onOpen: (t, { firstConnection }) => {
      opens.push(firstConnection);
      t.send({ type: "login" });
    },
  });
  const states = recordStates(ws);
  const frames = ws.messages();
  const keyA = ws.subscribe({ type: "subscribe", channel: "order_book/1" });
  ws.subscribe({ type: "subscribe", channel: "trade/1" }, { key: "trades" });
  await ws.connect();
  equal(keyA, '{"type":"subscribe","channel":"order_book/1"}');
  ws.subscribe({ type: "subscribe", channel: "account_all/7" }, { key: "account" });
  ok(ws.unsubscribe("trades", { message: { type: "unsubscribe", channel: "trade/1" } }));
  equal(ws.unsubscribe("never-registered"), false);
  const first = server.peers[0];
  await server.until(() => first.received.length === 5);
  deepEqual(first.received.map((r) => JSON.parse(r)), [
    { type: "login" },
    { type: "subscribe", channel: "order_book/1" },
    { type: "subscribe", channel: "trade/1" },
    { type: "subscribe", channel: "account_all/7" },
    { type: "unsubscribe", channel: "trade/1" },
  ]);

  first.socket.close(1011, "restart");
  await states.count(2);
  deepEqual(states.states(), ["connected", "reconnecting"]);
  ok(states.events[1].error instanceof NetworkError);
  ok(states.events[1].error.message.includes("closed by the server (code 1011, restart)"));
  equal(ws.state, "reconnecting");
  await clock.advance(999);
  equal(server.peers.length, 1, "waits the backoff delay before reconnecting");
  await clock.advance(1);
  await states.count(3);
  deepEqual(states.states(), ["connected", "reconnecting", "connected"]);
  const second = server.peers[1];
  await server.until(() => second.received.length === 3);
  deepEqual(second.received.map((r) => JSON.parse(r)), [
    { type: "login" },
    { type: "subscribe", channel: "order_book/1" },
    { type: "subscribe", channel: "account_all/7" },
  ]);
  deepEqual(opens, [true, false]);

  second.socket.send('{"after":"reconnect"}');
  deepEqual((await frames.next()).value?.data, { after: "reconnect" });
  await ws.close();
  deepEqual(states.states(), ["connected", "reconnecting", "connected", "disconnected"]);
  equal((await frames.next()).done, true);
});

Deno.test("WsTransport replaces a connection that receives nothing for idleTimeoutMs", async () => {
  await using server = startServer();
  const clock = new ManualClock();
  await using ws = transport(server.url, {
    clock,
    idleTimeoutMs: 5_000,
    reconnect: { random: () => 0 },
  });
  const states = recordStates(ws);
  const frames = ws.messages();
  await ws.connect();
  await clock.advance(3_000);
  server.peers[0].socket.send('{"tick":1}');
  await frames.next();
  await clock.advance(4_999);
  deepEqual(states.states(), ["connected"], "a message pushed the idle deadline back");
  await clock.advance(1);
  await states.count(3);
  deepEqual(states.states(), ["connected", "reconnecting", "connected"]);
  ok(states.events[1].error instanceof TimeoutError);
  ok(states.events[1].error.message.includes("nothing received for 5000 ms"));
  equal(server.peers.length, 2);
  await server.until(() => server.peers[0].socket.readyState === WebSocket.CLOSED);
});

Deno.test("connect() times out against a server that accepts TCP but never upgrades", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const clock = new ManualClock();
  await using ws = transport(`ws://127.0.0.1:${listener.addr.port}`, {
    clock,
    connectTimeoutMs: 2_000,
  });
  // Catch at once: the rejection happens inside clock.advance(), before any later await.
  const attempt = ws.connect().then(() => undefined, (e: unknown) => e);
  using _conn = await listener.accept();
  await clock.advance(1_999);
  equal(ws.state, "connecting");
  await clock.advance(1);
  const e = await attempt;
  ok(e instanceof TimeoutError, String(e));
  equal(e.timeoutMs, 2_000);
  equal(ws.state, "disconnected");
});

Deno.test("connect() throws NetworkError when nothing listens", async () => {
  const port = (() => {
    using l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    return l.addr.port;
  })();
  await using ws = transport(`ws://127.0.0.1:${port}/stream?auth=tok-0123456789abcdef`);
  const e = await ws.connect().then(() => undefined, (e: unknown) => e);
  ok(e instanceof NetworkError && !(e instanceof TimeoutError), String(e));
  ok(!String(e).includes("tok-0123456789abcdef"), String(e));
  ok(!String((e as PerpError).cause).includes("tok-0123456789abcdef"));
});

Deno.test("close() ends iterators, cancels timers and stops reconnecting", async () => {
  await using server = startServer();
  const clock = new ManualClock();
  const ws = transport(server.url, {
    clock,
    heartbeat: { intervalMs: 1_000, message: () => ({ type: "ping" }) },
    idleTimeoutMs: 10_000,
    reconnect: { baseDelayMs: 5_000, jitter: "none" },
  });
  const states = recordStates(ws);
  const frames = ws.messages();
  const pending = frames.next();
  await ws.connect();
  server.peers[0].socket.close();
  await states.count(2);
  equal(ws.state, "reconnecting");
  ok(clock.pending > 0, "the reconnect waits on the clock");
  await ws.close();
  equal(ws.state, "closed");
  equal((await pending).done, true);
  equal(
    (await ws.messages().next()).done,
    true,
    "a new iterator on a closed transport ends at once",
  );
  equal(clock.pending, 0, "no timer left behind");
  await clock.advance(60_000);
  equal(server.peers.length, 1);
  deepEqual(states.states(), ["connected", "reconnecting", "disconnected"]);
  await rejects(ws.connect(), NetworkError);
  await ws.close();
});

Deno.test("close() closes an open connection with code 1000", async () => {
  await using server = startServer();
  const ws = transport(server.url);
  await ws.connect();
  await ws.close();
  const event = await server.peers[0].closed;
  equal(event.code, 1000);
  throws(() => ws.send({}), NetworkError);
});

Deno.test("WsTransport stops reconnecting when onOpen fails with a non-retryable error", async () => {
  await using server = startServer();
  let opens = 0;
  await using ws = transport(server.url, {
    reconnect: { random: () => 0 },
    onOpen: () => {
      if (++opens > 1) {
        throw new AuthenticationError({ venue: "lighter", message: "token expired" });
      }
    },
  });
  const states = recordStates(ws);
  const frames = ws.messages();
  await ws.connect();
  server.peers[0].socket.close();
  await states.count(3);
  deepEqual(states.states(), ["connected", "reconnecting", "disconnected"]);
  ok(states.events[2].error instanceof AuthenticationError);
  equal(ws.state, "disconnected");
  await rejects(frames.next(), AuthenticationError);
  equal(opens, 2);
});

Deno.test("WsTransport gives up after maxAttempts failed reconnects", async () => {
  const server = startServer();
  const ws = transport(server.url, { reconnect: { random: () => 0, maxAttempts: 2 } });
  const states = recordStates(ws);
  await ws.connect();
  await server[Symbol.asyncDispose]();
  await states.count(3);
  deepEqual(states.states(), ["connected", "reconnecting", "disconnected"]);
  ok(states.events[2].error instanceof NetworkError);
  await ws.close();
});

Deno.test("connect() while reconnecting waits for the reconnect", async () => {
  await using server = startServer();
  const clock = new ManualClock();
  await using ws = transport(server.url, {
    clock,
    reconnect: { baseDelayMs: 100, jitter: "none" },
  });
  const states = recordStates(ws);
  await ws.connect();
  server.peers[0].socket.close();
  await states.count(2);
  const again = ws.connect();
  await clock.advance(100);
  await again;
  equal(ws.state, "connected");
});

Deno.test("messages() ends when its signal aborts and errors when the consumer falls behind", async () => {
  await using server = startServer((peer) => {
    for (let i = 0; i < 3; i++) peer.socket.send(`{"i":${i}}`);
  });
  await using ws = transport(server.url);
  const controller = new AbortController();
  const stopped = ws.messages({ signal: controller.signal });
  const slow = ws.messages({ highWaterMark: 2 });
  const all = ws.messages();
  await ws.connect();
  for (let i = 0; i < 3; i++) equal(((await all.next()).value?.data as { i: number }).i, i);
  controller.abort();
  equal((await stopped.next()).done, true);
  await rejects(slow.next(), /fell 2 messages behind/);
  equal((await slow.next()).done, true);
});

Deno.test("WsTransport sends handshake headers when given", async () => {
  await using server = startServer();
  await using ws = transport(server.url, { headers: { cookie: "gravity=session-cookie-value" } });
  await ws.connect();
  equal(server.peers[0].headers.get("cookie"), "gravity=session-cookie-value");
});

Deno.test("send() throws NetworkError before connect(); subscribe() waits for it", async () => {
  await using server = startServer();
  await using ws = transport(server.url);
  throws(() => ws.send({ a: 1 }), NetworkError);
  ws.subscribe({ a: 1 });
  await ws.connect();
  await server.until(() => server.peers[0].received.length === 1);
  deepEqual(server.peers[0].received, ['{"a":1}']);
});

Deno.test("createWsTransport() refuses a non-WebSocket URL and bad durations", () => {
  throws(() => createWsTransport({ venue: "grvt", url: "https://x.test" }), ConfigurationError);
  throws(() => createWsTransport({ venue: "grvt", url: "nope" }), ConfigurationError);
  throws(
    () => createWsTransport({ venue: "grvt", url: "wss://x.test", connectTimeoutMs: 0 }),
    ConfigurationError,
  );
  throws(
    () =>
      createWsTransport({
        venue: "grvt",
        url: "wss://x.test",
        heartbeat: { intervalMs: -1, message: () => "" },
      }),
    ConfigurationError,
  );
  throws(
    () => createWsTransport({ venue: "grvt", url: "wss://x.test", reconnect: { maxDelayMs: -1 } }),
    RangeError,
  );
});
