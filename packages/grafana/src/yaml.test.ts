import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toYaml, yamlScalar } from './yaml.js';

describe('yamlScalar', () => {
  it('writes plain scalars where they are unambiguous', () => {
    expect(yamlScalar('warning')).toBe('warning');
    expect(yamlScalar('5m')).toBe('5m');
    expect(yamlScalar('job:requests:rate5m')).toBe('job:requests:rate5m');
    expect(yamlScalar('sum by (job) (rate(requests_total{status=~"5.."}[5m])) > 0.05')).toBe(
      'sum by (job) (rate(requests_total{status=~"5.."}[5m])) > 0.05',
    );
    expect(yamlScalar(3)).toBe('3');
    expect(yamlScalar(true)).toBe('true');
  });

  it('quotes what a parser would read differently', () => {
    expect(yamlScalar('true')).toBe("'true'");
    expect(yamlScalar('No')).toBe("'No'");
    expect(yamlScalar('0.99')).toBe("'0.99'");
    expect(yamlScalar('{{ $labels.job }} is down')).toBe("'{{ $labels.job }} is down'");
    expect(yamlScalar("the breaker's failures")).toBe("'the breaker''s failures'");
    expect(yamlScalar('a: b')).toBe("'a: b'");
    expect(yamlScalar('a #b')).toBe("'a #b'");
    expect(yamlScalar('trailing ')).toBe("'trailing '");
    expect(yamlScalar('key:')).toBe("'key:'");
    expect(yamlScalar('')).toBe("''");
    expect(yamlScalar('two\nlines')).toBe('"two\\nlines"');
  });
});

describe('toYaml', () => {
  it('writes block-style YAML that a YAML parser reads back to the same value', () => {
    const value = {
      groups: [
        {
          name: 'g',
          rules: [
            {
              alert: 'A',
              expr: 'x{a="b"} > 1',
              labels: { severity: 'warning' },
              annotations: { summary: "it's {{ $value }}" },
            },
            { record: 'job:x:rate5m', expr: 'sum by (job) (rate(x[5m]))' },
          ],
        },
      ],
      empty: [],
      none: {},
      'odd key': 'tab\there',
      nested: [[1, 2], ['a']],
      count: 2,
      multi: 'line one\nline two',
    };
    expect(parse(toYaml(value))).toEqual(value);
  });

  it('leaves undefined map values out and starts with the header comments', () => {
    const text = toYaml({ a: 'x', b: undefined }, ['made by a test', '']);
    expect(text).toBe('# made by a test\n#\na: x\n');
  });

  it('writes a top-level list or scalar', () => {
    expect(toYaml(['a', { b: 'c', d: ['e'] }])).toBe('- a\n- b: c\n  d:\n    - e\n');
    expect(toYaml('x')).toBe('x\n');
    expect(toYaml([])).toBe('[]\n');
    expect(toYaml({})).toBe('{}\n');
  });
});
