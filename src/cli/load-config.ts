import { type Config, ConfigError, loadConfig } from '../config/index.js';
import { DEFAULT_SCHEMA_URL } from '../identity/schema/index.js';
import { EXIT_FAILURE } from './exit-codes.js';

/**
 * Loads and validates the config, or prints every problem with its key path and exits
 * before anything listens.
 */
export async function loadConfigOrExit(options: { files: string[]; dev: boolean }): Promise<Config> {
  try {
    return await loadConfig({
      files: options.files,
      dev: options.dev,
      env: process.env,
      cwd: process.cwd(),
      defaults: { identitySchemaUrl: DEFAULT_SCHEMA_URL },
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`The configuration is invalid:\n${error.message}`);
      process.exit(EXIT_FAILURE);
    }
    throw error;
  }
}
