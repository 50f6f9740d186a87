import { describe, expect, it } from 'vitest';
import { prometheusUnit } from './prometheus-unit.js';

describe('prometheusUnit', () => {
  it('spells UCUM units as Prometheus names do', () => {
    expect(prometheusUnit('s')).toBe('seconds');
    expect(prometheusUnit('By')).toBe('bytes');
    expect(prometheusUnit('%')).toBe('percent');
    expect(prometheusUnit('1')).toBe('ratio');
    expect(prometheusUnit('By/s')).toBe('bytes_per_second');
    expect(prometheusUnit('{request}/s')).toBe('per_second');
  });

  it('has no unit for annotations, unknown units and none', () => {
    expect(prometheusUnit('{request}')).toBeUndefined();
    expect(prometheusUnit('furlong')).toBeUndefined();
    expect(prometheusUnit('furlong/s')).toBeUndefined();
    expect(prometheusUnit('By/fortnight')).toBeUndefined();
    expect(prometheusUnit('a/b/c')).toBeUndefined();
    expect(prometheusUnit('')).toBeUndefined();
    expect(prometheusUnit(undefined)).toBeUndefined();
  });
});
