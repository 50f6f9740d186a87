import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { alertingRuleFile } from './alerting-rules.js';
import { buildDashboard } from './dashboard.js';
import { formatJson } from './json-format.js';
import { recordingRuleFile } from './recording-rules.js';
import { renderRuleFile } from './rule-file.js';

/** Where the generated files live, relative to the package (and to `generateArtifacts()`' `outDir`). */
export const ARTIFACT_PATHS = Object.freeze({
  dashboard: 'dashboards/sightglass.json',
  alerts: 'rules/sightglass-alerts.yml',
  recording: 'rules/sightglass-recording.yml',
} as const);

/** The command that regenerates the committed files. */
export const GENERATE_COMMAND = 'npx pnpm@10 --filter @sightglass/grafana generate';

/** The generated files' contents by path: the dashboard JSON and both rule files, with default options. */
export function renderArtifacts(): Record<string, string> {
  return {
    [ARTIFACT_PATHS.dashboard]: formatJson(buildDashboard()),
    [ARTIFACT_PATHS.alerts]: renderRuleFile(alertingRuleFile()),
    [ARTIFACT_PATHS.recording]: renderRuleFile(recordingRuleFile()),
  };
}

/**
 * Writes `dashboards/sightglass.json`, `rules/sightglass-alerts.yml` and `rules/sightglass-recording.yml`
 * under `outDir`; returns the paths written.
 */
export function generateArtifacts(outDir: string): string[] {
  return Object.entries(renderArtifacts()).map(([path, content]) => {
    const target = join(outDir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    return target;
  });
}
