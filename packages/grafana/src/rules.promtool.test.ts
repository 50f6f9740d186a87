import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promtoolBinary, promtoolCheckRules, promtoolTestRules } from '@sightglass/test-kit';
import { describe, expect, it } from 'vitest';
import { ARTIFACT_PATHS } from './generate.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const promtool = promtoolBinary();

describe.skipIf(promtool === undefined)('promtool', () => {
  it('accepts both rule files (promtool check rules)', () => {
    const files = [ARTIFACT_PATHS.alerts, ARTIFACT_PATHS.recording].map((path) => join(packageRoot, path));
    const result = promtoolCheckRules(promtool!, files);
    expect(result.ok, result.output).toBe(true);
    expect(result.output).toContain('SUCCESS: 5 rules found');
    expect(result.output).toContain('SUCCESS: 9 rules found');
  });

  it('passes the rule unit tests: each alert firing and not, each recording rule value (promtool test rules)', () => {
    const result = promtoolTestRules(promtool!, [join(packageRoot, 'rules/sightglass-rules.test.yml')]);
    expect(result.ok, result.output).toBe(true);
    expect(result.output).toContain('SUCCESS');
  });

  it('fails rule unit tests whose expectations are wrong (the check is not vacuous)', () => {
    const result = promtoolTestRules(promtool!, [
      join(packageRoot, 'src/test-support/wrong-expectation.test.yml'),
    ]);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('FAILED');
  });
});
