/**
 * Faults of Ollama as a client of the gateway sees them, and as the Ollama client's GenAI metrics record
 * them: a connection that breaks while Ollama has the request is a reset, not "unreachable".
 */
import { metricRegistry } from '@sightglass/core';
import type { FakeOllama } from '@sightglass/fake-ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from './gateway.js';
import { startTestGateway, startTestOllama } from './test-support/fixture.js';
import { chat, post } from './test-support/http.js';

let ollama: FakeOllama;
let gateway: Gateway;
let url: string;

beforeAll(async () => {
  ollama = await startTestOllama();
  ({ gateway, url } = await startTestGateway('faults', ollama.url, { policy: { retries: 0 } }));
});

afterAll(async () => {
  await gateway?.close();
  await ollama?.close();
});

/** The `error.type`s of the gateway's failed Ollama calls, with their counts. */
function errorTypes(): Record<string, number> {
  const duration = metricRegistry()
    .snapshot()
    .find((snapshot) => snapshot.definition.name === 'gen_ai.client.operation.duration');
  const types: Record<string, number> = {};
  for (const series of duration?.series ?? []) {
    const type = series.attributes['error.type'];
    if (series.attributes['server.port'] !== String(ollama.port) || type === undefined) continue;
    types[String(type)] = (types[String(type)] ?? 0) + (series.histogram?.count ?? 0);
  }
  return types;
}

describe('a connection Ollama drops in the middle of a call', () => {
  it('is 502 upstream_reset, and connection_reset in the GenAI metrics', async () => {
    ollama.faults.set({ dropAfterChunks: 2 });
    try {
      const response = await post(url, '/v1/chat', chat('reset me'));
      expect(response.status).toBe(502);
      expect(response.json).toMatchObject({
        error: { code: 'upstream_reset', message: expect.stringContaining('broke during the call') },
      });
    } finally {
      ollama.faults.clear();
    }
    expect(errorTypes()).toEqual({ connection_reset: 1 });
  });
});
