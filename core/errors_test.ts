import { deepStrictEqual as deepEqual, ok } from "node:assert/strict";
import {
  AuthenticationError,
  DuplicateClientOrderIdError,
  InsufficientMarginError,
  InvalidOrderError,
  InvalidSignatureError,
  MalformedPayloadError,
  NetworkError,
  NotFoundError,
  OrderRejectedError,
  PerpError,
  PostOnlyWouldCrossError,
  RateLimitedError,
  TimeoutError,
  VenueUnavailableError,
} from "./errors.ts";

Deno.test("retryable errors are exactly the transport and availability ones", () => {
  const retryable = [
    new NetworkError(),
    new TimeoutError(100),
    new RateLimitedError(5),
    new VenueUnavailableError(),
  ];
  const final = [
    new OrderRejectedError("other"),
    new PostOnlyWouldCrossError(),
    new InsufficientMarginError(),
    new InvalidOrderError("invalid_size"),
    new DuplicateClientOrderIdError("7"),
    new AuthenticationError(),
    new InvalidSignatureError(),
    new NotFoundError(),
    new MalformedPayloadError("x"),
  ];
  for (const e of retryable) ok(e.retryable, e.name);
  for (const e of final) ok(!e.retryable, e.name);
  for (const e of [...retryable, ...final]) ok(e instanceof PerpError && e instanceof Error);
});

Deno.test("subclasses carry their reason, name and fields", () => {
  const e = new PostOnlyWouldCrossError({ venue: "grvt", endpoint: "create_order", code: 2035 });
  ok(e instanceof OrderRejectedError);
  deepEqual(e.reason, "post_only_would_cross");
  deepEqual(e.name, "PostOnlyWouldCrossError");
  deepEqual(
    e.message,
    "Order rejected on grvt create_order (code 2035): post-only order would cross the book",
  );
  deepEqual(new TimeoutError(250).timeoutMs, 250);
  ok(new TimeoutError(250) instanceof NetworkError);
  deepEqual(new RateLimitedError(1500).retryAfterMs, 1500);
  ok(new InvalidSignatureError() instanceof AuthenticationError);
  deepEqual(new DuplicateClientOrderIdError("99").clientOrderId, "99");
});

Deno.test("MalformedPayloadError names venue, endpoint and field", () => {
  const e = new MalformedPayloadError("result.0.mark_price", {
    venue: "grvt",
    endpoint: "full/v1/ticker",
    details: "expected a decimal string, received number",
  });
  deepEqual(e.field, "result.0.mark_price");
  ok(e.message.includes("grvt"));
  ok(e.message.includes("full/v1/ticker"));
  ok(e.message.includes("result.0.mark_price"));
  ok(e.message.includes("expected a decimal string"));
});

Deno.test("the cause is kept for debugging", () => {
  const cause = new TypeError("fetch failed");
  const e = new NetworkError({ venue: "edgex", cause });
  deepEqual(e.cause, cause);
  ok(e.message.includes("fetch failed"));
});
