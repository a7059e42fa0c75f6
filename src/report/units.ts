/**
 * Time and size as people read them: every duration, byte count, ratio and share the reports,
 * warnings and messages print is formatted here, so one number always reads the same way.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Units a duration can be shown in. */
export type TimeUnit = "µs" | "ms" | "s";

const TIME_SCALE: Record<TimeUnit, number> = { µs: 0.001, ms: 1, s: 1000 };

/**
 * A duration in milliseconds, to 3 significant figures in the unit that fits:
 * `512 µs`, `12.3 ms`, `201 ms`, `1.09 s`, `61.2 s`. Trailing zeros stay (`1.00 s`): they carry
 * the precision. From 1000 s on, whole seconds.
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  if (ms === 0) return "0 ms";
  const abs = Math.abs(ms);
  const units: TimeUnit[] = ["µs", "ms", "s"];
  let u = abs < 1 ? 0 : abs < 1000 ? 1 : 2;
  for (;;) {
    const unit = units[u] as TimeUnit;
    const value = ms / TIME_SCALE[unit];
    // 999.7 ms rounds to "1.00e+3": move up a unit rather than print an exponent.
    if (Math.abs(Number(value.toPrecision(3))) >= 1000 && u < units.length - 1) {
      u += 1;
      continue;
    }
    const text = Math.abs(value) >= 1000 ? Math.round(value).toString() : value.toPrecision(3);
    return `${text} ${unit}`;
  }
}

/** The unit hyperfine would pick for a duration: seconds from 1 s, milliseconds from 1 ms. */
export function timeUnitFor(ms: number): TimeUnit {
  const abs = Math.abs(ms);
  return abs >= 1000 ? "s" : abs >= 1 ? "ms" : "µs";
}

/**
 * A duration as a bare number in a fixed unit with hyperfine's fixed decimals (`3.021`, `508.3`,
 * `512.0`), for a column whose header names the unit (`Mean [ms]`).
 */
export function msValueIn(ms: number, unit: TimeUnit): string {
  return (ms / TIME_SCALE[unit]).toFixed(unit === "s" ? 3 : 1);
}

/**
 * A duration in a fixed unit with hyperfine's fixed decimals (`3.021 s`, `508.3 ms`, `512.0 µs`),
 * so that a mean, its deviation and a range line up in one unit.
 */
export function formatMsIn(ms: number, unit: TimeUnit): string {
  return `${msValueIn(ms, unit)} ${unit}`;
}

/**
 * A duration fit to draw or export: a finite, non-negative number, else null (a hand-edited or
 * damaged report must not put a negative bar in a waterfall or a negative HAR timing).
 */
export function msOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * Milliseconds as a number rounded to `decimals` places, never `-0`, for machine-readable
 * columns (`12.345`); null stays null.
 */
export function roundMs(ms: number | null, decimals: number): number | null {
  if (ms === null) return null;
  const rounded = Number(ms.toFixed(decimals));
  return Object.is(rounded, -0) ? 0 : rounded;
}

const BYTE_UNITS = ["kB", "MB", "GB", "TB", "PB"];

/**
 * A byte count in SI units (1000-based, as hyperfine and autocannon print them; curl uses
 * 1024): `0 B`, `512 B`, `2.1 kB`, `3.4 MB`, `123 MB`. One decimal below 100, none above.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "–";
  if (Math.abs(bytes) < 1000) return `${Math.round(bytes)} B`;
  let value = bytes;
  for (const unit of BYTE_UNITS) {
    value /= 1000;
    const text = value.toFixed(Math.abs(value) < 99.95 ? 1 : 0);
    // 999 960 B would read "1000 kB": carry into the next unit instead.
    if (Math.abs(Number(text)) < 1000 || unit === BYTE_UNITS.at(-1)) return `${text} ${unit}`;
  }
  return `${bytes} B`;
}

/** A ratio such as a speed-up: `9.6×` (or `decimals` places) below 100, whole from 100 on. */
export function formatRatio(ratio: number, decimals = 1): string {
  if (!Number.isFinite(ratio)) return "–";
  const text = ratio.toFixed(decimals);
  return `${Math.abs(Number(text)) >= 100 ? Math.round(ratio).toString() : text}×`;
}

/** A share of 1 as a whole percentage: `0.96` → `96%`. Values above 1 stay (`101%`). */
export function formatPercent(share: number): string {
  if (!Number.isFinite(share)) return "–";
  return `${Math.round(share * 100)}%`;
}

function trimmed(number: number, decimals: number): string {
  return String(Number(number.toFixed(decimals)));
}

/** A duration in the form the flags take (`500ms`, `2s`, `1m`), for --help and for messages that quote a flag. */
export function formatDurationFlag(ms: number): string {
  if (ms >= MINUTE && ms % MINUTE === 0) return `${ms / MINUTE}m`;
  if (ms >= SECOND && ms % SECOND === 0) return `${ms / SECOND}s`;
  return `${ms}ms`;
}

/**
 * Formats milliseconds for messages in the largest unit that fits: `500 ms`, `1.5 s`,
 * `1 min`, `24 h`.
 */
export function formatDuration(ms: number): string {
  const size = Math.abs(ms);
  if (size >= HOUR) return `${trimmed(ms / HOUR, 2)} h`;
  if (size >= MINUTE) return `${trimmed(ms / MINUTE, 2)} min`;
  if (size >= SECOND) return `${trimmed(ms / SECOND, 3)} s`;
  return `${trimmed(ms, 3)} ms`;
}

/** A mean count (connections per run): whole when it is, else one decimal. */
export function formatMeanCount(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
