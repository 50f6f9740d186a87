import { describe, expect, it } from 'vitest';
import { mergeMetricFamilies } from './exposition.js';

describe('mergeMetricFamilies', () => {
  it('merges a family written once per scope into one block with one TYPE line', () => {
    const text = [
      '# HELP requests_total Total requests',
      '# UNIT requests_total {request}',
      '# TYPE requests_total counter',
      'requests_total{otel_scope_name="a"} 1',
      '',
      '# HELP other Other',
      '# TYPE other gauge',
      'other 3',
      '# HELP requests_total Total requests',
      '# TYPE requests_total counter',
      'requests_total{otel_scope_name="b"} 2',
    ].join('\n');
    expect(mergeMetricFamilies(text)).toEqual({
      text: [
        '# HELP requests_total Total requests',
        '# UNIT requests_total {request}',
        '# TYPE requests_total counter',
        'requests_total{otel_scope_name="a"} 1',
        'requests_total{otel_scope_name="b"} 2',
        '# HELP other Other',
        '# TYPE other gauge',
        'other 3',
        '',
      ].join('\n'),
      dropped: [],
    });
  });

  it('leaves out a later block that declares another type, and says so', () => {
    const text = '# TYPE x counter\nx_total 1\n# TYPE x gauge\nx 2\n';
    expect(mergeMetricFamilies(text)).toEqual({
      text: '# TYPE x counter\nx_total 1\n',
      dropped: ['x (declared counter, then gauge)'],
    });
  });

  it('leaves out a series written twice (scope labels off, two meters), and says so', () => {
    const text = '# TYPE r counter\nr_total{x="1"} 1\n# TYPE r counter\nr_total{x="1"} 2\nr_total{x="2"} 3\n';
    expect(mergeMetricFamilies(text)).toEqual({
      text: '# TYPE r counter\nr_total{x="1"} 1\nr_total{x="2"} 3\n',
      dropped: ['r_total{x="1"} (reported twice)'],
    });
  });

  it('keeps histogram samples with their family and untyped samples as they are', () => {
    const text = 'loose 1\n# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 0.5\n';
    expect(mergeMetricFamilies(text).text).toBe(text);
  });

  it('returns an empty text for an empty exposition', () => {
    expect(mergeMetricFamilies('# no registered metrics\n')).toEqual({ text: '', dropped: [] });
  });
});
