import { deepStrictEqual as deepEqual, rejects, strictEqual as equal } from "node:assert/strict";
import { checkOrderRequest, placeOrderWith } from "./placement.ts";
import { ManualClock } from "./clock.ts";
import { Decimal } from "../../core/decimal.ts";
import {
  InvalidOrderError,
  NetworkError,
  OrderOutcomeUnknownError,
  OrderRejectedError,
} from "../../core/errors.ts";
import type { Market, Order, OrderRequest, Side } from "../../base.ts";

const MARKET: Market = {
  venue: "demo",
  symbol: "ETH",
  venueSymbol: "ETH-PERP",
  venueId: 2,
  baseAsset: "ETH",
  quoteAsset: "USD",
  tickSize: new Decimal("0.05"),
  sizeStep: new Decimal("0.01"),
  minSize: new Decimal("0.02"),
  minNotional: new Decimal("10"),
  fundingIntervalHours: 1,
};

const NOW = 1_800_000_000_000;

function rules(worst: Record<Side, string> = { buy: "2010", sell: "1990" }) {
  return {
    venue: "demo",
    clock: new ManualClock(NOW),
    newClientOrderId: () => "500",
    clientOrderIdRule: {
      test: (id: string) => /^[1-9]\d{0,8}$/.test(id),
      describe: "1..999999999",
    },
    unsupportedTimeInForce: ["fok"] as const,
    expiryWindow: { minMs: 300_000, maxMs: 30 * 86_400_000 },
    defaultWorstPrice: (_m: Market, side: Side) => Promise.resolve(new Decimal(worst[side])),
  };
}

const base: OrderRequest = {
  symbol: "ETH",
  side: "buy",
  type: "limit",
  size: "0.10",
  price: "2000.05",
};

async function refusedWith(
  request: Partial<OrderRequest>,
  type: typeof OrderRejectedError,
  text: string,
) {
  await rejects(
    checkOrderRequest(rules(), MARKET, { ...base, ...request } as OrderRequest),
    (e: unknown) => {
      if (!(e instanceof type)) return false;
      if (!(e as Error).message.includes(text)) {
        throw new Error(
          `message ${JSON.stringify((e as Error).message)} lacks ${JSON.stringify(text)}`,
        );
      }
      return true;
    },
  );
}

Deno.test("checkOrderRequest() fills defaults of a valid limit order exactly", async () => {
  const o = await checkOrderRequest(rules(), MARKET, base);
  deepEqual(
    [
      o.size.toString(),
      o.price?.toString(),
      o.worstPrice,
      o.timeInForce,
      o.postOnly,
      o.reduceOnly,
      o.clientOrderId,
    ],
    ["0.1", "2000.05", undefined, "gtc", false, false, "500"],
  );
});

Deno.test("checkOrderRequest() names the JS number and the exponent notation, not the tick", async () => {
  await refusedWith(
    { size: 0.1 as unknown as string },
    InvalidOrderError,
    `'size' must be a decimal string such as "0.01", not the JS number 0.1`,
  );
  await refusedWith(
    { price: "2.00005e3" },
    InvalidOrderError,
    `'price' is in exponent notation ("2.00005e3"): write it as a plain decimal such as "2000.05"`,
  );
  await refusedWith({ size: "1E-1" }, InvalidOrderError, `such as "0.1"`);
  await refusedWith(
    { price: "abc" },
    InvalidOrderError,
    `'price' must be a decimal string such as "0.01": got "abc"`,
  );
});

Deno.test("checkOrderRequest() refuses sizes that are not positive, off-step or below the minimum", async () => {
  await refusedWith({ size: "0" }, InvalidOrderError, "'size' must be positive: got 0");
  await refusedWith({ size: "-0.10" }, InvalidOrderError, "'size' must be positive: got -0.1");
  await refusedWith(
    { size: "0.105" },
    InvalidOrderError,
    "not a multiple of the ETH size step 0.01",
  );
  await refusedWith({ size: "0.01" }, InvalidOrderError, "below the ETH minimum 0.02");
  // 0.02 × 400 = 8 < 10 USD.
  await refusedWith(
    { size: "0.02", price: "400" },
    InvalidOrderError,
    "notional 8 is below the ETH minimum 10",
  );
});

Deno.test("checkOrderRequest() refuses prices that are not positive or off-tick, on both sides", async () => {
  for (const side of ["buy", "sell"] as const) {
    await refusedWith({ side, price: "0" }, InvalidOrderError, "'price' must be positive: got 0");
    await refusedWith({ side, price: "-1" }, InvalidOrderError, "'price' must be positive: got -1");
    await refusedWith(
      { side, price: "2000.02" },
      InvalidOrderError,
      "not a multiple of the ETH tick 0.05",
    );
  }
  await refusedWith(
    { price: undefined },
    InvalidOrderError,
    "'price' is required for a limit order",
  );
});

Deno.test("checkOrderRequest(): a market order always carries a worst price, on both sides", async () => {
  const buy = await checkOrderRequest(rules(), MARKET, {
    symbol: "ETH",
    side: "buy",
    type: "market",
    size: "0.1",
  });
  const sell = await checkOrderRequest(rules(), MARKET, {
    symbol: "ETH",
    side: "sell",
    type: "market",
    size: "0.1",
  });
  deepEqual(
    [
      buy.worstPrice?.toString(),
      buy.price,
      buy.timeInForce,
      sell.worstPrice?.toString(),
      sell.timeInForce,
    ],
    ["2010", undefined, "ioc", "1990", "ioc"],
  );
  const given = await checkOrderRequest(rules(), MARKET, {
    symbol: "ETH",
    side: "sell",
    type: "market",
    size: "0.1",
    worstPrice: "1950.10",
  });
  equal(given.worstPrice?.toString(), "1950.1");
  await refusedWith(
    { type: "market", price: "2000" },
    InvalidOrderError,
    "takes 'worstPrice', not 'price'",
  );
  await refusedWith(
    { type: "market", price: undefined, worstPrice: "0" },
    InvalidOrderError,
    "'worstPrice' must be positive",
  );
  await refusedWith(
    { type: "market", price: undefined, timeInForce: "gtc" },
    OrderRejectedError,
    "must be ioc or fok",
  );
  await refusedWith(
    { type: "market", price: undefined, postOnly: true },
    OrderRejectedError,
    "cannot be post-only",
  );
  // A derived worst price off the tick is refused too: the hook must quantize toward safety.
  await rejects(
    checkOrderRequest(rules({ buy: "2010.01", sell: "1990" }), MARKET, {
      symbol: "ETH",
      side: "buy",
      type: "market",
      size: "0.1",
    }),
    InvalidOrderError,
  );
});

Deno.test("checkOrderRequest(): post-only must rest, unsupported time in force is named", async () => {
  await refusedWith(
    { postOnly: true, timeInForce: "ioc" },
    OrderRejectedError,
    "'timeInForce' ioc cannot be post-only",
  );
  await refusedWith(
    { timeInForce: "fok" },
    OrderRejectedError,
    "'timeInForce' fok is not offered by the venue",
  );
});

Deno.test("checkOrderRequest(): gtt expiries inside the venue window only", async () => {
  await refusedWith({ timeInForce: "gtt" }, OrderRejectedError, "'expiresAt' is required for gtt");
  await refusedWith(
    { timeInForce: "gtt", expiresAt: NOW - 1 },
    OrderRejectedError,
    "'expiresAt' 2027-01-15T07:59:59.999Z has already passed",
  );
  await refusedWith(
    { timeInForce: "gtt", expiresAt: NOW + 60_000 },
    OrderRejectedError,
    "'expiresAt' must be 5 min to 30 d ahead: 2027-01-15T08:01:00.000Z is 1 min ahead",
  );
  await refusedWith(
    { timeInForce: "gtt", expiresAt: NOW + 31 * 86_400_000 },
    OrderRejectedError,
    "is 31 d ahead",
  );
  await refusedWith(
    { expiresAt: NOW + 3_600_000 },
    OrderRejectedError,
    "'expiresAt' is only for gtt orders",
  );
  const ok = await checkOrderRequest(rules(), MARKET, {
    ...base,
    timeInForce: "gtt",
    expiresAt: NOW + 300_000,
  });
  equal(ok.expiresAt, NOW + 300_000);
});

Deno.test("checkOrderRequest(): the client order id follows the venue's rule", async () => {
  await refusedWith(
    { clientOrderId: "0" },
    OrderRejectedError,
    "'clientOrderId' must be 1..999999999: got 0",
  );
  await refusedWith({ clientOrderId: "12a" }, OrderRejectedError, "got 12a");
  equal(
    (await checkOrderRequest(rules(), MARKET, { ...base, clientOrderId: "77" })).clientOrderId,
    "77",
  );
});

Deno.test("placeOrderWith(): nothing is built or sent for a refused request", async () => {
  let built = 0;
  let sent = 0;
  await rejects(
    placeOrderWith({
      ...rules(),
      endpoint: "/order",
      market: () => Promise.resolve(MARKET),
      build: () => built++,
      sign: (b) => b,
      send: () => (sent++, Promise.resolve(undefined)),
      parse: () => ({}) as Order,
      lookup: () => Promise.resolve(undefined),
    }, { ...base, price: "2000.01" }),
    InvalidOrderError,
  );
  deepEqual([built, sent], [0, 0]);
});

Deno.test("placeOrderWith(): a lost answer with failing lookups ends unknown, sent once", async () => {
  let sent = 0;
  const clock = new ManualClock(NOW);
  const result = placeOrderWith({
    ...rules(),
    clock,
    endpoint: "/order",
    outcomeDeadlineMs: 1_000,
    market: () => Promise.resolve(MARKET),
    build: (o) => o.clientOrderId,
    sign: (b) => b,
    send: () => (sent++, Promise.reject(new NetworkError({ message: "reset" }))),
    parse: () => ({}) as Order,
    lookup: () => Promise.reject(new NetworkError({ message: "reset" })),
    canResend: () => true,
  }, base).then(() => undefined, (e) => e);
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 0));
    await clock.advance(100);
  }
  const error = await result;
  equal(error instanceof OrderOutcomeUnknownError && error.clientOrderId, "500");
  equal(sent, 1);
});

Deno.test("placeOrderWith(): a request's outcomeDeadlineMs bounds that call's lookups, not the client's 30 s", async () => {
  let sent = 0;
  let lookups = 0;
  const clock = new ManualClock(NOW);
  let endedAt: number | undefined;
  const result = placeOrderWith({
    ...rules(),
    clock,
    endpoint: "/order",
    outcomeDeadlineMs: 30_000,
    market: () => Promise.resolve(MARKET),
    build: (o) => o.clientOrderId,
    sign: (b) => b,
    send: () => (sent++, Promise.reject(new NetworkError({ message: "reset" }))),
    parse: () => ({}) as Order,
    lookup: () => (lookups++, Promise.reject(new NetworkError({ message: "reset" }))),
  }, { ...base, outcomeDeadlineMs: 1_500 }).then(() => undefined, (e) => {
    endedAt = clock.now();
    return e;
  });
  for (let i = 0; i < 40 && endedAt === undefined; i++) {
    await new Promise((r) => setTimeout(r, 0));
    await clock.advance(100);
  }
  const error = await result;
  equal(error instanceof OrderOutcomeUnknownError && error.clientOrderId, "500");
  // Ends within 1.5 s (+ one 100 ms tick of this loop), far before the client's 30 s.
  equal(endedAt !== undefined && endedAt - NOW >= 1_500 && endedAt - NOW <= 1_600, true);
  equal(sent, 1);
  equal(lookups > 1, true);
});

Deno.test("checkOrderRequest(): a call's outcomeDeadlineMs is a number of ms ≥ 0", async () => {
  for (const bad of [-1, Number.NaN, Infinity, "5" as unknown as number]) {
    await refusedWith({ outcomeDeadlineMs: bad }, OrderRejectedError, "'outcomeDeadlineMs'");
  }
  const ok = await checkOrderRequest(rules(), MARKET, { ...base, outcomeDeadlineMs: 0 });
  equal(ok.clientOrderId, "500");
});
