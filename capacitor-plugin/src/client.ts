import type { PluginListenerHandle } from '@capacitor/core';

import { getLogtoNativePlugin } from './bridge.js';
import type { Prompt } from './constants.js';
import type {
  AccessTokenClaims,
  AuthStateChangeListener,
  ConfigureOptions,
  DirectSignIn,
  FirstScreen,
  IdTokenClaims,
  SignInIdentifier,
  LogtoNativeOptions,
  LogtoNativePlugin,
  OidcConfigResponse,
  SignInRequest,
  UserInfoResponse,
} from './definitions.js';
import { LogtoClientError, toLogtoError } from './errors.js';

/**
 * The Logto configuration, as in `@logto/client`.
 */
export type LogtoConfig = {
  /** The Logto endpoint, for example `https://foo.logto.app`. */
  endpoint: string;
  /** The application ID. */
  appId: string;
  /** Not used: native and single-page apps are public clients. Accepted for source compatibility only and never sent anywhere. */
  appSecret?: string;
  /** Extra scopes; `openid offline_access profile` are added unless `includeReservedScopes` is `false`. */
  scopes?: string[];
  /** API resources to request. `urn:logto:resource:organizations` is added when the organizations scope is requested. */
  resources?: string[];
  /** The `prompt` parameter. Default `consent`. */
  prompt?: Prompt | Prompt[];
  /** Whether to add the reserved scopes. Default `true`. */
  includeReservedScopes?: boolean;
};

/**
 * The interaction mode of the sign-in experience.
 *
 * @deprecated Use `firstScreen`: `signIn` becomes `sign_in`, `signUp` becomes `register`.
 */
export type InteractionMode = 'signIn' | 'signUp';

/** The object form of `signIn`, as in `@logto/client`. */
export type SignInOptions = {
  /** The redirect URI registered for the application. */
  redirectUri: string | URL;
  /** Web only: where to navigate after the callback is handled. Ignored on iOS and Android. */
  postRedirectUri?: string | URL;
  /**
   * Web only: clear the stored tokens before navigating to Logto (default `true`, as in `@logto/client`).
   * Ignored on iOS and Android, where the previous tokens are replaced only after a successful sign-in.
   */
  clearTokens?: boolean;
  /** Overrides the configured `prompt`. */
  prompt?: Prompt | Prompt[];
  /** @deprecated Use `firstScreen`. */
  interactionMode?: InteractionMode;
  /** The first screen of the sign-in experience. */
  firstScreen?: FirstScreen;
  /** The identifiers offered on the identifier screens. */
  identifiers?: SignInIdentifier[];
  /** The `login_hint`. */
  loginHint?: string;
  /** Go straight to a social or SSO connector. */
  directSignIn?: DirectSignIn;
  /** Extra authorization parameters, appended as they are. */
  extraParams?: Record<string, string>;
};

/**
 * The `openOptions` of `@logto/capacitor` (the options of `@capacitor/browser`'s
 * `Browser.open`), accepted so that code written for it compiles unchanged.
 * Only `toolbarColor` is used: it becomes the Android Custom Tab toolbar colour
 * unless `android.toolbarColor` is set. The others do not apply (the plugin
 * opens its own browser: `ASWebAuthenticationSession` or
 * `SFSafariViewController` on iOS, a Custom Tab on Android, the same window on
 * the web) and are ignored.
 */
export type CapacitorBrowserOpenOptions = {
  /** Ignored: the plugin opens the authorization or end-session URL. */
  url?: string;
  /** Ignored. */
  windowName?: string;
  /** The Android Custom Tab toolbar colour, as `#RRGGBB` (`android.toolbarColor` wins). */
  toolbarColor?: string;
  /** Ignored. */
  presentationStyle?: 'fullscreen' | 'popover';
  /** Ignored. */
  width?: number;
  /** Ignored. */
  height?: number;
};

/**
 * The second constructor argument: the platform options, plus `openOptions`
 * for source compatibility with `@logto/capacitor`'s `CapacitorConfig`.
 */
export type LogtoClientOptions = LogtoNativeOptions & {
  /** `@logto/capacitor`'s browser options; only `toolbarColor` is used (see {@link CapacitorBrowserOpenOptions}). */
  openOptions?: CapacitorBrowserOpenOptions;
};

/** `@logto/capacitor`'s name of the second constructor argument. */
export type CapacitorConfig = LogtoClientOptions;

/** The ID token verifier of `@logto/client` (see {@link LogtoClient.setJwtVerifier}). */
export type JwtVerifier = {
  verifyIdToken(idToken: string): Promise<void>;
};

/** A handle to remove an `onAuthStateChange` listener. */
export interface AuthStateSubscription {
  remove(): Promise<void>;
}

/** The default of {@link LogtoNativeOptions.signInTimeoutMs}. */
export const defaultSignInTimeoutMs = 600_000;

/**
 * Extra time the JavaScript side waits after `signInTimeoutMs` before it
 * gives up on the platform by itself, so that a promise settles even if the
 * platform never answers.
 */
export const bridgeTimeoutGraceMs = 5_000;

const normalizePrompt = (prompt: Prompt | Prompt[] | undefined): Prompt[] | undefined => {
  if (prompt === undefined) {
    return undefined;
  }
  return Array.isArray(prompt) ? [...prompt] : [prompt];
};

const firstScreenOfInteractionMode = (mode: InteractionMode | undefined): FirstScreen | undefined => {
  switch (mode) {
    case 'signIn':
      return 'sign_in';
    case 'signUp':
      return 'register';
    default:
      return undefined;
  }
};

const isUrlLike = (value: unknown): value is string | URL => typeof value === 'string' || value instanceof URL;

/** Copy an object without its `undefined` members, so the bridge sees only what was given. */
const compact = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as T;

/** Build the bridge request of either form of `signIn`. Exported for tests. */
export const buildSignInRequest = (
  options: SignInOptions | string | URL,
  interactionMode?: InteractionMode,
  loginHint?: string,
): SignInRequest => {
  if (isUrlLike(options)) {
    return compact({
      redirectUri: options.toString(),
      firstScreen: firstScreenOfInteractionMode(interactionMode),
      loginHint,
    });
  }
  if (typeof options !== 'object' || options === null || !isUrlLike(options.redirectUri)) {
    throw new TypeError('The first argument must be a string, a URL or an options object with a redirectUri.');
  }
  return compact({
    redirectUri: options.redirectUri.toString(),
    postRedirectUri: options.postRedirectUri?.toString(),
    clearTokens: options.clearTokens,
    prompt: normalizePrompt(options.prompt),
    firstScreen: options.firstScreen ?? firstScreenOfInteractionMode(options.interactionMode),
    identifiers: options.identifiers ? [...options.identifiers] : undefined,
    loginHint: options.loginHint,
    directSignIn: options.directSignIn
      ? { method: options.directSignIn.method, target: options.directSignIn.target }
      : undefined,
    extraParams: options.extraParams ? { ...options.extraParams } : undefined,
  });
};

/** Build the `configure` arguments from the constructor arguments. Exported for tests. */
export const buildConfigureOptions = (config: LogtoConfig, options: LogtoClientOptions = {}): ConfigureOptions => {
  const android = compact({
    ...options.android,
    toolbarColor: options.android?.toolbarColor ?? options.openOptions?.toolbarColor,
  });
  return {
    config: compact({
      endpoint: config.endpoint,
      appId: config.appId,
      scopes: config.scopes ? [...config.scopes] : undefined,
      resources: config.resources ? [...config.resources] : undefined,
      prompt: normalizePrompt(config.prompt),
      includeReservedScopes: config.includeReservedScopes,
    }),
    options: compact({
      ios: options.ios ? compact({ ...options.ios }) : undefined,
      android: options.android || Object.keys(android).length > 0 ? android : undefined,
      signInTimeoutMs: options.signInTimeoutMs,
    }),
  };
};

/** The members `getOidcConfig` requires of the platform's answer (the others may be absent natively). */
const requiredOidcConfigKeys = ['issuer', 'authorizationEndpoint', 'tokenEndpoint', 'jwksUri'] as const;

const checkOidcConfig = (value: unknown): OidcConfigResponse => {
  const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  const missing = requiredOidcConfigKeys.filter((key) => typeof record?.[key] !== 'string');
  if (!record || missing.length > 0) {
    const error = new LogtoClientError('internal', { missing });
    error.message = `The platform answered getOidcConfig without ${missing.join(', ')} (camelCase keys are expected).`;
    throw error;
  }
  return { ...record } as OidcConfigResponse;
};

/**
 * Logto client for Capacitor apps, with the API of `@logto/capacitor` /
 * `@logto/client`. The OIDC work (PKCE, state, token exchange, ID token
 * verification, refresh, secure storage) happens in the native Rust core on
 * iOS and Android, and in `@logto/browser` on the web.
 *
 * ```ts
 * import LogtoClient from 'logto-native-capacitor';
 *
 * const client = new LogtoClient({ endpoint: 'https://foo.logto.app', appId: 'my-app' });
 * await client.signIn('com.example.app://callback');
 * const claims = await client.getIdTokenClaims();
 * ```
 *
 * Errors are `LogtoClientError`, `LogtoError` or `LogtoRequestError`, with
 * the `code` strings of the Logto SDKs.
 */
export default class LogtoClient {
  readonly logtoConfig: LogtoConfig;
  readonly options: LogtoClientOptions;
  #configured?: Promise<void>;

  constructor(config: LogtoConfig, options: LogtoClientOptions = {}) {
    this.logtoConfig = config;
    this.options = options;
  }

  /**
   * Start the sign-in flow. Natively the promise resolves once the tokens are
   * stored; on the web the page navigates to Logto, and the app calls
   * {@link handleSignInCallback} when it comes back.
   *
   * @throws LogtoClientError `user_cancelled` when the browser is dismissed,
   *   `timeout` when `signInTimeoutMs` runs out.
   */
  signIn(options: SignInOptions): Promise<void>;
  /**
   * @param redirectUri The redirect URI registered for the application.
   * @param interactionMode Deprecated: becomes `firstScreen`.
   */
  signIn(redirectUri: string | URL, interactionMode?: InteractionMode): Promise<void>;
  /** @deprecated Use the object form for `loginHint`. */
  signIn(redirectUri: string | URL, interactionMode?: InteractionMode, loginHint?: string): Promise<void>;
  async signIn(
    options: SignInOptions | string | URL,
    interactionMode?: InteractionMode,
    loginHint?: string,
  ): Promise<void> {
    const request = buildSignInRequest(options, interactionMode, loginHint);
    await this.#callWithDeadline((plugin) => plugin.signIn(request));
  }

  /**
   * Revoke the refresh token, clear the local tokens and end the Logto
   * session in the browser.
   *
   * @param postLogoutRedirectUri The post sign-out redirect URI registered for the application.
   */
  async signOut(postLogoutRedirectUri?: string | URL): Promise<void> {
    const request = compact({ postLogoutRedirectUri: postLogoutRedirectUri?.toString() });
    await this.#callWithDeadline((plugin) => plugin.signOut(request));
  }

  /** Whether an ID token is stored (a local check). */
  async isAuthenticated(): Promise<boolean> {
    return (await this.#call((plugin) => plugin.isAuthenticated())).value;
  }

  /** The stored ID token, or `null`. */
  async getIdToken(): Promise<string | null> {
    return (await this.#call((plugin) => plugin.getIdToken())).value ?? null;
  }

  /** The claims of the stored ID token. */
  async getIdTokenClaims(): Promise<IdTokenClaims> {
    return (await this.#call((plugin) => plugin.getIdTokenClaims())).value;
  }

  /** The stored refresh token, or `null`. */
  async getRefreshToken(): Promise<string | null> {
    return (await this.#call((plugin) => plugin.getRefreshToken())).value ?? null;
  }

  /**
   * An access token, from the cache or by refreshing.
   *
   * @param resource The API resource; absent for the user info token.
   * @param organizationId The organization ID, for an organization token.
   */
  async getAccessToken(resource?: string, organizationId?: string): Promise<string> {
    const request = compact({ resource, organizationId });
    return (await this.#call((plugin) => plugin.getAccessToken(request))).value;
  }

  /** The decoded claims of the access token for a resource. */
  async getAccessTokenClaims(resource?: string): Promise<AccessTokenClaims> {
    const request = compact({ resource });
    return (await this.#call((plugin) => plugin.getAccessTokenClaims(request))).value;
  }

  /** An organization token. */
  async getOrganizationToken(organizationId: string): Promise<string> {
    return (await this.#call((plugin) => plugin.getOrganizationToken({ organizationId }))).value;
  }

  /** The decoded claims of an organization token. */
  async getOrganizationTokenClaims(organizationId: string): Promise<AccessTokenClaims> {
    return (await this.#call((plugin) => plugin.getOrganizationTokenClaims({ organizationId }))).value;
  }

  /** Fetch the user info endpoint. */
  async fetchUserInfo(): Promise<UserInfoResponse> {
    return (await this.#call((plugin) => plugin.fetchUserInfo())).value;
  }

  /** Forget the cached access tokens. */
  async clearAccessToken(): Promise<void> {
    await this.#call((plugin) => plugin.clearAccessToken());
  }

  /** Forget every stored token, locally only. */
  async clearAllTokens(): Promise<void> {
    await this.#call((plugin) => plugin.clearAllTokens());
  }

  /**
   * Handle the redirect back from Logto. On the web, call it with
   * `window.location.href` when the page loads at the redirect URI. Natively
   * the plugin catches the redirect itself; this hands over a redirect URL
   * that the app received another way to the pending sign-in.
   */
  async handleSignInCallback(callbackUri: string | URL): Promise<void> {
    await this.#call((plugin) => plugin.handleSignInCallback({ url: callbackUri.toString() }));
  }

  /**
   * The OpenID Provider configuration (the discovery document) with camelCase
   * keys, as `@logto/client` returns it. Natively it comes from the core's
   * cache (fetched once, retried after a failure) and holds the members the
   * core keeps; on the web, the whole document.
   */
  async getOidcConfig(): Promise<OidcConfigResponse> {
    return checkOidcConfig((await this.#call((plugin) => plugin.getOidcConfig())).value);
  }

  /**
   * Whether `url` is the redirect back from Logto to the pending sign-in
   * (then pass it to {@link handleSignInCallback}). `false` without a pending
   * sign-in or for a URL that cannot be parsed. The URL without query and
   * fragment must equal the sign-in's redirect URI: `@logto/client`'s
   * `origin + pathname` check for `http(s)` URLs, and natively also for
   * custom schemes such as `com.example.app://callback`.
   */
  async isSignInRedirected(url: string | URL): Promise<boolean> {
    return (await this.#call((plugin) => plugin.isSignInRedirected({ url: url.toString() }))).value === true;
  }

  /**
   * Not supported; kept so that code written for `@logto/capacitor` compiles.
   * ID tokens are verified by the Logto native core (signature with an
   * algorithm allow-list, `iss`, `aud`, `exp`, `iat`, `nonce`) or, on the web,
   * by `@logto/browser`, and that verification can be neither replaced nor
   * weakened. A custom verifier can therefore only be ignored or refused;
   * silently ignoring one could skip a check the app relies on, so this
   * method always throws.
   *
   * @deprecated Remove the call: ID token verification is built in.
   * @throws LogtoClientError `jwt_verifier_unsupported`, always, synchronously.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- accepts every verifier factory written for @logto/client (its argument is @logto/client's class); it is never called
  setJwtVerifier(_verifier: JwtVerifier | ((client: any) => JwtVerifier)): void {
    throw new LogtoClientError('jwt_verifier_unsupported');
  }

  /**
   * Listen to authentication state changes: `signedIn`, `tokensRefreshed`,
   * `signedOut`, `sessionExpired`.
   */
  async onAuthStateChange(listener: AuthStateChangeListener): Promise<AuthStateSubscription> {
    let handle: PluginListenerHandle;
    try {
      handle = await getLogtoNativePlugin().addListener('authStateChange', listener);
    } catch (error: unknown) {
      throw toLogtoError(error);
    }
    return {
      remove: async () => {
        await handle.remove();
      },
    };
  }

  /** Configure the platform once; a failed attempt is forgotten so the next call retries. */
  #ensureConfigured(plugin: LogtoNativePlugin): Promise<void> {
    if (!this.#configured) {
      const attempt: Promise<void> = plugin
        .configure(buildConfigureOptions(this.logtoConfig, this.options))
        .catch((error: unknown) => {
          if (this.#configured === attempt) {
            this.#configured = undefined;
          }
          throw toLogtoError(error);
        });
      this.#configured = attempt;
    }
    return this.#configured;
  }

  async #call<T>(run: (plugin: LogtoNativePlugin) => Promise<T>): Promise<T> {
    const plugin = getLogtoNativePlugin();
    await this.#ensureConfigured(plugin);
    try {
      return await run(plugin);
    } catch (error: unknown) {
      throw toLogtoError(error);
    }
  }

  /**
   * Like `#call`, but rejects with `timeout` if the platform has not settled
   * the browser flow `bridgeTimeoutGraceMs` after `signInTimeoutMs`.
   */
  async #callWithDeadline(run: (plugin: LogtoNativePlugin) => Promise<void>): Promise<void> {
    const timeoutMs = this.options.signInTimeoutMs ?? defaultSignInTimeoutMs;
    if (!(timeoutMs > 0)) {
      await this.#call(run);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new LogtoClientError('timeout'));
      }, timeoutMs + bridgeTimeoutGraceMs);
    });
    try {
      await Promise.race([this.#call(run), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}

export { LogtoClient };
