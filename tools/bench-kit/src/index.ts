/**
 * Benchmarks as ratios: every case is measured in the same run as its baseline, and reported as its cost
 * relative to the baseline, so figures compare across machines. Targets are checked on ratios only.
 */
import { Bench } from 'tinybench';

/** One measured operation. `fn` may do `opsPerCall` operations per call to amortise timer overhead. */
export interface BenchCase {
  name: string;
  fn: () => unknown;
  /** Operations one call of `fn` performs (a loop inside `fn`). Default 1. */
  opsPerCall?: number;
}

/** A target on one case's ratio to the baseline (candidate cost / baseline cost). */
export interface RatioTarget {
  /** The case's name. */
  case: string;
  /** The largest acceptable ratio; e.g. 0.1 for "at least 10× cheaper", 1.10 for "at most 10% overhead". */
  maxRatio: number;
  /** What the target means, printed beside it. */
  description: string;
}

/** One case's figures. */
export interface CaseResult {
  name: string;
  nsPerOp: number;
  opsPerSecond: number;
  /** Cost relative to the baseline: < 1 is cheaper. */
  ratio: number;
}

/** A comparison: the baseline first, then the candidates, and the targets they are held to. */
export interface Comparison {
  title: string;
  baseline: BenchCase;
  candidates: BenchCase[];
  targets?: RatioTarget[];
  /** Measuring time per case and round in milliseconds. Default 500. */
  timeMs?: number;
  /**
   * Rounds: every case is measured once per round, in alternating order, and each case's figure is its
   * median over the rounds, so that drift (GC, another process, CPU frequency) does not favour one case.
   * Default 5.
   */
  rounds?: number;
}

/** What {@link compare} found. */
export interface ComparisonResult {
  title: string;
  results: CaseResult[];
  targets: Array<RatioTarget & { ratio: number; met: boolean }>;
}

const failures: string[] = [];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs a comparison, prints its table and targets, and returns the figures. */
export async function compare(comparison: Comparison): Promise<ComparisonResult> {
  const cases = [comparison.baseline, ...comparison.candidates];
  const rounds = comparison.rounds ?? 5;
  const samples = new Map<string, number[]>(cases.map((benchCase) => [benchCase.name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? cases : [...cases].reverse();
    const bench = new Bench({ time: comparison.timeMs ?? 500, warmupTime: 100 });
    for (const benchCase of order) bench.add(benchCase.name, benchCase.fn);
    await bench.run();
    for (const benchCase of order) {
      const result = bench.getTask(benchCase.name)?.result;
      if (result?.state !== 'completed')
        throw new Error(`benchmark case "${benchCase.name}" did not complete`);
      samples.get(benchCase.name)!.push((result.latency.p50 * 1e6) / (benchCase.opsPerCall ?? 1));
    }
  }
  return summarize(comparison.title, comparison.baseline.name, samples, comparison.targets);
}

/**
 * Turns per-round samples (ns per operation, one per round, case by case) into results, prints them and
 * checks the targets. The ratio is the median of per-round ratios: a case is compared with the baseline
 * measured in the same round, so a slow phase of the machine affects both sides of each ratio alike.
 */
function summarize(
  title: string,
  baselineName: string,
  samples: Map<string, number[]>,
  targetList: RatioTarget[] = [],
): ComparisonResult {
  const baselineSamples = samples.get(baselineName)!;
  const results = [...samples].map(([name, own]) => {
    const ns = median(own);
    const ratio = median(own.map((value, round) => value / baselineSamples[round]!));
    return { name, nsPerOp: ns, opsPerSecond: 1e9 / ns, ratio };
  });
  const targets = targetList.map((target) => {
    const ratio = results.find((result) => result.name === target.case)?.ratio ?? Number.NaN;
    return { ...target, ratio, met: ratio <= target.maxRatio };
  });
  print(title, results, targets);
  for (const target of targets) if (!target.met) failures.push(`${title}: ${target.description}`);
  return { title, results, targets };
}

function print(title: string, results: CaseResult[], targets: ComparisonResult['targets']): void {
  console.log(`\n## ${title}\n`);
  console.log('| case | ns/op (median) | ops/s | ratio to baseline |');
  console.log('|---|---:|---:|---:|');
  results.forEach((result, index) => {
    const ratio =
      index === 0
        ? '1 (baseline)'
        : result.ratio <= 1
          ? `${result.ratio.toFixed(3)} (${(1 / result.ratio).toFixed(1)}× cheaper)`
          : `${result.ratio.toFixed(3)} (+${((result.ratio - 1) * 100).toFixed(1)}% cost)`;
    console.log(
      `| ${result.name} | ${result.nsPerOp.toFixed(1)} | ${Math.round(result.opsPerSecond).toLocaleString('en-US')} | ${ratio} |`,
    );
  });
  for (const target of targets) {
    console.log(
      `${target.met ? 'PASS' : 'MISS'} ${target.description}: ratio ${target.ratio.toFixed(3)} (limit ${target.maxRatio})`,
    );
  }
}

/** A case measured by its own function (a load test), which returns the cost of one operation in ns. */
export interface MeasuredCase {
  name: string;
  /** Runs one measurement and returns nanoseconds per operation (for a throughput: 1e9 / ops per second). */
  measure: () => Promise<number>;
}

/**
 * Like {@link compare}, for cases that measure themselves (a load generator in another process): rounds in
 * alternating order, the ratio as the median of per-round ratios to the baseline.
 */
export async function compareMeasured(comparison: {
  title: string;
  baseline: MeasuredCase;
  candidates: MeasuredCase[];
  targets?: RatioTarget[];
  rounds?: number;
}): Promise<ComparisonResult> {
  const cases = [comparison.baseline, ...comparison.candidates];
  const rounds = comparison.rounds ?? 3;
  const samples = new Map<string, number[]>(cases.map((measured) => [measured.name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? cases : [...cases].reverse();
    for (const measured of order) samples.get(measured.name)!.push(await measured.measure());
  }
  return summarize(comparison.title, comparison.baseline.name, samples, comparison.targets);
}

/**
 * For cases measured at the same time, in one round (servers sharing a CPU under simultaneous load):
 * `measureRound` returns every case's nanoseconds per operation for that round. Each ratio is the median of
 * per-round ratios, and as the cases ran side by side, a slow moment of the machine slows every case alike.
 */
export async function compareSimultaneous(comparison: {
  title: string;
  baseline: string;
  candidates: string[];
  measureRound: () => Promise<Record<string, number>>;
  targets?: RatioTarget[];
  rounds?: number;
}): Promise<ComparisonResult> {
  const names = [comparison.baseline, ...comparison.candidates];
  const samples = new Map<string, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < (comparison.rounds ?? 5); round++) {
    const measured = await comparison.measureRound();
    for (const name of names) {
      const value = measured[name];
      if (value === undefined) throw new Error(`round ${round} did not measure "${name}"`);
      samples.get(name)!.push(value);
    }
  }
  return summarize(comparison.title, comparison.baseline, samples, comparison.targets);
}

/** Sets a failing exit code if any target was missed (call once, at the end of a bench file). */
export function finish(): void {
  if (failures.length > 0) {
    console.error(`\nTargets missed:\n- ${failures.join('\n- ')}`);
    process.exitCode = 1;
  }
}
export { available, canPin, pinnedCommand, runWrk, type WrkOptions, type WrkResult } from './wrk.js';
