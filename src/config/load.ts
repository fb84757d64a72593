import { mkdir } from 'node:fs/promises';
import { cacheConfig } from './areas/cache.js';
import { unboundedCorsOriginWarnings } from './areas/cors.js';
import { hashersConfig, hasherWarnings } from './areas/hashers.js';
import { identityConfig } from './areas/identity.js';
import { logConfig, logWarnings } from './areas/log.js';
import { secretsConfig, secretsWarnings } from './areas/secrets.js';
import {
  disabledFlowMethodWarnings,
  unreachableParseHookWarnings,
  unsupportedSettingsHookIssues,
} from './areas/selfservice.js';
import { serveConfig } from './areas/serve.js';
import { cookieSecureIssues } from './areas/session.js';
import { applyDefaults, type ConfigDefaults } from './defaults.js';
import { hasSigningSecrets, provideDevSecrets, requireSecrets } from './dev-secrets.js';
import { applyEnvOverrides } from './env.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import { readConfigFiles } from './files.js';
import type { JsonObject } from './json.js';
import { Provenance } from './provenance.js';
import { accessConfigSchema, type ConfigSchema, defaultConfigSchema } from './schema.js';
import type { AccessConfig, Config, KratosConfigDocument } from './types.js';
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
 * secrets file). This is the config of every command that runs the identity side; for a
 * process without it, see {@link loadAccessConfig}.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<Config> {
  const schema = options.schema ?? defaultConfigSchema();
  const provenance = new Provenance();
  const read = await readDocument(options, schema, provenance);
  const { document } = read;
  const defaults = applyDefaults(document, {
    dev: options.dev,
    cwd: options.cwd,
    defaults: options.defaults,
  });
  const secretsIssue = requireSecrets(document, options.dev);
  const ownIssues = [
    ...defaults.issues,
    ...(secretsIssue === undefined ? [] : [secretsIssue]),
    ...cookieSecureIssues(document),
    ...unsupportedSettingsHookIssues(document),
  ];
  const validated = validateOrThrow(schema, read, ownIssues, provenance);

  const warnings: string[] = [
    ...unreachableParseHookWarnings(document),
    ...disabledFlowMethodWarnings(document),
  ];
  if (defaults.dataDir !== undefined) await createDataDir(defaults.dataDir);
  if (options.dev && !hasSigningSecrets(document)) {
    warnings.push(await provideDevSecrets(document, defaults.dataDir));
  }
  return buildConfig(validated, options.dev, defaults.dataDir, warnings, provenance);
}

/**
 * Loads the configuration of a process that runs no identity role (`serve --roles proxy,api`):
 * the same files, env vars and validation, except that Kratos's required keys (`dsn`,
 * `identity`, `selfservice`) and `secrets` are not required, and no identity defaults are
 * filled in (no dev database, data directory or secrets). Keys that are present are
 * validated as usual, so one file can serve both deployments.
 */
export async function loadAccessConfig(options: LoadConfigOptions): Promise<AccessConfig> {
  const schema = accessConfigSchema(options.schema ?? defaultConfigSchema());
  const provenance = new Provenance();
  const read = await readDocument(options, schema, provenance);
  const document = validateOrThrow(schema, read, [], provenance);
  return {
    dev: options.dev,
    log: logConfig(document),
    warnings: [...logWarnings(document, options.dev), ...unboundedCorsOriginWarnings(document)],
    document,
  };
}

/** Inputs of {@link loadUnvalidatedConfig}: {@link LoadConfigOptions} without what only matters to validation. */
export type LoadUnvalidatedConfigOptions = Pick<LoadConfigOptions, 'files' | 'env' | 'cwd' | 'schema'>;

/**
 * The config document of the commands Kratos runs with `configx.SkipValidation()` (`migrate sql`,
 * `cleanup sql`): the files merged in order and the env vars on top, as {@link loadConfig}
 * reads them, but neither validated nor defaulted, so a file with only `dsn` (or none, with
 * `DSN` set) is enough. A file that cannot be read or parsed still throws a {@link ConfigError};
 * an env var whose value does not fit its key is left out (the key keeps the files' value).
 * Callers read the few keys they need defensively: the document's shape is not checked.
 */
export async function loadUnvalidatedConfig(options: LoadUnvalidatedConfigOptions): Promise<JsonObject> {
  const schema = options.schema ?? defaultConfigSchema();
  const read = await readDocument({ ...options, dev: false }, schema, new Provenance());
  return read.document;
}

interface ReadDocument {
  document: JsonObject;
  /** Env vars that could not be applied (wrong type, ...). */
  envIssues: ConfigIssue[];
}

/** Files merged in order, then env vars on top. */
async function readDocument(
  options: LoadConfigOptions,
  schema: ConfigSchema,
  provenance: Provenance,
): Promise<ReadDocument> {
  const files = await readConfigFiles(options.files, options.cwd, provenance);
  // Validating what is left after a file failed would only add noise ("dsn: is required").
  if (files.issues.length > 0) throw new ConfigError(files.issues);
  const envIssues = applyEnvOverrides(files.document, options.env, schema, provenance);
  return { document: files.document, envIssues };
}

/**
 * Validates against `schema` and throws every problem at once: the env issues, `ownIssues`
 * (checks of our own, which say more than the schema's about the same key), the schema's.
 */
function validateOrThrow(
  schema: ConfigSchema,
  read: ReadDocument,
  ownIssues: readonly ConfigIssue[],
  provenance: Provenance,
): KratosConfigDocument {
  const validation = validateDocument(validatorFor(schema), read.document);
  const explained = new Set(ownIssues.map((issue) => issue.path));
  const schemaIssues = validation.ok ? [] : validation.issues.filter((issue) => !explained.has(issue.path));
  const problems: ConfigIssue[] = [
    ...read.envIssues,
    ...withSources([...ownIssues, ...schemaIssues], provenance),
  ];
  problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (problems.length > 0 || !validation.ok) throw new ConfigError(problems);
  return validation.document;
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
  // The schema requires dsn here; the check keeps the type honest.
  const dsn = document.dsn;
  if (!serve.ok || !identity.ok || dsn === undefined) {
    const issues = [
      ...(serve.ok ? [] : serve.issues),
      ...(identity.ok ? [] : identity.issues),
      ...(dsn === undefined ? [{ path: 'dsn', message: 'is required' }] : []),
    ];
    throw new ConfigError(withSources(issues, provenance));
  }
  warnings.push(
    ...secretsWarnings(document),
    ...hasherWarnings(document, dev),
    ...logWarnings(document, dev),
    ...unboundedCorsOriginWarnings(document),
  );
  return {
    dev,
    dataDir,
    dsn,
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
