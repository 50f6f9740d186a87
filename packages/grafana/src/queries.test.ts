import { describe, expect, it } from 'vitest';
import { buildDashboard } from './dashboard.js';
import { dashboardQueries, dataPanels, interpolateQuery } from './queries.js';
import type { DataPanel, RowPanel } from './types.js';

describe('dashboardQueries', () => {
  it('lists every query with its panel', () => {
    const queries = dashboardQueries(buildDashboard());
    expect(queries[0]).toMatchObject({ panel: 'Health', panelId: 101, refId: 'A' });
    const latency = queries.filter((query) => query.panel === 'Latency');
    expect(latency.map((query) => query.refId)).toEqual(['A', 'B', 'C']);
    expect(latency[2]?.expr).toContain(
      'histogram_quantile(0.99, sum by (le) (rate(request_duration_seconds_bucket',
    );
  });

  it('finds panels inside collapsed rows too', () => {
    const [first] = dataPanels(buildDashboard()) as [DataPanel];
    const collapsed = {
      id: 1,
      type: 'row',
      title: 'r',
      collapsed: true,
      panels: [first],
    } as unknown as RowPanel;
    expect(dashboardQueries({ panels: [collapsed] })).toHaveLength(first.targets.length);
  });
});

describe('interpolateQuery', () => {
  const expr = 'rate(x{job=~"$job", instance=~"$instance"}[$__rate_interval])';

  it('replaces the dashboard variables with defaults that match everything', () => {
    expect(interpolateQuery(expr)).toBe('rate(x{job=~".*", instance=~".*"}[1m])');
  });

  it('takes concrete values', () => {
    expect(interpolateQuery(expr, { job: 'gw', instance: 'a:9464', rateInterval: '30s' })).toBe(
      'rate(x{job=~"gw", instance=~"a:9464"}[30s])',
    );
  });
});
