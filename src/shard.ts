/** `--shard <i>/<n>`: a deterministic share of a URL list, so n machines cover it exactly once. */

import { InputError, UsageError } from "./errors.js";
import type { Shard, Target } from "./report/model.js";
import { quoteInput } from "./targets.js";

const SHARD = /^(\d+)\/(\d+)$/;

/** Parses `i/n` with 1 ≤ i ≤ n (1-based, as CI matrices and `JOB_COMPLETION_INDEX + 1` give it). */
export function parseShard(value: string, flag: string): Shard {
  const match = SHARD.exec(value.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || !(count >= 1 && index >= 1 && index <= count) || count > 100_000) {
    throw new UsageError(
      `Expected \`${flag}\` to be <index>/<count> with 1 ≤ index ≤ count, such as 2/4, got ${quoteInput(value)}`,
    );
  }
  return { index, count };
}

/**
 * The shard's targets: every count-th URL of the list, starting with the index-th, so slow and
 * fast parts of a list spread evenly. Targets keep their index and line in the whole list.
 *
 * @throws {InputError} when the shard gets no URL (more shards than URLs).
 */
export function selectShard(targets: readonly Target[], shard: Shard, source: string): Target[] {
  const selected = targets.filter((target) => target.index % shard.count === shard.index - 1);
  if (selected.length === 0) {
    throw new InputError(
      `${source}: shard ${shard.index}/${shard.count} has no URL (the list has ${targets.length})`,
    );
  }
  return selected;
}
