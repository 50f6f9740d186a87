import { prometheusBinary, type RunningPrometheus, startPrometheus } from '@sightglass/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertExpressions } from './alerting-rules.js';
import { buildDashboard } from './dashboard.js';
import { dashboardQueries, dataPanels, interpolateQuery } from './queries.js';
import { recordingRules } from './recording-rules.js';

const binary = prometheusBinary();

describe.skipIf(binary === undefined)('a real Prometheus', () => {
  let prometheus: RunningPrometheus;
  beforeAll(async () => {
    prometheus = await startPrometheus(binary!, []);
  });
  afterAll(async () => {
    await prometheus?.stop();
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

  it('answers the exemplar query of every panel that asks for exemplars, as Grafana sends it', async () => {
    const exemplarQueries = dataPanels(buildDashboard()).flatMap((panel) =>
      panel.targets.filter((target) => target.exemplar).map((target) => ({ panel: panel.title, ...target })),
    );
    expect(exemplarQueries).toHaveLength(4);
    const end = Math.floor(Date.now() / 1000);
    const queryExemplars = async (expr: string) => {
      const response = await fetch(
        `${prometheus.url}/api/v1/query_exemplars?query=${encodeURIComponent(expr)}&start=${end - 3600}&end=${end}`,
      );
      return (await response.json()) as { status: string; error?: string; data: unknown };
    };
    // The endpoint parses the expression (so the checks below are not vacuous).
    expect(await queryExemplars('histogram_quantile(0.5, rate(x[$__rate_interval]))')).toMatchObject({
      status: 'error',
    });
    for (const { panel, expr } of exemplarQueries) {
      const concrete = interpolateQuery(expr, { job: '.*', instance: '.*', rateInterval: '1m' });
      expect(await queryExemplars(concrete), `${panel}: ${concrete}`).toMatchObject({
        status: 'success',
        data: [],
      });
    }
  });

  it('runs every alerting and recording rule expression', async () => {
    const expressions = [...alertExpressions(), ...recordingRules()].map((rule) => rule.expr);
    for (const expr of expressions) await expect(prometheus.query(expr), expr).resolves.toBeInstanceOf(Array);
  });
});
