/**
 * Files uploaded by clients (client.uploadFile), kept so that workers joining later get them too
 * (Dask's UploadFile worker plugin), and the answers awaited from the workers they were sent to.
 */
import type { FileUploadedMsg, UploadFileMsg } from "../protocol/messages.js";
import { TesseraError } from "../util/errors.js";

/** A worker could not write or import an uploaded file, or did not answer in time. */
export class UploadError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_UPLOAD", message);
  }
}

type Answer = { path: string } | { error: string };

export class UploadRegistry {
  /** By file name: uploading the same name again replaces it. */
  readonly files = new Map<string, UploadFileMsg>();
  readonly #waiting = new Map<string, (a: Answer) => void>();

  add(msg: UploadFileMsg): void {
    this.files.delete(msg.name); // newest last: workers joining later load them in upload order
    this.files.set(msg.name, msg);
  }

  /** Resolves with the worker's answer about `name` (or an error once `timeoutMs` passed or it left). */
  answerFrom(worker: string, name: string, timeoutMs: number): Promise<Answer> {
    const id = `${worker}\n${name}`;
    this.#waiting.get(id)?.({ error: "uploaded again before it answered" });
    return new Promise<Answer>((resolve) => {
      const t = setTimeout(() => settle({ error: `no answer within ${timeoutMs} ms` }), timeoutMs);
      const settle = (a: Answer): void => {
        clearTimeout(t);
        if (this.#waiting.get(id) === settle) this.#waiting.delete(id);
        resolve(a);
      };
      this.#waiting.set(id, settle);
    });
  }

  answered(worker: string, msg: FileUploadedMsg): void {
    const w = this.#waiting.get(`${worker}\n${msg.name}`);
    w?.(msg.error !== undefined ? { error: msg.error } : { path: msg.path ?? "" });
  }

  /** A worker left: its answers will not come. */
  workerLeft(worker: string): void {
    for (const [id, settle] of [...this.#waiting]) if (id.startsWith(`${worker}\n`)) settle({ error: "the worker left" });
  }
}
