// Runs every package's unit tests (with the coverage floor) on the other Node.js lines users run, after
// `pnpm test` ran the whole suite on the machine's Node.js 20. Each line's Node.js comes from the npm
// registry's `node` package (tools/test-kit's nodeBinary); nothing else is downloaded.
//   node --import tsx scripts/test-node-lines.ts [22 24]
// Writes test-results/vitest-node<major>.json in each package, which scripts/test-summary.mjs adds up.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBinary } from '../tools/test-kit/src/node-binary.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const majors = process.argv.slice(2).map(Number);
const lines = majors.length > 0 ? majors : [22, 24];

let failed = false;
for (const major of lines) {
  const node = nodeBinary(major);
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    const dir = join(root, 'packages', name);
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest) || !JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test) continue;
    console.log(`== Node.js ${version}: packages/${name}`);
    const result = spawnSync(node, [vitest, 'run', '--coverage'], {
      cwd: dir,
      stdio: 'inherit',
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        SIGHTGLASS_VITEST_REPORT: `test-results/vitest-node${major}.json`,
      },
    });
    if (result.status !== 0) {
      console.error(`packages/${name} failed on Node.js ${version}`);
      failed = true;
    }
  }
}
process.exit(failed ? 1 : 0);
