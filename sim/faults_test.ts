import { deepStrictEqual, ok, strictEqual as equal, throws } from "node:assert/strict";
import { ManualClock } from "../exchanges/_shared/clock.ts";
import { ConfigurationError } from "../core/errors.ts";
import { FaultInjector, garbleBody } from "./faults.ts";

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

Deno.test("garble_response answers the chosen body: html by default, null, empty, half the answer, wrong types", () => {
  const faults = new FaultInjector({ seed: 3 });
  faults.inject({ kind: "garble_response", frontEnd: "x", target: "a", times: 1 });
  faults.inject({ kind: "garble_response", frontEnd: "x", target: "b", body: "truncated" });
  deepStrictEqual(faults.onRequest("x", "a"), {
    delayMs: 0,
    dropResponse: false,
    garbleResponse: true,
    garbleBody: "html",
  });
  equal(faults.onRequest("x", "b").garbleBody, "truncated");
  const real = '{"price":"64000.5","size":2}';
  equal(faults.garble("html", real), "<html><body><h1>502 Bad Gateway</h1></body></html>");
  equal(faults.garble("null", real), "null");
  equal(faults.garble("empty", real), "");
  equal(faults.garble("truncated", real), '{"price":"6400');
  // Every leaf gets the wrong type: swapped (number ↔ string) or nulled.
  equal(
    garbleBody('{"a":[1,"2.5","x",true,null],"b":{"c":"7"}}', "wrong_types", () => 0.7),
    '{"a":["1",2.5,null,"true",0],"b":{"c":7}}',
  );
  equal(
    garbleBody('{"a":[1,"x"],"b":"7"}', "wrong_types", () => 0.2),
    '{"a":[null,null],"b":null}',
  );
  equal(garbleBody("<html>", "wrong_types", () => 0.7), "null");
  // Seeded: the same seed garbles the same way, and the leaves never keep their type.
  const leaves = '{"p":"1.5","q":"2","r":3,"s":4,"t":"5","u":6,"v":"7","w":8}';
  const once = (seed: number) => new FaultInjector({ seed }).garble("wrong_types", leaves);
  equal(once(9), once(9));
  const garbled = JSON.parse(once(9)) as Record<string, unknown>;
  for (const [k, v] of Object.entries(JSON.parse(leaves))) {
    ok(v !== null && typeof garbled[k] !== typeof v, `${k}: ${garbled[k]}`);
  }
  ok(Object.values(garbled).includes(null), "some leaves nulled");
  ok(Object.values(garbled).some((v) => v !== null), "some leaves swapped");
  throws(
    () => faults.inject({ kind: "garble_response", body: "xml" as never }),
    ConfigurationError,
  );
});

Deno.test("silence holds the sockets it hits half-open until cleared; the replacement of a closed one is fresh", () => {
  const faults = new FaultInjector();
  const a = faults.openSocket();
  const b = faults.openSocket();
  const id = faults.inject({ kind: "silence", frontEnd: "v", target: "book.*" });
  deepStrictEqual(faults.onFrame("v", "book.BTC", "1", a), {
    frames: [],
    close: false,
    silenced: true,
  });
  deepStrictEqual(faults.onFrame("v", "trades", "t", a).frames, ["t"], "other streams flow");
  deepStrictEqual(faults.onFrame("w", "book.BTC", "1", a).frames, ["1"], "other front-ends");
  equal(faults.isSilenced(a), true);
  equal(faults.ignoresMessage(a, '{"type":"ping"}'), true);
  equal(faults.ignoresMessage(a, "ping"), true);
  equal(faults.ignoresMessage(a, '{"method":"subscribe","params":{}}'), false);
  equal(faults.ignoresMessage(b, "ping"), false, "b not hit yet");
  deepStrictEqual(faults.onFrame("v", "book.ETH", "2", b).frames, [], "b was open before: hit");
  // a closes: the client's reconnect gets a fresh socket.
  faults.closeSocket(a);
  const c = faults.openSocket();
  deepStrictEqual(faults.onFrame("v", "book.BTC", "3", c).frames, ["3"]);
  equal(faults.isSilenced(c), false);
  deepStrictEqual(faults.onFrame("v", "book.BTC", "4", b).frames, [], "b still silent");
  deepStrictEqual(faults.rules().map((r) => [r.id, r.kind, r.fired]), [[id, "silence", 2]]);
  deepStrictEqual(Object.keys(faults.rules()[0]).sort(), [
    "fired",
    "frontEnd",
    "id",
    "kind",
    "target",
  ]);
  // Cleared: the same socket speaks again and answers pings.
  faults.clear(id);
  deepStrictEqual(faults.onFrame("v", "book.BTC", "5", b).frames, ["5"]);
  equal(faults.ignoresMessage(b, "ping"), false);
});

Deno.test("silence with persist silences the reconnects too; times caps the sockets it silences", () => {
  const faults = new FaultInjector();
  faults.inject({ kind: "silence", target: "*", persist: true });
  const a = faults.openSocket();
  deepStrictEqual(faults.onFrame("v", "pong", "p", a).frames, []);
  faults.closeSocket(a);
  const b = faults.openSocket();
  deepStrictEqual(faults.onFrame("v", "connected", "hello", b).frames, [], "replacement silent");
  equal(faults.isSilenced(a), false, "a closed socket is released");

  const once = new FaultInjector();
  once.inject({ kind: "silence", target: "*", times: 1 });
  const [x, y] = [once.openSocket(), once.openSocket()];
  deepStrictEqual(once.onFrame("v", "s", "1", x).frames, []);
  deepStrictEqual(once.onFrame("v", "s", "2", y).frames, ["2"]);
  deepStrictEqual(once.onFrame("v", "s", "3", x).frames, [], "x stays silent");
  // Without a socket number (the paper clients' one implicit connection) it holds until cleared.
  const paper = new FaultInjector();
  paper.inject({ kind: "silence", frontEnd: "paper", target: "book:BTC" });
  deepStrictEqual(paper.onFrame("paper", "book:BTC", "1").frames, []);
  deepStrictEqual(paper.onFrame("paper", "book:BTC", "2").frames, []);
  paper.clear();
  deepStrictEqual(paper.onFrame("paper", "book:BTC", "3").frames, ["3"]);
});
