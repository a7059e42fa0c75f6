import { type RequestFn, requestResult } from "../../src/client.js";
import type { Target } from "../../src/report/model.js";

export function targetsOf(count: number): Target[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    line: index + 1,
    url: `http://fake.test/${index}`,
  }));
}

/**
 * A request function with fixed delays per target that records the order of dispatch and
 * completion and how many requests were in flight at once. `failing` targets settle as
 * failures, as the real one does: resolved, never rejected.
 */
export function fakeRequest(delaysMs: readonly number[], failing: ReadonlySet<number> = new Set()) {
  const started: number[] = [];
  const finished: number[] = [];
  let active = 0;
  let maxActive = 0;
  const request: RequestFn = async (target, clock) => {
    const start = performance.now();
    started.push(target.index);
    active += 1;
    maxActive = Math.max(maxActive, active);
    await new Promise((resolve) => setTimeout(resolve, delaysMs[target.index] ?? 0));
    active -= 1;
    finished.push(target.index);
    const end = performance.now();
    const ok = !failing.has(target.index);
    return requestResult(target, clock, {
      finalUrl: target.url,
      status: ok ? 200 : 500,
      bytes: 2,
      redirects: 0,
      start,
      headersAt: end,
      end,
      error: ok ? null : { kind: "http", code: null, message: "HTTP 500 Internal Server Error" },
    });
  };
  return {
    request,
    started,
    finished,
    get maxActive() {
      return maxActive;
    },
  };
}
