import { deepStrictEqual as deepEqual, strictEqual as equal } from "node:assert/strict";
import assert from "node:assert/strict";
import { startSimVenue } from "../sim/network.ts";
import { type DoctorCheck, formatDoctorCheck, runDoctor } from "./doctor.ts";

type Venue = "lighter" | "grvt" | "edgex";

/** Runs the doctor against a fresh in-process replica whose variables `change` edits. */
async function doctorOn(
  venue: Venue,
  change: Record<string, string | undefined> = {},
  options: { placeTestOrder?: boolean; now?: () => number } = {},
) {
  const sim = await startSimVenue(venue, { protocol: "replica" });
  try {
    const vars: Record<string, string> = { ...sim.endpoints };
    for (const [name, value] of Object.entries(change)) {
      if (value === undefined) delete vars[name];
      else vars[name] = value;
    }
    const lines: string[] = [];
    const report = await runDoctor(
      {
        venue,
        network: "sim",
        ticker: "BTC",
        simEnv: vars,
        ...(options.placeTestOrder ? { placeTestOrder: true } : {}),
      },
      {
        env: () => undefined,
        timeoutMs: 8_000,
        ...(options.now ? { now: options.now } : {}),
        onCheck: (c) => lines.push(formatDoctorCheck(c)),
      },
    );
    const finished = sim.engine.finishedOrders(sim.accountId);
    const open = sim.engine.openOrderCount(sim.accountId);
    const mark = Number(sim.engine.prices(sim.engineSymbol("BTC")).markPrice);
    return { report, lines, finished, open, mark };
  } finally {
    await sim.close();
  }
}

function byName(checks: readonly DoctorCheck[]): Record<string, boolean | undefined> {
  return Object.fromEntries(checks.map((c) => [c.name, c.ok]));
}

for (const venue of ["lighter", "grvt", "edgex"] as const) {
  Deno.test(`doctor on the ${venue} replica: every check passes and the test order is placed, canceled and gone`, async () => {
    const { report, lines, finished, open, mark } = await doctorOn(venue, {}, {
      placeTestOrder: true,
    });
    equal(report.ok, true, lines.join("\n"));
    const names = ["variables", "hosts", "clock", "authentication", "markets", "balance"];
    if (venue === "lighter") names.splice(3, 0, "api key");
    deepEqual(report.checks.map((c) => c.name), [...names, "positions", "test order"]);
    for (const line of lines) assert.match(line, /^✓ /);
    // The venue saw exactly one order: a post-only buy about half the market, now canceled.
    equal(open, 0);
    equal(finished.length, 1);
    const [order] = finished;
    deepEqual([order.side, order.postOnly, order.status], ["buy", true, "canceled"]);
    const ratio = Number(order.price) / mark;
    assert.ok(ratio > 0.45 && ratio < 0.55, `price ${order.price} vs mark ${mark}`);
  });
}

Deno.test("doctor: a wrong GRVT API key fails authentication and skips what needs it", async () => {
  const { report, lines } = await doctorOn("grvt", { GRVT_API_KEY: "not-the-key-7f3" });
  equal(report.ok, false);
  deepEqual(byName(report.checks), {
    variables: true,
    hosts: true,
    clock: true,
    authentication: false,
    markets: undefined,
    balance: undefined,
    positions: undefined,
  });
  const auth = lines.find((l) => l.startsWith("✗ authentication"))!;
  assert.match(auth, /→ check GRVT_API_KEY/);
  assert.ok(!auth.includes("not-the-key-7f3"), "the key never appears");
});

Deno.test("doctor: a wrong EdgeX API secret fails authentication", async () => {
  const { report, lines } = await doctorOn("edgex", { EDGEX_API_SECRET: "d".repeat(43) });
  equal(byName(report.checks).authentication, false, lines.join("\n"));
  equal(report.ok, false);
  assert.match(lines.find((l) => l.startsWith("✗ authentication"))!, /EDGEX_API_SECRET/);
});

Deno.test("doctor: a Lighter private key that is not the registered one fails the api key check and authentication", async () => {
  const { report, lines } = await doctorOn("lighter", {
    LIGHTER_API_KEY_PRIVATE_KEY: "1".repeat(80),
  });
  const checks = byName(report.checks);
  equal(checks["api key"], false, lines.join("\n"));
  equal(checks.authentication, false, lines.join("\n"));
  assert.match(
    lines.find((l) => l.startsWith("✗ api key"))!,
    /^✗ api key: API key index 4 of account 4242 holds another key than LIGHTER_API_KEY_PRIVATE_KEY/,
  );
});

Deno.test("doctor: an API key index that is not registered to the Lighter account is named", async () => {
  const { report, lines } = await doctorOn("lighter", { LIGHTER_API_KEY_INDEX: "9" });
  equal(report.ok, false);
  equal(
    lines.find((l) => l.startsWith("✗ api key")),
    "✗ api key: API key index 9 is not registered to account 4242 → register the key at " +
      "that index (Lighter app, API keys), or set LIGHTER_API_KEY_INDEX to the index it was " +
      "registered under",
  );
});

for (const venue of ["lighter", "grvt", "edgex"] as const) {
  Deno.test(`doctor: a local clock two minutes ahead of the ${venue} replica fails the clock check`, async () => {
    const { report, lines } = await doctorOn(venue, {}, { now: () => Date.now() + 120_000 });
    equal(report.ok, false);
    const failed = report.checks.filter((c) => c.ok !== true).map((c) => c.name);
    deepEqual(failed, ["clock"], lines.join("\n"));
    const clock = lines.find((l) => l.startsWith("✗ clock"))!;
    // 120 s, give or take what a loaded machine adds to the round trip.
    assert.match(clock, /^✗ clock: local clock 1[12]\d\.\d s ahead of /, clock);
    assert.match(clock, /\(more than 5 s\) → synchronise the system clock/);
  });
}

Deno.test("doctor: missing and malformed variables are named, never shown, and the account is not contacted", async () => {
  const secret = "ab".repeat(31); // 62 hex digits: two short
  const { report, lines } = await doctorOn("edgex", {
    EDGEX_API_PASSPHRASE: undefined,
    EDGEX_SIGNER_PRIVATE_KEY: secret,
    EDGEX_ACCOUNT_ID: "acc-1",
  });
  equal(report.ok, false);
  equal(
    lines[0],
    "✗ variables: EDGEX_ACCOUNT_ID is not a number (digits only); EDGEX_API_PASSPHRASE is not " +
      "set; EDGEX_SIGNER_PRIVATE_KEY is not 64 hex digits → set them in the --env-file " +
      "(default .env) or the environment (README, Real venues)",
  );
  assert.ok(!lines.join("\n").includes(secret));
  deepEqual(byName(report.checks), {
    variables: false,
    hosts: true,
    clock: true,
    authentication: undefined,
    markets: undefined,
    balance: undefined,
    positions: undefined,
  });
  assert.match(lines.at(-1)!, /^– positions: not checked \(needs variables\)$/);
});

Deno.test("doctor: a host that does not answer is named with its variable", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close(); // nothing listens there any more
  const { report, lines } = await doctorOn("lighter", {
    LIGHTER_REST_URL: `http://127.0.0.1:${port}`,
  });
  equal(report.ok, false);
  const hosts = lines.find((l) => l.startsWith("✗ hosts"))!;
  assert.ok(hosts.startsWith(`✗ hosts: http://127.0.0.1:${port}: `), hosts);
  assert.match(hosts, /→ check the network, a proxy or firewall, and LIGHTER_REST_URL if set$/);
  equal(byName(report.checks).authentication, undefined);
});

Deno.test("formatDoctorCheck() marks passed, failed and skipped checks", () => {
  equal(formatDoctorCheck({ name: "hosts", ok: true, detail: "up", fix: "x" }), "✓ hosts: up");
  equal(
    formatDoctorCheck({ name: "hosts", ok: false, detail: "down", fix: "x" }),
    "✗ hosts: down → x",
  );
  equal(
    formatDoctorCheck({ name: "markets", ok: undefined, detail: "not checked" }),
    "– markets: not checked",
  );
});

Deno.test("doctor: a GRVT wallet key that is not the API key's shows when the test order is signed", async () => {
  const { report, lines, finished, open } = await doctorOn("grvt", {
    GRVT_PRIVATE_KEY: "0x" + "3".repeat(64),
  }, { placeTestOrder: true });
  equal(report.ok, false);
  const failed = report.checks.filter((c) => c.ok !== true).map((c) => c.name);
  deepEqual(failed, ["test order"], lines.join("\n"));
  assert.match(lines.at(-1)!, /^✗ test order: placing a post-only buy .* failed: /);
  assert.match(lines.at(-1)!, /→ check GRVT_API_KEY .*GRVT_PRIVATE_KEY/);
  deepEqual([finished.length, open], [0, 0]);
});

Deno.test("doctor reads the server time from Lighter's GET / (seconds) and EdgeX's getServerTime (timeMillis or serverTime)", async () => {
  const cases = [
    ["lighter", "https://mainnet.zklighter.elliot.ai/", { timestamp: "1000" }, "30.0 s ahead of"],
    ["lighter", "https://mainnet.zklighter.elliot.ai/", { timestamp: 1031 }, "1.0 s behind"],
    [
      "edgex",
      "https://edgex-prod-v2.edgex.exchange/api/v2/public/meta/getServerTime",
      { code: "SUCCESS", data: { timeMillis: "1000500" } },
      "30.0 s ahead of",
    ],
    [
      "edgex",
      "https://edgex-prod-v2.edgex.exchange/api/v2/public/meta/getServerTime",
      { code: "SUCCESS", data: { serverTime: "1040500" } },
      "10.0 s behind",
    ],
  ] as const;
  for (const [venue, url, body, expected] of cases) {
    const asked: string[] = [];
    const report = await runDoctor({ venue, network: "mainnet" }, {
      env: () => undefined,
      now: () => 1_030_500,
      // No Date header: the time can only come from the body.
      fetch: (input) => {
        asked.push(String(input));
        return Promise.resolve(Response.json(body));
      },
    });
    deepEqual(asked, [url]);
    const clock = report.checks.find((c) => c.name === "clock")!;
    equal(
      clock.detail,
      `local clock ${expected} ${venue}'s server time` + (
        expected.startsWith("1.0") ? "" : " (more than 5 s)"
      ),
      venue,
    );
  }
});
