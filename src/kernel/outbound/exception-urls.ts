/**
 * `clients.http.private_ip_exception_urls`: URLs that may reach private addresses although
 * `disallow_private_ip_ranges` is on. As in Kratos (ory/x httpx), each entry is a glob matched
 * against the request URL without its query and fragment, with `.` and `/` as separators: a
 * plain URL matches only itself (exact, case-sensitive), `*` matches within one host label or
 * path segment, `**` across them, `?` one character, `{a,b}` alternatives, `[a-z]` / `[!a-z]`
 * character classes.
 */
export type ExceptionMatcher = (url: URL) => boolean;

function globToRegExp(glob: string): RegExp {
  let out = '';
  let alternatives = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        out += '.*';
        i++;
      } else out += '[^./]*';
    } else if (c === '?') out += '[^./]';
    else if (c === '{') {
      alternatives++;
      out += '(?:';
    } else if (c === '}' && alternatives > 0) {
      alternatives--;
      out += ')';
    } else if (c === ',' && alternatives > 0) out += '|';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end === -1) out += '\\[';
      else {
        const body = glob.slice(i + 1, end);
        const negated = body.startsWith('!');
        const chars = (negated ? body.slice(1) : body).replace(/[\\\]^]/g, '\\$&');
        out += `[${negated ? '^' : ''}${chars}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < glob.length) {
      out += (glob[++i] as string).replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    } else out += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** The URL as Go's url.URL prints it once RawQuery and RawFragment are cleared. */
function withoutQuery(url: URL): string[] {
  const base = `${url.protocol}//${url.host}`;
  const forms = [`${base}${url.pathname}`];
  // WHATWG adds `/` to an empty path; Go does not: `http://host` matches either way.
  if (url.pathname === '/') forms.push(base);
  return forms;
}

export function exceptionMatcher(globs: readonly string[]): ExceptionMatcher {
  const patterns = globs.map(globToRegExp);
  if (patterns.length === 0) return () => false;
  return (url) => withoutQuery(url).some((form) => patterns.some((p) => p.test(form)));
}
