import { spawnSync } from 'node:child_process';

/**
 * Requires `packageName` from a CommonJS script run in `cwd` (Node ≥ 20.19 loads ES modules through
 * `require()`), and returns the names the package exports, or throws with Node's output.
 */
export function requireFromCommonJs(packageName: string, cwd: string): string[] {
  const script = `const m = require(${JSON.stringify(packageName)}); process.stdout.write(JSON.stringify(Object.keys(m)));`;
  const result = spawnSync(process.execPath, ['--no-warnings', '-e', script], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`require(${packageName}) failed:\n${result.stderr}`);
  return JSON.parse(result.stdout) as string[];
}
