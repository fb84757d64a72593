/** The identity schemas the node tests build forms from. */

import { readFileSync } from 'node:fs';
import type { JsonObject } from '../../../identity/model.js';
import { DEFAULT_SCHEMA_DOCUMENT } from '../../../identity/schema/index.js';

/** Parses a JSON file given relative to this folder. */
export function readJsonFile<T = JsonObject>(relative: string): T {
  return JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as T;
}

/** (a) The built-in email + password preset (frozen, so a builder that mutates it fails). */
export const emailPasswordSchema: JsonObject = DEFAULT_SCHEMA_DOCUMENT;

/** (b) The exam schema: email, fullname, a number phone_number, an enum user_type with a default. */
export const examSchema = readJsonFile('../../../../test/fixtures/exam.schema.json');

/** (c) Nested `name.first`/`name.last`, a `format: tel` identifier, a date and a checkbox. */
export const nestedTelSchema = readJsonFile('../__fixtures__/nested-tel.schema.json');

/** The traits of Kratos's profile strategy tests, rebuilt from its snapshots. */
export const kratosProfileStubSchema = readJsonFile('../__fixtures__/kratos/profile-stub.schema.json');

/** The three schemas every form is snapshotted for. */
export const schemaCases = [
  { name: 'email-password', schema: emailPasswordSchema },
  { name: 'exam', schema: examSchema },
  { name: 'nested-tel', schema: nestedTelSchema },
] as const;

/** The form as Kratos serialises it, for file snapshots. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
