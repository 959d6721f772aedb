export { Adaptive, type AdaptOptions, type AdaptiveHost } from "./adaptive.js";
export { decideAdaptive, jobLimits, type AdaptiveJob, type AdaptiveDecision, type AdaptiveLimits } from "./policy.js";
