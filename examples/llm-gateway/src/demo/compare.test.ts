/**
 * `--compare`, run for real but short. The assertions are on what is deterministic: structure, the cache,
 * connection counts, and that a naive setup with nothing cached fails every request while Ollama hangs.
 * Throughput and latency ratios are printed, never asserted: on a busy two-core machine they vary.
 */
import { type FakeOllama, startFakeOllama } from '@sightglass/fake-ollama';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectingOutput } from '../test-support/sink.js';
import { type CompareResult, runCompare, type SetupResult } from './compare.js';

describe('an 8-second comparison', () => {
  const out = collectingOutput();
  let result: CompareResult;
  let naive: SetupResult;
  let sightglass: SetupResult;

  beforeAll(async () => {
    result = await runCompare({ durationSeconds: 8, concurrency: 8, rate: 20, out });
    [naive, sightglass] = result.setups as [SetupResult, SetupResult];
  }, 60_000);

  it('measures both setups, in both phases', () => {
    expect(result.setups.map((setup) => setup.name)).toEqual(['naive', 'sightglass']);
    for (const setup of result.setups) {
      expect(setup.throughput.requests.sent).toBeGreaterThan(0);
      expect(setup.outage?.requests.sent).toBe(Math.floor((result.conditions.outageMs / 1000) * 20));
    }
  });

  it('answers from the cache with Sightglass only', () => {
    expect(naive.cacheHits).toBe(0);
    expect(sightglass.cacheHits).toBeGreaterThan(0);
  });

  it('opens a connection per call without a pool, and reuses a few with one', () => {
    expect(naive.connectionsOpened).toBe(naive.throughput.requests.sent);
    expect(naive.ollamaRequests).toBe(naive.throughput.requests.sent);
    expect(sightglass.connectionsOpened).toBeLessThanOrEqual(16);
  });

  it('fails every request during the outage without a cache, fewer with Sightglass', () => {
    expect(naive.outage!.requests.failed).toBe(naive.outage!.requests.sent);
    expect(naive.outage!.requests.byStatus['504']).toBe(naive.outage!.requests.sent);
    expect(sightglass.outage!.requests.succeeded).toBeGreaterThan(0);
    expect(sightglass.outage!.requests.failed).toBeLessThan(naive.outage!.requests.failed);
  });

  it('loses no request in either setup', () => {
    for (const setup of result.setups) {
      for (const phase of [setup.throughput, setup.outage!]) {
        expect(phase.requests.inFlight).toBe(0);
        expect(phase.requests.sent).toBe(phase.requests.answered + phase.requests.errored);
      }
    }
  });

  it('prints the table with every row', () => {
    expect(out.text).toContain(result.table);
    for (const row of [
      'answers per second',
      'latency p50',
      'latency p99',
      'failed requests',
      'connections opened to Ollama',
      'time clients waited, only to fail',
    ]) {
      expect(result.table).toContain(row);
    }
    expect(result.table).toMatch(/throughput [+-][\d.]+% with Sightglass/);
  });
});

describe('a comparison against a "real" Ollama', () => {
  let ollama: FakeOllama;
  beforeAll(async () => {
    ollama = await startFakeOllama({ tokensPerSecond: 2000, ttftMs: 5 });
  });
  afterAll(() => ollama?.close());

  it('measures throughput only, and says why there is no outage', async () => {
    const out = collectingOutput();
    const result = await runCompare({ durationSeconds: 4, concurrency: 4, ollamaUrl: ollama.url, out });
    expect(result.setups.map((setup) => setup.outage)).toEqual([undefined, undefined]);
    expect(result.setups[0]!.ollamaRequests).toBeUndefined();
    expect(result.table).toContain('Outage: skipped');
  });

  it('stops at once when interrupted before it starts', async () => {
    const interrupt = new AbortController();
    interrupt.abort();
    const result = await runCompare({
      durationSeconds: 4,
      ollamaUrl: ollama.url,
      out: collectingOutput(),
      signal: interrupt.signal,
    });
    expect(result.setups).toEqual([]);
    expect(result.interrupted).toBe(true);
    expect(result.table).toContain('Nothing was measured');
  });
});
