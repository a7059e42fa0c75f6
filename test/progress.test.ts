import { describe, expect, it } from "vitest";
import type { ProgressEvent } from "../src/index.js";
import { createProgress, timeLeft } from "../src/progress.js";

function recorder() {
  const writes: string[] = [];
  return { writes, write: (text: string) => writes.push(text) };
}

/** The prefix that returns to the start of the line and clears it before each redraw. */
const REDRAW = "\r\u001b[2K";

const start = {
  type: "run-start",
  mode: "sequential",
  iteration: 2,
  of: 5,
  warmup: false,
  total: 10,
} as const;

describe("progress display", () => {
  it("shows the mode, the run, requests done of total and failures so far", async () => {
    const out = recorder();
    const progress = createProgress({
      write: out.write,
      color: false,
      columns: 120,
      intervalMs: 10,
    });
    progress.onProgress(start);
    progress.onProgress({ type: "request", mode: "sequential", ok: true });
    progress.onProgress({ type: "request", mode: "sequential", ok: false });
    progress.onProgress({ type: "request", mode: "sequential", ok: true });
    await new Promise((resolve) => setTimeout(resolve, 40));
    progress.stop();
    const last = out.writes.at(-2) ?? "";
    expect(last.startsWith(REDRAW)).toBe(true);
    expect(last.slice(REDRAW.length)).toMatch(
      /^sequential run 2\/5 [█░]{20} 3\/10 · 1 failed · \d+\.\d s$/,
    );
  });

  it("guesses the time left from the pace so far, after the first second", async () => {
    const out = recorder();
    let clock = 5_000;
    const progress = createProgress({
      write: out.write,
      color: false,
      columns: 120,
      intervalMs: 10,
      now: () => clock,
    });
    progress.onProgress({ ...start, total: 2000 });
    for (let i = 0; i < 1067; i++)
      progress.onProgress({ type: "request", mode: "sequential", ok: true });
    clock += 27_600;
    await new Promise((resolve) => setTimeout(resolve, 40));
    progress.stop();
    // 1,067 requests in 27.6 s: the other 933 at that pace take 24.1 s, shown as 25 s.
    expect((out.writes.at(-2) ?? "").slice(REDRAW.length)).toMatch(
      /^sequential run 2\/5 [█░]{20} 1067\/2000 · 27\.6 s · 25 s left$/,
    );
  });

  it("says nothing of the time left too early or once every request is done", () => {
    expect(timeLeft(999, 10, 100)).toBe("");
    expect(timeLeft(5_000, 0, 100)).toBe("");
    expect(timeLeft(5_000, 100, 100)).toBe("");
    expect(timeLeft(1_000, 50, 100)).toBe(" · 1 s left");
    expect(timeLeft(60_000, 10, 100)).toBe(" · 9 min left");
    expect(timeLeft(10_000, 90, 100)).toBe(" · 2 s left");
  });

  it("redraws on a timer, not on every request", async () => {
    const out = recorder();
    const progress = createProgress({
      write: out.write,
      color: false,
      columns: 120,
      intervalMs: 50,
    });
    progress.onProgress(start);
    for (let i = 0; i < 10; i++)
      progress.onProgress({ type: "request", mode: "sequential", ok: true });
    await new Promise((resolve) => setTimeout(resolve, 120));
    progress.stop();
    // One draw at the start, at most a few timer redraws, and the clearing write.
    expect(out.writes.length).toBeLessThanOrEqual(5);
  });

  it("labels warm-up runs and never writes wider than the terminal", () => {
    const out = recorder();
    const progress = createProgress({ write: out.write, color: false, columns: 40 });
    progress.onProgress({ ...start, warmup: true, iteration: 1, of: 1 });
    progress.stop();
    const drawn = (out.writes[0] ?? "").slice(REDRAW.length);
    expect(drawn.startsWith("sequential warm-up 1/1")).toBe(true);
    // Colour is off, so every character takes a column.
    expect(drawn.length).toBeLessThanOrEqual(39);
  });

  it("gives up the bar, then the run's label, before the counts and the time", () => {
    const drawnAt = (columns: number, event: ProgressEvent) => {
      const out = recorder();
      const progress = createProgress({ write: out.write, color: false, columns });
      progress.onProgress(event);
      progress.stop();
      return (out.writes[0] ?? "").slice(REDRAW.length);
    };
    const long = { ...start, iteration: 10, of: 10, total: 2000 };
    expect(drawnAt(120, long)).toMatch(/^sequential run 10\/10 ░{20} 0\/2000 · 0\.0 s$/);
    expect(drawnAt(40, start)).toMatch(/^sequential run 2\/5 ░{5,19} 0\/10 · 0\.0 s$/);
    expect(drawnAt(40, start).length).toBeLessThanOrEqual(39);
    expect(drawnAt(40, long)).toBe("sequential run 10/10 0/2000 · 0.0 s");
    expect(drawnAt(30, long)).toBe("sequential 0/2000 · 0.0 s");
  });

  it("clears its line when stopped, and writes nothing if it never drew", () => {
    const out = recorder();
    createProgress({ write: out.write, color: false, columns: 80 }).stop();
    expect(out.writes).toEqual([]);
    const drawn = recorder();
    const progress = createProgress({ write: drawn.write, color: false, columns: 80 });
    progress.onProgress(start);
    progress.stop();
    expect(drawn.writes.at(-1)).toBe(REDRAW);
  });
});
