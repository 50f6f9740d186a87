import { CATALOG, metricRegistry } from '@sightglass/core';
import { startFakeOllama } from '@sightglass/fake-ollama';
import { executeWithSignal, instrumentCircuitBreaker, isCircuitRejection } from '@sightglass/resilience';
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

describe('under a cockatiel policy, wrapped around the call', () => {
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
    const ollama = client({ host: server.url });
    await expect(
      executeWithSignal(breaker, (signal) => ollama.chat(chat, { signal })),
    ).resolves.toMatchObject({ done: true });
    server.faults.set({ errorStatus: 503 });
    await expect(executeWithSignal(breaker, (signal) => ollama.chat(chat, { signal }))).rejects.toMatchObject(
      { status_code: 503 },
    );
    await expect(
      executeWithSignal(breaker, (signal) => ollama.chat({ ...chat, stream: true }, { signal })),
    ).rejects.toMatchObject({ status_code: 503 });
    const rejected = await executeWithSignal(breaker, (signal) => ollama.chat(chat, { signal })).catch(
      (error: unknown) => error,
    );
    expect(isCircuitRejection(rejected)).toBe(true);
    expect(server.stats.requests).toBe(3);
    expect(metricRegistry().value(CATALOG.circuitBreakerState, { breaker_name: 'ollama-breaker' })).toBe(1);
    breaker.dispose();
  });

  it("a policy's timeout aborts the request: the call throws TimeoutError, the caller gets TaskCancelledError", async () => {
    const server = await fakeOllama();
    server.faults.set({ addedLatencyMs: 2000 });
    const ollama = client({ host: server.url });
    const policy = timeout(100, TimeoutStrategy.Aggressive);
    for (const stream of [false, true] as const) {
      let call: Promise<unknown> | undefined;
      await expect(
        executeWithSignal(policy, (signal) => {
          call = stream ? ollama.chat({ ...chat, stream }, { signal }) : ollama.chat(chat, { signal });
          return call;
        }),
      ).rejects.toBeInstanceOf(TaskCancelledError);
      await expect(call).rejects.toMatchObject({
        name: 'TimeoutError',
        code: 'ERR_SIGHTGLASS_OLLAMA_TIMEOUT',
      });
    }
  });

  it('a retry around a timeout tries again: the timeout cancels one attempt, not the call', async () => {
    const server = await fakeOllama();
    server.faults.set({ addedLatencyMs: 2000 });
    const retrying = retry(handleAll, { maxAttempts: 1 });
    retrying.onRetry(() => server.faults.clear());
    const policy = wrap(retrying, timeout(150, TimeoutStrategy.Aggressive));
    const ollama = client({ host: server.url });
    await expect(executeWithSignal(policy, (signal) => ollama.chat(chat, { signal }))).resolves.toMatchObject(
      {
        done: true,
      },
    );
    expect(server.stats.requests).toBe(2);
  });

  it("a stream started within the timeout is not cut when the attempt ends; the caller's signal still ends it", async () => {
    const server = await fakeOllama({ tokensPerSecond: 40, tokensPerAnswer: 12 });
    const ollama = client({ host: server.url });
    const policy = timeout(150, TimeoutStrategy.Aggressive);
    let chunks = 0;
    const stream = await executeWithSignal(policy, (signal) =>
      ollama.chat({ ...chat, stream: true }, { signal }),
    );
    for await (const part of stream) if (!part.done) chunks++;
    expect(chunks).toBe(12); // 300 ms of tokens, twice the policy's timeout

    const caller = new AbortController();
    const left = await executeWithSignal(
      policy,
      (signal) => ollama.chat({ ...chat, stream: true }, { signal }),
      {
        signal: caller.signal,
      },
    );
    const read = (async () => {
      for await (const _ of left) caller.abort(new Error('the client left'));
    })();
    await expect(read).rejects.toMatchObject({ name: 'AbortError' });
  });
});
