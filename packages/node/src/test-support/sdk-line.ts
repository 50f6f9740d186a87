/**
 * The OpenTelemetry packages of another SDK line than the one this package's devDependencies hold (2.x), for
 * tests that run Sightglass's code against them in a child process. Installed once with npm into
 * `.tools/otel-sdk-<major>` (gitignored, beside the Node.js lines of test-kit's nodeBinary), at the versions
 * peers.ts names for the line; reinstalled when those change.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NODE_TOOLS_DIR, nodeBinary } from '@sightglass/test-kit';
import type { SdkLine } from '../peers.js';

const exec = promisify(execFile);

/** The packages a metrics export of the line needs, with the line's versions. */
export function linePackages(line: SdkLine): string[] {
  return [
    `@opentelemetry/api@${line.api}`,
    `@opentelemetry/sdk-metrics@${line.sdkRange}`,
    `@opentelemetry/resources@${line.sdkRange}`,
    `@opentelemetry/exporter-metrics-otlp-proto@${line.experimental}`,
    `@opentelemetry/exporter-metrics-otlp-http@${line.experimental}`,
    `@opentelemetry/exporter-metrics-otlp-grpc@${line.experimental}`,
  ];
}

/** The folder the line is installed in (its `node_modules` inside), installing it first if needed. */
export async function installSdkLine(line: SdkLine): Promise<string> {
  const prefix = join(NODE_TOOLS_DIR, `otel-sdk-${line.sdk}`);
  const specs = linePackages(line);
  const marker = join(prefix, 'installed.json');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === JSON.stringify(specs)) return prefix;
  mkdirSync(prefix, { recursive: true });
  writeFileSync(
    join(prefix, 'package.json'),
    JSON.stringify({ name: `otel-sdk-${line.sdk}`, private: true }),
  );
  await exec('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', ...specs], {
    cwd: prefix,
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  writeFileSync(marker, JSON.stringify(specs));
  return prefix;
}

/** A Node.js the SDK 3.x line runs on (>= 22.15): this one when it is, else Node.js 22 from test-kit. */
export function nodeForSdk3(): string {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 15) ? process.execPath : nodeBinary(22);
}
