import { CATALOG, metricRegistry } from '@sightglass/core';
import { startFakeOllama } from '@sightglass/fake-ollama';
import { instrumentCircuitBreaker, isCircuitRejection } from '@sightglass/resilience';
import { freePort } from '@sightglass/test-kit';
import {
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
  handleWhen,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { ResponseError } from './errors.js';
import { client, eventually, fakeOllama, poolSeries } from './test-support/servers.js';

const chat = { model: 'llama3.2', messages: [{ role: 'user', content: 'Retry me' }] };

describe('retries of connection failures before any byte', () => {
  it('retries until the server listens', async () => {
    const port = await freePort();
    const ollama = client({
      host: `127.0.0.1:${port}`,
      name: 'retry-late',
      retry: { maxAttempts: 6, delayMs: 40 },
    });
    const reply = ollama.version();
    // Start the server once an attempt failed to connect: the retries then reach it.
    await eventually(() => expect(poolSeries('retry-late').errors).toBeGreaterThanOrEqual(1));
    const server = await startFakeOllama({ port });
    try {
      await expect(reply).resolves.toEqual({ version: '0.32.15' });
      expect(poolSeries('retry-late').errors).toBeGreaterThanOrEqual(1);
    } finally {
      await ollama.close();
      await server.close();
    }
  });

  it('gives up after maxAttempts retries on a closed port', async () => {
    const port = await freePort();
    const ollama = client({
      host: `http://127.0.0.1:${port}`,
      name: 'retry-closed',
      retry: { maxAttempts: 2, delayMs: 1 },
    });
    await expect(ollama.chat(chat)).rejects.toMatchObject({
      name: 'ConnectionError',
      code: 'ERR_SIGHTGLASS_OLLAMA_CONNECTION_FAILED',
      cause: expect.objectContaining({ code: 'ECONNREFUSED' }),
    });
    expect(poolSeries('retry-closed').errors).toBe(3);
  });

  it('never retries an answer that began, nor an HTTP error', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url });
    server.faults.set({ errorStatus: 500 });
    await expect(ollama.chat(chat)).rejects.toBeInstanceOf(ResponseError);
    expect(server.stats.requests).toBe(1);
  });
});

describe('the policy option', () => {
  it('runs calls under an instrumented cockatiel breaker', async () => {
    const server = await fakeOllama();
    const breaker = instrumentCircuitBreaker(
      circuitBreaker(
        handleWhen((error) => error instanceof ResponseError && error.status_code >= 500),
        {
          halfOpenAfter: 60_000,
          breaker: new ConsecutiveBreaker(2),
        },
      ),
      { name: 'ollama-breaker' },
    );
    const ollama = client({ host: server.url, policy: breaker });
    await expect(ollama.chat(chat)).resolves.toMatchObject({ done: true });
    server.faults.set({ errorStatus: 503 });
    await expect(ollama.chat(chat)).rejects.toMatchObject({ status_code: 503 });
    await expect(ollama.chat({ ...chat, stream: true })).rejects.toMatchObject({ status_code: 503 });
    const rejected = await ollama.chat(chat).catch((error: unknown) => error);
    expect(isCircuitRejection(rejected)).toBe(true);
    expect(server.stats.requests).toBe(3);
    expect(metricRegistry().value(CATALOG.circuitBreakerState, { breaker_name: 'ollama-breaker' })).toBe(1);
    breaker.dispose();
  });

  it("a policy's own cancellation aborts the request", async () => {
    const server = await fakeOllama({ tokensPerSecond: 10 });
    const ollama = client({
      host: server.url,
      policy: {
        execute: (fn) => {
          const controller = new AbortController();
          const call = Promise.resolve(fn({ signal: controller.signal }));
          // The policy cancels once the request is at the server (a slow answer: 10 tokens a second).
          void eventually(() => expect(server.stats.active).toBe(1)).then(() => controller.abort());
          return call;
        },
      },
    });
    await expect(ollama.chat(chat)).rejects.toMatchObject({ name: 'AbortError' });
  });

  it("a policy's timeout reaches the caller as the policy's own error (TaskCancelledError)", async () => {
    const server = await fakeOllama();
    server.faults.set({ addedLatencyMs: 2000 });
    const ollama = client({ host: server.url, policy: timeout(100, TimeoutStrategy.Aggressive) });
    await expect(ollama.chat(chat)).rejects.toBeInstanceOf(TaskCancelledError);
    await expect(ollama.chat({ ...chat, stream: true })).rejects.toBeInstanceOf(TaskCancelledError);
  });

  it('a retry around a timeout tries again: the timeout cancels one attempt, not the call', async () => {
    const server = await fakeOllama();
    server.faults.set({ addedLatencyMs: 2000 });
    const retrying = retry(handleAll, { maxAttempts: 1 });
    retrying.onRetry(() => server.faults.clear());
    const ollama = client({
      host: server.url,
      policy: wrap(retrying, timeout(150, TimeoutStrategy.Aggressive)),
    });
    await expect(ollama.chat(chat)).resolves.toMatchObject({ done: true });
    expect(server.stats.requests).toBe(2);
  });

  it('a stream started within the timeout is not cut when the attempt ends', async () => {
    const server = await fakeOllama({ tokensPerSecond: 40, tokensPerAnswer: 12 });
    const ollama = client({ host: server.url, policy: timeout(150, TimeoutStrategy.Aggressive) });
    let chunks = 0;
    for await (const part of await ollama.chat({ ...chat, stream: true })) if (!part.done) chunks++;
    expect(chunks).toBe(12); // 300 ms of tokens, twice the policy's timeout
  });
});
