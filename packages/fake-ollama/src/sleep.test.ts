import { describe, expect, it } from 'vitest';
import { sleep, untilAborted, yieldToEventLoop } from './sleep.js';

describe('sleep', () => {
  it('resolves true after the delay, and at once for no delay', async () => {
    const signal = new AbortController().signal;
    const start = performance.now();
    expect(await sleep(20, signal)).toBe(true);
    expect(performance.now() - start).toBeGreaterThanOrEqual(15);
    expect(await sleep(0, signal)).toBe(true);
  });

  it('resolves false at once when aborted, before or during the wait', async () => {
    const controller = new AbortController();
    const start = performance.now();
    const waiting = sleep(10_000, controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(await sleep(10, controller.signal)).toBe(false);
  });
});

describe('untilAborted and yieldToEventLoop', () => {
  it('waits for the abort', async () => {
    const controller = new AbortController();
    let done = false;
    const waiting = untilAborted(controller.signal).then(() => {
      done = true;
    });
    await yieldToEventLoop();
    expect(done).toBe(false);
    controller.abort();
    await waiting;
    expect(done).toBe(true);
    await untilAborted(controller.signal);
  });
});
