/**
 * Files that clients upload (client.uploadFile) for code that is not on a shared filesystem, as
 * Dask's upload_file: each is written to this worker's upload directory (under its local directory,
 * else a temporary one, removed when the worker closes). JavaScript modules are then handed to the
 * task threads, which import them when asked (a module registering ops with registerOp) and load the
 * copy for functions tagged with remote() in the client's file. Tasks wait while an upload is loading.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, sep } from "node:path";
import { UsageError } from "../util/errors.js";
import { pathToFileURL } from "node:url";
import type { UploadFileMsg } from "../protocol/messages.js";
import type { UploadedModule } from "./executor/index.js";

const MODULE_FILE = /\.(m?js|cjs)$/;

export class Uploads {
  readonly #localDirectory: string | undefined;
  #dir: Promise<string> | undefined;
  #pending = 0;
  #chain: Promise<unknown> = Promise.resolve();
  #count = 0;

  constructor(localDirectory: string | undefined) {
    this.#localDirectory = localDirectory;
  }

  /** An upload is being written or loaded. */
  get busy(): boolean {
    return this.#pending > 0;
  }

  /** Resolves once no upload is in progress. */
  async settled(): Promise<void> {
    while (this.#pending > 0) await this.#chain.catch(() => undefined);
  }

  /** Where uploads go (created on first use). */
  directory(): Promise<string> {
    this.#dir ??= (async () => {
      if (this.#localDirectory !== undefined) {
        const d = join(this.#localDirectory, `tessera-uploads-${process.pid}`);
        await mkdir(d, { recursive: true });
        return d;
      }
      return mkdtemp(join(tmpdir(), "tessera-uploads-"));
    })();
    return this.#dir;
  }

  /** Write `msg`'s file, then `load` it if it is a module; resolves with the path written. One at a time, in order. */
  receive(msg: UploadFileMsg, load: (m: UploadedModule) => Promise<void>): Promise<string> {
    this.#pending++;
    const run = async (): Promise<string> => {
      const dir = await this.directory();
      const path = join(dir, msg.name);
      // Names were checked at the scheduler (plain parts, no '..'); never write outside anyway.
      if (!path.startsWith(dir + sep)) throw new UsageError(`upload name '${msg.name}' leaves the upload directory`);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, msg.data);
      if (MODULE_FILE.test(msg.name) || msg.sourceUrl !== undefined) {
        // A query per upload: uploading a changed module again imports the new one (imports are cached by URL).
        const url = `${pathToFileURL(path).href}?upload=${++this.#count}`;
        await load({ url, load: msg.load && MODULE_FILE.test(msg.name), ...(msg.sourceUrl !== undefined ? { sourceUrl: msg.sourceUrl } : {}) });
      }
      return path;
    };
    const p = this.#chain.then(run, run).finally(() => this.#pending--);
    this.#chain = p;
    return p;
  }

  async close(): Promise<void> {
    if (this.#dir === undefined) return;
    const d = await this.#dir.catch(() => undefined);
    if (d !== undefined) await rm(d, { recursive: true, force: true });
  }
}
