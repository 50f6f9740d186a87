import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { executeWithSignal } from './execute-with-signal.js';
import { COCKATIEL_VERSIONS, DownstreamError } from './test-support/cockatiel-versions.js';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** A call that runs until its signal aborts, and rejects with the signal's reason then. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

describe.each(COCKATIEL_VERSIONS)('executeWithSignal with %s', (_version, cockatiel) => {
  const { timeout, TimeoutStrategy, retry, handleType, ConstantBackoff, wrap, TaskCancelledError } =
    cockatiel;

  it("aborts the call's signal with a TimeoutError when the timeout cuts it off", async () => {
    vi.useFakeTimers();
    const policy = timeout(1000, TimeoutStrategy.Cooperative);
    let seen: AbortSignal | undefined;
    const result = executeWithSignal(policy, (signal) => {
      seen = signal;
      return untilAborted(signal);
    });
    const settled = expect(result).rejects.toMatchObject({ name: 'TimeoutError' });
    await vi.advanceTimersByTimeAsync(1000);
    await settled;
    expect(seen?.reason).toBeInstanceOf(DOMException);
  });

  it('aborts it with the reason timeoutReason gives, and the caller still gets the policy’s own error', async () => {
    vi.useFakeTimers();
    class DeadlineError extends Error {}
    const policy = timeout(1000, TimeoutStrategy.Aggressive);
    let seen: AbortSignal | undefined;
    const result = executeWithSignal(
      policy,
      (signal) => {
        seen = signal;
        return untilAborted(signal).catch(() => 'the call gave up');
      },
      { timeoutReason: () => new DeadlineError('too slow') },
    );
    const settled = expect(result).rejects.toBeInstanceOf(TaskCancelledError);
    await vi.advanceTimersByTimeAsync(1000);
    await settled;
    expect(seen?.reason).toBeInstanceOf(DeadlineError);
  });

  it("aborts it with the caller's reason when the caller's signal aborts, also after the call returned", async () => {
    const caller = new AbortController();
    const reason = new Error('the client left');
    let seen: AbortSignal | undefined;
    const stream = await executeWithSignal(
      timeout(60_000, TimeoutStrategy.Aggressive),
      (signal) => {
        seen = signal;
        return 'a stream that goes on';
      },
      { signal: caller.signal },
    );
    expect(stream).toBe('a stream that goes on');
    // cockatiel's timeout aborted its own signal when the call returned: that does not reach the call's.
    expect(seen?.aborted).toBe(false);
    caller.abort(reason);
    expect(seen?.reason).toBe(reason);
  });

  it('hands the caller’s signal to the policy, or with abortPolicy: false keeps the policy out of it', async () => {
    const backoff = new ConstantBackoff(60_000);
    const retrying = () => retry(handleType(DownstreamError), { maxAttempts: 1, backoff });
    const fail = () => Promise.reject(new DownstreamError('503'));

    const caller = new AbortController();
    const waiting = executeWithSignal(retrying(), fail, { signal: caller.signal });
    caller.abort(new Error('the client left'));
    // The retry's backoff stopped waiting: cockatiel gives up with the failure it had.
    await expect(waiting).rejects.toBeInstanceOf(DownstreamError);

    vi.useFakeTimers();
    const apart = new AbortController();
    let attempts = 0;
    const kept = executeWithSignal(
      retrying(),
      (signal) => {
        attempts++;
        return signal.aborted ? Promise.reject(signal.reason) : fail();
      },
      { signal: apart.signal, abortPolicy: false },
    );
    const settled = expect(kept).rejects.toThrow('the client left');
    apart.abort(new Error('the client left'));
    await vi.advanceTimersByTimeAsync(60_000);
    await settled;
    expect(attempts).toBe(2); // the retry went on, and its attempt saw the caller gone
  });

  it('gives each attempt a signal of its own: one cut off does not abort the retry after it', async () => {
    vi.useFakeTimers();
    const policy = wrap(
      retry(handleType(DownstreamError), { maxAttempts: 1, backoff: new ConstantBackoff(0) }),
      timeout(1000, TimeoutStrategy.Cooperative),
    );
    const signals: AbortSignal[] = [];
    const result = executeWithSignal(policy, async (signal) => {
      signals.push(signal);
      if (signals.length === 1) {
        await untilAborted(signal).catch(() => {});
        throw new DownstreamError('cut off');
      }
      return 'second attempt';
    });
    await vi.advanceTimersByTimeAsync(1001); // the cut-off attempt, then the retry's zero backoff
    await expect(result).resolves.toBe('second attempt');
    expect(signals.map((signal) => signal.aborted)).toEqual([true, false]);
  });

  it('hands the policy a signal per execution, where cockatiel would share one module-wide signal', async () => {
    // Without a signal of its own, cockatiel gives the policies in a wrap(...) one never-aborted signal shared
    // by the module, and a timeout adds a listener to it per call in flight (Node warns past 10 on some
    // lines). Each execution here brings its own.
    const policy = wrap(
      retry(handleType(DownstreamError), { maxAttempts: 1 }),
      timeout(60_000, TimeoutStrategy.Aggressive),
    );
    const handed: Array<AbortSignal | undefined> = [];
    const recording = {
      execute: <T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T, signal?: AbortSignal) => {
        handed.push(signal);
        return policy.execute(fn, signal);
      },
    };
    const inFlight: Array<() => void> = [];
    const pending = (): Promise<void> => new Promise<void>((resolve) => inFlight.push(resolve));
    const calls = Array.from({ length: 12 }, () => executeWithSignal(recording, pending));
    await vi.waitFor(() => expect(inFlight).toHaveLength(12));
    expect(handed.every((signal) => signal instanceof AbortSignal && !signal.aborted)).toBe(true);
    expect(new Set(handed).size).toBe(12);
    for (const signal of handed) expect(getEventListeners(signal!, 'abort').length).toBeLessThanOrEqual(1);
    for (const resolve of inFlight) resolve();
    await Promise.all(calls);
  });
});

describe.each(
  COCKATIEL_VERSIONS,
)('executeWithSignal with a signal shared by many calls, %s', (_v, cockatiel) => {
  const { timeout, TimeoutStrategy, retry, handleType, wrap } = cockatiel;

  it('adds no listener to it per call in flight, and still hands its abort to the policy and the call', async () => {
    const shutdown = new AbortController();
    const policy = wrap(
      retry(handleType(DownstreamError), { maxAttempts: 1 }),
      timeout(60_000, TimeoutStrategy.Aggressive),
    );
    const seen: AbortSignal[] = [];
    const calls = Array.from({ length: 12 }, () =>
      executeWithSignal(
        policy,
        (signal) =>
          new Promise<never>((_, reject) => {
            seen.push(signal);
            signal.addEventListener('abort', () => reject(signal.reason), { once: true });
          }),
        { signal: shutdown.signal },
      ),
    );
    await vi.waitFor(() => expect(seen).toHaveLength(12));
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
    shutdown.abort(new Error('shutting down'));
    const settled = await Promise.allSettled(calls);
    expect(settled.every((result) => result.status === 'rejected')).toBe(true);
    expect(seen.every((signal) => signal.aborted)).toBe(true);
  });
});

describe('executeWithSignal with a policy that is not cockatiel', () => {
  it('runs the call with a signal that follows the caller', async () => {
    const caller = new AbortController();
    const policy = {
      execute: <T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T) =>
        Promise.resolve(fn(undefined as never)),
    };
    let seen: AbortSignal | undefined;
    await expect(
      executeWithSignal(
        policy,
        (signal) => {
          seen = signal;
          return 'ok';
        },
        { signal: caller.signal },
      ),
    ).resolves.toBe('ok');
    caller.abort('gone');
    expect(seen?.reason).toBe('gone');
  });
});
