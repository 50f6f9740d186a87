import { CATALOG } from '@sightglass/core';
import { describe, expect, it } from 'vitest';
import {
  aggregate,
  DASHBOARD_SCOPE,
  eq,
  histogramQuantile,
  increase,
  labelOf,
  matches,
  metricName,
  notEq,
  promLabel,
  rate,
  ratio,
  ruleScope,
  selector,
  sumBy,
} from './promql.js';

describe('names', () => {
  it('turns OTel attribute names into Prometheus label names', () => {
    expect(promLabel('gen_ai.request.model')).toBe('gen_ai_request_model');
    expect(labelOf(CATALOG.genAiClientTokenUsage, 'gen_ai.token.type')).toBe('gen_ai_token_type');
    expect(labelOf(CATALOG.requests, 'route')).toBe('route');
  });

  it('refuses a label the catalog entry does not have', () => {
    expect(() => labelOf(CATALOG.requests, 'pool_name' as never)).toThrow(/requests has no label pool_name/);
  });

  it('names catalog metrics and histogram series as Prometheus scrapes them', () => {
    expect(metricName(CATALOG.cacheHits)).toBe('cache_hits_total');
    expect(metricName(CATALOG.requestDurationSeconds, 'bucket')).toBe('request_duration_seconds_bucket');
    expect(metricName(CATALOG.genAiClientOperationDuration, 'count')).toBe(
      'gen_ai_client_operation_duration_count',
    );
    expect(() => metricName(CATALOG.cacheHits, 'bucket')).toThrow(/cache_hits is a counter/);
  });
});

describe('expressions', () => {
  it('filters dashboard selectors by job and instance and rates over $__rate_interval', () => {
    expect(selector('up', DASHBOARD_SCOPE)).toBe('up{job=~"$job", instance=~"$instance"}');
    expect(rate('requests_total', DASHBOARD_SCOPE, [eq('status', '200')])).toBe(
      'rate(requests_total{job=~"$job", instance=~"$instance", status="200"}[$__rate_interval])',
    );
  });

  it('leaves rule selectors bare and uses the rule window', () => {
    const scope = ruleScope('5m');
    expect(selector('up', scope)).toBe('up');
    expect(increase('requests_total', scope, [matches('status', '5..')])).toBe(
      'increase(requests_total{status=~"5.."}[5m])',
    );
    expect(selector('up', scope, [notEq('error_type', '')])).toBe('up{error_type!=""}');
  });

  it('aggregates, takes quantiles and ratios', () => {
    expect(sumBy([], 'x')).toBe('sum(x)');
    expect(aggregate('max', ['a', 'b'], 'x')).toBe('max by (a, b) (x)');
    expect(histogramQuantile(0.9, 'h_bucket', ['route'], ruleScope('1m'))).toBe(
      'histogram_quantile(0.9, sum by (le, route) (rate(h_bucket[1m])))',
    );
    expect(ratio('a', 'b + c')).toBe('(a) / (b + c)');
  });
});
