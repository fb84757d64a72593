import { Configuration, IdentityApi } from '@ory/client';
import { describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { failure } from './support/failure.js';
import { examTraits, signedIn } from './support/identities.js';
import { linkOf } from './support/link-header.js';
import { useTestServer } from './support/suite-server.js';

const NIL = '00000000-0000-0000-0000-000000000000';

/**
 * Where Kratos's session and identity list APIs answer what our first versions refused or
 * counted differently: page tokens, out-of-range paging values, `expand` spelled in capitals,
 * the count of `DELETE /sessions`, and the public listener's redirects of admin routes.
 */
describe.each(testDatabases())('session and list parity with Kratos ($name)', (database) => {
  const t = useTestServer(database, { redis: true });
  const person = (email: string, sessions = 1) => signedIn(t, email, sessions);

  it('pages identities after a bare last id and from the nil UUID of a first link, as Kratos tokens are', async () => {
    const ids = (
      await Promise.all(
        ['m4-a', 'm4-b', 'm4-c'].map(async (n) => (await person(`${n}@example.com`, 0)).identity.id),
      )
    ).sort();
    // A client holding the last id it saw (Kratos's StringPageToken) gets the page after it.
    const after = await t.admin.listIdentities({ ids, pageSize: 1, pageToken: ids[0] });
    expect(after.data.map((i) => i.id)).toEqual([ids[1]]);
    // The next token is the last id again, as Kratos's.
    const next = linkOf(after.headers.link, 'next', '');
    expect(new URL(next ?? '', t.server.adminUrl).searchParams.get('page_token')).toBe(ids[1]);
    // Kratos's first link starts at the nil UUID; replayed, it is the first page.
    const first = linkOf(after.headers.link, 'first', '');
    expect(new URL(first ?? '', t.server.adminUrl).searchParams.get('page_token')).toBe(NIL);
    const fromNil = await t.admin.listIdentities({ ids, pageSize: 2, pageToken: NIL });
    expect(fromNil.data.map((i) => i.id)).toEqual(ids.slice(0, 2));
  });

  it('reads expand values in any case, as Kratos (its own example is ?expand=Identity&expand=Devices)', async () => {
    const { identity, sessions } = await person('l1@example.com');
    const id = sessions[0]?.session.id ?? '';
    const response = await fetch(`${t.server.adminUrl}/admin/sessions/${id}?expand=Identity&expand=Devices`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { identity?: { id: string } }).identity?.id).toBe(identity.id);
    const listed = await fetch(`${t.server.adminUrl}/admin/sessions?expand=IDENTITY&page_size=1`);
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { identity?: object }[])[0]?.identity).toBeDefined();
    const unknown = await fetch(`${t.server.adminUrl}/admin/sessions/${id}?expand=Everything`);
    expect(unknown.status).toBe(400);
  });

  it("counts every other session of the caller on DELETE /sessions, revoked ones included, as Kratos's revokeMatchingSessions", async () => {
    const { sessions } = await person('l3@example.com', 3);
    const [mine, revoked, other] = sessions;
    if (!mine || !revoked || !other) throw new Error('no sessions issued');
    await t.admin.disableSession({ id: revoked.session.id });
    const { data } = await t.frontend.disableMyOtherSessions({ xSessionToken: mine.token });
    expect(data.count).toBe(2);
    // Again: nothing is left to revoke, both others are still counted.
    expect((await t.frontend.disableMyOtherSessions({ xSessionToken: mine.token })).data.count).toBe(2);
    expect((await t.frontend.toSession({ xSessionToken: mine.token })).status).toBe(200);
  });

  it('holds out-of-range paging values to the limits on the identity session lists, never a 400', async () => {
    const { identity, sessions } = await person('l4-clamp@example.com', 3);
    const token = sessions[0]?.token ?? '';
    const list = `${t.server.adminUrl}/admin/identities/${identity.id}/sessions`;
    for (const [query, size] of [
      ['per_page=0', 1],
      ['per_page=2000', 3],
      ['page=-1', 3],
      ['page=abc&per_page=abc', 3],
      ['page_size=0', 1],
      ['page_size=abc', 3],
      ['page_size=2&page_token=garbage', 2],
    ] as const) {
      const response = await fetch(`${list}?${query}`);
      expect(response.status, query).toBe(200);
      expect(((await response.json()) as unknown[]).length, query).toBe(size);
      expect(response.headers.get('x-total-count'), query).toBe('3');
    }
    const mine = await fetch(`${t.server.publicUrl}/sessions?per_page=0&page=-5`, {
      headers: { 'x-session-token': token },
    });
    expect(mine.status).toBe(200);
    expect(((await mine.json()) as unknown[]).length).toBe(1);
    expect(mine.headers.get('x-total-count')).toBe('2');
  });

  it('links first, next, prev and last in both styles, with X-Total-Count in both, as migrationpagination', async () => {
    const { identity, sessions } = await person('l4-links@example.com', 4);
    const expected = sessions.map((s) => s.session.id).sort();
    const base = `${t.server.adminUrl}/admin/identities/${identity.id}/sessions`;
    // Walked by the page_token links.
    const seen: string[] = [];
    let url: string | undefined = `${base}?page_size=1&active=true`;
    let pages = 0;
    while (url !== undefined) {
      const response: Response = await fetch(url);
      expect(response.headers.get('x-total-count')).toBe('4');
      seen.push(...((await response.json()) as { id: string }[]).map((s) => s.id));
      const link = response.headers.get('link');
      if (pages === 1) {
        for (const rel of ['first', 'next', 'prev', 'last']) expect(link).toContain(`rel="${rel}"`);
      }
      const next = linkOf(link, 'next', t.server.adminUrl);
      if (next !== undefined) {
        const params = new URL(next).searchParams;
        expect(params.get('active')).toBe('true');
        expect(params.get('page')).toBe(String(pages + 1));
        expect(params.get('per_page')).toBe('1');
      }
      url = next;
      pages++;
    }
    expect(pages).toBe(4);
    expect(seen.sort()).toEqual(expected);
    // The last link of the first page, followed with the numbered style it also carries.
    const first = await fetch(`${base}?per_page=3`);
    const last = linkOf(first.headers.get('link'), 'last', t.server.adminUrl) ?? '';
    const lastUrl = new URL(last);
    lastUrl.searchParams.delete('page_size');
    lastUrl.searchParams.delete('page_token');
    const lastPage = await fetch(lastUrl);
    expect(((await lastPage.json()) as unknown[]).length).toBe(1);
    // Through the SDK, which sends per_page and page.
    const sdk = await t.admin.listIdentitySessions({ id: identity.id, perPage: 3, page: 1 });
    expect(sdk.data).toHaveLength(1);
    expect(sdk.headers['x-total-count']).toBe('4');
  });

  it('clamps page_size on the admin session list; only a size that is not a number is a 400, as Kratos', async () => {
    await person('l4-admin@example.com', 2);
    for (const query of ['page_size=0', 'page_size=-3', 'page_size=2000', 'per_page=abc']) {
      const response = await fetch(`${t.server.adminUrl}/admin/sessions?${query}`);
      expect(response.status, query).toBe(200);
    }
    const response = await fetch(`${t.server.adminUrl}/admin/sessions?page_size=2000`);
    expect(linkOf(response.headers.get('link'), 'first', '')).toMatch(/page_size=1000/);
    const bad = await failure<{ error: { message: string } }>(
      t.admin.listSessions({ pageSize: 'abc' as unknown as number }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('could not parse parameter page_size');
    // The first link replays (Kratos's start token), and the next one leads on.
    const one = await fetch(`${t.server.adminUrl}/admin/sessions?page_size=1`);
    const start = await fetch(linkOf(one.headers.get('link'), 'first', t.server.adminUrl) ?? '');
    expect(start.status).toBe(200);
    expect(await start.json()).toEqual(await one.json());
    const next = await fetch(linkOf(one.headers.get('link'), 'next', t.server.adminUrl) ?? '');
    expect(next.status).toBe(200);
  });

  describe('admin routes asked of the public listener', () => {
    it('answers them with a 307 to the admin URL, path and query kept, as Kratos', async () => {
      const adminBase = t.server.registry.config.serve.admin.baseUrl;
      for (const [method, path] of [
        ['GET', '/identities?page_size=1'],
        ['GET', '/admin/identities/by/external/x'],
        ['POST', '/admin/identities'],
        ['PATCH', `/identities/${NIL}`],
        ['DELETE', `/identities/${NIL}/credentials/password`],
        ['DELETE', `/identities/${NIL}/sessions`],
      ] as const) {
        const response = await fetch(`${t.server.publicUrl}${path}`, {
          method,
          redirect: 'manual',
          ...(method === 'POST' || method === 'PATCH'
            ? { headers: { 'content-type': 'application/json' }, body: '{not json' }
            : {}),
        });
        expect(response.status, path).toBe(307);
        expect(response.headers.get('location'), path).toBe(
          new URL(`.${path.startsWith('/admin/') ? path : `/admin${path}`}`, adminBase).toString(),
        );
      }
      // Not an admin route in Kratos's public router: still a 404.
      expect((await fetch(`${t.server.publicUrl}/admin/sessions`, { redirect: 'manual' })).status).toBe(404);
    });

    it('lets an IdentityApi pointed at the public URL by mistake work, as against Kratos', async () => {
      const misconfigured = new IdentityApi(new Configuration({ basePath: t.server.publicUrl }));
      const { data: created, status } = await misconfigured.createIdentity({
        createIdentityBody: { schema_id: 'exam', traits: examTraits('l7@example.com') },
      });
      expect(status).toBe(201);
      const { data: fetched } = await misconfigured.getIdentity({ id: created.id });
      expect(fetched.traits).toEqual(created.traits);
      await misconfigured.deleteIdentity({ id: created.id });
      expect((await failure(t.admin.getIdentity({ id: created.id }))).status).toBe(404);
    });
  });
});
