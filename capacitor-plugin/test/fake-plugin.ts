import { vi } from 'vitest';

import type { AuthStateChange, AuthStateChangeListener } from '../src/definitions';

/** A fake `LogtoNative` native bridge: every method is a `vi.fn`, listeners are kept for `emit`. */
export const createFakePlugin = () => {
  const listeners = new Set<AuthStateChangeListener>();
  const plugin = {
    configure: vi.fn(async (_options: unknown) => undefined),
    signIn: vi.fn(async (_request: unknown) => undefined),
    signOut: vi.fn(async (_options: unknown) => undefined),
    isAuthenticated: vi.fn(async () => ({ value: true })),
    getIdToken: vi.fn(async (): Promise<{ value: string | null }> => ({ value: 'id.token.value' })),
    getIdTokenClaims: vi.fn(async () => ({ value: { iss: 'iss', sub: 'user-1', aud: 'app', exp: 2, iat: 1 } })),
    getRefreshToken: vi.fn(async (): Promise<{ value: string | null }> => ({ value: 'refresh-token' })),
    getAccessToken: vi.fn(async (_options: unknown) => ({ value: 'access-token' })),
    getAccessTokenClaims: vi.fn(async (_options: unknown) => ({
      value: { aud: 'https://api.example.com', scope: 'read' },
    })),
    getOrganizationToken: vi.fn(async (_options: unknown) => ({ value: 'organization-token' })),
    getOrganizationTokenClaims: vi.fn(async (_options: unknown) => ({
      value: { aud: 'urn:logto:organization:org-1' },
    })),
    fetchUserInfo: vi.fn(async () => ({ value: { sub: 'user-1', email: 'alice@example.com' } })),
    clearAccessToken: vi.fn(async () => undefined),
    clearAllTokens: vi.fn(async () => undefined),
    handleSignInCallback: vi.fn(async (_options: unknown) => undefined),
    getOidcConfig: vi.fn(async (): Promise<{ value: unknown }> => ({
      value: {
        issuer: 'https://logto.example.com/oidc',
        authorizationEndpoint: 'https://logto.example.com/oidc/auth',
        tokenEndpoint: 'https://logto.example.com/oidc/token',
        userinfoEndpoint: 'https://logto.example.com/oidc/me',
        endSessionEndpoint: 'https://logto.example.com/oidc/session/end',
        revocationEndpoint: 'https://logto.example.com/oidc/token/revocation',
        jwksUri: 'https://logto.example.com/oidc/jwks',
        codeChallengeMethodsSupported: ['S256'],
        idTokenSigningAlgValuesSupported: ['ES384'],
        authorizationResponseIssParameterSupported: true,
      },
    })),
    isSignInRedirected: vi.fn(async (_options: unknown) => ({ value: true })),
    addListener: vi.fn(async (eventName: string, listener: AuthStateChangeListener) => {
      if (eventName !== 'authStateChange') {
        throw new Error(`unexpected event ${eventName}`);
      }
      listeners.add(listener);
      return {
        remove: vi.fn(async () => {
          listeners.delete(listener);
        }),
      };
    }),
    removeAllListeners: vi.fn(async () => {
      listeners.clear();
    }),
  };
  const emit = (change: AuthStateChange) => {
    for (const listener of listeners) {
      listener(change);
    }
  };
  return { plugin, emit, listeners };
};

export type FakePlugin = ReturnType<typeof createFakePlugin>['plugin'];

/** A rejection as Capacitor delivers it from native code. */
export const nativeRejection = (code: string, message = `native says ${code}`, data?: unknown) =>
  Object.assign(new Error(message), { code, data });
