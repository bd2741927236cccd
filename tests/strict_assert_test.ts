/**
 * Deno's `node:assert/strict` exports `equal`, `deepEqual`, `notEqual` and `notDeepEqual` with
 * the loose comparisons of `node:assert` (`equal(1, "1")` passes), unlike Node's. A test written
 * with them could not fail where a type is wrong, so every test and doc example imports the
 * strict functions (`strictEqual as equal`, `deepStrictEqual as deepEqual`, …). This test keeps
 * it that way.
 */
import { deepStrictEqual as deepEqual, ok } from "node:assert/strict";
import * as assert from "node:assert/strict";

const LOOSE = new Set(["equal", "deepEqual", "notEqual", "notDeepEqual"]);
const IMPORT = /import\s*\{([^}]*)\}\s*from\s*"node:assert\/strict"/g;
const NAMESPACE = /import\s+\*\s+as\s+(\w+)\s+from\s*"node:assert\/strict"/g;

/** Loose assertions a source text imports or calls. */
export function looseAssertions(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    for (const part of m[1].split(",")) {
      const name = part.replace(/^[\s*]+/, "").trim().split(/\s+as\s+/)[0];
      if (LOOSE.has(name)) found.push(name);
    }
  }
  for (const m of text.matchAll(NAMESPACE)) {
    for (const name of LOOSE) {
      if (new RegExp(`\\b${m[1]}\\.${name}\\(`).test(text)) found.push(`${m[1]}.${name}`);
    }
  }
  return found;
}

async function* sources(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* sources(path);
    else if (/\.(ts|md)$/.test(entry.name)) yield path;
  }
}

Deno.test("the loose functions of node:assert/strict really are loose here (why this rule exists)", () => {
  let passed = true;
  try {
    assert.equal(1 as unknown, "1" as unknown);
  } catch {
    passed = false;
  }
  // If Deno ever makes them strict, this rule can go; until then it must hold.
  ok(passed, "node:assert/strict equal became strict: the rule below is no longer needed");
});

Deno.test("looseAssertions() finds named, multi-line and namespace uses", () => {
  deepEqual(looseAssertions('import { equal, ok } from "node:assert/strict";'), ["equal"]);
  deepEqual(
    looseAssertions(' * import {\n *   deepEqual,\n * } from "node:assert/strict";'),
    ["deepEqual"],
  );
  deepEqual(
    looseAssertions('import * as a from "node:assert/strict";\na.notEqual(1, 2);'),
    ["a.notEqual"],
  );
  deepEqual(
    looseAssertions(
      'import { strictEqual as equal, deepStrictEqual as deepEqual } from "node:assert/strict";',
    ),
    [],
  );
});

Deno.test("no test or doc example uses a loose assertion", async () => {
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const offenders: string[] = [];
  const self = new URL(import.meta.url).pathname;
  for await (const path of sources(root)) {
    if (path === self) continue; // its own examples of what the rule finds
    const found = looseAssertions(await Deno.readTextFile(path));
    if (found.length > 0) offenders.push(`${path.slice(root.length + 1)}: ${found.join(", ")}`);
  }
  deepEqual(offenders, []);
});
