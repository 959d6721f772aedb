export { loadJobQueueConfig, configSources, optionsFromEnv, readConfigFile, sectionFromDocument, userConfigPath, camelKey } from "./jobqueue-config.js";
