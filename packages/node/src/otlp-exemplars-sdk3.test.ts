/**
 * Exemplars over OTLP on the SDK 3.x line (this package's devDependencies are the 2.x line, which the other
 * tests run): the line's packages, installed with npm as an application installs them, export through
 * OpenTelemetry's own exporters (no exemplar arrives: the "before") and through the exporter of
 * otel-otlp-internals.ts built from the line's parts, in a child process on Node.js >= 22.15; a real receiver
 * decodes every request. The canary of otel-otlp-internals.ts for this line.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type OtlpReceiver, startOtlpGrpcReceiver, startOtlpHttpReceiver } from '@sightglass/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OtlpProtocol } from './options.js';
import { SDK_LINES } from './peers.js';
import {
  comparable,
  plainExemplars,
  pointOfRoute,
  SPAN_ID,
  TRACE_ID,
} from './test-support/exemplar-fixtures.js';
import { installSdkLine, nodeForSdk3 } from './test-support/sdk-line.js';

const exec = promisify(execFile);
const PROTOCOLS: OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];
const MODES = ['stock', 'sightglass'] as const;
const receivers = new Map<string, OtlpReceiver>();
let result: { node: string; sdkMetrics: string; exporters: string[]; timeMs: number };

beforeAll(async () => {
  const line = SDK_LINES.find((candidate) => candidate.sdk === 3)!;
  const prefix = await installSdkLine(line);
  const node = nodeForSdk3();
  const targets = [];
  for (const protocol of PROTOCOLS) {
    for (const mode of MODES) {
      const receiver = await (protocol === 'grpc' ? startOtlpGrpcReceiver() : startOtlpHttpReceiver());
      receivers.set(`${protocol} ${mode}`, receiver);
      targets.push({
        protocol,
        mode,
        url: protocol === 'grpc' ? receiver.url : `${receiver.url}/v1/metrics`,
      });
    }
  }
  const { stdout } = await exec(
    node,
    ['--import', 'tsx', fileURLToPath(new URL('./test-support/sdk-line-export.ts', import.meta.url))],
    {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        SIGHTGLASS_SDK_PREFIX: prefix,
        SIGHTGLASS_TARGETS: JSON.stringify(targets),
      },
      timeout: 120_000,
    },
  );
  result = JSON.parse(stdout) as typeof result;
}, 600_000);

afterAll(async () => {
  for (const receiver of receivers.values()) await receiver.close();
});

it('runs on the 3.x line and a Node.js it supports', () => {
  expect(result.sdkMetrics).toMatch(/^3\./);
  for (const exporter of result.exporters) expect(exporter).toMatch(/@0\.3\d\d\./);
  const [major = 0, minor = 0] = result.node.slice(1).split('.').map(Number);
  expect(major > 22 || (major === 22 && minor >= 15)).toBe(true);
});

describe.each(PROTOCOLS)('SDK 3.x over %s', (protocol) => {
  it("drops the exemplars with OpenTelemetry's exporter, and sends them with ours, in the same request", () => {
    const stock = receivers.get(`${protocol} stock`)!.received[0]?.request;
    const ours = receivers.get(`${protocol} sightglass`)!.received[0]?.request;
    expect(stock).toBeDefined();
    expect(ours).toBeDefined();
    expect(plainExemplars(pointOfRoute(stock!, '/sdk-line'))).toEqual([]);
    expect(plainExemplars(pointOfRoute(ours!, '/sdk-line'))).toEqual([
      { value: 0.3, timeMs: result.timeMs, traceId: TRACE_ID, spanId: SPAN_ID },
    ]);
    expect(comparable(ours!)).toEqual(comparable(stock!));
  });
});
