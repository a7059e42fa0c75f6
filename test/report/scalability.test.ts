import { describe, expect, test } from "vitest";
import { findKnee, fitUsl, USL_MIN_POINTS, uslThroughput } from "../../src/report/scalability.js";

const doubling = [1, 2, 4, 8, 16, 32, 64, 128];

function curve(
  lambda: number,
  sigma: number,
  kappa: number,
  noise: (i: number) => number = () => 0,
) {
  return doubling.map((concurrency, i) => ({
    concurrency,
    throughputRps: uslThroughput({ lambda, sigma, kappa }, concurrency) * (1 + noise(i)),
  }));
}

describe("findKnee", () => {
  test("picks the smallest concurrency reaching 90% of the best", () => {
    const points = [
      { concurrency: 1, throughputRps: 10 },
      { concurrency: 2, throughputRps: 20 },
      { concurrency: 4, throughputRps: 38 },
      { concurrency: 8, throughputRps: 41 },
      { concurrency: 16, throughputRps: 40 },
    ];
    expect(findKnee(points)).toEqual({ concurrency: 4, share: 38 / 41, bestConcurrency: 8 });
  });

  test("the best itself when nothing smaller comes close", () => {
    const points = [
      { concurrency: 4, throughputRps: 40 },
      { concurrency: 1, throughputRps: 10 },
      { concurrency: 2, throughputRps: 20 },
    ];
    expect(findKnee(points)?.concurrency).toBe(4);
  });

  test("null without points or throughput", () => {
    expect(findKnee([])).toBeNull();
    expect(findKnee([{ concurrency: 1, throughputRps: 0 }])).toBeNull();
  });
});

describe("fitUsl", () => {
  test("recovers σ and κ of an exact curve", () => {
    const result = fitUsl(curve(100, 0.05, 0.001));
    expect(result.reason).toBeNull();
    const fit = result.fit;
    expect(fit?.sigma).toBeCloseTo(0.05, 3);
    expect(fit?.kappa).toBeCloseTo(0.001, 5);
    expect(fit?.lambda).toBeCloseTo(100, 1);
    expect(fit?.peakConcurrency).toBeCloseTo(Math.sqrt(0.95 / 0.001), 1);
    expect(fit?.rSquared).toBeGreaterThan(0.9999);
  });

  test("recovers σ and κ within 20% from a curve with ±2% noise", () => {
    const result = fitUsl(curve(50, 0.1, 0.002, (i) => (i % 2 === 0 ? 0.02 : -0.02)));
    const fit = result.fit;
    expect(fit).not.toBeNull();
    expect(Math.abs((fit?.sigma ?? 0) - 0.1) / 0.1).toBeLessThan(0.2);
    expect(Math.abs((fit?.kappa ?? 0) - 0.002) / 0.002).toBeLessThan(0.2);
    expect(fit?.rSquared).toBeGreaterThan(0.95);
  });

  test("a curve without coherency penalty has no predicted peak", () => {
    const fit = fitUsl(curve(10, 0.2, 0)).fit;
    expect(fit?.kappa).toBeCloseTo(0, 6);
    // κ of exactly 0 has no peak; a rounding-size κ puts it far beyond anything measured.
    expect(fit?.peakConcurrency === null || (fit?.peakConcurrency ?? 0) > 1000).toBe(true);
  });

  test("too few points are left out with a reason", () => {
    const result = fitUsl(curve(100, 0.05, 0.001).slice(0, USL_MIN_POINTS - 1));
    expect(result.fit).toBeNull();
    expect(result.reason).toBe(
      "3 distinct concurrency values with throughput; the fit needs at least 4",
    );
  });

  test("a curve that does not follow the law is left out as a poor fit", () => {
    const zigzag = doubling.map((concurrency, i) => ({
      concurrency,
      throughputRps: i % 2 === 0 ? 100 : 10,
    }));
    const result = fitUsl(zigzag);
    expect(result.fit).toBeNull();
    expect(result.reason).toMatch(/^the fit is poor \(R² -?\d\.\d\d, below 0\.9\)/);
  });
});
