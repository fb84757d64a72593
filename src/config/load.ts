import { mkdir } from 'node:fs/promises';
import { cacheConfig } from './areas/cache.js';
import { hashersConfig, hasherWarnings } from './areas/hashers.js';
import { identityConfig } from './areas/identity.js';
import { logConfig, logWarnings } from './areas/log.js';
import { secretsConfig, secretsWarnings } from './areas/secrets.js';
import { serveConfig } from './areas/serve.js';
import { applyDefaults, type ConfigDefaults } from './defaults.js';
import { hasSigningSecrets, provideDevSecrets, requireSecrets } from './dev-secrets.js';
import { applyEnvOverrides } from './env.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { readConfigFiles } from './files.js';
import { Provenance } from './provenance.js';
import { type ConfigSchema, defaultConfigSchema } from './schema.js';
import type { Config, KratosConfigDocument } from './types.js';
import { validateDocument, validatorFor } from './validate.js';

/** Inputs of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Config files (YAML or JSON), merged in order; relative paths resolve against `cwd`. */
  readonly files: readonly string[];
  /** Usually `process.env`; passed in so that tests and embedders control it. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `--dev`: local defaults (SQLite under `.portcullis/`, 127.0.0.1, generated secrets). */
  readonly dev: boolean;
  /** Working directory: base of relative file paths and of the dev data directory. */
  readonly cwd: string;
  /** Values owned by other modules; `identitySchemaUrl` is needed by `--dev` without `identity`. */
  readonly defaults?: ConfigDefaults;
  /** Schema to validate against; {@link defaultConfigSchema} unless extensions add keys. */
  readonly schema?: ConfigSchema;
}

/**
 * Loads the configuration: files merged in order, env vars on top (Kratos's names), defaults
 * for what is still unset, then validation against the Kratos schema plus extensions.
 * Every problem found is reported at once in a {@link ConfigError}. Nothing is written to
 * disk unless the configuration is valid (then `--dev` creates its data directory and
 * secrets file).
 */
export async function loadConfig(options: LoadConfigOptions): Promise<Config> {
  const schema = options.schema ?? defaultConfigSchema();
  const provenance = new Provenance();

  const files = await readConfigFiles(options.files, options.cwd, provenance);
  // Validating what is left after a file failed would only add noise ("dsn: is required").
  if (files.issues.length > 0) throw new ConfigError(files.issues);
  const document = files.document;
  const envIssues = applyEnvOverrides(document, options.env, schema, provenance);
  const defaults = applyDefaults(document, {
    dev: options.dev,
    cwd: options.cwd,
    defaults: options.defaults,
  });
  const secretsIssue = requireSecrets(document, options.dev);

  const validation = validateDocument(validatorFor(schema), document);
  const ownIssues = [...defaults.issues, ...(secretsIssue === undefined ? [] : [secretsIssue])];
  // Our "is required" says more than the schema's about the same key; keep only ours.
  const explained = new Set(ownIssues.map((issue) => issue.path));
  const schemaIssues = validation.ok ? [] : validation.issues.filter((issue) => !explained.has(issue.path));
  const problems: ConfigIssue[] = [...envIssues, ...withSources([...ownIssues, ...schemaIssues], provenance)];
  problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (problems.length > 0 || !validation.ok) throw new ConfigError(problems);

  const warnings: string[] = [];
  if (defaults.dataDir !== undefined) await createDataDir(defaults.dataDir);
  if (options.dev && !hasSigningSecrets(document)) {
    warnings.push(await provideDevSecrets(document, defaults.dataDir));
  }
  return buildConfig(validation.document, options.dev, defaults.dataDir, warnings, provenance);
}

function buildConfig(
  document: KratosConfigDocument,
  dev: boolean,
  dataDir: string | undefined,
  warnings: string[],
  provenance: Provenance,
): Config {
  const serve = serveConfig(document);
  const identity = identityConfig(document);
  if (!serve.ok || !identity.ok) {
    const issues = [...(serve.ok ? [] : serve.issues), ...(identity.ok ? [] : identity.issues)];
    throw new ConfigError(withSources(issues, provenance));
  }
  warnings.push(
    ...secretsWarnings(document),
    ...hasherWarnings(document, dev),
    ...logWarnings(document, dev),
  );
  return {
    dev,
    dataDir,
    dsn: document.dsn,
    serve: serve.value,
    identity: identity.value,
    hashers: hashersConfig(document, dev),
    secrets: secretsConfig(document),
    log: logConfig(document),
    cache: cacheConfig(document),
    warnings,
    document,
  };
}

async function createDataDir(path: string): Promise<void> {
  try {
    // 0700: the directory holds the dev database and secrets.
    await mkdir(path, { recursive: true, mode: 0o700 });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      [{ path: '', message: `cannot create the dev data directory: ${reason}`, source: path }],
      {
        cause: error,
      },
    );
  }
}

function withSources(issues: readonly ConfigIssue[], provenance: Provenance): ConfigIssue[] {
  return issues.map((issue) => {
    if (issue.source !== undefined || issue.path === '') return issue;
    const source = provenance.sourceOf(issue.path);
    return source === undefined ? issue : { ...issue, source };
  });
}
