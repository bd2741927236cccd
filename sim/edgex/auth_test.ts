/**
 * The replica's request-auth check on its own: the HMAC vectors of testdata/fixtures/edgex
 * (expected values are the fixture's literals), refusals, and interplay with the client's signer.
 */
import { deepStrictEqual as deepEqual, ok } from "node:assert/strict";
import fc from "fast-check";
import { edgeXPrivateWsAuth, signEdgeXRequest } from "../../exchanges/edgex/auth.ts";
import {
  type EdgeXApiKeyRecord,
  edgeXBodyText,
  edgeXHmac,
  edgeXQueryText,
  verifyEdgeXSignedRequest,
} from "./auth.ts";
import { testdataUrl } from "../../tests/_testdata.ts";

const FIXTURES = testdataUrl("fixtures/edgex/");
const VECTORS = JSON.parse(await Deno.readTextFile(new URL("test_vectors.json", FIXTURES)));

interface HmacVector {
  name: string;
  apiSecret: string;
  timestamp: string;
  method: string;
  requestUri: string;
  signedBody: string;
  message: string;
  signature: string;
  jsonBodySent?: Record<string, unknown>;
}

const KEY = { apiKey: "api-key", passphrase: "passphrase" };

for (const v of VECTORS.hmac as HmacVector[]) {
  Deno.test(`HMAC vector ${v.name}: the replica computes the vector's signature`, () => {
    deepEqual(edgeXHmac(v.apiSecret, v.message), v.signature);
  });

  Deno.test(`HMAC vector ${v.name}: the replica accepts the vector's request`, () => {
    const key: EdgeXApiKeyRecord = { ...KEY, secret: v.apiSecret };
    const headers = {
      "X-edgeX-Api-Key": KEY.apiKey,
      "X-edgeX-Passphrase": KEY.passphrase,
      "X-edgeX-Timestamp": v.timestamp,
      "X-edgeX-Signature": v.signature,
    };
    let url = v.requestUri;
    let body: string | undefined;
    if (v.method === "GET") url += `?${v.signedBody}`;
    else if (v.jsonBodySent) body = JSON.stringify(v.jsonBodySent);
    else return; // a POST vector without its JSON body: the signed text is checked above.
    const verdict = verifyEdgeXSignedRequest({ method: v.method, url, body, headers }, {
      lookup: (k) => (k === key.apiKey ? key : undefined),
      nowMs: Number(v.timestamp),
    });
    deepEqual(verdict, { ok: true, apiKey: KEY.apiKey, timestamp: Number(v.timestamp) });
    const forged = { ...headers, "X-edgeX-Signature": "0".repeat(64) };
    deepEqual(
      verifyEdgeXSignedRequest({ method: v.method, url, body, headers: forged }, {
        lookup: () => key,
        nowMs: Number(v.timestamp),
      }).ok,
      false,
    );
  });
}

Deno.test("the replica's canonical texts reproduce the vectors' signed bodies", () => {
  const order = VECTORS.eip712.find((e: { name: string }) =>
    e.name === "py_test_order_requests_createOrder"
  );
  deepEqual(edgeXBodyText(order.requestBodyPythonStyle), order.requestBodyPythonStyleSignedString);
  deepEqual(
    edgeXQueryText(
      new URLSearchParams(
        "size=50&filterStatusList=OPEN,PENDING&accountId=12345&filterContractIdList=30000001,30000002",
      ),
    ),
    "accountId=12345&filterContractIdList=30000001,30000002&filterStatusList=OPEN,PENDING&size=50",
  );
  deepEqual(
    edgeXBodyText({
      accountId: "12345",
      orderIdList: ["800000000000000001", "800000000000000002"],
    }),
    "accountId=12345&orderIdList=800000000000000001&800000000000000002",
  );
});

// ---------------------------------------------------------------------------------------------
// Refusals

const CREDS: EdgeXApiKeyRecord = {
  apiKey: "verify-api-key",
  secret: "verify-secret",
  passphrase: "verify-passphrase",
};
const CLIENT_CREDS = { apiKey: CREDS.apiKey, secret: CREDS.secret, passphrase: CREDS.passphrase };
const T0 = 1_790_000_000_000;
const ORDER_PATH = "/api/v2/private/order/createOrder";
const ORDER_BODY = JSON.stringify({
  accountId: "1",
  price: "80000.0",
  size: "0.001",
  reduceOnly: false,
});

function signedOrder(timestamp = T0): Record<string, string> {
  return signEdgeXRequest(
    { method: "POST", path: ORDER_PATH, body: ORDER_BODY },
    { ...CLIENT_CREDS, timestamp },
  );
}

function verifyOrder(
  headers: HeadersInit,
  nowMs = T0,
  body = ORDER_BODY,
  extra: { toleranceMs?: number; acceptLegacyHeaderNames?: boolean; unknown?: boolean } = {},
) {
  return verifyEdgeXSignedRequest(
    { method: "POST", url: `https://sim.local${ORDER_PATH}`, body, headers },
    {
      lookup: (k) => (extra.unknown ? undefined : k === CREDS.apiKey ? CREDS : undefined),
      nowMs,
      toleranceMs: extra.toleranceMs,
      acceptLegacyHeaderNames: extra.acceptLegacyHeaderNames,
    },
  );
}

Deno.test("verifyEdgeXSignedRequest() accepts a client-signed request, header names in any case", () => {
  deepEqual(verifyOrder(signedOrder()), { ok: true, apiKey: CREDS.apiKey, timestamp: T0 });
  const lower = Object.fromEntries(
    Object.entries(signedOrder()).map(([k, v]) => [k.toLowerCase(), v]),
  );
  deepEqual(verifyOrder(lower).ok, true);
  const upperSig = {
    ...signedOrder(),
    "X-edgeX-Signature": signedOrder()["X-edgeX-Signature"].toUpperCase(),
  };
  deepEqual(verifyOrder(upperSig).ok, true);
});

Deno.test("verifyEdgeXSignedRequest() rejects a wrong HMAC, a changed body, another secret", () => {
  const headers = signedOrder();
  const sig = headers["X-edgeX-Signature"];
  const flipped = sig.slice(0, -1) + (sig.endsWith("0") ? "1" : "0");
  deepEqual(verifyOrder({ ...headers, "X-edgeX-Signature": flipped }).ok, false);
  deepEqual(verifyOrder({ ...headers, "X-edgeX-Signature": "abc" }).ok, false);
  const other = JSON.stringify({
    accountId: "1",
    price: "80000.0",
    size: "0.002",
    reduceOnly: false,
  });
  const verdict = verifyOrder(headers, T0, other);
  deepEqual(!verdict.ok && verdict.reason, "bad_signature");
  const forged = signEdgeXRequest(
    { method: "POST", path: ORDER_PATH, body: ORDER_BODY },
    { ...CLIENT_CREDS, secret: "other-secret", timestamp: T0 },
  );
  deepEqual(verifyOrder(forged).ok, false);
});

Deno.test("verifyEdgeXSignedRequest() rejects timestamps more than 60 s from now, either way", () => {
  const headers = signedOrder();
  deepEqual(verifyOrder(headers, T0 + 60_000).ok, true);
  deepEqual(verifyOrder(headers, T0 - 60_000).ok, true);
  for (const now of [T0 + 60_001, T0 - 60_001, T0 + 3_600_000]) {
    const verdict = verifyOrder(headers, now);
    deepEqual(!verdict.ok && verdict.reason, "stale_timestamp");
  }
  deepEqual(verifyOrder(headers, T0 + 5_000, ORDER_BODY, { toleranceMs: 1_000 }).ok, false);
  const bad = verifyOrder({ ...headers, "X-edgeX-Timestamp": "1.7e12" });
  deepEqual(!bad.ok && bad.reason, "bad_timestamp");
});

Deno.test("verifyEdgeXSignedRequest() names what is wrong without revealing secrets", () => {
  const headers = signedOrder();
  const reason = (h: HeadersInit, extra = {}) => {
    const v = verifyOrder(h, T0, ORDER_BODY, extra);
    ok(!v.ok);
    ok(!v.message.includes(CREDS.secret) && !v.message.includes(CREDS.passphrase));
    return v.reason;
  };
  deepEqual(reason({ ...headers, "X-edgeX-Passphrase": "wrong-passphrase" }), "wrong_passphrase");
  deepEqual(reason({ ...headers, "X-edgeX-Api-Key": "someone-else" }), "unknown_api_key");
  deepEqual(reason(headers, { unknown: true }), "unknown_api_key");
  const { "X-edgeX-Passphrase": _, ...noPassphrase } = headers;
  deepEqual(reason(noPassphrase), "missing_headers");
  deepEqual(reason({}), "missing_headers");
  const v = verifyOrder(headers, T0, "{not json");
  deepEqual(!v.ok && v.reason, "malformed_request");
});

Deno.test("verifyEdgeXSignedRequest() refuses the -Api- header names unless told to accept them", () => {
  const legacy = signEdgeXRequest(
    { method: "POST", path: ORDER_PATH, body: ORDER_BODY },
    { ...CLIENT_CREDS, timestamp: T0 },
    { headerNames: { timestamp: "X-edgeX-Api-Timestamp", signature: "X-edgeX-Api-Signature" } },
  );
  const refused = verifyOrder(legacy);
  deepEqual(!refused.ok && refused.reason, "legacy_header_names");
  deepEqual(verifyOrder(legacy, T0, ORDER_BODY, { acceptLegacyHeaderNames: true }).ok, true);
});

Deno.test("verifyEdgeXSignedRequest() accepts a WebSocket handshake by headers or by subprotocol", () => {
  const key = { apiKey: "api-key", secret: "secret", passphrase: "passphrase" };
  const auth = edgeXPrivateWsAuth("12345", key, {
    clock: { now: () => 1_700_000_000_123 },
    wsUrl: "ws://127.0.0.1:9000",
  });
  const options = { lookup: () => key, nowMs: 1_700_000_000_500 };
  const check = (url: string, headers: HeadersInit) =>
    verifyEdgeXSignedRequest({ method: "GET", url, headers }, options);
  // The Go SDK test's inputs give the vector's signature.
  deepEqual(
    auth.headers["X-edgeX-Signature"],
    "bd4bc2c51e659752fd4d4888e85d322e135b597d1e40a42b86ad9c4168560c9b",
  );
  deepEqual(check(auth.url, auth.headers).ok, true);
  deepEqual(check(auth.url, { "Sec-WebSocket-Protocol": `chat, ${auth.protocol}` }).ok, true);
  // The Python SDK appends accountId to a URL that already has it; the first value counts.
  deepEqual(check(auth.url.replace("?", "?accountId=12345&"), auth.headers).ok, true);
  deepEqual(check(auth.url.replace("accountId=12345", "accountId=12346"), auth.headers), {
    ok: false,
    reason: "bad_signature",
    message: "Signature does not match the request",
  });
});

Deno.test("a client-signed request verifies and any change to its body or query does not (property)", () => {
  const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,8}$/);
  const value = fc.oneof(fc.string({ maxLength: 12 }), fc.boolean(), fc.constant(null));
  fc.assert(
    fc.property(
      fc.dictionary(
        key,
        fc.oneof(value, fc.array(value, { maxLength: 3 }), fc.dictionary(key, value)),
        {
          minKeys: 1,
          maxKeys: 6,
        },
      ),
      fc.dictionary(key, fc.string({ minLength: 1, maxLength: 8 }), { minKeys: 1, maxKeys: 5 }),
      (body, query) => {
        const text = JSON.stringify(body);
        const post = signEdgeXRequest(
          { method: "POST", path: ORDER_PATH, body: text },
          { ...CLIENT_CREDS, timestamp: T0 },
        );
        deepEqual(verifyOrder(post, T0, text).ok, true);
        deepEqual(verifyOrder(post, T0, JSON.stringify({ ...body, zzzExtra: "1" })).ok, false);
        const path = "/api/v2/private/order/getActiveOrderPage";
        const get = signEdgeXRequest({ method: "GET", path, query }, {
          ...CLIENT_CREDS,
          timestamp: T0,
        });
        const url = `${path}?${new URLSearchParams(query)}`;
        const check = (u: string) =>
          verifyEdgeXSignedRequest({ method: "GET", url: u, headers: get }, {
            lookup: () => CREDS,
            nowMs: T0,
          }).ok;
        deepEqual(check(url), true);
        deepEqual(check(`${url}&zzzExtra=1`), false);
      },
    ),
    { numRuns: 200 },
  );
});
