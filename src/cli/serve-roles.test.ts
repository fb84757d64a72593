import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseRoles } from './serve-roles.js';

describe('serve --roles', () => {
  it('reads a comma list in any order, case and spacing', () => {
    expect([...parseRoles('proxy,api')]).toEqual(['proxy', 'api']);
    expect([...parseRoles(' Public , admin,,public ')]).toEqual(['public', 'admin']);
  });

  it('refuses unknown names and an empty list', () => {
    expect(() => parseRoles('proxy,kratos')).toThrow(InvalidArgumentError);
    expect(() => parseRoles('proxy,kratos')).toThrow(/unknown role "kratos"/);
    expect(() => parseRoles(' , ')).toThrow(InvalidArgumentError);
  });
});
