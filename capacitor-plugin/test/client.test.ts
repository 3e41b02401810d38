import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createFakePlugin, nativeRejection } from './fake-plugin';

const state = vi.hoisted(() => ({
  fake: undefined as unknown as ReturnType<typeof createFakePlugin>,
  registered: [] as { name: string; implementations: Record<string, unknown> }[],
}));

vi.mock('@capacitor/core', async (importOriginal) => {
  const actual = await importOriginal<Record<string, unknown>>();
  return {
    ...actual,
    registerPlugin: vi.fn((name: string, implementations: Record<string, unknown>) => {
      state.registered.push({ name, implementations });
      // Forward to the fake of the running test.
      return new Proxy(
        {},
        { get: (_target, property) => (state.fake.plugin as Record<string | symbol, unknown>)[property] },
      );
    }),
  };
});

const pkg = await import('../src/index');
const LogtoClient = pkg.default;
const { LogtoClientError, LogtoError, LogtoRequestError, Prompt, UserScope } = pkg;

const config = { endpoint: 'https://logto.example.com', appId: 'app-1' };

let fake: ReturnType<typeof createFakePlugin>;
beforeEach(() => {
  fake = createFakePlugin();
  state.fake = fake;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('plugin registration', () => {
  it('registers LogtoNative once with a lazy web implementation', async () => {
    expect(state.registered).toHaveLength(1);
    const [{ name, implementations }] = state.registered;
    expect(name).toBe('LogtoNative');
    expect(Object.keys(implementations)).toEqual(['web']);
    const web = await (implementations.web as () => Promise<unknown>)();
    const { LogtoNativeWeb } = await import('../src/web');
    expect(web).toBeInstanceOf(LogtoNativeWeb);
  });

  it('exports LogtoClient as the default and as a named export', () => {
    expect(pkg.LogtoClient).toBe(LogtoClient);
    expect(typeof LogtoClient).toBe('function');
  });
});

describe('lazy configure', () => {
  it('does not configure in the constructor', () => {
    new LogtoClient(config);
    expect(fake.plugin.configure).not.toHaveBeenCalled();
  });

  it('configures once before the first call, with the normalised config and options', async () => {
    const client = new LogtoClient(
      {
        ...config,
        appSecret: 'must-not-cross-the-bridge',
        scopes: [UserScope.Email, UserScope.Organizations],
        resources: ['https://api.example.com'],
        prompt: Prompt.Login,
        includeReservedScopes: false,
      },
      {
        ios: { browser: 'safariViewController', prefersEphemeralSession: true },
        android: { toolbarColor: '#112233', showTitle: true },
        signInTimeoutMs: 1234,
      },
    );
    await Promise.all([client.isAuthenticated(), client.getIdToken(), client.getRefreshToken()]);
    await client.isAuthenticated();
    expect(fake.plugin.configure).toHaveBeenCalledTimes(1);
    expect(fake.plugin.configure).toHaveBeenCalledWith({
      config: {
        endpoint: 'https://logto.example.com',
        appId: 'app-1',
        // Passed through: the organizations resource is added natively.
        scopes: ['email', 'urn:logto:scope:organizations'],
        resources: ['https://api.example.com'],
        prompt: ['login'],
        includeReservedScopes: false,
      },
      options: {
        ios: { browser: 'safariViewController', prefersEphemeralSession: true },
        android: { toolbarColor: '#112233', showTitle: true },
        signInTimeoutMs: 1234,
      },
    });
    expect(fake.plugin.configure.mock.invocationCallOrder[0]).toBeLessThan(
      fake.plugin.isAuthenticated.mock.invocationCallOrder[0],
    );
  });

  it('sends only the given members', async () => {
    await new LogtoClient(config).isAuthenticated();
    expect(fake.plugin.configure).toHaveBeenCalledWith({ config, options: {} });
  });

  it('keeps a prompt array as an array', async () => {
    await new LogtoClient({ ...config, prompt: [Prompt.Login, Prompt.Consent] }).isAuthenticated();
    expect(fake.plugin.configure.mock.calls[0][0]).toMatchObject({ config: { prompt: ['login', 'consent'] } });
  });

  it('retries configure after a failure, and maps the failure', async () => {
    fake.plugin.configure.mockRejectedValueOnce(nativeRejection('invalid_config', 'endpoint is not a URL'));
    const client = new LogtoClient(config);
    const error = await client.isAuthenticated().catch((error_: unknown) => error_);
    expect(error).toBeInstanceOf(LogtoClientError);
    expect(error).toMatchObject({ code: 'invalid_config', message: 'endpoint is not a URL' });
    expect(fake.plugin.isAuthenticated).not.toHaveBeenCalled();

    await expect(client.isAuthenticated()).resolves.toBe(true);
    await expect(client.getIdToken()).resolves.toBe('id.token.value');
    expect(fake.plugin.configure).toHaveBeenCalledTimes(2);
  });

  it('shares one failing attempt between concurrent calls', async () => {
    let reject!: (error: unknown) => void;
    fake.plugin.configure.mockImplementationOnce(
      () =>
        new Promise((_resolve, reject_) => {
          reject = reject_;
        }),
    );
    const client = new LogtoClient(config);
    const first = client.isAuthenticated().catch((error: unknown) => error);
    const second = client.getIdToken().catch((error: unknown) => error);
    await Promise.resolve();
    reject(nativeRejection('network'));
    expect(await first).toBeInstanceOf(LogtoRequestError);
    expect(await second).toBeInstanceOf(LogtoRequestError);
    expect(fake.plugin.configure).toHaveBeenCalledTimes(1);
    await client.isAuthenticated();
    expect(fake.plugin.configure).toHaveBeenCalledTimes(2);
  });

  it('configures each client instance separately', async () => {
    await new LogtoClient(config).isAuthenticated();
    await new LogtoClient({ ...config, appId: 'app-2' }).isAuthenticated();
    expect(fake.plugin.configure).toHaveBeenCalledTimes(2);
    expect(fake.plugin.configure.mock.calls[1][0]).toMatchObject({ config: { appId: 'app-2' } });
  });
});

describe('token and state methods', () => {
  it('isAuthenticated unwraps the boolean', async () => {
    fake.plugin.isAuthenticated.mockResolvedValueOnce({ value: false });
    await expect(new LogtoClient(config).isAuthenticated()).resolves.toBe(false);
  });

  it('getIdToken and getRefreshToken unwrap the value and turn a missing one into null', async () => {
    const client = new LogtoClient(config);
    await expect(client.getIdToken()).resolves.toBe('id.token.value');
    await expect(client.getRefreshToken()).resolves.toBe('refresh-token');
    fake.plugin.getIdToken.mockResolvedValueOnce({ value: null });
    fake.plugin.getRefreshToken.mockResolvedValueOnce({} as { value: null });
    await expect(client.getIdToken()).resolves.toBeNull();
    await expect(client.getRefreshToken()).resolves.toBeNull();
  });

  it('getIdTokenClaims returns the claims', async () => {
    await expect(new LogtoClient(config).getIdTokenClaims()).resolves.toEqual({
      iss: 'iss',
      sub: 'user-1',
      aud: 'app',
      exp: 2,
      iat: 1,
    });
  });

  it('getAccessToken passes resource and organization ID', async () => {
    const client = new LogtoClient(config);
    await expect(client.getAccessToken()).resolves.toBe('access-token');
    await client.getAccessToken('https://api.example.com');
    await client.getAccessToken('https://api.example.com', 'org-1');
    await client.getAccessToken(undefined, 'org-2');
    expect(fake.plugin.getAccessToken.mock.calls.map(([options]) => options)).toEqual([
      {},
      { resource: 'https://api.example.com' },
      { resource: 'https://api.example.com', organizationId: 'org-1' },
      { organizationId: 'org-2' },
    ]);
  });

  it('getAccessTokenClaims passes the resource', async () => {
    const client = new LogtoClient(config);
    await expect(client.getAccessTokenClaims('https://api.example.com')).resolves.toEqual({
      aud: 'https://api.example.com',
      scope: 'read',
    });
    await client.getAccessTokenClaims();
    expect(fake.plugin.getAccessTokenClaims.mock.calls.map(([options]) => options)).toEqual([
      { resource: 'https://api.example.com' },
      {},
    ]);
  });

  it('getOrganizationToken and getOrganizationTokenClaims pass the organization ID', async () => {
    const client = new LogtoClient(config);
    await expect(client.getOrganizationToken('org-1')).resolves.toBe('organization-token');
    await expect(client.getOrganizationTokenClaims('org-1')).resolves.toEqual({ aud: 'urn:logto:organization:org-1' });
    expect(fake.plugin.getOrganizationToken).toHaveBeenCalledWith({ organizationId: 'org-1' });
    expect(fake.plugin.getOrganizationTokenClaims).toHaveBeenCalledWith({ organizationId: 'org-1' });
  });

  it('fetchUserInfo returns the user info', async () => {
    await expect(new LogtoClient(config).fetchUserInfo()).resolves.toEqual({
      sub: 'user-1',
      email: 'alice@example.com',
    });
  });

  it('clearAccessToken and clearAllTokens call the bridge', async () => {
    const client = new LogtoClient(config);
    await expect(client.clearAccessToken()).resolves.toBeUndefined();
    await expect(client.clearAllTokens()).resolves.toBeUndefined();
    expect(fake.plugin.clearAccessToken).toHaveBeenCalledTimes(1);
    expect(fake.plugin.clearAllTokens).toHaveBeenCalledTimes(1);
  });

  it('handleSignInCallback passes the URL as a string', async () => {
    const client = new LogtoClient(config);
    await client.handleSignInCallback('http://127.0.0.1:5173/callback?code=c&state=s');
    await client.handleSignInCallback(new URL('http://127.0.0.1:5173/callback?code=d&state=t'));
    expect(fake.plugin.handleSignInCallback.mock.calls.map(([options]) => options)).toEqual([
      { url: 'http://127.0.0.1:5173/callback?code=c&state=s' },
      { url: 'http://127.0.0.1:5173/callback?code=d&state=t' },
    ]);
  });

  it('signOut passes the post sign-out redirect URI when given', async () => {
    const client = new LogtoClient(config);
    await client.signOut('com.example.app://callback/sign-out');
    await client.signOut(new URL('http://127.0.0.1:8080/callback/sign-out'));
    await client.signOut();
    expect(fake.plugin.signOut.mock.calls.map(([options]) => options)).toEqual([
      { postLogoutRedirectUri: 'com.example.app://callback/sign-out' },
      { postLogoutRedirectUri: 'http://127.0.0.1:8080/callback/sign-out' },
      {},
    ]);
  });
});

describe('signIn', () => {
  const requestOf = async (...args: unknown[]) => {
    const client = new LogtoClient(config);
    await (client.signIn as (...a: unknown[]) => Promise<void>)(...args);
    return fake.plugin.signIn.mock.calls.at(-1)?.[0];
  };

  it('string form: only the redirect URI', async () => {
    expect(await requestOf('com.example.app://callback')).toEqual({ redirectUri: 'com.example.app://callback' });
  });

  it('URL form: the redirect URI as a string', async () => {
    expect(await requestOf(new URL('https://app.example.com/callback'))).toEqual({
      redirectUri: 'https://app.example.com/callback',
    });
  });

  it('string form: the deprecated interaction mode becomes firstScreen', async () => {
    expect(await requestOf('app://cb', 'signUp')).toEqual({ redirectUri: 'app://cb', firstScreen: 'register' });
    expect(await requestOf('app://cb', 'signIn')).toEqual({ redirectUri: 'app://cb', firstScreen: 'sign_in' });
  });

  it('string form: the legacy login hint argument', async () => {
    expect(await requestOf('app://cb', undefined, 'alice@example.com')).toEqual({
      redirectUri: 'app://cb',
      loginHint: 'alice@example.com',
    });
  });

  it('object form: every option', async () => {
    expect(
      await requestOf({
        redirectUri: new URL('com.example.app://callback'),
        postRedirectUri: new URL('http://127.0.0.1:3000/home'),
        prompt: [Prompt.Login, Prompt.Consent],
        firstScreen: 'identifier:register',
        identifiers: ['email', 'phone'],
        loginHint: 'alice@example.com',
        directSignIn: { method: 'social', target: 'google' },
        extraParams: { dev_login: 'alice', ui_locales: 'fr' },
      }),
    ).toEqual({
      redirectUri: 'com.example.app://callback',
      postRedirectUri: 'http://127.0.0.1:3000/home',
      prompt: ['login', 'consent'],
      firstScreen: 'identifier:register',
      identifiers: ['email', 'phone'],
      loginHint: 'alice@example.com',
      directSignIn: { method: 'social', target: 'google' },
      extraParams: { dev_login: 'alice', ui_locales: 'fr' },
    });
  });

  it('object form: a single prompt becomes an array; SSO direct sign-in', async () => {
    expect(
      await requestOf({
        redirectUri: 'app://cb',
        prompt: Prompt.None,
        directSignIn: { method: 'sso', target: 'connector-1' },
      }),
    ).toEqual({ redirectUri: 'app://cb', prompt: ['none'], directSignIn: { method: 'sso', target: 'connector-1' } });
  });

  it('object form: interactionMode becomes firstScreen, and firstScreen wins', async () => {
    expect(await requestOf({ redirectUri: 'app://cb', interactionMode: 'signUp' })).toEqual({
      redirectUri: 'app://cb',
      firstScreen: 'register',
    });
    expect(
      await requestOf({ redirectUri: 'app://cb', interactionMode: 'signUp', firstScreen: 'reset_password' }),
    ).toEqual({ redirectUri: 'app://cb', firstScreen: 'reset_password' });
  });

  it('object form: undefined members are left out', async () => {
    expect(
      await requestOf({ redirectUri: 'app://cb', prompt: undefined, loginHint: undefined, extraParams: undefined }),
    ).toEqual({ redirectUri: 'app://cb' });
  });

  it('does not share the caller’s arrays and objects with the bridge', async () => {
    const prompt = [Prompt.Login];
    const extraParams = { a: '1' };
    const request = (await requestOf({ redirectUri: 'app://cb', prompt, extraParams })) as Record<string, unknown>;
    expect(request.prompt).not.toBe(prompt);
    expect(request.extraParams).not.toBe(extraParams);
  });

  it.each([[undefined], [null], [42], [{}], [{ redirectUri: 42 }]])('rejects %j with a TypeError', async (argument) => {
    const client = new LogtoClient(config);
    await expect((client.signIn as (a: unknown) => Promise<void>)(argument)).rejects.toThrow(TypeError);
    expect(fake.plugin.signIn).not.toHaveBeenCalled();
    expect(fake.plugin.configure).not.toHaveBeenCalled();
  });

  it('maps a cancellation to LogtoClientError user_cancelled', async () => {
    fake.plugin.signIn.mockRejectedValueOnce(nativeRejection('user_cancelled', 'The user closed the browser.'));
    const error = await new LogtoClient(config).signIn('app://cb').catch((error_: unknown) => error_);
    expect(error).toBeInstanceOf(LogtoClientError);
    expect(error).toMatchObject({ code: 'user_cancelled', name: 'LogtoClientError' });
  });
});

describe('sign-in deadline', () => {
  it('rejects with timeout when the platform does not settle in signInTimeoutMs + grace', async () => {
    vi.useFakeTimers();
    fake.plugin.signIn.mockImplementation(() => new Promise(() => undefined));
    const client = new LogtoClient(config, { signInTimeoutMs: 1_000 });
    let settled: unknown;
    const pending = client.signIn('app://cb').then(
      () => (settled = 'resolved'),
      (error: unknown) => (settled = error),
    );
    await vi.advanceTimersByTimeAsync(1_000 + pkg.bridgeTimeoutGraceMs - 1);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(settled).toBeInstanceOf(LogtoClientError);
    expect(settled).toMatchObject({ code: 'timeout' });
  });

  it('uses the default timeout for signOut too', async () => {
    vi.useFakeTimers();
    fake.plugin.signOut.mockImplementation(() => new Promise(() => undefined));
    let settled: unknown;
    const pending = new LogtoClient(config).signOut('app://out').catch((error: unknown) => (settled = error));
    await vi.advanceTimersByTimeAsync(pkg.defaultSignInTimeoutMs);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(pkg.bridgeTimeoutGraceMs);
    await pending;
    expect(settled).toMatchObject({ code: 'timeout' });
  });

  it('has no deadline when signInTimeoutMs is 0', async () => {
    vi.useFakeTimers();
    let finish!: () => void;
    fake.plugin.signIn.mockImplementation(
      () =>
        new Promise<undefined>((resolve) => {
          finish = () => resolve(undefined);
        }),
    );
    let settled = false;
    const pending = new LogtoClient(config, { signInTimeoutMs: 0 }).signIn('app://cb').then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(10 * pkg.defaultSignInTimeoutMs);
    expect(settled).toBe(false);
    finish();
    await pending;
    expect(settled).toBe(true);
  });

  it('clears its timer when the platform answers', async () => {
    vi.useFakeTimers();
    await new LogtoClient(config, { signInTimeoutMs: 1_000 }).signIn('app://cb');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('getOidcConfig', () => {
  it('configures, then returns the platform’s camelCase discovery document (a copy)', async () => {
    const client = new LogtoClient(config);
    const oidcConfig = await client.getOidcConfig();
    expect(fake.plugin.configure.mock.invocationCallOrder[0]).toBeLessThan(
      fake.plugin.getOidcConfig.mock.invocationCallOrder[0],
    );
    const answered = ((await fake.plugin.getOidcConfig.mock.results[0].value) as { value: object }).value;
    expect(oidcConfig).toEqual(answered);
    expect(oidcConfig).not.toBe(answered);
    expect(oidcConfig).toMatchObject({
      issuer: 'https://logto.example.com/oidc',
      authorizationEndpoint: 'https://logto.example.com/oidc/auth',
      tokenEndpoint: 'https://logto.example.com/oidc/token',
      userinfoEndpoint: 'https://logto.example.com/oidc/me',
      endSessionEndpoint: 'https://logto.example.com/oidc/session/end',
      revocationEndpoint: 'https://logto.example.com/oidc/token/revocation',
      jwksUri: 'https://logto.example.com/oidc/jwks',
    });
  });

  it('refuses an answer without the camelCase keys (a snake_case document) with LogtoClientError internal', async () => {
    fake.plugin.getOidcConfig.mockResolvedValueOnce({
      value: {
        issuer: 'https://logto.example.com/oidc',
        authorization_endpoint: 'https://logto.example.com/oidc/auth',
        token_endpoint: 'https://logto.example.com/oidc/token',
        jwks_uri: 'https://logto.example.com/oidc/jwks',
      },
    });
    const error = await new LogtoClient(config).getOidcConfig().catch((error_: unknown) => error_);
    expect(error).toBeInstanceOf(LogtoClientError);
    expect(error).toMatchObject({ code: 'internal' });
    expect((error as Error).message).toContain('authorizationEndpoint, tokenEndpoint, jwksUri');
  });

  it.each([[null], ['a string'], [undefined]])('refuses %j as the value', async (value) => {
    fake.plugin.getOidcConfig.mockResolvedValueOnce({ value });
    await expect(new LogtoClient(config).getOidcConfig()).rejects.toMatchObject({ code: 'internal' });
  });

  it('maps a failed fetch', async () => {
    fake.plugin.getOidcConfig.mockRejectedValueOnce(nativeRejection('network'));
    const error = await new LogtoClient(config).getOidcConfig().catch((error_: unknown) => error_);
    expect(error).toBeInstanceOf(LogtoRequestError);
    expect(error).toMatchObject({ code: 'network' });
  });
});

describe('isSignInRedirected', () => {
  it('passes the URL as a string and returns the boolean', async () => {
    const client = new LogtoClient(config);
    expect(await client.isSignInRedirected('com.example.app://callback?code=c&state=s')).toBe(true);
    expect(fake.plugin.isSignInRedirected).toHaveBeenLastCalledWith({
      url: 'com.example.app://callback?code=c&state=s',
    });
    fake.plugin.isSignInRedirected.mockResolvedValueOnce({ value: false });
    expect(await client.isSignInRedirected(new URL('https://app.example.com/callback?code=c'))).toBe(false);
    expect(fake.plugin.isSignInRedirected).toHaveBeenLastCalledWith({ url: 'https://app.example.com/callback?code=c' });
    expect(fake.plugin.configure).toHaveBeenCalledTimes(1);
  });

  it('maps a storage failure', async () => {
    fake.plugin.isSignInRedirected.mockRejectedValueOnce(nativeRejection('sign_in_session.invalid'));
    const error = await new LogtoClient(config).isSignInRedirected('app://cb').catch((error_: unknown) => error_);
    expect(error).toBeInstanceOf(LogtoClientError);
    expect(error).toMatchObject({ code: 'sign_in_session.invalid' });
  });
});

describe('setJwtVerifier', () => {
  it('throws LogtoClientError jwt_verifier_unsupported synchronously, for a verifier and for a factory', () => {
    const client = new LogtoClient(config);
    const verifier = { verifyIdToken: vi.fn(async () => undefined) };
    const factory = vi.fn(() => verifier);
    for (const argument of [verifier, factory]) {
      let thrown: unknown;
      try {
        client.setJwtVerifier(argument);
      } catch (error: unknown) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(LogtoClientError);
      expect(thrown).toMatchObject({ code: 'jwt_verifier_unsupported' });
      expect((thrown as Error).message).toMatch(/verified by the Logto native core/);
    }
    expect(factory).not.toHaveBeenCalled();
    expect(verifier.verifyIdToken).not.toHaveBeenCalled();
    expect(fake.plugin.configure).not.toHaveBeenCalled();
  });

  it('leaves the client usable', async () => {
    const client = new LogtoClient(config);
    expect(() => client.setJwtVerifier({ verifyIdToken: async () => undefined })).toThrow(LogtoClientError);
    expect(await client.isAuthenticated()).toBe(true);
  });
});

describe('@logto/capacitor options', () => {
  it('openOptions.toolbarColor becomes the Android toolbar colour; the rest of openOptions is not sent', async () => {
    await new LogtoClient(config, {
      openOptions: { url: 'ignored', toolbarColor: '#abcdef', presentationStyle: 'fullscreen', windowName: '_self' },
    }).isAuthenticated();
    expect(fake.plugin.configure).toHaveBeenCalledWith({ config, options: { android: { toolbarColor: '#abcdef' } } });
  });

  it('android.toolbarColor wins over openOptions.toolbarColor and other Android options are kept', async () => {
    await new LogtoClient(config, {
      android: { toolbarColor: '#111111', showTitle: true },
      openOptions: { toolbarColor: '#abcdef' },
    }).isAuthenticated();
    expect(fake.plugin.configure).toHaveBeenCalledWith({
      config,
      options: { android: { toolbarColor: '#111111', showTitle: true } },
    });
  });

  it('openOptions without a toolbar colour sends no Android options', async () => {
    await new LogtoClient(config, { openOptions: { presentationStyle: 'popover' } }).isAuthenticated();
    expect(fake.plugin.configure).toHaveBeenCalledWith({ config, options: {} });
  });

  it('signIn passes clearTokens only when given', async () => {
    const client = new LogtoClient(config);
    await client.signIn({ redirectUri: 'app://cb', clearTokens: false });
    expect(fake.plugin.signIn).toHaveBeenLastCalledWith({ redirectUri: 'app://cb', clearTokens: false });
    await client.signIn({ redirectUri: 'app://cb' });
    expect(fake.plugin.signIn).toHaveBeenLastCalledWith({ redirectUri: 'app://cb' });
  });
});

describe('error mapping of calls', () => {
  it.each([
    ['getAccessToken', 'not_authenticated', LogtoClientError],
    ['getAccessToken', 'oidc.invalid_grant', LogtoRequestError],
    ['getIdTokenClaims', 'id_token.invalid_token', LogtoError],
    ['handleSignInCallback', 'callback_uri_verification.state_mismatched', LogtoError],
    ['fetchUserInfo', 'fetch_user_info_failed', LogtoClientError],
    ['getOrganizationToken', 'missing_scope_organizations', LogtoClientError],
    ['signOut', 'network', LogtoRequestError],
    ['clearAllTokens', 'storage', LogtoClientError],
  ] as const)('%s rejecting with %s throws %o', async (method, code, errorClass) => {
    (fake.plugin[method] as ReturnType<typeof vi.fn>).mockRejectedValueOnce(nativeRejection(code));
    const client = new LogtoClient(config) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const error = await client[method]('org-or-url').catch((error_: unknown) => error_);
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ code, message: `native says ${code}` });
  });
});

describe('onAuthStateChange', () => {
  it('adds an authStateChange listener and removes it', async () => {
    const client = new LogtoClient(config);
    const received: string[] = [];
    const subscription = await client.onAuthStateChange((change) => received.push(change.type));
    expect(fake.plugin.addListener).toHaveBeenCalledWith('authStateChange', expect.any(Function));

    fake.emit({ type: 'signedIn' });
    fake.emit({ type: 'tokensRefreshed' });
    await subscription.remove();
    fake.emit({ type: 'signedOut' });

    expect(received).toEqual(['signedIn', 'tokensRefreshed']);
    const handle = await fake.plugin.addListener.mock.results[0].value;
    expect(handle.remove).toHaveBeenCalledTimes(1);
  });

  it('keeps other listeners when one is removed', async () => {
    const client = new LogtoClient(config);
    const first: string[] = [];
    const second: string[] = [];
    const a = await client.onAuthStateChange((change) => first.push(change.type));
    await client.onAuthStateChange((change) => second.push(change.type));
    await a.remove();
    fake.emit({ type: 'sessionExpired' });
    expect(first).toEqual([]);
    expect(second).toEqual(['sessionExpired']);
  });

  it('maps a failure to add the listener', async () => {
    fake.plugin.addListener.mockRejectedValueOnce(nativeRejection('UNIMPLEMENTED', 'not implemented'));
    const error = await new LogtoClient(config).onAuthStateChange(() => undefined).catch((error_: unknown) => error_);
    expect(error).toBeInstanceOf(LogtoClientError);
    expect(error).toMatchObject({ code: 'internal' });
  });
});
