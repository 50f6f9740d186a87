import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { ResolvedConfig } from './config.js';

type OtlpConfig = NonNullable<ResolvedConfig['otlp']>;

/**
 * The OTLP metric exporter for the protocol asked for. Each transport is imported only when used, so an
 * application that exports over HTTP never loads gRPC.
 */
export async function createOtlpExporter(config: OtlpConfig): Promise<PushMetricExporter> {
  const options = { url: config.url, headers: config.headers, timeoutMillis: config.timeoutMs };
  switch (config.protocol) {
    case 'http/json': {
      const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-http');
      return new OTLPMetricExporter(options);
    }
    case 'grpc': {
      const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-grpc');
      const { headers, ...rest } = options;
      const { Metadata } = await import('@grpc/grpc-js');
      const metadata = new Metadata();
      for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
      return new OTLPMetricExporter({ ...rest, metadata });
    }
    default: {
      const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-proto');
      return new OTLPMetricExporter(options);
    }
  }
}
