/** The environment a job is submitted with: the secret file's path (and TLS files), never the secret. */
import { Security } from "../../protocol/index.js";

export function jobEnvironment(security: Security, secretFile: string, workDir: string): { env: NodeJS.ProcessEnv; names: string[] } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // A secret inherited from this shell (another cluster's) would win over the file: drop it.
  for (const k of ["TESSERA_SECRET", "TESSERA_TLS_CERT", "TESSERA_TLS_KEY", "TESSERA_TLS_CA"]) delete env[k];
  const jobEnv = Security.toEnv(security, secretFile, workDir);
  Object.assign(env, jobEnv);
  return { env, names: Object.keys(jobEnv) };
}
