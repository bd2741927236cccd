/**
 * Unified symbols across venues. Venues name multiplier markets differently (GRVT `KPEPE`,
 * others `1000PEPE`); an explicit alias table maps them to one name. Nothing else is
 * rewritten: digits are never stripped (`2Z` stays `2Z`, unlike the original service's regex,
 * originals.md §7.3).
 *
 * @module
 */

/**
 * Venue spellings of multiplier markets and the unified name they mean. Both spellings quote
 * 1000 units of the base coin, so their funding rates compare directly.
 *
 * @example
 * ```ts
 * import { SYMBOL_ALIASES } from "./symbols.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 * equal(SYMBOL_ALIASES.KPEPE, "1000PEPE");
 * ```
 */
export const SYMBOL_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  // GRVT's currency table lists KPEPE (grvt.md §1, currency ids); Hyperliquid names its
  // thousand-unit markets kPEPE, kBONK, kSHIB, kFLOKI, kLUNC, kNEIRO (SDK cassette `meta`).
  KPEPE: "1000PEPE",
  KBONK: "1000BONK",
  KSHIB: "1000SHIB",
  KFLOKI: "1000FLOKI",
  KLUNC: "1000LUNC",
  KSATS: "1000SATS",
  KNEIRO: "1000NEIRO",
  KCAT: "1000CAT",
});

/**
 * The unified form of a venue's symbol: trimmed, upper-cased, then mapped through the alias
 * table (or the given one).
 *
 * @param symbol A symbol as an adapter reports it (`"kPEPE"`, `"BTC"`, `"2Z"`).
 * @param aliases The alias table. @default {SYMBOL_ALIASES}
 * @returns The unified symbol.
 *
 * @example
 * ```ts
 * import { unifySymbol } from "./symbols.ts";
 * import { strictEqual as equal } from "node:assert/strict";
 *
 * equal(unifySymbol("kPEPE"), "1000PEPE");
 * equal(unifySymbol("2Z"), "2Z");
 * equal(unifySymbol(" eth "), "ETH");
 * ```
 */
export function unifySymbol(
  symbol: string,
  aliases: Readonly<Record<string, string>> = SYMBOL_ALIASES,
): string {
  const upper = symbol.trim().toUpperCase();
  return Object.hasOwn(aliases, upper) ? aliases[upper] : upper;
}
