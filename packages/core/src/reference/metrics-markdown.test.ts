import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../catalog.js';
import { renderMetricsReference } from './metrics-markdown.js';

describe('docs/metrics.md', () => {
  it('is up to date with the catalog (run `npx pnpm@10 run docs` to regenerate it)', () => {
    const onDisk = readFileSync(new URL('../../../../docs/metrics.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(renderMetricsReference());
  });

  it('lists every entry under its Prometheus name with its labels', () => {
    const markdown = renderMetricsReference();
    expect(markdown).toContain(
      '| `circuit_breaker_failures_total` | counter | `{failure}` | `breaker_name` |',
    );
    expect(markdown).toContain('- `request_duration_seconds` (s): 0.005, 0.01');
    expect(renderMetricsReference([{ ...CATALOG.requests, labels: [] }])).toContain('| — |');
  });
});
