import { describe, expect, it } from 'vitest';
import { CircuitStateValue, circuitStateGaugeValue, circuitStateName } from './circuit-state.js';
import { COCKATIEL_VERSIONS } from './test-support/cockatiel-versions.js';

describe.each(COCKATIEL_VERSIONS)('circuit states of %s', (_version, cockatiel) => {
  it("match cockatiel's CircuitState values", () => {
    expect(CircuitStateValue).toEqual({
      Closed: cockatiel.CircuitState.Closed,
      Open: cockatiel.CircuitState.Open,
      HalfOpen: cockatiel.CircuitState.HalfOpen,
      Isolated: cockatiel.CircuitState.Isolated,
    });
  });
});

describe('state names and gauge values', () => {
  it('maps closed 0, open 1, half-open 2, and isolated to 1', () => {
    expect([0, 1, 2, 3].map(circuitStateGaugeValue)).toEqual([0, 1, 2, 1]);
    expect([0, 1, 2, 3].map(circuitStateName)).toEqual(['closed', 'open', 'half_open', 'isolated']);
  });

  it('reads an unknown state as open, the cautious guess', () => {
    expect(circuitStateName(9)).toBe('open');
  });
});
