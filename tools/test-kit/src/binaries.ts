import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The absolute path of an executable on PATH (or at an absolute path), or undefined. */
export function findBinary(name: string): string | undefined {
  const candidates = name.includes('/')
    ? [name]
    : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Finds a binary a test needs. Under CI a missing binary fails the run loudly (CI must install it); on a
 * developer's machine the test is skipped with a message naming the Debian package that provides it.
 */
export function requireBinary(name: string, debianPackage: string): string | undefined {
  const path = findBinary(name);
  if (path !== undefined) return path;
  const message = `${name} not found: install it with "apt-get install -y ${debianPackage}"`;
  if (process.env.CI) throw new Error(`${message} (required under CI)`);
  console.warn(`SKIPPING: ${message}`);
  return undefined;
}

/** Runs a command to completion with the given stdin; returns its exit code and output. */
export function run(
  command: string,
  args: readonly string[],
  input?: string,
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { input, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
