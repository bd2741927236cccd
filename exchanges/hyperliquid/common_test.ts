/** Price rules: 5 significant figures, at most 6 − szDecimals decimals (Hyperliquid docs, "Tick and lot size"). */
import { strictEqual as equal } from "node:assert/strict";
import { Decimal } from "../../core/decimal.ts";
import { effectiveTick, validPrice } from "./common.ts";

Deno.test("hyperliquid rules: effective tick at the mark price", () => {
  equal(effectiveTick(new Decimal("123456"), 5).toString(), "10");
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
