import { Ollama } from 'ollama';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_FAULT_MESSAGE, type FakeOllama, SERVER_BUSY_MESSAGE, startFakeOllama } from './index.js';
import { FAST, raw } from './test-support/http.js';

let server: FakeOllama;
let ollama: Ollama;
beforeAll(async () => {
  server = await startFakeOllama(FAST);
  ollama = new Ollama({ host: server.url });
});
afterEach(() => server.faults.clear());
afterAll(() => server.close());

// A fresh object each time: the official client writes `stream` into the request it is given.
const generate = (): { model: string; prompt: string } => ({
  model: 'llama3.2',
  prompt: 'Why is the sky blue?',
});

/** Drains an official-client stream, returning what arrived before it ended or threw. */
async function drain<T>(stream: AsyncIterable<T>): Promise<{ chunks: T[]; error?: Error }> {
  const chunks: T[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
    return { chunks };
  } catch (error) {
    return { chunks, error: error as Error };
  }
}

describe('error status', () => {
  it('answers the injected status with {"error"}, which the client throws as ResponseError', async () => {
    server.faults.set({ errorStatus: 500 });
    await expect(ollama.generate(generate())).rejects.toMatchObject({
      name: 'ResponseError',
      status_code: 500,
      message: DEFAULT_FAULT_MESSAGE,
    });
    server.faults.set({ errorStatus: 503 });
    await expect(ollama.chat({ model: 'llama3.2', messages: [] })).rejects.toMatchObject({
      status_code: 503,
      message: SERVER_BUSY_MESSAGE,
    });
  });

  it('fails exactly the share errorRate asks for, the same way every run', async () => {
    server.faults.set({ errorStatus: 502, errorRate: 0.5 });
    const before = server.stats.faulted;
    const outcomes = [];
    for (let i = 0; i < 6; i++)
      outcomes.push((await raw(server.url, '/api/embed', { model: 'nomic-embed-text', input: 'x' })).status);
    expect(outcomes).toEqual([502, 200, 502, 200, 502, 200]);
    expect(server.stats.faulted - before).toBe(3);
  });

  it('leaves other paths alone', async () => {
    server.faults.set({ errorStatus: 500 });
    expect((await raw(server.url, '/api/tags')).status).toBe(200);
  });
});

describe('added latency', () => {
  it('delays matching requests', async () => {
    server.faults.set({ addedLatencyMs: 60 });
    const start = performance.now();
    await ollama.embed({ model: 'nomic-embed-text', input: 'x' });
    expect(performance.now() - start).toBeGreaterThanOrEqual(55);
  });
});

describe('an error line mid-stream', () => {
  it('arrives under the 200 after N chunks and makes the official iterator throw its message', async () => {
    server.faults.set({ errorLineAfterChunks: 3, errorMessage: 'CUDA error: out of memory' });
    const { chunks, error } = await drain(await ollama.generate({ ...generate(), stream: true }));
    expect(chunks).toHaveLength(3);
    expect(error?.message).toBe('CUDA error: out of memory');
    const answer = await raw(server.url, '/api/generate', generate());
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/x-ndjson');
    expect(answer.lines).toHaveLength(4);
    expect(answer.lines[3]).toEqual({ error: 'CUDA error: out of memory' });
  });

  it('is an HTTP 500 when nothing was sent yet, or without streaming', async () => {
    server.faults.set({ errorLineAfterChunks: 0 });
    await expect(ollama.generate({ ...generate(), stream: true })).rejects.toMatchObject({
      status_code: 500,
      message: DEFAULT_FAULT_MESSAGE,
    });
    server.faults.set({ errorLineAfterChunks: 3 });
    await expect(
      ollama.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({
      status_code: 500,
    });
    // Past the end of the answer the fault never comes.
    server.faults.set({ errorLineAfterChunks: 50 });
    expect((await ollama.generate(generate())).done).toBe(true);
  });
});

describe('a malformed line', () => {
  it('is a cut-off chunk the official client skips with a warning, then the stream goes on', async () => {
    server.faults.set({ malformedAfterChunks: 2 });
    const answer = await raw(server.url, '/api/generate', generate());
    expect(typeof answer.lines[2]).toBe('string');
    expect(() => JSON.parse(answer.lines[2] as string)).toThrow();
    expect(answer.lines.at(-1)).toMatchObject({ done: true, eval_count: 8 });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { chunks, error } = await drain(await ollama.generate({ ...generate(), stream: true }));
    expect(error).toBeUndefined();
    expect(chunks.at(-1)).toMatchObject({ done: true, eval_count: 8 });
    expect(warn).toHaveBeenCalledWith('invalid json: ', expect.any(String));
    warn.mockRestore();
  });

  it('makes a non-streamed answer unparsable', async () => {
    server.faults.set({ malformedAfterChunks: 2 });
    await expect(ollama.generate(generate())).rejects.toThrow(SyntaxError);
  });
});

describe('a dropped connection', () => {
  it('cuts the stream after N chunks, which the client sees as an error', async () => {
    server.faults.set({ dropAfterChunks: 2 });
    const { chunks, error } = await drain(await ollama.generate({ ...generate(), stream: true }));
    expect(chunks).toHaveLength(2);
    expect(error).toBeInstanceOf(Error);
    await expect(raw(server.url, '/api/generate', generate())).rejects.toThrow();
    await expect(ollama.generate(generate())).rejects.toThrow();
  });
});

describe('a stall', () => {
  it('sends N chunks then nothing, keeping the connection open until the client gives up', async () => {
    server.faults.set({ stallAfterChunks: 2 });
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify(generate()),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let text = '';
    while (text.split('\n').length < 3) text += new TextDecoder().decode((await reader.read()).value);
    expect(text.split('\n').filter(Boolean)).toHaveLength(2);
    const next = reader.read();
    // A real wait, bounded: that no third chunk comes is shown by 100 ms of nothing before the abort.
    const timer = setTimeout(() => controller.abort(), 100);
    await expect(next).rejects.toThrow(/abort/i);
    clearTimeout(timer);
    await vi.waitFor(() => expect(server.stats.running).toBe(0));
  });

  it('before the first chunk leaves the client waiting for headers', async () => {
    server.faults.set({ stallAfterChunks: 0 });
    await expect(
      raw(
        server.url,
        '/api/chat',
        { model: 'llama3.2', messages: [{ role: 'user', content: 'x' }] },
        {
          signal: AbortSignal.timeout(100),
        },
      ),
    ).rejects.toThrow(/timeout|abort/i);
    server.faults.set({ stallAfterChunks: 3 });
    await expect(
      raw(
        server.url,
        '/api/generate',
        { ...generate(), stream: false },
        { signal: AbortSignal.timeout(100) },
      ),
    ).rejects.toThrow();
  });
});

describe('faults on a pull', () => {
  it('are counted in stats.faulted only when they act', async () => {
    server.faults.set({ dropAfterChunks: 1 });
    const before = server.stats.faulted;
    await ollama.embed({ model: 'nomic-embed-text', input: 'x' }); // no chunks: nothing to drop
    await raw(server.url, '/api/generate', generate()).catch(() => undefined);
    expect(server.stats.faulted - before).toBe(1);
  });

  it('apply to progress lines when /api/pull is in paths', async () => {
    server.faults.set({
      paths: ['/api/pull'],
      errorLineAfterChunks: 1,
      errorMessage: 'registry unreachable',
    });
    const { chunks, error } = await drain(await ollama.pull({ model: 'llama3.2', stream: true }));
    expect(chunks).toEqual([{ status: 'pulling manifest' }]);
    expect(error?.message).toBe('registry unreachable');
  });
});
