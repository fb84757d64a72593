/**
 * Typed template errors. `parse` errors surface when a rule loads; `exec` and `limit` errors
 * when a request runs. Code branches on `code`, never on the message.
 */
export type TemplateErrorCode = 'parse' | 'exec' | 'limit';

export class TemplateError extends Error {
  readonly code: TemplateErrorCode;
  /** Byte offset in the template source, when known. */
  readonly offset: number | undefined;

  constructor(code: TemplateErrorCode, message: string, offset?: number) {
    super(message);
    this.name = 'TemplateError';
    this.code = code;
    this.offset = offset;
  }
}
