#!/usr/bin/env node
// Runs every package's *.bench.ts, one process each, in a stable order. Exits non-zero if any bench
// missed a target or failed. Pass a substring to run only matching files: `pnpm bench counter`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const filter = process.argv[2] ?? '';

function benchFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name === 'dist' ? [] : benchFiles(path);
    return entry.name.endsWith('.bench.ts') ? [path] : [];
  });
}

const files = [...benchFiles(join(root, 'packages')), ...benchFiles(join(root, 'examples'))]
  .filter((file) => file.includes(filter))
  .sort();
if (files.length === 0) {
  console.error(`no *.bench.ts files${filter ? ` matching "${filter}"` : ''}`);
  process.exit(1);
}
console.log(`# Sightglass benchmarks\n\nNode ${process.version}, ${new Date().toISOString()}`);
let failed = 0;
for (const file of files) {
  console.log(`\n# ${relative(root, file)}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit', cwd: root });
  if (result.status !== 0) failed++;
}
if (failed > 0) {
  console.error(`\n${failed} benchmark file(s) failed or missed a target`);
  process.exit(1);
}
