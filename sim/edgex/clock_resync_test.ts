/**
 * The EdgeX client against the replica when the venue clock jumps: a signed call refused for
 * its timestamp re-syncs the clock once and is sent once more; other refusals are not retried.
 */
import { deepStrictEqual as deepEqual, rejects } from "node:assert/strict";
import { AuthenticationError, InvalidSignatureError } from "../../base.ts";
import { EdgeXClient, type EdgeXClientOptions } from "../../exchanges/edgex/client.ts";
import { type EdgeXReplica, startEdgeXReplica } from "./mod.ts";

/** A client whose `fetch` records every request path with the response's envelope code. */
function recordingClient(
  replica: EdgeXReplica,
  extra: Partial<EdgeXClientOptions> = {},
): { client: EdgeXClient; calls: string[] } {
  const c = replica.credentials;
  const calls: string[] = [];
  const client = new EdgeXClient({
    accountId: c.accountId,
    apiKey: c.apiKey,
    apiSecret: c.apiSecret,
    apiPassphrase: c.apiPassphrase,
    signerPrivateKey: c.signerPrivateKey,
    restUrl: replica.restUrl,
    wsUrl: replica.wsUrl,
    reconnectBaseDelayMs: 50,
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      const body = await res.clone().json().catch(() => ({}));
      const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
      // Market metadata is loaded once, whenever first needed: left out.
      if (!path.endsWith("/getMetaData")) calls.push(`${path.split("/").pop()} ${body.code}`);
      return res;
    },
    ...extra,
  });
  return { client, calls };
}

Deno.test("a venue clock jump: one re-sync, then the refused call is sent once more", async () => {
  await using replica = startEdgeXReplica();
  const { client, calls } = recordingClient(replica);
  await client.connect();
  calls.length = 0;
  await replica.clock.advance(120_000);
  deepEqual((await client.getBalance()).equity.toString(), "100000");
  deepEqual(calls, [
    "getAccountAsset AUTHENTICATION_FAILED",
    "getServerTime SUCCESS",
    "getAccountAsset SUCCESS",
  ]);
  // Now in step: no more refusals.
  calls.length = 0;
  await client.getBalance();
  deepEqual(calls, ["getAccountAsset SUCCESS"]);
  await client.disconnect();
});

Deno.test("after a venue clock jump an order is placed exactly once", async () => {
  await using replica = startEdgeXReplica();
  const { client, calls } = recordingClient(replica);
  await client.connect();
  calls.length = 0;
  await replica.clock.advance(90_000);
  const order = await client.placeOrder({
    symbol: "BTC",
    side: "buy",
    type: "limit",
    size: "0.001",
    price: "60000",
  });
  deepEqual(calls, [
    "createOrder AUTHENTICATION_FAILED",
    "getServerTime SUCCESS",
    "createOrder SUCCESS",
  ]);
  deepEqual(
    replica.engine.openOrders(replica.credentials.accountId).map((o) => o.clientOrderId),
    [order.clientOrderId],
  );
  await client.disconnect();
});

Deno.test("a refusal that is not about the timestamp is not retried", async () => {
  await using replica = startEdgeXReplica();
  const { client, calls } = recordingClient(replica, { apiSecret: "not-the-secret" });
  await rejects(client.getBalance(), InvalidSignatureError);
  deepEqual(calls, [
    "getAccountAsset SIGNATURE_ERROR",
    "getServerTime SUCCESS",
  ]);
  await client.disconnect();
});

Deno.test("with syncServerTime false a stale timestamp is refused without a retry", async () => {
  await using replica = startEdgeXReplica();
  const { client, calls } = recordingClient(replica, { syncServerTime: false });
  await replica.clock.advance(61_000);
  await rejects(client.getBalance(), AuthenticationError);
  deepEqual(calls, ["getAccountAsset AUTHENTICATION_FAILED"]);
  await client.disconnect();
});

Deno.test("the private stream re-syncs the clock when it reconnects after a jump", async () => {
  await using replica = startEdgeXReplica();
  const { client, calls } = recordingClient(replica);
  const states: string[] = [];
  client.onEvent((e) => {
    if (e.type === "connection" && e.stream === "account") states.push(e.state);
  });
  await client.connect();
  await replica.clock.advance(300_000);
  calls.length = 0;
  const back = new Promise<void>((resolve) => {
    client.onEvent((e) => {
      if (e.type === "connection" && e.stream === "account" && e.state === "connected") {
        resolve();
      }
    });
  });
  replica.dropConnections();
  await back;
  deepEqual(calls, ["getServerTime SUCCESS"]);
  deepEqual(states.slice(-2), ["reconnecting", "connected"]);
  await client.getBalance();
  deepEqual(calls, ["getServerTime SUCCESS", "getAccountAsset SUCCESS"]);
  await client.disconnect();
});
