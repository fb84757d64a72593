import { describe, expect, it } from 'vitest';
import { loadSchemaDocument } from './load.js';
import {
  DEFAULT_SCHEMA_DOCUMENT,
  DEFAULT_SCHEMA_ID,
  DEFAULT_SCHEMA_URL,
  DEFAULT_SCHEMAS,
} from './presets.js';
import { createSchemaRegistry } from './registry.js';

describe('built-in email + password schema', () => {
  it('is served from a base64:// URL that decodes to the preset document', async () => {
    expect(DEFAULT_SCHEMA_URL.startsWith('base64://')).toBe(true);
    await expect(loadSchemaDocument(DEFAULT_SCHEMA_URL)).resolves.toEqual(DEFAULT_SCHEMA_DOCUMENT);
    expect(DEFAULT_SCHEMA_DOCUMENT.$id).toBe('portcullis://presets/email-password.schema.json');
    expect(Object.isFrozen(DEFAULT_SCHEMA_DOCUMENT)).toBe(true);
  });

  it('loads as the default registry and derives identifier and addresses from the email', async () => {
    const registry = await createSchemaRegistry(DEFAULT_SCHEMAS, DEFAULT_SCHEMA_ID);
    const schema = registry.getDefault();
    expect(schema.id).toBe('default');
    const result = schema.validate({ email: 'Ada@Example.com', name: { first: 'Ada' } });
    expect(result).toEqual({
      ok: true,
      traits: { email: 'Ada@Example.com', name: { first: 'Ada' } },
      identifiers: { password: ['ada@example.com'], webauthn: [], code: [] },
      codeAddresses: [],
      verifiable: [{ value: 'ada@example.com', via: 'email' }],
      recovery: [{ value: 'ada@example.com', via: 'email' }],
      passkeyDisplayName: undefined,
      totpAccountName: undefined,
    });
  });

  it('requires the email, caps its length and refuses unknown traits', async () => {
    const schema = (await createSchemaRegistry(DEFAULT_SCHEMAS, DEFAULT_SCHEMA_ID)).getDefault();
    expect(schema.validate({ name: { first: 'Ada' } })).toMatchObject({
      ok: false,
      errors: [{ pointer: '#/traits/email', keyword: 'required' }],
    });
    const long = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(63)}.com`;
    const tooLong = schema.validate({ email: long });
    expect(tooLong.ok).toBe(false);
    expect(schema.validate({ email: 'a@x.org', role: 'admin' })).toMatchObject({
      ok: false,
      errors: [{ pointer: '#/traits', keyword: 'additionalProperties' }],
    });
  });
});
