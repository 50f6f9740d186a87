import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary, run } from './binaries.js';
import { freePort, waitFor } from './ports.js';

/** A real Prometheus server started for a test on 127.0.0.1. */
export interface RunningPrometheus {
  readonly url: string;
  /** Runs an instant query; returns the API's `data.result`. */
  query(expression: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** The scrape targets' health as the API reports them. */
  targets(): Promise<Array<{ health: string; lastError: string; scrapeUrl: string }>>;
  /**
   * The exemplars stored for the series `expression` selects between `startSec` and `endSec` (seconds
   * since the epoch), as `/api/v1/query_exemplars` returns them; empty unless Prometheus was started
   * with `enableFeatures: ['exemplar-storage']`.
   */
  queryExemplars(expression: string, startSec: number, endSec: number): Promise<PrometheusExemplars[]>;
  /** Every loaded rule with its last evaluation's health (`ok`, `err`, `unknown`) and error. */
  rules(): Promise<Array<{ name: string; type: string; health: string; lastError?: string }>>;
  stop(): Promise<void>;
}

/** One series' exemplars, as `/api/v1/query_exemplars` returns them. */
export interface PrometheusExemplars {
  seriesLabels: Record<string, string>;
  /** `value` as Prometheus writes it (a string); `timestamp` in seconds since the epoch. */
  exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }>;
}

/** Options of {@link startPrometheus}. */
export interface StartPrometheusOptions {
  /** Rule files to load (evaluated every second). */
  ruleFiles?: readonly string[];
  /**
   * Feature flags to turn on, each passed as `--enable-feature=<name>` (e.g. `exemplar-storage`, which
   * keeps up to `storage.exemplars.max_exemplars`, 100,000 by default, exemplars in memory).
   */
  enableFeatures?: readonly string[];
}

/** The prometheus binary, or undefined (skipped locally; an error under CI). */
export function prometheusBinary(): string | undefined {
  return requireBinary('prometheus', 'prometheus');
}

/** The promtool binary, or undefined (skipped locally; an error under CI). */
export function promtoolBinary(): string | undefined {
  return requireBinary('promtool', 'prometheus');
}

/**
 * Starts Debian's Prometheus with a scrape config for `targets` (host:port), a 1 s scrape and rule
 * evaluation interval, the given rule files and feature flags, and a temporary storage path, and waits
 * until it is ready.
 */
export async function startPrometheus(
  binary: string,
  targets: readonly string[],
  metricsPath = '/metrics',
  options: StartPrometheusOptions = {},
): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'sightglass-prom-'));
  const port = await freePort();
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    ...(options.ruleFiles?.length
      ? ['rule_files:', ...options.ruleFiles.map((file) => `  - '${file}'`)]
      : []),
    'scrape_configs:',
    '  - job_name: sightglass-test',
    `    metrics_path: ${metricsPath}`,
    '    static_configs:',
    `      - targets: [${targets.map((target) => `'${target}'`).join(', ')}]`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      ...(options.enableFeatures ?? []).map((feature) => `--enable-feature=${feature}`),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor('Prometheus to become ready', async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
      const response = await fetch(`${url}/-/ready`);
      return response.ok ? true : undefined;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    async query(expression) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expression)}`);
      const body = (await response.json()) as { status: string; error?: string; data: { result: never } };
      if (body.status !== 'success') throw new Error(`query ${expression} failed: ${body.error}`);
      return body.data.result;
    },
    async targets() {
      const response = await fetch(`${url}/api/v1/targets`);
      const body = (await response.json()) as { data: { activeTargets: never } };
      return body.data.activeTargets;
    },
    async queryExemplars(expression, startSec, endSec) {
      const parameters = new URLSearchParams({
        query: expression,
        start: String(startSec),
        end: String(endSec),
      });
      const response = await fetch(`${url}/api/v1/query_exemplars?${parameters}`);
      const body = (await response.json()) as { status: string; error?: string; data: never };
      if (body.status !== 'success') throw new Error(`query_exemplars ${expression} failed: ${body.error}`);
      return body.data;
    },
    async rules() {
      const response = await fetch(`${url}/api/v1/rules`);
      const body = (await response.json()) as { data: { groups: Array<{ rules: never[] }> } };
      return body.data.groups.flatMap((group) => group.rules);
    },
    stop,
  };
}

/** Lints an exposition with `promtool check metrics`; returns its findings (empty when clean). */
export function promtoolCheckMetrics(binary: string, exposition: string): string[] {
  const result = run(binary, ['check', 'metrics'], exposition);
  const findings = `${result.stdout}\n${result.stderr}`
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  if (result.status !== 0 && findings.length === 0) findings.push(`promtool exited ${result.status}`);
  return findings;
}
