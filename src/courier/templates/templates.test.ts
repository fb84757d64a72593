import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/index.js';
import { COURIER_TEMPLATE_TYPES, loadTemplates } from './index.js';

const NONE = { templates: {}, templateOverridePath: undefined };
const b64 = (text: string) => `base64://${Buffer.from(text).toString('base64')}`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-templates-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('built-in templates', () => {
  it('render every type with subject, HTML and plain text', async () => {
    const templates = await loadTemplates(NONE);
    for (const type of COURIER_TEMPLATE_TYPES) {
      const email = templates.render(type, { To: 'ada@example.com' });
      expect(email.subject, type).not.toBe('');
      expect(email.subject).not.toContain('\n');
      expect(email.html).toContain('<html');
      expect(email.plaintext).not.toContain('<');
    }
  });

  it('put the code and link in valid messages and escape them in HTML only', async () => {
    const templates = await loadTemplates(NONE);
    const url = 'https://example.com/self-service/verification?flow=f&code=123456';
    const email = templates.render('verification_code_valid', {
      To: 'ada@example.com',
      VerificationCode: '123456',
      VerificationURL: url,
      ExpiresInMinutes: 15,
    });
    expect(email.plaintext).toContain('123456');
    expect(email.plaintext).toContain(url);
    expect(email.plaintext).toContain('expires in 15 minutes');
    // As html/template: & is escaped in the attribute and the text, = is not.
    expect(email.html).toContain(
      `href="https://example.com/self-service/verification?flow=f&amp;code=123456"`,
    );
    const recovery = templates.render('recovery_valid', { To: 'a@example.com', RecoveryURL: '<script>' });
    expect(recovery.html).toContain('>&lt;script&gt;</a>');
    expect(recovery.html).toContain('href="%3Cscript%3E"');
    expect(recovery.plaintext).toContain('<script>');
  });

  it('tell an unknown address that no account uses it', async () => {
    const templates = await loadTemplates(NONE);
    expect(templates.render('recovery_code_invalid', { To: 'x@example.com' }).plaintext).toContain(
      'no account uses it',
    );
  });
});

describe('template overrides', () => {
  it('take courier.templates first, then template_override_path, then the built-in', async () => {
    const root = join(dir, 'override');
    await mkdir(join(root, 'verification_code', 'valid'), { recursive: true });
    await writeFile(join(root, 'verification_code', 'valid', 'email.subject.gotmpl'), 'Code for {{ .To }}\n');
    await writeFile(
      join(root, 'verification_code', 'valid', 'email.body.gotmpl'),
      '<b>{{ .VerificationCode }}</b>',
    );
    await writeFile(
      join(dir, 'plain.gotmpl'),
      'Your code: {{ .VerificationCode }} ({{ .Identity.traits.name }})',
    );
    const templates = await loadTemplates(
      {
        templateOverridePath: root,
        templates: {
          verification_code: {
            valid: { plaintext: 'file://plain.gotmpl', subject: b64('Verify {{ .To }}') },
          },
        },
      },
      dir,
    );
    const email = templates.render('verification_code_valid', {
      To: 'a&b@example.com',
      VerificationCode: '654321',
      Identity: { traits: { name: 'Ada' } },
    });
    expect(email).toEqual({
      subject: 'Verify a&b@example.com',
      html: '<b>654321</b>',
      plaintext: 'Your code: 654321 (Ada)',
    });
    // Types the override directory does not cover keep the built-in text.
    expect(templates.render('recovery_valid', { To: 'a@example.com' }).subject).toBe(
      'Recover access to your account',
    );
  });

  it('refuse to start on a broken template, naming where it came from', async () => {
    const error = await configError(
      loadTemplates({
        templateOverridePath: undefined,
        templates: {
          recovery: {
            invalid: { html: b64('{{ if .To }}unclosed'), subject: b64('{{ template "header" }}') },
          },
          verification: { valid: { plaintext: 'file:///nonexistent/body.gotmpl' } },
        },
      }),
    );
    expect(error.issues).toEqual([
      expect.objectContaining({
        path: 'courier.templates.verification.valid.email.body.plaintext',
        message: expect.stringContaining('cannot be read (ENOENT)'),
        source: '/nonexistent/body.gotmpl',
      }),
      expect.objectContaining({
        path: 'courier.templates.recovery.invalid.email.subject',
        message: expect.stringContaining('no such template "header"'),
      }),
      expect.objectContaining({
        path: 'courier.templates.recovery.invalid.email.body.html',
        message: expect.stringContaining('is not a valid Go template: unclosed {{if}}'),
      }),
    ]);
  });

  it('fall back to the built-in templates, with one warning, when template_override_path is missing', async () => {
    // As Kratos's loadTemplate: a file it cannot open under the override path is the built-in one.
    for (const missing of ['/nonexistent', join(dir, 'missing')]) {
      const warnings: string[] = [];
      const templates = await loadTemplates(
        { templates: {}, templateOverridePath: missing },
        dir,
        (message) => warnings.push(message),
      );
      expect(warnings).toEqual([expect.stringContaining(`${missing} is not a directory`)]);
      const email = templates.render('verification_code_valid', {
        To: 'ada@example.com',
        VerificationCode: '246810',
      });
      expect(email.subject).toBe('Please verify your email address');
      expect(email.plaintext).toContain('246810');
    }
    // A file where the directory should be is no directory either.
    await writeFile(join(dir, 'a-file'), 'x');
    const warnings: string[] = [];
    await loadTemplates({ templates: {}, templateOverridePath: 'a-file' }, dir, (m) => warnings.push(m));
    expect(warnings).toHaveLength(1);
  });
});

describe('SMS templates', () => {
  it("render the verification code, and no link, from the built-in body: Kratos's text", async () => {
    const templates = await loadTemplates(NONE);
    const text = templates.renderSms('verification_code_valid', {
      To: '+15555550123',
      VerificationCode: '246810',
      ExpiresInMinutes: 15,
    });
    // Kratos's courier/template/courier/builtin/templates/verification_code/valid/sms.body.gotmpl.
    expect(text).toBe(
      'Your verification code is: 246810\n\nIf this was not you, do nothing. It expires in 15 minutes.\n',
    );
  });

  it('take courier.templates.verification_code.valid.sms first, then template_override_path', async () => {
    const fromConfig = await loadTemplates({
      ...NONE,
      smsTemplates: { verification_code: b64('Code {{ .VerificationCode }} for {{ .To }}') },
    });
    expect(fromConfig.renderSms('verification_code_valid', { To: '+1555', VerificationCode: '42' })).toBe(
      'Code 42 for +1555',
    );
    // Kratos's layout: <dir>/valid/sms.body.gotmpl, parsed with its sms.body* siblings.
    const root = join(dir, 'sms-override');
    await mkdir(join(root, 'verification_code', 'valid'), { recursive: true });
    await writeFile(
      join(root, 'verification_code', 'valid', 'sms.body.gotmpl'),
      '{{ template "brand" . }}: {{ .VerificationCode }}',
    );
    await writeFile(
      join(root, 'verification_code', 'valid', 'sms.body.brand.gotmpl'),
      '{{ define "brand" }}Acme{{ end }}',
    );
    const fromPath = await loadTemplates({ templates: {}, templateOverridePath: root });
    expect(fromPath.renderSms('verification_code_valid', { To: '+1555', VerificationCode: '77' })).toBe(
      'Acme: 77',
    );
    // The email templates of that folder stay built in.
    expect(fromPath.render('verification_code_valid', { To: 'a@example.com' }).subject).toBe(
      'Please verify your email address',
    );
  });

  it('refuse to start on a broken SMS body, naming its config key', async () => {
    const error = await configError(
      loadTemplates({ ...NONE, smsTemplates: { verification_code: b64('{{ if .To }}unclosed') } }),
    );
    expect(error.issues).toEqual([
      expect.objectContaining({
        path: 'courier.templates.verification_code.valid.sms.body.plaintext',
        message: expect.stringContaining('verification_code_valid sms: is not a valid Go template'),
      }),
    ]);
  });
});
