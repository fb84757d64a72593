import {
  type AccessConfig,
  type Config,
  ConfigError,
  type JsonObject,
  loadAccessConfig,
  loadConfig,
} from '../config/index.js';
import { loadUnvalidatedConfig } from '../config/load.js';
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

/**
 * The files and env vars merged but not validated, for the commands Kratos runs with
 * configx.SkipValidation (`migrate sql`, `cleanup sql`) and for reading the flags Kratos binds
 * into the config (`dev`, `watch-courier`) before the real load. Exits as above when a file
 * cannot be read or parsed.
 */
export function loadUnvalidatedConfigOrExit(files: string[]): Promise<JsonObject> {
  return orExit(() => loadUnvalidatedConfig({ files, env: process.env, cwd: process.cwd() }));
}

/**
 * A boolean Kratos binds from a flag into the config (`--dev` → `dev`, `--watch-courier` →
 * `watch-courier`): the flag when given, else a boolean the config files hold under `key`.
 */
export function flagOrConfigBoolean(
  flag: boolean | undefined,
  document: JsonObject,
  key: string,
): boolean | undefined {
  if (flag !== undefined) return flag;
  const value = document[key];
  return typeof value === 'boolean' ? value : undefined;
}

async function orExit<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(EXIT_FAILURE);
    }
    throw error;
  }
}
