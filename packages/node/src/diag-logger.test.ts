import { type DiagLogFunction, type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hasDiagLogger, installDiagLogger } from './diag-logger.js';
import { API_GLOBAL_KEY, type ApiGlobals, apiGlobals } from './otel-api-internals.js';
import { startTelemetry } from './start-telemetry.js';

// Hoisted above the imports by vitest, so it runs before them: DiagConsoleLogger keeps the console methods
// it finds when @opentelemetry/api loads.
const consoleSpies = vi.hoisted(() => ({
  warn: vi.spyOn(console, 'warn').mockImplementation(() => {}),
  info: vi.spyOn(console, 'info').mockImplementation(() => {}),
  debug: vi.spyOn(console, 'debug').mockImplementation(() => {}),
}));

function applicationLogger() {
  const log = () => vi.fn<DiagLogFunction>();
  return { error: log(), warn: log(), info: log(), debug: log(), verbose: log() } satisfies DiagLogger;
}

afterEach(() => {
  diag.disable();
  for (const spy of Object.values(consoleSpies)) spy.mockClear();
});

describe('the upstream internal diag-logger.ts reads (canary)', () => {
  it('is where @opentelemetry/api registers the diag logger, and removes it on disable()', () => {
    diag.setLogger(applicationLogger(), DiagLogLevel.ERROR);
    expect(apiGlobals()?.diag).toBeDefined();
    expect(hasDiagLogger()).toBe(true);
    diag.disable();
    expect(apiGlobals()?.diag).toBeUndefined();
    expect(hasDiagLogger()).toBe(false);
  });
});

describe('installDiagLogger', () => {
  it('prints diag messages to the console at the level asked for, until removed', () => {
    const remove = installDiagLogger(DiagLogLevel.WARN);
    expect(hasDiagLogger()).toBe(true);
    diag.warn('sightglass test: shown');
    diag.info('sightglass test: below the level');
    expect(consoleSpies.warn).toHaveBeenCalledWith('sightglass test: shown');
    expect(consoleSpies.info).not.toHaveBeenCalled();
    remove();
    expect(hasDiagLogger()).toBe(false);
    diag.warn('sightglass test: removed');
    expect(consoleSpies.warn).toHaveBeenCalledTimes(1);
  });

  it("keeps an application's own diag logger, and leaves it in place when removed", () => {
    const own = applicationLogger();
    diag.setLogger(own, DiagLogLevel.INFO);
    const before = apiGlobals()?.diag;
    const remove = installDiagLogger(DiagLogLevel.ALL);
    expect(apiGlobals()?.diag).toBe(before);
    diag.info('sightglass test: to the application');
    diag.debug('sightglass test: below the application level');
    expect(own.info).toHaveBeenCalledWith('sightglass test: to the application');
    expect(own.debug).not.toHaveBeenCalled();
    expect(own.warn).not.toHaveBeenCalled(); // no "will be overwritten" notice either
    expect(consoleSpies.info).not.toHaveBeenCalled();
    remove();
    expect(apiGlobals()?.diag).toBe(before);
  });

  it('leaves a logger the application registered after it, when removed', () => {
    const remove = installDiagLogger(DiagLogLevel.INFO);
    const own = applicationLogger();
    diag.setLogger(own, { logLevel: DiagLogLevel.INFO, suppressOverrideMessage: true });
    remove();
    diag.info('sightglass test: still the application');
    expect(own.info).toHaveBeenCalledWith('sightglass test: still the application');
  });

  it('installs nothing when the API globals belong to an incompatible copy of the API', () => {
    const globals = globalThis as { [API_GLOBAL_KEY]?: ApiGlobals };
    const saved = globals[API_GLOBAL_KEY];
    globals[API_GLOBAL_KEY] = { version: '0.0.1' };
    try {
      const remove = installDiagLogger(DiagLogLevel.INFO);
      expect(globals[API_GLOBAL_KEY]).toEqual({ version: '0.0.1' });
      remove();
      expect(globals[API_GLOBAL_KEY]).toEqual({ version: '0.0.1' });
    } finally {
      globals[API_GLOBAL_KEY] = saved;
    }
  });
});

describe('startTelemetry and OTEL_LOG_LEVEL', () => {
  const start = (env: Record<string, string>) =>
    startTelemetry({ env, prometheus: false, runtimeMetrics: false, healthMetrics: false });

  it('installs the console logger and removes it on shutdown', async () => {
    const telemetry = await start({ OTEL_LOG_LEVEL: 'debug' });
    expect(hasDiagLogger()).toBe(true);
    expect(consoleSpies.debug).toHaveBeenCalledWith(
      expect.stringContaining('Registered a global for metrics'),
    );
    await telemetry.shutdown();
    expect(hasDiagLogger()).toBe(false);
  });

  it('installs nothing when OTEL_LOG_LEVEL is not set', async () => {
    const telemetry = await start({});
    expect(hasDiagLogger()).toBe(false);
    await telemetry.shutdown();
  });

  it("keeps the application's logger through start and shutdown", async () => {
    const own = applicationLogger();
    diag.setLogger(own, DiagLogLevel.DEBUG);
    const before = apiGlobals()?.diag;
    const telemetry = await start({ OTEL_LOG_LEVEL: 'all' });
    expect(apiGlobals()?.diag).toBe(before);
    await telemetry.shutdown();
    expect(apiGlobals()?.diag).toBe(before);
    expect(own.debug).toHaveBeenCalled(); // the SDK's registration messages, at the application's level
    expect(own.verbose).not.toHaveBeenCalled();
    expect(consoleSpies.debug).not.toHaveBeenCalled();
  });

  it('removes the logger again when starting fails', async () => {
    await expect(
      startTelemetry({
        env: { OTEL_LOG_LEVEL: 'info' },
        runtimeMetrics: false,
        views: [{ name: 'renamed' }],
      }),
    ).rejects.toThrow(expect.objectContaining({ code: 'ERR_SIGHTGLASS_INVALID_CONFIG' }));
    expect(hasDiagLogger()).toBe(false);
  });

  it('refuses an unknown OTEL_LOG_LEVEL before installing anything', async () => {
    await expect(start({ OTEL_LOG_LEVEL: 'loud' })).rejects.toThrow(/OTEL_LOG_LEVEL must be one of/);
    expect(hasDiagLogger()).toBe(false);
  });
});
