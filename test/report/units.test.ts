import { describe, expect, it } from "vitest";
import { formatMsIn, msValueIn, roundMs } from "../../src/report/units.js";

describe("msValueIn", () => {
  it("is formatMsIn without the unit", () => {
    for (const [ms, unit] of [
      [3021.4, "s"],
      [508.34, "ms"],
      [0.512, "µs"],
    ] as const) {
      expect(`${msValueIn(ms, unit)} ${unit}`).toBe(formatMsIn(ms, unit));
    }
    expect(msValueIn(508.34, "ms")).toBe("508.3");
  });
});

describe("roundMs", () => {
  it("rounds to the given decimals as a number, dropping trailing zeros", () => {
    expect(roundMs(12.34567, 3)).toBe(12.346);
    expect(roundMs(2.5, 3)).toBe(2.5);
  });

  it("never gives -0 and keeps null", () => {
    expect(Object.is(roundMs(-0.0001, 3), 0)).toBe(true);
    expect(roundMs(null, 3)).toBeNull();
  });
});
