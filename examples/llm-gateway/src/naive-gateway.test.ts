/** The naive gateway `--compare` measures against: same API, a connection per call, no cache, no breaker. */
import type { FakeOllama } from '@sightglass/fake-ollama';
import { freePort } from '@sightglass/test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNaiveGateway, type NaiveGateway } from './naive-gateway.js';
import { startTestOllama } from './test-support/fixture.js';
import { chat, post } from './test-support/http.js';

let ollama: FakeOllama;
let gateway: NaiveGateway;
let url: string;

beforeAll(async () => {
  ollama = await startTestOllama();
  gateway = createNaiveGateway({ ollamaUrl: ollama.url, timeoutMs: 300 });
  url = await gateway.listen();
});
afterAll(async () => {
  await gateway?.close();
  await ollama?.close();
});
afterEach(() => ollama.faults.clear());

describe('the naive gateway', () => {
  it('asks Ollama every time, on a new connection each time, with no cache header', async () => {
    const before = gateway.upstream.connectionsOpened;
    const first = await post(url, '/v1/chat', chat('hello'));
    const second = await post(url, '/v1/chat', chat('hello'));
    expect(first.status).toBe(200);
    const content = (response: { json: unknown }) =>
      (response.json as { message: { content: string } }).message.content;
    expect(content(second)).toBe(content(first)); // the same answer, generated twice
    expect(second.headers.get('x-cache')).toBeNull();
    expect(gateway.upstream.connectionsOpened).toBe(before + 2);
    expect((await post(url, '/v1/embed', { model: 'nomic-embed-text', input: 'x' })).status).toBe(200);
  });

  it.each([
    [{ errorStatus: 500 }, 502, 'upstream_error'],
    [{ addedLatencyMs: 5000 }, 504, 'upstream_timeout'],
  ])('maps Ollama failing (%o) to %i', async (faults, status, code) => {
    ollama.faults.set(faults);
    const response = await post(url, '/v1/generate', { model: 'llama3.2', prompt: 'p' });
    expect(response.status).toBe(status);
    expect(response.json).toMatchObject({ error: { code } });
  });

  it("passes Ollama's 404 and 400 on", async () => {
    expect((await post(url, '/v1/chat', chat('hi', 'missing-model'))).json).toMatchObject({
      error: { code: 'model_not_found', message: "model 'missing-model' not found" },
    });
    expect((await post(url, '/v1/chat', chat('hi', 'Bad Name!'))).status).toBe(400);
  });

  it('answers 502 when Ollama cannot be reached', async () => {
    const nowhere = createNaiveGateway({ ollamaUrl: `http://127.0.0.1:${await freePort()}`, timeoutMs: 300 });
    const base = await nowhere.listen();
    try {
      expect((await post(base, '/v1/chat', chat('anyone?'))).json).toMatchObject({
        error: { code: 'upstream_unreachable', message: expect.stringContaining('ECONNREFUSED') },
      });
    } finally {
      await nowhere.close();
    }
  });
});
