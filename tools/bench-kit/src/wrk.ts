/**
 * Load from Debian's `wrk`, in a process of its own (pinned to a core when `taskset` is there), so that the
 * load generator is never what a server benchmark measures.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether `command` can be run (a missing program is ENOENT; a usage error still means it is there). */
export function available(command: string, ...args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch (error) {
    return (error as { code?: string }).code !== 'ENOENT';
  }
}

let pinnable: boolean | undefined;

/**
 * Whether processes can be pinned to cores of their own: `taskset` and at least two cores. Decided once, on
 * the first call: a process that then pins itself to one core sees only that one, yet can still start
 * children on the others.
 */
export function canPin(): boolean {
  pinnable ??= availableParallelism() >= 2 && available('taskset', '-V');
  return pinnable;
}

/** A command line pinned to `cpu` when {@link canPin}, as it is otherwise. */
export function pinnedCommand(cpu: number, command: readonly string[]): string[] {
  return canPin() ? ['taskset', '-c', String(cpu), ...command] : [...command];
}

/** One wrk run. */
export interface WrkOptions {
  url: string;
  /** Open connections. */
  connections: number;
  durationSeconds: number;
  /** The core wrk runs on (when it can be pinned). */
  cpu?: number;
  /** The request each connection sends again and again; default a GET of `url`. */
  request?: { method: string; body: string; headers: Record<string, string> };
  /**
   * A pause in milliseconds before each connection sends its next request: a paced load (about
   * `connections × 1000 / (delayMs + latency)` requests a second) rather than as fast as the server answers.
   */
  delayMs?: number;
}

/** What a wrk run measured: completed requests and latency percentiles in milliseconds. */
export interface WrkResult {
  requests: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}

const UNIT_MS: Record<string, number> = { us: 1e-3, ms: 1, s: 1000, m: 60_000 };

function percentile(output: string, which: string): number {
  const match = new RegExp(`^\\s*${which}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output);
  if (match === null) throw new Error(`wrk printed no ${which}th percentile:\n${output}`);
  return Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? 1);
}

/** Runs wrk once; rejects when it fails or any response was not a 2xx or 3xx, or a socket failed. */
export function runWrk(options: WrkOptions): Promise<WrkResult> {
  const args = ['-t1', `-c${options.connections}`, `-d${options.durationSeconds}s`, '--latency'];
  if (options.request !== undefined || options.delayMs !== undefined) {
    args.push('-s', writeScript(options));
  }
  const command = pinnedCommand(options.cpu ?? 0, ['wrk', ...args, options.url]);
  return new Promise((resolve, reject) => {
    execFile(command[0]!, command.slice(1), (error, stdout, stderr) => {
      if (error !== null) return reject(new Error(`wrk failed: ${error.message}\n${stderr}`));
      if (/Non-2xx|Socket errors/.test(stdout)) return reject(new Error(`wrk saw errors:\n${stdout}`));
      const completed = /(\d+) requests in/.exec(stdout);
      if (completed === null) return reject(new Error(`unexpected wrk output:\n${stdout}`));
      resolve({
        requests: Number(completed[1]),
        p50Ms: percentile(stdout, '50'),
        p90Ms: percentile(stdout, '90'),
        p99Ms: percentile(stdout, '99'),
      });
    });
  });
}

/** A Lua string literal (Lua has no `\\u` escapes, so JSON's would not do for every text). */
function luaString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

/** The Lua script of a run with a request of its own or a pause (wrk's `wrk.method`/`body`/`headers`, `delay`). */
function writeScript(options: WrkOptions): string {
  const lines: string[] = [];
  if (options.request !== undefined) {
    lines.push(`wrk.method = ${luaString(options.request.method)}`);
    lines.push(`wrk.body = ${luaString(options.request.body)}`);
    for (const [name, value] of Object.entries(options.request.headers)) {
      lines.push(`wrk.headers[${luaString(name)}] = ${luaString(value)}`);
    }
  }
  if (options.delayMs !== undefined) lines.push(`function delay() return ${options.delayMs} end`);
  const file = join(mkdtempSync(join(tmpdir(), 'sightglass-wrk-')), 'request.lua');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
