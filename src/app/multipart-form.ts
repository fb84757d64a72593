import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../kernel/errors.js';

/** A parsed form: one string per field, a list for a field sent more than once (as @fastify/formbody). */
export type FormFields = Record<string, string | string[]>;

/**
 * Takes `multipart/form-data` bodies where HTML forms are taken, as Kratos's decoder (ory/x
 * decoderx) does: an SPA that posts `new FormData(form)` sends this, not a urlencoded body. The
 * parser is the one Node's `fetch` ships (undici's `Response.formData()`), so no multipart parser
 * of our own; the listener's body limit applies before it. Flows take text fields only: a file
 * part is refused.
 */
export function acceptMultipartForms(app: FastifyInstance): void {
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer' },
    async (request: FastifyRequest, body: Buffer) =>
      parseMultipartForm(request.headers['content-type'], body),
  );
}

export async function parseMultipartForm(contentType: string | undefined, body: Buffer): Promise<FormFields> {
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType ?? '' } }).formData();
  } catch {
    throw badRequest('The multipart/form-data body could not be parsed.');
  }
  // No prototype, as @fastify/formbody's (querystring's) result: a field named `__proto__` is data.
  const fields: FormFields = Object.create(null) as FormFields;
  for (const [name, value] of form) {
    if (typeof value !== 'string')
      throw badRequest(`The form field "${name}" is a file; no flow takes files.`);
    const previous = fields[name];
    if (previous === undefined) fields[name] = value;
    else fields[name] = Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return fields;
}
