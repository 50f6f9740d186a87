/**
 * The gateway's API latency while 20 scrapers scrape it every second, against the same gateway with no
 * scrapes, in the same run. The API gets an open-loop load of cached chat answers at a fixed rate (latency
 * counted from each request's scheduled time, so a stall is not hidden by the load waiting for it); the
 * scrapes fetch `/metrics` (2,000 extra series, OpenMetrics, gzip, as Prometheus asks) from a port of its own
 * (METRICS_PORT, as docs/monitoring.md recommends) or from the API's port. The gateway runs in a process of
 * its own, on one core when `taskset` is there; the load, the scrapers and the fake Ollama on the other.
 * Target: p99 with the scrapers at most 1.5× the p99 without.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { compareMeasured, finish } from '@sightglass/bench-kit';
import { startFakeOllama } from '@sightglass/fake-ollama';

const RATE_PER_SECOND = 200;
const PHASE_SECONDS = 8;
const ROUNDS = 3;
const SCRAPERS = 20;
const SCRAPE_EVERY_MS = 1000;
const gatewayScript = fileURLToPath(new URL('./test-support/scrape-load-gateway.ts', import.meta.url));
const CHAT = JSON.stringify({
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'How do I reset my password?' }],
});
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return availableParallelism() >= 2;
  } catch {
    return false;
  }
}
const pinned = hasTaskset();

async function startGateway(
  mode: string,
  ollamaUrl: string,
): Promise<{ api: string; metrics: string; child: ChildProcess }> {
  const command = [process.execPath, '--import', 'tsx', gatewayScript, mode];
  const child = pinned
    ? spawn('taskset', ['-c', '0', ...command], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, OLLAMA_URL: ollamaUrl },
      })
    : spawn(command[0]!, command.slice(1), {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, OLLAMA_URL: ollamaUrl },
      });
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', (data: Buffer) =>
      resolve({ ...(JSON.parse(data.toString()) as { api: string; metrics: string }), child }),
    );
    child.once('exit', (code) => reject(new Error(`the gateway exited with ${code}`)));
  });
}

/** Scrapes `url` from `SCRAPERS` loops every second until `stop`; resolves with the scrapes made. */
async function scrape(url: string, stop: AbortSignal): Promise<number> {
  let scrapes = 0;
  const loop = async (offsetMs: number) => {
    await new Promise((resolve) => setTimeout(resolve, offsetMs));
    while (!stop.aborted) {
      const started = performance.now();
      const response = await fetch(url, {
        headers: { accept: PROMETHEUS_ACCEPT, 'accept-encoding': 'gzip' },
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`scrape answered ${response.status}`);
      scrapes++;
      const wait = SCRAPE_EVERY_MS - (performance.now() - started);
      if (wait > 0 && !stop.aborted) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  };
  await Promise.all(
    Array.from({ length: SCRAPERS }, (_, index) => loop((index * SCRAPE_EVERY_MS) / SCRAPERS)),
  );
  return scrapes;
}

/** Sends chats at a fixed rate for `seconds`; resolves with the p99 latency in ns (from the scheduled time). */
async function apiLoad(api: string, seconds: number): Promise<number> {
  const latencies: number[] = [];
  const pending: Array<Promise<void>> = [];
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < seconds * 1000) {
    const due = Math.floor(((performance.now() - start) / 1000) * RATE_PER_SECOND);
    for (; sent < due; sent++) {
      const scheduled = start + (sent / RATE_PER_SECOND) * 1000;
      pending.push(
        fetch(`${api}/v1/chat`, {
          method: 'POST',
          body: CHAT,
          headers: { 'content-type': 'application/json' },
        }).then(async (response) => {
          await response.arrayBuffer();
          if (response.status !== 200) throw new Error(`the API answered ${response.status}`);
          latencies.push(performance.now() - scheduled);
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  return latencies[Math.floor(latencies.length * 0.99)]! * 1e6;
}

const ollama = await startFakeOllama({ tokensPerSecond: 5000, ttftMs: 1 });
try {
  for (const [mode, where] of [
    ['metrics-port', '/metrics on a port of its own (METRICS_PORT)'],
    ['same-port', '/metrics on the API port'],
  ] as const) {
    const gateway = await startGateway(mode, ollama.url);
    try {
      await apiLoad(gateway.api, 2); // warm up: the answer is cached after the first call
      await apiLoad(gateway.api, 1);
      const quiet = `API p99, no scrapes (${RATE_PER_SECOND} req/s)`;
      const scraped = `API p99, ${SCRAPERS} scrapers every second`;
      let scrapesMade = 0;
      await compareMeasured({
        title: `Gateway API latency under scrapes: ${where}, 2,000 extra series, ${ROUNDS} rounds of ${PHASE_SECONDS} s${pinned ? ', gateway on one core' : ''}`,
        baseline: { name: quiet, measure: () => apiLoad(gateway.api, PHASE_SECONDS) },
        candidates: [
          {
            name: scraped,
            async measure() {
              const stop = new AbortController();
              const scrapes = scrape(gateway.metrics, stop.signal);
              await new Promise((resolve) => setTimeout(resolve, 1500)); // every scraper has started
              const p99 = await apiLoad(gateway.api, PHASE_SECONDS);
              stop.abort();
              scrapesMade += await scrapes;
              return p99;
            },
          },
        ],
        rounds: ROUNDS,
        targets: [
          { case: scraped, maxRatio: 1.5, description: `${where}: p99 with scrapes at most 1.5× without` },
        ],
      });
      console.log(`(ns/op is the p99 latency in ns; ${scrapesMade} scrapes made)`);
    } finally {
      gateway.child.kill('SIGTERM');
    }
  }
} finally {
  await ollama.close();
}
finish();
