/**
 * Runs one framework's request-metrics benchmark: server CPU time per request, each variant's server in
 * processes of its own, as a ratio to the plain server measured in the same rounds.
 *
 * How, and why so:
 * - CPU per request, read from each server process (`process.cpuUsage` around a measured window, divided
 *   by the requests wrk completed in it), not requests per second: it counts only the server's own work,
 *   whatever else the machine runs, and whether or not the clients kept it saturated.
 * - The servers are pinned to one core and their wrk clients to the other, so that a client does not
 *   compete with the server it measures.
 * - All servers are loaded at once in each round, each by its own wrk: a slow moment of the machine (other
 *   processes, a frequency change) then falls on every variant alike, where loading them one after the
 *   other let it fall on one. (Measured so, identical servers differed by up to 20% between rounds.)
 * - Two processes per variant, started ABBA, so that one process's luck (its heap layout, its share of
 *   the core) is not read as the variant's cost. The plain variant's two processes compared with each
 *   other are printed as the noise.
 * - Each round's figures are divided by the plain variant's in the same round; min, median and max over
 *   the rounds are printed, and targets are checked on medians over rounds.
 * - Every server has run under load before the first window (warm-up: compiled, caches filled), and a
 *   full GC runs in every server before every window, so one window's garbage is not collected in the next.
 * - SIGHTGLASS_BENCH_ROUNDS (default 11) and SIGHTGLASS_BENCH_SECONDS (default 4) set the rounds.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { available, canPin } from '@sightglass/bench-kit';

const SERVER_CPU = 1;
const LOAD_CPU = 0;
const CONNECTIONS = 32;
/**
 * Servers and wrk run at a raised priority when the bench may raise it (root), so that other processes on
 * the machine preempt them less; otherwise `nice` says it cannot and runs them at the usual priority.
 */
const PRIORITY = process.env.SIGHTGLASS_BENCH_NICE === '0' ? [] : ['nice', '-n', '-10'];
const serverFile = fileURLToPath(new URL('./server.ts', import.meta.url));

/** A target on the median over rounds. */
export type Target =
  | { kind: 'over-floor'; case: string; floor: string; maxExcess: number }
  | { kind: 'below'; case: string; peer: string };

export interface BenchPlan {
  framework: 'node' | 'express' | 'fastify';
  title: string;
  /** Variant ids (as the framework's *-variants.ts names them) with the labels printed; `plain` first. */
  variants: Record<string, string>;
  targets: Target[];
}

const rounds = Number(process.env.SIGHTGLASS_BENCH_ROUNDS ?? 11);
const seconds = Number(process.env.SIGHTGLASS_BENCH_SECONDS ?? 4);

interface Server {
  id: string;
  child: ChildProcess;
  url: string;
  ask(type: 'gc' | 'cpu' | 'recorded'): Promise<number>;
}

function startServer(framework: string, id: string, pinned: boolean): Promise<Server> {
  const command = [process.execPath, '--expose-gc', '--import', 'tsx', serverFile, framework, id];
  const [file, ...args] = pinned ? [...PRIORITY, 'taskset', '-c', String(SERVER_CPU), ...command] : command;
  const child = spawn(file!, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, (value: number) => void>();
  let next = 1;
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the ${framework} ${id} server exited with ${code}`)));
    child.on('message', (message: { id: number; value: unknown }) => {
      if (message.id === 0) {
        resolve({
          id,
          child,
          url: String(message.value),
          ask: (type) =>
            new Promise((answer) => {
              const ask = next++;
              waiting.set(ask, answer);
              child.send({ id: ask, type });
            }),
        });
        return;
      }
      waiting.get(message.id)?.(Number(message.value));
      waiting.delete(message.id);
    });
  });
}

/** Loads a URL for `duration` seconds; resolves with the requests completed. */
function load(url: string, duration: number, pinned: boolean, id: string): Promise<number> {
  // A long timeout: a server waits its turn on the shared core, and wrk's 2 s default would count that wait
  // as an error.
  const command = ['wrk', '-t1', `-c${CONNECTIONS}`, `-d${duration}s`, '--timeout', '30s', url];
  const [file, ...args] = pinned ? [...PRIORITY, 'taskset', '-c', String(LOAD_CPU), ...command] : command;
  return new Promise((resolve, reject) => {
    execFile(file!, args, (error, stdout) => {
      if (error) return reject(error);
      if (/Non-2xx|Socket errors/.test(stdout))
        return reject(new Error(`wrk saw errors loading the ${id} server: ${stdout}`));
      const completed = /(\d+) requests in/.exec(stdout);
      if (completed === null) return reject(new Error(`unexpected wrk output: ${stdout}`));
      resolve(Number(completed[1]));
    });
  });
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const spread = (values: readonly number[], digits: number) =>
  `${Math.min(...values).toFixed(digits)} / ${median(values).toFixed(digits)} / ${Math.max(...values).toFixed(digits)}`;

/** Runs the plan, prints its table and PASS/MISS lines; sets a failing exit code on a miss. */
export async function runBench(plan: BenchPlan): Promise<void> {
  if (!available('wrk', '-v')) {
    console.error('wrk is not installed (apt-get install -y wrk): this benchmark needs it');
    process.exitCode = 1;
    return;
  }
  const pinned = canPin();
  // SIGHTGLASS_BENCH_ONLY=floor,ours measures only those variants (and plain).
  const only = process.env.SIGHTGLASS_BENCH_ONLY?.split(',');
  const ids = Object.keys(plan.variants).filter(
    (id) => id === 'plain' || only === undefined || only.includes(id),
  );
  const servers: Server[] = [];
  try {
    // Two processes per variant, started ABBA, so that one process's luck (its heap layout, its place in
    // the run queue) is not read as the variant's cost.
    for (const id of [...ids, ...[...ids].reverse()])
      servers.push(await startServer(plan.framework, id, pinned));
    for (const server of servers) await load(server.url, 2, pinned, server.id); // warm-up: compiled, caches filled
    const cpuPerRequest = new Map<string, number[]>(ids.map((id) => [id, []]));
    const completed = servers.map(() => 0);
    const busy: number[] = [];
    const noise: number[] = [];
    for (let round = 0; round < rounds; round++) {
      await Promise.all(servers.map((server) => server.ask('gc')));
      const before = await Promise.all(servers.map((server) => server.ask('cpu')));
      const startedAt = performance.now();
      // wrk processes start one after another: the first ones run a moment with fewer servers competing.
      // The starting order turns every round so that no variant always has that place.
      const shift = (round * 3) % servers.length;
      const order = [...servers.keys()].map((index) => (index + shift) % servers.length);
      if (round % 2 === 1) order.reverse();
      const requests = new Array<number>(servers.length);
      await Promise.all(
        order.map(async (index) => {
          const server = servers[index]!;
          requests[index] = await load(server.url, seconds, pinned, server.id);
        }),
      );
      const after = await Promise.all(servers.map((server) => server.ask('cpu')));
      const elapsedUs = (performance.now() - startedAt) * 1000;
      let used = 0;
      for (const id of ids) {
        // A variant's two processes together: their CPU time over their requests.
        const [first, second] = servers.flatMap((server, index) => (server.id === id ? [index] : []));
        const cpu = [first!, second!].map((index) => after[index]! - before[index]!);
        const done = [first!, second!].map((index) => requests[index]!);
        used += cpu[0]! + cpu[1]!;
        cpuPerRequest.get(id)!.push((cpu[0]! + cpu[1]!) / (done[0]! + done[1]!));
        if (id === 'plain') noise.push(cpu[0]! / done[0]! / (cpu[1]! / done[1]!));
      }
      busy.push(used / elapsedUs);
      requests.forEach((count, index) => {
        completed[index]! += count;
      });
    }
    const plain = cpuPerRequest.get('plain') ?? [];
    const ratios = new Map(
      ids.map((id) => [id, cpuPerRequest.get(id)!.map((value, round) => value / plain[round]!)]),
    );
    console.log(
      `\n## ${plan.title}\n\nServer CPU per request; ${rounds} rounds of ${seconds} s per variant under wrk -t1 -c${CONNECTIONS}` +
        `${pinned ? `, servers on core ${SERVER_CPU}, wrk on core ${LOAD_CPU}` : ' (not pinned: taskset or a second core missing)'}.\n`,
    );
    console.log(
      '| variant | µs CPU per request (min / median / max) | ratio to plain (min / median / max) | recorded |',
    );
    console.log('|---|---:|---:|---:|');
    for (const id of ids) {
      // Warm-up requests are recorded too; a process recording fewer than its measured ones missed some.
      let missed = '';
      for (const [index, server] of servers.entries()) {
        if (server.id !== id || id === 'plain') continue;
        const recorded = await server.ask('recorded');
        if (recorded < completed[index]!) missed = `NO (${recorded} of ${completed[index]})`;
      }
      const measured = id === 'plain' ? '—' : missed || 'yes';
      if (missed) process.exitCode = 1;
      console.log(
        `| ${plan.variants[id]} | ${spread(cpuPerRequest.get(id)!, 2)} | ${spread(ratios.get(id)!, 3)} | ${measured} |`,
      );
    }
    console.log(
      `\nNoise: plain's first process over its second, ${spread(noise, 3)}. ` +
        `Servers' core busy: ${spread(
          busy.map((share) => share * 100),
          0,
        )}% (the rest went to other processes).`,
    );
    console.log('');
    for (const target of plan.targets) {
      // SIGHTGLASS_BENCH_ONLY may have left out a variant a target compares: say so rather than judge it.
      const compared = [target.case, target.kind === 'over-floor' ? target.floor : target.peer];
      const missing = compared.filter((id) => !ratios.has(id));
      if (missing.length > 0) {
        console.log(
          `SKIP ${compared.map((id) => plan.variants[id]).join(' vs ')}: ${missing.join(', ')} not measured`,
        );
        continue;
      }
      const own = ratios.get(target.case)!;
      if (target.kind === 'over-floor') {
        const floor = ratios.get(target.floor)!;
        const excess = median(own.map((value, round) => value - floor[round]!));
        const met = excess <= target.maxExcess;
        console.log(
          `${met ? 'PASS' : 'MISS'} ${plan.variants[target.case]} ≤ ${plan.variants[target.floor]} + ${(target.maxExcess * 100).toFixed(0)}%: ` +
            `${excess >= 0 ? '+' : ''}${(excess * 100).toFixed(1)}% (median over rounds of the ratio difference)`,
        );
        if (!met) process.exitCode = 1;
      } else {
        const peer = ratios.get(target.peer)!;
        const met = median(own) < median(peer);
        console.log(
          `${met ? 'PASS' : 'MISS'} ${plan.variants[target.case]} below ${plan.variants[target.peer]}: ` +
            `${median(own).toFixed(3)} vs ${median(peer).toFixed(3)}`,
        );
        if (!met) process.exitCode = 1;
      }
    }
  } finally {
    for (const server of servers) server.child.kill('SIGTERM');
  }
}
