import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const PACKAGES = fileURLToPath(new URL('../../../packages', import.meta.url));

/**
 * Packs every publishable package with `pnpm pack` (which turns `workspace:` ranges into the versions a
 * registry install sees) into `destination`. Returns each package's tarball by name.
 */
export async function packWorkspace(destination: string): Promise<Record<string, string>> {
  const tarballs: Record<string, string> = {};
  for (const directory of readdirSync(PACKAGES)) {
    const root = join(PACKAGES, directory);
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      private?: boolean;
    };
    if (manifest.private) continue;
    await exec('npx', ['-y', 'pnpm@10', 'pack', '--pack-destination', destination], {
      cwd: root,
      timeout: 120_000,
    });
    const file = `${manifest.name.replace('@', '').replace('/', '-')}-${manifest.version}.tgz`;
    tarballs[manifest.name] = join(destination, file);
  }
  return tarballs;
}
