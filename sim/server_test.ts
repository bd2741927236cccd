import { deepStrictEqual, ok, rejects, strictEqual as equal } from "node:assert/strict";
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

Deno.test("garbled answers over HTTP: the order is placed, the body is html, null, empty, half or mistyped", async () => {
  const { server, control, engine } = venue();
  await using _ = server;
  engine.createAccount("me", { collateral: "100000" });
  const bodies = ["html", "null", "empty", "truncated", "wrong_types"] as const;
  const texts: string[] = [];
  for (const [i, body] of bodies.entries()) {
    control.injectFault({
      kind: "garble_response",
      frontEnd: "toy",
      target: "/orders",
      body,
      times: 1,
    });
    const res = await post(`${server.url}/orders`, {
      account: "me",
      order: { symbol: "BTC", side: "buy", size: "0.001", price: "59000", clientOrderId: `g${i}` },
    });
    equal(res.status, 200);
    texts.push(await res.text());
  }
  deepStrictEqual(texts.slice(0, 3), [
    "<html><body><h1>502 Bad Gateway</h1></body></html>",
    "null",
    "",
  ]);
  const real = await (await fetch(`${server.url}/orders/me/g3`)).text();
  equal(texts[3], real.slice(0, Math.floor(real.length / 2)));
  ok(texts[3].startsWith('{"id":'), texts[3]);
  const mistyped = JSON.parse(texts[4]);
  ok(mistyped.size === null || mistyped.size === 0.001, `size ${mistyped.size}`);
  ok(mistyped.clientOrderId === null, `clientOrderId ${mistyped.clientOrderId}`);
  equal(engine.openOrders("me").length, 5, "every garbled request took effect");
});

function toySockets(server: SimServer) {
  server.websocket("toy", "/ws", (socket) => {
    let n = 0;
    socket.onMessage((m) => {
      if (m === "ping") socket.send("pong", "pong");
      else {
        n++;
        socket.send("book.BTC", { book: n });
        socket.send("trades", { trade: n });
      }
    });
  });
}

async function openToy(server: SimServer) {
  const ws = new WebSocket(`${server.wsUrl}/ws`);
  const got: string[] = [];
  const waiting: (() => void)[] = [];
  ws.onmessage = (e) => {
    got.push(String(e.data));
    waiting.shift()?.();
  };
  await new Promise((r) => ws.onopen = r);
  return {
    ws,
    got,
    /** Sends, then waits for `frames` frames. */
    async ask(text: string, frames: number) {
      const done = Array.from({ length: frames }, () => new Promise<void>((r) => waiting.push(r)));
      ws.send(text);
      await Promise.all(done);
    },
  };
}

Deno.test("silence: the socket stays open, sends nothing on the stream and ignores pings until cleared; a reconnect is fresh", async () => {
  await using server = SimServer.start();
  toySockets(server);
  const first = await openToy(server);
  const id = server.faults.inject({ kind: "silence", frontEnd: "toy", target: "book.*" });
  // Frames arrive in order on one socket: a pong or a book frame would come before the trade.
  // The first book frame silences the socket; from then on its pings go unanswered too.
  await first.ask("tick", 1);
  await first.ask("ping", 0);
  await first.ask("tick", 1);
  deepStrictEqual(first.got, ['{"trade":1}', '{"trade":2}']);
  equal(first.ws.readyState, WebSocket.OPEN);
  equal(server.sockets("toy")[0].silenced, true);

  // The client gives up on it and reconnects: the new socket works.
  const closed = new Promise((r) => first.ws.onclose = r);
  first.ws.close();
  await closed;
  while (server.sockets("toy").length > 0) await new Promise((r) => setTimeout(r, 1));
  const second = await openToy(server);
  await second.ask("tick", 2);
  await second.ask("ping", 1);
  deepStrictEqual(second.got, ['{"book":1}', '{"trade":1}', "pong"]);

  // A socket held silent speaks again once the rule is cleared.
  server.faults.clear();
  const third = await openToy(server);
  server.faults.inject({ kind: "silence", frontEnd: "toy", target: "*", times: 1 });
  await third.ask("tick", 0);
  await second.ask("tick", 2);
  deepStrictEqual(third.got, [], "the first socket to send was silenced");
  deepStrictEqual(second.got.slice(3), ['{"book":2}', '{"trade":2}']);
  equal(server.faults.rules()[0].fired, 1);
  server.faults.clear();
  await third.ask("ping", 1);
  deepStrictEqual(third.got, ["pong"]);
  equal(id, "f1");
  second.ws.close();
  third.ws.close();
});

Deno.test("the control API: mounted by an option; funding scripts, prices, time, orders in any state, fault list, socket drops", async () => {
  const clock = new ManualClock(0);
  const engine = new SimEngine({ clock });
  engine.addInstrument(
    { symbol: "ETH", tickSize: "0.01", sizeStep: "0.01", fundingIntervalHours: 1 },
    { markPrice: "3000" },
  );
  const control = new SimControl(engine);
  await using server = SimServer.start({ control });
  equal(server.faults, control.faults);
  toySockets(server);
  const url = `${server.url}/_control`;
  const get = (path: string) => fetch(`${url}${path}`).then((r) => r.json());
  const c = (path: string, body: unknown) => post(`${url}${path}`, body).then((r) => r.json());

  ok((await get("")).routes.includes("POST /_control/funding"));
  deepStrictEqual(await get("/now"), { now: 0 });
  deepStrictEqual((await get("/instruments")).map((i: { symbol: string }) => i.symbol), ["ETH"]);
  equal((await c("/prices", { symbol: "ETH", markPrice: "3010.5" })).markPrice, "3010.5");
  equal((await get("/prices?symbol=ETH")).markPrice, "3010.5");

  const scripted = await c("/funding", {
    symbol: "ETH",
    rates: [{ time: 0, rate: "0.0001" }, { time: 7_200_000, rate: "-0.0003" }],
  });
  equal(scripted.next.rate, "0.0001");
  await c("/accounts", { id: "me", collateral: "10000" });
  await c("/orders", {
    accountId: "me",
    symbol: "ETH",
    side: "buy",
    size: "1",
    price: "3000",
    clientOrderId: "b1",
  });
  await c("/fill", { accountId: "me", clientOrderId: "b1" });
  deepStrictEqual(await c("/advance", { ms: 3 * 3_600_000 }), { now: 10_800_000 });
  const funding = await get("/funding?symbol=ETH");
  // Settlements at 1 h, 2 h and 3 h; the second point applies from 2 h on.
  deepStrictEqual(funding.history.map((s: { rate: string }) => s.rate), [
    "0.0001",
    "-0.0003",
    "-0.0003",
  ]);
  equal(funding.next.rate, "-0.0003");
  const constant = await c("/funding", { symbol: "ETH", rate: "0.0002" });
  equal(constant.next.rate, "0.0002");

  const order = await get("/order?accountId=me&clientOrderId=b1");
  deepStrictEqual([order.status, order.filledSize], ["filled", "1"]);
  const truth = await get("/truth?accountId=me");
  deepStrictEqual(truth.fills.map((f: { size: string }) => f.size), ["1"]);
  equal(truth.fundingPayments.length, 3);
  await c("/orders", {
    accountId: "me",
    symbol: "ETH",
    side: "sell",
    size: "0.5",
    price: "3100",
    clientOrderId: "s1",
  });
  deepStrictEqual(
    (await c("/cancel-all", { accountId: "me" })).map((o: { clientOrderId: string }) =>
      o.clientOrderId
    ),
    ["s1"],
  );

  const { id } = await c("/faults", { kind: "silence", frontEnd: "toy", target: "*" });
  deepStrictEqual(
    (await get("/faults")).map((r: { id: string; kind: string }) => [r.id, r.kind]),
    [[id, "silence"]],
  );
  const bad = await post(`${url}/faults`, { kind: "nope" });
  equal(bad.status, 400);
  await bad.body?.cancel();

  const ws = await openToy(server);
  const closed = new Promise<number>((r) => ws.ws.onclose = (e) => r(e.code));
  deepStrictEqual(await c("/sockets/close", { frontEnd: "toy", code: 4001 }), { closed: 1 });
  equal(await closed, 4001);
  const missing = await fetch(`${url}/order?accountId=me`);
  deepStrictEqual([missing.status, (await missing.json()).message], [
    400,
    "'id' or 'clientOrderId' is required",
  ]);
});
