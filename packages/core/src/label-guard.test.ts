import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors.js';
import { LabelGuard, OVERFLOW_LABEL_VALUE } from './label-guard.js';

describe('LabelGuard', () => {
  it('admits values up to the budget and collapses the rest into "other"', () => {
    const guard = new LabelGuard({ maxValues: 2 });
    expect(guard.value('a')).toBe('a');
    expect(guard.value('b')).toBe('b');
    expect(guard.value('c')).toBe(OVERFLOW_LABEL_VALUE);
    expect(guard.value('a')).toBe('a');
    expect(guard.size).toBe(2);
  });

  it('cuts long values', () => {
    const guard = new LabelGuard({ maxLength: 4 });
    expect(guard.value('abcdefgh')).toBe('abcd');
  });

  it('keeps memory bounded under a flood of distinct values', () => {
    const guard = new LabelGuard();
    for (let i = 0; i < 100_000; i++) guard.value(`/users/${i}`);
    expect(guard.size).toBe(100);
  });

  it('rejects nonsensical bounds with a typed error', () => {
    expect(() => new LabelGuard({ maxValues: 0 })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }),
    );
    expect(() => new LabelGuard({ maxLength: 1.5 })).toThrow(/positive integer/);
  });
});
