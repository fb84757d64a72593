/**
 * The shape of one catalogue entry and the helpers the per-group files build entries with.
 * Each entry renders its text the way Kratos's `text.New*` function formats it, so the text
 * and context a client receives are the ones Kratos would send.
 */

/** The `type` of a `uiText`: `info`, `error` or `success`. */
export type UiTextType = 'info' | 'error' | 'success';

/** A rendered message, the `uiText` schema of the Kratos OpenAPI spec. */
export interface UiText {
  /** The numeric message id (see `Msg`). */
  id: number;
  /** The message text, in American English. */
  text: string;
  type: UiTextType;
  /** The values the text was made from, for UIs that translate or restyle the message. */
  context?: Record<string, unknown>;
}

/** One message of the catalogue. `C` is the context the caller supplies (`undefined`: none). */
export interface MessageDefinition<C> {
  readonly type: UiTextType;
  /** The English text with `{key}` where a context value goes, for documentation and translators. */
  readonly template: string;
  /** The keys of the context Kratos attaches to this message (empty when it attaches none). */
  readonly contextKeys: readonly string[];
  /** The text and the context, formatted as Kratos formats them. */
  readonly render: (input: C) => { text: string; context?: Record<string, unknown> };
}

/** A message with a fixed text and no context. */
export function fixed(type: UiTextType, text: string): MessageDefinition<undefined> {
  return { type, template: text, contextKeys: [], render: () => ({ text }) };
}

/**
 * A message whose text is the template with each `{key}` replaced by the context value as Go's
 * `%s`/`%d` print it, and whose context is the given keys.
 */
export function templated<K extends string>(
  type: UiTextType,
  template: string,
  keys: readonly K[],
): MessageDefinition<Record<K, string | number>> {
  return {
    type,
    template,
    contextKeys: keys,
    render: (input) => ({
      text: template.replace(/\{(\w+)\}/g, (placeholder, key: string) =>
        key in input ? String(input[key as K]) : placeholder,
      ),
      context: pick(input, keys),
    }),
  };
}

/** A message with its own formatting (Go verbs other than `%s`, derived context values). */
export function custom<C>(
  type: UiTextType,
  template: string,
  contextKeys: readonly string[],
  render: (input: C) => { text: string; context?: Record<string, unknown> },
): MessageDefinition<C> {
  return { type, template, contextKeys, render };
}

/** The given keys of `input`, in that order. */
export function pick<K extends string>(
  input: Record<K, unknown>,
  keys: readonly K[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = input[key];
  return out;
}
