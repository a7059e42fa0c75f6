/**
 * The client machine's own limits: whether the requested concurrency needs more sockets
 * than this process may open. Checked before a run so that a shortage is named as the
 * client's, never left to look like a failing server.
 */
import { readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import type { Concurrency, Mode } from "./report/model.js";

/** The open-file limit of this process, as the platform tells it. */
export interface FileLimit {
  /** The soft limit (`ulimit -n`); Infinity when unlimited. */
  soft: number;
  /** The hard limit the soft one may be raised to without privileges; Infinity when unlimited. */
  hard: number;
  /** Descriptors already open (standard streams, the event loop, …). */
  open: number;
}

/** Descriptors kept free for what a run opens besides its sockets: DNS, workers, exports. */
export const HEADROOM = 16;

const MAX_OPEN_FILES = /^Max open files\s+(\S+)\s+(\S+)/m;

/** Parses the `Max open files` line of `/proc/<pid>/limits`; null when absent or unreadable. */
export function parseLimits(text: string): { soft: number; hard: number } | null {
  const match = MAX_OPEN_FILES.exec(text);
  if (match === null) return null;
  const value = (field: string | undefined) =>
    field === "unlimited" ? Number.POSITIVE_INFINITY : Number(field);
  const soft = value(match[1]);
  const hard = value(match[2]);
  return Number.isNaN(soft) || Number.isNaN(hard) ? null : { soft, hard };
}

/** Reads this process's open-file limit on Linux; null elsewhere, or when /proc is not there. */
export async function readFileLimit(): Promise<FileLimit | null> {
  if (process.platform !== "linux") return null;
  try {
    const limits = parseLimits(await readFile("/proc/self/limits", "utf8"));
    if (limits === null) return null;
    // The listing itself holds one descriptor while it runs; it is closed right after.
    const open = Math.max(0, (await readdir("/proc/self/fd")).length - 1);
    return { ...limits, open };
  } catch {
    return null;
  }
}

/**
 * The most connections one run may hold open at once: modes run one after another, and
 * only the concurrent one holds more than one.
 */
export function socketsNeeded(
  modes: readonly Mode[],
  concurrency: Concurrency,
  targets: number,
): number {
  const concurrent = concurrency === "all" ? targets : Math.min(concurrency, targets);
  return Math.max(...modes.map((mode) => (mode === "concurrent" ? concurrent : 1)), 0);
}

/**
 * One line saying that `needed` sockets will not fit under `limit`, with the numbers and
 * the `ulimit -n` that makes them fit; null when they fit.
 */
export function fileLimitWarning(needed: number, limit: FileLimit): string | null {
  const available = limit.soft - limit.open - HEADROOM;
  if (needed <= available) return null;
  const enough = needed + limit.open + HEADROOM;
  // Node raises its soft limit to the hard one at start, so the hard limit is what counts.
  const raise =
    enough <= limit.hard
      ? `raise it with \`ulimit -n ${enough}\``
      : `raise it with \`ulimit -n ${enough}\` in a shell whose hard limit allows it (here it is ${limit.hard}; \`ulimit -Hn\` shows it), or lower --concurrency`;
  return `the concurrent mode may hold ${needed} connections open at once, but this process may open only ${limit.soft} files (ulimit -n; ${limit.open} already open), so requests beyond about ${Math.max(0, available)} may fail with kind local (EMFILE) through no fault of the server; ${raise}`;
}

/** The soft open-file limit once read; undefined until a read succeeded. */
let knownSoftLimit: number | null | undefined;

/**
 * This process's soft open-file limit, read once and kept (`/proc/self/limits`, Linux only);
 * null where the platform does not tell. Read it before a run: once descriptors have run out,
 * reading the file fails too (and is tried again next time).
 */
export function openFileLimit(): number | null {
  if (knownSoftLimit !== undefined) return knownSoftLimit;
  if (process.platform !== "linux") {
    knownSoftLimit = null;
    return null;
  }
  try {
    knownSoftLimit = parseLimits(readFileSync("/proc/self/limits", "utf8"))?.soft ?? null;
    return knownSoftLimit;
  } catch {
    return null;
  }
}

/**
 * What the client machine ran out of, by the system's error code, as one line that says what
 * to do: the failure's message, so that the server is never blamed for it.
 */
const LOCAL_FAILURES: Record<string, () => string> = {
  EMFILE: () => {
    const limit = openFileLimit();
    const which = limit === null || !Number.isFinite(limit) ? "" : ` (ulimit -n ${limit})`;
    return `too many open files in this process${which}: lower --concurrency or raise ulimit -n`;
  },
  ENFILE: () => "too many open files on this machine (its system-wide limit): lower --concurrency",
  EADDRNOTAVAIL: () =>
    "no local port or address free on this machine (ports in TIME_WAIT, or a bad local address): lower --concurrency",
  ENOBUFS: () => "no network buffers free on this machine: lower --concurrency",
};

/** The one-line message of a failure the client machine caused; null for any other code. */
export function localFailure(code: string | null): string | null {
  const message = code === null ? undefined : LOCAL_FAILURES[code];
  return message === undefined ? null : message();
}
