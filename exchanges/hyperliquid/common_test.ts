/**
 * Price rules: 5 significant figures, at most 6 − szDecimals decimals, integers always allowed
 * (Hyperliquid docs, "Tick and lot size": "123456.0 is a valid price even though 12345.6 is not").
 */
import { strictEqual as equal } from "node:assert/strict";
import { Decimal } from "../../core/decimal.ts";
import { effectiveTick, priceStep, quotingTick, validPrice } from "./common.ts";

Deno.test("hyperliquid rules: effective tick at the mark price", () => {
  // Integers are always valid: above 100,000 the tick stays 1, never 10.
  equal(effectiveTick(new Decimal("123456"), 5).toString(), "1");
  equal(effectiveTick(new Decimal("100020"), 5).toString(), "1");
  equal(effectiveTick(new Decimal("9999.5"), 5).toString(), "0.1");
  equal(effectiveTick(new Decimal("10000"), 5).toString(), "1");
  equal(effectiveTick(new Decimal("64123.5"), 5).toString(), "1");
  equal(effectiveTick(new Decimal("1705.8"), 4).toString(), "0.1");
  equal(effectiveTick(new Decimal("2.1105"), 1).toString(), "0.0001");
  equal(effectiveTick(new Decimal("0.012345"), 0).toString(), "0.000001");
});

Deno.test("hyperliquid rules: valid prices", () => {
  equal(validPrice(new Decimal("1234.5"), 1), true);
  equal(validPrice(new Decimal("1234.56"), 1), false); // 6 significant figures
  equal(validPrice(new Decimal("0.001234"), 0), true);
  equal(validPrice(new Decimal("0.0012345"), 0), false); // 7 decimals
  equal(validPrice(new Decimal("123456"), 5), true); // integers always
  equal(validPrice(new Decimal("0.1"), 5), true);
  equal(validPrice(new Decimal("0.001"), 5), false); // 6 − 5 = 1 decimal
});

Deno.test("hyperliquid rules: the reported tick holds 10 % above the reference; the finest step", () => {
  // BTC (szDecimals 5): 9,000 × 1.1 = 9,900 is still below 10,000; 9,100 × 1.1 = 10,010 is not.
  equal(quotingTick(new Decimal("9000"), 5).toString(), "0.1");
  equal(quotingTick(new Decimal("9100"), 5).toString(), "1");
  equal(quotingTick(new Decimal("99990"), 5).toString(), "1");
  equal(quotingTick(new Decimal("100020"), 5).toString(), "1");
  // ETH (szDecimals 4): 900 → 990 keeps 0.01; 950 → 1,045 takes 0.1.
  equal(quotingTick(new Decimal("900"), 4).toString(), "0.01");
  equal(quotingTick(new Decimal("950"), 4).toString(), "0.1");
  equal(priceStep(5).toString(), "0.1");
  equal(priceStep(4).toString(), "0.01");
});
