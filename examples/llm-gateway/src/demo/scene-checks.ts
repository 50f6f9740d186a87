import { formatMs, formatPercent, formatStatuses } from './format.js';
import type { OutcomeSummary } from './outcome-stats.js';
import type { BreakerActivity, CacheActivity, Check, SceneName } from './scenes.js';

/** What a scene's checks look at. */
export interface SceneFigures {
  readonly requests: OutcomeSummary;
  readonly cache: CacheActivity;
  readonly breaker: BreakerActivity;
  /** The policy's time limit per attempt, in ms: "fast" means well under it. */
  readonly timeoutMs: number;
}

/** Every request that was sent got an answer or a counted error, and none is still in flight. */
export function nothingLost(requests: OutcomeSummary): Check {
  return {
    claim: 'no request lost',
    ok: requests.inFlight === 0 && requests.sent === requests.answered + requests.errored,
    detail: `${requests.sent} sent = ${requests.answered} answered + ${requests.errored} client errors`,
  };
}

function everyRequestSucceeded({ requests }: SceneFigures): Check {
  return {
    claim: 'every request answered 200',
    ok: requests.sent > 0 && requests.failed === 0,
    detail: formatStatuses(requests.byStatus, requests.errors),
  };
}

function breakerStayedClosed({ breaker }: SceneFigures): Check {
  return {
    claim: 'breaker stayed closed',
    ok: breaker.opened === 0 && breaker.stateAtEnd === 'closed',
    detail: `opened ${breaker.opened}×`,
  };
}

function hitRateRose({ cache }: SceneFigures): Check {
  const { firstQuarterPercent: first, lastQuarterPercent: last } = cache;
  return {
    claim: 'cache hit rate rose',
    // Ten points at least: a rise the viewer can see, not noise.
    ok: first !== undefined && last !== undefined && last >= first + 10,
    detail: `${formatPercent(first)} in the first quarter → ${formatPercent(last)} in the last`,
  };
}

function breakerOpened({ breaker }: SceneFigures): Check {
  return { claim: 'breaker opened', ok: breaker.opened > 0, detail: `opened ${breaker.opened}×` };
}

function failedFast({ requests, timeoutMs }: SceneFigures): Check {
  const rejected = requests.byStatus['503'] ?? 0;
  const p50 = requests.latencyByStatusMs['503']?.p50;
  return {
    claim: 'requests failed fast (503) instead of waiting',
    // A quarter of the timeout is generous: a rejection by an open breaker takes about a millisecond.
    ok: rejected > 0 && p50 !== undefined && p50 < timeoutMs / 4,
    detail: `${rejected} × 503 in ${formatMs(p50)} (p50), instead of waiting ${formatMs(timeoutMs)} to time out`,
  };
}

function cachedAnswersServed({ requests }: SceneFigures): Check {
  return {
    claim: 'cached answers still served',
    ok: requests.succeeded > 0,
    detail: `${requests.succeeded} × 200 from the cache`,
  };
}

function breakerRecovered({ breaker }: SceneFigures): Check {
  return {
    claim: 'breaker went half-open, then closed',
    ok: breaker.halfOpened > 0 && breaker.closed > 0 && breaker.stateAtEnd === 'closed',
    detail: `half-open ${breaker.halfOpened}×, closed ${breaker.closed}×, ${breaker.stateAtEnd} at the end`,
  };
}

function answersFlowAgain({ requests }: SceneFigures): Check {
  return {
    claim: 'requests succeed again',
    ok: requests.succeeded > 0,
    detail: formatStatuses(requests.byStatus, requests.errors),
  };
}

const CLAIMS: Record<SceneName, ReadonlyArray<(figures: SceneFigures) => Check>> = {
  steady: [everyRequestSucceeded, breakerStayedClosed],
  warming: [hitRateRose],
  outage: [breakerOpened, failedFast, cachedAnswersServed],
  recovery: [breakerRecovered, answersFlowAgain],
};

/** Checks what a scene claims to show against what was measured, plus that no request was lost. */
export function checkScene(name: SceneName, figures: SceneFigures): Check[] {
  return [...CLAIMS[name].map((claim) => claim(figures)), nothingLost(figures.requests)];
}
