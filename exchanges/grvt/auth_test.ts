import { deepStrictEqual as deepEqual, rejects, strictEqual as equal } from "node:assert/strict";
import { ManualClock } from "../_shared/clock.ts";
import { AuthenticationError } from "../../core/errors.ts";
import { GrvtSession, parseGrvtCookie } from "./auth.ts";

function fakeEdge(clock: ManualClock, lifetimeMs: number, calls: { n: number }) {
  return () => {
    calls.n++;
    const expires = new Date(clock.now() + lifetimeMs).toUTCString();
    return Promise.resolve(Response.json({ status: "success" }, {
      headers: {
        "set-cookie": `gravity=cookie-${calls.n}; Path=/; Expires=${expires}; HttpOnly; Secure`,
        "x-grvt-account-id": "2147050003876484",
      },
    }));
  };
}

Deno.test("parseGrvtCookie reads the value and Expires, and Max-Age over Expires", () => {
  deepEqual(parseGrvtCookie(["rm=true", "gravity=v1; Expires=Wed, 21 Oct 2026 07:28:00 GMT"], 0), {
    value: "v1",
    expiresAt: Date.UTC(2026, 9, 21, 7, 28),
  });
  deepEqual(
    parseGrvtCookie(["gravity=v2; Max-Age=60; Expires=Wed, 21 Oct 2026 07:28:00 GMT"], 1000),
    {
      value: "v2",
      expiresAt: 61_000,
    },
  );
  equal(parseGrvtCookie(["other=x"], 0), undefined);
});

Deno.test("GrvtSession logs in once for concurrent callers and again before expiry", async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const calls = { n: 0 };
  const session = new GrvtSession({
    edgeUrl: "https://edge.grvt.io",
    apiKey: "key",
    clock,
    fetch: fakeEdge(clock, 3_600_000, calls),
    refreshBeforeMs: 60_000,
  });
  const all = await Promise.all([session.ensure(), session.ensure(), session.headers()]);
  equal(calls.n, 1);
  equal(all[2].Cookie, "gravity=cookie-1");
  await clock.advance(3_600_000 - 120_000);
  equal((await session.ensure()).cookie, "cookie-1");
  await clock.advance(61_000);
  equal((await session.ensure()).cookie, "cookie-2", "renewed within the refresh margin");
  session.invalidate("cookie-1"); // an old cookie: ignored
  equal((await session.ensure()).cookie, "cookie-2");
  session.invalidate("cookie-2");
  equal((await session.ensure()).cookie, "cookie-3");
});

Deno.test("GrvtSession refuses a login answer without a cookie or account id", async () => {
  const session = new GrvtSession({
    edgeUrl: "https://edge.grvt.io",
    apiKey: "key",
    fetch: () => Promise.resolve(Response.json({ status: "success" })),
  });
  await rejects(session.ensure(), AuthenticationError);
  const refused = new GrvtSession({
    edgeUrl: "https://edge.grvt.io",
    apiKey: "key",
    fetch: () =>
      Promise.resolve(
        Response.json({
          code: 1000,
          message: "You need to authenticate prior to using this functionality",
          status: 401,
        }, { status: 401 }),
      ),
  });
  await rejects(
    refused.ensure(),
    (e: unknown) => e instanceof AuthenticationError && e.code === 1000,
  );
});
