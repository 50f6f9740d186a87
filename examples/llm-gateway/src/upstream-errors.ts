import { ErrorCode, SightglassError } from '@sightglass/core';
import {
  ConnectionError,
  OllamaError,
  OllamaErrorCode,
  ResponseError,
  TimeoutError,
} from '@sightglass/ollama';
import { isCircuitRejection } from '@sightglass/resilience';
import { BulkheadRejectedError, TaskCancelledError } from 'cockatiel';
import { HttpError } from './http-error.js';

/** Longest upstream error message passed on to the client. */
const MAX_MESSAGE = 200;

/** What the mapping needs to know about the policy, for the `retry-after` and timeout messages. */
export interface ErrorMappingContext {
  readonly timeoutMs: number;
  readonly halfOpenAfterMs: number;
}

// Ollama's words when a model lacks a capability a request needs: `registry.ollama.ai/library/gemma3:latest
// does not support tools`, `"llama3.2" does not support thinking`, `"nomic-embed-text" does not support chat`.
const CAPABILITY_REFUSAL = /\bdoes not support [a-z]+/;

/**
 * The response for Ollama's 400, with its message: `capability_unsupported` when the model cannot do what
 * was asked (call tools, think, chat), so a client can tell "pick another model" from "fix the request"
 * (`upstream_rejected`). Neither is counted by the breaker: Ollama answered.
 */
export function upstreamRejection(ollamaMessage: string): HttpError {
  const message = ollamaMessage.slice(0, MAX_MESSAGE);
  return CAPABILITY_REFUSAL.test(message)
    ? new HttpError(400, 'capability_unsupported', message)
    : new HttpError(400, 'upstream_rejected', message);
}

/**
 * The response for a failed call to Ollama:
 *
 * | failure | status | code |
 * |---|---|---|
 * | breaker open (or half-open with its probe in flight) | 503, `retry-after` | `circuit_open` |
 * | every slot to Ollama busy and the queue full (bulkhead) | 503, `retry-after: 1` | `overloaded` |
 * | an attempt timed out | 504 | `upstream_timeout` |
 * | Ollama: unknown model | 404 | `model_not_found` |
 * | Ollama: the model cannot do what was asked (tools, thinking, chat, …) | 400 | `capability_unsupported` |
 * | Ollama: bad request | 400 | `upstream_rejected` |
 * | Ollama: busy (503) | 503, `retry-after: 1` | `upstream_busy` |
 * | Ollama: other status, broken answer | 502 | `upstream_error` |
 * | Ollama: no connection could be made (refused, unresolvable, connect timeout) | 502 | `upstream_unreachable` |
 * | Ollama: the connection broke while it had the request (reset, closed mid-answer) | 502 | `upstream_reset` |
 *
 * Returns `undefined` for an error that is not about Ollama (a bug), which the router answers with 500.
 */
export function httpErrorFor(error: unknown, context: ErrorMappingContext): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (isCircuitRejection(error)) {
    const seconds = Math.max(1, Math.ceil(context.halfOpenAfterMs / 1000));
    return new HttpError(
      503,
      'circuit_open',
      'Ollama is failing, so the gateway is not calling it for now; retry later',
      { 'retry-after': String(seconds) },
    );
  }
  if (error instanceof BulkheadRejectedError) {
    return new HttpError(503, 'overloaded', 'too many calls to Ollama are waiting; retry shortly', {
      'retry-after': '1',
    });
  }
  const timedOut =
    error instanceof TaskCancelledError ||
    error instanceof TimeoutError ||
    (error instanceof SightglassError && error.code === ErrorCode.CACHE_LOAD_TIMEOUT);
  if (timedOut) {
    return new HttpError(504, 'upstream_timeout', `Ollama did not answer within ${context.timeoutMs} ms`);
  }
  if (error instanceof ResponseError) {
    const message = error.error.slice(0, MAX_MESSAGE);
    if (error.status_code === 404) return new HttpError(404, 'model_not_found', message);
    if (error.status_code === 400) return upstreamRejection(message);
    if (error.status_code === 503) {
      return new HttpError(503, 'upstream_busy', `Ollama is busy: ${message}`, { 'retry-after': '1' });
    }
    return new HttpError(502, 'upstream_error', `Ollama answered ${error.status_code}: ${message}`);
  }
  if (error instanceof ConnectionError) {
    // Reached, then cut off: Ollama had the request (and may still be generating), so not "unreachable".
    if (error.code === OllamaErrorCode.CONNECTION_RESET) {
      return new HttpError(
        502,
        'upstream_reset',
        `The connection to Ollama broke during the call (${error.code})`,
      );
    }
    return new HttpError(502, 'upstream_unreachable', `Ollama could not be reached (${error.code})`);
  }
  if (error instanceof OllamaError) {
    return new HttpError(502, 'upstream_error', `Ollama's answer failed (${error.code})`);
  }
  return undefined;
}
