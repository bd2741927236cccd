import { deepEqual, ok } from "node:assert/strict";
import { signEdgeXRequest } from "../../exchanges/edgex/auth.ts";
import { startEdgeXReplica } from "./mod.ts";

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
