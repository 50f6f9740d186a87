import { ValueType } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  DataPointType,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { type ExpositionOptions, writeExposition, writeExpositionInSlices } from './exposition.js';

const TIME: [number, number] = [0, 0];
const PLAIN: ExpositionOptions = {
  format: 'text',
  scopeLabels: false,
  targetInfo: false,
  resourceConstantLabels: undefined,
};

function descriptor(name: string, description = `${name} help`) {
  return { name, description, unit: 's', valueType: ValueType.DOUBLE };
}

function sum(name: string, points: Array<[Record<string, string>, number]>, isMonotonic = true): MetricData {
  return {
    descriptor: descriptor(name),
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic,
    dataPoints: points.map(([attributes, value]) => ({ startTime: TIME, endTime: TIME, attributes, value })),
  };
}

function gauge(name: string, value: number): MetricData {
  return {
    descriptor: descriptor(name),
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints: [{ startTime: TIME, endTime: TIME, attributes: {}, value }],
  };
}

function resourceMetrics(
  scopes: Array<[string, MetricData[]]>,
  attributes: Record<string, string> = { 'service.name': 'svc' },
): ResourceMetrics {
  return {
    resource: { attributes } as unknown as ResourceMetrics['resource'],
    scopeMetrics: scopes.map(([name, metrics]) => ({ scope: { name, version: '1.0.0' }, metrics })),
  };
}

describe('writeExposition', () => {
  it('writes a family used by two scopes as one block with one TYPE line, series told apart by scope', () => {
    const { text, dropped } = writeExposition(
      resourceMetrics([
        ['a', [sum('requests', [[{ route: '/x' }, 1]])]],
        ['b', [sum('requests', [[{ route: '/x' }, 2]]), gauge('depth', 3)]],
      ]),
      { ...PLAIN, scopeLabels: true },
    );
    expect(text).toBe(
      [
        '# HELP requests_total requests help',
        '# TYPE requests_total counter',
        'requests_total{route="/x",otel_scope_name="a",otel_scope_version="1.0.0"} 1',
        'requests_total{route="/x",otel_scope_name="b",otel_scope_version="1.0.0"} 2',
        '# HELP depth depth help',
        '# TYPE depth gauge',
        'depth{otel_scope_name="b",otel_scope_version="1.0.0"} 3',
        '',
      ].join('\n'),
    );
    expect(dropped).toEqual([]);
  });

  it('never writes a # UNIT line in the 0.0.4 text format', () => {
    const { text } = writeExposition(resourceMetrics([['a', [gauge('latency_seconds', 1)]]]), PLAIN);
    expect(text).not.toContain('# UNIT');
  });

  it('adds _total to a monotonic sum once, and writes a non-monotonic sum as a gauge', () => {
    const { text } = writeExposition(
      resourceMetrics([['a', [sum('jobs_total', [[{}, 4]]), sum('queue', [[{}, -1]], false)]]]),
      PLAIN,
    );
    expect(text).toContain('# TYPE jobs_total counter\njobs_total 4\n');
    expect(text).toContain('# TYPE queue gauge\nqueue -1\n');
  });

  it('leaves out a later family of another type and a series reported twice, naming both', () => {
    const histogram: MetricData = {
      descriptor: descriptor('depth'),
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: [],
    };
    const { text, dropped } = writeExposition(
      resourceMetrics([
        ['a', [sum('depth', [[{}, 1]], false), sum('runs', [[{ x: '1' }, 1]])]],
        [
          'b',
          [
            histogram,
            sum('runs', [
              [{ x: '1' }, 2],
              [{ x: '2' }, 3],
            ]),
          ],
        ],
      ]),
      PLAIN,
    );
    expect(text).toContain('# TYPE depth gauge\ndepth 1\n');
    expect(text).not.toContain('histogram');
    expect(text).toContain('runs_total{x="1"} 1\nruns_total{x="2"} 3\n');
    expect(dropped).toEqual(['depth (declared gauge, then histogram)', 'runs_total{x="1"} (reported twice)']);
  });

  it('writes cumulative buckets ending in +Inf, then _sum and _count', () => {
    const histogram: MetricData = {
      descriptor: descriptor('request_duration_seconds'),
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: [
        {
          startTime: TIME,
          endTime: TIME,
          attributes: { route: '/chat' },
          value: { buckets: { boundaries: [0.1, 1], counts: [2, 1, 1] }, sum: 12.5, count: 4 },
        },
      ],
    };
    const { text } = writeExposition(resourceMetrics([['a', [histogram]]]), PLAIN);
    expect(text).toBe(
      [
        '# HELP request_duration_seconds request_duration_seconds help',
        '# TYPE request_duration_seconds histogram',
        'request_duration_seconds_bucket{route="/chat",le="0.1"} 2',
        'request_duration_seconds_bucket{route="/chat",le="1"} 3',
        'request_duration_seconds_bucket{route="/chat",le="+Inf"} 4',
        'request_duration_seconds_sum{route="/chat"} 12.5',
        'request_duration_seconds_count{route="/chat"} 4',
        '',
      ].join('\n'),
    );
  });

  it('leaves out an exponential histogram, which the text format cannot carry', () => {
    const metric = {
      descriptor: descriptor('sizes'),
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
      dataPoints: [],
    } as unknown as MetricData;
    expect(writeExposition(resourceMetrics([['a', [metric]]]), PLAIN)).toEqual({
      text: '',
      dropped: ['sizes (exponential histograms have no text or OpenMetrics form)'],
    });
  });

  it('escapes label values and HELP text, and writes non-string attributes as JSON', () => {
    const metric: MetricData = {
      ...sum('odd', []),
      descriptor: descriptor('odd', 'a \\ help\nline'),
      dataPoints: [
        {
          startTime: TIME,
          endTime: TIME,
          attributes: { q: 'say "hi"\\\n', n: 3, list: ['a', 'b'] },
          value: 1,
        },
      ],
    } as MetricData;
    const { text } = writeExposition(resourceMetrics([['a', [metric]]]), PLAIN);
    expect(text).toContain('# HELP odd_total a \\\\ help\\nline\n');
    expect(text).toContain('odd_total{q="say \\"hi\\"\\\\\\n",n="3",list="[\\"a\\",\\"b\\"]"} 1\n');
  });

  it('joins two attributes that map to one label name, since Prometheus rejects a repeated label', () => {
    const { text } = writeExposition(
      resourceMetrics([['a', [sum('hits', [[{ 'http.route': '/a', http_route: '/b' }, 1]])]]]),
      PLAIN,
    );
    expect(text).toContain('hits_total{http_route="/a;/b"} 1\n');
  });

  it('writes target_info from the resource and copies matching resource attributes onto series', () => {
    const { text } = writeExposition(
      resourceMetrics([['a', [gauge('up_now', 1)]]], { 'service.name': 'gw', 'host.name': 'h1' }),
      { ...PLAIN, targetInfo: true, resourceConstantLabels: /^service/ },
    );
    expect(text.startsWith('# HELP target_info Target metadata\n# TYPE target_info gauge\n')).toBe(true);
    expect(text).toContain('target_info{service_name="gw",host_name="h1"} 1\n');
    expect(text).toContain('up_now{service_name="gw"} 1\n');
  });

  it('writes infinities and NaN as Prometheus spells them', () => {
    const { text } = writeExposition(
      resourceMetrics([
        [
          'a',
          [
            gauge('hi', Number.POSITIVE_INFINITY),
            gauge('lo', Number.NEGATIVE_INFINITY),
            gauge('nan', Number.NaN),
          ],
        ],
      ]),
      PLAIN,
    );
    expect(text).toContain('hi +Inf\n');
    expect(text).toContain('lo -Inf\n');
    expect(text).toContain('nan NaN\n');
  });

  it('returns an empty text when there is nothing to write', () => {
    expect(writeExposition(resourceMetrics([]), PLAIN)).toEqual({ text: '', dropped: [] });
  });
});

describe('writeExpositionInSlices', () => {
  const many = (name: string, count: number) =>
    sum(
      name,
      Array.from({ length: count }, (_, index): [Record<string, string>, number] => [
        { id: String(index) },
        index,
      ]),
    );

  it('writes what writeExposition writes, letting the event loop run between slices', async () => {
    const metrics = resourceMetrics([
      ['a', [many('jobs', 1000), gauge('depth', 1)]],
      ['b', [many('jobs', 600)]],
    ]);
    let ranBetween = 0;
    const ticking = setInterval(() => ranBetween++, 0);
    const sliced = await writeExpositionInSlices(metrics, { ...PLAIN, scopeLabels: true }, [], 0);
    clearInterval(ticking);
    expect(sliced).toEqual(writeExposition(metrics, { ...PLAIN, scopeLabels: true }));
    expect(sliced.text.match(/^jobs_total\{/gm)).toHaveLength(1600);
    expect(ranBetween).toBeGreaterThan(0);
  });

  it('leaves out every slice of a metric whose family was declared with another type', async () => {
    const clash: MetricData = {
      descriptor: descriptor('jobs_total'),
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.GAUGE,
      dataPoints: many('x', 600).dataPoints as DataPoint<number>[],
    };
    const { text, dropped } = await writeExpositionInSlices(
      resourceMetrics([
        ['a', [many('jobs', 3)]],
        ['b', [clash]],
      ]),
      PLAIN,
      [],
      0,
    );
    expect(text.match(/^jobs_total/gm)).toHaveLength(3);
    expect(dropped).toEqual(['jobs_total (declared counter, then gauge)']);
  });
});

describe('writeExposition in OpenMetrics 1.0', () => {
  const OPEN_METRICS: ExpositionOptions = { ...PLAIN, format: 'openmetrics' };

  it('names a counter family without _total, its samples with it, and ends with # EOF', () => {
    const { text } = writeExposition(
      resourceMetrics([['a', [sum('requests', [[{ route: '/x' }, 1]]), sum('jobs_total', [[{}, 2]])]]]),
      OPEN_METRICS,
    );
    expect(text).toBe(
      [
        '# HELP requests requests help',
        '# TYPE requests counter',
        'requests_total{route="/x"} 1',
        '# HELP jobs jobs_total help',
        '# TYPE jobs counter',
        'jobs_total 2',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('writes # UNIT only where the family name ends in the unit', () => {
    const seconds = {
      ...gauge('latency_seconds', 1),
      descriptor: { ...descriptor('latency_seconds'), unit: 's' },
    };
    const ratio = {
      ...gauge('nodejs.eventloop.utilization', 0.5),
      descriptor: { ...descriptor('nodejs.eventloop.utilization'), unit: '1' },
    };
    const annotated = {
      ...gauge('queue_depth', 3),
      descriptor: { ...descriptor('queue_depth'), unit: '{request}' },
    };
    const { text } = writeExposition(resourceMetrics([['a', [seconds, ratio, annotated]]]), OPEN_METRICS);
    expect(text).toContain('# TYPE latency_seconds gauge\n# UNIT latency_seconds seconds\n');
    expect(text.match(/# UNIT/g)).toHaveLength(1);
  });

  it('writes bucket bounds in canonical float form', () => {
    const histogram: MetricData = {
      descriptor: descriptor('size'),
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: [
        {
          startTime: TIME,
          endTime: TIME,
          attributes: {},
          value: { buckets: { boundaries: [1, 1048576], counts: [1, 0, 0] }, sum: 1, count: 1 },
        },
      ],
    };
    const { text } = writeExposition(resourceMetrics([['a', [histogram]]]), OPEN_METRICS);
    expect(text).toContain(
      'size_bucket{le="1.0"} 1\nsize_bucket{le="1.048576e+06"} 1\nsize_bucket{le="+Inf"} 1\n',
    );
  });

  it('writes the resource as the info family target', () => {
    const { text } = writeExposition(resourceMetrics([]), { ...OPEN_METRICS, targetInfo: true });
    expect(text).toBe(
      '# HELP target Target metadata\n# TYPE target info\ntarget_info{service_name="svc"} 1\n# EOF\n',
    );
  });
});
