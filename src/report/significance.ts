/**
 * Pure significance tests for comparing two samples: Welch's t-test (for run walls) and the
 * Mann–Whitney U test (for per-request latencies). No I/O, no formatting. Each returns a
 * two-sided p-value; the caller picks the confidence level.
 */

import { mean, stddev } from "../stats.js";

export interface TestResult {
  /** The test statistic: t for Welch, z (after continuity and tie correction) for Mann–Whitney. */
  statistic: number;
  /** Two-sided p-value, 0–1. */
  pValue: number;
}

export interface WelchResult extends TestResult {
  /** Welch–Satterthwaite degrees of freedom; null when both samples have no spread. */
  df: number | null;
}

/**
 * Welch's unequal-variances t-test of `b` against `a` (t > 0 when b's mean is larger), with
 * Welch–Satterthwaite degrees of freedom, as scipy's `ttest_ind(a, b, equal_var=False)` with
 * the sign flipped. Null with fewer than two values on a side. When neither sample varies, the
 * means are either equal (p = 1) or certainly different (p = 0).
 */
export function welchTTest(a: readonly number[], b: readonly number[]): WelchResult | null {
  const ma = mean(a);
  const mb = mean(b);
  const sa = stddev(a);
  const sb = stddev(b);
  if (ma === null || mb === null || sa === null || sb === null) return null;
  const va = (sa * sa) / a.length;
  const vb = (sb * sb) / b.length;
  const se = Math.sqrt(va + vb);
  if (se === 0) {
    return ma === mb
      ? { statistic: 0, df: null, pValue: 1 }
      : { statistic: mb > ma ? Number.MAX_VALUE : -Number.MAX_VALUE, df: null, pValue: 0 };
  }
  const t = (mb - ma) / se;
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  return { statistic: t, df, pValue: studentTTwoSided(t, df) };
}

/**
 * The Mann–Whitney U test of `b` against `a` with the normal approximation, average ranks for
 * ties, the tie correction of the variance and a continuity correction of 0.5, as scipy's
 * `mannwhitneyu(a, b, method="asymptotic")`. The statistic is z, positive when b tends to be
 * larger. Null with an empty side, or when every value is equal (no ranks to compare).
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): TestResult | null {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return null;
  const n = n1 + n2;
  const pooled = [
    ...a.map((value) => ({ value, first: true })),
    ...b.map((value) => ({ value, first: false })),
  ].sort((x, y) => x.value - y.value);
  let rankSumA = 0;
  let ties = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && pooled[end]?.value === pooled[start]?.value) end += 1;
    const size = end - start;
    // Ranks start..end-1 (0-based) share their average, 1-based.
    const rank = (start + end + 1) / 2;
    for (let i = start; i < end; i++) if (pooled[i]?.first) rankSumA += rank;
    ties += size ** 3 - size;
    start = end;
  }
  const uA = rankSumA - (n1 * (n1 + 1)) / 2;
  const uB = n1 * n2 - uA;
  const mu = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  if (!(variance > 0)) return null;
  const deviation = Math.max(Math.abs(uB - mu) - 0.5, 0);
  const z = Math.sign(uB - mu) * (deviation / Math.sqrt(variance));
  return { statistic: z, pValue: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) };
}

/** P(|T| ≥ |t|) for Student's t with `df` degrees of freedom: I_{df/(df+t²)}(df/2, 1/2). */
export function studentTTwoSided(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`Expected \`df\` to be above 0, got ${df}`);
  return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** The standard normal two-sided tail P(|Z| ≥ |z|). */
export function normalTwoSided(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

/**
 * The regularized incomplete beta function I_x(a, b), by the continued fraction evaluated
 * with the modified Lentz method (Numerical Recipes, `betai`/`betacf`), using the symmetry
 * I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges faster.
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(x >= 0 && x <= 1)) throw new RangeError(`Expected \`x\` to be from 0 to 1, got ${x}`);
  if (x === 0 || x === 1) return x;
  const front = Math.exp(
    logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x),
  );
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(x, a, b)) / a
    : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

const TINY = 1e-300;
const EPSILON = 1e-15;

function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return h;
}

const LANCZOS = [
  0.999_999_999_999_809_9, 676.520_368_121_885_1, -1259.139_216_722_402_8, 771.323_428_777_653_1,
  -176.615_029_162_140_6, 12.507_343_278_686_905, -0.138_571_095_265_720_12,
  9.984_369_578_019_572e-6, 1.505_632_735_149_311_6e-7,
];

/** ln Γ(x) for x > 0, by the Lanczos approximation (g = 7, 9 terms; about 15 digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let series = LANCZOS[0] ?? 1;
  for (let i = 1; i < LANCZOS.length; i++) series += (LANCZOS[i] ?? 0) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(series);
}

/**
 * The complementary error function, from the regularized incomplete gamma function's
 * continued fraction / series (erfc(x) = Q(1/2, x²) for x ≥ 0); about 14 digits.
 */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x === 0) return 1;
  return upperRegularizedGammaHalf(x * x);
}

/** Q(1/2, y): the series for small y, the Lentz continued fraction otherwise (Numerical Recipes). */
function upperRegularizedGammaHalf(y: number): number {
  const a = 0.5;
  const logFront = -y + a * Math.log(y) - logGamma(a);
  if (y < a + 1) {
    let term = 1 / a;
    let total = term;
    for (let n = 1; n < 10_000; n++) {
      term *= y / (a + n);
      total += term;
      if (Math.abs(term) < Math.abs(total) * EPSILON) break;
    }
    return 1 - total * Math.exp(logFront);
  }
  let b = y + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return Math.exp(logFront) * h;
}
