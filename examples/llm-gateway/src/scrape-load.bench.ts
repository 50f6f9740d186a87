/**
 * The gateway's API latency while 20 scrapers scrape it every second, against the same gateway with no
 * scrapes, in the same run. Target: p99 with the scrapers at most 1.5× the p99 without.
 *
 * - The gateway runs in a process of its own, pinned to core 1; wrk (a paced load of cached chat answers, 20
 *   connections each pausing 100 ms between requests: about 200 requests a second) is pinned to core 0 with
 *   this process (the scrapers and the fake Ollama), so the load generator is not what is measured.
 * - The scrapes fetch `/metrics` as Prometheus asks for it (OpenMetrics first, gzip), 2,000 extra series on
 *   top of the gateway's own, from a port of their own (METRICS_PORT, as docs/monitoring.md recommends) or
 *   from the API's port, staggered over the second as independent scrapers are.
 * - Beside wrk's p99, the gateway reports its event-loop delay p99 over the same phase (the server-side
 *   view: how long a request that arrived could have waited for the loop).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { available, canPin, compareMeasured, finish, pinnedCommand, runWrk } from '@sightglass/bench-kit';
import { startFakeOllama } from '@sightglass/fake-ollama';

const PHASE_SECONDS = 8;
const ROUNDS = 3;
const SCRAPERS = 20;
const SCRAPE_EVERY_MS = 1000;
const CONNECTIONS = 20;
const PAUSE_MS = 100;
const GATEWAY_CPU = 1;
const LOAD_CPU = 0;
const gatewayScript = fileURLToPath(new URL('./test-support/scrape-load-gateway.ts', import.meta.url));
const CHAT = {
  method: 'POST',
  body: JSON.stringify({
    model: 'llama3.2',
    messages: [{ role: 'user', content: 'How do I reset my password?' }],
  }),
  headers: { 'content-type': 'application/json' },
};
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

interface Gateway {
  api: string;
  metrics: string;
  child: ChildProcess;
  /** The gateway's event-loop delay p99 in ms since the last call. */
  loopDelayP99Ms(): Promise<number>;
}

async function startGateway(mode: string, ollamaUrl: string): Promise<Gateway> {
  const [file, ...args] = pinnedCommand(GATEWAY_CPU, [
    process.execPath,
    '--import',
    'tsx',
    gatewayScript,
    mode,
  ]);
  const child = spawn(file!, args, {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: { ...process.env, OLLAMA_URL: ollamaUrl },
  });
  const urls = await new Promise<{ api: string; metrics: string }>((resolve, reject) => {
    child.stdout?.once('data', (data: Buffer) => resolve(JSON.parse(data.toString())));
    child.once('exit', (code) => reject(new Error(`the gateway exited with ${code}`)));
  });
  return {
    ...urls,
    child,
    loopDelayP99Ms: () =>
      new Promise((resolve) => {
        child.once('message', (message) => resolve((message as { loopDelayP99Ms: number }).loopDelayP99Ms));
        child.send('loop-delay');
      }),
  };
}

/** Scrapes `url` from `SCRAPERS` loops every second until `stop`; resolves with the scrapes made. */
async function scrape(url: string, stop: AbortSignal): Promise<number> {
  let scrapes = 0;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const loop = async (offsetMs: number) => {
    await pause(offsetMs);
    while (!stop.aborted) {
      const started = performance.now();
      const response = await fetch(url, {
        headers: { accept: PROMETHEUS_ACCEPT, 'accept-encoding': 'gzip' },
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`scrape answered ${response.status}`);
      scrapes++;
      const wait = SCRAPE_EVERY_MS - (performance.now() - started);
      if (wait > 0 && !stop.aborted) await pause(wait);
    }
  };
  await Promise.all(
    Array.from({ length: SCRAPERS }, (_, index) => loop((index * SCRAPE_EVERY_MS) / SCRAPERS)),
  );
  return scrapes;
}

if (!available('wrk', '-v')) {
  console.error('wrk is not installed (apt-get install -y wrk): this benchmark needs it');
  process.exit(1);
}
// This process (scrapers, fake Ollama) shares wrk's core, every thread of it, away from the gateway's.
if (canPin())
  execFileSync('taskset', ['-a', '-cp', String(LOAD_CPU), String(process.pid)], { stdio: 'ignore' });

const ollama = await startFakeOllama({ tokensPerSecond: 5000, ttftMs: 1 });
try {
  for (const [mode, where] of [
    ['metrics-port', '/metrics on a port of its own (METRICS_PORT)'],
    ['same-port', '/metrics on the API port'],
  ] as const) {
    const gateway = await startGateway(mode, ollama.url);
    try {
      const load = (seconds: number) =>
        runWrk({
          url: `${gateway.api}/v1/chat`,
          connections: CONNECTIONS,
          durationSeconds: seconds,
          cpu: LOAD_CPU,
          request: CHAT,
          delayMs: PAUSE_MS,
        });
      await load(3); // warm up: the answer is cached after the first call, the code is compiled
      const quiet = `API p99, no scrapes (~${(CONNECTIONS * 1000) / PAUSE_MS} req/s)`;
      const scraped = `API p99, ${SCRAPERS} scrapers every second`;
      const loopDelay = new Map<string, number[]>([
        [quiet, []],
        [scraped, []],
      ]);
      let scrapesMade = 0;
      const phase = async (name: string, withScrapes: boolean): Promise<number> => {
        const stop = new AbortController();
        const scrapes = withScrapes ? scrape(gateway.metrics, stop.signal) : Promise.resolve(0);
        if (withScrapes) await new Promise((resolve) => setTimeout(resolve, 1500)); // every scraper started
        await gateway.loopDelayP99Ms(); // starts the phase's loop-delay window
        const result = await load(PHASE_SECONDS);
        loopDelay.get(name)!.push(await gateway.loopDelayP99Ms());
        stop.abort();
        scrapesMade += await scrapes;
        return result.p99Ms * 1e6;
      };
      await compareMeasured({
        title: `Gateway API latency under scrapes: ${where}, 2,000 extra series, ${ROUNDS} rounds of ${PHASE_SECONDS} s${canPin() ? `, gateway on core ${GATEWAY_CPU}, load on core ${LOAD_CPU}` : ' (not pinned)'}`,
        baseline: { name: quiet, measure: () => phase(quiet, false) },
        candidates: [{ name: scraped, measure: () => phase(scraped, true) }],
        rounds: ROUNDS,
        targets: [
          { case: scraped, maxRatio: 1.5, description: `${where}: p99 with scrapes at most 1.5× without` },
        ],
      });
      console.log(`(ns/op is wrk's p99 latency in ns; ${scrapesMade} scrapes made)`);
      for (const [name, values] of loopDelay) {
        console.log(
          `gateway event-loop delay p99, ${name}: ${values.map((value) => value.toFixed(1)).join(' / ')} ms`,
        );
      }
    } finally {
      gateway.child.kill('SIGTERM');
    }
  }
} finally {
  await ollama.close();
}
finish();
