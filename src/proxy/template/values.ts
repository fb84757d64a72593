/**
 * The values a template sees. Plain data (strings, numbers, booleans, null, arrays, plain
 * objects) behaves like Go's `interface{}` JSON values: objects are `map[string]interface{}`,
 * numbers `float64`. A `bigint` is a Go `int` (integer literals, `len`, range indices).
 * Objects that need methods (`.Header.Get "X"`) or Go struct printing extend TemplateObject.
 * Only own properties of plain objects and the fields and methods a TemplateObject exposes
 * are reachable; prototypes never are.
 */

/**
 * Go's invalid reflect.Value: what a pipeline yields for a nil interface (Go's executor digs
 * through interfaces after each command), a variable holding it, or a field of it. Printed as
 * `<no value>`; a function receives it as nil. `null` is a nil `interface{}` that is still a
 * value: a JSON null or, as Oathkeeper sets `missingkey=zero`, a missing key of a
 * `map[string]interface{}`; a field of it is an error.
 */
export const MISSING: unique symbol = Symbol('missing');
export type Missing = typeof MISSING;

/** A nil slice (Go's zero `[]string`, a nil `[]interface{}` result): prints `[]`, encodes as `null`. */
export const NIL_LIST: readonly unknown[] = Object.freeze([]);

/** A nil `map[string]interface{}` (what a nil argument becomes): prints `map[]`, encodes as `null`, read-only. */
export const NIL_MAP: Readonly<Record<string, unknown>> = Object.freeze(
  Object.create(null) as Record<string, unknown>,
);

export type TemplateMethod = (...args: unknown[]) => unknown;

export abstract class TemplateObject {
  /**
   * `.Name`: the field. A map-like object returns its zero value for a missing key; a struct
   * returns MISSING for a field it does not have, which is an execution error (as in Go).
   */
  abstract field(name: string): unknown;
  /** A method callable as `.Name arg...`, or undefined. */
  method(_name: string): TemplateMethod | undefined {
    return undefined;
  }
  /** Map-like objects list their entries (sorted by key) for range, index and len. */
  entries(): ReadonlyArray<readonly [string, unknown]> | undefined {
    return undefined;
  }
  /** What `%v` and `print` show. */
  abstract format(): string;
  /** What `toJson` encodes. */
  abstract toJsonValue(): unknown;
  /** Go's name of the type, for error messages and `%T`. */
  typeName(): string {
    return this.entries() === undefined ? 'struct' : 'map[string][]string';
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Go's textproto.CanonicalMIMEHeaderKey for the usual token characters. */
export function canonicalHeaderKey(name: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) return name;
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
}

/** Go's `http.Header` / `url.Values`: map[string][]string with `Get` and `Values`. */
export class MultiMap extends TemplateObject {
  private readonly map: Map<string, string[]>;

  /** @param canonical canonicalise keys as http.Header does (false for url.Values). */
  constructor(
    entries: Iterable<readonly [string, readonly string[]]>,
    private readonly canonical: boolean,
  ) {
    super();
    this.map = new Map();
    for (const [k, v] of entries) {
      const key = canonical ? canonicalHeaderKey(k) : k;
      this.map.set(key, [...(this.map.get(key) ?? []), ...v]);
    }
  }

  private key(name: string): string {
    return this.canonical ? canonicalHeaderKey(name) : name;
  }

  get(name: string): string {
    return this.map.get(this.key(name))?.[0] ?? '';
  }

  /** A missing key is the nil `[]string` (Oathkeeper's `missingkey=zero`). */
  field(name: string): unknown {
    return this.map.get(name) ?? NIL_LIST;
  }

  override method(name: string): TemplateMethod | undefined {
    if (name === 'Get') return (key) => this.get(String(key ?? ''));
    if (name === 'Values') return (key) => this.map.get(this.key(String(key ?? ''))) ?? [];
    return undefined;
  }

  override entries(): ReadonlyArray<readonly [string, unknown]> {
    return [...this.map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  format(): string {
    return `map[${this.entries()
      .map(([k, v]) => `${k}:[${(v as string[]).join(' ')}]`)
      .join(' ')}]`;
  }

  toJsonValue(): unknown {
    return Object.fromEntries(this.entries());
  }
}

/** Go's `*url.URL`: fields Scheme, Host, Path, RawQuery, Fragment; methods String, Hostname, Port, Query. */
export class TemplateUrl extends TemplateObject {
  constructor(private readonly url: URL) {
    super();
  }

  field(name: string): unknown {
    const u = this.url;
    switch (name) {
      case 'Scheme':
        return u.protocol.replace(/:$/, '');
      case 'Host':
        return u.host;
      case 'Path':
        return safeDecode(u.pathname);
      case 'RawPath':
        return '';
      case 'RawQuery':
        return u.search.replace(/^\?/, '');
      case 'Fragment':
        return safeDecode(u.hash.replace(/^#/, ''));
      case 'Opaque':
        return '';
      default:
        return MISSING;
    }
  }

  override method(name: string): TemplateMethod | undefined {
    switch (name) {
      case 'String':
        return () => this.url.href;
      case 'Hostname':
        return () => this.url.hostname.replace(/^\[|\]$/g, '');
      case 'Port':
        return () => this.url.port;
      case 'Query':
        return () => new MultiMap(groupPairs(this.url.searchParams), false);
      default:
        return undefined;
    }
  }

  format(): string {
    return this.url.href;
  }

  override typeName(): string {
    return '*url.URL';
  }

  toJsonValue(): unknown {
    return {
      Scheme: this.field('Scheme'),
      Opaque: '',
      User: null,
      Host: this.field('Host'),
      Path: this.field('Path'),
      RawPath: '',
      OmitHost: false,
      ForceQuery: false,
      RawQuery: this.field('RawQuery'),
      Fragment: this.field('Fragment'),
      RawFragment: '',
    };
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function groupPairs(params: URLSearchParams): Array<[string, string[]]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of params) out.set(k, [...(out.get(k) ?? []), v]);
  return [...out.entries()];
}
