// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { AuthStateChange } from '../src/definitions';
import { LogtoClientError, LogtoError, LogtoRequestError, OidcError } from '../src/errors';
import { LogtoNativeWeb, createWebRequester, mapWebError } from '../src/web';

const endpoint = 'https://logto.test';
const appId = 'web-app';
const discovery = {
  issuer: `${endpoint}/oidc`,
  authorization_endpoint: `${endpoint}/oidc/auth`,
  token_endpoint: `${endpoint}/oidc/token`,
  userinfo_endpoint: `${endpoint}/oidc/me`,
  end_session_endpoint: `${endpoint}/oidc/session/end`,
  revocation_endpoint: `${endpoint}/oidc/token/revocation`,
  jwks_uri: `${endpoint}/oidc/jwks`,
};

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

type Route = (init: RequestInit | undefined) => Response | Promise<Response>;

/** The web plugin with `fetch` and `navigate` replaced. */
class TestWeb extends LogtoNativeWeb {
  navigations: string[] = [];
  requests: { url: string; body?: string }[] = [];
  routes = new Map<string, Route>([['/oidc/.well-known/openid-configuration', () => json(discovery)]]);

  protected override navigate(url: string): void {
    this.navigations.push(url);
  }

  protected override async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const url = new URL(input.toString());
    this.requests.push({ url: url.toString(), body: typeof init?.body === 'string' ? init.body : undefined });
    const route = this.routes.get(url.pathname);
    if (!route) {
      throw new TypeError('Failed to fetch');
    }
    return route(init);
  }
}

const setup = async () => {
  const web = new TestWeb();
  const events: string[] = [];
  await web.addListener('authStateChange', (change: AuthStateChange) => events.push(change.type));
  await web.configure({ config: { endpoint, appId }, options: {} });
  return { web, events };
};

// An unsigned JWT is enough for the local decode of getIdTokenClaims / isAuthenticated.
const fakeIdToken = `${btoa(JSON.stringify({ alg: 'none' }))}.${btoa(
  JSON.stringify({ iss: discovery.issuer, sub: 'user-1', aud: appId, exp: 4e9, iat: 1 }),
)}.`;

const signInLocally = () => {
  localStorage.setItem(`logto:${appId}:idToken`, fakeIdToken);
  localStorage.setItem(`logto:${appId}:refreshToken`, 'refresh-1');
};

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
});

describe('configure', () => {
  it.each([[{ endpoint: 'not a url', appId }], [{ endpoint: 'ftp://logto.test', appId }], [{ endpoint, appId: '' }]])(
    'rejects %j with invalid_config',
    async (config) => {
      const error = await new TestWeb().configure({ config, options: {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LogtoClientError);
      expect(error).toMatchObject({ code: 'invalid_config' });
    },
  );

  it('rejects calls before configure', async () => {
    await expect(new TestWeb().isAuthenticated()).rejects.toMatchObject({ code: 'invalid_config' });
  });
});

describe('signIn', () => {
  it('navigates to the authorization URL with every option', async () => {
    const { web } = await setup();
    await web.signIn({
      redirectUri: 'http://127.0.0.1:5173/callback',
      prompt: ['login', 'consent'] as never,
      firstScreen: 'identifier:register',
      identifiers: ['email', 'username'],
      loginHint: 'alice@example.com',
      directSignIn: { method: 'social', target: 'google' },
      extraParams: { dev_login: 'alice' },
    });
    expect(web.navigations).toHaveLength(1);
    const url = new URL(web.navigations[0]);
    expect(url.origin + url.pathname).toBe(discovery.authorization_endpoint);
    const query = Object.fromEntries(url.searchParams);
    expect(query).toMatchObject({
      client_id: appId,
      redirect_uri: 'http://127.0.0.1:5173/callback',
      code_challenge_method: 'S256',
      response_type: 'code',
      prompt: 'login consent',
      scope: 'openid offline_access profile',
      first_screen: 'identifier:register',
      identifier: 'email username',
      login_hint: 'alice@example.com',
      direct_sign_in: 'social:google',
      dev_login: 'alice',
    });
    expect(query.state).toMatch(/^[\w-]{20,}$/);
    expect(query.code_challenge).toMatch(/^[\w-]{43}$/);
    const session = JSON.parse(sessionStorage.getItem(`logto:${appId}:signInSession`) ?? '{}');
    expect(session).toMatchObject({ redirectUri: 'http://127.0.0.1:5173/callback', state: query.state });
  });
});

describe('handleSignInCallback', () => {
  it('maps a missing sign-in session to LogtoClientError', async () => {
    const { web, events } = await setup();
    const error = await web.handleSignInCallback({ url: 'http://127.0.0.1/callback?code=1&state=2' }).catch((e) => e);
    expect(error).toBeInstanceOf(LogtoClientError);
    expect(error).toMatchObject({ code: 'sign_in_session.not_found' });
    expect(events).toEqual([]);
  });

  it('maps an error redirect to LogtoError error_found with an OidcError', async () => {
    const { web } = await setup();
    await web.signIn({ redirectUri: 'http://127.0.0.1/callback' });
    const { state } = JSON.parse(sessionStorage.getItem(`logto:${appId}:signInSession`) ?? '{}');
    const error = await web
      .handleSignInCallback({
        url: `http://127.0.0.1/callback?error=access_denied&error_description=aborted&state=${state}`,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogtoError);
    expect(error).toMatchObject({ code: 'callback_uri_verification.error_found' });
    expect((error as LogtoError).data).toEqual(new OidcError('access_denied', 'aborted'));
  });
});

describe('getOidcConfig', () => {
  const fullDiscovery = {
    ...discovery,
    code_challenge_methods_supported: ['S256'],
    id_token_signing_alg_values_supported: ['ES384'],
    authorization_response_iss_parameter_supported: true,
    claims_parameter_supported: false,
  };

  it('returns the whole discovery document with camelCase keys, exactly as @logto/js reads it', async () => {
    const { web } = await setup();
    web.routes.set('/oidc/.well-known/openid-configuration', () => json(fullDiscovery));
    const { value } = await web.getOidcConfig();
    expect(value).toEqual({
      issuer: `${endpoint}/oidc`,
      authorizationEndpoint: `${endpoint}/oidc/auth`,
      tokenEndpoint: `${endpoint}/oidc/token`,
      userinfoEndpoint: `${endpoint}/oidc/me`,
      endSessionEndpoint: `${endpoint}/oidc/session/end`,
      revocationEndpoint: `${endpoint}/oidc/token/revocation`,
      jwksUri: `${endpoint}/oidc/jwks`,
      codeChallengeMethodsSupported: ['S256'],
      idTokenSigningAlgValuesSupported: ['ES384'],
      authorizationResponseIssParameterSupported: true,
      claimsParameterSupported: false,
    });
    const { fetchOidcConfig } = await import('@logto/js');
    expect(value).toEqual(
      await fetchOidcConfig(
        `${endpoint}/oidc/.well-known/openid-configuration`,
        (async () => fullDiscovery) as <T>() => Promise<T>,
      ),
    );
  });

  it('fetches once, and again after a failure', async () => {
    const { web } = await setup();
    let calls = 0;
    web.routes.set('/oidc/.well-known/openid-configuration', () => {
      calls += 1;
      return calls === 1 ? json({ message: 'unavailable' }, 503) : json(discovery);
    });
    await expect(web.getOidcConfig()).rejects.toMatchObject({ code: 'http_error_503' });
    await expect(web.getOidcConfig()).resolves.toMatchObject({ value: { tokenEndpoint: discovery.token_endpoint } });
    await web.getOidcConfig();
    expect(calls).toBe(2);
  });
});

describe('isSignInRedirected', () => {
  const redirectUri = 'http://127.0.0.1:5173/callback';

  it('is false without a pending sign-in', async () => {
    const { web } = await setup();
    await expect(web.isSignInRedirected({ url: `${redirectUri}?code=c&state=s` })).resolves.toEqual({ value: false });
  });

  it('compares origin and path with the pending redirect URI, ignoring query and fragment', async () => {
    const { web } = await setup();
    await web.signIn({ redirectUri });
    const answer = async (url: string) => (await web.isSignInRedirected({ url })).value;
    expect(await answer(`${redirectUri}?code=c&state=s`)).toBe(true);
    expect(await answer(`${redirectUri}#fragment`)).toBe(true);
    expect(await answer(redirectUri)).toBe(true);
    expect(await answer('http://127.0.0.1:5173/callback/other?code=c')).toBe(false);
    expect(await answer('http://127.0.0.1:5174/callback?code=c')).toBe(false);
    expect(await answer('https://127.0.0.1:5173/callback?code=c')).toBe(false);
    expect(await answer('not a url')).toBe(false);
  });
});

describe('isSignInRedirected with a custom scheme (web)', () => {
  it('is false, as in @logto/client, whose origin + pathname of com.example.app://callback is "null"', async () => {
    const { web } = await setup();
    await web.signIn({ redirectUri: 'com.example.app://callback' });
    expect(new URL('com.example.app://callback').origin).toBe('null');
    await expect(web.isSignInRedirected({ url: 'com.example.app://callback?code=c&state=s' })).resolves.toEqual({
      value: false,
    });
  });
});

describe('signIn clearTokens', () => {
  it('clears the stored tokens by default, as @logto/browser does', async () => {
    signInLocally();
    const { web } = await setup();
    await web.signIn({ redirectUri: 'http://127.0.0.1/callback' });
    await expect(web.isAuthenticated()).resolves.toEqual({ value: false });
  });

  it('keeps them with clearTokens: false', async () => {
    signInLocally();
    const { web } = await setup();
    await web.signIn({ redirectUri: 'http://127.0.0.1/callback', clearTokens: false });
    await expect(web.isAuthenticated()).resolves.toEqual({ value: true });
  });
});

describe('tokens and events', () => {
  it('reads the stored tokens', async () => {
    signInLocally();
    const { web } = await setup();
    await expect(web.isAuthenticated()).resolves.toEqual({ value: true });
    await expect(web.getIdToken()).resolves.toEqual({ value: fakeIdToken });
    await expect(web.getRefreshToken()).resolves.toEqual({ value: 'refresh-1' });
    await expect(web.getIdTokenClaims()).resolves.toMatchObject({ value: { sub: 'user-1' } });
  });

  it('reports null tokens and not_authenticated when signed out', async () => {
    const { web } = await setup();
    await expect(web.isAuthenticated()).resolves.toEqual({ value: false });
    await expect(web.getIdToken()).resolves.toEqual({ value: null });
    await expect(web.getAccessToken({})).rejects.toSatisfy(
      (error: unknown) => error instanceof LogtoClientError && error.code === 'not_authenticated',
    );
  });

  it('emits tokensRefreshed after a refresh grant and passes resource and organization', async () => {
    signInLocally();
    const { web, events } = await setup();
    web.routes.set('/oidc/token', () =>
      json({
        access_token: 'at-1',
        refresh_token: 'refresh-2',
        expires_in: 3600,
        scope: 'openid',
        token_type: 'Bearer',
      }),
    );
    await expect(web.getAccessToken({ resource: 'https://api.test', organizationId: 'org-1' })).resolves.toEqual({
      value: 'at-1',
    });
    expect(events).toEqual(['tokensRefreshed']);
    const body = new URLSearchParams(web.requests.find((r) => r.url.endsWith('/oidc/token'))?.body);
    expect(Object.fromEntries(body)).toEqual({
      client_id: appId,
      refresh_token: 'refresh-1',
      grant_type: 'refresh_token',
      resource: 'https://api.test',
      organization_id: 'org-1',
    });
    await expect(web.getRefreshToken()).resolves.toEqual({ value: 'refresh-2' });
    // Cached: no second refresh.
    await web.getAccessToken({ resource: 'https://api.test', organizationId: 'org-1' });
    expect(events).toEqual(['tokensRefreshed']);
  });

  it('emits sessionExpired and rejects with oidc.invalid_grant when the refresh token is rejected', async () => {
    signInLocally();
    const { web, events } = await setup();
    web.routes.set('/oidc/token', () =>
      json({ error: 'invalid_grant', error_description: 'grant request is invalid' }, 400),
    );
    const error = await web.getAccessToken({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogtoRequestError);
    expect(error).toMatchObject({ code: 'oidc.invalid_grant', message: 'grant request is invalid' });
    expect(events).toEqual(['sessionExpired']);
  });

  it('clearAllTokens clears and emits signedOut', async () => {
    signInLocally();
    const { web, events } = await setup();
    await web.clearAllTokens();
    await expect(web.isAuthenticated()).resolves.toEqual({ value: false });
    expect(events).toEqual(['signedOut']);
  });

  it('signOut revokes the refresh token, clears the tokens and navigates to end_session', async () => {
    signInLocally();
    const { web, events } = await setup();
    web.routes.set('/oidc/token/revocation', () => new Response('', { status: 200 }));
    await web.signOut({ postLogoutRedirectUri: 'http://127.0.0.1/callback/sign-out' });
    const revocation = web.requests.find((r) => r.url === discovery.revocation_endpoint);
    expect(Object.fromEntries(new URLSearchParams(revocation?.body))).toEqual({ client_id: appId, token: 'refresh-1' });
    expect(web.navigations).toEqual([
      `${discovery.end_session_endpoint}?client_id=${appId}&post_logout_redirect_uri=${encodeURIComponent(
        'http://127.0.0.1/callback/sign-out',
      )}`,
    ]);
    await expect(web.isAuthenticated()).resolves.toEqual({ value: false });
    expect(events).toEqual(['signedOut']);
  });
});

describe('createWebRequester', () => {
  const requester = (response: Response | Error) =>
    createWebRequester(
      vi.fn(async () => {
        if (response instanceof Error) throw response;
        return response;
      }) as unknown as typeof fetch,
    );

  it('maps an unreachable server to network', async () => {
    const error = await requester(new TypeError('Failed to fetch'))('https://x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogtoRequestError);
    expect(error).toMatchObject({ code: 'network' });
    expect((error as LogtoRequestError).cause).toBeInstanceOf(TypeError);
  });

  it('keeps Logto error bodies', async () => {
    const error = await requester(
      json({ code: 'oidc.invalid_grant', message: 'Grant not found', error: 'invalid_grant' }, 400),
    )('https://x').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'oidc.invalid_grant', message: 'Grant not found' });
    expect((error as LogtoRequestError).data).toEqual(new OidcError('invalid_grant'));
    expect((error as LogtoRequestError).cause).toBeInstanceOf(Response);
  });

  it('maps plain OAuth error bodies to oidc.<error>', async () => {
    await expect(requester(json({ error: 'access_denied' }, 403))('https://x')).rejects.toMatchObject({
      code: 'oidc.access_denied',
      message: 'access_denied',
    });
  });

  it('maps other failures to rate_limited and http_error_<status>', async () => {
    await expect(requester(new Response('slow down', { status: 429 }))('https://x')).rejects.toMatchObject({
      code: 'rate_limited',
    });
    await expect(requester(new Response('<html>', { status: 502 }))('https://x')).rejects.toMatchObject({
      code: 'http_error_502',
    });
  });

  it('reads JSON and empty bodies', async () => {
    await expect(requester(json({ a: 1 }))('https://x')).resolves.toEqual({ a: 1 });
    await expect(requester(new Response('', { status: 200 }))('https://x')).resolves.toBeNull();
    await expect(requester(new Response('{', { status: 200 }))('https://x')).rejects.toBeInstanceOf(LogtoError);
  });
});

describe('mapWebError', () => {
  it('turns @logto/browser errors into ours', async () => {
    const sdk = await import('@logto/browser');
    const clientError = mapWebError(new sdk.LogtoClientError('not_authenticated', 'd'));
    expect(clientError).toBeInstanceOf(LogtoClientError);
    expect(clientError).toMatchObject({ code: 'not_authenticated', data: 'd', message: 'Not authenticated.' });

    const verification = mapWebError(new sdk.LogtoError('id_token.invalid_iat'));
    expect(verification).toBeInstanceOf(LogtoError);
    expect(verification).toMatchObject({ code: 'id_token.invalid_iat' });

    const unexpected = mapWebError(new sdk.LogtoError('unexpected_response_error', { error: 'invalid_client' }));
    expect(unexpected).toBeInstanceOf(LogtoRequestError);
    expect(unexpected).toMatchObject({ code: 'oidc.invalid_client' });

    const request = mapWebError(new sdk.LogtoRequestError('http_error_500', 'oops'));
    expect(request).toBeInstanceOf(LogtoRequestError);
    expect(request).toMatchObject({ code: 'http_error_500', message: 'oops' });

    const plain = new RangeError('x');
    expect(mapWebError(plain)).toBe(plain);
  });
});
