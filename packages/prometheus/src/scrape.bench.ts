/**
 * One scrape of 2,000 label sets, each a counter and an 11-bucket histogram, as prom-client, the OTel SDK
 * with exporter-prometheus, and Sightglass render it, in the same run. Targets: Sightglass's own series
 * (from its registry, with the scope labels the default exposition has) at most prom-client's time, and at
 * most 1.2× its bytes on the wire (gzip, which Prometheus asks for on every scrape). Uncompressed, the
 * scope labels (`otel_scope_name="@sightglass/core",otel_scope_version="…"` on every line, as the
 * OpenTelemetry Prometheus compatibility rules ask) make the text longer than prom-client's; the figures
 * are printed beside it.
 */
import { gzipSync } from 'node:zlib';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { AggregationType, MeterProvider } from '@opentelemetry/sdk-metrics';
import { compareMeasured, finish } from '@sightglass/bench-kit';
import { CATALOG, createMetricGroup, type MetricDefinition, metricRegistry } from '@sightglass/core';
import client from 'prom-client';
import { createPrometheusReader } from './reader.js';

const LABEL_SETS = 2000;
const SCRAPES_PER_MEASURE = 20;
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const labels = (index: number) => ({ method: 'GET', route: `/api/items/${index}`, status: '200' });

// prom-client, as its README wires it.
const promRegistry = new client.Registry();
const promCounter = new client.Counter({
  name: 'requests_total',
  help: 'Requests served',
  labelNames: ['method', 'route', 'status'],
  registers: [promRegistry],
});
const promHistogram = new client.Histogram({
  name: 'request_duration_seconds',
  help: 'Request duration',
  labelNames: ['method', 'route', 'status'],
  buckets: BUCKETS,
  registers: [promRegistry],
});

// Sightglass's own series: the catalog's request metrics, with the benchmark's 11 buckets.
const duration: MetricDefinition = { ...CATALOG.requestDurationSeconds, boundaries: BUCKETS };
metricRegistry().setLabelGuardOptions({ maxValues: LABEL_SETS }); // every route its own series, as in prom-client
const group = createMetricGroup();

// A reader over a provider with no instruments: Sightglass's series alone.
const registryReader = createPrometheusReader();
const emptyProvider = new MeterProvider({ readers: [registryReader] });

// The OTel SDK with the application's own instruments, read by Sightglass's reader and by exporter-prometheus.
const reader = createPrometheusReader();
const exporter = new PrometheusExporter({ preventServerStart: true });
const provider = new MeterProvider({
  readers: [reader, exporter],
  views: [
    {
      instrumentName: 'app_request_duration_seconds',
      aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: BUCKETS } },
      aggregationCardinalityLimit: LABEL_SETS * 2,
    },
    { instrumentName: 'app_requests', aggregationCardinalityLimit: LABEL_SETS * 2 },
  ],
});
const meter = provider.getMeter('app');
const otelCounter = meter.createCounter('app_requests');
const otelHistogram = meter.createHistogram('app_request_duration_seconds', { unit: 's' });
const serializer = new PrometheusSerializer();

for (let index = 0; index < LABEL_SETS; index++) {
  const set = labels(index);
  promCounter.inc(set);
  promHistogram.observe(set, 0.2);
  group.counter(CATALOG.requests, set).inc();
  group.histogram(duration, set).record(0.2);
  otelCounter.add(1, set);
  otelHistogram.record(0.2, set);
}

const PROM = 'prom-client 15: registry.metrics()';
const OURS_TEXT = 'Sightglass series, text 0.0.4';
const OURS_OPENMETRICS = 'Sightglass series, OpenMetrics 1.0';
const SDK_OURS = 'OTel SDK instruments, Sightglass reader (text)';
const SDK_OTEL = 'OTel SDK instruments, exporter-prometheus 0.223';

const bytes = new Map<string, number>();
function measure(name: string, scrape: () => Promise<string>) {
  return {
    name,
    async measure(): Promise<number> {
      const started = process.hrtime.bigint();
      let text = '';
      for (let scrape_ = 0; scrape_ < SCRAPES_PER_MEASURE; scrape_++) text = await scrape();
      bytes.set(name, Buffer.byteLength(text));
      return Number(process.hrtime.bigint() - started) / SCRAPES_PER_MEASURE;
    },
  };
}

// Every Sightglass reader renders the registry too: the SDK instruments' own comparison runs after the
// group is disposed, when the registry is empty.
const result = await compareMeasured({
  title: `One scrape of ${LABEL_SETS.toLocaleString('en-US')} label sets (a counter + an 11-bucket histogram each; scope labels on)`,
  baseline: measure(PROM, () => promRegistry.metrics()),
  candidates: [
    measure(OURS_TEXT, () => registryReader.render('text')),
    measure(OURS_OPENMETRICS, () => registryReader.render('openmetrics')),
    measure(SDK_OTEL, async () => serializer.serialize((await exporter.collect()).resourceMetrics)),
  ],
  rounds: 7,
  targets: [{ case: OURS_TEXT, maxRatio: 1, description: 'a scrape at most prom-client time' }],
});
void result;
console.log('\nbytes per scrape:');
for (const [name, size] of bytes) {
  console.log(
    `- ${name}: ${(size / 1e6).toFixed(2)} MB (${(size / bytes.get(PROM)!).toFixed(2)}× prom-client's)`,
  );
}
// On the wire: Prometheus asks for gzip on every scrape, and /metrics answers gzip-encoded (what it sends is
// measured); prom-client leaves compression to the server, whose middleware uses zlib's default level too.
const promWire = gzipSync(await promRegistry.metrics()).length;
const oursWire = (await registryReader.renderGzip('openmetrics')).length;
const bytesRatio = oursWire / promWire;
console.log(
  `on the wire (gzip, as Prometheus scrapes): prom-client ${(promWire / 1e3).toFixed(0)} kB, ` +
    `Sightglass (OpenMetrics) ${(oursWire / 1e3).toFixed(0)} kB`,
);
console.log(
  `${bytesRatio <= 1.2 ? 'PASS' : 'MISS'} bytes on the wire at most 1.2× prom-client's: ratio ${bytesRatio.toFixed(3)}`,
);
if (bytesRatio > 1.2) process.exitCode = 1;
group.dispose();
await compareMeasured({
  title: 'The application’s own OTel instruments alone, same label sets',
  baseline: measure(SDK_OTEL, async () => serializer.serialize((await exporter.collect()).resourceMetrics)),
  candidates: [measure(SDK_OURS, () => reader.render('text'))],
  rounds: 7,
});
await provider.shutdown();
await emptyProvider.shutdown();
finish();
