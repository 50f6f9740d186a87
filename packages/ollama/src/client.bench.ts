/**
 * Our client against the official `ollama` package, in the same run, against fake-ollama in another process
 * (so the server's work does not share the client's event loop): non-streamed small chats at concurrency 32,
 * and streamed 256-token chats. Targets: ≥ 1.5× the official client's requests per second, and metrics on
 * costing ≤ 5% against `metrics: false`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compareMeasured, finish } from '@sightglass/bench-kit';
import { Ollama as OfficialOllama } from 'ollama';
import { Ollama } from './client.js';

const CONCURRENCY = 32;
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
const quiet = new Ollama({ host: url, name: 'bench-quiet', connections: CONCURRENCY, metrics: false });

type Client = Pick<Ollama, 'chat'>;
const small = { model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }], options: { num_predict: 8 } };
const long = { model: 'llama3.2', messages: [{ role: 'user', content: 'Tell me a story' }] };

/** What one batch cost: wall-clock ns per request, and this process's CPU ns per request. */
interface Cost {
  wallNs: number;
  cpuNs: number;
}

/** Runs `requests` calls with `CONCURRENCY` in flight. */
async function load(requests: number, call: () => Promise<unknown>): Promise<Cost> {
  let next = 0;
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < requests) await call();
    }),
  );
  const wallNs = Number(process.hrtime.bigint() - started) / requests;
  const used = process.cpuUsage(cpu);
  return { wallNs, cpuNs: ((used.user + used.system) * 1000) / requests };
}

const chats = (client: Client) => async () => (await load(SMALL_REQUESTS, () => client.chat(small))).wallNs;
// What the metrics cost is work in the client's process: measured as its CPU per request, which the fake
// server's share of the two cores does not blur as it blurs the wall clock.
const chatsCpu = (client: Client) => async () => (await load(SMALL_REQUESTS, () => client.chat(small))).cpuNs;
// A 256-line stream costs the fake server more CPU than the client (it is the bottleneck of wall-clock
// throughput on a small machine), so streams are compared by the client process's CPU per stream.
const streams = (client: Client) => async () => (await streamLoad(client)).cpuNs;
const streamsWall = (client: Client) => async () => (await streamLoad(client)).wallNs;
const streamLoad = (client: Client) =>
  load(STREAM_REQUESTS, async () => {
    let tokens = 0;
    for await (const chunk of await client.chat({ ...long, stream: true }))
      if (chunk.message.content) tokens++;
    if (tokens !== 256) throw new Error(`expected 256 tokens, got ${tokens}`);
  });

// Warm both (connections, JIT) before measuring.
await chats(official as unknown as Client)();
await chats(ours)();
await chats(quiet)();

try {
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
  await compareMeasured({
    title: 'Metrics on against metrics: false (non-streamed small chats, client CPU per request)',
    baseline: { name: 'metrics: false', measure: chatsCpu(quiet) },
    candidates: [{ name: 'metrics on', measure: chatsCpu(ours) }],
    targets: [{ case: 'metrics on', maxRatio: 1.05, description: 'metrics cost at most 5%' }],
    rounds: 7,
  });
  await compareMeasured({
    title: 'Metrics on against metrics: false (streamed 256-token chats, client CPU per stream)',
    baseline: { name: 'metrics: false', measure: streams(quiet) },
    candidates: [{ name: 'metrics on', measure: streams(ours) }],
    targets: [{ case: 'metrics on', maxRatio: 1.05, description: 'metrics cost at most 5%' }],
    rounds: 7,
  });
} finally {
  await Promise.all([ours.close(), quiet.close()]);
  child.kill('SIGTERM');
}
finish();
