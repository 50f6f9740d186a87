import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OllamaErrorCode } from './errors.js';
import { client, collect, eventually, fakeOllama } from './test-support/servers.js';

const chat = { model: 'llama3.2', messages: [{ role: 'user', content: 'Hello there' }] };

describe('faults give typed errors, and free their connection', () => {
  it('a missing model is a ResponseError 404 with the server message', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url });
    const error = await ollama.chat({ ...chat, model: 'nope' }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'ResponseError',
      code: OllamaErrorCode.HTTP_STATUS,
      status_code: 404,
      error: "model 'nope' not found",
      message: "model 'nope' not found",
    });
    await expect(ollama.chat({ ...chat, model: 'nope', stream: true })).rejects.toMatchObject({
      name: 'ResponseError',
      status_code: 404,
      error: "model 'nope' not found",
    });
  });

  it('503 busy, and an error rate', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url });
    server.faults.set({ errorStatus: 503, errorRate: 0.5 });
    const results = await Promise.allSettled([ollama.chat(chat), ollama.chat(chat)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({
      status_code: 503,
      error: expect.stringContaining('server busy'),
    });
  });

  it('an error line mid-stream', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url });
    server.faults.set({ errorLineAfterChunks: 3, errorMessage: 'the model crashed' });
    const stream = await ollama.chat({ ...chat, stream: true });
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const chunk of stream) seen.push(chunk);
    })().catch((e: unknown) => e);
    expect(seen).toHaveLength(3);
    expect(error).toMatchObject({
      name: 'ResponseError',
      code: OllamaErrorCode.STREAM_ERROR,
      status_code: 200,
      error: 'the model crashed',
    });
    await eventually(() => expect(ollama.pool.stats.running).toBe(0));
  });

  it('an error before anything was sent is a 500', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url });
    server.faults.set({ errorLineAfterChunks: 0 });
    await expect(ollama.generate({ model: 'llama3.2', prompt: 'x' })).rejects.toMatchObject({
      status_code: 500,
    });
  });

  it('a malformed line', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url });
    server.faults.set({ malformedAfterChunks: 2 });
    const stream = await ollama.chat({ ...chat, stream: true });
    await expect(collect(stream)).rejects.toMatchObject({
      name: 'MalformedResponseError',
      code: OllamaErrorCode.MALFORMED_RESPONSE,
      line: expect.any(String),
    });
    await eventually(() => expect(ollama.pool.stats.running).toBe(0));
    // Not streamed: the body is cut-off JSON.
    await expect(ollama.chat(chat)).rejects.toMatchObject({ code: OllamaErrorCode.MALFORMED_RESPONSE });
  });

  it('a connection dropped mid-stream is a reset, never retried', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url });
    server.faults.set({ dropAfterChunks: 4 });
    const stream = await ollama.chat({ ...chat, stream: true });
    await expect(collect(stream)).rejects.toMatchObject({
      name: 'ConnectionError',
      code: OllamaErrorCode.CONNECTION_RESET,
    });
    expect(server.stats.requests).toBe(1);
    await eventually(() => expect(ollama.pool.stats.running).toBe(0));
    // Not streamed, the drop comes before the headers, but the server had the request and generated the
    // answer: not retried (a retry would repeat the generation), and a reset too, not a failure to connect.
    server.resetStats();
    await expect(ollama.chat(chat)).rejects.toMatchObject({
      code: OllamaErrorCode.CONNECTION_RESET,
      message: expect.stringContaining('before its answer began'),
    });
    expect(server.stats.requests).toBe(1);
  });

  it('abort() ends a stream at once, even with lines already buffered', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url });
    const stream = await ollama.chat({ ...chat, stream: true });
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const part of stream) {
          seen.push(part);
          stream.abort();
        }
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toHaveLength(1);
    await eventually(() => expect(ollama.pool.stats.running).toBe(0));
  });

  it('a stream that ends without done', async () => {
    // The fake cannot end a stream early by itself: a tiny bodyless server can.
    const { createServer } = await import('node:http');
    const truncated = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end('{"model":"m","message":{"role":"assistant","content":"a"},"done":false}\n');
    });
    await new Promise<void>((resolve) => truncated.listen(0, '127.0.0.1', resolve));
    const port = (truncated.address() as { port: number }).port;
    const other = client({ host: `127.0.0.1:${port}` });
    try {
      await expect(collect(await other.chat({ ...chat, stream: true }))).rejects.toMatchObject({
        code: OllamaErrorCode.INCOMPLETE_STREAM,
      });
    } finally {
      await other.close();
      await new Promise((resolve) => truncated.close(resolve));
    }
  });

  it('a stall past timeoutMs is a TimeoutError', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url, timeoutMs: 150 });
    server.faults.set({ stallAfterChunks: 2 });
    const stream = await ollama.chat({ ...chat, stream: true });
    await expect(collect(stream)).rejects.toMatchObject({
      name: 'TimeoutError',
      code: OllamaErrorCode.TIMEOUT,
    });
    await eventually(() => expect(ollama.pool.stats.running).toBe(0));
    server.faults.set({ stallAfterChunks: 0 });
    await expect(ollama.chat(chat, { timeoutMs: 100 })).rejects.toMatchObject({
      code: OllamaErrorCode.TIMEOUT,
    });
    await eventually(() => expect(ollama.pool.stats.running).toBe(0));
  });

  it("undici's body timeout is a TimeoutError too", async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url, bodyTimeout: 100 });
    server.faults.set({ stallAfterChunks: 2 });
    await expect(collect(await ollama.chat({ ...chat, stream: true }))).rejects.toMatchObject({
      code: OllamaErrorCode.TIMEOUT,
    });
  });

  it('added latency past timeoutMs', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url });
    server.faults.set({ addedLatencyMs: 300 });
    await expect(
      ollama.embed({ model: 'nomic-embed-text', input: 'x' }, { timeoutMs: 50 }),
    ).rejects.toMatchObject({
      code: OllamaErrorCode.TIMEOUT,
    });
    server.faults.set({ addedLatencyMs: 20 });
    await expect(
      ollama.embed({ model: 'nomic-embed-text', input: 'x' }, { timeoutMs: 2000 }),
    ).resolves.toMatchObject({ embeddings: [expect.any(Array)] });
  });
});

describe('aborts', () => {
  it("the stream's abort() stops it and frees the connection", async () => {
    const server = await fakeOllama({ tokensPerSecond: 100 });
    const ollama = client({ host: server.url });
    const stream = await ollama.chat({ ...chat, stream: true });
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const chunk of stream) {
        seen.push(chunk);
        if (seen.length === 2) stream.abort();
      }
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AbortError', code: OllamaErrorCode.ABORTED });
    await eventually(() => expect(ollama.pool.stats.running).toBe(0));
  });

  it('an external signal aborts streamed and non-streamed calls', async () => {
    const server = await fakeOllama({ tokensPerSecond: 100 });
    const ollama = client({ host: server.url });
    const controller = new AbortController();
    const pending = ollama.chat(chat, { signal: controller.signal });
    await eventually(() => expect(server.stats.active).toBe(1)); // the call is at the server
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', code: OllamaErrorCode.ABORTED });
    await expect(ollama.chat(chat, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
    const second = new AbortController();
    const stream = await ollama.chat({ ...chat, stream: true }, { signal: second.signal });
    const reading = collect(stream);
    second.abort(); // while the answer streams in
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    await eventually(() => expect(ollama.pool.stats.running).toBe(0));
  });

  it("the client's abort() aborts everything in flight; breaking out frees the connection", async () => {
    const server = await fakeOllama({ tokensPerSecond: 100 });
    const ollama = client({ host: server.url });
    const stream = await ollama.chat({ ...chat, stream: true });
    const plain = ollama.generate({ model: 'llama3.2', prompt: 'x' });
    await eventually(() => expect(server.stats.active).toBe(2)); // both calls are at the server
    ollama.abort();
    await expect(plain).rejects.toMatchObject({ name: 'AbortError' });
    await expect(collect(stream)).rejects.toMatchObject({ name: 'AbortError' });
    const again = await ollama.chat({ ...chat, stream: true });
    for await (const chunk of again) if (chunk) break;
    await eventually(() => expect(ollama.pool.stats.running).toBe(0));
    await ollama.close();
    await expect(ollama.list()).rejects.toMatchObject({ name: 'AbortError' });
  });
});

/** A bare node:http server for answers fake-ollama does not give (interim 1xx, a cut error body). */
const rawServers: Array<ReturnType<typeof createServer>> = [];
async function rawServer(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  rawServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(async () => {
  await Promise.all(
    rawServers.splice(0).map(
      (server) =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(resolve);
        }),
    ),
  );
});

describe('answers around the stream', () => {
  it('an interim 103 Early Hints before the stream is skipped', async () => {
    const url = await rawServer((_request, response) => {
      response.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      response.write('{"model":"m","message":{"role":"assistant","content":"Hi"},"done":false}\n');
      response.end('{"model":"m","message":{"role":"assistant","content":""},"done":true,"eval_count":1}\n');
    });
    const chunks = await collect(await client({ host: url }).chat({ ...chat, stream: true }));
    expect(chunks.map((chunk) => chunk.message.content)).toEqual(['Hi', '']);
  });

  it('an error answer whose body is cut off is a reset, not a failure to connect', async () => {
    const url = await rawServer((_request, response) => {
      response.writeHead(500, { 'content-type': 'application/json', 'content-length': '100' });
      // Cut once the half body is on its way: the client reads it, then the connection ends.
      response.write('{"error":"half', () => response.socket?.destroy());
    });
    await expect(client({ host: url }).chat({ ...chat, stream: true })).rejects.toMatchObject({
      code: OllamaErrorCode.CONNECTION_RESET,
    });
  });

  it('a streamed call that times out while waiting for a free connection fails at once', async () => {
    const server = await fakeOllama({ tokensPerSecond: 20, tokensPerAnswer: 40 });
    const ollama = client({ host: server.url, connections: 1 });
    const holding = await ollama.chat({ ...chat, stream: true }); // holds the only connection for ~2 s
    await expect(ollama.chat({ ...chat, stream: true }, { timeoutMs: 100 })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    // Answered at its own timeout, while the first stream still held the connection, and never sent.
    expect(server.stats.completed).toBe(0);
    expect(server.stats.requests).toBe(1);
    for await (const chunk of holding) if (chunk) break;
    await eventually(() => expect(ollama.pool.stats.running).toBe(0));
  });
});
