/** A small parser for the Prometheus text exposition format, strict enough to catch malformed output. */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Parsed {
  samples: Sample[];
  types: Map<string, string>;
  helps: Map<string, string>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export function parsePrometheus(text: string): Parsed {
  if (!text.endsWith("\n")) throw new Error("exposition must end with a newline");
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  const lines = text.split("\n").slice(0, -1);
  lines.forEach((line, i) => {
    const where = `line ${i + 1} '${line}'`;
    if (line.startsWith("# HELP ")) {
      const [name, ...rest] = line.slice(7).split(" ");
      helps.set(name!, rest.join(" "));
      return;
    }
    if (line.startsWith("# TYPE ")) {
      const [name, type] = line.slice(7).split(" ");
      if (!NAME.test(name!) || !["counter", "gauge", "histogram", "summary", "untyped"].includes(type!)) throw new Error(`bad TYPE at ${where}`);
      if (types.has(name!)) throw new Error(`duplicate TYPE for ${name} at ${where}`);
      types.set(name!, type!);
      return;
    }
    if (line.startsWith("#") || line === "") return;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`bad sample at ${where}`);
    const labels: Record<string, string> = {};
    if (m[3]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
      let pos = 0;
      while (pos < m[3].length) {
        re.lastIndex = pos;
        const lm = re.exec(m[3]);
        if (!lm) throw new Error(`bad labels at ${where}`);
        labels[lm[1]!] = lm[2]!.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
        pos = re.lastIndex;
      }
    }
    const value = m[4] === "+Inf" ? Infinity : m[4] === "-Inf" ? -Infinity : Number(m[4]);
    if (Number.isNaN(value) && m[4] !== "NaN") throw new Error(`bad value at ${where}`);
    if (!types.has(m[1]!)) throw new Error(`sample before its TYPE at ${where}`);
    samples.push({ name: m[1]!, labels, value });
  });
  return { samples, types, helps };
}

/** The value of the one sample named `name` whose labels include `labels`. */
export function valueOf(p: Parsed, name: string, labels: Record<string, string> = {}): number {
  const hits = p.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length !== 1) throw new Error(`expected one sample ${name}${JSON.stringify(labels)}, found ${hits.length}`);
  return hits[0]!.value;
}
