import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CATALOG, prometheusName } from '@sightglass/core';
import { prometheusBinary, type RunningPrometheus, startPrometheus, waitFor } from '@sightglass/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertExpressions } from './alerting-rules.js';
import { buildDashboard } from './dashboard.js';
import { dashboardQueries, dataPanels, interpolateQuery } from './queries.js';
import { recordingRules } from './recording-rules.js';

const binary = prometheusBinary();

/** The histograms that keep exemplars, each with one series and one sampled request in its 1 s bucket. */
const EXEMPLAR_HISTOGRAMS = [
  { entry: CATALOG.requestDurationSeconds, labels: 'method="POST",route="/v1/chat",status="200"' },
  { entry: CATALOG.genAiClientOperationDuration, labels: 'gen_ai_request_model="llama3.2"' },
  { entry: CATALOG.genAiClientTimeToFirstChunk, labels: 'gen_ai_request_model="llama3.2"' },
].map(({ entry, labels }, index) => ({
  name: prometheusName(entry),
  labels,
  traceId: `${index + 1}`.repeat(32),
  spanId: `${index + 1}`.repeat(16),
}));

/** An OpenMetrics exposition, as @sightglass/prometheus writes one, with an exemplar on each 1 s bucket. */
function exposition(): string {
  const seconds = (Date.now() / 1000).toFixed(3);
  const lines = EXEMPLAR_HISTOGRAMS.flatMap(({ name, labels, traceId, spanId }) => [
    `# TYPE ${name} histogram`,
    `${name}_bucket{${labels},le="1.0"} 1 # {trace_id="${traceId}",span_id="${spanId}"} 0.75 ${seconds}`,
    `${name}_bucket{${labels},le="+Inf"} 1`,
    `${name}_sum{${labels}} 0.75`,
    `${name}_count{${labels}} 1`,
  ]);
  return `${[...lines, '# EOF'].join('\n')}\n`;
}

describe.skipIf(binary === undefined)('a real Prometheus', () => {
  let prometheus: RunningPrometheus;
  let target: Server;
  beforeAll(async () => {
    target = createServer((_request, response) => {
      response.writeHead(200, {
        'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8',
      });
      response.end(exposition());
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const { port } = target.address() as AddressInfo;
    prometheus = await startPrometheus(binary!, [`127.0.0.1:${port}`], '/metrics', {
      enableFeatures: ['exemplar-storage'],
    });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((resolve) => target?.close(resolve));
  });

  it('rejects a bad expression (so the checks below are not vacuous)', async () => {
    await expect(prometheus.query('sum(rate(requests_total[$__rate_interval]))')).rejects.toThrow(/failed/);
  });

  it('runs every dashboard query, with the variables filled in as Grafana would', async () => {
    for (const { panel, refId, expr } of dashboardQueries(buildDashboard())) {
      const concrete = interpolateQuery(expr, { job: 'gateway|batch', instance: '.*', rateInterval: '1m' });
      await expect(prometheus.query(concrete), `${panel} ${refId}: ${concrete}`).resolves.toBeInstanceOf(
        Array,
      );
    }
  });

  it("returns the trace ids of each latency panel's histogram to the panel's exemplar query", async () => {
    const exemplarQueries = dataPanels(buildDashboard()).flatMap((panel) =>
      panel.targets.filter((target) => target.exemplar).map((target) => ({ panel: panel.title, ...target })),
    );
    expect(exemplarQueries.map(({ panel }) => panel)).toEqual([
      'Latency',
      'p99 latency by route',
      'Operation duration',
      'Time to first chunk',
    ]);
    const read = (panel: string): (typeof EXEMPLAR_HISTOGRAMS)[number] =>
      EXEMPLAR_HISTOGRAMS[panel === 'Operation duration' ? 1 : panel === 'Time to first chunk' ? 2 : 0]!;
    for (const { panel, expr } of exemplarQueries) {
      // Grafana sends the target's expression, variables filled in, to /api/v1/query_exemplars.
      const concrete = interpolateQuery(expr, { job: '.*', instance: '.*', rateInterval: '1m' });
      const found = await waitFor(`the exemplars of ${panel}`, async () => {
        const series = await prometheus.queryExemplars(
          concrete,
          Date.now() / 1000 - 600,
          Date.now() / 1000 + 60,
        );
        return series.length > 0 ? series : undefined;
      });
      const { name, traceId, spanId } = read(panel);
      expect(
        found.map((entry) => entry.seriesLabels.__name__),
        panel,
      ).toEqual([`${name}_bucket`]);
      expect(found[0]?.seriesLabels, panel).toMatchObject({ le: '1.0', job: 'sightglass-test' });
      expect(
        found[0]?.exemplars.map(({ labels }) => labels),
        panel,
      ).toContainEqual({
        trace_id: traceId,
        span_id: spanId,
      });
    }
    // The endpoint parses the expression, so the matches above are not vacuous.
    await expect(
      prometheus.queryExemplars('histogram_quantile(0.5, rate(x[$__rate_interval]))', 0, 1),
    ).rejects.toThrow(/failed/);
  });

  it('runs every alerting and recording rule expression', async () => {
    const expressions = [...alertExpressions(), ...recordingRules()].map((rule) => rule.expr);
    for (const expr of expressions) await expect(prometheus.query(expr), expr).resolves.toBeInstanceOf(Array);
  });
});
