import type { BreakerState } from './gateway-readings.js';
import type { OutcomeSummary } from './outcome-stats.js';

/** The demo's scenes, in the order they run. */
export type SceneName = 'steady' | 'warming' | 'outage' | 'recovery';

/** What a scene is about, and how much of the demo's duration it gets. */
export interface SceneSpec {
  readonly name: SceneName;
  readonly title: string;
  /** One sentence on what the viewer should see. */
  readonly description: string;
  /** Share of the total duration, relative to the other scenes that run. */
  readonly weight: number;
  /** Whether the scene needs the in-process fake Ollama (to stage an outage). */
  readonly needsFakeOllama: boolean;
}

export const SCENES: readonly SceneSpec[] = Object.freeze([
  {
    name: 'steady',
    title: 'Steady traffic',
    description:
      'most requests repeat the common prompts warmed at start-up (cache hits); the rest are one-off',
    weight: 1,
    needsFakeOllama: false,
  },
  {
    name: 'warming',
    title: 'Cache warming up',
    description:
      'new questions start trending: each misses the cache once, then hits, so the hit rate climbs',
    weight: 2,
    needsFakeOllama: false,
  },
  {
    name: 'outage',
    title: 'Ollama outage',
    description:
      'Ollama stops answering: a few requests time out (504), the breaker opens, the rest fail fast (503)',
    weight: 1.5,
    needsFakeOllama: true,
  },
  {
    name: 'recovery',
    title: 'Recovery',
    description: 'Ollama answers again: the breaker lets one probe through (half-open), then closes',
    weight: 1.5,
    needsFakeOllama: true,
  },
]);

/** A claim a scene makes, and whether the run bore it out. */
export interface Check {
  readonly claim: string;
  readonly ok: boolean;
  /** The figures behind the verdict. */
  readonly detail: string;
}

/** What the breaker did during a scene. */
export interface BreakerActivity {
  /** Transitions into each state during the scene. */
  readonly opened: number;
  readonly halfOpened: number;
  readonly closed: number;
  /** States the breaker was seen in (sampled a few times a second). */
  readonly statesSeen: readonly BreakerState[];
  readonly stateAtEnd: BreakerState;
}

/** The cache's hit rate during a scene, in percent (`undefined` without lookups). */
export interface CacheActivity {
  readonly hitRatePercent: number | undefined;
  /** Over the first and the last quarter of the scene: a rising hit rate has last > first. */
  readonly firstQuarterPercent: number | undefined;
  readonly lastQuarterPercent: number | undefined;
}

/** One scene of a demo run, as data (the test asserts on this, not on what was printed). */
export interface SceneResult {
  readonly name: SceneName;
  readonly title: string;
  /** Why the scene did not run, if it did not. */
  readonly skipped?: string;
  readonly durationMs: number;
  /** Cut short by Ctrl-C. */
  readonly interrupted: boolean;
  /** The requests sent during the scene, with their outcomes (complete: counted after the load drained). */
  readonly requests: OutcomeSummary;
  readonly cache: CacheActivity;
  readonly breaker: BreakerActivity;
  readonly checks: readonly Check[];
}

/** Splits a total duration among the scenes that run, by weight. */
export function sceneDurationsMs(scenes: readonly SceneSpec[], totalSeconds: number): Map<SceneName, number> {
  const weights = scenes.reduce((sum, scene) => sum + scene.weight, 0);
  return new Map(
    scenes.map((scene) => [scene.name, Math.round((totalSeconds * 1000 * scene.weight) / weights)]),
  );
}
