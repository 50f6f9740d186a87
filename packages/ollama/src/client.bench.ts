/**
 * Our client against the official `ollama` package, in the same run, against fake-ollama in another process
 * (so the server's work does not share the client's event loop): non-streamed small chats at concurrency 32,
 * and streamed 256-token chats. Targets: ≥ 1.5× the official client's requests per second, and metrics on
 * costing ≤ 5% against `metrics: false` (client processes side by side, see metricsSideBySide). Then what
 * tracing costs a call (tracingSideBySide), reported without a target.
 *
 * `SIGHTGLASS_BENCH_ONLY=official,metrics,tracing` (any of them) runs only those sections.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compareMeasured, compareSimultaneous, finish } from '@sightglass/bench-kit';
import { Ollama as OfficialOllama } from 'ollama';
import { Ollama } from './client.js';
import { CONCURRENCY, load, SMALL_CHAT, streamLongChat } from './test-support/chat-load.js';

const SMALL_REQUESTS = 4000;
const STREAM_REQUESTS = 1000;

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const cli = fileURLToPath(import.meta.resolve('@sightglass/fake-ollama/package.json')).replace(
    /package\.json$/,
    'src/cli.ts',
  );
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      cli,
      '--port',
      '0',
      '--tps',
      'inf',
      '--ttft-ms',
      '0',
      '--tokens',
      '256',
      '--parallel',
      '64',
      '--max-queue',
      '4096',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (data: Buffer) => {
      output += data.toString();
      const match = /listening on (\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`fake-ollama exited with ${code}`)));
  });
  return { url, child };
}

const { url, child } = await startServer();
const official = new OfficialOllama({ host: url });
const ours = new Ollama({ host: url, name: 'bench', connections: CONCURRENCY });

type Client = Pick<Ollama, 'chat'>;

const chats = (client: Client) => async () =>
  (await load(SMALL_REQUESTS, () => client.chat(SMALL_CHAT))).wallNs;
// A 256-line stream costs the fake server more CPU than the client (it is the bottleneck of wall-clock
// throughput on a small machine), so streams are compared by the client process's CPU per stream.
const streams = (client: Client) => async () => (await streamLoad(client)).cpuNs;
const streamsWall = (client: Client) => async () => (await streamLoad(client)).wallNs;
const streamLoad = (client: Client) => load(STREAM_REQUESTS, () => streamLongChat(client));

/** A client process of its own (test-support/load-client.ts), with metrics on or off. */
interface LoadClient {
  round(kind: 'chats' | 'streams', requests: number): Promise<number>;
  exit(): void;
}

async function startLoadClient(
  metrics: 'on' | 'off',
  tracing: 'none' | 'off' | 'root' | 'unparented' | 'sampled' | 'unsampled' = 'none',
): Promise<LoadClient> {
  const script = fileURLToPath(new URL('./test-support/load-client.ts', import.meta.url));
  const child = fork(script, [url, metrics, tracing], { execArgv: ['--import', 'tsx'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the load client exited with ${code}`)));
  });
  return {
    round: (kind, requests) =>
      new Promise<number>((resolve, reject) => {
        child.once('message', (answer: { cpuNs: number }) => resolve(answer.cpuNs));
        child.once('exit', (code) => reject(new Error(`the load client exited with ${code}`)));
        child.send({ kind, requests });
      }),
    exit: () => child.send('exit'),
  };
}

/**
 * Metrics on against `metrics: false`, side by side: four client processes (off, on, on, off) load the
 * fake server at the same time, each measuring its own CPU per request, so a slow moment of the machine
 * weighs on both variants alike. Measured one after the other in one process, rounds differed by ±5%, as
 * much as the target; the metrics' own work is a few histogram records per call. The two `metrics: false`
 * processes compared with each other show the noise floor.
 */
async function metricsSideBySide(kind: 'chats' | 'streams', requests: number, what: string): Promise<void> {
  const clients = await Promise.all(
    (['off', 'on', 'on', 'off'] as const).map((metrics) => startLoadClient(metrics)),
  );
  const roundAll = () => Promise.all(clients.map((client) => client.round(kind, requests)));
  try {
    await roundAll(); // warm up: connections, JIT
    await compareSimultaneous({
      title: `Metrics on against metrics: false (${what}; four client processes side by side)`,
      baseline: 'metrics: false',
      candidates: ['metrics on', 'metrics: false (its two processes compared)'],
      rounds: 7,
      async measureRound() {
        const [off1, on1, on2, off2] = (await roundAll()) as [number, number, number, number];
        const off = (off1 + off2) / 2;
        return {
          'metrics: false': off,
          'metrics on': (on1 + on2) / 2,
          // Scaled so that its ratio to the baseline is one `metrics: false` process against the other.
          'metrics: false (its two processes compared)': off * (off1 / off2),
        };
      },
      targets: [{ case: 'metrics on', maxRatio: 1.05, description: 'metrics cost at most 5%' }],
    });
  } finally {
    for (const client of clients) client.exit();
  }
}

/**
 * What tracing costs a call, side by side as for the metrics: seven client processes (metrics on in all) load
 * the fake server at once, each measuring its own CPU per request. Four have OpenTelemetry registered (a
 * tracer provider with a BatchSpanProcessor and an exporter that drops the spans, the AsyncLocalStorage
 * context manager, the W3C propagator): the client's `tracing: false`, the baseline, in two processes (the
 * noise floor); calls under no active span, so each call's span is a sampled root; the same with
 * `requireParentSpan`, so no span (the target: at most 2% with no active span); calls under a sampled
 * span (a traced request handler); calls under a span the sampler dropped. The seventh has nothing of
 * OpenTelemetry registered: what registering it costs the application (the context manager's async hooks
 * on every promise), which is not the client's. Per-round ratios are printed as min, median and max.
 */
async function tracingSideBySide(kind: 'chats' | 'streams', requests: number, what: string): Promise<void> {
  const variants = ['off', 'root', 'unparented', 'sampled', 'unsampled', 'none', 'off'] as const;
  const clients = await Promise.all(variants.map((tracing) => startLoadClient('on', tracing)));
  const roundAll = () => Promise.all(clients.map((client) => client.round(kind, requests)));
  const baseline = 'tracing: false (OpenTelemetry registered)';
  const names = [
    'provider, no active span (a root span per call)',
    'provider, no active span, requireParentSpan (no span)',
    'under a sampled span',
    'under an unsampled span',
    'nothing of OpenTelemetry registered',
    'tracing: false (its two processes compared)',
  ];
  const ratios = new Map<string, number[]>(names.map((name) => [name, []]));
  try {
    await roundAll(); // warm up: connections, JIT
    await compareSimultaneous({
      title: `Tracing against tracing: false (${what}; seven client processes side by side)`,
      baseline,
      candidates: names,
      rounds: 7,
      async measureRound() {
        const [off1, root, unparented, sampled, unsampled, none, off2] = (await roundAll()) as [
          number,
          number,
          number,
          number,
          number,
          number,
          number,
        ];
        const off = (off1 + off2) / 2;
        const round: Record<string, number> = {
          [baseline]: off,
          [names[0]!]: root,
          [names[1]!]: unparented,
          [names[2]!]: sampled,
          [names[3]!]: unsampled,
          [names[4]!]: none,
          // Scaled so that its ratio to the baseline is one `tracing: false` process against the other.
          [names[5]!]: off * (off1 / off2),
        };
        for (const name of names) ratios.get(name)!.push(round[name]! / off);
        return round;
      },
    });
    console.log('\n| case | ratio min | median | max |\n|---|---:|---:|---:|');
    for (const [name, values] of ratios) {
      const sorted = [...values].sort((a, b) => a - b);
      const cell = (value: number) => value.toFixed(3);
      console.log(
        `| ${name} | ${cell(sorted[0]!)} | ${cell(sorted[Math.floor(sorted.length / 2)]!)} | ${cell(sorted.at(-1)!)} |`,
      );
    }
  } finally {
    for (const client of clients) client.exit();
  }
}

const only = process.env.SIGHTGLASS_BENCH_ONLY?.split(',');
const runs = (section: string) => only === undefined || only.includes(section);

// Warm both (connections, JIT) before measuring.
await chats(official as unknown as Client)();
await chats(ours)();

try {
  if (runs('official')) await officialComparisons();
  if (runs('metrics')) {
    await metricsSideBySide('chats', SMALL_REQUESTS, 'non-streamed small chats, client CPU per request');
    await metricsSideBySide(
      'streams',
      STREAM_REQUESTS / 2,
      'streamed 256-token chats, client CPU per stream',
    );
  }
  if (runs('tracing')) {
    await tracingSideBySide('chats', SMALL_REQUESTS, 'non-streamed small chats, client CPU per request');
    await tracingSideBySide(
      'streams',
      STREAM_REQUESTS / 2,
      'streamed 256-token chats, client CPU per stream',
    );
  }
} finally {
  await ours.close();
  child.kill('SIGTERM');
}
finish();

async function officialComparisons(): Promise<void> {
  await compareMeasured({
    title: `Non-streamed small chats, concurrency ${CONCURRENCY}: @sightglass/ollama against ollama`,
    baseline: { name: 'ollama (official)', measure: chats(official as unknown as Client) },
    candidates: [{ name: '@sightglass/ollama', measure: chats(ours) }],
    targets: [
      { case: '@sightglass/ollama', maxRatio: 1 / 1.5, description: 'at least 1.5× the requests per second' },
    ],
    rounds: 5,
  });
  await compareMeasured({
    title: `Streamed 256-token chats, concurrency ${CONCURRENCY}, wall clock (server-bound, no target)`,
    baseline: { name: 'ollama (official)', measure: streamsWall(official as unknown as Client) },
    candidates: [{ name: '@sightglass/ollama', measure: streamsWall(ours) }],
    rounds: 3,
  });
  await compareMeasured({
    title: `Streamed 256-token chats, concurrency ${CONCURRENCY}, client CPU per stream: @sightglass/ollama against ollama`,
    baseline: { name: 'ollama (official)', measure: streams(official as unknown as Client) },
    candidates: [{ name: '@sightglass/ollama', measure: streams(ours) }],
    targets: [
      { case: '@sightglass/ollama', maxRatio: 1 / 1.5, description: 'at least 1.5× the streams per second' },
    ],
    rounds: 5,
  });
}
