/**
 * The built entry points as a user runs them: `node dist/main.js` in front of an Ollama, and
 * `node dist/demo.js` stopped with Ctrl-C. (Run after `pnpm build`; turbo's test task builds first.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CATALOG, prometheusName } from '@sightglass/core';
import { type FakeOllama, startFakeOllama } from '@sightglass/fake-ollama';
import { waitFor } from '@sightglass/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, post } from './test-support/http.js';

const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));

/** Starts a built entry point and collects everything it prints. */
function start(file: string, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [dist(file), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, exited, output: () => output };
}

function stop(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode === null) child.kill(signal);
}

describe('dist/main.js', () => {
  let ollama: FakeOllama;
  let app: ReturnType<typeof start>;

  beforeAll(async () => {
    ollama = await startFakeOllama({ tokensPerSecond: 2000, ttftMs: 5 });
    app = start('main.js', ['--port', '0'], { OLLAMA_URL: ollama.url });
  });
  afterAll(async () => {
    stop(app.child, 'SIGKILL');
    await ollama?.close();
  });

  it('serves the API, metrics and health on one port, and stops cleanly on SIGTERM', async () => {
    const url = await waitFor(
      'the gateway to print its URL',
      async () => /POST (http:\S+)\/v1\/chat/.exec(app.output())?.[1],
    );
    await waitFor('the warm-up', async () =>
      app.output().includes('warmed 36 common answers') ? true : undefined,
    );
    expect((await get(url, '/readyz')).status).toBe(200);
    const answer = await post(url, '/v1/generate', {
      model: 'llama3.2',
      prompt: 'How do I reset my password?',
    });
    expect(answer.headers.get('x-cache')).toBe('hit');
    expect((await get(url, '/metrics')).text).toContain(`${prometheusName(CATALOG.cacheHits)}{`);

    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect(app.output()).toContain('stopped cleanly');
  });
});

describe('dist/main.js with METRICS_PORT', () => {
  let ollama: FakeOllama;
  let app: ReturnType<typeof start>;

  beforeAll(async () => {
    ollama = await startFakeOllama({ tokensPerSecond: 2000, ttftMs: 5 });
    app = start('main.js', ['--port', '0'], { OLLAMA_URL: ollama.url, METRICS_PORT: '0' });
  });
  afterAll(async () => {
    stop(app.child, 'SIGKILL');
    await ollama?.close();
  });

  it('serves /metrics on a port of its own, in OpenMetrics for Prometheus, and not on the API port', async () => {
    const [api, metrics] = await waitFor('the gateway to print its URLs', async () => {
      const output = app.output();
      const apiUrl = /POST (http:\S+)\/v1\/chat/.exec(output)?.[1];
      const metricsUrl = /metrics: (http:\S+)/.exec(output)?.[1];
      return apiUrl && metricsUrl ? [apiUrl, metricsUrl] : undefined;
    });
    expect(new URL(metrics).port).not.toBe(new URL(api).port);
    const scrape = await fetch(metrics, {
      headers: { accept: 'application/openmetrics-text;version=1.0.0' },
    });
    expect(scrape.headers.get('content-type')).toContain('application/openmetrics-text');
    expect(await scrape.text()).toMatch(/# EOF\n$/);
    expect((await get(api, '/metrics')).status).toBe(404);
    expect((await get(api, '/readyz')).status).not.toBe(404); // probes stay on the API port
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  });
});

describe('dist/demo.js', () => {
  it('stops cleanly on Ctrl-C, with a summary of what it measured', async () => {
    const demo = start('demo.js', ['--duration', '60']);
    try {
      await waitFor(
        'the first scene',
        async () => (demo.output().includes('▶ 1/4') ? true : undefined),
        20_000,
      );
      // A real wait, bounded: the demo is a child process; half a second of its first scene before Ctrl-C.
      await new Promise((resolve) => setTimeout(resolve, 500));
      demo.child.kill('SIGINT');
      expect(await demo.exited).toBe(0);
      expect(demo.output()).toContain('Summary (interrupted)');
      expect(demo.output()).toContain('✓ no request lost');
      expect(demo.output()).toContain('stopped cleanly');
    } finally {
      stop(demo.child, 'SIGKILL');
    }
  });

  it('prints its usage with --help and refuses a bad argument', async () => {
    const help = start('demo.js', ['--help']);
    expect(await help.exited).toBe(0);
    expect(help.output()).toContain('--compare');
    const bad = start('demo.js', ['--rate', 'lots']);
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain('--rate must be a number');
  });
});
