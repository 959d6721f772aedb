/**
 * Pre-flight validation against `sinfo`: does the request fit a partition at all? Pure parsing and
 * checking; the cluster runs the command. Catches what would otherwise be an sbatch error or a job
 * PENDING forever: unknown partition, more cores than the largest node, more memory than a node has,
 * a walltime above the partition's limit.
 */
import type { ResolvedJobOptions } from "../jobqueue/options.js";
import { parseSlurmTime, slurmFormatBytesCeil } from "./slurm-system.js";

export interface PartitionInfo {
  name: string;
  isDefault: boolean;
  available: boolean;
  /** Largest CPU count of a node in the partition. */
  maxNodeCpus: number;
  /** Largest node memory in MiB. */
  maxNodeMemMiB: number;
  /** Time limit in seconds; undefined = unlimited. */
  timeLimitS: number | undefined;
  timeLimitText: string;
  nodes: number;
}

/** The sinfo format the parser reads: partition|cpus|memory MiB|time limit|availability. */
export const SINFO_ARGS = ["sinfo", "-h", "-N", "-o", "%P|%c|%m|%l|%a"];

export function parseSinfo(stdout: string): Map<string, PartitionInfo> {
  const parts = new Map<string, PartitionInfo>();
  for (const line of stdout.split("\n")) {
    const f = line.trim().split("|");
    if (f.length < 5) continue;
    const [rawName, cpus, mem, limit, avail] = f as [string, string, string, string, string];
    const isDefault = rawName.endsWith("*");
    const name = isDefault ? rawName.slice(0, -1) : rawName;
    const cpuN = Number.parseInt(cpus, 10) || 0;
    const memN = Number.parseInt(mem, 10) || 0;
    const p = parts.get(name);
    if (p) {
      p.maxNodeCpus = Math.max(p.maxNodeCpus, cpuN);
      p.maxNodeMemMiB = Math.max(p.maxNodeMemMiB, memN);
      p.nodes += 1;
    } else {
      parts.set(name, {
        name,
        isDefault,
        available: avail === "up",
        maxNodeCpus: cpuN,
        maxNodeMemMiB: memN,
        timeLimitS: parseSlurmTime(limit),
        timeLimitText: limit,
        nodes: 1,
      });
    }
  }
  return parts;
}

/** SLURM --mem value → MiB ('112G' → 114688, '500M' → 500, '2048' → 2048). */
export function slurmMemToMiB(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)B?$/i.exec(s.trim());
  if (!m) return undefined;
  const mult: Record<string, number> = { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024, "": 1 };
  return Number(m[1]) * mult[m[2]!.toUpperCase()]!;
}

/** Problems with this request against these partitions (empty = fits). Each message says what to do. */
export function checkAgainstPartitions(o: ResolvedJobOptions, parts: ReadonlyMap<string, PartitionInfo>): string[] {
  const names = [...parts.keys()];
  let p: PartitionInfo | undefined;
  if (o.queue !== undefined) {
    p = parts.get(o.queue);
    if (!p) return [`queue '${o.queue}' is not a partition of this cluster; partitions: ${names.join(", ") || "(none)"} (see 'sinfo')`];
  } else {
    p = [...parts.values()].find((x) => x.isDefault);
    if (!p) return names.length === 0 ? ["sinfo lists no partitions; is SLURM configured?"] : [];
  }
  const problems: string[] = [];
  const skipped = (flag: string) => o.jobDirectivesSkip.some((s) => flag.includes(s));
  const cpus = o.jobCpu ?? o.cores;
  if (!skipped("--cpus-per-task") && p.maxNodeCpus > 0 && cpus > p.maxNodeCpus) {
    problems.push(
      `cores: a job asks for ${cpus} CPUs but the largest node of partition '${p.name}' has ${p.maxNodeCpus}; ` +
        `use cores ≤ ${p.maxNodeCpus} (one job runs on one node)`,
    );
  }
  const memText = o.jobMem ?? slurmFormatBytesCeil(o.memoryBytes);
  const memMiB = slurmMemToMiB(memText);
  if (!skipped("--mem") && memMiB !== undefined && p.maxNodeMemMiB > 0 && memMiB > p.maxNodeMemMiB) {
    problems.push(
      `memory: a job asks for --mem=${memText} (${Math.round(memMiB)} MiB) but the nodes of partition '${p.name}' have at most ` +
        `${p.maxNodeMemMiB} MiB; use memory ≤ '${Math.floor(p.maxNodeMemMiB / 1024)}GiB'`,
    );
  }
  if (!skipped("-t ") && o.walltimeS !== undefined && p.timeLimitS !== undefined && o.walltimeS > p.timeLimitS) {
    problems.push(
      `walltime: '${o.walltime}' is above the time limit of partition '${p.name}' (${p.timeLimitText}); ` +
        `use a shorter walltime or another queue`,
    );
  }
  if (!p.available) problems.push(`queue '${p.name}' is not available (sinfo shows it down); choose another partition`);
  return problems;
}
