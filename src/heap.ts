/**
 * How far the JavaScript heap may grow between full collections during a run.
 *
 * Each request allocates short-lived objects (undici's parser, headers, our handler), and with
 * hundreds in flight many of them live through two young-generation collections and end up in
 * the old generation, where they wait for a full collection. V8 lets the old generation grow to
 * up to four times what survived the last full collection before it collects again; a run holds
 * little (its URLs, one pending promise per waiting URL, the results in typed arrays), so that
 * slack, not what the run holds, was most of its memory: 100,000 URLs at 256 peaked at 317 MB
 * with 40–50 MB live. Capped at twice what survived, the same run peaks near 210 MB and spends
 * no more time collecting (the collections are of a smaller heap).
 */
import { setFlagsFromString } from "node:v8";

/** Twice what survived the last full collection, at most (V8's own choice goes up to four times). */
const HEAP_GROWING_PERCENT = 100;

/**
 * Caps the old generation's growth between full collections for the rest of this process.
 * V8 reads this setting each time it sizes the heap after a full collection, so setting it
 * once the process runs takes effect from the next one.
 */
export function limitHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
