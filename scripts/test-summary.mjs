#!/usr/bin/env node
// Adds up the vitest JSON reports of every package, example and tool: `test-results/vitest.json` from
// `pnpm test` on the machine's Node.js, and `test-results/vitest-node<major>.json` from the other Node.js
// lines (scripts/test-node-lines.ts). Prints a line per Node.js line, then one closing line:
// "vitest: N passed, N failed, N skipped". Exits 1 if a report is missing, a test failed, or none ran.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const expectedLines = (process.env.SIGHTGLASS_NODE_LINES ?? '').split(/\s+/).filter(Boolean);
const totals = new Map();
const missing = [];
const add = (line, result) => {
  const total = totals.get(line) ?? { passed: 0, failed: 0, skipped: 0 };
  total.passed += result.numPassedTests;
  total.failed += result.numFailedTests;
  total.skipped += result.numPendingTests + result.numTodoTests;
  totals.set(line, total);
};
for (const group of ['packages', 'examples', 'tools']) {
  for (const name of readdirSync(join(root, group))) {
    const dir = join(root, group, name);
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest) || !JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test) continue;
    const report = join(dir, 'test-results', 'vitest.json');
    if (!existsSync(report)) missing.push(`${group}/${name}`);
    else add(`Node.js ${process.versions.node}`, JSON.parse(readFileSync(report, 'utf8')));
    if (group !== 'packages') continue;
    for (const major of expectedLines) {
      const lineReport = join(dir, 'test-results', `vitest-node${major}.json`);
      if (!existsSync(lineReport)) missing.push(`${group}/${name} on Node.js ${major}`);
      else add(`Node.js ${major}`, JSON.parse(readFileSync(lineReport, 'utf8')));
    }
  }
}
if (missing.length > 0) console.error(`no test report from: ${missing.join(', ')}`);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const [line, total] of totals) {
  console.log(`${line}: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  passed += total.passed;
  failed += total.failed;
  skipped += total.skipped;
}
console.log(`vitest: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (missing.length > 0 || failed > 0 || passed === 0) process.exit(1);
