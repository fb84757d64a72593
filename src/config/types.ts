/**
 * Typed views of the configuration. `Config` is what code reads; `KratosConfigDocument` is the
 * validated document itself, for areas that read their own keys.
 */

/** One HTTP listener (`serve.public`, `serve.admin`). */
export interface ListenerConfig {
  /** Interface to bind: `0.0.0.0` by default, `127.0.0.1` with `--dev`. */
  readonly host: string;
  readonly port: number;
  /** Where clients reach this listener; always ends with `/`. */
  readonly baseUrl: URL;
}

/** Kratos's log levels, as written in the config. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warning' | 'error' | 'fatal' | 'panic';

/** Password hashing parameters for new hashes. */
export interface HashersConfig {
  readonly algorithm: 'argon2' | 'bcrypt';
  readonly argon2: {
    /** Kratos byte size, for example `19MB` (binary units as in Kratos: 1MB = 1024 KiB). */
    readonly memory: string;
    readonly iterations: number;
    readonly parallelism: number;
    readonly saltLength: number;
    readonly keyLength: number;
  };
  readonly bcrypt: { readonly cost: number };
}

/** Key rings: the first secret signs/encrypts, the others still verify/decrypt. */
export interface SecretsConfig {
  readonly default: readonly string[];
  /** Falls back to `default`, as in Kratos. */
  readonly cookie: readonly string[];
  /** Only needed when `ciphers.algorithm` encrypts; empty otherwise. */
  readonly cipher: readonly string[];
}

/** The loaded configuration. */
export interface Config {
  readonly dev: boolean;
  /** `<cwd>/.portcullis` with `--dev` (unless `dsn: memory`); undefined otherwise. */
  readonly dataDir: string | undefined;
  readonly dsn: string;
  readonly serve: { readonly public: ListenerConfig; readonly admin: ListenerConfig };
  readonly identity: {
    readonly defaultSchemaId: string;
    readonly schemas: readonly { readonly id: string; readonly url: string }[];
  };
  readonly hashers: HashersConfig;
  readonly secrets: SecretsConfig;
  readonly log: {
    readonly level: LogLevel;
    readonly format: 'json' | 'text';
    readonly leakSensitiveValues: boolean;
  };
  readonly cache: { readonly redisUrl: string | undefined; readonly keyPrefix: string };
  /** Problems that do not stop startup; the caller logs them once its logger exists. */
  readonly warnings: readonly string[];
  /** The merged, validated document, for areas that read their own keys (later issues). */
  readonly document: KratosConfigDocument;
}

/**
 * The configuration of a process that runs no identity role (`serve --roles proxy,api`): the
 * document validated without Kratos's required keys, and what logging needs. A {@link Config}
 * is one too.
 */
export interface AccessConfig {
  readonly dev: boolean;
  readonly log: Config['log'];
  /** Problems that do not stop startup; the caller logs them once its logger exists. */
  readonly warnings: readonly string[];
  readonly document: KratosConfigDocument;
}

/** `serve.public` / `serve.admin` as written. */
export interface ListenerDocument {
  base_url?: string;
  host?: string;
  port?: number;
  tls?: { cert?: { path?: string; base64?: string }; key?: { path?: string; base64?: string } };
  [key: string]: unknown;
}

/** An entry of `identity.schemas`. */
export interface IdentitySchemaDocument {
  id: string;
  url: string;
  selfservice_selectable?: boolean;
}

/**
 * The validated config document. The keys Portcullis reads today are typed; the rest stay
 * loose until the area that owns them types them. Extension keys (Oathkeeper's
 * `access_rules`, ...) arrive through the index signature. Kratos's required keys (`dsn`,
 * `identity`, `selfservice`) are optional here because a process without an identity role does
 * not require them; with one they are validated present, and `Config.dsn` and `Config.identity`
 * are their typed views.
 */
export interface KratosConfigDocument {
  version?: string;
  dsn?: string;
  serve?: { public?: ListenerDocument; admin?: ListenerDocument; [listener: string]: unknown };
  identity?: IdentityDocument;
  hashers?: {
    algorithm?: 'argon2' | 'bcrypt';
    argon2?: {
      memory?: string;
      iterations?: number;
      parallelism?: number;
      salt_length?: number;
      key_length?: number;
      expected_duration?: string;
      expected_deviation?: string;
      dedicated_memory?: string;
    };
    bcrypt?: { cost: number };
  };
  secrets?: { default?: string[]; cookie?: string[]; cipher?: string[]; pagination?: string[] };
  log?: {
    level?: LogLevel;
    format?: 'json' | 'text';
    leak_sensitive_values?: boolean;
    redaction_text?: string;
  };
  cache?: { redis?: { url?: string; key_prefix?: string } };
  selfservice?: SelfServiceDocument;
  session?: Record<string, unknown>;
  cookies?: Record<string, unknown>;
  courier?: Record<string, unknown>;
  ciphers?: { algorithm?: 'noop' | 'aes' | 'xchacha20-poly1305' };
  clients?: Record<string, unknown>;
  database?: Record<string, unknown>;
  feature_flags?: Record<string, unknown>;
  /** Ory Hydra as the OAuth2 provider this login UI serves (`login_challenge`); see areas/oauth2-provider.ts. */
  oauth2_provider?: { url?: string; headers?: Record<string, string>; override_return_to?: boolean };
  preview?: Record<string, unknown>;
  security?: {
    /** Portcullis's cap on verification SMS (see areas/sms-limit.ts). */
    sms_limit?: { enabled?: boolean; per_ip?: number; total?: number; window?: string };
    [key: string]: unknown;
  };
  tracing?: Record<string, unknown>;
  [key: string]: unknown;
}

/** `identity` as written. */
export interface IdentityDocument {
  default_schema_id?: string;
  schemas: IdentitySchemaDocument[];
}

/** `selfservice` as written; the areas that read it type the rest. */
export interface SelfServiceDocument {
  default_browser_return_url: string;
  [key: string]: unknown;
}
