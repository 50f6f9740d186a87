import { describe, expect, it } from 'vitest';
import { buildHeaders } from './headers.js';
import { Ollama } from './index.js';
import { resolveConfig } from './options.js';
import { client, fakeOllama } from './test-support/servers.js';

describe('options', () => {
  it('defaults suited to LLM calls', () => {
    expect(resolveConfig({})).toMatchObject({
      name: 'ollama',
      connections: 16,
      pipelining: 1,
      headersTimeout: 0,
      bodyTimeout: 300_000,
      retries: 2,
      metrics: true,
      health: true,
      timeoutMs: undefined,
    });
    expect(resolveConfig({ retry: false }).retries).toBe(0);
    expect(resolveConfig({}, {}).tracing).toEqual({
      captureContent: false,
      maxContentBytes: 16_384,
      propagateContext: true,
      requireParentSpan: false,
    });
    expect(resolveConfig({ tracing: true }, {}).tracing).toEqual(resolveConfig({}, {}).tracing);
    expect(resolveConfig({ tracing: false }).tracing).toBeUndefined();
  });

  it.each([
    [{ connections: 0 }],
    [{ connections: 1.5 }],
    [{ timeoutMs: -1 }],
    [{ retry: 'no' }],
    [{ policy: {} }],
    [{ conections: 4 }],
    [{ tracing: 'on' }],
    [{ tracing: null }],
    [{ tracing: { captureContent: 'yes' } }],
    [{ tracing: { maxContentBytes: 100 } }],
    [{ tracing: { propagate: false } }],
  ])('rejects %j', (config) => {
    expect(() => new Ollama(config as never)).toThrow(
      expect.objectContaining({ code: 'ERR_SIGHTGLASS_INVALID_CONFIG' }),
    );
  });

  it('rejects a bad name and a bad per-call timeout', async () => {
    expect(() => new Ollama({ name: '' })).toThrow(
      expect.objectContaining({ code: 'ERR_SIGHTGLASS_INVALID_NAME' }),
    );
    const server = await fakeOllama();
    await expect(client({ host: server.url }).list({ timeoutMs: 0 })).rejects.toMatchObject({
      code: 'ERR_SIGHTGLASS_INVALID_ARGUMENT',
      message: 'timeoutMs must be a finite number of milliseconds above 0, got 0',
    });
  });

  it('headers: records, pairs and Headers; defaults kept; auth from the URL', () => {
    expect(buildHeaders({ 'X-A': '1', 'Content-Type': 'text/plain' }, undefined)).toMatchObject({
      'x-a': '1',
      'content-type': 'application/json',
    });
    expect(buildHeaders([['X-B', '2']], 'Basic x')).toMatchObject({ 'x-b': '2', authorization: 'Basic x' });
    expect(buildHeaders(new Headers({ Authorization: 'Bearer t' }), 'Basic x').authorization).toBe(
      'Bearer t',
    );
  });
});
