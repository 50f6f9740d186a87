/** cockatiel's `CircuitState` values (the same in cockatiel 3 and 4). */
export const CircuitStateValue = Object.freeze({ Closed: 0, Open: 1, HalfOpen: 2, Isolated: 3 } as const);

/** A breaker state as a label value and in `/health`. */
export type CircuitStateName = 'closed' | 'open' | 'half_open' | 'isolated';

const NAMES: Record<number, CircuitStateName> = { 0: 'closed', 1: 'open', 2: 'half_open', 3: 'isolated' };

/** The name of a cockatiel state; an unknown value (a future cockatiel) reads as `open`, the cautious guess. */
export function circuitStateName(state: number): CircuitStateName {
  return NAMES[state] ?? 'open';
}

/**
 * The `circuit_breaker_state` gauge value: 0 closed, 1 open, 2 half-open. Isolated (opened by hand with
 * `isolate()`) reports 1, as it rejects calls exactly as an open breaker does; `/health` says `isolated`.
 */
export function circuitStateGaugeValue(state: number): number {
  return state === CircuitStateValue.Closed ? 0 : state === CircuitStateValue.HalfOpen ? 2 : 1;
}
