import { deepStrictEqual, equal, ok, rejects } from "node:assert/strict";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { SimControl } from "./control.ts";
import { SimEngine } from "./engine.ts";
import { SimServer } from "./server.ts";

function venue() {
  const clock = new ManualClock(0);
  const engine = new SimEngine({ clock });
  engine.addInstrument({ symbol: "BTC", tickSize: "0.1", sizeStep: "0.001" }, {
    markPrice: "60000",
  });
  const control = new SimControl(engine);
  const server = SimServer.start({ faults: control.faults });
  // A toy front-end: place an order, read an order.
  server.route("toy", "POST", "/orders", async ({ request }) => {
    const b = await request.json();
    return engine.placeOrder(b.account, b.order).order;
  });
  server.route(
    "toy",
    "GET",
    "/orders/:account/:cid",
    ({ params }) => engine.getOrder(params.account, { clientOrderId: params.cid }),
  );
  return { clock, engine, control, server };
}

async function post(url: string, body: unknown): Promise<Response> {
  return await fetch(url, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
}

Deno.test("routes take path parameters and unknown paths answer 404", async () => {
  const { server, engine } = venue();
  await using _ = server;
  engine.createAccount("me", { collateral: "10000" });
  const placed = await post(`${server.url}/orders`, {
    account: "me",
    order: { symbol: "BTC", side: "buy", size: "0.01", price: "59000", clientOrderId: "a1" },
  });
  equal((await placed.json()).status, "open");
  const read = await fetch(`${server.url}/orders/me/a1`);
  equal((await read.json()).price, "59000");
  const missing = await fetch(`${server.url}/nope`);
  equal(missing.status, 404);
  await missing.body?.cancel();
  const notFound = await fetch(`${server.url}/orders/me/zzz`);
  deepStrictEqual([notFound.status, (await notFound.json()).error], [404, "NotFoundError"]);
});

Deno.test("a lost response still places the order, and the retry with the same client id is refused", async () => {
  const { server, engine, control } = venue();
  await using _ = server;
  engine.createAccount("me", { collateral: "10000" });
  control.injectFault({ kind: "drop_response", frontEnd: "toy", target: "/orders", times: 1 });
  const order = { symbol: "BTC", side: "buy", size: "0.01", price: "59000", clientOrderId: "once" };
  await rejects(async () => {
    const res = await post(`${server.url}/orders`, { account: "me", order });
    await res.text();
  });
  deepStrictEqual(engine.openOrders("me").map((o) => o.clientOrderId), ["once"]);
  const retry = await post(`${server.url}/orders`, { account: "me", order });
  deepStrictEqual([retry.status, (await retry.json()).reason], [400, "duplicate_client_order_id"]);
  equal(engine.openOrders("me").length, 1);
});

Deno.test("rate-limited requests get 429 with Retry-After until the window passes", async () => {
  const { server, control, clock } = venue();
  await using _ = server;
  control.injectFault({ kind: "rate_limit", frontEnd: "toy", limit: 1, windowMs: 10_000 });
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await fetch(`${server.url}/orders/x/y`);
    statuses.push(r.status);
    if (r.status === 429) equal(r.headers.get("retry-after"), "10");
    await r.body?.cancel();
  }
  deepStrictEqual(statuses, [404, 429, 429]);
  await clock.advance(10_000);
  const after = await fetch(`${server.url}/orders/x/y`);
  equal(after.status, 404);
  await after.body?.cancel();
});

Deno.test("injected latency holds the response until the latency clock passes it", async () => {
  const latency = new ManualClock(0);
  await using server = SimServer.start({ latencyClock: latency });
  server.route("toy", "GET", "/slow", () => ({ ok: true }));
  server.faults.inject({ kind: "latency", delayMs: 5_000 });
  let done = false;
  const pending = fetch(`${server.url}/slow`).then(async (r) => {
    done = true;
    return await r.json();
  });
  while (latency.pending === 0) await new Promise((r) => setTimeout(r, 1));
  equal(done, false);
  await latency.advance(5_000);
  deepStrictEqual(await pending, { ok: true });
});

Deno.test("WebSocket frames pass through frame faults and a dropped connection closes the socket", async () => {
  await using server = SimServer.start();
  server.websocket("toy", "/ws", (socket) => {
    socket.onMessage((m) => {
      for (let i = 1; i <= 4; i++) socket.send("trades", { seq: i, m });
      socket.send("orders", { bye: true });
    });
  });
  server.faults.inject({ kind: "gap", frontEnd: "toy", target: "trades", every: 2, times: 1 });
  // Rules are consulted in order and the first that fires wins, so the duplicate rule sees
  // frames 1, 3 and 4: its third is frame 4.
  server.faults.inject({ kind: "duplicate", frontEnd: "toy", target: "trades", every: 3 });
  server.faults.inject({ kind: "drop_connection", frontEnd: "toy", target: "orders" });
  const ws = new WebSocket(`${server.wsUrl}/ws`);
  const got: number[] = [];
  const closed = new Promise<number>((resolve) => ws.onclose = (e) => resolve(e.code));
  ws.onmessage = (e) => got.push(JSON.parse(e.data).seq);
  await new Promise((r) => ws.onopen = r);
  ws.send("go");
  equal(await closed, 4000);
  // Frame 2 dropped (gap), frame 4 sent twice.
  deepStrictEqual(got, [1, 3, 4, 4]);
  equal(server.sockets("toy").length, 0);
});

Deno.test("the control API places orders, fills them, advances time and reads the truth over HTTP", async () => {
  const { server, control } = venue();
  await using _ = server;
  server.mountControl(control);
  const c = (path: string, body: unknown) =>
    post(`${server.url}/_control${path}`, body).then((r) => r.json());
  await c("/accounts", { id: "me", collateral: "10000" });
  await c("/orders", {
    accountId: "me",
    symbol: "BTC",
    side: "sell",
    size: "0.02",
    price: "60100",
    clientOrderId: "s1",
  });
  const fill = await c("/fill", { accountId: "me", clientOrderId: "s1", size: "0.005" });
  equal(fill.fills[0].size, "0.005");
  const prices = await c("/prices", { symbol: "BTC", markPrice: "60200" });
  equal(prices.markPrice, "60200");
  const { now } = await c("/advance", { ms: 8 * 3_600_000 });
  equal(now, 8 * 3_600_000);
  const fault = await c("/faults", { kind: "error", frontEnd: "toy" });
  ok(typeof fault.id === "string");
  const cleared = await fetch(`${server.url}/_control/faults?frontEnd=toy`, { method: "DELETE" });
  await cleared.body?.cancel();
  deepStrictEqual(control.faults.rules(), []);
  const truth = await (await fetch(`${server.url}/_control/truth?accountId=me`)).json();
  equal(truth.positions[0].size, "-0.005");
  equal(truth.openOrders[0].remainingSize, "0.015");
  equal(truth.fundingPayments.length, 1);
  const bad = await fetch(`${server.url}/_control/truth`);
  deepStrictEqual([bad.status, (await bad.json()).message], [
    400,
    "query parameter 'accountId' is required",
  ]);
});

Deno.test("a WebSocket handler can read the handshake headers", async () => {
  await using server = await SimServer.start();
  const seen = Promise.withResolvers<string | null>();
  server.websocket("hdr", "/ws", (socket, ctx) => {
    seen.resolve(ctx.request.headers.get("x-grvt-account-id"));
    socket.close(1000, "done");
  });
  const ws = new WebSocket(`${server.wsUrl}/ws`, {
    headers: { "X-Grvt-Account-Id": "42" },
  } as unknown as string[]);
  const closed = new Promise((r) => ws.addEventListener("close", r));
  deepStrictEqual(await seen.promise, "42");
  await closed;
});

Deno.test("a WebSocket route can refuse the handshake", async () => {
  await using server = await SimServer.start();
  server.websocket("hdr", "/ws", (socket) => socket.close(1000, "unexpected"), {
    accept: (ctx) =>
      ctx.request.headers.get("cookie") === "ok"
        ? undefined
        : Response.json({ code: 1000 }, { status: 401 }),
  });
  const res = await fetch(`${server.url}/ws`, {
    headers: { upgrade: "websocket", connection: "Upgrade" },
  });
  deepStrictEqual([res.status, await res.json()], [401, { code: 1000 }]);
});
