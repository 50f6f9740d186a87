/** Where the sum, min and max sit in a cell's values; the bucket counts follow. */
const SUM = 0;
const MIN = 1;
const MAX = 2;
const FIRST_BUCKET = 3;

/** Set by HistogramCell's static block (before any cell exists): how mergeHistograms reads a cell. */
let valuesOf: (cell: HistogramCell) => readonly number[];
let exemplarsOf: (cell: HistogramCell) => ExemplarSlots | undefined;

/**
 * A measurement kept beside the bucket it fell into, with the sampled span it was measured in: what lets a
 * backend go from a latency bucket to the trace of a request that landed in it (OpenMetrics exemplars,
 * OTLP `Exemplar`).
 */
export interface HistogramExemplar {
  /** The value recorded, in the entry's unit. */
  readonly value: number;
  /** When it was recorded, in milliseconds since the epoch. */
  readonly timeMs: number;
  /** The span's trace id: 32 lowercase hex digits. */
  readonly traceId: string;
  /** The span's id: 16 lowercase hex digits. */
  readonly spanId: string;
}

/**
 * A cell's exemplars, one slot per bucket (the last seen in that bucket, as the OpenTelemetry specification's
 * aligned-histogram reservoir keeps them), in two flat arrays so recording one allocates nothing: `numbers`
 * holds each bucket's value and time, `ids` its trace id and span id. Made on the first exemplar: a cell
 * that never sees a sampled span pays one empty field.
 */
interface ExemplarSlots {
  readonly numbers: number[];
  readonly ids: string[];
}

/** The index of the bucket `value` falls into: the first boundary it does not exceed, else the +Inf bucket. */
function bucketIndex(boundaries: readonly number[], value: number): number {
  let low = 0;
  let high = boundaries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (value <= boundaries[middle]!) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * A histogram kept as plain numbers: bucket counts, sum, min and max. Recording finds the bucket with a
 * binary search over the catalog's boundaries and increments it: tens of nanoseconds, against the
 * microsecond or so an OTel `Histogram.record` with attributes costs (it hashes the attributes every call).
 */
export class HistogramCell {
  /**
   * Sum, min, max, then `counts[i]` (values ≤ `boundaries[i]` and > the previous boundary; the last is the
   * +Inf bucket), all in one array of unboxed doubles. One array costs two heap objects per series; a
   * typed array would cost three and a backing store, and number fields would each be a boxed double once
   * they hold a fraction: with thousands of series that is most of a histogram's memory.
   */
  private readonly values: number[];
  private exemplars: ExemplarSlots | undefined = undefined;

  constructor(readonly boundaries: readonly number[]) {
    const values = new Array<number>(FIRST_BUCKET + boundaries.length + 1).fill(0);
    // Storing a non-integer turns the array into one of unboxed doubles before it is ever recorded into, so
    // recording never changes its representation (and never allocates).
    values[MIN] = Number.POSITIVE_INFINITY;
    values[MAX] = Number.NEGATIVE_INFINITY;
    this.values = values;
  }

  /** Records one value. NaN and infinities are ignored (they would poison the sum). */
  record(value: number): void {
    if (!Number.isFinite(value)) return;
    this.add(bucketIndex(this.boundaries, value), value);
  }

  /**
   * Records one value and keeps it as its bucket's exemplar, with the sampled span it was measured in (the
   * bucket's previous exemplar is replaced: the last seen is the one worth following). For callers that
   * checked the span is sampled; `record` is the path without a span. Ids that cannot be a span's (not 32
   * and 16 characters long, or all zero) are not kept; the value still is.
   */
  recordExemplar(value: number, traceId: string, spanId: string, timeMs: number = Date.now()): void {
    if (!Number.isFinite(value)) return;
    const bucket = bucketIndex(this.boundaries, value);
    this.add(bucket, value);
    if (!validIds(traceId, spanId)) return;
    let slots = this.exemplars;
    if (slots === undefined) {
      const buckets = this.boundaries.length + 1;
      // 0.5 makes `numbers` an array of unboxed doubles from the start (see `values`).
      slots = {
        numbers: new Array<number>(buckets * 2).fill(0.5),
        ids: new Array<string>(buckets * 2).fill(''),
      };
      this.exemplars = slots;
    }
    slots.numbers[bucket * 2] = value;
    slots.numbers[bucket * 2 + 1] = timeMs;
    slots.ids[bucket * 2] = traceId;
    slots.ids[bucket * 2 + 1] = spanId;
  }

  /** Each bucket's exemplar (the +Inf bucket last), `undefined` where none was kept; `[]` before the first. */
  get exemplarList(): (HistogramExemplar | undefined)[] {
    return exemplarsFrom(this.exemplars);
  }

  private add(bucket: number, value: number): void {
    const values = this.values;
    values[FIRST_BUCKET + bucket]!++;
    values[SUM]! += value;
    if (value < values[MIN]!) values[MIN] = value;
    if (value > values[MAX]!) values[MAX] = value;
  }

  /** The bucket counts, one per boundary and the +Inf bucket last (a copy). */
  get counts(): number[] {
    return this.values.slice(FIRST_BUCKET);
  }

  /** How many values were recorded. */
  get count(): number {
    let count = 0;
    for (let i = FIRST_BUCKET; i < this.values.length; i++) count += this.values[i]!;
    return count;
  }

  /** The sum of the values recorded. */
  get sum(): number {
    return this.values[SUM]!;
  }

  /** The smallest value recorded (`Infinity` before the first). */
  get min(): number {
    return this.values[MIN]!;
  }

  /** The largest value recorded (`-Infinity` before the first). */
  get max(): number {
    return this.values[MAX]!;
  }

  static {
    // mergeHistograms reads a cell's numbers without making them part of the public surface.
    valuesOf = (cell) => cell.values;
    exemplarsOf = (cell) => cell.exemplars;
  }
}

const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
const ZERO = 0x30; // '0'

/**
 * Whether the ids can be a span's: strings of the right lengths, and not the all-zero invalid ids. Not a
 * full hex check (two regular expressions would cost more than the exemplar's budget): the ids come from
 * span contexts, and the writers escape what they put in a label value anyway. The all-zero comparison
 * runs only for an id that starts with `0` (one in sixteen), because comparing 32 characters on every
 * exemplar measured about half of its cost.
 */
function validIds(traceId: string, spanId: string): boolean {
  return (
    typeof traceId === 'string' &&
    typeof spanId === 'string' &&
    traceId.length === 32 &&
    spanId.length === 16 &&
    (traceId.charCodeAt(0) !== ZERO || traceId !== ZERO_TRACE_ID) &&
    (spanId.charCodeAt(0) !== ZERO || spanId !== ZERO_SPAN_ID)
  );
}

function exemplarsFrom(slots: ExemplarSlots | undefined): (HistogramExemplar | undefined)[] {
  if (slots === undefined) return [];
  const list: (HistogramExemplar | undefined)[] = [];
  for (let bucket = 0; bucket * 2 < slots.ids.length; bucket++) {
    const traceId = slots.ids[bucket * 2]!;
    list.push(
      traceId === ''
        ? undefined
        : {
            value: slots.numbers[bucket * 2]!,
            timeMs: slots.numbers[bucket * 2 + 1]!,
            traceId,
            spanId: slots.ids[bucket * 2 + 1]!,
          },
    );
  }
  return list;
}

/** A histogram's state at a collection (several cells of one series merged). */
export interface HistogramSnapshot {
  readonly boundaries: readonly number[];
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
  readonly min: number;
  readonly max: number;
  /**
   * Each bucket's exemplar (the newest among the merged cells; the +Inf bucket last), `undefined` where none;
   * absent when no bucket has one.
   */
  readonly exemplars?: readonly (HistogramExemplar | undefined)[];
}

interface MutableHistogram {
  counts: number[];
  sum: number;
  count: number;
  min: number;
  max: number;
  exemplars?: (HistogramExemplar | undefined)[];
}

/** Merges cells of one series (and what disposed cells left) into one snapshot. */
export function mergeHistograms(
  boundaries: readonly number[],
  cells: Iterable<HistogramCell>,
  retired?: HistogramSnapshot,
): HistogramSnapshot {
  const merged: MutableHistogram = {
    counts: retired ? [...retired.counts] : new Array<number>(boundaries.length + 1).fill(0),
    sum: retired?.sum ?? 0,
    count: retired?.count ?? 0,
    min: retired?.min ?? Number.POSITIVE_INFINITY,
    max: retired?.max ?? Number.NEGATIVE_INFINITY,
  };
  if (retired?.exemplars !== undefined) merged.exemplars = [...retired.exemplars];
  const counts = merged.counts;
  for (const cell of cells) {
    const values = valuesOf(cell);
    for (let i = 0; i < counts.length; i++) {
      const bucket = values[FIRST_BUCKET + i]!;
      counts[i]! += bucket;
      merged.count += bucket;
    }
    merged.sum += values[SUM]!;
    if (values[MIN]! < merged.min) merged.min = values[MIN]!;
    if (values[MAX]! > merged.max) merged.max = values[MAX]!;
    const slots = exemplarsOf(cell);
    if (slots !== undefined) merged.exemplars = newest(merged.exemplars, exemplarsFrom(slots));
  }
  return { boundaries, ...merged };
}

/** Per bucket, the newer of two exemplar lists' entries. */
function newest(
  kept: (HistogramExemplar | undefined)[] | undefined,
  more: readonly (HistogramExemplar | undefined)[],
): (HistogramExemplar | undefined)[] {
  if (kept === undefined) return [...more];
  for (let bucket = 0; bucket < more.length; bucket++) {
    const candidate = more[bucket];
    const current = kept[bucket];
    if (candidate !== undefined && (current === undefined || candidate.timeMs >= current.timeMs)) {
      kept[bucket] = candidate;
    }
  }
  return kept;
}
