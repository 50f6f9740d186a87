/**
 * Run in a child process by otlp-exemplars-sdk3.test.ts (`node --import tsx`): one export per target, each by
 * a MeterProvider and periodic reader of the SDK line installed in `SIGHTGLASS_SDK_PREFIX`, with Sightglass's
 * producer, through OpenTelemetry's own OTLP exporter of that line (`stock`) or the one built from its parts
 * (`sightglass`). Records an exemplar first; prints the line's versions and what it recorded as JSON.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { OtlpProtocol } from '../options.js';
import { createExemplarMetricExporter, METRIC_EXPORTER_PACKAGES } from '../otel-otlp-internals.js';
import { resolvePackage } from '../peers.js';
import { createMetricProducer } from '../producer.js';
import { recordExemplar } from './exemplar-fixtures.js';

interface Target {
  protocol: OtlpProtocol;
  url: string;
  mode: 'stock' | 'sightglass';
}

const prefix = process.env.SIGHTGLASS_SDK_PREFIX!;
const targets = JSON.parse(process.env.SIGHTGLASS_TARGETS!) as Target[];
const from = createRequire(join(prefix, 'package.json'));
const sdk = from('@opentelemetry/sdk-metrics') as typeof import('@opentelemetry/sdk-metrics');
const { resourceFromAttributes } = from(
  '@opentelemetry/resources',
) as typeof import('@opentelemetry/resources');
const version = (name: string) => resolvePackage(name, from)?.version;

const timeMs = Date.now() - 1000;
recordExemplar('/sdk-line', 0.3, timeMs);
for (const target of targets) {
  const exporterPackage = METRIC_EXPORTER_PACKAGES[target.protocol];
  const exporter: PushMetricExporter =
    target.mode === 'stock'
      ? new (
          from(exporterPackage) as { OTLPMetricExporter: new (config: object) => PushMetricExporter }
        ).OTLPMetricExporter({ url: target.url })
      : createExemplarMetricExporter(target.protocol, { url: target.url }, from);
  const provider = new sdk.MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'sdk-line' }),
    readers: [
      new sdk.PeriodicExportingMetricReader({
        exporter,
        exportIntervalMillis: 60_000,
        metricProducers: [createMetricProducer()],
      }),
    ],
  });
  provider.getMeter('app', '1.0.0').createCounter('app_requests').add(3, { kind: 'test' });
  await provider.forceFlush();
  await provider.shutdown();
}
process.stdout.write(
  JSON.stringify({
    node: process.version,
    sdkMetrics: version('@opentelemetry/sdk-metrics'),
    exporters: Object.values(METRIC_EXPORTER_PACKAGES).map((name) => `${name}@${version(name)}`),
    timeMs,
  }),
);
