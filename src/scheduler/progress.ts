/**
 * Progress of a submitted graph, for the Client's progress bars: of `keys` (every task of the graph),
 * how many are done. A key the scheduler no longer holds was computed and released after its
 * dependents used it (the client submitted it, so it was known).
 */
import type { Key } from "../graph/spec.js";
import type { SchedulerState } from "./state.js";

export function countDone(st: SchedulerState, keys: readonly Key[]): { done: number; erred: number } {
  let done = 0;
  let erred = 0;
  for (const k of keys) {
    const ts = st.tasks.get(k);
    if (ts === undefined || ts.state === "memory" || ts.state === "forgotten") done++;
    else if (ts.state === "erred") erred++;
  }
  return { done, erred };
}
