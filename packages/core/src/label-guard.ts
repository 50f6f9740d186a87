import { ErrorCode, SightglassError } from './errors.js';

/** The value a label collapses into once its metric has seen too many distinct values. */
export const OVERFLOW_LABEL_VALUE = 'other';

/** Bounds on the values of one label of one metric. */
export interface LabelGuardOptions {
  /** Longest value kept; longer values are cut to this many characters. Default 128. */
  maxLength?: number;
  /** Distinct values kept; values first seen after this many become {@link OVERFLOW_LABEL_VALUE}. Default 100. */
  maxValues?: number;
}

/**
 * Keeps one label's values bounded, so that an unbounded input (a route, a model name) can never grow the
 * number of series, and so memory, without limit. Values already admitted stay admitted.
 */
export class LabelGuard {
  private maxLength = 128;
  private maxValues = 100;
  private readonly admitted = new Set<string>();

  constructor(options: LabelGuardOptions = {}) {
    this.configure(options);
  }

  /** Changes the bounds. Values admitted so far stay admitted; the new bounds apply to values seen next. */
  configure(options: LabelGuardOptions): void {
    const maxLength = positiveInteger(options.maxLength ?? 128, 'maxLength');
    const maxValues = positiveInteger(options.maxValues ?? 100, 'maxValues');
    this.maxLength = maxLength;
    this.maxValues = maxValues;
  }

  /** The value to report for `raw`: itself, cut to `maxLength`, or `other` once the budget is spent. */
  value(raw: string): string {
    const value = raw.length > this.maxLength ? raw.slice(0, this.maxLength) : raw;
    if (this.admitted.has(value)) return value;
    if (this.admitted.size >= this.maxValues) return OVERFLOW_LABEL_VALUE;
    this.admitted.add(value);
    return value;
  }

  /** How many distinct values were admitted. */
  get size(): number {
    return this.admitted.size;
  }
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new SightglassError(ErrorCode.INVALID_ARGUMENT, `${what} must be a positive integer, got ${value}`);
  }
  return value;
}
