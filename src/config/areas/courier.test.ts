import { describe, expect, it } from 'vitest';
import type { KratosConfigDocument } from '../types.js';
import { courierConfig } from './courier.js';

const doc = (courier: Record<string, unknown> | undefined) =>
  ({ courier }) as unknown as KratosConfigDocument;

describe('courier config', () => {
  it("uses Kratos's defaults and leaves SMTP unset when not configured", () => {
    const result = courierConfig(doc(undefined));
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({
        smtp: expect.objectContaining({
          connectionUri: undefined,
          fromAddress: 'no-reply@ory.kratos.sh',
          localName: 'localhost',
          headers: {},
        }),
        messageRetries: 5,
        worker: { pullCount: 10, pullWaitMs: 1000 },
        templates: {},
        warnings: [],
      }),
    });
  });

  it('reads SMTP, worker and template settings', () => {
    const result = courierConfig(
      doc({
        message_retries: 2,
        worker: { pull_count: 3, pull_wait: '250ms' },
        smtp: {
          connection_uri: 'smtps://u:p@mail.example.com/',
          from_address: 'auth@example.com',
          from_name: 'Example',
          headers: { 'X-SES-SOURCE-ARN': 'arn' },
        },
        templates: { recovery_code: { valid: { email: { subject: 'base64://e3tUb319', body: {} } } } },
      }),
    );
    if (!result.ok) throw new Error('expected ok');
    expect(result.value.messageRetries).toBe(2);
    expect(result.value.worker).toEqual({ pullCount: 3, pullWaitMs: 250 });
    expect(result.value.smtp).toMatchObject({ fromName: 'Example', headers: { 'X-SES-SOURCE-ARN': 'arn' } });
    expect(result.value.templates).toEqual({ recovery_code: { valid: { subject: 'base64://e3tUb319' } } });
  });

  it("accepts http(s) template sources and refuses schemes Kratos's fetcher cannot read", () => {
    const result = courierConfig(
      doc({
        templates: {
          verification: { invalid: { email: { body: { html: 'https://example.com/t.gotmpl' } } } },
          recovery: { valid: { email: { subject: 'ftp://example.com/t.gotmpl' } } },
        },
      }),
    );
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          path: 'courier.templates.recovery.valid.email.subject',
          message: expect.stringContaining('http://'),
        },
      ],
    });
    const ok = courierConfig(
      doc({
        templates: {
          verification: { invalid: { email: { body: { html: 'https://example.com/t.gotmpl' } } } },
        },
      }),
    );
    expect(ok.ok && ok.value.templates).toEqual({
      verification: { invalid: { html: 'https://example.com/t.gotmpl' } },
    });
  });

  it('reads the SMS body of verification codes and warns about templates it does not send', () => {
    const result = courierConfig(
      doc({
        channels: [{ id: 'sms', type: 'http', request_config: { url: 'https://sms.example.com/' } }],
        templates: {
          login_code: { valid: { email: {} } },
          verification_code: {
            valid: { email: {}, sms: { body: { plaintext: 'base64://e3sgLlZlcmlmaWNhdGlvbkNvZGUgfX0=' } } },
          },
          recovery_code: { valid: { email: {}, sms: { body: { plaintext: 'file:///recovery.gotmpl' } } } },
        },
      }),
    );
    if (!result.ok) throw new Error('expected ok');
    expect(result.value.smsTemplates).toEqual({
      verification_code: 'base64://e3sgLlZlcmlmaWNhdGlvbkNvZGUgfX0=',
    });
    // The SMS channel is read by the courier: no warning for it any more.
    expect(result.value.warnings).toEqual([
      'courier.templates.login_code is not used yet: Portcullis sends no such email',
      'courier.templates.recovery_code.valid.sms is not used: Portcullis sends SMS for verification codes only',
    ]);
    const refused = courierConfig(
      doc({ templates: { verification_code: { valid: { sms: { body: { plaintext: 'ftp://x/t' } } } } } }),
    );
    expect(refused).toEqual({
      ok: false,
      issues: [
        {
          path: 'courier.templates.verification_code.valid.sms.body.plaintext',
          message: expect.stringContaining('base64://'),
        },
      ],
    });
  });
});
