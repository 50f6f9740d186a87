/**
 * A hello-world server under load from a second process on loopback (autocannon), with and without the
 * request metrics, in the same run. Target: at most 5% fewer requests per second with metrics on (cost
 * ratio ≤ 1 / 0.95 ≈ 1.053). Each server runs in a process of its own; with two cores or more, the servers
 * share the first core and autocannon has the second, so neither side steals the other's.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { compareMeasured, finish } from '@sightglass/bench-kit';

const DURATION_S = 2;
const CONNECTIONS = 32;
const autocannon = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const helloServer = fileURLToPath(new URL('./test-support/hello-server.ts', import.meta.url));

/**
 * On a machine with few cores the server and the load generator fight over them, and the scheduler's
 * choices move requests per second by ±20% between identical runs. Pinned, each side has a core of its own,
 * as on two machines.
 */
const pinned = availableParallelism() >= 2 && hasTaskset();

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `command` on CPU `cpu` when pinning, else as it is. */
function onCpu(cpu: number, command: readonly string[]): [string, string[]] {
  return pinned ? ['taskset', ['-c', String(cpu), ...command]] : [command[0]!, command.slice(1)];
}

/** Starts a hello-world server process; resolves with its URL. */
function serve(variant: 'plain' | 'instrumented'): Promise<{ url: string; child: ChildProcess }> {
  const [file, args] = onCpu(0, [process.execPath, '--import', 'tsx', helloServer, variant]);
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', (data: Buffer) => resolve({ url: data.toString().trim(), child }));
    child.once('exit', (code) => reject(new Error(`the ${variant} server exited with ${code}`)));
  });
}

/** Runs autocannon in its own process; returns nanoseconds per request (1e9 / requests per second). */
function load(url: string): Promise<number> {
  const [file, args] = onCpu(1, [
    process.execPath,
    autocannon,
    '-c',
    String(CONNECTIONS),
    '-d',
    String(DURATION_S),
    '-j',
    url,
  ]);
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      if (error) return reject(error);
      const result = JSON.parse(stdout) as { requests: { average: number }; errors: number; non2xx: number };
      if (result.errors > 0 || result.non2xx > 0) return reject(new Error(`load test saw errors: ${stdout}`));
      resolve(1e9 / result.requests.average);
    });
  });
}

const plain = await serve('plain');
const instrumented = await serve('instrumented');
await load(plain.url); // warm both servers before measuring
await load(instrumented.url);

try {
  const result = await compareMeasured({
    title: `Hello-world server under autocannon (-c ${CONNECTIONS}, ${DURATION_S} s rounds, a process each${pinned ? ', servers and load on separate cores' : ''})`,
    baseline: { name: 'node:http, no metrics', measure: () => load(plain.url) },
    candidates: [{ name: 'node:http + request metrics', measure: () => load(instrumented.url) }],
    targets: [
      {
        case: 'node:http + request metrics',
        maxRatio: 1 / 0.95,
        description: 'at most 5% fewer requests per second',
      },
    ],
    rounds: 21,
  });
  const [base, candidate] = result.results;
  console.log(
    `requests/s (median): ${Math.round(base!.opsPerSecond)} without, ${Math.round(candidate!.opsPerSecond)} with metrics`,
  );
} finally {
  plain.child.kill('SIGTERM');
  instrumented.child.kill('SIGTERM');
}
finish();
