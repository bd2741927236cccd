/**
 * Process plumbing for the restart tests: `perp sim` as a child process on fixed loopback ports,
 * `perp bot` as child processes attached to it (`--network sim --sim-env`), the replica's
 * control API (truth, counter-order fills), a background observer of the account's truth and the
 * grid truth checks computed from what the replica holds, never from the bot's bookkeeping.
 */
import { Decimal, type Side } from "../../base.ts";
import { deriveClientOrderId } from "../../exchanges/_shared/client_order_id.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;

/** The replicas the restart tests attach to. */
export type RestartVenue = "lighter" | "grvt" | "edgex" | "hyperliquid";

/** Env variable names and the engine's spelling of a ticker, per replica. */
export const VENUE_INFO: Record<
  RestartVenue,
  { prefix: string; account: string; engineSymbol: (ticker: string) => string }
> = {
  lighter: { prefix: "LIGHTER", account: "LIGHTER_ACCOUNT_INDEX", engineSymbol: (t) => t },
  grvt: {
    prefix: "GRVT",
    account: "GRVT_TRADING_ACCOUNT_ID",
    engineSymbol: (t) => `${t}_USDT_Perp`,
  },
  edgex: { prefix: "EDGEX", account: "EDGEX_ACCOUNT_ID", engineSymbol: (t) => t },
  hyperliquid: {
    prefix: "HYPERLIQUID",
    account: "HYPERLIQUID_ACCOUNT_ADDRESS",
    engineSymbol: (t) => t,
  },
};

/** An order as the control API writes it (sim/events.ts `OrderView`). */
export interface TruthOrder {
  id: string;
  clientOrderId: string;
  symbol: string;
  side: Side;
  size: string;
  filledSize: string;
  remainingSize: string;
  status: string;
  price?: string;
}

/** A fill as the control API writes it (sim/events.ts `FillView`). */
export interface TruthFill {
  tradeId: string;
  orderId: string;
  clientOrderId: string;
  symbol: string;
  side: Side;
  price: string;
  size: string;
}

/** `GET /_control/truth`. */
export interface Truth {
  positions: { symbol: string; size: string }[];
  openOrders: TruthOrder[];
  fills: TruthFill[];
}

/** A seeded PRNG (mulberry32): the same seed gives the same kill schedule and market actions. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A base port with the five above it free on 127.0.0.1. */
export function freeBasePort(): number {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const held: Deno.Listener[] = [];
    try {
      for (let p = base; p <= base + 5; p++) {
        held.push(Deno.listen({ hostname: "127.0.0.1", port: p }));
      }
      return base;
    } catch {
      // taken: try another base
    } finally {
      for (const l of held) l.close();
    }
  }
  throw new Error("no free port range");
}

/** A child process of the CLI with its output collected (so its pipes never fill up). */
export interface Child {
  process: Deno.ChildProcess;
  /** stdout and stderr so far. */
  text(): string;
  /** Sends a signal (if still running) and waits for the exit. */
  stop(signal: Deno.Signal): Promise<Deno.CommandStatus>;
}

/**
 * Starts `deno run -A cli.ts <args>` in `cwd`.
 *
 * @param args CLI arguments.
 * @param cwd Working directory (the bot writes `logs/` there).
 * @param env Extra environment variables.
 */
export function spawnCli(args: string[], cwd: string, env: Record<string, string> = {}): Child {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const read = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  };
  const done = Promise.all([read(process.stdout), read(process.stderr)]);
  return {
    process,
    text: () => text,
    stop: async (signal) => {
      try {
        process.kill(signal);
      } catch {
        // already exited
      }
      const status = await process.status;
      await done;
      return status;
    },
  };
}

/** Polls `probe` every 50 ms until it returns a value. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  log: () => string = () => "",
): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}\n${log()}`);
}

/** A real-time pause. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A replica running as `perp sim` in a child process. */
export interface SimProcess {
  /** The venue. */
  venue: RestartVenue;
  /** The base of its fixed ports (`--port`). */
  port: number;
  /** The env file the bots attach with. */
  envFile: string;
  /** Its variables. */
  vars: Record<string, string>;
  /** The replica's control API. */
  control: Control;
  /** The process. */
  child: Child;
}

/**
 * Starts one venue's replica as a process on fixed ports and waits for its env file.
 *
 * @param venue The replica.
 * @param dir Working directory (the env file goes there).
 * @param seed Seed of the simulated market.
 */
export async function startSimProcess(
  venue: RestartVenue,
  dir: string,
  seed: number,
): Promise<SimProcess> {
  const envFile = `${dir}/.sim.env`;
  const port = freeBasePort();
  const child = spawnCli([
    "sim",
    "--venues",
    venue,
    "--port",
    String(port),
    "--seed",
    String(seed),
    "--markets",
    "BTC,ETH",
    "--env-file",
    envFile,
  ], dir);
  const info = VENUE_INFO[venue];
  const text = await waitFor(
    "the env file",
    async () => {
      const t = await Deno.readTextFile(envFile);
      return t.includes(`${info.prefix}_CONTROL_URL=`) ? t : undefined;
    },
    60_000,
    child.text,
  ).catch(async (error) => {
    await child.stop("SIGKILL");
    throw error;
  });
  const vars = Object.fromEntries(
    text.split("\n").filter((l) => l.includes("=") && !l.startsWith("#")).map((l) => {
      const i = l.indexOf("=");
      return [l.slice(0, i), l.slice(i + 1)];
    }),
  );
  const control = new Control(vars[`${info.prefix}_CONTROL_URL`], vars[info.account]);
  return { venue, port, envFile, vars, control, child };
}

/** The replica's control API for the test account. */
export class Control {
  constructor(readonly url: string, readonly accountId: string) {}

  /** Positions, open orders and fills of the account. */
  async truth(): Promise<Truth> {
    const r = await fetch(`${this.url}/truth?accountId=${this.accountId}`);
    if (!r.ok) throw new Error(`control API /truth answered ${r.status}: ${await r.text()}`);
    return await r.json();
  }

  /**
   * Fills (part of) one resting order of the account with a counter-order at its price.
   *
   * @returns Whether the replica filled it (false when it was no longer resting).
   */
  async fill(clientOrderId: string, size?: string): Promise<boolean> {
    const r = await fetch(`${this.url}/fill`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ accountId: this.accountId, clientOrderId, size }),
    });
    await r.body?.cancel();
    return r.ok;
  }
}

/** One grid of the restart tests: a market and direction on the test account. */
export interface GridSpec {
  /** Ticker passed to the bot. */
  ticker: string;
  /** The engine's symbol. */
  symbol: string;
  /** Open side. */
  direction: Side;
  /** `--quantity`. */
  quantity: string;
  /** The bot's id prefix (`<exchange>/<ACCOUNT_NAME>/<ticker>/<direction>`, strategies/bot.ts). */
  idPrefix: string;
}

/**
 * Watches the account's truth in the background (every `everyMs`): every client order id with
 * the engine order ids it was seen under (open orders and fills), and the most resting opens
 * per grid seen at once.
 */
export class TruthObserver {
  readonly idsByClientId = new Map<string, Set<string>>();
  readonly maxRestingOpens = new Map<string, number>();
  /** Client ids of every open order seen (resting or filled). */
  readonly openIds = new Set<string>();
  polls = 0;
  #running = false;
  #loop: Promise<void> = Promise.resolve();

  constructor(readonly grids: readonly GridSpec[]) {}

  /** Polls the control API's truth every `everyMs` until {@linkcode close}. */
  watch(control: Control, everyMs = 100): this {
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running) {
        try {
          this.record(await control.truth());
        } catch {
          // the replica is busy or going away: next poll
        }
        await sleep(everyMs);
      }
    })();
    return this;
  }

  /** Adds one reading. */
  record(t: Truth): void {
    this.polls++;
    const see = (cid: string, id: string) => {
      let ids = this.idsByClientId.get(cid);
      if (!ids) this.idsByClientId.set(cid, ids = new Set());
      ids.add(id);
    };
    for (const o of t.openOrders) see(o.clientOrderId, o.id);
    for (const f of t.fills) see(f.clientOrderId, f.orderId);
    for (const o of [...t.openOrders, ...t.fills]) {
      if (this.grids.some((g) => g.symbol === o.symbol && g.direction === o.side)) {
        this.openIds.add(o.clientOrderId);
      }
    }
    for (const g of this.grids) {
      const n = t.openOrders.filter((o) => o.symbol === g.symbol && o.side === g.direction).length;
      const key = gridKey(g);
      this.maxRestingOpens.set(key, Math.max(this.maxRestingOpens.get(key) ?? 0, n));
    }
  }

  /** How many opens were seen. */
  get opens(): number {
    return this.openIds.size;
  }

  /** Stops polling. */
  async close(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }
}

/** `ticker/direction`. */
export function gridKey(g: GridSpec): string {
  return `${g.ticker}/${g.direction}`;
}

/** What the replica holds for one grid, read from one truth. */
export interface GridState {
  /** Filled size per open client id (from the fills). */
  filledOpens: Map<string, Decimal>;
  /** Accepted take-profits (resting or with fills): client id → size. */
  closes: Map<string, Decimal>;
  /** Resting opens. */
  restingOpens: TruthOrder[];
  /** Filled opens without any accepted take-profit under their close ids. */
  unhedgedOpens: string[];
  /** Position, signed so that the grid's open side is positive. */
  position: Decimal;
  /** Σ remaining size of the resting take-profits. */
  restingCloses: Decimal;
  /** Take-profits per filled open (under its close ids). */
  closesPerOpen: Map<string, string[]>;
}

const MAX_CLOSE_ATTEMPTS = 15;

/** Reads one grid's state out of a truth. */
export function gridState(venue: RestartVenue, g: GridSpec, t: Truth): GridState {
  const closeSide: Side = g.direction === "buy" ? "sell" : "buy";
  const filledOpens = new Map<string, Decimal>();
  const closeFills = new Map<string, Decimal>();
  for (const f of t.fills) {
    if (f.symbol !== g.symbol) continue;
    const into = f.side === g.direction ? filledOpens : closeFills;
    into.set(f.clientOrderId, (into.get(f.clientOrderId) ?? new Decimal(0)).plus(f.size));
  }
  const closes = new Map(closeFills);
  const mine = t.openOrders.filter((o) => o.symbol === g.symbol);
  for (const o of mine) if (o.side === closeSide) closes.set(o.clientOrderId, new Decimal(o.size));
  const restingOpens = mine.filter((o) => o.side === g.direction);
  // An open still resting may fill more: its take-profit is due only once it is done.
  const resting = new Set(restingOpens.map((o) => o.clientOrderId));
  const closesPerOpen = new Map<string, string[]>();
  const unhedgedOpens: string[] = [];
  for (const cid of filledOpens.keys()) {
    if (resting.has(cid)) continue;
    const ids = new Set<string>();
    for (let n = 0; n < MAX_CLOSE_ATTEMPTS; n++) {
      ids.add(deriveClientOrderId(venue, `${g.idPrefix}/close/${cid}/${n}`));
    }
    const found = [...closes.keys()].filter((c) => ids.has(c));
    closesPerOpen.set(cid, found);
    if (found.length === 0) unhedgedOpens.push(cid);
  }
  const pos = new Decimal(t.positions.find((p) => p.symbol === g.symbol)?.size ?? "0");
  const restingCloses = mine.filter((o) => o.side === closeSide)
    .reduce((s, o) => s.plus(o.remainingSize), new Decimal(0));
  return {
    filledOpens,
    closes,
    restingOpens,
    unhedgedOpens,
    position: g.direction === "buy" ? pos : pos.neg(),
    restingCloses,
    closesPerOpen,
  };
}

/** The truth checks of one grid; every field must be 0. */
export interface Violations {
  /** Client ids seen under more than one engine order. */
  duplicateClientIds: number;
  /** Resting opens beyond one, at the worst moment observed. */
  restingOpensAboveOne: number;
  /** Opens still resting after the final graceful stop with `--cancel-on-exit`. */
  restingOpensAtEnd: number;
  /** Filled opens with no take-profit. */
  filledOpenWithoutClose: number;
  /** Filled opens with more than one take-profit. */
  filledOpenWithSeveralCloses: number;
  /** Take-profits whose size is not their open's filled size. */
  closeSizeNotFilled: number;
  /** Take-profits not traceable to a filled open, by count and by sizes (independent of ids). */
  closesNotMatchingOpens: number;
  /** position − Σ resting take-profits ≠ 0. */
  positionMinusCloses: number;
}

/**
 * The truth checks of one grid at the end of a run.
 *
 * @param venue Replica (for the id rule).
 * @param g The grid.
 * @param t The final truth.
 * @param observer The background observer of the whole run.
 */
export function truthChecks(
  venue: RestartVenue,
  g: GridSpec,
  t: Truth,
  observer: TruthObserver,
): Violations {
  const s = gridState(venue, g, t);
  const v: Violations = {
    duplicateClientIds: 0,
    restingOpensAboveOne: Math.max(0, (observer.maxRestingOpens.get(gridKey(g)) ?? 0) - 1),
    restingOpensAtEnd: s.restingOpens.length,
    filledOpenWithoutClose: s.unhedgedOpens.length,
    filledOpenWithSeveralCloses: 0,
    closeSizeNotFilled: 0,
    closesNotMatchingOpens: 0,
    positionMinusCloses: s.position.eq(s.restingCloses) ? 0 : 1,
  };
  observer.record(t);
  const mine = new Set([...s.filledOpens.keys(), ...s.closes.keys()]);
  for (const [cid, ids] of observer.idsByClientId) {
    if (mine.has(cid) && ids.size > 1) v.duplicateClientIds++;
  }
  for (const [open, closes] of s.closesPerOpen) {
    if (closes.length > 1) v.filledOpenWithSeveralCloses++;
    if (closes.length === 1 && !s.closes.get(closes[0])!.eq(s.filledOpens.get(open)!)) {
      v.closeSizeNotFilled++;
    }
  }
  // Without the id rule: as many take-profits as filled opens, with the same sizes.
  const sizes = (m: Map<string, Decimal>) => [...m.values()].map((d) => d.toString()).sort();
  const opens = new Map([...s.filledOpens].filter(([cid]) => s.closesPerOpen.has(cid)));
  if (JSON.stringify(sizes(opens)) !== JSON.stringify(sizes(s.closes))) {
    v.closesNotMatchingOpens = Math.max(1, Math.abs(opens.size - s.closes.size));
  }
  return v;
}

/** Every check at 0. */
export const NO_VIOLATIONS: Violations = Object.freeze({
  duplicateClientIds: 0,
  restingOpensAboveOne: 0,
  restingOpensAtEnd: 0,
  filledOpenWithoutClose: 0,
  filledOpenWithSeveralCloses: 0,
  closeSizeNotFilled: 0,
  closesNotMatchingOpens: 0,
  positionMinusCloses: 0,
});

/** `perp bot` arguments for one grid on an attached replica. */
export function botArgs(
  venue: RestartVenue,
  envFile: string,
  g: GridSpec,
  extra: string[] = [],
): string[] {
  return [
    "bot",
    "--exchange",
    venue,
    "--network",
    "sim",
    "--sim-env",
    envFile,
    "--ticker",
    g.ticker,
    "--quantity",
    g.quantity,
    "--take-profit",
    // Above EdgeX's maker round trip (0.03 %), which the bot refuses to trade under.
    "0.05",
    "--direction",
    g.direction,
    "--wait-time",
    "1",
    "--max-orders",
    "40",
    ...extra,
  ];
}
