/**
 * EdgeX markets from `getMetaData` (edgex.md §4.2): unified `Market`s plus what signing needs
 * (contract and quote-coin ids, literal resolutions, fee rates). Shared by the client and the
 * funding adapter.
 *
 * @module
 */
import type { Market } from "../../base.ts";
import { Decimal } from "../../core/decimal.ts";
import { ConfigurationError } from "../../core/errors.ts";
import type { EdgeXCoin, EdgeXContract, EdgeXMetaData } from "./schemas.ts";

/** Funding interval when a contract does not say (prod: `"240"` minutes for every contract). */
const DEFAULT_INTERVAL_MIN = 240;

/**
 * One EdgeX contract: the unified market and the venue's own data for it.
 *
 * @example
 * ```ts
 * import type { EdgeXMarket } from "./markets.ts";
 * const id = (m: EdgeXMarket) => m.contract.contractId;
 * ```
 */
export interface EdgeXMarket {
  /** The unified market (`venueId` = contract id, `symbol` = base coin name). */
  readonly market: Market;
  /** The contract as `getMetaData` lists it. */
  readonly contract: EdgeXContract;
  /** The quote coin. */
  readonly quoteCoin: EdgeXCoin;
  /** Contract resolution (literal multiplier, decimal or `0x` hex in the metadata). */
  readonly contractResolution: string;
  /** Quote-coin resolution. */
  readonly quoteResolution: string;
  /** Funding interval, minutes. */
  readonly fundingIntervalMin: number;
}

/**
 * Builds the markets of a metadata payload. The unified symbol is the base coin's name
 * (`baseCoinId → coinName`; contract names such as `哈基米USDC` are not ASCII-safe, §4.2); when
 * two contracts share a base coin the contract name is used for the later ones.
 *
 * @param meta Parsed `getMetaData` data.
 * @returns One entry per contract, in metadata order.
 * @throws {ConfigurationError} If a contract's quote coin is missing from `coinList`.
 *
 * @example
 * ```ts
 * import { edgeXMarkets } from "./markets.ts";
 * import { metaDataSchema } from "./schemas.ts";
 * import { deepStrictEqual as deepEqual } from "node:assert/strict";
 *
 * const meta = metaDataSchema.parse({
 *   global: { nativeChainId: "3343" },
 *   coinList: [
 *     { coinId: "1000", coinName: "USDC", resolution: "1000000" },
 *     { coinId: "1001", coinName: "BTC" },
 *   ],
 *   contractList: [{
 *     contractId: "30000001", contractName: "BTCUSDC", baseCoinId: "1001", quoteCoinId: "1000",
 *     tickSize: "0.1", stepSize: "0.001", minOrderSize: "0.001", fundingRateIntervalMin: "240",
 *     resolution: "1000000000",
 *   }],
 * });
 * const [btc] = edgeXMarkets(meta);
 * deepEqual([btc.market.symbol, btc.market.venueId, btc.market.fundingIntervalHours], ["BTC", "30000001", 4]);
 * ```
 */
export function edgeXMarkets(meta: EdgeXMetaData): EdgeXMarket[] {
  const coins = new Map(meta.coinList.map((c) => [c.coinId, c]));
  const used = new Set<string>();
  const out: EdgeXMarket[] = [];
  for (const contract of meta.contractList) {
    const quoteCoin = coins.get(contract.quoteCoinId);
    if (!quoteCoin) {
      throw new ConfigurationError(
        `Cannot use EdgeX contract ${contract.contractId} (${contract.contractName}) as its quote coin ${contract.quoteCoinId} is not in the metadata`,
        { venue: "edgex" },
      );
    }
    const baseName = coins.get(contract.baseCoinId)?.coinName;
    let symbol = baseName && !used.has(baseName) ? baseName : contract.contractName;
    if (used.has(symbol)) symbol = contract.contractId;
    used.add(symbol);
    const intervalMin = Number(contract.fundingRateIntervalMin ?? DEFAULT_INTERVAL_MIN) ||
      DEFAULT_INTERVAL_MIN;
    const market: Market = {
      venue: "edgex",
      symbol,
      venueSymbol: contract.contractName,
      venueId: contract.contractId,
      baseAsset: baseName ?? symbol,
      quoteAsset: quoteCoin.coinName,
      tickSize: contract.tickSize,
      sizeStep: contract.stepSize,
      minSize: Decimal.max(contract.minOrderSize, contract.stepSize),
      minNotional: new Decimal(0),
      ...(contract.displayMaxLeverage ? { maxLeverage: contract.displayMaxLeverage } : {}),
      ...(contract.defaultMakerFeeRate ? { makerFee: contract.defaultMakerFeeRate } : {}),
      ...(contract.defaultTakerFeeRate ? { takerFee: contract.defaultTakerFeeRate } : {}),
      fundingIntervalHours: intervalMin / 60,
    };
    out.push({
      market,
      contract,
      quoteCoin,
      contractResolution: contract.resolution ?? contract.starkExResolution ?? "",
      quoteResolution: quoteCoin.resolution ?? quoteCoin.starkExResolution ?? "",
      fundingIntervalMin: intervalMin,
    });
  }
  return out;
}
