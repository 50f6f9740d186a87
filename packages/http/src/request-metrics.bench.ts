/**
 * A hello-world server under load from other processes on loopback, with and without the request metrics,
 * in the same run. Target: at most 5% fewer requests per second with metrics on (cost ratio ≤ 1 / 0.95 ≈
 * 1.053).
 *
 * How, and why so:
 * - Each server runs in a process of its own: in one process, the instrumented server's object shapes
 *   slow the plain one too and flatter the ratio.
 * - The servers run side by side, all loaded at once, sharing one CPU: the scheduler gives each the same
 *   CPU time, so the requests each answers measure its cost per request, and a slow moment of the machine
 *   (another VM, a frequency change) slows all of them alike. Measured one after the other, identical
 *   servers differed by up to 15% between rounds; side by side, by 2–3%.
 * - Two processes per variant, so that one process's luck (its place in the run queue, its heap layout)
 *   is not read as the metrics' cost. The two plain servers' own ratio is printed as the noise floor.
 * - A third variant does the least any request-duration metric does: it wraps the handler, reads the clock
 *   when the request comes and when its response closes, and records one histogram value. Its cost is a
 *   floor, on this machine, for any instrumentation of this kind; the full metrics are read against it.
 * - The load generators run on the other CPU and must not be the bottleneck, or every server answers
 *   what the clients manage to send and the ratio drifts to 1. `wrk` (C) keeps the servers' CPU busy;
 *   autocannon (JavaScript) needs about as much CPU as the servers and is used only when wrk is missing,
 *   with a warning. The servers' CPU use is printed to show which side was saturated.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { compareSimultaneous, finish } from '@sightglass/bench-kit';

const DURATION_S = 5;
const ROUNDS = 9;
const CONNECTIONS = 32;
const SERVER_CPU = 0;
const LOAD_CPU = 1;
const helloServer = fileURLToPath(new URL('./test-support/hello-server.ts', import.meta.url));

type Variant = 'plain' | 'minimal' | 'instrumented';
const PLAIN = 'node:http, no metrics';
const MINIMAL = 'node:http + two clock reads and one histogram (the least any duration metric does)';
const INSTRUMENTED = 'node:http + request metrics';
const CONTROL = 'node:http, no metrics (its two processes compared)';

function available(command: string, versionFlag: string): boolean {
  try {
    execFileSync(command, [versionFlag], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk prints its usage and exits 1 for any flag it does not know: it is there all the same.
    return (error as { code?: string }).code !== 'ENOENT';
  }
}

const pinned = availableParallelism() >= 2 && available('taskset', '-V');
const useWrk = available('wrk', '-v');

/** `command` on CPU `cpu` when pinning, else as it is. */
function onCpu(cpu: number, command: readonly string[]): [string, string[]] {
  return pinned ? ['taskset', ['-c', String(cpu), ...command]] : [command[0]!, command.slice(1)];
}

/** Starts a hello-world server process; resolves with its URL. */
function serve(variant: Variant): Promise<{ url: string; child: ChildProcess }> {
  const [file, args] = onCpu(SERVER_CPU, [process.execPath, '--import', 'tsx', helloServer, variant]);
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', (data: Buffer) => resolve({ url: data.toString().trim(), child }));
    child.once('exit', (code) => reject(new Error(`the ${variant} server exited with ${code}`)));
  });
}

/** Loads one URL for `seconds` from another process; resolves with the requests answered. */
function load(url: string, seconds: number): Promise<number> {
  const command = useWrk
    ? ['wrk', '-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, url]
    : [
        process.execPath,
        createRequire(import.meta.url).resolve('autocannon/autocannon.js'),
        ...['-c', String(CONNECTIONS), '-d', String(seconds), '-j', url],
      ];
  const [file, args] = onCpu(LOAD_CPU, command);
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      if (error) return reject(error);
      if (useWrk) {
        if (/Non-2xx|Socket errors/.test(stdout)) return reject(new Error(`wrk saw errors: ${stdout}`));
        const answered = /(\d+) requests in/.exec(stdout);
        return answered
          ? resolve(Number(answered[1]))
          : reject(new Error(`unexpected wrk output: ${stdout}`));
      }
      const result = JSON.parse(stdout) as { requests: { total: number }; errors: number; non2xx: number };
      if (result.errors > 0 || result.non2xx > 0)
        return reject(new Error(`autocannon saw errors: ${stdout}`));
      resolve(result.requests.total);
    });
  });
}

/** The servers' CPU's busy and total jiffies so far, from /proc/stat (undefined off Linux or unpinned). */
function serverCpuTimes(): { busy: number; total: number } | undefined {
  if (!pinned) return undefined;
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((row) => row.startsWith(`cpu${SERVER_CPU} `));
  if (line === undefined) return undefined;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  return { busy: total - fields[3]! - fields[4]!, total }; // minus idle and iowait
}

if (!useWrk) {
  console.warn(
    'wrk is not installed (apt-get install wrk): using autocannon, which needs about as much CPU as the servers. ' +
      'If the servers are not kept busy, the ratio understates the cost of the metrics.',
  );
}

// ABCCBA: no variant has all the earlier places.
const servers = await Promise.all(
  (['plain', 'minimal', 'instrumented', 'instrumented', 'minimal', 'plain'] as const).map(
    async (variant) => ({
      variant,
      ...(await serve(variant)),
    }),
  ),
);
const busyShares: number[] = [];

try {
  await Promise.all(servers.map((server) => load(server.url, 2))); // warm every server up
  const result = await compareSimultaneous({
    title: `Hello-world servers side by side under ${useWrk ? 'wrk' : 'autocannon'} (-c ${CONNECTIONS} each, ${ROUNDS} rounds of ${DURATION_S} s, two processes per variant${pinned ? ', servers on one core and load on another' : ''})`,
    baseline: PLAIN,
    candidates: [MINIMAL, INSTRUMENTED, CONTROL],
    rounds: ROUNDS,
    async measureRound() {
      const before = serverCpuTimes();
      const answered = await Promise.all(servers.map((server) => load(server.url, DURATION_S)));
      const after = serverCpuTimes();
      if (before && after) busyShares.push((after.busy - before.busy) / (after.total - before.total));
      const nsPerRequest = (requests: number) => (DURATION_S * 1e9) / requests;
      const [plain1, minimal1, instrumented1, instrumented2, minimal2, plain2] = answered as number[] as [
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      return {
        // Each variant's two processes together.
        [PLAIN]: nsPerRequest(plain1 + plain2),
        [MINIMAL]: nsPerRequest(minimal1 + minimal2),
        [INSTRUMENTED]: nsPerRequest(instrumented1 + instrumented2),
        // Scaled so that its ratio to the baseline is the first plain process's requests over the second's.
        [CONTROL]: nsPerRequest(plain1 + plain2) * (plain1 / plain2),
      };
    },
    targets: [
      { case: INSTRUMENTED, maxRatio: 1 / 0.95, description: 'at most 5% fewer requests per second' },
    ],
  });
  const [base, minimal, instrumented] = result.results;
  console.log(
    `requests/s per variant (median; each variant's two processes, sharing ${pinned ? 'a core' : 'the machine'} with the others): ` +
      `${Math.round(base!.opsPerSecond)} plain, ${Math.round(minimal!.opsPerSecond)} minimal, ${Math.round(instrumented!.opsPerSecond)} with metrics; ` +
      `the metrics' cost beyond the minimal variant: ${((instrumented!.ratio / minimal!.ratio - 1) * 100).toFixed(1)}%`,
  );
  if (busyShares.length > 0) {
    const lowest = Math.min(...busyShares);
    console.log(`servers' CPU busy: ${(lowest * 100).toFixed(0)}% in the least busy round`);
    if (lowest < 0.9) {
      // The clients, not the servers, set the pace: every variant answers about what they send, so the ratio
      // says little about the metrics. Such a run must not pass.
      console.error(
        'the servers were not kept busy: the load generators limited the run, so it proves nothing',
      );
      process.exitCode = 1;
    }
  }
} finally {
  for (const server of servers) server.child.kill('SIGTERM');
}
finish();
