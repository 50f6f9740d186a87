import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

interface Explained {
  name: string;
  version: string;
  dependents?: Array<{ from?: Explained & { location?: string } }>;
}

/** Whether any chain of dependents from `node` up to the application passes through a Sightglass package. */
function reachedThroughSightglass(node: Explained | undefined, seen = new Set<Explained>()): boolean {
  if (node === undefined || seen.has(node)) return false;
  seen.add(node);
  if (node.name?.startsWith('@sightglass/')) return true;
  return (node.dependents ?? []).some((edge) => reachedThroughSightglass(edge.from, seen));
}

/**
 * The warnings of an `npm install` that Sightglass's packages cause: every resolution conflict
 * (`ERESOLVE`), peer warning or line naming a Sightglass package, and each engine warning
 * (`EBADENGINE`) for a package that is installed because of a Sightglass package (`npm explain` says
 * why it is there). An engine warning of the application's own dependencies (Fastify 5's on Node.js 20)
 * is the application's.
 */
export async function warningsCausedBySightglass(
  npmOutput: string,
  app: string,
  env: NodeJS.ProcessEnv,
): Promise<string[]> {
  const lines = npmOutput.split('\n');
  const caused = lines.filter((line) => /ERESOLVE|peer dep|@sightglass/i.test(line));
  for (const [index, line] of lines.entries()) {
    if (!line.includes('EBADENGINE   package:')) continue;
    const spec = /package: '([^']+)'/.exec(line)?.[1];
    if (spec === undefined) continue;
    const { stdout } = await exec('npm', ['explain', spec, '--json'], {
      cwd: app,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    const explained = JSON.parse(stdout) as Explained[];
    if (explained.some((node) => reachedThroughSightglass(node))) {
      caused.push(`${line.trim()} ${lines[index + 1]?.trim() ?? ''}`);
    }
  }
  return caused;
}
