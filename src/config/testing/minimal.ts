/**
 * The keys the Kratos schema requires, as YAML, without secrets. `selfservice` comes last so
 * that a test can append indented keys (`  flows: ...`) to it.
 */
export const REQUIRED_YAML = `
dsn: memory
identity:
  schemas:
    - id: default
      url: file:///etc/portcullis/identity.schema.json
selfservice:
  default_browser_return_url: http://127.0.0.1:4455/
`;

/** A signing secret long enough for the schema (16 characters or more). */
export const TEST_SECRET = 'a-very-long-secret-value-0001';

/** The smallest valid non-dev config: {@link REQUIRED_YAML} plus a signing secret. */
export const MINIMAL_YAML = `${REQUIRED_YAML}secrets:\n  default:\n    - ${TEST_SECRET}\n`;

/** Built-in identity schema URL passed as `defaults` in dev tests. */
export const PRESET_URL = 'file:///opt/portcullis/presets/email-password.schema.json';
