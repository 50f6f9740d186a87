import { describe, expect, it } from 'vitest';
import { readGatewayConfig } from './config.js';

describe('readGatewayConfig', () => {
  it('has defaults for everything', () => {
    expect(readGatewayConfig([], {})).toEqual({
      ollamaUrl: 'http://127.0.0.1:11434',
      port: 8080,
      host: '127.0.0.1',
      model: 'llama3.2',
      embedModel: 'nomic-embed-text',
      timeoutMs: 60_000,
      streamIdleTimeoutMs: 30_000,
      metricsPort: undefined,
      metricsHost: '127.0.0.1',
      healthDetails: undefined,
      cacheUrl: undefined,
      psPoll: undefined,
      traceUrl: undefined,
    });
  });

  it('takes a trace viewer URL for the dashboard from --trace-url or TRACE_URL', () => {
    const jaeger = 'http://jaeger:16686/trace/{traceId}';
    expect(readGatewayConfig(['--trace-url', jaeger], {}).traceUrl).toBe(jaeger);
    expect(readGatewayConfig([], { TRACE_URL: jaeger }).traceUrl).toBe(jaeger);
    expect(readGatewayConfig([], { TRACE_URL: '' }).traceUrl).toBeUndefined();
  });

  it('polls /api/ps with --ps-poll or OLLAMA_PS_POLL, every 15 s unless an interval is given', () => {
    expect(readGatewayConfig(['--ps-poll'], {}).psPoll).toEqual({ intervalMs: 15_000 });
    expect(readGatewayConfig([], { OLLAMA_PS_POLL: 'true' }).psPoll).toEqual({ intervalMs: 15_000 });
    expect(readGatewayConfig([], { OLLAMA_PS_POLL: '1', OLLAMA_PS_POLL_INTERVAL_MS: '5000' }).psPoll).toEqual(
      {
        intervalMs: 5000,
      },
    );
    // An interval turns polling on; an explicit "false" turns it off whatever the interval.
    expect(readGatewayConfig(['--ps-poll-interval-ms', '2000'], {}).psPoll).toEqual({ intervalMs: 2000 });
    expect(
      readGatewayConfig([], { OLLAMA_PS_POLL: 'false', OLLAMA_PS_POLL_INTERVAL_MS: '2000' }).psPoll,
    ).toBeUndefined();
    expect(readGatewayConfig([], { OLLAMA_PS_POLL: '' }).psPoll).toBeUndefined();
    expect(readGatewayConfig(['--ps-poll'], { OLLAMA_PS_POLL: 'off' }).psPoll).toEqual({
      intervalMs: 15_000,
    });
    expect(() => readGatewayConfig([], { OLLAMA_PS_POLL: 'sometimes' })).toThrow(
      'OLLAMA_PS_POLL must be true or false, got "sometimes"',
    );
    expect(() => readGatewayConfig(['--ps-poll-interval-ms', '500'], {})).toThrow(
      'ps poll interval (ms) must be an integer ≥ 1000, got "500"',
    );
  });

  it('keeps the cache in Redis with CACHE_URL or --cache-url, and refuses what is not a Redis URL', () => {
    expect(readGatewayConfig([], { CACHE_URL: 'redis://cache:6379' }).cacheUrl).toBe('redis://cache:6379');
    expect(
      readGatewayConfig(['--cache-url', 'rediss://user:pw@cache:6380/2'], { CACHE_URL: 'redis://x' })
        .cacheUrl,
    ).toBe('rediss://user:pw@cache:6380/2');
    expect(readGatewayConfig([], { CACHE_URL: '' }).cacheUrl).toBeUndefined();
    expect(() => readGatewayConfig([], { CACHE_URL: 'http://cache:6379' })).toThrow(
      'cache URL must be a redis:// or rediss:// URL, got "http://…"',
    );
    expect(() => readGatewayConfig(['--cache-url', 'cache:6379 x'], {})).toThrow('cache URL must be');
  });

  it('puts metrics on a port of their own with METRICS_PORT, on the API host unless METRICS_HOST says', () => {
    expect(readGatewayConfig([], { METRICS_PORT: '9464', HOST: '0.0.0.0' })).toMatchObject({
      metricsPort: 9464,
      metricsHost: '0.0.0.0',
    });
    expect(readGatewayConfig(['--metrics-port', '0', '--metrics-host', '10.0.0.5'], {})).toMatchObject({
      metricsPort: 0,
      metricsHost: '10.0.0.5',
    });
    expect(readGatewayConfig([], { METRICS_PORT: '' }).metricsPort).toBeUndefined();
    expect(() => readGatewayConfig([], { METRICS_PORT: 'x' })).toThrow('metrics port must be an integer ≥ 0');
    expect(() => readGatewayConfig([], { METRICS_PORT: '70000' })).toThrow(
      'metrics port must be at most 65535',
    );
  });

  it('reads the environment, and flags over it', () => {
    const env = {
      OLLAMA_URL: 'http://gpu:11434',
      PORT: '9000',
      HOST: '0.0.0.0',
      MODEL: 'mistral',
      OLLAMA_TIMEOUT_MS: '5000',
      STREAM_IDLE_TIMEOUT_MS: '2500',
    };
    expect(readGatewayConfig([], env)).toMatchObject({
      ollamaUrl: 'http://gpu:11434',
      port: 9000,
      host: '0.0.0.0',
      timeoutMs: 5000,
      streamIdleTimeoutMs: 2500,
    });
    expect(
      readGatewayConfig(
        ['--port', '0', '--ollama-url', 'http://other:11434', '--embed-model', 'mxbai', '--timeout-ms', '10'],
        env,
      ),
    ).toMatchObject({
      port: 0,
      ollamaUrl: 'http://other:11434',
      model: 'mistral',
      embedModel: 'mxbai',
      timeoutMs: 10,
    });
  });

  it('says what is wrong with a bad value or flag', () => {
    expect(() => readGatewayConfig(['--port', 'http'], {})).toThrow(
      'port must be an integer ≥ 0, got "http"',
    );
    expect(() => readGatewayConfig(['--port', '70000'], {})).toThrow('at most 65535');
    expect(() => readGatewayConfig([], { OLLAMA_TIMEOUT_MS: '0' })).toThrow('timeout must be an integer ≥ 1');
    expect(() => readGatewayConfig(['--stream-idle-timeout-ms', '1s'], {})).toThrow(
      'stream idle timeout must be an integer ≥ 1, got "1s"',
    );
    expect(() => readGatewayConfig(['--prot', '1'], {})).toThrow(/--prot/);
  });
});
