import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ARTIFACT_PATHS, GENERATE_COMMAND, generateArtifacts, renderArtifacts } from './generate.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

describe('the committed dashboard and rule files', () => {
  it.each(Object.values(ARTIFACT_PATHS))('%s is up to date with the generator', (path) => {
    const committed = readFileSync(join(packageRoot, path), 'utf8');
    const generated = renderArtifacts()[path];
    expect(
      committed === generated,
      `${path} is stale: regenerate it with \`${GENERATE_COMMAND}\` and commit the result`,
    ).toBe(true);
  });
});

describe('generateArtifacts', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'sightglass-grafana-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('writes the dashboard and both rule files under a directory', () => {
    const written = generateArtifacts(outDir);
    expect(written).toEqual(Object.values(ARTIFACT_PATHS).map((path) => join(outDir, path)));
    const dashboard = JSON.parse(readFileSync(join(outDir, ARTIFACT_PATHS.dashboard), 'utf8'));
    expect(dashboard.uid).toBe('sightglass');
    expect(readFileSync(join(outDir, ARTIFACT_PATHS.alerts), 'utf8')).toContain('alert: CircuitBreakerOpen');
    expect(readFileSync(join(outDir, ARTIFACT_PATHS.recording), 'utf8')).toContain(
      'record: job_route:requests:rate5m',
    );
  });
});
