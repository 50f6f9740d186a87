import { mulberry32 } from '@sightglass/fake-ollama';
import { commonRequests, type Models, requestsFor } from '../common-prompts.js';
import type { GatewayRequest, RequestKind } from '../requests.js';
import type { SceneName } from './scenes.js';
import { UNIQUE_SHARE } from './settings.js';

/** Produces the next request the load generator sends. */
export type Traffic = () => GatewayRequest;

/** Shares of each kind among the long tail of one-off requests: mostly chat, some generation, a few embeddings. */
const KIND_WEIGHTS: ReadonlyArray<readonly [RequestKind, number]> = [
  ['chat', 0.45],
  ['generate', 0.35],
  ['embed', 0.2],
];

/** The kind whose share of the weights `roll` (0..1) falls in. */
function pickKind(roll: number): RequestKind {
  let rest = roll;
  for (const [kind, weight] of KIND_WEIGHTS) {
    rest -= weight;
    if (rest < 0) return kind;
  }
  return 'chat';
}

/**
 * `count` requests about prompts nobody asked before the scene starts: a topic that suddenly trends. The
 * first time each is asked it misses the cache; every later time it hits, so the hit rate climbs.
 */
export function trendingRequests(models: Models, count: number): GatewayRequest[] {
  const prompts = Math.ceil(count / 3);
  const requests: GatewayRequest[] = [];
  for (let index = 0; index < prompts; index++) {
    requests.push(...requestsFor(`What changed in release ${index + 1} of the mobile app?`, models));
  }
  return requests.slice(0, count);
}

/**
 * Traffic as a gateway sees it: most requests repeat a popular set (uniformly), the rest are one-off
 * questions that no cache can answer. Seeded, so the same options give the same sequence.
 */
export function createTraffic(options: {
  models: Models;
  popular: readonly GatewayRequest[];
  /** Share (0..1) of one-off requests. */
  uniqueShare: number;
  seed?: number;
}): Traffic {
  // Seeded: the same traffic on every run, so two setups compared under "the same load" get the same requests.
  const random = mulberry32(options.seed ?? 1);
  let unique = 0;
  return () => {
    if (options.popular.length > 0 && random() >= options.uniqueShare) {
      return options.popular[Math.floor(random() * options.popular.length)]!;
    }
    unique++;
    const prompt = `One-off question ${unique}-${Math.floor(random() * 1e9)}: summarize ticket #${unique}`;
    const kind = pickKind(random());
    return requestsFor(prompt, options.models).find((request) => request.kind === kind)!;
  };
}

/**
 * The traffic of each scene. Steady traffic repeats the common prompts warmed at start-up. From the warming
 * scene on, a new set trends: enough requests that each repeats about three times during the warming scene,
 * so the hit rate climbs through the scene instead of jumping at its start. The outage and the recovery keep
 * that traffic going (by then mostly cached).
 */
export function sceneTraffic(models: Models, rate: number, warmingMs: number): Record<SceneName, Traffic> {
  const steady = createTraffic({
    models,
    popular: commonRequests(models),
    uniqueShare: UNIQUE_SHARE,
    seed: 1,
  });
  const trendingCount = Math.max(6, Math.round((rate * (warmingMs / 1000) * (1 - UNIQUE_SHARE)) / 3));
  const popular = trendingRequests(models, trendingCount);
  const trending = createTraffic({ models, popular, uniqueShare: UNIQUE_SHARE, seed: 2 });
  return { steady, warming: trending, outage: trending, recovery: trending };
}
