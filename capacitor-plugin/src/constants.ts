/**
 * Logto constants, with the same names and values as `@logto/js` (which
 * `@logto/capacitor` re-exports), so that an app migrating from
 * `@logto/capacitor` only changes its import.
 *
 * They are declared here instead of re-exported from `@logto/js` so that the
 * native code path does not load the JavaScript OIDC stack. `test/constants.test.ts`
 * checks that the values stay equal to `@logto/js`.
 */

/** The `prompt` parameter of the authorization request (OIDC Core §3.1.2.1). */
export enum Prompt {
  None = 'none',
  Consent = 'consent',
  Login = 'login',
}

/** Scopes that Logto always requests unless `includeReservedScopes` is `false`. */
export enum ReservedScope {
  OpenId = 'openid',
  OfflineAccess = 'offline_access',
}

/** Scopes for user claims. */
export enum UserScope {
  /** The user's name, username and picture. */
  Profile = 'profile',
  Email = 'email',
  Phone = 'phone',
  Address = 'address',
  /** `custom_data` (user info endpoint only). */
  CustomData = 'custom_data',
  /** Social and SSO `identities` (user info endpoint only). */
  Identities = 'identities',
  Roles = 'roles',
  /** The user's organization IDs; also makes the client request the organizations resource. */
  Organizations = 'urn:logto:scope:organizations',
  OrganizationRoles = 'urn:logto:scope:organization_roles',
  /** Session management in the Account API. */
  Sessions = 'urn:logto:scope:sessions',
}

/** Resources that Logto reserves. */
export enum ReservedResource {
  /** The resource for organization tokens. */
  Organization = 'urn:logto:resource:organizations',
}

/**
 * The storage keys of `@logto/client`. Kept for source compatibility only: this
 * plugin stores tokens natively (Keychain / Android Keystore), not under these keys.
 */
export enum PersistKey {
  IdToken = 'idToken',
  RefreshToken = 'refreshToken',
  AccessToken = 'accessToken',
  SignInSession = 'signInSession',
}

/** The prefix of an organization URN (`urn:logto:organization:<id>`). */
export const organizationUrnPrefix = 'urn:logto:organization:';

/** Build the organization URN for an organization ID. */
export const buildOrganizationUrn = (organizationId: string): string => `${organizationUrnPrefix}${organizationId}`;

/**
 * Get the organization ID from an organization URN.
 *
 * @throws TypeError if the URN does not start with {@link organizationUrnPrefix}.
 */
export const getOrganizationIdFromUrn = (organizationUrn: string): string => {
  if (!organizationUrn.startsWith(organizationUrnPrefix)) {
    throw new TypeError('Invalid organization URN.');
  }
  return organizationUrn.slice(organizationUrnPrefix.length);
};
