import { isJsonObject, type JsonValue } from './json.js';

/**
 * Remembers which file or env var last set each key, so that a validation error can say
 * where to fix it ("serve.public.port: must be integer (env SERVE_PUBLIC_PORT)").
 */
export class Provenance {
  readonly #sources = new Map<string, string>();

  /**
   * Records `source` for `value` at `prefix` and for everything below it. An array or a scalar
   * replaces what was there (only objects merge), so what earlier sources set below it is
   * forgotten: an error in a replacing array names the file or variable that wrote it.
   */
  record(value: JsonValue, source: string, prefix: readonly string[] = []): void {
    if (prefix.length > 0) {
      const key = prefix.join('.');
      if (!isJsonObject(value)) {
        const below = `${key}.`;
        for (const known of [...this.#sources.keys()])
          if (known.startsWith(below)) this.#sources.delete(known);
      }
      this.#sources.set(key, source);
    }
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) this.record(item, source, [...prefix, String(index)]);
    } else if (isJsonObject(value)) {
      for (const [key, item] of Object.entries(value)) this.record(item, source, [...prefix, key]);
    }
  }

  /** The source of `path` or of its nearest recorded ancestor. */
  sourceOf(path: string): string | undefined {
    let candidate = path;
    for (;;) {
      const source = this.#sources.get(candidate);
      if (source !== undefined) return source;
      const cut = candidate.lastIndexOf('.');
      if (cut < 0) return undefined;
      candidate = candidate.slice(0, cut);
    }
  }
}
