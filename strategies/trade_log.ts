/**
 * The bots' append-only trade log: one CSV schema for every strategy, one row per order
 * transition that matters (placed, filled, canceled, expired, rejected …) and one per fill
 * (with its fee and the realized PnL it booked), timestamps in UTC.
 *
 * Columns ({@linkcode TRADE_LOG_HEADER}):
 *
 * | column | meaning |
 * |---|---|
 * | `timestamp_utc` | ISO-8601 UTC time of the row |
 * | `run_id` | the process run that wrote it ({@linkcode newRunId}: start time + random) |
 * | `network` | `mainnet`, `testnet`, `sim` or `paper` (paper / dry-run rows never share a file with real or simulated orders) |
 * | `strategy` | `grid`, `funding-arbitrage` … |
 * | `venue`, `symbol` | where |
 * | `client_order_id`, `order_id` | the order (the venue id once known) |
 * | `kind` | `open`, `close`, `repair`, `hedge`, `rollback` … |
 * | `side`, `size`, `price` | the order's side; size placed, or filled (filled / partial rows), or the fill's size; limit price or the fill's price |
 * | `status` | `placed`, `filled`, `canceled`, `expired`, `rejected`, `canceled_partial`, `fill`, `fill_from_order` … |
 * | `fee` | fee of a fill row (negative = rebate), empty otherwise; on `fill_from_order` (a fill the private stream missed, booked from the order's filled size and average price — its fill event, if it comes later, adds no row) the fee estimated from the venue's rate |
 * | `realized_pnl` | realized PnL a fill row booked (average-entry method, before fees), empty otherwise |
 *
 * Two processes appending to the same file are told apart by `run_id`; the second one is
 * warned ({@linkcode TradeLog.lockedBy}) through a `<file>.lock` that holds the writer's pid
 * (a lock left by a process that no longer runs is taken over).
 *
 * @module
 */
import type { Decimal, Side } from "../base.ts";

/** CSV header of the trade log. */
export const TRADE_LOG_HEADER: string =
  "timestamp_utc,run_id,network,strategy,venue,symbol,client_order_id,order_id,kind,side," +
  "size,price,status,fee,realized_pnl";

/**
 * The network column: where the orders went. `paper` = simulated fills against a real or
 * simulated book (nothing sent).
 *
 * @example
 * ```ts
 * import type { TradeNetwork } from "./trade_log.ts";
 * const n: TradeNetwork = "sim";
 * ```
 */
export type TradeNetwork = "mainnet" | "testnet" | "sim" | "paper";

/**
 * One row of the trade log. `runId`, `network`, `strategy`, `venue` and `symbol` default to
 * the log's own (given to its constructor); a strategy trading several venues passes `venue`
 * per row.
 *
 * @example
 * ```ts
 * import type { TradeRecord } from "./trade_log.ts";
 * const r: TradeRecord = {
 *   timestamp: Date.UTC(2026, 0, 1),
 *   orderId: "17",
 *   clientOrderId: "9223372036854775900",
 *   side: "buy",
 *   kind: "open",
 *   size: "0.01",
 *   price: "64000.1",
 *   status: "filled",
 * };
 * ```
 */
export interface TradeRecord {
  /** When, ms since epoch (written as ISO-8601 UTC). */
  timestamp: number;
  /** Venue order id, when known. */
  orderId: string | undefined;
  /** Client order id. */
  clientOrderId: string;
  /** Side. */
  side: Side;
  /** `open` (entry), `close` (take-profit / exit), `repair`, `hedge`, `rollback` … */
  kind: string;
  /** Size: the order size when placed, the filled size when filled or canceled. */
  size: Decimal | string;
  /** Limit price (fill rows: the fill's price). */
  price: Decimal | string | undefined;
  /** `placed`, `filled`, `partially_filled`, `canceled`, `expired`, `fill` … */
  status: string;
  /** Fee of a fill (negative = rebate). */
  fee?: Decimal | string;
  /** Realized PnL booked by a fill, before fees. */
  realizedPnl?: Decimal | string;
  /** Venue. @default {the log's venue} */
  venue?: string;
  /** Symbol. @default {the log's symbol} */
  symbol?: string;
  /** Run id. @default {the log's run id} */
  runId?: string;
  /** Network. @default {the log's network} */
  network?: string;
  /** Strategy. @default {the log's strategy} */
  strategy?: string;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * Formats one row (no newline), quoting fields that need it.
 *
 * @param record The row; its `runId`, `network`, `strategy`, `venue`, `symbol` are written as
 *   given (empty when absent).
 * @returns The CSV line.
 *
 * @example
 * ```ts
 * import { formatTradeRecord } from "./trade_log.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * equal(
 *   formatTradeRecord({
 *     timestamp: 0,
 *     runId: "19700101T000000Z-abc123",
 *     network: "sim",
 *     strategy: "grid",
 *     venue: "grvt",
 *     symbol: "BTC",
 *     orderId: undefined,
 *     clientOrderId: "a,b",
 *     side: "sell",
 *     kind: "close",
 *     size: "1",
 *     price: "2.5",
 *     status: "fill",
 *     fee: "-0.00025",
 *     realizedPnl: "0.5",
 *   }),
 *   '1970-01-01T00:00:00.000Z,19700101T000000Z-abc123,sim,grid,grvt,BTC,"a,b",,close,sell,1,' +
 *     "2.5,fill,-0.00025,0.5",
 * );
 * ```
 */
export function formatTradeRecord(record: TradeRecord): string {
  return [
    new Date(record.timestamp).toISOString(),
    record.runId ?? "",
    record.network ?? "",
    record.strategy ?? "",
    record.venue ?? "",
    record.symbol ?? "",
    record.clientOrderId,
    record.orderId ?? "",
    record.kind,
    record.side,
    record.size.toString(),
    record.price?.toString() ?? "",
    record.status,
    record.fee?.toString() ?? "",
    record.realizedPnl?.toString() ?? "",
  ].map(csvField).join(",");
}

/**
 * A run id: the start time (UTC, to the second) and 6 random hex digits, unique per process
 * start.
 *
 * @param now Start time, ms since epoch. @default {Date.now()}
 * @returns E.g. `20260101T000000Z-3fa9c1`.
 *
 * @example
 * ```ts
 * import { newRunId } from "./trade_log.ts";
 * import { match, notStrictEqual } from "node:assert/strict";
 *
 * match(newRunId(Date.UTC(2026, 0, 2, 3, 4, 5)), /^20260102T030405Z-[0-9a-f]{6}$/);
 * notStrictEqual(newRunId(0), newRunId(0));
 * ```
 */
export function newRunId(now: number = Date.now()): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const bytes = crypto.getRandomValues(new Uint8Array(3));
  return `${stamp}-${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * Names of the bot's log files, as the original: `{exchange}_{ticker}[_{account}]_orders.csv`
 * and `…_activity.log` under `dir`. A non-mainnet network is added to the exchange part
 * (`grvt-sim_BTC_orders.csv`), and so is `paper` for paper / dry-run runs
 * (`grvt-sim-paper_BTC_orders.csv`, `grvt-paper_BTC_orders.csv`), so simulated and paper
 * trades never mix with real ones.
 *
 * @param exchange Venue.
 * @param ticker Unified symbol.
 * @param options Folder, network, paper mode and `ACCOUNT_NAME`.
 * @returns The CSV and activity-log paths.
 *
 * @example
 * ```ts
 * import { tradeLogPaths } from "./trade_log.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * deepEqual(tradeLogPaths("grvt", "BTC", { network: "sim" }), {
 *   orders: "logs/grvt-sim_BTC_orders.csv",
 *   activity: "logs/grvt-sim_BTC_activity.log",
 * });
 * deepEqual(tradeLogPaths("edgex", "ETH", { accountName: "main" }).orders, "logs/edgex_ETH_main_orders.csv");
 * deepEqual(tradeLogPaths("grvt", "BTC", { network: "sim", paper: true }).orders, "logs/grvt-sim-paper_BTC_orders.csv");
 * deepEqual(tradeLogPaths("grvt", "BTC", { paper: true }).orders, "logs/grvt-paper_BTC_orders.csv");
 * ```
 */
export function tradeLogPaths(
  exchange: string,
  ticker: string,
  options: { dir?: string; network?: string; accountName?: string; paper?: boolean } = {},
): { orders: string; activity: string } {
  const dir = (options.dir ?? "logs").replace(/\/+$/, "");
  const net = options.network && options.network !== "mainnet" ? `-${options.network}` : "";
  const paper = options.paper ? "-paper" : "";
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "_");
  const account = options.accountName ? `_${safe(options.accountName)}` : "";
  const stem = `${dir}/${safe(exchange)}${net}${paper}_${safe(ticker)}${account}`;
  return { orders: `${stem}_orders.csv`, activity: `${stem}_activity.log` };
}

/** Who else holds a trade log's lock. */
export interface TradeLogLockHolder {
  /** Process id written in the lock file. */
  pid: number;
  /** Run id written in the lock file, when any. */
  runId: string | undefined;
}

/** Options of {@linkcode TradeLog}. */
export interface TradeLogOptions {
  /** CSV file (folder created at the first row; appended to). */
  path?: string;
  /** Receives each newline-terminated line instead of a file (tests). */
  write?: (line: string) => void;
  /** Run id written on every row. @default {a fresh newRunId()} */
  runId?: string;
  /** Network written on every row that names none. */
  network?: TradeNetwork | string;
  /** Strategy written on every row that names none. */
  strategy?: string;
  /** Venue written on every row that names none. */
  venue?: string;
  /** Symbol written on every row that names none. */
  symbol?: string;
  /** Called with every row as written (defaults filled in), e.g. to print it as JSON. */
  onRow?: (record: TradeRecord) => void;
  /**
   * Whether a process id is alive (stale-lock detection). @default {on Linux: /proc/<pid>
   * exists; elsewhere: assumed alive}
   */
  isAlive?: (pid: number) => boolean;
}

function defaultIsAlive(pid: number): boolean {
  if (pid === Deno.pid) return true;
  if (Deno.build.os !== "linux") return true;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Append-only CSV trade log. Each row is written synchronously, so nothing is lost when the
 * process stops; the file is opened at the first row and the header written when it is new or
 * empty. Rows are written through and never kept in memory (only their count is), so a run of
 * any length holds nothing per row.
 *
 * With a `path`, the constructor takes `<path>.lock` (the pid and run id of this process). A
 * lock held by a running process is not taken: {@linkcode TradeLog.lockedBy} names it, so the
 * caller can warn that two bots write one file (their rows still differ by `run_id`). A lock
 * whose process is gone is taken over. `close()` removes the lock this log holds.
 *
 * @example In memory
 * ```ts
 * import { TradeLog } from "./trade_log.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * const lines: string[] = [];
 * using log = new TradeLog({
 *   write: (line) => lines.push(line),
 *   runId: "r1", network: "sim", strategy: "grid", venue: "grvt", symbol: "BTC",
 * });
 * log.append({
 *   timestamp: 0,
 *   orderId: "1",
 *   clientOrderId: "c1",
 *   side: "buy",
 *   kind: "open",
 *   size: "0.5",
 *   price: "100",
 *   status: "placed",
 * });
 * equal(lines.length, 2); // header + row
 * equal(lines[1], "1970-01-01T00:00:00.000Z,r1,sim,grid,grvt,BTC,c1,1,open,buy,0.5,100,placed,,\n");
 * equal(log.count, 1);
 * ```
 */
export class TradeLog implements Disposable {
  #count = 0;
  #write: (line: string) => void;
  #file: Deno.FsFile | undefined;
  #lockPath: string | undefined;
  #lockedBy: TradeLogLockHolder | undefined;
  readonly #defaults: Pick<TradeRecord, "runId" | "network" | "strategy" | "venue" | "symbol">;
  readonly #onRow: ((record: TradeRecord) => void) | undefined;
  /** Kind of the recent orders by client id (bounded), for their fill rows. */
  readonly #kinds = new Map<string, string>();
  /** Run id written on the rows. */
  readonly runId: string;

  /**
   * Opens the log.
   *
   * @param options `path`: CSV file. `write`: receives each newline-terminated line instead
   *   (tests). Neither: rows are only counted. Plus the run id, network, strategy, venue and
   *   symbol written on every row.
   */
  constructor(options: TradeLogOptions = {}) {
    this.runId = options.runId ?? newRunId();
    this.#defaults = {
      runId: this.runId,
      network: options.network,
      strategy: options.strategy,
      venue: options.venue,
      symbol: options.symbol,
    };
    this.#onRow = options.onRow;
    if (options.path !== undefined) {
      const path = options.path;
      const encoder = new TextEncoder();
      this.#lock(path, options.isAlive ?? defaultIsAlive);
      // Opened at the first row, so a run that never trades leaves no CSV behind.
      this.#write = (line) => {
        if (this.#file === undefined) {
          const slash = path.lastIndexOf("/");
          if (slash > 0) Deno.mkdirSync(path.slice(0, slash), { recursive: true });
          this.#file = Deno.openSync(path, { append: true, create: true });
          if (this.#file.statSync().size === 0) {
            this.#writeBytes(encoder.encode(`${TRADE_LOG_HEADER}\n`));
          }
        }
        this.#writeBytes(encoder.encode(line));
      };
    } else if (options.write !== undefined) {
      this.#write = options.write;
      this.#write(`${TRADE_LOG_HEADER}\n`);
    } else {
      this.#write = () => {};
    }
  }

  #lock(path: string, isAlive: (pid: number) => boolean): void {
    const lockPath = `${path}.lock`;
    const slash = path.lastIndexOf("/");
    if (slash > 0) Deno.mkdirSync(path.slice(0, slash), { recursive: true });
    const body = new TextEncoder().encode(`${Deno.pid} ${this.runId}\n`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const f = Deno.openSync(lockPath, { write: true, createNew: true });
        try {
          f.writeSync(body);
        } finally {
          f.close();
        }
        this.#lockPath = lockPath;
        return;
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      }
      let holder: TradeLogLockHolder | undefined;
      try {
        const [pid, runId] = Deno.readTextFileSync(lockPath).trim().split(/\s+/);
        if (/^\d+$/.test(pid ?? "")) holder = { pid: Number(pid), runId };
      } catch {
        // Unreadable: treated as stale.
      }
      if (holder && isAlive(holder.pid)) {
        this.#lockedBy = holder;
        return;
      }
      try {
        Deno.removeSync(lockPath); // left by a process that no longer runs
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
  }

  /**
   * The process that held `<path>.lock` when this log opened (another bot writes the same
   * file), or `undefined` when this log holds the lock (or has no file).
   */
  get lockedBy(): TradeLogLockHolder | undefined {
    return this.#lockedBy;
  }

  /**
   * Appends one row; the log's run id, network, strategy, venue and symbol fill the fields the
   * record leaves out.
   *
   * @param record The row.
   */
  append(record: TradeRecord): void {
    const d = this.#defaults;
    const full: TradeRecord = {
      ...record,
      runId: record.runId ?? d.runId,
      network: record.network ?? d.network,
      strategy: record.strategy ?? d.strategy,
      venue: record.venue ?? d.venue,
      symbol: record.symbol ?? d.symbol,
    };
    this.#write(`${formatTradeRecord(full)}\n`);
    this.#count++;
    if (record.kind !== "" && !this.#kinds.has(record.clientOrderId)) {
      this.#kinds.set(record.clientOrderId, record.kind);
      if (this.#kinds.size > 10_000) this.#kinds.delete(this.#kinds.keys().next().value!);
    }
    this.#onRow?.(full);
  }

  /**
   * The kind of an order this log has a row of (its first row's), for the rows of its fills.
   *
   * @param clientOrderId Client order id.
   * @returns `open`, `close` … or `undefined` when the log has no row of it (among the last
   *   10,000 orders).
   */
  kindOf(clientOrderId: string): string | undefined {
    return this.#kinds.get(clientOrderId);
  }

  /** Rows appended by this instance. */
  get count(): number {
    return this.#count;
  }

  #writeBytes(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.length) offset += this.#file!.writeSync(bytes.subarray(offset));
  }

  /** Closes the file (rows are already on disk) and releases the lock. Idempotent. */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
    this.#write = () => {};
    if (this.#lockPath !== undefined) {
      try {
        Deno.removeSync(this.#lockPath);
      } catch {
        // Already gone.
      }
      this.#lockPath = undefined;
    }
  }

  /** Same as `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
