/** One pino JSON line as a human-readable line: `12:03:04.567 INFO  tessera.scheduler: message key=value`. */

const LEVEL_NAMES: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
const LEVEL_COLOURS: Record<number, string> = { 10: "90", 20: "36", 30: "32", 40: "33", 50: "31", 60: "35" };
/** Fields shown elsewhere in the line (or noise on a terminal). */
const HIDDEN = new Set(["level", "time", "msg", "name", "pid", "hostname", "v"]);

function show(v: unknown): string {
  if (typeof v === "string") return /[\s"=]/.test(v) || v === "" ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

export function prettyLine(json: string, colour: boolean): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith("\n") ? json : `${json}\n`;
  }
  const level = typeof o["level"] === "number" ? o["level"] : 30;
  const t = typeof o["time"] === "number" ? new Date(o["time"]) : new Date();
  const time = `${String(t.getHours()).padStart(2, "0")}:${String(t.getMinutes()).padStart(2, "0")}:${String(t.getSeconds()).padStart(2, "0")}.${String(t.getMilliseconds()).padStart(3, "0")}`;
  let lvl = (LEVEL_NAMES[level] ?? String(level)).padEnd(5);
  if (colour) lvl = `\x1b[${LEVEL_COLOURS[level] ?? "0"}m${lvl}\x1b[0m`;
  const name = typeof o["name"] === "string" ? `${o["name"]}: ` : "";
  const fields: string[] = [];
  let stack = "";
  for (const [k, v] of Object.entries(o)) {
    if (HIDDEN.has(k)) continue;
    if (k === "err" && v !== null && typeof v === "object" && typeof (v as { stack?: unknown }).stack === "string") {
      stack = `\n    ${(v as { stack: string }).stack.split("\n").join("\n    ")}`;
      continue;
    }
    fields.push(`${k}=${show(v)}`);
  }
  const msg = typeof o["msg"] === "string" ? o["msg"] : "";
  return `${time} ${lvl} ${name}${msg}${fields.length ? ` ${fields.join(" ")}` : ""}${stack}\n`;
}
