import { Configuration, FrontendApi, IdentityApi, type UiNode } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCHEMA_URL } from '../src/identity/schema/index.js';
import { BrowserClient } from './support/browser-client.js';
import { failure } from './support/failure.js';
import { EXAM_SCHEMA_URL, startTestServer, type TestServer } from './support/server.js';

/** A schema whose people sign in with a username: its nodes and label differ from the default's. */
const customerSchema = {
  $id: 'https://schemas.example.test/customer.json',
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    traits: {
      type: 'object',
      properties: {
        username: {
          type: 'string',
          title: 'Username',
          minLength: 3,
          'ory.sh/kratos': { credentials: { password: { identifier: true } } },
        },
      },
      required: ['username'],
      additionalProperties: false,
    },
  },
};
const CUSTOMER_SCHEMA_URL = `base64://${Buffer.from(JSON.stringify(customerSchema)).toString('base64')}`;

/**
 * A server whose default schema is `exam`, with `customer` selectable and `staff` not (only the
 * admin API may create identities of it); `flows` goes under `selfservice.flows`.
 */
function startSchemaServer(flows: Record<string, unknown>): Promise<TestServer> {
  return startTestServer({
    dsn: 'memory',
    extraConfig: {
      identity: {
        default_schema_id: 'exam',
        schemas: [
          { id: 'exam', url: EXAM_SCHEMA_URL },
          { id: 'customer', url: CUSTOMER_SCHEMA_URL, selfservice_selectable: true },
          { id: 'staff', url: DEFAULT_SCHEMA_URL },
        ],
      },
      selfservice: { default_browser_return_url: 'http://app.example.test/', flows },
    },
  });
}

const names = (nodes: UiNode[]) => nodes.map((n) => (n.attributes as { name?: string }).name);
const node = (nodes: UiNode[], name: string) =>
  nodes.find((n) => (n.attributes as { name?: string }).name === name);

/**
 * `?identity_schema=` on login and registration init, as Kratos: a flow may use a configured
 * schema marked `selfservice_selectable`; the form, the new identity's `schema_id` and the login
 * label follow it. Driven with @ory/client's own `identitySchema` parameter.
 */
describe('identity schema selection in self-service flows', () => {
  let server: TestServer;
  let frontend: FrontendApi;

  beforeAll(async () => {
    server = await startSchemaServer({
      registration: { style: 'unified', after: { password: { hooks: [{ hook: 'session' }] } } },
    });
    frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('pages GET /schemas as Kratos: per_page and page, X-Total-Count and links on the public URL', async () => {
    // @ory/client lists schemas through IdentityApi; the public listener serves them.
    const schemas = new IdentityApi(new Configuration({ basePath: server.publicUrl }));
    const { data: all, headers } = await schemas.listIdentitySchemas();
    expect(all.map((s) => s.id)).toEqual(['exam', 'customer', 'staff']);
    expect(headers['x-total-count']).toBe('3');
    const { data: second, headers: paged } = await schemas.listIdentitySchemas({ perPage: 1, page: 1 });
    expect(second.map((s) => s.id)).toEqual(['customer']);
    expect(paged['x-total-count']).toBe('3');
    expect(paged.link).toBe(
      [
        `<${server.publicUrl}/schemas?page=0&per_page=1>; rel="first"`,
        `<${server.publicUrl}/schemas?page=2&per_page=1>; rel="next"`,
        `<${server.publicUrl}/schemas?page=0&per_page=1>; rel="prev"`,
        `<${server.publicUrl}/schemas?page=2&per_page=1>; rel="last"`,
      ].join(','),
    );
    const missing = await fetch(`${server.publicUrl}/schemas/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { reason: string } }).error.reason).toBe(
      'Identity schema `nope` could not be found.',
    );
  });

  it('builds the registration form from the schema asked for and gives the identity its schema_id', async () => {
    const { data: flow } = await frontend.createNativeRegistrationFlow({ identitySchema: 'customer' });
    expect(flow.identity_schema).toBe('customer');
    expect(names(flow.ui.nodes)).toContain('traits.username');
    expect(names(flow.ui.nodes)).not.toContain('traits.email');

    const { data: fetched } = await frontend.getRegistrationFlow({ id: flow.id });
    expect(fetched.identity_schema).toBe('customer');

    // The traits are checked against that schema: the default's required email is not asked for.
    const { data: done } = await frontend.updateRegistrationFlow({
      flow: flow.id,
      updateRegistrationFlowBody: {
        method: 'password',
        traits: { username: 'katherine' },
        password: 'a-long-and-unusual-passphrase-41',
      },
    });
    expect(done.identity.schema_id).toBe('customer');
    // As Kratos, the schema URL names the id base64url-encoded.
    const encoded = Buffer.from('customer').toString('base64url');
    expect(done.identity.schema_url).toBe(`${server.publicUrl}/schemas/${encoded}`);
    expect(done.identity.traits).toEqual({ username: 'katherine' });
  });

  it("tells that schema's errors on its fields", async () => {
    const { data: flow } = await frontend.createNativeRegistrationFlow({ identitySchema: 'customer' });
    const refused = await failure<{ ui: { nodes: UiNode[] } }>(
      frontend.updateRegistrationFlow({
        flow: flow.id,
        updateRegistrationFlowBody: {
          method: 'password',
          traits: { username: 'ab' },
          password: 'a-long-and-unusual-passphrase-42',
        },
      }),
    );
    expect(refused.status).toBe(400);
    expect(node(refused.body.ui.nodes, 'traits.username')?.messages).toMatchObject([{ id: 4000003 }]);
    expect(names(refused.body.ui.nodes)).not.toContain('traits.email');
  });

  it('uses the default schema, and says none, when no schema is asked for', async () => {
    const { data: flow } = await frontend.createNativeRegistrationFlow();
    expect(flow).not.toHaveProperty('identity_schema');
    expect(names(flow.ui.nodes)).toContain('traits.email');
    expect(names(flow.ui.nodes)).not.toContain('traits.username');
  });

  it('takes the identifier label of a login flow from the schema asked for', async () => {
    const { data: asked } = await frontend.createNativeLoginFlow({ identitySchema: 'customer' });
    expect(asked.identity_schema).toBe('customer');
    expect(node(asked.ui.nodes, 'identifier')?.meta.label).toMatchObject({ id: 1070002, text: 'Username' });

    const { data: plain } = await frontend.createNativeLoginFlow();
    expect(plain).not.toHaveProperty('identity_schema');
    expect(node(plain.ui.nodes, 'identifier')?.meta.label).toMatchObject({ text: 'E-Mail' });
  });

  it('keeps the schema on a browser flow fetched by the SPA', async () => {
    const response = await fetch(
      `${server.publicUrl}/self-service/registration/browser?identity_schema=customer`,
      { headers: { accept: 'application/json' } },
    );
    expect(response.status).toBe(200);
    const flow = (await response.json()) as { identity_schema?: string; ui: { nodes: UiNode[] } };
    expect(flow.identity_schema).toBe('customer');
    expect(names(flow.ui.nodes)).toContain('traits.username');
  });

  it('refuses a schema that is not selectable, or not configured, with 400 before any flow starts', async () => {
    const started = new Date(Date.now() - 1);
    // Flows made from here on (a cleanup of expired ones elsewhere cannot change the count).
    const flowCount = async () =>
      Number(
        (
          await server.registry.database.db
            .selectFrom('selfservice_flows')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('created_at', '>=', started)
            .executeTakeFirstOrThrow()
        ).n,
      );
    for (const identitySchema of ['staff', 'no-such-schema']) {
      for (const call of [
        () => frontend.createNativeRegistrationFlow({ identitySchema }),
        () => frontend.createNativeLoginFlow({ identitySchema }),
      ]) {
        const refused = await failure<{ error: { code: number; status: string; reason: string } }>(call());
        expect(refused.status).toBe(400);
        expect(refused.body.error).toMatchObject({ code: 400, status: 'Bad Request' });
        expect(refused.body.error.reason).toContain(identitySchema);
      }
    }
    expect(await flowCount()).toBe(0);
  });

  it('lets a flow name the default schema, selectable or not', async () => {
    const { data: flow } = await frontend.createNativeRegistrationFlow({ identitySchema: 'exam' });
    expect(flow.identity_schema).toBe('exam');
    expect(names(flow.ui.nodes)).toContain('traits.email');
  });
});

describe('identity schema selection across an expired flow', () => {
  let server: TestServer;
  let frontend: FrontendApi;

  beforeAll(async () => {
    server = await startSchemaServer({ registration: { style: 'unified', lifespan: '1s' } });
    frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
  });
  afterAll(async () => {
    await server?.close();
  });

  it('starts the replacement flow on the same schema, whichever way the client learns of the expiry', async () => {
    const { data: native } = await frontend.createNativeRegistrationFlow({ identitySchema: 'customer' });
    const browser = new BrowserClient(server.publicUrl);
    const spa = (await (
      await browser.getJson('/self-service/registration/browser?identity_schema=customer')
    ).json()) as { id: string };
    await new Promise((resolve) => setTimeout(resolve, 1100));

    // Submitting: 410 with the flow to use instead, on the same schema.
    const gone = await failure<{ use_flow_id: string }>(
      frontend.updateRegistrationFlow({
        flow: native.id,
        updateRegistrationFlowBody: { method: 'password', traits: { username: 'dorothy' }, password: 'x' },
      }),
    );
    expect(gone.status).toBe(410);
    const { data: replacement } = await frontend.getRegistrationFlow({ id: gone.body.use_flow_id });
    expect(replacement.identity_schema).toBe('customer');
    expect(names(replacement.ui.nodes)).toContain('traits.username');

    // Fetching: the init URLs in the 410's details ask for the schema again.
    const fetched = await failure<{ error: { details: { api: string } } }>(
      frontend.getRegistrationFlow({ id: native.id }),
    );
    expect(new URL(fetched.body.error.details.api).searchParams.get('identity_schema')).toBe('customer');
    const spaFetched = await browser.getJson(`/self-service/registration/flows?id=${spa.id}`);
    expect(spaFetched.status).toBe(410);
    const details = ((await spaFetched.json()) as { error: { details: { redirect_to: string } } }).error
      .details;
    expect(new URL(details.redirect_to).searchParams.get('identity_schema')).toBe('customer');

    // The built-in UI sends the browser to a new flow on the same schema.
    const page = await browser.request(`/ui/registration?flow=${spa.id}`, {
      headers: { accept: 'text/html' },
    });
    expect(page.status).toBe(303);
    expect(new URL(page.headers.get('location') ?? '').searchParams.get('identity_schema')).toBe('customer');
  });
});
