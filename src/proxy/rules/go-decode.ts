/**
 * What Go's encoding/json makes of one access rule, after the migrator ran (Oathkeeper's
 * `Rule.UnmarshalJSON`: json.Unmarshal into a struct of the rule's fields, then the `match`
 * again into `Match` or `MatchGRPC`; YAML goes through ghodss/yaml, which converts to JSON and
 * calls the same). encoding/json gives each object key to the struct field of that exact
 * name or, failing that, to the first whose name equals it without regard to case, so
 * `"ID"`, `"Authenticators"`, `"URL"`, `"Handler"`, `"Preserve_Host"` all load. The result
 * has each such key under its canonical name; keys no field takes stay as they are (Go
 * ignores them; parse.ts warns about them).
 *
 * Go's ways kept here:
 * - a key taken by a field already set overwrites it (the last one wins), but an object into
 *   a struct field (`authorizer`, `upstream`) fills the struct in place, keeping the fields it
 *   does not name;
 * - `null` leaves a string, boolean or struct field as it was, empties a list (nil), and is
 *   kept as is by a raw field (`config`, `match`);
 * - a value of the wrong type is an error that refuses the whole document, even when a later
 *   key overwrites the field;
 * - the struct Oathkeeper decodes into has a second, untagged field named `Match` (an
 *   interface): the key `"Match"`, spelled exactly so, is decoded into it and fails (unless it
 *   is null), so such a document does not load. `"MATCH"` and other spellings reach `match`.
 * - whether `match` is a gRPC match is decided by an exact `full_method` key (gjson is
 *   case-sensitive), then its keys are read as that struct's.
 *
 * Handler `config` objects are raw JSON here; each handler validates its own against its JSON
 * schema, whose keys are case-sensitive (and unknown keys refused), as in Oathkeeper.
 */

import type { JsonObject, JsonValue } from '../../config/index.js';
import { isJsonObject } from '../../kernel/json.js';

type Field =
  | { readonly kind: 'string' | 'boolean' | 'strings' | 'raw' | 'match' | 'interface' }
  | { readonly kind: 'struct' | 'structs'; readonly shape: Shape };

interface Shape {
  readonly fields: ReadonlyMap<string, Field>;
  /** Go-folded field name to field name; the first field wins, as encoding/json's does. */
  readonly folded: ReadonlyMap<string, string>;
}

function shape(fields: Record<string, Field>): Shape {
  const folded = new Map<string, string>();
  for (const name of Object.keys(fields)) {
    const key = goFold(name);
    if (!folded.has(key)) folded.set(key, name);
  }
  return { fields: new Map(Object.entries(fields)), folded };
}

const HANDLER = shape({ handler: { kind: 'string' }, config: { kind: 'raw' } });
const UPSTREAM = shape({
  preserve_host: { kind: 'boolean' },
  strip_path: { kind: 'string' },
  url: { kind: 'string' },
});
const MATCH = shape({ methods: { kind: 'strings' }, url: { kind: 'string' } });
const MATCH_GRPC = shape({ authority: { kind: 'string' }, full_method: { kind: 'string' } });
/** Oathkeeper's anonymous struct in Rule.UnmarshalJSON, in its field order. */
const RULE = shape({
  id: { kind: 'string' },
  version: { kind: 'string' },
  description: { kind: 'string' },
  authenticators: { kind: 'structs', shape: HANDLER },
  authorizer: { kind: 'struct', shape: HANDLER },
  mutators: { kind: 'structs', shape: HANDLER },
  errors: { kind: 'structs', shape: HANDLER },
  upstream: { kind: 'struct', shape: UPSTREAM },
  match: { kind: 'match' },
  Match: { kind: 'interface' },
});

/** A value Go cannot decode: the path of the field (canonical names) and why. */
export type GoDecodeProblem = [field: string, message: string];

export interface GoDecodedRule {
  readonly rule: JsonObject;
  /** Non-empty: Oathkeeper refuses the whole document. */
  readonly problems: readonly GoDecodeProblem[];
}

/** Decodes one (migrated) rule as encoding/json does; see the module comment. */
export function goDecodeRule(value: JsonObject): GoDecodedRule {
  const problems: GoDecodeProblem[] = [];
  const rule = decodeObject(value, RULE, '', problems);
  const match = rule.match;
  if (isJsonObject(match))
    rule.match = decodeObject(
      match,
      Object.hasOwn(match, 'full_method') ? MATCH_GRPC : MATCH,
      'match.',
      problems,
    );
  else if (match !== undefined && match !== null) problems.push(['match', 'must be an object']);
  return { rule, problems };
}

/** The string a rule's `id` decodes to (any spelling of the key), for messages. */
export function goRuleId(value: JsonObject): string | undefined {
  let id: string | undefined;
  for (const [key, item] of Object.entries(value))
    if (fieldName(RULE, key) === 'id' && typeof item === 'string') id = item;
  return id;
}

function fieldName(of: Shape, key: string): string | undefined {
  return of.fields.has(key) ? key : of.folded.get(goFold(key));
}

function decodeObject(
  value: JsonObject,
  of: Shape,
  path: string,
  problems: GoDecodeProblem[],
  into: JsonObject = {},
): JsonObject {
  for (const [key, item] of Object.entries(value)) {
    const name = fieldName(of, key);
    const field = name === undefined ? undefined : of.fields.get(name);
    if (name === undefined || field === undefined) {
      into[key] = item;
      continue;
    }
    const at = `${path}${name}`;
    switch (field.kind) {
      case 'string':
      case 'boolean':
        if (item === null) break;
        if (typeof item === field.kind) into[name] = item;
        else problems.push([at, field.kind === 'string' ? 'must be a string' : 'must be true or false']);
        break;
      case 'raw':
      case 'match':
        into[name] = item;
        break;
      case 'interface':
        if (item !== null)
          problems.push([
            name,
            `"Match" (spelled so) is a Go interface field Oathkeeper cannot decode into, so it refuses the document; write "match"`,
          ]);
        break;
      case 'strings':
        if (item === null) into[name] = null;
        else if (!Array.isArray(item)) problems.push([at, 'must be a list']);
        else {
          item.forEach((entry, i) => {
            if (entry !== null && typeof entry !== 'string')
              problems.push([`${at}.${i}`, 'must be a string']);
          });
          into[name] = item;
        }
        break;
      case 'struct': {
        if (item === null) break;
        if (!isJsonObject(item)) {
          problems.push([at, 'must be an object']);
          break;
        }
        const previous = into[name];
        into[name] = decodeObject(
          item,
          field.shape,
          `${at}.`,
          problems,
          isJsonObject(previous) ? previous : {},
        );
        break;
      }
      case 'structs':
        if (item === null) into[name] = null;
        else if (!Array.isArray(item)) problems.push([at, 'must be a list']);
        else
          into[name] = item.map((entry, i): JsonValue => {
            if (entry === null) return {};
            if (isJsonObject(entry)) return decodeObject(entry, field.shape, `${at}.${i}.`, problems);
            problems.push([`${at}.${i}`, 'must be an object']);
            return entry;
          });
        break;
    }
  }
  return into;
}

/**
 * encoding/json's foldName: ASCII letters upper-cased; a non-ASCII rune becomes the smallest of
 * its case-fold set, which is an ASCII letter only for the Kelvin sign (K) and the long s (S).
 * Other non-ASCII runes can never equal an (ASCII) field name, so they are kept as they are.
 */
export function goFold(key: string): string {
  let out = '';
  for (const char of key) {
    if (char === '\u212a') out += 'K';
    else if (char === '\u017f') out += 'S';
    else if (char >= 'a' && char <= 'z') out += char.toUpperCase();
    else out += char;
  }
  return out;
}
