import { deepStrictEqual as deepEqual, throws } from "node:assert/strict";
import { fundingRate } from "../base.ts";

Deno.test("fundingRate() is exact for hour and minute intervals, including non-binary ones", () => {
  deepEqual(fundingRate({ rate: "0.0001", intervalHours: 8 }).hourlyRate.toString(), "0.0000125");
  deepEqual(fundingRate({ rate: "0.0003", intervalHours: 0.5 }).hourlyRate.toString(), "0.0006");
  const tenMin = fundingRate({ rate: "0.00000208", intervalMinutes: 10 });
  deepEqual([tenMin.hourlyRate.toString(), tenMin.apr.toString()], ["0.00001248", "0.1093248"]);
  deepEqual(fundingRate({ rate: "-0.00005", intervalMinutes: 240 }).intervalHours, 4);
});

Deno.test("fundingRate() refuses a missing, doubled or non-positive interval", () => {
  throws(() => fundingRate({ rate: "0.0001" }), RangeError);
  throws(() => fundingRate({ rate: "0.0001", intervalHours: 1, intervalMinutes: 60 }), RangeError);
  throws(() => fundingRate({ rate: "0.0001", intervalHours: 0 }), /intervalHours/);
  throws(() => fundingRate({ rate: "0.0001", intervalMinutes: -5 }), /intervalMinutes/);
});
