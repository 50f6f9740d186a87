import { describe, expect, it } from 'vitest';
import { type Release, Scheduler } from './scheduler.js';

const signal = (): AbortSignal => new AbortController().signal;

describe('Scheduler', () => {
  it('runs parallel requests, queues the next ones in order, and turns away one more', async () => {
    const scheduler = new Scheduler(2, 1);
    const a = (await scheduler.acquire(signal())) as Release;
    const b = (await scheduler.acquire(signal())) as Release;
    expect(scheduler.running).toBe(2);
    const waiting = scheduler.acquire(signal());
    expect(scheduler.queued).toBe(1);
    expect(await scheduler.acquire(signal())).toBe('busy');
    a();
    a(); // a second release changes nothing
    const c = (await waiting) as Release;
    expect(typeof c).toBe('function');
    expect(scheduler.running).toBe(2);
    expect(scheduler.queued).toBe(0);
    b();
    c();
    expect(scheduler.running).toBe(0);
    expect(scheduler.maxRunning).toBe(2);
  });

  it('turns every request beyond the running ones away when the queue is 0', async () => {
    const scheduler = new Scheduler(1, 0);
    await scheduler.acquire(signal());
    expect(await scheduler.acquire(signal())).toBe('busy');
  });

  it('gives up a place in line when the request is aborted', async () => {
    const scheduler = new Scheduler(1, 2);
    const first = (await scheduler.acquire(signal())) as Release;
    const controller = new AbortController();
    const abandoned = scheduler.acquire(controller.signal);
    const next = scheduler.acquire(signal());
    controller.abort();
    expect(await abandoned).toBe('aborted');
    expect(scheduler.queued).toBe(1);
    first();
    expect(typeof (await next)).toBe('function');
    const aborted = new AbortController();
    aborted.abort();
    expect(await scheduler.acquire(aborted.signal)).toBe('aborted');
  });
});
