import { describe, expect, it } from 'vitest';
import { isAppError } from '../../kernel/errors.js';
import { type FlowSchemas, flowSchema, requestedFlowSchema } from './identity-schema.js';

const documents: Record<string, { title: string }> = {
  exam: { title: 'default' },
  customer: { title: 'selectable' },
  staff: { title: 'admin only' },
};
let selectable = new Set(['customer']);
const schemas: FlowSchemas = {
  defaultId: 'exam',
  document: (id) => documents[id],
  selectable: (id) => id === 'exam' || selectable.has(id),
};

const codeOf = (run: () => unknown): number | undefined => {
  try {
    run();
  } catch (error) {
    return isAppError(error) ? error.code : undefined;
  }
  return undefined;
};

describe('requestedFlowSchema', () => {
  it('takes the default and selectable schemas, and nothing for none asked', () => {
    expect(requestedFlowSchema(schemas, undefined)).toBeUndefined();
    expect(requestedFlowSchema(schemas, '')).toBeUndefined();
    expect(requestedFlowSchema(schemas, 'exam')).toBe('exam');
    expect(requestedFlowSchema(schemas, 'customer')).toBe('customer');
  });

  it('refuses an unknown or an admin-only schema with 400', () => {
    expect(codeOf(() => requestedFlowSchema(schemas, 'staff'))).toBe(400);
    expect(codeOf(() => requestedFlowSchema(schemas, '__proto__'))).toBe(400);
  });
});

describe('flowSchema', () => {
  it("gives the flow's schema, or the default", () => {
    expect(flowSchema(schemas, undefined)).toEqual({ id: 'exam', document: documents.exam });
    expect(flowSchema(schemas, 'customer')).toEqual({ id: 'customer', document: documents.customer });
  });

  it('refuses a schema that stopped being selectable after the flow started', () => {
    selectable = new Set();
    try {
      expect(codeOf(() => flowSchema(schemas, 'customer'))).toBe(400);
      expect(flowSchema(schemas, undefined).id).toBe('exam');
    } finally {
      selectable = new Set(['customer']);
    }
  });
});
