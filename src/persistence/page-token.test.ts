import { describe, expect, it } from 'vitest';
import {
  decodeNewestFirstToken,
  decodePageToken,
  encodeNewestFirstToken,
  encodePageToken,
  FIRST_PAGE_TOKEN,
  NEWEST_FIRST_START_TOKEN,
} from './page-token.js';

const ID = '0f1e2d3c-4b5a-4968-8776-655443322110';

describe('id-ordered page tokens', () => {
  it("are the last id, as Kratos's identity StringPageToken", () => {
    expect(encodePageToken(ID)).toBe(ID);
    expect(decodePageToken(ID)).toBe(ID);
    expect(decodePageToken(ID.toUpperCase())).toBe(ID);
    expect(decodePageToken(FIRST_PAGE_TOKEN)).toBe(FIRST_PAGE_TOKEN);
  });

  it('still read the tokens earlier versions handed out', () => {
    expect(decodePageToken(Buffer.from(JSON.stringify({ k: ID })).toString('base64url'))).toBe(ID);
  });

  it('refuse anything else', () => {
    for (const token of ['garbage', `${ID}x`, Buffer.from('{"k":"nope"}').toString('base64url')]) {
      expect(() => decodePageToken(token), token).toThrow(expect.objectContaining({ code: 400 }));
    }
  });
});

describe('newest-first page tokens', () => {
  const createdAt = new Date('2024-05-06T07:08:09.120Z');

  it('read back what they wrote', () => {
    expect(decodeNewestFirstToken(encodeNewestFirstToken({ id: ID, created_at: createdAt }))).toEqual({
      id: ID,
      createdAt,
    });
  });

  it("read Kratos's MapPageTokens, in either field order, and its start token", () => {
    const kratos = (text: string) => Buffer.from(text).toString('base64').replace(/=+$/, '');
    for (const text of [
      `id=${ID}/created_at=2024-05-06 07:08:09.12`,
      `created_at=2024-05-06 07:08:09.12/id=${ID}`,
    ]) {
      expect(decodeNewestFirstToken(kratos(text)), text).toEqual({ id: ID, createdAt });
    }
    expect(decodeNewestFirstToken(kratos(`id=${ID}/created_at=2024-05-06 07:08:09`))).toEqual({
      id: ID,
      createdAt: new Date('2024-05-06T07:08:09Z'),
    });
    const start = { id: FIRST_PAGE_TOKEN, createdAt: new Date('2200-12-31T23:59:59Z') };
    expect(decodeNewestFirstToken(NEWEST_FIRST_START_TOKEN)).toEqual(start);
    expect(decodeNewestFirstToken(FIRST_PAGE_TOKEN)).toEqual(start);
  });

  it('refuse anything else', () => {
    for (const token of ['garbage', ID, Buffer.from(`id=${ID}/created_at=yesterday`).toString('base64')]) {
      expect(() => decodeNewestFirstToken(token), token).toThrow(expect.objectContaining({ code: 400 }));
    }
  });
});
