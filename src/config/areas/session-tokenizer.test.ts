import { describe, expect, it } from 'vitest';
import type { KratosConfigDocument } from '../types.js';
import { tokenizeTemplates } from './session-tokenizer.js';

const doc = (session: Record<string, unknown>) => ({ session }) as unknown as KratosConfigDocument;

describe('tokenizeTemplates', () => {
  it("reads each template with Kratos's defaults: ttl 1m, sub from the identity id, no mapper", () => {
    const templates = tokenizeTemplates(
      doc({
        whoami: {
          tokenizer: {
            templates: {
              plain: { jwks_url: 'file://keys.json' },
              full: {
                ttl: '1h30m',
                jwks_url: 'base64://e30=',
                claims_mapper_url: 'file://claims.jsonnet',
                subject_source: 'external_id',
              },
            },
          },
        },
      }),
    );
    expect(templates.get('plain')).toEqual({
      ttlMs: 60_000,
      jwksUrl: 'file://keys.json',
      claimsMapperUrl: undefined,
      subjectSource: 'id',
    });
    expect(templates.get('full')).toEqual({
      ttlMs: 5_400_000,
      jwksUrl: 'base64://e30=',
      claimsMapperUrl: 'file://claims.jsonnet',
      subjectSource: 'external_id',
    });
  });

  it('has none without the block', () => {
    expect(tokenizeTemplates(doc({})).size).toBe(0);
    expect(tokenizeTemplates({} as KratosConfigDocument).size).toBe(0);
  });
});
