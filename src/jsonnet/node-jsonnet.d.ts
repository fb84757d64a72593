// The part of @hanazuki/node-jsonnet this module uses. The package ships types, but its "exports"
// map does not point at them, so TypeScript cannot find them under NodeNext resolution (and they
// name some methods wrongly: `maxStack` is `setMaxStack` at run time).
declare module '@hanazuki/node-jsonnet' {
  export class Jsonnet {
    static readonly version: string;
    /** Binds top-level argument `key` to Jsonnet code (`--tla-code`). */
    tlaCode(key: string, value: string): this;
    /** Binds external variable `key` to Jsonnet code (`--ext-code`). */
    extCode(key: string, value: string): this;
    /** Evaluates on a libuv threadpool thread; rejects with a JsonnetError carrying libjsonnet's text. */
    evaluateSnippet(snippet: string, filename?: string): Promise<string>;
  }
  export class JsonnetError extends Error {}
}
