/**
 * Dependency isolation: importing one venue's entry point must not load another venue's code
 * or npm packages. Checked on the real module graph (`deno info --json`).
 */
import { deepEqual, ok } from "node:assert/strict";

const ENTRY_POINTS: Record<string, string> = JSON.parse(
  await Deno.readTextFile(new URL("../deno.json", import.meta.url)),
).exports;

async function moduleGraph(entry: string): Promise<{ files: string[]; npm: string[] }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  ok(out.success, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  const files: string[] = info.modules
    .map((m: { specifier: string }) => m.specifier)
    .filter((s: string) => s.startsWith("file://"));
  // npm packages actually reached from the entry point (`npm:/name@version/…` specifiers).
  const npm: string[] = [
    ...new Set<string>(
      info.modules
        .map((m: { specifier: string }) => m.specifier)
        .filter((s: string) => s.startsWith("npm:"))
        .map((s: string) =>
          s.replace(/^npm:\/?/, "").replace(/^(@?[^@/]+(?:\/[^@/]+)?)@.*$/, "$1")
        ),
    ),
  ];
  return { files, npm };
}

const VENUES = ["lighter", "grvt", "edgex"];
/** npm packages each venue may load (beyond its own code). */
const ALLOWED_NPM: Record<string, string[]> = {
  lighter: ["decimal.js", "zod", "@logtape/logtape"],
  grvt: ["decimal.js", "zod", "@logtape/logtape", "viem"],
  edgex: ["decimal.js", "zod", "@logtape/logtape", "viem", "@noble/hashes"],
};

for (const venue of VENUES) {
  Deno.test(`importing ./${venue} loads no other venue's modules`, async () => {
    const { files, npm } = await moduleGraph(ENTRY_POINTS[`./${venue}`]);
    ok(files.some((f) => f.includes(`/exchanges/${venue}/`)));
    for (const other of VENUES.filter((v) => v !== venue)) {
      deepEqual(files.filter((f) => f.includes(`/exchanges/${other}/`)), []);
    }
    deepEqual(files.filter((f) => f.includes("/sim/") || f.includes("/strategies/")), []);
    deepEqual(npm.filter((p) => !(ALLOWED_NPM[venue] ?? []).includes(p)), []);
  });
}

Deno.test("the root entry point loads no venue, simulator or strategy code", async () => {
  const { files, npm } = await moduleGraph(ENTRY_POINTS["."]);
  deepEqual(
    files.filter((f) => /\/(exchanges\/(lighter|grvt|edgex)|sim|strategies)\//.test(f)),
    [],
  );
  deepEqual(npm.filter((p) => p !== "decimal.js"), [], "the root needs decimal.js only");
});
