/**
 * Kratos courier templates work unchanged: Go templates given as http://, base64:// and
 * template_override_path files, delivered over a real SMTP server.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/index.js';
import { type Courier, type CourierWorker, createCourier } from '../src/courier/index.js';
import { silentLogger } from '../src/kernel/logger.js';
import { testEngines } from '../src/persistence/testing/engines.js';
import { base64Url, courierDocument } from './support/courier-direct.js';
import { startSmtpServer, type TestSmtpServer } from './support/smtp.js';

/** Kratos's recovery_code HTML body, extended with if/range/sprig as operators write them. */
const REMOTE_HTML = `{{- define "greeting" -}}
Hi {{ default "there" .Identity.traits.name | title }},
{{- end -}}
<p>{{ template "greeting" . }}</p>
<p>please recover access to your account by entering the following code: <b>{{ .RecoveryCode }}</b></p>
{{ if .ExpiresInMinutes }}<p>This code expires in {{ .ExpiresInMinutes }} minutes.</p>{{ end }}
<ul>{{ range $key, $value := .TransientPayload }}<li>{{ $key }}={{ $value }}</li>{{ end }}</ul>
`;

describe.each(testEngines().slice(0, 1))('courier with Kratos Go templates ($name)', (engine) => {
  let database: Awaited<ReturnType<typeof engine.open>>;
  let smtp: TestSmtpServer;
  let server: Server;
  let templateUrl: string;
  let overrides: string;
  const fetched: string[] = [];

  beforeAll(async () => {
    database = await engine.open();
    smtp = await startSmtpServer();
    server = createServer((req, res) => {
      fetched.push(req.url ?? '');
      if (req.url === '/recovery.gotmpl') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(REMOTE_HTML);
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    templateUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    overrides = await mkdtemp(join(tmpdir(), 'portcullis-courier-gotmpl-'));
    const folder = join(overrides, 'recovery_code', 'valid');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'email.body.plaintext.gotmpl'), '{{ template "body" . }}');
    await writeFile(
      join(folder, 'email.body.plaintext.en_US.gotmpl'),
      '{{ define "body" }}Your code: {{ .RecoveryCode }} ({{ .To | lower }}){{ end }}',
    );
  });
  afterAll(async () => {
    await smtp.stop();
    await new Promise((resolve) => server.close(resolve));
    await rm(overrides, { recursive: true, force: true });
    await database.drop();
  });

  it('renders an http:// HTML body, a globbed override folder and a base64 subject into the mail', async () => {
    const courier: Courier = await createCourier({
      config: {
        document: courierDocument({
          smtp: { connection_uri: smtp.connectionUri },
          template_override_path: overrides,
          templates: {
            recovery_code: {
              valid: {
                email: {
                  subject: base64Url(
                    'Recovery code for {{ .To }}{{ if .Identity.traits.name }} ({{ .Identity.traits.name }}){{ end }}',
                  ),
                  body: { html: `${templateUrl}/recovery.gotmpl` },
                },
              },
            },
          },
        }),
        dev: false,
      },
      database,
      logger: silentLogger(),
    });
    let worker: CourierWorker | undefined;
    try {
      expect(fetched).toEqual(['/recovery.gotmpl']);
      await database.db.transaction().execute((trx) =>
        courier.queueMessage(trx, {
          recipient: 'Ada@Example.com',
          template: 'recovery_code_valid',
          data: {
            To: 'Ada@Example.com',
            RecoveryCode: '739153',
            ExpiresInMinutes: 15,
            Identity: { id: 'i', traits: { email: 'Ada@Example.com', name: '<ada & co>' } },
            TransientPayload: { campaign: 'spring<sale>' },
          },
        }),
      );
      worker = courier.startWorker({ pollIntervalMs: 50, stopGraceMs: 1_000 });
      const [mail] = await smtp.waitFor(1);
      expect(mail?.subject).toBe('Recovery code for Ada@Example.com (<ada & co>)');
      expect(mail?.text).toBe('Your code: 739153 (ada@example.com)');
      expect(mail?.html).toBe(
        [
          '<p>Hi &lt;Ada &amp; Co&gt;,</p>',
          '<p>please recover access to your account by entering the following code: <b>739153</b></p>',
          '<p>This code expires in 15 minutes.</p>',
          '<ul><li>campaign=spring&lt;sale&gt;</li></ul>',
          '',
        ].join('\n'),
      );
    } finally {
      await worker?.stop();
      await courier.close();
    }
  });

  it('stops the start with a ConfigError naming the key when the template does not parse or cannot be fetched', async () => {
    const error = await createCourier({
      config: {
        document: courierDocument({
          smtp: { connection_uri: smtp.connectionUri },
          templates: {
            recovery_code: { valid: { email: { body: { html: `${templateUrl}/missing.gotmpl` } } } },
            verification_code: { valid: { email: { subject: base64Url('{{ if .To }}no end') } } },
          },
        }),
        dev: false,
      },
      database,
      logger: silentLogger(),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      expect.objectContaining({
        path: 'courier.templates.verification_code.valid.email.subject',
        message: expect.stringContaining('unclosed {{if}}'),
      }),
      expect.objectContaining({
        path: 'courier.templates.recovery_code.valid.email.body.html',
        message: expect.stringContaining('expected HTTP status 200 but got 404'),
      }),
    ]);
  });
});
