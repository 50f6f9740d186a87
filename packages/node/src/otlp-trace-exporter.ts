import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { grpcMetadata } from './otlp.js';
import { importPeer } from './peers.js';
import type { ResolvedTracingConfig } from './trace-config.js';

type TraceOtlpConfig = NonNullable<ResolvedTracingConfig['otlp']>;

/**
 * The OTLP span exporter for the protocol asked for. Each transport is an optional peer dependency, imported
 * only when used. The exporter still reads what Sightglass does not pass from the environment itself
 * (`OTEL_EXPORTER_OTLP_(TRACES_)COMPRESSION`, certificates, ...).
 *
 * @throws SightglassError `ERR_SIGHTGLASS_MISSING_DEPENDENCY` naming the package (and the version line that
 *   matches the installed SDK) when the exporter for the protocol is not installed.
 */
export async function createOtlpTraceExporter(config: TraceOtlpConfig): Promise<SpanExporter> {
  const options = { url: config.url, headers: config.headers, timeoutMillis: config.timeoutMs };
  const feature = `OTLP trace export over ${config.protocol}`;
  switch (config.protocol) {
    case 'http/json': {
      const { OTLPTraceExporter } = await importPeer<
        typeof import('@opentelemetry/exporter-trace-otlp-http')
      >('@opentelemetry/exporter-trace-otlp-http', feature);
      return new OTLPTraceExporter(options);
    }
    case 'grpc': {
      const exporterName = '@opentelemetry/exporter-trace-otlp-grpc';
      const { OTLPTraceExporter } = await importPeer<
        typeof import('@opentelemetry/exporter-trace-otlp-grpc')
      >(exporterName, feature);
      const { headers, ...rest } = options;
      const metadata = grpcMetadata<
        NonNullable<NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>['metadata']>
      >(exporterName, headers);
      return new OTLPTraceExporter({ ...rest, metadata });
    }
    default: {
      const { OTLPTraceExporter } = await importPeer<
        typeof import('@opentelemetry/exporter-trace-otlp-proto')
      >('@opentelemetry/exporter-trace-otlp-proto', feature);
      return new OTLPTraceExporter(options);
    }
  }
}
