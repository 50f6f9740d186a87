import { request } from 'node:http';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { ErrorCode } from '@sightglass/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDashboard, type Dashboard } from './dashboard.js';
import type { DashboardData } from './dashboard-history.js';
import { createPrometheusReader } from './reader.js';
import { startMetricsServer } from './server.js';

/** A metrics server with the dashboard at a custom path and a title that needs escaping. */
let server: Awaited<ReturnType<typeof startMetricsServer>>;
let base: string;
let provider: MeterProvider;
beforeAll(async () => {
  const reader = createPrometheusReader();
  provider = new MeterProvider({ readers: [reader] });
  server = await startMetricsServer({
    port: 0,
    reader,
    dashboard: { path: '/ops/live', title: 'Gateway <prod>', intervalMs: 100 },
  });
  base = server.dashboardUrl!;
});
afterAll(async () => {
  await server.close();
  await provider.shutdown();
});

describe('createDashboard served by startMetricsServer', () => {
  it('serves one self-contained page that loads its scripts from below its own path', async () => {
    expect(base).toBe(`http://127.0.0.1:${server.port}/ops/live`);
    for (const url of [base, `${base}/`]) {
      const response = await fetch(url);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const page = await response.text();
      expect(page).toContain('<title>Gateway &#60;prod&#62; · live dashboard</title>');
      expect(page).toContain('<script src="/ops/live/uplot.js">');
      expect(page).not.toMatch(/https?:\/\//); // nothing from a CDN
    }
  });

  it('serves uPlot and its own script and style with their content types', async () => {
    const uplot = await fetch(`${base}/uplot.js`);
    expect(uplot.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await uplot.text()).toContain('uPlot');
    expect((await fetch(`${base}/uplot.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await (await fetch(`${base}/dashboard.js`)).text()).toContain('/data');
    expect((await fetch(`${base}/dashboard.css`)).status).toBe(200);
  });

  it('serves the recent history as JSON, sampled on its own', async () => {
    const first = (await (await fetch(`${base}/data`)).json()) as DashboardData;
    expect(first).toMatchObject({ intervalMs: 100, historyLength: 300, truncated: false });
    let later = first;
    await vi.waitFor(async () => {
      later = (await (await fetch(`${base}/data`)).json()) as DashboardData;
      expect(later.time.length).toBeGreaterThan(first.time.length);
    });
    expect(later.requests).toHaveProperty('p99');
    expect(later.slowRequests).toEqual({ windowSeconds: 30, shown: 10, requests: [] });
  });

  it('answers 404 below its path, 405 to anything but GET and HEAD, and HEAD without a body', async () => {
    expect((await fetch(`${base}/nope.js`)).status).toBe(404);
    const post = await fetch(`${base}/data`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await headRequest(`${base}/data`);
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('leaves other paths to the server: /metrics, the index and 404s', async () => {
    expect((await fetch(server.url)).status).toBe(200);
    expect(await (await fetch(server.url.replace('/metrics', '/'))).text()).toContain('/ops/live');
    expect((await fetch(`${base}x`)).status).toBe(404);
  });

  it('is off with dashboard: false', async () => {
    const plain = await startMetricsServer({ port: 0, reader: createPrometheusReader(), dashboard: false });
    expect(plain.dashboardUrl).toBeUndefined();
    expect((await fetch(plain.url.replace('/metrics', '/dashboard'))).status).toBe(404);
    await plain.close();
  });
});

describe('createDashboard', () => {
  it('returns false for requests that are not its own, so it composes with an application', () => {
    const dashboard: Dashboard = createDashboard();
    try {
      expect(dashboard.path).toBe('/dashboard');
      const handled = dashboard.handle({ url: '/api/chat', method: 'GET' } as never, {} as never);
      expect(handled).toBe(false);
    } finally {
      dashboard.close();
    }
  });

  it.each(['dashboard', '/dash/', '/a b', '/x?y'])('rejects the path %j with INVALID_CONFIG', (path) => {
    expect(() => createDashboard({ path })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_CONFIG }),
    );
  });

  it('rejects a traceUrl that is not http(s) with {traceId}, up front and in startMetricsServer', async () => {
    for (const traceUrl of ['javascript:alert(1)//{traceId}', 'http://localhost:16686/search']) {
      expect(() => createDashboard({ traceUrl })).toThrow(
        expect.objectContaining({ code: ErrorCode.INVALID_CONFIG }),
      );
    }
    await expect(
      startMetricsServer({
        port: 0,
        reader: createPrometheusReader(),
        dashboard: { traceUrl: '/t/{traceId}' },
      }),
    ).rejects.toMatchObject({ code: ErrorCode.INVALID_CONFIG });
  });
});

function headRequest(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { method: 'HEAD' }, (response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}
