/**
 * Pure statistics for the report: no I/O, no clocks, no formatting.
 *
 * Every function takes finite numbers and never returns NaN or Infinity: where a
 * figure does not exist (no values, one value, a zero divisor) it returns null, and
 * says so. Units pass through unchanged: milliseconds in, milliseconds out.
 */

import type {
  Concurrency,
  Distribution,
  HistogramBin,
  LatencyPercentiles,
} from "./report/model.js";

/**
 * Minimum modified Z-score for a value to count as an outlier, as in hyperfine: 1.4826
 * turns the MAD into an estimate of the standard deviation, and 10 is the number of
 * standard deviations.
 */
export const OUTLIER_THRESHOLD = 1.4826 * 10;

/** Σ of the values, in their unit; 0 for no values. */
export function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** Arithmetic mean, in the values' unit; null for no values. */
export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : sum(values) / values.length;
}

/**
 * Sample standard deviation (divides by n − 1), in the values' unit; null for fewer than
 * two values, where it is undefined.
 */
export function stddev(values: readonly number[]): number | null {
  const m = mean(values);
  if (m === null || values.length < 2) return null;
  // Two passes: summing squared deviations from the mean avoids the cancellation of
  // the Σx² − n·mean² shortcut when the spread is small against the values.
  let squares = 0;
  for (const value of values) squares += (value - m) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}

/** Middle value (the mean of the two middle ones for an even count); null for no values. */
export function median(values: readonly number[]): number | null {
  return quantile(values, 0.5);
}

/**
 * The q-quantile (0 ≤ q ≤ 1) by linear interpolation between the closest ranks: numpy's
 * default (`method="linear"`, type 7 of Hyndman and Fan). Position h = (n − 1)·q; the
 * result is x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋ + 1] − x[⌊h⌋]) over the sorted values.
 *
 * The values need not be sorted: sorted input is used as it is, anything else is sorted
 * in a copy. In the values' unit; null for no values.
 *
 * @throws {RangeError} when q is not within [0, 1].
 */
export function quantile(values: readonly number[], q: number): number | null {
  if (!(q >= 0 && q <= 1)) {
    throw new RangeError(`Expected \`q\` to be a number from 0 to 1, got ${q}`);
  }
  if (values.length === 0) return null;
  return quantileOfSorted(ascending(values), q);
}

/** Mean ± sample standard deviation, median, min and max; null for no values. */
export function distribution(values: readonly number[]): Distribution | null {
  const m = mean(values);
  if (m === null) return null;
  const sorted = ascending(values);
  return {
    mean: m,
    stddev: stddev(values),
    median: quantileOfSorted(sorted, 0.5),
    min: at(sorted, 0),
    max: at(sorted, sorted.length - 1),
  };
}

/** p50, p90, p99 (numpy's linear method, as `quantile`), min and max; null for no values. */
export function latencyPercentiles(values: readonly number[]): LatencyPercentiles | null {
  if (values.length === 0) return null;
  const sorted = ascending(values);
  return {
    p50: quantileOfSorted(sorted, 0.5),
    p90: quantileOfSorted(sorted, 0.9),
    p99: quantileOfSorted(sorted, 0.99),
    min: at(sorted, 0),
    max: at(sorted, sorted.length - 1),
  };
}

/**
 * Counts of the values in `bins` equal-width bins from the smallest value to the largest, each
 * bin `[fromMs, toMs)` but the last, which includes the largest. In the values' unit; empty for
 * no values, one bin when every value is the same.
 *
 * @throws {RangeError} when bins is not a whole number from 1 up.
 */
export function histogram(values: readonly number[], bins: number): HistogramBin[] {
  if (!(Number.isInteger(bins) && bins >= 1)) {
    throw new RangeError(`Expected \`bins\` to be a whole number from 1 and up, got ${bins}`);
  }
  if (values.length === 0) return [];
  const sorted = ascending(values);
  const low = at(sorted, 0);
  const high = at(sorted, sorted.length - 1);
  if (high === low) return [{ fromMs: low, toMs: high, count: values.length }];
  const size = (high - low) / bins;
  const result = Array.from({ length: bins }, (_, i) => ({
    fromMs: low + i * size,
    toMs: i === bins - 1 ? high : low + (i + 1) * size,
    count: 0,
  }));
  for (const value of values) {
    const bin = result[Math.min(bins - 1, Math.floor((value - low) / size))];
    if (bin !== undefined) bin.count += 1;
  }
  return result;
}

/**
 * The shortest wall time any scheduler could reach for requests of these latencies with at
 * most `concurrency` in flight: max(max t, Σt / c), with `"all"` as c = ∞ (so just the
 * slowest request). In milliseconds; 0 for no latencies.
 *
 * @throws {RangeError} when concurrency is neither `"all"` nor a number from 1 up.
 */
export function boundMs(latencies: readonly number[], concurrency: Concurrency): number {
  if (concurrency !== "all" && !(concurrency >= 1 && Number.isFinite(concurrency))) {
    throw new RangeError(
      `Expected \`concurrency\` to be a number from 1 and up or "all", got ${concurrency}`,
    );
  }
  let slowest = 0;
  for (const latency of latencies) slowest = Math.max(slowest, latency);
  if (concurrency === "all") return slowest;
  return Math.max(slowest, sum(latencies) / concurrency);
}

/** A measured quantity: its mean and its standard deviation (null when unknown). */
export interface MeanAndStddev {
  mean: number;
  stddev: number | null;
}

/**
 * a / b with its propagated standard deviation, as hyperfine's relative speed: the two are
 * taken as independent, so σ = ratio·√((σa/μa)² + (σb/μb)²). Unitless. `stddev` is null when
 * either input's is; the whole result is null when b's mean is 0 (no finite ratio).
 */
export function ratioWithUncertainty(
  a: MeanAndStddev,
  b: MeanAndStddev,
): { ratio: number; stddev: number | null } | null {
  if (b.mean === 0) return null;
  const ratio = a.mean / b.mean;
  if (a.stddev === null || b.stddev === null) return { ratio, stddev: null };
  // ratio·σa/μa = σa/μb, so this form equals the textbook one yet stays finite when μa = 0.
  const stddevOfRatio = Math.hypot(a.stddev, ratio * b.stddev) / Math.abs(b.mean);
  return { ratio, stddev: stddevOfRatio };
}

/**
 * Modified Z-scores (x − median) / MAD, MAD being the median absolute deviation from the
 * median (Iglewicz and Hoaglin), in the order of the values. Unitless; empty for no values.
 *
 * When more than half the values are equal the MAD is 0; like hyperfine, the MAD is then
 * taken as `Number.EPSILON`, so values equal to the median score 0 and any other value
 * scores far beyond the threshold. Scores are clamped to ±`Number.MAX_VALUE` so that a
 * huge deviation over that tiny MAD cannot become Infinity.
 */
export function modifiedZScores(values: readonly number[]): number[] {
  const center = median(values);
  if (center === null) return [];
  const deviations = values.map((value) => Math.abs(value - center));
  const mad = median(deviations) ?? 0;
  const scale = mad > 0 ? mad : Number.EPSILON;
  return values.map((value) => clampFinite((value - center) / scale));
}

/**
 * Indices (ascending) of the values whose modified Z-score exceeds `threshold` in absolute
 * value. Fewer than three values never have one: with two, both scores are ±1 or 0.
 */
export function outlierIndices(
  values: readonly number[],
  threshold: number = OUTLIER_THRESHOLD,
): number[] {
  const indices: number[] = [];
  modifiedZScores(values).forEach((score, index) => {
    if (Math.abs(score) > threshold) indices.push(index);
  });
  return indices;
}

function ascending(values: readonly number[]): readonly number[] {
  for (let i = 1; i < values.length; i++) {
    if (at(values, i - 1) > at(values, i)) return [...values].sort((x, y) => x - y);
  }
  return values;
}

/** Numpy's linear quantile over values already sorted ascending; there must be at least one. */
function quantileOfSorted(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  const low = at(sorted, lower);
  return low + (position - lower) * (at(sorted, upper) - low);
}

function at(values: readonly number[], index: number): number {
  const value = values[index];
  if (value === undefined) throw new RangeError(`No value at index ${index}`);
  return value;
}

function clampFinite(value: number): number {
  return Math.min(Math.max(value, -Number.MAX_VALUE), Number.MAX_VALUE);
}
