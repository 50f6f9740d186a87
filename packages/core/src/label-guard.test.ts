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

  it('a value whose series are gone gives its slot up when a new one needs it; one in use never does', () => {
    const guard = new LabelGuard({ maxValues: 2 });
    expect(guard.acquire('a')).toBe('a');
    expect(guard.acquire('b')).toBe('b');
    expect(guard.acquire('b')).toBe('b'); // a second series under "b"
    expect(guard.resolve('c')).toBe(OVERFLOW_LABEL_VALUE);
    guard.release('b'); // one of b's series is gone, the other still reports
    expect(guard.acquire('c')).toBe(OVERFLOW_LABEL_VALUE);
    guard.release('a');
    expect(guard.size).toBe(2); // "a" is idle: kept until its slot is wanted
    expect(guard.resolve('a')).toBe('a');
    expect(guard.acquire('c')).toBe('c'); // takes a's slot
    expect(guard.resolve('a')).toBe(OVERFLOW_LABEL_VALUE);
    expect(guard.acquire('b')).toBe('b');
    expect(guard.size).toBe(2);
  });

  it('"other" never takes a slot, and values admitted by value() are kept for good', () => {
    const guard = new LabelGuard({ maxValues: 1 });
    expect(guard.acquire(OVERFLOW_LABEL_VALUE)).toBe(OVERFLOW_LABEL_VALUE);
    expect(guard.value('a')).toBe('a');
    guard.release('a');
    guard.release(OVERFLOW_LABEL_VALUE);
    guard.release('never-seen');
    expect(guard.acquire('b')).toBe(OVERFLOW_LABEL_VALUE);
    expect(guard.size).toBe(1);
  });

  it('lowering maxValues drops idle values beyond it, never values in use', () => {
    const guard = new LabelGuard({ maxValues: 3 });
    for (const value of ['a', 'b', 'c']) guard.acquire(value);
    guard.release('a');
    guard.release('b');
    guard.configure({ maxValues: 1 });
    expect(guard.size).toBe(1);
    expect(guard.resolve('c')).toBe('c');
    expect(guard.resolve('a')).toBe(OVERFLOW_LABEL_VALUE);
  });

  it('keeps memory bounded under a flood of values whose series come and go', () => {
    const guard = new LabelGuard();
    for (let i = 0; i < 100_000; i++) guard.release(guard.acquire(`/users/${i}`));
    expect(guard.size).toBe(100);
  });

  it('rejects nonsensical bounds with a typed error', () => {
    expect(() => new LabelGuard({ maxValues: 0 })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_CONFIG }),
    );
    expect(() => new LabelGuard({ maxLength: 1.5 })).toThrow(
      'label guard option maxLength must be an integer of at least 1, got 1.5',
    );
  });
});
