import { createServer, type Server } from 'node:http';
import {
  ErrorCode,
  HealthRegistry,
  type HealthReport,
  healthRegistry,
  SIGHTGLASS_VERSION,
} from '@sightglass/core';
import express from 'express';
import Fastify from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fastifyHealth } from './fastify.js';
import { healthResponse, livenessResponse, markNotReady, readinessResponse } from './health-response.js';
import { createHealthHandlers } from './node-http.js';
import { startMetricsServer } from './server.js';

const body = (parts: { body: string }) => JSON.parse(parts.body) as Record<string, unknown>;

describe('/health', () => {
  it('has the shape of the spec, empty components included, with uptime and version', async () => {
    const registry = new HealthRegistry();
    registry.register({
      component: 'circuit_breakers',
      name: 'ollama',
      check: () => ({ status: 'healthy', details: { state: 'closed' } }),
    });
    const parts = await healthResponse({ registry });
    expect(parts.status).toBe(200);
    expect(parts.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(body(parts)).toEqual({
      status: 'healthy',
      circuit_breakers: { ollama: { status: 'healthy', details: { state: 'closed' }, critical: false } },
      connection_pool: {},
      cache: {},
      uptime_seconds: expect.any(Number),
      version: SIGHTGLASS_VERSION,
    });
  });

  it('answers 200 when degraded and 503 when a critical part is unhealthy', async () => {
    const registry = new HealthRegistry();
    registry.register({
      component: 'circuit_breakers',
      name: 'ollama',
      check: () => ({ status: 'unhealthy' }),
    });
    expect(await healthResponse({ registry })).toMatchObject({ status: 200 });
    expect(body(await healthResponse({ registry })).status).toBe('degraded');
    registry.register({
      component: 'db',
      name: 'main',
      critical: true,
      check: () => ({ status: 'unhealthy' }),
    });
    expect((await healthResponse({ registry })).status).toBe(503);
  });

  it('hides details when asked, and never hangs on a slow check', async () => {
    const registry = new HealthRegistry();
    registry.register({
      component: 'cache',
      name: 'slow',
      check: () => new Promise(() => {}),
      timeoutMs: 20,
    });
    registry.register({
      component: 'cache',
      name: 'answers',
      check: () => ({ status: 'healthy', details: { secret: 'host-1' } }),
    });
    const shown = body(await healthResponse({ registry, timeoutMs: 50 }));
    expect(shown.cache).toMatchObject({
      slow: { status: 'unhealthy', details: { reason: 'check timed out after 20 ms' } },
    });
    const hidden = body(await healthResponse({ registry, details: 'never', version: '9.9.9' }));
    expect(hidden).toMatchObject({
      cache: { slow: { status: 'unhealthy' }, answers: { status: 'healthy' } },
      version: '9.9.9',
    });
    expect(JSON.stringify(hidden)).not.toContain('host-1');
  });
});

it('does not let a component named like a top-level field overwrite it', async () => {
  const registry = new HealthRegistry();
  registry.register({ component: 'status', name: 'x', check: () => ({ status: 'healthy' }) });
  expect(body(await healthResponse({ registry })).status).toBe('healthy');
});

describe('/livez and /readyz', () => {
  afterEach(() => healthRegistry().markReady());

  it('/livez answers while the process runs, whatever its dependencies', () => {
    expect(livenessResponse()).toMatchObject({ status: 200 });
  });

  it('/readyz waits for readiness gates and critical checks, and says why', async () => {
    const registry = new HealthRegistry();
    const gate = registry.readinessGate('cache answers');
    expect(await readinessResponse({ registry })).toMatchObject({ status: 503 });
    expect(body(await readinessResponse({ registry }))).toEqual({
      status: 'not_ready',
      reasons: ['cache answers'],
    });
    gate.open();
    expect(await readinessResponse({ registry })).toMatchObject({ status: 200 });
    let healthy = false;
    registry.register({
      component: 'db',
      name: 'main',
      critical: true,
      check: () => ({ status: healthy ? 'healthy' : 'unhealthy' }),
    });
    expect(body(await readinessResponse({ registry, details: 'never' }))).toEqual({ status: 'not_ready' });
    healthy = true;
    expect(await readinessResponse({ registry, maxAgeMs: 0 })).toMatchObject({ status: 200 });
  });

  it('/readyz reports not ready once shutdown begins', async () => {
    markNotReady();
    expect(body(await readinessResponse())).toEqual({ status: 'not_ready', reasons: ['shutting down'] });
  });
});

describe('health endpoints on servers', () => {
  const servers: Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  it('are served by the standalone metrics server, and can be turned off', async () => {
    const server = await startMetricsServer({ port: 0 });
    const base = server.url.replace('/metrics', '');
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    expect(await (await fetch(`${base}/health`)).json()).toMatchObject({ status: expect.any(String) });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    await server.close();
    const bare = await startMetricsServer({ port: 0, health: false });
    expect((await fetch(bare.url.replace('/metrics', '/health'))).status).toBe(404);
    await bare.close();
  });

  it('are served by Express 5 routes', async () => {
    const app = express();
    const { health, livez, readyz } = createHealthHandlers();
    app.get('/health', health);
    app.get('/livez', livez);
    app.get('/readyz', readyz);
    const server = createServer(app);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    expect((await fetch(`${base}/health`)).headers.get('content-type')).toContain('application/json');
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('are served by the Fastify 5 plugin, at custom paths too', async () => {
    const app = Fastify();
    await app.register(fastifyHealth, { paths: { health: '/status' }, details: 'never' });
    expect((await app.inject({ method: 'GET', url: '/status' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/livez' })).json()).toMatchObject({ status: 'ok' });
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready' });
    await app.close();
  });
});

describe('/health when checks misbehave', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows a check whose details cannot be written as JSON as unhealthy, and the others as they are', async () => {
    const registry = new HealthRegistry();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    registry.register({
      component: 'cache',
      name: 'cycle',
      check: () => ({ status: 'healthy', details: cycle }),
    });
    registry.register({
      component: 'cache',
      name: 'bigint',
      check: () => ({ status: 'healthy', details: { n: 1n } }),
    });
    registry.register({
      component: 'connection_pool',
      name: 'ollama',
      check: () => ({ status: 'healthy', details: { active: 2 } }),
    });
    const parts = await healthResponse({ registry });
    expect(parts.status).toBe(200);
    expect(body(parts)).toMatchObject({
      status: 'degraded',
      cache: {
        cycle: {
          status: 'unhealthy',
          details: { reason: expect.stringContaining('cannot be written as JSON') },
        },
        bigint: { status: 'unhealthy', details: { reason: expect.stringContaining('BigInt') } },
      },
      connection_pool: { ollama: { status: 'healthy', details: { active: 2 } } },
    });
  });

  it('falls back to statuses when a report of another registry cannot be written', async () => {
    class LooseRegistry extends HealthRegistry {
      override evaluate(): Promise<HealthReport> {
        return Promise.resolve({
          status: 'healthy',
          components: { cache: { a: { status: 'healthy', critical: false, details: { n: 1n } } } },
        });
      }
    }
    const parts = await healthResponse({ registry: new LooseRegistry() });
    expect(body(parts)).toMatchObject({ status: 'healthy', cache: { a: { status: 'healthy' } } });
    expect(parts.body).not.toContain('details');
  });

  it('answers within its deadline however long a check says it may take', async () => {
    vi.useFakeTimers();
    const registry = new HealthRegistry();
    registry.register({
      component: 'cache',
      name: 'frozen',
      check: () => new Promise(() => {}),
      timeoutMs: 60_000,
    });
    let answered: { status: number; body: string } | undefined;
    void healthResponse({ registry, timeoutMs: 1000 }).then((parts) => {
      answered = parts;
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(answered?.status).toBe(200);
    expect(body(answered!).cache).toEqual({
      frozen: { status: 'unhealthy', critical: false, details: { reason: 'check timed out after 1000 ms' } },
    });
  });

  it('runs the checks once for 200 concurrent requests, and reuses the report for maxAgeMs', async () => {
    vi.useFakeTimers();
    const registry = new HealthRegistry();
    const check = vi.fn(
      () =>
        new Promise<{ status: 'healthy' }>((resolve) => setTimeout(() => resolve({ status: 'healthy' }), 50)),
    );
    registry.register({ component: 'cache', name: 'redis', check, critical: true });
    const requests = Array.from({ length: 200 }, (_, index) =>
      index % 2 === 0 ? healthResponse({ registry }) : readinessResponse({ registry }),
    );
    await vi.advanceTimersByTimeAsync(50);
    const answers = await Promise.all(requests);
    expect(answers.every((parts) => parts.status === 200)).toBe(true);
    expect(check).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(500);
    await healthResponse({ registry }); // within the default 1000 ms
    expect(check).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(500);
    const later = healthResponse({ registry });
    await vi.advanceTimersByTimeAsync(50);
    await later;
    expect(check).toHaveBeenCalledTimes(2);
  });

  it('refuses handler options it cannot use, up front', async () => {
    for (const options of [{ timeoutMs: 0 }, { maxAgeMs: -1 }, { details: 'sometimes' as never }]) {
      expect(() => createHealthHandlers(options)).toThrow(
        expect.objectContaining({ code: ErrorCode.INVALID_CONFIG }),
      );
      await expect(fastifyHealth(Fastify(), options)).rejects.toMatchObject({
        code: ErrorCode.INVALID_CONFIG,
      });
    }
  });
});
