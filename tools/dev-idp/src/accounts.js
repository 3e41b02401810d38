// Test accounts, organizations and the Logto claim mapping of the dev IdP.
//
// The fixed accounts (alice, bob) are static fixture data: the SDK's end-to-end
// tests rely on these exact values (stable `sub`s, org ids, role scopes), so
// change them only together with the tests that use them.
//
// Accounts created at run time (the register screen, and the first sign-in with
// a social connector, as Logto does) live in memory next to them and are lost
// when the process exits. A social account is found again by its identity
// (`identities[target].userId`, e.g. the Alipay user_id), like Logto's
// `users.identities` lookup.

import { randomInt, timingSafeEqual } from 'node:crypto';

/** Logto's organization template: role name → organization scopes (permissions). */
export const ORGANIZATION_ROLES = Object.freeze({
  admin: Object.freeze(['read:org', 'write:org']),
  member: Object.freeze(['read:org']),
});

/** Every scope of the organization template (Logto: all organization permissions). */
export const ORGANIZATION_SCOPES = Object.freeze(
  [...new Set(Object.values(ORGANIZATION_ROLES).flat())],
);

export const ORGANIZATIONS = Object.freeze({
  'org-1': Object.freeze({ id: 'org-1', name: 'Org One' }),
});

const ACCOUNTS = [
  {
    accountId: 'user_alice',
    username: 'alice',
    password: 'alice-password',
    name: 'Alice Example',
    picture: 'https://example.com/avatars/alice.png',
    email: 'alice@example.com',
    phone: '15555550100',
    roles: ['admin'],
    // organization id → organization role names
    organizations: { 'org-1': ['admin'] },
    customData: { plan: 'pro' },
    identities: {
      github: { userId: 'alice-github-1', details: { login: 'alice-gh' } },
    },
  },
  {
    accountId: 'user_bob',
    username: 'bob',
    password: 'bob-password',
    name: 'Bob Example',
    picture: null,
    email: 'bob@example.com',
    phone: null,
    roles: [],
    organizations: {},
    customData: {},
    identities: {},
  },
].map((account) => Object.freeze(account));

const byId = new Map(ACCOUNTS.map((a) => [a.accountId, a]));
const byUsername = new Map(ACCOUNTS.map((a) => [a.username, a]));
/** `${target}\0${userId}` → accountId, for accounts created through a social connector. */
const byIdentity = new Map();

export function listAccounts() {
  return [...byId.values()].map(({ accountId, username }) => ({ accountId, username }));
}

const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A Logto-style user id: 12 characters of [0-9a-z] (Logto's generateStandardId). */
function generateUserId() {
  let id;
  do {
    id = Array.from({ length: 12 }, () => ID_ALPHABET[randomInt(ID_ALPHABET.length)]).join('');
  } while (byId.has(id));
  return id;
}

/**
 * Creates an account at run time (register screen or first social sign-in).
 * Throws an Error with `code = 'user.username_already_in_use'` for a taken username.
 */
export function createAccount({
  username = null, password = null, name = null, picture = null, identities = {},
} = {}) {
  if (username !== null && byUsername.has(username)) {
    throw Object.assign(new Error('This username is already in use.'), { code: 'user.username_already_in_use' });
  }
  const account = {
    accountId: generateUserId(),
    username,
    password,
    name,
    picture,
    email: null,
    phone: null,
    roles: [],
    organizations: {},
    customData: {},
    identities: structuredClone(identities),
  };
  byId.set(account.accountId, account);
  if (username !== null) byUsername.set(username, account);
  for (const [target, identity] of Object.entries(account.identities)) {
    byIdentity.set(`${target}\0${identity.userId}`, account.accountId);
  }
  return account;
}

/** The account linked to a social identity, e.g. ('alipay', '2088000000000001'). */
export function findAccountByIdentity(target, userId) {
  const accountId = byIdentity.get(`${target}\0${userId}`);
  return accountId === undefined ? undefined : byId.get(accountId);
}

/**
 * Logto's social sign-in: find the user by the connector's identity, or create
 * one (sign-in mode "sign in and register"). The profile (name, picture) is
 * taken from the social profile at registration; later sign-ins refresh the
 * identity details only (Logto's default, `syncProfile: false`).
 * Returns { account, created }.
 */
export function signInWithSocialIdentity(target, { id, name, avatar, ...details }) {
  const existing = findAccountByIdentity(target, id);
  if (existing) {
    existing.identities[target] = { userId: id, details: { id, name, avatar, ...details } };
    return { account: existing, created: false };
  }
  const account = createAccount({
    name: name ?? null,
    picture: avatar ?? null,
    identities: { [target]: { userId: id, details: { id, name, avatar, ...details } } },
  });
  return { account, created: true };
}

export function findAccountById(accountId) {
  return byId.get(accountId);
}

export function findAccountByUsername(username) {
  return typeof username === 'string' ? byUsername.get(username) : undefined;
}

function safeEqual(a, b) {
  const ba = Buffer.from(String(a));
  const bb = Buffer.from(String(b));
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/** Returns the account when username and password match, otherwise undefined. */
export function verifyPassword(username, password) {
  const account = findAccountByUsername(username);
  if (!account || typeof password !== 'string' || typeof account.password !== 'string') return undefined;
  return safeEqual(account.password, password) ? account : undefined;
}

/** Whether the account is a member of the organization. */
export function isOrganizationMember(accountId, organizationId) {
  const account = findAccountById(accountId);
  return Boolean(account && Object.hasOwn(account.organizations, organizationId));
}

/** The organization scopes the account holds in the organization through its roles. */
export function organizationScopesFor(accountId, organizationId) {
  const account = findAccountById(accountId);
  const roles = account?.organizations[organizationId] ?? [];
  const scopes = roles.flatMap((role) => ORGANIZATION_ROLES[role] ?? []);
  return [...new Set(scopes)];
}

/**
 * Scope → claims, as Logto maps them (`@logto/core-kit` idTokenClaims / userinfoClaims).
 * Used as oidc-provider's `claims` configuration.
 */
export const SCOPE_CLAIMS = Object.freeze({
  openid: ['sub'],
  profile: ['name', 'picture', 'username'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  address: ['address'],
  roles: ['roles'],
  custom_data: ['custom_data'],
  identities: ['identities'],
  'urn:logto:scope:organizations': ['organizations'],
  'urn:logto:scope:organization_roles': ['organization_roles'],
});

/** Claims Logto only returns from the userinfo endpoint, never in the ID token. */
const USERINFO_ONLY_CLAIMS = new Set(['custom_data', 'identities']);

/**
 * All claims of an account for the given use ('id_token' | 'userinfo').
 * oidc-provider filters the result down to the granted scopes/claims itself.
 * Missing values are `null` (Logto returns null, e.g. `picture: null`).
 */
export function claimsFor(account, use) {
  const claims = {
    sub: account.accountId,
    name: account.name,
    picture: account.picture,
    username: account.username,
    email: account.email,
    // Logto: a primary email/phone is a verified one.
    email_verified: Boolean(account.email),
    phone_number: account.phone,
    phone_number_verified: Boolean(account.phone),
    roles: [...account.roles],
    organizations: Object.keys(account.organizations),
    organization_roles: Object.entries(account.organizations)
      .flatMap(([orgId, roles]) => roles.map((role) => `${orgId}:${role}`)),
    custom_data: structuredClone(account.customData),
    identities: structuredClone(account.identities),
  };
  if (use !== 'userinfo') {
    for (const claim of USERINFO_ONLY_CLAIMS) delete claims[claim];
  }
  return claims;
}
