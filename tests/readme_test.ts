/** The README's test command is the one CI runs, and the tasks it names exist. */
import { deepStrictEqual as deepEqual, ok } from "node:assert/strict";

const root = new URL("..", import.meta.url);
const readme = await Deno.readTextFile(new URL("README.md", root));
const ci = await Deno.readTextFile(new URL(".ci/run", root));
const tasks: Record<string, string> = JSON.parse(
  await Deno.readTextFile(new URL("deno.json", root)),
).tasks;

function commandsUnder(heading: string): string[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith(heading));
  ok(section, `README has a '## ${heading}' section`);
  const block = section.match(/```sh\n([\s\S]*?)```/);
  ok(block, `'## ${heading}' has a sh code block`);
  return block[1].split("\n").map((l) => l.replace(/#.*$/, "").trim()).filter(Boolean);
}

Deno.test("README gives exactly one test command, and .ci/run runs it", () => {
  const commands = commandsUnder("Run the tests");
  deepEqual(commands.length, 1);
  const ciLines = ci.split("\n").map((l) => l.trim()).filter((l) => !l.startsWith("#"));
  ok(ciLines.some((l) => l.startsWith(commands[0])), `.ci/run does not run '${commands[0]}'`);
});

Deno.test("every deno task the README mentions exists", () => {
  for (const m of readme.matchAll(/deno task ([\w-]+)/g)) {
    ok(m[1] in tasks, `README mentions 'deno task ${m[1]}' but deno.json has no such task`);
  }
});

Deno.test("the gate task runs every check the project promises", () => {
  const gate = tasks.ok;
  for (
    const step of ["fmt --check", "lint", "check", "doc-lint", "task test", "publish --dry-run"]
  ) {
    ok(gate.includes(step), `'deno task ok' lacks '${step}'`);
  }
  ok(tasks.test.includes("--doc"), "tests include documentation examples");
});
