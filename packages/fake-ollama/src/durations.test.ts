import { describe, expect, it } from 'vitest';
import {
  DEFAULT_KEEP_ALIVE_MS,
  KEEP_ALIVE_FOREVER_MS,
  parseGoDuration,
  parseKeepAlive,
} from './durations.js';

describe('parseGoDuration', () => {
  it('reads the forms Go accepts', () => {
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('300ms')).toBe(300);
    expect(parseGoDuration('1.5h')).toBe(5_400_000);
    expect(parseGoDuration('2h45m')).toBe(9_900_000);
    expect(parseGoDuration('-1m')).toBe(-60_000);
    expect(parseGoDuration('+5s')).toBe(5000);
    expect(parseGoDuration('.5s')).toBe(500);
    expect(parseGoDuration('1500us')).toBeCloseTo(1.5);
    expect(parseGoDuration('2000000ns')).toBeCloseTo(2);
    expect(parseGoDuration('1µs')).toBeCloseTo(0.001);
  });

  it('rejects what Go rejects', () => {
    for (const bad of ['', '-', '5', 'abc', '5x', '1h30', 'm']) expect(parseGoDuration(bad)).toBeUndefined();
  });
});

describe('parseKeepAlive', () => {
  it('defaults to 5 minutes, reads seconds and durations, and treats negatives as forever', () => {
    expect(parseKeepAlive(undefined)).toEqual({ ms: DEFAULT_KEEP_ALIVE_MS });
    expect(parseKeepAlive(null)).toEqual({ ms: DEFAULT_KEEP_ALIVE_MS });
    expect(parseKeepAlive(0)).toEqual({ ms: 0 });
    expect(parseKeepAlive(30)).toEqual({ ms: 30_000 });
    expect(parseKeepAlive(1.9)).toEqual({ ms: 1000 });
    expect(parseKeepAlive('10m')).toEqual({ ms: 600_000 });
    expect(parseKeepAlive(-1)).toEqual({ ms: KEEP_ALIVE_FOREVER_MS });
    expect(parseKeepAlive('-1m')).toEqual({ ms: KEEP_ALIVE_FOREVER_MS });
  });

  it("says what is wrong in Go's words", () => {
    expect(parseKeepAlive('soon')).toEqual({ error: 'time: invalid duration "soon"' });
    expect(parseKeepAlive(true)).toEqual({ error: "Unsupported type: 'bool'" });
    expect(parseKeepAlive([])).toEqual({ error: "Unsupported type: '[]interface {}'" });
    expect(parseKeepAlive({})).toEqual({ error: "Unsupported type: 'map[string]interface {}'" });
  });
});
