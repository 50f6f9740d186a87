import { describe, expect, it } from 'vitest';
import { formatJson } from './json-format.js';

describe('formatJson', () => {
  it('writes objects one key per line and short arrays of plain values on one line', () => {
    const value = { a: [1, 2], b: { c: 'x', d: [{ e: null }] }, f: [], g: {}, h: [[1], ['a']], i: undefined };
    expect(formatJson(value)).toBe(
      [
        '{',
        '  "a": [1, 2],',
        '  "b": {',
        '    "c": "x",',
        '    "d": [',
        '      {',
        '        "e": null',
        '      }',
        '    ]',
        '  },',
        '  "f": [],',
        '  "g": {},',
        '  "h": [[1], ["a"]]',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('breaks an array of plain values that does not fit the line', () => {
    const words = ['alpha', 'bravo', 'charlie'];
    expect(formatJson({ words }, 40)).toBe('{\n  "words": ["alpha", "bravo", "charlie"]\n}\n');
    expect(formatJson({ words }, 39)).toBe(
      '{\n  "words": [\n    "alpha",\n    "bravo",\n    "charlie"\n  ]\n}\n',
    );
  });

  it('round-trips through JSON.parse', () => {
    const value = { list: [{ x: 1 }, { y: [true, false] }], text: 'quote " and \\ and $x', n: 0.5 };
    expect(JSON.parse(formatJson(value))).toEqual(value);
  });
});
