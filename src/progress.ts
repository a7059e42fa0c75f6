import { performance } from "node:perf_hooks";
import pc from "picocolors";
import type { ProgressEvent } from "./index.js";
import { formatDuration } from "./report/units.js";

export interface ProgressOptions {
  /** Where the display goes: standard error, and only when it is a terminal. */
  write: (text: string) => void;
  color: boolean;
  /** Terminal width; the line is cut to fit so it never wraps. */
  columns: number;
  /** At most one redraw per this many ms. */
  intervalMs?: number;
  /** The clock, in ms (`performance.now` unless a test sets it). */
  now?: () => number;
}

export interface Progress {
  onProgress(event: ProgressEvent): void;
  /** Clears the line; the report follows on a clean terminal. */
  stop(): void;
}

/** A run is this old before the time left is guessed: the first requests say little. */
const ESTIMATE_AFTER_MS = 1000;

/**
 * ` · 24 s left`: the run's pace so far applied to the requests still to come, in whole
 * seconds; nothing before {@link ESTIMATE_AFTER_MS} or once every request is done.
 */
export function timeLeft(elapsedMs: number, done: number, total: number): string {
  if (done === 0 || done >= total || elapsedMs < ESTIMATE_AFTER_MS) return "";
  const seconds = Math.ceil(((elapsedMs / done) * (total - done)) / 1000);
  return ` · ${formatDuration(seconds * 1000)} left`;
}

/** Widest the progress bar gets, and the narrowest worth drawing. */
const BAR_WIDTH = 20;
const MIN_BAR_WIDTH = 5;

/**
 * A one-line display of the run under way: mode, run, requests done of total, failures so far,
 * elapsed time and, after a second, the time left at the pace so far. Events only bump
 * counters; a timer redraws at most ~10 times a second, so
 * the display costs the measured runs next to nothing (a frozen event loop simply skips redraws).
 */
export function createProgress(options: ProgressOptions): Progress {
  const colors = pc.createColors(options.color);
  const now = options.now ?? (() => performance.now());
  let mode: string | null = null;
  let label = "";
  let total = 0;
  let done = 0;
  let failed = 0;
  let startedAt = 0;
  let dirty = false;
  let shown = false;

  const draw = () => {
    if (mode === null) return;
    dirty = false;
    const elapsedMs = now() - startedAt;
    const elapsed = `${(elapsedMs / 1000).toFixed(1)} s${timeLeft(elapsedMs, done, total)}`;
    const failures = failed > 0 ? ` · ${failed} failed` : "";
    const counts = `${done}/${total}${failures} · ${elapsed}`;
    // On a narrow terminal the bar gives way first, then the run's label, so that the mode,
    // the counts and the time still show.
    const columns = options.columns - 1;
    const room = columns - (mode.length + label.length + counts.length + 3);
    const width = Math.min(BAR_WIDTH, room < MIN_BAR_WIDTH ? 0 : room);
    const shownLabel = room >= 0 ? ` ${label}` : "";
    const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
    const bar = width > 0 ? `${"█".repeat(filled)}${"░".repeat(width - filled)} ` : "";
    const shownFailures = failed > 0 ? colors.red(failures) : "";
    const line = `${colors.bold(mode)}${shownLabel} ${bar}${done}/${total}${shownFailures} · ${elapsed}`;
    options.write(`\r\u001b[2K${cut(line, columns)}`);
    shown = true;
  };
  const timer = setInterval(() => {
    if (dirty) draw();
  }, options.intervalMs ?? 100);
  timer.unref();

  return {
    onProgress(event) {
      if (event.type === "run-start") {
        mode = event.variant ?? event.mode;
        label = event.warmup
          ? `warm-up ${event.iteration}/${event.of}`
          : `run ${event.iteration}/${event.of}`;
        total = event.total;
        done = 0;
        failed = 0;
        startedAt = now();
        draw();
      } else if (event.type === "request") {
        done += 1;
        if (!event.ok) failed += 1;
        dirty = true;
      } else {
        draw();
      }
    },
    stop() {
      clearInterval(timer);
      if (shown) options.write("\r\u001b[2K");
    },
  };
}

/** Cuts a line with colour codes to `columns` visible characters. */
function cut(line: string, columns: number): string {
  let visible = 0;
  let out = "";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes take no columns.
  for (const part of line.split(/(\u001b\[[0-9;]*m)/)) {
    if (part.startsWith("\u001b[")) {
      out += part;
      continue;
    }
    for (const char of part) {
      // Close any colour left open, but write no escape code into a colourless line.
      if (visible >= columns) return out.includes("\u001b[") ? `${out}\u001b[0m` : out;
      out += char;
      visible += 1;
    }
  }
  return out;
}
