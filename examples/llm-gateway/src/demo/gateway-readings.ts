import { CATALOG, metricRegistry } from '@sightglass/core';
import { breakerName, OLLAMA_OPERATIONS } from '../ollama-policy.js';

/** Breaker states as `circuit_breaker_state` reports them (an isolated breaker also reads 1). */
export type BreakerState = 'closed' | 'open' | 'half_open' | 'unknown';

const STATE_OF_GAUGE: Record<number, BreakerState> = { 0: 'closed', 1: 'open', 2: 'half_open' };
const STATE_NAMES = ['closed', 'open', 'half_open', 'isolated'] as const;

/** The gateway's figures at one moment, read from Sightglass's metric registry (what `/metrics` shows). */
export interface GatewayReadings {
  /** `performance.now()` when read. */
  readonly at: number;
  readonly cacheHits: number;
  readonly cacheMisses: number;
  /** The state of the gateway's breakers taken together: the worst of them (open, then half-open). */
  readonly breakerState: BreakerState;
  /** Cumulative transitions of the gateway's breakers into each state. */
  readonly breakerOpened: number;
  readonly breakerHalfOpened: number;
  readonly breakerClosed: number;
  /** Connections the pool to Ollama opened so far. */
  readonly connectionsOpened: number;
}

/** The names the gateway reports under: `breaker_name` / `pool_name`, and `cache_name`. */
export interface GatewayNames {
  readonly ollama: string;
  readonly cache: string;
}

/**
 * Reads the gateway's cache, breaker and pool figures from the in-process metric registry: the same numbers
 * a Prometheus scrape of `/metrics` would show, without parsing the exposition.
 */
export function readGateway(names: GatewayNames): GatewayReadings {
  const registry = metricRegistry();
  const breakers = OLLAMA_OPERATIONS.map((operation) => ({
    breaker_name: breakerName(names.ollama, operation),
  }));
  const transitionsTo = (to: string): number => {
    let sum = 0;
    for (const breaker of breakers) {
      for (const from of STATE_NAMES) {
        sum += registry.value(CATALOG.circuitBreakerStateTransitions, { ...breaker, from, to }) ?? 0;
      }
    }
    return sum;
  };
  const states = breakers.map((breaker) => registry.value(CATALOG.circuitBreakerState, breaker));
  const gauge = states.includes(1) ? 1 : states.includes(2) ? 2 : states.find((state) => state !== undefined);
  return {
    at: performance.now(),
    cacheHits: registry.value(CATALOG.cacheHits, { cache_name: names.cache }) ?? 0,
    cacheMisses: registry.value(CATALOG.cacheMisses, { cache_name: names.cache }) ?? 0,
    breakerState: gauge === undefined ? 'unknown' : (STATE_OF_GAUGE[gauge] ?? 'unknown'),
    breakerOpened: transitionsTo('open'),
    breakerHalfOpened: transitionsTo('half_open'),
    breakerClosed: transitionsTo('closed'),
    connectionsOpened:
      registry.value(CATALOG.connectionPoolConnectionsOpened, { pool_name: names.ollama }) ?? 0,
  };
}

/** The hit rate between two readings, in percent; `undefined` when there was no lookup in between. */
export function hitRateBetween(from: GatewayReadings, to: GatewayReadings): number | undefined {
  const hits = to.cacheHits - from.cacheHits;
  const lookups = hits + to.cacheMisses - from.cacheMisses;
  return lookups === 0 ? undefined : (100 * hits) / lookups;
}
