import { deepStrictEqual as deepEqual, ok } from "node:assert/strict";
import { redact, REDACTED, redactValue, registerSecret } from "./redact.ts";
import {
  AuthenticationError,
  MalformedPayloadError,
  NetworkError,
  PerpError,
  RateLimitedError,
} from "./errors.ts";

const API_KEY = "ak_live_7f3c9d2e1b";
const PRIVATE_KEY = "0x" + "ab".repeat(32);
const PASSPHRASE = "correct-horse-battery";
registerSecret(API_KEY);
registerSecret(PRIVATE_KEY);
registerSecret(PASSPHRASE);

function assertClean(text: string) {
  for (const s of [API_KEY, PRIVATE_KEY, PRIVATE_KEY.slice(2), PASSPHRASE, "tok-123456"]) {
    ok(!text.includes(s), `secret ${s.slice(0, 6)}… leaked in: ${text}`);
  }
}

Deno.test("redact() masks registered secrets wherever they appear", () => {
  deepEqual(redact(`key=${API_KEY}`), `key=${REDACTED}`);
  deepEqual(redact(`pk ${PRIVATE_KEY.slice(2)} end`), `pk ${REDACTED} end`);
  deepEqual(redact(`PASS ${PASSPHRASE.toUpperCase()}`), `PASS ${REDACTED}`);
});

Deno.test("redact() masks secret-looking query parameters, JSON fields and headers", () => {
  deepEqual(
    redact("https://x.test/ws?channel=a&auth=tok-123456&x=1"),
    `https://x.test/ws?channel=a&auth=${REDACTED}&x=1`,
  );
  deepEqual(redact('{"apiSecret":"tok-123456","n":1}'), `{"apiSecret":"${REDACTED}","n":1}`);
  deepEqual(redact("Cookie: gravity=tok-123456"), `Cookie: ${REDACTED}`);
  deepEqual(redact("X-edgeX-Passphrase: tok-123456"), `X-edgeX-Passphrase: ${REDACTED}`);
});

Deno.test("redact() leaves ordinary text alone", () => {
  const text = "order 12345 filled 0.01 BTC @ 64400.1 on grvt";
  deepEqual(redact(text), text);
});

Deno.test("redactValue() masks secret fields, nested strings and headers", () => {
  const headers = new Headers({ "X-Grvt-Account-Id": "42", Cookie: "gravity=tok-123456" });
  const out = redactValue({
    request: { url: `https://x.test/a?api_key=${API_KEY}`, headers },
    body: { privateKey: "anything", size: "0.1", nested: [`sig ${PRIVATE_KEY}`] },
  });
  const text = JSON.stringify(out);
  assertClean(text);
  ok(text.includes('"size":"0.1"'));
  ok(text.includes('"x-grvt-account-id":"42"'));
});

Deno.test("redactValue() survives cycles", () => {
  const a: Record<string, unknown> = { name: "a" };
  a.self = a;
  deepEqual(redactValue(a), { name: "a", self: "[…]" });
});

Deno.test("errors never carry a secret in message, endpoint or details", () => {
  const errors: PerpError[] = [
    new PerpError(`login failed for ${API_KEY}`, {
      venue: "grvt",
      endpoint: `/auth/api_key/login?api_key=${API_KEY}`,
      details: { headers: { Authorization: `Bearer ${API_KEY}` }, passphrase: PASSPHRASE },
    }),
    new AuthenticationError({ venue: "edgex", endpoint: `/x?signature=${PRIVATE_KEY}` }),
    new NetworkError({ venue: "lighter", cause: new Error(`connect ${PASSPHRASE} refused`) }),
    new RateLimitedError(1000, { details: `token=tok-123456` }),
    new MalformedPayloadError("result.key", { details: { echoed: PRIVATE_KEY } }),
  ];
  for (const e of errors) {
    assertClean(e.message);
    assertClean(String(e));
    assertClean(e.endpoint ?? "");
    assertClean(JSON.stringify(e.details ?? null));
  }
});

Deno.test("a cause that mentions a secret is replaced by a masked copy", () => {
  const cause = new TypeError(`bad header ${API_KEY}`);
  const e = new NetworkError({ cause });
  ok(e.cause instanceof Error);
  deepEqual((e.cause as Error).name, "TypeError");
  assertClean((e.cause as Error).message);
  assertClean((e.cause as Error).stack ?? "");
});

Deno.test("redact() keeps the punctuation that follows a masked query value", () => {
  deepEqual(redact("GET /x?auth=abc.def: refused"), `GET /x?auth=${REDACTED}: refused`);
});
