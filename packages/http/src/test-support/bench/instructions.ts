/**
 * Instructions per request, counted by valgrind's callgrind: a figure that does not move with the machine's
 * load, to read beside the CPU-time benchmark when that one's noise is as large as what it measures.
 *
 * `node --import tsx src/test-support/bench/instructions.ts node plain floor ours` runs each variant's
 * server (server.ts) under callgrind twice, sending 1,000 and then 5,000 requests with autocannon, and
 * prints the difference of the two totals over 4,000: start-up and the first requests' compilation cancel
 * out. Callgrind counts user-space instructions only, and under it a clock read is a trip through
 * valgrind: the clock-reading variants (floor, ours) are comparable with each other, not with plain.
 * Slow (about a minute per run); not part of `pnpm bench`. Needs valgrind (`apt-get install -y valgrind`).
 * The counts still move from run to run (a GC or a recompilation in one window and not the other): repeat
 * it, and read it beside the CPU-time figures, not instead of them.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FEW = 1000;
const MANY = 5000;
const server = fileURLToPath(new URL('./server.ts', import.meta.url));
const autocannon = fileURLToPath(new URL('../../../node_modules/.bin/autocannon', import.meta.url));

async function instructions(framework: string, variant: string, requests: number): Promise<number> {
  const out = join(mkdtempSync(join(tmpdir(), 'sightglass-callgrind-')), 'callgrind.out');
  const child = spawn(
    'valgrind',
    [
      '-q',
      '--tool=callgrind',
      `--callgrind-out-file=${out}`,
      process.execPath,
      '--expose-gc',
      '--import',
      'tsx',
      server,
      framework,
      variant,
    ],
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  const url = await new Promise<string>((resolve) =>
    child.once('message', (message) => resolve((message as { value: string }).value)),
  );
  execFileSync(autocannon, ['-a', String(requests), '-c', '4', '-t', '120', url], { stdio: 'ignore' });
  child.disconnect();
  await new Promise((resolve) => child.once('exit', resolve));
  const total = /^(?:summary|totals): (\d+)/m.exec(readFileSync(out, 'utf8'));
  if (total === null) throw new Error(`no instruction total in ${out}`);
  return Number(total[1]);
}

const [framework = 'node', ...variants] = process.argv.slice(2);
console.log(`| ${framework} variant | instructions per request |\n|---|---:|`);
for (const variant of variants.length > 0 ? variants : ['plain', 'floor', 'ours']) {
  const [few, many] = [
    await instructions(framework, variant, FEW),
    await instructions(framework, variant, MANY),
  ];
  console.log(`| ${variant} | ${Math.round((many - few) / (MANY - FEW)).toLocaleString('en')} |`);
}
