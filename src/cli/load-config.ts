import {
  type AccessConfig,
  type Config,
  ConfigError,
  loadAccessConfig,
  loadConfig,
} from '../config/index.js';
import { DEFAULT_SCHEMA_URL } from '../identity/schema/index.js';
import { EXIT_FAILURE } from './exit-codes.js';

/**
 * Loads and validates the config, or prints every problem with its key path and exits
 * before anything listens.
 */
export function loadConfigOrExit(options: { files: string[]; dev: boolean }): Promise<Config> {
  return orExit(() =>
    loadConfig({
      files: options.files,
      dev: options.dev,
      env: process.env,
      cwd: process.cwd(),
      defaults: { identitySchemaUrl: DEFAULT_SCHEMA_URL },
    }),
  );
}

/** The access proxy's part of the config alone (`serve --roles proxy,api`), or exits as above. */
export function loadAccessConfigOrExit(options: { files: string[]; dev: boolean }): Promise<AccessConfig> {
  return orExit(() => loadAccessConfig({ ...options, env: process.env, cwd: process.cwd() }));
}

async function orExit<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`The configuration is invalid:\n${error.message}`);
      process.exit(EXIT_FAILURE);
    }
    throw error;
  }
}
