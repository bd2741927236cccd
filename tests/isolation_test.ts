/**
 * Dependency isolation: importing one venue's entry point must not load another venue's code
 * or npm packages. Checked on the real module graph (`deno info --json`).
 */
import { deepStrictEqual as deepEqual, ok } from "node:assert/strict";

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

const VENUES = ["lighter", "grvt", "edgex", "hyperliquid"];
/** npm packages each venue may load (beyond its own code). */
const ALLOWED_NPM: Record<string, string[]> = {
  lighter: ["decimal.js", "zod", "@logtape/logtape"],
  grvt: ["decimal.js", "zod", "@logtape/logtape", "viem"],
  edgex: ["decimal.js", "zod", "@logtape/logtape", "viem", "@noble/hashes"],
  hyperliquid: ["decimal.js", "zod", "@logtape/logtape", "viem"],
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
    files.filter((f) => /\/(exchanges\/(lighter|grvt|edgex|hyperliquid)|sim|strategies)\//.test(f)),
    [],
  );
  deepEqual(npm.filter((p) => p !== "decimal.js"), [], "the root needs decimal.js only");
});

type Edges = Map<string, { code: string[]; types: string[]; dynamic: string[] }>;

/** Every local module of an entry point's graph with its imports, split by kind. */
async function importEdges(entry: string): Promise<Edges> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  ok(out.success, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  const edges: Edges = new Map();
  for (const m of info.modules as DenoInfoModule[]) {
    if (!m.specifier.startsWith("file://")) continue;
    const e = { code: [] as string[], types: [] as string[], dynamic: [] as string[] };
    for (const d of m.dependencies ?? []) {
      const code = d.code?.specifier;
      const type = d.type?.specifier;
      if (code?.startsWith("file://")) (d.isDynamic ? e.dynamic : e.code).push(local(code));
      if (type?.startsWith("file://") && !d.isDynamic) e.types.push(local(type));
    }
    edges.set(local(m.specifier), e);
  }
  return edges;
}

interface DenoInfoModule {
  specifier: string;
  dependencies?: {
    code?: { specifier: string };
    type?: { specifier: string };
    isDynamic?: boolean;
  }[];
}

const ROOT = new URL("..", import.meta.url);
const local = (specifier: string) => specifier.slice(ROOT.href.length);

/** Modules loaded when `entry` is imported: static value imports only (no types, no `import()`). */
function loadedAtImport(edges: Edges, entry: string): string[] {
  const seen = new Set<string>([entry]);
  const todo = [entry];
  while (todo.length > 0) {
    for (const next of edges.get(todo.pop()!)?.code ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        todo.push(next);
      }
    }
  }
  return [...seen].sort();
}

/** Strongly connected groups of more than one module over static imports (values and types). */
function importCycles(edges: Edges): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    const e = edges.get(v);
    for (const w of [...(e?.code ?? []), ...(e?.types ?? [])]) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) cycles.push(group.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

Deno.test("importing ./funding or the funding command loads no simulator module", async () => {
  for (const entry of ["funding/mod.ts", "funding/run.ts", "cli.ts"]) {
    const edges = await importEdges(entry);
    deepEqual(loadedAtImport(edges, entry).filter((f) => f.startsWith("sim/")), [], entry);
  }
  // `--network sim` still reaches the simulator, through `import()` only.
  const sources = (await importEdges("funding/sources.ts")).get("funding/sources.ts")!;
  deepEqual(sources.code.filter((f) => f.startsWith("sim/")), []);
  deepEqual(sources.dynamic.filter((f) => f.startsWith("sim/")).sort(), [
    "sim/funding.ts",
    "sim/network.ts",
  ]);
});

Deno.test("importing ./strategies or the bot command loads no simulator module", async () => {
  // `--network sim` builds its venue through `import()` (strategies/venue_clients.ts).
  for (const entry of ["strategies/mod.ts", "strategies/bot.ts"]) {
    const edges = await importEdges(entry);
    deepEqual(loadedAtImport(edges, entry).filter((f) => f.startsWith("sim/")), [], entry);
  }
});

Deno.test("the simulator's modules import each other without cycles", async () => {
  const cycles = importCycles(await importEdges("sim/mod.ts"));
  deepEqual(cycles.filter((group) => group.some((f) => f.startsWith("sim/"))), []);
});

Deno.test("no import cycle runs through a mod.ts barrel from any entry point", async () => {
  for (const entry of Object.values(ENTRY_POINTS)) {
    const cycles = importCycles(await importEdges(entry.replace(/^\.\//, "")));
    deepEqual(cycles.filter((group) => group.some((f) => f.endsWith("mod.ts"))), [], entry);
  }
});
