/**
 * End to end: Debian's real Prometheus scrapes the quickstart, and its query API returns the quickstart's
 * request counter.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { prometheusBinary, type RunningPrometheus, startPrometheus, waitFor } from '@sightglass/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const prometheus = prometheusBinary();

describe.skipIf(prometheus === undefined)('quickstart scraped by a real Prometheus', () => {
  let app: ChildProcess;
  let output = '';
  let server: RunningPrometheus;
  let metricsUrl: URL;

  beforeAll(async () => {
    app = spawn(process.execPath, [main, '--self-traffic'], {
      env: { ...process.env, PORT: '0', METRICS_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    app.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    app.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    metricsUrl = await waitFor('the quickstart to print its metrics URL', async () => {
      const match = /metrics: (http:\S+)/.exec(output);
      return match ? new URL(match[1]!) : undefined;
    });
    server = await startPrometheus(prometheus!, [metricsUrl.host]);
  });

  afterAll(async () => {
    await server?.stop();
    if (app && app.exitCode === null) {
      const exited = new Promise((resolve) => app.once('exit', resolve));
      app.kill('SIGINT');
      await exited;
    }
  });

  it('shows the target up and the request counter in the query API', async () => {
    const result = await waitFor(
      'Prometheus to scrape the request counter',
      async () => {
        const rows = await server.query('requests_total{job="sightglass-test",route="/hello",status="200"}');
        return rows.length > 0 && Number(rows[0]!.value[1]) > 0 ? rows : undefined;
      },
      30_000,
      250,
    );
    expect(result[0]!.metric).toMatchObject({
      __name__: 'requests_total',
      method: 'GET',
      route: '/hello',
      status: '200',
      otel_scope_name: '@sightglass/core',
    });
    const [target] = await server.targets();
    expect(target).toMatchObject({ health: 'up', lastError: '' });
    // Unmatched paths are counted under one fixed route; the latency histogram's rate needs two scrapes.
    const notFound = await waitFor('a 404 to be scraped', async () => {
      const rows = await server.query('requests_total{route="unmatched",status="404"}');
      return rows.length > 0 ? rows : undefined;
    });
    expect(Number(notFound[0]!.value[1])).toBeGreaterThan(0);
    const latency = await waitFor('a request rate', async () => {
      const rows = await server.query('sum(rate(request_duration_seconds_count{route="/hello"}[1m]))');
      return rows.length > 0 && Number(rows[0]!.value[1]) > 0 ? rows : undefined;
    });
    expect(Number(latency[0]!.value[1])).toBeGreaterThan(0);
  });

  it('stops cleanly on Ctrl-C', async () => {
    const exited = new Promise<number | null>((resolve) => app.once('exit', resolve));
    app.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('stopped cleanly');
  });
});
