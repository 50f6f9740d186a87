import type { PanelLink, TraceDatasourceVariable } from './types.js';

/**
 * The name of the trace data-source variable the latency panels' "Traces" links open Explore on. Optional:
 * without a Tempo data source the variable is empty and the dashboard loads as before (the link then opens
 * Explore on Grafana's default data source).
 */
export const TRACES_VARIABLE = 'traces';

/**
 * The exemplar label that carries the trace id, as Sightglass's OpenMetrics exposition writes it
 * (`# {trace_id="…",span_id="…"}`): the `name` of the Prometheus data source's
 * `jsonData.exemplarTraceIdDestinations` entry that turns an exemplar into a link to its trace.
 */
export const EXEMPLAR_TRACE_ID_LABEL = 'trace_id';

/**
 * TraceQL queries the "Traces" links search with, by the spans each latency histogram is measured in: the
 * HTTP server spans of `request_duration_seconds`, and the GenAI client spans (`gen_ai.operation.name` is
 * required on them by the semantic conventions) of the operation duration and time to first chunk.
 */
export const TRACE_QUERIES = Object.freeze({
  requests: '{ kind = server }',
  genAi: '{ kind = client && span.gen_ai.operation.name != nil }',
} as const);

/** The trace data-source variable: any Tempo data source, none required. */
export function traceDatasourceVariable(): TraceDatasourceVariable {
  return {
    name: TRACES_VARIABLE,
    label: 'Traces',
    description:
      'Optional: the Tempo data source the latency panels’ Traces links open in Explore. Clicking an exemplar needs the Prometheus data source’s exemplarTraceIdDestinations instead (see the @sightglass/grafana README).',
    type: 'datasource',
    query: 'tempo',
    hide: 0,
    includeAll: false,
    multi: false,
    options: [],
    refresh: 1,
    regex: '',
    skipUrlSync: false,
  };
}

/**
 * A Grafana Explore URL (`/explore?schemaVersion=1&panes=…`) on the trace data-source variable, searching
 * with `traceql` over the dashboard's time range. Grafana fills in `${traces}` (the data source's uid) and
 * `${__from}` / `${__to}` (epoch milliseconds) when the link is clicked, so they stay unencoded; the rest of
 * the pane's JSON is percent-encoded.
 */
export function exploreTracesUrl(traceql: string): string {
  const variable = (name: string): string => `\${${name}}`;
  // Placeholders that survive JSON.stringify and encodeURIComponent unchanged, swapped for the variables.
  const uid = 'SIGHTGLASS_TRACES_UID';
  const from = 'SIGHTGLASS_FROM';
  const to = 'SIGHTGLASS_TO';
  const panes = {
    traces: {
      datasource: uid,
      queries: [
        {
          refId: 'A',
          datasource: { type: 'tempo', uid },
          queryType: 'traceql',
          limit: 20,
          tableType: 'traces',
          query: traceql,
        },
      ],
      range: { from, to },
    },
  };
  const encoded = encodeURIComponent(JSON.stringify(panes))
    .replaceAll(uid, variable(TRACES_VARIABLE))
    .replaceAll(from, variable('__from'))
    .replaceAll(to, variable('__to'));
  return `/explore?schemaVersion=1&panes=${encoded}&orgId=1`;
}

/** The "Traces" panel link of a latency panel: Explore on the trace data source, in a new tab. */
export function tracesLink(traceql: string): PanelLink {
  return {
    title: 'Traces',
    type: 'link',
    url: exploreTracesUrl(traceql),
    tooltip: `Search the traces data source for ${traceql} over this time range`,
    icon: 'external link',
    targetBlank: true,
    asDropdown: false,
    includeVars: false,
    keepTime: false,
    tags: [],
  };
}
