import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpReceiver, startHttpReceiver } from '../../../../test/support/http-receiver.js';
import { createOutboundHttp } from '../../../kernel/http-client.js';
import { readTemplateRef, TemplateRefError } from './template-ref.js';

describe('readTemplateRef over http', () => {
  const http = createOutboundHttp({ disallowPrivateIpRanges: false });
  let receiver: HttpReceiver;
  beforeAll(async () => {
    receiver = await startHttpReceiver();
  });
  afterAll(async () => {
    await receiver.stop();
    await http.close();
  });

  it('names a template that did not answer 200 by its origin, never its credentials, path or query', async () => {
    receiver.script('/templates/body.jsonnet', [{ status: 404, body: {} }]);
    const url = new URL(`${receiver.url}/templates/body.jsonnet?signature=s3cr3t`);
    url.username = 'deploy';
    url.password = 'hunter2';
    const failure = await readTemplateRef(url.href, process.cwd(), http).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TemplateRefError);
    expect((failure as Error).message).toBe(
      `expected http response status code 200 but got 404 when fetching: ${receiver.url}`,
    );
  });
});
