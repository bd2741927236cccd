import {
  deepStrictEqual as deepEqual,
  notDeepStrictEqual as notDeepEqual,
  ok,
  rejects,
  throws,
} from "node:assert/strict";
import fc from "fast-check";
import { z } from "zod";
import { Decimal } from "../../core/decimal.ts";
import { ConfigurationError, PerpError } from "../../core/errors.ts";
import { createHttpTransport } from "../_shared/http.ts";
import { redact } from "../../core/redact.ts";
import {
  canonicalizeBody,
  canonicalizeQuery,
  EDGEX_HEADER_NAMES,
  edgeXAuthenticate,
  type EdgeXCredentials,
  edgeXHeaderNames,
  edgeXPrivateWsAuth,
  edgeXRequiresAuth,
  signatureMessage,
  signEdgeXRequest,
} from "./auth.ts";
import { testdataUrl } from "../../tests/_testdata.ts";

const FIXTURES = testdataUrl("fixtures/edgex/");
const VECTORS = JSON.parse(await Deno.readTextFile(new URL("test_vectors.json", FIXTURES)));

interface HmacVector {
  name: string;
  apiSecret: string;
  hmacKeyAscii: string;
  timestamp: string;
  method: string;
  requestUri: string;
  signedBody: string;
  message: string;
  signature: string;
  jsonBodySent?: Record<string, unknown>;
}

const HMAC_VECTORS: HmacVector[] = VECTORS.hmac;

/** Bodies of the POST vectors that do not carry `jsonBodySent` (the vector names the shape). */
const POST_BODIES: Record<string, Record<string, unknown>> = {
  post_cancelOrderById: {
    accountId: "12345",
    orderIdList: ["800000000000000001", "800000000000000002"],
  },
};

function requestOf(
  v: HmacVector,
): { method: string; path: string; query?: string; body?: unknown } {
  if (v.method === "GET") {
    // Reverse the pairs so the canonical order has to come from sorting.
    const reversed = v.signedBody.split("&").reverse().join("&");
    return { method: v.method, path: v.requestUri, query: reversed };
  }
  const body = v.jsonBodySent ?? POST_BODIES[v.name];
  ok(body, `no body for vector ${v.name}`);
  return { method: v.method, path: v.requestUri, body };
}

const CREDS = { apiKey: "edgex-test-api-key", passphrase: "edgex-test-passphrase" };

Deno.test("test_vectors.json holds the seven HMAC vectors", () => {
  deepEqual(HMAC_VECTORS.length, 7);
});

for (const v of HMAC_VECTORS) {
  Deno.test(`HMAC vector ${v.name}: canonical text, message and signature reproduce`, () => {
    // The vector's key column: ASCII of base64(secret), not the decoded secret.
    deepEqual(btoa(v.apiSecret), v.hmacKeyAscii);
    const req = requestOf(v);
    const canonical = v.method === "GET"
      ? canonicalizeQuery(req.query)
      : canonicalizeBody(req.body);
    deepEqual(canonical, v.signedBody);
    deepEqual(signatureMessage(req, v.timestamp), v.message);
    const headers = signEdgeXRequest(req, {
      ...CREDS,
      secret: v.apiSecret,
      timestamp: v.timestamp,
    });
    deepEqual(headers, {
      "X-edgeX-Api-Key": CREDS.apiKey,
      "X-edgeX-Passphrase": CREDS.passphrase,
      "X-edgeX-Signature": v.signature,
      "X-edgeX-Timestamp": v.timestamp,
    });
    if (v.method !== "GET") {
      // The exact JSON text the transport sends signs the same.
      const text = JSON.stringify(req.body);
      deepEqual(canonicalizeBody(text), v.signedBody);
      const fromText = signEdgeXRequest(
        { ...req, body: text },
        { ...CREDS, secret: v.apiSecret, timestamp: v.timestamp },
      );
      deepEqual(fromText["X-edgeX-Signature"], v.signature);
    }
  });

  Deno.test(`HMAC vector ${v.name}: the transport hook sends the vector's signature`, async () => {
    let seen: { url: string; headers: Headers; body: string | undefined } | undefined;
    const transport = createHttpTransport({
      venue: "edgex",
      baseUrl: "https://edgex-prod-v2.edgex.exchange",
      authenticate: edgeXAuthenticate(
        { ...CREDS, secret: v.apiSecret },
        { clock: { now: () => Number(v.timestamp) } },
      ),
      fetch: (url, init) => {
        seen = {
          url: String(url),
          headers: new Headers(init?.headers),
          body: init?.body as string | undefined,
        };
        return Promise.resolve(Response.json({ code: "SUCCESS", data: null }));
      },
    });
    const req = requestOf(v);
    if (v.method === "GET") {
      const query = Object.fromEntries(new URLSearchParams(req.query as string));
      await transport.request({ method: "GET", path: v.requestUri, query, schema: z.unknown() });
    } else {
      await transport.request({
        method: "POST",
        path: v.requestUri,
        body: req.body,
        schema: z.unknown(),
      });
    }
    ok(seen);
    deepEqual(seen.headers.get("x-edgex-signature"), v.signature);
    deepEqual(seen.headers.get("x-edgex-timestamp"), v.timestamp);
    deepEqual(seen.headers.get("x-edgex-api-key"), CREDS.apiKey);
    deepEqual(seen.headers.get("x-edgex-passphrase"), CREDS.passphrase);
  });
}

Deno.test("canonicalizeBody() reproduces the Python-style createOrder signed string", () => {
  const vector = VECTORS.eip712.find((e: { name: string }) =>
    e.name === "py_test_order_requests_createOrder"
  );
  deepEqual(
    canonicalizeBody(vector.requestBodyPythonStyle),
    vector.requestBodyPythonStyleSignedString,
  );
  deepEqual(
    canonicalizeBody(JSON.stringify(vector.requestBodyPythonStyle)),
    vector.requestBodyPythonStyleSignedString,
  );
});

// ---------------------------------------------------------------------------------------------
// Canonical body edge cases

Deno.test("canonicalizeBody() flattens nested objects with sorted keys, without escaping", () => {
  deepEqual(
    canonicalizeBody({ z: { b: "2", a: { d: "x=y&z", c: "" } }, a: "1" }),
    "a=1&z=a=c=&d=x=y&z&b=2",
  );
});

Deno.test("canonicalizeBody() joins array items with '&' and signs an empty array as ''", () => {
  deepEqual(canonicalizeBody({ l: ["a", "b", "c"] }), "l=a&b&c");
  deepEqual(canonicalizeBody({ l: [], m: "1" }), "l=&m=1");
  deepEqual(
    canonicalizeBody({ l: [{ b: "2", a: "1" }, ["x", "y"], null, true] }),
    "l=a=1&b=2&x&y&&true",
  );
  deepEqual(canonicalizeBody(["1", "2"]), "1&2");
});

Deno.test("canonicalizeBody() signs null as '' and booleans as true/false", () => {
  deepEqual(
    canonicalizeBody({ openTp: null, reduceOnly: false, isSetOpenTp: true }),
    "isSetOpenTp=true&openTp=&reduceOnly=false",
  );
  deepEqual(canonicalizeBody("null"), "");
  deepEqual(canonicalizeBody("true"), "true");
});

Deno.test("canonicalizeBody() signs numbers as their JSON text, keeping the literal of sent text", () => {
  deepEqual(
    canonicalizeBody({ a: 1.5, b: 100, c: -0, d: 1e21, e: 0.1 }),
    "a=1.5&b=100&c=0&d=1e+21&e=0.1",
  );
  // From text, the number is signed exactly as written: 1.0 stays 1.0, big integers keep every digit.
  deepEqual(
    canonicalizeBody('{"price":1.0,"id":724625476626153743,"e":1E3}'),
    "e=1E3&id=724625476626153743&price=1.0",
  );
  deepEqual(
    canonicalizeBody({ id: 724625476626153743n, p: new Decimal("0.00010") }),
    "id=724625476626153743&p=0.0001",
  );
});

Deno.test("canonicalizeBody() of an empty body is ''", () => {
  deepEqual(canonicalizeBody(undefined), "");
  deepEqual(canonicalizeBody(""), "");
  deepEqual(canonicalizeBody("  \n"), "");
  deepEqual(canonicalizeBody({}), "");
  deepEqual(canonicalizeBody("{}"), "");
});

Deno.test("canonicalizeBody() leaves out what JSON.stringify leaves out", () => {
  const body = { a: "1", b: undefined, c: () => 1, d: [undefined, "x"], e: new Date(0) };
  deepEqual(canonicalizeBody(body), "a=1&d=&x&e=1970-01-01T00:00:00.000Z");
  deepEqual(canonicalizeBody(JSON.stringify(body)), canonicalizeBody(body));
});

Deno.test("canonicalizeBody() sorts keys by code point, as Python and Go do", () => {
  // UTF-16 order would put U+1F600 (a surrogate pair) before U+FF21; code point order after.
  deepEqual(
    canonicalizeBody({ "\u{1F600}": "2", "\uFF21": "1", B: "0", a: "3" }),
    "B=0&a=3&\uFF21=1&\u{1F600}=2",
  );
});

Deno.test("canonicalizeBody() refuses non-JSON text, non-finite numbers and cycles", () => {
  throws(() => canonicalizeBody("{accountId: 1}"), TypeError);
  throws(() => canonicalizeBody({ a: Number.NaN }), TypeError);
  throws(() => canonicalizeBody({ a: Infinity }), TypeError);
  const cyclic: Record<string, unknown> = { a: "1" };
  cyclic.self = cyclic;
  throws(() => canonicalizeBody(cyclic), TypeError);
});

Deno.test("canonicalizeBody() of a value equals canonicalizeBody() of its JSON text (property)", () => {
  fc.assert(
    // A top-level string is taken as JSON text by design, so only non-strings are compared.
    fc.property(fc.jsonValue().filter((v) => typeof v !== "string"), (value) => {
      deepEqual(canonicalizeBody(value), canonicalizeBody(JSON.stringify(value)));
    }),
    { numRuns: 500 },
  );
});

// ---------------------------------------------------------------------------------------------
// Query

Deno.test("canonicalizeQuery() sorts keys whatever the insertion order", () => {
  const expected = "accountId=1&filterContractIdList=30000001,30000002&offsetData=abc&size=50";
  deepEqual(
    canonicalizeQuery({
      size: 50,
      offsetData: "abc",
      filterContractIdList: "30000001,30000002",
      accountId: 1n,
    }),
    expected,
  );
  deepEqual(
    canonicalizeQuery(
      new URLSearchParams(
        "size=50&accountId=1&offsetData=abc&filterContractIdList=30000001%2C30000002",
      ),
    ),
    expected,
  );
  deepEqual(
    canonicalizeQuery("?offsetData=abc&size=50&filterContractIdList=30000001,30000002&accountId=1"),
    expected,
  );
});

Deno.test("canonicalizeQuery() signs decoded values and skips empty, null and undefined ones", () => {
  deepEqual(canonicalizeQuery("b=a%20b&a=x+y&c=%26"), "a=x y&b=a b&c=&");
  deepEqual(
    canonicalizeQuery({ a: "", b: null, c: undefined, d: false, e: new Decimal("1.50") }),
    "d=false&e=1.5",
  );
  deepEqual(canonicalizeQuery(undefined), "");
  deepEqual(canonicalizeQuery({}), "");
});

Deno.test("canonicalizeQuery() refuses a key given twice: lists travel comma-joined", () => {
  throws(() => canonicalizeQuery("a=1&a=2"), TypeError);
  throws(() => canonicalizeQuery({ a: ["1", "2"] }), TypeError);
  deepEqual(canonicalizeQuery({ a: ["1"] }), "a=1");
  throws(() => canonicalizeQuery({ a: Number.NaN }), TypeError);
});

Deno.test("signatureMessage() merges a query in the path and signs no query for POST", () => {
  deepEqual(
    signatureMessage({ method: "get", path: "/api/v2/private/x?b=2", query: { a: "1" } }, 5),
    "5GET/api/v2/private/xa=1&b=2",
  );
  throws(
    () => signatureMessage({ method: "GET", path: "/p?a=1", query: { a: "2" } }, 5),
    TypeError,
  );
  deepEqual(
    signatureMessage(
      { method: "POST", path: "/api/v2/private/y?ignored=1", body: { a: "1" } },
      "7",
    ),
    "7POST/api/v2/private/ya=1",
  );
  throws(() => signatureMessage({ method: "GET", path: "/p" }, "17e11"), TypeError);
  throws(() => signatureMessage({ method: "GET", path: "/p" }, -1), TypeError);
});

// ---------------------------------------------------------------------------------------------
// Headers, hook, secrets

Deno.test("edgeXHeaderNames() builds the SDKs' names from a prefix; options override names", () => {
  deepEqual(edgeXHeaderNames("EDGEX"), {
    apiKey: "X-EDGEX-Api-Key",
    passphrase: "X-EDGEX-Passphrase",
    timestamp: "X-EDGEX-Timestamp",
    signature: "X-EDGEX-Signature",
  });
  throws(() => edgeXHeaderNames("bad prefix"), TypeError);
  const headers = signEdgeXRequest(
    { method: "GET", path: "/api/v2/private/a" },
    { apiKey: "k-123456", secret: "s", passphrase: "p-123456", timestamp: 1 },
    { headerNames: { signature: "X-edgeX-Api-Signature", timestamp: "X-edgeX-Api-Timestamp" } },
  );
  deepEqual(Object.keys(headers).sort(), [
    "X-edgeX-Api-Key",
    "X-edgeX-Api-Signature",
    "X-edgeX-Api-Timestamp",
    "X-edgeX-Passphrase",
  ]);
  throws(
    () =>
      signEdgeXRequest({ method: "GET", path: "/a" }, {
        apiKey: "k",
        secret: "s",
        passphrase: "p",
        timestamp: 1,
      }, { headerNames: { apiKey: "bad name" } }),
    TypeError,
  );
});

Deno.test("edgeXRequiresAuth() follows the SDKs' list of signed paths", () => {
  for (
    const p of [
      "/api/v2/private/account/getAccountAsset",
      "/api/v1/private/ws",
      "/api/v2/public/codeInfo/x",
      "/ranking/top",
      "/api/v1/vault/x",
    ]
  ) {
    ok(edgeXRequiresAuth(p), p);
  }
  for (
    const p of [
      "/api/v2/public/meta/getMetaData",
      "/api/v2/public/quote/getTicker",
      "/api/v2/public/funding/getLatestFundingRate",
    ]
  ) {
    ok(!edgeXRequiresAuth(p), p);
  }
});

Deno.test("edgeXAuthenticate() registers every secret so errors and logs mask them", () => {
  const credentials: EdgeXCredentials = {
    apiKey: "5b0e3c9a-aaaa-bbbb-cccc-0123456789ab",
    secret: "api-secret-that-must-not-leak",
    passphrase: "passphrase-that-must-not-leak",
  };
  edgeXAuthenticate(credentials);
  const line = `key=${credentials.apiKey} s=${credentials.secret} p=${credentials.passphrase} k=${
    btoa(credentials.secret)
  }`;
  const masked = redact(line);
  for (
    const secret of [
      credentials.apiKey,
      credentials.secret,
      credentials.passphrase,
      btoa(credentials.secret),
    ]
  ) {
    ok(!masked.includes(secret), masked);
  }
});

Deno.test("edgeXAuthenticate() refuses missing credentials without printing the others", () => {
  let err: unknown;
  try {
    edgeXAuthenticate({ apiKey: "visible-key-123", secret: "", passphrase: "hidden-pass-123" });
  } catch (e) {
    err = e;
  }
  ok(err instanceof ConfigurationError);
  ok(err.message.includes("credentials lack"), err.message);
  ok(!err.message.includes("hidden-pass-123"));
});

Deno.test("edgeXAuthenticate() signs nothing on public paths and signs each retry afresh", async () => {
  let now = 1_790_000_000_000;
  const sent: Headers[] = [];
  let calls = 0;
  const transport = createHttpTransport({
    venue: "edgex",
    baseUrl: "https://edgex-prod-v2.edgex.exchange",
    retry: { attempts: 2, baseDelayMs: 1, random: () => 0 },
    authenticate: edgeXAuthenticate(
      { apiKey: "k-123456", secret: "test-secret", passphrase: "p-123456" },
      { clock: { now: () => now++ } },
    ),
    fetch: (_url, init) => {
      sent.push(new Headers(init?.headers));
      calls++;
      return Promise.resolve(
        calls === 2 ? new Response("busy", { status: 503 }) : Response.json({ code: "SUCCESS" }),
      );
    },
  });
  await transport.request({
    method: "GET",
    path: "/api/v2/public/meta/getServerTime",
    schema: z.unknown(),
  });
  deepEqual(sent[0].get("x-edgex-signature"), null);
  await transport.request({
    method: "GET",
    path: "/api/v2/private/account/getAccountAsset",
    query: { accountId: "1" },
    schema: z.unknown(),
  });
  deepEqual(sent.length, 3);
  notDeepEqual(sent[1].get("x-edgex-timestamp"), sent[2].get("x-edgex-timestamp"));
  notDeepEqual(sent[1].get("x-edgex-signature"), sent[2].get("x-edgex-signature"));
});

Deno.test("edgeXAuthenticate() stops a request whose query repeats a key before sending it", async () => {
  let fetched = false;
  const transport = createHttpTransport({
    venue: "edgex",
    baseUrl: "https://edgex-prod-v2.edgex.exchange",
    authenticate: edgeXAuthenticate({ apiKey: "k-123456", secret: "s", passphrase: "p-123456" }),
    fetch: () => {
      fetched = true;
      return Promise.resolve(Response.json({}));
    },
  });
  await rejects(
    transport.request({
      method: "GET",
      path: "/api/v2/private/order/getOrderById",
      query: { accountId: "1", orderIdList: ["1", "2"] },
      schema: z.unknown(),
    }),
    (e: unknown) => e instanceof PerpError && /appears more than once/.test(e.message),
  );
  ok(!fetched);
});

// ---------------------------------------------------------------------------------------------
// Private WebSocket

Deno.test("edgeXPrivateWsAuth() reproduces the Go SDK test vector and packs the subprotocol", () => {
  const v = HMAC_VECTORS.find((x) => x.name === "go_ws_client_auth_test")!;
  const credentials = { apiKey: "api-key", secret: v.apiSecret, passphrase: "passphrase" };
  const auth = edgeXPrivateWsAuth(12345n, credentials, {
    clock: { now: () => Number(v.timestamp) },
  });
  deepEqual(
    auth.url,
    `wss://edgex-quote-prod-v2.edgex.exchange/api/v1/private/ws?accountId=12345&timestamp=${v.timestamp}`,
  );
  deepEqual(auth.timestamp, v.timestamp);
  deepEqual(auth.headers[EDGEX_HEADER_NAMES.signature], v.signature);
  // Python json.dumps of the header map, base64, '=' stripped.
  const json = atob(auth.protocol + "=".repeat((4 - (auth.protocol.length % 4)) % 4));
  deepEqual(
    json,
    `{"X-edgeX-Api-Key": "api-key", "X-edgeX-Passphrase": "passphrase", "X-edgeX-Signature": "${v.signature}", "X-edgeX-Timestamp": "${v.timestamp}"}`,
  );
  ok(!auth.protocol.endsWith("="));
  throws(() => edgeXPrivateWsAuth("12x", credentials), TypeError);
  throws(() => edgeXPrivateWsAuth("1", credentials, { wsUrl: "not a url" }), ConfigurationError);
});
