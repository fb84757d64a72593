import { describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { signedInOnce } from './support/identities.js';
import { linkOf } from './support/link-header.js';
import { issueSessions } from './support/sessions.js';
import { statusOf as status } from './support/status-of.js';
import { useTestServer } from './support/suite-server.js';

/**
 * Sessions are issued in process here (the login flow that issues them over HTTP comes with
 * its own issue); everything after that goes through HTTP and the official client.
 */
describe.each(testDatabases())('sessions over HTTP ($name)', (database) => {
  const t = useTestServer(database, { redis: true });
  const signedIn = (email: string) => signedInOnce(t, email);

  it('answers whoami for X-Session-Token, Bearer and the signed cookie, and 401 otherwise', async () => {
    const { identity, token, session } = await signedIn('whoami@example.com');
    const { data, headers } = await t.frontend.toSession({ xSessionToken: token });
    expect(data.id).toBe(session.id);
    expect(data.active).toBe(true);
    expect(data.identity?.id).toBe(identity.id);
    expect(data.identity?.traits.email).toBe('whoami@example.com');
    expect(JSON.stringify(data)).not.toContain('credentials');
    expect(JSON.stringify(data)).not.toContain('metadata_admin');
    expect(headers['x-kratos-authenticated-identity-id']).toBe(identity.id);

    const bearer = await fetch(`${t.server.publicUrl}/sessions/whoami`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bearer.status).toBe(200);
    const cookie = t.server.sessionCookie(token);
    const byCookie = await fetch(`${t.server.publicUrl}/sessions/whoami`, { headers: { cookie } });
    expect(byCookie.status).toBe(200);

    const forged = await fetch(`${t.server.publicUrl}/sessions/whoami`, {
      headers: { cookie: `ory_kratos_session=${token}` },
    });
    expect(forged.status).toBe(401);
    const none = await fetch(`${t.server.publicUrl}/sessions/whoami`);
    expect(none.status).toBe(401);
    // Kratos's whoami refusal, word for word: a generic Unauthorized, without an error id.
    expect(await none.json()).toEqual({
      error: {
        code: 401,
        status: 'Unauthorized',
        message: 'The request could not be authorized',
        reason: 'No valid session credentials found in the request.',
      },
    });
    expect(await status(t.frontend.toSession({ xSessionToken: `${token}x` }))).toBe(401);
  });

  it('prefers the session cookie to a bearer token, and reads the bearer when no cookie opens, as Kratos', async () => {
    const first = await signedIn('cookie-first@example.com');
    const second = await signedIn('bearer-second@example.com');
    const whoami = async (headers: Record<string, string>) => {
      const response = await fetch(`${t.server.publicUrl}/sessions/whoami`, { headers });
      return { status: response.status, id: ((await response.json()) as { id?: string }).id };
    };
    const cookie = t.server.sessionCookie(first.token);
    // A gateway's or an SPA's own bearer token beside the browser's cookie signs nobody out.
    expect(await whoami({ cookie, authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.gateway.jwt' })).toEqual({
      status: 200,
      id: first.session.id,
    });
    expect(await whoami({ cookie, authorization: `Bearer ${second.token}` })).toEqual({
      status: 200,
      id: first.session.id,
    });
    // A cookie that does not open is no cookie: the bearer token answers.
    expect(
      await whoami({ cookie: 'ory_kratos_session=forged', authorization: `Bearer ${second.token}` }),
    ).toEqual({ status: 200, id: second.session.id });
    // X-Session-Token comes before both.
    expect(await whoami({ cookie, 'x-session-token': second.token })).toEqual({
      status: 200,
      id: second.session.id,
    });
  });

  it('writes the session cookie again when the session outlives it (an extension), as Kratos RefreshCookie', async () => {
    const { token, session } = await signedIn('refresh-cookie@example.com');
    const whoami = (headers: Record<string, string>) =>
      fetch(`${t.server.publicUrl}/sessions/whoami`, { headers });
    const expiresAt = session.expires_at;
    // A cookie that knows the session's expiry: nothing to write.
    const current = await whoami({ cookie: t.server.sessionCookie(token, expiresAt) });
    expect(current.status).toBe(200);
    expect(current.headers.getSetCookie()).toEqual([]);
    // One written before an extension (an earlier expiry), or an older cookie that knows none.
    for (const cookie of [
      t.server.sessionCookie(token, new Date(expiresAt.getTime() - 3_600_000)),
      t.server.sessionCookie(token),
    ]) {
      const refreshed = await whoami({ cookie });
      expect(refreshed.status).toBe(200);
      const [line = ''] = refreshed.headers.getSetCookie();
      expect(line).toMatch(/^ory_kratos_session=s1\./);
      expect(line).toMatch(/; HttpOnly/);
      const maxAge = Number(/Max-Age=(\d+)/.exec(line)?.[1]);
      const left = Math.floor((expiresAt.getTime() - Date.now()) / 1000);
      expect(Math.abs(maxAge - left)).toBeLessThanOrEqual(2);
      // The new cookie is complete: the next whoami writes nothing.
      const again = await whoami({ cookie: line.split(';')[0] ?? '' });
      expect(again.status).toBe(200);
      expect(again.headers.getSetCookie()).toEqual([]);
    }
    // Tokens in headers have no cookie to refresh.
    const byHeader = await whoami({ 'x-session-token': token });
    expect(byHeader.headers.getSetCookie()).toEqual([]);
  });

  it("tells an ended session from none in whoami's reason, and answers the own-session routes as Kratos", async () => {
    const { token, session } = await signedIn('ended@example.com');
    await fetch(`${t.server.adminUrl}/admin/sessions/${session.id}`, { method: 'DELETE' });
    const ended = await fetch(`${t.server.publicUrl}/sessions/whoami`, {
      headers: { 'x-session-token': token },
    });
    expect(ended.status).toBe(401);
    expect(((await ended.json()) as { error: { reason: string } }).error.reason).toBe(
      'The session is inactive. Please log in again.',
    );
    for (const [method, path] of [
      ['GET', '/sessions'],
      ['DELETE', '/sessions'],
      ['DELETE', `/sessions/${session.id}`],
    ] as const) {
      const refused = await fetch(`${t.server.publicUrl}${path}`, { method });
      expect(refused.status, `${method} ${path}`).toBe(401);
      expect(await refused.json(), `${method} ${path}`).toEqual({
        error: {
          code: 401,
          status: 'Unauthorized',
          message: 'The request could not be authorized',
          reason: 'No valid session cookie found.',
        },
      });
    }
  });

  it('revokes at once: admin delete, identity deactivation and identity deletion', async () => {
    const first = await signedIn('revoke@example.com');
    expect(await status(t.frontend.toSession({ xSessionToken: first.token }))).toBe(200);
    const del = await fetch(`${t.server.adminUrl}/admin/sessions/${first.session.id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(await status(t.frontend.toSession({ xSessionToken: first.token }))).toBe(401);

    const second = await signedIn('deactivate@example.com');
    expect(await status(t.frontend.toSession({ xSessionToken: second.token }))).toBe(200);
    await t.admin.patchIdentity({
      id: second.identity.id,
      jsonPatch: [{ op: 'replace', path: '/state', value: 'inactive' }],
    });
    expect(await status(t.frontend.toSession({ xSessionToken: second.token }))).toBe(401);

    const third = await signedIn('delete@example.com');
    expect(await status(t.frontend.toSession({ xSessionToken: third.token }))).toBe(200);
    await t.admin.deleteIdentity({ id: third.identity.id });
    expect(await status(t.frontend.toSession({ xSessionToken: third.token }))).toBe(401);
  });

  it('shows a changed trait in whoami right after the admin update', async () => {
    const { identity, token } = await signedIn('trait@example.com');
    await t.frontend.toSession({ xSessionToken: token });
    await t.admin.patchIdentity({
      id: identity.id,
      jsonPatch: [{ op: 'replace', path: '/traits/fullname', value: 'Ada L.' }],
    });
    const { data } = await t.frontend.toSession({ xSessionToken: token });
    expect(data.identity?.traits.fullname).toBe('Ada L.');
  });

  it("lists and revokes the caller's other sessions", async () => {
    const a = await signedIn('mine@example.com');
    const [b, c] = await issueSessions(t.server, a.identity.id, 2);
    if (!b || !c) throw new Error('no sessions issued');
    const { data: others } = await t.frontend.listMySessions({ xSessionToken: a.token });
    expect(others.map((s) => s.id).sort()).toEqual([b.session.id, c.session.id].sort());

    expect(await status(t.frontend.disableMySession({ id: a.session.id, xSessionToken: a.token }))).toBe(400);
    await t.frontend.disableMySession({ id: b.session.id, xSessionToken: a.token });
    expect(await status(t.frontend.toSession({ xSessionToken: b.token }))).toBe(401);

    const { data: result } = await t.frontend.disableMyOtherSessions({ xSessionToken: a.token });
    // As Kratos (revokeMatchingSessions): every other session counts, b revoked already included.
    expect(result.count).toBe(2);
    expect(await status(t.frontend.toSession({ xSessionToken: c.token }))).toBe(401);
    expect(await status(t.frontend.toSession({ xSessionToken: a.token }))).toBe(200);
  });

  it("lists the caller's other sessions with their identity, by token pages and by numbered pages", async () => {
    const a = await signedIn('pages@example.com');
    const others = await issueSessions(t.server, a.identity.id, 3);
    const expected = others.map((o) => o.session.id).sort();
    const headers = { 'x-session-token': a.token };

    const first = await fetch(`${t.server.publicUrl}/sessions?page_size=2`, { headers });
    // Token pages say the total too, as Kratos's migrationpagination header does.
    expect(first.headers.get('x-total-count')).toBe('3');
    const firstPage = (await first.json()) as { id: string; identity?: { id: string } }[];
    expect(firstPage).toHaveLength(2);
    expect(firstPage.every((s) => s.identity?.id === a.identity.id)).toBe(true);
    const next = linkOf(first.headers.get('link'), 'next', t.server.publicUrl);
    // As ory/x's migrationpagination: the first page links next and last, not itself.
    expect(linkOf(first.headers.get('link'), 'last', t.server.publicUrl)).toBeDefined();
    expect(linkOf(first.headers.get('link'), 'first', t.server.publicUrl)).toBeUndefined();
    const second = (await (await fetch(next ?? '', { headers })).json()) as { id: string }[];
    expect([...firstPage, ...second].map((s) => s.id).sort()).toEqual(expected);

    // The deprecated numbered pages move the window, as older clients expect.
    const numbered: string[] = [];
    for (let page = 0; page < 4; page++) {
      const response = await fetch(`${t.server.publicUrl}/sessions?per_page=1&page=${page}`, { headers });
      // Numbered pages say how many there are in all, as Kratos's X-Total-Count (the caller's
      // own session is not listed, so not counted).
      expect(response.headers.get('x-total-count')).toBe('3');
      numbered.push(...((await response.json()) as { id: string }[]).map((s) => s.id));
      const link = response.headers.get('link') ?? '';
      expect(link).toContain(page === 0 ? 'rel="last"' : 'rel="first"');
      // Three sessions, one a page: pages 0 and 1 lead on, page 2 is the last.
      if (page < 2) expect(link).toContain('rel="next"');
      else expect(link).not.toContain('rel="next"');
    }
    expect(numbered.sort()).toEqual(expected);
    const byAdmin = await fetch(
      `${t.server.adminUrl}/admin/identities/${a.identity.id}/sessions?per_page=2&page=1`,
    );
    expect((await byAdmin.json()) as unknown[]).toHaveLength(2);
    expect(byAdmin.headers.get('x-total-count')).toBe('4');
  });

  it('keeps the filters in the admin list links', async () => {
    const a = await signedIn('filters@example.com');
    const [revoked] = await issueSessions(t.server, a.identity.id, 3);
    await fetch(`${t.server.adminUrl}/admin/sessions/${revoked?.session.id}`, { method: 'DELETE' });
    const base = `${t.server.adminUrl}/admin/identities/${a.identity.id}/sessions`;
    const seen: { id: string; active: boolean; identity?: object }[] = [];
    let url: string | undefined = `${base}?active=true&expand=identity&page_size=1`;
    while (url !== undefined) {
      const response = await fetch(url);
      seen.push(...((await response.json()) as typeof seen));
      const next = linkOf(response.headers.get('link'), 'next', t.server.adminUrl);
      if (next !== undefined) expect(next).toMatch(/active=true/);
      url = next;
    }
    expect(seen).toHaveLength(3);
    expect(seen.every((s) => s.active && s.identity !== undefined)).toBe(true);
    // The list of every session keeps them too.
    const all = await fetch(`${t.server.adminUrl}/admin/sessions?active=true&expand=identity&page_size=1`);
    expect(linkOf(all.headers.get('link'), 'next', t.server.adminUrl)).toMatch(
      /active=true&expand=identity&page_size=1&page_token=/,
    );
  });

  it('answers whoami on other methods, and on DELETE /sessions/whoami, as Kratos', async () => {
    const { identity, token } = await signedIn('methods@example.com');
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const response = await fetch(`${t.server.publicUrl}/sessions/whoami`, {
        method,
        headers: { 'x-session-token': token },
      });
      expect(response.status, method).toBe(200);
      expect(((await response.json()) as { identity: { id: string } }).identity.id).toBe(identity.id);
    }
    expect((await fetch(`${t.server.publicUrl}/sessions/whoami`, { method: 'POST' })).status).toBe(401);
    // Bodies are ignored, whatever their type, as Kratos ignores them.
    for (const [type, body] of [
      ['application/json', ''],
      ['application/json', '{not json'],
      ['text/plain', 'hello'],
      ['application/x-www-form-urlencoded', 'a=b'],
    ]) {
      const response = await fetch(`${t.server.publicUrl}/sessions/whoami`, {
        method: 'POST',
        headers: { 'x-session-token': token, 'content-type': type ?? '' },
        body,
      });
      expect(response.status, `${type} ${body}`).toBe(200);
    }
  });

  it("revokes only the caller's own sessions, and answers 204 either way", async () => {
    const mine = await signedIn('own@example.com');
    const theirs = await signedIn('theirs@example.com');
    const del = (id: string) =>
      fetch(`${t.server.publicUrl}/sessions/${id}`, {
        method: 'DELETE',
        headers: { 'x-session-token': mine.token },
      });
    expect((await del(theirs.session.id)).status).toBe(204);
    expect(await status(t.frontend.toSession({ xSessionToken: theirs.token }))).toBe(200);
    // Any case names the same session, as Kratos parses the UUID.
    const [other] = await issueSessions(t.server, mine.identity.id);
    expect((await del((other?.session.id ?? '').toUpperCase())).status).toBe(204);
    expect(await status(t.frontend.toSession({ xSessionToken: other?.token }))).toBe(401);
    expect((await del('00000000-0000-4000-8000-000000000000')).status).toBe(204);
    const notUuid = await del('not-a-uuid');
    expect(notUuid.status).toBe(400);
    expect(await notUuid.json()).toMatchObject({ error: { code: 400 } });
  });

  it('refuses unknown expand options and ids that are not UUIDs with 400', async () => {
    const { session } = await signedIn('expand@example.com');
    const unknown = await fetch(`${t.server.adminUrl}/admin/sessions/${session.id}?expand=foo`);
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: { reason: 'Could not parse expand option: foo' } });
    expect((await fetch(`${t.server.adminUrl}/admin/sessions?expand=foo`)).status).toBe(400);
    expect((await fetch(`${t.server.adminUrl}/admin/sessions/not-a-uuid`)).status).toBe(400);
    expect((await fetch(`${t.server.adminUrl}/admin/sessions/${session.id}?expand=devices`)).status).toBe(
      200,
    );
  });

  it("deletes an identity's sessions for good, and answers 404 when there are none", async () => {
    const { identity, token } = await signedIn('delete-all@example.com');
    await issueSessions(t.server, identity.id, 2);
    const url = `${t.server.adminUrl}/admin/identities/${identity.id}/sessions`;
    expect((await fetch(url, { method: 'DELETE' })).status).toBe(204);
    expect(await status(t.frontend.toSession({ xSessionToken: token }))).toBe(401);
    expect(await (await fetch(url)).json()).toEqual([]);
    expect((await fetch(url, { method: 'DELETE' })).status).toBe(404);
  });

  it('serves the admin session API: list by identity, get with identity, extend', async () => {
    const { identity, session } = await signedIn('admin-view@example.com');
    const list = await fetch(`${t.server.adminUrl}/admin/identities/${identity.id}/sessions?active=true`);
    // As Kratos: each session with its identity, and the total, without asking.
    expect(list.headers.get('x-total-count')).toBe('1');
    expect(
      ((await list.json()) as { id: string; identity?: { id: string } }[]).map((s) => [s.id, s.identity?.id]),
    ).toEqual([[session.id, identity.id]]);
    const got = await fetch(`${t.server.adminUrl}/admin/sessions/${session.id}?expand=identity`);
    expect(await got.json()).toMatchObject({ id: session.id, identity: { id: identity.id } });
    const extended = await fetch(`${t.server.adminUrl}/admin/sessions/${session.id}/extend`, {
      method: 'PATCH',
    });
    expect(extended.status).toBe(200);
    const body = (await extended.json()) as { expires_at: string };
    expect(new Date(body.expires_at).getTime()).toBeGreaterThanOrEqual(session.expires_at.getTime());
    // A revoked session is answered as it is, not extended and not a 404, as Kratos.
    await fetch(`${t.server.adminUrl}/admin/sessions/${session.id}`, { method: 'DELETE' });
    const revoked = await fetch(`${t.server.adminUrl}/admin/sessions/${session.id}/extend`, {
      method: 'PATCH',
    });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ id: session.id, active: false });
    // An unknown identity has no sessions: an empty page, as Kratos answers.
    const unknown = await fetch(
      `${t.server.adminUrl}/admin/identities/00000000-0000-4000-8000-000000000000/sessions`,
    );
    expect([unknown.status, await unknown.json(), unknown.headers.get('x-total-count')]).toEqual([
      200,
      [],
      '0',
    ]);
  });
});

describe('feature_flags.faster_session_extend', () => {
  const t = useTestServer(undefined, { extraConfig: { feature_flags: { faster_session_extend: true } } });

  it('answers the admin extend with 204 and no body, as Kratos does with the flag', async () => {
    const { session } = await signedInOnce(t, 'faster@example.com');
    const extended = await fetch(`${t.server.adminUrl}/admin/sessions/${session.id}/extend`, {
      method: 'PATCH',
    });
    expect(extended.status).toBe(204);
    expect(await extended.text()).toBe('');
    const { data } = await t.admin.extendSession({ id: session.id });
    expect(data).toBeFalsy();
  });
});
