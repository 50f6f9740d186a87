import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOllama, startFakeOllama } from './index.js';
import { FAST, type Line, raw } from './test-support/http.js';

// Matched against Ollama v0.33 (main, August 2026): ChatHandler and GenerateHandler in server/routes.go
// (thinking on by default for thinking models since 0.12.4), api.ThinkValue in api/types.go.

let server: FakeOllama;
beforeAll(async () => {
  server = await startFakeOllama(FAST);
});
afterAll(() => server.close());

const chat = (extra: object = {}) => ({
  model: 'qwen3',
  messages: [{ role: 'user', content: '17 × 23?' }],
  ...extra,
});

describe('a thinking model', () => {
  it('streams thinking chunks before the content, and thinks unless told not to', async () => {
    const { lines } = await raw(server.url, '/api/chat', chat());
    const chunks = lines.slice(0, -1) as Line[];
    const thinking = chunks.filter((c) => c.message.thinking !== undefined);
    expect(thinking.length).toBe(FAST.tokensPerAnswer);
    expect(chunks.slice(0, thinking.length)).toEqual(thinking);
    expect(thinking[0]).toEqual({
      model: 'qwen3',
      created_at: expect.any(String),
      message: { role: 'assistant', content: '', thinking: expect.any(String) },
      done: false,
    });
    expect(
      chunks.slice(thinking.length).every((c) => c.message.content !== '' && !('thinking' in c.message)),
    ).toBe(true);
    // eval_count counts the thinking too.
    expect(lines.at(-1)).toMatchObject({ done: true, eval_count: chunks.length, message: { content: '' } });
  });

  it('gives the whole thinking and content with stream: false, the same content as without thinking', async () => {
    const whole = (await raw(server.url, '/api/chat', chat({ think: true, stream: false }))).lines[0] as Line;
    const streamed = (await raw(server.url, '/api/chat', chat({ think: true }))).lines as Line[];
    expect(whole.message).toEqual({
      role: 'assistant',
      content: streamed.map((l) => l.message.content).join(''),
      thinking: streamed.map((l) => l.message.thinking ?? '').join(''),
    });
    const plain = (await raw(server.url, '/api/chat', chat({ think: false, stream: false })))
      .lines[0] as Line;
    expect(plain.message).toEqual({ role: 'assistant', content: whole.message.content });
  });

  it('thinks longer at higher levels', async () => {
    const counts = [];
    for (const think of ['low', 'medium', 'high', 'max']) {
      const { lines } = await raw(server.url, '/api/chat', chat({ think, stream: false }));
      counts.push((lines[0] as Line).eval_count);
    }
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(new Set(counts).size).toBe(4);
  });

  it('streams `thinking` before `response` on /api/generate', async () => {
    const { lines } = await raw(server.url, '/api/generate', {
      model: 'qwen3',
      prompt: 'Why?',
      think: 'low',
    });
    expect(lines[0]).toEqual({
      model: 'qwen3',
      created_at: expect.any(String),
      response: '',
      thinking: expect.any(String),
      done: false,
    });
    const whole = (
      await raw(server.url, '/api/generate', { model: 'qwen3', prompt: 'Why?', think: 'low', stream: false })
    ).lines[0] as Line;
    expect(whole.thinking).toBe((lines as Line[]).map((l) => l.thinking ?? '').join(''));
    expect(whole.response).toBe((lines as Line[]).map((l) => l.response).join(''));
  });

  it('thinks before it calls a tool', async () => {
    const tool = { type: 'function', function: { name: 'multiply', parameters: { type: 'object' } } };
    const { lines } = await raw(server.url, '/api/chat', chat({ tools: [tool], stream: false }));
    expect((lines[0] as Line).message).toEqual({
      role: 'assistant',
      content: '',
      thinking: expect.any(String),
      tool_calls: [expect.objectContaining({ function: { index: 0, name: 'multiply', arguments: {} } })],
    });
  });
});

describe('think on other models, and bad values', () => {
  it.each([
    true,
    'low',
    'high',
  ])('refuses think: %j for a model that cannot think, with Ollama’s words', async (think) => {
    for (const path of ['/api/chat', '/api/generate']) {
      const answer = await raw(server.url, path, { model: 'llama3.2', prompt: 'x', messages: [], think });
      expect(answer).toMatchObject({
        status: 400,
        lines: [{ error: '"llama3.2" does not support thinking' }],
      });
    }
  });

  it('takes think: false (and null) from any model', async () => {
    for (const think of [false, null]) {
      const { status, lines } = await raw(server.url, '/api/chat', { ...chat({ think }), model: 'llama3.2' });
      expect(status).toBe(200);
      expect(lines.every((l) => !('thinking' in (l as Line).message))).toBe(true);
    }
  });

  it.each([
    ['very', 'invalid think value: "very" (must be "high", "medium", "low", "max", true, or false)'],
    [1, 'think must be a boolean or string ("high", "medium", "low", "max", true, or false)'],
  ])('answers think: %j with 400 as Go’s decoder does', async (think, error) => {
    expect(await raw(server.url, '/api/chat', chat({ think }))).toMatchObject({
      status: 400,
      lines: [{ error }],
    });
  });
});
