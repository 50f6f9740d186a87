import { SPEC_METRICS } from '@sightglass/test-kit';
import { describe, expect, it } from 'vitest';
import { CATALOG, catalogEntries, prometheusName, prometheusType } from './catalog.js';

describe('metric catalog', () => {
  it('holds the nine spec metrics exactly as Prometheus must show them', () => {
    const exposed = catalogEntries().map((entry) => [
      prometheusName(entry),
      prometheusType(entry),
      entry.labels,
    ]);
    for (const [name, type, labels] of SPEC_METRICS) expect(exposed).toContainEqual([name, type, labels]);
  });

  it('gives every entry a valid, unique name and a description', () => {
    const names = new Set<string>();
    for (const entry of catalogEntries()) {
      expect(entry.name).toMatch(/^[a-z][a-z0-9_.]*$/);
      expect(entry.description.length).toBeGreaterThan(5);
      expect(names.has(prometheusName(entry))).toBe(false);
      names.add(prometheusName(entry));
    }
  });

  it('never uses unit "1" (OTLP translators would append _ratio)', () => {
    for (const entry of catalogEntries()) expect(entry.unit).not.toBe('1');
  });

  it('gives histograms ascending buckets, reaching LLM-length calls where a whole call is measured', () => {
    const histograms = catalogEntries().filter((entry) => entry.kind === 'histogram');
    expect(histograms.length).toBeGreaterThan(0);
    for (const entry of histograms) {
      const boundaries = entry.boundaries ?? [];
      expect([...boundaries].sort((a, b) => a - b)).toEqual(boundaries);
    }
    // Whole requests, loads and LLM operations can take a minute; the semconv-given per-token and first-chunk
    // buckets (and http.server.request.duration's) are kept as the conventions define them.
    for (const entry of [
      CATALOG.requestDurationSeconds,
      CATALOG.cacheLoadDurationSeconds,
      CATALOG.genAiClientOperationDuration,
    ]) {
      expect(Math.max(...(entry.boundaries ?? []))).toBeGreaterThanOrEqual(60);
    }
  });

  it('appends _total to counters once and replaces characters Prometheus does not allow', () => {
    expect(prometheusName({ ...CATALOG.requests, name: 'requests_total' })).toBe('requests_total');
    expect(prometheusName({ ...CATALOG.requestDurationSeconds, name: 'gen_ai.client.duration' })).toBe(
      'gen_ai_client_duration',
    );
  });

  it('is frozen so that no package can rename a metric at run time', () => {
    expect(Object.isFrozen(CATALOG)).toBe(true);
    expect(Object.isFrozen(CATALOG.requests)).toBe(true);
    expect(Object.isFrozen(CATALOG.requests.labels)).toBe(true);
  });
});
