import type { MemoryCache, WarmReport } from '@sightglass/cache';
import type { Ollama } from '@sightglass/ollama';
import { askOllama, streamOllama } from './ask-ollama.js';
import { cacheKey } from './cache-key.js';
import type { OllamaPolicy } from './ollama-policy.js';
import type { GatewayRequest } from './requests.js';
import type { Answer, Upstream } from './upstream.js';
import { httpErrorFor } from './upstream-errors.js';

/** The Sightglass way to Ollama: a response cache in front, then the policy, then the pooled client. */
export interface CachedUpstream extends Upstream {
  /** Loads answers to `requests` into the cache (the cache's warming API); never rejects. */
  warm(
    requests: readonly GatewayRequest[],
    options?: { concurrency?: number; refreshEveryMs?: number },
  ): Promise<WarmReport>;
}

/**
 * Answers requests from the cache, or from Ollama through the policy on a miss. Concurrent identical misses
 * call Ollama once (the cache coalesces them). Answers are cached as the JSON text sent back, so a hit costs
 * no serialization. Failures are never cached.
 */
export function createCachedUpstream(parts: {
  ollama: Ollama;
  policy: OllamaPolicy;
  cache: MemoryCache<string>;
}): CachedUpstream {
  const { ollama, policy, cache } = parts;
  // The cache hands each load a signal of its own, which the policy passes on to the attempt.
  const load =
    (request: GatewayRequest) =>
    async ({ signal }: { signal: AbortSignal }): Promise<string> =>
      JSON.stringify(
        await policy.execute(request.kind, (attempt) => askOllama(ollama, request, attempt), signal),
      );

  return {
    async answer(request) {
      const key = cacheKey(request);
      // `has` is not counted as a lookup, so cache_hits/misses stay one per request (getOrLoad counts it).
      const cached = cache.has(key);
      try {
        const json = await cache.getOrLoad(key, load(request));
        return { json, cache: cached ? 'hit' : 'miss' } satisfies Answer;
      } catch (error) {
        throw httpErrorFor(error, policy.settings) ?? error;
      }
    },
    // Streams bypass the cache (an answer is cached whole, and a stream's point is its first token). The
    // policy guards the start: the timeout bounds the wait for Ollama's first bytes, and the breaker counts a
    // stream that could not start. Once started, a long generation is not cut by the per-attempt timeout.
    // The policy gets a signal of its own, not the client's: a client leaving aborts the request to Ollama
    // (an AbortError, which the breaker ignores) and must never surface as the policy's timeout, which the
    // breaker would count against Ollama.
    async stream(request, signal) {
      try {
        return await policy.execute(
          request.kind,
          async (attempt) => {
            const stream = new AbortController();
            const abort = () => stream.abort();
            attempt.addEventListener('abort', abort, { once: true });
            signal.addEventListener('abort', abort, { once: true });
            try {
              return await streamOllama(ollama, request, stream.signal);
            } finally {
              attempt.removeEventListener('abort', abort); // the attempt ends here; the stream goes on
            }
          },
          new AbortController().signal,
        );
      } catch (error) {
        throw httpErrorFor(error, policy.settings) ?? error;
      }
    },
    warm(requests, options = {}) {
      return cache.warm(() => requests.map((request) => ({ key: cacheKey(request), load: load(request) })), {
        concurrency: options.concurrency ?? 4,
        ...(options.refreshEveryMs === undefined ? {} : { refreshEveryMs: options.refreshEveryMs }),
      });
    },
  };
}
