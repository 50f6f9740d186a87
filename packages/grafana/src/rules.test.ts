import { CATALOG, prometheusName } from '@sightglass/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  ALERTING_GROUP,
  alertExpressions,
  alertingRuleFile,
  alertingRules,
  DEFAULT_ALERT_OPTIONS,
} from './alerting-rules.js';
import { RECORDING_GROUP, recordingRuleFile, recordingRules, recordName } from './recording-rules.js';
import { RULE_FILE_HEADER, renderRuleFile } from './rule-file.js';
import { knownMetricNames, metricReferences } from './test-support/promql-names.js';

const alerts = alertingRules();
const recording = recordingRules();

function byName(name: string) {
  const rule = alerts.find((candidate) => candidate.alert === name);
  if (rule === undefined) throw new Error(`no alert ${name}`);
  return rule;
}

describe('alerting rules', () => {
  it('cover breakers, pools, caches, errors and latency', () => {
    expect(alerts.map((rule) => rule.alert)).toEqual([
      'CircuitBreakerOpen',
      'ConnectionPoolSaturated',
      'CacheHitRatioDrop',
      'RequestErrorRatioHigh',
      'RequestLatencyP99High',
    ]);
  });

  it('have a severity, a duration and a summary and description', () => {
    for (const rule of alerts) {
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels.severity);
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(rule.annotations.summary, rule.alert).not.toBe('');
      expect(rule.annotations.description.length, rule.alert).toBeGreaterThan(
        rule.annotations.summary.length,
      );
    }
  });

  it('name the breaker, pool, cache or route in their annotations', () => {
    const named = {
      CircuitBreakerOpen: 'breaker_name',
      ConnectionPoolSaturated: 'pool_name',
      CacheHitRatioDrop: 'cache_name',
      RequestErrorRatioHigh: 'job',
      RequestLatencyP99High: 'route',
    };
    for (const [alert, label] of Object.entries(named)) {
      const { summary, description } = byName(alert).annotations;
      expect(summary, alert).toContain(`{{ $labels.${label} }}`);
      expect(description, alert).toContain(`{{ $labels.${label} }}`);
    }
  });

  it('alert on a breaker open for a minute and a pool above 90% for five minutes', () => {
    expect(byName('CircuitBreakerOpen')).toMatchObject({
      expr: `max by (job, instance, breaker_name) (${prometheusName(CATALOG.circuitBreakerState)}) == 1`,
      for: '1m',
    });
    expect(byName('ConnectionPoolSaturated')).toMatchObject({
      expr: 'max by (job, instance, pool_name) (connection_pool_utilization_percent) > 90',
      for: '5m',
    });
  });

  it('guard the ratio and latency alerts with a minimum of traffic', () => {
    expect(byName('CacheHitRatioDrop').expr).toMatch(/ and on \(job, cache_name\) .* > 1$/);
    expect(byName('RequestErrorRatioHigh').expr).toMatch(/ > 0\.05 and on \(job\) .* > 0\.1$/);
    expect(byName('RequestLatencyP99High').expr).toMatch(
      /^histogram_quantile\(0\.99, .* > 30 and on \(job, route\) /,
    );
  });

  it('take their thresholds and durations from options', () => {
    const tuned = alertingRules({
      poolUtilizationPercent: 80,
      poolSaturatedFor: '10m',
      errorRatio: 0.01,
      latencyP99Seconds: 60,
      cacheHitRatioDropFactor: 0.5,
      breakerOpenFor: '5m',
    });
    const pool = tuned.find((rule) => rule.alert === 'ConnectionPoolSaturated')!;
    expect(pool.expr).toMatch(/ > 80$/);
    expect(pool.for).toBe('10m');
    expect(pool.annotations.summary).toContain('over 80% utilized');
    expect(tuned.find((rule) => rule.alert === 'RequestErrorRatioHigh')!.annotations.description).toContain(
      'More than 1%',
    );
    expect(tuned.find((rule) => rule.alert === 'RequestLatencyP99High')!.expr).toContain(' > 60 and');
    expect(tuned.find((rule) => rule.alert === 'CacheHitRatioDrop')!.expr).toContain(' < 0.5 * ');
    expect(tuned.find((rule) => rule.alert === 'CircuitBreakerOpen')!.for).toBe('5m');
    expect(alertingRules({})).toEqual(alertingRules(DEFAULT_ALERT_OPTIONS));
  });

  it('list their expressions for a Prometheus to run', () => {
    expect(alertExpressions()).toEqual(alerts.map(({ alert, expr }) => ({ alert, expr })));
  });
});

describe('recording rules', () => {
  it('are named level:metric:operations, the level naming the labels kept', () => {
    for (const { record, expr } of recording) {
      const [level, metric, operations] = record.split(':');
      expect(record.split(':'), record).toHaveLength(3);
      expect(metric, record).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(operations, record).toMatch(/^[a-z0-9_]+$/);
      const by = /by \(([^)]*)\)/.exec(expr)?.[1] ?? '';
      const kept = by.split(', ').filter((label) => label !== 'le');
      expect(level, record).toBe(kept.join('_'));
    }
  });

  it('record cache hit ratios, error ratios, request rates and latency quantiles', () => {
    expect(recording.map((rule) => rule.record)).toEqual([
      'job_cache_name:cache_lookups:rate5m',
      'job_cache_name:cache_hits_per_lookups:ratio_rate5m',
      'job_cache_name:cache_hits_per_lookups:ratio_rate1h',
      'job_route:requests:rate5m',
      'job_route:request_errors_per_requests:ratio_rate5m',
      'job:request_errors_per_requests:ratio_rate5m',
      'job_route:request_duration_seconds:p50_rate5m',
      'job_route:request_duration_seconds:p95_rate5m',
      'job_route:request_duration_seconds:p99_rate5m',
    ]);
    expect(recordName(['job', 'pool_name'], 'x', 'rate1m')).toBe('job_pool_name:x:rate1m');
  });

  it('compute the hit ratio from the counters and quantiles from the buckets', () => {
    const [, hitRatio] = recording;
    expect(hitRatio?.expr).toBe(
      '(sum by (job, cache_name) (rate(cache_hits_total[5m]))) / (sum by (job, cache_name) (rate(cache_hits_total[5m])) + sum by (job, cache_name) (rate(cache_misses_total[5m])))',
    );
    expect(recording.at(-1)?.expr).toBe(
      'histogram_quantile(0.99, sum by (le, job, route) (rate(request_duration_seconds_bucket[5m])))',
    );
  });
});

describe('rule expressions', () => {
  it('read only catalog metrics', () => {
    const known = knownMetricNames();
    for (const { expr } of [...alerts, ...recording]) {
      const references = metricReferences(expr);
      expect(references.length, expr).toBeGreaterThan(0);
      for (const { name } of references) expect(known.has(name), `${name} in ${expr}`).toBe(true);
    }
  });
});

describe('rule files', () => {
  it('hold one group each', () => {
    expect(alertingRuleFile().groups.map((group) => group.name)).toEqual([ALERTING_GROUP]);
    expect(recordingRuleFile().groups.map((group) => group.name)).toEqual([RECORDING_GROUP]);
    expect(alertingRuleFile({ errorRatio: 0.2 }).groups[0]?.rules[3]?.expr).toContain('> 0.2 and');
  });

  it('render as YAML that reads back to the same rules, under a header comment', () => {
    for (const file of [alertingRuleFile(), recordingRuleFile()]) {
      const text = renderRuleFile(file);
      expect(text.startsWith(`# ${RULE_FILE_HEADER[0]}\n`)).toBe(true);
      expect(parse(text)).toEqual(JSON.parse(JSON.stringify(file)));
    }
  });

  it('render a group interval and rule labels when given', () => {
    const text = renderRuleFile(
      {
        groups: [
          { name: 'g', interval: '30s', rules: [{ record: 'a:b:c', expr: 'x', labels: { team: 'llm' } }] },
        ],
      },
      [],
    );
    expect(parse(text)).toEqual({
      groups: [
        { name: 'g', interval: '30s', rules: [{ record: 'a:b:c', expr: 'x', labels: { team: 'llm' } }] },
      ],
    });
  });
});
