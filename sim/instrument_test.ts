import { strictEqual as equal, throws } from "node:assert/strict";
import { ConfigurationError, InvalidOrderError } from "../core/errors.ts";
import { Decimal } from "../core/decimal.ts";
import { DEFAULT_FUNDING_INTERVAL_HOURS, Instrument } from "./instrument.ts";

Deno.test("Instrument converts prices and sizes exactly, in both directions", () => {
  const inst = new Instrument({ symbol: "PEPE", tickSize: "0.0000005", sizeStep: "1000" });
  equal(inst.priceToTicks("0.0000125"), 25);
  equal(inst.formatPrice(25), "0.0000125");
  equal(inst.sizeToLots("25000"), 25);
  equal(inst.formatSize(-25), "-25000");
  equal(inst.priceToTicks(new Decimal("0.00000100")), 2);
  throws(() => inst.priceToTicks("0.0000001"), /multiple of 0.0000005: current value is 0.0000001/);
  throws(
    () => inst.priceToTicks("0"),
    (e: unknown) => e instanceof InvalidOrderError && /positive/.test(e.message),
  );
  throws(() => inst.sizeToLots("1e3"), InvalidOrderError);
  throws(
    () => inst.sizeToLots("500", "grvt"),
    /Cannot place order on grvt as 'size' must be a multiple of 1000/,
  );
});

Deno.test("Instrument keeps a negative maker fee (rebate) exact per tick and lot", () => {
  const inst = new Instrument({
    symbol: "BTC",
    tickSize: "0.1",
    sizeStep: "0.001",
    makerFee: "-0.0001",
  });
  // One tick × one lot = 0.0001 quote; the rebate is 0.00000001 = 10^16 atoms of 10^-24.
  equal(inst.tickLotAtoms, 10n ** 20n);
  equal(inst.makerFeeAtoms, -(10n ** 16n));
});

Deno.test("Instrument refuses rules it cannot keep exact, or that make no sense", () => {
  throws(
    () =>
      new Instrument({
        symbol: "X",
        tickSize: "0.000000001",
        sizeStep: "0.000000001",
        takerFee: "0.0000000000001",
      }),
    ConfigurationError,
  );
  throws(() => new Instrument({ symbol: "X", tickSize: "0", sizeStep: "1" }), ConfigurationError);
  throws(
    () => new Instrument({ symbol: "X", tickSize: "1", sizeStep: "0.1", minSize: "0.15" }),
    ConfigurationError,
  );
  throws(
    () => new Instrument({ symbol: "X", tickSize: "1", sizeStep: "1", fundingIntervalHours: 0 }),
    ConfigurationError,
  );
});

Deno.test("Instrument defaults: 8 h funding, 20x, maintenance at half the initial margin", () => {
  const inst = new Instrument({ symbol: "X", tickSize: "1", sizeStep: "1" });
  equal(inst.fundingIntervalMs, 8 * 3_600_000);
  equal(inst.maxLeverage.toString(), "20");
  equal(inst.maintenanceMarginFraction.toString(), "0.025");
  equal(
    new Instrument({
      symbol: "L",
      tickSize: "1",
      sizeStep: "1",
      fundingIntervalHours: DEFAULT_FUNDING_INTERVAL_HOURS.lighter,
    })
      .fundingIntervalMs,
    3_600_000,
  );
  equal(DEFAULT_FUNDING_INTERVAL_HOURS.edgex, 4);
});
