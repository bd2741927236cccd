import {
  deepStrictEqual as deepEqual,
  ok,
  rejects,
  strictEqual as equal,
  throws,
} from "node:assert/strict";
import { Decimal } from "../../base.ts";
import { ManualClock, systemClock } from "../_shared/clock.ts";
import {
  ConfigurationError,
  InvalidOrderError,
  InvalidSignatureError,
  OrderRejectedError,
} from "../../core/errors.ts";
import { startGrvtReplica } from "../../sim/grvt/mod.ts";
import { GRVTClient, type GRVTClientOptions } from "./client.ts";

function withReplica(
  body: (
    replica: ReturnType<typeof startGrvtReplica>,
    options: GRVTClientOptions,
  ) => Promise<void>,
  replicaOptions: Parameters<typeof startGrvtReplica>[0] = {},
): () => Promise<void> {
  return async () => {
    const replica = startGrvtReplica({ clock: new ManualClock(Date.now()), ...replicaOptions });
    try {
      await body(replica, {
        environment: "sim",
        hosts: replica.hosts,
        ...replica.credentials,
        env: {},
      });
    } finally {
      await replica.close();
    }
  };
}

Deno.test("GRVTClient names every missing credential variable in one error", async () => {
  const client = new GRVTClient({ environment: "prod", env: {} });
  await rejects(client.connect(), (e: unknown) => {
    ok(e instanceof ConfigurationError);
    for (const v of ["GRVT_API_KEY", "GRVT_PRIVATE_KEY", "GRVT_TRADING_ACCOUNT_ID"]) {
      ok(e.message.includes(v), e.message);
    }
    return true;
  });
  const partial = new GRVTClient({
    environment: "prod",
    env: { GRVT_API_KEY: "k", GRVT_TRADING_ACCOUNT_ID: "1" },
  });
  await rejects(partial.connect(), /GRVT_PRIVATE_KEY(?!.*GRVT_API_KEY)/);
});

Deno.test("GRVTClient refuses the sim environment without the replica's hosts", () => {
  throws(() => new GRVTClient({ environment: "sim", env: {} }), ConfigurationError);
  throws(() => new GRVTClient({ env: { GRVT_ENVIRONMENT: "mainnet" } }), /GRVT_ENVIRONMENT/);
});

Deno.test(
  "the replica rejects an order signed by another wallet with 2000",
  withReplica(async (_replica, options) => {
    await using client = new GRVTClient({
      ...options,
      privateKey: "0xf7934647276a6e1fa0af3f4467b4b8ddaf45d25a7368fa1a295eef49a446819d",
    });
    await client.connect();
    await rejects(
      client.placeOrder({
        symbol: "BTC",
        side: "buy",
        type: "limit",
        size: "0.004",
        price: "63000",
      }),
      (e: unknown) => e instanceof InvalidSignatureError && e.code === 2000,
    );
  }),
);

Deno.test(
  "the replica rejects an order signed for another chain id with 1012",
  withReplica(async (replica, options) => {
    await using client = new GRVTClient({
      ...options,
      hosts: { ...replica.hosts, chainId: 325 },
    });
    await client.connect();
    await rejects(
      client.placeOrder({
        symbol: "BTC",
        side: "buy",
        type: "limit",
        size: "0.004",
        price: "63000",
      }),
      (e: unknown) => e instanceof InvalidSignatureError && e.code === 1012,
    );
    deepEqual(await replica.control.openOrders("BTC"), []);
  }),
);

Deno.test(
  "the replica rejects an expired signature with 2001",
  withReplica(async (replica, options) => {
    // A client clock two hours behind signs IOC orders that expired long ago.
    const behind = { now: () => Date.now() - 7_200_000, sleep: systemClock.sleep };
    await using client = new GRVTClient({ ...options, clock: behind });
    await client.connect();
    await rejects(
      client.placeOrder({
        symbol: "BTC",
        side: "buy",
        type: "limit",
        size: "0.004",
        price: "63000",
        timeInForce: "ioc",
      }),
      (e: unknown) => e instanceof InvalidSignatureError && e.code === 2001,
    );
    deepEqual(await replica.control.openOrders("BTC"), []);
  }),
);

Deno.test(
  "placeOrder() checks size and price against the market before signing",
  withReplica(async (_replica, options) => {
    await using client = new GRVTClient(options);
    await client.connect();
    await rejects(
      client.placeOrder({
        symbol: "BTC",
        side: "buy",
        type: "limit",
        size: "0.0045",
        price: "63000",
      }),
      (e: unknown) =>
        e instanceof InvalidOrderError &&
        /'size' 0.0045 is not a multiple of the BTC size step 0.001/.test(e.message),
    );
    await rejects(
      client.placeOrder({
        symbol: "BTC",
        side: "buy",
        type: "limit",
        size: "0.004",
        price: "63000.05",
      }),
      (e: unknown) => e instanceof InvalidOrderError && e.reason === "invalid_price",
    );
    await rejects(
      client.placeOrder({
        symbol: "BTC",
        side: "buy",
        type: "limit",
        size: "0.004",
        price: "63000",
        postOnly: true,
        timeInForce: "ioc",
      }),
      OrderRejectedError,
    );
    await rejects(
      client.placeOrder({
        symbol: "BTC",
        side: "buy",
        type: "market",
        size: "0.004",
        price: "65000",
      } as never),
      (e: unknown) => e instanceof InvalidOrderError && /takes 'worstPrice'/.test(e.message),
    );
    await rejects(
      client.placeOrder({
        symbol: "BTC",
        side: "buy",
        type: "limit",
        size: "0.004",
        price: "63000",
        clientOrderId: "42",
      }),
      /\[2\^63, 2\^64 - 1\]/,
    );
  }),
);

Deno.test(
  "a reduce-only order without a position is refused with 2400",
  withReplica(async (_replica, options) => {
    await using client = new GRVTClient(options);
    await client.connect();
    await rejects(
      client.placeOrder({
        symbol: "BTC",
        side: "sell",
        type: "market",
        size: "0.004",
        worstPrice: "60000",
        reduceOnly: true,
      }),
      (e: unknown) =>
        e instanceof OrderRejectedError && e.reason === "reduce_only" && e.code === 2400,
    );
  }),
);

Deno.test(
  "an expired session is renewed on 401 and the call goes through",
  withReplica(async (replica, options) => {
    let logins = 0;
    await using client = new GRVTClient({
      ...options,
      fetch: (input, init) => {
        if (String(input).includes("/auth/api_key/login")) logins++;
        return fetch(input, init);
      },
    });
    await client.connect();
    equal(logins, 1);
    // The replica's clock passes the cookie's expiry; the client's clock does not know.
    await replica.control.advance(86_400_000 + 1);
    const balance = await client.getBalance();
    equal(balance.asset, "USDT");
    equal(logins, 2);
    const [a, b] = await Promise.all([client.getPositions(), client.getOpenOrders()]);
    deepEqual([a, b], [[], []]);
    equal(logins, 2);
  }, { sessionLifetimeMs: 86_400_000 }),
);

Deno.test(
  "positions carry signed size, entry, mark and unrealized PnL",
  withReplica(async (replica, options) => {
    await using client = new GRVTClient(options);
    await client.connect();
    await replica.control.placeCounterOrder({
      symbol: "BTC",
      side: "buy",
      price: new Decimal("63990"),
      size: new Decimal("1"),
    });
    const order = await client.placeOrder({
      symbol: "BTC",
      side: "sell",
      type: "market",
      size: "0.004",
    });
    equal(order.status, "filled");
    await replica.control.setPrice("BTC", new Decimal("64100"));
    const [p] = await client.getPositions();
    deepEqual(
      [
        p.size.toString(),
        p.entryPrice.toString(),
        p.markPrice?.toString(),
        p.unrealizedPnl?.toString(),
      ],
      ["-0.004", "63990", "64100", "-0.44"],
    );
  }),
);

Deno.test(
  "getOrderBook() and getBestBidAsk() read the REST book without a live subscription",
  withReplica(async (replica, options) => {
    await using client = new GRVTClient(options);
    await replica.control.placeCounterOrder({
      symbol: "ETH",
      side: "buy",
      price: new Decimal("3199.5"),
      size: new Decimal("2"),
    });
    await replica.control.placeCounterOrder({
      symbol: "ETH",
      side: "sell",
      price: new Decimal("3200.5"),
      size: new Decimal("1"),
    });
    const q = await client.getBestBidAsk("ETH");
    deepEqual([q.bid.toString(), q.ask.toString(), q.askSize.toString()], [
      "3199.5",
      "3200.5",
      "1",
    ]);
    const book = await client.getOrderBook("ETH", 5);
    equal(book.bids.length, 1);
  }),
);

Deno.test(
  "placeOrder() without streams learns the outcome over REST, and a crossing post-only throws",
  withReplica(async (replica, options) => {
    await replica.control.placeCounterOrder({
      symbol: "BTC",
      side: "sell",
      price: new Decimal("64000.5"),
      size: new Decimal("1"),
    });
    await using client = new GRVTClient(options);
    const order = await client.placeOrder({
      symbol: "BTC",
      side: "buy",
      type: "limit",
      size: "0.004",
      price: "63000",
      postOnly: true,
    });
    deepEqual([order.status, order.id?.startsWith("0x")], ["open", true]);
    await rejects(
      client.placeOrder({
        symbol: "BTC",
        side: "buy",
        type: "limit",
        size: "0.004",
        price: "64000.5",
        postOnly: true,
      }),
      (e: unknown) => e instanceof OrderRejectedError && e.reason === "post_only_would_cross",
    );
    equal((await replica.control.openOrders("BTC")).length, 1);
  }),
);
