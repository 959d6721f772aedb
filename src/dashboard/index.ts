/** The dashboard's public surface. */
export { startDashboard, tunnelHint, DashboardConfigError, type Dashboard, type DashboardOptions } from "./server.js";
export { dashboardToken } from "./token.js";
export { DEFAULT_DASHBOARD_ADDRESS, parseDashboardAddress, DashboardAddressError } from "./address.js";
export { InMemorySource } from "./memory-source.js";
export { renderMetrics } from "./metrics.js";
export * from "./source.js";
export type * from "./api-types.js";
export { SchedulerSource, startSchedulerDashboard, type SchedulerSourceExtras, type SchedulerDashboardOptions } from "./scheduler-source.js";
export { LogTail, createTailedLogger, parseLogLine } from "./log-tail.js";
