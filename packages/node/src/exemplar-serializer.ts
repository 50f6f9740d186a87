import { type Attributes, diag, type HrTime } from '@opentelemetry/api';
import { DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

/**
 * An exemplar on a histogram data point (`point.exemplars`), shaped as the `Exemplar` type of
 * `@opentelemetry/sdk-metrics` (which has it, unexported, for exemplars it does not record yet:
 * opentelemetry-js#5147). `filteredAttributes` is not written: Sightglass's exemplars have none.
 */
export interface DataPointExemplar {
  filteredAttributes: Attributes;
  value: number;
  timestamp: HrTime;
  /** 16 hex digits. */
  spanId?: string;
  /** 32 hex digits. */
  traceId?: string;
}

/** OpenTelemetry's `ISerializer<ResourceMetrics, Response>` (`@opentelemetry/otlp-transformer`). */
export interface MetricsSerializer<Response = unknown> {
  serializeRequest(request: ResourceMetrics): Uint8Array | undefined;
  deserializeResponse(data: Uint8Array): Response;
}

/** The wire format the serializer writes. */
export type OtlpEncoding = 'protobuf' | 'json';

/** A histogram of the request whose points carry exemplars: where it sits, and each point's exemplars. */
interface Planned {
  scope: number;
  metric: number;
  name: string;
  points: Array<readonly DataPointExemplar[] | undefined>;
}

let warned = false;
function warnOnce(reason: string): void {
  if (warned) return;
  warned = true;
  diag.warn(`sightglass: OTLP metric exemplars left out of an export: ${reason}`);
}

/**
 * Wraps OpenTelemetry's metrics serializer so that the exemplars on histogram data points reach the
 * collector: neither of its serializers writes them (no `Exemplar` on its data points;
 * opentelemetry-js#5147, PR #6830 open). Its request is kept as it is and each exemplar is added to the data
 * point it belongs to: as field 8 (`exemplars`) of the `HistogramDataPoint` in protobuf (every other byte
 * copied, only the lengths of the messages around it grow), as `exemplars` in JSON (ids as hex, as the OTLP
 * JSON mapping has them). A point that already has
 * exemplars (once OpenTelemetry writes its own) keeps them; a request that does not look as expected goes
 * out unchanged, with a warning once. Never throws more than the serializer it wraps.
 */
export function withExemplars<Response>(
  serializer: MetricsSerializer<Response>,
  encoding: OtlpEncoding,
): MetricsSerializer<Response> {
  return {
    serializeRequest(request) {
      const bytes = serializer.serializeRequest(request);
      if (bytes === undefined) return bytes;
      try {
        const planned = exemplarsOf(request);
        if (planned.length === 0) return bytes;
        return encoding === 'json' ? addToJson(bytes, planned) : addToProtobuf(bytes, planned);
      } catch (error) {
        warnOnce(error instanceof Error ? error.message : String(error));
        return bytes;
      }
    },
    deserializeResponse: (data) => serializer.deserializeResponse(data),
  };
}

/** The histograms of the request with at least one point with a valid exemplar. */
function exemplarsOf(request: ResourceMetrics): Planned[] {
  const planned: Planned[] = [];
  request.scopeMetrics.forEach((scopeMetrics, scope) => {
    scopeMetrics.metrics.forEach((metricData, metric) => {
      if (metricData.dataPointType !== DataPointType.HISTOGRAM) return;
      let any = false;
      const points = metricData.dataPoints.map((point) => {
        const list = (point as { exemplars?: unknown }).exemplars;
        if (!Array.isArray(list) || list.length === 0) return undefined;
        const valid = (list as unknown[]).filter(isValidExemplar);
        if (valid.length === 0) return undefined;
        any = true;
        return valid;
      });
      if (any) planned.push({ scope, metric, name: metricData.descriptor.name, points });
    });
  });
  return planned;
}

const TRACE_ID = /^[0-9a-f]{32}$/i;
const SPAN_ID = /^[0-9a-f]{16}$/i;
const ZEROS = /^0+$/;

/** A finite value and time, and W3C trace and span ids (hex, not all zeros). */
function isValidExemplar(candidate: unknown): candidate is DataPointExemplar {
  if (typeof candidate !== 'object' || candidate === null) return false;
  const { value, timestamp, traceId, spanId } = candidate as Partial<DataPointExemplar>;
  return (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    Array.isArray(timestamp) &&
    Number.isFinite(timestamp[0]) &&
    Number.isFinite(timestamp[1]) &&
    typeof traceId === 'string' &&
    TRACE_ID.test(traceId) &&
    !ZEROS.test(traceId) &&
    typeof spanId === 'string' &&
    SPAN_ID.test(spanId) &&
    !ZEROS.test(spanId)
  );
}

function nanos(time: HrTime): bigint {
  return BigInt(Math.trunc(time[0])) * 1_000_000_000n + BigInt(Math.trunc(time[1]));
}

// ---- JSON ------------------------------------------------------------------------------------------------

type JsonObject = Record<string, unknown>;

function addToJson(bytes: Uint8Array, planned: Planned[]): Uint8Array {
  const request = JSON.parse(new TextDecoder().decode(bytes)) as JsonObject;
  const resources = request.resourceMetrics;
  if (!Array.isArray(resources) || resources.length !== 1) throw new Error('not one resourceMetrics');
  const scopes = (resources[0] as JsonObject).scopeMetrics as JsonObject[] | undefined;
  let changed = false;
  for (const { scope, metric, name, points } of planned) {
    const metricJson = (scopes?.[scope]?.metrics as JsonObject[] | undefined)?.[metric];
    const dataPoints = (metricJson?.histogram as JsonObject | undefined)?.dataPoints as
      | JsonObject[]
      | undefined;
    if (metricJson?.name !== name || dataPoints?.length !== points.length) {
      warnOnce(`the JSON request does not hold ${name} where expected`);
      continue;
    }
    points.forEach((exemplars, index) => {
      const point = dataPoints[index]!;
      if (exemplars === undefined || (Array.isArray(point.exemplars) && point.exemplars.length > 0)) return;
      point.exemplars = exemplars.map((exemplar) => ({
        timeUnixNano: nanos(exemplar.timestamp).toString(),
        asDouble: exemplar.value,
        spanId: exemplar.spanId!.toLowerCase(),
        traceId: exemplar.traceId!.toLowerCase(),
      }));
      changed = true;
    });
  }
  return changed ? new TextEncoder().encode(JSON.stringify(request)) : bytes;
}

// ---- protobuf --------------------------------------------------------------------------------------------
// Field numbers of opentelemetry/proto/{collector/metrics,metrics}/v1 (stable since OTLP 1.0).
const REQUEST_RESOURCE_METRICS = 1;
const RESOURCE_METRICS_SCOPE_METRICS = 2;
const SCOPE_METRICS_METRICS = 2;
const METRIC_NAME = 1;
const METRIC_HISTOGRAM = 9;
const HISTOGRAM_DATA_POINTS = 1;
const HISTOGRAM_DATA_POINT_EXEMPLARS = 8;

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** One field of a message: its number, wire type, where it starts (its tag) and ends, and its value's start. */
interface Field {
  number: number;
  wire: number;
  start: number;
  valueStart: number;
  end: number;
}

class MalformedError extends Error {}

function readVarint(bytes: Uint8Array, at: { pos: number }, end: number): number {
  let value = 0;
  let scale = 1;
  for (let shift = 0; shift < 64; shift += 7) {
    if (at.pos >= end) throw new MalformedError('the protobuf request ends inside a varint');
    const byte = bytes[at.pos++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 128;
  }
  throw new MalformedError('a protobuf varint is longer than 10 bytes');
}

function fieldsOf(bytes: Uint8Array, start: number, end: number): Field[] {
  const fields: Field[] = [];
  const at = { pos: start };
  while (at.pos < end) {
    const fieldStart = at.pos;
    const tag = readVarint(bytes, at, end);
    const wire = tag % 8;
    const number = Math.floor(tag / 8);
    let valueStart = at.pos;
    switch (wire) {
      case VARINT:
        readVarint(bytes, at, end);
        break;
      case FIXED64:
        at.pos += 8;
        break;
      case FIXED32:
        at.pos += 4;
        break;
      case LENGTH_DELIMITED: {
        const length = readVarint(bytes, at, end);
        valueStart = at.pos;
        at.pos += length;
        break;
      }
      default:
        throw new MalformedError(`unexpected protobuf wire type ${wire}`);
    }
    if (at.pos > end) throw new MalformedError('a protobuf field runs past its message');
    fields.push({ number, wire, start: fieldStart, valueStart, end: at.pos });
  }
  return fields;
}

function varint(value: number): number[] {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}

function lengthOf(chunks: readonly Uint8Array[]): number {
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  return total;
}

/** A length-delimited field `number` holding `content`. */
function lengthDelimited(number: number, content: readonly Uint8Array[]): Uint8Array[] {
  const head = Uint8Array.from([...varint(number * 8 + LENGTH_DELIMITED), ...varint(lengthOf(content))]);
  return [head, ...content];
}

/**
 * The content of the message in `[start, end)` with the length-delimited fields `child` that `rewrite`
 * returns new content for replaced (by their index among those fields), and `append` added at the end.
 * Everything else is copied as it is.
 */
function rewriteMessage(
  bytes: Uint8Array,
  start: number,
  end: number,
  child: number,
  rewrite: (index: number, field: Field) => Uint8Array[] | undefined,
  append: readonly Uint8Array[] = [],
): Uint8Array[] {
  const out: Uint8Array[] = [];
  let copyFrom = start;
  let index = 0;
  for (const field of fieldsOf(bytes, start, end)) {
    if (field.number !== child || field.wire !== LENGTH_DELIMITED) continue;
    const replaced = rewrite(index++, field);
    if (replaced === undefined) continue;
    if (field.start > copyFrom) out.push(bytes.subarray(copyFrom, field.start));
    out.push(...lengthDelimited(child, replaced));
    copyFrom = field.end;
  }
  if (end > copyFrom) out.push(bytes.subarray(copyFrom, end));
  out.push(...append);
  return out;
}

function addToProtobuf(bytes: Uint8Array, planned: Planned[]): Uint8Array {
  const byScope = new Map<number, Map<number, Planned>>();
  for (const entry of planned) {
    let metrics = byScope.get(entry.scope);
    if (metrics === undefined) {
      metrics = new Map();
      byScope.set(entry.scope, metrics);
    }
    metrics.set(entry.metric, entry);
  }
  const resources = fieldsOf(bytes, 0, bytes.length).filter(
    (field) => field.number === REQUEST_RESOURCE_METRICS && field.wire === LENGTH_DELIMITED,
  );
  if (resources.length !== 1) throw new MalformedError('the protobuf request holds not one ResourceMetrics');
  let changed = false;
  let found = 0;
  const content = rewriteMessage(bytes, 0, bytes.length, REQUEST_RESOURCE_METRICS, (_index, resource) =>
    rewriteMessage(bytes, resource.valueStart, resource.end, RESOURCE_METRICS_SCOPE_METRICS, (s, scope) => {
      const metrics = byScope.get(s);
      if (metrics === undefined) return undefined;
      return rewriteMessage(bytes, scope.valueStart, scope.end, SCOPE_METRICS_METRICS, (m, metric) => {
        const entry = metrics.get(m);
        if (entry === undefined) return undefined;
        found++;
        const rewritten = withPointExemplars(bytes, metric, entry);
        if (rewritten !== undefined) changed = true;
        return rewritten;
      });
    }),
  );
  if (found < planned.length) warnOnce('the protobuf request holds fewer scopes or metrics than expected');
  return changed ? concat(content) : bytes;
}

/** A Metric with each point's exemplars added; `undefined` to keep it as it is. */
function withPointExemplars(bytes: Uint8Array, metric: Field, entry: Planned): Uint8Array[] | undefined {
  const fields = fieldsOf(bytes, metric.valueStart, metric.end);
  const name = fields.find((field) => field.number === METRIC_NAME && field.wire === LENGTH_DELIMITED);
  const nameText = name && new TextDecoder().decode(bytes.subarray(name.valueStart, name.end));
  const histograms = fields.filter(
    (field) => field.number === METRIC_HISTOGRAM && field.wire === LENGTH_DELIMITED,
  );
  if (nameText !== entry.name || histograms.length !== 1) {
    warnOnce(`the protobuf request does not hold the histogram ${entry.name} where expected`);
    return undefined;
  }
  const histogram = histograms[0]!;
  const points = fieldsOf(bytes, histogram.valueStart, histogram.end).filter(
    (field) => field.number === HISTOGRAM_DATA_POINTS && field.wire === LENGTH_DELIMITED,
  );
  if (points.length !== entry.points.length) {
    warnOnce(
      `the protobuf request holds ${points.length} points of ${entry.name}, not ${entry.points.length}`,
    );
    return undefined;
  }
  let changed = false;
  const content = rewriteMessage(bytes, metric.valueStart, metric.end, METRIC_HISTOGRAM, () =>
    rewriteMessage(bytes, histogram.valueStart, histogram.end, HISTOGRAM_DATA_POINTS, (p, point) => {
      const exemplars = entry.points[p];
      if (exemplars === undefined) return undefined;
      const hasOwn = fieldsOf(bytes, point.valueStart, point.end).some(
        (field) => field.number === HISTOGRAM_DATA_POINT_EXEMPLARS,
      );
      if (hasOwn) return undefined;
      changed = true;
      return [
        bytes.subarray(point.valueStart, point.end),
        ...exemplars.flatMap((exemplar) =>
          lengthDelimited(HISTOGRAM_DATA_POINT_EXEMPLARS, [encodeExemplar(exemplar)]),
        ),
      ];
    }),
  );
  return changed ? content : undefined;
}

/**
 * An `Exemplar` message: time_unix_nano (2, fixed64), as_double (3, double), span_id (4, bytes),
 * trace_id (5, bytes).
 */
function encodeExemplar(exemplar: DataPointExemplar): Uint8Array {
  const out = new Uint8Array(46);
  const view = new DataView(out.buffer);
  out[0] = (2 << 3) | FIXED64;
  view.setBigUint64(1, BigInt.asUintN(64, nanos(exemplar.timestamp)), true);
  out[9] = (3 << 3) | FIXED64;
  view.setFloat64(10, exemplar.value, true);
  out[18] = (4 << 3) | LENGTH_DELIMITED;
  out[19] = 8;
  out.set(Buffer.from(exemplar.spanId!, 'hex'), 20);
  out[28] = (5 << 3) | LENGTH_DELIMITED;
  out[29] = 16;
  out.set(Buffer.from(exemplar.traceId!, 'hex'), 30);
  return out;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(lengthOf(chunks));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
