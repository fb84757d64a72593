import { describe, expect, it } from 'vitest';
import { flowOfAnotherIdentity, NeedsPrivilegedSessionError } from './errors.js';

describe('NeedsPrivilegedSessionError', () => {
  it("is Kratos's needsPrivilegedSessionError: a 403 error and redirect_browser_to beside it", () => {
    const error = new NeedsPrivilegedSessionError(
      'http://id.example/self-service/login/browser?refresh=true',
    );
    expect(error.code).toBe(403);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      error: {
        id: 'session_refresh_required',
        code: 403,
        status: 'Forbidden',
        message: 'The requested action was forbidden',
        reason:
          'The login session is too old and thus not allowed to update these fields. Please re-authenticate.',
      },
      redirect_browser_to: 'http://id.example/self-service/login/browser?refresh=true',
    });
  });
});

describe('flowOfAnotherIdentity', () => {
  it("is 403 security_identity_mismatch (the fetch of another identity's flow)", () => {
    expect(flowOfAnotherIdentity().toJSON().error).toMatchObject({
      id: 'security_identity_mismatch',
      code: 403,
    });
  });
});
