/**
 * Pure statistics of a concurrency sweep: the knee of the throughput curve and a fit of the
 * Universal Scalability Law. No I/O, no formatting; where a figure does not exist, null or a
 * reason, never NaN.
 */

/** The knee is the smallest concurrency whose throughput reaches this share of the best. */
export const KNEE_SHARE = 0.9;

/** The USL is fitted only to at least this many distinct concurrencies: it has three parameters. */
export const USL_MIN_POINTS = 4;

/** A fit explaining less of the throughput's variation than this is left out as poor. */
export const USL_MIN_R_SQUARED = 0.9;

/** One point of the curve: throughput (requests/s) at a concurrency (requests in flight at most). */
export interface SweepPoint {
  concurrency: number;
  throughputRps: number;
}

export interface Knee {
  /** The smallest concurrency reaching `KNEE_SHARE` of the best throughput. */
  concurrency: number;
  /** Its throughput against the best, 0–1. */
  share: number;
  /** The concurrency of the best throughput. */
  bestConcurrency: number;
}

/**
 * The knee of the curve: the smallest concurrency whose throughput is at least `share` of the
 * best one. Null for no points or a best throughput of 0.
 */
export function findKnee(points: readonly SweepPoint[], share: number = KNEE_SHARE): Knee | null {
  const sorted = [...points].sort((a, b) => a.concurrency - b.concurrency);
  let best: SweepPoint | null = null;
  for (const point of sorted) {
    if (best === null || point.throughputRps > best.throughputRps) best = point;
  }
  if (best === null || !(best.throughputRps > 0)) return null;
  const top = best.throughputRps;
  const knee = sorted.find((point) => point.throughputRps >= share * top) ?? best;
  return {
    concurrency: knee.concurrency,
    share: knee.throughputRps / top,
    bestConcurrency: best.concurrency,
  };
}

/**
 * The Universal Scalability Law (Gunther): X(N) = λN / (1 + σ(N − 1) + κN(N − 1)), with
 * λ the throughput of one request at a time, σ the contention (serialised share) and κ the
 * coherency (crosstalk) penalty.
 */
export interface UslFit {
  /** Requests/s at concurrency 1 as the fit sees it. */
  lambda: number;
  /** Contention, 0–1. */
  sigma: number;
  /** Coherency, ≥ 0. */
  kappa: number;
  /** The concurrency of the predicted peak, √((1 − σ)/κ); null when κ is 0 (no peak). */
  peakConcurrency: number | null;
  /** Predicted throughput at the peak; null with `peakConcurrency`. */
  peakThroughputRps: number | null;
  /** Coefficient of determination of the fitted throughput against the measured, ≤ 1. */
  rSquared: number;
}

/** A fit, or why there is none. */
export type UslResult = { fit: UslFit; reason: null } | { fit: null; reason: string };

/** Throughput the USL predicts at concurrency n. */
export function uslThroughput(fit: Pick<UslFit, "lambda" | "sigma" | "kappa">, n: number): number {
  return (fit.lambda * n) / (1 + fit.sigma * (n - 1) + fit.kappa * n * (n - 1));
}

/**
 * Least-squares fit of the USL to the points: the linearised regression of the USL
 * literature (N/C(N) − 1 = σ(N − 1) + κN(N − 1)) gives a start, refined by Levenberg–Marquardt
 * over λ, σ and κ with σ and κ kept ≥ 0. Left out, with a reason, for fewer than
 * `USL_MIN_POINTS` distinct concurrencies or an R² below `USL_MIN_R_SQUARED`.
 */
export function fitUsl(points: readonly SweepPoint[]): UslResult {
  const usable = points.filter(
    (p) => p.concurrency >= 1 && Number.isFinite(p.concurrency) && p.throughputRps > 0,
  );
  const distinct = new Set(usable.map((p) => p.concurrency)).size;
  if (distinct < USL_MIN_POINTS) {
    return {
      fit: null,
      reason: `${distinct} distinct concurrency ${distinct === 1 ? "value" : "values"} with throughput; the fit needs at least ${USL_MIN_POINTS}`,
    };
  }
  let params = refine(usable, linearisedStart(usable));
  params = { ...params, sigma: Math.min(params.sigma, 1) };
  const rSquared = coefficientOfDetermination(usable, params);
  if (rSquared < USL_MIN_R_SQUARED) {
    return {
      fit: null,
      reason: `the fit is poor (R² ${rSquared.toFixed(2)}, below ${USL_MIN_R_SQUARED}): the curve does not follow the law`,
    };
  }
  const peak = params.kappa > 0 ? Math.sqrt((1 - params.sigma) / params.kappa) : null;
  return {
    fit: {
      ...params,
      peakConcurrency: peak,
      peakThroughputRps: peak === null ? null : uslThroughput(params, peak),
      rSquared,
    },
    reason: null,
  };
}

interface Params {
  lambda: number;
  sigma: number;
  kappa: number;
}

/** λ from the smallest concurrency (as if it scaled perfectly there), σ and κ by regression. */
function linearisedStart(points: readonly SweepPoint[]): Params {
  const first = points.reduce((a, b) => (b.concurrency < a.concurrency ? b : a));
  const lambda = first.throughputRps / first.concurrency;
  // Regression through the origin of y = σ·a + κ·b: the 2×2 normal equations.
  let aa = 0;
  let ab = 0;
  let bb = 0;
  let ay = 0;
  let by = 0;
  for (const { concurrency: n, throughputRps: x } of points) {
    const y = (lambda * n) / x - 1;
    const a = n - 1;
    const b = n * (n - 1);
    aa += a * a;
    ab += a * b;
    bb += b * b;
    ay += a * y;
    by += b * y;
  }
  const det = aa * bb - ab * ab;
  const sigma = det !== 0 ? (ay * bb - by * ab) / det : 0;
  const kappa = det !== 0 ? (aa * by - ab * ay) / det : 0;
  return { lambda, sigma: Math.max(0, sigma), kappa: Math.max(0, kappa) };
}

function sumOfSquares(points: readonly SweepPoint[], p: Params): number {
  let total = 0;
  for (const { concurrency, throughputRps } of points) {
    total += (throughputRps - uslThroughput(p, concurrency)) ** 2;
  }
  return total;
}

/** Levenberg–Marquardt with Marquardt's diagonal scaling; σ and κ are clamped at 0. */
function refine(points: readonly SweepPoint[], start: Params): Params {
  let p = start;
  let cost = sumOfSquares(points, p);
  let damping = 1e-3;
  for (let iteration = 0; iteration < 500; iteration++) {
    const jtj = [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ];
    const jtr = [0, 0, 0];
    for (const { concurrency: n, throughputRps: x } of points) {
      const d = 1 + p.sigma * (n - 1) + p.kappa * n * (n - 1);
      const f = (p.lambda * n) / d;
      const gradient = [n / d, (-f * (n - 1)) / d, (-f * n * (n - 1)) / d];
      const r = x - f;
      for (let i = 0; i < 3; i++) {
        jtr[i] = (jtr[i] ?? 0) + (gradient[i] ?? 0) * r;
        for (let j = 0; j < 3; j++) {
          const row = jtj[i] as number[];
          row[j] = (row[j] ?? 0) + (gradient[i] ?? 0) * (gradient[j] ?? 0);
        }
      }
    }
    let improved = false;
    while (damping < 1e12) {
      const system = jtj.map((row, i) =>
        row.map((value, j) => (i === j ? value * (1 + damping) + 1e-30 : value)),
      );
      const step = solve3(system, jtr);
      if (step === null) {
        damping *= 10;
        continue;
      }
      const next = {
        lambda: Math.max(p.lambda + (step[0] ?? 0), Number.MIN_VALUE),
        sigma: Math.max(0, p.sigma + (step[1] ?? 0)),
        kappa: Math.max(0, p.kappa + (step[2] ?? 0)),
      };
      const nextCost = sumOfSquares(points, next);
      if (nextCost < cost) {
        const relative = (cost - nextCost) / Math.max(cost, Number.MIN_VALUE);
        p = next;
        cost = nextCost;
        damping = Math.max(damping / 10, 1e-12);
        improved = relative > 1e-12;
        break;
      }
      damping *= 10;
    }
    if (!improved) break;
  }
  return p;
}

/** Gaussian elimination with partial pivoting; null for a singular system. */
function solve3(matrix: number[][], vector: number[]): number[] | null {
  const m = matrix.map((row, i) => [...row, vector[i] ?? 0]);
  for (let col = 0; col < 3; col++) {
    let pivot = col;
    for (let row = col + 1; row < 3; row++) {
      if (Math.abs(m[row]?.[col] ?? 0) > Math.abs(m[pivot]?.[col] ?? 0)) pivot = row;
    }
    const pivotRow = m[pivot] as number[];
    if (!(Math.abs(pivotRow[col] ?? 0) > 0)) return null;
    [m[col], m[pivot]] = [pivotRow, m[col] as number[]];
    const top = m[col] as number[];
    for (let row = col + 1; row < 3; row++) {
      const current = m[row] as number[];
      const factor = (current[col] ?? 0) / (top[col] ?? 1);
      for (let k = col; k < 4; k++) current[k] = (current[k] ?? 0) - factor * (top[k] ?? 0);
    }
  }
  const result = [0, 0, 0];
  for (let row = 2; row >= 0; row--) {
    const current = m[row] as number[];
    let value = current[3] ?? 0;
    for (let k = row + 1; k < 3; k++) value -= (current[k] ?? 0) * (result[k] ?? 0);
    result[row] = value / (current[row] ?? 1);
  }
  return result.every(Number.isFinite) ? result : null;
}

function coefficientOfDetermination(points: readonly SweepPoint[], p: Params): number {
  const average = points.reduce((total, point) => total + point.throughputRps, 0) / points.length;
  let total = 0;
  for (const { throughputRps } of points) total += (throughputRps - average) ** 2;
  const residual = sumOfSquares(points, p);
  // Every point the same: a flat curve the fit matches exactly is perfect, anything else is not.
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}
