import { createRequire } from 'node:module';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { ResolvedConfig } from './config.js';
import { importPeer } from './peers.js';

type OtlpConfig = NonNullable<ResolvedConfig['otlp']>;

/**
 * The OTLP metric exporter for the protocol asked for. Each transport is an optional peer dependency,
 * imported only when used, so an application that exports over HTTP never installs or loads gRPC.
 *
 * @throws SightglassError `ERR_SIGHTGLASS_MISSING_DEPENDENCY` naming the package (and the version line that
 *   matches the installed SDK) when the exporter for the protocol is not installed.
 */
export async function createOtlpExporter(config: OtlpConfig): Promise<PushMetricExporter> {
  const options = { url: config.url, headers: config.headers, timeoutMillis: config.timeoutMs };
  switch (config.protocol) {
    case 'http/json': {
      const { OTLPMetricExporter } = await importPeer<
        typeof import('@opentelemetry/exporter-metrics-otlp-http')
      >('@opentelemetry/exporter-metrics-otlp-http', `OTLP export over ${config.protocol}`);
      return new OTLPMetricExporter(options);
    }
    case 'grpc': {
      const exporterName = '@opentelemetry/exporter-metrics-otlp-grpc';
      const { OTLPMetricExporter } = await importPeer<
        typeof import('@opentelemetry/exporter-metrics-otlp-grpc')
      >(exporterName, `OTLP export over ${config.protocol}`);
      const { headers, ...rest } = options;
      const metadata = grpcMetadata<
        NonNullable<NonNullable<ConstructorParameters<typeof OTLPMetricExporter>[0]>['metadata']>
      >(exporterName, headers);
      return new OTLPMetricExporter({ ...rest, metadata });
    }
    default: {
      const { OTLPMetricExporter } = await importPeer<
        typeof import('@opentelemetry/exporter-metrics-otlp-proto')
      >('@opentelemetry/exporter-metrics-otlp-proto', `OTLP export over ${config.protocol}`);
      return new OTLPMetricExporter(options);
    }
  }
}

/**
 * Headers as gRPC metadata of the exporter's own @grpc/grpc-js (its dependency, not ours): a Metadata of
 * another copy would not be recognised.
 */
export function grpcMetadata<Metadata>(exporterName: string, headers: Record<string, string>): Metadata {
  const fromExporter = createRequire(createRequire(import.meta.url).resolve(exporterName));
  const { Metadata } = fromExporter('@grpc/grpc-js') as {
    Metadata: new () => { set(key: string, value: string): void };
  };
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  return metadata as Metadata;
}
