/**
 * EdgeX account reads and settings beyond orders: funding payments, positions and balance with
 * their risk figures, leverage, and the account's own fee rates.
 *
 * Venue behaviour absorbed here (edgex.md §4.3; gitbook account-api for the record shapes):
 * - funding settlements are position transactions of type `SETTLE_FUNDING_FEE`, listed by
 *   `getPositionTransactionPage` (`filterTypeList`, `filterContractIdList`,
 *   `filterStartCreatedTimeInclusive` / `filterEndCreatedTimeExclusive`, `size` ≤ 100,
 *   `offsetData` paging, `""` = last page) and pushed in `FUNDING_SETTLEMENT` frames;
 * - every ledger amount of the venue is signed from the account's view (`openFee`
 *   `"-0.017540"` for a fee paid, `cumFillFeeAmount` negative, a long's `fundingFee`
 *   `"-0.000289"` in the live snapshot), so `deltaFundingFee` is already the unified amount:
 *   positive = received, negative = paid, and it is taken as it is;
 * - offset pages can shift while new rows arrive, so rows are de-duplicated by id;
 * - `positionAssetList` carries the leverage set (`maxLeverage`), the initial margin
 *   (`initialMarginRequirement`), the maintenance margin (`riskValue`, `starkExRiskValue` in the
 *   V1 notes) and the liquidation price (`"0"` = none); `collateralAssetModelList` the account's
 *   equity and total risk value;
 * - `updateLeverageSetting {accountId, contractId, leverage}` answers `data: null`;
 * - the account's trade settings may set its own fee rates (`isSetFeeRate`), per contract or
 *   as the default.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { Balance, FundingPayment, Market, Position } from "../../base.ts";
import { Decimal } from "../../core/decimal.ts";
import { ConfigurationError, MalformedPayloadError } from "../../core/errors.ts";
import type { HttpTransport } from "../_shared/http.ts";
import { z } from "zod";
import { EDGEX_PATHS } from "./common.ts";
import { entryOf, positionOf } from "./_mapping.ts";
import type { EdgeXMarket } from "./markets.ts";
import {
  type EdgeXAccountAsset,
  edgeXEnvelope,
  type EdgeXPositionTransaction,
  type EdgeXTradeSetting,
  pageOf,
  positionTransactionSchema,
} from "./schemas.ts";

const log = getLogger(["perp", "edgex"]);
const VENUE = "edgex";

/** Position-transaction type of a funding settlement. */
export const EDGEX_FUNDING_TYPE = "SETTLE_FUNDING_FEE";
/** Largest page of `getPositionTransactionPage` (the gateway refuses more). */
const PAGE_SIZE = 100;
/** Pages read at most in one call (a guard against a venue that never ends its pages). */
const MAX_PAGES = 1_000;

/**
 * A funding settlement record as a unified payment, or `undefined` when the record is not a
 * funding settlement or lacks its amount or time.
 *
 * @param symbol Unified symbol of the record's contract.
 * @param tx The position transaction.
 * @returns The payment: `amount` = `deltaFundingFee` (already from the account's view), `time`
 * = `fundingTime` (or `createdTime` when the venue leaves it `"0"`), `rate` = `fundingRate`,
 * `positionSize` = `fundingPositionSize` signed like `beforeOpenSize`, `id` = the record id.
 */
export function fundingPaymentOf(
  symbol: string,
  tx: EdgeXPositionTransaction,
): FundingPayment | undefined {
  if (tx.type !== EDGEX_FUNDING_TYPE || tx.deltaFundingFee === undefined) return undefined;
  const time = tx.fundingTime ? tx.fundingTime : tx.createdTime;
  if (!time) return undefined;
  let size = tx.fundingPositionSize ?? tx.beforeOpenSize;
  // The size at settlement is signed like the open size; should the venue ever send it
  // unsigned, the open size before the settlement gives the side.
  if (
    size !== undefined && tx.beforeOpenSize !== undefined && !size.isZero() &&
    !tx.beforeOpenSize.isZero() && size.isNegative() !== tx.beforeOpenSize.isNegative()
  ) size = size.neg();
  return {
    venue: VENUE,
    symbol,
    time,
    amount: tx.deltaFundingFee,
    rate: tx.fundingRate,
    positionSize: size,
    id: tx.id,
  };
}

/** What {@linkcode fetchFundingPayments} needs. */
export interface FundingPaymentQuery {
  /** Signed transport. */
  http: HttpTransport;
  /** Account id. */
  accountId: string;
  /** Only this contract. */
  contractId?: string;
  /** From this settlement time (ms, inclusive). */
  start?: number;
  /** Before this settlement time (ms, exclusive). */
  end?: number;
  /** At most this many payments (the most recent ones). */
  limit?: number;
  /** The market of a contract id. */
  marketById: (contractId: string) => EdgeXMarket | undefined;
  /** Aborts the reads. */
  signal?: AbortSignal;
}

/**
 * Reads the account's funding payments from `getPositionTransactionPage`
 * (`filterTypeList=SETTLE_FUNDING_FEE`), every page until the last or until `limit` payments
 * are in, de-duplicated by id, oldest first. With `limit`, the most recent `limit` payments in
 * the window are returned.
 *
 * @param q Account, filters and transport.
 * @returns The payments, oldest first.
 * @throws {ConfigurationError} If `limit` is not a positive integer.
 * @throws {MalformedPayloadError} If a page cannot be read.
 */
export async function fetchFundingPayments(q: FundingPaymentQuery): Promise<FundingPayment[]> {
  const { limit } = q;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) {
    throw new ConfigurationError(
      `Cannot read funding payments on edgex as 'limit' must be a positive integer: current value is ${limit}`,
      { venue: VENUE },
    );
  }
  const byId = new Map<string, FundingPayment>();
  let offsetData = "";
  for (let page = 0; page < MAX_PAGES; page++) {
    const r = await q.http.request({
      method: "GET",
      path: EDGEX_PATHS.getPositionTransactionPage,
      query: {
        accountId: q.accountId,
        size: Math.min(PAGE_SIZE, limit ?? PAGE_SIZE),
        offsetData: offsetData === "" ? undefined : offsetData,
        filterTypeList: EDGEX_FUNDING_TYPE,
        filterContractIdList: q.contractId,
        filterStartCreatedTimeInclusive: q.start !== undefined && q.start > 0
          ? Math.floor(q.start)
          : undefined,
        filterEndCreatedTimeExclusive: q.end !== undefined && Number.isFinite(q.end)
          ? Math.ceil(q.end)
          : undefined,
      },
      schema: edgeXEnvelope(pageOf(positionTransactionSchema)),
      signal: q.signal,
    });
    for (const tx of r.data.dataList) {
      if (tx.type !== EDGEX_FUNDING_TYPE) continue;
      const m = q.marketById(tx.contractId);
      if (!m) {
        log.warn("Funding payment {id} of unknown contract {contractId} skipped", {
          id: tx.id,
          contractId: tx.contractId,
        });
        continue;
      }
      const p = fundingPaymentOf(m.market.symbol, tx);
      if (!p) {
        throw new MalformedPayloadError("deltaFundingFee", {
          venue: VENUE,
          endpoint: EDGEX_PATHS.getPositionTransactionPage,
          details: `funding settlement ${tx.id} has no amount or time`,
        });
      }
      if (q.start !== undefined && p.time < q.start) continue;
      if (q.end !== undefined && p.time >= q.end) continue;
      byId.set(tx.id, p);
    }
    offsetData = r.data.nextPageOffsetData;
    if (offsetData === "" || r.data.dataList.length === 0) break;
    if (limit !== undefined && byId.size >= limit) break;
  }
  const out = [...byId.values()].sort((a, b) =>
    a.time - b.time || (a.id! < b.id! ? -1 : a.id! > b.id! ? 1 : 0)
  );
  return limit === undefined ? out : out.slice(-limit);
}

/** Treats `"0"` (the venue's "none") as not reported. */
function nonZero(d: Decimal | undefined): Decimal | undefined {
  return d && !d.isZero() ? d : undefined;
}

/**
 * Non-zero positions of a `getAccountAsset` answer with what the venue reports of their risk.
 *
 * @param asset Parsed `getAccountAsset` data.
 * @param marketById The market of a contract id.
 * @returns Positions: size, entry, unrealized PnL, liquidation price, margin used,
 * maintenance margin, leverage and funding so far, each only when reported.
 */
export function positionsOf(
  asset: EdgeXAccountAsset,
  marketById: (contractId: string) => EdgeXMarket | undefined,
): Position[] {
  const out: Position[] = [];
  for (const p of asset.positionList) {
    if (p.openSize.isZero()) continue;
    const m = marketById(p.contractId);
    if (!m) continue;
    const extra = asset.positionAssetList?.find((a) => a.contractId === p.contractId);
    const liquidation = nonZero(extra?.liquidatePrice);
    const leverage = nonZero(extra?.maxLeverage);
    const maintenance = extra?.riskValue ?? extra?.starkExRiskValue;
    out.push({
      ...positionOf(m.market.symbol, p),
      entryPrice: nonZero(extra?.avgEntryPrice) ?? entryOf(p.openSize, p.openValue),
      ...(extra?.unrealizePnl ? { unrealizedPnl: extra.unrealizePnl } : {}),
      ...(liquidation ? { liquidationPrice: liquidation } : {}),
      ...(extra?.initialMarginRequirement
        ? { marginUsed: extra.initialMarginRequirement.abs() }
        : {}),
      ...(maintenance ? { maintenanceMargin: maintenance.abs() } : {}),
      ...(leverage ? { leverage } : {}),
    });
  }
  return out;
}

/**
 * The quote-coin balance of a `getAccountAsset` answer: equity (`totalEquity`), available
 * amount, unrealized PnL and the margin ratio = total risk value (maintenance margin) /
 * equity, when both are reported and equity is positive.
 *
 * @param asset Parsed `getAccountAsset` data.
 * @param quote The quote coin (id and name), when the markets are loaded.
 * @returns The balance.
 * @throws {MalformedPayloadError} If the answer has no collateral of the quote coin.
 */
export function balanceOf(
  asset: EdgeXAccountAsset,
  quote: { coinId: string; coinName: string } | undefined,
): Balance {
  const coinId = quote?.coinId ?? asset.collateralList[0]?.coinId;
  const model = asset.collateralAssetModelList?.find((c) => c.coinId === coinId);
  const collateral = asset.collateralList.find((c) => c.coinId === coinId);
  if (!model && !collateral) {
    throw new MalformedPayloadError("collateralList", {
      venue: VENUE,
      endpoint: EDGEX_PATHS.getAccountAsset,
      details: `no collateral for coin ${coinId}`,
    });
  }
  const equity = model?.totalEquity ?? collateral!.totalAmount ?? collateral!.amount;
  const available = model?.availableAmount ?? collateral!.availableAmount ?? equity;
  let upnl: Decimal | undefined;
  for (const p of asset.positionAssetList ?? []) {
    if (p.unrealizePnl) upnl = (upnl ?? new Decimal(0)).plus(p.unrealizePnl);
  }
  const risk = model?.riskValue ?? model?.starkExRiskValue;
  return {
    venue: VENUE,
    asset: quote?.coinName ?? "USDC",
    equity,
    available,
    ...(upnl ? { unrealizedPnl: upnl } : {}),
    ...(risk && equity.gt(0) ? { marginRatio: risk.abs().div(equity) } : {}),
  };
}

/**
 * Checks a leverage before it is sent: a positive integer, at most the market's maximum when
 * the metadata gives one.
 *
 * @param market The market.
 * @param leverage The leverage asked for.
 * @returns The leverage as the venue takes it (a decimal string).
 * @throws {ConfigurationError} Naming the rule and the limit.
 */
export function checkLeverage(market: Market, leverage: number): string {
  if (!(Number.isSafeInteger(leverage) && leverage > 0)) {
    throw new ConfigurationError(
      `Cannot set leverage of ${market.symbol} on edgex as 'leverage' must be a positive integer: current value is ${leverage}`,
      { venue: VENUE },
    );
  }
  if (market.maxLeverage !== undefined && market.maxLeverage.lt(leverage)) {
    throw new ConfigurationError(
      `Cannot set leverage of ${market.symbol} on edgex as 'leverage' must be at most ${market.maxLeverage} (the market's maximum): current value is ${leverage}`,
      { venue: VENUE },
    );
  }
  return String(leverage);
}

/**
 * Sends `updateLeverageSetting` for one contract.
 *
 * @param http Signed transport.
 * @param accountId Account id.
 * @param contractId Contract id.
 * @param leverage Leverage as checked by {@linkcode checkLeverage}.
 */
export async function updateLeverage(
  http: HttpTransport,
  accountId: string,
  contractId: string,
  leverage: string,
): Promise<void> {
  await http.request({
    method: "POST",
    path: EDGEX_PATHS.updateLeverageSetting,
    body: { accountId, contractId, leverage },
    schema: edgeXEnvelope(z.null().optional()),
    // Setting a value twice is harmless.
    idempotent: true,
  });
}

/**
 * The account's own maker/taker rates for a contract: the contract's trade setting when it
 * sets a fee rate, else the account default when that does, else `undefined` (the contract's
 * default rates apply). Fee discounts are not applied: their meaning is not documented.
 *
 * @param account The `account` of `getAccountAsset`.
 * @param contractId The contract.
 * @returns Maker and taker rates as fractions, or `undefined`.
 */
export function accountFeesOf(
  account: EdgeXAccountAsset["account"],
  contractId: string,
): { makerFee: Decimal; takerFee: Decimal } | undefined {
  const pick = (s: EdgeXTradeSetting | undefined) =>
    s?.isSetFeeRate && s.makerFeeRate !== undefined && s.takerFeeRate !== undefined
      ? { makerFee: s.makerFeeRate, takerFee: s.takerFeeRate }
      : undefined;
  return pick(account?.contractIdToTradeSetting?.[contractId]) ??
    pick(account?.defaultTradeSetting);
}
