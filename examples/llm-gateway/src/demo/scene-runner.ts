import type { CircuitStateName } from '@sightglass/resilience';
import { type GatewayNames, type GatewayReadings, hitRateBetween, readGateway } from './gateway-readings.js';
import { progressText, readingFrom, withProgress } from './live-progress.js';
import type { LoadGenerator } from './load-generator.js';
import { OutcomeStats } from './outcome-stats.js';
import type { Output } from './output.js';
import { checkScene } from './scene-checks.js';
import type { BreakerActivity, CacheActivity, SceneResult, SceneSpec } from './scenes.js';
import type { Traffic } from './traffic.js';

/** What every scene of a run shares. */
export interface SceneContext {
  readonly load: LoadGenerator;
  /** Requests per second, open loop. */
  readonly rate: number;
  /** The whole run's counts, beside each scene's own. */
  readonly total: OutcomeStats;
  readonly names: GatewayNames;
  readonly out: Output;
  readonly signal?: AbortSignal;
  /** Subscribes to the breaker's state changes (printed as they happen); returns the unsubscribe. */
  /** Calls `listener` on every state change of the gateway's breakers (one per Ollama operation). */
  readonly watchBreaker?: (listener: (state: CircuitStateName, operation: string) => void) => () => void;
}

/** What a breaker transition means, printed the moment it happens (it can be too quick for the progress line). */
const BREAKER_EVENTS: Record<CircuitStateName, string> = {
  open: 'breaker OPEN: Ollama keeps failing, so requests fail fast (503) instead of waiting',
  half_open: 'breaker HALF-OPEN: one probe request goes through to Ollama',
  closed: 'breaker CLOSED: the probe succeeded, requests go to Ollama again',
  isolated: 'breaker ISOLATED (by hand): every request fails fast',
};

/** A scene that has run; its requests may still be in flight until the load generator drains. */
export interface SceneRun {
  readonly spec: SceneSpec;
  readonly durationMs: number;
  readonly interrupted: boolean;
  readonly stats: OutcomeStats;
  /** The gateway's figures, sampled from the start of the scene to its end. */
  readonly readings: readonly GatewayReadings[];
}

/** The last reading at or before `at`, or the first one. */
function readingUntil(readings: readonly GatewayReadings[], at: number): GatewayReadings {
  return [...readings].reverse().find((reading) => reading.at <= at) ?? readings[0]!;
}

/**
 * Something shown once beside a scene's traffic (the steady scene's tool call and structured answer): it
 * prints through `print`, above the progress line, each call's first line stamped with the scene's time.
 */
export type SceneAside = (print: (lines: readonly string[]) => void) => Promise<unknown>;

/**
 * Runs one scene: open-loop traffic for its duration, with a live progress line, sampling the gateway's
 * figures as it goes, and `aside` (if any) alongside. Returns when the time is up (and `aside` is done) or the
 * signal aborts.
 */
export async function runScene(
  context: SceneContext,
  spec: SceneSpec,
  durationMs: number,
  traffic: Traffic,
  aside?: SceneAside,
): Promise<SceneRun> {
  const stats = new OutcomeStats();
  const readings: GatewayReadings[] = [readGateway(context.names)];
  const started = performance.now();
  await withProgress(
    context.out,
    () => progressText(spec.name, performance.now() - started, durationMs, stats, readings),
    async (progress) => {
      const stamp = () => ((performance.now() - started) / 1000).toFixed(1).padStart(5);
      const unwatch = context.watchBreaker?.((state, operation) => {
        progress.event(`  ⚡ ${stamp()} s  ${operation} ${BREAKER_EVENTS[state]}`);
      });
      try {
        await Promise.all([
          context.load.openLoop({
            traffic,
            durationMs,
            rate: context.rate,
            stats: [stats, context.total],
            ...(context.signal === undefined ? {} : { signal: context.signal }),
          }),
          aside?.((lines) => {
            lines.forEach((line, index) => {
              progress.event(`${index === 0 ? `  ⚙ ${stamp()} s` : ' '.repeat(12)}  ${line}`);
            });
          }),
        ]);
      } finally {
        unwatch?.();
      }
    },
    () => readings.push(readGateway(context.names)),
  );
  return {
    spec,
    durationMs: performance.now() - started,
    interrupted: context.signal?.aborted === true,
    stats,
    readings,
  };
}

/**
 * A scene's result, once the load has drained (so every request the scene sent is accounted for), with its
 * claims checked against what was measured.
 */
export function sceneResult(run: SceneRun, timeoutMs: number): SceneResult {
  const first = run.readings[0]!;
  const last = run.readings[run.readings.length - 1]!;
  const quarter = (last.at - first.at) / 4;
  const cache: CacheActivity = {
    hitRatePercent: hitRateBetween(first, last),
    firstQuarterPercent: hitRateBetween(first, readingFrom(run.readings, first.at + quarter)),
    lastQuarterPercent: hitRateBetween(readingUntil(run.readings, last.at - quarter), last),
  };
  const breaker: BreakerActivity = {
    opened: last.breakerOpened - first.breakerOpened,
    halfOpened: last.breakerHalfOpened - first.breakerHalfOpened,
    closed: last.breakerClosed - first.breakerClosed,
    statesSeen: [...new Set(run.readings.map((reading) => reading.breakerState))],
    stateAtEnd: last.breakerState,
  };
  const requests = run.stats.summary();
  return {
    name: run.spec.name,
    title: run.spec.title,
    durationMs: run.durationMs,
    interrupted: run.interrupted,
    requests,
    cache,
    breaker,
    checks: checkScene(run.spec.name, { requests, cache, breaker, timeoutMs }),
  };
}

/** The result of a scene that did not run, and why. */
export function skippedScene(spec: SceneSpec, reason: string): SceneResult {
  return {
    name: spec.name,
    title: spec.title,
    skipped: reason,
    durationMs: 0,
    interrupted: false,
    requests: new OutcomeStats().summary(),
    cache: { hitRatePercent: undefined, firstQuarterPercent: undefined, lastQuarterPercent: undefined },
    breaker: { opened: 0, halfOpened: 0, closed: 0, statesSeen: [], stateAtEnd: 'unknown' },
    checks: [],
  };
}
