import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOllama, startFakeOllama } from './index.js';
import { FAST, type Line, raw } from './test-support/http.js';
import { schemaProblems } from './test-support/validate-schema.js';

// Matched against Ollama v0.33 (main, August 2026): the format handling of llm/llama_server.go (and
// llm/server.go in 0.12), docs/capabilities/structured-outputs.mdx.

let server: FakeOllama;
beforeAll(async () => {
  server = await startFakeOllama(FAST);
});
afterAll(() => server.close());

const country = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    capital: { type: 'string' },
    languages: { type: 'array', items: { type: 'string' }, minItems: 1 },
    population: { type: 'integer', minimum: 0 },
    continent: { enum: ['Europe', 'Asia', 'Africa'] },
    coastal: { type: 'boolean' },
  },
  required: ['name', 'capital', 'languages'],
};
const ask = (format: unknown, extra: object = {}) => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'Tell me about Canada.' }],
  format,
  ...extra,
});

describe('format: a JSON schema', () => {
  it('answers JSON that fits the schema, streamed in pieces that join to the whole answer', async () => {
    const { lines } = await raw(server.url, '/api/chat', ask(country));
    const chunks = lines.slice(0, -1) as Line[];
    expect(chunks.length).toBeGreaterThan(10);
    const content = chunks.map((c) => c.message.content).join('');
    expect(schemaProblems(JSON.parse(content), country)).toEqual([]);
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'stop', eval_count: chunks.length });
    const whole = (await raw(server.url, '/api/chat', ask(country, { stream: false }))).lines[0] as Line;
    expect(whole.message.content).toBe(content);
  });

  it('answers other requests with other values that fit, on /api/generate too', async () => {
    const other = (
      await raw(server.url, '/api/chat', { ...ask(country, { stream: false }), options: { seed: 9 } })
    ).lines[0] as Line;
    const generated = (
      await raw(server.url, '/api/generate', {
        model: 'llama3.2',
        prompt: 'Canada',
        format: country,
        stream: false,
      })
    ).lines[0] as Line;
    const first = (await raw(server.url, '/api/chat', ask(country, { stream: false }))).lines[0] as Line;
    for (const text of [other.message.content, generated.response]) {
      expect(schemaProblems(JSON.parse(text), country)).toEqual([]);
      expect(text).not.toBe(first.message.content);
    }
  });

  it('thinks first, then answers JSON, on a thinking model', async () => {
    const { lines } = await raw(server.url, '/api/chat', {
      ...ask(country, { stream: false }),
      model: 'qwen3',
    });
    const message = (lines[0] as Line).message;
    expect(message.thinking).toMatch(/\w/);
    expect(schemaProblems(JSON.parse(message.content), country)).toEqual([]);
  });

  it('cuts the JSON at num_predict, leaving it unparsable, as a real model would', async () => {
    const { lines } = await raw(
      server.url,
      '/api/chat',
      ask(country, { stream: false, options: { num_predict: 4 } }),
    );
    expect(lines[0]).toMatchObject({ done_reason: 'length', eval_count: 4 });
    expect(() => JSON.parse((lines[0] as Line).message.content)).toThrow();
  });
});

describe('format: "json", and formats Ollama refuses', () => {
  it('answers "json" with the one-field object it always did; "" and null mean no format', async () => {
    const json = (await raw(server.url, '/api/chat', ask('json', { stream: false }))).lines[0] as Line;
    expect(JSON.parse(json.message.content)).toEqual({ answer: expect.any(String) });
    const plain = (await raw(server.url, '/api/chat', ask(undefined, { stream: false }))).lines[0] as Line;
    for (const format of ['', null]) {
      const none = (await raw(server.url, '/api/chat', ask(format, { stream: false }))).lines[0] as Line;
      expect(none.message.content).toBe(plain.message.content);
    }
  });

  it.each([
    ['xml', 'invalid format: "\\"xml\\""; expected "json" or a valid JSON Schema object'],
    [['json'], 'invalid format: "[\\"json\\"]"; expected "json" or a valid JSON Schema object'],
    [5, 'invalid format: "5"; expected "json" or a valid JSON Schema object'],
    [{ type: 'float' }, 'invalid JSON schema in format'],
    [{ type: 'object', properties: { a: { $ref: '#/$defs/none' } } }, 'invalid JSON schema in format'],
  ])('answers format %j with 400 and Ollama’s words, before loading the model', async (format, error) => {
    const before = server.stats.completed;
    for (const path of ['/api/chat', '/api/generate']) {
      const answer = await raw(server.url, path, { ...ask(format), prompt: 'p' });
      expect(answer).toMatchObject({ status: 400, lines: [{ error }] });
    }
    expect(server.stats.completed).toBe(before);
  });

  it('loads a model for a request without messages whatever its format', async () => {
    const { lines } = await raw(server.url, '/api/chat', { model: 'llama3.2', messages: [], format: 'xml' });
    expect(lines[0]).toMatchObject({ done: true, done_reason: 'load' });
  });
});
