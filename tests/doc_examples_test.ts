/**
 * Documentation examples run as tests (`deno test --doc`), so a result an example states must be
 * checked, not only written down: `price.plus("0.1").toString(); // "100.6"` can go stale without
 * anything noticing, `equal(price.plus("0.1").toString(), "100.6")` cannot. This test reads every
 * code block that `deno test --doc` runs — the TypeScript blocks in the JSDoc of every non-test
 * module and in every Markdown file outside `deno.json`'s `exclude` — and fails, naming
 * `file:line`, on any line that states a result in a comment outside an assertion call.
 *
 * A stated result is a comment that reads like a value or an outcome: after code on the same line
 * (`x; // 42`, `console.log(x); // "BTC"`, `f(); // → 5`, `g(); // throws …`, `h(); // true: …`),
 * or alone on a line that begins with an arrow, a literal (`// "…"`, `// true`, `// [1, 2]`) or a
 * verb such as `returns`, `throws`, `prints`. Prose comments (`// 20x isolated: …`, `// a stand-in
 * for the network`) are not results. A line counts as asserted when it lies inside the parentheses
 * of an assertion call (`equal(`, `deepEqual(`, `throws(`, `rejects(`, `ok(`, `match(`, …).
 */
import { deepStrictEqual as deepEqual, ok } from "node:assert/strict";

/** One code block `deno test --doc` runs. */
export interface DocBlock {
  /** 1-based line of the opening fence in its file. */
  line: number;
  /** The block's lines (JSDoc ` * ` prefix removed) with their 1-based file lines. */
  lines: { text: string; line: number }[];
}

const RUN_LANGS = new Set(["ts", "typescript", "js", "javascript", "tsx", "jsx", "mts", "mjs"]);

/** Whether `deno test --doc` runs a block with this fence info string (```` ```ts ignore ````…). */
function runs(info: string): boolean {
  const [lang = "", ...attrs] = info.trim().split(/\s+/);
  return RUN_LANGS.has(lang.toLowerCase()) && !attrs.includes("ignore");
}

/** The code blocks `deno test --doc` runs from the JSDoc comments of a TypeScript source. */
export function jsdocBlocks(source: string): DocBlock[] {
  const out: DocBlock[] = [];
  const lines = source.split("\n");
  let inDoc = false;
  let block: DocBlock | null = null;
  let skip = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (!inDoc) {
      if (/^\s*\/\*\*/.test(raw) && !/\*\//.test(raw.replace(/^\s*\/\*\*/, ""))) inDoc = true;
      continue;
    }
    if (/\*\//.test(raw)) {
      inDoc = false;
      block = null;
      continue;
    }
    const text = raw.replace(/^\s*\*( |$)/, "");
    const fence = text.match(/^\s*```(.*)$/);
    if (fence) {
      if (block || skip) {
        if (block) out.push(block);
        block = null;
        skip = false;
      } else if (runs(fence[1])) block = { line: i + 1, lines: [] };
      else skip = true;
      continue;
    }
    block?.lines.push({ text, line: i + 1 });
  }
  return out;
}

/** The code blocks `deno test --doc` runs from a Markdown file. */
export function markdownBlocks(source: string): DocBlock[] {
  const out: DocBlock[] = [];
  const lines = source.split("\n");
  let block: DocBlock | null = null;
  let open: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const fence = lines[i].match(/^(\s*)```(.*)$/);
    if (fence) {
      if (open !== null) {
        if (block) out.push(block);
        block = null;
        open = null;
      } else {
        open = fence[2];
        if (runs(fence[2])) block = { line: i + 1, lines: [] };
      }
      continue;
    }
    block?.lines.push({
      text: lines[i].slice(lines[i].length - lines[i].trimStart().length),
      line: i + 1,
    });
  }
  return out;
}

/** Splits a code line into its code and its `//` comment, ignoring `//` inside strings. */
export function splitComment(line: string): { code: string; comment: string | null } {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "/" && line[i + 1] === "/") {
      return { code: line.slice(0, i), comment: line.slice(i + 2).trim() };
    }
  }
  return { code: line, comment: null };
}

const LITERAL = /^(?:["'`[{]|-?\d|true\b|false\b|null\b|undefined\b|NaN\b|-?Infinity\b)/;
/** A number that is the whole comment or is followed by punctuation (`42`, `0x0fcb…`, `4: …`). */
const NUMBER = /^-?(?:0x[\da-f…]+|[\d_]+(?:\.[\d_]+)?(?:e-?\d+)?n?…?)\s*(?:$|[:;,(=])/i;
const OUTCOME_WORDS = [
  "returns?",
  "throws?",
  "rejects?",
  "resolves?",
  "prints?",
  "logs?",
  "outputs?",
  "yields?",
  "evaluates?",
  "result",
];
const OUTCOME = new RegExp(`^(?:→|=>|->|⇒|(?:${OUTCOME_WORDS.join("|")})\\b)`, "i");

/** Whether a comment states a result: after code on its line, or on a line of its own. */
export function statesResult(comment: string, afterCode: boolean): boolean {
  if (OUTCOME.test(comment)) return true;
  if (!LITERAL.test(comment)) return false;
  // A leading number is often prose ("// 12 is missing", "// 0.1 ETH at 4 size decimals"), and
  // alone on a line always counted as prose ("// 20x isolated: …"); so is a leading `code` span.
  if (/^-?\d/.test(comment)) return afterCode && NUMBER.test(comment);
  return afterCode || !comment.startsWith("`");
}

const ASSERTION_NAMES = [
  "equal",
  "deepEqual",
  "strictEqual",
  "deepStrictEqual",
  "notEqual",
  "notStrictEqual",
  "notDeepStrictEqual",
  "throws",
  "rejects",
  "doesNotThrow",
  "doesNotReject",
  "ok",
  "match",
  "doesNotMatch",
  "fail",
  "assert\\w*",
];
const ASSERTION = new RegExp(`\\b(?:${ASSERTION_NAMES.join("|")})\\s*\\(`, "g");

/** Paren depth change of a code fragment, strings and comments removed. */
function parenDelta(code: string): number {
  const bare = code.replace(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`/g, '""');
  return (bare.match(/[([{]/g)?.length ?? 0) - (bare.match(/[)\]}]/g)?.length ?? 0);
}

/** Lines of a block that state a result outside any assertion call: their 1-based file lines. */
export function unassertedResults(block: DocBlock): number[] {
  const found: number[] = [];
  let depth = 0; // open brackets of the assertion call being read; 0 = outside one
  for (const { text, line } of block.lines) {
    const { code, comment } = splitComment(text);
    const starts = code.match(ASSERTION) !== null;
    const inside = depth > 0 || starts;
    if (starts && depth === 0) {
      const at = code.search(ASSERTION);
      depth = Math.max(0, parenDelta(code.slice(at)));
    } else if (depth > 0) depth = Math.max(0, depth + parenDelta(code));
    if (comment === null || inside) continue;
    if (statesResult(comment, code.trim() !== "")) found.push(line);
  }
  return found;
}

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
/** Directories `deno.json` excludes from every command, so `deno test --doc` never reads them. */
const excluded: string[] = (JSON.parse(await Deno.readTextFile(`${root}/deno.json`)).exclude ?? [])
  .map((p: string) => `${root}/${p.replace(/\/$/, "")}`);

/** Every non-test module and Markdown file `deno test --doc` reads. */
async function* docSources(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.startsWith(".")) continue;
    const path = `${dir}/${entry.name}`;
    if (excluded.includes(path)) continue;
    if (entry.isDirectory) yield* docSources(path);
    else if (/\.(ts|md)$/.test(entry.name) && !/_test\.ts$/.test(entry.name)) yield path;
  }
}

Deno.test("splitComment() ignores // inside strings", () => {
  deepEqual(splitComment('f("http://x"); // "http://y"'), {
    code: 'f("http://x"); ',
    comment: '"http://y"',
  });
  deepEqual(splitComment("const a = `//`;"), { code: "const a = `//`;", comment: null });
});

Deno.test("statesResult() tells a stated result from prose", () => {
  for (const c of ['"0.1"', "42", "-1", "true: a venue order index", "[1, 2]", "{ a: 1 }"]) {
    ok(statesResult(c, true), c);
  }
  for (const c of ["→ 5", "=> 5", "returns 5", "throws RangeError", '"grvt: failed"', "false"]) {
    ok(statesResult(c, false), c);
  }
  for (const c of ["20x isolated: 10000 / 20", "a stand-in for the network", "`x` is a rate"]) {
    ok(!statesResult(c, false), c);
  }
  for (const c of ["0x0fcbeda5…ac2908", "1844…", "28800", "1n", "4: four hours"]) {
    ok(statesResult(c, true), c);
  }
  for (const c of ["loopback, funded test account", "12 is missing", "0.1 ETH at 4 decimals"]) {
    ok(!statesResult(c, true), c);
  }
});

Deno.test("unassertedResults() flags stated results outside assertions, not inside", () => {
  const block = (src: string): DocBlock => ({
    line: 1,
    lines: src.split("\n").map((text, i) => ({ text, line: i + 2 })),
  });
  deepEqual(unassertedResults(block('import { f } from "./f.ts";\nf(); // 5')), [3]);
  deepEqual(unassertedResults(block("console.log(f()); // 42\nequal(g(), 1);")), [2]);
  deepEqual(unassertedResults(block('progress();\n// "grvt: failed"')), [3]);
  deepEqual(unassertedResults(block("equal(f(), 5); // 5 = 2 + 3")), []);
  deepEqual(
    unassertedResults(block('deepEqual(\n  f(), // "x"\n  { a: 1 },\n);\ng(); // 7')),
    [6],
  );
  deepEqual(unassertedResults(block("// 20x isolated: 10000 / 20\nconst x = 1;")), []);
});

Deno.test("jsdocBlocks() reads the runnable blocks only", () => {
  const src = [
    "/**",
    " * @example",
    " * ```ts",
    " * f(); // 1",
    " * ```",
    " * ```ts ignore",
    " * g(); // 2",
    " * ```",
    " * ```sh",
    " * deno task ok # 3",
    " * ```",
    " */",
  ].join("\n");
  deepEqual(jsdocBlocks(src), [{ line: 3, lines: [{ text: "f(); // 1", line: 4 }] }]);
});

Deno.test("every stated result in a documentation example is an assertion", async () => {
  const offenders: string[] = [];
  let blocks = 0;
  for await (const path of docSources(root)) {
    const text = await Deno.readTextFile(path);
    const found = path.endsWith(".md") ? markdownBlocks(text) : jsdocBlocks(text);
    blocks += found.length;
    for (const block of found) {
      for (const line of unassertedResults(block)) {
        offenders.push(`${path.slice(root.length + 1)}:${line}`);
      }
    }
  }
  ok(blocks > 500, `only ${blocks} documentation blocks found: the scanner is broken`);
  deepEqual(offenders, []);
});
