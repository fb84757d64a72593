/**
 * One comma-separated record, read as ory/x's castx.ToStringSlice reads an env var for a list
 * key (Go's encoding/csv, one record): a field that starts with `"` is quoted, may hold commas,
 * and spells a quote as `""`; anything after its closing quote but a comma is an error, and so
 * is a quote inside an unquoted field. The Helm chart writes several secrets this way:
 * `"new-secret","old-secret"`. Unquoted fields are trimmed and empty ones dropped (Go keeps
 * both), so `a, b,` is ["a", "b"]; quoted fields are kept exactly.
 * Hand-written: one record of one line, where a CSV library would add a dependency for 30 lines.
 */
export function parseCsvRecord(text: string): string[] | undefined {
  const fields: string[] = [];
  let index = 0;
  while (index <= text.length) {
    if (text[index] === '"') {
      let value = '';
      let at = index + 1;
      for (;;) {
        const quote = text.indexOf('"', at);
        if (quote === -1) return undefined;
        value += text.slice(at, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          at = quote + 2;
          continue;
        }
        index = quote + 1;
        break;
      }
      if (index < text.length && text[index] !== ',') return undefined;
      fields.push(value);
    } else {
      const comma = text.indexOf(',', index);
      const end = comma === -1 ? text.length : comma;
      const raw = text.slice(index, end);
      if (raw.includes('"')) return undefined;
      const value = raw.trim();
      if (value !== '') fields.push(value);
      index = end;
    }
    index++;
  }
  return fields;
}
