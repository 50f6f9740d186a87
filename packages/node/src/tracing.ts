import {
  context,
  diag,
  type ProxyTracerProvider,
  propagation,
  type TextMapPropagator,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { Sampler, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { withSpanExportReporting } from './export-reporting.js';
import { apiGlobals } from './otel-api-internals.js';
import { createOtlpTraceExporter } from './otlp-trace-exporter.js';
import { importPeer } from './peers.js';
import type { ResolvedTracingConfig } from './trace-config.js';

type SdkTrace = typeof import('@opentelemetry/sdk-trace');
type Core = typeof import('@opentelemetry/core');
type ContextAsyncHooks = typeof import('@opentelemetry/context-async-hooks');

/** What {@link loadTracing} imported and built: nothing is started or registered yet. */
export interface LoadedTracing {
  config: ResolvedTracingConfig;
  sdk: SdkTrace;
  /** Only when a context manager is to be registered. */
  contextAsyncHooks: ContextAsyncHooks | undefined;
  /** Only when propagators are to be registered. */
  core: Core | undefined;
  exporters: Array<{ exporter: SpanExporter; name: string; timeoutMs: number }>;
  registerGlobally: boolean;
}

/** Tracing as started: the provider, and how to flush and stop it. */
export interface StartedTracing {
  readonly tracerProvider: TracerProvider;
  /** Rejects when a span processor does; the caller bounds and reports. */
  forceFlush(timeoutMs: number): Promise<void>;
  /** Shuts the provider down, exporting what is queued; rejects when a processor does (the caller bounds it). */
  shutdown(): Promise<void>;
  /** Unregisters what this start registered, if it is still registered. */
  unregister(): void;
}

/**
 * Whether the process already has a global TracerProvider (the application's own NodeSDK, or
 * `@opentelemetry/auto-instrumentations-node/register`). The API cannot tell; it refuses a second one.
 */
export function hasGlobalTracerProvider(): boolean {
  return apiGlobals()?.trace !== undefined;
}

const stable = (line: { sdkRange: string }): string => line.sdkRange;

/**
 * Imports the optional peers tracing needs and builds its exporters, before anything starts, so that a
 * missing package fails the start with nothing left behind. The context manager and propagator packages are
 * only loaded when there is nothing registered to keep.
 *
 * @throws SightglassError `ERR_SIGHTGLASS_MISSING_DEPENDENCY` naming the package to install.
 */
export async function loadTracing(
  config: ResolvedTracingConfig,
  registerGlobally: boolean,
): Promise<LoadedTracing> {
  const sdk = await importPeer<SdkTrace>('@opentelemetry/sdk-trace', 'tracing', stable);
  const contextAsyncHooks =
    registerGlobally && apiGlobals()?.context === undefined
      ? await importPeer<ContextAsyncHooks>(
          '@opentelemetry/context-async-hooks',
          'tracing (the context manager)',
          stable,
        )
      : undefined;
  const core =
    registerGlobally && config.propagators.length > 0 && apiGlobals()?.propagation === undefined
      ? await importPeer<Core>('@opentelemetry/core', 'tracing (the W3C propagators)', stable)
      : undefined;
  const exporters: LoadedTracing['exporters'] = [];
  if (config.otlp) {
    const { origin, pathname } = new URL(config.otlp.url); // no credentials or query in the log lines
    exporters.push({
      exporter: await createOtlpTraceExporter(config.otlp),
      name: `OTLP trace export to ${origin}${pathname}`,
      timeoutMs: config.otlp.timeoutMs,
    });
  }
  if (config.console) {
    exporters.push({
      exporter: new sdk.ConsoleSpanExporter(),
      name: 'console trace export',
      timeoutMs: config.batch.exportTimeoutMs,
    });
  }
  return { config, sdk, contextAsyncHooks, core, exporters, registerGlobally };
}

function createSampler(sdk: SdkTrace, sampler: ResolvedTracingConfig['sampler']): Sampler {
  const root =
    sampler.ratio >= 1
      ? new sdk.AlwaysOnSampler()
      : sampler.ratio <= 0
        ? new sdk.AlwaysOffSampler()
        : new sdk.TraceIdRatioBasedSampler(sampler.ratio);
  return sampler.parentBased ? new sdk.ParentBasedSampler({ root }) : root;
}

function createPropagator(core: Core, names: ResolvedTracingConfig['propagators']): TextMapPropagator {
  const propagators = names.map((name) =>
    name === 'tracecontext' ? new core.W3CTraceContextPropagator() : new core.W3CBaggagePropagator(),
  );
  return propagators.length === 1 ? propagators[0]! : new core.CompositePropagator({ propagators });
}

/**
 * Builds the TracerProvider (sampler, one BatchSpanProcessor per exporter) and registers it globally with
 * the context manager and propagator, each only where none is registered: what the application registered
 * first is kept. Never throws for a registration the API refuses; it says so through `diag`.
 */
export function startTracing(loaded: LoadedTracing, resource: Resource): StartedTracing {
  const { config, sdk } = loaded;
  const spanProcessors: SpanProcessor[] = loaded.exporters.map(
    ({ exporter, name, timeoutMs }) =>
      new sdk.BatchSpanProcessor({
        // The wrapper answers every export within timeoutMs and reports failures once per kind; the
        // processor's own timer (not unref'd, and reported on every batch) is only a backstop behind it.
        exporter: withSpanExportReporting(exporter, { name, timeoutMs }),
        exportTimeoutMillis: Math.max(config.batch.exportTimeoutMs, timeoutMs + 1000),
        scheduledDelayMillis: config.batch.scheduleDelayMs,
        maxQueueSize: config.batch.maxQueueSize,
        maxExportBatchSize: config.batch.maxExportBatchSize,
      }),
  );
  const provider = new sdk.TracerProvider({
    resource,
    sampler: createSampler(sdk, config.sampler),
    spanProcessors,
  });

  let contextManager: { disable(): unknown } | undefined;
  let propagator: TextMapPropagator | undefined;
  let registeredProvider = false;
  if (loaded.registerGlobally) {
    if (loaded.contextAsyncHooks) {
      const manager = new loaded.contextAsyncHooks.AsyncLocalStorageContextManager();
      if (context.setGlobalContextManager(manager.enable())) contextManager = manager;
      else manager.disable();
    }
    if (loaded.core) {
      const composite = createPropagator(loaded.core, config.propagators);
      if (propagation.setGlobalPropagator(composite)) propagator = composite;
    }
    registeredProvider = trace.setGlobalTracerProvider(provider);
    if (!registeredProvider) {
      diag.warn('sightglass: another global TracerProvider was already registered; it is kept');
    }
  }

  const unregister = (): void => {
    // Only what this start registered, and only if it is still the one registered.
    if (
      registeredProvider &&
      (trace.getTracerProvider() as ProxyTracerProvider).getDelegate?.() === provider
    ) {
      trace.disable();
    }
    registeredProvider = false;
    if (contextManager && apiGlobals()?.context === contextManager) context.disable();
    contextManager = undefined;
    if (propagator && apiGlobals()?.propagation === propagator) propagation.disable();
    propagator = undefined;
  };

  return {
    tracerProvider: provider,
    // The exporters' wrappers answer within the timeout; the provider's own timer is only a backstop behind
    // them (it would report a hanging collector a second time).
    forceFlush: (timeoutMs) => provider.forceFlush({ timeoutMillis: timeoutMs + 1000 }),
    shutdown: () => provider.shutdown(),
    unregister,
  };
}
