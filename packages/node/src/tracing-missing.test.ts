/** Tracing when `@opentelemetry/sdk-trace` is not installed: refused when asked for by option, skipped by variable. */
import { trace } from '@opentelemetry/api';
import { ErrorCode, SightglassError } from '@sightglass/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTelemetry, type Telemetry } from './start-telemetry.js';

vi.mock('./peers.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./peers.js')>();
  return {
    ...original,
    importPeer: async (
      name: string,
      feature: string,
      versionFor?: Parameters<typeof original.importPeer>[2],
    ) => {
      if (name === '@opentelemetry/sdk-trace') {
        throw new SightglassError(
          ErrorCode.MISSING_DEPENDENCY,
          `${feature} needs ${name}, which is not installed: npm install ${name}@^2.12.0`,
        );
      }
      return original.importPeer(name, feature, versionFor);
    },
  };
});

const started: Telemetry[] = [];
afterEach(async () => {
  for (const telemetry of started.splice(0)) await telemetry.shutdown();
});
const base = { runtimeMetrics: false, healthMetrics: false, prometheus: false } as const;

describe('tracing without @opentelemetry/sdk-trace installed', () => {
  it('fails the start with MISSING_DEPENDENCY when the tracing option asks for it', async () => {
    await expect(startTelemetry({ ...base, env: {}, tracing: true })).rejects.toMatchObject({
      code: ErrorCode.MISSING_DEPENDENCY,
      message: expect.stringContaining('npm install @opentelemetry/sdk-trace@'),
    });
    started.push(await startTelemetry({ ...base, env: {} })); // nothing was left half-started
  });

  it('starts without tracing, with a process warning, when only OTEL_TRACES_EXPORTER asks for it', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const telemetry = await startTelemetry({ ...base, env: { OTEL_TRACES_EXPORTER: 'otlp' } });
      started.push(telemetry);
      expect(telemetry.tracerProvider).toBeUndefined();
      expect(trace.getTracer('t').startSpan('noop').isRecording()).toBe(false);
      await vi.waitFor(() => expect(warnings.join('\n')).toContain('starting without tracing'));
    } finally {
      process.off('warning', onWarning);
    }
  });
});
