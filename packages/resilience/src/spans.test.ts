/**
 * What the policies record on the caller's span, with a real tracer provider (sdk-trace-base) and the
 * AsyncLocalStorage context manager, against both cockatiel majors.
 */
import { context, ROOT_CONTEXT, type Span, trace } from '@opentelemetry/api';
import { AlwaysOffSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { eventsOf, startTracing, type Tracing } from '@sightglass/test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { instrumentBulkhead } from './bulkhead.js';
import { instrumentCircuitBreaker } from './circuit-breaker.js';
import { instrumentPolicy } from './policy.js';
import { instrumentRetry } from './retry.js';
import {
  ATTR_BREAKER_NAME,
  ATTR_BREAKER_PREVIOUS_STATE,
  ATTR_BREAKER_STATE,
  ATTR_BULKHEAD_QUEUE_LENGTH,
  ATTR_BULKHEAD_WAIT_MS,
  ATTR_ERROR_TYPE,
  ATTR_POLICY_NAME,
  ATTR_RETRY_ATTEMPT,
  ATTR_RETRY_DELAY_MS,
  ATTR_TIMEOUT_MS,
  EVENT_BREAKER_REJECTED,
  EVENT_BREAKER_STATE_CHANGE,
  EVENT_BULKHEAD_DEQUEUED,
  EVENT_BULKHEAD_QUEUED,
  EVENT_BULKHEAD_REJECTED,
  EVENT_RETRY_GAVE_UP,
  EVENT_RETRY_SCHEDULED,
  EVENT_TIMEOUT,
} from './span-attributes.js';
import { COCKATIEL_VERSIONS, DownstreamError } from './test-support/cockatiel-versions.js';
import { instrumentTimeout } from './timeout.js';

let tracing: Tracing;
beforeAll(() => {
  tracing = startTracing();
});
afterAll(async () => {
  await tracing.stop();
});

const disposers: Array<() => void> = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
  tracing.exporter.reset();
  vi.useRealTimers();
});
function keep<T extends { dispose(): void }>(instrumented: T): T {
  disposers.push(() => instrumented.dispose());
  return instrumented;
}
const fail = () => Promise.reject(new DownstreamError('ollama is down'));

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe.each(COCKATIEL_VERSIONS)('span events with %s', (_version, cockatiel) => {
  const {
    circuitBreaker,
    ConsecutiveBreaker,
    ConstantBackoff,
    handleType,
    retry,
    timeout,
    TimeoutStrategy,
    bulkhead,
    wrap,
  } = cockatiel;
  const newBreaker = (halfOpenAfter = 10_000) =>
    circuitBreaker(handleType(DownstreamError), { halfOpenAfter, breaker: new ConsecutiveBreaker(1) });

  describe('circuit breaker', () => {
    it('records the opening on the failing call and the rejection on the refused one', async () => {
      const breaker = keep(instrumentCircuitBreaker(newBreaker(), { name: 'ollama', health: false }));
      const failing = await tracing.inSpan('failing', () => breaker.execute(fail));
      expect(eventsOf(failing)).toEqual([
        [
          EVENT_BREAKER_STATE_CHANGE,
          {
            [ATTR_BREAKER_NAME]: 'ollama',
            [ATTR_BREAKER_STATE]: 'open',
            [ATTR_BREAKER_PREVIOUS_STATE]: 'closed',
          },
        ],
      ]);
      let ran = false;
      const refused = await tracing.inSpan('refused', () =>
        breaker.execute(() => {
          ran = true;
        }),
      );
      expect(ran).toBe(false);
      expect(eventsOf(refused)).toEqual([
        [EVENT_BREAKER_REJECTED, { [ATTR_BREAKER_NAME]: 'ollama', [ATTR_BREAKER_STATE]: 'open' }],
      ]);
    });

    it('records a rejection by an isolated breaker, and the isolation where isolate() was called', async () => {
      const breaker = keep(instrumentCircuitBreaker(newBreaker(), { name: 'isolated', health: false }));
      let handle: { dispose(): void } | undefined;
      const admin = await tracing.inSpan('admin', () => {
        handle = breaker.isolate();
      });
      expect(eventsOf(admin)[0]?.[1]).toMatchObject({ [ATTR_BREAKER_STATE]: 'isolated' });
      const refused = await tracing.inSpan('refused', () => breaker.execute(() => 1));
      expect(eventsOf(refused)).toEqual([
        [EVENT_BREAKER_REJECTED, { [ATTR_BREAKER_NAME]: 'isolated', [ATTR_BREAKER_STATE]: 'isolated' }],
      ]);
      handle?.dispose();
    });

    it('records half-open and closed on the probe call', async () => {
      vi.useFakeTimers();
      const breaker = keep(instrumentCircuitBreaker(newBreaker(1000), { name: 'probe', health: false }));
      await breaker.execute(fail).catch(() => {});
      vi.setSystemTime(Date.now() + 1001);
      const probe = await tracing.inSpan('probe', () => breaker.execute(() => 'ok'));
      expect(eventsOf(probe).map(([, attributes]) => attributes[ATTR_BREAKER_STATE])).toEqual([
        'half_open',
        'closed',
      ]);
      expect(eventsOf(probe)[0]?.[1]).toMatchObject({ [ATTR_BREAKER_PREVIOUS_STATE]: 'open' });
    });

    it('records a call waiting on a half-open probe that fails as rejected, once', async () => {
      vi.useFakeTimers();
      const breaker = keep(instrumentCircuitBreaker(newBreaker(1000), { name: 'waiter', health: false }));
      await breaker.execute(fail).catch(() => {});
      vi.setSystemTime(Date.now() + 1001);
      const release = deferred();
      const probing = breaker.execute(async () => {
        await release.promise;
        throw new DownstreamError('still down');
      });
      const waiter = tracing.inSpan('waiter', () => breaker.execute(() => 'never'));
      release.resolve();
      await probing.catch(() => {});
      expect(eventsOf(await waiter)).toEqual([
        [EVENT_BREAKER_REJECTED, { [ATTR_BREAKER_NAME]: 'waiter', [ATTR_BREAKER_STATE]: 'open' }],
      ]);
    });
  });

  describe('retry', () => {
    it('records each retry with its attempt, delay and error type, and giving up', async () => {
      vi.useFakeTimers();
      const policy = keep(
        instrumentRetry(
          retry(handleType(DownstreamError), { maxAttempts: 2, backoff: new ConstantBackoff(250) }),
          { name: 'ollama-retry' },
        ),
      );
      const span = tracing.startSpan('retried');
      const running = tracing.withSpan(span, () => policy.execute(fail)).catch(() => 'gave up');
      await vi.advanceTimersByTimeAsync(250);
      await vi.advanceTimersByTimeAsync(250);
      await expect(running).resolves.toBe('gave up');
      span.end();
      const retry1 = { [ATTR_POLICY_NAME]: 'ollama-retry', [ATTR_RETRY_DELAY_MS]: 250 };
      expect(eventsOf(tracing.finished('retried'))).toEqual([
        [EVENT_RETRY_SCHEDULED, { ...retry1, [ATTR_RETRY_ATTEMPT]: 1, [ATTR_ERROR_TYPE]: 'DownstreamError' }],
        [EVENT_RETRY_SCHEDULED, { ...retry1, [ATTR_RETRY_ATTEMPT]: 2, [ATTR_ERROR_TYPE]: 'DownstreamError' }],
        [EVENT_RETRY_GAVE_UP, { [ATTR_POLICY_NAME]: 'ollama-retry', [ATTR_ERROR_TYPE]: 'DownstreamError' }],
      ]);
    });

    it('calls a result the filter refused `result`', async () => {
      const policy = keep(
        instrumentRetry(
          retry(
            cockatiel.handleWhenResult((result) => result === 'refused'),
            { maxAttempts: 1 },
          ),
          { name: 'results' },
        ),
      );
      const span = await tracing.inSpan('results', () => policy.execute(() => 'refused'));
      expect(eventsOf(span).map(([name, attributes]) => [name, attributes[ATTR_ERROR_TYPE]])).toEqual([
        [EVENT_RETRY_SCHEDULED, 'result'],
        [EVENT_RETRY_GAVE_UP, 'result'],
      ]);
    });
  });

  describe('timeout', () => {
    it.each([
      ['aggressive', TimeoutStrategy.Aggressive],
      ['cooperative', TimeoutStrategy.Cooperative],
    ])('records a %s timeout on the caller span, though its timer fires outside it', async (_name, strategy) => {
      vi.useFakeTimers();
      const policy = keep(instrumentTimeout(timeout(1000, strategy), { name: 'slow-calls' }));
      const span = tracing.startSpan('cut-off');
      const running = tracing
        .withSpan(span, () =>
          policy.execute(
            (_context, signal) =>
              new Promise((_, reject) =>
                signal.addEventListener('abort', () => reject(new Error('aborted'))),
              ),
          ),
        )
        .catch(() => 'cut off');
      // The timer fires here, where no span is active (fake timers run it from this call).
      await vi.advanceTimersByTimeAsync(1000);
      await expect(running).resolves.toBe('cut off');
      span.end();
      expect(eventsOf(tracing.finished('cut-off'))).toEqual([
        [EVENT_TIMEOUT, { [ATTR_POLICY_NAME]: 'slow-calls', [ATTR_TIMEOUT_MS]: 1000 }],
      ]);
    });

    it('records nothing for a call that finished in time, or failed, or that its caller cancelled', async () => {
      const policy = keep(instrumentTimeout(timeout(1000, TimeoutStrategy.Aggressive), { name: 'in-time' }));
      const quick = await tracing.inSpan('quick', () => policy.execute(async () => 'done'));
      const sync = await tracing.inSpan('sync', () => policy.execute(() => 'done'));
      const threw = await tracing.inSpan('threw', () =>
        policy.execute(() => {
          throw new DownstreamError('sync failure');
        }),
      );
      const controller = new AbortController();
      const cancelled = await tracing.inSpan('cancelled', () => {
        const running = policy.execute(
          (_context, signal) =>
            new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
          controller.signal,
        );
        controller.abort();
        return running;
      });
      for (const span of [quick, sync, threw, cancelled]) expect(eventsOf(span)).toEqual([]);
    });
  });

  describe('bulkhead', () => {
    it('records queueing, the wait and a rejection, and runs a queued call in its own context', async () => {
      vi.useFakeTimers();
      const policy = keep(instrumentBulkhead(bulkhead(1, 1), { name: 'ollama-bulkhead' }));
      const release = deferred();
      const holderSpan = tracing.startSpan('holder');
      const holding = tracing.withSpan(holderSpan, () => policy.execute(() => release.promise));
      const queuedSpan = tracing.startSpan('queued');
      let activeInQueued: Span | undefined;
      const queued = tracing.withSpan(queuedSpan, () =>
        policy.execute(() => {
          activeInQueued = trace.getActiveSpan();
          return 'ran';
        }),
      );
      const rejected = await tracing.inSpan('rejected', () => policy.execute(() => 'never'));
      vi.advanceTimersByTime(40);
      release.resolve();
      await holding;
      await expect(queued).resolves.toBe('ran');
      holderSpan.end();
      queuedSpan.end();

      expect(activeInQueued).toBe(queuedSpan); // cockatiel alone would run it in the holder's context
      expect(eventsOf(tracing.finished('holder'))).toEqual([]);
      const events = eventsOf(tracing.finished('queued'));
      expect(events[0]).toEqual([
        EVENT_BULKHEAD_QUEUED,
        { [ATTR_POLICY_NAME]: 'ollama-bulkhead', [ATTR_BULKHEAD_QUEUE_LENGTH]: 1 },
      ]);
      expect(events[1]?.[0]).toBe(EVENT_BULKHEAD_DEQUEUED);
      expect(events[1]?.[1][ATTR_BULKHEAD_WAIT_MS]).toBeGreaterThanOrEqual(40);
      expect(eventsOf(rejected)).toEqual([
        [EVENT_BULKHEAD_REJECTED, { [ATTR_POLICY_NAME]: 'ollama-bulkhead' }],
      ]);
    });

    it('keeps a queued call without a span in its context, and refuses an aborted one as cockatiel does', async () => {
      const policy = keep(instrumentBulkhead(bulkhead(1, 2), { name: 'contexts' }));
      const release = deferred();
      const holding = policy.execute(() => release.promise);
      const key = Symbol('request');
      let seen: unknown;
      const queued = context.with(ROOT_CONTEXT.setValue(key, 'caller'), () =>
        policy.execute(() => {
          seen = context.active().getValue(key);
        }),
      );
      const controller = new AbortController();
      controller.abort();
      await expect(policy.execute(() => 1, controller.signal)).rejects.toThrow();
      release.resolve();
      await Promise.all([holding, queued]);
      expect(seen).toBe('caller');
    });
  });

  it('puts every decision of a composition on the one caller span', async () => {
    vi.useFakeTimers();
    const policy = keep(
      instrumentPolicy(
        wrap(
          retry(handleType(DownstreamError), { maxAttempts: 1, backoff: new ConstantBackoff(10) }),
          newBreaker(),
          timeout(500, TimeoutStrategy.Aggressive),
        ),
        { name: 'gateway', health: false },
      ),
    );
    const span = tracing.startSpan('request');
    const running = tracing
      .withSpan(span, () =>
        policy.execute(
          () =>
            new Promise((_, reject) => setTimeout(() => reject(new DownstreamError('slow and down')), 100)),
        ),
      )
      .catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(200);
    await running;
    span.end();
    expect(eventsOf(tracing.finished('request')).map(([name]) => name)).toEqual([
      EVENT_BREAKER_STATE_CHANGE,
      EVENT_RETRY_SCHEDULED,
      EVENT_BREAKER_REJECTED, // not a DownstreamError: the retry does not handle it, and gives nothing up
    ]);
  });

  it('records nothing on a span that is not recording', async () => {
    const sampledOut = new BasicTracerProvider({ sampler: new AlwaysOffSampler() }).getTracer('off');
    const span = sampledOut.startSpan('not recorded');
    expect(span.isRecording()).toBe(false);
    const addEvent = vi.spyOn(span, 'addEvent');
    const breaker = keep(instrumentCircuitBreaker(newBreaker(), { name: 'unsampled', health: false }));
    const retrying = keep(
      instrumentRetry(retry(handleType(DownstreamError), { maxAttempts: 1 }), { name: 'r' }),
    );
    await tracing.withSpan(span, async () => {
      await retrying.execute(fail).catch(() => {});
      await breaker.execute(fail).catch(() => {});
      await breaker.execute(() => 1).catch(() => {});
    });
    expect(addEvent).not.toHaveBeenCalled();
  });

  it('keeps a span that throws on addEvent from the caller', async () => {
    const breaker = keep(instrumentCircuitBreaker(newBreaker(), { name: 'throwing-span', health: false }));
    const span = tracing.startSpan('throws');
    vi.spyOn(span, 'addEvent').mockImplementation(() => {
      throw new Error('a span processor failed');
    });
    await tracing.withSpan(span, async () => {
      await expect(breaker.execute(fail)).rejects.toThrow(DownstreamError);
      await expect(breaker.execute(() => 1)).rejects.toThrow(cockatiel.BrokenCircuitError);
    });
    span.end();
  });
});
