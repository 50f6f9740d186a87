import { describe, expect, it } from 'vitest';
import { formatChange, formatMs, formatPercent, formatStatuses } from './format.js';

describe('formatting for people', () => {
  it('shows durations with a sensible unit', () => {
    expect(formatMs(0.42)).toBe('0.4 ms');
    expect(formatMs(152.4)).toBe('152 ms');
    expect(formatMs(1800)).toBe('1.80 s');
    expect(formatMs(undefined)).toBe('–');
  });

  it('shows percentages and changes', () => {
    expect(formatPercent(67.6)).toBe('68%');
    expect(formatPercent(undefined)).toBe('–');
    expect(formatChange(40, 100)).toBe('+150%');
    expect(formatChange(100, 3)).toBe('-97%');
    expect(formatChange(100, 102)).toBe('+2.0%');
    expect(formatChange(0, 5)).toBe('–');
    expect(formatChange(5, undefined)).toBe('–');
  });

  it('lists status counts and client errors', () => {
    expect(formatStatuses({ '200': 98, '503': 4 }, { ECONNREFUSED: 1 })).toBe('200×98 503×4 ECONNREFUSED×1');
    expect(formatStatuses({})).toBe('no answers yet');
  });
});
