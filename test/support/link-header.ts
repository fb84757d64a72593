/**
 * The target of one relation (`first`, `next`, `prev`, `last`) of a `Link` header, as Kratos's
 * list APIs write it (ory/x pagination: relative to the listener), prefixed with `base` so a
 * test can follow it; undefined when the header has no such relation.
 */
export function linkOf(link: string | null | undefined, rel: string, base = ''): string | undefined {
  const match = new RegExp(`<([^>]*)>; rel="${rel}"`).exec(link ?? '');
  return match?.[1] === undefined ? undefined : `${base}${match[1]}`;
}
