export { SpillableStore, type SpillableStoreOptions } from "./spillable-store.js";
export { MemoryMonitor, type MemoryMonitorOptions, type EvictableStore } from "./monitor.js";
export { decideMemory, defaultMemoryThresholds, validateThresholds, type MemoryThresholds, type MemorySample, type MemoryDecision } from "./thresholds.js";
export { ownRss, processRss } from "./rss.js";
export { spillDirPrefix, removeSpillDirsOf, sweepStaleSpillDirs } from "./spill-dirs.js";
export { createWorkerMemory, type WorkerMemory, type WorkerMemoryOptions } from "./worker-memory.js";
