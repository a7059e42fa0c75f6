import { describe, expect, it } from "vitest";
import {
  erfc,
  logGamma,
  mannWhitneyU,
  normalTwoSided,
  regularizedIncompleteBeta,
  studentTTwoSided,
  welchTTest,
} from "../../src/report/significance.js";

// Expected values are scipy 1.17's answers for the same data (scipy.stats.ttest_ind with
// equal_var=False, scipy.stats.mannwhitneyu with method="asymptotic", scipy.special), or exact.

describe("special functions", () => {
  it("ln Γ matches ln √π and ln 9!", () => {
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(10)).toBeCloseTo(Math.log(362_880), 12);
  });

  it("regularized incomplete beta matches scipy.special.betainc", () => {
    expect(regularizedIncompleteBeta(0.3, 2.5, 0.5)).toBeCloseTo(0.018927124071945658, 12);
    expect(regularizedIncompleteBeta(0.9, 10, 3)).toBeCloseTo(0.889130022255, 10);
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
  });

  it("Student's t two-sided tail: exact for the Cauchy case, scipy otherwise", () => {
    // df = 1 is the Cauchy distribution: P(|T| ≥ 1) = 1/2 exactly.
    expect(studentTTwoSided(1, 1)).toBeCloseTo(0.5, 12);
    expect(studentTTwoSided(2, 5)).toBeCloseTo(0.10193947882985835, 10);
    expect(studentTTwoSided(0, 7)).toBeCloseTo(1, 12);
  });

  it("erfc matches scipy.special.erfc, and the normal tail the 1.96 rule", () => {
    expect(erfc(0.5)).toBeCloseTo(0.4795001221869535, 12);
    expect(erfc(2.5)).toBeCloseTo(0.00040695201744495886, 14);
    expect(erfc(-1)).toBeCloseTo(1.8427007929497148, 12);
    expect(normalTwoSided(1.959963984540054)).toBeCloseTo(0.05, 10);
  });
});

describe("welchTTest", () => {
  // The example of the Wikipedia article on Welch's t-test (sample sizes 10 and 20).
  const a = [19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0];
  const b = [
    28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7, 23.2, 17.5, 20.6, 18.0, 23.9, 21.6,
    24.3, 20.4, 23.9, 13.3,
  ];

  it("gives scipy's t, degrees of freedom and p-value, signed b against a", () => {
    const result = welchTTest(a, b);
    expect(result?.statistic).toBeCloseTo(2.225512039969852, 10);
    expect(result?.df).toBeCloseTo(24.524634944257343, 10);
    expect(result?.pValue).toBeCloseTo(0.035484530830010394, 10);
    expect(welchTTest(b, a)?.statistic).toBeCloseTo(-2.225512039969852, 10);
  });

  it("needs two values on each side", () => {
    expect(welchTTest([1], [1, 2])).toBeNull();
    expect(welchTTest([1, 2], [])).toBeNull();
  });

  it("without spread: equal means are p = 1, different ones p = 0", () => {
    expect(welchTTest([5, 5], [5, 5, 5])?.pValue).toBe(1);
    expect(welchTTest([5, 5], [6, 6])?.pValue).toBe(0);
  });
});

describe("mannWhitneyU", () => {
  it("gives scipy's p-value without ties (Hollander and Wolfe's example)", () => {
    const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
    const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
    const result = mannWhitneyU(x, y);
    expect(result?.pValue).toBeCloseTo(0.13291945818531892, 8);
    // y tends to be smaller than x, so z is negative.
    expect(result?.statistic).toBeLessThan(0);
  });

  it("corrects the variance for ties as scipy does", () => {
    const result = mannWhitneyU([1, 2, 2, 3, 3, 3, 4, 10], [2, 3, 4, 4, 5, 6, 6, 7, 8]);
    expect(result?.pValue).toBeCloseTo(0.07967503158948248, 8);
    expect(result?.statistic).toBeGreaterThan(0);
  });

  it("has nothing to say about an empty side or all-equal values", () => {
    expect(mannWhitneyU([], [1])).toBeNull();
    expect(mannWhitneyU([3, 3], [3, 3])).toBeNull();
  });
});
