/**
 * The `perp` command line: `bot`, `funding`, `sim` and `doctor` subcommands.
 *
 * This file only parses flags, reads the environment and hands over to library code; each
 * subcommand is one entry of {@linkcode SUBCOMMANDS} (`parse` → typed config, `run` → exit
 * code); each `run` imports its library module only when it runs, so `perp sim` never loads
 * the funding store and `perp funding` never loads the grid strategy.
 *
 * Exit codes: 0 success or help shown, 1 failure while running, 2 usage or configuration
 * error (one `error: …` line on stderr), 3 a venue module that lacks the requested client.
 *
 * ```sh
 * deno task bot --exchange grvt --ticker BTC --quantity 0.01 --take-profit 0.02 --direction buy
 * deno task funding --once
 * deno task sim --seed 7
 * deno task doctor --exchange lighter --network testnet
 * ```
 *
 * @example Running the command line in-process
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./cli.ts";
 *
 * const err: string[] = [];
 * const code = await main(["bot", "--exchange", "binance"], {
 *   stdout: () => {},
 *   stderr: (text) => err.push(text),
 * });
 * assert.equal(code, 2);
 * assert.equal(
 *   err.join(""),
 *   'error: --exchange must be one of lighter, grvt, edgex, hyperliquid (got "binance")\n',
 * );
 * ```
 *
 * @module
 */
import { parseArgs, parseEnv } from "node:util";
import { z } from "zod";
import { Decimal } from "./core/decimal.ts";
import { redact, registerSecret } from "./core/redact.ts";
import { LOG_LEVELS, type LogLevel, resetLogging, setupLogging } from "./helpers/logging.ts";
import packageConfig from "./deno.json" with { type: "json" };

// ---------------------------------------------------------------------------------------------
// Shared vocabulary

/**
 * The package version, from `deno.json`; `perp --version` prints it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VERSION } from "./cli.ts";
 *
 * assert.match(VERSION, /^\d+\.\d+\.\d+/);
 * ```
 */
export const VERSION: string = packageConfig.version;

/**
 * Process exit codes of the command line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExitCode } from "./cli.ts";
 *
 * assert.equal(ExitCode.Usage, 2);
 * ```
 */
export const ExitCode: {
  /** Success, or help was shown. */
  readonly Ok: 0;
  /** An unexpected failure while running. */
  readonly Failure: 1;
  /** The command line was wrong; one `error: …` line says why. */
  readonly Usage: 2;
  /** The arguments were valid but the venue module lacks what they ask for. */
  readonly NotBuilt: 3;
} = Object.freeze({ Ok: 0, Failure: 1, Usage: 2, NotBuilt: 3 });

/** A venue this package trades on. */
export type ExchangeName = "lighter" | "grvt" | "edgex" | "hyperliquid";

/**
 * Every venue, in the order used for defaults and messages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EXCHANGES } from "./cli.ts";
 *
 * assert.deepEqual(EXCHANGES, ["lighter", "grvt", "edgex", "hyperliquid"]);
 * ```
 */
export const EXCHANGES: readonly ExchangeName[] = Object.freeze([
  "lighter",
  "grvt",
  "edgex",
  "hyperliquid",
]);

/** Which endpoints to talk to; `sim` starts the local venue replicas in-process. */
export type Network = "mainnet" | "testnet" | "sim";

/**
 * The accepted `--network` values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NETWORKS } from "./cli.ts";
 *
 * assert.ok(NETWORKS.includes("sim"));
 * ```
 */
export const NETWORKS: readonly Network[] = Object.freeze(["mainnet", "testnet", "sim"]);

/**
 * A command line that cannot be run. `main()` prints `error: <message>` on one line and
 * returns {@linkcode ExitCode.Usage}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseBotArgs, UsageError } from "./cli.ts";
 *
 * assert.throws(() => parseBotArgs(["--exchange", "grvt", "--max-orders", "1.5"]), UsageError);
 * ```
 */
export class UsageError extends Error {
  /**
   * Builds the error from its one-line message.
   *
   * @param message One line naming the flag and what it accepts.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Where `main()` writes; each call gets complete text including its newline. */
export interface CliIO {
  /** Help and regular output. */
  stdout(text: string): void;
  /** Errors, progress and log lines. */
  stderr(text: string): void;
}

/** Reads one environment variable; `undefined` when unset. */
export type EnvGetter = (name: string) => string | undefined;

/** Options for the `parse…Args` functions. */
export interface ParseOptions {
  /**
   * Reads environment variables (`DATABASE_URL` for `funding`).
   * @default {Deno.env.get, treating a missing permission as unset}
   */
  env?: EnvGetter;
}

// ---------------------------------------------------------------------------------------------
// Flag parsing and validation helpers

/** One flag of a subcommand, used both to parse and to print `--help`. */
export interface FlagSpec {
  /** Long name without the dashes. */
  readonly name: string;
  /** `string` flags take a value; `boolean` flags do not. */
  readonly type: "string" | "boolean";
  /** Placeholder for the value in help, e.g. `<venue>`. */
  readonly value?: string;
  /** What the flag does, one or two sentences. */
  readonly description: string;
  /** The default as the user would type it; absent for required flags and switches. */
  readonly default?: string;
}

const HELP_FLAGS = new Set(["--help", "-h"]);

function denoEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: treat as unset
  }
}

/** Masks the password of `scheme://user:password@host` so it never reaches a message. */
function maskUrlPassword(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, "$1***@");
}

function quote(value: string): string {
  return JSON.stringify(redact(maskUrlPassword(value)));
}

/**
 * Lets `--stop-price -1` through: node's strict parseArgs refuses a value that starts with a
 * dash ("ambiguous"), so a negative number after a value-taking flag is glued on with `=`.
 */
function joinNegativeValues(args: readonly string[], specs: readonly FlagSpec[]): string[] {
  const takesValue = new Set(specs.filter((s) => s.type === "string").map((s) => `--${s.name}`));
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      out.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    if (takesValue.has(arg) && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

interface RawArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

function parseRaw(
  command: string,
  args: readonly string[],
  specs: readonly FlagSpec[],
  allowPositionals: boolean,
): RawArgs {
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const spec of specs) options[spec.name] = { type: spec.type };
  try {
    const { values, positionals } = parseArgs({
      args: joinNegativeValues(args, specs),
      options,
      strict: true,
      allowPositionals,
    });
    return { values: { ...values } as RawArgs["values"], positionals };
  } catch (error) {
    throw parseArgsError(command, error);
  }
}

function parseArgsError(command: string, error: unknown): unknown {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const flag = /'(-{1,2}[^' =]+)/.exec(message)?.[1] ?? "";
  const help = `see perp ${command} --help`;
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new UsageError(`unknown flag ${flag} for perp ${command} (${help})`);
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL": {
      const arg = /argument '([^']*)'/.exec(message)?.[1] ?? "";
      return new UsageError(
        `unexpected argument ${quote(arg)} for perp ${command} (${help})`,
      );
    }
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return new UsageError(
        /does not take an argument/.test(message)
          ? `${flag} is a switch and takes no value`
          : `${flag} needs a value (${help})`,
      );
    default:
      return error;
  }
}

/** Turns the first zod issue into one line naming the flag and, when given, the bad value. */
function validate<S extends z.ZodType>(schema: S, raw: RawArgs["values"]): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const flag = String(issue.path[0] ?? "");
  const given = raw[flag];
  const got = typeof given === "string" ? ` (got ${quote(given)})` : "";
  throw new UsageError(`--${flag} ${issue.message}${got}`);
}

const POSITIVE_DECIMAL_RE = /^\d+(\.\d+)?$/;
const SIGNED_DECIMAL_RE = /^-?\d+(\.\d+)?$/;
const WHOLE_RE = /^\d+$/;

function isPositiveDecimal(s: string): boolean {
  return POSITIVE_DECIMAL_RE.test(s) && /[1-9]/.test(s);
}

function oneOf<const T extends string>(values: readonly T[]): z.ZodType<T> {
  const list = values.join(", ");
  return z.enum(values as [T, ...T[]], {
    error: (issue) =>
      issue.input === undefined ? `is required: one of ${list}` : `must be one of ${list}`,
  });
}

function text(message: string): z.ZodString {
  return z.string({ error: message });
}

function positiveDecimal(message: string): z.ZodType<string> {
  return text(message).refine(isPositiveDecimal, { error: message });
}

function whole(message: string, check: (n: number) => boolean = () => true): z.ZodType<number> {
  return text(message)
    .refine((s) => WHOLE_RE.test(s) && Number.isSafeInteger(Number(s)) && check(Number(s)), {
      error: message,
    })
    .transform(Number);
}

function priceOrOff(): z.ZodType<string> {
  const message = "must be a positive decimal price such as 3500.5, or -1 to disable it";
  return text(message).refine(
    (s) => isPositiveDecimal(s) || (SIGNED_DECIMAL_RE.test(s) && new Decimal(s).eq(-1)),
    { error: message },
  );
}

function venueList(): z.ZodType<ExchangeName[]> {
  const message = `must be a comma-separated list of ${EXCHANGES.join(", ")}`;
  return text(message)
    .transform((s) => s.split(",").map((v) => v.trim().toLowerCase()))
    .refine(
      (list) => list.every((v) => (EXCHANGES as readonly string[]).includes(v)),
      { error: message },
    )
    .transform((list) => [...new Set(list)] as ExchangeName[]);
}

/** The `--log-level` flag, the same on every subcommand. */
const LOG_LEVEL_FLAG: FlagSpec = {
  name: "log-level",
  type: "string",
  value: "<level>",
  description: `${LOG_LEVELS.join(", ")}.`,
  default: "env PERP_LOG_LEVEL or LOG_LEVEL, else info",
};

const logLevelSchema: z.ZodType<LogLevel | undefined> = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(oneOf(LOG_LEVELS) as z.ZodType<LogLevel, string>)
  .optional();

const portSchema = (fallback: string) =>
  whole("must be a port number from 0 to 65535", (n) => n <= 65535).default(
    Number(fallback),
  );

const HELP_WIDTH = 100;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

function formatHelp(
  command: string,
  summary: string,
  usage: string,
  specs: readonly FlagSpec[],
  examples: readonly string[],
): string {
  const rows: [string, FlagSpec][] = specs.map((
    s,
  ) => [`--${s.name}${s.value ? ` ${s.value}` : ""}`, s]);
  rows.push(["-h, --help", { name: "help", type: "boolean", description: "Show this help." }]);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  // Both ways of running it: `deno task …` in a checkout, `perp …` once installed.
  const installed = usage.replace(/^deno task /, "perp ");
  const usageLines = installed === usage
    ? [`Usage: ${usage}`]
    : [`Usage: ${usage}`, `       ${installed}`];
  const lines = [`perp ${command}: ${summary}`, "", ...usageLines, "", "Flags:"];
  for (const [left, spec] of rows) {
    const extra = spec.default !== undefined ? ` Default: ${spec.default}.` : "";
    const wrapped = wrap(`${spec.description}${extra}`, HELP_WIDTH - 2 - width);
    lines.push(`  ${left.padEnd(width)}${wrapped[0]}`);
    for (const more of wrapped.slice(1)) lines.push(`  ${"".padEnd(width)}${more}`);
  }
  if (examples.length > 0) lines.push("", "Examples:", ...examples.map((e) => `  ${e}`));
  return lines.join("\n") + "\n";
}

function flagLine(pairs: readonly (readonly [string, string | number | boolean | undefined])[]) {
  const parts: string[] = [];
  for (const [flag, value] of pairs) {
    if (value === undefined || value === false) continue;
    parts.push(value === true ? `--${flag}` : `--${flag} ${maskUrlPassword(String(value))}`);
  }
  return parts.join(" ");
}

// ---------------------------------------------------------------------------------------------
// bot

/** The trading strategies the bot knows. */
export type StrategyName = "grid" | "funding-arbitrage";

/** Validated `perp bot` arguments. Prices and sizes are decimal strings, never floats. */
export interface BotConfig {
  /** Venue to trade on. */
  exchange: ExchangeName;
  /** Strategy. */
  strategy: StrategyName;
  /** `funding-arbitrage`: the venues to trade across (two or three). */
  venues: ExchangeName[];
  /** Grid: what to do when the venue's position disagrees with the bot's. */
  onMismatch: "repair" | "stop";
  /** `funding-arbitrage` settings (defaults filled in). */
  arb: ArbConfig;
  /** Unified base asset, upper-cased (`ETH`, `1000PEPE`). */
  ticker: string;
  /** Size of every open order, in base units (decimal string). */
  quantity: string;
  /** Take-profit distance in percent of the fill price: `"0.02"` means 0.02 %. */
  takeProfit: string;
  /** Side of the open orders; the closes take the other side. */
  direction: "buy" | "sell";
  /** Most resting close orders; at or above it no new order opens. */
  maxOrders: number;
  /** Base cooldown between opens, in seconds. */
  waitTime: number;
  /** Minimum distance in percent between a new take-profit and the nearest one; `"-100"` = off. */
  gridStep: string;
  /** Exit price (buy: best ask ≥ it, sell: best bid ≤ it); `"-1"` = off. */
  stopPrice: string;
  /** Pause price (same comparison as the stop price); `"-1"` = off. */
  pausePrice: string;
  /** Path of the env file with the credentials. */
  envFile: string;
  /** Whether `--env-file` was given, in which case the file must exist. */
  envFileRequired: boolean;
  /** Endpoints to use. */
  network: Network;
  /** With `--network sim`: env file of a running `deno task sim` to attach to. */
  simEnv?: string;
  /** Log level from `--log-level`; absent means env / default. */
  logLevel?: LogLevel;
  /** `--paper`: trade on a paper account against the venue's live book; nothing is sent. */
  paper: boolean;
  /** `--dry-run`: deprecated alias of `--paper`. */
  dryRun: boolean;
  /** Cancel this bot's resting orders on exit. */
  cancelOnExit: boolean;
  /** `--status-port`: serve the Bots page and `/api/v1/bot` there. */
  statusPort?: number;
  /** `--status-host`. @default {"127.0.0.1"} */
  statusHost?: string;
  /** `--status-token` (registered as a secret). */
  statusToken?: string;
  /** `--force`: start although the take-profit is at or below the fees or above 10 %. */
  force: boolean;
  /** `--json`: one JSON event per line on stdout. */
  json: boolean;
  /** `--log-max-size` in bytes: the activity log rotates at this size. */
  logMaxBytes: number;
  /** `--log-files`: rotated activity logs kept. */
  logFiles: number;
}

/** `funding-arbitrage` settings of `perp bot`; decimals are strings. */
export interface ArbConfig {
  /** One leg must be on this venue. */
  requiredVenue?: ExchangeName;
  /** Notional of one entry, USD. */
  notional: string;
  /** Holding horizon for the entry arithmetic, hours. */
  holdHours: string;
  /** Minimum net APR, a fraction (0.1 = 10 %). */
  minNetApr: string;
  /** Exit buffer, fraction of notional. */
  exitBuffer: string;
  /** Most cross-venue price divergence, fraction. */
  maxDivergence: string;
  /** No entry this many minutes before a settlement that charges a leg. */
  settlementWindowMin: number;
  /** Most failed opens per pair per hour. */
  maxFailedOpens: number;
  /** Most open arbitrages. */
  maxPositions: number;
  /** Most notional per symbol, USD (`--max-symbol-notional`). */
  maxSymbolNotional?: string;
  /** Most notional with a leg on one venue, USD (`--max-venue-notional`). */
  maxVenueNotional?: string;
  /** Most notional in total, USD (`--max-total-notional`). */
  maxTotalNotional?: string;
  /** `--leverage`: `3` (every venue) or `lighter=3,grvt=5`; checked against the venues at start. */
  leverage?: string;
  /** Funding store (`postgres://…` or a SQLite path). */
  db: string;
  /** Id of this bot in the store. */
  botId: string;
  /** `--network sim`: replicas (default) or in-process paper venues. */
  simProtocol: "replica" | "paper";
}

/**
 * Defaults of `perp bot`, as typed on the command line (those of the original `runbot.py`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BOT_DEFAULTS } from "./cli.ts";
 *
 * assert.equal(BOT_DEFAULTS["take-profit"], "0.02");
 * ```
 */
export const BOT_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({
  strategy: "grid",
  ticker: "ETH",
  quantity: "0.1",
  "take-profit": "0.02",
  direction: "buy",
  "max-orders": "40",
  "wait-time": "450",
  "grid-step": "-100",
  "stop-price": "-1",
  "pause-price": "-1",
  "env-file": ".env",
  network: "mainnet",
  venues: "lighter,grvt",
  notional: "1000",
  "hold-hours": "24",
  "min-net-apr": "0.1",
  "exit-buffer": "0.0002",
  "max-divergence": "0.005",
  "settlement-window": "10",
  "max-failed-opens": "3",
  "max-positions": "3",
  db: "data/funding.db",
  "bot-id": "bot",
  "sim-protocol": "replica",
  "on-mismatch": "repair",
});

const d = BOT_DEFAULTS;

/**
 * The flags of `perp bot`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BOT_FLAGS } from "./cli.ts";
 *
 * assert.ok(BOT_FLAGS.some((f) => f.name === "exchange"));
 * ```
 */
export const BOT_FLAGS: readonly FlagSpec[] = Object.freeze(
  [
    {
      name: "exchange",
      type: "string",
      value: "<venue>",
      description: `Venue to trade on: ${EXCHANGES.join(", ")}. Required.`,
    },
    {
      name: "strategy",
      type: "string",
      value: "<name>",
      description: "grid (one venue, --exchange) or funding-arbitrage (--venues).",
      default: d.strategy,
    },
    {
      name: "venues",
      type: "string",
      value: "<a,b[,c]>",
      description: "funding-arbitrage: venues to hold delta-neutral positions across.",
      default: d.venues,
    },
    {
      name: "required-venue",
      type: "string",
      value: "<venue>",
      description: "funding-arbitrage: one leg of every position on this venue.",
    },
    {
      name: "notional",
      type: "string",
      value: "<usd>",
      description: "funding-arbitrage: notional of one entry per leg, USD.",
      default: d.notional,
    },
    {
      name: "hold-hours",
      type: "string",
      value: "<hours>",
      description: "funding-arbitrage: horizon of the entry arithmetic (funding earned vs " +
        "fees, book crossing and exit buffer).",
      default: d["hold-hours"],
    },
    {
      name: "min-net-apr",
      type: "string",
      value: "<fraction>",
      description: "funding-arbitrage: minimum net APR after every cost (0.1 = 10 %).",
      default: d["min-net-apr"],
    },
    {
      name: "exit-buffer",
      type: "string",
      value: "<fraction>",
      description: "funding-arbitrage: extra exit cost reserved, fraction of notional.",
      default: d["exit-buffer"],
    },
    {
      name: "max-divergence",
      type: "string",
      value: "<fraction>",
      description: "funding-arbitrage: most price divergence between the venues.",
      default: d["max-divergence"],
    },
    {
      name: "settlement-window",
      type: "string",
      value: "<minutes>",
      description: "funding-arbitrage: no entry this close before a settlement that charges a leg.",
      default: d["settlement-window"],
    },
    {
      name: "max-failed-opens",
      type: "string",
      value: "<n>",
      description: "funding-arbitrage: failed opens per pair per hour before the pair rests.",
      default: d["max-failed-opens"],
    },
    {
      name: "max-positions",
      type: "string",
      value: "<n>",
      description: "funding-arbitrage: most arbitrages open at once.",
      default: d["max-positions"],
    },
    {
      name: "max-symbol-notional",
      type: "string",
      value: "<usd>",
      description: "funding-arbitrage: most notional held in one symbol (default: no cap).",
    },
    {
      name: "max-venue-notional",
      type: "string",
      value: "<usd>",
      description: "funding-arbitrage: most notional with a leg on one venue (default: no cap).",
    },
    {
      name: "max-total-notional",
      type: "string",
      value: "<usd>",
      description: "funding-arbitrage: most notional held in all (default: no cap).",
    },
    {
      name: "leverage",
      type: "string",
      value: "<x|venue=x,…>",
      description: "funding-arbitrage: leverage set before the first entry, on every venue (3) " +
        "or per venue (lighter=3,grvt=5); refused above a market's maximum.",
    },
    {
      name: "db",
      type: "string",
      value: "<url|path>",
      description: "funding-arbitrage: store of positions and pair claims (postgres://… shares " +
        "pairs between bots); env DATABASE_URL.",
      default: d.db,
    },
    {
      name: "bot-id",
      type: "string",
      value: "<id>",
      description: "funding-arbitrage: this bot's id in the store (positions, claims).",
      default: d["bot-id"],
    },
    {
      name: "sim-protocol",
      type: "string",
      value: "<replica|paper>",
      description: "With --network sim: the venues' replicas, or in-process paper venues.",
      default: d["sim-protocol"],
    },
    {
      name: "on-mismatch",
      type: "string",
      value: "<repair|stop>",
      description: "grid: when the venue's position disagrees with the bot's, repair it or stop.",
      default: d["on-mismatch"],
    },
    {
      name: "ticker",
      type: "string",
      value: "<symbol>",
      description: "Base asset to trade, e.g. BTC or 1000PEPE (upper-cased).",
      default: d.ticker,
    },
    {
      name: "quantity",
      type: "string",
      value: "<size>",
      description: "Size of every open order in base units, a decimal such as 0.01.",
      default: d.quantity,
    },
    {
      name: "take-profit",
      type: "string",
      value: "<percent>",
      description: "Take-profit distance in PERCENT of the fill price: 0.02 means 0.02 % " +
        "(not 2 %, not USDT).",
      default: d["take-profit"],
    },
    {
      name: "direction",
      type: "string",
      value: "<side>",
      description: "Side of the open orders, buy or sell; the take-profits take the other side.",
      default: d.direction,
    },
    {
      name: "max-orders",
      type: "string",
      value: "<n>",
      description: "Most resting take-profit orders; at or above it no new order opens.",
      default: d["max-orders"],
    },
    {
      name: "wait-time",
      type: "string",
      value: "<seconds>",
      description: "Base cooldown between opens, scaled by how full the grid is.",
      default: d["wait-time"],
    },
    {
      name: "grid-step",
      type: "string",
      value: "<percent>",
      description: "Minimum distance in percent between a new take-profit and the nearest " +
        "resting one; -100 disables the check.",
      default: d["grid-step"],
    },
    {
      name: "stop-price",
      type: "string",
      value: "<price>",
      description: "Stop trading when buy: best ask >= price, sell: best bid <= price; " +
        "-1 disables it.",
      default: d["stop-price"],
    },
    {
      name: "pause-price",
      type: "string",
      value: "<price>",
      description: "Pause opening while buy: best ask >= price, sell: best bid <= price; " +
        "-1 disables it.",
      default: d["pause-price"],
    },
    {
      name: "env-file",
      type: "string",
      value: "<path>",
      description: "File of credentials (NAME=value lines); variables already set win. " +
        "A missing default file is fine, a missing given one is an error.",
      default: d["env-file"],
    },
    {
      name: "network",
      type: "string",
      value: "<name>",
      description: `${NETWORKS.join(", ")}; sim runs the local venue replica in-process ` +
        "(or attaches to a running one with --sim-env). Host variables such as " +
        "LIGHTER_REST_URL, GRVT_MARKET_DATA_URL or EDGEX_WS_URL point any network elsewhere.",
      default: d.network,
    },
    {
      name: "sim-env",
      type: "string",
      value: "<path>",
      description: "With --network sim: the env file of a running `deno task sim --env-file " +
        "<path>`; trade on that replica (a restart adopts what it left there).",
    },
    LOG_LEVEL_FLAG,
    {
      name: "paper",
      type: "boolean",
      description: "Paper trading: nothing is sent to the venue. Orders fill on a paper account " +
        "against the venue's live book (taker when they cross it, maker when the book trades " +
        "through their price) at the market's fees; logs, trade log (its own file) and PnL " +
        "as live, marked PAPER. With --network sim, against the replica's book. On mainnet / " +
        "testnet, paper: public market data only, no credentials needed.",
    },
    {
      name: "dry-run",
      type: "boolean",
      description: "Deprecated alias of --paper (prints a deprecation line).",
    },
    {
      name: "cancel-on-exit",
      type: "boolean",
      description: "Cancel this bot's resting orders when it stops (the original left them).",
    },
    {
      name: "status-port",
      type: "string",
      value: "<port>",
      description: "Serve the Bots page (live positions, orders, PnL, events) and " +
        "/api/v1/bot on this port; 0 picks a free one. Off when absent.",
    },
    {
      name: "status-host",
      type: "string",
      value: "<address>",
      description: "Address of the status page; anything but loopback needs --status-token.",
      default: "127.0.0.1",
    },
    {
      name: "status-token",
      type: "string",
      value: "<secret>",
      description: "Bearer token the status page requires (or env BOT_STATUS_TOKEN).",
    },
    {
      name: "force",
      type: "boolean",
      description: "grid: start although --take-profit is at or below the round-trip fee or " +
        "above 10 % (warns instead of refusing).",
    },
    {
      name: "json",
      type: "boolean",
      description: "grid: one JSON event per line on stdout (start, order, fill, funding, " +
        "status with the PnL split, stop summary); log lines stay on stderr.",
    },
    {
      name: "log-max-size",
      type: "string",
      value: "<MB>",
      description: "The activity log rotates at this size.",
      default: "10",
    },
    {
      name: "log-files",
      type: "string",
      value: "<n>",
      description: "Rotated activity logs kept (<name>.1 … <name>.n).",
      default: "5",
    },
  ] satisfies FlagSpec[],
);

const botSchema = z.object({
  exchange: oneOf(EXCHANGES).optional(),
  venues: text(`must be a comma-separated list of ${EXCHANGES.join(", ")}`)
    .transform((s) => s.split(",").map((v) => v.trim().toLowerCase()).filter((v) => v !== ""))
    .refine(
      (vs) =>
        vs.length >= 2 && new Set(vs).size === vs.length &&
        vs.every((v) => (EXCHANGES as readonly string[]).includes(v)),
      { error: `must be two or three distinct venues of ${EXCHANGES.join(", ")}` },
    )
    .transform((vs) => vs as ExchangeName[])
    .default(d.venues.split(",") as ExchangeName[]),
  "required-venue": oneOf(EXCHANGES).optional(),
  notional: positiveDecimal("must be a positive decimal such as 1000").default(d.notional),
  "hold-hours": positiveDecimal("must be a positive number of hours such as 24").default(
    d["hold-hours"],
  ),
  "min-net-apr": text("must be a decimal fraction such as 0.1")
    .refine((s) => SIGNED_DECIMAL_RE.test(s), { error: "must be a decimal fraction such as 0.1" })
    .default(d["min-net-apr"]),
  "exit-buffer": text("must be a decimal fraction such as 0.0002")
    .refine((s) => POSITIVE_DECIMAL_RE.test(s), {
      error: "must be a decimal fraction such as 0.0002",
    })
    .default(d["exit-buffer"]),
  "max-divergence": positiveDecimal("must be a positive fraction such as 0.005").default(
    d["max-divergence"],
  ),
  "settlement-window": whole("must be a whole number of minutes such as 10").default(
    Number(d["settlement-window"]),
  ),
  "max-failed-opens": whole("must be a positive integer such as 3", (n) => n > 0).default(
    Number(d["max-failed-opens"]),
  ),
  "max-positions": whole("must be a positive integer such as 3", (n) => n > 0).default(
    Number(d["max-positions"]),
  ),
  "max-symbol-notional": positiveDecimal("must be a positive USD amount such as 2000").optional(),
  "max-venue-notional": positiveDecimal("must be a positive USD amount such as 2000").optional(),
  "max-total-notional": positiveDecimal("must be a positive USD amount such as 5000").optional(),
  leverage: text("must be a number such as 3 or venue=number pairs such as lighter=3,grvt=5")
    .regex(/^(\d+(\.\d+)?|[A-Za-z]+=\d+(\.\d+)?(,[A-Za-z]+=\d+(\.\d+)?)*)$/, {
      error: "must be a number such as 3 or venue=number pairs such as lighter=3,grvt=5",
    }).optional(),
  db: text("must be a postgres:// URL or a file path").min(1, {
    error: "must be a postgres:// URL or a file path",
  }).optional(),
  "bot-id": text("must be an id such as bot-1").regex(/^[A-Za-z0-9_.-]{1,64}$/, {
    error: "must be an id of letters, digits, '.', '_' or '-' such as bot-1",
  }).default(d["bot-id"]),
  "sim-protocol": oneOf(["replica", "paper"] as const).default("replica"),
  "on-mismatch": oneOf(["repair", "stop"] as const).default("repair"),
  strategy: oneOf(["grid", "funding-arbitrage"] as const).default("grid"),
  ticker: text("must be a symbol of letters and digits such as ETH or 1000PEPE")
    .regex(/^[A-Za-z0-9]{1,20}$/, {
      error: "must be a symbol of letters and digits such as ETH or 1000PEPE",
    })
    .transform((s) => s.toUpperCase())
    .default(d.ticker),
  quantity: positiveDecimal("must be a positive decimal such as 0.01").default(d.quantity),
  "take-profit": positiveDecimal(
    "must be a positive decimal percent such as 0.02, which means 0.02 %",
  ).default(d["take-profit"]),
  direction: oneOf(["buy", "sell"] as const).default("buy"),
  "max-orders": whole("must be a positive integer such as 40", (n) => n > 0).default(
    Number(d["max-orders"]),
  ),
  "wait-time": whole("must be a whole number of seconds such as 450").default(
    Number(d["wait-time"]),
  ),
  "grid-step": text("must be a decimal percent of at least -100 such as 0.5 (-100 disables it)")
    .refine((s) => SIGNED_DECIMAL_RE.test(s) && new Decimal(s).gte(-100), {
      error: "must be a decimal percent of at least -100 such as 0.5 (-100 disables it)",
    })
    .default(d["grid-step"]),
  "stop-price": priceOrOff().default(d["stop-price"]),
  "pause-price": priceOrOff().default(d["pause-price"]),
  "env-file": text("must be a file path").min(1, { error: "must be a file path" }).optional(),
  network: oneOf(NETWORKS).default("mainnet"),
  "sim-env": text("must be a file path").min(1, { error: "must be a file path" }).optional(),
  "log-level": logLevelSchema,
  paper: z.boolean().default(false),
  "dry-run": z.boolean().default(false),
  "cancel-on-exit": z.boolean().default(false),
  "status-port": whole("must be a port number from 0 to 65535", (n) => n <= 65535).optional(),
  "status-host": text("must be an address such as 127.0.0.1").min(1, {
    error: "must be an address such as 127.0.0.1",
  }).optional(),
  "status-token": text("must be a non-empty secret").min(1, {
    error: "must be a non-empty secret",
  }).optional(),
  force: z.boolean().default(false),
  json: z.boolean().default(false),
  "log-max-size": positiveDecimal("must be a positive number of megabytes such as 10")
    .default("10"),
  "log-files": whole("must be a whole number of files such as 5").default(5),
});

/**
 * Parses and validates the arguments of `perp bot` (everything after `bot`).
 *
 * @param args The arguments, e.g. `["--exchange", "grvt", "--ticker", "BTC"]`.
 * @returns The validated configuration with defaults filled in.
 * @throws {UsageError} On an unknown flag, a missing `--exchange`, a malformed value, or
 *   `--strategy funding-arbitrage` (not available yet); the message is one line naming the flag.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseBotArgs } from "./cli.ts";
 *
 * const config = parseBotArgs(["--exchange", "grvt", "--ticker", "btc", "--stop-price", "-1"]);
 * assert.equal(config.ticker, "BTC");
 * assert.equal(config.quantity, "0.1");
 * assert.equal(config.stopPrice, "-1");
 * ```
 */
export function parseBotArgs(args: readonly string[]): BotConfig {
  const raw = parseRaw("bot", args, BOT_FLAGS, false);
  const v = validate(botSchema, raw.values);
  if (v.strategy === "grid" && v.exchange === undefined) {
    throw new UsageError(`--exchange is required: one of ${EXCHANGES.join(", ")}`);
  }
  if (
    v["required-venue"] !== undefined && !v.venues.includes(v["required-venue"])
  ) {
    throw new UsageError(`--required-venue must be one of --venues (${v.venues.join(",")})`);
  }
  if (v["sim-env"] !== undefined && v.network !== "sim") {
    throw new UsageError("--sim-env needs --network sim");
  }
  if (
    v["status-port"] === undefined &&
    (v["status-host"] !== undefined || v["status-token"] !== undefined)
  ) {
    throw new UsageError("--status-host and --status-token need --status-port");
  }
  if (v["status-token"] !== undefined) registerSecret(v["status-token"]);
  return {
    exchange: v.exchange ?? v.venues[0],
    strategy: v.strategy,
    venues: v.venues,
    onMismatch: v["on-mismatch"],
    arb: {
      ...(v["required-venue"] !== undefined ? { requiredVenue: v["required-venue"] } : {}),
      notional: v.notional,
      holdHours: v["hold-hours"],
      minNetApr: v["min-net-apr"],
      exitBuffer: v["exit-buffer"],
      maxDivergence: v["max-divergence"],
      settlementWindowMin: v["settlement-window"],
      maxFailedOpens: v["max-failed-opens"],
      maxPositions: v["max-positions"],
      ...(v["max-symbol-notional"] ? { maxSymbolNotional: v["max-symbol-notional"] } : {}),
      ...(v["max-venue-notional"] ? { maxVenueNotional: v["max-venue-notional"] } : {}),
      ...(v["max-total-notional"] ? { maxTotalNotional: v["max-total-notional"] } : {}),
      ...(v.leverage ? { leverage: v.leverage } : {}),
      db: v.db ?? d.db,
      botId: v["bot-id"],
      simProtocol: v["sim-protocol"],
    },
    ticker: v.ticker,
    quantity: v.quantity,
    takeProfit: v["take-profit"],
    direction: v.direction,
    maxOrders: v["max-orders"],
    waitTime: v["wait-time"],
    gridStep: v["grid-step"],
    stopPrice: v["stop-price"],
    pausePrice: v["pause-price"],
    envFile: v["env-file"] ?? d["env-file"],
    envFileRequired: v["env-file"] !== undefined,
    network: v.network,
    ...(v["sim-env"] !== undefined ? { simEnv: v["sim-env"] } : {}),
    logLevel: v["log-level"],
    paper: v.paper || v["dry-run"],
    dryRun: v["dry-run"],
    cancelOnExit: v["cancel-on-exit"],
    ...(v["status-port"] !== undefined ? { statusPort: v["status-port"] } : {}),
    ...(v["status-host"] !== undefined ? { statusHost: v["status-host"] } : {}),
    ...(v["status-token"] !== undefined ? { statusToken: v["status-token"] } : {}),
    force: v.force,
    json: v.json,
    logMaxBytes: Math.max(1, Math.round(Number(v["log-max-size"]) * 1024 * 1024)),
    logFiles: v["log-files"],
  };
}

function describeBot(c: BotConfig): string {
  if (c.strategy === "funding-arbitrage") {
    return flagLine([
      ["strategy", c.strategy],
      ["venues", c.venues.join(",")],
      ["required-venue", c.arb.requiredVenue],
      ["notional", c.arb.notional],
      ["hold-hours", c.arb.holdHours],
      ["min-net-apr", c.arb.minNetApr],
      ["exit-buffer", c.arb.exitBuffer],
      ["max-divergence", c.arb.maxDivergence],
      ["settlement-window", c.arb.settlementWindowMin],
      ["max-failed-opens", c.arb.maxFailedOpens],
      ["max-positions", c.arb.maxPositions],
      ["max-symbol-notional", c.arb.maxSymbolNotional],
      ["max-venue-notional", c.arb.maxVenueNotional],
      ["max-total-notional", c.arb.maxTotalNotional],
      ["leverage", c.arb.leverage],
      ["db", c.arb.db],
      ["bot-id", c.arb.botId],
      ["network", c.network],
      ["sim-protocol", c.network === "sim" ? c.arb.simProtocol : undefined],
      ["log-level", c.logLevel],
      ["paper", c.paper],
      ["dry-run", c.dryRun],
      ["cancel-on-exit", c.cancelOnExit],
      ["status-port", c.statusPort],
      ["status-host", c.statusHost],
      ["status-token", c.statusToken === undefined ? undefined : "[REDACTED]"],
    ]);
  }
  return flagLine([
    ["exchange", c.exchange],
    ["strategy", c.strategy],
    ["ticker", c.ticker],
    ["quantity", c.quantity],
    ["take-profit", c.takeProfit],
    ["direction", c.direction],
    ["max-orders", c.maxOrders],
    ["wait-time", c.waitTime],
    ["grid-step", c.gridStep],
    ["stop-price", c.stopPrice],
    ["pause-price", c.pausePrice],
    ["on-mismatch", c.onMismatch],
    ["env-file", c.envFile],
    ["network", c.network],
    ["sim-env", c.simEnv],
    ["log-level", c.logLevel],
    ["paper", c.paper],
    ["dry-run", c.dryRun],
    ["cancel-on-exit", c.cancelOnExit],
    ["status-port", c.statusPort],
    ["status-host", c.statusHost],
    ["status-token", c.statusToken === undefined ? undefined : "[REDACTED]"],
    ["force", c.force],
    ["json", c.json],
    ["log-max-size", c.logMaxBytes / (1024 * 1024)],
    ["log-files", c.logFiles],
  ]);
}

const SECRET_ENV_NAME_RE = /KEY|SECRET|PASSPHRASE|PASSWORD|TOKEN|PRIVATE|SEED|COOKIE|DATABASE_URL/i;

/** Options for {@linkcode loadEnvFile}. */
export interface LoadEnvFileOptions {
  /**
   * Whether a missing file is an error (the user named it) rather than nothing to load.
   * @default {false}
   */
  required?: boolean;
}

/**
 * Loads `NAME=value` lines (dotenv syntax, via `node:util` `parseEnv`) into the environment.
 * Variables that are already set keep their value, as with python-dotenv. Values of
 * secret-looking names (`*KEY*`, `*SECRET*`, `*TOKEN*`, `*PRIVATE*` …) are registered with
 * {@linkcode registerSecret} so that they are masked in every log line and error.
 *
 * @param path The env file.
 * @param options Whether the file must exist.
 * @returns The names of the variables this call set.
 * @throws {UsageError} If the file is required and does not exist.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadEnvFile } from "./cli.ts";
 *
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "PERP_DOC_EXAMPLE=1\n");
 * assert.deepEqual(loadEnvFile(path), ["PERP_DOC_EXAMPLE"]);
 * assert.equal(Deno.env.get("PERP_DOC_EXAMPLE"), "1");
 * assert.deepEqual(loadEnvFile(`${path}.missing`), []);
 * Deno.env.delete("PERP_DOC_EXAMPLE");
 * await Deno.remove(path);
 * ```
 */
export function loadEnvFile(path: string, options: LoadEnvFileOptions = {}): string[] {
  let content: string;
  try {
    content = Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      if (options.required) throw new UsageError(`--env-file ${quote(path)} does not exist`);
      return [];
    }
    throw error;
  }
  const set: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(content))) {
    if (value === undefined) continue;
    if (Deno.env.get(name) === undefined) {
      Deno.env.set(name, value);
      set.push(name);
    }
    if (SECRET_ENV_NAME_RE.test(name)) registerSecret(Deno.env.get(name));
  }
  return set;
}

// ---------------------------------------------------------------------------------------------
// funding

/** Where the funding service stores rates. */
export type DatabaseTarget =
  | { kind: "sqlite"; path: string }
  | { kind: "postgres"; url: string };

/** Validated `perp funding` arguments. */
export interface FundingConfig {
  /** `serve`: collect on a schedule and serve the HTTP API; `once`: collect, store, print. */
  mode: "serve" | "once";
  /** Seconds between collections in `serve` mode. */
  interval: number;
  /** Venues to collect from, without duplicates. */
  exchanges: ExchangeName[];
  /** Endpoints to use. */
  network: Network;
  /** The store. */
  database: DatabaseTarget;
  /** Print the `--once` result as JSON instead of a table. */
  json: boolean;
  /** HTTP port of the API in `serve` mode (0 = any free port). */
  port: number;
  /** Address `serve` listens on. @default {"127.0.0.1"} */
  host?: string;
  /** Bearer token `serve` requires (from `--token` or `FUNDING_API_TOKEN`). */
  token?: string;
  /** Holding period in hours used to rank opportunities (decimal string). */
  holdHours: string;
  /** With `--network sim`: env file of a running `deno task sim` to collect from. */
  simEnv?: string;
  /** `serve`: status servers of running bots to list on the Bots page (`--bot`). */
  bots?: string[];
  /** Log level from `--log-level`; absent means env / default. */
  logLevel?: LogLevel;
}

/** Default SQLite file of the funding service (real networks). */
export const DEFAULT_FUNDING_DB = "data/funding.db";
/** Default SQLite file of `--network sim`: simulated rates never share the real file. */
export const DEFAULT_FUNDING_SIM_DB = "data/funding-sim.db";

/**
 * The flags of `perp funding`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FUNDING_FLAGS } from "./cli.ts";
 *
 * assert.ok(FUNDING_FLAGS.some((f) => f.name === "once"));
 * ```
 */
export const FUNDING_FLAGS: readonly FlagSpec[] = Object.freeze(
  [
    {
      name: "once",
      type: "boolean",
      description: "Collect every venue's funding rates once, store them, print and exit.",
    },
    {
      name: "interval",
      type: "string",
      value: "<seconds>",
      description: "Seconds between collections in serve mode.",
      default: "60",
    },
    {
      name: "exchanges",
      type: "string",
      value: "<list>",
      description: `Comma-separated venues to collect from, a subset of ${EXCHANGES.join(",")}.`,
      default: EXCHANGES.join(","),
    },
    {
      name: "network",
      type: "string",
      value: "<name>",
      description: `${NETWORKS.join(", ")}; sim runs the local venue replicas in-process ` +
        "(or reads running ones with --sim-env). Host variables such as LIGHTER_REST_URL, " +
        "GRVT_MARKET_DATA_URL or EDGEX_REST_URL point any network elsewhere.",
      default: "mainnet",
    },
    {
      name: "sim-env",
      type: "string",
      value: "<path>",
      description: "With --network sim: the env file of a running `deno task sim --env-file " +
        "<path>`; collect from those replicas.",
    },
    {
      name: "db",
      type: "string",
      value: "<path|url>",
      description: "SQLite file path, or a postgres:// URL. Rows carry their network and " +
        "each run reads only its own network's rows, so one store never mixes sim and real data.",
      default:
        `env DATABASE_URL, else ${DEFAULT_FUNDING_DB} (${DEFAULT_FUNDING_SIM_DB} with --network sim)`,
    },
    {
      name: "json",
      type: "boolean",
      description: "With --once, print the result as JSON.",
    },
    {
      name: "port",
      type: "string",
      value: "<port>",
      description: "HTTP port of the API and dashboard in serve mode; 0 picks a free port.",
      default: "8000",
    },
    {
      name: "host",
      type: "string",
      value: "<address>",
      description: "Address to listen on in serve mode. Anything but loopback needs --token.",
      default: "127.0.0.1",
    },
    {
      name: "token",
      type: "string",
      value: "<secret>",
      description: "Bearer token every request must carry in serve mode (or FUNDING_API_TOKEN).",
    },
    {
      name: "bot",
      type: "string",
      value: "<url,…>",
      description: "serve: comma-separated status servers of running bots (each started with " +
        "--status-port), listed live on the Bots page, e.g. http://127.0.0.1:8101.",
    },
    {
      name: "hold-hours",
      type: "string",
      value: "<hours>",
      description: "Holding period in hours used to rank opportunities (fees amortised over it).",
      default: "24",
    },
    LOG_LEVEL_FLAG,
  ] satisfies FlagSpec[],
);

const DB_MESSAGE = "must be a SQLite file path or a postgres:// URL";

const databaseSchema: z.ZodType<DatabaseTarget> = text(DB_MESSAGE)
  .transform((s, ctx): DatabaseTarget => {
    const value = s.trim();
    if (/^postgres(ql)?:\/\//i.test(value)) {
      let url: URL | undefined;
      try {
        url = new URL(value);
      } catch {
        url = undefined;
      }
      if (!url || url.hostname === "") {
        ctx.issues.push({ code: "custom", input: s, message: DB_MESSAGE });
        return z.NEVER;
      }
      if (url.password) registerSecret(decodeURIComponent(url.password));
      return { kind: "postgres", url: value };
    }
    if (value === "" || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
      ctx.issues.push({ code: "custom", input: s, message: DB_MESSAGE });
      return z.NEVER;
    }
    return { kind: "sqlite", path: value };
  });

const BOT_MESSAGE = "must be http:// addresses such as http://127.0.0.1:8101";

const fundingSchema = z.object({
  once: z.boolean().default(false),
  interval: whole("must be a positive whole number of seconds such as 60", (n) => n > 0)
    .default(60),
  exchanges: venueList().default([...EXCHANGES]),
  network: oneOf(NETWORKS).default("mainnet"),
  db: databaseSchema.optional(),
  json: z.boolean().default(false),
  port: portSchema("8000"),
  host: text("must be an address such as 127.0.0.1").min(1, {
    error: "must be an address such as 127.0.0.1",
  }).optional(),
  token: text("must be a non-empty secret").min(1, { error: "must be a non-empty secret" })
    .optional(),
  "hold-hours": positiveDecimal("must be a positive decimal number of hours such as 24")
    .default("24"),
  "sim-env": text("must be a file path").min(1, { error: "must be a file path" }).optional(),
  bot: text(BOT_MESSAGE).transform((s, ctx) => {
    const list = s.split(",").map((x) => x.trim()).filter((x) => x !== "");
    for (const item of list) {
      let url: URL | undefined;
      try {
        url = new URL(item);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
        ctx.issues.push({ code: "custom", input: item, message: BOT_MESSAGE });
        return z.NEVER;
      }
      const secret = url.password || url.username;
      if (secret) registerSecret(decodeURIComponent(secret));
    }
    if (list.length === 0) {
      ctx.issues.push({ code: "custom", input: s, message: BOT_MESSAGE });
      return z.NEVER;
    }
    return list;
  }).optional(),
  "log-level": logLevelSchema,
});

/**
 * Parses and validates the arguments of `perp funding` (everything after `funding`).
 * Exactly one mode is needed: the positional `serve`, or `--once`.
 *
 * @param args The arguments, e.g. `["--once", "--exchanges", "grvt,edgex"]`.
 * @param options Where `DATABASE_URL` is read from.
 * @returns The validated configuration with defaults filled in.
 * @throws {UsageError} On an unknown flag, a missing or doubled mode, `--json` with `serve`,
 *   or a malformed value; the message is one line naming the flag.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFundingArgs } from "./cli.ts";
 *
 * const config = parseFundingArgs(["--once", "--exchanges", "grvt,edgex"], {
 *   env: () => undefined,
 * });
 * assert.equal(config.mode, "once");
 * assert.deepEqual(config.exchanges, ["grvt", "edgex"]);
 * assert.deepEqual(config.database, { kind: "sqlite", path: "data/funding.db" });
 * ```
 */
export function parseFundingArgs(
  args: readonly string[],
  options: ParseOptions = {},
): FundingConfig {
  const raw = parseRaw("funding", args, FUNDING_FLAGS, true);
  const v = validate(fundingSchema, raw.values);
  const [first, ...extra] = raw.positionals;
  if (first !== undefined && first !== "serve") {
    throw new UsageError(
      `unknown mode ${quote(first)} for perp funding (expected "serve" or --once)`,
    );
  }
  if (extra.length > 0) {
    throw new UsageError(`unexpected argument ${quote(extra[0])} for perp funding`);
  }
  if (first === "serve" && v.once) {
    throw new UsageError('perp funding takes one mode: "serve" or --once, not both');
  }
  if (first === undefined && !v.once) {
    throw new UsageError(
      'perp funding needs a mode: "serve" (schedule + HTTP API) or --once (collect and print)',
    );
  }
  if (first === "serve" && v.json) {
    throw new UsageError("--json only applies with --once");
  }
  if (v["sim-env"] !== undefined && v.network !== "sim") {
    throw new UsageError("--sim-env needs --network sim");
  }
  if (first !== "serve" && (v.host !== undefined || v.token !== undefined)) {
    throw new UsageError("--host and --token only apply to serve");
  }
  if (first !== "serve" && v.bot !== undefined) {
    throw new UsageError("--bot only applies to serve");
  }
  const envToken = (options.env ?? denoEnv)("FUNDING_API_TOKEN");
  const token = v.token ?? (envToken !== undefined && envToken !== "" ? envToken : undefined);
  if (token !== undefined) registerSecret(token);
  let database = v.db;
  if (database === undefined) {
    const fromEnv = (options.env ?? denoEnv)("DATABASE_URL");
    if (fromEnv !== undefined && fromEnv.trim() !== "") {
      const parsed = databaseSchema.safeParse(fromEnv);
      if (!parsed.success) {
        throw new UsageError(`DATABASE_URL ${DB_MESSAGE} (got ${quote(fromEnv)})`);
      }
      database = parsed.data;
    } else {
      database = {
        kind: "sqlite",
        path: v.network === "sim" ? DEFAULT_FUNDING_SIM_DB : DEFAULT_FUNDING_DB,
      };
    }
  }
  return {
    mode: v.once ? "once" : "serve",
    interval: v.interval,
    exchanges: v.exchanges,
    network: v.network,
    database,
    json: v.json,
    port: v.port,
    ...(v.host !== undefined ? { host: v.host } : {}),
    ...(first === "serve" && token !== undefined ? { token } : {}),
    holdHours: v["hold-hours"],
    ...(v["sim-env"] !== undefined ? { simEnv: v["sim-env"] } : {}),
    ...(v.bot !== undefined ? { bots: v.bot } : {}),
    logLevel: v["log-level"],
  };
}

function describeFunding(c: FundingConfig): string {
  const mode = c.mode === "serve" ? "serve " : "";
  return mode + flagLine([
    ["once", c.mode === "once"],
    ["interval", c.mode === "serve" ? c.interval : undefined],
    ["exchanges", c.exchanges.join(",")],
    ["network", c.network],
    ["db", c.database.kind === "sqlite" ? c.database.path : c.database.url],
    ["json", c.json],
    ["port", c.mode === "serve" ? c.port : undefined],
    ["host", c.host],
    ["token", c.token === undefined ? undefined : "[REDACTED]"],
    ["hold-hours", c.holdHours],
    ["sim-env", c.simEnv],
    ["bot", c.bots?.map((b) => new URL(b).origin).join(",")],
    ["log-level", c.logLevel],
  ]);
}

// ---------------------------------------------------------------------------------------------
// sim

/** Validated `perp sim` arguments. */
export interface SimConfig {
  /** Venue replicas to start, without duplicates. */
  venues: ExchangeName[];
  /** Seed of the price path, background liquidity and funding. */
  seed: number;
  /** Base port (Lighter on it, GRVT and EdgeX above it); 0 = free ports. */
  port: number;
  /** Unified symbols to list; absent = every simulated market. */
  markets?: string[];
  /** File to write the URLs and test credentials to (`NAME=value`). */
  envFile?: string;
  /** Print one JSON object on stdout (text on stderr). */
  json: boolean;
  /** Log level from `--log-level`; absent means env / default. */
  logLevel?: LogLevel;
}

/**
 * The flags of `perp sim`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SIM_FLAGS } from "./cli.ts";
 *
 * assert.ok(SIM_FLAGS.some((f) => f.name === "seed"));
 * ```
 */
export const SIM_FLAGS: readonly FlagSpec[] = Object.freeze(
  [
    {
      name: "venues",
      type: "string",
      value: "<list>",
      description: `Comma-separated replicas to start, a subset of ${EXCHANGES.join(",")}.`,
      default: EXCHANGES.join(","),
    },
    {
      name: "seed",
      type: "string",
      value: "<n>",
      description: "Seed of the simulated prices, liquidity and funding (same seed, same market).",
      default: "1",
    },
    {
      name: "port",
      type: "string",
      value: "<port>",
      description: "Base of fixed loopback ports: lighter <port>, grvt <port>+1 (market data; " +
        "edge <port>+3, trades <port>+4, control <port>+5), edgex <port>+2. 0 picks free ports.",
      default: "0",
    },
    {
      name: "markets",
      type: "string",
      value: "<list>",
      description: "Comma-separated unified symbols to list (e.g. BTC,ETH,1000PEPE); each " +
        "venue lists those it has.",
      default: "every simulated market (14 per venue)",
    },
    {
      name: "env-file",
      type: "string",
      value: "<path>",
      description: "Write every replica's URLs and test credentials to this file (removed on " +
        "exit), for bot / funding --network sim --sim-env <path>.",
    },
    {
      name: "json",
      type: "boolean",
      description: "Print the URLs and credentials as one JSON object on stdout.",
    },
    LOG_LEVEL_FLAG,
  ] satisfies FlagSpec[],
);

const simSchema = z.object({
  venues: venueList().default([...EXCHANGES]),
  seed: whole("must be a whole number such as 1").default(1),
  port: portSchema("0").refine((n) => n === 0 || n <= 65530, {
    error: "must leave room for five more ports (at most 65530)",
  }),
  markets: text("must be a comma-separated list of symbols such as BTC,ETH,1000PEPE")
    .transform((s) => s.split(",").map((m) => m.trim().toUpperCase()).filter((m) => m !== ""))
    .refine((list) => list.length > 0 && list.every((m) => /^[A-Z0-9]{1,20}$/.test(m)), {
      error: "must be a comma-separated list of symbols such as BTC,ETH,1000PEPE",
    })
    .optional(),
  "env-file": text("must be a file path").min(1, { error: "must be a file path" }).optional(),
  json: z.boolean().default(false),
  "log-level": logLevelSchema,
});

/**
 * Parses and validates the arguments of `perp sim` (everything after `sim`).
 *
 * @param args The arguments, e.g. `["--venues", "grvt", "--seed", "7"]`.
 * @returns The validated configuration with defaults filled in.
 * @throws {UsageError} On an unknown flag or a malformed value; one line naming the flag.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSimArgs } from "./cli.ts";
 *
 * assert.deepEqual(parseSimArgs(["--seed", "7", "--port", "9100"]), {
 *   venues: ["lighter", "grvt", "edgex", "hyperliquid"],
 *   seed: 7,
 *   port: 9100,
 *   json: false,
 *   logLevel: undefined,
 * });
 * ```
 */
export function parseSimArgs(args: readonly string[]): SimConfig {
  const raw = parseRaw("sim", args, SIM_FLAGS, false);
  const v = validate(simSchema, raw.values);
  return {
    venues: v.venues,
    seed: v.seed,
    port: v.port,
    ...(v.markets ? { markets: [...new Set(v.markets)] } : {}),
    ...(v["env-file"] !== undefined ? { envFile: v["env-file"] } : {}),
    json: v.json,
    logLevel: v["log-level"],
  };
}

function describeSim(c: SimConfig): string {
  return flagLine([
    ["venues", c.venues.join(",")],
    ["seed", c.seed],
    ["port", c.port || undefined],
    ["markets", c.markets?.join(",")],
    ["env-file", c.envFile],
    ["json", c.json],
    ["log-level", c.logLevel],
  ]);
}

// ---------------------------------------------------------------------------------------------
// doctor

/** Validated `perp doctor` arguments. */
export interface DoctorConfig {
  /** Venue to check. */
  exchange: ExchangeName;
  /** Endpoints: the real venue, or a replica (`sim`). */
  network: Network;
  /** Market for the markets check and the test order, upper-cased. */
  ticker: string;
  /** Place one minimum-size post-only order far from the market and cancel it. */
  placeTestOrder: boolean;
  /** Path of the env file with the credentials. */
  envFile: string;
  /** Whether `--env-file` was given, in which case the file must exist. */
  envFileRequired: boolean;
  /** With `--network sim`: env file of a running `deno task sim` to check. */
  simEnv?: string;
  /** Log level from `--log-level`; absent means env / default. */
  logLevel?: LogLevel;
}

/**
 * The flags of `perp doctor`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DOCTOR_FLAGS } from "./cli.ts";
 *
 * assert.ok(DOCTOR_FLAGS.some((f) => f.name === "place-test-order"));
 * ```
 */
export const DOCTOR_FLAGS: readonly FlagSpec[] = Object.freeze(
  [
    {
      name: "exchange",
      type: "string",
      value: "<venue>",
      description: `Venue to check: ${EXCHANGES.join(", ")}. Required.`,
    },
    {
      name: "network",
      type: "string",
      value: "<name>",
      description: `${NETWORKS.join(", ")}; sim checks a local replica (in-process, or the ` +
        "running one of --sim-env).",
      default: "mainnet",
    },
    {
      name: "ticker",
      type: "string",
      value: "<symbol>",
      description: "Market that must load, and that the test order uses.",
      default: "ETH",
    },
    {
      name: "place-test-order",
      type: "boolean",
      description: "Also place one minimum-size post-only buy at half the best bid (on the " +
        "tick), cancel it and confirm it is gone.",
    },
    {
      name: "env-file",
      type: "string",
      value: "<path>",
      description: "File of credentials (NAME=value lines); variables already set win.",
      default: ".env",
    },
    {
      name: "sim-env",
      type: "string",
      value: "<path>",
      description: "With --network sim: the env file of a running `deno task sim --env-file " +
        "<path>`; check that replica.",
    },
    LOG_LEVEL_FLAG,
  ] satisfies FlagSpec[],
);

const doctorSchema = z.object({
  exchange: oneOf(EXCHANGES),
  network: oneOf(NETWORKS).default("mainnet"),
  ticker: text("must be a symbol of letters and digits such as ETH or 1000PEPE")
    .regex(/^[A-Za-z0-9]{1,20}$/, {
      error: "must be a symbol of letters and digits such as ETH or 1000PEPE",
    })
    .transform((s) => s.toUpperCase())
    .default("ETH"),
  "place-test-order": z.boolean().default(false),
  "env-file": text("must be a file path").min(1, { error: "must be a file path" }).optional(),
  "sim-env": text("must be a file path").min(1, { error: "must be a file path" }).optional(),
  "log-level": logLevelSchema,
});

/**
 * Parses and validates the arguments of `perp doctor` (everything after `doctor`).
 *
 * @param args The arguments, e.g. `["--exchange", "grvt", "--network", "testnet"]`.
 * @returns The validated configuration with defaults filled in.
 * @throws {UsageError} On an unknown flag, a missing `--exchange` or a malformed value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDoctorArgs } from "./cli.ts";
 *
 * assert.deepEqual(parseDoctorArgs(["--exchange", "lighter", "--place-test-order"]), {
 *   exchange: "lighter",
 *   network: "mainnet",
 *   ticker: "ETH",
 *   placeTestOrder: true,
 *   envFile: ".env",
 *   envFileRequired: false,
 *   logLevel: undefined,
 * });
 * ```
 */
export function parseDoctorArgs(args: readonly string[]): DoctorConfig {
  const raw = parseRaw("doctor", args, DOCTOR_FLAGS, false);
  const v = validate(doctorSchema, raw.values);
  if (v["sim-env"] !== undefined && v.network !== "sim") {
    throw new UsageError("--sim-env needs --network sim");
  }
  return {
    exchange: v.exchange,
    network: v.network,
    ticker: v.ticker,
    placeTestOrder: v["place-test-order"],
    envFile: v["env-file"] ?? ".env",
    envFileRequired: v["env-file"] !== undefined,
    ...(v["sim-env"] !== undefined ? { simEnv: v["sim-env"] } : {}),
    logLevel: v["log-level"],
  };
}

function describeDoctor(c: DoctorConfig): string {
  return flagLine([
    ["exchange", c.exchange],
    ["network", c.network],
    ["ticker", c.ticker],
    ["place-test-order", c.placeTestOrder],
    ["env-file", c.envFile],
    ["sim-env", c.simEnv],
    ["log-level", c.logLevel],
  ]);
}

async function runDoctorCommand(config: DoctorConfig, io: CliIO): Promise<number> {
  const [{ formatDoctorCheck, runDoctor }, { readSimEnvFile }] = await Promise.all([
    import("./strategies/doctor.ts"),
    import("./strategies/venue_clients.ts"),
  ]);
  const simEnv = config.simEnv === undefined ? undefined : readSimEnvFile(config.simEnv);
  const where = config.simEnv ? ` (${config.simEnv})` : "";
  io.stdout(`perp doctor: ${config.exchange} on ${config.network}${where}\n`);
  const report = await runDoctor(
    {
      venue: config.exchange,
      network: config.network,
      ticker: config.ticker,
      placeTestOrder: config.placeTestOrder,
      ...(simEnv ? { simEnv } : {}),
    },
    { onCheck: (check) => io.stdout(formatDoctorCheck(check) + "\n") },
  );
  const failed = report.checks.filter((c) => c.ok !== true).length;
  io.stdout(
    report.ok
      ? "All checks passed.\n"
      : `${failed} of ${report.checks.length} checks failed or were not run.\n`,
  );
  return report.ok ? ExitCode.Ok : ExitCode.Failure;
}

// ---------------------------------------------------------------------------------------------
// The subcommand table

/** What a subcommand's `run` gets besides its config. */
export interface RunContext {
  /** Where to write output. */
  io: CliIO;
}

/**
 * One subcommand: how to parse its arguments, how to describe them and how to run it.
 */
export interface Subcommand<T extends { logLevel?: LogLevel }> {
  /** One line for the top-level help. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  /**
   * The help of a mode named by a positional argument (`funding serve --help`); `undefined`
   * falls back to {@linkcode Subcommand.help}.
   */
  helpFor?(args: readonly string[]): string | undefined;
  /** Parses the arguments after the subcommand's name; throws {@linkcode UsageError}. */
  parse(args: readonly string[], options?: ParseOptions): T;
  /** Side effects that must happen before logging is set up (loading the env file). */
  prepare?(config: T): void;
  /** The validated configuration as flags, for logs and messages; secrets masked. */
  describe(config: T): string;
  /** Runs the subcommand and returns the exit code. */
  run(config: T, context: RunContext): Promise<number>;
}

/** The subcommands, by name. */
export interface Subcommands {
  /** Run a trading strategy on one venue. */
  readonly bot: Subcommand<BotConfig>;
  /** Collect funding rates; serve the API and dashboard. */
  readonly funding: Subcommand<FundingConfig>;
  /** Run the local venue replicas. */
  readonly sim: Subcommand<SimConfig>;
  /** Check a venue account before trading on it. */
  readonly doctor: Subcommand<DoctorConfig>;
}

/**
 * Every subcommand of `perp`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SUBCOMMANDS } from "./cli.ts";
 *
 * assert.deepEqual(Object.keys(SUBCOMMANDS), ["bot", "funding", "sim", "doctor"]);
 * assert.match(SUBCOMMANDS.bot.help, /0\.02 means\s+0\.02\s+%/);
 * ```
 */
export const SUBCOMMANDS: Subcommands = {
  bot: {
    summary: "run a trading strategy (the grid bot) on one venue",
    help: formatHelp(
      "bot",
      "run a trading strategy (the grid bot) on one venue",
      "deno task bot --exchange <venue> [flags]",
      BOT_FLAGS,
      [
        "deno task bot --exchange grvt --ticker BTC --quantity 0.01 --take-profit 0.02 " +
        "--direction buy",
        "deno task bot --exchange lighter --network sim --paper",
        "deno task bot --exchange grvt --network sim --sim-env .sim.env --ticker BTC",
        "deno task bot --strategy funding-arbitrage --venues lighter,grvt --network sim",
      ],
    ),
    parse: (args) => parseBotArgs(args),
    prepare: (config) => {
      loadEnvFile(config.envFile, { required: config.envFileRequired });
    },
    describe: describeBot,
    run: async (config, context) =>
      (await import("./strategies/bot.ts")).runBot(config, { io: context.io }),
  },
  funding: {
    summary: "collect funding rates (--once, or serve: schedule + HTTP API + dashboard)",
    help: formatHelp(
      "funding",
      "collect funding rates from every venue, store them, rank opportunities",
      "deno task funding (serve | --once) [flags]",
      FUNDING_FLAGS,
      [
        "deno task funding --once --json",
        "deno task funding serve --interval 60 --port 8000",
        "deno task funding --once --network sim --db postgres://user@localhost/funding",
        "deno task funding --once --network sim --sim-env .sim.env",
      ],
    ),
    helpFor: (args) => fundingModeHelp(args),
    parse: (args, options) => parseFundingArgs(args, options),
    describe: describeFunding,
    run: async (config, { io }) => (await import("./funding/run.ts")).runFundingCommand(config, io),
  },
  sim: {
    summary: "run local replicas of the venues (paper trading, no credentials)",
    help: formatHelp(
      "sim",
      "run local replicas of the venues (paper trading, no credentials)",
      "deno task sim [flags]",
      SIM_FLAGS,
      [
        "deno task sim",
        "deno task sim --venues grvt --seed 7",
        "deno task sim --port 9100 --env-file .sim.env",
      ],
    ),
    parse: (args) => parseSimArgs(args),
    describe: describeSim,
    run: async (config, { io }) =>
      (await import("./sim/serve.ts")).runSimCommand(
        {
          venues: config.venues,
          seed: config.seed,
          port: config.port,
          markets: config.markets,
          envFile: config.envFile,
          json: config.json,
        },
        { stdout: io.stdout, stderr: io.stderr },
      ),
  },
  doctor: {
    summary: "check a venue account before trading: variables, hosts, clock, login, markets",
    help: formatHelp(
      "doctor",
      "check a venue account before trading on it, one line per check (exit 0 when all pass)",
      "deno task doctor --exchange <venue> [flags]",
      DOCTOR_FLAGS,
      [
        "deno task doctor --exchange lighter",
        "deno task doctor --exchange grvt --network testnet --place-test-order",
        "deno task doctor --exchange edgex --network sim",
      ],
    ),
    parse: (args) => parseDoctorArgs(args),
    prepare: (config) => {
      if (config.network !== "sim" || config.envFileRequired) {
        loadEnvFile(config.envFile, { required: config.envFileRequired });
      }
    },
    describe: describeDoctor,
    run: (config, { io }) => runDoctorCommand(config, io),
  },
};

/** Flags of `perp funding` that only one mode reads. */
const FUNDING_MODE_ONLY: Readonly<Record<string, "serve" | "once">> = {
  once: "once",
  json: "once",
  interval: "serve",
  port: "serve",
  host: "serve",
  token: "serve",
};

/** `funding serve --help` and `funding --once --help`: the flags of that mode only. */
function fundingModeHelp(args: readonly string[]): string | undefined {
  const mode = args.includes("serve") ? "serve" : args.includes("--once") ? "once" : undefined;
  if (mode === undefined) return undefined;
  const flags = FUNDING_FLAGS.filter((f) => (FUNDING_MODE_ONLY[f.name] ?? mode) === mode);
  return mode === "serve"
    ? formatHelp(
      "funding serve",
      "collect funding rates on a schedule and serve the HTTP API and dashboard",
      "deno task funding serve [flags]",
      flags.filter((f) => f.name !== "once"),
      [
        "deno task funding serve",
        "deno task funding serve --interval 60 --port 8000",
        "deno task funding serve --host 0.0.0.0 --token <secret>",
      ],
    )
    : formatHelp(
      "funding --once",
      "collect every venue's funding rates once, store them, print and exit",
      "deno task funding --once [flags]",
      flags,
      ["deno task funding --once", "deno task funding --once --json --network sim"],
    );
}

/**
 * The top-level help listing the subcommands.
 *
 * @returns The help text, newline-terminated.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { topLevelHelp } from "./cli.ts";
 *
 * assert.match(topLevelHelp(), /funding/);
 * ```
 */
export function topLevelHelp(): string {
  const names = Object.keys(SUBCOMMANDS) as (keyof Subcommands)[];
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return [
    `perp ${VERSION}: grid bot, funding-rate service, account check and venue replicas for ` +
    "Lighter, GRVT and EdgeX",
    "",
    "Usage: perp <subcommand> [flags]             (installed with deno install, see README)",
    `       deno task <subcommand> [flags]        (in a checkout: ${names.join(" | ")})`,
    "",
    "Subcommands:",
    ...names.map((n) => `  ${n.padEnd(width)}${SUBCOMMANDS[n].summary}`),
    "",
    "Flags:",
    "  -h, --help     Show this help.",
    "  -V, --version  Print the version.",
    "",
    "Run `perp <subcommand> --help` (or `deno task <subcommand> --help`) for its flags.",
    "",
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------
// main

const encoder = new TextEncoder();

function writeAll(target: { writeSync(p: Uint8Array): number }, text: string): void {
  const bytes = encoder.encode(text);
  let offset = 0;
  while (offset < bytes.length) offset += target.writeSync(bytes.subarray(offset));
}

const PROCESS_IO: CliIO = {
  stdout: (t) => writeAll(Deno.stdout, t),
  stderr: (t) => writeAll(Deno.stderr, t),
};

function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === "--") return false;
    if (HELP_FLAGS.has(arg)) return true;
  }
  return false;
}

/**
 * What to do about an infrastructure error that reached the top level, by its kind; the
 * message itself names the object (path, address) where the runtime gives one.
 */
function infraHint(error: unknown, command: string | undefined): string {
  const cmd = command ?? "<subcommand>";
  if (error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable) {
    return `; the permissions deno was given do not cover it (deno task ${cmd} has fixed ` +
      `ones in deno.json): run deno run -A cli.ts ${cmd} … or widen them`;
  }
  if (error instanceof Deno.errors.AddrInUse) {
    return "; stop the process that listens there or pick another port";
  }
  if (error instanceof Deno.errors.ConnectionRefused) {
    return "; nothing listens there: start that service or fix its address";
  }
  return "";
}

function errorLine(error: unknown, command?: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split("\n")[0];
  const hint = first.includes("; ") ? "" : infraHint(error, command);
  return `error: ${redact(maskUrlPassword(first + hint))}\n`;
}

async function runSubcommand<T extends { logLevel?: LogLevel }>(
  command: Subcommand<T>,
  args: readonly string[],
  io: CliIO,
  name?: string,
): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout(command.helpFor?.(args) ?? command.help);
    return ExitCode.Ok;
  }
  let config: T;
  try {
    config = command.parse(args);
    command.prepare?.(config);
    await setupLogging({ level: config.logLevel, write: (line) => io.stderr(line) });
  } catch (error) {
    io.stderr(errorLine(error));
    return error instanceof UsageError || error instanceof RangeError
      ? ExitCode.Usage
      : ExitCode.Failure;
  }
  try {
    return await command.run(config, { io });
  } catch (error) {
    io.stderr(errorLine(error, name));
    return error instanceof UsageError ? ExitCode.Usage : ExitCode.Failure;
  } finally {
    await resetLogging();
  }
}

/**
 * Runs the command line in-process and returns the exit code; it never calls `Deno.exit`.
 * No arguments or `--help` prints the subcommands; `<subcommand> --help` prints its flags;
 * `--version` prints the package version.
 *
 * @param args The arguments after the program name, e.g. `["bot", "--exchange", "grvt"]`.
 * @param io Where to write; defaults to the process's stdout and stderr.
 * @returns The exit code: 0 success or help, 1 failure while running, 2 usage or
 *   configuration error, 3 a venue module that lacks the requested client.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./cli.ts";
 *
 * const out: string[] = [];
 * const err: string[] = [];
 * const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) };
 * assert.equal(await main(["sim", "--venues", "binance"], io), 2);
 * assert.match(err.join(""), /^error: --venues/);
 * ```
 */
export async function main(args: readonly string[], io: CliIO = PROCESS_IO): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || HELP_FLAGS.has(name)) {
    io.stdout(topLevelHelp());
    return ExitCode.Ok;
  }
  if (name === "help") {
    const topic = rest[0];
    if (topic !== undefined && Object.hasOwn(SUBCOMMANDS, topic)) {
      io.stdout(SUBCOMMANDS[topic as keyof Subcommands].help);
    } else {
      io.stdout(topLevelHelp());
    }
    return ExitCode.Ok;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    io.stdout(`perp ${VERSION}\n`);
    return ExitCode.Ok;
  }
  switch (name) {
    case "bot":
      return await runSubcommand(SUBCOMMANDS.bot, rest, io, name);
    case "funding":
      return await runSubcommand(SUBCOMMANDS.funding, rest, io, name);
    case "sim":
      return await runSubcommand(SUBCOMMANDS.sim, rest, io, name);
    case "doctor":
      return await runSubcommand(SUBCOMMANDS.doctor, rest, io, name);
    default: {
      const what = name.startsWith("-") ? "flag" : "subcommand";
      io.stderr(
        `error: unknown ${what} ${quote(name)}; expected a subcommand: ` +
          `${Object.keys(SUBCOMMANDS).join(", ")} (see perp --help)\n`,
      );
      return ExitCode.Usage;
    }
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
