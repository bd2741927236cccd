/**
 * Order placement and REST answers of the GRVT client against a scripted venue (fake fetch,
 * virtual clock): market orders bounded by a worst price, answers about another order, lost
 * answers never resent, and unreadable bodies as typed errors.
 */
import {
  deepStrictEqual as deepEqual,
  ok,
  rejects,
  strictEqual as equal,
} from "node:assert/strict";
import {
  MalformedPayloadError,
  NotFoundError,
  OrderOutcomeUnknownError,
} from "../../core/errors.ts";
import { GRVTClient } from "./client.ts";
import { createGrvtTransport, loadGrvtMarkets } from "./markets.ts";
import { CID, FakeGrvt, OTHER_CID, wireOrder } from "./_fakes_test.ts";

type Json = Record<string, unknown>;
const orderOf = (body: Json) => body.order as Json;
const cidOf = (body: Json) => (orderOf(body).metadata as Json).client_order_id as string;
const nonceOf = (body: Json) => (orderOf(body).signature as Json).nonce as number;
const legOf = (body: Json) => (orderOf(body).legs as Json[])[0];

/** A venue that echoes each create as PENDING and reports it FILLED on lookup. */
function echoingVenue(): { venue: FakeGrvt; created: Json[] } {
  const venue = new FakeGrvt();
  const created: Json[] = [];
  venue.rest.set("full/v1/create_order", (body) => {
    created.push(body);
    return {
      result: wireOrder({
        cid: cidOf(body),
        nonce: nonceOf(body),
        status: "PENDING",
        orderId: "0x00",
        price: legOf(body).limit_price as string,
        tif: orderOf(body).time_in_force as string,
      }),
    };
  });
  venue.rest.set("full/v1/order", (body) => {
    const last = created.at(-1);
    if (!last || body.client_order_id !== cidOf(last)) {
      return Response.json({ code: 1004, message: "Data Not Found", status: 404 }, {
        status: 404,
      });
    }
    return {
      result: wireOrder({
        cid: cidOf(last),
        nonce: nonceOf(last),
        status: "FILLED",
        traded: "0.002",
        price: legOf(last).limit_price as string,
        tif: orderOf(last).time_in_force as string,
      }),
    };
  });
  return { venue, created };
}

Deno.test("a market order goes out as a limit IOC at its worst price, never unbounded", async () => {
  const { venue, created } = echoingVenue();
  await using client = new GRVTClient(venue.options());
  const order = await venue.settle(client.placeOrder({
    symbol: "BTC",
    side: "buy",
    type: "market",
    size: "0.002",
    worstPrice: "65000",
    clientOrderId: CID,
  }));
  const sent = orderOf(created[0]);
  deepEqual(
    [sent.is_market, sent.time_in_force, sent.post_only, legOf(created[0]).limit_price],
    [false, "IMMEDIATE_OR_CANCEL", false, "65000"],
  );
  deepEqual([order.type, order.status, order.clientOrderId], ["market", "filled", CID]);
});

Deno.test("a market order without worstPrice is bounded by the book and the slippage", async () => {
  const { venue, created } = echoingVenue();
  await using client = new GRVTClient(venue.options());
  // Book: bid 63999.9, ask 64000.1; slippage 5 %, on the 0.1 tick toward the book.
  // buy: 64000.1 × 1.05 = 67200.105 → 67200.1; sell: 63999.9 × 0.95 = 60799.905 → 60800.
  await venue.settle(
    client.placeOrder({ symbol: "BTC", side: "buy", type: "market", size: "0.002" }),
  );
  await venue.settle(
    client.placeOrder({ symbol: "BTC", side: "sell", type: "market", size: "0.002" }),
  );
  deepEqual(created.map((b) => [orderOf(b).is_market, legOf(b).limit_price]), [
    [false, "67200.1"],
    [false, "60800"],
  ]);
  // An empty side leaves nothing to bound the order with: refused before anything is sent.
  venue.rest.set("full/v1/book", () => ({
    result: { instrument: "BTC_USDT_Perp", bids: [], asks: [] },
  }));
  await rejects(
    venue.settle(client.placeOrder({ symbol: "BTC", side: "buy", type: "market", size: "0.002" })),
    (e: unknown) => e instanceof NotFoundError && /no ask to bound it/.test(e.message),
  );
  equal(created.length, 2);
});

Deno.test("an answer about another order is not taken as ours: the order is looked up", async () => {
  const venue = new FakeGrvt();
  let nonce = -1;
  venue.rest.set("full/v1/create_order", (body) => {
    nonce = nonceOf(body);
    // Another order's answer (another client order id, another price).
    return { result: wireOrder({ cid: OTHER_CID, status: "OPEN", price: "50000.0" }) };
  });
  // Ours is found, still PENDING: the placement returns what it found, not the other answer.
  venue.rest.set(
    "full/v1/order",
    (body) =>
      body.client_order_id === CID
        ? { result: wireOrder({ cid: CID, nonce, status: "PENDING", price: "63000.0" }) }
        : Response.json({ code: 1004, message: "Data Not Found", status: 404 }, { status: 404 }),
  );
  await using client = new GRVTClient(venue.options({ confirmTimeoutMs: 1_000 }));
  const order = await venue.settle(client.placeOrder({
    symbol: "BTC",
    side: "buy",
    type: "limit",
    size: "0.002",
    price: "63000",
    clientOrderId: CID,
  }));
  deepEqual(
    [order.clientOrderId, order.price?.toString(), order.status],
    [CID, "63000", "pending"],
  );
  equal(venue.count("full/v1/create_order"), 1);
  ok(venue.count("full/v1/order") >= 1);
});

Deno.test("a lost create answer is never sent again: lookups, then OrderOutcomeUnknownError", async () => {
  for (const lookup of ["absent", "failing"] as const) {
    const venue = new FakeGrvt();
    venue.rest.set("full/v1/create_order", () => {
      throw new TypeError("connection reset by peer");
    });
    venue.rest.set(
      "full/v1/order",
      () =>
        lookup === "absent"
          ? Response.json({ code: 1004, message: "Data Not Found", status: 404 }, { status: 404 })
          : new Response("bad gateway", { status: 502 }),
    );
    await using client = new GRVTClient(venue.options({ outcomeDeadlineMs: 5_000 }));
    await rejects(
      venue.settle(client.placeOrder({
        symbol: "BTC",
        side: "buy",
        type: "limit",
        size: "0.002",
        price: "63000",
        timeInForce: "ioc",
        clientOrderId: CID,
      })),
      (e: unknown) => e instanceof OrderOutcomeUnknownError && e.clientOrderId === CID,
    );
    equal(venue.count("full/v1/create_order"), 1, `${lookup} lookups: one create`);
    ok(venue.count("full/v1/order") >= 3, `${lookup} lookups: looked up with backoff`);
  }
});

Deno.test("null, HTML, empty and array bodies are MalformedPayloadErrors on every REST path", async () => {
  const bodies = ["null", "<html><body>502 Bad Gateway</body></html>", "", "[]", "42", '"ok"'];
  for (const text of bodies) {
    const venue = new FakeGrvt();
    for (
      const e of [
        "full/v1/book",
        "full/v1/order",
        "full/v1/open_orders",
        "full/v1/positions",
        "full/v1/account_summary",
      ]
    ) {
      venue.rest.set(e, () => new Response(text, { status: 200 }));
    }
    await using client = new GRVTClient(venue.options());
    const calls: [string, () => Promise<unknown>][] = [
      ["getOrderBook", () => client.getOrderBook("BTC")],
      ["getOrder", () => client.getOrder("BTC", { clientOrderId: CID })],
      ["getOpenOrders", () => client.getOpenOrders()],
      ["getPositions", () => client.getPositions()],
      ["getBalance", () => client.getBalance()],
    ];
    for (const [name, call] of calls) {
      await rejects(
        venue.settle(call()),
        MalformedPayloadError,
        `${name} with body ${JSON.stringify(text)}`,
      );
    }
  }
  // The market list, through the transport's error mapping of the venue's envelope.
  for (const text of ["null", "[]", "<html></html>"]) {
    const md = createGrvtTransport({
      baseUrl: "https://market-data.grvt.io",
      fetch: () => Promise.resolve(new Response(text)),
    });
    await rejects(loadGrvtMarkets(md), MalformedPayloadError, `instruments ${text}`);
  }
});

Deno.test("an unknown order status is refused, never read as a final state", async () => {
  const venue = new FakeGrvt();
  venue.rest.set("full/v1/order", () => ({ result: wireOrder({ status: "PARTIALLY_CANCELLED" }) }));
  venue.rest.set("full/v1/open_orders", () => ({ result: [wireOrder({ status: "EXPIRING" })] }));
  await using client = new GRVTClient(venue.options());
  await rejects(
    venue.settle(client.getOrder("BTC", { clientOrderId: CID })),
    (e: unknown) => e instanceof MalformedPayloadError && e.field === "result.state.status",
  );
  await rejects(venue.settle(client.getOpenOrders("BTC")), MalformedPayloadError);
});

Deno.test("prices must be positive and sizes not negative in every REST answer", async () => {
  const cases: [string, unknown][] = [
    ["full/v1/book", {
      result: { instrument: "BTC_USDT_Perp", bids: [{ price: "-1", size: "1" }], asks: [] },
    }],
    ["full/v1/book", {
      result: { instrument: "BTC_USDT_Perp", bids: [{ price: "0", size: "1" }], asks: [] },
    }],
    ["full/v1/book", {
      result: { instrument: "BTC_USDT_Perp", bids: [], asks: [{ price: "1e95", size: "1" }] },
    }],
    ["full/v1/book", {
      result: { instrument: "BTC_USDT_Perp", bids: [], asks: [{ price: "64000", size: "0" }] },
    }],
    ["full/v1/order", { result: wireOrder({ size: "-0.002" }) }],
    ["full/v1/order", { result: wireOrder({ traded: "-1" }) }],
    ["full/v1/order", { result: wireOrder({ price: "-63000" }) }],
  ];
  for (const [endpoint, answer] of cases) {
    const venue = new FakeGrvt();
    venue.rest.set(endpoint, () => answer);
    await using client = new GRVTClient(venue.options());
    const call: Promise<unknown> = endpoint === "full/v1/book"
      ? client.getOrderBook("BTC")
      : client.getOrder("BTC", { clientOrderId: CID });
    await rejects(venue.settle(call), MalformedPayloadError, JSON.stringify(answer));
  }
});
