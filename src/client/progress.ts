/**
 * Progress displays. A ProgressReporter gets start(total), update(done, total) and end(); the default
 * is a terminal bar on stderr. Other displays (e.g. a notebook widget) implement the same interface
 * and are passed as `reporter` to `progress()` or to `compute({progress})`.
 */

export interface ProgressReporter {
  start(total: number, label?: string): void;
  update(done: number, total: number): void;
  end(ok: boolean): void;
}

/** A one-line bar on a terminal stream (stderr by default); silent if the stream is not a TTY unless forced. */
export function terminalProgress(opts: { stream?: NodeJS.WritableStream & { isTTY?: boolean }; width?: number; force?: boolean } = {}): ProgressReporter {
  const stream = opts.stream ?? process.stderr;
  const width = opts.width ?? 30;
  const on = opts.force === true || stream.isTTY === true;
  let label = "";
  let last = -1;
  let t0 = 0;
  return {
    start(total, l) {
      label = l ?? "";
      last = -1;
      t0 = Date.now();
      this.update(0, total);
    },
    update(done, total) {
      const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
      if (pct === last) return;
      last = pct;
      if (!on) return;
      const fill = Math.round((width * pct) / 100);
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      stream.write(`\r${label ? `${label} ` : ""}[${"#".repeat(fill)}${" ".repeat(width - fill)}] ${String(pct).padStart(3)}% ${done}/${total} tasks ${secs}s`);
    },
    end() {
      if (on && last >= 0) stream.write("\r\x1b[2K");
    },
  };
}
