import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/index.js';
import { loadTemplates } from './index.js';

const b64 = (text: string) => `base64://${Buffer.from(text).toString('base64')}`;
const only = (templates: Record<string, unknown>) => ({ templates, templateOverridePath: undefined });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-gotmpl-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ADA = {
  To: 'ada@example.com',
  VerificationCode: '424242',
  VerificationURL: 'https://example.com/verify?flow=f&code=424242',
  ExpiresInMinutes: 15,
  Identity: { id: 'i-1', traits: { email: 'ada@example.com', name: { first: 'ada' }, tags: ['b', 'a'] } },
};

describe('Kratos Go templates', () => {
  it('render if/range/with, variables and sprig functions, text/template style', async () => {
    const plaintext = [
      '{{- $name := default "there" .Identity.traits.name.first -}}',
      'Hi {{ $name | title }},',
      '{{ if gt .ExpiresInMinutes 10 }}valid for {{ .ExpiresInMinutes }} min{{ else }}hurry{{ end }}',
      '{{ range $i, $t := .Identity.traits.tags }}[{{ $i }}:{{ upper $t }}]{{ end }}',
      '{{ with .Identity.traits.missing }}x{{ else }}none{{ end }} {{ .Identity.traits.missing }}',
      'code={{ .VerificationCode | quote }} {{ printf "%s/%d" .To .ExpiresInMinutes }} {{ .RecoveryURL }}|',
    ].join('\n');
    const templates = await loadTemplates(
      only({
        verification_code: { valid: { plaintext: b64(plaintext), subject: b64('{{ .To | upper }}') } },
      }),
    );
    const email = templates.render('verification_code_valid', ADA);
    expect(email.plaintext).toBe(
      [
        'Hi Ada,',
        'valid for 15 min',
        '[0:B][1:A]',
        'none <no value>',
        'code="424242" ada@example.com/15 |',
      ].join('\n'),
    );
    expect(email.subject).toBe('ADA@EXAMPLE.COM');
  });

  it('escape HTML bodies as html/template does, by context', async () => {
    const html = [
      '<p title="{{ .Identity.traits.name.first }}">{{ .Identity.traits.name.first }}</p>',
      '<a href="{{ .VerificationURL }}">go</a><a href="{{ .Identity.traits.site }}">site</a>',
      '<a href="/x?next={{ .VerificationURL }}">q</a><!-- {{ .To }} -->{{ .Identity.traits.nothing }}.',
    ].join('');
    const templates = await loadTemplates(only({ verification_code: { valid: { html: b64(html) } } }));
    const email = templates.render('verification_code_valid', {
      ...ADA,
      Identity: { traits: { name: { first: `<b>"Ada" & 'co'+</b>` }, site: 'javascript:alert(1)' } },
    });
    expect(email.html).toBe(
      [
        '<p title="&lt;b&gt;&#34;Ada&#34; &amp; &#39;co&#39;&#43;&lt;/b&gt;">',
        '&lt;b&gt;&#34;Ada&#34; &amp; &#39;co&#39;&#43;&lt;/b&gt;</p>',
        '<a href="https://example.com/verify?flow=f&amp;code=424242">go</a><a href="#ZgotmplZ">site</a>',
        '<a href="/x?next=https%3A%2F%2Fexample.com%2Fverify%3Fflow%3Df%26code%3D424242">q</a>.',
      ].join(''),
    );
  });

  it("load template_override_path as Kratos's glob: define/template across email.body* files", async () => {
    const folder = join(dir, 'override', 'verification_code', 'valid');
    await mkdir(folder, { recursive: true });
    // The layout of Kratos's test_stub templates: the entry file calls templates of sibling files.
    await writeFile(
      join(folder, 'email.body.gotmpl'),
      '{{- if eq .Identity.traits.lang "de" -}}{{ template "de" . }}{{- else -}}{{ template "email.body.html.en_US.gotmpl" . }}{{- end -}}',
    );
    await writeFile(join(folder, 'email.body.html.en_US.gotmpl'), '<b>Code {{ .VerificationCode }}</b>');
    await writeFile(
      join(folder, 'email.body.html.de.gotmpl'),
      '{{ define "de" }}<b>Kode {{ .VerificationCode }}</b>{{ end }}',
    );
    await writeFile(
      join(folder, 'email.body.plaintext.gotmpl'),
      '{{ block "greeting" . }}Hello {{ .To }}{{ end }}!',
    );
    const templates = await loadTemplates({ templates: {}, templateOverridePath: join(dir, 'override') });
    const de = { ...ADA, Identity: { traits: { lang: 'de' } } };
    expect(templates.render('verification_code_valid', de).html).toBe('<b>Kode 424242</b>');
    expect(templates.render('verification_code_valid', ADA).html).toBe('<b>Code 424242</b>');
    expect(templates.render('verification_code_valid', ADA).plaintext).toBe('Hello ada@example.com!');
  });

  it('refuse at start what Kratos cannot run: non-hermetic functions, bad syntax, unknown templates', async () => {
    const error = await loadTemplates(
      only({
        recovery_code: {
          valid: { subject: b64('{{ env "HOME" }}'), plaintext: b64('{{ now }}'), html: b64('{{ .To ') },
        },
      }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      expect.objectContaining({
        path: 'courier.templates.recovery_code.valid.email.subject',
        message: expect.stringContaining('function "env" not defined'),
      }),
      expect.objectContaining({
        path: 'courier.templates.recovery_code.valid.email.body.html',
        message: expect.stringContaining('is not a valid Go template'),
      }),
      expect.objectContaining({
        path: 'courier.templates.recovery_code.valid.email.body.plaintext',
        message: expect.stringContaining('function "now" not defined'),
      }),
    ]);
  });
});
