import { createServer } from 'node:net';
import { Ollama } from 'ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOllama, FakeOllamaErrorCode, SERVER_BUSY_MESSAGE, startFakeOllama } from './index.js';
import { FAST, raw } from './test-support/http.js';

let server: FakeOllama;
beforeAll(async () => {
  server = await startFakeOllama(FAST);
});
afterAll(() => server.close());

const chat = (content = 'hi'): object => ({ model: 'llama3.2', messages: [{ role: 'user', content }] });

describe('the wire format', () => {
  it('says "Ollama is running" at / for GET and HEAD, as plain text', async () => {
    const get = await raw(server.url, '/');
    expect(get).toMatchObject({
      status: 200,
      text: 'Ollama is running',
      contentType: 'text/plain; charset=utf-8',
    });
    const head = await fetch(`${server.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('sends NDJSON when streaming and one JSON object with stream: false', async () => {
    const streamed = await raw(server.url, '/api/chat', chat());
    expect(streamed.contentType).toBe('application/x-ndjson');
    expect(streamed.text.endsWith('\n')).toBe(true);
    expect(streamed.lines).toHaveLength(9);
    const single = await raw(server.url, '/api/chat', { ...chat(), stream: false });
    expect(single.contentType).toBe('application/json; charset=utf-8');
    expect(single.text.endsWith('}')).toBe(true);
    expect(JSON.parse(single.text)).toMatchObject({ done: true, message: { role: 'assistant' } });
    const pull = await raw(server.url, '/api/pull', { model: 'llama3.2', stream: false });
    expect(pull).toMatchObject({ contentType: 'application/json', lines: [{ status: 'success' }] });
  });

  it('leaves zero metrics out of the final line, as Go omitempty does', async () => {
    const { lines } = await raw(server.url, '/api/generate', {
      model: 'llama3.2',
      prompt: 'x',
      stream: false,
    });
    const final = lines[0] as Record<string, unknown>;
    expect(Object.keys(final)).toEqual([
      'model',
      'created_at',
      'response',
      'done',
      'done_reason',
      'context',
      'total_duration',
      'load_duration',
      'prompt_eval_count',
      'prompt_eval_duration',
      'eval_count',
      'eval_duration',
    ]);
    const token = (await raw(server.url, '/api/generate', { model: 'llama3.2', prompt: 'x' })).lines[0];
    expect(Object.keys(token as object)).toEqual(['model', 'created_at', 'response', 'done']);
  });

  it('has no context in raw mode, and refuses raw with a template, system or context', async () => {
    const { lines } = await raw(server.url, '/api/generate', {
      model: 'llama3.2',
      prompt: 'x',
      raw: true,
      stream: false,
    });
    expect(lines[0]).not.toHaveProperty('context');
    expect(
      await raw(server.url, '/api/generate', { model: 'llama3.2', prompt: 'x', raw: true, system: 's' }),
    ).toMatchObject({
      status: 400,
      lines: [{ error: 'raw mode does not support template, system, or context' }],
    });
  });

  it('answers unknown paths 404 and known paths with another method 405, in plain text', async () => {
    expect(await raw(server.url, '/api/nope')).toMatchObject({ status: 404, text: '404 page not found' });
    expect(await raw(server.url, '/api/chat')).toMatchObject({ status: 405, text: '405 method not allowed' });
    expect((await raw(server.url, '/_fake/stats')).status).toBe(404);
    expect((await raw(server.url, '/api/tags?x=1')).status).toBe(200);
  });
});

describe('bad requests', () => {
  it.each([
    ['/api/chat', '', 'missing request body'],
    ['/api/chat', '{"model":', 'unexpected EOF'],
    ['/api/generate', 'hello', "invalid character 'h' looking for beginning of value"],
    ['/api/chat', '[]', 'json: cannot unmarshal array into Go value of type api.ChatRequest'],
    [
      '/api/chat',
      '{"model":"llama3.2","messages":"hi"}',
      'json: cannot unmarshal string into Go struct field ChatRequest.messages of type []api.Message',
    ],
    [
      '/api/chat',
      '{"model":"llama3.2","messages":[{"role":"user","content":1}]}',
      'json: cannot unmarshal number into Go struct field Message.messages.content of type string',
    ],
    [
      '/api/chat',
      '{"model":"llama3.2","messages":[1]}',
      'json: cannot unmarshal number into Go struct field ChatRequest.messages of type api.Message',
    ],
    ['/api/chat', '{"model":""}', 'model is required'],
    ['/api/chat', '{"model":"a b"}', 'invalid model name'],
    ['/api/generate', '{"model":"a b"}', 'invalid model name'],
    ['/api/generate', '{"model":"llama3.2","keep_alive":"soon"}', 'time: invalid duration "soon"'],
    ['/api/chat', '{"model":"llama3.2","keep_alive":true}', "Unsupported type: 'bool'"],
    ['/api/chat', '{"model":"llama3.2","think":true,"messages":[]}', '"llama3.2" does not support thinking'],
    ['/api/chat', '{"model":"nomic-embed-text","messages":[]}', '"nomic-embed-text" does not support chat'],
    ['/api/embed', '{"model":"nomic-embed-text","input":[1]}', 'invalid input type'],
    ['/api/embed', '{"model":"a b"}', 'invalid model name'],
    [
      '/api/embed',
      '{"model":1}',
      'json: cannot unmarshal number into Go struct field EmbedRequest.model of type string',
    ],
    ['/api/embed', '{"model":"x","keep_alive":"?"}', 'time: invalid duration "?"'],
    ['/api/embeddings', '{"model":""}', 'model is required'],
    ['/api/embeddings', '{"model":"a b"}', 'invalid model name'],
    [
      '/api/embeddings',
      '{"prompt":1}',
      'json: cannot unmarshal number into Go struct field EmbeddingRequest.prompt of type string',
    ],
    ['/api/embeddings', '{"model":"x","keep_alive":[]}', "Unsupported type: '[]interface {}'"],
    ['/api/show', '{}', 'model is required'],
    ['/api/show', '{"model":"a b"}', 'invalid model name'],
    [
      '/api/show',
      '{"model":true}',
      'json: cannot unmarshal bool into Go struct field ShowRequest.model of type string',
    ],
    ['/api/pull', '{"model":""}', 'invalid model name'],
    [
      '/api/pull',
      '{"stream":1}',
      'json: cannot unmarshal number into Go struct field PullRequest.stream of type bool',
    ],
    ['/api/copy', '{"source":"","destination":"b"}', 'source "" is invalid'],
    ['/api/copy', '{"source":"llama3.2","destination":"a b"}', 'destination "a b" is invalid'],
    ['/api/copy', '1', 'json: cannot unmarshal number into Go value of type api.CopyRequest'],
  ])('POST %s %s → 400 %s', async (path, body, error) => {
    expect(await raw(server.url, path, body)).toMatchObject({
      status: 400,
      contentType: 'application/json; charset=utf-8',
      lines: [{ error }],
    });
  });

  it('answers a missing model the way each endpoint of Ollama does', async () => {
    // generate and embed report an empty name as a model that is not found; chat says it is required.
    expect(await raw(server.url, '/api/generate', {})).toMatchObject({
      status: 404,
      lines: [{ error: "model '' not found" }],
    });
    expect(await raw(server.url, '/api/embed', 'null')).toMatchObject({
      status: 404,
      lines: [{ error: "model '' not found" }],
    });
    expect(await raw(server.url, '/api/embed', { model: 'ghost' })).toMatchObject({
      status: 404,
      lines: [{ error: "model 'ghost' not found" }],
    });
    expect(await raw(server.url, '/api/show', { name: 'ghost' })).toMatchObject({
      status: 404,
      lines: [{ error: "model 'ghost' not found" }],
    });
    expect(await raw(server.url, '/api/delete', {}, { method: 'DELETE' })).toMatchObject({
      status: 400,
      lines: [{ error: 'model is required' }],
    });
    expect(await raw(server.url, '/api/delete', { model: 'a b' }, { method: 'DELETE' })).toMatchObject({
      status: 400,
      lines: [{ error: 'name "a b" is invalid' }],
    });
    expect(await raw(server.url, '/api/delete', '{"model":2}', { method: 'DELETE' })).toMatchObject({
      status: 400,
    });
  });

  it('refuses a body over 64 MiB with 413', async () => {
    const body = `{"model":"llama3.2","prompt":"${'x'.repeat(64 * 1024 * 1024)}"}`;
    expect(await raw(server.url, '/api/generate', body)).toMatchObject({
      status: 413,
      lines: [{ error: 'request body too large' }],
    });
  });
});

describe('loading and unloading', () => {
  it('loads with an empty prompt or no messages, and unloads with keep_alive 0', async () => {
    const own = await startFakeOllama(FAST);
    const ollama = new Ollama({ host: own.url });
    expect(await raw(own.url, '/api/generate', { model: 'llama3.2' })).toMatchObject({
      contentType: 'application/json; charset=utf-8',
      lines: [{ model: 'llama3.2', response: '', done: true, done_reason: 'load' }],
    });
    expect((await ollama.ps()).models.map((m) => m.name)).toEqual(['llama3.2:latest']);
    expect(await raw(own.url, '/api/chat', { model: 'llama3.2', messages: [], keep_alive: 0 })).toMatchObject(
      {
        lines: [{ message: { role: 'assistant', content: '' }, done: true, done_reason: 'unload' }],
      },
    );
    expect((await ollama.ps()).models).toEqual([]);
    expect(await raw(own.url, '/api/chat', { model: 'llama3.2', messages: [] })).toMatchObject({
      lines: [{ done_reason: 'load', message: { role: 'assistant', content: '' } }],
    });
    expect(await raw(own.url, '/api/generate', { model: 'llama3.2', keep_alive: '0s' })).toMatchObject({
      lines: [{ done_reason: 'unload' }],
    });
    // keep_alive 0 on a real request unloads the model once the answer is done.
    await ollama.generate({ model: 'llama3.2', prompt: 'x', keep_alive: 0 });
    expect((await ollama.ps()).models).toEqual([]);
    // A negative keep_alive keeps it "forever": Go's largest duration, some 292 years.
    await ollama.generate({ model: 'llama3.2', prompt: 'x', keep_alive: -1 });
    const [loaded] = (await ollama.ps()).models;
    expect(new Date(loaded!.expires_at).getUTCFullYear()).toBeGreaterThan(2300);
    expect(await raw(own.url, '/api/embed', { model: 'nomic-embed-text', input: [] })).toMatchObject({
      lines: [{ model: 'nomic-embed-text', embeddings: [] }],
    });
    expect(await raw(own.url, '/api/embeddings', { model: 'nomic-embed-text' })).toMatchObject({
      lines: [{ embedding: [] }],
    });
    await own.close();
  });

  it('takes loadDurationMs on first use only, shares one load, and reports it in load_duration', async () => {
    const own = await startFakeOllama({ ...FAST, loadDurationMs: 200 });
    const ollama = new Ollama({ host: own.url });
    const cold = ollama.generate({ model: 'llama3.2', prompt: 'a' });
    // A real wait, part of what is asserted: the server's load runs on its own clock (200 ms).
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Arriving halfway through the load, it waits for the same load, not a second one of 200 ms.
    const joined = await ollama.generate({ model: 'llama3.2', prompt: 'b' });
    expect((await cold).load_duration).toBeGreaterThanOrEqual(195_000_000);
    expect(joined.load_duration).toBeLessThan(190_000_000);
    const warm = await ollama.generate({ model: 'llama3.2', prompt: 'c' });
    expect(warm.load_duration).toBeLessThan(50_000_000);
    await own.close();
  });
});

describe('admission', () => {
  it('answers 503 "server busy" when parallel slots and the queue are full', async () => {
    const own = await startFakeOllama({ ...FAST, parallel: 1, maxQueue: 0, faults: { stallAfterChunks: 1 } });
    const ollama = new Ollama({ host: own.url });
    const controller = new AbortController();
    const slow = await fetch(`${own.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify(chat()),
      signal: controller.signal,
    });
    expect(slow.status).toBe(200);
    own.faults.clear();
    const busy = await ollama.chat({ model: 'llama3.2', messages: [] }).catch((e: unknown) => e);
    expect(busy).toMatchObject({ name: 'ResponseError', status_code: 503, message: SERVER_BUSY_MESSAGE });
    expect(own.stats).toMatchObject({ rejected: 1, running: 1 });
    controller.abort();
    await expect.poll(() => own.stats.running).toBe(0);
    expect((await ollama.chat({ model: 'llama3.2', messages: [] })).done).toBe(true);
    await own.close();
  });

  it('queues up to maxQueue requests and serves them in turn', async () => {
    const own = await startFakeOllama({ ...FAST, tokensPerSecond: 25, parallel: 1, maxQueue: 1 });
    const first = raw(own.url, '/api/chat', chat('one'));
    await expect.poll(() => own.stats.running).toBe(1);
    const second = raw(own.url, '/api/chat', chat('two'));
    await expect.poll(() => own.stats.queued).toBe(1);
    const third = await raw(own.url, '/api/embed', { model: 'nomic-embed-text', input: 'x' });
    expect(third).toMatchObject({ status: 503, lines: [{ error: SERVER_BUSY_MESSAGE }] });
    expect((await first).lines.at(-1)).toMatchObject({ done: true });
    const queued = await second;
    expect(queued.lines.at(-1)).toMatchObject({ done: true });
    // Waiting in line counts as loading time, as in Ollama.
    expect((queued.lines.at(-1) as { load_duration: number }).load_duration).toBeGreaterThan(10_000_000);
    expect(own.stats).toMatchObject({ maxRunning: 1, rejected: 1, running: 0, queued: 0, completed: 2 });
    await own.close();
  });

  it('gives up a queued request whose client leaves', async () => {
    const own = await startFakeOllama({ ...FAST, parallel: 1, maxQueue: 1, faults: { stallAfterChunks: 1 } });
    const holder = new AbortController();
    await fetch(`${own.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify(chat()),
      signal: holder.signal,
    });
    const waiter = new AbortController();
    const queued = fetch(`${own.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify(chat()),
      signal: waiter.signal,
    });
    await expect.poll(() => own.stats.queued).toBe(1);
    waiter.abort();
    await expect(queued).rejects.toThrow();
    await expect.poll(() => own.stats.queued).toBe(0);
    holder.abort();
    await own.close();
  });
});

describe('close()', () => {
  it('ends in-flight and stalled streams and resolves promptly', async () => {
    const own = await startFakeOllama({
      ...FAST,
      tokensPerSecond: 5,
      faults: { stallAfterChunks: 0, paths: ['/api/chat'] },
    });
    const ollama = new Ollama({ host: own.url });
    const streaming = ollama.generate({ model: 'llama3.2', prompt: 'long', stream: true });
    // Caught at once: it fails during close(), before the assertion below could attach a handler.
    const stalled = ollama
      .chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    const iterator = (await streaming)[Symbol.asyncIterator]();
    await iterator.next();
    const start = performance.now();
    await own.close();
    expect(performance.now() - start).toBeLessThan(1000);
    await expect(iterator.next()).rejects.toThrow();
    expect(await stalled).toBeInstanceOf(Error);
    expect(own.close()).toBe(own.close());
    await expect(fetch(own.url)).rejects.toThrow();
  });

  it('cancels a model load in progress', async () => {
    const own = await startFakeOllama({ ...FAST, loadDurationMs: 60_000 });
    const pending = raw(own.url, '/api/generate', { model: 'llama3.2', prompt: 'x' });
    await expect.poll(() => own.stats.running).toBe(1);
    const start = performance.now();
    await own.close();
    expect(performance.now() - start).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
  });
});

describe('stats', () => {
  it('counts requests, routes, tokens and concurrency, and resets', async () => {
    const own = await startFakeOllama(FAST);
    const ollama = new Ollama({ host: own.url });
    await Promise.all([
      ollama.generate({ model: 'llama3.2', prompt: 'a' }),
      ollama.generate({ model: 'llama3.2', prompt: 'b' }),
    ]);
    await ollama.list();
    await raw(own.url, '/nope');
    expect(own.stats).toMatchObject({
      requests: 4,
      active: 0,
      maxActive: 2,
      running: 0,
      maxRunning: 2,
      completed: 2,
      tokens: 16,
      byRoute: { 'POST /api/generate': 2, 'GET /api/tags': 1 },
    });
    own.resetStats();
    expect(own.stats).toMatchObject({ requests: 0, maxActive: 0, maxRunning: 0, tokens: 0, byRoute: {} });
    await own.close();
  });
});

describe('the admin endpoints', () => {
  it('set, read and clear faults, and read and reset stats, over HTTP', async () => {
    const own = await startFakeOllama({ ...FAST, admin: true });
    expect(await raw(own.url, '/_fake/faults')).toMatchObject({ status: 200, lines: [{ faults: null }] });
    expect((await raw(own.url, '/_fake/faults', { errorStatus: 500 }, { method: 'PUT' })).status).toBe(204);
    expect(own.faults.current).toMatchObject({ errorStatus: 500 });
    expect(await raw(own.url, '/_fake/faults')).toMatchObject({
      lines: [{ faults: { errorStatus: 500, errorRate: 1 } }],
    });
    expect((await raw(own.url, '/api/chat', chat())).status).toBe(500);
    expect(await raw(own.url, '/_fake/faults', { errorStatus: 99 }, { method: 'PUT' })).toMatchObject({
      status: 400,
      lines: [{ error: expect.stringContaining('faults.errorStatus') }],
    });
    expect(await raw(own.url, '/_fake/faults', '{', { method: 'PUT' })).toMatchObject({
      status: 400,
      lines: [{ error: expect.stringMatching(/^invalid JSON/) }],
    });
    expect((await raw(own.url, '/_fake/faults', undefined, { method: 'DELETE' })).status).toBe(204);
    expect(own.faults.current).toBeUndefined();
    expect(await raw(own.url, '/_fake/stats')).toMatchObject({
      lines: [{ faulted: 1, byRoute: { 'POST /api/chat': 1 } }],
    });
    expect((await raw(own.url, '/_fake/stats', undefined, { method: 'DELETE' })).status).toBe(204);
    expect(own.stats.faulted).toBe(0);
    await own.close();
  });
});

describe('starting', () => {
  it('brackets an IPv6 host in its URL', async () => {
    const own = await startFakeOllama({ host: '::1' });
    expect(own.url).toBe(`http://[::1]:${own.port}`);
    expect((await raw(own.url, '/api/version')).lines).toEqual([{ version: '0.32.15' }]);
    await own.close();
  });

  it('fails with PORT_IN_USE when the port is taken, and LISTEN_FAILED for a bad host', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    await expect(startFakeOllama({ port })).rejects.toMatchObject({
      code: FakeOllamaErrorCode.PORT_IN_USE,
      message: expect.stringContaining('choose another port'),
    });
    blocker.close();
    await expect(startFakeOllama({ host: '203.0.113.1' })).rejects.toMatchObject({
      code: FakeOllamaErrorCode.LISTEN_FAILED,
    });
  });

  it('rejects bad options before listening', async () => {
    await expect(startFakeOllama({ tokensPerSecond: 0 })).rejects.toMatchObject({
      code: FakeOllamaErrorCode.INVALID_OPTION,
      message: 'tokensPerSecond must be a number greater than 0, got 0',
    });
    await expect(startFakeOllama({ faults: { errorRate: 2 } })).rejects.toMatchObject({
      code: FakeOllamaErrorCode.INVALID_FAULT,
    });
  });
});
