/** Whether `/health` shows check details: hidden by default once the gateway listens beyond loopback. */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { readGatewayConfig } from './config.js';
import { createGateway, type Gateway, type GatewayOptions } from './gateway.js';
import { defaultHealthDetails, isLoopback } from './health-details.js';
import { createRouter, opsRoutes } from './router.js';
import { get } from './test-support/http.js';

/** Nothing listens there: /health reports the pool and the breaker without calling it. */
const OLLAMA_URL = 'http://127.0.0.1:9';

describe('the gateway /health details', () => {
  const gateways: Gateway[] = [];
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
  });

  /** Listens on `host` and returns a loopback URL to it: no request leaves 127.0.0.1. */
  async function start(name: string, host: string, options: Partial<GatewayOptions> = {}): Promise<string> {
    const gateway = createGateway({
      ollamaUrl: OLLAMA_URL,
      policy: { name },
      cache: { name: `${name}_responses` },
      dashboard: false,
      ...options,
    });
    gateways.push(gateway);
    const url = new URL(await gateway.listen(0, host));
    return `http://127.0.0.1:${url.port}`;
  }

  it('are hidden by default when the gateway listens beyond loopback', async () => {
    const url = await start('hd_wide', '0.0.0.0');
    const health = await get(url, '/health');
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ circuit_breakers: { 'hd_wide.chat': { status: 'healthy' } } });
    expect(health.text).not.toContain('"details"');
    expect(health.text).not.toContain(OLLAMA_URL.slice('http://'.length));
  });

  it('are shown by default on loopback', async () => {
    const url = await start('hd_local', '127.0.0.1');
    expect((await get(url, '/health')).json).toMatchObject({
      circuit_breakers: { 'hd_local.chat': { details: { state: 'closed' } } },
    });
  });

  it('follow healthDetails either way', async () => {
    const shown = await start('hd_always', '0.0.0.0', { healthDetails: 'always' });
    expect((await get(shown, '/health')).json).toMatchObject({
      circuit_breakers: { 'hd_always.chat': { details: { state: 'closed' } } },
    });
    const hidden = await start('hd_never', '127.0.0.1', { healthDetails: 'never' });
    expect((await get(hidden, '/health')).text).not.toContain('"details"');
  });
});

describe('deciding', () => {
  it('tells loopback from every other address', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost']) {
      expect(isLoopback(host), host).toBe(true);
    }
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.5',
      '::ffff:10.0.0.5',
      'gateway.internal',
      '127.example.com',
    ]) {
      expect(isLoopback(host), host).toBe(false);
    }
  });

  it('hides details from a server that does not listen, or listens on a pipe', () => {
    const server = (address: ReturnType<Server['address']>) => ({ address: () => address }) as Server;
    expect(defaultHealthDetails(server(null))).toBe('never');
    expect(defaultHealthDetails(server('/tmp/gateway.sock'))).toBe('never');
    expect(defaultHealthDetails(server({ address: '::1', family: 'IPv6', port: 1 }))).toBe('always');
  });

  it('hides details when the function deciding throws, and never throws into the server', async () => {
    const ops = opsRoutes({
      metrics: false,
      details: () => {
        throw new Error('cannot tell');
      },
    });
    const router = createRouter({ upstream: { answer: () => Promise.reject(new Error('unused')) }, ops });
    const server = createServer(router);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const health = await get(`http://127.0.0.1:${port}`, '/health');
      expect(health.status).toBe(200);
      expect(health.text).not.toContain('"details"');
    } finally {
      server.close();
    }
  });

  it('reads HEALTH_DETAILS and --health-details, and refuses anything else', () => {
    expect(readGatewayConfig([], {}).healthDetails).toBeUndefined();
    expect(readGatewayConfig([], { HEALTH_DETAILS: 'never' }).healthDetails).toBe('never');
    expect(readGatewayConfig(['--health-details', 'always'], { HEALTH_DETAILS: 'never' }).healthDetails).toBe(
      'always',
    );
    expect(() => readGatewayConfig([], { HEALTH_DETAILS: 'yes' })).toThrow(
      'health details must be "always" or "never", got "yes"',
    );
  });
});
