import * as logtoJs from '@logto/js';
import { describe, expect, it } from 'vitest';

import * as pkg from '../src/index';

const enumEntries = (value: object) => Object.entries(value).sort(([a], [b]) => a.localeCompare(b));

describe('constants match @logto/js (a migration is one import change)', () => {
  it.each(['Prompt', 'ReservedScope', 'UserScope', 'ReservedResource'] as const)('%s', (name) => {
    expect(enumEntries(pkg[name])).toEqual(enumEntries(logtoJs[name]));
  });

  it('PersistKey matches @logto/client', async () => {
    const client = await import('@logto/client');
    expect(enumEntries(pkg.PersistKey)).toEqual(enumEntries(client.PersistKey));
  });

  it('organization URN helpers', () => {
    expect(pkg.organizationUrnPrefix).toBe(logtoJs.organizationUrnPrefix);
    expect(pkg.buildOrganizationUrn('org-1')).toBe(logtoJs.buildOrganizationUrn('org-1'));
    expect(pkg.getOrganizationIdFromUrn('urn:logto:organization:org-1')).toBe('org-1');
    expect(() => pkg.getOrganizationIdFromUrn('org-1')).toThrow(new TypeError('Invalid organization URN.'));
    expect(() => logtoJs.getOrganizationIdFromUrn('org-1')).toThrow(TypeError);
  });

  it('exports every runtime name that @logto/capacitor exports (except the adapter internals)', () => {
    for (const name of [
      'default',
      'LogtoError',
      'LogtoRequestError',
      'LogtoClientError',
      'OidcError',
      'Prompt',
      'ReservedScope',
      'ReservedResource',
      'UserScope',
      'organizationUrnPrefix',
      'buildOrganizationUrn',
      'getOrganizationIdFromUrn',
      'PersistKey',
    ]) {
      expect(pkg, name).toHaveProperty(name);
      expect((pkg as Record<string, unknown>)[name], name).toBeDefined();
    }
  });
});
