/**
 * Options only one batch system has (SGE's resourceSpec, LSF's lsfUnits, HTCondor's disk…), declared
 * as data by each system and validated here. Values that reach a job script's header may not hold a
 * newline or NUL: one would start a new shell line in the script.
 */
import { JobQueueConfigError } from "./errors.js";
import type { SystemOptionsSpec } from "./options.js";

export type SystemOptionKind = "string" | "int" | "bool" | "strings";

function bad(name: string, value: unknown, expected: string): never {
  throw new JobQueueConfigError(`${name}: ${JSON.stringify(value)} is not valid; ${expected}`);
}

function checkLine(name: string, v: string): string {
  if (/[\n\r\0]/.test(v)) bad(name, v, "remove the newline / NUL (it would add a line to the job script)");
  return v;
}

/** A spec for these options; values absent stay absent (the system applies its defaults). */
export function defineSystemOptions(kinds: Readonly<Record<string, SystemOptionKind>>): SystemOptionsSpec {
  return {
    names: Object.keys(kinds),
    resolve(raw) {
      const out: Record<string, unknown> = {};
      for (const [name, v] of Object.entries(raw)) {
        if (v === undefined || v === null) continue;
        switch (kinds[name]) {
          case "string":
            if (typeof v !== "string" || v.trim() === "") bad(name, v, "use a non-empty string");
            out[name] = checkLine(name, v);
            break;
          case "int":
            if (typeof v !== "number" || !Number.isInteger(v) || v < 1) bad(name, v, "use a whole number ≥ 1");
            out[name] = v;
            break;
          case "bool":
            if (typeof v !== "boolean") bad(name, v, "use true or false");
            out[name] = v;
            break;
          case "strings":
            if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) bad(name, v, "use a list of strings");
            out[name] = (v as string[]).map((x) => checkLine(name, x));
            break;
          default:
            bad(name, v, "this option is not known here");
        }
      }
      return out;
    },
  };
}

/** Typed reads of resolved system options. */
export const systemString = (o: Readonly<Record<string, unknown>>, k: string): string | undefined => o[k] as string | undefined;
export const systemInt = (o: Readonly<Record<string, unknown>>, k: string): number | undefined => o[k] as number | undefined;
export const systemBool = (o: Readonly<Record<string, unknown>>, k: string): boolean | undefined => o[k] as boolean | undefined;
export const systemStrings = (o: Readonly<Record<string, unknown>>, k: string): readonly string[] => (o[k] as string[] | undefined) ?? [];
