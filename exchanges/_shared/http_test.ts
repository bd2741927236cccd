import {
  deepStrictEqual as deepEqual,
  ok,
  rejects,
  strictEqual as equal,
  throws,
} from "node:assert/strict";
import { z } from "zod";
import { ManualClock } from "./clock.ts";
import {
  AuthenticationError,
  ConfigurationError,
  InvalidSignatureError,
  MalformedPayloadError,
  NetworkError,
  NotFoundError,
  PerpError,
  type PerpErrorOptions,
  RateLimitedError,
  TimeoutError,
  VenueUnavailableError,
} from "../../core/errors.ts";
import {
  createHttpTransport,
  type FetchLike,
  type HttpErrorContext,
  type HttpTransportOptions,
  parseRetryAfter,
} from "./http.ts";
import { decimalString } from "./parse.ts";

type Reply = ((req: Request) => Response | Promise<Response>) | Error;

/** A fetch that answers from a script; the last entry repeats. Records every request. */
function scriptedFetch(...replies: Reply[]): { fetch: FetchLike; calls: Request[] } {
  const calls: Request[] = [];
  const fetch: FetchLike = (input, init) => {
    const req = new Request(input, init);
    calls.push(req);
    const reply = replies[Math.min(calls.length - 1, replies.length - 1)];
    if (reply instanceof Error) return Promise.reject(reply);
    return Promise.resolve(reply(req));
  };
  return { fetch, calls };
}

/** A fetch that never answers until its signal aborts. */
function hangingFetch(): { fetch: FetchLike; calls: number } {
  const state = {
    calls: 0,
    fetch: ((_input, init) => {
      state.calls++;
      return new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal!.reason), { once: true });
      });
    }) as FetchLike,
  };
  return state;
}

const json = (body: unknown, init?: ResponseInit) => () => Response.json(body, init);
const status = (code: number, body = "", headers?: HeadersInit) => () =>
  new Response(body, { status: code, headers });

const Price = z.object({ result: z.object({ mark_price: decimalString }) });

function transport(fetch: FetchLike, extra: Partial<HttpTransportOptions> = {}) {
  return createHttpTransport({
    venue: "grvt",
    baseUrl: "https://api.example.test/v1/",
    clock: new ManualClock(),
    fetch,
    ...extra,
  });
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error("expected the promise to reject, it resolved");
}

Deno.test("request() returns the body parsed by the schema", async () => {
  const { fetch, calls } = scriptedFetch(json({ result: { mark_price: "64400.1" } }));
  const t = transport(fetch, { headers: { "x-client": "perp" } });
  const out = await t.request({
    method: "POST",
    path: "/full/ticker",
    query: { market: "BTC_USDT_Perp", depth: 10, skip: undefined, ids: [1n, 2n] },
    body: { instrument: "BTC_USDT_Perp", nonce: 2n ** 64n - 1n },
    schema: Price,
  });
  equal(out.result.mark_price.toString(), "64400.1");
  equal(calls.length, 1);
  const req = calls[0];
  equal(req.method, "POST");
  equal(
    req.url,
    "https://api.example.test/v1/full/ticker?market=BTC_USDT_Perp&depth=10&ids=1&ids=2",
  );
  equal(req.headers.get("content-type"), "application/json");
  equal(req.headers.get("accept"), "application/json");
  equal(req.headers.get("x-client"), "perp");
  equal(await req.text(), '{"instrument":"BTC_USDT_Perp","nonce":"18446744073709551615"}');
});

Deno.test("request() sends URLSearchParams as a form and accepts an empty body when the schema does", async () => {
  const { fetch, calls } = scriptedFetch(() => new Response(null, { status: 204 }));
  const t = transport(fetch);
  const out = await t.request({
    method: "POST",
    path: "sendTx",
    body: new URLSearchParams({ tx_type: "14", tx_info: "{}" }),
    schema: z.undefined(),
  });
  equal(out, undefined);
  equal(calls[0].headers.get("content-type"), "application/x-www-form-urlencoded;charset=UTF-8");
  equal(await calls[0].text(), "tx_type=14&tx_info=%7B%7D");
});

Deno.test("request() turns a schema mismatch into MalformedPayloadError naming venue, endpoint and field", async () => {
  const { fetch } = scriptedFetch(json({ result: { mark_price: 64400.1 } }));
  const e = await caught(
    transport(fetch).request({
      method: "GET",
      path: "/full/ticker",
      endpoint: "ticker",
      schema: Price,
    }),
  );
  ok(e instanceof MalformedPayloadError);
  equal(e.field, "result.mark_price");
  equal(e.venue, "grvt");
  equal(e.endpoint, "ticker");
  ok(e.message.includes("received number 64400.1"), e.message);
});

Deno.test("request() throws MalformedPayloadError with an empty field when a 200 body is not JSON", async () => {
  const { fetch, calls } = scriptedFetch(status(200, "<html>maintenance</html>"));
  const e = await caught(
    transport(fetch).request({ method: "GET", path: "/x", schema: z.unknown() }),
  );
  ok(e instanceof MalformedPayloadError);
  equal(e.field, "");
  ok(e.message.includes("body is not JSON: <html>maintenance</html>"), e.message);
  equal(calls.length, 1, "a malformed payload is not retried");
});

Deno.test("request() retries a GET after 503 with backoff on the clock and returns the later success", async () => {
  const clock = new ManualClock();
  const { fetch, calls } = scriptedFetch(status(503), json({ result: { mark_price: "1" } }));
  const t = transport(fetch, {
    clock,
    retry: { attempts: 3, baseDelayMs: 200, random: () => 0.5 },
  });
  const pending = t.request({ method: "GET", path: "/ticker", schema: Price });
  await clock.advance(99);
  equal(calls.length, 1, "waits the backoff delay (0.5 × 200 ms) before retrying");
  await clock.advance(1);
  const out = await pending;
  equal(calls.length, 2);
  equal(out.result.mark_price.toString(), "1");
});

Deno.test("request() gives up on a GET after the last attempt and throws VenueUnavailableError", async () => {
  const clock = new ManualClock();
  const { fetch, calls } = scriptedFetch(status(503, "down"));
  const t = transport(fetch, { clock, retry: { attempts: 3, random: () => 0 } });
  const e = await caught(t.request({ method: "GET", path: "/ticker", schema: Price }));
  ok(e instanceof VenueUnavailableError);
  equal(e.code, 503);
  equal(calls.length, 3);
});

Deno.test("request() never retries a POST on 503, timeout or network error", async (t) => {
  const cases: Array<
    [string, () => { fetch: FetchLike; count: () => number }, new (...a: never[]) => Error]
  > = [
    ["503", () => {
      const s = scriptedFetch(status(503));
      return { fetch: s.fetch, count: () => s.calls.length };
    }, VenueUnavailableError],
    ["network error", () => {
      const s = scriptedFetch(new TypeError("connection reset"));
      return { fetch: s.fetch, count: () => s.calls.length };
    }, NetworkError],
    ["timeout", () => {
      const h = hangingFetch();
      return { fetch: h.fetch, count: () => h.calls };
    }, TimeoutError],
  ];
  for (const [name, make, ErrorClass] of cases) {
    await t.step(name, async () => {
      const clock = new ManualClock();
      const { fetch, count } = make();
      const tr = transport(fetch, {
        clock,
        timeoutMs: 1_000,
        retry: { attempts: 5, random: () => 0 },
      });
      const pending = caught(
        tr.request({
          method: "POST",
          path: "/order",
          body: { client_order_id: "42" },
          schema: z.unknown(),
        }),
      );
      await clock.advance(10_000);
      const e = await pending;
      ok(e instanceof ErrorClass, `${name}: got ${e}`);
      equal(count(), 1, `${name}: fetch must be called exactly once`);
    });
  }
});

Deno.test("request() retries a POST marked idempotent", async () => {
  const { fetch, calls } = scriptedFetch(status(502), json({ ok: true }));
  const t = transport(fetch, { retry: { random: () => 0 } });
  deepEqual(
    await t.request({
      method: "POST",
      path: "/cancel",
      idempotent: true,
      body: {},
      schema: z.object({ ok: z.boolean() }),
    }),
    { ok: true },
  );
  equal(calls.length, 2);
});

Deno.test("request() waits out Retry-After: 2 on 429 before retrying, even for a POST", async () => {
  const clock = new ManualClock();
  const { fetch, calls } = scriptedFetch(
    status(429, '{"code":1006}', { "retry-after": "2" }),
    json({ result: { mark_price: "2" } }),
  );
  const t = transport(fetch, { clock, retry: { attempts: 3, random: () => 0 } });
  const pending = t.request({ method: "POST", path: "/order", body: {}, schema: Price });
  await clock.advance(1_999);
  equal(calls.length, 1, "no retry before 2000 ms of clock time");
  await clock.advance(1);
  equal((await pending).result.mark_price.toString(), "2");
  equal(calls.length, 2);
});

Deno.test("request() throws RateLimitedError with retryAfterMs when 429 exhausts the attempts", async () => {
  const clock = new ManualClock();
  const { fetch, calls } = scriptedFetch(status(429, "", { "retry-after": "1" }));
  const t = transport(fetch, { clock, retry: { attempts: 3 } });
  const pending = caught(t.request({ method: "GET", path: "/ticker", schema: Price }));
  await clock.advance(5_000);
  const e = await pending;
  ok(e instanceof RateLimitedError);
  equal(e.retryAfterMs, 1_000);
  equal(e.code, 429);
  equal(calls.length, 3);
});

Deno.test("request() throws RateLimitedError at once when Retry-After exceeds maxRetryAfterMs", async () => {
  const { fetch, calls } = scriptedFetch(status(429, "", { "retry-after": "120" }));
  const t = transport(fetch, { retry: { attempts: 5, maxRetryAfterMs: 60_000 } });
  const e = await caught(t.request({ method: "GET", path: "/ticker", schema: Price }));
  ok(e instanceof RateLimitedError);
  equal(e.retryAfterMs, 120_000);
  equal(calls.length, 1);
});

Deno.test("request() retries a 429 without Retry-After after the backoff delay", async () => {
  const clock = new ManualClock();
  const { fetch, calls } = scriptedFetch(status(429), json({ result: { mark_price: "3" } }));
  const t = transport(fetch, { clock, retry: { baseDelayMs: 400, jitter: "none" } });
  const pending = t.request({ method: "GET", path: "/ticker", schema: Price });
  await clock.advance(399);
  equal(calls.length, 1);
  await clock.advance(1);
  equal((await pending).result.mark_price.toString(), "3");
});

Deno.test("request() throws TimeoutError when no answer comes within timeoutMs", async () => {
  const clock = new ManualClock();
  const h = hangingFetch();
  const t = transport(h.fetch, { clock, timeoutMs: 10_000, retry: false });
  const pending = caught(
    t.request({ method: "GET", path: "/slow", endpoint: "slow", schema: z.unknown() }),
  );
  await clock.advance(9_999);
  equal(clock.pending, 1, "still waiting just before the deadline");
  await clock.advance(1);
  const e = await pending;
  ok(e instanceof TimeoutError);
  equal(e.timeoutMs, 10_000);
  equal(e.endpoint, "slow");
  equal(h.calls, 1);
});

Deno.test("request() uses the per-request timeout and retries a GET that timed out", async () => {
  const clock = new ManualClock();
  let n = 0;
  const fetch: FetchLike = (input, init) =>
    ++n === 1 ? hangingFetch().fetch(input, init) : Promise.resolve(Response.json({ ok: 1 }));
  const t = transport(fetch, { clock, timeoutMs: 60_000, retry: { random: () => 0 } });
  const pending = t.request({
    method: "GET",
    path: "/slow",
    timeoutMs: 500,
    schema: z.object({ ok: z.number() }),
  });
  await clock.advance(500);
  deepEqual(await pending, { ok: 1 });
  equal(n, 2);
});

Deno.test("request() fires the timeout even when fetch ignores the abort signal", async () => {
  const clock = new ManualClock();
  const fetch: FetchLike = () => new Promise<Response>(() => {});
  const t = transport(fetch, { clock, timeoutMs: 100, retry: false });
  const pending = caught(t.request({ method: "GET", path: "/x", schema: z.unknown() }));
  await clock.advance(100);
  ok((await pending) instanceof TimeoutError);
});

Deno.test("request() propagates the caller's abort as it is and does not retry", async () => {
  const clock = new ManualClock();
  const h = hangingFetch();
  const t = transport(h.fetch, { clock, retry: { attempts: 5 } });
  const controller = new AbortController();
  const pending = caught(
    t.request({ method: "GET", path: "/x", schema: z.unknown(), signal: controller.signal }),
  );
  await clock.advance(0);
  const reason = new DOMException("user stopped", "AbortError");
  controller.abort(reason);
  equal(await pending, reason);
  await clock.advance(60_000);
  equal(h.calls, 1);
  equal(clock.pending, 0, "no timer left behind");
});

Deno.test("request() stops waiting for a retry when the caller aborts", async () => {
  const clock = new ManualClock();
  const { fetch, calls } = scriptedFetch(status(503));
  const t = transport(fetch, { clock, retry: { attempts: 5, baseDelayMs: 1_000, jitter: "none" } });
  const controller = new AbortController();
  const pending = caught(
    t.request({ method: "GET", path: "/x", schema: z.unknown(), signal: controller.signal }),
  );
  await clock.advance(10);
  controller.abort();
  const e = await pending;
  ok(e instanceof DOMException && e.name === "AbortError", String(e));
  equal(calls.length, 1);
});

// Lighter-style table: codes are data.
const lighterCodes: Record<number, (o: PerpErrorOptions) => PerpError> = {
  21120: (o) => new InvalidSignatureError(o),
  23000: (o) => new RateLimitedError(undefined, o),
};
function lighterMapError(ctx: HttpErrorContext): PerpError | undefined {
  const body = ctx.body as { code?: number; message?: string } | undefined;
  if (!body || body.code === undefined || body.code === 200) return undefined;
  const options = {
    venue: ctx.venue,
    endpoint: ctx.endpoint,
    code: body.code,
    details: body.message,
  };
  return lighterCodes[body.code]?.(options) ?? new PerpError(`rejected: ${body.message}`, options);
}

Deno.test("request() maps a venue code inside an HTTP 200 envelope through mapError", async () => {
  const { fetch, calls } = scriptedFetch(json({ code: 21120, message: "invalid signature" }));
  const t = transport(fetch, { venue: "lighter", mapError: lighterMapError });
  const e = await caught(
    t.request({ method: "POST", path: "/api/v1/sendTx", body: {}, schema: z.unknown() }),
  );
  ok(e instanceof InvalidSignatureError);
  equal(e.code, 21120);
  equal(e.venue, "lighter");
  equal(calls.length, 1);

  const unknownCode = scriptedFetch(json({ code: 21700, message: "invalid nonce" }));
  const e2 = await caught(
    transport(unknownCode.fetch, { venue: "lighter", mapError: lighterMapError })
      .request({ method: "POST", path: "/api/v1/sendTx", body: {}, schema: z.unknown() }),
  );
  ok(
    e2 instanceof PerpError && e2.code === 21700 && e2.message.includes("invalid nonce"),
    String(e2),
  );
});

Deno.test("request() retries a POST whose envelope code mapError maps to RateLimitedError", async () => {
  const { fetch, calls } = scriptedFetch(
    status(429, '{"code":23000,"message":"Too Many Requests"}', { "retry-after": "0" }),
    json({ code: 200, tx_hash: "0xabc" }),
  );
  const t = transport(fetch, { venue: "lighter", mapError: lighterMapError });
  const out = await t.request({
    method: "POST",
    path: "/api/v1/sendTx",
    body: {},
    schema: z.object({ tx_hash: z.string() }),
  });
  equal(out.tx_hash, "0xabc");
  equal(calls.length, 2);
});

Deno.test("request() maps statuses to error classes when mapError has no entry", async () => {
  const cases: Array<[number, string, new (...a: never[]) => Error]> = [
    [401, "", AuthenticationError],
    [403, "forbidden", AuthenticationError],
    [404, "{}", NotFoundError],
    [429, "", RateLimitedError],
    [500, "", VenueUnavailableError],
    [502, "<html><body>Bad gateway</body></html>", VenueUnavailableError],
  ];
  for (const [code, body, ErrorClass] of cases) {
    const { fetch } = scriptedFetch(status(code, body));
    const t = transport(fetch, { retry: false, mapError: () => undefined });
    const e = await caught(t.request({ method: "GET", path: "/x", schema: z.unknown() }));
    ok(e instanceof ErrorClass, `${code}: got ${e}`);
    equal((e as PerpError).code, code);
  }
  const { fetch } = scriptedFetch(
    status(400, '{"code":2012,"message":"Client Order ID overlaps"}'),
  );
  const e = await caught(
    transport(fetch).request({ method: "POST", path: "/order", body: {}, schema: z.unknown() }),
  );
  ok(e instanceof PerpError && e.constructor === PerpError);
  equal(e.code, 400);
  ok(e.message.includes("Client Order ID overlaps"), e.message);
  ok(!e.retryable);
});

Deno.test("request() keeps secrets in the query, headers and bodies out of errors", async () => {
  const token = "tok-9f8e7d6c5b4a39281706";
  const apiKey = "key-0a1b2c3d4e5f60718293";
  const authenticate = () => ({ "X-Api-Key": apiKey, Authorization: `Bearer ${apiKey}` });
  const check = (e: unknown) => {
    ok(e instanceof PerpError, String(e));
    const texts = [
      String(e),
      e.message,
      e.stack ?? "",
      String(e.endpoint),
      JSON.stringify(e.details),
      String(e.cause),
      (e.cause as Error | undefined)?.stack ?? "",
    ];
    for (const text of texts) {
      ok(!text.includes(token), `token leaked: ${text}`);
      ok(!text.includes(apiKey), `api key leaked: ${text}`);
    }
  };
  const query = { market: 1, auth: token };
  // The venue echoes the request back in its error body.
  const echo = scriptedFetch((req) =>
    new Response(
      JSON.stringify({ code: 1, url: req.url, api_key: req.headers.get("x-api-key"), auth: token }),
      { status: 400 },
    )
  );
  const e1 = await caught(
    transport(echo.fetch, { authenticate }).request({
      method: "GET",
      path: `/orders`,
      query,
      schema: z.unknown(),
    }),
  );
  check(e1);
  ok(JSON.stringify((e1 as PerpError).details).includes("auth=[REDACTED]"));

  // Deno's fetch puts the whole URL into its error message.
  const failing: FetchLike = (input) =>
    Promise.reject(
      new TypeError(`error sending request for url (${String(input)}): connection refused`),
    );
  const e2 = await caught(
    transport(failing, { authenticate, retry: false }).request({
      method: "GET",
      path: "/orders",
      query,
      schema: z.unknown(),
    }),
  );
  ok(e2 instanceof NetworkError);
  check(e2);

  // Secrets in the path itself (a query string written by hand) and a timeout.
  const clock = new ManualClock();
  const h = hangingFetch();
  const pending = caught(
    transport(h.fetch, { clock, authenticate, retry: false, timeoutMs: 10 })
      .request({ method: "GET", path: `/orders?auth=${token}`, schema: z.unknown() }),
  );
  await clock.advance(10);
  const e3 = await pending;
  ok(e3 instanceof TimeoutError);
  check(e3);
});

Deno.test("request() calls authenticate on every attempt with the exact URL and body sent", async () => {
  const clock = new ManualClock(1_000);
  const seen: Array<{ url: string; body: string | undefined; at: number }> = [];
  const { fetch, calls } = scriptedFetch(status(503), json({ ok: true }));
  const t = transport(fetch, {
    clock,
    retry: { random: () => 0.5, baseDelayMs: 100 },
    authenticate: (ctx) => {
      seen.push({ url: ctx.url.href, body: ctx.body, at: clock.now() });
      return { "x-signature": `sig-${clock.now()}` };
    },
  });
  const pending = t.request({
    method: "DELETE",
    path: "/order",
    query: { id: "7" },
    body: { id: "7" },
    idempotent: true,
    schema: z.object({ ok: z.boolean() }),
  });
  await clock.advance(50);
  await pending;
  deepEqual(seen, [
    { url: "https://api.example.test/v1/order?id=7", body: '{"id":"7"}', at: 1_000 },
    { url: "https://api.example.test/v1/order?id=7", body: '{"id":"7"}', at: 1_050 },
  ]);
  deepEqual(calls.map((c) => c.headers.get("x-signature")), ["sig-1000", "sig-1050"]);
});

Deno.test("request() wraps a failing authenticate hook without retrying", async () => {
  const { fetch, calls } = scriptedFetch(json({}));
  const t = transport(fetch, {
    authenticate: () => {
      throw new Error("no key loaded for 0x" + "ab".repeat(32));
    },
  });
  const e = await caught(t.request({ method: "GET", path: "/x", schema: z.unknown() }));
  ok(e instanceof PerpError);
  ok(
    e.message.startsWith("Cannot sign the request to grvt /x: no key loaded for [REDACTED]"),
    e.message,
  );
  ok(!String((e.cause as Error).message).includes("abab"));
  equal(calls.length, 0);
});

Deno.test("request() refuses a body on GET", async () => {
  const { fetch } = scriptedFetch(json({}));
  await rejects(
    transport(fetch).request({ method: "GET", path: "/x", body: { a: 1 }, schema: z.unknown() }),
    TypeError,
  );
});

Deno.test("createHttpTransport() refuses a bad baseUrl, timeout or attempt count", () => {
  const fetch: FetchLike = () => Promise.resolve(new Response());
  throws(
    () => createHttpTransport({ venue: "grvt", baseUrl: "not a url", fetch }),
    ConfigurationError,
  );
  throws(
    () => createHttpTransport({ venue: "grvt", baseUrl: "https://x.test", timeoutMs: 0, fetch }),
    ConfigurationError,
  );
  throws(
    () =>
      createHttpTransport({
        venue: "grvt",
        baseUrl: "https://x.test",
        retry: { attempts: 0 },
        fetch,
      }),
    ConfigurationError,
  );
  throws(
    () =>
      createHttpTransport({
        venue: "grvt",
        baseUrl: "https://x.test",
        retry: { baseDelayMs: -1 },
        fetch,
      }),
    RangeError,
  );
});

Deno.test("parseRetryAfter() reads delay-seconds and HTTP dates", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  equal(parseRetryAfter("2", now), 2_000);
  equal(parseRetryAfter(" 0 ", now), 0);
  equal(parseRetryAfter("1.5", now), 1_500);
  equal(parseRetryAfter("Wed, 01 Jan 2025 00:00:30 GMT", now), 30_000);
  equal(parseRetryAfter("Tue, 31 Dec 2024 23:59:00 GMT", now), 0);
  equal(parseRetryAfter(null, now), undefined);
  equal(parseRetryAfter("-1", now), undefined);
  equal(parseRetryAfter("tomorrow-ish", now), undefined);
  equal(parseRetryAfter("2025-01-01", now), undefined);
});

Deno.test("request() talks to a real HTTP server: parses JSON, retries 503, sends the body", async () => {
  let hits = 0;
  const received: string[] = [];
  await using server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    async (req) => {
      hits++;
      const url = new URL(req.url);
      received.push(`${req.method} ${url.pathname}${url.search} ${await req.text()}`);
      if (url.pathname === "/api/flaky" && hits === 1) return new Response("busy", { status: 503 });
      return Response.json({ result: { mark_price: "101.5" }, path: url.pathname });
    },
  );
  const t = createHttpTransport({
    venue: "edgex",
    baseUrl: `http://127.0.0.1:${server.addr.port}/api`,
    retry: { attempts: 2, random: () => 0 },
  });
  const Body = z.object({ result: z.object({ mark_price: decimalString }), path: z.string() });
  const a = await t.request({ method: "GET", path: "flaky", query: { id: 1 }, schema: Body });
  equal(a.result.mark_price.toString(), "101.5");
  const b = await t.request({
    method: "POST",
    path: "/order",
    body: { size: "0.01" },
    schema: Body,
  });
  equal(b.path, "/api/order");
  deepEqual(received, [
    "GET /api/flaky?id=1 ",
    "GET /api/flaky?id=1 ",
    'POST /api/order {"size":"0.01"}',
  ]);
});
