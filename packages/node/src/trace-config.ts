import { ErrorCode, SightglassError } from '@sightglass/core';
import {
  configError,
  nonEmpty,
  otlpProtocol,
  otlpUrl,
  parseHeaders,
  positiveCount,
  positiveMs,
} from './config-values.js';
import type { OtlpProtocol, TelemetryOptions, TracePropagator, TracingOptions } from './options.js';

/** The exporter names `OTEL_TRACES_EXPORTER` may list. */
export const KNOWN_TRACE_EXPORTERS = ['otlp', 'console', 'none'] as const;
/** The samplers `OTEL_TRACES_SAMPLER` may name. */
export const KNOWN_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
const PROPAGATORS: readonly TracePropagator[] = ['tracecontext', 'baggage'];

/** Tracing with every default and environment variable applied, and every value checked. */
export interface ResolvedTracingConfig {
  otlp:
    | { url: string; protocol: OtlpProtocol; headers: Record<string, string>; timeoutMs: number }
    | undefined;
  console: boolean;
  /** The sampler, as `OTEL_TRACES_SAMPLER` would name it, with its ratio (1 for always_on, 0 for always_off). */
  sampler: { name: (typeof KNOWN_SAMPLERS)[number]; ratio: number; parentBased: boolean };
  batch: {
    scheduleDelayMs: number;
    exportTimeoutMs: number;
    maxQueueSize: number;
    maxExportBatchSize: number;
  };
  propagators: TracePropagator[];
  /** Names in `OTEL_PROPAGATORS` that Sightglass does not install (`b3`, `jaeger`, ...): warned about, left out. */
  ignoredPropagators: string[];
}

/** The exporters `OTEL_TRACES_EXPORTER` lists, or `undefined` when it is not set. */
export function traceExportersFromEnv(value: string | undefined): Set<string> | undefined {
  const raw = nonEmpty(value);
  if (raw === undefined) return undefined;
  const names = raw
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name.length > 0);
  for (const name of names) {
    if (!(KNOWN_TRACE_EXPORTERS as readonly string[]).includes(name)) {
      throw new SightglassError(
        ErrorCode.UNKNOWN_EXPORTER,
        `OTEL_TRACES_EXPORTER names "${name}"; Sightglass knows ${KNOWN_TRACE_EXPORTERS.join(', ')}`,
      );
    }
  }
  return new Set(names.filter((name) => name !== 'none'));
}

function ratioFrom(value: unknown, what: string): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number) || number < 0 || number > 1) {
    throw configError(`${what} must be a number from 0 to 1, got ${JSON.stringify(value)}`);
  }
  return number;
}

/** The sampler `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` describe (default `parentbased_always_on`). */
export function samplerFromEnv(
  sampler: string | undefined,
  arg: string | undefined,
): { ratio: number; parentBased: boolean } {
  const name = (nonEmpty(sampler) ?? 'parentbased_always_on').toLowerCase();
  if (!(KNOWN_SAMPLERS as readonly string[]).includes(name)) {
    throw configError(
      `OTEL_TRACES_SAMPLER must be one of ${KNOWN_SAMPLERS.join(', ')}, got ${JSON.stringify(sampler)}`,
    );
  }
  const parentBased = name.startsWith('parentbased_');
  const root = parentBased ? name.slice('parentbased_'.length) : name;
  if (root === 'always_on') return { ratio: 1, parentBased };
  if (root === 'always_off') return { ratio: 0, parentBased };
  const raw = nonEmpty(arg);
  return { ratio: raw === undefined ? 1 : ratioFrom(raw, 'OTEL_TRACES_SAMPLER_ARG'), parentBased };
}

function samplerName(ratio: number, parentBased: boolean): ResolvedTracingConfig['sampler']['name'] {
  const root = ratio === 1 ? 'always_on' : ratio === 0 ? 'always_off' : 'traceidratio';
  return parentBased ? `parentbased_${root}` : root;
}

/** The propagators `OTEL_PROPAGATORS` lists (default `tracecontext,baggage`), and the names left out. */
export function propagatorsFromEnv(value: string | undefined): {
  propagators: TracePropagator[];
  ignored: string[];
} {
  const names = (nonEmpty(value) ?? 'tracecontext,baggage')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name.length > 0);
  if (names.includes('none')) return { propagators: [], ignored: [] };
  const propagators = PROPAGATORS.filter((name) => names.includes(name));
  return { propagators, ignored: [...new Set(names.filter((name) => !propagators.includes(name as never)))] };
}

function fromOptionOrEnv<T>(
  option: unknown,
  optionName: string,
  env: Record<string, string | undefined>,
  variables: string[],
  parse: (value: unknown, what: string) => T,
  fallback: T,
): T {
  if (option !== undefined) return parse(option, optionName);
  for (const variable of variables) {
    const raw = nonEmpty(env[variable]);
    if (raw !== undefined) return parse(raw, variable);
  }
  return fallback;
}

/**
 * Tracing from `options.tracing` and the environment, or `undefined` when it is off: `tracing: false`, or no
 * `tracing` option and `OTEL_TRACES_EXPORTER` unset or `none`. Options win over variables, one by one.
 */
export function resolveTracingConfig(
  options: TelemetryOptions,
  env: Record<string, string | undefined>,
  shutdownTimeoutMs: number,
): ResolvedTracingConfig | undefined {
  if (options.tracing === false) return undefined;
  if (options.tracing !== undefined && options.tracing !== true && typeof options.tracing !== 'object') {
    throw configError(`tracing must be true, false or an object, got ${JSON.stringify(options.tracing)}`);
  }
  const fromEnv = traceExportersFromEnv(env.OTEL_TRACES_EXPORTER);
  if (options.tracing === undefined && (fromEnv === undefined || fromEnv.size === 0)) return undefined;
  const given: TracingOptions =
    options.tracing === true || options.tracing === undefined ? {} : options.tracing;
  // The spec's default exporter, once tracing is asked for.
  const exporters = fromEnv ?? new Set(['otlp']);
  const enabled = (name: string, option: object | boolean | undefined): boolean =>
    option === undefined ? exporters.has(name) : option !== false;

  const batchOptions = given.batch ?? {};
  const maxQueueSize = fromOptionOrEnv(
    batchOptions.maxQueueSize,
    'tracing.batch.maxQueueSize',
    env,
    ['OTEL_BSP_MAX_QUEUE_SIZE'],
    positiveCount,
    2048,
  );
  const maxExportBatchSize = fromOptionOrEnv(
    batchOptions.maxExportBatchSize,
    'tracing.batch.maxExportBatchSize',
    env,
    ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE'],
    positiveCount,
    Math.min(512, maxQueueSize),
  );
  if (maxExportBatchSize > maxQueueSize) {
    throw configError(
      `the export batch size (${maxExportBatchSize}, tracing.batch.maxExportBatchSize or ` +
        `OTEL_BSP_MAX_EXPORT_BATCH_SIZE) must be at most the queue size (${maxQueueSize})`,
    );
  }
  const batch = {
    scheduleDelayMs: fromOptionOrEnv(
      batchOptions.scheduleDelayMs,
      'tracing.batch.scheduleDelayMs',
      env,
      ['OTEL_BSP_SCHEDULE_DELAY'],
      positiveMs,
      5000,
    ),
    exportTimeoutMs: fromOptionOrEnv(
      batchOptions.exportTimeoutMs,
      'tracing.batch.exportTimeoutMs',
      env,
      ['OTEL_BSP_EXPORT_TIMEOUT'],
      positiveMs,
      30_000,
    ),
    maxQueueSize,
    maxExportBatchSize,
  };

  let otlp: ResolvedTracingConfig['otlp'];
  if (enabled('otlp', given.otlp)) {
    const otlpOptions = given.otlp || {};
    const protocol = otlpProtocol(
      otlpOptions.protocol ??
        nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ??
        nonEmpty(env.OTEL_EXPORTER_OTLP_PROTOCOL) ??
        'http/protobuf',
      otlpOptions.protocol !== undefined ? 'tracing.otlp.protocol' : 'OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL',
    );
    const timeoutMs = fromOptionOrEnv(
      otlpOptions.timeoutMs,
      'tracing.otlp.timeoutMs',
      env,
      ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT'],
      positiveMs,
      10_000,
    );
    otlp = {
      url: otlpUrl(otlpOptions.url, 'tracing.otlp.url', protocol, 'traces', env),
      protocol,
      headers: otlpOptions.headers ?? {
        ...parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS, 'OTEL_EXPORTER_OTLP_HEADERS'),
        ...parseHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'),
      },
      // An export must not outlive shutdown(), or a hanging collector would hold the process open after it.
      timeoutMs: Math.min(timeoutMs, batch.exportTimeoutMs, shutdownTimeoutMs),
    };
  }

  const needsEnvSampler = given.sampleRatio === undefined || given.parentBased === undefined;
  const envSampler = needsEnvSampler
    ? samplerFromEnv(env.OTEL_TRACES_SAMPLER, env.OTEL_TRACES_SAMPLER_ARG)
    : undefined;
  const ratio =
    given.sampleRatio !== undefined ? ratioFrom(given.sampleRatio, 'tracing.sampleRatio') : envSampler!.ratio;
  if (given.parentBased !== undefined && typeof given.parentBased !== 'boolean') {
    throw configError(`tracing.parentBased must be a boolean, got ${JSON.stringify(given.parentBased)}`);
  }
  const parentBased = given.parentBased ?? envSampler!.parentBased;

  let propagators: TracePropagator[];
  let ignoredPropagators: string[] = [];
  if (given.propagators !== undefined) {
    if (!Array.isArray(given.propagators)) {
      throw configError(`tracing.propagators must be an array, got ${JSON.stringify(given.propagators)}`);
    }
    for (const name of given.propagators) {
      if (!PROPAGATORS.includes(name)) {
        throw configError(
          `tracing.propagators may hold ${PROPAGATORS.join(', ')}, got ${JSON.stringify(name)}`,
        );
      }
    }
    propagators = [...new Set(given.propagators)];
  } else {
    const parsed = propagatorsFromEnv(env.OTEL_PROPAGATORS);
    propagators = parsed.propagators;
    ignoredPropagators = parsed.ignored;
  }

  return {
    otlp,
    console: enabled('console', given.console),
    sampler: { name: samplerName(ratio, parentBased), ratio, parentBased },
    batch,
    propagators,
    ignoredPropagators,
  };
}
