/**
 * Client events on the scheduler state: graphs submitted, keys wanted and released, clients leaving.
 */
import { type Key, keyPrefix } from "../graph/spec.js";
import type { UpdateGraphMsg } from "../protocol/messages.js";
import { TaskPrefix, TaskState } from "./entities.js";
import { restrictionsOf } from "./restrictions.js";
import { location, pushClient } from "./outbox.js";
import { dropWanter, needed, unwant, want } from "./refcounts.js";
import type { SchedulerState } from "./state.js";
import { drain, recommend } from "./transitions.js";
import { graphProblem } from "./graph-checks.js";

/** Priorities: graph order, shifted by the user's priority (higher user priority = runs first). */
const PRIORITY_SHIFT = 2 ** 40;
const MAX_USER_PRIORITY = 4000;

/** A client left: everything it wanted is released (and forgotten if no one else needs it). */
export function removeClient(st: SchedulerState, id: string): void {
  const cs = st.clients.get(id);
  if (!cs) return;
  st.clients.delete(id);
  // Rare (a client leaving), so a scan over the tasks instead of a per-client set of keys.
  for (const ts of st.tasks.values()) if (dropWanter(ts, cs)) unwant(st, ts);
  st._clientMemory.delete(cs);
  st._clientErred.delete(cs);
  st._clientLost.delete(cs);
  drain(st);
}

/** A graph refused whole (malformed, over a limit, cyclic): the client's futures for it fail with `reason`. */
export function refuseGraph(st: SchedulerState, clientId: string, wanted: readonly Key[], reason: string): void {
  const cs = st.addClient(clientId);
  for (const key of new Set(wanted)) {
    const ts = st.tasks.get(key);
    if (ts !== undefined) continue; // an earlier graph's task of the same key goes on
    pushClient(st._clientErred, cs, { key, error: { name: "GraphRefusedError", code: "GRAPH_REFUSED", message: `the scheduler refused the graph: ${reason}`, key } });
  }
}

export function updateGraph(st: SchedulerState, clientId: string, msg: UpdateGraphMsg): void {
  const problem = graphProblem(st.tasks, msg, st.maxGraphTasks);
  if (problem !== null) {
    refuseGraph(st, clientId, msg.wanted, problem);
    return;
  }
  const cs = st.addClient(clientId);
  const userPriority = Math.max(-MAX_USER_PRIORITY, Math.min(MAX_USER_PRIORITY, Math.round(msg.priority ?? 0)));
  const shift = -userPriority * PRIORITY_SHIFT;
  const defaultRetries = msg.retries ?? 0;
  const fresh: TaskState[] = [];
  const freshDeps: (readonly Key[] | undefined)[] = [];
  // First pass: create tasks (deps may refer to tasks later in the list).
  for (const wt of msg.tasks) {
    let ts = st.tasks.get(wt.key);
    if (ts !== undefined) continue; // already known: keep its state (and result)
    ts = new TaskState(wt.key, prefix(st, wt.key));
    if (wt.data !== undefined || wt.op === undefined) {
      ts.hasData = true;
      ts.data = wt.data;
    } else {
      ts.op = wt.op;
      ts.args = wt.args ?? [];
      if (wt.fn !== undefined) {
        ts.fn = msg.functions?.[wt.fn];
        if (ts.fn === undefined) ts.error = { name: "ProtocolError", message: `task '${wt.key}' refers to function #${wt.fn}, which the message does not carry`, key: wt.key };
      }
    }
    ts.retries = wt.retries ?? defaultRetries;
    ts.restrictions = restrictionsOf(wt);
    ts.priority = shift + st._seq++;
    ts.prefix.counts.released++;
    st.tasks.set(wt.key, ts);
    fresh.push(ts);
    freshDeps.push(wt.deps);
  }
  for (let f = 0; f < fresh.length; f++) {
    const ts = fresh[f]!;
    const depKeys = freshDeps[f];
    if (depKeys === undefined || depKeys.length === 0) continue;
    const deps: TaskState[] = new Array(depKeys.length);
    for (let i = 0; i < depKeys.length; i++) {
      const dk = depKeys[i]!;
      const dep = st.tasks.get(dk);
      if (dep === undefined) {
        // Unknown dependency: the task can never run. Fail it (and the client learns why).
        ts.deps = null;
        ts.error = {
          name: "MissingDependencyError",
          code: "MISSING_DEPENDENCY",
          message: `task '${ts.key}' depends on '${dk}', which the scheduler does not know (released or never submitted); keep a future for it or include it in the graph`,
          key: ts.key,
        };
        break;
      }
      deps[i] = dep;
      (dep.dependents ??= new Set()).add(ts);
    }
    if (ts.error === undefined) ts.deps = deps;
  }
  for (const key of msg.wanted) {
    const ts = st.tasks.get(key);
    if (ts !== undefined) want(cs, ts);
  }
  for (const ts of fresh) {
    if (ts.error !== undefined) recommend(st, ts, "erred");
    else if (ts.state === "released" && needed(ts)) recommend(st, ts, "waiting");
    // Neither wanted nor an input of anything: nothing will ever ask for it.
    else if (ts.dependents === null || ts.dependents.size === 0) recommend(st, ts, "forgotten");
  }
  // Tasks a client wants that finished or failed before: tell it now.
  for (const key of msg.wanted) {
    const ts = st.tasks.get(key);
    if (ts === undefined) continue;
    if (ts.state === "memory") pushClient(st._clientMemory, cs, location(ts));
    else if (ts.state === "erred" && ts.error) pushClient(st._clientErred, cs, { key: ts.key, error: ts.error });
    else if (ts.state === "released" && needed(ts)) recommend(st, ts, "waiting");
  }
  drain(st);
}

export function clientDesiresKeys(st: SchedulerState, clientId: string, keys: readonly Key[]): void {
  const cs = st.addClient(clientId);
  for (const key of keys) {
    const ts = st.tasks.get(key);
    if (ts === undefined) {
      pushClient(st._clientErred, cs, {
        key,
        error: { name: "CancelledError", code: "UNKNOWN_KEY", message: `key '${key}' is not known to the scheduler (it was released or never submitted)`, key },
      });
      continue;
    }
    want(cs, ts);
    if (ts.state === "memory") pushClient(st._clientMemory, cs, location(ts));
    else if (ts.state === "erred" && ts.error) pushClient(st._clientErred, cs, { key, error: ts.error });
    else if (ts.state === "released") recommend(st, ts, "waiting");
  }
  drain(st);
}

export function clientReleasesKeys(st: SchedulerState, clientId: string, keys: readonly Key[]): void {
  const cs = st.clients.get(clientId);
  if (!cs) return;
  for (const key of keys) {
    const ts = st.tasks.get(key);
    if (ts !== undefined && dropWanter(ts, cs)) unwant(st, ts);
  }
  drain(st);
}

function prefix(st: SchedulerState, key: Key): TaskPrefix {
  const name = keyPrefix(key);
  let p = st.prefixes.get(name);
  if (!p) st.prefixes.set(name, (p = new TaskPrefix(name)));
  return p;
}
