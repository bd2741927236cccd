import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  BOT_FLAGS,
  DOCTOR_FLAGS,
  FUNDING_FLAGS,
  loadEnvFile,
  main,
  parseBotArgs,
  parseDoctorArgs,
  parseFundingArgs,
  parseSimArgs,
  SIM_FLAGS,
  UsageError,
} from "../cli.ts";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(...args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}

/** Asserts a usage error: exit 2, nothing on stdout, exactly one `error: …` line on stderr. */
function assertUsageError(result: Run, ...mustMention: string[]): void {
  assert.equal(result.code, 2, result.stderr);
  assert.equal(result.stdout, "");
  const lines = result.stderr.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /^error: /);
  for (const text of mustMention) assert.ok(lines[0].includes(text), `${lines[0]} lacks ${text}`);
}

const VALID_BOT = ["--exchange", "grvt", "--env-file", "/dev/null"];

Deno.test("main() with no arguments or --help lists the subcommands and exits 0", async () => {
  for (const args of [[], ["--help"], ["-h"]]) {
    const result = await run(...args);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, "");
    for (const name of ["bot", "funding", "sim"]) assert.match(result.stdout, new RegExp(name));
  }
});

Deno.test("<subcommand> --help lists every flag with its default and exits 0", async () => {
  const cases = [["bot", BOT_FLAGS], ["funding", FUNDING_FLAGS], ["sim", SIM_FLAGS]] as const;
  for (const [name, flags] of cases) {
    for (const help of ["--help", "-h"]) {
      const result = await run(name, help);
      assert.equal(result.code, 0);
      assert.equal(result.stderr, "");
      const flat = result.stdout.replace(/\s+/g, " ");
      for (const flag of flags) {
        assert.ok(result.stdout.includes(`--${flag.name}`), `${name} help lacks --${flag.name}`);
        if (flag.default) assert.ok(flat.includes(`Default: ${flag.default}.`), flag.name);
      }
    }
  }
});

Deno.test("bot --help says that --take-profit is a percent (0.02 means 0.02 %)", async () => {
  const { stdout } = await run("bot", "--help");
  assert.match(stdout.replace(/\s+/g, " "), /--take-profit <percent> .*0\.02 means 0\.02 %/);
});

Deno.test("bot --help wins over otherwise invalid arguments", async () => {
  const result = await run("bot", "--exchange", "binance", "--help");
  assert.equal(result.code, 0);
  assert.match(result.stdout, /--exchange/);
});

Deno.test("an unknown subcommand exits 2 with one line", async () => {
  assertUsageError(await run("trade"), '"trade"', "bot, funding, sim");
  assertUsageError(await run("--verbose"), '"--verbose"');
});

Deno.test("bot --exchange binance exits 2 naming --exchange and the allowed values", async () => {
  const result = await run("bot", "--exchange", "binance");
  assertUsageError(result);
  assert.equal(
    result.stderr,
    'error: --exchange must be one of lighter, grvt, edgex, hyperliquid (got "binance")\n',
  );
});

Deno.test("bot without --exchange exits 2 saying it is required", async () => {
  assertUsageError(await run("bot"), "--exchange is required", "lighter, grvt, edgex");
});

Deno.test("bot rejects malformed numbers naming the flag and the expected format", async () => {
  assertUsageError(
    await run("bot", ...VALID_BOT, "--quantity", "abc"),
    "--quantity must be a positive decimal such as 0.01",
    '(got "abc")',
  );
  assertUsageError(await run("bot", ...VALID_BOT, "--quantity", "0"), "--quantity");
  assertUsageError(await run("bot", ...VALID_BOT, "--quantity", "1e3"), "--quantity");
  assertUsageError(
    await run("bot", ...VALID_BOT, "--max-orders", "1.5"),
    "--max-orders must be a positive integer",
    '(got "1.5")',
  );
  assertUsageError(
    await run("bot", ...VALID_BOT, "--take-profit", "-1"),
    "--take-profit must be a positive decimal percent",
    '(got "-1")',
  );
  assertUsageError(await run("bot", ...VALID_BOT, "--wait-time", "ten"), "--wait-time");
  assertUsageError(await run("bot", ...VALID_BOT, "--grid-step", "-101"), "--grid-step");
  assertUsageError(await run("bot", ...VALID_BOT, "--stop-price", "-2"), "--stop-price", "-1");
  assertUsageError(await run("bot", ...VALID_BOT, "--pause-price", "x"), "--pause-price");
});

Deno.test("bot rejects an invalid --direction, --network and --log-level", async () => {
  assertUsageError(await run("bot", ...VALID_BOT, "--direction", "long"), "buy, sell");
  assertUsageError(await run("bot", ...VALID_BOT, "--network", "devnet"), "mainnet, testnet, sim");
  assertUsageError(
    await run("bot", ...VALID_BOT, "--log-level", "loud"),
    "--log-level must be one of trace, debug, info, warning, error, fatal",
  );
});

Deno.test("an unknown flag exits 2 naming it", async () => {
  assertUsageError(await run("bot", ...VALID_BOT, "--boost"), "unknown flag --boost");
  assertUsageError(await run("funding", "--once", "--verbose"), "unknown flag --verbose");
  assertUsageError(await run("sim", "--fast"), "unknown flag --fast");
});

Deno.test("a flag without its value exits 2 naming it", async () => {
  assertUsageError(await run("bot", "--exchange"), "--exchange needs a value");
  assertUsageError(await run("bot", "--exchange", "grvt", "--dry-run=yes"), "--dry-run");
});

Deno.test("bot on mainnet without credentials exits 2 with one line naming the variables", async () => {
  const result = await run(
    "bot",
    ...VALID_BOT,
    "--ticker",
    "btc",
    "--quantity",
    "0.01",
    "--log-level",
    "error",
  );
  assert.equal(result.code, 2);
  assert.equal(result.stdout, "");
  assert.match(
    result.stderr,
    /^error: .*GRVT_API_KEY, GRVT_PRIVATE_KEY, GRVT_TRADING_ACCOUNT_ID/m,
  );
});

Deno.test("parseBotArgs() keeps the original defaults and decimal strings", () => {
  const config = parseBotArgs(["--exchange", "edgex"]);
  assert.deepEqual(config, {
    exchange: "edgex",
    strategy: "grid",
    venues: ["lighter", "grvt"],
    onMismatch: "repair",
    arb: {
      notional: "1000",
      holdHours: "24",
      minNetApr: "0.1",
      exitBuffer: "0.0002",
      maxDivergence: "0.005",
      settlementWindowMin: 10,
      maxFailedOpens: 3,
      maxPositions: 3,
      db: "data/funding.db",
      botId: "bot",
      simProtocol: "replica",
    },
    ticker: "ETH",
    quantity: "0.1",
    takeProfit: "0.02",
    direction: "buy",
    maxOrders: 40,
    waitTime: 450,
    gridStep: "-100",
    stopPrice: "-1",
    pausePrice: "-1",
    envFile: ".env",
    envFileRequired: false,
    network: "mainnet",
    logLevel: undefined,
    paper: false,
    dryRun: false,
    cancelOnExit: false,
    force: false,
    json: false,
    logMaxBytes: 10_485_760,
    logFiles: 5,
  });
  const exact = parseBotArgs(["--exchange", "edgex", "--quantity", "0.10000000000000000001"]);
  assert.equal(exact.quantity, "0.10000000000000000001");
});

Deno.test("bot --env-file that does not exist exits 2; the default one may be missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assertUsageError(
      await run("bot", "--exchange", "grvt", "--env-file", `${dir}/missing.env`),
      "--env-file",
      "does not exist",
    );
    // Without --env-file the default .env is optional: a missing one loads nothing.
    assert.equal(parseBotArgs(["--exchange", "grvt"]).envFileRequired, false);
    assert.deepEqual(loadEnvFile(`${dir}/.env`, { required: false }), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bot --env-file loads variables and masks secret ones in the output", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/test.env`;
  const secret = "grvt-key-cli-test-5e1d";
  await Deno.writeTextFile(path, `PERP_CLI_TEST_PLAIN=yes\nPERP_CLI_TEST_API_KEY=${secret}\n`);
  try {
    const result = await run(
      "bot",
      "--exchange",
      "grvt",
      "--env-file",
      path,
      "--log-level",
      "error",
    );
    // Loaded, but not GRVT's credentials: the bot names what is missing.
    assert.equal(result.code, 2);
    assert.equal(Deno.env.get("PERP_CLI_TEST_PLAIN"), "yes");
    const leaked = await run("bot", "--exchange", "grvt", "--env-file", path, "--ticker", secret);
    assert.ok(!leaked.stderr.includes(secret), leaked.stderr);
  } finally {
    Deno.env.delete("PERP_CLI_TEST_PLAIN");
    Deno.env.delete("PERP_CLI_TEST_API_KEY");
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("funding --exchanges lighter,foo exits 2 naming --exchanges and the venues", async () => {
  assertUsageError(
    await run("funding", "--once", "--exchanges", "lighter,foo"),
    "--exchanges must be a comma-separated list of lighter, grvt, edgex",
    '(got "lighter,foo")',
  );
});

Deno.test("funding needs exactly one mode: serve or --once", async () => {
  assertUsageError(await run("funding"), "needs a mode");
  assertUsageError(await run("funding", "serve", "--once"), "not both");
  assertUsageError(await run("funding", "collect"), '"collect"');
  assertUsageError(await run("funding", "serve", "--json"), "--json");
});

Deno.test("funding rejects malformed --interval, --port, --hold-hours and --db", async () => {
  assertUsageError(await run("funding", "serve", "--interval", "0"), "--interval");
  assertUsageError(await run("funding", "serve", "--port", "65536"), "--port", "0 to 65535");
  assertUsageError(await run("funding", "--once", "--hold-hours", "-3"), "--hold-hours");
  assertUsageError(await run("funding", "--once", "--db", "mysql://h/db"), "--db", "postgres://");
});

Deno.test("funding with an unreachable database exits 1 without printing its password", async () => {
  const result = await run(
    "funding",
    "serve",
    "--exchanges",
    "grvt,lighter,grvt",
    "--db",
    "postgres://perp:hunter2-pw@127.0.0.1:1/funding",
  );
  assert.equal(result.code, 1);
  assert.ok(!result.stderr.includes("hunter2-pw"), result.stderr);
});

Deno.test("parseFundingArgs() defaults --db to DATABASE_URL, else data/funding.db", () => {
  const url = "postgres://collector@localhost/funding";
  const fromEnv = parseFundingArgs(["--once"], {
    env: (n) => (n === "DATABASE_URL" ? url : undefined),
  });
  assert.deepEqual(fromEnv.database, { kind: "postgres", url });
  const fallback = parseFundingArgs(["serve"], { env: () => undefined });
  assert.deepEqual(fallback.database, { kind: "sqlite", path: "data/funding.db" });
  assert.equal(fallback.interval, 60);
  assert.equal(fallback.port, 8000);
  assert.equal(fallback.holdHours, "24");
  assert.deepEqual(fallback.exchanges, ["lighter", "grvt", "edgex", "hyperliquid"]);
});

Deno.test("sim rejects a bad --venues, --seed, --port or --markets", async () => {
  assertUsageError(await run("sim", "--venues", "grvt,binance"), "--venues");
  assertUsageError(await run("sim", "--port", "65531"), "--port", "at most 65530");
  assertUsageError(await run("sim", "--port", "-1"), "--port");
  assertUsageError(await run("sim", "--markets", "BTC,,$"), "--markets");
  assertUsageError(await run("sim", "--seed", "1.5"), "--seed");
});

Deno.test("sim takes a fixed port, markets, an env file and JSON output", () => {
  assert.deepEqual(
    parseSimArgs([
      "--port",
      "9100",
      "--markets",
      "btc,1000pepe,BTC",
      "--env-file",
      ".sim.env",
      "--json",
    ]),
    {
      venues: ["lighter", "grvt", "edgex", "hyperliquid"],
      seed: 1,
      port: 9100,
      markets: ["BTC", "1000PEPE"],
      envFile: ".sim.env",
      json: true,
      logLevel: undefined,
    },
  );
});

Deno.test("--sim-env attaches bot and funding to running replicas, with --network sim only", async () => {
  const bot = parseBotArgs([...VALID_BOT, "--network", "sim", "--sim-env", ".sim.env"]);
  assert.equal(bot.simEnv, ".sim.env");
  assert.equal(parseBotArgs(VALID_BOT).simEnv, undefined);
  assertUsageError(await run("bot", ...VALID_BOT, "--sim-env", ".sim.env"), "--sim-env needs");
  const funding = parseFundingArgs(["--once", "--network", "sim", "--sim-env", "x.env"], {
    env: () => undefined,
  });
  assert.equal(funding.simEnv, "x.env");
  assertUsageError(await run("funding", "--once", "--sim-env", "x.env"), "--sim-env needs");
});

Deno.test("perp sim --json prints one object whose env file attaches the funding service", async () => {
  const dir = await Deno.makeTempDir();
  const envFile = `${dir}/.sim.env`;
  const stop = new AbortController();
  let out = "";
  let err = "";
  const { runSimCommand } = await import("../sim/serve.ts");
  const running = runSimCommand(
    { venues: ["edgex", "lighter"], json: true, envFile, markets: ["BTC", "1000PEPE"] },
    { stdout: (t) => (out += t), stderr: (t) => (err += t) },
    stop.signal,
  );
  try {
    while (!out.endsWith("\n")) await new Promise((r) => setTimeout(r, 20));
    const report = JSON.parse(out);
    assert.deepEqual(report.venues.edgex.markets, ["BTC", "1000PEPE"]);
    assert.ok(err.includes("edgex replica"), "the human text goes to stderr");
    assert.equal(report.env.EDGEX_REST_URL, report.venues.edgex.env.EDGEX_REST_URL);
    const file = await Deno.readTextFile(envFile);
    assert.ok(file.includes(`EDGEX_REST_URL=${report.env.EDGEX_REST_URL}\n`));
    const c = await run(
      "funding",
      "--once",
      "--json",
      "--network",
      "sim",
      "--sim-env",
      envFile,
      "--exchanges",
      "lighter,edgex",
      "--db",
      ":memory:",
    );
    assert.equal(c.code, 0, c.stderr);
    const rates = JSON.parse(c.stdout).rates as { venue: string; symbol: string }[];
    assert.deepEqual(
      [...new Set(rates.map((r) => `${r.venue}:${r.symbol}`))].sort(),
      ["edgex:1000PEPE", "edgex:BTC", "lighter:1000PEPE", "lighter:BTC"],
    );
  } finally {
    stop.abort();
    await running;
    await Deno.remove(dir, { recursive: true });
  }
  await assert.rejects(Deno.stat(envFile), Deno.errors.NotFound, "the env file is removed on exit");
});

Deno.test("an invalid PERP_LOG_LEVEL exits 2 naming the variable", async () => {
  Deno.env.set("PERP_LOG_LEVEL", "chatty");
  try {
    assertUsageError(await run("sim"), "PERP_LOG_LEVEL must be one of", '"chatty"');
  } finally {
    Deno.env.delete("PERP_LOG_LEVEL");
  }
});

Deno.test("deno run cli.ts bot --exchange nope exits 2 with a single stderr line", async () => {
  const cli = fileURLToPath(new URL("../cli.ts", import.meta.url));
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", cli, "bot", "--exchange", "nope"],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 2, stderr);
  assert.equal(new TextDecoder().decode(output.stdout), "");
  assert.equal(
    stderr,
    'error: --exchange must be one of lighter, grvt, edgex, hyperliquid (got "nope")\n',
  );
});

Deno.test("funding serve takes --host and --token (or FUNDING_API_TOKEN); --once refuses them", () => {
  const serve = parseFundingArgs(["serve", "--host", "0.0.0.0", "--token", "s3cret-token-4f1"], {
    env: () => undefined,
  });
  assert.deepEqual([serve.host, serve.token], ["0.0.0.0", "s3cret-token-4f1"]);
  const fromEnv = parseFundingArgs(["serve"], {
    env: (name) => name === "FUNDING_API_TOKEN" ? "env-token-9c2" : undefined,
  });
  assert.deepEqual([fromEnv.host, fromEnv.token], [undefined, "env-token-9c2"]);
  assert.throws(
    () => parseFundingArgs(["--once", "--token", "x"], { env: () => undefined }),
    (e: unknown) => e instanceof UsageError && e.message.includes("only apply to serve"),
  );
});

// ---------------------------------------------------------------------------------------------
// The perp command: version, help per subcommand, install, fast credential errors, errors with
// context, doctor.

const CLI_PATH = fileURLToPath(new URL("../cli.ts", import.meta.url));
const CONFIG_PATH = fileURLToPath(new URL("../deno.json", import.meta.url));

/** The variables a child deno needs (cache, PATH with deno on it) and nothing else. */
function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: "1" };
  for (const name of ["HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  const denoDir = Deno.execPath().replace(/\/[^/]*$/, "");
  env.PATH = `${denoDir}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`;
  return { ...env, ...extra };
}

/** Runs `deno run <permissions> cli.ts <args>` in a fresh environment, from a temp directory. */
async function cliProcess(
  permissions: readonly string[],
  args: readonly string[],
  extraEnv: Record<string, string> = {},
): Promise<Run> {
  const cwd = await Deno.makeTempDir();
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...permissions, "--no-prompt", "--config", CONFIG_PATH, CLI_PATH, ...args],
      cwd,
      clearEnv: true,
      env: childEnv(extraEnv),
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

const BOT_TASK = ["--allow-net", "--allow-env", "--allow-read", "--allow-write=logs,data"];
const DOCTOR_TASK = ["--allow-net", "--allow-env", "--allow-read"];

Deno.test("perp --version (and -V, version) prints the version of deno.json", async () => {
  const { version } = JSON.parse(await Deno.readTextFile(CONFIG_PATH));
  assert.match(version, /^\d+\.\d+\.\d+/);
  for (const flag of ["--version", "-V", "version"]) {
    const result = await run(flag);
    assert.deepEqual(result, { code: 0, stdout: `perp ${version}\n`, stderr: "" });
  }
});

Deno.test("perp --help names both ways to run it, every subcommand and --version", async () => {
  const { stdout } = await run("--help");
  assert.match(stdout, /^Usage: perp <subcommand> \[flags\]/m);
  assert.match(stdout, /^ {7}deno task <subcommand> \[flags\] .*bot \| funding \| sim \| doctor/m);
  assert.match(stdout, /^ {2}doctor {2,}check a venue account/m);
  assert.match(stdout, /^ {2}-V, --version {2}Print the version\.$/m);
});

Deno.test("each subcommand's help shows its usage as a task and as perp", async () => {
  for (const name of ["bot", "funding", "sim", "doctor"]) {
    const { code, stdout } = await run(name, "--help");
    assert.equal(code, 0);
    assert.ok(stdout.startsWith(`perp ${name}: `), stdout.split("\n")[0]);
    assert.match(stdout, new RegExp(`^Usage: deno task ${name} `, "m"), name);
    assert.match(stdout, new RegExp(`^ {7}perp ${name} `, "m"), name);
  }
});

Deno.test("funding serve --help prints serve's own flags; funding --once --help the one-shot's", async () => {
  const all = (await run("funding", "--help")).stdout;
  const serve = await run("funding", "serve", "--help");
  assert.equal(serve.code, 0);
  assert.notEqual(serve.stdout, all);
  assert.ok(serve.stdout.startsWith("perp funding serve: "), serve.stdout);
  assert.match(serve.stdout, /^Usage: deno task funding serve \[flags\]$/m);
  for (const flag of ["--interval", "--port", "--host", "--token", "--db", "--exchanges"]) {
    assert.ok(serve.stdout.includes(flag), `serve help lacks ${flag}`);
  }
  for (const flag of ["--once", "--json"]) {
    assert.ok(!serve.stdout.includes(flag), `serve help lists ${flag}`);
  }
  const once = await run("funding", "--once", "--help");
  assert.ok(once.stdout.startsWith("perp funding --once: "), once.stdout);
  for (const flag of ["--interval", "--port", "--host", "--token"]) {
    assert.ok(!once.stdout.includes(flag), `--once help lists ${flag}`);
  }
  assert.ok(once.stdout.includes("--json"));
});

Deno.test("doctor --help lists its flags; a bad doctor command line exits 2 with one line", async () => {
  const { stdout } = await run("doctor", "--help");
  for (const flag of DOCTOR_FLAGS) assert.ok(stdout.includes(`--${flag.name}`), flag.name);
  assertUsageError(await run("doctor"), "--exchange is required: one of lighter, grvt, edgex");
  assertUsageError(await run("doctor", "--exchange", "kraken"), "--exchange must be one of");
  assertUsageError(
    await run("doctor", "--exchange", "grvt", "--sim-env", "x.env"),
    "--sim-env needs --network sim",
  );
  assert.deepEqual(parseDoctorArgs(["--exchange", "grvt", "--network", "testnet"]), {
    exchange: "grvt",
    network: "testnet",
    ticker: "ETH",
    placeTestOrder: false,
    envFile: ".env",
    envFileRequired: false,
    logLevel: undefined,
  });
});

Deno.test("the bot without credentials exits 2 at once with one line naming every missing variable", async () => {
  const cases = [
    [
      "lighter",
      {},
      "LIGHTER_API_KEY_PRIVATE_KEY, LIGHTER_ACCOUNT_INDEX (or LIGHTER_L1_ADDRESS), " +
      "LIGHTER_API_KEY_INDEX",
    ],
    // A partial setup: only what is missing is named, and no value is shown.
    [
      "lighter",
      { LIGHTER_API_KEY_PRIVATE_KEY: "c0ffee".repeat(13) + "ab", LIGHTER_L1_ADDRESS: "" },
      "LIGHTER_ACCOUNT_INDEX (or LIGHTER_L1_ADDRESS), LIGHTER_API_KEY_INDEX",
    ],
    ["grvt", {}, "GRVT_API_KEY, GRVT_PRIVATE_KEY, GRVT_TRADING_ACCOUNT_ID"],
    [
      "edgex",
      { EDGEX_API_KEY: "key-1" },
      "EDGEX_ACCOUNT_ID, EDGEX_API_SECRET, EDGEX_API_PASSPHRASE, EDGEX_SIGNER_PRIVATE_KEY",
    ],
  ] as const;
  for (const [venue, env, names] of cases) {
    const started = Date.now();
    const result = await cliProcess(
      BOT_TASK,
      ["bot", "--exchange", venue, "--env-file", "/dev/null"],
      env,
    );
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stderr,
      `error: Missing ${venue} credentials: set ${names} (in the --env-file or the ` +
        "environment), or use --network sim for the local replica\n",
    );
    assert.equal(result.stdout, "");
    // Loosely: it exits by itself (a retry loop would hit the 60 s kill above).
    assert.ok(Date.now() - started < 30_000);
  }
});

Deno.test("sim --port on a taken port exits 1 naming the port and what to do", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = taken.addr.port;
  try {
    const result = await cliProcess(
      ["--allow-net=127.0.0.1,localhost", "--allow-env", "--allow-read", "--allow-write"],
      ["sim", "--venues", "lighter", "--port", String(port)],
    );
    assert.equal(result.code, 1, result.stderr);
    const lines = result.stderr.split("\n").filter((l) => l !== "");
    assert.equal(
      lines.at(-1),
      `error: the lighter replica cannot listen on 127.0.0.1 port ${port} (--port ${port}): a port is in use, perhaps by another deno task sim; stop it or pick another base with --port`,
    );
  } finally {
    taken.close();
  }
});

Deno.test("an infrastructure error at the top level names its object and what to do", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const envFile = `${dir}/replicas.env`;
    const result = await cliProcess(
      ["--allow-net=127.0.0.1,localhost", "--allow-env", "--allow-read", "--allow-write=data"],
      ["sim", "--venues", "edgex", "--env-file", envFile],
    );
    assert.equal(result.code, 1, result.stderr);
    const last = result.stderr.split("\n").filter((l) => l !== "").at(-1)!;
    assert.ok(last.startsWith("error: "), last);
    assert.ok(last.includes(envFile), last);
    assert.ok(
      last.endsWith(
        "; the permissions deno was given do not cover it (deno task sim has fixed ones in " +
          "deno.json): run deno run -A cli.ts sim … or widen them",
      ),
      last,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("perp doctor --network sim checks an in-process replica and exits 0", async () => {
  const result = await cliProcess(DOCTOR_TASK, [
    "doctor",
    "--exchange",
    "edgex",
    "--network",
    "sim",
  ]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const lines = result.stdout.split("\n").filter((l) => l !== "");
  assert.equal(lines[0], "perp doctor: edgex on sim");
  assert.deepEqual(
    lines.slice(1, -1).map((l) => l.split(":")[0]),
    [
      "✓ variables",
      "✓ hosts",
      "✓ clock",
      "✓ authentication",
      "✓ markets",
      "✓ balance",
      "✓ positions",
    ],
  );
  assert.equal(lines.at(-1), "All checks passed.");
});

Deno.test("perp doctor against a running replica with an unregistered API key index exits 1", async () => {
  const { startSimVenue } = await import("../sim/network.ts");
  const sim = await startSimVenue("lighter", { protocol: "replica" });
  const dir = await Deno.makeTempDir();
  try {
    const envFile = `${dir}/sim.env`;
    const vars = { ...sim.endpoints, LIGHTER_API_KEY_INDEX: "9" };
    await Deno.writeTextFile(
      envFile,
      Object.entries(vars).map(([k, v]) => `${k}=${v}\n`).join(""),
    );
    const result = await cliProcess(DOCTOR_TASK, [
      "doctor",
      "--exchange",
      "lighter",
      "--network",
      "sim",
      "--sim-env",
      envFile,
    ]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /^✗ api key: API key index 9 is not registered to account 4242 → /m,
    );
    assert.match(result.stdout, /^– markets: not checked \(needs authentication\)$/m);
    assert.match(result.stdout, /checks failed or were not run\.\n$/);
  } finally {
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno install puts a working perp command on the PATH", async () => {
  const root = await Deno.makeTempDir();
  try {
    const install = await new Deno.Command(Deno.execPath(), {
      args: [
        "install",
        "-g",
        "-f",
        "-n",
        "perp",
        "--root",
        root,
        "--allow-net",
        "--allow-env",
        "--allow-read",
        "--allow-write",
        "--config",
        CONFIG_PATH,
        CLI_PATH,
      ],
      clearEnv: true,
      env: childEnv(),
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(install.code, 0, new TextDecoder().decode(install.stderr));
    const { version } = JSON.parse(await Deno.readTextFile(CONFIG_PATH));
    const perp = async (...args: string[]) => {
      const out = await new Deno.Command(`${root}/bin/perp`, {
        args,
        cwd: root,
        clearEnv: true,
        env: childEnv(),
        stdout: "piped",
        stderr: "piped",
      }).output();
      return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
    };
    assert.deepEqual(await perp("--version"), { code: 0, stdout: `perp ${version}\n` });
    const help = await perp("bot", "--help");
    assert.equal(help.code, 0);
    assert.ok(help.stdout.startsWith("perp bot: "), help.stdout);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("bot --status-port on a taken port exits 2 naming the port and what to do", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = taken.addr.port;
  try {
    const result = await cliProcess(
      ["-A"],
      [
        "bot",
        "--exchange",
        "edgex",
        "--network",
        "sim",
        "--ticker",
        "BTC",
        "--quantity",
        "0.01",
        "--take-profit",
        "0.05",
        "--status-port",
        String(port),
      ],
    );
    assert.equal(result.code, 2, result.stderr);
    assert.ok(
      result.stderr.includes(
        `error: status server: --status-port ${port} on 127.0.0.1 is in use: stop what listens ` +
          "there or pick another --status-port (0 picks a free one)",
      ),
      result.stderr,
    );
  } finally {
    taken.close();
  }
});
