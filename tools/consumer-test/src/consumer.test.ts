import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, nodeBinary, parseExposition } from '@sightglass/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMBINATIONS, type Combination } from './combinations.js';
import { warningsCausedBySightglass } from './npm-warnings.js';
import { packWorkspace } from './pack.js';

/**
 * The packages as a user gets them: packed tarballs installed with plain npm into a fresh application
 * outside the workspace, beside the user's own OpenTelemetry, on each Node.js line users run.
 */
const exec = promisify(execFile);
const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));
const INSTALL_TIMEOUT_MS = 600_000;

let tarballs: Record<string, string>;
let packDir: string;
beforeAll(async () => {
  packDir = mkdtempSync(join(tmpdir(), 'sightglass-pack-'));
  tarballs = await packWorkspace(packDir);
}, INSTALL_TIMEOUT_MS);
afterAll(() => rmSync(packDir, { recursive: true, force: true }));

describe.each(COMBINATIONS)('$name', (combination: Combination) => {
  let app: string;
  let node: string;
  let npmOutput: string;
  const npmEnv: NodeJS.ProcessEnv = {};

  const runNode = async (args: string[], env: Record<string, string> = {}) => {
    const { stdout, stderr } = await exec(node, args, {
      cwd: app,
      env: { ...process.env, ...env, NODE_OPTIONS: '' },
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { stdout, stderr };
  };

  beforeAll(async () => {
    node = nodeBinary(combination.node);
    app = mkdtempSync(join(tmpdir(), `sightglass-app-node${combination.node}-`));
    for (const file of readdirSync(FIXTURES)) copyFileSync(join(FIXTURES, file), join(app, file));
    const dependencies: Record<string, string> = { ...combination.dependencies };
    for (const [name, file] of Object.entries(tarballs)) dependencies[name] = `file:${file}`;
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'consumer-app', private: true, type: 'module', dependencies }, null, 2),
    );
    // npm run by the Node.js line under test (first on PATH), so engine checks are that line's.
    const result = await exec('npm', ['install', '--no-audit', '--no-fund', '--loglevel=warn'], {
      cwd: app,
      timeout: INSTALL_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`,
      },
    });
    npmOutput = `${result.stdout}\n${result.stderr}`;
  }, INSTALL_TIMEOUT_MS);
  afterAll(() => {
    if (app !== undefined) rmSync(app, { recursive: true, force: true });
  });

  it('installs with no resolution error and no peer or engine warning caused by our packages', async () => {
    expect(await warningsCausedBySightglass(npmOutput, app, npmEnv)).toEqual([]);
  });

  it('has exactly one copy of @opentelemetry/api, the version the application asked for', () => {
    const copies = findPackages(join(app, 'node_modules'), '@opentelemetry/api');
    expect(copies).toHaveLength(1);
    expect(copies[0]!.version).toMatch(combination.apiVersion);
  });

  it("serves the application's own counter and a Sightglass breaker in /metrics (README's lines)", async () => {
    const port = await freePort();
    const { stdout, stderr } = await runNode(['app.mjs'], { OTEL_EXPORTER_PROMETHEUS_PORT: String(port) });
    expect(stderr).not.toMatch(/sightglass|Registration of version/i);
    const seen = JSON.parse(lastLine(stdout)) as {
      exposition: string;
      healthStatus: number;
      health: { status: string; circuit_breakers: Record<string, unknown> };
      replies: string[];
      apiVersion: string;
    };
    const families = parseExposition(seen.exposition);
    expect(families.get('app_jobs_total')?.samples.map((sample) => sample.value)).toEqual([3]);
    expect(
      families.get('circuit_breaker_state')?.samples.find((sample) => sample.labels.breaker_name === 'ollama')
        ?.value,
    ).toBe(0);
    expect(families.get('cache_hits_total')?.samples[0]?.value).toBe(2);
    expect(families.get('cache_misses_total')?.samples[0]?.value).toBe(1);
    expect(
      families.get('requests_total')?.samples.find((sample) => sample.labels.route === '/ask')?.value,
    ).toBe(3);
    expect(families.has('gen_ai_client_operation_duration')).toBe(true);
    // Runtime metrics from the instrumentation-runtime-node line that npm installed beside the SDK.
    expect([...families.keys()].filter((name) => name.startsWith('v8js_')).length).toBeGreaterThan(0);
    expect(seen.healthStatus).toBe(200);
    expect(seen.health.status).toBe('healthy');
    expect(Object.keys(seen.health.circuit_breakers)).toContain('ollama');
    expect(new Set(seen.replies).size).toBe(1);
    expect(seen.apiVersion).toMatch(combination.apiVersion);
  });

  if (combination.ownSdk) {
    it("works inside the user's own NodeSDK (docs/getting-started.md's recipe)", async () => {
      const { stdout } = await runNode(['own-sdk.mjs']);
      const families = parseExposition((JSON.parse(lastLine(stdout)) as { exposition: string }).exposition);
      expect(families.get('app_jobs_total')?.samples.map((sample) => sample.value)).toEqual([2]);
      const calls = families
        .get('circuit_breaker_calls_total')
        ?.samples.filter((sample) => sample.labels.breaker_name === 'own-sdk');
      expect(calls?.map((sample) => [sample.labels.outcome, sample.value])).toContainEqual(['success', 1]);
    });
  }

  if (combination.tracing) {
    it('traces from the OTEL_* variables with startTelemetry(), on this SDK line', async () => {
      const { stdout, stderr } = await runNode(['tracing.mjs']);
      expect(stderr).not.toMatch(/sightglass|Registration of version/i);
      const seen = JSON.parse(lastLine(stdout)) as {
        names: string[];
        sameTrace: boolean;
        traceparent: string;
        traceId: string;
        ended: number;
      };
      expect(seen.names).toEqual(['child', 'parent']);
      expect(seen.sameTrace).toBe(true);
      expect(seen.traceparent).toMatch(new RegExp(`^00-${seen.traceId}-[0-9a-f]{16}-01$`));
      expect(seen.ended).toBe(500);
    });

    it("keeps a sampled request's trace as its latency bucket's exemplar, in OpenMetrics and over OTLP", async () => {
      const port = await freePort();
      const { stdout, stderr } = await runNode(['exemplars.mjs'], {
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      });
      expect(stderr).not.toMatch(/sightglass|Registration of version/i);
      const seen = JSON.parse(lastLine(stdout)) as {
        traceId: string;
        bucketLines: string[];
        otlpExemplars: Array<{ traceId: string; spanId: string; asDouble: number }>;
        serverSpans: Array<{ traceId: string; spanId: string; name: string }>;
      };
      const server = seen.serverSpans.find((span) => span.traceId === seen.traceId);
      expect(server?.name).toBe('GET /ask');
      const withExemplar = seen.bucketLines.filter((line) => line.includes(' # {'));
      expect(withExemplar).toHaveLength(1);
      expect(withExemplar[0]).toContain('route="/ask"');
      expect(withExemplar[0]).toContain(`# {trace_id="${seen.traceId}",span_id="${server?.spanId}"}`);
      expect(seen.otlpExemplars).toEqual([
        expect.objectContaining({ traceId: seen.traceId, spanId: server?.spanId }),
      ]);
      expect(seen.otlpExemplars[0]!.asDouble).toBeGreaterThan(0);
    });
  }

  it('loads every package with require() from a CommonJS application', async () => {
    const { stdout } = await runNode(['require-all.cjs']);
    const loaded = JSON.parse(lastLine(stdout)) as Record<string, string>;
    expect(Object.keys(loaded)).toHaveLength(Object.keys(tarballs).length);
    for (const kind of Object.values(loaded)) expect(['function', 'object']).toContain(kind);
  });

  it.each([
    ['nodenext', 'nodenext'],
    ['esnext', 'bundler'],
  ])('compiles with tsc --strict against the packed types (module %s, resolution %s)', async (module, resolution) => {
    const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = [tsc, '--strict', '--noEmit', '--target', 'es2022', '--module', module];
    args.push('--moduleResolution', resolution, '--types', 'node', 'types-check.ts');
    const result = await runNode(args).catch((error: { stdout?: string; stderr?: string }) => ({
      stdout: `${error.stdout ?? ''}${error.stderr ?? ''}`,
      stderr: 'failed',
    }));
    expect(result.stdout.trim()).toBe('');
    expect(result.stderr).toBe('');
  });
});

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

/** Every installed copy of a package below `modules`, with its version. */
function findPackages(modules: string, name: string): Array<{ path: string; version: string }> {
  const found: Array<{ path: string; version: string }> = [];
  const visit = (directory: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(directory);
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.startsWith('.')) continue;
      if (entry.startsWith('@')) {
        for (const scoped of readdirSync(join(directory, entry)))
          inspect(join(directory, entry, scoped), `${entry}/${scoped}`);
      } else {
        inspect(join(directory, entry), entry);
      }
    }
  };
  const inspect = (path: string, packageName: string): void => {
    if (packageName === name) {
      const manifest = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as { version: string };
      found.push({ path, version: manifest.version });
    }
    visit(join(path, 'node_modules'));
  };
  visit(modules);
  return found;
}
