import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@sightglass/test-kit';

/** A gateway process started from the built `dist/main.js`, as a replica runs in production. */
export interface Replica {
  readonly child: ChildProcess;
  /** Its API (and `/metrics`, `/health`) base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Whether it is still running (it did not crash). */
  alive(): boolean;
  /** SIGTERM, then waits for it to exit; resolves with its exit code (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
}

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/**
 * Starts `node dist/main.js --port 0` with `env` (OLLAMA_URL, CACHE_URL…) and waits until it listens and its
 * warm-up pass is done (so its start-up traffic to Ollama is over). Run after `pnpm build`.
 */
export async function startReplica(env: Record<string, string>, args: string[] = []): Promise<Replica> {
  const child = spawn(process.execPath, [MAIN, '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const alive = () => child.exitCode === null && child.signalCode === null;
  try {
    const url = await waitFor('the replica to listen and warm up', async () => {
      if (!alive()) throw new Error(`the replica exited: ${output}`);
      return output.includes('warmed ') ? /POST (http:\S+)\/v1\/chat/.exec(output)?.[1] : undefined;
    });
    return {
      child,
      url,
      output: () => output,
      alive,
      async stop(graceMs = 5000) {
        if (!alive()) return child.exitCode;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}
