import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOllama, startFakeOllama } from './index.js';
import { FAST, type Line, raw } from './test-support/http.js';

// Matched against Ollama v0.33 (main, August 2026): api/types.go (ChatRequest, GenerateRequest, Logprob,
// ListModelResponse, ProcessModelResponse), server/logprob.go, server/routes.go, api.Options.FromMap.

let server: FakeOllama;
beforeAll(async () => {
  server = await startFakeOllama(FAST);
});
afterAll(() => server.close());

const say = (model: string, message: object = {}, extra: object = {}) => ({
  model,
  messages: [{ role: 'user', content: 'What is in the picture?', ...message }],
  stream: false,
  ...extra,
});
const answer = async (body: object): Promise<Line> =>
  (await raw(server.url, '/api/chat', body)).lines[0] as Line;

describe('images', () => {
  it('are looked at by a vision model: 256 prompt tokens each, and another image gives another answer', async () => {
    const without = await answer(say('gemma3'));
    const one = await answer(say('gemma3', { images: ['AAAA'] }));
    const other = await answer(say('gemma3', { images: ['AQID'] }));
    expect(one.prompt_eval_count).toBe(without.prompt_eval_count + 256);
    expect(one.message.content).not.toBe(without.message.content);
    expect(other.message.content).not.toBe(one.message.content);
    const generated = (
      await raw(server.url, '/api/generate', { model: 'gemma3', prompt: 'x', images: ['AAAA', 'AQ=='] })
    ).lines.at(-1) as Line;
    expect(generated.prompt_eval_count).toBe(1 + 512);
  });

  it('are taken and ignored by a model without vision, as Ollama’s runner does', async () => {
    const without = await answer(say('llama3.2'));
    const withImage = await answer(say('llama3.2', { images: ['AAAA'] }));
    expect(withImage.message.content).toBe(without.message.content);
    expect(withImage.prompt_eval_count).toBe(without.prompt_eval_count);
  });

  it.each([
    [['abc'], 'illegal base64 data at input byte 0'],
    [['AAAAab'], 'illegal base64 data at input byte 4'],
    [['AA*A'], 'illegal base64 data at input byte 2'],
    [['A==='], 'illegal base64 data at input byte 1'],
    [[5], 'json: cannot unmarshal number into Go struct field Message.messages.images of type api.ImageData'],
    [
      'AAAA',
      'json: cannot unmarshal string into Go struct field Message.messages.images of type []api.ImageData',
    ],
  ])('answer %j with 400, as Go decodes base64', async (images, error) => {
    expect(await raw(server.url, '/api/chat', say('llama3.2', { images }))).toMatchObject({
      status: 400,
      lines: [{ error }],
    });
  });

  it('take line breaks and null inside base64', async () => {
    expect((await raw(server.url, '/api/chat', say('gemma3', { images: ['AA\nAA', null] }))).status).toBe(
      200,
    );
    const bad = await raw(server.url, '/api/generate', { model: 'gemma3', prompt: 'x', images: [true] });
    expect(bad.lines[0]).toEqual({
      error: 'json: cannot unmarshal bool into Go struct field GenerateRequest.images of type api.ImageData',
    });
  });
});

describe('logprobs', () => {
  it('come with every streamed chunk, with UTF-8 bytes and top_logprobs alternatives', async () => {
    const { lines } = await raw(server.url, '/api/chat', {
      ...say('llama3.2'),
      stream: true,
      logprobs: true,
      top_logprobs: 3,
    });
    const chunks = lines.slice(0, -1) as Line[];
    for (const chunk of chunks) {
      expect(Object.keys(chunk)).toEqual(['model', 'created_at', 'message', 'done', 'logprobs']);
      const [entry] = chunk.logprobs;
      expect(entry).toMatchObject({
        token: chunk.message.content,
        bytes: [...Buffer.from(chunk.message.content)],
      });
      expect(entry.logprob).toBeLessThan(0);
      expect(entry.top_logprobs).toHaveLength(3);
      expect(entry.top_logprobs[0]).toEqual({
        token: entry.token,
        logprob: entry.logprob,
        bytes: entry.bytes,
      });
      const total = entry.top_logprobs.reduce((sum: number, t: Line) => sum + Math.exp(t.logprob), 0);
      expect(total).toBeLessThanOrEqual(1);
    }
    expect(lines.at(-1)).not.toHaveProperty('logprobs');
  });

  it('are all in the final object with stream: false, the same as streamed', async () => {
    const streamed = (await raw(server.url, '/api/generate', { model: 'qwen3', prompt: 'p', logprobs: true }))
      .lines as Line[];
    const whole = (
      await raw(server.url, '/api/generate', { model: 'qwen3', prompt: 'p', logprobs: true, stream: false })
    ).lines[0] as Line;
    expect(whole.logprobs).toEqual(streamed.slice(0, -1).map((l) => l.logprobs[0]));
    expect(whole.logprobs[0]).not.toHaveProperty('top_logprobs');
    expect(Object.keys(whole).at(-1)).toBe('logprobs');
  });

  it('are left out unless asked for, and top_logprobs must be 0 to 20', async () => {
    expect(await answer({ ...say('llama3.2'), top_logprobs: 5 })).not.toHaveProperty('logprobs');
    for (const top of [-1, 21]) {
      expect(
        await raw(server.url, '/api/chat', { ...say('llama3.2'), logprobs: true, top_logprobs: top }),
      ).toMatchObject({
        status: 400,
        lines: [{ error: 'top_logprobs must be between 0 and 20' }],
      });
    }
    expect((await raw(server.url, '/api/chat', { ...say('llama3.2'), top_logprobs: 1.5 })).lines[0]).toEqual({
      error: 'json: cannot unmarshal number 1.5 into Go struct field ChatRequest.top_logprobs of type int',
    });
  });
});

describe('options and the other fields', () => {
  it('ignore unknown options and take numbers for integers, as Options.FromMap does', async () => {
    const plain = await answer(say('llama3.2'));
    const tuned = await answer(
      say(
        'llama3.2',
        {},
        { options: { temperature: 0.2, top_k: 10.7, stop: ['\n'], use_mmap: null, made_up: 'x' } },
      ),
    );
    expect(tuned.message.content).toBe(plain.message.content);
  });

  it.each([
    [{ num_predict: 'ten' }, 'option "num_predict" must be of type integer'],
    [{ temperature: '0.5' }, 'option "temperature" must be of type float32'],
    [{ use_mmap: 1 }, 'option "use_mmap" must be of type boolean'],
    [{ stop: 'x' }, 'option "stop" must be of type array'],
    [{ stop: [1] }, 'option "stop" must be of an array of strings'],
  ])('answer options %j with 400 and Ollama’s words', async (options, error) => {
    expect(await raw(server.url, '/api/chat', say('llama3.2', {}, { options }))).toMatchObject({
      status: 400,
      lines: [{ error }],
    });
  });

  it('take keep_alive, truncate, shift, tool_name and thinking in messages', async () => {
    const body = {
      model: 'llama3.2',
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: 'y', thinking: 'hmm' },
        { role: 'tool', content: '42', tool_name: 'calc', tool_call_id: 'call_1' },
      ],
      keep_alive: '1m',
      truncate: true,
      shift: false,
      stream: false,
    };
    expect((await raw(server.url, '/api/chat', body)).status).toBe(200);
    const bad = await raw(server.url, '/api/chat', {
      ...body,
      messages: [{ role: 'tool', content: '', tool_name: 1 }],
    });
    expect(bad.lines[0]).toEqual({
      error: 'json: cannot unmarshal number into Go struct field Message.messages.tool_name of type string',
    });
    const calls = await raw(server.url, '/api/chat', {
      ...body,
      messages: [{ role: 'assistant', tool_calls: {} }],
    });
    expect(calls.lines[0]).toEqual({
      error:
        'json: cannot unmarshal object into Go struct field Message.messages.tool_calls of type []api.ToolCall',
    });
  });
});

describe('capabilities', () => {
  it('are in /api/show and every /api/tags entry, and not in /api/ps, as Ollama 0.33 sends them', async () => {
    const tags = (await raw(server.url, '/api/tags')).lines[0] as Line;
    expect(Object.fromEntries(tags.models.map((m: Line) => [m.name, m.capabilities]))).toEqual({
      'llama3.2:latest': ['completion', 'tools'],
      'qwen3:latest': ['completion', 'tools', 'thinking'],
      'gemma3:latest': ['completion', 'vision'],
      'nomic-embed-text:latest': ['embedding'],
    });
    expect(Object.keys(tags.models[0]).at(-1)).toBe('capabilities');
    const show = (await raw(server.url, '/api/show', { model: 'qwen3' })).lines[0] as Line;
    expect(show.capabilities).toEqual(['completion', 'tools', 'thinking']);
    await answer(say('gemma3'));
    const ps = (await raw(server.url, '/api/ps')).lines[0] as Line;
    expect(ps.models.length).toBeGreaterThan(0);
    for (const model of ps.models) expect(model).not.toHaveProperty('capabilities');
  });
});
