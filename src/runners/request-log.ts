import {
  HTTP_VERSIONS,
  type HttpVersion,
  type RequestError,
  type RequestResult,
  type Target,
} from "../report/model.js";

/** The number columns of a request result; null is held as NaN (no reading is ever NaN). */
const TIMES = [
  "startMs",
  "scheduleLagMs",
  "queuedMs",
  "dnsMs",
  "tcpMs",
  "tlsMs",
  "connectMs",
  "ttfbMs",
  "downloadMs",
  "latencyMs",
  "endMs",
  "bytes",
  "connectionId",
  "status",
] as const satisfies readonly (keyof RequestResult)[];
type TimeField = (typeof TIMES)[number];

/** `reusedConnection` and `httpVersion` as small codes; 0 is null. */
const NONE = 0;

const nullable = (value: number | null): number => (value === null ? Number.NaN : value);
const orNull = (value: number | undefined): number | null =>
  value === undefined || Number.isNaN(value) ? null : value;

/**
 * The results of one run, held compactly while it runs: the numbers in a typed array per
 * field, the URL shared with its target, the final URL and the error kept only where they
 * differ from none. A settled request costs about 130 bytes here instead of about 550 as an
 * object (with its boxed numbers), so a run of many URLs keeps its heap, and the garbage the
 * collector lets pile up in proportion to it, small. The objects the report is made of are
 * built once, in list order, when the run is over.
 */
export class RequestLog {
  readonly #targets: readonly Target[];
  readonly #times: Record<TimeField, Float64Array>;
  readonly #flags: Uint8Array;
  readonly #redirects: Uint32Array;
  readonly #finalUrls = new Map<number, string>();
  readonly #errors = new Map<number, RequestError>();
  #count = 0;

  constructor(targets: readonly Target[]) {
    this.#targets = targets;
    const size = targets.length;
    this.#times = Object.fromEntries(
      TIMES.map((field) => [field, new Float64Array(size)]),
    ) as Record<TimeField, Float64Array>;
    this.#flags = new Uint8Array(size);
    this.#redirects = new Uint32Array(size);
  }

  /** Requests recorded so far. */
  get size(): number {
    return this.#count;
  }

  /** Records the result of the target at `slot` (its position in the run's list). */
  record(slot: number, result: RequestResult): void {
    for (const field of TIMES) this.#times[field][slot] = nullable(result[field]);
    const reused = result.reusedConnection === null ? NONE : result.reusedConnection ? 2 : 1;
    const version =
      result.httpVersion === null ? NONE : HTTP_VERSIONS.indexOf(result.httpVersion) + 1;
    // bit 0: recorded, bit 1: ok, bits 2–3: reused, bits 4–5: HTTP version.
    this.#flags[slot] = 1 | (result.ok ? 2 : 0) | (reused << 2) | (version << 4);
    this.#redirects[slot] = result.redirects;
    if (result.finalUrl !== result.url) this.#finalUrls.set(slot, result.finalUrl);
    if (result.error !== null) this.#errors.set(slot, result.error);
    this.#count++;
  }

  /** The recorded results as the report holds them, in list order; unrecorded slots are left out. */
  results(): RequestResult[] {
    const results: RequestResult[] = [];
    for (let slot = 0; slot < this.#targets.length; slot++) {
      const result = this.#result(slot);
      if (result !== null) results.push(result);
    }
    return results;
  }

  #result(slot: number): RequestResult | null {
    const flags = this.#flags[slot] ?? 0;
    const target = this.#targets[slot];
    if ((flags & 1) === 0 || target === undefined) return null;
    const time = (field: TimeField) => orNull(this.#times[field][slot]);
    const reused = (flags >> 2) & 3;
    const version = (flags >> 4) & 3;
    // Field order as the JSON report documents it.
    return {
      index: target.index,
      line: target.line,
      url: target.url,
      finalUrl: this.#finalUrls.get(slot) ?? target.url,
      ok: (flags & 2) !== 0,
      status: time("status"),
      bytes: this.#times.bytes[slot] ?? 0,
      redirects: this.#redirects[slot] ?? 0,
      reusedConnection: reused === NONE ? null : reused === 2,
      connectionId: time("connectionId"),
      httpVersion:
        version === NONE ? null : ((HTTP_VERSIONS[version - 1] as HttpVersion | undefined) ?? null),
      startMs: this.#times.startMs[slot] ?? 0,
      scheduleLagMs: time("scheduleLagMs"),
      queuedMs: this.#times.queuedMs[slot] ?? 0,
      dnsMs: time("dnsMs"),
      tcpMs: time("tcpMs"),
      tlsMs: time("tlsMs"),
      connectMs: time("connectMs"),
      ttfbMs: time("ttfbMs"),
      downloadMs: time("downloadMs"),
      latencyMs: this.#times.latencyMs[slot] ?? 0,
      endMs: this.#times.endMs[slot] ?? 0,
      error: this.#errors.get(slot) ?? null,
    };
  }
}
