import type { GatewayRequest } from './requests.js';

/** Whether an answer came from the response cache. */
export type CacheStatus = 'hit' | 'miss';

/** Ollama's answer to a request, as the JSON text the gateway sends back. */
export interface Answer {
  readonly json: string;
  /** Sent as the `x-cache` header; left out by an upstream without a cache. */
  readonly cache?: CacheStatus;
}

/**
 * What answers the gateway's API routes. The Sightglass gateway answers through a cache, a breaker, a retry
 * and a timeout; the naive one that `--compare` measures it against calls Ollama directly. Failures are
 * thrown as `HttpError`s; anything else thrown is a bug, answered with 500.
 */
export interface Upstream {
  answer(request: GatewayRequest): Promise<Answer>;
  /**
   * Starts a streamed answer (`"stream": true` on chat or generate): resolves once Ollama has started
   * answering, with its chunks as they come. `signal` aborts it (the client went away). Optional: an upstream
   * without it answers streaming requests with 400.
   */
  stream?(request: GatewayRequest, signal: AbortSignal): Promise<AsyncIterable<object>>;
}
