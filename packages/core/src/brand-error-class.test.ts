import { describe, expect, it } from 'vitest';
import { brandErrorClass } from './brand-error-class.js';

/** One copy of an error family, as a second installed version of a package would define it again. */
function family() {
  class FamilyError extends Error {}
  class TimeoutFamilyError extends FamilyError {}
  class OtherFamilyError extends FamilyError {}
  brandErrorClass(FamilyError, 'sightglass.test.FamilyError');
  brandErrorClass(TimeoutFamilyError, 'sightglass.test.TimeoutFamilyError');
  brandErrorClass(OtherFamilyError, 'sightglass.test.OtherFamilyError');
  return { FamilyError, TimeoutFamilyError, OtherFamilyError };
}

describe('brandErrorClass', () => {
  it('makes instanceof hold across two copies of a class, subclasses included', () => {
    const a = family();
    const b = family();
    const timeout = new b.TimeoutFamilyError('late');
    expect(a.FamilyError).not.toBe(b.FamilyError);
    expect(timeout instanceof a.TimeoutFamilyError).toBe(true);
    expect(timeout instanceof a.FamilyError).toBe(true);
    expect(new a.FamilyError('x') instanceof b.FamilyError).toBe(true);
  });

  it('keeps subclasses apart, and matches nothing that lacks the brand', () => {
    const a = family();
    const b = family();
    expect(new b.OtherFamilyError('x') instanceof a.TimeoutFamilyError).toBe(false);
    expect(new b.FamilyError('x') instanceof a.TimeoutFamilyError).toBe(false);
    expect(new Error('x') instanceof a.FamilyError).toBe(false);
    expect({ message: 'x' } instanceof a.FamilyError).toBe(false);
    expect((null as unknown) instanceof a.FamilyError).toBe(false);
  });

  it('checks a subclass that is not branded by its prototype chain, as an application subclasses', () => {
    const a = family();
    class DeadlineError extends a.TimeoutFamilyError {}
    const deadline = new DeadlineError('past the deadline');
    expect(deadline instanceof DeadlineError).toBe(true);
    expect(deadline instanceof a.TimeoutFamilyError).toBe(true);
    expect(deadline instanceof a.FamilyError).toBe(true);
    expect(new a.TimeoutFamilyError('late') instanceof DeadlineError).toBe(false);
    expect(new (family().TimeoutFamilyError)('late') instanceof DeadlineError).toBe(false);
  });

  it('leaves no trace in what an error shows', () => {
    const { FamilyError } = family();
    const error = new FamilyError('visible');
    expect(Object.keys(error)).toEqual([]);
    expect(JSON.stringify({ ...error, message: error.message })).toBe('{"message":"visible"}');
    expect(error).toEqual(new Error('visible'));
  });
});
