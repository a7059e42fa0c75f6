/**
 * How far the JavaScript heap may grow between full collections during a run.
 *
 * Each request allocates short-lived objects (undici's parser, headers, our handler), and with
 * hundreds in flight many of them live through two young-generation collections and end up in
 * the old generation, where they wait for a full collection. V8 lets the old generation grow to
 * up to four times what survived the last full collection before it collects again; a run holds
 * little (its URLs, one pending promise per waiting URL, the results in typed arrays), so that
 * slack, not what the run holds, was most of its memory: 100,000 URLs at 256 peaked at 315 MB
 * with 40–50 MB live. Capped at twice what survived, the same run peaks near 210 MB and spends
 * no more time collecting (the collections are of a smaller heap).
 *
 * The cap is set only once the heap has reached {@link LIMIT_FROM_BYTES}: set from the start,
 * it made a small heap collect far more often, and 10,000 requests at 64 took 10% more CPU
 * for no lower peak (measured with both, alternated, on the benchmark's nginx).
 */
import { PerformanceObserver } from "node:perf_hooks";
import { getHeapStatistics, setFlagsFromString } from "node:v8";

/** Twice what survived the last full collection, at most (V8's own choice goes up to four times). */
const HEAP_GROWING_PERCENT = 100;

/**
 * The heap size from which growth is capped. Set later (at 96 MB), the cap no longer lowered
 * the peak of 100,000 requests (321 MB): V8 had already sized the old generation by then.
 */
const LIMIT_FROM_BYTES = 32 * 1024 * 1024;

/** Whether this process's heap growth is already capped (the flag holds for its lifetime). */
let limited = false;

/**
 * Caps the old generation's growth between full collections for the rest of this process,
 * from the first collection after which the heap holds {@link LIMIT_FROM_BYTES}. V8 reads the
 * setting each time it sizes the heap after a full collection, so setting it while the process
 * runs takes effect from the next one. Returns the function that stops watching (the run's
 * end); the cap, once set, stays.
 */
export function limitHeapGrowth(): () => void {
  if (limited) return () => {};
  const watch = new PerformanceObserver(() => {
    if (limited || getHeapStatistics().total_heap_size < LIMIT_FROM_BYTES) return;
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    limited = true;
    watch.disconnect();
  });
  watch.observe({ entryTypes: ["gc"] });
  return () => watch.disconnect();
}
