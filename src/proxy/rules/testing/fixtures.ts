/** The rule from issue #6 (one user's production rule), for tests. */
export const EXAM_RULE = {
  id: 'exam-taking-rule',
  upstream: { url: 'http://exam-taking-frontend:8501' },
  match: {
    url: 'https://exam-taking.example.com/<.*>',
    methods: ['GET', 'POST', 'OPTIONS', 'PUT', 'PATCH', 'HEAD'],
  },
  authenticators: [{ handler: 'cookie_session' }],
  authorizer: { handler: 'allow' },
  mutators: [{ handler: 'header', config: { headers: { 'X-USER-EMAIL': '{{ print .Subject }}' } } }],
  errors: [{ handler: 'redirect' }],
};

/** A minimal valid rule matching `url` for `methods`. */
export function rule(id: string, url: string, methods: readonly string[] = ['GET']) {
  return {
    id,
    match: { url, methods },
    authenticators: [{ handler: 'noop' }],
    authorizer: { handler: 'allow' },
    mutators: [{ handler: 'noop' }],
  };
}
