import { describe, expect, it } from "vitest";
import {
  boundMs,
  distribution,
  histogram,
  latencyPercentiles,
  mean,
  median,
  modifiedZScores,
  OUTLIER_THRESHOLD,
  outlierIndices,
  quantile,
  ratioWithUncertainty,
  stddev,
  sum,
} from "../src/stats.js";

const ONE_TO_TEN = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

describe("sum, mean, stddev, median", () => {
  it("sums the values", () => {
    expect(sum([1, 2, 3.5])).toBe(6.5);
  });

  it("sums no values to 0", () => {
    expect(sum([])).toBe(0);
  });

  it("gives the mean", () => {
    expect(mean([2, 4, 4, 4, 5, 5, 7, 9])).toBe(5);
  });

  it("gives a sample standard deviation, dividing by n - 1", () => {
    // Squared deviations from 5 add up to 32, over 7.
    expect(stddev([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(stddev([1, 2, 3])).toBeCloseTo(1, 12);
  });

  it("gives a standard deviation of 0 for equal values", () => {
    expect(stddev([3, 3, 3])).toBe(0);
  });

  it("gives the middle value as median for an odd count", () => {
    expect(median([9, 1, 5])).toBe(5);
  });

  it("gives the mean of the middle two as median for an even count", () => {
    expect(median([2, 4, 4, 4, 5, 5, 7, 9])).toBe(4.5);
  });

  it("handles a single value: mean and median are it, stddev is null", () => {
    expect(mean([7])).toBe(7);
    expect(median([7])).toBe(7);
    expect(stddev([7])).toBeNull();
  });

  it("returns null for no values", () => {
    expect(mean([])).toBeNull();
    expect(median([])).toBeNull();
    expect(stddev([])).toBeNull();
  });
});

describe("quantile", () => {
  it("interpolates linearly between the closest ranks, as numpy does", () => {
    expect(quantile(ONE_TO_TEN, 0)).toBe(1);
    expect(quantile(ONE_TO_TEN, 0.5)).toBeCloseTo(5.5, 12);
    expect(quantile(ONE_TO_TEN, 0.9)).toBeCloseTo(9.1, 12);
    expect(quantile(ONE_TO_TEN, 0.99)).toBeCloseTo(9.91, 12);
    expect(quantile(ONE_TO_TEN, 1)).toBe(10);
  });

  it("sorts unsorted values first", () => {
    // Sorted: 10 20 40 80; h = 3q.
    const values = [80, 10, 40, 20];
    expect(quantile(values, 0)).toBe(10);
    expect(quantile(values, 0.5)).toBeCloseTo(30, 12);
    expect(quantile(values, 0.9)).toBeCloseTo(68, 12);
    expect(quantile(values, 0.99)).toBeCloseTo(78.8, 12);
    expect(quantile(values, 1)).toBe(80);
  });

  it("leaves its input in place", () => {
    const values = [3, 1, 2];
    quantile(values, 0.5);
    expect(values).toEqual([3, 1, 2]);
  });

  it("gives the value itself for a single value at any q", () => {
    for (const q of [0, 0.5, 0.9, 0.99, 1]) expect(quantile([42], q)).toBe(42);
  });

  it("returns null for no values", () => {
    expect(quantile([], 0.5)).toBeNull();
  });

  it("rejects q outside 0 to 1", () => {
    expect(() => quantile(ONE_TO_TEN, 1.5)).toThrow(RangeError);
    expect(() => quantile(ONE_TO_TEN, -0.1)).toThrow(RangeError);
    expect(() => quantile(ONE_TO_TEN, Number.NaN)).toThrow(RangeError);
  });
});

describe("distribution", () => {
  it("gives mean, sample stddev, median, min and max", () => {
    expect(distribution([3, 1, 2])).toEqual({ mean: 2, stddev: 1, median: 2, min: 1, max: 3 });
  });

  it("has a null stddev for a single value", () => {
    expect(distribution([5])).toEqual({ mean: 5, stddev: null, median: 5, min: 5, max: 5 });
  });

  it("returns null for no values", () => {
    expect(distribution([])).toBeNull();
  });
});

describe("latencyPercentiles", () => {
  it("gives p50, p90, p99, min and max", () => {
    const percentiles = latencyPercentiles([...ONE_TO_TEN].reverse());
    expect(percentiles?.p50).toBeCloseTo(5.5, 12);
    expect(percentiles?.p90).toBeCloseTo(9.1, 12);
    expect(percentiles?.p99).toBeCloseTo(9.91, 12);
    expect(percentiles?.min).toBe(1);
    expect(percentiles?.max).toBe(10);
  });

  it("returns null for no values", () => {
    expect(latencyPercentiles([])).toBeNull();
  });
});

describe("boundMs", () => {
  const latencies = [100, 200, 300, 400];

  it("is the sum with one request at a time", () => {
    expect(boundMs(latencies, 1)).toBe(1000);
  });

  it("is the sum shared among slots when that exceeds the slowest request", () => {
    expect(boundMs(latencies, 2)).toBe(500);
  });

  it("is the slowest request when the slots can absorb the rest", () => {
    expect(boundMs(latencies, 4)).toBe(400);
  });

  it("is the slowest request with unlimited concurrency", () => {
    expect(boundMs(latencies, "all")).toBe(400);
  });

  it("is 0 for no latencies", () => {
    expect(boundMs([], 2)).toBe(0);
    expect(boundMs([], "all")).toBe(0);
  });

  it("rejects a concurrency below 1", () => {
    expect(() => boundMs(latencies, 0)).toThrow(RangeError);
    expect(() => boundMs(latencies, Number.NaN)).toThrow(RangeError);
  });
});

describe("ratioWithUncertainty", () => {
  it("propagates relative uncertainties in quadrature", () => {
    // 1000 ± 3 % over 200 ± 4 %: ratio 5, relative uncertainty √(0.03² + 0.04²) = 5 %.
    const result = ratioWithUncertainty({ mean: 1000, stddev: 30 }, { mean: 200, stddev: 8 });
    expect(result?.ratio).toBeCloseTo(5, 12);
    expect(result?.stddev).toBeCloseTo(0.25, 12);
  });

  it("has a null stddev when either input's is null", () => {
    expect(ratioWithUncertainty({ mean: 10, stddev: null }, { mean: 5, stddev: 1 })).toEqual({
      ratio: 2,
      stddev: null,
    });
    expect(ratioWithUncertainty({ mean: 10, stddev: 1 }, { mean: 5, stddev: null })).toEqual({
      ratio: 2,
      stddev: null,
    });
  });

  it("stays finite when the numerator's mean is 0", () => {
    const result = ratioWithUncertainty({ mean: 0, stddev: 2 }, { mean: 4, stddev: 1 });
    expect(result?.ratio).toBe(0);
    expect(result?.stddev).toBeCloseTo(0.5, 12);
  });

  it("returns null when the denominator's mean is 0", () => {
    expect(ratioWithUncertainty({ mean: 1, stddev: 0 }, { mean: 0, stddev: 0 })).toBeNull();
  });
});

describe("modifiedZScores and outlierIndices", () => {
  it("uses hyperfine's threshold of 10 MAD-based standard deviations", () => {
    expect(OUTLIER_THRESHOLD).toBeCloseTo(14.826, 12);
  });

  it("scores each value by its distance from the median in MADs", () => {
    // Median 3; absolute deviations 2 1 0 1 97, so MAD = 1.
    expect(modifiedZScores([1, 2, 3, 4, 100])).toEqual([-2, -1, 0, 1, 97]);
  });

  it("finds one obvious outlier", () => {
    expect(outlierIndices([1, 2, 3, 4, 100])).toEqual([4]);
    expect(outlierIndices([0.5, 0.3, 0.29, 0.31, 0.3])).toEqual([0]);
  });

  it("finds none in a constant set, scoring every value 0", () => {
    expect(modifiedZScores([5, 5, 5, 5])).toEqual([0, 0, 0, 0]);
    expect(outlierIndices([5, 5, 5, 5])).toEqual([]);
  });

  it("flags the odd values out when the MAD is 0", () => {
    expect(outlierIndices([10, 10, 10, 10, 10, 10, 10, 100])).toEqual([7]);
    expect(outlierIndices([10, 10, 10, 10, 10, 10, 10, 100, 100])).toEqual([7, 8]);
  });

  it("keeps scores finite when the MAD is 0 and a deviation is huge", () => {
    const scores = modifiedZScores([0, 0, 0, 1e300, -1e300]);
    expect(scores.every(Number.isFinite)).toBe(true);
    expect(outlierIndices([0, 0, 0, 1e300, -1e300])).toEqual([3, 4]);
  });

  it("finds none among two values, however far apart", () => {
    expect(outlierIndices([1000, 0])).toEqual([]);
  });

  it("finds none in a low-variance sample", () => {
    expect(outlierIndices([-0.2, 0, 0.2])).toEqual([]);
  });

  it("accepts another threshold", () => {
    expect(outlierIndices([1, 2, 3, 4, 100], 1.5)).toEqual([0, 4]);
  });

  it("returns nothing for no values", () => {
    expect(modifiedZScores([])).toEqual([]);
    expect(outlierIndices([])).toEqual([]);
  });
});

describe("histogram", () => {
  it("counts values in equal-width bins from the smallest to the largest, the largest included", () => {
    expect(histogram([10, 12, 20, 30, 40], 3)).toEqual([
      { fromMs: 10, toMs: 20, count: 2 },
      { fromMs: 20, toMs: 30, count: 1 },
      { fromMs: 30, toMs: 40, count: 2 },
    ]);
  });

  it("has one bin when every value is the same and none for no values", () => {
    expect(histogram([5, 5, 5], 6)).toEqual([{ fromMs: 5, toMs: 5, count: 3 }]);
    expect(histogram([], 6)).toEqual([]);
  });

  it("rejects a bin count that is not a whole number from 1", () => {
    expect(() => histogram([1], 0)).toThrow(RangeError);
  });
});
