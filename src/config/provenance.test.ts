import { describe, expect, it } from 'vitest';
import { Provenance } from './provenance.js';

describe('Provenance', () => {
  it('names the later source for keys of an array it replaced, and keeps merged objects apart', () => {
    const provenance = new Provenance();
    provenance.record(
      { identity: { schemas: [{ id: 'a', url: 'file:///a.json' }] }, serve: { public: { port: 1 } } },
      'base.yml',
    );
    provenance.record(
      { identity: { schemas: [{ id: 'other' }] }, serve: { admin: { port: 2 } } },
      'override.yml',
    );
    // The override's array replaced the base's: its missing url is the override's to fix.
    expect(provenance.sourceOf('identity.schemas.0.url')).toBe('override.yml');
    expect(provenance.sourceOf('identity.schemas.0.id')).toBe('override.yml');
    // Objects merge: each key keeps the file that set it.
    expect(provenance.sourceOf('serve.public.port')).toBe('base.yml');
    expect(provenance.sourceOf('serve.admin.port')).toBe('override.yml');
    provenance.record([{ id: 'x' }], 'env IDENTITY_SCHEMAS', ['identity', 'schemas']);
    expect(provenance.sourceOf('identity.schemas.0.url')).toBe('env IDENTITY_SCHEMAS');
  });
});
