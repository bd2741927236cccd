import { deepStrictEqual as deepEqual, ok } from "node:assert/strict";
import { edgeXPrivateWsAuth, signEdgeXRequest } from "../../exchanges/edgex/auth.ts";
import { EDGEX_FRONT_END, startEdgeXReplica } from "./mod.ts";

Deno.test("the replica answers errors in the EdgeX envelope", async () => {
  await using replica = startEdgeXReplica();
  const c = replica.credentials;
  const path = "/api/v2/private/account/getAccountAsset";
  const query = { accountId: c.accountId };
  const good = signEdgeXRequest({ method: "GET", path, query }, {
    apiKey: c.apiKey,
    secret: c.apiSecret,
    passphrase: c.apiPassphrase,
    timestamp: replica.clock.now(),
  });
  const url = `${replica.restUrl}${path}?accountId=${c.accountId}`;
  const ok1 = await (await fetch(url, { headers: good })).json();
  deepEqual(ok1.code, "SUCCESS");
  const badSig = { ...good, "X-edgeX-Signature": "0".repeat(64) };
  const r = await fetch(url, { headers: badSig });
  deepEqual(r.status, 401);
  const body = await r.json();
  deepEqual([body.code, body.data], ["SIGNATURE_ERROR", null]);
  ok(typeof body.traceId === "string");
  const legacy: Record<string, string> = {
    "X-edgeX-Api-Key": c.apiKey,
    "X-edgeX-Passphrase": c.apiPassphrase,
    "X-edgeX-Api-Timestamp": good["X-edgeX-Timestamp"],
    "X-edgeX-Api-Signature": good["X-edgeX-Signature"],
  };
  const l = await (await fetch(url, { headers: legacy })).json();
  deepEqual(l.code, "AUTHENTICATION_FAILED");
  const pub = await (await fetch(`${replica.restUrl}/api/v2/public/quote/getTicker`)).json();
  deepEqual(pub.data, [], "no contractId: [] as on the live gateway");
});

Deno.test("the replica closes a public socket after 5 unanswered pings", async () => {
  await using replica = startEdgeXReplica({ pingIntervalMs: 5 });
  const ws = new WebSocket(`${replica.wsUrl}/api/v1/public/ws`);
  let pings = 0;
  ws.onmessage = (m) => {
    if (JSON.parse(m.data).type === "ping") pings++;
  };
  await new Promise((r) => (ws.onclose = r));
  deepEqual(pings, 5);
});

Deno.test("the private stream refuses any client message but ping/pong", async () => {
  await using replica = startEdgeXReplica();
  const { edgeXPrivateWsAuth } = await import("../../exchanges/edgex/auth.ts");
  const c = replica.credentials;
  const auth = edgeXPrivateWsAuth(c.accountId, {
    apiKey: c.apiKey,
    secret: c.apiSecret,
    passphrase: c.apiPassphrase,
  }, { wsUrl: replica.wsUrl, clock: replica.clock });
  const ws = new WebSocket(auth.url, { headers: auth.headers });
  const frames: { type: string; content?: { event?: string; code?: string } }[] = [];
  const got = (pred: (f: (typeof frames)[number]) => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => (frames.some(pred) ? resolve() : setTimeout(check, 2));
      check();
    });
  ws.onmessage = (m) => frames.push(JSON.parse(m.data));
  await got((f) => f.content?.event === "Snapshot");
  deepEqual(frames[0].type, "connected");
  ws.send(JSON.stringify({ type: "subscribe", channel: "depth.30000001.15" }));
  await got((f) => f.type === "error");
  deepEqual(frames.find((f) => f.type === "error")?.content?.code, "GATEWAY_UNRECOGNIZED_MESSAGE");
  const closed = new Promise((r) => (ws.onclose = r));
  ws.close();
  await closed;
});

type Frame = Record<string, unknown>;
const received = new WeakMap<WebSocket, Frame[]>();

/** Opens a socket that records every frame from the start. */
function open(url: string, init?: string[] | { headers: Record<string, string> }): WebSocket {
  const ws = Array.isArray(init) ? new WebSocket(url, init) : new WebSocket(url, init);
  const frames: Frame[] = [];
  received.set(ws, frames);
  ws.addEventListener("message", (m) => frames.push(JSON.parse(m.data)));
  return ws;
}

/** Resolves with the first recorded frame matching `pred`, or the close code if none came. */
function nextFrame(ws: WebSocket, pred: (f: Frame) => boolean): Promise<Frame | number> {
  return new Promise((resolve) => {
    const check = () => received.get(ws)!.find(pred);
    const found = check();
    if (found) return resolve(found);
    const onMessage = () => {
      const f = check();
      if (f === undefined) return;
      ws.removeEventListener("message", onMessage);
      resolve(f);
    };
    ws.addEventListener("message", onMessage);
    ws.addEventListener("close", (e) => resolve(check() ?? e.code), { once: true });
  });
}

async function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return;
  const closed = new Promise((r) => ws.addEventListener("close", r, { once: true }));
  ws.close();
  await closed;
}

function privateAuth(
  replica: ReturnType<typeof startEdgeXReplica>,
  at: number,
): ReturnType<typeof edgeXPrivateWsAuth> {
  const c = replica.credentials;
  return edgeXPrivateWsAuth(c.accountId, {
    apiKey: c.apiKey,
    secret: c.apiSecret,
    passphrase: c.apiPassphrase,
  }, { wsUrl: replica.wsUrl, clock: { now: () => at } });
}

Deno.test("the private handshake is checked before the upgrade: 401 in the error envelope", async () => {
  await using replica = startEdgeXReplica();
  const now = replica.clock.now();
  const refused = async (url: string, headers: Record<string, string>) => {
    const res = await fetch(url.replace(/^ws/, "http"), {
      headers: {
        ...headers,
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": btoa("0123456789abcdef"),
      },
    });
    const body = await res.json();
    return [res.status, body.code, body.data] as const;
  };
  const stale = privateAuth(replica, now - 61_000);
  deepEqual(await refused(stale.url, stale.headers), [401, "AUTHENTICATION_FAILED", null]);
  const good = privateAuth(replica, now - 59_000);
  const forged = { ...good.headers, "X-edgeX-Signature": "0".repeat(64) };
  deepEqual(await refused(good.url, forged), [401, "AUTHENTICATION_FAILED", null]);
  deepEqual(await refused(good.url, {}), [401, "AUTHENTICATION_FAILED", null]);
  const otherAccount = good.url.replace(replica.credentials.accountId, "1");
  deepEqual(await refused(otherAccount, good.headers), [401, "AUTHENTICATION_FAILED", null]);
  deepEqual(await refused(`${replica.wsUrl}/api/v1/nowhere`, {}), [404, "NOT_FOUND", undefined]);
  deepEqual(replica.server.sockets().length, 0);
  // A WebSocket client sees the refusal as a failed connection.
  const ws = new WebSocket(stale.url, { headers: stale.headers });
  const failed = await new Promise<boolean>((resolve) => {
    ws.onerror = () => resolve(true);
    ws.onopen = () => resolve(false);
  });
  ok(failed);
  await closeSocket(ws);
});

Deno.test("the private handshake is accepted by headers or by subprotocol", async () => {
  await using replica = startEdgeXReplica();
  const auth = privateAuth(replica, replica.clock.now() + 30_000);
  const byHeaders = open(auth.url, { headers: auth.headers });
  const byProtocol = open(auth.url, [auth.protocol]);
  for (const ws of [byHeaders, byProtocol]) {
    const snap = await nextFrame(
      ws,
      (f) => (f.content as { event?: string })?.event === "Snapshot",
    );
    ok(typeof snap === "object", `snapshot, not close code ${snap}`);
  }
  deepEqual(replica.server.sockets(EDGEX_FRONT_END).map((s) => s.path), [
    "/api/v1/private/ws",
    "/api/v1/private/ws",
  ]);
  await closeSocket(byHeaders);
  await closeSocket(byProtocol);
});

Deno.test("both streams live on the SimServer: sockets(), dropConnections() and faults", async () => {
  await using replica = startEdgeXReplica();
  const auth = privateAuth(replica, replica.clock.now());
  const pub = open(`${replica.wsUrl}/api/v1/public/ws`);
  const priv = open(auth.url, { headers: auth.headers });
  ok(typeof await nextFrame(pub, (f) => f.type === "connected") === "object");
  ok(typeof await nextFrame(priv, (f) => f.type === "connected") === "object");
  deepEqual(replica.server.sockets(EDGEX_FRONT_END).map((s) => s.path).sort(), [
    "/api/v1/private/ws",
    "/api/v1/public/ws",
  ]);

  const pubClosed = nextFrame(pub, () => false);
  const privClosed = nextFrame(priv, () => false);
  replica.dropConnections();
  deepEqual([await pubClosed, await privClosed], [4000, 4000]);
  deepEqual(replica.server.sockets().length, 0);

  // A request fault on the private stream's handshake is applied by the one server.
  replica.control.injectFault({
    kind: "error",
    frontEnd: EDGEX_FRONT_END,
    target: "/api/v1/private/ws",
    status: 503,
    times: 1,
  });
  const faulted = open(auth.url, { headers: auth.headers });
  const outcome = await nextFrame(faulted, () => true);
  ok(typeof outcome === "number", "the handshake failed: no frame");
  await closeSocket(faulted);

  // A frame fault on the public stream: the connection is dropped when the snapshot is sent.
  replica.control.injectFault({
    kind: "drop_connection",
    frontEnd: EDGEX_FRONT_END,
    target: "depth.30000001.15",
    times: 1,
  });
  const again = open(`${replica.wsUrl}/api/v1/public/ws`);
  await nextFrame(again, (f) => f.type === "connected");
  again.send(JSON.stringify({ type: "subscribe", channel: "depth.30000001.15" }));
  deepEqual(await nextFrame(again, () => false), 4000);
  deepEqual(received.get(again)!.map((f) => f.type), ["connected", "subscribed"], "no snapshot");
  await closeSocket(again);
});
