/** Where the sum, min and max sit in a cell's values; the bucket counts follow. */
const SUM = 0;
const MIN = 1;
const MAX = 2;
const FIRST_BUCKET = 3;

/** Set by HistogramCell's static block (before any cell exists): how mergeHistograms reads a cell. */
let valuesOf: (cell: HistogramCell) => readonly number[];

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
    const boundaries = this.boundaries;
    let low = 0;
    let high = boundaries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (value <= boundaries[middle]!) high = middle;
      else low = middle + 1;
    }
    const values = this.values;
    values[FIRST_BUCKET + low]!++;
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
  }
}

/** A histogram's state at a collection (several cells of one series merged). */
export interface HistogramSnapshot {
  readonly boundaries: readonly number[];
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
  readonly min: number;
  readonly max: number;
}

interface MutableHistogram {
  counts: number[];
  sum: number;
  count: number;
  min: number;
  max: number;
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
  }
  return { boundaries, ...merged };
}
