/**
 * Instructions per request, counted by valgrind's callgrind: a figure that does not move with the machine's
 * load, to read beside the CPU-time benchmark when that one's noise is as large as what it measures.
 *
 * `node --import tsx src/test-support/bench/instructions.ts node floor ours` runs each variant's server
 * (server.ts) under callgrind twice, sending FEW and then MANY requests with autocannon, and prints the
 * difference of the two totals over MANY - FEW: start-up cancels out. Callgrind counts user-space
 * instructions only, and under it a clock read is a trip through valgrind: the clock-reading variants
 * (floor, ours) are comparable with each other, not with plain. Needs valgrind (`apt-get install -y
 * valgrind`); slow (about ten minutes per variant under load); not part of `pnpm bench`.
 *
 * Why the defaults are so large, and why three columns: within the first few thousand requests V8 is still
 * compiling (TurboFan's own instructions landed in one run's window and not another's: +17% once), and a
 * major garbage collection falls in one window and not the next. So the counted window starts after 20,000
 * requests, and the instructions of V8's compilers and of its garbage collector are printed apart (by
 * function name, from callgrind_annotate), leaving the application's own work ("mutator") as the figure to
 * compare.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Requests in the short and the long run (SIGHTGLASS_CALLGRIND_FEW / _MANY): their difference is counted. */
const FEW = Number(process.env.SIGHTGLASS_CALLGRIND_FEW ?? 20000);
const MANY = Number(process.env.SIGHTGLASS_CALLGRIND_MANY ?? 50000);
const server = fileURLToPath(new URL('./server.ts', import.meta.url));
const autocannon = fileURLToPath(new URL('../../../node_modules/.bin/autocannon', import.meta.url));

/** V8's garbage collector and compilers, by the function names callgrind_annotate prints. */
const GC =
  /Scaveng|Marking|Sweep|Evacuat|RememberedSet|RecordMigrated|heap::base::|IterateObjectCache|MemoryChunk|Compact|GCTracer|v8::internal::Heap::/;
const COMPILER =
  /v8::internal::compiler::|v8::internal::maglev::|v8::internal::baseline::|v8::internal::Zone::|v8::internal::interpreter::/;

interface Counts {
  total: number;
  gc: number;
  compiler: number;
}

/** Sums the instructions of GC and compiler functions in a callgrind output. */
function split(out: string, total: number): Counts {
  const annotated = execFileSync('callgrind_annotate', ['--threshold=100', out], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const counts = { total, gc: 0, compiler: 0 };
  for (const line of annotated.split('\n')) {
    const match = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line);
    if (match === null || match[2]!.includes('PROGRAM TOTALS')) continue;
    const count = Number(match[1]!.replaceAll(',', ''));
    if (GC.test(match[2]!)) counts.gc += count;
    else if (COMPILER.test(match[2]!)) counts.compiler += count;
  }
  return counts;
}

async function instructions(framework: string, variant: string, requests: number): Promise<Counts> {
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
  execFileSync(autocannon, ['-a', String(requests), '-c', '4', '-t', '600', url], { stdio: 'ignore' });
  child.disconnect();
  await new Promise((resolve) => child.once('exit', resolve));
  const total = /^(?:summary|totals): (\d+)/m.exec(readFileSync(out, 'utf8'));
  if (total === null) throw new Error(`no instruction total in ${out}`);
  return split(out, Number(total[1]));
}

const [framework = 'node', ...variants] = process.argv.slice(2);
console.log(
  `| ${framework} variant | instructions per request | of which GC | of which compilers | mutator |\n|---|---:|---:|---:|---:|`,
);
for (const variant of variants.length > 0 ? variants : ['plain', 'floor', 'ours']) {
  const [few, many] = [
    await instructions(framework, variant, FEW),
    await instructions(framework, variant, MANY),
  ];
  const per = (key: keyof Counts) => (many[key] - few[key]) / (MANY - FEW);
  const shown = (value: number) => Math.round(value).toLocaleString('en');
  const mutator = per('total') - per('gc') - per('compiler');
  console.log(
    `| ${variant} | ${shown(per('total'))} | ${shown(per('gc'))} | ${shown(per('compiler'))} | ${shown(mutator)} |`,
  );
}
