import { ErrorCode, SightglassError } from '@sightglass/core';
import {
  AbortError,
  ConnectionError,
  MalformedResponseError,
  OllamaErrorCode,
  ResponseError,
  TimeoutError,
} from '@sightglass/ollama';
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  IsolatedCircuitError,
  TaskCancelledError,
} from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { HttpError } from './http-error.js';
import {
  DeadlineExceededError,
  isRetryable,
  isUpstreamFailure,
  QueuedPastDeadlineError,
} from './ollama-policy.js';
import { httpErrorFor } from './upstream-errors.js';

const context = { timeoutMs: 1500, halfOpenAfterMs: 2500 };

describe('httpErrorFor', () => {
  it.each([
    [new BrokenCircuitError(), 503, 'circuit_open'],
    [new IsolatedCircuitError(), 503, 'circuit_open'],
    [new BulkheadRejectedError(32, 64), 503, 'overloaded'],
    [new TaskCancelledError('Operation timed out after 1500ms'), 504, 'upstream_timeout'],
    [new TimeoutError('late'), 504, 'upstream_timeout'],
    [new SightglassError(ErrorCode.CACHE_LOAD_TIMEOUT, 'slow loader'), 504, 'upstream_timeout'],
    [new ResponseError("model 'x' not found", 404), 404, 'model_not_found'],
    [new ResponseError('invalid model name', 400), 400, 'upstream_rejected'],
    [
      new ResponseError('registry.ollama.ai/library/gemma3:latest does not support tools', 400),
      400,
      'capability_unsupported',
    ],
    [new ResponseError('"llama3.2" does not support thinking', 400), 400, 'capability_unsupported'],
    [new ResponseError('"nomic-embed-text" does not support chat', 400), 400, 'capability_unsupported'],
    [new ResponseError('server busy', 503), 503, 'upstream_busy'],
    [new ResponseError('unexpected EOF', 500), 502, 'upstream_error'],
    [new ConnectionError(OllamaErrorCode.CONNECTION_FAILED, 'refused'), 502, 'upstream_unreachable'],
    [new ConnectionError(OllamaErrorCode.CONNECTION_RESET, 'reset mid-answer'), 502, 'upstream_reset'],
    [new MalformedResponseError('{"resp'), 502, 'upstream_error'],
    [new AbortError(), 502, 'upstream_error'],
  ])('maps %s to %i %s', (error, status, code) => {
    expect(httpErrorFor(error, context)).toMatchObject({ status, code });
  });

  it('says when to retry after an open breaker: when it will let a probe through', () => {
    expect(httpErrorFor(new BrokenCircuitError(), context)?.headers).toEqual({ 'retry-after': '3' });
    expect(httpErrorFor(new BrokenCircuitError(), { ...context, halfOpenAfterMs: 200 })?.headers).toEqual({
      'retry-after': '1',
    });
  });

  it("passes Ollama's refusal on as it was worded, cut to 200 characters", () => {
    const refusal = httpErrorFor(new ResponseError('"llama3.2" does not support thinking', 400), context);
    expect(refusal?.toJSON()).toEqual({
      error: { code: 'capability_unsupported', message: '"llama3.2" does not support thinking' },
    });
    expect(httpErrorFor(new ResponseError('x'.repeat(500), 400), context)?.message).toHaveLength(200);
  });

  it('passes HttpErrors through and leaves anything else (a bug) to the router', () => {
    const error = new HttpError(418, 'teapot', 'short and stout');
    expect(httpErrorFor(error, context)).toBe(error);
    expect(httpErrorFor(new TypeError('oops'), context)).toBeUndefined();
  });
});

describe('what the policy counts and retries', () => {
  it('counts failures of Ollama, not mistakes of the caller', () => {
    expect(isUpstreamFailure(new ResponseError('boom', 500))).toBe(true);
    expect(isUpstreamFailure(new TaskCancelledError())).toBe(true);
    expect(isUpstreamFailure(new MalformedResponseError('x'))).toBe(true);
    expect(isUpstreamFailure(new ResponseError('no such model', 404))).toBe(false);
    expect(isUpstreamFailure(new AbortError())).toBe(false);
  });

  it('counts a deadline Ollama missed, not one that ran out in the queue before Ollama was called', () => {
    // Both extend the client's TimeoutError: the brand that makes TimeoutError match across copies of the
    // package must leave these subclasses to the prototype check.
    expect(isUpstreamFailure(new DeadlineExceededError('the call took longer than 400 ms'))).toBe(true);
    expect(isUpstreamFailure(new QueuedPastDeadlineError('queued past the deadline'))).toBe(false);
    expect(new DeadlineExceededError('late') instanceof QueuedPastDeadlineError).toBe(false);
  });

  it('counts neither a model refusing tools or thinking (400) nor retries it', () => {
    for (const message of ['"llama3.2" does not support thinking', 'gemma3:latest does not support tools']) {
      expect(isUpstreamFailure(new ResponseError(message, 400))).toBe(false);
      expect(isRetryable(new ResponseError(message, 400))).toBe(false);
    }
  });

  it('retries fast failures only, and never one Ollama may have started generating for', () => {
    expect(isRetryable(new ConnectionError(OllamaErrorCode.CONNECTION_FAILED, 'refused'))).toBe(true);
    expect(isRetryable(new ConnectionError(OllamaErrorCode.CONNECTION_RESET, 'reset'))).toBe(false);
    expect(isRetryable(new ResponseError('boom', 502))).toBe(true);
    expect(isRetryable(new TaskCancelledError())).toBe(false);
    expect(isRetryable(new ResponseError('bad request', 400))).toBe(false);
  });
});
