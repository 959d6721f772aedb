/**
 * Field checks for messages from authenticated peers, at the scheduler's and the worker's dispatch.
 * The framing layer guarantees `{op: string, …}`; a peer that knows the secret may still be buggy
 * (another version, a hand-written tool) and send the right op with the wrong fields. Such a message
 * must be refused with a log line, never reach the state machines half-valid. Each function returns
 * null when the message is well-formed, else a short reason naming the bad field.
 *
 * Every message is also walked once for its nesting depth, and task lists for key length, task count
 * and values per task (limits.ts): values that deep would overflow the stack when re-encoded.
 */
import { DEFAULT_PEER_LIMITS, taskKeyProblem, valueShapeProblem, type PeerLimits } from "./limits.js";

type Rec = Record<string, unknown>;
type Check = (m: Rec, limits: PeerLimits) => string | null;

const isStr = (v: unknown): v is string => typeof v === "string";
const isInt = (v: unknown): boolean => typeof v === "number" && Number.isSafeInteger(v);
const isNum = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v);
const isRec = (v: unknown): v is Rec => typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);

function strArray(v: unknown, field: string): string | null {
  if (!Array.isArray(v)) return `'${field}' must be an array of strings`;
  for (const x of v) if (!isStr(x)) return `'${field}' must be an array of strings`;
  return null;
}

function optional(m: Rec, field: string, ok: (v: unknown) => boolean, what: string): string | null {
  return m[field] === undefined || ok(m[field]) ? null : `'${field}' must be ${what}`;
}

function required(m: Rec, field: string, ok: (v: unknown) => boolean, what: string): string | null {
  return ok(m[field]) ? null : `'${field}' must be ${what}`;
}

function first(...rs: (string | null)[]): string | null {
  for (const r of rs) if (r !== null) return r;
  return null;
}

function whoHas(v: unknown, field: string): string | null {
  if (!isRec(v)) return `'${field}' must be an object of key → worker addresses`;
  for (const k of Object.keys(v)) if (strArray(v[k], `${field}.${k}`) !== null) return `'${field}' must map keys to arrays of worker addresses`;
  return null;
}

function keyLocations(v: unknown, field: string): string | null {
  if (!Array.isArray(v)) return `'${field}' must be an array`;
  for (const x of v) {
    if (!isRec(x) || !isStr(x["key"]) || !isNum(x["nbytes"]) || strArray(x["workers"], "workers") !== null) {
      return `'${field}' entries must be {key: string, workers: string[], nbytes: number}`;
    }
  }
  return null;
}

function wireError(v: unknown): boolean {
  return isRec(v) && isStr(v["name"]) && isStr(v["message"]);
}

function taskList(v: unknown, field: string, kind: "wire" | "compute", limits: PeerLimits): string | null {
  if (!Array.isArray(v)) return `'${field}' must be an array of tasks`;
  if (v.length > limits.maxTasksPerMessage) return `'${field}' holds ${v.length} tasks; at most ${limits.maxTasksPerMessage} per message (limits.maxTasksPerMessage)`;
  for (let i = 0; i < v.length; i++) {
    const t: unknown = v[i];
    const at = `${field}[${i}]`;
    if (!isRec(t)) return `${at} must be an object`;
    const r = first(
      required(t, "key", isStr, "a string"),
      optional(t, "op", isStr, "a string"),
      optional(t, "args", Array.isArray, "an array"),
      optional(t, "fn", (x) => isInt(x) && (x as number) >= 0, "a task-function index ≥ 0"),
      t["deps"] === undefined ? null : strArray(t["deps"], "deps"),
      t["workers"] === undefined ? null : strArray(t["workers"], "workers"),
      optional(t, "resources", (x) => isRec(x) && Object.values(x).every((n) => isNum(n) && (n as number) >= 0), "an object of numbers ≥ 0"),
      kind === "wire" ? optional(t, "retries", (x) => isInt(x) && (x as number) >= 0, "an integer ≥ 0") : required(t, "priority", isNum, "a number"),
    );
    if (r !== null) return `${at}: ${r}`;
    const key = t["key"] as string;
    const bad =
      taskKeyProblem(key, limits.maxKeyLength) ??
      (t["deps"] as string[] | undefined)?.map((d) => taskKeyProblem(d, limits.maxKeyLength)).find((x) => x !== null) ??
      argsProblem(t["args"], limits) ??
      argsProblem(t["data"], limits);
    if (bad) return `${at} ('${key.slice(0, 64)}'): ${bad}`;
  }
  return null;
}

function argsProblem(v: unknown, limits: PeerLimits): string | null {
  const p = valueShapeProblem(v, limits.maxDepth, limits.maxTaskValues);
  return p === null ? null : `its arguments ${p}`;
}

function wantedKeys(v: unknown, limits: PeerLimits): string | null {
  const r = strArray(v, "wanted");
  if (r !== null) return r;
  for (const k of v as string[]) {
    const p = taskKeyProblem(k, limits.maxKeyLength);
    if (p !== null) return `'wanted': ${p}`;
  }
  return null;
}

function finishedList(v: unknown, field: string, erred: boolean): string | null {
  if (!Array.isArray(v)) return `'${field}' must be an array`;
  for (const t of v) {
    if (!isRec(t) || !isStr(t["key"]) || !isNum(t["duration"]) || !isNum(t["start"])) return `'${field}' entries need key, duration and start`;
    if (erred ? !wireError(t["error"]) : !(isNum(t["nbytes"]) && isStr(t["type"]))) return `'${field}' entry '${t["key"]}' has bad fields`;
  }
  return null;
}

const metrics = (v: unknown): boolean =>
  isRec(v) && isNum(v["managedBytes"]) && isNum(v["rss"]) && isNum(v["executing"]) && isNum(v["ready"]) && isNum(v["inMemory"]) &&
  (v["spilledBytes"] === undefined || isNum(v["spilledBytes"])) && (v["paused"] === undefined || typeof v["paused"] === "boolean") &&
  (v["restarts"] === undefined || isInt(v["restarts"])) && (v["cpuPercent"] === undefined || (isNum(v["cpuPercent"]) && (v["cpuPercent"] as number) >= 0));

/** Most spans one heartbeat may carry (workers send at most 1000). */
const MAX_HEARTBEAT_SPANS = 10_000;

function activitySpans(v: unknown, field: string): string | null {
  if (!Array.isArray(v)) return `'${field}' must be an array`;
  if (v.length > MAX_HEARTBEAT_SPANS) return `'${field}' holds ${v.length} spans; at most ${MAX_HEARTBEAT_SPANS} per heartbeat`;
  for (const s of v) {
    if (!isRec(s) || (s["action"] !== "transfer" && s["action"] !== "spill")) return `'${field}' entries need action "transfer" or "spill"`;
    if (!isNum(s["start"]) || !isNum(s["stop"]) || !isNum(s["bytes"]) || !isNum(s["keys"])) return `'${field}' entries need numeric start, stop, bytes and keys`;
    if (s["peer"] !== undefined && !isStr(s["peer"])) return `'${field}' entry 'peer' must be a string`;
  }
  return null;
}

const WORKER_TO_SCHEDULER: Record<string, Check> = {
  "register-worker": (m) =>
    first(
      required(m, "address", isStr, "a string"),
      required(m, "name", isStr, "a string"),
      required(m, "nthreads", (x) => isInt(x) && (x as number) >= 1, "an integer ≥ 1"),
      required(m, "memoryLimit", (x) => isNum(x) && (x as number) >= 0, "a number ≥ 0"),
      optional(m, "pid", isInt, "an integer"),
      optional(m, "host", isStr, "a string"),
      optional(m, "metadata", (x) => isRec(x) && Object.values(x).every(isStr), "an object of strings"),
      m["keys"] === undefined ? null : keyLocations(m["keys"], "keys"),
    ),
  "heartbeat-worker": (m) =>
    first(
      required(m, "metrics", metrics, "worker metrics (managedBytes, rss, executing, ready, inMemory; cpuPercent ≥ 0 if given)"),
      m["spans"] === undefined ? null : activitySpans(m["spans"], "spans"),
      optional(m, "droppedSpans", (x) => isInt(x) && (x as number) >= 0, "an integer ≥ 0"),
    ),
  "task-finished": (m) => finishedList(m["tasks"], "tasks", false),
  "task-erred": (m) => finishedList(m["tasks"], "tasks", true),
  "steal-response": (m) => first(strArray(m["released"], "released"), strArray(m["kept"], "kept")),
  "missing-data": (m) => first(strArray(m["keys"], "keys"), required(m, "worker", isStr, "a string")),
  "add-keys": (m) => keyLocations(m["keys"], "keys"),
  "release-worker-data": (m) => strArray(m["keys"], "keys"),
  "retire-me": (m) => optional(m, "reason", isStr, "a string"),
  "file-uploaded": (m) => first(required(m, "name", isStr, "a string"), optional(m, "path", isStr, "a string"), optional(m, "error", isStr, "a string")),
};

/** An uploaded file's name: plain parts joined by '/' (no '..', nothing absolute or hidden). */
const UPLOAD_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}(\/[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}){0,15}$/;

/** An uploaded file: its name and its bytes. */
const uploadFile = (m: Rec): string | null =>
  first(
    required(m, "name", (x) => isStr(x) && UPLOAD_NAME.test(x), "a relative file name of plain parts (letters, digits, '_', '.', '-') joined by '/'"),
    required(m, "data", (x) => x instanceof Uint8Array, "bytes (a Uint8Array)"),
    required(m, "load", (x) => typeof x === "boolean", "a boolean"),
    optional(m, "sourceUrl", isStr, "a string"),
  );

const CLIENT_TO_SCHEDULER: Record<string, Check> = {
  "register-client": (m) => optional(m, "name", isStr, "a string"),
  "update-graph": (m, limits) =>
    first(
      taskList(m["tasks"], "tasks", "wire", limits),
      optional(m, "functions", Array.isArray, "an array"),
      wantedKeys(m["wanted"], limits),
      optional(m, "priority", isNum, "a number"),
      optional(m, "retries", (x) => isInt(x) && (x as number) >= 0, "an integer ≥ 0"),
    ),
  "client-desires-keys": (m) => strArray(m["keys"], "keys"),
  "client-releases-keys": (m) => strArray(m["keys"], "keys"),
  "cancel-keys": (m) => strArray(m["keys"], "keys"),
  "who-has": (m) => first(required(m, "id", isInt, "an integer"), strArray(m["keys"], "keys")),
  "task-stream": (m) =>
    first(
      required(m, "id", isInt, "an integer"),
      required(m, "action", (x) => x === "start" || x === "stop", "start or stop"),
      optional(m, "position", (x) => isInt(x) && (x as number) >= 0, "an integer ≥ 0"),
    ),
  "count-done": (m) => first(required(m, "id", isInt, "an integer"), strArray(m["keys"], "keys")),
  "scheduler-info": (m) =>
    first(
      required(m, "id", isInt, "an integer"),
      optional(m, "gc", (x) => typeof x === "boolean", "a boolean"),
      optional(m, "targetDurationS", (x) => isNum(x) && (x as number) > 0, "a number > 0"),
    ),
  rebalance: (m) =>
    first(
      required(m, "id", isInt, "an integer"),
      m["keys"] === undefined ? null : strArray(m["keys"], "keys"),
      m["workers"] === undefined ? null : strArray(m["workers"], "workers"),
    ),
  "upload-file": (m) => first(required(m, "id", isInt, "an integer"), uploadFile(m)),
  "retire-workers": (m) =>
    first(
      required(m, "id", isInt, "an integer"),
      m["names"] === undefined ? null : strArray(m["names"], "names"),
      m["addresses"] === undefined ? null : strArray(m["addresses"], "addresses"),
      optional(m, "closeWorkers", (x) => typeof x === "boolean", "a boolean"),
    ),
};

const SCHEDULER_TO_WORKER: Record<string, Check> = {
  "worker-registered": (m) => required(m, "heartbeatIntervalMs", (x) => isNum(x) && (x as number) > 0, "a number > 0"),
  "register-refused": (m) => required(m, "reason", isStr, "a string"),
  "compute-tasks": (m, limits) =>
    first(
      taskList(m["tasks"], "tasks", "compute", limits),
      whoHas(m["whoHas"], "whoHas"),
      optional(m, "functions", Array.isArray, "an array"),
      optional(m, "nbytes", (v) => isRec(v) && Object.values(v).every(isNum), "an object of key → bytes"),
    ),
  "free-keys": (m) => strArray(m["keys"], "keys"),
  "steal-request": (m) => strArray(m["keys"], "keys"),
  "acquire-replicas": (m) => whoHas(m["whoHas"], "whoHas"),
  "upload-file": uploadFile,
  "close-worker": (m) => optional(m, "reason", isStr, "a string"),
};

const PEER_TO_WORKER: Record<string, Check> = {
  "get-data": (m) => first(required(m, "id", isInt, "an integer"), strArray(m["keys"], "keys")),
};

function check(table: Record<string, Check>, msg: unknown, from: string, limits: PeerLimits): string | null {
  if (!isRec(msg) || !isStr(msg["op"])) return `a message from ${from} must be an object with a string 'op'`;
  const op = msg["op"];
  const c = Object.prototype.hasOwnProperty.call(table, op) ? table[op] : undefined;
  if (c === undefined) return `unknown op '${op.slice(0, 64)}' from ${from}`;
  // depth first: the field checks below recurse into what they check
  const r = valueShapeProblem(msg, limits.maxDepth) ?? c(msg, limits);
  return r === null ? null : `invalid '${op}' message from ${from}: ${r}`;
}

/** Messages a worker sends the scheduler. */
export const invalidWorkerMessage = (msg: unknown, limits: PeerLimits = DEFAULT_PEER_LIMITS): string | null => check(WORKER_TO_SCHEDULER, msg, "a worker", limits);
/** Messages a client sends the scheduler. */
export const invalidClientMessage = (msg: unknown, limits: PeerLimits = DEFAULT_PEER_LIMITS): string | null => check(CLIENT_TO_SCHEDULER, msg, "a client", limits);
/** Messages the scheduler sends a worker. */
export const invalidSchedulerMessage = (msg: unknown, limits: PeerLimits = DEFAULT_PEER_LIMITS): string | null =>
  check(SCHEDULER_TO_WORKER, msg, "the scheduler", limits);
/** Requests a peer worker or a client sends to a worker's port. */
export const invalidPeerMessage = (msg: unknown, limits: PeerLimits = DEFAULT_PEER_LIMITS): string | null => check(PEER_TO_WORKER, msg, "a peer", limits);

/**
 * A log line per refused message, but at most one a second per process (with the count refused
 * meanwhile): a flood of bad messages must not become a flood of log lines.
 */
export { RefusalLog, type RefusalLogOptions, type RefusalWarn } from "./refusal-log.js";
