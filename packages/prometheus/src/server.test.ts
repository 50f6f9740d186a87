import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { ErrorCode } from '@sightglass/core';
import { promtoolBinary, promtoolCheckMetrics } from '@sightglass/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusReader, type PrometheusReader } from './reader.js';
import { startMetricsServer, validatePort } from './server.js';

let reader: PrometheusReader;
let provider: MeterProvider;
beforeAll(() => {
  reader = createPrometheusReader();
  provider = new MeterProvider({ readers: [reader] });
  provider.getMeter('app').createHistogram('job_duration_seconds', { unit: 's' }).record(0.3);
});
afterAll(() => provider.shutdown());

describe('startMetricsServer', () => {
  it('serves the exposition, an index and 404s', async () => {
    const server = await startMetricsServer({ port: 0, reader });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    expect(await (await fetch(server.url)).text()).toContain('job_duration_seconds_bucket');
    expect(await (await fetch(server.url.replace('/metrics', '/'))).text()).toContain('/metrics');
    expect((await fetch(server.url.replace('/metrics', '/nope'))).status).toBe(404);
    expect((await fetch(`${server.url}?x=1`)).status).toBe(200);
    await server.close();
  });

  it('serves a custom path and brackets IPv6 hosts in its URL', async () => {
    const server = await startMetricsServer({ host: '::1', port: 0, path: '/prom', reader });
    expect(server.url).toBe(`http://[::1]:${server.port}/prom`);
    expect((await fetch(server.url)).status).toBe(200);
    await server.close();
  });

  it('fails with PORT_IN_USE, saying what to change, when the port is taken', async () => {
    const first = await startMetricsServer({ port: 0, reader });
    await expect(startMetricsServer({ port: first.port, reader })).rejects.toMatchObject({
      code: ErrorCode.PORT_IN_USE,
      message: expect.stringContaining('choose another port'),
    });
    await first.close();
  });

  it('fails with INVALID_PORT before listening', async () => {
    await expect(startMetricsServer({ port: -1 })).rejects.toMatchObject({ code: ErrorCode.INVALID_PORT });
    expect(() => validatePort('9464')).toThrow(/got "9464"/);
  });

  const promtool = promtoolBinary();
  it.skipIf(promtool === undefined)('serves an exposition promtool accepts', async () => {
    const server = await startMetricsServer({ port: 0, reader });
    expect(promtoolCheckMetrics(promtool!, await (await fetch(server.url)).text())).toEqual([]);
    await server.close();
  });
});
