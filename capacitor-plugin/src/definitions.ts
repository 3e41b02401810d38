/**
 * The bridge contract between the TypeScript `LogtoClient` and the platform
 * implementations of the `LogtoNative` Capacitor plugin:
 *
 * - Android: `android/src/main/java/dev/logtocore/capacitor/LogtoNativePlugin.kt`
 * - iOS: `ios/Sources/LogtoNativePlugin/LogtoNativePlugin.swift`
 * - Web: `src/web.ts` (redirect flow with `@logto/browser`)
 *
 * Apps normally use `LogtoClient` (the default export), which wraps this
 * contract with the `@logto/capacitor` API. Every value crosses the bridge
 * wrapped in an object (`{ value }`), as Capacitor requires.
 *
 * Errors: a platform rejects with a `code` that is one of
 * `LogtoNativeErrorCode` (the Rust core's stable code strings) and a
 * message that never contains tokens, codes or personal data. `LogtoClient`
 * turns each rejection into `LogtoClientError`, `LogtoError` or
 * `LogtoRequestError`.
 */
import type { PluginListenerHandle } from '@capacitor/core';

import type { Prompt } from './constants.js';

/**
 * The claims of a Logto ID token (`@logto/js` `IdTokenClaims`).
 *
 * @since 0.1.0
 */
export type IdTokenClaims = {
  /** Issuer of this token. */
  iss: string;
  /** Subject (the user ID) of this token. */
  sub: string;
  /** Audience (the client ID) of this token. */
  aud: string;
  /** Expiration time of this token (seconds since the epoch). */
  exp: number;
  /** Time at which this token was issued (seconds since the epoch). */
  iat: number;
  at_hash?: string | null;
  /** Full name of the user. */
  name?: string | null;
  /** Username of the user. */
  username?: string | null;
  /** URL of the user's profile picture. */
  picture?: string | null;
  /** Email address of the user. */
  email?: string | null;
  /** Whether the user's email address has been verified. */
  email_verified?: boolean;
  /** Phone number of the user. */
  phone_number?: string | null;
  /** Whether the user's phone number has been verified. */
  phone_number_verified?: boolean;
  /** Organization IDs that the user has membership in. */
  organizations?: string[];
  /** Organization roles of the user, as `{organizationId}:{roleName}`. */
  organization_roles?: string[];
  /** Roles that the user has for API resources. */
  roles?: string[];
} & Record<string, unknown>;

/**
 * The claims of a JWT access token (`@logto/js` `AccessTokenClaims`).
 *
 * @since 0.1.0
 */
export type AccessTokenClaims = {
  jti?: string;
  iss?: string;
  sub?: string;
  aud?: string;
  exp?: number;
  iat?: number;
  client_id?: string;
  scope?: string;
} & Record<string, unknown>;

/**
 * The response of the user info endpoint (`@logto/js` `UserInfoResponse`).
 *
 * @since 0.1.0
 */
export type UserInfoResponse = IdTokenClaims & {
  custom_data?: unknown;
  identities?: Record<string, { userId: string; details?: Record<string, unknown> }>;
  organization_data?: { id: string; name: string; description: string | null }[];
};

/**
 * The first screen of the Logto sign-in experience (`first_screen`).
 * `signIn` is the deprecated spelling of `sign_in`.
 *
 * @since 0.1.0
 */
export type FirstScreen =
  | 'signIn'
  | 'sign_in'
  | 'register'
  | 'reset_password'
  | 'identifier:sign_in'
  | 'identifier:register'
  | 'single_sign_on';

/**
 * The identifiers shown on the identifier sign-in or register screen (`identifier`).
 *
 * @since 0.1.0
 */
export type SignInIdentifier = 'email' | 'phone' | 'username';

/**
 * Skip the sign-in page and go straight to a social connector or an SSO
 * connector (`direct_sign_in=<method>:<target>`).
 *
 * @since 0.1.0
 */
export interface DirectSignIn {
  /** `social` for a social connector, `sso` for an enterprise SSO connector. */
  method: 'social' | 'sso';
  /** The social connector target (for example `google`) or the SSO connector ID. */
  target: string;
}

/**
 * The Logto configuration as sent to the platform. Same fields as
 * `LogtoConfig`, with `prompt` normalised to an array. The platform applies
 * Logto's defaults: reserved scopes (`openid offline_access profile`) unless
 * `includeReservedScopes` is `false`, `prompt` `consent`, and the
 * `urn:logto:resource:organizations` resource when the
 * `urn:logto:scope:organizations` scope is requested.
 *
 * @since 0.1.0
 */
export interface NativeLogtoConfig {
  /** The Logto endpoint, for example `https://foo.logto.app`. */
  endpoint: string;
  /** The application ID. */
  appId: string;
  /** Extra scopes to request. */
  scopes?: string[];
  /** API resources to request. */
  resources?: string[];
  /** The `prompt` values; the platform uses `['consent']` when absent. */
  prompt?: Prompt[];
  /** Whether to add `openid offline_access profile`. Default `true`. */
  includeReservedScopes?: boolean;
}

/**
 * iOS browser options.
 *
 * @since 0.1.0
 */
export interface IosBrowserOptions {
  /**
   * The browser used for sign-in and sign-out.
   *
   * - `asWebAuthenticationSession`: the system authentication session. It
   *   captures the redirect itself, so no URL routing is needed in the app.
   * - `safariViewController`: an `SFSafariViewController`, the browser used by
   *   `@logto/capacitor`. The app must route the redirect URL (custom scheme or
   *   universal link) to Capacitor, as for `@capacitor/app` `appUrlOpen`.
   *
   * @default 'asWebAuthenticationSession'
   */
  browser?: 'asWebAuthenticationSession' | 'safariViewController';
  /**
   * With `asWebAuthenticationSession`: do not share cookies with Safari
   * (`prefersEphemeralWebBrowserSession`). The user signs in every time and no
   * system consent alert is shown.
   *
   * @default false
   */
  prefersEphemeralSession?: boolean;
}

/**
 * Android browser (Custom Tabs) options.
 *
 * @since 0.1.0
 */
export interface AndroidBrowserOptions {
  /** The Custom Tab toolbar colour, as `#RRGGBB`. */
  toolbarColor?: string;
  /**
   * Whether the Custom Tab shows the page title.
   *
   * @default false
   */
  showTitle?: boolean;
}

/**
 * Options of the native platforms.
 *
 * @since 0.1.0
 */
export interface LogtoNativeOptions {
  /** iOS browser options. */
  ios?: IosBrowserOptions;
  /** Android browser options. */
  android?: AndroidBrowserOptions;
  /**
   * How long a sign-in or sign-out browser session may stay open, in
   * milliseconds. When it runs out the browser is closed and the call rejects
   * with the code `timeout`. `0` disables the timeout. A dismissed browser
   * always rejects with `user_cancelled`, so every call settles.
   *
   * @default 600000
   */
  signInTimeoutMs?: number;
}

/**
 * Arguments of `configure`.
 *
 * @since 0.1.0
 */
export interface ConfigureOptions {
  /** The Logto configuration. */
  config: NativeLogtoConfig;
  /** The browser options. */
  options: LogtoNativeOptions;
}

/**
 * A sign-in request: `SignInOptions` with `prompt` normalised to an array and
 * the deprecated `interactionMode` already turned into `firstScreen`.
 *
 * @since 0.1.0
 */
export interface SignInRequest {
  /** The redirect URI registered for the application. */
  redirectUri: string;
  /** Web only: where to go after the callback has been handled. Ignored natively. */
  postRedirectUri?: string;
  /**
   * Web only: whether to clear the stored tokens before navigating to Logto
   * (`@logto/client`'s `clearTokens`, default `true`). Ignored natively, where
   * the previous tokens are replaced only after a successful exchange, so a
   * cancelled sign-in never signs the user out.
   */
  clearTokens?: boolean;
  /** Overrides the configured `prompt` for this request. */
  prompt?: Prompt[];
  /** The first screen of the sign-in experience (`first_screen`). */
  firstScreen?: FirstScreen;
  /** The identifiers offered on the identifier screens (`identifier`). */
  identifiers?: SignInIdentifier[];
  /** The `login_hint` (for example an email address). */
  loginHint?: string;
  /** Go straight to a social or SSO connector (`direct_sign_in`). */
  directSignIn?: DirectSignIn;
  /** Extra authorization parameters, appended as they are. */
  extraParams?: Record<string, string>;
}

/**
 * Arguments of `signOut`.
 *
 * @since 0.1.0
 */
export interface SignOutOptions {
  /** The post sign-out redirect URI registered for the application. */
  postLogoutRedirectUri?: string;
}

/**
 * Arguments of `getAccessToken`.
 *
 * @since 0.1.0
 */
export interface GetAccessTokenOptions {
  /** The API resource; absent for the user info (opaque) access token. */
  resource?: string;
  /** The organization ID, for an organization token. */
  organizationId?: string;
}

/**
 * Arguments of `getAccessTokenClaims`.
 *
 * @since 0.1.0
 */
export interface GetAccessTokenClaimsOptions {
  /** The API resource. */
  resource?: string;
}

/**
 * Arguments of the organization token methods.
 *
 * @since 0.1.0
 */
export interface OrganizationTokenOptions {
  /** The organization ID. */
  organizationId: string;
}

/**
 * Arguments of `handleSignInCallback`.
 *
 * @since 0.1.0
 */
export interface HandleSignInCallbackOptions {
  /** The full callback URL, for example `window.location.href`. */
  url: string;
}

/**
 * Arguments of `isSignInRedirected`.
 *
 * @since 0.1.0
 */
export interface IsSignInRedirectedOptions {
  /** The URL to test, for example the URL of an `appUrlOpen` event or `window.location.href`. */
  url: string;
}

/**
 * The OpenID Provider configuration (the discovery document of
 * `{endpoint}/oidc/.well-known/openid-configuration`) with camelCase keys, as
 * `@logto/client`'s `getOidcConfig()` returns it (`OidcConfigResponse` of
 * `@logto/js`). Natively it holds the members the core keeps (the seven
 * below and the three optional ones); on the web it holds every member of the
 * document, each top-level key camelCased.
 *
 * @since 0.1.0
 */
export type OidcConfigResponse = {
  /** The issuer, `{endpoint}/oidc`. */
  issuer: string;
  /** The authorization endpoint. */
  authorizationEndpoint: string;
  /** The token endpoint. */
  tokenEndpoint: string;
  /** The user info endpoint. */
  userinfoEndpoint: string;
  /** The end-session (sign-out) endpoint. */
  endSessionEndpoint: string;
  /** The token revocation endpoint. */
  revocationEndpoint: string;
  /** The JSON Web Key Set of the ID token signing keys. */
  jwksUri: string;
  /** The PKCE methods the provider supports (`S256`). */
  codeChallengeMethodsSupported?: string[];
  /** The ID token signing algorithms the provider advertises. */
  idTokenSigningAlgValuesSupported?: string[];
  /** RFC 9207: whether every authorization response carries `iss`. */
  authorizationResponseIssParameterSupported?: boolean;
} & Record<string, unknown>;

/**
 * The OpenID Provider configuration.
 *
 * @since 0.1.0
 */
export interface OidcConfigResult {
  value: OidcConfigResponse;
}

/**
 * A boolean result.
 *
 * @since 0.1.0
 */
export interface BooleanResult {
  value: boolean;
}

/**
 * A string result.
 *
 * @since 0.1.0
 */
export interface StringResult {
  value: string;
}

/**
 * A string result that is `null` when there is no value.
 *
 * @since 0.1.0
 */
export interface NullableStringResult {
  value: string | null;
}

/**
 * ID token claims.
 *
 * @since 0.1.0
 */
export interface IdTokenClaimsResult {
  value: IdTokenClaims;
}

/**
 * Access token claims.
 *
 * @since 0.1.0
 */
export interface AccessTokenClaimsResult {
  value: AccessTokenClaims;
}

/**
 * User info.
 *
 * @since 0.1.0
 */
export interface UserInfoResult {
  value: UserInfoResponse;
}

/**
 * The kinds of authentication state change.
 *
 * - `signedIn`: a sign-in completed and tokens were stored.
 * - `tokensRefreshed`: a refresh-token grant succeeded (tokens rotated).
 * - `signedOut`: the tokens were cleared (sign-out or `clearAllTokens`).
 * - `sessionExpired`: the refresh token was rejected (`invalid_grant`); the
 *   user has to sign in again.
 *
 * @since 0.1.0
 */
export type AuthStateChangeType = 'signedIn' | 'tokensRefreshed' | 'signedOut' | 'sessionExpired';

/**
 * The payload of the `authStateChange` event.
 *
 * @since 0.1.0
 */
export interface AuthStateChange {
  /** What happened. */
  type: AuthStateChangeType;
}

/**
 * Listener of the `authStateChange` event.
 *
 * @since 0.1.0
 */
export type AuthStateChangeListener = (change: AuthStateChange) => void;

/**
 * The stable error codes a platform rejects with. They are the Logto SDK
 * codes, plus the codes of the native core:
 *
 * - `LogtoClientError`: `user_cancelled`, `not_authenticated`,
 *   `sign_in_session.not_found`, `sign_in_session.invalid`,
 *   `fetch_user_info_failed`, `missing_scope_organizations`, `storage`,
 *   `invalid_config`, `sign_in_in_progress`, `browser_unavailable`,
 *   `timeout`, `internal`.
 * - `LogtoError`: `id_token.*`, `callback_uri_verification.*`,
 *   `crypto_subtle_unavailable`, `unexpected_response_error`.
 * - `LogtoRequestError`: `oidc.<error>` (the server's OAuth error, for
 *   example `oidc.invalid_grant`), `http_error_<status>`, `rate_limited`,
 *   `network`.
 *
 * For `callback_uri_verification.error_found` and `oidc.*` the rejection's
 * `data` carries `{ error, errorDescription? }`.
 *
 * @since 0.1.0
 */
export type LogtoNativeErrorCode = string;

/**
 * The `LogtoNative` plugin.
 *
 * @since 0.1.0
 */
export interface LogtoNativePlugin {
  /**
   * Configure the platform client. `LogtoClient` calls it once, lazily,
   * before its first call, and again after a failure. Calling it again with
   * another configuration replaces the client (the stored session is kept when
   * `endpoint` and `appId` are unchanged).
   *
   * Rejects with `invalid_config` when the configuration is unusable.
   *
   * @since 0.1.0
   */
  configure(options: ConfigureOptions): Promise<void>;

  /**
   * Sign in: open the browser on the authorization URL, wait for the redirect,
   * verify it and exchange the code. Resolves when the tokens are stored
   * (natively) or when the page navigates away (web). Natively the previous
   * tokens are replaced only after a successful exchange; on the web they are
   * cleared before the navigation, as `@logto/browser` does.
   *
   * Rejects with `user_cancelled` when the user dismisses the browser,
   * `timeout` when `signInTimeoutMs` runs out, `sign_in_in_progress` when
   * another sign-in or sign-out is open, `browser_unavailable` when no browser
   * can be shown, `callback_uri_verification.*`, `id_token.*`, `oidc.*` or
   * `network`.
   *
   * @since 0.1.0
   */
  signIn(request: SignInRequest): Promise<void>;

  /**
   * Sign out: revoke the refresh token (errors ignored), clear all tokens
   * (emitting `signedOut`), then open the end-session endpoint in the browser.
   * With `postLogoutRedirectUri` the call resolves when the browser redirects
   * there and rejects with `user_cancelled` when the user closes the browser
   * first; without one it resolves when the user closes the browser (as
   * `@logto/capacitor` does). It rejects with `timeout` when
   * `signInTimeoutMs` runs out. In both rejections the local sign-out has
   * already happened. On the web the page navigates away.
   *
   * @since 0.1.0
   */
  signOut(options: SignOutOptions): Promise<void>;

  /**
   * Whether an ID token is stored. A local check, as in `@logto/client`.
   *
   * @since 0.1.0
   */
  isAuthenticated(): Promise<BooleanResult>;

  /**
   * The stored ID token, or `null`.
   *
   * @since 0.1.0
   */
  getIdToken(): Promise<NullableStringResult>;

  /**
   * The claims of the stored ID token. Rejects with `not_authenticated`
   * without one.
   *
   * @since 0.1.0
   */
  getIdTokenClaims(): Promise<IdTokenClaimsResult>;

  /**
   * The stored refresh token, or `null`.
   *
   * @since 0.1.0
   */
  getRefreshToken(): Promise<NullableStringResult>;

  /**
   * An access token for the resource and organization, from the cache or by a
   * (single-flight) refresh. Rejects with `not_authenticated` when signed out
   * and with `oidc.invalid_grant` when the session has expired (then
   * `sessionExpired` is emitted).
   *
   * @since 0.1.0
   */
  getAccessToken(options: GetAccessTokenOptions): Promise<StringResult>;

  /**
   * The decoded claims of the access token for a resource (the token must be
   * a JWT, i.e. a resource was given).
   *
   * @since 0.1.0
   */
  getAccessTokenClaims(options: GetAccessTokenClaimsOptions): Promise<AccessTokenClaimsResult>;

  /**
   * An organization token. Rejects with `missing_scope_organizations` when
   * the `urn:logto:scope:organizations` scope was not configured.
   *
   * @since 0.1.0
   */
  getOrganizationToken(options: OrganizationTokenOptions): Promise<StringResult>;

  /**
   * The decoded claims of an organization token.
   *
   * @since 0.1.0
   */
  getOrganizationTokenClaims(options: OrganizationTokenOptions): Promise<AccessTokenClaimsResult>;

  /**
   * Fetch the user info endpoint with the opaque access token. Rejects with
   * `fetch_user_info_failed` or `not_authenticated`.
   *
   * @since 0.1.0
   */
  fetchUserInfo(): Promise<UserInfoResult>;

  /**
   * Forget the cached access tokens (the refresh token is kept).
   *
   * @since 0.1.0
   */
  clearAccessToken(): Promise<void>;

  /**
   * Forget every stored token, locally only. Emits `signedOut`.
   *
   * @since 0.1.0
   */
  clearAllTokens(): Promise<void>;

  /**
   * Handle the redirect back from Logto: verify it (`state`, `error`, `code`),
   * exchange the code, store the tokens and emit `signedIn`. On the web the
   * app calls it when the page loads at the redirect URI. Natively the
   * browser session catches the redirect itself; this method hands a redirect
   * URL that the app received another way (for example a universal link with
   * `safariViewController`) to the pending `signIn`, which then settles. It
   * rejects with `sign_in_session.not_found` when no sign-in is pending.
   *
   * @since 0.1.0
   */
  handleSignInCallback(options: HandleSignInCallbackOptions): Promise<void>;

  /**
   * The OpenID Provider configuration with camelCase keys (see
   * `OidcConfigResponse`), from the platform's cache; the first call fetches
   * the discovery document when it is not cached yet, and a failed fetch is
   * retried by the next call. Natively this is the core's cached document,
   * which the core also uses for every request. Rejects with `network`,
   * `http_error_<status>`, `rate_limited` or `unexpected_response_error`
   * (for example an issuer that is not `{endpoint}/oidc`).
   *
   * @since 0.1.0
   */
  getOidcConfig(): Promise<OidcConfigResult>;

  /**
   * Whether `url` is the redirect back from Logto to the pending sign-in, so
   * that the app should hand it to `handleSignInCallback`. `false` when no
   * sign-in is pending or the URL cannot be parsed. Natively: `true` when
   * the URL without its query and fragment equals the pending sign-in's
   * redirect URI (the rule the core applies to a callback; for `http(s)`
   * URLs it is `@logto/client`'s `origin + pathname` comparison, and it also
   * works for custom schemes such as `com.example.app://callback`, whose
   * WHATWG origin is `null`). On the web, `@logto/client`'s own check.
   * Rejects only when the stored session cannot be read (`storage`,
   * `sign_in_session.invalid`).
   *
   * @since 0.1.0
   */
  isSignInRedirected(options: IsSignInRedirectedOptions): Promise<BooleanResult>;

  /**
   * Listen to authentication state changes.
   *
   * @since 0.1.0
   */
  addListener(eventName: 'authStateChange', listenerFunc: AuthStateChangeListener): Promise<PluginListenerHandle>;

  /**
   * Remove every listener of this plugin.
   *
   * @since 0.1.0
   */
  removeAllListeners(): Promise<void>;
}
