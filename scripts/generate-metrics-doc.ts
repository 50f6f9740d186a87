// Writes docs/metrics.md from the metric catalog: `pnpm run docs`.
import { writeFileSync } from 'node:fs';
import { renderMetricsReference } from '../packages/core/src/reference/metrics-markdown.ts';

const target = new URL('../docs/metrics.md', import.meta.url);
writeFileSync(target, renderMetricsReference());
console.log(`wrote ${target.pathname}`);
