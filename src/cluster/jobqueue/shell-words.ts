/**
 * Values that reach a job script. Directives and lines must stay one line (a newline in `queue` would
 * start a shell line of its own); words of the worker command are quoted so that spaces and shell
 * characters stay data. Some values are kept for the shell to expand on purpose (`$TMPDIR`,
 * `/scratch/$USER`): those are double-quoted, which expands `$VAR` and `${VAR}`, and command
 * substitution (`$(…)`, backquotes) is refused in them. Pure.
 */

/** Characters no directive or script line may hold: newlines, carriage returns, NUL and other controls (tab aside). */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** Null when `v` may go into a job script as (part of) one line, else why not. */
export function lineProblem(v: string): string | null {
  const m = CONTROL.exec(v);
  if (m === null) return null;
  const c = m[0]!;
  const name = c === "\n" ? "a newline" : c === "\r" ? "a carriage return" : c === "\0" ? "a NUL byte" : `the control character U+${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  return `it holds ${name}, which would break the job script's lines (one value, one line)`;
}

/** Characters that need no quoting at all in a shell word. */
const PLAIN = /^[A-Za-z0-9_\/.:,=+@%^-]+$/;

/** One word, taken literally by the shell (single quotes when needed). */
export function quoteLiteral(v: string): string {
  if (v !== "" && PLAIN.test(v)) return v;
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

/** Null when `v` may be a word the shell expands ($VAR only), else why not. */
export function expandableProblem(v: string): string | null {
  if (/\$\(|`/.test(v)) return "it holds command substitution ($(…) or backquotes); only $VAR and ${VAR} are expanded in this value";
  return lineProblem(v);
}

/** One word in which the shell expands $VAR / ${VAR} and nothing else (check expandableProblem first). */
export function quoteExpandable(v: string): string {
  if (v !== "" && PLAIN.test(v)) return v;
  return `"${v.replace(/["\\`]/g, "\\$&")}"`;
}
