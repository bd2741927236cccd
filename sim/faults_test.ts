import { deepStrictEqual, equal, throws } from "node:assert/strict";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { ConfigurationError } from "../core/errors.ts";
import { FaultInjector } from "./faults.ts";

Deno.test("rate_limit answers 429 after N requests per window and reopens with the next window", async () => {
  const clock = new ManualClock(10_000);
  const faults = new FaultInjector({ clock });
  faults.inject({
    kind: "rate_limit",
    frontEnd: "lighter",
    target: "/api/v1/*",
    limit: 2,
    windowMs: 1_000,
  });
  const statuses = () => faults.onRequest("lighter", "/api/v1/orderBooks").status;
  deepStrictEqual([statuses(), statuses(), statuses()], [undefined, undefined, 429]);
  await clock.advance(400);
  deepStrictEqual(faults.onRequest("lighter", "/api/v1/sendTx"), {
    delayMs: 0,
    dropResponse: false,
    status: 429,
    retryAfterMs: 600,
  });
  equal(
    faults.onRequest("grvt", "/api/v1/sendTx").status,
    undefined,
    "other front-ends are not limited",
  );
  await clock.advance(600);
  equal(statuses(), undefined);
});

Deno.test("error, latency and drop_response apply to the matching front-end and endpoint only", () => {
  const faults = new FaultInjector();
  faults.inject({
    kind: "error",
    frontEnd: "edgex",
    target: "/api/v2/private/order/createOrder",
    status: 502,
  });
  faults.inject({ kind: "latency", target: "*", delayMs: 250 });
  faults.inject({ kind: "drop_response", frontEnd: "grvt", times: 1 });
  deepStrictEqual(faults.onRequest("edgex", "/api/v2/private/order/createOrder"), {
    delayMs: 250,
    dropResponse: false,
    status: 502,
  });
  deepStrictEqual(faults.onRequest("edgex", "/api/v2/public/meta/getMetaData"), {
    delayMs: 250,
    dropResponse: false,
  });
  equal(faults.onRequest("grvt", "create_order").dropResponse, true);
  equal(faults.onRequest("grvt", "create_order").dropResponse, false);
});

Deno.test("frame faults drop, duplicate, reorder, corrupt frames and drop the connection", () => {
  const faults = new FaultInjector();
  const gap = faults.inject({ kind: "gap", target: "book", times: 1 });
  deepStrictEqual(faults.onFrame("x", "book", "1").frames, []);
  deepStrictEqual(faults.onFrame("x", "book", "2").frames, ["2"]);
  faults.clear(gap);

  faults.inject({ kind: "duplicate", target: "trades", times: 1 });
  deepStrictEqual(faults.onFrame("x", "trades", "t").frames, ["t", "t"]);

  faults.inject({ kind: "reorder", target: "orders", times: 1 });
  deepStrictEqual(faults.onFrame("x", "orders", "a").frames, []);
  deepStrictEqual(faults.onFrame("x", "orders", "b").frames, ["b", "a"]);

  faults.inject({ kind: "malformed", target: "fills", times: 1 });
  const [bad] = faults.onFrame("x", "fills", '{"a":1}').frames;
  throws(() => JSON.parse(bad));

  faults.inject({ kind: "drop_connection", frontEnd: "x", target: "positions" });
  deepStrictEqual(faults.onFrame("x", "positions", "p"), { frames: [], close: true });
  deepStrictEqual(faults.onFrame("y", "positions", "p"), { frames: ["p"], close: false });
  faults.clear({ frontEnd: "x" });
  deepStrictEqual(faults.onFrame("x", "positions", "p"), { frames: ["p"], close: false });
});

Deno.test("chance-based faults are deterministic for a seed", () => {
  const run = (seed: number) => {
    const f = new FaultInjector({ seed });
    f.inject({ kind: "gap", chance: 0.3 });
    return Array.from({ length: 200 }, (_, i) => f.onFrame("x", "s", String(i)).frames.length).join(
      "",
    );
  };
  equal(run(5), run(5));
  deepStrictEqual(run(5) === run(6), false);
  const dropped = run(5).split("").filter((c) => c === "0").length;
  equal(dropped > 30 && dropped < 100, true, `dropped ${dropped} of 200`);
});

Deno.test("every fires on every n-th match and rules() reports the count", () => {
  const f = new FaultInjector();
  const id = f.inject({ kind: "error", every: 3 });
  const out = Array.from({ length: 6 }, () => f.onRequest("a", "b").status ?? 200);
  deepStrictEqual(out, [200, 200, 503, 200, 200, 503]);
  equal(f.rules().find((r) => r.id === id)?.fired, 2);
  throws(() => f.inject({ kind: "nope" as never }), ConfigurationError);
  throws(() => f.inject({ kind: "gap", chance: 2 }), ConfigurationError);
});
