import { prometheusBinary, type RunningPrometheus, startPrometheus } from '@sightglass/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertExpressions } from './alerting-rules.js';
import { buildDashboard } from './dashboard.js';
import { dashboardQueries, interpolateQuery } from './queries.js';
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

  it('runs every alerting and recording rule expression', async () => {
    const expressions = [...alertExpressions(), ...recordingRules()].map((rule) => rule.expr);
    for (const expr of expressions) await expect(prometheus.query(expr), expr).resolves.toBeInstanceOf(Array);
  });
});
