import { describe, expect, it } from 'vitest';
import { OutcomeStats } from './outcome-stats.js';
import { checkScene, type SceneFigures } from './scene-checks.js';
import { SCENES, sceneDurationsMs } from './scenes.js';

function figures(
  overrides: Partial<SceneFigures> = {},
  outcomes: Array<{ status?: number; latencyMs: number }> = [],
): SceneFigures {
  const stats = new OutcomeStats();
  for (const outcome of outcomes) {
    stats.sent();
    stats.record({ sentAt: 0, ...outcome, ...(outcome.status === undefined ? { error: 'ECONNRESET' } : {}) });
  }
  return {
    requests: stats.summary(),
    cache: { hitRatePercent: undefined, firstQuarterPercent: undefined, lastQuarterPercent: undefined },
    breaker: { opened: 0, halfOpened: 0, closed: 0, statesSeen: ['closed'], stateAtEnd: 'closed' },
    timeoutMs: 1000,
    ...overrides,
  };
}

const verdicts = (checks: ReturnType<typeof checkScene>) =>
  Object.fromEntries(checks.map((check) => [check.claim, check.ok]));

describe('checkScene', () => {
  it('steady: every request answered 200 and the breaker stayed closed', () => {
    expect(verdicts(checkScene('steady', figures({}, [{ status: 200, latencyMs: 3 }])))).toEqual({
      'every request answered 200': true,
      'breaker stayed closed': true,
      'no request lost': true,
    });
    const troubled = figures(
      { breaker: { opened: 1, halfOpened: 0, closed: 0, statesSeen: ['open'], stateAtEnd: 'open' } },
      [{ status: 200, latencyMs: 3 }, { latencyMs: 5 }],
    );
    expect(verdicts(checkScene('steady', troubled))).toMatchObject({
      'every request answered 200': false,
      'breaker stayed closed': false,
    });
  });

  it('warming: the hit rate must rise by ten points at least', () => {
    const rising = figures({
      cache: { hitRatePercent: 40, firstQuarterPercent: 10, lastQuarterPercent: 60 },
    });
    expect(checkScene('warming', rising)[0]).toMatchObject({
      ok: true,
      detail: '10% in the first quarter → 60% in the last',
    });
    const flat = figures({ cache: { hitRatePercent: 40, firstQuarterPercent: 50, lastQuarterPercent: 55 } });
    expect(checkScene('warming', flat)[0]?.ok).toBe(false);
    expect(checkScene('warming', figures())[0]?.ok).toBe(false);
  });

  it('outage: the breaker opened, 503s came fast, cached answers kept coming', () => {
    const opened = { opened: 1, halfOpened: 0, closed: 0, statesSeen: ['open'], stateAtEnd: 'open' } as const;
    const fast = figures({ breaker: opened }, [
      { status: 504, latencyMs: 1000 },
      { status: 503, latencyMs: 1 },
      { status: 200, latencyMs: 2 },
    ]);
    expect(checkScene('outage', fast).every((check) => check.ok)).toBe(true);
    const slow = figures({}, [{ status: 503, latencyMs: 900 }]);
    expect(verdicts(checkScene('outage', slow))).toMatchObject({
      'breaker opened': false,
      'requests failed fast (503) instead of waiting': false,
      'cached answers still served': false,
    });
  });

  it('recovery: half-open, then closed, and answers again', () => {
    const recovered = {
      opened: 0,
      halfOpened: 1,
      closed: 1,
      statesSeen: ['open', 'closed'],
      stateAtEnd: 'closed',
    } as const;
    expect(
      checkScene('recovery', figures({ breaker: recovered }, [{ status: 200, latencyMs: 100 }])).every(
        (c) => c.ok,
      ),
    ).toBe(true);
    const stuck = { opened: 1, halfOpened: 1, closed: 0, statesSeen: ['open'], stateAtEnd: 'open' } as const;
    expect(checkScene('recovery', figures({ breaker: stuck }))[0]?.ok).toBe(false);
  });

  it('counts a request still in flight as lost', () => {
    const stats = new OutcomeStats();
    stats.sent();
    expect(checkScene('warming', { ...figures(), requests: stats.summary() }).at(-1)).toMatchObject({
      claim: 'no request lost',
      ok: false,
    });
  });
});

describe('sceneDurationsMs', () => {
  it('splits the duration by weight among the scenes that run', () => {
    expect(Object.fromEntries(sceneDurationsMs(SCENES, 60))).toEqual({
      steady: 10_000,
      warming: 20_000,
      outage: 15_000,
      recovery: 15_000,
    });
    expect(Object.fromEntries(sceneDurationsMs(SCENES.slice(0, 2), 30))).toEqual({
      steady: 10_000,
      warming: 20_000,
    });
  });
});
