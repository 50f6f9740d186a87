// Regenerates the committed dashboard and rule files: `npx pnpm@10 --filter @sightglass/grafana generate`.
import { fileURLToPath } from 'node:url';
import { generateArtifacts } from './generate.js';

for (const path of generateArtifacts(fileURLToPath(new URL('..', import.meta.url))))
  console.log(`wrote ${path}`);
