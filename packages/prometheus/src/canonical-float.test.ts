import { describe, expect, it } from 'vitest';
import { canonicalFloat } from './canonical-float.js';

describe('canonicalFloat', () => {
  it.each([
    [1, '1.0'],
    [0, '0.0'],
    [2.5, '2.5'],
    [0.005, '0.005'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [262144, '262144.0'],
    [1048576, '1.048576e+06'],
    [1000000, '1e+06'],
    [67108864, '6.7108864e+07'],
    [-3, '-3.0'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
    [Number.NaN, 'NaN'],
  ])('writes %d as %s, as Go and Python clients write bucket bounds', (value, text) => {
    expect(canonicalFloat(value)).toBe(text);
  });
});
