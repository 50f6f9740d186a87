/**
 * A quantile estimated from histogram bucket counts the way Prometheus' `histogram_quantile` does it:
 * find the bucket holding the rank, then interpolate linearly inside it (from 0 for the first bucket).
 * A rank in the `+Inf` bucket answers the highest finite boundary, as Prometheus does.
 *
 * @param boundaries - upper bounds of the finite buckets, ascending
 * @param counts - observations per bucket (not cumulative); one more than `boundaries`, the last is `+Inf`
 * @param quantile - between 0 and 1
 * @returns the estimate, or `null` when there are no observations
 */
export function bucketQuantile(
  boundaries: readonly number[],
  counts: readonly number[],
  quantile: number,
): number | null {
  let total = 0;
  for (const count of counts) total += count;
  if (total <= 0) return null;
  const rank = quantile * total;
  let below = 0;
  for (let index = 0; index < counts.length; index++) {
    const count = counts[index]!;
    if (count > 0 && below + count >= rank) {
      if (index >= boundaries.length) return boundaries[boundaries.length - 1] ?? null;
      const lower = index === 0 ? 0 : boundaries[index - 1]!;
      const upper = boundaries[index]!;
      return lower + (upper - lower) * ((rank - below) / count);
    }
    below += count;
  }
  return boundaries[boundaries.length - 1] ?? null;
}

/** `current - earlier`, bucket by bucket, never below zero (a series that went away). */
export function subtractCounts(current: readonly number[], earlier: readonly number[]): number[] {
  return current.map((count, index) => Math.max(0, count - (earlier[index] ?? 0)));
}
