/**
 * The bot's append-only trade log: one CSV per exchange and ticker, one row per order event
 * that matters (placed, filled, canceled with a fill), timestamps in UTC.
 *
 * @module
 */
import type { Decimal, Side } from "../base.ts";

/** CSV header of the trade log. */
export const TRADE_LOG_HEADER =
  "timestamp_utc,order_id,client_order_id,side,kind,size,price,status";

/**
 * One row of the trade log.
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
  /** `open` (entry) or `close` (take-profit). */
  kind: "open" | "close";
  /** Size: the order size when placed, the filled size when filled or canceled. */
  size: Decimal | string;
  /** Limit price. */
  price: Decimal | string | undefined;
  /** `placed`, `filled`, `partially_filled`, `canceled`, `dry_run` … */
  status: string;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * Formats one row (no newline), quoting fields that need it.
 *
 * @param record The row.
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
 *     orderId: undefined,
 *     clientOrderId: "a,b",
 *     side: "sell",
 *     kind: "close",
 *     size: "1",
 *     price: "2.5",
 *     status: "placed",
 *   }),
 *   '1970-01-01T00:00:00.000Z,,"a,b",sell,close,1,2.5,placed',
 * );
 * ```
 */
export function formatTradeRecord(record: TradeRecord): string {
  return [
    new Date(record.timestamp).toISOString(),
    record.orderId ?? "",
    record.clientOrderId,
    record.side,
    record.kind,
    record.size.toString(),
    record.price?.toString() ?? "",
    record.status,
  ].map(csvField).join(",");
}

/**
 * Names of the bot's log files, as the original: `{exchange}_{ticker}[_{account}]_orders.csv`
 * and `…_activity.log` under `dir`. A non-mainnet network is added to the exchange part
 * (`grvt-sim_BTC_orders.csv`) so paper trades never mix with real ones.
 *
 * @param exchange Venue.
 * @param ticker Unified symbol.
 * @param options Folder, network and `ACCOUNT_NAME`.
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
 * ```
 */
export function tradeLogPaths(
  exchange: string,
  ticker: string,
  options: { dir?: string; network?: string; accountName?: string } = {},
): { orders: string; activity: string } {
  const dir = (options.dir ?? "logs").replace(/\/+$/, "");
  const net = options.network && options.network !== "mainnet" ? `-${options.network}` : "";
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "_");
  const account = options.accountName ? `_${safe(options.accountName)}` : "";
  const stem = `${dir}/${safe(exchange)}${net}_${safe(ticker)}${account}`;
  return { orders: `${stem}_orders.csv`, activity: `${stem}_activity.log` };
}

/**
 * Append-only CSV trade log. Each row is written synchronously, so nothing is lost when the
 * process stops; the file is opened at the first row and the header written when it is new or
 * empty. Rows are written through and never kept in memory (only their count is), so a run of
 * any length holds nothing per row.
 *
 * @example In memory
 * ```ts
 * import { TradeLog } from "./trade_log.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const lines: string[] = [];
 * using log = new TradeLog({ write: (line) => lines.push(line) });
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
 * deepEqual(lines.length, 2); // header + row
 * deepEqual(log.count, 1);
 * ```
 */
export class TradeLog implements Disposable {
  #count = 0;
  #write: (line: string) => void;
  #file: Deno.FsFile | undefined;

  /**
   * Opens the log.
   *
   * @param options `path`: CSV file (folder created at the first row; appended to). `write`: receives each
   *   newline-terminated line instead (tests). Neither: rows are only counted.
   */
  constructor(options: { path?: string; write?: (line: string) => void } = {}) {
    if (options.path !== undefined) {
      const path = options.path;
      const encoder = new TextEncoder();
      // Opened at the first row, so a run that never trades leaves no file behind.
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

  /**
   * Appends one row.
   *
   * @param record The row.
   */
  append(record: TradeRecord): void {
    this.#write(`${formatTradeRecord(record)}\n`);
    this.#count++;
  }

  /** Rows appended by this instance. */
  get count(): number {
    return this.#count;
  }

  #writeBytes(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.length) offset += this.#file!.writeSync(bytes.subarray(offset));
  }

  /** Closes the file (rows are already on disk). Idempotent. */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
    this.#write = () => {};
  }

  /** Same as `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
