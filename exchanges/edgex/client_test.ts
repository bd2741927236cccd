import { deepStrictEqual as deepEqual, ok, rejects, throws } from "node:assert/strict";
import {
  AuthenticationError,
  ConfigurationError,
  type ExchangeEvent,
  InvalidOrderError,
  InvalidSignatureError,
} from "../../base.ts";
import { ManualClock } from "../_shared/clock.ts";
import { type EdgeXReplica, startEdgeXReplica } from "../../sim/edgex/mod.ts";
import { EdgeXClient, type EdgeXClientOptions } from "./client.ts";

function clientFor(replica: EdgeXReplica, extra: Partial<EdgeXClientOptions> = {}): EdgeXClient {
  const c = replica.credentials;
  return new EdgeXClient({
    accountId: c.accountId,
    apiKey: c.apiKey,
    apiSecret: c.apiSecret,
    apiPassphrase: c.apiPassphrase,
    signerPrivateKey: c.signerPrivateKey,
    restUrl: replica.restUrl,
    wsUrl: replica.wsUrl,
    reconnectBaseDelayMs: 50,
    ...extra,
  });
}

Deno.test("EdgeXClient names every missing credential in one error", () => {
  throws(
    () => new EdgeXClient({ apiKey: "k", env: () => undefined }),
    (e: unknown) =>
      e instanceof ConfigurationError &&
      e.message.includes(
        "EDGEX_ACCOUNT_ID, EDGEX_API_SECRET, EDGEX_API_PASSPHRASE, EDGEX_SIGNER_PRIVATE_KEY",
      ) && !e.message.includes("EDGEX_API_KEY,"),
  );
});

Deno.test("EdgeXClient reads credentials from the environment", async () => {
  await using replica = startEdgeXReplica();
  const c = replica.credentials;
  const env: Record<string, string> = {
    EDGEX_ACCOUNT_ID: c.accountId,
    EDGEX_API_KEY: c.apiKey,
    EDGEX_API_SECRET: c.apiSecret,
    EDGEX_API_PASSPHRASE: c.apiPassphrase,
    EDGEX_SIGNER_PRIVATE_KEY: c.signerPrivateKey,
  };
  const client = new EdgeXClient({
    restUrl: replica.restUrl,
    wsUrl: replica.wsUrl,
    env: (n) => env[n],
  });
  deepEqual((await client.getBalance()).equity.toString(), "100000");
  await client.disconnect();
});

Deno.test("a wrong API secret is refused by the replica as an invalid signature", async () => {
  await using replica = startEdgeXReplica();
  const client = clientFor(replica, { apiSecret: "not-the-secret" });
  await rejects(client.connect(), InvalidSignatureError);
  await rejects(client.getBalance(), InvalidSignatureError);
  await client.disconnect();
});

Deno.test("a timestamp beyond ±60 s of the venue clock is an authentication error", async () => {
  await using replica = startEdgeXReplica();
  const skewed = new ManualClock(replica.clock.now() + 61_000);
  const client = clientFor(replica, { clock: skewed, syncServerTime: false });
  await rejects(client.getBalance(), (e: unknown) => {
    ok(e instanceof AuthenticationError && !(e instanceof InvalidSignatureError));
    ok(e.message.includes("AUTHENTICATION_FAILED"));
    return true;
  });
  await client.disconnect();
});

Deno.test("the client corrects its clock from getServerTime before signing", async () => {
  await using replica = startEdgeXReplica();
  const skewed = new ManualClock(replica.clock.now() - 300_000);
  const client = clientFor(replica, { clock: skewed });
  await client.connect();
  deepEqual((await client.getBalance()).equity.toString(), "100000");
  await client.disconnect();
});

Deno.test("an order signed with another key is refused as an invalid signature", async () => {
  await using replica = startEdgeXReplica();
  const client = clientFor(replica, { signerPrivateKey: "0x" + "22".repeat(32) });
  await client.connect();
  await rejects(
    client.placeOrder({ symbol: "BTC", side: "buy", type: "limit", size: "0.001", price: "60000" }),
    (e: unknown) => e instanceof InvalidSignatureError && e.code === "SIGNATURE_ERROR",
  );
  deepEqual(replica.engine.openOrders(replica.credentials.accountId), []);
  await client.disconnect();
});

Deno.test("placeOrder refuses off-grid sizes and prices without sending", async () => {
  await using replica = startEdgeXReplica();
  const client = clientFor(replica);
  await rejects(
    client.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "limit",
      size: "0.0015",
      price: "60000",
    }),
    InvalidOrderError,
  );
  await rejects(
    client.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "limit",
      size: "0.001",
      price: "60000.05",
    }),
    InvalidOrderError,
  );
  await client.disconnect();
});

Deno.test("the duplicate FILLED push yields one filled event and one fill", async () => {
  await using replica = startEdgeXReplica();
  const me = replica.credentials.accountId;
  const client = clientFor(replica);
  await client.connect();
  const events: ExchangeEvent[] = [];
  client.onEvent((e) => events.push(e));
  // Count FILLED order records on the wire with a second, raw private connection.
  const { edgeXPrivateWsAuth } = await import("./auth.ts");
  const c = replica.credentials;
  const auth = edgeXPrivateWsAuth(c.accountId, {
    apiKey: c.apiKey,
    secret: c.apiSecret,
    passphrase: c.apiPassphrase,
  }, { wsUrl: replica.wsUrl, clock: replica.clock });
  const raw = new WebSocket(auth.url, { headers: auth.headers });
  let filledOnWire = 0;
  raw.onmessage = (m) => {
    const f = JSON.parse(m.data);
    for (const o of f.content?.data?.order ?? []) if (o.status === "FILLED") filledOnWire++;
  };
  await new Promise((r) => (raw.onopen = r));
  const order = await client.placeOrder({
    symbol: "BTC",
    side: "buy",
    type: "limit",
    size: "0.001",
    price: "63990",
    postOnly: true,
  });
  const closed = new Promise((r) => (raw.onclose = r));
  replica.engine.placeOrder(replica.counterpartyAccountId, {
    symbol: "BTC",
    side: "sell",
    size: "0.001",
    price: "63990",
  });
  const deadline = Date.now() + 5_000;
  while (filledOnWire < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  // Give the client the same frames (they were sent before or with the raw socket's).
  while (
    !events.some((e) => e.type === "order" && e.order.status === "filled") &&
    Date.now() < deadline
  ) await new Promise((r) => setTimeout(r, 5));
  raw.close();
  await closed;
  deepEqual(filledOnWire, 2, "the replica pushes FILLED twice");
  const filled = events.filter((e) =>
    e.type === "order" && e.order.clientOrderId === order.clientOrderId &&
    e.order.status === "filled"
  );
  deepEqual(filled.length, 1);
  deepEqual(events.filter((e) => e.type === "fill").length, 1);
  deepEqual(replica.engine.position(me, "BTC").size, "0.001");
  await client.disconnect();
});

Deno.test("the client answers the server's ping with pong", async () => {
  await using replica = startEdgeXReplica();
  const sent: string[] = [];
  let socket: WebSocket | undefined;
  class Recording extends WebSocket {
    constructor(url: string, options?: unknown) {
      super(url, options as string[]);
      socket = this;
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      if (typeof data === "string") sent.push(data);
      super.send(data);
    }
  }
  const client = clientFor(replica, { WebSocket: Recording as unknown as typeof WebSocket });
  await client.connect();
  ok(socket);
  socket.dispatchEvent(
    new MessageEvent("message", { data: JSON.stringify({ type: "ping", time: "1789136310001" }) }),
  );
  deepEqual(sent.map((s) => JSON.parse(s)).filter((m) => m.type === "pong"), [
    { type: "pong", time: "1789136310001" },
  ]);
  await client.disconnect();
});
