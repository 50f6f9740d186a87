import { run } from './binaries.js';

/** What promtool said about rule files: whether it passed, and its output (stdout and stderr). */
export interface PromtoolRulesResult {
  readonly ok: boolean;
  readonly output: string;
}

function result(outcome: { status: number | null; stdout: string; stderr: string }): PromtoolRulesResult {
  return { ok: outcome.status === 0, output: `${outcome.stdout}\n${outcome.stderr}`.trim() };
}

/** `promtool check rules`: checks rule files' syntax, their PromQL, and rule names. */
export function promtoolCheckRules(binary: string, ruleFiles: readonly string[]): PromtoolRulesResult {
  return result(run(binary, ['check', 'rules', ...ruleFiles]));
}

/**
 * `promtool test rules`: runs rule unit tests (input series, expected alerts and recorded samples). The
 * `rule_files` a test file names are resolved against that test file's directory.
 */
export function promtoolTestRules(binary: string, testFiles: readonly string[]): PromtoolRulesResult {
  return result(run(binary, ['test', 'rules', ...testFiles]));
}
