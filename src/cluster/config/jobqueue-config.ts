/**
 * Site configuration like dask's jobqueue.yaml: per batch system defaults that explicit arguments
 * override. Sources, later ones winning:
 *   1. ~/.config/tessera/jobqueue.yaml (the user's file; TESSERA_CONFIG_DIR replaces ~/.config/tessera)
 *   2. the file(s) named by TESSERA_JOBQUEUE_CONFIG (':'-separated)
 *   3. environment overrides TESSERA_JOBQUEUE__<SYSTEM>__<KEY>=value, e.g. TESSERA_JOBQUEUE__SLURM__CORES=4
 *      (values are read as YAML: 4, '4GB', [a, b]; nested keys with more '__': …__SCHEDULER_OPTIONS__HOST)
 * File layout (keys in kebab-case as dask writes them, or camelCase):
 *   jobqueue:
 *     slurm:
 *       cores: 2
 *       memory: 4GB
 *       job-extra-directives: ['--exclusive']
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { checkOptionNames, type JobQueueOptions } from "../jobqueue/options.js";
import { JobQueueConfigError } from "../jobqueue/errors.js";

/** 'job-extra-directives' / 'job_extra_directives' / 'JOB_EXTRA_DIRECTIVES' → 'jobExtraDirectives'. */
export function camelKey(k: string): string {
  const parts = k.split(/[-_]/).filter(Boolean);
  if (parts.length <= 1 && /[a-z]/.test(k)) return k; // already camelCase or one word
  return parts.map((p, i) => (i === 0 ? p.toLowerCase() : p[0]!.toUpperCase() + p.slice(1).toLowerCase())).join("");
}

function camelObject(v: unknown): unknown {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [camelKey(k), camelObject(x)]));
}

export interface ConfigSource {
  /** Where the values came from (a path or 'environment'). */
  readonly origin: string;
  readonly options: JobQueueOptions;
}

/** The section for `system` of one parsed YAML document (with or without the top-level `jobqueue:`). */
export function sectionFromDocument(doc: unknown, system: string, origin: string, extraNames: readonly string[] = []): JobQueueOptions {
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new JobQueueConfigError(`${origin}: expected a mapping like 'jobqueue: {${system}: {cores: 2, memory: 4GB}}'`);
  }
  const root = (doc as Record<string, unknown>)["jobqueue"] ?? doc;
  if (typeof root !== "object" || root === null) return {};
  const section = (root as Record<string, unknown>)[system];
  if (section === undefined || section === null) return {};
  if (typeof section !== "object" || Array.isArray(section)) {
    throw new JobQueueConfigError(`${origin}: 'jobqueue.${system}' must be a mapping of options, got ${JSON.stringify(section)}`);
  }
  const options = camelObject(section) as Record<string, unknown>;
  // dask's 'python' is our 'command'; 'name' in dask's yaml is the job name.
  if ("python" in options) {
    options["command"] ??= options["python"];
    delete options["python"];
  }
  checkOptionNames(options, `${origin} (jobqueue.${system})`, extraNames);
  return options as JobQueueOptions;
}

export function readConfigFile(path: string, system: string, extraNames: readonly string[] = []): JobQueueOptions {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new JobQueueConfigError(`cannot read the jobqueue config '${path}': ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new JobQueueConfigError(`the jobqueue config '${path}' is not valid YAML: ${(e as Error).message}`);
  }
  return sectionFromDocument(doc, system, path, extraNames);
}

/** TESSERA_JOBQUEUE__<SYSTEM>__<KEY>[__<SUBKEY>] variables for `system`. */
export function optionsFromEnv(env: NodeJS.ProcessEnv, system: string, extraNames: readonly string[] = []): JobQueueOptions {
  const prefix = `TESSERA_JOBQUEUE__${system.toUpperCase()}__`;
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(prefix) || raw === undefined) continue;
    const path = name.slice(prefix.length).split("__").map(camelKey);
    let value: unknown;
    try {
      value = parseYaml(raw);
    } catch {
      value = raw;
    }
    let obj = out;
    for (const k of path.slice(0, -1)) obj = (obj[k] ??= {}) as Record<string, unknown>;
    obj[path[path.length - 1]!] = value;
  }
  checkOptionNames(out, `environment (${prefix}*)`, extraNames);
  return out as JobQueueOptions;
}

export function userConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env["TESSERA_CONFIG_DIR"] ?? join(env["HOME"] ?? homedir(), ".config", "tessera"), "jobqueue.yaml");
}

/** All sources for `system`, lowest priority first. */
export function configSources(system: string, env: NodeJS.ProcessEnv = process.env, extraNames: readonly string[] = []): ConfigSource[] {
  const sources: ConfigSource[] = [];
  const user = userConfigPath(env);
  if (existsSync(user)) sources.push({ origin: user, options: readConfigFile(user, system, extraNames) });
  for (const p of (env["TESSERA_JOBQUEUE_CONFIG"] ?? "").split(":").filter(Boolean)) {
    if (!existsSync(p)) throw new JobQueueConfigError(`TESSERA_JOBQUEUE_CONFIG names '${p}', which does not exist`);
    sources.push({ origin: p, options: readConfigFile(p, system, extraNames) });
  }
  const fromEnv = optionsFromEnv(env, system, extraNames);
  if (Object.keys(fromEnv).length > 0) sources.push({ origin: "environment", options: fromEnv });
  return sources;
}

/** The merged site defaults for `system` (schedulerOptions merged key by key). */
/** `extraNames`: options only this batch system has (SGE's resourceSpec, LSF's lsfUnits…). */
export function loadJobQueueConfig(system: string, env: NodeJS.ProcessEnv = process.env, extraNames: readonly string[] = []): JobQueueOptions {
  let merged: JobQueueOptions = {};
  for (const s of configSources(system, env, extraNames)) {
    const schedulerOptions =
      merged.schedulerOptions || s.options.schedulerOptions ? { ...merged.schedulerOptions, ...s.options.schedulerOptions } : undefined;
    merged = { ...merged, ...s.options };
    if (schedulerOptions) merged.schedulerOptions = schedulerOptions;
  }
  return merged;
}
