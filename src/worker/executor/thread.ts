/**
 * Entry point of a task thread. Receives batches of tasks, runs them one at a time in order
 * (awaiting ops that return promises), and posts results back in batches: at the end of each batch,
 * or sooner once a millisecond has passed, so that trivial tasks cost one message per batch while
 * long tasks report as soon as they finish.
 */
import { parentPort, workerData } from "node:worker_threads";
import { importBuiltinOps } from "../../graph/builtin-op-modules.js";
import { getOp, registerOp } from "../../graph/ops.js";
import { UsageError } from "../../util/errors.js";
import { aliasModule, cachedFunction, loadFunction, isFunctionDescriptor } from "../../graph/function-descriptor.js";
import { nbytes } from "./nbytes.js";
import { nowSeconds } from "./clock.js";
import { prepareResult, type ResultTransport } from "./transport.js";
import { allocateSharedAbove } from "../../util/shared-memory.js";
import { DEFAULT_RELEASE_GC_BYTES, ReleaseTracker } from "./gc.js";
import type { MainToThread, ResultEntry, RunBatch, TaskErrorInfo, ThreadInit, ThreadToMain, UploadedModule } from "./types.js";

const port = parentPort!;
const init = workerData as ThreadInit & { resultTransport: ResultTransport };
const current = init.current;
const FLUSH_AFTER_S = 0.001;
/** Inputs and results this thread has finished with: collected now and then, so their shared memory returns. */
const releases = new ReleaseTracker(DEFAULT_RELEASE_GC_BYTES, true);

function errorInfo(e: unknown, key: string): TaskErrorInfo {
  if (e instanceof Error) {
    return { name: e.name, message: e.message, stack: e.stack ?? `${e.name}: ${e.message}`, key };
  }
  const message = typeof e === "string" ? e : (() => { try { return JSON.stringify(e); } catch { return String(e); } })();
  return { name: "Error", message: `non-Error thrown: ${message}`, stack: `Error: non-Error thrown: ${message}`, key };
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

/** Run one task; returns the op's value or a promise of it. */
function invoke(op: string, args: unknown[]): unknown {
  if (op === "call") {
    const desc = args[0];
    if (!isFunctionDescriptor(desc)) throw new UsageError(`op 'call' needs a function descriptor as its first argument, got ${typeof desc}`);
    const fn = cachedFunction(desc);
    if (fn) return fn(...args.slice(1));
    return loadFunction(desc).then((f) => f(...args.slice(1)));
  }
  return getOp(op)(...args);
}

let results: ResultEntry[] = [];
let transfers: ArrayBuffer[] = [];
let lastFlush = nowSeconds();

function flush(): void {
  if (results.length === 0) return;
  const msg: ThreadToMain = { type: "results", results };
  try {
    port.postMessage(msg, transfers);
  } catch {
    // Some value cannot be cloned: send one by one, turning the unclonable ones into errors.
    for (const r of results) {
      try {
        port.postMessage({ type: "results", results: [r] } satisfies ThreadToMain);
      } catch (e) {
        const err: TaskErrorInfo = {
          name: "DataCloneError",
          message: `task result cannot be sent between threads (${(e as Error).message}); return plain data or typed arrays`,
          stack: (e as Error).stack ?? "",
          key: "",
        };
        port.postMessage({ type: "results", results: [[r[0], 1, err, 0, r[4], r[5]]] } satisfies ThreadToMain);
      }
    }
  }
  results = [];
  transfers = [];
  lastFlush = nowSeconds();
}

let queue: RunBatch["tasks"] = [];
let head = 0;
let draining = false;

async function drain(): Promise<void> {
  draining = true;
  while (head < queue.length) {
    const [id, key, op, args] = queue[head]!;
    queue[head++] = undefined as never; // let the arguments be collected
    Atomics.store(current, 0, id);
    const start = nowSeconds();
    try {
      let value = invoke(op, args);
      if (isThenable(value)) value = await value;
      const stop = nowSeconds();
      const size = nbytes(value);
      const prepared = prepareResult(value, init.resultTransport, init.shareThresholdBytes);
      for (const b of prepared.transfer) transfers.push(b);
      results.push([id, 0, prepared.value, size, start, stop]);
    } catch (e) {
      results.push([id, 1, errorInfo(e, key), 0, start, nowSeconds()]);
    }
    Atomics.store(current, 0, -1);
    if (nowSeconds() - lastFlush >= FLUSH_AFTER_S) flush();
    // The inputs are dropped now, and the result once posted (the main thread holds its own handle).
    const last = results[results.length - 1];
    releases.released(nbytes(args) + (last !== undefined && last[0] === id && last[1] === 0 ? last[3] : 0));
  }
  queue = [];
  head = 0;
  flush();
  draining = false;
}

/** A module a client uploaded (client.uploadFile): its client URL now means this copy; import it if asked. */
async function useUploaded(m: UploadedModule): Promise<void> {
  if (m.sourceUrl !== undefined) aliasModule(m.sourceUrl, m.url);
  if (!m.load) return;
  // Ops come from the module's `ops` export ({name: function}), registered here explicitly: the
  // module needs no import of Tessera (there is none beside the upload directory).
  const mod = (await import(m.url)) as { ops?: unknown };
  if (mod.ops === undefined) return;
  if (typeof mod.ops !== "object" || mod.ops === null) throw new UsageError(`its 'ops' export must be an object of op name → function, got ${typeof mod.ops}`);
  for (const [name, fn] of Object.entries(mod.ops)) {
    if (typeof fn !== "function") throw new UsageError(`its 'ops' export has '${name}' = ${typeof fn}, not a function`);
    registerOp(name, fn as (...args: unknown[]) => unknown, { replace: true });
  }
}

async function main(): Promise<void> {
  // Kernels allocating through util/shared-memory.ts write big results straight into shared memory.
  if (init.resultTransport === "shared") allocateSharedAbove(init.shareThresholdBytes);
  try {
    await importBuiltinOps();
    for (const m of init.opModules) await import(m);
    for (const m of init.uploaded) await useUploaded(m);
  } catch (e) {
    port.postMessage({ type: "startup-failed", error: errorInfo(e, "") } satisfies ThreadToMain);
    return;
  }
  port.on("message", (msg: MainToThread) => {
    if (msg.type === "load") {
      useUploaded(msg.module).then(
        () => port.postMessage({ type: "loaded", id: msg.id } satisfies ThreadToMain),
        (e: Error) => port.postMessage({ type: "loaded", id: msg.id, error: `${e.name}: ${e.message}` } satisfies ThreadToMain),
      );
      return;
    }
    if (msg.type !== "run") return;
    if (queue.length === 0) queue = msg.tasks;
    else for (const t of msg.tasks) queue.push(t);
    if (!draining) void drain();
  });
  port.postMessage({ type: "ready" } satisfies ThreadToMain);
}

void main();
