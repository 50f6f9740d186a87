import { CATALOG, catalogEntries, prometheusName } from '@sightglass/core';
import { describe, expect, it } from 'vitest';
import { buildDashboard, DATASOURCE, dashboardRows, layoutRows, SCHEMA_VERSION } from './dashboard.js';
import { timeseries } from './panels.js';
import { dashboardQueries, dataPanels } from './queries.js';
import { RUNTIME_METRICS } from './runtime-metrics.js';
import { knownMetricNames, metricReferences } from './test-support/promql-names.js';
import { EXEMPLAR_TRACE_ID_LABEL, exploreTracesUrl, TRACE_QUERIES, TRACES_VARIABLE } from './traces.js';

/** Grafana's variable syntax, written without a `${` that reads like a template placeholder. */
const grafanaVariable = (name: string): string => `$${'{'}${name}}`;

const dashboard = buildDashboard();
const panels = dataPanels(dashboard);
const queries = dashboardQueries(dashboard);

/** Catalog metrics the dashboard leaves out on purpose. */
const NOT_ON_THE_DASHBOARD = new Set([
  // The OTel semantic-convention twin of request_duration_seconds, off by default; the requests row covers it.
  prometheusName(CATALOG.httpServerRequestDuration),
]);

describe('the dashboard', () => {
  it('has a uid, title, tags, a 10 s refresh, the last hour, and schema version 42', () => {
    expect(dashboard).toMatchObject({
      uid: 'sightglass',
      title: 'Sightglass',
      schemaVersion: SCHEMA_VERSION,
      refresh: '10s',
      time: { from: 'now-1h', to: 'now' },
    });
    expect(SCHEMA_VERSION).toBe(42);
    expect(dashboard.tags).toContain('sightglass');
  });

  it('takes a uid, title, tags and refresh', () => {
    const custom = buildDashboard({ uid: 'gw', title: 'Gateway', tags: ['llm'], refresh: '30s' });
    expect(custom).toMatchObject({ uid: 'gw', title: 'Gateway', tags: ['llm'], refresh: '30s' });
  });

  it('is the same every time it is built', () => {
    expect(buildDashboard()).toEqual(dashboard);
  });

  it('has rows for breakers, pools, caches, requests, GenAI calls, the LLM server and the runtime', () => {
    const rows = dashboard.panels.filter((panel) => panel.type === 'row').map((panel) => panel.title);
    expect(rows).toEqual([
      'Overview',
      'Circuit breakers and resilience',
      'Connection pools',
      'Caches',
      'Requests (HTTP)',
      'GenAI calls',
      'LLM server (Ollama)',
      'Node.js runtime',
    ]);
  });
});

describe('variables', () => {
  const variables = dashboard.templating.list;

  it('selects the Prometheus data source with a datasource variable, not DS_PROMETHEUS inputs', () => {
    expect(variables[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    expect(JSON.stringify(dashboard)).not.toContain(grafanaVariable('DS_').slice(0, -1)); // no `${DS_…`
    expect(JSON.stringify(dashboard)).not.toContain('DS_PROMETHEUS');
    expect(dashboard).not.toHaveProperty('__inputs');
  });

  it('has job and instance variables from label_values, multi-value with All', () => {
    for (const name of ['job', 'instance']) {
      const variable = variables.find((candidate) => candidate.name === name);
      expect(variable).toMatchObject({
        type: 'query',
        multi: true,
        includeAll: true,
        datasource: DATASOURCE,
      });
      expect(variable?.type === 'query' && variable.query.query).toMatch(
        new RegExp(`^label_values\\(.*, ${name}\\)$`),
      );
    }
  });
});

describe('panels', () => {
  it('are time series and stats only (besides row headers)', () => {
    expect(new Set(dashboard.panels.map((panel) => panel.type))).toEqual(
      new Set(['row', 'timeseries', 'stat']),
    );
    expect(panels.length).toBeGreaterThan(40);
  });

  it('all query the data-source variable', () => {
    expect(DATASOURCE).toEqual({ type: 'prometheus', uid: grafanaVariable('datasource') });
    for (const panel of panels) {
      expect(panel.datasource, panel.title).toEqual(DATASOURCE);
      for (const target of panel.targets) expect(target.datasource, panel.title).toEqual(DATASOURCE);
    }
  });

  it('all have a unit, a title, a description and at least one query', () => {
    for (const panel of panels) {
      expect(panel.fieldConfig.defaults.unit, panel.title).toMatch(/^[a-z]+$/);
      expect(panel.title).not.toBe('');
      expect(panel.description, panel.title).not.toBe('');
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
    }
  });

  it('have unique ids that count on from their row id', () => {
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    let row = 0;
    for (const panel of dashboard.panels) {
      if (panel.type === 'row') {
        expect(panel.id % 100, panel.title).toBe(0);
        row = panel.id;
      } else {
        expect(panel.id - row, panel.title).toBeGreaterThan(0);
        expect(panel.id - row, panel.title).toBeLessThan(100);
      }
    }
  });

  it('are laid out on the 24-column grid without overlapping', () => {
    const taken = new Set<string>();
    for (const { gridPos, title } of dashboard.panels) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(taken.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          taken.add(`${x},${y}`);
        }
      }
    }
  });

  it('wrap to a new line when a row is full', () => {
    const wide = timeseries('t', 'd', 'short', [], { width: 16, height: 3 });
    const laidOut = layoutRows([{ id: 900, title: 'r', panels: [wide, wide] }]);
    expect(laidOut.map((panel) => [panel.id, panel.gridPos])).toEqual([
      [900, { h: 1, w: 24, x: 0, y: 0 }],
      [901, { h: 3, w: 16, x: 0, y: 1 }],
      [902, { h: 3, w: 16, x: 0, y: 4 }],
    ]);
  });
});

describe('queries', () => {
  it('use $__rate_interval in every rate() and increase()', () => {
    for (const { panel, expr } of queries) {
      const ranges = [...expr.matchAll(/\[([^\]]*)\]/g)].map((match) => match[1]);
      expect(
        ranges.every((range) => range === '$__rate_interval'),
        `${panel}: ${expr}`,
      ).toBe(true);
      const rangeFunctions = expr.match(/\b(rate|increase|irate|delta)\(/g) ?? [];
      expect(ranges.length, `${panel}: ${expr}`).toBe(rangeFunctions.length);
    }
  });

  it('filter every selector by the job and instance variables', () => {
    for (const { panel, expr } of queries) {
      const references = metricReferences(expr);
      expect(references.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const { name, matchers } of references) {
        expect(matchers, `${panel}: ${name}`).toMatch(/^\{job=~"\$job", instance=~"\$instance"[,}]/);
      }
    }
  });

  it('read only metrics of the catalog or the runtime metrics', () => {
    const known = knownMetricNames();
    for (const { panel, expr } of queries) {
      for (const { name } of metricReferences(expr)) expect(known.has(name), `${panel}: ${name}`).toBe(true);
    }
  });

  it('show every catalog metric, and every runtime metric', () => {
    const read = new Set(queries.flatMap(({ expr }) => metricReferences(expr).map(({ name }) => name)));
    const base = (name: string) => name.replace(/_(bucket|sum|count)$/, '');
    const shown = new Set([...read].map(base));
    for (const entry of catalogEntries()) {
      const name = prometheusName(entry);
      if (!NOT_ON_THE_DASHBOARD.has(name)) expect(shown.has(name) || read.has(name), name).toBe(true);
    }
    for (const name of Object.values(RUNTIME_METRICS)) expect(shown.has(name), name).toBe(true);
  });

  it('count on the rows the dashboard is built from', () => {
    const specs = dashboardRows().flatMap((row) => row.panels.flatMap((panel) => panel.queries));
    expect(queries.map(({ expr }) => expr)).toEqual(specs.map(({ expr }) => expr));
  });
});

describe('exemplars and traces', () => {
  /** The histograms that keep an exemplar per bucket (from sampled spans), as their buckets are queried. */
  const EXEMPLAR_BUCKETS = new Set(
    [
      CATALOG.requestDurationSeconds,
      CATALOG.genAiClientOperationDuration,
      CATALOG.genAiClientTimeToFirstChunk,
    ].map((entry) => `${prometheusName(entry)}_bucket`),
  );
  const readsExemplars = (panel: (typeof panels)[number]) =>
    panel.type === 'timeseries' &&
    panel.targets.some(({ expr }) => metricReferences(expr).some(({ name }) => EXEMPLAR_BUCKETS.has(name)));
  const latencyPanels = panels.filter(readsExemplars);

  it('are on the latency panels of request duration, GenAI operation duration and time to first chunk', () => {
    expect(latencyPanels.map((panel) => panel.title)).toEqual([
      'Latency',
      'p99 latency by route',
      'Operation duration',
      'Time to first chunk',
    ]);
  });

  it('are fetched by the first query of each latency panel only (the others read the same buckets)', () => {
    for (const panel of latencyPanels) {
      expect(
        panel.targets.map((target) => target.exemplar ?? false),
        panel.title,
      ).toEqual(panel.targets.map((_, index) => index === 0));
    }
    for (const panel of panels.filter((candidate) => !readsExemplars(candidate))) {
      for (const target of panel.targets) expect(target, panel.title).not.toHaveProperty('exemplar');
      expect(panel, panel.title).not.toHaveProperty('links');
    }
    // A stat draws no points: the overview's p99 reads request_duration_seconds_bucket without exemplars.
    const p99 = panels.find((panel) => panel.title === 'p99 latency');
    expect(p99).toMatchObject({ type: 'stat' });
    expect(p99?.targets[0]).not.toHaveProperty('exemplar');
  });

  it('has an optional trace data-source variable (Tempo) that no query depends on', () => {
    const variable = dashboard.templating.list.find((candidate) => candidate.name === TRACES_VARIABLE);
    expect(variable).toMatchObject({ name: 'traces', type: 'datasource', query: 'tempo', hide: 0 });
    // No `current`: Grafana picks the default Tempo data source, or none, and the dashboard loads either way.
    expect(variable).not.toHaveProperty('current');
    const json = JSON.stringify({ ...dashboard, panels: panels.map(({ links: _, ...panel }) => panel) });
    expect(json).not.toContain(grafanaVariable('traces'));
    expect(json).not.toContain('$traces');
  });

  it('links each latency panel to Explore on the trace data source over the dashboard time range', () => {
    for (const panel of latencyPanels) {
      const links = panel.links ?? [];
      expect(links, panel.title).toHaveLength(1);
      const link = links[0]!;
      expect(link).toMatchObject({ title: 'Traces', type: 'link', targetBlank: true });
      const url = new URL(link.url, 'http://grafana.invalid');
      expect(url.pathname).toBe('/explore');
      expect(url.searchParams.get('schemaVersion')).toBe('1');
      // Grafana fills the variables in before the URL is followed: a data source uid and epoch milliseconds.
      const filled = link.url
        .replaceAll(grafanaVariable('traces'), 'tempo-uid')
        .replaceAll(grafanaVariable('__from'), '1700000000000')
        .replaceAll(grafanaVariable('__to'), '1700003600000');
      const panes = JSON.parse(new URL(filled, 'http://grafana.invalid').searchParams.get('panes')!);
      const traceql =
        panel.title.startsWith('Operation') || panel.title.startsWith('Time to first')
          ? TRACE_QUERIES.genAi
          : TRACE_QUERIES.requests;
      expect(panes).toEqual({
        traces: {
          datasource: 'tempo-uid',
          queries: [
            {
              refId: 'A',
              datasource: { type: 'tempo', uid: 'tempo-uid' },
              queryType: 'traceql',
              limit: 20,
              tableType: 'traces',
              query: traceql,
            },
          ],
          range: { from: '1700000000000', to: '1700003600000' },
        },
      });
    }
  });

  it('keeps every variable of a link URL one Grafana interpolates, and encodes the rest', () => {
    const url = exploreTracesUrl('{ span.http.route = "/v1/chat" }');
    expect([...url.matchAll(/\$\{([^}]*)\}/g)].map((match) => match[1])).toEqual([
      'traces',
      'traces',
      '__from',
      '__to',
    ]);
    expect(url.replace(/\$\{[^}]*\}/g, '')).toMatch(/^[A-Za-z0-9/?=&%._!~*'()-]+$/);
  });

  it('names the exemplar label a data source links to traces by: trace_id', () => {
    expect(EXEMPLAR_TRACE_ID_LABEL).toBe('trace_id');
  });
});
