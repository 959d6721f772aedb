/**
 * The Tessera kernel: Jupyter's five channels on ZMTP sockets, one execute request at a time, cells
 * run as scripts in this process (so `tessera` objects are the real ones, state persists between
 * cells), output and displays sent on iopub with the request as parent.
 *
 * Interrupts (interrupt_mode "message": an `interrupt_request` on the control channel) cancel every
 * pending future of the notebook's clients and end the running cell with KeyboardInterrupt; the
 * kernel stays usable. Shutdown (and restart) closes the notebook's clients and clusters first, so
 * no worker process or batch job outlives the kernel.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire, builtinModules } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { runInThisContext } from "node:vm";
import { inspect } from "node:util";
import { setDefaultProgress } from "../../graph/default-executor.js";
import { DisplayRegistry, type MimeBundle } from "../display-registry.js";
import { notebookProgress, type DisplaySink } from "../progress.js";
import { registerTesseraDisplays } from "../tessera-displays.js";
import { compileCell } from "./cell.js";
import { closeAll, findResources } from "./resources.js";
import { TaskEvents } from "../task-events.js";
import { LocalCluster } from "../../cluster/local.js";
import { decode, encode, newHeader, PROTOCOL_VERSION, type JupyterMessage } from "./wire.js";
import { ZmtpSocket, type ZmtpPeer } from "./zmtp.js";
import { TesseraError } from "../../util/errors.js";

export interface ConnectionInfo {
  ip: string;
  transport: string;
  key: string;
  signature_scheme: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
}

export function readConnectionFile(path: string): ConnectionInfo {
  const info = JSON.parse(readFileSync(path, "utf8")) as ConnectionInfo;
  if (info.transport !== "tcp") throw new TesseraError("TESSERA_ERR_KERNEL_CONFIG", `connection file ${path}: transport '${info.transport}' is not supported; use tcp`);
  if (info.key !== "" && info.signature_scheme !== "hmac-sha256") {
    throw new TesseraError("TESSERA_ERR_KERNEL_CONFIG", `connection file ${path}: signature scheme '${info.signature_scheme}' is not supported; use hmac-sha256`);
  }
  return info;
}

class KeyboardInterrupt extends TesseraError {
  constructor() {
    super("TESSERA_ERR_INTERRUPTED", "the cell was interrupted; its running futures were cancelled");
    this.name = "KeyboardInterrupt";
  }
}

const VERSION = (createRequire(import.meta.url)("../../../../package.json") as { version: string }).version;

export class Kernel {
  readonly session = randomUUID();
  readonly #info: ConnectionInfo;
  readonly #shell = new ZmtpSocket("ROUTER");
  readonly #control = new ZmtpSocket("ROUTER");
  readonly #stdin = new ZmtpSocket("ROUTER");
  readonly #iopub = new ZmtpSocket("PUB");
  readonly #hb = new ZmtpSocket("REP");
  readonly #displays = registerTesseraDisplays(new DisplayRegistry());
  /** Every top-level name cells declared (where clients and clusters are looked for). */
  readonly #names = new Set<string>();
  readonly #events = new WeakMap<object, TaskEvents>();
  #count = 0;
  #queue: Promise<void> = Promise.resolve();
  /** The request whose outputs we are sending (the last one, for output after a cell ended). */
  #parent: JupyterMessage | undefined;
  #interrupt: (() => void) | undefined;
  #shuttingDown = false;
  onExit: (code: number) => void = (code) => process.exit(code);

  constructor(info: ConnectionInfo) {
    this.#info = info;
  }

  async start(): Promise<void> {
    const { ip } = this.#info;
    await this.#shell.bind(ip, this.#info.shell_port);
    await this.#control.bind(ip, this.#info.control_port);
    await this.#stdin.bind(ip, this.#info.stdin_port);
    await this.#iopub.bind(ip, this.#info.iopub_port);
    await this.#hb.bind(ip, this.#info.hb_port);
    this.#hb.onMessage = (frames, peer) => peer.send(frames);
    this.#shell.onMessage = (frames, peer) => this.#receive(frames, peer, "shell");
    this.#control.onMessage = (frames, peer) => this.#receive(frames, peer, "control");
    for (const s of [this.#shell, this.#control, this.#stdin, this.#iopub, this.#hb]) s.onError = (err) => process.stderr.write(`tessera kernel: ${err.message}\n`);
    this.#captureOutput();
    (globalThis as Record<string, unknown>)["__tessera"] = {
      import: (spec: string) => this.#import(spec),
    };
    (globalThis as Record<string, unknown>)["display"] = (value: unknown, opts: { displayId?: string; update?: boolean } = {}) => this.display(value, opts);
    setDefaultProgress(notebookProgress(() => this.#sink(), () => this.#taskEvents()));
    this.#publish("status", { execution_state: "starting" });
  }

  /** Show a value now (like IPython's display()); with a displayId, `update: true` replaces that display. */
  display(value: unknown, opts: { displayId?: string; update?: boolean } = {}): void {
    const data = this.#displays.bundle(value);
    const transient = opts.displayId ? { display_id: opts.displayId } : {};
    this.#publish(opts.update ? "update_display_data" : "display_data", { data, metadata: {}, transient });
  }

  /** Per-task events from the notebook's in-process schedulers (a plugin added once per cluster). */
  #taskEvents(): TaskEvents[] {
    const out: TaskEvents[] = [];
    for (const c of findResources(this.#names).clusters) {
      let ev = this.#events.get(c);
      if (!ev) {
        ev = new TaskEvents();
        try {
          if (c instanceof LocalCluster) c.scheduler.addPlugin(ev);
          else c.addSchedulerPlugin(ev);
        } catch {
          continue; // not started, or closed
        }
        this.#events.set(c, ev);
      }
      out.push(ev);
    }
    return out;
  }

  #sink(): DisplaySink | undefined {
    if (!this.#parent) return undefined;
    return {
      display: (data: MimeBundle, id: string) => this.#publish("display_data", { data, metadata: {}, transient: { display_id: id } }),
      update: (data: MimeBundle, id: string) => this.#publish("update_display_data", { data, metadata: {}, transient: { display_id: id } }),
    };
  }

  async #import(spec: string): Promise<unknown> {
    if (spec === "tessera" || spec.startsWith("tessera/") || spec.startsWith("node:") || builtinModules.includes(spec)) return import(spec);
    // Anything else as the notebook's directory sees it (its node_modules, relative files).
    const req = createRequire(join(process.cwd(), "notebook.js"));
    return import(pathToFileURL(req.resolve(spec)).href);
  }

  #captureOutput(): void {
    for (const name of ["stdout", "stderr"] as const) {
      const stream = process[name];
      const original = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        if (this.#parent) {
          const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
          this.#publish("stream", { name, text });
          const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
          cb?.();
          return true;
        }
        return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
    }
  }

  #publish(msgType: string, content: Record<string, unknown>, parent = this.#parent): void {
    const header = newHeader(msgType, this.session);
    const topic = Buffer.from(`kernel.${this.session}.${msgType}`);
    this.#iopub.broadcast(encode({ ids: [topic], header, parent_header: parent?.header ?? {}, metadata: {}, content }, this.#info.key));
  }

  #reply(peer: ZmtpPeer, req: JupyterMessage, msgType: string, content: Record<string, unknown>): void {
    const header = newHeader(msgType, this.session);
    peer.send(encode({ ids: req.ids, header, parent_header: req.header, metadata: {}, content }, this.#info.key));
  }

  #receive(frames: Buffer[], peer: ZmtpPeer, channel: "shell" | "control"): void {
    let msg: JupyterMessage;
    try {
      msg = decode(frames, this.#info.key);
    } catch (err) {
      process.stderr.write(`tessera kernel: dropped a message on ${channel}: ${(err as Error).message}\n`);
      return;
    }
    const type = msg.header.msg_type;
    // Control messages never wait behind a running cell: that is what interrupts are for.
    if (channel === "control" || type === "kernel_info_request") {
      void this.#handle(msg, peer);
      return;
    }
    this.#queue = this.#queue.then(() => this.#handle(msg, peer)).catch((err: unknown) => {
      process.stderr.write(`tessera kernel: ${(err as Error).stack}\n`);
    });
  }

  async #handle(msg: JupyterMessage, peer: ZmtpPeer): Promise<void> {
    const type = msg.header.msg_type;
    this.#publish("status", { execution_state: "busy" }, msg);
    try {
      switch (type) {
        case "kernel_info_request":
          this.#reply(peer, msg, "kernel_info_reply", this.#kernelInfo());
          break;
        case "execute_request":
          await this.#execute(msg, peer);
          break;
        case "is_complete_request":
          this.#reply(peer, msg, "is_complete_reply", { status: "complete" });
          break;
        case "complete_request":
          this.#reply(peer, msg, "complete_reply", this.#complete(String(msg.content["code"] ?? ""), Number(msg.content["cursor_pos"] ?? 0)));
          break;
        case "inspect_request":
          this.#reply(peer, msg, "inspect_reply", { status: "ok", found: false, data: {}, metadata: {} });
          break;
        case "history_request":
          this.#reply(peer, msg, "history_reply", { status: "ok", history: [] });
          break;
        case "comm_info_request":
          this.#reply(peer, msg, "comm_info_reply", { status: "ok", comms: {} });
          break;
        case "interrupt_request":
          this.interrupt();
          this.#reply(peer, msg, "interrupt_reply", { status: "ok" });
          break;
        case "shutdown_request":
          await this.shutdown();
          this.#reply(peer, msg, "shutdown_reply", { status: "ok", restart: Boolean(msg.content["restart"]) });
          setTimeout(() => this.onExit(0), 50);
          return;
        default:
          process.stderr.write(`tessera kernel: ignored a '${type}' message\n`);
      }
    } finally {
      this.#publish("status", { execution_state: "idle" }, msg);
    }
  }

  #kernelInfo(): Record<string, unknown> {
    const tsVersion = (() => {
      try {
        return (createRequire(import.meta.url)("typescript/package.json") as { version: string }).version;
      } catch {
        return "5";
      }
    })();
    return {
      status: "ok",
      protocol_version: PROTOCOL_VERSION,
      implementation: "tessera",
      implementation_version: VERSION,
      language_info: {
        name: "typescript",
        version: tsVersion,
        mimetype: "text/typescript",
        file_extension: ".ts",
        codemirror_mode: { name: "javascript", typescript: true },
      },
      banner: `Tessera ${VERSION} · TypeScript on Node.js ${process.version}`,
      help_links: [{ text: "Tessera notebook guide", url: "https://github.com/tessera/tessera/blob/main/docs/notebook.md" }],
    };
  }

  #complete(code: string, cursor: number): Record<string, unknown> {
    const before = code.slice(0, cursor);
    const m = /([A-Za-z_$][\w$]*)(?:\.([A-Za-z_$][\w$]*)?)?$/.exec(before);
    let matches: string[] = [];
    let start = cursor;
    if (m) {
      const g = globalThis as Record<string, unknown>;
      if (before.endsWith(".") || m[2] !== undefined) {
        const obj = g[m[1]!];
        const prefix = m[2] ?? "";
        start = cursor - prefix.length;
        if (obj !== null && obj !== undefined) {
          const keys = new Set<string>();
          for (let o: unknown = obj; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) for (const k of Object.getOwnPropertyNames(o)) keys.add(k);
          matches = [...keys].filter((k) => k.startsWith(prefix) && !k.startsWith("#")).sort();
        }
      } else {
        start = cursor - m[1]!.length;
        matches = [...this.#names, ...Object.getOwnPropertyNames(g)].filter((k) => k.startsWith(m[1]!)).sort();
      }
    }
    return { status: "ok", matches: [...new Set(matches)], cursor_start: start, cursor_end: cursor, metadata: {} };
  }

  async #execute(msg: JupyterMessage, peer: ZmtpPeer): Promise<void> {
    const code = String(msg.content["code"] ?? "");
    const silent = Boolean(msg.content["silent"]);
    const storeHistory = msg.content["store_history"] !== false;
    if (!silent && storeHistory) this.#count++;
    const n = this.#count;
    this.#parent = msg;
    this.#publish("execute_input", { code, execution_count: n });
    try {
      // Boxed: a Future is thenable, and returning it from an async function would await it.
      const value = (await this.#run(code))?.value;
      if (value !== undefined && !silent) this.#publish("execute_result", { execution_count: n, data: this.#displays.bundle(value), metadata: {} });
      this.#reply(peer, msg, "execute_reply", { status: "ok", execution_count: n, user_expressions: {}, payload: [] });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(inspect(err));
      const content = { ename: e.name, evalue: e.message, traceback: (e.stack ?? `${e.name}: ${e.message}`).split("\n") };
      this.#publish("error", content);
      this.#reply(peer, msg, "execute_reply", { status: "error", execution_count: n, ...content });
    }
  }

  /** Runs one cell; resolves with its value, boxed (undefined when it ends in a statement). */
  async #run(code: string): Promise<{ value: unknown } | undefined> {
    if (code.trim() === "") return undefined;
    const cell = compileCell(code);
    cell.names.forEach((x) => this.#names.add(x));
    const interrupted = new Promise<never>((_, reject) => (this.#interrupt = () => reject(new KeyboardInterrupt())));
    try {
      const result = runInThisContext(cell.script, { filename: `cell-${this.#count}.js` }) as Promise<{ value: unknown } | undefined>;
      result.catch(() => undefined); // after an interrupt nobody awaits it any more
      return await Promise.race([result, interrupted]);
    } finally {
      this.#interrupt = undefined;
    }
  }

  /** Cancels the notebook's pending futures and ends the running cell. */
  interrupt(): void {
    const { clients } = findResources(this.#names);
    for (const c of clients) {
      const keys = c.pendingKeys();
      if (keys.length) void c.cancelKeys(keys).catch(() => undefined);
    }
    this.#interrupt?.();
  }

  /** Closes the notebook's clients and clusters (SLURM jobs cancelled), then the sockets. */
  async shutdown(): Promise<void> {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    this.interrupt();
    setDefaultProgress(null);
    await closeAll(findResources(this.#names), 8000);
  }

  async close(): Promise<void> {
    for (const s of [this.#shell, this.#control, this.#stdin, this.#iopub, this.#hb]) await s.close();
  }
}
