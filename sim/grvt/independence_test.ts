/**
 * The GRVT replica is independent of the GRVT client: no file of `sim/grvt/` (tests included)
 * imports anything under `exchanges/` except the shared clock, so a bug shared by client and
 * replica cannot hide (DESIGN, "The venue simulator").
 */
import { deepStrictEqual as deepEqual } from "node:assert/strict";

const ALLOWED = new Set(["../../exchanges/_shared/clock.ts"]);

Deno.test("sim/grvt imports nothing from exchanges/ but the shared clock", async () => {
  const offending: string[] = [];
  for await (const entry of Deno.readDir(new URL(".", import.meta.url))) {
    if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
    const text = await Deno.readTextFile(new URL(entry.name, import.meta.url));
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
      const target = m[1];
      if (target.includes("exchanges/") && !ALLOWED.has(target)) {
        offending.push(`${entry.name}: ${target}`);
      }
    }
  }
  deepEqual(offending, []);
});
