import { ErrorCode, SightglassError } from '@sightglass/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadRuntimeMetrics } from './runtime.js';

const MISSING = '@opentelemetry/instrumentation-runtime-node-missing';

afterEach(() => vi.restoreAllMocks());

describe('loadRuntimeMetrics', () => {
  it('loads the installed instrumentation', async () => {
    const module = await loadRuntimeMetrics(true);
    expect(typeof module?.RuntimeNodeInstrumentation).toBe('function');
  });

  it('fails when runtime metrics were asked for and the package is missing, naming the version to install', async () => {
    const error = await loadRuntimeMetrics(true, MISSING).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SightglassError);
    expect((error as SightglassError).code).toBe(ErrorCode.MISSING_DEPENDENCY);
    expect((error as Error).message).toContain(`npm install ${MISSING}@~0.36.1`);
  });

  it('skips default runtime metrics with a process warning when the package is missing', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    expect(await loadRuntimeMetrics(false, MISSING)).toBeUndefined();
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('or turn them off with runtimeMetrics: false'),
      {
        code: 'SIGHTGLASS_RUNTIME_METRICS_SKIPPED',
      },
    );
  });
});
